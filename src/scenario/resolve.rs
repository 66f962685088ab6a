//! From the file as written ([`RawScenario`]) to the checked model ([`Scenario`]).
//!
//! Every reference (channel → work stream, rule → queue, group → queues, fallback queue) is looked
//! up here, once; every number is checked against its limits; every error names the key, the line
//! and column of the value, and what was expected. Defaults are those of DESIGN.md "Defaults and
//! exact rules".
//!
//! Decisions where the design is silent:
//! - `fallback_queue` may be left out when the scenario has exactly one queue.
//! - A queue without `priority` is served after every queue that has one.
//! - A context value that a channel does not generate is missing, and a missing value satisfies
//!   no routing condition (not even `ne`).
//! - Every queue a work stream can route to must be served by an agent group whose capacity is at
//!   least the work stream's `capacity`; otherwise its conversations could never be answered.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;

use super::demand;
use super::distribution::{Distribution, DistributionSpec, RawDistribution, Support};
use super::error::{ScenarioError, line_column};
use super::memory_label;
use super::model::*;
use super::raw::{self, RateSpec, RawAgentGroup, RawArrivals, RawChannel, RawScenario, RawSimulation, RawWorkStream};
use crate::time::{DAY, Duration, HOUR, MINUTE, SimTime, parse_time_of_day};

/// Largest sizes ccsim accepts; beyond them a run would exhaust memory or never finish. Each is
/// checked in one place, when the scenario is checked (exit 2), and named in its message. The
/// bounds on work (arrivals, episodes, polls) are set so that a planner's biggest real case —
/// 10 000 agents, 100 000 conversations an hour, a year — passes with room to spare.
pub mod limits {
    /// The default of `simulation.max_in_system`: the most conversations one replication may hold
    /// in the system at once before it stops (exit 3). A center whose arrivals outrun its agents
    /// queues without bound; at [`CONVERSATION_BYTES`] a conversation this keeps a replication
    /// under about 160 MB, so that many run side by side within [`MEMORY`].
    pub const IN_SYSTEM: i64 = 1_000_000;
    /// The largest `simulation.max_in_system` accepted (about 16 GB a replication, more than
    /// [`MEMORY`] allows: such a value is refused by the memory check unless it is all that runs).
    pub const IN_SYSTEM_MAX: i64 = 100_000_000;
    /// What a command may hold in memory at once, as estimated before it runs from the counts
    /// below: the cells kept for the report (every replication's totals and every variant's
    /// intervals), and those of the replications under way or waiting to be merged with the
    /// conversations they may hold. Fewer replications run side by side when that is what it takes
    /// (the results do not depend on it); a command whose one replication under way and kept cells
    /// pass it is refused.
    pub const MEMORY: u64 = 4 << 30;
    /// Bytes of one scope's cell of one interval (counts, sums and a wait histogram), a bound the
    /// metrics tests hold the real cells to.
    pub const CELL_BYTES: u64 = 1_300;
    /// Bytes of one conversation in the system (its slot, its timers, its place in a lane).
    pub const CONVERSATION_BYTES: u64 = 160;
    /// Bytes of one agent (its state, random streams, seats and bits).
    pub const AGENT_BYTES: u64 = 400;
    /// Conversations of replication 1 that `--trace` may expect: each row is held until the run
    /// ends, about 370 bytes with its text, so this is about 740 MB.
    pub const TRACE_CONVERSATIONS: f64 = 2e6;
    /// Agents in one group, and in all groups together.
    pub const AGENTS: u64 = 1_000_000;
    /// Capacity units of an agent, and units a conversation of a work stream takes.
    pub const CAPACITY: i64 = 10_000;
    /// `simulation.replications`.
    pub const REPLICATIONS: i64 = 100_000;
    /// `simulation.horizon`, in days: ten years.
    pub const HORIZON_DAYS: f64 = 3_660.0;
    /// Reporting cells (intervals × scopes) one replication may keep.
    pub const CELLS: usize = 250_000;
    /// Tables of one kind (`[[channel]]`, `[[queue]]`, …); ids are 16-bit.
    pub const TABLES: usize = 10_000;
    /// Arrivals one replication may expect, all channels together: rate × horizon for Poisson
    /// arrivals (per interval); horizon / mean gap, plus a term for the spread of the gaps, for
    /// renewal ones ([`renewals_bound`]); the replayed timestamps of a trace. 100 000 an hour
    /// for a year is 876 000 000 and passes; 10⁹ an hour for a day (2.4·10¹⁰), 10³⁰⁰ an hour,
    /// or a renewal gap of 10⁻³⁰⁰ s does not.
    ///
    /// [`renewals_bound`]: crate::scenario::distribution::Distribution::renewals_bound
    pub const ARRIVALS: f64 = 1e9;
    /// Active episodes one replication may expect: arrivals times how often a conversation comes
    /// back from Waiting. Ten per conversation at [`ARRIVALS`]; it stops `waiting` with
    /// probability 1, never_reply 0 and handle and reply times of mean 0 (a conversation that
    /// would come back forever at one instant) and near relatives of it.
    pub const EPISODES: f64 = 1e10;
    /// Polls one replication may expect from agents who look at pick queues every `pick.every`:
    /// agents × horizon / mean period. 10 000 agents polling every 30 s for a year make
    /// 1.05·10¹⁰ and pass; an `every` of 10⁻³⁰⁰ s does not.
    pub const POLLS: f64 = 2e10;
    /// Bytes of a scenario file; the largest real ones are a few hundred kilobytes.
    pub const SCENARIO_FILE_BYTES: u64 = 16 << 20;
    /// Bytes of a data file (`empirical` values, `trace` timestamps): tens of millions of
    /// records, more than a year of a large center's arrivals.
    pub const DATA_FILE_BYTES: u64 = 256 << 20;
    /// Dotted parts of a `--set`, `--variant` or `--vary` key: the deepest scenario key has 8
    /// (`work_stream.W.routing_rule.R.when.V.ge`, say).
    pub const KEY_PARTS: usize = 16;
    /// `--threads`: more threads than this only wait for one another.
    pub const THREADS: usize = 1_024;
    /// Points of a `sweep` grid (the product of its axes' value counts), and values of one axis.
    pub const POINTS: usize = 10_000;
}

pub(super) struct Resolver<'a> {
    pub file: &'a str,
    pub text: &'a str,
    /// Where data files named by relative paths are read from: the scenario file's directory.
    pub base_dir: &'a Path,
}

type Result<T> = std::result::Result<T, ScenarioError>;

