//! What `parley forecast` prints: the JSON report and the tables.

use std::fmt::Write as _;

use parley_forecast::bridge::{Derivation, LeftOut, SalienceRule};
use parley_forecast::montecarlo::Spread;
use parley_forecast::{Distribution, Forecast, MonteCarlo, Scale, ScalePoint, Uncertainty};
use parley_io::SalienceScale;
use parley_io::forecast::ActorProvenance;
use serde::Serialize;

use super::{Case, Kind, Outcome, Skipped, left_out, salience_scale};
use crate::output;

/// Positions closer than this to a labelled point are on it.
const ON_POINT: f64 = 1e-9;

/// The JSON report (see docs/OUTPUT.md).
#[derive(Serialize)]
pub(crate) struct Report<'a> {
    parley_version: &'static str,
    input: &'a str,
    kind: Kind,
    levers: &'a [String],
    monte_carlo: Option<MonteCarlo>,
    forecasts: Vec<CaseOut<'a>>,
    skipped: &'a [Skipped],
}

#[derive(Serialize)]
struct CaseOut<'a> {
    issue: &'a str,
    title: &'a str,
    scale: &'a Scale,
    salience_scale: Option<SalienceScale>,
    salience_rule: Option<SalienceRule>,
    inputs: Vec<ActorOut<'a>>,
    left_out: &'a [LeftOut],
    path: &'a Forecast,
    result: Final<'a>,
    uncertainty: Option<&'a [Uncertainty]>,
    distribution: Option<&'a Distribution>,
}

#[derive(Serialize)]
struct ActorOut<'a> {
    /// The actor's name in the path (a scenario's actor id).
    id: &'a str,
    /// Its display name.
    name: &'a str,
    capability: f64,
    position: f64,
    salience: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    derivation: Option<&'a Derivation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<&'a ActorProvenance>,
}

#[derive(Serialize)]
struct Final<'a> {
    rounds_played: usize,
    median: f64,
    median_tie: bool,
    mean: f64,
    /// The labelled point nearest the median, if the scale has any.
    nearest: Option<&'a ScalePoint>,
    /// The median in words.
    in_words: String,
}

impl<'a> Report<'a> {
    pub(crate) fn new(
        input: &'a str,
        kind: Kind,
        levers: &'a [String],
        monte_carlo: Option<MonteCarlo>,
        outcomes: &'a [Outcome],
        skipped: &'a [Skipped],
    ) -> Self {
        let forecasts = outcomes.iter().map(case_out).collect();
        Report { parley_version: env!("CARGO_PKG_VERSION"), input, kind, levers, monte_carlo, forecasts, skipped }
    }
}

fn case_out(o: &Outcome) -> CaseOut<'_> {
    let c = &o.case;
    let scale = c.data.scale();
    let inputs = c
        .data
        .actors()
        .iter()
        .enumerate()
        .map(|(k, a)| ActorOut {
            id: &a.name,
            name: c.derived.as_ref().map_or(&a.name, |d| &d.actors[k].name),
            capability: a.capability,
            position: a.position,
            salience: a.salience,
            derivation: c.derived.as_ref().map(|d| &d.actors[k]),
            provenance: c.input.as_ref().map(|i| &i.provenance[k]),
        })
        .collect();
    let last = o.forecast.last();
    CaseOut {
        issue: &c.issue,
        title: &c.title,
        scale,
        salience_scale: salience_scale(c),
        salience_rule: c.derived.as_ref().map(|d| d.salience_rule),
        inputs,
        left_out: left_out(c),
        path: &o.forecast,
        result: Final {
            rounds_played: o.forecast.rounds.len(),
            median: last.median,
            median_tie: last.median_tie,
            mean: last.mean,
            nearest: scale.nearest(last.median),
            in_words: on_scale(scale, last.median),
        },
        uncertainty: o.uncertainty.as_deref(),
        distribution: o.distribution.as_ref(),
    }
}

/// A number on the scale, with its unit.
fn number(scale: &Scale, x: f64) -> String {
    match &scale.unit {
        Some(u) => format!("{x:.2} {u}"),
        None => format!("{x:.2}"),
    }
}

/// Whether a point is an option of a numeric issue (its id is its value), which its
/// label already says.
fn numeric(p: &ScalePoint) -> bool {
    p.id.as_deref().is_some_and(|id| id.parse::<f64>().is_ok())
}

fn point_name(p: &ScalePoint) -> String {
    match &p.id {
        Some(id) if !numeric(p) => format!("{id} ({})", p.label),
        _ => p.label.clone(),
    }
}

fn point_id(p: &ScalePoint) -> &str {
    p.id.as_deref().unwrap_or(&p.label)
}

