//! Sharded runs (DESIGN.md "Shards"): for run, compare, sweep and check, shards 1..N of the work
//! merged by `ccsim merge` write the unsharded command's files byte for byte, charts included,
//! with its exit code; shards that do not make one whole exit 2, name the shard and write
//! nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;

use crate::common::files_under;

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

/// A check that fails: exit 1 must come through the merge too.
const FAILING_GATE: &str = "\n[[check]]\nmetric = \"service_level\"\nmin = 0.99\n";

fn commands(dir: &Path) -> Vec<(&'static str, Vec<String>)> {
    let gated = dir.join("gated.toml");
    fs::write(&gated, format!("{}{FAILING_GATE}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    let gated = gated.to_str().unwrap().to_string();
    let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
    vec![
        ("run", words("run -r 5 --set simulation.horizon=12h")),
        ("compare", words("compare --variant more:agent_group.generalists.count=9 -r 3 --set simulation.horizon=12h")),
        ("sweep", words("sweep --vary agent_group.generalists.count=6..8 -r 2 --set simulation.horizon=12h")),
        ("check", [vec!["check".to_string(), gated], words("-r 4 --set simulation.horizon=12h")].concat()),
    ]
}

/// `args` with the default scenario's file after the command word, where it takes one.
fn with_scenario(args: &[String], scenario: &Path) -> Vec<String> {
    let mut out = args.to_vec();
    if matches!(args[0].as_str(), "compare" | "sweep") {
        out.insert(1, scenario.to_str().unwrap().to_string());
    }
    out
}

#[test]
fn shards_merged_write_the_unsharded_files_byte_for_byte_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("default.toml");
    fs::write(&scenario, ccsim::scenario::DEFAULT_SCENARIO).unwrap();
    for (name, args) in commands(dir.path()) {
        let args = with_scenario(&args, &scenario);
        let whole = dir.path().join(format!("{name}-whole"));
        let plain = ccsim().args(&args).arg("-q").arg("-o").arg(&whole).output().unwrap();
        let code = plain.status.code();
        assert!(matches!(code, Some(0 | 1)), "{name}: {}", String::from_utf8_lossy(&plain.stderr));
        assert_eq!(code == Some(1), name == "check", "{name}: the check's gate fails, nothing else");
        let expected: BTreeMap<String, Vec<u8>> = files_under(&whole).into_iter().collect();
        assert!(expected.keys().any(|p| p.ends_with(".png")), "{name}: charts drawn");
        for n in [1, 2, 3, 7] {
            let shards = dir.path().join(format!("{name}-{n}-shards"));
            for k in 1..=n {
                let out = ccsim()
                    .args(&args)
                    .args(["-q", "--threads", if k % 2 == 0 { "1" } else { "2" }, "--shard", &format!("{k}/{n}"), "-o"])
                    .arg(&shards)
                    .output()
                    .unwrap();
                assert_eq!(out.status.code(), Some(0), "{name} {k}/{n}: {}", String::from_utf8_lossy(&out.stderr));
            }
            let merged = dir.path().join(format!("{name}-{n}-merged"));
            let out = ccsim().arg("merge").arg(&shards).arg("-q").arg("-o").arg(&merged).output().unwrap();
            assert_eq!(out.status.code(), code, "{name}, {n} shards: {}", String::from_utf8_lossy(&out.stderr));
            let got: BTreeMap<String, Vec<u8>> = files_under(&merged).into_iter().collect();
            assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "{name}, {n} shards");
            for (path, bytes) in &expected {
                assert!(got[path] == *bytes, "{name}, {n} shards: {path} differs");
            }
        }
    }
}

