//! `ccsim schedule` (DESIGN.md "Staffing"): shifts from templates that cover the requirement,
//! with staggered breaks, verified by simulation on a seed of their own; `rostered.toml` runs as it
//! is; bad input exits 2.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use ccsim::scenario::Scenario;
use ccsim::time::{DAY, SimTime};

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

/// Three templates for the default scenario's generalists: early and late 8-hour shifts with a
/// lunch between 3 and 6 hours in, and dearer 4-hour part-time shifts.
const TEMPLATES: &str = r#"
[[check]]
metric = "service_level"
min = 0.8
every_interval = true

[[shift_template]]
name = "early"
start = { from = "06:00", to = "10:00", every = "30m" }
length = "8h"
breaks = [{ window = ["3h", "6h"], duration = "30m" }]
group = "generalists"
capacity = 3
queues = ["vip", "technical", "general"]

[[shift_template]]
name = "late"
start = { from = "11:00", to = "14:00", every = "30m" }
length = "8h"
breaks = [{ window = ["3h", "6h"], duration = "30m" }]
group = "generalists"
capacity = 3
queues = ["vip", "technical", "general"]

[[shift_template]]
name = "part"
start = { from = "07:00", to = "18:00", every = "1h" }
length = "4h"
cost_per_hour = 1.2
group = "generalists"
capacity = 3
queues = ["vip", "technical", "general"]
"#;

/// Agents of the rostered groups working (on shift, not on a break) at `t` of the day.
fn working(rostered: &Scenario, t: f64) -> u32 {
    rostered
        .agent_groups
        .iter()
        .filter(|g| g.name.contains('_'))
        .map(|g| (0..g.count).filter(|&i| g.on_duty(i, SimTime(t)) && g.break_at(i, t % DAY).is_none()).count() as u32)
        .sum()
}

#[test]
fn the_default_scenario_rostered_from_templates_meets_its_gates_in_the_verification() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("center.toml");
    fs::write(&path, format!("{}{TEMPLATES}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    let out = ccsim().arg("schedule").arg(&path).args(["-q", "-o"]).arg(dir.path().join("s")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let s = dir.path().join("s");
    let verdicts = fs::read_to_string(s.join("verify/check.csv")).unwrap();
    assert!(verdicts.lines().skip(1).all(|l| !l.ends_with(",fail")), "{verdicts}");
    // rostered.toml runs as it is, to the verification's bytes.
    let run = ccsim()
        .arg("run")
        .arg(s.join("rostered.toml"))
        .args(["--no-charts", "-q", "-o"])
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    for file in ["summary.csv", "intervals.csv"] {
        assert_eq!(
            fs::read(dir.path().join("r").join(file)).unwrap(),
            fs::read(s.join("verify").join(file)).unwrap(),
            "{file}"
        );
    }
    // One group per (template, start), each agent's lunch inside its window, one start per agent.
    let rostered = Scenario::load(&s.join("rostered.toml")).unwrap();
    let shifts: Vec<_> = rostered.agent_groups.iter().filter(|g| g.name.contains('_')).collect();
    assert!(!shifts.is_empty() && rostered.agent_groups.iter().all(|g| g.name != "generalists"));
    for g in &shifts {
        let start = g.shifts[0].start;
        for b in &g.breaks {
            assert_eq!(b.starts.len(), g.count as usize, "{}", g.name);
            for &at in b.starts.iter() {
                let into = (at - start).rem_euclid(DAY);
                assert!(into >= 3.0 * 3600.0 && into + b.duration <= 6.0 * 3600.0, "{}: a break {into} s in", g.name);
            }
        }
    }
    let rows = fs::read_to_string(s.join("schedule.csv")).unwrap();
    assert_eq!(rows.lines().count() - 1, shifts.len(), "{rows}");
    assert!(s.join("charts/schedule_generalists.svg").exists());
}

#[test]
fn a_requirement_file_is_covered_in_every_slot_with_breaks_taken_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("center.toml");
    fs::write(&path, format!("{}{TEMPLATES}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    // 4 generalists from 07:00 to 21:00, 7 from 10:00 to 16:00; nobody at night.
    let mut csv = String::from("slot_start,group,agents\n");
    let need = |j: usize| {
        if (20..32).contains(&j) {
            7
        } else if (14..42).contains(&j) {
            4
        } else {
            0
        }
    };
    for j in 0..48 {
        csv.push_str(&format!("{:02}:{:02},generalists,{}\n", j / 2, j % 2 * 30, need(j)));
    }
    fs::write(dir.path().join("staffing.csv"), &csv).unwrap();
    let out = ccsim()
        .arg("schedule")
        .arg(&path)
        .arg("--requirement")
        .arg(dir.path().join("staffing.csv"))
        .args(["-q", "--no-charts", "-o"])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let rostered = Scenario::load(&dir.path().join("s/rostered.toml")).unwrap();
    for j in 0..48 {
        let t = (j as f64 + 0.5) * 1800.0;
        assert!(working(&rostered, t) >= need(j), "slot {j}: {} working, {} required", working(&rostered, t), need(j));
    }
}

#[test]
fn schedule_refuses_what_it_cannot_roster() {
    let dir = tempfile::tempdir().unwrap();
    let with = dir.path().join("with.toml");
    fs::write(&with, format!("{}{TEMPLATES}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    let without = dir.path().join("without.toml");
    fs::write(
        &without,
        format!("{}\n[[check]]\nmetric = \"service_level\"\nmin = 0.8\n", ccsim::scenario::DEFAULT_SCENARIO),
    )
    .unwrap();
    // Agents at 03:00, which no template covers.
    let mut csv = String::from("slot_start,group,agents\n");
    for j in 0..48 {
        csv.push_str(&format!("{:02}:{:02},generalists,{}\n", j / 2, j % 2 * 30, if j == 6 { 2 } else { 0 }));
    }
    let night = dir.path().join("night.csv");
    fs::write(&night, csv).unwrap();
    let run = |file: &Path, args: &[&str]| {
        ccsim().arg("schedule").arg(file).args(args).args(["-q", "-o"]).arg(dir.path().join("o")).output().unwrap()
    };
    for (out, says) in [
        (run(&with, &["--requirement", night.to_str().unwrap()]), "no template covers the slot at 03:00"),
        (run(&without, &[]), "no [[shift_template]]"),
    ] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn a_gate_no_roster_can_meet_exits_1_after_twenty_rounds_naming_the_slots() {
    // Handle times of at most a second, where chats take ten minutes: no number of agents helps,
    // so every round raises the requirement and the twentieth verification still fails.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("center.toml");
    let strict = TEMPLATES.replace("metric = \"service_level\"\nmin = 0.8", "metric = \"aht_s\"\nmax = 1");
    assert_ne!(strict, TEMPLATES);
    fs::write(&path, format!("{}{strict}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    let mut csv = String::from("slot_start,group,agents\n");
    for j in 0..48 {
        csv.push_str(&format!(
            "{:02}:{:02},generalists,{}\n",
            j / 2,
            j % 2 * 30,
            if (16..36).contains(&j) { 6 } else { 0 }
        ));
    }
    fs::write(dir.path().join("staffing.csv"), csv).unwrap();
    let out = ccsim()
        .arg("schedule")
        .arg(&path)
        .arg("--requirement")
        .arg(dir.path().join("staffing.csv"))
        .args(["-q", "--no-charts", "-r", "2", "-o"])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no verification held within 20 rounds; gates still fail in the slots at"), "{stderr}");
    // The files of the last round are written all the same.
    assert!(dir.path().join("s/rostered.toml").exists() && dir.path().join("s/verify/check.csv").exists());
}
