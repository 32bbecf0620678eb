//! The audit of the checks: could a claim have failed?
//!
//! A check that holds is evidence for the model only if it could have failed. The audit
//! re-evaluates each [`Expectation`] with the numbers it depends on varied, one at a time,
//! over their admissible range, and with its red lines and linkages removed one at a time,
//! and sorts it into one of three [`Class`]es:
//!
//! * **structural** — it holds by a red line, or by the scenario's structure alone: its
//!   terms lie wholly across a red line, or only removing a red line (or a linkage) makes it
//!   fail, or it depends on no number;
//! * **by input** — it holds for every admissible value of the numbers it depends on; or
//!   the only numbers that flip it are its own inputs: a number [tuned] to it, a number
//!   citing the very passage the claim cites (the claim restates it), or the input the
//!   check compares (a value or weight of the check's actor on an issue the check names, a
//!   linkage on those issues; for `breaks_down_more`, a durability factor on them or the
//!   base hazard);
//! * **evidence** — some admissible change of another number makes it fail. The audit
//!   reports which number flips it nearest to its value, and the margin: how far the
//!   number is from the flip, also as a share of its admissible range.
//!
//! A number's **admissible range** is, in order: the range of its `[[uncertain]]` entry
//! (the support of the distribution, or its central 95% for a normal or lognormal, within
//! the truncation bounds); for a preference number, its bounds (values, reservation values
//! and linkage deltas their whole range, issue weights `[0, 1]` on the written scale, the
//! other weights unchanged and all renormalised); for any other number on a scale of width
//! at most one (a share, a probability), its bounds; otherwise a factor of two either way
//! of its value, within its bounds. A number at zero without a finite range is not varied.
//!
//! The search evaluates each number at the ends of its range and at three interior points,
//! and bisects between the value and the nearest point that flips the verdict (twelve
//! steps), so a flip inside a quarter of the range that the grid steps over can be missed:
//! the margin is an upper bound.
//!
//! Static checks are evaluated here, on a table of every package's utilities in which one
//! actor's column is updated per variation; checks about the war's dynamics are evaluated
//! by `parley-sim`, which supplies an [`Evaluator`] and uses [`audit_with`].
//!
//! [tuned]: crate::Provenance::Tuned

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::scan::{VisitFn, scan};
use crate::bounds;
use crate::error::Error;
use crate::expect::{Check, Expectation, MAX_EXPECTATION_OUTCOMES, PackageVisitor, Packages, bargainers, verdict_on};
use crate::lever::{Change, Lever};
use crate::preferences::{Condition, ValueFunction};
use crate::scenario::{Citation, Provenance, Scenario};
use crate::uncertain::Distribution;
use crate::utility::{Units, UtilityModel, to_units};

/// Outcome spaces up to this size are audited on a table held in memory (about 100 bytes a
/// package); larger ones by evaluating the check afresh for every variation.
pub const TABLE_LIMIT: u64 = 1 << 21;

/// Grid points inside a number's range, besides its ends.
const INTERIOR: usize = 3;
/// Bisection steps between the value and the nearest flip.
const BISECTIONS: usize = 12;

/// What kind of support a check gives the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// It holds by a red line or the scenario's structure alone.
    Structural,
    /// It holds whatever the numbers it depends on, or only its own inputs flip it.
    ByInput,
    /// Some admissible change of another number makes it fail.
    Evidence,
}

impl Class {
    /// The name used in tables: `structural`, `by input`, `evidence`.
    pub fn text(self) -> &'static str {
        match self {
            Class::Structural => "structural",
            Class::ByInput => "by input",
            Class::Evidence => "evidence",
        }
    }
}

/// How a number that flips a check stands to the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A number of the model the check does not restate.
    Independent,
    /// The number was tuned to this check.
    Tuned,
    /// The number cites the passage the check cites.
    Restates,
    /// The number is the preference the check compares.
    Compared,
}

/// Which number a variation changes: a number of the scenario, or one a lever sets.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// The number at `path` in the scenario (no lever of the check sets it).
    Base {
        /// Its path, as `parley sources` lists it.
        path: String,
    },
    /// The number a lever sets at `path`.
    Lever {
        /// The lever's id.
        lever: String,
        /// The path it sets.
        path: String,
    },
}

impl Target {
    /// The path of the number the target changes, once the levers are applied.
    pub fn path(&self) -> &str {
        match self {
            Target::Base { path } | Target::Lever { path, .. } => path,
        }
    }

    /// The path as `parley sources` lists the number (`levers.ID.set.PATH` for a lever's).
    pub fn listed(&self) -> String {
        match self {
            Target::Base { path } => path.clone(),
            Target::Lever { lever, path } => format!("levers.{lever}.set.{path}"),
        }
    }
}

