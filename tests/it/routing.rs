//! Routing, wave 2 (DESIGN.md "Routing, wave 2"): percentage routing — a rule that splits its
//! matches over queues by weights, drawn from each conversation's own stream — and operating
//! hours with overflow: two M/M/c queues with overflow at a queue length against the CTMC solved
//! here, closed hours and holidays, a wait limit against the same customers' patience, an
//! expected wait, and conservation with moved and ended conversations; and transfers — a
//! queue fed by transfers from an M/M/c is an M/M/c itself (Burke), a conversation transferred
//! back to its own queue is transferred a geometric number of times, a closed queue takes none.

use crate::common::{all, assert_agrees, assert_conserved, run, run_traced, scope};
use ccsim::erlang::{self, QueueModel};
use ccsim::metrics::statistics::of_ratio;
use ccsim::metrics::trace::Outcome;
use ccsim::metrics::{Metric, ScopeKind};

/// Gold customers (half) are split 70/30 over queues a and b; the others go to c.
const SPLIT: &str = r#"
[simulation]
horizon = "5d"
replications = 4
seed = 11

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chat"
arrivals = { process = "poisson", rate_per_hour = 200 }
context = { tier = { gold = 0.5, standard = 0.5 } }

[[work_stream]]
name = "chat"
handle_time = { dist = "exponential", mean = "2m" }
patience = { dist = "exponential", mean = "1m" }
context_variables = [ { name = "tier", type = "text" } ]
fallback_queue = "c"

[[work_stream.routing_rule]]
name = "gold split"
when = { tier = "gold" }
queues = { a = 70, b = 30 }

[[queue]]
name = "a"
[[queue]]
name = "b"
[[queue]]
name = "c"

[[agent_group]]
name = "team_a"
count = 3
queues = ["a"]
[[agent_group]]
name = "team_bc"
count = 4
queues = ["b", "c"]
"#;

#[test]
fn a_split_rule_sends_its_matches_to_each_queue_in_its_percentage() {
    let r = run(SPLIT);
    let total = all(&r, Metric::Offered).mean * 4.0;
    assert!(total > 90_000.0, "{total}");
    for (queue, p) in [("a", 0.5 * 0.7), ("b", 0.5 * 0.3), ("c", 0.5)] {
        let n = r.estimate(scope(&r, ScopeKind::Queue, queue), Metric::Offered).mean * 4.0;
        // A binomial share: 4 standard errors, a chance of about 6e-5 of failing when right.
        let se = (p * (1.0 - p) / total).sqrt();
        assert!((n / total - p).abs() < 4.0 * se, "{queue}: share {} vs {p} (se {se})", n / total);
    }
}

#[test]
fn the_split_is_the_customers_own_so_variants_see_the_same_split_and_nothing_is_lost() {
    // Common random numbers: with other staffing, every replication routes the same
    // conversations to the same queues; conservation holds in every scope.
    let base = run(SPLIT);
    let staffed = run(&SPLIT.replace("count = 3", "count = 9"));
    for queue in ["a", "b", "c"] {
        let (one, other) = (scope(&base, ScopeKind::Queue, queue), scope(&staffed, ScopeKind::Queue, queue));
        for rep in 0..4 {
            assert_eq!(
                base.replication_value(rep, one, Metric::Offered).number(),
                staffed.replication_value(rep, other, Metric::Offered).number(),
                "{queue}, replication {rep}"
            );
        }
    }
    assert!(
        all(&staffed, Metric::Abandoned).mean < all(&base, Metric::Abandoned).mean,
        "the variants differ in what matters"
    );
    for r in [&base, &staffed] {
        for s in r.scopes.iter().filter(|s| s.kind != ScopeKind::AgentGroup) {
            for rep in 0..4 {
                let v = |m: Metric| r.replication_value(rep, s, m).number();
                let accounted =
                    v(Metric::Completed) + v(Metric::Abandoned) + v(Metric::AutoClosed) + v(Metric::InSystem);
                assert_eq!(v(Metric::Offered), accounted, "{:?} {} replication {rep}", s.kind, s.name);
            }
        }
    }
}

