//! What negotiators know about the outcome space: their own utility of every outcome,
//! ranked. Built once per scenario and shared by every negotiation on it, so a tournament
//! never re-evaluates or re-sorts the outcome space.

use std::sync::Arc;

use parley_core::{OutcomeSpace, UtilityModel};

use crate::error::Error;

/// Outcome spaces larger than this are not ranked for negotiation (each actor's ranking
/// holds 12 bytes per outcome).
pub const MAX_NEGOTIATION_OUTCOMES: u64 = 50_000_000;

/// One actor's utility of every outcome, with the outcomes sorted by it.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// `utility[outcome]` over the whole space (shared by restricted rankings).
    utility: Arc<Vec<f64>>,
    /// Outcome indices, utility ascending (ties: smaller index first).
    ascending: Vec<u32>,
}

impl Ranking {
    /// Outcomes crossing one of the actor's own red lines, and those `blocked` (by an actor
    /// with a scoped veto, [`UtilityModel::is_blocked_by_scoped_veto`]; empty: none), get
    /// utility −∞ and are left out of the order: the actor never offers them, and no
    /// acceptance rule takes them.
    fn new(model: &UtilityModel, actor: usize, len: u64, blocked: &[bool]) -> Self {
        let space = model.space();
        let mut digits = vec![0u32; space.n_issues()];
        let utility: Vec<f64> = (0..len)
            .map(|i| {
                space.decode_into(&mut i.clone(), &mut digits);
                if model.crossed_red_lines(&digits) >> actor & 1 == 1 || blocked.get(i as usize) == Some(&true) {
                    f64::NEG_INFINITY
                } else {
                    model.utility(actor, &digits)
                }
            })
            .collect();
        let mut ascending: Vec<u32> = (0..len as u32).filter(|&o| utility[o as usize].is_finite()).collect();
        ascending.sort_by(|&a, &b| utility[a as usize].total_cmp(&utility[b as usize]).then(a.cmp(&b)));
        Self { utility: Arc::new(utility), ascending }
    }

    /// The same ranking over the outcomes `keep` accepts only.
    fn restricted(&self, keep: &dyn Fn(u64) -> bool) -> Self {
        Self {
            utility: Arc::clone(&self.utility),
            ascending: self.ascending.iter().copied().filter(|&o| keep(u64::from(o))).collect(),
        }
    }

    /// The actor's utility of an outcome.
    #[inline]
    pub fn utility(&self, outcome: u64) -> f64 {
        self.utility[outcome as usize]
    }

    /// The best outcome (highest utility; the smallest index among ties).
    pub fn best(&self) -> u64 {
        let top = self.utility(u64::from(*self.ascending.last().expect("non-empty")));
        let first = self.ascending.partition_point(|&o| self.utility[o as usize] < top);
        u64::from(self.ascending[first])
    }

    /// The highest utility.
    pub fn max(&self) -> f64 {
        self.utility(u64::from(*self.ascending.last().expect("non-empty")))
    }

    /// The lowest utility.
    pub fn min(&self) -> f64 {
        self.utility(u64::from(self.ascending[0]))
    }

    /// The outcome with the lowest utility at or above `level` (ties: smallest index),
    /// or `None` if every outcome is below it.
    pub fn worst_at_least(&self, level: f64) -> Option<u64> {
        let at = self.ascending.partition_point(|&o| self.utility[o as usize] < level);
        self.ascending.get(at).map(|&o| u64::from(o))
    }

    /// Outcomes with utility in `[lo, hi]`, utility ascending.
    pub fn within(&self, lo: f64, hi: f64) -> &[u32] {
        let a = self.ascending.partition_point(|&o| self.utility[o as usize] < lo);
        let b = self.ascending.partition_point(|&o| self.utility[o as usize] <= hi);
        &self.ascending[a..b.max(a)]
    }
}

/// A negotiation domain: the outcome space and every actor's ranking of it.
#[derive(Debug, Clone)]
pub struct Domain {
    space: OutcomeSpace,
    rankings: Arc<Vec<Ranking>>,
    reservation: Vec<f64>,
    /// Per actor: discount factor δ (utility × δ^t at relative time t), if any.
    discount: Vec<Option<f64>>,
}

