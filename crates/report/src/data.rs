//! Everything a report shows, as plain data: numbers already computed, names already
//! resolved. `parley run` saves it as `report.json` beside the experiment's files, and
//! `parley report` renders it again without computing anything.
//!
//! Numbers that can be undefined (a quantile of no values, a Sobol index of an output that
//! did not vary) are `Option<f64>`, written as `null`.

use serde::{Deserialize, Serialize};

pub mod audit;

pub use audit::{AuditRow, AuditSummary};

/// The version of this layout; [`crate::render`] refuses data of another.
pub const FORMAT: u32 = 2;

/// A report's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// Layout version ([`FORMAT`]).
    pub format: u32,
    /// What produced the report.
    pub meta: Meta,
    /// The scenario at a glance.
    pub glance: Glance,
    /// What deals exist.
    pub deals: Deals,
    /// How talks go (absent if no negotiation could be held).
    pub talks: Option<Talks>,
    /// The observed record the forecasts start from (absent without assimilation).
    pub record: Option<Record>,
    /// How well the model forecast the record it is conditioned on (absent without a
    /// backtest).
    pub backtest: Option<BacktestData>,
    /// The war beside the talks (absent without a `[conflict]` section).
    pub war: Option<War>,
    /// When a deal becomes possible (absent without an experiment).
    pub settlement: Option<Settlement>,
    /// Which assumptions matter most (absent without uncertain parameters).
    pub sensitivity: Option<Sensitivity>,
    /// The expected-utility forecast of each ordered issue (absent if no issue is one).
    pub forecast: Option<ForecastSection>,
    /// Whether the model matches its sources.
    pub checks: Checks,
    /// Every number with its provenance.
    pub provenance: ProvenanceData,
}

/// What produced the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// parley's version.
    pub parley_version: String,
    /// The scenario's id.
    pub scenario: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// The date it describes the world as of.
    pub as_of: Option<String>,
    /// Where it was read from (a file name, or the built-in scenario).
    pub scenario_file: String,
    /// The scenario's hash (FNV-1a of its canonical JSON).
    pub scenario_hash: String,
    /// Master seed of the experiment, the simulation and the sensitivity study.
    pub seed: u64,
    /// Replicates of the experiment.
    pub runs: u64,
    /// Months simulated.
    pub months: u32,
    /// Levers applied throughout (on top of which the others are compared).
    pub levers: Vec<String>,
    /// The command that reproduces the report.
    pub command: String,
}

/// An actor, with the reservation value it brings to the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActorRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Whether every deal needs its consent.
    pub veto: bool,
    /// The packages that need its consent although it holds no full veto, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    /// Static reservation value.
    pub reservation: f64,
    /// Where the reservation value comes from.
    pub reservation_source: String,
    /// The issue it weighs most.
    pub top_issue: Option<String>,
}

/// An issue and its options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssueRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `(option id, label, who rules it out on their own)`.
    pub options: Vec<OptionRow>,
}

/// One option of an issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptionRow {
    /// Id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Bargainers ruling it out on their own, as "Name (red line)" or "Name (below its
    /// reservation value)".
    pub ruled_out_by: Vec<String>,
    /// Packages in the zone with the option.
    pub zone_packages: u64,
}

/// A red line or a linkage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleRow {
    /// The actor's name.
    pub actor: String,
    /// The rule's id.
    pub id: String,
    /// When it applies, in words.
    pub when: String,
    /// Why (red lines) or the utility added (linkages).
    pub what: String,
    /// Citation or assumption.
    pub source: String,
}

/// A lever.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeverRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// Citation or assumption.
    pub source: String,
    /// Its changes, in words.
    pub changes: Vec<String>,
}

/// A source document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    /// Id used in citations.
    pub id: String,
    /// Title.
    pub title: String,
    /// Outlet.
    pub outlet: String,
    /// Date.
    pub date: String,
}

