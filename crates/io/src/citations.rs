//! Citations that resolve: every `id#N` of a scenario file against local copies of its
//! sources.
//!
//! A source's paragraphs are the non-empty lines of its text (a line of blanks only is
//! empty): `cnn-2024-10#12` is the twelfth. [`scan`] finds every citation in a scenario's
//! text — in `source` and `direction` fields, in notes, reasons and comments alike — as an
//! id of a declared source followed by `#` and a paragraph number; a run `id#3, #5` cites
//! paragraphs 3 and 5, a range `id#3-5` paragraphs 3 to 5. [`verify`] checks each against
//! the paragraphs of the source's text and returns a located error for every citation of a
//! paragraph that does not exist, or of a source with no local copy.
//!
//! The scenario file stays the reference: the texts are read, never copied into it.

use std::collections::HashMap;
use std::ops::Range;

use miette::NamedSource;
use parley_core::{Citation, Scenario};

use crate::diagnostic::Diagnostic;

/// The most paragraphs one range may span (`id#3-5`), so a typo cannot cite thousands.
pub const MAX_RANGE: u32 = 50;

/// A citation found in a scenario's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The source and paragraph cited.
    pub citation: Citation,
    /// Where in the text: the `id#N` (or the `#N` of a run).
    pub span: Range<usize>,
}

/// The paragraphs of a source's text: its non-empty lines, trimmed, in order.
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Every citation of a paragraph of one of `sources` in `text`, in order. Citations without
/// a paragraph (a data source cited as a whole) are not listed.
pub fn scan(text: &str, sources: &[&str]) -> Vec<Found> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let digits_from = |mut i: usize| {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        (start, i)
    };
    for (hash, _) in text.match_indices('#') {
        // The id before the '#': the longest run of id characters, which must be a source.
        let before = &text[..hash];
        let start = before.char_indices().rev().take_while(|(_, c)| is_id_char(*c)).last().map_or(hash, |(i, _)| i);
        let id = &text[start..hash];
        if id.is_empty() || !sources.contains(&id) {
            continue;
        }
        let (d0, d1) = digits_from(hash + 1);
        if d0 == d1 {
            continue;
        }
        let mut push = |from: usize, to: usize, first: u32, last: u32| {
            for p in first..=last.min(first.saturating_add(MAX_RANGE)) {
                out.push(Found { citation: Citation { source: id.to_string(), paragraph: Some(p) }, span: from..to });
            }
        };
        let number = |r: Range<usize>| text[r].parse::<u32>().unwrap_or(u32::MAX);
        let emit = |from: usize, d0: usize, d1: usize, push: &mut dyn FnMut(usize, usize, u32, u32)| -> usize {
            let first = number(d0..d1);
            // A range `#3-5`.
            if bytes.get(d1) == Some(&b'-') {
                let (e0, e1) = digits_from(d1 + 1);
                if e1 > e0 {
                    let last = number(e0..e1);
                    push(from, e1, first, last.max(first));
                    return e1;
                }
            }
            push(from, d1, first, first);
            d1
        };
        let mut end = emit(start, d0, d1, &mut push);
        // A run `, #5` or `, #5-6` continues the same source.
        loop {
            let rest = &text[end..];
            let skip = rest.len() - rest.trim_start_matches([',', ' ']).len();
            if skip == 0 || !rest[skip..].starts_with('#') || !rest[..skip].contains(',') {
                break;
            }
            let at = end + skip;
            let (d0, d1) = digits_from(at + 1);
            if d0 == d1 {
                break;
            }
            end = emit(at, d0, d1, &mut push);
        }
    }
    out.sort_by_key(|f| (f.span.start, f.citation.paragraph));
    out
}

/// The outcome of checking a scenario's citations against local texts.
#[derive(Debug)]
pub struct Verification {
    /// Citations found and checked.
    pub checked: usize,
    /// By source id: paragraphs in its local text, and distinct paragraphs cited.
    pub sources: Vec<(String, usize, usize)>,
    /// One error per citation that does not resolve, located in the scenario's text.
    pub errors: Vec<Diagnostic>,
}

/// Checks every citation of a paragraph in `text` (the file `name` that `scenario` was read
/// from) against `texts`, the local text of each source by id. A source cited by paragraph
/// without a local text is an error at each such citation.
pub fn verify(scenario: &Scenario, text: &str, name: &str, texts: &HashMap<String, String>) -> Verification {
    let ids: Vec<&str> = scenario.sources.iter().map(|s| s.id.as_str()).collect();
    let found = scan(text, &ids);
    let paragraphs: HashMap<&str, Vec<&str>> = texts.iter().map(|(id, t)| (id.as_str(), paragraphs(t))).collect();
    let mut errors = Vec::new();
    let mut cited: HashMap<&str, Vec<u32>> = HashMap::new();
    for f in &found {
        let id = f.citation.source.as_str();
        let p = f.citation.paragraph.unwrap_or(0);
        let error = match paragraphs.get(id) {
            None => Some(
                Diagnostic::error("parley::citation", format!("{}: no local copy of source \"{id}\"", f.citation))
                    .at(Some(f.span.clone()), "cannot check")
                    .help(format!("put the text of \"{id}\" in the folder as {id}.txt, one paragraph a line")),
            ),
            Some(ps) if p == 0 || p as usize > ps.len() => Some(
                Diagnostic::error(
                    "parley::citation",
                    format!("{}: source \"{id}\" has {} paragraphs, no paragraph {p}", f.citation, ps.len()),
                )
                .at(Some(f.span.clone()), "no such paragraph")
                .help("paragraphs are the non-empty lines of the source's text, counted from 1"),
            ),
            Some(_) => None,
        };
        match error {
            Some(e) => errors.push(e.with_source(NamedSource::new(name, text.to_string()))),
            None => cited.entry(id).or_default().push(p),
        }
    }
    let mut sources: Vec<(String, usize, usize)> = cited
        .into_iter()
        .map(|(id, mut ps)| {
            ps.sort_unstable();
            ps.dedup();
            (id.to_string(), paragraphs.get(id).map_or(0, Vec::len), ps.len())
        })
        .collect();
    sources.sort();
    Verification { checked: found.len(), sources, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cited(text: &str) -> Vec<(String, u32, &str)> {
        scan(text, &["news-1", "news"])
            .into_iter()
            .map(|f| (f.citation.source, f.citation.paragraph.unwrap(), &text[f.span]))
            .collect()
    }

    #[test]
    fn test_scan_finds_fields_notes_runs_and_ranges() {
        let text = r#"a = { value = 1, source = "news-1#3", note = "as news#2 says (news-1#4, #6; news#1-2)" }
# a comment citing news-1#12
b = "other#4 is no source; news-1# has no paragraph""#;
        assert_eq!(
            cited(text),
            vec![
                ("news-1".into(), 3, "news-1#3"),
                ("news".into(), 2, "news#2"),
                ("news-1".into(), 4, "news-1#4"),
                ("news-1".into(), 6, "#6"),
                ("news".into(), 1, "news#1-2"),
                ("news".into(), 2, "news#1-2"),
                ("news-1".into(), 12, "news-1#12"),
            ]
        );
    }

    #[test]
    fn test_paragraphs_are_non_empty_lines() {
        assert_eq!(paragraphs("one\n\n  \ntwo  \n\tthree\n"), vec!["one", "two", "three"]);
    }
}
