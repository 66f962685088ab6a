//! The collector's tests: each observer method against brute-force counts of small centers.
use super::*;
use crate::engine::AgentId;
use crate::scenario::{ChannelId, QueueId, WorkStreamId};

const SCENARIO: &str = r#"
[simulation]
name = "levels"
horizon = "100s"
warmup = "15s"
interval = "20s"
replications = 1
seed = 1

[[channel]]
name = "c"
kind = "voice"
work_stream = "w"
arrivals = { process = "poisson", rate_per_hour = 1 }

[[work_stream]]
name = "w"
handle_time = { dist = "constant", value = "10s" }

[[queue]]
name = "q"

[[agent_group]]
name = "a"
count = 2
queues = ["q"]

[[agent_group]]
name = "b"
count = 1
queues = ["q"]
"#;

fn status(presence: BasePresence, staffed: bool, in_use: u32) -> AgentStatus {
    AgentStatus {
        presence,
        on_duty: staffed,
        staffed,
        busy: staffed && in_use > 0,
        staffed_capacity: u32::from(staffed),
        in_use,
    }
}

/// ∫ over each reporting interval ([15, 20), [20, 40), …, [80, 100)) of a step function that
/// starts at 0 and jumps by `d` at each (t, d), and its maximum there (the level it enters with
/// included, a jump at the horizon not).
fn by_brute_force(changes: &[(f64, i64)]) -> Vec<(f64, i64)> {
    let bounds = [15.0, 20.0, 40.0, 60.0, 80.0, 100.0];
    let level_at = |t: f64| changes.iter().filter(|(at, _)| *at <= t).map(|(_, d)| d).sum::<i64>();
    bounds
        .windows(2)
        .map(|b| {
            let (s, e) = (b[0], b[1]);
            let mut points: Vec<f64> = changes.iter().map(|c| c.0).filter(|&t| t > s && t < e).collect();
            points.insert(0, s);
            points.push(e);
            let integral = points.windows(2).map(|p| level_at(p[0]) as f64 * (p[1] - p[0])).sum();
            let max = points[..points.len() - 1].iter().map(|&t| level_at(t)).max().unwrap();
            (integral, max)
        })
        .collect()
}

#[test]
fn handled_and_completed_counts_as_its_three_calls_do() {
    let scenario = Scenario::from_toml(SCENARIO, "levels.toml").unwrap();
    let run = |combined: bool| {
        let mut c = Collector::new(&scenario, true);
        for g in [0u16, 0, 1] {
            c.agent_added(GroupId(g), status(BasePresence::Available, true, 0));
        }
        // One conversation before warm-up (counted nowhere) and two after it, in different
        // intervals, handled by agents of both groups.
        for (id, arrival, end, group) in [(0, 2.0, 9.0, 0u16), (1, 16.0, 30.0, 1), (2, 41.0, 47.5, 0)] {
            let mut view = ConversationView {
                id,
                arrival: SimTime(arrival),
                channel: ChannelId(0),
                work_stream: WorkStreamId(0),
                queue: QueueId(0),
                queued: false,
                answered: false,
                transferred: false,
                called_back: false,
                agent: AgentId(0),
                tag: 0,
            };
            c.context(view, &[]);
            view.tag = c.arrived(view);
            c.state_changed(view, ConversationState::Open, SimTime(arrival));
            view.answered = true;
            c.answered(view, SimTime(arrival + 1.0));
            c.state_changed(view, ConversationState::Active, SimTime(arrival + 1.0));
            let (group, handle, at) = (GroupId(group), Duration(end - arrival - 1.0), SimTime(end));
            if combined {
                c.handled_and_completed(group, view, handle, at);
            } else {
                c.handled(group, view, handle);
                c.wrapped_up(group, view, Duration::ZERO);
                c.completed(view, at);
            }
            c.state_changed(view, ConversationState::Closed, at);
        }
        c.finished(SimTime(100.0));
        let trace = c.trace.take().unwrap().rows;
        (c.cells, trace)
    };
    let (combined, separate) = (run(true), run(false));
    // Conversation 1 counts in interval 0 ([15 s, 20 s)), conversation 2 in interval 2, by
    // group a (scope 1).
    assert_eq!(combined.0.conv(0, 0).completed, 1, "the counts reach the cells");
    assert_eq!(combined.0.agent(2, 1).wrapped_up, 1, "the counts reach the cells");
    assert_eq!(combined, separate);
}

