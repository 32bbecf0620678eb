//! Exact Pareto frontiers over sets and streams of utility vectors.
//!
//! A point is on the frontier when no other point is at least as good for every actor and
//! strictly better for one. Points with equal utility vectors collapse into one frontier
//! point whose representative is the outcome with the smallest index (the convention NegMAS
//! follows when it lists a frontier), so the result does not depend on the order in which
//! points arrive — which is what makes parallel runs reproducible. Utilities are exact
//! integer [`Units`], so "equal" means equal decimals and dominance is a true partial order.
//!
//! * [`filter`] reduces a set of points to its frontier: every point asks a
//!   [`DominanceTree`] of the whole set whether some point dominates it (or equals it with a
//!   smaller index). Queries are independent, so they run in parallel; the cost is
//!   O(n log n) to build the tree plus one query per point, not one comparison per pair.
//! * [`Staircase`] is the two-actor frontier of a stream: sorted by the first utility, the
//!   second strictly decreasing; a point is tested by one binary search, O(log h).
//! * [`Buffered`] is the frontier of a stream of three or more actors: points that a few
//!   strong kept points (the pivots) do not already dominate are buffered; a full batch is
//!   first checked against a tree of the frontier so far, and the survivors and that
//!   frontier are reduced with [`filter`]. Each point costs a few comparisons plus its
//!   share of one or two queries.
//!
//! Tests check all three against the definition on random inputs with many exact ties.

use rayon::prelude::*;

use super::dominance::{DominanceTree, weakly_dominates};
use super::width::with_width;
use crate::utility::{UNITS_PER_UTILITY, Units};

/// A [`Buffered`] frontier reduces its pending points when they number this many times
/// its kept points, or [`MIN_BATCH`] if that is more.
const BATCH_PER_KEPT: usize = 2;

/// The smallest batch a [`Buffered`] frontier reduces.
const MIN_BATCH: usize = 1024;

/// Points per parallel work item of [`filter`].
const QUERIES_PER_JOB: usize = 256;

/// A set of points with their outcome indices; after [`filter`], mutually non-dominated
/// with distinct utility vectors.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PointSet {
    /// Number of utilities per point.
    pub dims: usize,
    /// Utilities, `dims` per point.
    pub utilities: Vec<Units>,
    /// Outcome index of each point.
    pub outcomes: Vec<u64>,
}

impl PointSet {
    pub(crate) fn new(dims: usize) -> Self {
        Self { dims, utilities: Vec::new(), outcomes: Vec::new() }
    }

    pub(crate) fn with_capacity(dims: usize, points: usize) -> Self {
        Self { dims, utilities: Vec::with_capacity(points * dims), outcomes: Vec::with_capacity(points) }
    }

    pub(crate) fn len(&self) -> usize {
        self.outcomes.len()
    }

    pub(crate) fn point(&self, i: usize) -> &[Units] {
        &self.utilities[i * self.dims..(i + 1) * self.dims]
    }

    pub(crate) fn push(&mut self, u: &[Units], outcome: u64) {
        self.utilities.extend_from_slice(u);
        self.outcomes.push(outcome);
    }

    fn append(&mut self, other: PointSet) {
        self.utilities.extend(other.utilities);
        self.outcomes.extend(other.outcomes);
    }

    /// Sorts points by utilities lexicographically descending (then outcome index), the
    /// canonical order in which frontiers are reported.
    pub(crate) fn sort_canonical(&mut self) {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_unstable_by(|&a, &b| self.point(b).cmp(self.point(a)).then(self.outcomes[a].cmp(&self.outcomes[b])));
        self.reorder(&order);
    }

    fn reorder(&mut self, order: &[usize]) {
        let mut set = PointSet::with_capacity(self.dims, order.len());
        for &i in order {
            set.push(self.point(i), self.outcomes[i]);
        }
        *self = set;
    }
}

/// The frontier of a set of points (which may hold dominated points and ties), in the
/// order the points came. Each point is kept unless a point of the set is at least as good
/// for every actor and better for one, or equal with a smaller outcome index.
pub(crate) fn filter(points: PointSet) -> PointSet {
    if points.len() <= 1 {
        return points;
    }
    let tree = DominanceTree::new(&points);
    undominated(&tree, points)
}

