//! Replicates as CSV rows, and back.
//!
//! Numbers are written in Rust's shortest round-trip form, so reading a row gives back
//! exactly the replicate that was written: a result computed from files (after a resume
//! or a merge) is bit-identical to one computed in memory.

use parley_core::Scenario;
use parley_sim::coupled::Phase;

use crate::run::{Design, MonthRow, Outcome, Replicate};

/// The header of the replicates table.
pub fn replicate_header(paths: &[String], sides: &[String; 2]) -> String {
    let mut h = vec!["replicate".to_string(), "arm".into()];
    h.extend(paths.iter().map(|p| format!("param:{p}")));
    h.extend(["outcome", "agreed_month", "broke", "terms"].map(String::from));
    h.extend(sides.iter().map(|s| format!("losses_{s}")));
    h.push("held_km2".into());
    h.join(",")
}

/// The header of the months table: the sides' losses and BATNAs, then each party's
/// acceptance margin.
pub fn month_header(sides: &[String; 2], parties: &[String]) -> String {
    let mut h = vec!["replicate".to_string(), "arm".into(), "month".into(), "phase".into(), "held_km2".into()];
    h.extend(sides.iter().map(|s| format!("losses_{s}")));
    h.extend(sides.iter().map(|s| format!("batna_{s}")));
    h.extend(parties.iter().map(|p| format!("margin_{p}")));
    h.join(",")
}

fn parse_phase(s: &str) -> Option<Phase> {
    [Phase::Fighting, Phase::Ceasefire, Phase::Settled, Phase::Collapsed, Phase::Capitulated]
        .into_iter()
        .find(|p| p.name() == s)
}

