//! Writing results: standard output with broken-pipe handling, files written atomically,
//! and shared formatting helpers.

use std::io::Write;
use std::path::Path;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use parley_core::{Package, Scenario};

use crate::Failure;

/// Prints `text` to standard output; a closed pipe is not an error.
pub(crate) fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::BrokenPipe),
        Err(e) => Err(miette::miette!("cannot write to standard output: {e}").into()),
    }
}

/// Prints a value as pretty JSON.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| miette::miette!("cannot serialise output: {e}"))?;
    text.push('\n');
    print(&text)
}

/// Writes `text` to `path` atomically ([`parley_app::files::write_atomically`]).
pub(crate) fn write_atomically(path: &Path, text: impl AsRef<[u8]>) -> Result<(), Failure> {
    Ok(parley_app::files::write_atomically(path, text)?)
}

/// Progress of a long job on standard error, only on a terminal: a line per stage and a
/// bar per stage that counts its units.
pub(crate) struct Progress {
    enabled: bool,
    bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
}

impl Progress {
    /// Progress shown if standard error is a terminal.
    pub(crate) fn new() -> Progress {
        use std::io::IsTerminal;
        Progress { enabled: std::io::stderr().is_terminal(), bar: std::sync::Mutex::new(None) }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

impl parley_app::Observer for Progress {
    fn stage(&self, stage: &parley_app::Stage) {
        if !self.enabled {
            return;
        }
        self.finish();
        eprintln!("parley: {}", stage.describe());
    }

    fn progress(&self, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        let Ok(mut slot) = self.bar.lock() else { return };
        let bar = slot.get_or_insert_with(|| {
            let bar = indicatif::ProgressBar::new(total);
            let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        bar.set_length(total);
        bar.set_position(done);
    }
}

/// A table in the house style.
pub(crate) fn table(header: Vec<String>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_header(header);
    t
}

/// A utility with three decimals.
pub(crate) fn utility(u: f64) -> String {
    format!("{u:.3}")
}

/// A package as `issue=option` pairs, compact.
pub(crate) fn package_ids(scenario: &Scenario, package: &Package) -> String {
    scenario
        .issues
        .iter()
        .zip(&package.options)
        .map(|(i, &o)| format!("{}={}", i.id, i.options[o as usize].id))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A package in words: one `issue: option label` line each.
pub(crate) fn package_words(scenario: &Scenario, package: &Package) -> Vec<String> {
    scenario
        .issues
        .iter()
        .zip(&package.options)
        .map(|(i, &o)| format!("{}: {}", i.name, i.options[o as usize].label))
        .collect()
}

/// Serialises pairs as a JSON object, keeping their order (for `#[serde(serialize_with)]`).
pub(crate) fn as_map<K: serde::Serialize, V: serde::Serialize, S: serde::Serializer>(
    pairs: &[(K, V)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// Like [`as_map`], for an optional list.
pub(crate) fn as_optional_map<K: serde::Serialize, V: serde::Serialize, S: serde::Serializer>(
    pairs: &Option<Vec<(K, V)>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match pairs {
        Some(p) => as_map(p, serializer),
        None => serializer.serialize_none(),
    }
}
