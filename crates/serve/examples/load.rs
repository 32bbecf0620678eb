//! The workbench under load: 50 clients editing and analysing the built-in scenario at once
//! over loopback for 60 seconds (the server runs in this process, on a free port; each client
//! is a keep-alive HTTP/1.1 connection). Prints requests per second, latency percentiles,
//! errors, and the process's resident memory each 10 s and at its peak.
//!
//! `cargo run --release -p parley-serve --example load -- [CLIENTS] [SECONDS]`

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Resident memory now and at its peak, in MiB (Linux).
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// One request on a keep-alive connection; the status.
async fn request(stream: &mut TcpStream, method: &str, path: &str, body: &str) -> std::io::Result<u16> {
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    let (header_end, length, status) = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or_else(|| std::io::Error::other("no content-length"))?;
            break (end + 4, length, status);
        }
    };
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(status)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(60);
    let work = std::env::temp_dir().join(format!("parley-load-{}", std::process::id()));
    let state = parley_serve::State::new(&[], None, &work).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, parley_serve::app(state)).await });
    println!("{clients} clients for {seconds} s against http://{addr}/ (rss at start {:.0} MiB)", rss().0);
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client in 0..clients {
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            let mut k = client as u64;
            while Instant::now() < end {
                k += 1;
                // Mostly edits analysed while dragging; one in ten a slider let go (every
                // lever compared), one in ten the scenario read again.
                let value = 0.15 + ((k * 7919) % 60) as f64 / 100.0;
                let (method, path, body) = match k % 10 {
                    0 => ("GET", "/api/v1/scenarios/built-in".to_string(), String::new()),
                    _ => (
                        "POST",
                        "/api/v1/scenarios/built-in/analysis".to_string(),
                        format!(
                            r#"{{"edits":[{{"op":"set","path":"preferences.{}.reservation","value":{value}}}],"levers":{},"compare":{}}}"#,
                            if k.is_multiple_of(2) { "ukr" } else { "rus" },
                            if k.is_multiple_of(3) { r#"["us_aid_cut"]"# } else { "[]" },
                            // A slider let go: every lever compared; dragging: not.
                            k % 10 == 5
                        ),
                    ),
                };
                let t = Instant::now();
                match request(&mut stream, method, &path, &body).await {
                    Ok(200) => latencies.push(t.elapsed().as_secs_f64() * 1000.0),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        stream = TcpStream::connect(addr).await.expect("reconnect");
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        while Instant::now() < end {
            tokio::time::sleep(Duration::from_secs(10)).await;
            samples.push((start.elapsed().as_secs(), rss().0));
        }
        samples
    });
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("client");
        latencies.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let q = |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN);
    println!(
        "requests: {} ok, {errors} errors in {elapsed:.1} s: {:.1} requests/s; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        q(0.5),
        q(0.9),
        q(0.99),
        q(1.0)
    );
    for (s, mb) in sampler.await.expect("sampler") {
        println!("rss at {s:>3} s: {mb:.0} MiB");
    }
    println!("peak rss: {:.0} MiB", rss().1);
    let _ = std::fs::remove_dir_all(&work);
}
