//! Issues, their options, and the outcome space they span.
//!
//! An **outcome** (a package, a deal) picks one option on every issue. The
//! [`OutcomeSpace`] is the Cartesian product of the issues' options, ordered with the
//! first issue slowest and the last issue fastest, so every outcome has a dense index in
//! `0..len()` and can be enumerated without being stored.

use serde::Serialize;

use crate::scenario::Quantity;

/// One choice on an issue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IssueOption {
    /// Identifier, unique within the issue.
    pub id: String,
    /// Human label.
    pub label: String,
    /// The option's value on the issue's scale, for integer and real issues.
    pub value: Option<f64>,
}

/// How an issue's options are defined. An explicit tagged enum: the kind is declared in
/// the scenario, never inferred from the values.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IssueKind {
    /// Named options; `ordered` says whether their file order is a scale (used by later
    /// models that need positions, such as the expected-utility forecast).
    Categorical {
        /// Whether the options form an ordered scale.
        ordered: bool,
    },
    /// Whole numbers from `min` to `max` (inclusive) in steps of `step`.
    Integer {
        /// Smallest value.
        min: Quantity,
        /// Largest value.
        max: Quantity,
        /// Distance between neighbouring options.
        step: Quantity,
        /// Unit of the values, for display.
        unit: Option<String>,
    },
    /// Real numbers from `min` to `max`, discretised into `steps` evenly spaced options
    /// (both ends included).
    Real {
        /// Smallest value.
        min: Quantity,
        /// Largest value.
        max: Quantity,
        /// Number of options.
        steps: u32,
        /// Unit of the values, for display.
        unit: Option<String>,
    },
}

impl IssueKind {
    /// Calls `f` with every number of the issue definition.
    pub fn visit_numbers<'a>(&'a self, f: &mut dyn FnMut(&str, &'a Quantity)) {
        match self {
            IssueKind::Categorical { .. } => {}
            IssueKind::Integer { min, max, step, .. } => {
                f("min", min);
                f("max", max);
                f("step", step);
            }
            IssueKind::Real { min, max, .. } => {
                f("min", min);
                f("max", max);
            }
        }
    }

    /// The numeric range of an integer or real issue.
    pub fn range(&self) -> Option<(f64, f64)> {
        match self {
            IssueKind::Categorical { .. } => None,
            IssueKind::Integer { min, max, .. } | IssueKind::Real { min, max, .. } => Some((min.value, max.value)),
        }
    }
}

/// Something negotiated over, with a few distinct options.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Issue {
    /// Identifier.
    pub id: String,
    /// Human name.
    pub name: String,
    /// How the options are defined.
    #[serde(flatten)]
    pub kind: IssueKind,
    /// The options, in order. Never empty.
    pub options: Vec<IssueOption>,
}

impl Issue {
    /// Position of the option with this id.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }
}

/// An outcome: the index of the chosen option on every issue.
pub type Outcome = Vec<u32>;

/// The Cartesian product of the issues' options, with dense indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeSpace {
    radices: Vec<u32>,
    /// Per issue, the product of the later issues' radices (saturating: only meaningful
    /// when the space's size fits in a `u64`).
    strides: Vec<u64>,
}

impl OutcomeSpace {
    /// A space with `radices[i]` options on issue `i`.
    pub fn new(radices: Vec<u32>) -> Self {
        let mut strides = vec![1u64; radices.len()];
        for i in (0..radices.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1].saturating_mul(u64::from(radices[i + 1]));
        }
        Self { radices, strides }
    }

    /// Number of options on each issue.
    pub fn radices(&self) -> &[u32] {
        &self.radices
    }

    /// Number of issues.
    pub fn n_issues(&self) -> usize {
        self.radices.len()
    }

    /// Number of outcomes, or `None` if it does not fit in a `u64`.
    pub fn len(&self) -> Option<u64> {
        self.radices.iter().try_fold(1u64, |acc, &r| acc.checked_mul(u64::from(r)))
    }

    /// Number of outcomes as a float (never overflows; for messages and estimates).
    pub fn len_f64(&self) -> f64 {
        self.radices.iter().map(|&r| f64::from(r)).product()
    }

    /// Whether the space is empty (some issue has no option).
    pub fn is_empty(&self) -> bool {
        self.radices.contains(&0)
    }

    /// The outcome with this index (last issue fastest).
    pub fn decode(&self, mut index: u64) -> Outcome {
        let mut digits = vec![0; self.radices.len()];
        self.decode_into(&mut index, &mut digits);
        digits
    }

    /// Writes the outcome with index `*index` into `digits`.
    pub fn decode_into(&self, index: &mut u64, digits: &mut [u32]) {
        for (digit, &radix) in digits.iter_mut().zip(&self.radices).rev() {
            *digit = (*index % u64::from(radix)) as u32;
            *index /= u64::from(radix);
        }
    }

    /// The index of an outcome.
    pub fn encode(&self, outcome: &[u32]) -> u64 {
        outcome.iter().zip(&self.radices).fold(0u64, |acc, (&d, &r)| acc * u64::from(r) + u64::from(d))
    }

    /// The outcome `index` with the option of `issue` moved `shift` places on (cyclically)
    /// and every other issue unchanged: `encode` of the decoded outcome with that one digit
    /// changed, computed on the index alone (the first issue is the most significant digit).
    pub fn shift_option(&self, index: u64, issue: usize, shift: u32) -> u64 {
        let radix = u64::from(self.radices[issue]);
        let stride = self.strides[issue];
        let digit = (index / stride) % radix;
        let moved = (digit + u64::from(shift)) % radix;
        index - digit * stride + moved * stride
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_shift_option_is_decode_shift_encode() {
        let space = OutcomeSpace::new(vec![3, 1, 4, 2, 5]);
        for index in 0..space.len().unwrap() {
            for issue in 0..space.n_issues() {
                for shift in 0..6 {
                    let mut digits = space.decode(index);
                    digits[issue] = (digits[issue] + shift) % space.radices()[issue];
                    assert_eq!(
                        space.shift_option(index, issue, shift),
                        space.encode(&digits),
                        "{index} {issue} {shift}"
                    );
                }
            }
        }
    }

    #[test]
    fn test_decode_encode_roundtrip() {
        let space = OutcomeSpace::new(vec![3, 1, 4, 2]);
        assert_eq!(space.len(), Some(24));
        for i in 0..24 {
            let o = space.decode(i);
            assert_eq!(space.encode(&o), i);
        }
        assert_eq!(space.decode(1), vec![0, 0, 0, 1], "last issue varies fastest");
        assert_eq!(space.decode(23), vec![2, 0, 3, 1]);
    }

    #[test]
    fn test_len_overflow_is_none() {
        let space = OutcomeSpace::new(vec![u32::MAX; 4]);
        assert_eq!(space.len(), None);
        assert!(space.len_f64() > 1e38);
    }
}
