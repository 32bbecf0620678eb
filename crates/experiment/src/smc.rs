//! Sequential Monte Carlo: a bootstrap particle filter over a state-space model with
//! static parameters, rejuvenated by kernel shrinkage.
//!
//! Each particle carries a parameter vector `θ` and a state `x`. Every time step:
//!
//! 1. **Propagate.** `x_t ~ p(x_t | x_{t−1}, θ)` — the model's own dynamics with its own
//!    shocks (the *bootstrap* proposal of Gordon, Salmond & Smith, "Novel approach to
//!    nonlinear/non-Gaussian Bayesian state estimation", IEE Proceedings F 140(2):107–113,
//!    1993, doi:10.1049/ip-f-2.1993.0015).
//! 2. **Weight.** `w ∝ w · p(y_t | x_t, θ)`, in logs; a particle the data rule out gets
//!    weight zero (log −∞). The increment's mean estimates `p(y_t | y_{<t})`, and the product
//!    over steps estimates the likelihood of the data — unbiasedly (Del Moral 2004).
//! 3. **Resample** when the effective sample size `ESS = 1 / Σ w̄²` falls below a
//!    threshold: *systematic* resampling (one uniform, N evenly spaced points; Kitagawa,
//!    "Monte Carlo filter and smoother for non-Gaussian nonlinear state space models", JCGS
//!    5(1):1–25, 1996, doi:10.1080/10618600.1996.10474692), then weights are equal again.
//! 4. **Rejuvenate** the static parameters after each resampling, which would otherwise
//!    collapse onto a few values: Liu & West's kernel shrinkage ("Combined parameter and
//!    state estimation in simulation-based filtering", in Doucet, de Freitas & Gordon (eds.),
//!    *Sequential Monte Carlo Methods in Practice*, Springer 2001, pp. 197–223,
//!    doi:10.1007/978-1-4757-3437-9_10). On a transformed scale `z = g(θ)` that is
//!    unbounded (log for a positive number, logit for one within bounds),
//!    `z' = a·z + (1 − a)·z̄ + √(1 − a²)·ε`, `ε ~ N(0, V)`, where `z̄` and `V` are the
//!    cloud's mean and covariance: the jitter keeps the cloud's mean and variance while
//!    letting the parameters move. `a = (3δ − 1)/(2δ)` for a discount factor `δ` near 1.
//!
//! Reproducibility: particle `i` at step `t` draws from stream `t·N + i` of a seed, and
//! resampling at step `t` from a stream of its own, so the result depends only on the seed
//! and the number of particles — not on threads or scheduling.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::Serialize;

/// A state-space model with static parameters, as the filter sees it.
pub trait StateSpace: Sync {
    /// The parameters compiled for fast stepping (rebuilt after each rejuvenation).
    type Compiled: Send + Sync;
    /// The state of one particle.
    type State: Clone + Send + Sync;

    /// Compiles a parameter vector (on the natural scale).
    fn compile(&self, parameters: &[f64]) -> Self::Compiled;
    /// The state before the first step.
    fn initial(&self, compiled: &Self::Compiled) -> Self::State;
    /// Advances the state by step `t` (0-based), drawing the step's shocks from `rng`, and
    /// returns it with the log-likelihood of step `t`'s observations given it (0 without
    /// observations; `−∞` if the data rule the particle out).
    fn step(
        &self,
        compiled: &Self::Compiled,
        state: &Self::State,
        t: usize,
        rng: &mut ChaCha12Rng,
    ) -> (Self::State, f64);
}

/// How a parameter is mapped to an unbounded scale for the rejuvenation kernel.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Transform {
    /// Unbounded: `z = θ`.
    Identity,
    /// Bounded below: `z = ln(θ − lower)`.
    Log {
        /// The lower bound.
        lower: f64,
    },
    /// Bounded on both sides: `z = logit((θ − lower)/(upper − lower))`.
    Logit {
        /// The lower bound.
        lower: f64,
        /// The upper bound.
        upper: f64,
    },
}

