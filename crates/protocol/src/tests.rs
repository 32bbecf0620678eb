//! Tests of the negotiation engine.

use approx::assert_abs_diff_eq;
use parley_core::synthetic::synthetic;
use parley_core::{
    Actor, Issue, IssueKind, IssueOption, Metadata, Preferences, Quantity, Role, Scenario, UtilityModel, ValueFunction,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;

use super::*;
use crate::Strategy as _;

/// Dividing a unit surplus into `steps` shares: actor 0's utility is its share, actor 1's
/// the rest.
fn pie(steps: u32) -> Domain {
    let options = (0..steps)
        .map(|k| {
            let x = f64::from(k) / f64::from(steps - 1);
            IssueOption { id: format!("{k}"), label: format!("{x}"), value: Some(x) }
        })
        .collect();
    let issue = Issue {
        id: "share".into(),
        name: "share of party 0".into(),
        kind: IssueKind::Real { min: Quantity::bare(0.0), max: Quantity::bare(1.0), steps, unit: None },
        options,
    };
    let prefs = |at_min: f64, at_max: f64| Preferences {
        weights: vec![Some(Quantity::bare(1.0))],
        values: vec![Some(ValueFunction::Linear { at_min: Quantity::bare(at_min), at_max: Quantity::bare(at_max) })],
        linkages: Vec::new(),
        red_lines: Vec::new(),
        reservation: Quantity::bare(0.0),
        discount: None,
    };
    let actor = |id: &str| Actor {
        id: id.into(),
        name: id.into(),
        role: Role::Other,
        veto: parley_core::Veto::Full,
        power: None,
    };
    let s = Scenario {
        metadata: Metadata::default(),
        sources: Vec::new(),
        actors: vec![actor("a"), actor("b")],
        issues: vec![issue],
        preferences: vec![prefs(0.0, 1.0), prefs(1.0, 0.0)],
        levers: Vec::new(),
        expectations: Vec::new(),
        conflict: None,
        uncertain: Vec::new(),
    };
    Domain::new(&UtilityModel::new(&s).unwrap()).unwrap()
}

#[test]
fn test_rubinstein_backward_induction_converges_to_closed_form() {
    let steps = 4001;
    let domain = pie(steps);
    let spacing = 1.0 / f64::from(steps - 1);
    for (d1, d2) in [(0.9, 0.9), (0.9, 0.5), (0.5, 0.9), (0.95, 0.8), (0.6, 0.6)] {
        let closed_form = (1.0 - d2) / (1.0 - d1 * d2);
        let error = |rounds| (rubinstein::solve(&domain, [d1, d2], rounds, 0).utilities[0] - closed_form).abs();
        let (short, long) = (error(4), error(400));
        // On a grid each round rounds the responder's share up by less than one step, and
        // the rounding compounds like the shares do: at most spacing / (1 − δ₁δ₂) in all.
        let tolerance = spacing / (1.0 - d1 * d2) + 1e-9;
        assert!(long < tolerance, "δ=({d1},{d2}): {long} away from {closed_form} after 400 rounds");
        assert!(long <= short + 1e-12, "δ=({d1},{d2}): longer horizons come closer ({short} then {long})");
    }
}

#[test]
fn test_rubinstein_last_round_proposer_takes_all() {
    let e = rubinstein::solve(&pie(11), [0.9, 0.9], 1, 1);
    assert_abs_diff_eq!(e.utilities[1], 1.0, epsilon = 1e-12);
    // Two rounds, δ₂ = 0.5: party 0 offers party 1 what it would take next round, discounted.
    let e = rubinstein::solve(&pie(101), [0.9, 0.5], 2, 0);
    assert_abs_diff_eq!(e.utilities[1], 0.5, epsilon = 1e-9);
}

fn view<'a>(ranking: &'a Ranking, reservation: f64, time: f64) -> View<'a> {
    View { actor: 0, ranking, reservation, time, round: 0, offers: &[] }
}

