//! The workbench (`parley serve`) end to end: the real binary serves a scenario file on a
//! free loopback port, and headless Chromium (as in the report's browser test) opens the
//! page with every other address unreachable. It moves a reservation slider and sees the
//! zone become what `parley analyze` gives for the same edit, pulls a lever, types an
//! invalid value and sees `parley validate`'s message at the field, saves with a reason and
//! reloads the file, and runs a small experiment to 100%. No console errors, no request
//! leaves the machine; screenshots and the round trips' timing log are saved as artifacts.
//! `PARLEY_WORKBENCH_BIN=$PWD/target/release/parley` (an absolute path) runs the same test
//! against a release build.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::browser::{Cdp, launch_allowing, save_in};
use crate::util::Dir;

const CAR: &str = r#"[scenario]
id = "car-sale"
title = "Selling a used car"

[[sources]]
id = "listing"
title = "Advertisement and dealer notes"
outlet = "local classifieds"
date = "2025-06"

[[actors]]
id = "buyer"
name = "Buyer"
role = "other"
veto = true

[[actors]]
id = "seller"
name = "Seller"
role = "other"
veto = true

[[issues]]
id = "price"
name = "Price"
kind = "integer"
min = { value = 9000, source = "listing#2" }
max = { value = 11000, source = "listing#1" }
step = { value = 250, assumption = "haggling moves in steps of 250" }
unit = "EUR"

[[issues]]
id = "tyres"
name = "Winter tyres"
kind = "categorical"
options = [{ id = "no", label = "No tyres" }, { id = "yes", label = "Tyres included" }]

[[preferences]]
actor = "buyer"
reservation = { value = 0.25, assumption = "a similar car is on offer two towns away" }
weights = { price = { value = 0.8, assumption = "price matters most" }, tyres = { value = 0.2, assumption = "tyres cost about 600" } }
values.price = { function = "linear", at_min = { value = 1.0, assumption = "cheapest is best" }, at_max = { value = 0.0, assumption = "asking price is the worst case" } }
values.tyres = { options = { no = { value = 0.0, assumption = "must buy them" }, yes = { value = 1.0, assumption = "saves the purchase" } } }

[[preferences]]
actor = "seller"
reservation = { value = 0.3, source = "listing#3" }
weights = { price = { value = 0.9, assumption = "wants the money" }, tyres = { value = 0.1, assumption = "has no use for them" } }
values.price = { function = "linear", at_min = { value = 0.0, assumption = "floor price" }, at_max = { value = 1.0, assumption = "asking price" } }
values.tyres = { options = { no = { value = 0.6, assumption = "could sell them separately" }, yes = { value = 1.0, assumption = "glad to be rid of them" } } }

[[lever]]
id = "cheap_elsewhere"
name = "A cheaper car turns up"
assumption = "what if"
set = { "preferences.buyer.reservation" = { value = 0.45, assumption = "a better alternative" } }
"#;

/// `parley serve`, killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary under test; `PARLEY_WORKBENCH_BIN` may name another build of it (a release
/// build, for the timing log of BENCHMARKS.md).
fn binary() -> std::path::PathBuf {
    std::env::var_os("PARLEY_WORKBENCH_BIN").map_or_else(|| env!("CARGO_BIN_EXE_parley").into(), Into::into)
}

fn serve(dir: &Dir) -> Served {
    let mut child = Command::new(binary())
        .args(["serve", "--port", "0", "--out", "runs", "car.toml"])
        .current_dir(dir.path(""))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start parley serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the address");
    let url = line.split_whitespace().find(|w| w.starts_with("http://127.0.0.1:")).expect(&line).to_string();
    Served { child, url }
}

fn eval(cdp: &mut Cdp, expression: &str) -> Value {
    let r =
        cdp.call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }));
    assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}");
    r["result"]["value"].clone()
}

