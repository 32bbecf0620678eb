//! CSV rows with the byte span of every field, for the readers whose problems point at a
//! line and column: the forecast CSV and the calibration data.
//!
//! The `csv` crate splits the text into records and unquotes the fields. This module finds
//! where each field was written (from each record's [`csv::Position`] and the lengths of its
//! fields), skips a byte-order mark at the start, blank lines and comments (lines whose
//! first non-blank character is `#`), and rejects the quoting that the crate reads silently:
//!
//! * a quote that is not closed on its line, which the crate reads on to the next quote,
//!   possibly the end of the file;
//! * text after a closing quote (`"ab"c`), which the crate reads as `abc`;
//! * a space before an opening quote (` "a, b"`), which the crate reads as text, so the
//!   comma inside splits the field.
//!
//! A row is one line, so a quoted field cannot hold a line break. After a row that cannot be
//! read, reading resumes at the next line: every malformed row is reported.

use std::ops::Range;

use csv::{ByteRecord, Reader, ReaderBuilder, Terminator};

use crate::diagnostic::Diagnostic;

/// One field: its text and the byte range it was written in.
///
/// An unquoted field is trimmed, and its span is that of the trimmed text; a quoted field is
/// the text between its quotes as written (`""` read as `"`), and its span includes the
/// quotes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) span: Range<usize>,
}

/// One row: its fields and the byte range of its line (without the line break).
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) cells: Vec<Cell>,
    pub(crate) span: Range<usize>,
}

/// The rows of a CSV text, in order; a row that cannot be read is a located diagnostic.
pub(crate) struct Rows<'a> {
    text: &'a str,
    /// Reads `text[base..]`.
    reader: Reader<&'a [u8]>,
    base: usize,
    record: ByteRecord,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, reader: reader(text.as_bytes()), base: 0, record: ByteRecord::new() }
    }

    /// Byte offset in the text of the reader's position.
    fn offset(&self) -> usize {
        let read = usize::try_from(self.reader.position().byte()).unwrap_or(usize::MAX);
        self.base.saturating_add(read).min(self.text.len())
    }

    /// Reads on from byte `at`, the line break before the next line (or the end of the
    /// text), with a new reader. Starting at the line break, which the reader skips as an
    /// empty line, keeps it from dropping a byte-order mark that begins the next line: it
    /// drops one only at the start of its input.
    fn restart(&mut self, at: usize) {
        self.reader = reader(&self.text.as_bytes()[at..]);
        self.base = at;
    }
}

fn reader(bytes: &[u8]) -> Reader<&[u8]> {
    ReaderBuilder::new()
        // The callers take the first row that is not blank or a comment as the header.
        .has_headers(false)
        // The callers report a row of the wrong length, with their own advice.
        .flexible(true)
        // A row is a line; a `\r` before the line break is trimmed like a space.
        .terminator(Terminator::Any(b'\n'))
        .from_reader(bytes)
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let before = self.offset();
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    // Reading bytes in memory fails on nothing, so this is a bug.
                    self.restart(self.text.len());
                    return Some(Err(internal(format!("the CSV reader failed: {e}"), None)));
                }
            }
            let after = self.offset();
            let bytes = self.text.as_bytes();
            // The reader drops a byte-order mark at the start of the text, then skips empty
            // lines before a record.
            let bom = if before == 0 && self.text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
            let from = (before + bom).min(after);
            let start = from + bytes[from..after].iter().take_while(|&&b| b == b'\n').count();
            let line_end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| start + p);
            if after != (line_end + 1).min(bytes.len()) {
                // The record ran past its line: an open quote took in the line breaks.
                self.restart(line_end);
            }
            let line = &self.text[start..line_end];
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let end = start + line.trim_end_matches('\r').len();
            let row = cells(self.text, start..end, line_end, &self.record);
            let row = row.map(|cells| Row { cells, span: start..end }).map_err(|d| *d);
            return Some(row);
        }
    }
}

