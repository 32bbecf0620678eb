//! The report's view of the observed record: what the particle filter made of it up to the
//! scenario date, and how well forecasts conditioned on it did in the backtest.

use super::words::provenance_text;
use parley_core::conflict::{Observable, Observed};
use parley_core::{Provenance, Scenario};
use parley_experiment::assimilate::{COLLAPSE, Diagnostics};
use parley_experiment::backtest::{Backtest, BacktestOptions, WINDOW};
use parley_report::data::{
    BacktestData, BacktestSeries, HorizonRow, PosteriorRow, Record, SeriesFitRow, StoppedRow, TunedNumber, finite,
};

/// What a series measures, in words, and its unit.
fn describe(s: &Scenario, o: &Observed) -> (String, String) {
    let name = |actor: usize| s.actors.get(actor).map_or_else(|| format!("actor {actor}"), |a| a.name.clone());
    match (o.measures, &s.conflict) {
        (Observable::Held, Some(c)) => (format!("Area held by {}", name(c.territory.holder)), "km²".into()),
        (Observable::TerritoryChange, Some(c)) => {
            (format!("Monthly change of the area held by {}", name(c.territory.holder)), "km²".into())
        }
        (Observable::Losses { side }, _) => (format!("{}'s losses per month", name(side)), "killed and wounded".into()),
        (_, None) => (o.id.clone(), String::new()),
    }
}

fn quartet(q: [f64; 4]) -> [Option<f64>; 4] {
    q.map(finite)
}

/// The record section's data from the filter's diagnostics.
pub(super) fn record(s: &Scenario, d: &Diagnostics) -> Record {
    let observed: &[Observed] = s.conflict.as_ref().map_or(&[], |c| &c.observed);
    let particles = d.particles.max(1) as f64;
    let parameters = d
        .parameters
        .iter()
        .map(|p| {
            let prior = p.prior[2] - p.prior[0];
            let posterior = p.posterior[2] - p.posterior[0];
            PosteriorRow {
                path: p.path.clone(),
                prior: quartet(p.prior),
                posterior: quartet(p.posterior),
                narrowing: finite(posterior / prior).filter(|_| prior > 0.0),
            }
        })
        .collect();
    // The filter's months run from the conflict's start; a series is shown over the same
    // months.
    let months: Vec<String> = d.months.iter().map(|m| m.month.to_string()).collect();
    let series = d
        .series
        .iter()
        .map(|fit| {
            let o = observed.iter().find(|o| o.id == fit.id);
            let (title, unit) = o.map_or_else(|| (fit.id.clone(), String::new()), |o| describe(s, o));
            let at = |k: usize| d.months.get(k).map(|m| m.month);
            let observed = (0..months.len())
                .map(|k| at(k).and_then(|m| fit.months.iter().position(|x| *x == m)).and_then(|i| fit.observed[i]))
                .collect();
            let filtered = (0..months.len())
                .map(|k| {
                    at(k)
                        .and_then(|m| fit.months.iter().position(|x| *x == m))
                        .map_or([None; 3], |i| fit.filtered[i].map(finite))
                })
                .collect();
            SeriesFitRow {
                id: fit.id.clone(),
                title,
                unit,
                source: o.map_or_else(String::new, |o| provenance_text(&o.provenance)),
                observed,
                filtered,
                coverage_80: finite(fit.coverage_80),
            }
        })
        .collect();
    Record {
        particles: d.particles,
        filters: d.filters,
        ess: d.months.iter().map(|m| m.ess / particles).collect(),
        ruled_out: d.months.iter().map(|m| m.ruled_out as u64).collect(),
        months,
        collapsed: d.collapsed.iter().map(ToString::to_string).collect(),
        collapse: COLLAPSE,
        log_likelihood: finite(d.log_likelihood),
        lineages: d.lineages as u64,
        redrawn: d.redrawn as u64,
        parameters,
        series,
    }
}

