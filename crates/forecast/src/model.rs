//! The inputs of the model (section 1 of the specification) and the aggregate positions
//! reported after every round (section 2): the weighted mean and the median voter position.

use serde::Serialize;

use crate::error::ForecastError;

/// Two positions are the same position only when they are equal as floating-point numbers.
///
/// The specification compares positions exactly (equal-position pairs are skipped, and
/// `P(a, a) = 0`); a tolerance here would change which pairs the model looks at.
#[allow(clippy::float_cmp)]
pub(crate) fn same_position(a: f64, b: f64) -> bool {
    a == b
}

/// One actor of a forecast: how much it can bring to bear, where it stands, how much it cares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Actor {
    /// Name, unique among the actors (used in reports).
    pub name: String,
    /// Capability (power, clout), greater than 0; only ratios between actors matter.
    pub capability: f64,
    /// Position on the scale.
    pub position: f64,
    /// Salience in [0, 1]: how much the issue matters to the actor, read by the model as
    /// the probability that the actor resists a challenge.
    pub salience: f64,
}

impl Actor {
    /// An actor.
    pub fn new(name: impl Into<String>, capability: f64, position: f64, salience: f64) -> Self {
        Self { name: name.into(), capability, position, salience }
    }

    /// Its voting weight `w = capability × salience`.
    pub fn weight(&self) -> f64 {
        self.capability * self.salience
    }
}

/// A labelled point of an issue's scale, such as an option of a negotiated issue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScalePoint {
    /// Where the point lies on the scale.
    pub value: f64,
    /// A short identifier (an option id), if any.
    pub id: Option<String>,
    /// What the point means.
    pub label: String,
}

/// The scale an issue's positions lie on: its ends, unit and labelled points. Optional: the
/// model itself needs only the positions.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Scale {
    /// What the scale measures.
    pub name: Option<String>,
    /// The lower end, if the scale has one.
    pub min: Option<f64>,
    /// The upper end, if the scale has one.
    pub max: Option<f64>,
    /// The unit of positions, for display.
    pub unit: Option<String>,
    /// Labelled points, in increasing order of value.
    pub points: Vec<ScalePoint>,
}

impl Scale {
    /// The labelled point nearest to `x` (the lower one of two equally near), if any.
    pub fn nearest(&self, x: f64) -> Option<&ScalePoint> {
        self.points.iter().fold(None, |best: Option<&ScalePoint>, p| match best {
            Some(b) if (b.value - x).abs() <= (p.value - x).abs() => Some(b),
            _ => Some(p),
        })
    }

    /// The index of the labelled point nearest to `x`, if any.
    pub fn nearest_index(&self, x: f64) -> Option<usize> {
        let p = self.nearest(x)?;
        self.points.iter().position(|q| std::ptr::eq(q, p))
    }
}

/// The validated input of a forecast: at least two actors, in input order (the order breaks
/// ties), positions that are not all the same, and an optional scale.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dataset {
    actors: Vec<Actor>,
    scale: Scale,
}

impl Dataset {
    /// Checks the actors: at least two, unique non-empty names, finite numbers, capability
    /// greater than 0, salience in [0, 1], some weight, and positions that span a range.
    pub fn new(actors: Vec<Actor>) -> Result<Self, ForecastError> {
        Self::with_scale(actors, Scale::default())
    }

    /// As [`Dataset::new`], with a scale. Positions must lie within the scale's ends.
    pub fn with_scale(actors: Vec<Actor>, scale: Scale) -> Result<Self, ForecastError> {
        if actors.len() < 2 {
            return Err(ForecastError::TooFewActors { count: actors.len() });
        }
        for (k, a) in actors.iter().enumerate() {
            if a.name.trim().is_empty() {
                return Err(ForecastError::EmptyName { index: k });
            }
            if actors[..k].iter().any(|b| b.name == a.name) {
                return Err(ForecastError::DuplicateActor { name: a.name.clone() });
            }
            for (field, value) in [("capability", a.capability), ("position", a.position), ("salience", a.salience)] {
                if !value.is_finite() {
                    return Err(ForecastError::NotFinite { actor: a.name.clone(), field, value });
                }
            }
            if a.capability <= 0.0 {
                return Err(ForecastError::Capability { actor: a.name.clone(), value: a.capability });
            }
            if !(0.0..=1.0).contains(&a.salience) {
                return Err(ForecastError::Salience { actor: a.name.clone(), value: a.salience });
            }
            let below = scale.min.is_some_and(|m| a.position < m);
            let above = scale.max.is_some_and(|m| a.position > m);
            if below || above {
                return Err(ForecastError::OffScale {
                    actor: a.name.clone(),
                    position: a.position,
                    min: scale.min,
                    max: scale.max,
                });
            }
        }
        let total: f64 = actors.iter().map(Actor::weight).sum();
        if !total.is_finite() {
            return Err(ForecastError::Overflow { what: "weights" });
        }
        if total <= 0.0 {
            return Err(ForecastError::NoWeight);
        }
        let (lo, hi) = span(actors.iter().map(|a| a.position));
        if hi <= lo {
            return Err(ForecastError::ZeroRange { position: lo });
        }
        if !(hi - lo).is_finite() {
            return Err(ForecastError::Overflow { what: "range of positions" });
        }
        Ok(Self { actors, scale })
    }

