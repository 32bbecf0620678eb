//! The native module of the `parley` Python package (`parley._parley`).
//!
//! The Python functions run the command line's own command modules
//! (`crates/cli/src/commands`, compiled into this crate by path): their arguments are parsed
//! by the command line's own parser from the flags the Python layer builds, and what they
//! print with `--format json` is handed back to Python. So a Python result is the CLI's
//! JSON by construction, its defaults and checks are the CLI's, and an error is the same
//! located diagnostic. Two modules of the command line are replaced: `output` (printing is
//! captured; the observer checks for Ctrl-C) and `scenario` (the scenario is the one the
//! Python caller holds, not read again from disk).
//!
//! The GIL is released while a command runs; the observer takes it back between blocks of
//! work to run Python's signal handlers, so Ctrl-C stops a long experiment at the next
//! chunk and raises `KeyboardInterrupt` (the finished chunks stay on disk for a resume).

use std::path::PathBuf;
use std::sync::{Arc, Once};

use arrow::pyarrow::PyArrowType;
use arrow::record_batch::RecordBatchReader;
use clap::Parser;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

// The command line's modules, compiled here from its sources (see the crate's docs).
#[allow(dead_code, clippy::all, missing_docs)]
#[path = "../../crates/cli/src/args.rs"]
mod args;
#[allow(dead_code, clippy::all, missing_docs)]
#[path = "../../crates/cli/src/output.rs"]
mod cli_output;
#[allow(dead_code, clippy::all, missing_docs)]
#[path = "../../crates/cli/src/commands/mod.rs"]
mod commands;
mod output;
mod scenario;

use args::{Cli, Command, OutputFormat};

/// How a command ended, when it did not fail outright (as in the command line's `main`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Everything held.
    Success,
    /// The command ran, but a check it performs failed.
    CheckFailed,
}

/// Why a command could not finish (as in the command line's `main`).
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) enum Failure {
    /// Bad input or usage: the report says what and where.
    Input(miette::Report),
    /// Bad input whose diagnostics were already printed; this line sums them up.
    Reported(String),
    /// A file could not be read or written.
    Io(miette::Report),
    /// A bug.
    Internal(miette::Report),
    /// The user pressed Ctrl-C.
    Cancelled,
    /// Standard output was closed by the reader.
    BrokenPipe,
}

impl From<miette::Report> for Failure {
    fn from(report: miette::Report) -> Self {
        Failure::Input(report)
    }
}

impl From<parley_app::AppError> for Failure {
    fn from(e: parley_app::AppError) -> Self {
        use parley_app::Fault;
        match e.fault() {
            Fault::Input => Failure::Input(commands::hint(e)),
            Fault::Io => Failure::Io(miette::Report::new(e)),
            Fault::Internal => Failure::Internal(miette::Report::new(e)),
            Fault::Cancelled => Failure::Cancelled,
        }
    }
}

pyo3::create_exception!(
    _parley,
    ScenarioError,
    PyValueError,
    "Bad input: a scenario that does not load, an unknown lever or path, a setting out of range, an experiment directory that holds another experiment. The message is the located diagnostic the command line prints."
);
pyo3::create_exception!(
    _parley,
    ParleyIOError,
    PyOSError,
    "A file could not be read or written (a permission, a full disk)."
);
pyo3::create_exception!(_parley, InternalError, PyRuntimeError, "A bug in parley: please report it.");

/// Diagnostics look as the command line prints them to a file or a pipe: Unicode drawing,
/// no colour, no hyperlinks, 100 columns.
fn install_report_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = miette::set_hook(Box::new(|_| {
            Box::new(
                miette::MietteHandlerOpts::new().unicode(true).color(false).terminal_links(false).width(100).build(),
            )
        }));
    });
}

/// The Python exception for a failure.
fn to_py(failure: Failure) -> PyErr {
    match failure {
        Failure::Input(report) => ScenarioError::new_err(format!("{report:?}")),
        Failure::Reported(summary) => ScenarioError::new_err(summary),
        Failure::Io(report) => ParleyIOError::new_err(format!("{report:?}")),
        Failure::Internal(report) => InternalError::new_err(format!("{report:?}")),
        Failure::Cancelled => {
            output::take_interrupt().unwrap_or_else(|| pyo3::exceptions::PyKeyboardInterrupt::new_err("cancelled"))
        }
        Failure::BrokenPipe => InternalError::new_err("output closed"),
    }
}

fn app_error(e: parley_app::AppError) -> PyErr {
    to_py(Failure::from(e))
}

/// A validated scenario held in memory.
#[pyclass(frozen, module = "parley._parley", name = "NativeScenario")]
struct NativeScenario {
    scenario: Arc<parley_core::Scenario>,
    /// The problems that did not stop validation, as the command line prints them.
    warnings: Vec<String>,
}

impl NativeScenario {
    fn from_loaded(loaded: parley_io::Loaded) -> NativeScenario {
        let warnings = loaded.warnings.into_iter().map(|w| format!("{:?}", miette::Report::new(w))).collect();
        NativeScenario { scenario: Arc::new(loaded.scenario), warnings }
    }
}

