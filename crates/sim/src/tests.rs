//! Tests of the attrition models against closed forms and a real battle.

use approx::assert_relative_eq;
use proptest::prelude::*;

use crate::battle::{Coefficients, DailyBattle};
use crate::lanchester::{Attrition, Engagement, square_law};

#[test]
fn test_square_law_integrator_matches_closed_form() {
    for (a, b, x0, y0, t) in
        [(0.01, 0.02, 1000.0, 900.0, 20.0), (0.05, 0.01, 500.0, 300.0, 10.0), (0.001, 0.003, 1e5, 8e4, 100.0)]
    {
        let e = Engagement { x: Attrition::square(a), y: Attrition::square(b) };
        let (x, y) = e.integrate(x0, y0, t, 2000);
        let (xc, yc) = square_law(a, b, x0, y0, t);
        assert!(xc > 0.0 && yc > 0.0, "both sides still fighting at t");
        assert_relative_eq!(x, xc, max_relative = 1e-9);
        assert_relative_eq!(y, yc, max_relative = 1e-9);
    }
}

#[test]
fn test_square_law_conserves_the_strength_difference() {
    // b·X² − a·Y² is invariant under the square law.
    let (a, b) = (0.02, 0.01);
    let e = Engagement { x: Attrition::square(a), y: Attrition::square(b) };
    let (x, y) = e.integrate(1000.0, 600.0, 30.0, 3000);
    assert_relative_eq!(b * x * x - a * y * y, b * 1e6 - a * 3.6e5, max_relative = 1e-8);
}

#[test]
fn test_linear_law_conserves_the_weighted_difference() {
    // b·X − a·Y is invariant under the linear law.
    let (a, b) = (1e-4, 2e-4);
    let e = Engagement { x: Attrition::linear(a), y: Attrition::linear(b) };
    let (x, y) = e.integrate(1000.0, 1200.0, 10.0, 2000);
    assert_relative_eq!(b * x - a * y, b * 1000.0 - a * 1200.0, max_relative = 1e-8);
}

proptest! {
    #[test]
    fn test_strengths_never_go_negative(a in 0.0f64..1.0, b in 0.0f64..1.0, p in 0.0f64..2.0, q in 0.0f64..1.5,
                                        x0 in 0.0f64..1e4, y0 in 0.0f64..1e4, t in 0.0f64..100.0) {
        let e = Engagement {
            x: Attrition { effectiveness: a, enemy_exponent: p, own_exponent: q },
            y: Attrition { effectiveness: b, enemy_exponent: p, own_exponent: q },
        };
        let (x, y) = e.integrate(x0, y0, t, 100);
        prop_assert!(x >= 0.0 && y >= 0.0 && x <= x0 && y <= y0);
    }
}

/// The Iwo Jima series (Engel 1954), shipped in the repository's data folder.
fn iwo_jima() -> DailyBattle {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/lanchester_iwo_jima_engel1954_daily.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut b = DailyBattle { landed: Vec::new(), casualties: Vec::new(), active: Vec::new(), defender: 21_500.0 };
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        b.landed.push(f[2].parse().unwrap());
        b.casualties.push(f[4].parse().unwrap());
        b.active.push(f[5].parse().unwrap());
    }
    b
}

/// Engel's published coefficients (lanchester_published_coefficients.csv).
const ENGEL: Coefficients = Coefficients { a: 0.0544, b: 0.0106 };

#[test]
fn test_engel_coefficients_track_the_us_series() {
    let battle = iwo_jima();
    assert_eq!(battle.active.len(), 35);
    let fit = battle.fit_of(ENGEL);
    // The troop levels vary little around their mean (50,000–70,000), so R² understates
    // the fit; the relative error on the worst day is the telling number.
    assert!(fit.max_relative_error < 0.05, "worst day off by {:.1}%", 100.0 * fit.max_relative_error);
    assert!(fit.r_squared.unwrap() > 0.95, "R² {:?}", fit.r_squared);
}

#[test]
fn test_engel_estimator_recovers_the_coefficients() {
    let c = iwo_jima().engel_estimate();
    assert_relative_eq!(c.a, ENGEL.a, max_relative = 0.05);
    assert_relative_eq!(c.b, ENGEL.b, max_relative = 0.05);
}

/// The least-squares routine recovers known coefficients from a series the model made.
#[test]
fn test_least_squares_recovers_known_coefficients() {
    let truth = Coefficients { a: 0.0544, b: 0.0106 };
    let mut battle = iwo_jima();
    let (model, _) = crate::battle::simulate(truth, &battle.landed, battle.defender);
    battle.active = model;
    let fit = battle.least_squares(Coefficients { a: 0.03, b: 0.02 });
    assert_relative_eq!(fit.coefficients.a, truth.a, max_relative = 1e-3);
    assert_relative_eq!(fit.coefficients.b, truth.b, max_relative = 1e-3);
}

/// On the real series, least squares on the attacker's troops alone is a different
/// estimator from Engel's, which uses both sides' totals: it weights the heavy losses of
/// the first days and lands at a ≈ 0.059, b ≈ 0.0126 (Engel: 0.0544, 0.0106). It follows
/// the series more closely than Engel's coefficients do.
#[test]
fn test_least_squares_fits_the_real_series_closer_than_engel() {
    let battle = iwo_jima();
    let fit = battle.least_squares(Coefficients { a: 0.03, b: 0.02 });
    let engel = battle.fit_of(ENGEL);
    assert!(fit.rmse < engel.rmse, "least squares fits the series closer ({} vs {})", fit.rmse, engel.rmse);
    assert!(fit.max_relative_error < engel.max_relative_error);
}
