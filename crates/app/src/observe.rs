//! Watching a long job: which stage it is in, how far it has come, and whether to stop.
//!
//! A front end passes an [`Observer`]: the command line draws progress bars on a terminal,
//! the workbench streams events to the page, the Python package checks for Ctrl-C. Jobs
//! call it between blocks of work, never from inside the engine, so observing changes no
//! result.

/// A stage of a job, as it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Replicates of an experiment: `total` replicate indices, each run under every arm.
    Experiment {
        /// Replicate indices to run (this shard's).
        total: u64,
        /// Months simulated after the scenario date.
        months: u32,
        /// Arms each replicate runs under.
        arms: usize,
    },
    /// The sensitivity study: `total` model runs.
    Sensitivity {
        /// Samples of the Sobol design.
        samples: usize,
    },
    /// A backtest: `origins` forecast origins, each filtered and forecast.
    Backtest {
        /// Origins.
        origins: u64,
    },
    /// The deals analysed and the report's data built.
    Report,
}

impl Stage {
    /// The stage in words, for a person.
    pub fn describe(&self) -> String {
        match self {
            Stage::Experiment { total, months, arms } if *arms > 1 => {
                format!("running {total} replicates × {months} months, {arms} arms compared")
            }
            Stage::Experiment { total, months, .. } => format!("running {total} replicates × {months} months"),
            Stage::Sensitivity { samples } => format!("sensitivity study ({samples} samples)"),
            Stage::Backtest { origins } => format!("backtest over {origins} origins"),
            Stage::Report => "analysing the deals and writing the report".into(),
        }
    }
}

/// Receives a job's progress; every method has a default that does nothing.
pub trait Observer: Sync {
    /// A stage starts.
    fn stage(&self, _stage: &Stage) {}

    /// `done` of `total` units of the current stage are finished.
    fn progress(&self, _done: u64, _total: u64) {}

    /// Whether the job should stop at the next block boundary; work finished so far is kept
    /// (an experiment resumes from its chunk files).
    fn cancelled(&self) -> bool {
        false
    }
}

/// An observer that watches nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {}
