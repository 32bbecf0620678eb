//! Line charts (several series, optional confidence bands, reference lines) and fan charts
//! (the quantiles of a quantity month by month).

use super::axis::{Frame, Ticks};
use super::svg::{Anchor, Marker, Stroke, Svg};
use super::{Key, legend, legend_rows, series_style, spread_labels, text_width};

/// What every chart has: an id for its `<title>`, a title, a description for screen
/// readers, and axis titles with units.
pub struct Labels<'a> {
    /// Unique within the report.
    pub id: &'a str,
    /// Shown above the chart.
    pub title: &'a str,
    /// What the chart shows, in a sentence or two.
    pub description: &'a str,
    /// Horizontal axis title, with unit.
    pub x: &'a str,
    /// Vertical axis title, with unit.
    pub y: &'a str,
}

/// One series of a line chart.
pub struct Line {
    /// Legend and direct label.
    pub label: String,
    /// Points in data coordinates; NaN breaks the line.
    pub points: Vec<(f64, f64)>,
    /// A band around it, `(x, low, high)`.
    pub band: Option<Vec<(f64, f64, f64)>>,
    /// Its look, if not the `k`-th [`series_style`]; `None` as marker draws none.
    pub style: Option<(Stroke, Option<Marker>)>,
}

impl Line {
    /// The look of this line as series `k`.
    fn look(&self, k: usize) -> (Stroke, Option<Marker>) {
        self.style.clone().unwrap_or_else(|| {
            let (s, m) = series_style(k);
            (s, Some(m))
        })
    }
}

/// A horizontal reference line.
pub struct Reference {
    /// Data value.
    pub y: f64,
    /// Label at its right end.
    pub label: String,
    /// How it is drawn.
    pub stroke: Stroke,
}

/// A chart of lines over a shared horizontal axis.
pub struct LineChart<'a> {
    /// Titles.
    pub labels: Labels<'a>,
    /// The series, each in its own style ([`series_style`]).
    pub lines: Vec<Line>,
    /// Reference lines.
    pub references: Vec<Reference>,
    /// Fixed vertical extent, if any.
    pub y_range: Option<(f64, f64)>,
    /// Horizontal ticks (default: round ticks over the data).
    pub x_ticks: Option<Ticks>,
    /// Horizontal tick labels from values.
    pub x_label: &'a dyn Fn(f64) -> String,
    /// Whether to write each series' label at its last point as well as in the legend.
    pub direct_labels: bool,
    /// Whether to mark every point with the series' marker.
    pub markers: bool,
    /// Width of the drawing (720 spans the page; 340 fits two or three abreast).
    pub width: f64,
    /// Names of vertical positions (an ordered issue's options), used as its tick labels.
    pub y_names: Vec<(f64, String)>,
}

fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

