//! `ccsim staff`: the fewest agents per slot that meet the scenario's gates, found by simulation
//! and verified on a seed of its own (DESIGN.md "Staffing").

use std::fs;

use assert_cmd::Command;

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

/// 200 calls an hour of 3 minutes (10 Erlangs), all day, for 2 days; a per-slot service-level gate.
const MMC: &str = r#"
[simulation]
name = "mmc"
horizon = "2d"
replications = 10
seed = 3

[[channel]]
name = "phone"
kind = "voice"
work_stream = "calls"
arrivals = { process = "poisson", rate_per_hour = 200 }

[[work_stream]]
name = "calls"
handle_time = { dist = "exponential", mean = "3m" }

[[queue]]
name = "q"

[[agent_group]]
name = "agents"   # the search replaces count with staffing
count = 5
queues = ["q"]
"#;

/// Erlang C (or A, with a patience) for the line of [`MMC`] at `agents`.
fn erlang_at(agents: u32, patience_mean_s: Option<f64>) -> ccsim::erlang::Figures {
    let model =
        ccsim::erlang::QueueModel { arrivals_per_hour: 200.0, aht_s: 180.0, agents, concurrency: 1, patience_mean_s };
    ccsim::erlang::figures(&model, 20.0).unwrap()
}

/// Whether `value` lies inside the 95% interval `[low, high]` of one of `slots` slots of 10
/// replications, the interval widened so that all the slots' intervals together cover with 95%
/// (Bonferroni): a test of every slot at 95% each would miss one slot in 24 by chance.
fn inside_for_every_slot(value: f64, low: f64, high: f64, slots: usize) -> bool {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let t = StudentsT::new(0.0, 1.0, 9.0).unwrap();
    let widen = t.inverse_cdf(1.0 - 0.025 / slots as f64) / t.inverse_cdf(0.975);
    let (mid, half) = ((low + high) / 2.0, (high - low) / 2.0 * widen);
    mid - half <= value && value <= mid + half
}

const GATE: &str = "\n[[check]]\nmetric = \"service_level\"\nmin = 0.8\nevery_interval = true\n";

#[test]
fn a_stationary_queue_is_staffed_as_erlang_c_says_and_staffed_toml_reproduces_the_verification() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mmc.toml");
    fs::write(&path, format!("{MMC}{GATE}")).unwrap();
    let out =
        ccsim().arg("staff").arg(&path).args(["--slot", "1h", "-q", "-o"]).arg(dir.path().join("s")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Erlang C: 13 agents give 0.78 within 20 s, 14 give 0.888: the search finds 14, or one
    // agent more or fewer where Erlang's value at that staffing lies inside the slot's interval
    // (made to hold for the 24 slots together).
    let staffing = fs::read_to_string(dir.path().join("s/staffing.csv")).unwrap();
    let mut lines = staffing.lines();
    assert_eq!(
        lines.next(),
        Some(
            "slot_start,group,agents,erlang_agents,offered_load_erlangs,check_1_service_level,check_1_service_level_ci95_low,check_1_service_level_ci95_high"
        )
    );
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 24);
    for row in &rows {
        // The slot's value lies within its interval across replications.
        let (value, low, high): (f64, f64, f64) =
            (row[5].parse().unwrap(), row[6].parse().unwrap(), row[7].parse().unwrap());
        assert!(low < value && value < high, "{row:?}");
        let agents: u32 = row[2].parse().unwrap();
        let load: f64 = row[4].parse().unwrap();
        assert!((load - 10.0).abs() < 0.6, "the load carried is 10 Erlangs: {row:?}");
        let erlang = erlang_at(agents, None).service_level;
        assert!(
            agents == 14 || (agents.abs_diff(14) == 1 && inside_for_every_slot(erlang, low, high, rows.len())),
            "Erlang C gives {erlang} at {agents} agents: {row:?}"
        );
    }
    // The staffed scenario keeps the planner's comments and runs to the verification's bytes.
    let staffed = fs::read_to_string(dir.path().join("s/staffed.toml")).unwrap();
    assert!(
        staffed.contains("# the search replaces count with staffing") && staffed.contains("staffing = ["),
        "{staffed}"
    );
    let run = ccsim()
        .arg("run")
        .arg(dir.path().join("s/staffed.toml"))
        .args(["--no-charts", "-q", "-o"])
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    for file in ["summary.csv", "intervals.csv"] {
        assert_eq!(
            fs::read(dir.path().join("r").join(file)).unwrap(),
            fs::read(dir.path().join("s/verify").join(file)).unwrap(),
            "{file}"
        );
    }
    assert!(fs::read_to_string(dir.path().join("s/verify/check.csv")).unwrap().lines().count() == 25);
    for chart in ["staffing_agents", "staff_service_level"] {
        let svg = fs::read_to_string(dir.path().join(format!("s/charts/{chart}.svg"))).unwrap();
        assert!(svg.contains("<svg") && dir.path().join(format!("s/charts/{chart}.png")).exists(), "{chart}");
    }
}

