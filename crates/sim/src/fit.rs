//! Fitting model parameters to observed series.
//!
//! [`minimize`] is the Nelder–Mead simplex method (Nelder & Mead, "A simplex method for
//! function minimization", The Computer Journal 7 (1965), doi:10.1093/comjnl/7.4.308) with
//! the standard coefficients (reflection 1, expansion 2, contraction ½, shrink ½): no
//! derivatives, deterministic, a few hundred evaluations for the handful of parameters a
//! calibration fits. [`r_squared`] and [`rmse`] report the quality of a fit.

/// How a minimisation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FitEnd {
    /// The simplex's objective values came within the tolerance of each other.
    Converged,
    /// The evaluation budget ran out first: the point is the best found, not a minimum.
    OutOfEvaluations,
}

impl FitEnd {
    /// In words, for reports.
    pub fn text(self) -> &'static str {
        match self {
            FitEnd::Converged => "converged",
            FitEnd::OutOfEvaluations => "ran out of evaluations before converging",
        }
    }
}

/// The result of a minimisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// The best point found.
    pub point: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// Objective evaluations used.
    pub evaluations: usize,
    /// Whether it converged or ran out of evaluations.
    pub end: FitEnd,
}

/// Minimises `f` from `start`, with initial simplex steps `scale` per coordinate, until the
/// simplex's objective values differ by less than `tolerance` or `max_evaluations` is spent.
pub fn minimize(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    scale: &[f64],
    tolerance: f64,
    max_evaluations: usize,
) -> Minimum {
    let n = start.len();
    let evaluations = std::cell::Cell::new(0usize);
    let eval = |p: &[f64]| {
        evaluations.set(evaluations.get() + 1);
        let v = f(p);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((start.to_vec(), eval(start)));
    for i in 0..n {
        let mut p = start.to_vec();
        p[i] += scale[i];
        let v = eval(&p);
        simplex.push((p, v));
    }
    let combine =
        |a: &[f64], b: &[f64], t: f64| -> Vec<f64> { a.iter().zip(b).map(|(x, y)| x + t * (y - x)).collect() };
    let mut end = FitEnd::OutOfEvaluations;
    while evaluations.get() < max_evaluations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if (simplex[n].1 - simplex[0].1).abs() <= tolerance * (1.0 + simplex[0].1.abs()) {
            end = FitEnd::Converged;
            break;
        }
        let centroid: Vec<f64> =
            (0..n).map(|j| simplex[..n].iter().map(|(p, _)| p[j]).sum::<f64>() / n as f64).collect();
        let worst = simplex[n].0.clone();
        let reflected = combine(&centroid, &worst, -1.0);
        let fr = eval(&reflected);
        if fr < simplex[0].1 {
            let expanded = combine(&centroid, &worst, -2.0);
            let fe = eval(&expanded);
            simplex[n] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
        } else {
            let contracted =
                if fr < simplex[n].1 { combine(&centroid, &reflected, 0.5) } else { combine(&centroid, &worst, 0.5) };
            let fc = eval(&contracted);
            if fc < fr.min(simplex[n].1) {
                simplex[n] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for entry in simplex.iter_mut().skip(1) {
                    let p = combine(&best, &entry.0, 0.5);
                    let v = eval(&p);
                    *entry = (p, v);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (point, value) = simplex.swap_remove(0);
    Minimum { point, value, evaluations: evaluations.get(), end }
}

/// Root-mean-square difference between a model series and observations (0 for empty series).
pub fn rmse(model: &[f64], observed: &[f64]) -> f64 {
    let n = model.len().min(observed.len()).max(1);
    (model.iter().zip(observed).map(|(m, o)| (m - o).powi(2)).sum::<f64>() / n as f64).sqrt()
}

/// Coefficient of determination of a model series against observations: `None` when it is
/// undefined, for fewer than two observations or observations that do not vary (the total
/// sum of squares is 0).
pub fn r_squared(model: &[f64], observed: &[f64]) -> Option<f64> {
    let n = observed.len().min(model.len());
    if n < 2 {
        return None;
    }
    let mean = observed[..n].iter().sum::<f64>() / n as f64;
    let total: f64 = observed[..n].iter().map(|o| (o - mean).powi(2)).sum();
    let residual: f64 = model.iter().zip(&observed[..n]).map(|(m, o)| (m - o).powi(2)).sum();
    (total > 0.0 && total.is_finite()).then(|| 1.0 - residual / total)
}

/// The ratio of the model's total to the observed total: `None` when the observed total is
/// 0 (or not finite), where the ratio is undefined.
pub fn total_ratio(model: &[f64], observed: &[f64]) -> Option<f64> {
    let observed: f64 = observed.iter().sum();
    (observed != 0.0 && observed.is_finite()).then(|| model.iter().sum::<f64>() / observed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn test_minimize_rosenbrock() {
        let f = |p: &[f64]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let m = minimize(&f, &[-1.2, 1.0], &[0.5, 0.5], 1e-14, 5000);
        assert_abs_diff_eq!(m.point[0], 1.0, epsilon = 1e-4);
        assert_abs_diff_eq!(m.point[1], 1.0, epsilon = 1e-4);
    }

    #[test]
    fn test_fit_quality_measures() {
        assert_abs_diff_eq!(r_squared(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).unwrap(), 1.0);
        assert_abs_diff_eq!(rmse(&[1.0, 2.0], &[2.0, 4.0]), (2.5f64).sqrt());
        assert_abs_diff_eq!(total_ratio(&[1.0, 3.0], &[2.0, 2.0]).unwrap(), 1.0);
    }

    #[test]
    fn test_fit_measures_of_constant_and_empty_series_are_undefined() {
        assert_eq!(r_squared(&[1.0, 2.0], &[5.0, 5.0]), None, "observations that do not vary");
        assert_eq!(r_squared(&[], &[]), None);
        assert_eq!(r_squared(&[1.0], &[1.0]), None);
        assert_eq!(total_ratio(&[1.0], &[0.0]), None);
        assert_eq!(total_ratio(&[], &[]), None);
        assert_abs_diff_eq!(rmse(&[], &[]), 0.0);
    }

    #[test]
    fn test_minimize_says_whether_it_converged() {
        let f = |p: &[f64]| (p[0] - 3.0).powi(2);
        assert_eq!(minimize(&f, &[0.0], &[1.0], 1e-12, 10_000).end, FitEnd::Converged);
        let rosenbrock = |p: &[f64]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let m = minimize(&rosenbrock, &[-1.2, 1.0], &[0.5, 0.5], 1e-14, 20);
        assert_eq!(m.end, FitEnd::OutOfEvaluations);
        assert!(m.evaluations >= 20);
    }
}
