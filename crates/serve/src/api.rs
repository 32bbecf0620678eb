//! The JSON API the page uses, version 1 (`/api/v1/…`), documented as OpenAPI
//! ([`ApiDoc`], served at `/api/v1/openapi.json`) generated from these types.
//!
//! Everything is computed by `parley-app` and the engine exactly as the command line does:
//! an edit is made on the file's text ([`parley_app::edit`]), the text is loaded as
//! `parley validate` loads it ([`parley_io::parse`]), the levers are applied
//! ([`parley_app::scenario::with_levers`]), and the deals are analysed as the report
//! analyses them ([`parley_app::report::deals`]), whose planes `parley-report` draws.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State as Extract};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use parley_app::edit::{self, Edit};
use parley_core::{Provenance, Scenario};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::MAX_BODY;
use crate::error::{ApiError, ErrorBody, Problem};
use crate::runs::{Job, RunKind, RunStatus};
use crate::state::{Entry, State, version};

/// The most edits in one request.
pub const MAX_EDITS: usize = 2000;
/// The longest path of an edit.
const MAX_PATH: usize = 256;

/// A JSON request body: malformed JSON is a 400 and an oversized body a 413, each with a
/// JSON error body.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge { limit: MAX_BODY }
            } else {
                ApiError::BadRequest(format!("cannot read the request body: {e}"))
            }
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))
    }
}

/// One edit, on a path `parley sources` lists.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum EditOp {
    /// Set the number at `path`; it becomes an assumption with `reason`.
    Set {
        /// `preferences.ukr.reservation`, `preferences.rus.weights.nato`, …
        path: String,
        /// The new value.
        value: f64,
        /// Why (required to save or download; a placeholder while trying values out).
        #[serde(default)]
        reason: String,
    },
    /// Drop the red line or linkage at `path` (`preferences.ACTOR.red_lines.ID`).
    Drop {
        /// The rule's path.
        path: String,
        /// Why.
        #[serde(default)]
        reason: String,
    },
}

impl EditOp {
    fn to_edit(&self) -> Result<Edit, ApiError> {
        let (path, e) = match self {
            EditOp::Set { path, value, reason } => {
                (path, Edit::Set { path: path.clone(), value: *value, reason: reason.clone() })
            }
            EditOp::Drop { path, reason } => (path, Edit::Drop { path: path.clone(), reason: reason.clone() }),
        };
        if path.len() > MAX_PATH {
            return Err(ApiError::BadRequest(format!("a path is longer than {MAX_PATH} bytes")));
        }
        Ok(e)
    }
}

/// Edits and levers to try on a scenario.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    /// The edits, made in order on the file as it is on disk.
    #[serde(default)]
    pub edits: Vec<EditOp>,
    /// Levers pulled on top of the edited scenario, in order.
    #[serde(default)]
    pub levers: Vec<String>,
    /// Whether each other lever is analysed too (`deals.levers`; true by default). The page
    /// leaves them out while a slider is dragged, and asks for them when it is let go.
    #[serde(default)]
    pub compare: Option<bool>,
}

/// Edits to save, against the version of the file the client edited.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// The edits.
    #[serde(default)]
    pub edits: Vec<EditOp>,
    /// The `version` of the file the edits were made on ([`ScenarioDetail::version`]).
    pub version: String,
}

/// A scenario the server serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioSummary {
    /// Its id in the API.
    pub id: String,
    /// Its file, or the built-in scenario's name.
    pub name: String,
    /// Whether edits can be saved to it (the built-in scenario can only be downloaded).
    pub writable: bool,
}

/// A number of the scenario, with its provenance.
#[derive(Debug, Serialize, ToSchema)]
pub struct NumberOut {
    /// Its path.
    pub path: String,
    /// Its value.
    pub value: f64,
    /// `cited`, `assumption`, `tuned` or `unstated`.
    pub provenance: String,
    /// The citation, assumption or tuning in words.
    pub text: String,
    /// Whether the workbench can edit it.
    pub editable: bool,
    /// The least allowed value, if bounded.
    pub min: Option<f64>,
    /// The greatest allowed value, if bounded.
    pub max: Option<f64>,
}

/// A red line or a linkage.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleOut {
    /// Its path (for a `drop` edit).
    pub path: String,
    /// `red_line` or `linkage`.
    pub kind: String,
    /// The actor's id.
    pub actor: String,
    /// The rule's id.
    pub id: String,
    /// When it applies, in words.
    pub when: String,
    /// Why (red lines), and the citation if any.
    pub reason: String,
}

