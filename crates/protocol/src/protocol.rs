//! Protocols (mechanisms) and the one runner that drives them.
//!
//! A [`Protocol`] implements one round at a time ([`Protocol::step`]) over a [`Session`]
//! that holds everything a negotiation has: the domain, the negotiators, the injected RNG,
//! the clock in rounds and the offers made. [`run`] owns the loop, the deadline, the
//! trace and the observers, and returns a [`Run`] whose ending is a [`Termination`] — an
//! enum, never a set of flags.

use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use serde::Serialize;

use crate::domain::Domain;
use crate::strategy::{Offer, Response, Strategy, View};

/// How a negotiation ended.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Termination {
    /// Every party accepted this outcome.
    Agreement {
        /// The agreed outcome.
        outcome: u64,
        /// The round of agreement (0-based).
        round: u32,
    },
    /// A party walked away.
    Breakdown {
        /// Who ended it.
        by: usize,
        /// In which round.
        round: u32,
    },
    /// The deadline passed without agreement.
    Deadline {
        /// Rounds played.
        rounds: u32,
    },
}

impl std::fmt::Display for Termination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Termination::Agreement { outcome, round } => write!(f, "agreement on outcome {outcome} in round {round}"),
            Termination::Breakdown { by, round } => write!(f, "breakdown: party {by} walked away in round {round}"),
            Termination::Deadline { rounds } => write!(f, "deadline: no agreement in {rounds} rounds"),
        }
    }
}

/// One action in a negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Event {
    /// The round (0-based).
    pub round: u32,
    /// The party acting.
    pub actor: usize,
    /// What it did.
    pub action: Action,
}

/// What a party did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Offered an outcome.
    Offer {
        /// The outcome.
        outcome: u64,
    },
    /// The mediator tabled a single text: the opening one (round 0) or a revision every
    /// party voted for (the actor is the mediator, or for a neutral mediator the last
    /// party to vote).
    Text {
        /// The text.
        outcome: u64,
    },
    /// Answered the standing offer.
    Respond {
        /// The answer.
        response: Response,
        /// The least utility the party would accept at that moment, if its strategy
        /// has such a demand ([`crate::Strategy::aspiration`]).
        aspiration: Option<f64>,
    },
}

/// The state of a negotiation in progress.
pub struct Session<'a> {
    /// The domain.
    pub domain: &'a Domain,
    /// The parties, one strategy per actor of the domain.
    pub negotiators: &'a mut [Box<dyn Strategy>],
    /// The injected random stream.
    pub rng: ChaCha12Rng,
    /// The current round (0-based).
    pub round: u32,
    /// The deadline in rounds.
    pub rounds: u32,
    /// Every offer so far.
    pub offers: Vec<Offer>,
    /// Every action so far (empty when the trace is not recorded).
    pub events: Vec<Event>,
    record: bool,
}

impl Session<'_> {
    /// Relative time of the current round, NegMAS's convention: `(round + 1) / (rounds + 1)`.
    pub fn time(&self) -> f64 {
        f64::from(self.round + 1) / f64::from(self.rounds + 1)
    }

    /// Asks `actor` for an offer and records it.
    pub fn propose(&mut self, actor: usize) -> u64 {
        let time = self.time();
        let view = view(self.domain, actor, time, self.round, &self.offers);
        let outcome = self.negotiators[actor].propose(&view, &mut self.rng);
        self.offers.push(Offer { by: actor, outcome, round: self.round });
        if self.record {
            self.events.push(Event { round: self.round, actor, action: Action::Offer { outcome } });
        }
        outcome
    }

    /// Asks `actor` whether to move from the current text to a candidate.
    pub fn vote(&mut self, actor: usize, current: u64, candidate: u64) -> bool {
        let time = self.time();
        let view = view(self.domain, actor, time, self.round, &self.offers);
        self.negotiators[actor].vote(&view, current, candidate, &mut self.rng)
    }

    /// Asks `actor` to answer an offer and records the answer.
    pub fn respond(&mut self, actor: usize, offer: u64) -> Response {
        let time = self.time();
        let view = view(self.domain, actor, time, self.round, &self.offers);
        let response = self.negotiators[actor].respond(&view, offer, &mut self.rng);
        if self.record {
            let aspiration = self.negotiators[actor].aspiration(&view);
            self.events.push(Event { round: self.round, actor, action: Action::Respond { response, aspiration } });
        }
        response
    }
}

