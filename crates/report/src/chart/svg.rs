//! A small SVG writer: elements with attributes, text escaped by construction, coordinates
//! rounded to a tenth of a unit so that the same chart always gives the same bytes.

use std::fmt::Write as _;

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal, without a trailing `.0` and never `-0`.
pub fn coord(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        return "0".into();
    }
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

/// How a line or outline is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub color: &'static str,
    /// Width in user units.
    pub width: f64,
    /// `stroke-dasharray`, empty for a solid line.
    pub dash: &'static str,
}

impl Stroke {
    /// A solid line.
    pub const fn solid(color: &'static str, width: f64) -> Stroke {
        Stroke { color, width, dash: "" }
    }

    /// A dashed line.
    pub const fn dashed(color: &'static str, width: f64, dash: &'static str) -> Stroke {
        Stroke { color, width, dash }
    }

    fn attributes(&self) -> String {
        let mut a = format!(r#" stroke="{}" stroke-width="{}""#, self.color, coord(self.width));
        if !self.dash.is_empty() {
            let _ = write!(a, r#" stroke-dasharray="{}""#, self.dash);
        }
        a
    }
}

/// Text placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// Text starts at the point.
    Start,
    /// Text is centred on the point.
    Middle,
    /// Text ends at the point.
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A marker shape, told apart without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// Filled circle.
    Circle,
    /// Filled square.
    Square,
    /// Filled triangle, point up.
    Triangle,
    /// Filled diamond.
    Diamond,
    /// Open circle.
    Ring,
    /// Diagonal cross.
    Cross,
    /// Open square.
    Box,
    /// Filled triangle, point down.
    Nabla,
}

impl Marker {
    /// Eight shapes in a fixed order, one per series.
    pub const ALL: [Marker; 8] = [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
        Marker::Ring,
        Marker::Cross,
        Marker::Box,
        Marker::Nabla,
    ];
}

/// An SVG document being written.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    /// An empty drawing of `width × height` user units.
    pub fn new(width: f64, height: f64) -> Svg {
        Svg { width, height, body: String::new() }
    }