proptest! {
    #[test]
    fn test_time_dependent_offers_never_rise(exponent in 0.1f64..8.0, reservation in 0.0f64..0.9) {
        let domain = Domain::new(&UtilityModel::new(&synthetic(3, 2)).unwrap()).unwrap();
        let mut s = TimeDependent { exponent };
        let mut rng = ChaCha12Rng::seed_from_u64(1);
        let ranking = domain.ranking(0);
        let mut last = f64::INFINITY;
        for k in 0..=50 {
            let o = s.propose(&view(ranking, reservation, f64::from(k) / 50.0), &mut rng);
            let u = ranking.utility(o);
            prop_assert!(u <= last + 1e-12, "offer utility rose from {last} to {u}");
            last = u;
        }
    }

    #[test]
    fn test_no_strategy_accepts_below_its_reservation_value(
        reservation in 0.0f64..1.0, time in 0.0f64..1.0, offer in 0u64..1000, seed in any::<u64>(),
    ) {
        let domain = Domain::new(&UtilityModel::new(&synthetic(3, 2)).unwrap()).unwrap();
        let ranking = domain.ranking(1);
        let mut rng = ChaCha12Rng::seed_from_u64(seed);
        for kind in [StrategyKind::BOULWARE, StrategyKind::CONCEDER, StrategyKind::LINEAR, StrategyKind::Hardliner,
                     StrategyKind::TitForTat, StrategyKind::BatnaAware { exponent: 2.0 }, StrategyKind::Random] {
            let mut s = kind.build();
            let v = view(ranking, reservation, time);
            if s.respond(&v, offer, &mut rng) == Response::Accept {
                prop_assert!(ranking.utility(offer) >= reservation, "{kind:?} accepted below its reservation value");
            }
        }
    }
}

fn negotiate(kinds: &[StrategyKind], issues: usize, config: RunConfig) -> Run {
    let domain = Domain::new(&UtilityModel::new(&synthetic(issues, kinds.len())).unwrap()).unwrap();
    let mut parties: Vec<Box<dyn crate::Strategy>> = kinds.iter().map(|k| k.build()).collect();
    run(&mut StackedAlternatingOffers::default(), &domain, &mut parties, config, &mut NoObserver)
}

#[test]
fn test_same_seed_same_trace_other_seed_other_trace() {
    let kinds = [StrategyKind::Random, StrategyKind::Random, StrategyKind::Random];
    let config = RunConfig { rounds: 30, seed: 7, stream: 3, record_trace: true };
    let a = negotiate(&kinds, 3, config);
    let b = negotiate(&kinds, 3, config);
    assert_eq!(a, b);
    let c = negotiate(&kinds, 3, RunConfig { stream: 4, ..config });
    assert_ne!(a.trace, c.trace, "another stream gives another negotiation");
}

#[test]
fn test_boulware_pair_agrees_before_the_deadline() {
    let r = negotiate(&[StrategyKind::BOULWARE, StrategyKind::BOULWARE], 4, RunConfig::default());
    let Termination::Agreement { round, .. } = r.termination else { panic!("{}", r.termination) };
    assert!(round > 50, "Boulware concedes late (round {round})");
}

#[test]
fn test_hardliners_reach_the_deadline() {
    let r = negotiate(
        &[StrategyKind::Hardliner, StrategyKind::Hardliner],
        3,
        RunConfig { rounds: 20, ..RunConfig::default() },
    );
    assert_eq!(r.termination, Termination::Deadline { rounds: 20 });
    assert_eq!(r.utilities, vec![0.0, 0.0], "no deal: reservation values");
}

#[test]
fn test_trace_snapshot() {
    let r = negotiate(
        &[StrategyKind::LINEAR, StrategyKind::CONCEDER],
        2,
        RunConfig { rounds: 6, seed: 1, stream: 0, record_trace: true },
    );
    let lines: Vec<String> = r
        .trace
        .iter()
        .map(|e| match e.action {
            Action::Offer { outcome } => format!("round {} party {} offers {outcome}", e.round, e.actor),
            Action::Respond { response, .. } => format!("round {} party {} {response:?}", e.round, e.actor),
            Action::Text { outcome } => format!("round {} text {outcome}", e.round),
        })
        .collect();
    insta::assert_snapshot!(format!("{}\n{}", lines.join("\n"), r.termination));
}

