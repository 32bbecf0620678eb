//! Finding and loading the scenario a command works on.

use std::path::Path;

use parley_io::{Format, Loaded};

use crate::Failure;

/// The built-in scenario, embedded in the binary.
pub(crate) const BUILT_IN: &str = include_str!("../../../scenarios/coalition-2025.toml");
/// The name the built-in scenario goes by in messages.
pub(crate) const BUILT_IN_NAME: &str = "built-in:coalition-2025.toml";

/// Loads the scenario at `path`, or the built-in one; prints its warnings to stderr.
pub(crate) fn load(path: Option<&Path>) -> Result<Loaded, Failure> {
    let loaded = match path {
        Some(p) => parley_io::load(p),
        None => parley_io::parse(BUILT_IN, BUILT_IN_NAME, Format::Toml),
    }
    .map_err(miette::Report::new)?;
    for warning in &loaded.warnings {
        eprintln!("{:?}", miette::Report::new(warning.clone()));
    }
    Ok(loaded)
}
