//! Replicates as CSV rows, and back.
//!
//! Numbers are written in Rust's shortest round-trip form, so reading a row gives back
//! exactly the replicate that was written: a result computed from files (after a resume
//! or a merge) is bit-identical to one computed in memory.

use parley_core::Scenario;
use parley_sim::coupled::Phase;

use crate::run::{Design, MonthRow, Outcome, Replicate};

/// The header of the replicates table.
fn replicate_header(paths: &[String], sides: &[String; 2]) -> Vec<String> {
    let mut h = vec!["replicate".to_string(), "arm".into()];
    h.extend(paths.iter().map(|p| format!("param:{p}")));
    h.extend(["outcome", "agreed_month", "broke", "terms"].map(String::from));
    h.extend(sides.iter().map(|s| format!("losses_{s}")));
    h.push("held_km2".into());
    h.extend(sides.iter().map(|s| format!("mobilised_{s}")));
    h.push("mediator_left".into());
    h.push("framework_refused".into());
    h
}

/// The header of the months table: the sides' losses and BATNAs, then each party's
/// acceptance margin.
fn month_header(sides: &[String; 2], parties: &[String]) -> Vec<String> {
    let mut h = vec!["replicate".to_string(), "arm".into(), "month".into(), "phase".into(), "held_km2".into()];
    h.extend(sides.iter().map(|s| format!("losses_{s}")));
    h.extend(sides.iter().map(|s| format!("batna_{s}")));
    h.extend(parties.iter().map(|p| format!("margin_{p}")));
    h
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

/// A replicate's row of the replicates table. Terms are written as `issue=option` words
/// separated by spaces.
fn replicate_row(r: &Replicate, design: &Design, scenario: &Scenario) -> Vec<String> {
    let mut f = vec![r.index.to_string(), design.arms[r.arm].name.clone()];
    f.extend(r.parameters.iter().map(|x| x.to_string()));
    f.push(r.outcome.name().to_string());
    f.push(r.agreed_month.map_or(String::new(), |m| m.to_string()));
    f.push(r.broke.map_or(String::new(), |b| b.to_string()));
    f.push(r.terms.as_ref().map_or(String::new(), |t| terms_text(scenario, t)));
    f.extend(r.losses.iter().map(|x| x.to_string()));
    f.push(r.held.to_string());
    f.extend(
        r.mobilised
            .iter()
            .chain([&r.mediator_left, &r.framework_refused])
            .map(|m| m.map_or(String::new(), |m| m.to_string())),
    );
    f
}

/// A replicate's rows of the months table.
fn month_rows(r: &Replicate, design: &Design) -> impl Iterator<Item = Vec<String>> {
    let arm = design.arms[r.arm].name.clone();
    r.months.iter().enumerate().map(move |(k, m)| {
        let mut f = vec![
            r.index.to_string(),
            arm.clone(),
            (k + 1).to_string(),
            m.phase.name().to_string(),
            m.held.to_string(),
            m.losses[0].to_string(),
            m.losses[1].to_string(),
            m.batna[0].to_string(),
            m.batna[1].to_string(),
        ];
        f.extend(m.margins.iter().map(|x| x.to_string()));
        f
    })
}

/// The column names of the tables, from the names of the uncertain parameters, the sides
/// and the parties at the table.
#[derive(Clone, Copy, Debug)]
pub struct Columns<'a> {
    /// Paths of the uncertain parameters, in file order.
    pub parameters: &'a [String],
    /// The two sides' actor ids.
    pub sides: &'a [String; 2],
    /// The ids of the parties at the table.
    pub parties: &'a [String],
}

/// The replicates table and the months table written as replicates come, each opened by
/// the comment line `stamp` if given, then its header: the tables of a million replicates
/// never sit in memory whole.
pub struct TableWriter<'a, W: std::io::Write> {
    design: &'a Design,
    scenarios: &'a [&'a Scenario],
    replicates: csv::Writer<W>,
    months: csv::Writer<W>,
}

