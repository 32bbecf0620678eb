//! One module per subcommand.

pub(crate) mod analyze;
pub(crate) mod backtest;
pub(crate) mod calibrate;
pub(crate) mod check;
pub(crate) mod convert;
pub(crate) mod experiment;
pub(crate) mod forecast;
pub(crate) mod generate;
pub(crate) mod negotiate;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod schema;
pub(crate) mod sensitivity;
pub(crate) mod simulate;
pub(crate) mod sources;
pub(crate) mod tournament;
pub(crate) mod validate;

use parley_app::AppError;
use parley_app::store::StoreError;

/// The report of a library error, with help that names this tool's flags where the
/// library's help cannot (it serves every front end).
pub(crate) fn hint(e: AppError) -> miette::Report {
    let help = match &e {
        AppError::Store(StoreError::Occupied { .. }) => {
            "add --resume to continue it, or choose another output directory with --out"
        }
        AppError::Store(StoreError::Different { .. }) => {
            "use the settings of the saved results (its experiment.json lists them: --seed, --runs, --months, --lever, --shard, --chunk), or choose another directory with --out"
        }
        AppError::Store(StoreError::Incomplete { .. }) => {
            "finish it first with `parley experiment --resume` (same arguments)"
        }
        AppError::Store(StoreError::Missing { .. }) => {
            "run the missing shards (or --resume the interrupted ones) first"
        }
        _ => return miette::Report::new(e),
    };
    miette::miette!(help = help, "{e}")
}
