//! From the raw file to a validated [`Scenario`]: resolve every id, check every rule.
//!
//! Validation does not stop at the first problem: it collects every error (and warning)
//! with the span of the offending text, so one run shows the analyst everything to fix.
//!
//! # Rules
//!
//! | code | rule |
//! |---|---|
//! | `parley::syntax` | the file parses, keys are known, values have the right type |
//! | `parley::empty` | at least one actor and one issue; every issue has an option; no empty ids or conditions |
//! | `parley::id` | ids follow the id rule of [`crate::id`]: a letter, then letters, digits, `_` and `-`, at most 64 characters; no lever is called `baseline` |
//! | `parley::duplicate-id` | ids are unique (sources, actors, issues, options, per-actor linkages and red lines; one preferences entry per actor; one `[[uncertain]]` entry per path) |
//! | `parley::unknown-reference` | every actor, issue, option and source referred to exists |
//! | `parley::not-finite` | no NaN or infinity |
//! | `parley::out-of-range` | values, reservation values in [0, 1]; discount factors in (0, 1]; weights and power ≥ 0; linkage deltas in [-1, 1]; the conflict's numbers in their ranges (see `raw::RawConflict`) and its months in order; distribution parameters well-formed, truncation bounds in order, and draws within the number's range |
//! | `parley::month` | months read `YYYY-MM` |
//! | `parley::conflict` | the `[conflict]` section holds together: exactly two belligerent sides; donors, holder and observed losses name a side; a categorical territorial issue with at least two distinct anchors; dynamic checks need the section and name a side |
//! | `parley::field-kind` | fields that do not apply to an issue kind, value function, check or distribution kind are errors, required ones must be present |
//! | `parley::missing-value` | every option of a weighted issue has a value |
//! | `parley::provenance` | a number gives a source, an assumption (optionally with the `direction` it takes from a passage) or `tuned = { to, note }`, one of them; citations read `ID` or `ID#paragraph`; a tuned number names an expectation, an observed series or a number |
//! | `parley::not-sampleable` | an uncertain number is a number of the war (`conflict.…`) or a reservation value |
//! | `parley::weights` (warning) | weights that do not sum to 1 are rescaled; an actor that weighs nothing has utility 0 everywhere |
//! | `parley::no-effect` (warning) | values given for an issue the actor does not weigh change nothing |
//! | `parley::uncertain` (warning) | an uncertain number's draws cannot reach its point value |
//!
//! Levers must name existing numbers, issues, options and rules; expectations must name
//! existing actors and levers, give exactly the fields their check kind takes, and cite a
//! source or state an assumption. In `[conflict]`, `no_deal` names an option of every issue
//! but the territorial one and each side's `victory` one of every issue; events and
//! calibration name numbers by full path under `conflict.`. Uncertain numbers name a number
//! by path as lever `set` paths do, with exactly the parameters of their distribution kind.

use std::collections::HashMap;
use std::ops::Range;

use parley_core::preferences::WEIGHT_SUM_TOLERANCE;
use parley_core::{
    Actor, Citation, Condition, Conflict, Issue, Linkage, Metadata, Preferences, Provenance, Quantity, RedLine, Role,
    Scenario, ScopedVeto, Source, ValueFunction, Veto,
};

use crate::diagnostic::Diagnostic;
use crate::located::Located;
use crate::raw::{RawCondition, RawPreferences, RawQuantity, RawRole, RawScenario, RawScopedVeto, RawSource, RawVeto};

mod conflict;
mod forecast;
mod issues;
mod levers;
mod uncertain;

pub use conflict::MAX_MONTHS;
pub(crate) use forecast::forecast_file;

/// Most options one issue may have.
pub const MAX_OPTIONS_PER_ISSUE: usize = 100_000;

struct Validator<'a> {
    diagnostics: Vec<Diagnostic>,
    sources: HashMap<&'a str, usize>,
    /// Tuned numbers: their target, where they are, and what they are.
    tuned: Vec<(String, Option<Range<usize>>, String)>,
    /// The text the raw model was read from, to point at a character inside a value.
    text: &'a str,
}

