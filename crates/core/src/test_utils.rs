//! Small scenarios for tests, built in code.

use proptest::prelude::*;

use crate::outcome::{Issue, IssueKind, IssueOption};
use crate::preferences::{Condition, Linkage, Preferences, RedLine, ValueFunction};
use crate::scenario::{Actor, Metadata, Quantity, Role, Scenario, ScopedVeto, Veto};

/// Builders of test scenarios.
pub(crate) struct TestScenario;

/// One actor of a table-defined test scenario.
pub(crate) struct TableActor {
    pub veto: bool,
    pub reservation: f64,
    /// One weight per issue.
    pub weights: Vec<f64>,
    /// One row of option values per issue.
    pub values: Vec<Vec<f64>>,
}

impl TestScenario {
    /// A scenario from per-actor weight and value tables; issues have `radices[i]` options.
    pub(crate) fn from_tables(radices: &[usize], actors: Vec<TableActor>) -> Scenario {
        let issues = radices
            .iter()
            .enumerate()
            .map(|(i, &r)| Issue {
                id: format!("i{i}"),
                name: format!("issue {i}"),
                kind: IssueKind::Categorical { ordered: false },
                options: (0..r)
                    .map(|o| IssueOption { id: format!("o{o}"), label: format!("option {o}"), value: None })
                    .collect(),
            })
            .collect();
        let (actors, preferences) = actors
            .into_iter()
            .enumerate()
            .map(|(a, t)| {
                let actor = Actor {
                    id: format!("a{a}"),
                    name: format!("actor {a}"),
                    role: Role::Other,
                    veto: if t.veto { Veto::Full } else { Veto::None },
                    power: None,
                };
                let prefs = Preferences {
                    weights: t.weights.into_iter().map(|w| Some(Quantity::bare(w))).collect(),
                    values: t
                        .values
                        .into_iter()
                        .map(|row| Some(ValueFunction::Table { values: row.into_iter().map(Quantity::bare).collect() }))
                        .collect(),
                    linkages: Vec::new(),
                    red_lines: Vec::new(),
                    reservation: Quantity::bare(t.reservation),
                    discount: None,
                };
                (actor, prefs)
            })
            .unzip();
        Scenario {
            metadata: Metadata::default(),
            sources: Vec::new(),
            actors,
            issues,
            preferences,
            levers: Vec::new(),
            expectations: Vec::new(),
            conflict: None,
            uncertain: Vec::new(),
        }
    }

    /// Two issues, two options each, solvable by hand (a logrolling problem):
    ///
    /// | outcome | u_X | u_Y |
    /// |---|---|---|
    /// | (o0, o0) | 0.6 | 0.7 |
    /// | (o0, o1) | 1.0 | 0.0 |
    /// | (o1, o0) | 0.0 | 1.0 |
    /// | (o1, o1) | 0.4 | 0.3 |
    ///
    /// Reservation values 0.3 (X) and 0.2 (Y).
    pub(crate) fn logrolling() -> Scenario {
        Self::from_tables(
            &[2, 2],
            vec![
                TableActor {
                    veto: true,
                    reservation: 0.3,
                    weights: vec![0.6, 0.4],
                    values: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
                },
                TableActor {
                    veto: true,
                    reservation: 0.2,
                    weights: vec![0.3, 0.7],
                    values: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
                },
            ],
        )
    }

    /// Dividing a unit surplus: one issue with 21 shares `0, 0.05, …, 1` for X (linear
    /// value), the rest for Y; reservation values 0.2 (X) and 0.3 (Y).
    pub(crate) fn divide_the_dollar() -> Scenario {
        let shares: Vec<f64> = (0..21).map(|i| f64::from(i) / 20.0).collect();
        Self::from_tables(
            &[21],
            vec![
                TableActor { veto: true, reservation: 0.2, weights: vec![1.0], values: vec![shares.clone()] },
                TableActor {
                    veto: true,
                    reservation: 0.3,
                    weights: vec![1.0],
                    values: vec![shares.iter().map(|s| 1.0 - s).collect()],
                },
            ],
        )
    }

