//! Conditioning the Monte Carlo on the observed record: where every forecast starts.
//!
//! Without it, each replicate would start the war at the conflict's start with its own
//! drawn parameters and run to the scenario date without looking at what happened, so the
//! replicates would disagree about the present. Instead, [`assimilate`] runs a particle
//! filter ([`crate::smc`]) over the `[[uncertain]]` parameters and the war's state from the
//! start to the scenario date, month by month:
//!
//! * each particle's war advances with its own shocks; the front's shock, when the front is
//!   observed with a normal error, is drawn from its posterior given the month's observation
//!   (the locally optimal proposal of Doucet, Godsill & Andrieu, "On sequential Monte Carlo
//!   sampling methods for Bayesian filtering", Statistics and Computing 10:197–208, 2000,
//!   doi:10.1023/A:1008935410038), the particle weighted by the observation's predictive
//!   density — far fewer particles are wasted than by proposing it blindly; a side's losses
//!   observed with a lognormal error have their innovation drawn from the same posterior of
//!   the model linearised in the log of losses ([`War::loss_innovation`]), the particle
//!   weighted by the likelihood times the prior over the proposal, which is exact however
//!   good the linearisation (on the built-in record's first month the weights scatter about
//!   a thousand times less than blind draws');
//! * it is weighted by the likelihood of the month's observations, each series through its
//!   observation model (`[[conflict.observed]]`: normal or lognormal error with a stated
//!   bias and scale);
//! * the record says the war went on: a particle is weighted by the chance that neither side
//!   broke, and ruled out (weight zero) if talks in that month would have ended in an
//!   agreement;
//! * the static parameters are rejuvenated after each resampling (Liu and West's kernel);
//! * after the last month, the talk-side parameters ([`talk_side`]: the sides' optimism and
//!   the like, which the record bears on only through the fact that talks did not agree) are
//!   drawn again from their priors by an exact Gibbs move along each particle's own path
//!   (`redraw_talk_side`), so that the few prior draws resampling leaves do not stand in for
//!   them.
//!
//! The record is filtered [`FILTERS`] times independently and the ensembles pooled: one
//! filter's particles descend from a few prior draws, and independent filters average that
//! error away where more particles in one filter barely do.
//!
//! The filtered particles at the scenario date — parameters and state, resampled to equal
//! weights — are where an experiment's replicates, the sensitivity study and the central
//! path start. The diagnostics report the effective sample size of every month (and any
//! collapse), each parameter's posterior against its prior, and the filtered path against
//! each observed series.

use std::sync::Arc;

use parley_core::Uncertain;
use parley_core::conflict::{Month, Observable, ObservationError, Observed};
use parley_core::stats::quantile;
use parley_sim::calibrate::observe;
use parley_sim::coupled::Simulation;
use parley_sim::war::{Shocks, War, WarState};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sample::draw_uncertain;
use crate::smc::{self, FilterError, FilterOptions, Particle, StateSpace, Transform};

/// A month whose effective sample size falls below this share of the particles is
/// reported as a collapse.
pub const COLLAPSE: f64 = 0.05;

/// Why the record cannot be assimilated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssimilationError {
    /// A particle's numbers do not apply to the simulation.
    #[error(transparent)]
    Simulation(#[from] parley_sim::coupled::SimulationError),
    /// The filter stopped.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// There is nothing to assimilate.
    #[error("the scenario has no observed record ([[conflict.observed]]) to condition on")]
    NoRecord,
    /// An uncertain parameter's distribution cannot be drawn from.
    #[error("[[uncertain]] {path}: {problem}")]
    InvalidDistribution {
        /// The parameter's path.
        path: String,
        /// What is wrong with its distribution.
        problem: String,
    },
}

/// One month of the filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthFit {
    /// The month.
    pub month: Month,
    /// Effective sample size of the pooled ensemble after weighting, each filter's particles
    /// weighed by `1/K`: `K² / Σ 1/ESS_k`, which the worst filter dominates.
    pub ess: f64,
    /// Particles the month ruled out (a settlement or a collapse the record did not see),
    /// over all the filters.
    pub ruled_out: usize,
    /// `ln p̂(this month's observations | earlier ones)`, the filters' mean.
    pub log_likelihood: f64,
    /// Whether any filter resampled.
    pub resampled: bool,
}

/// An uncertain parameter before and after the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    /// Its path.
    pub path: String,
    /// Prior 5th, 50th and 95th percentiles and mean.
    pub prior: [f64; 4],
    /// Posterior 5th, 50th and 95th percentiles and mean.
    pub posterior: [f64; 4],
}

/// An observed series against the filtered model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesFit {
    /// The series' id.
    pub id: String,
    /// The months, from the start to the scenario date.
    pub months: Vec<Month>,
    /// The observations (`None`: not observed).
    pub observed: Vec<Option<f64>>,
    /// The filtered model's 10th, 50th and 90th percentiles of the series' value each month.
    pub filtered: Vec<[f64; 3]>,
    /// Share of observed months inside the filtered 80% band.
    pub coverage_80: f64,
}

