//! Writing output files whole or not at all, one run at a time.
//!
//! Every file of a command — a run's, or a whole `compare` or `sweep` tree with its variant
//! folders — is first rendered in memory, then written to a temporary file beside its final name;
//! only when every one is written are they renamed over their final names. A failed or
//! interrupted command therefore leaves the earlier files as they were, never a mix of old and
//! new, and removes its temporary files.
//!
//! A command's folder records what the command wrote in it: [`write_tree`] writes [`MANIFEST`], the
//! sorted names of its files, and removes the files that the previous command's manifest named
//! and this one did not write again (charts of a queue that no longer exists, the folder of a
//! variant that was dropped), and the folders they leave empty — never a file that no ccsim
//! manifest named. The manifest is the same bytes for the same command, scenario and seed.
//!
//! An output folder is taken by one command at a time ([`OutputLock`]): a lock on `DIR.lock`
//! beside the folder, held from before the simulation until the last file is in place, and
//! removed after. The lock is the operating system's (`flock`), so a command that is killed
//! releases it; nothing of it is ever inside DIR.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Why an output folder cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder, or a folder on its path, is a file: invalid input (`-o`).
    #[error("{} is a file; expected a folder, or a path that does not exist yet", .0.display())]
    NotAFolder(PathBuf),
    /// Another command holds the folder's lock.
    #[error(
        "another ccsim command is writing {} (it holds {}); wait for it to finish, or write elsewhere with -o",
        .dir.display(), .lock.display()
    )]
    Busy { dir: PathBuf, lock: PathBuf },
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// The cancel flag was set while the files were written: nothing was replaced.
    #[error("interrupted")]
    Interrupted,
}

/// The lock on an output folder, taken with [`OutputLock::take`] and given back when dropped.
#[derive(Debug)]
pub struct OutputLock {
    file: fs::File,
    path: PathBuf,
}

impl OutputLock {
    /// Takes `dir` for this command: refuses a `dir` that is a file (or lies under one), and
    /// one that another command is writing.
    pub fn take(dir: &Path) -> Result<OutputLock, OutputError> {
        for folder in dir.ancestors().filter(|a| !a.as_os_str().is_empty()) {
            if folder.exists() && !folder.is_dir() {
                return Err(OutputError::NotAFolder(folder.to_path_buf()));
            }
        }
        let path = lock_path(dir)?;
        let io = |source| OutputError::Io { path: path.clone(), source };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io)?;
        }
        // The file may have been removed by the holder between our open and our lock: then the
        // lock is on a file nobody else will see, so take it again on the one at `path`.
        for _ in 0..8 {
            let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(OutputError::Busy { dir: dir.to_path_buf(), lock: path });
                }
                Err(fs::TryLockError::Error(e)) => return Err(io(e)),
            }
            if same_file(&file, &path) {
                return Ok(OutputLock { file, path });
            }
        }
        Err(OutputError::Busy { dir: dir.to_path_buf(), lock: path })
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still held, so that no other command locks the old file meanwhile.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// `DIR.lock` beside `dir`: `output/default` → `output/default.lock`. A folder given as `.` or
/// `..` is named by its absolute path.
fn lock_path(dir: &Path) -> Result<PathBuf, OutputError> {
    let named = match dir.file_name() {
        Some(_) => dir.to_path_buf(),
        None => std::path::absolute(dir).map_err(|source| OutputError::Io { path: dir.to_path_buf(), source })?,
    };
    let named = if named.file_name().is_none() { normalised(&named) } else { named };
    let name = named.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    Ok(named.with_file_name(format!("{name}.lock")))
}

/// `path` without `.` and `..` components (an absolute path such as `/a/b/..`).
fn normalised(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &fs::File, path: &Path) -> bool {
    path.exists()
}

/// A file to write: its name inside the output directory (a relative path such as
/// `charts/service_level.png`; its folders are created) and its bytes.
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The file in a command's output folder that names the files the command wrote there.
pub const MANIFEST: &str = "ccsim-files.txt";

/// The largest manifest read back: far more names than any command writes.
const MANIFEST_BYTES: u64 = 64 << 20;

