//! Rolling-origin evaluation of the war model's forecasts against what followed, and
//! against naive benchmarks scored by the same code.
//!
//! At every origin `o` (each month of a window stated before looking at any score):
//!
//! 1. **Only what was known at `o`.** The scenario is cut at `o` ([`truncate`]): its date
//!    becomes `o`; every observed series ends at `o`; each donor's deliveries end at `o` and
//!    continue at the donor's mean of the six months up to `o` (its later policy is not known
//!    then, so the uncertain ranges of the donors' policies, written later, are set aside).
//!    Changing any value after `o` changes nothing of the forecast made at `o` (tested).
//! 2. **Assimilate** the record up to `o` ([`crate::assimilate`]) and **forecast** each
//!    observed series `1..H` months ahead: one replicate per filtered particle, with the
//!    war's shocks, talks and breakdowns, plus the series' observation error, so the forecast
//!    is of what will be observed.
//! 3. **Benchmarks**, from the same series up to `o`: *no change* — `N(y_o, σ²h)` — and a
//!    *drift random walk* — `N(y_o + h·μ, σ²h)` — where `μ` is the mean monthly change over
//!    the last 6 months and `σ` the standard deviation of the monthly changes over the last
//!    12 (fewer at the start of a record, never fewer than 3). Each is represented by as many
//!    quantile points as the model has replicates and scored by the same code.
//! 4. **Score** each forecast against the observation at `o + h` ([`crate::score`]): CRPS,
//!    the PIT, whether the 50/80/95% central intervals cover it, the median's error. Per
//!    series and horizon: mean CRPS of the model and of each benchmark, the skill
//!    `1 − CRPS_model / CRPS_benchmark` (positive: the model is better), coverage, the
//!    median's bias and a 10-bin PIT histogram.
//! 5. **Whether the war stopped.** The record says the war went on to the scenario's date,
//!    so every forecast of a month up to it had one right answer: still fighting. The share
//!    of replicates in which the war had stopped (a ceasefire, a settlement or a side's
//!    capitulation) `h` months ahead is the model's probability of an outcome that did not
//!    happen; per horizon, its mean over the origins and its Brier score (the mean of its
//!    square) say how much the forecasts leaned on a peace that never came.

use parley_core::Scenario;
use parley_core::conflict::{Conflict, Month, Observed};
use parley_sim::calibrate::observe;
use parley_sim::coupled::{Phase, RunOptions, Simulation};
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::Serialize;

use crate::assimilate::{Diagnostics, assimilate};
use crate::run::ExperimentError;
use crate::score::{covers, crps_sorted, normal_ensemble, pit};
use crate::smc::FilterOptions;

/// The central intervals whose coverage is scored.
pub const LEVELS: [f64; 3] = [0.5, 0.8, 0.95];
/// Months of changes the benchmarks' drift is the mean of.
pub const DRIFT_MONTHS: usize = 6;
/// Months of changes the benchmarks' spread is the standard deviation of.
pub const SPREAD_MONTHS: usize = 12;
/// Fewest changes a benchmark is computed from.
const MIN_CHANGES: usize = 3;
/// Mixed into the seed for the forecasts' observation errors.
const OBSERVATION_SEED: u64 = 0x5851_F42D_4C95_7F2D;

/// What to evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BacktestOptions {
    /// The first origin.
    pub first: Month,
    /// The last origin.
    pub last: Month,
    /// Horizons `1..=horizons` months.
    pub horizons: u32,
    /// Particles of each origin's filter (and replicates of its forecast).
    pub particles: usize,
    /// Master seed.
    pub seed: u64,
}

/// The default window: origins from `WINDOW.0` to `WINDOW.1` months before the scenario
/// date. Fixed before any score was computed (for the built-in scenario, 2024-07 to
/// 2025-07): long enough for a six-month horizon to be scored from most origins, and late
/// enough for the benchmarks to have a year of changes behind every origin.
pub const WINDOW: (i32, i32) = (15, 3);

