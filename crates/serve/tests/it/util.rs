//! A server in process, and requests to it.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The car sale of the README: small, with a red line and a linkage.
pub const CAR: &str = r#"[scenario]
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
step = { value = 500, assumption = "haggling moves in steps of 500" }
unit = "EUR"

[[issues]]
id = "tyres"
name = "Winter tyres"
kind = "categorical"
options = [{ id = "no", label = "No tyres" }, { id = "yes", label = "Tyres included" }]

# The buyer wants a low price and the tyres.
[[preferences]]
actor = "buyer"
reservation = { value = 0.25, assumption = "a similar car is on offer two towns away" }
weights = { price = { value = 0.8, assumption = "price matters most" }, tyres = { value = 0.2, assumption = "tyres cost about 600" } }
values.price = { function = "linear", at_min = { value = 1.0, assumption = "cheapest is best" }, at_max = { value = 0.0, assumption = "asking price is the worst case" } }
values.tyres = { options = { no = { value = 0.0, assumption = "must buy them" }, yes = { value = 1.0, assumption = "saves the purchase" } } }
red_lines = [{ id = "no-top-price", when = { price = "11000" }, reason = "above the budget" }]

[[preferences]]
actor = "seller"
reservation = { value = 0.3, source = "listing#3" }
weights = { price = { value = 0.9, assumption = "wants the money" }, tyres = { value = 0.1, assumption = "has no use for them" } }
values.price = { function = "linear", at_min = { value = 0.0, assumption = "floor price" }, at_max = { value = 1.0, assumption = "asking price" } }
values.tyres = { options = { no = { value = 0.6, assumption = "could sell them separately" }, yes = { value = 1.0, assumption = "glad to be rid of them" } } }

[[preferences.linkages]]
id = "quick-sale"
when = { tyres = "yes" }
delta = { value = 0.05, assumption = "a sweetener closes the sale" }

[[lever]]
id = "cheap_elsewhere"
name = "A cheaper car turns up"
assumption = "what if"
set = { "preferences.buyer.reservation" = { value = 0.5, assumption = "a better alternative" } }
"#;

/// A server of a temporary directory holding `car.toml`, also given as a file.
pub struct Server {
    pub dir: tempfile::TempDir,
    pub app: axum::Router,
    _work: tempfile::TempDir,
}

impl Server {
    pub fn new() -> Server {
        Server::with_timeout(parley_serve::TIMEOUT)
    }

    /// A server whose requests may take at most `timeout`.
    pub fn with_timeout(timeout: std::time::Duration) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("car.toml"), CAR).unwrap();
        std::fs::write(dir.path().join("other.toml"), CAR.replace("car-sale", "other-sale")).unwrap();
        let work = tempfile::tempdir().unwrap();
        let state = parley_serve::State::new(&[dir.path().join("car.toml")], Some(dir.path()), work.path()).unwrap();
        Server { app: parley_serve::app_with_timeout(state, timeout), dir, _work: work }
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Sends a request; the status and the body (JSON if it parses, else a string).
    pub async fn send(&self, method: &str, uri: &str, body: Option<Vec<u8>>) -> (StatusCode, Value, String) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value, String) {
        self.send("GET", uri, None).await
    }

    pub async fn post(&self, uri: &str, body: &Value) -> (StatusCode, Value, String) {
        self.send("POST", uri, Some(body.to_string().into_bytes())).await
    }
}
