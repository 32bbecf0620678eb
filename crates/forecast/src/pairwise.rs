//! The pairwise building blocks (section 3 of the specification): votes, the probability
//! that one position prevails over another, basic utilities and the expected utility of a
//! challenge.
//!
//! Sums run over actors in input order, and a vote forms the weight `w_k = c_k·s_k` before
//! it multiplies the difference of powers, as the canonical replication does: with the same
//! order of operations the results agree with it to rounding.

use serde::Serialize;

use crate::model::same_position;
use crate::options::Denominator;

/// Actor `k`'s vote for position `a` over position `b`:
/// `w_k · ((|x_k − b| / R)^r_k − (|x_k − a| / R)^r_k)`, positive when `k` is nearer `a`.
pub fn vote(weight: f64, position: f64, exponent: f64, a: f64, b: f64, range: f64) -> f64 {
    weight * (((position - b).abs() / range).powf(exponent) - ((position - a).abs() / range).powf(exponent))
}

/// The global denominator `D = Σ_k Σ_m Σ_l |v_k(x_m, x_l)|` over every ordered triple of
/// actors (duplicate positions count repeatedly), summed in that order.
pub fn global_denominator(positions: &[f64], weights: &[f64], exponents: &[f64], range: f64) -> f64 {
    let g = distances(positions, exponents, range);
    global_from(&g, weights, positions.len())
}

/// The probability that position `a` prevails over position `b`: the sum of the votes for
/// `a` (their positive parts) over `denominator`, or 0 when `a == b`.
pub fn probability(
    positions: &[f64],
    weights: &[f64],
    exponents: &[f64],
    range: f64,
    a: f64,
    b: f64,
    denominator: Denominator,
) -> f64 {
    if same_position(a, b) {
        return 0.0;
    }
    let mut num = 0.0;
    let mut abs = 0.0;
    for ((&x, &w), &r) in positions.iter().zip(weights).zip(exponents) {
        let v = vote(w, x, r, a, b, range);
        num += v.max(0.0);
        abs += v.abs();
    }
    match denominator {
        Denominator::Global => num / global_denominator(positions, weights, exponents, range),
        Denominator::Pairwise => pairwise_ratio(num, abs),
    }
}

/// `num / abs` of the pairwise denominator; when no vote tells the two positions apart
/// (`abs = 0`: only weightless actors hold them and every voter is equidistant), neither is
/// favoured and the probability is 1/2, so `P(a, b) + P(b, a) = 1` still holds.
fn pairwise_ratio(num: f64, abs: f64) -> f64 {
    if abs > 0.0 { num / abs } else { 0.5 }
}

/// The basic utilities an evaluator with exponent `ρ` assigns to a challenge across the
/// normalised distance `d` (\[S\] eqs. 18–23).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BasicUtilities {
    /// `U_s = 2 − 4 (0.5 − 0.5 d)^ρ`: the challenger succeeds and the target adopts its position.
    pub success: f64,
    /// `U_f = 2 − 4 (0.5 + 0.5 d)^ρ`: the challenger fails and adopts the target's position.
    pub failure: f64,
    /// `U_sq = 2 − 4 · 0.5^ρ`: the status quo.
    pub status_quo: f64,
}

impl BasicUtilities {
    /// The basic utilities at normalised distance `d` in [0, 1] with exponent `rho`.
    pub fn new(d: f64, rho: f64) -> Self {
        Self {
            success: 2.0 - 4.0 * (0.5 - 0.5 * d).powf(rho),
            failure: 2.0 - 4.0 * (0.5 + 0.5 * d).powf(rho),
            status_quo: 2.0 - 4.0 * 0.5f64.powf(rho),
        }
    }
}

/// The basic utilities of an unchallenged target drifting to the median `μ` (\[S\] eqs.
/// 22–23), used only when `Q < 1`: `U_b = 2 − 4 (0.5 − 0.25 e)^ρ` when the drift helps the
/// challenger and `U_w = 2 − 4 (0.5 + 0.25 e)^ρ` when it hurts, with
/// `e = (|x_i − μ| + |x_i − x_j|) / R` in [0, 2]. Returns `(U_b, U_w)`.
pub fn drift_utilities(e: f64, rho: f64) -> (f64, f64) {
    (2.0 - 4.0 * (0.5 - 0.25 * e).powf(rho), 2.0 - 4.0 * (0.5 + 0.25 * e).powf(rho))
}