/// The scenario at a glance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Glance {
    /// Actors in file order.
    pub actors: Vec<ActorRow>,
    /// Issues in file order.
    pub issues: Vec<IssueRow>,
    /// Every red line.
    pub red_lines: Vec<RuleRow>,
    /// Every linkage.
    pub linkages: Vec<RuleRow>,
    /// Every lever.
    pub levers: Vec<LeverRow>,
    /// Every source.
    pub sources: Vec<SourceRow>,
}

/// An issue's agreed option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The issue's name.
    pub issue: String,
    /// The option's label.
    pub option: String,
}

/// A package with every actor's utility.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageRow {
    /// The terms, in issue order.
    pub terms: Vec<Term>,
    /// Every actor's utility, in actor order.
    pub utilities: Vec<f64>,
}

/// A bargaining solution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SolutionRow {
    /// `nash`, `kalai_smorodinsky`, `egalitarian` or `utilitarian`.
    pub concept: String,
    /// The package.
    pub package: PackageRow,
}

/// Admissible packages binned on a grid: `counts[j * nx + i]` packages have utilities in
/// cell `i` horizontally and `j` vertically.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Density {
    /// Cells across.
    pub nx: usize,
    /// Cells up.
    pub ny: usize,
    /// Left edge.
    pub x0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y0: f64,
    /// Top edge.
    pub y1: f64,
    /// Counts, row by row from the bottom.
    pub counts: Vec<u32>,
}

/// A solution's place in a pair's plane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SolutionPoint {
    /// The concept.
    pub concept: String,
    /// Utility to the horizontal actor.
    pub x: f64,
    /// Utility to the vertical actor.
    pub y: f64,
}

/// The utility plane of two actors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairPlot {
    /// Horizontal actor's id.
    pub x: String,
    /// Vertical actor's id.
    pub y: String,
    /// Horizontal actor's name.
    pub x_name: String,
    /// Vertical actor's name.
    pub y_name: String,
    /// Horizontal actor's reservation value.
    pub x_reservation: f64,
    /// Vertical actor's reservation value.
    pub y_reservation: f64,
    /// The admissible packages, binned.
    pub density: Density,
    /// The two actors' own Pareto frontier over the admissible packages, by `x` ascending.
    pub frontier: Vec<[f64; 2]>,
    /// The frontier of all bargainers, projected onto the two.
    pub joint_frontier: Vec<[f64; 2]>,
    /// Packages in the zone of possible agreement, projected.
    pub zone: Vec<[f64; 2]>,
    /// The solutions shown.
    pub solutions: Vec<SolutionPoint>,
}

/// A lever's effect on which deals exist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeverDeals {
    /// `baseline` or the lever's id.
    pub lever: String,
    /// Its name.
    pub name: String,
    /// Packages left on the table.
    pub outcomes: u64,
    /// Packages in the zone.
    pub zone: u64,
    /// The Nash package, if the zone is not empty.
    pub nash: Option<PackageRow>,
}

/// A package just outside the zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NearMissRow {
    /// The package.
    pub package: PackageRow,
    /// The bargainer furthest below its reservation value.
    pub binding: String,
    /// By how much.
    pub shortfall: f64,
}

/// What deals exist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deals {
    /// Packages in all.
    pub outcomes: u64,
    /// Crossing no bargainer's red line.
    pub admissible: u64,
    /// In the zone of possible agreement.
    pub zone: u64,
    /// Names of the bargainers.
    pub bargainers: Vec<String>,
    /// Packages on the Pareto frontier of all bargainers.
    pub frontier: usize,
    /// Of them, in the zone.
    pub frontier_in_zone: usize,
    /// The solutions in the zone, or (when it is empty) the reference solutions.
    pub solutions: Vec<SolutionRow>,
    /// Whether `solutions` are reference solutions (the zone is empty).
    pub reference: bool,
    /// The nearest package outside the zone.
    pub near_miss: Option<NearMissRow>,
    /// Actor names, in the order of every `utilities` list.
    pub actors: Vec<String>,
    /// The planes of the main pairs of bargainers.
    pub pairs: Vec<PairPlot>,
    /// The baseline and each lever.
    pub levers: Vec<LeverDeals>,
}

