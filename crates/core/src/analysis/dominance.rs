//! Dominance queries on a static set of points: is there a point at least as good as `p`
//! for every actor, and strictly better for one?
//!
//! The points are held in a k-d tree (Bentley, "Multidimensional binary search trees used
//! for associative searching", CACM 18(9), 1975, doi:10.1145/361002.361007): each node
//! splits its points at the median of the coordinate that spreads widest (over a sample)
//! and keeps their bounding box. A query `p` descends only into nodes whose upper corner is at least `p` in
//! every coordinate (the others cannot hold a point that dominates `p`), and stops as soon
//! as a node's lower corner dominates `p` (then every point in it does). Dominated points
//! usually meet a dominator within a few nodes; a point that is not dominated is answered
//! by visiting the nodes whose box reaches above it, never the whole set.
//!
//! Building costs O(n log n). Queries only read the tree, so many run in parallel.

use super::pareto::PointSet;
use super::width::Width;
use crate::utility::Units;

/// Points per leaf.
const LEAF: usize = 16;

/// A node: its points are `start..end` of the reordered set; `children` is the index of
/// its first child (the second follows it), or 0 for a leaf.
#[derive(Clone, Copy, Debug)]
struct Node {
    start: u32,
    end: u32,
    children: u32,
}

/// The points of a [`PointSet`] in a k-d tree with bounding boxes.
#[derive(Clone, Debug)]
pub(crate) struct DominanceTree {
    dims: usize,
    /// Coordinates, reordered so that each node's points are contiguous.
    points: Vec<Units>,
    /// Outcome index of each reordered point.
    outcomes: Vec<u64>,
    nodes: Vec<Node>,
    /// Per node: the componentwise maximum of its points, then the minimum (`2 * dims`).
    boxes: Vec<Units>,
}

/// Members sampled to choose a node's split coordinate.
const SAMPLE: usize = 32;

/// Scratch space for building a tree.
struct Scratch {
    /// A node's members by their coordinate on the split dimension.
    keys: Vec<(Units, u32)>,
    upper: Vec<Units>,
    lower: Vec<Units>,
}

impl Scratch {
    /// The coordinate that spreads widest over `members`, and its spread.
    fn widest<'a>(&mut self, set: &PointSet, members: impl Iterator<Item = &'a u32>) -> (usize, Units) {
        self.upper.fill(Units::MIN);
        self.lower.fill(Units::MAX);
        for &i in members {
            for ((hi, lo), &x) in self.upper.iter_mut().zip(self.lower.iter_mut()).zip(set.point(i as usize)) {
                *hi = (*hi).max(x);
                *lo = (*lo).min(x);
            }
        }
        let spreads = self.upper.iter().zip(&self.lower).map(|(hi, lo)| hi - lo).enumerate();
        spreads.fold((0, 0), |best, x| if x.1 > best.1 { x } else { best })
    }
}

impl DominanceTree {
    /// Builds the tree over every point of `set`.
    pub(crate) fn new(set: &PointSet) -> Self {
        let dims = set.dims;
        let n = set.len();
        assert!(n < u32::MAX as usize, "a dominance tree holds fewer than 2^32 points");
        let mut order: Vec<u32> = (0..n as u32).collect();
        let mut tree = Self { dims, points: Vec::new(), outcomes: Vec::new(), nodes: Vec::new(), boxes: Vec::new() };
        if n > 0 {
            tree.nodes.push(Node { start: 0, end: n as u32, children: 0 });
            let mut scratch = Scratch { keys: Vec::new(), upper: vec![0; dims], lower: vec![0; dims] };
            tree.split(set, &mut order, 0, &mut scratch);
        }
        tree.points = order.iter().flat_map(|&i| set.point(i as usize).iter().copied()).collect();
        tree.outcomes = order.iter().map(|&i| set.outcomes[i as usize]).collect();
        tree.set_boxes();
        tree
    }