/// Keeps a transformed value this far inside the bounds, so that `z` stays finite.
const EDGE: f64 = 1e-9;

impl Transform {
    /// `z = g(θ)`.
    pub fn forward(self, x: f64) -> f64 {
        match self {
            Transform::Identity => x,
            Transform::Log { lower } => (x - lower).max(EDGE).ln(),
            Transform::Logit { lower, upper } => {
                let p = ((x - lower) / (upper - lower)).clamp(EDGE, 1.0 - EDGE);
                (p / (1.0 - p)).ln()
            }
        }
    }

    /// `θ = g⁻¹(z)`.
    pub fn inverse(self, z: f64) -> f64 {
        match self {
            Transform::Identity => z,
            Transform::Log { lower } => lower + z.exp(),
            Transform::Logit { lower, upper } => lower + (upper - lower) / (1.0 + (-z).exp()),
        }
    }
}

/// Settings of a filter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FilterOptions {
    /// Particles.
    pub particles: usize,
    /// Master seed.
    pub seed: u64,
    /// Resample when the effective sample size falls below this share of the particles
    /// (1 resamples every step).
    pub resample_below: f64,
    /// Liu and West's discount factor δ (the shrinkage is `a = (3δ − 1)/(2δ)`); 1 turns
    /// rejuvenation off.
    pub discount: f64,
}

impl Default for FilterOptions {
    /// 1,000 particles, seed 0, resampling below half, δ = 0.98 (a ≈ 0.99).
    fn default() -> FilterOptions {
        FilterOptions { particles: 1000, seed: 0, resample_below: 0.5, discount: 0.98 }
    }
}

/// What happened at one step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StepReport {
    /// Effective sample size after weighting, before any resampling.
    pub ess: f64,
    /// Particles the step's data ruled out (weight zero).
    pub ruled_out: usize,
    /// `ln p̂(y_t | y_{<t})`; `−∞` if every particle was ruled out.
    pub log_likelihood: f64,
    /// Whether the particles were resampled (and their parameters rejuvenated).
    pub resampled: bool,
}

/// One particle at the end.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle<S> {
    /// Its parameters, on the natural scale.
    pub parameters: Vec<f64>,
    /// Its state.
    pub state: S,
}

/// The filter's result after the last step.
#[derive(Clone, Debug)]
pub struct Filtered<S> {
    /// The parameters the particles started with: a sample of the prior.
    pub prior: Vec<Vec<f64>>,
    /// The particles, weighted by [`Filtered::weights`].
    pub particles: Vec<Particle<S>>,
    /// Normalised weights (summing to 1).
    pub weights: Vec<f64>,
    /// One report per step.
    pub steps: Vec<StepReport>,
    /// `ln p̂(y_1..T)`, the sum of the steps' log-likelihoods.
    pub log_likelihood: f64,
    /// Each particle's *Eve index*: the draw of [`Filtered::prior`] its line of descent
    /// started from. Resampling copies some particles and drops others, so the lines
    /// coalesce (path degeneracy: Kantas, Doucet, Singh, Maciejowski & Chopin, "On particle
    /// methods for parameter estimation in state-space models", Statistical Science 30(3):
    /// 328–351, 2015, doi:10.1214/14-STS511); how many distinct indices remain says how many
    /// prior draws the parameters' posterior rests on, jitter aside.
    pub ancestors: Vec<usize>,
    /// The states' weighted ensemble after each step, for diagnostics: `trace[t]` is the
    /// particles' states at step `t` with their weights then.
    pub trace: Vec<Vec<(S, f64)>>,
}

/// Why a filter cannot go on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// Every particle was ruled out at a step: the data are impossible under the model and
    /// its prior, or the particles are too few.
    #[error("every particle was ruled out at step {step}: no parameter draw reproduces the record there")]
    Extinct {
        /// The step (0-based).
        step: usize,
    },
    /// The settings are invalid.
    #[error("{0}")]
    Options(String),
}

