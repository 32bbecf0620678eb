//! Finding and loading the scenario a job works on: a file, a Genius folder, or the
//! built-in scenario embedded in every front end.

use std::path::Path;

use parley_core::{Lever, Scenario};
use parley_io::{Format, GeniusOptions, Loaded, Semantics};

use crate::AppError;

/// The built-in scenario: the 2024–25 Russia–Ukraine talks as five articles describe them.
pub const BUILT_IN: &str = include_str!("../../../scenarios/ukraine-2025.toml");
/// The name the built-in scenario goes by in messages and reports.
pub const BUILT_IN_NAME: &str = "built-in:ukraine-2025.toml";

/// Loads the scenario at `path` (a scenario file, or a directory: a Genius folder read with
/// `semantics`, Genius's by default), or the built-in one if `path` is `None`. Warnings
/// come back with the scenario; the caller shows them.
pub fn load(path: Option<&Path>, semantics: Option<Semantics>) -> Result<Loaded, AppError> {
    Ok(match path {
        Some(p) if p.is_dir() => {
            let options = GeniusOptions { semantics: semantics.unwrap_or_default(), ..GeniusOptions::default() };
            parley_io::load_genius(p, &options)?
        }
        _ if semantics.is_some() => {
            let what = path.map_or_else(|| "the built-in scenario".to_string(), |p| p.display().to_string());
            return Err(AppError::input(
                format!("--semantics applies to Genius folders only, and {what} is a scenario file"),
                "give a Genius folder (a directory holding a domain file and profiles), or drop --semantics",
            ));
        }
        Some(p) if !p.exists() && Format::from_path(p).is_none() => {
            return Err(AppError::input(
                format!("cannot read {}: no such file or folder", p.display()),
                "give a scenario file (.toml or .json) or a Genius folder",
            ));
        }
        Some(p) => parley_io::load(p)?,
        None => parley_io::parse(BUILT_IN, BUILT_IN_NAME, Format::Toml)?,
    })
}

/// The name a scenario goes by in reports: its file, or the built-in scenario's name.
pub fn name(path: Option<&Path>) -> String {
    path.map_or_else(|| BUILT_IN_NAME.to_string(), |p| p.display().to_string())
}

/// The scenario's levers with these ids, in order; an unknown lever is bad input.
pub fn levers<'a>(scenario: &'a Scenario, ids: &[String]) -> Result<Vec<&'a Lever>, AppError> {
    ids.iter()
        .map(|id| {
            scenario.lever(id).ok_or_else(|| {
                let known: Vec<&str> = scenario.levers.iter().map(|l| l.id.as_str()).collect();
                let help = if known.is_empty() {
                    "this scenario defines no [[lever]]".to_string()
                } else {
                    format!("the levers are: {}", known.join(", "))
                };
                AppError::input(format!("unknown lever \"{id}\""), help)
            })
        })
        .collect()
}

/// The scenario with these levers applied, in order.
pub fn with_levers(scenario: &Scenario, ids: &[String]) -> Result<Scenario, AppError> {
    let mut s = scenario.clone();
    for lever in levers(scenario, ids)? {
        s = s.with_lever(lever).map_err(|e| AppError::bare(format!("lever \"{}\": {e}", lever.id)))?;
    }
    Ok(s)
}

/// FNV-1a (64 bits) of the scenario's canonical JSON: which scenario produced a file.
pub fn hash(s: &Scenario) -> Result<String, AppError> {
    let json = parley_io::to_json(s).map_err(|e| AppError::Internal(format!("cannot serialise the scenario: {e}")))?;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Ok(format!("fnv1a64:{h:016x}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_the_built_in_scenario_loads_and_hashes_stably() {
        let loaded = load(None, None).unwrap();
        assert_eq!(hash(&loaded.scenario).unwrap(), hash(&load(None, None).unwrap().scenario).unwrap());
        assert!(levers(&loaded.scenario, &["us_aid_cut".into()]).is_ok());
        let e = levers(&loaded.scenario, &["no_such_lever".into()]).unwrap_err();
        assert_eq!(e.fault(), crate::Fault::Input);
    }
}
