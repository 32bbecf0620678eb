//! A sample summarised in bounded memory.
//!
//! An experiment of a million replicates cannot keep every value of every monthly series
//! to take its quantiles. A [`Sample`] keeps its values while it holds at most [`EXACT`] of
//! them — its mean, interval and quantiles are then exactly those of [`Mean::of`] and
//! [`Spread::of`] — and past that folds them into a [`Sketch`], whose memory depends on the
//! spread of the values, never on their number.
//!
//! The sketch is DDSketch (Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable
//! quantile sketch with relative-error guarantees", PVLDB 12(12):2195–2205, 2019,
//! doi:10.14778/3352063.3352135): a value `x` with `|x| > FLOOR` is counted in the bucket
//! `⌈log_γ |x|⌉` of its sign, `γ = (1 + α)/(1 − α)`, and a bucket stands for the value
//! `2γⁱ/(γ + 1)`, within a relative `α` ([`RELATIVE_ERROR`]) of everything in it. Smaller
//! magnitudes count as zero. So an order statistic read from the sketch is within
//! `α·|x| + FLOOR` of the true one, and a quantile interpolated between two order
//! statistics (type 7, as [`quantile`]) within `α·max(|x₍ₖ₎|, |x₍ₖ₊₁₎|) + FLOOR` of the
//! exact quantile. With 1e5 km² held that is ±25 km²; for a margin on the utility scale,
//! ±0.00025 at most. A sketch holds `ln(max/min)/ln γ` buckets at most per sign: about
//! 55,000 for values spanning from [`FLOOR`] to 1e6, and a few hundred for a series that
//! varies by a few percent.
//!
//! Counts are order-independent, so the sketch's quantiles do not depend on the order the
//! values came in; the mean after [`EXACT`] values is a running sum in arrival order and
//! the variance Welford's running update (Welford, "Note on a method for calculating
//! corrected sums of squares and products", Technometrics 4(3):419–420, 1962), equal to
//! the two-pass variance up to rounding.

use std::collections::BTreeMap;

use super::{Mean, Spread, Z95, quantile};

/// Values a [`Sample`] keeps exactly before it switches to a [`Sketch`].
pub const EXACT: usize = 1 << 15;

/// The sketch's relative accuracy `α`.
pub const RELATIVE_ERROR: f64 = 2.5e-4;

/// Magnitudes at or below this count as zero in a sketch (its absolute accuracy near zero).
pub const FLOOR: f64 = 1e-6;

/// A relative-error quantile sketch (DDSketch; see the [module documentation](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    /// `ln γ`.
    ln_gamma: f64,
    /// Counts of positive values by bucket.
    positive: BTreeMap<i32, u64>,
    /// Counts of negative values by the bucket of their magnitude.
    negative: BTreeMap<i32, u64>,
    /// Values with a magnitude at most [`FLOOR`].
    zero: u64,
    /// −∞, +∞ and NaN, which sort first, last and after everything ([`f64::total_cmp`] for
    /// a positive NaN).
    minus_infinity: u64,
    plus_infinity: u64,
    nan: u64,
    n: u64,
}

impl Default for Sketch {
    fn default() -> Sketch {
        let gamma = (1.0 + RELATIVE_ERROR) / (1.0 - RELATIVE_ERROR);
        Sketch {
            ln_gamma: gamma.ln(),
            positive: BTreeMap::new(),
            negative: BTreeMap::new(),
            zero: 0,
            minus_infinity: 0,
            plus_infinity: 0,
            nan: 0,
            n: 0,
        }
    }
}

impl Sketch {
    /// An empty sketch.
    pub fn new() -> Sketch {
        Sketch::default()
    }

    /// Values counted.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no value has been counted.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Buckets in use (the sketch's memory is proportional to this).
    pub fn buckets(&self) -> usize {
        self.positive.len() + self.negative.len()
    }

    fn bucket(&self, magnitude: f64) -> i32 {
        // Finite and above FLOOR, so the index is well inside i32.
        (magnitude.ln() / self.ln_gamma).ceil() as i32
    }

    fn representative(&self, bucket: i32) -> f64 {
        let gamma = self.ln_gamma.exp();
        2.0 * (f64::from(bucket) * self.ln_gamma).exp() / (gamma + 1.0)
    }