/// Mixed into the seed for the filter's streams.
const FILTER_SEED: u64 = 0xA076_1D64_78BD_642F;

fn rng(seed: u64, stream: u64) -> ChaCha12Rng {
    let mut r = ChaCha12Rng::seed_from_u64(seed ^ FILTER_SEED);
    r.set_stream(stream);
    r
}

/// How many distinct lines of descent `ancestors` (Eve indices) hold.
pub fn lineages(ancestors: &[usize]) -> usize {
    let mut distinct = ancestors.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len()
}

/// Effective sample size of normalised weights.
pub fn ess(weights: &[f64]) -> f64 {
    let s: f64 = weights.iter().map(|w| w * w).sum();
    if s > 0.0 { 1.0 / s } else { 0.0 }
}

/// Normalises log-weights in place to weights; returns `ln Σ exp(log_w) − ln N`, the log of
/// the mean weight (the step's likelihood estimate), or `None` if all are `−∞`.
pub(crate) fn normalise(log_w: &[f64], out: &mut [f64]) -> Option<f64> {
    let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return None;
    }
    let mut sum = 0.0;
    for (o, l) in out.iter_mut().zip(log_w) {
        *o = (l - max).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
    Some(max + sum.ln() - (log_w.len() as f64).ln())
}

/// Systematic resampling: `n` indices drawn with probabilities `weights` (normalised),
/// from points `(u + k)/n`, `k = 0..n`, for one uniform `u` in [0, 1). Indices come back
/// sorted; particle `i` appears between `⌊n·w_i⌋` and `⌈n·w_i⌉` times.
pub fn systematic(weights: &[f64], n: usize, u: f64) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    let mut cumulative = 0.0;
    let mut i = 0;
    for k in 0..n {
        let point = (u + k as f64) / n as f64;
        while i + 1 < weights.len() && cumulative + weights[i] <= point {
            cumulative += weights[i];
            i += 1;
        }
        out.push(i);
    }
    out
}

/// The weighted mean and covariance of the rows `z` (one per particle).
fn moments(z: &[Vec<f64>], weights: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = z.first().map_or(0, Vec::len);
    let mut mean = vec![0.0; d];
    for (row, w) in z.iter().zip(weights) {
        for (m, x) in mean.iter_mut().zip(row) {
            *m += w * x;
        }
    }
    let cov = (0..d)
        .map(|a| {
            (0..d)
                .map(|b| z.iter().zip(weights).map(|(row, w)| w * (row[a] - mean[a]) * (row[b] - mean[b])).sum())
                .collect()
        })
        .collect();
    (mean, cov)
}

/// The lower Cholesky factor of a covariance matrix; a matrix that is not positive
/// definite (a parameter that no longer varies) falls back to its diagonal.
fn cholesky(cov: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = cov.len();
    let mut l = vec![vec![0.0; d]; d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let v = cov[i][i] - s;
                if v.is_nan() || v <= 1e-300 {
                    return (0..d)
                        .map(|a| (0..d).map(|b| if a == b { cov[a][a].max(0.0).sqrt() } else { 0.0 }).collect())
                        .collect();
                }
                l[i][j] = v.sqrt();
            } else {
                l[i][j] = (cov[i][j] - s) / l[j][j];
            }
        }
    }
    l
}

