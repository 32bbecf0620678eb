//! Coupled simulations per second on one thread: the built-in scenario, 24 months of war
//! and talks with random shocks, one replicate per stream — the unit of work of a Monte
//! Carlo experiment. Setup (compiling the war, ranking the outcome space, the bargaining
//! set) is timed separately: it is done once per scenario and set of levers.
//!
//! `cargo run --release -p parley-sim --example simulate_throughput -- [RUNS] [MONTHS] [LEVER...]`

use std::time::Instant;

use parley_sim::coupled::{Ending, RunOptions, Simulation};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: u64 = args.first().map_or(Ok(2000), |a| a.parse())?;
    let months: u32 = args.get(1).map_or(Ok(24), |a| a.parse())?;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ukraine-2025.toml");
    let scenario = parley_io::load(&path)?.scenario;
    let levers = args[2.min(args.len())..]
        .iter()
        .map(|id| scenario.lever(id).ok_or_else(|| format!("unknown lever {id}")))
        .collect::<Result<Vec<_>, _>>()?;
    let start = Instant::now();
    let sim = Simulation::new(&scenario, &levers, None)?;
    let setup_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let (mut settled, mut talks) = (0u64, 0u64);
    for stream in 0..runs {
        let path = sim.run(RunOptions { months, seed: 1, stream, noise: true, talks: true });
        settled += u64::from(matches!(path.ending, Ending::Holding { .. }));
        talks += path.months.iter().filter(|m| m.talks.is_some()).count() as u64;
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{{\"runs\":{runs},\"months\":{months},\"levers\":{:?},\"seconds\":{seconds:.4},\"simulations_per_s\":{:.1},\"microseconds_per_month\":{:.2},\"setup_seconds\":{setup_seconds:.3},\"bargaining_set\":{},\"share_holding_at_end\":{:.3},\"talks_per_run\":{:.2}}}",
        args.get(2..).unwrap_or_default(),
        runs as f64 / seconds,
        seconds * 1e6 / (runs as f64 * f64::from(months)),
        sim.bargaining_set_len(),
        settled as f64 / runs as f64,
        talks as f64 / runs as f64,
    );
    Ok(())
}