    /// Three actors (two with a veto), three issues, a linkage and a red line.
    pub(crate) fn linked_three_party() -> Scenario {
        let mut s = Self::from_tables(
            &[3, 2, 3],
            vec![
                TableActor {
                    veto: true,
                    reservation: 0.3,
                    weights: vec![0.5, 0.2, 0.3],
                    values: vec![vec![1.0, 0.5, 0.0], vec![0.0, 1.0], vec![0.2, 1.0, 0.6]],
                },
                TableActor {
                    veto: true,
                    reservation: 0.4,
                    weights: vec![0.4, 0.4, 0.2],
                    values: vec![vec![0.0, 0.6, 1.0], vec![1.0, 0.0], vec![1.0, 0.3, 0.0]],
                },
                TableActor {
                    veto: false,
                    reservation: 0.5,
                    weights: vec![0.2, 0.3, 0.5],
                    values: vec![vec![0.5, 1.0, 0.0], vec![0.5, 0.5], vec![0.0, 0.5, 1.0]],
                },
            ],
        );
        s.preferences[1].linkages.push(Linkage {
            id: "package".into(),
            when: Condition { terms: vec![(0, vec![1]), (1, vec![1])] },
            delta: Quantity::bare(0.25),
        });
        s.preferences[0].red_lines.push(RedLine {
            id: "never".into(),
            when: Condition { terms: vec![(0, vec![2]), (2, vec![0])] },
            reason: "test".into(),
            source: None,
        });
        s.preferences[2].red_lines.push(RedLine {
            id: "objects".into(),
            when: Condition { terms: vec![(1, vec![0])] },
            reason: "test".into(),
            source: None,
        });
        s
    }
}

/// A condition on some of the issues (`None`: no term on that issue).
fn condition(radices: &[usize], picks: &[Option<Vec<bool>>]) -> Condition {
    let terms = radices
        .iter()
        .zip(picks)
        .enumerate()
        .filter_map(|(i, (&r, pick))| {
            let pick = pick.as_ref()?;
            Some((i, (0..r).filter(|&o| pick[o % pick.len()]).collect()))
        })
        .collect();
    Condition { terms }
}

/// Scenarios of 1–6 issues and 1–5 actors (some with a full veto, some with a scoped
/// one) with linkages and red lines, large enough that the column leaves outer issues.
pub(crate) fn conditioned_scenario() -> impl Strategy<Value = Scenario> {
    (prop::collection::vec(1usize..=6, 1..=6), 1usize..=5).prop_flat_map(|(radices, n)| {
        let k = radices.len();
        let actor = prop::collection::vec(prop::collection::vec(0u8..=4, 6), k);
        let pick = prop::option::of(prop::collection::vec(any::<bool>(), 1..=6));
        let rule = (0..n, prop::collection::vec(pick, k), -3i8..=3);
        (Just(radices), prop::collection::vec((actor, 0u8..=10, 0u8..=2), n), prop::collection::vec(rule, 0..=12))
            .prop_map(|(radices, actors, rules)| {
                let tables = actors
                    .iter()
                    .map(|(values, reservation, _)| TableActor {
                        veto: true,
                        reservation: f64::from(*reservation) / 10.0,
                        weights: vec![1.0; radices.len()],
                        values: values
                            .iter()
                            .zip(&radices)
                            .map(|(row, &r)| row[..r].iter().map(|&v| f64::from(v) / 4.0).collect())
                            .collect(),
                    })
                    .collect();
                let mut s = TestScenario::from_tables(&radices, tables);
                for (a, (_, _, veto)) in actors.iter().enumerate() {
                    s.actors[a].veto = match veto {
                        0 => Veto::Full,
                        1 => Veto::None,
                        _ => Veto::Scoped(ScopedVeto {
                            issues: Vec::new(),
                            when: rules
                                .iter()
                                .filter(|(owner, _, _)| *owner == a)
                                .map(|(_, picks, _)| condition(&radices, picks))
                                .collect(),
                            reason: String::new(),
                            source: None,
                        }),
                    };
                }
                for (r, (owner, picks, delta)) in rules.iter().enumerate() {
                    let when = condition(&radices, picks);
                    if *delta == 0 {
                        s.preferences[*owner].red_lines.push(RedLine {
                            id: format!("r{r}"),
                            when,
                            reason: String::new(),
                            source: None,
                        });
                    } else {
                        s.preferences[*owner].linkages.push(Linkage {
                            id: format!("l{r}"),
                            when,
                            delta: Quantity::bare(f64::from(*delta) / 10.0),
                        });
                    }
                }
                s
            })
    })
}
