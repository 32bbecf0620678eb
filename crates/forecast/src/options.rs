//! The interpretation switches of the model (section 8 of the specification), one field
//! each, with the canonical reconstruction as the default.
//!
//! The references the switches name:
//!
//! * **\[S\]**: Scholz, Calbert & Smith (2011), the paper's printed formulas.
//! * **\[J\]**: the replication the specification calls canonical (it reproduces the
//!   paper's published results); every default below is its choice.
//! * **\[Di\]**: a second independent replication, which makes the same moves as \[J\] on the
//!   emission example.

use serde::Serialize;

use crate::error::ForecastError;

/// The denominator of the probability that one position prevails over another (switch 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// **Canonical** (\[J\], \[Di\]): the sum of `|v_k(x_m, x_l)|` over every ordered triple of
    /// actors, computed once per pass; probabilities are of order `1/n²`.
    #[default]
    Global,
    /// The paper's printed formula (\[S\] eqs. 30–31): the sum of `|v_k(a, b)|` over the
    /// voters of this pair only, so `P(a, b) + P(b, a) = 1`.
    Pairwise,
}

/// Which exponents the votes inside the probabilities use (switch 2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteExponents {
    /// **Canonical** (\[J\], \[Di\]): each voter's current risk exponent `r_k`.
    #[default]
    Risk,
    /// The paper (\[S\]): linear votes, every exponent 1.
    Linear,
}

/// Whose risk exponent evaluates the other side's challenge (switch 3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Perspective {
    /// **Canonical** (\[J\], \[Di\]): the receiver `i` judges both `EU(i→j)` and `EU(j→i)`
    /// with its own exponent `r_i`.
    #[default]
    Receiver,
    /// The paper's eqs. 25a/25b read literally: `EU(j→i)` with `j`'s own exponent `r_j`.
    Own,
}

/// How the risk exponents of a round are assigned (switch 5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskUpdate {
    /// **Canonical** (\[J\]): every exponent from the same all-ones state, assigned at once.
    #[default]
    Batch,
    /// \[Di\]: one actor at a time, in input order; the votes of actor `i`'s estimate already
    /// use the new exponents of the actors before it.
    Sequential,
}

/// Which compromise a receiver takes when it has several (switch 7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompromiseKey {
    /// **Canonical** (\[J\], after Scholz's code): the smallest
    /// `K = (|a|·x_i + |b|·x_j) / (|a| + |b|)`, a weighted midpoint, not the resulting
    /// position. It favours offers that lie low on the scale.
    #[default]
    Weighted,
    /// \[Di\]: the smallest `K' = (a·x_i + b·x_j) / (|a| + |b|)` with `a` signed.
    Signed,
    /// The paper's wording, "move the least": the smallest `|target − x_i|`.
    LeastMove,
}

/// The range `R` that normalises distances (switch 13).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeRule {
    /// **Canonical** (every replication): the range of the initial positions.
    #[default]
    Initial,
    /// The ends of the dataset's scale, when it has both (otherwise the initial range):
    /// the range a replication that is handed the scale explicitly uses.
    Scale,
}

/// An optional stopping rule (switch 14): stop once no actor has moved more than
/// `tolerance` for `patience` consecutive rounds. Not part of any reference: the references
/// stop after a fixed number of rounds, and on the emission example the dynamics never
/// settle.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Convergence {
    /// Largest move, in scale units, that counts as standing still (≥ 0).
    pub tolerance: f64,
    /// Consecutive rounds of standing still before stopping (≥ 1).
    pub patience: usize,
}

/// A named combination of the switches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// The canonical reconstruction \[J\]: the default of every switch.
    #[default]
    Canonical,
    /// The replication \[Di\]: sequential risk update, the capitulation octant reachable, the
    /// signed compromise key.
    Di,
    /// The paper's printed formulas \[S\]: pairwise denominator, linear votes, the other
    /// side's own exponent, the capitulation octant reachable, "move the least".
    Paper,
}

