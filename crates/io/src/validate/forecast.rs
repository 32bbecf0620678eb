//! Forecast files: the actors of one issue, their numbers with provenance, an optional
//! scale and optional uncertainty (see [`crate::forecast`]).
//!
//! | code | rule |
//! |---|---|
//! | `parley::empty` | the forecast id and actor names are not empty |
//! | `parley::id` | the forecast id and source ids follow the id rule of [`crate::id`] |
//! | `parley::duplicate-id` | actor names and source ids are unique |
//! | `parley::not-finite` | no NaN or infinity |
//! | `parley::out-of-range` | capability > 0; salience within [0, 1], or within [0, 100] read as percentages; positions and labelled points within the scale's ends, points increasing; uncertainties ≥ 0, a capability's below 1 |
//! | `parley::too-few-actors` | at least 2 actors |
//! | `parley::no-range` | the positions are not all the same |
//! | `parley::no-weight` | some actor has a salience above 0 |
//! | `parley::provenance` | as in scenarios: a source or an assumption, not both; citations name a declared source |

use std::collections::HashMap;

use parley_forecast::{Actor, Dataset, Scale, ScalePoint, Uncertainty};

use super::{Validator, span};
use crate::diagnostic::Diagnostic;
use crate::forecast::raw::{RawForecastFile, RawScale, RawUncertainty};
use crate::forecast::{ActorProvenance, Field, ForecastInput, SalienceScale, check_actors};
use crate::located::Located;
use crate::raw::RawQuantity;

/// Validates a forecast file into its inputs, or every diagnostic.
pub(crate) fn forecast_file<'a>(raw: &'a RawForecastFile, text: &'a str) -> Result<ForecastInput, Vec<Diagnostic>> {
    let mut v = Validator { diagnostics: Vec::new(), sources: HashMap::new(), tuned: Vec::new(), text };
    let input = v.forecast(raw);
    let errors: Vec<Diagnostic> = v.diagnostics.into_iter().filter(Diagnostic::is_error).collect();
    match input {
        Some(input) if errors.is_empty() => Ok(input),
        _ => Err(errors),
    }
}

/// The three uncertainties of one actor, as written (the actor's own over the default).
struct Stated<'r> {
    position: Option<&'r Located<RawQuantity>>,
    capability: Option<&'r Located<RawQuantity>>,
    salience: Option<&'r Located<RawQuantity>>,
}

impl<'a> Validator<'a> {
    fn forecast(&mut self, raw: &'a RawForecastFile) -> Option<ForecastInput> {
        let f = &raw.forecast;
        if f.id.value.trim().is_empty() {
            self.push(
                Diagnostic::error("parley::empty", "the forecast id is empty")
                    .at(span(&f.id), "empty id")
                    .help("give the forecast a short identifier, e.g. id = \"emission-standards\""),
            );
        } else {
            self.id_rule(&f.id, "forecast");
        }
        let sources = self.sources(&raw.sources);
        let scale = f.scale.as_ref().map(|s| self.scale(s)).unwrap_or_default();

        let mut names: Vec<&str> = Vec::new();
        let mut capabilities = Vec::new();
        let mut positions = Vec::new();
        let mut saliences: Vec<(f64, &Located<RawQuantity>)> = Vec::new();
        let mut provenance = Vec::new();
        for a in &f.actors {
            let name = a.name.value.as_str();
            if name.trim().is_empty() {
                self.push(
                    Diagnostic::error("parley::empty", "an actor has an empty name")
                        .at(span(&a.name), "empty name")
                        .help("name every actor; names identify actors in the forecast's moves"),
                );
            } else if names.contains(&name) {
                self.push(
                    Diagnostic::error("parley::duplicate-id", format!("actor \"{name}\" is listed twice"))
                        .at(span(&a.name), "second entry")
                        .help("give each actor one [[forecast.actors]] entry"),
                );
            }
            let ctx = format!("actor \"{name}\"");
            let capability = self.quantity(&a.capability, &format!("{ctx}: capability"), f64::MIN, f64::MAX);
            if capability.value.is_finite() && capability.value <= 0.0 {
                self.push(
                    Diagnostic::error(
                        "parley::out-of-range",
                        format!("{ctx}: capability {} must be greater than 0", capability.value),
                    )
                    .at(span(&a.capability), "not above 0")
                    .help("capability is the actor's clout; only ratios between actors matter, so any positive scale works"),
                );
            }
            let position = self.quantity(&a.position, &format!("{ctx}: position"), f64::MIN, f64::MAX);
            let below = scale.min.is_some_and(|m| position.value < m);
            let above = scale.max.is_some_and(|m| position.value > m);
            if position.value.is_finite() && (below || above) {
                self.push(
                    Diagnostic::error(
                        "parley::out-of-range",
                        format!("{ctx}: position {} lies outside the scale", position.value),
                    )
                    .at(span(&a.position), "off the scale")
                    .help(format!("positions lie within the scale's ends, {}", ends(&scale))),
                );
            }
            let salience = self.quantity(&a.salience, &format!("{ctx}: salience"), f64::MIN, f64::MAX);
            if salience.value < 0.0 {
                self.push(
                    Diagnostic::error(
                        "parley::out-of-range",
                        format!("{ctx}: salience {} is negative", salience.value),
                    )
                    .at(span(&a.salience), "below 0")
                    .help("salience is how much the issue matters: from 0 to 1, or from 0 to 100 as papers print it"),
                );
            }
            names.push(name);
            capabilities.push(capability.value);
            positions.push(Field { value: position.value, span: span(&a.position) });
            saliences.push((salience.value, &a.salience));
            provenance.push(ActorProvenance {
                capability: (*capability.provenance).clone(),
                position: (*position.provenance).clone(),
                salience: (*salience.provenance).clone(),
            });
        }
        let values: Vec<f64> = saliences.iter().map(|(v, _)| *v).filter(|v| v.is_finite()).collect();
        let salience_scale = SalienceScale::detect(&values);
        if salience_scale.is_none() {
            for (v, at) in saliences.iter().filter(|(v, _)| *v > 100.0) {
                self.push(
                    Diagnostic::error("parley::out-of-range", format!("salience {v} is outside [0, 100]"))
                        .at(span(at), "above 100")
                        .help("saliences are read as 0–1 when all are at most 1, as percentages when all lie within [0, 100]"),
                );
            }
        }
        let salience_scale = salience_scale.unwrap_or(SalienceScale::Unit);
        let unit: Vec<f64> = saliences.iter().map(|(v, _)| v * salience_scale.factor()).collect();

        let default = f.uncertainty.as_ref();
        let stated = default.is_some() || f.actors.iter().any(|a| a.uncertainty.is_some());
        let mut uncertainty = Vec::new();
        for a in &f.actors {
            let own = a.uncertainty.as_ref();
            let pick = |g: fn(&RawUncertainty) -> &Option<Located<RawQuantity>>| {
                own.and_then(|u| g(u).as_ref()).or_else(|| default.and_then(|u| g(u).as_ref()))
            };
            let s = Stated {
                position: pick(|u| &u.position),
                capability: pick(|u| &u.capability),
                salience: pick(|u| &u.salience),
            };
            uncertainty.push(self.uncertainty(&a.name.value, &s, salience_scale));
        }

        let first = f.actors.first().map_or_else(|| span(&f.id), |a| span(&a.name));
        if !self.diagnostics.iter().any(Diagnostic::is_error) {
            check_actors(&positions, &capabilities, &unit, first, &mut self.diagnostics);
        }
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        let actors = names
            .iter()
            .zip(&capabilities)
            .zip(&positions)
            .zip(&unit)
            .map(|(((name, &c), x), &s)| Actor::new(*name, c, x.value, s))
            .collect();
        let data = match Dataset::with_scale(actors, scale) {
            Ok(data) => data,
            Err(e) => {
                self.push(Diagnostic::error("parley::internal", format!("internal error (please report it): {e}")));
                return None;
            }
        };
        Some(ForecastInput {
            id: f.id.value.clone(),
            title: Some(f.title.clone()),
            description: (!f.description.is_empty()).then(|| f.description.clone()),
            data,
            salience_scale,
            uncertainty: stated.then_some(uncertainty),
            provenance,
            sources,
        })
    }

