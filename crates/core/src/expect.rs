//! Expectations: claims from the sources written as checks on the model.
//!
//! An [`Expectation`] restates a claim ("Russia will not accept an unconditional
//! ceasefire") as a [`Check`] over **patterns** — [`Condition`]s that fix some issues and
//! leave the rest free. Optional levers are applied first. [`evaluate`] returns a
//! [`Verdict`] with the numbers behind it, so a reader can see why a claim holds or fails.
//!
//! The checks, and what "holds" means:
//!
//! | kind | holds when |
//! |---|---|
//! | `accepts` | some package matching `given` is acceptable to `actor` (crosses none of its red lines, utility ≥ reservation) |
//! | `rejects` | no package matching `given` is acceptable to `actor` |
//! | `zone_exists` | some package matching `given` is in the zone of possible agreement |
//! | `no_zone` | no package matching `given` is in the zone |
//! | `zone_only` | the zone is not empty and every package in it matches `given` |
//! | `favours` | on the issues `given` names, `actor` gets a larger weighted share of its best values than `other` does (weights renormalised over those issues; several listed options are averaged) |
//! | `prefers` | `actor`'s best acceptable-by-its-red-lines package matching `given` beats its best matching `versus` |
//! | `linkage_eases` | `actor`'s loss from `given` relative to `versus` is smaller when `with` holds than when `without` holds (each side measured by the actor's best package crossing none of its red lines) |
//!
//! The kinds form an open, tagged enum: models of dynamics add kinds about simulated paths
//! without changing these (see `parley_sim::expect`). A check's numeric thresholds (months,
//! km², fractions) are part of the claim, not of the model: each carries its own provenance
//! in [`Expectation::thresholds`].

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::scan::{VisitFn, scan};
use crate::error::Error;
use crate::preferences::Condition;
use crate::scenario::{Citation, Provenance, Quantity, Scenario};
use crate::utility::{Units, UtilityModel, from_units, to_units};

/// Outcome spaces larger than this are not enumerated for expectations.
pub const MAX_EXPECTATION_OUTCOMES: u64 = 1_000_000_000;

/// A source that disputes a claim.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dispute {
    /// The disputing passage.
    pub citation: Citation,
    /// What it says against the claim, in words.
    pub note: String,
}

/// A claim as a check on the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expectation {
    /// Identifier.
    pub id: String,
    /// The claim, paraphrased.
    pub claim: String,
    /// The source of the claim (or the assumption it encodes).
    pub provenance: Provenance,
    /// Sources that dispute the claim.
    pub disputed_by: Vec<Dispute>,
    /// Levers applied before checking (by id, in order).
    pub levers: Vec<String>,
    /// What is checked.
    pub check: Check,
    /// The provenance of the check's numeric thresholds, by field name (`months`, `km2`,
    /// `fraction`, …), in the order the check lists them; the values are the check's.
    pub thresholds: Vec<Threshold>,
    /// Set when the model is known to contradict the claim: why, in words. The claim is
    /// still checked — the record is right while it fails, and wrong (an error of `parley
    /// check`) as soon as it holds — so a disagreement with a source stays visible and
    /// cannot go stale.
    pub contradicted: Option<String>,
}

impl Expectation {
    /// Whether `verdict` is what the scenario records: the claim holds, or it fails and
    /// is recorded as contradicted by the model.
    pub fn as_recorded(&self, verdict: &Verdict) -> bool {
        verdict.passed != self.contradicted.is_some()
    }
}

/// A threshold of a check (a number of months, an area, a share) and where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Threshold {
    /// The check's field (`months`, `km2`, `fraction`, `month`).
    pub name: String,
    /// Its value and provenance.
    pub quantity: Quantity,
}