/// Queue a (3 agents) sends an arrival on to queue b (4 agents) when 2 conversations already
/// wait in it; b has arrivals of its own. Exponential handle times of 3 minutes, no abandons.
const TWO_QUEUES: &str = r#"
[simulation]
horizon = "10d"
warmup = "2h"
replications = 8
seed = 5

[[channel]]
name = "a"
kind = "voice"
work_stream = "a"
arrivals = { process = "poisson", rate_per_hour = 54 }

[[channel]]
name = "b"
kind = "voice"
work_stream = "b"
arrivals = { process = "poisson", rate_per_hour = 40 }

[[work_stream]]
name = "a"
handle_time = { dist = "exponential", mean = "3m" }
fallback_queue = "a"

[[work_stream]]
name = "b"
handle_time = { dist = "exponential", mean = "3m" }
fallback_queue = "b"

[[queue]]
name = "a"

[[queue.overflow]]
when = { open_at_least = 2 }
action = { queue = "b" }

[[queue]]
name = "b"

[[agent_group]]
name = "team_a"
count = 3
queues = ["a"]

[[agent_group]]
name = "team_b"
count = 4
queues = ["b"]
"#;

/// The stationary distribution of the two queues' CTMC: state (n_a, n_b) conversations in each
/// (in service or waiting), n_a ≤ c_a + limit, n_b truncated at `max_b`; solved by Gaussian
/// elimination with one balance equation replaced by the normalisation.
fn two_queue_ctmc(
    (lambda_a, lambda_b, mu): (f64, f64, f64),
    (c_a, c_b, limit): (usize, usize, usize),
    max_b: usize,
) -> Vec<Vec<f64>> {
    let (na, nb) = (c_a + limit + 1, max_b + 1);
    let index = |a: usize, b: usize| a * nb + b;
    let n = na * nb;
    // Column-oriented generator: q[to][from], so that Q·π = 0 is the balance.
    let mut q = vec![vec![0.0; n]; n];
    let mut add = |from: usize, to: usize, rate: f64| {
        q[to][from] += rate;
        q[from][from] -= rate;
    };
    for a in 0..na {
        for b in 0..nb {
            let s = index(a, b);
            // An arrival at a waits there unless `limit` already wait: then it moves to b.
            if a < c_a + limit {
                add(s, index(a + 1, b), lambda_a);
            } else if b < max_b {
                add(s, index(a, b + 1), lambda_a);
            }
            if b < max_b {
                add(s, index(a, b + 1), lambda_b);
            }
            if a > 0 {
                add(s, index(a - 1, b), a.min(c_a) as f64 * mu);
            }
            if b > 0 {
                add(s, index(a, b - 1), b.min(c_b) as f64 * mu);
            }
        }
    }
    let mut rhs = vec![0.0; n];
    q[n - 1] = vec![1.0; n];
    rhs[n - 1] = 1.0;
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| q[i][col].abs().total_cmp(&q[j][col].abs())).unwrap();
        q.swap(col, pivot);
        rhs.swap(col, pivot);
        for row in col + 1..n {
            let f = q[row][col] / q[col][col];
            if f != 0.0 {
                let (above, below) = q.split_at_mut(row);
                for (x, p) in below[0][col..].iter_mut().zip(&above[col][col..]) {
                    *x -= f * p;
                }
                rhs[row] -= f * rhs[col];
            }
        }
    }
    let mut pi = vec![0.0; n];
    for row in (0..n).rev() {
        let known: f64 = (row + 1..n).map(|k| q[row][k] * pi[k]).sum();
        pi[row] = (rhs[row] - known) / q[row][row];
    }
    (0..na).map(|a| (0..nb).map(|b| pi[index(a, b)]).collect()).collect()
}

