//! Experiments on disk: run, resumed, split into shards and merged, read back.
//!
//! An experiment's directory holds `experiment.json` (the [`Manifest`]: the design, the
//! scenario's hash, the shard), `chunks/` (each block of replicates as two CSV files,
//! written atomically when the block is done), and, once every replicate of the shard is
//! in, `replicates.csv`, `months.csv`, their Parquet twins and `summary.json`. An
//! interrupted run leaves whole chunks only; a resumed one computes the missing chunks.
//! The final files are always built from the chunk files, so a resumed or merged
//! experiment gives the same bytes as an uninterrupted one. They are written as the chunks
//! are read, one at a time, with the summary accumulated on the way ([`Summarizer`]), so
//! memory does not grow with the number of replicates.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parley_core::Scenario;
use parley_data::ParquetSink;
use parley_experiment::assimilate::Assimilated;
use parley_experiment::records::{Columns, TableWriter, read_tables, write_tables};
use parley_experiment::run::{Start, shard};
use parley_experiment::{Arm, Design, Experiment, Monthly, Replicate, Summarizer, Summary, summarize};
use serde::{Deserialize, Serialize};

use crate::files::{AtomicFile, create_dir, read_bytes, read_text, write_atomically};
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

/// The first replicate of every done chunk of `dir`, ascending. A chunk whose replicates
/// file is missing is not done (it is recomputed on resumption).
fn chunk_starts(dir: &Path) -> Result<Vec<u64>, AppError> {
    let chunks = dir.join("chunks");
    let entries = match std::fs::read_dir(&chunks) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AppError::io("read", &chunks, e)),
    };
    // An entry that cannot be read is an error; a name that is not UTF-8 is no chunk of ours.
    let mut starts = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| AppError::io("read", &chunks, e))?;
        if let Ok(name) = entry.file_name().into_string()
            && let Some(start) = name.strip_suffix(".replicates.csv").and_then(|s| s.parse::<u64>().ok())
        {
            starts.push(start);
        }
    }
    starts.sort_unstable();
    Ok(starts)
}

/// What reading an experiment's chunk files needs to know.
#[derive(Clone, Copy)]
struct Layout<'a> {
    design: &'a Design,
    scenarios: &'a [&'a Scenario],
    parameters: usize,
    parties: usize,
}

impl Layout<'_> {
    /// The replicates of the chunk of `dir` that starts at `start`, by index then arm. A
    /// done chunk that cannot be read is an error, never skipped.
    fn read(&self, dir: &Path, start: u64) -> Result<Vec<Replicate>, AppError> {
        let (rep_path, month_path) = chunk_paths(dir, start);
        let reps = read_bytes(&rep_path)?;
        let months = read_bytes(&month_path)?;
        let mut replicates = read_tables(&reps, &months, self.design, self.scenarios, self.parameters, self.parties)
            .map_err(|reason| StoreError::Corrupt { path: rep_path.clone(), reason })?;
        replicates.sort_by_key(|r| (r.index, r.arm));
        Ok(replicates)
    }
}

/// Writes a chunk's two files.
fn write_chunk(
    dir: &Path,
    start: u64,
    replicates: &[Replicate],
    design: &Design,
    scenarios: &[&Scenario],
    columns: Columns<'_>,
) -> Result<(), AppError> {
    let (rep_path, month_path) = chunk_paths(dir, start);
    let (reps, months) = write_tables(None, columns, replicates, design, scenarios).map_err(csv_failed)?;
    // Months first: a chunk counts as done once its replicates file exists.
    write_atomically(&month_path, &months)?;
    write_atomically(&rep_path, &reps)
}

fn csv_failed(e: csv::Error) -> AppError {
    AppError::Internal(format!("cannot write an experiment's table: {e}"))
}

fn parquet_failed(e: parley_data::DataError) -> AppError {
    AppError::Internal(format!("cannot encode Parquet: {e}"))
}

