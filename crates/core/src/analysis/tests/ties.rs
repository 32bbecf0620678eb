//! Domains built to have exact ties, checked against the definitions in exact arithmetic.
//!
//! Every weight is a multiple of 1/20 (the weights of an actor sum to exactly 1), every value
//! a multiple of 1/20, every linkage and reservation value a multiple of 1/400, so every
//! utility is an exact multiple of 1/400 — and many packages share a utility, while their
//! floating-point sums, formed in different orders, often differ in the last bit. The
//! reference below computes utilities in whole 400ths and the frontier, zone, solutions,
//! rankings and blocks by their definitions; the analysis must agree exactly.

use std::cmp::Ordering;

use proptest::prelude::*;

use super::*;
use crate::preferences::{Condition, Linkage, RedLine};
use crate::scenario::{Quantity, Scenario};
use crate::test_utils::{TableActor, TestScenario};

/// `(issue, option)`.
type Term = (usize, usize);

/// One actor of a [`Domain`].
#[derive(Clone, Debug)]
struct Actor {
    veto: bool,
    /// In 400ths.
    reservation: i64,
    /// In 20ths, summing to 20.
    weights: Vec<i64>,
    /// In 20ths, one row per issue.
    values: Vec<Vec<i64>>,
}

/// A random tie-rich domain, with each number as a whole count of 400ths.
#[derive(Clone, Debug)]
struct Domain {
    radices: Vec<usize>,
    actors: Vec<Actor>,
    /// `(actor, terms, delta in 400ths)`.
    linkages: Vec<(usize, [Term; 2], i64)>,
    /// `(actor, terms)`: one or two terms.
    red_lines: Vec<(usize, Vec<Term>)>,
}

fn domain() -> impl Strategy<Value = Domain> {
    (2usize..=5, prop::collection::vec(1usize..=4, 1..=4)).prop_flat_map(|(n, radices)| {
        let k = radices.len();
        let options: usize = radices.iter().sum();
        let actor = (
            any::<bool>(),
            0i64..=20,
            prop::collection::vec(0i64..=20, k - 1),
            prop::collection::vec(0i64..=20, options),
        );
        let link = (0..n, (0..k, 0usize..4), (0..k, 0usize..4), -40i64..=40);
        let red = (0..n, prop::collection::vec((0..k, 0usize..4), 1..=2));
        (
            Just(radices),
            prop::collection::vec(actor, n),
            prop::collection::vec(link, 0..=2),
            prop::collection::vec(red, 0..=2),
        )
            .prop_map(|(radices, actors, links, reds)| {
                let actors = actors
                    .into_iter()
                    .map(|(veto, reservation, mut cuts, flat)| {
                        // Weights from cut points of [0, 20]: whole 20ths summing to 20.
                        cuts.sort_unstable();
                        let bounds: Vec<i64> = std::iter::once(0).chain(cuts).chain(std::iter::once(20)).collect();
                        let weights = bounds.windows(2).map(|w| w[1] - w[0]).collect();
                        let mut at = 0;
                        let values = radices
                            .iter()
                            .map(|&r| {
                                at += r;
                                flat[at - r..at].to_vec()
                            })
                            .collect();
                        Actor { veto, reservation: reservation * 20, weights, values }
                    })
                    .collect();
                let option = |(i, o): (usize, usize)| (i, o % radices[i]);
                let linkages = links
                    .into_iter()
                    .filter(|(_, a, b, _)| a.0 != b.0)
                    .map(|(actor, a, b, delta)| (actor, [option(a), option(b)], delta))
                    .collect();
                let red_lines = reds
                    .into_iter()
                    .map(|(actor, mut terms)| {
                        terms.dedup_by_key(|t| t.0);
                        (actor, terms.into_iter().map(option).collect())
                    })
                    .collect();
                Domain { radices, actors, linkages, red_lines }
            })
    })
}

