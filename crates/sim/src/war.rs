//! The war of attrition, month by month.
//!
//! A [`War`] is a scenario's `[conflict]` section compiled to plain numbers, one
//! parameter set per stretch between scheduled events. [`War::step`] advances a
//! [`WarState`] by one month:
//!
//! 1. **Materiel.** Each side's inflow is its own production (shrinking with the economy)
//!    plus its donors' deliveries; the flow reaching the front follows the inflow with a
//!    delivery lag (an exponential moving average). The *materiel multiplier* is
//!    `(flow / reference)^elasticity`.
//! 2. **Attrition.** The generalised Lanchester law with reinforcements,
//!    `dX/dt = R_X − a_Y·m_Y·Y^p·X^q`, integrated over the month with RK4; `R` is the
//!    side's recruitment scaled by its domestic support relative to the start. A monthly
//!    shock multiplies each side's effectiveness (lognormal, mean 1 when it is independent
//!    from month to month).
//! 3. **Economy and support.** The economy loses a fixed share of capacity per month of
//!    fighting; support falls with the side's own losses.
//! 4. **Territory.** The holder gains `gain · (E_holder / E_other − stalemate) + π + o·A + σ_T·u`
//!    km², where `E = m · X` is effective strength, `π` the front's pace (a random walk),
//!    `u` the front's shock, and `A` is 1 while the holder has an offensive under way and 0
//!    in a pause; the holding stays within its bounds.
//!
//! The shocks — one per side on the log of its effectiveness, one on the front — are each an
//! AR(1) process with unit variance, `z_t = ρ·z_{t−1} + √(1 − ρ²)·ε_t`, `ε_t` standard
//! normal: with persistence `ρ > 0` a month's surprise carries into the next (an offensive's
//! momentum, a stretch of heavy fighting), as in a structural time-series model (Harvey,
//! *Forecasting, Structural Time Series Models and the Kalman Filter*, Cambridge UP 1989).
//!
//! Offensives and pauses alternate as a two-state Markov chain: a pause gives way to an
//! offensive with the monthly chance `offensive_onset`, an offensive culminates with the
//! chance `offensive_end` — the front's pace switches between regimes, as in Hamilton's
//! Markov-switching model (*Econometrica* 57, 1989). A war starts in a pause. On a central
//! path (no draws) the chain is replaced by its expectation: [`WarState::offensive`] is then
//! the chance that an offensive is under way.
//!
//! Invariants: strengths, losses and support never go negative; support stays in [0, 1];
//! the holding stays in `[min, max]` (tested).

use parley_core::conflict::{
    BeliefsValues, Conflict, FrameworkValues, LawValues, MediationValues, Month, SideValues, TerritoryValues,
    VolatilityValues,
};
use parley_core::{Actor, Quantity, Scenario};
use serde::Serialize;

use crate::lanchester::{Attrition, Engagement, power};

/// RK4 steps per month.
const STEPS_PER_MONTH: u32 = 4;

/// Losses are counted per this many personnel in support erosion and costs.
pub const PER_LOSSES: f64 = 100_000.0;

/// A donor's deliveries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DonorParams {
    /// The side supplied (0 or 1).
    pub side: usize,
    /// Deliveries by month from the start.
    pub deliveries: Vec<f64>,
    /// Monthly deliveries after the series.
    pub after: f64,
    /// Whether its deliveries stop once the mediator has walked away.
    pub leaves_with_mediator: bool,
    /// Whether it withholds part of its deliveries while the side it supplies is pressed
    /// for refusing a framework ([`WarState::pressure`]).
    pub presses: bool,
}

impl DonorParams {
    /// Deliveries in month `t` (months from the start).
    pub fn at(&self, t: i32) -> f64 {
        usize::try_from(t).ok().and_then(|t| self.deliveries.get(t).copied()).unwrap_or(self.after)
    }
}

/// The numbers in force between two scheduled events: the registry's values
/// ([`parley_core::parameters`]) by group, with sides and donors resolved to positions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WarParams {
    /// The attrition law's exponents.
    pub law: LawValues,
    /// The two sides' actors (indices into the scenario's actors), in file order.
    pub actors: [usize; 2],
    /// The two sides' numbers, in file order.
    pub sides: [SideValues; 2],
    /// The donors.
    pub donors: Vec<DonorParams>,
    /// Which side holds the measured territory (0 or 1).
    pub holder: usize,
    /// The territory's numbers (the holding's bounds, the front's response to the force ratio).
    pub territory: TerritoryValues,
    /// Beliefs and foresight.
    pub beliefs: BeliefsValues,
    /// Months projected ahead ([`BeliefsValues::horizon`] as a whole number, at least 1).
    pub horizon: u32,
    /// Month-to-month noise.
    pub volatility: VolatilityValues,
    /// How soon the mediator may walk away.
    pub mediation: MediationValues,
    /// Talks over a belligerent's head, and the pressure after a refusal.
    pub framework: FrameworkValues,
}