/// One round of a negotiation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TalkRound {
    /// Round (from 1).
    pub round: u32,
    /// Every party's utility of the package on the table at the end of the round (the
    /// standing text, or the latest offer), in party order.
    pub table: Vec<Option<f64>>,
    /// Every party's demand that round: the least utility it would accept.
    pub demands: Vec<Option<f64>>,
    /// How many parties accepted the package on the table that round.
    pub accepting: usize,
}

/// One negotiation, round by round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Talks {
    /// Which negotiation this is and why it was chosen.
    pub context: String,
    /// The protocol, in words.
    pub protocol: String,
    /// The parties' names.
    pub parties: Vec<String>,
    /// Their strategies, in words.
    pub strategies: Vec<String>,
    /// Their reservation values in that month.
    pub reservation: Vec<f64>,
    /// Round by round.
    pub rounds: Vec<TalkRound>,
    /// Texts or offers tabled.
    pub tabled: usize,
    /// The deadline in rounds.
    pub deadline: u32,
    /// How it ended, in words.
    pub ending: String,
    /// The agreement, if any.
    pub agreement: Option<PackageRow>,
}

/// Quantiles of a quantity month by month: `values[k]` holds the 5th, 25th, 50th, 75th and
/// 95th percentiles in month `k` (0 = the scenario date).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fan {
    /// What the quantity is.
    pub title: String,
    /// Its unit, for the axis.
    pub unit: String,
    /// One entry per month.
    pub values: Vec<[Option<f64>; 5]>,
}

/// The war beside the talks, from the experiment's baseline arm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct War {
    /// Month labels (`YYYY-MM`), from the scenario date.
    pub months: Vec<String>,
    /// The arm shown.
    pub arm: String,
    /// Replicates behind each quantile.
    pub runs: u64,
    /// `None` when the quantiles are exact; otherwise the relative error of the quantile
    /// sketch they were read from (many replicates; see `parley_core::stats::Sample`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantile_error: Option<f64>,
    /// The two sides' names.
    pub sides: [String; 2],
    /// The parties at the table.
    pub parties: Vec<String>,
    /// The area the holder controls.
    pub held: Fan,
    /// Each side's losses per month.
    pub losses: [Fan; 2],
    /// Each side's alternative to a deal.
    pub batna: [Fan; 2],
    /// Each party's acceptance margin of the month's best offer.
    pub margins: Vec<Fan>,
    /// Share of runs in which no party's margin is negative (the zone is open), by month
    /// from month 1.
    pub zone_open: Vec<f64>,
    /// Share of runs in a ceasefire or settlement at the end of each month, from month 1.
    pub at_peace: Vec<f64>,
}

/// The probability of a settlement by month in one arm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmCurve {
    /// `baseline` or the levers joined with `+`.
    pub arm: String,
    /// A readable name.
    pub name: String,
    /// `(p, low, high)` for months 1..horizon.
    pub settled: Vec<[f64; 3]>,
    /// Share with an agreement holding at the horizon, `(p, low, high)`.
    pub holding: [f64; 3],
    /// Median month of the first agreement.
    pub median_month: Option<f64>,
    /// Share in which a side broke, per side.
    pub capitulation: [f64; 2],
    /// Share in which a side chose a wider mobilisation, per side.
    #[serde(default)]
    pub mobilised: [f64; 2],
    /// Share in which the mediator walked away.
    #[serde(default)]
    pub mediator_left: f64,
    /// Share in which a side refused a framework agreed over its head.
    #[serde(default)]
    pub framework_refused: f64,
}

