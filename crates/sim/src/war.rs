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
//! 4. **Territory.** The holder gains `gain · (E_holder / E_other − stalemate) + σ_T·u` km²,
//!    where `E = m · X` is effective strength and `u` the front's shock; the holding stays
//!    within its bounds.
//!
//! The shocks — one per side on the log of its effectiveness, one on the front — are each an
//! AR(1) process with unit variance, `z_t = ρ·z_{t−1} + √(1 − ρ²)·ε_t`, `ε_t` standard
//! normal: with persistence `ρ > 0` a month's surprise carries into the next (an offensive's
//! momentum, a stretch of heavy fighting), as in a structural time-series model (Harvey,
//! *Forecasting, Structural Time Series Models and the Kalman Filter*, Cambridge UP 1989).
//!
//! Invariants: strengths, losses and support never go negative; support stays in [0, 1];
//! the holding stays in `[min, max]` (tested).

use parley_core::conflict::{Conflict, Month};
use parley_core::{Actor, Scenario};
use serde::Serialize;

use crate::lanchester::{Attrition, Engagement, power};

/// RK4 steps per month.
const STEPS_PER_MONTH: u32 = 4;

/// Losses are counted per this many personnel in support erosion and costs.
pub const PER_LOSSES: f64 = 100_000.0;

/// One side's numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideParams {
    /// Index of the actor in the scenario.
    pub actor: usize,
    /// Front-line personnel at the start.
    pub manpower: f64,
    /// Personnel added per month at the starting support.
    pub recruitment: f64,
    /// The `a` this side applies to the enemy.
    pub effectiveness: f64,
    /// Own production, € bn per month at the starting economy.
    pub production: f64,
    /// Flow at which the materiel multiplier is 1.
    pub materiel_reference: f64,
    /// Elasticity of effectiveness with respect to materiel.
    pub materiel_elasticity: f64,
    /// Months over which deliveries reach the front.
    pub delivery_lag: f64,
    /// Share of capacity lost per month of fighting.
    pub economic_strain: f64,
    /// Support at the start.
    pub support: f64,
    /// Support lost per 100,000 own losses.
    pub support_erosion: f64,
    /// Support below which the side breaks.
    pub breaking_point: f64,
    /// Log-odds shift of the side's beliefs as of the scenario date.
    pub optimism: f64,
    /// Monthly discount factor.
    pub discount: f64,
    /// Utility per month per 100,000 own losses.
    pub cost_of_losses: f64,
    /// Utility per month per € bn of own spending.
    pub cost_of_spending: f64,
    /// Utility per month per unit of support lost.
    pub cost_of_lost_support: f64,
}

/// A donor's deliveries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DonorParams {
    /// The side supplied (0 or 1).
    pub side: usize,
    /// Deliveries by month from the start.
    pub deliveries: Vec<f64>,
    /// Monthly deliveries after the series.
    pub after: f64,
}

impl DonorParams {
    /// Deliveries in month `t` (months from the start).
    pub fn at(&self, t: i32) -> f64 {
        usize::try_from(t).ok().and_then(|t| self.deliveries.get(t).copied()).unwrap_or(self.after)
    }
}

/// The numbers in force between two scheduled events.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WarParams {
    /// Exponent of the enemy's strength.
    pub enemy_exponent: f64,
    /// Exponent of one's own strength.
    pub own_exponent: f64,
    /// The two sides, in file order.
    pub sides: [SideParams; 2],
    /// The donors.
    pub donors: Vec<DonorParams>,
    /// Which side holds the measured territory (0 or 1).
    pub holder: usize,
    /// Bounds of the holding, km².
    pub held_bounds: (f64, f64),
    /// km² per month per unit of force ratio above the stalemate.
    pub gain: f64,
    /// Force ratio at which the front stands still.
    pub stalemate: f64,
    /// Months projected ahead.
    pub horizon: u32,
    /// Share of optimism lost per month of fighting.
    pub learning: f64,
    /// Width of the support band of collapse.
    pub collapse_width: f64,
    /// Standard deviation of log losses.
    pub volatility_losses: f64,
    /// Standard deviation of the monthly front change, km².
    pub volatility_territory: f64,
    /// AR(1) coefficient of the loss shocks.
    pub losses_persistence: f64,
    /// AR(1) coefficient of the front's shock.
    pub territory_persistence: f64,
    /// Standard deviation of the monthly random-walk step of the front's pace, km².
    pub territory_trend: f64,
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
}

