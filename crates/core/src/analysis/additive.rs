//! Purely additive models, analysed through their structure rather than outcome by outcome.
//!
//! When the actors of interest have no linkages, a utility vector is a sum over the issues,
//! `u(o) = Σ_i c_i(o_i)`, where `c_i(x)` holds every actor's weighted value of option `x`.
//!
//! # The frontier, issue by issue
//!
//! Dynamic programming over partial packages that keeps only the non-dominated states, as
//! the Nemhauser–Ullmann knapsack algorithm keeps only undominated (weight, value) pairs
//! (Nemhauser & Ullmann, "Discrete dynamic programming and capital allocation", Management
//! Science 15(9), 1969, doi:10.1287/mnsc.15.9.494), with one objective per actor.
//! A partial package fixes issues `0..=j`. If one partial package is strictly dominated by
//! another on the sum of those issues, every completion of it is dominated by the same
//! completion of the other; if two tie, their completions tie, and the one with the
//! smaller prefix has the smaller outcome index (indices are lexicographic, first issue
//! most significant). So the frontier of issues `0..=j` is the frontier of the candidates
//! `f + c_j(x)`, for `f` on the frontier of issues `0..j` and `x` an option of issue `j`
//! that no other option of that issue dominates, and after the last issue it is the Pareto
//! frontier with the representatives of its definition. Utilities are exact integers, so
//! pruning on partial sums never drops a package that would tie at the end.
//!
//! A step cannot be dominated within one option's candidates (a translate of an antichain),
//! so [`step`] builds a k-d tree over the previous frontier alone, O(h log h), and asks it,
//! for each of the `h · r_j` candidates, whether the translate by another option holds a
//! dominating point: at most `r_j − 1` dominance queries per candidate, most turned away at
//! the root. Over all issues the cost grows with the intermediate frontiers, not with the
//! number of outcomes: five parties on the 10⁷-outcome synthetic domain check about 7·10⁴
//! candidates at the last issue (frontier 19,829) instead of comparing 10⁷ outcomes
//! against the frontier.
//!
//! # Counts from bounds
//!
//! [`zone_count`] walks the tree of partial packages depth first with exact bounds: every
//! completion of a prefix lies between the prefix plus the sums of the remaining issues'
//! smallest values and the prefix plus the sums of their largest. A subtree whose lower
//! bound clears every bargainer's reservation value counts whole, one whose upper bound
//! misses one counts zero, and only subtrees that straddle a reservation value are opened.
//! With reservation values at or below every bargainer's worst utility that is one test;
//! at worst, when reservation values cut through every subtree, it visits every outcome,
//! as a walk of the space would.

use rayon::prelude::*;

use super::dominance::DominanceTree;
use super::pareto::PointSet;
use super::width::with_width;
use crate::error::Error;
use crate::utility::{Units, UtilityModel};

/// Whether the utilities of `actors` are sums over the issues (no linkages), no actor in
/// the `blocking` mask has a red line and nobody holds a scoped veto, so that [`frontier`]
/// applies.
pub(crate) fn applies(model: &UtilityModel, actors: &[usize], blocking: u64) -> bool {
    actors.iter().all(|&a| !model.has_linkage(a))
        && (0..model.n_actors()).all(|a| blocking >> a & 1 == 0 || !model.has_red_line(a))
        && !model.has_scoped_vetoes()
}

/// Every option's values for `actors`, `actors.len()` per option.
fn column(model: &UtilityModel, actors: &[usize], issue: usize) -> Vec<Units> {
    let radix = model.space().radices()[issue];
    (0..radix).flat_map(|o| actors.iter().map(move |&a| model.weighted_units(a, issue, o))).collect()
}

/// The options whose values no other option's values dominate; of equal ones, the first.
fn efficient_options(column: &[Units], dims: usize) -> Vec<usize> {
    let options = column.len() / dims;
    let value = |o: usize| &column[o * dims..(o + 1) * dims];
    (0..options)
        .filter(|&j| {
            !(0..options).any(|i| {
                i != j && value(i).iter().zip(value(j)).all(|(x, y)| x >= y) && (value(i) != value(j) || i < j)
            })
        })
        .collect()
}