/// Validates a raw scenario. Returns the scenario and its warnings, or every diagnostic
/// (errors first) if there is an error.
pub(crate) fn validate<'a>(
    raw: &'a RawScenario,
    text: &'a str,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut v = Validator { diagnostics: Vec::new(), sources: HashMap::new(), tuned: Vec::new(), text };
    let scenario = v.scenario(raw);
    let (mut errors, warnings): (Vec<_>, Vec<_>) = v.diagnostics.into_iter().partition(Diagnostic::is_error);
    if errors.is_empty() {
        Ok((scenario, warnings))
    } else {
        errors.extend(warnings);
        Err(errors)
    }
}

fn span<T>(l: &Located<T>) -> Option<Range<usize>> {
    l.span.clone()
}

impl Validator<'_> {
    /// The index of the issue `key` names, or an "unknown issue" error at its span.
    fn issue_named(&mut self, key: &Located<String>, issues: &[Issue], ctx: &str) -> Option<usize> {
        let found = issues.iter().position(|x| x.id == key.value);
        if found.is_none() {
            self.push(
                Diagnostic::error("parley::unknown-reference", format!("{ctx}: unknown issue \"{}\"", key.value))
                    .at(span(key), "no such issue")
                    .help(format!("the issues are {}", list(issues.iter().map(|i| &i.id)))),
            );
        }
        found
    }

    /// An "unknown path" error at the span of `path`, suggesting `near` paths.
    fn unknown_path(&mut self, path: &Located<String>, ctx: &str, near: &[String]) {
        let help = if near.is_empty() {
            "`parley sources` lists every path".to_string()
        } else {
            format!("paths under the same prefix: {}", near.join(", "))
        };
        self.push(
            Diagnostic::error("parley::unknown-reference", format!("{ctx}: no number at path \"{}\"", path.value))
                .at(span(path), "unknown path")
                .help(help),
        );
    }
}

/// Up to eight paths of `scenario`'s numbers under the same two-part prefix as `path`, for
/// an "unknown path" diagnostic.
fn paths_near(scenario: &Scenario, path: &str) -> Vec<String> {
    let mut near: Vec<String> = scenario
        .numbers()
        .into_iter()
        .map(|n| n.path)
        .filter(|n| n.split('.').take(2).eq(path.split('.').take(2)))
        .collect();
    near.truncate(8);
    near
}

/// "a" or "an" before `word`.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

fn list(ids: impl Iterator<Item = impl AsRef<str>>) -> String {
    let all: Vec<String> = ids.map(|s| format!("\"{}\"", s.as_ref())).collect();
    if all.len() > 12 { format!("{}, … ({} in all)", all[..12].join(", "), all.len()) } else { all.join(", ") }
}

/// Option ids of numeric issues: the value with at most six decimals, trailing zeros cut.
pub(crate) fn numeric_id(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

impl<'a> Validator<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn scenario(&mut self, raw: &'a RawScenario) -> Scenario {
        let meta = &raw.scenario;
        if meta.id.value.trim().is_empty() {
            self.push(
                Diagnostic::error("parley::empty", "the scenario id is empty")
                    .at(span(&meta.id), "empty id")
                    .help("give the scenario a short identifier, e.g. id = \"my-talks\""),
            );
        } else {
            self.id_rule(&meta.id, "scenario");
        }
        let metadata = Metadata {
            id: meta.id.value.clone(),
            title: meta.title.clone(),
            description: meta.description.clone(),
            as_of: meta.as_of.clone(),
        };

        let sources = self.sources(&raw.sources);

        let mut actors: Vec<Actor> = Vec::new();
        for a in &raw.actors {
            self.declare(&a.id, "actor", actors.iter().map(|x| x.id.as_str()));
            let power = a
                .power
                .as_ref()
                .map(|p| self.quantity(p, &format!("actor \"{}\": power", a.id.value), 0.0, f64::INFINITY));
            actors.push(Actor {
                id: a.id.value.clone(),
                name: a.name.clone(),
                role: match a.role {
                    RawRole::Belligerent => Role::Belligerent,
                    RawRole::Mediator => Role::Mediator,
                    RawRole::Supporter => Role::Supporter,
                    RawRole::Domestic => Role::Domestic,
                    RawRole::Other => Role::Other,
                },
                // A scoped veto is resolved once the issues and the conflict are known.
                veto: if matches!(a.veto, RawVeto::All(true)) { Veto::Full } else { Veto::None },
                power,
            });
        }
        if actors.is_empty() {
            self.push(
                Diagnostic::error("parley::empty", "the scenario has no actors")
                    .help("add [[actors]] entries with id, name, role and veto"),
            );
        }

