//! Levers: named, cited changes to a scenario ("what if the US cuts aid?").
//!
//! A [`Lever`] is a list of [`Change`]s applied to a copy of a scenario:
//!
//! * **set** a number, addressed by the same dotted path `parley sources` lists
//!   (`preferences.ukr.reservation`, `preferences.rus.values.territory.freeze`, …);
//! * **fix** an issue to some of its options, taking the others off the table (the
//!   outcome space shrinks; value tables and conditions are re-indexed, and a linkage or
//!   red line that can no longer match is removed);
//! * **drop** a red line or linkage, addressed as `preferences.ACTOR.red_lines.ID` or
//!   `preferences.ACTOR.linkages.ID`.

use serde::Serialize;

use crate::preferences::{Condition, ValueFunction};
use crate::scenario::{Citation, Provenance, Quantity, Scenario};

/// One change a lever makes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Replace the number at `path`.
    Set {
        /// Dotted path, as listed by [`Scenario::numbers`].
        path: String,
        /// The new number and its provenance.
        quantity: Quantity,
    },
    /// Keep only these options of each issue in the condition.
    Fix {
        /// Issue → options kept.
        keep: Condition,
    },
    /// Remove a red line or linkage.
    Drop {
        /// `preferences.ACTOR.red_lines.ID` or `preferences.ACTOR.linkages.ID`.
        path: String,
    },
    /// Change what holds without a deal ([`crate::Conflict::no_deal`]): a decision taken
    /// outside the talks, such as assets spent or sanctions lifted unilaterally. It moves
    /// the sides' alternatives to a deal, and a scoped veto over the issue then covers a
    /// move away from the new state, not from the old.
    NoDeal {
        /// `(issue id, option id)`, replacing the issue's entry.
        terms: crate::conflict::Terms,
    },
}

/// A named what-if.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lever {
    /// Identifier used on the command line (`--lever ID`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// What pulling the lever means, in words.
    pub description: String,
    /// Where the lever comes from.
    pub provenance: Provenance,
    /// The changes, applied in order.
    pub changes: Vec<Change>,
}

/// Why a lever cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LeverError {
    /// No number has this path.
    #[error("no number at path \"{0}\"; `parley sources` lists every path")]
    UnknownPath(String),
    /// No red line or linkage has this path.
    #[error("no red line or linkage at \"{0}\"; write preferences.ACTOR.red_lines.ID or preferences.ACTOR.linkages.ID")]
    UnknownRule(String),
    /// Fixing would leave an issue without options.
    #[error("fixing issue \"{0}\" leaves it without options")]
    EmptyIssue(String),
    /// What holds without a deal was changed in a scenario without a war beside the talks.
    #[error("the lever changes what holds without a deal, but the scenario has no [conflict] section")]
    NoConflict,
}

impl Lever {
    /// Whether the lever sets the number at `path`.
    pub fn sets(&self, path: &str) -> bool {
        self.changes.iter().any(|c| matches!(c, Change::Set { path: p, .. } if p == path))
    }

    /// The lever without its `fix` changes: what it does to the world rather than to the
    /// table. The war is simulated under this, so that taking options off the table does
    /// not change what fighting can produce.
    pub fn without_fixes(&self) -> Lever {
        Lever {
            changes: self.changes.iter().filter(|c| !matches!(c, Change::Fix { .. })).cloned().collect(),
            ..self.clone()
        }
    }
}