/// A lever arm against the baseline, paired by replicate: `(mean, low, high)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DifferenceRow {
    /// The arm.
    pub arm: String,
    /// Change in the probability of a settlement within 12 months.
    pub settled_within_12: [f64; 3],
    /// Change in the probability of a settlement holding at the horizon.
    pub holding: [f64; 3],
    /// Change in the holder's area at the horizon, km².
    pub held: [f64; 3],
}

/// The options agreed on one issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssueShares {
    /// The issue's name.
    pub issue: String,
    /// `(option label, share of agreements)`.
    pub options: Vec<(String, f64)>,
}

/// When a deal becomes possible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settlement {
    /// The scenario date's label (month 0).
    pub start: String,
    /// Month labels of months 1..horizon.
    pub months: Vec<String>,
    /// Replicates per arm.
    pub runs: u64,
    /// The conflict's sides' names, in the order of every per-side pair.
    #[serde(default)]
    pub sides: [String; 2],
    /// Each arm.
    pub arms: Vec<ArmCurve>,
    /// Each lever against the baseline.
    pub differences: Vec<DifferenceRow>,
    /// Agreements in the baseline arm.
    pub agreements: u64,
    /// The options agreed in the baseline arm, per issue.
    pub terms: Vec<IssueShares>,
    /// First agreements in each month, baseline arm.
    pub timing: Vec<u64>,
}

/// One parameter of the sensitivity study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParameterRow {
    /// Path.
    pub path: String,
    /// Point value.
    pub point: f64,
    /// 5th percentile of its distribution.
    pub p5: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Its distribution, in words.
    pub distribution: String,
    /// Citation or reason.
    pub source: String,
}

/// One bar of a tornado, with the input's Sobol indices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriverRow {
    /// Path of the input.
    pub path: String,
    /// Output with the input at its 5th percentile.
    pub low: f64,
    /// At its 95th percentile.
    pub high: f64,
    /// First-order index with its interval.
    pub first: [Option<f64>; 3],
    /// Total index with its interval.
    pub total: [Option<f64>; 3],
}

/// One output of the sensitivity study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureRow {
    /// Output id.
    pub output: String,
    /// What it is, in words.
    pub title: String,
    /// Axis title with unit.
    pub unit: String,
    /// At the point values.
    pub baseline: f64,
    /// By swing, widest first.
    pub drivers: Vec<DriverRow>,
}

/// Which assumptions matter most.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Base sample size of the Sobol design.
    pub samples: usize,
    /// The uncertain parameters.
    pub parameters: Vec<ParameterRow>,
    /// One per output.
    pub measures: Vec<MeasureRow>,
}

/// One expectation and its verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckRow {
    /// Id.
    pub id: String,
    /// The claim, in words.
    pub claim: String,
    /// The check's kind.
    pub kind: String,
    /// Citation or assumption.
    pub source: String,
    /// Passages disputing it.
    pub disputed_by: Vec<String>,
    /// Levers it is checked under.
    pub levers: Vec<String>,
    /// Whether it holds in the model.
    pub passed: bool,
    /// Set when the scenario records that the model contradicts the claim: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contradicted: Option<String>,
    /// The numbers behind the verdict, in words.
    pub explanation: String,
    /// The same by name (`None` for an infinite or undefined number, such as the best
    /// utility of an empty set).
    pub numbers: Vec<(String, Option<f64>)>,
    /// Whether it could have failed (absent if not audited).
    #[serde(default)]
    pub audit: Option<AuditRow>,
}

/// Whether the model matches its sources.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checks {
    /// Holding.
    pub passed: usize,
    /// Not holding.
    pub failed: usize,
    /// Each expectation.
    pub rows: Vec<CheckRow>,
    /// The audit's headline (absent if not audited).
    #[serde(default)]
    pub audit: Option<AuditSummary>,
}

