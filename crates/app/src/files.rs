//! Files on disk: written atomically, read with errors that name the path.

use std::path::{Path, PathBuf};

use crate::AppError;

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so a reader never sees a half-written file and an existing file survives a failure.
pub fn write_atomically(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), AppError> {
    let tmp = temporary(path)?;
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(AppError::io("write", path, e));
    }
    Ok(())
}

/// A file written piece by piece into a temporary file beside `path` and renamed into
/// place by [`AtomicFile::commit`]: a reader never sees it half-written, an existing file
/// survives a failure, and a file dropped without a commit leaves nothing behind.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    /// Opens the temporary file for `path`.
    pub fn create(path: &Path) -> Result<AtomicFile, AppError> {
        let tmp = temporary(path)?;
        let file = std::fs::File::create(&tmp).map_err(|e| AppError::io("write", path, e))?;
        Ok(AtomicFile { path: path.to_path_buf(), tmp, file: Some(std::io::BufWriter::new(file)) })
    }

    /// The file's final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file and renames it into place.
    pub fn commit(mut self) -> Result<(), AppError> {
        let file = self.file.take().expect("taken only here");
        let result = file.into_inner().map_err(|e| e.into_error()).and_then(|_| std::fs::rename(&self.tmp, &self.path));
        result.map_err(|e| AppError::io("write", &self.path, e))
    }
}

impl std::io::Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("present until committed").write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("present until committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The temporary file beside `path` that becomes it.
fn temporary(path: &Path) -> Result<PathBuf, AppError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| AppError::bare(format!("{} is not a file name", path.display())))?;
    Ok(dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id())))
}

/// Creates `dir` and its parents.
pub fn create_dir(dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::io("create", dir, e))
}

/// A CSV table: the comment line `stamp` if given, then `rows` (the header first), written
/// by the `csv` crate (fields quoted where they need it, `\n` line ends).
pub fn csv_table<R, F>(stamp: Option<&str>, rows: R) -> Result<Vec<u8>, AppError>
where
    R: IntoIterator<Item = Vec<F>>,
    F: AsRef<[u8]>,
{
    let fail = |e: csv::Error| AppError::Internal(format!("cannot write a CSV table: {e}"));
    let mut buffer = Vec::new();
    if let Some(stamp) = stamp {
        buffer.extend_from_slice(stamp.as_bytes());
        buffer.push(b'\n');
    }
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(buffer);
    for row in rows {
        w.write_record(row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| fail(e.into_error().into()))
}

/// Reads a file's bytes.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|e| AppError::io("read", path, e))
}

/// Reads a text file.
pub fn read_text(path: &Path) -> Result<String, AppError> {
    std::fs::read_to_string(path).map_err(|e| AppError::io("read", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_write_atomically_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomically(&path, "one").unwrap();
        write_atomically(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn test_an_atomic_file_appears_on_commit_and_vanishes_when_dropped() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write_atomically(&path, "old").unwrap();
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"new, ").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old", "unchanged until the commit");
        f.write_all(b"whole").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new, whole");
        let mut g = AtomicFile::create(&path).unwrap();
        g.write_all(b"abandoned").unwrap();
        drop(g);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new, whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn test_a_write_into_a_missing_folder_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir").join("a.txt");
        let e = write_atomically(&missing, "x").unwrap_err();
        assert_eq!(e.fault(), crate::Fault::Input, "{e}");
        assert!(e.to_string().contains("cannot write"), "{e}");
    }

    #[test]
    fn test_a_refused_write_is_an_io_error_and_keeps_the_old_file() {
        // Even root may not create files in /sys: the operating system refuses.
        let e = write_atomically(Path::new("/sys/parley-test.txt"), "x").unwrap_err();
        assert_eq!(e.fault(), crate::Fault::Io, "{e}");
    }
}