#[pymethods]
impl NativeScenario {
    /// The scenario in a file (TOML or JSON) or a Genius folder; `None` for the built-in one.
    #[staticmethod]
    #[pyo3(signature = (path=None))]
    fn load(py: Python<'_>, path: Option<PathBuf>) -> PyResult<NativeScenario> {
        install_report_handler();
        let loaded = py.detach(|| parley_app::scenario::load(path.as_deref(), None)).map_err(app_error)?;
        Ok(NativeScenario::from_loaded(loaded))
    }

    /// A scenario from its text; `name` names it in messages; `format` is "toml" or "json".
    #[staticmethod]
    fn parse(text: &str, name: &str, format: &str) -> PyResult<NativeScenario> {
        install_report_handler();
        let format = match format {
            "toml" => parley_io::Format::Toml,
            "json" => parley_io::Format::Json,
            other => return Err(PyValueError::new_err(format!("format must be \"toml\" or \"json\", not {other:?}"))),
        };
        let loaded = parley_io::parse(text, name, format).map_err(|e| app_error(e.into()))?;
        Ok(NativeScenario::from_loaded(loaded))
    }

    /// The text of the built-in scenario.
    #[staticmethod]
    fn builtin_text() -> &'static str {
        parley_app::scenario::BUILT_IN
    }

    /// The name the built-in scenario goes by.
    #[staticmethod]
    fn builtin_name() -> &'static str {
        parley_app::scenario::BUILT_IN_NAME
    }

    /// The same scenario with the number at `path` (as `parley sources` lists it) set to
    /// `value`, stated as an assumption of the sweep.
    fn with_value(&self, path: &str, value: f64) -> PyResult<NativeScenario> {
        let mut s = (*self.scenario).clone();
        let q = s.quantity_mut(path).ok_or_else(|| {
            ScenarioError::new_err(format!("no number at path \"{path}\"; `parley sources` lists every path"))
        })?;
        q.value = value;
        q.provenance = Arc::new(parley_core::scenario::Provenance::Assumption {
            reason: format!("set to {value} by a sweep"),
            direction: None,
        });
        Ok(NativeScenario { scenario: Arc::new(s), warnings: Vec::new() })
    }

    /// The scenario's hash, as every output file records it.
    fn hash(&self) -> PyResult<String> {
        parley_app::scenario::hash(&self.scenario).map_err(app_error)
    }

    /// The scenario's id.
    #[getter]
    fn id(&self) -> String {
        self.scenario.metadata.id.clone()
    }

    /// The scenario's title.
    #[getter]
    fn title(&self) -> String {
        self.scenario.metadata.title.clone()
    }

    /// The levers the scenario defines, as `(id, name)` pairs.
    fn levers(&self) -> Vec<(String, String)> {
        self.scenario.levers.iter().map(|l| (l.id.clone(), l.name.clone())).collect()
    }

    /// The problems that did not stop validation.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// Checks that every lever id exists (an unknown one raises `ScenarioError`).
    fn check_levers(&self, ids: Vec<String>) -> PyResult<()> {
        parley_app::scenario::levers(&self.scenario, &ids).map(|_| ()).map_err(app_error)
    }

    /// The scenario as canonical JSON.
    fn to_json(&self) -> PyResult<String> {
        parley_io::to_json(&self.scenario).map_err(|e| InternalError::new_err(e.to_string()))
    }
}

/// Runs a command of the command line (`argv` without the program name, e.g.
/// `["experiment", "--runs", "100"]`) on `scenario`, with `--format json`, the GIL
/// released. Returns what it printed and whether its checks passed.
#[pyfunction]
fn run_command(py: Python<'_>, scenario: &NativeScenario, argv: Vec<String>) -> PyResult<(Vec<String>, bool)> {
    install_report_handler();
    let mut full = vec!["parley".to_string(), "--format".to_string(), "json".to_string()];
    full.extend(argv);
    let cli = Cli::try_parse_from(&full).map_err(|e| ScenarioError::new_err(e.render().to_string()))?;
    let current = Arc::clone(&scenario.scenario);
    let result = py.detach(move || {
        scenario::with_current(current, || {
            let _ = output::take_printed();
            let _ = output::take_interrupt();
            let status = dispatch(cli.command)?;
            Ok::<_, Failure>((output::take_printed(), status == Status::Success))
        })
    });
    result.map_err(to_py)
}

fn dispatch(command: Command) -> Result<Status, Failure> {
    let format = OutputFormat::Json;
    match command {
        Command::Run(args) => commands::run::run(&args, format),
        Command::Analyze(args) => commands::analyze::run(&args, format),
        Command::Check(args) => commands::check::run(&args, format),
        Command::Negotiate(args) => commands::negotiate::run_command(&args, format),
        Command::Simulate(args) => commands::simulate::run(&args, format),
        Command::Experiment(args) => commands::experiment::run(&args, format),
        Command::Merge(args) => commands::experiment::merge(&args, format),
        Command::Sensitivity(args) => commands::sensitivity::run(&args, format),
        Command::Backtest(args) => commands::backtest::run(&args, format),
        Command::Forecast(args) => commands::forecast::run(&args, format),
        Command::Sources(args) => commands::sources::run(&args, format),
        _ => Err(Failure::Input(miette::miette!("this command is not available from Python"))),
    }
}

