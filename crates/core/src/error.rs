//! Errors of the engine.

/// What can go wrong in the engine. Input errors are caught earlier, by `parley-io`'s
/// validation; the variants here concern sizes and limits.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The scenario has no actor.
    #[error("the scenario has no actors; add at least one [[actors]] entry")]
    NoActors,
    /// More actors than an actor set can hold.
    #[error("the scenario has {actors} actors; at most {max} are supported")]
    TooManyActors {
        /// Actors in the scenario.
        actors: usize,
        /// The limit.
        max: usize,
    },
    /// No issue, or an issue without options.
    #[error("the outcome space is empty: the scenario needs at least one issue and every issue at least one option")]
    EmptyOutcomeSpace,
    /// An actor's utility could reach a magnitude beyond what parley computes exactly.
    #[error(
        "actor \"{actor}\": utilities could reach {reach}, beyond the {limit} up to which parley computes them exactly; scale its weights or values down"
    )]
    UtilityOutOfRange {
        /// The actor's id.
        actor: String,
        /// Sum of the largest weighted value of every issue and of every linkage's size
        /// (not a number if a value is not).
        reach: f64,
        /// The limit, [`crate::utility::MAX_UTILITY`].
        limit: f64,
    },
    /// The outcome space is larger than the analysis is allowed to enumerate.
    #[error(
        "the outcome space has {outcomes:.3e} outcomes, more than the limit of {limit:.3e}; reduce the issues or options, or raise the limit"
    )]
    OutcomeSpaceTooLarge {
        /// Outcomes in the space.
        outcomes: f64,
        /// The configured limit.
        limit: f64,
    },
    /// The Pareto frontier outgrew its memory budget.
    #[error(
        "the Pareto frontier grew past {points} points ({bytes} bytes), over the memory budget of {budget} bytes; analyse fewer actors or issues, or raise the budget"
    )]
    FrontierTooLarge {
        /// Points held when the budget was exceeded.
        points: usize,
        /// Bytes those points need.
        bytes: usize,
        /// The configured budget in bytes.
        budget: usize,
    },
    /// A check about the war's dynamics was given to the static evaluator.
    #[error("the \"{check}\" check is about the war's dynamics and needs the coupled simulation (parley-sim)")]
    NeedsSimulation {
        /// The check's kind.
        check: &'static str,
    },
    /// A bug in parley.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}
