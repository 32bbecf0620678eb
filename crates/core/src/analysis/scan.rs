//! Walking a range of the outcome space and evaluating every actor's utility.
//!
//! Outcomes are visited in index order (last issue fastest). The innermost issues, up to
//! [`COLUMN`] combinations of them, form a column whose rows (their options, every actor's
//! sum over them) are computed once per scan; the additive part of each actor's utility
//! over the outer issues is kept as prefix sums, so moving to the next outcome costs one
//! addition per actor, and a prefix is recomputed only when an outer issue changes.
//! Utilities are exact integer [`Units`], so the prefix sums give the same utilities as
//! [`UtilityModel::utility`] whatever the order of the additions.
//!
//! Linkages, red lines and scoped vetoes are read the same way when the model has at most
//! 64 of them ([`ConditionMasks`]): each option has the bit mask of the conditions it rules
//! out, a prefix ORs them over the outer issues, and a package's matching conditions are
//! the complement of its prefix ORed with its column row's mask, so no condition is tested
//! term by term per package.

use std::ops::Range;

use super::width::{Width, with_width};
use crate::utility::{ConditionMasks, Units, UtilityModel};

/// Receives every outcome of a scan.
pub(crate) trait Visit {
    /// `outcome` is the outcome's index, `digits` its options, `utilities` one per actor,
    /// `crossed` the bit mask of actors whose red lines it crosses, `refused` the bit mask
    /// of actors with a scoped veto who block it ([`UtilityModel::refusals`]).
    fn visit(&mut self, outcome: u64, digits: &[u32], utilities: &[Units], crossed: u64, refused: u64);

    /// A scan begins: its column (see [`scan`]) holds the options of the issues from `tail`
    /// on, `rows` combinations of them.
    #[inline]
    fn begin_scan(&mut self, _tail: usize, _rows: usize) {}

    /// A run begins: the next visits share the options of the issues before the column's
    /// and walk the column's rows one by one from row `first`.
    #[inline]
    fn begin_run(&mut self, _first: usize) {}

    /// The run ends; `digits` still holds its options of the issues before the column's.
    #[inline]
    fn end_run(&mut self, _digits: &[u32]) {}

    /// The scan ends: row `j` of the column has options
    /// `column_digits[j * inner..(j + 1) * inner]` of the issues from its `tail` on.
    #[inline]
    fn end_scan(&mut self, _column_digits: &[u32], _inner: usize) {}
}

/// Adapts a closure to [`Visit`].
pub(crate) struct VisitFn<F>(pub F);

impl<F: FnMut(u64, &[u32], &[Units], u64, u64)> Visit for VisitFn<F> {
    #[inline]
    fn visit(&mut self, outcome: u64, digits: &[u32], utilities: &[Units], crossed: u64, refused: u64) {
        (self.0)(outcome, digits, utilities, crossed, refused);
    }
}

/// The most packages of the innermost issues walked as one precomputed column.
const COLUMN: usize = 512;

/// Visits every outcome with index in `range`.
pub(crate) fn scan(model: &UtilityModel, range: Range<u64>, visitor: &mut impl Visit) {
    with_width!(model.n_actors(), w => scan_width(model, range, visitor, w, true))
}

