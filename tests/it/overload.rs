//! A center whose arrivals outrun its agents: the run says so, and never exhausts memory.
//!
//! - Below `simulation.max_in_system` the run finishes, warns on the terminal and flags
//!   `overloaded` (and counts `unanswered_at_end`) in `summary.csv`.
//! - At `simulation.max_in_system` conversations in the system a replication stops: exit 3, an
//!   explanation, and no files written; of several that would, the first in the list of
//!   replications is the one reported, whatever the threads.
//! - Ctrl-C stops even one long replication within moments.

use std::fs;
use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

use crate::common::Center;

/// 600 calls an hour of 5 minutes each for 10 agents: a load of 50 agents (ρ = 5), no abandonment.
fn overloaded(extra_simulation: &str) -> String {
    Center::new("voice", 600.0, "{ dist = \"exponential\", mean = \"5m\" }", 10)
        .simulation(&format!("name = \"overloaded\"\nhorizon = \"1d\"\nreplications = 3\n{extra_simulation}"))
        .toml()
}

fn ccsim(dir: &Path, scenario: &str, out: &str) -> std::process::Output {
    let path = dir.join("scenario.toml");
    fs::write(&path, scenario).unwrap();
    Command::new(cargo_bin("ccsim")).args(["run", "--no-charts", "-o"]).arg(dir.join(out)).arg(&path).output().unwrap()
}

/// `mean` of a summary row of scope `all`.
fn summary(dir: &Path, metric: &str) -> f64 {
    let text = fs::read_to_string(dir.join("summary.csv")).unwrap();
    let row = text.lines().find(|l| l.starts_with(&format!("all,all,{metric},"))).unwrap();
    row.split(',').nth(3).unwrap().parse().unwrap()
}

#[test]
fn an_overloaded_center_finishes_with_a_warning_and_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim(dir.path(), &overloaded(""), "out");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: overloaded"), "{stderr}");
    let files = dir.path().join("out");
    assert_eq!(summary(&files, "overloaded"), 1.0, "every replication is flagged");
    // About 14 400 arrive, 10 agents answer about 2 880: most are still waiting at the end.
    let (unanswered, offered) = (summary(&files, "unanswered_at_end"), summary(&files, "offered"));
    assert!(unanswered > 0.7 * offered, "{unanswered} of {offered}");
}

