//! Experiments on disk: run, resumed, split into shards and merged, read back.
//!
//! An experiment's directory holds `experiment.json` (the [`Manifest`]: the design, the
//! scenario's hash, the shard), `chunks/` (each block of replicates as two CSV files,
//! written atomically when the block is done), and, once every replicate of the shard is
//! in, `replicates.csv`, `months.csv`, their Parquet twins and `summary.json`. An
//! interrupted run leaves whole chunks only; a resumed one computes the missing chunks.
//! The final files are always built from the chunk files, so a resumed or merged
//! experiment gives the same bytes as an uninterrupted one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parley_core::Scenario;
use parley_experiment::assimilate::Assimilated;
use parley_experiment::records::{month_header, month_rows, parse_replicate, replicate_header, replicate_row};
use parley_experiment::run::{Start, shard};
use parley_experiment::{Arm, Design, Experiment, Replicate, Summary, summarize};
use serde::{Deserialize, Serialize};

use crate::files::{create_dir, read_text, write_atomically};
use crate::observe::{Observer, Stage};
use crate::{AppError, scenario};

/// The manifest's file in an experiment's directory.
pub const MANIFEST: &str = "experiment.json";

/// What identifies an experiment's output directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The version of parley that ran it.
    pub parley_version: String,
    /// The scenario's id.
    pub scenario: String,
    /// The scenario's hash ([`scenario::hash`]).
    pub scenario_hash: String,
    /// Replicates of the whole experiment.
    pub runs: u64,
    /// Months simulated after the scenario date.
    pub months: u32,
    /// The master seed.
    pub seed: u64,
    /// The lever ids of each arm.
    pub arms: Vec<Vec<String>>,
    /// The uncertain parameters' paths.
    pub parameters: Vec<String>,
    /// `(index from 1, count)`.
    pub shard: (u64, u64),
    /// Replicates per chunk file.
    pub chunk: u64,
    /// Where replicates start: from the prior, or from the filtered record.
    #[serde(default)]
    pub start: Start,
}

impl Manifest {
    /// The experiment's design.
    pub fn design(&self) -> Design {
        Design {
            runs: self.runs,
            months: self.months,
            seed: self.seed,
            arms: self.arms.iter().map(|l| Arm::new(l.clone())).collect(),
            start: self.start,
        }
    }

    /// The same experiment, whatever the shard.
    fn same_experiment(&self, other: &Manifest) -> bool {
        Manifest { shard: other.shard, chunk: other.chunk, ..self.clone() } == *other
    }
}

/// Why the files of an experiment cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum StoreError {
    /// The directory holds an experiment, and it was not to be resumed.
    #[error("{} already holds an experiment", dir.display())]
    #[diagnostic(help("resume it, or choose another output directory"))]
    Occupied {
        /// The directory.
        dir: PathBuf,
    },
    /// The directory holds another experiment than the one asked for.
    #[error("{} holds a different experiment", dir.display())]
    #[diagnostic(help(
        "resume with the same scenario, seed, runs, months, levers, shard and chunk size, or choose another output directory"
    ))]
    Different {
        /// The directory.
        dir: PathBuf,
    },
    /// Not every replicate is on disk yet.
    #[error("the experiment in {} is incomplete: {found} of {expected} replicate runs are on disk", dir.display())]
    #[diagnostic(help("finish it first by resuming it with the same settings"))]
    Incomplete {
        /// The directory.
        dir: PathBuf,
        /// Replicate runs found.
        found: u64,
        /// Replicate runs expected.
        expected: u64,
    },
    /// A file of the experiment is not what parley wrote.
    #[error("{}: {reason}", path.display())]
    #[diagnostic(help("the experiment's files are written by parley, not by hand; run it again into a new directory"))]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The scenario given is not the one the experiment ran on.
    #[error("the scenario does not match {what} (hash {hash})")]
    #[diagnostic(help("give the scenario file they were run on (or none for the built-in scenario)"))]
    ScenarioMismatch {
        /// Which files.
        what: String,
        /// Their scenario's hash.
        hash: String,
    },
    /// Shards of different experiments were given to merge.
    #[error("{} holds a different experiment", dir.display())]
    #[diagnostic(help("merge only shards of one experiment"))]
    MixedShards {
        /// The odd directory.
        dir: PathBuf,
    },
    /// Replicates are missing from the shards to merge.
    #[error("replicates are missing, for example {examples:?}")]
    #[diagnostic(help("run the missing shards (or resume the interrupted ones) first"))]
    Missing {
        /// Some missing replicate indices.
        examples: Vec<u64>,
    },
    /// Nothing to merge.
    #[error("no shard directories to merge")]
    NoShards,
    /// The shard does not fit the experiment.
    #[error("{0}")]
    Shard(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError::Store(e)
    }
}

