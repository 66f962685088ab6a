//! Presence schedules: shifts (one or several), breaks with custom presences, absence, and the
//! time in each presence that `agents.csv` reports.

use crate::common::{Center, all, run};
use ccsim::metrics::{AgentCell, Metric, RunResults};
use ccsim::scenario::BasePresence;

fn center(group_keys: &str, extra: &str, rate: f64) -> String {
    Center::new("sms", rate, "\"1s\"", 4)
        .simulation(&format!("horizon = \"10d\"\nreplications = 4\nseed = 5\n{extra}"))
        .agents(4, 1, group_keys)
        .toml()
}

/// Share of all agent time spent in each base presence, over all replications.
fn presence_shares(r: &RunResults) -> [f64; 5] {
    let mut total = AgentCell::default();
    for rep in &r.replications {
        total.merge(&rep.agent[0]);
    }
    let sum: f64 = total.presence_time.iter().sum();
    total.presence_time.map(|t| t / sum)
}

#[test]
fn time_in_a_custom_presence_is_reported_apart_within_its_base_presence() {
    // Lunch (a custom presence, base away) for 30 minutes and a 15-minute away break each day:
    // away holds both, lunch only its own 30 minutes, and a rarely busy agent's inactivity
    // penalties are off, so the shares are exact.
    let text = center(
        r#"breaks = [ { start = "12:00", duration = "30m", presence = "lunch" }, { start = "16:00", duration = "15m", presence = "away" } ]"#,
        "",
        0.01,
    )
    .replace("[simulation]", "[[presence]]\nname = \"lunch\"\nbase = \"away\"\n\n[simulation]");
    let r = run(&text);
    let shares = presence_shares(&r);
    assert!((shares[BasePresence::Away as usize] - 45.0 / 1440.0).abs() < 1e-9, "{shares:?}");
    let mut total = AgentCell::default();
    for rep in &r.replications {
        total.merge(&rep.agent[0]);
    }
    let all_time: f64 = total.presence_time.iter().sum();
    assert_eq!(total.custom_time.len(), 1, "one custom presence");
    assert!((total.custom_time[0] / all_time - 30.0 / 1440.0).abs() < 1e-9, "{:?}", total.custom_time);
}

#[test]
fn a_break_puts_every_agent_of_the_group_in_its_presence_daily() {
    // A 30-minute lunch (base away) each day, nobody else scheduled: away is 30/1440 of the time,
    // and away time is not staffed.
    let text = center("breaks = [ { start = \"12:00\", duration = \"30m\", presence = \"lunch\" } ]", "", 0.01)
        .replace("[simulation]", "[[presence]]\nname = \"lunch\"\nbase = \"away\"\n\n[simulation]");
    let r = run(&text);
    let shares = presence_shares(&r);
    assert!((shares[BasePresence::Away as usize] - 30.0 / 1440.0).abs() < 1e-9, "{shares:?}");
    let staffed_hours = r.replications[0].agent[0].staffed_time / 3600.0;
    assert!((staffed_hours - 4.0 * 10.0 * 23.5).abs() < 1e-6, "{staffed_hours}");
}

#[test]
fn nobody_is_offered_work_during_a_break() {
    // Every conversation arriving during the 12:00–13:00 break waits for its end.
    let text = center("breaks = [ { start = \"12:00\", duration = \"1h\" } ]", "", 30.0);
    let r = run(&text);
    let asa_noon = r.interval_value(12, &r.scopes[0], Metric::AsaS);
    assert!(asa_noon > 20.0 * 60.0 && asa_noon < 40.0 * 60.0, "mean wait of the noon cohort: {asa_noon}");
    assert!(r.interval_value(14, &r.scopes[0], Metric::AsaS) < 1.0);
}

