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
//! | `parley::duplicate-id` | ids are unique (sources, actors, issues, options, per-actor linkages and red lines; one preferences entry per actor) |
//! | `parley::unknown-reference` | every actor, issue, option and source referred to exists |
//! | `parley::not-finite` | no NaN or infinity |
//! | `parley::out-of-range` | values, reservation values in [0, 1]; discount factors in (0, 1]; weights and power ≥ 0; linkage deltas in [-1, 1] |
//! | `parley::field-kind` | fields that do not apply to an issue kind or value function are errors, required ones must be present |
//! | `parley::missing-value` | every option of a weighted issue has a value |
//! | `parley::provenance` | a number gives a source or an assumption, not both; citations read `ID` or `ID#paragraph` |
//! | `parley::weights` (warning) | weights that do not sum to 1 are rescaled; an actor that weighs nothing has utility 0 everywhere |
//! | `parley::no-effect` (warning) | values given for an issue the actor does not weigh change nothing |
//!
//! Levers must name existing numbers, issues, options and rules; expectations must name
//! existing actors and levers, give exactly the fields their check kind takes, and cite a
//! source or state an assumption.

use std::collections::HashMap;
use std::ops::Range;

use parley_core::preferences::WEIGHT_SUM_TOLERANCE;
use parley_core::{
    Actor, Change, Check, Citation, Condition, Dispute, Expectation, Issue, IssueKind, IssueOption, Lever, Linkage,
    Metadata, Preferences, Provenance, Quantity, RedLine, Role, Scenario, Source, ValueFunction,
};

use crate::diagnostic::Diagnostic;
use crate::located::Located;
use crate::raw::{
    RawCheckKind, RawCondition, RawExpectation, RawFunction, RawIssue, RawIssueKind, RawLever, RawPreferences,
    RawQuantity, RawRole, RawScenario, RawValueFunction,
};

/// Most options one issue may have.
pub const MAX_OPTIONS_PER_ISSUE: usize = 100_000;

struct Validator<'a> {
    diagnostics: Vec<Diagnostic>,
    sources: HashMap<&'a str, usize>,
}

