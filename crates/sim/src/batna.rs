//! Each belligerent's alternative to a deal, as the war stands.
//!
//! A side's reservation value in month t is the utility, on the scale of the issues, of
//! the no-deal path it expects:
//!
//! 1. The war is projected `horizon` months ahead from the current state, without noise.
//! 2. Each projected month the front line is mapped onto the territorial issue: the
//!    utility of the no-deal state (the other issues at their [`no_deal`] options) is
//!    interpolated between the options that correspond to lines on the map ([`anchors`]).
//! 3. Either side may break. A side's monthly chance of breaking is
//!    `σ((breaking_point − support) / width)`; in its own projection a side shifts the
//!    log-odds by its *optimism* `o` — it expects the enemy to break more readily
//!    (`+o`) and itself less (`−o`). If the enemy breaks the side gets its own victory
//!    terms; if it breaks, the enemy's.
//! 4. While fighting lasts the side pays the cost of it: its losses, its own spending and
//!    the support it loses, each weighted by its own sensitivity.
//! 5. The months are discounted by the side's monthly factor and averaged, so the result
//!    is on the same 0–1 scale as a deal's utility.
//!
//! Optimism fades as fighting reveals how the war is going: it loses the share `learning`
//! per month of fighting (the *principle of convergence*: Slantchev, "The principle of
//! convergence in wartime negotiations", APSR 97 (2003), doi:10.1017/S0003055403000893).
//! Mutual optimism keeps both reservation values high and the zone empty until the
//! battlefield corrects it.
//!
//! [`no_deal`]: parley_core::conflict::Conflict::no_deal
//! [`anchors`]: parley_core::conflict::Territory::anchors

use parley_core::{Conflict, Scenario, UtilityModel};
use serde::Serialize;

use crate::war::{PER_LOSSES, War, WarState};

/// What a side stands to gain or lose without a deal, in its own utility.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stakes {
    /// `(km² held by the holder, utility of the no-deal state with that line)`, by area.
    pub anchors: Vec<(f64, f64)>,
    /// Utility of its own victory terms.
    pub win: f64,
    /// Utility of the enemy's victory terms.
    pub lose: f64,
}

impl Stakes {
    /// The no-deal state's utility with the holder holding `held` km² (linear between
    /// anchors, flat beyond the outermost ones).
    pub fn status_quo(&self, held: f64) -> f64 {
        let a = &self.anchors;
        let i = a.partition_point(|(km2, _)| *km2 < held);
        if i == 0 {
            return a[0].1;
        }
        if i == a.len() {
            return a[a.len() - 1].1;
        }
        let ((x0, u0), (x1, u1)) = (a[i - 1], a[i]);
        u0 + (u1 - u0) * (held - x0) / (x1 - x0)
    }
}

/// Why the stakes cannot be computed (validation normally rules these out).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StakesError {
    /// Terms name an issue or option the scenario does not have.
    #[error("{what}: no issue \"{issue}\" with option \"{option}\"")]
    UnknownTerm {
        /// Which terms.
        what: String,
        /// The issue id.
        issue: String,
        /// The option id.
        option: String,
    },
    /// Terms leave an issue open.
    #[error("{what}: issue \"{issue}\" has no option")]
    Incomplete {
        /// Which terms.
        what: String,
        /// The issue id.
        issue: String,
    },
    /// Fewer than two anchors.
    #[error("the territorial issue needs at least two anchors")]
    Anchors,
    /// No `[conflict]` section.
    #[error("the scenario has no [conflict] section")]
    NoConflict,
}

/// Resolves terms in words to option indices of every issue; `fill` supplies the option
/// of an issue the terms leave open.
pub(crate) fn resolve(
    scenario: &Scenario,
    terms: &[(String, String)],
    what: &str,
    fill: Option<(usize, u32)>,
) -> Result<Vec<u32>, StakesError> {
    let mut digits: Vec<Option<u32>> = vec![None; scenario.issues.len()];
    if let Some((issue, option)) = fill {
        digits[issue] = Some(option);
    }
    for (issue, option) in terms {
        let unknown = || StakesError::UnknownTerm { what: what.into(), issue: issue.clone(), option: option.clone() };
        let i = scenario.issue_index(issue).ok_or_else(unknown)?;
        let o = scenario.issues[i].option_index(option).ok_or_else(unknown)?;
        digits[i] = Some(o as u32);
    }
    digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            d.ok_or_else(|| StakesError::Incomplete { what: what.into(), issue: scenario.issues[i].id.clone() })
        })
        .collect()
}

