//! The commitment problem: a settlement breaks down as the sides rebuild unequally, and the
//! parties see it coming when they weigh a deal.
//!
//! A ceasefire does not freeze the balance of forces: recruitment, production and
//! deliveries go on ([`Simulation::regroup`]), and whichever side rebuilds faster gains an
//! incentive to strike again that no promise made at the deal can remove (Fearon, "Rationalist
//! Explanations for War", *International Organization* 49(3), 1995, 379–414,
//! doi:10.1017/S0020818300033324). Third-party guarantees and forces on the ground make the
//! promise credible (Walter, "The Critical Barrier to Civil War Settlement", *International
//! Organization* 51(3), 1997, 335–364, doi:10.1162/002081897550384). Two steps:
//!
//! 1. **Breakdown rises with the gap in rebuilt strength.** With `R` the effective force
//!    ratio ([`crate::war::War::force_ratio`]) and `g = |ln(R_now / R_deal)|` how far it has
//!    moved since the deal (either way: the side that gained is tempted), the monthly
//!    hazard of a settlement on terms `p` is
//!    `h = clamp(base × Π factors(p) × exp(rebuild_sensitivity × g), 0, 1)`
//!    ([`rebuilt_hazard`]); the factors of `[conflict.durability]` (guarantees, forces) keep
//!    multiplying it.
//! 2. **Each party values a deal net of its expected breakdown.** Deciding in a month of
//!    fighting, the parties project `H = anticipation` months of ceasefire from the present
//!    state, the gaps `g_1 … g_H` along it and the state `s_H` it ends in. A deal on `p`
//!    breaks down within them with chance `q(p) = 1 − Π_j (1 − h_j(p))` (the ceasefire's
//!    base rate, then the settled one after `consolidation` months). Party `i` accepts `p`
//!    iff `(1 − q)(u_i(p) − r_i) + q (w_i − r_i) ≥ 0`, where `w_i` is the value of the war
//!    restarted from `s_H` (its reservation value computed there, at the present line and
//!    with its present optimism; a party that is not a belligerent has `w_i = r_i`). The
//!    margins of the month's zone test and best offer are these net margins.
//!
//! `q` depends on a package only through the hazard factors it matches, so the bargaining
//! set falls into a few **durability classes** (one per set of matching factors, of any
//! number), and the month's `q` is computed once per class. Within a class the rule is a shift of the
//! reservation value, `θ_i = r_i + q/(1 − q) · (r_i − w_i)`: the month's talks are held over
//! the packages of the best offer's class (its terms of guarantees and forces are those of
//! the mediator's text), each party accepting above `θ_i` — exactly the packages it values
//! at least as much as fighting on, net of breakdown. The class domains are ranked once per
//! simulation, and only when some party anticipates. With `anticipation = 0` nothing of
//! this runs, and with `rebuild_sensitivity = 0` the hazard is the factors' alone: a
//! scenario without them runs as before, to the bit (tested).

use std::collections::HashMap;
use std::sync::Arc;

use parley_protocol::Domain;
use serde::Serialize;

use super::Simulation;
use crate::batna::reservation_values;
use crate::war::WarState;

/// Breakdown chances are kept below this in the reservation shift, so that a certain
/// breakdown gives a large finite threshold, not an infinite one.
pub(super) const MAX_BREAKDOWN: f64 = 1.0 - 1e-9;

/// The monthly hazard of a settlement whose unrebuilt hazard (base rate times factors) is
/// `hazard`, once the force ratio has moved by `gap` since the deal:
/// `clamp(hazard × exp(sensitivity × gap), 0, 1)`. Non-decreasing in the gap for a
/// non-negative sensitivity; exactly `clamp(hazard, 0, 1)` at sensitivity 0.
pub fn rebuilt_hazard(hazard: f64, sensitivity: f64, gap: f64) -> f64 {
    if hazard <= 0.0 || sensitivity <= 0.0 {
        return hazard.clamp(0.0, 1.0);
    }
    (hazard * (sensitivity * gap).exp()).clamp(0.0, 1.0)
}