/// Runs the filter over `steps` steps of `model`, the particles' parameters first drawn by
/// `prior` (particle `i` from its own stream), with `transforms` (one per parameter) for the
/// rejuvenation kernel.
pub fn filter<M: StateSpace>(
    model: &M,
    prior: &(dyn Fn(&mut ChaCha12Rng) -> Vec<f64> + Sync),
    transforms: &[Transform],
    steps: usize,
    options: &FilterOptions,
) -> Result<Filtered<M::State>, FilterError> {
    let n = options.particles;
    if n == 0 {
        return Err(FilterError::Options("a filter needs at least one particle".into()));
    }
    let valid = (0.0..=1.0).contains(&options.resample_below) && options.discount > 0.0 && options.discount <= 1.0;
    if !valid {
        return Err(FilterError::Options(
            "the resampling threshold must be within [0, 1] and the discount within (0, 1]".into(),
        ));
    }
    let shrink = (3.0 * options.discount - 1.0) / (2.0 * options.discount);
    let seed = options.seed;
    // Streams: [0, n) the prior draws; then (t + 1)·n + i for particle i at step t; the
    // resampling of step t on stream u64::MAX − t; the rejuvenation on a seed of its own.
    let mut parameters: Vec<Vec<f64>> = (0..n).into_par_iter().map(|i| prior(&mut rng(seed, i as u64))).collect();
    let prior_sample = parameters.clone();
    let mut compiled: Vec<M::Compiled> = parameters.par_iter().map(|p| model.compile(p)).collect();
    let mut states: Vec<M::State> = compiled.par_iter().map(|c| model.initial(c)).collect();
    let mut log_w = vec![0.0f64; n];
    let mut weights = vec![1.0 / n as f64; n];
    let mut reports = Vec::with_capacity(steps);
    let mut trace = Vec::with_capacity(steps);
    let mut total = 0.0;
    let mut ancestors: Vec<usize> = (0..n).collect();
    for t in 0..steps {
        let stepped: Vec<(M::State, f64)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut r = rng(seed, (t as u64 + 1) * n as u64 + i as u64);
                model.step(&compiled[i], &states[i], t, &mut r)
            })
            .collect();
        let mut increments = Vec::with_capacity(n);
        states = stepped
            .into_iter()
            .map(|(s, l)| {
                increments.push(if l.is_nan() { f64::NEG_INFINITY } else { l });
                s
            })
            .collect();
        let ruled_out = increments.iter().filter(|l| **l == f64::NEG_INFINITY).count();
        // The step's likelihood: Σ w̄_{t−1} · p(y_t | x_t), with the previous normalised weights.
        let weighted: Vec<f64> = increments.iter().zip(&weights).map(|(l, w)| l + w.ln()).collect();
        let mut scratch = vec![0.0; n];
        let step_ll = normalise(&weighted, &mut scratch).map(|m| m + (n as f64).ln());
        for (lw, inc) in log_w.iter_mut().zip(&increments) {
            *lw += inc;
        }
        let Some(_) = normalise(&log_w, &mut weights) else {
            return Err(FilterError::Extinct { step: t });
        };
        let step_ll = step_ll.unwrap_or(f64::NEG_INFINITY);
        total += step_ll;
        let e = ess(&weights);
        trace.push(states.iter().cloned().zip(weights.iter().copied()).collect());
        let resample = e < options.resample_below * n as f64 || options.resample_below >= 1.0;
        if resample {
            let u: f64 = rng(seed, u64::MAX - t as u64).random();
            let picks = systematic(&weights, n, u);
            states = picks.iter().map(|&i| states[i].clone()).collect();
            parameters = picks.iter().map(|&i| parameters[i].clone()).collect();
            ancestors = picks.iter().map(|&i| ancestors[i]).collect();
            log_w.iter_mut().for_each(|l| *l = 0.0);
            weights.iter_mut().for_each(|w| *w = 1.0 / n as f64);
            if shrink < 1.0 && !transforms.is_empty() {
                parameters = rejuvenate(&parameters, transforms, shrink, seed, t, n);
                compiled = parameters.par_iter().map(|p| model.compile(p)).collect();
            } else {
                let old = std::mem::take(&mut compiled);
                let mut slots: Vec<Option<M::Compiled>> = old.into_iter().map(Some).collect();
                // Without rejuvenation the compiled parameters follow their particles;
                // duplicates are compiled again.
                compiled = picks
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| slots[i].take().unwrap_or_else(|| model.compile(&parameters[k])))
                    .collect();
            }
        }
        reports.push(StepReport { ess: e, ruled_out, log_likelihood: step_ll, resampled: resample });
    }
    let particles =
        parameters.into_iter().zip(states).map(|(parameters, state)| Particle { parameters, state }).collect();
    Ok(Filtered { prior: prior_sample, particles, weights, steps: reports, log_likelihood: total, ancestors, trace })
}