/// The manifest (`experiment.json`) that `parley experiment ARGV` would write for
/// `scenario`, as JSON: what identifies a finished experiment, for resuming a sweep.
#[pyfunction]
fn experiment_manifest(scenario: &NativeScenario, argv: Vec<String>) -> PyResult<String> {
    let mut full = vec!["parley".to_string(), "experiment".to_string()];
    full.extend(argv);
    let cli = Cli::try_parse_from(&full).map_err(|e| ScenarioError::new_err(e.render().to_string()))?;
    let Command::Experiment(args) = cli.command else {
        return Err(InternalError::new_err("not an experiment"));
    };
    let s = &scenario.scenario;
    let plan = parley_app::store::Plan {
        scenario: s,
        levers: &args.levers,
        compare: args.compare,
        runs: args.runs,
        months: args.months,
        seed: args.seed,
        out: &args.out,
        existing: parley_app::store::Existing::Resume,
        shard: (1, 1),
        chunk: args.chunk,
        start: args.start.start(s),
    };
    let manifest = parley_app::store::manifest(&plan).map_err(app_error)?;
    serde_json::to_string(&manifest).map_err(|e| InternalError::new_err(e.to_string()))
}

/// Runs (or resumes) the chunk files of the experiment shard `parley experiment ARGV`
/// describes (its `--shard`), without the shard's final files, which only its merge needs
/// ([`parley_app::store::execute_chunks`]); the GIL released, Ctrl-C checked between chunks.
/// Returns the replicates computed.
#[pyfunction]
fn experiment_chunks(py: Python<'_>, scenario: &NativeScenario, argv: Vec<String>) -> PyResult<u64> {
    install_report_handler();
    let mut full = vec!["parley".to_string(), "experiment".to_string()];
    full.extend(argv);
    let cli = Cli::try_parse_from(&full).map_err(|e| ScenarioError::new_err(e.render().to_string()))?;
    let Command::Experiment(args) = cli.command else {
        return Err(InternalError::new_err("not an experiment"));
    };
    let current = Arc::clone(&scenario.scenario);
    py.detach(move || {
        let _ = output::take_interrupt();
        let s = &*current;
        let shard = match args.shard.as_deref() {
            None => (1, 1),
            Some(text) => text
                .split_once('/')
                .and_then(|(i, n)| Some((i.parse().ok()?, n.parse().ok()?)))
                .ok_or_else(|| Failure::Input(miette::miette!("--shard: cannot read \"{text}\"")))?,
        };
        let plan = parley_app::store::Plan {
            scenario: s,
            levers: &args.levers,
            compare: args.compare,
            runs: args.runs,
            months: args.months,
            seed: args.seed,
            out: &args.out,
            existing: if args.resume {
                parley_app::store::Existing::Resume
            } else {
                parley_app::store::Existing::Refuse
            },
            shard,
            chunk: args.chunk,
            start: args.start.start(s),
        };
        Ok(parley_app::store::execute_chunks(&plan, &output::Progress::new())?)
    })
    .map_err(to_py)
}

/// A Parquet file's record batches as a `pyarrow.RecordBatchReader`: decoded in Rust and
/// handed over through the Arrow C stream interface, without copying.
#[pyfunction]
fn read_parquet(py: Python<'_>, path: PathBuf) -> PyResult<PyArrowType<Box<dyn RecordBatchReader + Send>>> {
    let reader = py.detach(|| {
        let file = std::fs::File::open(&path)
            .map_err(|e| ParleyIOError::new_err(format!("cannot read {}: {e}", path.display())))?;
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .map_err(|e| ParleyIOError::new_err(format!("cannot read {}: {e}", path.display())))
    })?;
    Ok(PyArrowType(Box::new(reader)))
}

/// Sets the number of worker threads (the command line's `--jobs`); only before the first
/// computation.
#[pyfunction]
fn set_jobs(jobs: usize) -> PyResult<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build_global()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start {jobs} worker threads: {e}")))
}

/// The version of parley the module was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The native module.
#[pymodule]
fn _parley(m: &Bound<'_, PyModule>) -> PyResult<()> {
    install_report_handler();
    m.add_class::<NativeScenario>()?;
    m.add_function(wrap_pyfunction!(run_command, m)?)?;
    m.add_function(wrap_pyfunction!(experiment_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(read_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(experiment_chunks, m)?)?;
    m.add_function(wrap_pyfunction!(set_jobs, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("ParleyIOError", m.py().get_type::<ParleyIOError>())?;
    m.add("InternalError", m.py().get_type::<InternalError>())?;
    Ok(())
}