/// The Pareto frontier of the utilities of `actors` over the whole outcome space, in
/// canonical order, by dynamic programming over the issues. Requires [`applies`].
/// Fails when a step would hold more than `max_points` candidates.
pub(crate) fn frontier(model: &UtilityModel, actors: &[usize], max_points: usize) -> Result<PointSet, Error> {
    let dims = actors.len();
    let mut front = PointSet::new(dims);
    front.push(&vec![0; dims], 0);
    for (issue, &radix) in model.space().radices().iter().enumerate() {
        let values = column(model, actors, issue);
        let efficient = efficient_options(&values, dims);
        let candidates = front.len() * efficient.len();
        if candidates > max_points {
            return Err(super::frontier_too_large(candidates, dims, max_points));
        }
        // Translates of an antichain by one vector stay an antichain.
        if efficient.len() > 1 {
            front = step(&front, &values, &efficient, radix);
        } else {
            let o = efficient[0];
            for i in 0..front.len() {
                for (f, v) in front.utilities[i * dims..(i + 1) * dims].iter_mut().zip(&values[o * dims..]) {
                    *f += v;
                }
                front.outcomes[i] = front.outcomes[i] * u64::from(radix) + o as u64;
            }
        }
    }
    front.sort_canonical();
    Ok(front)
}

/// Candidates per parallel work item of [`step`].
const CANDIDATES_PER_JOB: usize = 256;

/// One step of the dynamic programme: the frontier of the candidates `f + c(x)` for `f` in
/// `front` (an antichain) and `x` in `efficient`, with outcome index `index(f) · radix + x`.
///
/// Candidates of one option are a translate of `front`, so none dominates another; a
/// candidate `f + c(x)` can only be dominated by `f' + c(y)` with `y ≠ x`, that is by a
/// point `f' ≥ f + c(x) − c(y)` of `front`. So the tree is built over `front` alone, and
/// each candidate asks it once per other option (a shifted point far above `front` is
/// turned away at the root). Equal candidates `f + c(x) = f' + c(y)` go to the smaller
/// index: `index(f') · radix + y < index(f) · radix + x`, that is
/// `index(f') < index(f) + [x > y]`.
fn step(front: &PointSet, values: &[Units], efficient: &[usize], radix: u32) -> PointSet {
    let dims = front.dims;
    let value = |o: usize| &values[o * dims..(o + 1) * dims];
    let tree = DominanceTree::new(front);
    let per_point = efficient.len();
    // For each option, the others in the order they are tried: largest total value first,
    // the likeliest to hold a dominator.
    let total = |o: usize| value(o).iter().sum::<Units>();
    let others: Vec<Vec<usize>> = efficient
        .iter()
        .map(|&x| {
            let mut ys: Vec<usize> = efficient.iter().copied().filter(|&y| y != x).collect();
            ys.sort_by_key(|&y| std::cmp::Reverse(total(y)));
            ys
        })
        .collect();
    let keep: Vec<bool> = with_width!(dims, w => (0..front.len() * per_point)
        .into_par_iter()
        .with_min_len(CANDIDATES_PER_JOB)
        .map_init(
            || (Vec::new(), vec![0 as Units; dims]),
            |(stack, shifted), c| {
                let (i, x) = (c / per_point, efficient[c % per_point]);
                let f = front.point(i);
                !others[c % per_point].iter().any(|&y| {
                    for (((s, f), cx), cy) in shifted.iter_mut().zip(f).zip(value(x)).zip(value(y)) {
                        *s = f + cx - cy;
                    }
                    tree.dominates(w, shifted, front.outcomes[i] + u64::from(x > y), stack)
                })
            },
        )
        .collect());
    let mut next = PointSet::with_capacity(dims, keep.iter().filter(|&&k| k).count());
    let mut sum = vec![0 as Units; dims];
    for (c, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
        let (i, x) = (c / per_point, efficient[c % per_point]);
        for ((s, f), v) in sum.iter_mut().zip(front.point(i)).zip(value(x)) {
            *s = f + v;
        }
        next.push(&sum, front.outcomes[i] * u64::from(radix) + x as u64);
    }
    next
}

