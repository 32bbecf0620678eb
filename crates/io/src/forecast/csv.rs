//! The `Actor,Capability,Position,Salience` CSV layout, read with the byte span of every
//! field (see [`crate::csv_rows`]) so that each problem points at its line and column.

use std::ops::Range;

use parley_core::Provenance;
use parley_forecast::{Actor, Dataset, Scale};

use super::{ActorProvenance, Field, ForecastInput, SalienceScale, check_actors};
use crate::csv_rows::{Cell, Rows};
use crate::diagnostic::Diagnostic;

const COLUMNS: [&str; 4] = ["actor", "capability", "position", "salience"];
const LAYOUT: &str = "the header names the columns Actor, Capability, Position and Salience (any order, any case)";

/// A number of a row, or an error at its field.
fn number(cell: &Cell, column: &str, errors: &mut Vec<Diagnostic>) -> Option<f64> {
    let Cell { text, span } = cell;
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            let what = if text.is_empty() {
                format!("the {column} is empty")
            } else {
                format!("{column} \"{text}\" is not a number")
            };
            errors.push(
                Diagnostic::error("parley::not-a-number", what)
                    .at(Some(span.clone()), "expected a number")
                    .help(format!("write the {column} as a plain number, such as 0.25 or 7")),
            );
            None
        }
    }
}

/// Reads the CSV text into forecast inputs; every problem is a located diagnostic.
pub(super) fn parse(text: &str, id: &str) -> Result<ForecastInput, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut columns: Option<([usize; 4], usize, Range<usize>)> = None;
    let mut names: Vec<Cell> = Vec::new();
    let mut capabilities: Vec<f64> = Vec::new();
    let mut positions: Vec<Field> = Vec::new();
    let mut saliences: Vec<Cell> = Vec::new();
    let mut salience_values: Vec<f64> = Vec::new();
    for row in Rows::new(text) {
        let (cells, row_span) = match row {
            Ok(row) => (row.cells, row.span),
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let Some((index, width, _)) = &columns else {
            // The header.
            let lower: Vec<String> = cells.iter().map(|c| c.text.trim().to_ascii_lowercase()).collect();
            let mut index = [0; 4];
            let mut missing = Vec::new();
            for (k, name) in COLUMNS.iter().enumerate() {
                let found: Vec<usize> = (0..lower.len()).filter(|&c| lower[c] == *name).collect();
                match found.as_slice() {
                    [one] => index[k] = *one,
                    [] => missing.push(*name),
                    [_, second, ..] => errors.push(
                        Diagnostic::error(
                            "parley::duplicate-id",
                            format!("the header names the column \"{name}\" twice"),
                        )
                        .at(Some(cells[*second].span.clone()), "second column of this name")
                        .help("give each column one header"),
                    ),
                }
            }
            if !missing.is_empty() {
                let plural = if missing.len() == 1 { "column" } else { "columns" };
                errors.push(
                    Diagnostic::error(
                        "parley::missing-column",
                        format!(
                            "the header has no {plural} {}",
                            missing.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .at(Some(row_span), "header")
                    .help(format!("{LAYOUT}; the first row that is not blank or a # comment is the header")),
                );
                return Err(errors);
            }
            columns = Some((index, cells.len(), row_span));
            continue;
        };
        if cells.len() != *width {
            errors.push(
                Diagnostic::error("parley::syntax", format!("this row has {} fields, the header {width}", cells.len()))
                    .at(Some(row_span), "row")
                    .help("give every row one field per header column"),
            );
            continue;
        }
        let [a, c, p, s] = index.map(|k| &cells[k]);
        let Cell { text: name, span: name_span } = a;
        if name.trim().is_empty() {
            errors.push(
                Diagnostic::error("parley::empty", "the actor's name is empty")
                    .at(Some(name_span.clone()), "no name")
                    .help("name every actor; names identify actors in the forecast's moves"),
            );
        } else if names.iter().any(|n| n.text == *name) {
            errors.push(
                Diagnostic::error("parley::duplicate-id", format!("actor \"{name}\" is listed twice"))
                    .at(Some(name_span.clone()), "second row of this actor")
                    .help("give each actor one row"),
            );
        }
        let capability = number(c, "capability", &mut errors);
        if let Some(v) = capability.filter(|v| *v <= 0.0) {
            errors.push(
                Diagnostic::error(
                    "parley::out-of-range",
                    format!("actor \"{name}\": capability {v} must be greater than 0"),
                )
                .at(Some(c.span.clone()), "not above 0")
                .help(
                    "capability is the actor's clout; only ratios between actors matter, so any positive scale works",
                ),
            );
        }
        let position = number(p, "position", &mut errors);
        let salience = number(s, "salience", &mut errors);
        if let Some(v) = salience.filter(|v| *v < 0.0) {
            errors.push(
                Diagnostic::error("parley::out-of-range", format!("actor \"{name}\": salience {v} is negative"))
                    .at(Some(s.span.clone()), "below 0")
                    .help("salience is how much the issue matters: from 0 to 1, or from 0 to 100 as papers print it"),
            );
        }
        if let (Some(c), Some(x), Some(v)) = (capability, position, salience) {
            names.push(a.clone());
            capabilities.push(c);
            positions.push(Field { value: x, span: Some(p.span.clone()) });
            saliences.push(s.clone());
            salience_values.push(v);
        }
    }
    let Some((_, _, header)) = columns else {
        errors.push(
            Diagnostic::error("parley::missing-column", "the file has no header row")
                .help(format!("{LAYOUT}, then one row per actor")),
        );
        return Err(errors);
    };
    let scale = SalienceScale::detect(&salience_values);
    if scale.is_none() {
        for (Cell { span, .. }, v) in saliences.iter().zip(&salience_values).filter(|(_, v)| **v > 100.0) {
            errors.push(
                Diagnostic::error("parley::out-of-range", format!("salience {v} is outside [0, 100]"))
                    .at(Some(span.clone()), "above 100")
                    .help(
                        "saliences are read as 0–1 when all are at most 1, as percentages when all lie within [0, 100]",
                    ),
            );
        }
    }
    let scale = scale.unwrap_or(SalienceScale::Unit);
    let unit: Vec<f64> = salience_values.iter().map(|v| v * scale.factor()).collect();
    if errors.is_empty() {
        check_actors(&positions, &capabilities, &unit, Some(header), &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let actors = names
        .iter()
        .zip(&capabilities)
        .zip(&positions)
        .zip(&unit)
        .map(|(((name, &c), x), &s)| Actor::new(name.text.clone(), c, x.value, s))
        .collect();
    let data = Dataset::with_scale(actors, Scale::default())
        .map_err(|e| vec![Diagnostic::error("parley::internal", format!("internal error (please report it): {e}"))])?;
    let unstated = ActorProvenance {
        capability: Provenance::Unstated,
        position: Provenance::Unstated,
        salience: Provenance::Unstated,
    };
    Ok(ForecastInput {
        id: id.to_string(),
        title: None,
        description: None,
        provenance: vec![unstated; names.len()],
        data,
        salience_scale: scale,
        uncertainty: None,
        sources: Vec::new(),
    })
}
