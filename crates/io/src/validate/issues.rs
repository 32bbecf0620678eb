//! Issues and value functions: how options are defined and valued.

use parley_core::{Issue, IssueKind, IssueOption, Quantity, ValueFunction};

use super::{MAX_OPTIONS_PER_ISSUE, Validator, list, numeric_id, span};
use crate::diagnostic::Diagnostic;
use crate::located::Located;
use crate::raw::{RawFunction, RawIssue, RawIssueKind, RawQuantity, RawValueFunction};

impl Validator<'_> {
    pub(super) fn issue(&mut self, i: &RawIssue) -> Issue {
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
                            self.declare(
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

    pub(super) fn value_function(
        &mut self,
        vf: &Located<RawValueFunction>,
        issue: &Issue,
        who: &str,
    ) -> Option<ValueFunction> {
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
}
