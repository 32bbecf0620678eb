//! From the engine's results to a report's data.
//!
//! [`build`] computes what is cheap and deterministic itself — the analysis of the
//! scenario and of each lever, the planes of the main pairs, the central path and its
//! talks, the checks, the provenance — and takes what is expensive and already saved — the
//! experiment's replicates and the sensitivity study — as inputs, so that a report of a
//! finished experiment needs no new simulation of it.

mod audit;
mod deals;
mod record;
mod words;

use parley_core::Scenario;
use parley_core::stats::Sample;
use parley_experiment::Monthly;
use parley_experiment::Summary;
use parley_experiment::assimilate::Assimilated;
use parley_experiment::backtest::Backtest;
use parley_experiment::study::Study;
use parley_sim::coupled::{RunOptions, Simulation, TalksProtocol};

use parley_report::data::{
    ArmCurve, CheckRow, Checks, DifferenceRow, DriverRow, Fan, ForecastSection, IssueForecast, IssueShares, MeasureRow,
    Meta, NumberRow, ParameterRow, ProvenanceData, ReportData, ScaleRow, Sensitivity, Settlement, TalkRound, Talks,
    War, finite,
};
use words::package_row;

pub use deals::{deals, glance};
pub use words::{condition, provenance_text};

/// Why a report cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The engine refused the scenario.
    #[error(transparent)]
    Core(#[from] parley_core::Error),
    /// A lever does not apply.
    #[error("lever \"{id}\": {source}")]
    Lever {
        /// The lever.
        id: String,
        /// Why.
        source: parley_core::LeverError,
    },
    /// The simulation cannot be set up.
    #[error(transparent)]
    Simulation(#[from] parley_sim::coupled::SimulationError),
    /// The negotiation domain cannot be built.
    #[error(transparent)]
    Protocol(#[from] parley_protocol::Error),
    /// The report names a lever the scenario does not have.
    #[error("unknown lever \"{0}\"")]
    UnknownLever(String),
    /// An expectation cannot be evaluated.
    #[error("expectation \"{id}\": {reason}")]
    Expectation {
        /// The expectation.
        id: String,
        /// Why.
        reason: String,
    },
}

/// A finished experiment, as saved: its summary and its reference arm month by month.
pub struct ExperimentResults<'a> {
    /// The summary (`summary.json`).
    pub summary: &'a Summary,
    /// The reference arm's replicates month by month (the fans).
    pub monthly: &'a Monthly,
}

/// What a report is built from.
pub struct Inputs<'a> {
    /// The scenario as written (levers not applied).
    pub scenario: &'a Scenario,
    /// What produced the report; `meta.levers` are applied throughout.
    pub meta: Meta,
    /// The experiment, if one was run.
    pub experiment: Option<ExperimentResults<'a>>,
    /// The filtered record its replicates and the central path start from, if any.
    pub record: Option<&'a Assimilated>,
    /// The sensitivity study, if one was made.
    pub study: Option<&'a Study>,
    /// The backtest, if one was made.
    pub backtest: Option<&'a Backtest>,
}

/// The scenario's levers with these ids, in order.
fn levers<'a>(scenario: &'a Scenario, ids: &[String]) -> Result<Vec<&'a parley_core::Lever>, BuildError> {
    ids.iter().map(|id| scenario.lever(id).ok_or_else(|| BuildError::UnknownLever(id.clone()))).collect()
}

/// The scenario with `levers` applied in order.
fn with_levers(scenario: &Scenario, levers: &[&parley_core::Lever]) -> Result<Scenario, BuildError> {
    let mut s = scenario.clone();
    for lever in levers {
        s = s.with_lever(lever).map_err(|source| BuildError::Lever { id: lever.id.clone(), source })?;
    }
    Ok(s)
}

