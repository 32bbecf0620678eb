//! From a parley scenario to a forecast's inputs, one issue at a time.
//!
//! The expected-utility model needs, for one issue on a scale, each actor's position,
//! salience and capability. A scenario has all three:
//!
//! * **The scale.** Integer and real issues are ordered by their values. A categorical
//!   issue is a scale when it is marked `ordered = true` (its options, in file order, at
//!   positions 0, 1, 2, …) or when it has exactly two options (two points are always a
//!   scale). Any other categorical issue is refused ([`ForecastError::Unordered`]).
//! * **Position**: the option the actor values most on the issue, among the options its own
//!   red lines leave open (a red line on this issue alone rules an option out; red lines that
//!   combine issues constrain packages, not positions, and are not used). Several best options
//!   that lie next to each other on the scale are one plateau of indifference, and the
//!   actor stands at its midpoint; best options that are not neighbours give the lowest of
//!   them, and the tie is reported. Linkages are cross-issue terms and are not used.
//! * **Salience**: the actor's weight on the issue relative to its heaviest issue
//!   ([`SalienceRule::Top`], the default), or normalised as the scenario normalises weights
//!   (to sum to 1 over the actor's issues, [`SalienceRule::Share`]). The default follows the
//!   model's coding convention: salience says how much the issue matters to the actor
//!   against the other issues before it, its top priority scoring 100 (Bueno de Mesquita
//!   1994). Shares of a dozen issues are all small, so every actor reads as indifferent,
//!   nobody resists a challenge, and positions collapse to whoever challenges first: on the
//!   built-in scenario the territorial forecast would be a Russian withdrawal to the 2022
//!   lines, which no source entertains. Actors that do not weigh the issue take no part in
//!   its forecast.
//! * **Capability**: the actor's `power` in the scenario (`[[actors]]`, with its source or
//!   assumption). Every actor that weighs the issue needs one; an actor with power 0 takes
//!   no part.

use parley_core::{IssueKind, Provenance, Scenario};
use serde::Serialize;

use crate::error::ForecastError;
use crate::model::{Actor, Dataset, Scale, ScalePoint, same_position};

/// Values closer than this count as equally good options.
const VALUE_TIE: f64 = 1e-12;

/// How an issue weight becomes a salience.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SalienceRule {
    /// The normalised weight: the issue's share of the actor's attention (weights sum to 1
    /// over its issues).
    Share,
    /// The weight relative to the actor's heaviest issue, which gets salience 1: the
    /// model's coding convention (the default).
    #[default]
    Top,
}

/// How an issue's options were placed on a scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// Integer or real values.
    Numeric,
    /// An ordered categorical issue: options at 0, 1, 2, … in file order.
    Ordered,
    /// A categorical issue with two options, at 0 and 1.
    Binary,
}

/// Where one actor's inputs come from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Derivation {
    /// The actor's id in the scenario (its name in the dataset).
    pub actor: String,
    /// Its human name.
    pub name: String,
    /// The option(s) it values most, by id: one, or the tied ones.
    pub best: Vec<String>,
    /// Whether several options tie for best; with `best` not next to each other on the
    /// scale, the lowest was taken.
    pub tie: bool,
    /// Options its own red lines on this issue rule out.
    pub ruled_out: Vec<String>,
    /// Its position on the scale.
    pub position: f64,
    /// Its normalised weight on the issue.
    pub weight: f64,
    /// Where the weight comes from.
    pub weight_provenance: Provenance,
    /// Its salience (by the [`SalienceRule`]).
    pub salience: f64,
    /// Its capability (the scenario's `power`).
    pub capability: f64,
    /// Where the capability comes from.
    pub capability_provenance: Provenance,
}

/// An actor of the scenario that takes no part in an issue's forecast, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeftOut {
    /// The actor's id.
    pub actor: String,
    /// Why.
    pub reason: String,
}

/// A forecast's inputs derived from one issue of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Derived {
    /// The issue's id.
    pub issue: String,
    /// How the issue became a scale.
    pub scale_kind: ScaleKind,
    /// The salience rule used.
    pub salience_rule: SalienceRule,
    /// The inputs (actors named by id, in scenario order; the scale labelled with the
    /// issue's options).
    pub data: Dataset,
    /// Where each actor's numbers come from, in the dataset's order.
    pub actors: Vec<Derivation>,
    /// Actors left out, in scenario order.
    pub left_out: Vec<LeftOut>,
}

