//! What one pass over (part of) the outcome space accumulates.
//!
//! A [`Summary`] is filled by [`scan`](super::scan::scan) over a range of outcomes and
//! merged with the summaries of other ranges. Every field merges by an associative,
//! order-independent rule (sums, maxima, frontier union, top-k under a total order), so the
//! result is the same however rayon splits the work. Utilities are exact [`Units`], so
//! every comparison here treats equal decimals as equal.

use std::cmp::Ordering;

use super::bargaining::cmp_products;
use super::pareto::Skyline;
use super::scan::Visit;
use crate::error::Error;
use crate::utility::Units;

/// Fixed facts about the analysis every summary needs.
#[derive(Clone, Debug)]
pub(crate) struct Setup {
    pub n_actors: usize,
    /// The bargainers: veto players, or every actor if nobody holds a veto.
    pub bargainers: Vec<usize>,
    pub bargainer_mask: u64,
    /// Whether every actor is a bargainer (a faster path through the margins).
    pub all_bargain: bool,
    /// Reservation values on the utility grid.
    pub reservation: Vec<Units>,
    /// Start of each issue's options in the option-statistics rows.
    pub option_offsets: Vec<usize>,
    pub n_options: usize,
    pub top_k: usize,
    pub option_stats: bool,
    pub max_frontier_points: usize,
    /// Whether summaries keep a frontier (not when it is computed from the model's
    /// additive structure instead).
    pub frontier: bool,
}

/// A bounded list of the best outcomes under a key, ties broken by the smaller index.
#[derive(Clone, Debug, Default)]
pub(crate) struct TopK<K> {
    capacity: usize,
    /// Sorted best first.
    pub items: Vec<Ranked<K>>,
}

/// An outcome with the key it was ranked by.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ranked<K> {
    pub key: K,
    pub outcome: u64,
}

/// `Greater` if an outcome whose key compares as `by_key` to another's, with these
/// indices, ranks before it.
fn rank(by_key: Ordering, outcome: u64, other: u64) -> Ordering {
    by_key.then(other.cmp(&outcome))
}

impl<K: Ord> TopK<K> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { capacity, items: Vec::with_capacity(capacity + 1) }
    }

    /// Whether an outcome whose key compares to the last kept key as `against_last` would
    /// enter the list (so its key is worth building).
    #[inline]
    pub(crate) fn admits(&self, against_last: impl FnOnce(&K) -> Ordering, outcome: u64) -> bool {
        match self.items.last() {
            _ if self.capacity == 0 => false,
            Some(last) if self.items.len() == self.capacity => {
                rank(against_last(&last.key), outcome, last.outcome) == Ordering::Greater
            }
            _ => true,
        }
    }

    #[inline]
    pub(crate) fn offer(&mut self, key: K, outcome: u64) {
        if !self.admits(|last| key.cmp(last), outcome) {
            return;
        }
        let at = self.items.partition_point(|x| rank(x.key.cmp(&key), x.outcome, outcome) == Ordering::Greater);
        self.items.insert(at, Ranked { key, outcome });
        self.items.truncate(self.capacity);
    }

    fn merge(&mut self, other: TopK<K>) {
        for item in other.items {
            self.offer(item.key, item.outcome);
        }
    }
}

/// The rank of a zone package among the best deals: the Nash product of the bargainers'
/// gains over their reservation values, compared exactly, then the sum of the gains.
#[derive(Clone, Debug)]
pub(crate) struct DealKey {
    pub gains: Vec<Units>,
    pub sum: Units,
}

impl DealKey {
    fn cmp_parts(gains: &[Units], sum: Units, other: &DealKey) -> Ordering {
        cmp_products(gains, &other.gains).then(sum.cmp(&other.sum))
    }
}

impl Ord for DealKey {
    fn cmp(&self, other: &Self) -> Ordering {
        Self::cmp_parts(&self.gains, self.sum, other)
    }
}

impl PartialOrd for DealKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DealKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DealKey {}

/// Counts, bounds, frontier and rankings of a range of outcomes.
#[derive(Clone, Debug)]
pub(crate) struct Summary<'s> {
    setup: &'s Setup,
    pub outcomes: u64,
    /// Outcomes crossing no bargainer's red line that no scoped veto blocks.
    pub admissible: u64,
    /// Admissible outcomes every bargainer values at least at its reservation value.
    pub zopa: u64,
    /// Per actor: outcomes crossing that actor's red lines.
    pub red_line_crossings: Vec<u64>,
    /// Per actor: best and worst utility over admissible outcomes (`Units::MIN` and
    /// `Units::MAX` while there is none).
    pub ideal: Vec<Units>,
    pub worst: Vec<Units>,
    /// The frontier of the admissible outcomes, if [`Setup::frontier`].
    pub skyline: Option<Skyline>,
    /// Zone outcomes by Nash product of gains over the reservation values.
    pub best_deals: TopK<DealKey>,
    /// Admissible outcomes outside the zone, by the smallest bargainer margin, then the
    /// sum of the margins.
    pub near_misses: TopK<(Units, Units)>,
    /// `best_without_red_line[actor * n_options + offset + option]`: the actor's best utility
    /// over outcomes with that option that cross none of its own red lines (`Units::MIN`
    /// if there is none).
    pub best_without_red_line: Vec<Units>,
    /// Per option: outcomes in the zone with that option.
    pub zopa_by_option: Vec<u64>,
    /// Scratch space for the bargainers' gains.
    gains: Vec<Units>,
    /// The option statistics of the scan under way, gathered per run and per column row
    /// and spread over the options when the run or the scan ends.
    pending: Pending,
    pub error: Option<Error>,
}

