//! Inputs of the expected-utility forecast (`parley forecast`): a CSV in the common
//! `Actor,Capability,Position,Salience` layout, or a forecast file (TOML or JSON) with the
//! provenance of every number and, optionally, its uncertainty and a labelled scale.
//!
//! # The CSV layout
//!
//! A header row names the columns `Actor`, `Capability`, `Position` and `Salience`, in any
//! order and any case; other columns are ignored. Then one row per actor, in the order that
//! breaks the model's ties. Blank lines and lines starting with `#` are skipped; a field may
//! be enclosed in double quotes (`"Korea, Republic of"`, with `""` for a quote inside), the
//! opening quote being its first character and the closing one on the same line.
//!
//! # The forecast file
//!
//! ```toml
//! [forecast]
//! id = "emission-standards"
//! title = "When the EU's car-emission standard takes effect"
//! scale = { name = "Years until the standard applies", min = 4, max = 10, unit = "years" }
//! uncertainty = { position = { value = 0.5, assumption = "positions read off a chart" } }
//!
//! [[sources]]
//! id = "bdm-1994"
//! title = "Political forecasting: an expected utility method"
//! outlet = "European Community Decision Making (Yale University Press)"
//! date = "1994"
//!
//! [[forecast.actors]]
//! name = "Netherlands"
//! capability = { value = 0.08, source = "bdm-1994" }
//! position = { value = 4, source = "bdm-1994" }
//! salience = { value = 0.8, source = "bdm-1994" }
//! ```
//!
//! The forecast file is a format of its own rather than a section of a scenario file: a
//! dataset of the literature (one issue, positions on a scale) has no options, preferences or
//! reservation values, which a scenario requires, and a parley scenario already holds a
//! forecast's inputs (the [`parley_forecast::bridge`] derives them), so a second copy inside
//! it would drift from the first. It keeps the scenario's conventions: `[[sources]]`, every
//! number with a `source = "id#paragraph"` or an `assumption`, and located errors.
//!
//! # Salience scale
//!
//! Papers print saliences from 0 to 100, models use 0 to 1. The scale is detected from all
//! saliences of a file: if every salience is at most 1, they are read as 0–1; otherwise, if
//! every one lies within [0, 100], they are percentages and are divided by 100 (a stated
//! uncertainty of the salience too); any other salience is an error. A negative salience is
//! always an error. [`ForecastInput::salience_scale`] says which reading applied.

use std::ops::Range;
use std::path::Path;

use miette::NamedSource;
use parley_core::{Provenance, Source};
use parley_forecast::{Dataset, Uncertainty};
use serde::Serialize;

use crate::Format;
use crate::diagnostic::{Diagnostic, Error};
use crate::located::SpanMode;

mod csv;
pub mod raw;

/// How the saliences of a file were read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SalienceScale {
    /// Every salience was at most 1: read as written.
    Unit,
    /// Some salience exceeded 1 and all lay within [0, 100]: divided by 100.
    Percent,
}

impl SalienceScale {
    /// Detects the scale of these saliences: `None` if some lies outside [0, 100] (or is
    /// negative), which is then reported per value.
    pub fn detect(saliences: &[f64]) -> Option<Self> {
        if saliences.iter().any(|&s| !(0.0..=100.0).contains(&s)) {
            None
        } else if saliences.iter().all(|&s| s <= 1.0) {
            Some(SalienceScale::Unit)
        } else {
            Some(SalienceScale::Percent)
        }
    }

    /// The factor that brings a salience of this scale to [0, 1].
    pub fn factor(self) -> f64 {
        match self {
            SalienceScale::Unit => 1.0,
            SalienceScale::Percent => 0.01,
        }
    }
}

/// Where one actor's numbers come from (forecast files; a CSV states nothing).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActorProvenance {
    /// Of the capability.
    pub capability: Provenance,
    /// Of the position.
    pub position: Provenance,
    /// Of the salience.
    pub salience: Provenance,
}

/// The validated inputs of a forecast read from a file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForecastInput {
    /// The forecast's id (forecast files) or the file's stem (CSV).
    pub id: String,
    /// Its title, if the file gives one.
    pub title: Option<String>,
    /// What it is about, if the file says.
    pub description: Option<String>,
    /// The actors and the scale.
    pub data: Dataset,
    /// How the saliences were read.
    pub salience_scale: SalienceScale,
    /// Each actor's stated uncertainty, if the file states any (for Monte Carlo runs).
    pub uncertainty: Option<Vec<Uncertainty>>,
    /// Where each actor's numbers come from, in actor order.
    pub provenance: Vec<ActorProvenance>,
    /// The documents the numbers cite.
    pub sources: Vec<Source>,
}

/// Reads forecast inputs: a `.csv` file in the `Actor,Capability,Position,Salience` layout,
/// or a forecast file (`.toml` or `.json`).
pub fn load_forecast(path: &Path) -> Result<ForecastInput, Error> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: name.clone(), source })?;
    let stem = path.file_stem().map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        return parse_forecast_csv(&text, &name, &stem);
    }
    let format = Format::from_path(path).ok_or_else(|| Error::UnknownFormat { path: name.clone() })?;
    parse_forecast_file(&text, &name, format)
}

