//! Offers, moves and the round loop (sections 5 and 6 of the specification), and the
//! result: every actor's position, the median and the mean after every round, with the
//! moves and risk exponents that led there.

use serde::Serialize;

use crate::error::ForecastError;
use crate::model::{Dataset, Median, median, same_position, weighted_mean};
use crate::options::{CompromiseKey, Options, Perspective, RangeRule};
use crate::pairwise::{Pass, Setting};
use crate::risk::risk_exponents;

/// Which octant an accepted offer falls in (\[S\] figure 2), from the receiver's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    /// Both would challenge and the other side expects more (`b > a > 0`): the receiver
    /// loses the confrontation and moves all the way to the other's position.
    Confrontation,
    /// The receiver would lose by challenging and the other side has the upper hand
    /// (`a < 0 < b`, `b > |a|`): it moves part of the way, by `|a / b|` of the distance.
    Compromise,
    /// The receiver would lose by challenging and the other's gain is smaller than that loss
    /// (`a < 0 < b`, `b < |a|`): it gives in, moving all the way. Only with
    /// [`Options::capitulation`].
    Capitulation,
}

impl MoveKind {
    /// The verb of a move, for reports: "loses a confrontation with", "compromises with",
    /// "capitulates to".
    pub fn verb(self) -> &'static str {
        match self {
            MoveKind::Confrontation => "loses a confrontation with",
            MoveKind::Compromise => "compromises with",
            MoveKind::Capitulation => "capitulates to",
        }
    }
}

/// One actor's move in a round: the offer it accepted.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Move {
    /// The actor who moves (the receiver of the offer), by index.
    pub actor: usize,
    /// The actor whose offer it accepted, by index.
    pub counterpart: usize,
    /// The octant.
    pub kind: MoveKind,
    /// Its position before the round.
    pub from: f64,
    /// Its position after the round.
    pub to: f64,
    /// `a = EU_i(i→j)`: what the mover expects from challenging the counterpart.
    pub challenge: f64,
    /// `b = EU_i(j→i)`: what the mover expects the counterpart to gain by challenging it.
    pub threat: f64,
}

/// Where everyone stands at the end of a round (or at the start, for round 0).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct State {
    /// Every actor's position, in input order.
    pub positions: Vec<f64>,
    /// The median voter position `μ`: the model's forecast.
    pub median: f64,
    /// Whether the median was decided by the tie rule (see [`crate::median`]).
    pub median_tie: bool,
    /// The weighted mean position.
    pub mean: f64,
}

impl State {
    fn new(positions: Vec<f64>, weights: &[f64], range: f64) -> Self {
        let Median { position, tie } = median(&positions, weights, range);
        let mean = weighted_mean(&positions, weights);
        Self { positions, median: position, median_tie: tie, mean }
    }
}

/// One round: the risk exponents estimated at its start, the moves, and the state after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Round {
    /// The round's number, from 1.
    pub round: usize,
    /// Every actor's risk exponent in this round, in input order (in [0.5, 2]).
    pub risk: Vec<f64>,
    /// The moves, in the order of the actors who move.
    pub moves: Vec<Move>,
    /// Positions, median and mean after the moves.
    #[serde(flatten)]
    pub state: State,
}

/// Why the loop stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stop {
    /// It played the fixed number of rounds.
    Rounds,
    /// The convergence rule held after this round.
    Converged {
        /// The last round played.
        round: usize,
    },
}

/// A forecast: the path of every position, the median and the mean, round by round.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forecast {
    /// The actors' names, in input order (the order of every position vector).
    pub actors: Vec<String>,
    /// The range `R` that normalised distances.
    pub range: f64,
    /// The options the forecast ran with.
    pub options: Options,
    /// The start (round 0).
    pub initial: State,
    /// Rounds 1, 2, … in order.
    pub rounds: Vec<Round>,
    /// Why it stopped.
    pub stop: Stop,
}

impl Forecast {
    /// The states of rounds 0 (the start), 1, 2, …, in order.
    pub fn states(&self) -> impl Iterator<Item = &State> + '_ {
        std::iter::once(&self.initial).chain(self.rounds.iter().map(|r| &r.state))
    }

    /// The state after the last round: the forecast.
    pub fn last(&self) -> &State {
        self.rounds.last().map_or(&self.initial, |r| &r.state)
    }

    /// The median after the last round: the model's forecast.
    pub fn median(&self) -> f64 {
        self.last().median
    }

    /// The median of rounds 0, 1, 2, ….
    pub fn medians(&self) -> Vec<f64> {
        self.states().map(|s| s.median).collect()
    }

    /// The weighted mean of rounds 0, 1, 2, ….
    pub fn means(&self) -> Vec<f64> {
        self.states().map(|s| s.mean).collect()
    }

    /// Actor `actor`'s position in rounds 0, 1, 2, ….
    pub fn trajectory(&self, actor: usize) -> Vec<f64> {
        self.states().map(|s| s.positions[actor]).collect()
    }
}

