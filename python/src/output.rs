//! The command line's `output` module as the command modules see it when they run inside
//! Python: the same helpers, but what a command prints is captured for the caller instead
//! of written to standard output, and the observer checks for Ctrl-C instead of drawing
//! progress bars.

use std::cell::RefCell;
use std::sync::Mutex;

use pyo3::prelude::*;

use crate::Failure;

// Every helper of the command line's `output` module (tables, packages in words, maps);
// the items defined below take precedence over the glob.
#[allow(unused_imports)]
pub(crate) use crate::cli_output::*;

thread_local! {
    /// What the command running on this thread printed: JSON (`--format json`) or text.
    static PRINTED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// A Ctrl-C seen while a command ran: the error Python raised for it.
static INTERRUPT: Mutex<Option<PyErr>> = Mutex::new(None);

/// Captures `text` for the caller.
pub(crate) fn print(text: &str) -> Result<(), Failure> {
    PRINTED.with(|p| p.borrow_mut().push(text.to_string()));
    Ok(())
}

/// Captures a value as JSON for the caller (as the command line prints it, compact).
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string(value).map_err(|e| miette::miette!("cannot serialise output: {e}"))?;
    print(&text)
}

/// Empties what this thread's commands printed, and returns it.
pub(crate) fn take_printed() -> Vec<String> {
    PRINTED.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

/// The error Python raised for a Ctrl-C during the last command, if any.
pub(crate) fn take_interrupt() -> Option<PyErr> {
    INTERRUPT.lock().ok().and_then(|mut i| i.take())
}

/// The observer every command passes to the library: it draws nothing, and cancels the job
/// at the next block boundary once Python has a pending signal (Ctrl-C).
pub(crate) struct Progress;

impl Progress {
    /// The observer.
    pub(crate) fn new() -> Progress {
        Progress
    }
}

impl parley_app::Observer for Progress {
    fn cancelled(&self) -> bool {
        // The call runs with the GIL released; take it back for a moment to run Python's
        // signal handlers (only the main thread sees them).
        let pending = Python::attach(|py| py.check_signals().err());
        match pending {
            Some(err) => {
                if let Ok(mut slot) = INTERRUPT.lock() {
                    *slot = Some(err);
                }
                true
            }
            None => false,
        }
    }
}
