//! `parley analyze`: which deals exist and who blocks the rest.

use std::fmt::Write as _;

use parley_core::analysis::{BlockReason, OptionReport};
use parley_core::{Analysis, AnalysisOptions, Disagreement, Package, Provenance, Scenario, UtilityModel, analyze};
use serde::Serialize;

use crate::args::{AnalyzeArgs, DisagreementArg, OutputFormat};
use crate::output::{self, package_ids, package_words, utility};
use crate::{Failure, Status, scenario};

pub(crate) fn run(args: &AnalyzeArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    let model = UtilityModel::new(s).map_err(|e| miette::miette!("{e}"))?;
    let options = AnalysisOptions {
        disagreement: match args.disagreement {
            DisagreementArg::Reservation => Disagreement::Reservation,
            DisagreementArg::Negmas => Disagreement::NegmasMinimum,
        },
        top_k: args.top,
        option_stats: true,
        max_outcomes: args.max_outcomes,
        memory_budget: args.memory_limit.saturating_mul(1 << 20),
    };
    let analysis = analyze(&model, &options).map_err(|e| miette::miette!("{e}"))?;
    match format {
        OutputFormat::Json => output::print_json(&Report::new(s, &analysis))?,
        OutputFormat::Table => output::print(&tables(s, &analysis, args.frontier_rows))?,
    }
    Ok(Status::Success)
}

/// The machine-readable result. Field names are part of parley's interface.
#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: ScenarioRef<'a>,
    outcomes: u64,
    admissible: u64,
    zopa: u64,
    bargainers: Vec<&'a str>,
    disagreement: Disagreement,
    actors: Vec<ActorRow<'a>>,
    frontier: Vec<PackageOut<'a>>,
    frontier_in_zopa: usize,
    solutions: Vec<SolutionOut<'a>>,
    best_deals: Vec<PackageOut<'a>>,
    near_misses: Vec<NearMissOut<'a>>,
    blocks: Vec<OptionOut<'a>>,
    provenance: Counts,
}

#[derive(Serialize)]
struct ScenarioRef<'a> {
    id: &'a str,
    title: &'a str,
    as_of: Option<&'a str>,
}

#[derive(Serialize)]
struct ActorRow<'a> {
    id: &'a str,
    veto: bool,
    reservation: f64,
    disagreement: f64,
    best: f64,
    worst: f64,
    red_line_crossings: u64,
}

#[derive(Serialize)]
struct PackageOut<'a> {
    index: u64,
    /// Issue id to option id, in issue order.
    #[serde(serialize_with = "as_map")]
    terms: Vec<(&'a str, &'a str)>,
    /// Actor id to utility, in actor order.
    #[serde(serialize_with = "as_map")]
    utilities: Vec<(&'a str, f64)>,
}

/// Serialises pairs as a JSON object, keeping their order.
fn as_map<K: Serialize, V: Serialize, S: serde::Serializer>(
    pairs: &[(K, V)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

#[derive(Serialize)]
struct SolutionOut<'a> {
    concept: parley_core::SolutionConcept,
    objective: f64,
    package: PackageOut<'a>,
}

#[derive(Serialize)]
struct NearMissOut<'a> {
    package: PackageOut<'a>,
    binding_actor: &'a str,
    shortfall: f64,
}

#[derive(Serialize)]
struct OptionOut<'a> {
    issue: &'a str,
    option: &'a str,
    zopa_outcomes: u64,
    blocked_by: Vec<BlockOut<'a>>,
}

#[derive(Serialize)]
struct BlockOut<'a> {
    actor: &'a str,
    binding: bool,
    #[serde(flatten)]
    reason: &'a BlockReason,
}

/// Numbers by provenance.
#[derive(Serialize, Default)]
pub(crate) struct Counts {
    pub cited: usize,
    pub assumed: usize,
    pub unstated: usize,
}

impl Counts {
    pub(crate) fn of(s: &Scenario) -> Self {
        let mut c = Counts::default();
        for n in s.numbers() {
            match n.quantity.provenance {
                Provenance::Cited { .. } => c.cited += 1,
                Provenance::Assumption { .. } => c.assumed += 1,
                Provenance::Unstated => c.unstated += 1,
            }
        }
        c
    }
}

fn package<'a>(s: &'a Scenario, p: &Package) -> PackageOut<'a> {
    PackageOut {
        index: p.index,
        terms: s
            .issues
            .iter()
            .zip(&p.options)
            .map(|(i, &o)| (i.id.as_str(), i.options[o as usize].id.as_str()))
            .collect(),
        utilities: s.actors.iter().zip(&p.utilities).map(|(a, &u)| (a.id.as_str(), u)).collect(),
    }
}

