//! The validated scenario: who negotiates, over what, and what each side wants.
//!
//! A [`Scenario`] is built by the `parley-io` crate from a scenario file after every
//! reference has been resolved and every rule checked, so the engine can index into it
//! without further checks. Identifiers have become positions: an actor is its index in
//! [`Scenario::actors`], an issue its index in [`Scenario::issues`], an option its index in
//! [`Issue::options`].

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::conflict::Conflict;
use crate::expect::Expectation;
use crate::lever::{Change, Lever};
use crate::outcome::{Issue, OutcomeSpace};
use crate::preferences::{Condition, Preferences};
use crate::uncertain::Uncertain;

/// Where a number comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    /// The number restates a claim of a source paragraph.
    Cited {
        /// The citation, for example `cnn-2024-10#12`.
        citation: Citation,
    },
    /// The number is the modeller's assumption, with the reason for it.
    Assumption {
        /// Why this value was chosen.
        reason: String,
        /// A passage that supports the number's direction (which option is better, which
        /// way a lever pushes) but not its size, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        direction: Option<Citation>,
    },
    /// The number was chosen so that a claim holds or a model output meets a target: it is
    /// neither a citation nor a free assumption. A claim that holds only because of a number
    /// tuned to it is no evidence for the model (`parley check --audit`).
    Tuned {
        /// What it was tuned to: an expectation id, an observed series, or a number's path.
        to: String,
        /// How and why, in words.
        note: String,
    },
    /// A bare number: neither cited nor justified.
    Unstated,
}

impl Provenance {
    /// The snake-case name of the kind: `cited`, `assumption`, `tuned` or `unstated`.
    pub fn kind(&self) -> &'static str {
        match self {
            Provenance::Cited { .. } => "cited",
            Provenance::Assumption { .. } => "assumption",
            Provenance::Tuned { .. } => "tuned",
            Provenance::Unstated => "unstated",
        }
    }

    /// The passages it cites: the citation of a cited number, the direction of an
    /// assumption.
    pub fn citations(&self) -> impl Iterator<Item = &Citation> {
        let c = match self {
            Provenance::Cited { citation } => Some(citation),
            Provenance::Assumption { direction, .. } => direction.as_ref(),
            Provenance::Tuned { .. } | Provenance::Unstated => None,
        };
        c.into_iter()
    }

    /// Whether the number was tuned to `target` (an expectation id, a series or a path).
    pub fn is_tuned_to(&self, target: &str) -> bool {
        matches!(self, Provenance::Tuned { to, .. } if to == target)
    }
}

impl std::fmt::Display for Provenance {
    /// One line: the citation, `assumption: reason (direction: id#n)`, `tuned to X: note`,
    /// or `unstated`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Provenance::Cited { citation } => write!(f, "{citation}"),
            Provenance::Assumption { reason, direction: None } => write!(f, "assumption: {reason}"),
            Provenance::Assumption { reason, direction: Some(d) } => {
                write!(f, "assumption: {reason} (direction: {d})")
            }
            Provenance::Tuned { to, note } => write!(f, "tuned to {to}: {note}"),
            Provenance::Unstated => f.write_str("unstated"),
        }
    }
}

/// A pointer into a source: its id and, optionally, a paragraph (1-based, counting
/// non-empty lines).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// The id of a `[[sources]]` entry.
    pub source: String,
    /// The paragraph within the source, if given.
    pub paragraph: Option<u32>,
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.paragraph {
            Some(p) => write!(f, "{}#{}", self.source, p),
            None => f.write_str(&self.source),
        }
    }
}

/// A number of the model together with its provenance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quantity {
    /// The value.
    pub value: f64,
    /// Where the value comes from: shared, so that copying a number (a Monte Carlo
    /// replicate or a particle copies its scenario's numbers by the thousand) copies no text.
    pub provenance: Arc<Provenance>,
}

impl Quantity {
    /// A number with its provenance.
    pub fn new(value: f64, provenance: Provenance) -> Self {
        Self { value, provenance: Arc::new(provenance) }
    }

    /// A number with no stated provenance (used by generated and test scenarios).
    pub fn bare(value: f64) -> Self {
        Self::new(value, Provenance::Unstated)
    }

