//! The utility plane of two actors: every admissible package (binned, so that a space of
//! any size draws in a fixed number of cells), the two actors' own Pareto frontier, the
//! frontier of all the bargainers seen from these two, the zone of possible agreement,
//! both reservation values and the bargaining solutions.

use super::axis::{Frame, Ticks};
use super::svg::{Anchor, Marker, Stroke, Svg};
use super::{Key, legend, legend_rows};
use crate::data::{Density, PairPlot};

/// A bargaining solution's marker and name, by concept id.
pub fn solution_marker(concept: &str) -> (Marker, &'static str) {
    match concept {
        "nash" => (Marker::Square, "Nash"),
        "kalai_smorodinsky" => (Marker::Triangle, "Kalai–Smorodinsky"),
        "egalitarian" => (Marker::Diamond, "egalitarian"),
        _ => (Marker::Cross, "utilitarian"),
    }
}

/// The chart of one pair.
pub fn pair_chart(id: &str, plot: &PairPlot, reference: bool) -> String {
    let width = 520.0;
    let labels = [
        "admissible packages (darker: more of them)",
        "Pareto frontier of the two",
        "frontier of all bargainers",
        "zone of possible agreement",
        "reservation values",
        "Nash",
        "Kalai–Smorodinsky",
        "egalitarian",
    ];
    let rows = legend_rows(&labels, 12.0, width - 10.0) as f64;
    let height = 470.0 + 18.0 * rows;
    let mut svg = Svg::new(width, height);
    let d: &Density = &plot.density;
    let lo = d.x0.min(d.y0).min(plot.x_reservation).min(plot.y_reservation).min(0.0);
    let hi = d.x1.max(d.y1).max(1.0);
    let ticks = || Ticks::new(lo, hi, 5);
    let frame = Frame::new(&svg, (62.0, 34.0, 16.0, 62.0 + 18.0 * rows), ticks(), ticks());
    let title = format!("{} and {}", plot.x_name, plot.y_name);
    svg.text(12.0, 20.0, &title, Anchor::Start, 14.0, true);
    let label = |v: f64| super::axis::tick_label(v, frame.x_ticks.step);
    frame.draw(
        &mut svg,
        &format!("utility to {} (0–1)", plot.x_name),
        &format!("utility to {} (0–1)", plot.y_name),
        &label,
    );
    // The packages, binned and shaded by the logarithm of the count, so that sparse regions
    // stay visible. The shades come in `SHADES` steps, each drawn as one path whose pieces
    // are runs of neighbouring cells in a row: a plane of a thousand cells is a few elements.
    const SHADES: usize = 16;
    let max = d.counts.iter().copied().max().unwrap_or(0);
    let scale = (1.0 + f64::from(max)).ln().max(1e-9);
    let step = |c: u32| ((1.0 + f64::from(c)).ln() / scale * (SHADES - 1) as f64).round() as usize;
    let (cw, ch) = ((d.x1 - d.x0) / d.nx as f64, (d.y1 - d.y0) / d.ny as f64);
    let mut cells = vec![Vec::new(); SHADES];
    for (j, row) in d.counts.chunks(d.nx.max(1)).enumerate().take(d.ny) {
        let mut i = 0;
        while i < row.len() {
            if row[i] == 0 {
                i += 1;
                continue;
            }
            let shade = step(row[i]);
            let end = i + row[i..].iter().take_while(|&&c| c != 0 && step(c) == shade).count();
            let (px0, py1) = frame.at(d.x0 + i as f64 * cw, d.y0 + j as f64 * ch);
            let (px1, py0) = frame.at(d.x0 + end as f64 * cw, d.y0 + (j + 1) as f64 * ch);
            cells[shade.min(SHADES - 1)].push((px0, py0, (px1 - px0).max(0.6), (py1 - py0).max(0.6)));
            i = end;
        }
    }
    for (shade, runs) in cells.iter().enumerate() {
        svg.rects(runs, "#4d4d4d", 0.10 + 0.55 * shade as f64 / (SHADES - 1) as f64);
    }
    // Reservation values: the quadrant both prefer to fighting on.
    let res = Stroke::dashed("#000", 1.2, "5 3");
    let (rx, ry) = frame.at(plot.x_reservation, plot.y_reservation);
    svg.line(rx, frame.area.top, rx, frame.area.bottom, &res);
    svg.line(frame.area.left, ry, frame.area.right, ry, &res);
    let x_label = format!("{} reservation {:.2}", plot.x_name, plot.x_reservation);
    if rx + 8.0 + super::text_width(&x_label, 10.0) > frame.area.right {
        svg.text(rx - 4.0, frame.area.top + 12.0, &x_label, Anchor::End, 10.0, false);
    } else {
        svg.text(rx + 4.0, frame.area.top + 12.0, &x_label, Anchor::Start, 10.0, false);
    }
    svg.text(
        frame.area.right - 4.0,
        ry - 5.0,
        &format!("{} reservation {:.2}", plot.y_name, plot.y_reservation),
        Anchor::End,
        10.0,
        false,
    );
    // Frontiers.
    let joint = "#0072B2";
    let joint_points: Vec<(f64, f64)> = plot.joint_frontier.iter().map(|p| frame.at(p[0], p[1])).collect();
    svg.markers(&joint_points, Marker::Ring, 1.8, joint, None);
    let staircase: Vec<(f64, f64)> = plot.frontier.iter().map(|p| frame.at(p[0], p[1])).collect();
    svg.polyline(&staircase, &Stroke::solid("#D55E00", 2.0));
    let zone: Vec<(f64, f64)> = plot.zone.iter().map(|p| frame.at(p[0], p[1])).collect();
    svg.markers(&zone, Marker::Circle, 3.0, "#009E73", Some("a package in the zone of possible agreement"));
    for s in &plot.solutions {
        let (marker, name) = solution_marker(&s.concept);
        let (x, y) = frame.at(s.x, s.y);
        let tip = format!("{name}{}: ({:.3}, {:.3})", if reference { " (reference)" } else { "" }, s.x, s.y);
        svg.marker(x, y, marker, 5.5, "#000", Some(&tip));
    }
    let entries = vec![
        (Key::Fill("#4d4d4d", 0.4), labels[0].to_string()),
        (Key::Line(Stroke::solid("#D55E00", 2.0), None), labels[1].to_string()),
        (Key::Point(Marker::Ring, joint), labels[2].to_string()),
        (Key::Point(Marker::Circle, "#009E73"), labels[3].to_string()),
        (Key::Line(res, None), labels[4].to_string()),
        (Key::Point(Marker::Square, "#000"), labels[5].to_string()),
        (Key::Point(Marker::Triangle, "#000"), labels[6].to_string()),
        (Key::Point(Marker::Diamond, "#000"), labels[7].to_string()),
    ];
    legend(&mut svg, &entries, 12.0, frame.area.bottom + 56.0, width - 10.0);
    let description = format!(
        "Utility to {} against utility to {} of the {} admissible packages, binned; {} packages lie in the zone of possible agreement; the bargaining solutions are marked{}.",
        plot.x_name,
        plot.y_name,
        d.counts.iter().map(|&c| u64::from(c)).sum::<u64>(),
        plot.zone.len(),
        if reference { " as references, since the zone is empty" } else { "" }
    );
    svg.finish(id, &title, &description)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SolutionPoint;

    /// A plane of two actors over the unit square, binned `nx × ny`, with nothing else on it.
    fn plane(nx: usize, ny: usize, counts: Vec<u32>) -> PairPlot {
        PairPlot {
            x: "a".into(),
            y: "b".into(),
            x_name: "A".into(),
            y_name: "B".into(),
            x_reservation: 0.4,
            y_reservation: 0.5,
            density: Density { nx, ny, x0: 0.0, x1: 1.0, y0: 0.0, y1: 1.0, counts },
            frontier: vec![],
            joint_frontier: vec![],
            zone: vec![],
            solutions: vec![],
        }
    }

    /// The density's paths, one line each.
    fn cells(svg: &str) -> Vec<&str> {
        svg.lines().filter(|l| l.starts_with("<path") && l.contains(r##"fill="#4d4d4d""##)).collect()
    }

    #[test]
    fn test_pair_chart_marks_everything_it_lists() {
        let plot = PairPlot {
            frontier: vec![[0.2, 0.9], [0.9, 0.3]],
            joint_frontier: vec![[0.5, 0.5]],
            zone: vec![[0.6, 0.6]],
            solutions: vec![SolutionPoint { concept: "nash".into(), x: 0.6, y: 0.6 }],
            ..plane(2, 2, vec![3, 0, 1, 7])
        };
        let svg = pair_chart("p", &plot, false);
        let cells = cells(&svg);
        assert_eq!(cells.len(), 3, "three counts, three shades, one path each: {cells:?}");
        assert_eq!(cells.iter().map(|l| l.matches('M').count()).sum::<usize>(), 3, "one piece per non-empty bin");
        assert!(cells.iter().any(|l| l.ends_with(r#"fill-opacity="0.65"/>"#)), "the fullest bin darkest");
        assert!(svg.contains("Nash: (0.600, 0.600)"));
        assert!(svg.contains("11 admissible packages"));
    }

    #[test]
    fn test_neighbouring_bins_of_one_shade_are_drawn_as_one_piece() {
        let svg = pair_chart("p", &plane(4, 1, vec![5, 5, 0, 5]), true);
        let cells = cells(&svg);
        assert_eq!(cells.len(), 1, "{cells:?}");
        assert_eq!(cells[0].matches('M').count(), 2, "the first two bins as one piece, the fourth alone: {}", cells[0]);
    }
}