/// A quantity of a side of the war, as a dynamic check reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Front-line personnel.
    Manpower,
    /// Materiel reaching the front, € bn a month.
    Materiel,
    /// Production capacity relative to the start.
    Economy,
    /// Domestic support for fighting on.
    Support,
    /// The side's alternative to a deal (its dynamic reservation value).
    Batna,
    /// Personnel the side recruits a month: recruitment as support allows, plus a wider
    /// mobilisation once chosen.
    Recruitment,
}

impl Measure {
    /// Every measure, in order.
    pub const ALL: [Measure; 6] = [
        Measure::Manpower,
        Measure::Materiel,
        Measure::Economy,
        Measure::Support,
        Measure::Batna,
        Measure::Recruitment,
    ];

    /// The snake-case name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Manpower => "manpower",
            Measure::Materiel => "materiel",
            Measure::Economy => "economy",
            Measure::Support => "support",
            Measure::Batna => "batna",
            Measure::Recruitment => "recruitment",
        }
    }
}

/// A checkable statement about the model. Actors and issues are indices.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// Some matching package is acceptable to the actor.
    Accepts {
        /// The actor.
        actor: usize,
        /// The pattern.
        given: Condition,
    },
    /// No matching package is acceptable to the actor.
    Rejects {
        /// The actor.
        actor: usize,
        /// The pattern.
        given: Condition,
    },
    /// Some matching package is in the zone.
    ZoneExists {
        /// The pattern (empty: any package).
        given: Condition,
    },
    /// No matching package is in the zone.
    NoZone {
        /// The pattern (empty: any package).
        given: Condition,
    },
    /// The zone is non-empty and every package in it matches.
    ZoneOnly {
        /// The pattern.
        given: Condition,
    },
    /// On the named issues, `actor` does better than `other`.
    Favours {
        /// Who is favoured.
        actor: usize,
        /// Compared with.
        other: usize,
        /// The terms.
        given: Condition,
    },
    /// The actor's best package matching `given` beats its best matching `versus`.
    Prefers {
        /// The actor.
        actor: usize,
        /// The preferred terms.
        given: Condition,
        /// The other terms.
        versus: Condition,
    },
    /// The loss from `given` (relative to `versus`) is smaller under `with` than `without`.
    LinkageEases {
        /// The actor.
        actor: usize,
        /// The concession.
        given: Condition,
        /// The terms conceded from.
        versus: Condition,
        /// Terms under which the loss should shrink.
        with: Condition,
        /// Terms under which the loss is measured for comparison.
        without: Condition,
    },
    /// On the central path of the coupled simulation (no noise), no settlement is agreed
    /// within `months` of the scenario date.
    NoSettlementWithin {
        /// Months after the scenario date.
        months: u32,
    },
    /// On the central path, a settlement is agreed within `months` of the scenario date.
    SettlesWithin {
        /// Months after the scenario date.
        months: u32,
    },
    /// The actor's alternative to a deal (its dynamic reservation value) `month` months
    /// after the scenario date is lower under the expectation's levers than under `versus`.
    BatnaLower {
        /// The actor (a belligerent of the conflict).
        actor: usize,
        /// Months after the scenario date.
        month: u32,
        /// Lever ids of the comparison (empty: the baseline).
        versus: Vec<String>,
    },
    /// As [`Check::BatnaLower`], but higher.
    BatnaHigher {
        /// The actor (a belligerent of the conflict).
        actor: usize,
        /// Months after the scenario date.
        month: u32,
        /// Lever ids of the comparison (empty: the baseline).
        versus: Vec<String>,
    },
    /// The expectation's levers win back at least `fraction` of what the levers `loss_from`
    /// alone take from the actor's alternative to a deal, relative to the baseline.
    BatnaRestored {
        /// The actor (a belligerent of the conflict).
        actor: usize,
        /// Months after the scenario date.
        month: u32,
        /// Lever ids that cause the loss.
        loss_from: Vec<String>,
        /// Least share of the loss restored.
        fraction: f64,
    },
    /// On the central path, the territorial holder gains at least `km2` within `months`.
    Advances {
        /// Months after the scenario date.
        months: u32,
        /// Least gain, km².
        km2: f64,
    },
    /// On the central path without talks, the territorial holder gains more within `months`
    /// under the expectation's levers than under `versus`.
    AdvancesMore {
        /// Months after the scenario date.
        months: u32,
        /// Lever ids of the comparison (empty: the baseline).
        versus: Vec<String>,
    },
    /// As [`Check::AdvancesMore`], but less.
    AdvancesLess {
        /// Months after the scenario date.
        months: u32,
        /// Lever ids of the comparison (empty: the baseline).
        versus: Vec<String>,
    },
    /// On the central path with talks, a settlement is agreed within `months`, and earlier
    /// under the expectation's levers than under `versus` (where it may not come at all).
    SettlesSooner {
        /// Months after the scenario date.
        months: u32,
        /// Lever ids of the comparison (empty: the baseline).
        versus: Vec<String>,
    },
    /// On the central path without talks, the side's `measure` is lower `months` after the
    /// scenario date than at it.
    Declines {
        /// The actor (a belligerent of the conflict).
        actor: usize,
        /// What is measured.
        measure: Measure,
        /// Months after the scenario date.
        months: u32,
    },
    /// As [`Check::Declines`], but higher.
    Grows {
        /// The actor (a belligerent of the conflict).
        actor: usize,
        /// What is measured.
        measure: Measure,
        /// Months after the scenario date.
        months: u32,
    },
    /// On the central path without talks, neither side breaks within `months`.
    NoCollapseWithin {
        /// Months after the scenario date.
        months: u32,
    },
    /// A ceasefire on terms matching `given` breaks down more often (a higher monthly hazard)
    /// than one on terms matching `versus`. A durability factor counts for terms when every
    /// package matching them matches the factor.
    BreaksDownMore {
        /// The terms that should break down more often.
        given: Condition,
        /// The terms compared with.
        versus: Condition,
    },
}

