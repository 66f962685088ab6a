//! The CSV files of a run: `summary.csv`, `intervals.csv` and `replications.csv` (DESIGN.md
//! "Output files"). Each is a function of finished results; the numbers come from
//! [`crate::metrics`], this module only lays them out. Numbers are written in Rust's shortest
//! round-trip form, so the same results always give the same bytes; undefined values are `NaN`.

use crate::engine::AgentId;
use crate::metrics::{Metric, RunResults};

/// The metric columns of `intervals.csv`: those of DESIGN.md, the lifecycle counts, then the
/// waits and loads added since (new columns go last, so that the older ones keep their places).
pub const INTERVAL_METRICS: [Metric; 19] = [
    Metric::Offered,
    Metric::Answered,
    Metric::Abandoned,
    Metric::AutoClosed,
    Metric::AsaS,
    Metric::WaitP90S,
    Metric::ServiceLevel,
    Metric::AbandonRate,
    Metric::AvgQueueLen,
    Metric::Occupancy,
    Metric::Offers,
    Metric::Rejects,
    Metric::Timeouts,
    Metric::Waits,
    Metric::Reopened,
    Metric::PWait,
    Metric::WaitP50S,
    Metric::WaitP95S,
    Metric::Utilization,
];

/// The metric columns of `intervals.csv` after `staffed_agents`, added since, in the order they
/// were added.
pub const LATER_INTERVAL_METRICS: [Metric; 9] = [
    Metric::Overflowed,
    Metric::EndedByOverflow,
    Metric::Transfers,
    Metric::TransferWaitS,
    Metric::BotContained,
    Metric::BotEscalated,
    Metric::BotTimeS,
    Metric::Callbacks,
    Metric::Voicemails,
];

pub(super) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

pub(super) fn finish(w: csv::Writer<Vec<u8>>) -> csv::Result<Vec<u8>> {
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

pub(super) fn number(x: f64) -> String {
    if x.is_nan() { "NaN".to_string() } else { x.to_string() }
}

/// `scope,name,metric,mean,ci95_low,ci95_high,std_dev,replications`
pub fn summary_csv(results: &RunResults) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(["scope", "name", "metric", "mean", "ci95_low", "ci95_high", "std_dev", "replications"])?;
    for row in results.summary() {
        let e = row.estimate;
        w.write_record([
            row.scope.name(),
            &row.name,
            row.metric.name(),
            &number(e.mean),
            &number(e.ci95_low),
            &number(e.ci95_high),
            &number(e.std_dev),
            &e.replications.to_string(),
        ])?;
    }
    finish(w)
}

/// One row per (interval, scope), the metrics of [`INTERVAL_METRICS`] over all replications,
/// then the agents staffed on average (agent scopes; NaN for the others), then the metrics of
/// [`LATER_INTERVAL_METRICS`].
pub fn intervals_csv(results: &RunResults) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    let mut header = vec!["interval_start", "interval_end", "scope", "name"];
    header.extend(INTERVAL_METRICS.iter().map(|m| m.name()));
    header.push("staffed_agents");
    header.extend(LATER_INTERVAL_METRICS.iter().map(|m| m.name()));
    w.write_record(&header)?;
    for (k, (start, end)) in results.interval_labels.iter().enumerate() {
        for scope in &results.scopes {
            let mut record = vec![start.clone(), end.clone(), scope.kind.name().to_string(), scope.name.clone()];
            record.extend(INTERVAL_METRICS.iter().map(|&m| number(results.interval_value(k, scope, m))));
            record.push(number(results.staffed_agents(&[k], scope)));
            record.extend(LATER_INTERVAL_METRICS.iter().map(|&m| number(results.interval_value(k, scope, m))));
            w.write_record(&record)?;
        }
    }
    finish(w)
}

/// One row per (replication, scope) with every headline metric (NaN where it does not apply).
pub fn replications_csv(results: &RunResults) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    let mut header = vec!["replication", "scope", "name"];
    header.extend(Metric::ALL.iter().map(|m| m.name()));
    w.write_record(&header)?;
    for r in 0..results.replications.len() {
        for scope in &results.scopes {
            let mut record = vec![(r + 1).to_string(), scope.kind.name().to_string(), scope.name.clone()];
            record.extend(Metric::ALL.iter().map(|&m| {
                if m.applies_to(scope.kind) {
                    number(results.replication_value(r, scope, m).number())
                } else {
                    "NaN".into()
                }
            }));
            w.write_record(&record)?;
        }
    }
    finish(w)
}

