//! Every endpoint, with good and bad requests.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::util::{CAR, Server};

fn set(path: &str, value: f64, reason: &str) -> Value {
    json!({ "op": "set", "path": path, "value": value, "reason": reason })
}

fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn test_the_scenarios_are_the_built_in_the_files_given_and_the_dir() {
    let s = Server::new();
    let (status, body, _) = s.get("/api/v1/scenarios").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = body.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["built-in", "car.toml", "other.toml"]);
    assert_eq!(body[0]["writable"], false);
    assert_eq!(body[1]["writable"], true);
}

#[tokio::test]
async fn test_a_scenario_lists_its_numbers_with_provenance_rules_and_levers() {
    let s = Server::new();
    let (status, body, _) = s.get("/api/v1/scenarios/car.toml").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["title"], "Selling a used car");
    let numbers = body["numbers"].as_array().unwrap();
    let reservation = numbers.iter().find(|n| n["path"] == "preferences.seller.reservation").unwrap();
    assert_eq!(reservation["provenance"], "cited");
    assert!(reservation["text"].as_str().unwrap().contains("listing#3"), "{reservation}");
    assert_eq!((reservation["min"].as_f64(), reservation["max"].as_f64()), (Some(0.0), Some(1.0)));
    let rules: Vec<&str> = body["rules"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(rules, ["preferences.buyer.red_lines.no-top-price", "preferences.seller.linkages.quick-sale"]);
    assert_eq!(body["levers"][0]["id"], "cheap_elsewhere");
    assert_eq!(body["version"].as_str().unwrap(), parley_serve::version(CAR));

    let (status, body, _) = s.get("/api/v1/scenarios/built-in").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["numbers"].as_array().unwrap().len() > 100);
}

