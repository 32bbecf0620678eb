//! `parley report`: the HTML report again, from saved results.
//!
//! A `parley run` directory holds `report.json`, the report's data: it is rendered as it
//! is, so the page is byte for byte the one `parley run` wrote. A directory of `parley
//! experiment` or `parley merge` holds the replicates only: they are read back, not run
//! again, and the rest of the report (the deals, the central path, the checks, the
//! sensitivity study) is computed from the scenario the experiment was run on.

use std::path::PathBuf;

use parley_app::job::{self, Saved};

use super::run::finish;
use crate::args::{OutputFormat, ReportArgs};
use crate::output::Progress;
use crate::{Failure, Status, scenario};

pub(crate) fn run(args: &ReportArgs, format: OutputFormat) -> Result<Status, Failure> {
    let dir = &args.dir;
    let output: PathBuf = args.output.clone().unwrap_or_else(|| dir.join("report.html"));
    let data = match job::saved(dir)? {
        Saved::Report(data) => {
            if args.scenario.is_some() {
                return Err(miette::miette!(
                    help = "drop --scenario: the report's data already name their scenario",
                    "{} holds the data of a finished report",
                    dir.display()
                )
                .into());
            }
            *data
        }
        Saved::Experiment => {
            let loaded = scenario::load(args.scenario.as_deref())?;
            let mut command = format!("parley report {}", dir.display());
            if let Some(p) = &args.scenario {
                command.push_str(&format!(" --scenario {}", p.display()));
            }
            command.push_str(&format!(" --samples {}", args.samples));
            job::report_of_experiment(
                dir,
                &loaded.scenario,
                &parley_app::scenario::name(args.scenario.as_deref()),
                args.samples,
                command,
                &Progress::new(),
            )?
        }
    };
    job::write_page(&data, &output)?;
    finish(&data, &output, dir, format)
}