/// What assimilation found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// Particles, over all the filters.
    pub particles: usize,
    /// Independent filters whose ensembles were pooled ([`FILTERS`]; 1 in results saved
    /// before there were several).
    #[serde(default = "one")]
    pub filters: usize,
    /// The last month assimilated (the scenario date, or a backtest's origin).
    pub through: Month,
    /// Month by month.
    pub months: Vec<MonthFit>,
    /// Months whose effective sample size fell below [`COLLAPSE`] of the particles.
    pub collapsed: Vec<Month>,
    /// `ln p̂(record)`: the log of the filters' mean estimate (each is unbiased).
    pub log_likelihood: f64,
    /// How many of the prior's draws the equally weighted particles at the end descend
    /// from, summed over the filters ([`smc::Filtered::ancestors`]): the rest died out in
    /// resampling. A parameter the record does not inform keeps its prior only as well as
    /// these few draws (spread by the jitter) represent it, so what depends on it moves
    /// with the seed. 0 in results saved before it was counted.
    #[serde(default)]
    pub lineages: usize,
    /// Particles whose talk-side assumptions ([`talk_side`]) were drawn again from their
    /// priors after filtering (the others' draws would have had their talks agree on the
    /// record). 0 in results saved before the redraw existed.
    #[serde(default)]
    pub redrawn: usize,
    /// Each uncertain parameter.
    pub parameters: Vec<Posterior>,
    /// Each observed series.
    pub series: Vec<SeriesFit>,
}

fn one() -> usize {
    1
}

/// The filtered ensemble at the scenario date.
#[derive(Clone, Debug)]
pub struct Assimilated {
    /// Equally weighted particles: the uncertain parameters' values (in file order) and the
    /// war's state at the scenario date.
    pub particles: Vec<Particle<WarState>>,
    /// How the filter went.
    pub diagnostics: Diagnostics,
}

impl Assimilated {
    /// The particle replicate `index` starts from: drawn uniformly from its own stream.
    pub fn pick(&self, seed: u64, index: u64) -> &Particle<WarState> {
        let mut rng = ChaCha12Rng::seed_from_u64(seed ^ PICK_SEED);
        rng.set_stream(index);
        &self.particles[rng.random_range(0..self.particles.len())]
    }

    /// The central state: each component the particles' mean (the state the central path
    /// starts from).
    pub fn mean_state(&self) -> WarState {
        let n = self.particles.len() as f64;
        let mut m = self.particles[0].state;
        let sum = |f: &dyn Fn(&WarState) -> f64| self.particles.iter().map(|p| f(&p.state)).sum::<f64>() / n;
        for i in 0..2 {
            m.manpower[i] = sum(&|s| s.manpower[i]);
            m.materiel[i] = sum(&|s| s.materiel[i]);
            m.economy[i] = sum(&|s| s.economy[i]);
            m.support[i] = sum(&|s| s.support[i]);
            m.losses[i] = sum(&|s| s.losses[i]);
            m.aid[i] = sum(&|s| s.aid[i]);
            m.spending[i] = sum(&|s| s.spending[i]);
            m.loss_shock[i] = sum(&|s| s.loss_shock[i]);
        }
        m.held = sum(&|s| s.held);
        m.territory_change = sum(&|s| s.territory_change);
        m.front_shock = sum(&|s| s.front_shock);
        m.front_pace = sum(&|s| s.front_pace);
        // The share of particles with an offensive under way: the central path carries the
        // chance of one.
        m.offensive = sum(&|s| s.offensive);
        m
    }

    /// The central path's simulation: `sim` (prepared with `levers`) with each uncertain
    /// parameter at its posterior median — but those a lever sets, which keep the lever's
    /// value — starting from the filtered mean state.
    pub fn central(
        &self,
        sim: &Simulation,
        levers: &[&parley_core::Lever],
    ) -> Result<Simulation, parley_sim::coupled::SimulationError> {
        let medians = self.medians();
        let numbers: Vec<(&str, f64)> = self
            .diagnostics
            .parameters
            .iter()
            .map(|p| p.path.as_str())
            .zip(medians.iter().copied())
            .filter(|(path, _)| !levers.iter().any(|l| l.sets(path)))
            .collect();
        Ok(sim.with_numbers(&numbers)?.starting_from(self.mean_state()))
    }

    /// The posterior median of each parameter.
    pub fn medians(&self) -> Vec<f64> {
        self.diagnostics.parameters.iter().map(|p| p.posterior[1]).collect()
    }

    /// Parameter `k`'s values across the particles, sorted.
    pub fn marginal(&self, k: usize) -> Vec<f64> {
        let mut xs: Vec<f64> = self.particles.iter().map(|p| p.parameters[k]).collect();
        xs.sort_by(f64::total_cmp);
        xs
    }
}