impl Check {
    /// The snake-case name of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Accepts { .. } => "accepts",
            Check::Rejects { .. } => "rejects",
            Check::ZoneExists { .. } => "zone_exists",
            Check::NoZone { .. } => "no_zone",
            Check::ZoneOnly { .. } => "zone_only",
            Check::Favours { .. } => "favours",
            Check::Prefers { .. } => "prefers",
            Check::LinkageEases { .. } => "linkage_eases",
            Check::NoSettlementWithin { .. } => "no_settlement_within",
            Check::SettlesWithin { .. } => "settles_within",
            Check::BatnaLower { .. } => "batna_lower",
            Check::BatnaHigher { .. } => "batna_higher",
            Check::BatnaRestored { .. } => "batna_restored",
            Check::Advances { .. } => "advances",
            Check::AdvancesMore { .. } => "advances_more",
            Check::AdvancesLess { .. } => "advances_less",
            Check::SettlesSooner { .. } => "settles_sooner",
            Check::Declines { .. } => "declines",
            Check::Grows { .. } => "grows",
            Check::NoCollapseWithin { .. } => "no_collapse_within",
            Check::BreaksDownMore { .. } => "breaks_down_more",
        }
    }

    /// Whether the check is about the war's dynamics, evaluated by simulation (in
    /// `parley-sim`) rather than on the outcome space.
    pub fn is_dynamic(&self) -> bool {
        matches!(
            self,
            Check::NoSettlementWithin { .. }
                | Check::SettlesWithin { .. }
                | Check::BatnaLower { .. }
                | Check::BatnaHigher { .. }
                | Check::BatnaRestored { .. }
                | Check::Advances { .. }
                | Check::AdvancesMore { .. }
                | Check::AdvancesLess { .. }
                | Check::SettlesSooner { .. }
                | Check::Declines { .. }
                | Check::Grows { .. }
                | Check::NoCollapseWithin { .. }
                | Check::BreaksDownMore { .. }
        )
    }

    /// The issue conditions the check names (empty for dynamic checks).
    pub fn conditions(&self) -> Vec<&Condition> {
        match self {
            Check::Accepts { given, .. }
            | Check::Rejects { given, .. }
            | Check::ZoneExists { given }
            | Check::NoZone { given }
            | Check::ZoneOnly { given }
            | Check::Favours { given, .. } => vec![given],
            Check::Prefers { given, versus, .. } | Check::BreaksDownMore { given, versus } => vec![given, versus],
            Check::LinkageEases { given, versus, with, without, .. } => vec![given, versus, with, without],
            _ => Vec::new(),
        }
    }

    fn conditions_mut(&mut self) -> Vec<&mut Condition> {
        match self {
            Check::Accepts { given, .. }
            | Check::Rejects { given, .. }
            | Check::ZoneExists { given }
            | Check::NoZone { given }
            | Check::ZoneOnly { given }
            | Check::Favours { given, .. } => vec![given],
            Check::Prefers { given, versus, .. } | Check::BreaksDownMore { given, versus } => vec![given, versus],
            Check::LinkageEases { given, versus, with, without, .. } => vec![given, versus, with, without],
            _ => Vec::new(),
        }
    }

    /// Re-indexes option references after an issue lost options (see
    /// [`Scenario::restrict`]); a term left with no option matches nothing.
    pub(crate) fn remap_issue(&mut self, issue: usize, remap: &dyn Fn(usize) -> Option<usize>) {
        for c in self.conditions_mut() {
            for (i, options) in &mut c.terms {
                if *i == issue {
                    *options = options.iter().filter_map(|&o| remap(o)).collect();
                }
            }
        }
    }
}