/// Runs `ccsim` and returns its exit code and stderr.
fn ccsim_status(args: &[&str]) -> (Option<i32>, String) {
    let out = ccsim().args(args).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn shards_that_do_not_make_one_whole_exit_2_naming_the_shard_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = |p: &str| dir.path().join(p).to_str().unwrap().to_string();
    let shard = |k: u32, n: u32, seed: &str, into: &str| {
        let (code, err) = ccsim_status(&[
            "run",
            "-r",
            "3",
            "--set",
            "simulation.horizon=6h",
            "--seed",
            seed,
            "-q",
            "--shard",
            &format!("{k}/{n}"),
            "-o",
            &d(into),
        ]);
        assert_eq!(code, Some(0), "{err}");
    };
    for k in 1..=3 {
        shard(k, 3, "7", "a");
    }
    shard(2, 3, "8", "other_seed");
    shard(2, 2, "7", "other_n");
    let copy = |from: &str, to: &str| {
        fs::create_dir_all(d(to)).unwrap();
        for f in ["shard.toml", "cells.bin"] {
            fs::copy(dir.path().join(from).join(f), dir.path().join(to).join(f)).unwrap();
        }
    };
    copy("a/shard-1-of-3", "damaged");
    let cells = dir.path().join("damaged/cells.bin");
    let mut bytes = fs::read(&cells).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    fs::write(&cells, bytes).unwrap();
    copy("a/shard-1-of-3", "old_version");
    let manifest = dir.path().join("old_version/shard.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, text.replace(&format!("ccsim = \"{}\"", env!("CARGO_PKG_VERSION")), "ccsim = \"0.0.1\""))
        .unwrap();
    copy("a/shard-1-of-3", "not_toml");
    fs::write(dir.path().join("not_toml/shard.toml"), "format = 1\nshard = [").unwrap();

    let merged = d("merged");
    let (s1, s2, s3) = (d("a/shard-1-of-3"), d("a/shard-2-of-3"), d("a/shard-3-of-3"));
    for (shards, says) in [
        (vec![s1.clone(), s3.clone()], "shard 2 of 3 missing"),
        (vec![s1.clone(), s2.clone(), s2.clone(), s3.clone()], "both are shard 2 of 3"),
        (vec![s1.clone(), d("other_seed/shard-2-of-3"), s3.clone()], "other_seed/shard-2-of-3"),
        (vec![s1.clone(), d("other_n/shard-2-of-2"), s3.clone()], "other_n/shard-2-of-2"),
        (vec![d("damaged"), s2.clone(), s3.clone()], "damaged/cells.bin: damaged"),
        (vec![d("old_version"), s2.clone(), s3.clone()], "old_version: written by ccsim 0.0.1"),
        (vec![d("not_toml"), s2.clone(), s3.clone()], "not_toml/shard.toml: not a shard manifest"),
        (vec![d("nowhere")], "nowhere"),
    ] {
        let mut args = vec!["merge"];
        args.extend(shards.iter().map(String::as_str));
        args.extend(["-o", &merged]);
        let (code, err) = ccsim_status(&args);
        assert_eq!(code, Some(2), "{shards:?}: {err}");
        assert!(err.contains(says), "{shards:?}: {err}");
        assert!(!Path::new(&merged).exists(), "{shards:?}: nothing written");
    }
    // The scenario changed since the shards ran: the merge refuses it, before writing.
    let file = dir.path().join("center.toml");
    fs::write(&file, ccsim::scenario::DEFAULT_SCENARIO).unwrap();
    for k in 1..=2 {
        let (code, err) = ccsim_status(&[
            "run",
            file.to_str().unwrap(),
            "-r",
            "2",
            "-q",
            "--shard",
            &format!("{k}/2"),
            "-o",
            &d("changed"),
        ]);
        assert_eq!(code, Some(0), "{err}");
    }
    fs::write(&file, ccsim::scenario::DEFAULT_SCENARIO.replace("count = 8", "count = 9")).unwrap();
    let (code, err) = ccsim_status(&["merge", &d("changed"), "-o", &merged]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("the shards ran another scenario"), "{err}");
    assert!(!Path::new(&merged).exists());
    // A trace holds every conversation: never in a shard.
    let (code, err) = ccsim_status(&["run", "--trace", "--shard", "1/2", "-o", &d("t")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--trace with --shard"), "{err}");
}

#[test]
fn shard_auto_reads_the_slurm_array_and_the_kubernetes_index() {
    let dir = tempfile::tempdir().unwrap();
    let run = |vars: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = ccsim();
        cmd.args(["run", "-r", "4", "--set", "simulation.horizon=2h", "-q", "--shard", "auto"]).args(extra);
        for name in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX"] {
            cmd.env_remove(name);
        }
        cmd.env_remove("JOB_COMPLETION_INDEX");
        cmd.envs(vars.iter().copied()).arg("-o").arg(dir.path()).output().unwrap()
    };
    let out = run(&[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "3")], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("shard-2-of-3/shard.toml").exists());
    let out = run(&[("JOB_COMPLETION_INDEX", "0")], &["--shards", "5"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("shard-1-of-5/shard.toml").exists());
    let out = run(&[], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX"));
}