        let mut issues: Vec<Issue> = Vec::new();
        for i in &raw.issues {
            self.declare(&i.id, "issue", issues.iter().map(|x| x.id.as_str()));
            issues.push(self.issue(i));
        }
        if issues.is_empty() {
            self.push(
                Diagnostic::error("parley::empty", "the scenario has no issues")
                    .help("add [[issues]] entries; the outcome space is the product of their options"),
            );
        }

        let mut preferences: Vec<Option<Preferences>> = vec![None; actors.len()];
        for p in &raw.preferences {
            let Some(actor) = actors.iter().position(|a| a.id == p.actor.value) else {
                self.push(
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!("preferences for unknown actor \"{}\"", p.actor.value),
                    )
                    .at(span(&p.actor), "no such actor")
                    .help(format!("the actors are {}", list(actors.iter().map(|a| &a.id)))),
                );
                continue;
            };
            let prefs = self.preferences(p, &issues);
            if preferences[actor].is_some() {
                self.push(
                    Diagnostic::error(
                        "parley::duplicate-id",
                        format!("actor \"{}\" has a second [[preferences]] entry", p.actor.value),
                    )
                    .at(span(&p.actor), "second entry")
                    .help("merge the two entries into one"),
                );
            }
            preferences[actor] = Some(prefs);
        }
        let mut complete = Vec::with_capacity(actors.len());
        for ((actor, raw_actor), prefs) in actors.iter().zip(&raw.actors).zip(preferences) {
            match prefs {
                Some(p) => complete.push(p),
                None => {
                    self.push(
                        Diagnostic::error(
                            "parley::missing-value",
                            format!("actor \"{}\" has no [[preferences]] entry", actor.id),
                        )
                        .at(span(&raw_actor.id), "declared here")
                        .help(format!("add [[preferences]] with actor = \"{}\" and its reservation value", actor.id)),
                    );
                    complete.push(Preferences {
                        weights: vec![None; issues.len()],
                        values: vec![None; issues.len()],
                        linkages: Vec::new(),
                        red_lines: Vec::new(),
                        reservation: Quantity::bare(0.0),
                        discount: None,
                    });
                }
            }
        }
        // Before levers and expectations: they may name the conflict's numbers and sides.
        let conflict = raw.conflict.as_ref().map(|c| self.conflict(c, &actors, &issues));
        for (a, raw_actor) in raw.actors.iter().enumerate() {
            if let RawVeto::Scoped(scope) = &raw_actor.veto {
                actors[a].veto = self.scoped_veto(scope, &raw_actor.id, &issues, conflict.as_ref(), a);
            }
        }
        let mut scenario = Scenario {
            metadata,
            sources,
            actors,
            issues,
            preferences: complete,
            levers: Vec::new(),
            expectations: Vec::new(),
            conflict,
            uncertain: Vec::new(),
        };
        for l in &raw.lever {
            let lever = self.lever(l, &scenario);
            scenario.levers.push(lever);
        }
        for e in &raw.expect {
            if let Some(expectation) = self.expectation(e, &scenario) {
                scenario.expectations.push(expectation);
            }
        }
        // Last: an uncertain number is looked up in the finished scenario, and so is what a
        // number was tuned to.
        scenario.uncertain = self.uncertain(&raw.uncertain, &scenario);
        self.tuned_targets(&scenario);
        scenario
    }

    /// The `[[sources]]` entries, each id checked for uniqueness and registered for citations.
    fn sources(&mut self, raw: &'a [RawSource]) -> Vec<Source> {
        let mut sources = Vec::new();
        for s in raw {
            if self.declare(&s.id, "source", sources.iter().map(|x: &Source| x.id.as_str())) {
                self.sources.insert(s.id.value.as_str(), sources.len());
            }
            sources.push(Source {
                id: s.id.value.clone(),
                title: s.title.clone(),
                outlet: s.outlet.clone(),
                date: s.date.clone(),
                url: s.url.clone(),
                file: s.file.clone(),
            });
        }
        sources
    }

    /// Checks an id that a file declares (a source, actor, issue, option, lever, …) against
    /// the id rule ([`crate::id`]) and for uniqueness among `seen`; returns whether it is
    /// new. An id that breaks the rule is still registered, so references to it are not
    /// reported as unknown as well.
    fn declare<'s>(&mut self, id: &Located<String>, what: &str, seen: impl Iterator<Item = &'s str>) -> bool {
        if !id.value.trim().is_empty() {
            self.id_rule(id, what);
        }
        self.unique(id, what, seen)
    }

    /// Checks an id against the id rule ([`crate::id`]); reports the character at fault.
    fn id_rule(&mut self, id: &Located<String>, what: &str) -> bool {
        let Err(e) = crate::id::check(&id.value) else { return true };
        let code = if e == crate::id::IdError::Empty { "parley::empty" } else { "parley::id" };
        // Point at the character when the file holds the id as it reads (bare or in plain
        // quotes, without escapes), else at the whole value.
        let written = span(id).and_then(|s| Some((s.start, self.text.get(s)?)));
        let offset = written.and_then(|(start, w)| {
            let quoted = w.len() == id.value.len() + 2
                && (w.starts_with('"') || w.starts_with('\''))
                && w.get(1..w.len() - 1) == Some(id.value.as_str());
            if w == id.value { Some(start) } else { quoted.then_some(start + 1) }
        });
        let (at, label) = match (e.range(&id.value), offset) {
            (Some(r), Some(start)) => {
                let label =
                    if matches!(e, crate::id::IdError::BadStart { .. }) { "not a letter" } else { "not allowed" };
                (Some(start + r.start..start + r.end), label)
            }
            _ => (span(id), if e == crate::id::IdError::Empty { "empty id" } else { "bad id" }),
        };
        let mut help = format!(
            "ids start with a letter and hold only ASCII letters, digits, `_` and `-` (at most {} characters), so they cannot break a path, citation or file name",
            crate::id::MAX_ID_LEN
        );
        if let Some(fixed) = crate::id::suggestion(&id.value) {
            help += &format!("; write \"{fixed}\"");
        }
        self.push(
            Diagnostic::error(code, format!("{what} id \"{}\" {e}", id.value.escape_debug())).at(at, label).help(help),
        );
        false
    }

    /// Reports a duplicate id; returns whether the id is new.
    fn unique<'s>(&mut self, id: &Located<String>, what: &str, mut seen: impl Iterator<Item = &'s str>) -> bool {
        if id.value.trim().is_empty() {
            self.push(
                Diagnostic::error("parley::empty", format!("{} {what} has an empty id", article(what)))
                    .at(span(id), "empty id")
                    .help("ids are short names such as \"rus\" or \"territory\""),
            );
            return false;
        }
        if seen.any(|s| s == id.value) {
            self.push(
                Diagnostic::error("parley::duplicate-id", format!("{what} id \"{}\" is used twice", id.value))
                    .at(span(id), "duplicate")
                    .help(format!("give each {what} its own id")),
            );
            return false;
        }
        true
    }

    /// Checks a number: finite, within `[lo, hi]`, with valid provenance.
    fn quantity(&mut self, q: &Located<RawQuantity>, what: &str, lo: f64, hi: f64) -> Quantity {
        let raw = &q.value;
        if !raw.value.is_finite() {
            self.push(
                Diagnostic::error("parley::not-finite", format!("{what} is {}", raw.value))
                    .at(span(q), "not a finite number")
                    .help("write a finite number"),
            );
        } else if raw.value < lo || raw.value > hi {
            let range = if hi.is_infinite() { format!("at least {lo}") } else { format!("within [{lo}, {hi}]") };
            self.push(
                Diagnostic::error("parley::out-of-range", format!("{what} is {}, but must be {range}", raw.value))
                    .at(span(q), "out of range")
                    .help(format!("use a value {range}")),
            );
        }
        let provenance = self.quantity_provenance(raw, span(q), what);
        Quantity::new(raw.value, provenance)
    }

    /// The provenance of a number: cited, assumed (with an optional cited direction), or
    /// tuned; exactly one. A tuned number's target is resolved once the scenario is built.
    pub(crate) fn quantity_provenance(
        &mut self,
        raw: &RawQuantity,
        at: Option<Range<usize>>,
        what: &str,
    ) -> Provenance {
        let direction = raw.direction.as_ref().and_then(|d| {
            if raw.assumption.is_none() {
                self.push(
                    Diagnostic::error("parley::provenance", format!("{what} gives a direction without an assumption"))
                        .at(at.clone(), "direction of what?")
                        .help("`direction` cites the passage behind an assumed number's direction: add `assumption = \"...\"` for its size, or cite the passage as `source` if it states the number"),
                );
                None
            } else {
                self.citation(d, at.clone(), &format!("{what}: direction"))
            }
        });
        let Some(tuned) = &raw.tuned else {
            return match self.number_provenance(&raw.source, &raw.assumption, at, what) {
                Provenance::Assumption { reason, .. } => Provenance::Assumption { reason, direction },
                other => other,
            };
        };
        if raw.source.is_some() || raw.assumption.is_some() {
            self.push(
                Diagnostic::error("parley::provenance", format!("{what} is tuned and also cited or assumed"))
                    .at(at, "tuned and sourced")
                    .help("a number is cited (source), assumed (assumption) or tuned (tuned), one of the three; put extra remarks in `note`"),
            );
            return Provenance::Unstated;
        }
        if tuned.to.trim().is_empty() || tuned.note.trim().is_empty() {
            self.push(
                Diagnostic::error("parley::provenance", format!("{what}: `tuned` needs a target and a note"))
                    .at(at, "empty tuned")
                    .help("tuned = { to = \"<expectation id, observed series or number path>\", note = \"how it was chosen\" }"),
            );
            return Provenance::Unstated;
        }
        self.tuned.push((tuned.to.clone(), at, what.to_string()));
        Provenance::Tuned { to: tuned.to.clone(), note: tuned.note.clone() }
    }

    /// Checks that every tuned number names an expectation, an observed series (an
    /// `[[conflict.observed]]` id or column, or a calibration series) or a number.
    fn tuned_targets(&mut self, scenario: &Scenario) {
        let numbers: Vec<String> = scenario.numbers().into_iter().map(|n| n.path).collect();
        let mut series: Vec<String> = Vec::new();
        if let Some(c) = &scenario.conflict {
            for o in &c.observed {
                series.push(o.id.clone());
                series.extend(o.column.clone());
            }
            if let Some(cal) = &c.calibration {
                series.extend(cal.series.iter().map(|(column, _)| column.clone()));
            }
        }
        for (to, at, what) in std::mem::take(&mut self.tuned) {
            let known =
                scenario.expectations.iter().any(|e| e.id == to) || series.contains(&to) || numbers.contains(&to);
            if !known {
                let ids: Vec<&str> = scenario
                    .expectations
                    .iter()
                    .map(|e| e.id.as_str())
                    .chain(series.iter().map(String::as_str))
                    .collect();
                self.push(
                    Diagnostic::error("parley::unknown-reference", format!("{what}: tuned to unknown \"{to}\""))
                        .at(at, "unknown target")
                        .help(if ids.is_empty() {
                            "name an expectation id, an observed series or a number path".to_string()
                        } else {
                            format!("name an expectation id, an observed series or a number path; the expectations and series are {}", list(ids.iter()))
                        }),
                );
            }
        }
    }

    /// The provenance of a number (or a series of numbers): a citation checked against the
    /// sources, or a non-empty assumption, not both.
    fn number_provenance(
        &mut self,
        source: &Option<String>,
        assumption: &Option<String>,
        at: Option<Range<usize>>,
        what: &str,
    ) -> Provenance {
        match (source, assumption) {
            (Some(_), Some(_)) => {
                self.push(
                    Diagnostic::error("parley::provenance", format!("{what} gives both a source and an assumption"))
                        .at(at, "both given")
                        .help("a number is either cited (source) or assumed (assumption); put extra remarks in `note`"),
                );
                Provenance::Unstated
            }
            (Some(source), None) => match self.citation(source, at, what) {
                Some(citation) => Provenance::Cited { citation },
                None => Provenance::Unstated,
            },
            (None, Some(reason)) => {
                if reason.trim().is_empty() {
                    self.push(
                        Diagnostic::error("parley::provenance", format!("{what} has an empty assumption"))
                            .at(at, "empty reason")
                            .help("say why the value was chosen"),
                    );
                }
                Provenance::Assumption { reason: reason.clone(), direction: None }
            }
            (None, None) => Provenance::Unstated,
        }
    }

    /// Checks a discount factor: a number as [`Validator::quantity`] checks it, within (0, 1].
    fn discount(&mut self, q: &Located<RawQuantity>, what: &str) -> Quantity {
        let quantity = self.quantity(q, what, f64::NEG_INFINITY, f64::INFINITY);
        let v = quantity.value;
        if v.is_finite() && !(v > 0.0 && v <= 1.0) {
            self.push(
                Diagnostic::error("parley::out-of-range", format!("{what} is {v}, but must be within (0, 1]"))
                    .at(span(q), "out of range")
                    .help("an agreement at normalised time t is worth u·δ^t; use 0 < δ ≤ 1, or omit `discount` for no discounting"),
            );
        }
        quantity
    }

    /// Parses and checks a citation `ID` or `ID#paragraph`.
    fn citation(&mut self, text: &str, at: Option<Range<usize>>, what: &str) -> Option<Citation> {
        let (id, paragraph) = match text.split_once('#') {
            None => (text, None),
            Some((id, p)) => match p.parse::<u32>() {
                Ok(n) if n >= 1 => (id, Some(n)),
                _ => {
                    self.push(
                        Diagnostic::error(
                            "parley::provenance",
                            format!("{what}: citation \"{text}\" has a bad paragraph number"),
                        )
                        .at(at, "bad citation")
                        .help("cite as \"source-id#12\": paragraphs count non-empty lines from 1"),
                    );
                    return None;
                }
            },
        };
        if !self.sources.contains_key(id) {
            let known = if self.sources.is_empty() {
                "the scenario declares no [[sources]]".to_string()
            } else {
                let mut ids: Vec<&str> = self.sources.keys().copied().collect();
                ids.sort_unstable();
                format!("the sources are {}", list(ids.iter()))
            };
            self.push(
                Diagnostic::error("parley::unknown-reference", format!("{what} cites unknown source \"{id}\""))
                    .at(at, "no such source")
                    .help(format!("declare it under [[sources]]; {known}")),
            );
            return None;
        }
        Some(Citation { source: id.to_string(), paragraph })
    }

    fn forbid<T>(&mut self, field: &Option<Located<T>>, name: &str, context: &str, help: &str) {
        if let Some(f) = field {
            self.push(
                Diagnostic::error("parley::field-kind", format!("{context}: `{name}` does not apply here"))
                    .at(span(f), "not used by this kind")
                    .help(help.to_string()),
            );
        }
    }

    fn require<'q>(
        &mut self,
        field: &'q Option<Located<RawQuantity>>,
        name: &str,
        context: &str,
        at: Option<Range<usize>>,
    ) -> Option<&'q Located<RawQuantity>> {
        if field.is_none() {
            self.push(
                Diagnostic::error("parley::field-kind", format!("{context}: `{name}` is required"))
                    .at(at, "declared here")
                    .help(format!("add `{name} = ...`")),
            );
        }
        field.as_ref()
    }

    fn preferences(&mut self, p: &RawPreferences, issues: &[Issue]) -> Preferences {
        let who = format!("actor \"{}\"", p.actor.value);
        let reservation = self.quantity(&p.reservation, &format!("{who}: reservation value"), 0.0, 1.0);
        let discount = p.discount.as_ref().map(|q| self.discount(q, &format!("{who}: discount factor")));
        let issue_help = || format!("the issues are {}", list(issues.iter().map(|i| &i.id)));

        let mut weights: Vec<Option<Quantity>> = vec![None; issues.len()];
        let mut first_weight_span: Option<Range<usize>> = None;
        for (key, w) in &p.weights.0 {
            // Table order is not file order for every parser; point at the earliest key.
            first_weight_span = match (first_weight_span, span(key)) {
                (Some(a), Some(b)) => Some(if b.start < a.start { b } else { a }),
                (a, b) => a.or(b),
            };
            let Some(i) = issues.iter().position(|x| x.id == key.value) else {
                self.push(
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!("{who} weighs unknown issue \"{}\"", key.value),
                    )
                    .at(span(key), "no such issue")
                    .help(issue_help()),
                );
                continue;
            };
            if weights[i].is_some() {
                self.push(
                    Diagnostic::error("parley::duplicate-id", format!("{who} weighs issue \"{}\" twice", key.value))
                        .at(span(key), "second weight")
                        .help("keep one weight per issue"),
                );
            }
            weights[i] = Some(self.quantity(w, &format!("{who}: weight of \"{}\"", key.value), 0.0, f64::INFINITY));
        }
        let sum: f64 = weights.iter().flatten().map(|q| q.value).sum();
        if p.weights.0.is_empty() || sum == 0.0 {
            self.push(
                Diagnostic::warning(
                    "parley::weights",
                    format!("{who} weighs no issue, so its utility is 0 for every outcome"),
                )
                .at(span(&p.actor), "no weights")
                .help("add [preferences.weights] unless the actor truly cares about none of the issues"),
            );
        } else if sum.is_finite() && (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
            self.push(
                Diagnostic::warning(
                    "parley::weights",
                    format!("{who}: weights sum to {sum}; they are rescaled to sum to 1"),
                )
                .at(first_weight_span, "weights start here")
                .help("weights are relative importances; write them to sum to 1 to silence this warning"),
            );
        }

        let mut values: Vec<Option<ValueFunction>> = vec![None; issues.len()];
        // Issues with values written down, valid or not (so a bad table is not also
        // reported as missing).
        let mut given = vec![false; issues.len()];
        for (key, vf) in &p.values.0 {
            let Some(i) = issues.iter().position(|x| x.id == key.value) else {
                self.push(
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!("{who} gives values for unknown issue \"{}\"", key.value),
                    )
                    .at(span(key), "no such issue")
                    .help(issue_help()),
                );
                continue;
            };
            if given[i] {
                self.push(
                    Diagnostic::error(
                        "parley::duplicate-id",
                        format!("{who} gives values for issue \"{}\" twice", key.value),
                    )
                    .at(span(key), "second entry")
                    .help("keep one value function per issue"),
                );
            }
            if weights[i].as_ref().is_none_or(|w| w.value == 0.0) {
                self.push(
                    Diagnostic::warning(
                        "parley::no-effect",
                        format!("{who} gives values for issue \"{}\" but no weight, so they change nothing", key.value),
                    )
                    .at(span(key), "unweighted issue")
                    .help(format!("add a weight for \"{}\" or remove these values", key.value)),
                );
            }
            given[i] = true;
            values[i] = self.value_function(vf, &issues[i], &who);
        }
        for (i, issue) in issues.iter().enumerate() {
            if weights[i].as_ref().is_some_and(|w| w.value > 0.0) && !given[i] {
                let at = p.weights.0.iter().find(|(k, _)| k.value == issue.id).and_then(|(k, _)| span(k));
                self.push(
                    Diagnostic::error(
                        "parley::missing-value",
                        format!("{who} weighs issue \"{}\" but gives no values for its options", issue.id),
                    )
                    .at(at, "weighted here")
                    .help(format!("add [preferences.values.{}] with a value in [0, 1] for each option", issue.id)),
                );
            }
        }

        let mut linkages: Vec<Linkage> = Vec::new();
        for l in &p.linkages {
            self.declare(&l.id, &format!("linkage of {who}:"), linkages.iter().map(|x| x.id.as_str()));
            let ctx = format!("{who}: linkage \"{}\"", l.id.value);
            let when = self.condition(&l.when, issues, &ctx);
            let delta = self.quantity(&l.delta, &format!("{ctx}: delta"), -1.0, 1.0);
            linkages.push(Linkage { id: l.id.value.clone(), when, delta });
        }
        let mut red_lines: Vec<RedLine> = Vec::new();
        for r in &p.red_lines {
            self.declare(&r.id, &format!("red line of {who}:"), red_lines.iter().map(|x| x.id.as_str()));
            let ctx = format!("{who}: red line \"{}\"", r.id.value);
            let when = self.condition(&r.when, issues, &ctx);
            let source = r.source.as_ref().and_then(|s| self.citation(s, span(&r.id), &ctx));
            red_lines.push(RedLine { id: r.id.value.clone(), when, reason: r.reason.clone(), source });
        }
        Preferences { weights, values, linkages, red_lines, reservation, discount }
    }

    /// A scoped veto of actor `actor` (declared at `id`): its issues need an option without a
    /// deal in `conflict`, and a belligerent cannot hold one.
    fn scoped_veto(
        &mut self,
        scope: &RawScopedVeto,
        id: &Located<String>,
        issues: &[Issue],
        conflict: Option<&Conflict>,
        actor: usize,
    ) -> Veto {
        let ctx = format!("actor \"{}\": veto", id.value);
        if conflict.is_some_and(|c| c.sides.iter().any(|s| s.actor == actor)) {
            self.push(
                Diagnostic::error(
                    "parley::conflict",
                    format!("{ctx}: a belligerent's consent is needed for every deal that ends its war"),
                )
                .at(span(id), "a side of [conflict]")
                .help("set veto = true for the belligerent"),
            );
        }
        if scope.issues.is_empty() && scope.when.is_empty() {
            self.push(
                Diagnostic::error("parley::empty", format!("{ctx}: the scoped veto names no package"))
                    .at(span(id), "this actor")
                    .help("list `issues = [...]` or `when = [{ issue = \"option\" }]`, or set veto = false"),
            );
        }
        let mut resolved = Vec::new();
        for key in &scope.issues {
            let Some(i) = self.issue_named(key, issues, &ctx) else { continue };
            let no_deal = conflict.and_then(|c| c.no_deal.iter().find(|(issue, _)| *issue == issues[i].id));
            if no_deal.is_none() {
                self.push(
                    Diagnostic::error(
                        "parley::missing-value",
                        format!("{ctx}: issue \"{}\" has no option without a deal", key.value),
                    )
                    .at(span(key), "no [conflict] no_deal option")
                    .help(format!(
                        "name the issue's option without a deal in [conflict] no_deal, or list the options that need consent: when = [{{ {} = [...] }}]",
                        key.value
                    )),
                );
            }
            if resolved.contains(&i) {
                self.push(
                    Diagnostic::error(
                        "parley::duplicate-id",
                        format!("{ctx}: issue \"{}\" is listed twice", key.value),
                    )
                    .at(span(key), "second time"),
                );
                continue;
            }
            resolved.push(i);
        }
        let when = scope.when.iter().map(|w| self.condition(w, issues, &ctx)).collect();
        let source = scope.source.as_ref().and_then(|s| self.citation(s, span(id), &ctx));
        Veto::Scoped(ScopedVeto { issues: resolved, when, reason: scope.reason.clone(), source })
    }

    fn condition(&mut self, when: &Located<RawCondition>, issues: &[Issue], ctx: &str) -> Condition {
        let mut terms: Vec<(usize, Vec<usize>)> = Vec::new();
        if when.value.0.is_empty() {
            self.push(
                Diagnostic::error("parley::empty", format!("{ctx}: the condition is empty"))
                    .at(span(when), "empty")
                    .help("name at least one issue and option: when = { territory = \"freeze\" }"),
            );
        }
        for (key, options) in &when.value.0 {
            let Some(i) = self.issue_named(key, issues, ctx) else { continue };
            if terms.iter().any(|(t, _)| *t == i) {
                self.push(
                    Diagnostic::error("parley::duplicate-id", format!("{ctx}: issue \"{}\" appears twice", key.value))
                        .at(span(key), "second term")
                        .help("list all allowed options of an issue in one term: issue = [\"a\", \"b\"]"),
                );
                continue;
            }
            if options.value.0.is_empty() {
                self.push(
                    Diagnostic::error("parley::empty", format!("{ctx}: no option listed for issue \"{}\"", key.value))
                        .at(span(options), "empty list")
                        .help("list at least one option"),
                );
            }
            let mut resolved = Vec::new();
            for o in &options.value.0 {
                match issues[i].option_index(o) {
                    Some(idx) => {
                        if !resolved.contains(&idx) {
                            resolved.push(idx);
                        }
                    }
                    None => self.push(
                        Diagnostic::error(
                            "parley::unknown-reference",
                            format!("{ctx}: issue \"{}\" has no option \"{o}\"", key.value),
                        )
                        .at(span(options), "unknown option")
                        .help(format!(
                            "the options of \"{}\" are {}",
                            key.value,
                            list(issues[i].options.iter().map(|o| &o.id))
                        )),
                    ),
                }
            }
            terms.push((i, resolved));
        }
        Condition { terms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_numeric_id() {
        assert_eq!(numeric_id(0.30000000000000004), "0.3");
        assert_eq!(numeric_id(50000.0), "50000");
        assert_eq!(numeric_id(-0.0), "0");
        assert_eq!(numeric_id(2.5), "2.5");
    }
}
