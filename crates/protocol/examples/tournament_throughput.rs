//! Tournament throughput: seven strategies in every pairing on a synthetic domain,
//! negotiations per second on the threads rayon is given (`RAYON_NUM_THREADS`).
//!
//! `cargo run --release -p parley-protocol --example tournament_throughput -- ISSUES REPETITIONS`

use std::time::Instant;

use parley_core::synthetic::synthetic;
use parley_core::{AnalysisOptions, Disagreement, UtilityModel, analyze};
use parley_protocol::tournament::{Entry, TournamentConfig, play};
use parley_protocol::{Domain, StrategyKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u32> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let (issues, repetitions) = match args[..] {
        [i, r] => (i as usize, r),
        _ => return Err("usage: tournament_throughput ISSUES REPETITIONS".into()),
    };
    let model = UtilityModel::new(&synthetic(issues, 2))?;
    let domain = Domain::new(&model)?;
    let analysis = analyze(&model, &AnalysisOptions::default().with_disagreement(Disagreement::NegmasMinimum))?;
    let strategies = vec![
        StrategyKind::BOULWARE,
        StrategyKind::LINEAR,
        StrategyKind::CONCEDER,
        StrategyKind::TitForTat,
        StrategyKind::Hardliner,
        StrategyKind::Random,
        StrategyKind::BatnaAware { exponent: 4.0 },
    ];
    let config = TournamentConfig { strategies, rounds: 100, seed: 1, repetitions };
    let start = Instant::now();
    let t = play(&[Entry { name: "synthetic", domain: &domain, analysis: &analysis }], &config);
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{{\"negotiations\":{},\"threads\":{},\"seconds\":{seconds:.4},\"negotiations_per_s\":{:.0}}}",
        t.records.len(),
        rayon::current_num_threads(),
        t.records.len() as f64 / seconds
    );
    Ok(())
}
