//! Where ccsim writes, and what a failed run leaves behind (DESIGN.md "Output directory").
//!
//! - The scenario `name` becomes one safe folder under `output/`: separators, `..`, control
//!   characters and names of dots only never lead anywhere else.
//! - `-o DIR` is used as given, relative to the current directory or absolute, and nothing is
//!   written outside it.
//! - Files are written whole: no temporary file is left after a run, and a run that fails (an
//!   output path that cannot be written, invalid input) leaves an earlier run's files as they were.
//!
//! Every run happens in a fresh temporary working directory, so that anything written in the
//! wrong place shows up as an unexpected entry.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A scenario that simulates in milliseconds; `{name}` is a TOML basic string's contents.
fn scenario(name: &str) -> String {
    format!(
        r#"
[simulation]
name = "{name}"
horizon = "2h"
replications = 2

[[channel]]
name = "chat"
kind = "live_chat"
work_stream = "chat"
arrivals = {{ process = "poisson", rate_per_hour = 60 }}

[[work_stream]]
name = "chat"
handle_time = {{ dist = "exponential", mean = "3m" }}

[[queue]]
name = "q"

[[agent_group]]
name = "agents"
count = 4
queues = ["q"]
"#
    )
}

/// A working directory to run in, and a scenario file kept outside it.
struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("cwd")).unwrap();
        Sandbox { root }
    }

    fn cwd(&self) -> PathBuf {
        self.root.path().join("cwd")
    }

    /// Writes the scenario file (outside the working directory) and returns its path.
    fn scenario(&self, name: &str) -> PathBuf {
        let path = self.root.path().join("scenario.toml");
        fs::write(&path, scenario(name)).unwrap();
        path
    }

    fn ccsim(&self, args: &[&str]) -> std::process::Output {
        Command::cargo_bin("ccsim").unwrap().current_dir(self.cwd()).args(args).output().unwrap()
    }

    /// Every path under the sandbox root, relative to it, sorted.
    fn tree(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(self.root.path(), self.root.path(), &mut out);
        out.sort();
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
        if path.is_dir() {
            walk(root, &path, out);
        }
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn succeeds(out: std::process::Output) {
    assert!(out.status.success(), "exit {:?}, stderr: {}", out.status.code(), stderr(&out));
}

#[test]
fn scenario_names_become_one_safe_folder_under_output() {
    // TOML escapes: \u0000, \u0007, \n, \t and \\ are real control characters and a backslash.
    let long = "x".repeat(400);
    let names = [
        "a/b",
        "../../escape",
        "..",
        ".",
        "...",
        "/absolute",
        "a\\\\b",
        "..\\\\..\\\\escape",
        "nul\\u0000byte",
        "bell\\u0007",
        "new\\nline",
        "tab\\there",
        " padded ",
        "ünï cödé",
        long.as_str(),
    ];
    for name in names {
        let sandbox = Sandbox::new();
        let file = sandbox.scenario(name);
        succeeds(sandbox.ccsim(&["run", file.to_str().unwrap(), "--quiet", "--no-charts"]));
        let output = sandbox.cwd().join("output");
        let entries: Vec<PathBuf> = fs::read_dir(&output).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(entries.len(), 1, "{name}: {entries:?}");
        let folder = entries[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(!folder.chars().any(|c| c == '/' || c == '\\' || c.is_control()), "{name}: {folder:?}");
        assert!(!folder.chars().all(|c| c == '.'), "{name}: {folder:?}");
        assert!(folder.len() <= 255, "{name}: a folder name of {} bytes", folder.len());
        assert!(entries[0].join("summary.csv").is_file(), "{name}: {:?}", sandbox.tree());
        // Nothing but the scenario file and output/<folder>/… anywhere in the sandbox.
        for path in sandbox.tree() {
            assert!(
                path == "scenario.toml" || path == "cwd" || path.starts_with(&"cwd/output".to_string()),
                "{name}: wrote {path}"
            );
        }
    }
}

#[test]
fn output_option_is_used_as_given_relative_or_absolute() {
    let sandbox = Sandbox::new();
    let file = sandbox.scenario("named");
    succeeds(sandbox.ccsim(&["run", file.to_str().unwrap(), "-o", "results/today", "--quiet"]));
    assert!(sandbox.cwd().join("results/today/summary.csv").is_file(), "{:?}", sandbox.tree());
    assert!(!sandbox.cwd().join("output").exists(), "-o given, yet output/ was written");

    let absolute = sandbox.root.path().join("elsewhere/deep");
    succeeds(sandbox.ccsim(&["run", file.to_str().unwrap(), "-o", absolute.to_str().unwrap(), "--quiet"]));
    assert!(absolute.join("summary.csv").is_file());
    for path in sandbox.tree() {
        assert!(
            path == "scenario.toml"
                || path == "cwd"
                || path.starts_with("cwd/results")
                || path.starts_with("elsewhere"),
            "wrote {path}"
        );
    }
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut paths = Vec::new();
    walk(dir, dir, &mut paths);
    paths.sort();
    paths.into_iter().filter(|p| dir.join(p).is_file()).map(|p| (p.clone(), fs::read(dir.join(&p)).unwrap())).collect()
}

fn no_temporaries(dir: &Path) {
    let mut paths = Vec::new();
    walk(dir, dir, &mut paths);
    let left: Vec<&String> =
        paths.iter().filter(|p| p.ends_with(".tmp") || p.contains("/.") || p.starts_with('.')).collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

#[test]
fn a_run_leaves_no_temporary_files() {
    let sandbox = Sandbox::new();
    let file = sandbox.scenario("tidy");
    succeeds(sandbox.ccsim(&["run", file.to_str().unwrap(), "-o", "out", "--quiet", "--trace"]));
    no_temporaries(&sandbox.cwd().join("out"));
    succeeds(sandbox.ccsim(&["run", file.to_str().unwrap(), "-o", "out", "--quiet", "--seed", "9"]));
    no_temporaries(&sandbox.cwd().join("out"));
}

#[test]
fn a_failed_run_leaves_the_earlier_results_intact() {
    let sandbox = Sandbox::new();
    let file = sandbox.scenario("kept");
    let file = file.to_str().unwrap();
    succeeds(sandbox.ccsim(&["run", file, "-o", "out", "--quiet"]));
    let out = sandbox.cwd().join("out");
    let before = snapshot(&out);
    assert!(before.iter().any(|(p, _)| p == "summary.csv"));

    // The output folder is a file.
    let failed = sandbox.ccsim(&["run", file, "-o", "out/summary.csv", "--quiet", "--seed", "2"]);
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
    assert!(stderr(&failed).starts_with("error: out/summary.csv"), "{}", stderr(&failed));
    // A folder below a file.
    let failed = sandbox.ccsim(&["run", file, "-o", "out/summary.csv/deeper", "--quiet", "--seed", "2"]);
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
    assert_eq!(snapshot(&out), before);

    // One of the files cannot be replaced (a folder has its name): nothing is replaced.
    let blocked = out.join("replications.csv");
    fs::remove_file(&blocked).unwrap();
    fs::create_dir(&blocked).unwrap();
    let before = snapshot(&out);
    let failed = sandbox.ccsim(&["run", file, "-o", "out", "--quiet", "--seed", "3"]);
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("replications.csv"), "{}", stderr(&failed));
    assert_eq!(snapshot(&out), before, "a failed run replaced some of the files");
    no_temporaries(&out);
    fs::remove_dir(&blocked).unwrap();

    // Invalid input writes nothing either.
    let failed = sandbox.ccsim(&["run", file, "-o", "out", "--set", "agent_group.agents.count=-1"]);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    let after = snapshot(&out);
    assert!(after.iter().all(|f| before.contains(f)), "invalid input changed the files");
}

#[test]
fn compare_variant_names_stay_inside_the_output_folder() {
    let sandbox = Sandbox::new();
    let file = sandbox.scenario("variants");
    succeeds(sandbox.ccsim(&[
        "compare",
        file.to_str().unwrap(),
        "--variant",
        "../../up:agent_group.agents.count=5",
        "--variant",
        "..:agent_group.agents.count=6",
        "-o",
        "cmp",
        "--quiet",
        "--no-charts",
    ]));
    for path in sandbox.tree() {
        assert!(path == "scenario.toml" || path == "cwd" || path.starts_with("cwd/cmp"), "wrote {path}");
    }
    let folders: Vec<String> = fs::read_dir(sandbox.cwd().join("cmp"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders.len(), 3, "{folders:?}");
}