impl BacktestOptions {
    /// The default window's first and last origin for a war recorded over
    /// `conflict.start..=conflict.as_of` (never before its start).
    pub fn window(conflict: &Conflict) -> (Month, Month) {
        let first = conflict.as_of.plus(-WINDOW.0).max(conflict.start);
        (first, conflict.as_of.plus(-WINDOW.1).max(first))
    }
}

/// The forecasts made at one origin.
#[derive(Clone, Debug, PartialEq)]
pub struct OriginForecast {
    /// The origin.
    pub origin: Month,
    /// How the filter went up to it.
    pub diagnostics: Diagnostics,
    /// Per observed series (in file order), per horizon (from 1): the model's ensemble,
    /// sorted.
    pub model: Vec<Vec<Vec<f64>>>,
    /// Per series, per horizon: the no-change benchmark's ensemble (`None` with too short
    /// a record).
    pub no_change: Vec<Vec<Option<Vec<f64>>>>,
    /// Per series, per horizon: the drift benchmark's ensemble.
    pub drift: Vec<Vec<Option<Vec<f64>>>>,
    /// Per horizon: the share of replicates in which the war had stopped (a ceasefire, a
    /// settlement or a side's capitulation; not a ceasefire that broke down that month).
    pub stopped: Vec<f64>,
}

/// One forecast scored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    /// Continuous ranked probability score, in the series' unit.
    pub crps: f64,
    /// Probability integral transform of the observation.
    pub pit: f64,
    /// Whether the 50%, 80% and 95% central intervals hold the observation.
    pub covered: [bool; 3],
    /// The forecast's median.
    pub median: f64,
}

/// One origin × horizon × series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The origin.
    pub origin: Month,
    /// Months ahead.
    pub horizon: u32,
    /// The month forecast.
    pub target: Month,
    /// The series' id.
    pub series: String,
    /// What was observed.
    pub observed: f64,
    /// The model's forecast.
    pub model: Score,
    /// The no-change benchmark's.
    pub no_change: Option<Score>,
    /// The drift benchmark's.
    pub drift: Option<Score>,
}

/// A series' scores at one horizon, over every origin with an observation to score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HorizonScores {
    /// Months ahead.
    pub horizon: u32,
    /// Forecasts scored.
    pub n: usize,
    /// Mean CRPS of the model.
    pub crps: f64,
    /// Mean CRPS of the no-change benchmark (over the same forecasts).
    pub crps_no_change: f64,
    /// Mean CRPS of the drift benchmark.
    pub crps_drift: f64,
    /// `1 − crps / crps_no_change`: positive when the model beats no change.
    pub skill_no_change: f64,
    /// `1 − crps / crps_drift`.
    pub skill_drift: f64,
    /// Share of observations inside the model's 50%, 80% and 95% intervals.
    pub coverage: [f64; 3],
    /// Share inside the drift benchmark's 50%, 80% and 95% intervals.
    pub coverage_drift: [f64; 3],
    /// Mean of the model's median minus the observation.
    pub median_bias: f64,
    /// The model's PIT values in ten bins of width 0.1.
    pub pit: [u64; 10],
}

/// One series' scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesScores {
    /// The series' id.
    pub series: String,
    /// Per horizon.
    pub horizons: Vec<HorizonScores>,
}

/// An origin's filter, in brief.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OriginSummary {
    /// The origin.
    pub origin: Month,
    /// The smallest effective sample size of its months.
    pub min_ess: f64,
    /// Months whose effective sample size collapsed.
    pub collapsed: Vec<Month>,
    /// `ln p̂(record up to the origin)`.
    pub log_likelihood: f64,
    /// How many of the prior's draws its filtered particles descend from.
    pub lineages: usize,
    /// Per horizon: the share of the forecast's replicates in which the war had stopped.
    pub stopped: Vec<f64>,
}

