//! A scenario file in JSON: read without a panic, errors located, a valid scenario written and read back.
#![no_main]

#[path = "../../crates/io/tests/it/fuzz_checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::scenario(data, parley_io::Format::Json);
});
