//! The checked scenario: the model the engine runs.
//!
//! Every name has become an index ([`ChannelId`], [`WorkStreamId`], [`QueueId`], [`GroupId`]),
//! every reference has been checked, and every value is within its limits, so the engine never
//! looks up a string or re-validates anything.

use std::sync::Arc;

use super::distribution::Distribution;
pub use super::raw::{BasePresence, ChannelKind, Mode, PickPolicy, VariableType};
use crate::time::{DAY, Duration, SimTime};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u16);
        impl $name {
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// Index of a `[[channel]]`.
    ChannelId
);
id_type!(
    /// Index of a `[[work_stream]]`.
    WorkStreamId
);
id_type!(
    /// Index of a `[[queue]]`.
    QueueId
);
id_type!(
    /// Index of an `[[agent_group]]`.
    GroupId
);

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub simulation: Simulation,
    pub channels: Vec<Channel>,
    pub work_streams: Vec<WorkStream>,
    pub queues: Vec<Queue>,
    pub agent_groups: Vec<AgentGroup>,
    /// The five base presences, then the `[[presence]]` tables.
    pub presences: Vec<Presence>,
    /// Gates for `ccsim check`.
    pub checks: Vec<Check>,
    /// Things that are allowed but probably not meant (a channel with no arrivals all day).
    pub warnings: Vec<super::ScenarioWarning>,
}

/// What a run of a scenario holds in memory, in bytes, as [`limits::MEMORY`] counts it.
///
/// [`limits::MEMORY`]: super::limits::MEMORY
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Footprint {
    /// Kept until the report is written: every replication's totals and the merged intervals.
    pub kept: u64,
    /// One replication while it runs: its cells, its agents and the conversations it may hold.
    pub under_way: u64,
    /// One finished replication waiting to be merged: its cells.
    pub waiting: u64,
}