/// Evaluates `expression` until it is truthy (an exception, as on a page still loading,
/// counts as not yet).
fn wait_until(cdp: &mut Cdp, expression: &str, limit: Duration) -> Value {
    let start = Instant::now();
    loop {
        let r = cdp.call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true }));
        let v = if r.get("exceptionDetails").is_some() { Value::Null } else { r["result"]["value"].clone() };
        if !(v.is_null() || v == json!(false) || v == json!("")) {
            return v;
        }
        assert!(start.elapsed() < limit, "waited {limit:?} for {expression}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The zone `parley analyze` finds in `text` with `levers`.
fn analyze_zone(dir: &Dir, text: &str, levers: &[&str]) -> u64 {
    dir.create("expected.toml", text);
    let mut args = vec!["analyze", "expected.toml", "--format", "json"];
    for l in levers {
        args.extend(["--lever", l]);
    }
    let run = dir.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()["zopa"].as_u64().expect("a zone count")
}

fn screenshot(cdp: &mut Cdp, name: &str) {
    let shot = cdp.call("Page.captureScreenshot", json!({ "format": "png" }));
    let path = save_in("workbench", name, &shot["data"]);
    eprintln!("screenshot: {}", path.display());
}

/// Moves a slider: sets its value and fires the `input` event a drag fires.
fn drag(cdp: &mut Cdp, path: &str, value: f64) {
    eval(
        cdp,
        &format!(
            r#"(() => {{ const s = document.querySelector('#reservations input[type=range][data-path="{path}"]');
                s.value = {value}; s.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()"#
        ),
    );
}

fn zone_after(cdp: &mut Cdp, before: &str) -> String {
    wait_until(
        cdp,
        &format!(
            "(() => {{ const z = document.getElementById('zone').textContent; const s = document.getElementById('status').textContent;
                return z !== {before:?} && s === 'up to date' ? z : ''; }})()"
        ),
        Duration::from_secs(20),
    )
    .as_str()
    .expect("the zone")
    .to_string()
}

