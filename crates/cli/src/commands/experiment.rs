//! `parley experiment` and `parley merge`: Monte Carlo over the uncertain assumptions,
//! levers compared, results on disk. The directory's layout, resumption, shards and merging
//! are `parley_app::store`'s; this module parses the arguments and prints the summary.

use std::fmt::Write as _;
use std::path::Path;

use parley_app::store::{self, Existing, Plan};
use parley_experiment::Summary;

use crate::args::{ExperimentArgs, MergeArgs, OutputFormat};
use crate::output::{self, Progress};
use crate::{Failure, Status, scenario};

pub(crate) fn run(args: &ExperimentArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let shard = match args.shard.as_deref() {
        None => (1, 1),
        Some(text) => parse_shard(text)?,
    };
    let plan = Plan {
        scenario: &loaded.scenario,
        levers: &args.levers,
        compare: args.compare,
        runs: args.runs,
        months: args.months,
        seed: args.seed,
        out: &args.out,
        existing: if args.resume { Existing::Resume } else { Existing::Refuse },
        shard,
        chunk: args.chunk,
        start: args.start.start(&loaded.scenario),
    };
    let finished = store::execute(&plan, &Progress::new())?;
    report(&finished.summary, &args.out, format)?;
    Ok(Status::Success)
}

/// `I/N` as a shard.
fn parse_shard(text: &str) -> Result<(u64, u64), Failure> {
    text.split_once('/').and_then(|(i, n)| Some((i.parse().ok()?, n.parse().ok()?))).ok_or_else(|| {
        miette::miette!(help = "write --shard I/N, e.g. --shard 2/8", "--shard: cannot read \"{text}\"").into()
    })
}

pub(crate) fn merge(args: &MergeArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let summary = store::merge(&args.dirs, &loaded.scenario, &args.out)?;
    report(&summary, &args.out, format)?;
    Ok(Status::Success)
}

fn pct(p: f64) -> String {
    format!("{:.1}%", 100.0 * p)
}

fn report(summary: &Summary, dir: &Path, format: OutputFormat) -> Result<(), Failure> {
    if format == OutputFormat::Json {
        return output::print_json(summary);
    }
    let mut out = String::new();
    let d = &summary.design;
    let _ =
        writeln!(out, "{} replicates × {} months, seed {}; results in {}\n", d.runs, d.months, d.seed, dir.display());
    let at = |a: &parley_experiment::stats::ArmSummary, m: usize| {
        a.settled_by_month
            .get(m.min(a.settled_by_month.len()) - 1)
            .map_or("–".into(), |p| format!("{} [{}, {}]", pct(p.p), pct(p.lo), pct(p.hi)))
    };
    let mut t = output::table(
        [
            "arm",
            "settled by 6 months",
            "by 12",
            "by horizon",
            "holding at horizon",
            "median month",
            "held km² (median)",
        ]
        .map(String::from)
        .to_vec(),
    );
    for a in &summary.arms {
        t.add_row(vec![
            a.arm.clone(),
            at(a, 6),
            at(a, 12),
            at(a, d.months as usize),
            format!(
                "{} [{}, {}]",
                pct(a.holding_at_horizon.p),
                pct(a.holding_at_horizon.lo),
                pct(a.holding_at_horizon.hi)
            ),
            if a.settlement_month.p50.is_nan() { "–".into() } else { format!("{:.0}", a.settlement_month.p50) },
            format!("{:.0}", a.held.p50),
        ]);
    }
    let _ = writeln!(out, "{t}\n");
    if !summary.differences.is_empty() {
        let mut t = output::table(
            ["lever vs baseline", "Δ settled within 12 months", "Δ holding at horizon", "Δ held km²"]
                .map(String::from)
                .to_vec(),
        );
        for x in &summary.differences {
            t.add_row(vec![
                x.arm.clone(),
                format!(
                    "{:+.1} pts [{:+.1}, {:+.1}]",
                    100.0 * x.settled_within_12.mean,
                    100.0 * x.settled_within_12.lo,
                    100.0 * x.settled_within_12.hi
                ),
                format!(
                    "{:+.1} pts [{:+.1}, {:+.1}]",
                    100.0 * x.holding_at_horizon.mean,
                    100.0 * x.holding_at_horizon.lo,
                    100.0 * x.holding_at_horizon.hi
                ),
                format!("{:+.0} [{:+.0}, {:+.0}]", x.held.mean, x.held.lo, x.held.hi),
            ]);
        }
        let _ = writeln!(out, "{t}\n");
    }
    let _ = writeln!(
        out,
        "95% intervals; differences are paired by replicate (common random numbers). Conditional on the scenario's assumptions and their ranges ([[uncertain]])."
    );
    output::print(&out)
}
