//! Outcome-space analysis: which deals exist, which are efficient, which are focal, and who
//! blocks what.
//!
//! [`analyze`] walks the whole outcome space once, in parallel chunks, without storing it:
//! each chunk evaluates every actor's utility for its outcomes and folds them into a
//! summary (counts, bounds, a Pareto skyline, rankings, per-option
//! statistics); summaries merge in any order to the same result. Memory is bounded by the
//! frontier, which is checked against a budget so an oversized request fails with a clear
//! error instead of exhausting memory.
//!
//! When no actor has a linkage and no bargainer a red line, utilities are sums over the
//! issues, and the frontier is computed issue by issue instead, pruning dominated partial
//! packages (dynamic programming, in the private module `additive`); if nothing is asked
//! per outcome either (no rankings, no option statistics, no red lines to count), the
//! counts and bounds come from exact per-issue bounds and the outcome space is not walked
//! at all. Otherwise three or more actors' frontiers are reduced in batches with a k-d tree
//! of dominance queries (module `pareto`), two actors' with a sorted staircase.
//!
//! Utilities are exact integers on a grid of 10⁻¹² ([`crate::utility`]): every comparison
//! below — dominance, zone membership, objectives and their tie-breaks, blocks — treats
//! equal decimals as equal, and reservation values are put on the same grid.
//!
//! # Definitions
//!
//! * **Bargainers**: the veto players — the actors whose consent every deal needs — or
//!   every actor if nobody holds a full veto.
//! * **Scoped veto**: an actor whose consent only some packages need (those touching what
//!   it controls, [`crate::ScopedVeto`]) blocks such a package when it crosses one of its
//!   red lines or is worth less to it than its reservation value; it does not bargain over
//!   the rest.
//! * **Admissible** outcome: crosses no bargainer's red line and no scoped veto blocks it.
//!   (A red line of an actor without a veto is reported as an objection in
//!   [`OptionReport`], but cannot block.) Since a scoped veto's verdict on a package does
//!   not depend on the bargainers, the frontier and the zone below keep their meaning.
//! * **Pareto frontier**: the admissible outcomes that no admissible outcome makes at least
//!   as good for every actor (bargainer or not) and better for one; equal utility vectors
//!   collapse into one point represented by the smallest outcome index.
//! * **Zone of possible agreement (ZOPA)**: admissible outcomes that every bargainer values
//!   at least as much as its reservation value (ties count as acceptable, as in Genius).
//! * **Bargaining solutions**: see [`bargaining`]; by default the disagreement point is the
//!   bargainers' reservation values and the candidates are the frontier points in the ZOPA.

mod additive;
pub mod bargaining;
mod dominance;
mod pareto;
pub(crate) mod scan;
mod summary;
mod width;

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

pub use bargaining::{Disagreement, SolutionConcept};

use crate::error::Error;
use crate::outcome::Outcome;
use crate::utility::{Units, UtilityModel, from_units};
use summary::{Setup, Summary};

/// Outcomes evaluated per parallel work item of [`analyze`]: small enough that a space of a
/// few hundred thousand outcomes keeps every core busy (summaries are made per rayon split,
/// not per item, so a small item costs only the scan's setup).
const CHUNK: u64 = 1 << 14;

/// Outcomes evaluated per parallel work item of [`bargaining_set`] (each makes a frontier).
const FRONTIER_CHUNK: u64 = 1 << 18;

/// What [`analyze`] computes and within which limits.
#[derive(Clone, Debug)]
pub struct AnalysisOptions {
    /// Disagreement point and candidate set for the bargaining solutions.
    pub disagreement: Disagreement,
    /// How many best deals and near misses to keep (0 turns both off).
    pub top_k: usize,
    /// Whether to compute per-option statistics (who blocks what). Costs one update per
    /// actor and issue for every outcome.
    pub option_stats: bool,
    /// Refuse outcome spaces larger than this.
    pub max_outcomes: f64,
    /// Memory the frontier may take, in bytes.
    pub memory_budget: usize,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            disagreement: Disagreement::Reservation,
            top_k: 10,
            option_stats: true,
            max_outcomes: 1e10,
            memory_budget: 4 << 30,
        }
    }
}