impl CheckRow {
    /// Whether the verdict is what the scenario records: the claim holds, or it fails and
    /// is recorded as contradicted by the model.
    pub fn as_recorded(&self) -> bool {
        self.passed != self.contradicted.is_some()
    }
}

impl Checks {
    /// Claims whose verdict is not what the scenario records: failing claims not recorded
    /// as contradicted, and claims recorded as contradicted that hold.
    pub fn not_as_recorded(&self) -> usize {
        self.rows.iter().filter(|r| !r.as_recorded()).count()
    }
}

/// A number and where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumberRow {
    /// Path, as levers address it.
    pub path: String,
    /// Value (the mean, for a monthly series).
    pub value: f64,
    /// `cited`, `assumption`, `tuned` or `unstated`.
    pub kind: String,
    /// The citation or the reason.
    pub source: String,
}

/// Every number with its provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvenanceData {
    /// Numbers citing a source.
    pub cited: usize,
    /// Numbers stated as assumptions.
    pub assumed: usize,
    /// Numbers tuned so that a claim or a target holds.
    #[serde(default)]
    pub tuned: usize,
    /// Numbers with neither.
    pub unstated: usize,
    /// Every number, in file order.
    pub numbers: Vec<NumberRow>,
}

/// A point of an issue's scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaleRow {
    /// Where it lies.
    pub value: f64,
    /// The option's id.
    pub id: String,
    /// The option's label.
    pub label: String,
}

/// The expected-utility forecast of one issue, round by round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssueForecast {
    /// The issue's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its scale: the options in order.
    pub scale: Vec<ScaleRow>,
    /// The actors taking part, by name.
    pub actors: Vec<String>,
    /// Each actor's position in rounds 0 (the start), 1, 2, ….
    pub positions: Vec<Vec<f64>>,
    /// The median voter position (the forecast) in rounds 0, 1, 2, ….
    pub medians: Vec<f64>,
    /// The weighted mean position in rounds 0, 1, 2, ….
    pub means: Vec<f64>,
    /// Moves made in all rounds.
    pub moves: usize,
}

/// A second lens: Bueno de Mesquita's expected-utility forecast of each ordered issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastSection {
    /// Rounds played.
    pub rounds: usize,
    /// Each forecast issue, in scenario order.
    pub issues: Vec<IssueForecast>,
    /// Issues that cannot be forecast, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// What the particle filter made of the observed record up to the scenario date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Particles, over all the filters.
    pub particles: usize,
    /// Independent filters whose ensembles were pooled (1 in report data written before
    /// there were several).
    #[serde(default = "one")]
    pub filters: usize,
    /// Month labels (`YYYY-MM`), from the conflict's start to the scenario date.
    pub months: Vec<String>,
    /// Effective sample size each month, as a share of the particles.
    pub ess: Vec<f64>,
    /// Particles ruled out each month (a settlement or collapse the record did not see).
    pub ruled_out: Vec<u64>,
    /// Months whose effective sample size collapsed (below [`Record::collapse`]).
    pub collapsed: Vec<String>,
    /// The share of the particles below which a month counts as a collapse.
    pub collapse: f64,
    /// `ln p̂(record)`.
    pub log_likelihood: Option<f64>,
    /// How many of the prior's draws the particles at the scenario date descend from (0:
    /// not counted, in results saved before it was).
    #[serde(default)]
    pub lineages: u64,
    /// How many particles took a new draw of the talk-side assumptions after filtering (0:
    /// none, or results saved before the redraw existed).
    #[serde(default)]
    pub redrawn: u64,
    /// Each uncertain parameter, prior against posterior.
    pub parameters: Vec<PosteriorRow>,
    /// Each observed series against the filtered model.
    pub series: Vec<SeriesFitRow>,
}

