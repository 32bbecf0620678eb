//! Bar charts: the tornado of one-at-a-time sensitivities, the shares of the options in
//! agreed terms, and a histogram over months.

use super::axis::{Scale, Ticks, tick_label};
use super::lines::format_value;
use super::svg::{Anchor, Stroke, Svg};
use super::{Key, legend, text_width};

/// One row of a tornado.
pub struct TornadoRow {
    /// The input's name.
    pub name: String,
    /// Output with the input at its low value.
    pub low: f64,
    /// Output with the input at its high value.
    pub high: f64,
}

/// A tornado chart: for each input, the output at its low and at its high value, as bars
/// from the output at the baseline.
pub struct TornadoChart<'a> {
    /// Unique id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// For screen readers.
    pub description: &'a str,
    /// The output's axis title, with unit.
    pub axis: &'a str,
    /// Output with every input at its baseline.
    pub baseline: f64,
    /// Rows, widest swing first.
    pub rows: Vec<TornadoRow>,
    /// What "low" and "high" mean, for the legend.
    pub low_label: &'a str,
    /// See `low_label`.
    pub high_label: &'a str,
}

impl TornadoChart<'_> {
    /// The chart as an SVG document.
    pub fn render(&self) -> String {
        let width = 720.0;
        let label_width = self.rows.iter().map(|r| text_width(&r.name, 11.0)).fold(80.0, f64::max).min(300.0) + 16.0;
        let row_h = 26.0;
        let top = 34.0;
        let plot_h = row_h * self.rows.len().max(1) as f64;
        let height = top + plot_h + 96.0;
        let mut svg = Svg::new(width, height);
        svg.text(12.0, 20.0, self.title, Anchor::Start, 14.0, true);
        let values = self.rows.iter().flat_map(|r| [r.low, r.high]).chain([self.baseline]).filter(|v| v.is_finite());
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let ticks = if lo.is_finite() { Ticks::new(lo, hi, 6) } else { Ticks::new(0.0, 1.0, 5) };
        let (left, right) = (label_width, width - 24.0);
        let x = Scale { d0: ticks.lo, d1: ticks.hi, r0: left, r1: right };
        let bottom = top + plot_h;
        let grid = Stroke::solid(super::axis::GRID, 0.8);
        for &v in &ticks.values {
            svg.line(x.at(v), top, x.at(v), bottom, &grid);
            svg.text(x.at(v), bottom + 16.0, &tick_label(v, ticks.step), Anchor::Middle, 11.0, false);
        }
        svg.text((left + right) / 2.0, bottom + 34.0, self.axis, Anchor::Middle, 12.0, false);
        let base = x.at(self.baseline);
        let ink = Stroke::solid("#000", 1.0);
        for (k, r) in self.rows.iter().enumerate() {
            let y = top + k as f64 * row_h;
            svg.text(left - 8.0, y + row_h / 2.0 + 4.0, &r.name, Anchor::End, 11.0, false);
            for (value, dy, fill, what) in
                [(r.low, 4.0, "#ffffff", self.low_label), (r.high, 13.0, "#4d4d4d", self.high_label)]
            {
                if !value.is_finite() {
                    continue;
                }
                let px = x.at(value);
                svg.rect(base.min(px), y + dy, (px - base).abs().max(1.0), 9.0, fill, Some(&ink));
                let _ = what;
            }
            let tip = format!(
                "{}: {} at {}, {} at {}",
                r.name,
                format_value(r.low),
                self.low_label,
                format_value(r.high),
                self.high_label
            );
            svg.rect_titled(left, y, right - left, row_h, "#000", 0.0, &tip);
        }
        svg.line(base, top - 4.0, base, bottom + 4.0, &Stroke::solid("#000", 1.5));
        let note = format!("at the point values: {}", format_value(self.baseline));
        if base + text_width(&note, 10.5) + 6.0 < right {
            svg.text(base + 4.0, bottom + 50.0, &note, Anchor::Start, 10.5, false);
        } else {
            svg.text(base - 4.0, bottom + 50.0, &note, Anchor::End, 10.5, false);
        }
        let entries = [
            (Key::Fill("#ffffff", 1.0), format!("input at {}", self.low_label)),
            (Key::Fill("#4d4d4d", 1.0), format!("input at {}", self.high_label)),
        ];
        legend(&mut svg, &entries, left, bottom + 74.0, width - 10.0);
        svg.finish(self.id, self.title, self.description)
    }
}

/// A group of bars: an issue and the share of each of its options.
pub struct ShareGroup {
    /// The group's heading.
    pub name: String,
    /// `(label, share in [0, 1])`.
    pub bars: Vec<(String, f64)>,
}

