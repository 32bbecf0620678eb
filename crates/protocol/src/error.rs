//! Errors of the negotiation engine.

/// What can go wrong setting up a negotiation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The outcome space is too large to rank for negotiation.
    #[error(
        "the outcome space has {outcomes:.3e} outcomes; negotiation ranks every outcome and supports at most {limit}"
    )]
    TooManyOutcomes {
        /// Outcomes in the space.
        outcomes: f64,
        /// The limit.
        limit: u64,
    },
    /// An actor's red lines (with the scoped vetoes of others) exclude every outcome, so it
    /// cannot negotiate.
    #[error(
        "the red lines of actor {actor}, with any scoped vetoes, exclude every outcome; it has nothing to offer or accept"
    )]
    NothingAcceptable {
        /// The actor's index.
        actor: usize,
    },
}