/// Liu and West's kernel shrinkage of equally weighted parameter vectors.
fn rejuvenate(
    parameters: &[Vec<f64>],
    transforms: &[Transform],
    shrink: f64,
    seed: u64,
    t: usize,
    n: usize,
) -> Vec<Vec<f64>> {
    let z: Vec<Vec<f64>> =
        parameters.iter().map(|p| p.iter().zip(transforms).map(|(x, g)| g.forward(*x)).collect()).collect();
    let equal = vec![1.0 / n as f64; n];
    let (mean, cov) = moments(&z, &equal);
    let l = cholesky(&cov);
    let h = (1.0 - shrink * shrink).sqrt();
    let d = transforms.len();
    z.par_iter()
        .enumerate()
        .map(|(i, row)| {
            // The jitter of step t draws from streams of its own seed.
            let mut r = rng(seed ^ JITTER_SEED, (t * n + i) as u64);
            let e: Vec<f64> = (0..d).map(|_| StandardNormal.sample(&mut r)).collect();
            (0..d)
                .map(|a| {
                    let noise: f64 = (0..=a).map(|b| l[a][b] * e[b]).sum();
                    transforms[a].inverse(shrink * row[a] + (1.0 - shrink) * mean[a] + h * noise)
                })
                .collect()
        })
        .collect()
}