#[test]
fn staff_refuses_what_it_cannot_search() {
    let dir = tempfile::tempdir().unwrap();
    let gated = dir.path().join("gated.toml");
    fs::write(&gated, format!("{MMC}{GATE}")).unwrap();
    let bare = dir.path().join("bare.toml");
    fs::write(&bare, MMC).unwrap();
    let on_ci = dir.path().join("ci.toml");
    fs::write(&on_ci, format!("{MMC}{GATE}on = \"ci\"\n")).unwrap();
    let chosen = dir.path().join("chosen.toml");
    fs::write(&chosen, format!("{MMC}\n[[check]]\nmetric = \"asa_s\"\nmax = 20\nintervals = [\"09:00\"]\n")).unwrap();
    for (file, args, says) in [
        (&bare, &[][..], "no [[check]]"),
        (&gated, &["--group", "nobody"], "--group nobody: no agent group is named so"),
        (&gated, &["--max-agents", "0"], "--max-agents 0: expected 1 to"),
        (&gated, &["--slot", "7m"], "--slot 7m: expected 15m, 30m or 1h"),
        (&gated, &["--slot", "2h"], "--slot 2h: expected 15m, 30m or 1h"),
        (&gated, &["--verify-replications", "0"], "--verify-replications 0"),
        (&chosen, &[], "check[0].intervals"),
        (&on_ci, &["--verify-replications", "1"], "check[0].on: \"ci\" judges the 95% bound"),
    ] {
        let out =
            ccsim().arg("staff").arg(file).args(args).args(["-q", "-o"]).arg(dir.path().join("o")).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn with_exponential_patience_an_abandonment_gate_is_staffed_as_erlang_a_says() {
    // The same line with customers who leave after 2 minutes on average, and at most 3% leaving:
    // Erlang A's fewest agents is 14.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mmca.toml");
    let patient = MMC.replace(
        "handle_time = { dist = \"exponential\", mean = \"3m\" }",
        "handle_time = { dist = \"exponential\", mean = \"3m\" }\npatience = { dist = \"exponential\", mean = \"2m\" }",
    );
    fs::write(&path, format!("{patient}\n[[check]]\nmetric = \"abandon_rate\"\nmax = 0.03\nevery_interval = true\n"))
        .unwrap();
    let out =
        ccsim().arg("staff").arg(&path).args(["--slot", "1h", "-q", "-o"]).arg(dir.path().join("s")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let staffing = fs::read_to_string(dir.path().join("s/staffing.csv")).unwrap();
    let rows: Vec<Vec<&str>> = staffing.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 24);
    assert!(erlang_at(13, Some(120.0)).p_abandon > 0.03 && erlang_at(14, Some(120.0)).p_abandon <= 0.03);
    for row in &rows {
        let (agents, start): (u32, u32) = (row[2].parse().unwrap(), row[3].parse().unwrap());
        assert!((13..=15).contains(&start), "the start is Erlang A's on the measured load: {row:?}");
        let (low, high): (f64, f64) = (row[6].parse().unwrap(), row[7].parse().unwrap());
        let erlang = erlang_at(agents, Some(120.0)).p_abandon;
        assert!(
            agents == 14 || (agents.abs_diff(14) == 1 && inside_for_every_slot(erlang, low, high, rows.len())),
            "Erlang A gives {erlang} at {agents} agents: {row:?}"
        );
    }
}

/// A strong morning peak of calls that last 30 minutes, 80% to be answered within a minute.
const PEAK: &str = r#"
[simulation]
name = "peak"
horizon = "3d"
replications = 10
seed = 5
service_level_threshold = "60s"

[[channel]]
name = "phone"
kind = "voice"
work_stream = "calls"
arrivals = { process = "poisson", rate_per_hour = [10, 10, 10, 10, 10, 10, 20, 60, 160, 200, 160, 80, 60, 60, 60, 60, 50, 40, 30, 20, 10, 10, 10, 10] }

[[work_stream]]
name = "calls"
handle_time = { dist = "exponential", mean = "30m" }

[[queue]]
name = "q"

[[agent_group]]
name = "agents"
count = 5
queues = ["q"]

[[check]]
metric = "service_level"
min = 0.8
every_interval = true
"#;

#[test]
fn time_varying_demand_is_met_in_every_slot_where_pointwise_erlang_misses_after_the_peak() {
    use ccsim::erlang::{QueueModel, Target, fewest_agents};
    use ccsim::experiment::{Settings, run_replications};
    use ccsim::metrics::Metric;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("peak.toml");
    fs::write(&path, PEAK).unwrap();
    let out = ccsim()
        .arg("staff")
        .arg(&path)
        .args(["--slot", "1h", "-q", "--no-charts", "-o"])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let verdicts: Vec<String> = fs::read_to_string(dir.path().join("s/verify/check.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().to_string())
        .collect();
    assert_eq!(verdicts.len(), 24);
    assert!(verdicts.iter().all(|v| v == "pass"), "{verdicts:?}");

    // Erlang C slot by slot on each hour's arrivals, as if calls ended within their hour.
    let rates = [10, 10, 10, 10, 10, 10, 20, 60, 160, 200, 160, 80, 60, 60, 60, 60, 50, 40, 30, 20, 10, 10, 10, 10];
    let pointwise: Vec<u32> = rates
        .iter()
        .map(|&r| {
            let model = QueueModel {
                arrivals_per_hour: f64::from(r),
                aht_s: 1800.0,
                agents: 1,
                concurrency: 1,
                patience_mean_s: None,
            };
            fewest_agents(&model, 60.0, Target::ServiceLevel(0.8)).unwrap().0
        })
        .collect();
    let text = PEAK.replace("count = 5", &format!("staffing = {pointwise:?}"));
    let scenario = ccsim::scenario::Scenario::from_toml(&text, "pointwise.toml").unwrap();
    let results = run_replications(
        &scenario,
        &Settings { slots: Some(ccsim::time::SlotCycle::daily(3600.0)), ..Settings::default() },
        &|_| {},
    );
    let all = &results.scopes[0];
    let missed: Vec<usize> =
        (0..24).filter(|&h| results.group_estimate(h, all, Metric::ServiceLevel).mean < 0.8).collect();
    // The calls of the peak are still being handled after it: the afternoon and evening slots miss.
    assert!(missed.iter().filter(|&&h| h >= 12).count() >= 3, "pointwise Erlang missed {missed:?}");
}

#[test]
fn two_groups_sharing_a_queue_cost_within_one_agent_of_the_cheapest_staffing() {
    use ccsim::experiment::staff::SEARCH_MARGIN;
    use ccsim::experiment::{Settings, run_replications};
    use ccsim::metrics::Metric;
    use ccsim::metrics::statistics::t_975;

    // Calls in one hour only, to a queue both groups serve; the dear group costs three times as
    // much an hour.
    let rates: Vec<u32> = (0..24).map(|h| if h == 10 { 120 } else { 0 }).collect();
    let text = |cheap: &str, dear: &str| {
        format!(
            r#"
[simulation]
horizon = "1d"
replications = 10
seed = 9

[[channel]]
name = "phone"
kind = "voice"
work_stream = "calls"
arrivals = {{ process = "poisson", rate_per_hour = {rates:?} }}

[[work_stream]]
name = "calls"
handle_time = {{ dist = "exponential", mean = "3m" }}

[[queue]]
name = "q"

[[agent_group]]
name = "cheap"
{cheap}
queues = ["q"]
cost_per_hour = 1

[[agent_group]]
name = "dear"
{dear}
queues = ["q"]
cost_per_hour = 3

[[check]]
metric = "service_level"
min = 0.8
every_interval = true
"#
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.toml");
    fs::write(&path, text("count = 1", "count = 1")).unwrap();
    let out = ccsim()
        .arg("staff")
        .arg(&path)
        .args(["--slot", "1h", "-q", "--no-charts", "-o"])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let staffing = fs::read_to_string(dir.path().join("s/staffing.csv")).unwrap();
    let cost: u32 = staffing
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f[2].parse::<u32>().unwrap() * if f[1] == "dear" { 3 } else { 1 }
        })
        .sum();

    // Every (cheap, dear) staffing of the busy hour, judged as the search judges: the mean
    // `SEARCH_MARGIN` standard errors above the target, on the search's seed.
    let meets = |cheap: u32, dear: u32| {
        let at = |n: u32| {
            let list: Vec<u32> = (0..24).map(|h| if h == 10 { n } else { 0 }).collect();
            format!("staffing = {list:?}")
        };
        let s = ccsim::scenario::Scenario::from_toml(&text(&at(cheap), &at(dear)), "two.toml").unwrap();
        let r = run_replications(
            &s,
            &Settings { slots: Some(ccsim::time::SlotCycle::daily(3600.0)), ..Settings::default() },
            &|_| {},
        );
        (0..24).all(|h| {
            let e = r.group_estimate(h, &r.scopes[0], Metric::ServiceLevel);
            let offered = r.group_estimate(h, &r.scopes[0], Metric::Offered).mean;
            if e.mean.is_nan() {
                offered == 0.0
            } else {
                e.mean - SEARCH_MARGIN * e.half_width() / t_975(e.replications - 1) >= 0.8
            }
        })
    };
    let optimum = (0..=14u32)
        .flat_map(|cheap| (0..=4u32).map(move |dear| (cheap, dear)))
        .filter(|&(cheap, dear)| meets(cheap, dear))
        .map(|(cheap, dear)| cheap + 3 * dear)
        .min()
        .expect("some staffing meets the target");
    assert!(cost >= optimum && cost <= optimum + 3, "the search costs {cost}, the cheapest {optimum}\n{staffing}");
}

#[test]
fn a_search_held_at_the_most_agents_says_which_slots_it_could_not_meet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mmc.toml");
    fs::write(&path, format!("{MMC}{GATE}")).unwrap();
    // 10 Erlangs cannot be answered by 5 agents.
    let out = ccsim()
        .arg("staff")
        .arg(&path)
        .args(["--slot", "1h", "--max-agents", "5", "-q", "--no-charts", "-o"])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("at --max-agents 5 in the slots at 00:00, 01:00"), "{stderr}");
}