/// What `actor` may see: its own ranking and reservation value, the clock, the offers.
fn view<'v>(domain: &'v Domain, actor: usize, time: f64, round: u32, offers: &'v [Offer]) -> View<'v> {
    View { actor, ranking: domain.ranking(actor), reservation: domain.reservation(actor), time, round, offers }
}

/// A negotiation protocol: one round at a time.
pub trait Protocol {
    /// Called once before the first round.
    fn init(&mut self, _session: &mut Session<'_>) {}

    /// Plays one round; returns how the negotiation ended, if it did.
    fn step(&mut self, session: &mut Session<'_>) -> Option<Termination>;
}

/// Receives a negotiation's progress (progress bars, writers, live views live outside the
/// engine and implement this).
pub trait Observe {
    /// After each round.
    fn on_round(&mut self, _round: u32, _session_events: &[Event]) {}
    /// At the end.
    fn on_end(&mut self, _run: &Run) {}
}

/// An observer that does nothing.
pub struct NoObserver;
impl Observe for NoObserver {}

/// Settings of one negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// Deadline in rounds.
    pub rounds: u32,
    /// Seed of the negotiation's random stream.
    pub seed: u64,
    /// Stream index (one per replicate or pairing) under the seed.
    pub stream: u64,
    /// Whether to keep every action.
    pub record_trace: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self { rounds: 100, seed: 0, stream: 0, record_trace: true }
    }
}

/// A finished negotiation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Run {
    /// How it ended.
    pub termination: Termination,
    /// Rounds played.
    pub rounds: u32,
    /// Every party's utility of the agreement, discounted to the time of agreement, or
    /// without one its reservation value discounted to the time the talks ended.
    pub utilities: Vec<f64>,
    /// Every action (empty unless recorded).
    pub trace: Vec<Event>,
}

/// Runs a negotiation to its end.
pub fn run(
    protocol: &mut dyn Protocol,
    domain: &Domain,
    negotiators: &mut [Box<dyn Strategy>],
    config: RunConfig,
    observer: &mut dyn Observe,
) -> Run {
    assert_eq!(negotiators.len(), domain.n_actors(), "one negotiator per actor");
    let mut rng = ChaCha12Rng::seed_from_u64(config.seed);
    rng.set_stream(config.stream);
    let mut session = Session {
        domain,
        negotiators,
        rng,
        round: 0,
        rounds: config.rounds.max(1),
        offers: Vec::new(),
        events: Vec::new(),
        record: config.record_trace,
    };
    let time = session.time();
    for (actor, negotiator) in session.negotiators.iter_mut().enumerate() {
        negotiator.init(&view(domain, actor, time, 0, &[]));
    }
    protocol.init(&mut session);
    let termination = loop {
        if session.round >= session.rounds {
            break Termination::Deadline { rounds: session.rounds };
        }
        let ended = protocol.step(&mut session);
        observer.on_round(session.round, &session.events);
        if let Some(t) = ended {
            break t;
        }
        session.round += 1;
    };
    // Agreements and reservation values are both discounted to the time the talks ended
    // (Genius's convention; no discount factor means no discounting).
    let ended = match termination {
        Termination::Agreement { round, .. } | Termination::Breakdown { round, .. } => round,
        Termination::Deadline { rounds } => rounds,
    };
    let t = (f64::from(ended + 1) / f64::from(session.rounds + 1)).min(1.0);
    let utilities = match termination {
        Termination::Agreement { outcome, .. } => {
            (0..domain.n_actors()).map(|a| domain.discounted_utility(a, outcome, t)).collect()
        }
        _ => (0..domain.n_actors()).map(|a| domain.discounted_reservation(a, t)).collect(),
    };
    let run = Run { termination, rounds: session.round.min(session.rounds) + 1, utilities, trace: session.events };
    observer.on_end(&run);
    run
}

/// Stacked alternating offers (SAOP, as in ANAC and NegMAS): parties act in a fixed
/// order; each answers the standing offer and, if it rejects, makes its own. An offer is
/// agreed when every other party has accepted it in turn. With two parties this is the
/// bilateral alternating-offers protocol (Rubinstein 1982).
#[derive(Clone, Debug, Default)]
pub struct StackedAlternatingOffers {
    standing: Option<(u64, usize)>,
    accepted: usize,
}

impl Protocol for StackedAlternatingOffers {
    fn init(&mut self, _session: &mut Session<'_>) {
        self.standing = None;
        self.accepted = 0;
    }

