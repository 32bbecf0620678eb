//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Most replicates of an experiment (`--runs`) and most replicates per chunk (`--chunk`).
pub const MAX_RUNS: u64 = 10_000_000;
/// Longest deadline of a negotiation, in rounds (`--rounds`).
pub const MAX_ROUNDS: i64 = 1_000_000;
/// Largest base sample of a Sobol design (`--samples`).
pub const MAX_SAMPLES: u64 = 1_000_000;
/// The most particles of a filter (each holds the war's state and its parameters).
pub const MAX_PARTICLES: u64 = 1_000_000;
/// Most plays of each assignment in a tournament (`--repetitions`).
pub const MAX_REPETITIONS: i64 = 10_000;

/// parley: which deals exist in a multi-party negotiation, and who blocks the rest.
///
/// Exit codes: 0 success; 1 the command ran but a check failed (for example `sources
/// --strict` found a number without provenance); 2 bad input or usage.
#[derive(Debug, Parser)]
#[command(name = "parley", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Output format: human-readable tables, or JSON for machines.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    /// Worker threads for parallel work (default: all cores; RAYON_NUM_THREADS is honoured).
    #[arg(long, global = true, value_name = "N")]
    pub jobs: Option<usize>,

    #[command(subcommand)]
    pub command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables for people.
    Table,
    /// JSON with stable field names.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: analyse the scenario, check its claims, simulate the war and the talks,
    /// run the experiment with every lever compared and the sensitivity study, and write one
    /// self-contained HTML report (with the results it is built from beside it).
    Run(RunArgs),
    /// Build the HTML report again from saved results (a `parley run` directory, or the
    /// output of `parley experiment` or `parley merge`) without running the experiment again.
    Report(ReportArgs),
    /// Which deals exist: the zone of possible agreement, the Pareto frontier, the Nash,
    /// Kalai-Smorodinsky, egalitarian and utilitarian packages, and who blocks what.
    Analyze(AnalyzeArgs),
    /// Check the sources' claims against the model: each expectation passes or fails, with its
    /// citation and the numbers behind the verdict; --audit says which could have failed.
    /// Exits 1 if any fails.
    Check(CheckArgs),
    /// How talks would go: a negotiation under a protocol, round by round, with each
    /// party's utility of every offer and the outcome's distance to the Pareto frontier and
    /// the Nash point.
    Negotiate(NegotiateArgs),
    /// The war beside the talks, month by month: the front line, losses, aid, each side's
    /// alternative to a deal, the best package on the table and each party's margin, talks,
    /// ceasefires and breakdowns, and how it ends.
    Simulate(SimulateArgs),
    /// Fit the war model's parameters to observed monthly series (losses, territory) by
    /// least squares, and report the fit: parameters, residuals, RMSE, R², plot-ready series.
    Calibrate(CalibrateArgs),
    /// Monte Carlo over the scenario's uncertain assumptions: the probability of a settlement
    /// by each month, its terms and durability, losses and territory, each lever's difference
    /// from the baseline; tables and a summary written to a directory.
    Experiment(ExperimentArgs),
    /// Combine the output directories of an experiment's shards into the result of one run.
    Merge(MergeArgs),
    /// Which uncertain assumptions move the results most: one-at-a-time (tornado) and Sobol
    /// indices for settlement within 12 months and the territory held at the horizon.
    Sensitivity(SensitivityArgs),
    /// How good the war model's forecasts were: at every origin of a window, condition on
    /// the record up to it, forecast 1..H months ahead, and score against what followed and
    /// against naive benchmarks (CRPS, coverage, PIT).
    Backtest(BacktestArgs),
    /// A second lens: Bueno de Mesquita's expected-utility forecast of one issue (or every
    /// ordered issue of a scenario), round by round, with Monte Carlo over its inputs.
    Forecast(crate::commands::forecast::ForecastArgs),
    /// Every pairing of strategies over scenarios or Genius folders, in parallel:
    /// agreement rate, utilities, welfare, distance to Pareto and Nash, rounds.
    Tournament(TournamentArgs),
    /// Check scenario files and report every problem with its file, line and column.
    Validate(ValidateArgs),
    /// Print the JSON Schema of scenario files (for editor completion and validation).
    Schema,
    /// List every number of a scenario with its source, assumption or tuning (tuned numbers
    /// apart); --verify checks every citation against local copies of the sources.
    Sources(SourcesArgs),
    /// Convert a scenario file (.toml or .json) into a Genius folder (a domain file and one
    /// profile per actor), or a Genius folder into a scenario file.
    Convert(ConvertArgs),
    /// Write generated scenarios.
    #[command(subcommand)]
    Generate(GenerateCommand),
    /// The workbench: a local web application to explore a scenario, try edits and levers
    /// while the zone and the charts update, run jobs with live progress and save the edited
    /// file. Listens on 127.0.0.1 only unless --listen is given.
    Serve(ServeArgs),
}

