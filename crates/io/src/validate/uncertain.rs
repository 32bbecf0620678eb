//! Uncertain numbers: the distributions a Monte Carlo experiment draws numbers of the
//! scenario from, checked against the finished scenario.
//!
//! An entry must name a number that resolves (as a lever's `set` path does) and that an
//! experiment can redraw for each replicate: a number of the war (`conflict.…`) or a
//! reservation value. Other numbers of the preferences change how the actors rank the
//! outcome space, which is ranked once per experiment, not once per replicate. The
//! distribution takes exactly the parameters of its kind, and its draws (after truncation
//! by `bounds`) must stay within the number's range; a point value the draws cannot reach
//! is only a warning. Range ends are compared as closed: a continuous draw lands on an
//! end with probability zero.

use parley_core::{Distribution, Scenario, Uncertain};

use super::conflict::{Bounds, conflict_bounds};
use super::{Validator, numeric_id, paths_near, span};
use crate::diagnostic::Diagnostic;
use crate::located::Located;
use crate::raw::{RawDistribution, RawDistributionKind, RawUncertain};

const SAMPLEABLE_HELP: &str = "only numbers under `conflict.` and reservation values \
    (`preferences.ACTOR.reservation`) can be drawn: other preference numbers change the ranking of the outcome \
    space, which the experiment engine does not redo per replicate";