    /// The actors, in input order.
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// The scale.
    pub fn scale(&self) -> &Scale {
        &self.scale
    }

    /// The actors' positions, in input order.
    pub fn positions(&self) -> Vec<f64> {
        self.actors.iter().map(|a| a.position).collect()
    }

    /// The voting weights `w_i = c_i · s_i`, in input order.
    pub fn weights(&self) -> Vec<f64> {
        self.actors.iter().map(Actor::weight).collect()
    }

    /// The saliences, in input order.
    pub fn saliences(&self) -> Vec<f64> {
        self.actors.iter().map(|a| a.salience).collect()
    }

    /// The range `R = max x(0) − min x(0)` of the initial positions.
    pub fn range(&self) -> f64 {
        let (lo, hi) = span(self.actors.iter().map(|a| a.position));
        hi - lo
    }
}

/// The smallest and largest of some numbers.
pub(crate) fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)))
}

/// The weighted mean `Σ w_i x_i / Σ w_i`, summed in input order.
pub fn weighted_mean(positions: &[f64], weights: &[f64]) -> f64 {
    let mut num = 0.0;
    let mut den = 0.0;
    for (x, w) in positions.iter().zip(weights) {
        num += w * x;
        den += w;
    }
    num / den
}

/// Relative size below which a pairwise vote margin counts as a tie (see [`median`]).
pub const TIE_TOLERANCE: f64 = 1e-12;

/// The median voter position and whether it was decided by the tie rule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Median {
    /// The position.
    pub position: f64,
    /// Whether no held position beats every other: exactly half the weight lies on either
    /// side of a split, and the lower of the tied positions is reported.
    pub tie: bool,
}

/// The median voter position `μ`: the held position that beats every other held position in
/// pairwise votes with linear utilities, `V(a, b) = Σ_k w_k (|x_k − b| − |x_k − a|) / R`
/// (the Condorcet winner, which with these utilities is the weighted median).
///
/// A margin smaller than [`TIE_TOLERANCE`] × `W·|a − b| / R` (`W` the total weight) is a
/// tie, so that sums like `0.1 + 0.2` against `0.3` are not read as a decision. When no
/// position beats all others, the lowest position that no other beats is reported and the
/// result is flagged ([`Median::tie`]), as the specification recommends.
pub fn median(positions: &[f64], weights: &[f64], range: f64) -> Median {
    let total: f64 = weights.iter().sum();
    let mut held: Vec<f64> = Vec::with_capacity(positions.len());
    for &x in positions {
        if !held.iter().any(|&h| same_position(h, x)) {
            held.push(x);
        }
    }
    let vote = |a: f64, b: f64| -> f64 {
        let mut v = 0.0;
        for (x, w) in positions.iter().zip(weights) {
            v += w * ((x - b).abs() - (x - a).abs()) / range;
        }
        v
    };
    let margin = |a: f64, b: f64| TIE_TOLERANCE * total * (a - b).abs() / range;
    let winner = held.iter().copied().find(|&a| held.iter().all(|&b| same_position(a, b) || vote(a, b) > margin(a, b)));
    if let Some(position) = winner {
        return Median { position, tie: false };
    }
    let unbeaten = held
        .iter()
        .copied()
        .filter(|&a| held.iter().all(|&b| same_position(a, b) || vote(b, a) <= margin(a, b)))
        .fold(f64::INFINITY, f64::min);
    if unbeaten.is_finite() {
        Median { position: unbeaten, tie: true }
    } else {
        // Unreachable with linear utilities (the weighted median is never beaten); kept so
        // a pathological input still gets an answer: the lower weighted median.
        Median { position: lower_weighted_median(positions, weights), tie: true }
    }
}

