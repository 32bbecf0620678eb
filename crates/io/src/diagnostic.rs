//! Errors and warnings about scenario files, with the span of the offending text.

use std::fmt;
use std::ops::Range;

use miette::{LabeledSpan, NamedSource, Severity, SourceCode};

/// One problem in a scenario file: what is wrong, where, and what to do.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code naming the rule, e.g. `parley::duplicate-id`.
    pub code: &'static str,
    /// What is wrong, naming the item and the rule.
    pub message: String,
    /// Where: byte range in the file, with a short label.
    pub label: Option<(Range<usize>, String)>,
    /// What to do about it.
    pub help: Option<String>,
    source: Option<NamedSource<String>>,
}

impl Diagnostic {
    /// An error.
    pub(crate) fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, code, message: message.into(), label: None, help: None, source: None }
    }

    /// A warning.
    pub(crate) fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(code, message) }
    }

    /// Points at the text in `span` (no effect when the span is unknown, as in JSON input).
    pub(crate) fn at(mut self, span: Option<Range<usize>>, label: impl Into<String>) -> Self {
        if let Some(span) = span {
            self.label = Some((span, label.into()));
        }
        self
    }

    /// Adds what to do.
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_source(mut self, source: NamedSource<String>) -> Self {
        self.source = Some(source);
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column of the start of the span, if known.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        let (span, _) = self.label.as_ref()?;
        let text = self.source.as_ref()?.inner();
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, column))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, label) = self.label.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            Some(label.clone()),
            span.start..span.end.max(span.start),
        ))))
    }
}

/// What can go wrong reading or writing scenario files.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(parley::read), help("check that the path is right and the file is readable"))]
    Read {
        /// The path.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file name does not say whether it is TOML or JSON.
    #[error("{path}: cannot tell the format from the file name")]
    #[diagnostic(code(parley::format), help("scenario files end in .toml or .json"))]
    UnknownFormat {
        /// The path.
        path: String,
    },
    /// The scenario has errors; each is a [`Diagnostic`] with its span.
    #[error("{path}: {count} {noun} in the scenario", noun = if *count == 1 { "error" } else { "errors" })]
    #[diagnostic(code(parley::invalid))]
    Invalid {
        /// The path (or name) of the scenario.
        path: String,
        /// Number of errors.
        count: usize,
        /// The errors, then any warnings.
        #[related]
        diagnostics: Vec<Diagnostic>,
    },
    /// The inputs of a forecast (a CSV or a forecast file) have errors; each is a
    /// [`Diagnostic`] with its span.
    #[error("{path}: {count} {noun} in the forecast's inputs", noun = if *count == 1 { "error" } else { "errors" })]
    #[diagnostic(code(parley::invalid))]
    InvalidForecast {
        /// The path (or name) of the file.
        path: String,
        /// Number of errors.
        count: usize,
        /// The errors.
        #[related]
        diagnostics: Vec<Diagnostic>,
    },
    /// The scenario uses something the target format cannot express (Genius XML has no red
    /// lines, linkages or non-veto parties); each problem is a [`Diagnostic`].
    #[error("{scenario}: {count} {noun} cannot be written as Genius XML", noun = if *count == 1 { "part" } else { "parts" })]
    #[diagnostic(
        code(parley::unsupported),
        help("a Genius profile is an additive utility over the issues, a reservation value and a discount factor")
    )]
    Unsupported {
        /// The id of the scenario.
        scenario: String,
        /// Number of problems.
        count: usize,
        /// The problems.
        #[related]
        diagnostics: Vec<Diagnostic>,
    },
    /// The scenario could not be serialised (a bug).
    #[error("internal error (please report it): {0}")]
    #[diagnostic(code(parley::internal))]
    Internal(String),
}
