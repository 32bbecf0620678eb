//! Finding and loading the scenario a command works on.

use std::path::Path;

use parley_io::{Format, GeniusOptions, Loaded};

use crate::Failure;
use crate::args::SemanticsArg;

/// The built-in scenario, embedded in the binary.
pub(crate) const BUILT_IN: &str = include_str!("../../../scenarios/ukraine-2025.toml");
/// The name the built-in scenario goes by in messages.
pub(crate) const BUILT_IN_NAME: &str = "built-in:ukraine-2025.toml";

/// Loads the scenario at `path` (a scenario file, or a directory: a Genius folder read with
/// the default semantics), or the built-in one; prints its warnings to stderr.
pub(crate) fn load(path: Option<&Path>) -> Result<Loaded, Failure> {
    load_with(path, None)
}

/// As [`load`], reading a Genius folder with `semantics` (default: Genius's). Semantics
/// given for a scenario file are a usage error: they would change nothing.
pub(crate) fn load_with(path: Option<&Path>, semantics: Option<SemanticsArg>) -> Result<Loaded, Failure> {
    let loaded = match path {
        Some(p) if p.is_dir() => {
            let options =
                GeniusOptions { semantics: semantics.map(Into::into).unwrap_or_default(), ..GeniusOptions::default() };
            parley_io::load_genius(p, &options)
        }
        _ if semantics.is_some() => {
            let what = path.map_or_else(|| "the built-in scenario".to_string(), |p| p.display().to_string());
            return Err(miette::miette!(
                help = "give a Genius folder (a directory holding a domain file and profiles), or drop --semantics",
                "--semantics applies to Genius folders only, and {what} is a scenario file"
            )
            .into());
        }
        Some(p) if !p.exists() && Format::from_path(p).is_none() => {
            return Err(miette::miette!(
                help = "give a scenario file (.toml or .json) or a Genius folder",
                "cannot read {}: no such file or folder",
                p.display()
            )
            .into());
        }
        Some(p) => parley_io::load(p),
        None => parley_io::parse(BUILT_IN, BUILT_IN_NAME, Format::Toml),
    }
    .map_err(miette::Report::new)?;
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
    ids.iter()
        .map(|id| {
            scenario.lever(id).ok_or_else(|| {
                let known: Vec<&str> = scenario.levers.iter().map(|l| l.id.as_str()).collect();
                let help = if known.is_empty() {
                    "this scenario defines no [[lever]]".to_string()
                } else {
                    format!("the levers are: {}", known.join(", "))
                };
                miette::miette!(help = help, "unknown lever \"{id}\"").into()
            })
        })
        .collect()
}

/// The scenario with these levers applied, in order; an unknown lever is a usage error.
pub(crate) fn with_levers(scenario: &parley_core::Scenario, ids: &[String]) -> Result<parley_core::Scenario, Failure> {
    let mut s = scenario.clone();
    for lever in levers(scenario, ids)? {
        s = s.with_lever(lever).map_err(|e| miette::miette!("lever \"{}\": {e}", lever.id))?;
    }
    Ok(s)
}