impl<'a> Report<'a> {
    fn new(s: &'a Scenario, a: &'a Analysis) -> Self {
        Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            scenario: ScenarioRef { id: &s.metadata.id, title: &s.metadata.title, as_of: s.metadata.as_of.as_deref() },
            outcomes: a.outcomes,
            admissible: a.admissible,
            zopa: a.zopa,
            bargainers: a.bargainers.iter().map(|&b| s.actors[b].id.as_str()).collect(),
            disagreement: a.disagreement,
            actors: s
                .actors
                .iter()
                .enumerate()
                .map(|(i, actor)| ActorRow {
                    id: &actor.id,
                    veto: actor.veto,
                    reservation: a.reservation[i],
                    disagreement: a.disagreement_point[i],
                    best: a.ideal[i],
                    worst: a.worst[i],
                    red_line_crossings: a.red_line_crossings[i],
                })
                .collect(),
            frontier: a.frontier.iter().map(|p| package(s, p)).collect(),
            frontier_in_zopa: a.frontier_in_zopa,
            solutions: a
                .solutions
                .iter()
                .map(|x| SolutionOut { concept: x.concept, objective: x.objective, package: package(s, &x.package) })
                .collect(),
            best_deals: a.best_deals.iter().map(|p| package(s, p)).collect(),
            near_misses: a
                .near_misses
                .iter()
                .map(|m| NearMissOut {
                    package: package(s, &m.package),
                    binding_actor: &s.actors[m.binding_actor].id,
                    shortfall: m.shortfall,
                })
                .collect(),
            blocks: a.options.iter().filter(|r| !r.blocks.is_empty()).map(|r| option_out(s, r)).collect(),
            provenance: Counts::of(s),
        }
    }
}

