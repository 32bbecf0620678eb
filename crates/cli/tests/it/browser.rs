//! The report in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs) opens it from a `file://` URL with the network off, through the DevTools
//! protocol. No console errors, no requests beyond the file itself, a non-empty chart in
//! every chart section; a screenshot and a printed PDF are saved as test artifacts.

use std::io::ErrorKind;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use crate::util::Dir;

/// Where Debian puts Chromium; `PARLEY_CHROMIUM` overrides it.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PARLEY_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "the browser test needs Chromium at {}: install Debian's chromium package (`apt-get install chromium`; `bash .ci/run` does), or point PARLEY_CHROMIUM at one",
        path.display()
    );
    path
}

/// A headless Chromium, killed when dropped.
pub(crate) struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A DevTools protocol connection to one page.
pub(crate) struct Cdp {
    ws: WebSocket<TcpStream>,
    next: u64,
    session: Option<String>,
    pub(crate) events: Vec<Value>,
}

impl Cdp {
    fn send(&mut self, method: &str, params: Value) -> u64 {
        self.next += 1;
        let mut msg = json!({ "id": self.next, "method": method, "params": params });
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).expect("send to the browser");
        self.next
    }

    fn read(&mut self) -> Value {
        loop {
            match self.ws.read() {
                Ok(Message::Text(t)) => return serde_json::from_str(t.as_str()).expect("DevTools speaks JSON"),
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    panic!("the browser did not answer within the timeout")
                }
                Err(e) => panic!("lost the browser: {e}"),
            }
        }
    }

    /// Calls a method and returns its result; events that arrive meanwhile are kept.
    pub(crate) fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        loop {
            let msg = self.read();
            if msg["id"].as_u64() == Some(id) {
                assert!(msg.get("error").is_none(), "{method} failed: {}", msg["error"]);
                return msg["result"].clone();
            }
            if msg.get("method").is_some() {
                self.events.push(msg);
            }
        }
    }

    /// Every URL the page asked for, in order.
    pub(crate) fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .map(|e| e["params"]["request"]["url"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Every error the page reported: console errors and failed assertions, uncaught
    /// exceptions, and the browser's own error log entries except those `expected` accepts.
    pub(crate) fn errors(&self, expected: impl Fn(&str) -> bool) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| {
                (e["method"] == "Runtime.consoleAPICalled"
                    && matches!(e["params"]["type"].as_str(), Some("error" | "assert")))
                    || e["method"] == "Runtime.exceptionThrown"
                    || (e["method"] == "Log.entryAdded"
                        && e["params"]["entry"]["level"] == "error"
                        && !expected(e["params"]["entry"]["text"].as_str().unwrap_or_default()))
            })
            .map(Value::to_string)
            .collect()
    }

    /// Waits for an event (kept events first).
    pub(crate) fn wait_for(&mut self, method: &str, deadline: Instant) -> Value {
        if let Some(k) = self.events.iter().position(|e| e["method"] == method) {
            return self.events[k].clone();
        }
        loop {
            assert!(Instant::now() < deadline, "no {method} before the deadline");
            let msg = self.read();
            if msg.get("method").is_some() {
                self.events.push(msg.clone());
                if msg["method"] == method {
                    return msg;
                }
            }
        }
    }
}

pub(crate) fn launch() -> (Browser, Cdp) {
    launch_allowing(None)
}

/// A headless Chromium whose only reachable host is `host`, if given (the workbench's
/// loopback server).
pub(crate) fn launch_allowing(host: Option<&str>) -> (Browser, Cdp) {
    let rules = match host {
        None => "--host-resolver-rules=MAP * ~NOTFOUND".to_string(),
        Some(h) => format!("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {h}"),
    };
    let profile = tempfile::tempdir().expect("profile dir");
    let child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-quic",
            // The network is off: no name resolves, and any connection goes to a closed port.
            &rules,
            "--proxy-server=http://127.0.0.1:9",
            "--remote-debugging-port=0",
            "--window-size=1200,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let browser = Browser { child, _profile: profile };
    // Chromium writes its port and the browser's WebSocket path once it listens.
    let active = browser._profile.path().join("DevToolsActivePort");
    let start = Instant::now();
    let (port, path) = loop {
        if let Ok(text) = std::fs::read_to_string(&active) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                break (port.trim().parse::<u16>().expect("a port"), path.trim().to_string());
            }
        }
        assert!(start.elapsed() < Duration::from_secs(60), "Chromium did not start within a minute");
        std::thread::sleep(Duration::from_millis(100));
    };
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to DevTools");
    stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let (ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), stream).expect("DevTools handshake");
    let mut cdp = Cdp { ws, next: 0, session: None, events: Vec::new() };
    let target = cdp.call("Target.createTarget", json!({ "url": "about:blank" }));
    let attached = cdp.call("Target.attachToTarget", json!({ "targetId": target["targetId"], "flatten": true }));
    cdp.session = Some(attached["sessionId"].as_str().expect("a session").to_string());
    (browser, cdp)
}

fn save(name: &str, base64: &Value) -> PathBuf {
    save_in("report", name, base64)
}

/// Saves base64 data as a test artifact under `CARGO_TARGET_TMPDIR/folder`.
pub(crate) fn save_in(folder: &str, name: &str, base64: &Value) -> PathBuf {
    let bytes = data_encoding::BASE64.decode(base64.as_str().expect("base64 data").as_bytes()).expect("valid base64");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(folder);
    std::fs::create_dir_all(&dir).expect("artifact dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write artifact");
    path
}