    /// Width in user units.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Height in user units.
    pub fn height(&self) -> f64 {
        self.height
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &Stroke) {
        let _ = writeln!(
            self.body,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}"{}/>"#,
            coord(x1),
            coord(y1),
            coord(x2),
            coord(y2),
            stroke.attributes()
        );
    }

    /// A polyline through `points`; non-finite points break it into pieces.
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke) {
        for piece in points.split(|(x, y)| !x.is_finite() || !y.is_finite()) {
            if piece.len() < 2 {
                continue;
            }
            let d: Vec<String> = piece.iter().map(|(x, y)| format!("{},{}", coord(*x), coord(*y))).collect();
            let _ = writeln!(
                self.body,
                r#"<polyline points="{}" fill="none"{} stroke-linejoin="round"/>"#,
                d.join(" "),
                stroke.attributes()
            );
        }
    }

    /// A filled polygon (no outline).
    pub fn polygon(&mut self, points: &[(f64, f64)], fill: &str, opacity: f64) {
        if points.len() < 3 {
            return;
        }
        let d: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", coord(*x), coord(*y))).collect();
        let _ = writeln!(
            self.body,
            r#"<polygon points="{}" fill="{fill}" fill-opacity="{}" stroke="none"/>"#,
            d.join(" "),
            coord_fraction(opacity)
        );
    }

    /// A rectangle; `stroke` draws its outline.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: Option<&Stroke>) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        let outline = stroke.map_or(String::new(), Stroke::attributes);
        let _ = writeln!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"{outline}/>"#,
            coord(x),
            coord(y),
            coord(w),
            coord(h)
        );
    }

    /// A translucent rectangle with a tooltip (a `<title>` child, shown on hover and read
    /// by screen readers); an empty `title` gives none.
    #[allow(clippy::too_many_arguments)]
    pub fn rect_titled(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, opacity: f64, title: &str) {
        let _ = write!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" fill-opacity="{}""#,
            coord(x),
            coord(y),
            coord(w.max(0.0)),
            coord(h.max(0.0)),
            coord_fraction(opacity)
        );
        if title.is_empty() {
            self.body.push_str("/>\n");
        } else {
            let _ = writeln!(self.body, "><title>{}</title></rect>", escape(title));
        }
    }

    /// Rectangles `(x, y, width, height)` of one fill drawn as a single path: a binned
    /// density of thousands of cells stays a handful of elements, light to send and to draw.
    /// Each rectangle's corners are rounded, not its size, so neighbours still meet.
    pub fn rects(&mut self, rects: &[(f64, f64, f64, f64)], fill: &str, opacity: f64) {
        if rects.is_empty() {
            return;
        }
        let mut d = String::with_capacity(24 * rects.len());
        for &(x, y, w, h) in rects {
            let (x0, x1) = (x.min(x + w), x.max(x + w));
            let (y0, y1) = (y.min(y + h), y.max(y + h));
            let _ = write!(d, "M{} {}H{}V{}H{}z", coord(x0), coord(y0), coord(x1), coord(y1), coord(x0));
        }
        let _ = writeln!(self.body, r#"<path d="{d}" fill="{fill}" fill-opacity="{}"/>"#, coord_fraction(opacity));
    }

    /// Many markers of one shape, size and colour, with one tooltip for all of them (or
    /// none). Circles and rings are drawn as a single path of arcs; other shapes one by one.
    pub fn markers(&mut self, points: &[(f64, f64)], shape: Marker, size: f64, color: &str, title: Option<&str>) {
        if points.is_empty() {
            return;
        }
        let paint = match shape {
            Marker::Circle => format!(r#"fill="{color}""#),
            Marker::Ring => format!(r#"fill="none" stroke="{color}" stroke-width="1.2""#),
            _ => {
                for &(x, y) in points {
                    self.marker(x, y, shape, size, color, title);
                }
                return;
            }
        };
        let (r, across) = (coord(size), coord(2.0 * size));
        let mut d = String::with_capacity(48 * points.len());
        for &(x, y) in points {
            let _ = write!(d, "M{} {}a{r} {r} 0 1 0 {across} 0a{r} {r} 0 1 0 -{across} 0", coord(x - size), coord(y));
        }
        match title {
            Some(t) => {
                let _ = writeln!(self.body, r#"<path d="{d}" {paint}><title>{}</title></path>"#, escape(t));
            }
            None => {
                let _ = writeln!(self.body, r#"<path d="{d}" {paint}/>"#);
            }
        }
    }

    /// A marker of `size` (its half-width) centred on the point, with an optional tooltip.
    pub fn marker(&mut self, x: f64, y: f64, shape: Marker, size: f64, color: &str, title: Option<&str>) {
        let (cx, cy, s) = (coord(x), coord(y), size);
        let tip = title.map_or(String::new(), |t| format!("<title>{}</title>", escape(t)));
        let element = match shape {
            Marker::Circle => format!(r#"<circle cx="{cx}" cy="{cy}" r="{}" fill="{color}""#, coord(s)),
            Marker::Ring => format!(
                r##"<circle cx="{cx}" cy="{cy}" r="{}" fill="none" stroke="{color}" stroke-width="1.2""##,
                coord(s)
            ),
            Marker::Square | Marker::Box => {
                let fill = if shape == Marker::Square { color } else { "#fff" };
                format!(
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="{color}" stroke-width="1.5""#,
                    coord(x - s),
                    coord(y - s),
                    coord(2.0 * s),
                    coord(2.0 * s)
                )
            }
            Marker::Triangle | Marker::Nabla | Marker::Diamond => {
                let k = 1.25 * s;
                let pts: Vec<(f64, f64)> = match shape {
                    Marker::Triangle => vec![(x, y - k), (x + k, y + 0.8 * k), (x - k, y + 0.8 * k)],
                    Marker::Nabla => vec![(x, y + k), (x + k, y - 0.8 * k), (x - k, y - 0.8 * k)],
                    _ => vec![(x, y - k), (x + k, y), (x, y + k), (x - k, y)],
                };
                let d: Vec<String> = pts.iter().map(|(a, b)| format!("{},{}", coord(*a), coord(*b))).collect();
                format!(r#"<polygon points="{}" fill="{color}""#, d.join(" "))
            }
            Marker::Cross => format!(
                r#"<path d="M{},{}L{},{}M{},{}L{},{}" stroke="{color}" stroke-width="2" fill="none""#,
                coord(x - s),
                coord(y - s),
                coord(x + s),
                coord(y + s),
                coord(x - s),
                coord(y + s),
                coord(x + s),
                coord(y - s)
            ),
        };
        if tip.is_empty() {
            let _ = writeln!(self.body, "{element}/>");
        } else {
            let tag = element.split_whitespace().next().unwrap_or("<g").trim_start_matches('<').to_string();
            let _ = writeln!(self.body, "{element}>{tip}</{tag}>");
        }
    }

    /// Text at a point, `size` in user units; `bold` for titles.
    pub fn text(&mut self, x: f64, y: f64, text: &str, anchor: Anchor, size: f64, bold: bool) {
        let weight = if bold { r#" font-weight="bold""# } else { "" };
        let _ = writeln!(
            self.body,
            r#"<text x="{}" y="{}" text-anchor="{}" font-size="{}"{weight}>{}</text>"#,
            coord(x),
            coord(y),
            anchor.name(),
            coord(size),
            escape(text)
        );
    }

    /// Text rotated a quarter turn anticlockwise about its point (vertical axis titles).
    pub fn text_vertical(&mut self, x: f64, y: f64, text: &str, size: f64) {
        let _ = writeln!(
            self.body,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="{}" transform="rotate(-90 {} {})">{}</text>"#,
            coord(x),
            coord(y),
            coord(size),
            coord(x),
            coord(y),
            escape(text)
        );
    }

    /// The finished document: `title` and `description` become its `<title>` and `<desc>`,
    /// which name the chart to screen readers and in the browser's tooltip.
    pub fn finish(self, id: &str, title: &str, description: &str) -> String {
        let id = escape(id);
        format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" "#,
                r#"role="img" aria-labelledby="{id}-title {id}-desc" class="chart" "#,
                r#"font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif">"#,
                "\n<title id=\"{id}-title\">{title}</title>\n<desc id=\"{id}-desc\">{desc}</desc>\n",
                r##"<rect width="{w}" height="{h}" fill="#fff"/>"##,
                "\n{body}</svg>"
            ),
            w = coord(self.width),
            h = coord(self.height),
            id = id,
            title = escape(title),
            desc = escape(description),
            body = self.body
        )
    }
}

/// An opacity or other fraction with two decimals.
fn coord_fraction(x: f64) -> String {
    let r = (x.clamp(0.0, 1.0) * 100.0).round() / 100.0;
    format!("{r}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_escape_covers_markup() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn test_coord_rounds_to_a_tenth() {
        assert_eq!(coord(1.0), "1");
        assert_eq!(coord(1.26), "1.3");
        assert_eq!(coord(-0.04), "0");
        assert_eq!(coord(-12.35), "-12.4");
    }

    #[test]
    fn test_polyline_breaks_at_missing_points() {
        let mut svg = Svg::new(10.0, 10.0);
        svg.polyline(&[(0.0, 0.0), (1.0, 1.0), (f64::NAN, 2.0), (3.0, 3.0), (4.0, 4.0)], &Stroke::solid("#000", 1.0));
        assert_eq!(svg.body.matches("<polyline").count(), 2);
    }

    #[test]
    fn test_rects_are_one_path_with_a_closed_piece_each() {
        let mut svg = Svg::new(10.0, 10.0);
        svg.rects(&[(1.0, 2.0, 3.0, 4.0), (4.0, 2.0, 3.0, -4.0)], "#111", 0.25);
        assert_eq!(svg.body, "<path d=\"M1 2H4V6H1zM4 -2H7V2H4z\" fill=\"#111\" fill-opacity=\"0.25\"/>\n");
        svg.rects(&[], "#111", 0.5);
        assert_eq!(svg.body.matches("<path").count(), 1, "nothing to draw, no element");
    }

    #[test]
    fn test_markers_draw_circles_as_one_path_and_other_shapes_one_by_one() {
        let mut svg = Svg::new(10.0, 10.0);
        svg.markers(&[(5.0, 5.0), (2.0, 3.0)], Marker::Ring, 1.5, "#00f", None);
        assert_eq!(
            svg.body,
            "<path d=\"M3.5 5a1.5 1.5 0 1 0 3 0a1.5 1.5 0 1 0 -3 0M0.5 3a1.5 1.5 0 1 0 3 0a1.5 1.5 0 1 0 -3 0\" \
             fill=\"none\" stroke=\"#00f\" stroke-width=\"1.2\"/>\n"
        );
        let mut svg = Svg::new(10.0, 10.0);
        svg.markers(&[(5.0, 5.0)], Marker::Circle, 2.0, "#0a0", Some("in <the> zone"));
        assert!(svg.body.ends_with("fill=\"#0a0\"><title>in &lt;the&gt; zone</title></path>\n"), "{}", svg.body);
        let mut svg = Svg::new(10.0, 10.0);
        svg.markers(&[(5.0, 5.0), (6.0, 6.0)], Marker::Square, 2.0, "#000", None);
        assert_eq!(svg.body.matches("<rect").count(), 2);
    }

    #[test]
    fn test_finish_names_the_chart() {
        let mut svg = Svg::new(100.0, 50.0);
        svg.marker(5.0, 5.0, Marker::Triangle, 3.0, "#000", Some("a <b>"));
        let out = svg.finish("c1", "Title & more", "What it shows");
        assert!(out.starts_with("<svg "));
        assert!(out.contains(r#"<title id="c1-title">Title &amp; more</title>"#));
        assert!(out.contains("<title>a &lt;b&gt;</title></polygon>"), "{out}");
        assert!(out.ends_with("</svg>"));
    }
}
