//! Analyses a synthetic benchmark domain and prints the frontier size, the Nash point and
//! the wall time: a quick way to see the engine's speed on this machine.
//!
//! `cargo run --release -p parley-core --example synthetic -- ISSUES PARTIES [REPEATS]`

use std::time::Instant;

use parley_core::synthetic::synthetic;
use parley_core::{AnalysisOptions, Disagreement, SolutionConcept, UtilityModel, analyze};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let (issues, parties, repeats) = match args[..] {
        [i, p] => (i, p, 1),
        [i, p, r] => (i, p, r),
        _ => return Err("usage: synthetic ISSUES PARTIES [REPEATS]".into()),
    };
    let model = UtilityModel::new(&synthetic(issues, parties))?;
    let options = AnalysisOptions::frontier_only().with_disagreement(Disagreement::NegmasMinimum);
    let mut best = f64::INFINITY;
    let mut analysis = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        analysis = Some(analyze(&model, &options)?);
        best = best.min(start.elapsed().as_secs_f64());
    }
    let a = analysis.expect("at least one run");
    let nash = a.solution(SolutionConcept::Nash).map(|s| s.package.utilities.clone());
    println!(
        "{{\"outcomes\":{},\"parties\":{parties},\"pareto_size\":{},\"nash_utilities\":{:?},\"seconds\":{best:.6}}}",
        a.outcomes,
        a.frontier.len(),
        nash.unwrap_or_default()
    );
    Ok(())
}