/// Horizontal bars of shares, grouped.
pub fn share_chart(id: &str, title: &str, description: &str, groups: &[ShareGroup]) -> String {
    let width = 720.0;
    let row_h = 17.0;
    let head_h = 20.0;
    let rows: usize = groups.iter().map(|g| g.bars.len()).sum();
    let height = 40.0 + rows as f64 * row_h + groups.len() as f64 * head_h + 52.0;
    let mut svg = Svg::new(width, height);
    svg.text(12.0, 20.0, title, Anchor::Start, 14.0, true);
    let (left, right) = (330.0, width - 60.0);
    let x = Scale { d0: 0.0, d1: 1.0, r0: left, r1: right };
    let mut y = 40.0;
    let ink = Stroke::solid("#000", 0.8);
    for g in groups {
        svg.text(12.0, y + 13.0, &g.name, Anchor::Start, 12.0, true);
        y += head_h;
        for (label, share) in &g.bars {
            let shown = if text_width(label, 11.0) > left - 40.0 {
                let keep = ((left - 40.0) / (11.0 * 0.56)) as usize;
                format!("{}…", label.chars().take(keep.saturating_sub(1)).collect::<String>())
            } else {
                label.clone()
            };
            svg.text(left - 8.0, y + 12.0, &shown, Anchor::End, 11.0, false);
            svg.rect(left, y + 3.0, right - left, row_h - 6.0, "#f2f2f2", None);
            if share.is_finite() {
                svg.rect(left, y + 3.0, (x.at(*share) - left).max(0.0), row_h - 6.0, "#4d4d4d", Some(&ink));
                svg.text(right + 6.0, y + 12.0, &format!("{:.0}%", 100.0 * share), Anchor::Start, 11.0, false);
            }
            svg.rect_titled(left, y, right - left, row_h, "#000", 0.0, &format!("{}: {label}", g.name));
            y += row_h;
        }
    }
    svg.text((left + right) / 2.0, y + 20.0, "share of agreements with the option (%)", Anchor::Middle, 12.0, false);
    let entries = [
        (Key::Fill("#4d4d4d", 1.0), "agreements with the option".to_string()),
        (Key::Fill("#f2f2f2", 1.0), "all agreements (100%)".to_string()),
    ];
    legend(&mut svg, &entries, left, y + 42.0, width - 10.0);
    svg.finish(id, title, description)
}

/// A histogram of counts over consecutive categories (for example months); `axis` holds the
/// horizontal and vertical axis titles and the legend's words for a bar.
pub fn histogram(id: &str, title: &str, description: &str, axis: (&str, &str, &str), bins: &[(String, u64)]) -> String {
    let width = 720.0;
    let height = 280.0;
    let mut svg = Svg::new(width, height);
    svg.text(12.0, 20.0, title, Anchor::Start, 14.0, true);
    let max = bins.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let ticks = Ticks::new(0.0, max, 4);
    let (left, right, top, bottom) = (62.0, width - 20.0, 34.0, height - 82.0);
    let y = Scale { d0: ticks.lo, d1: ticks.hi, r0: bottom, r1: top };
    let grid = Stroke::solid(super::axis::GRID, 0.8);
    for &v in &ticks.values {
        svg.line(left, y.at(v), right, y.at(v), &grid);
        svg.text(left - 6.0, y.at(v) + 4.0, &tick_label(v, ticks.step), Anchor::End, 11.0, false);
    }
    let n = bins.len().max(1) as f64;
    let w = (right - left) / n;
    let every = (bins.len() / 8).max(1);
    let ink = Stroke::solid("#000", 0.8);
    for (k, (label, count)) in bins.iter().enumerate() {
        let x0 = left + k as f64 * w;
        if *count > 0 {
            svg.rect(x0 + 1.5, y.at(*count as f64), w - 3.0, bottom - y.at(*count as f64), "#4d4d4d", Some(&ink));
        }
        svg.rect_titled(x0, top, w, bottom - top, "#000", 0.0, &format!("{label}: {count}"));
        if k % every == 0 {
            svg.text(x0 + w / 2.0, bottom + 16.0, label, Anchor::Middle, 11.0, false);
        }
    }
    svg.line(left, bottom, right, bottom, &Stroke::solid(super::axis::INK, 1.0));
    svg.text((left + right) / 2.0, bottom + 36.0, axis.0, Anchor::Middle, 12.0, false);
    svg.text_vertical(16.0, (top + bottom) / 2.0, axis.1, 12.0);
    legend(&mut svg, &[(Key::Fill("#4d4d4d", 1.0), axis.2.to_string())], left, bottom + 62.0, width - 10.0);
    svg.finish(id, title, description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_tornado_draws_two_bars_per_row() {
        let chart = TornadoChart {
            id: "t",
            title: "T",
            description: "D",
            axis: "months",
            baseline: 14.0,
            rows: vec![
                TornadoRow { name: "learning".into(), low: 25.0, high: 6.0 },
                TornadoRow { name: "optimism".into(), low: 6.0, high: 18.0 },
            ],
            low_label: "p5",
            high_label: "p95",
        };
        let svg = chart.render();
        assert_eq!(svg.matches(r##"fill="#4d4d4d" stroke"##).count(), 2);
        assert!(svg.contains("learning: 25.0 at p5, 6.000 at p95"), "{svg}");
    }

    #[test]
    fn test_share_chart_and_histogram() {
        let groups = [ShareGroup { name: "NATO".into(), bars: vec![("closed".into(), 0.75), ("open".into(), 0.25)] }];
        let svg = share_chart("s", "Terms", "D", &groups);
        assert!(svg.contains(">75%<") && svg.contains(">25%<"));
        let bins: Vec<(String, u64)> = (1..=24).map(|m| (format!("m{m}"), m % 5)).collect();
        let h = histogram("h", "When", "D", ("month", "runs", "runs that month"), &bins);
        assert_eq!(h.matches("<title>m").count(), 24);
    }
}
