//! A sensitivity study of a scenario: which of its uncertain assumptions move the results.
//!
//! Three outputs of the central path (no shocks, so the variance is the parameters'):
//! whether a settlement is agreed within 12 months, the month it is agreed (the horizon
//! plus one without), and the area the holder controls at the horizon.
//!
//! * **One at a time** ([`tornado`]): each parameter at the 5th and 95th percentile of its
//!   distribution, the others at their point values.
//! * **Global** ([`SobolDesign`]): Sobol first-order and total indices over the joint
//!   distribution (Saltelli design, Jansen's total-effect estimator, bootstrap intervals).
//!
//! Every random number comes from the study's seed: the percentiles of parameter `k` from
//! stream `k`, the Sobol design from the last stream, so results do not depend on threads.

use parley_core::Scenario;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rayon::prelude::*;
use serde::Serialize;

use std::sync::Arc;

use crate::assimilate::Assimilated;
use crate::run::{Arm, Design, Experiment, ExperimentError, Replicate, Start};
use crate::sample::draw_uncertain;
use parley_core::stats::quantile;

use crate::sensitivity::{Bootstrap, SobolDesign, SobolIndices, Tornado, tornado};

/// Draws per parameter to place its 5th and 95th percentiles.
const PERCENTILE_DRAWS: usize = 4000;

/// Paths evaluated between two looks at whether to stop: on two cores a block of the
/// built-in scenario takes about a tenth of a second.
pub const BLOCK: usize = 64;

/// The outputs a study measures, in the order of [`Study::measures`].
pub const OUTPUTS: [&str; 3] = ["settled_within_12_months", "settlement_month", "held_km2_at_horizon"];

/// What to study.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyOptions {
    /// Where the central paths start: with a filtered record, the parameters range over
    /// their posterior (each its marginal) and every path starts from the filtered mean state.
    pub start: Start,
    /// Base sample size of the Sobol design (evaluations: `samples × (parameters + 2)`).
    pub samples: usize,
    /// Months simulated after the scenario date.
    pub months: u32,
    /// Master seed.
    pub seed: u64,
    /// Levers applied first, in order.
    pub levers: Vec<String>,
}

impl Default for StudyOptions {
    /// From the prior, 512 samples, 24 months, seed 0, no levers.
    fn default() -> Self {
        StudyOptions { start: Start::Prior, samples: 512, months: 24, seed: 0, levers: Vec::new() }
    }
}

/// One uncertain parameter of a study.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StudyParameter {
    /// Its path, as `parley sources` lists it.
    pub path: String,
    /// Its point value in the scenario (with a filtered record: its posterior median).
    pub point: f64,
    /// The 5th percentile of its distribution (prior or posterior).
    pub p5: f64,
    /// The 95th percentile.
    pub p95: f64,
}

/// One output's sensitivity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// The output, one of [`OUTPUTS`].
    pub output: &'static str,
    /// One at a time.
    pub tornado: Tornado,
    /// Global; `None` if the indices cannot be computed.
    pub sobol: Option<SobolIndices>,
}

/// What a study found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Study {
    /// Master seed.
    pub seed: u64,
    /// Base sample size of the Sobol design.
    pub samples: usize,
    /// Months simulated.
    pub months: u32,
    /// Levers applied.
    pub levers: Vec<String>,
    /// The uncertain parameters, in file order.
    pub parameters: Vec<StudyParameter>,
    /// One per output of [`OUTPUTS`].
    pub measures: Vec<Measure>,
}

fn outputs(r: &Replicate, months: u32) -> [f64; 3] {
    let within = 12.min(months);
    [
        if r.agreed_month.is_some_and(|m| m <= within) { 1.0 } else { 0.0 },
        f64::from(r.agreed_month.unwrap_or(months + 1)),
        r.held,
    ]
}