/// Mixed into the seed for the replicates' choice of particle.
const PICK_SEED: u64 = 0x2545_F491_4F6C_DD1D;
/// Mixed into the seed for the final resampling.
const FINAL_SEED: u64 = 0x9FB2_1C65_1E98_DF25;
/// Multiplied by a filter's index and mixed into the master seed for the filters after the
/// first.
const FILTERS_SEED: u64 = 0xD1B5_4A32_D192_ED03;

/// Independent filters the record is assimilated with, their ensembles pooled. One filter's
/// particles descend from a few of its prior draws (path degeneracy,
/// [`Diagnostics::lineages`]), so a result that turns on the assumptions the record informs
/// moves with the seed; a single filter with more particles barely helps (1,000 particles
/// leave about 15 lines, 4,000 about 33), while independent filters add their lines and
/// average their errors. On the built-in scenario the seed-to-seed standard deviation of
/// the chance of a settlement within 12 months falls from 4.5 points with one filter of
/// 1,000 particles to 3.2 with four (ten seeds each, the binomial error of the runs
/// included; BENCHMARKS.md), for about 2 s more of `parley run --no-backtest` and a
/// backtest that takes twice as long.
pub const FILTERS: usize = 4;

/// The scale on which a parameter's rejuvenation kernel works: unbounded within its
/// distribution's support and its truncation bounds.
pub fn transform(u: &Uncertain) -> Transform {
    let (mut lo, mut hi) = u.distribution.support();
    if let Some((a, b)) = u.bounds {
        lo = lo.max(a);
        hi = hi.min(b);
    }
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) if hi > lo => Transform::Logit { lower: lo, upper: hi },
        (true, false) => Transform::Log { lower: lo },
        _ => Transform::Identity,
    }
}

/// The war before the scenario date as a state-space model for the filter.
struct History<'a> {
    base: &'a Simulation,
    paths: Vec<&'a str>,
    start: Month,
}

/// A particle's war: its state now and the months of the record it came through, each with
/// the seed of that month's talks, linked to the month before. Particles that resampling
/// copied share their past.
#[derive(Clone, Debug)]
struct Walked {
    now: WarState,
    talk_seed: u64,
    /// The month before; `None` before the first month.
    before: Option<Arc<Walked>>,
}

impl Walked {
    /// The months of the record this particle came through, the latest first: each state
    /// with its talks' seed.
    fn months(&self) -> impl Iterator<Item = (&WarState, u64)> {
        std::iter::successors(Some(self), |w| w.before.as_deref())
            .filter(|w| w.before.is_some())
            .map(|w| (&w.now, w.talk_seed))
    }
}

impl StateSpace for History<'_> {
    type Compiled = Option<Simulation>;
    type State = Walked;

    fn compile(&self, parameters: &[f64]) -> Option<Simulation> {
        let numbers: Vec<(&str, f64)> = self.paths.iter().copied().zip(parameters.iter().copied()).collect();
        // The numbers were applied once before filtering; a failure here rules the particle out.
        self.base.with_numbers(&numbers).ok()
    }

    fn initial(&self, sim: &Option<Simulation>) -> Walked {
        let now = sim.as_ref().map_or_else(|| self.base.war().initial(), |s| s.war().initial());
        Walked { now, talk_seed: 0, before: None }
    }

    fn step(&self, sim: &Option<Simulation>, walked: &Walked, t: usize, rng: &mut ChaCha12Rng) -> (Walked, f64) {
        let Some(sim) = sim else { return (walked.clone(), f64::NEG_INFINITY) };
        let (next, ll, talk_seed) = self.month(sim, &walked.now, t, rng);
        (Walked { now: next, talk_seed, before: Some(Arc::new(walked.clone())) }, ll)
    }
}

