//! Push offers (accept, reject, timeout, decline limit, presence penalties) and pick mode
//! (polling, immediate picks, policies, capacity), end to end.

use crate::common::{all, assert_agrees, run, scope, single_queue};
use ccsim::erlang::{self, QueueModel};
use ccsim::metrics::trace::Outcome;
use ccsim::metrics::{Metric, ScopeKind, Value};

const LONG: &str = "horizon = \"10d\"\nwarmup = \"2h\"\nreplications = 20\nseed = 7\nservice_level_threshold = \"20s\"";

/// The single-queue center with an `offer` or `pick` table added to its agent group.
fn with_group_keys(text: &str, keys: &str) -> String {
    text.replace("queues = [\"q\"]\n", &format!("queues = [\"q\"]\n{keys}\n"))
}

#[test]
fn an_offer_is_answered_after_the_response_time_and_the_first_wait_ends_at_accept() {
    // Plenty of agents, every offer accepted after exactly 10 s: every first wait is 10 s, nobody
    // counts as queued (the response time is not a queue), and all offers are accepted.
    let text = with_group_keys(
        &single_queue(60.0, 120.0, 20, 1, "", "horizon = \"2d\"\nreplications = 3"),
        "offer = { accept = 1.0, response_time = \"10s\" }",
    );
    let r = run(&text);
    assert_eq!(all(&r, Metric::PWait).mean, 0.0);
    assert!((all(&r, Metric::AsaS).mean - 10.0).abs() < 1e-9);
    assert!((all(&r, Metric::TimeToAcceptS).mean - 10.0).abs() < 1e-9);
    assert_eq!(all(&r, Metric::Offers).mean, all(&r, Metric::Answered).mean);
    assert_eq!(all(&r, Metric::Rejects).mean + all(&r, Metric::Timeouts).mean, 0.0);
}

#[test]
fn an_agent_who_declined_a_conversation_decline_limit_times_is_never_offered_it_again() {
    // One agent who rejects everything: each conversation is offered exactly `decline_limit`
    // times (here 2), then waits unanswered until auto-close.
    let text = with_group_keys(
        &single_queue(
            6.0,
            60.0,
            1,
            1,
            "auto_close_open = \"1h\"",
            "horizon = \"2d\"\nreplications = 3\ndecline_limit = 2",
        )
        .replace("auto_close_open = \"0s\"\n", ""),
        "offer = { accept = 0.0, reject = 1.0, response_time = \"5s\" }",
    );
    let r = run(&text);
    let offered = all(&r, Metric::Offered).mean;
    assert!(offered > 0.0);
    assert_eq!(all(&r, Metric::Answered).mean, 0.0);
    let resolved = all(&r, Metric::AutoClosed).mean + all(&r, Metric::InSystem).mean;
    assert!((resolved - offered).abs() < 1e-9);
    // Conversations still in the system at the horizon may not have used all their offers yet.
    let offers = all(&r, Metric::Offers).mean;
    assert!(offers <= 2.0 * offered && offers >= 2.0 * all(&r, Metric::AutoClosed).mean, "{offers} offers");
    assert_eq!(all(&r, Metric::Rejects).mean, offers);
}

#[test]
fn a_declined_conversation_goes_to_another_agent_before_the_decliner() {
    // Two agents; each rejects with probability 0.5. A rejected conversation goes to the other
    // agent first (a decliner drops in priority), so with the decline limit at 1 each
    // conversation is offered at most twice, and answered with probability 1 − 0.25 = 0.75 when
    // both agents are free. Light load keeps both free almost always.
    let text = with_group_keys(
        &single_queue(
            2.0,
            30.0,
            2,
            1,
            "auto_close_open = \"10m\"",
            "horizon = \"100d\"\nreplications = 10\ndecline_limit = 1",
        )
        .replace("auto_close_open = \"0s\"\n", ""),
        "offer = { accept = 0.5, reject = 0.5 }",
    );
    let r = run(&text);
    let answered_share = all(&r, Metric::Answered).mean / all(&r, Metric::Offered).mean;
    let n = all(&r, Metric::Offered).mean * 10.0;
    assert!((answered_share - 0.75).abs() < 4.0 * (0.75f64 * 0.25 / n).sqrt() + 0.005, "{answered_share}");
    let offers_per = all(&r, Metric::Offers).mean / all(&r, Metric::Offered).mean;
    assert!((offers_per - 1.5).abs() < 0.03, "{offers_per}");
}