/// The cells of the line `text[content.start..line_end]` from the fields the reader found in
/// it; `content` ends before any `\r` at the end of the line.
fn cells(
    text: &str,
    content: Range<usize>,
    line_end: usize,
    record: &ByteRecord,
) -> Result<Vec<Cell>, Box<Diagnostic>> {
    let Range { start, end } = content;
    let bytes = text.as_bytes();
    let mut cells = Vec::with_capacity(record.len());
    let mut at = start;
    for field in record {
        let disagree = || Box::new(internal("the CSV reader and the text disagree", Some(start..end)));
        if at > line_end {
            return Err(disagree());
        }
        if at < end && bytes[at] == b'"' {
            let Some(close) = closing_quote(&bytes[at..end]).map(|q| at + q) else {
                return Err(Box::new(malformed(at..end, "the quote is not closed")));
            };
            // The reader reads on to the next comma, appending what follows the quote.
            let field_end = text[close..line_end].find(',').map_or(line_end, |p| close + p);
            let after = &text[close + 1..field_end.min(end)];
            let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
            if gap < after.len() {
                return Err(Box::new(malformed(close + 1 + gap..end, "text after the closing quote")));
            }
            let quoted = field.len().checked_sub(field_end - close - 1).map(|n| &field[..n]);
            let quoted = quoted.and_then(|q| std::str::from_utf8(q).ok()).ok_or_else(disagree)?;
            cells.push(Cell { text: quoted.to_string(), span: at..close + 1 });
            at = field_end + 1;
        } else {
            // An unquoted field is copied as written.
            let raw = text.get(at..at + field.len()).filter(|raw| raw.as_bytes() == field).ok_or_else(disagree)?;
            let lead = raw.len() - raw.trim_start_matches([' ', '\t']).len();
            if raw[lead..].starts_with('"') {
                return Err(Box::new(malformed(at + lead..at + lead + 1, "a space before the opening quote").help(
                    "a quote opens a quoted field only as the field's first character: remove the space before it",
                )));
            }
            // The last field ends with the `\r`s at the end of the line, which are not content.
            let written = &raw[..raw.len().min(end.saturating_sub(at))];
            let trimmed = written.trim();
            let from = at + (written.len() - written.trim_start().len());
            cells.push(Cell { text: trimmed.to_string(), span: from..from + trimmed.len() });
            at += raw.len() + 1;
        }
    }
    Ok(cells)
}

/// The index of the quote that closes the one at `quoted[0]` (`""` inside is a quote).
fn closing_quote(quoted: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < quoted.len() {
        if quoted[i] == b'"' {
            if quoted.get(i + 1) != Some(&b'"') {
                return Some(i);
            }
            i += 1;
        }
        i += 1;
    }
    None
}

fn malformed(span: Range<usize>, what: &str) -> Diagnostic {
    Diagnostic::error("parley::syntax", format!("this row cannot be read: {what}"))
        .at(Some(span), what)
        .help("enclose a field in double quotes when it holds a comma; write \"\" for a quote inside")
}

