//! From a validated [`Scenario`] back to a scenario file.

use parley_core::conflict::{
    Beliefs, Durability, Framework, Law, Mediation, Observable, ObservationError, Series, Side, Terms, Territory,
    Volatility,
};
use parley_core::parameters::Parameter;
use parley_core::{
    Actor, Change, Check, Condition, Conflict, Distribution, Issue, IssueKind, Measure, Provenance, Quantity, Role,
    Scenario, Uncertain, ValueFunction, Veto,
};

use crate::located::{Located, OneOrMany, OrderedMap};
use crate::raw::{
    RawActor, RawBeliefs, RawCalibration, RawCheckKind, RawCondition, RawConflict, RawDispute, RawDistribution,
    RawDistributionKind, RawDonor, RawDurability, RawErrorDistribution, RawEvent, RawExpectation, RawFramework,
    RawFunction, RawHazardFactor, RawIssue, RawIssueKind, RawLaw, RawLever, RawLinkage, RawMeasure, RawMediation,
    RawMetadata, RawObservationError, RawObserved, RawOption, RawPreferences, RawQuantity, RawRedLine, RawRole,
    RawScenario, RawScopedVeto, RawSeries, RawSide, RawSource, RawTerms, RawTerritory, RawTuned, RawUncertain,
    RawValueFunction, RawVeto, RawVolatility,
};

fn quantity(q: &Quantity) -> Located<RawQuantity> {
    let mut raw = RawQuantity::bare(q.value);
    match &*q.provenance {
        Provenance::Cited { citation } => raw.source = Some(citation.to_string()),
        Provenance::Assumption { reason, direction } => {
            raw.assumption = Some(reason.clone());
            raw.direction = direction.as_ref().map(ToString::to_string);
        }
        Provenance::Tuned { to, note } => raw.tuned = Some(RawTuned { to: to.clone(), note: note.clone() }),
        Provenance::Unstated => {}
    }
    Located::new(raw)
}

fn condition(c: &Condition, issues: &[Issue]) -> Located<RawCondition> {
    Located::new(OrderedMap(
        c.terms
            .iter()
            .map(|(i, opts)| {
                let ids = opts.iter().map(|&o| issues[*i].options[o].id.clone()).collect();
                (Located::new(issues[*i].id.clone()), Located::new(OneOrMany(ids)))
            })
            .collect(),
    ))
}

/// `source` / `assumption` fields for a provenance (of a lever, a claim, a series: never
/// tuned, nor with a direction, when read from a file).
fn provenance(p: &Provenance) -> (Option<Located<String>>, Option<String>) {
    match p {
        Provenance::Cited { citation } => (Some(Located::new(citation.to_string())), None),
        Provenance::Assumption { reason, .. } => (None, Some(reason.clone())),
        Provenance::Tuned { to, note } => (None, Some(format!("tuned to {to}: {note}"))),
        Provenance::Unstated => (None, None),
    }
}

fn lever(l: &parley_core::Lever, issues: &[Issue]) -> RawLever {
    let (source, assumption) = provenance(&l.provenance);
    let mut raw = RawLever {
        id: Located::new(l.id.clone()),
        name: l.name.clone(),
        description: l.description.clone(),
        source,
        assumption,
        set: OrderedMap::default(),
        fix: None,
        drop: Vec::new(),
        no_deal: None,
    };
    let mut fixed = Condition::default();
    for change in &l.changes {
        match change {
            Change::Set { path, quantity: q } => raw.set.0.push((Located::new(path.clone()), quantity(q))),
            Change::Fix { keep } => fixed = fixed.and(keep),
            Change::Drop { path } => raw.drop.push(Located::new(path.clone())),
            Change::NoDeal { terms: t } => raw.no_deal = Some(terms(t)),
        }
    }
    if !fixed.terms.is_empty() {
        raw.fix = Some(condition(&fixed, issues));
    }
    raw
}

