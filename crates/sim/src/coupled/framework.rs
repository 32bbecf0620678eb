//! Talks over a belligerent's head: a framework agreed without one side, then put to it.
//!
//! `[conflict.framework]` names a belligerent left out of the first stage (`absent`). While
//! fewer than `attempts` frameworks have been refused and the mediator is engaged, a month of
//! fighting holds two stages instead of the inclusive talks:
//!
//! 1. **The framework.** The other parties at the table — the mediator and the other
//!    belligerent, and whoever else holds a full veto — negotiate a single text, drafted by
//!    the mediator (neutral if it has no seat) and opened with the package of *their*
//!    bargaining set that gives the worst-off of them the largest margin, with the talks'
//!    strategies and rounds, over every package none of them refuses. The absent side's red lines and interests play no part. Without a zone among
//!    them no framework is drafted that month.
//! 2. **The verdict.** The framework is put to the absent side, which accepts it iff it
//!    values it at least as much as refusing. Refusing is worth its alternative to a deal
//!    computed from the war *as it would be after a refusal*: when donors press it
//!    (`pressing`, `withheld`, `pressure_months`), their deliveries are cut for those months,
//!    and the side projects the war with them cut ([`crate::batna::reservation_values`] from
//!    the pressed state). So a refusal is rational exactly when the framework is worse than
//!    fighting on under pressure, and a refused framework starts that pressure: the
//!    rejection costs the side what the war model makes of the aid withheld. When the parties
//!    anticipate breakdown (`conflict.durability.anticipation`) every party weighs a package
//!    net of it, as in the inclusive talks ([`super::commitment`]).
//!
//! An accepted framework is a deal like any other. After `attempts` refusals both
//! belligerents sit at the table. Only months after the scenario date are held this way:
//! the history before it is the record's, checked against the inclusive talks
//! ([`Simulation::history_check`]). A month's first stage is not replayed for the report's
//! trace of the talks ([`Simulation::replay_talks`]): it seats other parties than the table. The stage models the "talks about Ukraine without
//! Ukraine" of ap-2025-02 and the aid pause that preceded Kyiv's acceptance of a ceasefire in
//! analysis-2025-05; on coercive bargaining with a weaker party's consent as the last step,
//! see Schelling, *Arms and Influence* (1966), ch. 2.

use std::collections::HashMap;
use std::sync::Arc;

use parley_core::utility::{Units, from_units, to_units};
use parley_core::{UtilityModel, bargaining_set};
use parley_protocol::{Domain, MediatedText, NoObserver, Protocol, RunConfig, Termination, run};

use super::commitment::Outlook;
use super::{Simulation, SimulationError, TalksProtocol, ZONE_TOLERANCE};
use crate::batna::reservation_values;
use crate::war::WarState;

/// What of the first stage depends on the table's preferences only: built once per
/// scenario and set of levers, shared by every replicate.
pub(super) struct FrameworkSetup {
    /// Seat of the absent side at the table.
    pub(super) absent_seat: usize,
    /// Its position among the conflict's sides (0 or 1).
    absent_side: usize,
    /// Seats of the parties at the first stage, in the table's order.
    present: Vec<usize>,
    /// The table's domain as the present parties see it.
    domain: Domain,
    /// The present parties' bargaining set (utilities in `present`'s order).
    pub(super) set: Vec<(u64, Vec<f64>)>,
    /// Its utilities in exact units, a row per package.
    units: Vec<Units>,
}

/// How a month's two-stage talks ended.
pub(super) enum FrameworkOutcome {
    /// The present parties had no zone: nothing was drafted.
    NoFramework,
    /// The present parties did not agree.
    Failed(Termination),
    /// The absent side accepted the framework: a deal.
    Accepted {
        /// The framework.
        terms: u64,
        /// The round the present parties agreed it in.
        round: u32,
        /// The chance, when the parties anticipate breakdown, that it breaks down within
        /// their horizon (0 when they do not).
        breakdown: f64,
    },
    /// The absent side refused the framework.
    Refused {
        /// The framework.
        terms: u64,
        /// The round the present parties agreed it in.
        round: u32,
        /// The absent side's seat at the table.
        by: usize,
    },
}

