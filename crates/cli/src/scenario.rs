//! Finding and loading the scenario a command works on.

use std::path::Path;

use parley_io::Loaded;

use crate::Failure;
use crate::args::SemanticsArg;

/// Loads the scenario at `path` (a scenario file, or a directory: a Genius folder read with
/// the default semantics), or the built-in one; prints its warnings to stderr.
pub(crate) fn load(path: Option<&Path>) -> Result<Loaded, Failure> {
    load_with(path, None)
}

/// As [`load`], reading a Genius folder with `semantics` (default: Genius's). Semantics
/// given for a scenario file are a usage error: they would change nothing.
pub(crate) fn load_with(path: Option<&Path>, semantics: Option<SemanticsArg>) -> Result<Loaded, Failure> {
    let loaded = parley_app::scenario::load(path, semantics.map(Into::into))?;
    for warning in &loaded.warnings {
        eprintln!("{:?}", miette::Report::new(warning.clone()));
    }
    Ok(loaded)
}

/// The scenario's levers with these ids, in order; an unknown lever is a usage error.
pub(crate) fn levers<'a>(
    scenario: &'a parley_core::Scenario,
    ids: &[String],
) -> Result<Vec<&'a parley_core::Lever>, Failure> {
    Ok(parley_app::scenario::levers(scenario, ids)?)
}

/// The scenario with these levers applied, in order; an unknown lever is a usage error.
pub(crate) fn with_levers(scenario: &parley_core::Scenario, ids: &[String]) -> Result<parley_core::Scenario, Failure> {
    Ok(parley_app::scenario::with_levers(scenario, ids)?)
}