/// Every switch of the model, the number of rounds and the stopping rule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Options {
    /// Rounds to play (the specification's τ; at least 1).
    pub rounds: usize,
    /// Switch 1: the denominator of `P`.
    pub denominator: Denominator,
    /// Switch 2: the exponents inside the votes of `P`.
    pub votes: VoteExponents,
    /// Switch 3: whose exponent evaluates the other side's challenge.
    pub perspective: Perspective,
    /// Switch 5: batch or sequential risk update.
    pub risk_update: RiskUpdate,
    /// Switch 6: whether the capitulation octant can be selected. Off in the canonical
    /// reference, where a faulty comparison makes it unreachable; on in \[Di\].
    pub capitulation: bool,
    /// Switch 7: which compromise is taken.
    pub compromise: CompromiseKey,
    /// Switch 13: the range that normalises distances.
    pub range: RangeRule,
    /// Switch 12: `Q`, the probability that the status quo holds if nobody challenges, in
    /// [0, 1]. Every reference uses 1. Below 1 the expected utilities gain the terms of
    /// \[S\] eqs. 22–23, with the current median voter position as `μ` (switch 10) and the
    /// specification's reading of `T` (switch 11): `T = 1` when the challenger is nearer
    /// the median than the target.
    pub q: f64,
    /// Switch 14: stop early once positions stand still (default: off).
    pub convergence: Option<Convergence>,
}

impl Default for Options {
    fn default() -> Self {
        Self::canonical()
    }
}

impl Options {
    /// The default number of rounds: ten, as the specification validates.
    pub const DEFAULT_ROUNDS: usize = 10;

    /// The canonical reconstruction, ten rounds.
    pub fn canonical() -> Self {
        Self {
            rounds: Self::DEFAULT_ROUNDS,
            denominator: Denominator::Global,
            votes: VoteExponents::Risk,
            perspective: Perspective::Receiver,
            risk_update: RiskUpdate::Batch,
            capitulation: false,
            compromise: CompromiseKey::Weighted,
            range: RangeRule::Initial,
            q: 1.0,
            convergence: None,
        }
    }

    /// The switches of a named variant, ten rounds.
    pub fn variant(variant: Variant) -> Self {
        let base = Self::canonical();
        match variant {
            Variant::Canonical => base,
            Variant::Di => Self {
                risk_update: RiskUpdate::Sequential,
                capitulation: true,
                compromise: CompromiseKey::Signed,
                ..base
            },
            Variant::Paper => Self {
                denominator: Denominator::Pairwise,
                votes: VoteExponents::Linear,
                perspective: Perspective::Own,
                capitulation: true,
                compromise: CompromiseKey::LeastMove,
                ..base
            },
        }
    }

    /// The same options with `rounds` rounds.
    pub fn with_rounds(self, rounds: usize) -> Self {
        Self { rounds, ..self }
    }

    /// Checks the options' ranges.
    pub fn validate(&self) -> Result<(), ForecastError> {
        if self.rounds == 0 {
            return Err(ForecastError::Option { name: "rounds", value: "0".into(), rule: "play at least 1 round" });
        }
        if !(0.0..=1.0).contains(&self.q) {
            return Err(ForecastError::Option { name: "q", value: self.q.to_string(), rule: "must lie within [0, 1]" });
        }
        if let Some(c) = self.convergence {
            if !(c.tolerance >= 0.0 && c.tolerance.is_finite()) {
                return Err(ForecastError::Option {
                    name: "convergence tolerance",
                    value: c.tolerance.to_string(),
                    rule: "must be a finite number ≥ 0",
                });
            }
            if c.patience == 0 {
                return Err(ForecastError::Option {
                    name: "convergence patience",
                    value: "0".into(),
                    rule: "must be at least 1 round",
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_default_is_canonical() {
        let o = Options::default();
        assert_eq!(o, Options::variant(Variant::Canonical));
        assert_eq!(o.rounds, 10);
        assert!(!o.capitulation && o.convergence.is_none());
        assert_eq!((o.denominator, o.compromise), (Denominator::Global, CompromiseKey::Weighted));
    }

    #[test]
    fn test_variants_change_only_their_switches() {
        let di = Options::variant(Variant::Di);
        assert_eq!(
            (di.risk_update, di.capitulation, di.compromise),
            (RiskUpdate::Sequential, true, CompromiseKey::Signed)
        );
        assert_eq!(di.denominator, Denominator::Global);
        let paper = Options::variant(Variant::Paper);
        assert_eq!((paper.denominator, paper.votes), (Denominator::Pairwise, VoteExponents::Linear));
        assert_eq!(paper.risk_update, RiskUpdate::Batch);
    }

    #[test]
    fn test_validate() {
        assert!(Options::default().validate().is_ok());
        assert!(Options::default().with_rounds(0).validate().is_err());
        assert!(Options { q: 1.5, ..Options::default() }.validate().is_err());
        let c = Convergence { tolerance: -1.0, patience: 2 };
        assert!(Options { convergence: Some(c), ..Options::default() }.validate().is_err());
        let c = Convergence { tolerance: 0.01, patience: 0 };
        assert!(Options { convergence: Some(c), ..Options::default() }.validate().is_err());
    }
}
