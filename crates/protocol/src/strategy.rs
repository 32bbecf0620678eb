//! Negotiation strategies: how a party makes offers and answers them.
//!
//! A [`Strategy`] sees only what a protocol lets it see — a [`View`]: its own ranking of
//! the outcomes, its reservation value, the time, and the offers made so far — never
//! another party's utilities. Everything random comes from the RNG the runner injects.
//!
//! Time-dependent concession follows Faratin, Sierra & Jennings, "Negotiation
//! decision functions for autonomous agents", Robotics and Autonomous Systems 24 (1998),
//! doi:10.1016/S0921-8890(98)00029-3, in NegMAS's parametrisation so results can be
//! compared with NegMAS 0.16: the aspiration at relative time `t` is `a(t) = 1 − t^e`
//! on the actor's own utility range `[floor, max]` with `floor = max(worst utility,
//! reservation value)`; `e = 4` is Boulware (concedes late), `e = 1` linear, `e = 0.25`
//! conceder (concedes early). (Faratin's β is `1/e`.) The party offers the outcome with the
//! lowest utility at or above its aspiration and accepts an offer worth at least its
//! aspiration, both with NegMAS's tolerance of 1e-4.

use rand::RngExt;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};

use crate::domain::Ranking;

/// NegMAS's tolerance around aspiration levels.
pub const ASPIRATION_TOLERANCE: f64 = 1e-4;

/// A party's answer to an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Agree to the standing offer.
    Accept,
    /// Reject it (and make a counter-offer when it is this party's turn).
    Reject,
    /// Walk away: the negotiation breaks down.
    EndNegotiation,
}

/// An offer made during a negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// The party that made it.
    pub by: usize,
    /// The outcome offered.
    pub outcome: u64,
    /// The round it was made in.
    pub round: u32,
}

/// What a party may see when it acts.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    /// The party acting.
    pub actor: usize,
    /// Its utility of every outcome.
    pub ranking: &'a Ranking,
    /// Its current reservation value (may move between negotiations).
    pub reservation: f64,
    /// Relative time in `[0, 1]`.
    pub time: f64,
    /// The current round (0-based).
    pub round: u32,
    /// Every offer made so far, oldest first.
    pub offers: &'a [Offer],
}

impl View<'_> {
    /// The lowest utility the party would ever settle for: its worst outcome or its
    /// reservation value, whichever is higher.
    pub fn floor(&self) -> f64 {
        self.ranking.min().max(self.reservation)
    }

    /// A level on the `[0, 1]` aspiration scale mapped to the party's utility range.
    pub fn level(&self, aspiration: f64) -> f64 {
        let (lo, hi) = (self.floor(), self.ranking.max());
        lo + (hi - lo) * aspiration
    }
}

