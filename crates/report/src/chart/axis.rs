//! Linear scales with round tick values, and the frame of a plot: its area, grid, axes,
//! tick labels and axis titles.

use super::svg::{Anchor, Stroke, Svg};

/// A linear map from a data interval onto a pixel interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// Data at the start of the range.
    pub d0: f64,
    /// Data at its end.
    pub d1: f64,
    /// Pixel of `d0`.
    pub r0: f64,
    /// Pixel of `d1`.
    pub r1: f64,
}

impl Scale {
    /// The pixel of `x`.
    pub fn at(&self, x: f64) -> f64 {
        if (self.d1 - self.d0).abs() < f64::EPSILON {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (x - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// A round step near `span / count`: 1, 2 or 5 times a power of ten, whichever is nearest
/// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
pub fn nice_step(span: f64, count: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let m = raw / power;
    let nice = if m < 1.5 {
        1.0
    } else if m < 3.0 {
        2.0
    } else if m < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// An axis: its extent widened to round ticks, and the ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    /// Low end.
    pub lo: f64,
    /// High end.
    pub hi: f64,
    /// Distance between ticks.
    pub step: f64,
    /// Tick values, ascending.
    pub values: Vec<f64>,
}

impl Ticks {
    /// About `count` round ticks covering `[min, max]` (widened if the two are equal).
    pub fn new(min: f64, max: f64, count: usize) -> Ticks {
        let (mut min, mut max) = if min.is_finite() && max.is_finite() { (min, max) } else { (0.0, 1.0) };
        if max < min {
            std::mem::swap(&mut min, &mut max);
        }
        if (max - min).abs() < 1e-12 {
            let pad = if min.abs() > 1e-12 { min.abs() * 0.05 } else { 0.5 };
            min -= pad;
            max += pad;
        }
        let step = nice_step(max - min, count);
        let lo = (min / step).floor() * step;
        let hi = (max / step).ceil() * step;
        let n = ((hi - lo) / step).round() as usize;
        let values = (0..=n).map(|k| lo + k as f64 * step).collect();
        Ticks { lo, hi, step, values }
    }

    /// Ticks exactly at the ends given, every `step` from `lo` (no widening).
    pub fn fixed(lo: f64, hi: f64, step: f64) -> Ticks {
        let n = ((hi - lo) / step).round() as usize;
        Ticks { lo, hi, step, values: (0..=n).map(|k| lo + k as f64 * step).collect() }
    }
}

/// A tick label: as many decimals as the step needs, thousands separated by commas.
pub fn tick_label(value: f64, step: f64) -> String {
    let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
    let value = if value.abs() < step * 1e-9 { 0.0 } else { value };
    group_thousands(&format!("{value:.decimals$}"))
}

/// Inserts commas between groups of three digits of the integer part.
pub fn group_thousands(number: &str) -> String {
    let (sign, rest) = number.strip_prefix('-').map_or(("", number), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Where a plot's area sits in its drawing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

/// The plot's frame: axes with ticks and titles around an area.
pub struct Frame {
    /// The plot area.
    pub area: Area,
    /// Horizontal scale.
    pub x: Scale,
    /// Vertical scale.
    pub y: Scale,
    /// Horizontal ticks.
    pub x_ticks: Ticks,
    /// Vertical ticks.
    pub y_ticks: Ticks,
    /// Names for vertical tick values (an ordered issue's options); when given, they are
    /// the vertical tick labels, at their values.
    pub y_names: Vec<(f64, String)>,
}

/// Grey of grid lines.
pub const GRID: &str = "#d9d9d9";
/// Colour of axes and text.
pub const INK: &str = "#222";

impl Frame {
    /// A frame filling `svg` inside the given margins (left, top, right, bottom).
    pub fn new(svg: &Svg, margins: (f64, f64, f64, f64), x_ticks: Ticks, y_ticks: Ticks) -> Frame {
        let area =
            Area { left: margins.0, top: margins.1, right: svg.width() - margins.2, bottom: svg.height() - margins.3 };
        let x = Scale { d0: x_ticks.lo, d1: x_ticks.hi, r0: area.left, r1: area.right };
        let y = Scale { d0: y_ticks.lo, d1: y_ticks.hi, r0: area.bottom, r1: area.top };
        Frame { area, x, y, x_ticks, y_ticks, y_names: Vec::new() }
    }

    /// Draws the grid, the axes, the tick labels (through `x_label` for the horizontal
    /// ones) and the axis titles.
    pub fn draw(&self, svg: &mut Svg, x_title: &str, y_title: &str, x_label: &dyn Fn(f64) -> String) {
        let a = self.area;
        let grid = Stroke::solid(GRID, 0.8);
        let ink = Stroke::solid(INK, 1.0);
        let named: Vec<(f64, String)> = if self.y_names.is_empty() {
            self.y_ticks.values.iter().map(|&v| (v, tick_label(v, self.y_ticks.step))).collect()
        } else {
            self.y_names.clone()
        };
        for (v, name) in &named {
            let py = self.y.at(*v);
            svg.line(a.left, py, a.right, py, &grid);
            svg.text(a.left - 6.0, py + 4.0, name, Anchor::End, 11.0, false);
        }
        for &v in &self.x_ticks.values {
            let px = self.x.at(v);
            svg.line(px, a.bottom, px, a.bottom + 4.0, &ink);
            svg.text(px, a.bottom + 17.0, &x_label(v), Anchor::Middle, 11.0, false);
        }
        svg.line(a.left, a.bottom, a.right, a.bottom, &ink);
        svg.line(a.left, a.top, a.left, a.bottom, &ink);
        svg.text((a.left + a.right) / 2.0, a.bottom + 36.0, x_title, Anchor::Middle, 12.0, false);
        svg.text_vertical(16.0, (a.top + a.bottom) / 2.0, y_title, 12.0);
    }

    /// A horizontal reference line at data value `v`, labelled at the right end.
    pub fn reference_y(&self, svg: &mut Svg, v: f64, stroke: &Stroke, label: &str) {
        if !v.is_finite() {
            return;
        }
        let py = self.y.at(v);
        svg.line(self.area.left, py, self.area.right, py, stroke);
        if !label.is_empty() {
            svg.text(self.area.right - 4.0, py - 4.0, label, Anchor::End, 10.5, false);
        }
    }

    /// Pixel coordinates of a data point.
    pub fn at(&self, x: f64, y: f64) -> (f64, f64) {
        (self.x.at(x), self.y.at(y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ticks_are_round_and_cover_the_data() {
        let t = Ticks::new(113_500.0, 124_200.0, 5);
        assert!((t.step - 2000.0).abs() < 1e-9);
        assert!(t.lo <= 113_500.0 && t.hi >= 124_200.0);
        assert_eq!(t.values.first().copied(), Some(t.lo));
        let u = Ticks::new(0.42, 0.81, 5);
        assert!((u.step - 0.1).abs() < 1e-12 && (u.lo - 0.4).abs() < 1e-12 && (u.hi - 0.9).abs() < 1e-12);
        let flat = Ticks::new(3.0, 3.0, 5);
        assert!(flat.lo < 3.0 && flat.hi > 3.0);
    }

    #[test]
    fn test_tick_labels() {
        assert_eq!(tick_label(118_000.0, 2000.0), "118,000");
        assert_eq!(tick_label(0.30000000000000004, 0.1), "0.3");
        assert_eq!(tick_label(-1e-17, 0.05), "0.00");
        assert_eq!(group_thousands("-1234567.5"), "-1,234,567.5");
    }

    #[test]
    fn test_scale_maps_the_ends() {
        let s = Scale { d0: 0.0, d1: 10.0, r0: 100.0, r1: 0.0 };
        assert!((s.at(0.0) - 100.0).abs() < 1e-12 && (s.at(10.0)).abs() < 1e-12 && (s.at(5.0) - 50.0).abs() < 1e-12);
    }
}