/// The forecasts that the war would have stopped `horizon` months ahead, over the origins
/// whose target month is on the record (up to the scenario's date), where the war went on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoppedScores {
    /// Months ahead.
    pub horizon: u32,
    /// Origins scored.
    pub n: usize,
    /// Mean over the origins of the model's probability that the war had stopped.
    pub probability: f64,
    /// Brier score of that probability against what happened (the war went on): the mean
    /// of its square. 0 is a forecast that never expected the war to stop.
    pub brier: f64,
}

/// A finished backtest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Backtest {
    /// What was evaluated.
    pub options: BacktestOptions,
    /// Each origin's filter.
    pub origins: Vec<OriginSummary>,
    /// Every scored forecast.
    pub rows: Vec<Row>,
    /// Per series and horizon.
    pub series: Vec<SeriesScores>,
    /// Per horizon: the forecasts that the war would have stopped.
    pub stopped: Vec<StoppedScores>,
}

/// The scenario as it stood at `origin`: its date moved there, the record and the donors'
/// deliveries ending there (each donor continuing at its mean of the six months up to it),
/// the uncertain ranges of the donors' later policies and the events dated after it set
/// aside.
pub fn truncate(scenario: &Scenario, origin: Month) -> Result<Scenario, ExperimentError> {
    let mut s = scenario.clone();
    let Some(conflict) = s.conflict.as_mut() else {
        return Err(ExperimentError::Backtest("the scenario has no [conflict] section".into()));
    };
    if origin < conflict.start || origin > conflict.as_of {
        return Err(ExperimentError::Backtest(format!(
            "origin {origin} is outside the record {}..{}",
            conflict.start, conflict.as_of
        )));
    }
    // The sides' optimism still describes the scenario date; beliefs at the origin are
    // what the months of fighting between the two had not yet corrected.
    conflict.beliefs_as_of = Some(conflict.beliefs_as_of.unwrap_or(conflict.as_of));
    conflict.as_of = origin;
    for o in &mut conflict.observed {
        let keep = (origin.since(o.from) + 1).max(0) as usize;
        o.values.truncate(keep);
    }
    let known = (origin.since(conflict.start) + 1) as usize;
    let mut donors = Vec::new();
    for d in &mut conflict.donors {
        d.deliveries.values.truncate(known);
        let recent = &d.deliveries.values[d.deliveries.values.len().saturating_sub(DRIFT_MONTHS)..];
        d.after.value = recent.iter().sum::<f64>() / recent.len().max(1) as f64;
        donors.push(format!("conflict.donors.{}.after", d.id));
    }
    s.uncertain.retain(|u| !donors.contains(&u.path));
    // The calendar after the origin is not known then either: an event dated later (an
    // election, a summit) may have been written down with hindsight.
    if let Some(c) = s.conflict.as_mut() {
        c.events.retain(|e| e.month <= origin);
    }
    Ok(s)
}

/// The benchmarks' drift and spread from a series' values up to `origin`; `None` with fewer
/// than three monthly changes.
fn benchmark_moments(series: &Observed, origin: Month) -> Option<(f64, f64, f64)> {
    let last = series.at(origin)?;
    let mut changes = Vec::new();
    for k in 0..SPREAD_MONTHS as i32 {
        let m = origin.plus(-k);
        if let (Some(a), Some(b)) = (series.at(m), series.at(m.plus(-1))) {
            changes.push(a - b);
        }
    }
    if changes.len() < MIN_CHANGES {
        return None;
    }
    let drift_changes = &changes[..changes.len().min(DRIFT_MONTHS)];
    let mu = drift_changes.iter().sum::<f64>() / drift_changes.len() as f64;
    let mean = changes.iter().sum::<f64>() / changes.len() as f64;
    let sd = (changes.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (changes.len() - 1) as f64).sqrt();
    Some((last, mu, sd))
}

