//! Writing a [`Scenario`] as a Genius folder: one domain file and one profile per actor.

use std::fmt::Write as _;

use parley_core::{Issue, Scenario};

use super::foreign_id;
use crate::diagnostic::{Diagnostic, Error};

/// One file of a Genius folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeniusFile {
    /// The file name, e.g. `car-sale_domain.xml`.
    pub name: String,
    /// The XML text.
    pub text: String,
}

/// A scenario as a Genius folder, and what the conversion left out.
#[derive(Debug)]
pub struct GeniusExport {
    /// The domain file first, then one profile per actor, in actor order (their names sort
    /// in that order, so the folder reads back with the same parties in the same order).
    pub files: Vec<GeniusFile>,
    /// What was not written (levers, expectations) or reads back differently.
    pub warnings: Vec<Diagnostic>,
}

/// The scenario as a Genius folder (see the [module docs](super)).
///
/// Fails with [`Error::Unsupported`] naming every red line, linkage and actor without a
/// full veto,
/// which Genius XML cannot express.
pub fn to_genius(s: &Scenario) -> Result<GeniusExport, Error> {
    let mut problems = Vec::new();
    for (actor, p) in s.actors.iter().zip(&s.preferences) {
        if !actor.veto.is_full() {
            problems.push(
                Diagnostic::error(
                    "parley::unsupported",
                    format!(
                        "actor \"{}\" holds no full veto, but in a Genius negotiation every party must agree",
                        actor.id
                    ),
                )
                .help("set veto = true for the actor, or remove it, before converting"),
            );
        }
        for r in &p.red_lines {
            problems.push(
                Diagnostic::error(
                    "parley::unsupported",
                    format!(
                        "actor \"{}\": red line \"{}\" ({}) cannot be written, Genius profiles have no red lines",
                        actor.id,
                        r.id,
                        r.when.describe(&s.issues)
                    ),
                )
                .help("remove the red line before converting (a lever that drops it shows what changes)"),
            );
        }
        for l in &p.linkages {
            problems.push(
                Diagnostic::error(
                    "parley::unsupported",
                    format!(
                        "actor \"{}\": linkage \"{}\" ({}) cannot be written, Genius profiles are additive over the issues",
                        actor.id,
                        l.id,
                        l.when.describe(&s.issues)
                    ),
                )
                .help("remove the linkage before converting (a lever that drops it shows what changes)"),
            );
        }
    }
    if !problems.is_empty() {
        return Err(Error::Unsupported {
            scenario: s.metadata.id.clone(),
            count: problems.len(),
            diagnostics: problems,
        });
    }

    let mut warnings = Vec::new();
    if !s.levers.is_empty() || !s.expectations.is_empty() {
        warnings.push(
            Diagnostic::warning(
                "parley::no-effect",
                format!(
                    "scenario \"{}\": its {} levers and {} expectations are not written, Genius XML has no place for them",
                    s.metadata.id,
                    s.levers.len(),
                    s.expectations.len()
                ),
            )
            .help("keep the scenario file for `parley analyze --lever` and `parley check`"),
        );
    }

    let base = foreign_id(&s.metadata.id, "scenario", 1);
    let names: Vec<String> = distinct_or(s.issues.iter().map(|i| i.name.as_str()), s.issues.iter().map(|i| &i.id));
    let values: Vec<Vec<String>> = s
        .issues
        .iter()
        .map(|i| distinct_or(i.options.iter().map(|o| o.label.as_str()), i.options.iter().map(|o| &o.id)))
        .collect();

    let mut domain = String::from("<negotiation_template>\n");
    let _ = writeln!(domain, "<utility_space number_of_issues=\"{}\">", s.issues.len());
    let _ = writeln!(
        domain,
        "<objective index=\"0\" etype=\"objective\" type=\"objective\" description=\"\" name=\"{}\">",
        escape(&s.metadata.title)
    );
    for (k, (name, values)) in names.iter().zip(&values).enumerate() {
        let _ = writeln!(
            domain,
            "    <issue index=\"{}\" etype=\"discrete\" type=\"discrete\" vtype=\"discrete\" name=\"{}\">",
            k + 1,
            escape(name)
        );
        for (v, value) in values.iter().enumerate() {
            let value = escape(value);
            let _ = writeln!(
                domain,
                "        <item index=\"{}\" value=\"{value}\" cost=\"0\" description=\"{value}\"></item>",
                v + 1
            );
        }
        domain.push_str("    </issue>\n");
    }
    domain.push_str("</objective>\n</utility_space>\n</negotiation_template>\n");
    let mut files = vec![GeniusFile { name: format!("{base}_domain.xml"), text: domain }];

    let width = s.actors.len().saturating_sub(1).to_string().len().max(2);
    for (k, (actor, p)) in s.actors.iter().zip(&s.preferences).enumerate() {
        let weights = p.normalised_weights();
        let mut text = String::from("<utility_space>\n");
        let _ = writeln!(text, "    <reservation value=\"{}\" />", p.reservation.value);
        text.push_str(
            "<objective index=\"0\" etype=\"objective\" type=\"objective\" description=\"\" name=\"root\">\n",
        );
        let mut not_one = Vec::new();
        for (i, issue) in s.issues.iter().enumerate() {
            let _ = writeln!(
                text,
                "<issue index=\"{}\" etype=\"discrete\" type=\"discrete\" vtype=\"discrete\" name=\"{}\">",
                i + 1,
                escape(&names[i])
            );
            let evaluations = evaluations(p.values[i].as_ref(), issue);
            let top = evaluations.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if p.values[i].is_some() && weights[i] > 0.0 && (top - 1.0).abs() > 1e-9 {
                not_one.push(format!("\"{}\" ({top})", issue.id));
            }
            for (v, (value, e)) in values[i].iter().zip(&evaluations).enumerate() {
                let _ = writeln!(
                    text,
                    "<item index=\"{}\" value=\"{}\" cost=\"0\" evaluation=\"{e}\"></item>",
                    v + 1,
                    escape(value)
                );
            }
            text.push_str("</issue>\n");
        }
        for (i, (vf, w)) in p.values.iter().zip(&weights).enumerate() {
            let value = if vf.is_some() { *w } else { 0.0 };
            let _ = writeln!(text, "<weight index=\"{}\" value=\"{value}\"></weight>", i + 1);
        }
        text.push_str("</objective>\n");
        if let Some(d) = &p.discount {
            let _ = writeln!(text, "<discount_factor value=\"{}\"></discount_factor>", d.value);
        }
        text.push_str("</utility_space>\n");
        if !not_one.is_empty() {
            warnings.push(
                Diagnostic::warning(
                    "parley::weights",
                    format!(
                        "actor \"{}\": its best value on issue {} is not 1, so genius semantics (the default) read the folder back with other utilities",
                        actor.id,
                        not_one.join(", ")
                    ),
                )
                .help("read the folder with negmas semantics (--semantics negmas) for the same utilities, or give each weighted issue a best value of 1"),
            );
        }
        files.push(GeniusFile { name: format!("{base}_{k:0width$}_{}.xml", foreign_id(&actor.id, "actor", k)), text });
    }
    Ok(GeniusExport { files, warnings })
}

/// Each option's value; an issue without a value function weighs 0, and its evaluations
/// are 1 so that Genius's division by the largest evaluation stays defined.
fn evaluations(vf: Option<&parley_core::ValueFunction>, issue: &Issue) -> Vec<f64> {
    (0..issue.options.len()).map(|o| vf.map_or(1.0, |vf| vf.value(issue, o))).collect()
}

/// The preferred strings if they are non-empty and distinct, else the fallbacks.
fn distinct_or<'a>(
    preferred: impl Iterator<Item = &'a str>,
    fallback: impl Iterator<Item = &'a String>,
) -> Vec<String> {
    let preferred: Vec<&str> = preferred.collect();
    let distinct = preferred.iter().enumerate().all(|(k, p)| !p.is_empty() && !preferred[..k].contains(p));
    if distinct { preferred.into_iter().map(String::from).collect() } else { fallback.cloned().collect() }
}

/// Text as an XML attribute value (double-quoted).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}