/// An uncertain parameter before and after the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PosteriorRow {
    /// Its path.
    pub path: String,
    /// Prior 5th, 50th and 95th percentiles and mean.
    pub prior: [Option<f64>; 4],
    /// Posterior 5th, 50th and 95th percentiles and mean.
    pub posterior: [Option<f64>; 4],
    /// Posterior 90% range over prior 90% range: how much the record narrowed it.
    pub narrowing: Option<f64>,
}

/// An observed series against the filtered model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesFitRow {
    /// The series' id.
    pub id: String,
    /// What it measures, in words.
    pub title: String,
    /// Its unit.
    pub unit: String,
    /// Where it comes from (a citation or an assumption, in words).
    pub source: String,
    /// Observations by month (as [`Record::months`]); `None` where not observed.
    pub observed: Vec<Option<f64>>,
    /// The filtered model's 10th, 50th and 90th percentiles by month.
    pub filtered: Vec<[Option<f64>; 3]>,
    /// Share of observed months inside the filtered 80% band.
    pub coverage_80: Option<f64>,
}

/// A rolling-origin backtest of the forecasts against what followed and against naive
/// benchmarks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestData {
    /// The first and last origin (`YYYY-MM`).
    pub origins: [String; 2],
    /// Origins evaluated.
    pub count: u64,
    /// Horizons `1..=horizons` months.
    pub horizons: u32,
    /// Particles of each of an origin's filters.
    pub particles: usize,
    /// Independent filters at each origin, their ensembles pooled (1 in report data written
    /// before there were several).
    #[serde(default = "one")]
    pub filters: usize,
    /// Master seed.
    pub seed: u64,
    /// How the window was chosen.
    pub window: String,
    /// The scenario's numbers declared tuned to a series the backtest scores: for them the
    /// backtest is no out-of-sample test (empty in report data written before they were
    /// listed).
    #[serde(default)]
    pub tuned: Vec<TunedNumber>,
    /// Origins whose filter collapsed, with the months.
    pub collapsed: Vec<String>,
    /// Per observed series.
    pub series: Vec<BacktestSeries>,
    /// Per horizon, the forecasts that the war would have stopped, where the record says it
    /// went on (empty in report data written before they were scored).
    #[serde(default)]
    pub stopped: Vec<StoppedRow>,
}

/// A number declared tuned to an observed series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TunedNumber {
    /// The number's path.
    pub path: String,
    /// The series it was tuned to.
    pub to: String,
    /// How and why, in the scenario's words.
    pub note: String,
}

/// The model's forecasts, at one horizon, that the war would have stopped (a ceasefire, a
/// settlement or a capitulation), over the origins whose target month is on the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoppedRow {
    /// Months ahead.
    pub horizon: u32,
    /// Origins scored.
    pub n: usize,
    /// Mean probability the model gave to the war having stopped.
    pub probability: f64,
    /// Brier score of that probability (the war went on): the mean of its square.
    pub brier: f64,
}

/// One series' backtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestSeries {
    /// The series' id.
    pub id: String,
    /// What it measures, in words.
    pub title: String,
    /// Its unit.
    pub unit: String,
    /// Per horizon.
    pub horizons: Vec<HorizonRow>,
}

/// A series' scores at one horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HorizonRow {
    /// Months ahead.
    pub horizon: u32,
    /// Forecasts scored.
    pub n: usize,
    /// Mean CRPS of the model, of the no-change and of the drift benchmark.
    pub crps: [Option<f64>; 3],
    /// Skill against no change and against drift (`1 − CRPS_model / CRPS_benchmark`).
    pub skill: [Option<f64>; 2],
    /// Shares inside the model's 50%, 80% and 95% central intervals.
    pub coverage: [Option<f64>; 3],
    /// Share inside the drift benchmark's 80% interval.
    pub coverage_drift_80: Option<f64>,
    /// Mean of the model's median minus the observation.
    pub median_bias: Option<f64>,
    /// The model's PIT values in ten bins of width 0.1.
    pub pit: [u64; 10],
}

/// `Some(x)` for a finite `x`.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn one() -> usize {
    1
}