/// The forecasts made at `origin` from what was known then.
pub fn forecast_at(
    scenario: &Scenario,
    origin: Month,
    options: &BacktestOptions,
) -> Result<OriginForecast, ExperimentError> {
    let s = truncate(scenario, origin)?;
    let base = Simulation::new(&s, &[], None)?;
    let filter = FilterOptions { particles: options.particles, seed: options.seed, ..FilterOptions::default() };
    let record = assimilate(&base, &s.uncertain, &filter)?;
    let paths: Vec<&str> = s.uncertain.iter().map(|u| u.path.as_str()).collect();
    let observed = &base.conflict().observed;
    let h = options.horizons as usize;
    // As many replicates as one filter has particles, each from a particle of the pooled
    // ensemble picked on its own stream: per series, per horizon, a value; and per horizon,
    // whether the war had stopped.
    let replicates: Vec<(Vec<Vec<f64>>, Vec<bool>)> = (0..options.particles)
        .into_par_iter()
        .map(|i| -> Result<(Vec<Vec<f64>>, Vec<bool>), ExperimentError> {
            let particle = record.pick(options.seed, i as u64);
            let numbers: Vec<(&str, f64)> = paths.iter().copied().zip(particle.parameters.iter().copied()).collect();
            let sim = base.with_numbers(&numbers)?.starting_from(particle.state);
            let run_options =
                RunOptions { months: options.horizons, seed: options.seed, stream: i as u64, noise: true, talks: true };
            let path = sim.run(run_options);
            let mut rng = ChaCha12Rng::seed_from_u64(options.seed ^ OBSERVATION_SEED);
            rng.set_stream(i as u64);
            let stopped = path
                .months
                .iter()
                .map(|m| matches!(m.phase, Phase::Ceasefire | Phase::Settled | Phase::Capitulated))
                .collect();
            let values = sim
                .conflict()
                .observed
                .iter()
                .map(|o| {
                    path.months
                        .iter()
                        .map(|m| {
                            let value = observe(sim.war(), &m.war, o.measures);
                            let (bias, scale) = o.error.numbers();
                            let e: f64 = StandardNormal.sample(&mut rng);
                            match o.error {
                                parley_core::conflict::ObservationError::Normal { .. } => {
                                    value + bias.value + scale.value * e
                                }
                                parley_core::conflict::ObservationError::Lognormal { .. } => {
                                    value * (bias.value + scale.value * e).exp()
                                }
                            }
                        })
                        .collect()
                })
                .collect();
            Ok((values, stopped))
        })
        .collect::<Result<_, _>>()?;
    let m = replicates.len();
    let model: Vec<Vec<Vec<f64>>> = (0..observed.len())
        .map(|k| {
            (0..h)
                .map(|hz| {
                    let mut xs: Vec<f64> = replicates.iter().map(|(r, _)| r[k][hz]).collect();
                    xs.sort_by(f64::total_cmp);
                    xs
                })
                .collect()
        })
        .collect();
    let bench = |drift: bool| -> Vec<Vec<Option<Vec<f64>>>> {
        observed
            .iter()
            .map(|o| {
                let moments = benchmark_moments(o, origin);
                (1..=h)
                    .map(|hz| {
                        moments.map(|(last, mu, sd)| {
                            let centre = if drift { last + hz as f64 * mu } else { last };
                            normal_ensemble(centre, sd * (hz as f64).sqrt(), m)
                        })
                    })
                    .collect()
            })
            .collect()
    };
    let stopped = (0..h)
        .map(|hz| {
            replicates.iter().filter(|(_, s)| s.get(hz).copied().unwrap_or(false)).count() as f64 / m.max(1) as f64
        })
        .collect();
    Ok(OriginForecast {
        origin,
        diagnostics: record.diagnostics,
        model,
        no_change: bench(false),
        drift: bench(true),
        stopped,
    })
}

fn score(sorted: &[f64], y: f64) -> Score {
    Score {
        crps: crps_sorted(sorted, y),
        pit: pit(sorted, y),
        covered: LEVELS.map(|l| covers(sorted, l, y)),
        median: parley_core::stats::quantile(sorted, 0.5),
    }
}