/// Validates a raw scenario. Returns the scenario and its warnings, or every diagnostic
/// (errors first) if there is an error.
pub(crate) fn validate(raw: &RawScenario) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut v = Validator { diagnostics: Vec::new(), sources: HashMap::new() };
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
        }
        let metadata = Metadata {
            id: meta.id.value.clone(),
            title: meta.title.clone(),
            description: meta.description.clone(),
            as_of: meta.as_of.clone(),
        };

        let mut sources = Vec::new();
        for s in &raw.sources {
            if self.unique(&s.id, "source", sources.iter().map(|x: &Source| x.id.as_str())) {
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

        let mut actors: Vec<Actor> = Vec::new();
        for a in &raw.actors {
            self.unique(&a.id, "actor", actors.iter().map(|x| x.id.as_str()));
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
                veto: a.veto,
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
            self.unique(&i.id, "issue", issues.iter().map(|x| x.id.as_str()));
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
        let mut scenario = Scenario {
            metadata,
            sources,
            actors,
            issues,
            preferences: complete,
            levers: Vec::new(),
            expectations: Vec::new(),
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
        scenario
    }

    /// Provenance of a lever or expectation: a citation or an assumption, not both.
    fn provenance(
        &mut self,
        source: &Option<Located<String>>,
        assumption: &Option<String>,
        ctx: &str,
        at: Option<Range<usize>>,
    ) -> Provenance {
        match (source, assumption) {
            (Some(s), None) => match self.citation(&s.value, span(s), ctx) {
                Some(citation) => Provenance::Cited { citation },
                None => Provenance::Unstated,
            },
            (None, Some(a)) => Provenance::Assumption { reason: a.clone() },
            (None, None) => Provenance::Unstated,
            (Some(s), Some(_)) => {
                self.push(
                    Diagnostic::error("parley::provenance", format!("{ctx} gives both a source and an assumption"))
                        .at(span(s).or(at), "both given")
                        .help("cite the passage (source) or state the assumption, not both"),
                );
                Provenance::Unstated
            }
        }
    }

    fn lever(&mut self, l: &RawLever, scenario: &Scenario) -> Lever {
        let ctx = format!("lever \"{}\"", l.id.value);
        self.unique(&l.id, "lever", scenario.levers.iter().map(|x| x.id.as_str()));
        let provenance = self.provenance(&l.source, &l.assumption, &ctx, span(&l.id));
        let mut changes = Vec::new();
        let mut probe = scenario.clone();
        for (path, q) in &l.set.0 {
            let p = path.value.as_str();
            let (lo, hi) = if p.ends_with(".reservation") || p.contains(".values.") && !p.contains("issues.") {
                (0.0, 1.0)
            } else if p.contains(".weights.") || p.ends_with(".power") {
                (0.0, f64::INFINITY)
            } else if p.contains(".linkages.") {
                (-1.0, 1.0)
            } else {
                (f64::NEG_INFINITY, f64::INFINITY)
            };
            let quantity = if p.ends_with(".discount") && p.starts_with("preferences.") {
                self.discount(q, &format!("{ctx}: {p}"))
            } else {
                self.quantity(q, &format!("{ctx}: {p}"), lo, hi)
            };
            if probe.quantity_mut(p).is_none() {
                let mut near: Vec<String> = scenario
                    .numbers()
                    .into_iter()
                    .map(|n| n.path)
                    .filter(|n| n.split('.').take(2).eq(p.split('.').take(2)))
                    .collect();
                near.truncate(8);
                let help = if near.is_empty() {
                    "`parley sources` lists every path".to_string()
                } else {
                    format!("paths under the same prefix: {}", near.join(", "))
                };
                self.push(
                    Diagnostic::error("parley::unknown-reference", format!("{ctx}: no number at path \"{p}\""))
                        .at(span(path), "unknown path")
                        .help(help),
                );
                continue;
            }
            changes.push(Change::Set { path: p.to_string(), quantity });
        }
        if let Some(fix) = &l.fix {
            let keep = self.condition(fix, &scenario.issues, &ctx);
            changes.push(Change::Fix { keep });
        }
        for d in &l.drop {
            let parts: Vec<&str> = d.value.split('.').collect();
            let exists = match parts.as_slice() {
                ["preferences", actor, kind, id] => scenario.actor_index(actor).is_some_and(|a| {
                    let p = &scenario.preferences[a];
                    match *kind {
                        "red_lines" => p.red_lines.iter().any(|r| r.id == *id),
                        "linkages" => p.linkages.iter().any(|r| r.id == *id),
                        _ => false,
                    }
                }),
                _ => false,
            };
            if exists {
                changes.push(Change::Drop { path: d.value.clone() });
            } else {
                self.push(
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!("{ctx}: no red line or linkage \"{}\"", d.value),
                    )
                    .at(span(d), "unknown rule")
                    .help("write preferences.ACTOR.red_lines.ID or preferences.ACTOR.linkages.ID"),
                );
            }
        }
        // Later sets in the same lever see earlier ones; fixing happens on the copy too.
        for c in &changes {
            if let Change::Set { path, quantity } = c
                && let Some(q) = probe.quantity_mut(path)
            {
                *q = quantity.clone();
            }
        }
        Lever { id: l.id.value.clone(), name: l.name.clone(), description: l.description.clone(), provenance, changes }
    }

    fn actor_ref(&mut self, a: &Located<String>, scenario: &Scenario, ctx: &str) -> Option<usize> {
        let found = scenario.actor_index(&a.value);
        if found.is_none() {
            self.push(
                Diagnostic::error("parley::unknown-reference", format!("{ctx}: unknown actor \"{}\"", a.value))
                    .at(span(a), "no such actor")
                    .help(format!("the actors are {}", list(scenario.actors.iter().map(|x| &x.id)))),
            );
        }
        found
    }

    fn expectation(&mut self, e: &RawExpectation, scenario: &Scenario) -> Option<Expectation> {
        let ctx = format!("expectation \"{}\"", e.id.value);
        self.unique(&e.id, "expectation", scenario.expectations.iter().map(|x| x.id.as_str()));
        let provenance = self.provenance(&e.source, &e.assumption, &ctx, span(&e.id));
        if provenance == Provenance::Unstated && e.source.is_none() {
            self.push(
                Diagnostic::error(
                    "parley::provenance",
                    format!("{ctx} neither cites a source nor states an assumption"),
                )
                .at(span(&e.id), "no provenance")
                .help("add source = \"id#paragraph\" for the passage making the claim, or assumption = \"...\""),
            );
        }
        let disputed_by = e
            .disputed_by
            .iter()
            .filter_map(|d| {
                let citation = self.citation(&d.source.value, span(&d.source), &format!("{ctx}: disputed_by"))?;
                Some(Dispute { citation, note: d.note.clone() })
            })
            .collect();
        for l in &e.levers {
            if scenario.lever(&l.value).is_none() {
                self.push(
                    Diagnostic::error("parley::unknown-reference", format!("{ctx}: unknown lever \"{}\"", l.value))
                        .at(span(l), "no such lever")
                        .help(format!("the levers are {}", list(scenario.levers.iter().map(|x| &x.id)))),
                );
            }
        }
        use RawCheckKind as K;
        let kind = e.check.value;
        let needs: &[&str] = match kind {
            K::Accepts | K::Rejects => &["actor", "given"],
            K::ZoneExists | K::NoZone => &[],
            K::ZoneOnly => &["given"],
            K::Favours => &["actor", "other", "given"],
            K::Prefers => &["actor", "given", "versus"],
            K::LinkageEases => &["actor", "given", "versus", "with", "without"],
        };
        let optional: &[&str] = if matches!(kind, K::ZoneExists | K::NoZone) { &["given"] } else { &[] };
        let fields: [(&str, Option<Option<Range<usize>>>); 6] = [
            ("actor", e.actor.as_ref().map(span)),
            ("other", e.other.as_ref().map(span)),
            ("given", e.given.as_ref().map(span)),
            ("versus", e.versus.as_ref().map(span)),
            ("with", e.with.as_ref().map(span)),
            ("without", e.without.as_ref().map(span)),
        ];
        let kind_name = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let mut complete = true;
        for (name, present) in fields {
            let needed = needs.contains(&name);
            match present {
                None if needed => {
                    complete = false;
                    self.push(
                        Diagnostic::error("parley::field-kind", format!("{ctx}: check \"{kind_name}\" needs `{name}`"))
                            .at(span(&e.check), "this check")
                            .help(format!("check \"{kind_name}\" takes {}", needs.join(", "))),
                    );
                }
                Some(at) if !needed && !optional.contains(&name) => {
                    complete = false;
                    self.push(
                        Diagnostic::error(
                            "parley::field-kind",
                            format!("{ctx}: `{name}` does not apply to check \"{kind_name}\""),
                        )
                        .at(at, "not used by this check")
                        .help(if needs.is_empty() {
                            "this check takes only an optional `given`".to_string()
                        } else {
                            format!("check \"{kind_name}\" takes {}", needs.join(", "))
                        }),
                    );
                }
                _ => {}
            }
        }
        let issues = &scenario.issues;
        let cond = |c: &Option<Located<RawCondition>>, s: &mut Self| {
            c.as_ref().map(|c| s.condition(c, issues, &ctx)).unwrap_or_default()
        };
        let actor = e.actor.as_ref().and_then(|a| self.actor_ref(a, scenario, &ctx));
        let other = e.other.as_ref().and_then(|a| self.actor_ref(a, scenario, &ctx));
        let given = cond(&e.given, self);
        let versus = cond(&e.versus, self);
        let with = cond(&e.with, self);
        let without = cond(&e.without, self);
        if !complete {
            return None;
        }
        let check = match kind {
            K::Accepts => Check::Accepts { actor: actor?, given },
            K::Rejects => Check::Rejects { actor: actor?, given },
            K::ZoneExists => Check::ZoneExists { given },
            K::NoZone => Check::NoZone { given },
            K::ZoneOnly => Check::ZoneOnly { given },
            K::Favours => Check::Favours { actor: actor?, other: other?, given },
            K::Prefers => Check::Prefers { actor: actor?, given, versus },
            K::LinkageEases => Check::LinkageEases { actor: actor?, given, versus, with, without },
        };
        Some(Expectation {
            id: e.id.value.clone(),
            claim: e.claim.clone(),
            provenance,
            disputed_by,
            levers: e.levers.iter().map(|l| l.value.clone()).collect(),
            check,
        })
    }

    /// Reports a duplicate id; returns whether the id is new.
    fn unique<'s>(&mut self, id: &Located<String>, what: &str, mut seen: impl Iterator<Item = &'s str>) -> bool {
        if id.value.trim().is_empty() {
            self.push(
                Diagnostic::error("parley::empty", format!("a {what} has an empty id"))
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
        let provenance = match (&raw.source, &raw.assumption) {
            (Some(_), Some(_)) => {
                self.push(
                    Diagnostic::error("parley::provenance", format!("{what} gives both a source and an assumption"))
                        .at(span(q), "both given")
                        .help("a number is either cited (source) or assumed (assumption); put extra remarks in `note`"),
                );
                Provenance::Unstated
            }
            (Some(source), None) => match self.citation(source, span(q), what) {
                Some(citation) => Provenance::Cited { citation },
                None => Provenance::Unstated,
            },
            (None, Some(reason)) => {
                if reason.trim().is_empty() {
                    self.push(
                        Diagnostic::error("parley::provenance", format!("{what} has an empty assumption"))
                            .at(span(q), "empty reason")
                            .help("say why the value was chosen"),
                    );
                }
                Provenance::Assumption { reason: reason.clone() }
            }
            (None, None) => Provenance::Unstated,
        };
        Quantity { value: raw.value, provenance }
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

    fn issue(&mut self, i: &RawIssue) -> Issue {
        let ctx = format!("issue \"{}\"", i.id.value);
        let kind_help = "categorical issues list `options` (and may set `ordered`); integer issues take `min`, `max`, `step`, `unit`; real issues take `min`, `max`, `steps`, `unit`";
        let mut options = Vec::new();
        let kind = match i.kind.value {
            RawIssueKind::Categorical => {
                self.forbid(&i.min, "min", &ctx, kind_help);
                self.forbid(&i.max, "max", &ctx, kind_help);
                self.forbid(&i.step, "step", &ctx, kind_help);
                self.forbid(&i.steps, "steps", &ctx, kind_help);
                if i.unit.is_some() {
                    self.push(
                        Diagnostic::error(
                            "parley::field-kind",
                            format!("{ctx}: `unit` does not apply to a categorical issue"),
                        )
                        .at(span(&i.kind), "categorical")
                        .help(kind_help),
                    );
                }
                match &i.options {
                    None => self.push(
                        Diagnostic::error("parley::empty", format!("{ctx} has no options"))
                            .at(span(&i.id), "declared here")
                            .help("list the options: options = [{ id = \"a\", label = \"...\" }, ...]"),
                    ),
                    Some(list_) if list_.value.is_empty() => self.push(
                        Diagnostic::error("parley::empty", format!("{ctx} has no options"))
                            .at(span(list_), "empty list")
                            .help("an issue needs at least one option"),
                    ),
                    Some(list_) => {
                        for o in &list_.value {
                            self.unique(
                                &o.id,
                                &format!("option of {ctx}:"),
                                options.iter().map(|x: &IssueOption| x.id.as_str()),
                            );
                            options.push(IssueOption {
                                id: o.id.value.clone(),
                                label: o.label.clone().unwrap_or_else(|| o.id.value.clone()),
                                value: None,
                            });
                        }
                    }
                }
                IssueKind::Categorical { ordered: i.ordered.unwrap_or(false) }
            }
            RawIssueKind::Integer | RawIssueKind::Real => {
                self.forbid(&i.options, "options", &ctx, kind_help);
                if i.ordered.is_some() {
                    self.push(
                        Diagnostic::error(
                            "parley::field-kind",
                            format!("{ctx}: `ordered` applies only to categorical issues"),
                        )
                        .at(span(&i.kind), "numeric issues are always ordered")
                        .help("remove `ordered`"),
                    );
                }
                let is_integer = i.kind.value == RawIssueKind::Integer;
                if is_integer {
                    self.forbid(&i.steps, "steps", &ctx, kind_help);
                } else {
                    self.forbid(&i.step, "step", &ctx, kind_help);
                }
                let min = self
                    .require(&i.min, "min", &ctx, span(&i.kind))
                    .map(|q| self.quantity(q, &format!("{ctx}: min"), f64::NEG_INFINITY, f64::INFINITY));
                let max = self
                    .require(&i.max, "max", &ctx, span(&i.kind))
                    .map(|q| self.quantity(q, &format!("{ctx}: max"), f64::NEG_INFINITY, f64::INFINITY));
                let unit = i.unit.clone();
                let (Some(min), Some(max)) = (min, max) else {
                    return Issue {
                        id: i.id.value.clone(),
                        name: i.name.clone(),
                        kind: IssueKind::Categorical { ordered: true },
                        options,
                    };
                };
                if max.value < min.value {
                    self.push(
                        Diagnostic::error(
                            "parley::empty",
                            format!("{ctx}: the range is empty (min {} > max {})", min.value, max.value),
                        )
                        .at(i.max.as_ref().and_then(span), "below min")
                        .help("make max at least min"),
                    );
                }
                let label = |x: f64| match &unit {
                    Some(u) => format!("{} {u}", numeric_id(x)),
                    None => numeric_id(x),
                };
                if is_integer {
                    let step = match &i.step {
                        Some(s) => self.quantity(s, &format!("{ctx}: step"), f64::MIN_POSITIVE, f64::INFINITY),
                        None => Quantity::assumed(1.0, "default step of an integer issue"),
                    };
                    for (name, q, field) in [("min", &min, &i.min), ("max", &max, &i.max), ("step", &step, &i.step)] {
                        if q.value.is_finite() && q.value.fract() != 0.0 {
                            self.push(
                                Diagnostic::error(
                                    "parley::out-of-range",
                                    format!("{ctx}: {name} {} is not a whole number", q.value),
                                )
                                .at(field.as_ref().and_then(span), "not whole")
                                .help("integer issues take whole numbers; use kind = \"real\" for fractions"),
                            );
                        }
                    }
                    let count = if step.value > 0.0 && max.value >= min.value {
                        ((max.value - min.value) / step.value).floor() + 1.0
                    } else {
                        0.0
                    };
                    if count.is_finite() && count >= 1.0 && count <= MAX_OPTIONS_PER_ISSUE as f64 {
                        let count = count as usize;
                        let last = min.value + (count - 1) as f64 * step.value;
                        if (last - max.value).abs() > 1e-9 {
                            self.push(
                                Diagnostic::error(
                                    "parley::out-of-range",
                                    format!(
                                        "{ctx}: the range {}..{} is not a whole number of steps of {}",
                                        min.value, max.value, step.value
                                    ),
                                )
                                .at(i.step.as_ref().and_then(span).or(span(&i.kind)), "step")
                                .help(format!("end the range at {last} or choose a step that divides it")),
                            );
                        }
                        options = (0..count)
                            .map(|k| min.value + k as f64 * step.value)
                            .map(|x| IssueOption { id: numeric_id(x), label: label(x), value: Some(x) })
                            .collect();
                    } else if count > MAX_OPTIONS_PER_ISSUE as f64 {
                        self.push(
                            Diagnostic::error(
                                "parley::out-of-range",
                                format!("{ctx} would have {count} options, more than {MAX_OPTIONS_PER_ISSUE}"),
                            )
                            .at(span(&i.kind), "too many options")
                            .help("use a larger step"),
                        );
                    }
                    IssueKind::Integer { min, max, step, unit }
                } else {
                    let steps = match &i.steps {
                        Some(s) if s.value >= 2 && s.value as usize <= MAX_OPTIONS_PER_ISSUE => s.value,
                        Some(s) => {
                            self.push(
                                Diagnostic::error(
                                    "parley::out-of-range",
                                    format!(
                                        "{ctx}: steps is {}, but must be within [2, {MAX_OPTIONS_PER_ISSUE}]",
                                        s.value
                                    ),
                                )
                                .at(span(s), "out of range")
                                .help("a real issue is discretised into at least 2 options (both ends)"),
                            );
                            2
                        }
                        None => {
                            self.push(
                                Diagnostic::error("parley::field-kind", format!("{ctx}: `steps` is required"))
                                    .at(span(&i.kind), "real issue")
                                    .help("add `steps = N`: the number of evenly spaced options, both ends included"),
                            );
                            2
                        }
                    };
                    let width = max.value - min.value;
                    options = (0..steps)
                        .map(|k| min.value + width * f64::from(k) / f64::from(steps - 1))
                        .map(|x| IssueOption { id: numeric_id(x), label: label(x), value: Some(x) })
                        .collect();
                    if width == 0.0 {
                        options.truncate(1);
                    }
                    IssueKind::Real { min, max, steps, unit }
                }
            }
        };
        Issue { id: i.id.value.clone(), name: i.name.clone(), kind, options }
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
            self.unique(&l.id, &format!("linkage of {who}:"), linkages.iter().map(|x| x.id.as_str()));
            let ctx = format!("{who}: linkage \"{}\"", l.id.value);
            let when = self.condition(&l.when, issues, &ctx);
            let delta = self.quantity(&l.delta, &format!("{ctx}: delta"), -1.0, 1.0);
            linkages.push(Linkage { id: l.id.value.clone(), when, delta });
        }
        let mut red_lines: Vec<RedLine> = Vec::new();
        for r in &p.red_lines {
            self.unique(&r.id, &format!("red line of {who}:"), red_lines.iter().map(|x| x.id.as_str()));
            let ctx = format!("{who}: red line \"{}\"", r.id.value);
            let when = self.condition(&r.when, issues, &ctx);
            let source = r.source.as_ref().and_then(|s| self.citation(s, span(&r.id), &ctx));
            red_lines.push(RedLine { id: r.id.value.clone(), when, reason: r.reason.clone(), source });
        }
        Preferences { weights, values, linkages, red_lines, reservation, discount }
    }

    fn value_function(&mut self, vf: &Located<RawValueFunction>, issue: &Issue, who: &str) -> Option<ValueFunction> {
        let ctx = format!("{who}: values of issue \"{}\"", issue.id);
        let raw = &vf.value;
        let function = raw.function.as_ref().map_or(RawFunction::Table, |f| f.value);
        let numeric = issue.kind.range().is_some();
        let help_fn = "a value function is `table` (with `options`), or for integer and real issues `linear` (at_min, at_max), `triangular` (low, peak, high) or `step` (threshold, below, above)";
        let unit =
            |s: &mut Self, q: &Located<RawQuantity>, name: &str| s.quantity(q, &format!("{ctx}: {name}"), 0.0, 1.0);
        let free = |s: &mut Self, q: &Located<RawQuantity>, name: &str| {
            s.quantity(q, &format!("{ctx}: {name}"), f64::NEG_INFINITY, f64::INFINITY)
        };
        let params = [
            ("at_min", &raw.at_min),
            ("at_max", &raw.at_max),
            ("low", &raw.low),
            ("peak", &raw.peak),
            ("high", &raw.high),
            ("threshold", &raw.threshold),
            ("below", &raw.below),
            ("above", &raw.above),
        ];
        let allowed: &[&str] = match function {
            RawFunction::Table => &[],
            RawFunction::Linear => &["at_min", "at_max"],
            RawFunction::Triangular => &["low", "peak", "high"],
            RawFunction::Step => &["threshold", "below", "above"],
        };
        for (name, field) in params {
            if !allowed.contains(&name) {
                self.forbid(field, name, &ctx, help_fn);
            }
        }
        if function != RawFunction::Table && !numeric {
            self.push(
                Diagnostic::error(
                    "parley::field-kind",
                    format!("{ctx}: a {:?} function needs an integer or real issue", function).to_lowercase(),
                )
                .at(raw.function.as_ref().and_then(span), "categorical issue")
                .help("give a value for every option with `options = { ... }`"),
            );
            return None;
        }
        let at = span(vf);
        match function {
            RawFunction::Table => {
                let Some(options) = &raw.options else {
                    self.push(
                        Diagnostic::error("parley::missing-value", format!("{ctx}: no `options` table"))
                            .at(at, "values here")
                            .help("give a value in [0, 1] for each option: options = { a = 1.0, b = 0.5 }"),
                    );
                    return None;
                };
                let mut table: Vec<Option<Quantity>> = vec![None; issue.options.len()];
                for (key, q) in &options.0 {
                    let Some(o) = issue.option_index(&key.value) else {
                        self.push(
                            Diagnostic::error(
                                "parley::unknown-reference",
                                format!("{ctx}: unknown option \"{}\"", key.value),
                            )
                            .at(span(key), "no such option")
                            .help(format!(
                                "the options of \"{}\" are {}",
                                issue.id,
                                list(issue.options.iter().map(|o| &o.id))
                            )),
                        );
                        continue;
                    };
                    if table[o].is_some() {
                        self.push(
                            Diagnostic::error(
                                "parley::duplicate-id",
                                format!("{ctx}: option \"{}\" valued twice", key.value),
                            )
                            .at(span(key), "second value")
                            .help("keep one value per option"),
                        );
                    }
                    table[o] = Some(unit(self, q, &format!("option \"{}\"", key.value)));
                }
                let missing: Vec<&str> =
                    issue.options.iter().zip(&table).filter(|(_, v)| v.is_none()).map(|(o, _)| o.id.as_str()).collect();
                if !missing.is_empty() {
                    self.push(
                        Diagnostic::error(
                            "parley::missing-value",
                            format!("{ctx}: no value for {}", list(missing.iter())),
                        )
                        .at(at, "incomplete table")
                        .help("every option of a weighted issue needs a value in [0, 1]"),
                    );
                    return None;
                }
                Some(ValueFunction::Table { values: table.into_iter().flatten().collect() })
            }
            RawFunction::Linear => {
                let a = self.require(&raw.at_min, "at_min", &ctx, at.clone()).map(|q| unit(self, q, "at_min"));
                let b = self.require(&raw.at_max, "at_max", &ctx, at).map(|q| unit(self, q, "at_max"));
                Some(ValueFunction::Linear { at_min: a?, at_max: b? })
            }
            RawFunction::Triangular => {
                let low = self.require(&raw.low, "low", &ctx, at.clone()).map(|q| free(self, q, "low"));
                let peak = self.require(&raw.peak, "peak", &ctx, at.clone()).map(|q| free(self, q, "peak"));
                let high = self.require(&raw.high, "high", &ctx, at.clone()).map(|q| free(self, q, "high"));
                let (low, peak, high) = (low?, peak?, high?);
                if !(low.value <= peak.value && peak.value <= high.value) {
                    self.push(
                        Diagnostic::error(
                            "parley::out-of-range",
                            format!(
                                "{ctx}: triangular needs low ≤ peak ≤ high, got {} / {} / {}",
                                low.value, peak.value, high.value
                            ),
                        )
                        .at(at, "triangle")
                        .help("order the three points"),
                    );
                }
                Some(ValueFunction::Triangular { low, peak, high })
            }
            RawFunction::Step => {
                let threshold =
                    self.require(&raw.threshold, "threshold", &ctx, at.clone()).map(|q| free(self, q, "threshold"));
                let below = self.require(&raw.below, "below", &ctx, at.clone()).map(|q| unit(self, q, "below"));
                let above = self.require(&raw.above, "above", &ctx, at).map(|q| unit(self, q, "above"));
                Some(ValueFunction::Step { threshold: threshold?, below: below?, above: above? })
            }
        }
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
            let Some(i) = issues.iter().position(|x| x.id == key.value) else {
                self.push(
                    Diagnostic::error("parley::unknown-reference", format!("{ctx}: unknown issue \"{}\"", key.value))
                        .at(span(key), "no such issue")
                        .help(format!("the issues are {}", list(issues.iter().map(|i| &i.id)))),
                );
                continue;
            };
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
