//! The workbench's API driven in process (tower's `oneshot`, no socket): every endpoint,
//! malformed and oversized requests, paths outside the allowed set, saving and conflicts,
//! runs with progress and cancel, and a property-based fuzz of the request types.

mod api;
mod fuzz;
mod util;
