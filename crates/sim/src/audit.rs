//! The audit of every check, static and dynamic: could a claim have failed?
//!
//! [`audit_all`] audits each expectation of a scenario as [`parley_core::audit`] describes.
//! Static checks are audited there. A check about the war's dynamics is re-evaluated on the
//! central path with the numbers it depends on varied one at a time — the war's numbers
//! (`conflict.…`, but not the observation errors of the record, which do not move the
//! central path, nor scheduled events), the numbers its levers and its comparison's levers
//! set there, and, for a check that runs the talks, the reservation values of the parties at
//! the table that are not sides of the war (the sides' come from the war) — and with the
//! red lines and linkages that can matter removed one at a time: every party's for a check
//! that runs the talks, the actor's linkages for a check on its alternative to a deal
//! (its utility of the no-deal and victory terms), none for a check on the war alone.
//!
//! The issue weights and option values are held at their values for dynamic checks: each
//! change would re-rank the outcome space, about a third of a second a time. A dynamic check
//! that only they could flip is therefore reported "by input"; its margin on them is not
//! searched.

use std::collections::HashMap;

use parley_core::audit::{
    Audit, Candidate, Evaluator, Scope, Variation, audit as audit_static, audit_with, candidates, rules,
};
use parley_core::{Change, Check, Error, Expectation, Lever, Measure, Provenance, Scenario};
use rayon::prelude::*;

use crate::coupled::default_parties;
use crate::expect::{Cache, Simulations, evaluate_with};

/// Audits one expectation.
pub fn audit(scenario: &Scenario, expectation: &Expectation) -> Result<Audit, Error> {
    let mut out = audit_some(scenario, std::slice::from_ref(expectation));
    out.pop().unwrap_or_else(|| Err(Error::Internal("no audit".into())))
}

/// Audits every expectation of a scenario (in parallel; results in file order).
pub fn audit_all(scenario: &Scenario) -> Vec<Result<Audit, Error>> {
    audit_some(scenario, &scenario.expectations)
}

fn audit_some(scenario: &Scenario, expectations: &[Expectation]) -> Vec<Result<Audit, Error>> {
    // The rules each dynamic check drops, and a scenario without each, built once.
    let scopes: Vec<Option<(Scope, Vec<String>)>> = expectations
        .iter()
        .map(|e| {
            e.check.is_dynamic().then(|| {
                let scope = dynamic_scope(scenario, e);
                let dropped_by_levers = |r: &String| {
                    e.levers.iter().chain(&scope.levers).any(|id| {
                        scenario
                            .lever(id)
                            .is_some_and(|l| l.changes.iter().any(|c| matches!(c, Change::Drop { path } if path == r)))
                    })
                };
                let rules: Vec<String> =
                    rules(scenario, &scope).into_iter().filter(|r| !dropped_by_levers(r)).collect();
                (scope, rules)
            })
        })
        .collect();
    let mut all_rules: Vec<&String> = scopes.iter().flatten().flat_map(|(_, r)| r).collect();
    all_rules.sort();
    all_rules.dedup();
    let without: Vec<(String, Result<Scenario, Error>)> =
        all_rules.iter().map(|r| ((*r).clone(), drop_rule(scenario, r))).collect();
    let base = Cache::new(scenario);
    let caches: HashMap<&str, Result<Cache<'_>, Error>> =
        without.iter().map(|(r, s)| (r.as_str(), s.as_ref().map(Cache::new).map_err(Clone::clone))).collect();
    expectations
        .par_iter()
        .zip(&scopes)
        .map(|(e, scope)| match scope {
            None => audit_static(scenario, e),
            Some((scope, rules)) => {
                let candidates: Vec<Candidate> = candidates(scenario, e, scope);
                let evaluator = Dynamic { expectation: e, base: &base, without: &caches };
                audit_with(candidates, rules, Vec::new(), &evaluator)
            }
        })
        .collect()
}

/// The scenario without one red line or linkage.
fn drop_rule(scenario: &Scenario, rule: &str) -> Result<Scenario, Error> {
    let lever = Lever {
        id: "audit".into(),
        name: String::new(),
        description: String::new(),
        provenance: Provenance::Unstated,
        changes: vec![Change::Drop { path: rule.to_string() }],
    };
    scenario.with_lever(&lever).map_err(|e| Error::Internal(e.to_string()))
}

