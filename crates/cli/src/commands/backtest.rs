//! `parley backtest`: rolling-origin evaluation of the war model's forecasts
//! (`parley_experiment::backtest`), printed as a table of skill and coverage by series and
//! horizon.

use std::fmt::Write as _;

use parley_core::Month;
use parley_experiment::backtest::{Backtest, BacktestOptions};
use serde::Serialize;

use crate::args::{BacktestArgs, OutputFormat};
use crate::{Failure, Status, output, scenario};

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    #[serde(flatten)]
    backtest: &'a Backtest,
}

fn month(text: &str, flag: &str) -> Result<Month, Failure> {
    Month::parse(text).ok_or_else(|| {
        miette::miette!(help = "write the month as YYYY-MM, e.g. 2024-07", "{flag}: \"{text}\" is not a month").into()
    })
}

pub(crate) fn run(args: &BacktestArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    let Some(conflict) = &s.conflict else {
        return Err(miette::miette!(
            help = "give the scenario a [conflict] section with an observed record ([[conflict.observed]])",
            "{}: no war model to backtest",
            parley_app::scenario::name(args.scenario.as_deref())
        )
        .into());
    };
    let (first, last) = BacktestOptions::window(conflict);
    let options = BacktestOptions {
        first: args.from.as_deref().map_or(Ok(first), |m| month(m, "--from"))?,
        last: args.to.as_deref().map_or(Ok(last), |m| month(m, "--to"))?,
        horizons: args.horizons,
        particles: args.particles,
        seed: args.seed,
    };
    let result = parley_app::job::backtest(s, &options, &output::Progress::new())?;
    if let Some(path) = &args.csv {
        output::write_atomically(path, parley_app::job::backtest_csv(&result)?)?;
    }
    match format {
        OutputFormat::Json => output::print_json(&Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            scenario: &s.metadata.id,
            backtest: &result,
        })?,
        OutputFormat::Table => output::print(&table(&result))?,
    }
    Ok(Status::Success)
}

fn table(b: &Backtest) -> String {
    let o = &b.options;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Backtest: origins {} to {}, horizons 1–{}, {} particles, seed {}\n",
        o.first, o.last, o.horizons, o.particles, o.seed
    );
    for s in &b.series {
        let _ = writeln!(out, "{}", s.series);
        let mut t = output::table(
            [
                "h",
                "n",
                "CRPS",
                "no change",
                "drift",
                "skill vs no change",
                "skill vs drift",
                "50% / 80% / 95% covered",
                "median bias",
            ]
            .map(String::from)
            .to_vec(),
        );
        for h in &s.horizons {
            t.add_row(vec![
                h.horizon.to_string(),
                h.n.to_string(),
                format!("{:.1}", h.crps),
                format!("{:.1}", h.crps_no_change),
                format!("{:.1}", h.crps_drift),
                format!("{:+.2}", h.skill_no_change),
                format!("{:+.2}", h.skill_drift),
                format!(
                    "{:.0}% / {:.0}% / {:.0}%",
                    100.0 * h.coverage[0],
                    100.0 * h.coverage[1],
                    100.0 * h.coverage[2]
                ),
                format!("{:+.1}", h.median_bias),
            ]);
        }
        let _ = writeln!(out, "{t}\n");
    }
    if b.stopped.iter().any(|h| h.n > 0) {
        let _ =
            writeln!(out, "the war stopped (a ceasefire, a settlement or a capitulation): it did not, on the record");
        let mut t = output::table(["h", "n", "model's probability", "Brier score"].map(String::from).to_vec());
        for h in b.stopped.iter().filter(|h| h.n > 0) {
            t.add_row(vec![
                h.horizon.to_string(),
                h.n.to_string(),
                format!("{:.0}%", 100.0 * h.probability),
                format!("{:.3}", h.brier),
            ]);
        }
        let _ = writeln!(out, "{t}\n");
    }
    let collapsed: Vec<String> = b
        .origins
        .iter()
        .filter(|o| !o.collapsed.is_empty())
        .map(|o| {
            format!("{} ({})", o.origin, o.collapsed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
        })
        .collect();
    if collapsed.is_empty() {
        let _ = writeln!(
            out,
            "No origin's filter collapsed (effective sample size above 5% of the particles every month)."
        );
    } else {
        let _ = writeln!(
            out,
            "The filter's effective sample size collapsed (below 5%) at origins {}.",
            collapsed.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "Skill = 1 − CRPS(model)/CRPS(benchmark): positive where the model beats the benchmark. Benchmarks: no change N(y, σ²h); drift N(y + h·μ, σ²h), μ the mean change of the last 6 months, σ the sd of the last 12."
    );
    out
}