#[test]
fn overflow_at_a_queue_length_matches_the_two_queue_ctmc() {
    let (c_a, c_b, limit) = (3, 4, 2);
    let pi = two_queue_ctmc((54.0, 40.0, 20.0), (c_a, c_b, limit), 120);
    let tail: f64 = pi.iter().map(|row| row[120]).sum();
    assert!(tail < 1e-12, "truncation leaves {tail}");
    // PASTA: an arrival at a moves on when a is full.
    let overflow_share: f64 = pi[c_a + limit].iter().sum();
    let waiting: f64 = pi
        .iter()
        .enumerate()
        .flat_map(|(a, row)| {
            row.iter().enumerate().map(move |(b, p)| p * (a.saturating_sub(c_a) + b.saturating_sub(c_b)) as f64)
        })
        .sum();

    let r = run(TWO_QUEUES);
    assert_conserved(&r);
    let a = scope(&r, ScopeKind::Channel, "a");
    let parts: Vec<(f64, f64)> = (0..r.replications.len())
        .map(|rep| {
            let v = |m: Metric| r.replication_value(rep, a, m).number();
            (v(Metric::Overflowed), v(Metric::Offered))
        })
        .collect();
    // k = 3 half-widths: a 95% interval's 1.96 σ stretched to about 3 σ, a false alarm well
    // under 1% across the two checks.
    assert_agrees("share of a's arrivals moved to b", of_ratio(&parts), overflow_share, 3.0 / 1.96, 0.0);
    assert_agrees("conversations waiting", all(&r, Metric::AvgQueueLen), waiting, 3.0 / 1.96, 0.0);
    assert!(overflow_share > 0.05, "the case exercises overflow ({overflow_share})");
    // Nothing ends, and b's own conversations never overflow.
    assert_eq!(all(&r, Metric::EndedByOverflow).mean, 0.0);
    assert_eq!(r.estimate(scope(&r, ScopeKind::Channel, "b"), Metric::Overflowed).mean, 0.0);
}

/// Sms arrivals all week to a queue open 08:00–17:00 on weekdays, closed on a holiday; outside
/// its hours, overflow ends them.
const HOURS: &str = r#"
[simulation]
horizon = "7d"
start = "2026-12-21"
replications = 1
seed = 3

[[channel]]
name = "sms"
kind = "sms"
work_stream = "sms"
arrivals = { process = "poisson", rate_per_hour = 30 }

[[work_stream]]
name = "sms"
handle_time = "2m"

[[queue]]
name = "office"
hours = { mon = [["08:00", "12:00"], ["13:00", "17:00"]], tue = [["08:00", "17:00"]], wed = [["08:00", "17:00"]], thu = [["08:00", "17:00"]], fri = [["08:00", "17:00"]], holidays = [2026-12-25] }

[[queue.overflow]]
when = "outside_hours"
action = { end = true }

[[agent_group]]
name = "office"
count = 4
queues = ["office"]
"#;

#[test]
fn outside_its_hours_and_on_holidays_a_queue_ends_what_arrives_and_takes_the_rest() {
    let (_, r, rows) = run_traced(HOURS);
    assert_conserved(&r);
    // Day 1 is Monday 21 December; Friday the 25th is a holiday.
    let open = |t: f64| {
        let (day, hour) = ((t / 86_400.0) as usize, (t % 86_400.0) / 3_600.0);
        match day {
            0 => (8.0..12.0).contains(&hour) || (13.0..17.0).contains(&hour),
            1..=3 => (8.0..17.0).contains(&hour),
            _ => false,
        }
    };
    let (mut ended, mut taken) = (0, 0);
    for row in &rows {
        let arrival = row.view.arrival.0;
        if open(arrival) {
            assert_ne!(row.outcome, Outcome::EndedByOverflow, "arrived at {arrival} s, in hours");
            taken += 1;
        } else {
            assert_eq!(row.outcome, Outcome::EndedByOverflow, "arrived at {arrival} s, out of hours");
            assert!(row.first_accept.is_none());
            ended += 1;
        }
    }
    assert!(ended > 3_000 && taken > 800, "{ended} ended, {taken} taken");
    let counted = all(&r, Metric::EndedByOverflow).mean;
    assert_eq!(counted, ended as f64);
    assert_eq!(all(&r, Metric::Overflowed).mean, counted);
    // Ended conversations are resolved without an answer: service level counts them.
    let sl = all(&r, Metric::ServiceLevel).mean;
    assert!(sl <= taken as f64 / (taken + ended) as f64 + 1e-12, "service level {sl}");
}

