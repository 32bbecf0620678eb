//! Pareto frontier + bargaining solutions on the synthetic benchmark domains, at several
//! sizes: the work NegMAS is compared on (see BENCHMARKS.md and bench/peers/).
//!
//! `cargo bench -p parley-core --bench frontier`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use parley_core::synthetic::synthetic;
use parley_core::{AnalysisOptions, Disagreement, UtilityModel, analyze};

fn frontier(c: &mut Criterion) {
    let options = AnalysisOptions::frontier_only().with_disagreement(Disagreement::NegmasMinimum);
    let mut group = c.benchmark_group("pareto_nash");
    group.sample_size(10);
    for (parties, issues) in [(2, 3), (2, 4), (2, 5), (2, 6), (3, 5), (5, 5)] {
        let model = UtilityModel::new(&synthetic(issues, parties)).expect("valid domain");
        group.bench_with_input(BenchmarkId::new(format!("{parties}p"), format!("1e{issues}")), &model, |b, m| {
            b.iter(|| analyze(m, &options).expect("fits"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("full_analysis");
    group.sample_size(10);
    for (parties, issues) in [(2, 6), (5, 5)] {
        let model = UtilityModel::new(&synthetic(issues, parties)).expect("valid domain");
        group.bench_with_input(BenchmarkId::new(format!("{parties}p"), format!("1e{issues}")), &model, |b, m| {
            b.iter(|| analyze(m, &AnalysisOptions::default()).expect("fits"))
        });
    }
    group.finish();
}

criterion_group!(benches, frontier);
criterion_main!(benches);
