//! Writing output files whole or not at all.
//!
//! Every file of a run is first rendered in memory, then written to a temporary file in the
//! output directory and renamed over its final name. A failed or interrupted run therefore leaves
//! each earlier file either as it was or fully replaced, never half written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file to write: its name inside the output directory (a relative path such as
/// `charts/service_level.png`; its folders are created) and its bytes.
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
            // Names are relative paths going down, never up or elsewhere: nothing lands outside `dir`.
            if !Path::new(&file.name).components().all(|c| matches!(c, std::path::Component::Normal(_))) {
                return Err(std::io::Error::other(format!("\"{}\" is not a name inside the output folder", file.name)));
            }
            let path = dir.join(&file.name);
            // The temporary file sits beside the final one: a rename within one folder is atomic.
            let (folder, name) = match (path.parent(), path.file_name()) {
                (Some(folder), Some(name)) => (folder, name.to_string_lossy()),
                _ => return Err(std::io::Error::other(format!("\"{}\" is not a file name", file.name))),
            };
            fs::create_dir_all(folder)?;
            let tmp = folder.join(format!(".{name}.{}.tmp", std::process::id()));
            let mut f = fs::File::create(&tmp)?;
            staged.push((tmp, path));
            f.write_all(&file.bytes)?;
            f.sync_all()?;
        }
        // A rename onto a folder fails; find that before replacing anything, so that a failed
        // run leaves every earlier file as it was rather than some of them.
        if let Some((_, path)) = staged.iter().find(|(_, path)| path.is_dir()) {
            return Err(std::io::Error::other(format!("{} is a folder; expected a file or nothing", path.display())));
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

    #[test]
    fn names_with_a_folder_are_written_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            OutputFile { name: "summary.csv".into(), bytes: b"s".to_vec() },
            OutputFile { name: "charts/a.svg".into(), bytes: b"<svg/>".to_vec() },
        ];
        let written = write_all(dir.path(), &files).unwrap();
        assert_eq!(written[1], dir.path().join("charts").join("a.svg"));
        assert_eq!(fs::read_to_string(dir.path().join("charts/a.svg")).unwrap(), "<svg/>");
        let names: Vec<_> = fs::read_dir(dir.path().join("charts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["a.svg"], "no temporary file is left behind");
    }
}