/// Everything the expected utility of one challenge needs besides the probabilities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Challenge {
    /// The challenger's position `x_i`.
    pub challenger: f64,
    /// The target's position `x_j`.
    pub target: f64,
    /// The target's salience `s_j`: the probability that it resists.
    pub target_salience: f64,
    /// `P(x_i, x_j)`, the probability that the challenger's position prevails.
    pub prevails: f64,
    /// The range `R`.
    pub range: f64,
    /// The evaluator's exponent `ρ`.
    pub rho: f64,
    /// `Q`, the probability that the status quo holds if nobody challenges.
    pub q: f64,
    /// The median voter position `μ` (used only when `Q < 1`).
    pub median: f64,
}

impl Challenge {
    /// The expected utility of the challenge (\[S\] eq. 24):
    ///
    /// ```text
    /// EU = s_j (P U_s + (1 − P) U_f) + (1 − s_j) U_s − Q U_sq − (1 − Q) (T U_b + (1 − T) U_w)
    /// ```
    ///
    /// The last term is left out when `Q = 1`, as in every reference.
    pub fn expected_utility(&self) -> f64 {
        let gap = (self.challenger - self.target).abs();
        let u = BasicUtilities::new(gap / self.range, self.rho);
        let s = self.target_salience;
        let p = self.prevails;
        let mut eu = s * (p * u.success + (1.0 - p) * u.failure) + (1.0 - s) * u.success - self.q * u.status_quo;
        if self.q < 1.0 {
            let to_median = (self.challenger - self.median).abs();
            let (better, worse) = drift_utilities((to_median + gap) / self.range, self.rho);
            // Our reading of [S]'s four cases: the drift helps when the challenger is
            // nearer the median than the target is.
            let drift = if to_median < gap { better } else { worse };
            eu -= (1.0 - self.q) * drift;
        }
        eu
    }
}

/// `(|x_k − x_m| / R)^r_k` for every voter `k` and position `m`, row-major.
fn distances(positions: &[f64], exponents: &[f64], range: f64) -> Vec<f64> {
    let n = positions.len();
    let mut g = Vec::with_capacity(n * n);
    for k in 0..n {
        for m in 0..n {
            g.push(((positions[k] - positions[m]).abs() / range).powf(exponents[k]));
        }
    }
    g
}

fn global_from(g: &[f64], weights: &[f64], n: usize) -> f64 {
    let mut d = 0.0;
    for k in 0..n {
        for m in 0..n {
            for l in 0..n {
                d += (weights[k] * (g[k * n + l] - g[k * n + m])).abs();
            }
        }
    }
    d
}

/// One pass of the model: the probabilities `P(x_i, x_j)` of every ordered pair of actors
/// for fixed positions and vote exponents, and the expected utilities built on them.
#[derive(Clone, Debug)]
pub(crate) struct Pass<'a> {
    positions: &'a [f64],
    saliences: &'a [f64],
    range: f64,
    q: f64,
    median: f64,
    /// `P(x_i, x_j)` at `i * n + j`.
    prevails: Vec<f64>,
}

/// The fixed inputs of a pass.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Setting<'a> {
    pub(crate) positions: &'a [f64],
    pub(crate) weights: &'a [f64],
    pub(crate) saliences: &'a [f64],
    pub(crate) range: f64,
    pub(crate) q: f64,
    pub(crate) median: f64,
    pub(crate) denominator: Denominator,
}

