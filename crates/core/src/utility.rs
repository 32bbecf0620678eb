//! The compiled utility model: every actor's utility for every outcome, fast and exact.
//!
//! [`UtilityModel::new`] turns a [`Scenario`] into flat tables — `ŵ_i · v_i(option)` for each
//! actor, issue and option — plus compiled linkage and red-line conditions, so that
//! evaluating an outcome costs one addition per actor and issue. The same model serves the
//! outcome-space analysis, which walks outcomes in index order and reuses partial sums.
//!
//! # Exact utilities: equal decimals are equal
//!
//! Scenario numbers are decimals, but binary floating point cannot hold most decimals, so
//! a sum of weighted values depends on the order of its additions: Ukraine's utility of two
//! packages of the built-in scenario is 0.6125 both ways, yet sums to 0.6125 in one order
//! and to 0.6125000000000002 in another, and a package that is dominated would survive on
//! the frontier. So utilities are computed in fixed point. Every weighted value
//! `ŵ_i · v_i(option)` and every linkage `δ` is rounded once to the nearest multiple of
//! 10⁻¹² (a [`Units`] count), and a utility is the exact integer sum of these, clamped
//! exactly. A weighted value written with at most 12 decimals (two decimals of weight
//! times two of value need four) is therefore represented exactly, every order of
//! addition gives the same sum, and two packages whose utilities are equal decimals
//! compare equal everywhere: frontier, zone, solutions and their tie-breaks, who blocks
//! what, the simulation's bargaining set. Numbers that are not decimals (a weight of 1/3
//! after normalising) are resolved to 10⁻¹², the resolution of every utility comparison.
//!
//! [`UtilityModel::utility`] returns the floating-point number nearest to the exact value
//! ([`from_units`] divides the integer by 10¹², which IEEE 754 rounds correctly), so a
//! utility of 0.45 is the same `f64` as the reservation value `0.45` read from a file.
//! Other numbers on the utility scale (reservation values, disagreement points, margins)
//! are put on the same grid with [`to_units`] before they are compared.

use crate::error::Error;
use crate::outcome::OutcomeSpace;
use crate::preferences::Condition;
use crate::scenario::Scenario;

/// Most actors a model may have (a set of actors is a `u64` bit mask).
pub const MAX_ACTORS: usize = 64;

/// A number on the utility scale as an exact integer count of 10⁻¹².
pub type Units = i64;

/// Units in one unit of utility.
pub const UNITS_PER_UTILITY: Units = 1_000_000_000_000;

/// Largest utility magnitude a model may reach: below it, [`to_units`] recovers every
/// decimal with at most 12 places exactly (the rounding error of `x · 10¹²` stays far
/// below half a unit) and every sum fits an `f64` mantissa.
pub const MAX_UTILITY: f64 = 1000.0;

/// The nearest multiple of 10⁻¹² to `x`, as a count of units.
#[inline]
pub fn to_units(x: f64) -> Units {
    (x * UNITS_PER_UTILITY as f64).round() as Units
}

/// The `f64` nearest to `units · 10⁻¹²` (for a decimal, the same number as its literal).
#[inline]
pub fn from_units(units: Units) -> f64 {
    units as f64 / UNITS_PER_UTILITY as f64
}

/// A condition compiled to per-issue membership tables.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledCondition {
    /// `(issue, allowed[option])`.
    terms: Vec<(usize, Vec<bool>)>,
}

impl CompiledCondition {
    /// Whether every outcome with `option` on `issue` matches.
    fn requires_only(&self, issue: usize, option: u32) -> bool {
        matches!(self.terms.as_slice(), [(i, allowed)] if *i == issue && allowed[option as usize])
    }

    fn new(condition: &Condition, radices: &[u32]) -> Self {
        let terms = condition
            .terms
            .iter()
            .map(|(issue, options)| {
                let mut allowed = vec![false; radices[*issue] as usize];
                for &o in options {
                    allowed[o] = true;
                }
                (*issue, allowed)
            })
            .collect();
        Self { terms }
    }

    #[inline]
    pub(crate) fn matches(&self, digits: &[u32]) -> bool {
        self.terms.iter().all(|(issue, allowed)| allowed[digits[*issue] as usize])
    }
}

/// Every actor's utility function, compiled for fast evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct UtilityModel {
    space: OutcomeSpace,
    n_actors: usize,
    /// Start of each issue's options in a per-actor table row.
    offsets: Vec<usize>,
    /// Options over all issues (the length of one actor's row).
    row_len: usize,
    /// `tables[actor * row_len + offsets[issue] + option] = ŵ_i · v_i(option)`, in units.
    tables: Vec<Units>,
    linkages: Vec<Vec<(CompiledCondition, Units)>>,
    red_lines: Vec<Vec<CompiledCondition>>,
    reservation: Vec<f64>,
    veto: Vec<bool>,
    /// The actors with a scoped veto and the packages that need their consent (any of
    /// the conditions).
    scoped: Vec<(usize, Vec<CompiledCondition>)>,
}

