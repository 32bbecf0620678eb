//! Tests of the outcome-space analysis: hand-solved problems, invariants, and the synthetic
//! reference tables computed with NegMAS 0.16.0.

use approx::assert_relative_eq;
use proptest::prelude::*;

use super::*;
use crate::preferences::{Condition, RedLine};
use crate::scenario::Scenario;
use crate::synthetic::synthetic;
use crate::test_utils::{TableActor, TestScenario};

mod scoped;
mod ties;

fn run(scenario: &Scenario, options: &AnalysisOptions) -> Analysis {
    analyze(&UtilityModel::new(scenario).unwrap(), options).unwrap()
}

#[test]
fn test_logrolling_by_hand() {
    let a = run(&TestScenario::logrolling(), &AnalysisOptions::default());
    assert_eq!(a.outcomes, 4);
    assert_eq!(a.zopa, 2, "(o0,o0) and (o1,o1) clear both reservation values");
    let frontier: Vec<u64> = a.frontier.iter().map(|p| p.index).collect();
    assert_eq!(frontier, vec![1, 0, 2], "(1,0), (0.6,0.7), (0,1) in canonical order");
    assert_eq!(a.frontier_in_zopa, 1);
    for concept in SolutionConcept::ALL {
        let s = a.solution(concept).unwrap();
        assert_eq!(s.package.options, vec![0, 0], "{concept:?} picks the logrolled package");
    }
    assert_relative_eq!(a.solution(SolutionConcept::Nash).unwrap().objective, 0.3 * 0.5, epsilon = 1e-12);
    assert_relative_eq!(a.solution(SolutionConcept::Utilitarian).unwrap().objective, 1.3, epsilon = 1e-12);
    // Best deals: (o0,o0) with product 0.15, then (o1,o1) with 0.1·0.1.
    let best: Vec<u64> = a.best_deals.iter().map(|p| p.index).collect();
    assert_eq!(best, vec![0, 3]);
    // Near misses: (1,0) misses Y's 0.2 by 0.2; (0,1) misses X's 0.3 by 0.3.
    assert_eq!(a.near_misses.len(), 2);
    assert_eq!(a.near_misses[0].package.index, 1);
    assert_eq!(a.near_misses[0].binding_actor, 1);
    assert_relative_eq!(a.near_misses[0].shortfall, 0.2, epsilon = 1e-12);
    assert_eq!(a.near_misses[1].binding_actor, 0);
    assert_relative_eq!(a.near_misses[1].shortfall, 0.3, epsilon = 1e-12);
}

#[test]
fn test_divide_the_dollar_by_hand() {
    let a = run(&TestScenario::divide_the_dollar(), &AnalysisOptions::default());
    assert_eq!(a.frontier.len(), 21, "strictly opposed: every split is efficient");
    assert_eq!(a.zopa, 11, "X gets 0.20 … 0.70");
    // Nash maximises (x − 0.2)(0.7 − x): x = 0.45.
    let nash = a.solution(SolutionConcept::Nash).unwrap();
    assert_relative_eq!(nash.package.utilities[0], 0.45, epsilon = 1e-12);
    // KS equates (x − 0.2)/0.8 and (0.7 − x)/0.7 at x ≈ 0.467; on the grid 0.45 wins
    // (min 0.3125 against 0.2857 at 0.50).
    let ks = a.solution(SolutionConcept::KalaiSmorodinsky).unwrap();
    assert_relative_eq!(ks.package.utilities[0], 0.45, epsilon = 1e-12);
    assert_relative_eq!(ks.objective, 0.3125, epsilon = 1e-9);
    // Egalitarian equates the absolute gains: x − 0.2 = 0.7 − x.
    let eg = a.solution(SolutionConcept::Egalitarian).unwrap();
    assert_relative_eq!(eg.package.utilities[0], 0.45, epsilon = 1e-12);
    assert_relative_eq!(eg.objective, 0.25, epsilon = 1e-12);
}

