//! The audit of the checks, as report data.

use parley_core::audit::Audit;
use parley_report::data::{AuditRow, AuditSummary, finite};

use crate::checks::Headline;

/// One claim's audit.
pub(super) fn row(a: &Audit) -> AuditRow {
    let f = a.closest.as_ref();
    AuditRow {
        class: a.class.text().to_string(),
        reason: a.reason.clone(),
        number: f.map(|f| f.path.clone()),
        value: f.and_then(|f| finite(f.value)),
        at: f.and_then(|f| finite(f.at)),
        margin: f.and_then(|f| finite(f.margin)),
        relative: f.and_then(|f| finite(f.relative)),
        rests_on: a.rests_on.iter().map(|r| parley_core::audit::rule_name(r)).collect(),
        varied: a.varied,
    }
}

/// The audit's headline.
pub(super) fn summary(h: &Headline) -> AuditSummary {
    AuditSummary {
        evidence: h.evidence,
        evidence_holding: h.evidence_holding,
        by_input: h.by_input,
        structural: h.structural,
        headline: h.text(),
    }
}