/// A lever.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeverOut {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What pulling it means.
    pub description: String,
    /// Its source or assumption.
    pub provenance: String,
}

/// An actor.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorOut {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: String,
    /// Whether every deal needs its consent.
    pub veto: bool,
}

/// An issue and its options.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueOut {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its options' ids.
    pub options: Vec<String>,
}

/// A scenario: actors, issues, red lines, linkages, levers and every number with its
/// provenance.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioDetail {
    /// Its id in the API.
    pub id: String,
    /// Its file, or the built-in scenario's name.
    pub name: String,
    /// Whether edits can be saved to it.
    pub writable: bool,
    /// The version of the file's text: send it back with a save.
    pub version: String,
    /// The scenario's title.
    pub title: String,
    /// Actors.
    pub actors: Vec<ActorOut>,
    /// Issues.
    pub issues: Vec<IssueOut>,
    /// Red lines and linkages.
    pub rules: Vec<RuleOut>,
    /// Levers.
    pub levers: Vec<LeverOut>,
    /// Every number with its provenance.
    pub numbers: Vec<NumberOut>,
    /// Validation warnings of the file.
    pub warnings: Vec<Problem>,
}

/// A chart of the report: the plane of a main pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChartOut {
    /// Horizontal actor's id.
    pub x: String,
    /// Vertical actor's id.
    pub y: String,
    /// The SVG, as the report draws it.
    pub svg: String,
}

/// The analysis of the edited scenario.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisOut {
    /// The version of the file the edits were made on.
    pub version: String,
    /// Packages in all.
    pub outcomes: u64,
    /// Packages crossing no bargainer's red line.
    pub admissible: u64,
    /// Packages in the zone of possible agreement (as `parley analyze` counts them).
    pub zone: u64,
    /// Which deals exist: solutions, near miss, each lever's zone (the report's data).
    #[schema(value_type = Object)]
    pub deals: serde_json::Value,
    /// Who blocks what: each issue's options, who rules each out, and its packages in the
    /// zone (the report's data).
    #[schema(value_type = Object)]
    pub blocks: serde_json::Value,
    /// The planes of the main pairs, as the report draws them.
    pub charts: Vec<ChartOut>,
    /// Validation warnings of the edited file.
    pub warnings: Vec<Problem>,
    /// Time spent on the server, in milliseconds.
    pub elapsed_ms: f64,
}

/// A diff of the file against its edited text.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiffOut {
    /// The version of the file on disk.
    pub version: String,
    /// A unified diff, file on disk → edited.
    pub diff: String,
    /// Whether the file on disk is the version the edits were made on.
    pub current: bool,
}

/// A saved file.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedOut {
    /// Its new version.
    pub version: String,
    /// What changed, as a unified diff.
    pub diff: String,
}

/// A run to start.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The scenario's id.
    pub scenario: String,
    /// What to run.
    pub kind: RunKind,
    /// Edits made first (each with a reason or not: a run does not save).
    #[serde(default)]
    pub edits: Vec<EditOp>,
    /// Levers applied throughout.
    #[serde(default)]
    pub levers: Vec<String>,
    /// Replicates (job, experiment): 1–100,000; 200 by default.
    pub runs: Option<u64>,
    /// Months simulated: 1–240; 24 by default.
    pub months: Option<u32>,
    /// The master seed; 1 by default.
    pub seed: Option<u64>,
    /// Base samples of the sensitivity study: 2–4,096; 64 by default.
    pub samples: Option<usize>,
    /// Particles of each of the record's filters (four, pooled): 10–20,000; 500 by default.
    pub particles: Option<usize>,
    /// Whether the main job backtests too (slow); false by default.
    #[serde(default)]
    pub backtest: bool,
}

/// The API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "parley workbench API",
        version = "1",
        description = "The JSON API of `parley serve`: scenarios, edits, analysis, saving and runs."
    ),
    paths(
        list, detail, analysis, diff, save, download, start_run, run_status, run_events, cancel_run, run_result,
        openapi
    ),
    components(schemas(
        EditOp,
        EditRequest,
        SaveRequest,
        ScenarioSummary,
        ScenarioDetail,
        NumberOut,
        RuleOut,
        LeverOut,
        ActorOut,
        IssueOut,
        ChartOut,
        AnalysisOut,
        DiffOut,
        SavedOut,
        RunRequest,
        RunStatus,
        RunKind,
        crate::runs::RunState,
        ErrorBody,
        crate::error::ErrorDetail,
        Problem
    ))
)]
pub struct ApiDoc;

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, description = "the OpenAPI document")))]
pub async fn openapi() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