/// Boulware vs Boulware (e = 4), 100 rounds, on the synthetic domains: the agreements
/// NegMAS 0.16.0 reaches with `SAOMechanism(n_steps=100)` and `BoulwareTBNegotiator`
/// (recorded in bench/peers/negmas_sao_results.jsonl; NegMAS counts steps from 1).
#[test]
fn test_boulware_saop_matches_negmas() {
    for (issues, parties, outcome, step, utilities) in [
        (4, 2, vec![3, 0, 9, 8], 81, vec![0.616867, 0.67356]),
        (3, 5, vec![6, 5, 8], 89, vec![0.573291, 0.520302, 0.619593, 0.54008, 0.581217]),
    ] {
        let kinds = vec![StrategyKind::BOULWARE; parties];
        let r = negotiate(&kinds, issues, RunConfig::default());
        let Termination::Agreement { outcome: got, round } = r.termination else { panic!("{}", r.termination) };
        let space = UtilityModel::new(&synthetic(issues, parties)).unwrap().space().clone();
        assert_eq!(space.decode(got), outcome, "{parties} parties");
        assert_eq!(round + 1, step, "{parties} parties");
        for (u, want) in r.utilities.iter().zip(&utilities) {
            assert_abs_diff_eq!(*u, *want, epsilon = 1e-6);
        }
    }
}

fn synthetic_domain(issues: usize, parties: usize) -> Domain {
    Domain::new(&UtilityModel::new(&synthetic(issues, parties)).unwrap()).unwrap()
}

#[test]
fn test_mediated_text_moves_only_by_unanimous_improvements() {
    let domain = synthetic_domain(4, 3);
    for mediator in [None, Some(2)] {
        // Hardliners accept nothing but their best, so the text moves by votes only.
        let mut parties: Vec<Box<dyn crate::Strategy>> = (0..3).map(|_| StrategyKind::Hardliner.build()).collect();
        let config = RunConfig { rounds: 200, seed: 5, stream: 0, record_trace: true };
        let r = run(&mut MediatedText::new(mediator), &domain, &mut parties, config, &mut NoObserver);
        let texts: Vec<u64> = r
            .trace
            .iter()
            .filter_map(|e| match e.action {
                Action::Text { outcome } => Some(outcome),
                _ => None,
            })
            .collect();
        // The trace opens with the first text, at round 0.
        assert!(matches!(r.trace.first().map(|e| (e.round, e.action)), Some((0, Action::Text { .. }))));
        match mediator {
            // A random first text leaves room for unanimous improvements.
            None => assert!(texts.len() > 1, "the text moved"),
            // The mediator's own best package is Pareto-optimal: nothing improves on it for all.
            Some(m) => {
                assert_eq!(texts, vec![domain.ranking(m).best()], "no unanimous improvement on a Pareto-optimal text")
            }
        }
        for pair in texts.windows(2) {
            for a in 0..3 {
                let r = domain.ranking(a);
                assert!(r.utility(pair[1]) >= r.utility(pair[0]), "truthful votes only adopt improvements");
            }
        }
    }
}

#[test]
fn test_mediated_text_reaches_agreement_with_conceding_parties() {
    let domain = synthetic_domain(3, 3);
    let mut parties: Vec<Box<dyn crate::Strategy>> = (0..3).map(|_| StrategyKind::CONCEDER.build()).collect();
    let r = run(&mut MediatedText::new(Some(0)), &domain, &mut parties, RunConfig::default(), &mut NoObserver);
    assert!(matches!(r.termination, Termination::Agreement { .. }), "{}", r.termination);
    let again = run(
        &mut MediatedText::new(Some(0)),
        &domain,
        &mut (0..3).map(|_| StrategyKind::CONCEDER.build()).collect::<Vec<_>>(),
        RunConfig::default(),
        &mut NoObserver,
    );
    assert_eq!(r, again, "same seed, same run");
}

#[test]
fn test_sequenced_talks_keep_what_working_level_agreed() {
    let domain = synthetic_domain(4, 2);
    let talks = Sequenced { stages: vec![vec![0, 1]], rounds_per_stage: 100 };
    let r = talks.run(&domain, &[StrategyKind::BOULWARE, StrategyKind::LINEAR], RunConfig::default(), &mut NoObserver);
    assert_eq!(r.stages.len(), 2, "a working-level stage and the summit");
    let Termination::Agreement { outcome: first, .. } = r.stages[0].termination else { panic!("stage 1 agrees") };
    let Termination::Agreement { outcome: last, .. } = r.termination else { panic!("{}", r.termination) };
    let space = domain.space();
    let (a, b) = (space.decode(first), space.decode(last));
    assert_eq!(a[..2], b[..2], "the summit keeps the working-level terms");
    // The summit's agreement is the final package.
    let Termination::Agreement { outcome: summit, .. } = r.stages[1].termination else { panic!("summit agrees") };
    assert_eq!(summit, last);
}

