//! `parley forecast`: Bueno de Mesquita's expected-utility model, as Scholz, Calbert & Smith
//! (2011) reconstruct it, on a CSV, a forecast file, or the issues of a scenario.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use parley_forecast::bridge::{self, Derived, LeftOut, SalienceRule};
use parley_forecast::{
    CompromiseKey, Convergence, Dataset, Denominator, Distribution, Forecast, ForecastError, MonteCarlo, Options,
    Perspective, RangeRule, RiskUpdate, Uncertainty, Variant, VoteExponents,
};
use parley_io::{ForecastInput, Format, SalienceScale};
use serde::Serialize;

use crate::args::OutputFormat;
use crate::{Failure, Status, output, scenario};

mod print;

/// The input formats, shown by `parley forecast --help`.
const INPUTS: &str = "\
Inputs:
  A scenario file (or the built-in scenario): each issue whose options form a scale is a
  forecast. Integer and real issues are ordered by value; a categorical issue needs
  `ordered = true` (options at 0, 1, 2, ... in file order) unless it has two options. An
  actor's position is its best option on the issue among those its own red lines on that
  issue leave open (the midpoint of neighbouring options that tie); its salience is its
  weight on the issue relative to its heaviest issue, which scores 1, as the model's data
  are coded (--salience share: the weight normalised to sum to 1 over its issues); its
  capability is its `power` in [[actors]]. Actors that do not weigh the issue take no
  part.

  A CSV with a header naming the columns Actor, Capability, Position, Salience (any order
  and case; other columns ignored), one row per actor; the row order breaks ties.

  A forecast file (.toml or .json) with a [forecast] table (id, title, optional scale =
  { name, min, max, unit, points = [{ value, id, label }] } and uncertainty = { position,
  capability, salience }), [[sources]] as in scenarios, and [[forecast.actors]] entries
  with name, capability, position, salience (each a number or { value, source | assumption })
  and an optional uncertainty of their own.

  Saliences are read as 0-1 when all are at most 1, as percentages (divided by 100) when all
  lie within [0, 100].

Monte Carlo (--runs N): each replicate draws every actor's position, capability and
salience uniformly within its uncertainty (the file's, or the --*-spread options) from its
own random stream of --seed; results do not depend on --jobs.";

/// `parley forecast`.
#[derive(Debug, Args)]
#[command(after_long_help = INPUTS)]
pub struct ForecastArgs {
    /// A scenario file, a forecast file (.toml/.json with a `[forecast]` table) or a CSV
    /// (Actor,Capability,Position,Salience); without it, the built-in scenario.
    pub input: Option<PathBuf>,

    /// The scenario issue to forecast (default: every issue whose options form a scale).
    #[arg(long, value_name = "ID")]
    pub issue: Option<String>,

    /// Rounds to play.
    #[arg(long, default_value_t = Options::DEFAULT_ROUNDS, value_name = "N")]
    pub rounds: usize,

    /// A named set of interpretation switches: canonical (Scholz et al.'s reconstruction),
    /// di (sequential risk update, capitulation, signed compromise key) or paper (the
    /// paper's printed formulas). The switch options below override it.
    #[arg(long, value_enum, default_value_t = VariantArg::Canonical)]
    pub variant: VariantArg,

    /// Denominator of the probability that a position prevails: the sum over every triple
    /// of actors (canonical) or over the pair's voters (the paper's eq. 31).
    #[arg(long, value_enum, value_name = "RULE")]
    pub denominator: Option<DenominatorArg>,

    /// Exponents inside the votes: each voter's risk exponent (canonical) or 1.
    #[arg(long, value_enum, value_name = "RULE")]
    pub votes: Option<VotesArg>,

    /// Whose risk exponent judges the other side's challenge: the receiver's (canonical) or
    /// the challenger's own (the paper's eqs. 25a/b).
    #[arg(long, value_enum, value_name = "RULE")]
    pub perspective: Option<PerspectiveArg>,

    /// Risk exponents assigned at once (canonical) or one actor at a time.
    #[arg(long, value_enum, value_name = "RULE")]
    pub risk_update: Option<RiskUpdateArg>,

    /// Whether the capitulation octant can be chosen (off in the canonical reference).
    #[arg(long, value_enum, value_name = "ON|OFF")]
    pub capitulation: Option<OnOff>,

    /// Which compromise a receiver takes: the smallest weighted midpoint (canonical), the
    /// signed key, or the one that moves it least.
    #[arg(long, value_enum, value_name = "KEY")]
    pub compromise: Option<CompromiseArg>,

    /// The range that normalises distances: of the initial positions (canonical) or the
    /// scale's ends.
    #[arg(long, value_enum, value_name = "RULE")]
    pub range: Option<RangeArg>,

    /// Q, the probability that the status quo holds if nobody challenges (every reference
    /// uses 1).
    #[arg(long, value_name = "Q")]
    pub q: Option<f64>,

    /// Stop early once no actor moves more than TOL for --patience rounds (off by default:
    /// the references play a fixed number of rounds).
    #[arg(long, value_name = "TOL")]
    pub converge: Option<f64>,

    /// Rounds of standing still before --converge stops.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub patience: usize,

    /// How a scenario's issue weights become saliences: the weight relative to the actor's
    /// heaviest issue (top, the model's coding convention) or the normalised weight (share).
    #[arg(long, value_enum, default_value_t = SalienceArg::Top)]
    pub salience: SalienceArg,

    /// Apply a lever of the scenario first (repeatable).
    #[arg(long = "lever", value_name = "ID")]
    pub levers: Vec<String>,

    /// Also print every actor's position after every round.
    #[arg(long)]
    pub positions: bool,

    /// Monte Carlo replicates over the inputs (0: none).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub runs: u64,

    /// Master seed of the Monte Carlo run (recorded in the output).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,

    /// Monte Carlo: ± on every position, in scale units (replaces a file's stated uncertainty).
    #[arg(long, value_name = "X")]
    pub position_spread: Option<f64>,

    /// Monte Carlo: ± on every capability, as a fraction in [0, 1).
    #[arg(long, value_name = "F")]
    pub capability_spread: Option<f64>,

    /// Monte Carlo: ± on every salience, on the 0-1 scale.
    #[arg(long, value_name = "S")]
    pub salience_spread: Option<f64>,

    /// Monte Carlo: bins of the histogram of final medians.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub bins: usize,
}

/// Named variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VariantArg {
    /// Scholz et al.'s reconstruction, which reproduces their published results.
    Canonical,
    /// The second replication: sequential risk update, capitulation, signed compromise key.
    Di,
    /// The paper's printed formulas.
    Paper,
}