impl Validator<'_> {
    /// The `[[uncertain]]` entries, checked against the validated scenario (levers and
    /// expectations included).
    pub(super) fn uncertain(&mut self, raw: &[RawUncertain], scenario: &Scenario) -> Vec<Uncertain> {
        let mut probe = scenario.clone();
        let mut out = Vec::new();
        for (k, u) in raw.iter().enumerate() {
            let path = u.path.value.as_str();
            let ctx = format!("uncertain \"{path}\"");
            let point = if raw[..k].iter().any(|x| x.path.value == path) {
                self.push(
                    Diagnostic::error("parley::duplicate-id", format!("{ctx}: the path is listed twice"))
                        .at(span(&u.path), "second entry")
                        .help("give each number one [[uncertain]] entry"),
                );
                None
            } else {
                self.sampled_number(&u.path, &mut probe, scenario, &ctx)
            };
            let distribution = self.distribution(&u.distribution, &ctx);
            let bounds = match &u.bounds {
                None => Some(None),
                Some(b) => self.truncation(b, &ctx).map(Some),
            };
            let provenance = self.provenance(&u.source, &u.assumption, &ctx, span(&u.path));
            let (Some(point), Some(distribution), Some(bounds)) = (point, distribution, bounds) else { continue };
            if !self.draws_in_range(u, &distribution, bounds, point, &ctx) {
                continue;
            }
            out.push(Uncertain { path: path.to_string(), distribution, bounds, provenance });
        }
        out
    }

    /// The point value of the number at `path`, if it resolves and may be drawn.
    fn sampled_number(
        &mut self,
        path: &Located<String>,
        probe: &mut Scenario,
        scenario: &Scenario,
        ctx: &str,
    ) -> Option<f64> {
        let p = path.value.as_str();
        let Some(quantity) = probe.quantity_mut(p) else {
            if scenario.numbers().iter().any(|n| n.path == p) {
                // Listed by `parley sources`, but a change (lever, event) or a series' mean.
                self.push(
                    Diagnostic::error("parley::not-sampleable", format!("{ctx}: this number cannot be drawn"))
                        .at(span(path), "a change or a series, not a parameter")
                        .help(format!("lever and event changes and monthly series are not drawn; {SAMPLEABLE_HELP}")),
                );
            } else {
                self.unknown_path(path, "uncertain", &paths_near(scenario, p));
            }
            return None;
        };
        let value = quantity.value;
        if !is_sampleable(p) {
            self.push(
                Diagnostic::error("parley::not-sampleable", format!("{ctx}: this number cannot be drawn"))
                    .at(span(path), "not sampleable")
                    .help(SAMPLEABLE_HELP),
            );
            return None;
        }
        Some(value)
    }

    /// The distribution, if its parameters are exactly those of its kind and well-formed.
    fn distribution(&mut self, d: &Located<RawDistribution>, ctx: &str) -> Option<Distribution> {
        use RawDistributionKind as K;
        let raw = &d.value;
        let (name, needs, optional): (&str, &[&str], &[&str]) = match raw.kind.value {
            K::Normal => ("normal", &["mean", "sd"], &[]),
            K::Lognormal => ("lognormal", &["median", "sigma"], &[]),
            K::Uniform => ("uniform", &["min", "max"], &[]),
            K::Triangular => ("triangular", &["min", "mode", "max"], &[]),
            K::Pert => ("pert", &["min", "mode", "max"], &[]),
            K::Beta => ("beta", &["alpha", "beta"], &["min", "max"]),
        };
        let takes = if optional.is_empty() {
            format!("distribution \"{name}\" takes {}", words(needs))
        } else {
            format!(
                "distribution \"{name}\" takes {}, and optionally {} (default 0 and 1)",
                words(needs),
                words(optional)
            )
        };
        let mut complete = true;
        for (param, given) in parameters(raw) {
            let needed = needs.contains(&param);
            match given {
                None if needed => {
                    complete = false;
                    self.push(
                        Diagnostic::error(
                            "parley::field-kind",
                            format!("{ctx}: distribution \"{name}\" needs `{param}`"),
                        )
                        .at(span(&raw.kind), "this kind")
                        .help(takes.clone()),
                    );
                }
                Some(at) if !needed && !optional.contains(&param) => {
                    complete = false;
                    self.push(
                        Diagnostic::error(
                            "parley::field-kind",
                            format!("{ctx}: `{param}` does not apply to distribution \"{name}\""),
                        )
                        .at(span(at), "not used by this kind")
                        .help(takes.clone()),
                    );
                }
                _ => {}
            }
        }
        if !complete {
            return None;
        }
        // Every needed parameter is given here; the default applies to beta's optional range.
        let value = |x: &Option<Located<f64>>, default: f64| x.as_ref().map_or(default, |l| l.value);
        let distribution = match raw.kind.value {
            K::Normal => Distribution::Normal { mean: value(&raw.mean, 0.0), sd: value(&raw.sd, 0.0) },
            K::Lognormal => Distribution::Lognormal { median: value(&raw.median, 0.0), sigma: value(&raw.sigma, 0.0) },
            K::Uniform => Distribution::Uniform { min: value(&raw.min, 0.0), max: value(&raw.max, 0.0) },
            K::Triangular => Distribution::Triangular {
                min: value(&raw.min, 0.0),
                mode: value(&raw.mode, 0.0),
                max: value(&raw.max, 0.0),
            },
            K::Pert => {
                Distribution::Pert { min: value(&raw.min, 0.0), mode: value(&raw.mode, 0.0), max: value(&raw.max, 0.0) }
            }
            K::Beta => Distribution::Beta {
                alpha: value(&raw.alpha, 0.0),
                beta: value(&raw.beta, 0.0),
                min: value(&raw.min, 0.0),
                max: value(&raw.max, 1.0),
            },
        };
        if let Some(problem) = distribution.problem() {
            let (at, label) = culprit(raw, &distribution);
            let help = match raw.kind.value {
                K::Normal => "`mean` is any finite number and the standard deviation `sd` a positive one",
                K::Lognormal => "the median and `sigma`, the standard deviation of the log, must both be positive",
                K::Uniform => "write `min` below `max`",
                K::Triangular | K::Pert => "write min ≤ mode ≤ max with min < max",
                K::Beta => "the shapes `alpha` and `beta` must be positive and `min` below `max` (default 0 and 1)",
            };
            self.push(
                Diagnostic::error("parley::out-of-range", format!("{ctx}: distribution \"{name}\": {problem}"))
                    .at(at.and_then(span).or_else(|| span(d)), label)
                    .help(help),
            );
            return None;
        }
        Some(distribution)
    }

    /// Truncation bounds, if finite and in order.
    fn truncation(&mut self, b: &Located<(f64, f64)>, ctx: &str) -> Option<(f64, f64)> {
        let (lo, hi) = b.value;
        let help = "bounds are two finite numbers [lo, hi] with lo < hi; draws outside them are redrawn";
        if !(lo.is_finite() && hi.is_finite()) {
            self.push(
                Diagnostic::error("parley::not-finite", format!("{ctx}: bounds [{lo}, {hi}] are not finite"))
                    .at(span(b), "not finite")
                    .help(help),
            );
            return None;
        }
        if lo >= hi {
            self.push(
                Diagnostic::error(
                    "parley::out-of-range",
                    format!("{ctx}: bounds [{lo}, {hi}]: the lower bound must be below the upper"),
                )
                .at(span(b), "inverted")
                .help(help),
            );
            return None;
        }
        Some((lo, hi))
    }

    /// Checks that the draws (after truncation) can occur and stay within the number's
    /// allowed range, and warns when they cannot reach the point value. Returns whether
    /// there was no error.
    fn draws_in_range(
        &mut self,
        u: &RawUncertain,
        distribution: &Distribution,
        bounds: Option<(f64, f64)>,
        point: f64,
        ctx: &str,
    ) -> bool {
        let support = distribution.support();
        let (lo, hi) = match bounds {
            Some((blo, bhi)) => (support.0.max(blo), support.1.min(bhi)),
            None => support,
        };
        let bounds_span = u.bounds.as_ref().and_then(span);
        if lo >= hi {
            self.push(
                Diagnostic::error(
                    "parley::out-of-range",
                    format!("{ctx}: the bounds leave no draw: the distribution lies in {}", closed(support)),
                )
                .at(bounds_span, "no overlap")
                .help("bounds truncate the distribution, so they must overlap its range"),
            );
            return false;
        }
        let allowed = allowed_range(&u.path.value);
        let (alo, ahi) = allowed.ends();
        if lo < alo || hi > ahi {
            let range = allowed.interval();
            let suggestion = suggested_bounds(distribution, (lo.max(alo), hi.min(ahi)));
            let message = match (&suggestion, bounds) {
                (Some((a, b)), None) => {
                    format!("{ctx}: draws could leave the allowed range {range}; add bounds = [{a}, {b}]")
                }
                (Some((a, b)), Some(_)) => {
                    format!("{ctx}: draws could leave the allowed range {range}; narrow bounds to [{a}, {b}]")
                }
                (None, _) => format!("{ctx}: draws fall outside the allowed range {range}"),
            };
            let help = if suggestion.is_some() {
                format!("the number must be {}; draws outside `bounds` are redrawn", allowed.describe())
            } else {
                format!("the number must be {}; move the distribution into that range", allowed.describe())
            };
            let label = if support.0.is_infinite() || support.1.is_infinite() { "unbounded" } else { "too wide" };
            self.push(
                Diagnostic::error("parley::out-of-range", message)
                    .at(bounds_span.clone().or_else(|| span(&u.distribution)), label)
                    .help(help),
            );
            return false;
        }
        if point < lo || point > hi {
            let outside_bounds = bounds.is_some_and(|(blo, bhi)| point < blo || point > bhi);
            let at = if outside_bounds { bounds_span } else { span(&u.distribution) };
            self.push(
                Diagnostic::warning(
                    "parley::uncertain",
                    format!("{ctx}: the point value {point} lies outside the draws' range {}", closed((lo, hi))),
                )
                .at(at, format!("excludes {point}"))
                .help(format!(
                    "commands that do not sample (analyze, check, simulate) use {point}; widen the range to \
                     include it, or change the value where the number is defined"
                )),
            );
        }
        true
    }
}

