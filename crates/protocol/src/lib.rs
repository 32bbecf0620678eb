//! The negotiation engine of **parley**: protocols, strategies and the runner.
//!
//! # Brief overview
//!
//! * A [`Domain`] ranks the outcome space for every actor once (from a
//!   [`parley_core::UtilityModel`]); negotiations share it, so a tournament never
//!   re-evaluates the space.
//! * A [`Strategy`] (negotiator) proposes and responds, seeing only a [`View`]: its own
//!   utilities, its reservation value, the time and the offers made. Built-in strategies
//!   are named by [`StrategyKind`]: time-dependent concession (Boulware, linear, conceder,
//!   in NegMAS's parametrisation), hardliner, tit-for-tat, BATNA-aware, random.
//! * A [`Protocol`] plays one round at a time over a [`Session`];
//!   [`StackedAlternatingOffers`] is the SAOP of ANAC and NegMAS (bilateral alternating
//!   offers with two parties); [`MediatedText`] is a mediator's single negotiating text
//!   (the mediator may have interests of its own); [`Sequenced`] runs working-level stages
//!   on some issues before a summit on the rest. [`run`] drives any protocol to a
//!   [`Termination`].
//! * [`tournament::play`] runs every assignment of strategies to parties over several
//!   domains in parallel and summarises each strategy (agreement rate, utility, welfare,
//!   distance to the Pareto frontier and the Nash point, rounds).
//! * [`rubinstein::solve`] gives the subgame-perfect equilibrium of finite-horizon
//!   alternating offers by backward induction.
//!
//! Everything random comes from one seeded ChaCha stream per negotiation, so the same
//! seed gives the same trace, byte for byte, on any machine and thread count.
//!
//! # Example
//!
//! ```
//! use parley_core::{synthetic::synthetic, UtilityModel};
//! use parley_protocol::{run, Domain, NoObserver, RunConfig, StackedAlternatingOffers, StrategyKind, Termination};
//!
//! let model = UtilityModel::new(&synthetic(3, 2))?;
//! let domain = Domain::new(&model)?;
//! let mut parties = vec![StrategyKind::BOULWARE.build(), StrategyKind::BOULWARE.build()];
//! let result = run(&mut StackedAlternatingOffers::default(), &domain, &mut parties, RunConfig::default(), &mut NoObserver);
//! assert!(matches!(result.termination, Termination::Agreement { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod domain;
mod error;
mod protocol;
pub mod rubinstein;
mod strategy;
pub mod tournament;

pub use domain::{Domain, MAX_NEGOTIATION_OUTCOMES, Ranking};
pub use error::Error;
pub use protocol::{
    Action, Event, MediatedText, NoObserver, Observe, Protocol, Run, RunConfig, Sequenced, SequencedRun, Session,
    StackedAlternatingOffers, Termination, run,
};
pub use strategy::{
    ASPIRATION_TOLERANCE, BatnaAware, Hardliner, Offer, RandomStrategy, Response, Strategy, StrategyKind,
    TimeDependent, TitForTat, View,
};

#[cfg(test)]
mod tests;