/// A number a check depends on, with the range it is varied over.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// The number.
    pub target: Target,
    /// Its value.
    pub value: f64,
    /// Its admissible range.
    pub range: (f64, f64),
    /// Whether only whole numbers are admissible.
    pub whole: bool,
    /// How it stands to the check.
    pub role: Role,
}

/// A number that flips a check's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flip {
    /// The number's path, as `parley sources` lists it.
    pub path: String,
    /// Its value.
    pub value: f64,
    /// The value nearest to it at which the verdict flips.
    pub at: f64,
    /// `|at − value|`.
    pub margin: f64,
    /// The margin as a share of the admissible range.
    pub relative: f64,
    /// The admissible range searched.
    pub range: (f64, f64),
    /// How the number stands to the check.
    pub role: Role,
}

/// The audit of one check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Audit {
    /// The class.
    pub class: Class,
    /// Why, in words.
    pub reason: String,
    /// The flip that decides the class: for evidence, the nearest independent flip (by
    /// share of range); for a claim held by its own inputs, the nearest of those.
    pub closest: Option<Flip>,
    /// Every number that flips it, nearest (by share of range) first.
    pub flips: Vec<Flip>,
    /// Red lines and linkages whose removal alone flips it (`preferences.ACTOR.red_lines.ID`).
    pub rests_on: Vec<String>,
    /// Red lines that every package the check's terms describe crosses.
    pub across: Vec<String>,
    /// How many numbers were varied.
    pub varied: usize,
}

