//! The command line end to end: files written, their columns, determinism, and `ccsim erlang`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

use crate::common::ROSTER;

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

fn run_default(dir: &Path, extra: &[&str]) -> String {
    let out = ccsim().arg("run").arg("-o").arg(dir).args(extra).output().unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn run_without_a_scenario_simulates_the_default_and_writes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = run_default(dir.path(), &["-r", "3"]);
    assert!(stdout.contains("service level"), "{stdout}");
    assert!(stdout.contains("wrote 6 files to"), "{stdout}");
    assert!(dir.path().join("report.html").exists());
    assert!(read(dir.path(), "run.toml").contains("seed = \"20261124\""));
    assert!(!dir.path().join("conversations.csv").exists(), "no trace unless asked for");

    let summary = read(dir.path(), "summary.csv");
    let mut lines = summary.lines();
    assert_eq!(lines.next(), Some("scope,name,metric,mean,ci95_low,ci95_high,std_dev,replications"));
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 8, "{line}");
        assert!(["all", "channel", "work_stream", "queue", "agent_group"].contains(&fields[0]), "{line}");
        for number in &fields[3..] {
            assert!(number.parse::<f64>().is_ok(), "not a number in {line}");
        }
    }
    assert!(summary.contains("all,all,service_level,"));
    assert!(summary.contains("agent_group,generalists,occupancy,"));
    assert!(!summary.contains("agent_group,generalists,offered,"));

    let intervals = read(dir.path(), "intervals.csv");
    assert_eq!(
        intervals.lines().next(),
        Some(
            "interval_start,interval_end,scope,name,offered,answered,abandoned,auto_closed,asa_s,wait_p90_s,service_level,abandon_rate,avg_queue_len,occupancy,offers,rejects,timeouts,waits,reopened,p_wait,wait_p50_s,wait_p95_s,utilization,staffed_agents,overflowed,ended_by_overflow,transfers,transfer_wait_s,bot_contained,bot_escalated,bot_time_s,callbacks,voicemails"
        )
    );
    // 24 hourly intervals × 10 scopes (all, 2 channels, 2 work streams, 3 queues, 2 groups).
    assert_eq!(intervals.lines().count(), 1 + 24 * 10);
    assert!(intervals.contains("\n23:00,d2 00:00,all,all,"));

    let replications = read(dir.path(), "replications.csv");
    assert!(replications.starts_with("replication,scope,name,offered,answered,"));
    assert_eq!(replications.lines().count(), 1 + 3 * 10);
}

#[test]
fn one_replication_has_nan_intervals() {
    let dir = tempfile::tempdir().unwrap();
    run_default(dir.path(), &["-r", "1", "--quiet"]);
    let summary = read(dir.path(), "summary.csv");
    let offered = summary.lines().find(|l| l.starts_with("all,all,offered,")).unwrap();
    assert!(offered.ends_with(",NaN,NaN,NaN,1"), "{offered}");
}

#[test]
fn the_same_seed_gives_the_same_bytes_whatever_the_thread_count() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_default(a.path(), &["-r", "6", "--threads", "1", "--quiet", "--trace"]);
    run_default(b.path(), &["-r", "6", "--threads", "2", "--quiet", "--trace"]);
    run_default(c.path(), &["-r", "6", "--threads", "2", "--quiet", "--trace", "--seed", "7"]);
    for name in ["summary.csv", "intervals.csv", "replications.csv", "agents.csv", "conversations.csv"] {
        assert_eq!(read(a.path(), name), read(b.path(), name), "{name}");
        assert_ne!(read(a.path(), name), read(c.path(), name), "{name} ignores the seed");
    }
}