impl<'a, W: std::io::Write> TableWriter<'a, W> {
    /// Opens both tables on `replicates` and `months`, writing the stamp and the headers.
    /// `scenarios` are the arms' scenarios.
    ///
    /// # Errors
    ///
    /// If writing fails.
    pub fn new(
        stamp: Option<&str>,
        columns: Columns<'_>,
        design: &'a Design,
        scenarios: &'a [&'a Scenario],
        replicates: W,
        months: W,
    ) -> Result<TableWriter<'a, W>, csv::Error> {
        let open = |mut w: W| -> Result<csv::Writer<W>, csv::Error> {
            if let Some(stamp) = stamp {
                w.write_all(stamp.as_bytes())?;
                w.write_all(b"\n")?;
            }
            Ok(csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(w))
        };
        let (mut reps, mut month_table) = (open(replicates)?, open(months)?);
        reps.write_record(replicate_header(columns.parameters, columns.sides))?;
        month_table.write_record(month_header(columns.sides, columns.parties))?;
        Ok(TableWriter { design, scenarios, replicates: reps, months: month_table })
    }

    /// Writes the rows of `replicates`.
    ///
    /// # Errors
    ///
    /// If writing fails.
    pub fn write(&mut self, replicates: &[Replicate]) -> Result<(), csv::Error> {
        for r in replicates {
            self.replicates.write_record(replicate_row(r, self.design, self.scenarios[r.arm]))?;
            for row in month_rows(r, self.design) {
                self.months.write_record(row)?;
            }
        }
        Ok(())
    }

    /// Flushes both tables and hands back their writers (replicates, months).
    ///
    /// # Errors
    ///
    /// If flushing fails.
    pub fn finish(self) -> Result<(W, W), csv::Error> {
        let done = |w: csv::Writer<W>| w.into_inner().map_err(|e| csv::Error::from(e.into_error()));
        Ok((done(self.replicates)?, done(self.months)?))
    }
}

/// The replicates table and the months table of `replicates` as CSV, each opened by the
/// comment line `stamp` if given, then its header ([`TableWriter`] into memory).
/// `scenarios` are the arms' scenarios.
///
/// # Errors
///
/// Only if the CSV writer fails, which writing to memory does not.
pub fn write_tables(
    stamp: Option<&str>,
    columns: Columns<'_>,
    replicates: &[Replicate],
    design: &Design,
    scenarios: &[&Scenario],
) -> Result<(Vec<u8>, Vec<u8>), csv::Error> {
    let mut w = TableWriter::new(stamp, columns, design, scenarios, Vec::new(), Vec::new())?;
    w.write(replicates)?;
    w.finish()
}

/// Reads the replicates and months tables written by [`write_tables`] back. `scenarios`
/// are the arms' scenarios; `parameters` is the number of uncertain parameters and
/// `parties` of parties at the table (the margin columns). An error names the table and
/// its line.
pub fn read_tables(
    replicates: &[u8],
    months: &[u8],
    design: &Design,
    scenarios: &[&Scenario],
    parameters: usize,
    parties: usize,
) -> Result<Vec<Replicate>, String> {
    let reader = |bytes| csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(bytes);
    let line = |record: &csv::StringRecord| record.position().map_or(0, csv::Position::line);
    let mut month_records = reader(months).into_records();
    let mut out = Vec::new();
    for record in reader(replicates).into_records() {
        let record = record.map_err(|e| format!("replicates table: {e}"))?;
        let mut rows = Vec::with_capacity(design.months as usize);
        for _ in 0..design.months {
            let row = month_records
                .next()
                .ok_or_else(|| "the months table is short".to_string())?
                .map_err(|e| format!("months table: {e}"))?;
            rows.push(parse_month(&row, parties).map_err(|e| format!("months table, line {}: {e}", line(&row)))?);
        }
        let replicate = parse_replicate(&record, rows, design, scenarios, parameters)
            .map_err(|e| format!("replicates table, line {}: {e}", line(&record)))?;
        out.push(replicate);
    }
    Ok(out)
}

fn num(s: &str) -> Result<f64, String> {
    s.parse::<f64>().map_err(|_| format!("\"{s}\" is not a number"))
}