/// How a party negotiates.
pub trait Strategy: Send {
    /// Called once before the first round.
    fn init(&mut self, _view: &View<'_>) {}

    /// The outcome to offer now.
    fn propose(&mut self, view: &View<'_>, rng: &mut ChaCha12Rng) -> u64;

    /// The answer to an offer.
    fn respond(&mut self, view: &View<'_>, offer: u64, rng: &mut ChaCha12Rng) -> Response;

    /// In a mediated single-text negotiation: whether to support replacing the current
    /// text by the candidate. By default a party votes truthfully: yes when the
    /// candidate is worth at least as much to it.
    fn vote(&mut self, view: &View<'_>, current: u64, candidate: u64, _rng: &mut ChaCha12Rng) -> bool {
        view.ranking.utility(candidate) >= view.ranking.utility(current)
    }

    /// The least utility the party would accept now (its demand), if it has one: what a
    /// trace shows to explain why a package was accepted or refused.
    fn aspiration(&self, _view: &View<'_>) -> Option<f64> {
        None
    }
}

/// The built-in strategies, by name: what the command line and tournaments choose from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StrategyKind {
    /// Time-dependent concession with exponent `e` (Boulware e > 1, conceder e < 1).
    TimeDependent {
        /// The exponent of `a(t) = 1 − t^e`.
        exponent: f64,
    },
    /// Offers its best outcome and accepts nothing worse.
    Hardliner,
    /// Relative tit-for-tat: concedes, in its own utility, as much as the other side's
    /// last move conceded in its utility.
    TitForTat,
    /// Time-dependent (exponent `e`) over the range above its *current* reservation
    /// value, never accepting below it: as its alternative to a deal worsens, it concedes.
    BatnaAware {
        /// The exponent of its concession curve.
        exponent: f64,
    },
    /// A random baseline: offers a random outcome above its reservation value and
    /// accepts any such offer with probability one half.
    Random,
}

impl StrategyKind {
    /// NegMAS's Boulware (e = 4).
    pub const BOULWARE: StrategyKind = StrategyKind::TimeDependent { exponent: 4.0 };
    /// Linear concession (e = 1).
    pub const LINEAR: StrategyKind = StrategyKind::TimeDependent { exponent: 1.0 };
    /// NegMAS's conceder (e = 0.25).
    pub const CONCEDER: StrategyKind = StrategyKind::TimeDependent { exponent: 0.25 };

    /// Parses `boulware`, `linear`, `conceder`, `hardliner`, `tit-for-tat`,
    /// `batna-aware`, `random`, or `time:E` / `batna:E` with an exponent.
    pub fn parse(text: &str) -> Option<StrategyKind> {
        let exponent = |s: &str| s.parse::<f64>().ok().filter(|e| e.is_finite() && *e > 0.0);
        Some(match text {
            "boulware" => Self::BOULWARE,
            "linear" => Self::LINEAR,
            "conceder" => Self::CONCEDER,
            "hardliner" => StrategyKind::Hardliner,
            "tit-for-tat" => StrategyKind::TitForTat,
            "batna-aware" => StrategyKind::BatnaAware { exponent: 4.0 },
            "random" => StrategyKind::Random,
            _ => match text.split_once(':') {
                Some(("time", e)) => StrategyKind::TimeDependent { exponent: exponent(e)? },
                Some(("batna", e)) => StrategyKind::BatnaAware { exponent: exponent(e)? },
                _ => return None,
            },
        })
    }

    /// A fresh negotiator playing this strategy.
    pub fn build(self) -> Box<dyn Strategy> {
        match self {
            StrategyKind::TimeDependent { exponent } => Box::new(TimeDependent { exponent }),
            StrategyKind::Hardliner => Box::new(Hardliner),
            StrategyKind::TitForTat => Box::new(TitForTat::default()),
            StrategyKind::BatnaAware { exponent } => Box::new(BatnaAware { exponent }),
            StrategyKind::Random => Box::new(RandomStrategy),
        }
    }
}

/// Offers the worst outcome at or above `level` (the best if none is).
fn offer_at(view: &View<'_>, level: f64) -> u64 {
    let level = (level - ASPIRATION_TOLERANCE).max(view.floor() - ASPIRATION_TOLERANCE);
    view.ranking.worst_at_least(level).unwrap_or_else(|| view.ranking.best())
}

/// Time-dependent concession (NegMAS's `BoulwareTBNegotiator`, `LinearTBNegotiator`,
/// `ConcederTBNegotiator` for e = 4, 1, 0.25).
#[derive(Clone, Debug)]
pub struct TimeDependent {
    /// The exponent `e` of `a(t) = 1 − t^e`.
    pub exponent: f64,
}

impl TimeDependent {
    /// The aspiration level in the party's utility at the view's time.
    pub fn target(&self, view: &View<'_>) -> f64 {
        view.level(1.0 - view.time.clamp(0.0, 1.0).powf(self.exponent))
    }
}

impl Strategy for TimeDependent {
    fn propose(&mut self, view: &View<'_>, _: &mut ChaCha12Rng) -> u64 {
        offer_at(view, self.target(view))
    }

    fn respond(&mut self, view: &View<'_>, offer: u64, _: &mut ChaCha12Rng) -> Response {
        let u = view.ranking.utility(offer);
        if u >= self.target(view) - ASPIRATION_TOLERANCE && u >= view.reservation {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn aspiration(&self, view: &View<'_>) -> Option<f64> {
        Some(self.target(view).max(view.reservation))
    }
}

/// Never concedes.
#[derive(Clone, Copy, Debug)]
pub struct Hardliner;

impl Strategy for Hardliner {
    fn propose(&mut self, view: &View<'_>, _: &mut ChaCha12Rng) -> u64 {
        view.ranking.best()
    }

    fn respond(&mut self, view: &View<'_>, offer: u64, _: &mut ChaCha12Rng) -> Response {
        if view.ranking.utility(offer) >= view.ranking.max() - ASPIRATION_TOLERANCE {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn aspiration(&self, view: &View<'_>) -> Option<f64> {
        Some(view.ranking.max())
    }
}

/// Relative tit-for-tat (Faratin et al. 1998, imitative tactics), in own utility.
#[derive(Clone, Debug, Default)]
pub struct TitForTat {
    /// The party's current demand in its own utility.
    demand: Option<f64>,
}

impl Strategy for TitForTat {
    fn propose(&mut self, view: &View<'_>, _: &mut ChaCha12Rng) -> u64 {
        let max = view.ranking.max();
        // The other side's last two offers, valued by this party: their improvement is
        // the concession to reciprocate.
        let mut theirs =
            view.offers.iter().rev().filter(|o| o.by != view.actor).map(|o| view.ranking.utility(o.outcome));
        let concession = match (theirs.next(), theirs.next()) {
            (Some(last), Some(before)) => (last - before).max(0.0),
            _ => 0.0,
        };
        let demand = (self.demand.unwrap_or(max) - concession).max(view.floor());
        self.demand = Some(demand);
        offer_at(view, demand)
    }

    fn respond(&mut self, view: &View<'_>, offer: u64, _: &mut ChaCha12Rng) -> Response {
        let demand = self.demand.unwrap_or_else(|| view.ranking.max());
        let u = view.ranking.utility(offer);
        if u >= demand - ASPIRATION_TOLERANCE && u >= view.reservation { Response::Accept } else { Response::Reject }
    }

    fn aspiration(&self, view: &View<'_>) -> Option<f64> {
        Some(self.demand.unwrap_or_else(|| view.ranking.max()).max(view.reservation))
    }
}

/// Concedes over time towards its *current* reservation value and never below it.
#[derive(Clone, Debug)]
pub struct BatnaAware {
    /// The exponent of the concession curve.
    pub exponent: f64,
}

impl BatnaAware {
    /// The demand at the view's time: on the concession curve, never below the current
    /// reservation value.
    pub fn target(&self, view: &View<'_>) -> f64 {
        view.level(1.0 - view.time.clamp(0.0, 1.0).powf(self.exponent)).max(view.reservation)
    }
}

impl Strategy for BatnaAware {
    fn propose(&mut self, view: &View<'_>, _: &mut ChaCha12Rng) -> u64 {
        offer_at(view, self.target(view))
    }

    fn respond(&mut self, view: &View<'_>, offer: u64, _: &mut ChaCha12Rng) -> Response {
        if view.ranking.utility(offer) >= self.target(view) - ASPIRATION_TOLERANCE {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn aspiration(&self, view: &View<'_>) -> Option<f64> {
        Some(self.target(view))
    }
}

/// A random baseline.
#[derive(Clone, Copy, Debug)]
pub struct RandomStrategy;

impl Strategy for RandomStrategy {
    fn propose(&mut self, view: &View<'_>, rng: &mut ChaCha12Rng) -> u64 {
        let acceptable = view.ranking.within(view.reservation, f64::INFINITY);
        if acceptable.is_empty() {
            view.ranking.best()
        } else {
            u64::from(acceptable[rng.random_range(0..acceptable.len())])
        }
    }

    fn respond(&mut self, view: &View<'_>, offer: u64, rng: &mut ChaCha12Rng) -> Response {
        if view.ranking.utility(offer) >= view.reservation && rng.random_bool(0.5) {
            Response::Accept
        } else {
            Response::Reject
        }
    }
}