#[test]
fn a_custom_busy_dnd_presence_keeps_agents_staffed_but_out_of_reach() {
    let text = center("breaks = [ { start = \"09:00\", duration = \"2h\", presence = \"training\" } ]", "", 30.0)
        .replace("[simulation]", "[[presence]]\nname = \"training\"\nbase = \"busy_dnd\"\n\n[simulation]");
    let r = run(&text);
    let shares = presence_shares(&r);
    assert!(shares[BasePresence::BusyDnd as usize] >= 2.0 / 24.0 - 1e-9, "{shares:?}");
    let staffed_hours = r.replications[0].agent[0].staffed_time / 3600.0;
    assert!((staffed_hours - 4.0 * 10.0 * 24.0).abs() < 1e-6, "busy_dnd counts as staffed");
    assert!(r.interval_value(9, &r.scopes[0], Metric::AsaS) > 10.0 * 60.0);
}

#[test]
fn several_shifts_a_day_are_worked_in_turn() {
    // 08:00–12:00 and 13:00–17:00: 8 hours on shift; conversations are all but instant, so
    // agents are offline the other 16 hours (to within the seconds spent finishing work).
    let text =
        center("shift = [ { start = \"08:00\", end = \"12:00\" }, { start = \"13:00\", end = \"17:00\" } ]", "", 0.5);
    let r = run(&text);
    let shares = presence_shares(&r);
    assert!((shares[BasePresence::Offline as usize] - 16.0 / 24.0).abs() < 1e-3, "{shares:?}");
    let asa_lunch = r.interval_value(12, &r.scopes[0], Metric::AsaS);
    assert!(asa_lunch.is_nan() || asa_lunch > 0.0);
}

#[test]
fn absent_agents_are_not_staffed() {
    // Each agent is absent on a day with probability 0.25: staffed agent-days are binomial.
    let text = center("absence = 0.25", "", 1.0).replace("count = 4", "count = 50");
    let r = run(&text);
    let agent_days: f64 = r.replications.iter().map(|rep| rep.agent[0].staffed_time / 86_400.0).sum();
    let n = 50.0 * 10.0 * 4.0;
    let present = agent_days / n;
    assert!((present - 0.75).abs() < 4.0 * (0.75f64 * 0.25 / n).sqrt(), "{present}");
    assert!(all(&r, Metric::Occupancy).mean <= 1.0);
}

#[test]
fn taking_work_that_makes_an_agent_busy_lets_it_take_work_that_only_busy_agents_may() {
    // Chats may go only to busy agents; calls to available or busy ones. A chat arrives at 00:10
    // and waits (the one agent is available); a call arrives at 00:20 and the agent takes it,
    // which makes it busy: the chat must be offered at once, at 00:20 (DESIGN.md "Push": a
    // presence change runs a cycle), not wait until a later change.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("chats.csv"), "600\n").unwrap();
    std::fs::write(dir.path().join("calls.csv"), "1200\n").unwrap();
    let text = r#"
[simulation]
horizon = "1h"
replications = 1
[[channel]]
name = "chat"
kind = "persistent_chat"
work_stream = "chats"
arrivals = { process = "trace", file = "chats.csv" }
[[channel]]
name = "phone"
kind = "voice"
work_stream = "calls"
arrivals = { process = "trace", file = "calls.csv" }
[[work_stream]]
name = "chats"
handle_time = "1m"
allowed_presences = ["busy"]
[[work_stream]]
name = "calls"
handle_time = "10m"
[[queue]]
name = "q"
[[agent_group]]
name = "a"
count = 1
capacity = 2
queues = ["q"]
"#;
    let s = ccsim::scenario::Scenario::from_toml_in(text, "test.toml", dir.path()).unwrap();
    let mut rec = crate::common::Recorder::default();
    ccsim::engine::simulate(&s, 0, &mut rec);
    let answered: Vec<f64> = rec.of("answered").iter().map(|a| a.2).collect();
    assert_eq!(answered, vec![1200.0, 1200.0], "the call and then the chat, both at 00:20");
}

