//! `parley simulate`: the war beside the talks, month by month.

use std::fmt::Write as _;

use parley_core::Scenario;
use parley_protocol::{StrategyKind, Termination};
use parley_sim::coupled::{
    Ending, MonthRecord, OverTheHead, RunOptions, Simulation, Talks, TalksProtocol, default_parties,
};
use serde::Serialize;

use crate::args::{OutputFormat, ProtocolArg, SimulateArgs};
use crate::commands::negotiate::strategies;
use crate::output::{self, utility};
use crate::{Failure, Status, scenario};

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    scenario: &'a str,
    seed: u64,
    central: bool,
    levers: &'a [String],
    /// Conflict sides, in the order of every `[side 0, side 1]` pair below.
    sides: [&'a str; 2],
    /// Parties at the table, in the order of `reservation` and `margins`.
    parties: Vec<&'a str>,
    talks: &'a Talks,
    /// Both sides' alternatives to a deal at the scenario date.
    batna_as_of: [f64; 2],
    /// What each side stands to gain or lose without a deal, in its own utility.
    stakes: &'a [parley_sim::batna::Stakes; 2],
    months: Vec<MonthOut<'a>>,
    ending: EndingOut<'a>,
}

#[derive(Serialize)]
struct MonthOut<'a> {
    #[serde(flatten)]
    record: &'a MonthRecord,
    /// The best offer in words: issue id to option id.
    #[serde(serialize_with = "output::as_optional_map")]
    best_offer_terms: Option<Vec<(&'a str, &'a str)>>,
}

#[derive(Serialize)]
struct EndingOut<'a> {
    #[serde(flatten)]
    ending: &'a Ending,
    /// For an ending with terms: issue id to option id.
    #[serde(serialize_with = "output::as_optional_map")]
    terms: Option<Vec<(&'a str, &'a str)>>,
    /// The actor who broke, for a capitulation.
    actor_id: Option<&'a str>,
}

/// The terms of an outcome, as `(issue id, option id)` pairs.
pub(crate) fn terms(s: &Scenario, outcome: u64) -> Vec<(&str, &str)> {
    let digits = s.outcome_space().decode(outcome);
    s.issues.iter().zip(digits).map(|(i, d)| (i.id.as_str(), i.options[d as usize].id.as_str())).collect()
}

/// How the month's talks ended, in words: over a side's head, whether the framework was
/// accepted, refused, or not agreed by the others.
fn talks_name(m: &MonthRecord) -> &'static str {
    match (&m.talks, m.over_the_head) {
        (None, _) => "",
        (Some(Termination::Agreement { .. }), Some(_)) => "framework accepted",
        (Some(_), Some(OverTheHead { framework: Some(_) })) => "framework refused",
        (Some(_), Some(OverTheHead { framework: None })) => "no framework",
        (Some(Termination::Agreement { .. }), None) => "agreement",
        (Some(Termination::Breakdown { .. }), None) => "breakdown",
        (Some(Termination::Deadline { .. }), None) => "deadline",
    }
}

/// The talks the command line asks for.
fn talks(s: &Scenario, args: &SimulateArgs) -> Result<Talks, Failure> {
    let parties = default_parties(s);
    let kinds = strategies(s, &parties, &args.strategies, StrategyKind::BatnaAware { exponent: 3.0 })?;
    let protocol = match args.protocol {
        ProtocolArg::Saop => TalksProtocol::AlternatingOffers,
        ProtocolArg::Mediated => {
            let mediator = match &args.mediator {
                None => parties.iter().position(|&a| s.actors[a].role == parley_core::Role::Mediator),
                Some(id) => {
                    let a = s.actor_index(id).ok_or_else(|| miette::miette!("--mediator: unknown actor \"{id}\""))?;
                    Some(parties.iter().position(|&p| p == a).ok_or_else(|| {
                        miette::miette!(
                            help = "the veto players sit at the table",
                            "--mediator: \"{id}\" is not at the table"
                        )
                    })?)
                }
            };
            TalksProtocol::MediatedText { mediator }
        }
        ProtocolArg::Sequenced => {
            return Err(miette::miette!(
                help = "use --protocol saop or --protocol mediated",
                "sequenced talks are not available in the monthly simulation"
            )
            .into());
        }
    };
    Ok(Talks { protocol, strategies: kinds, rounds: args.rounds })
}