impl WarParams {
    /// The least and the most area the holder can control, km².
    pub fn held_bounds(&self) -> (f64, f64) {
        (self.territory.min, self.territory.max)
    }
}

/// Why a conflict cannot be compiled (validation normally rules these out).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WarError {
    /// The conflict does not have exactly two sides.
    #[error("a conflict needs exactly two sides, found {0}")]
    Sides(usize),
    /// A scheduled event names a number that does not exist.
    #[error("event \"{event}\": no number at path \"{path}\"")]
    EventPath {
        /// The event.
        event: String,
        /// The path.
        path: String,
    },
    /// The scenario has no `[conflict]` section.
    #[error("the scenario has no [conflict] section, so the war cannot be simulated")]
    NoConflict,
}

/// The state of the war at the end of a month.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WarState {
    /// Months since the start (the month this state ends).
    pub month: i32,
    /// Front-line personnel.
    pub manpower: [f64; 2],
    /// Materiel flow reaching the front, € bn per month.
    pub materiel: [f64; 2],
    /// Production capacity relative to the start.
    pub economy: [f64; 2],
    /// Domestic support for fighting on.
    pub support: [f64; 2],
    /// The holder's area, km².
    pub held: f64,
    /// Losses in the month.
    pub losses: [f64; 2],
    /// Foreign deliveries in the month, € bn.
    pub aid: [f64; 2],
    /// Own spending in the month, € bn.
    pub spending: [f64; 2],
    /// Change of the holding in the month, km².
    pub territory_change: f64,
    /// The standardised loss shocks of the month, one per side: AR(1) with unit variance,
    /// so a month's shock carries into the next by the losses' persistence.
    pub loss_shock: [f64; 2],
    /// The front's standardised shock of the month (AR(1), unit variance).
    pub front_shock: f64,
    /// The front's pace the force ratio does not explain, km² a month: a random walk.
    pub front_pace: f64,
    /// Whether the holder had an offensive under way in the month (1) or paused (0); on a
    /// central path, the chance that it had.
    #[serde(skip_serializing_if = "no_offensive")]
    pub offensive: f64,
    /// Whether each side has chosen a wider mobilisation ([`War::mobilise`]).
    pub mobilised: [bool; 2],
    /// Whether the mediator has walked away, taking the donors that leave with it.
    pub mediator_gone: bool,
    /// Months left in which the donors that press a side that refused a framework withhold
    /// part of their deliveries to it (`[conflict.framework]`; 0: no pressure).
    #[serde(skip_serializing_if = "no_pressure")]
    pub pressure: u32,
}

fn no_pressure(months: &u32) -> bool {
    *months == 0
}

fn no_offensive(offensive: &f64) -> bool {
    *offensive == 0.0
}

/// Random shocks of one month, as standard normal draws (all zero on the central path),
/// and the uniform draw that decides whether an offensive begins or culminates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Shocks {
    /// One per side, on the log of its effectiveness.
    pub losses: [f64; 2],
    /// On the front's change.
    pub territory: f64,
    /// On the front's pace (its random walk).
    pub pace: f64,
    /// Uniform on [0, 1): an offensive is under way in the month when the draw falls below
    /// the chance of one ([`War::offensive_chance`]). `None` on a central path: the state
    /// then carries that chance itself.
    pub tempo: Option<f64>,
}

/// A compiled conflict: the parameters in force from each scheduled event on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct War {
    /// The first simulated month.
    pub start: Month,
    /// The last month of history.
    pub as_of: Month,
    /// The holder's area before the first month, km².
    pub held_start: f64,
    /// `(first month offset, parameters)`, by month; the first entry starts at 0.
    epochs: Vec<(i32, WarParams)>,
}

impl War {
    /// Compiles a scenario's conflict.
    pub fn new(scenario: &Scenario) -> Result<War, WarError> {
        let conflict = scenario.conflict.as_ref().ok_or(WarError::NoConflict)?;
        War::from_conflict(conflict, &scenario.actors)
    }

