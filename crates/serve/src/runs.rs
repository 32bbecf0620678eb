//! Long jobs started from the page: the main job, an experiment, a sensitivity study or a
//! backtest, run by `parley-app` on a blocking thread with an [`Observer`] that publishes
//! each stage and its progress to a [`tokio::sync::watch`] channel (streamed to the
//! page as server-sent events) and cancels between blocks of work when asked.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use parley_app::observe::{Observer, Stage};
use parley_core::Scenario;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use utoipa::ToSchema;

/// What a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// The main job (`parley run`): experiment with every lever compared, sensitivity
    /// study, backtest, analysis, and the report.
    Job,
    /// An experiment with every lever compared (`parley experiment --compare`), and its
    /// report.
    Experiment,
    /// The sensitivity study (`parley sensitivity`).
    Sensitivity,
    /// The backtest (`parley backtest`).
    Backtest,
}

/// How a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Working.
    Running,
    /// Finished; its result can be opened.
    Finished,
    /// Stopped by an error (see `message`).
    Failed,
    /// Cancelled by the user.
    Cancelled,
}

/// A run's progress, as the events stream and `GET /api/v1/runs/{id}` give it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RunStatus {
    /// The run's id.
    pub id: String,
    /// What it does.
    pub kind: RunKind,
    /// How it stands.
    pub state: RunState,
    /// The current stage, in words.
    pub stage: Option<String>,
    /// Units of the current stage finished.
    pub done: u64,
    /// Units of the current stage.
    pub total: u64,
    /// Progress of the whole run, 0–100 (100 only when finished).
    pub percent: f64,
    /// Why it failed.
    pub message: Option<String>,
    /// Where its result is, once finished (`/api/v1/runs/{id}/result`).
    pub result: Option<String>,
}

impl RunStatus {
    /// Whether the run has ended.
    pub fn ended(&self) -> bool {
        self.state != RunState::Running
    }
}

/// One run.
pub(crate) struct Run {
    status: watch::Sender<RunStatus>,
    cancel: AtomicBool,
    /// Stages started so far, and the stages the run has in all.
    stages: AtomicU64,
    stage_count: u64,
    pub(crate) dir: PathBuf,
    /// The finished result: a report page (HTML) or a table (JSON / CSV), and its type.
    pub(crate) result: Mutex<Option<(String, &'static str)>>,
}

impl Run {
    pub(crate) fn subscribe(&self) -> watch::Receiver<RunStatus> {
        self.status.subscribe()
    }

    pub(crate) fn status(&self) -> RunStatus {
        self.status.borrow().clone()
    }

    pub(crate) fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    fn update(&self, f: impl FnOnce(&mut RunStatus)) {
        self.status.send_modify(f);
    }
}

impl Observer for Run {
    fn stage(&self, stage: &Stage) {
        let started = self.stages.fetch_add(1, Ordering::Relaxed) + 1;
        let count = self.stage_count.max(started);
        self.update(|s| {
            s.stage = Some(stage.describe());
            s.done = 0;
            s.total = 0;
            s.percent = s.percent.max(99.0 * (started - 1) as f64 / count as f64);
        });
    }