fn option_out<'a>(s: &'a Scenario, r: &'a OptionReport) -> OptionOut<'a> {
    let issue = &s.issues[r.issue];
    OptionOut {
        issue: &issue.id,
        option: &issue.options[r.option].id,
        zopa_outcomes: r.zopa_outcomes,
        blocked_by: r
            .blocks
            .iter()
            .map(|b| BlockOut { actor: &s.actors[b.actor].id, binding: b.binding, reason: &b.reason })
            .collect(),
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 { "0%".into() } else { format!("{:.1}%", 100.0 * part as f64 / whole as f64) }
}

/// The human-readable report.
fn tables(s: &Scenario, a: &Analysis, frontier_rows: usize) -> String {
    let mut out = String::new();
    let w = &mut out;
    let as_of = s.metadata.as_of.as_deref().map(|d| format!(" (as of {d})")).unwrap_or_default();
    let _ = writeln!(w, "{}{as_of}", s.metadata.title);
    let bargainers: Vec<&str> = a.bargainers.iter().map(|&b| s.actors[b].name.as_str()).collect();
    let _ = writeln!(w, "Deals need the consent of: {}.", bargainers.join(", "));
    let _ = writeln!(
        w,
        "{} packages; {} cross no veto player's red line; {} ({}) are in the zone of possible agreement.",
        a.outcomes,
        a.admissible,
        a.zopa,
        percent(a.zopa, a.outcomes)
    );
    let _ =
        writeln!(w, "Pareto frontier: {} packages, {} of them in the zone.\n", a.frontier.len(), a.frontier_in_zopa);

    let mut t = output::table(
        ["actor", "role", "veto", "reservation", "best possible", "worst possible", "red-line packages"]
            .map(String::from)
            .to_vec(),
    );
    for (i, actor) in s.actors.iter().enumerate() {
        t.add_row(vec![
            actor.name.clone(),
            actor.role.as_str().to_string(),
            if actor.veto { "yes" } else { "no" }.to_string(),
            utility(a.reservation[i]),
            utility(a.ideal[i]),
            utility(a.worst[i]),
            a.red_line_crossings[i].to_string(),
        ]);
    }
    let _ = writeln!(w, "Actors (utilities on a 0-1 scale)\n{t}\n");

    let actor_cols = || s.actors.iter().map(|x| x.id.clone());
    if a.solutions.is_empty() {
        let _ = writeln!(
            w,
            "No bargaining solution: no package is acceptable to every veto player. This is a finding, not an error; see what blocks agreement below.\n"
        );
    } else {
        let convention = match a.disagreement {
            Disagreement::Reservation => "reservation values; solutions chosen inside the zone",
            Disagreement::NegmasMinimum => "NegMAS convention, max(reservation, worst utility)",
        };
        let mut t =
            output::table(["solution".to_string(), "package".to_string()].into_iter().chain(actor_cols()).collect());
        for x in &a.solutions {
            let row = [x.concept.name().to_string(), package_ids(s, &x.package)];
            t.add_row(row.into_iter().chain(x.package.utilities.iter().map(|&u| utility(u))).collect::<Vec<_>>());
        }
        let _ = writeln!(w, "Bargaining solutions (disagreement point: {convention})\n{t}");
        // Concepts that agree share one description.
        let mut described: Vec<u64> = Vec::new();
        for x in &a.solutions {
            if described.contains(&x.package.index) {
                continue;
            }
            described.push(x.package.index);
            let names: Vec<&str> =
                a.solutions.iter().filter(|y| y.package.index == x.package.index).map(|y| y.concept.name()).collect();
            let _ = writeln!(w, "\n{} package:", names.join(", "));
            for line in package_words(s, &x.package) {
                let _ = writeln!(w, "  - {line}");
            }
        }
        let _ = writeln!(w);
    }

    if !a.best_deals.is_empty() {
        let mut t = output::table(["#".to_string(), "package".to_string()].into_iter().chain(actor_cols()).collect());
        for (k, p) in a.best_deals.iter().enumerate() {
            let row = [(k + 1).to_string(), package_ids(s, p)];
            t.add_row(row.into_iter().chain(p.utilities.iter().map(|&u| utility(u))).collect::<Vec<_>>());
        }
        let _ = writeln!(w, "Best deals in the zone (by Nash product over the reservation values)\n{t}\n");
    }

    let shown = a.frontier.len().min(frontier_rows);
    if shown > 0 {
        let mut t =
            output::table(["package".to_string(), "in zone".to_string()].into_iter().chain(actor_cols()).collect());
        for p in &a.frontier[..shown] {
            let inside = a.bargainers.iter().all(|&b| p.utilities[b] >= a.reservation[b]);
            let row = [package_ids(s, p), if inside { "yes" } else { "no" }.to_string()];
            t.add_row(row.into_iter().chain(p.utilities.iter().map(|&u| utility(u))).collect::<Vec<_>>());
        }
        let more =
            if shown < a.frontier.len() { format!(", first {shown} of {}", a.frontier.len()) } else { String::new() };
        let _ = writeln!(w, "Pareto frontier (by {} descending{more})\n{t}\n", s.actors[0].name);
    }

    let blocked: Vec<&OptionReport> = a.options.iter().filter(|r| !r.blocks.is_empty()).collect();
    let _ = writeln!(w, "Who blocks what");
    if blocked.is_empty() {
        let _ = writeln!(w, "Every option appears in some package each actor accepts.\n");
    } else {
        let mut t = output::table(["issue", "option", "in zone", "ruled out by"].map(String::from).to_vec());
        for r in blocked {
            let issue = &s.issues[r.issue];
            let why: Vec<String> = r
                .blocks
                .iter()
                .map(|b| {
                    let who = &s.actors[b.actor].name;
                    let note = if b.binding { "" } else { ", no veto" };
                    match &b.reason {
                        BlockReason::RedLine => format!("{who} (red line{note})"),
                        BlockReason::Reservation { best, reservation } => {
                            format!("{who} (best {} < reservation {}{note})", utility(*best), utility(*reservation))
                        }
                    }
                })
                .collect();
            t.add_row(vec![
                issue.id.clone(),
                issue.options[r.option].id.clone(),
                r.zopa_outcomes.to_string(),
                why.join("; "),
            ]);
        }
        let _ = writeln!(w, "{t}\n");
    }

    if !a.near_misses.is_empty() {
        let mut t = output::table(
            ["package", "binding actor", "short by"].map(String::from).into_iter().chain(actor_cols()).collect(),
        );
        for m in &a.near_misses {
            let row = [package_ids(s, &m.package), s.actors[m.binding_actor].name.clone(), utility(m.shortfall)];
            t.add_row(row.into_iter().chain(m.package.utilities.iter().map(|&u| utility(u))).collect::<Vec<_>>());
        }
        let _ = writeln!(
            w,
            "Nearest packages outside the zone (the binding actor is furthest below its reservation value)\n{t}\n"
        );
    }

    let c = Counts::of(s);
    let _ = writeln!(
        w,
        "These results are conditional on the scenario's numbers: {} cited, {} assumptions, {} unstated (see `parley sources`).",
        c.cited, c.assumed, c.unstated
    );
    out
}
