//! Sensitivity analysis: which uncertain inputs drive a model's output.
//!
//! Two views, both generic over the model (the caller evaluates it; this module only lays out
//! the points and reads the outputs):
//!
//! * **Global, variance-based.** [`SobolDesign`] holds Saltelli's sampling design for `k`
//!   inputs: two independent `n × k` sample matrices `A` and `B` and, for each input `i`,
//!   the matrix `AB_i` (`A` with column `i` taken from `B`), `n·(k + 2)` points in all.
//!   [`SobolDesign::indices`] turns the outputs at those points into [`SobolIndices`]: the
//!   first-order index `S_i` (the share of the output variance explained by input `i` alone)
//!   and the total index `S_Ti` (the share that involves input `i` at all, interactions
//!   included), each with a bootstrap confidence [`Interval`].
//! * **Local, one-at-a-time.** [`tornado`] ranks inputs by the swing of the output when each
//!   input in turn is moved from a low to a high value, the others held at the baseline.
//!
//! The bootstrap intervals use the empirical quantile of [`parley_core::stats::quantile`].
//!
//! The module is pure: no files, no clock, no printing. Randomness is injected: the design
//! draws from the caller's RNG, and the bootstrap derives its own streams from a seed
//! ([`Bootstrap::seed`]), so results do not depend on the number of threads.
//!
//! # Example
//!
//! ```
//! use parley_experiment::sensitivity::{Bootstrap, SobolDesign};
//! use rand::{RngExt, SeedableRng};
//! use rand_chacha::ChaCha12Rng;
//!
//! // y = x0 + 2·x1 with x0, x1 uniform on [0, 1]: S = (0.2, 0.8).
//! let mut rng = ChaCha12Rng::seed_from_u64(7);
//! let design = SobolDesign::new(1024, 2, &mut rng, |_input, rng| rng.random::<f64>()).unwrap();
//! let outputs = design.evaluate(|x| x[0] + 2.0 * x[1]);
//! let s = design.indices(&outputs, Bootstrap { resamples: 200, ..Bootstrap::default() }).unwrap();
//! assert!((s.first[1] - 0.8).abs() < 0.05 && (s.total[0] - 0.2).abs() < 0.05);
//! assert!(s.total_ci[1].contains(0.8));
//! ```

use std::cmp::Ordering;
use std::fmt;

use parley_core::stats::quantile;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What can go wrong in a sensitivity analysis.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum SensitivityError {
    /// A Sobol design was asked for with no inputs.
    #[error("a sobol design needs at least one input; got k = 0")]
    NoInputs,
    /// A Sobol design was asked for with fewer than two rows.
    #[error("a sobol design needs at least 2 rows per sample matrix; got n = {n}")]
    TooFewRows {
        /// Rows asked for.
        n: usize,
    },
    /// The design has more points than a `usize` can count.
    #[error("a sobol design with n = {n} rows and k = {k} inputs has more points than can be addressed")]
    TooLarge {
        /// Rows asked for.
        n: usize,
        /// Inputs asked for.
        k: usize,
    },
    /// A sample matrix given to [`SobolDesign::from_matrices`] has the wrong number of values.
    #[error("sample matrix {matrix} has {found} values; an n × k = {n} × {k} design needs {expected}")]
    MatrixShape {
        /// `"A"` or `"B"`.
        matrix: &'static str,
        /// Rows of the design.
        n: usize,
        /// Inputs of the design.
        k: usize,
        /// `n · k`.
        expected: usize,
        /// Values given.
        found: usize,
    },
    /// An input value of the design is NaN or infinite.
    #[error("input {input} in row {row} of sample matrix {matrix} is {value}; design values must be finite")]
    NonFiniteInput {
        /// `"A"` or `"B"`.
        matrix: &'static str,
        /// Row of the matrix.
        row: usize,
        /// Input (column).
        input: usize,
        /// The offending value.
        value: f64,
    },
    /// The number of model outputs does not match the design's points.
    #[error("got {found} model outputs; the sobol design has {expected} points")]
    OutputLength {
        /// Points of the design.
        expected: usize,
        /// Outputs given.
        found: usize,
    },
    /// A model output is NaN or infinite.
    #[error("model output {index} (row {row} of block {block}) is {value}; outputs must be finite")]
    NonFiniteOutput {
        /// Position in the outputs.
        index: usize,
        /// The block of the design the point belongs to.
        block: Block,
        /// Row within the block.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// The bootstrap confidence level is not strictly between 0 and 1.
    #[error("bootstrap confidence level {level} is outside (0, 1)")]
    InvalidLevel {
        /// The level given.
        level: f64,
    },
    /// Per-input slices of different lengths.
    #[error("{what} has {found} entries; expected one per input ({expected})")]
    LengthMismatch {
        /// Which argument.
        what: &'static str,
        /// Inputs (the length of the first per-input argument).
        expected: usize,
        /// Entries given.
        found: usize,
    },
}

/// One of the `k + 2` blocks of `n` points in a [`SobolDesign`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// Rows of sample matrix `A`.
    A,
    /// Rows of sample matrix `B`.
    B,
    /// Rows of `A` with the given input (column) taken from `B`.
    AB(usize),
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Block::A => f.write_str("A"),
            Block::B => f.write_str("B"),
            Block::AB(i) => write!(f, "AB_{i}"),
        }
    }
}