impl Resolver<'_> {
    fn error_at(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError {
            file: self.file.to_string(),
            position: span.map(|s| line_column(self.text, s.start)),
            key: key.into(),
            message: message.into(),
        }
    }

    fn at<T>(&self, spanned: &Spanned<T>, key: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        self.error_at(Some(spanned.span()), key, message)
    }

    pub fn resolve(&self, raw: RawScenario) -> Result<Scenario> {
        let simulation = self.simulation(&raw.simulation)?;
        let name = match &raw.simulation.name {
            Some(n) if n.get_ref().trim().is_empty() => {
                return Err(self.at(n, "simulation.name", "the name is empty; expected a non-empty name"));
            }
            Some(n) => n.get_ref().clone(),
            None => std::path::Path::new(self.file)
                .file_stem()
                .map_or_else(|| "scenario".to_string(), |s| s.to_string_lossy().into_owned()),
        };

        let queue_ids: BTreeMap<String, QueueId> = self.names("queue", raw.queue.iter().map(|q| &q.name))?;
        let ws_ids: BTreeMap<String, WorkStreamId> =
            self.names("work_stream", raw.work_stream.iter().map(|w| &w.name))?;
        self.names::<ChannelId>("channel", raw.channel.iter().map(|c| &c.name))?;
        self.names::<GroupId>("agent_group", raw.agent_group.iter().map(|g| &g.name))?;

        if raw.agent_group.is_empty() {
            return Err(self.error_at(
                None,
                "agent_group",
                "the scenario has no [[agent_group]]; expected at least one (its count may be 0)",
            ));
        }
        if raw.channel.is_empty() {
            return Err(self.error_at(
                None,
                "channel",
                "the scenario has no [[channel]]; expected at least one channel with arrivals",
            ));
        }
        if raw.queue.is_empty() {
            return Err(self.error_at(None, "queue", "the scenario has no [[queue]]; expected at least one"));
        }

        let queues: Vec<Queue> = raw
            .queue
            .iter()
            .map(|q| Queue {
                name: q.name.get_ref().clone(),
                priority: q.priority.unwrap_or(i64::MAX),
                assignment: match q.assignment.unwrap_or(raw::AssignmentMethod::HighestCapacity) {
                    raw::AssignmentMethod::HighestCapacity => AssignmentMethod::HighestCapacity,
                    raw::AssignmentMethod::RoundRobin => AssignmentMethod::RoundRobin,
                    raw::AssignmentMethod::LeastActive => AssignmentMethod::LeastActive,
                },
                service_level_threshold: q.service_level_threshold.unwrap_or(simulation.service_level_threshold),
            })
            .collect();

        let presences = self.presences(&raw.presence)?;
        let agent_groups =
            raw.agent_group.iter().map(|g| self.agent_group(g, &queue_ids, &presences)).collect::<Result<Vec<_>>>()?;
        let total_agents: u64 = agent_groups.iter().map(|g| u64::from(g.count)).sum();
        if total_agents > limits::AGENTS {
            return Err(self.error_at(
                None,
                "agent_group",
                format!("{total_agents} agents in all is too large to simulate; expected at most {}", limits::AGENTS),
            ));
        }

        // Channels are resolved against their work stream's variables, so work streams come first,
        // with their categories collected from the channels that feed them.
        let mut work_streams = Vec::with_capacity(raw.work_stream.len());
        for ws in &raw.work_stream {
            work_streams.push(self.work_stream(ws, &raw.channel, &queue_ids)?);
        }

        let mut warnings = Vec::new();
        let mut channels = Vec::with_capacity(raw.channel.len());
        for ch in &raw.channel {
            let key = format!("channel.{}", ch.name.get_ref());
            let ws_id = *ws_ids.get(ch.work_stream.get_ref()).ok_or_else(|| {
                self.at(
                    &ch.work_stream,
                    format!("{key}.work_stream"),
                    format!(
                        "no work stream is named \"{}\"; expected one of {}",
                        ch.work_stream.get_ref(),
                        list(ws_ids.keys())
                    ),
                )
            })?;
            let ws = &work_streams[ws_id.index()];
            let arrivals = self.arrivals(&ch.arrivals, &simulation, &key, &mut warnings)?;
            if !arrivals.has_arrivals() {
                warnings.push(format!("channel \"{}\" has no arrivals all day", ch.name.get_ref()));
            }
            let context = self.channel_context(ch, ws, &key)?;
            // A value given on the work stream applies to all its conversations; left out, it
            // follows the channel's kind: live chat closes unanswered chats after 20 minutes
            // (DOMAIN.md §2.5), the others never.
            let auto_close_open = match raw.work_stream[ws_id.index()].auto_close_open {
                Some(given) => Some(given).filter(|d| d.0 > 0.0),
                None if ch.kind == ChannelKind::LiveChat => Some(Duration(20.0 * MINUTE)),
                None => None,
            };
            channels.push(Channel {
                name: ch.name.get_ref().clone(),
                kind: ch.kind,
                work_stream: ws_id,
                arrivals,
                context,
                auto_close_open,
            });
        }
        if channels.iter().all(|c| !c.arrivals.has_arrivals()) {
            return Err(self.error_at(
                None,
                "channel",
                "no channel has any arrivals; expected at least one channel with a rate above 0",
            ));
        }

        // Per-channel-kind rules of the work streams: Waiting exists only on asynchronous channels,
        // affinity is on by default for them, voice is push only (DOMAIN.md §1.1, §1.2, §4.1).
        for (raw_ws, ws) in raw.work_stream.iter().zip(work_streams.iter_mut()) {
            let id = ws_ids[raw_ws.name.get_ref()];
            let kinds: Vec<ChannelKind> = channels.iter().filter(|c| c.work_stream == id).map(|c| c.kind).collect();
            let key = format!("work_stream.{}", ws.name);
            if let (Some(w), Some(sync)) = (&raw_ws.waiting, kinds.iter().find(|k| !k.is_asynchronous())) {
                return Err(self.at(
                    w,
                    format!("{key}.waiting"),
                    format!(
                        "a {} channel feeds this work stream and has no Waiting state; expected `waiting` only on asynchronous channels (persistent chat, SMS, social, Teams, custom)",
                        sync.name()
                    ),
                ));
            }
            if ws.mode == Mode::Pick && kinds.contains(&ChannelKind::Voice) {
                return Err(self.at(
                    &raw_ws.name,
                    format!("{key}.mode"),
                    "a voice channel feeds this work stream; expected mode = \"push\" (voice is push only)",
                ));
            }
            if raw_ws.affinity.is_none() {
                ws.affinity = !kinds.is_empty() && kinds.iter().all(|k| k.is_asynchronous());
            }
        }

        self.check_service(&raw, &work_streams, &agent_groups, &queues)?;
        self.check_arrivals(&raw, &simulation, &channels)?;
        self.check_episodes(&raw, &simulation, &channels, &work_streams)?;
        self.check_polls(&raw, &simulation, &work_streams, &agent_groups)?;

        let scopes = 1 + channels.len() + work_streams.len() + queues.len() + agent_groups.len();
        let cells = simulation.interval_count() * scopes;
        if cells > limits::CELLS {
            return Err(self.error_at(
                raw.simulation.interval.as_ref().map(|s| s.span()),
                "simulation.interval",
                format!(
                    "{} reporting intervals × {scopes} scopes = {cells} cells is too large; expected at most {} (use a longer interval or a shorter horizon)",
                    simulation.interval_count(),
                    limits::CELLS
                ),
            ));
        }

        let checks = raw
            .check
            .iter()
            .enumerate()
            .map(|(i, c)| self.check(i, c, &simulation, &channels, &work_streams, &queues, &agent_groups))
            .collect::<Result<Vec<_>>>()?;

        let scenario =
            Scenario { name, simulation, channels, work_streams, queues, agent_groups, presences, checks, warnings };
        self.check_memory(&raw, &scenario)?;
        Ok(scenario)
    }

    /// One replication under way beside the cells kept for the report fit in [`limits::MEMORY`].
    fn check_memory(&self, raw: &RawScenario, scenario: &Scenario) -> Result<()> {
        let f = scenario.footprint();
        let total = f.kept + f.under_way + f.waiting;
        if total <= limits::MEMORY {
            return Ok(());
        }
        let sim = &raw.simulation;
        let in_system = scenario.simulation.max_in_system as u64 * limits::CONVERSATION_BYTES;
        // The key whose value holds the most.
        let (span, key, what) = if in_system >= f.kept && in_system >= f.under_way - in_system {
            (sim.max_in_system.as_ref().map(|s| s.span()), "simulation.max_in_system", "lower max_in_system")
        } else if f.kept >= f.under_way {
            (sim.replications.as_ref().map(|s| s.span()), "simulation.replications", "fewer replications")
        } else {
            (sim.interval.as_ref().map(|s| s.span()), "simulation.interval", "a longer interval or a shorter horizon")
        };
        Err(self.error_at(
            span,
            key,
            format!(
                "a run would hold about {} at once (results kept {}, a replication under way {}); expected at most {} (limit MEMORY): {what}",
                memory_label(total),
                memory_label(f.kept),
                memory_label(f.under_way + f.waiting),
                memory_label(limits::MEMORY)
            ),
        ))
    }

    fn simulation(&self, raw: &RawSimulation) -> Result<Simulation> {
        let duration = |value: &Option<Spanned<Duration>>, default: f64| {
            value.as_ref().map_or(Duration(default), |v| *v.get_ref())
        };
        let horizon = duration(&raw.horizon, DAY);
        let warmup = duration(&raw.warmup, 0.0);
        let interval = duration(&raw.interval, HOUR);
        if horizon.0 <= 0.0 {
            return Err(self.error_at(
                raw.horizon.as_ref().map(|s| s.span()),
                "simulation.horizon",
                "the horizon is 0; expected a positive duration such as \"1d\"",
            ));
        }
        if horizon.0 > limits::HORIZON_DAYS * DAY {
            return Err(self.error_at(
                raw.horizon.as_ref().map(|s| s.span()),
                "simulation.horizon",
                format!(
                    "{} days is too long to simulate; expected at most {} days",
                    // An absurd horizon would print hundreds of digits.
                    if horizon.0 / DAY < 1e9 {
                        format!("{}", horizon.0 / DAY)
                    } else {
                        format!("{:e}", horizon.0 / DAY)
                    },
                    limits::HORIZON_DAYS
                ),
            ));
        }
        if warmup.0 >= horizon.0 {
            return Err(self.error_at(
                raw.warmup.as_ref().map(|s| s.span()),
                "simulation.warmup",
                format!(
                    "the warm-up ({warmup}) is not shorter than the horizon ({horizon}); expected warm-up < horizon"
                ),
            ));
        }
        let divides_day = interval.0 > 0.0 && interval.0 <= DAY && {
            let slots = DAY / interval.0;
            (slots - slots.round()).abs() < 1e-9
        };
        if !divides_day {
            return Err(self.error_at(
                raw.interval.as_ref().map(|s| s.span()),
                "simulation.interval",
                format!("an interval of {interval} does not divide 24 hours; expected e.g. \"15m\", \"30m\", \"1h\" or \"1d\""),
            ));
        }
        let replications = match &raw.replications {
            None => 10,
            Some(r) if (1..=limits::REPLICATIONS).contains(r.get_ref()) => *r.get_ref() as u32,
            Some(r) => {
                return Err(self.at(
                    r,
                    "simulation.replications",
                    format!("{} replications; expected 1 to {}", r.get_ref(), limits::REPLICATIONS),
                ));
            }
        };
        let decline_limit = match &raw.decline_limit {
            None => 3,
            Some(d) if (1..=100).contains(d.get_ref()) => *d.get_ref() as u32,
            Some(d) => {
                return Err(self.at(
                    d,
                    "simulation.decline_limit",
                    format!("{}; expected an integer from 1 to 100", d.get_ref()),
                ));
            }
        };
        let max_in_system = match &raw.max_in_system {
            None => limits::IN_SYSTEM as usize,
            Some(m) if (1..=limits::IN_SYSTEM_MAX).contains(m.get_ref()) => *m.get_ref() as usize,
            Some(m) => {
                return Err(self.at(
                    m,
                    "simulation.max_in_system",
                    format!("{}; expected an integer from 1 to {}", m.get_ref(), limits::IN_SYSTEM_MAX),
                ));
            }
        };
        Ok(Simulation {
            horizon,
            warmup,
            interval,
            replications,
            seed: raw.seed.unwrap_or(1),
            service_level_threshold: raw.service_level_threshold.unwrap_or(Duration(20.0)),
            short_abandon: raw.short_abandon.unwrap_or(Duration::ZERO),
            decline_limit,
            max_in_system,
        })
    }

    /// Checks that names are unique and non-empty, and maps each to its index.
    fn names<'n, Id: From<u16>>(
        &self,
        table: &str,
        names: impl Iterator<Item = &'n Spanned<String>>,
    ) -> Result<BTreeMap<String, Id>> {
        let mut map = BTreeMap::new();
        for (i, name) in names.enumerate() {
            if i >= limits::TABLES {
                return Err(self.at(
                    name,
                    table,
                    format!("more than {} [[{table}]] tables; expected fewer", limits::TABLES),
                ));
            }
            if name.get_ref().trim().is_empty() {
                return Err(self.at(name, format!("{table}.name"), "the name is empty; expected a non-empty name"));
            }
            if map.insert(name.get_ref().clone(), Id::from(i as u16)).is_some() {
                return Err(self.at(
                    name,
                    format!("{table}.{}", name.get_ref()),
                    format!("the name \"{}\" is used by two [[{table}]] tables; expected unique names", name.get_ref()),
                ));
            }
        }
        Ok(map)
    }

    fn capacity(&self, value: &Option<Spanned<i64>>, key: String) -> Result<u32> {
        match value {
            None => Ok(1),
            Some(c) if (1..=limits::CAPACITY).contains(c.get_ref()) => Ok(*c.get_ref() as u32),
            Some(c) => {
                Err(self.at(c, key, format!("{}; expected an integer from 1 to {}", c.get_ref(), limits::CAPACITY)))
            }
        }
    }

    /// A `[[check]]`: its scope and name exist, its bounds are numbers, its intervals are real.
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        i: usize,
        c: &raw::RawCheck,
        simulation: &Simulation,
        channels: &[Channel],
        work_streams: &[WorkStream],
        queues: &[Queue],
        groups: &[AgentGroup],
    ) -> Result<Check> {
        let key = format!("check[{i}]");
        let scope = c.scope.as_ref().map_or("all", |s| s.get_ref().as_str()).to_string();
        let names: Vec<&String> = match scope.as_str() {
            "all" => vec![],
            "channel" => channels.iter().map(|x| &x.name).collect(),
            "work_stream" => work_streams.iter().map(|x| &x.name).collect(),
            "queue" => queues.iter().map(|x| &x.name).collect(),
            "agent_group" => groups.iter().map(|x| &x.name).collect(),
            other => {
                let at = c.scope.as_ref().map(|s| s.span());
                return Err(self.error_at(
                    at,
                    format!("{key}.scope"),
                    format!("unknown scope \"{other}\"; expected all, channel, work_stream, queue or agent_group"),
                ));
            }
        };
        let name = match (&c.name, scope.as_str()) {
            (None, "all") => "all".to_string(),
            (Some(n), "all") if n.get_ref() == "all" => "all".to_string(),
            (Some(n), "all") => {
                return Err(self.at(n, format!("{key}.name"), "the scope all has the name all; expected no name"));
            }
            (None, _) => {
                return Err(self.at(
                    &c.metric,
                    format!("{key}.name"),
                    format!("missing; expected the name of a {scope}: {}", list(names.into_iter())),
                ));
            }
            (Some(n), _) if names.contains(&n.get_ref()) => n.get_ref().clone(),
            (Some(n), _) => {
                return Err(self.at(
                    n,
                    format!("{key}.name"),
                    format!("no {scope} is named \"{}\"; expected one of {}", n.get_ref(), list(names.into_iter())),
                ));
            }
        };
        let bound = |b: &Option<Spanned<f64>>, field: &str| -> Result<Option<f64>> {
            match b {
                Some(v) if !v.get_ref().is_finite() => {
                    Err(self.at(v, format!("{key}.{field}"), format!("{}; expected a finite number", v.get_ref())))
                }
                other => Ok(other.as_ref().map(|v| *v.get_ref())),
            }
        };
        let (min, max) = (bound(&c.min, "min")?, bound(&c.max, "max")?);
        if min.is_none() && max.is_none() {
            return Err(self.at(&c.metric, key, "no bound; expected `min`, `max` or both"));
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            return Err(self.at(&c.metric, key, format!("min {lo} is above max {hi}; expected min ≤ max")));
        }
        let on_ci = match &c.on {
            None => false,
            Some(o) if o.get_ref() == "mean" => false,
            Some(o) if o.get_ref() == "ci" => true,
            Some(o) => {
                return Err(self.at(
                    o,
                    format!("{key}.on"),
                    format!("\"{}\"; expected \"mean\" or \"ci\"", o.get_ref()),
                ));
            }
        };
        let intervals = match (&c.intervals, c.every_interval.unwrap_or(false)) {
            (Some(list), true) => {
                return Err(self.at(
                    list,
                    format!("{key}.intervals"),
                    "both `intervals` and `every_interval`; expected one of them",
                ));
            }
            (None, true) => CheckIntervals::Every,
            (None, false) => CheckIntervals::Whole,
            (Some(list), false) => {
                let labels: Vec<String> =
                    (0..simulation.interval_count()).map(|k| simulation.interval_bounds(k).0.clock_label()).collect();
                let chosen = list
                    .get_ref()
                    .iter()
                    .map(|l| {
                        labels.iter().position(|x| x == l.trim()).ok_or_else(|| {
                            self.at(
                                list,
                                format!("{key}.intervals"),
                                format!(
                                    "\"{l}\" is not the start of a reporting interval after warm-up; expected labels such as \"{}\"",
                                    labels.first().map_or("09:00", String::as_str)
                                ),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                CheckIntervals::Chosen(chosen)
            }
        };
        if on_ci && intervals != CheckIntervals::Whole {
            return Err(self.at(
                &c.metric,
                format!("{key}.on"),
                "per-interval gates are judged on the value over all replications, which has no interval; expected on = \"mean\"",
            ));
        }
        let (line, column) = line_column(self.text, c.metric.span().start);
        Ok(Check {
            metric: c.metric.get_ref().clone(),
            at: Some((line, column)),
            scope,
            name,
            min,
            max,
            on_ci,
            intervals,
        })
    }

    /// The base presences, then the custom ones, each with a unique name.
    fn presences(&self, raw: &[raw::RawPresence]) -> Result<Vec<Presence>> {
        let mut presences: Vec<Presence> =
            BasePresence::ALL.iter().map(|&base| Presence { name: base.name().to_string(), base }).collect();
        for p in raw {
            let name = p.name.get_ref();
            if name.trim().is_empty() {
                return Err(self.at(&p.name, "presence.name", "the name is empty; expected a non-empty name"));
            }
            if presences.iter().any(|x| &x.name == name) {
                return Err(self.at(
                    &p.name,
                    format!("presence.{name}"),
                    format!("the presence \"{name}\" is declared twice or is a base presence; expected a new name"),
                ));
            }
            presences.push(Presence { name: name.clone(), base: p.base });
        }
        Ok(presences)
    }

    fn probability(&self, value: &Spanned<f64>, key: String) -> Result<f64> {
        let p = *value.get_ref();
        if (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(self.at(value, key, format!("{p}; expected a probability between 0 and 1")))
        }
    }

    fn agent_group(
        &self,
        g: &RawAgentGroup,
        queue_ids: &BTreeMap<String, QueueId>,
        presences: &[Presence],
    ) -> Result<AgentGroup> {
        let key = format!("agent_group.{}", g.name.get_ref());
        let count = *g.count.get_ref();
        if count < 0 || count as u64 > limits::AGENTS {
            return Err(self.at(
                &g.count,
                format!("{key}.count"),
                format!("{count} agents; expected an integer from 0 to {}", limits::AGENTS),
            ));
        }
        let capacity = self.capacity(&g.capacity, format!("{key}.capacity"))?;
        if g.queues.get_ref().is_empty() {
            return Err(self.at(
                &g.queues,
                format!("{key}.queues"),
                "no queues; expected the names of the queues this group serves",
            ));
        }
        let mut queues = Vec::new();
        for q in g.queues.get_ref() {
            let id = *queue_ids.get(q.get_ref()).ok_or_else(|| {
                self.at(
                    q,
                    format!("{key}.queues"),
                    format!("no queue is named \"{}\"; expected one of {}", q.get_ref(), list(queue_ids.keys())),
                )
            })?;
            if !queues.contains(&id) {
                queues.push(id);
            }
        }
        let time = |t: &Spanned<String>, field: &str| {
            parse_time_of_day(t.get_ref()).map_err(|e| self.at(t, format!("{key}.{field}"), e))
        };
        let mut shifts = Vec::new();
        let mut all_day = false;
        // An empty list would read as "no shift": around the clock, the opposite of what it says.
        if let Some(list) = g.shift.as_ref().filter(|s| s.get_ref().0.is_empty()) {
            return Err(self.at(
                list,
                format!("{key}.shift"),
                "an empty list of shifts; expected at least one { start, end } (leave shift out for a group staffed around the clock)",
            ));
        }
        for s in g.shift.as_ref().map_or(&[][..], |s| &s.get_ref().0[..]) {
            let (start, end) = (time(&s.start, "shift.start")?, time(&s.end, "shift.end")?);
            // A shift that starts where it ends covers the whole day.
            if (start - end).abs() < 1e-9 || (start == 0.0 && end == DAY) {
                all_day = true;
            } else {
                shifts.push(Shift { start: start % DAY, end: end % DAY });
            }
        }
        if all_day {
            shifts.clear();
        }
        let mut breaks = Vec::new();
        for b in &g.breaks {
            let start = time(&b.start, "breaks.start")?;
            let duration = b.duration.get_ref().0;
            if duration <= 0.0 || duration >= DAY {
                return Err(self.at(
                    &b.duration,
                    format!("{key}.breaks.duration"),
                    format!("{}; expected a duration above 0 and under 24h", b.duration.get_ref()),
                ));
            }
            let presence = match &b.presence {
                None => PresenceId(BasePresence::Away as u16),
                Some(p) => PresenceId(presences.iter().position(|x| &x.name == p.get_ref()).ok_or_else(|| {
                    self.at(
                        p,
                        format!("{key}.breaks.presence"),
                        format!(
                            "no presence is named \"{}\"; expected a base presence or a [[presence]] name: {}",
                            p.get_ref(),
                            list(presences.iter().map(|x| &x.name))
                        ),
                    )
                })? as u16),
            };
            breaks.push(Break { start: start % DAY, duration, presence });
        }
        let offer = match &g.offer {
            None => None,
            Some(o) => {
                let raw = o.get_ref();
                let okey = format!("{key}.offer");
                let check = |v: Option<f64>, field: &str| -> Result<Option<f64>> {
                    match v {
                        Some(p) if !(0.0..=1.0).contains(&p) => Err(self.at(
                            o,
                            format!("{okey}.{field}"),
                            format!("{p}; expected a probability between 0 and 1"),
                        )),
                        other => Ok(other),
                    }
                };
                let reject = check(raw.reject, "reject")?.unwrap_or(0.0);
                let accept = check(raw.accept, "accept")?.unwrap_or(1.0 - reject);
                if accept + reject > 1.0 + 1e-9 {
                    return Err(self.at(
                        o,
                        okey,
                        format!(
                            "accept {accept} + reject {reject} is above 1; expected at most 1 (the rest times out)"
                        ),
                    ));
                }
                Some(OfferBehaviour {
                    accept,
                    reject,
                    response_time: match &raw.response_time {
                        Some(d) => self.distribution(d, format!("{okey}.response_time"), Support::NonNegative)?,
                        None => Distribution::Constant(0.0),
                    },
                    timeout: raw.timeout.unwrap_or(Duration(120.0)),
                    timeout_sets_inactive: raw.timeout_sets_inactive.unwrap_or(false),
                    reject_sets_dnd: raw.reject_sets_dnd.unwrap_or(false),
                    presence_reset: raw.presence_reset.unwrap_or(Duration(300.0)),
                })
            }
        };
        let pick = PickBehaviour {
            every: match g.pick.as_ref().and_then(|p| p.every.as_ref()) {
                Some(d) => self.distribution(d, format!("{key}.pick.every"), Support::NonNegative)?,
                None => Distribution::Constant(30.0),
            },
            policy: g.pick.as_ref().and_then(|p| p.policy).unwrap_or(PickPolicy::Oldest),
            respect_capacity: g.pick.as_ref().and_then(|p| p.respect_capacity).unwrap_or(true),
        };
        if !pick.immediate() && pick.every.mean() <= 0.0 {
            return Err(self.error_at(
                None,
                format!("{key}.pick.every"),
                "a polling period with mean 0; expected \"0s\" or a positive period",
            ));
        }
        let absence = match &g.absence {
            Some(a) => self.probability(a, format!("{key}.absence"))?,
            None => 0.0,
        };
        Ok(AgentGroup {
            name: g.name.get_ref().clone(),
            count: count as u32,
            capacity,
            queues,
            shifts,
            breaks,
            offer,
            pick,
            absence,
        })
    }

    fn distribution(&self, raw: &Spanned<RawDistribution>, key: String, support: Support) -> Result<Distribution> {
        self.distribution_at(&raw.get_ref().0, raw.span(), key, support)
    }

    /// A distribution written at `span`; an error in an `empirical` data file points at the
    /// table's `file` value.
    fn distribution_at(
        &self,
        spec: &DistributionSpec,
        span: std::ops::Range<usize>,
        key: String,
        support: Support,
    ) -> Result<Distribution> {
        Distribution::from_spec(spec, support, self.base_dir).map_err(|e| match spec {
            DistributionSpec::Empirical { .. } => self.data_file_error(span, &key, e),
            _ => self.error_at(Some(span), key, e),
        })
    }

    /// Where the value of `key` stands inside the table at `table` (the table itself if it cannot
    /// be found): a table tagged by `dist` or `process` keeps no positions of its own values.
    fn value_in(&self, table: std::ops::Range<usize>, key: &str) -> std::ops::Range<usize> {
        let offset = self.text.get(table.clone()).and_then(|t| demand::value_offset(t, key));
        offset.map_or(table.clone(), |o| table.start + o..table.end)
    }

    /// A data file (`file` in the table at `table`) that cannot be used.
    fn data_file_error(&self, table: std::ops::Range<usize>, key: &str, message: String) -> ScenarioError {
        self.error_at(Some(self.value_in(table, "file")), format!("{key}.file"), message)
    }

    fn work_stream(
        &self,
        ws: &RawWorkStream,
        channels: &[RawChannel],
        queue_ids: &BTreeMap<String, QueueId>,
    ) -> Result<WorkStream> {
        let key = format!("work_stream.{}", ws.name.get_ref());
        let queue = |q: &Spanned<String>, k: String| -> Result<QueueId> {
            queue_ids.get(q.get_ref()).copied().ok_or_else(|| {
                self.at(
                    q,
                    k,
                    format!("no queue is named \"{}\"; expected one of {}", q.get_ref(), list(queue_ids.keys())),
                )
            })
        };
        let fallback_queue = match &ws.fallback_queue {
            Some(q) => queue(q, format!("{key}.fallback_queue"))?,
            None if queue_ids.len() == 1 => QueueId(0),
            None => {
                return Err(self.at(
                    &ws.name,
                    format!("{key}.fallback_queue"),
                    format!(
                        "missing; expected the queue for conversations that match no rule, one of {}",
                        list(queue_ids.keys())
                    ),
                ));
            }
        };
        let allowed_presences = match &ws.allowed_presences {
            None => PresenceSet::of(&[BasePresence::Available, BasePresence::Busy]),
            Some(p) if p.get_ref().is_empty() => {
                return Err(self.at(
                    p,
                    format!("{key}.allowed_presences"),
                    "an empty list; expected base presences such as [\"available\", \"busy\"]",
                ));
            }
            Some(p) => PresenceSet::of(p.get_ref()),
        };
        let wrap_up_block = match &ws.block_capacity_for_wrap_up {
            None => WrapUpBlock::Always,
            Some(v) => match v.get_ref() {
                toml::Value::String(s) if s == "always" => WrapUpBlock::Always,
                toml::Value::String(s) if s == "never" => WrapUpBlock::Never,
                toml::Value::String(s) => WrapUpBlock::For(Duration::parse(s).map_err(|e| {
                    self.at(v, format!("{key}.block_capacity_for_wrap_up"), format!("{e}, or \"always\" or \"never\""))
                })?),
                toml::Value::Integer(n) if *n >= 0 => WrapUpBlock::For(Duration(*n as f64)),
                toml::Value::Float(x) if x.is_finite() && *x >= 0.0 => WrapUpBlock::For(Duration(*x)),
                _ => {
                    return Err(self.at(
                        v,
                        format!("{key}.block_capacity_for_wrap_up"),
                        "expected \"always\", \"never\" or a duration such as \"5m\"",
                    ));
                }
            },
        };

        // Variables, with the categories of text variables gathered from the channels that feed this work stream.
        let mut variables: Vec<ContextVariable> = Vec::new();
        for v in &ws.context_variables {
            if variables.iter().any(|x| &x.name == v.name.get_ref()) {
                return Err(self.at(
                    &v.name,
                    format!("{key}.context_variables"),
                    format!("\"{}\" is declared twice; expected unique names", v.name.get_ref()),
                ));
            }
            variables.push(ContextVariable { name: v.name.get_ref().clone(), kind: v.kind, categories: Vec::new() });
        }
        for ch in channels.iter().filter(|c| c.work_stream.get_ref() == ws.name.get_ref()) {
            for (name, value) in &ch.context {
                if let (Some(var), toml::Value::Table(weights)) =
                    (variables.iter_mut().find(|v| &v.name == name), value.get_ref())
                    && var.kind == VariableType::Text
                    && !weights.contains_key("dist")
                {
                    for category in weights.keys() {
                        if !var.categories.contains(category) {
                            var.categories.push(category.clone());
                        }
                    }
                }
            }
        }

        let mut rules = Vec::with_capacity(ws.routing_rule.len());
        for (i, rule) in ws.routing_rule.iter().enumerate() {
            // Addressed by name where it has one, as `named_path` does for errors found while parsing.
            let rule_key = match &rule.name {
                Some(name) if !name.is_empty() && !name.contains('.') => format!("{key}.routing_rule.{name}"),
                _ => format!("{key}.routing_rule[{i}]"),
            };
            let mut conditions = Vec::new();
            for (name, value) in rule.when.get_ref() {
                let variable = variables.iter().position(|v| &v.name == name).ok_or_else(|| {
                    self.at(
                        value,
                        format!("{rule_key}.when.{name}"),
                        format!(
                            "\"{name}\" is not a context variable of work stream \"{}\"; expected one of {} (declare it in context_variables)",
                            ws.name.get_ref(),
                            list(variables.iter().map(|v| &v.name))
                        ),
                    )
                })?;
                conditions.extend(self.conditions(
                    value,
                    &variables[variable],
                    variable,
                    format!("{rule_key}.when.{name}"),
                )?);
            }
            rules.push(RoutingRule {
                name: rule.name.clone().unwrap_or_else(|| format!("rule {}", i + 1)),
                conditions,
                queue: queue(&rule.queue, format!("{rule_key}.queue"))?,
            });
        }

        Ok(WorkStream {
            name: ws.name.get_ref().clone(),
            capacity: self.capacity(&ws.capacity, format!("{key}.capacity"))?,
            allowed_presences,
            wrap_up_block,
            handle_time: self.distribution(&ws.handle_time, format!("{key}.handle_time"), Support::NonNegative)?,
            wrap_up: match &ws.wrap_up {
                Some(w) => self.distribution(w, format!("{key}.wrap_up"), Support::NonNegative)?,
                None => Distribution::Constant(0.0),
            },
            patience: ws
                .patience
                .as_ref()
                .map(|p| self.distribution(p, format!("{key}.patience"), Support::NonNegative))
                .transpose()?,
            variables,
            rules,
            fallback_queue,
            mode: ws.mode,
            enable_selecting_from_push: ws.enable_selecting_from_push.unwrap_or(false),
            waiting: match &ws.waiting {
                None => None,
                Some(w) => {
                    let w = w.get_ref();
                    Some(Waiting {
                        probability: self.probability(&w.probability, format!("{key}.waiting.probability"))?,
                        customer_reply: self.distribution(
                            &w.customer_reply,
                            format!("{key}.waiting.customer_reply"),
                            Support::NonNegative,
                        )?,
                        never_reply: match &w.never_reply {
                            Some(p) => self.probability(p, format!("{key}.waiting.never_reply"))?,
                            None => 0.0,
                        },
                    })
                }
            },
            auto_close_after_inactivity: match &ws.auto_close_after_inactivity {
                Some(d) if d.get_ref().0 <= 0.0 => {
                    return Err(self.at(
                        d,
                        format!("{key}.auto_close_after_inactivity"),
                        "0s; expected a positive duration such as \"10m\" or \"28d\"",
                    ));
                }
                Some(d) => *d.get_ref(),
                None => Duration(28.0 * DAY),
            },
            // Decided with the channels that feed the work stream (DOMAIN.md §1.2).
            affinity: ws.affinity.unwrap_or(false),
        })
    }

    /// A `when` entry: a bare value (equality) or a table of operators, all of which must hold.
    fn conditions(
        &self,
        value: &Spanned<toml::Value>,
        var: &ContextVariable,
        index: usize,
        key: String,
    ) -> Result<Vec<Condition>> {
        let ops: Vec<(&str, &toml::Value)> = match value.get_ref() {
            toml::Value::Table(t) => t.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            other => vec![("eq", other)],
        };
        if ops.is_empty() {
            return Err(self.at(
                value,
                key,
                "an empty condition; expected a value or operators eq ne lt le gt ge in contains",
            ));
        }
        let mut conditions = Vec::new();
        for (op, operand) in ops {
            let test = match var.kind {
                VariableType::Text => {
                    let text = |v: &toml::Value| -> Result<String> {
                        v.as_str().map(str::to_string).ok_or_else(|| {
                            self.at(
                                value,
                                key.clone(),
                                format!("`{op}` on text variable \"{}\" with {v}; expected a string", var.name),
                            )
                        })
                    };
                    let decide =
                        |f: &dyn Fn(&str) -> bool| Test::Category(var.categories.iter().map(|c| f(c)).collect());
                    match op {
                        "eq" => {
                            let s = text(operand)?;
                            decide(&|c| c == s)
                        }
                        "ne" => {
                            let s = text(operand)?;
                            decide(&|c| c != s)
                        }
                        "contains" => {
                            let s = text(operand)?;
                            decide(&|c| c.contains(s.as_str()))
                        }
                        "in" => {
                            let items = operand
                                .as_array()
                                .ok_or_else(|| {
                                    self.at(
                                        value,
                                        key.clone(),
                                        "`in` needs a list; expected e.g. in = [\"xbox\", \"surface\"]",
                                    )
                                })?
                                .iter()
                                .map(text)
                                .collect::<Result<Vec<_>>>()?;
                            decide(&|c| items.iter().any(|s| s == c))
                        }
                        other => {
                            return Err(self.at(
                                value,
                                key,
                                format!(
                                    "`{other}` cannot test text variable \"{}\"; expected eq, ne, in or contains",
                                    var.name
                                ),
                            ));
                        }
                    }
                }
                VariableType::Number => {
                    let number = |v: &toml::Value| -> Result<f64> {
                        match v {
                            toml::Value::Integer(n) => Ok(*n as f64),
                            toml::Value::Float(x) if !x.is_nan() => Ok(*x),
                            _ => Err(self.at(
                                value,
                                key.clone(),
                                format!("`{op}` on number variable \"{}\" with {v}; expected a number", var.name),
                            )),
                        }
                    };
                    let comparison = match op {
                        "eq" => Some(Comparison::Eq),
                        "ne" => Some(Comparison::Ne),
                        "lt" => Some(Comparison::Lt),
                        "le" => Some(Comparison::Le),
                        "gt" => Some(Comparison::Gt),
                        "ge" => Some(Comparison::Ge),
                        _ => None,
                    };
                    match (op, comparison) {
                        (_, Some(c)) => Test::Compare(c, number(operand)?),
                        ("in", None) => Test::OneOf(
                            operand
                                .as_array()
                                .ok_or_else(|| {
                                    self.at(value, key.clone(), "`in` needs a list; expected e.g. in = [1, 2, 3]")
                                })?
                                .iter()
                                .map(number)
                                .collect::<Result<Vec<_>>>()?,
                        ),
                        (other, None) => {
                            return Err(self.at(
                                value,
                                key,
                                format!("`{other}` cannot test number variable \"{}\"; expected eq, ne, lt, le, gt, ge or in", var.name),
                            ));
                        }
                    }
                }
            };
            conditions.push(Condition { variable: index, test });
        }
        Ok(conditions)
    }

    fn arrivals(
        &self,
        raw: &Spanned<RawArrivals>,
        sim: &Simulation,
        key: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Arrivals> {
        let rate_per_hour = match raw.get_ref() {
            RawArrivals::Poisson { rate_per_hour } => rate_per_hour,
            RawArrivals::Renewal { interarrival } => {
                let key = format!("{key}.arrivals.interarrival");
                let at = self.value_in(raw.span(), "interarrival");
                let d = self.distribution_at(&interarrival.0, at.clone(), key.clone(), Support::NonNegative)?;
                // Inter-arrival times of mean 0 would put every arrival at one instant, forever.
                if d.mean() <= 0.0 {
                    return Err(self.error_at(
                        Some(at),
                        key,
                        "the inter-arrival times have a mean of 0; expected a distribution with a mean above 0",
                    ));
                }
                return Ok(Arrivals::Renewal(d));
            }
            RawArrivals::Trace { file } => return self.trace(raw, file, sim, key, warnings),
        };
        let key = format!("{key}.arrivals.rate_per_hour");
        let check = |rate: f64| -> Result<f64> {
            if rate.is_finite() && rate >= 0.0 {
                Ok(rate / 3600.0)
            } else {
                Err(self.at(raw, key.clone(), format!("a rate of {rate} per hour; expected a finite number ≥ 0")))
            }
        };
        let profile = match rate_per_hour {
            RateSpec::Constant(rate) => RateProfile { per_second: vec![check(*rate)?], slot: DAY },
            RateSpec::PerInterval(rates) => {
                let slots = (DAY / sim.interval.0).round() as usize;
                if rates.len() != slots {
                    return Err(self.at(
                        raw,
                        key,
                        format!(
                            "{} rates; expected one number or {slots} rates, one per {} interval of a day (24h / simulation.interval)",
                            rates.len(),
                            sim.interval
                        ),
                    ));
                }
                RateProfile {
                    per_second: rates.iter().map(|r| check(*r)).collect::<Result<_>>()?,
                    slot: sim.interval.0,
                }
            }
        };
        Ok(Arrivals::Poisson(profile))
    }

    /// Replayed arrival timestamps: those before the horizon, sorted; at least one.
    fn trace(
        &self,
        raw: &Spanned<RawArrivals>,
        file: &str,
        sim: &Simulation,
        key: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Arrivals> {
        let path = self.base_dir.join(file);
        let key = format!("{key}.arrivals");
        let times = demand::read_arrival_times(&path).map_err(|e| self.data_file_error(raw.span(), &key, e))?;
        let before = times.partition_point(|t| *t < sim.horizon.0);
        let horizon = SimTime(sim.horizon.0).clock_label();
        if before == 0 {
            return Err(self.data_file_error(
                raw.span(),
                &key,
                format!(
                    "{}: all {} arrivals are at or after the horizon ({horizon}), the first at {}; expected at least one before it (time 0 is 00:00 of day 1)",
                    path.display(),
                    times.len(),
                    SimTime(times[0]).clock_label()
                ),
            ));
        }
        if before < times.len() {
            warnings.push(format!(
                "{key}: {} of the {} arrivals in {} are at or after the horizon ({horizon}) and are not replayed",
                times.len() - before,
                times.len(),
                path.display()
            ));
        }
        Ok(Arrivals::Trace(times[..before].into()))
    }

    fn channel_context(&self, ch: &RawChannel, ws: &WorkStream, key: &str) -> Result<Vec<Option<ContextGenerator>>> {
        let mut generators: Vec<Option<ContextGenerator>> = vec![None; ws.variables.len()];
        for (name, value) in &ch.context {
            let var_key = format!("{key}.context.{name}");
            let index = ws.variables.iter().position(|v| &v.name == name).ok_or_else(|| {
                self.at(
                    value,
                    var_key.clone(),
                    format!(
                        "\"{name}\" is not a context variable of work stream \"{}\"; expected one of {}",
                        ws.name,
                        list(ws.variables.iter().map(|v| &v.name))
                    ),
                )
            })?;
            let var = &ws.variables[index];
            let table = value.get_ref().as_table();
            let is_distribution = table.is_some_and(|t| t.contains_key("dist"));
            generators[index] = Some(match (var.kind, table) {
                (VariableType::Number, _) if is_distribution || !value.get_ref().is_table() => {
                    let spec: RawDistribution = value
                        .get_ref()
                        .clone()
                        .try_into()
                        .map_err(|e: toml::de::Error| self.at(value, var_key.clone(), e.message().to_string()))?;
                    ContextGenerator::Number(self.distribution_at(
                        &spec.0,
                        value.span(),
                        var_key.clone(),
                        Support::Real,
                    )?)
                }
                (VariableType::Text, Some(weights)) if !is_distribution => {
                    let mut categories = Vec::new();
                    let mut cumulative = Vec::new();
                    let mut total = 0.0;
                    for (category, weight) in weights {
                        let w = match weight {
                            toml::Value::Integer(n) => *n as f64,
                            toml::Value::Float(x) => *x,
                            other => {
                                return Err(self.at(
                                    value,
                                    format!("{var_key}.{category}"),
                                    format!("{other}; expected a probability between 0 and 1"),
                                ));
                            }
                        };
                        if !(0.0..=1.0).contains(&w) {
                            return Err(self.at(
                                value,
                                format!("{var_key}.{category}"),
                                format!("{w}; expected a probability between 0 and 1"),
                            ));
                        }
                        total += w;
                        categories.push(var.categories.iter().position(|c| c == category).unwrap_or_default() as u32);
                        cumulative.push(total);
                    }
                    if weights.is_empty() || (total - 1.0).abs() > 1e-9 {
                        return Err(self.at(
                            value,
                            var_key,
                            // Rounded to the tolerance, so that 0.2 + 0.7 reads 0.9, not 0.8999999999999999.
                            format!(
                                "the weights sum to {}; expected probabilities that sum to 1",
                                (total * 1e9).round() / 1e9
                            ),
                        ));
                    }
                    ContextGenerator::Text { categories, cumulative }
                }
                (VariableType::Text, _) => {
                    return Err(self.at(value, var_key, format!("\"{name}\" is a text variable; expected a table of category weights such as {{ xbox = 0.6, surface = 0.4 }}")));
                }
                (VariableType::Number, _) => {
                    return Err(self.at(value, var_key, format!("\"{name}\" is a number variable; expected a distribution such as {{ dist = \"uniform\", min = 0, max = 500 }}")));
                }
            });
        }
        Ok(generators)
    }

    /// Every queue a work stream can route to is served by an agent group that can hold one of its conversations.
    fn check_service(
        &self,
        raw: &RawScenario,
        work_streams: &[WorkStream],
        groups: &[AgentGroup],
        queues: &[Queue],
    ) -> Result<()> {
        for (q, queue) in queues.iter().enumerate() {
            if !groups.iter().any(|g| g.queues.contains(&QueueId(q as u16))) {
                return Err(self.at(
                    &raw.queue[q].name,
                    format!("queue.{}", queue.name),
                    format!(
                        "no agent group serves queue \"{}\"; expected it in the queues of at least one [[agent_group]]",
                        queue.name
                    ),
                ));
            }
        }
        for (w, ws) in work_streams.iter().enumerate() {
            let targets = ws.rules.iter().map(|r| r.queue).chain(std::iter::once(ws.fallback_queue));
            for q in targets {
                let served = groups.iter().any(|g| g.queues.contains(&q) && g.capacity >= ws.capacity);
                if !served {
                    // Point at the capacity the key names (the name when it is left out).
                    let raw_ws = &raw.work_stream[w];
                    return Err(self.error_at(
                        Some(raw_ws.capacity.as_ref().map_or_else(|| raw_ws.name.span(), |c| c.span())),
                        format!("work_stream.{}.capacity", ws.name),
                        format!(
                            "its conversations take {} capacity units, but no agent group serving queue \"{}\" has that much capacity; expected an agent_group capacity ≥ {}",
                            ws.capacity,
                            queues[q.index()].name,
                            ws.capacity
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The bounds on work: a scenario may be valid in every value and still ask for more events than
/// any machine can simulate (a rate of 10³⁰⁰ an hour). Each error points at the value that
/// contributes most and names the limit.
impl Resolver<'_> {
    /// Expected arrivals per replication, all channels together, within [`limits::ARRIVALS`].
    fn check_arrivals(&self, raw: &RawScenario, sim: &Simulation, channels: &[Channel]) -> Result<()> {
        let horizon = sim.horizon.0;
        let counts: Vec<f64> = channels.iter().map(|c| c.arrivals.expected_count(horizon)).collect();
        let total: f64 = counts.iter().sum();
        if total <= limits::ARRIVALS {
            return Ok(());
        }
        let (i, &count) = counts.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap_or((0, &total));
        let (ch, arrivals) = (&channels[i], &raw.channel[i].arrivals);
        let key = format!("channel.{}.arrivals", ch.name);
        let together = if channels.len() > 1 && count < total {
            format!(" ({} with the other channels)", amount(total))
        } else {
            String::new()
        };
        let expected = format!(
            "expected at most {} arrivals per replication (ccsim's limit on arrival volume)",
            amount(limits::ARRIVALS)
        );
        let horizon = horizon_label(horizon);
        Err(match &ch.arrivals {
            Arrivals::Poisson(profile) => {
                let per_hour = profile.daily_total() / 24.0;
                self.at(
                    arrivals,
                    format!("{key}.rate_per_hour"),
                    format!(
                        "{} an hour on average over a horizon of {horizon} makes {} arrivals{together}; {expected}: lower the rate or shorten the horizon",
                        amount(per_hour),
                        amount(count)
                    ),
                )
            }
            Arrivals::Renewal(d) => self.error_at(
                Some(self.value_in(arrivals.span(), "interarrival")),
                format!("{key}.interarrival"),
                format!(
                    "inter-arrival times of mean {} (sd {}) make up to {} arrivals over a horizon of {horizon}{together}; {expected}: lengthen the inter-arrival times, narrow their spread or shorten the horizon",
                    seconds(d.mean()),
                    seconds(d.sd()),
                    amount(count)
                ),
            ),
            Arrivals::Trace(times) => self.data_file_error(
                arrivals.span(),
                &key,
                format!(
                    "{} replayed arrivals{together}; {expected}: shorten the horizon or lower the other channels' rates",
                    times.len()
                ),
            ),
        })
    }

    /// Expected active episodes per replication (an arrival's first, and one more each time it
    /// comes back from Waiting), within [`limits::EPISODES`].
    fn check_episodes(
        &self,
        raw: &RawScenario,
        sim: &Simulation,
        channels: &[Channel],
        work_streams: &[WorkStream],
    ) -> Result<()> {
        let horizon = sim.horizon.0;
        let mut worst: Option<(usize, f64, f64)> = None;
        let mut total = 0.0;
        for (w, ws) in work_streams.iter().enumerate() {
            let arrivals: f64 = channels
                .iter()
                .filter(|c| c.work_stream.index() == w)
                .map(|c| c.arrivals.expected_count(horizon))
                .sum();
            let per_conversation = episodes_per_conversation(ws, horizon);
            let episodes = if arrivals > 0.0 { arrivals * per_conversation } else { 0.0 };
            total += episodes;
            if worst.is_none_or(|(_, e, _)| episodes > e) {
                worst = Some((w, episodes, per_conversation));
            }
        }
        let Some((w, episodes, per_conversation)) = worst.filter(|_| total.is_nan() || total > limits::EPISODES) else {
            return Ok(());
        };
        let ws = &work_streams[w];
        let raw_ws = &raw.work_stream[w];
        let (Some(waiting), Some(raw_waiting)) = (&ws.waiting, &raw_ws.waiting) else {
            // Without Waiting every arrival is one episode, and arrivals are checked first.
            return Ok(());
        };
        Err(self.at(
            raw_waiting,
            format!("work_stream.{}.waiting", ws.name),
            format!(
                "conversations come back from Waiting up to {} times each (probability {}, never_reply {}, handle time + customer reply of mean {}), {} active episodes per replication; expected at most {} (ccsim's limit on episodes): lower the probability, raise never_reply or give handle_time or customer_reply a mean above 0",
                amount(per_conversation),
                waiting.probability,
                waiting.never_reply,
                seconds(ws.handle_time.mean() + waiting.customer_reply.mean()),
                amount(episodes),
                amount(limits::EPISODES)
            ),
        ))
    }

    /// Expected polls per replication of agents who look at pick queues every `pick.every`,
    /// within [`limits::POLLS`].
    fn check_polls(
        &self,
        raw: &RawScenario,
        sim: &Simulation,
        work_streams: &[WorkStream],
        groups: &[AgentGroup],
    ) -> Result<()> {
        // Agents poll only where some work stream can be picked from one of their queues.
        let picked = |q: &QueueId| {
            work_streams.iter().any(|ws| {
                (ws.mode == Mode::Pick || ws.enable_selecting_from_push)
                    && (ws.fallback_queue == *q || ws.rules.iter().any(|r| r.queue == *q))
            })
        };
        let polls: Vec<f64> = groups
            .iter()
            .map(|g| {
                if g.count == 0 || g.pick.immediate() || !g.queues.iter().any(picked) {
                    return 0.0;
                }
                // The engine moves time on by at least a microsecond per poll.
                let per_agent = g.pick.every.renewals_bound(sim.horizon.0).min(sim.horizon.0 / 1e-6 + 1.0);
                f64::from(g.count) * per_agent
            })
            .collect();
        let total: f64 = polls.iter().sum();
        if total <= limits::POLLS {
            return Ok(());
        }
        let (i, &count) = polls.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap_or((0, &total));
        let (g, raw_g) = (&groups[i], &raw.agent_group[i]);
        let key = format!("agent_group.{}", g.name);
        let every = raw_g.pick.as_ref().and_then(|p| p.every.as_ref());
        let (span, key) = match every {
            Some(e) => (e.span(), format!("{key}.pick.every")),
            None => (raw_g.count.span(), format!("{key}.count")),
        };
        Err(self.error_at(
            Some(span),
            key,
            format!(
                "{} agents polling every {} on average over a horizon of {} make {} polls{}; expected at most {} polls per replication (ccsim's limit on pick polls): poll less often, use every = \"0s\" (pick at once) or shorten the horizon",
                g.count,
                seconds(g.pick.every.mean()),
                horizon_label(sim.horizon.0),
                amount(count),
                if count < total { format!(" ({} with the other groups)", amount(total)) } else { String::new() },
                amount(limits::POLLS)
            ),
        ))
    }
}

/// How many active episodes one conversation of `ws` can have within `horizon` seconds, on
/// average, at most: one without Waiting; with it, the fewer of the geometric count of returns
/// and the episodes (handle time + customer reply, one after another) that fit in the horizon.
fn episodes_per_conversation(ws: &WorkStream, horizon: f64) -> f64 {
    let Some(waiting) = &ws.waiting else { return 1.0 };
    let returns = waiting.probability * (1.0 - waiting.never_reply);
    let geometric = if returns < 1.0 { 1.0 / (1.0 - returns) } else { f64::INFINITY };
    let mean = ws.handle_time.mean() + waiting.customer_reply.mean();
    let sd = ws.handle_time.sd().hypot(waiting.customer_reply.sd());
    let within_horizon = if mean > 0.0 { horizon / mean + 1.0 + (sd / mean).powi(2) } else { f64::INFINITY };
    let n = geometric.min(within_horizon);
    if n.is_nan() { f64::INFINITY } else { n }
}

/// A count or size for a message: whole numbers up to 10¹⁵, then scientific notation.
fn amount(x: f64) -> String {
    if !x.is_finite() {
        "infinitely many".to_string()
    } else if x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else if x.fract() == 0.0 || x.abs() >= 1e6 {
        format!("{x:.0}")
    } else {
        format!("{}", (x * 1000.0).round() / 1000.0)
    }
}

/// A number of seconds for a message: `60s`, `1.000e-300s`, `infinite`.
fn seconds(x: f64) -> String {
    if x.is_finite() { format!("{}s", amount(x)) } else { "infinite".to_string() }
}

/// A horizon for a message, in days when it is whole days.
fn horizon_label(seconds: f64) -> String {
    if seconds >= DAY && (seconds / DAY).fract() == 0.0 {
        format!("{}d", seconds / DAY)
    } else {
        format!("{}", Duration(seconds))
    }
}

impl From<u16> for QueueId {
    fn from(i: u16) -> Self {
        QueueId(i)
    }
}
impl From<u16> for WorkStreamId {
    fn from(i: u16) -> Self {
        WorkStreamId(i)
    }
}
impl From<u16> for ChannelId {
    fn from(i: u16) -> Self {
        ChannelId(i)
    }
}
impl From<u16> for GroupId {
    fn from(i: u16) -> Self {
        GroupId(i)
    }
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = names.map(|n| format!("\"{n}\"")).collect();
    if names.is_empty() { "(none declared)".to_string() } else { names.join(", ") }
}

/// Maps serde's `work_stream[0].capacity` to the named form `work_stream.chat.capacity`.
pub(super) fn named_path(path: &str, document: Option<&toml::Table>) -> String {
    let mut out = String::new();
    let mut current: Option<&toml::Value> = None;
    for (i, segment) in path.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let (field, index) = match segment.split_once('[') {
            Some((f, rest)) => (f, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let value = if i == 0 { document.and_then(|d| d.get(field)) } else { current.and_then(|c| c.get(field)) };
        match (index, value.and_then(|v| v.as_array())) {
            (Some(k), Some(items)) => {
                let item = items.get(k);
                match item.and_then(|t| t.get("name")).and_then(|n| n.as_str()) {
                    Some(name) if !name.is_empty() && !name.contains('.') => {
                        out.push_str(field);
                        out.push('.');
                        out.push_str(name);
                    }
                    _ => out.push_str(segment),
                }
                current = item;
            }
            _ => {
                out.push_str(segment);
                current = value;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::DEFAULT_SCENARIO;

    /// The default scenario with its web chat arrivals replaced by `arrivals` and the first
    /// occurrence of each `(old, new)` applied.
    fn scenario(arrivals: &str, edits: &[(&str, &str)]) -> std::result::Result<Scenario, ScenarioError> {
        let start = DEFAULT_SCENARIO.find("arrivals = { process = \"poisson\"").unwrap();
        let end = start + DEFAULT_SCENARIO[start..].find('}').unwrap() + 1;
        let mut text = format!("{}arrivals = {arrivals}{}", &DEFAULT_SCENARIO[..start], &DEFAULT_SCENARIO[end..]);
        for (old, new) in edits {
            assert!(text.contains(old), "{old}");
            text = text.replacen(old, new, 1);
        }
        Scenario::from_toml(&text, "s.toml")
    }

    #[test]
    fn a_planners_biggest_case_is_within_every_limit() {
        // 10 000 agents, 100 000 conversations an hour, a year, with Waiting and picking agents.
        let s = scenario(
            "{ process = \"poisson\", rate_per_hour = 100000 }",
            &[
                ("horizon = \"1d\"", "horizon = \"365d\""),
                ("count = 8", "count = 9995"),
                ("name = \"messaging\"\nmode = \"push\"", "name = \"messaging\"\nmode = \"pick\""),
                ("wrap_up = \"30s\"", "wrap_up = \"30s\"\nwaiting = { probability = 0.6, customer_reply = \"20m\" }"),
            ],
        );
        let s = s.unwrap();
        assert_eq!(s.agent_groups.iter().map(|g| g.count).sum::<u32>(), 10_000);
    }

    #[test]
    fn arrival_volumes_beyond_the_limit_are_refused_where_they_are_written() {
        let refused = |arrivals: &str, horizon: &str| {
            scenario(arrivals, &[("horizon = \"1d\"", &format!("horizon = \"{horizon}\""))]).unwrap_err()
        };
        let e = refused("{ process = \"poisson\", rate_per_hour = 1e9 }", "1d");
        assert_eq!(e.key, "channel.web_chat.arrivals.rate_per_hour");
        assert!(
            e.message.contains("1000000000 an hour on average over a horizon of 1d makes 24000000000 arrivals"),
            "{e}"
        );
        assert!(e.message.contains("expected at most 1000000000 arrivals per replication (ccsim's limit"), "{e}");
        let e = refused("{ process = \"poisson\", rate_per_hour = 1e300 }", "1h");
        assert!(e.message.contains("1.000e300 an hour"), "{e}");
        let e = refused("{ process = \"poisson\", rate_per_hour = 1.7e308 }", "3d");
        assert!(e.message.contains("infinitely many arrivals"), "{e}");

        let e = refused("{ process = \"renewal\", interarrival = 1e-300 }", "1d");
        assert_eq!(e.key, "channel.web_chat.arrivals.interarrival");
        assert!(e.message.contains("mean 1.000e-300s (sd 0s)"), "{e}");
        // A sensible mean with a spread so wide that most gaps are nearly 0.
        let e = refused(
            "{ process = \"renewal\", interarrival = { dist = \"lognormal\", mean = \"1m\", sd = 1e100 } }",
            "1d",
        );
        assert_eq!(e.key, "channel.web_chat.arrivals.interarrival");

        // Several channels count together; the largest is named.
        let e = scenario(
            "{ process = \"poisson\", rate_per_hour = 30000000 }",
            &[("rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10", "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 4e8")],
        )
        .unwrap_err();
        assert_eq!(e.key, "channel.web_chat.arrivals.rate_per_hour");
        assert!(e.message.contains("720000000 arrivals (1120000525 with the other channels)"), "{e}");

        // Just under the limit.
        assert!(
            scenario("{ process = \"poisson\", rate_per_hour = 9.9e8 }", &[("horizon = \"1d\"", "horizon = \"1h\"")])
                .is_ok()
        );
    }

    #[test]
    fn a_conversation_that_would_come_back_forever_is_refused() {
        let waiting = |w: &str| {
            scenario(
                "{ process = \"poisson\", rate_per_hour = 100 }",
                &[
                    ("handle_time = { dist = \"gamma\", mean = \"6m\", sd = \"3m\" }", "handle_time = \"0s\""),
                    ("wrap_up = \"30s\"", &format!("wrap_up = \"30s\"\nwaiting = {w}")),
                ],
            )
        };
        let e = waiting("{ probability = 1, customer_reply = \"0s\" }").unwrap_err();
        assert_eq!(e.key, "work_stream.messaging.waiting");
        assert!(e.message.contains("up to infinitely many times each"), "{e}");
        assert!(e.message.contains("expected at most 10000000000"), "{e}");
        // It ends with a reply that never comes, or takes time.
        assert!(waiting("{ probability = 1, customer_reply = \"0s\", never_reply = 0.1 }").is_ok());
        assert!(waiting("{ probability = 1, customer_reply = \"1m\" }").is_ok());
        assert!(waiting("{ probability = 0.999, customer_reply = \"0s\" }").is_ok());
    }

    #[test]
    fn agents_who_poll_without_pause_are_refused() {
        let e = scenario(
            "{ process = \"poisson\", rate_per_hour = 100 }",
            &[
                ("name = \"messaging\"\nmode = \"push\"", "name = \"messaging\"\nmode = \"pick\""),
                ("count = 8", "count = 8\npick = { every = 1e-300 }"),
            ],
        )
        .unwrap_err();
        assert_eq!(e.key, "agent_group.generalists.pick.every");
        assert!(e.message.contains("expected at most 20000000000 polls per replication"), "{e}");
        // Agents whose queues have nothing to pick never poll.
        assert!(
            scenario(
                "{ process = \"poisson\", rate_per_hour = 100 }",
                &[("count = 8", "count = 8\npick = { every = 1e-300 }")]
            )
            .is_ok()
        );
    }
}
