//! The **parley** workbench: a local web application to explore a scenario, try edits and
//! levers while the zone, the planes of the main pairs, the bargaining solutions and who
//! blocks what update, run the main job or a study with live progress, and save the edited
//! file (`parley serve`).
//!
//! # Brief overview
//!
//! * [`app`] builds the [`axum::Router`]: the page (embedded in the binary: no network, no
//!   CDN) and the JSON API of [`api`], version 1, documented as OpenAPI at
//!   `/api/v1/openapi.json` ([`api::ApiDoc`]).
//! * [`State`] holds what the server may read and write — the built-in scenario, the files
//!   it was started with and the `.toml` files of its `--dir`, each named by an id, never by
//!   a path — and the runs.
//! * [`serve`] binds the address (loopback unless told otherwise) and serves until Ctrl-C.
//! * [`runs`]: long jobs of `parley-app` with an observer that streams progress as
//!   server-sent events and cancels between blocks of work.
//!
//! Everything is computed by `parley-app` and the engine, as the command line computes it:
//! an edit is made on the file's text ([`parley_app::edit`]) and the text loaded as
//! `parley validate` loads it, so an invalid value gets the same located message.
//!
//! Limits: request bodies up to [`MAX_BODY`] bytes (413 beyond), requests up to
//! [`TIMEOUT`] (503 beyond; the event streams excepted), a bounded number of analyses at
//! once. Malformed input is a 4xx with a JSON body `{"error": {"code", "message"}}`.
//!
//! # Example
//!
//! ```no_run
//! let work = std::env::temp_dir().join("parley-serve-example");
//! let state = parley_serve::State::new(&[], None, &work)?;
//! let router = parley_serve::app(state); // drive it with tower's `oneshot`, or serve it
//! # let _ = router;
//! # Ok::<(), parley_serve::StartError>(())
//! ```

#![deny(missing_docs)]

pub mod api;
pub mod error;
mod page;
pub mod runs;
mod state;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use error::ApiError;
pub use state::{BUILT_IN_ID, Entry, StartError, State, version};

/// The largest request body accepted, in bytes.
pub const MAX_BODY: usize = 1 << 20;
/// The longest a request may take (event streams excepted).
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// The port `parley serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8250;

/// The application: the page and the API, with the default limit of [`TIMEOUT`] per request.
pub fn app(state: State) -> Router {
    app_with_timeout(state, TIMEOUT)
}

/// The application with another limit on the time a request may take (the event streams
/// excepted): a request still running after `timeout` gets a 503 `timeout`. Work already
/// handed to a blocking thread finishes there, and its result is dropped.
pub fn app_with_timeout(state: State, timeout: Duration) -> Router {
    let api = Router::new()
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/scenarios", get(api::list))
        .route("/api/v1/scenarios/{id}", get(api::detail))
        .route("/api/v1/scenarios/{id}/analysis", post(api::analysis))
        .route("/api/v1/scenarios/{id}/diff", post(api::diff))
        .route("/api/v1/scenarios/{id}/save", post(api::save))
        .route("/api/v1/scenarios/{id}/download", post(api::download))
        .route("/api/v1/runs", post(api::start_run))
        .route("/api/v1/runs/{id}", get(api::run_status))
        .route("/api/v1/runs/{id}/cancel", post(api::cancel_run))
        .route("/api/v1/runs/{id}/result", get(api::run_result))
        .route("/", get(page::index))
        .route("/assets/app.js", get(page::script))
        .route("/assets/app.css", get(page::style))
        .layer(middleware::from_fn(move |request: Request, next: Next| time_limit(timeout, request, next)));
    let streams = Router::new().route("/api/v1/runs/{id}/events", get(api::run_events));
    api.merge(streams)
        .fallback(|| async { ApiError::NotFound("no such page or endpoint; the API is under /api/v1".into()) })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn time_limit(timeout: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(timeout).into_response(),
    }
}

/// The page may load nothing from anywhere but this server.
async fn security_headers(request: Request, next: Next) -> Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// How to start the workbench.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Scenario files that may be read and written (`.toml`).
    pub files: Vec<PathBuf>,
    /// A directory whose `.toml` files may be read and written.
    pub dir: Option<PathBuf>,
    /// The address to listen on; `None`: 127.0.0.1 on [`DEFAULT_PORT`].
    pub listen: Option<SocketAddr>,
    /// Where runs write their results; `None`: a directory under the system's temporary one.
    pub work: Option<PathBuf>,
}

/// The address the workbench listens on without `--listen`: loopback only.
pub fn default_address() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DEFAULT_PORT)
}

/// Serves the workbench until Ctrl-C; `ready` is called with the bound address once the
/// server listens.
pub fn serve(options: &Options, ready: impl FnOnce(SocketAddr)) -> Result<(), StartError> {
    let work = options
        .work
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("parley-serve-{}", std::process::id())));
    let state = State::new(&options.files, options.dir.as_deref(), &work)?;
    let addr = options.listen.unwrap_or_else(default_address);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| StartError::Listen { addr, source })?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(addr).await.map_err(|source| StartError::Listen { addr, source })?;
        let bound = listener.local_addr().map_err(|source| StartError::Listen { addr, source })?;
        ready(bound);
        axum::serve(listener, app(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|source| StartError::Listen { addr, source })
    })
}