/// Whether an experiment may draw the number at `path` once per replicate.
fn is_sampleable(path: &str) -> bool {
    path.starts_with("conflict.")
        || matches!(path.split('.').collect::<Vec<_>>().as_slice(), ["preferences", _, "reservation"])
}

/// The range the number at a sampleable `path` must stay in.
fn allowed_range(path: &str) -> Bounds {
    match path.strip_prefix("conflict.") {
        Some(rest) => conflict_bounds(&rest.split('.').collect::<Vec<_>>()),
        None => Bounds::UNIT,
    }
}

/// Finite bounds `within` the allowed range for a distribution that leaves it: an infinite
/// end is cut where little mass remains (mean ± 4 sd; median · e^(±4σ)). `None` if no
/// such bounds exist.
fn suggested_bounds(d: &Distribution, (lo, hi): (f64, f64)) -> Option<(String, String)> {
    let (far_lo, far_hi) = match *d {
        Distribution::Normal { mean, sd } => (mean - 4.0 * sd, mean + 4.0 * sd),
        Distribution::Lognormal { median, sigma } => (median * (-4.0 * sigma).exp(), median * (4.0 * sigma).exp()),
        _ => (lo, hi),
    };
    let lo = if lo.is_finite() { lo } else { far_lo };
    let hi = if hi.is_finite() { hi } else { far_hi };
    (lo.is_finite() && hi.is_finite() && lo < hi).then(|| (numeric_id(lo), numeric_id(hi)))
}