impl History<'_> {
    /// Month `t` of the record for one particle: its war moved on from `state`, the month's
    /// log-likelihood (`−∞` if its talks would have agreed), and the month's talk seed.
    fn month(&self, sim: &Simulation, state: &WarState, t: usize, rng: &mut ChaCha12Rng) -> (WarState, f64, u64) {
        let at = self.start.plus(t as i32);
        let war = sim.war();
        let (mut shocks, talk_seed) = sim.draw_month(rng);
        // The particle's own observation models: their numbers may be uncertain too.
        let observed = &sim.conflict().observed;
        // A front observed with a normal error is proposed from its posterior given the
        // observation (the locally optimal proposal for that shock); other shocks come from
        // the model (bootstrap).
        let front = observed.iter().position(|o| {
            matches!(o.measures, Observable::Held | Observable::TerritoryChange)
                && matches!(o.error, ObservationError::Normal { .. })
                && o.at(at).is_some()
        });
        let mut ll = self.propose_losses(war, state, &mut shocks, observed, at);
        let next = match front {
            None => war.step(state, &shocks),
            Some(k) => {
                let o = &observed[k];
                let y = o.at(at).unwrap_or(f64::NAN);
                let (bias, scale) = o.error.numbers();
                let z = [shocks.territory, shocks.pace];
                shocks.territory = 0.0;
                shocks.pace = 0.0;
                let mut next = war.step(state, &shocks);
                // Without the innovations the front would stand at h0 (or have moved by c0):
                // the observation is y = h0 + b + a·ε + s·η, with ε the two standard normal
                // innovations (the shock's, the pace's) and a their scales. Given y, ε is
                // normal with mean a·r/(|a|² + s²) and covariance I − a·aᵀ/(|a|² + s²).
                let base = match o.measures {
                    Observable::Held => next.held,
                    _ => next.territory_change,
                };
                let a = war.front_innovations(next.month);
                let s2 = scale.value * scale.value;
                let norm2 = a[0] * a[0] + a[1] * a[1];
                let total = norm2 + s2;
                let residual = y - base - bias.value;
                ll += normal_log_density(residual, total.sqrt());
                let eps = if total > 0.0 && norm2 > 0.0 {
                    // z − (1 − s/√total)·â·(â·z): shrinks z along â, where the data speak.
                    let along = (a[0] * z[0] + a[1] * z[1]) / norm2;
                    let shrink = 1.0 - (s2 / total).sqrt();
                    [0, 1].map(|k| a[k] * residual / total + z[k] - shrink * a[k] * along)
                } else {
                    z
                };
                war.shift_front(state, &mut next, eps[0], eps[1]);
                next
            }
        };
        let check = sim.history_check(&next, talk_seed);
        if check.agreed {
            return (next, f64::NEG_INFINITY, talk_seed);
        }
        ll += check.log_survival;
        for (k, o) in observed.iter().enumerate() {
            if Some(k) == front {
                continue;
            }
            if let Some(y) = o.at(at) {
                ll += o.error.log_density(y, observe(war, &next, o.measures));
            }
        }
        (next, ll, talk_seed)
    }

    /// Draws the innovation behind a side's losses observed with a lognormal error from an
    /// approximation of its posterior given the observation, in place of the blind draw in
    /// `shocks`, and returns the log of the prior's density over the proposal's at the draw:
    /// the importance weight's correction (the observation's likelihood is weighed as for
    /// any series). With `ln L ≈ ln L₀ + a·ε` ([`War::loss_innovation`]) and
    /// `ln y = ln L + b + s·η`, the posterior of ε is normal with mean `a·r/(a² + s²)` and
    /// standard deviation `s/√(a² + s²)`, `r = ln y − ln L₀ − b`: the locally optimal
    /// proposal of the linearised model, as in Doucet, Godsill & Andrieu (2000).
    /// The weight is exact whatever the approximation's error.
    fn propose_losses(
        &self,
        war: &War,
        state: &WarState,
        shocks: &mut Shocks,
        observed: &[Observed],
        at: Month,
    ) -> f64 {
        let mut correction = 0.0;
        let month = state.month + 1;
        let mut guided = [false; 2];
        for o in observed {
            let Observable::Losses { side } = o.measures else { continue };
            let (ObservationError::Lognormal { .. }, Some(y)) = (&o.error, o.at(at)) else { continue };
            let i = usize::from(war.params(month).actors[1] == side);
            let (k, a) = war.loss_innovation(month, i);
            let (bias, scale) = o.error.numbers();
            let s = scale.value;
            if guided[i] || y.is_nan() || y <= 0.0 || a <= 0.0 || s <= 0.0 {
                continue;
            }
            guided[i] = true;
            let z = shocks.losses[k];
            shocks.losses[k] = 0.0;
            let base = observe(war, &war.step(state, shocks), o.measures);
            if base.is_nan() || base <= 0.0 {
                shocks.losses[k] = z;
                continue;
            }
            let total = a * a + s * s;
            let mean = a * (y.ln() - base.ln() - bias.value) / total;
            let sd = s / total.sqrt();
            let eps = mean + sd * z;
            shocks.losses[k] = eps;
            // ln N(ε; 0, 1) − ln N(ε; mean, sd²)
            correction += -0.5 * eps * eps + 0.5 * z * z + sd.ln();
        }
        correction
    }
}

/// Whether an uncertain number can touch the record's likelihood only through the rule that
/// talks did not end the war: it shapes the sides' alternatives to a deal (their optimism,
/// how fast fighting corrects it, how far ahead they look), the parties' preferences, or
/// what happens after the scenario date (the donors' later policies, the mediator, talks over
/// a side's head, the durability of a deal); never the war's monthly step, a side's chance
/// of breaking or an observation. The test beside it checks each class against the war.
pub fn talk_side(path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    matches!(
        parts.as_slice(),
        ["conflict", "sides", _, "optimism"]
            | ["conflict", "beliefs", "learning" | "horizon"]
            | ["conflict", "donors", _, "after"]
            | ["conflict", "mediation" | "framework" | "durability", ..]
            | ["preferences", ..]
    )
}

