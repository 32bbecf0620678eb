//! `parley run`: the main job. Analyse the scenario, check its claims, simulate the war
//! and the talks, run the experiment with every lever compared and the sensitivity study,
//! and write one self-contained HTML report.
//!
//! The results directory (`--out`) holds what the report is built from: the experiment's
//! files, exactly as `parley experiment --compare` writes them (so `--resume` and
//! `parley merge` work on it), and `report.json`, the report's data, from which `parley
//! report` renders the same page again without computing anything.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use parley_core::Scenario;
use parley_experiment::study::{Study, StudyOptions};
use parley_report::ReportData;
use parley_report::build::{ExperimentResults, Inputs, build};
use parley_report::data::Meta;
use serde::Serialize;

use super::experiment::{Finished, Plan, execute, scenario_hash};
use crate::args::{OutputFormat, RunArgs};
use crate::output::{self, write_atomically};
use crate::{Failure, Status, scenario};

/// The report data's file in a results directory.
pub(crate) const DATA_FILE: &str = "report.json";

/// Tells a person at a terminal what is happening; silent otherwise.
pub(crate) fn stage(what: &str) {
    if std::io::stderr().is_terminal() {
        eprintln!("parley: {what}");
    }
}

/// The name a scenario goes by in the report: its file, or the built-in scenario's name.
pub(crate) fn scenario_name(path: Option<&Path>) -> String {
    path.map_or_else(|| scenario::BUILT_IN_NAME.to_string(), |p| p.display().to_string())
}

/// The command that reproduces a run.
fn command_line(args: &RunArgs) -> String {
    let mut c = String::from("parley run");
    if let Some(p) = &args.scenario {
        let _ = write!(c, " {}", p.display());
    }
    for l in &args.levers {
        let _ = write!(c, " --lever {l}");
    }
    let _ = write!(c, " --runs {} --months {} --seed {} --samples {}", args.runs, args.months, args.seed, args.samples);
    c
}

/// What a report's stamp says about the experiment behind it.
pub(crate) struct Design {
    pub seed: u64,
    pub runs: u64,
    pub months: u32,
    pub levers: Vec<String>,
}

/// Builds the report of a scenario with its finished experiment, if it has a war model,
/// and its study; `command` reproduces it.
pub(crate) fn report_data(
    s: &Scenario,
    file: &str,
    design: Design,
    finished: Option<&Finished>,
    study: Option<&Study>,
    command: String,
) -> Result<ReportData, Failure> {
    let meta = Meta {
        parley_version: env!("CARGO_PKG_VERSION").into(),
        scenario: s.metadata.id.clone(),
        title: s.metadata.title.clone(),
        description: s.metadata.description.clone(),
        as_of: s.metadata.as_of.clone(),
        scenario_file: file.into(),
        scenario_hash: scenario_hash(s)?,
        seed: design.seed,
        runs: design.runs,
        months: design.months,
        levers: design.levers,
        command,
    };
    let inputs = Inputs {
        scenario: s,
        meta,
        experiment: finished.map(|f| ExperimentResults { summary: &f.summary, replicates: &f.replicates }),
        study,
    };
    build(inputs).map_err(|e| miette::miette!("cannot build the report: {e}").into())
}

/// Renders `data` and writes the page to `path`.
pub(crate) fn write_report(data: &ReportData, path: &Path) -> Result<(), Failure> {
    let page = parley_report::render(data).map_err(|e| miette::miette!("{e}"))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| miette::miette!("cannot create {}: {e}", parent.display()))?;
    }
    write_atomically(path, page)
}

/// What `--format json` prints.
#[derive(Serialize)]
pub(crate) struct Done<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    report: String,
    results: String,
    seed: u64,
    runs: u64,
    zone: u64,
    settled_within_12_months: Option<[f64; 3]>,
    checks_passed: usize,
    checks_failed: usize,
}

/// Tells the user what was written and the headline numbers.
pub(crate) fn finish(
    data: &ReportData,
    report: &Path,
    results: &Path,
    format: OutputFormat,
) -> Result<Status, Failure> {
    let within = data.settlement.as_ref().and_then(|s| {
        let base = s.arms.first()?;
        base.settled.get(12.min(base.settled.len()).checked_sub(1)?).copied()
    });
    let done = Done {
        parley_version: env!("CARGO_PKG_VERSION"),
        scenario: &data.meta.scenario,
        report: report.display().to_string(),
        results: results.display().to_string(),
        seed: data.meta.seed,
        runs: data.meta.runs,
        zone: data.deals.zone,
        settled_within_12_months: within,
        checks_passed: data.checks.passed,
        checks_failed: data.checks.failed,
    };
    match format {
        OutputFormat::Json => output::print_json(&done)?,
        OutputFormat::Table => {
            let mut out = String::new();
            let _ = writeln!(out, "{}", data.meta.title);
            let _ =
                writeln!(out, "  zone of possible agreement: {} of {} packages", data.deals.zone, data.deals.outcomes);
            if let Some([p, lo, hi]) = within {
                let _ = writeln!(
                    out,
                    "  settled within 12 months: {:.1}% [{:.1}%, {:.1}%] of {} runs",
                    100.0 * p,
                    100.0 * lo,
                    100.0 * hi,
                    data.meta.runs
                );
            }
            let _ =
                writeln!(out, "  claims from the sources: {} hold, {} fail", data.checks.passed, data.checks.failed);
            let _ = writeln!(out, "report: {}", report.display());
            let _ = writeln!(
                out,
                "results: {} (rebuild the report with `parley report {}`)",
                results.display(),
                results.display()
            );
            output::print(&out)?;
        }
    }
    Ok(if data.checks.failed > 0 { Status::CheckFailed } else { Status::Success })
}

pub(crate) fn run(args: &RunArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    scenario::levers(s, &args.levers)?;
    // Without a war model there is nothing to simulate: the report shows the deals, the
    // talks on the static reservation values, the checks and the provenance.
    let finished = if s.conflict.is_none() {
        None
    } else {
        stage(&format!("running {} replicates × {} months, every lever compared", args.runs, args.months));
        Some(execute(&Plan {
            scenario: s,
            levers: &args.levers,
            compare: true,
            runs: args.runs,
            months: args.months,
            seed: args.seed,
            out: &args.out,
            resume: args.resume,
            shard: None,
            chunk: 250,
            progress: true,
        })?)
    };
    let study = if s.uncertain.is_empty() || s.conflict.is_none() {
        None
    } else {
        stage("sensitivity study");
        let options =
            StudyOptions { samples: args.samples, months: args.months, seed: args.seed, levers: args.levers.clone() };
        Some(super::sensitivity::run_study(s, &options)?)
    };
    stage("analysing the deals and writing the report");
    let file = scenario_name(args.scenario.as_deref());
    let design = Design {
        seed: args.seed,
        runs: if finished.is_some() { args.runs } else { 0 },
        months: if finished.is_some() { args.months } else { 0 },
        levers: args.levers.clone(),
    };
    std::fs::create_dir_all(&args.out).map_err(|e| miette::miette!("cannot create {}: {e}", args.out.display()))?;
    let data = report_data(s, &file, design, finished.as_ref(), study.as_ref(), command_line(args))?;
    let mut json = serde_json::to_string(&data).map_err(|e| miette::miette!("cannot serialise the report: {e}"))?;
    json.push('\n');
    write_atomically(&args.out.join(DATA_FILE), json)?;
    let report: PathBuf = args.output.clone().unwrap_or_else(|| args.out.join("report.html"));
    write_report(&data, &report)?;
    finish(&data, &report, &args.out, format)
}
