//! Monte Carlo over the inputs: how sure is the forecast, given how sure the inputs are?
//!
//! Each actor's position, capability and salience is drawn uniformly within its stated
//! uncertainty ([`Uncertainty`]), the model runs on the drawn inputs, and the final medians
//! of all replicates form the forecast's distribution. The published replications report a
//! single path; this is an extension.
//!
//! Replicate `i` draws from its own random stream (`ChaCha12Rng` seeded with the master
//! seed, stream `i`), three numbers per actor in input order, so a replicate depends only on
//! the seed and its index: results are the same on any number of threads.

use parley_core::stats::{Proportion, quantile};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::ForecastError;
use crate::model::{Actor, Dataset};
use crate::options::Options;
use crate::rounds::forecast;

/// How uncertain one actor's inputs are: the half-widths of the uniform ranges they are
/// drawn from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Uncertainty {
    /// ± on the position, in scale units (≥ 0). Draws stay within the scale's ends.
    pub position: f64,
    /// ± on the capability, as a fraction of it, in [0, 1): capability × (1 ± this).
    pub capability: f64,
    /// ± on the salience, on the 0–1 scale (≥ 0). Draws stay within [0, 1].
    pub salience: f64,
}

impl Uncertainty {
    /// The same uncertainty for every actor.
    pub fn uniform(position: f64, capability: f64, salience: f64) -> Self {
        Self { position, capability, salience }
    }

    fn validate(&self, actor: &str) -> Result<(), ForecastError> {
        let bad = |field, value, rule| ForecastError::Uncertainty { actor: actor.to_string(), field, value, rule };
        if !(self.position >= 0.0 && self.position.is_finite()) {
            return Err(bad("position", self.position, "it must be a finite number ≥ 0"));
        }
        if !(0.0..1.0).contains(&self.capability) {
            return Err(bad("capability", self.capability, "it must lie in [0, 1) so capability stays above 0"));
        }
        if !(self.salience >= 0.0 && self.salience.is_finite()) {
            return Err(bad("salience", self.salience, "it must be a finite number ≥ 0"));
        }
        Ok(())
    }
}

/// A uniform draw on `[lo, hi]` (just `lo` when the interval is a point).
fn uniform(lo: f64, hi: f64, rng: &mut impl Rng) -> f64 {
    let u: f64 = rng.random();
    if hi > lo { lo + (hi - lo) * u } else { lo }
}

/// Draws one set of inputs: per actor, in input order, a position uniform on
/// `[x − a, x + a]` within the scale's ends, a capability uniform on `c·[1 − f, 1 + f]` and
/// a salience uniform on `[s − b, s + b] ∩ [0, 1]`. Always three draws per actor, so the
/// stream stays aligned whatever the widths.
pub fn perturb(data: &Dataset, uncertainty: &[Uncertainty], rng: &mut impl Rng) -> Result<Dataset, ForecastError> {
    check(data, uncertainty)?;
    let scale = data.scale();
    let actors = data
        .actors()
        .iter()
        .zip(uncertainty)
        .map(|(a, u)| {
            let lo = scale.min.map_or(a.position - u.position, |m| (a.position - u.position).max(m));
            let hi = scale.max.map_or(a.position + u.position, |m| (a.position + u.position).min(m));
            let position = uniform(lo, hi, rng);
            let capability = uniform(a.capability * (1.0 - u.capability), a.capability * (1.0 + u.capability), rng);
            let salience = uniform((a.salience - u.salience).max(0.0), (a.salience + u.salience).min(1.0), rng);
            Actor { name: a.name.clone(), capability, position, salience }
        })
        .collect();
    Dataset::with_scale(actors, scale.clone())
}

fn check(data: &Dataset, uncertainty: &[Uncertainty]) -> Result<(), ForecastError> {
    if uncertainty.len() != data.actors().len() {
        return Err(ForecastError::UncertaintyCount { given: uncertainty.len(), actors: data.actors().len() });
    }
    for (a, u) in data.actors().iter().zip(uncertainty) {
        u.validate(&a.name)?;
    }
    Ok(())
}