    /// Splits node `at` (recursively) at the median of the coordinate that spreads widest
    /// over a sample of its points, until the leaves are small.
    fn split(&mut self, set: &PointSet, order: &mut [u32], at: usize, scratch: &mut Scratch) {
        let Node { start, end, .. } = self.nodes[at];
        let members = &mut order[start as usize..end as usize];
        if members.len() <= LEAF {
            return;
        }
        let step = members.len().div_ceil(SAMPLE);
        let (mut dim, mut width) = scratch.widest(set, members.iter().step_by(step));
        if width == 0 {
            (dim, width) = scratch.widest(set, members.iter());
        }
        // A node of identical points stays a leaf.
        if width == 0 {
            return;
        }
        let keys = &mut scratch.keys;
        keys.clear();
        keys.extend(members.iter().map(|&i| (set.point(i as usize)[dim], i)));
        let mid = keys.len() / 2;
        keys.select_nth_unstable_by_key(mid, |k| k.0);
        for (m, k) in members.iter_mut().zip(keys.iter()) {
            *m = k.1;
        }
        let children = self.nodes.len();
        self.nodes[at].children = children as u32;
        self.nodes.push(Node { start, end: start + mid as u32, children: 0 });
        self.nodes.push(Node { start: start + mid as u32, end, children: 0 });
        self.split(set, order, children, scratch);
        self.split(set, order, children + 1, scratch);
    }

    /// Sets every node's box, children before parents (they were created after them).
    fn set_boxes(&mut self) {
        let dims = self.dims;
        self.boxes = vec![0; self.nodes.len() * 2 * dims];
        for at in (0..self.nodes.len()).rev() {
            let node = self.nodes[at];
            let (before, after) = self.boxes.split_at_mut((at + 1) * 2 * dims);
            let (upper, lower) = before[at * 2 * dims..].split_at_mut(dims);
            upper.fill(Units::MIN);
            lower.fill(Units::MAX);
            let mut widen = |hi: &[Units], lo: &[Units]| {
                for (((u, l), &h), &o) in upper.iter_mut().zip(lower.iter_mut()).zip(hi).zip(lo) {
                    *u = (*u).max(h);
                    *l = (*l).min(o);
                }
            };
            if node.children == 0 {
                for q in self.points[node.start as usize * dims..node.end as usize * dims].chunks_exact(dims) {
                    widen(q, q);
                }
            } else {
                for child in [node.children as usize, node.children as usize + 1] {
                    let offset = (child - at - 1) * 2 * dims;
                    let (hi, lo) = after[offset..offset + 2 * dims].split_at(dims);
                    widen(hi, lo);
                }
            }
        }
    }

    /// Whether a point of the tree is at least as good as `p` for every actor and either
    /// better for one or an equal point of a smaller outcome index (so `p`, with outcome
    /// index `outcome`, is not the frontier's representative of its utility vector).
    /// `stack` is scratch space, reused between queries; `width` is the tree's dimension.
    #[inline]
    pub(crate) fn dominates(&self, width: impl Width, p: &[Units], outcome: u64, stack: &mut Vec<u32>) -> bool {
        let dims = width.n();
        debug_assert_eq!(dims, self.dims);
        let p = &p[..dims];
        if self.nodes.is_empty() {
            return false;
        }
        stack.clear();
        stack.push(0);
        while let Some(at) = stack.pop() {
            let at = at as usize;
            let (upper, lower) = self.boxes[at * 2 * dims..(at + 1) * 2 * dims].split_at(dims);
            let (upper, lower) = (&upper[..dims], &lower[..dims]);
            if !weakly_dominates(upper, p) {
                continue;
            }
            // Every point is at least `lower`, so at least `p`, and above it where `lower` is.
            if weakly_dominates(lower, p) && lower != p {
                return true;
            }
            let node = self.nodes[at];
            if node.children == 0 {
                for i in node.start as usize..node.end as usize {
                    let q = &self.points[i * dims..i * dims + dims];
                    if weakly_dominates(q, p) && (q != p || self.outcomes[i] < outcome) {
                        return true;
                    }
                }
            } else {
                // The upper half (second child) is tried first: it holds the likelier dominators.
                stack.push(node.children);
                stack.push(node.children + 1);
            }
        }
        false
    }
}

/// `a` is at least as good as `b` for every actor.
#[inline]
pub(crate) fn weakly_dominates(a: &[Units], b: &[Units]) -> bool {
    a.iter().zip(b).all(|(x, y)| x >= y)
}
