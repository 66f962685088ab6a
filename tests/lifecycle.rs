//! The conversation lifecycle and the exact rules of DESIGN.md, checked end to end: routing,
//! conservation, shifts, wrap-up capacity, assignment ties, and arrival cohorts.

mod common;

use ccsim::engine::{self, AgentLoad, ConversationView, Observer};
use ccsim::metrics::{Metric, ScopeKind};
use ccsim::scenario::{DEFAULT_SCENARIO, GroupId};
use ccsim::time::{Duration, SimTime};
use common::{all, assert_agrees, run, scenario, scope, single_queue};

#[test]
fn conversations_are_conserved_in_every_scope() {
    // offered = completed + abandoned + auto_closed + in_system, per replication and scope, on the
    // default scenario (patience, live-chat auto-close, shifts) with short abandons excluded.
    let text = DEFAULT_SCENARIO.replace("replications = 10", "replications = 4\nshort_abandon = \"10s\"");
    let r = run(&text);
    for scope in r.scopes.iter().filter(|s| s.kind != ScopeKind::AgentGroup) {
        for rep in 0..r.replications.len() {
            let v = |m: Metric| r.replication_value(rep, scope, m).number();
            let accounted = v(Metric::Completed) + v(Metric::Abandoned) + v(Metric::AutoClosed) + v(Metric::InSystem);
            assert_eq!(v(Metric::Offered), accounted, "{:?} {} replication {rep}", scope.kind, scope.name);
            assert!(v(Metric::Offered) > 0.0);
        }
    }
    assert!(all(&r, Metric::ShortAbandoned).mean > 0.0, "the short-abandon rule was exercised");
}

#[test]
fn routing_rules_send_conversations_to_the_first_matching_queue_in_the_implied_proportions() {
    // tier gold (0.2) → vip; else product technical (0.35) → technical; else general.
    // Expected shares: vip 0.2, technical 0.8 × 0.35 = 0.28, general 0.52.
    let text = r#"
[simulation]
horizon = "5d"
replications = 4

[[channel]]
name = "web"
kind = "persistent_chat"
work_stream = "chat"
arrivals = { process = "poisson", rate_per_hour = 200 }
context = { tier = { gold = 0.2, standard = 0.8 }, product = { billing = 0.5, technical = 0.35, sales = 0.15 }, value = { dist = "uniform", min = 0, max = 500 } }

[[work_stream]]
name = "chat"
handle_time = "1m"
context_variables = [ { name = "tier", type = "text" }, { name = "product", type = "text" }, { name = "value", type = "number" } ]
fallback_queue = "general"

[[work_stream.routing_rule]]
when = { tier = "gold" }
queue = "vip"

[[work_stream.routing_rule]]
when = { product = { in = ["technical"] }, value = { ge = 0 } }
queue = "technical"

[[work_stream.routing_rule]]
when = { value = { lt = 0 } }
queue = "vip"

[[queue]]
name = "vip"
[[queue]]
name = "technical"
[[queue]]
name = "general"

[[agent_group]]
name = "all"
count = 10
queues = ["vip", "technical", "general"]
"#;
    let r = run(text);
    let total = all(&r, Metric::Offered).mean * 4.0;
    for (queue, p) in [("vip", 0.2), ("technical", 0.28), ("general", 0.52)] {
        let n = r.estimate(scope(&r, ScopeKind::Queue, queue), Metric::Offered).mean * 4.0;
        let se = (p * (1.0 - p) / total).sqrt();
        assert!((n / total - p).abs() < 4.0 * se, "{queue}: share {} vs {p} (se {se})", n / total);
    }
}

#[test]
fn number_conditions_split_at_their_threshold() {
    // value ~ U(0, 500), rule value ≥ 200 → big: share 0.6.
    let text = r#"
[simulation]
horizon = "5d"
replications = 2
[[channel]]
name = "sms"
kind = "sms"
work_stream = "sms"
arrivals = { process = "poisson", rate_per_hour = 100 }
context = { value = { dist = "uniform", min = 0, max = 500 } }
[[work_stream]]
name = "sms"
handle_time = "1m"
context_variables = [ { name = "value", type = "number" } ]
fallback_queue = "small"
[[work_stream.routing_rule]]
when = { value = { ge = 200 } }
queue = "big"
[[queue]]
name = "big"
[[queue]]
name = "small"
[[agent_group]]
name = "all"
count = 5
queues = ["big", "small"]
"#;
    let r = run(text);
    let total = all(&r, Metric::Offered).mean;
    let big = r.estimate(scope(&r, ScopeKind::Queue, "big"), Metric::Offered).mean;
    let se = (0.6 * 0.4 / (2.0 * total)).sqrt();
    assert!((big / total - 0.6).abs() < 4.0 * se, "share {}", big / total);
}

