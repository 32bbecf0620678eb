//! The report as one self-contained HTML page: styles inline, charts as inline SVG, no
//! scripts, no fonts, no requests; it reads on screen and prints on A4, one section a page.

mod audit;
mod forecast;
mod format;
mod html;
mod record;
mod sections;

use crate::data::{FORMAT, ReportData};
pub use html::Html;
pub use record::headline as backtest_headline;
pub use record::lineage_headline;

/// Why data cannot be rendered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RenderError {
    /// The data were written by a parley with another layout.
    #[error("report data of format {found}, but this parley reads format {expected}; rebuild it with `parley run`")]
    Format {
        /// The layout found.
        found: u32,
        /// The layout this version reads.
        expected: u32,
    },
}

/// The page's style sheet.
const STYLE: &str = include_str!("report.css");

/// The section ids and titles, in page order (the table of contents).
pub const SECTIONS: [(&str, &str); 12] = [
    ("summary", "Summary"),
    ("glance", "The scenario at a glance"),
    ("deals", "What deals exist"),
    ("talks", "How talks go"),
    ("record", "Where the war stands: the record the forecasts start from"),
    ("backtest", "How well the model forecast: the backtest"),
    ("war", "The war beside the talks"),
    ("settlement", "When a deal becomes possible"),
    ("sensitivity", "What matters most"),
    ("forecast", "A second lens: the expected-utility forecast"),
    ("checks", "Does the model match its sources?"),
    ("provenance", "Provenance"),
];

/// Renders a report's data as an HTML page.
///
/// # Errors
///
/// [`RenderError::Format`] for data of another layout version.
pub fn render(data: &ReportData) -> Result<String, RenderError> {
    if data.format != FORMAT {
        return Err(RenderError::Format { found: data.format, expected: FORMAT });
    }
    let m = &data.meta;
    let mut h = Html::default();
    h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.raw("<meta name=\"generator\" content=\"parley ");
    h.text(&m.parley_version);
    h.raw("\">\n<title>");
    h.text(&format!("{} — parley report", m.title));
    h.raw("</title>\n<style>\n");
    h.raw(STYLE);
    h.raw("</style>\n</head>\n<body>\n<header>\n");
    h.element("h1", &m.title);
    h.p(&m.description);
    h.p_class(
        "stamp",
        &format!(
            "Scenario {} ({}), as of {}; parley {}; seed {}; {} replicates over {} months{}; scenario hash {}.",
            m.scenario,
            m.scenario_file,
            m.as_of.as_deref().unwrap_or("an unstated date"),
            m.parley_version,
            m.seed,
            m.runs,
            m.months,
            if m.levers.is_empty() { String::new() } else { format!("; levers applied: {}", m.levers.join(", ")) },
            m.scenario_hash
        ),
    );
    h.raw("</header>\n<nav aria-label=\"Contents\"><ol>\n");
    for (id, title) in SECTIONS {
        h.raw(&format!("<li><a href=\"#{id}\">"));
        h.text(title);
        h.raw("</a></li>\n");
    }
    h.raw("</ol></nav>\n<main>\n");
    sections::summary(&mut h, data);
    sections::glance(&mut h, data);
    sections::deals(&mut h, data);
    sections::talks(&mut h, data);
    record::record(&mut h, data);
    record::backtest(&mut h, data);
    sections::war(&mut h, data);
    sections::settlement(&mut h, data);
    sections::sensitivity(&mut h, data);
    forecast::forecast(&mut h, data);
    sections::checks(&mut h, data);
    sections::provenance(&mut h, data);
    h.raw("</main>\n<footer>\n");
    h.p(&format!(
        "Made by parley {} with `{}`. Every result is conditional on the scenario's assumptions, listed with their sources above.",
        m.parley_version, m.command
    ));
    h.raw("</footer>\n</body>\n</html>\n");
    Ok(h.finish())
}
