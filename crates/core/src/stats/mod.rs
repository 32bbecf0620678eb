//! Small statistics shared by every layer that summarises samples: empirical quantiles,
//! proportions with Wilson intervals, means with normal intervals, and spreads.
//!
//! Proportions carry Wilson score intervals (Wilson, "Probable inference, the law of
//! succession, and statistical inference", JASA 22(158):209–212, 1927,
//! doi:10.1080/01621459.1927.10502953), which stay inside [0, 1] and keep their coverage
//! near 0 and 1.
//!
//! A [`Sample`] summarises a stream of values in bounded memory: exactly while it is small,
//! through a relative-error quantile sketch ([`Sketch`]) once it is not.

use serde::Serialize;

pub mod sample;

pub use sample::{EXACT, FLOOR, RELATIVE_ERROR, Sample, Sketch};

/// The empirical `p`-quantile of values sorted ascending, by linear interpolation between
/// order statistics: type 7 of Hyndman & Fan, "Sample quantiles in statistical packages",
/// The American Statistician 50(4):361–365 (1996), doi:10.2307/2684934 (R's default, NumPy's
/// `linear`). With `h = (len − 1)·p`, it is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋])`;
/// `p = 0` gives the minimum and `p = 1` the maximum.
///
/// Returns NaN if `sorted` is empty or `p` is outside `[0, 1]` (or NaN). The slice is not
/// checked for order; unsorted values give a meaningless result.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let last = sorted.len() - 1;
    let h = last as f64 * p;
    let lo = (h.floor() as usize).min(last);
    let frac = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[(lo + 1).min(last)]);
    if frac > 0.0 {
        // Kept within [a, b] so the quantile never decreases in p despite rounding.
        (a + frac * (b - a)).max(a).min(b)
    } else {
        a
    }
}

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A proportion with its 95% Wilson interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Proportion {
    /// Successes.
    pub count: u64,
    /// Trials.
    pub n: u64,
    /// The estimate.
    pub p: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Proportion {
    /// `count` successes out of `n`.
    pub fn new(count: u64, n: u64) -> Proportion {
        if n == 0 {
            return Proportion { count, n, p: f64::NAN, lo: f64::NAN, hi: f64::NAN };
        }
        let (k, n_f) = (count as f64, n as f64);
        let p = k / n_f;
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * n_f)) / (1.0 + z2 / n_f);
        let half = Z95 / (1.0 + z2 / n_f) * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
        Proportion { count, n, p, lo: (centre - half).max(0.0), hi: (centre + half).min(1.0) }
    }
}

/// A mean with its 95% interval (normal approximation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Mean {
    /// Observations.
    pub n: u64,
    /// The mean.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Mean {
    /// The mean of `xs`.
    pub fn of(xs: &[f64]) -> Mean {
        let n = xs.len();
        if n == 0 {
            return Mean { n: 0, mean: f64::NAN, lo: f64::NAN, hi: f64::NAN };
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = if n > 1 { xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64 } else { 0.0 };
        let half = Z95 * (var / n as f64).sqrt();
        Mean { n: n as u64, mean, lo: mean - half, hi: mean + half }
    }
}

/// Quantiles of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// The mean.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Spread {
    /// The spread of `xs`.
    pub fn of(xs: &[f64]) -> Spread {
        if xs.is_empty() {
            return Spread { mean: f64::NAN, p5: f64::NAN, p50: f64::NAN, p95: f64::NAN };
        }
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let q = |p: f64| quantile(&sorted, p);
        Spread { mean: xs.iter().sum::<f64>() / xs.len() as f64, p5: q(0.05), p50: q(0.5), p95: q(0.95) }
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_abs_diff_eq;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn test_quantile() {
        let x = [1.0, 2.0, 4.0, 8.0, 16.0];
        for (p, expected) in [(0.0, 1.0), (0.25, 2.0), (0.5, 4.0), (0.625, 6.0), (0.9, 12.8), (1.0, 16.0)] {
            assert_abs_diff_eq!(quantile(&x, p), expected, epsilon = 1e-12);
        }
        // R: quantile(1:10, c(0.05, 0.95)) = 1.45, 9.55.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_abs_diff_eq!(quantile(&ten, 0.05), 1.45, epsilon = 1e-12);
        assert_abs_diff_eq!(quantile(&ten, 0.95), 9.55, epsilon = 1e-12);
        assert_abs_diff_eq!(quantile(&[3.0], 0.3), 3.0);
        assert!(quantile(&[], 0.5).is_nan());
        assert!(quantile(&x, -0.1).is_nan() && quantile(&x, 1.1).is_nan() && quantile(&x, f64::NAN).is_nan());
        assert_abs_diff_eq!(quantile(&[0.0, f64::INFINITY], 0.0), 0.0);
    }

    #[test]
    fn test_wilson_interval_by_hand() {
        // 8 of 10: Wilson 95% interval (0.490, 0.943).
        let p = Proportion::new(8, 10);
        assert!((p.lo - 0.4902).abs() < 1e-3 && (p.hi - 0.9433).abs() < 1e-3, "{p:?}");
        let zero = Proportion::new(0, 50);
        assert!(zero.lo.abs() < 1e-12 && zero.hi > 0.0 && zero.hi < 0.08);
    }

    #[test]
    fn test_mean_interval_by_hand() {
        let m = Mean::of(&[1.0, 2.0, 3.0, 4.0]);
        // sd = 1.29, se = 0.645, half width 1.265.
        assert!((m.mean - 2.5).abs() < 1e-12 && (m.hi - m.mean - 1.2652).abs() < 1e-3);
    }

    proptest! {
        #[test]
        fn prop_quantile_monotone_within_range(
            mut x in prop::collection::vec(-1e6..1e6f64, 1..40),
            p in 0.0..=1.0f64,
            q in 0.0..=1.0f64,
        ) {
            x.sort_by(f64::total_cmp);
            let (lo, hi) = (p.min(q), p.max(q));
            let (qlo, qhi) = (quantile(&x, lo), quantile(&x, hi));
            prop_assert!(x[0] <= qlo && qlo <= qhi && qhi <= x[x.len() - 1]);
        }
    }
}
