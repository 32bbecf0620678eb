//! What an experiment found: distributions per arm and each lever's difference from the
//! baseline, with 95% confidence intervals.
//!
//! Proportions carry Wilson score intervals (Wilson 1927), which stay inside [0, 1] and
//! keep their coverage near 0 and 1. Differences between arms are paired by replicate
//! (the arms share parameters and shocks), so their intervals come from the standard
//! error of the paired differences: common random numbers make them much narrower than
//! independent samples would.

use parley_core::Scenario;
use serde::Serialize;

use crate::run::{Design, Outcome, Replicate};

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A proportion with its 95% Wilson interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Proportion {
    /// Successes.
    pub count: u64,
    /// Trials.
    pub n: u64,
    /// The estimate.
    pub p: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Proportion {
    /// `count` successes out of `n`.
    pub fn new(count: u64, n: u64) -> Proportion {
        if n == 0 {
            return Proportion { count, n, p: f64::NAN, lo: f64::NAN, hi: f64::NAN };
        }
        let (k, n_f) = (count as f64, n as f64);
        let p = k / n_f;
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * n_f)) / (1.0 + z2 / n_f);
        let half = Z95 / (1.0 + z2 / n_f) * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
        Proportion { count, n, p, lo: (centre - half).max(0.0), hi: (centre + half).min(1.0) }
    }
}

/// A mean with its 95% interval (normal approximation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Mean {
    /// Observations.
    pub n: u64,
    /// The mean.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Mean {
    /// The mean of `xs`.
    pub fn of(xs: &[f64]) -> Mean {
        let n = xs.len();
        if n == 0 {
            return Mean { n: 0, mean: f64::NAN, lo: f64::NAN, hi: f64::NAN };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = if n > 1 { xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64 } else { 0.0 };
        let half = Z95 * (var / n as f64).sqrt();
        Mean { n: n as u64, mean, lo: mean - half, hi: mean + half }
    }
}

/// Quantiles of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// The mean.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Spread {
    /// The spread of `xs`.
    pub fn of(xs: &[f64]) -> Spread {
        if xs.is_empty() {
            return Spread { mean: f64::NAN, p5: f64::NAN, p50: f64::NAN, p95: f64::NAN };
        }
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let q = |p: f64| crate::sensitivity::quantile(&sorted, p);
        Spread { mean: xs.iter().sum::<f64>() / xs.len() as f64, p5: q(0.05), p50: q(0.5), p95: q(0.95) }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_wilson_interval_by_hand() {
        // 8 of 10: Wilson 95% interval (0.490, 0.943).
        let p = Proportion::new(8, 10);
        assert!((p.lo - 0.4902).abs() < 1e-3 && (p.hi - 0.9433).abs() < 1e-3, "{p:?}");
        let zero = Proportion::new(0, 50);
        assert!(zero.lo.abs() < 1e-12 && zero.hi > 0.0 && zero.hi < 0.08);
    }

    #[test]
    fn test_mean_interval_by_hand() {
        let m = Mean::of(&[1.0, 2.0, 3.0, 4.0]);
        // sd = 1.29, se = 0.645, half width 1.265.
        assert!((m.mean - 2.5).abs() < 1e-12 && (m.hi - m.mean - 1.2652).abs() < 1e-3);
    }
}