/// Both sides' stakes, from the scenario the war is fought under (levers applied, options
/// not taken off the table) and its `conflict` (whose anchors may differ from the file's in
/// a replicate).
pub fn stakes(scenario: &Scenario, conflict: &Conflict, model: &UtilityModel) -> Result<[Stakes; 2], StakesError> {
    let territory = scenario
        .issue_index(&conflict.territory.issue)
        .ok_or_else(|| StakesError::Incomplete { what: "territory".into(), issue: conflict.territory.issue.clone() })?;
    let mut anchor_digits = Vec::new();
    for (option, km2) in &conflict.territory.anchors {
        let o = scenario.issues[territory].option_index(option).ok_or_else(|| StakesError::UnknownTerm {
            what: "territory anchors".into(),
            issue: conflict.territory.issue.clone(),
            option: option.clone(),
        })?;
        anchor_digits.push((km2.value, resolve(scenario, &conflict.no_deal, "no_deal", Some((territory, o as u32)))?));
    }
    if anchor_digits.len() < 2 {
        return Err(StakesError::Anchors);
    }
    anchor_digits.sort_by(|a, b| a.0.total_cmp(&b.0));
    let victory: Vec<Vec<u32>> = conflict
        .sides
        .iter()
        .map(|s| resolve(scenario, &s.victory, &format!("victory of {}", scenario.actors[s.actor].id), None))
        .collect::<Result<_, _>>()?;
    let side = |i: usize| {
        let actor = conflict.sides[i].actor;
        Stakes {
            anchors: anchor_digits.iter().map(|(km2, d)| (*km2, model.utility(actor, d))).collect(),
            win: model.utility(actor, &victory[i]),
            lose: model.utility(actor, &victory[1 - i]),
        }
    };
    Ok([side(0), side(1)])
}

/// The logistic function.
#[inline]
pub(crate) fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A side's true monthly chance of breaking, given its support.
#[inline]
pub fn breaking_chance(support: f64, breaking_point: f64, width: f64) -> f64 {
    logistic((breaking_point - support) / width)
}

