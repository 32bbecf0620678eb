//! Claims about the war's dynamics, checked by simulation.
//!
//! [`evaluate_all`] checks every expectation of a scenario: the static ones by
//! [`parley_core::evaluate`], the dynamic ones ([`Check::is_dynamic`]) here, on the
//! *central path* of the coupled simulation (no shocks, no random breakdowns), so a
//! verdict is deterministic. Claims about reservation values compare the no-deal path (the
//! war without talks), since a reservation value is the value of fighting on; claims about
//! settlements run the talks.

use std::collections::HashMap;
use std::sync::Mutex;

use parley_core::{Check, Error, Expectation, Scenario, Verdict};
use rayon::prelude::*;

use crate::coupled::{RunOptions, Simulation, Trajectory};

/// A cache of simulations by the levers applied, shared by the checks of one scenario.
struct Simulations<'a> {
    scenario: &'a Scenario,
    cache: Mutex<HashMap<Vec<String>, std::sync::Arc<Simulation>>>,
}

impl<'a> Simulations<'a> {
    fn new(scenario: &'a Scenario) -> Self {
        Self { scenario, cache: Mutex::new(HashMap::new()) }
    }

    fn get(&self, levers: &[String]) -> Result<std::sync::Arc<Simulation>, Error> {
        if let Some(s) = self.cache.lock().expect("not poisoned").get(levers) {
            return Ok(s.clone());
        }
        let mut applied = Vec::new();
        for id in levers {
            applied.push(self.scenario.lever(id).ok_or_else(|| Error::Internal(format!("unknown lever \"{id}\"")))?);
        }
        let sim = Simulation::new(self.scenario, &applied, None).map_err(|e| Error::Internal(e.to_string()))?;
        let sim = std::sync::Arc::new(sim);
        self.cache.lock().expect("not poisoned").insert(levers.to_vec(), sim.clone());
        Ok(sim)
    }
}

fn central(sim: &Simulation, months: u32, talks: bool) -> Trajectory {
    sim.run(RunOptions { months, seed: 0, stream: 0, noise: false, talks })
}

/// An actor's reservation value `month` months after the scenario date on the no-deal path
/// (month 0: at the scenario date).
fn batna(sim: &Simulation, actor: usize, month: u32) -> Result<f64, Error> {
    let conflict = sim.scenario().conflict.as_ref().ok_or_else(|| Error::Internal("no [conflict] section".into()))?;
    let side = conflict
        .sides
        .iter()
        .position(|s| s.actor == actor)
        .ok_or_else(|| Error::Internal(format!("actor {actor} is not a side of the conflict")))?;
    if month == 0 {
        return Ok(sim.reservation_at_as_of()[side]);
    }
    let path = central(sim, month, false);
    Ok(path.months[month as usize - 1].batna[side])
}

fn fmt(x: f64) -> String {
    format!("{x:.3}")
}

/// Checks one expectation, static or dynamic.
pub fn evaluate(scenario: &Scenario, expectation: &Expectation) -> Result<Verdict, Error> {
    evaluate_with(&Simulations::new(scenario), expectation)
}

