//! Attrition by the generalised Lanchester law.
//!
//! Two forces X and Y lose strength at rates
//!
//! ```text
//! dX/dt = R_X(t) − a · Y^p · X^q        dY/dt = R_Y(t) − b · X^r · Y^s
//! ```
//!
//! where `a` and `b` are the effectiveness of Y against X and of X against Y, and `R` are
//! reinforcements. The **square law** (aimed fire) is `p = r = 1, q = s = 0`, the
//! **linear law** (area fire) `p = q = r = s = 1`, and mixed laws combine them (Lanchester,
//! *Aircraft in Warfare*, 1916; the generalised form as in Bracken, "Lanchester models of
//! the Ardennes campaign", Naval Research Logistics 42 (1995),
//! doi:10.1002/1520-6750(199506)42:4<559::AID-NAV3220420405>3.0.CO;2-R). Strength never
//! goes below zero: a force that reaches zero stops fighting.

use serde::Serialize;

/// How one side is worn down: `effectiveness · enemy^enemy_exponent · own^own_exponent`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Attrition {
    /// The enemy's effectiveness against this side (casualties per unit of fire).
    pub effectiveness: f64,
    /// Exponent of the enemy's strength (1 in the square and linear laws).
    pub enemy_exponent: f64,
    /// Exponent of this side's own strength (0 square law, 1 linear law).
    pub own_exponent: f64,
}

impl Attrition {
    /// Aimed fire: losses proportional to the enemy's strength.
    pub fn square(effectiveness: f64) -> Self {
        Self { effectiveness, enemy_exponent: 1.0, own_exponent: 0.0 }
    }

    /// Area fire: losses proportional to both strengths.
    pub fn linear(effectiveness: f64) -> Self {
        Self { effectiveness, enemy_exponent: 1.0, own_exponent: 1.0 }
    }

    /// The loss rate given both strengths.
    #[inline]
    pub fn rate(&self, own: f64, enemy: f64) -> f64 {
        if own <= 0.0 || enemy <= 0.0 {
            return 0.0;
        }
        self.effectiveness * power(enemy, self.enemy_exponent) * power(own, self.own_exponent)
    }
}

/// Where an integration ended.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Integrated {
    /// X's strength.
    pub x: f64,
    /// Y's strength.
    pub y: f64,
    /// X's losses over the interval.
    pub x_losses: f64,
    /// Y's losses over the interval.
    pub y_losses: f64,
}

/// `x^e`, with the common exponents (0, ½ and 1: the square and linear laws, a
/// square-root response) exact and fast.
#[inline]
pub(crate) fn power(x: f64, e: f64) -> f64 {
    if e.abs() < f64::EPSILON {
        1.0
    } else if (e - 1.0).abs() < f64::EPSILON {
        x
    } else if (e - 0.5).abs() < f64::EPSILON {
        x.sqrt()
    } else {
        x.powf(e)
    }
}

/// A two-sided engagement.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Engagement {
    /// How X is worn down by Y.
    pub x: Attrition,
    /// How Y is worn down by X.
    pub y: Attrition,
}

impl Engagement {
    fn derivative(&self, x: f64, y: f64) -> (f64, f64) {
        (-self.x.rate(x, y), -self.y.rate(y, x))
    }

    /// Integrates from `(x, y)` over `duration` in `steps` fourth-order Runge–Kutta steps,
    /// without reinforcements. Strengths are floored at zero.
    pub fn integrate(&self, x: f64, y: f64, duration: f64, steps: u32) -> (f64, f64) {
        let end = self.integrate_reinforced(x, y, [0.0, 0.0], duration, steps);
        (end.x, end.y)
    }

    /// Integrates from `(x, y)` over `duration` in `steps` fourth-order Runge–Kutta steps
    /// with constant reinforcement rates `[R_X, R_Y]`, and accumulates each side's losses
    /// (the integral of its attrition rate). Strengths are floored at zero.
    pub fn integrate_reinforced(
        &self,
        x: f64,
        y: f64,
        reinforcement: [f64; 2],
        duration: f64,
        steps: u32,
    ) -> Integrated {
        let h = duration / f64::from(steps.max(1));
        let [rx, ry] = reinforcement;
        // State: strengths and accumulated losses.
        let rates = |x: f64, y: f64| -> [f64; 4] {
            let (lx, ly) = (self.x.rate(x, y), self.y.rate(y, x));
            [rx - lx, ry - ly, lx, ly]
        };
        let mut s = [x, y, 0.0, 0.0];
        for _ in 0..steps.max(1) {
            let k1 = rates(s[0], s[1]);
            let k2 = rates(s[0] + 0.5 * h * k1[0], s[1] + 0.5 * h * k1[1]);
            let k3 = rates(s[0] + 0.5 * h * k2[0], s[1] + 0.5 * h * k2[1]);
            let k4 = rates(s[0] + h * k3[0], s[1] + h * k3[1]);
            for i in 0..4 {
                s[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
            s[0] = s[0].max(0.0);
            s[1] = s[1].max(0.0);
        }
        Integrated { x: s[0], y: s[1], x_losses: s[2].max(0.0), y_losses: s[3].max(0.0) }
    }

    /// Day-by-day (forward Euler with unit steps) strengths, as Engel (1954) computed
    /// them: `X[t+1] = X[t] + R_X[t+1] − a·…`, `Y[t+1] = Y[t] + R_Y[t+1] − b·…`, starting
    /// from `X[0] = R_X[0]`, `Y[0] = y0 + R_Y[0]`. Returns both series, `days` long.
    pub fn daily(
        &self,
        x_reinforcements: &[f64],
        y0: f64,
        y_reinforcements: &[f64],
        days: usize,
    ) -> (Vec<f64>, Vec<f64>) {
        let r = |v: &[f64], t: usize| v.get(t).copied().unwrap_or(0.0);
        let mut xs = Vec::with_capacity(days);
        let mut ys = Vec::with_capacity(days);
        let (mut x, mut y) = (r(x_reinforcements, 0), y0 + r(y_reinforcements, 0));
        for t in 0..days {
            xs.push(x);
            ys.push(y);
            let (dx, dy) = self.derivative(x, y);
            x = (x + dx + r(x_reinforcements, t + 1)).max(0.0);
            y = (y + dy + r(y_reinforcements, t + 1)).max(0.0);
        }
        (xs, ys)
    }
}

/// The closed-form square law without reinforcements:
/// `X(t) = X₀ cosh(√(ab) t) − √(a/b) Y₀ sinh(√(ab) t)` and symmetrically for Y, valid while
/// both are positive. `a` is Y's effectiveness against X, `b` X's against Y.
pub fn square_law(a: f64, b: f64, x0: f64, y0: f64, t: f64) -> (f64, f64) {
    let k = (a * b).sqrt();
    let (c, s) = ((k * t).cosh(), (k * t).sinh());
    (x0 * c - (a / b).sqrt() * y0 * s, y0 * c - (b / a).sqrt() * x0 * s)
}
