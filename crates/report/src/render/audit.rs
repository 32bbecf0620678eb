//! The audit of the checks: which claims could have failed, inside the checks section.

use super::format::number;
use super::html::Html;
use crate::data::ReportData;

/// The summary's line about the checks: the audit's headline if the checks were audited.
pub(super) fn headline(d: &ReportData) -> Option<String> {
    let a = d.checks.audit.as_ref()?;
    let failing: Vec<String> = d.checks.rows.iter().filter(|r| !r.passed).map(failing_name).collect();
    Some(if failing.is_empty() {
        a.headline.clone()
    } else {
        format!("{} Failing: {}.", a.headline, failing.join(", "))
    })
}

/// A failing claim in a list: its id, and whether the scenario records the model's
/// contradiction of it.
pub(super) fn failing_name(row: &crate::data::CheckRow) -> String {
    if row.contradicted.is_some() {
        format!("{} (contradicted by the model, as recorded)", row.id)
    } else {
        row.id.clone()
    }
}

/// The class of a claim, for the checks table: `evidence (margin 0.02)`.
pub(super) fn cell(row: &crate::data::CheckRow) -> String {
    match &row.audit {
        None => "–".into(),
        Some(a) => match (a.class.as_str(), a.margin) {
            ("evidence", Some(m)) => format!("evidence (margin {})", number(m)),
            (class, _) => class.to_string(),
        },
    }
}

/// "Could the checks have failed?": the classes, each claim with the number that decides it.
pub(super) fn audit(h: &mut Html, d: &ReportData) {
    let Some(summary) = &d.checks.audit else { return };
    h.h3("Could the checks have failed?");
    h.p(&format!(
        "A check is evidence for the model only if it could have failed. Each claim was checked again with every number it depends on varied over its admissible range (its [[uncertain]] range if the scenario states one), one at a time, and with its red lines and linkages removed one at a time. {}",
        summary.headline
    ));
    h.p(
        "Evidence: some change of another number makes the claim fail; the table names the nearest such number, where the verdict flips and the margin. By input: the claim holds whatever the numbers it depends on, or only its own inputs flip it (a number tuned to it, a number read off the passage it cites, the very preference it compares). Structural: it holds by a red line or the scenario's structure alone.",
    );
    let mut rows: Vec<(&crate::data::CheckRow, &crate::data::AuditRow)> =
        d.checks.rows.iter().filter_map(|r| r.audit.as_ref().map(|a| (r, a))).collect();
    let order = |class: &str| match class {
        "evidence" => 0,
        "by input" => 1,
        _ => 2,
    };
    rows.sort_by(|a, b| {
        order(&a.1.class)
            .cmp(&order(&b.1.class))
            .then_with(|| a.1.relative.unwrap_or(f64::INFINITY).total_cmp(&b.1.relative.unwrap_or(f64::INFINITY)))
    });
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|(r, a)| {
            let flip = match (&a.number, a.value, a.at, a.margin, a.relative) {
                (Some(n), Some(v), Some(at), Some(m), Some(rel)) => {
                    format!(
                        "{n}: {} now, flips at {} (margin {}, {:.0}% of its range)",
                        number(v),
                        number(at),
                        number(m),
                        100.0 * rel
                    )
                }
                _ => "–".into(),
            };
            let rests = if a.rests_on.is_empty() { "–".to_string() } else { a.rests_on.join(", ") };
            vec![
                a.class.clone(),
                r.id.clone(),
                if r.passed { "holds".into() } else { "fails".into() },
                flip,
                rests,
                a.reason.clone(),
            ]
        })
        .collect();
    let classes: Vec<&str> = rows.iter().map(|(r, _)| if r.passed { "" } else { "fail" }).collect();
    h.table_with(
        "The audit of every claim, evidence first (nearest to failing first)",
        &["class", "claim", "verdict", "the number that decides it", "rests on", "why"],
        &table,
        &classes,
    );
}