impl Domain {
    fn scenario(&self) -> Scenario {
        let tables = self
            .actors
            .iter()
            .map(|x| TableActor {
                veto: x.veto,
                reservation: x.reservation as f64 / 400.0,
                weights: x.weights.iter().map(|&w| w as f64 / 20.0).collect(),
                values: x.values.iter().map(|row| row.iter().map(|&v| v as f64 / 20.0).collect()).collect(),
            })
            .collect();
        let mut s = TestScenario::from_tables(&self.radices, tables);
        for (i, (actor, terms, delta)) in self.linkages.iter().enumerate() {
            s.preferences[*actor].linkages.push(Linkage {
                id: format!("l{i}"),
                when: Condition { terms: terms.iter().map(|&(i, o)| (i, vec![o])).collect() },
                delta: Quantity::bare(*delta as f64 / 400.0),
            });
        }
        for (i, (actor, terms)) in self.red_lines.iter().enumerate() {
            s.preferences[*actor].red_lines.push(RedLine {
                id: format!("r{i}"),
                when: Condition { terms: terms.iter().map(|&(i, o)| (i, vec![o])).collect() },
                reason: String::new(),
                source: None,
            });
        }
        s
    }

    /// Every outcome's digits, utilities in 400ths and red-line mask, in index order.
    fn outcomes(&self) -> Vec<(Vec<usize>, Vec<i64>, u64)> {
        let total: usize = self.radices.iter().product();
        (0..total)
            .map(|mut index| {
                let mut digits = vec![0; self.radices.len()];
                for (d, &r) in digits.iter_mut().zip(&self.radices).rev() {
                    *d = index % r;
                    index /= r;
                }
                let holds = |terms: &[Term]| terms.iter().all(|&(i, o)| digits[i] == o);
                let utilities = (0..self.actors.len())
                    .map(|a| {
                        let x = &self.actors[a];
                        let sum: i64 = digits.iter().enumerate().map(|(i, &o)| x.weights[i] * x.values[i][o]).sum();
                        let links = self.linkages.iter().filter(|l| l.0 == a && holds(&l.1)).map(|l| l.2).sum::<i64>();
                        let linked = self.linkages.iter().any(|l| l.0 == a);
                        if linked { (sum + links).clamp(0, 400) } else { sum }
                    })
                    .collect();
                let crossed = self.red_lines.iter().filter(|(_, t)| holds(t)).fold(0, |m, (a, _)| m | 1 << a);
                (digits, utilities, crossed)
            })
            .collect()
    }
}

/// A purely additive tie-rich domain: no linkages, no red lines.
fn additive_domain() -> impl Strategy<Value = Domain> {
    domain().prop_map(|mut d| {
        d.linkages.clear();
        d.red_lines.clear();
        d
    })
}

/// The frontier of `points` (index, utilities) by its definition, in canonical order.
fn frontier_by_definition(points: &[(u64, Vec<i64>)]) -> Vec<(u64, Vec<i64>)> {
    let dominates = |q: &[i64], p: &[i64]| q.iter().zip(p).all(|(x, y)| x >= y) && q != p;
    let mut front: Vec<(u64, Vec<i64>)> = points
        .iter()
        .filter(|(i, p)| !points.iter().any(|(j, q)| dominates(q, p) || (q == p && j < i)))
        .cloned()
        .collect();
    front.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    front
}