pub(crate) fn run(args: &SimulateArgs, format: OutputFormat) -> Result<Status, Failure> {
    let loaded = scenario::load(args.scenario.as_deref())?;
    let s = &loaded.scenario;
    let Some(conflict) = &s.conflict else {
        return Err(miette::miette!(
            help = "add a [conflict] section (see the built-in scenario, `parley schema`)",
            "{} has no [conflict] section, so there is no war to simulate",
            parley_app::scenario::name(args.scenario.as_deref())
        )
        .into());
    };
    let levers = scenario::levers(s, &args.levers)?;
    let talks = talks(s, args)?;
    let sim = Simulation::new(s, &levers, Some(talks.clone())).map_err(|e| miette::miette!("{e}"))?;
    let table = sim.scenario();
    let path =
        sim.run(RunOptions { months: args.months, seed: args.seed, stream: 0, noise: !args.central, talks: true });
    let sides = [0, 1].map(|i| s.actors[conflict.sides[i].actor].id.as_str());
    let parties: Vec<&str> = sim.parties().iter().map(|&a| s.actors[a].id.as_str()).collect();
    if let Some(out) = &args.out {
        output::write_atomically(out, csv(args, s, table, &sides, &parties, &path.months)?)?;
    }
    let ending_terms = match &path.ending {
        Ending::Holding { terms: t, .. } => Some(terms(table, *t)),
        _ => None,
    };
    let actor_id = match &path.ending {
        Ending::Capitulation { actor, .. } => Some(s.actors[*actor].id.as_str()),
        _ => None,
    };
    match format {
        OutputFormat::Json => output::print_json(&Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            scenario: &s.metadata.id,
            seed: args.seed,
            central: args.central,
            levers: &args.levers,
            sides,
            parties,
            talks: &talks,
            batna_as_of: sim.reservation_at_as_of(),
            stakes: sim.stakes(),
            months: path
                .months
                .iter()
                .map(|m| MonthOut { record: m, best_offer_terms: m.best_offer.map(|o| terms(table, o)) })
                .collect(),
            ending: EndingOut { ending: &path.ending, terms: ending_terms, actor_id },
        })?,
        OutputFormat::Table => {
            let mut out = String::new();
            let what = if args.central { "central path".to_string() } else { format!("seed {}", args.seed) };
            let _ = writeln!(out, "{}: {} months after {} ({what})", s.metadata.title, args.months, conflict.as_of);
            if !args.levers.is_empty() {
                let _ = writeln!(out, "levers: {}", args.levers.join(", "));
            }
            let b = sim.reservation_at_as_of();
            let _ = writeln!(
                out,
                "alternatives to a deal at {}: {} {}, {} {}\n",
                conflict.as_of,
                sides[0],
                utility(b[0]),
                sides[1],
                utility(b[1])
            );
            let mut header = vec!["month".to_string(), "state".into(), "held km²".into(), "Δ km²".into()];
            for side in sides {
                header.push(format!("losses {side}"));
            }
            header.push(format!("aid {} €bn", sides[1]));
            for side in sides {
                header.push(format!("BATNA {side}"));
            }
            header.push("worst margin".into());
            header.push("talks".into());
            let mut t = output::table(header);
            for m in &path.months {
                let mut row = vec![
                    m.month.to_string(),
                    m.phase.name().to_string(),
                    format!("{:.0}", m.war.held),
                    format!("{:+.0}", m.war.territory_change),
                ];
                for i in 0..2 {
                    row.push(format!("{:.0}", m.war.losses[i]));
                }
                row.push(format!("{:.2}", m.war.aid[1]));
                for i in 0..2 {
                    row.push(utility(m.batna[i]));
                }
                row.push(utility(m.margins.iter().copied().fold(f64::INFINITY, f64::min)));
                row.push(talks_name(m).to_string());
                t.add_row(row);
            }
            let _ = writeln!(out, "{t}\n");
            let _ = match &path.ending {
                Ending::NoSettlement => writeln!(out, "ending: no settlement within {} months", args.months),
                Ending::Holding { agreed, settled, .. } => writeln!(
                    out,
                    "ending: an agreement of {agreed} {} at the end",
                    if *settled { "has consolidated into a settlement" } else { "holds as a ceasefire" }
                ),
                Ending::Relapsed { agreed, collapsed } => {
                    writeln!(out, "ending: the agreement of {agreed} broke down in {collapsed}; war at the end")
                }
                Ending::Capitulation { month, .. } => {
                    writeln!(out, "ending: {} broke in {month}", actor_id.unwrap_or("a side"))
                }
            };
            if let Some(t) = &ending_terms {
                let words: Vec<String> = t.iter().map(|(i, o)| format!("{i}={o}")).collect();
                let _ = writeln!(out, "terms: {}", words.join(" "));
            }
            let _ = writeln!(
                out,
                "\nConditional on the scenario's assumptions; the sides' optimism, the learning rate and the aid levels drive the timing (`parley sources` lists every number)."
            );
            output::print(&out)?;
        }
    }
    Ok(Status::Success)
}

fn csv(
    args: &SimulateArgs,
    s: &Scenario,
    table: &Scenario,
    sides: &[&str; 2],
    parties: &[&str],
    months: &[MonthRecord],
) -> Result<Vec<u8>, Failure> {
    let stamp = format!(
        "# parley {} simulate; scenario {}; seed {}; central {}; levers {}",
        env!("CARGO_PKG_VERSION"),
        s.metadata.id,
        args.seed,
        args.central,
        if args.levers.is_empty() { "none".to_string() } else { args.levers.join("+") }
    );
    let mut header =
        vec!["month", "phase", "held_km2", "territory_change_km2"].into_iter().map(String::from).collect::<Vec<_>>();
    for prefix in ["losses", "manpower", "support", "aid_eur_bn", "batna"] {
        for side in sides {
            header.push(format!("{prefix}_{side}"));
        }
    }
    for prefix in ["reservation", "margin"] {
        for party in parties {
            header.push(format!("{prefix}_{party}"));
        }
    }
    header.extend(["best_offer".to_string(), "talks".into(), "hazard".into()]);
    let mut rows = vec![header];
    for m in months {
        let mut row = vec![
            m.month.to_string(),
            m.phase.name().to_string(),
            format!("{:.1}", m.war.held),
            format!("{:.1}", m.war.territory_change),
        ];
        for values in [m.war.losses, m.war.manpower, m.war.support, m.war.aid, m.batna] {
            row.extend(values.iter().map(|v| format!("{v}")));
        }
        row.extend(m.reservation.iter().map(|v| format!("{v}")));
        row.extend(m.margins.iter().map(|v| format!("{v}")));
        row.push(m.best_offer.map_or(String::new(), |o| {
            terms(table, o).iter().map(|(i, o)| format!("{i}={o}")).collect::<Vec<_>>().join(" ")
        }));
        row.push(talks_name(m).to_string());
        row.push(format!("{}", m.hazard));
        rows.push(row);
    }
    Ok(parley_app::files::csv_table(Some(&stamp), rows)?)
}
