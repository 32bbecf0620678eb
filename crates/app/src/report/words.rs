//! Scenario objects in words: packages, conditions, provenance, distributions, changes.

use parley_core::{Change, Condition, Issue, Provenance, Scenario, uncertain::Distribution, uncertain::Uncertain};

use parley_report::data::{PackageRow, Term};

/// A package's terms by name and label, with every actor's utility.
pub fn package_row(scenario: &Scenario, options: &[u32], utilities: Vec<f64>) -> PackageRow {
    PackageRow {
        terms: scenario
            .issues
            .iter()
            .zip(options)
            .map(|(i, &o)| Term { issue: i.name.clone(), option: i.options[o as usize].label.clone() })
            .collect(),
        utilities,
    }
}

/// A citation, `assumption: reason (direction: id#n)`, `tuned to X: note`, or `unstated`.
pub fn provenance_text(p: &Provenance) -> String {
    p.to_string()
}

/// A condition by issue name and option labels: `Territory: A or B; NATO: C`.
pub fn condition(issues: &[Issue], c: &Condition) -> String {
    c.terms
        .iter()
        .map(|(i, options)| {
            let issue = &issues[*i];
            let labels: Vec<&str> = options.iter().map(|&o| issue.options[o].label.as_str()).collect();
            format!("{}: {}", issue.name, labels.join(" or "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A lever's change in words.
pub fn change(scenario: &Scenario, c: &Change) -> String {
    match c {
        Change::Set { path, quantity } => {
            format!("sets {path} to {} ({})", quantity.value, provenance_text(&quantity.provenance))
        }
        Change::Fix { keep } => format!("keeps only {}", condition(&scenario.issues, keep)),
        Change::Drop { path } => format!("drops {path}"),
        Change::NoDeal { terms } => {
            let terms: Vec<String> = terms.iter().map(|(issue, option)| format!("{issue} = {option}")).collect();
            format!("without a deal, {}", terms.join(", "))
        }
    }
}

/// A distribution with its truncation, for example `normal(mean 3, sd 0.5) within [0, 8]`.
pub fn distribution(u: &Uncertain) -> String {
    let d = match u.distribution {
        Distribution::Normal { mean, sd } => format!("normal (mean {mean}, sd {sd})"),
        Distribution::Lognormal { median, sigma } => format!("lognormal (median {median}, σ of the log {sigma})"),
        Distribution::Uniform { min, max } => format!("uniform on [{min}, {max}]"),
        Distribution::Triangular { min, mode, max } => format!("triangular ({min}, mode {mode}, {max})"),
        Distribution::Pert { min, mode, max } => format!("PERT ({min}, mode {mode}, {max})"),
        Distribution::Beta { alpha, beta, min, max } => format!("beta (α {alpha}, β {beta}) on [{min}, {max}]"),
    };
    match u.bounds {
        Some((lo, hi)) => format!("{d}, within [{lo}, {hi}]"),
        None => d,
    }
}
