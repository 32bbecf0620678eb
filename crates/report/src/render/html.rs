//! A minimal HTML writer: text is escaped by construction; only the report's own SVG is
//! inserted raw.

use std::fmt::Write as _;

use crate::chart::svg::escape;

/// An HTML document being written.
#[derive(Default)]
pub struct Html {
    out: String,
}

impl Html {
    /// The markup written so far.
    pub fn finish(self) -> String {
        self.out
    }

    /// Raw markup (the report's own tags and SVG only).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// Escaped text.
    pub fn text(&mut self, text: &str) {
        self.out.push_str(&escape(text));
    }

    /// `<tag>text</tag>`, escaped.
    pub fn element(&mut self, tag: &str, text: &str) {
        let _ = write!(self.out, "<{tag}>{}</{tag}>", escape(text));
    }

    /// `<tag class="...">text</tag>`, escaped.
    pub fn element_with_class(&mut self, tag: &str, class: &str, text: &str) {
        let _ = write!(self.out, "<{tag} class=\"{class}\">{}</{tag}>", escape(text));
    }

    /// A paragraph.
    pub fn p(&mut self, text: &str) {
        self.element("p", text);
        self.out.push('\n');
    }

    /// A paragraph of a class (`note`, `caveat`, ...).
    pub fn p_class(&mut self, class: &str, text: &str) {
        self.element_with_class("p", class, text);
        self.out.push('\n');
    }

    /// Opens a section with its heading; `chart` marks sections that must hold charts.
    pub fn section(&mut self, id: &str, title: &str, chart: bool) {
        let mark = if chart { " data-chart=\"yes\"" } else { "" };
        let _ = writeln!(self.out, "<section id=\"{id}\"{mark}>\n<h2>{}</h2>", escape(title));
    }

    /// Closes a section.
    pub fn end_section(&mut self) {
        self.out.push_str("</section>\n");
    }

    /// A sub-heading.
    pub fn h3(&mut self, title: &str) {
        self.element("h3", title);
        self.out.push('\n');
    }

    /// A figure: the SVG and a caption.
    pub fn figure(&mut self, svg: &str, caption: &str) {
        let _ = writeln!(self.out, "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>", escape(caption));
    }

    /// A table with a caption, a header row and rows of cells (escaped). Cells that look
    /// like numbers are right-aligned.
    pub fn table(&mut self, caption: &str, header: &[&str], rows: &[Vec<String>]) {
        self.table_with(caption, header, rows, &[]);
    }

    /// As [`Html::table`], with a class per row (empty for none).
    pub fn table_with(&mut self, caption: &str, header: &[&str], rows: &[Vec<String>], classes: &[&str]) {
        self.out.push_str("<div class=\"table\"><table>\n");
        if !caption.is_empty() {
            let _ = writeln!(self.out, "<caption>{}</caption>", escape(caption));
        }
        self.out.push_str("<thead><tr>");
        for h in header {
            let _ = write!(self.out, "<th scope=\"col\">{}</th>", escape(h));
        }
        self.out.push_str("</tr></thead>\n<tbody>\n");
        for (k, row) in rows.iter().enumerate() {
            match classes.get(k).filter(|c| !c.is_empty()) {
                Some(c) => {
                    let _ = write!(self.out, "<tr class=\"{c}\">");
                }
                None => self.out.push_str("<tr>"),
            }
            for cell in row {
                if is_numeric(cell) {
                    let _ = write!(self.out, "<td class=\"num\">{}</td>", escape(cell));
                } else {
                    let _ = write!(self.out, "<td>{}</td>", escape(cell));
                }
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody></table></div>\n");
    }
}

/// Whether a cell holds a number (with optional sign, separators, percent, interval).
fn is_numeric(cell: &str) -> bool {
    let t = cell.trim();
    let chars: Vec<char> = t.chars().collect();
    // A hyphen between digits is a date or an id (2025-10), not a sign.
    let dated = chars.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == '-' && w[2].is_ascii_digit());
    !dated
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().next().is_some_and(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '−' | '–'))
        && t.chars().all(|c| c.is_ascii_digit() || " .,+-−–%[]()×".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_table_escapes_and_aligns_numbers() {
        let mut h = Html::default();
        h.table(
            "c",
            &["a<b", "n"],
            &[vec!["x & y".into(), "1,234".into()], vec!["–".into(), "46.5% [43.4%, 49.6%]".into()]],
        );
        let out = h.finish();
        assert!(out.contains("<th scope=\"col\">a&lt;b</th>"));
        assert!(out.contains("<td>x &amp; y</td><td class=\"num\">1,234</td>"));
        assert!(out.contains("<td class=\"num\">46.5% [43.4%, 49.6%]</td>"));
    }
}