impl FrameworkSetup {
    /// The first stage of a table whose parties are `parties` (actor indices) with the
    /// absent side `absent` (an actor index), or `None` when it does not sit at the table
    /// or the present parties' red lines leave them nothing to agree.
    pub(super) fn new(
        model: &UtilityModel,
        parties: &[usize],
        domain: Option<&Domain>,
        sides: [usize; 2],
        absent: usize,
    ) -> Result<Option<FrameworkSetup>, SimulationError> {
        let (Some(absent_seat), Some(domain)) = (parties.iter().position(|&a| a == absent), domain) else {
            return Ok(None);
        };
        let present: Vec<usize> = (0..parties.len()).filter(|&s| s != absent_seat).collect();
        let actors: Vec<usize> = present.iter().map(|&s| parties[s]).collect();
        let set = bargaining_set(model, &actors)?;
        if set.is_empty() {
            return Ok(None);
        }
        let units = set.iter().flat_map(|(_, u)| u.iter().map(|&x| to_units(x))).collect();
        Ok(Some(FrameworkSetup {
            absent_seat,
            absent_side: usize::from(sides[1] == absent),
            domain: domain.with_parties(&present),
            present,
            set,
            units,
        }))
    }
}

impl Simulation {
    /// Whether this month's talks are held over the absent side's head: the framework
    /// process applies, the mediator is engaged and fewer than `attempts` frameworks have
    /// been refused.
    pub(super) fn over_the_head(&self, state: &WarState, refused: u32) -> bool {
        self.framework.is_some()
            && !state.mediator_gone
            && f64::from(refused) < self.war.params(state.month).framework.attempts.round()
    }

    /// The state the war would be in after the absent side refused a framework: pressed for
    /// `pressure_months` months, if anyone presses it.
    pub(super) fn pressed(&self, state: &WarState) -> WarState {
        let p = self.war.params(state.month).framework;
        let months = p.pressure_months.round().max(0.0) as u32;
        let pressing = p.withheld > 0.0 && months > 0;
        WarState { pressure: if pressing { months } else { state.pressure }, ..*state }
    }