#[test]
fn a_customer_whose_patience_ends_during_an_offer_abandons_and_the_offer_is_withdrawn() {
    // Patience 5 s, every response takes 10 s: all abandon during the offer; capacity returns.
    let text = with_group_keys(
        &single_queue(30.0, 60.0, 5, 1, "patience = \"5s\"", "horizon = \"1d\"\nreplications = 2"),
        "offer = { accept = 1.0, response_time = \"10s\" }",
    );
    let r = run(&text);
    assert_eq!(all(&r, Metric::Answered).mean, 0.0);
    assert_eq!(all(&r, Metric::Abandoned).mean + all(&r, Metric::InSystem).mean, all(&r, Metric::Offered).mean);
    assert_eq!(all(&r, Metric::Offers).mean, all(&r, Metric::Offered).mean);
    // Capacity was reserved for 5 s per conversation: occupancy = λ × 5 s / 5 agents.
    let occupancy = all(&r, Metric::Occupancy).mean;
    assert!((occupancy - 30.0 / 3600.0 * 5.0 / 5.0).abs() < 2e-3, "{occupancy}");
}

#[test]
fn timeouts_last_exactly_the_timeout_and_can_make_the_agent_inactive() {
    // Every offer times out after 30 s. Without the penalty the agent is offered the next
    // conversation at once; with `timeout_sets_inactive` it is away for 10 minutes after each
    // timeout, so far fewer offers are made.
    let base = single_queue(
        20.0,
        60.0,
        1,
        1,
        "auto_close_open = \"2h\"",
        "horizon = \"2d\"\nreplications = 3\ndecline_limit = 1",
    )
    .replace("auto_close_open = \"0s\"\n", "");
    let plain = run(&with_group_keys(&base, "offer = { accept = 0.0, reject = 0.0, timeout = \"30s\" }"));
    let inactive = run(&with_group_keys(
        &base,
        "offer = { accept = 0.0, timeout = \"30s\", timeout_sets_inactive = true, presence_reset = \"10m\" }",
    ));
    // Offers still open at the horizon have not timed out yet.
    let (timeouts, offers) = (all(&plain, Metric::Timeouts).mean, all(&plain, Metric::Offers).mean);
    assert!(timeouts <= offers && offers - timeouts <= 1.0, "{timeouts} of {offers}");
    assert!(all(&inactive, Metric::Offers).mean < 0.5 * all(&plain, Metric::Offers).mean);
    // While inactive the agent is away: it shows in agents.csv's presence shares via load.
    assert!(all(&inactive, Metric::Offers).mean > 0.0);
}

#[test]
fn picking_the_moment_an_agent_can_reproduces_erlang_c() {
    // pick.every = "0s" with the oldest-first policy: agents take the oldest Open conversation
    // the moment they have room, which is M/M/c with FIFO.
    let expected = erlang::figures(
        &QueueModel { arrivals_per_hour: 200.0, aht_s: 180.0, agents: 14, concurrency: 1, patience_mean_s: None },
        20.0,
    )
    .unwrap();
    let text =
        with_group_keys(&single_queue(200.0, 180.0, 14, 1, "mode = \"pick\"", LONG), "pick = { every = \"0s\" }");
    let r = run(&text);
    assert_agrees("p_wait", all(&r, Metric::PWait), expected.p_wait, 3.0, 0.002);
    assert_agrees("asa_s", all(&r, Metric::AsaS), expected.asa_s, 3.0, 0.002);
    assert_agrees("service_level", all(&r, Metric::ServiceLevel), expected.service_level, 3.0, 0.002);
    assert_eq!(all(&r, Metric::Offers).mean, 0.0, "picks are not offers");
}