/// How far the force ratio has moved from `at_deal` to `now`, `|ln(now / at_deal)|`: 0 when
/// both sides rebuilt in proportion, infinite when one side's strength vanished.
pub fn strength_gap(at_deal: f64, now: f64) -> f64 {
    if at_deal.to_bits() == now.to_bits() {
        // The same ratio, also when both are infinite or 0 (whose quotient is undefined).
        return 0.0;
    }
    let gap = (now / at_deal).ln().abs();
    if gap.is_nan() { f64::INFINITY } else { gap }
}

/// What the parties expect of a deal made this month when they anticipate its breakdown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anticipated {
    /// The chance that a deal on the month's best offer breaks down within the anticipation
    /// horizon.
    pub breakdown: f64,
    /// Each side's value of the war restarted from the position it expects after
    /// rebuilding, in the order of the conflict's sides.
    pub rebuilt: [f64; 2],
    /// Each party's reservation value in the month's talks, shifted for the best offer's
    /// durability class: the least utility of a package of that class it accepts.
    pub talks_reservation: Vec<f64>,
    /// The durability class the talks are held in (an index into the simulation's classes).
    #[serde(skip)]
    pub(super) class: usize,
}

/// A set of matching hazard factors, and their product.
#[derive(Clone, Debug)]
pub(super) struct DurabilityClass {
    /// Whether each factor matches, in the factors' order (any number of factors).
    pub(super) matches: Vec<bool>,
    /// The product of the matching factors' multipliers.
    pub(super) factor: f64,
}

/// The month's projection of a ceasefire, per durability class.
pub(super) struct Outlook {
    /// Breakdown chance within the horizon, by class.
    pub(super) breakdown: Vec<f64>,
    /// Each side's value of the restarted war.
    pub(super) rebuilt: [f64; 2],
}

impl Simulation {
    /// The durability classes of the bargaining set (in order of first appearance), and
    /// each package's class.
    pub(super) fn durability_classes(&self) -> (Vec<DurabilityClass>, Vec<u32>) {
        let space = self.scenario.outcome_space();
        let mut classes: Vec<DurabilityClass> = Vec::new();
        let mut index: HashMap<Vec<bool>, u32> = HashMap::new();
        let mut of_package = Vec::with_capacity(self.bargaining_set.len());
        for (outcome, _) in self.bargaining_set.iter() {
            let digits = space.decode(*outcome);
            let matches = self.matching_factors(&digits);
            let k = *index.entry(matches).or_insert_with_key(|matches| {
                classes.push(DurabilityClass { matches: matches.clone(), factor: self.hazard_factor(&digits) });
                (classes.len() - 1) as u32
            });
            of_package.push(k);
        }
        (classes, of_package)
    }

    /// Whether each hazard factor matches package `digits`, in the factors' order.
    pub(super) fn matching_factors(&self, digits: &[u32]) -> Vec<bool> {
        self.factors.iter().map(|f| f.matches(digits)).collect()
    }

    /// Whether the parties anticipate breakdown at all.
    pub(super) fn anticipates(&self) -> bool {
        self.anticipation > 0
    }

    /// The month's projection from `state`: `anticipation` months of ceasefire, the
    /// breakdown chance of each durability class along them, and the sides' values of the
    /// war restarted where they end. `None` when the parties do not anticipate.
    pub(super) fn outlook(&self, state: &WarState, optimism: [f64; 2]) -> Option<Outlook> {
        if !self.anticipates() {
            return None;
        }
        let at_deal = self.war.force_ratio(state);
        let mut survival = vec![1.0; self.classes.len()];
        let mut s = *state;
        for j in 1..=self.anticipation {
            s = self.regroup(&s);
            let gap = strength_gap(at_deal, self.war.force_ratio(&s));
            let base = if j > self.consolidation { self.settled_hazard } else { self.ceasefire_hazard };
            for (survives, class) in survival.iter_mut().zip(&self.classes) {
                *survives *= 1.0 - rebuilt_hazard(base * class.factor, self.rebuild_sensitivity, gap);
            }
        }
        let rebuilt = reservation_values(&self.war, &self.stakes, &s, optimism);
        Some(Outlook { breakdown: survival.into_iter().map(|s| 1.0 - s).collect(), rebuilt })
    }

