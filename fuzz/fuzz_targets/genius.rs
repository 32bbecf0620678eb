//! A Genius folder (XML files separated by NUL bytes): read without a panic, every error a
//! diagnostic that renders, every id it yields valid.
#![no_main]

#[path = "../../crates/io/tests/it/fuzz_checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::genius(data);
});
