//! Waiting and auto-close after inactivity on asynchronous channels, reopening, affinity, and
//! the assignment methods (DESIGN.md "Waiting and auto-close", "Affinity"; DOMAIN.md §2, §4.5).

use std::collections::HashMap;

use crate::common::{Center, Recorder, all, run};
use ccsim::metrics::trace::Outcome;
use ccsim::metrics::{Metric, ScopeKind};

fn messaging(waiting: &str, extra_ws: &str, agents: &str) -> String {
    Center::new("sms", 6.0, "\"2m\"", 0)
        .simulation("horizon = \"20d\"\nwarmup = \"1d\"\nreplications = 5\nseed = 11")
        .work_stream(&format!("waiting = {waiting}\n{extra_ws}"))
        .groups(agents)
        .toml()
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
fn affinity_sends_a_reply_back_to_its_agent_during_that_agent_s_break() {
    // Chats arrive between 08:00 and 09:00, when only agent 0 (group "a") is on shift. Each is
    // handled for a minute and parked; the customer replies 2 hours later, from 10:00 on, while
    // agent 0 is on an away break that lasts until 23:00 and agent 1 (group "b") is free. The
    // reply still goes to agent 0: affinity ignores presence (DESIGN.md "Affinity").
    let mut rates = vec!["0"; 24];
    rates[8] = "30";
    let text = format!(
        r#"
[simulation]
horizon = "1d"
replications = 1
seed = 4
[[channel]]
name = "sms"
kind = "sms"
work_stream = "w"
arrivals = {{ process = "poisson", rate_per_hour = [{}] }}
[[work_stream]]
name = "w"
handle_time = "1m"
affinity = true
waiting = {{ probability = 1.0, customer_reply = "2h" }}
auto_close_after_inactivity = "1d"
[[queue]]
name = "q"
[[agent_group]]
name = "a"
count = 1
capacity = 100
queues = ["q"]
breaks = [ {{ start = "09:00", duration = "14h", presence = "away" }} ]
[[agent_group]]
name = "b"
count = 1
capacity = 100
queues = ["q"]
shift = {{ start = "09:00", end = "23:59" }}
"#,
        rates.join(", ")
    );
    let rec = Recorder::run(&text);
    let during_break =
        rec.of("reopened").iter().filter(|(_, _, at)| (9.0 * 3600.0..23.0 * 3600.0).contains(at)).count();
    assert!(during_break > 20, "{during_break} replies during the break");
    let handled = rec.of("handled");
    assert!(handled.len() > during_break);
    assert!(handled.iter().all(|&(_, agent, _)| agent == 0), "every episode is agent 0's: {handled:?}");
}

#[test]
fn affinity_is_on_by_default_for_asynchronous_channels() {
    let s = crate::common::scenario(&messaging("{ probability = 0.5, customer_reply = \"5m\" }", "", ONE_GROUP));
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
fn round_robin_takes_turns_among_agents_that_still_have_room() {
    // Long handle times: every agent still holds its earlier conversations, with room for more,
    // when the next one arrives; its last assignment alone must send the next one elsewhere.
    let text = three_agents("round_robin", [3, 3, 3]).replace("handle_time = \"10s\"", "handle_time = \"10h\"");
    assert_eq!(first_agents(&text, 6), vec![0, 1, 2, 0, 1, 2]);
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

#[test]
fn the_share_of_waiting_episodes_that_auto_close_is_exp_of_minus_threshold_over_mean_reply_delay() {
    // Reply delays exponential with mean m = 20 min, threshold T = 10 min: an episode ends in an
    // auto-close when the reply would come at T or later, P = exp(−T/m) = exp(−0.5) = 0.6065.
    // Half the active episodes park, and a reply reopens the conversation, which may wait again.
    // Every episode is followed to its end; episodes that start within T of the horizon are left
    // out, since only their replies (not their closes) could be seen.
    let text = messaging(
        "{ probability = 0.5, customer_reply = { dist = \"exponential\", mean = \"20m\" } }",
        "auto_close_after_inactivity = \"10m\"",
        ONE_GROUP,
    )
    .replace("rate_per_hour = 6", "rate_per_hour = 30");
    let s = crate::common::scenario(&text);
    let (threshold, horizon) = (600.0, s.simulation.horizon.0);
    let (mut closed, mut replied) = (0u64, 0u64);
    for replication in 0..3 {
        let mut rec = Recorder::default();
        ccsim::engine::simulate(&s, replication, &mut rec);
        let mut parked: HashMap<u64, f64> = HashMap::new();
        for &(what, id, _, at) in &rec.events {
            match what {
                "waiting" => assert!(parked.insert(id, at).is_none(), "conversation {id} parked twice at once"),
                "reopened" | "auto_closed" => {
                    let Some(since) = parked.remove(&id) else {
                        assert_ne!(what, "reopened", "conversation {id} reopened without waiting");
                        continue; // an unanswered close, not the end of a wait
                    };
                    if since > horizon - threshold {
                        continue;
                    }
                    if what == "auto_closed" {
                        assert!((at - since - threshold).abs() < 1e-6, "closed {} s after parking", at - since);
                        closed += 1;
                    } else {
                        assert!(at - since < threshold, "a reply {} s after parking reopened it", at - since);
                        replied += 1;
                    }
                }
                _ => {}
            }
        }
        assert!(parked.values().all(|&since| since > horizon - threshold), "an episode never ended");
    }
    let n = (closed + replied) as f64;
    let share = closed as f64 / n;
    let expected = (-0.5f64).exp();
    // Binomial 95% half-width (normal approximation). Observed: 0.6041 of 27 177 episodes, half-width
    // 0.0058, so three half-widths (0.017, 2.9% of 0.61) are far from a 10% error.
    let half = 1.96 * (expected * (1.0 - expected) / n).sqrt();
    assert!(n > 10_000.0, "{n} episodes");
    assert!(
        (share - expected).abs() < 3.0 * half,
        "auto-closed {share:.4} of {n} episodes, expected {expected:.4} ± {half:.4}"
    );
}

#[test]
fn conversations_that_never_reply_are_all_auto_closed_exactly_at_the_threshold_in_the_trace() {
    // Every conversation is parked after its 2 minutes of handling and never gets a reply: in the
    // per-conversation trace, each one whose close falls before the horizon is auto_closed, after
    // exactly 10 minutes in Waiting; none completes.
    let text = messaging(
        "{ probability = 1.0, customer_reply = \"1m\", never_reply = 1.0 }",
        "auto_close_after_inactivity = \"10m\"",
        ONE_GROUP,
    );
    let (s, _, rows) = crate::common::run_traced(&text);
    let horizon = s.simulation.horizon.0;
    let mut closed = 0;
    for row in &rows {
        let parked_at = row.view.arrival.0 + row.open_s + row.offered_s + row.active_s;
        if row.outcome == Outcome::AutoClosed {
            closed += 1;
            assert!((row.waiting_s - 600.0).abs() < 1e-6, "waited {} s: {row:?}", row.waiting_s);
            let closed_at = row.closed.expect("a closed conversation has a close time").0;
            assert!((closed_at - parked_at - 600.0).abs() < 1e-6, "{row:?}");
        } else {
            // Still there at the horizon, and only because its wait (if it had begun) was younger
            // than the threshold.
            assert_eq!(row.outcome, Outcome::InSystem, "{row:?}");
            assert!(row.waiting_s < 600.0 && parked_at + row.waiting_s > horizon - 1e-6, "{row:?}");
        }
    }
    assert!(closed > 2_000, "{closed} auto-closed");
}

#[test]
fn without_waiting_settings_no_conversation_waits() {
    // The default scenario has an SMS work stream and no `waiting` table: no episode of Waiting, no
    // reopen, in any replication or scope. The same center with `waiting` added does wait.
    let plain = ccsim::scenario::DEFAULT_SCENARIO.replace("replications = 10", "replications = 3");
    let r = run(&plain);
    for scope in r.scopes.iter().filter(|s| s.kind != ScopeKind::AgentGroup) {
        for rep in 0..r.replications.len() {
            for metric in [Metric::Waits, Metric::Reopened] {
                assert_eq!(r.replication_value(rep, scope, metric).number(), 0.0, "{} {metric:?}", scope.name);
            }
        }
    }
    assert!(all(&r, Metric::Completed).mean > 1_000.0);
    assert!(Recorder::run(&plain).of("waiting").is_empty());
    let waiting = plain.replace(
        "wrap_up = \"30s\"",
        "wrap_up = \"30s\"\nwaiting = { probability = 0.3, customer_reply = { dist = \"exponential\", mean = \"20m\" } }",
    );
    assert_ne!(waiting, plain);
    let w = run(&waiting);
    assert!(all(&w, Metric::Waits).mean > 100.0 && all(&w, Metric::Reopened).mean > 0.0);
}

#[test]
fn round_robin_spreads_assignments_evenly_across_equal_agents() {
    // Six equal agents of capacity 1 at about 50% load, random handle times, 20 days: each agent
    // must get a sixth of the assignments. Round robin (oldest last assignment first among those
    // free) spreads them even more evenly than chance would; a method that preferred the roster
    // order would give agent 0 far more than agent 5. Pearson's χ² against equal shares, 5 degrees
    // of freedom, must stay below its 0.1% point (20.5). Observed: counts from 2 850 to 2 920,
    // χ² = 1.0 (chance alone would give about 5).
    let text = r#"
[simulation]
horizon = "20d"
replications = 1
seed = 5
[[channel]]
name = "c"
kind = "sms"
work_stream = "w"
arrivals = { process = "poisson", rate_per_hour = 36 }
[[work_stream]]
name = "w"
handle_time = { dist = "exponential", mean = "5m" }
[[queue]]
name = "q"
assignment = "round_robin"
[[agent_group]]
name = "a"
count = 6
capacity = 1
queues = ["q"]
"#;
    let counts = |text: &str| {
        let mut counts = [0u64; 6];
        for (_, agent, _) in Recorder::run(text).of("answered") {
            counts[agent as usize] += 1;
        }
        counts
    };
    let chi_square = |counts: &[u64; 6]| {
        let expected = counts.iter().sum::<u64>() as f64 / 6.0;
        counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum::<f64>()
    };
    let spread = counts(text);
    assert!(spread.iter().sum::<u64>() > 15_000, "{spread:?}");
    assert!(chi_square(&spread) < 20.5, "round robin: {spread:?}, χ² = {}", chi_square(&spread));
    // And no agent's count is further from a sixth than three binomial standard deviations.
    let n = spread.iter().sum::<u64>() as f64;
    let (mean, sd) = (n / 6.0, (n / 6.0 * 5.0 / 6.0).sqrt());
    assert!(spread.iter().all(|&c| (c as f64 - mean).abs() < 3.0 * sd), "round robin: {spread:?}, {mean} ± {sd}");
}
