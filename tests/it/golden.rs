//! Golden files: every example scenario, run as a planner runs it, gives exactly the bytes
//! committed under `tests/it/golden/<scenario>/`.
//!
//! Each scenario of `scenarios/` is run with 2 replications, seed 20261202, `--trace` (the
//! conversations of replication 1) and no charts; `summary.csv`, `intervals.csv`,
//! `replications.csv` and `conversations.csv` must match the committed files byte for byte.
//!
//! A difference here is a change of results for every user: a random stream drawn in another
//! order, a rule applied differently, a `rand` upgrade. It also breaks the pairing of every
//! baseline saved with `check --save-baseline`. Make such a change only on purpose, rewrite the
//! files with
//!
//! ```text
//! CCSIM_BLESS=1 cargo test --test it golden
//! ```
//!
//! and say in the commit which results moved and why (CONTRIBUTING.md, "Golden files").

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const SEED: &str = "20261202";
const FILES: [&str; 4] = ["summary.csv", "intervals.csv", "replications.csv", "conversations.csv"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every example scenario, by file stem.
fn examples() -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = fs::read_dir(root().join("scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    found.sort();
    found
}

/// The first line at which two texts differ, for a readable failure.
fn first_difference(expected: &[u8], got: &[u8]) -> String {
    let (expected, got) = (String::from_utf8_lossy(expected), String::from_utf8_lossy(got));
    for (i, (e, g)) in expected.lines().zip(got.lines()).enumerate() {
        if e != g {
            return format!("line {}:\n  committed: {e}\n  now:       {g}", i + 1);
        }
    }
    format!("{} lines committed, {} now", expected.lines().count(), got.lines().count())
}

#[test]
fn every_example_scenario_gives_the_committed_bytes() {
    let bless = std::env::var_os("CCSIM_BLESS").is_some();
    let out = tempfile::tempdir().unwrap();
    let examples = examples();
    assert!(examples.len() >= 4, "{examples:?}");
    let mut differences = Vec::new();
    for (name, path) in &examples {
        let dir = out.path().join(name);
        let run = Command::cargo_bin("ccsim")
            .unwrap()
            .args(["run", "-r", "2", "--seed", SEED, "--trace", "--no-charts", "-q", "-o"])
            .arg(&dir)
            .arg(path)
            .output()
            .unwrap();
        assert!(run.status.success(), "{name}: {}", String::from_utf8_lossy(&run.stderr));
        let golden = root().join("tests/it/golden").join(name);
        for file in FILES {
            let got = fs::read(dir.join(file)).unwrap();
            let committed = golden.join(file);
            if bless {
                fs::create_dir_all(&golden).unwrap();
                fs::write(&committed, &got).unwrap();
                continue;
            }
            match fs::read(&committed) {
                Ok(expected) if expected == got => {}
                Ok(expected) => differences.push(format!("{name}/{file}: {}", first_difference(&expected, &got))),
                Err(e) => differences.push(format!("{name}/{file}: {} ({e})", committed.display())),
            }
        }
    }
    assert!(
        differences.is_empty(),
        "results differ from the golden files (a change of every user's results; see this module's doc):\n{}",
        differences.join("\n")
    );
}

#[test]
fn every_golden_folder_belongs_to_an_example() {
    // A golden folder left behind by a renamed or removed scenario would pin nothing.
    let names: Vec<String> = examples().into_iter().map(|(n, _)| n).collect();
    for entry in fs::read_dir(root().join("tests/it/golden")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(names.contains(&name), "tests/it/golden/{name} has no scenarios/{name}.toml");
        assert!(Path::new(&entry.path()).join("summary.csv").is_file());
    }
}