/// Studies `scenario`'s sensitivity to its `[[uncertain]]` parameters. With a filtered
/// record (given, or filtered here if `options.start` asks for one), each parameter ranges
/// over its posterior marginal — Sobol indices need independent inputs, so the posterior's
/// correlations are set aside — and every path starts from the filtered mean state.
///
/// `progress` is told the paths evaluated and their number after each block of
/// [`BLOCK`] paths; the study stops between blocks when it returns `false`.
///
/// # Errors
///
/// [`ExperimentError::NothingUncertain`] without a war model or uncertain parameters;
/// [`ExperimentError::Stopped`] when asked to stop; otherwise whatever setting up or
/// running the simulation reports.
pub fn study(
    scenario: &Scenario,
    options: &StudyOptions,
    record: Option<Arc<Assimilated>>,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<Study, ExperimentError> {
    let s = scenario;
    if s.conflict.is_none() || s.uncertain.is_empty() {
        return Err(ExperimentError::NothingUncertain);
    }
    if let Some((path, problem)) = crate::sample::invalid(&s.uncertain) {
        return Err(ExperimentError::InvalidDistribution { path, problem });
    }
    let design = Design {
        runs: 1,
        months: options.months,
        seed: options.seed,
        arms: vec![Arm::new(options.levers.clone())],
        start: options.start,
    };
    let experiment = match record {
        Some(r) => Experiment::with_record(s, design, r)?,
        None => Experiment::new(s, design)?,
    };
    let assimilated = experiment.assimilated();
    let start = assimilated.map(Assimilated::mean_state);
    let eval = |x: &[f64]| -> Result<[f64; 3], ExperimentError> {
        let r = experiment.run_with(0, x, start.as_ref(), false)?;
        Ok(outputs(&r[0], options.months))
    };
    let marginals: Vec<Vec<f64>> =
        assimilated.map_or_else(Vec::new, |a| (0..s.uncertain.len()).map(|k| a.marginal(k)).collect());
    let point: Vec<f64> = match assimilated {
        Some(a) => a.medians(),
        None => {
            let mut probe = s.clone();
            s.uncertain.iter().map(|u| probe.quantity_mut(&u.path).map_or(f64::NAN, |q| q.value)).collect()
        }
    };
    // Percentiles of each parameter's distribution, each from its own stream.
    let percentiles: Vec<(f64, f64)> = s
        .uncertain
        .iter()
        .enumerate()
        .map(|(k, u)| {
            if let Some(xs) = marginals.get(k) {
                return (quantile(xs, 0.05), quantile(xs, 0.95));
            }
            let mut rng = ChaCha12Rng::seed_from_u64(options.seed);
            rng.set_stream(k as u64);
            let mut xs: Vec<f64> = (0..PERCENTILE_DRAWS).map(|_| draw_uncertain(u, &mut rng)).collect();
            xs.sort_by(f64::total_cmp);
            (quantile(&xs, 0.05), quantile(&xs, 0.95))
        })
        .collect();
    let names: Vec<&str> = s.uncertain.iter().map(|u| u.path.as_str()).collect();
    // Sobol design over the joint distribution.
    let mut rng = ChaCha12Rng::seed_from_u64(options.seed);
    rng.set_stream(u64::MAX);
    let sobol = SobolDesign::new(options.samples.max(2), names.len(), &mut rng, |k, rng| match marginals.get(k) {
        Some(xs) => xs[rng.random_range(0..xs.len())],
        None => draw_uncertain(&s.uncertain[k], rng),
    })?;
    // Every path the study evaluates, in a fixed order: the point, each parameter at its
    // 5th then its 95th percentile, then the Sobol design. Each path is deterministic, so
    // evaluating them in blocks changes nothing but where a stop can fall.
    let k = point.len();
    let total = 1 + 2 * k + sobol.len();
    let path = |j: usize| -> Vec<f64> {
        match j {
            0 => point.clone(),
            j if j <= 2 * k => {
                let (parameter, high) = ((j - 1) % k, j > k);
                let mut x = point.clone();
                x[parameter] = if high { percentiles[parameter].1 } else { percentiles[parameter].0 };
                x
            }
            j => sobol.point(j - 1 - 2 * k),
        }
    };
    let mut values: Vec<[f64; 3]> = Vec::with_capacity(total);
    for block in (0..total).step_by(BLOCK) {
        let end = (block + BLOCK).min(total);
        let done: Vec<[f64; 3]> = (block..end).into_par_iter().map(|j| eval(&path(j))).collect::<Result<_, _>>()?;
        values.extend(done);
        if !progress(end as u64, total as u64) && end < total {
            return Err(ExperimentError::Stopped);
        }
    }
    let base = values[0];
    let lows = &values[1..=k];
    let highs = &values[k + 1..=2 * k];
    let values = &values[2 * k + 1..];
    let measures = (0..OUTPUTS.len())
        .map(|m| {
            let column: Vec<f64> = values.iter().map(|v| v[m]).collect();
            let lo: Vec<f64> = lows.iter().map(|v| v[m]).collect();
            let hi: Vec<f64> = highs.iter().map(|v| v[m]).collect();
            Ok(Measure {
                output: OUTPUTS[m],
                tornado: tornado(base[m], &lo, &hi, &names)?,
                sobol: sobol.indices(&column, Bootstrap { seed: options.seed, ..Bootstrap::default() }).ok(),
            })
        })
        .collect::<Result<Vec<_>, ExperimentError>>()?;
    let parameters = s
        .uncertain
        .iter()
        .zip(&point)
        .zip(&percentiles)
        .map(|((u, &p), &(p5, p95))| StudyParameter { path: u.path.clone(), point: p, p5, p95 })
        .collect();
    Ok(Study {
        seed: options.seed,
        samples: options.samples,
        months: options.months,
        levers: options.levers.clone(),
        parameters,
        measures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::built_in;

    #[test]
    fn test_study_ranks_the_learning_rate_first_for_the_timing() {
        let s = built_in();
        let options = StudyOptions { samples: 32, ..StudyOptions::default() };
        let study = study(&s, &options, None, &mut |_, _| true).unwrap();
        assert_eq!(study.measures.len(), 3);
        assert_eq!(study.parameters.len(), s.uncertain.len());
        for p in &study.parameters {
            assert!(p.p5 <= p.point.max(p.p5) && p.p5 < p.p95, "{p:?}");
        }
        // The settlement month swings most with the learning rate (its optimism fades fastest).
        let timing = &study.measures[1];
        assert_eq!(timing.output, "settlement_month");
        assert_eq!(timing.tornado.bars[0].name, "conflict.beliefs.learning");
        assert_eq!(study, super::study(&s, &options, None, &mut |_, _| true).unwrap(), "reproducible");
    }

    #[test]
    fn test_study_reports_its_progress_and_stops_between_blocks() {
        let s = built_in();
        let options = StudyOptions { samples: 32, ..StudyOptions::default() };
        let mut seen = Vec::new();
        study(&s, &options, None, &mut |done, total| {
            seen.push((done, total));
            true
        })
        .unwrap();
        let total = seen[0].1;
        assert!(seen.len() > 1, "more than one block: {seen:?}");
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 == w[1].1), "{seen:?}");
        assert_eq!(seen.last(), Some(&(total, total)));
        // Asked to stop after the first block, it stops there.
        let mut blocks = 0;
        let stopped = study(&s, &options, None, &mut |_, _| {
            blocks += 1;
            false
        });
        assert!(matches!(stopped, Err(ExperimentError::Stopped)), "{stopped:?}");
        assert_eq!(blocks, 1);
    }

    #[test]
    fn test_study_needs_uncertain_parameters() {
        let mut s = built_in();
        s.uncertain.clear();
        assert!(matches!(
            study(&s, &StudyOptions::default(), None, &mut |_, _| true),
            Err(ExperimentError::NothingUncertain)
        ));
    }
}