/// Both sides' reservation values in the month whose end state is `state`, with each
/// side's current optimism (log-odds).
pub fn reservation_values(war: &War, stakes: &[Stakes; 2], state: &WarState, optimism: [f64; 2]) -> [f64; 2] {
    let p = war.params(state.month + 1);
    let horizon = p.horizon;
    let mut s = *state;
    // Per side: probability the war still runs, that the enemy broke, that it broke.
    let mut alive = [1.0f64; 2];
    let mut won = [0.0f64; 2];
    let mut lost = [0.0f64; 2];
    let mut value = [0.0f64; 2];
    let mut weight = [0.0f64; 2];
    let mut discount = [1.0f64; 2];
    for _ in 0..horizon {
        s = war.step(&s, &Default::default());
        let q = war.params(s.month);
        let width = q.beliefs.collapse_width.max(1e-9);
        let logit = |j: usize| (q.sides[j].breaking_point - s.support[j]) / width;
        for i in 0..2 {
            let j = 1 - i;
            let side = &q.sides[i];
            let enemy_breaks = logistic(logit(j) + optimism[i]);
            let self_breaks = logistic(logit(i) - optimism[i]);
            let both = enemy_breaks * self_breaks;
            let win = enemy_breaks - both * 0.5;
            let lose = self_breaks - both * 0.5;
            won[i] += alive[i] * win;
            lost[i] += alive[i] * lose;
            alive[i] *= 1.0 - win - lose;
            let cost = side.cost_of_losses * s.losses[i] / PER_LOSSES
                + side.cost_of_spending * s.spending[i]
                + side.cost_of_lost_support * (state.support[i] - s.support[i]).max(0.0);
            let month =
                alive[i] * (stakes[i].status_quo(s.held) - cost) + won[i] * stakes[i].win + lost[i] * stakes[i].lose;
            discount[i] *= side.discount;
            value[i] += discount[i] * month;
            weight[i] += discount[i];
        }
    }
    [value[0] / weight[0], value[1] / weight[1]]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::coupled::{RunOptions, Simulation};
    use crate::fixture;

    #[test]
    fn test_status_quo_interpolates_between_anchors() {
        let s = Stakes { anchors: vec![(100.0, 0.2), (200.0, 0.6), (300.0, 1.0)], win: 1.0, lose: 0.0 };
        assert!((s.status_quo(150.0) - 0.4).abs() < 1e-12);
        assert!((s.status_quo(250.0) - 0.8).abs() < 1e-12);
        assert!((s.status_quo(50.0) - 0.2).abs() < 1e-12);
        assert!((s.status_quo(900.0) - 1.0).abs() < 1e-12);
    }

    /// Both sides' alternatives to a deal on the no-deal path: at the scenario date, then
    /// every month for a year.
    fn batnas(s: &Scenario) -> Vec<[f64; 2]> {
        let sim = Simulation::new(s, &[], None).unwrap();
        let path = sim.run(RunOptions { months: 12, seed: 0, stream: 0, noise: false, talks: false });
        std::iter::once(sim.reservation_at_as_of()).chain(path.months.iter().map(|m| m.batna)).collect()
    }

    fn scaled(base: &Scenario, changes: &[(&str, f64)]) -> Scenario {
        let mut s = base.clone();
        for (path, factor) in changes {
            s.quantity_mut(path).unwrap().value *= factor;
        }
        s
    }

    const TOLERANCE: f64 = 1e-12;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// More aid to the south never lowers the south's alternative to a deal, nor raises
        /// the north's; more support to the north from its patron does the reverse.
        #[test]
        fn test_more_aid_never_lowers_a_sides_batna(factor in 1.0f64..4.0, donor in 0usize..2) {
            let base = fixture();
            let before = batnas(&base);
            let path = ["conflict.donors.ally.after", "conflict.donors.friend.after"][donor];
            let more = batnas(&scaled(&base, &[(path, factor)]));
            for (b, m) in before.iter().zip(&more) {
                prop_assert!(m[1] >= b[1] - TOLERANCE, "south: {} < {}", m[1], b[1]);
                prop_assert!(m[0] <= b[0] + TOLERANCE, "north: {} > {}", m[0], b[0]);
            }
            let backed = batnas(&scaled(&base, &[("conflict.donors.patron.after", factor)]));
            for (b, m) in before.iter().zip(&backed) {
                prop_assert!(m[0] >= b[0] - TOLERANCE && m[1] <= b[1] + TOLERANCE);
            }
        }

        /// Higher loss rates for a side (the enemy's fire more effective) never raise its
        /// alternative to a deal.
        #[test]
        fn test_higher_losses_never_raise_a_sides_batna(factor in 1.0f64..3.0, side in 0usize..2) {
            let base = fixture();
            let before = batnas(&base);
            // Side 0 is the north, side 1 the south; a side's losses grow with the enemy's
            // effectiveness.
            let enemy = ["conflict.sides.south.effectiveness", "conflict.sides.north.effectiveness"][side];
            let after = batnas(&scaled(&base, &[(enemy, factor)]));
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a[side] <= b[side] + TOLERANCE, "side {side}: {} > {}", a[side], b[side]);
            }
        }
    }

    #[test]
    fn test_optimism_raises_the_batna_and_fades_with_fighting() {
        let base = fixture();
        let sober = scaled(&base, &[("conflict.sides.north.optimism", 0.0)]);
        let (b, s) = (batnas(&base), batnas(&sober));
        assert!(b[0][0] > s[0][0], "optimism raises the north's alternative: {} vs {}", b[0][0], s[0][0]);
        // The gap narrows as the battlefield corrects the north's beliefs.
        assert!(b[12][0] - s[12][0] < b[0][0] - s[0][0]);
    }
}