/// Chats whose wait in the queue is limited to 90 seconds, then ended: the same customers as
/// with a patience of exactly 90 seconds.
const WAIT_LIMIT: &str = r#"
[simulation]
horizon = "2d"
replications = 3
seed = 9

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chat"
arrivals = { process = "poisson", rate_per_hour = 100 }

[[work_stream]]
name = "chat"
handle_time = { dist = "exponential", mean = "5m" }
auto_close_open = "0s"
fallback_queue = "chat"

[[queue]]
name = "chat"

[[queue.overflow]]
when = { waited_at_least = "90s" }
action = { end = true }

[[agent_group]]
name = "agents"
count = 8
queues = ["chat"]
offer = { accept = 0.8, reject = 0.2, response_time = { dist = "uniform", min = "1s", max = "9s" } }
"#;

#[test]
fn a_wait_limit_that_ends_conversations_ends_those_a_patience_of_the_same_length_loses() {
    // A customer whose patience is exactly 90 s leaves when the queue's clock would end it: the
    // same conversations, to the count, in every replication (offers withdrawn alike).
    let limited = run(WAIT_LIMIT);
    let patient = run(&WAIT_LIMIT
        .replace("auto_close_open = \"0s\"", "auto_close_open = \"0s\"\npatience = \"90s\"")
        .replace("[[queue.overflow]]\nwhen = { waited_at_least = \"90s\" }\naction = { end = true }\n", ""));
    assert_conserved(&limited);
    let (l, p) = (&limited.scopes[0], &patient.scopes[0]);
    for rep in 0..3 {
        let lv = |m: Metric| limited.replication_value(rep, l, m).number();
        let pv = |m: Metric| patient.replication_value(rep, p, m).number();
        assert!(lv(Metric::EndedByOverflow) > 100.0, "replication {rep} exercises the limit");
        assert_eq!(lv(Metric::EndedByOverflow), pv(Metric::Abandoned), "replication {rep}");
        assert_eq!(lv(Metric::Answered), pv(Metric::Answered), "replication {rep}");
        assert_eq!(lv(Metric::Abandoned), 0.0);
        assert_eq!(lv(Metric::ServiceLevel), pv(Metric::ServiceLevel), "replication {rep}");
    }
}

#[test]
fn a_wait_limit_that_moves_conversations_hands_them_to_the_other_queues_agents() {
    // The 90-second limit moves chats to a backup queue with its own agents: they are answered
    // there, counted as overflowed under their first queue, and nothing is lost.
    let text = WAIT_LIMIT.replace("action = { end = true }", "action = { queue = \"backup\" }").replace(
        "[[agent_group]]",
        "[[queue]]\nname = \"backup\"\n\n[[agent_group]]\nname = \"backup\"\ncount = 6\nqueues = [\"backup\"]\n\n[[agent_group]]",
    );
    let (_, r, _) = run_traced(&text);
    assert_conserved(&r);
    let first = scope(&r, ScopeKind::Queue, "chat");
    let moved = r.estimate(first, Metric::Overflowed).mean;
    assert!(moved > 100.0, "{moved} moved");
    assert_eq!(r.estimate(scope(&r, ScopeKind::Queue, "backup"), Metric::Offered).mean, 0.0, "reported under chat");
    let backup_handled = r.estimate(scope(&r, ScopeKind::AgentGroup, "backup"), Metric::Handled).mean;
    assert!(backup_handled > 0.8 * moved, "backup agents handled {backup_handled} of {moved} moved");
    assert_eq!(all(&r, Metric::EndedByOverflow).mean, 0.0);
}