fn expectation(e: &parley_core::Expectation, s: &Scenario) -> RawExpectation {
    let (source, assumption) = provenance(&e.provenance);
    let actor = |a: &usize| Some(Located::new(s.actors[*a].id.clone()));
    let cond = |c: &Condition| Some(condition(c, &s.issues));
    let mut raw = RawExpectation {
        id: Located::new(e.id.clone()),
        claim: e.claim.clone(),
        source,
        assumption,
        contradicted: e.contradicted.clone(),
        disputed_by: e
            .disputed_by
            .iter()
            .map(|d| RawDispute { source: Located::new(d.citation.to_string()), note: d.note.clone() })
            .collect(),
        levers: e.levers.iter().map(|l| Located::new(l.clone())).collect(),
        check: Located::new(RawCheckKind::Accepts),
        actor: None,
        other: None,
        given: None,
        versus: None,
        with: None,
        without: None,
        months: None,
        month: None,
        versus_levers: None,
        loss_from: None,
        fraction: None,
        km2: None,
        measure: None,
    };
    let ids = |l: &[String]| Some(Located::new(l.iter().map(|x| Located::new(x.clone())).collect()));
    // A threshold with its provenance, as the expectation records it.
    let threshold = |name: &str, value: f64| {
        let q =
            e.thresholds.iter().find(|t| t.name == name).map_or_else(|| Quantity::bare(value), |t| t.quantity.clone());
        Some(quantity(&Quantity { value, ..q }))
    };
    let number = |n: u32, name: &str| threshold(name, f64::from(n));
    let versus_levers = |v: &[String]| (!v.is_empty()).then(|| ids(v)).flatten();
    let measure = |m: &Measure| {
        Some(Located::new(match m {
            Measure::Manpower => RawMeasure::Manpower,
            Measure::Materiel => RawMeasure::Materiel,
            Measure::Economy => RawMeasure::Economy,
            Measure::Support => RawMeasure::Support,
            Measure::Batna => RawMeasure::Batna,
            Measure::Recruitment => RawMeasure::Recruitment,
        }))
    };
    let kind = match &e.check {
        Check::Accepts { actor: a, given } | Check::Rejects { actor: a, given } => {
            (raw.actor, raw.given) = (actor(a), cond(given));
            if matches!(e.check, Check::Accepts { .. }) { RawCheckKind::Accepts } else { RawCheckKind::Rejects }
        }
        Check::ZoneExists { given } | Check::NoZone { given } => {
            raw.given = (!given.terms.is_empty()).then(|| condition(given, &s.issues));
            if matches!(e.check, Check::ZoneExists { .. }) { RawCheckKind::ZoneExists } else { RawCheckKind::NoZone }
        }
        Check::ZoneOnly { given } => {
            raw.given = cond(given);
            RawCheckKind::ZoneOnly
        }
        Check::Favours { actor: a, other, given } => {
            (raw.actor, raw.other, raw.given) = (actor(a), actor(other), cond(given));
            RawCheckKind::Favours
        }
        Check::Prefers { actor: a, given, versus } => {
            (raw.actor, raw.given, raw.versus) = (actor(a), cond(given), cond(versus));
            RawCheckKind::Prefers
        }
        Check::LinkageEases { actor: a, given, versus, with, without } => {
            (raw.actor, raw.given, raw.versus, raw.with, raw.without) =
                (actor(a), cond(given), cond(versus), cond(with), cond(without));
            RawCheckKind::LinkageEases
        }
        Check::NoSettlementWithin { months } => {
            raw.months = number(*months, "months");
            RawCheckKind::NoSettlementWithin
        }
        Check::SettlesWithin { months } => {
            raw.months = number(*months, "months");
            RawCheckKind::SettlesWithin
        }
        Check::BatnaLower { actor: a, month, versus } | Check::BatnaHigher { actor: a, month, versus } => {
            (raw.actor, raw.month) = (actor(a), number(*month, "month"));
            raw.versus_levers = versus_levers(versus);
            if matches!(e.check, Check::BatnaLower { .. }) {
                RawCheckKind::BatnaLower
            } else {
                RawCheckKind::BatnaHigher
            }
        }
        Check::BatnaRestored { actor: a, month, loss_from, fraction } => {
            (raw.actor, raw.month, raw.loss_from) = (actor(a), number(*month, "month"), ids(loss_from));
            raw.fraction = threshold("fraction", *fraction);
            RawCheckKind::BatnaRestored
        }
        Check::Advances { months, km2 } => {
            (raw.months, raw.km2) = (number(*months, "months"), threshold("km2", *km2));
            RawCheckKind::Advances
        }
        Check::AdvancesMore { months, versus } | Check::AdvancesLess { months, versus } => {
            (raw.months, raw.versus_levers) = (number(*months, "months"), versus_levers(versus));
            if matches!(e.check, Check::AdvancesMore { .. }) {
                RawCheckKind::AdvancesMore
            } else {
                RawCheckKind::AdvancesLess
            }
        }
        Check::SettlesSooner { months, versus } => {
            (raw.months, raw.versus_levers) = (number(*months, "months"), versus_levers(versus));
            RawCheckKind::SettlesSooner
        }
        Check::Declines { actor: a, measure: m, months } | Check::Grows { actor: a, measure: m, months } => {
            (raw.actor, raw.measure, raw.months) = (actor(a), measure(m), number(*months, "months"));
            if matches!(e.check, Check::Declines { .. }) { RawCheckKind::Declines } else { RawCheckKind::Grows }
        }
        Check::NoCollapseWithin { months } => {
            raw.months = number(*months, "months");
            RawCheckKind::NoCollapseWithin
        }
        Check::BreaksDownMore { given, versus } => {
            (raw.given, raw.versus) = (cond(given), cond(versus));
            RawCheckKind::BreaksDownMore
        }
    };
    raw.check = Located::new(kind);
    raw
}

