//! `parley calibrate`: fit the war model to observed monthly series.

use std::fmt::Write as _;

use parley_core::conflict::{Month, Observable};
use parley_sim::calibrate::{Calibration, Request, calibrate};
use serde::Serialize;

use crate::args::{CalibrateArgs, OutputFormat};
use crate::output;
use crate::{Failure, Status, scenario};

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    data: String,
    #[serde(flatten)]
    calibration: &'a Calibration,
}

fn observable(s: &parley_core::Scenario, text: &str) -> Option<Observable> {
    match text {
        "territory_change" => Some(Observable::TerritoryChange),
        "held" => Some(Observable::Held),
        _ => {
            let actor = text.strip_prefix("losses.")?;
            let a = s.actor_index(actor)?;
            s.conflict.as_ref()?.side(a)?;
            Some(Observable::Losses { side: a })
        }
    }
}

fn observable_name(s: &parley_core::Scenario, o: Observable) -> String {
    match o {
        Observable::Losses { side } => format!("losses.{}", s.actors[side].id),
        Observable::TerritoryChange => "territory_change".into(),
        Observable::Held => "held".into(),
    }
}

pub(crate) fn run(args: &CalibrateArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    let Some(conflict) = &s.conflict else {
        return Err(miette::miette!(
            help = "add a [conflict] section (see the built-in scenario)",
            "{} has no [conflict] section, so there is no war model to calibrate",
            parley_app::scenario::name(args.scenario.as_deref())
        )
        .into());
    };
    let defaults = conflict.calibration.as_ref();
    let window = match &args.window {
        Some(text) => {
            let parsed = text.split_once("..").and_then(|(a, b)| Some((Month::parse(a)?, Month::parse(b)?)));
            parsed.ok_or_else(|| {
                miette::miette!(help = "write --window 2024-01..2025-10", "--window: cannot read \"{text}\"")
            })?
        }
        None => defaults.map(|c| c.window).unwrap_or((conflict.start, conflict.as_of)),
    };
    let series = if args.series.is_empty() {
        defaults.map(|c| c.series.clone()).unwrap_or_default()
    } else {
        args.series
            .iter()
            .map(|spec| {
                let (column, output) = spec.split_once('=').ok_or_else(|| {
                    miette::miette!(
                        help = "write --series COLUMN=OUTPUT, e.g. --series ru_personnel_losses_claimed_ua=losses.rus",
                        "--series: cannot read \"{spec}\""
                    )
                })?;
                let o = observable(s, output).ok_or_else(|| {
                    miette::miette!(
                        help = "outputs are losses.ACTOR (a side of the conflict), territory_change and held",
                        "--series: unknown output \"{output}\""
                    )
                })?;
                Ok((column.to_string(), o))
            })
            .collect::<Result<Vec<_>, Failure>>()?
    };
    if series.is_empty() {
        return Err(miette::miette!(
            help = "name them with --series COLUMN=OUTPUT, or give the scenario a [conflict.calibration] section",
            "no series to fit"
        )
        .into());
    }
    let fit = if args.fit.is_empty() { defaults.map(|c| c.fit.clone()).unwrap_or_default() } else { args.fit.clone() };
    let data = parley_io::load_observations(&args.data).map_err(miette::Report::new)?;
    let result = calibrate(s, &data, &Request { window, series, fit }).map_err(|e| {
        miette::miette!(help = "`parley sources` lists every path; the data's header names its columns", "{e}")
    })?;
    if let Some(out) = &args.out {
        let mut csv = String::new();
        let _ = writeln!(
            csv,
            "# parley {} calibrate; scenario {}; data {}",
            env!("CARGO_PKG_VERSION"),
            s.metadata.id,
            args.data.display()
        );
        let _ = writeln!(csv, "column,output,month,observed,initial,fitted,residual");
        for f in &result.series {
            for k in 0..f.months.len() {
                let _ = writeln!(
                    csv,
                    "{},{},{},{},{},{},{}",
                    f.column,
                    observable_name(s, f.observable),
                    f.months[k],
                    f.observed[k],
                    f.initial[k],
                    f.fitted[k],
                    f.residuals[k]
                );
            }
        }
        output::write_atomically(out, &csv)?;
    }
    match format {
        OutputFormat::Json => output::print_json(&Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            scenario: &s.metadata.id,
            data: args.data.display().to_string(),
            calibration: &result,
        })?,
        OutputFormat::Table => {
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{}: war model fitted to {} over {}..{} ({} evaluations, {})\n",
                s.metadata.title,
                args.data.display(),
                result.window.0,
                result.window.1,
                result.evaluations,
                result.end.text()
            );
            let mut t = output::table(vec!["parameter".into(), "before".into(), "fitted".into()]);
            for p in &result.parameters {
                t.add_row(vec![p.path.clone(), format!("{:.6e}", p.initial), format!("{:.6e}", p.fitted)]);
            }
            let _ = writeln!(out, "{t}\n");
            let mut t = output::table(
                ["series", "output", "months", "RMSE", "R²", "mean abs % error", "fitted/observed total"]
                    .map(String::from)
                    .to_vec(),
            );
            for f in &result.series {
                t.add_row(vec![
                    f.column.clone(),
                    observable_name(s, f.observable),
                    f.months.len().to_string(),
                    format!("{:.1}", f.rmse),
                    f.r_squared.map_or_else(|| "n/a".to_string(), |r| format!("{r:.3}")),
                    format!("{:.1}%", 100.0 * f.mape),
                    f.total_ratio.map_or_else(|| "n/a".to_string(), |r| format!("{r:.3}")),
                ]);
            }
            let _ = writeln!(out, "{t}\n");
            for f in &result.series {
                let mut t = output::table(["month", "observed", "fitted", "residual"].map(String::from).to_vec());
                for k in 0..f.months.len() {
                    t.add_row(vec![
                        f.months[k].to_string(),
                        format!("{:.1}", f.observed[k]),
                        format!("{:.1}", f.fitted[k]),
                        format!("{:+.1}", f.residuals[k]),
                    ]);
                }
                let _ = writeln!(out, "{} ({}):\n{t}\n", f.column, observable_name(s, f.observable));
            }
            let _ = writeln!(
                out,
                "objective (mean variance-scaled squared residual): {:.4} before, {:.4} after",
                result.objective.0, result.objective.1
            );
            output::print(&out)?;
        }
    }
    Ok(Status::Success)
}