impl Scenario {
    /// The scenario's [`Footprint`], from the counts of intervals, scopes and replications.
    pub fn footprint(&self) -> Footprint {
        use super::limits::{AGENT_BYTES, CELL_BYTES, CONVERSATION_BYTES};
        let scopes =
            (2 + self.channels.len() + self.work_streams.len() + self.queues.len() + self.agent_groups.len()) as u64;
        // A replication also keeps a cell per (channel, queue) its routing can reach.
        let leaves: u64 = self
            .channels
            .iter()
            .map(|c| {
                let ws = &self.work_streams[c.work_stream.index()];
                let mut queues: Vec<QueueId> = ws.rules.iter().map(|r| r.queue).collect();
                queues.push(ws.fallback_queue);
                queues.sort_unstable();
                queues.dedup();
                queues.len() as u64
            })
            .sum();
        let intervals = self.simulation.interval_count() as u64;
        let agents: u64 = self.agent_groups.iter().map(|g| u64::from(g.count)).sum();
        let cells = intervals * scopes * CELL_BYTES;
        Footprint {
            kept: cells + u64::from(self.simulation.replications) * scopes * CELL_BYTES,
            under_way: cells
                + intervals * leaves * CELL_BYTES
                + self.simulation.max_in_system as u64 * CONVERSATION_BYTES
                + agents * AGENT_BYTES,
            waiting: cells,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Simulation {
    pub horizon: Duration,
    pub warmup: Duration,
    pub interval: Duration,
    pub replications: u32,
    pub seed: u64,
    pub service_level_threshold: Duration,
    pub short_abandon: Duration,
    pub decline_limit: u32,
    /// The most conversations a replication may hold in the system at once; it stops there.
    pub max_in_system: usize,
}

impl Simulation {
    /// The first reporting interval that ends after warm-up (absolute index from time 0).
    pub fn first_interval(&self) -> usize {
        (self.warmup.0 / self.interval.0).floor() as usize
    }

    /// Number of reporting intervals that overlap the time after warm-up.
    pub fn interval_count(&self) -> usize {
        let last = (self.horizon.0 / self.interval.0).ceil() as usize;
        last.saturating_sub(self.first_interval()).max(1)
    }

    /// Start and end of the `k`-th reporting interval after warm-up, clipped to the horizon.
    pub fn interval_bounds(&self, k: usize) -> (SimTime, SimTime) {
        let i = (self.first_interval() + k) as f64;
        let start = i * self.interval.0;
        let end = (start + self.interval.0).min(self.horizon.0);
        (SimTime(start), SimTime(end))
    }
}

impl ChannelKind {
    /// Asynchronous channels have a Waiting state (DOMAIN.md §1.1); live chat and voice do not.
    pub fn is_asynchronous(self) -> bool {
        !matches!(self, ChannelKind::LiveChat | ChannelKind::Voice)
    }

    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::LiveChat => "live_chat",
            ChannelKind::PersistentChat => "persistent_chat",
            ChannelKind::Sms => "sms",
            ChannelKind::Facebook => "facebook",
            ChannelKind::Whatsapp => "whatsapp",
            ChannelKind::Line => "line",
            ChannelKind::Wechat => "wechat",
            ChannelKind::Teams => "teams",
            ChannelKind::Twitter => "twitter",
            ChannelKind::Custom => "custom",
            ChannelKind::EntityRecords => "entity_records",
            ChannelKind::Voice => "voice",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Channel {
    pub name: String,
    pub kind: ChannelKind,
    pub work_stream: WorkStreamId,
    pub arrivals: Arrivals,
    /// One generator per context variable of the channel's work stream (`None`: no value).
    pub context: Vec<Option<ContextGenerator>>,
    /// Open → closed unanswered after this long: the work stream's `auto_close_open`, or by
    /// default 20 min for live chat and never for the other kinds.
    pub auto_close_open: Option<Duration>,
}

#[derive(Clone, Debug)]
pub enum Arrivals {
    /// Poisson arrivals whose rate is constant within each slot of a day, repeating daily.
    Poisson(RateProfile),
    /// Independent, identically distributed inter-arrival times (mean > 0); the first arrival
    /// comes one draw after time 0.
    Renewal(Distribution),
    /// Historical arrival times in seconds, sorted, every one before the horizon, replayed as
    /// they are in every replication; shared by every clone of the scenario.
    Trace(Arc<[f64]>),
}

impl Arrivals {
    /// Whether the channel can have any arrival at all (a Poisson rate of zero all day has none).
    pub fn has_arrivals(&self) -> bool {
        match self {
            Arrivals::Poisson(profile) => profile.daily_total() > 0.0,
            Arrivals::Renewal(_) => true,
            Arrivals::Trace(times) => !times.is_empty(),
        }
    }

    /// Arrivals to expect in one replication of `horizon` seconds: exact for Poisson and trace
    /// arrivals, an upper bound for renewal ones ([`Distribution::renewals_bound`]). Infinite,
    /// never NaN, when the volume is beyond floating point.
    pub fn expected_count(&self, horizon: f64) -> f64 {
        let n = match self {
            Arrivals::Poisson(profile) => profile.expected_until(horizon),
            Arrivals::Renewal(d) => d.renewals_bound(horizon),
            Arrivals::Trace(times) => times.len() as f64,
        };
        if n.is_nan() { f64::INFINITY } else { n }
    }
}

/// A piecewise-constant arrival rate over one day.
#[derive(Clone, Debug)]
pub struct RateProfile {
    /// Arrivals per second in each slot.
    pub per_second: Vec<f64>,
    /// Slot length in seconds; `per_second.len() * slot == DAY`.
    pub slot: f64,
}

impl RateProfile {
    pub fn constant(per_hour: f64) -> RateProfile {
        RateProfile { per_second: vec![per_hour / 3600.0], slot: DAY }
    }

    /// Expected arrivals in one day.
    pub fn daily_total(&self) -> f64 {
        self.per_second.iter().sum::<f64>() * self.slot
    }

    /// Expected arrivals from time 0 to `horizon`: whole days, then the slots of the last part.
    pub fn expected_until(&self, horizon: f64) -> f64 {
        let days = (horizon / DAY).floor();
        let rest = horizon - days * DAY;
        let whole_days = if days > 0.0 { days * self.daily_total() } else { 0.0 };
        let last_part: f64 = self
            .per_second
            .iter()
            .enumerate()
            .map(|(i, rate)| rate * (rest - i as f64 * self.slot).clamp(0.0, self.slot))
            .sum();
        whole_days + last_part
    }
}

#[derive(Clone, Debug)]
pub enum ContextGenerator {
    /// Weighted categories: `cumulative[i]` is the probability of categories `0..=i`.
    Text {
        categories: Vec<u32>,
        cumulative: Vec<f64>,
    },
    Number(Distribution),
}

/// A context value drawn for one conversation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ContextValue {
    Missing,
    /// Index into the variable's `categories`.
    Text(u32),
    Number(f64),
}

#[derive(Clone, Debug)]
pub struct ContextVariable {
    pub name: String,
    pub kind: VariableType,
    /// Every text value some channel can produce, in first-seen order.
    pub categories: Vec<String>,
}

/// What capacity an agent keeps during wrap-up (`block_capacity_for_wrap_up`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WrapUpBlock {
    /// Released when the conversation closes.
    Always,
    /// Released when wrap-up starts.
    Never,
    /// Released this long after wrap-up starts, or at close if that comes first.
    For(Duration),
}

/// The set of base presences in which an agent may receive work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceSet(u8);

impl PresenceSet {
    pub fn of(presences: &[BasePresence]) -> PresenceSet {
        PresenceSet(presences.iter().fold(0, |bits, p| bits | (1 << *p as u8)))
    }

    #[inline]
    pub fn contains(self, presence: BasePresence) -> bool {
        self.0 & (1 << presence as u8) != 0
    }
}

#[derive(Clone, Debug)]
pub struct WorkStream {
    pub name: String,
    pub mode: Mode,
    /// Agents may also pick this push work stream's Open conversations, ignoring capacity and presence.
    pub enable_selecting_from_push: bool,
    /// Capacity units one conversation takes from an agent.
    pub capacity: u32,
    pub allowed_presences: PresenceSet,
    pub wrap_up_block: WrapUpBlock,
    pub handle_time: Distribution,
    pub wrap_up: Distribution,
    pub patience: Option<Distribution>,
    pub variables: Vec<ContextVariable>,
    pub rules: Vec<RoutingRule>,
    pub fallback_queue: QueueId,
    /// Asynchronous channels only: parking in Waiting after active handling.
    pub waiting: Option<Waiting>,
    /// Waiting → auto-closed after this long without a customer reply.
    pub auto_close_after_inactivity: Duration,
    /// A reopened conversation goes back to its previous agent when that agent can take it.
    pub affinity: bool,
}

#[derive(Clone, Debug)]
pub struct Waiting {
    /// Probability that an active episode ends in Waiting rather than wrap-up.
    pub probability: f64,
    pub customer_reply: Distribution,
    /// Probability that the customer never replies to a waiting conversation.
    pub never_reply: f64,
}

/// A `[[check]]` gate. The metric is checked against the metric definitions when the check runs
/// (the scenario layer does not know them); `at` keeps its place in the file for that error.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub metric: String,
    /// (line, column) of `metric` in the file.
    pub at: Option<(usize, usize)>,
    /// `all`, `channel`, `work_stream`, `queue` or `agent_group`.
    pub scope: String,
    pub name: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// A bound was written as a duration (`"30s"`), which only a metric in seconds takes.
    pub duration_bound: bool,
    /// Gate on the confidence bound in the metric's bad direction rather than on the mean.
    pub on_ci: bool,
    pub intervals: CheckIntervals,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CheckIntervals {
    /// The whole run.
    Whole,
    /// Every reporting interval after warm-up.
    Every,
    /// These reporting intervals (indices after warm-up).
    Chosen(Vec<usize>),
}

/// A presence: a name and the base status routing sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presence {
    pub name: String,
    pub base: BasePresence,
}

/// Index into [`Scenario::presences`]; the first five are the base presences in declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceId(pub u16);

impl BasePresence {
    pub const ALL: [BasePresence; 5] =
        [BasePresence::Available, BasePresence::Busy, BasePresence::BusyDnd, BasePresence::Away, BasePresence::Offline];

