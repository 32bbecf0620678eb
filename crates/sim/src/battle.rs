//! A battle fought day by day: one side reinforced by landings, the other not, as in
//! Engel's verification of Lanchester's square law on Iwo Jima (Engel, "A verification of
//! Lanchester's law", Journal of the Operations Research Society of America 2 (1954),
//! doi:10.1287/opre.2.2.163).

use crate::fit::{minimize, r_squared, rmse};

/// Observed daily series of a battle.
#[derive(Clone, Debug, PartialEq)]
pub struct DailyBattle {
    /// Troops landed (reinforcements of the attacker) on each day, day 1 first.
    pub landed: Vec<f64>,
    /// The attacker's cumulative casualties at the end of each day.
    pub casualties: Vec<f64>,
    /// The attacker's troops in action at the end of each day.
    pub active: Vec<f64>,
    /// The defender's strength before the battle (not reinforced).
    pub defender: f64,
}

/// The square-law coefficients of a battle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coefficients {
    /// The defender's effectiveness: attacker casualties per defender-day.
    pub a: f64,
    /// The attacker's effectiveness: defender casualties per attacker-day.
    pub b: f64,
}

/// The model's day-by-day strengths: `attacker[d]` and `defender[d]` at the end of day
/// `d + 1`, by Engel's recursion `US(t) = US(t−1) + P(t) − a·JP(t−1)`,
/// `JP(t) = JP(t−1) − b·US(t−1)`.
pub fn simulate(c: Coefficients, landed: &[f64], defender0: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut x, mut y) = (0.0f64, defender0);
    let mut xs = Vec::with_capacity(landed.len());
    let mut ys = Vec::with_capacity(landed.len());
    for &l in landed {
        let loss_x = c.a * y;
        let loss_y = c.b * x;
        x = (x + l - loss_x).max(0.0);
        y = (y - loss_y).max(0.0);
        xs.push(x);
        ys.push(y);
    }
    (xs, ys)
}

/// How well a coefficient set reproduces the attacker's series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    /// The coefficients.
    pub coefficients: Coefficients,
    /// Root-mean-square error of the attacker's active troops.
    pub rmse: f64,
    /// Largest relative error of the attacker's active troops on any day.
    pub max_relative_error: f64,
    /// Coefficient of determination of the attacker's active troops (`None` if the troops
    /// do not vary).
    pub r_squared: Option<f64>,
}

impl DailyBattle {
    /// The fit of given coefficients to the attacker's observed active troops.
    pub fn fit_of(&self, coefficients: Coefficients) -> Fit {
        let (model, _) = simulate(coefficients, &self.landed, self.defender);
        let max_relative_error = model.iter().zip(&self.active).map(|(m, o)| ((m - o) / o).abs()).fold(0.0, f64::max);
        Fit {
            coefficients,
            rmse: rmse(&model, &self.active),
            max_relative_error,
            r_squared: r_squared(&model, &self.active),
        }
    }

    /// Engel's estimator: `b` = the defender's total losses (all of it: the garrison was
    /// wiped out) over the attacker's troop-days; `a` = the attacker's total casualties over
    /// the defender's troop-days computed with that `b`.
    pub fn engel_estimate(&self) -> Coefficients {
        let troop_days: f64 = self.active.iter().sum();
        let b = self.defender / troop_days;
        let mut defender_days = 0.0;
        let mut y = self.defender;
        for &x in &self.active {
            defender_days += y;
            y = (y - b * x).max(0.0);
        }
        let casualties = self.casualties.last().copied().unwrap_or(0.0);
        Coefficients { a: casualties / defender_days, b }
    }

    /// Least-squares fit of both coefficients to the attacker's active troops.
    pub fn least_squares(&self, start: Coefficients) -> Fit {
        let objective = |p: &[f64]| -> f64 {
            if p[0] <= 0.0 || p[1] <= 0.0 {
                return f64::INFINITY;
            }
            let (model, _) = simulate(Coefficients { a: p[0], b: p[1] }, &self.landed, self.defender);
            model.iter().zip(&self.active).map(|(m, o)| (m - o).powi(2)).sum()
        };
        let m = minimize(&objective, &[start.a, start.b], &[start.a * 0.2, start.b * 0.2], 1e-12, 4000);
        self.fit_of(Coefficients { a: m.point[0], b: m.point[1] })
    }
}
