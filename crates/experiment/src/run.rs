//! Replicates: one draw of the uncertain parameters, simulated under every arm.
//!
//! Replicate `i` draws its parameters from its own random stream (master seed, stream
//! `i`) and simulates each arm (the baseline and each lever) on the war's random stream
//! `i` of the same seed, so the arms share their parameters and their shocks (common
//! random numbers): a difference between arms is the lever's, not noise. A replicate
//! depends on nothing but the seed and its index, so results are the same on any number
//! of threads, in any order, split into any shards.

use std::sync::Arc;

use parley_core::{Scenario, Uncertain};
use parley_sim::coupled::{Ending, Phase, RunOptions, Simulation, SimulationError};
use parley_sim::war::WarState;
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::assimilate::{Assimilated, assimilate};
use crate::sample::draw_uncertain;
use crate::smc::FilterOptions;

/// Mixed into the master seed for the parameter draws, so they do not share a stream with
/// the war's shocks.
const PARAMETER_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// The observed record of `scenario` filtered as `start` says, with the master `seed`
/// (`None` for [`Start::Prior`]). The record is filtered on the scenario without levers — a
/// lever acts from the scenario date on and does not rewrite history; `unlevered` is that
/// simulation if the caller has it already.
pub fn record(
    scenario: &Scenario,
    start: Start,
    seed: u64,
    unlevered: Option<&Simulation>,
) -> Result<Option<Assimilated>, ExperimentError> {
    let Start::Filtered { particles } = start else { return Ok(None) };
    let built;
    let base = match unlevered {
        Some(sim) => sim,
        None => {
            built = Simulation::new(scenario, &[], None)?;
            &built
        }
    };
    let options = FilterOptions { particles, seed, ..FilterOptions::default() };
    Ok(Some(assimilate(base, &scenario.uncertain, &options)?))
}

/// One arm of an experiment: the baseline (no levers) or a set of levers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Arm {
    /// Its name (`baseline`, or the lever ids joined with `+`).
    pub name: String,
    /// Lever ids, applied in order.
    pub levers: Vec<String>,
}

impl Arm {
    /// The arm with these levers.
    pub fn new(levers: Vec<String>) -> Arm {
        let name = if levers.is_empty() { "baseline".to_string() } else { levers.join("+") };
        Arm { name, levers }
    }
}

/// Where each replicate starts at the scenario date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Start {
    /// From its own draw of the uncertain parameters, the war replayed from the conflict's
    /// start without noise and without looking at the record (the prior).
    Prior,
    /// From a particle of the observed record filtered by independent filters of this many
    /// particles each ([`crate::assimilate`]): parameters and state conditioned on what
    /// happened.
    Filtered {
        /// Particles of each filter.
        particles: usize,
    },
}

