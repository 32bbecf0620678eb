//! The sections of the observed record (what the particle filter made of it) and of the
//! backtest (how well forecasts conditioned on it did), and the backtest's headline.

use super::format::{number, pct};
use super::html::Html;
use crate::chart::axis::Ticks;
use crate::chart::bars::histogram;
use crate::chart::lines::{Labels, Line, LineChart, Reference};
use crate::chart::series_style;
use crate::chart::svg::{Marker, Stroke};
use crate::data::{BacktestData, BacktestSeries, Record, ReportData};

/// The coverage a calibrated 80% interval has.
const NOMINAL_80: f64 = 0.8;

/// Horizons as a list: `1–3, 5`.
fn spans(hs: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut k = 0;
    while k < hs.len() {
        let mut j = k;
        while j + 1 < hs.len() && hs[j + 1] == hs[j] + 1 {
            j += 1;
        }
        parts.push(if j == k { hs[k].to_string() } else { format!("{}–{}", hs[k], hs[j]) });
        k = j + 1;
    }
    parts.join(", ")
}

/// The share of scored forecasts inside the model's 80% interval, over every horizon.
fn pooled_coverage_80(s: &BacktestSeries) -> Option<f64> {
    let n: usize = s.horizons.iter().filter(|h| h.coverage[1].is_some()).map(|h| h.n).sum();
    let inside: f64 = s.horizons.iter().filter_map(|h| h.coverage[1].map(|c| c * h.n as f64)).sum();
    (n > 0).then(|| inside / n as f64)
}

/// What the backtest says of one series, in a sentence or three: where the model beats each
/// benchmark and where it loses, how often its 80% intervals held the outcome, and which
/// way its median errs. Plain about losses: a forecast that loses to a naive benchmark is
/// said to.
pub fn headline(b: &BacktestData, s: &BacktestSeries) -> String {
    let all = s.horizons.len();
    let mut text = format!(
        "Backtest, {} ({} origins, {}–{}, 1–{} months ahead): ",
        s.title, b.count, b.origins[0], b.origins[1], b.horizons
    );
    let names = ["no change", "the drift random walk"];
    let mut clauses = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let wins: Vec<u32> =
            s.horizons.iter().filter(|h| h.skill[k].is_some_and(|x| x > 0.0)).map(|h| h.horizon).collect();
        let losses: Vec<u32> =
            s.horizons.iter().filter(|h| h.skill[k].is_some_and(|x| x <= 0.0)).map(|h| h.horizon).collect();
        let skills: Vec<f64> = s.horizons.iter().filter_map(|h| h.skill[k]).collect();
        let range = match (skills.iter().copied().reduce(f64::min), skills.iter().copied().reduce(f64::max)) {
            (Some(lo), Some(hi)) => format!(" (skill {lo:+.2} to {hi:+.2})"),
            _ => String::new(),
        };
        clauses.push(if losses.is_empty() && !wins.is_empty() {
            format!("the model beats {name} at every horizon{range}")
        } else if wins.is_empty() {
            format!("the model loses to {name} at every horizon{range}")
        } else {
            format!("it beats {name} at {} months ahead but loses to it at {}{range}", spans(&wins), spans(&losses))
        });
    }
    text.push_str(&clauses.join("; "));
    text.push('.');
    if let Some(c) = pooled_coverage_80(s) {
        let verdict = if c < NOMINAL_80 - 0.1 {
            "fewer than a calibrated forecast's 80%: its bands are too narrow or off-centre"
        } else if c > NOMINAL_80 + 0.1 {
            "more than a calibrated forecast's 80%: its bands are wider than they need be"
        } else {
            "close to the 80% a calibrated forecast holds"
        };
        text.push_str(&format!(" Its 80% intervals held {} of the outcomes, {verdict}.", pct(c)));
    }
    let biases: Vec<f64> = s.horizons.iter().filter_map(|h| h.median_bias).collect();
    if let (Some(first), Some(last)) = (biases.first(), biases.last()) {
        let side = |x: f64| if x < 0.0 { "below" } else { "above" };
        text.push_str(&format!(
            " On average over the origins its median lies {} {} {} the outcome one month ahead and {} {} {} it {all} months ahead.",
            number(first.abs()),
            s.unit,
            side(*first),
            number(last.abs()),
            s.unit,
            side(*last),
        ));
    }
    let tuned: Vec<&str> = b.tuned.iter().filter(|t| t.to == s.id).map(|t| t.path.as_str()).collect();
    if !tuned.is_empty() {
        text.push_str(&format!(
            " Declared: the scenario tuned {} to this record ({}), so for {} these scores are no out-of-sample test.",
            if tuned.len() == 1 { "one number".to_string() } else { format!("{} numbers", tuned.len()) },
            tuned.join(", "),
            if tuned.len() == 1 { "it" } else { "them" },
        ));
    }
    text
}

