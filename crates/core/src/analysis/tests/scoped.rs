//! Scoped vetoes: an actor whose consent only some packages need.
//!
//! A hand-solved case, and the order every scope must respect on random scenarios: a
//! scoped veto never enlarges the zone that no veto at all gives, and never shrinks the zone
//! that a full veto gives.

use proptest::prelude::*;

use super::*;
use crate::preferences::Condition;
use crate::scenario::{Scenario, ScopedVeto, Veto};
use crate::test_utils::{TableActor, TestScenario};

/// A veto over the packages matching any of `when`.
fn scoped(when: Vec<Condition>) -> Veto {
    Veto::Scoped(ScopedVeto { issues: Vec::new(), when, reason: "a test".into(), source: None })
}

/// Two bargainers who accept anything, over a front (issue 0) and sanctions (issue 1:
/// option 0 kept, 1 lifted); actor 2 weighs both equally, prefers the front's option 1
/// and sanctions kept, and wants at least 0.6:
///
/// | package (front, sanctions) | (0,0) | (0,1) | (1,0) | (1,1) |
/// |---|---|---|---|---|
/// | actor 2's utility | 0.5 | 0 | 1 | 0.5 |
fn sanctions_relief(veto: Veto) -> Scenario {
    let bargainer = || TableActor {
        veto: true,
        reservation: 0.0,
        weights: vec![1.0, 1.0],
        values: vec![vec![0.5, 0.5], vec![0.0, 1.0]],
    };
    let third = TableActor {
        veto: false,
        reservation: 0.6,
        weights: vec![1.0, 1.0],
        values: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
    };
    let mut s = TestScenario::from_tables(&[2, 2], vec![bargainer(), bargainer(), third]);
    s.actors[2].veto = veto;
    s
}

fn zone(s: &Scenario) -> Vec<u64> {
    let model = UtilityModel::new(s).unwrap();
    let a = analyze(&model, &AnalysisOptions { top_k: 1000, ..AnalysisOptions::default() }).unwrap();
    let mut zone: Vec<u64> = a.best_deals.iter().map(|p| p.index).collect();
    zone.sort_unstable();
    assert_eq!(zone.len() as u64, a.zopa, "every zone package is ranked");
    zone
}

#[test]
fn test_a_scoped_veto_blocks_only_the_packages_it_covers() {
    // Outcome indices: (front, sanctions) = 2·front + sanctions.
    let lifted = Condition { terms: vec![(1, vec![1])] };
    assert_eq!(zone(&sanctions_relief(Veto::None)), vec![0, 1, 2, 3], "no veto: actor 2 only objects");
    assert_eq!(zone(&sanctions_relief(Veto::Full)), vec![2], "a full veto: only (1,0) is worth 0.6 to it");
    // Over sanctions relief only: (0,0) and (1,0) need no consent; (0,1) and (1,1) lift the
    // sanctions and are worth 0 and 0.5 < 0.6 to it.
    assert_eq!(zone(&sanctions_relief(scoped(vec![lifted.clone()]))), vec![0, 2]);

    let s = sanctions_relief(scoped(vec![lifted]));
    let model = UtilityModel::new(&s).unwrap();
    let a = analyze(&model, &AnalysisOptions::default()).unwrap();
    assert_eq!(a.bargainers, vec![0, 1], "a scoped veto does not make a bargainer");
    assert_eq!(a.admissible, 2, "the packages it blocks are not admissible");
    let block = |issue: usize, option: usize| {
        let r = a.options.iter().find(|r| r.issue == issue && r.option == option).unwrap();
        r.blocks.iter().find(|b| b.actor == 2).cloned()
    };
    assert!(block(1, 1).unwrap().binding, "it blocks the lifting of sanctions on its own");
    assert!(!block(0, 0).unwrap().binding, "it dislikes front option 0 but cannot block it");
    for solution in &a.solutions {
        assert!(!model.is_blocked_by_scoped_veto(&solution.package.options));
    }
    assert!(model.is_blocked_by_scoped_veto(&[0, 1]));
    assert!(!model.is_blocked_by_scoped_veto(&[0, 0]), "no consent needed: its utility does not matter");
}

#[test]
fn test_a_scoped_veto_over_everything_is_a_full_veto() {
    let everything = scoped(vec![Condition { terms: vec![(0, vec![0, 1])] }]);
    assert_eq!(zone(&sanctions_relief(everything)), zone(&sanctions_relief(Veto::Full)));
}

/// A random small scenario with at least one full veto, and a random scope for one actor
/// without a veto: conditions on one or two issues.
fn with_scope() -> impl Strategy<Value = (Scenario, usize, Vec<Condition>)> {
    super::small_scenario()
        .prop_filter("a bargainer and an actor without a veto", |s| {
            s.actors.iter().any(|a| a.veto.is_full()) && s.actors.iter().any(|a| !a.veto.is_full())
        })
        .prop_flat_map(|s| {
            let radices: Vec<usize> = s.issues.iter().map(|i| i.options.len()).collect();
            let free: Vec<usize> = (0..s.actors.len()).filter(|&a| !s.actors[a].veto.is_full()).collect();
            let term = (0..radices.len()).prop_flat_map(move |i| {
                let r = radices[i];
                prop::collection::vec(0..r, 1..=r).prop_map(move |mut o| {
                    o.sort_unstable();
                    o.dedup();
                    (i, o)
                })
            });
            let condition = prop::collection::vec(term, 1..=2).prop_map(|mut terms| {
                terms.sort_by_key(|t| t.0);
                terms.dedup_by_key(|t| t.0);
                Condition { terms }
            });
            (Just(s), prop::sample::select(free), prop::collection::vec(condition, 1..=2))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn test_a_scoped_veto_lies_between_no_veto_and_a_full_veto((s, actor, when) in with_scope()) {
        let with = |veto: Veto| {
            let mut s = s.clone();
            s.actors[actor].veto = veto;
            s
        };
        let none = zone(&with(Veto::None));
        let full = zone(&with(Veto::Full));
        let scoped_zone = zone(&with(scoped(when.clone())));
        prop_assert!(scoped_zone.iter().all(|p| none.contains(p)), "never larger than without a veto");
        prop_assert!(full.iter().all(|p| scoped_zone.contains(p)), "never smaller than with a full veto");

        // By definition: the packages the bargainers accept that the scope does not block.
        let s = with(scoped(when));
        let model = UtilityModel::new(&s).unwrap();
        let a = analyze(&model, &AnalysisOptions::default()).unwrap();
        let space = model.space();
        let expected: Vec<u64> = (0..a.outcomes)
            .filter(|&i| {
                let d = space.decode(i);
                a.bargainers.iter().all(|&b| model.is_acceptable(b, &d)) && !model.is_blocked_by_scoped_veto(&d)
            })
            .collect();
        prop_assert_eq!(&scoped_zone, &expected);
        // The solutions are deals the scope does not block, and the bound-based path agrees.
        for solution in &a.solutions {
            prop_assert!(!model.is_blocked_by_scoped_veto(&solution.package.options));
        }
        let fast = analyze(&model, &AnalysisOptions::frontier_only()).unwrap();
        prop_assert_eq!(&fast.solutions, &a.solutions);
        prop_assert_eq!((fast.admissible, fast.zopa), (a.admissible, a.zopa));
    }
}
