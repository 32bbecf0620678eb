//! `parley analyze`: which deals exist and who blocks the rest.

use std::fmt::Write as _;

use parley_app::sources::Counts;
use parley_core::analysis::{BlockReason, OptionReport};
use parley_core::{Analysis, AnalysisOptions, Disagreement, Package, Scenario, UtilityModel, analyze};
use serde::Serialize;

use crate::args::{AnalyzeArgs, DisagreementArg, OutputFormat};
use crate::output::{self, package_ids, package_words, utility};
use crate::{Failure, Status, scenario};

pub(crate) fn run(args: &AnalyzeArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load_with(args.scenario.as_deref(), args.semantics)?;
    let s = &scenario::with_levers(&loaded.scenario, &args.levers)?;
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
    if args.compare {
        return compare(s, &args.levers, &options, format);
    }
    let model = UtilityModel::new(s).map_err(|e| miette::miette!("{e}"))?;
    let analysis = analyze(&model, &options).map_err(limit_hint)?;
    match format {
        OutputFormat::Json => output::print_json(&Report::new(s, &analysis, &args.levers))?,
        OutputFormat::Table => {
            let mut text = String::new();
            if !args.levers.is_empty() {
                let names: Vec<String> = args
                    .levers
                    .iter()
                    .map(|id| s.lever(id).map_or(id.clone(), |l| format!("{id} ({})", l.name)))
                    .collect();
                text.push_str(&format!("With levers: {}\n", names.join(", ")));
            }
            text.push_str(&tables(s, &analysis, args.frontier_rows));
            output::print(&text)?
        }
    }
    Ok(Status::Success)
}

/// One row of `--compare`.
#[derive(Serialize)]
struct Variant<'a> {
    lever: Option<&'a str>,
    name: &'a str,
    outcomes: u64,
    zopa: u64,
    frontier_in_zopa: usize,
    nash: Option<PackageOut<'a>>,
    /// Actor id to margin (utility minus reservation value) at the Nash package.
    #[serde(serialize_with = "output::as_map")]
    margins: Vec<(&'a str, f64)>,
}

/// The baseline and every lever on top of it, side by side.
fn compare(
    base: &Scenario,
    applied: &[String],
    options: &AnalysisOptions,
    format: OutputFormat,
) -> Result<Status, Failure> {
    let options = AnalysisOptions { top_k: 0, option_stats: false, ..options.clone() };
    let mut scenarios: Vec<(Option<&str>, &str, Scenario)> = vec![(None, "baseline", base.clone())];
    for lever in &base.levers {
        let changed = base.with_lever(lever).map_err(|e| miette::miette!("lever \"{}\": {e}", lever.id))?;
        scenarios.push((Some(lever.id.as_str()), lever.name.as_str(), changed));
    }
    let mut rows = Vec::new();
    for (lever, name, s) in &scenarios {
        let model = UtilityModel::new(s).map_err(|e| miette::miette!("{e}"))?;
        let a = analyze(&model, &options).map_err(limit_hint)?;
        let nash = a.solution(parley_core::SolutionConcept::Nash);
        // Every actor's margin (utility minus reservation value) at the Nash package.
        let margins = nash
            .map(|n| {
                base.actors
                    .iter()
                    .enumerate()
                    .map(|(i, actor)| (actor.id.as_str(), n.package.utilities[i] - a.reservation[i]))
                    .collect()
            })
            .unwrap_or_default();
        rows.push((
            Variant {
                lever: *lever,
                name,
                outcomes: a.outcomes,
                zopa: a.zopa,
                frontier_in_zopa: a.frontier_in_zopa,
                nash: nash.map(|n| package(s, &n.package)),
                margins,
            },
            nash.map(|n| package_ids(s, &n.package)),
        ));
    }
    match format {
        OutputFormat::Json => output::print_json(&rows.iter().map(|(v, _)| v).collect::<Vec<_>>())?,
        OutputFormat::Table => {
            let actors: Vec<String> = base
                .actors
                .iter()
                .map(|x| if x.veto.is_full() { format!("{} (veto)", x.id) } else { x.id.clone() })
                .collect();
            let header =
                ["lever", "packages", "in zone", "Nash package"].map(String::from).into_iter().chain(actors).collect();
            let mut t = output::table(header);
            for (v, ids) in &rows {
                let mut row = vec![
                    v.lever.unwrap_or("baseline").to_string(),
                    v.outcomes.to_string(),
                    v.zopa.to_string(),
                    ids.clone().unwrap_or_else(|| "none: the zone is empty".into()),
                ];
                if let Some(nash) = &v.nash {
                    let cells =
                        nash.utilities.iter().zip(&v.margins).map(|((_, u), (_, m))| format!("{u:.3} ({m:+.3})"));
                    row.extend(cells);
                }
                t.add_row(row);
            }
            let on = if applied.is_empty() { String::new() } else { format!(" (on top of: {})", applied.join(", ")) };
            output::print(&format!(
                "{}: the baseline and each lever{on}\nEach actor's utility at the Nash package, and in brackets its margin over its reservation value.\n{t}\n",
                base.metadata.title
            ))?;
        }
    }
    Ok(Status::Success)
}

