//! Reading a Genius folder: files → parsed domain and profiles → a [`Scenario`].
//!
//! Every problem becomes a [`Diagnostic`] that carries its file and the byte span of the
//! offending XML, so reports show file, line and column; reading collects every problem of
//! a stage before failing.

use std::ops::Range;
use std::path::Path;

use miette::NamedSource;
use parley_core::preferences::WEIGHT_SUM_TOLERANCE;
use parley_core::{
    Actor, Citation, Issue, IssueKind, IssueOption, Metadata, Preferences, Provenance, Quantity, Role, Scenario,
    Source, ValueFunction, Veto,
};
use roxmltree::Document;

use super::parse::{DomainIssue, DomainKind, Evaluation, Profile, offset_of, quoted, tag_span};
use super::{GeniusOptions, Semantics, foreign_id};
use crate::Loaded;
use crate::diagnostic::{Diagnostic, Error};
use crate::id::unique as unique_id;
use crate::validate::numeric_id;

/// Reads the Genius folder `folder` into a scenario (see the [module docs](super)).
///
/// Errors name the file and, for problems inside a file, the line and column; warnings
/// (an ignored file, an issue a profile leaves out, a repeated value) come with the result.
pub fn load_genius(folder: &Path, options: &GeniusOptions) -> Result<Loaded, Error> {
    let display = folder.display().to_string();
    let files = read_files(folder)?;
    let name = folder
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| display.clone());
    read(&name, &display, files, options)
}

/// Reads a Genius folder given as its files, each a name and its bytes, as [`load_genius`]
/// reads the files of a folder: `*.xml` files but `*pareto.xml` only, in sorted name
/// order. `folder` names the folder in messages and the scenario. For files that do not
/// come from a folder on disk (an archive, a request, a fuzzer).
pub fn parse_genius(folder: &str, files: Vec<(String, Vec<u8>)>, options: &GeniusOptions) -> Result<Loaded, Error> {
    let mut files: Vec<XmlFile> = files
        .into_iter()
        .filter(|(name, _)| is_genius_file(name))
        .map(|(name, bytes)| XmlFile { display: format!("{folder}/{name}"), name, text: decode(bytes) })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    read(folder, folder, files, options)
}

/// Whether a file of the folder is read: `*.xml` but not `*pareto.xml`.
fn is_genius_file(name: &str) -> bool {
    name.ends_with(".xml") && !name.ends_with("pareto.xml")
}

/// Reads the files of a folder named `name` (shown as `display` in messages).
fn read(name: &str, display: &str, files: Vec<XmlFile>, options: &GeniusOptions) -> Result<Loaded, Error> {
    let display = display.to_string();
    let mut reader = Reader { diagnostics: Vec::new(), options: *options };
    let scenario = reader.scenario(name, &display, &files);
    let (mut errors, warnings): (Vec<_>, Vec<_>) = reader.diagnostics.into_iter().partition(Diagnostic::is_error);
    match scenario {
        Some(scenario) if errors.is_empty() => Ok(Loaded { scenario, warnings }),
        _ => {
            if errors.is_empty() {
                return Err(Error::Internal(format!("{display}: reading the Genius folder failed without a message")));
            }
            let count = errors.len();
            errors.extend(warnings);
            Err(Error::Invalid { path: display, count, diagnostics: errors })
        }
    }
}

/// One XML file of the folder.
pub(super) struct XmlFile {
    /// File name within the folder, e.g. `laptop_domain.xml`.
    pub(super) name: String,
    /// The path, for messages.
    display: String,
    /// The file's text (BOM removed; Latin-1 if it is not UTF-8).
    pub(super) text: String,
}

impl XmlFile {
    fn stem(&self) -> &str {
        self.name.strip_suffix(".xml").unwrap_or(&self.name)
    }

    fn named_source(&self) -> NamedSource<String> {
        NamedSource::new(&self.display, self.text.clone()).with_language("xml")
    }