/// The points that no point of `tree` dominates (at least as good for every actor and
/// better for one, or equal with a smaller outcome index), in the order they came.
fn undominated(tree: &DominanceTree, points: PointSet) -> PointSet {
    let keep: Vec<bool> = with_width!(points.dims, w => (0..points.len())
        .into_par_iter()
        .with_min_len(QUERIES_PER_JOB)
        .map_init(Vec::new, |stack, i| !tree.dominates(w, points.point(i), points.outcomes[i], stack))
        .collect());
    let mut kept = PointSet::with_capacity(points.dims, keep.iter().filter(|&&k| k).count());
    for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
        kept.push(points.point(i), points.outcomes[i]);
    }
    kept
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

    /// Offers a point; keeps it if no step dominates or equals it.
    #[inline(always)]
    pub(crate) fn insert(&mut self, x: Units, y: Units, outcome: u64) {
        if y > self.floor[bucket(x)] {
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

/// The frontier of a stream of three or more actors, reduced in batches by [`filter`].
///
/// New points are first tried against a few kept points with the largest utility sums
/// (the strongest dominators); most dominated points stop there and are never buffered.
#[derive(Clone, Debug)]
pub(crate) struct Buffered {
    kept: PointSet,
    pending: PointSet,
    /// Utilities of up to [`PIVOTS`] kept points, `dims` each.
    pivots: Vec<Units>,
}

impl Buffered {
    pub(crate) fn new(dims: usize) -> Self {
        Self { kept: PointSet::new(dims), pending: PointSet::new(dims), pivots: Vec::new() }
    }

    /// Points held (kept plus pending): an upper bound on the frontier size so far, and at
    /// most `1 + BATCH_PER_KEPT` times it once the frontier outgrows [`MIN_BATCH`].
    pub(crate) fn len(&self) -> usize {
        self.kept.len() + self.pending.len()
    }

    #[inline]
    pub(crate) fn insert(&mut self, u: &[Units], outcome: u64) {
        if self.pivots.chunks_exact(u.len()).any(|p| weakly_dominates(p, u) && p != u) {
            return;
        }
        self.pending.push(u, outcome);
        // Batches in proportion to the frontier so far, so that the pivots follow the
        // stream while a reduction costs about as much per pending point as the last.
        let batch = (BATCH_PER_KEPT * self.kept.len()).max(MIN_BATCH);
        if self.pending.len() >= batch {
            self.reduce();
        }
    }

    /// Reduces kept and pending points to their frontier and picks new pivots.
    fn reduce(&mut self) {
        if self.pending.len() == 0 {
            return;
        }
        let dims = self.kept.dims;
        let mut pending = std::mem::replace(&mut self.pending, PointSet::new(dims));
        // Most pending points of a long stream are dominated by the frontier so far, which
        // is usually far smaller than the batch: drop them with a tree of the kept points
        // before the tree of everything is built.
        if self.kept.len() > 0 {
            pending = undominated(&DominanceTree::new(&self.kept), pending);
        }
        let mut all = std::mem::replace(&mut self.kept, PointSet::new(dims));
        all.append(pending);
        self.kept = filter(all);
        let sum = |i: usize| self.kept.point(i).iter().sum::<Units>();
        let mut order: Vec<usize> = (0..self.kept.len()).collect();
        let n = order.len().min(PIVOTS);
        if n < order.len() {
            order.select_nth_unstable_by(n, |&a, &b| sum(b).cmp(&sum(a)));
        }
        self.pivots = order[..n].iter().flat_map(|&i| self.kept.point(i).iter().copied()).collect();
    }

    pub(crate) fn merge(&mut self, other: Buffered) {
        self.pending.append(other.kept);
        self.pending.append(other.pending);
        self.reduce();
    }

    pub(crate) fn into_point_set(mut self) -> PointSet {
        self.reduce();
        self.kept
    }
}

/// The frontier of a stream, specialised by dimension.
#[derive(Clone, Debug)]
pub(crate) enum Skyline {
    Two(Staircase),
    Many(Buffered),
}

impl Skyline {
    pub(crate) fn new(dims: usize) -> Self {
        if dims == 2 { Skyline::Two(Staircase::default()) } else { Skyline::Many(Buffered::new(dims)) }
    }

    #[inline(always)]
    pub(crate) fn insert(&mut self, u: &[Units], outcome: u64) {
        match self {
            Skyline::Two(s) => s.insert(u[0], u[1], outcome),
            Skyline::Many(s) => s.insert(u, outcome),
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

    /// The frontier in canonical order.
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

    fn set_of(points: &[Vec<Units>]) -> PointSet {
        let mut set = PointSet::new(points[0].len());
        for (i, p) in points.iter().enumerate() {
            set.push(p, i as u64);
        }
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

    fn points(dims: usize, max: usize) -> impl Strategy<Value = Vec<Vec<Units>>> {
        prop::collection::vec(prop::collection::vec((0u8..=8).prop_map(grid), dims), 1..max)
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
        fn test_staircase_matches_definition(pts in points(2, 120)) {
            prop_assert_eq!(skyline_of(&pts), brute_force(&pts));
        }

        #[test]
        fn test_filter_matches_definition(pts in (1usize..7).prop_flat_map(|d| points(d, 200))) {
            let mut got = filter(set_of(&pts));
            got.sort_canonical();
            prop_assert_eq!(got, brute_force(&pts));
        }

        #[test]
        fn test_buffered_matches_definition(dims in 3usize..6, seed in any::<u64>()) {
            let pts = many_points(dims, 90, 6, seed);
            prop_assert_eq!(skyline_of(&pts), brute_force(&pts));
        }

        #[test]
        fn test_merge_order_does_not_matter(pts in points(3, 120), split in 0usize..120) {
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
    fn test_buffered_with_pivots_and_batches_matches_definition() {
        // Enough points that the pivots and several reductions come into play; a coarse
        // grid makes ties and shared coordinates common.
        for (dims, seed) in [(3, 7), (4, 8), (5, 9)] {
            let pts = many_points(dims, 5000, 12, seed);
            assert_eq!(skyline_of(&pts), brute_force(&pts), "{dims} dimensions");
        }
    }

    #[test]
    fn test_filter_of_identical_points_keeps_the_smallest_index() {
        let pts = vec![vec![grid(3), grid(4), grid(5)]; 40];
        let mut set = PointSet::new(3);
        for i in (0..40).rev() {
            set.push(&pts[i], i as u64 + 10);
        }
        assert_eq!(filter(set).outcomes, vec![10]);
    }

    #[test]
    fn test_staircase_keeps_smallest_index_on_ties() {
        let mut s = Staircase::default();
        s.insert(grid(4), grid(4), 7);
        s.insert(grid(4), grid(4), 3);
        s.insert(grid(4), grid(4), 9);
        assert_eq!(s.into_point_set().outcomes, vec![3]);
    }

    #[test]
    fn test_canonical_order_is_lexicographically_descending() {
        let pts = vec![vec![grid(1), grid(7)], vec![grid(5), grid(2)], vec![grid(5), grid(3)]];
        let mut set = set_of(&pts);
        set.sort_canonical();
        assert_eq!(set.outcomes, vec![2, 1, 0]);
    }
}