impl Scenario {
    /// The number at a dotted path, for changing it.
    pub fn quantity_mut(&mut self, path: &str) -> Option<&mut Quantity> {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["actors", actor, "power"] => self.actors.iter_mut().find(|a| a.id == *actor)?.power.as_mut(),
            ["issues", issue, field] => {
                let issue = self.issues.iter_mut().find(|i| i.id == *issue)?;
                match (&mut issue.kind, *field) {
                    (crate::IssueKind::Integer { min, .. } | crate::IssueKind::Real { min, .. }, "min") => Some(min),
                    (crate::IssueKind::Integer { max, .. } | crate::IssueKind::Real { max, .. }, "max") => Some(max),
                    (crate::IssueKind::Integer { step, .. }, "step") => Some(step),
                    _ => None,
                }
            }
            ["preferences", actor, rest @ ..] => {
                let a = self.actors.iter().position(|x| x.id == *actor)?;
                let issues = &self.issues;
                let prefs = &mut self.preferences[a];
                match rest {
                    ["reservation"] => Some(&mut prefs.reservation),
                    ["discount"] => prefs.discount.as_mut(),
                    ["weights", issue] => {
                        let i = issues.iter().position(|x| x.id == *issue)?;
                        prefs.weights[i].as_mut()
                    }
                    ["linkages", id] => prefs.linkages.iter_mut().find(|l| l.id == *id).map(|l| &mut l.delta),
                    ["values", issue, name] => {
                        let i = issues.iter().position(|x| x.id == *issue)?;
                        match prefs.values[i].as_mut()? {
                            ValueFunction::Table { values } => {
                                let o = issues[i].option_index(name)?;
                                values.get_mut(o)
                            }
                            ValueFunction::Linear { at_min, at_max } => match *name {
                                "at_min" => Some(at_min),
                                "at_max" => Some(at_max),
                                _ => None,
                            },
                            ValueFunction::Triangular { low, peak, high } => match *name {
                                "low" => Some(low),
                                "peak" => Some(peak),
                                "high" => Some(high),
                                _ => None,
                            },
                            ValueFunction::Step { threshold, below, above } => match *name {
                                "threshold" => Some(threshold),
                                "below" => Some(below),
                                "above" => Some(above),
                                _ => None,
                            },
                        }
                    }
                    _ => None,
                }
            }
            ["conflict", rest @ ..] => {
                let actors = &self.actors;
                self.conflict.as_mut()?.quantity_mut(rest, actors)
            }
            _ => None,
        }
    }

    /// A copy of the scenario with the lever's changes applied.
    pub fn with_lever(&self, lever: &Lever) -> Result<Scenario, LeverError> {
        let mut s = self.clone();
        for change in &lever.changes {
            match change {
                Change::Set { path, quantity } => {
                    *s.quantity_mut(path).ok_or_else(|| LeverError::UnknownPath(path.clone()))? = quantity.clone();
                }
                Change::Drop { path } => s.drop_rule(path)?,
                Change::NoDeal { terms } => {
                    let conflict = s.conflict.as_mut().ok_or(LeverError::NoConflict)?;
                    for (issue, option) in terms {
                        match conflict.no_deal.iter_mut().find(|(i, _)| i == issue) {
                            Some(entry) => entry.1 = option.clone(),
                            None => conflict.no_deal.push((issue.clone(), option.clone())),
                        }
                    }
                }
                Change::Fix { keep } => {
                    for (issue, options) in &keep.terms {
                        s = s.restrict(*issue, options)?;
                    }
                }
            }
        }
        Ok(s)
    }

    fn drop_rule(&mut self, path: &str) -> Result<(), LeverError> {
        let unknown = || LeverError::UnknownRule(path.to_string());
        let parts: Vec<&str> = path.split('.').collect();
        let ["preferences", actor, kind, id] = parts.as_slice() else { return Err(unknown()) };
        let a = self.actor_index(actor).ok_or_else(unknown)?;
        let prefs = &mut self.preferences[a];
        let before = prefs.red_lines.len() + prefs.linkages.len();
        match *kind {
            "red_lines" => prefs.red_lines.retain(|r| r.id != *id),
            "linkages" => prefs.linkages.retain(|l| l.id != *id),
            _ => return Err(unknown()),
        }
        if prefs.red_lines.len() + prefs.linkages.len() == before { Err(unknown()) } else { Ok(()) }
    }

    /// A copy with issue `issue` reduced to the options `keep` (indices, any order).
    pub fn restrict(&self, issue: usize, keep: &[usize]) -> Result<Scenario, LeverError> {
        let mut kept: Vec<usize> = keep.to_vec();
        kept.sort_unstable();
        kept.dedup();
        if kept.is_empty() {
            return Err(LeverError::EmptyIssue(self.issues[issue].id.clone()));
        }
        // new index of each old option
        let remap = |old: usize| kept.iter().position(|&k| k == old);
        let mut s = self.clone();
        let target = &mut s.issues[issue];
        target.options = kept.iter().map(|&o| target.options[o].clone()).collect();
        let fix = |c: &mut Condition| -> bool {
            for (i, options) in &mut c.terms {
                if *i == issue {
                    *options = options.iter().filter_map(|&o| remap(o)).collect();
                    if options.is_empty() {
                        return false;
                    }
                }
            }
            true
        };
        for prefs in &mut s.preferences {
            if let Some(ValueFunction::Table { values }) = &mut prefs.values[issue] {
                *values = kept.iter().map(|&o| values[o].clone()).collect();
            }
            prefs.linkages.retain_mut(|l| fix(&mut l.when));
            prefs.red_lines.retain_mut(|r| fix(&mut r.when));
        }
        for actor in &mut s.actors {
            if let crate::Veto::Scoped(scope) = &mut actor.veto {
                scope.when.retain_mut(|c| fix(c));
            }
        }
        for e in &mut s.expectations {
            e.check.remap_issue(issue, &remap);
        }
        Ok(s)
    }

    /// The lever with this id.
    pub fn lever(&self, id: &str) -> Option<&Lever> {
        self.levers.iter().find(|l| l.id == id)
    }
}