/// Writes a command's files into `dir` as [`write_all`] does, with [`MANIFEST`], then removes the
/// files of the previous manifest that this command did not write, and the folders that leaves
/// empty. Returns the paths of `files` written.
pub fn write_tree(dir: &Path, files: &[OutputFile], cancel: Option<&AtomicBool>) -> Result<Vec<PathBuf>, OutputError> {
    let previous = read_manifest(dir);
    let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    let mut text = String::from(
        "# The files ccsim wrote into this folder; the next command that writes here removes those it\n# does not write again, and nothing else.\n",
    );
    for name in &names {
        text.push_str(name);
        text.push('\n');
    }
    let mut all: Vec<&OutputFile> = files.iter().collect();
    let manifest = OutputFile { name: MANIFEST.into(), bytes: text.into_bytes() };
    all.push(&manifest);
    let mut written = write_refs(dir, &all, cancel)?;
    written.pop();
    for stale in previous.iter().filter(|p| names.binary_search(&p.as_str()).is_err()) {
        let path = dir.join(stale);
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) && fs::remove_file(&path).is_ok() {
            // The folders it leaves empty, up to (not including) `dir`.
            for folder in path.ancestors().skip(1).take_while(|f| *f != dir && f.starts_with(dir)) {
                if fs::remove_dir(folder).is_err() {
                    break;
                }
            }
        }
    }
    Ok(written)
}

/// The names in `dir`'s manifest that lie inside `dir`; none when there is no readable manifest.
fn read_manifest(dir: &Path) -> Vec<String> {
    let path = dir.join(MANIFEST);
    let regular = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= MANIFEST_BYTES);
    let Some(text) = regular.then(|| fs::read_to_string(&path).ok()).flatten() else { return Vec::new() };
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#') && *line != MANIFEST)
        .filter(|line| Path::new(line).components().all(|c| matches!(c, std::path::Component::Normal(_))))
        .map(str::to_string)
        .collect()
}

/// Writes every file into `dir` (created if missing), each through a temporary file and a rename,
/// and returns the paths written. When `cancel` is set before the renames, nothing is replaced,
/// the temporary files are removed, and the answer is [`OutputError::Interrupted`].
pub fn write_all(dir: &Path, files: &[OutputFile], cancel: Option<&AtomicBool>) -> Result<Vec<PathBuf>, OutputError> {
    write_refs(dir, &files.iter().collect::<Vec<_>>(), cancel)
}

fn write_refs(dir: &Path, files: &[&OutputFile], cancel: Option<&AtomicBool>) -> Result<Vec<PathBuf>, OutputError> {
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    write_staged(dir, files, &cancelled).map_err(|e| match e {
        Staged::Cancelled => OutputError::Interrupted,
        Staged::Io(source) => OutputError::Io { path: dir.to_path_buf(), source },
    })
}

enum Staged {
    Cancelled,
    Io(std::io::Error),
}

impl From<std::io::Error> for Staged {
    fn from(e: std::io::Error) -> Staged {
        Staged::Io(e)
    }
}

