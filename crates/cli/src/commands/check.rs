//! `parley check`: the sources' claims, checked against the model.

use std::fmt::Write as _;

use parley_core::{Provenance, Verdict};
use parley_sim::expect::evaluate_all;
use serde::Serialize;

use crate::args::{CheckArgs, OutputFormat};
use crate::{Failure, Status, output, scenario};

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    passed: usize,
    failed: usize,
    expectations: Vec<Row<'a>>,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    claim: &'a str,
    check: &'static str,
    provenance: &'a Provenance,
    disputed_by: &'a [parley_core::Dispute],
    levers: &'a [String],
    #[serde(flatten)]
    verdict: &'a Verdict,
}

fn provenance_text(p: &Provenance) -> String {
    match p {
        Provenance::Cited { citation } => citation.to_string(),
        Provenance::Assumption { reason } => format!("assumption: {reason}"),
        Provenance::Unstated => "unstated".into(),
    }
}

pub(crate) fn run(args: &CheckArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    let verdicts: Vec<Verdict> = evaluate_all(s)
        .into_iter()
        .zip(&s.expectations)
        .map(|(v, e)| v.map_err(|err| miette::miette!("expectation \"{}\": {err}", e.id)))
        .collect::<Result<_, _>>()?;
    let failed = verdicts.iter().filter(|v| !v.passed).count();
    match format {
        OutputFormat::Json => output::print_json(&Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            scenario: &s.metadata.id,
            passed: verdicts.len() - failed,
            failed,
            expectations: s
                .expectations
                .iter()
                .zip(&verdicts)
                .map(|(e, verdict)| Row {
                    id: &e.id,
                    claim: &e.claim,
                    check: e.check.kind(),
                    provenance: &e.provenance,
                    disputed_by: &e.disputed_by,
                    levers: &e.levers,
                    verdict,
                })
                .collect(),
        })?,
        OutputFormat::Table => {
            let mut out = String::new();
            let _ = writeln!(out, "{}: {} expectations\n", s.metadata.title, s.expectations.len());
            for (e, v) in s.expectations.iter().zip(&verdicts) {
                let mark = if v.passed { "PASS" } else { "FAIL" };
                let _ = writeln!(out, "{mark}  {}  [{}]", e.id, provenance_text(&e.provenance));
                let _ = writeln!(out, "      claim: {}", e.claim);
                if !e.levers.is_empty() {
                    let _ = writeln!(out, "      with levers: {}", e.levers.join(", "));
                }
                let _ = writeln!(out, "      check: {}; {}", e.check.kind(), v.explanation);
                for d in &e.disputed_by {
                    let _ = writeln!(out, "      disputed by {}: {}", d.citation, d.note);
                }
                let _ = writeln!(out);
            }
            let _ = writeln!(out, "{} of {} expectations hold", verdicts.len() - failed, verdicts.len());
            output::print(&out)?;
        }
    }
    Ok(if failed == 0 { Status::Success } else { Status::CheckFailed })
}
