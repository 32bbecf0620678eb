//! The main job: analyse the scenario, check its claims, simulate the war and the talks,
//! run the experiment with every lever compared and the sensitivity study, and write one
//! self-contained HTML report.
//!
//! The results directory holds what the report is built from: the experiment's files,
//! exactly as [`store::execute`] writes them (so resuming and merging work on it), and
//! `report.json`, the report's data, from which [`saved`] and [`write_page`] render the
//! same page again without computing anything. A second job with the same scenario and settings on the same
//! directory reuses the saved replicates and writes the report again; a job with other
//! settings is refused rather than overwrite them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parley_core::Scenario;
use parley_experiment::assimilate::Assimilated;
use parley_experiment::backtest::Backtest;
use parley_experiment::study::{Study, StudyOptions, study};
use parley_report::ReportData;
use parley_report::data::Meta;

use crate::files::{create_dir, csv_table, read_text, write_atomically};
use crate::observe::{Observer, Stage};
use crate::report::{ExperimentResults, Inputs, build};
use crate::store::{self, Existing, Finished, Plan};
use crate::{AppError, scenario};

pub use parley_experiment::backtest::BacktestOptions;
pub use parley_experiment::run::Start;

/// Horizons of the main job's backtest, in months.
pub const BACKTEST_HORIZONS: u32 = 6;

/// The main job's backtest of `s`: the default window ([`BacktestOptions::window`]),
/// horizons 1–[`BACKTEST_HORIZONS`], `particles` per origin; `None` without an observed
/// record to score against.
pub fn main_backtest(s: &Scenario, particles: usize, seed: u64) -> Option<BacktestOptions> {
    let conflict = s.conflict.as_ref().filter(|c| !c.observed.is_empty())?;
    let (first, last) = BacktestOptions::window(conflict);
    Some(BacktestOptions { first, last, horizons: BACKTEST_HORIZONS, particles, seed })
}

/// The report data's file in a results directory.
pub const DATA_FILE: &str = "report.json";

/// The backtest's scores in a results directory, one row per origin × horizon × series.
pub const BACKTEST_FILE: &str = "backtest.csv";

/// Replicates per chunk file of the main job's experiment.
const CHUNK: u64 = 250;

/// The main job's settings.
#[derive(Clone, Debug)]
pub struct MainJob<'a> {
    /// The scenario, levers not applied.
    pub scenario: &'a Scenario,
    /// Where it was read from, as the report names it ([`scenario::name`]).
    pub scenario_name: String,
    /// Levers applied throughout; every other lever is compared on top of them.
    pub levers: Vec<String>,
    /// Replicates of the experiment.
    pub runs: u64,
    /// Months simulated after the scenario date.
    pub months: u32,
    /// The master seed of the experiment, the simulation and the sensitivity study.
    pub seed: u64,
    /// Where forecasts start: the filtered record (if the scenario has one) or the prior.
    pub start: Start,
    /// Samples of the sensitivity study's design.
    pub samples: usize,
    /// The backtest the report scores the forecasts by (`None`: none; ignored for a
    /// scenario without an observed record).
    pub backtest: Option<BacktestOptions>,
    /// The results directory.
    pub out: PathBuf,
    /// Where to write the page (default: `report.html` in the results directory).
    pub page: Option<PathBuf>,
    /// The command that reproduces the job, as the report prints it.
    pub command: String,
}

/// What a finished main job wrote.
pub struct Done {
    /// The report's data, as saved in `report.json`.
    pub data: ReportData,
    /// The page.
    pub page: PathBuf,
    /// The results directory.
    pub results: PathBuf,
    /// Replicates found on disk from an earlier job with the same settings, not computed again.
    pub reused: u64,
}

/// What a report's stamp says about the experiment behind it.
pub struct Stamp {
    /// The master seed.
    pub seed: u64,
    /// Replicates (0 without an experiment).
    pub runs: u64,
    /// Months simulated (0 without an experiment).
    pub months: u32,
    /// Levers applied throughout.
    pub levers: Vec<String>,
}