/// Runs the backtest of `scenario` over the origins of `options`, calling `progress` with
/// the origins done and their number after each one; it stops between origins when
/// `progress` returns `false`.
///
/// # Errors
///
/// An origin outside the record; [`ExperimentError::Stopped`] when asked to stop;
/// whatever the filter or the simulation reports.
pub fn backtest(
    scenario: &Scenario,
    options: &BacktestOptions,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<Backtest, ExperimentError> {
    let conflict = scenario
        .conflict
        .as_ref()
        .ok_or_else(|| ExperimentError::Backtest("the scenario has no [conflict] section".into()))?;
    if conflict.observed.is_empty() {
        return Err(ExperimentError::Backtest("the scenario has no observed record ([[conflict.observed]])".into()));
    }
    if options.last < options.first {
        return Err(ExperimentError::Backtest(format!(
            "the last origin {} is before the first {}",
            options.last, options.first
        )));
    }
    let mut origins = Vec::new();
    let mut rows = Vec::new();
    let mut origin = options.first;
    let total = (options.last.since(options.first) + 1) as u64;
    while origin <= options.last {
        if !progress(origins.len() as u64, total) {
            return Err(ExperimentError::Stopped);
        }
        let f = forecast_at(scenario, origin, options)?;
        origins.push(OriginSummary {
            origin,
            min_ess: f.diagnostics.months.iter().map(|m| m.ess).fold(f64::INFINITY, f64::min),
            collapsed: f.diagnostics.collapsed.clone(),
            log_likelihood: f.diagnostics.log_likelihood,
            lineages: f.diagnostics.lineages,
            stopped: f.stopped.clone(),
        });
        for (k, o) in conflict.observed.iter().enumerate() {
            for hz in 1..=options.horizons {
                let target = origin.plus(hz as i32);
                let Some(y) = o.at(target) else { continue };
                let i = hz as usize - 1;
                rows.push(Row {
                    origin,
                    horizon: hz,
                    target,
                    series: o.id.clone(),
                    observed: y,
                    model: score(&f.model[k][i], y),
                    no_change: f.no_change[k][i].as_ref().map(|e| score(e, y)),
                    drift: f.drift[k][i].as_ref().map(|e| score(e, y)),
                });
            }
        }
        origin = origin.plus(1);
    }
    progress(total, total);
    let series = conflict
        .observed
        .iter()
        .map(|o| SeriesScores {
            series: o.id.clone(),
            horizons: (1..=options.horizons)
                .map(|hz| {
                    let r: Vec<&Row> = rows
                        .iter()
                        .filter(|r| r.series == o.id && r.horizon == hz && r.no_change.is_some() && r.drift.is_some())
                        .collect();
                    summarise(hz, &r)
                })
                .collect(),
        })
        .collect();
    let stopped = stopped_scores(&origins, options.horizons, conflict.as_of);
    Ok(Backtest { options: *options, origins, rows, series, stopped })
}

/// Per horizon, the origins' probabilities that the war had stopped, scored against the
/// record, which says it went on to `as_of`: target months after it are not scored.
fn stopped_scores(origins: &[OriginSummary], horizons: u32, as_of: Month) -> Vec<StoppedScores> {
    (1..=horizons)
        .map(|hz| {
            let p: Vec<f64> = origins
                .iter()
                .filter(|o| o.origin.plus(hz as i32) <= as_of)
                .filter_map(|o| o.stopped.get(hz as usize - 1).copied())
                .collect();
            let n = p.len();
            let mean = |f: &dyn Fn(f64) -> f64| p.iter().map(|&x| f(x)).sum::<f64>() / n.max(1) as f64;
            StoppedScores { horizon: hz, n, probability: mean(&|x| x), brier: mean(&|x| x * x) }
        })
        .collect()
}

fn summarise(horizon: u32, rows: &[&Row]) -> HorizonScores {
    let n = rows.len();
    let mean = |f: &dyn Fn(&Row) -> f64| rows.iter().map(|r| f(r)).sum::<f64>() / n.max(1) as f64;
    let crps = mean(&|r| r.model.crps);
    let crps_no_change = mean(&|r| r.no_change.as_ref().map_or(f64::NAN, |s| s.crps));
    let crps_drift = mean(&|r| r.drift.as_ref().map_or(f64::NAN, |s| s.crps));
    let share = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n.max(1) as f64;
    let mut histogram = [0u64; 10];
    for r in rows {
        histogram[((r.model.pit * 10.0).floor() as usize).min(9)] += 1;
    }
    HorizonScores {
        horizon,
        n,
        crps,
        crps_no_change,
        crps_drift,
        skill_no_change: 1.0 - crps / crps_no_change,
        skill_drift: 1.0 - crps / crps_drift,
        coverage: [0, 1, 2].map(|l| share(&|r| r.model.covered[l])),
        coverage_drift: [0, 1, 2].map(|l| share(&|r| r.drift.as_ref().is_some_and(|d| d.covered[l]))),
        median_bias: mean(&|r| r.model.median - r.observed),
        pit: histogram,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::built_in;

    fn options(particles: usize) -> BacktestOptions {
        let origin = Month::parse("2024-09").expect("a month");
        BacktestOptions { first: origin, last: origin, horizons: 2, particles, seed: 3 }
    }

    #[test]
    fn test_default_window_is_fifteen_to_three_months_before_the_scenario_date() {
        let s = built_in();
        let (first, last) = BacktestOptions::window(s.conflict.as_ref().unwrap());
        assert_eq!((first.to_string(), last.to_string()), ("2024-07".to_string(), "2025-07".to_string()));
        // A record shorter than the window starts at the conflict's start.
        let mut c = s.conflict.clone().unwrap();
        c.start = Month::parse("2025-01").unwrap();
        assert_eq!(BacktestOptions::window(&c).0, c.start);
    }

    #[test]
    fn test_truncation_keeps_nothing_after_the_origin() {
        let s = built_in();
        let origin = Month::parse("2024-09").unwrap();
        let t = truncate(&s, origin).unwrap();
        let c = t.conflict.as_ref().unwrap();
        assert_eq!(c.as_of, origin);
        assert!(c.observed.iter().all(|o| o.last() <= origin));
        assert!(c.events.iter().all(|e| e.month <= origin));
        assert!(c.donors.iter().all(|d| d.deliveries.values.len() == (origin.since(c.start) + 1) as usize));
        assert!(t.uncertain.iter().all(|u| !u.path.starts_with("conflict.donors.")));
        // Outside the record is an error, not a silent clamp.
        assert!(truncate(&s, Month::parse("2023-06").unwrap()).is_err());
    }

    #[test]
    fn test_truncation_keeps_the_date_the_beliefs_describe() {
        // The sides' optimism describes the scenario date, 2025-10: a forecast from an
        // origin starts from the beliefs the full run had at that origin, and cutting twice
        // keeps the first date.
        let s = built_in();
        let scenario_date = s.conflict.as_ref().unwrap().as_of;
        let t = truncate(&s, Month::parse("2025-04").unwrap()).unwrap();
        assert_eq!(t.conflict.as_ref().unwrap().beliefs_as_of, Some(scenario_date));
        let twice = truncate(&t, Month::parse("2024-09").unwrap()).unwrap();
        assert_eq!(twice.conflict.as_ref().unwrap().beliefs_as_of, Some(scenario_date));

        let full = Simulation::new(&s, &[], None).unwrap();
        let cut = Simulation::new(&t, &[], None).unwrap();
        let origin = cut.war().as_of.since(cut.war().start);
        let before = origin - full.war().as_of.since(full.war().start);
        assert_eq!(before, -6);
        let same = |a: [f64; 2], b: [f64; 2]| (0..2).all(|i| (a[i] - b[i]).abs() < 1e-12);
        assert!(same(cut.optimism(origin, 0), full.optimism(origin, before)));
        let (at_date, stated) = (cut.optimism(origin + 6, 6), full.optimism(origin + 6, 0));
        assert!(same(at_date, stated), "{at_date:?} against {stated:?}");
    }

    #[test]
    fn test_backtest_stops_when_asked() {
        let s = built_in();
        let mut calls = 0;
        let result = backtest(&s, &options(8), &mut |_, _| {
            calls += 1;
            false
        });
        assert!(matches!(result, Err(ExperimentError::Stopped)));
        assert_eq!(calls, 1);
    }

    #[test]
    fn test_backtest_scores_every_series_and_horizon() {
        let s = built_in();
        let b = backtest(&s, &options(40), &mut |_, _| true).unwrap();
        assert_eq!(b.origins.len(), 1);
        let series = s.conflict.as_ref().unwrap().observed.len();
        assert_eq!(b.rows.len(), series * 2);
        for x in &b.series {
            for h in &x.horizons {
                assert_eq!(h.n, 1);
                assert!(h.crps.is_finite() && h.crps >= 0.0);
                assert_eq!(h.pit.iter().sum::<u64>(), 1);
            }
        }
        let shares = &b.origins[0].stopped;
        assert_eq!(shares.len(), 2);
        assert!(shares.iter().all(|p| (0.0..=1.0).contains(p)));
        for (h, p) in b.stopped.iter().zip(shares) {
            assert_eq!((h.n, h.probability, h.brier), (1, *p, p * p));
        }
    }

    #[test]
    fn test_stopped_scores_are_the_mean_and_the_mean_square_over_months_on_the_record() {
        let origin = |m: &str, stopped: Vec<f64>| OriginSummary {
            origin: Month::parse(m).unwrap(),
            min_ess: 1.0,
            collapsed: vec![],
            log_likelihood: 0.0,
            lineages: 1,
            stopped,
        };
        let origins = [origin("2025-01", vec![0.1, 0.4, 0.5]), origin("2025-02", vec![0.3, 0.2, 0.9])];
        let scores = stopped_scores(&origins, 3, Month::parse("2025-04").unwrap());
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        // One month ahead: both origins' targets (2025-02, 2025-03) are on the record.
        assert_eq!(scores[0].n, 2);
        assert!(close(scores[0].probability, 0.2) && close(scores[0].brier, (0.01 + 0.09) / 2.0));
        // Three months ahead: 2025-04 is on the record, 2025-05 is past it.
        assert_eq!(scores[2].n, 1);
        assert!(close(scores[2].probability, 0.5) && close(scores[2].brier, 0.25));
        // No origin at all: nothing scored, and no division by zero.
        assert!(stopped_scores(&[], 2, Month::parse("2025-04").unwrap()).iter().all(|s| s.n == 0 && s.brier == 0.0));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

        /// No leakage: whatever the record says after the origin — observations, the
        /// donors' deliveries, events — the forecast made at the origin is the same.
        #[test]
        fn prop_data_after_the_origin_change_nothing(
            factor in 0.2f64..5.0,
            shift in -5000.0f64..5000.0,
            gap in any::<bool>(),
        ) {
            let s = built_in();
            let o = options(24);
            let before = forecast_at(&s, o.first, &o).unwrap();
            let mut changed = s.clone();
            let c = changed.conflict.as_mut().unwrap();
            for series in &mut c.observed {
                let from = (o.first.since(series.from) + 1) as usize;
                for v in series.values.iter_mut().skip(from) {
                    *v = if gap { None } else { v.map(|x| x * factor + shift) };
                }
            }
            let known = (o.first.since(c.start) + 1) as usize;
            for d in &mut c.donors {
                for v in d.deliveries.values.iter_mut().skip(known) {
                    *v *= factor;
                }
                d.after.value *= factor;
            }
            for e in &mut c.events {
                e.month = o.first.plus(1);
            }
            let after = forecast_at(&changed, o.first, &o).unwrap();
            prop_assert_eq!(before, after);
        }
    }
}
