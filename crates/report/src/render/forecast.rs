//! The section of the expected-utility forecast.

use super::format::short;
use super::html::Html;
use crate::chart::axis::Ticks;
use crate::chart::lines::{Labels, Line, LineChart};
use crate::chart::series_style;
use crate::chart::svg::Stroke;
use crate::data::{ReportData, ScaleRow};

/// A position on an issue's scale in words: the option it is at, or the two it lies between.
fn on_scale(scale: &[ScaleRow], x: f64) -> String {
    if let Some(p) = scale.iter().find(|p| (p.value - x).abs() < 1e-9) {
        return format!("{} ({})", p.label, p.id);
    }
    let below = scale.iter().rfind(|p| p.value < x);
    let above = scale.iter().find(|p| p.value > x);
    match (below, above) {
        (Some(b), Some(a)) => {
            let nearer = if x - b.value <= a.value - x { b } else { a };
            format!("{x:.2}: between {} and {}, nearer {}", b.id, a.id, nearer.label)
        }
        _ => format!("{x:.2}"),
    }
}

pub(in crate::render) fn forecast(h: &mut Html, d: &ReportData) {
    h.section("forecast", "A second lens: the expected-utility forecast", d.forecast.is_some());
    let Some(f) = &d.forecast else {
        h.p("No issue of the scenario is a scale (integer or real issues, categorical issues marked ordered, two-option issues), so there is no expected-utility forecast.");
        h.end_section();
        return;
    };
    h.p(&format!(
        "Bueno de Mesquita's expected-utility model, as Scholz, Calbert and Smith (2011) reconstruct it, forecasts one issue at a time: each actor takes a position on the issue's scale (its best option there, among those its own red lines leave open), a salience (its weight on the issue relative to its heaviest issue) and a capability (its power in the scenario); in each of {} rounds the actors challenge, compromise with or give in to one another, and the median voter position is the forecast. It is an independent lens: it sees neither the other issues, nor linkages, nor reservation values, nor who holds a veto, so where it differs from the bargaining analysis above, the difference is the model's, conditional on the powers and weights the scenario states.",
        f.rounds
    ));
    let rows: Vec<Vec<String>> = f
        .issues
        .iter()
        .map(|i| {
            vec![
                i.name.clone(),
                on_scale(&i.scale, i.medians[0]),
                on_scale(&i.scale, *i.medians.last().unwrap_or(&f64::NAN)),
                format!("{:.2}", i.means.last().copied().unwrap_or(f64::NAN)),
                i.moves.to_string(),
            ]
        })
        .collect();
    let last = format!("forecast after {} rounds (median)", f.rounds);
    h.table("", &["issue", "start (median)", &last, "mean after the last round", "moves"], &rows);
    h.raw("<div class=\"grid\">\n");
    for (k, issue) in f.issues.iter().enumerate() {
        let round = |x: f64| format!("{x:.0}");
        // The median first, broad and light, so the actors' lines stay visible on top of it.
        let mut lines = vec![Line {
            label: "median (the forecast)".into(),
            points: issue.medians.iter().enumerate().map(|(r, &x)| (r as f64, x)).collect(),
            band: None,
            style: Some((Stroke::solid("#b3b3b3", 7.0), None)),
        }];
        lines.extend(issue.actors.iter().zip(&issue.positions).enumerate().map(|(a, (name, path))| {
            let (stroke, marker) = series_style(a);
            Line {
                label: name.clone(),
                points: path.iter().enumerate().map(|(r, &x)| (r as f64, x)).collect(),
                band: None,
                style: Some((stroke, Some(marker))),
            }
        }));
        let lo = issue.scale.first().map_or(0.0, |p| p.value);
        let hi = issue.scale.last().map_or(1.0, |p| p.value);
        let pad = (hi - lo).max(1e-9) * 0.05;
        let chart = LineChart {
            labels: Labels {
                id: &format!("forecast-{k}"),
                title: &issue.name,
                description: &format!(
                    "Positions on {} round by round, and the median voter position; the forecast is {}.",
                    issue.name,
                    on_scale(&issue.scale, *issue.medians.last().unwrap_or(&f64::NAN))
                ),
                x: "round",
                y: "position",
            },
            lines,
            references: Vec::new(),
            y_range: Some((lo - pad, hi + pad)),
            x_ticks: Some(Ticks::fixed(0.0, (issue.medians.len().saturating_sub(1)) as f64, 2.0)),
            x_label: &round,
            direct_labels: false,
            markers: true,
            width: 340.0,
            y_names: issue.scale.iter().map(|p| (p.value, short(&p.id, 14))).collect(),
        };
        h.figure(
            &chart.render(),
            &format!(
                "{}: each actor's position by round and the median voter position (the broad grey line); {} move{} in all.",
                issue.name,
                issue.moves,
                if issue.moves == 1 { "" } else { "s" }
            ),
        );
    }
    h.raw("</div>\n");
    if !f.skipped.is_empty() {
        h.h3("Issues not forecast");
        let rows: Vec<Vec<String>> = f.skipped.iter().map(|(i, why)| vec![i.clone(), why.clone()]).collect();
        h.table("", &["issue", "why"], &rows);
    }
    h.end_section();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_on_scale_names_the_option_or_its_neighbours() {
        let row = |value: f64, id: &str| ScaleRow { value, id: id.into(), label: format!("the {id} line") };
        let scale = [row(0.0, "pre2022"), row(1.0, "freeze"), row(2.0, "freeze_dmz")];
        assert_eq!(on_scale(&scale, 1.0), "the freeze line (freeze)");
        assert_eq!(on_scale(&scale, 1.5), "1.50: between freeze and freeze_dmz, nearer the freeze line");
        assert_eq!(on_scale(&scale, 1.8), "1.80: between freeze and freeze_dmz, nearer the freeze_dmz line");
    }
}