/// Switch 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenominatorArg {
    /// Over every ordered triple of actors.
    Global,
    /// Over the pair's voters.
    Pairwise,
}

/// Switch 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VotesArg {
    /// Each voter's risk exponent.
    Risk,
    /// Exponent 1.
    Linear,
}

/// Switch 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PerspectiveArg {
    /// The receiver's exponent.
    Receiver,
    /// The challenger's own.
    Own,
}

/// Switch 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RiskUpdateArg {
    /// All at once.
    Batch,
    /// One actor at a time.
    Sequential,
}

/// Switch 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompromiseArg {
    /// The smallest weighted midpoint.
    Weighted,
    /// The smallest signed key.
    Signed,
    /// The smallest move.
    LeastMove,
}

/// Switch 13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RangeArg {
    /// The initial positions' range.
    Initial,
    /// The scale's ends.
    Scale,
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
}

/// Salience rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SalienceArg {
    /// The normalised weight.
    Share,
    /// Relative to the actor's heaviest issue.
    Top,
}

/// The model options the command line asks for.
fn options(args: &ForecastArgs) -> Options {
    let mut o = Options::variant(match args.variant {
        VariantArg::Canonical => Variant::Canonical,
        VariantArg::Di => Variant::Di,
        VariantArg::Paper => Variant::Paper,
    });
    o.rounds = args.rounds;
    if let Some(d) = args.denominator {
        o.denominator = match d {
            DenominatorArg::Global => Denominator::Global,
            DenominatorArg::Pairwise => Denominator::Pairwise,
        };
    }
    if let Some(v) = args.votes {
        o.votes = match v {
            VotesArg::Risk => VoteExponents::Risk,
            VotesArg::Linear => VoteExponents::Linear,
        };
    }
    if let Some(p) = args.perspective {
        o.perspective = match p {
            PerspectiveArg::Receiver => Perspective::Receiver,
            PerspectiveArg::Own => Perspective::Own,
        };
    }
    if let Some(r) = args.risk_update {
        o.risk_update = match r {
            RiskUpdateArg::Batch => RiskUpdate::Batch,
            RiskUpdateArg::Sequential => RiskUpdate::Sequential,
        };
    }
    if let Some(c) = args.capitulation {
        o.capitulation = c == OnOff::On;
    }
    if let Some(c) = args.compromise {
        o.compromise = match c {
            CompromiseArg::Weighted => CompromiseKey::Weighted,
            CompromiseArg::Signed => CompromiseKey::Signed,
            CompromiseArg::LeastMove => CompromiseKey::LeastMove,
        };
    }
    if let Some(r) = args.range {
        o.range = match r {
            RangeArg::Initial => RangeRule::Initial,
            RangeArg::Scale => RangeRule::Scale,
        };
    }
    if let Some(q) = args.q {
        o.q = q;
    }
    o.convergence = args.converge.map(|tolerance| Convergence { tolerance, patience: args.patience });
    o
}