/// What a dynamic check depends on (see the module docs).
fn dynamic_scope(s: &Scenario, e: &Expectation) -> Scope {
    let sides: Vec<usize> = s.conflict.as_ref().map(|c| c.sides.iter().map(|x| x.actor).collect()).unwrap_or_default();
    let mut scope = Scope { war: true, ..Scope::default() };
    match &e.check {
        Check::NoSettlementWithin { .. } | Check::SettlesWithin { .. } | Check::SettlesSooner { .. } => {
            let parties = default_parties(s);
            scope.reservations = parties.iter().copied().filter(|a| !sides.contains(a)).collect();
            scope.red_lines = parties.clone();
            scope.linkages = parties;
        }
        Check::BatnaLower { actor, .. } | Check::BatnaHigher { actor, .. } | Check::BatnaRestored { actor, .. } => {
            scope.linkages = vec![*actor];
        }
        Check::Declines { actor, measure: Measure::Batna, .. }
        | Check::Grows { actor, measure: Measure::Batna, .. } => {
            scope.linkages = vec![*actor];
        }
        _ => {}
    }
    scope.levers = match &e.check {
        Check::BatnaLower { versus, .. }
        | Check::BatnaHigher { versus, .. }
        | Check::AdvancesMore { versus, .. }
        | Check::AdvancesLess { versus, .. }
        | Check::SettlesSooner { versus, .. } => versus.clone(),
        Check::BatnaRestored { loss_from, .. } => loss_from.clone(),
        _ => Vec::new(),
    };
    // A linkage delta is a number of the preferences: held, like the weights and values.
    scope
}

/// Evaluates a dynamic check on the central path under variations.
struct Dynamic<'a> {
    expectation: &'a Expectation,
    base: &'a Cache<'a>,
    without: &'a HashMap<&'a str, Result<Cache<'a>, Error>>,
}

impl Evaluator for Dynamic<'_> {
    fn holds(&self, variation: Variation<'_>) -> Result<bool, Error> {
        let sims = match variation {
            Variation::None => Simulations::new(self.base, None),
            Variation::Number(c, x) => Simulations::new(self.base, Some((&c.target, x))),
            Variation::Drop(rule) => {
                let cache = self
                    .without
                    .get(rule)
                    .ok_or_else(|| Error::Internal(format!("no scenario without \"{rule}\"")))?
                    .as_ref()
                    .map_err(Clone::clone)?;
                Simulations::new(cache, None)
            }
        };
        Ok(evaluate_with(&sims, self.expectation)?.passed)
    }
}

#[cfg(test)]
mod tests {
    use parley_core::audit::{Class, Role};

    use super::*;
    use crate::built_in;
    use crate::expect::evaluate_all;

    /// Issue 14: the built-in scenario has at least 20 claims that could have failed, each
    /// as the scenario records it (holding, or failing where it records the model's
    /// contradiction); the others are listed with the reason they are no evidence.
    #[test]
    fn test_the_built_in_scenario_has_twenty_evidence_claims_as_recorded() {
        let s = built_in();
        let audits: Vec<Audit> = audit_all(&s).into_iter().map(Result::unwrap).collect();
        let verdicts: Vec<parley_core::Verdict> = evaluate_all(&s).into_iter().map(|v| v.unwrap()).collect();
        let mut evidence = 0;
        for ((e, a), verdict) in s.expectations.iter().zip(&audits).zip(&verdicts) {
            assert!(e.as_recorded(verdict), "{}: {}", e.id, verdict.explanation);
            match a.class {
                Class::Evidence => {
                    evidence += 1;
                    let f = a.closest.as_ref().expect("an evidence claim names its flip");
                    assert_eq!(f.role, Role::Independent, "{}", e.id);
                    assert!(f.margin > 0.0 && f.relative <= 1.0, "{}: {f:?}", e.id);
                }
                // Structural claims document red lines, and say so.
                Class::Structural => {
                    assert!(e.claim.starts_with("Red line:"), "{}: {}", e.id, a.reason);
                    assert!(!a.rests_on.is_empty(), "{}", e.id);
                }
                Class::ByInput => assert!(!a.reason.is_empty()),
            }
        }
        assert!(evidence >= 20, "only {evidence} evidence claims");
        // A claim held by a number tuned to it is never evidence.
        let tuned = s.expectations.iter().position(|e| e.id == "alaska-opens-a-path").unwrap();
        assert_eq!(audits[tuned].class, Class::ByInput);
        assert_eq!(audits[tuned].closest.as_ref().unwrap().role, Role::Tuned);
        // A durability claim compares the very multipliers the scenario assumes.
        let hazard = s.expectations.iter().position(|e| e.id == "ceasefire-without-guarantees-breaks-down").unwrap();
        assert_eq!(audits[hazard].class, Class::ByInput, "{}", audits[hazard].reason);
        assert!(audits[hazard].flips.iter().any(|f| f.path == "conflict.durability.factors.no-guarantees"));
        assert!(audits[hazard].flips.iter().all(|f| f.role == Role::Compared));
    }

    /// A dynamic claim: an aid cut lowers Ukraine's alternative to a deal only while aid
    /// matters to its effectiveness, so the audit finds the war's numbers that flip it, and
    /// removing a linkage of Ukraine's cannot.
    #[test]
    fn test_a_dynamic_claim_is_audited_on_the_central_path() {
        let s = built_in();
        let e = s.expectations.iter().find(|e| e.id == "aid-cut-weakens-ukraine").unwrap();
        let a = audit(&s, e).unwrap();
        assert_eq!(a.class, Class::Evidence, "{}", a.reason);
        assert!(
            a.flips.iter().all(|f| f.path.starts_with("conflict.") || f.path.starts_with("levers.")),
            "{:?}",
            a.flips
        );
        assert!(a.rests_on.is_empty());
        assert!(a.varied > 50, "the war's numbers are varied: {}", a.varied);
    }
}
