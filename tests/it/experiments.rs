//! Experiments: overrides, paired comparisons on common random numbers, sweeps, determinism
//! across thread counts, and stopping cleanly on Ctrl-C.

use std::fs;
use std::path::Path;

use crate::common::files_under;
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

/// The default scenario with its `vip` queue moved after the others, and optionally an extra
/// queue that only this file has.
fn reordered_default(extra_queue: bool) -> String {
    let text = ccsim::scenario::DEFAULT_SCENARIO;
    let vip = "[[queue]]\nname = \"vip\"\npriority = 1\nassignment = \"highest_capacity\"\n\n";
    assert!(text.contains(vip), "the default scenario's vip queue");
    let mut moved = text.replacen(vip, "", 1);
    let extra = if extra_queue { "[[queue]]\nname = \"extra\"\npriority = 9\n\n" } else { "" };
    moved = moved.replacen("[[agent_group]]", &format!("{vip}{extra}[[agent_group]]"), 1);
    if extra_queue {
        let queues = "queues = [\"vip\", \"technical\", \"general\"]";
        assert!(moved.contains(queues), "an agent group serving every queue");
        moved = moved.replacen(queues, "queues = [\"vip\", \"technical\", \"general\", \"extra\"]", 1);
    }
    moved
}

fn compare_files(dir: &Path, b_text: &str) -> std::process::Output {
    fs::write(dir.join("a.toml"), ccsim::scenario::DEFAULT_SCENARIO).unwrap();
    fs::write(dir.join("b.toml"), b_text).unwrap();
    ccsim()
        .arg("compare")
        .arg(dir.join("a.toml"))
        .arg(dir.join("b.toml"))
        .args(["-r", "4", "--quiet", "--no-charts", "-o"])
        .arg(dir.join("out"))
        .output()
        .unwrap()
}

