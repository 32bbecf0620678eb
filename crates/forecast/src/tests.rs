//! The model against the literature: the emission-standards example of Bueno de Mesquita
//! (1994) as Scholz, Calbert & Smith (2011) publish it in their Table 2, the concrete claims
//! the specification makes about its variants, and invariants as property tests.

use approx::assert_relative_eq;
use proptest::prelude::*;

use crate::*;

fn run(options: Options) -> Forecast {
    forecast(&reference::emission_standards(), &options).unwrap()
}

fn actor(f: &Forecast, name: &str) -> usize {
    f.actors.iter().position(|a| a == name).unwrap()
}

/// Section 7 of the specification: R = 6, initial median 7.0, D = 28.233 on the first pass.
#[test]
fn test_emission_check_values() {
    let d = reference::emission_standards();
    assert_relative_eq!(d.range(), 6.0);
    let f = run(Options::default());
    assert_relative_eq!(f.range, 6.0);
    assert_relative_eq!(f.initial.median, 7.0);
    assert!(!f.initial.median_tie);
    let ones = vec![1.0; d.actors().len()];
    let first_pass = pairwise::global_denominator(&d.positions(), &d.weights(), &ones, d.range());
    assert_relative_eq!(first_pass, 28.233, epsilon = 5e-4);
}

/// Scholz et al. (2011), Table 2: the median and mean of rounds 1–8, published to one
/// decimal, matched within 0.1.
///
/// The one exception is the round-2 median. The table prints 9.9; no known replication
/// reproduces it (they give about 9.6, as this one does), and no combination of the
/// interpretation switches yields 9.9 there while keeping 8.4 in round 1. So round 2 is
/// asserted against the replications' 9.6 instead of being tuned towards the table.
#[test]
fn test_emission_matches_table_2() {
    let published_median = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6];
    let published_mean = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6];
    let f = run(Options::default().with_rounds(8));
    assert_eq!(f.rounds.len(), 8);
    for (k, round) in f.rounds.iter().enumerate() {
        let mean = round.state.mean;
        assert!((mean - published_mean[k]).abs() <= 0.1, "round {}: mean {mean} vs {}", k + 1, published_mean[k]);
        let median = round.state.median;
        if k == 1 {
            assert!((median - 9.6).abs() <= 0.05, "round 2: median {median}, replications give about 9.6");
            assert!((median - published_median[k]).abs() > 0.1, "the documented round-2 discrepancy");
        } else {
            let published = published_median[k];
            assert!((median - published).abs() <= 0.1, "round {}: median {median} vs {published}", k + 1);
        }
        assert!(!round.state.median_tie, "no tie occurs in the reference run");
    }
}

/// The non-monotone path: in round 4 Belgium compromises with the Netherlands (the
/// compromise key favours the offer whose weighted midpoint lies lowest) and jumps from
/// 9.96 to 4.80; the median falls two rounds later. Round 9 repeats it.
#[test]
fn test_belgium_jumps_in_round_4() {
    let f = run(Options::default());
    let (belgium, netherlands, france) = (actor(&f, "Belgium"), actor(&f, "Netherlands"), actor(&f, "France"));
    let jump = |round: usize| *f.rounds[round - 1].moves.iter().find(|m| m.actor == belgium).unwrap();
    let m = jump(4);
    assert_eq!((m.counterpart, m.kind), (netherlands, MoveKind::Compromise));
    assert_relative_eq!(m.from, 9.96, epsilon = 0.005);
    assert_relative_eq!(m.to, 4.80, epsilon = 0.005);
    assert_eq!(jump(9).counterpart, netherlands);
    for round in [1, 2, 3, 5, 6, 7, 8, 10] {
        assert_eq!(jump(round).counterpart, france, "round {round}: Belgium compromises with France");
    }
    let medians = f.medians();
    assert!(medians[4] > 9.9 && medians[5] > 9.9 && medians[6] < 7.5, "{medians:?}");
    // A compromise moves Belgium |a/b| of the way: between the two positions.
    assert!(m.threat > m.challenge.abs() && m.challenge < 0.0);
    assert_relative_eq!(m.to, m.from + (4.0 - m.from) * (m.challenge / m.threat).abs(), max_relative = 1e-12);
}