impl UtilityModel {
    /// Compiles the scenario's preferences.
    pub fn new(scenario: &Scenario) -> Result<Self, Error> {
        let n_actors = scenario.actors.len();
        if n_actors == 0 {
            return Err(Error::NoActors);
        }
        if n_actors > MAX_ACTORS {
            return Err(Error::TooManyActors { actors: n_actors, max: MAX_ACTORS });
        }
        if scenario.preferences.len() != n_actors {
            return Err(Error::Internal(format!(
                "{} actors but {} preference entries",
                n_actors,
                scenario.preferences.len()
            )));
        }
        let space = scenario.outcome_space();
        if space.is_empty() || space.n_issues() == 0 {
            return Err(Error::EmptyOutcomeSpace);
        }
        let radices = space.radices().to_vec();
        let mut offsets = Vec::with_capacity(radices.len());
        let mut row_len = 0;
        for &r in &radices {
            offsets.push(row_len);
            row_len += r as usize;
        }
        let mut tables = vec![0; n_actors * row_len];
        for (a, prefs) in scenario.preferences.iter().enumerate() {
            let weights = prefs.normalised_weights();
            // The largest magnitude the actor's utility can reach, before clamping.
            let mut reach = prefs.linkages.iter().map(|l| l.delta.value.abs()).sum::<f64>();
            for (i, issue) in scenario.issues.iter().enumerate() {
                let mut largest = 0.0f64;
                for o in 0..issue.options.len() {
                    let value = prefs.weighted_value(&weights, &scenario.issues, i, o);
                    largest = largest.max(value.abs());
                    if value.is_nan() {
                        largest = f64::NAN;
                    }
                    tables[a * row_len + offsets[i] + o] = to_units(value);
                }
                reach += largest;
            }
            if reach.is_nan() || reach > MAX_UTILITY {
                return Err(Error::UtilityOutOfRange {
                    actor: scenario.actors[a].id.clone(),
                    reach,
                    limit: MAX_UTILITY,
                });
            }
        }
        let linkages = scenario
            .preferences
            .iter()
            .map(|p| {
                p.linkages
                    .iter()
                    .map(|l| (CompiledCondition::new(&l.when, &radices), to_units(l.delta.value)))
                    .collect()
            })
            .collect();
        let red_lines = scenario
            .preferences
            .iter()
            .map(|p| p.red_lines.iter().map(|r| CompiledCondition::new(&r.when, &radices)).collect())
            .collect();
        Ok(Self {
            space,
            n_actors,
            offsets,
            row_len,
            tables,
            linkages,
            red_lines,
            reservation: scenario.preferences.iter().map(|p| p.reservation.value).collect(),
            veto: scenario.actors.iter().map(|a| a.veto.is_full()).collect(),
            scoped: {
                let no_deal = scenario.no_deal_options();
                scenario
                    .actors
                    .iter()
                    .enumerate()
                    .filter_map(|(a, actor)| actor.veto.scope().map(|scope| (a, scope)))
                    .map(|(a, scope)| {
                        let conditions = scope.conditions(&scenario.issues, &no_deal);
                        (a, conditions.iter().map(|c| CompiledCondition::new(c, &radices)).collect())
                    })
                    .collect()
            },
        })
    }

    /// The outcome space the model is defined on.
    pub fn space(&self) -> &OutcomeSpace {
        &self.space
    }

    /// Number of actors.
    pub fn n_actors(&self) -> usize {
        self.n_actors
    }

    /// Reservation values, by actor.
    pub fn reservation(&self) -> &[f64] {
        &self.reservation
    }

    /// Replaces the reservation values (later models move them month by month).
    pub fn with_reservation(mut self, reservation: Vec<f64>) -> Self {
        assert_eq!(reservation.len(), self.n_actors, "one reservation value per actor");
        self.reservation = reservation;
        self
    }

    /// Full-veto flags, by actor: whose consent every deal needs.
    pub fn veto(&self) -> &[bool] {
        &self.veto
    }

    /// Whether some actor's consent is needed for some packages only.
    pub fn has_scoped_vetoes(&self) -> bool {
        !self.scoped.is_empty()
    }