#[test]
fn a_polling_agent_answers_after_half_a_period_on_average() {
    // One agent polling every 60 s, rare short conversations: the wait is the time to the
    // agent's next poll, uniform on [0, 60 s), mean 30 s. A second conversation arriving before
    // that poll (probability λ·60 s ≈ 0.3%) waits a period more: the 1% allowance covers it.
    let text = with_group_keys(
        &single_queue(0.2, 5.0, 1, 1, "mode = \"pick\"", "horizon = \"300d\"\nreplications = 10\nseed = 3"),
        "pick = { every = \"60s\" }",
    );
    let r = run(&text);
    assert_agrees("asa_s", all(&r, Metric::AsaS), 30.0, 3.0, 0.01);
    let p90 = all(&r, Metric::WaitP90S).mean;
    assert!((p90 - 54.0).abs() < 2.0, "p90 {p90}");
}

#[test]
fn picks_may_exceed_capacity_only_when_told_to() {
    // One agent of capacity 1 polling every 10 s under heavy load (ρ = 3).
    let base = single_queue(36.0, 300.0, 1, 1, "mode = \"pick\"", "horizon = \"1d\"\nreplications = 2");
    let respectful = run(&with_group_keys(&base, "pick = { every = \"10s\" }"));
    let greedy = run(&with_group_keys(&base, "pick = { every = \"10s\", respect_capacity = false }"));
    assert!(all(&respectful, Metric::Occupancy).mean <= 1.0 + 1e-12);
    assert!(all(&greedy, Metric::Occupancy).mean > 1.5, "manual picks take capacity below zero");
}

/// Two queues of different priority, one picking agent group.
fn two_queues(policy: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "20d"
replications = 5
[[channel]]
name = "c"
kind = "persistent_chat"
work_stream = "w"
arrivals = {{ process = "poisson", rate_per_hour = 50 }}
context = {{ tier = {{ gold = 0.3, standard = 0.7 }} }}
[[work_stream]]
name = "w"
mode = "pick"
handle_time = {{ dist = "exponential", mean = "5m" }}
context_variables = [ {{ name = "tier", type = "text" }} ]
fallback_queue = "general"
[[work_stream.routing_rule]]
when = {{ tier = "gold" }}
queue = "vip"
[[queue]]
name = "vip"
priority = 1
[[queue]]
name = "general"
priority = 2
[[agent_group]]
name = "a"
count = 5
queues = ["vip", "general"]
pick = {{ every = "20s", policy = "{policy}" }}
"#
    )
}

#[test]
fn the_priority_policy_serves_high_priority_queues_first_and_oldest_does_not() {
    let by_priority = run(&two_queues("priority"));
    let by_age = run(&two_queues("oldest"));
    let asa = |r: &ccsim::metrics::RunResults, q: &str| r.estimate(scope(r, ScopeKind::Queue, q), Metric::AsaS);
    assert!(asa(&by_priority, "vip").ci95_high < asa(&by_priority, "general").ci95_low);
    let (vip, general) = (asa(&by_age, "vip"), asa(&by_age, "general"));
    assert!((vip.mean - general.mean).abs() < 3.0 * (vip.half_width() + general.half_width()), "{vip:?} {general:?}");
    let random = run(&two_queues("random"));
    assert!(all(&random, Metric::Answered).mean > 0.0);
}

