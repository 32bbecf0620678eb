//! Levers and expectations: the what-ifs and the sources' claims, checked against the
//! scenario they belong to.

use std::ops::Range;

use parley_core::{Change, Check, Condition, Dispute, Expectation, Lever, Provenance, Quantity, Scenario, Threshold};

use super::conflict::{conflict_bounds, is_dynamic, kind_name};
use super::{Validator, list, paths_near, span};
use crate::diagnostic::Diagnostic;
use crate::id::BASELINE;
use crate::located::Located;
use crate::raw::{RawCheckKind, RawCondition, RawExpectation, RawLever};

impl Validator<'_> {
    /// Provenance of a lever or expectation: a citation or an assumption, not both.
    pub(super) fn provenance(
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
            (None, Some(a)) => Provenance::Assumption { reason: a.clone(), direction: None },
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

    pub(super) fn lever(&mut self, l: &RawLever, scenario: &Scenario) -> Lever {
        let ctx = format!("lever \"{}\"", l.id.value);
        if self.declare(&l.id, "lever", scenario.levers.iter().map(|x| x.id.as_str())) && l.id.value == BASELINE {
            self.push(
                Diagnostic::error("parley::id", format!("lever id \"{BASELINE}\" is reserved"))
                    .at(span(&l.id), "reserved")
                    .help(format!("\"{BASELINE}\" names the run without levers in tables and reports: call the lever something else")),
            );
        }
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
            let quantity = if let Some(rest) = p.strip_prefix("conflict.") {
                let parts: Vec<&str> = rest.split('.').collect();
                self.bounded(q, &format!("{ctx}: {p}"), conflict_bounds(&parts))
            } else if p.ends_with(".discount") && p.starts_with("preferences.") {
                self.discount(q, &format!("{ctx}: {p}"))
            } else {
                self.quantity(q, &format!("{ctx}: {p}"), lo, hi)
            };
            if probe.quantity_mut(p).is_none() {
                self.unknown_path(path, &ctx, &paths_near(scenario, p));
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
        if let Some(t) = &l.no_deal
            && let Some(terms) = self.lever_no_deal(t, scenario, &ctx)
        {
            changes.push(Change::NoDeal { terms });
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

    pub(super) fn actor_ref(&mut self, a: &Located<String>, scenario: &Scenario, ctx: &str) -> Option<usize> {
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

    pub(super) fn expectation(&mut self, e: &RawExpectation, scenario: &Scenario) -> Option<Expectation> {
        let ctx = format!("expectation \"{}\"", e.id.value);
        self.declare(&e.id, "expectation", scenario.expectations.iter().map(|x| x.id.as_str()));
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
            K::NoSettlementWithin | K::SettlesWithin | K::NoCollapseWithin => &["months"],
            K::BreaksDownMore => &["given", "versus"],
            K::BatnaLower | K::BatnaHigher => &["actor", "month"],
            K::BatnaRestored => &["actor", "month", "loss_from", "fraction"],
            K::Advances => &["months", "km2"],
            K::AdvancesMore | K::AdvancesLess | K::SettlesSooner => &["months"],
            K::Declines | K::Grows => &["actor", "measure", "months"],
        };
        let optional: &[&str] = match kind {
            K::ZoneExists | K::NoZone => &["given"],
            K::BatnaLower | K::BatnaHigher | K::AdvancesMore | K::AdvancesLess | K::SettlesSooner => &["versus_levers"],
            _ => &[],
        };
        let fields: [(&str, Option<Option<Range<usize>>>); 13] = [
            ("actor", e.actor.as_ref().map(span)),
            ("other", e.other.as_ref().map(span)),
            ("given", e.given.as_ref().map(span)),
            ("versus", e.versus.as_ref().map(span)),
            ("with", e.with.as_ref().map(span)),
            ("without", e.without.as_ref().map(span)),
            ("months", e.months.as_ref().map(span)),
            ("month", e.month.as_ref().map(span)),
            ("versus_levers", e.versus_levers.as_ref().map(span)),
            ("loss_from", e.loss_from.as_ref().map(span)),
            ("fraction", e.fraction.as_ref().map(span)),
            ("km2", e.km2.as_ref().map(span)),
            ("measure", e.measure.as_ref().map(span)),
        ];
        let kind_name = kind_name(kind);
        let takes = if optional.is_empty() || needs.is_empty() {
            format!("check \"{kind_name}\" takes {}", needs.join(", "))
        } else {
            format!("check \"{kind_name}\" takes {}, and optionally {}", needs.join(", "), optional.join(", "))
        };
        let mut complete = true;
        for (name, present) in fields {
            let needed = needs.contains(&name);
            match present {
                None if needed => {
                    complete = false;
                    self.push(
                        Diagnostic::error("parley::field-kind", format!("{ctx}: check \"{kind_name}\" needs `{name}`"))
                            .at(span(&e.check), "this check")
                            .help(takes.clone()),
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
                            takes.clone()
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
        let check = if is_dynamic(kind) {
            self.dynamic_check(e, actor, (given, versus), scenario, &ctx)?
        } else {
            static_check(kind, actor, other, [given, versus, with, without])?
        };
        let thresholds = [("months", &e.months), ("month", &e.month), ("fraction", &e.fraction), ("km2", &e.km2)]
            .into_iter()
            .filter_map(|(name, q)| {
                let q = q.as_ref()?;
                let what = format!("{ctx}: {name}");
                let provenance = self.quantity_provenance(&q.value, span(q), &what);
                Some(Threshold { name: name.to_string(), quantity: Quantity::new(q.value.value, provenance) })
            })
            .collect();
        if e.contradicted.as_ref().is_some_and(|c| c.trim().is_empty()) {
            self.push(
                Diagnostic::error("parley::empty", format!("{ctx}: `contradicted` is empty"))
                    .at(span(&e.id), "this claim")
                    .help("say why the model contradicts the claim, or remove `contradicted`"),
            );
        }
        Some(Expectation {
            id: e.id.value.clone(),
            claim: e.claim.clone(),
            provenance,
            disputed_by,
            levers: e.levers.iter().map(|l| l.value.clone()).collect(),
            check,
            thresholds,
            contradicted: e.contradicted.clone(),
        })
    }
}

/// The check of a static kind, from its resolved fields.
fn static_check(
    kind: RawCheckKind,
    actor: Option<usize>,
    other: Option<usize>,
    [given, versus, with, without]: [Condition; 4],
) -> Option<Check> {
    use RawCheckKind as K;
    Some(match kind {
        K::Accepts => Check::Accepts { actor: actor?, given },
        K::Rejects => Check::Rejects { actor: actor?, given },
        K::ZoneExists => Check::ZoneExists { given },
        K::NoZone => Check::NoZone { given },
        K::ZoneOnly => Check::ZoneOnly { given },
        K::Favours => Check::Favours { actor: actor?, other: other?, given },
        K::Prefers => Check::Prefers { actor: actor?, given, versus },
        K::LinkageEases => Check::LinkageEases { actor: actor?, given, versus, with, without },
        K::NoSettlementWithin
        | K::SettlesWithin
        | K::BatnaLower
        | K::BatnaHigher
        | K::BatnaRestored
        | K::Advances
        | K::AdvancesMore
        | K::AdvancesLess
        | K::SettlesSooner
        | K::Declines
        | K::Grows
        | K::NoCollapseWithin
        | K::BreaksDownMore => {
            return None;
        }
    })
}