impl Condition {
    /// Both conditions at once (options of a shared issue are intersected).
    pub fn and(&self, other: &Condition) -> Condition {
        let mut terms = self.terms.clone();
        for (issue, options) in &other.terms {
            match terms.iter_mut().find(|(i, _)| i == issue) {
                Some((_, mine)) => mine.retain(|o| options.contains(o)),
                None => terms.push((*issue, options.clone())),
            }
        }
        Condition { terms }
    }
}

/// The outcome of checking an expectation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// Whether the claim holds in the model.
    pub passed: bool,
    /// The numbers behind the verdict, in words.
    pub explanation: String,
    /// The same numbers by name, for machines (a JSON object, in this order).
    #[serde(serialize_with = "numbers_as_object")]
    pub numbers: Vec<(String, f64)>,
}

fn numbers_as_object<S: serde::Serializer>(numbers: &[(String, f64)], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(numbers.iter().map(|(k, v)| (k, v)))
}

/// The best utility of `actor` over matching packages that cross none of its red lines,
/// and the index of one package that attains it; also how many packages match.
struct Best {
    utility: Units,
    outcome: Option<u64>,
    matching: u64,
    blocked_by_red_line: u64,
}

impl Best {
    /// The best utility, or −∞ if no matching package crosses none of the red lines.
    fn value(&self) -> f64 {
        if self.outcome.is_some() { from_units(self.utility) } else { f64::NEG_INFINITY }
    }
}

fn best(packages: &dyn Packages, actor: usize, given: &Condition) -> Best {
    let mut b = Best { utility: Units::MIN, outcome: None, matching: 0, blocked_by_red_line: 0 };
    packages.visit(&mut |index: u64, digits: &[u32], u: &[Units], crossed: u64, _: u64| {
        if !given.matches(digits) {
            return;
        }
        b.matching += 1;
        if crossed >> actor & 1 == 1 {
            b.blocked_by_red_line += 1;
        } else if u[actor] > b.utility {
            b.utility = u[actor];
            b.outcome = Some(index);
        }
    });
    b
}

/// The actors whose consent a deal needs: the veto players, or every actor if none.
pub(crate) fn bargainers(veto: &[bool]) -> Vec<usize> {
    let b: Vec<usize> = (0..veto.len()).filter(|&a| veto[a]).collect();
    if b.is_empty() { (0..veto.len()).collect() } else { b }
}