/// A Gibbs move for the talk-side assumptions ([`talk_side`]) of the filtered particles.
/// Given a particle's other assumptions and its path through the record, their posterior is
/// their prior restricted to the draws under which no month's talks would have agreed: the
/// record says nothing else of them. Each particle draws them again from their priors (an
/// independence proposal: Metropolis–Hastings then accepts exactly the draws that keep the
/// restriction) and checks its own months. Resampling leaves the particles descended from
/// few prior draws, so without this move an assumption the record does not inform would be
/// represented by those few (Gilks & Berzuini, "Following a moving target — Monte Carlo
/// inference for dynamic Bayesian models", JRSS B 63(1):127–146, 2001,
/// doi:10.1111/1467-9868.00280, on moving particles by MCMC after resampling). Returns how
/// many particles took the new draw.
fn redraw_talk_side(
    base: &Simulation,
    uncertain: &[Uncertain],
    particles: &mut [Particle<WarState>],
    walks: &[&Walked],
    seed: u64,
) -> Result<usize, AssimilationError> {
    let redrawn: Vec<usize> = (0..uncertain.len()).filter(|&k| talk_side(&uncertain[k].path)).collect();
    if redrawn.is_empty() {
        return Ok(0);
    }
    let paths: Vec<&str> = uncertain.iter().map(|u| u.path.as_str()).collect();
    let moved: Vec<Option<Vec<f64>>> = particles
        .par_iter()
        .zip(walks.par_iter())
        .enumerate()
        .map(|(j, (particle, walked))| -> Result<Option<Vec<f64>>, AssimilationError> {
            let mut rng = ChaCha12Rng::seed_from_u64(seed ^ REDRAW_SEED);
            rng.set_stream(j as u64);
            let mut proposal = particle.parameters.clone();
            for &k in &redrawn {
                proposal[k] = draw_uncertain(&uncertain[k], &mut rng);
            }
            let numbers: Vec<(&str, f64)> = paths.iter().copied().zip(proposal.iter().copied()).collect();
            let sim = base.with_numbers(&numbers)?;
            let agreed = walked.months().any(|(state, talk_seed)| sim.history_check(state, talk_seed).agreed);
            Ok((!agreed).then_some(proposal))
        })
        .collect::<Result<_, _>>()?;
    let mut taken = 0;
    for (particle, proposal) in particles.iter_mut().zip(moved) {
        if let Some(p) = proposal {
            particle.parameters = p;
            taken += 1;
        }
    }
    Ok(taken)
}

/// Mixed into the seed for the redraw of the talk-side assumptions.
const REDRAW_SEED: u64 = 0x5851_F42D_4C95_7F2D;

/// `ln N(x; 0, sd²)`.
fn normal_log_density(x: f64, sd: f64) -> f64 {
    let z = x / sd;
    -0.5 * z * z - sd.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
}

/// Filters the record of `base`'s conflict (months from its start to its scenario date)
/// over the `uncertain` parameters with [`FILTERS`] independent filters of
/// `options.particles` particles each, the first from `options.seed`, and pools their
/// ensembles.
///
/// # Errors
///
/// [`AssimilationError::NoRecord`] without observed series; a filter that loses every
/// particle; numbers that do not apply.
pub fn assimilate(
    base: &Simulation,
    uncertain: &[Uncertain],
    options: &FilterOptions,
) -> Result<Assimilated, AssimilationError> {
    pooled(base, uncertain, options, FILTERS)
}

