//! Drawing uncertain parameters.

use parley_core::{Distribution, Uncertain};
use rand::RngExt;
use rand_chacha::ChaCha12Rng;
use rand_distr::{Beta, Distribution as _, LogNormal, Normal, Pert, Triangular};

/// Draws per value before a truncated distribution gives up and clamps to its bounds.
const MAX_REDRAWS: usize = 1000;

/// The first uncertain parameter whose distribution is invalid, as `(path, problem)`.
/// Every entry point that draws ([`crate::run::Experiment::new`], [`crate::study::study`],
/// [`crate::assimilate::assimilate`]) refuses such a scenario, so [`draw`] never meets one
/// (validation refuses it in scenario files already; this guards scenarios built in code).
pub fn invalid(uncertain: &[Uncertain]) -> Option<(String, String)> {
    uncertain.iter().find_map(|u| u.distribution.problem().map(|p| (u.path.clone(), p)))
}

/// One draw from a distribution (no truncation). The parameters must be valid
/// ([`Distribution::problem`] is `None`, checked by [`invalid`] where a run starts); an
/// invalid one would give its location parameter.
pub fn draw(distribution: &Distribution, rng: &mut ChaCha12Rng) -> f64 {
    match *distribution {
        Distribution::Normal { mean, sd } => Normal::new(mean, sd).map_or(mean, |d| d.sample(rng)),
        Distribution::Lognormal { median, sigma } => {
            LogNormal::new(median.ln(), sigma).map_or(median, |d| d.sample(rng))
        }
        Distribution::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
        Distribution::Triangular { min, mode, max } => Triangular::new(min, max, mode).map_or(mode, |d| d.sample(rng)),
        Distribution::Pert { min, mode, max } => Pert::new(min, max).with_mode(mode).map_or(mode, |d| d.sample(rng)),
        Distribution::Beta { alpha, beta, min, max } => {
            Beta::new(alpha, beta).map_or(0.5, |d| d.sample(rng)) * (max - min) + min
        }
    }
}

/// One draw of an uncertain parameter, redrawn until it falls within its bounds (after
/// 1,000 attempts, clamped to them).
pub fn draw_uncertain(u: &Uncertain, rng: &mut ChaCha12Rng) -> f64 {
    let Some((lo, hi)) = u.bounds else { return draw(&u.distribution, rng) };
    let mut x = draw(&u.distribution, rng);
    for _ in 0..MAX_REDRAWS {
        if (lo..=hi).contains(&x) {
            return x;
        }
        x = draw(&u.distribution, rng);
    }
    x.clamp(lo, hi)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn moments(d: &Distribution, bounds: Option<(f64, f64)>) -> (f64, f64, f64, f64) {
        let u = Uncertain {
            path: String::new(),
            distribution: d.clone(),
            bounds,
            provenance: parley_core::Provenance::Unstated,
        };
        let mut rng = ChaCha12Rng::seed_from_u64(1);
        let xs: Vec<f64> = (0..100_000).map(|_| draw_uncertain(&u, &mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
        (mean, sd, lo, hi)
    }

    #[test]
    fn test_draws_have_the_distributions_means_and_supports() {
        let cases = [
            Distribution::Normal { mean: 2.0, sd: 0.5 },
            Distribution::Lognormal { median: 1.0, sigma: 0.25 },
            Distribution::Uniform { min: -1.0, max: 3.0 },
            Distribution::Triangular { min: 0.0, mode: 1.0, max: 4.0 },
            Distribution::Pert { min: 0.0, mode: 1.0, max: 4.0 },
            Distribution::Beta { alpha: 2.0, beta: 5.0, min: 10.0, max: 20.0 },
        ];
        for d in &cases {
            let (mean, sd, lo, hi) = moments(d, None);
            assert!((mean - d.mean()).abs() < 0.02 * (1.0 + d.mean().abs()), "{d:?}: mean {mean} vs {}", d.mean());
            assert!(sd > 0.0);
            if let Distribution::Uniform { min, max }
            | Distribution::Triangular { min, max, .. }
            | Distribution::Pert { min, max, .. }
            | Distribution::Beta { min, max, .. } = *d
            {
                assert!(lo >= min && hi <= max, "{d:?}: [{lo}, {hi}]");
            }
        }
        let (sd_normal, sd_uniform) =
            (moments(&cases[0], None).1, moments(&Distribution::Uniform { min: 0.0, max: 1.0 }, None).1);
        assert!((sd_normal - 0.5).abs() < 0.01 && (sd_uniform - (1.0f64 / 12.0).sqrt()).abs() < 0.01);
    }

    #[test]
    fn test_truncation_keeps_draws_within_bounds() {
        let (_, _, lo, hi) = moments(&Distribution::Normal { mean: 0.0, sd: 1.0 }, Some((-0.5, 2.0)));
        assert!(lo >= -0.5 && hi <= 2.0);
    }
}
