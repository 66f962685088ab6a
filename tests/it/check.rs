//! `ccsim check`: assertions from `[[check]]` tables and regressions against a baseline.
//!
//! (About 720 lines: assertions, regressions, baselines, summaries and JUnit are one contract, and
//! their tests share the scenario and the baseline they build.)

use std::fs;
use std::path::Path;

use crate::common::files_under;
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
    assert!(
        table
            .starts_with("kind,scope,name,metric,interval,value,ci95_low,ci95_high,min,max,baseline,p_value,verdict\n")
    );
    assert!(table.contains("assertion,all,all,service_level,,"));
    assert!(table.lines().filter(|l| l.contains(",abandon_rate,")).count() == 24, "one gate per interval");
    assert!(dir.path().join("out/summary.csv").exists());
}

#[test]
fn removing_agents_fails_and_names_the_failing_gates() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(
        &["--set", "agent_group.generalists.count=5", "-q"],
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
    let improved = table.lines().find(|l| l.starts_with("regression,all,all,asa_s,") && l.ends_with(",improved"));
    let improved = improved.unwrap_or_else(|| panic!("{table}"));
    // Its p-value is the improvement's: significant.
    let p: f64 = improved.split(',').nth(11).unwrap().parse().unwrap();
    assert!(p < 0.05, "{improved}");
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

fn names(files: &[(String, Vec<u8>)]) -> Vec<&str> {
    files.iter().map(|(n, _)| n.as_str()).collect()
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The rows of check.csv for a metric, as (kind, scope, name, verdict).
fn check_rows(dir: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(dir.join("check.csv")).unwrap().records().map(|r| r.unwrap()).collect()
}

#[test]
fn a_baseline_check_needs_two_replications_on_each_side() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with(dir.path(), "");
    let (one, three) = (dir.path().join("one"), dir.path().join("three"));
    for (base, r) in [(&one, "1"), (&three, "3")] {
        let saved = check(
            &["--save-baseline", base.to_str().unwrap(), "-r", r, "-q", "--no-charts"],
            &scenario,
            &dir.path().join("o"),
        );
        assert_eq!(saved.status.code(), Some(0), "{}", text(&saved));
    }
    // A huge regression against a 1-replication baseline, and a 1-replication check against a
    // good baseline: neither may pass silently.
    for (base, r) in [(&one, "3"), (&three, "1")] {
        let out = check(
            &["--baseline", base.to_str().unwrap(), "-r", r, "--set", "agent_group.generalists.count=5", "-q"],
            &scenario,
            &dir.path().join("o"),
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains("at least 2 replications"), "{}", text(&out));
    }
    let ok = check(&["--baseline", three.to_str().unwrap(), "-r", "3", "-q"], &scenario, &dir.path().join("o"));
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
}

#[test]
fn a_baseline_of_another_scenario_that_shares_nothing_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let other = format!("{}/scenarios/async_messaging.toml", env!("CARGO_MANIFEST_DIR"));
    let saved = ccsim()
        .args(["check", &other, "-r", "2", "--no-charts", "-q", "--save-baseline"])
        .arg(&base)
        .arg("-o")
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(saved.status.code(), Some(0), "{}", text(&saved));
    // Another scenario with some scopes in common (all, the sms channel): compared where it can
    // be, with warnings about the rest.
    let partly = check(
        &["--baseline", base.to_str().unwrap(), "-r", "2"],
        &scenario_with(dir.path(), ""),
        &dir.path().join("o"),
    );
    assert!(matches!(partly.status.code(), Some(0 | 1)), "{}", text(&partly));
    let said = String::from_utf8_lossy(&partly.stderr);
    assert!(said.contains("warning: --baseline: the baseline was written for the scenario"), "{said}");
    assert!(said.contains("only the baseline has channel whatsapp"), "{said}");
    assert!(said.contains("only this run has channel web_chat"), "{said}");
    // Rename every scope of the baseline: nothing is left to compare.
    let csv = fs::read_to_string(base.join("replications.csv")).unwrap();
    let renamed: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
            if i > 0 {
                cells[1] = "queue".into();
                cells[2] = format!("elsewhere{i}");
            }
            cells.join(",") + "\n"
        })
        .collect();
    fs::write(base.join("replications.csv"), renamed).unwrap();
    let out = check(
        &["--baseline", base.to_str().unwrap(), "-r", "2"],
        &scenario_with(dir.path(), ""),
        &dir.path().join("o"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no metric of this run could be compared"), "{}", text(&out));
}

#[test]
fn check_writes_the_run_files_and_charts_like_run_and_the_same_bytes_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with(dir.path(), GATES);
    let run =
        ccsim().arg("run").arg(&scenario).args(["-r", "3", "-q", "-o"]).arg(dir.path().join("run")).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    for threads in ["1", "2"] {
        let save = dir.path().join(format!("base{threads}"));
        let out = check(
            &["-r", "3", "--threads", threads, "-q", "--save-baseline", save.to_str().unwrap()],
            &scenario,
            &dir.path().join(format!("check{threads}")),
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let (run, check1, check2) = (
        files_under(&dir.path().join("run")),
        files_under(&dir.path().join("check1")),
        files_under(&dir.path().join("check2")),
    );
    assert_eq!(check1, check2, "check: the same bytes on 1 and 2 threads");
    assert_eq!(files_under(&dir.path().join("base1")), files_under(&dir.path().join("base2")), "saved baseline");
    // What run writes, charts and report.html included, plus check.csv; the saved baseline is a
    // run folder: run's files but its page (a baseline is read, not shown).
    let mut expected = names(&run);
    expected.push("check.csv");
    expected.sort();
    assert_eq!(names(&check1), expected);
    assert!(expected.iter().any(|n| n.starts_with("charts/")) && expected.contains(&"report.html"));
    let without_page = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files.into_iter().filter(|(n, _)| n != "report.html" && n != "ccsim-files.txt").collect()
    };
    let (base, run_files) = (without_page(files_under(&dir.path().join("base1"))), without_page(run.clone()));
    assert!(base == run_files, "the saved baseline is what run writes");

    let no_charts = check(&["-r", "3", "-q", "--no-charts"], &scenario, &dir.path().join("plain"));
    assert_eq!(no_charts.status.code(), Some(0));
    assert!(!dir.path().join("plain/charts").exists() && dir.path().join("plain/check.csv").exists());
}

#[test]
fn a_check_with_an_unknown_metric_is_refused_by_validate_and_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    for (gate, expected) in [
        ("[[check]]\nmetric = \"speed\"\nmin = 1", "unknown metric \"speed\""),
        (
            "[[check]]\nmetric = \"occupancy\"\nscope = \"queue\"\nname = \"vip\"\nmax = 1",
            "not reported for scope queue",
        ),
    ] {
        let scenario = scenario_with(dir.path(), gate);
        let out = ccsim().arg("validate").arg(&scenario).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(expected) && text(&out).contains("at line"), "{}", text(&out));
        // A year × 10000 replications would take hours: the error comes before any of it.
        let out = ccsim()
            .arg("check")
            .arg(&scenario)
            .args(["-r", "10000", "--set", "simulation.horizon=365d", "-q", "-o"])
            .arg(dir.path().join("out"))
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(expected), "{}", text(&out));
    }
}