impl Domain {
    /// Ranks the outcome space for every actor of the model (in parallel across actors).
    pub fn new(model: &UtilityModel) -> Result<Self, Error> {
        let space = model.space().clone();
        let len = match space.len() {
            Some(n) if n <= MAX_NEGOTIATION_OUTCOMES => n,
            _ => return Err(Error::TooManyOutcomes { outcomes: space.len_f64(), limit: MAX_NEGOTIATION_OUTCOMES }),
        };
        // A text that an actor with a scoped veto would block cannot be adopted: no
        // negotiator offers or accepts it, as if it crossed everyone's red line.
        let mut blocked = Vec::new();
        if model.has_scoped_vetoes() {
            let mut digits = vec![0u32; space.n_issues()];
            blocked = (0..len)
                .map(|o| {
                    space.decode_into(&mut o.clone(), &mut digits);
                    model.is_blocked_by_scoped_veto(&digits)
                })
                .collect();
        }
        let rankings: Vec<Ranking> = (0..model.n_actors()).map(|a| Ranking::new(model, a, len, &blocked)).collect();
        if let Some(actor) = rankings.iter().position(|r| r.ascending.is_empty()) {
            return Err(Error::NothingAcceptable { actor });
        }
        Ok(Self {
            space,
            rankings: Arc::new(rankings),
            reservation: model.reservation().to_vec(),
            discount: vec![None; model.n_actors()],
        })
    }

    /// The domain restricted to the outcomes `keep` accepts (outcome indices are
    /// unchanged); negotiators then only see and offer those. `keep` must accept at least
    /// one outcome.
    pub fn restricted(&self, keep: impl Fn(u64) -> bool) -> Domain {
        let rankings: Vec<Ranking> = self.rankings.iter().map(|r| r.restricted(&keep)).collect();
        assert!(rankings.iter().all(|r| !r.ascending.is_empty()), "a restriction keeps at least one outcome");
        Domain { rankings: Arc::new(rankings), ..self.clone() }
    }

    /// The domain as seen by a subset of the actors, in the given order: negotiator `i` of
    /// a run on the result is actor `actors[i]` of this domain.
    pub fn with_parties(&self, actors: &[usize]) -> Domain {
        Domain {
            space: self.space.clone(),
            rankings: Arc::new(actors.iter().map(|&a| self.rankings[a].clone()).collect()),
            reservation: actors.iter().map(|&a| self.reservation[a]).collect(),
            discount: actors.iter().map(|&a| self.discount[a]).collect(),
        }
    }

    /// Sets each actor's discount factor.
    pub fn with_discount(mut self, discount: Vec<Option<f64>>) -> Self {
        assert_eq!(discount.len(), self.rankings.len(), "one discount per actor");
        self.discount = discount;
        self
    }

    /// Replaces the reservation values (they move with the war in later models); the
    /// rankings are shared, not recomputed.
    pub fn with_reservation(mut self, reservation: Vec<f64>) -> Self {
        assert_eq!(reservation.len(), self.rankings.len(), "one reservation value per actor");
        self.reservation = reservation;
        self
    }

    /// The outcome space.
    pub fn space(&self) -> &OutcomeSpace {
        &self.space
    }

    /// Number of actors.
    pub fn n_actors(&self) -> usize {
        self.rankings.len()
    }

    /// One actor's ranking.
    pub fn ranking(&self, actor: usize) -> &Ranking {
        &self.rankings[actor]
    }

    /// One actor's reservation value.
    pub fn reservation(&self, actor: usize) -> f64 {
        self.reservation[actor]
    }

    /// One actor's discount factor.
    pub fn discount(&self, actor: usize) -> Option<f64> {
        self.discount[actor]
    }

    /// Utility of `outcome` to `actor` at relative time `t`, discounted if the actor
    /// discounts (Genius convention: `u · δ^t`).
    pub fn discounted_utility(&self, actor: usize, outcome: u64, t: f64) -> f64 {
        self.discounted(actor, self.rankings[actor].utility(outcome), t)
    }

    /// The actor's reservation value at relative time `t`, discounted like utilities.
    pub fn discounted_reservation(&self, actor: usize, t: f64) -> f64 {
        self.discounted(actor, self.reservation[actor], t)
    }

    /// `u · δ^t` (a factor of 0 or 1 means no discounting, as in Genius).
    fn discounted(&self, actor: usize, u: f64, t: f64) -> f64 {
        match self.discount[actor] {
            Some(d) if d > 0.0 && d < 1.0 => u * d.powf(t),
            _ => u,
        }
    }
}