/// `parley serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Scenario files (.toml) the workbench may read and write, besides the built-in one.
    pub scenarios: Vec<PathBuf>,

    /// A directory whose .toml scenario files the workbench may read and write.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// The address to listen on (default 127.0.0.1:8250). Any other than loopback exposes
    /// the workbench, and the files it may write, to the network.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,

    /// The port on 127.0.0.1 (0: any free port); ignored with --listen.
    #[arg(long, value_name = "PORT", default_value_t = 8250)]
    pub port: u16,

    /// Where runs started from the page write their results (default: a directory under
    /// the system's temporary one).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `parley run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// Apply a lever throughout (repeatable); every other lever is compared on top of it.
    #[arg(long = "lever", value_name = "ID")]
    pub levers: Vec<String>,

    /// Replicates of the experiment (each arm runs every one, on common random numbers).
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_RUNS))]
    pub runs: u64,

    /// Months simulated after the scenario date.
    #[arg(long, default_value_t = 24, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(parley_io::MAX_MONTHS)))]
    pub months: u32,

    /// Master seed of the experiment, the central path and the sensitivity study (recorded
    /// in every output).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,

    /// Base sample size of the sensitivity study's Sobol design.
    #[arg(long, default_value_t = 256, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_SAMPLES))]
    pub samples: usize,

    /// Directory for the results the report is built from: the experiment's tables and
    /// summary, and `report.json` (created if missing).
    #[arg(long, value_name = "DIR", default_value = "parley-run")]
    pub out: PathBuf,

    /// The report's file [default: DIR/report.html]. Written atomically.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub start: StartArgs,

    /// Leave out the backtest that scores the forecasts against the record (by default
    /// over the window of `parley backtest`, horizons 1–6, with the filter's particles).
    #[arg(long)]
    pub no_backtest: bool,
}

/// `parley report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A directory written by `parley run` (its `report.json` is rendered as it is), or by
    /// `parley experiment` or `parley merge` (its replicates are read back; the rest of the
    /// report is computed from the scenario).
    pub dir: PathBuf,

    /// The report's file [default: DIR/report.html]. Written atomically.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// For an experiment directory: the scenario it was run on; without it, the built-in
    /// scenario.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,

    /// For an experiment directory: base sample size of the sensitivity study.
    #[arg(long, default_value_t = 256, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_SAMPLES))]
    pub samples: usize,
}

/// `parley analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Scenario file (.toml or .json) or Genius folder (a domain file and one profile per
    /// party); without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// Disagreement point of the bargaining solutions: the bargainers' reservation values
    /// (solutions lie in the zone of possible agreement), or NegMAS's convention
    /// (max of reservation value and worst utility; any frontier point).
    #[arg(long, value_enum, default_value_t = DisagreementArg::Reservation)]
    pub disagreement: DisagreementArg,

    /// How many best deals and near misses to list.
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub top: usize,

    /// Frontier points to list in tables (JSON always lists all).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub frontier_rows: usize,

    /// Refuse outcome spaces with more outcomes than this.
    #[arg(long, default_value_t = 1e10, value_name = "N")]
    pub max_outcomes: f64,

    /// Memory the Pareto frontier may use, in MiB.
    #[arg(long, default_value_t = 4096, value_name = "MIB")]
    pub memory_limit: usize,

    /// Apply a lever of the scenario before analysing (repeatable; applied in order).
    #[arg(long = "lever", value_name = "ID")]
    pub levers: Vec<String>,

    /// Compare the baseline with every lever of the scenario, side by side.
    #[arg(long)]
    pub compare: bool,

    /// How to read a Genius folder's numbers: as Genius does (weights normalised, each
    /// issue's evaluations divided by their maximum) or as NegMAS 0.16 does (raw weights and
    /// evaluations) [default: genius].
    #[arg(long, value_enum, value_name = "SEMANTICS")]
    pub semantics: Option<SemanticsArg>,
}

