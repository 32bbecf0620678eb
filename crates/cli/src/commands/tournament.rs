//! `parley tournament`: every pairing of strategies over scenarios, summarised per strategy.

use parley_core::{AnalysisOptions, Disagreement, UtilityModel, analyze};
use parley_protocol::tournament::{Entry, TournamentConfig, play};
use parley_protocol::{Domain, StrategyKind};
use serde::Serialize;

use crate::args::{OutputFormat, TournamentArgs};
use crate::output::{self, utility};
use crate::{Failure, Status, scenario};

#[derive(Serialize)]
struct Report<'a> {
    parley_version: &'static str,
    seed: u64,
    rounds: u32,
    repetitions: u32,
    domains: Vec<String>,
    tournament: &'a parley_protocol::tournament::Tournament,
}

pub(crate) fn run(args: &TournamentArgs, format: OutputFormat) -> Result<Status, Failure> {
    let strategies: Vec<StrategyKind> = args
        .strategies
        .split(',')
        .map(|name| {
            StrategyKind::parse(name.trim()).ok_or_else(|| {
                miette::miette!(
                    help = "strategies: boulware, linear, conceder, hardliner, tit-for-tat, batna-aware, random, time:E, batna:E",
                    "unknown strategy \"{name}\""
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let mut prepared = Vec::new();
    for path in &args.domains {
        let loaded = scenario::load(Some(path))?;
        let s = loaded.scenario;
        let model = UtilityModel::new(&s).map_err(|e| miette::miette!("{}: {e}", path.display()))?;
        let seats = super::negotiate::parties(&s, &[])?;
        let domain = Domain::new(&model).map_err(|e| miette::miette!("{}: {e}", path.display()))?.with_parties(&seats);
        let options = AnalysisOptions { top_k: 0, option_stats: false, ..AnalysisOptions::default() }
            .with_disagreement(Disagreement::NegmasMinimum);
        let mut analysis = analyze(&model, &options).map_err(|e| miette::miette!("{}: {e}", path.display()))?;
        // Distances are measured among the parties at the table.
        for p in analysis
            .frontier
            .iter_mut()
            .chain(analysis.solutions.iter_mut().map(|x| &mut x.package))
            .chain(analysis.reference_solutions.iter_mut().map(|x| &mut x.package))
        {
            p.utilities = seats.iter().map(|&a| p.utilities[a]).collect();
        }
        prepared.push((path.display().to_string(), domain, analysis));
    }
    let entries: Vec<Entry<'_>> =
        prepared.iter().map(|(name, domain, analysis)| Entry { name, domain, analysis }).collect();
    let config = TournamentConfig { strategies, rounds: args.rounds, seed: args.seed, repetitions: args.repetitions };
    let t = play(&entries, &config);
    match format {
        OutputFormat::Json => output::print_json(&Report {
            parley_version: env!("CARGO_PKG_VERSION"),
            seed: args.seed,
            rounds: args.rounds,
            repetitions: args.repetitions,
            domains: prepared.iter().map(|(n, _, _)| n.clone()).collect(),
            tournament: &t,
        })?,
        OutputFormat::Table => {
            let mut table = output::table(
                ["strategy", "negotiations", "agreements", "own utility", "welfare", "to Pareto", "to Nash", "rounds"]
                    .map(String::from)
                    .to_vec(),
            );
            for s in &t.stats {
                table.add_row(vec![
                    format!("{:?}", s.strategy),
                    s.negotiations.to_string(),
                    format!("{:.0}%", 100.0 * s.agreement_rate),
                    utility(s.mean_utility),
                    utility(s.mean_welfare),
                    utility(s.mean_pareto_distance),
                    utility(s.mean_nash_distance),
                    format!("{:.1}", s.mean_rounds),
                ]);
            }
            output::print(&format!(
                "{} negotiations (seed {}, {} rounds each, {} repetitions); means per seat played\n{table}\n",
                t.records.len(),
                args.seed,
                args.rounds,
                args.repetitions
            ))?;
        }
    }
    Ok(Status::Success)
}
