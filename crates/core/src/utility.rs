//! The compiled utility model: every actor's utility for every outcome, fast.
//!
//! [`UtilityModel::new`] turns a [`Scenario`] into flat tables — `ŵ_i · v_i(option)` for each
//! actor, issue and option — plus compiled linkage and red-line conditions, so that
//! evaluating an outcome costs one addition per actor and issue. The same model serves the
//! outcome-space analysis, which walks outcomes in index order and reuses partial sums.

use crate::error::Error;
use crate::outcome::OutcomeSpace;
use crate::preferences::Condition;
use crate::scenario::Scenario;

/// Most actors a model may have (a set of actors is a `u64` bit mask).
pub const MAX_ACTORS: usize = 64;

/// A condition compiled to per-issue membership tables.
#[derive(Clone, Debug)]
pub(crate) struct CompiledCondition {
    /// `(issue, allowed[option])`.
    terms: Vec<(usize, Vec<bool>)>,
}

impl CompiledCondition {
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
#[derive(Clone, Debug)]
pub struct UtilityModel {
    space: OutcomeSpace,
    n_actors: usize,
    /// Start of each issue's options in a per-actor table row.
    offsets: Vec<usize>,
    /// Options over all issues (the length of one actor's row).
    row_len: usize,
    /// `tables[actor * row_len + offsets[issue] + option] = ŵ_i · v_i(option)`.
    tables: Vec<f64>,
    linkages: Vec<Vec<(CompiledCondition, f64)>>,
    red_lines: Vec<Vec<CompiledCondition>>,
    reservation: Vec<f64>,
    veto: Vec<bool>,
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
        let mut tables = vec![0.0; n_actors * row_len];
        for (a, prefs) in scenario.preferences.iter().enumerate() {
            let weights = prefs.normalised_weights();
            for (i, issue) in scenario.issues.iter().enumerate() {
                for o in 0..issue.options.len() {
                    tables[a * row_len + offsets[i] + o] = prefs.weighted_value(&weights, &scenario.issues, i, o);
                }
            }
        }
        let linkages = scenario
            .preferences
            .iter()
            .map(|p| p.linkages.iter().map(|l| (CompiledCondition::new(&l.when, &radices), l.delta.value)).collect())
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
            veto: scenario.actors.iter().map(|a| a.veto).collect(),
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

    /// Veto flags, by actor.
    pub fn veto(&self) -> &[bool] {
        &self.veto
    }

    /// `ŵ_i · v_i(option)` for one actor.
    #[inline]
    pub fn weighted_value(&self, actor: usize, issue: usize, option: u32) -> f64 {
        self.tables[actor * self.row_len + self.offsets[issue] + option as usize]
    }

    /// Whether any actor has a linkage (so utilities are not purely additive).
    pub fn has_linkages(&self) -> bool {
        self.linkages.iter().any(|l| !l.is_empty())
    }

    /// Whether any actor has a red line.
    pub fn has_red_lines(&self) -> bool {
        self.red_lines.iter().any(|r| !r.is_empty())
    }

    /// Utility of `actor` for an outcome.
    pub fn utility(&self, actor: usize, outcome: &[u32]) -> f64 {
        let additive = outcome.iter().enumerate().fold(0.0, |acc, (i, &o)| acc + self.weighted_value(actor, i, o));
        self.finish(actor, additive, outcome)
    }

    /// Every actor's utility for an outcome.
    pub fn utilities(&self, outcome: &[u32]) -> Vec<f64> {
        (0..self.n_actors).map(|a| self.utility(a, outcome)).collect()
    }

    /// Applies linkages and clamping to an additive utility.
    #[inline]
    pub(crate) fn finish(&self, actor: usize, additive: f64, outcome: &[u32]) -> f64 {
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
        u.clamp(0.0, 1.0)
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
        self.crossed_red_lines(outcome) & (1 << actor) == 0 && self.utility(actor, outcome) >= self.reservation[actor]
    }
}