/// Runs the model on `data` with `options`: `options.rounds` rounds, or fewer if the
/// optional convergence rule stops it.
pub fn forecast(data: &Dataset, options: &Options) -> Result<Forecast, ForecastError> {
    options.validate()?;
    let weights = data.weights();
    let saliences = data.saliences();
    let range = match options.range {
        RangeRule::Initial => data.range(),
        RangeRule::Scale => match (data.scale().min, data.scale().max) {
            (Some(lo), Some(hi)) if hi > lo => hi - lo,
            _ => data.range(),
        },
    };
    let initial = State::new(data.positions(), &weights, range);
    let mut rounds: Vec<Round> = Vec::with_capacity(options.rounds);
    let mut still = 0;
    let mut stop = Stop::Rounds;
    for round in 1..=options.rounds {
        let current = rounds.last().map_or(&initial, |r| &r.state);
        let setting = Setting {
            positions: &current.positions,
            weights: &weights,
            saliences: &saliences,
            range,
            q: options.q,
            median: current.median,
            denominator: options.denominator,
        };
        let (risk, moves) = play(setting, options);
        let mut positions = current.positions.clone();
        for m in &moves {
            positions[m.actor] = m.to;
        }
        let largest = moves.iter().map(|m| (m.to - m.from).abs()).fold(0.0, f64::max);
        rounds.push(Round { round, risk, moves, state: State::new(positions, &weights, range) });
        if let Some(rule) = options.convergence {
            still = if largest <= rule.tolerance { still + 1 } else { 0 };
            if still >= rule.patience {
                stop = Stop::Converged { round };
                break;
            }
        }
    }
    Ok(Forecast {
        actors: data.actors().iter().map(|a| a.name.clone()).collect(),
        range,
        options: *options,
        initial,
        rounds,
        stop,
    })
}

/// One round at the positions of `setting`: the risk exponents and every actor's move.
fn play(setting: Setting<'_>, options: &Options) -> (Vec<f64>, Vec<Move>) {
    let risk = risk_exponents(setting, options.risk_update);
    let votes = match options.votes {
        crate::options::VoteExponents::Risk => risk.clone(),
        crate::options::VoteExponents::Linear => vec![1.0; risk.len()],
    };
    let pass = Pass::new(setting, &votes);
    let moves =
        (0..setting.positions.len()).filter_map(|i| offer(&pass, setting.positions, &risk, i, options)).collect();
    (risk, moves)
}

/// The best offer receiver `i` gets, by \[S\] section 6.2's priority: the confrontation that
/// moves it least, else the compromise with the smallest key, else (if enabled) the
/// capitulation that moves it least. Ties go to the earliest counterpart.
fn offer(pass: &Pass<'_>, x: &[f64], risk: &[f64], i: usize, options: &Options) -> Option<Move> {
    let mut confrontation: Option<(f64, Move)> = None;
    let mut compromise: Option<(f64, Move)> = None;
    let mut capitulation: Option<(f64, Move)> = None;
    let keep = |slot: &mut Option<(f64, Move)>, key: f64, m: Move| {
        if slot.as_ref().is_none_or(|(best, _)| key < *best) {
            *slot = Some((key, m));
        }
    };
    for j in 0..x.len() {
        if j == i || same_position(x[i], x[j]) {
            continue;
        }
        let a = pass.expected_utility(i, j, risk[i]);
        let rho = match options.perspective {
            Perspective::Receiver => risk[i],
            Perspective::Own => risk[j],
        };
        let b = pass.expected_utility(j, i, rho);
        let full = |kind| Move { actor: i, counterpart: j, kind, from: x[i], to: x[j], challenge: a, threat: b };
        if b > a && a > 0.0 {
            keep(&mut confrontation, (x[i] - x[j]).abs(), full(MoveKind::Confrontation));
        } else if a < 0.0 && 0.0 < b && b > a.abs() {
            let (lo, hi) = (x[i].min(x[j]), x[i].max(x[j]));
            // Strictly between the two positions in exact arithmetic; the clamp only
            // guards against rounding past the counterpart.
            let to = (x[i] + (x[j] - x[i]) * (a / b).abs()).clamp(lo, hi);
            let key = match options.compromise {
                CompromiseKey::Weighted => (a.abs() * x[i] + b.abs() * x[j]) / (a.abs() + b.abs()),
                CompromiseKey::Signed => (a * x[i] + b * x[j]) / (a.abs() + b.abs()),
                CompromiseKey::LeastMove => (to - x[i]).abs(),
            };
            keep(&mut compromise, key, Move { to, ..full(MoveKind::Compromise) });
        } else if options.capitulation && a < 0.0 && 0.0 < b && b < a.abs() {
            keep(&mut capitulation, (x[i] - x[j]).abs(), full(MoveKind::Capitulation));
        }
    }
    confrontation.or(compromise).or(capitulation).map(|(_, m)| m)
}