impl Default for Start {
    /// [`Start::Prior`]: what an experiment did before the record could be assimilated.
    fn default() -> Start {
        Start::Prior
    }
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Design {
    /// Replicates.
    pub runs: u64,
    /// Months simulated after the scenario date.
    pub months: u32,
    /// Master seed.
    pub seed: u64,
    /// The arms; the first is the reference of comparisons.
    pub arms: Vec<Arm>,
    /// Where replicates start.
    pub start: Start,
}

/// Why an experiment cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// The simulation cannot be set up or a replicate's numbers do not apply.
    #[error(transparent)]
    Simulation(#[from] SimulationError),
    /// An arm names an unknown lever.
    #[error("unknown lever \"{0}\"")]
    UnknownLever(String),
    /// A sensitivity design cannot be laid out or read.
    #[error(transparent)]
    Sensitivity(#[from] crate::sensitivity::SensitivityError),
    /// A sensitivity study needs a war model and uncertain parameters.
    #[error("nothing to analyse: sensitivity needs a [conflict] section and [[uncertain]] parameters")]
    NothingUncertain,
    /// A backtest cannot be laid out.
    #[error("backtest: {0}")]
    Backtest(String),
    /// An uncertain parameter's distribution cannot be drawn from.
    #[error("[[uncertain]] {path}: {problem}")]
    InvalidDistribution {
        /// The parameter's path.
        path: String,
        /// What is wrong with its distribution.
        problem: String,
    },
    /// The caller asked the work to stop.
    #[error("stopped on request")]
    Stopped,
    /// The record cannot be assimilated.
    #[error("conditioning on the observed record: {0}")]
    Assimilation(#[from] crate::assimilate::AssimilationError),
    /// A shard does not fit the experiment.
    #[error("shard {index}/{count}: {reason}")]
    Shard {
        /// The shard's index (from 1).
        index: u64,
        /// The number of shards.
        count: u64,
        /// What is wrong.
        reason: String,
    },
}

/// One month of a replicate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthRow {
    /// The phase at the end of the month.
    pub phase: Phase,
    /// The holder's area, km².
    pub held: f64,
    /// Both sides' losses in the month.
    pub losses: [f64; 2],
    /// Both sides' alternatives to a deal.
    pub batna: [f64; 2],
    /// Every party's acceptance margin: its utility of the month's best offer (during a
    /// ceasefire, of the agreed terms) minus its reservation value, in the order of
    /// [`Summary::parties`](crate::Summary::parties). The zone of agreement is open when
    /// none is negative.
    pub margins: Vec<f64>,
}

/// How a replicate ended, in a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No agreement in the horizon.
    NoSettlement,
    /// An agreement holds at the horizon.
    Holding,
    /// An agreement broke down and none holds at the horizon.
    Relapsed,
    /// A side broke.
    Capitulation,
}

impl Outcome {
    /// The snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::NoSettlement => "no_settlement",
            Outcome::Holding => "holding",
            Outcome::Relapsed => "relapsed",
            Outcome::Capitulation => "capitulation",
        }
    }

    /// The outcome with this name.
    pub fn parse(name: &str) -> Option<Outcome> {
        [Outcome::NoSettlement, Outcome::Holding, Outcome::Relapsed, Outcome::Capitulation]
            .into_iter()
            .find(|o| o.name() == name)
    }
}

/// One replicate under one arm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Replicate {
    /// The replicate's index (its random stream).
    pub index: u64,
    /// The arm (an index into [`Design::arms`]).
    pub arm: usize,
    /// The drawn value of each uncertain parameter, in file order.
    pub parameters: Vec<f64>,
    /// How it ended.
    pub outcome: Outcome,
    /// Months after the scenario date until the first agreement, if any.
    pub agreed_month: Option<u32>,
    /// The terms of the first agreement (an option index per issue of the arm's scenario).
    pub terms: Option<Vec<u32>>,
    /// The side that broke (0 or 1), for a capitulation.
    pub broke: Option<usize>,
    /// Both sides' losses over the horizon.
    pub losses: [f64; 2],
    /// The holder's area at the horizon, km².
    pub held: f64,
    /// The month (after the scenario date) in which each side chose a wider mobilisation,
    /// if it did.
    pub mobilised: [Option<u32>; 2],
    /// The month in which the mediator walked away, if it did.
    pub mediator_left: Option<u32>,
    /// The month in which a side refused a framework agreed over its head, if one did.
    pub framework_refused: Option<u32>,
    /// Month by month.
    pub months: Vec<MonthRow>,
}

/// A prepared experiment: one simulation per arm, the uncertain parameters, and the
/// filtered record replicates start from.
pub struct Experiment {
    design: Design,
    uncertain: Vec<Uncertain>,
    arms: Vec<Simulation>,
    assimilated: Option<Arc<Assimilated>>,
    /// Per arm, per uncertain parameter: whether one of the arm's levers sets it (the
    /// lever's value then holds in every replicate of that arm).
    fixed: Vec<Vec<bool>>,
}

impl Experiment {
    /// Prepares every arm of `design` on `scenario` (ranking its outcome space once per arm),
    /// filtering the observed record first if the design starts from it.
    pub fn new(scenario: &Scenario, design: Design) -> Result<Experiment, ExperimentError> {
        Experiment::prepare(scenario, design, None)
    }