/// A Monte Carlo run: how many replicates, the master seed, histogram bins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MonteCarlo {
    /// Replicates (at least 1).
    pub runs: u64,
    /// Master seed: replicate `i` draws from stream `i` of it.
    pub seed: u64,
    /// Bins of the histogram of final medians (at least 1).
    pub bins: usize,
}

/// Quantiles of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Quantiles {
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// 50th percentile.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Quantiles {
    /// The quantiles of a sorted sample (linear interpolation between order statistics).
    fn of_sorted(sorted: &[f64]) -> Self {
        let q = |p| quantile(sorted, p);
        Self { p5: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95) }
    }
}

/// The distribution of one number over the replicates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (n − 1 in the denominator; 0 for one replicate).
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Quantiles.
    pub quantiles: Quantiles,
}

impl Spread {
    fn of(xs: &[f64]) -> Self {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd =
            if xs.len() > 1 { (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        Self { mean, sd, min: sorted[0], max: sorted[sorted.len() - 1], quantiles: Quantiles::of_sorted(&sorted) }
    }
}

/// One bin of a histogram: `[lo, hi)`, the last bin closed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Bin {
    /// Lower edge.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Replicates in the bin.
    pub count: u64,
}

/// How often the final median lands nearest to one labelled point of the scale.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointShare {
    /// The point's value.
    pub value: f64,
    /// Its id, if any.
    pub id: Option<String>,
    /// Its label.
    pub label: String,
    /// The share of replicates, with its 95% Wilson interval.
    pub share: Proportion,
}

/// The median of one round across the replicates (for a fan chart).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RoundBand {
    /// The round (0: the drawn starting positions).
    pub round: usize,
    /// Quantiles of that round's median.
    pub median: Quantiles,
}

/// The forecast's distribution over the replicates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Distribution {
    /// The run.
    pub run: MonteCarlo,
    /// Replicates whose drawn inputs could not be forecast (for example every salience
    /// drawn as 0); they are left out of everything below.
    pub failed: u64,
    /// The final median (the forecast).
    pub median: Spread,
    /// The final weighted mean.
    pub mean: Spread,
    /// Histogram of the final median over the scale's ends when it has both, otherwise over
    /// the initial positions' range widened to every final median.
    pub histogram: Vec<Bin>,
    /// For a scale with labelled points: how often the final median is nearest each.
    pub points: Vec<PointShare>,
    /// The median's quantiles round by round; a replicate stopped early by the convergence
    /// rule keeps its last median.
    pub rounds: Vec<RoundBand>,
}

/// Most per-round medians a run keeps in memory (2 GB of them): `runs × (rounds + 1)`.
pub const MAX_STORED_MEDIANS: u64 = 250_000_000;

/// Runs replicate `index`: draws its inputs from its stream, forecasts them, and writes
/// the median of every round into `medians` (a replicate stopped early keeps its last
/// one); returns the final mean.
fn replicate(
    data: &Dataset,
    options: &Options,
    uncertainty: &[Uncertainty],
    seed: u64,
    index: u64,
    medians: &mut [f64],
) -> Result<f64, ForecastError> {
    let mut rng = ChaCha12Rng::seed_from_u64(seed);
    rng.set_stream(index);
    let drawn = perturb(data, uncertainty, &mut rng)?;
    let f = forecast(&drawn, options)?;
    let last = f.median();
    for (slot, m) in medians.iter_mut().zip(f.medians().into_iter().chain(std::iter::repeat(last))) {
        *slot = m;
    }
    Ok(f.last().mean)
}

