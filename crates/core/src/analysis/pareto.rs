//! Exact Pareto frontiers over streams of utility vectors.
//!
//! A point is on the frontier when no other point is at least as good for every actor and
//! strictly better for one. Points with equal utility vectors collapse into one frontier
//! point whose representative is the outcome with the smallest index (the convention NegMAS
//! follows when it lists a frontier), so the result does not depend on the order in which
//! points arrive — which is what makes parallel runs reproducible. Utilities are exact
//! integer [`Units`], so "equal" means equal decimals and dominance is a true partial order.
//!
//! Two implementations of the same set, chosen by the number of actors:
//!
//! * [`Staircase`] for two actors: the frontier kept sorted by the first utility, with the
//!   second strictly decreasing; a point is tested by one binary search, O(log h).
//! * [`SortFilter`] for three or more: points are buffered and periodically reduced with
//!   sort-filter-skyline (Chomicki, Godfrey, Gryz & Liang, "Skyline with presorting",
//!   ICDE 2003, doi:10.1109/ICDE.2003.1260846): sort by the sum of utilities, descending, so
//!   that no point can be dominated by one that comes after it, then keep each point that
//!   no kept point dominates.
//!
//! Tests check both against the definition on random inputs.

use std::cmp::Ordering;

use crate::utility::{UNITS_PER_UTILITY, Units};

/// Points buffered before a [`SortFilter`] reduces them.
const SORT_FILTER_BATCH: usize = 1 << 16;

/// A set of mutually non-dominated points with distinct utility vectors.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PointSet {
    /// Number of utilities per point.
    pub dims: usize,
    /// Utilities, `dims` per point.
    pub utilities: Vec<Units>,
    /// Outcome index of each point's representative.
    pub outcomes: Vec<u64>,
}

impl PointSet {
    pub(crate) fn new(dims: usize) -> Self {
        Self { dims, utilities: Vec::new(), outcomes: Vec::new() }
    }

    pub(crate) fn len(&self) -> usize {
        self.outcomes.len()
    }

    pub(crate) fn point(&self, i: usize) -> &[Units] {
        &self.utilities[i * self.dims..(i + 1) * self.dims]
    }

    fn push(&mut self, u: &[Units], outcome: u64) {
        self.utilities.extend_from_slice(u);
        self.outcomes.push(outcome);
    }

    /// Sorts points by utilities lexicographically descending (then outcome index), the
    /// canonical order in which frontiers are reported.
    pub(crate) fn sort_canonical(&mut self) {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| lex_desc(self.point(a), self.point(b)).then(self.outcomes[a].cmp(&self.outcomes[b])));
        self.reorder(&order);
    }

    fn reorder(&mut self, order: &[usize]) {
        let mut utilities = Vec::with_capacity(self.utilities.len());
        let mut outcomes = Vec::with_capacity(order.len());
        for &i in order {
            utilities.extend_from_slice(self.point(i));
            outcomes.push(self.outcomes[i]);
        }
        self.utilities = utilities;
        self.outcomes = outcomes;
    }
}

/// `a` is at least as good as `b` for every actor.
#[inline]
pub(crate) fn weakly_dominates(a: &[Units], b: &[Units]) -> bool {
    a.iter().zip(b).all(|(x, y)| x >= y)
}

/// Lexicographic order, larger first.
fn lex_desc(a: &[Units], b: &[Units]) -> Ordering {
    b.cmp(a)
}

/// Buckets of the quick-rejection table of a [`Staircase`].
const BUCKETS: usize = 256;

/// The two-actor frontier: sorted by `u0` ascending with `u1` strictly descending.
///
/// Most points of a large space are dominated, so a table answers most queries in O(1)
/// before the binary search: `floor[b]` is the largest `u1` among points ever inserted
/// whose `u0` lies in a bucket above `b` (buckets split `[0, 1]` evenly). A point in bucket
/// `b` with `u1 <= floor[b]` is strictly dominated by such a point, which is on the
/// staircase or dominated by a point that is.
#[derive(Clone, Debug)]
pub(crate) struct Staircase {
    steps: Vec<(Units, Units, u64)>,
    floor: Box<[Units; BUCKETS]>,
}