/// Page objects in a PDF: `/Type /Page` (or `/Type/Page`) not followed by `s`.
fn pdf_pages(pdf: &[u8]) -> usize {
    [&b"/Type /Page"[..], &b"/Type/Page"[..]]
        .iter()
        .map(|pat| {
            pdf.windows(pat.len() + 1).filter(|w| w.starts_with(pat) && !w[pat.len()].is_ascii_alphabetic()).count()
        })
        .sum()
}

/// What the page reports about itself.
const INSPECT: &str = r#"(() => {
  const bad = (svg) => {
    const box = svg.getBoundingClientRect();
    return svg.childElementCount < 5 || box.width < 100 || box.height < 100;
  };
  const sections = [...document.querySelectorAll('section[data-chart]')].map((s) => {
    const svgs = [...s.querySelectorAll('svg')];
    return { id: s.id, charts: svgs.length, empty: svgs.filter(bad).length,
             titled: svgs.filter((v) => v.querySelector('title') && v.querySelector('desc')).length };
  });
  return JSON.stringify({
    title: document.title,
    sections,
    headings: [...document.querySelectorAll('h2')].map((h) => h.textContent),
    external: document.querySelectorAll('script, link, img, iframe, object, embed, video, audio').length,
    audit: [...document.querySelectorAll('#checks h3')].map((h) => h.textContent),
    auditRows: document.querySelectorAll('#checks table')[1]?.querySelectorAll('tbody tr').length ?? 0,
    summary: document.querySelector('#summary')?.textContent ?? '',
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  });
})()"#;

#[test]
fn test_report_opens_offline_in_chromium_without_errors() {
    let dir = Dir::new();
    // The report snapshot's settings (crates/cli/tests/it/report.rs): their central path
    // holds talks, so every chart section has its charts.
    let run = dir.run(&[
        "run",
        "--runs",
        "60",
        "--months",
        "18",
        "--samples",
        "16",
        "--seed",
        "5",
        "--particles",
        "200",
        "--out",
        "results",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = dir.path("results/report.html").canonicalize().expect("the report exists");
    let url = format!("file://{}", report.display());
    let (_browser, mut cdp) = launch();
    for domain in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"] {
        cdp.call(domain, json!({}));
    }
    cdp.call(
        "Network.emulateNetworkConditions",
        json!({ "offline": true, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0 }),
    );
    cdp.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    let nav = cdp.call("Page.navigate", json!({ "url": url }));
    assert!(nav.get("errorText").is_none(), "navigation failed: {nav}");
    cdp.wait_for("Page.loadEventFired", deadline);
    let inspected = cdp.call("Runtime.evaluate", json!({ "expression": INSPECT, "returnByValue": true }));
    let page: Value = serde_json::from_str(inspected["result"]["value"].as_str().expect("a string")).expect("JSON");

    // Everything the page asked for, and everything it complained about.
    let requests = cdp.requests();
    let failed: Vec<&Value> = cdp.events.iter().filter(|e| e["method"] == "Network.loadingFailed").collect();
    let errors = cdp.errors(|_| false);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    assert!(failed.is_empty(), "failed requests: {failed:#?}");
    assert!(requests.iter().all(|u| *u == url), "the report is self-contained, but it requested: {requests:?}");
    assert!(!requests.is_empty(), "the page itself was requested (the test sees requests)");
    assert_eq!(page["external"], 0, "no scripts, styles, images or frames from outside");
    assert!(page["overflow"].as_i64().is_some_and(|o| o <= 0), "nothing wider than the window: {page}");

    // Every chart section shows its charts, each titled and described.
    let sections = page["sections"].as_array().expect("sections");
    let ids: Vec<&str> = sections.iter().map(|s| s["id"].as_str().unwrap_or_default()).collect();
    assert_eq!(ids, ["deals", "talks", "record", "backtest", "war", "settlement", "sensitivity", "forecast"]);
    for s in sections {
        assert!(s["charts"].as_u64().is_some_and(|n| n > 0), "a chart section without a chart: {s}");
        assert_eq!(s["empty"], 0, "an empty chart: {s}");
        assert_eq!(s["titled"], s["charts"], "every chart has a <title> and <desc>: {s}");
    }
    assert_eq!(page["headings"].as_array().map(Vec::len), Some(parley_report::SECTIONS.len()));

    // The audit of the checks (issue 14): its subsection lists every claim, and the summary
    // counts only the claims that could have failed as evidence.
    assert_eq!(page["audit"], json!(["Could the checks have failed?"]), "{page}");
    assert!(page["auditRows"].as_u64().is_some_and(|n| n >= 30), "{page}");
    assert!(page["summary"].as_str().is_some_and(|s| s.contains("claims could have failed")), "{page}");

    // The artifacts: the whole page as a picture, and as printed on A4.
    let metrics = cdp.call("Page.getLayoutMetrics", json!({}));
    let (w, h) = (metrics["cssContentSize"]["width"].clone(), metrics["cssContentSize"]["height"].clone());
    let shot = cdp.call(
        "Page.captureScreenshot",
        json!({ "format": "png", "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": w, "height": h, "scale": 1 } }),
    );
    let png = save("report.png", &shot["data"]);
    let bytes = std::fs::read(&png).expect("read screenshot");
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 50_000, "a real screenshot");
    let pdf = cdp.call("Page.printToPDF", json!({ "preferCSSPageSize": true }));
    let pdf = std::fs::read(save("report.pdf", &pdf["data"])).expect("read PDF");
    assert!(pdf.starts_with(b"%PDF"));
    let pages = pdf_pages(&pdf);
    assert!(pages >= parley_report::SECTIONS.len(), "each section starts a page when printed ({pages} pages)");
    eprintln!("screenshot: {}", png.display());
}
