//! Bargaining solutions on the Pareto frontier.
//!
//! All four solutions are computed over the **bargainers** (the veto players, or every
//! actor if nobody holds a veto) relative to a disagreement point `d`:
//!
//! * **Nash** (Nash, "The Bargaining Problem", Econometrica 1950, doi:10.2307/1907266):
//!   maximises `Π_b (u_b − d_b)` over candidates with `u_b ≥ d_b` for every bargainer.
//! * **Kalai–Smorodinsky** (Kalai & Smorodinsky, Econometrica 1975, doi:10.2307/1914280):
//!   maximises `min_b (u_b − d_b) / (ideal_b − d_b)`, where `ideal_b` is the bargainer's best
//!   utility over the admissible outcomes; bargainers whose ideal equals `d_b` are left out
//!   of the minimum (they cannot gain).
//! * **Egalitarian** (Kalai, Econometrica 1977, doi:10.2307/1914069): maximises
//!   `min_b (u_b − d_b)`, equal absolute gains.
//! * **Utilitarian**: maximises `Σ_b u_b`.
//!
//! Objectives are compared exactly on the utility grid (see [`crate::utility`]): gains and
//! sums are integers, Kalai–Smorodinsky ratios are compared by cross-multiplication and
//! Nash products exactly (a floating-point estimate, and the integer product when the
//! estimates are too close to call), so candidates whose objectives are equal decimals tie.
//! Ties go to the candidate that comes first in the frontier's canonical order. Every
//! maximiser is a frontier point: the objectives never decrease when a bargainer's utility
//! rises, so a point that dominates a maximiser is a maximiser too.

use std::cmp::Ordering;

use serde::Serialize;

use crate::utility::{Units, from_units};

/// Which disagreement point and candidate set the solutions use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disagreement {
    /// parley's default: `d_b` is the bargainer's reservation value and the candidates are
    /// the frontier points inside the zone of possible agreement. If the zone is empty there
    /// is no solution — a finding, reported as such.
    #[default]
    Reservation,
    /// NegMAS's convention (used to cross-check against it): `d_b = max(reservation_b,
    /// worst_b)`, where `worst_b` is the bargainer's lowest utility over the admissible
    /// outcomes, and the candidates are all frontier points.
    NegmasMinimum,
}

/// The bargaining solution concepts parley computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolutionConcept {
    /// Maximum product of gains.
    Nash,
    /// Maximum smallest share of each bargainer's possible gain.
    KalaiSmorodinsky,
    /// Maximum smallest absolute gain.
    Egalitarian,
    /// Maximum sum of utilities.
    Utilitarian,
}

impl SolutionConcept {
    /// All concepts in report order.
    pub const ALL: [SolutionConcept; 4] = [
        SolutionConcept::Nash,
        SolutionConcept::KalaiSmorodinsky,
        SolutionConcept::Egalitarian,
        SolutionConcept::Utilitarian,
    ];

    /// Human name.
    pub fn name(self) -> &'static str {
        match self {
            SolutionConcept::Nash => "Nash",
            SolutionConcept::KalaiSmorodinsky => "Kalai-Smorodinsky",
            SolutionConcept::Egalitarian => "egalitarian",
            SolutionConcept::Utilitarian => "utilitarian",
        }
    }

    /// The exact key of a candidate with these `gains` over the disagreement point (for
    /// the Nash product, the gains themselves are the key).
    fn key(self, gains: &[Units], u: &[Units], bargainers: &[usize], d: &[Units], ideal: &[Units]) -> Key {
        match self {
            SolutionConcept::Nash => Key::Product,
            SolutionConcept::KalaiSmorodinsky => {
                // The smallest share of the possible gain, as an exact fraction.
                let mut least: Option<(i128, i128)> = None;
                for (&b, &g) in bargainers.iter().zip(gains).filter(|(b, _)| ideal[**b] > d[**b]) {
                    let share = (i128::from(g), i128::from(ideal[b] - d[b]));
                    if least.is_none_or(|l| share.0 * l.1 < l.0 * share.1) {
                        least = Some(share);
                    }
                }
                Key::Share(least)
            }
            SolutionConcept::Egalitarian => Key::Units(*gains.iter().min().expect("bargainers are never empty")),
            SolutionConcept::Utilitarian => Key::Units(bargainers.iter().map(|&b| u[b]).sum()),
        }
    }

    /// The objective as a number, for reports.
    fn value(self, key: &Key, gains: &[Units]) -> f64 {
        match key {
            Key::Product => gains.iter().map(|&g| from_units(g)).product(),
            Key::Share(least) => least.map_or(f64::INFINITY, |(num, den)| num as f64 / den as f64),
            Key::Units(units) => from_units(*units),
        }
    }
}