impl Default for Staircase {
    fn default() -> Self {
        Self { steps: Vec::new(), floor: Box::new([Units::MIN; BUCKETS]) }
    }
}

/// The bucket of a utility: a non-decreasing function of it, which is all the table needs.
#[inline(always)]
fn bucket(x: Units) -> usize {
    // Saturating float-to-int casts clamp out-of-range values.
    ((x as f64 * (BUCKETS as f64 / UNITS_PER_UTILITY as f64)) as usize).min(BUCKETS - 1)
}

impl Staircase {
    pub(crate) fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether a point once inserted strictly dominates `(x, y)`, by the O(1) table only:
    /// `false` means "maybe not".
    #[inline(always)]
    pub(crate) fn rejects(&self, x: Units, y: Units) -> bool {
        y <= self.floor[bucket(x)]
    }

    /// Whether a step strictly dominates `(x, y)`: the table first, then a binary search.
    #[inline]
    pub(crate) fn dominated(&self, x: Units, y: Units) -> bool {
        if self.rejects(x, y) {
            return true;
        }
        let at = self.steps.partition_point(|s| s.0 <= x);
        self.steps.get(at).is_some_and(|s| s.1 >= y)
    }

    /// Offers a point; keeps it if no step dominates or equals it.
    #[inline(always)]
    pub(crate) fn insert(&mut self, x: Units, y: Units, outcome: u64) {
        if !self.rejects(x, y) {
            self.insert_slow(x, y, outcome);
        }
    }

    #[inline(never)]
    fn insert_slow(&mut self, x: Units, y: Units, outcome: u64) {
        // First step with u0 >= x: among steps with u0 >= x it has the largest u1.
        let at = self.steps.partition_point(|s| s.0 < x);
        let next = self.steps.get(at).copied();
        if let Some(s) = next
            && s.1 >= y
        {
            if s.0 == x && s.1 == y && outcome < s.2 {
                self.steps[at].2 = outcome;
            }
            return;
        }
        // The new point dominates the steps just before it whose u1 is at most y, and the
        // step at `at` if that one has the same u0 (its u1 is then below y).
        let end = if next.is_some_and(|s| s.0 == x) { at + 1 } else { at };
        let start = self.steps[..at].partition_point(|s| s.1 > y);
        self.steps.splice(start..end, std::iter::once((x, y, outcome)));
        // Points in buckets below x's have a smaller u0, so a u1 of at most y means they
        // are dominated by this point.
        for f in &mut self.floor[..bucket(x)] {
            if *f < y {
                *f = y;
            }
        }
    }

    pub(crate) fn merge(&mut self, other: Staircase) {
        for (x, y, o) in other.steps {
            self.insert(x, y, o);
        }
    }

    pub(crate) fn into_point_set(self) -> PointSet {
        let mut set = PointSet::new(2);
        for (x, y, o) in self.steps {
            set.push(&[x, y], o);
        }
        set
    }
}

/// Kept points with the largest sums, tried first against every new point.
const PIVOTS: usize = 16;

/// The frontier of three or more actors, reduced in batches by sort-filter-skyline.
///
/// New points are first tried against a few kept points with the largest utility sums
/// (the strongest dominators); most dominated points stop there and are never buffered.
#[derive(Clone, Debug)]
pub(crate) struct SortFilter {
    kept: PointSet,
    pending: PointSet,
    /// Utilities of up to [`PIVOTS`] kept points, `dims` each.
    pivots: Vec<Units>,
}

impl SortFilter {
    pub(crate) fn new(dims: usize) -> Self {
        Self { kept: PointSet::new(dims), pending: PointSet::new(dims), pivots: Vec::new() }
    }

    /// Whether a pivot strictly dominates `u`.
    #[inline]
    fn pivot_dominates(&self, u: &[Units]) -> bool {
        self.pivots.chunks_exact(u.len()).any(|p| weakly_dominates(p, u) && p != u)
    }