/// [`scan`] for `width` actors; `use_masks` false tests every condition on its own even
/// when they fit [`ConditionMasks`] (the tests compare both ways).
fn scan_width(model: &UtilityModel, range: Range<u64>, visitor: &mut impl Visit, width: impl Width, use_masks: bool) {
    if range.is_empty() {
        return;
    }
    let space = model.space();
    let radices = space.radices();
    let k = radices.len();
    let n = width.n();

    // The innermost issues, from `tail` on, form the column: together they have `rows`
    // combinations, walked in index order from precomputed tables. At least the last issue
    // is in it.
    let mut tail = k - 1;
    let mut rows = radices[tail] as usize;
    while tail > 0 && rows * radices[tail - 1] as usize <= COLUMN {
        tail -= 1;
        rows *= radices[tail] as usize;
    }
    let inner = k - tail;

    let any_condition = model.has_linkages() || model.has_red_lines() || model.has_scoped_vetoes();
    let masks = if any_condition && use_masks { model.condition_masks() } else { None };
    let reservation = model.reservation_units();

    // Per row of the column: its options, every actor's sum over the inner issues side by
    // side, and the conditions its options rule out.
    let mut column_digits = vec![0u32; rows * inner];
    let mut column = vec![0 as Units; rows * n];
    let mut column_fails = vec![0u64; rows];
    let mut row = vec![0u32; inner];
    for j in 0..rows {
        column_digits[j * inner..(j + 1) * inner].copy_from_slice(&row);
        for a in 0..n {
            column[j * n + a] = row.iter().enumerate().map(|(i, &d)| model.weighted_units(a, tail + i, d)).sum();
        }
        if let Some(masks) = &masks {
            column_fails[j] = row.iter().enumerate().fold(0, |f, (i, &d)| f | masks.fails(tail + i, d));
        }
        for (d, &r) in row.iter_mut().zip(&radices[tail..]).rev() {
            *d += 1;
            if *d < r {
                break;
            }
            *d = 0;
        }
    }

    let mut digits = vec![0u32; k];
    space.decode_into(&mut range.start.clone(), &mut digits);

    // prefix[a * k + level] = Σ_{i <= level} table[a][i][digits[i]], and
    // prefix_fails[level] = ⋁_{i <= level} fails[i][digits[i]], for the outer issues.
    let mut prefix = vec![0 as Units; n * k];
    let mut prefix_fails = vec![0u64; k];
    let refresh = |prefix: &mut [Units], prefix_fails: &mut [u64], digits: &[u32], from: usize| {
        for a in 0..n {
            for level in from..tail {
                let before = if level == 0 { 0 } else { prefix[a * k + level - 1] };
                prefix[a * k + level] = before + model.weighted_units(a, level, digits[level]);
            }
        }
        if let Some(masks) = &masks {
            for level in from..tail {
                let before = if level == 0 { 0 } else { prefix_fails[level - 1] };
                prefix_fails[level] = before | masks.fails(level, digits[level]);
            }
        }
    };
    refresh(&mut prefix, &mut prefix_fails, &digits, 0);

    let mut utilities = vec![0 as Units; n];
    let mut base = vec![0 as Units; n];
    let (utilities, base) = (&mut utilities[..n], &mut base[..n]);
    let column = Column { digits: &column_digits, values: &column, fails: &column_fails, inner };
    let mut index = range.start;
    visitor.begin_scan(tail, rows);
    loop {
        for a in 0..n {
            base[a] = if tail == 0 { 0 } else { prefix[a * k + tail - 1] };
        }
        let first = digits[tail..].iter().zip(&radices[tail..]).fold(0usize, |j, (&d, &r)| j * r as usize + d as usize);
        let stop = (rows as u64).min(first as u64 + (range.end - index)) as usize;
        visitor.begin_run(first);
        match &masks {
            Some(masks) => {
                let base_fails = if tail == 0 { 0 } else { prefix_fails[tail - 1] };
                let conditions = Conditions { masks, base_fails, reservation: &reservation };
                visit_run_masked(
                    visitor,
                    &column,
                    &conditions,
                    first..stop,
                    base,
                    utilities,
                    &mut digits,
                    &mut index,
                    width,
                );
            }
            None => visit_run(model, visitor, &column, first..stop, base, utilities, &mut digits, &mut index, width),
        }
        visitor.end_run(&digits);
        if index >= range.end {
            visitor.end_scan(&column_digits, inner);
            return;
        }
        // Carry into the outer issues.
        digits[tail..].fill(0);
        let mut level = tail;
        loop {
            // `index < range.end <= len` guarantees a carry target exists.
            level -= 1;
            digits[level] += 1;
            if digits[level] < radices[level] {
                break;
            }
            digits[level] = 0;
        }
        refresh(&mut prefix, &mut prefix_fails, &digits, level);
    }
}

/// The innermost issues' combinations, in index order.
struct Column<'a> {
    /// The options of row `j`: `digits[j * inner..(j + 1) * inner]`.
    digits: &'a [u32],
    /// Every actor's sum over the inner issues for row `j`: `values[j * n..(j + 1) * n]`.
    values: &'a [Units],
    /// The conditions row `j`'s options rule out (none without [`ConditionMasks`]).
    fails: &'a [u64],
    /// Number of inner issues.
    inner: usize,
}

/// Visits outcomes one by one along a run of the column, testing each condition.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn visit_run(
    model: &UtilityModel,
    visitor: &mut impl Visit,
    column: &Column<'_>,
    run: Range<usize>,
    base: &[Units],
    utilities: &mut [Units],
    digits: &mut [u32],
    index: &mut u64,
    width: impl Width,
) {
    let n = width.n();
    let tail = digits.len() - column.inner;
    let linkages = model.has_linkages();
    let red_lines = model.has_red_lines();
    let scoped = model.has_scoped_vetoes();
    for j in run {
        digits[tail..].copy_from_slice(&column.digits[j * column.inner..(j + 1) * column.inner]);
        let values = &column.values[j * n..(j + 1) * n];
        for a in 0..n {
            utilities[a] = base[a] + values[a];
        }
        if linkages {
            for (a, u) in utilities.iter_mut().enumerate() {
                *u = model.finish(a, *u, digits);
            }
        }
        let crossed = if red_lines { model.crossed_red_lines(digits) } else { 0 };
        let refused = if scoped { model.refusals(digits, utilities, crossed) } else { 0 };
        visitor.visit(*index, digits, utilities, crossed, refused);
        *index += 1;
    }
}

/// What [`visit_run_masked`] reads the conditions from besides the column.
struct Conditions<'a> {
    masks: &'a ConditionMasks,
    /// The conditions the outer issues' options rule out.
    base_fails: u64,
    /// Reservation values in units, by actor.
    reservation: &'a [Units],
}

