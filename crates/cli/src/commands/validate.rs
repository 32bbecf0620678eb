//! `parley validate`: check scenario files, reporting every problem.

use serde::Serialize;

use crate::args::{OutputFormat, ValidateArgs};
use crate::{Failure, Status, output};

#[derive(Serialize)]
struct FileResult {
    file: String,
    valid: bool,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
}

#[derive(Serialize)]
struct Problem {
    code: &'static str,
    message: String,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<String>,
}

fn problem(d: &parley_io::Diagnostic) -> Problem {
    let (line, column) = d.line_column().map_or((None, None), |(l, c)| (Some(l), Some(c)));
    Problem { code: d.code, message: d.message.clone(), line, column, help: d.help.clone() }
}

pub(crate) fn run(args: &ValidateArgs, format: OutputFormat) -> Result<Status, Failure> {
    let mut results = Vec::new();
    let mut text = String::new();
    for path in &args.files {
        let file = path.display().to_string();
        match parley_io::load(path) {
            Ok(loaded) => {
                let s = &loaded.scenario;
                if format == OutputFormat::Table {
                    for w in &loaded.warnings {
                        eprintln!("{:?}", miette::Report::new(w.clone()));
                    }
                    text.push_str(&format!(
                        "ok: {file}: {} actors, {} issues, {:.0} packages\n",
                        s.actors.len(),
                        s.issues.len(),
                        s.outcome_space().len_f64()
                    ));
                }
                results.push(FileResult {
                    file,
                    valid: true,
                    errors: Vec::new(),
                    warnings: loaded.warnings.iter().map(problem).collect(),
                });
            }
            Err(e) => {
                let (errors, warnings) = match &e {
                    parley_io::Error::Invalid { diagnostics, .. } => (
                        diagnostics.iter().filter(|d| d.is_error()).map(problem).collect(),
                        diagnostics.iter().filter(|d| !d.is_error()).map(problem).collect(),
                    ),
                    other => (
                        vec![Problem {
                            code: "parley::read",
                            message: other.to_string(),
                            line: None,
                            column: None,
                            help: None,
                        }],
                        Vec::new(),
                    ),
                };
                if format == OutputFormat::Table {
                    eprintln!("{:?}", miette::Report::new(e));
                }
                results.push(FileResult { file, valid: false, errors, warnings });
            }
        }
    }
    match format {
        OutputFormat::Json => output::print_json(&results)?,
        OutputFormat::Table => output::print(&text)?,
    }
    if results.iter().all(|r| r.valid) {
        Ok(Status::Success)
    } else {
        let bad = results.iter().filter(|r| !r.valid).count();
        Err(Failure::Reported(format!("{bad} of {} scenario files are invalid", results.len())))
    }
}