/// Agreed terms as `issue=option` words separated by spaces.
pub fn terms_text(scenario: &Scenario, terms: &[u32]) -> String {
    scenario
        .issues
        .iter()
        .zip(terms)
        .map(|(i, &o)| format!("{}={}", i.id, i.options[o as usize].id))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A replicate's row of the replicates table (no newline). Terms are written as
/// `issue=option` words separated by spaces.
pub fn replicate_row(r: &Replicate, design: &Design, scenario: &Scenario) -> String {
    let mut f = vec![r.index.to_string(), design.arms[r.arm].name.clone()];
    f.extend(r.parameters.iter().map(|x| x.to_string()));
    f.push(r.outcome.name().to_string());
    f.push(r.agreed_month.map_or(String::new(), |m| m.to_string()));
    f.push(r.broke.map_or(String::new(), |b| b.to_string()));
    f.push(r.terms.as_ref().map_or(String::new(), |t| terms_text(scenario, t)));
    f.extend(r.losses.iter().map(|x| x.to_string()));
    f.push(r.held.to_string());
    f.join(",")
}

/// A replicate's rows of the months table (each ending in a newline).
pub fn month_rows(r: &Replicate, design: &Design) -> String {
    let mut out = String::new();
    for (k, m) in r.months.iter().enumerate() {
        let mut f = vec![
            r.index.to_string(),
            design.arms[r.arm].name.clone(),
            (k + 1).to_string(),
            m.phase.name().to_string(),
            m.held.to_string(),
            m.losses[0].to_string(),
            m.losses[1].to_string(),
            m.batna[0].to_string(),
            m.batna[1].to_string(),
        ];
        f.extend(m.margins.iter().map(|x| x.to_string()));
        out.push_str(&f.join(","));
        out.push('\n');
    }
    out
}

/// Reads a replicates row and its month rows back. `scenarios` are the arms' scenarios;
/// `parties` is the number of parties at the table (margin columns).
pub fn parse_replicate(
    row: &str,
    months: &[&str],
    design: &Design,
    scenarios: &[&Scenario],
    parameters: usize,
    parties: usize,
) -> Result<Replicate, String> {
    let f: Vec<&str> = row.split(',').collect();
    if f.len() != 2 + parameters + 4 + 3 {
        return Err(format!("expected {} fields, found {}", 2 + parameters + 7, f.len()));
    }
    let num = |s: &str| s.parse::<f64>().map_err(|_| format!("\"{s}\" is not a number"));
    let index: u64 = f[0].parse().map_err(|_| format!("\"{}\" is not a replicate index", f[0]))?;
    let arm = design.arms.iter().position(|a| a.name == f[1]).ok_or_else(|| format!("unknown arm \"{}\"", f[1]))?;
    let params = f[2..2 + parameters].iter().map(|s| num(s)).collect::<Result<Vec<_>, _>>()?;
    let rest = &f[2 + parameters..];
    let outcome = Outcome::parse(rest[0]).ok_or_else(|| format!("unknown outcome \"{}\"", rest[0]))?;
    let agreed_month =
        if rest[1].is_empty() { None } else { Some(rest[1].parse().map_err(|_| "bad month".to_string())?) };
    let broke = if rest[2].is_empty() { None } else { Some(rest[2].parse().map_err(|_| "bad side".to_string())?) };
    let scenario = scenarios[arm];
    let terms = if rest[3].is_empty() {
        None
    } else {
        let mut digits = vec![0u32; scenario.issues.len()];
        for word in rest[3].split(' ') {
            let (issue, option) = word.split_once('=').ok_or_else(|| format!("bad term \"{word}\""))?;
            let i = scenario.issue_index(issue).ok_or_else(|| format!("unknown issue \"{issue}\""))?;
            digits[i] =
                scenario.issues[i].option_index(option).ok_or_else(|| format!("unknown option \"{option}\""))? as u32;
        }
        Some(digits)
    };
    let losses = [num(rest[4])?, num(rest[5])?];
    let held = num(rest[6])?;
    let months = months
        .iter()
        .map(|line| {
            let g: Vec<&str> = line.split(',').collect();
            if g.len() != 9 + parties {
                return Err(format!("a month row has {} fields, expected {}", g.len(), 9 + parties));
            }
            Ok(MonthRow {
                phase: parse_phase(g[3]).ok_or_else(|| format!("unknown phase \"{}\"", g[3]))?,
                held: num(g[4])?,
                losses: [num(g[5])?, num(g[6])?],
                batna: [num(g[7])?, num(g[8])?],
                margins: g[9..].iter().map(|s| num(s)).collect::<Result<_, _>>()?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Replicate { index, arm, parameters: params, outcome, agreed_month, terms, broke, losses, held, months })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Arm;
    use crate::built_in;

    #[test]
    fn test_a_replicate_round_trips_through_its_rows() {
        let s = built_in();
        let design =
            Design { runs: 1, months: 2, seed: 3, arms: vec![Arm::new(vec![])], start: crate::run::Start::Prior };
        let month = |phase, margin: f64| MonthRow {
            phase,
            held: 116_000.123_456_789,
            losses: [31_000.5, 0.1 + 0.2],
            batna: [0.8, 1.0 / 3.0],
            margins: vec![margin, f64::NEG_INFINITY, 0.25],
        };
        let r = Replicate {
            index: 7,
            arm: 0,
            parameters: vec![2.5, 1e-9],
            outcome: Outcome::Holding,
            agreed_month: Some(2),
            terms: Some(vec![1; s.issues.len()]),
            broke: None,
            losses: [62_000.0, 1.0 / 7.0],
            held: 116_500.0,
            months: vec![month(Phase::Fighting, -0.012_345_678_9), month(Phase::Ceasefire, 0.0)],
        };
        let row = replicate_row(&r, &design, &s);
        let months = month_rows(&r, &design);
        let lines: Vec<&str> = months.lines().collect();
        let sides = ["rus".to_string(), "ukr".to_string()];
        let parties = ["rus".to_string(), "ukr".to_string(), "usa".to_string()];
        let header = month_header(&sides, &parties);
        assert_eq!(header.split(',').count(), lines[0].split(',').count(), "{header}");
        assert!(header.ends_with("margin_rus,margin_ukr,margin_usa"));
        assert_eq!(parse_replicate(&row, &lines, &design, &[&s], 2, 3).unwrap(), r);
        assert!(parse_replicate(&row, &lines, &design, &[&s], 2, 2).is_err(), "a missing margin column is an error");
    }
}
