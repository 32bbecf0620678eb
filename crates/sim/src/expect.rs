//! Claims about the war's dynamics, checked by simulation.
//!
//! [`evaluate_all`] checks every expectation of a scenario: the static ones by
//! [`parley_core::evaluate`], the dynamic ones ([`Check::is_dynamic`]) here, on the
//! *central path* of the coupled simulation (no shocks, no random breakdowns), so a
//! verdict is deterministic. Claims about reservation values, the front and the sides'
//! strength follow the no-deal path (the war without talks), since a reservation value is
//! the value of fighting on; claims about settlements run the talks.
//!
//! | kind | holds when, on the central path |
//! |---|---|
//! | `no_settlement_within` / `settles_within` | no settlement / a settlement is agreed within `months` |
//! | `settles_sooner` | a settlement within `months`, earlier with the levers than under `versus_levers` (where it may not come at all) |
//! | `batna_lower` / `batna_higher` | `actor`'s alternative to a deal at `month` is lower / higher with the levers than under `versus_levers` |
//! | `batna_restored` | the levers win back at least `fraction` of what the levers `loss_from` take from `actor`'s alternative at `month` |
//! | `advances` | the holder gains at least `km2` within `months` |
//! | `advances_more` / `advances_less` | the holder gains more / less within `months` with the levers than under `versus_levers` |
//! | `declines` / `grows` | `actor`'s `measure` (manpower, materiel, economy, support, batna) is lower / higher after `months` than at the scenario date |
//! | `no_collapse_within` | neither side breaks within `months` |
//! | `breaks_down_more` | a ceasefire on terms matching `given` has a higher monthly hazard of breakdown than one matching `versus` (a factor counts for terms that imply it) |

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use parley_core::audit::Target;
use parley_core::{Check, Error, Expectation, Measure, Scenario, Verdict};
use rayon::prelude::*;

use crate::coupled::{Phase, RunOptions, Simulation, Trajectory};

/// Simulations by the levers applied, built once and shared by the checks of one scenario.
pub(crate) struct Cache<'a> {
    scenario: &'a Scenario,
    sims: Mutex<HashMap<Vec<String>, Arc<Simulation>>>,
}

impl<'a> Cache<'a> {
    pub(crate) fn new(scenario: &'a Scenario) -> Self {
        Self { scenario, sims: Mutex::new(HashMap::new()) }
    }

    fn base(&self, levers: &[String]) -> Result<Arc<Simulation>, Error> {
        if let Some(s) = self.sims.lock().expect("not poisoned").get(levers) {
            return Ok(s.clone());
        }
        let mut applied = Vec::new();
        for id in levers {
            applied.push(self.scenario.lever(id).ok_or_else(|| Error::Internal(format!("unknown lever \"{id}\"")))?);
        }
        let sim = Simulation::new(self.scenario, &applied, None).map_err(|e| Error::Internal(e.to_string()))?;
        let sim = Arc::new(sim);
        self.sims.lock().expect("not poisoned").insert(levers.to_vec(), sim.clone());
        Ok(sim)
    }
}

/// What a check reads: the cached simulations, with at most one number changed.
pub(crate) struct Simulations<'a> {
    cache: &'a Cache<'a>,
    varied: Option<(&'a Target, f64)>,
}

impl<'a> Simulations<'a> {
    pub(crate) fn new(cache: &'a Cache<'a>, varied: Option<(&'a Target, f64)>) -> Self {
        Self { cache, varied }
    }

    fn scenario(&self) -> &'a Scenario {
        self.cache.scenario
    }

    /// The simulation under `levers`, with the varied number changed if it applies there:
    /// a number of the scenario unless one of the levers sets it, a lever's number if that
    /// lever is the last of them to set it.
    fn get(&self, levers: &[String]) -> Result<Arc<Simulation>, Error> {
        let sim = self.cache.base(levers)?;
        let Some((target, x)) = self.varied else { return Ok(sim) };
        let setter = |path: &str| {
            levers.iter().rev().find(|id| self.scenario().lever(id).is_some_and(|l| l.sets(path))).cloned()
        };
        let applies = match target {
            Target::Base { path } => setter(path).is_none(),
            Target::Lever { lever, path } => setter(path).as_ref() == Some(lever),
        };
        if !applies {
            return Ok(sim);
        }
        let changed = sim.with_numbers(&[(target.path(), x)]).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Arc::new(changed))
    }
}

fn central(sim: &Simulation, months: u32, talks: bool) -> Trajectory {
    sim.run(RunOptions { months, seed: 0, stream: 0, noise: false, talks })
}