    /// The paragraph (1-based count of non-empty lines) holding byte `offset`.
    fn paragraph(&self, offset: usize) -> u32 {
        let offset = offset.min(self.text.len());
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = self.text[..line_start].lines().filter(|l| !l.trim().is_empty()).count();
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }
}

/// The `*.xml` files of the folder in sorted name order, as NegMAS lists them.
fn read_files(folder: &Path) -> Result<Vec<XmlFile>, Error> {
    let read_error = |path: &Path, source| Error::Read { path: path.display().to_string(), source };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(|e| read_error(folder, e))? {
        let entry = entry.map_err(|e| read_error(folder, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_genius_file(&name) && entry.path().is_file() {
            names.push(name);
        }
    }
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let path = folder.join(&name);
            let bytes = std::fs::read(&path).map_err(|e| read_error(&path, e))?;
            Ok(XmlFile { name, display: path.display().to_string(), text: decode(bytes) })
        })
        .collect()
}

/// UTF-8 (without a byte-order mark), or Latin-1 for the older Genius files that use it.
fn decode(bytes: Vec<u8>) -> String {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    };
    text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text)
}

/// Reads one folder, collecting every problem as a [`Diagnostic`].
pub(super) struct Reader {
    pub(super) diagnostics: Vec<Diagnostic>,
    options: GeniusOptions,
}

impl Reader {
    pub(super) fn report(&mut self, file: &XmlFile, d: Diagnostic) {
        self.diagnostics.push(d.with_source(file.named_source()));
    }

    fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn scenario(&mut self, folder_name: &str, folder: &str, files: &[XmlFile]) -> Option<Scenario> {
        let mut docs = Vec::new();
        for file in files {
            match Document::parse_with_options(
                &file.text,
                roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() },
            ) {
                Ok(doc) => docs.push((file, doc)),
                Err(e) => {
                    let pos = e.pos();
                    let at = offset_of(&file.text, pos.row, pos.col);
                    let detail = e.to_string();
                    let detail = detail.strip_suffix(&format!(" at {pos}")).unwrap_or(&detail).to_string();
                    self.report(
                        file,
                        Diagnostic::error("parley::syntax", format!("{}: the XML is malformed: {detail}", file.name))
                            .at(Some(at..at), "here")
                            .help("fix the XML; Genius and NegMAS read the folder's *.xml files as well-formed XML"),
                    );
                }
            }
        }
        let mut domain: Option<(&XmlFile, &Document)> = None;
        let mut profiles: Vec<(&XmlFile, &Document)> = Vec::new();
        for (file, doc) in &docs {
            let root = doc.root_element();
            match root.tag_name().name() {
                "negotiation_template" => {
                    if let Some((first, _)) = domain {
                        self.report(
                            file,
                            Diagnostic::error(
                                "parley::duplicate-id",
                                format!("{}: a second domain file; {} is one already", file.name, first.name),
                            )
                            .at(Some(tag_span(root)), "second <negotiation_template>")
                            .help("keep one domain file (root <negotiation_template>) per folder"),
                        );
                    } else {
                        domain = Some((file, doc));
                    }
                }
                "utility_space" => profiles.push((file, doc)),
                other => self.report(
                    file,
                    Diagnostic::warning(
                        "parley::no-effect",
                        format!("{}: ignored, its root element <{other}> is neither a domain nor a profile", file.name),
                    )
                    .at(Some(tag_span(root)), "root element")
                    .help("domain files have the root <negotiation_template>, profiles <utility_space>"),
                ),
            }
        }
        if self.has_errors() {
            return None;
        }
        let Some((domain_file, domain_doc)) = domain else {
            let found =
                if files.is_empty() { "no *.xml file".to_string() } else { quoted(files.iter().map(|f| &f.name)) };
            self.diagnostics.push(
                Diagnostic::error(
                    "parley::empty",
                    format!("{}: no domain file (root <negotiation_template>) among {found}", folder),
                )
                .help("a Genius folder holds one domain file and one profile (root <utility_space>) per party"),
            );
            return None;
        };
        if profiles.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    "parley::empty",
                    format!("{}: no profile (root <utility_space>) beside {}", folder, domain_file.name),
                )
                .help("a Genius folder holds one profile per party; parties are ordered by file name"),
            );
            return None;
        }

        let domain = self.domain(domain_file, domain_doc)?;
        let issues = self.issues(&domain);
        let parsed: Vec<Option<Profile>> =
            profiles.iter().map(|(file, doc)| self.profile(file, doc, &domain)).collect();
        if self.has_errors() {
            return None;
        }
        let mut sources = Vec::new();
        let mut source_ids = Vec::new();
        let mut source_of = |file: &XmlFile| {
            let id = unique_id(foreign_id(file.stem(), "file", 1), &mut source_ids);
            sources.push(Source {
                id: id.clone(),
                title: file.name.clone(),
                outlet: "Genius XML file".into(),
                date: "n.d.".into(),
                url: None,
                file: None,
            });
            id
        };
        let domain_source = source_of(domain_file);
        let profile_sources: Vec<String> = profiles.iter().map(|(file, _)| source_of(file)).collect();
        let cite = |source: &str, file: &XmlFile, offset: usize, value: f64| -> Quantity {
            Quantity::new(
                value,
                Provenance::Cited {
                    citation: Citation { source: source.to_string(), paragraph: Some(file.paragraph(offset)) },
                },
            )
        };
        let issues: Vec<Issue> = issues
            .into_iter()
            .zip(&domain)
            .map(|(mut issue, d)| {
                let (lo_at, hi_at) = d.bounds_at;
                match &mut issue.kind {
                    IssueKind::Integer { min, max, .. } | IssueKind::Real { min, max, .. } => {
                        *min = cite(&domain_source, domain_file, lo_at, min.value);
                        *max = cite(&domain_source, domain_file, hi_at, max.value);
                    }
                    IssueKind::Categorical { .. } => {}
                }
                issue
            })
            .collect();

        let mut actors = Vec::new();
        let mut preferences = Vec::new();
        for (k, ((&(file, _), profile), source)) in profiles.iter().zip(parsed).zip(&profile_sources).enumerate() {
            let Some(profile) = profile else { continue };
            let cite_here = |offset: usize, value: f64| cite(source, file, offset, value);
            let prefs = self.preferences(file, &profile, &domain, &issues, &cite_here);
            actors.push(Actor {
                id: format!("p{k}"),
                name: file.stem().to_string(),
                role: Role::Other,
                veto: Veto::Full,
                power: None,
            });
            preferences.push(prefs);
        }
        if self.has_errors() {
            return None;
        }
        let semantics = self.options.semantics;
        let profile_names: Vec<&str> = profiles.iter().map(|(f, _)| f.name.as_str()).collect();
        Some(Scenario {
            metadata: Metadata {
                id: foreign_id(folder_name, "genius", 1),
                title: format!("{folder_name} (Genius domain)"),
                description: format!(
                    "Read from the Genius folder {folder_name}: domain {}, profiles {} (parties p0, p1, … in that order), with {} semantics.",
                    domain_file.name,
                    profile_names.join(", "),
                    semantics.as_str()
                ),
                as_of: None,
            },
            sources,
            actors,
            issues,
            preferences,
            levers: Vec::new(),
            expectations: Vec::new(),
            conflict: None,
            uncertain: Vec::new(),
        })
    }

    /// The scenario's issues for the domain's (valid) issues.
    fn issues(&self, domain: &[DomainIssue]) -> Vec<Issue> {
        let mut ids = Vec::new();
        let steps = self.options.real_steps.max(2);
        domain
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let id = unique_id(foreign_id(&d.name, "issue", k + 1), &mut ids);
                let numeric = |x: f64| IssueOption { id: numeric_id(x), label: numeric_id(x), value: Some(x) };
                let (kind, options) = match &d.kind {
                    DomainKind::Discrete(values) => {
                        let mut option_ids = Vec::new();
                        let options = values
                            .iter()
                            .enumerate()
                            .map(|(v, value)| IssueOption {
                                id: unique_id(foreign_id(value, "v", v + 1), &mut option_ids),
                                label: value.clone(),
                                value: None,
                            })
                            .collect();
                        (IssueKind::Categorical { ordered: false }, options)
                    }
                    DomainKind::Integer { lo, hi } => (
                        IssueKind::Integer {
                            min: Quantity::bare(*lo as f64),
                            max: Quantity::bare(*hi as f64),
                            step: Quantity::assumed(
                                1.0,
                                "a Genius integer issue takes every whole number in its range",
                            ),
                            unit: None,
                        },
                        (*lo..=*hi).map(|x| numeric(x as f64)).collect(),
                    ),
                    DomainKind::Real { lo, hi } => {
                        let width = hi - lo;
                        let mut options: Vec<IssueOption> =
                            (0..steps).map(|s| lo + width * f64::from(s) / f64::from(steps - 1)).map(numeric).collect();
                        if width == 0.0 {
                            options.truncate(1);
                        }
                        (
                            IssueKind::Real { min: Quantity::bare(*lo), max: Quantity::bare(*hi), steps, unit: None },
                            options,
                        )
                    }
                };
                Issue { id, name: d.name.clone(), kind, options }
            })
            .collect()
    }

    /// The preferences of one profile under the chosen semantics.
    fn preferences(
        &mut self,
        file: &XmlFile,
        profile: &Profile,
        domain: &[DomainIssue],
        issues: &[Issue],
        cite: &dyn Fn(usize, f64) -> Quantity,
    ) -> Preferences {
        let semantics = self.options.semantics;
        let n = issues.len();
        let raw_weight = |i: usize| profile.weights[i].map_or(1.0, |(w, _)| w);
        let sum: f64 = (0..n).filter(|&i| profile.evaluations[i].is_some()).map(raw_weight).sum();
        // Genius divides the weights by their sum. NegMAS uses them raw: when they do not
        // sum to one (for the engine, which would rescale them), weights are divided and
        // evaluations multiplied by the sum, which leaves every Σ w·e as it is.
        let (weight_divisor, scale) = match semantics {
            Semantics::Genius if sum > 0.0 => (sum, None),
            Semantics::NegmasRaw if sum > 0.0 && (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE => (sum, Some(sum)),
            Semantics::Genius | Semantics::NegmasRaw => (1.0, None),
        };
        let mut weights = vec![None; n];
        let mut values = vec![None; n];
        for i in 0..n {
            let Some((evaluation, at)) = &profile.evaluations[i] else { continue };
            let w = raw_weight(i) / weight_divisor;
            weights[i] = Some(match profile.weights[i] {
                Some((_, offset)) => cite(offset, w),
                None => Quantity::assumed(
                    w,
                    format!(
                        "{} gives issue \"{}\" no <weight>; Genius and NegMAS weigh it 1",
                        file.name, domain[i].name
                    ),
                ),
            });
            values[i] = self.value_function(file, evaluation, at, &domain[i], &issues[i], scale, cite);
        }
        let reservation = match profile.reservation {
            Some((r, offset)) => cite(offset, r),
            None => Quantity::assumed(0.0, format!("{} has no <reservation>; Genius and NegMAS use 0", file.name)),
        };
        let discount = match &profile.discount {
            Some((d, at)) if !(0.0..=1.0).contains(d) => {
                self.report(
                    file,
                    Diagnostic::error(
                        "parley::out-of-range",
                        format!("{}: the discount factor is {d}, but must be within [0, 1]", file.name),
                    )
                    .at(Some(at.clone()), "out of range")
                    .help(
                        "0 < δ < 1 discounts utilities by δ^t; 0 or 1 (or no <discount_factor>) means no discounting",
                    ),
                );
                None
            }
            Some((d, at)) if *d > 0.0 && *d < 1.0 => Some(cite(at.start, *d)),
            _ => None,
        };
        Preferences { weights, values, linkages: Vec::new(), red_lines: Vec::new(), reservation, discount }
    }

    /// An issue's value function under the chosen semantics, with every value multiplied by
    /// `scale` if given.
    #[allow(clippy::too_many_arguments)]
    fn value_function(
        &mut self,
        file: &XmlFile,
        evaluation: &Evaluation,
        at: &Range<usize>,
        d: &DomainIssue,
        issue: &Issue,
        scale: Option<f64>,
        cite: &dyn Fn(usize, f64) -> Quantity,
    ) -> Option<ValueFunction> {
        let factor = scale.unwrap_or(1.0);
        let genius = self.options.semantics == Semantics::Genius;
        let here = |v: f64| cite(at.start, v);
        let table = |f: &dyn Fn(f64) -> f64| ValueFunction::Table {
            values: issue.options.iter().map(|o| here(f(o.value.unwrap_or(0.0)) * factor)).collect(),
        };
        let (lo, hi) = issue.kind.range().unwrap_or((0.0, 0.0));
        match evaluation {
            Evaluation::Discrete(evals) => {
                let divisor = if genius {
                    let top = evals.iter().map(|(e, _)| *e).fold(f64::NEG_INFINITY, f64::max);
                    if top <= 0.0 {
                        self.report(
                            file,
                            Diagnostic::error(
                                "parley::out-of-range",
                                format!(
                                    "{}: issue \"{}\": the largest evaluation is {top}, so genius semantics cannot divide by it",
                                    file.name, d.name
                                ),
                            )
                            .at(Some(at.clone()), "no positive evaluation")
                            .help("give the best value a positive evaluation, or read the folder with negmas semantics (--semantics negmas)"),
                        );
                        return None;
                    }
                    top
                } else {
                    1.0
                };
                Some(ValueFunction::Table {
                    values: evals.iter().map(|&(e, offset)| cite(offset, e / divisor * factor)).collect(),
                })
            }
            Evaluation::Linear { offset, slope, lowerbound } => {
                let shift = if genius && matches!(d.kind, DomainKind::Integer { .. }) { *lowerbound } else { 0.0 };
                let line = |x: f64| offset + slope * (x - shift);
                let (a, b) = (line(lo), line(hi));
                if !genius || ((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&b)) {
                    Some(ValueFunction::Linear { at_min: here(a * factor), at_max: here(b * factor) })
                } else {
                    // Genius clamps the line to [0, 1]: no longer a line over the range.
                    Some(table(&|x| line(x).clamp(0.0, 1.0)))
                }
            }
            Evaluation::Triangular { start, end, middle } => {
                let (s, e, m) = (*start, *end, *middle);
                // parley's triangular function is NegMAS's for a proper triangle; anything
                // else (a degenerate or scaled triangle) becomes a table.
                if s < m && m < e && scale.is_none() {
                    Some(ValueFunction::Triangular { low: here(s), peak: here(m), high: here(e) })
                } else {
                    Some(table(&|x| triangle(x, s, m, e)))
                }
            }
            Evaluation::Quadratic { offset, a1, a2 } => {
                if genius {
                    self.report(
                        file,
                        Diagnostic::error(
                            "parley::field-kind",
                            format!("{}: issue \"{}\": ftype \"quadratic\" is not a Genius evaluator", file.name, d.name),
                        )
                        .at(Some(at.clone()), "quadratic evaluator")
                        .help("Genius evaluates linear and triangular functions; read the folder with negmas semantics (--semantics negmas) for NegMAS's quadratic"),
                    );
                    return None;
                }
                Some(table(&|x| offset + a1 * x + a2 * x * x))
            }
        }
    }
}

/// 0 at and below `start`, rising to 1 at `middle`, falling to 0 at and above `end`
/// (NegMAS's `TriangularFun`, Genius's triangular evaluator).
fn triangle(x: f64, start: f64, middle: f64, end: f64) -> f64 {
    if x <= start || x >= end {
        0.0
    } else if x <= middle {
        (x - start) / (middle - start)
    } else {
        (end - x) / (end - middle)
    }
}