/// Where a lever or expectation comes from, as a citation if it has one.
pub fn citation_of(p: &Provenance) -> Option<&Citation> {
    match p {
        Provenance::Cited { citation } => Some(citation),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::TestScenario;

    #[test]
    fn test_every_listed_path_resolves() {
        let s = TestScenario::linked_three_party();
        let paths: Vec<String> = s.numbers().iter().map(|n| n.path.clone()).collect();
        let mut m = s.clone();
        for p in paths {
            assert!(m.quantity_mut(&p).is_some(), "{p}");
        }
        assert!(m.quantity_mut("preferences.a0.weights.nope").is_none());
        assert!(m.quantity_mut("preferences.a0.discount").is_none(), "no discount, no number");
    }

    #[test]
    fn test_discount_is_listed_and_settable() {
        let mut s = TestScenario::logrolling();
        s.preferences[1].discount = Some(Quantity::bare(0.9));
        let paths: Vec<String> = s.numbers().iter().map(|n| n.path.clone()).collect();
        assert!(paths.contains(&"preferences.a1.discount".to_string()), "{paths:?}");
        assert!(!paths.contains(&"preferences.a0.discount".to_string()));
        let lever = Lever {
            id: "patience".into(),
            name: "patience".into(),
            description: String::new(),
            provenance: Provenance::Unstated,
            changes: vec![Change::Set { path: "preferences.a1.discount".into(), quantity: Quantity::bare(0.5) }],
        };
        let t = s.with_lever(&lever).unwrap();
        approx::assert_relative_eq!(t.preferences[1].discount.as_ref().unwrap().value, 0.5);
    }

    #[test]
    fn test_set_and_drop() {
        let s = TestScenario::linked_three_party();
        let lever = Lever {
            id: "l".into(),
            name: "l".into(),
            description: String::new(),
            provenance: Provenance::Unstated,
            changes: vec![
                Change::Set { path: "preferences.a1.reservation".into(), quantity: Quantity::bare(0.9) },
                Change::Drop { path: "preferences.a0.red_lines.never".into() },
            ],
        };
        let t = s.with_lever(&lever).unwrap();
        approx::assert_relative_eq!(t.preferences[1].reservation.value, 0.9);
        assert!(t.preferences[0].red_lines.is_empty());
        let bad = Lever { changes: vec![Change::Drop { path: "preferences.a0.red_lines.x".into() }], ..lever };
        assert_eq!(s.with_lever(&bad), Err(LeverError::UnknownRule("preferences.a0.red_lines.x".into())));
    }

    #[test]
    fn test_restrict_reindexes_tables_and_conditions() {
        let s = TestScenario::linked_three_party();
        // Keep options 1 and 2 of issue 0: actor 1's linkage (issue 0 = option 1) survives
        // as option 0; actor 0's red line (issue 0 = option 2) becomes option 1.
        let t = s.restrict(0, &[2, 1]).unwrap();
        assert_eq!(t.issues[0].options.len(), 2);
        assert_eq!(t.preferences[1].linkages[0].when.terms[0], (0, vec![0]));
        assert_eq!(t.preferences[0].red_lines[0].when.terms[0], (0, vec![1]));
        // Same utilities for the surviving outcomes.
        let (m, n) = (crate::UtilityModel::new(&s).unwrap(), crate::UtilityModel::new(&t).unwrap());
        assert_eq!(m.utilities(&[1, 1, 2]), n.utilities(&[0, 1, 2]));
        // Keeping only option 0 removes the linkage and the red line that need others.
        let u = s.restrict(0, &[0]).unwrap();
        assert!(u.preferences[1].linkages.is_empty() && u.preferences[0].red_lines.is_empty());
        assert!(s.restrict(0, &[]).is_err());
    }
}