/// Reads a forecast CSV; `name` names it in messages, `id` becomes the forecast's id.
pub fn parse_forecast_csv(text: &str, name: &str, id: &str) -> Result<ForecastInput, Error> {
    csv::parse(text, id).map_err(|diagnostics| invalid(text, name, "csv", diagnostics))
}

/// Whether a TOML or JSON text is a forecast file (a top-level `forecast` table and no
/// `scenario` table) rather than a scenario; text that does not parse is not.
pub fn is_forecast_file(text: &str, format: Format) -> bool {
    match format {
        Format::Toml => {
            toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("forecast") && !t.contains_key("scenario"))
        }
        Format::Json => serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            .is_ok_and(|t| t.contains_key("forecast") && !t.contains_key("scenario")),
    }
}

/// Parses and validates a forecast file; `name` is used in messages.
pub fn parse_forecast_file(text: &str, name: &str, format: Format) -> Result<ForecastInput, Error> {
    let language = match format {
        Format::Toml => "toml",
        Format::Json => "json",
    };
    let raw = match format {
        Format::Toml => {
            let _spans = SpanMode::enable(true);
            toml::from_str::<raw::RawForecastFile>(text).map_err(|e| {
                Diagnostic::error("parley::syntax", e.message().to_string())
                    .at(e.span(), "here")
                    .help("see the forecast file format in `parley forecast --help`")
            })
        }
        Format::Json => {
            let _spans = SpanMode::enable(false);
            serde_json::from_str::<raw::RawForecastFile>(text).map_err(|e| {
                let message = e.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message).to_string();
                let offset = crate::line_column_to_offset(text, e.line(), e.column());
                Diagnostic::error("parley::syntax", message)
                    .at(offset.map(|o| o..o), "here")
                    .help("see the forecast file format in `parley forecast --help`")
            })
        }
    }
    .map_err(|d| invalid(text, name, language, vec![d]))?;
    crate::validate::forecast_file(&raw, text).map_err(|diagnostics| invalid(text, name, language, diagnostics))
}

fn invalid(text: &str, name: &str, language: &str, diagnostics: Vec<Diagnostic>) -> Error {
    let source = NamedSource::new(name, text.to_string()).with_language(language);
    let count = diagnostics.iter().filter(|d| d.is_error()).count();
    Error::InvalidForecast {
        path: name.to_string(),
        count,
        diagnostics: diagnostics.into_iter().map(|d| d.with_source(source.clone())).collect(),
    }
}

/// A number of an actor: its value and where it was written.
pub(crate) struct Field {
    pub(crate) value: f64,
    pub(crate) span: Option<Range<usize>>,
}

/// The rules a forecast's actors must meet, shared by the CSV reader and the forecast file:
/// at least two actors, some weight, positions that span a range. `positions` and
/// `saliences` are the located values (saliences already on the 0–1 scale); `at` is where
/// to point when the whole list is at fault.
pub(crate) fn check_actors(
    positions: &[Field],
    capabilities: &[f64],
    saliences: &[f64],
    at: Option<Range<usize>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let n = positions.len();
    if n < 2 {
        diagnostics.push(
            Diagnostic::error(
                "parley::too-few-actors",
                format!(
                    "the file lists {n} {}, but a forecast needs at least 2",
                    if n == 1 { "actor" } else { "actors" }
                ),
            )
            .at(at, "actors start here")
            .help("add one row per actor with its capability, position and salience"),
        );
        return;
    }
    let lo = positions.iter().map(|p| p.value).fold(f64::INFINITY, f64::min);
    let hi = positions.iter().map(|p| p.value).fold(f64::NEG_INFINITY, f64::max);
    if hi <= lo {
        diagnostics.push(
            Diagnostic::error(
                "parley::no-range",
                format!("every actor holds position {}, so the positions span no range", positions[0].value),
            )
            .at(positions[0].span.clone(), "every position equals this one")
            .help("the model compares actors' positions on a scale: give at least two different positions"),
        );
    }
    if !(hi - lo).is_finite() {
        diagnostics.push(
            Diagnostic::error("parley::out-of-range", "the positions are so far apart that their range overflows")
                .at(at.clone(), "actors start here")
                .help("only differences of positions matter: shift or rescale them"),
        );
    }
    let weight: f64 = capabilities.iter().zip(saliences).map(|(c, s)| c * s).sum();
    if !weight.is_finite() {
        diagnostics.push(
            Diagnostic::error("parley::out-of-range", "the capabilities are so large that their sum overflows")
                .at(at.clone(), "actors start here")
                .help("only ratios of capabilities matter: divide them all by the same number"),
        );
    }
    if weight <= 0.0 && capabilities.iter().all(|c| *c > 0.0) {
        diagnostics.push(
            Diagnostic::error("parley::no-weight", "every salience is 0, so no actor's vote counts")
                .at(at, "actors start here")
                .help("salience is how much the issue matters to an actor; give some actor a salience above 0"),
        );
    }
}

#[cfg(test)]
mod tests;