/// `parley check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file or Genius folder; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// Audit the checks: could each claim have failed? Each is checked again with every
    /// number it depends on varied over its admissible range (its `[[uncertain]]` range if
    /// stated) and with its red lines and linkages removed one at a time, and classed as
    /// evidence (some change of another number makes it fail: the nearest such number and
    /// the margin are given), by input (it holds whatever its numbers, or only its own
    /// inputs flip it) or structural (it holds by a red line or the structure alone).
    #[arg(long)]
    pub audit: bool,
}

/// How a Genius folder's numbers become utilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SemanticsArg {
    /// Genius: U = Σ (w / Σw) · eval / max eval of the issue; utilities in [0, 1].
    Genius,
    /// NegMAS 0.16: U = Σ w · eval with the raw numbers.
    Negmas,
}

impl From<SemanticsArg> for parley_io::Semantics {
    fn from(s: SemanticsArg) -> Self {
        match s {
            SemanticsArg::Genius => parley_io::Semantics::Genius,
            SemanticsArg::Negmas => parley_io::Semantics::NegmasRaw,
        }
    }
}

/// `parley convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// A scenario file (.toml or .json), or a Genius folder.
    pub input: PathBuf,

    /// A folder for the Genius files (created if missing) when INPUT is a scenario file; a
    /// scenario file (.toml or .json) when INPUT is a Genius folder. Files are written
    /// atomically.
    #[arg(short, long, value_name = "OUTPUT")]
    pub output: PathBuf,

    /// How to read a Genius folder's numbers (see `parley analyze --help`) [default: genius].
    #[arg(long, value_enum, value_name = "SEMANTICS")]
    pub semantics: Option<SemanticsArg>,
}

/// Disagreement convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DisagreementArg {
    /// Reservation values; candidates in the zone of possible agreement.
    Reservation,
    /// NegMAS: max(reservation, worst utility); candidates on the whole frontier.
    Negmas,
}

/// `parley validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// `parley sources`.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Scenario file or Genius folder; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// Exit with code 1 if any number has neither a source, an assumption nor a declared
    /// tuning.
    #[arg(long)]
    pub strict: bool,

    /// Check every citation `id#N` of the scenario file (in fields, notes and comments)
    /// against local copies of the sources in DIR: one text file per source id (ID.txt, or
    /// the file name of the source's `file`), a paragraph being a non-empty line. A citation
    /// of a paragraph that does not exist is an error with file, line and column (exit 2).
    #[arg(long, value_name = "DIR")]
    pub verify: Option<PathBuf>,

    /// With --verify: print the cited paragraph beside each number.
    #[arg(long, requires = "verify")]
    pub quotes: bool,
}

/// `parley generate`.
#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// The synthetic benchmark domain shared with the NegMAS comparison (splitmix64 recipe):
    /// log10(OUTCOMES) issues of ten values, partly opposed parties, reservation values 0.
    Synthetic(SyntheticArgs),
}

/// `parley generate synthetic`.
#[derive(Debug, Args)]
pub struct SyntheticArgs {
    /// Number of outcomes: a power of ten from 10 to 1e18 (e.g. 1000000 or 1e6).
    #[arg(long, value_name = "N")]
    pub outcomes: String,

    /// Number of parties.
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub parties: u32,

    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Negotiation protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtocolArg {
    /// Stacked alternating offers (bilateral alternating offers for two parties).
    Saop,
    /// A mediator's single negotiating text, revised until every party accepts.
    Mediated,
    /// Working-level stages on some issues (--stage), then a summit on the rest.
    Sequenced,
}

/// `parley negotiate`.
#[derive(Debug, Args)]
pub struct NegotiateArgs {
    /// Scenario file or Genius folder; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// The protocol.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Saop)]
    pub protocol: ProtocolArg,

