//! What can stop a job, sorted by whose fault it is, so a front end can tell the user
//! (the command line's exit codes, an HTTP status, a Python exception class).

use std::path::{Path, PathBuf};

/// Why a job could not finish.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum AppError {
    /// Bad input or usage: the message says what is wrong, the help what to do.
    #[error("{message}")]
    Input {
        /// What is wrong.
        message: String,
        /// What to do about it.
        #[help]
        help: Option<String>,
    },
    /// A scenario (or forecast) file that does not load: its diagnostics, located.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scenario(#[from] parley_io::Error),
    /// The files of an experiment cannot be used as asked.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(crate::store::StoreError),
    /// Reading or writing a file failed (a missing directory, a full disk, a permission).
    #[error("cannot {action} {path}: {source}", path = path.display())]
    #[diagnostic(help("check the path, the free space and the permissions"))]
    Io {
        /// What was being done: "read", "write", "create".
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The job was cancelled by its observer (a user pressing Ctrl-C, a closed page).
    #[error("cancelled")]
    Cancelled,
    /// A state the code should never reach: a bug.
    #[error("internal error: {0}")]
    #[diagnostic(help("this is a bug in parley; please report it with the command that caused it"))]
    Internal(String),
}

/// Whose fault a failure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The user's input or usage.
    Input,
    /// The file system or the machine.
    Io,
    /// parley's: a bug.
    Internal,
    /// Nobody's: the user stopped it.
    Cancelled,
}

impl AppError {
    /// Bad input, with what to do about it.
    pub fn input(message: impl Into<String>, help: impl Into<String>) -> AppError {
        AppError::Input { message: message.into(), help: Some(help.into()) }
    }

    /// Bad input whose message says it all.
    pub fn bare(message: impl Into<String>) -> AppError {
        AppError::Input { message: message.into(), help: None }
    }

    /// A failed file operation on `path`.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> AppError {
        AppError::Io { action, path: path.to_path_buf(), source }
    }

    /// Whose fault it is.
    pub fn fault(&self) -> Fault {
        use std::io::ErrorKind::NotFound;
        match self {
            AppError::Input { .. } => Fault::Input,
            // A path that leads nowhere (a file or folder that is not there) is a mistake in
            // the input; a file that cannot be read or written for other reasons (a
            // permission, a full disk) is the machine's problem.
            AppError::Scenario(parley_io::Error::Read { source, .. }) if source.kind() != NotFound => Fault::Io,
            AppError::Scenario(_) | AppError::Store(_) => Fault::Input,
            AppError::Io { source, .. } if source.kind() == NotFound => Fault::Input,
            AppError::Io { .. } => Fault::Io,
            AppError::Cancelled => Fault::Cancelled,
            AppError::Internal(_) => Fault::Internal,
        }
    }
}

impl From<parley_experiment::ExperimentError> for AppError {
    fn from(e: parley_experiment::ExperimentError) -> AppError {
        use parley_experiment::ExperimentError as E;
        match e {
            E::NothingUncertain => AppError::input(
                "nothing to analyse: sensitivity needs a war model and uncertain parameters",
                "give the scenario a [conflict] section and [[uncertain]] parameters",
            ),
            E::UnknownLever(id) => AppError::bare(format!("unknown lever \"{id}\"")),
            e => AppError::bare(e.to_string()),
        }
    }
}

impl From<crate::report::BuildError> for AppError {
    fn from(e: crate::report::BuildError) -> AppError {
        AppError::bare(format!("cannot build the report: {e}"))
    }
}

impl From<parley_report::RenderError> for AppError {
    fn from(e: parley_report::RenderError) -> AppError {
        AppError::bare(e.to_string())
    }
}