    /// The month's talks over the absent side's head, both stages (see the module's
    /// documentation): reservation values `reservation` by seat, the parties' `optimism`,
    /// and the outlook of a ceasefire when they anticipate breakdown.
    pub(super) fn framework_talks(
        &self,
        state: &WarState,
        optimism: [f64; 2],
        reservation: &[f64],
        outlook: Option<&Outlook>,
        seed: u64,
    ) -> FrameworkOutcome {
        let f = self.framework.as_ref().expect("called only over_the_head");
        let present_reservation: Vec<f64> = f.present.iter().map(|&s| reservation[s]).collect();
        // With anticipation: each seat's value of the restarted war, and a package's net
        // margin by its durability class's breakdown chance.
        let w = outlook.map(|o| self.restarted(reservation, o));
        let net = |k: usize, seat: usize, u: f64, r: f64| match (outlook, &w) {
            (Some(o), Some(w)) => {
                let q = o.breakdown[self.framework_class[k] as usize];
                (1.0 - q) * (u - r) + q * (w[seat] - r)
            }
            _ => u - r,
        };
        // 1. The framework: the present parties' best offer and, if it is in their zone, talks.
        let best = if outlook.is_some() {
            let mut best: Option<(usize, f64)> = None;
            for k in 0..f.set.len() {
                let worst = (0..f.present.len())
                    .map(|i| net(k, f.present[i], f.set[k].1[i], present_reservation[i]))
                    .fold(f64::INFINITY, f64::min);
                if best.is_none_or(|(_, b)| worst > b) {
                    best = Some((k, worst));
                }
            }
            best
        } else {
            super::max_min_package(&f.units, &present_reservation).map(|(k, m)| (k, from_units(m)))
        };
        let Some((k, worst)) = best else { return FrameworkOutcome::NoFramework };
        if worst < -ZONE_TOLERANCE {
            return FrameworkOutcome::NoFramework;
        }
        let opening = f.set[k].0;
        let (domain, talks_reservation, q) = match (outlook, &w) {
            (Some(o), Some(w)) => {
                let class = self.framework_class[k] as usize;
                let q = o.breakdown[class];
                let shift = q.min(super::commitment::MAX_BREAKDOWN) / (1.0 - q.min(super::commitment::MAX_BREAKDOWN));
                let shifted = f.present.iter().map(|&s| reservation[s] + shift * (reservation[s] - w[s])).collect();
                let domain = self.framework_class_domains.as_ref().and_then(|d| d.get(class)).unwrap_or(&f.domain);
                (domain, shifted, q)
            }
            _ => (&f.domain, present_reservation.clone(), 0.0),
        };
        let domain = domain.clone().with_reservation(talks_reservation);
        let mut negotiators: Vec<_> = f.present.iter().map(|&s| self.talks.strategies[s].build()).collect();
        let config = RunConfig { rounds: self.talks.rounds, seed, stream: 0, record_trace: false };
        let mediator = match self.talks.protocol {
            TalksProtocol::MediatedText { mediator } => mediator.and_then(|m| f.present.iter().position(|&s| s == m)),
            TalksProtocol::AlternatingOffers => None,
        };
        let mut protocol: Box<dyn Protocol> = Box::new(MediatedText::new(mediator).opening_with(opening));
        let stage = run(protocol.as_mut(), &domain, &mut negotiators, config, &mut NoObserver).termination;
        let (terms, round) = match stage {
            Termination::Agreement { outcome, round } => (outcome, round),
            Termination::Breakdown { by, round } => {
                return FrameworkOutcome::Failed(Termination::Breakdown { by: f.present[by], round });
            }
            other => return FrameworkOutcome::Failed(other),
        };
        // 2. The verdict: the framework against fighting on after a refusal.
        let seat = f.absent_seat;
        let refused = FrameworkOutcome::Refused { terms, round, by: seat };
        let Some(domain) = &self.domain else { return refused };
        let u = domain.ranking(seat).utility(terms);
        let refusing = reservation_values(&self.war, &self.stakes, &self.pressed(state), optimism)[f.absent_side];
        let margin = match (outlook, &w) {
            (Some(o), Some(_)) => (1.0 - q) * (u - refusing) + q * (o.rebuilt[f.absent_side] - refusing),
            _ => u - refusing,
        };
        if u.is_finite() && margin >= -ZONE_TOLERANCE {
            FrameworkOutcome::Accepted { terms, round, breakdown: q }
        } else {
            refused
        }
    }

    /// Each package of the framework set's durability class (appending classes the table's
    /// bargaining set does not have), and the present parties' domain restricted to each
    /// class when the parties anticipate breakdown.
    pub(super) fn framework_classes(&mut self, shared: Option<Arc<Vec<Domain>>>) {
        let Some(f) = self.framework.clone() else { return };
        let space = self.scenario.outcome_space();
        let mut index: HashMap<Vec<bool>, u32> =
            self.classes.iter().enumerate().map(|(k, c)| (c.matches.clone(), k as u32)).collect();
        let mut of_package = Vec::with_capacity(f.set.len());
        for (outcome, _) in &f.set {
            let digits = space.decode(*outcome);
            let matches = self.matching_factors(&digits);
            let k = match index.get(&matches) {
                Some(&k) => k,
                None => {
                    let k = self.classes.len() as u32;
                    self.classes.push(super::commitment::DurabilityClass {
                        matches: matches.clone(),
                        factor: self.hazard_factor(&digits),
                    });
                    index.insert(matches, k);
                    k
                }
            };
            of_package.push(k);
        }
        self.framework_class = of_package;
        self.framework_class_domains = if shared.is_some() || !self.anticipates() {
            shared
        } else {
            Some(Arc::new(super::commitment::restrict_to_classes(self, &f.domain)))
        };
    }
}

#[cfg(test)]
mod tests {
    use parley_core::Veto;

    use super::*;
    use crate::coupled::{Ending, MonthRecord, Phase, RunOptions, Trajectory, central};
    use crate::fixture;

