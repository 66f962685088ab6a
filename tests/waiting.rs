//! Waiting and auto-close after inactivity on asynchronous channels, reopening, affinity, and
//! the assignment methods (DESIGN.md "Waiting and auto-close", "Affinity"; DOMAIN.md §2, §4.5).

mod common;

use ccsim::metrics::Metric;
use common::{Recorder, all, run};

fn messaging(waiting: &str, extra_ws: &str, agents: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "20d"
warmup = "1d"
replications = 5
seed = 11
[[channel]]
name = "sms"
kind = "sms"
work_stream = "w"
arrivals = {{ process = "poisson", rate_per_hour = 6 }}
[[work_stream]]
name = "w"
handle_time = "2m"
waiting = {waiting}
{extra_ws}
[[queue]]
name = "q"
{agents}
"#
    )
}

const ONE_GROUP: &str = "[[agent_group]]\nname = \"a\"\ncount = 3\ncapacity = 3\nqueues = [\"q\"]";

#[test]
fn a_waiting_conversation_that_gets_no_reply_is_auto_closed_exactly_at_the_threshold() {
    let text = messaging(
        "{ probability = 1.0, customer_reply = \"1m\", never_reply = 1.0 }",
        "auto_close_after_inactivity = \"10m\"",
        ONE_GROUP,
    );
    let rec = Recorder::run(&text);
    let waits = rec.of("waiting");
    let closes = rec.of("auto_closed");
    assert!(waits.len() > 100);
    for (id, _, closed_at) in &closes {
        let parked = waits.iter().find(|w| w.0 == *id).expect("it waited first").2;
        assert!((closed_at - parked - 600.0).abs() < 1e-6, "closed {} s after parking", closed_at - parked);
    }
    assert!(rec.of("reopened").is_empty() && rec.of("completed").is_empty());
    let r = run(&text);
    // Every wait ends in an auto-close, unless the horizon comes first.
    let (waits, closed) = (all(&r, Metric::Waits).mean, all(&r, Metric::AutoClosed).mean);
    assert!(closed <= waits && waits <= closed + all(&r, Metric::InSystem).mean);
    // Auto-closed after an answer: not in the service-level denominator, so SL stays 1.
    assert_eq!(all(&r, Metric::ServiceLevel).mean, 1.0);
}

#[test]
fn replies_before_the_threshold_reopen_the_conversation_as_often_as_it_waits() {
    // Each active episode ends in Waiting with probability 0.5 and the customer always replies
    // after 1 minute: episodes per conversation are geometric with mean 2, so handled ≈ 2 ×
    // completed and reopened ≈ waits ≈ completed.
    let text =
        messaging("{ probability = 0.5, customer_reply = \"1m\" }", "auto_close_after_inactivity = \"1h\"", ONE_GROUP);
    let r = run(&text);
    let completed = all(&r, Metric::Completed).mean;
    let waits = all(&r, Metric::Waits).mean;
    let reopened = all(&r, Metric::Reopened).mean;
    let n = completed * 5.0;
    assert!((waits / completed - 1.0).abs() < 4.0 * (2.0 / n).sqrt(), "{waits} waits for {completed}");
    assert!((reopened - waits).abs() <= 2.0, "every wait ends in a reply within the run");
    assert_eq!(all(&r, Metric::AutoClosed).mean, 0.0);
    assert!(all(&r, Metric::RequeueWaitS).mean >= 0.0);
}

#[test]
fn a_reply_after_the_threshold_comes_too_late() {
    let text = messaging(
        "{ probability = 1.0, customer_reply = \"20m\" }",
        "auto_close_after_inactivity = \"10m\"",
        ONE_GROUP,
    );
    let r = run(&text);
    assert_eq!(all(&r, Metric::Reopened).mean, 0.0);
    assert!(all(&r, Metric::AutoClosed).mean > 0.0);
}

#[test]
fn waiting_releases_capacity_at_once() {
    // With every conversation parked for good after 2 minutes of handling, capacity is in use
    // only while Active: occupancy = λ × 120 s / (3 agents × 3 units).
    let text = messaging(
        "{ probability = 1.0, customer_reply = \"1m\", never_reply = 1.0 }",
        "auto_close_after_inactivity = \"10m\"",
        ONE_GROUP,
    );
    let r = run(&text);
    let expected = 6.0 / 3600.0 * 120.0 / 9.0;
    let occ = all(&r, Metric::Occupancy);
    assert!((occ.mean - expected).abs() < 3.0 * occ.half_width() + 1e-3, "{occ:?} vs {expected}");
}