    /// Compiles a conflict among `actors`.
    pub fn from_conflict(conflict: &Conflict, actors: &[Actor]) -> Result<War, WarError> {
        if conflict.events.is_empty() {
            let epochs = vec![(0, compile(conflict)?)];
            return Ok(War {
                start: conflict.start,
                as_of: conflict.as_of,
                held_start: conflict.territory.held.value,
                epochs,
            });
        }
        War::from_conflict_in_place(&mut conflict.clone(), actors)
    }

    /// [`War::from_conflict`] without copying the conflict: each scheduled event's numbers
    /// are put in place in turn and compiled, then every number is put back, so `conflict`
    /// is left as it was (also on an error).
    pub fn from_conflict_in_place(conflict: &mut Conflict, actors: &[Actor]) -> Result<War, WarError> {
        let mut events = conflict.events.clone();
        events.sort_by_key(|e| e.month);
        // The numbers the events replaced, in the order they were replaced.
        let mut replaced: Vec<(Vec<&str>, Quantity)> = Vec::new();
        let mut epochs = vec![(0, compile(conflict)?)];
        let mut outcome = Ok(());
        'events: for event in &events {
            for (path, quantity) in &event.set {
                let parts: Vec<&str> = path.split('.').collect();
                let target = match parts.as_slice() {
                    ["conflict", rest @ ..] => conflict.quantity_mut(rest, actors),
                    _ => None,
                };
                let Some(target) = target else {
                    outcome = Err(WarError::EventPath { event: event.id.clone(), path: path.clone() });
                    break 'events;
                };
                replaced.push((parts, std::mem::replace(target, quantity.clone())));
            }
            let at = event.month.since(conflict.start).max(0);
            match compile(conflict) {
                Ok(params) => match epochs.last_mut() {
                    Some(last) if last.0 == at => last.1 = params,
                    _ => epochs.push((at, params)),
                },
                Err(e) => {
                    outcome = Err(e);
                    break 'events;
                }
            }
        }
        for (parts, quantity) in replaced.into_iter().rev() {
            if let Some(target) = conflict.quantity_mut(&parts[1..], actors) {
                *target = quantity;
            }
        }
        outcome?;
        Ok(War { start: conflict.start, as_of: conflict.as_of, held_start: conflict.territory.held.value, epochs })
    }

    /// The parameters in force in month `t` (months from the start).
    pub fn params(&self, t: i32) -> &WarParams {
        let i = self.epochs.partition_point(|(from, _)| *from <= t);
        &self.epochs[i.saturating_sub(1)].1
    }

    /// Months of history: from the start to the scenario date, inclusive.
    pub fn history_months(&self) -> i32 {
        self.as_of.since(self.start) + 1
    }

    /// The state before the first month.
    pub fn initial(&self) -> WarState {
        let p = self.params(0);
        let side = |i: usize| &p.sides[i];
        WarState {
            month: -1,
            manpower: [side(0).manpower, side(1).manpower],
            materiel: [side(0).materiel_reference, side(1).materiel_reference],
            economy: [1.0, 1.0],
            support: [side(0).support, side(1).support],
            held: self.held_start.clamp(p.territory.min, p.territory.max),
            losses: [0.0; 2],
            aid: [0.0; 2],
            spending: [0.0; 2],
            territory_change: 0.0,
            loss_shock: [0.0; 2],
            front_shock: 0.0,
            front_pace: 0.0,
            offensive: 0.0,
            mobilised: [false; 2],
            mediator_gone: false,
            pressure: 0,
        }
    }

    /// Foreign deliveries to each side in the month after `state`, € bn: every donor's,
    /// but none from those that left with the mediator once it has walked away, and less
    /// the withheld share from those pressing a side under pressure.
    pub fn aid(&self, state: &WarState) -> [f64; 2] {
        let t = state.month + 1;
        let mut aid = [0.0; 2];
        let p = self.params(t);
        for d in &p.donors {
            if !(state.mediator_gone && d.leaves_with_mediator) {
                let withheld = if state.pressure > 0 && d.presses { p.framework.withheld } else { 0.0 };
                aid[d.side] += d.at(t) * (1.0 - withheld);
            }
        }
        aid
    }

    /// The effective force ratio of side 0 to side 1 in `state`, `E_0 / E_1` with `E = m · X`
    /// (manpower times the materiel multiplier of the flow reaching the front), as the front
    /// sees it: what a ceasefire's rebuilding moves. Infinite if side 1 has no strength left.
    pub fn force_ratio(&self, state: &WarState) -> f64 {
        let p = self.params(state.month);
        let effective = |i: usize| {
            let s = &p.sides[i];
            power((state.materiel[i] / s.materiel_reference).max(0.0), s.materiel_elasticity) * state.manpower[i]
        };
        if effective(1) > 0.0 { effective(0) / effective(1) } else { f64::INFINITY }
    }

    /// Personnel side `i` adds in the month after `state`: recruitment, scaled down as
    /// support falls below its level at the start, plus a chosen mobilisation's.
    pub fn recruits(&self, state: &WarState, i: usize) -> f64 {
        let side = &self.params(state.month + 1).sides[i];
        let scale = if side.support > 0.0 { (state.support[i] / side.support).min(1.0) } else { 1.0 };
        side.recruitment * scale + if state.mobilised[i] { side.mobilisation } else { 0.0 }
    }

    /// Whether side `i` faces the choice of a wider mobilisation after `state`: it has one
    /// to choose, has not yet, and its recruitment no longer covers the month's losses
    /// (analysis-2025-05 describes this choice for Russia; its alternative is compromise).
    pub fn may_mobilise(&self, state: &WarState, i: usize) -> bool {
        let side = &self.params(state.month).sides[i];
        !state.mobilised[i] && side.mobilisation > 0.0 && state.losses[i] > self.recruits(state, i)
    }

    /// `state` after side `i` mobilises: from the next month on its recruitment rises by
    /// its mobilisation, and its support drops at once by the mobilisation's cost.
    pub fn mobilise(&self, state: &WarState, i: usize) -> WarState {
        let side = &self.params(state.month).sides[i];
        let mut next = *state;
        next.mobilised[i] = true;
        next.support[i] = (next.support[i] - side.mobilisation_cost).max(0.0);
        next
    }

    /// Advances the war by one month; `shocks` are the month's standard normal draws.
    pub fn step(&self, state: &WarState, shocks: &Shocks) -> WarState {
        let t = state.month + 1;
        let p = self.params(t);
        let [s0, s1] = &p.sides;
        let sides = [s0, s1];
        // 1. Materiel.
        let aid = self.aid(state);
        let mut spending = [0.0; 2];
        let mut materiel = state.materiel;
        let mut multiplier = [0.0; 2];
        for i in 0..2 {
            spending[i] = sides[i].production * state.economy[i];
            let inflow = spending[i] + aid[i];
            materiel[i] += (inflow - materiel[i]) / sides[i].delivery_lag.max(1.0);
            multiplier[i] = power((materiel[i] / sides[i].materiel_reference).max(0.0), sides[i].materiel_elasticity);
        }
        // 2. Attrition: X is side 0, Y side 1; each is worn down by the other's fire.
        // Each shock is AR(1) with unit variance: the month's standard normal draw is the
        // innovation; on the central path (zero draws) a past shock fades by its persistence.
        let ar = |previous: f64, rho: f64, draw: f64| rho * previous + (1.0 - rho * rho).max(0.0).sqrt() * draw;
        let loss_shock = [0, 1].map(|i| ar(state.loss_shock[i], p.volatility.losses_persistence, shocks.losses[i]));
        let front_shock = ar(state.front_shock, p.volatility.territory_persistence, shocks.territory);
        let shock = |i: usize| (p.volatility.losses * loss_shock[i] - 0.5 * p.volatility.losses.powi(2)).exp();
        let fire = |i: usize| sides[i].effectiveness * multiplier[i] * shock(i);
        let engagement = Engagement {
            x: Attrition {
                effectiveness: fire(1),
                enemy_exponent: p.law.enemy_exponent,
                own_exponent: p.law.own_exponent,
            },
            y: Attrition {
                effectiveness: fire(0),
                enemy_exponent: p.law.enemy_exponent,
                own_exponent: p.law.own_exponent,
            },
        };
        let end = engagement.integrate_reinforced(
            state.manpower[0],
            state.manpower[1],
            [self.recruits(state, 0), self.recruits(state, 1)],
            1.0,
            STEPS_PER_MONTH,
        );
        let losses = [end.x_losses, end.y_losses];
        // 3. Economy and support: the strain of fighting, losses, and the enemy's strikes on
        //    power and cities less what air defence intercepts.
        let mut economy = state.economy;
        let mut support = state.support;
        for i in 0..2 {
            let (own, enemy) = (&sides[i], &sides[1 - i]);
            let landed = 1.0 - own.air_defence;
            economy[i] *= (1.0 - own.economic_strain) * (1.0 - enemy.strike_damage * landed);
            support[i] = (support[i] - own.support_erosion * losses[i] / PER_LOSSES - enemy.strike_terror * landed)
                .clamp(0.0, 1.0);
        }
        // 4. Territory, from the effective force ratio at the start of the month.
        let h = p.holder;
        let effective = |i: usize| multiplier[i] * state.manpower[i];
        let ratio = if effective(1 - h) > 0.0 { effective(h) / effective(1 - h) } else { f64::INFINITY };
        let front_pace = state.front_pace + p.volatility.territory_trend * shocks.pace;
        let chance = self.offensive_chance(state);
        let offensive = match shocks.tempo {
            Some(u) => f64::from(u8::from(u < chance)),
            None => chance,
        };
        let raw = p.territory.gain * (ratio.min(1e6) - p.territory.stalemate)
            + front_pace
            + p.volatility.offensive * offensive
            + p.volatility.territory * front_shock;
        let held = (state.held + raw).clamp(p.territory.min, p.territory.max);
        WarState {
            month: t,
            manpower: [end.x, end.y],
            materiel,
            economy,
            support,
            held,
            losses,
            aid,
            spending,
            territory_change: held - state.held,
            loss_shock,
            front_shock,
            front_pace,
            offensive,
            mobilised: state.mobilised,
            mediator_gone: state.mediator_gone,
            pressure: state.pressure.saturating_sub(1),
        }
    }

    /// The chance that the holder has an offensive under way in the month after `state`:
    /// it keeps one that is under way unless it culminates, and begins one in a pause with
    /// the onset's chance (on a central path, both weighted by the chance that one was
    /// under way).
    pub fn offensive_chance(&self, state: &WarState) -> f64 {
        let v = &self.params(state.month + 1).volatility;
        state.offensive * (1.0 - v.offensive_end) + (1.0 - state.offensive) * v.offensive_onset
    }

    /// Whether the war's front has offensives at all (a positive effect and a chance to
    /// begin one, in some stretch): if not, its months need no tempo draw.
    pub fn has_offensives(&self) -> bool {
        self.epochs.iter().any(|(_, p)| p.volatility.offensive > 0.0 && p.volatility.offensive_onset > 0.0)
    }

    /// Adds the front's innovations — `shock` and `pace`, standard normal values, the draws
    /// of [`Shocks::territory`] and [`Shocks::pace`] — to `next`, the month that followed
    /// `state` stepped with both draws zero: the holding moves by [`War::front_innovations`]
    /// times them, within its bounds. A filter uses it to draw the innovations from their
    /// posterior given an observation; the front then stands where [`War::step`] with those
    /// draws would have put it.
    pub fn shift_front(&self, state: &WarState, next: &mut WarState, shock: f64, pace: f64) {
        let p = self.params(next.month);
        let weight = (1.0 - p.volatility.territory_persistence * p.volatility.territory_persistence).max(0.0).sqrt();
        let [a_shock, a_pace] = self.front_innovations(next.month);
        next.front_shock += weight * shock;
        next.front_pace += a_pace * pace;
        next.held = (next.held + a_shock * shock + a_pace * pace).clamp(p.territory.min, p.territory.max);
        next.territory_change = next.held - state.held;
    }

    /// How far one standard unit of each of the month's front innovations (the shock's, the
    /// pace's) moves the holding, km².
    pub fn front_innovations(&self, month: i32) -> [f64; 2] {
        let p = self.params(month);
        [
            p.volatility.territory
                * (1.0 - p.volatility.territory_persistence * p.volatility.territory_persistence).max(0.0).sqrt(),
            p.volatility.territory_trend,
        ]
    }

    /// The month's innovation behind side `i`'s losses (`i` in the war's order): the index
    /// of the [`Shocks::losses`] draw that scales the enemy's fire, and how far one standard
    /// unit of it moves the log of those losses, `σ·√(1 − ρ²)`. Exact for the fire; the
    /// losses follow it as closely as the month's attrition is small against the side's
    /// strength (a filter uses it to propose the draw, and weighs what it gets).
    pub fn loss_innovation(&self, month: i32, i: usize) -> (usize, f64) {
        let p = self.params(month);
        let rho = p.volatility.losses_persistence;
        (1 - i, p.volatility.losses * (1.0 - rho * rho).max(0.0).sqrt())
    }
}