/// Saltelli's sampling design for first-order and total Sobol indices of a model with `k`
/// inputs, at a cost of `n·(k + 2)` model evaluations.
///
/// # Point order
///
/// Point `j` (`0 ≤ j < n·(k + 2)`) is row `j % n` of block `j / n`, the blocks being, in
/// order, `A`, `B`, `AB_0`, `AB_1`, …, `AB_{k−1}` ([`SobolDesign::locate`]). `AB_i` is `A`
/// with column `i` taken from `B`. Every point is a vector of the `k` input values, in input
/// order. [`SobolDesign::indices`] expects the outputs in this same order.
///
/// The design is from Saltelli et al. (2010), see [`SobolDesign::indices`].
#[derive(Clone, Debug)]
pub struct SobolDesign {
    n: usize,
    k: usize,
    /// Sample matrix `A`, row-major `n × k`.
    a: Vec<f64>,
    /// Sample matrix `B`, row-major `n × k`.
    b: Vec<f64>,
}

impl SobolDesign {
    /// Draws a design of `n` rows for `k` inputs. `draw(input, rng)` returns one value of
    /// `input` drawn from its distribution; the inputs are taken as independent.
    ///
    /// The calls are made row by row: for each row, `A`'s `k` inputs in order, then `B`'s.
    /// So the design drawn with `n` rows is the first `n` rows of the one drawn with more
    /// rows from the same RNG state.
    ///
    /// # Errors
    ///
    /// [`SensitivityError::NoInputs`] if `k = 0`, [`SensitivityError::TooFewRows`] if
    /// `n < 2`, [`SensitivityError::TooLarge`] if `n·(k + 2)` overflows, and
    /// [`SensitivityError::NonFiniteInput`] if `draw` returns NaN or an infinity.
    pub fn new<R, F>(n: usize, k: usize, rng: &mut R, mut draw: F) -> Result<Self, SensitivityError>
    where
        R: Rng + ?Sized,
        F: FnMut(usize, &mut R) -> f64,
    {
        check_shape(n, k)?;
        let mut a = Vec::with_capacity(n * k);
        let mut b = Vec::with_capacity(n * k);
        for _ in 0..n {
            a.extend((0..k).map(|input| draw(input, rng)));
            b.extend((0..k).map(|input| draw(input, rng)));
        }
        Self::from_matrices(n, k, a, b)
    }

    /// A design from two sample matrices given row-major (`n × k`, row `r` is
    /// `a[r·k .. (r + 1)·k]`), for callers that sample the inputs themselves (for example
    /// with a quasi-random sequence or correlated draws).
    ///
    /// # Errors
    ///
    /// As [`SobolDesign::new`], and [`SensitivityError::MatrixShape`] if a matrix does not
    /// have `n·k` values.
    pub fn from_matrices(n: usize, k: usize, a: Vec<f64>, b: Vec<f64>) -> Result<Self, SensitivityError> {
        check_shape(n, k)?;
        for (matrix, values) in [("A", &a), ("B", &b)] {
            if values.len() != n * k {
                return Err(SensitivityError::MatrixShape { matrix, n, k, expected: n * k, found: values.len() });
            }
            if let Some(at) = values.iter().position(|v| !v.is_finite()) {
                let (row, input, value) = (at / k, at % k, values[at]);
                return Err(SensitivityError::NonFiniteInput { matrix, row, input, value });
            }
        }
        Ok(SobolDesign { n, k, a, b })
    }

    /// Rows per block (the base sample size `n`).
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of inputs `k`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Sample matrix `A`, row-major `n × k`.
    pub fn a(&self) -> &[f64] {
        &self.a
    }

    /// Sample matrix `B`, row-major `n × k`.
    pub fn b(&self) -> &[f64] {
        &self.b
    }

    /// Number of points, `n·(k + 2)`: the model evaluations the design needs.
    pub fn len(&self) -> usize {
        self.n * (self.k + 2)
    }

    /// Whether the design has no points; never true, as a design has at least 2 rows and
    /// 1 input.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The block and row of point `index`, or `None` past the last point.
    pub fn locate(&self, index: usize) -> Option<(Block, usize)> {
        let (block, row) = (index / self.n, index % self.n);
        match block {
            0 => Some((Block::A, row)),
            1 => Some((Block::B, row)),
            b if b < self.k + 2 => Some((Block::AB(b - 2), row)),
            _ => None,
        }
    }

