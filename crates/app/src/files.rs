//! Files on disk: written atomically, read with errors that name the path.

use std::path::Path;

use crate::AppError;

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so a reader never sees a half-written file and an existing file survives a failure.
pub fn write_atomically(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), AppError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| AppError::bare(format!("{} is not a file name", path.display())))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(AppError::io("write", path, e));
    }
    Ok(())
}

/// Creates `dir` and its parents.
pub fn create_dir(dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::io("create", dir, e))
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