/// Builds a report's data.
///
/// # Errors
///
/// Whatever the engine reports about the scenario or its levers.
pub fn build(inputs: Inputs<'_>) -> Result<ReportData, BuildError> {
    let base = inputs.scenario;
    let applied = levers(base, &inputs.meta.levers)?;
    let table = with_levers(base, &applied)?;
    let (deals, analysis) = deals(base, &table, &inputs.meta.levers)?;
    let glance = glance(base, &table, &analysis);
    // The war and the talks, prepared once for the central path and the fan charts.
    let sim = match (&base.conflict, inputs.record) {
        (None, _) => None,
        (Some(_), None) => Some(Simulation::new(base, &applied, None)?),
        (Some(_), Some(record)) => Some(record.central(&Simulation::new(base, &applied, None)?, &applied)?),
    };
    let talks = match &sim {
        Some(sim) => central_talks(sim, &inputs.meta)?,
        None => static_talks(&table, &inputs.meta)?,
    };
    let war = match (&inputs.experiment, &sim) {
        (Some(results), Some(sim)) => Some(war(base, sim, results)),
        _ => None,
    };
    let settlement = inputs.experiment.as_ref().map(|r| settlement(base, &table, &inputs.meta, r));
    let sensitivity = inputs.study.map(|s| sensitivity(base, s));
    let forecast = forecasts(&table);
    let record_section = inputs.record.map(|r| record::record(base, &r.diagnostics));
    let backtest = inputs.backtest.map(|b| record::backtest(base, b));
    Ok(ReportData {
        format: parley_report::data::FORMAT,
        meta: inputs.meta,
        glance,
        deals,
        talks,
        record: record_section,
        backtest,
        war,
        settlement,
        sensitivity,
        forecast,
        checks: checks(base)?,
        provenance: provenance(base),
    })
}

/// How `kind` negotiates, in words.
fn strategy_words(kind: &parley_protocol::StrategyKind) -> String {
    use parley_protocol::StrategyKind as K;
    match kind {
        K::TimeDependent { exponent } if (*exponent - 4.0).abs() < 1e-12 => "Boulware (concedes late)".into(),
        K::TimeDependent { exponent } if (*exponent - 1.0).abs() < 1e-12 => "linear concession".into(),
        K::TimeDependent { exponent } => format!("time-dependent concession, exponent {exponent}"),
        K::Hardliner => "hardliner (never concedes)".into(),
        K::TitForTat => "tit-for-tat".into(),
        K::BatnaAware { exponent } => {
            format!("concedes towards its current alternative to a deal (exponent {exponent})")
        }
        K::Random => "random offers above its reservation value".into(),
    }
}

/// The negotiation the report shows: on the central path, the month talks first ended in
/// agreement (else the last month talks were held), played again with its trace.
fn central_talks(sim: &Simulation, meta: &Meta) -> Result<Option<Talks>, BuildError> {
    let options = RunOptions { months: meta.months, seed: meta.seed, stream: 0, noise: false, talks: true };
    let path = sim.run(options);
    let agreed =
        path.months.iter().position(|m| matches!(m.talks, Some(parley_protocol::Termination::Agreement { .. })));
    let chosen = agreed.or_else(|| path.months.iter().rposition(|m| m.talks.is_some()));
    let Some(k) = chosen else { return Ok(None) };
    let Some(run) = sim.replay_talks(options, &path, k) else { return Ok(None) };
    let table = sim.scenario();
    let model = parley_core::UtilityModel::new(table)?;
    let month = &path.months[k];
    let parties: Vec<usize> = sim.parties().to_vec();
    let mediator = match sim.talks().protocol {
        TalksProtocol::MediatedText { mediator } => Some(mediator),
        TalksProtocol::AlternatingOffers => None,
    };
    let protocol = match mediator {
        Some(Some(seat)) => format!(
            "a single negotiating text drafted by {}, who opens with the package that gives the worst-off party the largest margin, and revised until every party accepts",
            table.actors[parties[seat]].name
        ),
        Some(None) => "a neutral mediator's single negotiating text, opened with the package that gives the worst-off party the largest margin, revised until every party accepts".into(),
        None => "stacked alternating offers among the parties".into(),
    };
    let context = match agreed {
        Some(_) => format!(
            "The talks of {} on the central path (no random shocks): the first month they end in agreement. Earlier months either had no zone of possible agreement, so no talks were held, or ended at the deadline.",
            month.month
        ),
        None => format!(
            "The talks of {} on the central path (no random shocks): the last month talks were held; none ended in agreement within the horizon.",
            month.month
        ),
    };
    Ok(Some(talks_data(table, &model, &parties, &month.reservation, &run, sim.talks(), protocol, context)))
}