#[test]
fn an_expected_wait_overflow_sends_everything_on_when_nobody_is_on_shift_and_nothing_when_agents_are_idle() {
    let text = |count: u32, limit: &str| {
        TWO_QUEUES
            .replace("when = { open_at_least = 2 }", &format!("when = {{ expected_wait_at_least = \"{limit}\" }}"))
            .replace("name = \"team_a\"\ncount = 3", &format!("name = \"team_a\"\ncount = {count}"))
            .replace("horizon = \"10d\"", "horizon = \"1d\"")
            .replace("warmup = \"2h\"", "warmup = \"0s\"")
    };
    // No agent of a on shift: the expected wait is endless, every arrival at a moves.
    let r = run(&text(0, "1h"));
    let a = scope(&r, ScopeKind::Channel, "a");
    assert_eq!(r.estimate(a, Metric::Overflowed).mean, r.estimate(a, Metric::Offered).mean);
    // 60 idle agents: an hour's expected wait would take a mean handle time of 60 hours.
    let r = run(&text(60, "1h"));
    assert_eq!(r.estimate(scope(&r, ScopeKind::Channel, "a"), Metric::Overflowed).mean, 0.0);
    // Before a's first handled conversation the work stream's mean stands in: (0 + 1) × 3 min
    // ÷ 60 = 3 s ≥ 2 s, so every arrival moves on, and a never gets a handle time of its own.
    let r = run(&text(60, "2s"));
    let a = scope(&r, ScopeKind::Channel, "a");
    assert_eq!(r.estimate(a, Metric::Overflowed).mean, r.estimate(a, Metric::Offered).mean);
    assert_conserved(&r);
}

/// Calls answered at the front (8 agents); 40% are transferred after handling to 4 experts.
const TRANSFERS: &str = r#"
[simulation]
horizon = "10d"
warmup = "2h"
replications = 12
seed = 21

[[channel]]
name = "calls"
kind = "voice"
work_stream = "calls"
arrivals = { process = "poisson", rate_per_hour = 120 }

[[work_stream]]
name = "calls"
handle_time = { dist = "exponential", mean = "3m" }
fallback_queue = "front"

[[queue]]
name = "front"
transfer = { probability = 0.4, queue = "experts" }

[[queue]]
name = "experts"

[[agent_group]]
name = "front"
count = 8
queues = ["front"]

[[agent_group]]
name = "experts"
count = 4
queues = ["experts"]
"#;

#[test]
fn transfers_from_an_m_m_c_queue_make_the_next_queue_an_m_m_c_of_the_thinned_rate() {
    // Burke: the front's departures are Poisson(120/h), thinned to Poisson(48/h) by the 40%
    // transferred; the experts are an M/M/4 with 48 calls an hour of 3 minutes.
    let r = run(TRANSFERS);
    assert_conserved(&r);
    let model = |rate: f64, agents: u32| QueueModel {
        arrivals_per_hour: rate,
        aht_s: 180.0,
        agents,
        concurrency: 1,
        patience_mean_s: None,
    };
    let experts = erlang::figures(&model(48.0, 4), 20.0).unwrap();
    let front = erlang::figures(&model(120.0, 8), 20.0).unwrap();
    assert_agrees("transfer_wait_s", all(&r, Metric::TransferWaitS), experts.asa_s, 3.0 / 1.96, 0.0);
    assert_agrees("front asa_s", all(&r, Metric::AsaS), front.asa_s, 3.0 / 1.96, 0.0);
    let parts: Vec<(f64, f64)> = (0..12)
        .map(|rep| {
            let v = |m: Metric| r.replication_value(rep, &r.scopes[0], m).number();
            (v(Metric::Transfers), v(Metric::Answered))
        })
        .collect();
    assert_agrees("transfers per answered call", of_ratio(&parts), 0.4, 3.0 / 1.96, 0.0);
    // Each transferred call is handled again, by an expert.
    let handled = |g: &str| r.estimate(scope(&r, ScopeKind::AgentGroup, g), Metric::Handled).mean;
    let transfers = all(&r, Metric::Transfers).mean;
    assert!((handled("experts") - transfers).abs() < 0.01 * transfers, "{} vs {transfers}", handled("experts"));
}