    /// Point `index` (see the point order in [`SobolDesign`]).
    ///
    /// # Panics
    ///
    /// If `index ≥ self.len()`, like slice indexing.
    pub fn point(&self, index: usize) -> Vec<f64> {
        let mut point = vec![0.0; self.k];
        self.point_into(index, &mut point);
        point
    }

    /// All points in order, `self.len()` of them.
    pub fn points(&self) -> impl ExactSizeIterator<Item = Vec<f64>> + '_ {
        (0..self.len()).map(|index| self.point(index))
    }

    /// Evaluates a deterministic model at every point, in parallel (rayon), and returns the
    /// outputs in point order, ready for [`SobolDesign::indices`]. The result does not depend
    /// on the number of threads. A stochastic model should instead be evaluated by the caller
    /// with one RNG stream per point.
    pub fn evaluate<F>(&self, model: F) -> Vec<f64>
    where
        F: Fn(&[f64]) -> f64 + Sync,
    {
        (0..self.len())
            .into_par_iter()
            .map_init(
                || vec![0.0; self.k],
                |point, index| {
                    self.point_into(index, point);
                    model(point)
                },
            )
            .collect()
    }

    /// Writes point `index` into `out` (of length `k`).
    fn point_into(&self, index: usize, out: &mut [f64]) {
        let k = self.k;
        let Some((block, row)) = self.locate(index) else {
            panic!("point {index} is past the end of a sobol design of {} points", self.len());
        };
        let (a, b) = (&self.a[row * k..][..k], &self.b[row * k..][..k]);
        match block {
            Block::A => out.copy_from_slice(a),
            Block::B => out.copy_from_slice(b),
            Block::AB(i) => {
                out.copy_from_slice(a);
                out[i] = b[i];
            }
        }
    }

    /// First-order and total Sobol indices from the model outputs at the design's points
    /// (`outputs[j]` is the output at [`SobolDesign::point`]`(j)`), with bootstrap confidence
    /// intervals.
    ///
    /// With `f_A`, `f_B`, `f_ABi` the outputs on the blocks, `V` the variance of `f_A` and
    /// `f_B` together (divided by `2n`) and means over the `n` rows:
    ///
    /// * first order, Saltelli et al. (2010): `S_i = mean(f_B · (f_ABi − f_A)) / V`;
    /// * total, Jansen (1999): `S_Ti = mean((f_A − f_ABi)²) / 2 / V`.
    ///
    /// The outputs are centred on the mean of `f_A` and `f_B` before the first-order product,
    /// which leaves its expectation unchanged and makes it exact under a shift of the output.
    /// Both are estimates: with a small `n` a first-order index can come out slightly
    /// negative or a total index above 1.
    ///
    /// The confidence intervals are bootstrap percentile intervals (Archer, Saltelli & Sobol'
    /// 1997): the `n` rows are resampled with replacement, jointly across blocks,
    /// `bootstrap.resamples` times; resample `r` draws from
    /// `ChaCha12Rng::seed_from_u64(bootstrap.seed)` on stream `r`.
    ///
    /// If the output does not vary over `A` and `B` (its range there is within rounding error,
    /// `max − min ≤ 4ε·max|y|`), the indices are undefined: `first`, `total` and the intervals are NaN and
    /// [`SobolIndices::is_degenerate`] is true. A resample whose output does not vary is left
    /// out of the intervals. With `resamples = 0` the intervals are NaN.
    ///
    /// References:
    /// * A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola, "Variance
    ///   based sensitivity analysis of model output. Design and estimator for the total
    ///   sensitivity index", Computer Physics Communications 181(2):259–270 (2010),
    ///   doi:10.1016/j.cpc.2009.09.018.
    /// * M. J. W. Jansen, "Analysis of variance designs for model output", Computer Physics
    ///   Communications 117(1–2):35–43 (1999), doi:10.1016/S0010-4655(98)00154-4.
    /// * G. E. B. Archer, A. Saltelli, I. M. Sobol', "Sensitivity measures, ANOVA-like
    ///   techniques and the use of bootstrap", Journal of Statistical Computation and
    ///   Simulation 58(2):99–120 (1997), doi:10.1080/00949659708811825.
    ///
    /// # Errors
    ///
    /// [`SensitivityError::OutputLength`] if `outputs` does not have one value per point,
    /// [`SensitivityError::NonFiniteOutput`] if one is NaN or infinite, and
    /// [`SensitivityError::InvalidLevel`] if the confidence level is not in `(0, 1)`.
    pub fn indices(&self, outputs: &[f64], bootstrap: Bootstrap) -> Result<SobolIndices, SensitivityError> {
        if outputs.len() != self.len() {
            return Err(SensitivityError::OutputLength { expected: self.len(), found: outputs.len() });
        }
        if let Some(index) = outputs.iter().position(|y| !y.is_finite()) {
            let (block, row) = self.locate(index).expect("index is within the design");
            return Err(SensitivityError::NonFiniteOutput { index, block, row, value: outputs[index] });
        }
        if !(bootstrap.level > 0.0 && bootstrap.level < 1.0) {
            return Err(SensitivityError::InvalidLevel { level: bootstrap.level });
        }

        let (n, k) = (self.n, self.k);
        let all: Vec<usize> = (0..n).collect();
        let point = estimate(outputs, n, k, &all);
        let undefined = vec![Interval::UNDEFINED; k];
        let (first_ci, total_ci) = if point.degenerate || bootstrap.resamples == 0 {
            (undefined.clone(), undefined)
        } else {
            let resamples: Vec<Estimate> = (0..bootstrap.resamples)
                .into_par_iter()
                .map_init(
                    || vec![0; n],
                    |rows, r| {
                        let mut rng = ChaCha12Rng::seed_from_u64(bootstrap.seed);
                        rng.set_stream(r as u64);
                        rows.iter_mut().for_each(|row| *row = rng.random_range(0..n));
                        estimate(outputs, n, k, rows)
                    },
                )
                .collect();
            let ci = |pick: fn(&Estimate) -> &[f64]| -> Vec<Interval> {
                (0..k).map(|i| percentile_interval(resamples.iter().map(|e| pick(e)[i]), bootstrap.level)).collect()
            };
            (ci(|e| &e.first), ci(|e| &e.total))
        };
        Ok(SobolIndices {
            first: point.first,
            total: point.total,
            first_ci,
            total_ci,
            mean: point.mean,
            variance: point.variance,
            n,
            bootstrap,
        })
    }
}

