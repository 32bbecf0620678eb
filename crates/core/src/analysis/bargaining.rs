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
//! Ties go to the candidate that comes first in the frontier's canonical order. Every
//! maximiser is a frontier point: the objectives never decrease when a bargainer's utility
//! rises, so a point that dominates a maximiser is a maximiser too.

use serde::Serialize;

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

    /// The objective value of a point (higher is better), or `None` if the point is not a
    /// candidate (some bargainer below its disagreement value).
    pub(crate) fn objective(self, u: &[f64], bargainers: &[usize], d: &[f64], ideal: &[f64]) -> Option<f64> {
        if bargainers.iter().any(|&b| u[b] < d[b]) {
            return None;
        }
        let value = match self {
            SolutionConcept::Nash => bargainers.iter().map(|&b| u[b] - d[b]).product(),
            SolutionConcept::KalaiSmorodinsky => bargainers
                .iter()
                .filter(|&&b| ideal[b] > d[b])
                .map(|&b| (u[b] - d[b]) / (ideal[b] - d[b]))
                .fold(f64::INFINITY, f64::min),
            SolutionConcept::Egalitarian => bargainers.iter().map(|&b| u[b] - d[b]).fold(f64::INFINITY, f64::min),
            SolutionConcept::Utilitarian => bargainers.iter().map(|&b| u[b]).sum(),
        };
        Some(value)
    }
}

/// Index (into `points`) of the point maximising `concept`, first on ties.
pub(crate) fn solve<'a>(
    concept: SolutionConcept,
    points: impl Iterator<Item = &'a [f64]>,
    bargainers: &[usize],
    d: &[f64],
    ideal: &[f64],
) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, u) in points.enumerate() {
        if let Some(v) = concept.objective(u, bargainers, d, ideal)
            && best.is_none_or(|(_, b)| v > b)
        {
            best = Some((i, v));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn test_solve_on_a_hand_made_frontier() {
        // A 2-actor frontier with d = (0.2, 0.1) and ideal = (1, 1); the ends fall below d.
        let pts: [[f64; 2]; 5] = [[1.0, 0.0], [0.97, 0.42], [0.6, 0.76], [0.4, 0.9], [0.1, 1.0]];
        let d = [0.2, 0.1];
        let ideal = [1.0, 1.0];
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
    fn test_no_candidate_gives_none() {
        let pts: [[f64; 2]; 1] = [[0.1, 0.1]];
        assert!(
            solve(SolutionConcept::Nash, pts.iter().map(|p| p.as_slice()), &[0, 1], &[0.5, 0.5], &[1.0, 1.0]).is_none()
        );
    }
}