impl AnalysisOptions {
    /// Only what the frontier and the bargaining solutions need (no rankings, no per-option
    /// statistics): the configuration the peer benchmark measures.
    pub fn frontier_only() -> Self {
        Self { top_k: 0, option_stats: false, ..Self::default() }
    }

    /// Sets the disagreement convention.
    pub fn with_disagreement(mut self, disagreement: Disagreement) -> Self {
        self.disagreement = disagreement;
        self
    }
}

/// An outcome with every actor's utility.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Package {
    /// Index in the outcome space.
    pub index: u64,
    /// The option chosen on each issue.
    pub options: Outcome,
    /// Every actor's utility, in actor order.
    pub utilities: Vec<f64>,
}

/// A bargaining solution.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Solution {
    /// The concept.
    pub concept: SolutionConcept,
    /// The package it selects.
    pub package: Package,
    /// The maximised objective.
    pub objective: f64,
}

/// An admissible package outside the zone, and what keeps it out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearMiss {
    /// The package.
    pub package: Package,
    /// The bargainer furthest below its reservation value.
    pub binding_actor: usize,
    /// How far below: reservation value minus utility.
    pub shortfall: f64,
}

/// Why an actor rules out every package containing an option.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BlockReason {
    /// Every package with the option crosses one of the actor's red lines.
    RedLine,
    /// The actor's best package with the option is worth less than its reservation value.
    Reservation {
        /// Best utility the actor can get with this option.
        best: f64,
        /// The actor's reservation value.
        reservation: f64,
    },
}

/// An actor ruling out an option.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Block {
    /// The actor.
    pub actor: usize,
    /// Whether the actor's objection blocks the option: it is a bargainer, or every
    /// package with the option needs its consent (a scoped veto).
    pub binding: bool,
    /// Why.
    pub reason: BlockReason,
}

/// Who blocks one option, and how much of the zone contains it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptionReport {
    /// Issue index.
    pub issue: usize,
    /// Option index.
    pub option: usize,
    /// Outcomes in the zone with this option.
    pub zopa_outcomes: u64,
    /// Actors ruling the option out on their own.
    pub blocks: Vec<Block>,
}

/// The result of [`analyze`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// Outcomes in the space.
    pub outcomes: u64,
    /// Outcomes crossing no bargainer's red line that no scoped veto blocks.
    pub admissible: u64,
    /// Outcomes in the zone of possible agreement.
    pub zopa: u64,
    /// The bargainers (actor indices).
    pub bargainers: Vec<usize>,
    /// Reservation value of every actor.
    pub reservation: Vec<f64>,
    /// The disagreement convention used for the solutions.
    pub disagreement: Disagreement,
    /// Disagreement value of every actor under that convention.
    pub disagreement_point: Vec<f64>,
    /// Best utility of every actor over the admissible outcomes.
    pub ideal: Vec<f64>,
    /// Worst utility of every actor over the admissible outcomes.
    pub worst: Vec<f64>,
    /// The Pareto frontier, utilities lexicographically descending.
    pub frontier: Vec<Package>,
    /// Frontier points inside the zone.
    pub frontier_in_zopa: usize,
    /// Bargaining solutions (absent when no candidate exists).
    pub solutions: Vec<Solution>,
    /// The same concepts over the whole frontier with each bargainer's worst admissible
    /// utility as the disagreement point: the efficient compromises, whether or not anyone
    /// would sign them. Shown when the zone is empty, as a reference.
    pub reference_solutions: Vec<Solution>,
    /// Best zone packages by Nash product over the reservation values.
    pub best_deals: Vec<Package>,
    /// Best admissible packages outside the zone by their smallest bargainer margin.
    pub near_misses: Vec<NearMiss>,
    /// Outcomes crossing each actor's red lines.
    pub red_line_crossings: Vec<u64>,
    /// Per option: zone count and blockers (empty unless option statistics were asked for).
    pub options: Vec<OptionReport>,
}

