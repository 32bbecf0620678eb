//! parley-io's integration tests: one binary, themed modules.

mod fuzz_checks;
mod fuzz_regressions;