#[test]
fn test_option_blocks_by_hand() {
    let a = run(&TestScenario::divide_the_dollar(), &AnalysisOptions::default());
    // Share 0.10 for X: X's best with it is 0.1 < 0.2, so X blocks it; Y accepts it.
    let r = &a.options[2];
    assert_eq!((r.issue, r.option, r.zopa_outcomes), (0, 2, 0));
    assert_eq!(r.blocks.len(), 1);
    assert_eq!(r.blocks[0].actor, 0);
    assert!(r.blocks[0].binding);
    let BlockReason::Reservation { best, reservation } = r.blocks[0].reason else { panic!("reservation block") };
    assert_relative_eq!(best, 0.1, epsilon = 1e-12);
    assert_relative_eq!(reservation, 0.2);
    // Share 0.5: nobody blocks, one zone outcome.
    assert!(a.options[10].blocks.is_empty());
    assert_eq!(a.options[10].zopa_outcomes, 1);
}

#[test]
fn test_empty_zone_is_a_finding_not_an_error() {
    let mut s = TestScenario::divide_the_dollar();
    s.preferences[0].reservation.value = 0.6;
    s.preferences[1].reservation.value = 0.6;
    let a = run(&s, &AnalysisOptions::default());
    assert_eq!(a.zopa, 0);
    assert!(a.solutions.is_empty());
    assert!(a.best_deals.is_empty());
    // The best near miss leaves both 0.1 short; the 50/50 split is the closest.
    assert_relative_eq!(a.near_misses[0].package.utilities[0], 0.5, epsilon = 1e-12);
    assert_relative_eq!(a.near_misses[0].shortfall, 0.1, epsilon = 1e-12);
}

#[test]
fn test_red_line_of_veto_player_removes_outcomes_and_blocks_options() {
    let mut s = TestScenario::divide_the_dollar();
    s.preferences[1].red_lines.push(RedLine {
        id: "no-giveaway".into(),
        when: Condition { terms: vec![(0, vec![20])] },
        reason: "test".into(),
        source: None,
    });
    let a = run(&s, &AnalysisOptions::default());
    assert_eq!(a.admissible, 20);
    assert_eq!(a.red_line_crossings, vec![0, 1]);
    assert_eq!(a.frontier.len(), 20);
    assert!(a.options[20].blocks.iter().any(|b| b.actor == 1 && b.reason == BlockReason::RedLine));
}

#[test]
fn test_non_veto_red_line_objects_but_does_not_block() {
    let a = run(&TestScenario::linked_three_party(), &AnalysisOptions::default());
    // Actor 2 (no veto) rules out option 0 of issue 1 by a red line.
    let r = a.options.iter().find(|r| r.issue == 1 && r.option == 0).unwrap();
    let b = r.blocks.iter().find(|b| b.actor == 2).unwrap();
    assert!(!b.binding);
    assert_eq!(b.reason, BlockReason::RedLine);
    assert_eq!(a.red_line_crossings[2], 9);
    assert_eq!(a.admissible, 18 - 2, "only actor 0's red line (2 outcomes) binds");
}

#[test]
fn test_outcome_space_limit_is_an_error() {
    let s = synthetic(4, 2);
    let options = AnalysisOptions { max_outcomes: 1e3, ..AnalysisOptions::default() };
    let e = analyze(&UtilityModel::new(&s).unwrap(), &options).unwrap_err();
    assert!(matches!(e, Error::OutcomeSpaceTooLarge { .. }));
}

#[test]
fn test_frontier_memory_budget_is_an_error_not_a_crash() {
    let s = TestScenario::divide_the_dollar();
    let options = AnalysisOptions { memory_budget: 10 * 3 * 8 * 3, ..AnalysisOptions::default() };
    let e = analyze(&UtilityModel::new(&s).unwrap(), &options).unwrap_err();
    assert!(matches!(e, Error::FrontierTooLarge { .. }), "{e}");
}

