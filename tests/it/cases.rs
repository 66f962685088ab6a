//! The harness of the case tables in `bad_input`, `bad_values` and `limits`: each case is a
//! scenario file (most often the default scenario with one edit), the files beside it, a command
//! run through the real binary, and what must come out — the exit code, and for a refusal one
//! line `error: FILE: [at line L, column C: ][KEY: ]MESSAGE` (DESIGN.md "Command line") — never a
//! panic, and nothing written by a `run` that fails.
//!
//! Where an error points is given as a needle: the line and column at which that text stands in
//! the case's own file, so the expectation follows the file.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const DEFAULT: &str = include_str!("../../scenarios/default.toml");

/// The longest message a refusal may print: one line a planner reads at a glance.
const LONGEST_MESSAGE: usize = 500;

/// A file the case needs beside its scenario (or instead of one).
pub enum Extra {
    /// A data file with this text.
    Text(&'static str, String),
    /// A sparse file of this many bytes (no disk space used).
    Sparse(&'static str, u64),
    /// A named pipe (FIFO): opening it for reading would wait for a writer forever.
    Fifo(&'static str),
    Directory(&'static str),
}

pub enum Input {
    Text(String),
    Bytes(Vec<u8>),
    /// A path where no file exists.
    Missing,
    /// A directory, named like a scenario file.
    Directory,
    /// A path outside the test directory, used as the scenario file (`/dev/zero`).
    Path(&'static str),
    /// One of the case's extra files, used as the scenario file.
    Extra(Extra),
}

pub enum Cmd {
    /// `ccsim validate FILE`
    Validate,
    /// `ccsim run FILE -o DIR ARGS...`
    Run(&'static [&'static str]),
}

/// Where the error must point.
pub enum Pos {
    /// Nowhere: the whole file is at fault.
    Nowhere,
    /// The line on which this text (unique in the file) starts; the column is not checked.
    Line(&'static str),
    /// The line and column at which this text (unique in the file) starts.
    At(&'static str),
    /// A fixed line and column.
    Exact(usize, usize),
}

pub enum Expect {
    /// Exit 2: `error: FILE: [at line L, column C: ][KEY: ]MESSAGE` on one line, the message
    /// holding every one of `says` (where `{dir}` stands for the case's directory).
    Invalid { at: Pos, key: &'static str, says: Vec<String> },
    /// Exit 2 for the command line itself: `error: ...` holding every one of `says`.
    BadCommandLine { says: &'static [&'static str] },
    /// Exit 0: either nothing on stderr, or one `warning: ` line holding every one of the words.
    Valid { warning: Option<&'static [&'static str]> },
}

pub const VALID: Expect = Expect::Valid { warning: None };

pub struct Case {
    /// The behaviour, used as the name of the case's directory too.
    pub name: &'static str,
    pub input: Input,
    pub extras: Vec<Extra>,
    pub cmd: Cmd,
    pub expect: Expect,
}

/// A `validate` case.
pub fn case(name: &'static str, input: Input, expect: Expect) -> Case {
    Case { name, input, extras: Vec::new(), cmd: Cmd::Validate, expect }
}

/// A `run FILE -o DIR ARGS...` case.
pub fn run_case(name: &'static str, input: Input, args: &'static [&'static str], expect: Expect) -> Case {
    Case { cmd: Cmd::Run(args), ..case(name, input, expect) }
}

/// `c` with these files beside its scenario.
pub fn with(extras: Vec<Extra>, c: Case) -> Case {
    Case { extras, ..c }
}

pub fn invalid(at: Pos, key: &'static str, says: &[&str]) -> Expect {
    Expect::Invalid { at, key, says: says.iter().map(|s| s.to_string()).collect() }
}

pub fn text(t: &str) -> Input {
    Input::Text(t.to_string())
}

/// The default scenario with each `(old, new)` applied to the first occurrence of `old`.
pub fn edits(pairs: &[(&str, &str)]) -> Input {
    Input::Text(crate::common::edited(DEFAULT, pairs))
}

/// The default scenario with the first occurrence of `old` (which must be there) replaced by `new`.
pub fn edit(old: &str, new: &str) -> Input {
    edits(&[(old, new)])
}

/// Runs every case, each in its own directory, and fails with the list of those that went wrong.
pub fn check_all(cases: &[Case]) {
    let dir = tempfile::tempdir().unwrap();
    let mut names = std::collections::BTreeSet::new();
    let failures: Vec<String> = cases
        .iter()
        .inspect(|c| assert!(names.insert(c.name), "two cases are named {}", c.name))
        .filter(|c| cfg!(unix) || !uses_unix_files(c))
        .filter_map(|c| check(c, dir.path()).err().map(|e| format!("{}: {e}", c.name)))
        .collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Cases that need `/dev` or `mkfifo`.
fn uses_unix_files(c: &Case) -> bool {
    matches!(c.input, Input::Path(_) | Input::Extra(Extra::Fifo(_)))
        || c.extras.iter().any(|e| matches!(e, Extra::Fifo(_)))
        || matches!(&c.input, Input::Text(t) if t.contains("/dev/"))
}

fn create(dir: &Path, extra: &Extra) -> PathBuf {
    match extra {
        Extra::Text(name, text) => {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        }
        Extra::Sparse(name, len) => {
            let path = dir.join(name);
            std::fs::File::create(&path).unwrap().set_len(*len).unwrap();
            path
        }
        Extra::Fifo(name) => {
            let path = dir.join(name);
            let made = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
            assert!(made.success(), "mkfifo {}", path.display());
            path
        }
        Extra::Directory(name) => {
            let path = dir.join(name);
            std::fs::create_dir(&path).unwrap();
            path
        }
    }
}

/// Runs one case in its own directory under `root`; returns what went wrong, if anything.
fn check(case: &Case, root: &Path) -> Result<(), String> {
    let dir = root.join(case.name);
    std::fs::create_dir(&dir).unwrap();
    for extra in &case.extras {
        create(&dir, extra);
    }
    let file = dir.join("scenario.toml");
    let file = match &case.input {
        Input::Text(t) => {
            std::fs::write(&file, t).unwrap();
            file
        }
        Input::Bytes(b) => {
            std::fs::write(&file, b).unwrap();
            file
        }
        Input::Missing => file,
        Input::Directory => {
            std::fs::create_dir(&file).unwrap();
            file
        }
        Input::Path(p) => PathBuf::from(p),
        Input::Extra(extra) => create(&dir, extra),
    };
    let out = dir.join("out");
    let mut cmd = Command::cargo_bin("ccsim").unwrap();
    match case.cmd {
        Cmd::Validate => cmd.arg("validate").arg(&file),
        Cmd::Run(args) => cmd.arg("run").arg(&file).arg("-o").arg(&out).args(args),
    };
    // A refused input is refused at once; anything slower is a runaway.
    let output = cmd.timeout(std::time::Duration::from_secs(60)).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let fail = |what: String| Err(format!("{what}\n    stderr: {stderr}"));

    if stderr.contains("panicked") {
        return fail("the process panicked".into());
    }
    let exit = if matches!(case.expect, Expect::Valid { .. }) { 0 } else { 2 };
    if output.status.code() != Some(exit) {
        return fail(format!("exit code {:?}, expected {exit}", output.status.code()));
    }
    if matches!(case.cmd, Cmd::Run(_)) && exit != 0 {
        let written: Vec<_> =
            std::fs::read_dir(&out).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
        if !written.is_empty() {
            return fail(format!("a failed run wrote {written:?}"));
        }
    }
    let lacking = |message: &str, words: &[&str]| words.iter().find(|w| !message.contains(**w)).map(|w| w.to_string());

    match &case.expect {
        Expect::Valid { warning } => match (warning, stderr.lines().collect::<Vec<_>>().as_slice()) {
            (None, []) => Ok(()),
            (Some(words), [line]) if line.starts_with("warning: ") => match lacking(line, words) {
                Some(w) => fail(format!("the warning lacks {w:?}")),
                None => Ok(()),
            },
            _ => fail(format!("expected {} on stderr", if warning.is_some() { "one warning" } else { "nothing" })),
        },
        Expect::BadCommandLine { says } => {
            if !stderr.starts_with("error: ") {
                return fail("stderr does not start with `error: `".into());
            }
            match lacking(&stderr, says) {
                Some(w) => fail(format!("the message lacks {w:?}")),
                None => Ok(()),
            }
        }
        Expect::Invalid { at, key, says } => {
            if stderr.lines().count() != 1 {
                return fail("expected exactly one line on stderr".into());
            }
            if stderr.len() > LONGEST_MESSAGE {
                return fail("the message is unreadably long".into());
            }
            let prefix = format!("error: {}: ", file.display());
            let Some(mut rest) = stderr.trim_end().strip_prefix(prefix.as_str()) else {
                return fail(format!("stderr does not start with {prefix:?}"));
            };
            let text = match &case.input {
                Input::Text(t) => t.as_str(),
                _ => "",
            };
            let expected = match at {
                Pos::Nowhere => None,
                Pos::Line(needle) => Some((crate::common::position_of(text, needle).0, None)),
                Pos::At(needle) => {
                    let (line, column) = crate::common::position_of(text, needle);
                    Some((line, Some(column)))
                }
                Pos::Exact(line, column) => Some((*line, Some(*column))),
            };
            match expected {
                None if rest.starts_with("at line") => return fail("expected no position".into()),
                None => {}
                Some((line, column)) => {
                    let Some(after) = rest.strip_prefix(&format!("at line {line}, column ")) else {
                        return fail(format!("expected `at line {line}, column ...`"));
                    };
                    let (found, after) = after.split_once(": ").unwrap_or(("", after));
                    if column.is_some_and(|c| found != c.to_string()) {
                        return fail(format!("column {found}, expected {}", column.unwrap()));
                    }
                    rest = after;
                }
            }
            if !key.is_empty() {
                let Some(after) = rest.strip_prefix(&format!("{key}: ")) else {
                    return fail(format!("expected the key `{key}: ` next"));
                };
                rest = after;
            }
            let dir = dir.display().to_string();
            let says: Vec<String> = says.iter().map(|w| w.replace("{dir}", &dir)).collect();
            let says: Vec<&str> = says.iter().map(String::as_str).collect();
            match lacking(rest, &says) {
                Some(w) => fail(format!("the message lacks {w:?}")),
                None => Ok(()),
            }
        }
    }
}