/// The scale of issue `issue` of the scenario, or why it has none.
pub fn scale_of(scenario: &Scenario, issue: usize) -> Result<(ScaleKind, Scale), ForecastError> {
    let i = &scenario.issues[issue];
    let (kind, values, min, max, unit): (ScaleKind, Vec<f64>, f64, f64, Option<String>) = match &i.kind {
        IssueKind::Integer { unit, .. } | IssueKind::Real { unit, .. } => {
            let values: Vec<f64> = i.options.iter().enumerate().map(|(k, o)| o.value.unwrap_or(k as f64)).collect();
            let (lo, hi) = i.kind.range().unwrap_or((values[0], values[values.len() - 1]));
            (ScaleKind::Numeric, values, lo, hi, unit.clone())
        }
        IssueKind::Categorical { ordered } => {
            let kind = if *ordered {
                ScaleKind::Ordered
            } else if i.options.len() == 2 {
                ScaleKind::Binary
            } else {
                return Err(ForecastError::Unordered { issue: i.id.clone(), options: i.options.len() });
            };
            let values: Vec<f64> = (0..i.options.len()).map(|k| k as f64).collect();
            (kind, values, 0.0, (i.options.len() - 1) as f64, None)
        }
    };
    let points = i
        .options
        .iter()
        .zip(&values)
        .map(|(o, &value)| ScalePoint { value, id: Some(o.id.clone()), label: o.label.clone() })
        .collect();
    Ok((kind, Scale { name: Some(i.name.clone()), min: Some(min), max: Some(max), unit, points }))
}

/// Whether each issue of the scenario can be forecast: its index and the reason if not.
pub fn issues(scenario: &Scenario) -> Vec<(usize, Result<(), ForecastError>)> {
    (0..scenario.issues.len()).map(|k| (k, scale_of(scenario, k).map(|_| ()))).collect()
}

