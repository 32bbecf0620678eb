//! `parley sources`: every number with its provenance.

use std::fmt::Write as _;

use parley_core::Provenance;
use serde::Serialize;

use super::analyze::Counts;
use crate::args::{OutputFormat, SourcesArgs};
use crate::{Failure, Status, output, scenario};

#[derive(Serialize)]
struct Listing<'a> {
    scenario: &'a str,
    numbers: Vec<NumberOut<'a>>,
    summary: Counts,
}

#[derive(Serialize)]
struct NumberOut<'a> {
    path: String,
    value: f64,
    provenance: &'a Provenance,
}

pub(crate) fn run(args: &SourcesArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    let numbers = s.numbers();
    let counts = Counts::of(s);
    let unstated = counts.unstated;
    match format {
        OutputFormat::Json => output::print_json(&Listing {
            scenario: &s.metadata.id,
            numbers: numbers
                .iter()
                .map(|n| NumberOut {
                    path: n.path.clone(),
                    value: n.quantity.value,
                    provenance: &n.quantity.provenance,
                })
                .collect(),
            summary: counts,
        })?,
        OutputFormat::Table => {
            let mut t = output::table(["number", "value", "provenance"].map(String::from).to_vec());
            for n in &numbers {
                let provenance = match &n.quantity.provenance {
                    Provenance::Cited { citation } => {
                        let source = s.sources.iter().find(|x| x.id == citation.source);
                        match source {
                            Some(x) => format!("{citation} ({}, {})", x.outlet, x.date),
                            None => citation.to_string(),
                        }
                    }
                    Provenance::Assumption { reason } => format!("assumption: {reason}"),
                    Provenance::Unstated => "UNSTATED: no source or assumption".to_string(),
                };
                t.add_row(vec![n.path.clone(), format!("{}", n.quantity.value), provenance]);
            }
            let mut text = format!("{t}\n");
            let _ = writeln!(
                text,
                "{}: {} numbers: {} cited, {} assumptions, {} unstated",
                s.metadata.id,
                numbers.len(),
                counts.cited,
                counts.assumed,
                counts.unstated
            );
            output::print(&text)?;
        }
    }
    if args.strict && unstated > 0 {
        eprintln!("parley: {unstated} numbers have neither a source nor an assumption");
        return Ok(Status::CheckFailed);
    }
    Ok(Status::Success)
}