    /// A party's strategy, as ACTOR=STRATEGY (repeatable): boulware, linear, conceder,
    /// hardliner, tit-for-tat, batna-aware, random, time:E or batna:E. Default boulware.
    #[arg(long = "strategy", value_name = "ACTOR=STRATEGY")]
    pub strategies: Vec<String>,

    /// Parties at the table (repeatable; default: the veto players).
    #[arg(long = "party", value_name = "ACTOR")]
    pub parties: Vec<String>,

    /// The mediator of `--protocol mediated` (one of the parties; default: neutral).
    #[arg(long, value_name = "ACTOR")]
    pub mediator: Option<String>,

    /// A working-level stage of `--protocol sequenced`: comma-separated issue ids (repeatable, in order).
    #[arg(long = "stage", value_name = "ISSUE,ISSUE")]
    pub stages: Vec<String>,

    /// Deadline in rounds (per stage for sequenced talks).
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_ROUNDS))]
    pub rounds: u32,

    /// Seed of the negotiation's random stream (recorded in the output).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,

    /// Apply a lever of the scenario first (repeatable).
    #[arg(long = "lever", value_name = "ID")]
    pub levers: Vec<String>,

    /// How to read a Genius folder: Genius's normalised utilities or NegMAS's raw ones
    /// (default genius; only for Genius folders).
    #[arg(long, value_enum, value_name = "SEMANTICS")]
    pub semantics: Option<SemanticsArg>,
}

/// `parley simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Scenario file with a `[conflict]` section; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// Months to simulate after the scenario date.
    #[arg(long, default_value_t = 24, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(parley_io::MAX_MONTHS)))]
    pub months: u32,

    /// Master seed of the run's random stream (recorded in the output).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,

    /// The central path: no random shocks, no random breakdowns (a side breaks only once its
    /// support is below its breaking point).
    #[arg(long)]
    pub central: bool,

    /// Apply a lever of the scenario first (repeatable).
    #[arg(long = "lever", value_name = "ID")]
    pub levers: Vec<String>,

    /// Protocol of the monthly talks among the veto players: mediated (a single text, opened
    /// with the month's best offer) or saop.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Mediated)]
    pub protocol: ProtocolArg,

    /// A party's strategy, as ACTOR=STRATEGY (repeatable; default batna:3, conceding towards
    /// the current reservation value).
    #[arg(long = "strategy", value_name = "ACTOR=STRATEGY")]
    pub strategies: Vec<String>,

    /// The mediator of `--protocol mediated` (one of the parties; default: the first party
    /// whose role is mediator, else neutral).
    #[arg(long, value_name = "ACTOR")]
    pub mediator: Option<String>,

    /// Deadline of each month's talks, in rounds.
    #[arg(long, default_value_t = 60, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_ROUNDS))]
    pub rounds: u32,

    /// Also write the months as CSV to this file (written atomically).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `parley calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Scenario file with a `[conflict]` section; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// CSV of observed monthly series: a `month` column (YYYY-MM) and numeric columns.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,

    /// A parameter to fit, by path as `parley sources` lists it (repeatable; default: the
    /// scenario's [conflict.calibration] fit list).
    #[arg(long = "fit", value_name = "PATH")]
    pub fit: Vec<String>,

    /// A series to fit, as COLUMN=OUTPUT with OUTPUT losses.ACTOR, territory_change or held
    /// (repeatable; default: the scenario's [conflict.calibration] series).
    #[arg(long = "series", value_name = "COLUMN=OUTPUT")]
    pub series: Vec<String>,

    /// The months to fit, as FROM..TO (default: the scenario's calibration window).
    #[arg(long, value_name = "YYYY-MM..YYYY-MM")]
    pub window: Option<String>,

    /// Also write the observed and fitted series as CSV to this file (plot-ready).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `parley experiment`.
