//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Which deals exist: the zone of possible agreement, the Pareto frontier, the Nash,
    /// Kalai-Smorodinsky, egalitarian and utilitarian packages, and who blocks what.
    Analyze(AnalyzeArgs),
    /// Check the sources' claims against the model: each expectation passes or fails, with its
    /// citation and the numbers behind the verdict. Exits 1 if any fails.
    Check(CheckArgs),
    /// Check scenario files and report every problem with its file, line and column.
    Validate(ValidateArgs),
    /// Print the JSON Schema of scenario files (for editor completion and validation).
    Schema,
    /// List every number of a scenario with its source or assumption.
    Sources(SourcesArgs),
    /// Write generated scenarios.
    #[command(subcommand)]
    Generate(GenerateCommand),
}

/// `parley analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Scenario file (.toml or .json); without it, the built-in scenario.
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
}

/// `parley check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,
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
    /// Scenario file; without it, the built-in scenario.
    pub scenario: Option<PathBuf>,

    /// Exit with code 1 if any number has neither a source nor an assumption.
    #[arg(long)]
    pub strict: bool,
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