/// The position of `actor` among the conflict's sides.
fn side_of(sim: &Simulation, actor: usize) -> Result<usize, Error> {
    let conflict = sim.scenario().conflict.as_ref().ok_or_else(|| Error::Internal("no [conflict] section".into()))?;
    conflict
        .sides
        .iter()
        .position(|s| s.actor == actor)
        .ok_or_else(|| Error::Internal(format!("actor {actor} is not a side of the conflict")))
}

/// An actor's reservation value `month` months after the scenario date on the no-deal path
/// (month 0: at the scenario date).
fn batna(sim: &Simulation, actor: usize, month: u32) -> Result<f64, Error> {
    let side = side_of(sim, actor)?;
    if month == 0 {
        return Ok(sim.reservation_at_as_of()[side]);
    }
    let path = central(sim, month, false);
    Ok(path.months[month as usize - 1].batna[side])
}

/// A side's `measure` `month` months after the scenario date on the no-deal path.
fn measure(sim: &Simulation, actor: usize, measure: Measure, month: u32) -> Result<f64, Error> {
    if measure == Measure::Batna {
        return batna(sim, actor, month);
    }
    let side = side_of(sim, actor)?;
    let state = if month == 0 { *sim.at_as_of() } else { central(sim, month, false).months[month as usize - 1].war };
    Ok(match measure {
        Measure::Manpower => state.manpower[side],
        Measure::Materiel => state.materiel[side],
        Measure::Economy => state.economy[side],
        Measure::Support => state.support[side],
        Measure::Recruitment => sim.war().recruits(&state, side),
        Measure::Batna => unreachable!("handled above"),
    })
}

/// The holder's gain within `months` on the no-deal path: (area at the scenario date, at
/// the end).
fn gain(sim: &Simulation, months: u32) -> (f64, f64) {
    let path = central(sim, months, false);
    let start = sim.at_as_of().held;
    let end = path.months.last().map_or(start, |m| m.war.held);
    (start, end)
}

/// The month (1-based, after the scenario date) of the first agreement on the central path
/// with talks, if one comes within `months`.
fn first_agreement(sim: &Simulation, months: u32) -> Option<usize> {
    let path = central(sim, months, true);
    path.months.iter().position(|m| m.phase == Phase::Ceasefire).map(|k| k + 1)
}

fn fmt(x: f64) -> String {
    format!("{x:.3}")
}

fn levers_text(versus: &[String]) -> String {
    if versus.is_empty() { "the baseline".to_string() } else { versus.join(" + ") }
}

/// Checks one expectation, static or dynamic.
pub fn evaluate(scenario: &Scenario, expectation: &Expectation) -> Result<Verdict, Error> {
    let cache = Cache::new(scenario);
    evaluate_with(&Simulations::new(&cache, None), expectation)
}