#[derive(Debug, Args)]
pub struct ExperimentArgs {
    /// Scenario file with a `[conflict]` section; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// Replicates (each draws the uncertain parameters and the war's shocks from its own stream).
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_RUNS))]
    pub runs: u64,

    /// Months simulated after the scenario date.
    #[arg(long, default_value_t = 24, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(parley_io::MAX_MONTHS)))]
    pub months: u32,

    /// Master seed (recorded in every output file).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,

    /// Apply a lever in every arm (repeatable).
    #[arg(long = "lever", value_name = "ID")]
    pub levers: Vec<String>,

    /// Also run one arm per other lever of the scenario and compare each with the baseline,
    /// on common random numbers.
    #[arg(long)]
    pub compare: bool,

    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR", default_value = "experiment")]
    pub out: PathBuf,

    /// Continue an interrupted experiment in --out, computing only the missing replicates.
    #[arg(long)]
    pub resume: bool,

    /// Compute only shard I of N (a contiguous block of replicates), for spreading an
    /// experiment over machines; combine the shards with `parley merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,

    /// Replicates per chunk file (the unit of resumption).
    #[arg(long, default_value_t = 250, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_RUNS))]
    pub chunk: u64,

    #[command(flatten)]
    pub start: StartArgs,
}

/// `parley merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' output directories.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,

    /// The scenario the shards were run on; without it, the built-in scenario.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,

    /// Output directory of the merged result.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `parley sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file with a `[conflict]` section and `[[uncertain]]` parameters; without it,
    /// the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// Base sample size of the Sobol design (evaluations: N × (parameters + 2)).
    #[arg(long, default_value_t = 512, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_SAMPLES))]
    pub samples: usize,

    /// Months simulated after the scenario date.
    #[arg(long, default_value_t = 24, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(parley_io::MAX_MONTHS)))]
    pub months: u32,

    /// Master seed.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,

    /// Apply a lever first (repeatable).
    #[arg(long = "lever", value_name = "ID")]
    pub levers: Vec<String>,

    #[command(flatten)]
    pub start: StartArgs,
}

/// `parley backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Scenario file with a `[conflict]` section and an observed record
    /// (`[[conflict.observed]]`); without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// The first origin, YYYY-MM [default: 15 months before the scenario date, or the
    /// conflict's start if later].
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<String>,

    /// The last origin, YYYY-MM [default: 3 months before the scenario date].
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<String>,

    /// Forecast 1..N months ahead from every origin.
    #[arg(long, default_value_t = 6, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(parley_io::MAX_MONTHS)))]
    pub horizons: u32,

    /// Particles of each of an origin's filters (the record is filtered by four
    /// independent filters, pooled), and replicates of its forecast.
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_PARTICLES))]
    pub particles: usize,

    /// Master seed.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,

    /// Also write one CSV row per origin × horizon × series to FILE (atomically).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// `parley tournament`.
#[derive(Debug, Args)]
pub struct TournamentArgs {
    /// Scenario files or Genius folders.
    #[arg(required = true)]
    pub domains: Vec<PathBuf>,

    /// Comma-separated strategies; every assignment of them to the parties is played.
    #[arg(long, default_value = "boulware,linear,conceder,tit-for-tat,hardliner,random,batna-aware")]
    pub strategies: String,

    /// Deadline of each negotiation, in rounds.
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_ROUNDS))]
    pub rounds: u32,

    /// Plays of each assignment (each on its own random stream).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_REPETITIONS))]
    pub repetitions: u32,

    /// Master seed.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,
}

/// How forecasts start: from the observed record, filtered, or from the prior.
#[derive(Debug, Clone, Args)]
pub struct StartArgs {
    /// Start every replicate from the scenario's own history replayed without looking at
    /// the observed record (the prior), instead of the record filtered by a particle filter
    /// (for comparison).
    #[arg(long)]
    pub no_assimilation: bool,

    /// Particles of each of the filters that condition forecasts on the observed record
    /// (four independent filters, their ensembles pooled).
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_PARTICLES))]
    pub particles: usize,
}

impl StartArgs {
    /// Where replicates start on `scenario`: the filtered record, if it has one and it is
    /// not switched off.
    pub fn start(&self, scenario: &parley_core::Scenario) -> parley_experiment::run::Start {
        let has_record = scenario.conflict.as_ref().is_some_and(|c| !c.observed.is_empty());
        if self.no_assimilation || !has_record {
            parley_experiment::run::Start::Prior
        } else {
            parley_experiment::run::Start::Filtered { particles: self.particles }
        }
    }
}