/// A forecast error as a report with what to do.
fn failure(e: ForecastError) -> Failure {
    let help = match &e {
        ForecastError::UnknownIssue { known, .. } => format!("the issues are {}", known.join(", ")),
        ForecastError::Unordered { .. } => "mark the issue `ordered = true` if its options, in file order, form a \
            scale; otherwise its options have no positions to compare"
            .into(),
        ForecastError::MissingCapability { .. } => "give each actor that weighs the issue a capability in [[actors]]: \
            power = { value = ..., source = \"id#paragraph\" } (or assumption = \"why\")"
            .into(),
        ForecastError::NoAcceptableOption { .. } => {
            "an actor's red lines on one issue must leave an option open".into()
        }
        ForecastError::TooFewInvolved { .. } => "a forecast needs at least two actors that weigh the issue".into(),
        ForecastError::Consensus { .. } => "every actor already agrees, so there is nothing to forecast".into(),
        ForecastError::Uncertainty { .. } | ForecastError::UncertaintyCount { .. } => {
            "an uncertainty is the half-width of a uniform range: ≥ 0, a capability's below 1".into()
        }
        _ => "see `parley forecast --help`".into(),
    };
    miette::miette!(help = help, "{e}").into()
}

fn usage(message: String, help: &str) -> Failure {
    miette::miette!(help = help.to_string(), "{message}").into()
}

/// One forecast to run: an issue of a scenario, or a file's dataset.
pub(crate) struct Case {
    /// The issue id (scenario) or the file's forecast id.
    pub(crate) issue: String,
    /// What is forecast, in words.
    pub(crate) title: String,
    /// Short names for moves and tables, in the dataset's order (a scenario's actor ids).
    pub(crate) names: Vec<String>,
    pub(crate) data: Dataset,
    /// How the inputs came from the scenario.
    pub(crate) derived: Option<Derived>,
    /// A file's inputs as read.
    pub(crate) input: Option<ForecastInput>,
}

/// What the inputs are, in a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    Scenario,
    ForecastFile,
    Csv,
}

/// An issue that was not forecast, and why.
#[derive(Serialize)]
pub(crate) struct Skipped {
    pub(crate) issue: String,
    pub(crate) reason: String,
}

/// The inputs: their name, kind, the cases, and the issues skipped.
fn cases(args: &ForecastArgs) -> Result<(String, Kind, Vec<Case>, Vec<Skipped>), Failure> {
    let file = match args.input.as_deref() {
        Some(p) if is_csv(p) => Some((parley_io::load_forecast(p).map_err(miette::Report::new)?, Kind::Csv)),
        Some(p) if !p.is_dir() && is_forecast_file(p)? => {
            Some((parley_io::load_forecast(p).map_err(miette::Report::new)?, Kind::ForecastFile))
        }
        _ => None,
    };
    if let Some((input, kind)) = file {
        let name = args.input.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
        for (given, flag) in [(args.issue.is_some(), "--issue"), (!args.levers.is_empty(), "--lever")] {
            if given {
                return Err(usage(
                    format!("{flag} applies to scenarios, and {name} is a forecast's inputs"),
                    "a CSV or forecast file holds one issue; drop the option",
                ));
            }
        }
        let case = Case {
            issue: input.id.clone(),
            title: input.title.clone().unwrap_or_else(|| input.id.clone()),
            names: input.data.actors().iter().map(|a| a.name.clone()).collect(),
            data: input.data.clone(),
            derived: None,
            input: Some(input),
        };
        return Ok((name, kind, vec![case], Vec::new()));
    }
    let loaded = scenario::load(args.input.as_deref())?;
    let name = parley_app::scenario::name(args.input.as_deref());
    let s = scenario::with_levers(&loaded.scenario, &args.levers)?;
    let rule = match args.salience {
        SalienceArg::Share => SalienceRule::Share,
        SalienceArg::Top => SalienceRule::Top,
    };
    let case = |derived: Derived| {
        let issue = &s.issues[s.issue_index(&derived.issue).expect("derived from this scenario")];
        Case {
            issue: derived.issue.clone(),
            title: issue.name.clone(),
            names: derived.actors.iter().map(|a| a.actor.clone()).collect(),
            data: derived.data.clone(),
            derived: Some(derived),
            input: None,
        }
    };
    if let Some(id) = &args.issue {
        let derived = bridge::from_scenario(&s, id, rule).map_err(failure)?;
        return Ok((name, Kind::Scenario, vec![case(derived)], Vec::new()));
    }
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    for issue in &s.issues {
        match bridge::from_scenario(&s, &issue.id, rule) {
            Ok(derived) => cases.push(case(derived)),
            // A scenario without capabilities cannot forecast anything: say so once.
            Err(e @ ForecastError::MissingCapability { .. }) => return Err(failure(e)),
            Err(e) => skipped.push(Skipped { issue: issue.id.clone(), reason: e.to_string() }),
        }
    }
    if cases.is_empty() {
        return Err(usage(
            format!("{name}: no issue can be forecast"),
            "an issue needs ordered options (see `parley forecast --help`) and two actors that weigh it and differ",
        ));
    }
    Ok((name, Kind::Scenario, cases, skipped))
}

