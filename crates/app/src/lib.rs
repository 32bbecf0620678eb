//! What every **parley** front end calls — the command line, the Python package, the
//! workbench — so that each runs experiments, resumes them, merges shards and builds the
//! report exactly as the others do.
//!
//! # Brief overview
//!
//! * [`scenario`]: a scenario from a file, a Genius folder or the built-in one; levers by
//!   id; the scenario's hash that stamps every output.
//! * [`store`]: an experiment on disk — its [`Manifest`](store::Manifest), chunk files
//!   written atomically, resumption, shards and their merge, and reading a finished one back.
//! * [`job`]: the main job ([`job::run`]): experiment, sensitivity study, analysis and the
//!   report, written to a results directory; and the report of a saved directory.
//! * [`edit`]: a scenario file's text edited by path (set a number, drop a rule), keeping
//!   its layout and comments; the edited numbers become assumptions with the user's reason.
//! * [`checks`]: the sources' claims checked against the model, and the audit of which
//!   could have failed, with its headline.
//! * [`sources`]: provenance counts, tuned numbers, and citations checked against local
//!   copies of the sources.
//! * [`report`]: from the engine's results to the report's data
//!   ([`parley_report::ReportData`]), which `parley-report` renders.
//! * [`observe`]: an [`Observer`] sees each stage start and its progress, and can cancel
//!   a job between blocks of work.
//! * [`AppError`]: why a job stopped, sorted by whose [`Fault`] it is, so a front end can
//!   choose its exit code or exception.
//!
//! The engine crates stay pure; this crate reads and writes files, and prints nothing.
//!
//! # Example
//!
//! ```no_run
//! use parley_app::{job, observe::Quiet, scenario};
//!
//! let loaded = scenario::load(None, None)?; // the built-in scenario
//! let done = job::run(
//!     &job::MainJob {
//!         scenario: &loaded.scenario,
//!         scenario_name: scenario::name(None),
//!         levers: vec![],
//!         runs: 100,
//!         months: 24,
//!         seed: 1,
//!         start: job::Start::Filtered { particles: 1000 },
//!         samples: 64,
//!         backtest: job::main_backtest(&loaded.scenario, 1000, 1),
//!         out: "parley-run".into(),
//!         page: None,
//!         command: "example".into(),
//!     },
//!     &Quiet,
//! )?;
//! println!("{} packages in the zone; report at {}", done.data.deals.zone, done.page.display());
//! # Ok::<(), parley_app::AppError>(())
//! ```

#![deny(missing_docs)]

pub mod checks;
pub mod edit;
mod error;
pub mod files;
pub mod job;
pub mod observe;
pub mod report;
pub mod scenario;
pub mod sources;
pub mod store;

pub use error::{AppError, Fault};
pub use observe::{Observer, Quiet, Stage};