/// The backtest section's data.
pub(super) fn backtest(s: &Scenario, b: &Backtest) -> BacktestData {
    let observed: &[Observed] = s.conflict.as_ref().map_or(&[], |c| &c.observed);
    let o = &b.options;
    BacktestData {
        origins: [o.first.to_string(), o.last.to_string()],
        count: b.origins.len() as u64,
        horizons: o.horizons,
        particles: o.particles,
        filters: parley_experiment::assimilate::FILTERS,
        seed: o.seed,
        window: if s.conflict.as_ref().map(BacktestOptions::window) == Some((o.first, o.last)) {
            format!(
                "the default window: every month from {} to {} months before the scenario date, fixed before any score was computed",
                WINDOW.0, WINDOW.1
            )
        } else {
            "chosen by the user (--from, --to)".into()
        },
        tuned: s
            .numbers()
            .iter()
            .filter_map(|n| match &*n.quantity.provenance {
                Provenance::Tuned { to, note } if b.series.iter().any(|x| &x.series == to) => {
                    Some(TunedNumber { path: n.path.clone(), to: to.clone(), note: note.clone() })
                }
                _ => None,
            })
            .collect(),
        collapsed: b
            .origins
            .iter()
            .filter(|x| !x.collapsed.is_empty())
            .map(|x| {
                format!("{} ({})", x.origin, x.collapsed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
            })
            .collect(),
        series: b
            .series
            .iter()
            .map(|series| {
                let (title, unit) = observed
                    .iter()
                    .find(|x| x.id == series.series)
                    .map_or_else(|| (series.series.clone(), String::new()), |x| describe(s, x));
                BacktestSeries {
                    id: series.series.clone(),
                    title,
                    unit,
                    horizons: series
                        .horizons
                        .iter()
                        .map(|h| HorizonRow {
                            horizon: h.horizon,
                            n: h.n,
                            crps: [h.crps, h.crps_no_change, h.crps_drift].map(finite),
                            skill: [h.skill_no_change, h.skill_drift].map(finite),
                            coverage: h.coverage.map(finite),
                            coverage_drift_80: finite(h.coverage_drift[1]),
                            median_bias: finite(h.median_bias),
                            pit: h.pit,
                        })
                        .collect(),
                }
            })
            .collect(),
        stopped: b
            .stopped
            .iter()
            .filter(|h| h.n > 0)
            .map(|h| StoppedRow { horizon: h.horizon, n: h.n, probability: h.probability, brier: h.brier })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use parley_core::Month;
    use parley_experiment::backtest::BacktestOptions;

    use crate::scenario::{BUILT_IN, BUILT_IN_NAME};

    #[test]
    fn test_the_backtest_lists_the_numbers_tuned_to_the_series_it_scores() {
        let s = parley_io::parse(BUILT_IN, BUILT_IN_NAME, parley_io::Format::Toml).unwrap().scenario;
        let origin = Month::parse("2025-07").unwrap();
        let options = BacktestOptions { first: origin, last: origin, horizons: 1, particles: 16, seed: 1 };
        let b = parley_experiment::backtest::backtest(&s, &options, &mut |_, _| true).unwrap();
        let data = super::backtest(&s, &b);
        let tuned: Vec<(&str, &str)> = data.tuned.iter().map(|t| (t.path.as_str(), t.to.as_str())).collect();
        // The offensives, declared tuned to the area held, and the two calibrated numbers;
        // not Russia's optimism, tuned to a reservation value rather than to the record.
        for expected in [
            ("conflict.sides.ukr.effectiveness", "russian_losses"),
            ("conflict.territory.gain", "held"),
            ("conflict.volatility.offensive", "held"),
        ] {
            assert!(tuned.contains(&expected), "{expected:?} in {tuned:?}");
        }
        assert_eq!(tuned.len(), 3, "{tuned:?}");
        assert!(data.tuned.iter().all(|t| !t.note.is_empty()));
        // Each series' headline, in the summary and the section, says so beside its scores.
        let held = data.series.iter().find(|x| x.id == "held").unwrap();
        let text = parley_report::backtest_headline(&data, held);
        assert!(
            text.contains("Declared: the scenario tuned 2 numbers to this record (conflict.territory.gain, conflict.volatility.offensive)"),
            "{text}"
        );
    }
}
