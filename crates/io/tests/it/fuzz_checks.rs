//! What every input must satisfy, whatever its bytes: the oracles of the fuzz targets
//! (`fuzz/fuzz_targets/*.rs` include this file) and of the regression test that replays the
//! fuzzers' findings and corpus (`fuzz_regressions.rs`).
//!
//! * reading never panics;
//! * every error is a diagnostic whose span (if any) lies within the text, on character
//!   boundaries, with a line and column; syntax errors are located; under `cargo test` each
//!   is also rendered as a report (the fuzzers skip that: it would cost most of their time);
//! * a scenario that validates is written back (TOML) and reads back to the same scenario.

use std::fmt::Write as _;

use parley_io::{Diagnostic, Error, Format, GeniusOptions};

/// The Genius input's files are separated by this byte (which XML cannot hold).
pub const FILE_SEPARATOR: u8 = 0;

/// At most this many files are read from one Genius input.
pub const MAX_FILES: usize = 8;

/// A scenario file in `format`.
pub fn scenario(data: &[u8], format: Format) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let name = match format {
        Format::Toml => "fuzz.toml",
        Format::Json => "fuzz.json",
    };
    match parley_io::parse(text, name, format) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                span_within(w, text);
            }
            let written = parley_io::to_toml(&loaded.scenario).expect("a valid scenario is written");
            match parley_io::parse(&written, "again.toml", Format::Toml) {
                Ok(again) => assert_eq!(again.scenario, loaded.scenario, "the written scenario reads back the same"),
                Err(e) => panic!("the written scenario does not read back:\n{}\n{written}", render(&e)),
            }
        }
        Err(e) => error(&e, text),
    }
}

/// A Genius folder: files separated by [`FILE_SEPARATOR`], named `f0.xml`, `f1.xml`, ….
pub fn genius(data: &[u8]) {
    let files: Vec<(String, Vec<u8>)> = data
        .split(|&b| b == FILE_SEPARATOR)
        .take(MAX_FILES)
        .enumerate()
        .map(|(k, bytes)| (format!("f{k}.xml"), bytes.to_vec()))
        .collect();
    match parley_io::parse_genius("fuzz", files, &GeniusOptions::default()) {
        Ok(loaded) => {
            for id in ids(&loaded.scenario) {
                assert_eq!(parley_io::id::check(&id), Ok(()), "a Genius name becomes a valid id: {id:?}");
            }
            for w in &loaded.warnings {
                let _ = w.line_column();
            }
        }
        Err(e) => {
            if let Error::Invalid { diagnostics, .. } = &e {
                assert!(diagnostics.iter().any(Diagnostic::is_error), "an invalid folder has an error");
                for d in diagnostics {
                    let _ = d.line_column();
                }
            }
            render_in_tests(&e);
        }
    }
}

/// A forecast CSV (`Actor,Capability,Position,Salience`).
pub fn forecast_csv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parley_io::parse_forecast_csv(text, "fuzz.csv", "fuzz") {
        Ok(input) => assert!(input.data.actors().len() >= 2, "a forecast has at least two actors"),
        Err(e) => error(&e, text),
    }
}

/// Every id of a scenario that a file could declare.
fn ids(s: &parley_core::Scenario) -> Vec<String> {
    let mut ids = vec![s.metadata.id.clone()];
    ids.extend(s.sources.iter().map(|x| x.id.clone()));
    ids.extend(s.actors.iter().map(|x| x.id.clone()));
    for i in &s.issues {
        ids.push(i.id.clone());
        if matches!(i.kind, parley_core::IssueKind::Categorical { .. }) {
            ids.extend(i.options.iter().map(|o| o.id.clone()));
        }
    }
    ids
}

fn error(e: &Error, text: &str) {
    match e {
        Error::Invalid { diagnostics, count, .. } | Error::InvalidForecast { diagnostics, count, .. } => {
            assert!(*count >= 1, "an invalid input has an error");
            assert!(diagnostics.iter().any(Diagnostic::is_error), "an invalid input has an error");
            for d in diagnostics {
                span_within(d, text);
                if d.code == "parley::syntax" {
                    assert!(d.label.is_some(), "a syntax error is located: {}", d.message);
                }
                assert!(!d.message.is_empty());
            }
        }
        other => panic!("text input gives a diagnostic, not {other}"),
    }
    render_in_tests(e);
}

/// The span lies within the text, on character boundaries.
fn span_within(d: &Diagnostic, text: &str) {
    if let Some((span, _)) = &d.label {
        assert!(span.start <= span.end && span.end <= text.len(), "span {span:?} outside the text: {}", d.message);
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "span {span:?} splits a character"
        );
    }
    let _ = d.line_column();
}

/// Renders the report under `cargo test` (not in the fuzzers, where it would dominate the
/// time of an execution).
fn render_in_tests(diagnostic: &dyn miette::Diagnostic) {
    if cfg!(test) {
        let _ = render(diagnostic);
    }
}

/// A diagnostic as a user sees it (miette's graphical report, without colour).
pub fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, diagnostic)
        .expect("a diagnostic renders");
    let _ = writeln!(out);
    out
}