/// [`assimilate`] with `filters` independent filters.
fn pooled(
    base: &Simulation,
    uncertain: &[Uncertain],
    options: &FilterOptions,
    filters: usize,
) -> Result<Assimilated, AssimilationError> {
    let conflict = base.conflict();
    if conflict.observed.is_empty() {
        return Err(AssimilationError::NoRecord);
    }
    if let Some((path, problem)) = crate::sample::invalid(uncertain) {
        return Err(AssimilationError::InvalidDistribution { path, problem });
    }
    let war = base.war();
    let steps = war.history_months().max(0) as usize;
    let paths: Vec<&str> = uncertain.iter().map(|u| u.path.as_str()).collect();
    // Every path must apply: checked once here, so that a particle never fails for it.
    let probe: Vec<(&str, f64)> = uncertain.iter().map(|u| (u.path.as_str(), u.distribution.mean())).collect();
    base.with_numbers(&probe)?;
    let model = History { base, paths, start: war.start };
    let prior = |rng: &mut ChaCha12Rng| -> Vec<f64> { uncertain.iter().map(|u| draw_uncertain(u, rng)).collect() };
    let transforms: Vec<Transform> = uncertain.iter().map(transform).collect();
    // Independent filters, each from its own seed; the first from the master seed itself.
    let runs: Vec<Run> = (0..filters.max(1) as u64)
        .map(|k| -> Result<Run, AssimilationError> {
            let seed = if k == 0 { options.seed } else { options.seed ^ FILTERS_SEED.wrapping_mul(k) };
            let options = FilterOptions { seed, ..*options };
            let filtered = smc::filter(&model, &prior, &transforms, steps, &options)?;
            // Resample once more to equal weights, so replicates pick particles uniformly.
            let u: f64 = ChaCha12Rng::seed_from_u64(seed ^ FINAL_SEED).random();
            let picks = smc::systematic(&filtered.weights, filtered.particles.len(), u);
            let walks: Vec<&Walked> = picks.iter().map(|&i| &filtered.particles[i].state).collect();
            let mut particles: Vec<Particle<WarState>> = picks
                .iter()
                .map(|&i| Particle {
                    parameters: filtered.particles[i].parameters.clone(),
                    state: filtered.particles[i].state.now,
                })
                .collect();
            let redrawn = redraw_talk_side(base, uncertain, &mut particles, &walks, seed)?;
            let lineages = smc::lineages(&picks.iter().map(|&i| filtered.ancestors[i]).collect::<Vec<_>>());
            Ok(Run { filtered, particles, lineages, redrawn })
        })
        .collect::<Result<_, _>>()?;
    let k = runs.len() as f64;
    let total = options.particles * runs.len();

    // Month by month: the pooled ensemble weighs each filter's particles by 1/K, so its
    // effective sample size is K² / Σ 1/ESS_k — dominated by the worst filter.
    let months: Vec<MonthFit> = (0..steps)
        .map(|t| {
            let reports: Vec<&smc::StepReport> = runs.iter().map(|r| &r.filtered.steps[t]).collect();
            MonthFit {
                month: war.start.plus(t as i32),
                ess: k * k / reports.iter().map(|r| 1.0 / r.ess).sum::<f64>(),
                ruled_out: reports.iter().map(|r| r.ruled_out).sum(),
                log_likelihood: reports.iter().map(|r| r.log_likelihood).sum::<f64>() / k,
                resampled: reports.iter().any(|r| r.resampled),
            }
        })
        .collect();
    let collapsed = months.iter().filter(|m| m.ess < COLLAPSE * total as f64).map(|m| m.month).collect();
    // Each filter's likelihood estimate is unbiased, so their mean is too.
    let lls: Vec<f64> = runs.iter().map(|r| r.filtered.log_likelihood).collect();
    let log_likelihood = smc::normalise(&lls, &mut vec![0.0; lls.len()]).unwrap_or(f64::NEG_INFINITY);
    let particles: Vec<Particle<WarState>> = runs.iter().flat_map(|r| r.particles.iter().cloned()).collect();
    let summary = |mut xs: Vec<f64>| -> [f64; 4] {
        xs.sort_by(f64::total_cmp);
        let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        [quantile(&xs, 0.05), quantile(&xs, 0.5), quantile(&xs, 0.95), mean]
    };
    let parameters = uncertain
        .iter()
        .enumerate()
        .map(|(j, u)| Posterior {
            path: u.path.clone(),
            prior: summary(runs.iter().flat_map(|r| r.filtered.prior.iter().map(|p| p[j])).collect()),
            posterior: summary(particles.iter().map(|p| p.parameters[j]).collect()),
        })
        .collect();
    let series = conflict
        .observed
        .iter()
        .map(|o| {
            let months: Vec<Month> = (0..steps).map(|t| war.start.plus(t as i32)).collect();
            let observed: Vec<Option<f64>> = months.iter().map(|m| o.at(*m)).collect();
            let filtered_band: Vec<[f64; 3]> = (0..steps)
                .map(|t| {
                    let values: Vec<(f64, f64)> = runs
                        .iter()
                        .flat_map(|r| {
                            r.filtered.trace[t].iter().map(|(s, w)| (observe(war, &s.now, o.measures), w / k))
                        })
                        .collect();
                    [0.1, 0.5, 0.9].map(|p| weighted_quantile(&values, p))
                })
                .collect();
            let (inside, seen) = observed.iter().zip(&filtered_band).fold((0, 0), |(i, n), (y, b)| match y {
                Some(y) => (i + usize::from(b[0] <= *y && *y <= b[2]), n + 1),
                None => (i, n),
            });
            SeriesFit {
                id: o.id.clone(),
                months,
                observed,
                filtered: filtered_band,
                coverage_80: if seen > 0 { inside as f64 / seen as f64 } else { f64::NAN },
            }
        })
        .collect();
    let diagnostics = Diagnostics {
        particles: total,
        filters: runs.len(),
        through: war.as_of,
        months,
        collapsed,
        log_likelihood,
        lineages: runs.iter().map(|r| r.lineages).sum(),
        redrawn: runs.iter().map(|r| r.redrawn).sum(),
        parameters,
        series,
    };
    Ok(Assimilated { particles, diagnostics })
}

/// One of the independent filters, resampled to equal weights at the end.
struct Run {
    filtered: smc::Filtered<Walked>,
    particles: Vec<Particle<WarState>>,
    lineages: usize,
    redrawn: usize,
}

/// The `p`-quantile of weighted values: the smallest value whose cumulative weight reaches `p`.
fn weighted_quantile(values: &[(f64, f64)], p: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = values.iter().copied().filter(|(x, w)| x.is_finite() && *w > 0.0).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|(_, w)| w).sum();
    let mut cumulative = 0.0;
    for (x, w) in &v {
        cumulative += w / total;
        if cumulative >= p {
            return *x;
        }
    }
    v[v.len() - 1].0
}