fn uncertain(u: &Uncertain) -> RawUncertain {
    let (source, assumption) = provenance(&u.provenance);
    RawUncertain {
        path: Located::new(u.path.clone()),
        distribution: Located::new(distribution(&u.distribution)),
        bounds: u.bounds.map(Located::new),
        source,
        assumption,
        note: None,
    }
}

fn distribution(d: &Distribution) -> RawDistribution {
    use RawDistributionKind as K;
    let n = |x: f64| Some(Located::new(x));
    let mut raw = RawDistribution {
        kind: Located::new(K::Normal),
        mean: None,
        sd: None,
        median: None,
        sigma: None,
        min: None,
        mode: None,
        max: None,
        alpha: None,
        beta: None,
    };
    let kind = match *d {
        Distribution::Normal { mean, sd } => {
            (raw.mean, raw.sd) = (n(mean), n(sd));
            K::Normal
        }
        Distribution::Lognormal { median, sigma } => {
            (raw.median, raw.sigma) = (n(median), n(sigma));
            K::Lognormal
        }
        Distribution::Uniform { min, max } => {
            (raw.min, raw.max) = (n(min), n(max));
            K::Uniform
        }
        Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max } => {
            (raw.min, raw.mode, raw.max) = (n(min), n(mode), n(max));
            if matches!(d, Distribution::Pert { .. }) { K::Pert } else { K::Triangular }
        }
        Distribution::Beta { alpha, beta, min, max } => {
            (raw.alpha, raw.beta, raw.min, raw.max) = (n(alpha), n(beta), n(min), n(max));
            K::Beta
        }
    };
    raw.kind = Located::new(kind);
    raw
}

fn terms(t: &Terms) -> Located<RawTerms> {
    Located::new(OrderedMap(t.iter().map(|(i, o)| (Located::new(i.clone()), Located::new(o.clone()))).collect()))
}

fn series(s: &Series) -> Located<RawSeries> {
    let mut raw = RawSeries {
        values: s.values.iter().map(|&v| Located::new(v)).collect(),
        source: None,
        assumption: None,
        note: None,
    };
    match &s.provenance {
        Provenance::Cited { citation } => raw.source = Some(citation.to_string()),
        Provenance::Assumption { reason, .. } => raw.assumption = Some(reason.clone()),
        Provenance::Tuned { to, note } => raw.assumption = Some(format!("tuned to {to}: {note}")),
        Provenance::Unstated => {}
    }
    Located::new(raw)
}

fn side(s: &Side) -> RawSide {
    RawSide::new(terms(&s.victory), |name| registered(s.quantity(name), Side::parameter(name)))
}

