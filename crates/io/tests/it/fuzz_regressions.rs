//! Replays the fuzzers' findings and a minimised subset of their corpus (`tests/fuzz-regressions/TARGET/`)
//! through the same checks the fuzz targets make ([`crate::fuzz_checks`]), so a crash found
//! once stays fixed under the plain `cargo test`. `RELIABILITY.md` says how the fuzzers were run.

use std::path::{Path, PathBuf};

use parley_io::Format;

use crate::fuzz_checks;

/// The files of `tests/fuzz-regressions/TARGET`, sorted; at least one.
fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no input", dir.display());
    files
}

/// Runs `check` on every input of `target`, naming the input that fails.
fn replay(target: &str, check: impl Fn(&[u8])) {
    for path in inputs(target) {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&data)));
        assert!(outcome.is_ok(), "{} fails its check (see the panic above)", path.display());
    }
}

#[test]
fn test_scenario_toml_inputs_give_a_scenario_or_a_located_error() {
    replay("scenario_toml", |d| fuzz_checks::scenario(d, Format::Toml));
}

#[test]
fn test_scenario_json_inputs_give_a_scenario_or_a_located_error() {
    replay("scenario_json", |d| fuzz_checks::scenario(d, Format::Json));
}

#[test]
fn test_genius_inputs_give_a_scenario_or_a_located_error() {
    replay("genius", fuzz_checks::genius);
}

#[test]
fn test_forecast_csv_inputs_give_a_forecast_or_a_located_error() {
    replay("forecast_csv", fuzz_checks::forecast_csv);
}