/// The scenarios the server serves.
#[utoipa::path(get, path = "/api/v1/scenarios", responses((status = 200, body = Vec<ScenarioSummary>)))]
pub async fn list(Extract(state): Extract<State>) -> Json<Vec<ScenarioSummary>> {
    Json(
        state
            .list()
            .into_iter()
            .map(|e| ScenarioSummary { writable: e.path.is_some(), id: e.id, name: e.name })
            .collect(),
    )
}

/// Runs `f` on a blocking thread, one of a bounded number at once.
async fn blocking<T: Send + 'static>(
    state: &State,
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = state.inner.analyses.acquire().await.map_err(|e| ApiError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(format!("the analysis stopped: {e}")))?
}

/// The edits of a request, checked.
fn edits(ops: &[EditOp]) -> Result<Vec<Edit>, ApiError> {
    if ops.len() > MAX_EDITS {
        return Err(ApiError::BadRequest(format!("more than {MAX_EDITS} edits")));
    }
    ops.iter().map(EditOp::to_edit).collect()
}

/// The edited text loaded as `parley validate` loads it; `Invalid` problems point at the
/// edit whose number they underline.
fn load(entry: &Entry, text: &str, ops: &[Edit], reasons: bool) -> Result<(String, parley_io::Loaded), ApiError> {
    let edited = edit::apply(text, ops, reasons)?;
    match parley_io::parse(&edited, &entry.name, parley_io::Format::Toml) {
        Ok(loaded) => Ok((edited, loaded)),
        Err(e) => {
            let mut err = ApiError::scenario(e);
            if let ApiError::Invalid { diagnostics, .. } = &mut err {
                locate_problems(&edited, ops, diagnostics);
            }
            Err(err)
        }
    }
}

/// Marks each problem with the edit it points at: the last edit of a number whose new
/// value is written on the problem's line.
fn locate_problems(text: &str, ops: &[Edit], problems: &mut [Problem]) {
    let lines: Vec<&str> = text.lines().collect();
    for p in problems {
        let Some(line) = p.line.and_then(|l| lines.get(l - 1)) else { continue };
        p.path = ops
            .iter()
            .rev()
            .find_map(|e| match e {
                Edit::Set { path, value, .. } => {
                    let key = path.rsplit('.').next().unwrap_or(path);
                    let written = format!("value = {value}");
                    (line.contains(key) && line.contains(&written) && line.contains(edit::NOTE_PREFIX))
                        .then(|| path.clone())
                }
                Edit::Drop { .. } => None,
            })
            .or_else(|| {
                // A message names the actor and the number: fall back on the last set edit
                // whose actor and key it names.
                ops.iter().rev().find_map(|e| match e {
                    Edit::Set { path, .. } => {
                        let parts: Vec<&str> = path.split('.').collect();
                        (parts.len() >= 3
                            && p.message.contains(parts[1])
                            && parts[2..].iter().any(|k| p.message.contains(k)))
                        .then(|| path.clone())
                    }
                    Edit::Drop { .. } => None,
                })
            });
    }
}

