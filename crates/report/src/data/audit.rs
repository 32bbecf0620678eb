//! The audit of the checks, as the report shows it: which claims could have failed.

use serde::{Deserialize, Serialize};

/// One claim's audit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    /// `structural`, `by input` or `evidence`.
    pub class: String,
    /// Why, in words.
    pub reason: String,
    /// The number that decides the class (for evidence: the nearest flip), if any.
    pub number: Option<String>,
    /// Its value.
    pub value: Option<f64>,
    /// Where the verdict flips.
    pub at: Option<f64>,
    /// How far the value is from the flip.
    pub margin: Option<f64>,
    /// The margin as a share of the number's admissible range.
    pub relative: Option<f64>,
    /// Red lines and linkages whose removal alone flips it.
    pub rests_on: Vec<String>,
    /// How many numbers were varied.
    pub varied: usize,
}

/// The audit's headline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditSummary {
    /// Claims that could have failed.
    pub evidence: usize,
    /// Of those, the ones that hold.
    pub evidence_holding: usize,
    /// Claims that hold by their inputs.
    pub by_input: usize,
    /// Claims that hold by the scenario's structure.
    pub structural: usize,
    /// The headline in words.
    pub headline: String,
}