    /// Counts `x`.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        if x.is_nan() {
            self.nan += 1;
        } else if x == f64::INFINITY {
            self.plus_infinity += 1;
        } else if x == f64::NEG_INFINITY {
            self.minus_infinity += 1;
        } else if x.abs() <= FLOOR {
            self.zero += 1;
        } else if x > 0.0 {
            *self.positive.entry(self.bucket(x)).or_insert(0) += 1;
        } else {
            *self.negative.entry(self.bucket(-x)).or_insert(0) += 1;
        }
    }

    /// The `k`-th smallest value (from 0), within `α·|x| + FLOOR`; NaN if `k ≥ len`.
    pub fn order_statistic(&self, k: u64) -> f64 {
        if k >= self.n {
            return f64::NAN;
        }
        let mut seen = self.minus_infinity;
        if k < seen {
            return f64::NEG_INFINITY;
        }
        // Negative values from the largest magnitude down.
        for (&bucket, &count) in self.negative.iter().rev() {
            seen += count;
            if k < seen {
                return -self.representative(bucket);
            }
        }
        seen += self.zero;
        if k < seen {
            return 0.0;
        }
        for (&bucket, &count) in &self.positive {
            seen += count;
            if k < seen {
                return self.representative(bucket);
            }
        }
        seen += self.plus_infinity;
        if k < seen { f64::INFINITY } else { f64::NAN }
    }

    /// The `p`-quantile interpolated as [`quantile`] does between the two order statistics
    /// around it; NaN if empty or `p` is outside `[0, 1]`.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.n == 0 || !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        let last = self.n - 1;
        let h = last as f64 * p;
        let lo = (h.floor() as u64).min(last);
        let frac = h - lo as f64;
        let (a, b) = (self.order_statistic(lo), self.order_statistic((lo + 1).min(last)));
        if frac > 0.0 { (a + frac * (b - a)).max(a).min(b) } else { a }
    }
}

/// A stream of values summarised in bounded memory (see the [module documentation](self)).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// Every value so far, while there are at most [`EXACT`].
    values: Vec<f64>,
    /// The values' sketch, once there are more.
    sketch: Option<Sketch>,
    n: u64,
    /// Running sum, in arrival order (the fold `Iterator::sum` performs).
    sum: f64,
    /// Welford's running mean and sum of squared deviations.
    running_mean: f64,
    m2: f64,
}

impl Sample {
    /// An empty sample.
    pub fn new() -> Sample {
        Sample { sum: -0.0, ..Sample::default() }
    }

