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
    // Templates with days over a single day; a requirement labelled by days and by clock alike.
    let one_day = dir.path().join("one_day.toml");
    let week = fs::read_to_string(week_center(dir.path())).unwrap();
    fs::write(&one_day, week.replace("horizon = \"7d\"", "horizon = \"1d\"")).unwrap();
    let mixed = dir.path().join("mixed.csv");
    fs::write(&mixed, "slot_start,group,agents\nmon 00:00,generalists,1\n00:30,generalists,1\n").unwrap();
    let run = |file: &Path, args: &[&str]| {
        ccsim().arg("schedule").arg(file).args(args).args(["-q", "-o"]).arg(dir.path().join("o")).output().unwrap()
    };
    for (out, says) in [
        (run(&with, &["--requirement", night.to_str().unwrap()]), "no template covers the slot at 03:00"),
        (run(&without, &[]), "no [[shift_template]]"),
        (run(&one_day, &[]), "simulation.horizon 1d: a schedule over a week"),
        (run(&with, &["--requirement", mixed.to_str().unwrap()]), "mixed.csv: line 3: slot_start \"00:30\""),
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

/// Weekday and weekend templates for the default scenario run over a week from a Wednesday.
fn week_center(dir: &Path) -> std::path::PathBuf {
    let weekdays = TEMPLATES
        .replace("length = \"8h\"\n", "length = \"8h\"\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n")
        .replace("name = \"part\"", "name = \"weekend\"")
        .replace("length = \"4h\"\n", "length = \"6h\"\ndays = [\"sat\", \"sun\"]\n");
    assert_eq!(weekdays.matches("days = ").count(), 3);
    let scenario =
        ccsim::scenario::DEFAULT_SCENARIO.replacen("horizon = \"1d\"", "horizon = \"7d\"\nstart = \"2026-12-02\"", 1);
    let path = dir.join("week.toml");
    fs::write(&path, format!("{scenario}{weekdays}")).unwrap();
    path
}

/// 4 generalists from 07:00 to 21:00 and 7 from 10:00 to 16:00 on weekdays; half at weekends.
fn week_need(j: usize) -> u32 {
    let (day, slot) = (j / 48, j % 48);
    let need = if (20..32).contains(&slot) {
        7
    } else if (14..42).contains(&slot) {
        4
    } else {
        0
    };
    if day >= 5 { need / 2 } else { need }
}

#[test]
fn templates_with_days_cover_a_weekly_requirement_on_the_days_they_are_worked() {
    let dir = tempfile::tempdir().unwrap();
    let path = week_center(dir.path());
    let mut csv = String::from("slot_start,group,agents\n");
    for j in 0..7 * 48 {
        let day = ccsim::time::WEEKDAYS[j / 48];
        csv.push_str(&format!("{day} {:02}:{:02},generalists,{}\n", j % 48 / 2, j % 2 * 30, week_need(j)));
    }
    fs::write(dir.path().join("staffing.csv"), &csv).unwrap();
    let out = ccsim()
        .arg("schedule")
        .arg(&path)
        .arg("--requirement")
        .arg(dir.path().join("staffing.csv"))
        .args(["-q", "-r", "4", "-o"])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let rostered = Scenario::load(&dir.path().join("s/rostered.toml")).unwrap();
    // Day 1 is a Wednesday: slot j of the week (from Monday) is at (j − 2 days) from the start.
    let at = |j: usize| ((j + 5 * 48) % (7 * 48)) as f64 * 1800.0 + 900.0;
    for j in 0..7 * 48 {
        let on = working(&rostered, at(j));
        assert!(on >= week_need(j), "week slot {j}: {on} working, {} required", week_need(j));
    }
    // Weekday shifts work weekdays only, weekend shifts weekends only, each on the day its name
    // gives (every template here ends by 22:00).
    for g in rostered.agent_groups.iter().filter(|g| g.name.contains('_')) {
        let day = g.name.split('_').nth(1).unwrap();
        let d = ccsim::time::WEEKDAYS.iter().position(|w| *w == day).unwrap();
        assert_eq!(d >= 5, g.name.starts_with("weekend_"), "{}", g.name);
        for j in 0..7 * 48 {
            let on = (0..g.count).any(|i| g.on_duty(i, SimTime(at(j))));
            assert!(!on || j / 48 == d, "{} on duty at week slot {j}", g.name);
        }
    }
    let rows = fs::read_to_string(dir.path().join("s/schedule.csv")).unwrap();
    assert!(rows.lines().skip(1).all(|l| l.split(',').nth(2).is_some_and(|s| s.len() == 9)), "{rows}");
    assert!(rows.contains(",weekend,sat ") && rows.contains(",early,mon "), "{rows}");
    assert!(dir.path().join("s/charts/schedule_generalists.svg").exists());
}

#[test]
fn a_daily_requirement_holds_every_day_for_templates_with_days() {
    let dir = tempfile::tempdir().unwrap();
    let path = week_center(dir.path());
    let mut csv = String::from("slot_start,group,agents\n");
    for j in 0..48 {
        csv.push_str(&format!("{:02}:{:02},generalists,{}\n", j / 2, j % 2 * 30, week_need(j)));
    }
    fs::write(dir.path().join("staffing.csv"), &csv).unwrap();
    let out = ccsim()
        .arg("schedule")
        .arg(&path)
        .arg("--requirement")
        .arg(dir.path().join("staffing.csv"))
        .args(["-q", "--no-charts", "-r", "4", "-o"])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let rostered = Scenario::load(&dir.path().join("s/rostered.toml")).unwrap();
    // Saturday (day 4 from a Wednesday) needs the weekday's agents too, from weekend shifts.
    for j in 0..48 {
        let t = 3.0 * DAY + (j as f64 + 0.5) * 1800.0;
        assert!(working(&rostered, t) >= week_need(j), "saturday slot {j}");
    }
}