    pub fn name(self) -> &'static str {
        match self {
            BasePresence::Available => "available",
            BasePresence::Busy => "busy",
            BasePresence::BusyDnd => "busy_dnd",
            BasePresence::Away => "away",
            BasePresence::Offline => "offline",
        }
    }

    /// Agents in away or offline are not staffed (DESIGN.md, `occupancy`).
    pub fn is_staffed(self) -> bool {
        !matches!(self, BasePresence::Away | BasePresence::Offline)
    }
}

#[derive(Clone, Debug)]
pub struct RoutingRule {
    pub name: String,
    /// All must hold.
    pub conditions: Vec<Condition>,
    pub queue: QueueId,
}

#[derive(Clone, Debug)]
pub struct Condition {
    /// Index into the work stream's `variables`.
    pub variable: usize,
    pub test: Test,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug)]
pub enum Test {
    /// A text test, decided in advance for every category the variable can take.
    Category(Vec<bool>),
    Compare(Comparison, f64),
    OneOf(Vec<f64>),
}

impl Test {
    /// A missing value satisfies no condition.
    #[inline]
    pub fn holds(&self, value: ContextValue) -> bool {
        match (self, value) {
            (Test::Category(matches), ContextValue::Text(c)) => matches[c as usize],
            (Test::Compare(op, rhs), ContextValue::Number(x)) => match op {
                Comparison::Eq => x == *rhs,
                Comparison::Ne => x != *rhs,
                Comparison::Lt => x < *rhs,
                Comparison::Le => x <= *rhs,
                Comparison::Gt => x > *rhs,
                Comparison::Ge => x >= *rhs,
            },
            (Test::OneOf(values), ContextValue::Number(x)) => values.contains(&x),
            _ => false,
        }
    }
}

