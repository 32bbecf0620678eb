//! Rounds per second of the expected-utility model at several numbers of actors, and
//! Monte Carlo replicates per second on the emission-standards example (see BENCHMARKS.md).
//!
//! `cargo bench -p parley-forecast --bench forecast`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parley_forecast::{Actor, Dataset, MonteCarlo, Options, Uncertainty, forecast, monte_carlo};

/// `n` actors spread over a 0–100 scale by a fixed recipe (no random numbers).
fn spread(n: usize) -> Dataset {
    let actors = (0..n)
        .map(|k| {
            let u = (k as f64 * 0.618_033_988_749_895).fract();
            Actor::new(format!("a{k}"), 0.1 + u, (k * 37 % 101) as f64, 0.2 + 0.7 * (1.0 - u))
        })
        .collect();
    Dataset::new(actors).expect("valid dataset")
}

fn rounds(c: &mut Criterion) {
    let rounds = 10;
    let options = Options::default().with_rounds(rounds);
    let mut group = c.benchmark_group("rounds");
    for (name, data) in
        [("emission", parley_forecast::reference::emission_standards()), ("20", spread(20)), ("50", spread(50))]
    {
        group.throughput(Throughput::Elements(rounds as u64));
        group.bench_with_input(BenchmarkId::new("actors", name), &data, |b, d| {
            b.iter(|| forecast(d, &options).expect("runs"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("monte_carlo");
    group.sample_size(10);
    let data = parley_forecast::reference::emission_standards();
    let uncertainty = vec![Uncertainty::uniform(0.5, 0.2, 0.1); data.actors().len()];
    let run = MonteCarlo { runs: 1000, seed: 1, bins: 24 };
    group.throughput(Throughput::Elements(run.runs));
    group.bench_function("emission_1000_replicates_10_rounds", |b| {
        b.iter(|| monte_carlo(&data, &options, &uncertainty, run).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, rounds);
criterion_main!(benches);