/// Refuses a scenario other than the one `what` (an experiment's files) was run on.
fn same_scenario(s: &Scenario, manifest: &Manifest, what: &str) -> Result<(), AppError> {
    if scenario::hash(s)? == manifest.scenario_hash {
        return Ok(());
    }
    Err(StoreError::ScenarioMismatch { what: what.into(), hash: manifest.scenario_hash.clone() }.into())
}

/// Reads the manifest of the experiment in `dir`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, AppError> {
    let path = dir.join(MANIFEST);
    let text = read_text(&path)?;
    serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt { path, reason: format!("not an experiment manifest: {e}") }.into())
}

fn chunk_paths(dir: &Path, start: u64) -> (PathBuf, PathBuf) {
    let chunks = dir.join("chunks");
    (chunks.join(format!("{start:010}.replicates.csv")), chunks.join(format!("{start:010}.months.csv")))
}

/// The arms' scenarios (levers applied), for the terms' names.
fn arm_scenarios(s: &Scenario, design: &Design) -> Result<Vec<Scenario>, AppError> {
    design.arms.iter().map(|a| scenario::with_levers(s, &a.levers)).collect()
}

/// Every replicate found in the chunk files of `dir`, with the start of each chunk. A
/// chunk whose replicates file is missing is not done (it is recomputed on resumption); a
/// done chunk that cannot be read is an error, never skipped.
fn read_chunks(
    dir: &Path,
    design: &Design,
    scenarios: &[&Scenario],
    parameters: usize,
) -> Result<Vec<(u64, Vec<Replicate>)>, AppError> {
    let parties = parley_sim::coupled::default_parties(scenarios[0]).len();
    let mut out = Vec::new();
    let chunks = dir.join("chunks");
    let entries = match std::fs::read_dir(&chunks) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(AppError::io("read", &chunks, e)),
    };
    let mut names: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    names.sort();
    for name in names {
        let Some(start) = name.strip_suffix(".replicates.csv").and_then(|s| s.parse::<u64>().ok()) else { continue };
        let (rep_path, month_path) = chunk_paths(dir, start);
        let reps = read_text(&rep_path)?;
        let months = read_text(&month_path)?;
        let bad = |reason: String| StoreError::Corrupt { path: rep_path.clone(), reason };
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
) -> Result<(), AppError> {
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
) -> Result<Summary, AppError> {
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
    let parquet = |batch: Result<_, parley_data::DataError>| -> Result<Vec<u8>, AppError> {
        batch
            .and_then(|b| parley_data::to_parquet(&b, &stamp))
            .map_err(|e| AppError::Internal(format!("cannot encode Parquet: {e}")))
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
    .map_err(|e| AppError::Internal(format!("cannot serialise the summary: {e}")))?;
    json.push('\n');
    write_atomically(&dir.join("summary.json"), &json)?;
    Ok(summary)
}

/// What to do when the output directory already holds an experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse ([`StoreError::Occupied`]).
    Refuse,
    /// Resume it if it is the same experiment; refuse another
    /// ([`StoreError::Different`]).
    Resume,
}

/// An experiment to run into an output directory.
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    /// The scenario, levers not applied.
    pub scenario: &'a Scenario,
    /// Levers applied in every arm.
    pub levers: &'a [String],
    /// One more arm per other lever of the scenario.
    pub compare: bool,
    /// Replicates of the whole experiment.
    pub runs: u64,
    /// Months simulated after the scenario date.
    pub months: u32,
    /// The master seed.
    pub seed: u64,
    /// The output directory.
    pub out: &'a Path,
    /// What to do with an experiment already there.
    pub existing: Existing,
    /// `(index from 1, count)`; `(1, 1)` for the whole experiment.
    pub shard: (u64, u64),
    /// Replicates per chunk file (and between two progress reports).
    pub chunk: u64,
    /// Where replicates start.
    pub start: Start,
}

/// An experiment whose every replicate is on disk, read back or just computed.
pub struct Finished {
    /// The design and stamp of the directory.
    pub manifest: Manifest,
    /// Every replicate of the shard under every arm, by index, then arm.
    pub replicates: Vec<Replicate>,
    /// Their summary, as written to `summary.json`.
    pub summary: Summary,
    /// Replicates already on disk that were reused rather than computed.
    pub reused: u64,
    /// The filtered record the replicates started from, if they did.
    pub record: Option<Arc<Assimilated>>,
}

