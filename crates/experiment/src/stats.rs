//! What an experiment found: distributions per arm and each lever's difference from the
//! baseline, with 95% confidence intervals.
//!
//! Proportions carry Wilson score intervals ([`parley_core::stats`]). Differences between arms are paired by replicate
//! (the arms share parameters and shocks), so their intervals come from the standard
//! error of the paired differences: common random numbers make them much narrower than
//! independent samples would.

use parley_core::Scenario;
use parley_core::stats::{Mean, Proportion, RELATIVE_ERROR, Sample, Spread};
use serde::Serialize;

use crate::run::{Design, Outcome, Replicate};
use parley_sim::coupled::Phase;

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
    /// Share in which a side chose a wider mobilisation, per side.
    pub mobilised: [Proportion; 2],
    /// Share in which the mediator walked away.
    pub mediator_left: Proportion,
    /// Share in which a side refused a framework agreed over its head.
    pub framework_refused: Proportion,
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
    /// `None` when every quantile above is exact; otherwise the relative error of the
    /// quantile sketch they were read from (more than [`parley_core::stats::EXACT`]
    /// replicates per arm; see [`parley_core::stats::Sample`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantile_error: Option<f64>,
}

fn indicator(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Summarises replicates (sorted by index, then arm) of an experiment on `scenarios` (the
/// scenario of each arm, for the terms' names): [`Summarizer`] over a slice.
pub fn summarize(design: &Design, scenarios: &[&Scenario], paths: &[String], replicates: &[Replicate]) -> Summary {
    let mut summarizer = Summarizer::new(design, scenarios, paths);
    for r in replicates {
        summarizer.add(r);
    }
    summarizer.finish()
}

/// One arm's running tallies.
struct ArmTally {
    n: u64,
    settlement_month_counts: Vec<u64>,
    agreed: Sample,
    holding: u64,
    relapsed: u64,
    broke: [u64; 2],
    mobilised: [u64; 2],
    mediator_left: u64,
    framework_refused: u64,
    no_settlement: u64,
    /// Per issue, per option: first agreements with that option.
    terms: Vec<Vec<u64>>,
    with_terms: u64,
    losses: [Sample; 2],
    held: Sample,
}

/// The paired differences of one lever arm from the reference arm.
#[derive(Default)]
struct DifferenceTally {
    settled_within_12: Sample,
    settled_by_horizon: Sample,
    holding_at_horizon: Sample,
    held: Sample,
    losses: [Sample; 2],
}

/// What the paired differences need of a reference replicate.
#[derive(Clone, Copy)]
struct Reference {
    index: u64,
    within_12: f64,
    by_horizon: f64,
    holding: f64,
    held: f64,
    losses: [f64; 2],
}

impl Reference {
    fn of(r: &Replicate, within: u32) -> Reference {
        Reference {
            index: r.index,
            within_12: indicator(r.agreed_month.is_some_and(|m| m <= within)),
            by_horizon: indicator(r.agreed_month.is_some()),
            holding: indicator(r.outcome == Outcome::Holding),
            held: r.held,
            losses: r.losses,
        }
    }
}

/// An experiment's [`Summary`] built one replicate at a time, in memory that does not grow
/// with the number of replicates: counts are exact, means are running sums, and quantiles
/// come from [`Sample`]s — exact up to [`parley_core::stats::EXACT`] replicates per arm,
/// within [`parley_core::stats::RELATIVE_ERROR`] after ([`Summary::quantile_error`] says
/// which).
///
/// Replicates must come sorted by index, then arm (as [`crate::Experiment::replicates`]
/// and the experiment's files give them): the differences pair each lever arm's replicate
/// with the reference arm's replicate of the same index, seen just before it.
pub struct Summarizer<'a> {
    design: &'a Design,
    scenarios: &'a [&'a Scenario],
    paths: &'a [String],
    arms: Vec<ArmTally>,
    differences: Vec<DifferenceTally>,
    /// Running sums of the reference arm's parameter draws.
    parameter_sums: Vec<f64>,
    reference: Option<Reference>,
}