#[cfg(test)]
mod tests {
    use rand_distr::{Distribution, StandardNormal};

    use super::*;
    use crate::built_in;

    /// Walks one particle's war through the record's months with `sim`, from its own stream:
    /// the path and each month's log-likelihood (`−∞` where its talks would have agreed).
    fn walk(model: &History, sim: &Simulation, stream: u64) -> (Walked, Vec<f64>) {
        let mut rng = ChaCha12Rng::seed_from_u64(3);
        rng.set_stream(stream);
        let mut walked = Walked { now: sim.war().initial(), talk_seed: 0, before: None };
        let mut lls = Vec::new();
        for t in 0..sim.war().history_months() as usize {
            let (next, ll, talk_seed) = model.month(sim, &walked.now, t, &mut rng);
            walked = Walked { now: next, talk_seed, before: Some(Arc::new(walked)) };
            lls.push(ll);
        }
        (walked, lls)
    }

    #[test]
    fn test_independent_filters_pool_their_ensembles_and_average_their_errors() {
        // The posterior mean of Ukraine's recruitment (an assumption the record informs
        // weakly, so few lines of descent carry it) over twelve seeds: four filters pooled
        // scatter less from seed to seed than one filter of the same size.
        let s = built_in();
        let base = Simulation::new(&s, &[], None).unwrap();
        let k = s.uncertain.iter().position(|u| u.path == "conflict.sides.ukr.recruitment").unwrap();
        let particles = 60;
        let spread = |filters: usize| -> (f64, Assimilated) {
            let runs: Vec<Assimilated> = (0..12)
                .map(|seed| {
                    let options = FilterOptions { particles, seed, ..FilterOptions::default() };
                    pooled(&base, &s.uncertain, &options, filters).unwrap()
                })
                .collect();
            let means: Vec<f64> = runs
                .iter()
                .map(|a| a.particles.iter().map(|p| p.parameters[k]).sum::<f64>() / a.particles.len() as f64)
                .collect();
            let m = means.iter().sum::<f64>() / means.len() as f64;
            let variance = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (means.len() - 1) as f64;
            (variance, runs.into_iter().next().unwrap())
        };
        let (one, single) = spread(1);
        let (four, pool) = spread(4);
        assert!(four < 0.6 * one, "seed-to-seed variance: four filters {four}, one {one}");
        // The pool holds every filter's particles, the first filter's being the single
        // filter's from the same seed; its diagnostics count all of them.
        let d = &pool.diagnostics;
        assert_eq!((d.filters, d.particles, pool.particles.len()), (4, 4 * particles, 4 * particles));
        assert_eq!(pool.particles[..particles], single.particles[..]);
        assert!(pool.particles[particles..].iter().all(|p| !single.particles.contains(p)));
        assert!(d.lineages > single.diagnostics.lineages);
        for (m, one) in d.months.iter().zip(&single.diagnostics.months) {
            assert!(m.ess > 0.0 && m.ess <= d.particles as f64 + 1e-9, "{}: {}", m.month, m.ess);
            assert!(m.ruled_out >= one.ruled_out);
        }
        assert!(d.log_likelihood.is_finite());
    }

    #[test]
    fn test_talk_side_numbers_leave_the_war_on_the_record_unchanged() {
        // Each class of talk-side number, moved far: the war's path through the record and
        // every month's likelihood are the same to the bit, except where talks would now
        // have agreed (the one way such a number touches the record).
        let s = built_in();
        let base = Simulation::new(&s, &[], None).unwrap();
        let model = History { base: &base, paths: Vec::new(), start: base.war().start };
        let (reference, reference_lls) = walk(&model, &base, 1);
        let probes = [
            ("conflict.sides.rus.optimism", 6.0),
            ("conflict.sides.ukr.optimism", 0.0),
            ("conflict.beliefs.learning", 0.3),
            ("conflict.beliefs.horizon", 3.0),
            ("conflict.donors.usa.after", 0.0),
            ("conflict.donors.europe.after", 9.0),
            ("conflict.mediation.hazard", 0.9),
        ];
        for (path, value) in probes {
            assert!(talk_side(path), "{path}");
            let changed = base.with_numbers(&[(path, value)]).unwrap();
            let (walked, lls) = walk(&model, &changed, 1);
            let states: Vec<WarState> = walked.months().map(|(s, _)| *s).collect();
            let expected: Vec<WarState> = reference.months().map(|(s, _)| *s).collect();
            assert_eq!(states, expected, "{path}");
            for (a, b) in lls.iter().zip(&reference_lls) {
                assert!(a.to_bits() == b.to_bits() || a.is_infinite() || b.is_infinite(), "{path}: {a} against {b}");
            }
        }
        for path in [
            "conflict.sides.ukr.effectiveness",
            "conflict.sides.rus.recruitment",
            "conflict.territory.gain",
            "conflict.volatility.territory",
            "conflict.beliefs.collapse_width",
            "conflict.observed.russian_losses.bias",
            "conflict.donors.usa.deliveries",
        ] {
            assert!(!talk_side(path), "{path} moves the war or an observation");
        }
    }

