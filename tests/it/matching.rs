//! Who may take what, beyond capacity units (DESIGN.md "Routing, wave 2"): capacity profiles —
//! a per-agent limit of a profile's conversations that makes agents of capacity 3 serve chats one
//! (or two) at a time, exactly an M/M/c (M/M/(c·2)) by Erlang C, and a blocking profile that
//! keeps every agent holding a call from new chats; and skills — a required skill that only some
//! members of a queue have at the rating makes the queue an M/M/c of those members (exact), and of
//! every member with the skill at any rating (closest); closest matching gives work to the
//! nearest rating first; a bot's values add required skills to the customer's.
//!
//! The Erlang C comparisons use the settings, seeds, confidence rule and allowance of `theory`,
//! where they are derived: three 95% half-widths plus 0.2% of the theoretical value.

use crate::common::{Center, all, assert_agrees, assert_conserved, run, run_traced, single_queue};
use crate::theory::{ALLOWANCE, K, SIMULATION};
use ccsim::erlang::{self, QueueModel};
use ccsim::metrics::Metric;

/// λ = 200/h, AHT 180 s, 14 agents of capacity 3 whose chats count against profile `chat`.
fn profiled(group_keys: &str) -> String {
    single_queue(200.0, 180.0, 14, 3, "capacity_profile = \"chat\"", SIMULATION)
        .replace("capacity = 3\n", &format!("capacity = 3\n{group_keys}\n"))
        + "\n[[capacity_profile]]\nname = \"chat\"\nlimit = 1\n"
}

fn assert_erlang_c(text: &str, concurrency: u32) {
    assert_erlang_c_of(text, 14, concurrency);
}

fn assert_erlang_c_of(text: &str, agents: u32, concurrency: u32) {
    let model = QueueModel { arrivals_per_hour: 200.0, aht_s: 180.0, agents, concurrency, patience_mean_s: None };
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

/// λ = 200/h, AHT 180 s, one queue: 14 agents with spanish 7 and 10 with spanish 3, and 6 without
/// it; every conversation requires spanish 5.
fn spanish(matching: &str) -> String {
    Center::new("live_chat", 200.0, "{ dist = \"exponential\", mean = 180 }", 0)
        .simulation(SIMULATION)
        .work_stream(&format!(
            "auto_close_open = \"0s\"\nmatching = \"{matching}\"\n\
             [[work_stream.classification]]\nwhen = {{}}\nskills = {{ spanish = 5 }}"
        ))
        .groups(
            "[[agent_group]]\nname = \"fluent\"\ncount = 14\nqueues = [\"q\"]\nskills = { spanish = 7 }\n\
             [[agent_group]]\nname = \"basic\"\ncount = 10\nqueues = [\"q\"]\nskills = { spanish = 3 }\n\
             [[agent_group]]\nname = \"none\"\ncount = 6\nqueues = [\"q\"]\n",
        )
        .toml()
}

#[test]
fn exact_matching_serves_a_skill_with_the_members_rated_for_it_alone() {
    // 14 servers: P(wait) 0.174. With the 30 members it would be below 1e-6.
    assert_erlang_c_of(&spanish("exact"), 14, 1);
}

#[test]
fn closest_matching_serves_a_skill_with_every_member_who_has_it() {
    // 24 servers (P(wait) ≈ 2e-4), and never the 6 without spanish.
    let text = spanish("closest");
    assert_erlang_c_of(&text, 24, 1);
    let (s, _, rows) = run_traced(&text.replace("replications = 20", "replications = 2"));
    let without = s.agent_groups[0].count + s.agent_groups[1].count;
    assert!(rows.iter().filter(|r| r.first_accept.is_some()).all(|r| r.view.agent.0 < without));
}

#[test]
fn closest_matching_offers_the_nearest_rating_first_the_over_qualified_before_the_under() {
    // One agent rated exactly 5, one 7, one 3 (as far from 5 as 7), and one 9; work requires 5.
    // A conversation goes to the 7 only while the 5 holds one, to the 3 only while both do, to
    // the 9 only while the other three do.
    let text = Center::new("live_chat", 90.0, "{ dist = \"exponential\", mean = 120 }", 0)
        .simulation("horizon = \"5d\"\nreplications = 1\nseed = 4")
        .work_stream(
            "auto_close_open = \"0s\"\nmatching = \"closest\"\n\
             [[work_stream.classification]]\nwhen = {}\nskills = { spanish = 5 }",
        )
        .groups(
            &[("exact", 5), ("over", 7), ("under", 3), ("far", 9)]
                .iter()
                .map(|(name, r)| {
                    format!(
                        "[[agent_group]]\nname = \"{name}\"\ncount = 1\nqueues = [\"q\"]\nskills = {{ spanish = {r} }}\n"
                    )
                })
                .collect::<String>(),
        )
        .toml();
    let (_, r, rows) = run_traced(&text);
    assert_conserved(&r);
    // Capacity is held from the accept (offers are accepted at once) to the close.
    let held: Vec<(u32, f64, f64)> = rows
        .iter()
        .filter_map(|row| Some((row.view.agent.0, row.first_accept?.0, row.closed.map_or(f64::INFINITY, |c| c.0))))
        .collect();
    let busy = |agent: u32, at: f64| held.iter().any(|&(a, s, e)| a == agent && s < at && at < e);
    let mut taken = [0; 4];
    for &(agent, start, _) in &held {
        taken[agent as usize] += 1;
        for nearer in 0..agent {
            assert!(busy(nearer, start), "agent {agent} was given work at {start} while agent {nearer} was free");
        }
    }
    assert!(taken.iter().all(|&n| n > 0), "every agent was reached: {taken:?}");
}

#[test]
fn a_bots_values_add_required_skills_to_the_customers() {
    // Customers write in English; the bot marks every escalation Spanish. Only the bilingual
    // agents have both skills, and take everything.
    let text = r#"
[simulation]
horizon = "1d"
replications = 1
seed = 8

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chat"
arrivals = { process = "poisson", rate_per_hour = 30 }
context = { language = { en = 1.0 } }

[[work_stream]]
name = "chat"
handle_time = { dist = "exponential", mean = "4m" }
auto_close_open = "0s"
context_variables = [ { name = "language", type = "text" } ]
bot = { handle_time = "30s", containment = 0.0, sets = { language = { es = 1.0 } } }

[[work_stream.classification]]
when = { language = "en" }
skills = { english = 5 }

[[work_stream.classification]]
when = { language = "es" }
skills = { spanish = 5 }

[[queue]]
name = "q"

[[agent_group]]
name = "english"
count = 6
queues = ["q"]
skills = { english = 9 }

[[agent_group]]
name = "spanish"
count = 6
queues = ["q"]
skills = { spanish = 9 }

[[agent_group]]
name = "bilingual"
count = 4
queues = ["q"]
skills = { english = 6, spanish = 6 }
"#;
    let (_, r, rows) = run_traced(text);
    assert_conserved(&r);
    let answered: Vec<u32> = rows.iter().filter(|r| r.first_accept.is_some()).map(|r| r.view.agent.0).collect();
    assert!(answered.len() > 500, "{}", answered.len());
    assert!(answered.iter().all(|&a| a >= 12), "an agent without both skills answered");
}