impl<'a> Summarizer<'a> {
    /// An empty summary of an experiment on `scenarios` (one per arm of `design`) whose
    /// uncertain parameters have the paths `paths`.
    pub fn new(design: &'a Design, scenarios: &'a [&'a Scenario], paths: &'a [String]) -> Summarizer<'a> {
        let months = design.months as usize;
        let arms = (0..design.arms.len())
            .map(|a| ArmTally {
                n: 0,
                settlement_month_counts: vec![0; months],
                agreed: Sample::new(),
                holding: 0,
                relapsed: 0,
                broke: [0; 2],
                mobilised: [0; 2],
                mediator_left: 0,
                framework_refused: 0,
                no_settlement: 0,
                terms: scenarios[a].issues.iter().map(|i| vec![0; i.options.len()]).collect(),
                with_terms: 0,
                losses: [Sample::new(), Sample::new()],
                held: Sample::new(),
            })
            .collect();
        let differences = (1..design.arms.len()).map(|_| DifferenceTally::default()).collect();
        Summarizer {
            design,
            scenarios,
            paths,
            arms,
            differences,
            parameter_sums: vec![-0.0; paths.len()],
            reference: None,
        }
    }

    /// Counts replicate `r`.
    ///
    /// # Panics
    ///
    /// If `r.arm` is not an arm of the design.
    pub fn add(&mut self, r: &Replicate) {
        let months = self.design.months as usize;
        let within = 12.min(self.design.months);
        let t = &mut self.arms[r.arm];
        t.n += 1;
        if let Some(m) = r.agreed_month {
            t.settlement_month_counts[(m as usize - 1).min(months.saturating_sub(1))] += 1;
            t.agreed.push(f64::from(m));
        } else {
            t.no_settlement += 1;
        }
        t.holding += u64::from(r.outcome == Outcome::Holding);
        t.relapsed += u64::from(r.outcome == Outcome::Relapsed);
        if let Some(side) = r.broke {
            t.broke[side] += 1;
        }
        for (count, month) in t.mobilised.iter_mut().zip(r.mobilised) {
            *count += u64::from(month.is_some());
        }
        t.mediator_left += u64::from(r.mediator_left.is_some());
        t.framework_refused += u64::from(r.framework_refused.is_some());
        if let Some(terms) = &r.terms {
            t.with_terms += 1;
            for (counts, &o) in t.terms.iter_mut().zip(terms) {
                if let Some(c) = counts.get_mut(o as usize) {
                    *c += 1;
                }
            }
        }
        for i in 0..2 {
            t.losses[i].push(r.losses[i]);
        }
        t.held.push(r.held);
        if r.arm == 0 {
            for (sum, x) in self.parameter_sums.iter_mut().zip(&r.parameters) {
                *sum += x;
            }
            self.reference = Some(Reference::of(r, within));
            return;
        }
        // A lever arm pairs with the reference replicate of the same index.
        let Some(y) = self.reference.filter(|y| y.index == r.index) else { return };
        let x = Reference::of(r, within);
        let d = &mut self.differences[r.arm - 1];
        d.settled_within_12.push(x.within_12 - y.within_12);
        d.settled_by_horizon.push(x.by_horizon - y.by_horizon);
        d.holding_at_horizon.push(x.holding - y.holding);
        d.held.push(x.held - y.held);
        for i in 0..2 {
            d.losses[i].push(x.losses[i] - y.losses[i]);
        }
    }

    /// The summary of every replicate added.
    pub fn finish(self) -> Summary {
        let design = self.design;
        let scenarios = self.scenarios;
        let sides = scenarios[0].conflict.as_ref().map_or([String::new(), String::new()], |c| {
            [0, 1].map(|i| scenarios[0].actors[c.sides[i].actor].id.clone())
        });
        let exact = self.arms.iter().all(|t| t.agreed.is_exact() && t.held.is_exact());
        let summaries = self
            .arms
            .iter()
            .enumerate()
            .map(|(a, t)| {
                let n = t.n;
                let mut cumulative = 0;
                let settled_by_month = t
                    .settlement_month_counts
                    .iter()
                    .map(|c| {
                        cumulative += c;
                        Proportion::new(cumulative, n)
                    })
                    .collect();
                let terms = scenarios[a]
                    .issues
                    .iter()
                    .zip(&t.terms)
                    .map(|(issue, counts)| IssueTerms {
                        issue: issue.id.clone(),
                        options: issue
                            .options
                            .iter()
                            .zip(counts)
                            .map(|(opt, &k)| {
                                let share = if t.with_terms == 0 { f64::NAN } else { k as f64 / t.with_terms as f64 };
                                (opt.id.clone(), share)
                            })
                            .collect(),
                    })
                    .collect();
                ArmSummary {
                    arm: design.arms[a].name.clone(),
                    runs: n,
                    settled_by_month,
                    settlement_month: t.agreed.spread(),
                    settlement_month_counts: t.settlement_month_counts.clone(),
                    holding_at_horizon: Proportion::new(t.holding, n),
                    relapsed: Proportion::new(t.relapsed, n),
                    capitulation: t.broke.map(|k| Proportion::new(k, n)),
                    mobilised: t.mobilised.map(|k| Proportion::new(k, n)),
                    mediator_left: Proportion::new(t.mediator_left, n),
                    framework_refused: Proportion::new(t.framework_refused, n),
                    no_settlement: Proportion::new(t.no_settlement, n),
                    terms,
                    losses: [t.losses[0].spread(), t.losses[1].spread()],
                    held: t.held.spread(),
                }
            })
            .collect();
        let differences = self
            .differences
            .iter()
            .enumerate()
            .map(|(k, d)| Difference {
                arm: design.arms[k + 1].name.clone(),
                versus: design.arms[0].name.clone(),
                settled_within_12: d.settled_within_12.mean(),
                settled_by_horizon: d.settled_by_horizon.mean(),
                holding_at_horizon: d.holding_at_horizon.mean(),
                held: d.held.mean(),
                losses: [d.losses[0].mean(), d.losses[1].mean()],
            })
            .collect();
        let reference_runs = self.arms.first().map_or(0, |t| t.n).max(1) as f64;
        let parameters =
            self.paths.iter().zip(&self.parameter_sums).map(|(p, sum)| (p.clone(), sum / reference_runs)).collect();
        let parties = parley_sim::coupled::default_parties(scenarios[0])
            .iter()
            .map(|&a| scenarios[0].actors[a].id.clone())
            .collect();
        Summary {
            design: design.clone(),
            sides,
            parties,
            parameters,
            arms: summaries,
            differences,
            quantile_error: (!exact).then_some(RELATIVE_ERROR),
        }
    }
}