    fn step(&mut self, session: &mut Session<'_>) -> Option<Termination> {
        let n = session.domain.n_actors();
        for actor in 0..n {
            match self.standing {
                None => {
                    let outcome = session.propose(actor);
                    self.standing = Some((outcome, actor));
                    self.accepted = 0;
                }
                Some((offer, _)) => match session.respond(actor, offer) {
                    Response::Accept => {
                        self.accepted += 1;
                        if self.accepted == n - 1 {
                            return Some(Termination::Agreement { outcome: offer, round: session.round });
                        }
                    }
                    Response::Reject => {
                        let outcome = session.propose(actor);
                        self.standing = Some((outcome, actor));
                        self.accepted = 0;
                    }
                    Response::EndNegotiation => {
                        return Some(Termination::Breakdown { by: actor, round: session.round });
                    }
                },
            }
        }
        None
    }
}

/// A mediated single negotiating text (Raiffa, *The Art and Science of Negotiation*, 1982;
/// the iterative form of Klein, Faratin, Sayama & Bar-Yam, "Negotiating complex
/// contracts", Group Decision and Negotiation 12 (2003), doi:10.1023/A:1023068821218).
///
/// Each round the mediator tables the current text; if every party accepts it (by its
/// strategy's acceptance rule), it is agreed. Otherwise the mediator drafts a revision —
/// the text with one issue changed — and adopts it if every party votes for it. The
/// mediator sees only answers and votes, never utilities. A mediator with interests of its
/// own (`mediator = Some(actor)`, like the US in the Ukraine scenario) drafts
/// `candidates` revisions and tables the one it likes best; a neutral mediator drafts one
/// at random. The first text is the mediator's own best outcome, or for a neutral
/// mediator a random one — unless an opening text is given ([`MediatedText::opening`]).
#[derive(Clone, Debug)]
pub struct MediatedText {
    /// The actor whose interests steer the drafts (`None`: neutral).
    pub mediator: Option<usize>,
    /// Drafts considered per round by an interested mediator.
    pub candidates: usize,
    /// The first text, if the mediator brings one (for example a framework drafted
    /// beforehand); otherwise the mediator's best outcome or a random one.
    pub opening: Option<u64>,
    text: u64,
}

impl MediatedText {
    /// A mediated negotiation; `mediator` steers the drafts if given.
    pub fn new(mediator: Option<usize>) -> Self {
        Self { mediator, candidates: 8, opening: None, text: 0 }
    }

    /// The same, opening with `text`.
    pub fn opening_with(mut self, text: u64) -> Self {
        self.opening = Some(text);
        self
    }

    fn revision(&self, session: &mut Session<'_>) -> u64 {
        use rand::RngExt;
        let domain = session.domain;
        let space = domain.space();
        // One issue's option moved on, read off the text's index without decoding it.
        let mut draft = || {
            let issue = session.rng.random_range(0..space.n_issues());
            let radix = space.radices()[issue];
            if radix <= 1 {
                return self.text;
            }
            let shift = session.rng.random_range(1..radix);
            space.shift_option(self.text, issue, shift)
        };
        match self.mediator {
            None => draft(),
            Some(m) => {
                let ranking = domain.ranking(m);
                let mut best = draft();
                for _ in 1..self.candidates.max(1) {
                    let d = draft();
                    if ranking.utility(d) > ranking.utility(best) {
                        best = d;
                    }
                }
                best
            }
        }
    }
}

impl Protocol for MediatedText {
    fn init(&mut self, session: &mut Session<'_>) {
        use rand::RngExt;
        self.text = match (self.opening, self.mediator) {
            (Some(text), _) => text,
            (None, Some(m)) => session.domain.ranking(m).best(),
            (None, None) => session.rng.random_range(0..session.domain.space().len().unwrap_or(1)),
        };
        if session.record {
            let actor = self.mediator.unwrap_or(session.domain.n_actors() - 1);
            session.events.push(Event { round: 0, actor, action: Action::Text { outcome: self.text } });
        }
    }

