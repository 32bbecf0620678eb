//! `parley convert`: a scenario file to a Genius folder, or a Genius folder to a scenario file.

use std::path::Path;

use parley_io::Format;
use serde::Serialize;

use crate::args::{ConvertArgs, OutputFormat};
use crate::{Failure, Status, output, scenario};

/// What was written, for `--format json`.
#[derive(Serialize)]
struct Converted {
    input: String,
    output: String,
    /// `genius` or `negmas` when a Genius folder was read.
    semantics: Option<&'static str>,
    /// The files written, relative to `output` for a Genius folder.
    files: Vec<String>,
}

pub(crate) fn run(args: &ConvertArgs, format: OutputFormat) -> Result<Status, Failure> {
    let converted = if args.input.is_dir() { from_genius(args)? } else { to_genius(args)? };
    match format {
        OutputFormat::Json => output::print_json(&converted)?,
        OutputFormat::Table => {
            let what = match converted.semantics {
                Some(semantics) => format!("the Genius folder {} ({semantics} semantics)", converted.input),
                None => converted.input.clone(),
            };
            let files = if converted.files == [converted.output.clone()] {
                String::new()
            } else {
                format!(": {}", converted.files.join(", "))
            };
            output::print(&format!("wrote {} from {what}{files}\n", converted.output))?;
        }
    }
    Ok(Status::Success)
}

/// A Genius folder to a scenario file, which must read back as a valid scenario.
fn from_genius(args: &ConvertArgs) -> Result<Converted, Failure> {
    let name = args.output.display().to_string();
    let Some(format) = Format::from_path(&args.output) else {
        return Err(miette::miette!(
            help = "name the scenario file with .toml or .json, e.g. -o scenario.toml",
            "{name}: cannot tell the scenario format from the file name"
        )
        .into());
    };
    let semantics = args.semantics.map(parley_io::Semantics::from).unwrap_or_default();
    let loaded = scenario::load_with(Some(&args.input), args.semantics)?;
    let s = &loaded.scenario;
    let text = match format {
        Format::Toml => format!(
            "# Converted by parley {} from the Genius folder {} with {} semantics.\n\
             # Every number cites the XML file it was read from and its line (counting non-empty lines).\n\n{}",
            env!("CARGO_PKG_VERSION"),
            args.input.display(),
            semantics.as_str(),
            parley_io::to_toml(s).map_err(miette::Report::new)?
        ),
        Format::Json => parley_io::to_json(s).map_err(miette::Report::new)?,
    };
    if let Err(e) = parley_io::parse(&text, &name, format) {
        let first = match &e {
            parley_io::Error::Invalid { diagnostics, count, .. } => {
                let first = diagnostics.first().map_or_else(String::new, |d| d.message.clone());
                format!("{first} ({count} problems in all)")
            }
            other => other.to_string(),
        };
        return Err(miette::miette!(
            help = "scenario files keep values and reservation values in [0, 1]: convert with genius semantics (the default), or analyse the folder itself with `parley analyze FOLDER --semantics negmas`",
            "{name}: the {} reading of {} is not a valid scenario file: {first}",
            semantics.as_str(),
            args.input.display()
        )
        .into());
    }
    output::write_atomically(&args.output, &text)?;
    Ok(Converted {
        input: args.input.display().to_string(),
        output: name.clone(),
        semantics: Some(semantics.as_str()),
        files: vec![name],
    })
}

/// A scenario file to a Genius folder (created if missing; other XML files in it are an
/// error, since they would be read with the new ones).
fn to_genius(args: &ConvertArgs) -> Result<Converted, Failure> {
    let loaded = scenario::load_with(Some(&args.input), args.semantics)?;
    let export = parley_io::to_genius(&loaded.scenario).map_err(miette::Report::new)?;
    for warning in &export.warnings {
        eprintln!("{:?}", miette::Report::new(warning.clone()));
    }
    let dir = &args.output;
    let shown = dir.display().to_string();
    if dir.exists() && !dir.is_dir() {
        return Err(miette::miette!(
            help = "a scenario file converts into a folder of Genius XML files; give a folder name",
            "{shown} exists and is not a folder"
        )
        .into());
    }
    std::fs::create_dir_all(dir).map_err(|e| miette::miette!("cannot create the folder {shown}: {e}"))?;
    let names: Vec<&str> = export.files.iter().map(|f| f.name.as_str()).collect();
    let others = other_xml_files(dir, &names)?;
    if !others.is_empty() {
        return Err(miette::miette!(
            help = "choose a new or empty folder: a Genius folder is read as one domain and its profiles",
            "{shown} already holds other XML files ({}), which would be read together with the new ones",
            others.join(", ")
        )
        .into());
    }
    for file in &export.files {
        output::write_atomically(&dir.join(&file.name), &file.text)?;
    }
    Ok(Converted {
        input: args.input.display().to_string(),
        output: shown,
        semantics: None,
        files: names.iter().map(|n| n.to_string()).collect(),
    })
}

/// The `*.xml` files in `dir` other than `ours`, sorted.
fn other_xml_files(dir: &Path, ours: &[&str]) -> Result<Vec<String>, Failure> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| miette::miette!("cannot read the folder {}: {e}", dir.display()))?;
    let mut others: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml") && !ours.contains(&n.as_str()))
        .collect();
    others.sort();
    Ok(others)
}
