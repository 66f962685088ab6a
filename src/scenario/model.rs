//! The checked scenario: the model the engine runs.
//!
//! Every name has become an index ([`ChannelId`], [`WorkStreamId`], [`QueueId`], [`GroupId`]),
//! every reference has been checked, and every value is within its limits, so the engine never
//! looks up a string or re-validates anything.

use super::distribution::Distribution;
pub use super::raw::{BasePresence, ChannelKind, VariableType};
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
    /// Things that are allowed but probably not meant (a channel with no arrivals all day).
    pub warnings: Vec<String>,
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

#[derive(Clone, Debug)]
pub struct Channel {
    pub name: String,
    pub kind: ChannelKind,
    pub work_stream: WorkStreamId,
    pub arrivals: Arrivals,
    /// One generator per context variable of the channel's work stream (`None`: no value).
    pub context: Vec<Option<ContextGenerator>>,
}

#[derive(Clone, Debug)]
pub enum Arrivals {
    /// Poisson arrivals whose rate is constant within each slot of a day, repeating daily.
    Poisson(RateProfile),
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
    /// Capacity units one conversation takes from an agent.
    pub capacity: u32,
    pub allowed_presences: PresenceSet,
    pub wrap_up_block: WrapUpBlock,
    /// Open → closed unanswered after this long (live chat: 20 min unless set).
    pub auto_close_open: Option<Duration>,
    pub handle_time: Distribution,
    pub wrap_up: Distribution,
    pub patience: Option<Distribution>,
    pub variables: Vec<ContextVariable>,
    pub rules: Vec<RoutingRule>,
    pub fallback_queue: QueueId,
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
}

#[derive(Clone, Debug)]
pub struct Queue {
    pub name: String,
    /// Lower numbers are served first.
    pub priority: i64,
    pub assignment: AssignmentMethod,
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
    pub count: u32,
    pub capacity: u32,
    pub queues: Vec<QueueId>,
    /// `None`: staffed around the clock.
    pub shift: Option<Shift>,
}