/// One change to evaluate a check under.
#[derive(Clone, Copy, Debug)]
pub enum Variation<'a> {
    /// Nothing changed.
    None,
    /// A number set to a value.
    Number(&'a Candidate, f64),
    /// A red line or linkage removed (`preferences.ACTOR.red_lines.ID`).
    Drop(&'a str),
}

/// Evaluates one check under variations.
pub trait Evaluator: Sync {
    /// Whether the check holds with `variation` applied.
    fn holds(&self, variation: Variation<'_>) -> Result<bool, Error>;
}

/// Which numbers and rules a check depends on.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Actors whose preference numbers (weights, values, linkage deltas) are varied.
    pub preferences: Vec<usize>,
    /// Actors whose reservation values are varied.
    pub reservations: Vec<usize>,
    /// Actors whose red lines are removed one at a time.
    pub red_lines: Vec<usize>,
    /// Actors whose linkages are removed one at a time.
    pub linkages: Vec<usize>,
    /// Whether the war's numbers count (`conflict.…`, as the simulation can vary them).
    pub war: bool,
    /// Levers whose numbers count, besides the check's own.
    pub levers: Vec<String>,
}

/// Audits a static check (see the module docs). Dynamic checks need `parley-sim`.
pub fn audit(scenario: &Scenario, expectation: &Expectation) -> Result<Audit, Error> {
    if expectation.check.is_dynamic() {
        return Err(Error::NeedsSimulation { check: expectation.check.kind() });
    }
    let mut s = scenario.clone();
    for id in &expectation.levers {
        let lever = s.lever(id).ok_or_else(|| Error::Internal(format!("unknown lever \"{id}\"")))?.clone();
        s = s.with_lever(&lever).map_err(|e| Error::Internal(format!("lever \"{id}\": {e}")))?;
    }
    let check = s.expectations.iter().find(|e| e.id == expectation.id).map_or(&expectation.check, |e| &e.check);
    let model = UtilityModel::new(&s)?;
    let len = model.space().len().filter(|&n| n <= MAX_EXPECTATION_OUTCOMES).ok_or_else(|| {
        Error::OutcomeSpaceTooLarge { outcomes: model.space().len_f64(), limit: MAX_EXPECTATION_OUTCOMES as f64 }
    })?;
    let scope = static_scope(&s, check);
    let present: std::collections::HashSet<String> = s.numbers().into_iter().map(|n| n.path).collect();
    // A fix can take a linkage off the table with the options it needs.
    let candidates: Vec<Candidate> =
        candidates(scenario, expectation, &scope).into_iter().filter(|c| present.contains(c.target.path())).collect();
    let rules = rules(&s, &scope);
    let table = (len <= TABLE_LIMIT).then(|| Table::new(&model));
    let across = match &table {
        Some(t) => across(&s, check, t),
        None => across(&s, check, &model),
    };
    let subsets = table.as_ref().map(|t| subsets(check, t, &scope.preferences)).unwrap_or_default();
    let evaluator = Static { scenario: &s, check, table: table.as_ref(), subsets };
    audit_with(candidates, &rules, across, &evaluator)
}

/// Audits a check with `evaluator`, varying `candidates` and removing `rules` one at a
/// time. `across` names the red lines the check's terms lie wholly across, if any: such a
/// check is structural and its numbers are not varied.
pub fn audit_with(
    candidates: Vec<Candidate>,
    rules: &[String],
    across: Vec<String>,
    evaluator: &dyn Evaluator,
) -> Result<Audit, Error> {
    if !across.is_empty() {
        return Ok(Audit {
            class: Class::Structural,
            reason: format!(
                "every package its terms describe crosses {}: no number can change that",
                list_words(&across.iter().map(|r| rule_name(r)).collect::<Vec<_>>())
            ),
            closest: None,
            flips: Vec::new(),
            rests_on: across.clone(),
            across,
            varied: 0,
        });
    }
    let base = evaluator.holds(Variation::None)?;
    let rests_on: Vec<String> = rules
        .par_iter()
        .map(|r| evaluator.holds(Variation::Drop(r)).map(|h| (h != base).then(|| r.clone())))
        .collect::<Result<Vec<_>, Error>>()?
        .into_iter()
        .flatten()
        .collect();
    let mut flips: Vec<Flip> = candidates
        .par_iter()
        .map(|c| search(c, base, evaluator))
        .collect::<Result<Vec<_>, Error>>()?
        .into_iter()
        .flatten()
        .collect();
    flips.sort_by(|a, b| a.relative.total_cmp(&b.relative).then_with(|| a.path.cmp(&b.path)));
    let varied = candidates.len();
    let nearest = |role: &dyn Fn(Role) -> bool| flips.iter().find(|f| role(f.role)).cloned();
    let (class, reason, closest) = if let Some(t) = nearest(&|r| r == Role::Tuned) {
        let reason = format!("it holds because {} was tuned to it (it flips at {})", t.path, number(t.at));
        (Class::ByInput, reason, Some(t))
    } else if let Some(f) = nearest(&|r| r == Role::Independent) {
        let reason = format!(
            "{} flips it at {} (now {}; margin {}, {:.0}% of its range)",
            f.path,
            number(f.at),
            number(f.value),
            number(f.margin),
            100.0 * f.relative
        );
        (Class::Evidence, reason, Some(f))
    } else if let Some(f) = flips.first().cloned() {
        let mut restates: Vec<&str> = Vec::new();
        let mut compared: Vec<&str> = Vec::new();
        for x in &flips {
            if x.role == Role::Restates { restates.push(&x.path) } else { compared.push(&x.path) }
        }
        let mut parts = Vec::new();
        if !restates.is_empty() {
            parts.push(format!("{} (read off the passage the claim cites)", restates.join(", ")));
        }
        if !compared.is_empty() {
            parts.push(format!("{} (the input the check compares)", compared.join(", ")));
        }
        (Class::ByInput, format!("only its own inputs flip it: {}", parts.join("; ")), Some(f))
    } else if !rests_on.is_empty() {
        let names: Vec<String> = rests_on.iter().map(|r| rule_name(r)).collect();
        (Class::Structural, format!("only removing {} makes it fail", list_words(&names)), None)
    } else if varied == 0 {
        (Class::Structural, "it depends on no number of the model".to_string(), None)
    } else {
        (Class::ByInput, format!("it holds for every admissible value of the {varied} numbers it depends on"), None)
    };
    Ok(Audit { class, reason, closest, flips, rests_on, across: Vec::new(), varied })
}

/// `a`, `a and b`, `a, b and c`.
fn list_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `preferences.rus.red_lines.no-nato` → `red line rus.no-nato`.
pub fn rule_name(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["preferences", actor, "red_lines", id] => format!("red line {actor}.{id}"),
        ["preferences", actor, "linkages", id] => format!("linkage {actor}.{id}"),
        _ => path.to_string(),
    }
}

/// A number for people, as the audit writes it: at most three decimals and no trailing
/// zeros, whole from 1,000 on, in scientific notation below 0.001.
pub fn number(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        return format!("{x:.3e}");
    }
    let s = if x.abs() >= 1000.0 { format!("{x:.0}") } else { format!("{x:.3}") };
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Varies one number over its range: the value nearest to it at which the verdict flips.
fn search(c: &Candidate, base: bool, evaluator: &dyn Evaluator) -> Result<Option<Flip>, Error> {
    let (lo, hi) = c.range;
    let v = c.value;
    let width = hi - lo;
    let snap = |x: f64| if c.whole { x.round() } else { x };
    let mut points: Vec<f64> =
        (0..=INTERIOR + 1).map(|k| snap(lo + width * k as f64 / (INTERIOR + 1) as f64)).collect();
    points.retain(|x| (x - v).abs() > 1e-12 * width.max(1.0));
    points.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    let mut flipped: Vec<f64> = Vec::new();
    let mut kept: Vec<f64> = vec![v];
    for &x in &points {
        if evaluator.holds(Variation::Number(c, x))? != base {
            flipped.push(x);
        } else {
            kept.push(x);
        }
    }
    let Some(&far) = flipped.iter().min_by(|a, b| (*a - v).abs().total_cmp(&(*b - v).abs())) else {
        return Ok(None);
    };
    // The nearest point on the way from the value to the flip that does not flip.
    let mut near = kept
        .iter()
        .copied()
        .filter(|x| (x - v) * (far - v) >= 0.0 && (x - v).abs() < (far - v).abs())
        .max_by(|a, b| (*a - v).abs().total_cmp(&(*b - v).abs()))
        .unwrap_or(v);
    let mut far = far;
    for _ in 0..BISECTIONS {
        if c.whole && (far - near).abs() <= 1.0 {
            break;
        }
        let mid = snap((near + far) / 2.0);
        if (mid - near).abs() < f64::EPSILON * width || (mid - far).abs() < f64::EPSILON * width {
            break;
        }
        if evaluator.holds(Variation::Number(c, mid))? != base {
            far = mid;
        } else {
            near = mid;
        }
    }
    let margin = (far - v).abs();
    Ok(Some(Flip {
        path: c.target.listed(),
        value: v,
        at: far,
        margin,
        relative: if width > 0.0 { margin / width } else { 0.0 },
        range: c.range,
        role: c.role,
    }))
}