    /// A number justified as an assumption.
    pub fn assumed(value: f64, reason: impl Into<String>) -> Self {
        Self::new(value, Provenance::Assumption { reason: reason.into(), direction: None })
    }
}

/// Descriptive metadata of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metadata {
    /// Short machine identifier.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Free-text description.
    pub description: String,
    /// The date the scenario describes the world as of (free-form, ISO 8601 recommended).
    pub as_of: Option<String>,
}

/// A source document that numbers may cite.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    /// Identifier used in citations.
    pub id: String,
    /// Title of the document.
    pub title: String,
    /// Publisher or outlet.
    pub outlet: String,
    /// Publication date (free-form, ISO 8601 recommended).
    pub date: String,
    /// Where the document can be found online.
    pub url: Option<String>,
    /// The file name of a local copy of its text, which `sources --verify DIR` looks for in DIR.
    pub file: Option<String>,
}

/// The part an actor plays in the negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A party to the conflict.
    Belligerent,
    /// A third party brokering the talks.
    Mediator,
    /// An ally that arms, funds or backs a party.
    Supporter,
    /// A domestic audience or constituency.
    Domestic,
    /// Anything else.
    Other,
}

impl Role {
    /// The lowercase name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Belligerent => "belligerent",
            Role::Mediator => "mediator",
            Role::Supporter => "supporter",
            Role::Domestic => "domestic",
            Role::Other => "other",
        }
    }
}

/// A participant in the negotiation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Actor {
    /// Identifier.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Role in the negotiation.
    pub role: Role,
    /// Which deals need this actor's consent.
    pub veto: Veto,
    /// Capability or power, if stated (used by later models; not by outcome analysis).
    pub power: Option<Quantity>,
}

/// Which deals need an actor's consent.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Veto {
    /// None: the actor can object, not block.
    #[default]
    None,
    /// Every deal: the actor is a bargainer.
    Full,
    /// Only the packages that touch what the actor controls: sanctions relief that needs
    /// the European Union's unanimity, say, but not the line of the front.
    Scoped(ScopedVeto),
}

impl Veto {
    /// Whether every deal needs the actor's consent.
    pub fn is_full(&self) -> bool {
        matches!(self, Veto::Full)
    }

    /// The scope, if the actor's consent is needed for some packages only.
    pub fn scope(&self) -> Option<&ScopedVeto> {
        match self {
            Veto::Scoped(s) => Some(s),
            _ => None,
        }
    }
}

/// The packages whose adoption needs an actor's consent although it holds no veto over
/// the rest: those that move one of `issues` away from its option without a deal, or
/// match one of `when`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScopedVeto {
    /// Issues (indices) on which any option other than the no-deal one needs consent;
    /// each has an option in [`crate::Conflict::no_deal`].
    pub issues: Vec<usize>,
    /// Further packages that need consent: those matching any of these conditions.
    pub when: Vec<Condition>,
    /// Why the actor's consent is needed, in words.
    pub reason: String,
    /// The source that says so, if cited.
    pub source: Option<Citation>,
}

impl ScopedVeto {
    /// The packages needing consent as conditions, any of which suffices: one per issue
    /// of [`ScopedVeto::issues`] (every option but `no_deal`'s), then [`ScopedVeto::when`].
    /// `no_deal[issue]` is the issue's option without a deal.
    pub fn conditions(&self, issues: &[Issue], no_deal: &[Option<usize>]) -> Vec<Condition> {
        let moved = self.issues.iter().map(|&i| Condition {
            terms: vec![(i, (0..issues[i].options.len()).filter(|&o| Some(o) != no_deal[i]).collect())],
        });
        moved.chain(self.when.iter().cloned()).collect()
    }

    /// The packages needing consent in words, for example `a change of sanctions or assets
    /// from no deal, or eu = accession`.
    pub fn describe(&self, issues: &[Issue]) -> String {
        let mut parts = Vec::new();
        if !self.issues.is_empty() {
            let ids: Vec<&str> = self.issues.iter().map(|&i| issues[i].id.as_str()).collect();
            parts.push(format!("a change of {} from no deal", ids.join(" or ")));
        }
        parts.extend(self.when.iter().map(|c| c.describe(issues)));
        parts.join(", or ")
    }
}