#[test]
fn test_the_workbench_edits_saves_and_runs_in_chromium() {
    let dir = Dir::new();
    dir.create("car.toml", CAR);
    let served = serve(&dir);
    let (_browser, mut cdp) = launch_allowing(Some("127.0.0.1"));
    for domain in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"] {
        cdp.call(domain, json!({}));
    }
    cdp.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false }),
    );
    let nav = cdp.call("Page.navigate", json!({ "url": served.url }));
    assert!(nav.get("errorText").is_none(), "navigation failed: {nav}");
    cdp.wait_for("Page.loadEventFired", Instant::now() + Duration::from_secs(60));
    let limit = Duration::from_secs(30);
    wait_until(&mut cdp, "document.getElementById('status').textContent === 'up to date'", limit);

    // The file, not the built-in scenario.
    eval(
        &mut cdp,
        "(() => { const s = document.getElementById('scenario'); s.value = 'car.toml'; s.dispatchEvent(new Event('change')); return true; })()",
    );
    wait_until(
        &mut cdp,
        "document.getElementById('title').textContent.includes('Selling a used car') && document.getElementById('status').textContent === 'up to date'",
        limit,
    );
    let base = eval(&mut cdp, "document.getElementById('zone').textContent");
    assert_eq!(base.as_str().unwrap().parse::<u64>().unwrap(), analyze_zone(&dir, CAR, &[]));
    screenshot(&mut cdp, "1-loaded.png");

    // Move the seller's reservation slider: the zone becomes what `parley analyze` gives.
    drag(&mut cdp, "preferences.seller.reservation", 0.6);
    let edited = CAR.replace(r#"{ value = 0.3, source = "listing#3" }"#, "0.6");
    let want = analyze_zone(&dir, &edited, &[]);
    let zone = zone_after(&mut cdp, base.as_str().unwrap());
    assert_eq!(zone, want.to_string(), "the page's zone is `parley analyze`'s");

    // Pull the lever.
    eval(
        &mut cdp,
        "(() => { const c = document.querySelector('[data-lever=cheap_elsewhere]'); c.click(); return true; })()",
    );
    let want_lever = analyze_zone(&dir, &edited, &["cheap_elsewhere"]);
    if want_lever != want {
        let z = zone_after(&mut cdp, &zone);
        assert_eq!(z, want_lever.to_string());
    }
    eval(&mut cdp, "(() => { document.querySelector('[data-lever=cheap_elsewhere]').click(); return true; })()");
    screenshot(&mut cdp, "2-edited.png");

    // An invalid value: refused at the field with `parley validate`'s message.
    eval(
        &mut cdp,
        r#"(() => { const b = document.querySelector('#reservations input[type=number][data-path="preferences.buyer.reservation"]');
            b.value = '1.5'; b.dispatchEvent(new Event('change')); return true; })()"#,
    );
    let shown = wait_until(
        &mut cdp,
        r#"document.querySelector('#reservations [data-error="preferences.buyer.reservation"]').textContent"#,
        limit,
    );
    dir.create(
        "invalid.toml",
        &CAR.replace(r#"{ value = 0.25, assumption = "a similar car is on offer two towns away" }"#, "1.5"),
    );
    let validate = dir.run(&["validate", "invalid.toml", "--format", "json"]);
    let message = validate.json()[0]["errors"][0]["message"].as_str().expect("a message").to_string();
    assert!(shown.as_str().unwrap().starts_with(&message), "{shown} vs {message}");
    screenshot(&mut cdp, "3-invalid.png");
    // Back to a valid value.
    eval(
        &mut cdp,
        r#"(() => { const b = document.querySelector('#reservations input[type=number][data-path="preferences.buyer.reservation"]');
            b.value = '0.25'; b.dispatchEvent(new Event('change')); return true; })()"#,
    );
    wait_until(
        &mut cdp,
        "document.getElementById('status').textContent === 'up to date' && document.getElementById('errors').textContent === ''",
        limit,
    );

    // Save: reasons, the diff, the file written, the page reloaded from it.
    eval(
        &mut cdp,
        r#"(() => { for (const r of document.querySelectorAll('[data-reason]')) { r.value = 'the dealer needs the space'; r.dispatchEvent(new Event('input')); }
            document.getElementById('diff').click(); return true; })()"#,
    );
    let diff = wait_until(
        &mut cdp,
        "document.getElementById('save-panel').hidden ? '' : document.getElementById('diff-text').textContent",
        limit,
    );
    assert!(
        diff.as_str().unwrap().contains("+reservation = { value = 0.6, assumption = \"the dealer needs the space\""),
        "{diff}"
    );
    eval(&mut cdp, "(() => { document.getElementById('save').click(); return true; })()");
    wait_until(&mut cdp, "document.getElementById('save-status').textContent.startsWith('Saved and reloaded')", limit);
    let saved = std::fs::read_to_string(dir.path("car.toml")).expect("the saved file");
    assert!(saved.contains("assumption = \"the dealer needs the space\""), "{saved}");
    assert_eq!(dir.run(&["validate", "car.toml"]).code, 0);
    cdp.call("Page.reload", json!({}));
    wait_until(&mut cdp, "document.getElementById('status').textContent === 'up to date'", limit);
    eval(
        &mut cdp,
        "(() => { const s = document.getElementById('scenario'); s.value = 'car.toml'; s.dispatchEvent(new Event('change')); return true; })()",
    );
    wait_until(
        &mut cdp,
        "document.getElementById('title').textContent.includes('Selling') && document.getElementById('status').textContent === 'up to date'",
        limit,
    );
    let reloaded = eval(&mut cdp, "document.getElementById('zone').textContent");
    assert_eq!(reloaded, json!(want.to_string()), "the saved file analyses as the edit did");
    let slider = eval(
        &mut cdp,
        r#"document.querySelector('#reservations input[type=range][data-path="preferences.seller.reservation"]').value"#,
    );
    assert_eq!(slider, json!("0.6"));

    // A small experiment on the built-in scenario, its progress streamed to 100%.
    eval(
        &mut cdp,
        "(() => { const s = document.getElementById('scenario'); s.value = 'built-in'; s.dispatchEvent(new Event('change')); return true; })()",
    );
    wait_until(
        &mut cdp,
        "document.getElementById('title').textContent.includes('built-in') && document.getElementById('status').textContent === 'up to date'",
        limit,
    );
    // A drag on the built-in scenario, for the timing log.
    for value in [0.45, 0.5, 0.55] {
        let before = eval(&mut cdp, "Number(document.body.dataset.analyses)");
        drag(&mut cdp, "preferences.ukr.reservation", value);
        wait_until(&mut cdp, &format!("Number(document.body.dataset.analyses) > {before}"), limit);
    }
    eval(
        &mut cdp,
        "(() => { document.getElementById('run-kind').value = 'experiment'; document.getElementById('run-runs').value = '20';
            document.getElementById('run-months').value = '6'; document.getElementById('run-start').click(); return true; })()",
    );
    wait_until(
        &mut cdp,
        "document.getElementById('run-percent').textContent === '100%' && !document.getElementById('run-result').hidden",
        Duration::from_secs(300),
    );
    screenshot(&mut cdp, "4-run.png");

    // Nothing went wrong, and nothing left the machine.
    let origin = served.url.trim_end_matches('/').to_string();
    let requests = cdp.requests();
    assert!(requests.len() > 5, "{requests:?}");
    let outside: Vec<&String> = requests
        .iter()
        .filter(|u| !u.starts_with(&origin) && !u.starts_with("blob:") && !u.starts_with("data:"))
        .collect();
    assert!(outside.is_empty(), "requests left the machine: {outside:?}");
    // The 422 of the invalid value is the page working as meant.
    let errors = cdp.errors(|text| text.contains("422"));
    assert!(errors.is_empty(), "console errors: {errors:#?}");

    // The round trips as the page measured them (request, analysis, charts drawn).
    let timings: Vec<String> = cdp
        .events
        .iter()
        .filter(|e| e["method"] == "Runtime.consoleAPICalled" && e["params"]["type"] == "info")
        .filter_map(|e| e["params"]["args"][0]["value"].as_str())
        .filter(|t| t.starts_with("parley-timing"))
        .map(String::from)
        .collect();
    assert!(!timings.is_empty());
    let log = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("workbench/timing.log");
    std::fs::write(&log, timings.join("\n") + "\n").expect("write the timing log");
    eprintln!("timing log: {}\n{}", log.display(), timings.join("\n"));
}
