//! Where every number comes from: provenance counts, tuned numbers, and citations checked
//! against local copies of the sources (`parley sources`).
//!
//! The source texts are read from a folder the user names, one text file per source id
//! (`ID.txt`, or the file name the scenario's `[[sources]]` entry gives); they are never
//! copied into anything parley writes but the terminal.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use parley_core::{Citation, Provenance, Scenario};
use parley_io::citations::{self, Verification};
use serde::Serialize;

use crate::AppError;
use crate::scenario::{BUILT_IN, BUILT_IN_NAME};

/// Numbers by provenance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Citing a source passage.
    pub cited: usize,
    /// The modeller's assumptions (with or without a cited direction).
    pub assumed: usize,
    /// Of the assumptions, those whose direction cites a passage.
    pub directed: usize,
    /// Chosen so that a claim or a target holds.
    pub tuned: usize,
    /// Neither cited, assumed nor declared tuned.
    pub unstated: usize,
}

impl Counts {
    /// Counts every number of `s` (as [`Scenario::numbers`] lists them).
    pub fn of(s: &Scenario) -> Counts {
        let mut c = Counts::default();
        for n in s.numbers() {
            match &*n.quantity.provenance {
                Provenance::Cited { .. } => c.cited += 1,
                Provenance::Assumption { direction, .. } => {
                    c.assumed += 1;
                    c.directed += usize::from(direction.is_some());
                }
                Provenance::Tuned { .. } => c.tuned += 1,
                Provenance::Unstated => c.unstated += 1,
            }
        }
        c
    }

    /// `N numbers: a cited, b assumptions (c with a cited direction), d tuned, e unstated`.
    pub fn text(&self) -> String {
        let total = self.cited + self.assumed + self.tuned + self.unstated;
        format!(
            "{total} numbers: {} cited, {} assumptions ({} with a cited direction), {} tuned, {} unstated",
            self.cited, self.assumed, self.directed, self.tuned, self.unstated
        )
    }
}

/// The text a scenario was read from, and its name in messages: the file, or the built-in
/// scenario.
pub fn scenario_text(path: Option<&Path>) -> Result<(String, String), AppError> {
    match path {
        None => Ok((BUILT_IN_NAME.to_string(), BUILT_IN.to_string())),
        Some(p) if p.is_dir() => Err(AppError::input(
            format!("{} is a Genius folder, which cites no source passages", p.display()),
            "give a scenario file (.toml or .json) to check its citations",
        )),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| AppError::io("read", p, e))?;
            Ok((p.display().to_string(), text))
        }
    }
}

/// The local text of each source of `s` found in `dir`: `ID.txt`, `ID`, or the file name of
/// the source's `file`. Sources without one are left out.
pub fn read_texts(s: &Scenario, dir: &Path) -> Result<HashMap<String, String>, AppError> {
    if !dir.is_dir() {
        return Err(AppError::input(
            format!("{} is not a folder", dir.display()),
            "give the folder holding one text file per source id (ID.txt)",
        ));
    }
    let mut texts = HashMap::new();
    for source in &s.sources {
        let mut candidates: Vec<PathBuf> = vec![dir.join(format!("{}.txt", source.id)), dir.join(&source.id)];
        if let Some(name) = source.file.as_deref().and_then(|f| Path::new(f).file_name()) {
            candidates.push(dir.join(name));
        }
        if let Some(path) = candidates.into_iter().find(|p| p.is_file()) {
            let text = std::fs::read_to_string(&path).map_err(|e| AppError::io("read", &path, e))?;
            texts.insert(source.id.clone(), text);
        }
    }
    Ok(texts)
}

/// Checks every `id#N` in the scenario's text against the texts in `dir`.
pub fn verify(
    s: &Scenario,
    path: Option<&Path>,
    dir: &Path,
) -> Result<(Verification, HashMap<String, String>), AppError> {
    let (name, text) = scenario_text(path)?;
    let texts = read_texts(s, dir)?;
    Ok((citations::verify(s, &text, &name, &texts), texts))
}

/// A number beside the passage it cites.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quote {
    /// The number's path.
    pub path: String,
    /// Its value.
    pub value: f64,
    /// The passage (for an assumption: the one its direction comes from).
    pub citation: Citation,
    /// Whether the passage gives the direction only.
    pub direction_only: bool,
    /// The paragraph's text, if the source's text has it.
    pub paragraph: Option<String>,
}

/// Every number of `s` that cites a paragraph, beside that paragraph of `texts`.
pub fn quotes(s: &Scenario, texts: &HashMap<String, String>) -> Vec<Quote> {
    let paragraphs: HashMap<&str, Vec<&str>> =
        texts.iter().map(|(id, t)| (id.as_str(), citations::paragraphs(t))).collect();
    let mut out = Vec::new();
    for n in s.numbers() {
        let direction_only = matches!(*n.quantity.provenance, Provenance::Assumption { .. });
        for c in n.quantity.provenance.citations() {
            let Some(p) = c.paragraph else { continue };
            let paragraph =
                paragraphs.get(c.source.as_str()).and_then(|ps| ps.get(p as usize - 1)).map(|t| (*t).to_string());
            out.push(Quote {
                path: n.path.clone(),
                value: n.quantity.value,
                citation: c.clone(),
                direction_only,
                paragraph,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
[scenario]
id = "t"
title = "t"

[[sources]]
id = "paper"
title = "A paper"
outlet = "x"
date = "2025"

[[actors]]
id = "a"
name = "A"
role = "other"
veto = true

[[issues]]
id = "i"
name = "I"
kind = "categorical"
options = [{ id = "x", label = "x" }, { id = "y", label = "y" }]

[[preferences]]
actor = "a"
reservation = { value = 0.2, assumption = "low", direction = "paper#2" }
weights = { i = { value = 1.0, source = "paper#1" } }
values.i = { options = { x = { value = 0.0, assumption = "worst" }, y = { value = 1.0, source = "paper#9", note = "see paper#1" } } }
"#;

    #[test]
    fn test_verify_locates_a_missing_paragraph_and_quotes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.toml");
        std::fs::write(&file, SCENARIO).unwrap();
        std::fs::write(dir.path().join("paper.txt"), "First paragraph.\n\nSecond one.\n").unwrap();
        let s = parley_io::load(&file).unwrap().scenario;
        let (v, texts) = verify(&s, Some(&file), dir.path()).unwrap();
        assert_eq!(v.checked, 4);
        assert_eq!(v.errors.len(), 1);
        assert_eq!(v.errors[0].line_column(), Some((28, 98)));
        assert!(v.errors[0].message.contains("no paragraph 9"), "{}", v.errors[0].message);
        let q = quotes(&s, &texts);
        assert_eq!(q.len(), 3);
        assert_eq!(q[0].paragraph.as_deref(), Some("Second one."));
        assert!(q[0].direction_only);
        assert_eq!(q[2].paragraph, None);
        assert_eq!(Counts::of(&s), Counts { cited: 2, assumed: 2, directed: 1, tuned: 0, unstated: 0 });
    }

    #[test]
    fn test_verify_needs_a_folder() {
        let s = crate::scenario::load(None, None).unwrap().scenario;
        let e = verify(&s, None, Path::new("/no/such/folder")).unwrap_err();
        assert_eq!(e.fault(), crate::Fault::Input);
    }
}