/// The paper's printed probability (pairwise denominator, linear votes) sends everyone to
/// 7.0 within 3–5 rounds. Once everyone holds one position the security levels are all
/// equal, and the exponents are 1 instead of a division by zero.
#[test]
fn test_pairwise_probability_collapses_to_seven() {
    for votes in [VoteExponents::Linear, VoteExponents::Risk] {
        let f = run(Options { denominator: Denominator::Pairwise, votes, ..Options::default() });
        let together = f
            .states()
            .position(|s| s.positions.iter().all(|&x| (x - 7.0).abs() < 1e-12))
            .expect("everyone reaches 7.0");
        assert!((3..=5).contains(&together), "{votes:?}: together in round {together}");
        for round in &f.rounds[together..] {
            assert!(round.risk.iter().all(|&r| r.to_bits() == 1f64.to_bits()), "{:?}", round.risk);
            assert!(round.moves.is_empty());
            assert_relative_eq!(round.state.median, 7.0);
        }
    }
}

/// `PERSPECTIVE_OWN`: medians 8.78, 9.80, 9.97, then 10.0.
#[test]
fn test_perspective_own_medians() {
    let f = run(Options { perspective: Perspective::Own, ..Options::default() });
    let medians = f.medians();
    for (k, expected) in [8.78, 9.80, 9.97, 10.0].into_iter().enumerate() {
        assert!((medians[k + 1] - expected).abs() < 0.005, "round {}: {} vs {expected}", k + 1, medians[k + 1]);
    }
}

/// `COMPROMISE_LEAST_MOVE`: the same path as the canonical one until round 3, then medians
/// 10.0, 10.0, 10.0, 10.0, 8.18, 9.30, 9.88 for rounds 4–10.
#[test]
fn test_least_move_medians() {
    let f = run(Options { compromise: CompromiseKey::LeastMove, ..Options::default() });
    let canonical = run(Options::default());
    assert_eq!(f.medians()[..4], canonical.medians()[..4]);
    let medians = f.medians();
    for (k, expected) in [10.0, 10.0, 10.0, 10.0, 8.18, 9.30, 9.88].into_iter().enumerate() {
        let round = k + 4;
        assert!((medians[round] - expected).abs() < 0.005, "round {round}: {} vs {expected}", medians[round]);
    }
}

/// The moves of each round as (mover, counterpart, octant).
fn moves(f: &Forecast) -> Vec<Vec<(usize, usize, MoveKind)>> {
    f.rounds.iter().map(|r| r.moves.iter().map(|m| (m.actor, m.counterpart, m.kind)).collect()).collect()
}

