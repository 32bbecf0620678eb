//! Charts as inline SVG: no scripts, no fonts, no network; titled, labelled and described
//! for screen readers, and readable in black and white (series differ in dash pattern and
//! marker shape as well as colour).
//!
//! * [`svg`]: the writer; [`axis`]: scales, ticks and the plot frame;
//! * [`lines`]: line charts with confidence bands, and fan charts of quantiles by month;
//! * [`scatter`]: the utility plane of two actors with the packages, the frontier, the
//!   zone and the bargaining solutions;
//! * [`bars`]: tornado charts, shares and histograms.

pub mod axis;
pub mod bars;
pub mod lines;
pub mod scatter;
pub mod svg;

use svg::{Anchor, Marker, Stroke, Svg};

/// Eight colours that stay distinct for the common colour-vision deficiencies (Okabe & Ito
/// 2008, "Color Universal Design"), yellow replaced by a grey that prints.
pub const COLORS: [&str; 8] = ["#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#666666"];

/// Eight dash patterns, in the order of [`COLORS`].
pub const DASHES: [&str; 8] = ["", "7 3", "2 3", "9 3 2 3", "4 4", "1.5 2.5", "12 4", "6 2 2 2"];

/// The look of series `k`: colour, dash pattern and marker, all three cycling together.
pub fn series_style(k: usize) -> (Stroke, Marker) {
    let i = k % COLORS.len();
    (Stroke::dashed(COLORS[i], 2.0, DASHES[i]), Marker::ALL[i])
}

/// One entry of a legend.
pub enum Key {
    /// A line, with a marker if the series has them.
    Line(Stroke, Option<Marker>),
    /// A filled swatch.
    Fill(&'static str, f64),
    /// A marker alone.
    Point(Marker, &'static str),
}

/// Width of `text` at `size`, estimated (no font metrics are available without fonts).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.56
}

/// Lays out `entries` left to right from `(x, y)`, wrapping at `right`; returns the height used.
pub fn legend(svg: &mut Svg, entries: &[(Key, String)], x: f64, y: f64, right: f64) -> f64 {
    let row = 18.0;
    let (mut cx, mut cy) = (x, y);
    for (key, label) in entries {
        let w = 30.0 + text_width(label, 11.0) + 16.0;
        if cx + w > right && cx > x {
            cx = x;
            cy += row;
        }
        let mid = cy - 4.0;
        match key {
            Key::Line(stroke, marker) => {
                svg.line(cx, mid, cx + 24.0, mid, stroke);
                if let Some(m) = marker {
                    svg.marker(cx + 12.0, mid, *m, 3.2, stroke.color, None);
                }
            }
            Key::Fill(fill, opacity) => svg.rect_titled(cx, mid - 6.0, 24.0, 12.0, fill, *opacity, label),
            Key::Point(m, color) => svg.marker(cx + 12.0, mid, *m, 4.0, color, None),
        }
        svg.text(cx + 30.0, cy, label, Anchor::Start, 11.0, false);
        cx += w;
    }
    cy - y + row
}

/// Rows a legend of these labels needs between `x` and `right`.
pub fn legend_rows(labels: &[&str], x: f64, right: f64) -> usize {
    let mut rows = 1;
    let mut cx = x;
    for label in labels {
        let w = 30.0 + text_width(label, 11.0) + 16.0;
        if cx + w > right && cx > x {
            rows += 1;
            cx = x;
        }
        cx += w;
    }
    rows
}

/// Spreads labels' vertical positions so that no two are closer than `gap`, keeping their
/// order and staying within `[top, bottom]`; returns the new positions in input order.
pub fn spread_labels(ys: &[f64], gap: f64, top: f64, bottom: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]).then(a.cmp(&b)));
    let mut placed: Vec<f64> = order.iter().map(|&k| ys[k].clamp(top, bottom)).collect();
    for i in 1..placed.len() {
        if placed[i] < placed[i - 1] + gap {
            placed[i] = placed[i - 1] + gap;
        }
    }
    // Pushed past the bottom: shift the stack back up.
    if let Some(&last) = placed.last()
        && last > bottom
    {
        let over = last - bottom;
        for p in placed.iter_mut() {
            *p -= over;
        }
        for i in (0..placed.len().saturating_sub(1)).rev() {
            if placed[i] > placed[i + 1] - gap {
                placed[i] = placed[i + 1] - gap;
            }
        }
    }
    let mut out = vec![0.0; ys.len()];
    for (slot, &k) in order.iter().enumerate() {
        out[k] = placed[slot];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_spread_labels_keeps_order_and_gap() {
        let ys = [100.0, 101.0, 100.5, 300.0];
        let out = spread_labels(&ys, 12.0, 0.0, 400.0);
        let mut sorted = out.clone();
        sorted.sort_by(f64::total_cmp);
        for w in sorted.windows(2) {
            assert!(w[1] - w[0] >= 12.0 - 1e-9, "{out:?}");
        }
        assert!(out[0] < out[2] && out[2] < out[1], "order kept: {out:?}");
        assert!((out[3] - 300.0).abs() < 1e-9);
        let low = spread_labels(&[398.0, 399.0, 400.0], 12.0, 0.0, 400.0);
        assert!(low.iter().all(|&y| y <= 400.0 + 1e-9) && (low[2] - low[0] - 24.0).abs() < 1e-9, "{low:?}");
    }

    #[test]
    fn test_series_styles_differ_without_colour() {
        for a in 0..8 {
            for b in (a + 1)..8 {
                let (sa, ma) = series_style(a);
                let (sb, mb) = series_style(b);
                assert!(sa.dash != sb.dash && ma != mb);
            }
        }
    }
}
