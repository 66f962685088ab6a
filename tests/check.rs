//! `ccsim check`: assertions from `[[check]]` tables and regressions against a baseline.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

const GATES: &str = r#"
[[check]]
metric = "service_level"
min = 0.85
on = "ci"

[[check]]
metric = "asa_s"
scope = "work_stream"
name = "chat"
max = 30

[[check]]
metric = "abandon_rate"
max = 0.2
every_interval = true
"#;

fn scenario_with(dir: &Path, checks: &str) -> std::path::PathBuf {
    let path = dir.join("center.toml");
    fs::write(&path, format!("{}\n{checks}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    path
}

fn check(args: &[&str], scenario: &Path, out: &Path) -> std::process::Output {
    ccsim().arg("check").arg(scenario).args(args).arg("-o").arg(out).output().unwrap()
}

#[test]
fn a_center_that_meets_its_targets_passes() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(&[], &scenario_with(dir.path(), GATES), &dir.path().join("out"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let table = fs::read_to_string(dir.path().join("out/check.csv")).unwrap();
    assert!(table.starts_with("kind,scope,name,metric,interval,value,ci95_low,ci95_high,limit,p_value,verdict\n"));
    assert!(table.contains("assertion,all,all,service_level,,"));
    assert!(table.lines().filter(|l| l.contains(",abandon_rate,")).count() == 24, "one gate per interval");
    assert!(dir.path().join("out/summary.csv").exists());
}

#[test]
fn removing_agents_fails_and_names_the_failing_gates() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(
        &["--set", "agent_group.generalists.count=6", "-q"],
        &scenario_with(dir.path(), GATES),
        &dir.path().join("out"),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("check failed: "), "{stderr}");
    assert!(stderr.contains("service_level"), "{stderr}");
    assert!(stderr.contains("abandon_rate at 1"), "the interval of a failing interval gate is named: {stderr}");
}

#[test]
fn a_regression_against_the_baseline_fails_and_an_improvement_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with(dir.path(), "");
    let base = dir.path().join("base");
    let saved = check(&["--save-baseline", base.to_str().unwrap(), "-q"], &scenario, &dir.path().join("o0"));
    assert_eq!(saved.status.code(), Some(0), "{}", String::from_utf8_lossy(&saved.stderr));
    assert!(base.join("replications.csv").exists() && base.join("run.toml").exists());

    let same = check(&["--baseline", base.to_str().unwrap()], &scenario, &dir.path().join("o1"));
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).contains("paired: same seed and replications"));

    let worse = check(
        &["--baseline", base.to_str().unwrap(), "--set", "agent_group.generalists.count=7", "-q"],
        &scenario,
        &dir.path().join("o2"),
    );
    assert_eq!(worse.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&worse.stderr).contains("regression all all"));

    let better = check(
        &["--baseline", base.to_str().unwrap(), "--set", "agent_group.generalists.count=10"],
        &scenario,
        &dir.path().join("o3"),
    );
    assert_eq!(better.status.code(), Some(0));
    let table = fs::read_to_string(dir.path().join("o3/check.csv")).unwrap();
    assert!(table.lines().any(|l| l.starts_with("regression,all,all,asa_s,") && l.ends_with(",improved")), "{table}");
}

#[test]
fn noise_alone_does_not_fail_the_baseline_check() {
    // The same scenario with 20 other seeds (unpaired, Welch) against one baseline. With a 5%
    // tolerance and a Holm-corrected 5% test the expected false-alarm count is well under 1; on
    // these fixed seeds it is 0 (0 of 40 were measured when the test was written).
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with(dir.path(), "");
    let base = dir.path().join("base");
    assert_eq!(
        check(&["--save-baseline", base.to_str().unwrap(), "-q"], &scenario, &dir.path().join("o")).status.code(),
        Some(0)
    );
    let mut alarms = Vec::new();
    for seed in 2..22 {
        let out = check(
            &["--baseline", base.to_str().unwrap(), "--seed", &seed.to_string(), "-q"],
            &scenario,
            &dir.path().join("o"),
        );
        if out.status.code() != Some(0) {
            alarms.push((seed, String::from_utf8_lossy(&out.stderr).into_owned()));
        }
    }
    assert!(alarms.is_empty(), "{alarms:?}");
}

#[test]
fn a_malformed_check_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    for (case, gate, expected) in [
        ("unknown metric", "[[check]]\nmetric = \"speed\"\nmin = 1", "unknown metric \"speed\""),
        ("unknown scope", "[[check]]\nmetric = \"asa_s\"\nscope = \"team\"\nmax = 1", "unknown scope \"team\""),
        (
            "unknown name",
            "[[check]]\nmetric = \"asa_s\"\nscope = \"queue\"\nname = \"vipp\"\nmax = 1",
            "no queue is named \"vipp\"",
        ),
        ("no bound", "[[check]]\nmetric = \"asa_s\"", "expected `min`, `max` or both"),
        ("inverted bounds", "[[check]]\nmetric = \"asa_s\"\nmin = 5\nmax = 1", "expected min ≤ max"),
        ("bad on", "[[check]]\nmetric = \"asa_s\"\nmax = 1\non = \"median\"", "expected \"mean\" or \"ci\""),
        (
            "ci per interval",
            "[[check]]\nmetric = \"asa_s\"\nmax = 1\non = \"ci\"\nevery_interval = true",
            "expected on = \"mean\"",
        ),
        (
            "unknown interval",
            "[[check]]\nmetric = \"asa_s\"\nmax = 1\nintervals = [\"25:00\"]",
            "not the start of a reporting interval",
        ),
        ("unknown key", "[[check]]\nmetric = \"asa_s\"\nmax = 1\nmaximum = 2", "unknown field `maximum`"),
        (
            "metric of another scope",
            "[[check]]\nmetric = \"occupancy\"\nscope = \"queue\"\nname = \"vip\"\nmax = 1",
            "not reported for scope queue",
        ),
    ] {
        let out = check(&["-q"], &scenario_with(dir.path(), gate), &dir.path().join("out"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
        assert!(stderr.contains(expected), "{case}: {stderr}");
        assert!(stderr.contains("at line"), "{case}: the line is named: {stderr}");
    }
}

#[test]
fn nothing_to_check_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(&["-q"], &scenario_with(dir.path(), ""), &dir.path().join("out"));
    assert_eq!(out.status.code(), Some(2));
}
