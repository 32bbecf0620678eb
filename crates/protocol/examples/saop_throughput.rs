//! Negotiations per second: stacked alternating offers between time-dependent parties on
//! a synthetic benchmark domain, the workload NegMAS is compared on (bench/peers/).
//!
//! `cargo run --release -p parley-protocol --example saop_throughput -- ISSUES PARTIES [NEGOTIATIONS] [EXPONENT]`

use std::time::Instant;

use parley_core::UtilityModel;
use parley_core::synthetic::synthetic;
use parley_protocol::{Domain, NoObserver, RunConfig, StackedAlternatingOffers, StrategyKind, Termination, run};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<f64> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let (issues, parties) = match args[..] {
        [i, p, ..] => (i as usize, p as usize),
        _ => return Err("usage: saop_throughput ISSUES PARTIES [NEGOTIATIONS] [EXPONENT]".into()),
    };
    let negotiations = args.get(2).copied().unwrap_or(1000.0) as u64;
    let exponent = args.get(3).copied().unwrap_or(4.0);
    let model = UtilityModel::new(&synthetic(issues, parties))?;
    let start = Instant::now();
    let domain = Domain::new(&model)?;
    let ranking_seconds = start.elapsed().as_secs_f64();
    let kind = StrategyKind::TimeDependent { exponent };
    let start = Instant::now();
    let mut last = None;
    for n in 0..negotiations {
        let mut negotiators: Vec<_> = (0..parties).map(|_| kind.build()).collect();
        let config = RunConfig { rounds: 100, seed: 1, stream: n, record_trace: false };
        last = Some(run(&mut StackedAlternatingOffers::default(), &domain, &mut negotiators, config, &mut NoObserver));
    }
    let seconds = start.elapsed().as_secs_f64();
    let r = last.expect("at least one negotiation");
    let (outcome, round) = match r.termination {
        Termination::Agreement { outcome, round } => (Some(model.space().decode(outcome)), Some(round)),
        _ => (None, None),
    };
    println!(
        "{{\"outcomes\":{},\"parties\":{parties},\"negotiations\":{negotiations},\"seconds\":{seconds:.6},\"negotiations_per_s\":{:.1},\"ranking_seconds\":{ranking_seconds:.6},\"agreement\":{:?},\"round\":{:?},\"utilities\":{:?}}}",
        model.space().len().unwrap_or(0),
        negotiations as f64 / seconds,
        outcome,
        round,
        r.utilities
    );
    Ok(())
}
