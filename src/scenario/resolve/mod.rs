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
//! - Every queue a work stream's conversations can wait in (by routing or overflow) must be served by an agent group whose capacity is at
//!   least the work stream's `capacity`; otherwise its conversations could never be answered.

use std::collections::BTreeMap;
use std::path::Path;

use crate::scenario::raw::Spanned;

use super::demand;

mod agents;
mod arrivals;
mod coverage;
mod queues;
mod skills;
mod templates;
mod work_stream;
use super::distribution::{Distribution, DistributionSpec, RawDistribution, Support};
use super::error::{ScenarioError, ScenarioWarning, line_column};
use super::limits;
use super::model::*;
use super::raw::{self, RawScenario, RawSimulation};
use crate::time::{DAY, Duration, HOUR, MINUTE, SimTime, parse_time_of_day};

pub(super) struct Resolver<'a> {
    pub file: &'a str,
    pub text: &'a str,
    /// Where data files named by relative paths are read from: the scenario file's directory.
    pub base_dir: &'a Path,
    /// What is valid but most likely not meant.
    pub warnings: std::cell::RefCell<Vec<ScenarioWarning>>,
}

pub(super) type Result<T> = std::result::Result<T, ScenarioError>;

impl Resolver<'_> {
    pub(super) fn error_at(
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

    pub(super) fn at<T>(
        &self,
        spanned: &Spanned<T>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        self.error_at(Some(spanned.span()), key, message)
    }

    /// A warning about the value at `span`, written like an error: file, line, column, key.
    pub(super) fn warn_at(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.warnings.borrow_mut().push(self.error_at(span, key, message));
    }

    pub fn resolve(&self, mut raw: RawScenario) -> Result<Scenario> {
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

        let queues: Vec<Queue> =
            raw.queue.iter().map(|q| self.queue(q, &queue_ids, &simulation)).collect::<Result<_>>()?;

        let presences = self.presences(&raw.presence)?;
        let capacity_profiles = self.capacity_profiles(&raw.capacity_profile)?;
        let skills = self.skill_names(&raw)?;
        let roster = agents::Roster {
            queue_ids: &queue_ids,
            presences: &presences,
            profiles: &capacity_profiles,
            skills: &skills,
            sim: &simulation,
        };
        let agent_groups = raw.agent_group.iter().map(|g| self.agent_group(g, &roster)).collect::<Result<Vec<_>>>()?;
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
            work_streams.push(self.work_stream(ws, &raw.channel, &queue_ids, &capacity_profiles, &skills)?);
        }
        let skill_sets = self.skill_sets(&raw, &mut work_streams)?;
        for ws in &mut work_streams {
            ws.reachable = queues::reachable(ws, &queues);
        }

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
            let (arrivals, aht) = self.arrivals(&ch.arrivals, &simulation, &key, ch.name.get_ref())?;
            let handle_time_scale = aht.map(|aht| aht.scaled(1.0 / ws.handle_time.mean()));
            if !arrivals.has_arrivals() {
                self.warn_at(Some(ch.arrivals.span()), format!("{key}.arrivals"), "no arrivals all day");
            }
            let context = self.context_generators(&ch.context, ws, &format!("{key}.context"))?;
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
                handle_time_scale,
            });
        }
        self.special_days(&raw.special_day, &simulation, &mut channels)?;
        for (w, ws) in work_streams.iter_mut().enumerate() {
            ws.set_reachable = skills::reachable_sets(ws, channels.iter().filter(|c| c.work_stream.index() == w));
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
            // Callbacks and voicemails are for callers (DOMAIN.md §3.6, §6.6).
            if let Some(kind) = kinds.iter().find(|k| **k != ChannelKind::Voice) {
                for q in &ws.reachable {
                    let raw_queue = &raw.queue[q.index()];
                    for (i, rule) in raw_queue.overflow.iter().enumerate() {
                        let action = rule.action.get_ref();
                        let (name, given) = match (&action.callback, &action.voicemail) {
                            (Some(t), _) => ("callback", t),
                            (_, Some(t)) => ("voicemail", t),
                            _ => continue,
                        };
                        return Err(self.at(
                            given,
                            format!("queue.{}.overflow[{i}].action.{name}", raw_queue.name.get_ref()),
                            format!(
                                "a {name} for conversations of work stream \"{}\", which a {} channel feeds; expected {name}s on queues only calls reach",
                                ws.name,
                                kind.name()
                            ),
                        ));
                    }
                }
            }
        }

        self.check_service(&raw, &work_streams, &agent_groups, &queues)?;
        self.check_coverage(&raw, &simulation, &channels, &work_streams, &agent_groups);
        self.check_arrivals(&raw, &simulation, &channels)?;
        self.check_episodes(&raw, &simulation, &channels, &work_streams)?;
        self.check_polls(&raw, &simulation, &work_streams, &agent_groups)?;

        let scopes = 1 + channels.len() + work_streams.len() + queues.len() + agent_groups.len();
        let cells = simulation.interval_count().saturating_mul(scopes);
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

        self.names::<GroupId>("shift_template", raw.shift_template.iter().map(|t| &t.name))?;
        let shift_templates = std::mem::take(&mut raw.shift_template)
            .into_iter()
            .map(|t| self.shift_template(t, &roster, &agent_groups))
            .collect::<Result<Vec<_>>>()?;

        let warnings = self.warnings.take();
        let scenario = Scenario {
            name,
            simulation,
            channels,
            work_streams,
            queues,
            agent_groups,
            presences,
            checks,
            warnings,
            shift_templates,
            capacity_profiles,
            skills,
            skill_sets,
        };
        self.check_memory(&raw, &scenario)?;
        Ok(scenario)
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
            start: self.start(raw)?,
        })
    }

    /// `simulation.start`: the date of day 1.
    fn start(&self, raw: &RawSimulation) -> Result<Option<jiff::civil::Date>> {
        let Some(start) = &raw.start else { return Ok(None) };
        self.date(start, "simulation.start").map(Some)
    }

    /// A date, written as a TOML date (`2026-03-02`) or a string of one.
    pub(super) fn date(&self, value: &Spanned<toml::Value>, key: &str) -> Result<jiff::civil::Date> {
        let text = match value.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            other => other.to_string(),
        };
        text.trim().parse::<jiff::civil::Date>().map_err(|_| {
            self.at(
                value,
                key,
                format!("{text} is not a date; expected a date such as \"2026-03-02\" (year-month-day)"),
            )
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
        let mut duration_bound = false;
        let mut bound = |b: &Option<Spanned<raw::RawBound>>, field: &str| -> Result<Option<f64>> {
            let Some(v) = b else { return Ok(None) };
            match v.get_ref() {
                raw::RawBound::Number(x) if !x.is_finite() => {
                    Err(self.at(v, format!("{key}.{field}"), format!("{x}; expected a finite number")))
                }
                raw::RawBound::Number(x) => Ok(Some(*x)),
                raw::RawBound::Duration(text) => {
                    duration_bound = true;
                    Duration::parse(text).map(|d| Some(d.0)).map_err(|e| self.at(v, format!("{key}.{field}"), e))
                }
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
                let labels: Vec<String> = (0..simulation.interval_count())
                    .map(|k| simulation.label(simulation.interval_bounds(k).0))
                    .collect();
                let starts: Vec<f64> =
                    (0..simulation.interval_count()).map(|k| simulation.interval_bounds(k).0.0).collect();
                let chosen = list
                    .get_ref()
                    .iter()
                    .map(|l| {
                        // `09:00`, `9:00`, `d2 9:00` and, with a start, `2026-03-03 09:00` name the
                        // same starts as the outputs' labels.
                        let at = demand::parse_timestamp_on(l.trim(), simulation.start, false).ok();
                        starts.iter().position(|&x| at.is_some_and(|t| (t - x).abs() < 1e-6)).ok_or_else(|| {
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
        if on_ci && matches!(intervals, CheckIntervals::Chosen(_)) {
            return Err(self.at(
                &c.metric,
                format!("{key}.on"),
                "gates on chosen intervals are judged on the value over all replications, which has no interval; expected on = \"mean\"",
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
            duration_bound,
            on_ci,
            intervals,
        })
    }

    fn probability(&self, value: &Spanned<f64>, key: String) -> Result<f64> {
        let p = *value.get_ref();
        if (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(self.at(value, key, format!("{p}; expected a probability between 0 and 1")))
        }
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
        let values_of = |file: &str, support| demand::read_values(&self.base_dir.join(file), support);
        Distribution::from_spec(spec, support, &values_of).map_err(|e| match spec {
            DistributionSpec::Empirical { .. } => self.data_file_error(span, &key, e),
            _ => self.error_at(Some(span), key, e),
        })
    }

    /// Where the value of `key` stands inside the table at `table` (the table itself if it cannot
    /// be found): a table tagged by `dist` or `process` keeps no positions of its own values.
    pub(super) fn value_in(&self, table: std::ops::Range<usize>, key: &str) -> std::ops::Range<usize> {
        let offset = self.text.get(table.clone()).and_then(|t| demand::value_offset(t, key));
        offset.map_or(table.clone(), |o| table.start + o..table.end)
    }

    /// A data file (`file` in the table at `table`) that cannot be used.
    pub(super) fn data_file_error(&self, table: std::ops::Range<usize>, key: &str, message: String) -> ScenarioError {
        self.error_at(Some(self.value_in(table, "file")), format!("{key}.file"), message)
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