fn evaluate_with(sims: &Simulations<'_>, e: &Expectation) -> Result<Verdict, Error> {
    let scenario = sims.scenario;
    if !e.check.is_dynamic() {
        return parley_core::evaluate(scenario, e);
    }
    let name = |a: usize| scenario.actors[a].id.clone();
    let verdict = match &e.check {
        Check::NoSettlementWithin { months } | Check::SettlesWithin { months } => {
            let sim = sims.get(&e.levers)?;
            let path = central(&sim, *months, true);
            let first = path.months.iter().position(|m| m.phase == crate::coupled::Phase::Ceasefire);
            let settled = first.is_some();
            let passed = settled == matches!(e.check, Check::SettlesWithin { .. });
            let explanation = match first {
                Some(k) => format!(
                    "on the central path a settlement is agreed in {} (month {} after the scenario date)",
                    path.months[k].month,
                    k + 1
                ),
                None => {
                    let last = path.months.last();
                    let margin = last.map_or(f64::NAN, |m| m.margins.iter().copied().fold(f64::INFINITY, f64::min));
                    format!(
                        "on the central path no settlement is agreed within {months} months; the best package still leaves the worst-off party {} short",
                        fmt(-margin)
                    )
                }
            };
            Verdict {
                passed,
                explanation,
                numbers: vec![
                    ("months".into(), f64::from(*months)),
                    ("settlement_month".into(), first.map_or(f64::NAN, |k| (k + 1) as f64)),
                ],
            }
        }
        Check::BatnaLower { actor, month, versus } | Check::BatnaHigher { actor, month, versus } => {
            let with = batna(&*sims.get(&e.levers)?, *actor, *month)?;
            let without = batna(&*sims.get(versus)?, *actor, *month)?;
            let lower = matches!(e.check, Check::BatnaLower { .. });
            let compared = if versus.is_empty() { "the baseline".to_string() } else { versus.join(" + ") };
            Verdict {
                passed: if lower { with < without } else { with > without },
                explanation: format!(
                    "{}'s alternative to a deal {month} months on is worth {} with the levers and {} under {compared}",
                    name(*actor),
                    fmt(with),
                    fmt(without)
                ),
                numbers: vec![("batna".into(), with), ("batna_versus".into(), without)],
            }
        }
        Check::BatnaRestored { actor, month, loss_from, fraction } => {
            let base = batna(&*sims.get(&[])?, *actor, *month)?;
            let lost = batna(&*sims.get(loss_from)?, *actor, *month)?;
            let with = batna(&*sims.get(&e.levers)?, *actor, *month)?;
            let loss = base - lost;
            let restored = if loss > 0.0 { (with - lost) / loss } else { f64::NAN };
            Verdict {
                passed: loss > 0.0 && restored >= *fraction,
                explanation: format!(
                    "{}'s alternative to a deal {month} months on: {} at baseline, {} after {}, {} with the levers: {} of the loss restored (at least {} claimed)",
                    name(*actor),
                    fmt(base),
                    fmt(lost),
                    loss_from.join(" + "),
                    fmt(with),
                    fmt(restored),
                    fmt(*fraction)
                ),
                numbers: vec![
                    ("batna_baseline".into(), base),
                    ("batna_after_loss".into(), lost),
                    ("batna".into(), with),
                    ("restored".into(), restored),
                ],
            }
        }
        Check::Advances { months, km2 } => {
            let sim = sims.get(&e.levers)?;
            let path = central(&sim, *months, false);
            let start = sim.history().last().map_or(f64::NAN, |s| s.held);
            let end = path.months.last().map_or(start, |m| m.war.held);
            Verdict {
                passed: end - start >= *km2,
                explanation: format!(
                    "without a deal the holder's area goes from {start:.0} to {end:.0} km² in {months} months ({:+.0} km²; at least {km2:.0} claimed)",
                    end - start
                ),
                numbers: vec![("held_start".into(), start), ("held_end".into(), end), ("gain".into(), end - start)],
            }
        }
        _ => unreachable!("static checks are delegated above"),
    };
    Ok(verdict)
}

/// Checks every expectation of a scenario (in parallel; results in file order).
pub fn evaluate_all(scenario: &Scenario) -> Vec<Result<Verdict, Error>> {
    let sims = Simulations::new(scenario);
    scenario.expectations.par_iter().map(|e| evaluate_with(&sims, e)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::built_in;

    fn verdict(s: &Scenario, id: &str) -> Verdict {
        let e = s.expectations.iter().find(|e| e.id == id).unwrap();
        evaluate(s, e).unwrap()
    }

    #[test]
    fn test_every_expectation_of_the_built_in_scenario_holds() {
        let s = built_in();
        let verdicts = evaluate_all(&s);
        for (e, v) in s.expectations.iter().zip(verdicts) {
            let v = v.unwrap();
            assert!(v.passed, "{}: {}", e.id, v.explanation);
        }
    }

    /// If aid did not matter to Ukraine's effectiveness, cutting it could not weaken Ukraine.
    #[test]
    fn test_a_dynamic_claim_fails_when_its_mechanism_is_switched_off() {
        let mut s = built_in();
        assert!(verdict(&s, "aid-cut-weakens-ukraine").passed);
        s.quantity_mut("conflict.sides.ukr.materiel_elasticity").unwrap().value = 0.0;
        let v = verdict(&s, "aid-cut-weakens-ukraine");
        assert!(!v.passed, "{}", v.explanation);
        assert!(!verdict(&s, "europe-can-replace-us-aid").passed);
    }

    /// Without Russia's optimism the zone opens at once, and the claim that no settlement
    /// comes soon fails.
    #[test]
    fn test_no_quick_settlement_depends_on_russian_optimism() {
        let mut s = built_in();
        s.quantity_mut("conflict.sides.rus.optimism").unwrap().value = 0.0;
        let v = verdict(&s, "no-quick-settlement");
        assert!(!v.passed, "{}", v.explanation);
    }
}