/// The report's data of a scenario with its finished experiment, if it has a war model,
/// and its study; `command` reproduces it.
pub fn report_data(
    s: &Scenario,
    file: &str,
    stamp: Stamp,
    finished: Option<&Finished>,
    study: Option<&Study>,
    backtest: Option<&Backtest>,
    command: String,
) -> Result<ReportData, AppError> {
    let meta = Meta {
        parley_version: env!("CARGO_PKG_VERSION").into(),
        scenario: s.metadata.id.clone(),
        title: s.metadata.title.clone(),
        description: s.metadata.description.clone(),
        as_of: s.metadata.as_of.clone(),
        scenario_file: file.into(),
        scenario_hash: scenario::hash(s)?,
        seed: stamp.seed,
        runs: stamp.runs,
        months: stamp.months,
        levers: stamp.levers,
        command,
    };
    let inputs = Inputs {
        scenario: s,
        meta,
        experiment: finished.map(|f| ExperimentResults { summary: &f.summary, monthly: &f.monthly }),
        record: finished.and_then(|f| f.record.as_deref()),
        study,
        backtest,
    };
    Ok(build(inputs)?)
}

/// Renders `data` and writes the page to `path` (creating its directory).
pub fn write_page(data: &ReportData, path: &Path) -> Result<(), AppError> {
    let page = parley_report::render(data)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir(parent)?;
    }
    write_atomically(path, page)
}

/// The sensitivity study of `s` (on `record` if it is filtered already), reported to
/// `observer`.
pub fn sensitivity(
    s: &Scenario,
    options: &StudyOptions,
    record: Option<Arc<Assimilated>>,
    observer: &dyn Observer,
) -> Result<Study, AppError> {
    observer.stage(&Stage::Sensitivity { samples: options.samples });
    if observer.cancelled() {
        return Err(AppError::Cancelled);
    }
    Ok(study(s, options, record, &mut |done, total| {
        observer.progress(done, total);
        !observer.cancelled()
    })?)
}

/// Runs the main job.
pub fn run(job: &MainJob<'_>, observer: &dyn Observer) -> Result<Done, AppError> {
    let s = job.scenario;
    scenario::levers(s, &job.levers)?;
    // Without a war model there is nothing to simulate: the report shows the deals, the
    // talks on the static reservation values, the checks and the provenance.
    let finished = match s.conflict {
        None => None,
        Some(_) => Some(store::execute(
            &Plan {
                scenario: s,
                levers: &job.levers,
                compare: true,
                runs: job.runs,
                months: job.months,
                seed: job.seed,
                out: &job.out,
                existing: Existing::Resume,
                shard: (1, 1),
                chunk: CHUNK,
                start: job.start,
            },
            observer,
        )?),
    };
    let study = if s.uncertain.is_empty() || s.conflict.is_none() {
        None
    } else {
        let options = StudyOptions {
            start: job.start,
            samples: job.samples,
            months: job.months,
            seed: job.seed,
            levers: job.levers.clone(),
        };
        Some(sensitivity(s, &options, finished.as_ref().and_then(|f| f.record.clone()), observer)?)
    };
    let has_record = s.conflict.as_ref().is_some_and(|c| !c.observed.is_empty());
    let backtest = match job.backtest {
        Some(options) if has_record => Some(backtest(s, &options, observer)?),
        _ => None,
    };
    observer.stage(&Stage::Report);
    let stamp = Stamp {
        seed: job.seed,
        runs: if finished.is_some() { job.runs } else { 0 },
        months: if finished.is_some() { job.months } else { 0 },
        levers: job.levers.clone(),
    };
    create_dir(&job.out)?;
    if let Some(b) = &backtest {
        write_atomically(&job.out.join(BACKTEST_FILE), backtest_csv(b)?)?;
    }
    let data = report_data(
        s,
        &job.scenario_name,
        stamp,
        finished.as_ref(),
        study.as_ref(),
        backtest.as_ref(),
        job.command.clone(),
    )?;
    let mut json = serde_json::to_string(&data)
        .map_err(|e| AppError::Internal(format!("cannot serialise the report's data: {e}")))?;
    json.push('\n');
    write_atomically(&job.out.join(DATA_FILE), json)?;
    let page = job.page.clone().unwrap_or_else(|| job.out.join("report.html"));
    write_page(&data, &page)?;
    Ok(Done { data, page, results: job.out.clone(), reused: finished.map_or(0, |f| f.reused) })
}

/// Reads `report.json`, with a located error for a file that is not report data.
pub fn read_data(path: &Path) -> Result<ReportData, AppError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        AppError::input(
            format!("{}:{}:{}: not the data of a parley report: {e}", path.display(), e.line(), e.column()),
            "rebuild the results with the main job (`parley run`); this file is written by it, not by hand",
        )
    })
}