    /// Every party's value of the restarted war: the sides' from the outlook, the others'
    /// their reservation values.
    pub(super) fn restarted(&self, reservation: &[f64], outlook: &Outlook) -> Vec<f64> {
        let mut w = reservation.to_vec();
        for (seat, value) in self.side_seats.iter().zip(outlook.rebuilt) {
            if let Some(seat) = seat {
                w[*seat] = value;
            }
        }
        w
    }

    /// The package of the bargaining set that maximises the smallest net margin
    /// `(1 − q)(u − r) + q (w − r)` (the first on ties), its net margins and what the
    /// month's talks are held with.
    pub(super) fn best_offer_net(
        &self,
        reservation: &[f64],
        outlook: &Outlook,
    ) -> (Option<u64>, Vec<f64>, Anticipated) {
        let w = self.restarted(reservation, outlook);
        let net = |k: usize| -> Vec<f64> {
            let q = outlook.breakdown[self.package_class[k] as usize];
            let u = &self.bargaining_set[k].1;
            (0..reservation.len()).map(|i| (1.0 - q) * (u[i] - reservation[i]) + q * (w[i] - reservation[i])).collect()
        };
        let mut best: Option<(usize, f64)> = None;
        for k in 0..self.bargaining_set.len() {
            let worst = net(k).into_iter().fold(f64::INFINITY, f64::min);
            if best.is_none_or(|(_, b)| worst > b) {
                best = Some((k, worst));
            }
        }
        let Some((k, _)) = best else {
            let anticipated = Anticipated {
                breakdown: 0.0,
                rebuilt: outlook.rebuilt,
                talks_reservation: reservation.to_vec(),
                class: 0,
            };
            return (None, vec![f64::NEG_INFINITY; reservation.len()], anticipated);
        };
        let class = self.package_class[k] as usize;
        let q = outlook.breakdown[class];
        let shift = q.min(MAX_BREAKDOWN) / (1.0 - q.min(MAX_BREAKDOWN));
        let talks_reservation = reservation.iter().zip(&w).map(|(r, w)| r + shift * (r - w)).collect();
        let anticipated = Anticipated { breakdown: q, rebuilt: outlook.rebuilt, talks_reservation, class };
        (Some(self.bargaining_set[k].0), net(k), anticipated)
    }

    /// The net margins of `terms` (a package of the talks' class) against `reservation`.
    pub(super) fn net_margins(&self, terms: u64, reservation: &[f64], anticipated: &Anticipated) -> Vec<f64> {
        let q = anticipated.breakdown;
        let mut w = reservation.to_vec();
        for (seat, value) in self.side_seats.iter().zip(anticipated.rebuilt) {
            if let Some(seat) = seat {
                w[*seat] = value;
            }
        }
        self.margins(terms, reservation)
            .into_iter()
            .zip(reservation.iter().zip(&w))
            .map(|(m, (r, w))| (1.0 - q) * m + q * (w - r))
            .collect()
    }

    /// The domain of the month's talks: the whole domain, or a durability class's.
    pub(super) fn talks_domain(&self, class: Option<usize>) -> Option<&Domain> {
        match (class, &self.class_domains) {
            (Some(c), Some(domains)) => domains.get(c),
            _ => self.domain.as_ref(),
        }
    }
}

/// The class domains a simulation with anticipation needs: `shared` if it holds them (a
/// simulation with other numbers has the same classes), otherwise the negotiation domain
/// restricted to each durability class, in the order of the simulation's classes.
pub(super) fn class_domains_for(sim: &Simulation, shared: Option<Arc<Vec<Domain>>>) -> Option<Arc<Vec<Domain>>> {
    if shared.is_some() || !sim.anticipates() {
        return shared;
    }
    Some(Arc::new(restrict_to_classes(sim, sim.domain.as_ref()?)))
}

