//! The `parley` command-line tool: a thin layer that reads scenarios with `parley-io`,
//! runs the engine of `parley-core`, and prints tables or JSON.
//!
//! Exit codes (also in `--help` and the README): 0 success; 1 the command ran but a check
//! failed; 2 bad input or usage; 74 a file could not be read or written (a full disk, a
//! permission); 70 an internal error, a bug to report; 130 cancelled by Ctrl-C. A closed
//! standard output (for example `parley analyze | head`) ends quietly with 0.

mod args;
mod commands;
mod output;
mod scenario;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Everything held.
    Success,
    /// The command ran, but a check it performs failed.
    CheckFailed,
}

/// Why a command could not finish.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad input or usage: the report says what and where.
    Input(miette::Report),
    /// Bad input whose diagnostics were already printed; this line sums them up.
    Reported(String),
    /// A file could not be read or written.
    Io(miette::Report),
    /// A bug.
    Internal(miette::Report),
    /// The user pressed Ctrl-C.
    Cancelled,
    /// Standard output was closed by the reader.
    BrokenPipe,
}

impl From<miette::Report> for Failure {
    fn from(report: miette::Report) -> Self {
        Failure::Input(report)
    }
}

impl From<parley_app::AppError> for Failure {
    fn from(e: parley_app::AppError) -> Self {
        use parley_app::Fault;
        match e.fault() {
            Fault::Input => Failure::Input(commands::hint(e)),
            Fault::Io => Failure::Io(miette::Report::new(e)),
            Fault::Internal => Failure::Internal(miette::Report::new(e)),
            Fault::Cancelled => Failure::Cancelled,
        }
    }
}

/// Exit code: bad input or usage.
const EXIT_INPUT: u8 = 2;
/// Exit code: an input or output failure (sysexits' `EX_IOERR`).
const EXIT_IO: u8 = 74;
/// Exit code: an internal error (sysexits' `EX_SOFTWARE`).
const EXIT_INTERNAL: u8 = 70;
/// Exit code: interrupted (128 + SIGINT, as shells report it).
const EXIT_CANCELLED: u8 = 130;

/// Diagnostics look the same everywhere: Unicode drawing, colour only on a terminal and
/// only without `NO_COLOR`, no hyperlinks (so logs and tests see the same text).
fn install_report_handler() {
    use std::io::IsTerminal;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().unicode(true).color(color).terminal_links(false).width(100).build())
    }));
}

fn main() -> ExitCode {
    install_report_handler();
    let cli = Cli::parse();
    if let Some(jobs) = cli.jobs
        && let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build_global()
    {
        eprintln!("parley: cannot start {jobs} worker threads: {e}");
        return ExitCode::from(EXIT_INTERNAL);
    }
    let result = match cli.command {
        Command::Run(args) => commands::run::run(&args, cli.format),
        Command::Report(args) => commands::report::run(&args, cli.format),
        Command::Analyze(args) => commands::analyze::run(&args, cli.format),
        Command::Check(args) => commands::check::run(&args, cli.format),
        Command::Negotiate(args) => commands::negotiate::run_command(&args, cli.format),
        Command::Simulate(args) => commands::simulate::run(&args, cli.format),
        Command::Calibrate(args) => commands::calibrate::run(&args, cli.format),
        Command::Experiment(args) => commands::experiment::run(&args, cli.format),
        Command::Merge(args) => commands::experiment::merge(&args, cli.format),
        Command::Sensitivity(args) => commands::sensitivity::run(&args, cli.format),
        Command::Backtest(args) => commands::backtest::run(&args, cli.format),
        Command::Forecast(args) => commands::forecast::run(&args, cli.format),
        Command::Tournament(args) => commands::tournament::run(&args, cli.format),
        Command::Validate(args) => commands::validate::run(&args, cli.format),
        Command::Schema => commands::schema::run(),
        Command::Sources(args) => commands::sources::run(&args, cli.format),
        Command::Convert(args) => commands::convert::run(&args, cli.format),
        Command::Generate(args) => commands::generate::run(&args),
        Command::Serve(args) => serve::run(&args),
    };
    match result {
        Ok(Status::Success) | Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Ok(Status::CheckFailed) => ExitCode::from(1),
        Err(Failure::Input(report)) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_INPUT)
        }
        Err(Failure::Reported(summary)) => {
            eprintln!("parley: {summary}");
            ExitCode::from(EXIT_INPUT)
        }
        Err(Failure::Io(report)) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_IO)
        }
        Err(Failure::Internal(report)) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_INTERNAL)
        }
        Err(Failure::Cancelled) => {
            eprintln!("parley: cancelled; finished work is kept (resume it with the same command)");
            ExitCode::from(EXIT_CANCELLED)
        }
    }
}