#[test]
fn agents_may_select_from_push_when_the_work_stream_allows_it() {
    // Push conversations may only go to agents whose presence is busy_dnd, which agents of
    // capacity 1 are only when they are full: push can never assign them. With
    // enable_selecting_from_push the agents pick them anyway, ignoring capacity and presence.
    let text = |enable: bool| {
        format!(
            r#"
[simulation]
horizon = "1d"
replications = 2
[[channel]]
name = "c"
kind = "sms"
work_stream = "push"
arrivals = {{ process = "poisson", rate_per_hour = 10 }}
[[channel]]
name = "p"
kind = "sms"
work_stream = "picked"
arrivals = {{ process = "poisson", rate_per_hour = 1 }}
[[work_stream]]
name = "push"
capacity = 1
allowed_presences = ["busy_dnd"]
enable_selecting_from_push = {enable}
handle_time = "1m"
[[work_stream]]
name = "picked"
mode = "pick"
handle_time = "1m"
[[queue]]
name = "q"
[[agent_group]]
name = "a"
count = 2
queues = ["q"]
pick = {{ every = "30s" }}
"#
        )
    };
    let without = run(&text(false));
    let with = run(&text(true));
    let ws =
        |r: &ccsim::metrics::RunResults| r.estimate(scope(r, ScopeKind::WorkStream, "push"), Metric::Answered).mean;
    assert_eq!(ws(&without), 0.0, "no agent is ever busy_dnd, so push finds nobody");
    assert!(ws(&with) > 0.0);
}