/// `domain` restricted to each of the simulation's durability classes, in their order. Each
/// class must hold a package every party of `domain` accepts (one of the bargaining set's).
pub(super) fn restrict_to_classes(sim: &Simulation, domain: &Domain) -> Vec<Domain> {
    let space = domain.space();
    let len = space.len().unwrap_or(0);
    let mut digits = vec![0u32; space.n_issues()];
    let index: HashMap<&[bool], u32> =
        sim.classes.iter().enumerate().map(|(k, c)| (c.matches.as_slice(), k as u32)).collect();
    // Each outcome's class; a set of factors no package of the bargaining set matches is
    // no class (u32::MAX).
    let class_of: Vec<u32> = (0..len)
        .map(|o| {
            space.decode_into(&mut o.clone(), &mut digits);
            index.get(sim.matching_factors(&digits).as_slice()).copied().unwrap_or(u32::MAX)
        })
        .collect();
    (0..sim.classes.len() as u32).map(|k| domain.restricted(|o| class_of[o as usize] == k)).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use parley_protocol::Termination;

    use crate::coupled::{Phase, RunOptions, Trajectory, central};
    use crate::fixture;

    /// The fixture with the commitment problem's numbers and the treaty's factor set.
    fn committed(sensitivity: f64, anticipation: f64, treaty: f64) -> parley_core::Scenario {
        let mut s = fixture();
        s.quantity_mut("conflict.durability.rebuild_sensitivity").unwrap().value = sensitivity;
        s.quantity_mut("conflict.durability.anticipation").unwrap().value = anticipation;
        s.quantity_mut("conflict.durability.factors.treaty").unwrap().value = treaty;
        s
    }

    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    }

    /// Every number of a trajectory that existed before the commitment problem, printed
    /// exactly (`{:?}` of an `f64` reads back to the same bits). The war's pressure after a
    /// refused framework came later, and so did offensives; both are 0 here and left out.
    fn digest(t: &Trajectory) -> String {
        let mut text = String::new();
        for m in &t.months {
            assert_eq!(m.war.pressure, 0);
            text += &format!(
                "{} {} {} {:?} {:?} {:?} {:?} {:?} {:?}\n",
                m.month,
                m.phase.name(),
                format!("{:?}", m.war).replace(", offensive: 0.0", "").replace(", pressure: 0", ""),
                m.batna,
                m.reservation,
                m.best_offer,
                m.margins,
                m.talks,
                m.hazard
            );
        }
        text + &format!("{:?}", t.ending)
    }

    #[test]
    fn test_without_the_new_numbers_runs_are_the_same_to_the_bit_as_before() {
        // The digest was printed by the same code on the commit before the commitment
        // problem (583e35a): the fixture's central path and eight noisy paths of 36 months,
        // once as it is and once with settlements that often collapse.
        let mut collapsing = fixture();
        collapsing.quantity_mut("conflict.durability.ceasefire_hazard").unwrap().value = 0.2;
        let mut text = String::new();
        for s in [fixture(), collapsing] {
            let sim = Simulation::new(&s, &[], None).unwrap();
            let path = sim.run(central(36));
            assert!(path.months.iter().all(|m| m.anticipated.is_none()));
            text += &digest(&path);
            for stream in 0..8 {
                text += &digest(&sim.run(RunOptions { months: 36, seed: 7, stream, noise: true, talks: true }));
            }
        }
        assert!(text.contains("collapsed"), "the test needs breakdowns");
        assert_eq!(format!("{:016x}", fnv(text.as_bytes())), GOLDEN);
    }

    const GOLDEN: &str = "5f2f743c3aa43480";

    #[test]
    fn test_numbers_applied_to_a_simulation_run_as_a_scenario_built_with_them() {
        // `with_numbers` keeps the packages' durability classes and multiplies their factors
        // again; a simulation built afresh from the scenario with the same numbers computes
        // both from scratch. They must agree to the bit, classes and runs.
        let base = committed(4.0, 12.0, 0.5);
        let sim = Simulation::new(&base, &[], None).unwrap();
        let numbers = [("conflict.durability.factors.treaty", 3.0), ("conflict.durability.ceasefire_hazard", 0.05)];
        let moved = sim.with_numbers(&numbers).unwrap();
        let mut s = base.clone();
        for (path, value) in numbers {
            s.quantity_mut(path).unwrap().value = value;
        }
        let fresh = Simulation::new(&s, &[], None).unwrap();
        let classes = |x: &Simulation| -> Vec<(Vec<bool>, u64)> {
            x.classes.iter().map(|c| (c.matches.clone(), c.factor.to_bits())).collect()
        };
        assert_eq!(classes(&moved), classes(&fresh));
        assert_eq!(moved.package_class, fresh.package_class);
        assert_ne!(classes(&moved), classes(&sim), "the multiplier must move a class's factor");
        let mut broke = false;
        for stream in 0..8 {
            let options = RunOptions { months: 36, seed: 3, stream, noise: true, talks: true };
            let (a, b) = (moved.run(options), fresh.run(options));
            broke |= a.months.iter().any(|m| m.phase == Phase::Collapsed);
            assert_eq!(digest(&a), digest(&b), "stream {stream}");
        }
        assert!(broke, "the test needs breakdowns, where the factors act");
    }

    proptest! {
        #[test]
        fn test_the_rebuilt_hazard_is_non_decreasing_in_the_gap(
            hazard in 0.0f64..1.2, sensitivity in 0.0f64..5.0, gap in 0.0f64..3.0, more in 0.0f64..3.0,
        ) {
            let (a, b) = (rebuilt_hazard(hazard, sensitivity, gap), rebuilt_hazard(hazard, sensitivity, gap + more));
            prop_assert!(a <= b, "{a} > {b}");
            prop_assert!((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&b));
            prop_assert!(a >= hazard.min(1.0), "rebuilding never lowers the hazard");
            prop_assert_eq!(rebuilt_hazard(hazard, 0.0, gap).to_bits(), hazard.clamp(0.0, 1.0).to_bits());
        }
    }

    #[test]
    fn test_the_strength_gap_is_the_size_of_the_log_change_either_way() {
        assert_eq!(strength_gap(1.2, 1.2).to_bits(), 0f64.to_bits());
        assert!((strength_gap(1.0, 2.0) - 2f64.ln()).abs() < 1e-15);
        assert!((strength_gap(2.0, 1.0) - 2f64.ln()).abs() < 1e-15);
        assert!(strength_gap(1.0, f64::INFINITY).is_infinite());
        assert!(strength_gap(0.0, 1.0).is_infinite());
        assert_eq!(strength_gap(f64::INFINITY, f64::INFINITY).to_bits(), 0f64.to_bits());
        assert_eq!(rebuilt_hazard(0.01, 1.0, f64::INFINITY).to_bits(), 1f64.to_bits());
        assert_eq!(rebuilt_hazard(0.0, 1.0, f64::INFINITY).to_bits(), 0f64.to_bits());
    }

    #[test]
    fn test_during_a_ceasefire_the_hazard_rises_as_the_gap_grows() {
        let sim = Simulation::new(&committed(2.0, 0.0, 0.5), &[], None).unwrap();
        let plain = Simulation::new(&fixture(), &[], None).unwrap();
        let path = sim.run(central(36));
        // Nothing is anticipated: the deal comes when it came without rebuilding.
        let k = path.months.iter().position(|m| m.phase == Phase::Ceasefire).expect("a deal");
        assert_eq!(plain.run(central(36)).months[k].phase, Phase::Ceasefire);
        let terms = path.months[k].best_offer.unwrap();
        let at_deal = sim.war().force_ratio(&path.months[k].war);
        let mut last: Option<(f64, f64)> = None;
        let mut rising = 0;
        for m in path.months[k + 1..].iter().take_while(|m| m.phase == Phase::Ceasefire) {
            let gap = strength_gap(at_deal, sim.war().force_ratio(&m.war));
            assert_eq!(m.hazard.to_bits(), sim.hazard_after_rebuilding(terms, false, gap).to_bits(), "{}", m.month);
            assert!(m.hazard >= sim.hazard(terms, false));
            if let Some((g, h)) = last {
                assert!(gap > g, "{}: the sides rebuild unequally, so the gap grows", m.month);
                assert!(m.hazard >= h);
                rising += usize::from(m.hazard > h);
            }
            last = Some((gap, m.hazard));
        }
        assert!(rising >= 6, "the hazard rises month after month ({rising})");
        // Without sensitivity, the same months carry the factors' hazard alone.
        let flat = Simulation::new(&committed(0.0, 0.0, 0.5), &[], None).unwrap().run(central(36));
        assert!(flat.months[k + 1..].iter().take(6).all(|m| m.hazard.to_bits() == sim.hazard(terms, false).to_bits()));
    }

    #[test]
    fn test_a_deal_is_accepted_with_guarantees_and_refused_without_them() {
        // Anticipating a year, the parties weigh north-claim + treaty (the only package of
        // its class on the bargaining set) in 2025-06. The ceasefire hazard is 3% a month
        // times 1.5 for the north's claim, times the treaty's factor: 0.5 when a treaty
        // guarantees, 2 (as for no guarantee) when it does not. No month of the year is
        // settled (consolidation 12), so q = 1 − (1 − 0.03 × 1.5 × f)^12.
        let options = central(24);
        let run = |treaty: f64| {
            let sim = Simulation::new(&committed(0.0, 12.0, treaty), &[], None).unwrap();
            let path = sim.run(options);
            (sim, path)
        };
        let ((with, guarded), (_, bare)) = (run(0.5), run(2.0));
        let k = guarded.months.iter().position(|m| m.month.to_string() == "2025-06").unwrap();
        let space = with.scenario().outcome_space();
        let terms = guarded.months[k].best_offer.unwrap();
        assert_eq!(space.decode(terms), [2, 1], "north-claim with a treaty");
        assert_eq!(bare.months[k].best_offer, Some(terms));
        let q = |f: f64| 1.0 - (1.0 - 0.03 * 1.5 * f).powi(12);
        let (a, b) = (guarded.months[k].anticipated.as_ref().unwrap(), bare.months[k].anticipated.as_ref().unwrap());
        assert!((a.breakdown - q(0.5)).abs() < 1e-12 && (b.breakdown - q(2.0)).abs() < 1e-12);
        // Both paths fought alike until then: the same reservation values and rebuilt wars.
        assert_eq!(guarded.months[k].reservation, bare.months[k].reservation);
        assert_eq!(a.rebuilt.map(f64::to_bits), b.rebuilt.map(f64::to_bits));
        // North values the package at 0.7 (its claim in full, no guarantee): a little above
        // fighting on now, r, but the war it would restart after a year, w, is worth less.
        let (r, w, u) = (guarded.months[k].reservation[0], a.rebuilt[0], 0.7);
        assert!(u > r && w < r, "u {u}, r {r}, w {w}");
        let net = |q: f64| (1.0 - q) * (u - r) + q * (w - r);
        assert!(net(q(0.5)) > 0.0 && net(q(2.0)) < 0.0, "{} {}", net(q(0.5)), net(q(2.0)));
        assert!((guarded.months[k].margins[0] - net(q(0.5))).abs() < 1e-12);
        assert!((bare.months[k].margins[0] - net(q(2.0))).abs() < 1e-12);
        // The simulation decides as the hand does: agreed with the guarantee, refused (no
        // zone, so no talks) without it.
        assert!(matches!(guarded.months[k].talks, Some(Termination::Agreement { outcome, .. }) if outcome == terms));
        assert_eq!(guarded.months[k].phase, Phase::Ceasefire);
        assert_eq!((bare.months[k].phase, bare.months[k].talks), (Phase::Fighting, None));
        // The talks are replayed as run, in the class and with the shifted reservations.
        assert_eq!(with.replay_talks(options, &guarded, k).unwrap().termination, guarded.months[k].talks.unwrap());
        // Without anticipation the guarantee's factor changes how long the deal lasts, not
        // whether it is made: both deals come in the same month.
        let agreed = |treaty: f64| {
            let sim = Simulation::new(&committed(0.0, 0.0, treaty), &[], None).unwrap();
            sim.run(options).months.iter().position(|m| m.phase == Phase::Ceasefire)
        };
        assert_eq!(agreed(0.5), agreed(2.0));
    }
}