/// Every actor's smallest and largest utility over the whole space, in units.
pub(crate) fn extremes(model: &UtilityModel) -> (Vec<Units>, Vec<Units>) {
    let all: Vec<usize> = (0..model.n_actors()).collect();
    let (mut worst, mut ideal) = (vec![0; all.len()], vec![0; all.len()]);
    for issue in 0..model.space().n_issues() {
        let values = column(model, &all, issue);
        for (a, (w, i)) in worst.iter_mut().zip(ideal.iter_mut()).enumerate() {
            let of_actor = values.iter().skip(a).step_by(all.len());
            *w += of_actor.clone().min().expect("issues have options");
            *i += of_actor.max().expect("issues have options");
        }
    }
    (worst, ideal)
}

/// Subtrees below which [`zone_count`] works sequentially.
const PARALLEL_SUBTREES: u64 = 64;

/// Outcomes whose utility is at least `threshold[i]` for every `bargainers[i]`, counted from
/// exact bounds. Requires utilities without linkages for the bargainers.
pub(crate) fn zone_count(model: &UtilityModel, bargainers: &[usize], threshold: &[Units]) -> u64 {
    let radices = model.space().radices();
    let k = radices.len();
    let n = bargainers.len();
    let columns: Vec<Vec<Units>> = (0..k).map(|i| column(model, bargainers, i)).collect();
    // lowest[level * n + b], highest[…]: sums of the smallest and largest values of issues
    // `level..k`; `size[level]`: outcomes below a prefix of length `level`.
    let mut lowest = vec![0 as Units; (k + 1) * n];
    let mut highest = vec![0 as Units; (k + 1) * n];
    let mut size = vec![1u64; k + 1];
    for level in (0..k).rev() {
        size[level] = size[level + 1] * u64::from(radices[level]);
        for b in 0..n {
            let of_b = columns[level].iter().skip(b).step_by(n);
            lowest[level * n + b] = lowest[(level + 1) * n + b] + of_b.clone().min().expect("issues have options");
            highest[level * n + b] = highest[(level + 1) * n + b] + of_b.max().expect("issues have options");
        }
    }
    // Subtrees are counted in parallel down to the level with enough of them to share out.
    let parallel_levels = (0..=k).find(|&l| size[0] / size[l] >= PARALLEL_SUBTREES).unwrap_or(0);
    let walk = Walk { columns: &columns, lowest: &lowest, highest: &highest, size: &size, threshold, parallel_levels };
    walk.count(0, &vec![0; n], &mut vec![0; k * n])
}

/// The fixed inputs of [`zone_count`]'s depth-first walk.
struct Walk<'a> {
    columns: &'a [Vec<Units>],
    lowest: &'a [Units],
    highest: &'a [Units],
    size: &'a [u64],
    threshold: &'a [Units],
    /// Levels above which subtrees are counted in parallel.
    parallel_levels: usize,
}

impl Walk<'_> {
    /// Zone outcomes below a prefix of length `level` whose utilities are `prefix`;
    /// `deeper` is scratch space for the prefixes of the levels below.
    fn count(&self, level: usize, prefix: &[Units], deeper: &mut [Units]) -> u64 {
        let n = prefix.len();
        let (highest, lowest) = (&self.highest[level * n..(level + 1) * n], &self.lowest[level * n..(level + 1) * n]);
        if prefix.iter().zip(highest).zip(self.threshold).any(|((p, e), t)| p + e < *t) {
            return 0;
        }
        if prefix.iter().zip(lowest).zip(self.threshold).all(|((p, e), t)| p + e >= *t) {
            return self.size[level];
        }
        // At the last level both bounds are the prefix itself, so one test above decided.
        let column = &self.columns[level];
        let extend = |next: &mut [Units], values: &[Units]| {
            for ((x, p), v) in next.iter_mut().zip(prefix).zip(values) {
                *x = p + v;
            }
        };
        if level < self.parallel_levels {
            let scratch = deeper.len();
            column
                .par_chunks_exact(n)
                .map(|values| {
                    let mut rows = vec![0; scratch];
                    let (next, rest) = rows.split_at_mut(n);
                    extend(next, values);
                    self.count(level + 1, next, rest)
                })
                .sum()
        } else {
            let (next, rest) = deeper.split_at_mut(n);
            let mut total = 0;
            for values in column.chunks_exact(n) {
                extend(next, values);
                total += self.count(level + 1, next, rest);
            }
            total
        }
    }
}
