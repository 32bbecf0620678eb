//! `parley run`: the main job (`parley_app::job`). This module parses the arguments, shows
//! progress, prints the headline numbers and chooses the exit code.

use std::fmt::Write as _;
use std::path::Path;

use parley_app::job::{self, MainJob};
use parley_report::ReportData;
use serde::Serialize;

use crate::args::{OutputFormat, RunArgs};
use crate::output::{self, Progress};
use crate::{Failure, Status, scenario};

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
    if args.start.no_assimilation {
        c.push_str(" --no-assimilation");
    } else {
        let _ = write!(c, " --particles {}", args.start.particles);
    }
    if args.no_backtest {
        c.push_str(" --no-backtest");
    }
    c
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
    backtest: Option<&'a parley_report::data::BacktestData>,
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
        backtest: data.backtest.as_ref(),
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
            if let Some(caveat) = parley_report::lineage_headline(data) {
                let _ = writeln!(out, "  {caveat}");
            }
            if let Some(b) = &data.backtest {
                for s in &b.series {
                    let _ = writeln!(out, "  {}", parley_report::backtest_headline(b, s));
                }
            }
            let audit = data.checks.audit.as_ref().map_or(String::new(), |a| {
                format!("; {} could have failed, of which {} hold", a.evidence, a.evidence_holding)
            });
            let contradicted = data.checks.rows.iter().filter(|r| !r.passed && r.contradicted.is_some()).count();
            let recorded = if contradicted > 0 {
                format!(" ({contradicted} of them contradicted by the model, as the scenario records)")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  claims from the sources: {} hold, {} fail{recorded}{audit}",
                data.checks.passed, data.checks.failed
            );
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
    Ok(if data.checks.not_as_recorded() > 0 { Status::CheckFailed } else { Status::Success })
}

pub(crate) fn run(args: &RunArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let main = MainJob {
        scenario: &loaded.scenario,
        scenario_name: parley_app::scenario::name(args.scenario.as_deref()),
        levers: args.levers.clone(),
        runs: args.runs,
        months: args.months,
        seed: args.seed,
        start: args.start.start(&loaded.scenario),
        samples: args.samples,
        backtest: (!args.no_backtest)
            .then(|| job::main_backtest(&loaded.scenario, args.start.particles, args.seed))
            .flatten(),
        out: args.out.clone(),
        page: args.output.clone(),
        command: command_line(args),
    };
    let done = job::run(&main, &Progress::new())?;
    if done.reused > 0 {
        eprintln!(
            "parley: reused {} of {} replicates saved in {} by an earlier run with the same settings",
            done.reused,
            args.runs,
            done.results.display()
        );
    }
    finish(&done.data, &done.page, &done.results, format)
}
