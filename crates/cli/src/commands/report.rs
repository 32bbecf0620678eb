//! `parley report`: the HTML report again, from saved results.
//!
//! A `parley run` directory holds `report.json`, the report's data: it is rendered as it
//! is, so the page is byte for byte the one `parley run` wrote. A directory of `parley
//! experiment` or `parley merge` holds the replicates only: they are read back, not run
//! again, and the rest of the report (the deals, the central path, the checks, the
//! sensitivity study) is computed from the scenario the experiment was run on.

use std::path::{Path, PathBuf};

use parley_experiment::study::StudyOptions;
use parley_report::ReportData;

use super::experiment::load_finished;
use super::run::{DATA_FILE, Design, finish, report_data, scenario_name, stage, write_report};
use crate::args::{OutputFormat, ReportArgs};
use crate::{Failure, Status, scenario};

/// Reads `report.json`, with a located error for a file that is not report data.
fn read_data(path: &Path) -> Result<ReportData, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| miette::miette!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        miette::miette!(
            help = "rebuild the results with `parley run`; this file is written by it, not by hand",
            "{}:{}:{}: not the data of a parley report: {e}",
            path.display(),
            e.line(),
            e.column()
        )
        .into()
    })
}

pub(crate) fn run(args: &ReportArgs, format: OutputFormat) -> Result<Status, Failure> {
    let dir = &args.dir;
    let output: PathBuf = args.output.clone().unwrap_or_else(|| dir.join("report.html"));
    let data_path = dir.join(DATA_FILE);
    let data = if data_path.exists() {
        if args.scenario.is_some() {
            return Err(miette::miette!(
                help = "drop --scenario: the report's data already name their scenario",
                "{} holds the data of a finished report",
                dir.display()
            )
            .into());
        }
        read_data(&data_path)?
    } else if dir.join("experiment.json").exists() {
        let loaded = scenario::load(args.scenario.as_deref())?;
        let s = &loaded.scenario;
        let finished = load_finished(dir, s)?;
        let m = &finished.manifest;
        let levers = m.arms.first().cloned().unwrap_or_default();
        let study = if s.uncertain.is_empty() {
            None
        } else {
            stage("sensitivity study");
            let options = StudyOptions { samples: args.samples, months: m.months, seed: m.seed, levers };
            Some(super::sensitivity::run_study(s, &options)?)
        };
        let mut command = format!("parley report {}", dir.display());
        if let Some(p) = &args.scenario {
            command.push_str(&format!(" --scenario {}", p.display()));
        }
        command.push_str(&format!(" --samples {}", args.samples));
        let design = Design {
            seed: m.seed,
            runs: m.runs,
            months: m.months,
            levers: m.arms.first().cloned().unwrap_or_default(),
        };
        report_data(s, &scenario_name(args.scenario.as_deref()), design, Some(&finished), study.as_ref(), command)?
    } else {
        return Err(miette::miette!(
            help = "give a directory written by `parley run`, `parley experiment` or `parley merge`",
            "{} holds neither a report's data ({DATA_FILE}) nor an experiment (experiment.json)",
            dir.display()
        )
        .into());
    };
    write_report(&data, &output)?;
    finish(&data, &output, dir, format)
}
