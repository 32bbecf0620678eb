//! `parley negotiate`: how talks would go under a protocol, round by round.

use std::fmt::Write as _;

use parley_core::{AnalysisOptions, Disagreement, Scenario, SolutionConcept, UtilityModel, analyze};
use parley_protocol::{
    Action, Domain, MediatedText, NoObserver, Response, RunConfig, Sequenced, StackedAlternatingOffers, StrategyKind,
    Termination, run,
};
use serde::Serialize;

use crate::args::{NegotiateArgs, OutputFormat, ProtocolArg};
use crate::output::{self, utility};
use crate::{Failure, Status, scenario};

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    protocol: &'static str,
    seed: u64,
    rounds: u32,
    parties: Vec<PartyOut<'a>>,
    trace: Vec<StepOut<'a>>,
    termination: Termination,
    /// Issue id to option id of the agreement.
    #[serde(serialize_with = "output::as_optional_map")]
    agreement: Option<Vec<(&'a str, &'a str)>>,
    /// Party id to utility (discounted to the time of agreement; reservation values without one).
    #[serde(serialize_with = "output::as_map")]
    utilities: Vec<(&'a str, f64)>,
    pareto_distance: Option<f64>,
    nash_distance: Option<f64>,
}

#[derive(Serialize)]
struct PartyOut<'a> {
    actor: &'a str,
    strategy: StrategyKind,
    reservation: f64,
}

#[derive(Serialize)]
struct StepOut<'a> {
    round: u32,
    actor: &'a str,
    action: &'static str,
    response: Option<Response>,
    outcome: Option<u64>,
    /// Every party's utility of the outcome offered or tabled.
    utilities: Option<Vec<f64>>,
}

/// `actor=strategy` assignments over the parties, defaulting to `default`.
pub(crate) fn strategies(
    s: &Scenario,
    parties: &[usize],
    specs: &[String],
    default: StrategyKind,
) -> Result<Vec<StrategyKind>, Failure> {
    let mut kinds = vec![default; parties.len()];
    for spec in specs {
        let (actor, name) = spec.split_once('=').ok_or_else(|| {
            miette::miette!(
                help = "write --strategy ACTOR=STRATEGY, e.g. --strategy rus=boulware",
                "bad --strategy \"{spec}\""
            )
        })?;
        let Some(a) = s.actor_index(actor) else {
            return Err(miette::miette!("--strategy: unknown actor \"{actor}\"").into());
        };
        let Some(seat) = parties.iter().position(|&p| p == a) else {
            return Err(miette::miette!(
                help = "negotiating parties are chosen with --party",
                "--strategy: \"{actor}\" is not at the table"
            )
            .into());
        };
        kinds[seat] = StrategyKind::parse(name).ok_or_else(|| {
            miette::miette!(
                help = "strategies: boulware, linear, conceder, hardliner, tit-for-tat, batna-aware, random, time:E, batna:E",
                "--strategy: unknown strategy \"{name}\""
            )
        })?;
    }
    Ok(kinds)
}

/// The actors at the table: `--party` ids, or the veto players (every actor if none).
pub(crate) fn parties(s: &Scenario, ids: &[String]) -> Result<Vec<usize>, Failure> {
    if ids.is_empty() {
        let veto = s.veto_players();
        return Ok(if veto.is_empty() { (0..s.actors.len()).collect() } else { veto });
    }
    ids.iter()
        .map(|id| s.actor_index(id).ok_or_else(|| miette::miette!("--party: unknown actor \"{id}\"").into()))
        .collect()
}