/// Mixed into the seed for the rejuvenation's streams.
const JITTER_SEED: u64 = 0xE703_7ED1_A0B4_28DB;

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(r: &mut ChaCha12Rng) -> f64 {
        StandardNormal.sample(r)
    }

    /// A random walk observed with noise: `x_t = x_{t−1} + N(0, q)`, `y_t = x_t + N(0, r)`,
    /// `x_0 ~ N(m0, p0)`. The Kalman filter gives its exact posterior and likelihood.
    struct RandomWalk {
        ys: Vec<f64>,
        q: f64,
        r: f64,
        m0: f64,
        p0: f64,
    }

    impl StateSpace for RandomWalk {
        type Compiled = ();
        type State = f64;

        fn compile(&self, _: &[f64]) {}

        fn initial(&self, (): &()) -> f64 {
            f64::NAN // drawn at the first step
        }

        fn step(&self, (): &(), x: &f64, t: usize, rng: &mut ChaCha12Rng) -> (f64, f64) {
            let z = normal(rng);
            let next = if t == 0 { self.m0 + self.p0.sqrt() * z } else { x + self.q.sqrt() * z };
            let e = self.ys[t] - next;
            (next, -0.5 * (2.0 * std::f64::consts::PI * self.r).ln() - 0.5 * e * e / self.r)
        }
    }

    /// The Kalman filter: posterior mean and variance after the last step, and ln p(y).
    fn kalman(m: &RandomWalk) -> (f64, f64, f64) {
        let (mut mean, mut var, mut ll) = (m.m0, m.p0, 0.0);
        for (t, y) in m.ys.iter().enumerate() {
            if t > 0 {
                var += m.q;
            }
            let s = var + m.r;
            ll += -0.5 * (2.0 * std::f64::consts::PI * s).ln() - 0.5 * (y - mean).powi(2) / s;
            let k = var / s;
            mean += k * (y - mean);
            var *= 1.0 - k;
        }
        (mean, var, ll)
    }

    fn walk() -> RandomWalk {
        let mut r = ChaCha12Rng::seed_from_u64(3);
        let mut x = 0.0;
        let ys = (0..12)
            .map(|_| {
                x += normal(&mut r) * 0.5;
                x + normal(&mut r) * 0.8
            })
            .collect();
        RandomWalk { ys, q: 0.25, r: 0.64, m0: 0.0, p0: 1.0 }
    }

    fn run(model: &RandomWalk, particles: usize, seed: u64) -> Filtered<f64> {
        let options = FilterOptions { particles, seed, resample_below: 0.5, discount: 1.0 };
        filter(model, &|_| Vec::new(), &[], model.ys.len(), &options).unwrap()
    }

    #[test]
    fn test_the_filter_matches_the_kalman_posterior_within_monte_carlo_error() {
        let model = walk();
        let (mean, var, _) = kalman(&model);
        let f = run(&model, 20_000, 1);
        let m: f64 = f.particles.iter().zip(&f.weights).map(|(p, w)| w * p.state).sum();
        let v: f64 = f.particles.iter().zip(&f.weights).map(|(p, w)| w * (p.state - m).powi(2)).sum();
        // Monte Carlo error of a weighted mean with ESS ≥ 10,000: sd ≈ √(var/ESS) ≈ 0.005.
        assert!((m - mean).abs() < 0.03, "mean {m} against Kalman {mean}");
        assert!((v / var - 1.0).abs() < 0.06, "variance {v} against Kalman {var}");
    }

    #[test]
    fn test_the_likelihood_estimate_is_unbiased() {
        // E[p̂(y)] = p(y): the mean of the estimates over independent filters (not of their
        // logs, which are biased low) agrees with the Kalman likelihood.
        let model = walk();
        let (_, _, exact) = kalman(&model);
        let runs = 400;
        let estimates: Vec<f64> = (0..runs).map(|seed| (run(&model, 200, seed).log_likelihood - exact).exp()).collect();
        let mean = estimates.iter().sum::<f64>() / runs as f64;
        let sd = (estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (runs - 1) as f64).sqrt();
        let se = sd / (runs as f64).sqrt();
        assert!((mean - 1.0).abs() < 4.0 * se + 0.01, "ratio of mean estimate to exact {mean} ± {se}");
        // The log estimate alone is biased low (Jensen), so the test above is not trivial.
        let mean_log: f64 = (0..runs).map(|s| run(&model, 200, s).log_likelihood - exact).sum::<f64>() / runs as f64;
        assert!(mean_log < 0.0, "{mean_log}");
    }

    #[test]
    fn test_results_do_not_depend_on_threads() {
        let model = walk();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| run(&model, 500, 9));
        let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap().install(|| run(&model, 500, 9));
        assert_eq!(one.particles, four.particles);
        assert_eq!(one.weights, four.weights);
        assert_eq!(one.log_likelihood.to_bits(), four.log_likelihood.to_bits());
    }

    #[test]
    fn test_systematic_resampling_keeps_each_count_within_one_of_its_share() {
        let w = [0.1, 0.0, 0.45, 0.2, 0.25];
        for u in [0.0, 0.13, 0.5, 0.999] {
            let picks = systematic(&w, 20, u);
            assert_eq!(picks.len(), 20);
            for (i, wi) in w.iter().enumerate() {
                let count = picks.iter().filter(|&&p| p == i).count() as f64;
                assert!((count - 20.0 * wi).abs() <= 1.0, "particle {i}: {count} for share {wi} at u = {u}");
            }
        }
    }

    #[test]
    fn test_transforms_round_trip_and_keep_bounds() {
        for (g, xs) in [
            (Transform::Identity, vec![-3.0, 0.0, 7.5]),
            (Transform::Log { lower: 0.0 }, vec![1e-6, 1.0, 3e5]),
            (Transform::Logit { lower: 0.03, upper: 0.1 }, vec![0.031, 0.05, 0.099]),
        ] {
            for x in xs {
                assert!((g.inverse(g.forward(x)) - x).abs() < 1e-9 * (1.0 + x.abs()), "{g:?} {x}");
            }
        }
        let g = Transform::Logit { lower: 2.0, upper: 4.5 };
        for z in [-50.0, -1.0, 0.0, 3.0, 50.0] {
            let x = g.inverse(z);
            assert!((2.0..=4.5).contains(&x));
        }
    }

    /// A static parameter observed directly with noise: `y_t = θ + N(0, 1)`, `θ ~ N(0, 10²)`.
    struct Constant {
        ys: Vec<f64>,
    }

    impl StateSpace for Constant {
        type Compiled = f64;
        type State = ();

        fn compile(&self, p: &[f64]) -> f64 {
            p[0]
        }

        fn initial(&self, _: &f64) {}

        fn step(&self, theta: &f64, (): &(), t: usize, _: &mut ChaCha12Rng) -> ((), f64) {
            ((), -0.5 * (self.ys[t] - theta).powi(2))
        }
    }

    #[test]
    fn test_rejuvenation_recovers_a_static_parameter() {
        // The conjugate posterior after 30 observations is N(ȳ·k, 1/(30 + 0.01)) with
        // k = 30/(30 + 0.01): the kernel lets the cloud concentrate there.
        let mut r = ChaCha12Rng::seed_from_u64(5);
        let ys: Vec<f64> = (0..30).map(|_| 2.5 + normal(&mut r)).collect();
        let ybar = ys.iter().sum::<f64>() / 30.0;
        let post_mean = ybar * 30.0 / 30.01;
        let post_sd = (1.0 / 30.01f64).sqrt();
        let model = Constant { ys };
        let options = FilterOptions { particles: 4000, seed: 2, resample_below: 0.5, discount: 0.98 };
        let prior = |r: &mut ChaCha12Rng| vec![10.0 * normal(r)];
        let f = filter(&model, &prior, &[Transform::Identity], 30, &options).unwrap();
        let m: f64 = f.particles.iter().zip(&f.weights).map(|(p, w)| w * p.parameters[0]).sum();
        let sd = f.particles.iter().zip(&f.weights).map(|(p, w)| w * (p.parameters[0] - m).powi(2)).sum::<f64>().sqrt();
        assert!((m - post_mean).abs() < 0.1, "posterior mean {m} against {post_mean}");
        assert!(sd < 2.0 * post_sd && sd > 0.3 * post_sd, "posterior sd {sd} against {post_sd}");
    }

    #[test]
    fn test_each_particle_knows_the_prior_draw_it_descends_from() {
        // Without the jitter a particle's parameter is its Eve's prior draw, copied along.
        let mut r = ChaCha12Rng::seed_from_u64(8);
        let model = Constant { ys: (0..12).map(|_| 1.0 + normal(&mut r)).collect() };
        let prior = |r: &mut ChaCha12Rng| vec![10.0 * normal(r)];
        let resampling = FilterOptions { particles: 500, seed: 4, resample_below: 1.0, discount: 1.0 };
        let f = filter(&model, &prior, &[Transform::Identity], 12, &resampling).unwrap();
        for (p, &eve) in f.particles.iter().zip(&f.ancestors) {
            assert_eq!(p.parameters[0].to_bits(), f.prior[eve][0].to_bits());
        }
        // Twelve observations of θ with unit noise against a prior of sd 10: the lines of
        // descent coalesce onto the few draws near the data.
        let kept = lineages(&f.ancestors);
        assert!(kept > 1 && kept < 100, "{kept} of 500 lines left");
        // Never resampled, every particle is its own line.
        let never = FilterOptions { resample_below: 0.0, ..resampling };
        let f = filter(&model, &prior, &[Transform::Identity], 12, &never).unwrap();
        assert_eq!(f.ancestors, (0..500).collect::<Vec<_>>());
        assert_eq!(lineages(&f.ancestors), 500);
    }

    #[test]
    fn test_a_record_nothing_can_reproduce_is_an_error() {
        struct Impossible;
        impl StateSpace for Impossible {
            type Compiled = ();
            type State = ();
            fn compile(&self, _: &[f64]) {}
            fn initial(&self, (): &()) {}
            fn step(&self, (): &(), (): &(), _: usize, _: &mut ChaCha12Rng) -> ((), f64) {
                ((), f64::NEG_INFINITY)
            }
        }
        let e = filter(&Impossible, &|_| vec![], &[], 3, &FilterOptions::default()).unwrap_err();
        assert_eq!(e, FilterError::Extinct { step: 0 });
    }
}
