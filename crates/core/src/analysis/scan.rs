//! Walking a range of the outcome space and evaluating every actor's utility.
//!
//! Outcomes are visited in index order (last issue fastest). The additive part of each
//! actor's utility is kept as prefix sums over the issues, so moving to the next outcome
//! costs one addition per actor; a prefix is recomputed only when an outer issue changes.
//! Sums are formed strictly left to right over the issues, the same order as
//! [`UtilityModel::utility`], so both give bit-identical utilities.

use std::ops::Range;

use crate::utility::UtilityModel;

/// Receives every outcome of a scan.
pub(crate) trait Visit {
    /// `outcome` is the outcome's index, `digits` its options, `utilities` one per actor,
    /// `crossed` the bit mask of actors whose red lines it crosses.
    fn visit(&mut self, outcome: u64, digits: &[u32], utilities: &[f64], crossed: u64);
}

/// Visits every outcome with index in `range`.
pub(crate) fn scan(model: &UtilityModel, range: Range<u64>, visitor: &mut impl Visit) {
    if range.is_empty() {
        return;
    }
    let space = model.space();
    let radices = space.radices();
    let k = radices.len();
    let n = model.n_actors();
    let last = k - 1;
    let linkages = model.has_linkages();
    let red_lines = model.has_red_lines();

    let mut digits = vec![0u32; k];
    space.decode_into(&mut range.start.clone(), &mut digits);

    // prefix[a * k + level] = Σ_{i <= level} table[a][i][digits[i]], left to right.
    let mut prefix = vec![0.0f64; n * k];
    let refresh = |prefix: &mut [f64], digits: &[u32], from: usize| {
        for a in 0..n {
            for level in from..last {
                let before = if level == 0 { 0.0 } else { prefix[a * k + level - 1] };
                prefix[a * k + level] = before + model.weighted_value(a, level, digits[level]);
            }
        }
    };
    refresh(&mut prefix, &digits, 0);

    // The last issue's column of every actor, contiguous for the inner loop.
    let r_last = radices[last] as usize;
    let mut column = vec![0.0f64; n * r_last];
    for a in 0..n {
        for j in 0..r_last {
            column[a * r_last + j] = model.weighted_value(a, last, j as u32);
        }
    }

    let mut utilities = vec![0.0f64; n];
    let mut base = vec![0.0f64; n];
    let mut index = range.start;
    loop {
        for a in 0..n {
            base[a] = if last == 0 { 0.0 } else { prefix[a * k + last - 1] };
        }
        let first = digits[last] as usize;
        let stop = (r_last as u64).min(first as u64 + (range.end - index)) as usize;
        for j in first..stop {
            digits[last] = j as u32;
            for a in 0..n {
                utilities[a] = base[a] + column[a * r_last + j];
            }
            if linkages {
                for (a, u) in utilities.iter_mut().enumerate() {
                    *u = model.finish(a, *u, &digits);
                }
            }
            let crossed = if red_lines { model.crossed_red_lines(&digits) } else { 0 };
            visitor.visit(index, &digits, &utilities, crossed);
            index += 1;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::TestScenario;

    struct Collect(Vec<(u64, Vec<u32>, Vec<f64>, u64)>);
    impl Visit for Collect {
        fn visit(&mut self, outcome: u64, digits: &[u32], utilities: &[f64], crossed: u64) {
            self.0.push((outcome, digits.to_vec(), utilities.to_vec(), crossed));
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
                for (i, (index, digits, u, crossed)) in c.0.iter().enumerate() {
                    assert_eq!(*index, start + i as u64);
                    assert_eq!(digits, &model.space().decode(*index));
                    assert_eq!(u, &model.utilities(digits), "bit-identical to direct evaluation");
                    assert_eq!(*crossed, model.crossed_red_lines(digits));
                }
            }
        }
    }
}
