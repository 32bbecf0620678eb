//! `parley sources`: every number with its provenance, tuned numbers apart; with
//! `--verify DIR`, every citation checked against local copies of the sources.

use std::fmt::Write as _;

use parley_app::sources::{Counts, Quote, quotes, verify};
use parley_core::{Provenance, Scenario};
use serde::Serialize;

use crate::args::{OutputFormat, SourcesArgs};
use crate::{Failure, Status, output, scenario};

#[derive(Serialize)]
struct Listing<'a> {
    scenario: &'a str,
    numbers: Vec<NumberOut<'a>>,
    tuned: Vec<NumberOut<'a>>,
    summary: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<Verified>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quotes: Option<Vec<Quote>>,
}

#[derive(Serialize)]
struct NumberOut<'a> {
    path: String,
    value: f64,
    provenance: &'a Provenance,
}

#[derive(Serialize)]
struct Verified {
    citations: usize,
    sources: Vec<VerifiedSource>,
}

#[derive(Serialize)]
struct VerifiedSource {
    id: String,
    paragraphs: usize,
    cited: usize,
}

fn provenance_cell(s: &Scenario, p: &Provenance) -> String {
    match p {
        Provenance::Cited { citation } => match s.sources.iter().find(|x| x.id == citation.source) {
            Some(x) => format!("{citation} ({}, {})", x.outlet, x.date),
            None => citation.to_string(),
        },
        Provenance::Unstated => "UNSTATED: no source, assumption or tuning".to_string(),
        other => other.to_string(),
    }
}

pub(crate) fn run(args: &SourcesArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    let numbers = s.numbers();
    let counts = Counts::of(s);
    let checked = match &args.verify {
        Some(dir) => {
            let (v, texts) = verify(s, args.scenario.as_deref(), dir)?;
            if !v.errors.is_empty() {
                for e in &v.errors {
                    eprintln!("{:?}", miette::Report::new(e.clone()));
                }
                return Err(Failure::Reported(format!(
                    "{} of {} citations do not resolve against {}",
                    v.errors.len(),
                    v.checked,
                    dir.display()
                )));
            }
            Some((v, texts))
        }
        None => None,
    };
    let quoted = match (&checked, args.quotes) {
        (Some((_, texts)), true) => Some(quotes(s, texts)),
        _ => None,
    };
    fn out<'n>(n: &'n parley_core::scenario::NumberRef<'_>) -> NumberOut<'n> {
        NumberOut { path: n.path.clone(), value: n.quantity.value, provenance: &n.quantity.provenance }
    }
    let is_tuned =
        |n: &&parley_core::scenario::NumberRef<'_>| matches!(*n.quantity.provenance, Provenance::Tuned { .. });
    match format {
        OutputFormat::Json => output::print_json(&Listing {
            scenario: &s.metadata.id,
            numbers: numbers.iter().map(out).collect(),
            tuned: numbers.iter().filter(is_tuned).map(out).collect(),
            summary: counts,
            verified: checked.as_ref().map(|(v, _)| Verified {
                citations: v.checked,
                sources: v
                    .sources
                    .iter()
                    .map(|(id, paragraphs, cited)| VerifiedSource {
                        id: id.clone(),
                        paragraphs: *paragraphs,
                        cited: *cited,
                    })
                    .collect(),
            }),
            quotes: quoted,
        })?,
        OutputFormat::Table => {
            let mut text = String::new();
            if let Some(quoted) = &quoted {
                text.push_str(&quote_table(quoted));
            } else {
                let mut t = output::table(["number", "value", "provenance"].map(String::from).to_vec());
                for n in numbers.iter().filter(|n| !is_tuned(n)) {
                    t.add_row(vec![
                        n.path.clone(),
                        format!("{}", n.quantity.value),
                        provenance_cell(s, &n.quantity.provenance),
                    ]);
                }
                let _ = writeln!(text, "{t}");
            }
            let tuned: Vec<_> = numbers.iter().filter(is_tuned).collect();
            if !tuned.is_empty() {
                let mut t = output::table(["tuned number", "value", "tuned to", "how"].map(String::from).to_vec());
                for n in &tuned {
                    if let Provenance::Tuned { to, note } = &*n.quantity.provenance {
                        t.add_row(vec![n.path.clone(), format!("{}", n.quantity.value), to.clone(), note.clone()]);
                    }
                }
                let _ = writeln!(
                    text,
                    "\nTuned numbers: chosen so that a claim or a target holds. A claim that holds only because of a number tuned to it is no evidence (`parley check --audit`).\n{t}"
                );
            }
            let _ = writeln!(text, "\n{}: {}", s.metadata.id, counts.text());
            if let Some((v, _)) = &checked {
                let per: Vec<String> =
                    v.sources.iter().map(|(id, p, c)| format!("{id}: {c} of {p} paragraphs cited")).collect();
                let _ = writeln!(text, "{} citations resolve ({})", v.checked, per.join("; "));
            }
            output::print(&text)?;
        }
    }
    if args.strict && counts.unstated > 0 {
        eprintln!("parley: {} numbers have neither a source, an assumption nor a declared tuning", counts.unstated);
        return Ok(Status::CheckFailed);
    }
    Ok(Status::Success)
}

/// Each number that cites a paragraph, beside the paragraph.
fn quote_table(quoted: &[Quote]) -> String {
    let mut t = output::table(["number", "value", "cites", "the paragraph"].map(String::from).to_vec());
    for q in quoted {
        let cites = if q.direction_only { format!("{} (direction only)", q.citation) } else { q.citation.to_string() };
        t.add_row(vec![
            q.path.clone(),
            format!("{}", q.value),
            cites,
            q.paragraph.clone().unwrap_or_else(|| "(no local text)".into()),
        ]);
    }
    format!("{t}\n")
}
