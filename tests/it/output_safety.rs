//! Where ccsim writes, and what a failed run leaves behind (DESIGN.md "Output directory").
//!
//! - The scenario `name` becomes one safe folder under `output/`: separators, `..`, control
//!   characters and names of dots only never lead anywhere else.
//! - `-o DIR` is used as given, relative to the current directory or absolute, and nothing is
//!   written outside it.
//! - Files are written whole: no temporary file is left after a run, and a run that fails (an
//!   output path that cannot be written, invalid input, a file-size limit, SIGTERM) leaves an
//!   earlier run's files as they were; a `compare` or `sweep` writes its whole tree or nothing.
//! - One command writes a folder at a time: a second is refused while the first holds `DIR.lock`
//!   beside the folder, and nothing of the lock is left in or beside it afterwards.
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

    // The output folder is a file, or lies below one: invalid input, said before anything runs.
    for o in ["out/summary.csv", "out/summary.csv/deeper"] {
        let failed = sandbox.ccsim(&["run", file, "-o", o, "--quiet", "--seed", "2"]);
        assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
        assert_eq!(
            stderr(&failed),
            "error: -o: out/summary.csv is a file; expected a folder, or a path that does not exist yet\n"
        );
    }
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

#[test]
fn a_failed_compare_leaves_the_earlier_tree_intact() {
    // The table of an earlier compare cannot be replaced (a folder has its name): before a single
    // write, the new run would have replaced the variant folders and then failed on the table.
    let sandbox = Sandbox::new();
    let file = sandbox.scenario("tree");
    let file = file.to_str().unwrap();
    let compare = |seed: &str| {
        sandbox.ccsim(&[
            "compare",
            file,
            "--variant",
            "more:agent_group.agents.count=5",
            "-o",
            "cmp",
            "--quiet",
            "--no-charts",
            "--seed",
            seed,
        ])
    };
    succeeds(compare("1"));
    let out = sandbox.cwd().join("cmp");
    fs::remove_file(out.join("compare.csv")).unwrap();
    fs::create_dir(out.join("compare.csv")).unwrap();
    let before = snapshot(&out);
    assert!(before.iter().any(|(p, _)| p == "more/summary.csv"));
    let failed = compare("2");
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("compare.csv"), "{}", stderr(&failed));
    assert_eq!(snapshot(&out), before, "a failed compare replaced some of the files");
    no_temporaries(&out);

    // The same for a sweep.
    fs::remove_dir(out.join("compare.csv")).unwrap();
    let sweep = |seed: &str| {
        sandbox.ccsim(&[
            "sweep",
            file,
            "--vary",
            "agent_group.agents.count=4,5",
            "-o",
            "sw",
            "--quiet",
            "--no-charts",
            "--seed",
            seed,
        ])
    };
    succeeds(sweep("1"));
    let out = sandbox.cwd().join("sw");
    fs::remove_file(out.join("sweep.csv")).unwrap();
    fs::create_dir(out.join("sweep.csv")).unwrap();
    let before = snapshot(&out);
    let failed = sweep("2");
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
    assert_eq!(snapshot(&out), before, "a failed sweep replaced some of the files");
    no_temporaries(&out);
}

#[test]
fn a_folder_another_command_is_writing_is_refused_and_the_lock_leaves_no_trace() {
    let sandbox = Sandbox::new();
    let file = sandbox.scenario("locked");
    let file = file.to_str().unwrap();
    succeeds(sandbox.ccsim(&["run", file, "-o", "out", "--quiet", "--no-charts"]));
    let out = sandbox.cwd().join("out");
    let before = snapshot(&out);
    assert!(!sandbox.cwd().join("out.lock").exists(), "the lock is removed after the run");
    assert!(before.iter().all(|(p, _)| !p.contains("lock")), "{before:?}");

    // Another command holds the lock.
    let held = fs::File::create(sandbox.cwd().join("out.lock")).unwrap();
    held.try_lock().unwrap();
    for args in [
        vec!["run", file, "-o", "out", "--quiet", "--seed", "2"],
        vec!["compare", file, "--variant", "v:agent_group.agents.count=5", "-o", "out", "--quiet"],
        vec!["sweep", file, "--vary", "agent_group.agents.count=4,5", "-o", "out", "--quiet"],
    ] {
        let refused = sandbox.ccsim(&args);
        assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
        assert_eq!(
            stderr(&refused),
            "error: another ccsim command is writing out (it holds out.lock); wait for it to finish, or write elsewhere with -o\n"
        );
        assert_eq!(snapshot(&out), before, "{args:?} wrote while another held the folder");
    }
    held.unlock().unwrap();
    drop(held);
    succeeds(sandbox.ccsim(&["run", file, "-o", "out", "--quiet", "--seed", "2", "--no-charts"]));
    assert_ne!(snapshot(&out), before);
    assert!(!sandbox.cwd().join("out.lock").exists());
}