/// Reads a row of the months table; `parties` is the number of margin columns.
fn parse_month(g: &csv::StringRecord, parties: usize) -> Result<MonthRow, String> {
    if g.len() != 9 + parties {
        return Err(format!("a month row has {} fields, expected {}", g.len(), 9 + parties));
    }
    Ok(MonthRow {
        phase: parse_phase(&g[3]).ok_or_else(|| format!("unknown phase \"{}\"", &g[3]))?,
        held: num(&g[4])?,
        losses: [num(&g[5])?, num(&g[6])?],
        batna: [num(&g[7])?, num(&g[8])?],
        margins: (9..g.len()).map(|k| num(&g[k])).collect::<Result<_, _>>()?,
    })
}

/// Reads a replicates row back, with its months already read.
fn parse_replicate(
    f: &csv::StringRecord,
    months: Vec<MonthRow>,
    design: &Design,
    scenarios: &[&Scenario],
    parameters: usize,
) -> Result<Replicate, String> {
    if f.len() != 2 + parameters + 11 {
        return Err(format!("expected {} fields, found {}", 2 + parameters + 11, f.len()));
    }
    let index: u64 = f[0].parse().map_err(|_| format!("\"{}\" is not a replicate index", &f[0]))?;
    let arm = design.arms.iter().position(|a| a.name == f[1]).ok_or_else(|| format!("unknown arm \"{}\"", &f[1]))?;
    let params = (2..2 + parameters).map(|k| num(&f[k])).collect::<Result<Vec<_>, _>>()?;
    let rest = |k: usize| &f[2 + parameters + k];
    let outcome = Outcome::parse(rest(0)).ok_or_else(|| format!("unknown outcome \"{}\"", rest(0)))?;
    let month = |k: usize| -> Result<Option<u32>, String> {
        if rest(k).is_empty() {
            Ok(None)
        } else {
            rest(k).parse().map(Some).map_err(|_| format!("bad month \"{}\"", rest(k)))
        }
    };
    let agreed_month = month(1)?;
    let broke = if rest(2).is_empty() { None } else { Some(rest(2).parse().map_err(|_| "bad side".to_string())?) };
    let scenario = scenarios[arm];
    let terms = if rest(3).is_empty() {
        None
    } else {
        let mut digits = vec![0u32; scenario.issues.len()];
        for word in rest(3).split(' ') {
            let (issue, option) = word.split_once('=').ok_or_else(|| format!("bad term \"{word}\""))?;
            let i = scenario.issue_index(issue).ok_or_else(|| format!("unknown issue \"{issue}\""))?;
            digits[i] =
                scenario.issues[i].option_index(option).ok_or_else(|| format!("unknown option \"{option}\""))? as u32;
        }
        Some(digits)
    };
    let losses = [num(rest(4))?, num(rest(5))?];
    let held = num(rest(6))?;
    let mobilised = [month(7)?, month(8)?];
    let mediator_left = month(9)?;
    let framework_refused = month(10)?;
    Ok(Replicate {
        index,
        arm,
        parameters: params,
        outcome,
        agreed_month,
        terms,
        broke,
        losses,
        held,
        mobilised,
        mediator_left,
        framework_refused,
        months,
    })
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
            mobilised: [Some(4), None],
            mediator_left: Some(2),
            framework_refused: Some(1),
            months: vec![month(Phase::Fighting, -0.012_345_678_9), month(Phase::Ceasefire, 0.0)],
        };
        let sides = ["rus".to_string(), "ukr".to_string()];
        let parties = ["rus".to_string(), "ukr".to_string(), "usa".to_string()];
        let parameters = ["a".to_string(), "b".to_string()];
        let columns = Columns { parameters: &parameters, sides: &sides, parties: &parties };
        let (reps, months) = write_tables(Some("# stamp"), columns, std::slice::from_ref(&r), &design, &[&s]).unwrap();
        let text = String::from_utf8(months.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# stamp");
        assert_eq!(lines[1].split(',').count(), lines[2].split(',').count(), "{text}");
        assert!(lines[1].ends_with("margin_rus,margin_ukr,margin_usa"));
        assert_eq!(read_tables(&reps, &months, &design, &[&s], 2, 3).unwrap(), vec![r]);
        let e = read_tables(&reps, &months, &design, &[&s], 2, 2).unwrap_err();
        assert!(
            e.contains("months table, line 3") && e.contains("a month row has"),
            "a missing margin column is an error: {e}"
        );
        assert!(read_tables(&reps, &months[..months.len() / 2], &design, &[&s], 2, 3).is_err(), "a short months table");
    }
}