#[test]
fn agents_and_conversations_files_have_their_documented_columns() {
    let dir = tempfile::tempdir().unwrap();
    run_default(dir.path(), &["-r", "2", "--trace", "--quiet"]);
    let agents = read(dir.path(), "agents.csv");
    let mut lines = agents.lines();
    assert_eq!(
        lines.next(),
        Some(
            "scope,name,staffed_hours,occupancy,utilization,available,busy,busy_dnd,away,offline,on_duty_hours,cost,fte"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3, "all and the two agent groups: {rows:?}");
    for (row, start) in rows.iter().zip(["all,all,", "agent_group,generalists,", "agent_group,specialists,"]) {
        assert!(row.starts_with(start), "{row}");
        let fields: Vec<f64> = row.split(',').skip(5).map(|x| x.parse().unwrap()).collect();
        assert_eq!(fields.len(), 8, "{row}");
        let shares = &fields[..5];
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9, "presence shares of {row} do not add up to 1");
    }

    let conversations = read(dir.path(), "conversations.csv");
    assert_eq!(
        conversations.lines().next(),
        Some(
            "conversation,arrival,arrival_s,channel,work_stream,queue,context,agent,queued,first_accept_s,first_wait_s,open_s,offered_s,active_s,waiting_s,wrap_up_s,closed_s,outcome"
        )
    );
    assert!(conversations.lines().skip(1).all(|l| l.split(',').count() == 18), "a row without 18 fields");
}

#[test]
fn quiet_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim().args(["run", "-r", "2", "--quiet", "-o"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn validate_accepts_every_example_scenario() {
    for entry in fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let out = ccsim().arg("validate").arg(&path).output().unwrap();
        assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains(": ok"));
    }
}