/// A number of the war model's registry, as written, and whether it is what leaving it out
/// gives (so a field that may be left out is). The file's structs and the model's are built
/// from the same list, so every name the one asks for the other has.
fn registered(q: Option<&Quantity>, p: Option<&Parameter>) -> (Located<RawQuantity>, bool) {
    let q = q.expect("the file's structs are built from the same registry as the model's");
    (quantity(q), p.is_some_and(|p| p.is_absent(q)))
}

/// The mediation as written: left out when it is all defaults (the mediator never walks
/// away), so a scenario without one reads and writes back unchanged.
fn mediation(m: &Mediation) -> Option<RawMediation> {
    let absent = m.withdraws.is_empty()
        && m.quantities().all(|(name, q)| Mediation::parameter(name).is_some_and(|p| p.is_absent(q)));
    (!absent).then(|| {
        RawMediation::new(m.withdraws.iter().map(|d| Located::new(d.clone())).collect(), |name| {
            registered(m.quantity(name), Mediation::parameter(name))
        })
    })
}

/// Talks over a belligerent's head as written: left out when nothing of them is set, so a
/// scenario without them reads and writes back unchanged.
fn framework(f: &Framework, actors: &[Actor]) -> Option<RawFramework> {
    let absent = f.absent.is_none()
        && f.pressing.is_empty()
        && f.quantities().all(|(name, q)| Framework::parameter(name).is_some_and(|p| p.is_absent(q)));
    (!absent).then(|| {
        RawFramework::new(
            f.absent.map(|a| Located::new(actors[a].id.clone())),
            f.pressing.iter().map(|d| Located::new(d.clone())).collect(),
            |name| registered(f.quantity(name), Framework::parameter(name)),
        )
    })
}

fn conflict(c: &Conflict, actors: &[Actor]) -> RawConflict {
    let id = |a: usize| Located::new(actors[a].id.clone());
    let month = |m: parley_core::Month| Located::new(m.to_string());
    let t = &c.territory;
    let d = &c.durability;
    RawConflict {
        start: month(c.start),
        as_of: month(c.as_of),
        law: RawLaw::new(|name| registered(c.law.quantity(name), Law::parameter(name))),
        no_deal: terms(&c.no_deal),
        sides: Located::new(OrderedMap(c.sides.iter().map(|s| (id(s.actor), side(s))).collect())),
        donors: OrderedMap(
            c.donors
                .iter()
                .map(|d| {
                    let raw = RawDonor {
                        name: d.name.clone(),
                        supplies: id(d.supplies),
                        deliveries: series(&d.deliveries),
                        after: quantity(&d.after),
                    };
                    (Located::new(d.id.clone()), raw)
                })
                .collect(),
        ),
        territory: RawTerritory::new(
            Located::new(t.issue.clone()),
            id(t.holder),
            Located::new(OrderedMap(t.anchors.iter().map(|(o, q)| (Located::new(o.clone()), quantity(q))).collect())),
            |name| registered(t.quantity(name), Territory::parameter(name)),
        ),
        beliefs: RawBeliefs::new(|name| registered(c.beliefs.quantity(name), Beliefs::parameter(name))),
        volatility: RawVolatility::new(|name| registered(c.volatility.quantity(name), Volatility::parameter(name))),
        mediation: mediation(&c.mediation),
        framework: framework(&c.framework, actors),
        durability: RawDurability::new(
            d.factors
                .iter()
                .map(|f| RawHazardFactor {
                    id: Located::new(f.id.clone()),
                    when: Located::new(OrderedMap(
                        f.when
                            .iter()
                            .map(|(i, o)| (Located::new(i.clone()), Located::new(OneOrMany(o.clone()))))
                            .collect(),
                    )),
                    multiplier: quantity(&f.multiplier),
                })
                .collect(),
            |name| registered(d.quantity(name), Durability::parameter(name)),
        ),
        events: c
            .events
            .iter()
            .map(|e| {
                let (source, assumption) = provenance(&e.provenance);
                RawEvent {
                    id: Located::new(e.id.clone()),
                    name: e.name.clone(),
                    month: month(e.month),
                    source,
                    assumption,
                    note: None,
                    set: OrderedMap(e.set.iter().map(|(p, q)| (Located::new(p.clone()), quantity(q))).collect()),
                }
            })
            .collect(),
        calibration: c.calibration.as_ref().map(|cal| RawCalibration {
            data: cal.data.clone(),
            window: Located::new((month(cal.window.0), month(cal.window.1))),
            series: OrderedMap(
                cal.series
                    .iter()
                    .map(|(column, o)| (Located::new(column.clone()), Located::new(observable(*o, actors))))
                    .collect(),
            ),
            fit: cal.fit.iter().map(|p| Located::new(p.clone())).collect(),
            note: cal.note.clone(),
        }),
        observed: c
            .observed
            .iter()
            .map(|o| {
                let (source, assumption) = provenance(&o.provenance);
                let distribution = match &o.error {
                    ObservationError::Normal { .. } => RawErrorDistribution::Normal,
                    ObservationError::Lognormal { .. } => RawErrorDistribution::Lognormal,
                };
                let (bias, scale) = o.error.numbers();
                let error = RawObservationError {
                    distribution: Located::new(distribution),
                    bias: quantity(bias),
                    scale: quantity(scale),
                };
                RawObserved {
                    id: Located::new(o.id.clone()),
                    measures: Located::new(observable(o.measures, actors)),
                    column: o.column.clone(),
                    from: (o.from != c.start).then(|| month(o.from)),
                    // A month not observed is written as NaN (`nan` in TOML, `null` in JSON).
                    values: Located::new(o.values.iter().map(|v| Some(v.unwrap_or(f64::NAN))).collect()),
                    source: source.map(|s| s.value),
                    assumption,
                    note: None,
                    error: Located::new(error),
                }
            })
            .collect(),
    }
}

