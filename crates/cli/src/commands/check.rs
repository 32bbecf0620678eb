//! `parley check`: the sources' claims, checked against the model; with `--audit`, which
//! of them could have failed.

use std::fmt::Write as _;

use parley_app::checks::{Checked, Headline, check, number};
use parley_core::audit::{Audit, Class, rule_name};
use parley_core::{Provenance, Verdict};
use serde::Serialize;

use crate::args::{CheckArgs, OutputFormat};
use crate::{Failure, Status, output, scenario};

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    /// Claims whose verdict is what the scenario records (they hold, or fail and are
    /// recorded as contradicted by the model).
    passed: usize,
    failed: usize,
    /// Of the passed: claims the model contradicts, as recorded.
    contradicted: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    audit: Option<HeadlineOut>,
    expectations: Vec<Row<'a>>,
}

#[derive(Serialize)]
struct HeadlineOut {
    #[serde(flatten)]
    headline: Headline,
    text: String,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    claim: &'a str,
    check: &'static str,
    provenance: &'a Provenance,
    disputed_by: &'a [parley_core::Dispute],
    levers: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    contradicted: Option<&'a str>,
    /// Whether the verdict is what the scenario records.
    as_recorded: bool,
    #[serde(flatten)]
    verdict: &'a Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    audit: Option<&'a Audit>,
}

pub(crate) fn run(args: &CheckArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    let checked = check(s, args.audit).map_err(|e| miette::miette!("{e}"))?;
    let failed = checked.iter().filter(|c| !c.expectation.as_recorded(&c.verdict)).count();
    let contradicted = checked.iter().filter(|c| c.expectation.contradicted.is_some() && !c.verdict.passed).count();
    let headline = Headline::of(&checked);
    match format {
        OutputFormat::Json => output::print_json(&Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            scenario: &s.metadata.id,
            passed: checked.len() - failed,
            failed,
            contradicted,
            audit: headline.map(|h| HeadlineOut { text: h.text(), headline: h }),
            expectations: checked
                .iter()
                .map(|c| {
                    let e = c.expectation;
                    Row {
                        id: &e.id,
                        claim: &e.claim,
                        check: e.check.kind(),
                        provenance: &e.provenance,
                        disputed_by: &e.disputed_by,
                        levers: &e.levers,
                        contradicted: e.contradicted.as_deref(),
                        as_recorded: e.as_recorded(&c.verdict),
                        verdict: &c.verdict,
                        audit: c.audit.as_ref(),
                    }
                })
                .collect(),
        })?,
        OutputFormat::Table => {
            let mut out = String::new();
            let _ = writeln!(out, "{}: {} expectations\n", s.metadata.title, checked.len());
            for c in &checked {
                claim(&mut out, c);
            }
            let holding = checked.iter().filter(|c| c.verdict.passed).count();
            let _ = write!(out, "{holding} of {} expectations hold", checked.len());
            if contradicted > 0 {
                let _ = write!(out, "; {contradicted} contradicted by the model, as the scenario records");
            }
            if failed > 0 {
                let _ = write!(out, "; {failed} not as recorded");
            }
            let _ = writeln!(out);
            if let Some(h) = &headline {
                let _ = writeln!(out, "\n{}", audit_table(&checked));
                let _ = writeln!(out, "{}", h.text());
            }
            output::print(&out)?;
        }
    }
    Ok(if failed == 0 { Status::Success } else { Status::CheckFailed })
}

/// One claim, its verdict and (if audited) its class.
fn claim(out: &mut String, c: &Checked<'_>) {
    let (e, v) = (c.expectation, &c.verdict);
    let mark = match (v.passed, e.contradicted.is_some()) {
        (true, false) => "PASS",
        (false, false) => "FAIL",
        (false, true) => "CONTRADICTED",
        (true, true) => "FAIL (recorded as contradicted, but holds)",
    };
    let _ = writeln!(out, "{mark}  {}  [{}]", e.id, e.provenance);
    let _ = writeln!(out, "      claim: {}", e.claim);
    if let Some(why) = &e.contradicted {
        let _ = writeln!(out, "      contradicted by the model: {why}");
    }
    if !e.levers.is_empty() {
        let _ = writeln!(out, "      with levers: {}", e.levers.join(", "));
    }
    let _ = writeln!(out, "      check: {}; {}", e.check.kind(), v.explanation);
    for d in &e.disputed_by {
        let _ = writeln!(out, "      disputed by {}: {}", d.citation, d.note);
    }
    if let Some(a) = &c.audit {
        let _ = writeln!(out, "      audit: {}: {}", a.class.text(), a.reason);
    }
    let _ = writeln!(out);
}

/// The audit of every claim: evidence first (nearest to failing first), then the claims
/// that hold by their inputs, then the structural ones.
pub(crate) fn audit_table(checked: &[Checked<'_>]) -> String {
    let mut rows: Vec<(&Checked<'_>, &Audit)> =
        checked.iter().filter_map(|c| c.audit.as_ref().map(|a| (c, a))).collect();
    let order = |class: Class| match class {
        Class::Evidence => 0,
        Class::ByInput => 1,
        Class::Structural => 2,
    };
    rows.sort_by(|(_, a), (_, b)| {
        order(a.class).cmp(&order(b.class)).then_with(|| {
            let r = |x: &Audit| x.closest.as_ref().map_or(f64::INFINITY, |f| f.relative);
            r(a).total_cmp(&r(b))
        })
    });
    let mut t = output::table(
        ["class", "claim", "verdict", "deciding number", "value", "flips at", "margin", "why (evidence: rests on)"]
            .map(String::from)
            .to_vec(),
    );
    for (c, a) in rows {
        let f = a.closest.as_ref();
        let cell = |x: Option<f64>| x.map_or_else(|| "–".to_string(), number);
        let rests: Vec<String> = a.rests_on.iter().map(|r| rule_name(r)).collect();
        t.add_row(vec![
            a.class.text().to_string(),
            c.expectation.id.clone(),
            if c.verdict.passed { "holds".into() } else { "FAILS".into() },
            f.map_or_else(|| "–".to_string(), |f| f.path.clone()),
            cell(f.map(|f| f.value)),
            cell(f.map(|f| f.at)),
            f.map_or_else(|| "–".to_string(), |f| format!("{} ({:.0}%)", number(f.margin), 100.0 * f.relative)),
            match (a.class, rests.is_empty()) {
                (Class::Evidence, true) => "–".into(),
                (Class::Evidence, false) => rests.join(", "),
                _ => a.reason.clone(),
            },
        ]);
    }
    t.to_string()
}