pub(crate) fn run_command(args: &NegotiateArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load_with(args.scenario.as_deref(), args.semantics)?;
    let s = &scenario::with_levers(&loaded.scenario, &args.levers)?;
    let model = UtilityModel::new(s).map_err(|e| miette::miette!("{e}"))?;
    let seats = parties(s, &args.parties)?;
    let kinds = strategies(s, &seats, &args.strategies, StrategyKind::BOULWARE)?;
    let discount = s.preferences.iter().map(|p| p.discount.as_ref().map(|q| q.value)).collect();
    let full = Domain::new(&model).map_err(|e| miette::miette!("{e}"))?.with_discount(discount);
    let domain = full.with_parties(&seats);
    let config = RunConfig { rounds: args.rounds, seed: args.seed, stream: 0, record_trace: true };
    let space = model.space();
    let (protocol_name, termination, trace, utilities) = match args.protocol {
        ProtocolArg::Saop | ProtocolArg::Mediated => {
            let mut negotiators: Vec<_> = kinds.iter().map(|k| k.build()).collect();
            let (name, r) = if args.protocol == ProtocolArg::Saop {
                (
                    "stacked_alternating_offers",
                    run(&mut StackedAlternatingOffers::default(), &domain, &mut negotiators, config, &mut NoObserver),
                )
            } else {
                let mediator = match &args.mediator {
                    None => None,
                    Some(id) => {
                        let a =
                            s.actor_index(id).ok_or_else(|| miette::miette!("--mediator: unknown actor \"{id}\""))?;
                        Some(seats.iter().position(|&p| p == a).ok_or_else(|| {
                            miette::miette!(help = "add it with --party", "--mediator: \"{id}\" is not at the table")
                        })?)
                    }
                };
                (
                    "mediated_single_text",
                    run(&mut MediatedText::new(mediator), &domain, &mut negotiators, config, &mut NoObserver),
                )
            };
            (name, r.termination, r.trace, r.utilities)
        }
        ProtocolArg::Sequenced => {
            let mut stages = Vec::new();
            for stage in &args.stages {
                let issues: Result<Vec<usize>, Failure> = stage
                    .split(',')
                    .map(|id| {
                        s.issue_index(id.trim())
                            .ok_or_else(|| miette::miette!("--stage: unknown issue \"{id}\"").into())
                    })
                    .collect();
                stages.push(issues?);
            }
            let talks = Sequenced { stages, rounds_per_stage: args.rounds };
            let r = talks.run(&domain, &kinds, config, &mut NoObserver);
            let trace = r.stages.iter().flat_map(|st| st.trace.clone()).collect();
            ("sequenced", r.termination, trace, r.utilities)
        }
    };
    // Distances in the space of the parties at the table, against NegMAS-convention
    // solutions so that they exist even when the zone is empty.
    let analysis = analyze(
        &model,
        &AnalysisOptions { top_k: 0, option_stats: false, ..AnalysisOptions::default() }
            .with_disagreement(Disagreement::NegmasMinimum),
    )
    .map_err(|e| miette::miette!("{e}"))?;
    let agreed = match termination {
        Termination::Agreement { outcome, .. } => Some(outcome),
        _ => None,
    };
    let project = |u: &[f64]| seats.iter().map(|&a| u[a]).collect::<Vec<f64>>();
    let dist = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt();
    let here = agreed.map(|o| model.utilities(&space.decode(o)));
    let pareto_distance = here.as_ref().map(|u| {
        analysis.frontier.iter().map(|p| dist(&project(&p.utilities), &project(u))).fold(f64::INFINITY, f64::min)
    });
    let nash_distance = here.as_ref().and_then(|u| {
        analysis
            .solution(SolutionConcept::Nash)
            .or_else(|| analysis.reference_solutions.iter().find(|r| r.concept == SolutionConcept::Nash))
            .map(|n| dist(&project(&n.package.utilities), &project(u)))
    });
    let words = |o: u64| -> Vec<(&str, &str)> {
        s.issues.iter().zip(space.decode(o)).map(|(i, d)| (i.id.as_str(), i.options[d as usize].id.as_str())).collect()
    };
    let party_utils = |o: u64| -> Vec<f64> { seats.iter().map(|&a| domain_utility(&model, a, o)).collect() };
    match format {
        OutputFormat::Json => output::print_json(&Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            scenario: &s.metadata.id,
            protocol: protocol_name,
            seed: args.seed,
            rounds: args.rounds,
            parties: seats
                .iter()
                .zip(&kinds)
                .map(|(&a, &k)| PartyOut { actor: &s.actors[a].id, strategy: k, reservation: model.reservation()[a] })
                .collect(),
            trace: trace
                .iter()
                .map(|e| {
                    let actor = s.actors[seats[e.actor]].id.as_str();
                    match e.action {
                        Action::Offer { outcome } => StepOut {
                            round: e.round,
                            actor,
                            action: "offer",
                            response: None,
                            outcome: Some(outcome),
                            utilities: Some(party_utils(outcome)),
                        },
                        Action::Text { outcome } => StepOut {
                            round: e.round,
                            actor,
                            action: "text",
                            response: None,
                            outcome: Some(outcome),
                            utilities: Some(party_utils(outcome)),
                        },
                        Action::Respond { response, .. } => StepOut {
                            round: e.round,
                            actor,
                            action: "respond",
                            response: Some(response),
                            outcome: None,
                            utilities: None,
                        },
                    }
                })
                .collect(),
            termination,
            agreement: agreed.map(words),
            utilities: seats.iter().zip(&utilities).map(|(&a, &u)| (s.actors[a].id.as_str(), u)).collect(),
            pareto_distance,
            nash_distance,
        })?,
        OutputFormat::Table => {
            let mut out = String::new();
            let names: Vec<String> = seats.iter().map(|&a| s.actors[a].id.clone()).collect();
            let _ = writeln!(out, "{}: {protocol_name}, {} rounds, seed {}", s.metadata.title, args.rounds, args.seed);
            for ((&a, k), name) in seats.iter().zip(&kinds).zip(&names) {
                let _ = writeln!(out, "  {name}: {k:?}, reservation value {}", utility(model.reservation()[a]));
            }
            let mut t = output::table(
                ["round", "party", "action", "package"].map(String::from).into_iter().chain(names.clone()).collect(),
            );
            for e in trace.iter().filter(|e| !matches!(e.action, Action::Respond { response: Response::Reject, .. })) {
                let who = names[e.actor].clone();
                let (action, outcome) = match e.action {
                    Action::Offer { outcome } => ("offers", Some(outcome)),
                    Action::Text { outcome } => ("tables text", Some(outcome)),
                    Action::Respond { response, .. } => {
                        (if response == Response::Accept { "accepts" } else { "ends talks" }, None)
                    }
                };
                let mut row = vec![e.round.to_string(), who, action.to_string()];
                match outcome {
                    Some(o) => {
                        row.push(words(o).iter().map(|(i, v)| format!("{i}={v}")).collect::<Vec<_>>().join(" "));
                        row.extend(party_utils(o).iter().map(|&u| utility(u)));
                    }
                    None => row.push(String::new()),
                }
                t.add_row(row);
            }
            let _ = writeln!(out, "{t}");
            let _ = writeln!(out, "Outcome: {termination}");
            if let Some(o) = agreed {
                for (issue, d) in s.issues.iter().zip(space.decode(o)) {
                    let _ = writeln!(out, "  - {}: {}", issue.name, issue.options[d as usize].label);
                }
                let us: Vec<String> =
                    names.iter().zip(&utilities).map(|(n, u)| format!("{n} {}", utility(*u))).collect();
                let _ = writeln!(out, "Utilities: {}", us.join(", "));
                if let (Some(p), Some(n)) = (pareto_distance, nash_distance) {
                    let _ = writeln!(
                        out,
                        "Distance to the Pareto frontier {}, to the Nash point {}.",
                        utility(p),
                        utility(n)
                    );
                }
            }
            output::print(&out)?;
        }
    }
    Ok(Status::Success)
}

fn domain_utility(model: &UtilityModel, actor: usize, outcome: u64) -> f64 {
    model.utility(actor, &model.space().decode(outcome))
}
