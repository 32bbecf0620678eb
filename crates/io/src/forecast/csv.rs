//! The `Actor,Capability,Position,Salience` CSV layout, read with the byte span of every
//! field so that each problem points at its line and column.

use std::ops::Range;

use parley_core::Provenance;
use parley_forecast::{Actor, Dataset, Scale};

use super::{ActorProvenance, Field, ForecastInput, SalienceScale, check_actors};
use crate::diagnostic::Diagnostic;

const COLUMNS: [&str; 4] = ["actor", "capability", "position", "salience"];
const LAYOUT: &str = "the header names the columns Actor, Capability, Position and Salience (any order, any case)";

/// One field: its text (unquoted) and its byte range in the file.
type Cell = (String, Range<usize>);

/// Splits one line (without its line break) starting at byte `start` of the file into
/// fields. A field may be quoted, with `""` for a quote inside. Errors give the span of an
/// unterminated quote or of text after a closing quote.
fn split(line: &str, start: usize) -> Result<Vec<Cell>, (Range<usize>, &'static str)> {
    let len = line.len();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let lead = line[i..].len() - line[i..].trim_start_matches([' ', '\t']).len();
        let j = i + lead;
        if line[j..].starts_with('"') {
            let mut value = String::new();
            let mut k = j + 1;
            loop {
                let Some(q) = line[k..].find('"').map(|q| k + q) else {
                    return Err((start + j..start + len, "the quote is not closed"));
                };
                value.push_str(&line[k..q]);
                if line[q + 1..].starts_with('"') {
                    value.push('"');
                    k = q + 2;
                } else {
                    k = q + 1;
                    break;
                }
            }
            let after = k + (line[k..].len() - line[k..].trim_start_matches([' ', '\t']).len());
            out.push((value, start + j..start + k));
            if after >= len {
                return Ok(out);
            }
            if !line[after..].starts_with(',') {
                return Err((start + after..start + len, "text after the closing quote"));
            }
            i = after + 1;
        } else {
            let end = line[i..].find(',').map_or(len, |p| i + p);
            let raw = &line[i..end];
            let trimmed = raw.trim();
            let from = i + (raw.len() - raw.trim_start().len());
            out.push((trimmed.to_string(), start + from..start + from + trimmed.len()));
            if end >= len {
                return Ok(out);
            }
            i = end + 1;
        }
    }
}

/// A number of a row, or an error at its field.
fn number(cell: &Cell, column: &str, errors: &mut Vec<Diagnostic>) -> Option<f64> {
    let (text, span) = cell;
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
    let mut offset = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    for line in text[offset..].split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() || content.trim_start().starts_with('#') {
            continue;
        }
        let row_span = start..start + content.len();
        let cells = match split(content, start) {
            Ok(cells) => cells,
            Err((span, what)) => {
                errors.push(
                    Diagnostic::error("parley::syntax", format!("this row cannot be read: {what}"))
                        .at(Some(span), what)
                        .help("enclose a field in double quotes when it holds a comma; write \"\" for a quote inside"),
                );
                continue;
            }
        };
        let Some((index, width, _)) = &columns else {
            // The header.
            let lower: Vec<String> = cells.iter().map(|(c, _)| c.trim().to_ascii_lowercase()).collect();
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
                        .at(Some(cells[*second].1.clone()), "second column of this name")
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
            columns = Some((index, cells.len(), start..start + content.len()));
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
        let (name, name_span) = a;
        if name.trim().is_empty() {
            errors.push(
                Diagnostic::error("parley::empty", "the actor's name is empty")
                    .at(Some(name_span.clone()), "no name")
                    .help("name every actor; names identify actors in the forecast's moves"),
            );
        } else if names.iter().any(|(n, _)| n == name) {
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
                .at(Some(c.1.clone()), "not above 0")
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
                    .at(Some(s.1.clone()), "below 0")
                    .help("salience is how much the issue matters: from 0 to 1, or from 0 to 100 as papers print it"),
            );
        }
        if let (Some(c), Some(x), Some(v)) = (capability, position, salience) {
            names.push(a.clone());
            capabilities.push(c);
            positions.push(Field { value: x, span: Some(p.1.clone()) });
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
        for ((_, span), v) in saliences.iter().zip(&salience_values).filter(|(_, v)| **v > 100.0) {
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
        .map(|((((name, _), &c), x), &s)| Actor::new(name.clone(), c, x.value, s))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_split_plain_and_quoted_fields() {
        let cells = split(r#" a , "b, c" ,"d ""e""",f"#, 10).unwrap();
        let text: Vec<&str> = cells.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, ["a", "b, c", "d \"e\"", "f"]);
        assert_eq!(cells[0].1, 11..12);
        assert_eq!(cells[1].1, 15..21, "the quotes included");
        assert!(split(r#"a,"b"#, 0).is_err());
        assert!(split(r#"a,"b" x,c"#, 0).is_err());
        assert_eq!(split("a,,b", 0).unwrap()[1], (String::new(), 2..2));
    }
}
