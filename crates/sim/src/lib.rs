//! The war beside the talks: attrition models and their calibration, for **parley**.
//!
//! # Brief overview
//!
//! * [`lanchester`]: the generalised Lanchester law `dX/dt = R − a·Y^p·X^q` (square, linear
//!   and mixed laws), integrated with fourth-order Runge–Kutta, and the square law's
//!   closed form.
//! * [`battle`]: a battle fought day by day with reinforcements, Engel's (1954)
//!   verification of the square law on Iwo Jima, his estimator and a least-squares fit.
//! * [`fit`]: Nelder–Mead minimisation and fit-quality measures.
//! * [`war`]: a scenario's `[conflict]` compiled and stepped month by month: materiel from
//!   production and donors, attrition with recruitment, economy and support, the front.
//! * [`batna`]: each belligerent's reservation value as the value of its projected no-deal
//!   path, seen through its own optimism.
//! * [`coupled`]: war and talks together ([`coupled::Simulation`]): ceasefires on agreed
//!   terms, breakdowns, capitulation; precomputed once per scenario and lever set.
//! * [`calibrate`]: least-squares fit of chosen parameters to observed monthly series.
//! * [`expect`]: the sources' claims about the dynamics, checked on the central path.
//! * [`audit`]: whether each claim could have failed, static and dynamic alike: evidence,
//!   by input or structural, with the number nearest to flipping it.
//!
//! The crate is pure: no files, no clock, no printing. Everything is deterministic.
//!
//! # Example
//!
//! ```
//! use parley_sim::lanchester::{square_law, Attrition, Engagement};
//!
//! // Aimed fire: 1,000 against 800, each side killing 0.01 of the other per unit of time.
//! let e = Engagement { x: Attrition::square(0.01), y: Attrition::square(0.01) };
//! let (x, y) = e.integrate(1000.0, 800.0, 50.0, 500);
//! let (xc, yc) = square_law(0.01, 0.01, 1000.0, 800.0, 50.0);
//! assert!((x - xc).abs() < 1e-6 && (y - yc).abs() < 1e-6);
//! ```

#![deny(missing_docs)]

pub mod audit;
pub mod batna;
pub mod battle;
pub mod calibrate;
pub mod coupled;
pub mod expect;
pub mod fit;
pub mod lanchester;
pub mod war;

#[cfg(test)]
mod tests;

/// The built-in scenario, read from the repository, for the tests of its own claims and of
/// calibration to its data.
#[cfg(test)]
pub(crate) fn built_in() -> parley_core::Scenario {
    load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ukraine-2025.toml"))
}

/// A small border war (`tests/data/border.toml`), for the tests of the simulation's
/// mechanics: they must not hang on the built-in scenario's numbers.
#[cfg(test)]
pub(crate) fn fixture() -> parley_core::Scenario {
    load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/border.toml"))
}

#[cfg(test)]
fn load(path: std::path::PathBuf) -> parley_core::Scenario {
    parley_io::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).scenario
}