/// The manifest `plan` would write.
pub fn manifest(plan: &Plan<'_>) -> Result<Manifest, AppError> {
    let s = plan.scenario;
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
    Ok(Manifest {
        parley_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: s.metadata.id.clone(),
        scenario_hash: scenario::hash(s)?,
        runs: plan.runs,
        months: plan.months,
        seed: plan.seed,
        arms,
        parameters: s.uncertain.iter().map(|u| u.path.clone()).collect(),
        shard: plan.shard,
        chunk: plan.chunk.max(1),
        start: plan.start,
    })
}

/// Runs (or resumes) an experiment into `plan.out` and writes its final files.
pub fn execute(plan: &Plan<'_>, observer: &dyn Observer) -> Result<Finished, AppError> {
    let s = plan.scenario;
    if s.conflict.is_none() {
        return Err(AppError::input("the scenario has no [conflict] section to simulate", "add a [conflict] section"));
    }
    let (index, count) = plan.shard;
    let range = shard(plan.runs, index, count).map_err(|e| StoreError::Shard(e.to_string()))?;
    let manifest = manifest(plan)?;
    let dir = plan.out;
    let existing = dir.join(MANIFEST);
    if existing.exists() {
        let old = read_manifest(dir)?;
        if plan.existing == Existing::Refuse {
            return Err(StoreError::Occupied { dir: dir.to_path_buf() }.into());
        }
        if old != manifest {
            return Err(StoreError::Different { dir: dir.to_path_buf() }.into());
        }
    }
    create_dir(&dir.join("chunks"))?;
    let manifest_json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| AppError::Internal(format!("cannot serialise the manifest: {e}")))?
        + "\n";
    write_atomically(&existing, &manifest_json)?;
    let design = manifest.design();
    let owned = arm_scenarios(s, &design)?;
    let scenarios: Vec<&Scenario> = owned.iter().collect();
    let experiment = Experiment::new(s, design.clone())?;
    let sides = {
        let c = s.conflict.as_ref().expect("checked above");
        [0, 1].map(|i| s.actors[c.sides[i].actor].id.clone())
    };
    let parties: Vec<String> = experiment.arm(0).parties().iter().map(|&a| s.actors[a].id.clone()).collect();
    let headers = [replicate_header(&manifest.parameters, &sides), month_header(&sides, &parties)];
    let done: Vec<(u64, u64)> = read_chunks(dir, &design, &scenarios, manifest.parameters.len())?
        .iter()
        .map(|(start, r)| (*start, r.len() as u64 / design.arms.len().max(1) as u64))
        .collect();
    let total = range.end - range.start;
    observer.stage(&Stage::Experiment { total, months: plan.months, arms: design.arms.len() });
    let mut start = range.start;
    let mut finished = 0;
    let mut reused = 0;
    observer.progress(0, total);
    while start < range.end {
        let end = (start + manifest.chunk).min(range.end);
        match done.iter().find(|(st, _)| *st == start) {
            Some((_, n)) => reused += n,
            None => {
                if observer.cancelled() {
                    return Err(AppError::Cancelled);
                }
                let replicates = experiment.replicates(start..end)?;
                write_chunk(dir, start, &replicates, &design, &scenarios, &headers)?;
            }
        }
        finished += end - start;
        observer.progress(finished, total);
        start = end;
    }
    let replicates = read_range(dir, &design, &scenarios, manifest.parameters.len(), &range)?;
    let record = experiment.record();
    write_record(dir, &manifest, record.as_deref())?;
    let summary = write_results(dir, &manifest, &replicates, &scenarios)?;
    Ok(Finished { manifest, replicates, summary, reused, record })
}

/// The record's file in an experiment's directory: how the filter went.
pub const RECORD: &str = "assimilation.json";

/// Writes the filter's diagnostics beside the results (nothing if replicates start from
/// the prior).
fn write_record(dir: &Path, manifest: &Manifest, record: Option<&Assimilated>) -> Result<(), AppError> {
    let Some(record) = record else { return Ok(()) };
    #[derive(Serialize)]
    struct Record<'a> {
        parley_version: &'a str,
        scenario: &'a str,
        scenario_hash: &'a str,
        seed: u64,
        #[serde(flatten)]
        diagnostics: &'a parley_experiment::assimilate::Diagnostics,
    }
    let json = serde_json::to_string_pretty(&Record {
        parley_version: &manifest.parley_version,
        scenario: &manifest.scenario,
        scenario_hash: &manifest.scenario_hash,
        seed: manifest.seed,
        diagnostics: &record.diagnostics,
    })
    .map_err(|e| AppError::Internal(format!("cannot serialise the record's diagnostics: {e}")))?;
    write_atomically(&dir.join(RECORD), json + "\n")
}