#[test]
fn staggered_breaks_keep_the_queue_steady_where_a_whole_group_break_does_not() {
    use ccsim::erlang::{QueueModel, figures};
    use ccsim::experiment::{Settings, run_replications};

    // Ten agents from 08:00 to 18:00, 72 chats an hour of 5 minutes (6 Erlangs), a 30-minute
    // lunch: the whole group at 12:00, or spread over 11:00–14:00 (starts 16 minutes apart, so at
    // most two agents at lunch at once).
    let lunch = |breaks: &str| {
        let text = Center::new("persistent_chat", 72.0, "{ dist = \"exponential\", mean = \"5m\" }", 10)
            .agents(10, 1, &format!("shift = {{ start = \"08:00\", end = \"18:00\" }}\nbreaks = [{breaks}]"))
            .arrivals("{ process = \"poisson\", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 0, 72, 72, 72, 72, 72, 72, 72, 72, 72, 72, 0, 0, 0, 0, 0, 0] }")
            .simulation("horizon = \"1d\"\ninterval = \"30m\"\nreplications = 20\nservice_level_threshold = \"60s\"")
            .toml();
        let s = crate::common::scenario(&text);
        let r = run_replications(
            &s,
            &Settings { slots: Some(ccsim::time::SlotCycle::daily(1800.0)), ..Settings::default() },
            &|_| {},
        );
        (16..36).map(|k| r.group_estimate(k, &r.scopes[0], Metric::ServiceLevel)).collect::<Vec<_>>()
    };
    let whole = lunch("{ start = \"12:00\", duration = \"30m\" }");
    let staggered = lunch("{ window = [\"11:00\", \"14:00\"], duration = \"30m\" }");
    // The whole group away from 12:00 to 12:30: the chats of that half hour all wait past 60 s
    // but for those arriving in its last minute.
    let noon = &whole[8];
    assert!(noon.ci95_high < 0.2, "12:00 with the whole group at lunch: {noon:?}");
    // Staggered, every half hour has at least 8 agents: none is significantly below what Erlang C
    // gives 8 agents (0.76).
    let eight = figures(
        &QueueModel { arrivals_per_hour: 72.0, aht_s: 300.0, agents: 8, concurrency: 1, patience_mean_s: None },
        60.0,
    )
    .unwrap()
    .service_level;
    for (k, e) in staggered.iter().enumerate() {
        assert!(e.ci95_high >= eight, "the half hour from {}:{:02}: {e:?} against {eight}", 8 + k / 2, k % 2 * 30);
    }
}

#[test]
fn a_break_window_spreads_the_agents_in_roster_order_and_starts_place_them_one_by_one() {
    let starts = |breaks: &str, count: u32| -> Vec<f64> {
        let text =
            Center::new("live_chat", 10.0, "\"1m\"", count).agents(count, 1, &format!("breaks = [{breaks}]")).toml();
        crate::common::scenario(&text).agent_groups[0].breaks[0].starts.to_vec()
    };
    // Five agents over 11:00–13:00 with 30 minutes each: starts 22.5 minutes apart, on whole
    // minutes; the last ends at 13:00.
    let h = |hh: f64, mm: f64| hh * 3600.0 + mm * 60.0;
    assert_eq!(
        starts("{ window = [\"11:00\", \"13:00\"], duration = \"30m\" }", 5),
        [h(11.0, 0.0), h(11.0, 22.0), h(11.0, 45.0), h(12.0, 7.0), h(12.0, 30.0)]
    );
    assert_eq!(starts("{ window = [\"11:00\", \"13:00\"], duration = \"30m\" }", 1), [h(11.0, 0.0)]);
    assert_eq!(
        starts("{ starts = [\"09:00\", \"09:30\", \"09:30\"], duration = \"15m\" }", 3),
        [h(9.0, 0.0), h(9.0, 30.0), h(9.0, 30.0)]
    );
}