#[test]
fn erlang_reproduces_the_published_figures() {
    let out = ccsim()
        .args(["erlang", "--rate", "200", "--aht", "180", "--agents", "14", "--threshold", "20s"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.contains("Erlang C"), "{text}");
    assert!(text.contains("P(wait)        0.174132"), "{text}");
    assert!(text.contains("service level  0.888350"), "{text}");
    assert!(text.contains("ASA            7.8359 s"), "{text}");

    let out = ccsim()
        .args(["erlang", "--rate", "200", "--aht", "3m", "--agents", "14", "--patience", "5m"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Erlang A"), "{text}");
    assert!(text.contains("P(abandon)     0.013984"), "{text}");
    assert!(text.contains("P(wait)        0.145260"), "{text}");
    assert!(text.contains("service level  0.916792"), "{text}");
}

#[test]
fn erlang_treats_concurrency_as_more_servers() {
    let a = ccsim()
        .args(["erlang", "--rate", "250", "--aht", "180", "--agents", "5", "--concurrency", "3"])
        .output()
        .unwrap();
    let b = ccsim().args(["erlang", "--rate", "250", "--aht", "180", "--agents", "15"]).output().unwrap();
    let tail =
        |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(tail(&a), tail(&b));
}

#[test]
fn an_unstable_erlang_c_is_invalid_input() {
    let out = ccsim().args(["erlang", "--rate", "400", "--aht", "180", "--agents", "14"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
}

#[test]
fn trace_writes_one_row_per_conversation_whose_states_add_up() {
    let dir = tempfile::tempdir().unwrap();
    run_default(dir.path(), &["-r", "1", "--trace", "--quiet"]);
    let summary = read(dir.path(), "summary.csv");
    let mean = |metric: &str| -> f64 {
        let line = summary.lines().find(|l| l.starts_with(&format!("all,all,{metric},"))).unwrap();
        line.split(',').nth(3).unwrap().parse().unwrap()
    };
    let text = read(dir.path(), "conversations.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() as f64, mean("offered") + mean("short_abandoned"), "the default scenario has no warm-up");
    let count = |outcome: &str| rows.iter().filter(|r| &r[col("outcome")] == outcome).count() as f64;
    for outcome in ["completed", "abandoned", "auto_closed", "in_system"] {
        assert_eq!(count(outcome), mean(outcome), "{outcome}");
    }
    for r in &rows {
        let num = |name: &str| r[col(name)].parse::<f64>().unwrap();
        if r[col("outcome")].is_empty() || &r[col("outcome")] == "in_system" {
            continue;
        }
        let states = num("open_s") + num("offered_s") + num("active_s") + num("waiting_s") + num("wrap_up_s");
        let lifetime = num("closed_s") - num("arrival_s");
        assert!((states - lifetime).abs() < 1e-6, "{states} vs {lifetime} in {r:?}");
        if &r[col("outcome")] == "completed" {
            assert!(r[col("agent")].contains('#'), "{r:?}");
            assert!((num("first_wait_s") - (num("first_accept_s") - num("arrival_s"))).abs() < 1e-9);
        }
    }
}

#[test]
fn validate_takes_overrides_and_counts_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.toml");
    // One channel, one work stream, one queue, one group; a horizon too long without the override.
    let text = crate::common::Center::new("voice", 60.0, "\"3m\"", 3).simulation("horizon = \"5000d\"").toml();
    fs::write(&path, text).unwrap();
    let refused = ccsim().arg("validate").arg(&path).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));
    let out = ccsim().arg("validate").arg(&path).args(["--set", "simulation.horizon=7d"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ok (1 channel, 1 work stream, 1 queue, 1 agent group)"), "{stdout}");
}

#[test]
fn warnings_are_said_on_stderr_and_kept_in_run_toml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.toml");
    let text =
        ccsim::scenario::DEFAULT_SCENARIO.replacen("when = { tier = \"gold\" }", "when = { tier = \"Gold\" }", 1);
    fs::write(&path, text).unwrap();
    let out = ccsim()
        .arg("run")
        .arg(&path)
        .args(["-r", "2", "--no-charts", "-o"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said = "at line 43, column 17: work_stream.chat.routing_rule.gold customers.when.tier: \"Gold\" is a value no channel generates";
    assert!(stderr.contains(&format!("warning: {}: {said}", path.display())), "{stderr}");
    let record = read(&dir.path().join("out"), "run.toml");
    assert!(record.contains(said) && !record.contains(&path.display().to_string()), "{record}");
}

#[test]
fn agents_csv_gives_hours_on_duty_their_cost_and_full_time_equivalents() {
    // 10 agents on duty 08:00–16:00 for 2 days, an hour of it on an away break; 20 an hour.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cost.toml");
    let group = "shift = { start = \"08:00\", end = \"16:00\" }\nbreaks = [ { start = \"12:00\", duration = \"1h\" } ]\ncost_per_hour = 20";
    let text = crate::common::Center::new("voice", 60.0, "\"3m\"", 10)
        .simulation("horizon = \"2d\"\nreplications = 2")
        .agents(10, 1, group)
        .toml();
    fs::write(&path, text).unwrap();
    let out =
        ccsim().arg("run").arg(&path).args(["--no-charts", "-q", "-o"]).arg(dir.path().join("out")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let agents = read(&dir.path().join("out"), "agents.csv");
    let header: Vec<&str> = agents.lines().next().unwrap().split(',').collect();
    let column = |row: &str, name: &str| -> f64 {
        let at = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
        row.split(',').nth(at).unwrap().parse().unwrap()
    };
    for row in agents.lines().skip(1) {
        // On duty whatever they do; staffed outside the break, and while finishing a call past it
        // or past the shift's end (a few minutes a day).
        assert_eq!(column(row, "on_duty_hours"), 160.0, "{row}");
        assert_eq!(column(row, "cost"), 3200.0, "{row}");
        let staffed = column(row, "staffed_hours");
        assert!((140.0..141.0).contains(&staffed), "{row}");
        assert_eq!(column(row, "fte"), staffed / 16.0, "{row}");
    }

    // intervals.csv: the staffed agents of each agent scope, hour by hour.
    let intervals = read(&dir.path().join("out"), "intervals.csv");
    let header: Vec<&str> = intervals.lines().next().unwrap().split(',').collect();
    assert!(intervals.starts_with("interval_start,interval_end,scope,name,offered,answered,abandoned,auto_closed,asa_s,wait_p90_s,service_level,abandon_rate,avg_queue_len,occupancy,offers,rejects,timeouts,waits,reopened,p_wait,wait_p50_s,wait_p95_s,utilization,staffed_agents,overflowed,ended_by_overflow,transfers,transfer_wait_s,bot_contained,bot_escalated,bot_time_s,callbacks,voicemails\n"));
    let staffed = |start: &str| -> f64 {
        let row = intervals
            .lines()
            .find(|l| l.starts_with(&format!("{start},")) && l.contains(",agent_group,agents,"))
            .unwrap();
        row.split(',').nth(header.iter().position(|h| *h == "staffed_agents").unwrap()).unwrap().parse().unwrap()
    };
    assert_eq!((staffed("07:00"), staffed("09:00"), staffed("d2 15:00")), (0.0, 10.0, 10.0));
    // On the break only those finishing a call are staffed, for its first minutes.
    assert!(staffed("12:00") < 0.5, "{}", staffed("12:00"));
}

#[test]
fn the_header_and_the_table_round_the_offered_count_alike() {
    let dir = tempfile::tempdir().unwrap();
    // Means of 1824.5 and 1864.5: halves, which rounding away from zero and to even tell apart.
    for seed in ["3", "8"] {
        let stdout = run_default(dir.path(), &["-r", "2", "--seed", seed, "--no-charts"]);
        let header: &str = stdout.lines().next().unwrap();
        let said = header.split(", ").last().unwrap().split(' ').next().unwrap();
        let row = stdout.lines().find(|l| l.contains("│ all ")).unwrap();
        let shown = row.split_whitespace().nth(2).unwrap();
        assert_eq!(said, shown, "{header}\n{row}");
    }
}

#[test]
fn erlang_finds_the_fewest_agents_that_meet_a_target() {
    let line = |args: &[&str]| -> (Option<i32>, String) {
        let out = ccsim().args(["erlang", "--rate", "200", "--aht", "3m"]).args(args).output().unwrap();
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let (code, text) = line(&["--target-sl", "0.8"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.starts_with("fewest agents that meet --target-sl 0.8: 14\n") && text.contains("(14 agents × 1)"),
        "{text}"
    );
    // 13 agents do not: the answer is the first that does.
    let (_, thirteen) = line(&["--agents", "13"]);
    let sl = |t: &str| -> f64 {
        t.lines().find(|l| l.contains("service level")).unwrap().split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    assert!(sl(&thirteen) < 0.8 && sl(&text) >= 0.8);
    let (code, text) = line(&["--target-asa", "30s"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.starts_with("fewest agents that meet --target-asa 30s: 13\n"), "{text}");
    let (code, text) = line(&["--target-abandon", "0.03", "--patience", "2m"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Erlang A"), "{text}");
    for bad in
        [&["--target-sl", "1.2"][..], &["--target-abandon", "0.03"], &["--agents", "14", "--target-sl", "0.8"], &[]]
    {
        let (code, text) = line(bad);
        assert_eq!(code, Some(2), "{bad:?}: {text}");
    }
}

#[test]
fn every_command_shows_an_example_in_its_help() {
    for command in [
        "run",
        "validate",
        "compare",
        "sweep",
        "check",
        "staff",
        "schedule",
        "erlang",
        "fit",
        "merge",
        "init",
        "completions",
        "manpage",
        "schema",
    ] {
        let out = Command::cargo_bin("ccsim").unwrap().args([command, "--help"]).output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success() && help.contains("Example:\n  ccsim "), "{command}: {help}");
    }
}

#[test]
fn completions_and_the_manual_page_name_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = Command::cargo_bin("ccsim").unwrap().args(["completions", shell]).output().unwrap();
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{shell}");
        for word in ["schedule", "merge", "shard", "no-report"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    let out = Command::cargo_bin("ccsim").unwrap().arg("manpage").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success() && page.contains(".TH ccsim 1"), "{page}");
    for command in ["run", "compare", "sweep", "check", "staff", "schedule", "fit", "merge", "init"] {
        assert!(page.contains(&format!("\\fBccsim {command}\\fR")), "{command}");
    }
    assert!(page.contains("\\-\\-verify\\-replications"), "each command's options");
}

#[test]
fn init_writes_each_starter_that_validates_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    for template in [None, Some("small"), Some("async"), Some("blended")] {
        let file = dir.path().join(format!("{}.toml", template.unwrap_or("plain")));
        let mut init = Command::cargo_bin("ccsim").unwrap();
        init.arg("init");
        if let Some(t) = template {
            init.args(["--template", t]);
        }
        let out = init.arg(&file).output().unwrap();
        assert!(out.status.success(), "{template:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("# "), "{template:?}: commented");
        let out = Command::cargo_bin("ccsim").unwrap().arg("validate").arg(&file).output().unwrap();
        assert!(out.status.success(), "{template:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let existing = dir.path().join("small.toml");
    fs::write(&existing, "mine").unwrap();
    let out = Command::cargo_bin("ccsim").unwrap().arg("init").arg(&existing).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(fs::read_to_string(&existing).unwrap(), "mine");
}

#[test]
fn format_json_prints_one_document_with_the_numbers_of_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let gated = dir.path().join("gated.toml");
    fs::write(
        &gated,
        format!("{}\n[[check]]\nmetric = \"service_level\"\nmin = 0.99\n", ccsim::scenario::DEFAULT_SCENARIO),
    )
    .unwrap();
    let rostered = dir.path().join("rostered.toml");
    fs::write(&rostered, format!("{}{ROSTER}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    let (g, r) = (gated.to_str().unwrap(), rostered.to_str().unwrap());
    for (name, args, code, runs) in [
        ("run", vec!["run"], 0, 1),
        ("compare", vec!["compare", g, "--variant", "more:agent_group.generalists.count=9"], 0, 2),
        ("sweep", vec!["sweep", g, "--vary", "agent_group.generalists.count=6,8,10"], 0, 3),
        ("check", vec!["check", g], 1, 1),
        ("staff", vec!["staff", r], 0, 1),
        ("schedule", vec!["schedule", r], 0, 1),
    ] {
        let out_dir = dir.path().join(name);
        let out = Command::cargo_bin("ccsim")
            .unwrap()
            .args(&args)
            .args(["-r", "3", "--set", "simulation.horizon=12h", "--format", "json", "-o"])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        // Exactly one document: serde_json reads the whole of stdout as one value.
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_eq!(doc["command"], name);
        assert_eq!(doc["ccsim"], env!("CARGO_PKG_VERSION"));
        let all_runs = doc["runs"].as_array().unwrap();
        assert_eq!(all_runs.len(), runs, "{name}");
        // The first run's service level of scope all is summary.csv's, to the bit.
        let summary = match name {
            "compare" => out_dir.join("base"),
            "staff" | "schedule" => out_dir.join("verify"),
            "sweep" => out_dir.join("agent_group.generalists.count=6"),
            _ => out_dir.clone(),
        };
        let csv = fs::read_to_string(summary.join("summary.csv")).unwrap();
        let line = csv.lines().find(|l| l.starts_with("all,all,service_level,")).unwrap();
        let mean: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
        let row = all_runs[0]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["scope"] == "all" && m["metric"] == "service_level")
            .unwrap();
        assert_eq!(row["mean"].as_f64(), Some(mean), "{name}");
        match name {
            "compare" => assert!(doc["differences"].as_array().is_some_and(|d| !d.is_empty())),
            "sweep" => assert_eq!(all_runs[2]["point"][0], serde_json::json!(["agent_group.generalists.count", "10"])),
            "check" => assert_eq!(doc["passed"], false),
            "staff" | "schedule" => assert!(doc["gates"].as_array().is_some_and(|g| !g.is_empty())),
            _ => {}
        }
    }
}

#[test]
fn format_json_on_erlang_validate_and_fit() {
    let dir = tempfile::tempdir().unwrap();
    let ccsim = |args: &[&str]| Command::cargo_bin("ccsim").unwrap().args(args).output().unwrap();
    let json = |out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    };
    // erlang: the figures the text shows.
    let args = ["erlang", "--rate", "120", "--aht", "4m", "--target-sl", "0.8", "--threshold", "20s"];
    let text = String::from_utf8(ccsim(&args).stdout).unwrap();
    let doc = json(&ccsim(&[&args[..], &["--format", "json"]].concat()));
    assert!(text.contains(&format!("--target-sl 0.8: {}", doc["agents"])), "{text}");
    let sl = doc["figures"]["service_level"].as_f64().unwrap();
    assert!(text.contains(&format!("service level  {sl:.6}")), "{text}");
    // validate: one entry per file; a bad file is in the document and the exit code is 2.
    let out = ccsim(&["validate", "scenarios/default.toml", "nowhere.toml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_eq!(doc["files"][0]["ok"], true);
    assert_eq!(doc["files"][0]["queues"], 3);
    assert_eq!(doc["files"][1]["ok"], false);
    // fit: the rows of fit.csv.
    let run = dir.path().join("run");
    let out = ccsim(&["run", "-r", "1", "--trace", "--no-charts", "-q", "-o", run.to_str().unwrap()]);
    assert!(out.status.success());
    let fit = dir.path().join("fit");
    let history = run.join("conversations.csv");
    let out =
        ccsim(&["fit", history.to_str().unwrap(), "--no-charts", "--format", "json", "-o", fit.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = json(&out);
    let csv = fs::read_to_string(fit.join("fit.csv")).unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), csv.lines().count() - 1);
    let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(rows[0]["parameter"], first[2]);
    assert_eq!(rows[0]["estimate"].as_f64(), Some(first[3].parse::<f64>().unwrap()));
}
