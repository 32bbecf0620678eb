//! The report of a **parley** run: one self-contained HTML page, with SVG charts, that a
//! person opens in a browser, sends by e-mail and prints.
//!
//! # Brief overview
//!
//! * [`data`]: [`ReportData`], everything the report shows as plain, serialisable data.
//!   `parley run` saves it as `report.json` beside the experiment's files, so `parley
//!   report` renders the same page again without computing anything.
//! * [`build`]: from the engine's results to [`ReportData`]. It computes the cheap,
//!   deterministic parts itself (analysis, the planes of the main pairs, the central path
//!   and its talks, checks, provenance) and takes the expensive, saved ones (the
//!   experiment's replicates, the sensitivity study) as inputs.
//! * [`chart`]: charts as inline SVG, titled and described for screen readers and
//!   readable in black and white.
//! * [`render()`]: the page: the scenario at a glance, which deals exist, how talks go, the
//!   war beside them, when a deal becomes possible, what matters most, whether the model
//!   matches its sources, and the provenance of every number.
//!
//! The crate does no input or output: it returns strings; the command line writes them.
//!
//! # Example
//!
//! ```
//! use parley_report::{build, render};
//!
//! let scenario = parley_core::synthetic::synthetic(2, 2);
//! let meta = parley_report::data::Meta {
//!     parley_version: "0.1.0".into(),
//!     scenario: scenario.metadata.id.clone(),
//!     title: scenario.metadata.title.clone(),
//!     description: String::new(),
//!     as_of: None,
//!     scenario_file: "synthetic".into(),
//!     scenario_hash: "fnv1a64:0".into(),
//!     seed: 0,
//!     runs: 0,
//!     months: 0,
//!     levers: vec![],
//!     command: "parley run".into(),
//! };
//! let inputs = build::Inputs { scenario: &scenario, meta, experiment: None, study: None };
//! let data = build::build(inputs)?;
//! let page = render(&data)?;
//! assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod build;
pub mod chart;
pub mod data;
mod render;

pub use data::ReportData;
pub use render::{RenderError, SECTIONS, render};