#[test]
fn a_decliner_drops_in_priority_for_that_conversation() {
    // Agent 0 has the most free capacity and would win every offer by highest capacity; after it
    // declines a conversation, the conversation's next offer goes to agent 1 instead whenever
    // agent 1 has room.
    let text = r#"
[simulation]
horizon = "5d"
replications = 1
decline_limit = 3
[[channel]]
name = "c"
kind = "sms"
work_stream = "w"
arrivals = { process = "poisson", rate_per_hour = 2 }
[[work_stream]]
name = "w"
handle_time = "1m"
[[queue]]
name = "q"
[[agent_group]]
name = "big"
count = 1
capacity = 3
queues = ["q"]
offer = { accept = 0.5, reject = 0.5, response_time = "5s" }
[[agent_group]]
name = "small"
count = 1
capacity = 1
queues = ["q"]
offer = { accept = 0.5, reject = 0.5, response_time = "5s" }
"#;
    let rec = crate::common::Recorder::run(text);
    let offers = rec.of("offered");
    // When agent 1 holds something (an offer or a conversation), agent 0 is the only one with
    // room, and a conversation it declined goes back to it.
    let held_by_small: Vec<(f64, f64)> = offers
        .iter()
        .filter(|o| o.1 == 1)
        .map(|&(id, _, from)| {
            let until = rec
                .events
                .iter()
                .filter(|e| e.1 == id && e.2 == 1 && e.3 > from && matches!(e.0, "declined" | "completed"))
                .map(|e| e.3)
                .fold(f64::INFINITY, f64::min);
            (from, until)
        })
        .collect();
    // The offer to agent 1 that follows a decline is made at the decline's instant: not before it.
    let small_is_free = |t: f64| !held_by_small.iter().any(|&(from, until)| from < t && t < until);
    let mut checked = 0;
    for (id, agent, at) in rec.of("declined") {
        let to: Vec<u32> = offers.iter().filter(|o| o.0 == id).map(|o| o.1).collect();
        if to.len() >= 2 && to[0] == agent && small_is_free(at) {
            assert_ne!(to[1], agent, "conversation {id} went straight back to its decliner");
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} declines seen");
    // The first offer of each conversation goes to the agent with the most free capacity.
    let first_to_big = offers.iter().filter(|o| o.1 == 0).count();
    assert!(first_to_big * 2 > offers.len());
}

#[test]
fn a_reject_can_set_the_agent_to_do_not_disturb() {
    // Every offer is rejected at once. With `reject_sets_dnd` the agent then takes nothing new for
    // `presence_reset` (10 minutes), so far fewer offers are made.
    let base = single_queue(
        20.0,
        60.0,
        1,
        1,
        "auto_close_open = \"2h\"",
        "horizon = \"2d\"\nreplications = 3\ndecline_limit = 1",
    )
    .replace("auto_close_open = \"0s\"\n", "");
    let plain = run(&with_group_keys(&base, "offer = { accept = 0.0, reject = 1.0 }"));
    let dnd = run(&with_group_keys(
        &base,
        "offer = { accept = 0.0, reject = 1.0, reject_sets_dnd = true, presence_reset = \"10m\" }",
    ));
    let (plain_offers, dnd_offers) = (all(&plain, Metric::Offers).mean, all(&dnd, Metric::Offers).mean);
    // At most one offer per 10-minute DND period: 6 per hour over 48 hours.
    assert!(dnd_offers <= 6.0 * 48.0 + 1.0 && dnd_offers < 0.5 * plain_offers, "{dnd_offers} vs {plain_offers}");
}

#[test]
fn each_queue_can_have_its_own_service_level_threshold() {
    // The same waits judged against 20 s and against 5 minutes.
    let text =
        single_queue(240.0, 180.0, 13, 1, "", "horizon = \"2d\"\nreplications = 4\nservice_level_threshold = \"20s\"");
    let strict = run(&text);
    let lenient = run(&text.replace("name = \"q\"\n", "name = \"q\"\nservice_level_threshold = \"5m\"\n"));
    let sl = |r: &ccsim::metrics::RunResults| all(r, Metric::ServiceLevel).mean;
    assert!(sl(&lenient) > sl(&strict) + 0.05, "{} vs {}", sl(&lenient), sl(&strict));
    assert_eq!(all(&strict, Metric::AsaS).mean, all(&lenient, Metric::AsaS).mean, "same customers, same waits");
}

#[test]
fn picking_at_once_by_age_gives_the_same_waits_as_push_fifo_on_the_same_seed() {
    // The same customers (common random numbers) meet agents who either are pushed the oldest
    // Open conversation or pick it themselves the moment they have room (`every = "0s"`,
    // `oldest`). Both are FIFO and work-conserving, and a conversation's handle time comes from its
    // own stream, so every conversation must wait exactly as long in both modes: the answered
    // counts, ASA, P(wait), service level and wait percentiles of every replication agree to
    // rounding, and so does every single answer time. ρ = 0.94 keeps most conversations queuing.
    let sim = "horizon = \"3d\"\nwarmup = \"2h\"\nreplications = 6\nseed = 13\nservice_level_threshold = \"20s\"";
    let push_text = single_queue(540.0, 300.0, 48, 1, "", sim);
    let pick_text = with_group_keys(
        &single_queue(540.0, 300.0, 48, 1, "mode = \"pick\"", sim),
        "pick = { every = \"0s\", policy = \"oldest\" }",
    );
    let (push, pick) = (run(&push_text), run(&pick_text));
    assert!(all(&push, Metric::PWait).mean > 0.4, "too few conversations queue to tell the modes apart");
    assert_eq!(all(&pick, Metric::Offers).mean, 0.0, "the pick run really picks");
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    let metrics = [
        Metric::Offered,
        Metric::Answered,
        Metric::AsaS,
        Metric::PWait,
        Metric::ServiceLevel,
        Metric::WaitP50S,
        Metric::WaitP90S,
        Metric::WaitP95S,
        Metric::AvgQueueLen,
        Metric::Occupancy,
    ];
    for rep in 0..push.replications.len() {
        for metric in metrics {
            let (a, b) = (
                push.replication_value(rep, &push.scopes[0], metric).number(),
                pick.replication_value(rep, &pick.scopes[0], metric).number(),
            );
            assert!(same(a, b), "replication {rep}, {metric:?}: push {a}, pick {b}");
        }
    }
    // Conversation by conversation, in replication 1: the same answer time.
    let answers = |text: &str| crate::common::Recorder::run(text).of("answered");
    let (push_answers, pick_answers) = (answers(&push_text), answers(&pick_text));
    assert!(push_answers.len() > 10_000);
    let mut pick_at: Vec<(u64, f64)> = pick_answers.iter().map(|(id, _, at)| (*id, *at)).collect();
    let mut push_at: Vec<(u64, f64)> = push_answers.iter().map(|(id, _, at)| (*id, *at)).collect();
    pick_at.sort_by_key(|a| a.0);
    push_at.sort_by_key(|a| a.0);
    assert_eq!(push_at.len(), pick_at.len());
    for ((id, a), (pick_id, b)) in push_at.iter().zip(&pick_at) {
        assert_eq!(id, pick_id);
        assert!(same(*a, *b), "conversation {id} answered at {a} by push, {b} by pick");
    }
}

#[test]
fn timed_out_offers_keep_the_first_wait_running_so_asa_is_t_times_one_minus_a_over_a_plus_r() {
    // Ample agents (60, about 3 of them busy), accept probability a = 0.6, no rejects, response
    // time r = 10 s, timeout T = 60 s. Each offer times out with probability 1 − a, after exactly T,
    // and the conversation is offered again at once (to another agent: the decliner drops in
    // priority, so the decline limit never binds). The timeouts before the accept are geometric
    // with mean (1 − a)/a, and the accept comes r after the last offer:
    // ASA = T·(1 − a)/a + r = 60 × 0.4/0.6 + 10 = 50 s.
    // Conversations still in an offer at the horizon (λ·ASA ≈ 1 per replication of ~2 900) are
    // censored: a bias of a few hundredths of a second, far below the half-width, so no allowance.
    let text = with_group_keys(
        &single_queue(60.0, 120.0, 60, 1, "", "horizon = \"2d\"\nreplications = 20\nseed = 17"),
        "offer = { accept = 0.6, reject = 0.0, response_time = \"10s\", timeout = \"60s\" }",
    );
    let r = run(&text);
    let asa = all(&r, Metric::AsaS);
    // Observed: ASA 50.17 s ± 0.55 s (95% half-width over 20 replications), so three half-widths
    // (1.6 s, 3.3%) separate 50 s from a 10% error (5 s) by a wide margin; a wait that restarted at
    // each new offer would give r = 10 s. Timeouts per answer: 0.670.
    assert!(3.0 * asa.half_width() < 0.1 * 50.0, "too few replications to detect a 10% error: {asa:?}");
    assert_agrees("asa_s", asa, 50.0, 3.0, 0.0);
    // The geometric law behind it: (1 − a)/a = 2/3 timeouts per answered conversation.
    let per_answer = all(&r, Metric::Timeouts).mean / all(&r, Metric::Answered).mean;
    let n = all(&r, Metric::Answered).mean * 20.0;
    // Var(geometric count) = (1 − a)/a² = 10/9 per conversation.
    assert!((per_answer - 2.0 / 3.0).abs() < 3.0 * 1.96 * (10.0f64 / 9.0 / n).sqrt(), "{per_answer}");
    assert_eq!(all(&r, Metric::Rejects).mean, 0.0);
    assert_eq!(all(&r, Metric::PWait).mean, 0.0, "an offer's time is not a queue");
}

#[test]
fn p_wait_counts_only_conversations_that_found_no_agent_as_the_trace_shows() {
    // Every offer is accepted after 30 s and patience is Exp(20 s): most customers abandon during
    // their offer without having queued, and with 3 agents on 2 Erlangs some do queue. In every
    // scope and interval, p_wait's numerator is the trace's count of queued conversations among
    // those resolved (answered, abandoned, or auto-closed unanswered), and its denominator theirs.
    let text = with_group_keys(
        &single_queue(
            120.0,
            60.0,
            3,
            1,
            "patience = { dist = \"exponential\", mean = \"20s\" }",
            "horizon = \"2d\"\nreplications = 1\nseed = 3",
        ),
        "offer = { accept = 1.0, response_time = \"30s\" }",
    );
    let (s, r, rows) = crate::common::run_traced(&text);
    let resolved = |row: &ccsim::metrics::trace::TraceRow| {
        row.first_accept.is_some() || matches!(row.outcome, Outcome::Abandoned | Outcome::AutoClosed)
    };
    let abandoned_unqueued = rows.iter().filter(|row| row.outcome == Outcome::Abandoned && !row.view.queued).count();
    let queued = rows.iter().filter(|row| resolved(row) && row.view.queued).count();
    assert!(abandoned_unqueued > 100 && queued > 100, "{abandoned_unqueued} left during offers, {queued} queued");

    let interval = s.simulation.interval.0;
    for scope in r.scopes.iter().filter(|sc| sc.kind != ScopeKind::AgentGroup) {
        let whole = r.replication_value(0, scope, Metric::PWait);
        let expected = (queued as f64, rows.iter().filter(|row| resolved(row)).count() as f64);
        assert_eq!(whole, Value::Ratio { numerator: expected.0, denominator: expected.1 }, "{}", scope.name);
        for k in 0..r.interval_lengths.len() {
            let in_k = |row: &&ccsim::metrics::trace::TraceRow| (row.view.arrival.0 / interval) as usize == k;
            let numerator = rows.iter().filter(in_k).filter(|row| resolved(row) && row.view.queued).count();
            let denominator = rows.iter().filter(in_k).filter(|row| resolved(row)).count();
            assert_eq!(
                r.interval_parts(k, scope, Metric::PWait),
                Value::Ratio { numerator: numerator as f64, denominator: denominator as f64 },
                "{} interval {k}",
                scope.name
            );
        }
    }
}

#[test]
fn a_conversation_every_agent_rejects_at_once_is_offered_to_each_up_to_the_decline_limit() {
    // 200 agents reject every offer the moment it is made: each chat bounces through all of them,
    // fewer declines first, until each has declined it `decline_limit` times, then waits until
    // live chat closes it. Debug builds check every one of these searches, made from the ranking
    // kept for a conversation declined again and again, against the definition.
    let text = r#"
[simulation]
horizon = "3h"
replications = 1
decline_limit = 2
[[channel]]
name = "c"
kind = "live_chat"
work_stream = "w"
arrivals = { process = "poisson", rate_per_hour = 20 }
[[work_stream]]
name = "w"
handle_time = "1m"
[[queue]]
name = "q"
assignment = "round_robin"
[[agent_group]]
name = "a"
count = 120
capacity = 2
queues = ["q"]
offer = { accept = 0.0, reject = 1.0 }
[[agent_group]]
name = "b"
count = 80
queues = ["q"]
offer = { accept = 0.0, reject = 1.0, response_time = { dist = "uniform", min = "0s", max = "2s" } }
"#;
    let rec = crate::common::Recorder::run(text);
    let mut offers: std::collections::HashMap<(u64, u32), u32> = std::collections::HashMap::new();
    for (id, agent, _) in rec.of("offered") {
        *offers.entry((id, agent)).or_default() += 1;
    }
    let closed: Vec<u64> = rec.of("auto_closed").iter().map(|c| c.0).collect();
    assert!(closed.len() > 20, "{} chats closed", closed.len());
    for id in closed {
        let per_agent: Vec<u32> = (0..200).map(|a| offers.get(&(id, a)).copied().unwrap_or(0)).collect();
        assert!(per_agent.iter().all(|&n| n == 2), "chat {id}: offers per agent {per_agent:?}");
    }
    // Fewer declines first: no agent is offered a chat a second time before every agent has been
    // offered it once.
    let mut seen: std::collections::HashMap<u64, std::collections::HashSet<u32>> = std::collections::HashMap::new();
    for (id, agent, _) in rec.of("offered") {
        let once = seen.entry(id).or_default();
        if !once.insert(agent) {
            assert_eq!(once.len(), 200, "chat {id} went back to agent {agent} before all had it once");
        }
    }
}