/// The first of `items` (already in rank order) whose exact key is largest.
fn first_max<T, K>(
    items: impl Iterator<Item = T>,
    key: impl Fn(&T) -> Option<K>,
    cmp: impl Fn(&K, &K) -> Ordering,
) -> Option<T> {
    let mut best: Option<(T, K)> = None;
    for item in items {
        if let Some(k) = key(&item)
            && best.as_ref().is_none_or(|(_, b)| cmp(&k, b) == Ordering::Greater)
        {
            best = Some((item, k));
        }
    }
    best.map(|(item, _)| item)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn test_equal_decimals_are_ties_everywhere(d in domain()) {
        let s = d.scenario();
        let model = UtilityModel::new(&s).unwrap();
        let a = analyze(&model, &AnalysisOptions::default()).unwrap();
        let all = d.outcomes();
        let n = d.actors.len();
        let reservation: Vec<i64> = d.actors.iter().map(|x| x.reservation).collect();
        let bargainers = a.bargainers.clone();
        let mask = bargainers.iter().fold(0u64, |m, &b| m | 1 << b);

        // Utilities are the decimals themselves, whatever the order of the additions.
        for (index, (_, u, _)) in all.iter().enumerate() {
            let got = model.utilities(&model.space().decode(index as u64));
            let want: Vec<u64> = u.iter().map(|&x| (x as f64 / 400.0).to_bits()).collect();
            prop_assert_eq!(got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), want);
        }

        // Frontier: indices and order.
        let admissible: Vec<(u64, Vec<i64>)> =
            all.iter().enumerate().filter(|(_, o)| o.2 & mask == 0).map(|(i, o)| (i as u64, o.1.clone())).collect();
        let front = frontier_by_definition(&admissible);
        let got: Vec<u64> = a.frontier.iter().map(|p| p.index).collect();
        prop_assert_eq!(&got, &front.iter().map(|p| p.0).collect::<Vec<_>>());

        // Zone.
        let in_zone = |u: &[i64]| bargainers.iter().all(|&b| u[b] >= reservation[b]);
        prop_assert_eq!(a.zopa as usize, admissible.iter().filter(|(_, u)| in_zone(u)).count());
        prop_assert_eq!(a.frontier_in_zopa, front.iter().filter(|(_, u)| in_zone(u)).count());

        // Solutions over the frontier in the zone, first in canonical order on ties.
        let ideal: Vec<i64> = (0..n).map(|b| admissible.iter().map(|(_, u)| u[b]).max().unwrap_or(0)).collect();
        let gains = |u: &[i64]| bargainers.iter().map(|&b| u[b] - reservation[b]).collect::<Vec<i64>>();
        let candidates = || front.iter().filter(|(_, u)| in_zone(u));
        let nash = first_max(candidates(), |p| Some(gains(&p.1).iter().map(|&g| i128::from(g)).product::<i128>()), Ord::cmp);
        let egalitarian = first_max(candidates(), |p| gains(&p.1).into_iter().min(), Ord::cmp);
        let utilitarian = first_max(candidates(), |p| Some(bargainers.iter().map(|&b| p.1[b]).sum::<i64>()), Ord::cmp);
        let share = |p: &&(u64, Vec<i64>)| {
            let shares = bargainers.iter().filter(|&&b| ideal[b] > reservation[b]).map(|&b| (p.1[b] - reservation[b], ideal[b] - reservation[b]));
            Some(shares.min_by(|x, y| (x.0 * y.1).cmp(&(y.0 * x.1))))
        };
        let ks = first_max(candidates(), share, |x, y| match (x, y) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => (x.0 * y.1).cmp(&(y.0 * x.1)),
        });
        for (concept, want) in [
            (SolutionConcept::Nash, nash),
            (SolutionConcept::KalaiSmorodinsky, ks),
            (SolutionConcept::Egalitarian, egalitarian),
            (SolutionConcept::Utilitarian, utilitarian),
        ] {
            prop_assert_eq!(a.solution(concept).map(|s| s.package.index), want.map(|p| p.0), "{:?}", concept);
        }

        // Best deals and near misses: exact keys, smaller index first on ties.
        let ranked = |keyed: Vec<(u64, (i128, i64))>| {
            let mut keyed = keyed;
            keyed.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            keyed.into_iter().take(10).map(|x| x.0).collect::<Vec<_>>()
        };
        let deals = ranked(admissible.iter().filter(|(_, u)| in_zone(u)).map(|(i, u)| {
            let g = gains(u);
            (*i, (g.iter().map(|&x| i128::from(x)).product(), g.iter().sum()))
        }).collect());
        prop_assert_eq!(a.best_deals.iter().map(|p| p.index).collect::<Vec<_>>(), deals);
        let misses = ranked(admissible.iter().filter(|(_, u)| !in_zone(u)).map(|(i, u)| {
            let g = gains(u);
            (*i, (i128::from(*g.iter().min().unwrap()), g.iter().sum()))
        }).collect());
        prop_assert_eq!(a.near_misses.iter().map(|m| m.package.index).collect::<Vec<_>>(), misses);

        // Who blocks what.
        for report in &a.options {
            let reasons: Vec<(usize, bool)> = (0..n)
                .filter_map(|actor| {
                    let best = all.iter().filter(|(dg, _, c)| dg[report.issue] == report.option && c >> actor & 1 == 0).map(|o| o.1[actor]).max();
                    match best {
                        None => Some((actor, true)),
                        Some(b) if b < reservation[actor] => Some((actor, false)),
                        Some(_) => None,
                    }
                })
                .collect();
            let got: Vec<(usize, bool)> = report.blocks.iter().map(|b| (b.actor, b.reason == BlockReason::RedLine)).collect();
            prop_assert_eq!(got, reasons);
        }

        // The bargaining set of the bargainers: their own frontier.
        let theirs: Vec<(u64, Vec<i64>)> =
            admissible.iter().map(|(i, u)| (*i, bargainers.iter().map(|&b| u[b]).collect())).collect();
        let set = bargaining_set(&model, &bargainers).unwrap();
        prop_assert_eq!(set.iter().map(|p| p.0).collect::<Vec<_>>(), frontier_by_definition(&theirs).iter().map(|p| p.0).collect::<Vec<_>>());

        // Without rankings or option statistics, the other paths agree.
        let fast = analyze(&model, &AnalysisOptions::frontier_only()).unwrap();
        prop_assert_eq!(&fast.frontier, &a.frontier);
        prop_assert_eq!(&fast.solutions, &a.solutions);
        prop_assert_eq!((fast.zopa, &fast.ideal, &fast.worst), (a.zopa, &a.ideal, &a.worst));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The frontier built issue by issue and the counts from bounds (the path of additive
    /// models), on any subset of the actors.
    #[test]
    fn test_issue_by_issue_frontier_and_bounds_match_definitions(d in additive_domain(), subset in 1u64..32) {
        let model = UtilityModel::new(&d.scenario()).unwrap();
        let a = analyze(&model, &AnalysisOptions::frontier_only()).unwrap();
        let all = d.outcomes();
        let points: Vec<(u64, Vec<i64>)> = all.iter().enumerate().map(|(i, o)| (i as u64, o.1.clone())).collect();
        let front = frontier_by_definition(&points);
        prop_assert_eq!(a.frontier.iter().map(|p| p.index).collect::<Vec<_>>(), front.iter().map(|p| p.0).collect::<Vec<_>>());
        let zone = points.iter().filter(|(_, u)| a.bargainers.iter().all(|&b| u[b] >= d.actors[b].reservation)).count();
        prop_assert_eq!(a.zopa as usize, zone);
        for (actor, (ideal, worst)) in a.ideal.iter().zip(&a.worst).enumerate() {
            let (hi, lo) = (points.iter().map(|p| p.1[actor]).max().unwrap(), points.iter().map(|p| p.1[actor]).min().unwrap());
            prop_assert_eq!((ideal.to_bits(), worst.to_bits()), ((hi as f64 / 400.0).to_bits(), (lo as f64 / 400.0).to_bits()));
        }
        let actors: Vec<usize> = (0..d.actors.len()).filter(|&a| subset >> a & 1 == 1).collect();
        prop_assume!(!actors.is_empty());
        let theirs: Vec<(u64, Vec<i64>)> = points.iter().map(|(i, u)| (*i, actors.iter().map(|&a| u[a]).collect())).collect();
        let set = bargaining_set(&model, &actors).unwrap();
        prop_assert_eq!(set.iter().map(|p| p.0).collect::<Vec<_>>(), frontier_by_definition(&theirs).iter().map(|p| p.0).collect::<Vec<_>>());
    }
}