fn compile(c: &Conflict) -> Result<WarParams, WarError> {
    let [a, b] = c.sides.as_slice() else { return Err(WarError::Sides(c.sides.len())) };
    let index = |actor: usize| usize::from(b.actor == actor);
    Ok(WarParams {
        law: c.law.values(),
        actors: [a.actor, b.actor],
        sides: [a.values(), b.values()],
        donors: c
            .donors
            .iter()
            .map(|d| DonorParams {
                side: index(d.supplies),
                deliveries: d.deliveries.values.clone(),
                after: d.after.value,
                leaves_with_mediator: c.mediation.withdraws.contains(&d.id),
                presses: c.framework.pressing.contains(&d.id),
            })
            .collect(),
        holder: index(c.territory.holder),
        territory: c.territory.values(),
        beliefs: c.beliefs.values(),
        horizon: c.beliefs.horizon.value.round().max(1.0) as u32,
        volatility: c.volatility.values(),
        mediation: c.mediation.values(),
        framework: c.framework.values(),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fixture;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the shocks, strengths, losses and support stay in range and the holding
        /// within its bounds.
        #[test]
        fn test_invariants_hold_under_any_shocks(
            shocks in prop::collection::vec((-6.0f64..6.0, -6.0f64..6.0, -6.0f64..6.0), 1..60),
            effectiveness in 1e-3f64..1.0,
        ) {
            let mut s = fixture();
            s.quantity_mut("conflict.sides.north.effectiveness").unwrap().value = effectiveness;
            let war = War::new(&s).unwrap();
            let (lo, hi) = war.params(0).held_bounds();
            let mut state = war.initial();
            for (a, b, c) in shocks {
                state = war.step(&state, &Shocks { losses: [a, b], territory: c * 50.0, pace: c, tempo: None });
                for i in 0..2 {
                    prop_assert!(state.manpower[i] >= 0.0 && state.losses[i] >= 0.0);
                    prop_assert!((0.0..=1.0).contains(&state.support[i]));
                    prop_assert!(state.materiel[i] >= 0.0 && state.economy[i] >= 0.0);
                }
                prop_assert!(state.held >= lo && state.held <= hi);
            }
        }
    }

    /// The fixture with north striking south.
    fn striking(damage: f64, terror: f64, air_defence: f64) -> Scenario {
        let mut s = fixture();
        s.quantity_mut("conflict.sides.north.strike_damage").unwrap().value = damage;
        s.quantity_mut("conflict.sides.north.strike_terror").unwrap().value = terror;
        s.quantity_mut("conflict.sides.south.air_defence").unwrap().value = air_defence;
        s
    }

    #[test]
    fn test_strikes_land_on_the_targets_economy_and_support_less_what_air_defence_intercepts() {
        let calm = War::new(&striking(0.0, 0.0, 0.0)).unwrap();
        let struck = War::new(&striking(0.1, 0.02, 0.25)).unwrap();
        let (a, b) =
            (calm.step(&calm.initial(), &Shocks::default()), struck.step(&struck.initial(), &Shocks::default()));
        // By hand: a quarter intercepted, so 0.1 × 0.75 of the economy and 0.02 × 0.75 of support.
        assert!((b.economy[1] / a.economy[1] - (1.0 - 0.075)).abs() < 1e-12, "{} {}", a.economy[1], b.economy[1]);
        assert!((a.support[1] - b.support[1] - 0.015).abs() < 1e-12);
        // The striker is untouched in the month of the strike.
        assert_eq!((a.economy[0], a.support[0]), (b.economy[0], b.support[0]));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        /// A year of strikes leaves the target's economy lower the harder the strikes and
        /// higher the more its air defence intercepts.
        #[test]
        fn test_strikes_are_monotone(damage in 0.0f64..0.3, more in 0.0f64..0.3, defence in 0.0f64..0.9, better in 0.0f64..0.1) {
            let economy = |damage: f64, defence: f64| {
                let war = War::new(&striking(damage, 0.0, defence)).unwrap();
                let mut state = war.initial();
                for _ in 0..12 {
                    state = war.step(&state, &Shocks::default());
                }
                state.economy[1]
            };
            let base = economy(damage, defence);
            prop_assert!(economy(damage + more, defence) <= base + 1e-12);
            prop_assert!(economy(damage, defence + better) >= base - 1e-12);
        }
    }

    #[test]
    fn test_mobilising_adds_recruits_from_the_next_month_at_a_cost_in_support() {
        let mut s = fixture();
        s.quantity_mut("conflict.sides.north.mobilisation").unwrap().value = 20_000.0;
        s.quantity_mut("conflict.sides.north.mobilisation_cost").unwrap().value = 0.05;
        let war = War::new(&s).unwrap();
        let state = war.step(&war.initial(), &Shocks::default());
        let mobilised = war.mobilise(&state, 0);
        assert!(mobilised.mobilised[0] && !mobilised.mobilised[1]);
        assert!((state.support[0] - mobilised.support[0] - 0.05).abs() < 1e-12);
        // Recruitment scales with support against its level at the start (0.7 in the fixture).
        let scale = |support: f64| (support / 0.7).min(1.0);
        let expected = 15_000.0 * (scale(mobilised.support[0]) - scale(state.support[0])) + 20_000.0;
        assert!((war.recruits(&mobilised, 0) - war.recruits(&state, 0) - expected).abs() < 1e-6);
        assert!(!war.may_mobilise(&mobilised, 0), "a side mobilises once");
        // Without a mobilisation to choose, there is no choice.
        assert!(!War::new(&fixture()).unwrap().may_mobilise(&state, 0));
    }

    #[test]
    fn test_one_unit_of_the_loss_innovation_moves_the_log_of_losses_by_its_scale() {
        // The built-in war's first month: each side's losses against the draw the filter
        // would propose for them. The fire scales exactly; the losses nearly so, because a
        // month's losses are a few percent of an army.
        let war = War::new(&crate::built_in()).unwrap();
        let start = war.initial();
        for i in 0..2 {
            let (k, scale) = war.loss_innovation(0, i);
            assert!(scale > 0.0);
            let at = |draw: f64| {
                let mut shocks = Shocks::default();
                shocks.losses[k] = draw;
                war.step(&start, &shocks).losses[i]
            };
            for draw in [-2.0, -0.5, 0.5, 2.0] {
                let moved = (at(draw) / at(0.0)).ln();
                assert!(
                    (moved - scale * draw).abs() < 0.05 * scale * draw.abs(),
                    "side {i}, {draw}: {moved} against {}",
                    scale * draw
                );
            }
            // The other draw scales the other side's losses; these move only through the
            // enemy's strength that the other side's losses take, a tenth as much or less.
            let mut other = Shocks::default();
            other.losses[1 - k] = 2.0;
            let cross = (war.step(&start, &other).losses[i] / at(0.0)).ln();
            assert!(cross.abs() < 0.1 * 2.0 * scale, "side {i}: {cross} against {}", 2.0 * scale);
        }
    }

    #[test]
    fn test_history_starts_at_the_start_and_ends_at_the_scenario_date() {
        let war = War::new(&fixture()).unwrap();
        assert_eq!(war.start.to_string(), "2024-01");
        assert_eq!(war.history_months(), 6);
        let first = war.step(&war.initial(), &Shocks::default());
        assert_eq!(first.month, 0);
        // The south's deliveries in April 2024 (month 3) are its donors' values that month:
        // the ally's 0.0 and the friend's 0.3.
        let mut s = war.initial();
        for _ in 0..4 {
            s = war.step(&s, &Shocks::default());
        }
        assert!((s.aid[1] - 0.3).abs() < 1e-12);
        assert!((s.aid[0] - 0.5).abs() < 1e-12, "the patron's to the north");
    }

    #[test]
    fn test_events_change_parameters_from_their_month() {
        let war = War::new(&fixture()).unwrap();
        let south = |t: i32| war.params(t).donors.iter().filter(|d| d.side == 1).map(|d| d.at(t)).sum::<f64>();
        // The ally's election (2024-11, month 10 from 2024-01) halves its flow of 0.8 after
        // the record; the friend's 0.2 is unchanged.
        assert!((south(9) - 1.0).abs() < 1e-12);
        assert!((south(10) - 0.6).abs() < 1e-12);
    }

    #[test]
    fn test_compiling_in_place_leaves_the_conflict_as_it_was() {
        let s = fixture();
        let conflict = s.conflict.clone().unwrap();
        assert!(!conflict.events.is_empty(), "the test needs a scheduled event");
        let mut in_place = conflict.clone();
        let war = War::from_conflict_in_place(&mut in_place, &s.actors).unwrap();
        assert_eq!(in_place, conflict);
        // The same war as compiled from a copy, epochs included.
        let mut copy = conflict.clone();
        // Setting a number twice: the first value is what is put back.
        let again = copy.events[0].set[0].clone();
        copy.events[0].set.push(again);
        assert_eq!(war, War::from_conflict(&conflict, &s.actors).unwrap());
        let twice = copy.clone();
        assert_eq!(War::from_conflict_in_place(&mut copy, &s.actors).unwrap(), war);
        assert_eq!(copy, twice);
        // An event that names no number is an error, and the numbers already replaced are
        // put back all the same.
        let mut broken = conflict.clone();
        let (path, quantity) = broken.events[0].set[0].clone();
        broken.events[0].set = vec![(path, quantity.clone()), ("conflict.no.such.number".into(), quantity)];
        let before = broken.clone();
        let error = War::from_conflict_in_place(&mut broken, &s.actors).unwrap_err();
        assert!(matches!(error, WarError::EventPath { .. }), "{error}");
        assert_eq!(broken, before);
    }

    /// The fixture's war with offensives: each adds `offensive` km² a month, begins with
    /// the chance `onset` and culminates with `end`.
    fn with_offensives(offensive: f64, onset: f64, end: f64) -> War {
        let mut s = fixture();
        for (name, value) in [("offensive", offensive), ("offensive_onset", onset), ("offensive_end", end)] {
            s.quantity_mut(&format!("conflict.volatility.{name}")).unwrap().value = value;
        }
        War::new(&s).unwrap()
    }

    #[test]
    fn test_an_offensive_moves_the_front_by_its_size_and_nothing_else() {
        let war = with_offensives(300.0, 0.2, 0.25);
        assert!(war.has_offensives());
        assert!(!War::new(&fixture()).unwrap().has_offensives(), "the fixture's front has no offensives");
        let start = war.initial();
        assert!(start.offensive.abs() < 1e-12, "a war starts in a pause");
        // The chance of an offensive after a pause is the onset's; a draw below it begins one.
        assert!((war.offensive_chance(&start) - 0.2).abs() < 1e-12);
        let step = |u: f64| war.step(&start, &Shocks { tempo: Some(u), ..Shocks::default() });
        let (on, off) = (step(0.19), step(0.21));
        assert_eq!((on.offensive.to_bits(), off.offensive.to_bits()), (1.0f64.to_bits(), 0.0f64.to_bits()));
        assert!((on.territory_change - off.territory_change - 300.0).abs() < 1e-9);
        let mut same = on;
        same.offensive = 0.0;
        same.held = off.held;
        same.territory_change = off.territory_change;
        assert_eq!(same, off, "the offensive moves the front only");
        // Under way, it goes on unless it culminates: the chance is 1 − end.
        assert!((war.offensive_chance(&on) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn test_offensives_and_pauses_alternate_at_their_chances() {
        use rand::{RngExt, SeedableRng};
        let (onset, end) = (0.2, 0.25);
        let war = with_offensives(300.0, onset, end);
        let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(5);
        let (mut state, mut on, mut spells, n) = (war.initial(), 0u32, 0u32, 40_000);
        for _ in 0..n {
            let next = war.step(&state, &Shocks { tempo: Some(rng.random()), ..Shocks::default() });
            on += u32::from(next.offensive > 0.5);
            spells += u32::from(next.offensive > 0.5 && state.offensive < 0.5);
            // The fixture's war runs down over 40,000 months; only the tempo matters here.
            state = WarState { offensive: next.offensive, ..war.initial() };
        }
        // The chain's stationary share of offensive months is onset / (onset + end), and an
        // offensive lasts 1 / end months on average.
        let share = f64::from(on) / f64::from(n);
        let expected = onset / (onset + end);
        let se = (expected * (1.0 - expected) / f64::from(n)).sqrt() * 3.0; // months are correlated
        assert!((share - expected).abs() < 4.0 * se, "{share} against {expected}");
        let length = f64::from(on) / f64::from(spells);
        assert!((length - 1.0 / end).abs() < 0.15, "{length} months against {}", 1.0 / end);
    }

    #[test]
    fn test_the_central_path_carries_the_chance_of_an_offensive() {
        use rand::{RngExt, SeedableRng};
        // Without draws, the state carries the chance that an offensive is under way, and the
        // front moves by its expectation: the mean over drawn chains, month by month.
        let war = with_offensives(300.0, 0.3, 0.1);
        let months = 8;
        let mut central = vec![war.initial()];
        for k in 0..months {
            central.push(war.step(&central[k], &Shocks::default()));
        }
        let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(8);
        let runs = 20_000;
        let mut share = vec![0.0; months + 1];
        let mut held = vec![0.0; months + 1];
        for _ in 0..runs {
            let mut state = war.initial();
            for k in 1..=months {
                state = war.step(&state, &Shocks { tempo: Some(rng.random()), ..Shocks::default() });
                share[k] += state.offensive / f64::from(runs);
                held[k] += state.held / f64::from(runs);
            }
        }
        for k in 1..=months {
            let c = &central[k];
            assert!(c.offensive > 0.0 && c.offensive < 1.0);
            assert!((share[k] - c.offensive).abs() < 0.015, "month {k}: {} against {}", share[k], c.offensive);
            assert!((held[k] - c.held).abs() < 0.015 * 300.0 * k as f64, "month {k}: {} against {}", held[k], c.held);
        }
    }
}
