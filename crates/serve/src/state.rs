//! What the server may read and write: the built-in scenario, the files given on the
//! command line, and the `.toml` files of the `--dir` it was started with — nothing else.
//!
//! A client names a scenario by an id from [`State::list`], never by a path: the id is
//! looked up, not joined to a directory, so no request can reach another file. In the
//! `--dir`, an id is a plain file name (letters, digits, `.`, `_`, `-`, ending `.toml`),
//! and the file's canonical path must lie in the directory (a symbolic link out of it is
//! refused).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::ApiError;
use crate::runs::Runs;

/// The id of the built-in scenario.
pub const BUILT_IN_ID: &str = "built-in";

/// A scenario the server may serve.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its id in the API.
    pub id: String,
    /// The name messages and reports give it (its path as given, or the built-in's name).
    pub name: String,
    /// The file; `None` for the built-in scenario (read-only).
    pub path: Option<PathBuf>,
}

impl Entry {
    /// The scenario's text, as on disk now.
    pub fn read(&self) -> Result<String, ApiError> {
        match &self.path {
            None => Ok(parley_app::scenario::BUILT_IN.to_string()),
            Some(p) => {
                std::fs::read_to_string(p).map_err(|e| ApiError::Io(format!("cannot read {}: {e}", p.display())))
            }
        }
    }
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A scenario file given on the command line cannot be served.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The `--dir` is not a directory.
    #[error("--dir {path}: {reason}")]
    Dir {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The runs' directory cannot be created.
    #[error("cannot create {path}: {source}")]
    Work {
        /// The directory.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// The server's state, shared by every request (cheap to clone).
#[derive(Clone)]
pub struct State {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    files: Vec<Entry>,
    dir: Option<PathBuf>,
    /// One lock per file, held while a save checks the version and writes.
    locks: Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
    /// At most this many analyses at once (each is parallel already): memory stays bounded
    /// however many clients there are.
    pub(crate) analyses: tokio::sync::Semaphore,
    pub(crate) runs: Runs,
}

/// Analyses computed at once.
const ANALYSES: usize = 4;

impl State {
    /// The state of a server of `files` (scenario files, `.toml`) and the `.toml` files of
    /// `dir`; runs write their results under `work`.
    pub fn new(files: &[PathBuf], dir: Option<&Path>, work: &Path) -> Result<State, StartError> {
        let mut entries =
            vec![Entry { id: BUILT_IN_ID.into(), name: parley_app::scenario::BUILT_IN_NAME.into(), path: None }];
        for path in files {
            let shown = path.display().to_string();
            let bad = |reason: &str| StartError::File { path: shown.clone(), reason: reason.into() };
            if parley_io::Format::from_path(path) != Some(parley_io::Format::Toml) {
                return Err(bad("the workbench edits TOML scenario files (.toml)"));
            }
            let canonical = path.canonicalize().map_err(|e| bad(&e.to_string()))?;
            if !canonical.is_file() {
                return Err(bad("not a file"));
            }
            let stem = path.file_name().and_then(|n| n.to_str()).unwrap_or("scenario.toml");
            let mut id: String =
                stem.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
            let mut n = 2;
            while entries.iter().any(|e| e.id == id) {
                id = format!("{n}-{stem}");
                n += 1;
            }
            entries.push(Entry { id, name: shown, path: Some(canonical) });
        }
        let dir = match dir {
            None => None,
            Some(d) => {
                let bad = |reason: String| StartError::Dir { path: d.display().to_string(), reason };
                let canonical = d.canonicalize().map_err(|e| bad(e.to_string()))?;
                if !canonical.is_dir() {
                    return Err(bad("not a directory".into()));
                }
                Some(canonical)
            }
        };
        std::fs::create_dir_all(work)
            .map_err(|source| StartError::Work { path: work.display().to_string(), source })?;
        Ok(State {
            inner: Arc::new(Inner {
                files: entries,
                dir,
                locks: Mutex::new(HashMap::new()),
                analyses: tokio::sync::Semaphore::new(ANALYSES),
                runs: Runs::new(work.to_path_buf()),
            }),
        })
    }

    /// Every scenario the server may serve.
    pub fn list(&self) -> Vec<Entry> {
        let mut out = self.inner.files.clone();
        if let Some(dir) = &self.inner.dir
            && let Ok(read) = std::fs::read_dir(dir)
        {
            let mut names: Vec<String> = read
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| dir_name_ok(n) && !out.iter().any(|e| e.id == *n))
                .collect();
            names.sort();
            for name in names {
                if let Ok(entry) = self.in_dir(dir, &name) {
                    out.push(entry);
                }
            }
        }
        out
    }

    /// The scenario with this id.
    pub fn entry(&self, id: &str) -> Result<Entry, ApiError> {
        if let Some(e) = self.inner.files.iter().find(|e| e.id == id) {
            return Ok(e.clone());
        }
        match &self.inner.dir {
            Some(dir) if dir_name_ok(id) => self.in_dir(dir, id),
            _ => Err(not_found(id)),
        }
    }

    fn in_dir(&self, dir: &Path, name: &str) -> Result<Entry, ApiError> {
        let canonical = dir.join(name).canonicalize().map_err(|_| not_found(name))?;
        if canonical.parent() != Some(dir) || !canonical.is_file() {
            return Err(not_found(name));
        }
        Ok(Entry { id: name.into(), name: canonical.display().to_string(), path: Some(canonical) })
    }

    /// The lock of a file: held while a save compares versions and writes.
    pub(crate) fn lock(&self, path: &Path) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.inner.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(path.to_path_buf()).or_default().clone()
    }
}

fn not_found(id: &str) -> ApiError {
    let shown: String = id.chars().take(80).collect();
    ApiError::NotFound(format!(
        "no scenario \"{shown}\": the workbench serves the built-in scenario, the files it was started with and the .toml files of its --dir"
    ))
}

/// Whether a file name may name a scenario of the `--dir`.
fn dir_name_ok(name: &str) -> bool {
    name.len() <= 128
        && name.ends_with(".toml")
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && !name.contains("..")
}

/// FNV-1a (64 bits) of a file's text: the version a client edits and a save compares.
pub fn version(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_dir_names_cannot_leave_the_directory() {
        for bad in ["../x.toml", "a/b.toml", ".hidden.toml", "x.json", "..toml", "a..toml", "", "%2e%2e.toml"] {
            assert!(!dir_name_ok(bad), "{bad}");
        }
        assert!(dir_name_ok("car-sale_2.toml"));
    }

    #[test]
    fn test_a_symbolic_link_out_of_the_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.toml"), "x = 1").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.toml"), dir.path().join("link.toml")).unwrap();
        std::fs::write(dir.path().join("ok.toml"), "x = 1").unwrap();
        let work = tempfile::tempdir().unwrap();
        let state = State::new(&[], Some(dir.path()), work.path()).unwrap();
        assert!(state.entry("ok.toml").is_ok());
        assert!(state.entry("link.toml").is_err());
        let ids: Vec<String> = state.list().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["built-in", "ok.toml"]);
    }
}
