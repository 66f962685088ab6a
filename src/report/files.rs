//! Writing output files whole or not at all.
//!
//! Every file of a run is first rendered in memory, then written to a temporary file in the
//! output directory and renamed over its final name. A failed or interrupted run therefore leaves
//! each earlier file either as it was or fully replaced, never half written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file to write: its name inside the output directory and its bytes.
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Writes every file into `dir` (created if missing), each through a temporary file and a rename.
/// Returns the paths written.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> std::io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut staged = Vec::with_capacity(files.len());
    let result = (|| {
        for file in files {
            let tmp = dir.join(format!(".{}.{}.tmp", file.name, std::process::id()));
            let mut f = fs::File::create(&tmp)?;
            staged.push((tmp, dir.join(&file.name)));
            f.write_all(&file.bytes)?;
            f.sync_all()?;
        }
        for (tmp, path) in &staged {
            fs::rename(tmp, path)?;
        }
        Ok(staged.iter().map(|(_, path)| path.clone()).collect())
    })();
    if result.is_err() {
        for (tmp, _) in &staged {
            let _ = fs::remove_file(tmp);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_replace_earlier_ones_and_leave_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.csv"), "old").unwrap();
        let files = [
            OutputFile { name: "a.csv".into(), bytes: b"new".to_vec() },
            OutputFile { name: "b.csv".into(), bytes: b"b".to_vec() },
        ];
        write_all(dir.path(), &files).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("a.csv")).unwrap(), "new");
        let names: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