    fn scale(&mut self, s: &RawScale) -> Scale {
        let min = s.min.as_ref().map(|q| self.quantity(q, "scale: min", f64::MIN, f64::MAX).value);
        let max = s.max.as_ref().map(|q| self.quantity(q, "scale: max", f64::MIN, f64::MAX).value);
        if let (Some(lo), Some(hi)) = (min, max)
            && hi <= lo
        {
            self.push(
                Diagnostic::error("parley::out-of-range", format!("scale: max {hi} is not above min {lo}"))
                    .at(s.max.as_ref().and_then(span), "not above min")
                    .help("the scale runs from min up to a larger max"),
            );
        }
        let mut points: Vec<ScalePoint> = Vec::new();
        for p in &s.points {
            let v = p.value.value;
            let what = if !v.is_finite() {
                Some(format!("scale point \"{}\": value {v} is not a finite number", p.label))
            } else if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
                Some(format!("scale point \"{}\": value {v} lies outside the scale", p.label))
            } else if points.last().is_some_and(|q| v <= q.value) {
                Some(format!("scale point \"{}\": value {v} does not increase on the point before", p.label))
            } else {
                None
            };
            if let Some(what) = what {
                self.push(
                    Diagnostic::error("parley::out-of-range", what)
                        .at(span(&p.value), "here")
                        .help("list the labelled points once each, in increasing order, within the scale's ends"),
                );
            }
            points.push(ScalePoint { value: v, id: p.id.clone(), label: p.label.clone() });
        }
        Scale { name: s.name.clone(), min, max, unit: s.unit.clone(), points }
    }

    /// One actor's uncertainty; the salience's is brought to the 0–1 scale.
    fn uncertainty(&mut self, actor: &str, s: &Stated<'_>, scale: SalienceScale) -> Uncertainty {
        let mut one = |q: Option<&Located<RawQuantity>>, field: &str, hi: f64, rule: &str| -> f64 {
            let Some(q) = q else { return 0.0 };
            let what = format!("actor \"{actor}\": uncertainty of the {field}");
            let value = self.quantity(q, &what, f64::MIN, f64::MAX).value;
            if value.is_finite() && !(value >= 0.0 && value < hi) {
                self.push(
                    Diagnostic::error("parley::out-of-range", format!("{what} is {value}, but {rule}"))
                        .at(span(q), "out of range")
                        .help("an uncertainty is the half-width of the range a Monte Carlo run draws the number from"),
                );
            }
            value
        };
        let position = one(s.position, "position", f64::INFINITY, "it must be at least 0");
        let capability = one(s.capability, "capability", 1.0, "it must lie in [0, 1): a fraction of the capability");
        let salience = one(s.salience, "salience", f64::INFINITY, "it must be at least 0");
        Uncertainty { position, capability, salience: salience * scale.factor() }
    }
}

fn ends(scale: &Scale) -> String {
    let show = |x: Option<f64>, inf: &str| x.map_or(inf.to_string(), |v| v.to_string());
    format!("[{}, {}]", show(scale.min, "-∞"), show(scale.max, "∞"))
}
