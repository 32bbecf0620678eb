//! Running the real `parley` binary in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch directory and a way to run `parley` in it.
pub struct Dir {
    dir: tempfile::TempDir,
}

/// What a run printed and how it ended.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    fn from(output: Output) -> Self {
        Run {
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
            code: output.status.code().expect("exited normally"),
        }
    }

    /// Parses standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The repository root (for the shipped scenarios and the README).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

impl Dir {
    pub fn new() -> Self {
        Dir { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the directory.
    pub fn create(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write test file");
        p
    }

    /// A `parley` command running in this directory, without colours.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_parley"));
        c.args(args).current_dir(self.dir.path()).env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
        c
    }

    /// Runs `parley` with these arguments.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run parley"))
    }
}
