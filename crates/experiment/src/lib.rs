//! Monte Carlo experiments for **parley**: the coupled simulation of war and talks run over
//! many draws of the scenario's uncertain assumptions, levers compared on common random
//! numbers, and which assumptions matter most.
//!
//! # Brief overview
//!
//! * [`sample`]: draws from the distributions of `[[uncertain]]` parameters (normal,
//!   lognormal, uniform, triangular, PERT, beta; truncation by redrawing).
//! * [`run`]: an [`Experiment`] prepares one simulation per arm (the baseline and each
//!   lever) once; replicate `i` draws its parameters and its shocks from stream `i` of the
//!   master seed, and is simulated under every arm with the same draws. Replicates run in
//!   parallel and come back in index order, so results do not depend on the number of
//!   threads; [`run::shard`] splits them into contiguous blocks for many machines.
//! * [`stats`]: per arm, the probability of a settlement by each month (Wilson intervals),
//!   the distributions of its timing, terms, losses and territory, whether it holds; each
//!   lever's paired difference from the baseline.
//! * [`records`]: replicates as CSV rows and back, exactly (shortest round-trip numbers),
//!   so resumed and merged experiments give the same bytes as uninterrupted ones.
//! * [`sensitivity`]: Sobol indices (Saltelli sampling, Jansen's total-effect estimator)
//!   and one-at-a-time tornado bars; [`study`] applies both to a scenario's uncertain
//!   parameters and three outputs of its central path.
//!
//! The crate is pure: no files, no clock, no printing. Every random number comes from the
//! master seed.

#![deny(missing_docs)]

pub mod assimilate;
pub mod backtest;
pub mod records;
pub mod run;
pub mod sample;
pub mod score;
pub mod sensitivity;
pub mod smc;
pub mod stats;
pub mod study;

pub use run::{Arm, Design, Experiment, ExperimentError, Replicate};
pub use stats::{Monthly, Summarizer, Summary, summarize};

/// The built-in scenario, read from the repository, for tests.
#[cfg(test)]
pub(crate) fn built_in() -> parley_core::Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ukraine-2025.toml");
    parley_io::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).scenario
}
