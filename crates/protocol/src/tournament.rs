//! Tournaments: every assignment of strategies to the parties of every domain, played in
//! parallel, summarised per strategy.
//!
//! Negotiation `k` of a tournament uses random stream `k` under the master seed, and
//! results are collected in negotiation order, so the summary is the same on any number of
//! threads.

use rayon::prelude::*;
use serde::Serialize;

use parley_core::Analysis;

use crate::domain::Domain;
use crate::protocol::{NoObserver, RunConfig, StackedAlternatingOffers, Termination, run};
use crate::strategy::StrategyKind;

/// A domain entered in a tournament, with its outcome-space analysis (for the distances
/// to the Pareto frontier and the Nash point).
pub struct Entry<'a> {
    /// A name for reports.
    pub name: &'a str,
    /// The ranked domain.
    pub domain: &'a Domain,
    /// Its analysis (NegMAS's disagreement convention makes the Nash point defined even
    /// when the zone is empty).
    pub analysis: &'a Analysis,
}

/// Settings of a tournament.
#[derive(Clone, Debug)]
pub struct TournamentConfig {
    /// The strategies; every assignment of them to the parties is played.
    pub strategies: Vec<StrategyKind>,
    /// Deadline of each negotiation, in rounds.
    pub rounds: u32,
    /// Master seed.
    pub seed: u64,
    /// How many times each assignment is played (different random streams).
    pub repetitions: u32,
}

/// One negotiation of a tournament.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    /// Domain name.
    pub domain: String,
    /// Strategy index (into the config) of each party.
    pub seats: Vec<usize>,
    /// Repetition.
    pub repetition: u32,
    /// How it ended.
    pub termination: Termination,
    /// Every party's utility (reservation values without agreement).
    pub utilities: Vec<f64>,
    /// Euclidean distance of the utility vector to the nearest Pareto-frontier point.
    pub pareto_distance: f64,
    /// Euclidean distance to the Nash point (if the domain has one).
    pub nash_distance: Option<f64>,
    /// Rounds played.
    pub rounds: u32,
}

/// A strategy's results over the tournament (per seat it played).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrategyStats {
    /// The strategy.
    pub strategy: StrategyKind,
    /// Seats played.
    pub negotiations: u64,
    /// Share of those that ended in agreement.
    pub agreement_rate: f64,
    /// Mean own utility.
    pub mean_utility: f64,
    /// Mean sum of all parties' utilities.
    pub mean_welfare: f64,
    /// Mean distance to the Pareto frontier.
    pub mean_pareto_distance: f64,
    /// Mean distance to the Nash point.
    pub mean_nash_distance: f64,
    /// Mean rounds.
    pub mean_rounds: f64,
}

/// The tournament's records and summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tournament {
    /// Every negotiation, in a fixed order.
    pub records: Vec<Record>,
    /// One row per strategy, in config order.
    pub stats: Vec<StrategyStats>,
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// Every assignment of `k` strategies to `n` seats, in lexicographic order.
fn assignments(k: usize, n: usize) -> Vec<Vec<usize>> {
    let total = k.pow(n as u32);
    (0..total)
        .map(|mut i| {
            let mut seats = vec![0; n];
            for s in seats.iter_mut().rev() {
                *s = i % k;
                i /= k;
            }
            seats
        })
        .collect()
}

/// Plays the tournament.
pub fn play(entries: &[Entry<'_>], config: &TournamentConfig) -> Tournament {
    let mut jobs = Vec::new();
    for (e, entry) in entries.iter().enumerate() {
        for seats in assignments(config.strategies.len(), entry.domain.n_actors()) {
            for repetition in 0..config.repetitions.max(1) {
                jobs.push((e, seats.clone(), repetition));
            }
        }
    }
    let records: Vec<Record> = jobs
        .par_iter()
        .enumerate()
        .map(|(k, (e, seats, repetition))| {
            let entry = &entries[*e];
            let mut negotiators: Vec<_> = seats.iter().map(|&s| config.strategies[s].build()).collect();
            let run_config =
                RunConfig { rounds: config.rounds, seed: config.seed, stream: k as u64, record_trace: false };
            let r = run(
                &mut StackedAlternatingOffers::default(),
                entry.domain,
                &mut negotiators,
                run_config,
                &mut NoObserver,
            );
            let pareto_distance = entry
                .analysis
                .frontier
                .iter()
                .map(|p| distance(&p.utilities, &r.utilities))
                .fold(f64::INFINITY, f64::min);
            let nash_distance = entry
                .analysis
                .solution(parley_core::SolutionConcept::Nash)
                .or_else(|| entry.analysis.reference_solutions.first())
                .map(|n| distance(&n.package.utilities, &r.utilities));
            Record {
                domain: entry.name.to_string(),
                seats: seats.clone(),
                repetition: *repetition,
                termination: r.termination,
                utilities: r.utilities,
                pareto_distance,
                nash_distance,
                rounds: r.rounds,
            }
        })
        .collect();
    let stats = config
        .strategies
        .iter()
        .enumerate()
        .map(|(s, &strategy)| {
            let mut n = 0u64;
            let (mut agreed, mut utility, mut welfare, mut pareto, mut nash, mut nash_n, mut rounds) =
                (0u64, 0.0, 0.0, 0.0, 0.0, 0u64, 0.0);
            for r in &records {
                for (seat, &played) in r.seats.iter().enumerate() {
                    if played != s {
                        continue;
                    }
                    n += 1;
                    agreed += u64::from(matches!(r.termination, Termination::Agreement { .. }));
                    utility += r.utilities[seat];
                    welfare += r.utilities.iter().sum::<f64>();
                    pareto += r.pareto_distance;
                    if let Some(d) = r.nash_distance {
                        nash += d;
                        nash_n += 1;
                    }
                    rounds += f64::from(r.rounds);
                }
            }
            let mean = |x: f64, k: u64| if k == 0 { f64::NAN } else { x / k as f64 };
            StrategyStats {
                strategy,
                negotiations: n,
                agreement_rate: mean(agreed as f64, n),
                mean_utility: mean(utility, n),
                mean_welfare: mean(welfare, n),
                mean_pareto_distance: mean(pareto, n),
                mean_nash_distance: mean(nash, nash_n),
                mean_rounds: mean(rounds, n),
            }
        })
        .collect();
    Tournament { records, stats }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_assignments_cover_every_seating() {
        assert_eq!(assignments(2, 2), vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]]);
        assert_eq!(assignments(3, 3).len(), 27);
    }
}