/// What the backtest says of the forecasts that the war would stop, which the record
/// contradicts at every scored month (the war went on): `None` when none was scored.
pub fn stopped_headline(b: &BacktestData) -> Option<String> {
    let (first, last) = (b.stopped.first()?, b.stopped.last()?);
    let ahead = |h: u32| if h == 1 { "one month ahead".to_string() } else { format!("{h} months ahead") };
    Some(format!(
        "The war went on through every month the backtest scored, yet on average over the origins the model gave a {} chance that it had stopped (a ceasefire, a settlement or a capitulation, in which the front stops moving) {} and {} {} (Brier score {:.3} and {:.3}; a forecast that never expected it to stop scores 0).",
        pct(first.probability),
        ahead(first.horizon),
        pct(last.probability),
        ahead(last.horizon),
        first.brier,
        last.brier,
    ))
}

/// Whether the particles at the scenario date descend from fewer than [`Record::collapse`]
/// of the prior's draws (the share below which a month's effective sample size counts as
/// a collapse).
fn thin_lineages(r: &Record) -> bool {
    r.lineages > 0 && (r.lineages as f64) < r.collapse * r.particles as f64
}

/// How many prior draws the filtered particles descend from, and what that means; `None`
/// when it was not counted.
fn lineage_text(r: &Record) -> Option<String> {
    (r.lineages > 0).then(|| {
        let redrawn = if r.redrawn > 0 {
            format!(
                "After filtering, each particle drew its talk-side assumptions (the sides' optimism and how fast fighting corrects it, the donors' later policies and the like, which the record bears on only through the fact that talks did not end the war) again from their priors, and kept the new draw where none of its months would have ended in agreement: {} of {} did. ",
                number(r.redrawn as f64),
                number(r.particles as f64)
            )
        } else {
            String::new()
        };
        format!(
            "{redrawn}Resampling copies some particles and drops others: those left at {} descend from {} of the {} prior draws{} (Liu and West's jitter spreads each line), and the assumptions the record informs are represented only as well as these draws represent them. A result that turns on them carries a Monte Carlo error from the filter that the runs' intervals leave out{}.",
            r.months.last().map_or("the scenario date", String::as_str),
            number(r.lineages as f64),
            number(r.particles as f64),
            if r.filters > 1 { ", the independent filters' lines together" } else { "" },
            if thin_lineages(r) { "; with this few, run another --seed before reading a difference of a few points" } else { "" }
        )
    })
}

/// The summary's finding when the filtered particles rest on few prior draws.
pub fn lineage_headline(d: &ReportData) -> Option<String> {
    let r = d.record.as_ref().filter(|r| thin_lineages(r))?;
    Some(format!(
        "The record's {} left particles descended from only {} of {} {} prior draws, so the probabilities of a settlement above carry a Monte Carlo error of the filter that their intervals leave out: run another --seed before reading a difference of a few points.",
        if r.filters > 1 { "filters" } else { "filter" },
        number(r.lineages as f64),
        if r.filters > 1 { "their" } else { "its" },
        number(r.particles as f64)
    ))
}

/// "A particle filter with N particles", or "K independent particle filters of N
/// particles each".
fn filters_text(filters: usize, each: usize) -> String {
    const WORDS: [&str; 9] = ["Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"];
    if filters > 1 {
        let count = WORDS.get(filters - 2).map_or_else(|| number(filters as f64), |w| (*w).to_string());
        format!("{count} independent particle filters of {} particles each", number(each as f64))
    } else {
        format!("A particle filter with {} particles", number(each as f64))
    }
}

