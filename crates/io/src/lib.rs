//! Reading, validating and writing **parley** scenario files.
//!
//! # Brief overview
//!
//! A scenario file (TOML, or JSON with the same layout) is read in two stages, as
//! ripgrep reads its flags: [`raw`] types mirror the file (unknown keys are errors), then
//! validation resolves every id and checks every rule, producing a
//! [`parley_core::Scenario`]. Every problem becomes a [`Diagnostic`] that keeps the byte
//! span of the offending text, so a report can show file, line and column with the text
//! underlined. Validation collects all problems before failing.
//!
//! * [`load`] / [`parse`] — file or text to a validated [`Loaded`] scenario plus warnings.
//! * [`to_toml`], [`to_json`] — a scenario back to a file (used by `parley generate` and
//!   `parley convert`).
//! * [`load_genius`] / [`to_genius`] — a Genius XML folder (domain and profiles) to a scenario
//!   and back, under Genius's or NegMAS's reading of the numbers ([`Semantics`]); see [`genius`].
//! * [`schema`] — the JSON Schema of the file format, generated from the raw types.
//! * [`load_forecast`] — the inputs of the expected-utility forecast: a CSV in the
//!   `Actor,Capability,Position,Salience` layout or a forecast file; see [`forecast`].
//! * [`citations`] — every `id#N` a scenario file cites, checked against local copies of
//!   its sources (`parley sources --verify`).
//!
//! # Example
//!
//! ```
//! let text = r#"
//! [scenario]
//! id = "sale"
//! title = "A car sale"
//!
//! [[actors]]
//! id = "buyer"
//! name = "Buyer"
//! role = "other"
//! veto = true
//!
//! [[actors]]
//! id = "seller"
//! name = "Seller"
//! role = "other"
//! veto = true
//!
//! [[issues]]
//! id = "price"
//! name = "Price"
//! kind = "integer"
//! min = 9000
//! max = 11000
//! step = 500
//! unit = "EUR"
//!
//! [[preferences]]
//! actor = "buyer"
//! reservation = { value = 0.2, assumption = "a similar car is on offer elsewhere" }
//! weights = { price = 1.0 }
//! values.price = { function = "linear", at_min = 1.0, at_max = 0.0 }
//!
//! [[preferences]]
//! actor = "seller"
//! reservation = 0.3
//! weights = { price = 1.0 }
//! values.price = { function = "linear", at_min = 0.0, at_max = 1.0 }
//! "#;
//! let loaded = parley_io::parse(text, "sale.toml", parley_io::Format::Toml)?;
//! assert_eq!(loaded.scenario.issues[0].options.len(), 5);
//! assert!(loaded.warnings.is_empty());
//! # Ok::<(), parley_io::Error>(())
//! ```

#![deny(missing_docs)]

pub mod citations;
mod csv_rows;
mod data;
mod diagnostic;
pub mod forecast;
pub mod genius;
pub mod id;
pub mod located;
pub mod raw;
mod validate;
mod write;

use std::path::Path;

use miette::NamedSource;
use parley_core::Scenario;

pub use data::{load_observations, parse_observations};
pub use diagnostic::{Diagnostic, Error};
pub use forecast::{
    ForecastInput, SalienceScale, is_forecast_file, load_forecast, parse_forecast_csv, parse_forecast_file,
};
pub use genius::{GeniusOptions, Semantics, load_genius, parse_genius, to_genius};
pub use validate::{MAX_MONTHS, MAX_OPTIONS_PER_ISSUE};
pub use write::to_raw;

use located::SpanMode;
use raw::RawScenario;

/// The syntax of a scenario file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// TOML (the primary format; errors point at line and column).
    Toml,
    /// JSON with the same layout as the TOML (syntax errors point at line and column;
    /// other errors name the item).
    Json,
}

impl Format {
    /// The format a file name implies (`.toml` or `.json`).
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// A validated scenario and the warnings its validation produced.
#[derive(Debug)]
pub struct Loaded {
    /// The scenario.
    pub scenario: Scenario,
    /// Problems that did not stop validation (e.g. weights rescaled).
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let name = path.display().to_string();
    let format = Format::from_path(path).ok_or_else(|| Error::UnknownFormat { path: name.clone() })?;
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: name.clone(), source })?;
    parse(&text, &name, format)
}

/// Parses and validates scenario text; `name` is used in messages.
pub fn parse(text: &str, name: &str, format: Format) -> Result<Loaded, Error> {
    let source = || {
        NamedSource::new(name, text.to_string()).with_language(match format {
            Format::Toml => "toml",
            Format::Json => "json",
        })
    };
    let invalid = |diagnostics: Vec<Diagnostic>| {
        let count = diagnostics.iter().filter(|d| d.is_error()).count();
        Error::Invalid {
            path: name.to_string(),
            count,
            diagnostics: diagnostics.into_iter().map(|d| d.with_source(source())).collect(),
        }
    };
    let raw = parse_raw(text, format).map_err(|d| invalid(vec![*d]))?;
    match validate::validate(&raw, text) {
        Ok((scenario, warnings)) => {
            Ok(Loaded { scenario, warnings: warnings.into_iter().map(|d| d.with_source(source())).collect() })
        }
        Err(diagnostics) => Err(invalid(diagnostics)),
    }
}

/// Parses text into the raw file model (shape only, no cross-reference checks).
pub fn parse_raw(text: &str, format: Format) -> Result<RawScenario, Box<Diagnostic>> {
    match format {
        Format::Toml => {
            let _spans = SpanMode::enable(true);
            toml::from_str::<RawScenario>(text).map_err(|e| {
                Box::new(
                    Diagnostic::error("parley::syntax", e.message().to_string())
                        .at(e.span(), "here")
                        .help("see `parley schema` for the file format"),
                )
            })
        }
        Format::Json => {
            let _spans = SpanMode::enable(false);
            serde_json::from_str::<RawScenario>(text).map_err(|e| {
                let offset = line_column_to_offset(text, e.line(), e.column());
                let message = e.to_string();
                // serde_json appends " at line L column C"; the label shows the position.
                let message = message.split(" at line ").next().unwrap_or(&message).to_string();
                Box::new(
                    Diagnostic::error("parley::syntax", message)
                        .at(offset.map(|o| o..o), "here")
                        .help("see `parley schema` for the file format"),
                )
            })
        }
    }
}

/// The byte offset of a 1-based line and column (columns in bytes, as serde_json counts
/// them), moved back to the start of the character it falls in, so a span never splits one.
pub(crate) fn line_column_to_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let mut offset = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    Some(offset)
}

/// The scenario as TOML text.
pub fn to_toml(scenario: &Scenario) -> Result<String, Error> {
    toml::to_string_pretty(&to_raw(scenario))
        .map_err(|e| Error::Internal(format!("cannot serialise the scenario: {e}")))
}

/// The scenario as JSON text, in the same layout as the TOML.
pub fn to_json(scenario: &Scenario) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(&to_raw(scenario))
        .map_err(|e| Error::Internal(format!("cannot serialise the scenario: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// The JSON Schema of scenario files, pretty-printed.
pub fn schema() -> String {
    let schema = schemars::schema_for!(RawScenario);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