/// A position in words: on a labelled point, between two, or beyond the last.
pub(crate) fn on_scale(scale: &Scale, x: f64) -> String {
    let value = number(scale, x);
    let Some(nearest) = scale.nearest(x) else { return value };
    if (nearest.value - x).abs() < ON_POINT {
        return if numeric(nearest) { value } else { format!("{value} = {}", point_name(nearest)) };
    }
    let below = scale.points.iter().rev().find(|p| p.value < x);
    let above = scale.points.iter().find(|p| p.value > x);
    match (below, above) {
        (Some(b), Some(a)) => {
            format!("{value}, between {} and {}, nearer {}", point_id(b), point_id(a), point_name(nearest))
        }
        _ => format!("{value}, nearest {}", point_name(nearest)),
    }
}

/// A position in a table cell: the number, and the point's id when it lies on one.
fn short(scale: &Scale, x: f64) -> String {
    match scale.nearest(x) {
        Some(p) if (p.value - x).abs() < ON_POINT && !numeric(p) => format!("{x:.2} {}", point_id(p)),
        _ => format!("{x:.2}"),
    }
}

/// Every table, one section per forecast.
pub(crate) fn tables(r: &Report<'_>, outcomes: &[Outcome], positions: bool) -> String {
    let mut out = String::new();
    if outcomes.len() > 1 {
        summary(&mut out, r, outcomes);
    }
    for o in outcomes {
        section(&mut out, o, positions);
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(out, "Not forecast:");
        for s in r.skipped {
            let _ = writeln!(out, "  {}: {}", s.issue, s.reason);
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Bueno de Mesquita's expected-utility model as Scholz, Calbert & Smith (2011) reconstruct it; the median \
         voter position after the last round is the forecast. Conditional on the inputs' positions, capabilities \
         and saliences (`--format json` gives every round's positions and risk exponents)."
    );
    out
}

fn summary(out: &mut String, r: &Report<'_>, outcomes: &[Outcome]) {
    let first = &outcomes[0].forecast;
    let _ = writeln!(
        out,
        "Forecasts of {} ({} issues, {} rounds{}{})\n",
        r.input,
        outcomes.len(),
        first.options.rounds,
        variant_words(first),
        if r.levers.is_empty() { String::new() } else { format!(", levers {}", r.levers.join(", ")) }
    );
    let mut t = output::table(vec!["issue".into(), "start".into(), "forecast (median)".into(), "mean".into()]);
    for o in outcomes {
        let scale = o.case.data.scale();
        let last = o.forecast.last();
        t.add_row(vec![
            o.case.issue.clone(),
            short(scale, o.forecast.initial.median),
            on_scale(scale, last.median),
            format!("{:.2}", last.mean),
        ]);
    }
    let _ = writeln!(out, "{t}\n");
}

fn variant_words(f: &Forecast) -> String {
    if f.options == parley_forecast::Options::canonical().with_rounds(f.options.rounds) {
        ", canonical switches".into()
    } else {
        ", switches changed (see --format json)".into()
    }
}

fn section(out: &mut String, o: &Outcome, positions: bool) {
    let c = &o.case;
    let f = &o.forecast;
    let scale = c.data.scale();
    let what = if c.title == c.issue { c.title.clone() } else { format!("{} ({})", c.title, c.issue) };
    let _ = writeln!(out, "{what}: {} rounds{}", f.options.rounds, variant_words(f));
    if let Some(name) = &scale.name
        && *name != c.title
    {
        let _ = writeln!(out, "scale: {name}");
    }
    if let Some(scale_read) = salience_scale(c) {
        let how = match scale_read {
            SalienceScale::Unit => "saliences read on a 0–1 scale",
            SalienceScale::Percent => "saliences read as percentages (divided by 100)",
        };
        let _ = writeln!(out, "{how}");
    }
    inputs(out, c);
    let mut t = output::table(vec!["round".into(), "median".into(), "mean".into(), "moves".into()]);
    let tie = |tie: bool| if tie { " *" } else { "" };
    t.add_row(vec![
        "start".into(),
        format!("{}{}", short(scale, f.initial.median), tie(f.initial.median_tie)),
        format!("{:.2}", f.initial.mean),
        String::new(),
    ]);
    for round in &f.rounds {
        let moves: Vec<String> = round
            .moves
            .iter()
            .map(|m| {
                format!("{} {} {} → {}", c.names[m.actor], m.kind.verb(), c.names[m.counterpart], short(scale, m.to))
            })
            .collect();
        t.add_row(vec![
            round.round.to_string(),
            format!("{}{}", short(scale, round.state.median), tie(round.state.median_tie)),
            format!("{:.2}", round.state.mean),
            if moves.is_empty() { "nobody moves".into() } else { moves.join("\n") },
        ]);
    }
    let _ = writeln!(out, "{t}");
    if f.states().any(|s| s.median_tie) {
        let _ = writeln!(out, "* no position beats all others (half the weight on either side): the lower is shown");
    }
    if positions {
        let mut header = vec!["round".to_string()];
        header.extend(c.names.iter().cloned());
        let mut p = output::table(header);
        for (k, s) in f.states().enumerate() {
            let mut row = vec![if k == 0 { "start".to_string() } else { k.to_string() }];
            row.extend(s.positions.iter().map(|x| format!("{x:.2}")));
            p.add_row(row);
        }
        let _ = writeln!(out, "{p}");
    }
    let last = f.last();
    let stop = match f.stop {
        parley_forecast::Stop::Rounds => format!("after {} rounds", f.rounds.len()),
        parley_forecast::Stop::Converged { round } => format!("after round {round}, when positions stood still"),
    };
    let _ = writeln!(out, "forecast {stop}: median {}; mean {:.2}", on_scale(scale, last.median), last.mean);
    if let (Some(d), Some(u)) = (&o.distribution, &o.uncertainty) {
        distribution(out, c, d, u);
    }
    out.push('\n');
}

fn inputs(out: &mut String, c: &Case) {
    let scale = c.data.scale();
    let derived = c.derived.as_ref();
    let mut header = vec!["actor".to_string(), "capability".into(), "position".into(), "salience".into()];
    if derived.is_some() {
        header.insert(1, "name".into());
        header.push("notes".into());
    }
    let mut t = output::table(header);
    for (k, a) in c.data.actors().iter().enumerate() {
        let mut row = vec![
            c.names[k].clone(),
            format!("{}", a.capability),
            short(scale, a.position),
            format!("{:.3}", a.salience),
        ];
        if let Some(d) = derived {
            let d = &d.actors[k];
            row.insert(1, d.name.clone());
            let mut notes = Vec::new();
            if d.tie {
                notes.push(format!("best options tie: {}", d.best.join(", ")));
            }
            if !d.ruled_out.is_empty() {
                notes.push(format!("its red lines rule out {}", d.ruled_out.join(", ")));
            }
            row.push(notes.join("; "));
        }
        t.add_row(row);
    }
    let _ = writeln!(out, "{t}");
    let left = left_out(c);
    if !left.is_empty() {
        let words: Vec<String> = left.iter().map(|l| format!("{} ({})", l.actor, l.reason)).collect();
        let _ = writeln!(out, "not taking part: {}", words.join(", "));
    }
}

fn spread_words(s: &Spread) -> String {
    let q = &s.quantiles;
    format!(
        "mean {:.2}, sd {:.2}; 5% {:.2}, 25% {:.2}, 50% {:.2}, 75% {:.2}, 95% {:.2}",
        s.mean, s.sd, q.p5, q.p25, q.p50, q.p75, q.p95
    )
}

fn distribution(out: &mut String, c: &Case, d: &Distribution, u: &[Uncertainty]) {
    let same = u.windows(2).all(|w| w[0] == w[1]);
    let within = if same {
        format!("position ±{}, capability ±{}%, salience ±{}", u[0].position, u[0].capability * 100.0, u[0].salience)
    } else {
        "the uncertainty each actor states".into()
    };
    let _ = writeln!(
        out,
        "\nMonte Carlo: {} replicates, seed {}; inputs drawn uniformly within {within}",
        d.run.runs, d.run.seed
    );
    if d.failed > 0 {
        let _ = writeln!(out, "{} replicates could not be forecast and are left out", d.failed);
    }
    let _ = writeln!(out, "final median: {}", spread_words(&d.median));
    let _ = writeln!(out, "final mean:   {}", spread_words(&d.mean));
    if !d.points.is_empty() {
        let mut t = output::table(vec!["nearest option".into(), "share of replicates".into(), "95% interval".into()]);
        for p in &d.points {
            let id = p.id.clone().unwrap_or_else(|| p.label.clone());
            t.add_row(vec![
                format!("{id}: {}", p.label),
                format!("{:.1}%", p.share.p * 100.0),
                format!("{:.1}–{:.1}%", p.share.lo * 100.0, p.share.hi * 100.0),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    let total: u64 = d.histogram.iter().map(|b| b.count).sum();
    let widest = d.histogram.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let mut t = output::table(vec!["final median".into(), "replicates".into(), String::new()]);
    let scale = c.data.scale();
    for b in d.histogram.iter().filter(|b| b.count > 0) {
        let bar = "█".repeat(((b.count * 40).div_ceil(widest)) as usize);
        t.add_row(vec![
            format!("{}–{}", number(scale, b.lo), number(scale, b.hi)),
            format!("{} ({:.1}%)", b.count, b.count as f64 * 100.0 / total.max(1) as f64),
            bar,
        ]);
    }
    let _ = writeln!(out, "{t}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Scale {
        let point = |value: f64, id: &str| ScalePoint { value, id: Some(id.into()), label: format!("the {id}") };
        Scale { points: vec![point(0.0, "low"), point(1.0, "mid"), point(2.0, "high")], ..Scale::default() }
    }

    #[test]
    fn test_on_scale_words() {
        assert_eq!(on_scale(&scale(), 1.0), "1.00 = mid (the mid)");
        assert_eq!(on_scale(&scale(), 1.3), "1.30, between mid and high, nearer mid (the mid)");
        assert_eq!(on_scale(&Scale::default(), 7.0), "7.00");
        let years = Scale { unit: Some("years".into()), ..Scale::default() };
        assert_eq!(on_scale(&years, 8.416), "8.42 years");
        assert_eq!(short(&scale(), 2.0), "2.00 high");
    }
}