/// Random shocks of one month, as standard normal draws (all zero on the central path).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Shocks {
    /// One per side, on the log of its effectiveness.
    pub losses: [f64; 2],
    /// On the front's change.
    pub territory: f64,
    /// On the front's pace (its random walk).
    pub pace: f64,
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
        let mut events: Vec<_> = conflict.events.iter().collect();
        events.sort_by_key(|e| e.month);
        let mut current = conflict.clone();
        let mut epochs = vec![(0, compile(&current)?)];
        for event in events {
            for (path, quantity) in &event.set {
                let parts: Vec<&str> = path.split('.').collect();
                let target = match parts.as_slice() {
                    ["conflict", rest @ ..] => current.quantity_mut(rest, actors),
                    _ => None,
                };
                *target.ok_or_else(|| WarError::EventPath { event: event.id.clone(), path: path.clone() })? =
                    quantity.clone();
            }
            let at = event.month.since(conflict.start).max(0);
            let params = compile(&current)?;
            match epochs.last_mut() {
                Some(last) if last.0 == at => last.1 = params,
                _ => epochs.push((at, params)),
            }
        }
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
            held: self.held_start.clamp(p.held_bounds.0, p.held_bounds.1),
            losses: [0.0; 2],
            aid: [0.0; 2],
            spending: [0.0; 2],
            territory_change: 0.0,
            loss_shock: [0.0; 2],
            front_shock: 0.0,
            front_pace: 0.0,
        }
    }

    /// Advances the war by one month; `shocks` are the month's standard normal draws.
    pub fn step(&self, state: &WarState, shocks: &Shocks) -> WarState {
        let t = state.month + 1;
        let p = self.params(t);
        let [s0, s1] = &p.sides;
        let sides = [s0, s1];
        // 1. Materiel.
        let mut aid = [0.0; 2];
        for d in &p.donors {
            aid[d.side] += d.at(t);
        }
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
        let loss_shock = [0, 1].map(|i| ar(state.loss_shock[i], p.losses_persistence, shocks.losses[i]));
        let front_shock = ar(state.front_shock, p.territory_persistence, shocks.territory);
        let shock = |i: usize| (p.volatility_losses * loss_shock[i] - 0.5 * p.volatility_losses.powi(2)).exp();
        let fire = |i: usize| sides[i].effectiveness * multiplier[i] * shock(i);
        let engagement = Engagement {
            x: Attrition { effectiveness: fire(1), enemy_exponent: p.enemy_exponent, own_exponent: p.own_exponent },
            y: Attrition { effectiveness: fire(0), enemy_exponent: p.enemy_exponent, own_exponent: p.own_exponent },
        };
        let recruitment = |i: usize| {
            let base = sides[i].support;
            let scale = if base > 0.0 { (state.support[i] / base).min(1.0) } else { 1.0 };
            sides[i].recruitment * scale
        };
        let end = engagement.integrate_reinforced(
            state.manpower[0],
            state.manpower[1],
            [recruitment(0), recruitment(1)],
            1.0,
            STEPS_PER_MONTH,
        );
        let losses = [end.x_losses, end.y_losses];
        // 3. Economy and support.
        let mut economy = state.economy;
        let mut support = state.support;
        for i in 0..2 {
            economy[i] *= 1.0 - sides[i].economic_strain;
            support[i] = (support[i] - sides[i].support_erosion * losses[i] / PER_LOSSES).clamp(0.0, 1.0);
        }
        // 4. Territory, from the effective force ratio at the start of the month.
        let h = p.holder;
        let effective = |i: usize| multiplier[i] * state.manpower[i];
        let ratio = if effective(1 - h) > 0.0 { effective(h) / effective(1 - h) } else { f64::INFINITY };
        let front_pace = state.front_pace + p.territory_trend * shocks.pace;
        let raw = p.gain * (ratio.min(1e6) - p.stalemate) + front_pace + p.volatility_territory * front_shock;
        let held = (state.held + raw).clamp(p.held_bounds.0, p.held_bounds.1);
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
        }
    }

    /// Adds the front's innovations — `shock` and `pace`, standard normal values, the draws
    /// of [`Shocks::territory`] and [`Shocks::pace`] — to `next`, the month that followed
    /// `state` stepped with both draws zero: the holding moves by [`War::front_innovations`]
    /// times them, within its bounds. A filter uses it to draw the innovations from their
    /// posterior given an observation; the front then stands where [`War::step`] with those
    /// draws would have put it.
    pub fn shift_front(&self, state: &WarState, next: &mut WarState, shock: f64, pace: f64) {
        let p = self.params(next.month);
        let weight = (1.0 - p.territory_persistence * p.territory_persistence).max(0.0).sqrt();
        let [a_shock, a_pace] = self.front_innovations(next.month);
        next.front_shock += weight * shock;
        next.front_pace += a_pace * pace;
        next.held = (next.held + a_shock * shock + a_pace * pace).clamp(p.held_bounds.0, p.held_bounds.1);
        next.territory_change = next.held - state.held;
    }

    /// How far one standard unit of each of the month's front innovations (the shock's, the
    /// pace's) moves the holding, km².
    pub fn front_innovations(&self, month: i32) -> [f64; 2] {
        let p = self.params(month);
        [
            p.volatility_territory * (1.0 - p.territory_persistence * p.territory_persistence).max(0.0).sqrt(),
            p.territory_trend,
        ]
    }
}