/// Per agent scope (all, each group): staffed hours per replication, occupancy, utilization, and
/// the share of agent time in each base presence, then in each custom presence (a part of its
/// base presence's share) — means per replication and ratios of sums; then hours on duty, their
/// cost (× the group's `cost_per_hour`; the groups' sum for all) and full-time equivalents
/// (staffed hours ÷ 8 h a day of the horizon after warm-up).
pub fn agents_csv(results: &RunResults, scenario: &crate::scenario::Scenario) -> csv::Result<Vec<u8>> {
    use crate::scenario::BasePresence;
    let mut w = writer();
    let mut header = vec!["scope", "name", "staffed_hours", "occupancy", "utilization"];
    header.extend(BasePresence::ALL.iter().map(|p| p.name()));
    // Then each custom presence of `[[presence]]`: a part of its base presence's share.
    let customs = &scenario.presences[BasePresence::ALL.len().min(scenario.presences.len())..];
    header.extend(customs.iter().map(|p| p.name.as_str()));
    header.extend(["on_duty_hours", "cost", "fte"]);
    w.write_record(&header)?;
    let reps = results.replications.len().max(1) as f64;
    let total_of = |i: usize| {
        let mut total = crate::metrics::AgentCell::default();
        for r in &results.replications {
            total.merge(&r.agent[i]);
        }
        total
    };
    // Hours on duty per replication, and their cost, of each group.
    let groups: Vec<(f64, f64)> = results
        .scopes
        .iter()
        .filter(|s| s.kind == crate::metrics::ScopeKind::AgentGroup)
        .map(|s| {
            let hours = total_of(s.agent.unwrap_or_default()).on_duty_time / 3600.0 / reps;
            let cost_per_hour =
                scenario.agent_groups.iter().find(|g| g.name == s.name).map_or(1.0, |g| g.cost_per_hour);
            (hours, hours * cost_per_hour)
        })
        .collect();
    let days = (scenario.simulation.horizon.0 - scenario.simulation.warmup.0) / crate::time::DAY;
    let mut group = groups.iter();
    for scope in results.scopes.iter().filter(|s| s.agent.is_some()) {
        let i = scope.agent.unwrap_or_default();
        let total = total_of(i);
        let agent_time: f64 = total.presence_time.iter().sum();
        let mut record = vec![
            scope.kind.name().to_string(),
            scope.name.clone(),
            number(total.staffed_time / 3600.0 / reps),
            number(results.estimate(scope, Metric::Occupancy).mean),
            number(results.estimate(scope, Metric::Utilization).mean),
        ];
        let share = |t: f64| number(if agent_time > 0.0 { t / agent_time } else { f64::NAN });
        record.extend(total.presence_time.iter().map(|&t| share(t)));
        record.extend((0..customs.len()).map(|k| share(total.custom_time.get(k).copied().unwrap_or(0.0))));
        let (on_duty, cost) = match scope.kind {
            crate::metrics::ScopeKind::AgentGroup => group.next().copied().unwrap_or((f64::NAN, f64::NAN)),
            _ => (total.on_duty_time / 3600.0 / reps, groups.iter().map(|g| g.1).sum()),
        };
        let fte = total.staffed_time / 3600.0 / reps / (8.0 * days);
        record.extend([number(on_duty), number(cost), number(fte)]);
        w.write_record(&record)?;
    }
    finish(w)
}

/// One row per conversation of replication 1 (`--trace`); empty but for the header without a trace.
pub fn conversations_csv(results: &RunResults, scenario: &crate::scenario::Scenario) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record([
        "conversation",
        "arrival",
        "arrival_s",
        "channel",
        "work_stream",
        "queue",
        "context",
        "agent",
        "queued",
        "first_accept_s",
        "first_wait_s",
        "open_s",
        "offered_s",
        "active_s",
        "waiting_s",
        "wrap_up_s",
        "closed_s",
        "outcome",
    ])?;
    // Agents are named `<group>#<n>`, n counting from 1 within the group.
    let mut starts = Vec::with_capacity(results.groups.len());
    let mut next = 0u32;
    for (_, count) in &results.groups {
        starts.push(next);
        next += count;
    }
    let agent_name = |agent: AgentId| -> String {
        if agent == AgentId::NONE {
            return String::new();
        }
        let g = starts.partition_point(|&s| s <= agent.0) - 1;
        format!("{}#{}", results.groups[g].0, agent.0 - starts[g] + 1)
    };
    let optional = |t: Option<crate::time::SimTime>| t.map_or_else(String::new, |t| t.0.to_string());
    for row in results.trace.iter().flatten() {
        let v = &row.view;
        w.write_record([
            (v.id + 1).to_string(),
            scenario.simulation.label(v.arrival),
            v.arrival.0.to_string(),
            scenario.channels[v.channel.index()].name.clone(),
            scenario.work_streams[v.work_stream.index()].name.clone(),
            scenario.queues[v.queue.index()].name.clone(),
            row.context.clone(),
            agent_name(v.agent),
            v.queued.to_string(),
            optional(row.first_accept),
            row.first_accept.map_or_else(String::new, |t| (t.0 - v.arrival.0).to_string()),
            row.open_s.to_string(),
            row.offered_s.to_string(),
            row.active_s.to_string(),
            row.waiting_s.to_string(),
            row.wrap_up_s.to_string(),
            optional(row.closed),
            row.outcome.name().to_string(),
        ])?;
    }
    finish(w)
}