#[test]
fn test_sequenced_talks_fail_when_a_stage_fails() {
    let domain = synthetic_domain(3, 2);
    let talks = Sequenced { stages: vec![vec![0]], rounds_per_stage: 10 };
    let r =
        talks.run(&domain, &[StrategyKind::Hardliner, StrategyKind::Hardliner], RunConfig::default(), &mut NoObserver);
    assert_eq!(r.stages.len(), 1);
    assert_eq!(r.termination, Termination::Deadline { rounds: 10 });
}

#[test]
fn test_tournament_is_the_same_on_one_and_two_threads() {
    use crate::tournament::{Entry, TournamentConfig, play};
    let model = UtilityModel::new(&synthetic(3, 2)).unwrap();
    let domain = Domain::new(&model).unwrap();
    let analysis = parley_core::analyze(
        &model,
        &parley_core::AnalysisOptions::default().with_disagreement(parley_core::Disagreement::NegmasMinimum),
    )
    .unwrap();
    let entries = [Entry { name: "syn", domain: &domain, analysis: &analysis }];
    let config = TournamentConfig {
        strategies: vec![StrategyKind::BOULWARE, StrategyKind::CONCEDER, StrategyKind::Random, StrategyKind::Hardliner],
        rounds: 50,
        seed: 3,
        repetitions: 2,
    };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| play(&entries, &config));
    let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(|| play(&entries, &config));
    assert_eq!(one, two);
    assert_eq!(one.records.len(), 4 * 4 * 2);
    // Conceders agree more often than hardliners.
    assert!(one.stats[1].agreement_rate > one.stats[3].agreement_rate);
    for r in &one.records {
        assert!(r.pareto_distance >= 0.0 && r.pareto_distance.is_finite());
    }
}

#[test]
fn test_parties_never_offer_or_accept_across_their_red_lines() {
    use parley_core::{Condition, RedLine};
    let mut s = synthetic(3, 2);
    // Party 0 rules out option v0 of issue 0; party 1 rules out v9 of issue 2.
    s.preferences[0].red_lines.push(RedLine {
        id: "a".into(),
        when: Condition { terms: vec![(0, vec![0])] },
        reason: String::new(),
        source: None,
    });
    s.preferences[1].red_lines.push(RedLine {
        id: "b".into(),
        when: Condition { terms: vec![(2, vec![9])] },
        reason: String::new(),
        source: None,
    });
    let model = UtilityModel::new(&s).unwrap();
    let domain = Domain::new(&model).unwrap();
    for kinds in [[StrategyKind::CONCEDER, StrategyKind::Random], [StrategyKind::Random, StrategyKind::TitForTat]] {
        let mut parties: Vec<_> = kinds.iter().map(|k| k.build()).collect();
        let r = run(
            &mut StackedAlternatingOffers::default(),
            &domain,
            &mut parties,
            RunConfig { rounds: 200, ..RunConfig::default() },
            &mut NoObserver,
        );
        for e in &r.trace {
            if let Action::Offer { outcome } = e.action {
                assert_eq!(
                    model.crossed_red_lines(&model.space().decode(outcome)) >> e.actor & 1,
                    0,
                    "{kinds:?} offered across its own red line"
                );
            }
        }
        if let Termination::Agreement { outcome, .. } = r.termination {
            assert_eq!(
                model.crossed_red_lines(&model.space().decode(outcome)),
                0,
                "{kinds:?} agreed across a red line"
            );
        }
    }
}

#[test]
fn test_discount_applies_to_agreements_and_reservation_values() {
    let domain = synthetic_domain(3, 2).with_discount(vec![Some(0.5), None]).with_reservation(vec![0.4, 0.3]);
    let mut parties: Vec<Box<dyn crate::Strategy>> =
        vec![StrategyKind::Hardliner.build(), StrategyKind::Hardliner.build()];
    let r = run(
        &mut StackedAlternatingOffers::default(),
        &domain,
        &mut parties,
        RunConfig { rounds: 9, ..RunConfig::default() },
        &mut NoObserver,
    );
    assert_eq!(r.termination, Termination::Deadline { rounds: 9 });
    // At the deadline t = 1: party 0's reservation value is halved, party 1's is not.
    assert_abs_diff_eq!(r.utilities[0], 0.2, epsilon = 1e-12);
    assert_abs_diff_eq!(r.utilities[1], 0.3, epsilon = 1e-12);
    let r = negotiate(&[StrategyKind::CONCEDER, StrategyKind::CONCEDER], 3, RunConfig::default());
    let Termination::Agreement { outcome, round } = r.termination else { panic!("conceders agree") };
    let discounted = synthetic_domain(3, 2).with_discount(vec![Some(0.5), Some(0.5)]);
    let t = f64::from(round + 1) / 101.0;
    assert_abs_diff_eq!(discounted.discounted_utility(0, outcome, t), r.utilities[0] * 0.5f64.powf(t), epsilon = 1e-12);
}

