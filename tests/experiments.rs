//! Experiments: overrides, paired comparisons on common random numbers, sweeps, determinism
//! across thread counts, and stopping cleanly on Ctrl-C.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use ccsim::experiment::{self, Settings};
use ccsim::metrics::Metric;
use ccsim::metrics::statistics::independent_difference;
use ccsim::scenario::{Override, ScenarioSource};

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

fn scenarios(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.strip_prefix(dir).unwrap().display().to_string(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn paired_differences_are_far_narrower_than_independent_ones() {
    // Push against pick on the default scenario: the same customers in both runs (paired) against
    // the pick run with an unrelated seed (independent). The paired interval of the difference in
    // service level and in ASA must be less than half as wide.
    let source = ScenarioSource::default_scenario();
    let set = |sets: &[&str]| {
        let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
        source.with_overrides(&o).unwrap()
    };
    let settings = Settings::default();
    let run = |s| experiment::run_replications(&s, &settings, &|_| {});
    let push = run(set(&["simulation.replications=20"]));
    let pick =
        run(set(&["simulation.replications=20", "work_stream.chat.mode=pick", "work_stream.messaging.mode=pick"]));
    let pick_other_seed = run(set(&[
        "simulation.replications=20",
        "work_stream.chat.mode=pick",
        "work_stream.messaging.mode=pick",
        "simulation.seed=99",
    ]));
    let all = &push.scopes[0];
    for metric in [Metric::ServiceLevel, Metric::AsaS, Metric::Offered] {
        let paired = push.difference(&pick, all, metric);
        let independent = independent_difference(&push.estimate(all, metric), &pick_other_seed.estimate(all, metric));
        assert!(
            paired.half_width() < 0.5 * independent.half_width(),
            "{}: paired ±{} vs independent ±{}",
            metric.name(),
            paired.half_width(),
            independent.half_width()
        );
    }
    // The customers are the same: offered conversations do not differ at all.
    assert_eq!(push.difference(&pick, all, Metric::Offered).mean, 0.0);
}

#[test]
fn compare_writes_a_table_and_one_folder_per_variant_identically_on_any_thread_count() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, threads) in [(a.path(), "1"), (b.path(), "2")] {
        let out = ccsim()
            .args(["compare", &scenarios("default.toml"), "--variant", "more:agent_group.generalists.count=10"])
            .args(["--variant", "pick:work_stream.chat.mode=pick,work_stream.messaging.mode=pick"])
            .args(["-r", "4", "--threads", threads, "-o"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("more − base") && stdout.contains("pick − base"), "{stdout}");
    }
    assert_eq!(files_under(a.path()), files_under(b.path()));
    let compare = fs::read_to_string(a.path().join("compare.csv")).unwrap();
    assert!(compare.starts_with(
        "scope,name,metric,variant,mean,ci95_low,ci95_high,diff,diff_ci95_low,diff_ci95_high,significant\n"
    ));
    let offered_more = compare.lines().find(|l| l.starts_with("all,all,offered,more,")).unwrap();
    assert!(offered_more.contains(",0,0,0,false"), "same customers: {offered_more}");
    let abandoned_more = compare.lines().find(|l| l.starts_with("all,all,abandoned,more,")).unwrap();
    assert!(abandoned_more.ends_with(",true"), "two more agents abandon fewer: {abandoned_more}");
    for variant in ["base", "more", "pick"] {
        assert!(a.path().join(variant).join("summary.csv").exists());
    }
}

#[test]
fn compare_takes_two_scenario_files() {
    let dir = tempfile::tempdir().unwrap();
    let text = ccsim::scenario::DEFAULT_SCENARIO;
    fs::write(dir.path().join("a.toml"), text).unwrap();
    fs::write(dir.path().join("b.toml"), text.replace("count = 8", "count = 9")).unwrap();
    let out = ccsim()
        .arg("compare")
        .arg(dir.path().join("a.toml"))
        .arg(dir.path().join("b.toml"))
        .args(["-r", "3", "--quiet", "-o"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let compare = fs::read_to_string(dir.path().join("out/compare.csv")).unwrap();
    assert!(compare.lines().any(|l| l.starts_with("all,all,service_level,b,")));
}

#[test]
fn sweep_runs_every_point_of_the_grid() {
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim()
        .args(["sweep", &scenarios("default.toml"), "--vary", "agent_group.generalists.count=6..10/2"])
        .args(["--vary", "simulation.service_level_threshold=20s,60s", "-r", "2", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sweep = fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
    let header = sweep.lines().next().unwrap();
    assert!(
        header
            .starts_with("point,agent_group.generalists.count,simulation.service_level_threshold,scope,name,offered,")
    );
    // 3 × 2 points × 10 scopes.
    assert_eq!(sweep.lines().count(), 1 + 6 * 10);
    let sl = |point: &str| -> f64 {
        let line = sweep.lines().find(|l| l.starts_with(&format!("\"{point}\",")) && l.contains(",all,all,")).unwrap();
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        record[header.split(',').position(|h| h == "service_level").unwrap()].parse().unwrap()
    };
    assert!(
        sl("agent_group.generalists.count=10,simulation.service_level_threshold=60s")
            > sl("agent_group.generalists.count=6,simulation.service_level_threshold=60s")
    );
    assert!(
        sl("agent_group.generalists.count=8,simulation.service_level_threshold=60s")
            > sl("agent_group.generalists.count=8,simulation.service_level_threshold=20s")
    );
    assert!(
        dir.path().join("agent_group.generalists.count=6,simulation.service_level_threshold=20s/summary.csv").exists()
    );
}

#[test]
fn a_bad_override_is_invalid_input_that_names_what_exists() {
    let out = ccsim().args(["run", "--set", "agent_group.tier9.count=3", "-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"generalists\", \"specialists\""), "{stderr}");
    let out = ccsim()
        .args(["sweep", &scenarios("default.toml"), "--vary", "agent_group.generalists.count=0..x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = ccsim().args(["compare", &scenarios("default.toml"), "--variant", "nocolon"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn set_overrides_reach_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim()
        .args(["run", "--set", "simulation.replications=3", "--set", "simulation.horizon=12h", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 replications of 12h"));
    // Nothing on stderr: no progress bar when stderr is not a terminal.
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_run_without_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("summary.csv"), "an earlier run's results").unwrap();
    let binary = assert_cmd::cargo::cargo_bin("ccsim");
    let mut child = std::process::Command::new(binary)
        .args(["run", "-r", "100000", "--set", "simulation.horizon=30d", "--threads", "1", "-q", "-o"])
        .arg(dir.path())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(fs::read_to_string(dir.path().join("summary.csv")).unwrap(), "an earlier run's results");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no other file, no temporary file");
}
