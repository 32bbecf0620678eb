//! `parley experiment` and `parley merge`: Monte Carlo over the uncertain assumptions,
//! levers compared, results on disk.
//!
//! An output directory holds `experiment.json` (the design, the scenario's hash, the
//! shard), `chunks/` (each block of replicates as two CSV files, written atomically when
//! the block is done), and, once every replicate of the shard is in, `replicates.csv`,
//! `months.csv` and `summary.json`. An interrupted run leaves whole chunks only;
//! `--resume` computes the missing ones. The final files are always built from the chunk
//! files, so a resumed or merged experiment gives the same bytes as an uninterrupted one.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use parley_core::Scenario;
use parley_experiment::records::{month_header, month_rows, parse_replicate, replicate_header, replicate_row};
use parley_experiment::{Arm, Design, Experiment, Replicate, Summary, run::shard, summarize};
use serde::{Deserialize, Serialize};

use crate::args::{ExperimentArgs, MergeArgs, OutputFormat};
use crate::output::{self, write_atomically};
use crate::{Failure, Status, scenario};

/// What identifies an experiment's output directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub(crate) parley_version: String,
    pub(crate) scenario: String,
    pub(crate) scenario_hash: String,
    pub(crate) runs: u64,
    pub(crate) months: u32,
    pub(crate) seed: u64,
    pub(crate) arms: Vec<Vec<String>>,
    pub(crate) parameters: Vec<String>,
    pub(crate) shard: (u64, u64),
    pub(crate) chunk: u64,
}

impl Manifest {
    fn design(&self) -> Design {
        Design {
            runs: self.runs,
            months: self.months,
            seed: self.seed,
            arms: self.arms.iter().map(|l| Arm::new(l.clone())).collect(),
        }
    }

    /// The same experiment, whatever the shard.
    fn same_experiment(&self, other: &Manifest) -> bool {
        Manifest { shard: other.shard, chunk: other.chunk, ..self.clone() } == *other
    }
}

/// FNV-1a (64 bits) of the scenario's canonical JSON: which scenario produced a file.
pub(crate) fn scenario_hash(s: &Scenario) -> Result<String, Failure> {
    let json = parley_io::to_json(s).map_err(|e| miette::miette!("{e}"))?;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Ok(format!("fnv1a64:{h:016x}"))
}

/// Refuses a scenario other than the one `what` (an experiment's files) was run on.
fn same_scenario(s: &Scenario, manifest: &Manifest, what: &str) -> Result<(), Failure> {
    if scenario_hash(s)? == manifest.scenario_hash {
        return Ok(());
    }
    Err(miette::miette!(
        help = "give the scenario file they were run on (or none for the built-in scenario)",
        "the scenario does not match {what} (hash {})",
        manifest.scenario_hash
    )
    .into())
}

fn read_manifest(dir: &Path) -> Result<Manifest, Failure> {
    let path = dir.join("experiment.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        miette::miette!(help = "give a directory written by parley experiment", "cannot read {}: {e}", path.display())
    })?;
    serde_json::from_str(&text)
        .map_err(|e| miette::miette!("{}: not an experiment manifest: {e}", path.display()).into())
}

fn chunk_paths(dir: &Path, start: u64) -> (PathBuf, PathBuf) {
    let chunks = dir.join("chunks");
    (chunks.join(format!("{start:010}.replicates.csv")), chunks.join(format!("{start:010}.months.csv")))
}

/// The arms' scenarios (levers applied), for the terms' names.
fn arm_scenarios(s: &Scenario, design: &Design) -> Result<Vec<Scenario>, Failure> {
    design.arms.iter().map(|a| scenario::with_levers(s, &a.levers)).collect()
}

/// Every replicate found in the chunk files of `dir`, with the range each chunk covers.
fn read_chunks(
    dir: &Path,
    design: &Design,
    scenarios: &[&Scenario],
    parameters: usize,
) -> Result<Vec<(u64, Vec<Replicate>)>, Failure> {
    let parties = parley_sim::coupled::default_parties(scenarios[0]).len();
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir.join("chunks")) else { return Ok(out) };
    let mut names: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    names.sort();
    for name in names {
        let Some(start) = name.strip_suffix(".replicates.csv").and_then(|s| s.parse::<u64>().ok()) else { continue };
        let (rep_path, month_path) = chunk_paths(dir, start);
        let (Ok(reps), Ok(months)) = (std::fs::read_to_string(&rep_path), std::fs::read_to_string(&month_path)) else {
            continue; // an incomplete chunk is recomputed
        };
        let bad = |e: String| miette::miette!("{}: {e}", rep_path.display());
        let month_lines: Vec<&str> = months.lines().skip(1).collect();
        let per = design.months as usize;
        let mut replicates = Vec::new();
        for (k, row) in reps.lines().skip(1).enumerate() {
            let months =
                month_lines.get(k * per..(k + 1) * per).ok_or_else(|| bad("the months file is short".into()))?;
            replicates.push(parse_replicate(row, months, design, scenarios, parameters, parties).map_err(bad)?);
        }
        out.push((start, replicates));
    }
    Ok(out)
}