    /// Adds `x`.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        let delta = x - self.running_mean;
        self.running_mean += delta / self.n as f64;
        self.m2 += delta * (x - self.running_mean);
        match &mut self.sketch {
            Some(sketch) => sketch.add(x),
            None if self.values.len() < EXACT => self.values.push(x),
            None => {
                let mut sketch = Sketch::new();
                for &v in &self.values {
                    sketch.add(v);
                }
                sketch.add(x);
                self.sketch = Some(sketch);
                self.values = Vec::new();
            }
        }
    }

    /// Values added.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no value has been added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Whether quantiles are exact (at most [`EXACT`] values), not read from the sketch.
    pub fn is_exact(&self) -> bool {
        self.sketch.is_none()
    }

    /// The mean with its 95% interval: exactly [`Mean::of`] the values while the sample is
    /// exact, from the running sums after.
    pub fn mean(&self) -> Mean {
        if self.sketch.is_none() {
            return Mean::of(&self.values);
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        let var = self.m2 / (n - 1.0);
        let half = Z95 * (var / n).sqrt();
        Mean { n: self.n, mean, lo: mean - half, hi: mean + half }
    }

    /// The `p`-quantiles: exact while the sample is, within the sketch's error after.
    pub fn quantiles<const K: usize>(&self, ps: [f64; K]) -> [f64; K] {
        match &self.sketch {
            Some(sketch) => ps.map(|p| sketch.quantile(p)),
            None => {
                let mut sorted = self.values.clone();
                sorted.sort_by(f64::total_cmp);
                ps.map(|p| quantile(&sorted, p))
            }
        }
    }

    /// Mean, 5th, 50th and 95th percentiles: exactly [`Spread::of`] the values while the
    /// sample is exact.
    pub fn spread(&self) -> Spread {
        if self.sketch.is_none() {
            return Spread::of(&self.values);
        }
        let [p5, p50, p95] = self.quantiles([0.05, 0.5, 0.95]);
        Spread { mean: self.sum / self.n as f64, p5, p50, p95 }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn test_an_exact_sample_is_mean_of_and_spread_of() {
        let xs: Vec<f64> = (0..1000).map(|i| f64::from((i * 7919) % 1000) * 0.37 - 50.0).collect();
        let mut s = Sample::new();
        for &x in &xs {
            s.push(x);
        }
        assert!(s.is_exact());
        assert_eq!(s.mean(), Mean::of(&xs));
        assert_eq!(s.spread(), Spread::of(&xs));
        let empty = Sample::new();
        assert!(empty.mean().mean.is_nan() && empty.spread().p50.is_nan());
    }

    #[test]
    fn test_past_exact_the_sketch_keeps_its_relative_error() {
        // Values spread by a few percent around 1e5 (an area), more than EXACT of them, from
        // a fixed quasi-random sequence (the golden-ratio Weyl sequence).
        let u = |i: usize| (i as f64 * 0.618_033_988_749_895).fract();
        let xs: Vec<f64> = (0..3 * EXACT).map(|i| 1e5 * (0.1 * (u(i) - 0.5) + 0.02 * u(7 * i + 3)).exp()).collect();
        let mut s = Sample::new();
        for &x in &xs {
            s.push(x);
        }
        assert!(!s.is_exact());
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let ps = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
        for (p, got) in ps.iter().zip(s.quantiles(ps)) {
            let exact = quantile(&sorted, *p);
            assert!((got - exact).abs() <= RELATIVE_ERROR * exact.abs() + FLOOR, "p {p}: {got} vs {exact}");
        }
        let exact = Mean::of(&xs);
        let got = s.mean();
        assert!((got.mean - exact.mean).abs() <= 1e-9 * exact.mean.abs());
        assert!(((got.hi - got.lo) - (exact.hi - exact.lo)).abs() <= 1e-6 * (exact.hi - exact.lo));
        // A few percent of spread needs a few hundred buckets, whatever the count.
        assert!(s.sketch.as_ref().unwrap().buckets() < 1000, "{}", s.sketch.as_ref().unwrap().buckets());
    }

    #[test]
    fn test_the_sketch_orders_signs_zeros_and_non_finite_values_as_total_cmp() {
        let mut sk = Sketch::new();
        for x in [f64::NAN, 3.0, -2.0, 0.0, 1e-9, f64::INFINITY, -1e3, f64::NEG_INFINITY] {
            sk.add(x);
        }
        let got: Vec<f64> = (0..8).map(|k| sk.order_statistic(k)).collect();
        let want = [f64::NEG_INFINITY, -1e3, -2.0, 0.0, 0.0, 3.0, f64::INFINITY, f64::NAN];
        for (g, w) in got.iter().zip(want) {
            assert!(g.total_cmp(&w).is_eq() || (g - w).abs() <= RELATIVE_ERROR * w.abs(), "{got:?}");
        }
        assert!(sk.order_statistic(8).is_nan());
        assert!(Sketch::new().quantile(0.5).is_nan());
    }

    proptest! {
        /// Every quantile read from the sketch is within its stated error of the exact one.
        #[test]
        fn prop_sketch_quantiles_are_within_the_stated_error(
            xs in prop::collection::vec(prop_oneof![-1e6..1e6f64, -1.0..1.0f64, Just(0.0)], 1..400),
            p in 0.0..=1.0f64,
        ) {
            let mut sk = Sketch::new();
            for &x in &xs {
                sk.add(x);
            }
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let h = (sorted.len() - 1) as f64 * p;
            let (a, b) = (sorted[h.floor() as usize], sorted[(h.floor() as usize + 1).min(sorted.len() - 1)]);
            let bound = RELATIVE_ERROR * a.abs().max(b.abs()) + FLOOR;
            let exact = quantile(&sorted, p);
            prop_assert!((sk.quantile(p) - exact).abs() <= bound * (1.0 + 1e-9), "{} vs {exact}", sk.quantile(p));
        }

        /// The sketch's answer does not depend on the order of the values.
        #[test]
        fn prop_sketch_is_order_independent(xs in prop::collection::vec(-1e3..1e3f64, 1..200), p in 0.0..=1.0f64) {
            let (mut a, mut b) = (Sketch::new(), Sketch::new());
            for &x in &xs {
                a.add(x);
            }
            for &x in xs.iter().rev() {
                b.add(x);
            }
            prop_assert_eq!(a.quantile(p).to_bits(), b.quantile(p).to_bits());
        }
    }
}