/// An objective in a form that compares exactly.
#[derive(Clone, Copy, Debug)]
enum Key {
    /// The product of the gains (held beside the key).
    Product,
    /// A fraction `(numerator, positive denominator)`; `None` is larger than any fraction.
    Share(Option<(i128, i128)>),
    /// A sum or a minimum of units.
    Units(Units),
}

/// Exact order of two candidates' objectives of one concept, with their gains.
fn cmp_keys(a: &Key, a_gains: &[Units], b: &Key, b_gains: &[Units]) -> Ordering {
    match (a, b) {
        (Key::Product, Key::Product) => cmp_products(a_gains, b_gains),
        (Key::Share(a), Key::Share(b)) => match (a, b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => (a.0 * b.1).cmp(&(b.0 * a.1)),
        },
        (Key::Units(a), Key::Units(b)) => a.cmp(b),
        _ => unreachable!("keys of one concept have one form"),
    }
}

/// Index (into `points`) of the point maximising `concept` among the candidates (every
/// bargainer at or above its disagreement value), first on ties, with its objective value.
pub(crate) fn solve<'a>(
    concept: SolutionConcept,
    points: impl Iterator<Item = &'a [Units]>,
    bargainers: &[usize],
    d: &[Units],
    ideal: &[Units],
) -> Option<(usize, f64)> {
    let mut gains = vec![0; bargainers.len()];
    let mut best_gains = gains.clone();
    let mut best: Option<(usize, Key)> = None;
    for (i, u) in points.enumerate() {
        if bargainers.iter().any(|&b| u[b] < d[b]) {
            continue;
        }
        for (g, &b) in gains.iter_mut().zip(bargainers) {
            *g = u[b] - d[b];
        }
        let key = concept.key(&gains, u, bargainers, d, ideal);
        if best.as_ref().is_none_or(|(_, b)| cmp_keys(&key, &gains, b, &best_gains) == Ordering::Greater) {
            best_gains.copy_from_slice(&gains);
            best = Some((i, key));
        }
    }
    best.map(|(i, key)| (i, concept.value(&key, &best_gains)))
}