/// An experiment's final files — `replicates.csv`, `months.csv`, their Parquet twins and
/// `summary.json` — written as its replicates stream past, chunk by chunk in index order,
/// with the summary and the reference arm's months accumulated on the way. Memory does not
/// grow with the number of replicates.
struct Results<'a> {
    dir: &'a Path,
    manifest: &'a Manifest,
    layout: Layout<'a>,
    sides: [String; 2],
    parties: Vec<String>,
    tables: TableWriter<'a, AtomicFile>,
    replicates_parquet: ParquetSink<AtomicFile>,
    months_parquet: ParquetSink<AtomicFile>,
    rows: u64,
    summarizer: Summarizer<'a>,
    monthly: Monthly,
}

impl<'a> Results<'a> {
    fn open(dir: &'a Path, manifest: &'a Manifest, layout: Layout<'a>) -> Result<Results<'a>, AppError> {
        let names = summarize(layout.design, layout.scenarios, &manifest.parameters, &[]);
        let stamp = format!(
            "# parley {}; scenario {} {}; seed {}; runs {}; months {}",
            manifest.parley_version,
            manifest.scenario,
            manifest.scenario_hash,
            manifest.seed,
            manifest.runs,
            manifest.months
        );
        let columns = Columns { parameters: &manifest.parameters, sides: &names.sides, parties: &names.parties };
        let tables = TableWriter::new(
            Some(&stamp),
            columns,
            layout.design,
            layout.scenarios,
            AtomicFile::create(&dir.join("replicates.csv"))?,
            AtomicFile::create(&dir.join("months.csv"))?,
        )
        .map_err(csv_failed)?;
        let stamp = parley_data::Stamp {
            parley_version: manifest.parley_version.clone(),
            scenario: manifest.scenario.clone(),
            scenario_hash: manifest.scenario_hash.clone(),
            seed: manifest.seed,
            runs: manifest.runs,
            months: manifest.months,
        };
        Ok(Results {
            dir,
            manifest,
            layout,
            tables,
            replicates_parquet: ParquetSink::new(AtomicFile::create(&dir.join("replicates.parquet"))?, &stamp),
            months_parquet: ParquetSink::new(AtomicFile::create(&dir.join("months.parquet"))?, &stamp),
            rows: 0,
            summarizer: Summarizer::new(layout.design, layout.scenarios, &manifest.parameters),
            monthly: Monthly::new(0, manifest.months, names.parties.len()),
            sides: names.sides,
            parties: names.parties,
        })
    }

    /// Adds the next replicates (by index, then arm, after every one added before).
    fn add(&mut self, replicates: &[Replicate]) -> Result<(), AppError> {
        if replicates.is_empty() {
            return Ok(());
        }
        self.tables.write(replicates).map_err(csv_failed)?;
        let (design, scenarios) = (self.layout.design, self.layout.scenarios);
        let batch =
            parley_data::replicates_batch(replicates, design, scenarios, &self.manifest.parameters, &self.sides)
                .map_err(parquet_failed)?;
        self.replicates_parquet.write(&batch).map_err(parquet_failed)?;
        let batch =
            parley_data::months_batch(replicates, design, &self.sides, &self.parties).map_err(parquet_failed)?;
        self.months_parquet.write(&batch).map_err(parquet_failed)?;
        for r in replicates {
            self.summarizer.add(r);
            self.monthly.add(r);
        }
        self.rows += replicates.len() as u64;
        Ok(())
    }

    /// Puts every file in place and returns the summary and the reference arm's months.
    fn finish(mut self) -> Result<(Summary, Monthly), AppError> {
        if self.rows == 0 {
            // A Parquet file needs a schema even without rows.
            self.add_empty_batches()?;
        }
        let (reps, months) = self.tables.finish().map_err(csv_failed)?;
        reps.commit()?;
        months.commit()?;
        self.replicates_parquet.finish().map_err(parquet_failed)?.commit()?;
        self.months_parquet.finish().map_err(parquet_failed)?.commit()?;
        let summary = self.summarizer.finish();
        #[derive(Serialize)]
        struct Report<'a> {
            parley_version: &'a str,
            scenario: &'a str,
            scenario_hash: &'a str,
            seed: u64,
            #[serde(flatten)]
            summary: &'a Summary,
        }
        let manifest = self.manifest;
        let mut json = serde_json::to_string_pretty(&Report {
            parley_version: &manifest.parley_version,
            scenario: &manifest.scenario,
            scenario_hash: &manifest.scenario_hash,
            seed: manifest.seed,
            summary: &summary,
        })
        .map_err(|e| AppError::Internal(format!("cannot serialise the summary: {e}")))?;
        json.push('\n');
        write_atomically(&self.dir.join("summary.json"), &json)?;
        Ok((summary, self.monthly))
    }