#[test]
fn test_same_result_on_one_and_several_threads() {
    for s in [synthetic(5, 3), with_inert_red_line(synthetic(5, 3)), synthetic(4, 5)] {
        let model = UtilityModel::new(&s).unwrap();
        let results: Vec<Analysis> = [1, 2, 5]
            .iter()
            .map(|&threads| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| analyze(&model, &AnalysisOptions::default()).unwrap())
            })
            .collect();
        assert_eq!(results[0], results[1]);
        assert_eq!(results[0], results[2]);
    }
}

#[test]
fn test_bounds_path_agrees_with_outcome_path_on_synthetic_domains() {
    for (issues, parties) in [(4, 2), (5, 2), (4, 3)] {
        let mut s = synthetic(issues, parties);
        // Reservation values that cut through the space, so the zone count opens subtrees.
        for p in &mut s.preferences {
            p.reservation.value = 0.55;
        }
        let model = UtilityModel::new(&s).unwrap();
        let slow = analyze(&model, &AnalysisOptions::default()).unwrap();
        let fast = analyze(&model, &AnalysisOptions::frontier_only()).unwrap();
        assert!(0 < slow.zopa && slow.zopa < slow.outcomes);
        assert_eq!(fast.frontier, slow.frontier);
        assert_eq!(fast.solutions, slow.solutions);
        assert_eq!((fast.zopa, &fast.ideal, &fast.worst), (slow.zopa, &slow.ideal, &slow.worst));
    }
}

/// A bargainer's red line that no package crosses changes nothing but the path: the
/// domain goes down the streaming path instead of the issue-by-issue one.
fn with_inert_red_line(mut s: Scenario) -> Scenario {
    s.preferences[0].red_lines.push(RedLine {
        id: "inert".into(),
        when: Condition { terms: vec![(0, Vec::new())] },
        reason: "matches no package".into(),
        source: None,
    });
    s
}

#[test]
fn test_issue_by_issue_frontier_agrees_with_streaming_frontier() {
    for (issues, parties) in [(4, 2), (4, 3), (4, 5), (5, 4)] {
        let s = synthetic(issues, parties);
        let options = AnalysisOptions::frontier_only().with_disagreement(Disagreement::NegmasMinimum);
        let by_issue = run(&s, &options);
        let streamed = run(&with_inert_red_line(s.clone()), &options);
        assert_eq!(by_issue.frontier, streamed.frontier, "{parties} parties, 1e{issues}");
        assert_eq!(by_issue.solutions, streamed.solutions);
        let model = UtilityModel::new(&s).unwrap();
        let all: Vec<usize> = (0..parties).collect();
        let set = bargaining_set(&model, &all).unwrap();
        let inert = bargaining_set(&UtilityModel::new(&with_inert_red_line(s.clone())).unwrap(), &all).unwrap();
        assert_eq!(set, inert);
        assert_eq!(set.len(), by_issue.frontier.len());
    }
}

/// The reference tables of the synthetic benchmark domains, computed with NegMAS 0.16.0.
mod negmas_reference {
    use super::*;

    fn check(issues: usize, parties: usize, pareto: usize, nash: &[f64], nash_outcome: Option<&[u32]>) {
        let s = synthetic(issues, parties);
        let options = AnalysisOptions::frontier_only().with_disagreement(Disagreement::NegmasMinimum);
        let a = run(&s, &options);
        assert_eq!(a.frontier.len(), pareto, "Pareto size, {parties} parties, 1e{issues}");
        let got = &a.solution(SolutionConcept::Nash).unwrap().package;
        for (g, w) in got.utilities.iter().zip(nash) {
            assert_relative_eq!(*g, *w, epsilon = 1e-6);
        }
        if let Some(o) = nash_outcome {
            assert_eq!(got.options, o);
        }
    }

    #[test]
    fn test_two_parties() {
        check(3, 2, 19, &[0.805017, 0.90899], Some(&[7, 9, 7]));
        check(4, 2, 77, &[0.836206, 0.647785], Some(&[1, 3, 2, 5]));
        check(5, 2, 52, &[0.826969, 0.668446], Some(&[0, 1, 3, 3, 8]));
    }

