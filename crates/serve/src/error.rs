//! Why a request failed, as an HTTP status and a JSON body.
//!
//! Every failure the client can cause is a 4xx with a JSON body
//! `{"error": {"code", "message", "diagnostics"}}`; a 500 means a bug or a failing disk.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// One located problem of a scenario, as `parley validate --format json` reports it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `error` or `warning`.
    pub severity: String,
    /// The diagnostic's code (`parley::range`, `parley::syntax`, …).
    pub code: String,
    /// The message, as `parley validate` prints it.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Line (from 1) in the edited file.
    pub line: Option<usize>,
    /// Column (from 1) in the edited file.
    pub column: Option<usize>,
    /// The edit's path the problem points at, when it points at an edited number.
    pub path: Option<String>,
}

impl Problem {
    /// The problem of a diagnostic.
    pub fn of(d: &parley_io::Diagnostic) -> Problem {
        let (line, column) = d.line_column().unzip();
        Problem {
            severity: if d.is_error() { "error" } else { "warning" }.into(),
            code: d.code.to_string(),
            message: d.message.clone(),
            help: d.help.clone(),
            line,
            column,
            path: None,
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request is malformed: bad JSON, a missing field, a value out of range.
    #[error("{0}")]
    BadRequest(String),
    /// No such scenario, run or page (or a path outside the allowed set).
    #[error("{0}")]
    NotFound(String),
    /// The request body is larger than the server accepts.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The file changed on disk since the client read it.
    #[error("{0}")]
    Conflict(String),
    /// The edited scenario does not validate: the diagnostics `parley validate` gives.
    #[error("{message}")]
    Invalid {
        /// `FILE: N errors in the scenario`.
        message: String,
        /// Every problem, located.
        diagnostics: Vec<Problem>,
    },
    /// The request took longer than the server allows.
    #[error("the request took longer than the {} the server allows; a long job belongs in a run (POST /api/v1/runs)", limit(.0))]
    Timeout(std::time::Duration),
    /// The server is at its limit of concurrent work.
    #[error("{0}")]
    Busy(String),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(String),
    /// A bug: please report it.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}

/// The JSON body of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// An error's code, message and diagnostics.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `not_found`, `too_large`, `conflict`, `invalid`, `timeout`, `busy`,
    /// `io` or `internal`.
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
    /// For `invalid`: every problem of the edited scenario, located.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Problem>,
}

impl ApiError {
    /// The HTTP status and the error's code.
    pub fn status(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Timeout(_) => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
            ApiError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::Io(_) => (StatusCode::INTERNAL_SERVER_ERROR, "io"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// An application error, sorted by whose fault it is.
    pub fn app(e: parley_app::AppError) -> ApiError {
        use parley_app::Fault;
        match (e.fault(), e) {
            (_, parley_app::AppError::Scenario(e)) => ApiError::scenario(e),
            (Fault::Input | Fault::Cancelled, e) => ApiError::BadRequest(e.to_string()),
            (Fault::Io, e) => ApiError::Io(e.to_string()),
            (Fault::Internal, e) => ApiError::Internal(e.to_string()),
        }
    }

    /// A scenario that does not load.
    pub fn scenario(e: parley_io::Error) -> ApiError {
        match e {
            parley_io::Error::Invalid { ref diagnostics, .. } => {
                ApiError::Invalid { message: e.to_string(), diagnostics: diagnostics.iter().map(Problem::of).collect() }
            }
            parley_io::Error::Internal(m) => ApiError::Internal(m),
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

impl From<parley_app::edit::EditError> for ApiError {
    fn from(e: parley_app::edit::EditError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status();
        let message = self.to_string();
        let diagnostics = match self {
            ApiError::Invalid { diagnostics, .. } => diagnostics,
            _ => Vec::new(),
        };
        (status, axum::Json(ErrorBody { error: ErrorDetail { code: code.into(), message, diagnostics } }))
            .into_response()
    }
}

/// A time limit as a user reads it: whole seconds, or milliseconds below a second.
fn limit(d: &std::time::Duration) -> String {
    if d.as_secs() >= 1 && d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn test_a_timeout_names_its_limit_in_seconds_or_milliseconds() {
        assert!(ApiError::Timeout(Duration::from_secs(30)).to_string().contains("the 30 s the server allows"));
        assert!(ApiError::Timeout(Duration::from_millis(5)).to_string().contains("the 5 ms the server allows"));
        assert!(ApiError::Timeout(Duration::from_millis(1500)).to_string().contains("the 1500 ms"));
    }
}