impl Analysis {
    /// The solution for a concept, if one exists.
    pub fn solution(&self, concept: SolutionConcept) -> Option<&Solution> {
        self.solutions.iter().find(|s| s.concept == concept)
    }
}

/// Bytes a frontier point may take: utilities and index, three copies while sorting.
fn bytes_per_point(dims: usize) -> usize {
    (dims + 1) * 8 * 3
}

/// The error for a frontier (or a step's candidates) of `points` points in `dims`
/// dimensions when `max_points` fit the budget.
pub(crate) fn frontier_too_large(points: usize, dims: usize, max_points: usize) -> Error {
    let per_point = (dims + 1) * 8;
    Error::FrontierTooLarge { points, bytes: points * per_point, budget: max_points * per_point }
}

/// Analyses the whole outcome space of a utility model.
pub fn analyze(model: &UtilityModel, options: &AnalysisOptions) -> Result<Analysis, Error> {
    let space = model.space();
    let outcomes = match space.len() {
        Some(n) if (n as f64) <= options.max_outcomes => n,
        _ => return Err(Error::OutcomeSpaceTooLarge { outcomes: space.len_f64(), limit: options.max_outcomes }),
    };
    let n = model.n_actors();
    let mut bargainers: Vec<usize> = (0..n).filter(|&a| model.veto()[a]).collect();
    if bargainers.is_empty() {
        bargainers = (0..n).collect();
    }
    let bargainer_mask = bargainers.iter().fold(0u64, |m, &b| m | (1 << b));
    let mut option_offsets = Vec::with_capacity(space.n_issues());
    let mut n_options = 0;
    for &r in space.radices() {
        option_offsets.push(n_options);
        n_options += r as usize;
    }
    let everyone: Vec<usize> = (0..n).collect();
    let additive = additive::applies(model, &everyone, bargainer_mask);
    let reservation_units = model.reservation_units();
    let setup = Setup {
        n_actors: n,
        bargainer_mask,
        all_bargain: bargainers.len() == n,
        bargainers: bargainers.clone(),
        reservation: reservation_units.clone(),
        option_offsets: option_offsets.clone(),
        n_options,
        top_k: options.top_k,
        option_stats: options.option_stats,
        max_frontier_points: (options.memory_budget / bytes_per_point(n)).max(1),
        frontier: !additive,
    };

    let summary = if additive && !model.has_red_lines() && options.top_k == 0 && !options.option_stats {
        // Nothing is needed per outcome: counts and bounds follow from the issues' values.
        let mut s = Summary::new(&setup);
        (s.worst, s.ideal) = additive::extremes(model);
        s.outcomes = outcomes;
        s.admissible = outcomes;
        let thresholds: Vec<Units> = bargainers.iter().map(|&b| reservation_units[b]).collect();
        s.zopa = additive::zone_count(model, &bargainers, &thresholds);
        s
    } else {
        let chunks = outcomes.div_ceil(CHUNK);
        let abort = AtomicBool::new(false);
        (0..chunks)
            .into_par_iter()
            .fold(
                || Summary::new(&setup),
                |mut s, c| {
                    if s.error.is_none() && !abort.load(Ordering::Relaxed) {
                        scan::scan(model, c * CHUNK..((c + 1) * CHUNK).min(outcomes), &mut s);
                        if s.error.is_some() {
                            abort.store(true, Ordering::Relaxed);
                        }
                    }
                    s
                },
            )
            .reduce(|| Summary::new(&setup), Summary::merge)
    };
    if let Some(e) = summary.error {
        return Err(e);
    }
    if summary.outcomes != outcomes {
        return Err(Error::Internal(format!("scanned {} of {} outcomes", summary.outcomes, outcomes)));
    }

    let frontier_set = match summary.skyline {
        Some(skyline) => skyline.into_point_set(),
        None => additive::frontier(model, &everyone, setup.max_frontier_points)?,
    };
    let package = |index: u64, utilities: Vec<f64>| Package { index, options: space.decode(index), utilities };
    let frontier: Vec<Package> = (0..frontier_set.len())
        .map(|i| package(frontier_set.outcomes[i], frontier_set.point(i).iter().map(|&u| from_units(u)).collect()))
        .collect();
    let in_zopa = |u: &[Units]| bargainers.iter().all(|&b| u[b] >= reservation_units[b]);
    let frontier_in_zopa = (0..frontier_set.len()).filter(|&i| in_zopa(frontier_set.point(i))).count();

    let disagreement_units: Vec<Units> = match options.disagreement {
        Disagreement::Reservation => reservation_units.clone(),
        Disagreement::NegmasMinimum => reservation_units
            .iter()
            .zip(&summary.worst)
            .map(|(&r, &w)| if w == Units::MAX { r } else { r.max(w) })
            .collect(),
    };
    let solve_all = |d: &[Units]| -> Vec<Solution> {
        SolutionConcept::ALL
            .iter()
            .filter_map(|&concept| {
                let points = (0..frontier_set.len()).map(|i| frontier_set.point(i));
                bargaining::solve(concept, points, &bargainers, d, &summary.ideal).map(|(i, objective)| Solution {
                    concept,
                    package: frontier[i].clone(),
                    objective,
                })
            })
            .collect()
    };
    let solutions = solve_all(&disagreement_units);
    let worst_units: Vec<Units> = summary.worst.iter().map(|&w| if w == Units::MAX { 0 } else { w }).collect();
    let reference_solutions = solve_all(&worst_units);

    let best_deals = summary
        .best_deals
        .items
        .iter()
        .map(|r| package(r.outcome, model.utilities(&space.decode(r.outcome))))
        .collect();
    let near_misses = summary
        .near_misses
        .items
        .iter()
        .map(|r| {
            let digits = space.decode(r.outcome);
            // The bargainer furthest below its reservation value (the first on ties).
            let (binding_actor, shortfall) = bargainers
                .iter()
                .map(|&b| (b, reservation_units[b] - model.utility_units(b, &digits)))
                .fold((bargainers[0], Units::MIN), |best, x| if x.1 > best.1 { x } else { best });
            NearMiss {
                package: package(r.outcome, model.utilities(&digits)),
                binding_actor,
                shortfall: from_units(shortfall),
            }
        })
        .collect();

    let reservation = model.reservation().to_vec();
    let mut option_reports = Vec::new();
    if options.option_stats {
        for (issue, &radix) in space.radices().iter().enumerate() {
            for option in 0..radix as usize {
                let cell = option_offsets[issue] + option;
                let blocks = (0..n)
                    .filter_map(|actor| {
                        let best = summary.best_without_red_line[actor * n_options + cell];
                        let reason = if best == Units::MIN {
                            BlockReason::RedLine
                        } else if best < reservation_units[actor] {
                            BlockReason::Reservation { best: from_units(best), reservation: reservation[actor] }
                        } else {
                            return None;
                        };
                        // A scoped veto binds where every package with the option needs it.
                        let binding =
                            bargainers.contains(&actor) || model.needs_consent_for_option(actor, issue, option as u32);
                        Some(Block { actor, binding, reason })
                    })
                    .collect();
                option_reports.push(OptionReport {
                    issue,
                    option,
                    zopa_outcomes: summary.zopa_by_option[cell],
                    blocks,
                });
            }
        }
    }

    let extreme = |u: Units| match u {
        Units::MIN => f64::NEG_INFINITY,
        Units::MAX => f64::INFINITY,
        u => from_units(u),
    };
    Ok(Analysis {
        outcomes,
        admissible: summary.admissible,
        zopa: summary.zopa,
        bargainers,
        reservation,
        disagreement: options.disagreement,
        disagreement_point: disagreement_units.iter().map(|&d| from_units(d)).collect(),
        ideal: summary.ideal.iter().map(|&u| extreme(u)).collect(),
        worst: summary.worst.iter().map(|&u| extreme(u)).collect(),
        frontier,
        frontier_in_zopa,
        solutions,
        reference_solutions,
        best_deals,
        near_misses,
        red_line_crossings: summary.red_line_crossings,
        options: option_reports,
    })
}

