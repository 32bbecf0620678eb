//! Bueno de Mesquita's expected-utility model of group decisions: a second, independent
//! lens on a negotiation, one issue at a time.
//!
//! # Brief overview
//!
//! Analysts who forecast negotiations use Bueno de Mesquita's expected-utility model (the
//! "predictioneer's game"). For one issue on a scale, each actor has a **position**, a
//! **capability** (clout) and a **salience** (how much it cares). In every round each actor
//! estimates, for every other actor, what it would gain by challenging it and what the
//! other would gain by challenging it; offers follow (confrontations, compromises,
//! capitulations), everyone accepts its best offer, and all move at once. The **median voter
//! position** after the last round is the forecast.
//!
//! This crate implements the model as Scholz, Calbert & Smith (2011) reconstructed it from
//! Bueno de Mesquita's papers, and reproduces their published results:
//!
//! * A [`Dataset`] holds the validated [`Actor`]s (input order breaks ties) and an optional
//!   [`Scale`] with labelled points.
//! * [`Options`] has one field per interpretation switch on which the sources disagree
//!   (the probability's denominator, the votes' exponents, whose exponent judges a threat,
//!   batch or sequential risk update, the capitulation octant, the compromise key, the
//!   range, `Q`) plus the number of rounds and an optional convergence rule; the default
//!   is the canonical reconstruction, and [`Variant`] names two others.
//! * [`forecast`] plays the rounds and returns a [`Forecast`]: the start and every
//!   [`Round`] with its risk exponents, its [`Move`]s and the resulting [`State`]
//!   (positions, median, mean). [`Forecast::medians`], [`Forecast::means`] and
//!   [`Forecast::trajectory`] give the series a chart needs; everything serialises.
//! * [`pairwise`] and [`risk`] expose the building blocks (votes, probabilities, basic and
//!   expected utilities, security levels, risk exponents) for checks by hand.
//! * [`montecarlo`] draws the inputs within stated [`Uncertainty`] ranges, one random stream
//!   per replicate from one master seed, in parallel, and summarises the forecast's
//!   distribution ([`Distribution`]); results do not depend on the number of threads.
//! * [`bridge`] derives a dataset from one issue of a parley scenario: positions from each
//!   actor's best option, saliences from its issue weights, capabilities from its `power`.
//!
//! The crate is pure: no printing, no files, no clock; randomness comes from an injected
//! generator or from a stated seed.
//!
//! # Example
//!
//! The emission-standards example of Bueno de Mesquita (1994): ten member states, positions
//! in years until a standard takes effect. Scholz et al. publish the median of rounds 1–8 as
//! 8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6 (their round-2 value of 9.9 is reproduced by no
//! replication, which all give about 9.6).
//!
//! ```
//! use parley_forecast::{Actor, Dataset, Options, forecast};
//!
//! let actors = vec![
//!     Actor::new("Netherlands", 0.08, 4.0, 0.8),
//!     Actor::new("Belgium", 0.08, 7.0, 0.4),
//!     Actor::new("Luxembourg", 0.03, 4.0, 0.2),
//!     Actor::new("Germany", 0.16, 4.0, 0.8),
//!     Actor::new("France", 0.16, 10.0, 0.6),
//!     Actor::new("Italy", 0.16, 10.0, 0.6),
//!     Actor::new("UK", 0.16, 10.0, 0.9),
//!     Actor::new("Ireland", 0.05, 7.0, 0.1),
//!     Actor::new("Denmark", 0.05, 4.0, 1.0),
//!     Actor::new("Greece", 0.08, 7.0, 0.7),
//! ];
//! let data = Dataset::new(actors)?;
//! let f = forecast(&data, &Options::default().with_rounds(8))?;
//! let medians: Vec<String> = f.medians().iter().map(|m| format!("{m:.1}")).collect();
//! assert_eq!(medians, ["7.0", "8.4", "9.6", "10.0", "10.0", "10.0", "7.5", "8.8", "9.7"]);
//! // Round 4: Belgium compromises with the Netherlands and drops from 9.96 to 4.80.
//! let jump = f.rounds[3].moves.iter().find(|m| f.actors[m.actor] == "Belgium").unwrap();
//! assert_eq!((f.actors[jump.counterpart].as_str(), format!("{:.2}", jump.to)), ("Netherlands", "4.80".into()));
//! # Ok::<(), parley_forecast::ForecastError>(())
//! ```
//!
//! # References
//!
//! * B. Bueno de Mesquita (1994), "Political forecasting: an expected utility method", in
//!   B. Bueno de Mesquita and F. N. Stokman (eds.), *European Community Decision Making:
//!   Models, Applications, and Comparisons*, Yale University Press, 71–104.
//! * J. B. Scholz, G. J. Calbert and G. A. Smith (2011), "Unravelling Bueno de Mesquita's
//!   group decision model", *Proceedings of ICAART 2011*, 18–30,
//!   doi:[10.5220/0003121500180030](https://doi.org/10.5220/0003121500180030). Equation
//!   numbers in these docs refer to this paper ("\[S\]").
//! * B. Bueno de Mesquita (1985), "The war trap revisited", *American Political Science
//!   Review* 79(1), 156–177 (the risk exponent).

#![deny(missing_docs)]

pub mod bridge;
mod error;
pub mod model;
pub mod montecarlo;
pub mod options;
pub mod pairwise;
pub mod reference;
pub mod risk;
mod rounds;

pub use error::ForecastError;
pub use model::{Actor, Dataset, Median, Scale, ScalePoint, median, weighted_mean};
pub use montecarlo::{Distribution, MonteCarlo, Uncertainty, monte_carlo};
pub use options::{
    CompromiseKey, Convergence, Denominator, Options, Perspective, RangeRule, RiskUpdate, Variant, VoteExponents,
};
pub use rounds::{Forecast, Move, MoveKind, Round, State, Stop, forecast};

#[cfg(test)]
mod tests;