    /// As [`Experiment::new`], with the record already filtered (by [`record`], for several
    /// experiments on one scenario and seed).
    pub fn with_record(
        scenario: &Scenario,
        design: Design,
        assimilated: Arc<Assimilated>,
    ) -> Result<Experiment, ExperimentError> {
        Experiment::prepare(scenario, design, Some(assimilated))
    }

    fn prepare(
        scenario: &Scenario,
        design: Design,
        given: Option<Arc<Assimilated>>,
    ) -> Result<Experiment, ExperimentError> {
        if let Some((path, problem)) = crate::sample::invalid(&scenario.uncertain) {
            return Err(ExperimentError::InvalidDistribution { path, problem });
        }
        let arms = design
            .arms
            .iter()
            .map(|arm| {
                let levers = arm
                    .levers
                    .iter()
                    .map(|id| scenario.lever(id).ok_or_else(|| ExperimentError::UnknownLever(id.clone())))
                    .collect::<Result<Vec<_>, _>>()?;
                let fixed =
                    scenario.uncertain.iter().map(|u| levers.iter().any(|l| l.sets(&u.path))).collect::<Vec<bool>>();
                Ok((Simulation::new(scenario, &levers, None)?, fixed))
            })
            .collect::<Result<Vec<_>, ExperimentError>>()?;
        let (arms, fixed): (Vec<Simulation>, _) = arms.into_iter().unzip();
        let assimilated = match (design.start, given) {
            (Start::Prior, _) => None,
            (Start::Filtered { .. }, Some(given)) => Some(given),
            (Start::Filtered { .. }, None) => {
                let unlevered = design.arms.first().is_some_and(|a| a.levers.is_empty()).then(|| &arms[0]);
                record(scenario, design.start, design.seed, unlevered)?.map(Arc::new)
            }
        };
        Ok(Experiment { design, uncertain: scenario.uncertain.clone(), arms, assimilated, fixed })
    }

    /// The filtered record replicates start from, if they start from it.
    pub fn assimilated(&self) -> Option<&Assimilated> {
        self.assimilated.as_deref()
    }

    /// The filtered record, shared (for a study or a report on the same scenario and seed).
    pub fn record(&self) -> Option<Arc<Assimilated>> {
        self.assimilated.clone()
    }

    /// The design.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// The uncertain parameters, in file order.
    pub fn uncertain(&self) -> &[Uncertain] {
        &self.uncertain
    }

    /// The simulation of an arm.
    pub fn arm(&self, arm: usize) -> &Simulation {
        &self.arms[arm]
    }

    /// Replicate `index`'s parameter values and, with a filtered record, the war's state it
    /// starts from at the scenario date.
    pub fn parameters(&self, index: u64) -> (Vec<f64>, Option<WarState>) {
        match &self.assimilated {
            Some(a) => {
                let particle = a.pick(self.design.seed, index);
                (particle.parameters.clone(), Some(particle.state))
            }
            None => {
                let mut rng = ChaCha12Rng::seed_from_u64(self.design.seed ^ PARAMETER_SEED);
                rng.set_stream(index);
                (self.uncertain.iter().map(|u| draw_uncertain(u, &mut rng)).collect(), None)
            }
        }
    }

    /// Runs replicate `index` under every arm with the given parameter values (one per
    /// uncertain parameter, in file order), from `start` at the scenario date if given
    /// (else from the end of the noise-free history). A parameter that one of an arm's
    /// levers sets keeps the lever's value in that arm.
    pub fn run_with(
        &self,
        index: u64,
        parameters: &[f64],
        start: Option<&WarState>,
        noise: bool,
    ) -> Result<Vec<Replicate>, ExperimentError> {
        self.arms
            .iter()
            .enumerate()
            .map(|(arm, base)| {
                let numbers: Vec<(&str, f64)> = self
                    .uncertain
                    .iter()
                    .zip(parameters)
                    .zip(&self.fixed[arm])
                    .filter(|(_, fixed)| !**fixed)
                    .map(|((u, &v), _)| (u.path.as_str(), v))
                    .collect();
                let sim = match (numbers.is_empty(), start) {
                    (true, None) => None,
                    (_, None) => Some(base.with_numbers(&numbers)?),
                    (_, Some(state)) => Some(base.with_numbers(&numbers)?.starting_from(*state)),
                };
                let sim = sim.as_ref().unwrap_or(base);
                let options = RunOptions {
                    months: self.design.months,
                    seed: self.design.seed,
                    stream: index,
                    noise,
                    talks: true,
                };
                Ok(summarise_run(index, arm, parameters.to_vec(), sim, options))
            })
            .collect()
    }