    /// The actors with a scoped veto who block the outcome (a bit mask): its adoption needs
    /// their consent, and it crosses one of their red lines (`crossed`, as
    /// [`UtilityModel::crossed_red_lines`] gives) or is worth less to them than their
    /// reservation value (`utilities`: every actor's utility of the outcome, in exact units).
    /// A blocked outcome is no deal whatever the bargainers think of it.
    #[inline]
    pub fn refusals(&self, outcome: &[u32], utilities: &[Units], crossed: u64) -> u64 {
        let mut mask = 0;
        for (a, conditions) in &self.scoped {
            let refuses = (crossed >> a) & 1 == 1 || utilities[*a] < to_units(self.reservation[*a]);
            if refuses && conditions.iter().any(|c| c.matches(outcome)) {
                mask |= 1 << a;
            }
        }
        mask
    }

    /// Whether the outcome needs the consent of an actor with a scoped veto who refuses it.
    pub fn is_blocked_by_scoped_veto(&self, outcome: &[u32]) -> bool {
        self.scoped
            .iter()
            .any(|(a, conditions)| conditions.iter().any(|c| c.matches(outcome)) && !self.is_acceptable(*a, outcome))
    }

    /// Whether every package with option `option` of `issue` needs `actor`'s consent (a full
    /// veto, or a scoped veto one of whose conditions is that option alone).
    pub fn needs_consent_for_option(&self, actor: usize, issue: usize, option: u32) -> bool {
        self.veto[actor]
            || self
                .scoped
                .iter()
                .any(|(a, conditions)| *a == actor && conditions.iter().any(|c| c.requires_only(issue, option)))
    }

    /// Reservation values on the utility grid, by actor.
    pub(crate) fn reservation_units(&self) -> Vec<Units> {
        self.reservation.iter().map(|&r| to_units(r)).collect()
    }

    /// `ŵ_i · v_i(option)` for one actor, in units.
    #[inline]
    pub(crate) fn weighted_units(&self, actor: usize, issue: usize, option: u32) -> Units {
        self.tables[actor * self.row_len + self.offsets[issue] + option as usize]
    }

    /// Whether any actor has a linkage (so utilities are not purely additive).
    pub fn has_linkages(&self) -> bool {
        self.linkages.iter().any(|l| !l.is_empty())
    }

    /// Whether an actor has a linkage.
    pub(crate) fn has_linkage(&self, actor: usize) -> bool {
        !self.linkages[actor].is_empty()
    }

    /// Whether any actor has a red line.
    pub fn has_red_lines(&self) -> bool {
        self.red_lines.iter().any(|r| !r.is_empty())
    }

    /// Whether an actor has a red line.
    pub(crate) fn has_red_line(&self, actor: usize) -> bool {
        !self.red_lines[actor].is_empty()
    }

    /// Utility of `actor` for an outcome.
    pub fn utility(&self, actor: usize, outcome: &[u32]) -> f64 {
        from_units(self.utility_units(actor, outcome))
    }

    /// Utility of `actor` for an outcome, in units.
    pub(crate) fn utility_units(&self, actor: usize, outcome: &[u32]) -> Units {
        let additive = outcome.iter().enumerate().map(|(i, &o)| self.weighted_units(actor, i, o)).sum();
        self.finish(actor, additive, outcome)
    }

    /// Every actor's utility for an outcome.
    pub fn utilities(&self, outcome: &[u32]) -> Vec<f64> {
        (0..self.n_actors).map(|a| self.utility(a, outcome)).collect()
    }

    /// Applies linkages and clamping to an additive utility.
    #[inline]
    pub(crate) fn finish(&self, actor: usize, additive: Units, outcome: &[u32]) -> Units {
        let links = &self.linkages[actor];
        if links.is_empty() {
            return additive;
        }
        let mut u = additive;
        for (cond, delta) in links {
            if cond.matches(outcome) {
                u += delta;
            }
        }
        u.clamp(0, UNITS_PER_UTILITY)
    }

    /// Bit mask of the actors whose red lines the outcome crosses.
    #[inline]
    pub fn crossed_red_lines(&self, outcome: &[u32]) -> u64 {
        let mut mask = 0u64;
        for (a, lines) in self.red_lines.iter().enumerate() {
            if lines.iter().any(|c| c.matches(outcome)) {
                mask |= 1 << a;
            }
        }
        mask
    }

    /// Whether the outcome is acceptable to `actor`: no red line crossed and utility at
    /// least its reservation value.
    pub fn is_acceptable(&self, actor: usize, outcome: &[u32]) -> bool {
        self.crossed_red_lines(outcome) & (1 << actor) == 0
            && self.utility_units(actor, outcome) >= to_units(self.reservation[actor])
    }
}