#[test]
fn test_a_sum_of_decimals_does_not_depend_on_the_order_of_its_terms() {
    // 0.1 + 0.2 + 0.3 is 0.6000000000000001 in floating point, 0.3 + 0.2 + 0.1 is 0.6.
    let float = |terms: [f64; 3]| terms.iter().fold(0.0, |sum, t| sum + t).to_bits();
    assert_ne!(float([0.1, 0.2, 0.3]), float([0.3, 0.2, 0.1]));
    let s = TestScenario::from_tables(
        &[2, 2, 2],
        vec![TableActor {
            veto: true,
            reservation: 0.6,
            weights: vec![0.4, 0.2, 0.4],
            values: vec![vec![0.25, 0.75], vec![1.0, 1.0], vec![0.75, 0.25]],
        }],
    );
    let model = UtilityModel::new(&s).unwrap();
    let (one, other) = (model.utility(0, &[0, 0, 0]), model.utility(0, &[1, 0, 1]));
    assert_eq!(one.to_bits(), 0.6f64.to_bits(), "0.1 + 0.2 + 0.3");
    assert_eq!(other.to_bits(), 0.6f64.to_bits(), "0.3 + 0.2 + 0.1");
    assert!(model.is_acceptable(0, &[0, 0, 0]) && model.is_acceptable(0, &[1, 0, 1]), "0.6 meets a reservation of 0.6");
}