/// Exact order of the products of two equally long lists of non-negative integers.
///
/// The products are first estimated in floating point: with factors below 2⁵³ each of the
/// `n − 1` multiplications is off by at most half an ulp, so estimates that differ by more
/// than a relative `4n·ε` order the exact products. Closer estimates (ties, in particular)
/// are settled by multiplying out exactly in base 2⁶⁴.
pub(crate) fn cmp_products(a: &[Units], b: &[Units]) -> Ordering {
    debug_assert_eq!(a.len(), b.len());
    debug_assert!(a.iter().chain(b).all(|&x| x >= 0), "gains are non-negative");
    match (a.contains(&0), b.contains(&0)) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        (false, false) => {}
    }
    // Factors are at least 1, so estimates cannot underflow; many large factors can make
    // them overflow, and then the exact products decide.
    let estimate = |f: &[Units]| f.iter().map(|&x| x as f64).product::<f64>();
    let (pa, pb) = (estimate(a), estimate(b));
    if pa.is_finite() && pb.is_finite() {
        let tolerance = 4.0 * a.len() as f64 * f64::EPSILON;
        if pa > pb * (1.0 + tolerance) {
            return Ordering::Greater;
        }
        if pb > pa * (1.0 + tolerance) {
            return Ordering::Less;
        }
    }
    let exact = |f: &[Units]| {
        let mut limbs: Vec<u64> = vec![1];
        for &x in f {
            let mut carry: u128 = 0;
            for limb in &mut limbs {
                let wide = u128::from(*limb) * x as u128 + carry;
                *limb = wide as u64;
                carry = wide >> 64;
            }
            if carry > 0 {
                limbs.push(carry as u64);
            }
        }
        limbs
    };
    let (ea, eb) = (exact(a), exact(b));
    ea.len().cmp(&eb.len()).then_with(|| ea.iter().rev().cmp(eb.iter().rev()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::utility::{UNITS_PER_UTILITY, to_units};
    use approx::assert_relative_eq;

    fn units(points: &[[f64; 2]]) -> Vec<[Units; 2]> {
        points.iter().map(|p| p.map(to_units)).collect()
    }

    #[test]
    fn test_solve_on_a_hand_made_frontier() {
        // A 2-actor frontier with d = (0.2, 0.1) and ideal = (1, 1); the ends fall below d.
        let pts = units(&[[1.0, 0.0], [0.97, 0.42], [0.6, 0.76], [0.4, 0.9], [0.1, 1.0]]);
        let d = [0.2, 0.1].map(to_units);
        let ideal = [1.0, 1.0].map(to_units);
        let b = [0, 1];
        let it = || pts.iter().map(|p| p.as_slice());
        // Nash products: 0.77·0.32 = 0.2464, 0.4·0.66 = 0.264, 0.2·0.8 = 0.16.
        let (i, v) = solve(SolutionConcept::Nash, it(), &b, &d, &ideal).unwrap();
        assert_eq!(i, 2);
        assert_relative_eq!(v, 0.264, epsilon = 1e-12);
        // KS: min(0.9625, 0.356), min(0.5, 0.733), min(0.25, 0.889).
        let (i, v) = solve(SolutionConcept::KalaiSmorodinsky, it(), &b, &d, &ideal).unwrap();
        assert_eq!(i, 2);
        assert_relative_eq!(v, 0.5, epsilon = 1e-12);
        // Egalitarian: 0.32, 0.4, 0.2.
        let (i, v) = solve(SolutionConcept::Egalitarian, it(), &b, &d, &ideal).unwrap();
        assert_eq!(i, 2);
        assert_relative_eq!(v, 0.4, epsilon = 1e-12);
        // Utilitarian: 1.39, 1.36, 1.3.
        let (i, v) = solve(SolutionConcept::Utilitarian, it(), &b, &d, &ideal).unwrap();
        assert_eq!(i, 1);
        assert_relative_eq!(v, 1.39, epsilon = 1e-12);
    }

    #[test]
    fn test_cmp_products_is_exact_on_permutations_and_near_ties() {
        // Floating-point products depend on the order of the factors; exact ones do not.
        let mut state = 11u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 20) % 1_000_000_000_000) as Units + 1
        };
        let mut differed = 0;
        for _ in 0..2000 {
            let a: Vec<Units> = (0..5).map(|_| next()).collect();
            let b: Vec<Units> = a.iter().rev().copied().collect();
            let float = |f: &[Units]| f.iter().map(|&x| x as f64).product::<f64>();
            differed += usize::from(float(&a).to_bits() != float(&b).to_bits());
            assert_eq!(cmp_products(&a, &b), Ordering::Equal);
            let mut c = b.clone();
            c[0] += 1;
            assert_eq!(cmp_products(&a, &c), Ordering::Less);
            assert_eq!(cmp_products(&c, &a), Ordering::Greater);
        }
        assert!(differed > 0, "some float products differ with the order of their factors");
        assert_eq!(cmp_products(&[0, 5], &[5, 0]), Ordering::Equal);
        assert_eq!(cmp_products(&[0, 5], &[1, 1]), Ordering::Less);
        // Products too large for a float estimate are still ordered.
        let big = vec![UNITS_PER_UTILITY * 900; 40];
        let mut bigger = big.clone();
        bigger[39] += 1;
        assert_eq!(cmp_products(&big, &bigger), Ordering::Less);
    }

    #[test]
    fn test_equal_decimal_objectives_tie_and_the_first_point_wins() {
        // Three bargainers, d = 0. Nash: 0.1·0.2·0.3 in two orders of the factors;
        // Kalai–Smorodinsky: 0.3/0.6 = 0.2/0.4; utilitarian: 0.1 + 0.2 + 0.3 = 0.3 + 0.2 + 0.1.
        let d = [0; 3];
        let ideal = [0.6, 0.4, 0.6].map(to_units);
        let first = [0.3, 0.2, 0.1].map(to_units);
        let second = [0.1, 0.2, 0.3].map(to_units);
        let pts = [first, second];
        for concept in [SolutionConcept::Nash, SolutionConcept::Utilitarian, SolutionConcept::Egalitarian] {
            let (i, _) = solve(concept, pts.iter().map(|p| p.as_slice()), &[0, 1, 2], &d, &ideal).unwrap();
            assert_eq!(i, 0, "{concept:?}");
        }
        // Shares: first min(0.5, 0.5, 1/6); second min(1/6, 0.5, 0.5): equal.
        let (i, _) =
            solve(SolutionConcept::KalaiSmorodinsky, pts.iter().map(|p| p.as_slice()), &[0, 1, 2], &d, &ideal).unwrap();
        assert_eq!(i, 0);
    }

    #[test]
    fn test_no_candidate_gives_none() {
        let pts = units(&[[0.1, 0.1]]);
        let (d, ideal) = ([0.5, 0.5].map(to_units), [1.0, 1.0].map(to_units));
        assert!(solve(SolutionConcept::Nash, pts.iter().map(|p| p.as_slice()), &[0, 1], &d, &ideal).is_none());
    }
}
