//! An edit's round trip on the built-in scenario, in process: the request through the
//! router, the edit made on the file's text, the scenario validated, the deals analysed
//! (with every lever compared), the planes of the main pairs drawn, the response
//! serialised. `cargo bench -p parley-serve --bench edit`.

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn bench(c: &mut Criterion) {
    let work = tempfile::tempdir().unwrap();
    let app = parley_serve::app(parley_serve::State::new(&[], None, work.path()).unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut k = 0u32;
    let mut group = c.benchmark_group("serve");
    group.sample_size(30);
    for (name, compare) in [("edit, every lever compared", true), ("edit while dragging (no lever comparison)", false)]
    {
        group.bench_function(name, |b| {
            b.iter(|| {
                k += 1;
                let value = 0.2 + f64::from(k % 50) / 100.0;
                let body = format!(
                    r#"{{"edits":[{{"op":"set","path":"preferences.ukr.reservation","value":{value}}}],"compare":{compare}}}"#
                );
                let request = Request::post("/api/v1/scenarios/built-in/analysis")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap();
                runtime.block_on(async {
                    let response = app.clone().oneshot(request).await.unwrap();
                    assert!(response.status().is_success());
                    response.into_body().collect().await.unwrap().to_bytes().len()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