/// Writes a chunk's two files; `headers` are the replicates' and the months' headers.
fn write_chunk(
    dir: &Path,
    start: u64,
    replicates: &[Replicate],
    design: &Design,
    scenarios: &[&Scenario],
    headers: &[String; 2],
) -> Result<(), Failure> {
    let (rep_path, month_path) = chunk_paths(dir, start);
    let mut reps = format!("{}\n", headers[0]);
    let mut months = format!("{}\n", headers[1]);
    for r in replicates {
        reps.push_str(&replicate_row(r, design, scenarios[r.arm]));
        reps.push('\n');
        months.push_str(&month_rows(r, design));
    }
    // Months first: a chunk counts as done once its replicates file exists.
    write_atomically(&month_path, &months)?;
    write_atomically(&rep_path, &reps)
}

/// Writes the final tables and summary of `replicates` (sorted by index, then arm).
fn write_results(
    dir: &Path,
    manifest: &Manifest,
    replicates: &[Replicate],
    scenarios: &[&Scenario],
) -> Result<Summary, Failure> {
    let design = manifest.design();
    let summary = summarize(&design, scenarios, &manifest.parameters, replicates);
    let stamp = format!(
        "# parley {}; scenario {} {}; seed {}; runs {}; months {}",
        manifest.parley_version,
        manifest.scenario,
        manifest.scenario_hash,
        manifest.seed,
        manifest.runs,
        manifest.months
    );
    let mut reps = format!("{stamp}\n{}\n", replicate_header(&manifest.parameters, &summary.sides));
    let mut months = format!("{stamp}\n{}\n", month_header(&summary.sides, &summary.parties));
    for r in replicates {
        reps.push_str(&replicate_row(r, &design, scenarios[r.arm]));
        reps.push('\n');
        months.push_str(&month_rows(r, &design));
    }
    write_atomically(&dir.join("replicates.csv"), &reps)?;
    write_atomically(&dir.join("months.csv"), &months)?;
    let stamp = parley_data::Stamp {
        parley_version: manifest.parley_version.clone(),
        scenario: manifest.scenario.clone(),
        scenario_hash: manifest.scenario_hash.clone(),
        seed: manifest.seed,
        runs: manifest.runs,
        months: manifest.months,
    };
    let parquet = |batch: Result<_, parley_data::DataError>| -> Result<Vec<u8>, Failure> {
        Ok(batch.and_then(|b| parley_data::to_parquet(&b, &stamp)).map_err(|e| miette::miette!("{e}"))?)
    };
    write_atomically(
        &dir.join("replicates.parquet"),
        parquet(parley_data::replicates_batch(replicates, &design, scenarios, &manifest.parameters, &summary.sides))?,
    )?;
    write_atomically(
        &dir.join("months.parquet"),
        parquet(parley_data::months_batch(replicates, &design, &summary.sides, &summary.parties))?,
    )?;
    #[derive(Serialize)]
    struct Report<'a> {
        parley_version: &'a str,
        scenario: &'a str,
        scenario_hash: &'a str,
        seed: u64,
        #[serde(flatten)]
        summary: &'a Summary,
    }
    let mut json = serde_json::to_string_pretty(&Report {
        parley_version: &manifest.parley_version,
        scenario: &manifest.scenario,
        scenario_hash: &manifest.scenario_hash,
        seed: manifest.seed,
        summary: &summary,
    })
    .map_err(|e| miette::miette!("cannot serialise the summary: {e}"))?;
    json.push('\n');
    write_atomically(&dir.join("summary.json"), &json)?;
    Ok(summary)
}

fn progress(done: u64, total: u64) {
    if std::io::stderr().is_terminal() {
        let width = 30;
        let filled = (done * width / total.max(1)) as usize;
        eprint!("\r[{}{}] {done}/{total} replicates", "#".repeat(filled), "-".repeat(width as usize - filled));
        if done == total {
            eprintln!();
        }
    }
}