/// The actors, numbers and rules a static check depends on.
pub fn static_scope(s: &Scenario, check: &Check) -> Scope {
    let veto: Vec<bool> = s.actors.iter().map(|a| a.veto.is_full()).collect();
    let (actors, reservations) = match check {
        Check::Accepts { actor, .. } | Check::Rejects { actor, .. } => (vec![*actor], vec![*actor]),
        Check::Prefers { actor, .. } | Check::LinkageEases { actor, .. } => (vec![*actor], Vec::new()),
        Check::Favours { actor, other, .. } => (vec![*actor, *other], Vec::new()),
        Check::ZoneExists { .. } | Check::NoZone { .. } | Check::ZoneOnly { .. } => {
            // The bargainers, and those whose scoped veto can take a package out of the zone.
            let mut b = bargainers(&veto);
            b.extend((0..s.actors.len()).filter(|&a| s.actors[a].veto.scope().is_some()));
            b.sort_unstable();
            b.dedup();
            (b.clone(), b)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let red_lines = if matches!(check, Check::Favours { .. }) { Vec::new() } else { actors.clone() };
    Scope { preferences: actors.clone(), reservations, red_lines, linkages: actors, war: false, levers: Vec::new() }
}

/// The red lines and linkages of `scope`'s actors in `s` (levers applied), as paths.
pub fn rules(s: &Scenario, scope: &Scope) -> Vec<String> {
    let mut out = Vec::new();
    for &a in &scope.red_lines {
        for r in &s.preferences[a].red_lines {
            out.push(format!("preferences.{}.red_lines.{}", s.actors[a].id, r.id));
        }
    }
    for &a in &scope.linkages {
        for l in &s.preferences[a].linkages {
            out.push(format!("preferences.{}.linkages.{}", s.actors[a].id, l.id));
        }
    }
    out
}

/// The numbers a check depends on within `scope`, with their ranges and roles. Numbers a
/// lever of the check sets are varied as the lever's numbers.
pub fn candidates(s: &Scenario, e: &Expectation, scope: &Scope) -> Vec<Candidate> {
    let mut levers: Vec<&Lever> = Vec::new();
    for id in e.levers.iter().chain(&scope.levers) {
        if let Some(l) = s.lever(id)
            && !levers.iter().any(|x| x.id == l.id)
        {
            levers.push(l);
        }
    }
    let wanted = |path: &str| -> bool {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["preferences", actor, rest @ ..] => {
                let Some(a) = s.actor_index(actor) else { return false };
                match rest {
                    ["reservation"] => scope.reservations.contains(&a),
                    ["weights", _] | ["values", ..] | ["linkages", _] => scope.preferences.contains(&a),
                    _ => false,
                }
            }
            ["conflict", rest @ ..] => {
                scope.war && !matches!(rest.first(), Some(&"observed" | &"events")) && !path.contains('[')
            }
            _ => false,
        }
    };
    let claim: Vec<&Citation> = e.provenance.citations().collect();
    let named = named_terms(s, e);
    let role = |path: &str, p: &Provenance| -> Role {
        if p.is_tuned_to(&e.id) {
            Role::Tuned
        } else if p.citations().any(|c| claim.contains(&c)) {
            Role::Restates
        } else if named.iter().any(|prefix| path.starts_with(prefix.as_str())) {
            Role::Compared
        } else {
            Role::Independent
        }
    };
    let set_by_lever = |path: &str| levers.iter().any(|l| l.sets(path));
    let mut out = Vec::new();
    for n in s.numbers() {
        if !wanted(&n.path) || set_by_lever(&n.path) {
            continue;
        }
        if let Some((range, whole)) = admissible(s, &n.path, n.quantity.value, true) {
            out.push(Candidate {
                target: Target::Base { path: n.path.clone() },
                value: n.quantity.value,
                range,
                whole,
                role: role(&n.path, &n.quantity.provenance),
            });
        }
    }
    for (k, lever) in levers.iter().enumerate() {
        for change in &lever.changes {
            let Change::Set { path, quantity } = change else { continue };
            // A later lever that sets the same number overrides this one.
            if !wanted(path) || levers[k + 1..].iter().any(|l| l.sets(path)) {
                continue;
            }
            if let Some((range, whole)) = admissible(s, path, quantity.value, false) {
                out.push(Candidate {
                    target: Target::Lever { lever: lever.id.clone(), path: path.clone() },
                    value: quantity.value,
                    range,
                    whole,
                    role: role(path, &quantity.provenance),
                });
            }
        }
    }
    out
}

/// Path prefixes of the inputs a check compares: the values and weights of its actor(s) on
/// the issues its terms name, and their linkages on those issues; for `breaks_down_more`, the
/// durability factors on those issues and the base hazard.
fn named_terms(s: &Scenario, e: &Expectation) -> Vec<String> {
    if let Check::BreaksDownMore { .. } = &e.check {
        // The check compares the durability factors on the issues it names.
        let issues: Vec<&str> =
            e.check.conditions().iter().flat_map(|c| c.terms.iter().map(|(i, _)| s.issues[*i].id.as_str())).collect();
        // So does the base hazard, which scales both sides: at 0 no ceasefire breaks down.
        return s.conflict.as_ref().map_or_else(Vec::new, |c| {
            c.durability
                .factors
                .iter()
                .filter(|f| f.when.iter().any(|(issue, _)| issues.contains(&issue.as_str())))
                .map(|f| format!("conflict.durability.factors.{}", f.id))
                .chain(["conflict.durability.ceasefire_hazard".to_string()])
                .collect()
        });
    }
    let actors: Vec<usize> = match &e.check {
        Check::Accepts { actor, .. }
        | Check::Rejects { actor, .. }
        | Check::Prefers { actor, .. }
        | Check::LinkageEases { actor, .. } => vec![*actor],
        Check::Favours { actor, other, .. } => vec![*actor, *other],
        _ => return Vec::new(),
    };
    let issues: Vec<usize> = e.check.conditions().iter().flat_map(|c| c.terms.iter().map(|(i, _)| *i)).collect();
    let mut out = Vec::new();
    for a in actors {
        let id = &s.actors[a].id;
        for &i in &issues {
            let issue = &s.issues[i].id;
            out.push(format!("preferences.{id}.values.{issue}."));
            out.push(format!("preferences.{id}.weights.{issue}"));
        }
        for l in &s.preferences[a].linkages {
            if l.when.terms.iter().any(|(i, _)| issues.contains(i)) {
                out.push(format!("preferences.{id}.linkages.{}", l.id));
            }
        }
    }
    out
}

/// The admissible range of the number at `path` with value `v` (see the module docs), and
/// whether it is whole; `None` if it cannot be varied. `uncertain`: whether an
/// `[[uncertain]]` entry for the path applies (not to a number a lever sets).
pub fn admissible(s: &Scenario, path: &str, v: f64, uncertain: bool) -> Option<((f64, f64), bool)> {
    let b = bounds::of(path);
    let (blo, bhi) = b.ends();
    let (lo_open, hi_open) = b.open_ends();
    // Open ends are approached, not reached.
    let nudge = |x: f64, open: bool, up: bool| {
        if !open || !x.is_finite() {
            x
        } else {
            let step = 1e-9 * x.abs().max(1.0);
            if up { x + step } else { x - step }
        }
    };
    let (blo, bhi) = (nudge(blo, lo_open, true), nudge(bhi, hi_open, false));
    let from_uncertain = uncertain.then(|| s.uncertain.iter().find(|u| u.path == path)).flatten().map(|u| {
        let (lo, hi) = support(&u.distribution);
        let (lo, hi) = match u.bounds {
            Some((a, b)) => (lo.max(a), hi.min(b)),
            None => (lo, hi),
        };
        (lo.max(blo), hi.min(bhi))
    });
    let (mut lo, mut hi) = if let Some(r) = from_uncertain {
        r
    } else if path.starts_with("preferences.") && path.contains(".weights.") {
        (0.0, v.max(1.0))
    } else if path.starts_with("preferences.") || (blo.is_finite() && bhi.is_finite() && bhi - blo <= 1.0 + 1e-9) {
        (blo, bhi)
    } else if v > 0.0 {
        ((v / 2.0).max(blo), (v * 2.0).min(bhi))
    } else if v < 0.0 {
        ((v * 2.0).max(blo), (v / 2.0).min(bhi))
    } else {
        return None;
    };
    lo = lo.min(v);
    hi = hi.max(v);
    if b.whole() {
        lo = lo.ceil();
        hi = hi.floor();
    }
    (lo.is_finite() && hi.is_finite() && hi - lo > 1e-12 * v.abs().max(1.0)).then_some(((lo, hi), b.whole()))
}

/// The range a distribution's draws fall in: its support, or its central 95% if unbounded.
fn support(d: &Distribution) -> (f64, f64) {
    const Z: f64 = 1.959_963_984_540_054;
    match *d {
        Distribution::Normal { mean, sd } => (mean - Z * sd, mean + Z * sd),
        Distribution::Lognormal { median, sigma } => (median * (-Z * sigma).exp(), median * (Z * sigma).exp()),
        Distribution::Uniform { min, max }
        | Distribution::Triangular { min, max, .. }
        | Distribution::Pert { min, max, .. }
        | Distribution::Beta { min, max, .. } => (min, max),
    }
}

/// The red lines (as paths) that every package matching the check's terms crosses, if the
/// terms lie wholly across red lines of the actors the check asks about; empty otherwise.
/// For `prefers`, the terms compared against (`versus`).
fn across(s: &Scenario, check: &Check, packages: &dyn Packages) -> Vec<String> {
    let veto = packages.veto().to_vec();
    let (given, actors): (&Condition, Vec<usize>) = match check {
        Check::Accepts { actor, given } | Check::Rejects { actor, given } => (given, vec![*actor]),
        Check::Prefers { actor, versus, .. } => (versus, vec![*actor]),
        Check::ZoneExists { given } | Check::NoZone { given } => (given, bargainers(&veto)),
        _ => return Vec::new(),
    };
    let lines: Vec<(usize, &crate::RedLine)> =
        actors.iter().flat_map(|&a| s.preferences[a].red_lines.iter().map(move |r| (a, r))).collect();
    let mask = actors.iter().fold(0u64, |m, &a| m | 1 << a);
    let (mut matching, mut clear) = (0u64, 0u64);
    let mut covering = vec![0u64; lines.len()];
    packages.visit(&mut |_: u64, digits: &[u32], _: &[Units], crossed: u64, _: u64| {
        if !given.matches(digits) {
            return;
        }
        matching += 1;
        if crossed & mask == 0 {
            clear += 1;
        }
        for (k, (_, r)) in lines.iter().enumerate() {
            if r.when.matches(digits) {
                covering[k] += 1;
            }
        }
    });
    if matching == 0 || clear > 0 {
        return Vec::new();
    }
    let mut out: Vec<String> = lines
        .iter()
        .zip(&covering)
        .filter(|(_, n)| **n == matching)
        .map(|((a, r), _)| format!("preferences.{}.red_lines.{}", s.actors[*a].id, r.id))
        .collect();
    if out.is_empty() {
        // Several red lines share the packages between them.
        out = lines
            .iter()
            .zip(&covering)
            .filter(|(_, n)| **n > 0)
            .map(|((a, r), _)| format!("preferences.{}.red_lines.{}", s.actors[*a].id, r.id))
            .collect();
    }
    out
}

/// The rows of the table a variation of one actor's numbers needs.
#[derive(Default)]
struct Rows {
    /// For any change of the actor's numbers.
    all: Vec<u32>,
    /// Enough for a change of its reservation value or of the value of one option.
    shifts: Vec<u32>,
}

/// For each actor whose numbers vary, the packages (by row of the table) whose verdict can
/// change when only its numbers change. For a check on the zone: those acceptable to every
/// other party whose consent a deal needs and crossing none of the parties' red lines. For
/// a check on an actor's best package: those matching one of the check's terms and crossing
/// none of its red lines; and, when only its reservation value or the value of one option
/// changes — which moves every package with that option by the same amount — only the
/// best of those with each option of each issue.
fn subsets(check: &Check, t: &Table, actors: &[usize]) -> HashMap<usize, Rows> {
    // The patterns the check takes its actor's best package over.
    let conditions: Vec<Condition> = match check {
        Check::LinkageEases { given, versus, with, without, .. } => {
            vec![given.and(with), versus.and(with), given.and(without), versus.and(without)]
        }
        _ => check.conditions().into_iter().cloned().collect(),
    };
    let zone = matches!(check, Check::ZoneExists { .. } | Check::NoZone { .. } | Check::ZoneOnly { .. });
    let bargainers = bargainers(&t.veto);
    let mask = bargainers.iter().fold(0u64, |m, &b| m | 1 << b);
    let rows = t.crossed.len();
    let digits = |p: usize| &t.digits[p * t.k..(p + 1) * t.k];
    let mut out = HashMap::new();
    for &a in actors {
        if zone {
            let given = match check {
                Check::ZoneExists { given } | Check::NoZone { given } => Some(given),
                _ => None,
            };
            let all: Vec<u32> = (0..rows)
                .filter(|&p| {
                    given.is_none_or(|g| g.matches(digits(p)))
                        && t.crossed[p] & mask == 0
                        && bargainers.iter().all(|&b| b == a || t.utility[p * t.n + b] >= to_units(t.reservation[b]))
                })
                .map(|p| p as u32)
                .collect();
            out.insert(a, Rows { shifts: all.clone(), all });
            continue;
        }
        let mut all = Vec::new();
        // best[c][i][o]: the row with the highest utility to `a` among those matching
        // condition c with option o of issue i.
        let mut best: Vec<Vec<Vec<Option<u32>>>> = vec![Vec::new(); conditions.len()];
        for (p, _) in t.crossed.iter().enumerate() {
            if t.crossed[p] >> a & 1 == 1 {
                continue;
            }
            let d = digits(p);
            let u = t.utility[p * t.n + a];
            let mut matched = false;
            for (c, cond) in conditions.iter().enumerate() {
                if !cond.matches(d) {
                    continue;
                }
                matched = true;
                if best[c].is_empty() {
                    best[c] = (0..t.k).map(|i| vec![None; t.radices[i] as usize]).collect();
                }
                for (i, &o) in d.iter().enumerate() {
                    let slot = &mut best[c][i][o as usize];
                    if slot.is_none_or(|q| t.utility[q as usize * t.n + a] < u) {
                        *slot = Some(p as u32);
                    }
                }
            }
            if matched {
                all.push(p as u32);
            }
        }
        let mut shifts: Vec<u32> = best.into_iter().flatten().flatten().flatten().collect();
        shifts.sort_unstable();
        shifts.dedup();
        out.insert(a, Rows { all, shifts });
    }
    out
}

/// Every package with each actor's additive utility, final utility and red-line mask.
struct Table {
    n: usize,
    k: usize,
    radices: Vec<u32>,
    digits: Vec<u32>,
    additive: Vec<Units>,
    utility: Vec<Units>,
    crossed: Vec<u64>,
    /// Per package: the scoped vetoes that block it.
    refused: Vec<u64>,
    reservation: Vec<f64>,
    veto: Vec<bool>,
}

impl Table {
    fn new(model: &UtilityModel) -> Table {
        let n = model.n_actors();
        let k = model.space().n_issues();
        let len = model.space().len().unwrap_or(0) as usize;
        let mut t = Table {
            n,
            k,
            radices: model.space().radices().to_vec(),
            digits: Vec::with_capacity(len * k),
            additive: Vec::with_capacity(len * n),
            utility: Vec::with_capacity(len * n),
            crossed: Vec::with_capacity(len),
            refused: Vec::with_capacity(len),
            reservation: model.reservation().to_vec(),
            veto: model.veto().to_vec(),
        };
        scan(
            model,
            0..len as u64,
            &mut VisitFn(|_: u64, digits: &[u32], u: &[Units], crossed: u64, refused: u64| {
                t.digits.extend_from_slice(digits);
                for a in 0..n {
                    t.additive.push(digits.iter().enumerate().map(|(i, &o)| model.weighted_units(a, i, o)).sum());
                }
                t.utility.extend_from_slice(u);
                t.crossed.push(crossed);
                t.refused.push(refused);
            }),
        );
        t
    }
}

impl Packages for Table {
    fn reservation(&self) -> &[f64] {
        &self.reservation
    }
    fn veto(&self) -> &[bool] {
        &self.veto
    }
    fn visit(&self, f: &mut PackageVisitor<'_>) {
        for (p, crossed) in self.crossed.iter().enumerate() {
            f(
                p as u64,
                &self.digits[p * self.k..(p + 1) * self.k],
                &self.utility[p * self.n..(p + 1) * self.n],
                *crossed,
                self.refused[p],
            );
        }
    }
}

/// How a variation changes the varied actor's utilities.
enum Delta {
    /// Not at all (a reservation value).
    None,
    /// The value of option `option` of `issue` changes: only its packages move.
    Option { issue: usize, option: u32 },
    /// The additive part is recomputed (a weight, a numeric value function).
    Additive,
    /// Linkages are applied afresh (a linkage delta).
    Linkages,
}

/// The table with one actor's numbers changed: `model` is compiled from the changed scenario.
/// Only the rows in `rows` are visited (see [`subsets`]).
struct Varied<'t> {
    table: &'t Table,
    model: UtilityModel,
    actor: usize,
    delta: Delta,
    rows: Option<&'t [u32]>,
}