/// The inputs of a forecast of issue `issue_id` of `scenario`.
pub fn from_scenario(scenario: &Scenario, issue_id: &str, rule: SalienceRule) -> Result<Derived, ForecastError> {
    let issue = scenario.issue_index(issue_id).ok_or_else(|| ForecastError::UnknownIssue {
        issue: issue_id.to_string(),
        known: scenario.issues.iter().map(|i| i.id.clone()).collect(),
    })?;
    let (scale_kind, scale) = scale_of(scenario, issue)?;
    let the_issue = &scenario.issues[issue];
    let mut derivations = Vec::new();
    let mut left_out = Vec::new();
    let mut missing = Vec::new();
    for (actor, prefs) in scenario.actors.iter().zip(&scenario.preferences) {
        let weights = prefs.normalised_weights();
        let weight = weights[issue];
        let Some(values) = prefs.values[issue].as_ref().filter(|_| weight > 0.0) else {
            left_out.push(LeftOut { actor: actor.id.clone(), reason: "does not weigh the issue".into() });
            continue;
        };
        let Some(power) = &actor.power else {
            missing.push(actor.id.clone());
            continue;
        };
        if power.value <= 0.0 {
            left_out.push(LeftOut {
                actor: actor.id.clone(),
                reason: format!("power {} gives no capability", power.value),
            });
            continue;
        }
        // Options ruled out by a red line on this issue alone.
        let ruled_out: Vec<usize> = (0..the_issue.options.len())
            .filter(|&o| {
                prefs
                    .red_lines
                    .iter()
                    .any(|r| matches!(r.when.terms.as_slice(), [(i, options)] if *i == issue && options.contains(&o)))
            })
            .collect();
        let open: Vec<usize> = (0..the_issue.options.len()).filter(|o| !ruled_out.contains(o)).collect();
        if open.is_empty() {
            return Err(ForecastError::NoAcceptableOption { actor: actor.id.clone(), issue: the_issue.id.clone() });
        }
        let value = |o: usize| values.value(the_issue, o);
        let top = open.iter().map(|&o| value(o)).fold(f64::NEG_INFINITY, f64::max);
        let best: Vec<usize> = open.iter().copied().filter(|&o| top - value(o) <= VALUE_TIE).collect();
        let contiguous = best.windows(2).all(|w| w[1] == w[0] + 1);
        let at = |o: usize| scale.points[o].value;
        let position = if contiguous { (at(best[0]) + at(best[best.len() - 1])) / 2.0 } else { at(best[0]) };
        let max_weight = weights.iter().copied().fold(0.0, f64::max);
        let salience = match rule {
            SalienceRule::Share => weight,
            SalienceRule::Top => weight / max_weight,
        };
        derivations.push(Derivation {
            actor: actor.id.clone(),
            name: actor.name.clone(),
            best: best.iter().map(|&o| the_issue.options[o].id.clone()).collect(),
            tie: best.len() > 1,
            ruled_out: ruled_out.iter().map(|&o| the_issue.options[o].id.clone()).collect(),
            position,
            weight,
            weight_provenance: prefs.weights[issue].as_ref().map_or(Provenance::Unstated, |q| (*q.provenance).clone()),
            salience,
            capability: power.value,
            capability_provenance: (*power.provenance).clone(),
        });
    }
    if !missing.is_empty() {
        return Err(ForecastError::MissingCapability { issue: the_issue.id.clone(), actors: missing });
    }
    if derivations.len() < 2 {
        return Err(ForecastError::TooFewInvolved { issue: the_issue.id.clone(), count: derivations.len() });
    }
    if derivations.iter().all(|d| same_position(d.position, derivations[0].position)) {
        return Err(ForecastError::Consensus { issue: the_issue.id.clone(), option: derivations[0].best.join(" or ") });
    }
    let actors =
        derivations.iter().map(|d| Actor::new(d.actor.clone(), d.capability, d.position, d.salience)).collect();
    let data = Dataset::with_scale(actors, scale)?;
    Ok(Derived { issue: the_issue.id.clone(), scale_kind, salience_rule: rule, data, actors: derivations, left_out })
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;
    use parley_core::{
        Actor as ScenarioActor, Condition, Issue, IssueOption, Metadata, Preferences, Quantity, RedLine, Role,
        ValueFunction,
    };

    use super::*;

    fn option(id: &str) -> IssueOption {
        IssueOption { id: id.into(), label: format!("option {id}"), value: None }
    }

    fn table(values: &[f64]) -> ValueFunction {
        ValueFunction::Table { values: values.iter().map(|&v| Quantity::bare(v)).collect() }
    }

    /// Three actors over a 4-option ordered issue and a 3-option unordered one.
    fn scenario() -> Scenario {
        let actor = |id: &str, power: Option<f64>| ScenarioActor {
            id: id.into(),
            name: format!("Actor {id}"),
            role: Role::Other,
            veto: parley_core::Veto::Full,
            power: power.map(|p| Quantity::assumed(p, "test")),
        };
        let prefs = |w: [f64; 2], v: ValueFunction, red: Vec<RedLine>| Preferences {
            weights: w.iter().map(|&x| Some(Quantity::bare(x))).collect(),
            values: vec![Some(v), Some(table(&[1.0, 0.0, 0.0]))],
            linkages: vec![],
            red_lines: red,
            reservation: Quantity::bare(0.0),
            discount: None,
        };
        let red = |terms: Vec<(usize, Vec<usize>)>| RedLine {
            id: "r".into(),
            when: Condition { terms },
            reason: "test".into(),
            source: None,
        };
        Scenario {
            metadata: Metadata::default(),
            sources: vec![],
            actors: vec![actor("a", Some(2.0)), actor("b", Some(1.0)), actor("c", Some(1.0))],
            issues: vec![
                Issue {
                    id: "scale".into(),
                    name: "A scale".into(),
                    kind: IssueKind::Categorical { ordered: true },
                    options: ["o0", "o1", "o2", "o3"].map(option).to_vec(),
                },
                Issue {
                    id: "flat".into(),
                    name: "Unordered".into(),
                    kind: IssueKind::Categorical { ordered: false },
                    options: ["x", "y", "z"].map(option).to_vec(),
                },
            ],
            preferences: vec![
                // a: best o3, but its red line rules o3 out, so o2.
                prefs([3.0, 1.0], table(&[0.0, 0.2, 0.8, 1.0]), vec![red(vec![(0, vec![3])])]),
                // b: o0 and o1 tie (neighbours): midpoint 0.5; a combined red line is ignored.
                prefs([1.0, 1.0], table(&[1.0, 1.0, 0.2, 0.0]), vec![red(vec![(0, vec![0]), (1, vec![0])])]),
                // c: o0 and o3 tie, not neighbours: the lower, o0.
                prefs([1.0, 3.0], table(&[1.0, 0.5, 0.5, 1.0]), vec![]),
            ],
            levers: vec![],
            expectations: vec![],
            conflict: None,
            uncertain: vec![],
        }
    }

    #[test]
    fn test_positions_saliences_capabilities() {
        let d = from_scenario(&scenario(), "scale", SalienceRule::Share).unwrap();
        assert_eq!(d.scale_kind, ScaleKind::Ordered);
        let positions: Vec<f64> = d.actors.iter().map(|a| a.position).collect();
        assert_eq!(positions, vec![2.0, 0.5, 0.0]);
        assert_eq!(d.actors[0].ruled_out, vec!["o3"]);
        assert!(!d.actors[0].tie && d.actors[1].tie && d.actors[2].tie);
        assert_eq!(d.actors[2].best, vec!["o0", "o3"]);
        assert_relative_eq!(d.actors[0].salience, 0.75);
        assert_relative_eq!(d.actors[1].salience, 0.5);
        assert_relative_eq!(d.actors[2].salience, 0.25);
        assert_relative_eq!(d.data.actors()[0].capability, 2.0);
        assert_eq!(d.data.scale().points.len(), 4);
        assert_eq!((d.data.scale().min, d.data.scale().max), (Some(0.0), Some(3.0)));
        let top = from_scenario(&scenario(), "scale", SalienceRule::Top).unwrap();
        let saliences: Vec<f64> = top.actors.iter().map(|a| a.salience).collect();
        assert_eq!(saliences, vec![1.0, 1.0, 1.0 / 3.0]);
    }

    #[test]
    fn test_refusals() {
        let s = scenario();
        assert!(matches!(from_scenario(&s, "flat", SalienceRule::Share), Err(ForecastError::Unordered { .. })));
        assert!(matches!(from_scenario(&s, "nope", SalienceRule::Share), Err(ForecastError::UnknownIssue { .. })));
        let mut s2 = s.clone();
        s2.actors[1].power = None;
        assert_eq!(
            from_scenario(&s2, "scale", SalienceRule::Share).unwrap_err(),
            ForecastError::MissingCapability { issue: "scale".into(), actors: vec!["b".into()] }
        );
        let mut s3 = s.clone();
        s3.preferences[1].weights[0] = Some(Quantity::bare(0.0));
        s3.preferences[2].weights[0] = None;
        let e = from_scenario(&s3, "scale", SalienceRule::Share).unwrap_err();
        assert_eq!(e, ForecastError::TooFewInvolved { issue: "scale".into(), count: 1 });
        let mut s4 = s.clone();
        s4.preferences[0].red_lines[0].when.terms = vec![(0, vec![0, 1, 2, 3])];
        assert!(matches!(
            from_scenario(&s4, "scale", SalienceRule::Share),
            Err(ForecastError::NoAcceptableOption { .. })
        ));
        let mut s5 = s;
        for p in &mut s5.preferences {
            p.values[0] = Some(table(&[0.0, 1.0, 0.0, 0.0]));
            p.red_lines.clear();
        }
        assert!(matches!(from_scenario(&s5, "scale", SalienceRule::Share), Err(ForecastError::Consensus { .. })));
    }

    #[test]
    fn test_binary_and_numeric_issues_are_scales() {
        let mut s = scenario();
        s.issues[1].options.pop();
        assert_eq!(scale_of(&s, 1).unwrap().0, ScaleKind::Binary);
        let listed: Vec<bool> = issues(&s).into_iter().map(|(_, r)| r.is_ok()).collect();
        assert_eq!(listed, vec![true, true]);
        s.issues[0].kind = IssueKind::Integer {
            min: Quantity::bare(10.0),
            max: Quantity::bare(40.0),
            step: Quantity::bare(10.0),
            unit: Some("km".into()),
        };
        for (k, o) in s.issues[0].options.iter_mut().enumerate() {
            o.value = Some(10.0 * (k + 1) as f64);
        }
        let (kind, scale) = scale_of(&s, 0).unwrap();
        assert_eq!(kind, ScaleKind::Numeric);
        assert_eq!((scale.min, scale.max, scale.unit.as_deref()), (Some(10.0), Some(40.0), Some("km")));
        let d = from_scenario(&s, "scale", SalienceRule::Share).unwrap();
        let positions: Vec<f64> = d.actors.iter().map(|a| a.position).collect();
        assert_eq!(positions, vec![30.0, 15.0, 10.0]);
    }
}