    #[test]
    fn test_two_parties_million() {
        check(6, 2, 136, &[0.773187, 0.627449], Some(&[4, 1, 1, 9, 8, 2]));
    }

    #[test]
    fn test_three_parties() {
        check(3, 3, 50, &[0.660301, 0.753729, 0.794312], None);
        check(4, 3, 229, &[0.703482, 0.818288, 0.889311], None);
        check(5, 3, 406, &[0.695259, 0.816006, 0.964687], None);
    }

    #[test]
    fn test_five_parties() {
        check(3, 5, 588, &[0.509945, 0.783777, 0.776987, 0.633421, 0.834465], None);
        check(4, 5, 1685, &[0.513366, 0.785243, 0.77269, 0.84529, 0.913556], None);
        check(5, 5, 3005, &[0.466784, 0.842799, 0.849748, 0.931804, 0.838608], None);
    }
}

/// Random small scenarios: 2–4 actors, 1–3 issues of 1–4 options, values on a coarse grid
/// (so ties happen), random veto flags, reservation values and red lines.
fn small_scenario() -> impl Strategy<Value = Scenario> {
    (2usize..=4, prop::collection::vec(1usize..=4, 1..=3)).prop_flat_map(|(n, radices)| {
        let total: usize = radices.iter().sum();
        let actor =
            (any::<bool>(), 0u8..6, prop::collection::vec(1u8..4, radices.len()), prop::collection::vec(0u8..5, total));
        (Just(radices), prop::collection::vec(actor, n), prop::collection::vec((0usize..4, 0usize..3, 0usize..4), 0..3))
            .prop_map(|(radices, actors, red_lines)| {
                let tables = actors
                    .into_iter()
                    .map(|(veto, res, w, v)| {
                        let mut values = Vec::new();
                        let mut at = 0;
                        for &r in &radices {
                            values.push(v[at..at + r].iter().map(|&x| f64::from(x) / 4.0).collect());
                            at += r;
                        }
                        TableActor {
                            veto,
                            reservation: f64::from(res) / 10.0,
                            weights: w.into_iter().map(f64::from).collect(),
                            values,
                        }
                    })
                    .collect::<Vec<_>>();
                let n = tables.len();
                let mut s = TestScenario::from_tables(&radices, tables);
                for (a, i, o) in red_lines {
                    let (a, i) = (a % n, i % radices.len());
                    let o = o % radices[i];
                    s.preferences[a].red_lines.push(RedLine {
                        id: format!("r{a}{i}{o}"),
                        when: Condition { terms: vec![(i, vec![o])] },
                        reason: String::new(),
                        source: None,
                    });
                }
                s
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn test_frontier_zone_and_solutions_match_definitions(s in small_scenario()) {
        let model = UtilityModel::new(&s).unwrap();
        let a = analyze(&model, &AnalysisOptions::default()).unwrap();
        let space = model.space();
        let all: Vec<(Vec<f64>, u64)> = (0..a.outcomes)
            .map(|i| (model.utilities(&space.decode(i)), model.crossed_red_lines(&space.decode(i))))
            .collect();
        let mask = a.bargainers.iter().fold(0u64, |m, &b| m | 1 << b);
        let admissible: Vec<&Vec<f64>> = all.iter().filter(|(_, c)| c & mask == 0).map(|(u, _)| u).collect();
        let in_zone = |u: &[f64]| a.bargainers.iter().all(|&b| u[b] >= a.reservation[b]);

        for (u, _) in &all {
            for &x in u { prop_assert!((0.0..=1.0).contains(&x), "utilities lie in [0, 1]"); }
        }
        prop_assert_eq!(a.admissible as usize, admissible.len());
        prop_assert_eq!(a.zopa as usize, admissible.iter().filter(|u| in_zone(u)).count());
        // Every frontier point is admissible and non-dominated.
        for p in &a.frontier {
            prop_assert_eq!(all[p.index as usize].1 & mask, 0);
            for q in &admissible {
                let dominates = q.iter().zip(&p.utilities).all(|(x, y)| x >= y) && **q != p.utilities;
                prop_assert!(!dominates, "frontier point {:?} dominated by {:?}", p.utilities, q);
            }
        }
        // Every admissible outcome is matched or dominated by a frontier point.
        for q in &admissible {
            prop_assert!(a.frontier.iter().any(|p| p.utilities.iter().zip(q.iter()).all(|(x, y)| x >= y)));
        }
        // Solutions lie on the frontier and inside the zone.
        for s in &a.solutions {
            prop_assert!(a.frontier.contains(&s.package));
            prop_assert!(in_zone(&s.package.utilities));
        }
        prop_assert_eq!(a.solutions.is_empty(), a.zopa == 0);
        // Without rankings or option statistics whole runs take the bounds-based path;
        // it must agree with the outcome-by-outcome path.
        let fast = analyze(&model, &AnalysisOptions::frontier_only()).unwrap();
        prop_assert_eq!(&fast.frontier, &a.frontier);
        prop_assert_eq!(&fast.solutions, &a.solutions);
        prop_assert_eq!((fast.outcomes, fast.admissible, fast.zopa), (a.outcomes, a.admissible, a.zopa));
        prop_assert_eq!((&fast.ideal, &fast.worst), (&a.ideal, &a.worst));
        for p in &a.best_deals { prop_assert!(in_zone(&p.utilities)); }
        for m in &a.near_misses { prop_assert!(!in_zone(&m.package.utilities)); }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// Who blocks each option and how much of the zone has it, gathered per run and per
    /// column row of the scan, equal a count over every package.
    #[test]
    fn test_option_statistics_match_a_count_over_every_package(s in crate::test_utils::conditioned_scenario()) {
        let model = UtilityModel::new(&s).unwrap();
        let a = analyze(&model, &AnalysisOptions::default()).unwrap();
        let space = model.space();
        let n = model.n_actors();
        let reservation = model.reservation_units();
        let mask = a.bargainers.iter().fold(0u64, |m, &b| m | 1 << b);
        // Per option (issues' options in order): every actor's best utility without its red
        // lines, and the zone packages with it.
        let radices = space.radices();
        let offsets: Vec<usize> = radices.iter().scan(0, |o, &r| { let at = *o; *o += r as usize; Some(at) }).collect();
        let cells = radices.iter().map(|&r| r as usize).sum::<usize>();
        let mut best = vec![Units::MIN; n * cells];
        let mut zone = vec![0u64; cells];
        for index in 0..a.outcomes {
            let digits = space.decode(index);
            let u: Vec<Units> = (0..n).map(|x| model.utility_units(x, &digits)).collect();
            let crossed = model.crossed_red_lines(&digits);
            let admissible = crossed & mask == 0 && model.refusals(&digits, &u, crossed) == 0;
            let in_zone = admissible && a.bargainers.iter().all(|&b| u[b] >= reservation[b]);
            for (issue, &d) in digits.iter().enumerate() {
                let cell = offsets[issue] + d as usize;
                for x in 0..n {
                    if (crossed >> x) & 1 == 0 {
                        best[x * cells + cell] = best[x * cells + cell].max(u[x]);
                    }
                }
                zone[cell] += u64::from(in_zone);
            }
        }
        prop_assert_eq!(a.options.len(), cells);
        for (cell, r) in a.options.iter().enumerate() {
            prop_assert_eq!(offsets[r.issue] + r.option, cell);
            prop_assert_eq!(r.zopa_outcomes, zone[cell]);
            let blockers: Vec<(usize, BlockReason)> = (0..n)
                .filter_map(|x| {
                    let best = best[x * cells + cell];
                    let reason = if best == Units::MIN {
                        BlockReason::RedLine
                    } else if best < reservation[x] {
                        BlockReason::Reservation { best: from_units(best), reservation: a.reservation[x] }
                    } else {
                        return None;
                    };
                    Some((x, reason))
                })
                .collect();
            let got: Vec<(usize, BlockReason)> = r.blocks.iter().map(|b| (b.actor, b.reason.clone())).collect();
            prop_assert_eq!(got, blockers);
        }
    }
}
