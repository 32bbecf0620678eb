//! The pure engine of **parley**: the scenario model, utilities, and outcome-space analysis.
//!
//! # Brief overview
//!
//! * A [`Scenario`] holds the [`Actor`]s, the [`Issue`]s with their options, and each actor's
//!   [`Preferences`] (weights, value functions, linkages, red lines, reservation value,
//!   discount factor), with the provenance of every number ([`Quantity`], [`Provenance`]).
//!   Scenarios are read and validated by the `parley-io` crate; this crate never touches
//!   files, the clock, or the terminal.
//! * A [`UtilityModel`] compiles the preferences into flat tables for fast evaluation.
//! * [`analyze`] walks the [`OutcomeSpace`] in parallel and returns an [`Analysis`]: the
//!   Pareto frontier, the zone of possible agreement, the Nash, Kalai–Smorodinsky,
//!   egalitarian and utilitarian packages, the best deals, near misses and who blocks what.
//! * A [`Lever`] is a named what-if applied to a copy of a scenario
//!   ([`Scenario::with_lever`]); an [`Expectation`] is a claim from a source written as a
//!   [`Check`] on the model, evaluated by [`evaluate`] into a [`Verdict`] with the numbers
//!   behind it; [`audit`] says whether a claim could have failed, varying the numbers it
//!   depends on within their admissible ranges ([`bounds`]).
//!
//! # Example
//!
//! ```
//! use parley_core::{analyze, synthetic::synthetic, AnalysisOptions, SolutionConcept, UtilityModel};
//!
//! // The 2-party synthetic benchmark domain with 10^3 outcomes.
//! let scenario = synthetic(3, 2);
//! let model = UtilityModel::new(&scenario)?;
//! let analysis = analyze(&model, &AnalysisOptions::default())?;
//! assert_eq!(analysis.outcomes, 1000);
//! assert_eq!(analysis.frontier.len(), 19);
//! let nash = analysis.solution(SolutionConcept::Nash).expect("the zone is not empty");
//! assert!(analysis.frontier.contains(&nash.package));
//! # Ok::<(), parley_core::Error>(())
//! ```

#![deny(missing_docs)]

pub mod analysis;
pub mod audit;
pub mod bounds;
pub mod conflict;
mod error;
pub mod expect;
pub mod lever;
pub mod outcome;
pub mod parameters;
pub mod preferences;
pub mod scenario;
pub mod stats;
pub mod synthetic;
pub mod uncertain;
pub mod utility;

#[cfg(test)]
pub(crate) mod test_utils;

pub use analysis::{
    Analysis, AnalysisOptions, Disagreement, Package, Solution, SolutionConcept, analyze, bargaining_set,
};
pub use conflict::{Conflict, Month};
pub use error::Error;
pub use expect::{Check, Dispute, Expectation, Measure, Threshold, Verdict, evaluate, evaluate_all};
pub use lever::{Change, Lever, LeverError};
pub use outcome::{Issue, IssueKind, IssueOption, Outcome, OutcomeSpace};
pub use preferences::{Condition, Linkage, Preferences, RedLine, ValueFunction};
pub use scenario::{Actor, Citation, Metadata, Provenance, Quantity, Role, Scenario, ScopedVeto, Source, Veto};
pub use uncertain::{Distribution, Uncertain};
pub use utility::UtilityModel;
