//! The command line's `scenario` module as the command modules see it when they run inside
//! Python: the scenario is the one the Python caller holds, not read again from disk.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use parley_io::Loaded;

use crate::Failure;
use crate::args::SemanticsArg;

thread_local! {
    /// The scenario of the command running on this thread.
    static CURRENT: RefCell<Option<Arc<parley_core::Scenario>>> = const { RefCell::new(None) };
}

/// Runs `f` with `scenario` as the one the commands load.
pub(crate) fn with_current<T>(scenario: Arc<parley_core::Scenario>, f: impl FnOnce() -> T) -> T {
    CURRENT.with(|c| *c.borrow_mut() = Some(scenario));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = None);
    out
}

/// The caller's scenario (its warnings were shown when it was loaded). `path` only names it.
pub(crate) fn load(_path: Option<&Path>) -> Result<Loaded, Failure> {
    let scenario = CURRENT
        .with(|c| c.borrow().clone())
        .ok_or_else(|| Failure::Internal(miette::miette!("internal error: a command ran without its scenario")))?;
    Ok(Loaded { scenario: (*scenario).clone(), warnings: Vec::new() })
}

/// As [`load`]; the semantics were applied when a Genius folder was loaded.
pub(crate) fn load_with(path: Option<&Path>, _semantics: Option<SemanticsArg>) -> Result<Loaded, Failure> {
    load(path)
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
