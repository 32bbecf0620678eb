//! Walking a range of the outcome space and evaluating every actor's utility.
//!
//! Outcomes are visited in index order (last issue fastest). The additive part of each
//! actor's utility is kept as prefix sums over the issues, so moving to the next outcome
//! costs one addition per actor; a prefix is recomputed only when an outer issue changes.
//! Utilities are exact integer [`Units`], so the prefix sums give the same utilities as
//! [`UtilityModel::utility`] whatever the order of the additions.

use std::ops::Range;

use super::width::{Width, with_width};
use crate::utility::{Units, UtilityModel};

/// Receives every outcome of a scan.
pub(crate) trait Visit {
    /// `outcome` is the outcome's index, `digits` its options, `utilities` one per actor,
    /// `crossed` the bit mask of actors whose red lines it crosses, `refused` the bit mask
    /// of actors with a scoped veto who block it ([`UtilityModel::refusals`]).
    fn visit(&mut self, outcome: u64, digits: &[u32], utilities: &[Units], crossed: u64, refused: u64);
}

/// Adapts a closure to [`Visit`].
pub(crate) struct VisitFn<F>(pub F);

impl<F: FnMut(u64, &[u32], &[Units], u64, u64)> Visit for VisitFn<F> {
    #[inline]
    fn visit(&mut self, outcome: u64, digits: &[u32], utilities: &[Units], crossed: u64, refused: u64) {
        (self.0)(outcome, digits, utilities, crossed, refused);
    }
}

/// Visits every outcome with index in `range`.
pub(crate) fn scan(model: &UtilityModel, range: Range<u64>, visitor: &mut impl Visit) {
    with_width!(model.n_actors(), w => scan_width(model, range, visitor, w))
}

fn scan_width(model: &UtilityModel, range: Range<u64>, visitor: &mut impl Visit, width: impl Width) {
    if range.is_empty() {
        return;
    }
    let space = model.space();
    let radices = space.radices();
    let k = radices.len();
    let n = width.n();
    let last = k - 1;

    let mut digits = vec![0u32; k];
    space.decode_into(&mut range.start.clone(), &mut digits);

    // prefix[a * k + level] = Σ_{i <= level} table[a][i][digits[i]].
    let mut prefix = vec![0 as Units; n * k];
    let refresh = |prefix: &mut [Units], digits: &[u32], from: usize| {
        for a in 0..n {
            for level in from..last {
                let before = if level == 0 { 0 } else { prefix[a * k + level - 1] };
                prefix[a * k + level] = before + model.weighted_units(a, level, digits[level]);
            }
        }
    };
    refresh(&mut prefix, &digits, 0);

    // The last issue's values, every actor's for one option side by side.
    let r_last = radices[last] as usize;
    let column: Vec<Units> =
        (0..r_last).flat_map(|j| (0..n).map(move |a| model.weighted_units(a, last, j as u32))).collect();

    let mut utilities = vec![0 as Units; n];
    let mut base = vec![0 as Units; n];
    let (utilities, base) = (&mut utilities[..n], &mut base[..n]);
    let mut index = range.start;
    loop {
        for a in 0..n {
            base[a] = if last == 0 { 0 } else { prefix[a * k + last - 1] };
        }
        let first = digits[last] as usize;
        let stop = (r_last as u64).min(first as u64 + (range.end - index)) as usize;
        visit_run(model, visitor, &column, first..stop, base, utilities, &mut digits, &mut index, width);
        if index >= range.end {
            return;
        }
        // Carry into the outer issues.
        digits[last] = 0;
        let mut level = last;
        loop {
            // `index < range.end <= len` guarantees a carry target exists.
            level -= 1;
            digits[level] += 1;
            if digits[level] < radices[level] {
                break;
            }
            digits[level] = 0;
        }
        refresh(&mut prefix, &digits, level);
    }
}

/// Visits outcomes one by one along a run of the last issue.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn visit_run(
    model: &UtilityModel,
    visitor: &mut impl Visit,
    column: &[Units],
    run: Range<usize>,
    base: &[Units],
    utilities: &mut [Units],
    digits: &mut [u32],
    index: &mut u64,
    width: impl Width,
) {
    let n = width.n();
    let last = digits.len() - 1;
    let linkages = model.has_linkages();
    let red_lines = model.has_red_lines();
    let scoped = model.has_scoped_vetoes();
    for (j, values) in column.chunks_exact(n).enumerate().take(run.end).skip(run.start) {
        digits[last] = j as u32;
        let values = &values[..n];
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::TestScenario;

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
}