fn compile(c: &Conflict) -> Result<WarParams, WarError> {
    let [a, b] = c.sides.as_slice() else { return Err(WarError::Sides(c.sides.len())) };
    let side = |s: &parley_core::conflict::Side| SideParams {
        actor: s.actor,
        manpower: s.manpower.value,
        recruitment: s.recruitment.value,
        effectiveness: s.effectiveness.value,
        production: s.production.value,
        materiel_reference: s.materiel_reference.value,
        materiel_elasticity: s.materiel_elasticity.value,
        delivery_lag: s.delivery_lag.value,
        economic_strain: s.economic_strain.value,
        support: s.support.value,
        support_erosion: s.support_erosion.value,
        breaking_point: s.breaking_point.value,
        optimism: s.optimism.value,
        discount: s.discount.value,
        cost_of_losses: s.cost_of_losses.value,
        cost_of_spending: s.cost_of_spending.value,
        cost_of_lost_support: s.cost_of_lost_support.value,
    };
    let index = |actor: usize| usize::from(b.actor == actor);
    Ok(WarParams {
        enemy_exponent: c.law.enemy_exponent.value,
        own_exponent: c.law.own_exponent.value,
        sides: [side(a), side(b)],
        donors: c
            .donors
            .iter()
            .map(|d| DonorParams {
                side: index(d.supplies),
                deliveries: d.deliveries.values.clone(),
                after: d.after.value,
            })
            .collect(),
        holder: index(c.territory.holder),
        held_bounds: (c.territory.min.value, c.territory.max.value),
        gain: c.territory.gain.value,
        stalemate: c.territory.stalemate.value,
        horizon: c.beliefs.horizon.value.round().max(1.0) as u32,
        learning: c.beliefs.learning.value,
        collapse_width: c.beliefs.collapse_width.value,
        volatility_losses: c.volatility.losses.value,
        volatility_territory: c.volatility.territory.value,
        losses_persistence: c.volatility.losses_persistence.value,
        territory_persistence: c.volatility.territory_persistence.value,
        territory_trend: c.volatility.territory_trend.value,
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
            let (lo, hi) = war.params(0).held_bounds;
            let mut state = war.initial();
            for (a, b, c) in shocks {
                state = war.step(&state, &Shocks { losses: [a, b], territory: c * 50.0, pace: c });
                for i in 0..2 {
                    prop_assert!(state.manpower[i] >= 0.0 && state.losses[i] >= 0.0);
                    prop_assert!((0.0..=1.0).contains(&state.support[i]));
                    prop_assert!(state.materiel[i] >= 0.0 && state.economy[i] >= 0.0);
                }
                prop_assert!(state.held >= lo && state.held <= hi);
            }
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
}