#[tokio::test]
async fn test_paths_outside_the_allowed_set_are_not_found() {
    let s = Server::new();
    std::fs::write(s.dir.path().parent().unwrap().join("secret.toml"), CAR).ok();
    for id in [
        "..%2Fsecret.toml",
        "%2E%2E%2Fsecret.toml",
        "%2Fetc%2Fpasswd",
        "..",
        "secret.toml",
        "car.json",
        "%00.toml",
        "..%5Csecret.toml",
    ] {
        let (status, body, _) = s.get(&format!("/api/v1/scenarios/{id}")).await;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST, "{id}: {status} {body}");
        let (status, _, _) =
            s.post(&format!("/api/v1/scenarios/{id}/save"), &json!({ "edits": [], "version": "x" })).await;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST, "{id}: {status}");
    }
    let (status, body, _) = s.get("/api/v1/scenarios/..%2F..%2Fetc%2Fpasswd").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body, _) = s.get("/etc/passwd").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn test_an_edit_is_analysed_as_parley_analyze_would() {
    let s = Server::new();
    let (status, base, _) = s.post("/api/v1/scenarios/car.toml/analysis", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{base}");
    let zone = base["zone"].as_u64().unwrap();
    assert!(zone > 0);
    assert_eq!(base["outcomes"], 10);
    assert!(base["charts"][0]["svg"].as_str().unwrap().starts_with("<svg"));
    assert!(base["blocks"].as_array().unwrap().len() == 2);

    // The same edit made to a file and loaded as `parley analyze` loads it.
    let edited = CAR.replace(
        r#"reservation = { value = 0.3, source = "listing#3" }"#,
        r#"reservation = { value = 0.6, source = "listing#3" }"#,
    );
    let loaded = parley_io::parse(&edited, "car.toml", parley_io::Format::Toml).unwrap();
    let model = parley_core::UtilityModel::new(&loaded.scenario).unwrap();
    let want = parley_core::analyze(&model, &parley_core::AnalysisOptions::default()).unwrap().zopa;
    let (status, body, _) = s
        .post(
            "/api/v1/scenarios/car.toml/analysis",
            &json!({ "edits": [set("preferences.seller.reservation", 0.6, "")] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["zone"].as_u64(), Some(want));
    assert!(want < zone, "a higher reservation value shrinks the zone");

    // A lever, a dropped red line.
    let (status, body, _) =
        s.post("/api/v1/scenarios/car.toml/analysis", &json!({ "levers": ["cheap_elsewhere"] })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["zone"].as_u64().unwrap() <= zone);
    let drop = json!({ "op": "drop", "path": "preferences.buyer.red_lines.no-top-price" });
    let (status, body, _) = s.post("/api/v1/scenarios/car.toml/analysis", &json!({ "edits": [drop] })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["admissible"].as_u64().unwrap() > base["admissible"].as_u64().unwrap());
}

#[tokio::test]
async fn test_an_invalid_value_is_refused_with_the_message_validate_gives() {
    let s = Server::new();
    let (status, body, _) = s
        .post(
            "/api/v1/scenarios/car.toml/analysis",
            &json!({ "edits": [set("preferences.buyer.reservation", 1.5, "")] }),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let d = &body["error"]["diagnostics"][0];
    // `parley validate` on the same edit made by hand.
    let edited = CAR.replace(
        r#"reservation = { value = 0.25, assumption = "a similar car is on offer two towns away" }"#,
        r#"reservation = 1.5"#,
    );
    let Err(parley_io::Error::Invalid { diagnostics, .. }) =
        parley_io::parse(&edited, "car.toml", parley_io::Format::Toml)
    else {
        panic!("1.5 is out of range")
    };
    assert_eq!(d["message"], diagnostics[0].message.as_str(), "{body}");
    assert_eq!(d["path"], "preferences.buyer.reservation", "the field it belongs to: {body}");
    assert!(d["line"].as_u64().is_some());

    for (edits, code) in [
        (json!([set("preferences.nobody.reservation", 0.5, "")]), "bad_request"),
        (json!([{ "op": "drop", "path": "preferences.buyer.red_lines.none" }]), "bad_request"),
        (json!([{ "op": "explode", "path": "x" }]), "bad_request"),
        (json!([set("scenario.title", 1.0, "")]), "bad_request"),
    ] {
        let (status, body, _) = s.post("/api/v1/scenarios/car.toml/analysis", &json!({ "edits": edits })).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, code);
    }
    let (status, body, _) = s.post("/api/v1/scenarios/car.toml/analysis", &json!({ "levers": ["nope"] })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_the_war_models_numbers_are_editable_checked_and_reach_a_run() {
    let s = Server::new();
    let (status, detail, _) = s.get("/api/v1/scenarios/built-in").await;
    assert_eq!(status, StatusCode::OK);
    let hazard =
        detail["numbers"].as_array().unwrap().iter().find(|n| n["path"] == "conflict.mediation.hazard").unwrap();
    assert_eq!(hazard["editable"], true, "{hazard}");
    assert_eq!((hazard["min"].as_f64(), hazard["max"].as_f64()), (Some(0.0), Some(1.0)), "{hazard}");

    // Out of range: the message `parley validate` gives, at the field.
    let (status, body, _) = s
        .post("/api/v1/scenarios/built-in/analysis", &json!({ "edits": [set("conflict.mediation.hazard", 1.5, "")] }))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(body["error"]["diagnostics"][0]["path"], "conflict.mediation.hazard", "{body}");

    // In range: the deals do not depend on the war; a run takes the edited scenario, and
    // refuses an invalid one as the analysis does.
    let edit = json!([set("conflict.mediation.hazard", 1.0, "the mediator leaves at once")]);
    let (status, body, _) =
        s.post("/api/v1/scenarios/built-in/analysis", &json!({ "edits": edit, "compare": false })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, run, _) = s
        .post(
            "/api/v1/runs",
            &json!({ "scenario": "built-in", "kind": "experiment", "runs": 2, "months": 2, "edits": edit, "levers": [] }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{run}");
    let (status, body, _) = s
        .post(
            "/api/v1/runs",
            &json!({ "scenario": "built-in", "kind": "experiment", "edits": [set("conflict.mediation.hazard", -1.0, "")] }),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
}

#[tokio::test]
async fn test_malformed_and_oversized_bodies_are_4xx_with_a_json_error() {
    let s = Server::new();
    for body in [&b"{"[..], b"[1]", b"null", b"{\"edits\": 3}", b"{\"unknown\": 1}", b"\xff\xfe", b""] {
        let (status, json, text) = s.send("POST", "/api/v1/scenarios/car.toml/analysis", Some(body.to_vec())).await;
        if body.is_empty() {
            // An empty body is not JSON either.
            assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
            continue;
        }
        assert_error(status, &json, StatusCode::BAD_REQUEST, "bad_request");
    }
    let big = vec![b' '; parley_serve::MAX_BODY + 10];
    let (status, json, _) = s.send("POST", "/api/v1/scenarios/car.toml/analysis", Some(big)).await;
    assert_error(status, &json, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    let (status, json, _) = s.send("POST", "/api/v1/runs", Some(b"{\"scenario\": 1}".to_vec())).await;
    assert_error(status, &json, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_a_request_over_the_time_limit_gets_a_503_timeout() {
    assert_eq!(parley_serve::TIMEOUT, Duration::from_secs(30));
    // The built-in scenario with every lever compared takes about 0.1 s in a release build,
    // far more than 5 ms in any build.
    let s = Server::with_timeout(Duration::from_millis(5));
    let (status, body, _) = s.post("/api/v1/scenarios/built-in/analysis", &json!({ "compare": true })).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "timeout");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("5 ms") && message.contains("/api/v1/runs"), "{message}");
}

#[tokio::test]
async fn test_save_shows_a_diff_writes_atomically_and_refuses_a_stale_version() {
    let s = Server::new();
    let (_, detail, _) = s.get("/api/v1/scenarios/car.toml").await;
    let version = detail["version"].as_str().unwrap().to_string();
    let edits = json!([set("preferences.seller.reservation", 0.35, "the dealer needs the space")]);

    // Without a reason, nothing is written.
    let (status, body, _) = s
        .post(
            "/api/v1/scenarios/car.toml/save",
            &json!({ "edits": [set("preferences.seller.reservation", 0.35, "")], "version": version }),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(std::fs::read_to_string(s.file("car.toml")).unwrap(), CAR);

    let (status, diff, _) =
        s.post("/api/v1/scenarios/car.toml/diff", &json!({ "edits": edits, "version": version })).await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    let text = diff["diff"].as_str().unwrap();
    assert!(text.contains("-reservation = { value = 0.3, source = \"listing#3\" }"), "{text}");
    assert!(text.contains("+reservation = { value = 0.35, assumption = \"the dealer needs the space\""), "{text}");
    assert_eq!(diff["current"], true);

    let (status, saved, _) =
        s.post("/api/v1/scenarios/car.toml/save", &json!({ "edits": edits, "version": version })).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let on_disk = std::fs::read_to_string(s.file("car.toml")).unwrap();
    assert!(on_disk.contains("# The buyer wants a low price and the tyres."), "comments are kept");
    assert!(on_disk.contains(r#"note = "workbench edit; was: value = 0.3; source = listing#3""#), "{on_disk}");
    let loaded = parley_io::load(&s.file("car.toml")).unwrap();
    assert!((loaded.scenario.preferences[1].reservation.value - 0.35).abs() < 1e-12);
    assert_eq!(saved["version"].as_str().unwrap(), parley_serve::version(&on_disk));
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path()).unwrap().filter_map(Result::ok).collect();
    assert_eq!(leftovers.len(), 2, "no temporary file left behind");

    // The same request again: the file changed since `version`, so the last writer is told.
    let (status, body, _) =
        s.post("/api/v1/scenarios/car.toml/save", &json!({ "edits": edits, "version": version })).await;
    assert_error(status, &body, StatusCode::CONFLICT, "conflict");
    let (_, diff, _) = s.post("/api/v1/scenarios/car.toml/diff", &json!({ "edits": [], "version": version })).await;
    assert_eq!(diff["current"], false);

    // An invalid edit is never saved.
    let (_, detail, _) = s.get("/api/v1/scenarios/car.toml").await;
    let (status, body, _) = s
        .post(
            "/api/v1/scenarios/car.toml/save",
            &json!({ "edits": [set("preferences.seller.reservation", -1.0, "x")], "version": detail["version"] }),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(std::fs::read_to_string(s.file("car.toml")).unwrap(), on_disk);

    // The built-in scenario is read-only.
    let (status, body, _) = s.post("/api/v1/scenarios/built-in/save", &json!({ "edits": [], "version": "x" })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_concurrent_saves_of_one_file_leave_one_winner_and_a_valid_file() {
    let s = Server::new();
    let version = parley_serve::version(CAR);
    let mut tasks = Vec::new();
    for k in 0..8 {
        let app = s.app.clone();
        let body = json!({ "edits": [set("preferences.seller.reservation", 0.3 + 0.01 * f64::from(k), "race")], "version": version });
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let request = axum::http::Request::post("/api/v1/scenarios/car.toml/save")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap();
            app.oneshot(request).await.unwrap().status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 7, "{statuses:?}");
    parley_io::load(&s.file("car.toml")).expect("the file is whole and valid");
}

#[tokio::test]
async fn test_download_gives_the_edited_toml() {
    let s = Server::new();
    let (status, _, text) = s
        .post(
            "/api/v1/scenarios/built-in/download",
            &json!({ "edits": [set("preferences.ukr.reservation", 0.5, "what if Ukraine's alternative is better")] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let loaded = parley_io::parse(&text, "x.toml", parley_io::Format::Toml).unwrap();
    let ukr = loaded.scenario.actor_index("ukr").unwrap();
    assert!((loaded.scenario.preferences[ukr].reservation.value - 0.5).abs() < 1e-12);
}

#[tokio::test]
async fn test_the_openapi_document_lists_every_endpoint() {
    let s = Server::new();
    let (status, doc, _) = s.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["info"]["version"], "1");
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for p in [
        "/api/v1/scenarios",
        "/api/v1/scenarios/{id}",
        "/api/v1/scenarios/{id}/analysis",
        "/api/v1/scenarios/{id}/diff",
        "/api/v1/scenarios/{id}/save",
        "/api/v1/scenarios/{id}/download",
        "/api/v1/runs",
        "/api/v1/runs/{id}",
        "/api/v1/runs/{id}/events",
        "/api/v1/runs/{id}/cancel",
        "/api/v1/runs/{id}/result",
        "/api/v1/openapi.json",
    ] {
        assert!(paths.iter().any(|k| *k == p), "{p} missing from {paths:?}");
    }
    assert!(doc["components"]["schemas"]["EditRequest"].is_object());
}

#[tokio::test]
async fn test_the_page_is_embedded_and_loads_nothing_from_outside() {
    let s = Server::new();
    let (status, _, html) = s.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("/assets/app.js") && !html.contains("http://") && !html.contains("https://"));
    let (status, _, js) = s.get("/assets/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!js.contains("http://") && !js.contains("https://"), "no address outside the server");
    let request = axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap();
    use tower::ServiceExt;
    let response = s.app.clone().oneshot(request).await.unwrap();
    let csp = response.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"));
}

async fn wait_for_end(s: &Server, id: &str, limit: Duration) -> Value {
    let start = Instant::now();
    loop {
        let (status, body, _) = s.get(&format!("/api/v1/runs/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["state"] != "running" {
            return body;
        }
        assert!(start.elapsed() < limit, "the run did not end: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_an_experiment_runs_streams_progress_to_100_and_opens_its_report() {
    let s = Server::new();
    let (status, run, _) = s
        .post(
            "/api/v1/runs",
            &json!({ "scenario": "built-in", "kind": "experiment", "runs": 20, "months": 6, "samples": 4, "particles": 50 }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    // The events: read the stream to its end.
    let (status, _, events) = s.get(&format!("/api/v1/runs/{id}/events")).await;
    assert_eq!(status, StatusCode::OK);
    let statuses: Vec<Value> = events
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| serde_json::from_str(d.trim()).unwrap())
        .collect();
    let last = statuses.last().unwrap();
    assert_eq!(last["state"], "finished", "{events}");
    assert_eq!(last["percent"], 100.0);
    let percents: Vec<f64> = statuses.iter().map(|s| s["percent"].as_f64().unwrap()).collect();
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "progress never goes back: {percents:?}");
    let (status, _, page) = s.get(&format!("/api/v1/runs/{id}/result")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"), "the report");
}

/// The other kinds of run reach their results too: the main job's report, the sensitivity
/// study as JSON and the backtest's scores as CSV.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_main_job_a_sensitivity_study_and_a_backtest_reach_their_results() {
    let s = Server::new();
    for (request, expected) in [
        (
            json!({ "scenario": "built-in", "kind": "job", "runs": 20, "months": 6, "samples": 4, "particles": 50 }),
            "<svg",
        ),
        (
            json!({ "scenario": "built-in", "kind": "sensitivity", "months": 6, "samples": 4, "particles": 50 }),
            "\"measures\"",
        ),
        (json!({ "scenario": "built-in", "kind": "backtest", "particles": 20 }), "origin,horizon,target,series"),
    ] {
        let (status, run, _) = s.post("/api/v1/runs", &request).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{request}: {run}");
        let id = run["id"].as_str().unwrap().to_string();
        let end = wait_for_end(&s, &id, Duration::from_secs(600)).await;
        assert_eq!(end["state"], "finished", "{request}: {end}");
        assert_eq!(end["percent"], 100.0, "{request}: {end}");
        let (status, _, body) = s.get(&format!("/api/v1/runs/{id}/result")).await;
        assert_eq!(status, StatusCode::OK, "{request}");
        assert!(body.contains(expected), "{request}: {}", &body[..body.len().min(300)]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_run_can_be_cancelled() {
    let s = Server::new();
    let (status, run, _) = s
        .post("/api/v1/runs", &json!({ "scenario": "built-in", "kind": "experiment", "runs": 20000, "months": 120 }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    let (status, _, _) = s.post(&format!("/api/v1/runs/{id}/cancel"), &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let end = wait_for_end(&s, &id, Duration::from_secs(120)).await;
    assert_eq!(end["state"], "cancelled", "{end}");
    let (status, body, _) = s.get(&format!("/api/v1/runs/{id}/result")).await;
    assert_error(status, &body, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn test_bad_runs_are_refused() {
    let s = Server::new();
    for body in [
        json!({ "scenario": "nope", "kind": "job" }),
        json!({ "scenario": "car.toml", "kind": "experiment" }),
        json!({ "scenario": "built-in", "kind": "job", "runs": 0 }),
        json!({ "scenario": "built-in", "kind": "job", "months": 100000 }),
        json!({ "scenario": "built-in", "kind": "fly" }),
        json!({ "scenario": "built-in", "kind": "job", "levers": ["nope"] }),
    ] {
        let (status, json, _) = s.post("/api/v1/runs", &body).await;
        assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND, "{body}: {status} {json}");
        assert!(json["error"]["message"].is_string());
    }
    let (status, body, _) = s.get("/api/v1/runs/run-999").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body, _) = s.get("/api/v1/runs/run-999/events").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}