impl Varied<'_> {
    /// The varied actor's additive utility of a package under the changed model.
    fn additive(&self, digits: &[u32]) -> Units {
        digits.iter().enumerate().map(|(i, &o)| self.model.weighted_units(self.actor, i, o)).sum()
    }
}

impl Packages for Varied<'_> {
    fn reservation(&self) -> &[f64] {
        self.model.reservation()
    }
    fn veto(&self) -> &[bool] {
        &self.table.veto
    }
    fn visit(&self, f: &mut PackageVisitor<'_>) {
        let t = self.table;
        let (n, k, a) = (t.n, t.k, self.actor);
        let mut row: Vec<Units> = vec![0; n];
        let all = 0..t.crossed.len() as u32;
        let rows: Box<dyn Iterator<Item = u32>> = match self.rows {
            Some(r) => Box::new(r.iter().copied()),
            None => Box::new(all),
        };
        for p in rows {
            let p = p as usize;
            let crossed = &t.crossed[p];
            let digits = &t.digits[p * k..(p + 1) * k];
            row.copy_from_slice(&t.utility[p * n..(p + 1) * n]);
            let additive = t.additive[p * n + a];
            match self.delta {
                Delta::None => {}
                // The changed option's packages (or, for a weight or a value function, every
                // package) are summed again in exact units from the changed model.
                Delta::Option { issue, option } => {
                    if digits[issue] == option {
                        row[a] = self.model.finish(a, self.additive(digits), digits);
                    }
                }
                Delta::Additive => row[a] = self.model.finish(a, self.additive(digits), digits),
                Delta::Linkages => row[a] = self.model.finish(a, additive, digits),
            }
            // The varied actor may hold a scoped veto: judge its consent by its new numbers.
            let refused =
                if self.model.has_scoped_vetoes() { self.model.refusals(digits, &row, *crossed) } else { t.refused[p] };
            f(p as u64, digits, &row, *crossed, refused);
        }
    }
}