    pub(crate) fn dominated(&self, u: &[Units]) -> bool {
        self.pivot_dominates(u)
    }

    /// Points held (kept plus pending), an upper bound on the frontier size so far.
    pub(crate) fn len(&self) -> usize {
        self.kept.len() + self.pending.len()
    }

    #[inline]
    pub(crate) fn insert(&mut self, u: &[Units], outcome: u64) {
        if self.pivot_dominates(u) {
            return;
        }
        self.pending.push(u, outcome);
        // Reduce early while there are no pivots yet, then in large batches.
        let batch = if self.pivots.is_empty() { 1024 } else { SORT_FILTER_BATCH.max(self.kept.len()) };
        if self.pending.len() >= batch {
            self.reduce();
        }
    }

    /// Reduces kept and pending points to their frontier.
    pub(crate) fn reduce(&mut self) {
        if self.pending.len() == 0 {
            return;
        }
        let dims = self.kept.dims;
        let mut all = std::mem::replace(&mut self.kept, PointSet::new(dims));
        let pending = std::mem::replace(&mut self.pending, PointSet::new(dims));
        all.utilities.extend(pending.utilities);
        all.outcomes.extend(pending.outcomes);
        self.kept = sort_filter(all);
        // `sort_filter` keeps points in descending order of their sums.
        let n = self.kept.len().min(PIVOTS);
        self.pivots = self.kept.utilities[..n * dims].to_vec();
    }

    pub(crate) fn merge(&mut self, other: SortFilter) {
        self.pending.utilities.extend(other.kept.utilities);
        self.pending.outcomes.extend(other.kept.outcomes);
        self.pending.utilities.extend(other.pending.utilities);
        self.pending.outcomes.extend(other.pending.outcomes);
        self.reduce();
    }

    pub(crate) fn into_point_set(mut self) -> PointSet {
        self.reduce();
        self.kept
    }
}

/// Sort-filter-skyline over a set of points (which may contain dominated points and ties).
pub(crate) fn sort_filter(points: PointSet) -> PointSet {
    let dims = points.dims;
    let sums: Vec<Units> = (0..points.len()).map(|i| points.point(i).iter().sum()).collect();
    let mut order: Vec<usize> = (0..points.len()).collect();
    // Sum descending, so a dominating point always precedes the points it dominates;
    // equal vectors fall back to the outcome index so the smallest index is kept.
    order.sort_unstable_by(|&a, &b| {
        sums[b]
            .cmp(&sums[a])
            .then_with(|| lex_desc(points.point(a), points.point(b)))
            .then(points.outcomes[a].cmp(&points.outcomes[b]))
    });
    let mut kept = PointSet::new(dims);
    for i in order {
        let p = points.point(i);
        if (0..kept.len()).any(|k| weakly_dominates(kept.point(k), p)) {
            continue;
        }
        kept.push(p, points.outcomes[i]);
    }
    kept
}

/// A frontier under construction, specialised by dimension.
#[derive(Clone, Debug)]
pub(crate) enum Skyline {
    Two(Staircase),
    Many(SortFilter),
}

impl Skyline {
    pub(crate) fn new(dims: usize) -> Self {
        if dims == 2 { Skyline::Two(Staircase::default()) } else { Skyline::Many(SortFilter::new(dims)) }
    }

    #[inline(always)]
    pub(crate) fn insert(&mut self, u: &[Units], outcome: u64) {
        match self {
            Skyline::Two(s) => s.insert(u[0], u[1], outcome),
            Skyline::Many(s) => s.insert(u, outcome),
        }
    }

    /// Whether `u` is certainly strictly dominated by a point already offered (exact for
    /// two actors; for more, only the pivots are tried, so `false` means "maybe not").
    #[inline]
    pub(crate) fn dominated(&self, u: &[Units]) -> bool {
        match self {
            Skyline::Two(s) => s.dominated(u[0], u[1]),
            Skyline::Many(s) => s.dominated(u),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Skyline::Two(s) => s.len(),
            Skyline::Many(s) => s.len(),
        }
    }