/// The option statistics of a scan not yet spread over the options.
///
/// Within a run the options of the outer issues do not change, and each row of the column
/// has the same options of the inner issues in every run, so an actor's best utility (and
/// the zone's count) with an outer option is its best over the run, and with an inner
/// option its best over the rows that have it: two updates per actor and package instead
/// of one per actor and issue. Maxima and sums do not depend on the order of the updates,
/// so the statistics are the same as updating every option of every package.
#[derive(Clone, Debug, Default)]
struct Pending {
    /// First issue of the column.
    tail: usize,
    /// Rows of the column.
    rows: usize,
    /// Row of the next visit.
    row: usize,
    /// Per actor: best utility over the run without crossing its red lines.
    run_best: Vec<Units>,
    /// Zone packages in the run.
    run_zone: u64,
    /// `row_best[actor * rows + row]`: best utility with that row's options in this scan.
    row_best: Vec<Units>,
    /// Per row: zone packages with that row's options in this scan.
    row_zone: Vec<u64>,
}

impl<'s> Summary<'s> {
    pub(crate) fn new(setup: &'s Setup) -> Self {
        let n = setup.n_actors;
        let stats = if setup.option_stats { setup.n_options } else { 0 };
        Self {
            setup,
            outcomes: 0,
            admissible: 0,
            zopa: 0,
            red_line_crossings: vec![0; n],
            ideal: vec![Units::MIN; n],
            worst: vec![Units::MAX; n],
            skyline: setup.frontier.then(|| Skyline::new(n)),
            best_deals: TopK::new(setup.top_k),
            near_misses: TopK::new(setup.top_k),
            best_without_red_line: vec![Units::MIN; n * stats],
            zopa_by_option: vec![0; stats],
            gains: Vec::with_capacity(setup.bargainers.len()),
            pending: Pending::default(),
            error: None,
        }
    }

    pub(crate) fn merge(mut self, other: Summary<'s>) -> Summary<'s> {
        if self.error.is_some() {
            return self;
        }
        if other.error.is_some() {
            return other;
        }
        self.outcomes += other.outcomes;
        self.admissible += other.admissible;
        self.zopa += other.zopa;
        for (a, b) in self.red_line_crossings.iter_mut().zip(&other.red_line_crossings) {
            *a += b;
        }
        for (a, b) in self.ideal.iter_mut().zip(&other.ideal) {
            *a = (*a).max(*b);
        }
        for (a, b) in self.worst.iter_mut().zip(&other.worst) {
            *a = (*a).min(*b);
        }
        if let (Some(a), Some(b)) = (&mut self.skyline, other.skyline) {
            a.merge(b);
        }
        self.best_deals.merge(other.best_deals);
        self.near_misses.merge(other.near_misses);
        for (a, b) in self.best_without_red_line.iter_mut().zip(&other.best_without_red_line) {
            *a = (*a).max(*b);
        }
        for (a, b) in self.zopa_by_option.iter_mut().zip(&other.zopa_by_option) {
            *a += b;
        }
        self.check_budget();
        self
    }

    fn check_budget(&mut self) {
        let points = self.skyline.as_ref().map_or(0, Skyline::len);
        if points > self.setup.max_frontier_points && self.error.is_none() {
            self.error = Some(super::frontier_too_large(points, self.setup.n_actors, self.setup.max_frontier_points));
        }
    }
}

impl Visit for Summary<'_> {
    // Inlined into each width-specialised scan, so the per-actor loops unroll.
    #[inline(always)]
    fn visit(&mut self, outcome: u64, _digits: &[u32], utilities: &[Units], crossed: u64, refused: u64) {
        let setup = self.setup;
        self.outcomes += 1;
        if crossed != 0 {
            for (a, count) in self.red_line_crossings.iter_mut().enumerate() {
                *count += (crossed >> a) & 1;
            }
        }
        let row = self.pending.row;
        if setup.option_stats {
            let p = &mut self.pending;
            p.row += 1;
            for (a, &u) in utilities.iter().enumerate() {
                if (crossed >> a) & 1 == 0 {
                    p.run_best[a] = p.run_best[a].max(u);
                    let cell = &mut p.row_best[a * p.rows + row];
                    *cell = (*cell).max(u);
                }
            }
        }
        if crossed & setup.bargainer_mask != 0 || refused != 0 {
            return;
        }
        self.admissible += 1;
        let n = utilities.len();
        let (ideal, worst) = (&mut self.ideal[..n], &mut self.worst[..n]);
        for a in 0..n {
            ideal[a] = ideal[a].max(utilities[a]);
            worst[a] = worst[a].min(utilities[a]);
        }
        if let Some(skyline) = &mut self.skyline {
            skyline.insert(utilities, outcome);
            if skyline.len() > setup.max_frontier_points {
                self.check_budget();
            }
        }
        let mut min_margin = Units::MAX;
        let mut margin_sum: Units = 0;
        if setup.all_bargain {
            let reservation = &setup.reservation[..n];
            for a in 0..n {
                let m = utilities[a] - reservation[a];
                min_margin = min_margin.min(m);
                margin_sum += m;
            }
        } else {
            for &b in &setup.bargainers {
                let m = utilities[b] - setup.reservation[b];
                min_margin = min_margin.min(m);
                margin_sum += m;
            }
        }
        if min_margin >= 0 {
            self.zopa += 1;
            if setup.top_k > 0 {
                let gains = &mut self.gains;
                gains.clear();
                gains.extend(setup.bargainers.iter().map(|&b| utilities[b] - setup.reservation[b]));
                if self.best_deals.admits(|last| DealKey::cmp_parts(gains, margin_sum, last), outcome) {
                    self.best_deals.offer(DealKey { gains: gains.clone(), sum: margin_sum }, outcome);
                }
            }
            if setup.option_stats {
                self.pending.run_zone += 1;
                self.pending.row_zone[row] += 1;
            }
        } else {
            self.near_misses.offer((min_margin, margin_sum), outcome);
        }
    }