/// An observable as a file names it.
fn observable(o: Observable, actors: &[Actor]) -> String {
    match o {
        Observable::Losses { side } => format!("losses.{}", actors[side].id),
        Observable::TerritoryChange => "territory_change".to_string(),
        Observable::Held => "held".to_string(),
    }
}

/// The raw form of a scenario, ready to serialise.
pub fn to_raw(s: &Scenario) -> RawScenario {
    let issues = &s.issues;
    RawScenario {
        scenario: RawMetadata {
            id: Located::new(s.metadata.id.clone()),
            title: s.metadata.title.clone(),
            description: s.metadata.description.clone(),
            as_of: s.metadata.as_of.clone(),
        },
        sources: s
            .sources
            .iter()
            .map(|x| RawSource {
                id: Located::new(x.id.clone()),
                title: x.title.clone(),
                outlet: x.outlet.clone(),
                date: x.date.clone(),
                url: x.url.clone(),
                file: x.file.clone(),
            })
            .collect(),
        actors: s
            .actors
            .iter()
            .map(|a| RawActor {
                id: Located::new(a.id.clone()),
                name: a.name.clone(),
                role: match a.role {
                    Role::Belligerent => RawRole::Belligerent,
                    Role::Mediator => RawRole::Mediator,
                    Role::Supporter => RawRole::Supporter,
                    Role::Domestic => RawRole::Domestic,
                    Role::Other => RawRole::Other,
                },
                veto: match &a.veto {
                    Veto::None => RawVeto::All(false),
                    Veto::Full => RawVeto::All(true),
                    Veto::Scoped(scope) => RawVeto::Scoped(RawScopedVeto {
                        issues: scope.issues.iter().map(|&i| Located::new(issues[i].id.clone())).collect(),
                        when: scope.when.iter().map(|c| condition(c, issues)).collect(),
                        reason: scope.reason.clone(),
                        source: scope.source.as_ref().map(ToString::to_string),
                    }),
                },
                power: a.power.as_ref().map(quantity),
            })
            .collect(),
        issues: issues
            .iter()
            .map(|i| {
                let mut raw = RawIssue {
                    id: Located::new(i.id.clone()),
                    name: i.name.clone(),
                    kind: Located::new(RawIssueKind::Categorical),
                    ordered: None,
                    options: None,
                    min: None,
                    max: None,
                    step: None,
                    steps: None,
                    unit: None,
                };
                match &i.kind {
                    IssueKind::Categorical { ordered } => {
                        raw.ordered = ordered.then_some(true);
                        raw.options = Some(Located::new(
                            i.options
                                .iter()
                                .map(|o| RawOption {
                                    id: Located::new(o.id.clone()),
                                    label: (o.label != o.id).then(|| o.label.clone()),
                                })
                                .collect(),
                        ));
                    }
                    IssueKind::Integer { min, max, step, unit } => {
                        raw.kind = Located::new(RawIssueKind::Integer);
                        (raw.min, raw.max, raw.step, raw.unit) =
                            (Some(quantity(min)), Some(quantity(max)), Some(quantity(step)), unit.clone());
                    }
                    IssueKind::Real { min, max, steps, unit } => {
                        raw.kind = Located::new(RawIssueKind::Real);
                        (raw.min, raw.max, raw.steps, raw.unit) =
                            (Some(quantity(min)), Some(quantity(max)), Some(Located::new(*steps)), unit.clone());
                    }
                }
                raw
            })
            .collect(),
        preferences: s
            .actors
            .iter()
            .zip(&s.preferences)
            .map(|(a, p)| RawPreferences {
                actor: Located::new(a.id.clone()),
                reservation: quantity(&p.reservation),
                discount: p.discount.as_ref().map(quantity),
                weights: OrderedMap(
                    issues
                        .iter()
                        .zip(&p.weights)
                        .filter_map(|(i, w)| w.as_ref().map(|w| (Located::new(i.id.clone()), quantity(w))))
                        .collect(),
                ),
                values: OrderedMap(
                    issues
                        .iter()
                        .zip(&p.values)
                        .filter_map(|(i, v)| {
                            v.as_ref().map(|v| (Located::new(i.id.clone()), Located::new(value_function(v, i))))
                        })
                        .collect(),
                ),
                linkages: p
                    .linkages
                    .iter()
                    .map(|l| RawLinkage {
                        id: Located::new(l.id.clone()),
                        when: condition(&l.when, issues),
                        delta: quantity(&l.delta),
                    })
                    .collect(),
                red_lines: p
                    .red_lines
                    .iter()
                    .map(|r| RawRedLine {
                        id: Located::new(r.id.clone()),
                        when: condition(&r.when, issues),
                        reason: r.reason.clone(),
                        source: r.source.as_ref().map(ToString::to_string),
                    })
                    .collect(),
            })
            .collect(),
        conflict: s.conflict.as_ref().map(|c| conflict(c, &s.actors)),
        lever: s.levers.iter().map(|l| lever(l, issues)).collect(),
        expect: s.expectations.iter().map(|e| expectation(e, s)).collect(),
        uncertain: s.uncertain.iter().map(uncertain).collect(),
    }
}

fn value_function(v: &ValueFunction, issue: &Issue) -> RawValueFunction {
    let f = |f| Some(Located::new(f));
    match v {
        ValueFunction::Table { values } => RawValueFunction {
            options: Some(OrderedMap(
                issue.options.iter().zip(values).map(|(o, q)| (Located::new(o.id.clone()), quantity(q))).collect(),
            )),
            ..RawValueFunction::default()
        },
        ValueFunction::Linear { at_min, at_max } => RawValueFunction {
            function: f(RawFunction::Linear),
            at_min: Some(quantity(at_min)),
            at_max: Some(quantity(at_max)),
            ..RawValueFunction::default()
        },
        ValueFunction::Triangular { low, peak, high } => RawValueFunction {
            function: f(RawFunction::Triangular),
            low: Some(quantity(low)),
            peak: Some(quantity(peak)),
            high: Some(quantity(high)),
            ..RawValueFunction::default()
        },
        ValueFunction::Step { threshold, below, above } => RawValueFunction {
            function: f(RawFunction::Step),
            threshold: Some(quantity(threshold)),
            below: Some(quantity(below)),
            above: Some(quantity(above)),
            ..RawValueFunction::default()
        },
    }
}