/// The replicates of the chunks of `dir` that start in `range`, by index then arm.
fn read_range(
    dir: &Path,
    design: &Design,
    scenarios: &[&Scenario],
    parameters: usize,
    range: &std::ops::Range<u64>,
) -> Result<Vec<Replicate>, AppError> {
    let mut replicates: Vec<Replicate> = read_chunks(dir, design, scenarios, parameters)?
        .into_iter()
        .filter(|(start, _)| range.contains(start))
        .flat_map(|(_, r)| r)
        .collect();
    replicates.sort_by_key(|r| (r.index, r.arm));
    Ok(replicates)
}

/// Reads back a finished experiment's directory (of an experiment, a merge or a main job)
/// on `s`, the scenario it was run on, without computing anything.
pub fn load_finished(dir: &Path, s: &Scenario) -> Result<Finished, AppError> {
    let manifest = read_manifest(dir)?;
    same_scenario(s, &manifest, &format!("the experiment in {}", dir.display()))?;
    let design = manifest.design();
    let owned = arm_scenarios(s, &design)?;
    let scenarios: Vec<&Scenario> = owned.iter().collect();
    let range = shard(manifest.runs, manifest.shard.0, manifest.shard.1)
        .map_err(|e| StoreError::Corrupt { path: dir.join(MANIFEST), reason: e.to_string() })?;
    let replicates = read_range(dir, &design, &scenarios, manifest.parameters.len(), &range)?;
    let expected = (range.end - range.start) * design.arms.len() as u64;
    if replicates.len() as u64 != expected {
        return Err(StoreError::Incomplete { dir: dir.to_path_buf(), found: replicates.len() as u64, expected }.into());
    }
    let summary = summarize(&design, &scenarios, &manifest.parameters, &replicates);
    let reused = replicates.len() as u64 / design.arms.len().max(1) as u64;
    // The filtered record is not saved, only its diagnostics: filter it again (it depends
    // on the scenario and the seed alone).
    let record = parley_experiment::run::record(s, manifest.start, manifest.seed, None)?.map(Arc::new);
    Ok(Finished { manifest, replicates, summary, reused, record })
}

/// Merges the shards in `dirs` (of one experiment, on the scenario `s`) into `out`, which
/// then holds the whole experiment as if it had run in one piece.
pub fn merge(dirs: &[PathBuf], s: &Scenario, out: &Path) -> Result<Summary, AppError> {
    let manifests = dirs.iter().map(|d| read_manifest(d)).collect::<Result<Vec<_>, _>>()?;
    let first = manifests.first().ok_or(StoreError::NoShards)?;
    if let Some((d, _)) = dirs.iter().zip(&manifests).find(|(_, m)| !first.same_experiment(m)) {
        return Err(StoreError::MixedShards { dir: d.clone() }.into());
    }
    same_scenario(s, first, "the shards")?;
    let design = first.design();
    let owned = arm_scenarios(s, &design)?;
    let scenarios: Vec<&Scenario> = owned.iter().collect();
    let mut replicates = Vec::new();
    for dir in dirs {
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
        return Err(StoreError::Missing { examples: missing }.into());
    }
    let merged = Manifest { shard: (1, 1), chunk: first.chunk, ..first.clone() };
    create_dir(&out.join("chunks"))?;
    let json = serde_json::to_string_pretty(&merged)
        .map_err(|e| AppError::Internal(format!("cannot serialise the manifest: {e}")))?;
    write_atomically(&out.join(MANIFEST), json + "\n")?;
    // The merged directory holds chunk files too, laid out as one uninterrupted run would
    // have written them, so it can be read back and reported like any experiment.
    let names = summarize(&design, &scenarios, &merged.parameters, &[]);
    let headers = [replicate_header(&merged.parameters, &names.sides), month_header(&names.sides, &names.parties)];
    let chunk = merged.chunk.max(1);
    for block in replicates.chunk_by(|a, b| a.index / chunk == b.index / chunk) {
        write_chunk(out, block[0].index / chunk * chunk, block, &design, &scenarios, &headers)?;
    }
    // Every shard filtered the same record (same scenario and seed): keep the first's account.
    let record = dirs[0].join(RECORD);
    if record.exists() {
        write_atomically(&out.join(RECORD), read_text(&record)?)?;
    }
    write_results(out, &merged, &replicates, &scenarios)
}