fn internal(what: impl std::fmt::Display, span: Option<Range<usize>>) -> Diagnostic {
    Diagnostic::error("parley::internal", format!("internal error (please report it): {what}")).at(span, "this row")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The rows of `text`, or the first error's 1-based line and column and message.
    fn read(text: &str) -> Result<Vec<Row>, ((usize, usize), String)> {
        Rows::new(text).collect::<Result<Vec<_>, _>>().map_err(|d| {
            let source = miette::NamedSource::new("t.csv", text.to_string());
            let d = d.with_source(source);
            (d.line_column().unwrap(), d.message)
        })
    }

    fn texts(row: &Row) -> Vec<&str> {
        row.cells.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn test_rows_plain_and_quoted_fields() {
        let rows = read(concat!("# comment\n", r#" a ,"b, c" ,"d ""e""",f"#)).unwrap();
        assert_eq!(texts(&rows[0]), ["a", "b, c", "d \"e\"", "f"]);
        assert_eq!(rows[0].cells[0].span, 11..12);
        assert_eq!(rows[0].cells[1].span, 14..20, "the quotes included");
        assert!(read(r#"a,"b"#).is_err());
        assert!(read(r#"a,"b" x,c"#).is_err());
        assert_eq!(read("a,,b").unwrap()[0].cells[1], Cell { text: String::new(), span: 2..2 });
    }

    #[test]
    fn test_rows_skip_bom_blank_lines_and_comments() {
        let text = "\u{feff}a,b\n\n  \r\n # a \"comment\n\r\nc,\"d\"\r\n";
        let rows = read(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(texts(&rows[0]), ["a", "b"]);
        assert_eq!(rows[0].span, 3..6, "after the byte-order mark");
        assert_eq!(texts(&rows[1]), ["c", "d"]);
        assert_eq!(&text[rows[1].span.clone()], "c,\"d\"", "without the \\r");
    }

    #[test]
    fn test_only_the_byte_order_mark_that_starts_the_text_is_dropped() {
        let text = "\u{feff}\u{feff}a\n\u{feff}b\n";
        let rows = read(text).unwrap();
        assert_eq!(texts(&rows[0]), ["\u{feff}a"]);
        assert_eq!(texts(&rows[1]), ["\u{feff}b"]);
        let text = "\"a\n\u{feff}b\n";
        let mut rows = Rows::new(text);
        assert!(rows.next().unwrap().is_err());
        assert_eq!(texts(&rows.next().unwrap().unwrap()), ["\u{feff}b"], "nor after a row that cannot be read");
    }

    #[test]
    fn test_an_unclosed_quote_is_located_and_reading_resumes_on_the_next_line() {
        let text = "a,b\nc,\"d,e\nf,g\n";
        let mut rows = Rows::new(text);
        assert_eq!(texts(&rows.next().unwrap().unwrap()), ["a", "b"]);
        let error = rows.next().unwrap().unwrap_err();
        assert_eq!(error.message, "this row cannot be read: the quote is not closed");
        assert_eq!(error.label.as_ref().unwrap().0, 6..10, "from the quote to the end of the line");
        assert_eq!(texts(&rows.next().unwrap().unwrap()), ["f", "g"], "the quote does not swallow the rest");
        assert!(rows.next().is_none());
        assert_eq!(
            read("a,b\nc,\"d\n").unwrap_err(),
            ((2, 3), "this row cannot be read: the quote is not closed".into())
        );
    }

    #[test]
    fn test_text_after_a_closing_quote_is_located() {
        assert_eq!(
            read("a,b\nc,\"ab\"c\n").unwrap_err(),
            ((2, 7), "this row cannot be read: text after the closing quote".into())
        );
        assert_eq!(read("\"ab\" x,c").unwrap_err().0, (1, 6), "at the text, after the spaces");
        assert_eq!(texts(&read("\"ab\"  ,c").unwrap()[0]), ["ab", "c"], "spaces after the quote are fine");
    }

    #[test]
    fn test_a_space_before_an_opening_quote_is_located() {
        assert_eq!(
            read("a,b\nc, \"d, e\"\n").unwrap_err(),
            ((2, 4), "this row cannot be read: a space before the opening quote".into())
        );
    }

    #[test]
    fn test_a_quoted_line_break_is_an_unclosed_quote() {
        let text = "\"a\nb\",c\nd,e\n";
        let mut rows = Rows::new(text);
        let error = rows.next().unwrap().unwrap_err();
        assert_eq!(error.label.as_ref().unwrap().0, 0..2);
        assert_eq!(texts(&rows.next().unwrap().unwrap()), ["b\"", "c"], "the next line is read as written");
        assert_eq!(texts(&rows.next().unwrap().unwrap()), ["d", "e"]);
    }

    #[test]
    fn test_a_comment_with_an_open_quote_swallows_nothing() {
        let rows = read("#x,\"y\na,b\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(texts(&rows[0]), ["a", "b"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Any text gives rows or located errors, never a panic, and every cell is the text its
        /// span holds: as written, or unquoted.
        #[test]
        fn test_cells_are_the_text_their_spans_hold(text in "[a1 ,\"\n\r\t#\u{feff}é]{0,40}") {
            for row in Rows::new(&text) {
                match row {
                    Ok(row) => {
                        prop_assert!(text.get(row.span.clone()).is_some());
                        for cell in &row.cells {
                            let written = text.get(cell.span.clone()).unwrap_or_default();
                            let unquoted = written.strip_prefix('"').and_then(|w| w.strip_suffix('"'));
                            let unquoted = unquoted.map(|w| w.replace("\"\"", "\""));
                            prop_assert!(cell.text == written || Some(&cell.text) == unquoted.as_ref(), "{cell:?} in {text:?}");
                        }
                    }
                    Err(error) => {
                        prop_assert_eq!(error.code, "parley::syntax", "{:?}", error);
                        let span = error.label.map(|l| l.0).unwrap_or_default();
                        prop_assert!(text.get(span).is_some());
                    }
                }
            }
        }
    }
}