impl WorkStream {
    /// The queue of the first rule whose conditions all hold, else the fallback queue.
    #[inline]
    pub fn route(&self, values: &[ContextValue]) -> QueueId {
        self.rules
            .iter()
            .find(|rule| rule.conditions.iter().all(|c| c.test.holds(values[c.variable])))
            .map_or(self.fallback_queue, |rule| rule.queue)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignmentMethod {
    HighestCapacity,
    RoundRobin,
    LeastActive,
}

#[derive(Clone, Debug)]
pub struct Queue {
    pub name: String,
    /// Lower numbers are served first.
    pub priority: i64,
    pub assignment: AssignmentMethod,
    pub service_level_threshold: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shift {
    /// Seconds after midnight; `end < start` runs overnight.
    pub start: f64,
    pub end: f64,
}

impl Shift {
    /// Whether the shift covers this second of the day.
    pub fn covers(&self, second_of_day: f64) -> bool {
        if self.start <= self.end {
            second_of_day >= self.start && second_of_day < self.end
        } else {
            second_of_day >= self.start || second_of_day < self.end
        }
    }
}

#[derive(Clone, Debug)]
pub struct AgentGroup {
    pub name: String,
    /// The group's agents: with `staffing`, the most on duty at once.
    pub count: u32,
    pub capacity: u32,
    pub queues: Vec<QueueId>,
    /// Daily shifts; empty: staffed around the clock (or by `staffing`).
    pub shifts: Vec<Shift>,
    /// Agents on duty in each slot (DESIGN.md "Staffing"): agent i is on duty while i is below
    /// the slot's value. `None`: `count` agents on the shifts.
    pub staffing: Option<super::profile::Profile>,
    pub breaks: Vec<Break>,
    /// `None`: every offer is accepted at once.
    pub offer: Option<OfferBehaviour>,
    pub pick: PickBehaviour,
    /// Probability that an agent is absent on a given day.
    pub absence: f64,
    /// What an hour on duty of one agent costs (DESIGN.md "Staffing"; default 1).
    pub cost_per_hour: f64,
}

impl AgentGroup {
    /// Whether the group's shifts cover this second of the day.
    pub fn on_shift(&self, second_of_day: f64) -> bool {
        self.shifts.is_empty() || self.shifts.iter().any(|s| s.covers(second_of_day))
    }

    /// Whether the group's `offset`-th agent (in roster order) is on duty at `t`: within a shift,
    /// or, with a staffing profile, below the number on duty in the slot.
    pub fn on_duty(&self, offset: u32, t: SimTime) -> bool {
        match &self.staffing {
            Some(profile) => f64::from(offset) < profile.at(t),
            None => self.on_shift(t.0.rem_euclid(DAY)),
        }
    }

    /// The scheduled presence at this second of the day, if a break covers it.
    pub fn break_at(&self, second_of_day: f64) -> Option<PresenceId> {
        self.breaks.iter().find(|b| b.covers(second_of_day)).map(|b| b.presence)
    }

    /// Every second of the day at which the schedule (shifts, breaks) may change.
    pub fn schedule_changes(&self) -> Vec<f64> {
        let mut times: Vec<f64> = self
            .shifts
            .iter()
            .flat_map(|s| [s.start, s.end])
            .chain(self.breaks.iter().flat_map(|b| [b.start, (b.start + b.duration) % DAY]))
            .collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        times
    }
}

/// A daily scheduled presence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Break {
    pub start: f64,
    pub duration: f64,
    pub presence: PresenceId,
}

impl Break {
    pub fn covers(&self, second_of_day: f64) -> bool {
        let end = self.start + self.duration;
        (second_of_day >= self.start && second_of_day < end) || (end > DAY && second_of_day < end - DAY)
    }
}

/// How agents of a group answer offers (DESIGN.md "Offers").
#[derive(Clone, Debug)]
pub struct OfferBehaviour {
    pub accept: f64,
    pub reject: f64,
    pub response_time: Distribution,
    pub timeout: Duration,
    pub timeout_sets_inactive: bool,
    pub reject_sets_dnd: bool,
    pub presence_reset: Duration,
}

/// How agents of a group pick conversations (DESIGN.md "Pick").
#[derive(Clone, Debug)]
pub struct PickBehaviour {
    /// Polling period; a constant 0 means the agent picks the moment it can.
    pub every: Distribution,
    pub policy: PickPolicy,
    pub respect_capacity: bool,
}

impl PickBehaviour {
    pub fn immediate(&self) -> bool {
        self.every.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_arrivals_integrate_the_daily_profile_up_to_the_horizon() {
        // 10 an hour before noon, 30 after: 480 a day.
        let profile = RateProfile { per_second: vec![10.0 / 3600.0, 30.0 / 3600.0], slot: DAY / 2.0 };
        let near = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(near(profile.expected_until(6.0 * 3600.0), 60.0));
        assert!(near(profile.expected_until(DAY), 480.0));
        assert!(near(profile.expected_until(2.5 * DAY), 2.0 * 480.0 + 120.0));
        assert!(near(profile.expected_until(1.75 * DAY), 480.0 + 120.0 + 180.0));
        // Rates near the largest float overflow to infinity, never to NaN.
        let huge = Arrivals::Poisson(RateProfile { per_second: vec![f64::MAX / 3600.0; 24], slot: 3600.0 });
        assert_eq!(huge.expected_count(2.0 * 3600.0), f64::INFINITY);
        assert_eq!(huge.expected_count(3.0 * DAY), f64::INFINITY);
    }
}
