//! Parsing the XML of a Genius folder: the domain's issues and each profile's numbers, with
//! the byte span of everything a diagnostic may point at.

use std::ops::Range;

use roxmltree::{Document, Node};

use super::read::{Reader, XmlFile};
use crate::diagnostic::Diagnostic;
use crate::validate::MAX_OPTIONS_PER_ISSUE;

/// The first byte of `row`:`col` (1-based, columns in characters), for parser errors.
pub(super) fn offset_of(text: &str, row: u32, col: u32) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(row.saturating_sub(1) as usize).map(str::len).sum();
    let line = &text[line_start.min(text.len())..];
    let within = line.char_indices().nth(col.saturating_sub(1) as usize).map_or(line.len(), |(i, _)| i);
    (line_start + within).min(text.len())
}

/// The `<name` of an element's start tag.
pub(super) fn tag_span(node: Node) -> Range<usize> {
    let start = node.range().start;
    start..start + 1 + node.tag_name().name().len()
}

/// An attribute's value, or the element's tag if the attribute is absent.
pub(super) fn attr_span(node: Node, name: &str) -> Range<usize> {
    node.attribute_node(name).map_or_else(|| tag_span(node), |a| a.range_value())
}

pub(super) fn elements<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(Node::is_element)
}

pub(super) fn quoted(items: impl Iterator<Item = impl AsRef<str>>) -> String {
    let all: Vec<String> = items.map(|s| format!("\"{}\"", s.as_ref())).collect();
    if all.len() > 12 { format!("{}, … ({} in all)", all[..12].join(", "), all.len()) } else { all.join(", ") }
}

/// The kind of a domain issue.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum DomainKind {
    /// Values, in `<item>` order.
    Discrete(Vec<String>),
    /// Whole numbers from `lo` to `hi`.
    Integer { lo: i64, hi: i64 },
    /// Real numbers from `lo` to `hi`.
    Real { lo: f64, hi: f64 },
}

impl DomainKind {
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            DomainKind::Discrete(_) => "discrete",
            DomainKind::Integer { .. } => "integer",
            DomainKind::Real { .. } => "real",
        }
    }
}

/// An issue of the domain file.
pub(super) struct DomainIssue {
    pub(super) index: i64,
    pub(super) name: String,
    pub(super) kind: DomainKind,
    /// The `<issue` tag.
    pub(super) at: Range<usize>,
    /// Where the bounds of a numeric issue are written (lower, upper).
    pub(super) bounds_at: (usize, usize),
}

/// How a profile evaluates one issue.
pub(super) enum Evaluation {
    /// One evaluation per domain value, in domain order, with the offset it is written at.
    Discrete(Vec<(f64, usize)>),
    /// `offset + slope·x` (Genius integer issues: `x − lowerbound`).
    Linear { offset: f64, slope: f64, lowerbound: f64 },
    /// 0 at `start`, 1 at `middle`, 0 at `end`.
    Triangular { start: f64, end: f64, middle: f64 },
    /// `offset + a1·x + a2·x²` (NegMAS only).
    Quadratic { offset: f64, a1: f64, a2: f64 },
}

/// One profile's numbers, by domain issue.
pub(super) struct Profile {
    /// `(weight, offset)` per domain issue, if a `<weight>` gives it.
    pub(super) weights: Vec<Option<(f64, usize)>>,
    /// The evaluation per domain issue and the span of its `<issue>` or `<evaluator>`.
    pub(super) evaluations: Vec<Option<(Evaluation, Range<usize>)>>,
    pub(super) reservation: Option<(f64, usize)>,
    pub(super) discount: Option<(f64, Range<usize>)>,
}

impl Reader {
    /// A required attribute.
    fn attribute<'a>(&mut self, file: &XmlFile, node: Node<'a, '_>, name: &str, what: &str) -> Option<&'a str> {
        let value = node.attribute(name);
        if value.is_none() {
            self.report(
                file,
                Diagnostic::error("parley::missing-value", format!("{}: {what} has no `{name}` attribute", file.name))
                    .at(Some(tag_span(node)), format!("no {name}"))
                    .help(format!("add {name}=\"...\" to the <{}> element", node.tag_name().name())),
            );
        }
        value
    }