#[test]
fn nobody_is_answered_while_every_agent_is_off_shift() {
    // Agents work 08:00–17:00; conversations arrive all day and never give up. One arriving at
    // 02:00 waits at least until 08:00, and nobody is answered by an off-shift agent.
    let text = r#"
[simulation]
horizon = "2d"
replications = 3
[[channel]]
name = "sms"
kind = "sms"
work_stream = "sms"
arrivals = { process = "poisson", rate_per_hour = 20 }
[[work_stream]]
name = "sms"
handle_time = "2m"
[[queue]]
name = "q"
[[agent_group]]
name = "day"
count = 5
queues = ["q"]
shift = { start = "08:00", end = "17:00" }
"#;
    let r = run(text);
    let all_scope = &r.scopes[0];
    let k_0200 = 2; // the interval 02:00–03:00 of day 1
    let asa = r.interval_value(k_0200, all_scope, Metric::AsaS);
    assert!(asa >= 5.0 * 3600.0 && asa <= 6.0 * 3600.0, "ASA of the 02:00 cohort: {asa}");
    let k_1000 = 10;
    assert!(r.interval_value(k_1000, all_scope, Metric::AsaS) < 60.0);
    // Occupancy never exceeds 1: agents finishing work after 17:00 still count as staffed.
    for k in 0..r.interval_labels.len() {
        let occ = r.interval_value(k, all_scope, Metric::Occupancy);
        assert!(occ.is_nan() || occ <= 1.0 + 1e-12, "interval {k}: occupancy {occ}");
    }
    assert_eq!(all(&r, Metric::Abandoned).mean, 0.0);
}

#[test]
fn an_agent_leaving_shift_finishes_what_it_holds() {
    // Handle time 3 h, shift 08:00–09:00, horizon 2 days: everything accepted before 09:00 is
    // completed after the shift ends; nothing is lost.
    let text = r#"
[simulation]
horizon = "2d"
replications = 2
[[channel]]
name = "sms"
kind = "sms"
work_stream = "sms"
arrivals = { process = "poisson", rate_per_hour = 3 }
[[work_stream]]
name = "sms"
handle_time = "3h"
[[queue]]
name = "q"
[[agent_group]]
name = "day"
count = 2
capacity = 1
queues = ["q"]
shift = { start = "08:00", end = "09:00" }
"#;
    let r = run(text);
    let answered = all(&r, Metric::Answered).mean;
    assert!(answered > 0.0);
    // Every conversation answered on day 1 (at most 2 per day, accepted 08:00–09:00) completes by 12:00.
    let day1_answered: f64 = (0..24).map(|k| r.interval_value(k, &r.scopes[0], Metric::Answered)).sum();
    assert!(day1_answered > 0.0);
    assert!(r.estimate(&r.scopes[0], Metric::Completed).mean >= day1_answered - 1e-9);
}

/// Records which agent group handled each conversation, in order of handling.
#[derive(Default)]
struct HandledBy(Vec<u16>);

impl Observer for HandledBy {
    fn arrived(&mut self, _: ConversationView) {}
    fn answered(&mut self, _: ConversationView, _: SimTime) {}
    fn abandoned(&mut self, _: ConversationView, _: SimTime) {}
    fn auto_closed(&mut self, _: ConversationView, _: SimTime) {}
    fn completed(&mut self, _: ConversationView, _: SimTime) {}
    fn handled(&mut self, group: GroupId, _: ConversationView, _: Duration) {
        self.0.push(group.0);
    }
    fn wrapped_up(&mut self, _: GroupId, _: ConversationView, _: Duration) {}
    fn open_changed(&mut self, _: ConversationView, _: SimTime, _: i64) {}
    fn agent_load_changed(&mut self, _: GroupId, _: SimTime, _: AgentLoad) {}
    fn in_system(&mut self, _: ConversationView) {}
    fn finished(&mut self, _: SimTime) {}
}

