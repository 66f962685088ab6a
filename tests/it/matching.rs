//! Who may take what, beyond capacity units (DESIGN.md "Routing, wave 2"): capacity profiles —
//! a per-agent limit of a profile's conversations that makes agents of capacity 3 serve chats one
//! (or two) at a time, exactly an M/M/c (M/M/(c·2)) by Erlang C, and a blocking profile that
//! keeps every agent holding a call from new chats.
//!
//! The Erlang C comparisons use the settings, seeds, confidence rule and allowance of `theory`,
//! where they are derived: three 95% half-widths plus 0.2% of the theoretical value.

use crate::common::{all, assert_agrees, assert_conserved, run, run_traced, single_queue};
use ccsim::erlang::{self, QueueModel};
use ccsim::metrics::Metric;

const SIMULATION: &str = r#"horizon = "10d"
warmup = "2h"
replications = 20
seed = 42
service_level_threshold = "20s""#;
const K: f64 = 3.0;
const ALLOWANCE: f64 = 0.002;

/// λ = 200/h, AHT 180 s, 14 agents of capacity 3 whose chats count against profile `chat`.
fn profiled(group_keys: &str) -> String {
    single_queue(200.0, 180.0, 14, 3, "capacity_profile = \"chat\"", SIMULATION)
        .replace("capacity = 3\n", &format!("capacity = 3\n{group_keys}\n"))
        + "\n[[capacity_profile]]\nname = \"chat\"\nlimit = 1\n"
}

fn assert_erlang_c(text: &str, concurrency: u32) {
    let model = QueueModel { arrivals_per_hour: 200.0, aht_s: 180.0, agents: 14, concurrency, patience_mean_s: None };
    let expected = erlang::figures(&model, 20.0).expect("valid model");
    let r = run(text);
    assert_conserved(&r);
    assert_agrees("p_wait", all(&r, Metric::PWait), expected.p_wait, K, ALLOWANCE);
    assert_agrees("service_level", all(&r, Metric::ServiceLevel), expected.service_level, K, ALLOWANCE);
    assert_agrees("asa_s", all(&r, Metric::AsaS), expected.asa_s, K, ALLOWANCE);
}

#[test]
fn a_profile_limit_of_one_makes_agents_of_capacity_three_an_m_m_c() {
    // P(wait) 0.174 with 14 servers; the 42 units alone would make it ~1e-9.
    let text = profiled("");
    assert!(text.contains("capacity = 3\n"), "{text}");
    assert_erlang_c(&text, 1);
}

#[test]
fn a_groups_own_limit_replaces_the_profiles() {
    // Two chats each: 28 servers, P(wait) ≈ 0.0006 — and far from the 14-server 0.174.
    assert_erlang_c(&profiled("capacity_profiles = { chat = 2 }"), 2);
}

/// Calls (profile `call`, blocking or not) and chats on the same agents of capacity 3.
fn blended(block_others: bool) -> String {
    format!(
        r#"
[simulation]
horizon = "2d"
replications = 1
seed = 3

[[channel]]
name = "phone"
kind = "voice"
work_stream = "calls"
arrivals = {{ process = "poisson", rate_per_hour = 40 }}

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chats"
arrivals = {{ process = "poisson", rate_per_hour = 80 }}

[[work_stream]]
name = "calls"
handle_time = {{ dist = "exponential", mean = "4m" }}
capacity_profile = "call"
fallback_queue = "calls"

[[work_stream]]
name = "chats"
handle_time = {{ dist = "exponential", mean = "6m" }}
auto_close_open = "0s"
fallback_queue = "chats"

[[queue]]
name = "calls"
[[queue]]
name = "chats"

[[agent_group]]
name = "blended"
count = 8
capacity = 3
queues = ["calls", "chats"]

[[capacity_profile]]
name = "call"
limit = 1
block_others = {block_others}
"#
    )
}

/// Per agent, the chats accepted while the agent held a call, and the calls beside a call.
fn chats_during_calls(text: &str) -> (usize, usize) {
    let (s, r, rows) = run_traced(text);
    assert_conserved(&r);
    let calls = s.work_streams.iter().position(|w| w.name == "calls").unwrap();
    // Without offers configured an offer is accepted at once, and capacity is held to the close.
    let held: Vec<(u32, bool, f64, f64)> = rows
        .iter()
        .filter_map(|row| {
            let start = row.first_accept?.0;
            let end = row.closed.map_or(f64::INFINITY, |c| c.0);
            Some((row.view.agent.0, row.view.work_stream.index() == calls, start, end))
        })
        .collect();
    let during = |want_call: bool| {
        held.iter()
            .filter(|&&(agent, is_call, start, _)| {
                is_call == want_call && held.iter().any(|&(a, call, s, e)| a == agent && call && s < start && start < e)
            })
            .count()
    };
    (during(false), during(true))
}

#[test]
fn a_blocking_profile_keeps_an_agent_on_a_call_from_new_chats() {
    let (chats, calls) = chats_during_calls(&blended(true));
    assert_eq!((chats, calls), (0, 0), "chats and calls accepted during a call");
    // The same center without blocking gives chats to agents on calls, but never a second call.
    let (chats, calls) = chats_during_calls(&blended(false));
    assert!(chats > 100, "only {chats} chats accepted during a call without blocking");
    assert_eq!(calls, 0, "a second call beside a call, past the limit of 1");
}