/// Runs `run.runs` replicates in parallel and summarises the forecast's distribution. The
/// result does not depend on the number of threads.
pub fn monte_carlo(
    data: &Dataset,
    options: &Options,
    uncertainty: &[Uncertainty],
    run: MonteCarlo,
) -> Result<Distribution, ForecastError> {
    options.validate()?;
    check(data, uncertainty)?;
    if run.runs == 0 {
        return Err(ForecastError::Option { name: "runs", value: "0".into(), rule: "run at least 1 replicate" });
    }
    if run.bins == 0 {
        return Err(ForecastError::Option { name: "bins", value: "0".into(), rule: "use at least 1 bin" });
    }
    let width = options.rounds + 1;
    let stored = run.runs.checked_mul(width as u64).filter(|&n| n <= MAX_STORED_MEDIANS);
    let Some(stored) = stored.and_then(|n| usize::try_from(n).ok()) else {
        return Err(ForecastError::Option {
            name: "runs",
            value: run.runs.to_string(),
            rule: "runs × (rounds + 1) medians must fit in memory (at most 250,000,000); use fewer runs",
        });
    };
    // One row of medians per replicate, written in place: the result is laid out by
    // replicate index whatever the threads do.
    let mut medians = vec![f64::NAN; stored];
    let mut means: Vec<Option<f64>> = vec![None; stored / width];
    medians.par_chunks_mut(width).zip(means.par_iter_mut()).enumerate().for_each(|(i, (row, mean))| {
        *mean = replicate(data, options, uncertainty, run.seed, i as u64, row).ok();
    });
    let ok: Vec<usize> = (0..means.len()).filter(|&i| means[i].is_some()).collect();
    let failed = run.runs - ok.len() as u64;
    if ok.is_empty() {
        return Err(ForecastError::Option {
            name: "uncertainty",
            value: "as stated".into(),
            rule: "every replicate's drawn inputs failed; narrow the uncertainty",
        });
    }
    let finals: Vec<f64> = ok.iter().map(|&i| medians[i * width + options.rounds]).collect();
    let means: Vec<f64> = means.iter().flatten().copied().collect();
    let scale = data.scale();
    let (lo, hi) = match (scale.min, scale.max) {
        (Some(lo), Some(hi)) if hi > lo => (lo, hi),
        _ => crate::model::span(data.actors().iter().map(|a| a.position)),
    };
    // Without a scale, drawn positions may leave the initial range, and so may medians.
    let (lo, hi) = crate::model::span(finals.iter().copied().chain([lo, hi]));
    let mut histogram: Vec<Bin> = (0..run.bins)
        .map(|b| Bin {
            lo: lo + (hi - lo) * b as f64 / run.bins as f64,
            hi: lo + (hi - lo) * (b + 1) as f64 / run.bins as f64,
            count: 0,
        })
        .collect();
    for &m in &finals {
        let b = (((m - lo) / (hi - lo)) * run.bins as f64).floor();
        histogram[(b.max(0.0) as usize).min(run.bins - 1)].count += 1;
    }
    let n = finals.len() as u64;
    let points = scale
        .points
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let count = finals.iter().filter(|&&m| scale.nearest_index(m) == Some(k)).count() as u64;
            PointShare { value: p.value, id: p.id.clone(), label: p.label.clone(), share: Proportion::new(count, n) }
        })
        .collect();
    let rounds = (0..=options.rounds)
        .map(|round| {
            let mut xs: Vec<f64> = ok.iter().map(|&i| medians[i * width + round]).collect();
            xs.sort_by(f64::total_cmp);
            RoundBand { round, median: Quantiles::of_sorted(&xs) }
        })
        .collect();
    Ok(Distribution { run, failed, median: Spread::of(&finals), mean: Spread::of(&means), histogram, points, rounds })
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;
    use crate::model::{Scale, ScalePoint};

    fn data() -> Dataset {
        let point = |value: f64, label: &str| ScalePoint { value, id: Some(label.into()), label: label.into() };
        let scale = Scale {
            min: Some(0.0),
            max: Some(4.0),
            points: (0..5).map(|k| point(k as f64, &format!("o{k}"))).collect(),
            ..Scale::default()
        };
        let actors = vec![
            Actor::new("A", 1.0, 0.0, 0.9),
            Actor::new("B", 2.0, 1.0, 0.5),
            Actor::new("C", 1.5, 4.0, 0.6),
            Actor::new("D", 0.5, 3.0, 0.3),
        ];
        Dataset::with_scale(actors, scale).unwrap()
    }

    #[test]
    fn test_draws_stay_within_their_ranges() {
        let d = data();
        let u = vec![Uncertainty::uniform(1.0, 0.5, 0.2); 4];
        let mut rng = ChaCha12Rng::seed_from_u64(7);
        for _ in 0..200 {
            let drawn = perturb(&d, &u, &mut rng).unwrap();
            for (a, b) in d.actors().iter().zip(drawn.actors()) {
                assert!((a.position - b.position).abs() <= 1.0 && (0.0..=4.0).contains(&b.position));
                assert!(b.capability >= a.capability * 0.5 && b.capability <= a.capability * 1.5);
                assert!((a.salience - b.salience).abs() <= 0.2 + 1e-15 && (0.0..=1.0).contains(&b.salience));
            }
        }
    }

    #[test]
    fn test_zero_uncertainty_reproduces_the_point_forecast() {
        let d = data();
        let point = forecast(&d, &Options::default()).unwrap();
        let run = MonteCarlo { runs: 8, seed: 1, bins: 4 };
        let dist = monte_carlo(&d, &Options::default(), &[Uncertainty::default(); 4], run).unwrap();
        assert_relative_eq!(dist.median.min, point.median());
        assert_relative_eq!(dist.median.max, point.median());
        assert_relative_eq!(dist.median.sd, 0.0);
        assert_eq!(dist.histogram.iter().map(|b| b.count).sum::<u64>(), 8);
        let share: u64 = dist.points.iter().map(|p| p.share.count).sum();
        assert_eq!(share, 8, "every replicate lands nearest one point");
    }

    #[test]
    fn test_same_seed_same_result_on_any_thread_count() {
        let d = data();
        let u = vec![Uncertainty::uniform(0.8, 0.3, 0.2); 4];
        let run = MonteCarlo { runs: 64, seed: 11, bins: 8 };
        let on = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| monte_carlo(&d, &Options::default(), &u, run).unwrap())
        };
        let one = on(1);
        assert_eq!(one, on(3));
        assert!(one.median.sd > 0.0, "the draws move the forecast");
        let other = monte_carlo(&d, &Options::default(), &u, MonteCarlo { seed: 12, ..run }).unwrap();
        assert_ne!(one, other);
        assert_eq!(one.rounds.len(), Options::default().rounds + 1);
    }

    #[test]
    fn test_histogram_covers_medians_that_leave_the_initial_range() {
        // Without a scale, positions may be drawn beyond the initial ones.
        let actors =
            vec![Actor::new("A", 1.0, 0.0, 0.9), Actor::new("B", 1.0, 1.0, 0.9), Actor::new("C", 3.0, 1.0, 0.9)];
        let d = Dataset::new(actors).unwrap();
        let u = vec![Uncertainty::uniform(2.0, 0.0, 0.0); 3];
        let dist = monte_carlo(&d, &Options::default(), &u, MonteCarlo { runs: 100, seed: 5, bins: 7 }).unwrap();
        assert!(dist.median.max > 1.0 || dist.median.min < 0.0, "some median leaves [0, 1]");
        let (first, last) = (dist.histogram[0], dist.histogram[6]);
        assert!(first.lo <= dist.median.min && last.hi >= dist.median.max);
        assert_eq!(dist.histogram.iter().map(|b| b.count).sum::<u64>(), 100);
    }

    #[test]
    fn test_runs_that_would_not_fit_in_memory_are_refused() {
        let u = vec![Uncertainty::default(); 4];
        let run = MonteCarlo { runs: MAX_STORED_MEDIANS, seed: 0, bins: 2 };
        let e = monte_carlo(&data(), &Options::default(), &u, run).unwrap_err();
        assert!(matches!(e, ForecastError::Option { name: "runs", .. }), "{e}");
        let run = MonteCarlo { runs: u64::MAX, seed: 0, bins: 2 };
        assert!(monte_carlo(&data(), &Options::default(), &u, run).is_err());
    }

    #[test]
    fn test_bad_uncertainty_is_refused() {
        let d = data();
        let run = MonteCarlo { runs: 2, seed: 0, bins: 2 };
        let bad = vec![Uncertainty::uniform(0.1, 1.0, 0.1); 4];
        assert!(matches!(
            monte_carlo(&d, &Options::default(), &bad, run),
            Err(ForecastError::Uncertainty { field: "capability", .. })
        ));
        let few = vec![Uncertainty::default(); 3];
        assert!(matches!(monte_carlo(&d, &Options::default(), &few, run), Err(ForecastError::UncertaintyCount { .. })));
        let none = vec![Uncertainty::default(); 4];
        assert!(monte_carlo(&d, &Options::default(), &none, MonteCarlo { runs: 0, ..run }).is_err());
    }
}