    fn step(&mut self, session: &mut Session<'_>) -> Option<Termination> {
        let n = session.domain.n_actors();
        let text = self.text;
        let mut all_accept = true;
        for actor in 0..n {
            match session.respond(actor, text) {
                Response::Accept => {}
                Response::Reject => all_accept = false,
                Response::EndNegotiation => return Some(Termination::Breakdown { by: actor, round: session.round }),
            }
        }
        if all_accept {
            return Some(Termination::Agreement { outcome: text, round: session.round });
        }
        let candidate = self.revision(session);
        // Texts are the mediator's, not offers by a party, so they are not in the offer
        // history (tit-for-tat has nothing to reciprocate in mediated talks).
        if (0..n).all(|actor| session.vote(actor, text, candidate)) {
            self.text = candidate;
            if session.record {
                let actor = self.mediator.unwrap_or(n - 1);
                session.events.push(Event { round: session.round, actor, action: Action::Text { outcome: candidate } });
            }
        }
        None
    }
}

/// Sequenced talks: working-level stages settle some issues first, then a summit settles
/// the rest (the order the sources describe Russia insisting on). Each stage is a stacked
/// alternating-offers negotiation over whole packages, restricted to the packages that
/// keep what earlier stages agreed; its agreement fixes only the stage's own issues. A
/// stage that fails ends the talks.
#[derive(Clone, Debug)]
pub struct Sequenced {
    /// Issue indices settled by each stage, in order; issues in no stage are settled at the
    /// summit, a final stage added automatically.
    pub stages: Vec<Vec<usize>>,
    /// Deadline of each stage, in rounds.
    pub rounds_per_stage: u32,
}

/// The result of sequenced talks: each stage's run, and how the talks ended overall.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SequencedRun {
    /// Every stage's run, in order (the last one is the summit if reached).
    pub stages: Vec<Run>,
    /// Agreement on the final package, or the failure of the stage that failed.
    pub termination: Termination,
    /// Every party's utility of the final package (reservation values without one).
    pub utilities: Vec<f64>,
}

impl Sequenced {
    /// Runs the stages with the same negotiators (each stage restarts their clocks).
    pub fn run(
        &self,
        domain: &Domain,
        strategies: &[crate::StrategyKind],
        config: RunConfig,
        observer: &mut dyn Observe,
    ) -> SequencedRun {
        let space = domain.space().clone();
        let n_issues = space.n_issues();
        let mut stages = self.stages.clone();
        let staged: Vec<usize> = stages.iter().flatten().copied().collect();
        let summit: Vec<usize> = (0..n_issues).filter(|i| !staged.contains(i)).collect();
        if !summit.is_empty() {
            stages.push(summit);
        }
        // The options agreed so far (None: still open).
        let mut fixed: Vec<Option<u32>> = vec![None; n_issues];
        let mut runs = Vec::new();
        let mut round_offset = 0;
        for (k, issues) in stages.iter().enumerate() {
            let pinned = fixed.clone();
            let stage_domain = domain.restricted(|o| {
                let digits = space.decode(o);
                digits.iter().zip(&pinned).all(|(d, f)| f.is_none_or(|f| f == *d))
            });
            let mut negotiators: Vec<Box<dyn Strategy>> = strategies.iter().map(|s| s.build()).collect();
            let stage_config =
                RunConfig { rounds: self.rounds_per_stage, stream: config.stream.wrapping_add(k as u64), ..config };
            let r =
                run(&mut StackedAlternatingOffers::default(), &stage_domain, &mut negotiators, stage_config, observer);
            let termination = r.termination;
            runs.push(r);
            match termination {
                Termination::Agreement { outcome, round } => {
                    let digits = space.decode(outcome);
                    for &i in issues {
                        fixed[i] = Some(digits[i]);
                    }
                    round_offset += round + 1;
                }
                Termination::Breakdown { by, round } => {
                    let utilities = (0..domain.n_actors()).map(|a| domain.reservation(a)).collect();
                    return SequencedRun {
                        stages: runs,
                        termination: Termination::Breakdown { by, round: round_offset + round },
                        utilities,
                    };
                }
                Termination::Deadline { rounds } => {
                    let utilities = (0..domain.n_actors()).map(|a| domain.reservation(a)).collect();
                    return SequencedRun {
                        stages: runs,
                        termination: Termination::Deadline { rounds: round_offset + rounds },
                        utilities,
                    };
                }
            }
        }
        let digits: Vec<u32> = fixed.iter().map(|f| f.expect("every issue is settled by some stage")).collect();
        let outcome = space.encode(&digits);
        let utilities = runs.last().map(|r| r.utilities.clone()).unwrap_or_default();
        SequencedRun {
            stages: runs,
            termination: Termination::Agreement { outcome, round: round_offset.saturating_sub(1) },
            utilities,
        }
    }
}