#[test]
fn two_runs_into_one_folder_at_once_never_mix_their_files() {
    // Two runs of different seeds started together: each either writes all its files or is
    // refused, so the folder holds one run's files, never some of each.
    let sandbox = Sandbox::new();
    let file = sandbox.scenario("race");
    let file = file.to_str().unwrap().to_string();
    for round in 0..5 {
        let dir = format!("race{round}");
        let children: Vec<std::process::Child> = ["1", "2"]
            .iter()
            .map(|seed| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("ccsim"))
                    .current_dir(sandbox.cwd())
                    .args(["run", &file, "-o", &dir, "--quiet", "--no-charts", "-r", "20", "--seed", seed])
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let codes: Vec<Option<i32>> =
            children.into_iter().map(|c| c.wait_with_output().unwrap().status.code()).collect();
        assert!(codes.iter().all(|c| *c == Some(0) || *c == Some(3)) && codes.contains(&Some(0)), "{codes:?}");
        let run = fs::read_to_string(sandbox.cwd().join(&dir).join("run.toml")).unwrap();
        let seed = if run.contains("seed = \"1\"") { "1" } else { "2" };
        let alone = format!("alone{round}");
        succeeds(sandbox.ccsim(&["run", &file, "-o", &alone, "--quiet", "--no-charts", "-r", "20", "--seed", seed]));
        let strip =
            |files: Vec<(String, Vec<u8>)>| files.into_iter().filter(|(p, _)| p != "run.toml").collect::<Vec<_>>();
        assert_eq!(strip(snapshot(&sandbox.cwd().join(&dir))), strip(snapshot(&sandbox.cwd().join(&alone))));
    }
}

#[cfg(unix)]
#[test]
fn a_file_size_limit_fails_the_write_cleanly() {
    // Under `ulimit -f`, a write past the limit used to kill ccsim (SIGXFSZ, exit 153) with its
    // temporary files left behind; now the write fails, ccsim says so, and nothing is replaced.
    let sandbox = Sandbox::new();
    let file = sandbox.scenario("limited");
    let file = file.to_str().unwrap();
    succeeds(sandbox.ccsim(&["run", file, "-o", "out", "--quiet", "--no-charts"]));
    let out = sandbox.cwd().join("out");
    let before = snapshot(&out);
    let bin = assert_cmd::cargo::cargo_bin("ccsim");
    let limited = std::process::Command::new("sh")
        .current_dir(sandbox.cwd())
        .arg("-c")
        .arg(format!("ulimit -f 8 && exec {} run {file} -o out --quiet --no-charts --trace --seed 2", bin.display()))
        .output()
        .unwrap();
    assert_eq!(limited.status.code(), Some(3), "{}", stderr(&limited));
    assert!(stderr(&limited).starts_with("error: cannot write the results: out: "), "{}", stderr(&limited));
    assert_eq!(snapshot(&out), before);
    no_temporaries(&out);
}

#[cfg(unix)]
#[test]
fn sigterm_stops_a_run_with_nothing_written() {
    let sandbox = Sandbox::new();
    let file = sandbox.root.path().join("long.toml");
    fs::write(&file, scenario("long").replace("horizon = \"2h\"", "horizon = \"3000d\"\ninterval = \"1d\"")).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ccsim"))
        .current_dir(sandbox.cwd())
        .args(["run", file.to_str().unwrap(), "-o", "out", "--quiet"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: sending a signal to our own child, which is still running.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let started = std::time::Instant::now();
    let status = child.wait().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(status.code(), Some(130));
    assert!(!sandbox.cwd().join("out").exists() || snapshot(&sandbox.cwd().join("out")).is_empty());
    assert!(!sandbox.cwd().join("out.lock").exists());
}

#[test]
fn a_command_replaces_what_it_wrote_before_and_leaves_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let compare = |variants: &[&str]| {
        let mut cmd = Command::cargo_bin("ccsim").unwrap();
        cmd.args(["compare", "-r", "2", "-q", "-o"])
            .arg(&out)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.toml"));
        for v in variants {
            cmd.args(["--variant", v]);
        }
        let status = cmd.output().unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    };
    compare(&["pick:work_stream.chat.mode=pick", "more:agent_group.generalists.count=9"]);
    assert!(out.join("more/summary.csv").exists());
    fs::write(out.join("notes.txt"), "the planner's").unwrap();
    fs::write(out.join("more/notes.txt"), "the planner's").unwrap();
    let first = fs::read(out.join("ccsim-files.txt")).unwrap();
    compare(&["pick:work_stream.chat.mode=pick", "more:agent_group.generalists.count=9"]);
    assert_eq!(fs::read(out.join("ccsim-files.txt")).unwrap(), first, "the same command writes the same manifest");

    // Without the variant `more` and without charts: its folder and every chart go, the
    // planner's files stay.
    let mut cmd = Command::cargo_bin("ccsim").unwrap();
    cmd.args(["compare", "-r", "2", "-q", "--no-charts", "-o"])
        .arg(&out)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.toml"));
    assert!(cmd.args(["--variant", "pick:work_stream.chat.mode=pick"]).output().unwrap().status.success());
    assert!(
        !out.join("charts").exists() && !out.join("pick/charts").exists() && !out.join("more/summary.csv").exists()
    );
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "the planner's");
    assert_eq!(fs::read_to_string(out.join("more/notes.txt")).unwrap(), "the planner's");
    let manifest = fs::read_to_string(out.join("ccsim-files.txt")).unwrap();
    let named: Vec<&str> = manifest.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(
        named.contains(&"compare.csv")
            && named.contains(&"pick/summary.csv")
            && named.iter().all(|n| !n.starts_with("more/")),
        "{manifest}"
    );
}