#[allow(clippy::too_many_arguments)]
fn talks_data(
    table: &Scenario,
    model: &parley_core::UtilityModel,
    parties: &[usize],
    reservation: &[f64],
    run: &parley_protocol::Run,
    config: &parley_sim::coupled::Talks,
    protocol: String,
    context: String,
) -> Talks {
    let space = table.outcome_space();
    let utilities = |o: u64| -> Vec<f64> {
        let digits = space.decode(o);
        parties.iter().map(|&a| model.utility(a, &digits)).collect()
    };
    // Round by round: the package on the table, each party's demand, who accepted.
    let n = parties.len();
    let mut on_table: Option<u64> = None;
    let mut rounds: Vec<TalkRound> = Vec::new();
    let mut tabled = 0;
    let last_round = run.trace.iter().map(|e| e.round).max().unwrap_or(0);
    let mut events = run.trace.iter().peekable();
    for round in 0..=last_round {
        let mut demands = vec![None; n];
        let mut accepting = 0;
        while let Some(e) = events.next_if(|e| e.round == round) {
            match e.action {
                parley_protocol::Action::Offer { outcome } | parley_protocol::Action::Text { outcome } => {
                    on_table = Some(outcome);
                    tabled += 1;
                }
                parley_protocol::Action::Respond { response, aspiration } => {
                    demands[e.actor] = aspiration;
                    if response == parley_protocol::Response::Accept {
                        accepting += 1;
                    }
                }
            }
        }
        let table = on_table.map_or_else(|| vec![None; n], |o| utilities(o).into_iter().map(finite).collect());
        rounds.push(TalkRound { round: round + 1, table, demands, accepting });
    }
    let names = |seat: usize| table.actors[parties[seat]].name.clone();
    let (ending, agreement) = match run.termination {
        parley_protocol::Termination::Agreement { outcome, round } => {
            let all = model.utilities(&space.decode(outcome));
            (format!("agreement in round {}", round + 1), Some(package_row(table, &space.decode(outcome), all)))
        }
        parley_protocol::Termination::Breakdown { by, round } => {
            (format!("{} walked away in round {}", names(by), round + 1), None)
        }
        parley_protocol::Termination::Deadline { rounds } => (format!("no agreement within {rounds} rounds"), None),
    };
    Talks {
        context,
        protocol,
        parties: (0..parties.len()).map(names).collect(),
        strategies: config.strategies.iter().map(strategy_words).collect(),
        reservation: reservation.to_vec(),
        rounds,
        tabled,
        deadline: config.rounds,
        ending,
        agreement,
    }
}