#[test]
fn a_transfer_waits_for_the_next_accept_and_a_closed_queue_takes_none() {
    // Experts answer after exactly 5 seconds and are never all busy: every transfer waits 5 s.
    let quick = TRANSFERS
        .replace("name = \"experts\"\ncount = 4", "name = \"experts\"\ncount = 40\noffer = { response_time = \"5s\" }")
        .replace("replications = 12", "replications = 2")
        .replace("horizon = \"10d\"", "horizon = \"1d\"");
    let r = run(&quick);
    let wait = all(&r, Metric::TransferWaitS).mean;
    assert!((wait - 5.0).abs() < 1e-9, "{wait}");
    assert!(all(&r, Metric::Transfers).mean > 500.0);
    // A queue outside its hours (none: closed every day) takes no transfer; the calls end as
    // if none had been asked for.
    let closed = run(&quick.replace("[[queue]]\nname = \"experts\"\n", "[[queue]]\nname = \"experts\"\nhours = {}\n"));
    assert_eq!(all(&closed, Metric::Transfers).mean, 0.0);
    assert_eq!(closed.estimate(scope(&closed, ScopeKind::AgentGroup, "experts"), Metric::Handled).mean, 0.0);
    assert_conserved(&closed);
}

#[test]
fn a_transfer_back_to_the_same_queue_repeats_a_geometric_number_of_times() {
    // Each episode is transferred with probability 0.3 to the queue it was handled in: a call
    // is transferred 0.3 / 0.7 times on average.
    let text = TRANSFERS
        .replace("transfer = { probability = 0.4, queue = \"experts\" }\n", "")
        .replace(
            "fallback_queue = \"front\"",
            "fallback_queue = \"front\"\ntransfer = { probability = 0.3, queue = \"front\" }",
        )
        .replace("count = 8", "count = 12");
    let r = run(&text);
    assert_conserved(&r);
    let parts: Vec<(f64, f64)> = (0..12)
        .map(|rep| {
            let v = |m: Metric| r.replication_value(rep, &r.scopes[0], m).number();
            (v(Metric::Transfers), v(Metric::Completed))
        })
        .collect();
    assert_agrees("transfers per completed call", of_ratio(&parts), 0.3 / 0.7, 3.0 / 1.96, 0.0);
}

#[test]
fn handle_time_grows_with_the_other_conversations_the_agent_holds_when_it_starts() {
    // One agent of capacity 3 takes chats of exactly 10 minutes every 7 minutes: each episode
    // lasts 600 s × (1 + 0.5 × the others it held at its accept), read off the trace itself.
    let text = r#"
[simulation]
horizon = "1d"
replications = 1

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chat"
arrivals = { process = "renewal", interarrival = "7m" }

[[work_stream]]
name = "chat"
handle_time = "10m"
handle_time_per_extra = 0.5
auto_close_open = "0s"

[[queue]]
name = "chat"

[[agent_group]]
name = "one"
count = 1
capacity = 3
queues = ["chat"]
"#;
    let (_, r, rows) = run_traced(text);
    assert_conserved(&r);
    let held: Vec<(f64, f64)> =
        rows.iter().filter_map(|row| Some((row.first_accept?.0, row.closed.map_or(f64::INFINITY, |c| c.0)))).collect();
    let mut seen = [0; 3];
    for row in rows.iter().filter(|row| row.closed.is_some()) {
        let start = row.first_accept.unwrap().0;
        let others = held.iter().filter(|&&(a, c)| a < start && start < c).count();
        assert_eq!(row.active_s, 600.0 * (1.0 + 0.5 * others as f64), "accepted at {start} s with {others} others");
        seen[others] += 1;
    }
    assert!(seen.iter().all(|&n| n > 0), "episodes with 0, 1 and 2 others: {seen:?}");
}

/// Chats met by a bot that resolves 40% of them; it marks the ones it escalates gold, which
/// routing sends to vip; customers arrive silver.
const BOT: &str = r#"
[simulation]
horizon = "5d"
replications = 4
seed = 13

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chat"
arrivals = { process = "poisson", rate_per_hour = 120 }
context = { tier = { silver = 1.0 } }