const TWO_AGENTS: &str = "[[agent_group]]\nname = \"a\"\ncount = 2\ncapacity = 5\nqueues = [\"q\"]";

/// For each reopened conversation, whether its next active episode went to the same agent.
fn same_agent_after_reopen(text: &str) -> (usize, usize) {
    let rec = Recorder::run(text);
    let handled = rec.of("handled");
    let (mut same, mut total) = (0, 0);
    let mut last: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    for (id, agent, _) in handled {
        if let Some(prev) = last.insert(id, agent) {
            total += 1;
            same += usize::from(prev == agent);
        }
    }
    (same, total)
}

#[test]
fn affinity_sends_a_reopened_conversation_back_to_its_agent() {
    let waiting = "{ probability = 0.5, customer_reply = \"5m\" }";
    let with = messaging(waiting, "affinity = true\nauto_close_after_inactivity = \"1h\"", &format!("{TWO_AGENTS}\n"))
        .replace("[[queue]]\nname = \"q\"", "[[queue]]\nname = \"q\"\nassignment = \"round_robin\"");
    let without = with.replace("affinity = true", "affinity = false");
    let (same, total) = same_agent_after_reopen(&with);
    assert!(total > 100);
    assert_eq!(same, total, "agents always have room, so affinity always holds");
    // Without affinity, round robin spreads the reopened conversations over both agents.
    let (same, total) = same_agent_after_reopen(&without);
    assert!(same < total * 3 / 4, "{same} of {total} went back to the same agent");
}

#[test]
fn affinity_is_on_by_default_for_asynchronous_channels() {
    let s = common::scenario(&messaging("{ probability = 0.5, customer_reply = \"5m\" }", "", ONE_GROUP));
    assert!(s.work_streams[0].affinity);
    assert_eq!(s.work_streams[0].auto_close_after_inactivity.0, 28.0 * 86_400.0);
}

/// Three agents in three groups of one, arrivals rare enough that all are free each time.
fn three_agents(method: &str, capacities: [u32; 3]) -> String {
    let groups: String = capacities
        .iter()
        .enumerate()
        .map(|(i, c)| format!("[[agent_group]]\nname = \"g{i}\"\ncount = 1\ncapacity = {c}\nqueues = [\"q\"]\n"))
        .collect();
    format!(
        r#"
[simulation]
horizon = "2d"
replications = 1
[[channel]]
name = "c"
kind = "sms"
work_stream = "w"
arrivals = {{ process = "poisson", rate_per_hour = 4 }}
[[work_stream]]
name = "w"
handle_time = "10s"
[[queue]]
name = "q"
assignment = "{method}"
{groups}"#
    )
}

fn first_agents(text: &str, n: usize) -> Vec<u32> {
    Recorder::run(text).of("answered").iter().take(n).map(|(_, a, _)| *a).collect()
}

#[test]
fn highest_capacity_gives_work_to_the_agent_with_most_room() {
    assert_eq!(first_agents(&three_agents("highest_capacity", [1, 3, 1]), 6), vec![1; 6]);
}

#[test]
fn round_robin_takes_turns_whatever_the_capacity() {
    assert_eq!(first_agents(&three_agents("round_robin", [1, 3, 1]), 6), vec![0, 1, 2, 0, 1, 2]);
}

#[test]
fn least_active_prefers_the_oldest_capacity_release() {
    // Long, variable handle times and agents with room for five: conversations finish out of
    // assignment order. Least active gives each new conversation to the agent whose last release
    // is oldest (never-released agents first), which round robin does not.
    let text = three_agents("least_active", [5, 5, 5])
        .replace("handle_time = \"10s\"", "handle_time = { dist = \"exponential\", mean = \"30m\" }");
    let rec = Recorder::run(&text);
    let mut last_release = [f64::NEG_INFINITY; 3];
    let mut holding = [0u32; 3];
    let mut checked = 0;
    for (what, _, agent, at) in &rec.events {
        let a = *agent as usize;
        match *what {
            "answered" => {
                let oldest = (0..3).filter(|&i| holding[i] < 5).map(|i| last_release[i]).fold(f64::INFINITY, f64::min);
                if oldest > f64::NEG_INFINITY {
                    assert_eq!(last_release[a], oldest, "agent {a} was not the least active at {at}");
                    checked += 1;
                }
                holding[a] += 1;
            }
            "completed" => {
                holding[a] -= 1;
                last_release[a] = *at;
            }
            _ => {}
        }
    }
    assert!(checked > 50, "{checked}");
    let round_robin = first_agents(&text.replace("least_active", "round_robin"), 60);
    assert_ne!(first_agents(&text, 60), round_robin);
}