    /// The fixture with the broker at the table and talks over the south's head: `attempts`
    /// frameworks, the ally and the friend withholding `withheld` of their deliveries for
    /// `months` months after a refusal.
    fn over_the_south(attempts: f64, withheld: f64, months: f64) -> parley_core::Scenario {
        let mut s = fixture();
        let broker = s.actors.iter().position(|a| a.id == "broker").unwrap();
        s.actors[broker].veto = Veto::Full;
        let south = s.actors.iter().position(|a| a.id == "south").unwrap();
        let c = s.conflict.as_mut().unwrap();
        c.framework.absent = Some(south);
        c.framework.pressing = vec!["ally".into(), "friend".into()];
        s.quantity_mut("conflict.framework.attempts").unwrap().value = attempts;
        s.quantity_mut("conflict.framework.withheld").unwrap().value = withheld;
        s.quantity_mut("conflict.framework.pressure_months").unwrap().value = months;
        s
    }

    /// The same without the ally's election (its deliveries stay at 0.8 a month), where the
    /// stages below fall in 2026.
    fn steady(attempts: f64, withheld: f64, months: f64) -> Simulation {
        let mut s = over_the_south(attempts, withheld, months);
        s.conflict.as_mut().unwrap().events.clear();
        Simulation::new(&s, &[], None).unwrap()
    }