fn kind_of(p: &Provenance) -> &'static str {
    match p {
        Provenance::Cited { .. } => "cited",
        Provenance::Assumption { .. } => "assumption",
        Provenance::Tuned { .. } => "tuned",
        Provenance::Unstated => "unstated",
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn detail_of(entry: &Entry, version: String, loaded: &parley_io::Loaded) -> ScenarioDetail {
    let s: &Scenario = &loaded.scenario;
    let numbers = s
        .numbers()
        .into_iter()
        .map(|n| {
            let (lo, hi) = parley_core::bounds::of(&n.path).ends();
            let editable = parley_app::edit::editable(&n.path);
            NumberOut {
                value: n.quantity.value,
                provenance: kind_of(&n.quantity.provenance).into(),
                text: parley_app::report::provenance_text(&n.quantity.provenance),
                editable,
                min: finite(lo),
                max: finite(hi),
                path: n.path,
            }
        })
        .collect();
    let mut rules = Vec::new();
    for (actor, prefs) in s.actors.iter().zip(&s.preferences) {
        for r in &prefs.red_lines {
            rules.push(RuleOut {
                path: format!("preferences.{}.red_lines.{}", actor.id, r.id),
                kind: "red_line".into(),
                actor: actor.id.clone(),
                id: r.id.clone(),
                when: parley_app::report::condition(&s.issues, &r.when),
                reason: r.reason.clone(),
            });
        }
        for l in &prefs.linkages {
            rules.push(RuleOut {
                path: format!("preferences.{}.linkages.{}", actor.id, l.id),
                kind: "linkage".into(),
                actor: actor.id.clone(),
                id: l.id.clone(),
                when: parley_app::report::condition(&s.issues, &l.when),
                reason: format!(
                    "adds {:+} ({})",
                    l.delta.value,
                    parley_app::report::provenance_text(&l.delta.provenance)
                ),
            });
        }
    }
    ScenarioDetail {
        id: entry.id.clone(),
        name: entry.name.clone(),
        writable: entry.path.is_some(),
        version,
        title: s.metadata.title.clone(),
        actors: s
            .actors
            .iter()
            .map(|a| ActorOut {
                id: a.id.clone(),
                name: a.name.clone(),
                role: a.role.as_str().into(),
                veto: a.veto.is_full(),
            })
            .collect(),
        issues: s
            .issues
            .iter()
            .map(|i| IssueOut {
                id: i.id.clone(),
                name: i.name.clone(),
                options: i.options.iter().map(|o| o.id.clone()).collect(),
            })
            .collect(),
        rules,
        levers: s
            .levers
            .iter()
            .map(|l| LeverOut {
                id: l.id.clone(),
                name: l.name.clone(),
                description: l.description.clone(),
                provenance: parley_app::report::provenance_text(&l.provenance),
            })
            .collect(),
        numbers,
        warnings: loaded.warnings.iter().map(Problem::of).collect(),
    }
}

/// A scenario: actors, issues, rules, levers and every number with its provenance.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}", params(("id" = String, Path, description = "the scenario's id")),
    responses((status = 200, body = ScenarioDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn detail(Extract(state): Extract<State>, Path(id): Path<String>) -> Result<Json<ScenarioDetail>, ApiError> {
    let entry = state.entry(&id)?;
    let out = blocking(&state, move || {
        let text = entry.read()?;
        let (_, loaded) = load(&entry, &text, &[], false)?;
        Ok(detail_of(&entry, version(&text), &loaded))
    })
    .await?;
    Ok(Json(out))
}

/// The analysis of a scenario with edits and levers: what `parley analyze` computes and the
/// report's charts of it.
pub fn analyse(entry: &Entry, text: &str, request: &EditRequest) -> Result<AnalysisOut, ApiError> {
    let started = Instant::now();
    let ops = edits(&request.edits)?;
    if request.levers.len() > 100 {
        return Err(ApiError::BadRequest("more than 100 levers".into()));
    }
    let (_, loaded) = load(entry, text, &ops, false)?;
    let base = &loaded.scenario;
    let table = parley_app::scenario::with_levers(base, &request.levers).map_err(ApiError::app)?;
    // Without the comparison, the other levers are left out of the scenario the deals
    // compare them on (the table has the applied ones already).
    let compared;
    let levers_of = if request.compare.unwrap_or(true) {
        base
    } else {
        compared = Scenario { levers: Vec::new(), ..base.clone() };
        &compared
    };
    let (mut deals, analysis) = parley_app::report::deals(levers_of, &table, &request.levers)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let glance = parley_app::report::glance(base, &table, &analysis);
    let charts = deals
        .pairs
        .iter()
        .enumerate()
        .map(|(k, p)| ChartOut {
            x: p.x.clone(),
            y: p.y.clone(),
            svg: parley_report::chart::scatter::pair_chart(&format!("pair-{k}"), p, deals.reference),
        })
        .collect();
    deals.pairs.clear();
    let json = |v: &dyn erased::Json| v.value();
    Ok(AnalysisOut {
        version: version(text),
        outcomes: analysis.outcomes,
        admissible: analysis.admissible,
        zone: analysis.zopa,
        deals: json(&deals)?,
        blocks: json(&glance.issues)?,
        charts,
        warnings: loaded.warnings.iter().map(Problem::of).collect(),
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

mod erased {
    use crate::error::ApiError;

    pub(super) trait Json {
        fn value(&self) -> Result<serde_json::Value, ApiError>;
    }
    impl<T: serde::Serialize> Json for T {
        fn value(&self) -> Result<serde_json::Value, ApiError> {
            serde_json::to_value(self).map_err(|e| ApiError::Internal(e.to_string()))
        }
    }
}

/// Analyses a scenario with edits and levers: the zone, the solutions, who blocks what and
/// the planes of the main pairs. An invalid value is a 422 with `parley validate`'s
/// diagnostics.
#[utoipa::path(post, path = "/api/v1/scenarios/{id}/analysis", params(("id" = String, Path, description = "the scenario's id")),
    request_body = EditRequest,
    responses((status = 200, body = AnalysisOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn analysis(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<EditRequest>,
) -> Result<Json<AnalysisOut>, ApiError> {
    let entry = state.entry(&id)?;
    let out = blocking(&state, move || analyse(&entry, &entry.read()?, &request)).await?;
    Ok(Json(out))
}

fn unified(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// The diff the edits make to the file on disk.
#[utoipa::path(post, path = "/api/v1/scenarios/{id}/diff", params(("id" = String, Path, description = "the scenario's id")),
    request_body = SaveRequest,
    responses((status = 200, body = DiffOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn diff(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<SaveRequest>,
) -> Result<Json<DiffOut>, ApiError> {
    let entry = state.entry(&id)?;
    let out = blocking(&state, move || {
        let text = entry.read()?;
        let (edited, _) = load(&entry, &text, &edits(&request.edits)?, true)?;
        let v = version(&text);
        Ok(DiffOut { diff: unified(&text, &edited, &entry.id), current: v == request.version, version: v })
    })
    .await?;
    Ok(Json(out))
}

/// Saves the edits to the file, atomically; refused with 409 if the file changed since
/// the client read it (`version`), and with 422 if the edited scenario does not validate.
#[utoipa::path(post, path = "/api/v1/scenarios/{id}/save", params(("id" = String, Path, description = "the scenario's id")),
    request_body = SaveRequest,
    responses((status = 200, body = SavedOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<SaveRequest>,
) -> Result<Json<SavedOut>, ApiError> {
    let entry = state.entry(&id)?;
    let Some(path) = entry.path.clone() else {
        return Err(ApiError::BadRequest(
            "the built-in scenario is read-only: download the edited file, or start the workbench with a file".into(),
        ));
    };
    let lock = state.lock(&path);
    let _guard = lock.lock().await;
    let out = blocking(&state, move || {
        let text = entry.read()?;
        let v = version(&text);
        if v != request.version {
            return Err(ApiError::Conflict(format!(
                "{} changed on disk since it was loaded (version {} then, {v} now): reload it and make the edits again",
                entry.name,
                request.version.chars().take(32).collect::<String>()
            )));
        }
        let (edited, _) = load(&entry, &text, &edits(&request.edits)?, true)?;
        parley_app::files::write_atomically(&path, &edited).map_err(ApiError::app)?;
        Ok(SavedOut { version: version(&edited), diff: unified(&text, &edited, &entry.id) })
    })
    .await?;
    Ok(Json(out))
}

/// The edited file, to download (TOML).
#[utoipa::path(post, path = "/api/v1/scenarios/{id}/download", params(("id" = String, Path, description = "the scenario's id")),
    request_body = EditRequest,
    responses((status = 200, description = "the edited TOML file", content_type = "application/toml"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn download(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<EditRequest>,
) -> Result<Response, ApiError> {
    let entry = state.entry(&id)?;
    let name = if entry.path.is_some() { entry.id.clone() } else { "ukraine-2025.toml".into() };
    let edited = blocking(&state, move || {
        let text = entry.read()?;
        Ok(load(&entry, &text, &edits(&request.edits)?, true)?.0)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        edited,
    )
        .into_response())
}

fn bounded<T: PartialOrd + Copy + std::fmt::Display>(
    value: Option<T>,
    default: T,
    lo: T,
    hi: T,
    what: &str,
) -> Result<T, ApiError> {
    let v = value.unwrap_or(default);
    if v < lo || v > hi {
        return Err(ApiError::BadRequest(format!("{what} must be within [{lo}, {hi}], not {v}")));
    }
    Ok(v)
}

/// Starts a run: the main job, an experiment, a sensitivity study or a backtest, on the
/// edited scenario. Its progress streams at `/api/v1/runs/{id}/events`.
#[utoipa::path(post, path = "/api/v1/runs", request_body = RunRequest,
    responses((status = 202, body = RunStatus), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn start_run(
    Extract(state): Extract<State>,
    JsonBody(request): JsonBody<RunRequest>,
) -> Result<(StatusCode, Json<RunStatus>), ApiError> {
    let entry = state.entry(&request.scenario)?;
    let runs = bounded(request.runs, 200, 1, 100_000, "runs")?;
    let months = bounded(request.months, 24, 1, 240, "months")?;
    let samples = bounded(request.samples, 64, 2, 4096, "samples")?;
    let particles = bounded(request.particles, 500, 10, 20_000, "particles")?;
    let seed = request.seed.unwrap_or(1);
    let ops = edits(&request.edits)?;
    let loaded = blocking(&state, {
        let entry = entry.clone();
        move || Ok(load(&entry, &entry.read()?, &ops, false)?.1)
    })
    .await?;
    let scenario = loaded.scenario;
    parley_app::scenario::levers(&scenario, &request.levers).map_err(ApiError::app)?;
    if matches!(request.kind, RunKind::Experiment | RunKind::Sensitivity | RunKind::Backtest)
        && scenario.conflict.is_none()
    {
        return Err(ApiError::BadRequest("the scenario has no [conflict] section to simulate".into()));
    }
    let job = Job {
        kind: request.kind,
        scenario,
        name: entry.name.clone(),
        levers: request.levers.clone(),
        runs,
        months,
        seed,
        samples,
        particles,
        backtest: request.backtest,
    };
    let run =
        state.inner.runs.start(job).ok_or_else(|| {
            ApiError::Busy("two runs are working already: wait for one to finish or cancel it".into())
        })?;
    Ok((StatusCode::ACCEPTED, Json(run.status())))
}

fn run_of(state: &State, id: &str) -> Result<std::sync::Arc<crate::runs::Run>, ApiError> {
    state
        .inner
        .runs
        .get(id)
        .ok_or_else(|| ApiError::NotFound(format!("no run \"{}\"", id.chars().take(40).collect::<String>())))
}

/// How a run stands.
#[utoipa::path(get, path = "/api/v1/runs/{id}", params(("id" = String, Path, description = "the run's id")),
    responses((status = 200, body = RunStatus), (status = 404, body = ErrorBody)))]
pub async fn run_status(Extract(state): Extract<State>, Path(id): Path<String>) -> Result<Json<RunStatus>, ApiError> {
    Ok(Json(run_of(&state, &id)?.status()))
}

/// A run's progress as server-sent events: one `status` event (a [`RunStatus`]) per change,
/// the last when the run ends.
#[utoipa::path(get, path = "/api/v1/runs/{id}/events", params(("id" = String, Path, description = "the run's id")),
    responses((status = 200, description = "text/event-stream of RunStatus", content_type = "text/event-stream"), (status = 404, body = ErrorBody)))]
pub async fn run_events(Extract(state): Extract<State>, Path(id): Path<String>) -> Result<Response, ApiError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let rx = run_of(&state, &id)?.subscribe();
    let stream = futures_util::stream::unfold((rx, false, true), |(mut rx, ended, first)| async move {
        if ended {
            return None;
        }
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let status = rx.borrow_and_update().clone();
        let event = Event::default().event("status").json_data(&status).unwrap_or_else(|_| Event::default());
        Some((Ok::<_, std::convert::Infallible>(event), (rx, status.ended(), false)))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

/// Cancels a run at its next block of work (an experiment's finished chunks are kept).
#[utoipa::path(post, path = "/api/v1/runs/{id}/cancel", params(("id" = String, Path, description = "the run's id")),
    responses((status = 200, body = RunStatus), (status = 404, body = ErrorBody)))]
pub async fn cancel_run(Extract(state): Extract<State>, Path(id): Path<String>) -> Result<Json<RunStatus>, ApiError> {
    let run = run_of(&state, &id)?;
    run.cancel();
    Ok(Json(run.status()))
}

/// A finished run's result: the report (job, experiment), the study (JSON) or the backtest's
/// scores (CSV).
#[utoipa::path(get, path = "/api/v1/runs/{id}/result", params(("id" = String, Path, description = "the run's id")),
    responses((status = 200, description = "the report page, the study or the scores"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn run_result(Extract(state): Extract<State>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let run = run_of(&state, &id)?;
    let result = run.result.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match result {
        Some((body, media)) => Ok(([(header::CONTENT_TYPE, media)], body).into_response()),
        None => Err(ApiError::Conflict(format!("run \"{id}\" has no result (yet): it is {:?}", run.status().state))),
    }
}