    fn add_empty_batches(&mut self) -> Result<(), AppError> {
        let (design, scenarios) = (self.layout.design, self.layout.scenarios);
        let batch = parley_data::replicates_batch(&[], design, scenarios, &self.manifest.parameters, &self.sides)
            .map_err(parquet_failed)?;
        self.replicates_parquet.write(&batch).map_err(parquet_failed)?;
        let batch = parley_data::months_batch(&[], design, &self.sides, &self.parties).map_err(parquet_failed)?;
        self.months_parquet.write(&batch).map_err(parquet_failed)
    }
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

/// An experiment whose every replicate is on disk, read back or just computed, summarised
/// as its replicates streamed past (they are not kept in memory).
pub struct Finished {
    /// The design and stamp of the directory.
    pub manifest: Manifest,
    /// The reference arm month by month (the report's fans).
    pub monthly: Monthly,
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
    let layout = Layout {
        design: &design,
        scenarios: &scenarios,
        parameters: manifest.parameters.len(),
        parties: experiment.arm(0).parties().len(),
    };
    let names = summarize(&design, &scenarios, &manifest.parameters, &[]);
    let columns = Columns { parameters: &manifest.parameters, sides: &names.sides, parties: &names.parties };
    let done = chunk_starts(dir)?;
    let total = range.end - range.start;
    observer.stage(&Stage::Experiment { total, months: plan.months, arms: design.arms.len() });
    let mut results = Results::open(dir, &manifest, layout)?;
    let mut start = range.start;
    let mut reused = 0;
    observer.progress(0, total);
    while start < range.end {
        let end = (start + manifest.chunk).min(range.end);
        if done.binary_search(&start).is_ok() {
            reused += end - start;
        } else {
            if observer.cancelled() {
                return Err(AppError::Cancelled);
            }
            let replicates = experiment.replicates(start..end)?;
            write_chunk(dir, start, &replicates, &design, &scenarios, columns)?;
        }
        // The final files are built from the chunk files, whether just written or found.
        let replicates = layout.read(dir, start)?;
        let expected = (end - start) * design.arms.len() as u64;
        if replicates.len() as u64 != expected || replicates.first().is_some_and(|r| r.index != start) {
            let (path, _) = chunk_paths(dir, start);
            let reason =
                format!("holds {} replicate runs where {expected} from index {start} were expected", replicates.len());
            return Err(StoreError::Corrupt { path, reason }.into());
        }
        results.add(&replicates)?;
        observer.progress(end - range.start, total);
        start = end;
    }
    let record = experiment.record();
    write_record(dir, &manifest, record.as_deref())?;
    let (summary, monthly) = results.finish()?;
    Ok(Finished { manifest, monthly, summary, reused, record })
}

/// Runs (or resumes) the chunk files of `plan` into `plan.out` and stops there: no final
/// files (`replicates.csv`, `months.csv`, their Parquet twins, `summary.json`). For a shard
/// that is only ever merged ([`merge`] reads chunk files and writes the final files itself),
/// such as the Python package's Ray tasks; [`execute`] on the same directory later resumes
/// it and writes them. Returns the replicate indices computed (not found on disk).
pub fn execute_chunks(plan: &Plan<'_>, observer: &dyn Observer) -> Result<u64, AppError> {
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
        if plan.existing == Existing::Refuse {
            return Err(StoreError::Occupied { dir: dir.to_path_buf() }.into());
        }
        if read_manifest(dir)? != manifest {
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
    let names = summarize(&design, &scenarios, &manifest.parameters, &[]);
    let columns = Columns { parameters: &manifest.parameters, sides: &names.sides, parties: &names.parties };
    let done = chunk_starts(dir)?;
    let total = range.end - range.start;
    observer.stage(&Stage::Experiment { total, months: plan.months, arms: design.arms.len() });
    observer.progress(0, total);
    let (mut start, mut computed) = (range.start, 0);
    while start < range.end {
        let end = (start + manifest.chunk).min(range.end);
        if done.binary_search(&start).is_err() {
            if observer.cancelled() {
                return Err(AppError::Cancelled);
            }
            let replicates = experiment.replicates(start..end)?;
            write_chunk(dir, start, &replicates, &design, &scenarios, columns)?;
            computed += end - start;
        }
        observer.progress(end - range.start, total);
        start = end;
    }
    write_record(dir, &manifest, experiment.record().as_deref())?;
    Ok(computed)
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

/// Reads back a finished experiment's directory (of an experiment, a merge or a main job)
/// on `s`, the scenario it was run on, without computing anything: its chunk files are
/// summarised one at a time.
pub fn load_finished(dir: &Path, s: &Scenario) -> Result<Finished, AppError> {
    let manifest = read_manifest(dir)?;
    same_scenario(s, &manifest, &format!("the experiment in {}", dir.display()))?;
    let design = manifest.design();
    let owned = arm_scenarios(s, &design)?;
    let scenarios: Vec<&Scenario> = owned.iter().collect();
    let range = shard(manifest.runs, manifest.shard.0, manifest.shard.1)
        .map_err(|e| StoreError::Corrupt { path: dir.join(MANIFEST), reason: e.to_string() })?;
    let parties = parley_sim::coupled::default_parties(scenarios[0]).len();
    let layout = Layout { design: &design, scenarios: &scenarios, parameters: manifest.parameters.len(), parties };
    let mut summarizer = Summarizer::new(&design, &scenarios, &manifest.parameters);
    let mut monthly = Monthly::new(0, manifest.months, parties);
    let mut found = 0;
    for start in chunk_starts(dir)?.into_iter().filter(|start| range.contains(start)) {
        for r in &layout.read(dir, start)? {
            summarizer.add(r);
            monthly.add(r);
            found += 1;
        }
    }
    let expected = (range.end - range.start) * design.arms.len() as u64;
    if found != expected {
        return Err(StoreError::Incomplete { dir: dir.to_path_buf(), found, expected }.into());
    }
    let summary = summarizer.finish();
    let reused = found / design.arms.len().max(1) as u64;
    // The filtered record is not saved, only its diagnostics: filter it again (it depends
    // on the scenario and the seed alone).
    let record = parley_experiment::run::record(s, manifest.start, manifest.seed, None)?.map(Arc::new);
    Ok(Finished { manifest, monthly, summary, reused, record })
}

/// Merges the shards in `dirs` (of one experiment, on the scenario `s`) into `out`, which
/// then holds the whole experiment as if it had run in one piece.
///
/// The shards' chunk files are read one at a time in the order of their first replicate;
/// a replicate is passed on once no chunk still to be read can hold it, so memory holds
/// one chunk (and whatever overlaps it) whatever the size of the experiment.
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
    let parties = parley_sim::coupled::default_parties(scenarios[0]).len();
    let layout = Layout { design: &design, scenarios: &scenarios, parameters: first.parameters.len(), parties };
    let mut sources: Vec<(u64, &Path)> = Vec::new();
    for dir in dirs {
        sources.extend(chunk_starts(dir)?.into_iter().map(|start| (start, dir.as_path())));
    }
    // Stable: among chunks with the same start, the first directory given comes first.
    sources.sort_by_key(|(start, _)| *start);
    let merged = Manifest { shard: (1, 1), chunk: first.chunk, ..first.clone() };
    create_dir(&out.join("chunks"))?;
    let names = summarize(&design, &scenarios, &merged.parameters, &[]);
    let columns = Columns { parameters: &merged.parameters, sides: &names.sides, parties: &names.parties };
    let chunk = merged.chunk.max(1);
    let mut merger = Merger {
        out,
        layout,
        columns,
        runs: first.runs,
        chunk,
        results: Results::open(out, &merged, layout)?,
        pending: BTreeMap::new(),
        block: Vec::new(),
        next: 0,
        missing: Vec::new(),
        written: Vec::new(),
    };
    let mut outcome = Ok(());
    for (k, &(start, dir)) in sources.iter().enumerate() {
        let upto = sources.get(k + 1).map_or(u64::MAX, |(next_start, _)| *next_start);
        outcome = merger.read(dir, start, upto);
        if outcome.is_err() || !merger.missing.is_empty() {
            break;
        }
    }
    if outcome.is_ok() && merger.missing.is_empty() {
        outcome = merger.finish();
    }
    if outcome.is_ok() && !merger.missing.is_empty() {
        outcome = Err(StoreError::Missing { examples: merger.missing.clone() }.into());
    }
    if let Err(e) = outcome {
        // Leave no half-merged experiment behind.
        for start in &merger.written {
            let (reps, months) = chunk_paths(out, *start);
            let _ = std::fs::remove_file(reps);
            let _ = std::fs::remove_file(months);
        }
        return Err(e);
    }
    let Merger { results, .. } = merger;
    let json = serde_json::to_string_pretty(&merged)
        .map_err(|e| AppError::Internal(format!("cannot serialise the manifest: {e}")))?;
    write_atomically(&out.join(MANIFEST), json + "\n")?;
    // Every shard filtered the same record (same scenario and seed): keep the first's account.
    let record = dirs[0].join(RECORD);
    if record.exists() {
        write_atomically(&out.join(RECORD), read_text(&record)?)?;
    }
    let (summary, _) = results.finish()?;
    Ok(summary)
}

/// A merge in progress: replicates read from the shards' chunks, passed on in index order
/// to the merged chunk files and the final files once no chunk still to be read can hold
/// them.
struct Merger<'a> {
    out: &'a Path,
    layout: Layout<'a>,
    columns: Columns<'a>,
    runs: u64,
    chunk: u64,
    results: Results<'a>,
    /// Replicates read but not yet passed on, by (index, arm): the first copy read is kept.
    pending: BTreeMap<(u64, usize), Replicate>,
    /// The merged chunk being filled.
    block: Vec<Replicate>,
    /// The next replicate index expected.
    next: u64,
    /// Up to five indices missing a replicate under some arm.
    missing: Vec<u64>,
    /// The merged chunks written so far (removed again if the merge fails).
    written: Vec<u64>,
}

impl Merger<'_> {
    /// Reads the chunk of `dir` starting at `start`, then passes on every replicate below
    /// `upto` (the start of the next chunk to be read).
    fn read(&mut self, dir: &Path, start: u64, upto: u64) -> Result<(), AppError> {
        for r in self.layout.read(dir, start)? {
            self.pending.entry((r.index, r.arm)).or_insert(r);
        }
        let rest = self.pending.split_off(&(upto, 0));
        let ready = std::mem::replace(&mut self.pending, rest);
        let mut runs: Vec<Replicate> = Vec::new();
        for (_, r) in ready {
            if runs.first().is_some_and(|first| first.index != r.index) {
                self.pass_on(std::mem::take(&mut runs))?;
            }
            runs.push(r);
        }
        if !runs.is_empty() {
            self.pass_on(runs)?;
        }
        Ok(())
    }