/// Checks the size of a design.
fn check_shape(n: usize, k: usize) -> Result<(), SensitivityError> {
    if k == 0 {
        return Err(SensitivityError::NoInputs);
    }
    if n < 2 {
        return Err(SensitivityError::TooFewRows { n });
    }
    match k.checked_add(2).and_then(|blocks| blocks.checked_mul(n)) {
        Some(_) => Ok(()),
        None => Err(SensitivityError::TooLarge { n, k }),
    }
}

/// The estimates on one set of rows (all of them, or a bootstrap resample).
struct Estimate {
    first: Vec<f64>,
    total: Vec<f64>,
    mean: f64,
    variance: f64,
    degenerate: bool,
}

/// Saltelli's first-order and Jansen's total estimators over the given rows (with
/// repetitions) of outputs laid out as in [`SobolDesign`].
fn estimate(y: &[f64], n: usize, k: usize, rows: &[usize]) -> Estimate {
    let (ya, yb) = (&y[..n], &y[n..2 * n]);
    let m = rows.len() as f64;
    let mean = rows.iter().map(|&j| ya[j] + yb[j]).sum::<f64>() / (2.0 * m);
    let variance = rows.iter().map(|&j| (ya[j] - mean).powi(2) + (yb[j] - mean).powi(2)).sum::<f64>() / (2.0 * m);
    // The output "does not vary" if its spread is within rounding error of its magnitude.
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for &j in rows {
        (min, max) = (min.min(ya[j]).min(yb[j]), max.max(ya[j]).max(yb[j]));
    }
    let scale = min.abs().max(max.abs());
    let degenerate = max - min <= 4.0 * f64::EPSILON * scale || !(variance > 0.0 && variance.is_finite());
    if degenerate {
        return Estimate { first: vec![f64::NAN; k], total: vec![f64::NAN; k], mean, variance, degenerate };
    }
    let (mut first, mut total) = (Vec::with_capacity(k), Vec::with_capacity(k));
    for i in 0..k {
        let yab = &y[(2 + i) * n..][..n];
        first.push(rows.iter().map(|&j| (yb[j] - mean) * (yab[j] - ya[j])).sum::<f64>() / m / variance);
        total.push(rows.iter().map(|&j| (ya[j] - yab[j]).powi(2)).sum::<f64>() / (2.0 * m) / variance);
    }
    Estimate { first, total, mean, variance, degenerate }
}

/// The central `level` percentile interval of the finite values; NaN if there are none.
fn percentile_interval(values: impl Iterator<Item = f64>, level: f64) -> Interval {
    let mut values: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if values.is_empty() {
        return Interval::UNDEFINED;
    }
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    Interval { low: quantile(&values, tail), high: quantile(&values, 1.0 - tail) }
}