pub(super) fn record(h: &mut Html, d: &ReportData) {
    h.section("record", "Where the war stands: the record the forecasts start from", d.record.is_some());
    let Some(r) = &d.record else {
        h.p("The forecasts below start from the prior: each run replays the war from the conflict's start with its own drawn assumptions, without looking at an observed record (the scenario has none, or the run was made with --no-assimilation).");
        h.end_section();
        return;
    };
    let first = r.months.first().cloned().unwrap_or_default();
    let last = r.months.last().cloned().unwrap_or_default();
    h.p(&format!(
        "Every forecast in this report starts from the observed record. {} stepped month by month from {first} to {last}: each particle is a draw of the uncertain assumptions and a state of the war; each month its war moves on with its own shocks, it is weighted by how likely that month's observations are under the series' observation model, and it is ruled out if its talks would have ended the war the record shows going on; the particles are then resampled and the assumptions jittered (Liu and West's kernel). What is left at {last} — assumptions and state, {} — is where the runs of the experiment, the central path and the sensitivity study begin.",
        filters_text(r.filters, r.particles / r.filters.max(1)),
        if r.filters > 1 { "the filters' ensembles pooled" } else { "one ensemble" }
    ));
    let min_ess = r.ess.iter().copied().fold(f64::INFINITY, f64::min);
    if r.collapsed.is_empty() {
        h.p(&format!(
            "The filter did not collapse: the effective sample size stayed above {} of the particles every month (lowest {}).",
            pct(r.collapse),
            pct(min_ess)
        ));
    } else {
        h.p_class(
            "caveat",
            &format!(
                "The filter's effective sample size collapsed below {} of the particles in {}: in those months few particles carried the weight, and what follows rests on them.",
                pct(r.collapse),
                r.collapsed.join(", ")
            ),
        );
    }
    if let Some(text) = lineage_text(r) {
        if thin_lineages(r) {
            h.p_class("caveat", &text);
        } else {
            h.p(&text);
        }
    }
    let label = |x: f64| r.months.get(x.round().max(0.0) as usize).cloned().unwrap_or_default();
    let x_ticks = Ticks::new(0.0, r.months.len().saturating_sub(1) as f64, 5);
    h.raw("<div class=\"grid\">\n");
    let ess = LineChart {
        labels: Labels {
            id: "record-ess",
            title: "Effective sample size",
            description: "The filter's effective sample size each month, as a share of its particles; below the dashed line it counts as a collapse.",
            x: "month",
            y: "share of the particles (%)",
        },
        lines: vec![Line {
            label: "effective sample size".into(),
            points: r.ess.iter().enumerate().map(|(k, e)| (k as f64, 100.0 * e)).collect(),
            band: None,
            style: None,
        }],
        references: vec![Reference {
            y: 100.0 * r.collapse,
            label: "collapse".into(),
            stroke: Stroke::dashed("#000", 1.0, "4 3"),
        }],
        y_range: Some((0.0, 100.0)),
        x_ticks: Some(x_ticks.clone()),
        x_label: &label,
        direct_labels: false,
        markers: false,
        width: 340.0,
        y_names: vec![],
    };
    h.figure(&ess.render(), "How many particles carried the weight, month by month.");
    for (k, s) in r.series.iter().enumerate() {
        let id = format!("record-series-{k}");
        let title = s.title.clone();
        let description = format!(
            "{} ({}), observed each month, against the filtered model's median and 10–90% band.",
            s.title, s.unit
        );
        let (observed_style, _) = series_style(1);
        let chart = LineChart {
            labels: Labels { id: &id, title: &title, description: &description, x: "month", y: &s.unit },
            lines: vec![
                Line {
                    label: "filtered model (median, 10–90%)".into(),
                    points: s.filtered.iter().enumerate().map(|(m, q)| (m as f64, q[1].unwrap_or(f64::NAN))).collect(),
                    band: Some(
                        s.filtered.iter().enumerate().filter_map(|(m, q)| Some((m as f64, q[0]?, q[2]?))).collect(),
                    ),
                    style: Some((series_style(0).0, None)),
                },
                Line {
                    label: "observed".into(),
                    points: s.observed.iter().enumerate().map(|(m, v)| (m as f64, v.unwrap_or(f64::NAN))).collect(),
                    band: None,
                    style: Some((Stroke { width: 0.0, ..observed_style }, Some(Marker::Circle))),
                },
            ],
            references: vec![],
            y_range: None,
            x_ticks: Some(x_ticks.clone()),
            x_label: &label,
            direct_labels: false,
            markers: true,
            width: 340.0,
            y_names: vec![],
        };
        h.figure(
            &chart.render(),
            &format!(
                "{}; source: {}. {} of the observed months lie inside the filtered 80% band.",
                s.title,
                s.source,
                s.coverage_80.map_or("–".into(), pct)
            ),
        );
    }
    h.raw("</div>\n");
    h.h3("What the record taught: each uncertain assumption before and after");
    h.p("The prior is the range the scenario states for an assumption; the posterior is what is left of it once the record up to the scenario date is taken into account. A posterior range much narrower than the prior's means the record pins the assumption down; one as wide means the record says little about it, and the forecasts carry its full uncertainty.");
    let range = |q: &[Option<f64>; 4]| match q {
        [Some(lo), Some(mid), Some(hi), _] => format!("{} [{}, {}]", number(*mid), number(*lo), number(*hi)),
        _ => "–".into(),
    };
    let rows: Vec<Vec<String>> = r
        .parameters
        .iter()
        .map(|p| {
            vec![
                p.path.clone(),
                range(&p.prior),
                range(&p.posterior),
                p.narrowing.map_or("–".into(), |x| format!("{:.0}%", 100.0 * x)),
            ]
        })
        .collect();
    h.table(
        "",
        &["assumption", "prior median [5%, 95%]", "posterior median [5%, 95%]", "posterior range / prior range"],
        &rows,
    );
    h.end_section();
}