/// Packages matching `given` in the zone, and zone packages in all.
fn zone_counts(packages: &dyn Packages, given: &Condition) -> (u64, u64) {
    let bargainers = bargainers(packages.veto());
    let mask = bargainers.iter().fold(0u64, |m, &b| m | 1 << b);
    let reservation: Vec<Units> = packages.reservation().iter().map(|&r| to_units(r)).collect();
    let (mut matching, mut all) = (0, 0);
    packages.visit(&mut |_: u64, digits: &[u32], u: &[Units], crossed: u64, refused: u64| {
        if crossed & mask == 0 && refused == 0 && bargainers.iter().all(|&b| u[b] >= reservation[b]) {
            all += 1;
            if given.matches(digits) {
                matching += 1;
            }
        }
    });
    (matching, all)
}

/// Receives a package: its index, options, every actor's utility, the red-line mask and
/// the mask of actors with a scoped veto who block it.
pub(crate) type PackageVisitor<'a> = dyn FnMut(u64, &[u32], &[Units], u64, u64) + 'a;

/// What the static checks read: every package with each actor's utility and the actors
/// whose red lines it crosses. The compiled model is one source (a scan of the outcome
/// space); the audit's table of a scenario with one number varied is another.
pub(crate) trait Packages: Sync {
    /// Reservation values, by actor.
    fn reservation(&self) -> &[f64];
    /// Veto flags, by actor.
    fn veto(&self) -> &[bool];
    /// Calls `f` with every package: its index, options, utilities, red-line mask and the
    /// scoped vetoes that block it.
    fn visit(&self, f: &mut PackageVisitor<'_>);
}

impl Packages for UtilityModel {
    fn reservation(&self) -> &[f64] {
        UtilityModel::reservation(self)
    }
    fn veto(&self) -> &[bool] {
        UtilityModel::veto(self)
    }
    fn visit(&self, f: &mut PackageVisitor<'_>) {
        let len = self.space().len().unwrap_or(0);
        scan(
            self,
            0..len,
            &mut VisitFn(|index: u64, digits: &[u32], u: &[Units], crossed: u64, refused: u64| {
                f(index, digits, u, crossed, refused)
            }),
        );
    }
}

fn fmt(x: f64) -> String {
    if x.is_finite() { format!("{x:.3}") } else { "none".into() }
}

/// Checks one expectation against a scenario.
pub fn evaluate(scenario: &Scenario, expectation: &Expectation) -> Result<Verdict, Error> {
    if expectation.check.is_dynamic() {
        return Err(Error::NeedsSimulation { check: expectation.check.kind() });
    }
    let mut s = scenario.clone();
    for id in &expectation.levers {
        let lever = s.lever(id).ok_or_else(|| Error::Internal(format!("unknown lever \"{id}\"")))?.clone();
        s = s.with_lever(&lever).map_err(|e| Error::Internal(format!("lever \"{id}\": {e}")))?;
    }
    // Levers re-index issues, so read the check from the changed scenario.
    let check = s.expectations.iter().find(|e| e.id == expectation.id).map_or(&expectation.check, |e| &e.check);
    let model = UtilityModel::new(&s)?;
    let len = model.space().len();
    if len.is_none_or(|n| n > MAX_EXPECTATION_OUTCOMES) {
        return Err(Error::OutcomeSpaceTooLarge {
            outcomes: model.space().len_f64(),
            limit: MAX_EXPECTATION_OUTCOMES as f64,
        });
    }
    Ok(verdict_on(&s, check, &model))
}

/// The verdict of a static check on the scenario `s` (levers already applied), reading the
/// packages from `packages`.
pub(crate) fn verdict_on(s: &Scenario, check: &Check, packages: &dyn Packages) -> Verdict {
    let model = packages;
    let name = |a: usize| s.actors[a].id.clone();
    let reservation = model.reservation();
    match check {
        Check::Accepts { actor, given } | Check::Rejects { actor, given } => {
            let b = best(model, *actor, given);
            let r = reservation[*actor];
            let acceptable = b.outcome.is_some() && b.utility >= to_units(r);
            let utility = b.value();
            let passed = acceptable == matches!(check, Check::Accepts { .. });
            let explanation = if b.outcome.is_none() {
                format!("all {} matching packages cross a red line of {}", b.matching, name(*actor))
            } else {
                format!(
                    "{}'s best matching package is worth {} against a reservation value of {} (margin {}); {} of {} matching packages cross its red lines",
                    name(*actor),
                    fmt(utility),
                    fmt(r),
                    fmt(from_units(b.utility - to_units(r))),
                    b.blocked_by_red_line,
                    b.matching
                )
            };
            Verdict {
                passed,
                explanation,
                numbers: vec![
                    ("best_utility".into(), utility),
                    ("reservation".into(), r),
                    ("matching".into(), b.matching as f64),
                    ("crossing_red_lines".into(), b.blocked_by_red_line as f64),
                ],
            }
        }
        Check::ZoneExists { given } | Check::NoZone { given } => {
            let (matching, all) = zone_counts(model, given);
            let passed = (matching > 0) == matches!(check, Check::ZoneExists { .. });
            Verdict {
                passed,
                explanation: format!("{matching} matching packages in the zone of possible agreement ({all} in all)"),
                numbers: vec![("zone_matching".into(), matching as f64), ("zone".into(), all as f64)],
            }
        }
        Check::ZoneOnly { given } => {
            let (matching, all) = zone_counts(model, given);
            Verdict {
                passed: all > 0 && matching == all,
                explanation: format!("{matching} of the {all} packages in the zone match"),
                numbers: vec![("zone_matching".into(), matching as f64), ("zone".into(), all as f64)],
            }
        }
        Check::Favours { actor, other, given } => {
            let score = |a: usize| -> f64 {
                let prefs = &s.preferences[a];
                let weights = prefs.normalised_weights();
                let (mut num, mut den) = (0.0, 0.0);
                for (issue, options) in &given.terms {
                    let w = weights[*issue];
                    if w > 0.0 && !options.is_empty() {
                        let avg = options
                            .iter()
                            .map(|&o| prefs.weighted_value(&weights, &s.issues, *issue, o) / w)
                            .sum::<f64>()
                            / options.len() as f64;
                        num += w * avg;
                        den += w;
                    }
                }
                if den > 0.0 { num / den } else { 0.0 }
            };
            let (x, y) = (score(*actor), score(*other));
            Verdict {
                passed: x > y,
                explanation: format!(
                    "on these terms {} gets {} of its best and {} gets {}",
                    name(*actor),
                    fmt(x),
                    name(*other),
                    fmt(y)
                ),
                numbers: vec![(format!("share_{}", name(*actor)), x), (format!("share_{}", name(*other)), y)],
            }
        }
        Check::Prefers { actor, given, versus } => {
            let (a, b) = (best(model, *actor, given), best(model, *actor, versus));
            Verdict {
                passed: a.utility > b.utility,
                explanation: format!(
                    "{}'s best package with the first terms is worth {}, with the second {}",
                    name(*actor),
                    fmt(a.value()),
                    fmt(b.value())
                ),
                numbers: vec![("best_given".into(), a.value()), ("best_versus".into(), b.value())],
            }
        }
        Check::LinkageEases { actor, given, versus, with, without } => {
            let u = |c: &Condition| best(model, *actor, c);
            // The concession's loss, exactly when both packages exist, and as a number.
            let loss = |from: Best, to: Best| {
                let exact = (from.outcome.is_some() && to.outcome.is_some()).then(|| to.utility - from.utility);
                (exact, to.value() - from.value())
            };
            let (exact_without, loss_without) = loss(u(&given.and(without)), u(&versus.and(without)));
            let (exact_with, loss_with) = loss(u(&given.and(with)), u(&versus.and(with)));
            Verdict {
                passed: matches!((exact_with, exact_without), (Some(w), Some(wo)) if w < wo),
                explanation: format!(
                    "{}'s loss from the concession is {} without the linked terms and {} with them",
                    name(*actor),
                    fmt(loss_without),
                    fmt(loss_with)
                ),
                numbers: vec![("loss_without".into(), loss_without), ("loss_with".into(), loss_with)],
            }
        }
        _ => unreachable!("dynamic checks are evaluated by parley-sim"),
    }
}

/// Checks every static expectation of a scenario (in parallel; results in file order).
/// Dynamic ones ([`Check::is_dynamic`]) come back as [`Error::NeedsSimulation`]; the
/// `parley-sim` crate evaluates all of them.
pub fn evaluate_all(scenario: &Scenario) -> Vec<Result<Verdict, Error>> {
    scenario.expectations.par_iter().map(|e| evaluate(scenario, e)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::TestScenario;

    fn expectation(check: Check) -> Expectation {
        Expectation {
            id: "e".into(),
            claim: String::new(),
            provenance: Provenance::Unstated,
            disputed_by: Vec::new(),
            levers: Vec::new(),
            check,
            thresholds: Vec::new(),
            contradicted: None,
        }
    }

    fn cond(terms: &[(usize, &[usize])]) -> Condition {
        Condition { terms: terms.iter().map(|(i, o)| (*i, o.to_vec())).collect() }
    }

    #[test]
    fn test_accepts_and_rejects_by_hand() {
        // Logrolling: X (reservation 0.3) gets 0.6 at (o0,o0), 1.0 at (o0,o1), 0 / 0.4 with o1 first.
        let s = TestScenario::logrolling();
        let e = |c| evaluate(&s, &expectation(c)).unwrap();
        assert!(e(Check::Accepts { actor: 0, given: cond(&[(0, &[0])]) }).passed);
        let v = e(Check::Rejects { actor: 0, given: cond(&[(0, &[1])]) });
        assert!(!v.passed, "X accepts (o1,o1) at 0.4 ≥ 0.3: {}", v.explanation);
        assert!(e(Check::Rejects { actor: 0, given: cond(&[(0, &[1]), (1, &[0])]) }).passed);
    }

    #[test]
    fn test_zone_checks_by_hand() {
        let s = TestScenario::logrolling();
        let e = |c| evaluate(&s, &expectation(c)).unwrap();
        assert!(e(Check::ZoneExists { given: Condition::default() }).passed);
        assert!(e(Check::NoZone { given: cond(&[(0, &[0]), (1, &[1])]) }).passed);
        let v = e(Check::ZoneOnly { given: cond(&[(0, &[0])]) });
        assert!(!v.passed, "(o1,o1) is in the zone too: {}", v.explanation);
        assert_eq!(v.numbers, vec![("zone_matching".into(), 1.0), ("zone".into(), 2.0)]);
    }

    #[test]
    fn test_favours_prefers_and_linkage() {
        let s = TestScenario::logrolling();
        let e = |c| evaluate(&s, &expectation(c)).unwrap();
        // Issue 0 option 0 is X's best (1.0) and Y's worst (0.0).
        assert!(e(Check::Favours { actor: 0, other: 1, given: cond(&[(0, &[0])]) }).passed);
        assert!(e(Check::Prefers { actor: 1, given: cond(&[(0, &[1])]), versus: cond(&[(0, &[0])]) }).passed);
        // Linked three-party: actor 1 gains 0.25 when issue 0 = o1 and issue 1 = o1.
        let s = TestScenario::linked_three_party();
        let v = evaluate(
            &s,
            &expectation(Check::LinkageEases {
                actor: 1,
                given: cond(&[(0, &[1])]),
                versus: cond(&[(0, &[2])]),
                with: cond(&[(1, &[1])]),
                without: cond(&[(1, &[0])]),
            }),
        )
        .unwrap();
        assert!(v.passed, "{}", v.explanation);
    }
}