#[test]
fn regressions_guard_the_rate_and_wait_metrics_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with(dir.path(), "");
    let base = dir.path().join("base");
    let saved = check(
        &["--save-baseline", base.to_str().unwrap(), "-r", "4", "-q", "--no-charts"],
        &scenario,
        &dir.path().join("o0"),
    );
    assert_eq!(saved.status.code(), Some(0));
    let out = check(
        &["--baseline", base.to_str().unwrap(), "-r", "4", "-q", "--no-charts"],
        &scenario,
        &dir.path().join("o1"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rows = check_rows(&dir.path().join("o1"));
    for metric in ccsim::metrics::gates::DEFAULT_REGRESSION_METRICS {
        assert!(
            rows.iter().any(|r| &r[0] == "regression" && &r[1] == "all" && &r[3] == metric.name()),
            "no regression gate on {}",
            metric.name()
        );
    }
    // Counts move whenever routing moves volume: not tested unless asked for.
    assert!(!rows.iter().any(|r| &r[0] == "regression" && ["offered", "answered", "abandoned"].contains(&&r[3])));
    // Occupancy regresses upwards; the limits are numbers.
    let occupancy = rows.iter().find(|r| &r[0] == "regression" && &r[1] == "all" && &r[3] == "occupancy").unwrap();
    let (max, baseline): (f64, f64) = (occupancy[9].parse().unwrap(), occupancy[10].parse().unwrap());
    assert!(occupancy[8].is_empty() && max > baseline, "{occupancy:?}");

    // --metrics and --scopes choose what is tested.
    let chosen = check(
        &[
            "--baseline",
            base.to_str().unwrap(),
            "-r",
            "4",
            "-q",
            "--no-charts",
            "--metrics",
            "answered,asa_s",
            "--scopes",
            "queue,channel.sms",
        ],
        &scenario,
        &dir.path().join("o2"),
    );
    assert_eq!(chosen.status.code(), Some(0), "{}", text(&chosen));
    let tested: std::collections::BTreeSet<(String, String, String)> = check_rows(&dir.path().join("o2"))
        .iter()
        .filter(|r| &r[0] == "regression")
        .map(|r| (r[1].to_string(), r[2].to_string(), r[3].to_string()))
        .collect();
    let expected: std::collections::BTreeSet<(String, String, String)> = ["vip", "technical", "general"]
        .iter()
        .map(|q| ("queue", *q))
        .chain([("channel", "sms")])
        .flat_map(|(kind, name)| ["answered", "asa_s"].map(|m| (kind.to_string(), name.to_string(), m.to_string())))
        .collect();
    assert_eq!(tested, expected);
    let bad = check(&["--baseline", base.to_str().unwrap(), "--metrics", "speed"], &scenario, &dir.path().join("o3"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("--metrics speed: unknown metric \"speed\""), "{}", text(&bad));
}

#[test]
fn the_tolerance_decides_how_much_worse_is_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with(dir.path(), "");
    let base = dir.path().join("base");
    let saved = check(
        &["--save-baseline", base.to_str().unwrap(), "-r", "5", "-q", "--no-charts"],
        &scenario,
        &dir.path().join("o"),
    );
    assert_eq!(saved.status.code(), Some(0));
    let worse = |tolerance: &str| {
        check(
            &["--baseline", base.to_str().unwrap(), "-r", "5", "--set", "agent_group.generalists.count=7"]
                .into_iter()
                .chain(["--tolerance", tolerance, "-q", "--no-charts"])
                .collect::<Vec<_>>(),
            &scenario,
            &dir.path().join("o"),
        )
    };
    assert_eq!(worse("0.05").status.code(), Some(1));
    let lenient = worse("100000%");
    assert_eq!(lenient.status.code(), Some(0), "nothing got 1000 times worse: {}", text(&lenient));
    let rows = check_rows(&dir.path().join("o"));
    let asa = rows.iter().find(|r| &r[0] == "regression" && &r[1] == "all" && &r[3] == "asa_s").unwrap();
    let (max, baseline): (f64, f64) = (asa[9].parse().unwrap(), asa[10].parse().unwrap());
    assert!((max / baseline - 1001.0).abs() < 1e-9, "the limit is the tolerance's: {asa:?}");
    assert_eq!(worse("-0.1").status.code(), Some(2));
    // A tolerance above 1 is a percent written as one, never a slip for 5%.
    let slip = worse("5");
    assert_eq!(slip.status.code(), Some(2));
    assert!(text(&slip).contains("500% worse") && text(&slip).contains("5%"), "{}", text(&slip));
    assert_eq!(worse("5%").status.code(), Some(1), "5% is 0.05");
}

#[test]
fn a_regression_is_found_without_pairing_too() {
    // Another seed: the replications do not pair, and the Welch test must still see two fewer agents.
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with(dir.path(), "");
    let base = dir.path().join("base");
    let saved =
        check(&["--save-baseline", base.to_str().unwrap(), "-q", "--no-charts"], &scenario, &dir.path().join("o"));
    assert_eq!(saved.status.code(), Some(0));
    let out = check(
        &[
            "--baseline",
            base.to_str().unwrap(),
            "--seed",
            "7",
            "--set",
            "agent_group.generalists.count=6",
            "--no-charts",
        ],
        &scenario,
        &dir.path().join("o"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("unpaired: different seed or replications"), "{}", text(&out));
    let rows = check_rows(&dir.path().join("o"));
    let sl = rows.iter().find(|r| &r[0] == "regression" && &r[1] == "all" && &r[3] == "service_level").unwrap();
    assert_eq!(&sl[12], "fail", "{sl:?}");
}

#[test]
fn a_gate_on_the_confidence_bound_is_stricter_than_on_the_mean() {
    // A minimum between the lower 95% bound and the mean: the mean meets it, the bound does not.
    let dir = tempfile::tempdir().unwrap();
    let probe = scenario_with(dir.path(), "[[check]]\nmetric = \"service_level\"\nmin = 0");
    let out = check(&["-r", "5", "-q", "--no-charts"], &probe, &dir.path().join("o"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let row = check_rows(&dir.path().join("o")).remove(0);
    let (mean, low): (f64, f64) = (row[5].parse().unwrap(), row[6].parse().unwrap());
    assert!(low < mean, "{row:?}");
    let min = (mean + low) / 2.0;
    for (on, code) in [("mean", 0), ("ci", 1)] {
        let gate = format!("[[check]]\nmetric = \"service_level\"\nmin = {min}\non = \"{on}\"");
        let out = check(&["-r", "5", "-q", "--no-charts"], &scenario_with(dir.path(), &gate), &dir.path().join("o"));
        assert_eq!(out.status.code(), Some(code), "on = {on}: {}", text(&out));
        let row = check_rows(&dir.path().join("o")).remove(0);
        let judged: f64 = row[5].parse().unwrap();
        assert_eq!(judged, if on == "mean" { mean } else { low }, "the value judged: {row:?}");
    }
    // And a maximum is held to the upper bound.
    let gate = format!("[[check]]\nmetric = \"service_level\"\nmax = {}\non = \"ci\"", mean + 1e-9);
    let out = check(&["-r", "5", "-q", "--no-charts"], &scenario_with(dir.path(), &gate), &dir.path().join("o"));
    assert_eq!(out.status.code(), Some(1), "the upper bound is above the mean: {}", text(&out));
}

#[test]
fn holm_corrects_the_p_values_across_the_metrics_tested() {
    use ccsim::experiment::{self, Settings};
    use ccsim::metrics::Metric;
    use ccsim::metrics::gates::{BaselineSeries, Floors, RegressionRules, Verdict, regressions};
    use ccsim::scenario::{Override, ScenarioSource};

    let overrides: Vec<Override> = ["simulation.replications=10"].iter().map(|s| s.parse().unwrap()).collect();
    let scenario = ScenarioSource::default_scenario().with_overrides(&overrides).unwrap();
    let results = experiment::run_replications(&scenario, &Settings::default(), &|_| {});
    let all = &results.scopes[0];
    let values = |m: Metric| -> Vec<f64> {
        (0..results.replications.len()).map(|r| results.replication_value(r, all, m).number()).collect()
    };
    // A baseline whose ASA is lower by about 2.2 standard errors of a Welch difference: one-sided
    // p ≈ 0.02 on its own.
    let asa = values(Metric::AsaS);
    let n = asa.len() as f64;
    let mean = asa.iter().sum::<f64>() / n;
    let sd = (asa.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let shift = 2.2 * sd * (2.0 / n).sqrt();
    let lower: Vec<f64> = asa.iter().map(|x| x - shift).collect();
    let series = |metric: Metric, values: Vec<f64>| BaselineSeries { scope: all.kind, name: "all", metric, values };

    // The tolerance alone, every metric: the test as it is, without a floor.
    let rules = RegressionRules { metrics: Metric::ALL.to_vec(), floors: Floors::NONE, ..RegressionRules::new(0.0) };
    let alone = regressions(&results, &[series(Metric::AsaS, lower.clone())], false, &rules);
    let p_alone = alone[0].p_value.unwrap();
    assert!(p_alone > 0.005 && p_alone < 0.05, "p = {p_alone}");
    assert_eq!(alone[0].verdict, Verdict::Fail);

    // With four unchanged metrics beside it, the smallest p is multiplied by 5: no longer significant.
    let mut family = vec![series(Metric::AsaS, lower)];
    for m in [Metric::WaitP90S, Metric::WaitP95S, Metric::Abandoned, Metric::AvgQueueLen] {
        family.push(series(m, values(m)));
    }
    let gates = regressions(&results, &family, false, &rules);
    assert_eq!(gates.len(), 5);
    let asa_gate = gates.iter().find(|g| g.metric == Metric::AsaS).unwrap();
    assert!((asa_gate.p_value.unwrap() - 5.0 * p_alone).abs() < 1e-12, "{:?}", asa_gate.p_value);
    assert_eq!(asa_gate.verdict, Verdict::Pass);
}

#[test]
fn a_gate_on_the_confidence_bound_with_one_replication_is_invalid_input() {
    // One replication has no spread: `on = "ci"` cannot be judged, and must not pass as "no data".
    let dir = tempfile::tempdir().unwrap();
    let gate = "[[check]]\nmetric = \"service_level\"\nmin = 0.5\non = \"ci\"\n";
    let scenario = scenario_with(dir.path(), gate);
    let out = check(&["-r", "1", "-q"], &scenario, &dir.path().join("out"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let message = text(&out);
    let (line, _) = crate::common::position_in(&fs::read_to_string(&scenario).unwrap(), "metric = \"service_level\"");
    assert!(message.starts_with(&format!("error: {}: at line {line}, column", scenario.display())), "{message}");
    assert!(message.contains("check[0].on") && message.contains("at least 2 replications"), "{message}");
    assert!(!dir.path().join("out").exists(), "nothing is written");
    // With the mean it is judged.
    let mean = scenario_with(dir.path(), &gate.replace("on = \"ci\"", "on = \"mean\""));
    assert_eq!(check(&["-r", "1", "-q"], &mean, &dir.path().join("out")).status.code(), Some(0));
}

#[test]
fn a_baseline_that_is_not_a_regular_file_or_holds_impossible_values_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with(dir.path(), "");
    let base = dir.path().join("base");
    let out = ccsim().args(["run", "-r", "3", "--no-charts", "-q", "-o"]).arg(&base).arg(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let good = fs::read_to_string(base.join("replications.csv")).unwrap();

    // `/dev/zero` would be read for ever, a named pipe would block: refused before opening.
    let special = dir.path().join("special");
    fs::create_dir(&special).unwrap();
    std::os::unix::fs::symlink("/dev/zero", special.join("replications.csv")).unwrap();
    let fifo = dir.path().join("fifo");
    fs::create_dir(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo").arg(fifo.join("replications.csv")).status().unwrap();
    assert!(made.success());
    for (folder, says) in [(&special, "character device"), (&fifo, "named pipe")] {
        let out = check(&["--baseline", folder.to_str().unwrap(), "-q"], &scenario, &dir.path().join("out"));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(says) && text(&out).contains("not a regular file"), "{}", text(&out));
    }

    // A value no run can write names the file, the line and the metric.
    for (value, name) in [("-1e300", "huge negative"), ("inf", "infinite"), ("1e300", "huge")] {
        let bad = dir.path().join(format!("bad-{}", name.replace(' ', "-")));
        fs::create_dir_all(&bad).unwrap();
        let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let asa = header.iter().position(|h| *h == "asa_s").unwrap();
        let mut fields: Vec<String> = lines[2].split(',').map(str::to_string).collect();
        fields[asa] = value.to_string();
        lines[2] = fields.join(",");
        fs::write(bad.join("replications.csv"), lines.join("\n") + "\n").unwrap();
        let out = check(&["--baseline", bad.to_str().unwrap(), "-q"], &scenario, &dir.path().join("out"));
        assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out));
        let message = text(&out);
        assert!(!message.contains("panicked"), "{message}");
        assert!(message.contains("replications.csv: line 3: asa_s") && message.contains("expected"), "{message}");
    }
}

#[test]
fn a_check_never_writes_into_the_baseline_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("center.toml"), ccsim::scenario::DEFAULT_SCENARIO).unwrap();
    let in_dir = |args: &[&str]| ccsim().current_dir(dir.path()).args(args).output().unwrap();
    let run = in_dir(&["run", "center.toml", "-r", "2", "--no-charts", "-q"]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let baseline = dir.path().join("output/default");
    let before = files_under(&baseline);

    // Without -o, a check writes beside the run's folder, not into it.
    let checked = in_dir(&["check", "center.toml", "--baseline", "output/default", "-r", "2", "--no-charts", "-q"]);
    assert_eq!(checked.status.code(), Some(0), "{}", String::from_utf8_lossy(&checked.stderr));
    assert!(dir.path().join("output/default-check/check.csv").exists());
    assert_eq!(files_under(&baseline), before, "the baseline folder was written");

    // Into the baseline, inside it, or through another spelling of it: refused before anything runs.
    for args in [
        &["-o", "output/default"][..],
        &["-o", "output/default/later"],
        &["-o", "output/../output/default/"],
        &["--save-baseline", "output/default"],
    ] {
        let refused =
            in_dir(&[&["check", "center.toml", "--baseline", "output/default", "-r", "2", "-q"][..], args].concat());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(args[0]) && stderr.contains("inside the baseline folder output/default"), "{stderr}");
        assert_eq!(files_under(&baseline), before, "{args:?} wrote into the baseline");
    }
    assert!(!dir.path().join("output/default/later").exists());
}

#[test]
fn interval_gates_are_summarised_and_failures_listed() {
    let dir = tempfile::tempdir().unwrap();
    let gate = "[[check]]\nmetric = \"abandon_rate\"\nmax = 0.2\nevery_interval = true\n";
    let scenario = scenario_with(dir.path(), gate);
    let out = check(&["-r", "3", "--no-charts"], &scenario, &dir.path().join("o"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    // One line for the 24 intervals: those with arrivals pass, the night has no data.
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains("abandon_rate")).collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].contains("24 intervals: 14 pass, 10 no data; worst"), "{stdout}");
    let only = check(&["-r", "3", "--no-charts", "--only-failures"], &scenario, &dir.path().join("o"));
    assert!(String::from_utf8_lossy(&only.stdout).contains("every gate holds"), "{}", text(&only));

    // Five agents fewer: the failing intervals one by one, then the rest counted.
    let failing = ["-r", "3", "--no-charts", "--set", "agent_group.generalists.count=3", "--only-failures"];
    let out = check(&failing, &scenario, &dir.path().join("o"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let failed: Vec<&str> = stdout.lines().filter(|l| l.contains("FAIL")).collect();
    assert!(failed.len() > 3, "{stdout}");
    assert!(failed.iter().all(|l| l.contains("abandon_rate")), "{stdout}");
    assert!(!stdout.contains(" pass "), "only failures: {stdout}");
}

#[test]
fn junit_reports_every_gate_as_a_test_case() {
    let dir = tempfile::tempdir().unwrap();
    let gate = "[[check]]\nmetric = \"abandon_rate\"\nmax = 0.05\nevery_interval = true\n\n[[check]]\nmetric = \"asa_s\"\nmax = \"30s\"\n";
    let scenario = scenario_with(dir.path(), gate);
    let junit = dir.path().join("reports/junit.xml");
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    let args = [
        "-r",
        "3",
        "--no-charts",
        "-q",
        "--set",
        "agent_group.generalists.count=5",
        "--junit",
        junit.to_str().unwrap(),
    ];
    let out = check(&args, &scenario, &dir.path().join("o"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let xml = fs::read_to_string(&junit).unwrap();
    let rows = check_rows(&dir.path().join("o"));
    let count = |verdict: &str| rows.iter().filter(|r| &r[12] == verdict).count();
    assert!(count("fail") > 0 && count("no data") > 0);
    assert!(xml.starts_with("<?xml"), "{xml}");
    let suite = format!(
        "<testsuite name=\"ccsim check default\" tests=\"{}\" skipped=\"{}\" errors=\"0\" failures=\"{}\">",
        rows.len(),
        count("no data"),
        count("fail")
    );
    assert!(xml.contains(&suite), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), rows.len());
    assert_eq!(xml.matches("<skipped").count(), count("no data"));
    assert!(xml.contains("name=\"assertion all all asa_s\""), "{xml}");
    // The same run writes the same bytes.
    check(&args, &scenario, &dir.path().join("o"));
    assert_eq!(fs::read_to_string(&junit).unwrap(), xml);
}

#[test]
fn a_change_below_the_absolute_floor_is_no_regression() {
    use ccsim::experiment::{self, Settings};
    use ccsim::metrics::Metric;
    use ccsim::metrics::gates::{BaselineSeries, Floors, RegressionRules, Verdict, regressions};
    use ccsim::scenario::ScenarioSource;

    let results = experiment::run_replications(
        &ScenarioSource::default_scenario().scenario().unwrap(),
        &Settings::default(),
        &|_| {},
    );
    let all = &results.scopes[0];
    // A baseline whose abandon rate is lower by 0.07 points in every replication, exactly.
    let lower: Vec<f64> = (0..results.replications.len())
        .map(|r| results.replication_value(r, all, Metric::AbandonRate).number() - 0.0007)
        .collect();
    let series = [BaselineSeries { scope: all.kind, name: "all", metric: Metric::AbandonRate, values: lower }];
    let rules = RegressionRules::new(0.05);
    let without_floor = RegressionRules { floors: Floors::NONE, ..rules.clone() };
    // 5% of a rate near 0.03 is 0.0015: the tolerance alone lets 0.0007 through too; at 0 it fails.
    let strict = RegressionRules { tolerance: 0.0, ..without_floor };
    assert_eq!(regressions(&results, &series, true, &strict)[0].verdict, Verdict::Fail);
    let floored = RegressionRules { tolerance: 0.0, ..rules };
    let gate = &regressions(&results, &series, true, &floored)[0];
    assert_eq!(gate.verdict, Verdict::Pass, "{gate:?}");
    assert!(gate.limit.contains("0.5 pp (the floor of 0%)"), "{}", gate.limit);
}