impl LineChart<'_> {
    /// The chart as an SVG document.
    pub fn render(&self) -> String {
        let width = self.width;
        let labels: Vec<&str> = self.lines.iter().map(|l| l.label.as_str()).collect();
        let right_margin = if self.direct_labels {
            20.0 + labels.iter().map(|l| text_width(l, 10.5)).fold(0.0, f64::max).min(190.0)
        } else {
            20.0
        };
        let rows = legend_rows(&labels, 12.0, width - 10.0) as f64;
        let height = if width < 500.0 { 250.0 } else { 330.0 } + 18.0 * rows;
        let mut svg = Svg::new(width, height);
        let xs = extent(self.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)));
        let ys = extent(
            self.lines
                .iter()
                .flat_map(|l| l.points.iter().map(|p| p.1).chain(l.band.iter().flatten().flat_map(|b| [b.1, b.2])))
                .chain(self.references.iter().map(|r| r.y)),
        );
        let (x0, x1) = xs.unwrap_or((0.0, 1.0));
        let (y0, y1) = self.y_range.or(ys).unwrap_or((0.0, 1.0));
        let x_ticks = self.x_ticks.clone().unwrap_or_else(|| Ticks::new(x0, x1, 8));
        let y_ticks = match self.y_range {
            Some((lo, hi)) => Ticks::fixed(lo, hi, super::axis::nice_step(hi - lo, 5)),
            None => Ticks::new(y0, y1, 6),
        };
        let left = 30.0 + self.y_names.iter().map(|(_, n)| text_width(n, 11.0)).fold(32.0, f64::max).min(width * 0.3);
        let mut frame = Frame::new(&svg, (left, 34.0, right_margin, 68.0 + 18.0 * rows), x_ticks, y_ticks);
        frame.y_names = self.y_names.clone();
        svg.text(12.0, 20.0, self.labels.title, Anchor::Start, 14.0, true);
        frame.draw(&mut svg, self.labels.x, self.labels.y, self.x_label);
        // Reference lines, their labels spread so that none overlap.
        let shown: Vec<&Reference> = self.references.iter().filter(|r| r.y.is_finite()).collect();
        for r in &shown {
            frame.reference_y(&mut svg, r.y, &r.stroke, "");
        }
        let ys: Vec<f64> = shown.iter().map(|r| frame.y.at(r.y) - 4.0).collect();
        for (r, y) in shown.iter().zip(spread_labels(&ys, 11.0, frame.area.top + 8.0, frame.area.bottom - 2.0)) {
            svg.text(frame.area.right - 4.0, y, &r.label, Anchor::End, 10.5, false);
        }
        for (k, line) in self.lines.iter().enumerate() {
            if let Some(band) = &line.band {
                let (stroke, _) = line.look(k);
                let mut poly: Vec<(f64, f64)> =
                    band.iter().filter(|b| b.1.is_finite() && b.2.is_finite()).map(|b| frame.at(b.0, b.2)).collect();
                poly.extend(
                    band.iter().rev().filter(|b| b.1.is_finite() && b.2.is_finite()).map(|b| frame.at(b.0, b.1)),
                );
                svg.polygon(&poly, stroke.color, 0.12);
            }
        }
        let mut ends = Vec::new();
        for (k, line) in self.lines.iter().enumerate() {
            let (stroke, marker) = line.look(k);
            let pts: Vec<(f64, f64)> = line
                .points
                .iter()
                .map(|&(x, y)| if y.is_finite() { frame.at(x, y) } else { (f64::NAN, f64::NAN) })
                .collect();
            svg.polyline(&pts, &stroke);
            if self.markers
                && let Some(marker) = marker
            {
                for (p, (x, y)) in pts.iter().zip(&line.points) {
                    if p.0.is_finite() {
                        let tip = format!("{}: {} at {}", line.label, format_value(*y), (self.x_label)(*x));
                        svg.marker(p.0, p.1, marker, 2.8, stroke.color, Some(&tip));
                    }
                }
            }
            if let Some(last) = pts.iter().rev().find(|p| p.0.is_finite()) {
                ends.push((k, *last));
            }
        }
        if self.direct_labels && !ends.is_empty() {
            let ys: Vec<f64> = ends.iter().map(|(_, p)| p.1 + 4.0).collect();
            let placed = spread_labels(&ys, 12.0, frame.area.top + 6.0, frame.area.bottom);
            for ((k, p), y) in ends.iter().zip(placed) {
                svg.text(p.0 + 6.0, y, &self.lines[*k].label, Anchor::Start, 10.5, false);
            }
        }
        let entries: Vec<(Key, String)> = self
            .lines
            .iter()
            .enumerate()
            .map(|(k, l)| {
                let (stroke, marker) = l.look(k);
                (Key::Line(stroke, marker.filter(|_| self.markers)), l.label.clone())
            })
            .collect();
        legend(&mut svg, &entries, 12.0, frame.area.bottom + 58.0, width - 10.0);
        svg.finish(self.labels.id, self.labels.title, self.labels.description)
    }
}

/// Quantiles of a quantity at one point of the horizontal axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FanPoint {
    /// Position.
    pub x: f64,
    /// 5th, 25th, 50th, 75th and 95th percentiles (NaN where undefined).
    pub q: [f64; 5],
}

/// A fan chart: the median as a line, the 25–75% and 5–95% ranges as bands.
pub struct FanChart<'a> {
    /// Titles.
    pub labels: Labels<'a>,
    /// Points in order.
    pub points: Vec<FanPoint>,
    /// Reference lines (for example zero margin).
    pub references: Vec<Reference>,
    /// Horizontal tick labels.
    pub x_label: &'a dyn Fn(f64) -> String,
    /// Horizontal ticks.
    pub x_ticks: Option<Ticks>,
    /// A floor for the vertical extent, where lower values are off the chart (clipped).
    pub y_floor: Option<f64>,
}