    /// A finite number written in an attribute (`what` names it in messages).
    fn number(&mut self, file: &XmlFile, node: Node, name: &str, what: &str) -> Option<f64> {
        let text = self.attribute(file, node, name, what)?;
        self.parse_number(file, node, name, text, what)
    }

    fn parse_number(&mut self, file: &XmlFile, node: Node, name: &str, text: &str, what: &str) -> Option<f64> {
        match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            Ok(_) => {
                self.report(
                    file,
                    Diagnostic::error("parley::not-finite", format!("{}: {what} is {text}", file.name))
                        .at(Some(attr_span(node, name)), "not a finite number")
                        .help("write a finite number"),
                );
                None
            }
            Err(_) => {
                self.report(
                    file,
                    Diagnostic::error(
                        "parley::syntax",
                        format!("{}: {what} is \"{text}\", which is not a number", file.name),
                    )
                    .at(Some(attr_span(node, name)), "not a number")
                    .help(format!("write {name} as a number, e.g. {name}=\"0.5\"")),
                );
                None
            }
        }
    }

    /// A whole number written in an attribute.
    fn whole(&mut self, file: &XmlFile, node: Node, name: &str, what: &str) -> Option<i64> {
        let text = self.attribute(file, node, name, what)?;
        let parsed = text.trim().parse::<i64>().ok();
        if parsed.is_none() {
            self.report(
                file,
                Diagnostic::error(
                    "parley::syntax",
                    format!("{}: {what} is \"{text}\", which is not a whole number", file.name),
                )
                .at(Some(attr_span(node, name)), "not a whole number")
                .help(format!("write {name} as a whole number, e.g. {name}=\"1\"")),
            );
        }
        parsed
    }

    /// The issues of the domain file, in index order; `None` if the domain has errors.
    pub(super) fn domain(&mut self, file: &XmlFile, doc: &Document) -> Option<Vec<DomainIssue>> {
        let root = doc.root_element();
        let objective = elements(root)
            .find(|n| n.has_tag_name("utility_space"))
            .and_then(|u| elements(u).find(|n| n.has_tag_name("objective")));
        let Some(objective) = objective else {
            self.report(
                file,
                Diagnostic::error(
                    "parley::empty",
                    format!("{}: the domain has no <utility_space> with an <objective>", file.name),
                )
                .at(Some(tag_span(root)), "domain root")
                .help("a Genius domain reads <negotiation_template><utility_space><objective><issue …>…"),
            );
            return None;
        };
        let mut issues: Vec<DomainIssue> = Vec::new();
        let mut failed = false;
        for child in elements(objective) {
            match child.tag_name().name() {
                "issue" => match self.domain_issue(file, child) {
                    Some(issue) => issues.push(issue),
                    None => failed = true,
                },
                "objective" => {
                    failed = true;
                    self.report(
                        file,
                        Diagnostic::error(
                            "parley::field-kind",
                            format!("{}: nested objectives are not supported", file.name),
                        )
                        .at(Some(tag_span(child)), "nested objective")
                        .help("list every <issue> directly under the root <objective>, as NegMAS requires"),
                    );
                }
                other => self.report(
                    file,
                    Diagnostic::warning(
                        "parley::no-effect",
                        format!("{}: <{other}> inside the domain's objective is ignored", file.name),
                    )
                    .at(Some(tag_span(child)), "ignored")
                    .help("a domain's objective lists <issue> elements"),
                ),
            }
        }
        if failed {
            return None;
        }
        if issues.is_empty() {
            self.report(
                file,
                Diagnostic::error("parley::empty", format!("{}: the domain has no issues", file.name))
                    .at(Some(tag_span(objective)), "no <issue> inside")
                    .help("add <issue> elements to the domain's objective"),
            );
            return None;
        }
        issues.sort_by_key(|i| i.index);
        let mut ok = true;
        for (k, issue) in issues.iter().enumerate() {
            let expected = k as i64 + 1;
            if let Some(earlier) = issues[..k].iter().find(|e| e.index == issue.index) {
                ok = false;
                self.report(
                    file,
                    Diagnostic::error(
                        "parley::duplicate-id",
                        format!(
                            "{}: issues \"{}\" and \"{}\" both have index {}",
                            file.name, earlier.name, issue.name, issue.index
                        ),
                    )
                    .at(Some(issue.at.clone()), "second issue with this index")
                    .help("number the issues 1, 2, 3, …: the index orders the outcome space and matches each profile's <weight> to its issue"),
                );
            } else if issue.index != expected && issues[..k].iter().all(|e| e.index != expected) {
                ok = false;
                self.report(
                    file,
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!(
                            "{}: no issue has index {expected}, but issue \"{}\" has index {}",
                            file.name, issue.name, issue.index
                        ),
                    )
                    .at(Some(issue.at.clone()), "index out of sequence")
                    .help("number the issues 1, 2, 3, … without gaps: the index orders the outcome space and matches each profile's <weight> to its issue"),
                );
                break;
            }
            if let Some(earlier) = issues[..k].iter().find(|e| e.name == issue.name) {
                ok = false;
                self.report(
                    file,
                    Diagnostic::error(
                        "parley::duplicate-id",
                        format!("{}: two issues are named \"{}\"", file.name, earlier.name),
                    )
                    .at(Some(issue.at.clone()), "second issue with this name")
                    .help("give each issue its own name: profiles match their issues to the domain by name"),
                );
            }
        }
        ok.then_some(issues)
    }

    fn domain_issue(&mut self, file: &XmlFile, node: Node) -> Option<DomainIssue> {
        let name = self.attribute(file, node, "name", "an <issue>");
        let what = format!("issue \"{}\"", name.unwrap_or("?"));
        let index = self.whole(file, node, "index", &format!("the index of {what}"));
        let (name, index) = (name?, index?);
        if index < 1 {
            self.report(
                file,
                Diagnostic::error("parley::out-of-range", format!("{}: {what} has index {index}", file.name))
                    .at(Some(attr_span(node, "index")), "index below 1")
                    .help("issue indices start at 1"),
            );
            return None;
        }
        let at = tag_span(node);
        let mut bounds_at = (at.start, at.start);
        let kind = match node.attribute("type").unwrap_or("discrete") {
            "discrete" => {
                let mut values: Vec<String> = Vec::new();
                for item in elements(node).filter(|n| n.has_tag_name("item")) {
                    let Some(value) = self.attribute(file, item, "value", &format!("an <item> of {what}")) else {
                        continue;
                    };
                    if values.iter().any(|v| v == value) {
                        self.report(
                            file,
                            Diagnostic::warning(
                                "parley::duplicate-id",
                                format!(
                                    "{}: {what} lists the value \"{value}\" twice; the repeat is ignored",
                                    file.name
                                ),
                            )
                            .at(Some(attr_span(item, "value")), "repeated value")
                            .help("remove the repeated <item> (NegMAS ignores it too)"),
                        );
                        continue;
                    }
                    values.push(value.to_string());
                }
                if values.is_empty() {
                    self.report(
                        file,
                        Diagnostic::error("parley::empty", format!("{}: {what} lists no values", file.name))
                            .at(Some(at.clone()), "no <item value=…> inside")
                            .help("a discrete issue lists its values as <item index=\"1\" value=\"…\"/> elements"),
                    );
                    return None;
                }
                if values.len() > MAX_OPTIONS_PER_ISSUE {
                    self.report(
                        file,
                        Diagnostic::error(
                            "parley::out-of-range",
                            format!(
                                "{}: {what} has {} values, more than {MAX_OPTIONS_PER_ISSUE}",
                                file.name,
                                values.len()
                            ),
                        )
                        .at(Some(at.clone()), "too many values")
                        .help("split the issue or merge values"),
                    );
                    return None;
                }
                DomainKind::Discrete(values)
            }
            kind @ ("integer" | "real") => {
                let (lower, upper) = bound_nodes(node);
                let lower_text = lower.and_then(|n| n.attribute("lowerbound"));
                let upper_text = upper.and_then(|n| n.attribute("upperbound"));
                let (Some(lower), Some(upper), Some(lower_text), Some(upper_text)) =
                    (lower, upper, lower_text, upper_text)
                else {
                    let missing = if lower_text.is_none() { "lowerbound" } else { "upperbound" };
                    self.report(
                        file,
                        Diagnostic::error(
                            "parley::missing-value",
                            format!("{}: {kind} {what} has no {missing}", file.name),
                        )
                        .at(Some(at.clone()), "no bounds")
                        .help("give lowerbound and upperbound on the <issue> or on a <range> child"),
                    );
                    return None;
                };
                bounds_at = (attr_span(lower, "lowerbound").start, attr_span(upper, "upperbound").start);
                if kind == "integer" {
                    let lo = self.whole(file, lower, "lowerbound", &format!("the lowerbound of {what}"));
                    let hi = self.whole(file, upper, "upperbound", &format!("the upperbound of {what}"));
                    let (lo, hi) = (lo?, hi?);
                    let count = i128::from(hi) - i128::from(lo) + 1;
                    if count < 1 || count > MAX_OPTIONS_PER_ISSUE as i128 {
                        let why = if count < 1 {
                            format!("the range {lower_text}..{upper_text} is empty")
                        } else {
                            format!(
                                "the range {lower_text}..{upper_text} has {count} values, more than {MAX_OPTIONS_PER_ISSUE}"
                            )
                        };
                        self.report(
                            file,
                            Diagnostic::error("parley::out-of-range", format!("{}: {what}: {why}", file.name))
                                .at(Some(at.clone()), "range")
                                .help("give 0 < upperbound − lowerbound + 1 ≤ 100000"),
                        );
                        return None;
                    }
                    DomainKind::Integer { lo, hi }
                } else {
                    let lo =
                        self.parse_number(file, lower, "lowerbound", lower_text, &format!("the lowerbound of {what}"));
                    let hi =
                        self.parse_number(file, upper, "upperbound", upper_text, &format!("the upperbound of {what}"));
                    let (lo, hi) = (lo?, hi?);
                    if hi < lo {
                        self.report(
                            file,
                            Diagnostic::error(
                                "parley::out-of-range",
                                format!("{}: {what}: the range {lo}..{hi} is empty", file.name),
                            )
                            .at(Some(at.clone()), "range")
                            .help("make upperbound at least lowerbound"),
                        );
                        return None;
                    }
                    DomainKind::Real { lo, hi }
                }
            }
            other => {
                self.report(
                    file,
                    Diagnostic::error(
                        "parley::field-kind",
                        format!("{}: {what} has unknown type \"{other}\"", file.name),
                    )
                    .at(Some(attr_span(node, "type")), "unknown type")
                    .help("a Genius issue's type is discrete (the default), integer or real"),
                );
                return None;
            }
        };
        Some(DomainIssue { index, name: name.to_string(), kind, at, bounds_at })
    }

    /// One profile's numbers; `None` if it has errors.
    pub(super) fn profile(&mut self, file: &XmlFile, doc: &Document, domain: &[DomainIssue]) -> Option<Profile> {
        let errors_before = self.diagnostics.iter().filter(|d| d.is_error()).count();
        let root = doc.root_element();
        let mut objective = None;
        let mut reservation = None;
        let mut discount = None;
        for child in elements(root) {
            match child.tag_name().name() {
                "objective" => objective = Some(child),
                "reservation" => {
                    reservation = self
                        .number(file, child, "value", "the reservation value")
                        .map(|x| (x, attr_span(child, "value").start));
                }
                "discount_factor" => {
                    discount = self
                        .number(file, child, "value", "the discount factor")
                        .map(|x| (x, attr_span(child, "value")));
                }
                _ => {}
            }
        }
        // NegMAS reads a profile without <objective> from the root itself.
        let objective = objective.unwrap_or(root);
        let n = domain.len();
        let mut weights: Vec<Option<(f64, usize)>> = vec![None; n];
        let mut evaluations: Vec<Option<(Evaluation, Range<usize>)>> = (0..n).map(|_| None).collect();
        let mut seen = vec![false; n];
        for child in elements(objective) {
            match child.tag_name().name() {
                "weight" => self.weight(file, child, domain, &mut weights),
                "utility" | "utility_function" => self.report(
                    file,
                    Diagnostic::error(
                        "parley::field-kind",
                        format!("{}: non-linear (hyper-rectangle) profiles are not supported", file.name),
                    )
                    .at(Some(tag_span(child)), "non-linear utility")
                    .help("parley reads additive profiles: <issue> evaluations and <weight>s"),
                ),
                "issue" => {
                    let Some(name) = self.attribute(file, child, "name", "an <issue>") else { continue };
                    let Some(i) = domain.iter().position(|d| d.name == name) else {
                        self.report(
                            file,
                            Diagnostic::error(
                                "parley::unknown-reference",
                                format!("{}: issue \"{name}\" is not in the domain", file.name),
                            )
                            .at(Some(attr_span(child, "name")), "no such issue")
                            .help(format!(
                                "the domain's issues are {}; names match exactly",
                                quoted(domain.iter().map(|d| &d.name))
                            )),
                        );
                        continue;
                    };
                    if seen[i] {
                        self.report(
                            file,
                            Diagnostic::error(
                                "parley::duplicate-id",
                                format!("{}: issue \"{name}\" is evaluated twice", file.name),
                            )
                            .at(Some(attr_span(child, "name")), "second entry")
                            .help("keep one <issue> per domain issue"),
                        );
                        continue;
                    }
                    seen[i] = true;
                    evaluations[i] = self.evaluation(file, child, &domain[i]);
                }
                _ => {}
            }
        }
        let errors_after = self.diagnostics.iter().filter(|d| d.is_error()).count();
        for (d, seen) in domain.iter().zip(&seen) {
            // After an error (an issue name that does not resolve, say) this would only repeat it.
            if !seen && errors_after == errors_before {
                self.report(
                    file,
                    Diagnostic::warning(
                        "parley::no-effect",
                        format!(
                            "{}: issue \"{}\" is not evaluated, so it adds nothing to this party's utility",
                            file.name, d.name
                        ),
                    )
                    .at(Some(tag_span(objective)), "no <issue> for it here")
                    .help(format!("add <issue name=\"{}\"> with an evaluation of every value", d.name)),
                );
            }
        }
        (errors_after == errors_before).then_some(Profile { weights, evaluations, reservation, discount })
    }

    fn weight(&mut self, file: &XmlFile, node: Node, domain: &[DomainIssue], weights: &mut [Option<(f64, usize)>]) {
        let index = self.whole(file, node, "index", "the index of a <weight>");
        let value = self.number(file, node, "value", "a weight");
        let (Some(index), Some(value)) = (index, value) else { return };
        let n = domain.len();
        if index < 1 || index > n as i64 {
            self.report(
                file,
                Diagnostic::error(
                    "parley::unknown-reference",
                    format!("{}: a <weight> has index {index}, but the domain's issues run 1..{n}", file.name),
                )
                .at(Some(attr_span(node, "index")), "no such issue")
                .help("NegMAS adds such a weight to a constant bias, which parley cannot express; remove it or fix its index"),
            );
            return;
        }
        let i = (index - 1) as usize;
        if value < 0.0 {
            self.report(
                file,
                Diagnostic::error(
                    "parley::out-of-range",
                    format!(
                        "{}: the weight of issue \"{}\" is {value}, but must be at least 0",
                        file.name, domain[i].name
                    ),
                )
                .at(Some(attr_span(node, "value")), "negative weight")
                .help("weights are importances: use a value ≥ 0"),
            );
            return;
        }
        if weights[i].is_some() {
            self.report(
                file,
                Diagnostic::error(
                    "parley::duplicate-id",
                    format!("{}: issue \"{}\" (index {index}) has two weights", file.name, domain[i].name),
                )
                .at(Some(attr_span(node, "index")), "second weight")
                .help("keep one <weight> per issue"),
            );
            return;
        }
        weights[i] = Some((value, attr_span(node, "value").start));
    }

    /// How a profile's `<issue>` evaluates the domain issue `d`.
    fn evaluation(&mut self, file: &XmlFile, node: Node, d: &DomainIssue) -> Option<(Evaluation, Range<usize>)> {
        let what = format!("issue \"{}\"", d.name);
        let kind = node.attribute("type").unwrap_or("discrete");
        if kind != d.kind.type_name() {
            self.report(
                file,
                Diagnostic::error(
                    "parley::field-kind",
                    format!("{}: {what} is {kind} here but {} in the domain", file.name, d.kind.type_name()),
                )
                .at(Some(attr_span(node, "type")), "type differs from the domain")
                .help(format!("write type=\"{}\" as the domain does", d.kind.type_name())),
            );
            return None;
        }
        let items: Vec<Node> = elements(node).filter(|n| n.has_tag_name("item")).collect();
        let evaluator = elements(node).find(|n| n.has_tag_name("evaluator"));
        match &d.kind {
            DomainKind::Discrete(values) => {
                if let Some(e) = evaluator {
                    self.report(
                        file,
                        Diagnostic::error(
                            "parley::field-kind",
                            format!(
                                "{}: {what} is discrete, so it takes <item> evaluations, not an <evaluator>",
                                file.name
                            ),
                        )
                        .at(Some(tag_span(e)), "evaluator on a discrete issue")
                        .help("give each value an <item value=\"…\" evaluation=\"…\"/>"),
                    );
                    return None;
                }
                let mut evals: Vec<Option<(f64, usize)>> = vec![None; values.len()];
                let mut ok = true;
                for item in items {
                    let Some(value) = self.attribute(file, item, "value", &format!("an <item> of {what}")) else {
                        ok = false;
                        continue;
                    };
                    let Some(v) = values.iter().position(|x| x == value) else {
                        ok = false;
                        self.report(
                            file,
                            Diagnostic::error(
                                "parley::unknown-reference",
                                format!("{}: {what} has no value \"{value}\" in the domain", file.name),
                            )
                            .at(Some(attr_span(item, "value")), "no such value")
                            .help(format!(
                                "the domain's values of \"{}\" are {}; values match exactly, spaces and quotes included",
                                d.name,
                                quoted(values.iter())
                            )),
                        );
                        continue;
                    };
                    if evals[v].is_some() {
                        ok = false;
                        self.report(
                            file,
                            Diagnostic::error(
                                "parley::duplicate-id",
                                format!("{}: value \"{value}\" of {what} is evaluated twice", file.name),
                            )
                            .at(Some(attr_span(item, "value")), "second evaluation")
                            .help("keep one <item> per value"),
                        );
                        continue;
                    }
                    let Some(e) = self.number(
                        file,
                        item,
                        "evaluation",
                        &format!("the evaluation of value \"{value}\" of {what}"),
                    ) else {
                        ok = false;
                        continue;
                    };
                    evals[v] = Some((e, attr_span(item, "evaluation").start));
                }
                let missing: Vec<&String> =
                    values.iter().zip(&evals).filter(|(_, e)| e.is_none()).map(|(v, _)| v).collect();
                if ok && !missing.is_empty() {
                    self.report(
                        file,
                        Diagnostic::error(
                            "parley::missing-value",
                            format!("{}: {what} gives no evaluation for {}", file.name, quoted(missing.iter())),
                        )
                        .at(Some(tag_span(node)), "incomplete")
                        .help("give every value of the domain an <item value=\"…\" evaluation=\"…\"/>"),
                    );
                    return None;
                }
                ok.then(|| (Evaluation::Discrete(evals.into_iter().flatten().collect()), tag_span(node)))
            }
            DomainKind::Integer { .. } | DomainKind::Real { .. } => {
                if let Some(item) = items.first() {
                    self.report(
                        file,
                        Diagnostic::error(
                            "parley::field-kind",
                            format!("{}: {what} is {kind}, so it takes an <evaluator>, not <item>s", file.name),
                        )
                        .at(Some(tag_span(*item)), "item on a numeric issue")
                        .help("evaluate a numeric issue with <evaluator ftype=\"linear\" parameter0=\"…\" parameter1=\"…\"/>"),
                    );
                    return None;
                }
                let Some(e) = evaluator else {
                    self.report(
                        file,
                        Diagnostic::warning(
                            "parley::no-effect",
                            format!(
                                "{}: {what} has no <evaluator>, so it adds nothing to this party's utility",
                                file.name
                            ),
                        )
                        .at(Some(tag_span(node)), "no evaluator")
                        .help("add <evaluator ftype=\"linear\" parameter0=\"offset\" parameter1=\"slope\"/>"),
                    );
                    return None;
                };
                let lowerbound = match &d.kind {
                    DomainKind::Integer { lo, .. } => {
                        let (own, _) = bound_nodes(node);
                        match own.and_then(|n| n.attribute("lowerbound")) {
                            Some(text) => {
                                self.parse_number(file, own?, "lowerbound", text, &format!("the lowerbound of {what}"))?
                            }
                            None => *lo as f64,
                        }
                    }
                    _ => 0.0,
                };
                let param = |s: &mut Self, names: [&str; 2], default: f64| -> Option<f64> {
                    match names.iter().find_map(|n| e.attribute(*n).map(|t| (*n, t))) {
                        Some((n, t)) => s.parse_number(file, e, n, t, &format!("`{n}` of the evaluator of {what}")),
                        None => Some(default),
                    }
                };
                let ftype = self.attribute(file, e, "ftype", &format!("the evaluator of {what}"))?;
                let evaluation = match ftype {
                    "linear" => Evaluation::Linear {
                        offset: param(self, ["offset", "parameter0"], 0.0)?,
                        slope: param(self, ["slope", "parameter1"], 1.0)?,
                        lowerbound,
                    },
                    "triangular" => Evaluation::Triangular {
                        start: param(self, ["parameter0", "start"], 0.0)?,
                        end: param(self, ["parameter1", "end"], 1.0)?,
                        middle: param(self, ["parameter2", "middle"], 1.0)?,
                    },
                    "quadratic" => Evaluation::Quadratic {
                        offset: param(self, ["parameter0", "offset"], 0.0)?,
                        a1: param(self, ["parameter1", "a1"], 1.0)?,
                        a2: param(self, ["parameter2", "a2"], 1.0)?,
                    },
                    other => {
                        self.report(
                            file,
                            Diagnostic::error(
                                "parley::field-kind",
                                format!("{}: the evaluator of {what} has unknown ftype \"{other}\"", file.name),
                            )
                            .at(Some(attr_span(e, "ftype")), "unknown ftype")
                            .help("parley reads ftype linear and triangular (and quadratic with negmas semantics)"),
                        );
                        return None;
                    }
                };
                Some((evaluation, tag_span(e)))
            }
        }
    }
}

/// The elements giving a numeric issue's lower and upper bound: a `<range>` child wins
/// over the `<issue>`'s own attributes, bound by bound.
pub(super) fn bound_nodes<'a, 'input>(node: Node<'a, 'input>) -> (Option<Node<'a, 'input>>, Option<Node<'a, 'input>>) {
    let mut lower = node.has_attribute("lowerbound").then_some(node);
    let mut upper = node.has_attribute("upperbound").then_some(node);
    for range in elements(node).filter(|n| n.has_tag_name("range")) {
        if range.has_attribute("lowerbound") {
            lower = Some(range);
        }
        if range.has_attribute("upperbound") {
            upper = Some(range);
        }
    }
    (lower, upper)
}