/// Calls `f` for every outcome with index in `range`, in index order, with its options,
/// every actor's exact utility (in [`Units`]; [`from_units`] gives the number
/// [`UtilityModel::utility`] gives) and the bit mask of the actors whose red lines it
/// crosses (as [`UtilityModel::crossed_red_lines`] gives it). Utilities are kept as partial
/// sums and conditions as bit masks while the walk moves on, so an outcome costs a few
/// additions instead of an evaluation per actor and issue.
pub fn walk(model: &UtilityModel, range: std::ops::Range<u64>, mut f: impl FnMut(u64, &[u32], &[Units], u64)) {
    let mut visit = |outcome: u64, digits: &[u32], utilities: &[Units], crossed: u64, _: u64| {
        f(outcome, digits, utilities, crossed);
    };
    scan::scan(model, range, &mut scan::VisitFn(&mut visit));
}

/// The **bargaining set**: the Pareto frontier in the utility space of `actors` alone, over
/// the outcomes that cross none of their red lines and that no scoped veto blocks. Each
/// point is one representative package per distinct utility vector (utilities in the order
/// of `actors`), in canonical order (utilities lexicographically descending).
///
/// It depends on the preferences only, not on the reservation values of `actors` (those of
/// actors with a scoped veto decide what they block), so it is computed once and reused
/// while the parties' reservation values move: whether the zone of possible agreement is
/// empty, and the package that gives the worst-off party the largest margin, can both be
/// read from it (a package in the zone is dominated by a frontier package in the zone).
pub fn bargaining_set(model: &UtilityModel, actors: &[usize]) -> Result<Vec<(u64, Vec<f64>)>, Error> {
    let limits = AnalysisOptions::default();
    let len = match model.space().len() {
        Some(n) if (n as f64) <= limits.max_outcomes => n,
        _ => {
            return Err(Error::OutcomeSpaceTooLarge { outcomes: model.space().len_f64(), limit: limits.max_outcomes });
        }
    };
    let mask = actors.iter().fold(0u64, |m, &a| m | (1 << a));
    let max_points = (limits.memory_budget / bytes_per_point(actors.len())).max(1);
    let set = if additive::applies(model, actors, mask) {
        additive::frontier(model, actors, max_points)?
    } else {
        let chunks = len.div_ceil(FRONTIER_CHUNK);
        let skyline = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let mut sky = pareto::Skyline::new(actors.len());
                let mut point = vec![0; actors.len()];
                scan::scan(
                    model,
                    c * FRONTIER_CHUNK..((c + 1) * FRONTIER_CHUNK).min(len),
                    &mut scan::VisitFn(|outcome: u64, _: &[u32], u: &[Units], crossed: u64, refused: u64| {
                        if crossed & mask == 0 && refused == 0 {
                            for (p, &a) in point.iter_mut().zip(actors) {
                                *p = u[a];
                            }
                            sky.insert(&point, outcome);
                        }
                    }),
                );
                sky
            })
            .reduce(
                || pareto::Skyline::new(actors.len()),
                |mut a, b| {
                    a.merge(b);
                    a
                },
            );
        if skyline.len() > max_points {
            return Err(frontier_too_large(skyline.len(), actors.len(), max_points));
        }
        skyline.into_point_set()
    };
    Ok((0..set.len()).map(|i| (set.outcomes[i], set.point(i).iter().map(|&u| from_units(u)).collect())).collect())
}

#[cfg(test)]
mod tests;