/// The lowest held position with at most half the total weight strictly below it and at
/// most half strictly above: the lower weighted median, by cumulative weights.
pub fn lower_weighted_median(positions: &[f64], weights: &[f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by(|&a, &b| positions[a].total_cmp(&positions[b]));
    let mut below = 0.0;
    let mut k = 0;
    while k < order.len() {
        let x = positions[order[k]];
        let mut here = 0.0;
        while k < order.len() && same_position(positions[order[k]], x) {
            here += weights[order[k]];
            k += 1;
        }
        if below + here >= total / 2.0 {
            return x;
        }
        below += here;
    }
    positions[order[order.len() - 1]]
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;

    fn three() -> Vec<Actor> {
        vec![Actor::new("A", 1.0, 0.0, 1.0), Actor::new("B", 1.0, 1.0, 0.5), Actor::new("C", 2.0, 3.0, 0.25)]
    }

    #[test]
    fn test_weights_and_range() {
        let d = Dataset::new(three()).unwrap();
        assert_eq!(d.weights(), vec![1.0, 0.5, 0.5]);
        assert_relative_eq!(d.range(), 3.0);
    }

    #[test]
    fn test_weighted_mean() {
        // (1·0 + 0.5·1 + 0.5·3) / 2 = 1.
        assert_relative_eq!(weighted_mean(&[0.0, 1.0, 3.0], &[1.0, 0.5, 0.5]), 1.0);
    }

    #[test]
    fn test_median_is_the_condorcet_winner() {
        // Total weight 2; at 0 lies 1 (half), so no strict winner: 0 and 1 tie.
        let m = median(&[0.0, 1.0, 3.0], &[1.0, 0.5, 0.5], 3.0);
        assert_eq!(m, Median { position: 0.0, tie: true });
        // With A lighter, B is the median: 0.9 below, 0.5 above, of 2.0 in all.
        let m = median(&[0.0, 1.0, 3.0], &[0.9, 0.6, 0.5], 3.0);
        assert_eq!(m, Median { position: 1.0, tie: false });
    }

    #[test]
    fn test_median_tie_survives_rounding() {
        // 0.1 + 0.2 is 0.30000000000000004 in floating point; the split is still a tie.
        let m = median(&[0.0, 0.0, 1.0], &[0.1, 0.2, 0.3], 1.0);
        assert!(m.tie);
        assert_relative_eq!(m.position, 0.0);
    }

    #[test]
    fn test_lower_weighted_median() {
        assert_relative_eq!(lower_weighted_median(&[3.0, 0.0, 1.0], &[0.5, 1.0, 0.5]), 0.0);
        assert_relative_eq!(lower_weighted_median(&[3.0, 0.0, 1.0], &[0.5, 0.9, 0.6]), 1.0);
    }

    #[test]
    fn test_dataset_rules() {
        let mut a = three();
        a[1].capability = 0.0;
        assert!(matches!(Dataset::new(a), Err(ForecastError::Capability { .. })));
        let mut a = three();
        a[2].salience = 1.5;
        assert!(matches!(Dataset::new(a), Err(ForecastError::Salience { .. })));
        let mut a = three();
        a[2].name = "A".into();
        assert!(matches!(Dataset::new(a), Err(ForecastError::DuplicateActor { .. })));
        let mut a = three();
        for x in &mut a {
            x.position = 2.0;
        }
        assert!(matches!(Dataset::new(a), Err(ForecastError::ZeroRange { .. })));
        assert!(matches!(Dataset::new(three()[..1].to_vec()), Err(ForecastError::TooFewActors { count: 1 })));
        let mut a = three();
        a[0].position = f64::NAN;
        assert!(matches!(Dataset::new(a), Err(ForecastError::NotFinite { field: "position", .. })));
        let mut a = three();
        for x in &mut a {
            x.salience = 0.0;
        }
        assert!(matches!(Dataset::new(a), Err(ForecastError::NoWeight)));
        let mut a = three();
        a[0].capability = f64::MAX;
        a[2].capability = f64::MAX;
        a[2].salience = 1.0;
        assert!(matches!(Dataset::new(a), Err(ForecastError::Overflow { what: "weights" })));
        let mut a = three();
        a[0].position = -f64::MAX;
        a[2].position = f64::MAX;
        assert!(matches!(Dataset::new(a), Err(ForecastError::Overflow { .. })));
        let scale = Scale { min: Some(0.0), max: Some(2.0), ..Scale::default() };
        assert!(matches!(Dataset::with_scale(three(), scale), Err(ForecastError::OffScale { .. })));
    }

    #[test]
    fn test_nearest_scale_point() {
        let point = |value: f64, label: &str| ScalePoint { value, id: None, label: label.into() };
        let scale =
            Scale { points: vec![point(0.0, "low"), point(1.0, "mid"), point(2.0, "high")], ..Scale::default() };
        assert_eq!(scale.nearest(1.4).unwrap().label, "mid");
        assert_eq!(scale.nearest(1.5).unwrap().label, "mid", "the lower of two equally near");
        assert_eq!(scale.nearest_index(7.0), Some(2));
        assert!(Scale::default().nearest(1.0).is_none());
    }
}