    #[test]
    fn test_the_redraw_keeps_only_draws_under_which_no_month_would_have_agreed() {
        // Russia's optimism drawn over [0, 4.5]: a sober Russia would have agreed on the
        // record. Particles whose own draw never agreed draw it again; a new draw is taken
        // only if no month of the particle's path would have agreed under it.
        let mut s = built_in();
        s.uncertain.retain(|u| u.path == "conflict.sides.rus.optimism" || u.path == "conflict.beliefs.learning");
        for u in &mut s.uncertain {
            if u.path == "conflict.sides.rus.optimism" {
                u.distribution = parley_core::Distribution::Uniform { min: 0.0, max: 4.5 };
            }
        }
        let base = Simulation::new(&s, &[], None).unwrap();
        let paths: Vec<&str> = s.uncertain.iter().map(|u| u.path.as_str()).collect();
        let model = History { base: &base, paths: paths.clone(), start: base.war().start };
        let mut particles = Vec::new();
        let mut walks = Vec::new();
        let mut rng = ChaCha12Rng::seed_from_u64(9);
        let mut ruled_out = 0;
        while particles.len() < 24 {
            let parameters: Vec<f64> = s.uncertain.iter().map(|u| draw_uncertain(u, &mut rng)).collect();
            let sim = model.compile(&parameters).unwrap();
            let (walked, lls) = walk(&model, &sim, particles.len() as u64);
            if lls.iter().any(|l| l.is_infinite()) {
                ruled_out += 1;
                continue;
            }
            particles.push(Particle { parameters, state: walked.now });
            walks.push(walked);
        }
        assert!(ruled_out > 0, "the test needs draws the record rules out");
        let before: Vec<Vec<f64>> = particles.iter().map(|p| p.parameters.clone()).collect();
        let refs: Vec<&Walked> = walks.iter().collect();
        let taken = redraw_talk_side(&base, &s.uncertain, &mut particles, &refs, 5).unwrap();
        assert!(taken > 0 && taken < particles.len(), "{taken} of {} took a new draw", particles.len());
        let changed = particles.iter().zip(&before).filter(|(p, b)| p.parameters != **b).count();
        assert_eq!(changed, taken);
        for (p, walked) in particles.iter().zip(&walks) {
            let sim = model.compile(&p.parameters).unwrap();
            assert!(walked.months().all(|(state, seed)| !sim.history_check(state, seed).agreed), "{:?}", p.parameters);
        }
    }

    #[test]
    fn test_the_guided_loss_draw_estimates_the_same_likelihood_with_less_scatter() {
        // The built-in war's first month, its Russian losses observed. Blind draws weighted
        // by the observation's likelihood, and guided draws weighted by the likelihood times
        // the prior over the proposal, both estimate the observation's predictive density:
        // their means agree, and the guided weights scatter far less.
        let s = built_in();
        let sim = Simulation::new(&s, &[], None).unwrap();
        let war = sim.war();
        let model = History { base: &sim, paths: Vec::new(), start: war.start };
        let state = war.initial();
        let observed = &sim.conflict().observed;
        let o = observed.iter().find(|o| matches!(o.measures, Observable::Losses { .. })).unwrap();
        let y = o.at(war.start).unwrap();
        let mut rng = ChaCha12Rng::seed_from_u64(11);
        let n = 20_000;
        let (mut blind, mut guided) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let draws: [f64; 2] = [StandardNormal.sample(&mut rng), StandardNormal.sample(&mut rng)];
            let shocks = Shocks { losses: draws, ..Shocks::default() };
            blind.push(o.error.log_density(y, observe(war, &war.step(&state, &shocks), o.measures)).exp());
            let mut proposed = shocks;
            let correction = model.propose_losses(war, &state, &mut proposed, observed, war.start);
            // Exactly one draw was replaced: the one behind Russia's losses.
            assert_eq!((0..2).filter(|&i| proposed.losses[i].to_bits() != draws[i].to_bits()).count(), 1);
            let at = observe(war, &war.step(&state, &proposed), o.measures);
            guided.push((correction + o.error.log_density(y, at)).exp());
        }
        let moments = |w: &[f64]| {
            let m = w.iter().sum::<f64>() / w.len() as f64;
            (m, w.iter().map(|x| (x - m).powi(2)).sum::<f64>() / w.len() as f64)
        };
        let ((mb, vb), (mg, vg)) = (moments(&blind), moments(&guided));
        let se = (vb / n as f64).sqrt() + (vg / n as f64).sqrt();
        assert!((mb - mg).abs() < 4.0 * se, "blind {mb}, guided {mg}, standard error {se}");
        assert!(
            vg / (mg * mg) < 0.1 * vb / (mb * mb),
            "relative variance: guided {}, blind {}",
            vg / (mg * mg),
            vb / (mb * mb)
        );
    }
}