pub(crate) fn evaluate_with(sims: &Simulations<'_>, e: &Expectation) -> Result<Verdict, Error> {
    let scenario = sims.scenario();
    if !e.check.is_dynamic() {
        return parley_core::evaluate(scenario, e);
    }
    let name = |a: usize| scenario.actors[a].id.clone();
    let verdict = match &e.check {
        Check::NoSettlementWithin { months } | Check::SettlesWithin { months } => {
            let sim = sims.get(&e.levers)?;
            let path = central(&sim, *months, true);
            let first = path.months.iter().position(|m| m.phase == Phase::Ceasefire);
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
        Check::SettlesSooner { months, versus } => {
            let with = first_agreement(&*sims.get(&e.levers)?, *months);
            let without = first_agreement(&*sims.get(versus)?, *months);
            let passed = match (with, without) {
                (Some(a), Some(b)) => a < b,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let when = |k: Option<usize>| k.map_or(format!("none within {months} months"), |k| format!("month {k}"));
            Verdict {
                passed,
                explanation: format!(
                    "on the central path the first agreement comes in {} with the levers and in {} under {}",
                    when(with),
                    when(without),
                    levers_text(versus)
                ),
                numbers: vec![
                    ("settlement_month".into(), with.map_or(f64::NAN, |k| k as f64)),
                    ("settlement_month_versus".into(), without.map_or(f64::NAN, |k| k as f64)),
                ],
            }
        }
        Check::BatnaLower { actor, month, versus } | Check::BatnaHigher { actor, month, versus } => {
            let with = batna(&*sims.get(&e.levers)?, *actor, *month)?;
            let without = batna(&*sims.get(versus)?, *actor, *month)?;
            let lower = matches!(e.check, Check::BatnaLower { .. });
            Verdict {
                passed: if lower { with < without } else { with > without },
                explanation: format!(
                    "{}'s alternative to a deal {month} months on is worth {} with the levers and {} under {}",
                    name(*actor),
                    fmt(with),
                    fmt(without),
                    levers_text(versus)
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
            let (start, end) = gain(&*sims.get(&e.levers)?, *months);
            Verdict {
                passed: end - start >= *km2,
                explanation: format!(
                    "without a deal the holder's area goes from {start:.0} to {end:.0} km² in {months} months ({:+.0} km²; at least {km2:.0} claimed)",
                    end - start
                ),
                numbers: vec![("held_start".into(), start), ("held_end".into(), end), ("gain".into(), end - start)],
            }
        }
        Check::AdvancesMore { months, versus } | Check::AdvancesLess { months, versus } => {
            let (s1, e1) = gain(&*sims.get(&e.levers)?, *months);
            let (s2, e2) = gain(&*sims.get(versus)?, *months);
            let (with, without) = (e1 - s1, e2 - s2);
            let more = matches!(e.check, Check::AdvancesMore { .. });
            Verdict {
                passed: if more { with > without } else { with < without },
                explanation: format!(
                    "without a deal the holder gains {with:+.0} km² in {months} months with the levers and {without:+.0} km² under {}",
                    levers_text(versus)
                ),
                numbers: vec![("gain".into(), with), ("gain_versus".into(), without)],
            }
        }
        Check::Declines { actor, measure: m, months } | Check::Grows { actor, measure: m, months } => {
            let sim = sims.get(&e.levers)?;
            let (before, after) = (measure(&sim, *actor, *m, 0)?, measure(&sim, *actor, *m, *months)?);
            let declines = matches!(e.check, Check::Declines { .. });
            Verdict {
                passed: if declines { after < before } else { after > before },
                explanation: format!(
                    "without a deal {}'s {} goes from {} at the scenario date to {} {months} months on",
                    name(*actor),
                    m.as_str(),
                    short(before),
                    short(after)
                ),
                numbers: vec![("before".into(), before), ("after".into(), after)],
            }
        }
        Check::NoCollapseWithin { months } => {
            let sim = sims.get(&e.levers)?;
            let path = central(&sim, *months, false);
            let broke = path.months.iter().position(|m| m.phase == Phase::Capitulated);
            let support = path.months.last().map_or([f64::NAN; 2], |m| m.war.support);
            let sides: Vec<String> =
                scenario.conflict.as_ref().map(|c| c.sides.iter().map(|s| name(s.actor)).collect()).unwrap_or_default();
            Verdict {
                passed: broke.is_none(),
                explanation: match broke {
                    Some(k) => format!("on the central path a side breaks in month {}", k + 1),
                    None => format!(
                        "on the central path neither side breaks within {months} months; support at the end: {}",
                        sides
                            .iter()
                            .zip(support)
                            .map(|(n, x)| format!("{n} {}", fmt(x)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                },
                numbers: vec![
                    ("collapse_month".into(), broke.map_or(f64::NAN, |k| (k + 1) as f64)),
                    ("support_0".into(), support[0]),
                    ("support_1".into(), support[1]),
                ],
            }
        }
        Check::BreaksDownMore { given, versus } => {
            let sim = sims.get(&e.levers)?;
            let (a, b) = (sim.hazard_of(given, false), sim.hazard_of(versus, false));
            let terms = |c: &parley_core::Condition| c.describe(&sim.scenario().issues);
            Verdict {
                passed: a > b,
                explanation: format!(
                    "a ceasefire on {} breaks down with a monthly hazard of {}%, on {} of {}%",
                    terms(given),
                    fmt(100.0 * a),
                    terms(versus),
                    fmt(100.0 * b)
                ),
                numbers: vec![("hazard".into(), a), ("hazard_versus".into(), b)],
            }
        }
        _ => unreachable!("static checks are delegated above"),
    };
    Ok(verdict)
}

/// Large numbers without decimals, small ones with three.
fn short(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}") }
}

/// Checks every expectation of a scenario (in parallel; results in file order).
pub fn evaluate_all(scenario: &Scenario) -> Vec<Result<Verdict, Error>> {
    let cache = Cache::new(scenario);
    let sims = Simulations::new(&cache, None);
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
    fn test_every_expectation_of_the_built_in_scenario_is_as_recorded() {
        let s = built_in();
        let verdicts = evaluate_all(&s);
        for (e, v) in s.expectations.iter().zip(verdicts) {
            let v = v.unwrap();
            assert!(e.as_recorded(&v), "{} (recorded as contradicted: {:?}): {}", e.id, e.contradicted, v.explanation);
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