fn write_staged(dir: &Path, files: &[&OutputFile], cancelled: &dyn Fn() -> bool) -> Result<Vec<PathBuf>, Staged> {
    fs::create_dir_all(dir)?;
    let mut staged = Vec::with_capacity(files.len());
    let result = (|| {
        for file in files {
            // Names are relative paths going down, never up or elsewhere: nothing lands outside `dir`.
            if !Path::new(&file.name).components().all(|c| matches!(c, std::path::Component::Normal(_))) {
                return Err(
                    std::io::Error::other(format!("\"{}\" is not a name inside the output folder", file.name)).into()
                );
            }
            if cancelled() {
                return Err(Staged::Cancelled);
            }
            let path = dir.join(&file.name);
            // The temporary file sits beside the final one: a rename within one folder is atomic.
            let (folder, name) = match (path.parent(), path.file_name()) {
                (Some(folder), Some(name)) => (folder, name.to_string_lossy()),
                _ => return Err(std::io::Error::other(format!("\"{}\" is not a file name", file.name)).into()),
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
            return Err(
                std::io::Error::other(format!("{} is a folder; expected a file or nothing", path.display())).into()
            );
        }
        if cancelled() {
            return Err(Staged::Cancelled);
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
        write_all(dir.path(), &files, None).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("a.csv")).unwrap(), "new");
        let names: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_cancelled_write_replaces_nothing_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.csv"), "old").unwrap();
        let files = [
            OutputFile { name: "a.csv".into(), bytes: b"new".to_vec() },
            OutputFile { name: "sub/b.csv".into(), bytes: b"b".to_vec() },
        ];
        let cancel = AtomicBool::new(true);
        assert!(matches!(write_all(dir.path(), &files, Some(&cancel)), Err(OutputError::Interrupted)));
        assert_eq!(fs::read_to_string(dir.path().join("a.csv")).unwrap(), "old");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["a.csv"]);
    }

    #[test]
    fn a_lock_refuses_a_second_taker_and_leaves_nothing_behind() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let first = OutputLock::take(&dir).unwrap();
        assert!(root.path().join("out.lock").is_file());
        assert!(matches!(OutputLock::take(&dir), Err(OutputError::Busy { .. })));
        drop(first);
        assert!(!root.path().join("out.lock").exists());
        let again = OutputLock::take(&dir).unwrap();
        drop(again);
        fs::write(root.path().join("file"), "x").unwrap();
        assert!(matches!(OutputLock::take(&root.path().join("file/below")), Err(OutputError::NotAFolder(_))));
        assert_eq!(lock_path(Path::new("/a/b/..")).unwrap(), Path::new("/a.lock"));
        assert_eq!(lock_path(Path::new("results/today")).unwrap(), Path::new("results/today.lock"));
    }

    #[test]
    fn a_command_removes_its_own_stale_files_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str| OutputFile { name: name.into(), bytes: name.as_bytes().to_vec() };
        write_tree(dir.path(), &[file("a.csv"), file("b.csv"), file("charts/q1.svg"), file("v/x.csv")], None).unwrap();
        // Files of the user's beside them, in the folder and in a folder ccsim wrote into.
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        fs::write(dir.path().join("v/mine.csv"), "mine").unwrap();
        let written = write_tree(dir.path(), &[file("a.csv"), file("charts/q2.svg")], None).unwrap();
        assert_eq!(written.len(), 2, "the manifest is not counted");
        let mut left: Vec<String> = Vec::new();
        for entry in fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let below = if path.is_dir() {
                fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()).collect()
            } else {
                vec![path]
            };
            left.extend(below.iter().map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string()));
        }
        left.sort();
        assert_eq!(left, ["a.csv", "ccsim-files.txt", "charts/q2.svg", "notes.txt", "v/mine.csv"]);
        let manifest = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert!(manifest.ends_with("\na.csv\ncharts/q2.svg\n"), "{manifest}");
        // A manifest that names a path outside the folder removes nothing there.
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("keep.csv"), "keep").unwrap();
        let escape = format!("../{}/keep.csv\n", outside.path().file_name().unwrap().to_string_lossy());
        fs::write(dir.path().join(MANIFEST), format!("{escape}{}\n", outside.path().join("keep.csv").display()))
            .unwrap();
        write_tree(dir.path(), &[file("a.csv")], None).unwrap();
        assert!(outside.path().join("keep.csv").exists());
    }

    #[test]
    fn names_with_a_folder_are_written_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            OutputFile { name: "summary.csv".into(), bytes: b"s".to_vec() },
            OutputFile { name: "charts/a.svg".into(), bytes: b"<svg/>".to_vec() },
        ];
        let written = write_all(dir.path(), &files, None).unwrap();
        assert_eq!(written[1], dir.path().join("charts").join("a.svg"));
        assert_eq!(fs::read_to_string(dir.path().join("charts/a.svg")).unwrap(), "<svg/>");
        let names: Vec<_> = fs::read_dir(dir.path().join("charts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["a.svg"], "no temporary file is left behind");
    }
}