/// Every linkage, red line and scoped-veto condition of a model as bits of one `u64`, so a
/// package's matches are read from per-option tables instead of testing each condition.
///
/// A condition matches a package when none of its terms rules out the package's option on
/// that term's issue; `fails[offsets[issue] + option]` has the bit of every condition that
/// rules the option out. The conditions that match a package are then the complement of the
/// OR of its options' entries, and that OR, like the utilities' sums, can be kept as prefixes
/// over the issues while the outcome space is walked in index order. Built by
/// [`UtilityModel::condition_masks`]; it gives the same verdicts as
/// [`UtilityModel::finish`], [`UtilityModel::crossed_red_lines`] and
/// [`UtilityModel::refusals`].
#[derive(Clone, Debug)]
pub(crate) struct ConditionMasks {
    /// `fails[offsets[issue] + option]`: the conditions that option rules out.
    fails: Vec<u64>,
    /// Start of each issue's options in `fails`.
    offsets: Vec<usize>,
    /// Per actor with a red line: the actor and the bits of its red lines.
    pub red_lines: Vec<(usize, u64)>,
    /// Per actor with a linkage: the actor and each linkage's bit and change.
    pub linkages: Vec<(usize, Vec<(u64, Units)>)>,
    /// Per actor with a scoped veto: the actor and the bits of the packages needing its
    /// consent.
    pub scoped: Vec<(usize, u64)>,
}

impl ConditionMasks {
    /// The conditions option `option` of `issue` rules out.
    #[inline]
    pub(crate) fn fails(&self, issue: usize, option: u32) -> u64 {
        self.fails[self.offsets[issue] + option as usize]
    }

    /// `additive` with the linkages of `actor` (at `linkages[slot]`) that `matched` holds,
    /// clamped as [`UtilityModel::finish`] clamps.
    #[inline]
    pub(crate) fn finish(&self, slot: usize, additive: Units, matched: u64) -> Units {
        let mut u = additive;
        for &(bit, delta) in &self.linkages[slot].1 {
            if matched & bit != 0 {
                u += delta;
            }
        }
        u.clamp(0, UNITS_PER_UTILITY)
    }

    /// The actors whose red lines `matched` crosses (a bit mask by actor).
    #[inline]
    pub(crate) fn crossed(&self, matched: u64) -> u64 {
        let mut mask = 0;
        for &(a, bits) in &self.red_lines {
            if matched & bits != 0 {
                mask |= 1 << a;
            }
        }
        mask
    }

    /// The actors with a scoped veto who block a package, as [`UtilityModel::refusals`]:
    /// `reservation` in units by actor.
    #[inline]
    pub(crate) fn refusals(&self, matched: u64, utilities: &[Units], crossed: u64, reservation: &[Units]) -> u64 {
        let mut mask = 0;
        for &(a, bits) in &self.scoped {
            if matched & bits != 0 && ((crossed >> a) & 1 == 1 || utilities[a] < reservation[a]) {
                mask |= 1 << a;
            }
        }
        mask
    }
}

impl UtilityModel {
    /// The model's conditions as bit masks, or `None` if there are more than 64 of them
    /// (then each is tested on its own).
    pub(crate) fn condition_masks(&self) -> Option<ConditionMasks> {
        // Bits in this order: red lines, linkages, scoped vetoes, each by actor.
        let count = self.red_lines.iter().map(Vec::len).sum::<usize>()
            + self.linkages.iter().map(Vec::len).sum::<usize>()
            + self.scoped.iter().map(|(_, c)| c.len()).sum::<usize>();
        if count > 64 {
            return None;
        }
        let mut fails = vec![0u64; self.row_len];
        let mut next = 0;
        let mut bit_of = |c: &CompiledCondition| {
            let bit = 1u64 << next;
            next += 1;
            for (issue, allowed) in &c.terms {
                for (option, &ok) in allowed.iter().enumerate() {
                    if !ok {
                        fails[self.offsets[*issue] + option] |= bit;
                    }
                }
            }
            bit
        };
        let red_lines = (0..self.n_actors)
            .filter(|&a| !self.red_lines[a].is_empty())
            .map(|a| (a, self.red_lines[a].iter().fold(0, |bits, c| bits | bit_of(c))))
            .collect();
        let linkages = (0..self.n_actors)
            .filter(|&a| !self.linkages[a].is_empty())
            .map(|a| (a, self.linkages[a].iter().map(|(c, delta)| (bit_of(c), *delta)).collect()))
            .collect();
        let scoped = self.scoped.iter().map(|(a, cs)| (*a, cs.iter().fold(0, |bits, c| bits | bit_of(c)))).collect();
        Some(ConditionMasks { fails, offsets: self.offsets.clone(), red_lines, linkages, scoped })
    }
}