#[test]
fn compare_pairs_scopes_by_kind_and_name_not_by_their_place_in_the_file() {
    // The same tables in another order: the same center, so every difference is exactly 0.
    let dir = tempfile::tempdir().unwrap();
    let out = compare_files(dir.path(), &reordered_default(false));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let compare = fs::read_to_string(dir.path().join("out/compare.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(compare.as_bytes());
    let mut compared = 0;
    for record in reader.records() {
        let r = record.unwrap();
        if &r[3] != "b" {
            continue;
        }
        let diff: f64 = r[7].parse().unwrap();
        assert!(diff == 0.0 || diff.is_nan(), "{r:?}");
        assert_eq!(&r[10], "false", "{r:?}");
        compared += 1;
    }
    assert!(compared > 100, "{compared} rows of b");
    let vip_offered = |variant: &str| {
        compare.lines().find(|l| l.starts_with(&format!("queue,vip,offered,{variant},"))).unwrap().split(',').nth(4)
    };
    assert_eq!(vip_offered("a"), vip_offered("b"));
}

#[test]
fn a_scope_that_only_one_file_has_is_reported_without_a_difference() {
    let dir = tempfile::tempdir().unwrap();
    let out = compare_files(dir.path(), &reordered_default(true));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let compare = fs::read_to_string(dir.path().join("out/compare.csv")).unwrap();
    let extra: Vec<&str> = compare.lines().filter(|l| l.starts_with("queue,extra,")).collect();
    assert!(!extra.is_empty() && extra.iter().all(|l| l.contains(",b,")), "only b has the queue: {extra:?}");
    let offered = extra.iter().find(|l| l.starts_with("queue,extra,offered,b,")).unwrap();
    assert!(offered.ends_with(",NaN,NaN,NaN,false"), "no difference: {offered}");
    // The queues both have are still paired: nothing routes to the extra queue.
    let vip = compare.lines().find(|l| l.starts_with("queue,vip,offered,b,")).unwrap();
    assert!(vip.ends_with(",0,0,0,false"), "{vip}");
}

#[test]
fn compare_refuses_files_whose_channels_differ() {
    let text = ccsim::scenario::DEFAULT_SCENARIO;
    let renamed = text.replacen("name = \"sms\"", "name = \"text\"", 1);
    assert_ne!(renamed, text);
    let dir = tempfile::tempdir().unwrap();
    let out = compare_files(dir.path(), &renamed);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("common random numbers") && stderr.contains("\"sms\"") && stderr.contains("\"text\""));
    assert!(!dir.path().join("out").exists(), "nothing ran, nothing was written");

    // Another scenario altogether (other channels, other queues): refused, no panic.
    let out = ccsim()
        .args(["compare", &scenarios("default.toml"), &scenarios("async_messaging.toml"), "--seed", "3", "-r", "2"])
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("\"web_chat\"") && stderr.contains("\"whatsapp\""), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn compare_refuses_variant_names_that_share_a_folder_or_name_an_output_file() {
    let dir = tempfile::tempdir().unwrap();
    for (variants, expected) in [
        (vec!["compare.csv:agent_group.generalists.count=9"], "compare writes itself"),
        (vec!["charts:agent_group.generalists.count=9"], "compare writes itself"),
        (vec!["a/b:agent_group.generalists.count=9", "a_b:agent_group.generalists.count=7"], "share the output folder"),
        (vec!["Pick:work_stream.chat.mode=pick", "pick:work_stream.messaging.mode=pick"], "share the output folder"),
    ] {
        let mut cmd = ccsim();
        cmd.args(["compare", &scenarios("default.toml"), "-r", "2", "-o"]).arg(dir.path().join("out"));
        for v in &variants {
            cmd.args(["--variant", v]);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{variants:?}: {stderr}");
        assert!(stderr.contains(expected), "{variants:?}: {stderr}");
        assert!(!dir.path().join("out").exists(), "{variants:?}: refused before running");
    }
}

#[test]
fn sweep_points_whose_folder_names_collide_get_distinct_folders() {
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim()
        .args(["sweep", &scenarios("default.toml"), "--vary", "simulation.name=x/y,x_y,z"])
        .args(["-r", "2", "--no-charts", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for folder in ["simulation.name=x_y-p1", "simulation.name=x_y-p2", "simulation.name=z"] {
        let run = fs::read_to_string(dir.path().join(folder).join("run.toml")).unwrap();
        let name = run.lines().find(|l| l.starts_with("scenario")).unwrap().to_string();
        let expected = match folder {
            "simulation.name=x_y-p1" => "\"x/y\"",
            "simulation.name=x_y-p2" => "\"x_y\"",
            _ => "\"z\"",
        };
        assert!(name.ends_with(expected), "{folder}: {name}");
    }
    assert!(!dir.path().join("simulation.name=x_y").exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("point 1 in simulation.name=x_y-p1"));
}

#[test]
fn sweep_writes_the_same_bytes_on_one_and_two_threads() {
    // Six points of a grid with a decimal range, all points' replications in one workload: the
    // batches differ with the thread count, the files must not.
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, threads) in [(a.path(), "1"), (b.path(), "2")] {
        let out = ccsim()
            .args(["sweep", &scenarios("default.toml"), "--vary", "agent_group.generalists.count=7,9"])
            .args(["--vary", "agent_group.generalists.offer.accept=0.8..1/0.1", "-r", "3", "--trace"])
            .args(["--threads", threads, "-q", "-o"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let files = files_under(a.path());
    assert_eq!(files, files_under(b.path()));
    assert!(files.iter().any(|(name, _)| name.starts_with("charts/")), "sweep charts compared too");
    assert!(files.iter().any(|(name, _)| name.ends_with("conversations.csv")), "traces compared too");
    // Decimal ranges are rounded to their step: 0.9, not 0.9000000000000001.
    let mut accepts: Vec<String> = csv::Reader::from_path(a.path().join("sweep.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[2].to_string())
        .collect();
    accepts.dedup();
    assert_eq!(accepts, ["0.8", "0.9", "1", "0.8", "0.9", "1"]);
    assert!(a.path().join("agent_group.generalists.count=9,agent_group.generalists.offer.accept=0.9").is_dir());
    assert_eq!(files.iter().filter(|(name, _)| name.ends_with("/run.toml")).count(), 6);
}

#[test]
fn run_writes_every_file_identically_on_one_and_two_threads() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, threads) in [(a.path(), "1"), (b.path(), "2")] {
        let out =
            ccsim().args(["run", "-r", "5", "--trace", "--threads", threads, "-q", "-o"]).arg(dir).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let files = files_under(a.path());
    assert_eq!(files, files_under(b.path()));
    for name in ["summary.csv", "agents.csv", "run.toml", "conversations.csv", "charts/service_level.svg"] {
        assert!(files.iter().any(|(n, _)| n == name), "{name} compared too");
    }
}

#[test]
fn a_variant_value_may_hold_commas_inside_braces_and_its_errors_name_the_variant() {
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim()
        .args(["compare", "-r", "2", "--no-charts", "-q", "-o"])
        .arg(dir.path().join("late"))
        .arg(scenarios("default.toml"))
        .arg("--variant")
        .arg(r#"late:agent_group.specialists.shift={start="13:00",end="22:00"},agent_group.generalists.count=9"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Both overrides reached the variant: the specialists work 9 hours instead of 10, and there
    // are 9 generalists rather than 8.
    let staffed = |variant: &str, group: &str| -> f64 {
        let agents = std::fs::read_to_string(dir.path().join(format!("late/{variant}/agents.csv"))).unwrap();
        let row = agents.lines().find(|l| l.starts_with(&format!("agent_group,{group},"))).unwrap().to_string();
        row.split(',').nth(2).unwrap().parse().unwrap()
    };
    assert!((staffed("late", "specialists") / staffed("base", "specialists") - 0.9).abs() < 0.02);
    assert!(staffed("late", "generalists") > staffed("base", "generalists"));

    let bad = ccsim()
        .args(["compare", "-r", "2", "-q", "-o"])
        .arg(dir.path().join("bad"))
        .arg(scenarios("default.toml"))
        .args(["--variant", "late:agent_group.specialists.count=-1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--variant late:agent_group.specialists.count=-1") && !stderr.contains("--set"),
        "{stderr}"
    );
}

#[test]
fn a_clock_time_swept_bare_or_quoted_is_a_string_and_names_its_folder_without_quotes() {
    for values in ["07:00,09:00", r#""07:00","09:00""#] {
        let dir = tempfile::tempdir().unwrap();
        let out = ccsim()
            .args(["sweep", "-r", "2", "--no-charts", "-q", "-o"])
            .arg(dir.path())
            .arg(scenarios("default.toml"))
            .arg("--vary")
            .arg(format!("agent_group.specialists.shift.start={values}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{values}: {}", String::from_utf8_lossy(&out.stderr));
        for start in ["07:00", "09:00"] {
            let folder = dir.path().join(format!("agent_group.specialists.shift.start={start}"));
            assert!(folder.join("summary.csv").exists(), "{values}: no {}", folder.display());
        }
        let table = std::fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
        assert!(
            table.lines().nth(1).is_some_and(|row| row.starts_with("agent_group.specialists.shift.start=07:00,07:00,")),
            "{values}: {table}"
        );
    }
}

#[test]
fn overrides_may_make_a_file_valid_and_are_checked_with_it() {
    // A warm-up as long as the horizon is wrong: the file is valid only with the override.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two_hours.toml");
    std::fs::write(&path, ccsim::scenario::DEFAULT_SCENARIO.replacen("warmup = \"0s\"", "warmup = \"1d\"", 1)).unwrap();
    let run = |args: &[&str]| {
        let out = dir.path().join("out");
        ccsim().arg("run").arg(&path).args(["-r", "2", "--no-charts", "-q", "-o"]).arg(out).args(args).output().unwrap()
    };
    let alone = run(&[]);
    let stderr = String::from_utf8_lossy(&alone.stderr);
    assert_eq!(alone.status.code(), Some(2), "the file alone is invalid: {stderr}");
    assert!(
        stderr.contains("at line") && !stderr.contains("--set"),
        "the file's own error points at its line: {stderr}"
    );
    let with = run(&["--set", "simulation.warmup=2h"]);
    assert_eq!(with.status.code(), Some(0), "{}", String::from_utf8_lossy(&with.stderr));
    // An error the file has in the same place, the overrides left alone, is still the file's.
    let other = run(&["--set", "agent_group.generalists.count=9"]);
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert_eq!(other.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("at line") && !stderr.contains("--set"), "{stderr}");
}

#[test]
fn quoted_names_in_override_paths_address_their_table() {
    let vip_offered = |args: &[&str]| -> f64 {
        let dir = tempfile::tempdir().unwrap();
        let out =
            ccsim().args(["run", "-r", "2", "--no-charts", "-q", "-o"]).arg(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let summary = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
        let row = summary.lines().find(|l| l.starts_with("queue,vip,offered,")).unwrap().to_string();
        row.split(',').nth(3).unwrap().parse().unwrap()
    };
    // Gold chats, the only conversations routed to vip, go to the general queue instead.
    let moved = vip_offered(&["--set", r#"work_stream.chat.routing_rule."gold customers".queue=general"#]);
    let as_written = vip_offered(&[]);
    assert!(moved == 0.0 && as_written > 100.0, "vip offered {moved} with the override, {as_written} without");
}

#[test]
fn compare_prints_every_scope_and_differences_of_shares_in_points() {
    // Pick makes the chat work stream worse while `all` moves little: the scopes must show it.
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim()
        .args(["compare", "-r", "3", "--no-charts", "-o"])
        .arg(dir.path())
        .arg(scenarios("default.toml"))
        .args(["--variant", "pick:work_stream.chat.mode=pick"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for scope in ["channel web_chat", "work stream chat", "queue vip", "agent group specialists"] {
        assert!(stdout.contains(scope), "no {scope} in\n{stdout}");
    }
    let chat = stdout.lines().skip_while(|l| !l.contains("work stream chat")).nth(2).unwrap();
    assert!(chat.contains("pick − base") && chat.contains(" pp ± ") && chat.contains("* worse"), "{chat}");
    assert!(stdout.contains("percentage points (pp)"), "{stdout}");
}

#[test]
fn the_footer_names_each_queue_s_own_service_level_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thresholds.toml");
    let text = ccsim::scenario::DEFAULT_SCENARIO.replacen(
        "name = \"vip\"",
        "name = \"vip\"\nservice_level_threshold = \"20s\"",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let out = ccsim()
        .arg("run")
        .arg(&path)
        .args(["-r", "2", "--no-charts", "-o"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("service level: answered within its queue's threshold (vip 20s; 1m elsewhere)"),
        "{stdout}"
    );
}

#[test]
fn sweep_judges_every_point_by_the_scenario_s_gates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gated.toml");
    let gates = "\n[[check]]\nmetric = \"service_level\"\nmin = 0.8\n\n[[check]]\nmetric = \"abandon_rate\"\nmax = 0.1\nevery_interval = true\n";
    std::fs::write(&path, format!("{}{gates}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    let out = ccsim()
        .arg("sweep")
        .arg(&path)
        .args(["--vary", "agent_group.generalists.count=3,14", "-r", "3", "--no-charts", "-o"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = std::fs::read_to_string(dir.path().join("o/sweep.csv")).unwrap();
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    assert_eq!(&header[header.len() - 4..], ["check_1", "check_1_value", "check_2", "check_2_value"]);
    let all_row = |count: &str| -> Vec<String> {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("agent_group.generalists.count={count},{count},all,all,")))
            .unwrap();
        row.split(',').map(str::to_string).collect()
    };
    let (few, many) = (all_row("3"), all_row("14"));
    let n = header.len();
    // Three generalists fail both gates; fourteen pass them. The value of a per-interval gate is its
    // worst interval's, which is above the whole day's rate.
    assert_eq!((few[n - 4].as_str(), few[n - 2].as_str()), ("fail", "fail"), "{few:?}");
    assert_eq!((many[n - 4].as_str(), many[n - 2].as_str()), ("pass", "pass"), "{many:?}");
    let day_rate: f64 = few[header.iter().position(|h| *h == "abandon_rate").unwrap()].parse().unwrap();
    let worst: f64 = few[n - 1].parse().unwrap();
    assert!(worst > day_rate && worst > 0.1, "worst {worst}, day {day_rate}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("check 1") && stdout.contains("FAIL ") && stdout.contains("pass "), "{stdout}");
}