pub(super) fn backtest(h: &mut Html, d: &ReportData) {
    h.section("backtest", "How well the model forecast: the backtest", d.backtest.is_some());
    let Some(b) = &d.backtest else {
        h.p("No backtest was made: the scenario has no observed record to score forecasts against, or the run was made with --no-backtest.");
        h.end_section();
        return;
    };
    h.p(&format!(
        "At each of {} monthly origins from {} to {} ({}), the record up to the origin — and nothing after it — was filtered ({}), and the model forecast each observed series 1 to {} months ahead, observation error included; the forecast was then scored against what was observed. Two naive benchmarks are scored by the same code on the same origins: no change (the last value, spreading with the standard deviation of the last twelve monthly changes) and a drift random walk (the last value plus the mean change of the last six months, with the same spread). The score is the continuous ranked probability score (CRPS, in the series' unit; lower is better); skill is 1 − CRPS(model) / CRPS(benchmark), positive where the model is better. Seed {}.",
        b.count,
        b.origins[0],
        b.origins[1],
        b.window,
        filters_text(b.filters, b.particles).to_lowercase(),
        b.horizons,
        b.seed
    ));
    if !b.collapsed.is_empty() {
        h.p_class(
            "caveat",
            &format!("The filter's effective sample size collapsed at these origins: {}.", b.collapsed.join("; ")),
        );
    }
    if !b.tuned.is_empty() {
        h.p_class(
            "caveat",
            "Declared: the scenario says these numbers were tuned to the record the backtest scores — their value, or the mechanism they belong to, was chosen with that record or the backtest's scores in view — so for them the backtest is no out-of-sample test:",
        );
        let rows: Vec<Vec<String>> =
            b.tuned.iter().map(|t| vec![t.path.clone(), t.to.clone(), t.note.clone()]).collect();
        h.table("", &["number", "tuned to", "how and why"], &rows);
    }
    for (k, s) in b.series.iter().enumerate() {
        h.h3(&s.title);
        h.p(&headline(b, s));
        let opt = |x: Option<f64>, f: &dyn Fn(f64) -> String| x.map_or("–".into(), f);
        let rows: Vec<Vec<String>> = s
            .horizons
            .iter()
            .map(|x| {
                vec![
                    x.horizon.to_string(),
                    x.n.to_string(),
                    opt(x.crps[0], &number),
                    opt(x.crps[1], &number),
                    opt(x.crps[2], &number),
                    opt(x.skill[0], &|v| format!("{v:+.2}")),
                    opt(x.skill[1], &|v| format!("{v:+.2}")),
                    x.coverage.iter().map(|c| opt(*c, &pct)).collect::<Vec<_>>().join(" / "),
                    opt(x.coverage_drift_80, &pct),
                    opt(x.median_bias, &|v| format!("{}{}", if v < 0.0 { "−" } else { "+" }, number(v.abs()))),
                ]
            })
            .collect();
        h.table(
            &format!("{} ({})", s.title, s.unit),
            &[
                "months ahead",
                "forecasts",
                "CRPS, model",
                "CRPS, no change",
                "CRPS, drift",
                "skill vs no change",
                "skill vs drift",
                "model's 50% / 80% / 95% intervals held",
                "drift's 80% interval held",
                "median − outcome",
            ],
            &rows,
        );
        h.raw("<div class=\"grid\">\n");
        let horizon = |x: f64| format!("{x:.0}");
        let id = format!("backtest-skill-{k}");
        let title = format!("Skill by horizon: {}", s.title);
        let description = "The model's CRPS skill against each naive benchmark, by months ahead; above zero the model is better, below it the benchmark is.";
        let line = |label: &str, i: usize| Line {
            label: label.into(),
            points: s.horizons.iter().map(|x| (f64::from(x.horizon), x.skill[i].unwrap_or(f64::NAN))).collect(),
            band: None,
            style: None,
        };
        let chart = LineChart {
            labels: Labels { id: &id, title: &title, description, x: "months ahead", y: "CRPS skill" },
            lines: vec![line("vs no change", 0), line("vs drift", 1)],
            references: vec![Reference {
                y: 0.0,
                label: "no better".into(),
                stroke: Stroke::dashed("#000", 1.0, "4 3"),
            }],
            y_range: None,
            x_ticks: Some(Ticks::fixed(1.0, f64::from(b.horizons), 1.0)),
            x_label: &horizon,
            direct_labels: false,
            markers: true,
            width: 340.0,
            y_names: vec![],
        };
        h.figure(&chart.render(), "Skill against the naive benchmarks, by horizon.");
        let mut bins = [0u64; 10];
        for x in &s.horizons {
            for (b, c) in bins.iter_mut().zip(x.pit) {
                *b += c;
            }
        }
        let labelled: Vec<(String, u64)> = bins
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("{:.1}–{:.1}", i as f64 / 10.0, (i + 1) as f64 / 10.0), *c))
            .collect();
        h.figure(
            &histogram(
                &format!("backtest-pit-{k}"),
                &format!("Where the outcomes fell in the forecasts: {}", s.title),
                "The probability integral transform of every scored outcome, over all horizons: a calibrated forecast gives a flat histogram; a pile at the right means outcomes above the forecast, at the left below it, a hump in the middle bands that are too wide.",
                ("PIT (share of the forecast below the outcome)", "forecasts", "outcomes per tenth of the forecast"),
                &labelled,
            ),
            "PIT histogram over all horizons: flat when the forecast is calibrated.",
        );
        h.raw("</div>\n");
    }
    if let Some(text) = stopped_headline(b) {
        h.h3("Whether the war stopped");
        h.p(&text);
        let rows: Vec<Vec<String>> = b
            .stopped
            .iter()
            .map(|x| vec![x.horizon.to_string(), x.n.to_string(), pct(x.probability), format!("{:.3}", x.brier)])
            .collect();
        h.table(
            "The model's probability that the war had stopped, where the record says it went on",
            &["months ahead", "origins", "mean probability", "Brier score"],
            &rows,
        );
    }
    h.end_section();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(particles: usize, lineages: u64) -> Record {
        Record {
            particles,
            filters: 1,
            months: vec!["2024-01".into(), "2025-10".into()],
            ess: vec![0.5, 0.4],
            ruled_out: vec![0, 0],
            collapsed: Vec::new(),
            collapse: 0.05,
            log_likelihood: Some(-360.0),
            lineages,
            redrawn: 0,
            parameters: Vec::new(),
            series: Vec::new(),
        }
    }

    #[test]
    fn test_few_lines_of_descent_are_a_caveat_and_many_are_not() {
        // 9 of 1,000 draws (the built-in scenario's filter, seed 0) is below the 5% that
        // counts as a collapse of the effective sample size; 600 is not.
        let thin = record(1000, 9);
        assert!(thin_lineages(&thin));
        let text = lineage_text(&thin).unwrap();
        assert!(text.contains("descend from 9 of the 1,000 prior draws"), "{text}");
        assert!(text.contains("run another --seed"), "{text}");
        assert!(!text.contains("drew its talk-side assumptions"), "nothing was redrawn: {text}");
        let redrawn = Record { redrawn: 998, ..record(1000, 9) };
        assert!(lineage_text(&redrawn).unwrap().contains("998 of 1,000 did"));
        let many = record(1000, 600);
        assert!(!thin_lineages(&many));
        assert!(!lineage_text(&many).unwrap().contains("another --seed"));
        // Results saved before the count was kept say nothing about it.
        let old = record(1000, 0);
        assert!(!thin_lineages(&old));
        assert_eq!(lineage_text(&old), None);
    }

    #[test]
    fn test_pooled_filters_are_named_as_such() {
        let pooled = Record { filters: 4, ..record(4000, 66) };
        assert!(lineage_text(&pooled).unwrap().contains("66 of the 4,000 prior draws, the independent filters' lines"));
        assert_eq!(filters_text(4, 1000), "Four independent particle filters of 1,000 particles each");
        assert_eq!(filters_text(12, 1000), "12 independent particle filters of 1,000 particles each");
        assert_eq!(filters_text(1, 500), "A particle filter with 500 particles");
        let single = record(1000, 9);
        assert!(!lineage_text(&single).unwrap().contains("independent filters"));
    }
}