    /// The month `month` of `path`, and its index.
    fn at<'a>(path: &'a Trajectory, month: &str) -> (usize, &'a MonthRecord) {
        path.months.iter().enumerate().find(|(_, m)| m.month.to_string() == month).unwrap()
    }

    /// The south's value of fighting on from `state`, `k` months after the scenario date
    /// (all of them fought), as the run computes its reservation value.
    fn south_fights_on(sim: &Simulation, state: &WarState, k: usize) -> f64 {
        reservation_values(sim.war(), sim.stakes(), state, sim.optimism(state.month, k as i32 + 1))[1]
    }

    /// The framework the north and the broker agree in these runs: the north's claim with a
    /// treaty, worth 0.6 × 0 + 0.4 × 1 = 0.4 to the south.
    const CLAIM_WITH_TREATY: u64 = 5;

    #[test]
    fn test_without_frameworks_the_talks_include_both_sides() {
        let inclusive = steady(0.0, 1.0, 24.0);
        assert!(inclusive.framework.is_none(), "nothing over the south's head is prepared");
        let mut plain = over_the_south(0.0, 0.0, 0.0);
        plain.conflict.as_mut().unwrap().framework.absent = None;
        plain.conflict.as_mut().unwrap().framework.pressing.clear();
        plain.conflict.as_mut().unwrap().events.clear();
        let plain = Simulation::new(&plain, &[], None).unwrap();
        for options in [central(36), RunOptions { months: 36, seed: 3, stream: 2, noise: true, talks: true }] {
            let path = inclusive.run(options);
            assert_eq!(path, plain.run(options));
            assert!(path.months.iter().all(|m| m.over_the_head.is_none() && m.war.pressure == 0));
        }
        // Numbers that start frameworks prepare them: as if the scenario had them.
        let later = inclusive.with_numbers(&[("conflict.framework.attempts", 3.0)]).unwrap();
        assert_eq!(later.run(central(36)), steady(3.0, 1.0, 24.0).run(central(36)));
    }

    #[test]
    fn test_the_absent_side_refuses_a_framework_worse_than_fighting_on() {
        let space = steady(3.0, 0.0, 0.0).scenario().outcome_space().clone();
        assert_eq!(space.decode(CLAIM_WITH_TREATY), [2, 1]);
        let sim = steady(3.0, 0.0, 0.0);
        let path = sim.run(central(36));
        let put: Vec<usize> = (0..path.months.len()).filter(|&k| path.months[k].framework().is_some()).collect();
        assert_eq!(put.len(), 3, "three frameworks, then the south is at the table");
        for &k in &put {
            let m = &path.months[k];
            assert_eq!(m.framework(), Some(CLAIM_WITH_TREATY), "{}", m.month);
            // Fighting on (no one presses it) is worth more to the south than the framework:
            // refusing is rational, and the run refuses.
            let refusing = south_fights_on(&sim, &m.war, k);
            assert_eq!(refusing.to_bits(), m.reservation[1].to_bits());
            assert!(0.4 < refusing, "{}: {refusing}", m.month);
            assert!(matches!(m.talks, Some(Termination::Breakdown { by: 1, .. })), "{}: {:?}", m.month, m.talks);
            assert_eq!((m.phase, m.war.pressure), (Phase::Fighting, 0), "a refusal without pressure costs nothing");
        }
        // Before them the north and the broker did not agree (their talks end at the
        // deadline, and are not the table's to replay); after them the inclusive talks reach
        // a deal the south values more.
        for (k, m) in path.months[..put[0]].iter().enumerate() {
            assert!(matches!(m.talks, Some(Termination::Deadline { .. })) && m.over_the_head.is_some());
            assert!(sim.replay_talks(central(36), &path, k).is_none());
        }
        let inclusive = put[2] + 1 + path.months[put[2] + 1..].iter().position(|m| m.talks.is_some()).unwrap();
        assert!(sim.replay_talks(central(36), &path, inclusive).is_some());
        let Ending::Holding { terms, .. } = path.ending else { panic!("{:?}", path.ending) };
        assert_eq!(space.decode(terms), [1, 1], "the contact line with a treaty");
        assert!(path.months[put[2] + 1..].iter().all(|m| m.over_the_head.is_none()));
    }

    #[test]
    fn test_pressure_brings_a_deal_on_a_framework_refused_without_it() {
        let (free, pressed) = (steady(3.0, 0.0, 0.0), steady(3.0, 1.0, 24.0));
        let (without, with) = (free.run(central(36)), pressed.run(central(36)));
        let (k, refused) = at(&without, "2026-03");
        let (_, accepted) = at(&with, "2026-03");
        assert_eq!((refused.framework(), accepted.framework()), (Some(CLAIM_WITH_TREATY), Some(CLAIM_WITH_TREATY)));
        // Both ran alike until the verdict: the same reservation values.
        assert_eq!(refused.reservation, accepted.reservation);
        // By hand: refusing under two years without the ally's and the friend's deliveries is
        // worth less to the south than the framework, refusing without it more.
        let state = refused.war;
        let under_pressure = south_fights_on(&pressed, &WarState { pressure: 24, ..state }, k);
        let free_of_it = south_fights_on(&pressed, &state, k);
        assert!(under_pressure < 0.4 && 0.4 < free_of_it, "{under_pressure} {free_of_it}");
        assert!(matches!(accepted.talks, Some(Termination::Agreement { outcome: CLAIM_WITH_TREATY, .. })));
        assert_eq!((accepted.phase, accepted.war.pressure), (Phase::Ceasefire, 0));
        assert!(matches!(with.ending, Ending::Holding { terms: CLAIM_WITH_TREATY, .. }));
    }

    #[test]
    fn test_a_refusal_under_pressure_costs_the_refusing_side() {
        // With the ally's election the south refuses even under a year's pressure.
        let build = |withheld: f64| Simulation::new(&over_the_south(3.0, withheld, 12.0), &[], None).unwrap();
        let (free, pressed) = (build(0.0), build(1.0));
        let (without, with) = (free.run(central(36)), pressed.run(central(36)));
        let (k, first) = at(&with, "2027-02");
        assert_eq!(first.framework(), Some(CLAIM_WITH_TREATY));
        assert!(matches!(first.talks, Some(Termination::Breakdown { by: 1, .. })));
        let refusing = south_fights_on(&pressed, &first.war, k);
        assert_eq!(first.war.pressure, 12);
        assert!(0.4 < refusing, "refusing is still worth more: {refusing}");
        // The month after, the pressing donors deliver nothing (0.4 + 0.2 without pressure),
        // and the south's alternative to a deal is worse than had it not been pressed.
        let (after, free_after) = (&with.months[k + 1], &without.months[k + 1]);
        assert_eq!(after.war.pressure, 11);
        assert_eq!(after.war.aid[1].to_bits(), 0f64.to_bits());
        assert!((free_after.war.aid[1] - 0.6).abs() < 1e-12);
        assert!(
            after.reservation[1] < free_after.reservation[1] - 0.01,
            "{:?} {:?}",
            after.reservation,
            free_after.reservation
        );
        assert!(after.war.materiel[1] < free_after.war.materiel[1]);
    }
}