/// The machine-readable result. Field names are part of parley's interface.
#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: ScenarioRef<'a>,
    levers: &'a [String],
    outcomes: u64,
    admissible: u64,
    zopa: u64,
    bargainers: Vec<&'a str>,
    disagreement: Disagreement,
    actors: Vec<ActorRow<'a>>,
    frontier: Vec<PackageOut<'a>>,
    frontier_in_zopa: usize,
    solutions: Vec<SolutionOut<'a>>,
    reference_solutions: Vec<SolutionOut<'a>>,
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
    /// The packages that need its consent although it holds no full veto, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    consent: Option<String>,
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
    #[serde(serialize_with = "output::as_map")]
    terms: Vec<(&'a str, &'a str)>,
    /// Actor id to utility, in actor order.
    #[serde(serialize_with = "output::as_map")]
    utilities: Vec<(&'a str, f64)>,
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
    fn new(s: &'a Scenario, a: &'a Analysis, levers: &'a [String]) -> Self {
        Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            levers,
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
                    veto: actor.veto.is_full(),
                    consent: actor.veto.scope().map(|scope| scope.describe(&s.issues)),
                    reservation: a.reservation[i],
                    disagreement: a.disagreement_point[i],
                    best: a.ideal[i],
                    worst: a.worst[i],
                    red_line_crossings: a.red_line_crossings[i],
                })
                .collect(),
            frontier: a.frontier.iter().map(|p| package(s, p)).collect(),
            frontier_in_zopa: a.frontier_in_zopa,
            solutions: solutions(s, &a.solutions),
            reference_solutions: solutions(s, &a.reference_solutions),
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

fn solutions<'a>(s: &'a Scenario, list: &[parley_core::Solution]) -> Vec<SolutionOut<'a>> {
    list.iter()
        .map(|x| SolutionOut { concept: x.concept, objective: x.objective, package: package(s, &x.package) })
        .collect()
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

/// Each distinct solution package in words; concepts that agree share one description.
fn describe_solutions(w: &mut String, s: &Scenario, solutions: &[parley_core::Solution]) {
    let mut described: Vec<u64> = Vec::new();
    for x in solutions {
        if described.contains(&x.package.index) {
            continue;
        }
        described.push(x.package.index);
        let names: Vec<&str> =
            solutions.iter().filter(|y| y.package.index == x.package.index).map(|y| y.concept.name()).collect();
        let _ = writeln!(w, "\n{} package:", names.join(", "));
        for line in package_words(s, &x.package) {
            let _ = writeln!(w, "  - {line}");
        }
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
    let scoped = if s.actors.iter().any(|x| x.veto.scope().is_some()) { " and no scoped veto blocks" } else { "" };
    let _ = writeln!(
        w,
        "{} packages; {} cross no veto player's red line{scoped}; {} ({}) are in the zone of possible agreement.",
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
            match (actor.veto.scope(), actor.veto.is_full()) {
                (Some(scope), _) => format!("over {}", scope.describe(&s.issues)),
                (None, true) => "yes".into(),
                (None, false) => "no".into(),
            },
            utility(a.reservation[i]),
            utility(a.ideal[i]),
            utility(a.worst[i]),
            a.red_line_crossings[i].to_string(),
        ]);
    }
    // A Genius folder read with NegMAS's semantics keeps the profiles' own scale.
    let unit = a.ideal.iter().chain(&a.worst).all(|u| (0.0..=1.0).contains(u));
    let scale = if unit { "on a 0-1 scale" } else { "on the profiles' own scale, not 0-1" };
    let _ = writeln!(w, "Actors (utilities {scale})\n{t}\n");

    let actor_cols = || s.actors.iter().map(|x| x.id.clone());
    if a.solutions.is_empty() {
        let _ = writeln!(
            w,
            "The zone of possible agreement is empty: no package is acceptable to every veto player. This is a finding, not an error; see what blocks agreement below."
        );
        if let Some(m) = a.near_misses.first() {
            let _ = writeln!(
                w,
                "The closest package leaves {} {} below its reservation value (nearest packages are listed at the end).",
                s.actors[m.binding_actor].name,
                utility(m.shortfall)
            );
        }
        let _ = writeln!(w);
        if !a.reference_solutions.is_empty() {
            let mut t = output::table(
                ["solution".to_string(), "package".to_string()].into_iter().chain(actor_cols()).collect(),
            );
            for x in &a.reference_solutions {
                let row = [x.concept.name().to_string(), package_ids(s, &x.package)];
                t.add_row(row.into_iter().chain(x.package.utilities.iter().map(|&u| utility(u))).collect::<Vec<_>>());
            }
            let _ = writeln!(
                w,
                "For reference, the bargaining solutions over the whole frontier, measured from each veto player's worst admissible package. They are efficient compromises that at least one veto player would refuse, not deals.\n{t}"
            );
            describe_solutions(w, s, &a.reference_solutions);
            let _ = writeln!(w);
        }
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
        describe_solutions(w, s, &a.solutions);
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
        "These results are conditional on the scenario's numbers: {} cited, {} assumptions, {} tuned, {} unstated (see `parley sources`).",
        c.cited, c.assumed, c.tuned, c.unstated
    );
    out
}

/// An analysis error, with the flag that raises the limit it hit.
fn limit_hint(e: parley_core::Error) -> miette::Report {
    match e {
        parley_core::Error::OutcomeSpaceTooLarge { .. } => {
            miette::miette!(help = "--max-outcomes raises the limit", "{e}")
        }
        parley_core::Error::FrontierTooLarge { .. } => {
            miette::miette!(help = "--memory-limit raises the budget", "{e}")
        }
        e => miette::miette!("{e}"),
    }
}
