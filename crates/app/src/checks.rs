//! The sources' claims checked against the model, and the audit of the checks: which
//! could have failed (`parley check`, `parley check --audit`, the report).

pub use parley_core::audit::number;
use parley_core::audit::{Audit, Class, Flip};
use parley_core::{Expectation, Scenario, Verdict};
use serde::Serialize;

use crate::AppError;

/// One claim: its verdict and, if asked for, its audit.
#[derive(Clone, Debug)]
pub struct Checked<'a> {
    /// The claim.
    pub expectation: &'a Expectation,
    /// Whether it holds, and why.
    pub verdict: Verdict,
    /// Whether it could have failed.
    pub audit: Option<Audit>,
}

/// A claim the engine could not check.
#[derive(Debug, thiserror::Error)]
#[error("expectation \"{id}\": {source}")]
pub struct CheckError {
    /// The claim.
    pub id: String,
    /// Why.
    pub source: parley_core::Error,
}

impl From<CheckError> for AppError {
    fn from(e: CheckError) -> Self {
        AppError::bare(e.to_string())
    }
}

/// Checks every claim of `s`; with `audit`, audits each too (see [`parley_core::audit`]).
pub fn check(s: &Scenario, audit: bool) -> Result<Vec<Checked<'_>>, CheckError> {
    let fail = |e: &Expectation, err: parley_core::Error| CheckError { id: e.id.clone(), source: err };
    let verdicts = parley_sim::expect::evaluate_all(s);
    let audits: Vec<Option<Audit>> = if audit {
        parley_sim::audit::audit_all(s)
            .into_iter()
            .zip(&s.expectations)
            .map(|(a, e)| a.map(Some).map_err(|err| fail(e, err)))
            .collect::<Result<_, _>>()?
    } else {
        vec![None; s.expectations.len()]
    };
    s.expectations
        .iter()
        .zip(verdicts)
        .zip(audits)
        .map(|((e, v), audit)| Ok(Checked { expectation: e, verdict: v.map_err(|err| fail(e, err))?, audit }))
        .collect()
}

/// What the audit says about the checks as a whole.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Headline {
    /// Claims in all.
    pub claims: usize,
    /// Claims that could have failed.
    pub evidence: usize,
    /// Of those, the ones that hold.
    pub evidence_holding: usize,
    /// Claims that hold whatever the numbers, or by their own inputs.
    pub by_input: usize,
    /// Claims that hold by a red line or the structure alone.
    pub structural: usize,
    /// The evidence claim nearest to failing (by share of its number's range), and the flip.
    pub closest: Option<(String, Flip)>,
}

impl Headline {
    /// The headline of audited checks (`None` if they were not audited).
    pub fn of(checked: &[Checked<'_>]) -> Option<Headline> {
        let audits: Vec<(&Checked<'_>, &Audit)> =
            checked.iter().map(|c| c.audit.as_ref().map(|a| (c, a))).collect::<Option<_>>()?;
        let count = |class: Class| audits.iter().filter(|(_, a)| a.class == class).count();
        let evidence: Vec<&(&Checked<'_>, &Audit)> =
            audits.iter().filter(|(_, a)| a.class == Class::Evidence).collect();
        let closest = evidence
            .iter()
            .filter(|(c, _)| c.verdict.passed)
            .filter_map(|(c, a)| a.closest.as_ref().map(|f| (c.expectation.id.clone(), f.clone())))
            .min_by(|a, b| a.1.relative.total_cmp(&b.1.relative));
        Some(Headline {
            claims: checked.len(),
            evidence: evidence.len(),
            evidence_holding: evidence.iter().filter(|(c, _)| c.verdict.passed).count(),
            by_input: count(Class::ByInput),
            structural: count(Class::Structural),
            closest,
        })
    }

    /// "12 of 29 claims could have failed; all 12 hold, the closest by a margin of 0.02 on …".
    pub fn text(&self) -> String {
        let mut out = format!("{} of {} claims could have failed", self.evidence, self.claims);
        if self.evidence > 0 {
            out += &if self.evidence_holding == self.evidence {
                format!("; all {} hold", self.evidence)
            } else {
                format!("; {} of them hold", self.evidence_holding)
            };
            if let Some((id, f)) = &self.closest {
                out += &format!(
                    ", the closest by a margin of {} on {} ({} now, {} at the flip; claim {id})",
                    number(f.margin),
                    f.path,
                    number(f.value),
                    number(f.at)
                );
            }
        }
        let by_input = if self.by_input == 1 {
            "1 holds by its inputs".to_string()
        } else {
            format!("{} hold by their inputs", self.by_input)
        };
        out += &format!(
            ". {by_input} and {} by the scenario's structure (red lines): no evidence either way.",
            self.structural
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_number() {
        assert_eq!(number(0.0200), "0.02");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(123_456.4), "123456");
        assert_eq!(number(0.000_215), "2.150e-4");
    }
}
