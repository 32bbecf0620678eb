//! Risk exponents (section 4 of the specification), estimated afresh in every round.
//!
//! From all exponents 1, each actor's security level is how much the others stand to gain by
//! challenging it, `S_i = Σ_{j≠i} EU(j→i)`; the levels are normalised across actors to
//! `Rsk_i` in [−1, 1] and mapped to `r_i = (1 − Rsk_i/3) / (1 + Rsk_i/3)` in [0.5, 2]
//! (Bueno de Mesquita 1985, \[S\] eq. 33): the safest actor gets 2, the most threatened 0.5.

use crate::options::RiskUpdate;
use crate::pairwise::{Pass, Setting};

/// The security levels `S_i = Σ_{j≠i} EU(j→i)`, every evaluation with exponent 1, over
/// probabilities whose votes use `exponents`.
pub(crate) fn security_levels(setting: Setting<'_>, exponents: &[f64]) -> Vec<f64> {
    let pass = Pass::new(setting, exponents);
    let n = setting.positions.len();
    (0..n)
        .map(|i| {
            let mut s = 0.0;
            for j in (0..n).filter(|&j| j != i) {
                s += pass.expected_utility(j, i, 1.0);
            }
            s
        })
        .collect()
}

/// `Rsk_i = (2 S_i − S_max − S_min) / (S_max − S_min)`, in [−1, 1].
///
/// The numerator is formed as `(S_i − S_max) + (S_i − S_min)`, which is the same number in
/// exact arithmetic and, in floating point, can never exceed the denominator in magnitude,
/// so `Rsk` stays within [−1, 1] even when the levels nearly coincide. When all levels are
/// equal (for example everyone at one position) every reference divides by zero; here every
/// `Rsk` is 0, the specification's recommendation, which gives exponent 1.
pub fn normalised_risk(levels: &[f64]) -> Vec<f64> {
    let max = levels.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = levels.iter().copied().fold(f64::INFINITY, f64::min);
    let spread = max - min;
    if spread.is_nan() || spread <= 0.0 {
        return vec![0.0; levels.len()];
    }
    levels.iter().map(|&s| ((s - max) + (s - min)) / spread).collect()
}

/// The risk exponent `r = (1 − Rsk/3) / (1 + Rsk/3)`, evaluated literally and not clamped:
/// at the ends it gives 0.5000000000000001 and 1.9999999999999998, as the references do.
pub fn exponent(rsk: f64) -> f64 {
    (1.0 - rsk / 3.0) / (1.0 + rsk / 3.0)
}

/// The risk exponents of a round at the positions of `setting`.
pub(crate) fn risk_exponents(setting: Setting<'_>, update: RiskUpdate) -> Vec<f64> {
    let n = setting.positions.len();
    match update {
        RiskUpdate::Batch => {
            let levels = security_levels(setting, &vec![1.0; n]);
            normalised_risk(&levels).into_iter().map(exponent).collect()
        }
        RiskUpdate::Sequential => {
            let mut r = vec![1.0; n];
            for i in 0..n {
                // Actors before i already carry their new exponents in the votes.
                let levels = security_levels(setting, &r);
                r[i] = exponent(normalised_risk(&levels)[i]);
            }
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;
    use crate::options::Denominator;

    const X: [f64; 3] = [0.0, 1.0, 3.0];
    const W: [f64; 3] = [1.0, 0.5, 0.5];
    const S: [f64; 3] = [1.0, 0.5, 0.25];

    fn setting() -> Setting<'static> {
        Setting {
            positions: &X,
            weights: &W,
            saliences: &S,
            range: 3.0,
            q: 1.0,
            median: 0.0,
            denominator: Denominator::Global,
        }
    }

    /// The three-actor example by hand, D = 22/3 and EU(j→i) = 2d(1 − 2 s_i (1 − P(x_j, x_i))).
    #[test]
    fn test_security_levels_by_hand() {
        let d = 22.0 / 3.0;
        let eu = |gap: f64, s_target: f64, p_num: f64| 2.0 * gap / 3.0 * (1.0 - 2.0 * s_target * (1.0 - p_num / d));
        // P numerators (positive votes for the challenger's position), linear votes:
        // P(1,0) 1/3, P(3,0) 1/2, P(0,1) 1/3, P(3,1) 1/3, P(0,3) 7/6, P(1,3) 1.
        // P(1, 3): A 1·(3 − 1)/3 = 2/3, B 0.5·(2 − 0)/3 = 1/3, C 0.5·(0 − 2)/3 < 0 → 1.
        let s_a = eu(1.0, 1.0, 1.0 / 3.0) + eu(3.0, 1.0, 0.5);
        let s_b = eu(1.0, 0.5, 1.0 / 3.0) + eu(2.0, 0.5, 1.0 / 3.0);
        let s_c = eu(3.0, 0.25, 7.0 / 6.0) + eu(2.0, 0.25, 1.0);
        let levels = security_levels(setting(), &[1.0; 3]);
        assert_relative_eq!(levels[0], s_a, max_relative = 1e-14);
        assert_relative_eq!(levels[1], s_b, max_relative = 1e-14);
        assert_relative_eq!(levels[2], s_c, max_relative = 1e-14);
        // C is the most threatened (others gain most by challenging it), A the safest.
        assert!(s_c > s_b && s_b > s_a);
        let rsk = normalised_risk(&levels);
        assert_relative_eq!(rsk[0], -1.0);
        assert_relative_eq!(rsk[2], 1.0);
        assert_relative_eq!(rsk[1], (2.0 * s_b - s_a - s_c) / (s_c - s_a), max_relative = 1e-12);
        let r = risk_exponents(setting(), RiskUpdate::Batch);
        assert_relative_eq!(r[0], 2.0, max_relative = 1e-15);
        assert_relative_eq!(r[2], 0.5, max_relative = 1e-15);
        let rb = rsk[1];
        assert_relative_eq!(r[1], (1.0 - rb / 3.0) / (1.0 + rb / 3.0));
    }

    #[test]
    fn test_exponent_is_not_clamped() {
        // The literal formula at the ends, as the references hold them.
        assert_eq!(exponent(1.0).to_bits(), 0.5000000000000001f64.to_bits());
        assert_eq!(exponent(-1.0).to_bits(), 1.9999999999999998f64.to_bits());
        assert_relative_eq!(exponent(0.0), 1.0);
    }

    #[test]
    fn test_equal_security_gives_exponent_one() {
        assert_eq!(normalised_risk(&[0.3, 0.3, 0.3]), vec![0.0; 3]);
        assert_eq!(normalised_risk(&[0.0, 0.0]), vec![0.0; 2]);
        assert!(normalised_risk(&[1.0, 2.0]).iter().all(|r| r.is_finite()));
    }

    #[test]
    fn test_normalised_risk_stays_in_range_for_nearly_equal_levels() {
        let base = 0.123_456_789;
        let levels = [base, base + 1e-17, base + 3e-17, -base, base * (1.0 + f64::EPSILON)];
        for r in normalised_risk(&levels) {
            assert!((-1.0..=1.0).contains(&r), "{r}");
        }
    }

    #[test]
    fn test_sequential_update_starts_like_batch() {
        // The first actor's estimate sees only exponents 1, as in the batch update.
        let batch = risk_exponents(setting(), RiskUpdate::Batch);
        let sequential = risk_exponents(setting(), RiskUpdate::Sequential);
        assert_relative_eq!(batch[0], sequential[0]);
        assert!(sequential.iter().all(|r| (0.5 - 1e-12..=2.0 + 1e-12).contains(r)));
    }
}