/// A range with its ends, `[0, 1]` or `(-∞, ∞)`.
fn closed((lo, hi): (f64, f64)) -> String {
    Bounds::closed(lo, hi).interval()
}

/// Every parameter of the file's distribution table, with its span if given.
fn parameters(raw: &RawDistribution) -> [(&'static str, Option<&Located<f64>>); 9] {
    [
        ("mean", raw.mean.as_ref()),
        ("sd", raw.sd.as_ref()),
        ("median", raw.median.as_ref()),
        ("sigma", raw.sigma.as_ref()),
        ("min", raw.min.as_ref()),
        ("mode", raw.mode.as_ref()),
        ("max", raw.max.as_ref()),
        ("alpha", raw.alpha.as_ref()),
        ("beta", raw.beta.as_ref()),
    ]
}

/// The parameter to blame for malformed parameters (`None`: the whole table), with a label.
fn culprit<'r>(raw: &'r RawDistribution, d: &Distribution) -> (Option<&'r Located<f64>>, &'static str) {
    let bad = |x: f64| !(x.is_finite() && x > 0.0);
    match *d {
        Distribution::Normal { mean, .. } if !mean.is_finite() => (raw.mean.as_ref(), "not finite"),
        Distribution::Normal { .. } => (raw.sd.as_ref(), "not positive"),
        Distribution::Lognormal { median, .. } if bad(median) => (raw.median.as_ref(), "not positive"),
        Distribution::Lognormal { .. } => (raw.sigma.as_ref(), "not positive"),
        Distribution::Beta { alpha, .. } if bad(alpha) => (raw.alpha.as_ref(), "not positive"),
        Distribution::Beta { beta, .. } if bad(beta) => (raw.beta.as_ref(), "not positive"),
        Distribution::Uniform { min, max } | Distribution::Beta { min, max, .. } => {
            if !(min.is_finite() && max.is_finite()) {
                (None, "not finite")
            } else {
                (raw.max.as_ref().or(raw.min.as_ref()), "not above min")
            }
        }
        Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max } => {
            if !(min.is_finite() && mode.is_finite() && max.is_finite()) {
                (None, "not finite")
            } else if min >= max {
                (raw.max.as_ref(), "not above min")
            } else {
                (raw.mode.as_ref(), "outside [min, max]")
            }
        }
    }
}

/// "`a` and `b`", "`a`, `b` and `c`".
fn words(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_is_sampleable() {
        assert!(is_sampleable("conflict.sides.north.optimism"));
        assert!(is_sampleable("preferences.rus.reservation"));
        assert!(!is_sampleable("preferences.rus.weights.territory"));
        assert!(!is_sampleable("preferences.rus.discount"));
        assert!(!is_sampleable("actors.rus.power"));
    }

    #[test]
    fn test_suggested_bounds() {
        let normal = Distribution::Normal { mean: 0.4, sd: 0.1 };
        assert_eq!(suggested_bounds(&normal, (0.0, 1.0)), Some(("0".into(), "1".into())));
        assert_eq!(suggested_bounds(&normal, (0.0, f64::INFINITY)), Some(("0".into(), "0.8".into())));
        let far = Distribution::Normal { mean: -10.0, sd: 1.0 };
        assert_eq!(suggested_bounds(&far, (0.0, f64::INFINITY)), None);
    }

    #[test]
    fn test_words_and_ranges() {
        assert_eq!(words(&["min", "mode", "max"]), "`min`, `mode` and `max`");
        assert_eq!(words(&["sd"]), "`sd`");
        assert_eq!(closed((f64::NEG_INFINITY, 2.5)), "(-∞, 2.5]");
    }
}