/// A value for a tooltip: three significant decimals for small numbers, whole for large.
pub fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v.abs() >= 1000.0 {
        super::axis::group_thousands(&format!("{v:.0}"))
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

impl FanChart<'_> {
    /// The chart as an SVG document.
    pub fn render(&self) -> String {
        let width = 340.0;
        let height = 270.0;
        let mut svg = Svg::new(width, height);
        let clip = |v: f64| match self.y_floor {
            Some(f) if v < f => f,
            _ => v,
        };
        let ys = extent(
            self.points.iter().flat_map(|p| p.q.iter().map(|&v| clip(v))).chain(self.references.iter().map(|r| r.y)),
        );
        let xs = extent(self.points.iter().map(|p| p.x));
        let (x0, x1) = xs.unwrap_or((0.0, 1.0));
        let (y0, y1) = ys.unwrap_or((0.0, 1.0));
        let x_ticks = self.x_ticks.clone().unwrap_or_else(|| Ticks::new(x0, x1, 4));
        let frame = Frame::new(&svg, (66.0, 30.0, 28.0, 78.0), x_ticks, Ticks::new(y0, y1, 5));
        svg.text(10.0, 18.0, self.labels.title, Anchor::Start, 13.0, true);
        frame.draw(&mut svg, self.labels.x, self.labels.y, self.x_label);
        let band = |svg: &mut Svg, lo: usize, hi: usize, opacity: f64| {
            let ok: Vec<&FanPoint> =
                self.points.iter().filter(|p| p.q[lo].is_finite() && p.q[hi].is_finite()).collect();
            let mut poly: Vec<(f64, f64)> = ok.iter().map(|p| frame.at(p.x, clip(p.q[hi]))).collect();
            poly.extend(ok.iter().rev().map(|p| frame.at(p.x, clip(p.q[lo]))));
            svg.polygon(&poly, "#000", opacity);
        };
        band(&mut svg, 0, 4, 0.13);
        band(&mut svg, 1, 3, 0.22);
        for r in &self.references {
            frame.reference_y(&mut svg, r.y, &r.stroke, &r.label);
        }
        let median: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| if p.q[2].is_finite() { frame.at(p.x, clip(p.q[2])) } else { (f64::NAN, f64::NAN) })
            .collect();
        svg.polyline(&median, &Stroke::solid("#000", 2.0));
        for (p, px) in self.points.iter().zip(&median) {
            if px.0.is_finite() {
                let tip = format!(
                    "{}: median {}, 50% in [{}, {}], 90% in [{}, {}]",
                    (self.x_label)(p.x),
                    format_value(p.q[2]),
                    format_value(p.q[1]),
                    format_value(p.q[3]),
                    format_value(p.q[0]),
                    format_value(p.q[4])
                );
                svg.rect_titled(px.0 - 3.0, frame.area.top, 6.0, frame.area.bottom - frame.area.top, "#000", 0.0, &tip);
            }
        }
        let entries = [
            (Key::Line(Stroke::solid("#000", 2.0), None), "median".to_string()),
            (Key::Fill("#000", 0.35), "50% of runs".to_string()),
            (Key::Fill("#000", 0.13), "90% of runs".to_string()),
        ];
        legend(&mut svg, &entries, 12.0, height - 10.0, width - 4.0);
        svg.finish(self.labels.id, self.labels.title, self.labels.description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels<'a>() -> Labels<'a> {
        Labels { id: "t", title: "T", description: "D", x: "month", y: "value" }
    }

    #[test]
    fn test_line_chart_draws_every_series_and_its_band() {
        let label = |x: f64| format!("m{x}");
        let chart = LineChart {
            labels: labels(),
            lines: vec![
                Line {
                    label: "a".into(),
                    points: vec![(1.0, 0.1), (2.0, 0.4)],
                    band: Some(vec![(1.0, 0.0, 0.2), (2.0, 0.3, 0.5)]),
                    style: None,
                },
                Line { label: "b".into(), points: vec![(1.0, 0.2), (2.0, f64::NAN)], band: None, style: None },
            ],
            references: vec![],
            y_range: Some((0.0, 1.0)),
            x_ticks: None,
            x_label: &label,
            direct_labels: true,
            markers: true,
            width: 720.0,
            y_names: vec![],
        };
        let svg = chart.render();
        assert!(svg.contains("a: 0.400 at m2"), "tooltips name series, value and position");
        assert_eq!(svg.matches("fill-opacity=\"0.12\"").count(), 1, "one band");
        assert_eq!(svg.matches("<polyline").count(), 1, "series b has a single point: no line, but its marker");
        assert!(svg.contains("b: 0.200 at m1"));
    }

    #[test]
    fn test_fan_chart_has_bands_and_a_median() {
        let label = |x: f64| format!("{x}");
        let points = (0..5)
            .map(|k| {
                let x = f64::from(k);
                FanPoint { x, q: [x - 2.0, x - 1.0, x, x + 1.0, x + 2.0] }
            })
            .collect();
        let chart =
            FanChart { labels: labels(), points, references: vec![], x_label: &label, x_ticks: None, y_floor: None };
        let svg = chart.render();
        assert!(svg.contains(r#"fill-opacity="0.13""#) && svg.contains(r#"fill-opacity="0.22""#));
        assert!(svg.contains("median 2.000, 50% in [1.000, 3.000], 90% in [0.000, 4.000]"), "{svg}");
    }
}