impl<'a> Pass<'a> {
    /// The probabilities of every pair with votes using `exponents`.
    pub(crate) fn new(setting: Setting<'a>, exponents: &[f64]) -> Self {
        let Setting { positions, weights, saliences, range, q, median, denominator } = setting;
        let n = positions.len();
        let g = distances(positions, exponents, range);
        let global = match denominator {
            Denominator::Global => Some(global_from(&g, weights, n)),
            Denominator::Pairwise => None,
        };
        let mut prevails = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                if same_position(positions[i], positions[j]) {
                    continue;
                }
                let mut num = 0.0;
                let mut abs = 0.0;
                for k in 0..n {
                    let v = weights[k] * (g[k * n + j] - g[k * n + i]);
                    num += v.max(0.0);
                    abs += v.abs();
                }
                prevails[i * n + j] = match global {
                    Some(d) => num / d,
                    None => pairwise_ratio(num, abs),
                };
            }
        }
        Self { positions, saliences, range, q, median, prevails }
    }

    /// `P(x_i, x_j)`.
    pub(crate) fn prevails(&self, i: usize, j: usize) -> f64 {
        self.prevails[i * self.positions.len() + j]
    }

    /// The expected utility of `challenger` challenging `target`, as an evaluator with
    /// exponent `rho` sees it.
    pub(crate) fn expected_utility(&self, challenger: usize, target: usize, rho: f64) -> f64 {
        Challenge {
            challenger: self.positions[challenger],
            target: self.positions[target],
            target_salience: self.saliences[target],
            prevails: self.prevails(challenger, target),
            range: self.range,
            rho,
            q: self.q,
            median: self.median,
        }
        .expected_utility()
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;

    // The three-actor example of the crate's hand checks: A (c 1, x 0, s 1), B (c 1, x 1,
    // s 0.5), C (c 2, x 3, s 0.25); weights 1, 0.5, 0.5; R = 3. Every number below is
    // worked out by hand from the specification's formulas.
    const X: [f64; 3] = [0.0, 1.0, 3.0];
    const W: [f64; 3] = [1.0, 0.5, 0.5];
    const S: [f64; 3] = [1.0, 0.5, 0.25];
    const ONES: [f64; 3] = [1.0; 3];

    /// The three actors under the canonical switches, `Q = 1`.
    fn canonical() -> Setting<'static> {
        Setting {
            positions: &X,
            weights: &W,
            saliences: &S,
            range: R,
            q: 1.0,
            median: 0.0,
            denominator: Denominator::Global,
        }
    }
    const R: f64 = 3.0;

    #[test]
    fn test_votes_by_hand() {
        // A votes for 0 over 3: 1 · (3/3 − 0/3) = 1.
        assert_relative_eq!(vote(1.0, 0.0, 1.0, 0.0, 3.0, R), 1.0);
        // C votes for 1 over 0: 0.5 · (3/3 − 2/3) = 1/6.
        assert_relative_eq!(vote(0.5, 3.0, 1.0, 1.0, 0.0, R), 1.0 / 6.0);
        // B with exponent 2, for 3 over 0: 0.5 · ((1/3)² − (2/3)²) = −1/6.
        assert_relative_eq!(vote(0.5, 1.0, 2.0, 3.0, 0.0, R), -1.0 / 6.0);
        // Equidistant: no vote.
        assert_relative_eq!(vote(1.0, 1.0, 1.0, 0.0, 2.0, 2.0), 0.0);
    }

    #[test]
    fn test_global_denominator_by_hand() {
        // With linear votes |v_k(x_m, x_l)| = w_k · ||x_k − x_l| − |x_k − x_m|| / R.
        // A (at 0): distances 0, 1, 3; pairs (m, l) ordered: 2·(1 + 3 + 2) = 12, × 1/3 = 4.
        // B (at 1): distances 1, 0, 2; 2·(1 + 1 + 2) = 8, × 0.5/3 = 4/3.
        // C (at 3): distances 3, 2, 0; 2·(1 + 3 + 2) = 12, × 0.5/3 = 2.
        assert_relative_eq!(global_denominator(&X, &W, &ONES, R), 4.0 + 4.0 / 3.0 + 2.0, max_relative = 1e-15);
    }

    #[test]
    fn test_probabilities_by_hand() {
        let d = 22.0 / 3.0;
        // P(0, 1): A votes 1/3 for 0, B and C vote for 1 (negative parts dropped): (1/3) / D.
        let p01 = probability(&X, &W, &ONES, R, 0.0, 1.0, Denominator::Global);
        assert_relative_eq!(p01, (1.0 / 3.0) / d, max_relative = 1e-15);
        // P(1, 0): B 0.5·1/3 = 1/6, C 0.5·(3−2)/3 = 1/6: (1/3) / D.
        let p10 = probability(&X, &W, &ONES, R, 1.0, 0.0, Denominator::Global);
        assert_relative_eq!(p10, (1.0 / 3.0) / d, max_relative = 1e-15);
        // P(0, 3): A 1, B 0.5·(2 − 1)/3 = 1/6: (7/6) / D.
        let p03 = probability(&X, &W, &ONES, R, 0.0, 3.0, Denominator::Global);
        assert_relative_eq!(p03, (7.0 / 6.0) / d, max_relative = 1e-15);
        // Pairwise: P(0, 3) = (7/6) / (7/6 + C's 0.5) = 7/10, and P(3, 0) = 3/10.
        let pw = |a, b| probability(&X, &W, &ONES, R, a, b, Denominator::Pairwise);
        assert_relative_eq!(pw(0.0, 3.0), 0.7, max_relative = 1e-15);
        assert_relative_eq!(pw(0.0, 3.0) + pw(3.0, 0.0), 1.0, max_relative = 1e-15);
        assert_relative_eq!(probability(&X, &W, &ONES, R, 1.0, 1.0, Denominator::Global), 0.0);
        // The pass's matrix agrees with the single-pair function.
        let pass = Pass::new(canonical(), &ONES);
        assert_relative_eq!(pass.prevails(0, 2), p03);
        assert_relative_eq!(pass.prevails(1, 0), p10);
    }

    #[test]
    fn test_basic_utilities_by_hand() {
        // ρ = 1: U_s = 2d, U_f = −2d, U_sq = 0.
        let u = BasicUtilities::new(0.5, 1.0);
        assert_relative_eq!(u.success, 1.0);
        assert_relative_eq!(u.failure, -1.0);
        assert_relative_eq!(u.status_quo, 0.0);
        // ρ = 2, d = 1/2: U_s = 2 − 4·(1/4)² = 1.75; U_f = 2 − 4·(3/4)² = −0.25; U_sq = 1.
        let u = BasicUtilities::new(0.5, 2.0);
        assert_relative_eq!(u.success, 1.75);
        assert_relative_eq!(u.failure, -0.25);
        assert_relative_eq!(u.status_quo, 1.0);
        // ρ = 0.5, d = 1: U_s = 2; U_f = 2 − 4 = −2; U_sq = 2 − 4·√0.5.
        let u = BasicUtilities::new(1.0, 0.5);
        assert_relative_eq!(u.success, 2.0);
        assert_relative_eq!(u.failure, -2.0);
        assert_relative_eq!(u.status_quo, 2.0 - 2.0 * 2f64.sqrt(), max_relative = 1e-15);
        // Drift, ρ = 1, e = 1: U_b = 1, U_w = −1.
        let (b, w) = drift_utilities(1.0, 1.0);
        assert_relative_eq!(b, 1.0);
        assert_relative_eq!(w, -1.0);
    }

    #[test]
    fn test_expected_utility_by_hand() {
        let challenge = |challenger: f64, target: f64, s: f64, p: f64, rho: f64| Challenge {
            challenger,
            target,
            target_salience: s,
            prevails: p,
            range: R,
            rho,
            q: 1.0,
            median: 0.0,
        };
        // A (0) challenges C (3), ρ = 1: d = 1, EU = 2d(1 − 2 s_C (1 − P)) with P = 7/44.
        let p = 7.0 / 44.0;
        let eu = challenge(0.0, 3.0, 0.25, p, 1.0).expected_utility();
        assert_relative_eq!(eu, 2.0 * (1.0 - 0.5 * (1.0 - p)), max_relative = 1e-15);
        // ρ = 2, d = 1: U_s = 2, U_f = −2, U_sq = 1; EU = s(2P − 2(1 − P)) + (1 − s)·2 − 1.
        let eu = challenge(0.0, 3.0, 0.25, p, 2.0).expected_utility();
        assert_relative_eq!(eu, 0.25 * (4.0 * p - 2.0) + 1.5 - 1.0, max_relative = 1e-14);
        // Same position: 0 when ρ = 1.
        assert_relative_eq!(challenge(1.0, 1.0, 0.5, 0.0, 1.0).expected_utility(), 0.0);
        // Q = 0.5, ρ = 1, A (0) challenges B (1) with the median at 0: |x_i − μ| = 0 < 1,
        // so T = 1 and the drift term is U_b with e = 1/3: U_b = 1/3.
        let c = Challenge { q: 0.5, median: 0.0, ..challenge(0.0, 1.0, 0.5, 0.1, 1.0) };
        let d = 1.0 / 3.0;
        let expected = 2.0 * d * (1.0 - 2.0 * 0.5 * 0.9) - 0.5 * (1.0 / 3.0);
        assert_relative_eq!(c.expected_utility(), expected, max_relative = 1e-14);
        // With the median at 3 the challenger is farther from it than from the target:
        // T = 0, U_w with e = (3 + 1)/3: U_w = −4/3.
        let c = Challenge { median: 3.0, ..c };
        let expected = 2.0 * d * (1.0 - 2.0 * 0.5 * 0.9) + 0.5 * (4.0 / 3.0);
        assert_relative_eq!(c.expected_utility(), expected, max_relative = 1e-14);
    }

    #[test]
    fn test_pass_expected_utility_uses_target_salience() {
        let pass = Pass::new(canonical(), &ONES);
        // C challenges A: d = 1, s_A = 1, P(3, 0) = (C's 0.5·1 + B's 0) / D = 0.5 / (22/3).
        let p = 0.5 / (22.0 / 3.0);
        assert_relative_eq!(pass.expected_utility(2, 0, 1.0), 2.0 * (1.0 - 2.0 * (1.0 - p)), max_relative = 1e-14);
    }
}