/// How [`SobolDesign::indices`] bootstraps its confidence intervals.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// Number of resamples; 0 skips the bootstrap (the intervals are NaN).
    pub resamples: usize,
    /// Confidence level of the intervals, in `(0, 1)`.
    pub level: f64,
    /// Seed of the resampling RNG.
    pub seed: u64,
}

impl Default for Bootstrap {
    /// 1 000 resamples, 95 % intervals, seed 0.
    fn default() -> Self {
        Bootstrap { resamples: 1000, level: 0.95, seed: 0 }
    }
}

/// A closed interval `[low, high]`; both ends NaN when undefined.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl Interval {
    /// The undefined interval (both ends NaN).
    pub const UNDEFINED: Interval = Interval { low: f64::NAN, high: f64::NAN };

    /// Whether `x` lies in the interval (never, if it is undefined).
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// `high − low`.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }
}

/// Sobol indices of a model's output, one entry per input, from [`SobolDesign::indices`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SobolIndices {
    /// First-order index `S_i`: the share of the output variance due to input `i` alone.
    pub first: Vec<f64>,
    /// Total index `S_Ti`: the share due to input `i` alone or in interaction with others.
    pub total: Vec<f64>,
    /// Bootstrap confidence interval of each `S_i`.
    pub first_ci: Vec<Interval>,
    /// Bootstrap confidence interval of each `S_Ti`.
    pub total_ci: Vec<Interval>,
    /// Mean of the output over blocks `A` and `B`.
    pub mean: f64,
    /// Variance of the output over blocks `A` and `B` (divided by `2n`).
    pub variance: f64,
    /// Rows per block of the design.
    pub n: usize,
    /// The bootstrap settings used.
    pub bootstrap: Bootstrap,
}

impl SobolIndices {
    /// Whether the output did not vary, which leaves the indices undefined (NaN).
    pub fn is_degenerate(&self) -> bool {
        self.first.iter().chain(&self.total).all(|s| s.is_nan())
    }
}

/// One input's bar in a [`Tornado`] chart.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TornadoBar {
    /// Position of the input in the arguments of [`tornado`].
    pub input: usize,
    /// The input's name.
    pub name: String,
    /// Output with the input at its low value, the others at the baseline.
    pub low: f64,
    /// Output with the input at its high value, the others at the baseline.
    pub high: f64,
    /// `|high − low|`.
    pub swing: f64,
}

/// A one-at-a-time sensitivity (tornado) chart: the output at the baseline and one bar per
/// input, widest swing first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tornado {
    /// Output with every input at its baseline value.
    pub baseline: f64,
    /// The bars, by swing descending, ties by input position; bars with an undefined (NaN)
    /// swing come last.
    pub bars: Vec<TornadoBar>,
}

/// Builds a tornado chart from the output at the baseline and, for each input `i`, the
/// outputs with input `i` at its low value (`lows[i]`) and at its high value (`highs[i]`),
/// the other inputs at the baseline. The caller chooses low and high (for example the 5th
/// and 95th percentiles of the input's distribution, see [`parley_core::stats::quantile`]) and runs the model.
///
/// # Errors
///
/// [`SensitivityError::LengthMismatch`] if `highs` or `names` do not have one entry per
/// entry of `lows`.
pub fn tornado<S: AsRef<str>>(
    baseline: f64,
    lows: &[f64],
    highs: &[f64],
    names: &[S],
) -> Result<Tornado, SensitivityError> {
    let expected = lows.len();
    for (what, found) in [("highs", highs.len()), ("names", names.len())] {
        if found != expected {
            return Err(SensitivityError::LengthMismatch { what, expected, found });
        }
    }
    let mut bars: Vec<TornadoBar> = (0..expected)
        .map(|input| TornadoBar {
            input,
            name: names[input].as_ref().to_owned(),
            low: lows[input],
            high: highs[input],
            swing: (highs[input] - lows[input]).abs(),
        })
        .collect();
    bars.sort_by(|x, y| by_swing(x.swing, y.swing).then(x.input.cmp(&y.input)));
    Ok(Tornado { baseline, bars })
}