/// The month-by-month distribution of one arm's replicates — the area held, each side's
/// losses and alternative to a deal, each party's acceptance margin — and the share of
/// replicates in which the zone of agreement is open or the guns are silent, built one
/// replicate at a time in bounded memory (quantiles as [`Sample`] gives them).
#[derive(Clone, Debug)]
pub struct Monthly {
    arm: usize,
    /// Replicates counted.
    pub runs: u64,
    /// Per month: the holder's area, km².
    pub held: Vec<Sample>,
    /// Per side, per month: losses in the month.
    pub losses: [Vec<Sample>; 2],
    /// Per side, per month: the alternative to a deal.
    pub batna: [Vec<Sample>; 2],
    /// Per party at the table, per month: the acceptance margin (NaN where a replicate has
    /// no margin for it).
    pub margins: Vec<Vec<Sample>>,
    /// Per month: replicates that reached it.
    pub reached: Vec<u64>,
    /// Per month: replicates fighting with every margin non-negative (within 1e-4).
    pub zone_open: Vec<u64>,
    /// Per month: replicates in a ceasefire or settled.
    pub at_peace: Vec<u64>,
}

impl Monthly {
    /// An empty account of arm `arm` over `months` months with `parties` at the table.
    pub fn new(arm: usize, months: u32, parties: usize) -> Monthly {
        let series = || (0..months).map(|_| Sample::new()).collect::<Vec<_>>();
        Monthly {
            arm,
            runs: 0,
            held: series(),
            losses: [series(), series()],
            batna: [series(), series()],
            margins: (0..parties).map(|_| series()).collect(),
            reached: vec![0; months as usize],
            zone_open: vec![0; months as usize],
            at_peace: vec![0; months as usize],
        }
    }

    /// Counts `r` if it belongs to the arm.
    pub fn add(&mut self, r: &Replicate) {
        if r.arm != self.arm {
            return;
        }
        self.runs += 1;
        for (k, m) in r.months.iter().enumerate().take(self.held.len()) {
            self.held[k].push(m.held);
            for i in 0..2 {
                self.losses[i][k].push(m.losses[i]);
                self.batna[i][k].push(m.batna[i]);
            }
            for (p, series) in self.margins.iter_mut().enumerate() {
                series[k].push(m.margins.get(p).copied().unwrap_or(f64::NAN));
            }
            self.reached[k] += 1;
            self.zone_open[k] += u64::from(m.phase == Phase::Fighting && m.margins.iter().all(|&x| x >= -1e-4));
            self.at_peace[k] += u64::from(matches!(m.phase, Phase::Ceasefire | Phase::Settled));
        }
    }

    /// Whether every quantile is exact (see [`Sample::is_exact`]).
    pub fn is_exact(&self) -> bool {
        self.held.iter().all(Sample::is_exact)
    }
}

#[cfg(test)]
mod tests {
    use parley_core::stats::{EXACT, FLOOR, quantile};

    use super::*;
    use crate::run::{MonthRow, Start};
    use crate::{Arm, built_in};