    pub(crate) fn merge(&mut self, other: Skyline) {
        match (self, other) {
            (Skyline::Two(a), Skyline::Two(b)) => a.merge(b),
            (Skyline::Many(a), Skyline::Many(b)) => a.merge(b),
            _ => unreachable!("skylines of one analysis share their dimension"),
        }
    }

    pub(crate) fn into_point_set(self) -> PointSet {
        let mut set = match self {
            Skyline::Two(s) => s.into_point_set(),
            Skyline::Many(s) => s.into_point_set(),
        };
        set.sort_canonical();
        set
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The frontier by its definition, O(n²): the reference the fast paths are tested against.
    pub(crate) fn brute_force(points: &[Vec<Units>]) -> PointSet {
        let dims = points[0].len();
        let mut set = PointSet::new(dims);
        for (i, p) in points.iter().enumerate() {
            let dominated = points.iter().any(|q| weakly_dominates(q, p) && q != p);
            let earlier_twin = points[..i].iter().any(|q| q == p);
            if !dominated && !earlier_twin {
                set.push(p, i as u64);
            }
        }
        set.sort_canonical();
        set
    }

    fn skyline_of(points: &[Vec<Units>]) -> PointSet {
        let mut s = Skyline::new(points[0].len());
        for (i, p) in points.iter().enumerate() {
            s.insert(p, i as u64);
        }
        s.into_point_set()
    }

    /// A utility on a coarse grid of eighths, so that ties and equal coordinates are common.
    fn grid(x: u8) -> Units {
        Units::from(x) * UNITS_PER_UTILITY / 8
    }

    fn points(dims: usize) -> impl Strategy<Value = Vec<Vec<Units>>> {
        prop::collection::vec(prop::collection::vec((0u8..=8).prop_map(grid), dims), 1..120)
    }

    /// Many points with few distinct coordinates, from a small deterministic generator.
    fn many_points(dims: usize, n: usize, levels: u64, seed: u64) -> Vec<Vec<Units>> {
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % levels
        };
        (0..n).map(|_| (0..dims).map(|_| next() as Units * UNITS_PER_UTILITY / levels as Units).collect()).collect()
    }

    proptest! {
        #[test]
        fn test_staircase_matches_definition(pts in points(2)) {
            prop_assert_eq!(skyline_of(&pts), brute_force(&pts));
        }

        #[test]
        fn test_sort_filter_matches_definition(dims in 1usize..6, seed in any::<u64>()) {
            let pts = many_points(dims, 90, 6, seed);
            let mut s = Skyline::Many(SortFilter::new(dims));
            for (i, p) in pts.iter().enumerate() { s.insert(p, i as u64); }
            prop_assert_eq!(s.into_point_set(), brute_force(&pts));
        }

        #[test]
        fn test_merge_order_does_not_matter(pts in points(3), split in 0usize..120) {
            let split = split.min(pts.len());
            let mut left = Skyline::new(3);
            let mut right = Skyline::new(3);
            for (i, p) in pts.iter().enumerate() {
                if i < split { left.insert(p, i as u64) } else { right.insert(p, i as u64) }
            }
            right.merge(left);
            prop_assert_eq!(right.into_point_set(), brute_force(&pts));
        }
    }

    #[test]
    fn test_sort_filter_with_pivots_matches_definition() {
        // Enough points that the pivots and several reductions come into play; a coarse
        // grid makes ties and shared coordinates common.
        for (dims, seed) in [(3, 7), (4, 8)] {
            let pts = many_points(dims, 5000, 12, seed);
            assert_eq!(skyline_of(&pts), brute_force(&pts), "{dims} dimensions");
        }
    }

    #[test]
    fn test_staircase_keeps_smallest_index_on_ties() {
        let mut s = Staircase::default();
        s.insert(grid(4), grid(4), 7);
        s.insert(grid(4), grid(4), 3);
        s.insert(grid(4), grid(4), 9);
        assert_eq!(s.into_point_set().outcomes, vec![3]);
    }
}
