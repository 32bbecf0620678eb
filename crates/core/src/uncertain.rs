//! Uncertain parameters: a number of the scenario given as a probability distribution.
//!
//! An [`Uncertain`] names a number by its path (as `parley sources` lists it) and gives the
//! distribution its value is drawn from in a Monte Carlo experiment, with the provenance of
//! the range (where the sources disagree or give a range). Commands that do not sample
//! (analyze, check, simulate) keep using the number's point value.

use serde::Serialize;

use crate::scenario::Provenance;

/// A probability distribution of a number.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distribution {
    /// Normal with mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// Lognormal: the log is normal; given by the median and the standard deviation of the log.
    Lognormal {
        /// Median (> 0).
        median: f64,
        /// Standard deviation of the log (> 0).
        sigma: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end (> min).
        max: f64,
    },
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
    /// PERT (a beta distribution shaped by min, mode and max, λ = 4).
    Pert {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
    /// Beta with shapes α and β, scaled to `[min, max]` (default `[0, 1]`).
    Beta {
        /// Shape α (> 0).
        alpha: f64,
        /// Shape β (> 0).
        beta: f64,
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
}

impl Distribution {
    /// What is wrong with the parameters, if anything (in words, for a diagnostic).
    pub fn problem(&self) -> Option<String> {
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        match *self {
            Distribution::Normal { mean, sd } => {
                if !finite(&[mean, sd]) {
                    Some("the mean and standard deviation must be finite numbers".into())
                } else if sd <= 0.0 {
                    Some(format!("the standard deviation is {sd}; it must be positive"))
                } else {
                    None
                }
            }
            Distribution::Lognormal { median, sigma } => {
                if !finite(&[median, sigma]) || median <= 0.0 || sigma <= 0.0 {
                    Some(format!("median {median} and sigma {sigma}: both must be positive"))
                } else {
                    None
                }
            }
            Distribution::Uniform { min, max } => {
                (!finite(&[min, max]) || min >= max).then(|| format!("min {min} must be below max {max}"))
            }
            Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max } => {
                (!finite(&[min, mode, max]) || min >= max || mode < min || mode > max)
                    .then(|| format!("need min < max and min ≤ mode ≤ max; got {min}, {mode}, {max}"))
            }
            Distribution::Beta { alpha, beta, min, max } => {
                if !finite(&[alpha, beta, min, max]) || alpha <= 0.0 || beta <= 0.0 {
                    Some(format!("shapes α = {alpha} and β = {beta} must be positive"))
                } else if min >= max {
                    Some(format!("min {min} must be below max {max}"))
                } else {
                    None
                }
            }
        }
    }

    /// Where its draws lie before truncation: `(lower, upper)`, infinite where unbounded.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Distribution::Lognormal { .. } => (0.0, f64::INFINITY),
            Distribution::Uniform { min, max }
            | Distribution::Triangular { min, max, .. }
            | Distribution::Pert { min, max, .. }
            | Distribution::Beta { min, max, .. } => (min, max),
        }
    }

    /// The mean of the distribution (before truncation).
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Normal { mean, .. } => mean,
            Distribution::Lognormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Distribution::Uniform { min, max } => (min + max) / 2.0,
            Distribution::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Distribution::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Distribution::Beta { alpha, beta, min, max } => min + (max - min) * alpha / (alpha + beta),
        }
    }
}

/// A number of the scenario that a Monte Carlo experiment draws from a distribution.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Uncertain {
    /// The number's path, as `parley sources` lists it.
    pub path: String,
    /// What its value is drawn from.
    pub distribution: Distribution,
    /// Draws outside these bounds are redrawn (truncation).
    pub bounds: Option<(f64, f64)>,
    /// Where the range comes from.
    pub provenance: Provenance,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_malformed_distributions_are_named() {
        assert!(Distribution::Normal { mean: 0.0, sd: -1.0 }.problem().unwrap().contains("standard deviation"));
        assert!(Distribution::Uniform { min: 2.0, max: 1.0 }.problem().is_some());
        assert!(Distribution::Triangular { min: 0.0, mode: 2.0, max: 1.0 }.problem().is_some());
        assert!(Distribution::Beta { alpha: 0.0, beta: 1.0, min: 0.0, max: 1.0 }.problem().is_some());
        assert!(Distribution::Lognormal { median: 1.0, sigma: 0.5 }.problem().is_none());
        assert!(Distribution::Pert { min: 0.0, mode: 0.5, max: 1.0 }.problem().is_none());
    }
}
