//! Warnings about staffing that a scenario allows but a planner rarely means: conversations routed
//! to a queue at times of day when no agent group serving it is on shift. They wait (and may
//! abandon or auto-close) until a group comes on, which the scenario permits (DESIGN.md "Nobody on
//! shift"), but which is most often a shift typed wrong.

use super::*;

/// Minutes in a day: coverage is judged minute by minute of the day.
const MINUTES: usize = 1440;

impl Resolver<'_> {
    /// Warns, per queue, of the times of day with arrivals routed to it and nobody on shift.
    pub(super) fn check_coverage(
        &self,
        raw: &RawScenario,
        simulation: &Simulation,
        channels: &[Channel],
        work_streams: &[WorkStream],
        groups: &[AgentGroup],
    ) {
        // Only the part of the day the horizon reaches on day 1 when it is shorter than a day.
        let minutes = ((simulation.horizon.0 / 60.0).ceil() as usize).min(MINUTES);
        // Queues with the same uncovered times share one warning.
        let mut uncovered: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
        for q in 0..raw.queue.len() {
            let queue = QueueId(q as u16);
            let feeds = |c: &&Channel| work_streams[c.work_stream.index()].reaches(queue);
            let arriving = channels.iter().filter(feeds).fold(vec![false; MINUTES], |mut any, c| {
                for (m, a) in any.iter_mut().enumerate() {
                    *a |= arrives_in(&c.arrivals, m);
                }
                any
            });
            let serving: Vec<&AgentGroup> =
                groups.iter().filter(|g| g.count > 0 && g.queues.contains(&queue)).collect();
            let unserved: Vec<bool> =
                (0..MINUTES).map(|m| m < minutes && arriving[m] && !serving.iter().any(|g| on_shift(g, m))).collect();
            let spans = spans(&unserved);
            if spans.is_empty() {
                continue;
            }
            match uncovered.iter_mut().find(|(s, _)| *s == spans) {
                Some((_, queues)) => queues.push(q),
                None => uncovered.push((spans, vec![q])),
            }
        }
        for (spans, queues) in uncovered {
            let first = &raw.queue[queues[0]].name;
            let (key, which) = match &queues[..] {
                [_] => (format!("queue.{}", first.get_ref()), "this queue".to_string()),
                _ => {
                    let names: Vec<String> =
                        queues.iter().map(|&q| format!("\"{}\"", raw.queue[q].name.get_ref())).collect();
                    ("queue".to_string(), format!("queues {}", names.join(", ")))
                }
            };
            self.warn_at(
                Some(first.span()),
                key,
                format!(
                    "conversations are routed to {which} at {} when no agent group serving it is on shift; they wait until one is",
                    spans.join(", ")
                ),
            );
        }
    }
}

/// Whether `arrivals` can bring a conversation in minute `m` of a day.
fn arrives_in(arrivals: &Arrivals, m: usize) -> bool {
    let (from, to) = (m as f64 * MINUTE, (m + 1) as f64 * MINUTE);
    match arrivals {
        // Slots are at least a minute long and start on whole minutes: the middle of the minute
        // is in the slot that holds it.
        Arrivals::Poisson(profile) => profile.rate.positive_at_time_of_day((from + to) / 2.0),
        Arrivals::Renewal(_) => true,
        Arrivals::Trace(times) => times.iter().any(|&t| (from..to).contains(&(t % DAY))),
    }
}

/// Whether some of group `g`'s agents are on duty during minute `m` of a day (on some day, for a
/// weekly staffing profile).
fn on_shift(g: &AgentGroup, m: usize) -> bool {
    let t = (m as f64 + 0.5) * MINUTE;
    match &g.staffing {
        Some(profile) => profile.positive_at_time_of_day(t),
        None => g.on_shift(t),
    }
}

/// The runs of `true` as `HH:MM–HH:MM`.
fn spans(minutes: &[bool]) -> Vec<String> {
    let clock = |m: usize| format!("{:02}:{:02}", m / 60, m % 60);
    let mut spans = Vec::new();
    let mut start = None;
    for (m, &on) in minutes.iter().chain(std::iter::once(&false)).enumerate() {
        match (on, start) {
            (true, None) => start = Some(m),
            (false, Some(s)) => {
                spans.push(format!("{}–{}", clock(s), clock(m)));
                start = None;
            }
            _ => {}
        }
    }
    spans
}