/// Descending order of swings, NaN last.
fn by_swing(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (false, false) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use approx::assert_abs_diff_eq;
    use proptest::prelude::*;

    use super::*;

    /// Ishigami's parameters `a` and `b`.
    const ISHIGAMI: (f64, f64) = (7.0, 0.1);

    /// The Ishigami function (Ishigami & Homma 1990), inputs uniform on `[−π, π]`.
    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = ISHIGAMI;
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    /// Analytic (first-order, total) indices of the Ishigami function.
    fn ishigami_indices() -> ([f64; 3], [f64; 3]) {
        let (a, b) = ISHIGAMI;
        let (pi4, pi8) = (PI.powi(4), PI.powi(8));
        let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
        let v1 = (1.0 + b * pi4 / 5.0).powi(2) / 2.0;
        let v2 = a * a / 8.0;
        let v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    fn ishigami_design(n: usize, seed: u64) -> SobolDesign {
        let mut rng = ChaCha12Rng::seed_from_u64(seed);
        SobolDesign::new(n, 3, &mut rng, |_, rng| rng.random_range(-PI..PI)).unwrap()
    }

    fn same_bits(x: &[f64], y: &[f64]) -> bool {
        x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    fn interval_bits(x: &[Interval]) -> Vec<f64> {
        x.iter().flat_map(|i| [i.low, i.high]).collect()
    }

    #[test]
    fn test_ishigami_indices_analytic() {
        let (first, total) = ishigami_indices();
        let expected_first = [0.3139, 0.4424, 0.0];
        let expected_total = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert_abs_diff_eq!(first[i], expected_first[i], epsilon = 1e-4);
            assert_abs_diff_eq!(total[i], expected_total[i], epsilon = 1e-4);
        }
    }

    #[test]
    fn test_indices_ishigami() {
        let design = ishigami_design(1 << 13, 2010);
        let outputs = design.evaluate(ishigami);
        let s = design.indices(&outputs, Bootstrap { resamples: 200, level: 0.95, seed: 1 }).unwrap();
        let (first, total) = ishigami_indices();
        for i in 0..3 {
            assert_abs_diff_eq!(s.first[i], first[i], epsilon = 0.05);
            assert_abs_diff_eq!(s.total[i], total[i], epsilon = 0.05);
            assert!(s.first_ci[i].contains(first[i]), "S{i} = {}: {:?}", first[i], s.first_ci[i]);
            assert!(s.total_ci[i].contains(total[i]), "ST{i} = {}: {:?}", total[i], s.total_ci[i]);
            assert!(s.first_ci[i].width() < 0.1 && s.total_ci[i].width() < 0.1);
        }
        let (a, b) = ISHIGAMI;
        let v = a * a / 8.0 + b * PI.powi(4) / 5.0 + b * b * PI.powi(8) / 18.0 + 0.5;
        assert!((s.variance - v).abs() / v < 0.05);
        assert_abs_diff_eq!(s.mean, a / 2.0, epsilon = 0.1);
    }

    #[test]
    fn test_indices_additive_linear() {
        let coef = [1.0, 2.0, 0.5, 0.0];
        let width = [1.0, 1.0, 3.0, 1.0];
        let mut rng = ChaCha12Rng::seed_from_u64(99);
        let design = SobolDesign::new(1 << 12, 4, &mut rng, |i, rng| rng.random_range(0.0..width[i])).unwrap();
        let outputs = design.evaluate(|x| x.iter().zip(coef).map(|(x, c)| c * x).sum());
        let s = design.indices(&outputs, Bootstrap { resamples: 200, ..Bootstrap::default() }).unwrap();
        let parts: Vec<f64> = coef.iter().zip(width).map(|(c, w)| c * c * w * w / 12.0).collect();
        let v: f64 = parts.iter().sum();
        for (i, part) in parts.iter().enumerate() {
            assert_abs_diff_eq!(s.first[i], part / v, epsilon = 0.03);
            assert_abs_diff_eq!(s.total[i], part / v, epsilon = 0.03);
        }
        // An input without effect has a total index of exactly 0.
        assert_abs_diff_eq!(s.total[3], 0.0, epsilon = 1e-15);
    }

    #[test]
    fn test_indices_deterministic() {
        let run = |bootstrap_seed| {
            let design = ishigami_design(256, 5);
            design.indices(&design.evaluate(ishigami), Bootstrap { resamples: 100, level: 0.9, seed: bootstrap_seed })
        };
        let (x, y, other) = (run(3).unwrap(), run(3).unwrap(), run(4).unwrap());
        assert!(same_bits(&x.first, &y.first) && same_bits(&x.total, &y.total));
        assert!(same_bits(&interval_bits(&x.first_ci), &interval_bits(&y.first_ci)));
        assert!(same_bits(&interval_bits(&x.total_ci), &interval_bits(&y.total_ci)));
        // The bootstrap seed moves the intervals, not the estimates.
        assert!(same_bits(&x.first, &other.first));
        assert!(!same_bits(&interval_bits(&x.first_ci), &interval_bits(&other.first_ci)));
    }

    #[test]
    fn test_indices_independent_of_threads() {
        let design = ishigami_design(512, 8);
        let outputs = design.evaluate(ishigami);
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let bootstrap = Bootstrap { resamples: 200, ..Bootstrap::default() };
            pool.install(|| (design.evaluate(ishigami), design.indices(&outputs, bootstrap).unwrap()))
        };
        let ((y1, s1), (y4, s4)) = (run(1), run(4));
        assert!(same_bits(&y1, &outputs) && same_bits(&y4, &outputs));
        assert!(same_bits(&interval_bits(&s1.first_ci), &interval_bits(&s4.first_ci)));
        assert!(same_bits(&interval_bits(&s1.total_ci), &interval_bits(&s4.total_ci)));
    }

    #[test]
    fn test_points_order() {
        // n = 2, k = 3: A = [[1, 2, 3], [4, 5, 6]], B = [[-1, -2, -3], [-4, -5, -6]].
        let a = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b: Vec<f64> = a.iter().map(|x| -x).collect();
        let design = SobolDesign::from_matrices(2, 3, a, b).unwrap();
        let expected = [
            [1.0, 2.0, 3.0],
            [4.0, 5.0, 6.0],
            [-1.0, -2.0, -3.0],
            [-4.0, -5.0, -6.0],
            [-1.0, 2.0, 3.0],
            [-4.0, 5.0, 6.0],
            [1.0, -2.0, 3.0],
            [4.0, -5.0, 6.0],
            [1.0, 2.0, -3.0],
            [4.0, 5.0, -6.0],
        ];
        assert_eq!(design.len(), expected.len());
        let points: Vec<Vec<f64>> = design.points().collect();
        for (point, expected) in points.iter().zip(&expected) {
            assert!(same_bits(point, expected), "{point:?} != {expected:?}");
        }
        assert_eq!(design.locate(0), Some((Block::A, 0)));
        assert_eq!(design.locate(3), Some((Block::B, 1)));
        assert_eq!(design.locate(8), Some((Block::AB(2), 0)));
        assert_eq!(design.locate(10), None);
        // evaluate() follows the same order.
        let sums = design.evaluate(|x| x.iter().sum());
        let expected_sums: Vec<f64> = expected.iter().map(|p| p.iter().sum()).collect();
        assert!(same_bits(&sums, &expected_sums));
    }

    #[test]
    fn test_new_draw_order() {
        let mut rng = ChaCha12Rng::seed_from_u64(0);
        let mut calls = Vec::new();
        let design = SobolDesign::new(2, 2, &mut rng, |input, _| {
            calls.push(input);
            calls.len() as f64
        })
        .unwrap();
        assert_eq!(calls, [0, 1, 0, 1, 0, 1, 0, 1]);
        assert!(same_bits(design.a(), &[1.0, 2.0, 5.0, 6.0]));
        assert!(same_bits(design.b(), &[3.0, 4.0, 7.0, 8.0]));
        // Nested: the small design is the head of the large one.
        let small = ishigami_design(10, 42);
        let large = ishigami_design(20, 42);
        assert!(same_bits(small.a(), &large.a()[..30]) && same_bits(small.b(), &large.b()[..30]));
    }

    #[test]
    fn test_indices_constant_output() {
        let design = ishigami_design(64, 1);
        for constant in [0.0, 0.1, 3.7, -1e12] {
            let s = design.indices(&vec![constant; design.len()], Bootstrap::default()).unwrap();
            assert!(s.is_degenerate());
            assert!(s.first.iter().chain(&s.total).all(|x| x.is_nan()));
            assert!(s.first_ci.iter().chain(&s.total_ci).all(|i| i.low.is_nan() && i.high.is_nan()));
            assert!(!s.first_ci[0].contains(0.0));
            assert_abs_diff_eq!(s.mean, constant, epsilon = 1e-9 * constant.abs());
            assert!(s.variance <= (1e-12 * constant).powi(2));
        }
        // Output varying only on the AB blocks still has no variance to share out.
        let mut outputs = vec![1.0; design.len()];
        outputs[2 * 64] = 2.0;
        assert!(design.indices(&outputs, Bootstrap::default()).unwrap().is_degenerate());
    }

    #[test]
    fn test_indices_without_bootstrap() {
        let design = ishigami_design(128, 2);
        let s = design.indices(&design.evaluate(ishigami), Bootstrap { resamples: 0, ..Bootstrap::default() });
        let s = s.unwrap();
        assert!(!s.is_degenerate() && s.first.iter().all(|x| x.is_finite()));
        assert!(s.first_ci.iter().all(|i| i.low.is_nan()));
    }

    #[test]
    fn test_errors() {
        let mut rng = ChaCha12Rng::seed_from_u64(0);
        let uniform = |_: usize, rng: &mut ChaCha12Rng| rng.random::<f64>();
        assert_eq!(SobolDesign::new(10, 0, &mut rng, uniform).unwrap_err(), SensitivityError::NoInputs);
        assert_eq!(SobolDesign::new(1, 2, &mut rng, uniform).unwrap_err(), SensitivityError::TooFewRows { n: 1 });
        assert!(matches!(SobolDesign::new(usize::MAX, 2, &mut rng, uniform), Err(SensitivityError::TooLarge { .. })));
        assert!(matches!(
            SobolDesign::new(4, 2, &mut rng, |_, _| f64::NAN),
            Err(SensitivityError::NonFiniteInput { matrix: "A", row: 0, input: 0, .. })
        ));
        assert!(matches!(
            SobolDesign::from_matrices(2, 2, vec![0.0; 4], vec![0.0; 3]),
            Err(SensitivityError::MatrixShape { matrix: "B", expected: 4, found: 3, .. })
        ));
        let design = SobolDesign::new(4, 2, &mut rng, uniform).unwrap();
        let bootstrap = Bootstrap::default();
        assert_eq!(
            design.indices(&[1.0; 3], bootstrap).unwrap_err(),
            SensitivityError::OutputLength { expected: 16, found: 3 }
        );
        let mut outputs = vec![1.0; 16];
        outputs[13] = f64::INFINITY;
        let err = design.indices(&outputs, bootstrap).unwrap_err();
        assert!(matches!(err, SensitivityError::NonFiniteOutput { index: 13, block: Block::AB(1), row: 1, .. }));
        assert_eq!(err.to_string(), "model output 13 (row 1 of block AB_1) is inf; outputs must be finite");
        for level in [0.0, 1.0, f64::NAN] {
            let result = design.indices(&[1.0; 16], Bootstrap { level, ..bootstrap });
            assert!(matches!(result, Err(SensitivityError::InvalidLevel { .. })));
        }
    }

    #[test]
    fn test_tornado() {
        let names = ["cost", "support", "morale", "aid", "time"];
        let lows = [1.0, 0.0, 5.0, 2.0, f64::NAN];
        let highs = [2.0, -3.0, 5.0, 1.0, 1.0];
        let t = tornado(1.5, &lows, &highs, &names).unwrap();
        assert_abs_diff_eq!(t.baseline, 1.5);
        let order: Vec<usize> = t.bars.iter().map(|b| b.input).collect();
        assert_eq!(order, [1, 0, 3, 2, 4]);
        assert_eq!(t.bars[0].name, "support");
        assert_abs_diff_eq!(t.bars[0].swing, 3.0);
        assert_abs_diff_eq!(t.bars[0].low, 0.0);
        assert_abs_diff_eq!(t.bars[0].high, -3.0);
        assert_abs_diff_eq!(t.bars[3].swing, 0.0);
        assert!(t.bars[4].swing.is_nan());
        assert_eq!(
            tornado(0.0, &lows, &highs[..2], &names).unwrap_err(),
            SensitivityError::LengthMismatch { what: "highs", expected: 5, found: 2 }
        );
        assert!(tornado::<&str>(0.0, &[], &[], &[]).unwrap().bars.is_empty());
    }

    proptest! {
        #[test]
        fn prop_tornado_sorted_permutation(bars in prop::collection::vec((-10.0..10.0f64, -10.0..10.0f64), 0..12)) {
            let (lows, highs): (Vec<f64>, Vec<f64>) = bars.iter().copied().unzip();
            let names: Vec<String> = (0..bars.len()).map(|i| format!("x{i}")).collect();
            let t = tornado(0.0, &lows, &highs, &names).unwrap();
            let mut inputs: Vec<usize> = t.bars.iter().map(|b| b.input).collect();
            for pair in t.bars.windows(2) {
                prop_assert!(pair[0].swing > pair[1].swing
                    || (pair[0].swing >= pair[1].swing && pair[0].input < pair[1].input));
            }
            for bar in &t.bars {
                prop_assert_eq!(&bar.name, &names[bar.input]);
            }
            inputs.sort_unstable();
            prop_assert_eq!(inputs, (0..bars.len()).collect::<Vec<_>>());
        }

        #[test]
        fn prop_indices_invariant_under_affine_map(
            seed in any::<u64>(),
            scale in prop_oneof![-10.0..-0.1f64, 0.1..10.0f64],
            shift in -1e3..1e3f64,
        ) {
            let design = ishigami_design(64, seed);
            let outputs = design.evaluate(ishigami);
            let mapped: Vec<f64> = outputs.iter().map(|y| scale * y + shift).collect();
            let none = Bootstrap { resamples: 0, ..Bootstrap::default() };
            let (s, t) = (design.indices(&outputs, none).unwrap(), design.indices(&mapped, none).unwrap());
            for i in 0..3 {
                prop_assert!((s.first[i] - t.first[i]).abs() < 1e-9, "{} vs {}", s.first[i], t.first[i]);
                prop_assert!((s.total[i] - t.total[i]).abs() < 1e-9, "{} vs {}", s.total[i], t.total[i]);
            }
        }
    }
}