    /// Runs replicate `index` under every arm.
    pub fn replicate(&self, index: u64) -> Result<Vec<Replicate>, ExperimentError> {
        let (parameters, start) = self.parameters(index);
        self.run_with(index, &parameters, start.as_ref(), true)
    }

    /// Runs the replicates in `range` in parallel; the result is in index order, then arm
    /// order, whatever the number of threads.
    pub fn replicates(&self, range: std::ops::Range<u64>) -> Result<Vec<Replicate>, ExperimentError> {
        let per: Vec<Vec<Replicate>> =
            range.into_par_iter().map(|i| self.replicate(i)).collect::<Result<Vec<_>, ExperimentError>>()?;
        Ok(per.into_iter().flatten().collect())
    }
}

fn summarise_run(index: u64, arm: usize, parameters: Vec<f64>, sim: &Simulation, options: RunOptions) -> Replicate {
    let path = sim.run(options);
    let first =
        path.months.iter().position(|m| matches!(m.talks, Some(parley_protocol::Termination::Agreement { .. })));
    let terms = first.and_then(|k| path.months[k].best_offer).map(|o| sim.scenario().outcome_space().decode(o));
    let sides: Vec<usize> =
        sim.scenario().conflict.as_ref().map(|c| c.sides.iter().map(|s| s.actor).collect()).unwrap_or_default();
    let (outcome, broke) = match &path.ending {
        Ending::NoSettlement => (Outcome::NoSettlement, None),
        Ending::Holding { .. } => (Outcome::Holding, None),
        Ending::Relapsed { .. } => (Outcome::Relapsed, None),
        Ending::Capitulation { actor, .. } => (Outcome::Capitulation, sides.iter().position(|a| a == actor)),
    };
    let mut losses = [0.0; 2];
    for m in &path.months {
        losses[0] += m.war.losses[0];
        losses[1] += m.war.losses[1];
    }
    let first_month = |happened: &dyn Fn(&parley_sim::coupled::MonthRecord) -> bool| {
        path.months.iter().position(happened).map(|k| k as u32 + 1)
    };
    Replicate {
        index,
        arm,
        parameters,
        outcome,
        agreed_month: first.map(|k| k as u32 + 1),
        terms,
        broke,
        losses,
        held: path.months.last().map_or(sim.at_as_of().held, |m| m.war.held),
        mobilised: [0, 1].map(|i| first_month(&|m| m.war.mobilised[i] && !sim.at_as_of().mobilised[i])),
        mediator_left: first_month(&|m| m.war.mediator_gone && !sim.at_as_of().mediator_gone),
        framework_refused: first_month(&|m| {
            m.framework().is_some() && !matches!(m.talks, Some(parley_protocol::Termination::Agreement { .. }))
        }),
        months: path
            .months
            .iter()
            .map(|m| MonthRow {
                phase: m.phase,
                held: m.war.held,
                losses: m.war.losses,
                batna: m.batna,
                margins: m.margins.clone(),
            })
            .collect(),
    }
}

/// The replicates of shard `index` of `count` (both from 1): a contiguous block, so the
/// shards together cover every replicate once.
pub fn shard(runs: u64, index: u64, count: u64) -> Result<std::ops::Range<u64>, ExperimentError> {
    if count == 0 || index == 0 || index > count {
        return Err(ExperimentError::Shard { index, count, reason: "a shard is I of N with 1 ≤ I ≤ N".into() });
    }
    let start = runs * (index - 1) / count;
    let end = runs * index / count;
    Ok(start..end)
}

#[cfg(test)]
mod tests {
    use parley_core::{Distribution, Provenance};

    use super::*;
    use crate::built_in;
    use parley_core::stats::Proportion;

