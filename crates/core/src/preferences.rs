//! What each actor wants: issue weights, value functions, linkages, red lines, the
//! reservation value and, optionally, a discount factor.
//!
//! An actor's utility for an outcome `o` is
//!
//! ```text
//! u(o) = clamp_[0,1]( Σ_i ŵ_i · v_i(o_i)  +  Σ_{linkages ℓ that o satisfies} δ_ℓ )
//! ```
//!
//! where `ŵ` are the weights normalised to sum to one, `v_i` maps each option of issue `i`
//! into `[0, 1]`, and each linkage adds (or, when negative, subtracts) `δ_ℓ` when all of its
//! conditions hold together. Clamping keeps every utility on the common `[0, 1]` scale on
//! which reservation values are stated: a linkage cannot lift a package above the best
//! possible or below the worst possible. A **red line** makes every outcome that satisfies
//! its condition unacceptable to the actor, whatever its utility.

use serde::Serialize;

use crate::outcome::Issue;
use crate::scenario::{Citation, Quantity};

/// Weights whose sum differs from one by at most this are taken as already normalised.
pub const WEIGHT_SUM_TOLERANCE: f64 = 1e-9;

/// Maps an issue's options to values in `[0, 1]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueFunction {
    /// One value per option, in option order.
    Table {
        /// The values.
        values: Vec<Quantity>,
    },
    /// Straight line from `at_min` (at the issue's minimum) to `at_max` (at its maximum).
    Linear {
        /// Value at the smallest option.
        at_min: Quantity,
        /// Value at the largest option.
        at_max: Quantity,
    },
    /// 1 at `peak`, falling linearly to 0 at `low` and at `high` (0 outside).
    Triangular {
        /// Where the value reaches 0 on the low side.
        low: Quantity,
        /// The most preferred point.
        peak: Quantity,
        /// Where the value reaches 0 on the high side.
        high: Quantity,
    },
    /// `below` for options under `threshold`, `above` from `threshold` on.
    Step {
        /// The switch point.
        threshold: Quantity,
        /// Value under the threshold.
        below: Quantity,
        /// Value at and above the threshold.
        above: Quantity,
    },
}

impl ValueFunction {
    /// The value of option `option` of `issue`. Numeric value functions read the option's
    /// numeric value; tables index by position.
    pub fn value(&self, issue: &Issue, option: usize) -> f64 {
        let x = issue.options[option].value.unwrap_or(option as f64);
        match self {
            ValueFunction::Table { values } => values[option].value,
            ValueFunction::Linear { at_min, at_max } => {
                let (lo, hi) = issue.kind.range().unwrap_or((0.0, (issue.options.len() - 1) as f64));
                if hi > lo { at_min.value + (at_max.value - at_min.value) * (x - lo) / (hi - lo) } else { at_max.value }
            }
            ValueFunction::Triangular { low, peak, high } => {
                let (l, p, h) = (low.value, peak.value, high.value);
                if x < p {
                    if p > l { ((x - l) / (p - l)).max(0.0) } else { 0.0 }
                } else if x > p {
                    if h > p { ((h - x) / (h - p)).max(0.0) } else { 0.0 }
                } else {
                    1.0
                }
            }
            ValueFunction::Step { threshold, below, above } => {
                if x < threshold.value {
                    below.value
                } else {
                    above.value
                }
            }
        }
    }

    /// Calls `f` with every number of the function.
    pub fn visit_numbers<'a>(&'a self, issue: &Issue, f: &mut dyn FnMut(String, &'a Quantity)) {
        match self {
            ValueFunction::Table { values } => {
                for (q, option) in values.iter().zip(&issue.options) {
                    f(option.id.clone(), q);
                }
            }
            ValueFunction::Linear { at_min, at_max } => {
                f("at_min".into(), at_min);
                f("at_max".into(), at_max);
            }
            ValueFunction::Triangular { low, peak, high } => {
                f("low".into(), low);
                f("peak".into(), peak);
                f("high".into(), high);
            }
            ValueFunction::Step { threshold, below, above } => {
                f("threshold".into(), threshold);
                f("below".into(), below);
                f("above".into(), above);
            }
        }
    }
}

/// A conjunction of "issue takes one of these options" terms.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// `(issue index, allowed option indices)`; the condition holds when every term does.
    pub terms: Vec<(usize, Vec<usize>)>,
}