/// [`SCENARIO`]'s clock, with three leaves: (c1, q1), (c2, q2), (c3, q2).
const LEAVES: &str = r#"
[simulation]
name = "leaves"
horizon = "100s"
warmup = "15s"
interval = "20s"
replications = 1
seed = 1

[[channel]]
name = "c1"
kind = "voice"
work_stream = "w1"
arrivals = { process = "poisson", rate_per_hour = 1 }

[[channel]]
name = "c2"
kind = "sms"
work_stream = "w2"
arrivals = { process = "poisson", rate_per_hour = 1 }

[[channel]]
name = "c3"
kind = "custom"
work_stream = "w2"
arrivals = { process = "poisson", rate_per_hour = 1 }

[[work_stream]]
name = "w1"
fallback_queue = "q1"
handle_time = { dist = "constant", value = "10s" }

[[work_stream]]
name = "w2"
fallback_queue = "q2"
handle_time = { dist = "constant", value = "10s" }

[[queue]]
name = "q1"

[[queue]]
name = "q2"

[[agent_group]]
name = "a"
count = 1
queues = ["q1", "q2"]
"#;

#[test]
fn each_scope_has_the_maximum_queue_length_of_its_own_leaves() {
    // Three leaves: (c1, q1), (c2, q2), (c3, q2). Channel c1, work stream w1 and queue q1 cover
    // the first alone; w2 and q2 cover the other two; `all` covers the three.
    let scenario = Scenario::from_toml(LEAVES, "leaves.toml").unwrap();
    let mut c = Collector::new(&scenario, false);
    let leaf_view = |channel: u16, work_stream: u16, queue: u16| ConversationView {
        id: 0,
        arrival: SimTime(0.0),
        channel: ChannelId(channel),
        work_stream: WorkStreamId(work_stream),
        queue: QueueId(queue),
        queued: true,
        answered: false,
        transferred: false,
        called_back: false,
        agent: AgentId(0),
        tag: 0,
    };
    let mut views = [leaf_view(0, 0, 0), leaf_view(1, 1, 1), leaf_view(2, 1, 1)];
    for v in &mut views {
        v.tag = c.arrived(*v);
    }
    // (time, leaf, change), in time order; each leaf's level stays at 0 or above.
    let changes = [
        (1.0, 0, 1),
        (16.0, 1, 1),
        (17.0, 2, 1),
        (18.0, 2, 1),
        (21.0, 0, 1),
        (25.0, 1, -1),
        (30.0, 2, -2),
        (41.0, 0, 1),
        (42.0, 1, 1),
        (45.0, 0, -3),
        (61.0, 2, 1),
        (62.0, 2, 1),
        (63.0, 1, 1),
        (85.0, 2, -2),
        (90.0, 1, -2),
    ];
    for &(t, leaf, d) in &changes {
        c.open_changed(views[leaf], SimTime(t), d);
    }
    c.finished(SimTime(100.0));
    let layout = &c.cells.layout;
    let scopes: [(usize, &[usize]); 8] = [
        (0, &[0, 1, 2]),
        (layout.of_conversation(0, 0, 0)[1], &[0]),
        (layout.of_conversation(1, 1, 1)[1], &[1]),
        (layout.of_conversation(2, 1, 1)[1], &[2]),
        (layout.of_conversation(0, 0, 0)[2], &[0]),
        (layout.of_conversation(1, 1, 1)[2], &[1, 2]),
        (layout.of_conversation(0, 0, 0)[3], &[0]),
        (layout.of_conversation(1, 1, 1)[3], &[1, 2]),
    ];
    for (scope, leaves) in scopes {
        let steps: Vec<(f64, i64)> =
            changes.iter().filter(|(_, l, _)| leaves.contains(l)).map(|&(t, _, d)| (t, d)).collect();
        let expected = by_brute_force(&steps);
        for (k, (open_time, max)) in expected.into_iter().enumerate() {
            let cell = c.cells.conv(k, scope);
            assert_eq!(cell.max_open, max, "scope {scope}, interval {k}");
            assert!((cell.open_time - open_time).abs() < 1e-9, "scope {scope}, interval {k}");
        }
    }
}