/// What a saved directory holds that a report can be rendered from.
pub enum Saved {
    /// A main job's results: the report's data, rendered as they are.
    Report(Box<ReportData>),
    /// An experiment's (or a merge's) replicates, without the rest of a report.
    Experiment,
}

/// What `dir` holds: the report data of a main job, or an experiment.
pub fn saved(dir: &Path) -> Result<Saved, AppError> {
    let data_path = dir.join(DATA_FILE);
    if data_path.exists() {
        Ok(Saved::Report(Box::new(read_data(&data_path)?)))
    } else if dir.join(store::MANIFEST).exists() {
        Ok(Saved::Experiment)
    } else {
        Err(AppError::input(
            format!(
                "{} holds neither a report's data ({DATA_FILE}) nor an experiment ({})",
                dir.display(),
                store::MANIFEST
            ),
            "give a directory written by `parley run`, `parley experiment` or `parley merge`",
        ))
    }
}

/// The report of an experiment directory on `s`, the scenario it ran on: the replicates are
/// read back, not run again, and the rest of the report (the deals, the central path, the
/// checks, the sensitivity study with `samples`) is computed.
pub fn report_of_experiment(
    dir: &Path,
    s: &Scenario,
    file: &str,
    samples: usize,
    command: String,
    observer: &dyn Observer,
) -> Result<ReportData, AppError> {
    let finished = store::load_finished(dir, s)?;
    let m = &finished.manifest;
    let levers = m.arms.first().cloned().unwrap_or_default();
    let study = if s.uncertain.is_empty() {
        None
    } else {
        let options = StudyOptions { start: m.start, samples, months: m.months, seed: m.seed, levers: levers.clone() };
        Some(sensitivity(s, &options, finished.record.clone(), observer)?)
    };
    observer.stage(&Stage::Report);
    let stamp = Stamp { seed: m.seed, runs: m.runs, months: m.months, levers };
    report_data(s, file, stamp, Some(&finished), study.as_ref(), None, command)
}

/// The backtest of `s`, reported to `observer` origin by origin.
///
/// # Errors
///
/// [`AppError::Cancelled`] if the observer cancels between origins; an origin outside the
/// record; whatever the filter or the simulation reports.
pub fn backtest(s: &Scenario, options: &BacktestOptions, observer: &dyn Observer) -> Result<Backtest, AppError> {
    let origins = (options.last.since(options.first) + 1).max(0) as u64;
    observer.stage(&Stage::Backtest { origins });
    let mut progress = |done, total| {
        observer.progress(done, total);
        !observer.cancelled()
    };
    Ok(parley_experiment::backtest::backtest(s, options, &mut progress)?)
}

/// A backtest as CSV: one row per origin × horizon × series, with the model's and the
/// benchmarks' scores.
pub fn backtest_csv(b: &Backtest) -> Result<Vec<u8>, AppError> {
    let header = [
        "origin",
        "horizon",
        "target",
        "series",
        "observed",
        "model_crps",
        "model_pit",
        "model_median",
        "model_covered_50",
        "model_covered_80",
        "model_covered_95",
        "no_change_crps",
        "drift_crps",
        "drift_covered_80",
        "model_stopped",
    ]
    .map(String::from)
    .to_vec();
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
    let stopped = |r: &parley_experiment::backtest::Row| {
        b.origins.iter().find(|o| o.origin == r.origin).and_then(|o| o.stopped.get(r.horizon as usize - 1)).copied()
    };
    let rows = b.rows.iter().map(|r| {
        vec![
            r.origin.to_string(),
            r.horizon.to_string(),
            r.target.to_string(),
            r.series.clone(),
            r.observed.to_string(),
            r.model.crps.to_string(),
            r.model.pit.to_string(),
            r.model.median.to_string(),
            u8::from(r.model.covered[0]).to_string(),
            u8::from(r.model.covered[1]).to_string(),
            u8::from(r.model.covered[2]).to_string(),
            opt(r.no_change.as_ref().map(|s| s.crps)),
            opt(r.drift.as_ref().map(|s| s.crps)),
            r.drift.as_ref().map_or(String::new(), |s| u8::from(s.covered[1]).to_string()),
            opt(stopped(r)),
        ]
    });
    csv_table(None, std::iter::once(header).chain(rows))
}
