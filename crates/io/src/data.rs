//! Observed monthly series from CSV, for `parley calibrate`.
//!
//! The file has a header row naming its columns, one of which is `month` (`YYYY-MM`), and
//! one row per month. Fields are plain numbers or empty (a gap), and may be enclosed in
//! double quotes; blank lines and lines starting with `#` are skipped. Every problem is
//! reported with its line and column.

use std::path::Path;

use miette::NamedSource;
use parley_core::Month;
use parley_core::conflict::Observations;

use crate::csv_rows::{Cell, Rows};
use crate::diagnostic::{Diagnostic, Error};

/// Reads observed monthly series from a CSV file.
pub fn load_observations(path: &Path) -> Result<Observations, Error> {
    let text =
        std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.display().to_string(), source })?;
    parse_observations(&text, &path.display().to_string())
}

/// Reads observed monthly series from CSV text; `name` names it in messages.
pub fn parse_observations(text: &str, name: &str) -> Result<Observations, Error> {
    let mut errors = Vec::new();
    let mut header: Option<usize> = None;
    let mut month_column = 0;
    let mut observations = Observations::default();
    for row in Rows::new(text) {
        let (fields, row_span) = match row {
            Ok(row) => (row.cells, row.span),
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let Some(width) = header else {
            match fields.iter().position(|f| f.text == "month") {
                Some(i) => month_column = i,
                None => errors.push(
                    Diagnostic::error("parley::data", "the header has no \"month\" column")
                        .at(Some(row_span), "header")
                        .help("name the column of months (YYYY-MM) \"month\""),
                ),
            }
            observations.columns = fields.into_iter().map(|f| (f.text, Vec::new())).collect();
            header = Some(observations.columns.len());
            continue;
        };
        if fields.len() != width {
            errors.push(
                Diagnostic::error("parley::data", format!("this row has {} fields, the header {width}", fields.len()))
                    .at(Some(row_span), "row")
                    .help("give every row one field per header column (an empty field is a gap)"),
            );
            continue;
        }
        let Cell { text, span } = &fields[month_column];
        match Month::parse(text) {
            Some(m) if observations.months.last().is_some_and(|last| m <= *last) => errors.push(
                Diagnostic::error("parley::data", format!("month {m} is out of order or repeated"))
                    .at(Some(span.clone()), "here")
                    .help("list the months once each, in order"),
            ),
            Some(m) => observations.months.push(m),
            None => {
                errors.push(
                    Diagnostic::error("parley::data", format!("\"{text}\" is not a month"))
                        .at(Some(span.clone()), "expected YYYY-MM")
                        .help("write months as YYYY-MM, for example 2024-01"),
                );
                continue;
            }
        }
        for (i, Cell { text, span }) in fields.iter().enumerate() {
            let value = if text.is_empty() || i == month_column {
                None
            } else {
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() => Some(v),
                    _ => {
                        errors.push(
                            Diagnostic::error("parley::data", format!("\"{text}\" is not a number"))
                                .at(Some(span.clone()), "expected a number")
                                .help("write a plain number, or leave the field empty for a gap"),
                        );
                        None
                    }
                }
            };
            observations.columns[i].1.push(value);
        }
    }
    if header.is_none() {
        errors.push(
            Diagnostic::error("parley::data", "the file is empty")
                .help("give a header row with a \"month\" column, then one row per month"),
        );
    }
    if errors.is_empty() {
        observations.columns.remove(month_column);
        return Ok(observations);
    }
    let source = NamedSource::new(name, text.to_string());
    let count = errors.len();
    Err(Error::Invalid {
        path: name.to_string(),
        count,
        diagnostics: errors.into_iter().map(|d| d.with_source(source.clone())).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_reads_months_gaps_and_comments() {
        let text = "# a comment\nmonth,a,b\n2024-01,1.5,\n2024-02,2,3\n";
        let o = parse_observations(text, "t.csv").unwrap();
        assert_eq!(o.months.len(), 2);
        assert_eq!(o.columns[0].0, "a");
        assert_eq!(o.columns[1].1, vec![None, Some(3.0)]);
    }

    #[test]
    fn test_bad_fields_are_located() {
        let text = "month,a\n2024-01,x\n2024-13,1\n2024-03,1,2\n";
        let Err(Error::Invalid { diagnostics, .. }) = parse_observations(text, "t.csv") else { panic!("an error") };
        let places: Vec<_> = diagnostics.iter().map(|d| d.line_column().unwrap()).collect();
        assert_eq!(places, vec![(2, 9), (3, 1), (4, 1)]);
        assert!(diagnostics[0].message.contains("not a number"));
        assert!(diagnostics[1].message.contains("not a month"));
    }

    #[test]
    fn test_reads_quoted_fields() {
        let text = "\u{feff}month,\"a, b\"\n\"2024-01\",\"1.5\"\n";
        let o = parse_observations(text, "t.csv").unwrap();
        assert_eq!(o.columns[0].0, "a, b");
        assert_eq!(o.columns[0].1, vec![Some(1.5)]);
    }

    #[test]
    fn test_bad_quotes_are_located() {
        // The csv crate alone would read the open quote on to the next one, and "3"x as 3x.
        let text = "month,a\n2024-01,\"2\n2024-02,\"3\"x\n2024-03,y\n";
        let Err(Error::Invalid { diagnostics, .. }) = parse_observations(text, "t.csv") else { panic!("an error") };
        let places: Vec<_> = diagnostics.iter().map(|d| (d.line_column().unwrap(), d.message.as_str())).collect();
        assert_eq!(
            places,
            vec![
                ((2, 9), "this row cannot be read: the quote is not closed"),
                ((3, 12), "this row cannot be read: text after the closing quote"),
                ((4, 9), "\"y\" is not a number"),
            ]
        );
    }

    #[test]
    fn test_reads_the_real_panel() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ru_ua_monthly_panel_to_2025-10.csv");
        let o = load_observations(&path).unwrap();
        assert_eq!(o.months.first().unwrap().to_string(), "2022-02");
        assert_eq!(o.months.last().unwrap().to_string(), "2025-10");
        assert!(o.column("ru_personnel_losses_claimed_ua").is_some());
    }
}
