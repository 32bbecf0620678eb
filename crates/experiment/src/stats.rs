//! What an experiment found: distributions per arm and each lever's difference from the
//! baseline, with 95% confidence intervals.
//!
//! Proportions carry Wilson score intervals ([`parley_core::stats`]). Differences between arms are paired by replicate
//! (the arms share parameters and shocks), so their intervals come from the standard
//! error of the paired differences: common random numbers make them much narrower than
//! independent samples would.

use parley_core::Scenario;
use parley_core::stats::{Mean, Proportion, Spread};
use serde::Serialize;

use crate::run::{Design, Outcome, Replicate};

/// One arm's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArmSummary {
    /// The arm's name.
    pub arm: String,
    /// Replicates.
    pub runs: u64,
    /// Probability that an agreement has been reached by each month (1-based).
    pub settled_by_month: Vec<Proportion>,
    /// Months to the first agreement, among replicates with one.
    pub settlement_month: Spread,
    /// Replicates whose first agreement came in each month (1-based).
    pub settlement_month_counts: Vec<u64>,
    /// Share of replicates with an agreement holding at the horizon.
    pub holding_at_horizon: Proportion,
    /// Share whose agreement broke down, with none holding at the horizon.
    pub relapsed: Proportion,
    /// Share in which a side broke, per side.
    pub capitulation: [Proportion; 2],
    /// Share of replicates never reaching an agreement.
    pub no_settlement: Proportion,
    /// Per issue, per option: share of first agreements with that option.
    pub terms: Vec<IssueTerms>,
    /// Both sides' losses over the horizon.
    pub losses: [Spread; 2],
    /// The holder's area at the horizon, km².
    pub held: Spread,
}

/// The agreed options of one issue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IssueTerms {
    /// The issue id.
    pub issue: String,
    /// `(option id, share of agreements)`, in option order.
    pub options: Vec<(String, f64)>,
}

/// A lever arm against the reference arm, paired by replicate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// The arm.
    pub arm: String,
    /// The reference arm.
    pub versus: String,
    /// Difference in the probability of an agreement within 12 months (or the horizon if shorter).
    pub settled_within_12: Mean,
    /// Difference in the probability of an agreement within the horizon.
    pub settled_by_horizon: Mean,
    /// Difference in the probability of an agreement holding at the horizon.
    pub holding_at_horizon: Mean,
    /// Difference in the holder's area at the horizon, km².
    pub held: Mean,
    /// Difference in each side's losses over the horizon.
    pub losses: [Mean; 2],
}

/// Everything an experiment found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The design.
    pub design: Design,
    /// The conflict's sides, in the order of every `[.., ..]` pair.
    pub sides: [String; 2],
    /// The parties at the table, in the order of every month's margins.
    pub parties: Vec<String>,
    /// The uncertain parameters' paths, with the mean of their draws.
    pub parameters: Vec<(String, f64)>,
    /// Each arm.
    pub arms: Vec<ArmSummary>,
    /// Each lever arm against the first arm.
    pub differences: Vec<Difference>,
}

fn indicator(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Summarises replicates (sorted by index, then arm) of an experiment on `scenarios` (the
/// scenario of each arm, for the terms' names).
pub fn summarize(design: &Design, scenarios: &[&Scenario], paths: &[String], replicates: &[Replicate]) -> Summary {
    let months = design.months as usize;
    let arms: Vec<Vec<&Replicate>> =
        (0..design.arms.len()).map(|a| replicates.iter().filter(|r| r.arm == a).collect()).collect();
    let sides = scenarios[0]
        .conflict
        .as_ref()
        .map_or([String::new(), String::new()], |c| [0, 1].map(|i| scenarios[0].actors[c.sides[i].actor].id.clone()));
    let summaries = arms
        .iter()
        .enumerate()
        .map(|(a, reps)| {
            let n = reps.len() as u64;
            let count = |f: &dyn Fn(&Replicate) -> bool| reps.iter().filter(|r| f(r)).count() as u64;
            let mut counts = vec![0u64; months];
            for r in reps {
                if let Some(m) = r.agreed_month {
                    counts[(m as usize - 1).min(months.saturating_sub(1))] += 1;
                }
            }
            let mut cumulative = 0;
            let settled_by_month = counts
                .iter()
                .map(|c| {
                    cumulative += c;
                    Proportion::new(cumulative, n)
                })
                .collect();
            let agreed: Vec<f64> = reps.iter().filter_map(|r| r.agreed_month.map(f64::from)).collect();
            let s = scenarios[a];
            let with_terms: Vec<&Vec<u32>> = reps.iter().filter_map(|r| r.terms.as_ref()).collect();
            let terms = s
                .issues
                .iter()
                .enumerate()
                .map(|(i, issue)| IssueTerms {
                    issue: issue.id.clone(),
                    options: issue
                        .options
                        .iter()
                        .enumerate()
                        .map(|(o, opt)| {
                            let k = with_terms.iter().filter(|t| t[i] as usize == o).count();
                            (
                                opt.id.clone(),
                                if with_terms.is_empty() { f64::NAN } else { k as f64 / with_terms.len() as f64 },
                            )
                        })
                        .collect(),
                })
                .collect();
            let side_losses = |i: usize| Spread::of(&reps.iter().map(|r| r.losses[i]).collect::<Vec<_>>());
            ArmSummary {
                arm: design.arms[a].name.clone(),
                runs: n,
                settled_by_month,
                settlement_month: Spread::of(&agreed),
                settlement_month_counts: counts,
                holding_at_horizon: Proportion::new(count(&|r| r.outcome == Outcome::Holding), n),
                relapsed: Proportion::new(count(&|r| r.outcome == Outcome::Relapsed), n),
                capitulation: [0, 1].map(|i| Proportion::new(count(&|r| r.broke == Some(i)), n)),
                no_settlement: Proportion::new(count(&|r| r.agreed_month.is_none()), n),
                terms,
                losses: [side_losses(0), side_losses(1)],
                held: Spread::of(&reps.iter().map(|r| r.held).collect::<Vec<_>>()),
            }
        })
        .collect();
    let within = 12.min(design.months);
    let differences = (1..arms.len())
        .map(|a| {
            let pairs: Vec<(&Replicate, &Replicate)> = arms[a].iter().copied().zip(arms[0].iter().copied()).collect();
            let diff =
                |f: &dyn Fn(&Replicate) -> f64| Mean::of(&pairs.iter().map(|(x, y)| f(x) - f(y)).collect::<Vec<_>>());
            Difference {
                arm: design.arms[a].name.clone(),
                versus: design.arms[0].name.clone(),
                settled_within_12: diff(&|r| indicator(r.agreed_month.is_some_and(|m| m <= within))),
                settled_by_horizon: diff(&|r| indicator(r.agreed_month.is_some())),
                holding_at_horizon: diff(&|r| indicator(r.outcome == Outcome::Holding)),
                held: diff(&|r| r.held),
                losses: [diff(&|r| r.losses[0]), diff(&|r| r.losses[1])],
            }
        })
        .collect();
    let baseline = &arms[0];
    let parameters = paths
        .iter()
        .enumerate()
        .map(|(k, p)| (p.clone(), baseline.iter().map(|r| r.parameters[k]).sum::<f64>() / baseline.len().max(1) as f64))
        .collect();
    let parties =
        parley_sim::coupled::default_parties(scenarios[0]).iter().map(|&a| scenarios[0].actors[a].id.clone()).collect();
    Summary { design: design.clone(), sides, parties, parameters, arms: summaries, differences }
}