    fn progress(&self, done: u64, total: u64) {
        let started = self.stages.load(Ordering::Relaxed).max(1);
        let count = self.stage_count.max(started);
        let within = if total == 0 { 0.0 } else { done.min(total) as f64 / total as f64 };
        self.update(|s| {
            s.done = done;
            s.total = total;
            s.percent = s.percent.max(99.0 * ((started - 1) as f64 + within) / count as f64);
        });
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// The runs of this server.
pub(crate) struct Runs {
    work: PathBuf,
    next: AtomicU64,
    runs: Mutex<HashMap<String, Arc<Run>>>,
}

/// At most this many runs at once (each uses every core).
const RUNNING: usize = 2;

/// What a run is asked to do, checked.
pub(crate) struct Job {
    pub(crate) kind: RunKind,
    pub(crate) scenario: Scenario,
    pub(crate) name: String,
    pub(crate) levers: Vec<String>,
    pub(crate) runs: u64,
    pub(crate) months: u32,
    pub(crate) seed: u64,
    pub(crate) samples: usize,
    pub(crate) particles: usize,
    pub(crate) backtest: bool,
}

impl Runs {
    pub(crate) fn new(work: PathBuf) -> Runs {
        Runs { work, next: AtomicU64::new(1), runs: Mutex::new(HashMap::new()) }
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Run>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    /// Starts `job` on a blocking thread; `None` when too many runs are working.
    pub(crate) fn start(&self, job: Job) -> Option<Arc<Run>> {
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        if runs.values().filter(|r| !r.status().ended()).count() >= RUNNING {
            return None;
        }
        let id = format!("run-{}", self.next.fetch_add(1, Ordering::Relaxed));
        let stage_count = match job.kind {
            RunKind::Job => {
                let conflict = job.scenario.conflict.is_some();
                let record = job.scenario.conflict.as_ref().is_some_and(|c| !c.observed.is_empty());
                1 + u64::from(conflict)
                    + u64::from(conflict && !job.scenario.uncertain.is_empty())
                    + u64::from(record && job.backtest)
            }
            RunKind::Experiment => 3,
            RunKind::Sensitivity | RunKind::Backtest => 1,
        };
        let status = RunStatus {
            id: id.clone(),
            kind: job.kind,
            state: RunState::Running,
            stage: None,
            done: 0,
            total: 0,
            percent: 0.0,
            message: None,
            result: None,
        };
        let run = Arc::new(Run {
            status: watch::channel(status).0,
            cancel: AtomicBool::new(false),
            stages: AtomicU64::new(0),
            stage_count,
            dir: self.work.join(&id),
            result: Mutex::new(None),
        });
        runs.insert(id.clone(), run.clone());
        let worker = run.clone();
        std::thread::spawn(move || {
            let outcome = execute(&job, &worker);
            let path = format!("/api/v1/runs/{id}/result");
            match outcome {
                Ok(result) => {
                    *worker.result.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                    worker.update(|s| {
                        s.state = RunState::Finished;
                        s.percent = 100.0;
                        s.result = Some(path);
                    });
                }
                Err(parley_app::AppError::Cancelled) => worker.update(|s| s.state = RunState::Cancelled),
                Err(e) => worker.update(|s| {
                    s.state = RunState::Failed;
                    s.message = Some(e.to_string());
                }),
            }
        });
        Some(run)
    }
}

/// Runs `job`, reporting to `run`; the result and its media type.
fn execute(job: &Job, run: &Run) -> Result<(String, &'static str), parley_app::AppError> {
    use parley_app::job;
    use parley_app::store::{Existing, Plan};
    use parley_experiment::run::Start;
    let s = &job.scenario;
    let has_record = s.conflict.as_ref().is_some_and(|c| !c.observed.is_empty());
    let start = if has_record { Start::Filtered { particles: job.particles } } else { Start::Prior };
    let command = format!("parley serve ({:?} from the workbench)", job.kind).to_lowercase();
    let json = |v: &dyn erased::Json| v.json().map(|t| (t, "application/json"));
    match job.kind {
        RunKind::Job => {
            let done = job::run(
                &job::MainJob {
                    scenario: s,
                    scenario_name: job.name.clone(),
                    levers: job.levers.clone(),
                    runs: job.runs,
                    months: job.months,
                    seed: job.seed,
                    start,
                    samples: job.samples,
                    backtest: if job.backtest { job::main_backtest(s, job.particles, job.seed) } else { None },
                    out: run.dir.clone(),
                    page: None,
                    command,
                },
                run,
            )?;
            let page = parley_app::files::read_text(&done.page)?;
            Ok((page, "text/html; charset=utf-8"))
        }
        RunKind::Experiment => {
            parley_app::store::execute(
                &Plan {
                    scenario: s,
                    levers: &job.levers,
                    compare: true,
                    runs: job.runs,
                    months: job.months,
                    seed: job.seed,
                    out: &run.dir,
                    existing: Existing::Refuse,
                    shard: (1, 1),
                    chunk: job.runs.div_ceil(20).clamp(1, 250),
                    start,
                },
                run,
            )?;
            let data = job::report_of_experiment(&run.dir, s, &job.name, job.samples, command, run)?;
            let page = parley_report::render(&data).map_err(|e| parley_app::AppError::Internal(e.to_string()))?;
            Ok((page, "text/html; charset=utf-8"))
        }
        RunKind::Sensitivity => {
            let options = parley_experiment::study::StudyOptions {
                start,
                samples: job.samples,
                months: job.months,
                seed: job.seed,
                levers: job.levers.clone(),
            };
            let study = job::sensitivity(s, &options, None, run)?;
            json(&study)
        }
        RunKind::Backtest => {
            let options = job::main_backtest(s, job.particles, job.seed)
                .ok_or_else(|| parley_app::AppError::bare("the scenario has no observed record to backtest against"))?;
            let b = job::backtest(s, &options, run)?;
            let csv = job::backtest_csv(&b)?;
            Ok((String::from_utf8_lossy(&csv).into_owned(), "text/csv; charset=utf-8"))
        }
    }
}

mod erased {
    /// A value that serialises to JSON (object-safe).
    pub(super) trait Json {
        fn json(&self) -> Result<String, parley_app::AppError>;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> Result<String, parley_app::AppError> {
            serde_json::to_string_pretty(self).map_err(|e| parley_app::AppError::Internal(e.to_string()))
        }
    }
}
