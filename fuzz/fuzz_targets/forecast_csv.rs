//! A forecast CSV (`Actor,Capability,Position,Salience`): read without a panic, errors located.
#![no_main]

#[path = "../../crates/io/tests/it/fuzz_checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::forecast_csv(data);
});