impl Condition {
    /// Whether the outcome satisfies every term.
    pub fn matches(&self, outcome: &[u32]) -> bool {
        self.terms.iter().all(|(issue, options)| options.contains(&(outcome[*issue] as usize)))
    }

    /// The condition in words, for example `territory = freeze and nato in {closed, frozen}`.
    pub fn describe(&self, issues: &[Issue]) -> String {
        self.terms
            .iter()
            .map(|(i, opts)| {
                let issue = &issues[*i];
                let names: Vec<&str> = opts.iter().map(|&o| issue.options[o].id.as_str()).collect();
                if names.len() == 1 {
                    format!("{} = {}", issue.id, names[0])
                } else {
                    format!("{} in {{{}}}", issue.id, names.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// An interaction term: utility added when options occur together.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Linkage {
    /// Identifier, unique per actor.
    pub id: String,
    /// When the linkage applies.
    pub when: Condition,
    /// Utility added (negative: subtracted), on the `[0, 1]` utility scale.
    pub delta: Quantity,
}

/// Options or combinations an actor will not accept.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RedLine {
    /// Identifier, unique per actor.
    pub id: String,
    /// Outcomes satisfying this condition are unacceptable to the actor.
    pub when: Condition,
    /// Why, in words.
    pub reason: String,
    /// The source the red line restates, if cited.
    pub source: Option<Citation>,
}

/// One actor's preferences.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preferences {
    /// Weight of each issue, in issue order (0 for issues the actor does not weigh).
    /// Stored as written; [`Preferences::normalised_weights`] rescales them to sum to one.
    pub weights: Vec<Option<Quantity>>,
    /// Value function of each issue the actor weighs, in issue order.
    pub values: Vec<Option<ValueFunction>>,
    /// Interaction terms.
    pub linkages: Vec<Linkage>,
    /// Outcomes the actor will not accept.
    pub red_lines: Vec<RedLine>,
    /// Utility of the actor's best alternative to a negotiated agreement, on `[0, 1]`.
    pub reservation: Quantity,
    /// Discount factor δ in `(0, 1]`, as in Genius: at normalised time `t ∈ [0, 1]` of a
    /// negotiation (0 at the start, 1 at the deadline) an agreement is worth `u(o)·δ^t`,
    /// and the reservation value is discounted the same way. `None` means no discounting.
    /// Static analysis (frontier, zone, solutions) ignores it, as is usual for Genius
    /// domains; protocols that simulate time apply it.
    pub discount: Option<Quantity>,
}

impl Preferences {
    /// Weights rescaled to sum to one (all zero if the actor weighs nothing). Weights that
    /// already sum to one within [`WEIGHT_SUM_TOLERANCE`] are used exactly as written, so
    /// that a domain built elsewhere evaluates bit for bit as it does there.
    pub fn normalised_weights(&self) -> Vec<f64> {
        let raw: Vec<f64> = self.weights.iter().map(|w| w.as_ref().map_or(0.0, |q| q.value)).collect();
        let sum: f64 = raw.iter().sum();
        if sum > 0.0 && (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE { raw.iter().map(|w| w / sum).collect() } else { raw }
    }

    /// Sum of the weights as written.
    pub fn weight_sum(&self) -> f64 {
        self.weights.iter().map(|w| w.as_ref().map_or(0.0, |q| q.value)).sum()
    }

    /// The additive part of the utility: `ŵ_i · v_i(option)` for one issue and option.
    pub fn weighted_value(&self, weights: &[f64], issues: &[Issue], issue: usize, option: usize) -> f64 {
        match &self.values[issue] {
            Some(vf) => weights[issue] * vf.value(&issues[issue], option),
            None => 0.0,
        }
    }

    /// Calls `f` with every number of these preferences.
    pub fn visit_numbers<'a>(&'a self, issues: &[Issue], f: &mut dyn FnMut(String, &'a Quantity)) {
        f("reservation".into(), &self.reservation);
        if let Some(discount) = &self.discount {
            f("discount".into(), discount);
        }
        for (issue, w) in issues.iter().zip(&self.weights) {
            if let Some(w) = w {
                f(format!("weights.{}", issue.id), w);
            }
        }
        for (issue, vf) in issues.iter().zip(&self.values) {
            if let Some(vf) = vf {
                vf.visit_numbers(issue, &mut |name, q| f(format!("values.{}.{}", issue.id, name), q));
            }
        }
        for l in &self.linkages {
            f(format!("linkages.{}", l.id), &l.delta);
        }
    }
}