    /// Passes on every arm's run of one replicate, noting what is missing before it.
    fn pass_on(&mut self, runs: Vec<Replicate>) -> Result<(), AppError> {
        let index = runs[0].index;
        if index >= self.runs {
            return Ok(());
        }
        let room = |m: &Vec<u64>| 5usize.saturating_sub(m.len());
        let gap: Vec<u64> = (self.next..index).take(room(&self.missing)).collect();
        self.missing.extend(gap);
        if runs.len() != self.layout.design.arms.len() && room(&self.missing) > 0 {
            self.missing.push(index);
        }
        self.next = index + 1;
        if self.block.first().is_some_and(|b| b.index / self.chunk != index / self.chunk) {
            self.flush()?;
        }
        self.block.extend(runs);
        Ok(())
    }

    /// Writes the merged chunk being filled.
    fn flush(&mut self) -> Result<(), AppError> {
        let Some(first) = self.block.first() else { return Ok(()) };
        let start = first.index / self.chunk * self.chunk;
        let layout = self.layout;
        write_chunk(self.out, start, &self.block, layout.design, layout.scenarios, self.columns)?;
        self.written.push(start);
        self.results.add(&self.block)?;
        self.block.clear();
        Ok(())
    }

    /// Notes the replicates missing at the end and writes the last chunk.
    fn finish(&mut self) -> Result<(), AppError> {
        let room = 5usize.saturating_sub(self.missing.len());
        let gap: Vec<u64> = (self.next..self.runs).take(room).collect();
        self.missing.extend(gap);
        if self.missing.is_empty() { self.flush() } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Quiet;

    fn plan<'a>(s: &'a Scenario, out: &'a Path, shard: (u64, u64)) -> Plan<'a> {
        Plan {
            scenario: s,
            levers: &[],
            compare: false,
            runs: 12,
            months: 3,
            seed: 5,
            out,
            existing: Existing::Refuse,
            shard,
            chunk: 4,
            start: Start::Prior,
        }
    }

    #[test]
    fn test_shards_of_chunk_files_only_merge_into_the_bytes_of_one_run() {
        let s = crate::scenario::load(None, None).unwrap().scenario;
        let tmp = tempfile::tempdir().unwrap();
        let whole = tmp.path().join("whole");
        execute(&plan(&s, &whole, (1, 1)), &Quiet).unwrap();
        let shards: Vec<PathBuf> = (1..=2).map(|i| tmp.path().join(format!("s{i}"))).collect();
        for (i, d) in shards.iter().enumerate() {
            assert_eq!(execute_chunks(&plan(&s, d, (i as u64 + 1, 2)), &Quiet).unwrap(), 6);
            assert!(d.join("chunks").read_dir().unwrap().next().is_some());
            assert!(!d.join("summary.json").exists() && !d.join("replicates.csv").exists());
        }
        let merged = tmp.path().join("merged");
        merge(&shards, &s, &merged).unwrap();
        for f in ["replicates.csv", "months.csv", "replicates.parquet", "months.parquet", "summary.json", MANIFEST] {
            assert_eq!(std::fs::read(whole.join(f)).unwrap(), std::fs::read(merged.join(f)).unwrap(), "{f}");
        }
        // Resumed, a shard computes nothing again; another experiment is refused.
        let again = Plan { existing: Existing::Resume, ..plan(&s, &shards[0], (1, 2)) };
        assert_eq!(execute_chunks(&again, &Quiet).unwrap(), 0);
        let other = Plan { seed: 6, ..again };
        assert!(matches!(execute_chunks(&other, &Quiet), Err(AppError::Store(StoreError::Different { .. }))));
    }
}