#[test]
fn test_trace_records_each_responders_demand() {
    let domain = synthetic_domain(3, 2);
    let mut parties: Vec<Box<dyn crate::Strategy>> =
        (0..2).map(|_| StrategyKind::BatnaAware { exponent: 3.0 }.build()).collect();
    let config = RunConfig { rounds: 40, seed: 1, stream: 0, record_trace: true };
    let r = run(&mut MediatedText::new(Some(0)), &domain, &mut parties, config, &mut NoObserver);
    for actor in 0..2 {
        let demands: Vec<f64> = r
            .trace
            .iter()
            .filter(|e| e.actor == actor)
            .filter_map(|e| match e.action {
                Action::Respond { aspiration, .. } => Some(aspiration.expect("batna-aware has a demand")),
                _ => None,
            })
            .collect();
        assert!(!demands.is_empty());
        assert!(demands.windows(2).all(|w| w[1] <= w[0] + 1e-12), "a concession curve never rises: {demands:?}");
        assert!(demands.iter().all(|&d| d >= domain.reservation(actor) - 1e-12));
    }
    // A hardliner's demand is its best utility, whatever the round.
    let mut hard: Vec<Box<dyn crate::Strategy>> = (0..2).map(|_| StrategyKind::Hardliner.build()).collect();
    let r = run(&mut MediatedText::new(None), &domain, &mut hard, config, &mut NoObserver);
    let best = domain.ranking(1).max();
    assert!(r.trace.iter().filter(|e| e.actor == 1).all(|e| match e.action {
        Action::Respond { aspiration, .. } => aspiration.is_some_and(|a| (a - best).abs() < 1e-12),
        _ => true,
    }));
}

#[test]
fn test_no_text_a_scoped_veto_blocks_is_offered_or_agreed() {
    use parley_core::{Condition, ScopedVeto, Veto};
    // Two parties at the table; the third must consent to any package with options 0–4 of
    // issue 0, and refuses those worth less than 0.6 to it.
    let mut s = synthetic(3, 3);
    s.actors[2].veto = Veto::Scoped(ScopedVeto {
        issues: Vec::new(),
        when: vec![Condition { terms: vec![(0, (0..5).collect())] }],
        reason: String::new(),
        source: None,
    });
    s.preferences[2].reservation = Quantity::bare(0.6);
    let model = UtilityModel::new(&s).unwrap();
    let space = model.space();
    let blocked = (0..space.len().unwrap()).filter(|&o| model.is_blocked_by_scoped_veto(&space.decode(o))).count();
    assert!(blocked > 100, "the test needs blocked packages ({blocked})");
    let domain = Domain::new(&model).unwrap().with_parties(&[0, 1]);
    let mut agreements = 0;
    for seed in 0..6 {
        let protocols: [Box<dyn Protocol>; 2] =
            [Box::new(StackedAlternatingOffers::default()), Box::new(MediatedText::new(None))];
        for mut protocol in protocols {
            let mut parties: Vec<_> =
                [StrategyKind::CONCEDER, StrategyKind::Random].iter().map(|k| k.build()).collect();
            let config = RunConfig { rounds: 200, seed, ..RunConfig::default() };
            let r = run(protocol.as_mut(), &domain, &mut parties, config, &mut NoObserver);
            for e in &r.trace {
                if let Action::Offer { outcome } = e.action {
                    assert!(!model.is_blocked_by_scoped_veto(&space.decode(outcome)), "a blocked text was offered");
                }
            }
            if let Termination::Agreement { outcome, .. } = r.termination {
                agreements += 1;
                assert!(!model.is_blocked_by_scoped_veto(&space.decode(outcome)), "a blocked text was agreed");
            }
        }
    }
    assert!(agreements > 0, "the test needs agreements");
}