#[test]
fn a_sweep_names_the_points_that_overloaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    fs::write(&path, overloaded("")).unwrap();
    let out = Command::new(cargo_bin("ccsim"))
        .args(["sweep", "--vary", "agent_group.agents.count=10,60", "--no-charts", "-o"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: agent_group.agents.count=10: overloaded"), "{stderr}");
    assert!(!stderr.contains("count=60: overloaded"), "60 agents keep up with a load of 50: {stderr}");
}

#[test]
fn a_center_that_keeps_up_is_not_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(cargo_bin("ccsim")).args(["run", "--no-charts", "-o"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("overloaded"));
    assert_eq!(summary(dir.path(), "overloaded"), 0.0);
}

#[test]
fn a_replication_at_max_in_system_stops_the_run_with_exit_3_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim(dir.path(), &overloaded("max_in_system = 2000"), "out");
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for words in ["overloaded: replication 1 stopped at", "2000 conversations in the system", "max_in_system"] {
        assert!(stderr.contains(words), "{words:?} in {stderr}");
    }
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn the_first_replication_in_the_list_that_overloads_is_the_one_reported_on_any_thread_count() {
    use ccsim::experiment::{Settings, Stopped, run_all};
    use ccsim::scenario::Scenario;
    // A center that keeps up, then two that overload in every replication, each at its own
    // moment: later replications may finish first on another thread, and every one before the
    // first to overload must still be merged.
    let named = |text: &str, name: &str, replications: u32| {
        let mut s = Scenario::from_toml(text, "overloaded.toml").unwrap();
        s.name = name.into();
        s.simulation.replications = replications;
        s
    };
    let scenarios = vec![
        named(&overloaded("").replace("count = 10", "count = 60"), "keeps_up", 5),
        named(&overloaded("max_in_system = 300"), "late", 4),
        named(&overloaded("max_in_system = 300"), "later", 2),
    ];
    for threads in [1, 2, 3, 8] {
        let settings = Settings { threads: Some(threads), ..Settings::default() };
        let merged = std::sync::Mutex::new(Vec::new());
        match run_all(&scenarios, &settings, &|n| merged.lock().unwrap().push(n)) {
            Err(Stopped::Overloaded { scenario, replication, limit, .. }) => {
                assert_eq!((scenario.as_str(), replication, limit), ("late", 0, 300), "{threads} threads");
            }
            other => panic!("{threads} threads: {:?}", other.map(|_| ())),
        }
        let merged = merged.into_inner().unwrap();
        assert!(merged.windows(2).all(|w| w[0] < w[1]), "{threads} threads: progress only grows: {merged:?}");
        assert_eq!(merged.last(), Some(&5), "{threads} threads: the five replications before it are merged");
    }
}

#[test]
fn a_replication_that_stops_while_other_threads_wait_for_it_ends_the_run() {
    use ccsim::experiment::{Settings, Stopped, run_all};
    use ccsim::scenario::Scenario;
    // One replication that overloads only after days, then short ones that keep up: on two
    // threads, one runs the long replication while the other finishes as many short ones as it
    // may run ahead of the merge and waits for the long one, which then stops the run.
    let mut slow = Scenario::from_toml(
        &overloaded("max_in_system = 20000").replace("horizon = \"1d\"", "horizon = \"10d\""),
        "slow.toml",
    )
    .unwrap();
    slow.simulation.replications = 1;
    let mut short = Scenario::from_toml(
        &overloaded("").replace("count = 10", "count = 60").replace("horizon = \"1d\"", "horizon = \"1h\""),
        "short.toml",
    )
    .unwrap();
    short.simulation.replications = 12;
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let settings = Settings { threads: Some(2), ..Settings::default() };
        let _ = sent.send(run_all(&[slow, short], &settings, &|_| {}).map(|_| ()));
    });
    match received.recv_timeout(std::time::Duration::from_secs(120)) {
        Ok(Err(Stopped::Overloaded { replication: 0, limit: 20000, .. })) => {}
        Ok(other) => panic!("{other:?}"),
        Err(_) => panic!("the run did not end: a thread waits for a replication that stopped"),
    }
}

#[test]
fn max_in_system_must_be_a_positive_integer() {
    let dir = tempfile::tempdir().unwrap();
    let out = ccsim(dir.path(), &overloaded("max_in_system = 0"), "out");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("simulation.max_in_system: 0; expected an integer from 1 to"), "{stderr}");
}

/// Runs `ccsim run` of `scenario` on one thread into `out`, sends Ctrl-C after half a second, and
/// checks that it stops with exit 130 within seconds.
#[cfg(unix)]
fn stops_at_ctrl_c(scenario: &Path, out: &Path) {
    let mut child = Command::new(cargo_bin("ccsim"))
        .args(["run", "--threads", "1", "-q", "--no-charts", "-o"])
        .arg(out)
        .arg(scenario)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let sent = std::time::Instant::now();
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(sent.elapsed().as_secs_f64() < 5.0, "stopped {:?} after Ctrl-C", sent.elapsed());
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_single_long_replication_at_once() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("summary.csv"), "an earlier run's results").unwrap();
    // One replication of a busy center over ten years: far longer than the test waits.
    let scenario = dir.path().join("long.toml");
    let keeping_up = overloaded("interval = \"1d\"")
        .replace("count = 10", "count = 60")
        .replace("replications = 3", "replications = 1");
    fs::write(&scenario, keeping_up.replace("horizon = \"1d\"", "horizon = \"3650d\"")).unwrap();
    stops_at_ctrl_c(&scenario, dir.path());
    assert_eq!(fs::read_to_string(dir.path().join("summary.csv")).unwrap(), "an earlier run's results");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_center_whose_agents_reject_every_offer_at_once() {
    // Thousands of agents bounce every chat among them at one instant: a loop of events without
    // simulated time passing, which Ctrl-C must still stop at once.
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("rejecting.toml");
    let rejecting = overloaded("interval = \"1d\"")
        .replace("count = 10", "count = 3000\noffer = { accept = 0.0, reject = 1.0 }")
        .replace("replications = 3", "replications = 1")
        .replace("horizon = \"1d\"", "horizon = \"3650d\"");
    fs::write(&scenario, rejecting).unwrap();
    stops_at_ctrl_c(&scenario, &dir.path().join("out"));
}
