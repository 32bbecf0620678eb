//! The report of a **parley** run: one self-contained HTML page, with SVG charts, that a
//! person opens in a browser, sends by e-mail and prints.
//!
//! # Brief overview
//!
//! * [`data`]: [`ReportData`], everything the report shows as plain, serialisable data.
//!   `parley run` saves it as `report.json` beside the experiment's files, so `parley
//!   report` renders the same page again without computing anything. The data are built
//!   from the engine's results by `parley-app`, never here: this crate renders and computes
//!   nothing of the model.
//! * [`chart`]: charts as inline SVG, titled and described for screen readers and
//!   readable in black and white.
//! * [`render()`]: the page: the scenario at a glance, which deals exist, how talks go, the
//!   war beside them, when a deal becomes possible, what matters most, whether the model
//!   matches its sources, and the provenance of every number.
//!
//! The crate does no input or output: it returns strings; the front ends write them.
//!
//! # Example
//!
//! ```
//! use parley_report::chart::lines::{Labels, Line, LineChart};
//!
//! let chart = LineChart {
//!     labels: Labels {
//!         id: "held",
//!         title: "Area held",
//!         description: "The holder's area month by month.",
//!         x: "month",
//!         y: "km²",
//!     },
//!     lines: vec![Line {
//!         label: "observed".into(),
//!         points: vec![(0.0, 108_603.0), (1.0, 108_721.0), (2.0, 108_761.0)],
//!         band: None,
//!         style: None,
//!     }],
//!     references: vec![],
//!     y_range: None,
//!     x_ticks: None,
//!     x_label: &|x| format!("{x:.0}"),
//!     direct_labels: false,
//!     markers: true,
//!     width: 340.0,
//!     y_names: vec![],
//! };
//! let svg = chart.render();
//! assert!(svg.starts_with("<svg") && svg.contains("<title"));
//! ```

#![deny(missing_docs)]

pub mod chart;
pub mod data;
mod render;

pub use data::ReportData;
pub use render::{RenderError, SECTIONS, backtest_headline, lineage_headline, render};