#[test]
fn highest_capacity_prefers_free_capacity_then_the_oldest_last_assignment() {
    // Agent a (group 0) and agent b (group 1), capacity 2 each, handle time 1000 s, arrivals
    // about one a second. 1st: both free, never assigned → a (roster order). 2nd: a has 1 free,
    // b 2 → b. 3rd: 1 free each, a's last assignment is older → a. 4th: only b has room → b.
    // With constant handle times conversations finish in the order they were assigned.
    let text = r#"
[simulation]
horizon = "1h"
replications = 1
[[channel]]
name = "c"
kind = "sms"
work_stream = "w"
arrivals = { process = "poisson", rate_per_hour = 3600 }
[[work_stream]]
name = "w"
handle_time = "1000s"
[[queue]]
name = "q"
[[agent_group]]
name = "a"
count = 1
capacity = 2
queues = ["q"]
[[agent_group]]
name = "b"
count = 1
capacity = 2
queues = ["q"]
"#;
    let s = scenario(text);
    let mut seen = HandledBy::default();
    engine::simulate(&s, 0, &mut seen);
    assert_eq!(&seen.0[..4], &[0, 1, 0, 1]);
}

#[test]
fn wrap_up_blocks_capacity_as_configured() {
    // One agent of capacity 1, handle 100 s, wrap-up 50 s, 9 arrivals per hour, no abandonment:
    // in steady state occupancy = λ × (time capacity is held). With `always` the agent holds one
    // conversation at a time, so utilization = λ × 150 s too; with a shorter block the agent may
    // start the next conversation while wrapping up, and utilization is lower.
    let sim = "horizon = \"20d\"\nwarmup = \"1h\"\nreplications = 10\nseed = 5";
    for (block, held) in [("\"always\"", 150.0), ("\"never\"", 100.0), ("\"20s\"", 120.0)] {
        let ws = format!("wrap_up = \"50s\"\nblock_capacity_for_wrap_up = {block}");
        let text =
            single_queue(9.0, 100.0, 1, 1, &ws, sim).replace("{ dist = \"exponential\", mean = 100 }", "\"100s\"");
        let r = run(&text);
        let lambda = 9.0 / 3600.0;
        assert_agrees(&format!("occupancy with {block}"), all(&r, Metric::Occupancy), lambda * held, 3.0, 0.002);
        if block == "\"always\"" {
            assert_agrees("utilization", all(&r, Metric::Utilization), lambda * 150.0, 3.0, 0.002);
        } else {
            assert!(all(&r, Metric::Utilization).mean < lambda * 150.0);
        }
        assert_eq!(all(&r, Metric::WrapUpS).mean, 50.0);
        assert_eq!(all(&r, Metric::AhtS).mean, 100.0);
    }
}

#[test]
fn live_chat_closes_unanswered_chats_after_twenty_minutes() {
    // Nobody is on shift until 23:00: every live chat arriving earlier is auto-closed unanswered
    // exactly 20 minutes after arrival, and counted in the service-level denominator.
    let text = r#"
[simulation]
horizon = "1d"
replications = 2
[[channel]]
name = "c"
kind = "live_chat"
work_stream = "w"
arrivals = { process = "poisson", rate_per_hour = 30 }
[[work_stream]]
name = "w"
handle_time = "1m"
[[queue]]
name = "q"
[[agent_group]]
name = "late"
count = 1
queues = ["q"]
shift = { start = "23:00", end = "23:59" }
"#;
    let r = run(text);
    let s = &r.scopes[0];
    for k in 0..22 {
        assert_eq!(r.interval_value(k, s, Metric::Answered), 0.0);
        assert_eq!(r.interval_value(k, s, Metric::AutoClosed), r.interval_value(k, s, Metric::Offered));
        assert_eq!(r.interval_value(k, s, Metric::ServiceLevel), 0.0);
    }
    // A chat is Open for exactly 20 minutes: the average number Open is λ × 20 min = 10.
    let queue_len = r.estimate(s, Metric::AvgQueueLen);
    assert!(queue_len.mean > 7.0 && queue_len.mean < 13.0, "{queue_len:?}");
}

#[test]
fn metrics_count_only_conversations_that_arrive_after_warm_up() {
    let with =
        run(&single_queue(100.0, 60.0, 5, 1, "", "horizon = \"1d\"\nwarmup = \"12h\"\nreplications = 3\nseed = 9"));
    let without = run(&single_queue(100.0, 60.0, 5, 1, "", "horizon = \"1d\"\nreplications = 3\nseed = 9"));
    assert_eq!(with.interval_labels.len(), 12);
    assert_eq!(with.interval_labels[0].0, "12:00");
    // Same seed, same customers: the warm-up run counts exactly the afternoon arrivals.
    let afternoon: f64 = (12..24).map(|k| without.interval_value(k, &without.scopes[0], Metric::Offered)).sum();
    assert!((all(&with, Metric::Offered).mean - afternoon).abs() < 1e-9);
}