/// Evaluates a static check on the scenario with its levers applied.
struct Static<'a> {
    scenario: &'a Scenario,
    check: &'a Check,
    table: Option<&'a Table>,
    subsets: HashMap<usize, Rows>,
}

impl Static<'_> {
    fn changed(&self, variation: Variation<'_>) -> Result<Scenario, Error> {
        let mut s = self.scenario.clone();
        match variation {
            Variation::Number(c, x) => {
                let path = c.target.path();
                s.quantity_mut(path).ok_or_else(|| Error::Internal(format!("no number at \"{path}\"")))?.value = x;
            }
            Variation::None => {}
            Variation::Drop(rule) => {
                let lever = Lever {
                    id: "audit".into(),
                    name: String::new(),
                    description: String::new(),
                    provenance: Provenance::Unstated,
                    changes: vec![Change::Drop { path: rule.to_string() }],
                };
                s = s.with_lever(&lever).map_err(|e| Error::Internal(e.to_string()))?;
            }
        }
        Ok(s)
    }

    /// How the variation changes one actor's column of the table, if it does no more.
    fn delta(&self, variation: Variation<'_>) -> Option<(usize, Delta)> {
        let Variation::Number(c, _) = variation else { return None };
        let parts: Vec<&str> = c.target.path().split('.').collect();
        let ["preferences", actor, rest @ ..] = parts.as_slice() else { return None };
        let a = self.scenario.actor_index(actor)?;
        let prefs = &self.scenario.preferences[a];
        let delta = match rest {
            ["reservation"] => Delta::None,
            ["weights", _] => Delta::Additive,
            ["linkages", _] => Delta::Linkages,
            ["values", issue, option] => {
                let i = self.scenario.issue_index(issue)?;
                match prefs.values[i].as_ref()? {
                    ValueFunction::Table { .. } => {
                        let o = self.scenario.issues[i].option_index(option)?;
                        Delta::Option { issue: i, option: o as u32 }
                    }
                    _ => Delta::Additive,
                }
            }
            _ => return None,
        };
        Some((a, delta))
    }
}

impl Evaluator for Static<'_> {
    fn holds(&self, variation: Variation<'_>) -> Result<bool, Error> {
        let s = self.changed(variation)?;
        let verdict = match (self.table, self.delta(variation)) {
            (Some(table), Some((actor, delta))) => {
                let rows = self.subsets.get(&actor).map(|r| match delta {
                    Delta::None | Delta::Option { .. } => r.shifts.as_slice(),
                    Delta::Additive | Delta::Linkages => r.all.as_slice(),
                });
                let varied = Varied { table, model: UtilityModel::new(&s)?, actor, delta, rows };
                verdict_on(&s, self.check, &varied)
            }
            (Some(table), None) if matches!(variation, Variation::None) => verdict_on(&s, self.check, table),
            _ => verdict_on(&s, self.check, &UtilityModel::new(&s)?),
        };
        Ok(verdict.passed)
    }
}

#[cfg(test)]
mod tests;