#[test]
fn levels_are_integrated_per_interval_as_a_step_function_would_be() {
    let scenario = Scenario::from_toml(SCENARIO, "levels.toml").unwrap();
    let mut c = Collector::new(&scenario, false);
    for g in [0u16, 0, 1] {
        c.agent_added(GroupId(g), status(BasePresence::Offline, false, 0));
    }
    let view = ConversationView {
        id: 0,
        arrival: SimTime(0.0),
        channel: ChannelId(0),
        work_stream: WorkStreamId(0),
        queue: QueueId(0),
        queued: true,
        answered: false,
        transferred: false,
        called_back: false,
        agent: AgentId(0),
        tag: 0,
    };
    // Before warm-up, at interval boundaries, twice at one instant, across empty intervals, and
    // at the horizon.
    let open = [(3.0, 1), (15.0, 1), (17.5, -1), (20.0, 2), (20.0, -1), (27.0, 1), (75.0, -2), (100.0, 1)];
    let off = status(BasePresence::Offline, false, 0);
    let idle = status(BasePresence::Available, true, 0);
    let busy = status(BasePresence::BusyDnd, true, 1);
    let group_a = [(0.0, off, idle), (0.0, off, idle), (5.0, idle, busy), (22.0, busy, idle), (61.0, idle, busy)];
    // In time order, as the engine reports them.
    let (mut i, mut j) = (0, 0);
    while i < open.len() || j < group_a.len() {
        if j == group_a.len() || (i < open.len() && open[i].0 < group_a[j].0) {
            c.open_changed(view, SimTime(open[i].0), open[i].1);
            i += 1;
        } else {
            let (t, from, to) = group_a[j];
            c.agent_changed(GroupId(0), SimTime(t), from, to);
            j += 1;
        }
    }
    c.finished(SimTime(100.0));

    let steps = |f: &dyn Fn(&AgentStatus) -> i64| -> Vec<(f64, i64)> {
        group_a.iter().map(|(t, from, to)| (*t, f(to) - f(from))).collect()
    };
    let expected_open = by_brute_force(&open);
    let expected_in_use = by_brute_force(&steps(&|s| i64::from(s.in_use)));
    let expected_staffed = by_brute_force(&steps(&|s| i64::from(s.staffed)));
    let expected_available = by_brute_force(&steps(&|s| i64::from(s.presence == BasePresence::Available)));
    let expected_offline =
        by_brute_force(&[vec![(0.0, 2)], steps(&|s| i64::from(s.presence == BasePresence::Offline))].concat());
    for k in 0..5 {
        let (conv, a, b) = (c.cells.conv(k, 0), c.cells.agent(k, 1), c.cells.agent(k, 2));
        let close = |x: f64, y: f64| (x - y).abs() < 1e-9;
        assert!(
            close(conv.open_time, expected_open[k].0),
            "interval {k}: {} vs {:?}",
            conv.open_time,
            expected_open[k]
        );
        assert_eq!(conv.max_open, expected_open[k].1, "interval {k}");
        assert!(close(a.in_use_time, expected_in_use[k].0), "interval {k}: {}", a.in_use_time);
        assert!(close(a.staffed_time, expected_staffed[k].0), "interval {k}: {}", a.staffed_time);
        assert!(close(a.busy_time, expected_in_use[k].0), "interval {k}: {}", a.busy_time);
        assert!(close(a.presence_time[BasePresence::Available as usize], expected_available[k].0), "interval {k}");
        assert!(close(a.presence_time[BasePresence::Offline as usize], expected_offline[k].0), "interval {k}");
        // Group b stays offline throughout.
        let length = if k == 0 { 5.0 } else { 20.0 };
        assert!(close(b.presence_time[BasePresence::Offline as usize], length), "interval {k}");
        assert_eq!(b.staffed_time, 0.0);
    }
}