fn is_csv(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Whether a `.toml`/`.json` file is a forecast file (an unreadable file is left to the
/// scenario loader, which reports it).
fn is_forecast_file(p: &Path) -> Result<bool, Failure> {
    let Some(format) = Format::from_path(p) else { return Ok(false) };
    Ok(std::fs::read_to_string(p).is_ok_and(|text| parley_io::is_forecast_file(&text, format)))
}

/// The uncertainty a Monte Carlo run of `case` draws within.
fn uncertainty(args: &ForecastArgs, case: &Case) -> Result<Vec<Uncertainty>, Failure> {
    let n = case.data.actors().len();
    let flags = [args.position_spread, args.capability_spread, args.salience_spread];
    if flags.iter().any(Option::is_some) {
        let [p, c, s] = flags.map(|f| f.unwrap_or(0.0));
        return Ok(vec![Uncertainty::uniform(p, c, s); n]);
    }
    if let Some(stated) = case.input.as_ref().and_then(|i| i.uncertainty.clone()) {
        return Ok(stated);
    }
    Err(usage(
        format!("{}: a Monte Carlo run needs the inputs' uncertainty, and none is stated", case.issue),
        "give --position-spread, --capability-spread and/or --salience-spread (half-widths of uniform ranges), \
         or state `uncertainty` in a forecast file",
    ))
}

/// A forecast with its distribution.
pub(crate) struct Outcome {
    pub(crate) case: Case,
    pub(crate) forecast: Forecast,
    pub(crate) distribution: Option<Distribution>,
    pub(crate) uncertainty: Option<Vec<Uncertainty>>,
}

/// Which salience scale a file was read on.
pub(crate) fn salience_scale(case: &Case) -> Option<SalienceScale> {
    case.input.as_ref().map(|i| i.salience_scale)
}

/// Left-out actors of a scenario case.
pub(crate) fn left_out(case: &Case) -> &[LeftOut] {
    case.derived.as_ref().map_or(&[], |d| d.left_out.as_slice())
}

pub(crate) fn run(args: &ForecastArgs, format: OutputFormat) -> Result<Status, Failure> {
    let options = options(args);
    options.validate().map_err(failure)?;
    let spreads = [args.position_spread, args.capability_spread, args.salience_spread];
    if args.runs == 0 && spreads.iter().any(Option::is_some) {
        return Err(usage(
            "the --*-spread options apply to Monte Carlo runs".into(),
            "add --runs N to draw the inputs N times within these ranges",
        ));
    }
    let (name, kind, cases, skipped) = cases(args)?;
    let run = (args.runs > 0).then_some(MonteCarlo { runs: args.runs, seed: args.seed, bins: args.bins });
    let mut outcomes = Vec::new();
    for case in cases {
        let forecast = parley_forecast::forecast(&case.data, &options).map_err(failure)?;
        let (distribution, uncertainty) = match run {
            None => (None, None),
            Some(run) => {
                let u = uncertainty(args, &case)?;
                let d = parley_forecast::monte_carlo(&case.data, &options, &u, run).map_err(failure)?;
                (Some(d), Some(u))
            }
        };
        outcomes.push(Outcome { case, forecast, distribution, uncertainty });
    }
    let report = print::Report::new(&name, kind, &args.levers, run, &outcomes, &skipped);
    match format {
        OutputFormat::Json => output::print_json(&report)?,
        OutputFormat::Table => output::print(&print::tables(&report, &outcomes, args.positions))?,
    }
    Ok(Status::Success)
}