/// What to run into an output directory: the arguments of `parley experiment`, on a
/// loaded scenario (`parley run` builds one too).
pub(crate) struct Plan<'a> {
    /// The scenario, levers not applied.
    pub scenario: &'a Scenario,
    /// Levers applied in every arm.
    pub levers: &'a [String],
    /// One more arm per other lever of the scenario.
    pub compare: bool,
    pub runs: u64,
    pub months: u32,
    pub seed: u64,
    pub out: &'a Path,
    pub resume: bool,
    pub shard: Option<&'a str>,
    pub chunk: u64,
    /// Whether to draw a progress bar on a terminal.
    pub progress: bool,
}

/// An experiment whose every replicate is on disk, read back or just computed.
pub(crate) struct Finished {
    /// The design and stamp of the directory.
    pub manifest: Manifest,
    /// Every replicate of the shard under every arm, by index, then arm.
    pub replicates: Vec<Replicate>,
    /// Their summary, as written to `summary.json`.
    pub summary: Summary,
}

pub(crate) fn run(args: &ExperimentArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let finished = execute(&Plan {
        scenario: &loaded.scenario,
        levers: &args.levers,
        compare: args.compare,
        runs: args.runs,
        months: args.months,
        seed: args.seed,
        out: &args.out,
        resume: args.resume,
        shard: args.shard.as_deref(),
        chunk: args.chunk,
        progress: true,
    })?;
    report(&finished.summary, &args.out, format)?;
    Ok(Status::Success)
}

/// Runs (or resumes) an experiment into `plan.out` and writes its final files.
pub(crate) fn execute(plan: &Plan<'_>) -> Result<Finished, Failure> {
    let s = plan.scenario;
    if s.conflict.is_none() {
        return Err(miette::miette!(
            help = "add a [conflict] section",
            "the scenario has no [conflict] section to simulate"
        )
        .into());
    }
    scenario::levers(s, plan.levers)?;
    let mut arms = vec![plan.levers.to_vec()];
    if plan.compare {
        for lever in &s.levers {
            if !plan.levers.contains(&lever.id) {
                let mut l = plan.levers.to_vec();
                l.push(lever.id.clone());
                arms.push(l);
            }
        }
    }
    let (index, count) = match plan.shard {
        None => (1, 1),
        Some(text) => {
            text.split_once('/').and_then(|(i, n)| Some((i.parse().ok()?, n.parse().ok()?))).ok_or_else(|| {
                miette::miette!(help = "write --shard I/N, e.g. --shard 2/8", "--shard: cannot read \"{text}\"")
            })?
        }
    };
    let range = shard(plan.runs, index, count).map_err(|e| miette::miette!("{e}"))?;
    let manifest = Manifest {
        parley_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: s.metadata.id.clone(),
        scenario_hash: scenario_hash(s)?,
        runs: plan.runs,
        months: plan.months,
        seed: plan.seed,
        arms,
        parameters: s.uncertain.iter().map(|u| u.path.clone()).collect(),
        shard: (index, count),
        chunk: plan.chunk.max(1),
    };
    let dir = plan.out;
    let existing = dir.join("experiment.json");
    if existing.exists() {
        let old = read_manifest(dir)?;
        if !plan.resume {
            return Err(miette::miette!(
                help = "add --resume to continue it, or choose another output directory",
                "{} already holds an experiment",
                dir.display()
            )
            .into());
        }
        if old != manifest {
            return Err(miette::miette!(
                help = "resume with the same scenario, seed, runs, months, levers, shard and chunk size",
                "{} holds a different experiment",
                dir.display()
            )
            .into());
        }
    }
    std::fs::create_dir_all(dir.join("chunks")).map_err(|e| miette::miette!("cannot create {}: {e}", dir.display()))?;
    let manifest_json = serde_json::to_string_pretty(&manifest).map_err(|e| miette::miette!("{e}"))? + "\n";
    write_atomically(&existing, &manifest_json)?;
    let design = manifest.design();
    let owned = arm_scenarios(s, &design)?;
    let scenarios: Vec<&Scenario> = owned.iter().collect();
    let experiment = Experiment::new(s, design.clone()).map_err(|e| miette::miette!("{e}"))?;
    let sides = {
        let c = s.conflict.as_ref().expect("checked above");
        [0, 1].map(|i| s.actors[c.sides[i].actor].id.clone())
    };
    let parties: Vec<String> = experiment.arm(0).parties().iter().map(|&a| s.actors[a].id.clone()).collect();
    let headers = [replicate_header(&manifest.parameters, &sides), month_header(&sides, &parties)];
    let done: Vec<u64> =
        read_chunks(dir, &design, &scenarios, manifest.parameters.len())?.iter().map(|(st, _)| *st).collect();
    let total = range.end - range.start;
    let mut start = range.start;
    let mut finished = 0;
    while start < range.end {
        let end = (start + manifest.chunk).min(range.end);
        if !done.contains(&start) {
            let replicates = experiment.replicates(start..end).map_err(|e| miette::miette!("{e}"))?;
            write_chunk(dir, start, &replicates, &design, &scenarios, &headers)?;
        }
        finished += end - start;
        if plan.progress {
            progress(finished, total);
        }
        start = end;
    }
    let replicates = read_range(dir, &design, &scenarios, manifest.parameters.len(), &range)?;
    let summary = write_results(dir, &manifest, &replicates, &scenarios)?;
    Ok(Finished { manifest, replicates, summary })
}

