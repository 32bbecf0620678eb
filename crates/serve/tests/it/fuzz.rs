//! A property-based fuzz of the API: requests built from the request types' shapes with
//! random paths, values, reasons, levers and versions, and raw random bodies. No request
//! may get a 500 (or panic the server).

use axum::http::StatusCode;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::util::Server;

/// Real paths, near misses and junk.
fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("preferences.buyer.reservation".to_string()),
        Just("preferences.seller.weights.price".to_string()),
        Just("preferences.buyer.values.tyres.yes".to_string()),
        Just("preferences.buyer.values.price.at_min".to_string()),
        Just("preferences.seller.linkages.quick-sale".to_string()),
        Just("preferences.buyer.red_lines.no-top-price".to_string()),
        Just("issues.price.min".to_string()),
        Just("issues.price.step".to_string()),
        Just("issues.tyres.options".to_string()),
        Just("actors.buyer.power".to_string()),
        Just("preferences".to_string()),
        Just("".to_string()),
        "[a-z._-]{0,40}",
        "\\PC{0,30}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-2.0f64..2.0).prop_map(|v| json!(v)),
        any::<f64>().prop_filter("JSON has no NaN or infinity", |v| v.is_finite()).prop_map(|v| json!(v)),
        any::<i64>().prop_map(|v| json!(v)),
        Just(json!(null)),
        Just(json!("0.5")),
        Just(json!([1])),
    ]
}

fn edit() -> impl Strategy<Value = Value> {
    prop_oneof![
        (path(), value(), "\\PC{0,20}")
            .prop_map(|(p, v, r)| json!({ "op": "set", "path": p, "value": v, "reason": r })),
        (path(), "\\PC{0,20}").prop_map(|(p, r)| json!({ "op": "drop", "path": p, "reason": r })),
        (path(), value()).prop_map(|(p, v)| json!({ "op": "set", "path": p, "value": v })),
        "[a-z]{0,8}".prop_map(|op| json!({ "op": op, "path": "preferences.buyer.reservation" })),
    ]
}

fn body() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(edit(), 0..6),
        prop::collection::vec(prop_oneof![Just("cheap_elsewhere".to_string()), "[a-z_]{0,12}"], 0..3),
        prop_oneof![Just(parley_serve::version(crate::util::CAR)), "[0-9a-f]{0,16}"],
        prop::bool::ANY,
    )
        .prop_map(|(edits, levers, version, with_version)| {
            if with_version {
                json!({ "edits": edits, "version": version })
            } else {
                json!({ "edits": edits, "levers": levers })
            }
        })
}

fn endpoint() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("/api/v1/scenarios/car.toml/analysis"),
        Just("/api/v1/scenarios/car.toml/diff"),
        Just("/api/v1/scenarios/car.toml/save"),
        Just("/api/v1/scenarios/car.toml/download"),
        Just("/api/v1/scenarios/built-in/analysis"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn test_no_request_gets_a_500(uri in endpoint(), body in body()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let server = Server::new();
        let (status, json, text) = runtime.block_on(server.post(uri, &body));
        prop_assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{uri} {body}: {text}");
        if !status.is_success() {
            prop_assert!(json["error"]["message"].is_string(), "{uri} {body}: {text}");
        }
        // Whatever was accepted, the file on disk still loads.
        prop_assert!(parley_io::load(&server.file("car.toml")).is_ok());
    }

    #[test]
    fn test_no_raw_body_gets_a_500(uri in endpoint(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let server = Server::new();
        let (status, json, text) = runtime.block_on(server.send("POST", uri, Some(bytes)));
        prop_assert!(status.is_client_error(), "{uri}: {status} {text}");
        prop_assert!(json["error"]["message"].is_string(), "{text}");
    }

    #[test]
    fn test_no_scenario_id_gets_a_500(id in "\\PC{0,40}") {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let server = Server::new();
        let encoded: String = id.bytes().map(|b| format!("%{b:02X}")).collect();
        let (status, _, text) = runtime.block_on(server.get(&format!("/api/v1/scenarios/{encoded}")));
        prop_assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{id:?}: {text}");
        prop_assert!(status == StatusCode::OK || status.is_client_error(), "{id:?}: {status}");
    }
}