fn largest_gap(a: &State, b: &State) -> f64 {
    a.positions.iter().zip(&b.positions).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

/// `RISK_SEQUENTIAL` (\[Di\]'s update) makes the same discrete moves as the batch update for
/// 20 rounds, about 2.4e-4 apart in round 1 and up to 3.7e-2 by round 20; the whole \[Di\]
/// variant (signed key, capitulation reachable) does the same.
#[test]
fn test_sequential_risk_drifts_but_moves_alike() {
    let canonical = run(Options::default().with_rounds(20));
    for options in
        [Options { risk_update: RiskUpdate::Sequential, ..Options::default() }, Options::variant(Variant::Di)]
    {
        let f = run(options.with_rounds(20));
        assert_eq!(moves(&f), moves(&canonical));
        let gaps: Vec<f64> = f.states().zip(canonical.states()).map(|(a, b)| largest_gap(a, b)).collect();
        assert!((2.3e-4..2.5e-4).contains(&gaps[1]), "round 1: {}", gaps[1]);
        let worst = gaps.iter().copied().fold(0.0, f64::max);
        assert!((3.6e-2..3.8e-2).contains(&worst), "by round 20: {worst}");
        assert!((3.6e-2..3.8e-2).contains(&gaps[20]));
    }
}

/// The capitulation octant never fires on the emission example, and the signed compromise
/// key makes the same choices: neither switch changes the run.
#[test]
fn test_switches_without_effect_on_the_example() {
    let canonical = run(Options::default().with_rounds(20));
    for options in [
        Options { capitulation: true, ..Options::default() },
        Options { compromise: CompromiseKey::Signed, ..Options::default() },
    ] {
        let f = run(options.with_rounds(20));
        assert_eq!(moves(&f), moves(&canonical));
        assert_eq!(f.medians(), canonical.medians());
    }
    assert!(canonical.rounds.iter().flat_map(|r| &r.moves).all(|m| m.kind != MoveKind::Capitulation));
}

/// A range taken from a wider scale shrinks every normalised distance but keeps positions
/// within the held ones.
#[test]
fn test_range_from_the_scale() {
    let d = reference::emission_standards();
    let scale = Scale { min: Some(0.0), max: Some(12.0), ..Scale::default() };
    let wide = Dataset::with_scale(d.actors().to_vec(), scale).unwrap();
    let f = forecast(&wide, &Options { range: RangeRule::Scale, ..Options::default() }).unwrap();
    assert_relative_eq!(f.range, 12.0);
    assert!(f.states().flat_map(|s| &s.positions).all(|&x| (4.0..=10.0).contains(&x)));
    let initial = forecast(&wide, &Options::default()).unwrap();
    assert_relative_eq!(initial.range, 6.0);
}

#[test]
fn test_convergence_rule_is_off_by_default_and_stops_when_on() {
    let f = run(Options::default());
    assert_eq!((f.rounds.len(), f.stop), (Options::DEFAULT_ROUNDS, Stop::Rounds));
    // The paper's printed formulas bring everyone together; two rounds later, with
    // patience 2, the loop stops.
    let paper = run(Options::variant(Variant::Paper).with_rounds(20));
    let together = paper.states().position(|s| s.positions.iter().all(|&x| (x - 7.0).abs() < 1e-12)).unwrap();
    let still =
        Options { convergence: Some(Convergence { tolerance: 1e-9, patience: 2 }), ..Options::variant(Variant::Paper) };
    let f = run(still.with_rounds(20));
    assert_eq!(f.stop, Stop::Converged { round: together + 2 });
    assert_eq!(f.rounds.len(), together + 2);
    assert_eq!(f.rounds[..], paper.rounds[..together + 2], "stopping early changes nothing before");
    // The canonical run never settles: Belgium keeps cycling.
    let canonical = Options { convergence: Some(Convergence { tolerance: 1e-9, patience: 1 }), ..Options::default() };
    assert_eq!(run(canonical.with_rounds(20)).stop, Stop::Rounds);
}

/// Moves are simultaneous: every target comes from the positions at the start of the
/// round, so a mover's target is some other actor's position of the previous round (or lies
/// between its own and that one).
#[test]
fn test_moves_are_simultaneous() {
    let f = run(Options::default());
    for (before, round) in f.states().zip(&f.rounds) {
        for m in &round.moves {
            let other = before.positions[m.counterpart];
            assert_relative_eq!(m.from, before.positions[m.actor]);
            match m.kind {
                MoveKind::Compromise => assert!(m.to >= m.from.min(other) && m.to <= m.from.max(other)),
                _ => assert_relative_eq!(m.to, other),
            }
            assert_relative_eq!(round.state.positions[m.actor], m.to);
        }
    }
}

/// With `Q` below 1 the drift terms enter; the run stays well-defined.
#[test]
fn test_status_quo_below_one_runs() {
    let f = run(Options { q: 0.5, ..Options::default() });
    assert!(f.medians().iter().all(|m| (4.0..=10.0).contains(m)));
    assert_ne!(moves(&f), moves(&run(Options::default())), "Q = 0.5 changes the moves");
}

// Invariants over random inputs and switches.

fn arb_dataset() -> impl Strategy<Value = Dataset> {
    (2usize..7)
        .prop_flat_map(|n| {
            (
                // Positions on a coarse grid, so that duplicates and ties occur.
                proptest::collection::vec(0u8..=8, n),
                proptest::collection::vec(0.01f64..1.0, n),
                proptest::collection::vec(0.0f64..=1.0, n),
            )
        })
        .prop_filter_map("a valid dataset", |(x, c, s)| {
            let actors = x
                .iter()
                .zip(&c)
                .zip(&s)
                .enumerate()
                .map(|(k, ((&x, &c), &s))| Actor::new(format!("a{k}"), c, f64::from(x) * 1.25, s))
                .collect();
            Dataset::new(actors).ok()
        })
}

fn arb_options() -> impl Strategy<Value = Options> {
    (any::<[bool; 6]>(), 0u8..3, prop_oneof![Just(1.0), 0.0f64..1.0]).prop_map(|(b, key, q)| Options {
        rounds: 6,
        denominator: if b[0] { Denominator::Pairwise } else { Denominator::Global },
        votes: if b[1] { VoteExponents::Linear } else { VoteExponents::Risk },
        perspective: if b[2] { Perspective::Own } else { Perspective::Receiver },
        risk_update: if b[3] { RiskUpdate::Sequential } else { RiskUpdate::Batch },
        capitulation: b[4],
        compromise: [CompromiseKey::Weighted, CompromiseKey::Signed, CompromiseKey::LeastMove][key as usize],
        range: if b[5] { RangeRule::Scale } else { RangeRule::Initial },
        q,
        convergence: None,
    })
}

proptest! {
    #[test]
    fn prop_positions_stay_within_the_initial_range(d in arb_dataset(), o in arb_options()) {
        let f = forecast(&d, &o).unwrap();
        let lo = d.positions().into_iter().fold(f64::INFINITY, f64::min);
        let hi = d.positions().into_iter().fold(f64::NEG_INFINITY, f64::max);
        for s in f.states() {
            for &x in &s.positions {
                prop_assert!((lo..=hi).contains(&x), "{x} outside [{lo}, {hi}]");
            }
            prop_assert!((lo..=hi).contains(&s.median) && s.mean >= lo - 1e-12 && s.mean <= hi + 1e-12);
        }
    }

    #[test]
    fn prop_risk_exponents_lie_in_half_to_two(d in arb_dataset(), o in arb_options()) {
        let f = forecast(&d, &o).unwrap();
        for r in f.rounds.iter().flat_map(|r| &r.risk) {
            prop_assert!(r.is_finite() && *r >= 0.5 - 1e-12 && *r <= 2.0 + 1e-12, "r = {r}");
        }
    }

    #[test]
    fn prop_median_is_the_weighted_median(
        x in proptest::collection::vec(0u8..=6, 1..9),
        w in proptest::collection::vec(0.0f64..1.0, 9),
    ) {
        let positions: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
        let weights = &w[..positions.len()];
        let total: f64 = weights.iter().sum();
        prop_assume!(total > 0.0);
        let m = median(&positions, weights, 6.0);
        let below: f64 = positions.iter().zip(weights).filter(|(p, _)| **p < m.position).map(|(_, w)| w).sum();
        let above: f64 = positions.iter().zip(weights).filter(|(p, _)| **p > m.position).map(|(_, w)| w).sum();
        // The weighted median: at most half the weight on either side.
        prop_assert!(below <= total / 2.0 + 1e-12 && above <= total / 2.0 + 1e-12);
        prop_assert!(positions.contains(&m.position));
        if !m.tie {
            // The Condorcet winner: it beats every other held position.
            for &b in &positions {
                if !model::same_position(b, m.position) {
                    let v: f64 = positions.iter().zip(weights).map(|(p, w)| w * ((p - b).abs() - (p - m.position).abs())).sum();
                    prop_assert!(v > 0.0);
                }
            }
            prop_assert!(below < total / 2.0 && above < total / 2.0);
            prop_assert!(model::same_position(m.position, model::lower_weighted_median(&positions, weights)));
        } else {
            // The tie rule: the lowest position that is a weighted median.
            for &a in positions.iter().filter(|&&a| a < m.position) {
                let above_a: f64 = positions.iter().zip(weights).filter(|(p, _)| **p > a).map(|(_, w)| w).sum();
                prop_assert!(above_a > total / 2.0 - 1e-12);
            }
        }
    }
}