    fn begin_scan(&mut self, tail: usize, rows: usize) {
        if self.setup.option_stats {
            let n = self.setup.n_actors;
            let p = &mut self.pending;
            (p.tail, p.rows) = (tail, rows);
            p.run_best.clear();
            p.run_best.resize(n, Units::MIN);
            p.run_zone = 0;
            p.row_best.clear();
            p.row_best.resize(n * rows, Units::MIN);
            p.row_zone.clear();
            p.row_zone.resize(rows, 0);
        }
    }

    #[inline]
    fn begin_run(&mut self, first: usize) {
        self.pending.row = first;
    }

    fn end_run(&mut self, digits: &[u32]) {
        let setup = self.setup;
        if !setup.option_stats {
            return;
        }
        let n_opt = setup.n_options;
        let p = &mut self.pending;
        let outer = setup.option_offsets.iter().zip(digits).take(p.tail);
        for (a, best) in p.run_best.iter_mut().enumerate() {
            if *best != Units::MIN {
                let row = &mut self.best_without_red_line[a * n_opt..(a + 1) * n_opt];
                for (&offset, &d) in outer.clone() {
                    let cell = &mut row[offset + d as usize];
                    *cell = (*cell).max(*best);
                }
            }
            *best = Units::MIN;
        }
        for (&offset, &d) in outer {
            self.zopa_by_option[offset + d as usize] += p.run_zone;
        }
        p.run_zone = 0;
    }

    fn end_scan(&mut self, column_digits: &[u32], inner: usize) {
        let setup = self.setup;
        if !setup.option_stats {
            return;
        }
        let n_opt = setup.n_options;
        let p = &self.pending;
        let offsets = &setup.option_offsets[p.tail..];
        for (j, options) in column_digits.chunks_exact(inner).enumerate() {
            for a in 0..setup.n_actors {
                let best = p.row_best[a * p.rows + j];
                if best != Units::MIN {
                    let row = &mut self.best_without_red_line[a * n_opt..(a + 1) * n_opt];
                    for (&offset, &d) in offsets.iter().zip(options) {
                        let cell = &mut row[offset + d as usize];
                        *cell = (*cell).max(best);
                    }
                }
            }
            if p.row_zone[j] > 0 {
                for (&offset, &d) in offsets.iter().zip(options) {
                    self.zopa_by_option[offset + d as usize] += p.row_zone[j];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_top_k_keeps_best_and_breaks_ties_by_index() {
        let mut t = TopK::new(2);
        t.offer((1, 0), 5);
        t.offer((3, 0), 9);
        t.offer((3, 0), 4);
        t.offer((2, 0), 1);
        let got: Vec<u64> = t.items.iter().map(|r| r.outcome).collect();
        assert_eq!(got, vec![4, 9]);
    }

    #[test]
    fn test_deal_key_ties_on_equal_products_in_any_order() {
        let a = DealKey { gains: vec![2, 3, 5], sum: 10 };
        let b = DealKey { gains: vec![5, 2, 3], sum: 10 };
        assert_eq!(a.cmp(&b), Ordering::Equal);
        let mut t = TopK::new(1);
        t.offer(b, 8);
        t.offer(a, 3);
        assert_eq!(t.items[0].outcome, 3, "a tie goes to the smaller index");
    }
}