/// A complete, validated scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Metadata.
    pub metadata: Metadata,
    /// The sources numbers cite.
    pub sources: Vec<Source>,
    /// The actors, in file order.
    pub actors: Vec<Actor>,
    /// The issues, in file order; the outcome space is their Cartesian product.
    pub issues: Vec<Issue>,
    /// One entry per actor, in the order of [`Scenario::actors`].
    pub preferences: Vec<Preferences>,
    /// Named what-ifs.
    pub levers: Vec<Lever>,
    /// The sources' claims, as checks.
    pub expectations: Vec<Expectation>,
    /// The war beside the talks, if the scenario models it.
    pub conflict: Option<Conflict>,
    /// Numbers a Monte Carlo experiment draws from distributions.
    pub uncertain: Vec<Uncertain>,
}

/// One number of a scenario and where it sits, as listed by `parley sources`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumberRef<'a> {
    /// A dotted path naming the number, for example `actors.rus.power`.
    pub path: String,
    /// The number and its provenance (for a monthly series: its mean).
    pub quantity: Cow<'a, Quantity>,
}

impl Scenario {
    /// The outcome space: the Cartesian product of the issues' options.
    pub fn outcome_space(&self) -> OutcomeSpace {
        OutcomeSpace::new(self.issues.iter().map(|i| i.options.len() as u32).collect())
    }

    /// Indices of the actors whose consent every deal needs.
    pub fn veto_players(&self) -> Vec<usize> {
        self.actors.iter().enumerate().filter(|(_, a)| a.veto.is_full()).map(|(i, _)| i).collect()
    }

    /// Each issue's option while there is no deal, where the conflict names one.
    pub fn no_deal_options(&self) -> Vec<Option<usize>> {
        let mut out = vec![None; self.issues.len()];
        if let Some(c) = &self.conflict {
            for (issue, option) in &c.no_deal {
                if let Some(i) = self.issue_index(issue) {
                    out[i] = self.issues[i].option_index(option);
                }
            }
        }
        out
    }

    /// Position of the actor with this id.
    pub fn actor_index(&self, id: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.id == id)
    }

    /// Position of the issue with this id.
    pub fn issue_index(&self, id: &str) -> Option<usize> {
        self.issues.iter().position(|i| i.id == id)
    }

    /// Every number of the scenario with its provenance, in file order.
    pub fn numbers(&self) -> Vec<NumberRef<'_>> {
        let mut out = Vec::new();
        for actor in &self.actors {
            if let Some(quantity) = &actor.power {
                out.push(NumberRef { path: format!("actors.{}.power", actor.id), quantity: Cow::Borrowed(quantity) });
            }
        }
        for issue in &self.issues {
            issue.kind.visit_numbers(&mut |name, quantity| {
                out.push(NumberRef { path: format!("issues.{}.{}", issue.id, name), quantity: Cow::Borrowed(quantity) })
            });
        }
        for (actor, prefs) in self.actors.iter().zip(&self.preferences) {
            prefs.visit_numbers(&self.issues, &mut |name, quantity| {
                out.push(NumberRef {
                    path: format!("preferences.{}.{}", actor.id, name),
                    quantity: Cow::Borrowed(quantity),
                })
            });
        }
        for lever in &self.levers {
            for change in &lever.changes {
                if let Change::Set { path, quantity } = change {
                    out.push(NumberRef {
                        path: format!("levers.{}.set.{}", lever.id, path),
                        quantity: Cow::Borrowed(quantity),
                    });
                }
            }
        }
        if let Some(conflict) = &self.conflict {
            conflict.visit_numbers(&self.actors, &mut |path, quantity| {
                out.push(NumberRef { path: format!("conflict.{path}"), quantity })
            });
        }
        for e in &self.expectations {
            for t in &e.thresholds {
                out.push(NumberRef {
                    path: format!("expect.{}.{}", e.id, t.name),
                    quantity: Cow::Borrowed(&t.quantity),
                });
            }
        }
        out
    }
}