/// Without a war model: one mediated negotiation on the static reservation values.
fn static_talks(table: &Scenario, meta: &Meta) -> Result<Option<Talks>, BuildError> {
    let model = parley_core::UtilityModel::new(table)?;
    let parties = parley_sim::coupled::default_parties(table);
    let config = parley_sim::coupled::default_talks(table, &parties);
    let domain = match parley_protocol::Domain::new(&model) {
        Ok(d) => d.with_parties(&parties),
        Err(parley_protocol::Error::NothingAcceptable { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mediator = match config.protocol {
        TalksProtocol::MediatedText { mediator } => mediator,
        TalksProtocol::AlternatingOffers => None,
    };
    let mut negotiators: Vec<_> = config.strategies.iter().map(|k| k.build()).collect();
    let run_config =
        parley_protocol::RunConfig { rounds: config.rounds, seed: meta.seed, stream: 0, record_trace: true };
    let run = parley_protocol::run(
        &mut parley_protocol::MediatedText::new(mediator),
        &domain,
        &mut negotiators,
        run_config,
        &mut parley_protocol::NoObserver,
    );
    let reservation: Vec<f64> = parties.iter().map(|&a| model.reservation()[a]).collect();
    let protocol = match mediator {
        Some(seat) => format!("a single negotiating text drafted by {}", table.actors[parties[seat]].name),
        None => "a neutral mediator's single negotiating text".into(),
    };
    let context = "One negotiation on the scenario's reservation values (the scenario has no war model to move them).";
    Ok(Some(talks_data(table, &model, &parties, &reservation, &run, &config, protocol, context.into())))
}

/// The 5th, 25th, 50th, 75th and 95th percentiles of `sample`.
fn quantiles(sample: &Sample) -> [Option<f64>; 5] {
    sample.quantiles([0.05, 0.25, 0.5, 0.75, 0.95]).map(finite)
}

fn war(base: &Scenario, sim: &Simulation, results: &ExperimentResults<'_>) -> War {
    let summary = results.summary;
    let conflict = base.conflict.as_ref().expect("checked by the caller");
    let monthly = results.monthly;
    let at_start = Some(*sim.at_as_of());
    let batna_start = sim.reservation_at_as_of();
    let fan = |title: String, unit: &str, start: Option<f64>, series: &[Sample]| {
        let mut values = vec![[start; 5]];
        values.extend(series.iter().map(quantiles));
        Fan { title, unit: unit.into(), values }
    };
    let side_names = [0, 1].map(|i| base.actors[conflict.sides[i].actor].name.clone());
    let holder = &base.actors[conflict.territory.holder].name;
    let held = fan(format!("Area held by {holder}"), "km²", at_start.map(|s| s.held), &monthly.held);
    let losses = [0, 1].map(|i| {
        fan(
            format!("{}: losses per month", side_names[i]),
            "killed and wounded",
            at_start.map(|s| s.losses[i]),
            &monthly.losses[i],
        )
    });
    let batna = [0, 1].map(|i| {
        fan(
            format!("{}: alternative to a deal", side_names[i]),
            "utility (0–1)",
            finite(batna_start[i]),
            &monthly.batna[i],
        )
    });
    let parties: Vec<String> = summary
        .parties
        .iter()
        .map(|id| base.actor_index(id).map_or(id.clone(), |a| base.actors[a].name.clone()))
        .collect();
    let margins = parties
        .iter()
        .enumerate()
        .map(|(p, name)| {
            let series = monthly.margins.get(p).map_or(&[][..], Vec::as_slice);
            fan(format!("{name}: acceptance margin"), "margin (utility)", None, series)
        })
        .collect();
    let share = |counts: &[u64]| -> Vec<f64> {
        counts.iter().zip(&monthly.reached).map(|(&k, &n)| k as f64 / n.max(1) as f64).collect()
    };
    let zone_open = share(&monthly.zone_open);
    let at_peace = share(&monthly.at_peace);
    let as_of = conflict.as_of;
    War {
        months: (0..=summary.design.months as i32).map(|k| as_of.plus(k).to_string()).collect(),
        arm: summary.design.arms[0].name.clone(),
        runs: monthly.runs,
        quantile_error: (!monthly.is_exact()).then_some(parley_core::stats::RELATIVE_ERROR),
        sides: side_names,
        parties,
        held,
        losses,
        batna,
        margins,
        zone_open,
        at_peace,
    }
}

/// A readable name of an arm: the levers' names joined.
fn arm_name(base: &Scenario, levers: &[String], applied: &[String]) -> String {
    let extra: Vec<String> = levers
        .iter()
        .filter(|id| !applied.contains(id))
        .map(|id| base.lever(id).map_or(id.clone(), |l| l.name.clone()))
        .collect();
    if extra.is_empty() { "baseline".into() } else { extra.join(" + ") }
}

fn settlement(base: &Scenario, table: &Scenario, meta: &Meta, results: &ExperimentResults<'_>) -> Settlement {
    let summary = results.summary;
    let design = &summary.design;
    let triple = |p: &parley_core::stats::Proportion| [p.p, p.lo, p.hi];
    let arms = summary
        .arms
        .iter()
        .zip(&design.arms)
        .map(|(a, arm)| ArmCurve {
            arm: a.arm.clone(),
            name: arm_name(base, &arm.levers, &meta.levers),
            settled: a.settled_by_month.iter().map(triple).collect(),
            holding: triple(&a.holding_at_horizon),
            median_month: finite(a.settlement_month.p50),
            capitulation: a.capitulation.map(|p| p.p),
            mobilised: a.mobilised.map(|p| p.p),
            mediator_left: a.mediator_left.p,
            framework_refused: a.framework_refused.p,
        })
        .collect();
    let mean = |m: &parley_core::stats::Mean| [m.mean, m.lo, m.hi];
    let differences = summary
        .differences
        .iter()
        .map(|d| DifferenceRow {
            arm: d.arm.clone(),
            settled_within_12: mean(&d.settled_within_12),
            holding: mean(&d.holding_at_horizon),
            held: mean(&d.held),
        })
        .collect();
    let first = &summary.arms[0];
    let agreements = first.runs - first.no_settlement.count;
    let terms = first
        .terms
        .iter()
        .filter_map(|t| {
            let i = table.issue_index(&t.issue)?;
            let issue = &table.issues[i];
            Some(IssueShares {
                issue: issue.name.clone(),
                options: t
                    .options
                    .iter()
                    .filter_map(|(id, share)| {
                        let o = issue.option_index(id)?;
                        Some((issue.options[o].label.clone(), if share.is_finite() { *share } else { 0.0 }))
                    })
                    .collect(),
            })
        })
        .collect();
    let as_of = base.conflict.as_ref().map(|c| c.as_of);
    Settlement {
        start: as_of.map_or_else(|| "start".into(), |m| m.to_string()),
        months: (1..=design.months as i32)
            .map(|k| as_of.map_or_else(|| format!("month {k}"), |m| m.plus(k).to_string()))
            .collect(),
        runs: first.runs,
        sides: summary.sides.clone().map(|id| base.actors.iter().find(|a| a.id == id).map_or(id, |a| a.name.clone())),
        arms,
        differences,
        agreements,
        terms,
        timing: first.settlement_month_counts.clone(),
    }
}

/// What each output of a sensitivity study is, and its axis title.
fn output_words(output: &str) -> (&'static str, &'static str) {
    match output {
        "settled_within_12_months" => ("Settled within 12 months", "settled within 12 months: 1 = yes, 0 = no"),
        "settlement_month" => ("Month of the first agreement", "months after the scenario date (none: horizon + 1)"),
        _ => ("Area held at the horizon", "km²"),
    }
}

fn sensitivity(base: &Scenario, study: &Study) -> Sensitivity {
    let parameters = study
        .parameters
        .iter()
        .map(|p| {
            let u = base.uncertain.iter().find(|u| u.path == p.path);
            ParameterRow {
                path: p.path.clone(),
                point: p.point,
                p5: p.p5,
                p95: p.p95,
                distribution: u.map_or_else(String::new, words::distribution),
                source: u.map_or_else(String::new, |u| provenance_text(&u.provenance)),
            }
        })
        .collect();
    let measures = study
        .measures
        .iter()
        .map(|m| {
            let (title, unit) = output_words(m.output);
            let index = |v: Option<&Vec<f64>>, k: usize| v.and_then(|v| v.get(k)).copied().and_then(finite);
            let drivers = m
                .tornado
                .bars
                .iter()
                .map(|bar| {
                    let k = bar.input;
                    let sobol = m.sobol.as_ref().filter(|s| !s.is_degenerate());
                    let ci = |v: Option<&Vec<parley_experiment::sensitivity::Interval>>| {
                        let i = v.and_then(|v| v.get(k));
                        (i.and_then(|i| finite(i.low)), i.and_then(|i| finite(i.high)))
                    };
                    let (flo, fhi) = ci(sobol.map(|s| &s.first_ci));
                    let (tlo, thi) = ci(sobol.map(|s| &s.total_ci));
                    DriverRow {
                        path: bar.name.clone(),
                        low: bar.low,
                        high: bar.high,
                        first: [index(sobol.map(|s| &s.first), k), flo, fhi],
                        total: [index(sobol.map(|s| &s.total), k), tlo, thi],
                    }
                })
                .collect();
            MeasureRow {
                output: m.output.into(),
                title: title.into(),
                unit: unit.into(),
                baseline: m.tornado.baseline,
                drivers,
            }
        })
        .collect();
    Sensitivity { samples: study.samples, parameters, measures }
}

/// Every ordered issue's expected-utility forecast (canonical switches, ten rounds,
/// saliences relative to each actor's top issue, as `parley forecast` does by default).
fn forecasts(table: &Scenario) -> Option<ForecastSection> {
    use parley_forecast::bridge::{SalienceRule, from_scenario, issues};
    let options = parley_forecast::Options::default();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (k, orderable) in issues(table) {
        let issue = &table.issues[k];
        if let Err(e) = orderable {
            skipped.push((issue.name.clone(), e.to_string()));
            continue;
        }
        let result = from_scenario(table, &issue.id, SalienceRule::default())
            .and_then(|d| parley_forecast::forecast(&d.data, &options).map(|f| (d, f)));
        match result {
            Ok((derived, f)) => {
                let names: Vec<String> = derived
                    .actors
                    .iter()
                    .map(|a| table.actor_index(&a.actor).map_or(a.actor.clone(), |i| table.actors[i].name.clone()))
                    .collect();
                out.push(IssueForecast {
                    id: issue.id.clone(),
                    name: issue.name.clone(),
                    scale: derived
                        .data
                        .scale()
                        .points
                        .iter()
                        .map(|p| ScaleRow {
                            value: p.value,
                            id: p.id.clone().unwrap_or_default(),
                            label: p.label.clone(),
                        })
                        .collect(),
                    actors: names,
                    positions: (0..f.actors.len()).map(|a| f.trajectory(a)).collect(),
                    medians: f.medians(),
                    means: f.means(),
                    moves: f.rounds.iter().map(|r| r.moves.len()).sum(),
                });
            }
            Err(e) => skipped.push((issue.name.clone(), e.to_string())),
        }
    }
    (!out.is_empty()).then_some(ForecastSection { rounds: options.rounds, issues: out, skipped })
}

fn checks(base: &Scenario) -> Result<Checks, BuildError> {
    let checked = crate::checks::check(base, true)
        .map_err(|e| BuildError::Expectation { id: e.id, reason: e.source.to_string() })?;
    let rows: Vec<CheckRow> = checked
        .iter()
        .map(|c| {
            let (e, v) = (c.expectation, &c.verdict);
            CheckRow {
                id: e.id.clone(),
                claim: e.claim.clone(),
                kind: e.check.kind().into(),
                source: provenance_text(&e.provenance),
                disputed_by: e.disputed_by.iter().map(|d| format!("{}: {}", d.citation, d.note)).collect(),
                levers: e.levers.clone(),
                passed: v.passed,
                contradicted: e.contradicted.clone(),
                explanation: v.explanation.clone(),
                numbers: v.numbers.iter().map(|(k, x)| (k.clone(), finite(*x))).collect(),
                audit: c.audit.as_ref().map(audit::row),
            }
        })
        .collect();
    let failed = rows.iter().filter(|r| !r.passed).count();
    let audit = crate::checks::Headline::of(&checked).map(|h| audit::summary(&h));
    Ok(Checks { passed: rows.len() - failed, failed, rows, audit })
}

fn provenance(base: &Scenario) -> ProvenanceData {
    let numbers: Vec<NumberRow> = base
        .numbers()
        .into_iter()
        .map(|n| NumberRow {
            path: n.path.clone(),
            value: n.quantity.value,
            kind: n.quantity.provenance.kind().into(),
            source: provenance_text(&n.quantity.provenance),
        })
        .collect();
    let count = |k: &str| numbers.iter().filter(|n| n.kind == k).count();
    ProvenanceData {
        cited: count("cited"),
        assumed: count("assumption"),
        tuned: count("tuned"),
        unstated: count("unstated"),
        numbers,
    }
}