/// The replicates of the chunks of `dir` that start in `range`, by index then arm.
fn read_range(
    dir: &Path,
    design: &Design,
    scenarios: &[&Scenario],
    parameters: usize,
    range: &std::ops::Range<u64>,
) -> Result<Vec<Replicate>, Failure> {
    let mut replicates: Vec<Replicate> = read_chunks(dir, design, scenarios, parameters)?
        .into_iter()
        .filter(|(start, _)| range.contains(start))
        .flat_map(|(_, r)| r)
        .collect();
    replicates.sort_by_key(|r| (r.index, r.arm));
    Ok(replicates)
}

/// Reads back a finished experiment's directory (of `parley experiment`, `merge` or `run`)
/// on `s`, the scenario it was run on, without computing anything.
pub(crate) fn load_finished(dir: &Path, s: &Scenario) -> Result<Finished, Failure> {
    let manifest = read_manifest(dir)?;
    same_scenario(s, &manifest, &format!("the experiment in {}", dir.display()))?;
    let design = manifest.design();
    let owned = arm_scenarios(s, &design)?;
    let scenarios: Vec<&Scenario> = owned.iter().collect();
    let range = shard(manifest.runs, manifest.shard.0, manifest.shard.1).map_err(|e| miette::miette!("{e}"))?;
    let replicates = read_range(dir, &design, &scenarios, manifest.parameters.len(), &range)?;
    let expected = (range.end - range.start) * design.arms.len() as u64;
    if replicates.len() as u64 != expected {
        return Err(miette::miette!(
            help = "finish it first with `parley experiment --resume` (same arguments)",
            "the experiment in {} is incomplete: {} of {expected} replicate runs are on disk",
            dir.display(),
            replicates.len()
        )
        .into());
    }
    let summary = summarize(&design, &scenarios, &manifest.parameters, &replicates);
    Ok(Finished { manifest, replicates, summary })
}

pub(crate) fn merge(args: &MergeArgs, format: OutputFormat) -> Result<Status, Failure> {
    let manifests = args.dirs.iter().map(|d| read_manifest(d)).collect::<Result<Vec<_>, _>>()?;
    let first = manifests.first().ok_or_else(|| miette::miette!("give the shard directories to merge"))?;
    if let Some((d, _)) = args.dirs.iter().zip(&manifests).find(|(_, m)| !first.same_experiment(m)) {
        return Err(miette::miette!(
            help = "merge only shards of one experiment",
            "{} holds a different experiment",
            d.display()
        )
        .into());
    }
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    same_scenario(s, first, "the shards")?;
    let design = first.design();
    let owned = arm_scenarios(s, &design)?;
    let scenarios: Vec<&Scenario> = owned.iter().collect();
    let mut replicates = Vec::new();
    for dir in &args.dirs {
        for (_, r) in read_chunks(dir, &design, &scenarios, first.parameters.len())? {
            replicates.extend(r);
        }
    }
    replicates.sort_by_key(|r| (r.index, r.arm));
    replicates.dedup_by_key(|r| (r.index, r.arm));
    let arms = design.arms.len() as u64;
    let missing: Vec<u64> = (0..first.runs)
        .filter(|i| replicates.iter().filter(|r| r.index == *i).count() as u64 != arms)
        .take(5)
        .collect();
    if !missing.is_empty() {
        return Err(miette::miette!(
            help = "run the missing shards (or --resume the interrupted ones) first",
            "replicates are missing, for example {missing:?}"
        )
        .into());
    }
    let merged = Manifest { shard: (1, 1), chunk: first.chunk, ..first.clone() };
    std::fs::create_dir_all(args.out.join("chunks"))
        .map_err(|e| miette::miette!("cannot create {}: {e}", args.out.display()))?;
    write_atomically(
        &args.out.join("experiment.json"),
        &(serde_json::to_string_pretty(&merged).map_err(|e| miette::miette!("{e}"))? + "\n"),
    )?;
    let summary = write_results(&args.out, &merged, &replicates, &scenarios)?;
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