[[work_stream]]
name = "chat"
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "2m" }
context_variables = [ { name = "tier", type = "text" } ]
fallback_queue = "general"
bot = { handle_time = { dist = "exponential", mean = "90s" }, containment = 0.4, sets = { tier = { gold = 1.0 } } }

[[work_stream.routing_rule]]
when = { tier = "gold" }
queue = "vip"

[[queue]]
name = "vip"
[[queue]]
name = "general"

[[agent_group]]
name = "agents"
count = 9
queues = ["vip", "general"]
"#;

#[test]
fn a_bot_resolves_its_share_and_escalates_the_rest_with_the_context_it_sets() {
    let r = run(BOT);
    assert_conserved(&r);
    let parts: Vec<(f64, f64)> = (0..4)
        .map(|rep| {
            let v = |m: Metric| r.replication_value(rep, &r.scopes[0], m).number();
            (v(Metric::BotContained), v(Metric::Offered))
        })
        .collect();
    assert_agrees("contained share", of_ratio(&parts), 0.4, 3.0 / 1.96, 0.0);
    assert_agrees("bot_time_s", all(&r, Metric::BotTimeS), 90.0, 3.0 / 1.96, 0.0);
    // Every escalation is gold and goes to vip; contained conversations keep their silver and
    // are reported under general, where nothing else goes. (A conversation still with the bot
    // at the horizon is offered under its queue but neither contained nor escalated yet.)
    let queue = |name: &str, m: Metric| r.estimate(scope(&r, ScopeKind::Queue, name), m).mean;
    for (name, bot) in [("vip", Metric::BotEscalated), ("general", Metric::BotContained)] {
        let unresolved = queue(name, Metric::Offered) - all(&r, bot).mean;
        assert!((0.0..=queue(name, Metric::InSystem)).contains(&unresolved), "{name}: {unresolved}");
    }
    assert_eq!(queue("general", Metric::Answered), 0.0);
    assert_eq!(queue("vip", Metric::BotContained), 0.0);
    assert!(all(&r, Metric::Abandoned).mean > 0.0, "patience runs after escalation");
}

#[test]
fn waits_and_abandons_count_from_the_escalation() {
    // A bot of exactly 60 s and idle agents who accept at once: every escalated chat is
    // answered the moment it is escalated, so its wait is 0 (from arrival it would be 60 s),
    // and customers with 30 s of patience never abandon.
    let text = BOT
        .replace("bot = { handle_time = { dist = \"exponential\", mean = \"90s\" }", "bot = { handle_time = \"60s\"")
        .replace("patience = { dist = \"exponential\", mean = \"2m\" }", "patience = \"30s\"")
        .replace("count = 9", "count = 60");
    let r = run(&text);
    assert_conserved(&r);
    assert_eq!(all(&r, Metric::AsaS).mean, 0.0);
    assert_eq!(all(&r, Metric::ServiceLevel).mean, 1.0);
    assert_eq!(all(&r, Metric::Abandoned).mean, 0.0);
    assert_eq!(all(&r, Metric::BotTimeS).mean, 60.0);
}

/// Calls to 8 agents at a load near 1 (λ = 110/h, 4-minute calls), callers who hang up after
/// 2 minutes on average, and a rule that turns a call waiting 60 s into `ACTION`.
const CALLBACKS: &str = r#"
[simulation]
horizon = "3d"
replications = 1
seed = 17

[[channel]]
name = "phone"
kind = "voice"
work_stream = "calls"
arrivals = { process = "poisson", rate_per_hour = 110 }

[[work_stream]]
name = "calls"
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "2m" }

[[queue]]
name = "calls"

[[queue.overflow]]
when = { waited_at_least = "60s" }
action = ACTION

[[agent_group]]
name = "agents"
count = 8
queues = ["calls"]
"#;

