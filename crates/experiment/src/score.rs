//! Scoring probabilistic forecasts against what happened.
//!
//! A forecast is an ensemble: sample values (replicates), equally weighted. Scores:
//!
//! * the **continuous ranked probability score** [`crps`], `CRPS(F, y) = E|X − y| −
//!   ½·E|X − X′|` for `X, X′` independent draws from the forecast `F` (Gneiting & Raftery,
//!   "Strictly proper scoring rules, prediction, and estimation", JASA 102(477):359–378,
//!   2007, doi:10.1198/016214506000001437), in the unit of the series; lower is better, and
//!   a point forecast's CRPS is its absolute error. The ensemble's pairwise term is summed
//!   over sorted values in `O(m log m)`;
//! * the **probability integral transform** [`pit`], `F(y)`: over many forecasts its
//!   histogram is flat for a calibrated forecaster;
//! * whether the central intervals **cover** the outcome ([`covers`]);
//! * the median's error.
//!
//! [`crps_normal`] is the closed form for a normal forecast, which the tests check the
//! ensemble score against. The VIEWS forecasting competition scores conflict forecasts the
//! same way (Hegre et al., "The 2023/24 VIEWS prediction challenge", Journal of Peace
//! Research, 2024).

use std::f64::consts::PI;

use parley_core::stats::quantile;

/// The CRPS of an ensemble (any order) for the outcome `y`: the CRPS of its empirical
/// distribution. NaN for an empty ensemble.
pub fn crps(ensemble: &[f64], y: f64) -> f64 {
    let m = ensemble.len();
    if m == 0 {
        return f64::NAN;
    }
    let mut x = ensemble.to_vec();
    x.sort_by(f64::total_cmp);
    crps_sorted(&x, y)
}

/// [`crps`] of an ensemble already sorted ascending.
pub fn crps_sorted(sorted: &[f64], y: f64) -> f64 {
    let m = sorted.len() as f64;
    if sorted.is_empty() {
        return f64::NAN;
    }
    let absolute: f64 = sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / m;
    // Σ_i Σ_j |x_i − x_j| = 2 Σ_k (2k − m − 1)·x_(k), k = 1..m over the sorted values.
    let pairwise: f64 =
        sorted.iter().enumerate().map(|(k, x)| (2.0 * (k as f64 + 1.0) - m - 1.0) * x).sum::<f64>() * 2.0 / (m * m);
    absolute - 0.5 * pairwise
}

/// The CRPS of the normal forecast `N(mean, sd²)` for the outcome `y`:
/// `sd·[z·(2Φ(z) − 1) + 2φ(z) − 1/√π]` with `z = (y − mean)/sd` (Gneiting & Raftery 2007).
pub fn crps_normal(mean: f64, sd: f64, y: f64) -> f64 {
    if sd <= 0.0 {
        return (y - mean).abs();
    }
    let z = (y - mean) / sd;
    sd * (z * (2.0 * normal_cdf(z) - 1.0) + 2.0 * normal_pdf(z) - 1.0 / PI.sqrt())
}

/// The probability integral transform: the share of the ensemble below `y`, ties counted
/// half. In [0, 1].
pub fn pit(sorted: &[f64], y: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let below = sorted.partition_point(|x| *x < y);
    let at_most = sorted.partition_point(|x| *x <= y);
    (below as f64 + 0.5 * (at_most - below) as f64) / sorted.len() as f64
}

/// Whether the central `level` interval of the ensemble (from its `(1 − level)/2` to its
/// `(1 + level)/2` quantile) holds `y`.
pub fn covers(sorted: &[f64], level: f64, y: f64) -> bool {
    let lo = quantile(sorted, (1.0 - level) / 2.0);
    let hi = quantile(sorted, (1.0 + level) / 2.0);
    lo <= y && y <= hi
}

/// `m` values at the quantiles `(k − ½)/m`, `k = 1..m`, of `N(mean, sd²)`: a deterministic
/// ensemble standing for a normal forecast, scored by the same code as the model's.
pub fn normal_ensemble(mean: f64, sd: f64, m: usize) -> Vec<f64> {
    (1..=m).map(|k| mean + sd * normal_quantile((k as f64 - 0.5) / m as f64)).collect()
}

/// The standard normal density.
pub fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// The standard normal distribution function, `½·erfc(−z/√2)` (the complementary error
/// function of `libm`, a port of musl's, accurate to the last bits of a double).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile function, by Acklam's rational approximation (relative
/// error below 1.2·10⁻⁹) with one Halley step on [`normal_cdf`].
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    let low = 0.024_25;
    let x = if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha12Rng;
    use rand_distr::{Distribution, Normal};

    use super::*;

    /// The definition, pair by pair.
    fn crps_brute(x: &[f64], y: f64) -> f64 {
        let m = x.len() as f64;
        let a: f64 = x.iter().map(|xi| (xi - y).abs()).sum::<f64>() / m;
        let b: f64 = x.iter().flat_map(|xi| x.iter().map(move |xj| (xi - xj).abs())).sum::<f64>() / (m * m);
        a - 0.5 * b
    }

    proptest! {
        #[test]
        fn prop_crps_equals_the_pairwise_definition(
            x in prop::collection::vec(-1e4..1e4f64, 1..60),
            y in -2e4..2e4f64,
        ) {
            let fast = crps(&x, y);
            let slow = crps_brute(&x, y);
            prop_assert!((fast - slow).abs() <= 1e-9 * (1.0 + slow.abs()), "{fast} vs {slow}");
            prop_assert!(fast >= -1e-9);
        }
    }

    #[test]
    fn test_crps_of_normal_samples_approaches_the_closed_form() {
        let mut rng = ChaCha12Rng::seed_from_u64(4);
        let d = Normal::new(3.0, 2.0).unwrap();
        let x: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
        for y in [-4.0, 0.0, 3.0, 5.5, 12.0] {
            let exact = crps_normal(3.0, 2.0, y);
            assert!((crps(&x, y) - exact).abs() < 0.01, "y = {y}: {} vs {exact}", crps(&x, y));
        }
        // Known values: at the mean, sd·(√2 − 1)/√π.
        assert!((crps_normal(0.0, 1.0, 0.0) - (2f64.sqrt() - 1.0) / PI.sqrt()).abs() < 1e-7);
        // A point forecast's CRPS is its absolute error.
        assert!((crps(&[2.0, 2.0], 5.0) - 3.0).abs() < 1e-12);
        assert!((crps_normal(1.0, 0.0, -2.0) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn test_a_normal_quantile_ensemble_scores_as_the_normal_forecast() {
        for y in [-1.0, 0.4, 2.0] {
            let e = normal_ensemble(0.5, 1.5, 1000);
            assert!((crps_sorted(&e, y) - crps_normal(0.5, 1.5, y)).abs() < 2e-3);
        }
    }

    #[test]
    fn test_normal_functions() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-9);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-7);
        assert!((normal_cdf(-3.0) - 0.001_349_898_031_630_094_6).abs() < 1e-9);
        for p in [1e-6, 0.01, 0.2, 0.5, 0.9, 0.999] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-7 * p.max(1e-3), "{p}");
        }
        assert!(normal_quantile(1.5).is_nan());
    }

    #[test]
    fn test_pit_and_coverage() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((pit(&x, 0.0)).abs() < 1e-12);
        assert!((pit(&x, 11.0) - 1.0).abs() < 1e-12);
        assert!((pit(&x, 5.0) - 0.45).abs() < 1e-12, "ties count half");
        assert!(covers(&x, 0.8, 5.0) && !covers(&x, 0.5, 9.5) && covers(&x, 0.95, 9.5));
    }
}