    /// A synthetic replicate: cheap, so a test can make more than EXACT of them.
    fn replicate(index: u64, arm: usize, issues: usize) -> Replicate {
        let u = |k: u64| ((index * 7 + k) as f64 * 0.618_033_988_749_895).fract();
        let agreed = (u(1) < 0.4).then(|| 1 + (u(2) * 12.0) as u32);
        let month = |k: u64| MonthRow {
            phase: if agreed.is_some_and(|m| u64::from(m) <= k) { Phase::Ceasefire } else { Phase::Fighting },
            held: 110_000.0 + 5_000.0 * u(10 + k) + arm as f64,
            losses: [30_000.0 * u(20 + k), 20_000.0 * u(30 + k)],
            batna: [u(40 + k), 0.5 * u(50 + k)],
            margins: vec![u(60 + k) - 0.5, -0.1 * u(70 + k)],
        };
        Replicate {
            index,
            arm,
            parameters: vec![u(3), 10.0 * u(4)],
            outcome: if agreed.is_some() { Outcome::Holding } else { Outcome::NoSettlement },
            agreed_month: agreed,
            terms: agreed.map(|_| vec![(index % 2) as u32; issues]),
            broke: None,
            losses: [1e5 * u(5) + 5e3 * arm as f64, 1e5 * u(6)],
            held: 110_000.0 + 8_000.0 * u(7) - 100.0 * arm as f64,
            mobilised: [(u(8) < 0.3).then_some(2), None],
            mediator_left: (u(9) < 0.5).then_some(1),
            framework_refused: (u(9) < 0.2).then_some(3),
            months: (0..3).map(month).collect(),
        }
    }

    #[test]
    fn test_past_exact_the_summary_says_so_and_keeps_the_stated_error() {
        let s = built_in();
        let arms = vec![Arm::new(vec![]), Arm::new(vec![s.levers[0].id.clone()])];
        let design = Design { runs: 0, months: 3, seed: 0, arms, start: Start::Prior };
        let scenarios = [&s, &s];
        let paths = ["a".to_string(), "b".to_string()];
        let small: Vec<Replicate> =
            (0..100).flat_map(|i| [replicate(i, 0, s.issues.len()), replicate(i, 1, s.issues.len())]).collect();
        assert_eq!(summarize(&design, &scenarios, &paths, &small).quantile_error, None, "a small experiment is exact");

        let runs = EXACT as u64 + 5_000;
        let mut summarizer = Summarizer::new(&design, &scenarios, &paths);
        let mut monthly = Monthly::new(0, 3, 2);
        let mut held = Vec::new();
        let mut held_difference = Vec::new();
        for i in 0..runs {
            let (a, b) = (replicate(i, 0, s.issues.len()), replicate(i, 1, s.issues.len()));
            held.push(a.held);
            held_difference.push(b.held - a.held);
            for r in [&a, &b] {
                summarizer.add(r);
                monthly.add(r);
            }
        }
        let summary = summarizer.finish();
        assert_eq!(summary.quantile_error, Some(RELATIVE_ERROR));
        assert!(!monthly.is_exact());
        assert_eq!(monthly.runs, runs);
        let arm = &summary.arms[0];
        assert_eq!(arm.runs, runs);
        held.sort_by(f64::total_cmp);
        for (got, p) in [(arm.held.p5, 0.05), (arm.held.p50, 0.5), (arm.held.p95, 0.95)] {
            let exact = quantile(&held, p);
            assert!((got - exact).abs() <= RELATIVE_ERROR * exact + FLOOR, "p{p}: {got} vs {exact}");
        }
        // Counts stay exact; the paired difference is the lever's shift, exactly.
        let settled = arm.settlement_month_counts.iter().sum::<u64>();
        assert_eq!(settled + arm.no_settlement.count, runs);
        let d = &summary.differences[0];
        assert_eq!(d.held.n, runs);
        assert!((d.held.mean - (-100.0)).abs() < 1e-6, "{}", d.held.mean);
        assert!((d.losses[0].mean - 5e3).abs() < 1e-6);
        assert_eq!(monthly.reached, vec![runs; 3]);
    }

    #[test]
    fn test_the_monthly_account_counts_one_arm() {
        let mut monthly = Monthly::new(1, 3, 2);
        for i in 0..10 {
            monthly.add(&replicate(i, 0, 1));
            monthly.add(&replicate(i, 1, 1));
        }
        assert_eq!(monthly.runs, 10);
        assert!(monthly.is_exact());
        assert_eq!(monthly.held[0].len(), 10);
        let peace: u64 = monthly.at_peace.iter().sum();
        let open: u64 = monthly.zone_open.iter().sum();
        assert!(peace + open <= 30);
    }
}