/// [`visit_run`] with the conditions read from their masks.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn visit_run_masked(
    visitor: &mut impl Visit,
    column: &Column<'_>,
    conditions: &Conditions<'_>,
    run: Range<usize>,
    base: &[Units],
    utilities: &mut [Units],
    digits: &mut [u32],
    index: &mut u64,
    width: impl Width,
) {
    let n = width.n();
    let tail = digits.len() - column.inner;
    let masks = conditions.masks;
    for j in run {
        digits[tail..].copy_from_slice(&column.digits[j * column.inner..(j + 1) * column.inner]);
        let values = &column.values[j * n..(j + 1) * n];
        for a in 0..n {
            utilities[a] = base[a] + values[a];
        }
        let matched = !(conditions.base_fails | column.fails[j]);
        for (slot, &(a, _)) in masks.linkages.iter().enumerate() {
            utilities[a] = masks.finish(slot, utilities[a], matched);
        }
        let crossed = masks.crossed(matched);
        let refused = masks.refusals(matched, utilities, crossed, conditions.reservation);
        visitor.visit(*index, digits, utilities, crossed, refused);
        *index += 1;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::preferences::{Condition, RedLine};
    use crate::test_utils::{TestScenario, conditioned_scenario};

    /// `(outcome, digits, utilities, crossed, refused)` of each visit.
    type Visited = (u64, Vec<u32>, Vec<Units>, u64, u64);
    struct Collect(Vec<Visited>);
    impl Visit for Collect {
        fn visit(&mut self, outcome: u64, digits: &[u32], utilities: &[Units], crossed: u64, refused: u64) {
            self.0.push((outcome, digits.to_vec(), utilities.to_vec(), crossed, refused));
        }
    }

    #[test]
    fn test_scan_matches_direct_evaluation_on_every_subrange() {
        let scenario = TestScenario::linked_three_party();
        let model = UtilityModel::new(&scenario).unwrap();
        let len = model.space().len().unwrap();
        for start in 0..len {
            for end in start..=len {
                let mut c = Collect(Vec::new());
                scan(&model, start..end, &mut c);
                assert_eq!(c.0.len() as u64, end - start);
                for (i, (index, digits, u, crossed, refused)) in c.0.iter().enumerate() {
                    assert_eq!(*index, start + i as u64);
                    assert_eq!(digits, &model.space().decode(*index));
                    let direct: Vec<Units> = (0..u.len()).map(|a| model.utility_units(a, digits)).collect();
                    assert_eq!(u, &direct, "identical to direct evaluation");
                    assert_eq!(*crossed, model.crossed_red_lines(digits));
                    assert_eq!(*refused, model.refusals(digits, &direct, *crossed));
                }
            }
        }
    }

    /// Every visit of a scan of `range`, with or without the condition masks.
    fn visits(model: &UtilityModel, range: Range<u64>, use_masks: bool) -> Vec<Visited> {
        let mut c = Collect(Vec::new());
        with_width!(model.n_actors(), w => scan_width(model, range, &mut c, w, use_masks));
        c.0
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The masks and the multi-issue column give every visit exactly as testing each
        /// condition and evaluating each package directly does, on any range.
        #[test]
        fn test_scan_with_masks_matches_direct_evaluation(s in conditioned_scenario(), a in 0.0f64..1.0, b in 0.0f64..1.0) {
            let model = UtilityModel::new(&s).unwrap();
            prop_assert!(model.condition_masks().is_some());
            let len = model.space().len().unwrap();
            let (x, y) = ((a * len as f64) as u64, (b * len as f64) as u64 + 1);
            let range = x.min(y)..x.max(y).min(len);
            let masked = visits(&model, range.clone(), true);
            prop_assert_eq!(&masked, &visits(&model, range.clone(), false));
            prop_assert_eq!(masked.len() as u64, range.end - range.start);
            for (i, (index, digits, u, crossed, refused)) in masked.iter().enumerate() {
                prop_assert_eq!(*index, range.start + i as u64);
                prop_assert_eq!(digits, &model.space().decode(*index));
                let direct: Vec<Units> = (0..u.len()).map(|a| model.utility_units(a, digits)).collect();
                prop_assert_eq!(u, &direct);
                prop_assert_eq!(*crossed, model.crossed_red_lines(digits));
                prop_assert_eq!(*refused, model.refusals(digits, &direct, *crossed));
            }
        }
    }

    #[test]
    fn test_more_than_64_conditions_are_tested_one_by_one() {
        let mut s = TestScenario::linked_three_party();
        for r in 0..64 {
            s.preferences[r % 3].red_lines.push(RedLine {
                id: format!("extra{r}"),
                when: Condition { terms: vec![(r % 3, vec![r % 2])] },
                reason: String::new(),
                source: None,
            });
        }
        let model = UtilityModel::new(&s).unwrap();
        assert!(model.condition_masks().is_none());
        let len = model.space().len().unwrap();
        let all = visits(&model, 0..len, true);
        for (index, digits, u, crossed, _) in &all {
            assert_eq!(digits, &model.space().decode(*index));
            assert_eq!(u, &(0..u.len()).map(|a| model.utility_units(a, digits)).collect::<Vec<_>>());
            assert_eq!(*crossed, model.crossed_red_lines(digits));
        }
    }
}
