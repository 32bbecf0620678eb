//! Pareto frontier + bargaining solutions on the synthetic benchmark domains, at several
//! sizes: the work NegMAS is compared on (see BENCHMARKS.md and bench/peers/).
//!
//! `cargo bench -p parley-core --bench frontier` (all groups), or with a filter, for
//! example `cargo bench -p parley-core --bench frontier -- pareto_nash/5p`.
//!
//! * `pareto_nash/{N}p/1e{k}`: frontier + Nash point, NegMAS's disagreement convention, no
//!   rankings or option statistics (the synthetic domains are additive, so the frontier is
//!   built issue by issue and the counts come from bounds);
//! * `pareto_nash_walked/{N}p/1e{k}`: the same domains with a red line that no package
//!   crosses, which sends them down the general path that walks every outcome and reduces
//!   the frontier in batches (what scenarios with linkages and red lines cost);
//! * `full_analysis/{N}p/1e{k}`: everything `parley analyze` computes.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use parley_core::synthetic::synthetic;
use parley_core::{AnalysisOptions, Condition, Disagreement, RedLine, Scenario, UtilityModel, analyze};

/// The domain with a red line of party 0 that matches no package.
fn walked(mut s: Scenario) -> Scenario {
    s.preferences[0].red_lines.push(RedLine {
        id: "inert".into(),
        when: Condition { terms: vec![(0, Vec::new())] },
        reason: "matches no package".into(),
        source: None,
    });
    s
}

fn frontier(c: &mut Criterion) {
    let options = AnalysisOptions::frontier_only().with_disagreement(Disagreement::NegmasMinimum);
    let mut group = c.benchmark_group("pareto_nash");
    group.sample_size(10);
    for (parties, issues) in
        [(2, 3), (2, 4), (2, 5), (2, 6), (2, 7), (2, 8), (3, 5), (3, 6), (3, 7), (5, 5), (5, 6), (5, 7)]
    {
        let model = UtilityModel::new(&synthetic(issues, parties)).expect("valid domain");
        group.bench_with_input(BenchmarkId::new(format!("{parties}p"), format!("1e{issues}")), &model, |b, m| {
            b.iter(|| analyze(m, &options).expect("fits"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("pareto_nash_walked");
    group.sample_size(10);
    for (parties, issues) in [(3, 5), (5, 5), (5, 6)] {
        let model = UtilityModel::new(&walked(synthetic(issues, parties))).expect("valid domain");
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
