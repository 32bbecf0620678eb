//! `parley sensitivity`: which uncertain assumptions move the results most.
//!
//! Three outputs of the central path (no shocks): whether a settlement is agreed within 12
//! months, the month it is agreed (the horizon plus one without), and the area the holder
//! controls at the horizon. One-at-a-time: each parameter at the 5th and 95th percentile
//! of its distribution, the others at their point values (tornado). Global: Sobol
//! first-order and total indices over the joint distribution (Saltelli design, Jansen's
//! total-effect estimator, bootstrap intervals).

use std::fmt::Write as _;

use parley_experiment::run::Replicate;
use parley_experiment::sample::draw_uncertain;
use parley_experiment::sensitivity::{Bootstrap, SobolDesign, SobolIndices, Tornado, quantile, tornado};
use parley_experiment::{Arm, Design, Experiment};
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::args::{OutputFormat, SensitivityArgs};
use crate::{Failure, Status, output, scenario};

/// Draws per parameter to place its 5th and 95th percentiles.
const PERCENTILE_DRAWS: usize = 4000;

#[derive(Serialize)]
struct Measure {
    output: &'static str,
    tornado: Tornado,
    sobol: Option<SobolIndices>,
}

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    seed: u64,
    samples: usize,
    months: u32,
    levers: &'a [String],
    parameters: Vec<ParameterOut<'a>>,
    measures: Vec<Measure>,
}

#[derive(Serialize)]
struct ParameterOut<'a> {
    path: &'a str,
    point: f64,
    p5: f64,
    p95: f64,
}

const OUTPUTS: [&str; 3] = ["settled_within_12_months", "settlement_month", "held_km2_at_horizon"];

fn outputs(r: &Replicate, months: u32) -> [f64; 3] {
    let within = 12.min(months);
    [
        if r.agreed_month.is_some_and(|m| m <= within) { 1.0 } else { 0.0 },
        f64::from(r.agreed_month.unwrap_or(months + 1)),
        r.held,
    ]
}

pub(crate) fn run(args: &SensitivityArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    scenario::levers(s, &args.levers)?;
    if s.conflict.is_none() || s.uncertain.is_empty() {
        return Err(miette::miette!(
            help = "give the scenario a [conflict] section and [[uncertain]] parameters",
            "nothing to analyse: sensitivity needs a war model and uncertain parameters"
        )
        .into());
    }
    let design = Design { runs: 1, months: args.months, seed: args.seed, arms: vec![Arm::new(args.levers.clone())] };
    let experiment = Experiment::new(s, design).map_err(|e| miette::miette!("{e}"))?;
    let eval = |x: &[f64]| -> Result<[f64; 3], Failure> {
        let r = experiment.run_with(0, x, false).map_err(|e| miette::miette!("{e}"))?;
        Ok(outputs(&r[0], args.months))
    };
    let mut probe = s.clone();
    let point: Vec<f64> =
        s.uncertain.iter().map(|u| probe.quantity_mut(&u.path).map_or(f64::NAN, |q| q.value)).collect();
    // Percentiles of each parameter's distribution, each from its own stream.
    let percentiles: Vec<(f64, f64)> = s
        .uncertain
        .iter()
        .enumerate()
        .map(|(k, u)| {
            let mut rng = ChaCha12Rng::seed_from_u64(args.seed);
            rng.set_stream(k as u64);
            let mut xs: Vec<f64> = (0..PERCENTILE_DRAWS).map(|_| draw_uncertain(u, &mut rng)).collect();
            xs.sort_by(f64::total_cmp);
            (quantile(&xs, 0.05), quantile(&xs, 0.95))
        })
        .collect();
    let base = eval(&point)?;
    let varied = |k: usize, value: f64| {
        let mut x = point.clone();
        x[k] = value;
        eval(&x)
    };
    let lows: Vec<[f64; 3]> =
        (0..point.len()).into_par_iter().map(|k| varied(k, percentiles[k].0)).collect::<Result<_, _>>()?;
    let highs: Vec<[f64; 3]> =
        (0..point.len()).into_par_iter().map(|k| varied(k, percentiles[k].1)).collect::<Result<_, _>>()?;
    let names: Vec<&str> = s.uncertain.iter().map(|u| u.path.as_str()).collect();
    // Sobol design over the joint distribution.
    let mut rng = ChaCha12Rng::seed_from_u64(args.seed);
    rng.set_stream(u64::MAX);
    let sobol =
        SobolDesign::new(args.samples.max(2), names.len(), &mut rng, |k, rng| draw_uncertain(&s.uncertain[k], rng))
            .map_err(|e| miette::miette!("{e}"))?;
    let values: Vec<[f64; 3]> =
        (0..sobol.len()).into_par_iter().map(|i| eval(&sobol.point(i))).collect::<Result<_, _>>()?;
    let measures = (0..3)
        .map(|m| {
            let column: Vec<f64> = values.iter().map(|v| v[m]).collect();
            let lo: Vec<f64> = lows.iter().map(|v| v[m]).collect();
            let hi: Vec<f64> = highs.iter().map(|v| v[m]).collect();
            Ok(Measure {
                output: OUTPUTS[m],
                tornado: tornado(base[m], &lo, &hi, &names).map_err(|e| miette::miette!("{e}"))?,
                sobol: sobol.indices(&column, Bootstrap { seed: args.seed, ..Bootstrap::default() }).ok(),
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let parameters = s
        .uncertain
        .iter()
        .zip(&point)
        .zip(&percentiles)
        .map(|((u, &p), &(p5, p95))| ParameterOut { path: &u.path, point: p, p5, p95 })
        .collect();
    let report = Report {
        parley_version: env!("CARGO_PKG_VERSION"),
        scenario: &s.metadata.id,
        seed: args.seed,
        samples: args.samples,
        months: args.months,
        levers: &args.levers,
        parameters,
        measures,
    };
    match format {
        OutputFormat::Json => output::print_json(&report)?,
        OutputFormat::Table => output::print(&table(&report))?,
    }
    Ok(Status::Success)
}

fn table(r: &Report<'_>) -> String {
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