#[test]
fn a_callback_keeps_the_callers_place_and_never_abandons() {
    let (_, r, rows) = run_traced(&CALLBACKS.replace("ACTION", "{ callback = \"1d\" }"));
    assert_conserved(&r);
    let callbacks = all(&r, Metric::Callbacks).mean;
    // Every call still unanswered at 60 s became a callback, and no other.
    let waited = rows.iter().filter(|row| row.open_s >= 60.0 && row.outcome != Outcome::Abandoned).count();
    assert!(callbacks > 50.0, "{callbacks}");
    assert_eq!(callbacks, waited as f64, "callbacks against calls that waited 60 s");
    assert_eq!(all(&r, Metric::Overflowed).mean, callbacks);
    assert_eq!(all(&r, Metric::Voicemails).mean, 0.0);
    // Callers hang up before 60 s only: a callback never abandons.
    for row in rows.iter().filter(|row| row.outcome == Outcome::Abandoned) {
        assert!(row.open_s < 60.0, "conversation {} abandoned after {} s", row.view.id, row.open_s);
    }
    // One queue, first come first served: callbacks keep their places, so answers come in
    // arrival order.
    let answers: Vec<f64> = rows.iter().filter_map(|row| row.first_accept.map(|t| t.0)).collect();
    assert!(answers.windows(2).all(|w| w[0] <= w[1]), "an answer out of arrival order");
}

#[test]
fn a_voicemail_waits_at_the_back_and_an_unanswered_callback_closes_on_time() {
    let (_, r, rows) = run_traced(&CALLBACKS.replace("ACTION", "{ voicemail = \"1d\" }"));
    assert_conserved(&r);
    assert!(all(&r, Metric::Voicemails).mean > 50.0);
    assert_eq!(all(&r, Metric::Callbacks).mean, 0.0);
    // A voicemail waits behind the calls that arrived while it was left: some later calls are
    // answered first.
    let answers: Vec<f64> = rows.iter().filter_map(|row| row.first_accept.map(|t| t.0)).collect();
    assert!(answers.windows(2).any(|w| w[0] > w[1]), "voicemails kept their places");
    for row in rows.iter().filter(|row| row.outcome == Outcome::Abandoned) {
        assert!(row.open_s < 60.0, "conversation {} abandoned after {} s", row.view.id, row.open_s);
    }

    // With 4 agents the queue grows: a callback not taken 5 minutes after it was left closes
    // unanswered then, 60 + 300 s after the call came in.
    let text = CALLBACKS.replace("ACTION", "{ callback = \"5m\" }").replace("count = 8", "count = 4");
    let (_, r, rows) = run_traced(&text);
    assert_conserved(&r);
    let closed: Vec<f64> = rows.iter().filter(|row| row.outcome == Outcome::AutoClosed).map(|row| row.open_s).collect();
    assert!(closed.len() > 50, "{}", closed.len());
    assert!(closed.iter().all(|&open| (open - 360.0).abs() < 1e-6), "{closed:?}");
    assert_eq!(all(&r, Metric::AutoClosed).mean, closed.len() as f64);
}

#[test]
fn a_call_that_finds_the_queue_full_is_called_back_and_waits_without_abandoning() {
    // On arrival with 3 or more calls waiting: a callback from the start, in its place.
    let text = CALLBACKS
        .replace("when = { waited_at_least = \"60s\" }", "when = { open_at_least = 3 }")
        .replace("ACTION", "{ callback = \"1d\" }");
    let (_, r, rows) = run_traced(&text);
    assert_conserved(&r);
    let called: Vec<_> = rows.iter().filter(|row| row.view.called_back).collect();
    assert!(called.len() > 50, "{}", called.len());
    assert_eq!(all(&r, Metric::Callbacks).mean, called.len() as f64);
    assert!(called.iter().all(|row| row.outcome != Outcome::Abandoned), "a callback abandoned");
    assert!(rows.iter().any(|row| row.outcome == Outcome::Abandoned), "the others still abandon");
    let answers: Vec<f64> = rows.iter().filter_map(|row| row.first_accept.map(|t| t.0)).collect();
    assert!(answers.windows(2).all(|w| w[0] <= w[1]), "an answer out of arrival order");
}