    fn with_optimism_range(lo: f64, hi: f64) -> Scenario {
        let mut s = built_in();
        s.uncertain = vec![Uncertain {
            path: "conflict.sides.rus.optimism".into(),
            distribution: Distribution::Uniform { min: lo, max: hi },
            bounds: None,
            provenance: Provenance::Unstated,
        }];
        s
    }

    fn design(runs: u64, arms: Vec<Arm>) -> Design {
        Design { runs, months: 24, seed: 42, arms, start: Start::Prior }
    }

    #[test]
    fn test_results_do_not_depend_on_the_number_of_threads() {
        let s = with_optimism_range(2.0, 4.5);
        let e = Experiment::new(&s, design(12, vec![Arm::new(vec![]), Arm::new(vec!["us_aid_cut".into()])])).unwrap();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| e.replicates(0..12).unwrap())
        };
        let one = on(1);
        assert_eq!(one, on(3));
        assert_eq!(one, on(8));
        // In index order, then arm order; each replicate alone gives the same result.
        assert_eq!(one[5], e.replicate(2).unwrap()[1]);
    }

    #[test]
    fn test_an_invalid_distribution_is_an_error_not_its_mean() {
        let mut s = with_optimism_range(2.0, 4.5);
        s.uncertain[0].distribution = Distribution::Normal { mean: 3.0, sd: -1.0 };
        let e = Experiment::new(&s, design(4, vec![Arm::new(vec![])]));
        assert!(
            matches!(&e, Err(ExperimentError::InvalidDistribution { path, .. }) if path == "conflict.sides.rus.optimism"),
            "{:?}",
            e.err()
        );
        let options =
            crate::study::StudyOptions { start: Start::Prior, samples: 4, months: 6, seed: 1, levers: vec![] };
        assert!(matches!(
            crate::study::study(&s, &options, None, &mut |_, _| true),
            Err(ExperimentError::InvalidDistribution { .. })
        ));
    }

    #[test]
    fn test_arms_share_parameters_and_shocks() {
        let s = with_optimism_range(2.0, 4.5);
        let e = Experiment::new(&s, design(4, vec![Arm::new(vec![]), Arm::new(vec![])])).unwrap();
        let r = e.replicate(3).unwrap();
        assert_eq!(r[0].parameters, r[1].parameters);
        assert_eq!(r[0].months, r[1].months, "identical arms give identical paths");
        assert_ne!(e.parameters(3), e.parameters(4));
    }

    #[test]
    fn test_shards_partition_the_replicates() {
        let mut covered = Vec::new();
        for i in 1..=3 {
            covered.extend(shard(10, i, 3).unwrap());
        }
        assert_eq!(covered, (0..10).collect::<Vec<_>>());
        assert!(shard(10, 0, 3).is_err() && shard(10, 4, 3).is_err());
    }

    /// On the central path a settlement comes within the horizon exactly when Russia's
    /// optimism is below a threshold; with the optimism uniform on [lo, hi] the probability
    /// of a settlement is known, and the Monte Carlo estimate's interval must cover it.
    #[test]
    fn test_monte_carlo_estimate_covers_a_known_probability() {
        let (lo, hi) = (0.0, 8.0);
        let s = with_optimism_range(lo, hi);
        let e = Experiment::new(&s, design(400, vec![Arm::new(vec![])])).unwrap();
        let settles = |x: f64| e.run_with(0, &[x], None, false).unwrap()[0].agreed_month.is_some();
        assert!(settles(lo) && !settles(hi), "the threshold lies inside the range");
        let (mut a, mut b) = (lo, hi);
        for _ in 0..40 {
            let mid = (a + b) / 2.0;
            if settles(mid) { a = mid } else { b = mid }
        }
        let truth = (a - lo) / (hi - lo);
        let hits = (0..400).filter(|&i| settles(e.parameters(i).0[0])).count() as u64;
        let p = Proportion::new(hits, 400);
        assert!(p.lo <= truth && truth <= p.hi, "true probability {truth} outside [{}, {}]", p.lo, p.hi);
    }
}
