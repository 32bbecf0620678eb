//! The audit on small scenarios solvable by hand: one claim of each class.

use approx::assert_abs_diff_eq;

use super::*;
use crate::expect::{Dispute, Expectation};
use crate::preferences::RedLine;
use crate::scenario::Quantity;
use crate::test_utils::TestScenario;

fn cond(terms: &[(usize, &[usize])]) -> Condition {
    Condition { terms: terms.iter().map(|(i, o)| (*i, o.to_vec())).collect() }
}

fn claim(id: &str, check: Check) -> Expectation {
    Expectation {
        id: id.into(),
        claim: String::new(),
        provenance: Provenance::Assumption { reason: "test".into(), direction: None },
        disputed_by: Vec::<Dispute>::new(),
        levers: Vec::new(),
        check,
        thresholds: Vec::new(),
        contradicted: None,
    }
}

/// The logrolling scenario (utilities by hand in `TestScenario::logrolling`) with a red
/// line of Y against issue 1 = o1 together with issue 0 = o1.
fn scenario() -> Scenario {
    let mut s = TestScenario::logrolling();
    s.preferences[1].red_lines.push(RedLine {
        id: "never".into(),
        when: cond(&[(0, &[1]), (1, &[1])]),
        reason: "test".into(),
        source: None,
    });
    s
}

/// X accepts issue 0 = o1 at (o1, o1), worth 0.4 against its reservation value of 0.3: the
/// reservation value flips it at 0.4, a margin of 0.1; X's value of issue 1 = o1 at 0.75.
#[test]
fn test_an_evidence_claim_flips_at_its_known_margin() {
    let s = scenario();
    let e = claim("x-accepts", Check::Accepts { actor: 0, given: cond(&[(0, &[1])]) });
    let a = audit(&s, &e).unwrap();
    assert_eq!(a.class, Class::Evidence, "{}", a.reason);
    let c = a.closest.unwrap();
    assert_eq!(c.path, "preferences.a0.reservation");
    assert_abs_diff_eq!(c.at, 0.4, epsilon = 1e-3);
    assert_abs_diff_eq!(c.margin, 0.1, epsilon = 1e-3);
    assert_abs_diff_eq!(c.relative, 0.1, epsilon = 1e-3);
    let value = a.flips.iter().find(|f| f.path == "preferences.a0.values.i1.o1").unwrap();
    assert_abs_diff_eq!(value.at, 0.75, epsilon = 1e-3);
    assert_eq!(value.role, Role::Independent);
    // X's weight of issue 1 flips it where 0.4·w/(0.6 + w)… at w = 0.6·0.3/0.4 ≈ 0.257.
    let weight = a.flips.iter().find(|f| f.path == "preferences.a0.weights.i1").unwrap();
    assert_abs_diff_eq!(weight.at, 0.6 * 0.3 / 0.7, epsilon = 1e-3);
    // Y's numbers do not matter to X's acceptance, and are not varied.
    assert!(a.flips.iter().all(|f| f.path.starts_with("preferences.a0.")));
}

/// Y rejects every package with issue 0 = o1 and issue 1 = o1: its red line says so.
#[test]
fn test_a_claim_across_a_red_line_is_structural() {
    let s = scenario();
    let e = claim("y-rejects", Check::Rejects { actor: 1, given: cond(&[(0, &[1]), (1, &[1])]) });
    let a = audit(&s, &e).unwrap();
    assert_eq!(a.class, Class::Structural, "{}", a.reason);
    assert_eq!(a.across, vec!["preferences.a1.red_lines.never".to_string()]);
    assert_eq!(a.varied, 0);
}

/// X accepts issue 0 = o0: (o0, o1) is worth 1 to X whatever its weights, and at least 0.6
/// whatever one value, so no admissible change makes X reject it.
#[test]
fn test_a_claim_that_holds_for_every_value_is_by_input() {
    let s = scenario();
    let e = claim("x-accepts-o0", Check::Accepts { actor: 0, given: cond(&[(0, &[0])]) });
    let a = audit(&s, &e).unwrap();
    assert_eq!(a.class, Class::ByInput, "{}", a.reason);
    assert!(a.flips.is_empty(), "{:?}", a.flips);
    assert!(a.varied > 0);
}

/// Y prefers issue 0 = o1 to o0: only Y's own weight and values on issue 0 — the preference
/// the check compares — can flip that.
#[test]
fn test_a_claim_that_restates_its_preference_is_by_input() {
    let s = scenario();
    let e = claim("y-prefers", Check::Prefers { actor: 1, given: cond(&[(0, &[1])]), versus: cond(&[(0, &[0])]) });
    let a = audit(&s, &e).unwrap();
    assert_eq!(a.class, Class::ByInput, "{}", a.reason);
    assert!(!a.flips.is_empty());
    assert!(a.flips.iter().all(|f| f.role == Role::Compared), "{:?}", a.flips);
}

/// A number tuned to the claim makes it "by input", even when other numbers flip it too.
#[test]
fn test_a_claim_held_by_a_number_tuned_to_it_is_by_input() {
    let mut s = scenario();
    s.preferences[0].reservation =
        Quantity::new(0.3, Provenance::Tuned { to: "x-accepts".into(), note: "test".into() });
    let e = claim("x-accepts", Check::Accepts { actor: 0, given: cond(&[(0, &[1])]) });
    let a = audit(&s, &e).unwrap();
    assert_eq!(a.class, Class::ByInput, "{}", a.reason);
    assert_eq!(a.closest.unwrap().role, Role::Tuned);
    assert!(a.reason.contains("tuned"), "{}", a.reason);
    // Tuned to another claim, it is an ordinary number of the model.
    let other = claim("other", Check::Accepts { actor: 0, given: cond(&[(0, &[1])]) });
    assert_eq!(audit(&s, &other).unwrap().class, Class::Evidence);
}

