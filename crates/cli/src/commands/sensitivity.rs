//! `parley sensitivity`: which uncertain assumptions move the results most.
//!
//! Three outputs of the central path (no shocks): whether a settlement is agreed within 12
//! months, the month it is agreed (the horizon plus one without), and the area the holder
//! controls at the horizon. One-at-a-time: each parameter at the 5th and 95th percentile
//! of its distribution, the others at their point values (tornado). Global: Sobol
//! first-order and total indices over the joint distribution (Saltelli design, Jansen's
//! total-effect estimator, bootstrap intervals).

use std::fmt::Write as _;

use parley_experiment::study::{Study, StudyOptions};
use serde::Serialize;

use crate::args::{OutputFormat, SensitivityArgs};
use crate::{Failure, Status, output, scenario};

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    #[serde(flatten)]
    study: &'a Study,
}

pub(crate) fn run(args: &SensitivityArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    scenario::levers(s, &args.levers)?;
    let options = StudyOptions {
        start: args.start.start(s),
        samples: args.samples,
        months: args.months,
        seed: args.seed,
        levers: args.levers.clone(),
    };
    let study = parley_app::job::sensitivity(s, &options, None, &crate::output::Progress::new())?;
    let report = Report { parley_version: env!("CARGO_PKG_VERSION"), scenario: &s.metadata.id, study: &study };
    match format {
        OutputFormat::Json => output::print_json(&report)?,
        OutputFormat::Table => output::print(&table(&study))?,
    }
    Ok(Status::Success)
}

fn table(r: &Study) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Sensitivity of the central path ({} months, seed {}; Sobol design {} × ({} + 2) evaluations)\n",
        r.months,
        r.seed,
        r.samples,
        r.parameters.len()
    );
    for m in &r.measures {
        let _ = writeln!(out, "{} (at the point values: {})", m.output, m.tornado.baseline);
        let mut t = output::table(
            ["parameter", "at p5", "at p95", "swing", "Sobol first-order [95%]", "Sobol total [95%]"]
                .map(String::from)
                .to_vec(),
        );
        for bar in &m.tornado.bars {
            let k = bar.input;
            let (first, total) = match &m.sobol {
                Some(sx) if !sx.is_degenerate() => (
                    format!("{:.3} [{:.3}, {:.3}]", sx.first[k], sx.first_ci[k].low, sx.first_ci[k].high),
                    format!("{:.3} [{:.3}, {:.3}]", sx.total[k], sx.total_ci[k].low, sx.total_ci[k].high),
                ),
                _ => ("no variation".into(), "no variation".into()),
            };
            t.add_row(vec![
                bar.name.clone(),
                format!("{:.4}", bar.low),
                format!("{:.4}", bar.high),
                format!("{:.4}", bar.swing),
                first,
                total,
            ]);
        }
        let _ = writeln!(out, "{t}\n");
    }
    let _ = writeln!(
        out,
        "Rows are ordered by one-at-a-time swing. Conditional on the scenario's point values and ranges."
    );
    out
}