/// A number citing the passage the claim cites restates it.
#[test]
fn test_a_number_citing_the_claims_passage_restates_it() {
    let mut s = scenario();
    let citation = Citation { source: "src".into(), paragraph: Some(3) };
    s.preferences[0].reservation = Quantity::new(0.3, Provenance::Cited { citation: citation.clone() });
    let mut e = claim("x-accepts", Check::Accepts { actor: 0, given: cond(&[(0, &[1])]) });
    e.provenance = Provenance::Cited { citation };
    let a = audit(&s, &e).unwrap();
    let r = a.flips.iter().find(|f| f.path == "preferences.a0.reservation").unwrap();
    assert_eq!(r.role, Role::Restates);
    // Other numbers still flip it, so it is evidence, decided by the nearest of those.
    assert_eq!(a.class, Class::Evidence);
    assert_ne!(a.closest.unwrap().path, "preferences.a0.reservation");
}

/// Only (o0, o0) is in the zone because Y's red line excludes (o1, o1): the claim rests on
/// the red line, and the numbers flip it too.
#[test]
fn test_removing_a_red_line_one_at_a_time() {
    let s = scenario();
    let e = claim("zone-only", Check::ZoneOnly { given: cond(&[(0, &[0])]) });
    let a = audit(&s, &e).unwrap();
    assert_eq!(a.rests_on, vec!["preferences.a1.red_lines.never".to_string()]);
    assert_eq!(a.class, Class::Evidence, "{}", a.reason);
}

/// The table and the fresh evaluation agree on every variation.
#[test]
fn test_the_table_agrees_with_a_fresh_evaluation() {
    let s = TestScenario::linked_three_party();
    for check in [
        Check::ZoneExists { given: cond(&[(1, &[1])]) },
        Check::ZoneOnly { given: cond(&[(0, &[0, 1])]) },
        Check::Rejects { actor: 1, given: cond(&[(2, &[2])]) },
        Check::Accepts { actor: 0, given: cond(&[(0, &[0, 1])]) },
        Check::Prefers { actor: 1, given: cond(&[(0, &[1])]), versus: cond(&[(0, &[2])]) },
        Check::LinkageEases {
            actor: 1,
            given: cond(&[(0, &[1])]),
            versus: cond(&[(0, &[2])]),
            with: cond(&[(1, &[1])]),
            without: cond(&[(1, &[0])]),
        },
    ] {
        agree(&s, claim("zone", check));
    }
}

fn agree(s: &Scenario, e: Expectation) {
    let s = s.clone();
    let scope = static_scope(&s, &e.check);
    let table = Table::new(&UtilityModel::new(&s).unwrap());
    let fast = Static {
        scenario: &s,
        check: &e.check,
        table: Some(&table),
        subsets: subsets(&e.check, &table, &scope.preferences),
    };
    let slow = Static { scenario: &s, check: &e.check, table: None, subsets: HashMap::new() };
    for c in candidates(&s, &e, &scope) {
        // Off the round numbers where a sum computed another way can tie to the last bit.
        for k in 0..20 {
            let x = c.range.0 + (c.range.1 - c.range.0) * (f64::from(k) + 0.37) / 20.0;
            let v = Variation::Number(&c, x);
            assert_eq!(
                fast.holds(v).unwrap(),
                slow.holds(v).unwrap(),
                "{}: {} = {x}",
                e.check.kind(),
                c.target.listed()
            );
        }
    }
}

#[test]
fn test_admissible_ranges() {
    let mut s = TestScenario::logrolling();
    assert_eq!(admissible(&s, "preferences.a0.reservation", 0.3, true), Some(((0.0, 1.0), false)));
    assert_eq!(admissible(&s, "preferences.a0.weights.i0", 0.6, true), Some(((0.0, 1.0), false)));
    assert_eq!(admissible(&s, "preferences.a0.weights.i0", 3.0, true), Some(((0.0, 3.0), false)));
    s.uncertain.push(crate::Uncertain {
        path: "preferences.a0.reservation".into(),
        distribution: Distribution::Triangular { min: 0.2, mode: 0.3, max: 0.5 },
        bounds: None,
        provenance: Provenance::Unstated,
    });
    assert_eq!(admissible(&s, "preferences.a0.reservation", 0.3, true), Some(((0.2, 0.5), false)));
    assert_eq!(admissible(&s, "preferences.a0.reservation", 0.3, false), Some(((0.0, 1.0), false)));
    // Numbers of the war without a finite range: a factor of two either way.
    assert_eq!(admissible(&s, "conflict.sides.a0.manpower", 1000.0, true), Some(((500.0, 2000.0), false)));
    assert_eq!(admissible(&s, "conflict.sides.a0.cost_of_spending", 0.0, true), None);
    assert_eq!(admissible(&s, "conflict.beliefs.horizon", 12.0, true), Some(((6.0, 24.0), true)));
    let ((lo, hi), _) = admissible(&s, "conflict.sides.a0.economic_strain", 0.1, true).unwrap();
    assert!(lo == 0.0 && hi < 1.0 && hi > 0.999);
}
