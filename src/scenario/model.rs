//! The checked scenario: the model the engine runs.
//!
//! Every name has become an index ([`ChannelId`], [`WorkStreamId`], [`QueueId`], [`GroupId`]),
//! every reference has been checked, and every value is within its limits, so the engine never
//! looks up a string or re-validates anything.

use std::sync::Arc;

use super::distribution::Distribution;
use super::profile::Profile;
pub use super::raw::{BasePresence, ChannelKind, Matching, Mode, PickPolicy, VariableType};
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
        impl From<u16> for $name {
            fn from(i: u16) -> Self {
                $name(i)
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
id_type!(
    /// Index of a `[[capacity_profile]]`.
    ProfileId
);
id_type!(
    /// Index of a skill among [`Scenario::skills`].
    SkillId
);
id_type!(
    /// Index of a [`SkillSet`] among [`Scenario::skill_sets`]; [`SkillSetId::NONE`] asks for no
    /// skill.
    SkillSetId
);

impl SkillSetId {
    pub const NONE: SkillSetId = SkillSetId(0);
}

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
    /// The shifts `ccsim schedule` may roster agents on.
    pub shift_templates: Vec<ShiftTemplate>,
    /// At most [`CapacityProfile::MOST`].
    pub capacity_profiles: Vec<CapacityProfile>,
    /// The skills agent groups have, each once, in the order the groups name them.
    pub skills: Vec<String>,
    /// What conversations can require of skills: every combination the work streams'
    /// classification rules can attach, with its matching; the first asks for nothing. At most
    /// [`SkillSet::MOST`].
    pub skill_sets: Vec<SkillSet>,
}

/// Skills a conversation requires, each with its lowest rating, in skill order, and how they are
/// matched (DESIGN.md "Routing, wave 2").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillSet {
    pub skills: Vec<(SkillId, u32)>,
    pub matching: Matching,
}

impl SkillSet {
    /// How many distinct sets a scenario may have, the empty one included.
    pub const MOST: usize = 64;
    /// The highest rating.
    pub const MOST_RATING: u32 = 100;

    /// Whether an agent with `ratings` (per skill, 0 for none) may take a conversation requiring
    /// the set: with `exact`, every skill at or above its rating; with `closest`, every skill.
    pub fn admits(&self, ratings: &[u32]) -> bool {
        self.skills.iter().all(|&(s, min)| match self.matching {
            Matching::Exact => ratings[s.index()] >= min,
            Matching::Closest => ratings[s.index()] > 0,
        })
    }

    /// How far an agent with `ratings` is from the set, for `closest`: twice the difference
    /// between its total rating on the set's skills and the total required, one more when it is
    /// below (the exactly qualified first, then the over-qualified before the under-qualified at
    /// the same distance).
    pub fn distance(&self, ratings: &[u32]) -> u32 {
        let (have, need) = self
            .skills
            .iter()
            .fold((0i64, 0i64), |(h, n), &(s, min)| (h + i64::from(ratings[s.index()]), n + i64::from(min)));
        (2 * (have - need).unsigned_abs() + u64::from(have < need)) as u32
    }
}

/// A classification rule of a work stream: when its conditions hold, its skills are required.
#[derive(Clone, Debug)]
pub struct Classification {
    pub name: String,
    pub conditions: Vec<Condition>,
    pub skills: Vec<(SkillId, u32)>,
}

impl Classification {
    /// How many rules a work stream may have.
    pub const MOST: usize = 8;
}

/// An agent group's rating of a skill.
#[derive(Clone, Debug)]
pub enum Rating {
    /// Every agent's.
    Fixed(u32),
    /// Drawn for each agent, rounded and kept within 1 to [`SkillSet::MOST_RATING`].
    Drawn(Distribution),
}

/// A `[[capacity_profile]]` (DOMAIN.md §1.8): conversations of the work streams that name it
/// count against a per-agent limit, besides their capacity units.
#[derive(Clone, Debug)]
pub struct CapacityProfile {
    pub name: String,
    /// The limit of agents whose group sets none.
    pub limit: u32,
    /// Holding one of the profile's conversations keeps an agent from work of any other profile.
    pub block_others: bool,
}

impl CapacityProfile {
    /// How many profiles a scenario may have.
    pub const MOST: usize = 8;
    /// The highest limit.
    pub const MOST_LIMIT: u32 = 100;
}

/// A shift `ccsim schedule` may roster agents on (DESIGN.md "Staffing").
#[derive(Clone, Debug)]
pub struct ShiftTemplate {
    pub name: String,
    /// Seconds of the day a shift may start at, in order.
    pub starts: Vec<f64>,
    /// Seconds long, at most a day.
    pub length: f64,
    /// Monday first: the days it may be worked.
    pub days: [bool; 7],
    pub breaks: Vec<TemplateBreak>,
    pub cost_per_hour: f64,
    pub min: u32,
    pub max: Option<u32>,
    /// The group whose requirement it covers; `None` when the scenario has one group to cover.
    pub group: Option<GroupId>,
    /// The agent keys of the groups it makes (`count`, `shift` and `breaks` left empty).
    pub agents: AgentGroup,
}

/// A template's break: `duration` seconds placed wholly inside `window` (seconds into the shift).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TemplateBreak {
    pub window: (f64, f64),
    pub duration: f64,
    pub presence: PresenceId,
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
                let mut queues: Vec<QueueId> = ws.queues().collect();
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
    /// The date of day 1 (`simulation.start`); without it, day 1 is a Monday and outputs label
    /// times by day number.
    pub start: Option<jiff::civil::Date>,
}

impl Simulation {
    /// Days from the Monday of day 1's week to day 1: 0 for a Monday (and without a start).
    pub fn weekday_offset(&self) -> usize {
        self.start.map_or(0, |d| d.weekday().to_monday_zero_offset() as usize)
    }

    /// The date of day `day` (0 = day 1), when the scenario has a start.
    pub fn date(&self, day: usize) -> Option<jiff::civil::Date> {
        let start = self.start?;
        start.checked_add(jiff::Span::new().days(i64::try_from(day).ok()?)).ok()
    }

    /// `t` as the outputs label it: `2026-03-02 08:00` with a start, else as
    /// [`SimTime::clock_label`] (`08:00`, `d2 08:00`).
    pub fn label(&self, t: SimTime) -> String {
        let total_minutes = (t.0 / 60.0).round() as i64;
        let day = total_minutes.div_euclid(24 * 60);
        match usize::try_from(day).ok().and_then(|d| self.date(d)) {
            Some(date) => {
                let minute = total_minutes.rem_euclid(24 * 60);
                format!("{date} {:02}:{:02}", minute / 60, minute % 60)
            }
            None => t.clock_label(),
        }
    }

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
    /// From a forecast's `aht_s`: the factor on the work stream's handle times of a conversation
    /// by its arrival time (the interval's mean over the distribution's mean; its shape stays).
    pub handle_time_scale: Option<Profile>,
}

#[derive(Clone, Debug)]
pub enum Arrivals {
    /// Poisson arrivals whose rate is constant within each slot of a profile or forecast.
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
            Arrivals::Poisson(profile) => profile.rate.max() > 0.0,
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

/// Poisson arrival rates: a profile of arrivals per second from 00:00 of day 1, scaled day by day.
#[derive(Clone, Debug)]
pub struct RateProfile {
    /// Arrivals per second, slot by slot, repeating with the profile's period; a weekly profile
    /// is turned so that its index 0 is day 1's weekday.
    pub rate: Profile,
    /// Per day from day 1, the factor of `[[special_day]]` tables; every later day is 1.
    pub day_scale: Arc<[f64]>,
    /// A factor of mean 1 drawn per replication and day, multiplying the day's rates
    /// (`day_factor`: a Poisson–gamma mixture for a gamma factor).
    pub day_factor: Option<Distribution>,
}

impl RateProfile {
    /// A constant rate, every day alike.
    pub fn constant(per_hour: f64) -> RateProfile {
        RateProfile::new(Profile::new(vec![per_hour / 3600.0]).expect("one value"))
    }

    /// `rate` (per second), every day alike.
    pub fn new(rate: Profile) -> RateProfile {
        RateProfile { rate, day_scale: Arc::from([]), day_factor: None }
    }

    /// The special days' factor of day `day` (0 = day 1).
    pub fn scale(&self, day: usize) -> f64 {
        self.day_scale.get(day).copied().unwrap_or(1.0)
    }

    /// Whether the replications need their own factor per day.
    pub fn varies_by_day(&self) -> bool {
        !self.day_scale.is_empty() || self.day_factor.is_some()
    }

    /// The highest rate per second of any slot and day, before `day_factor`.
    pub fn peak(&self) -> f64 {
        let scale = self.day_scale.iter().copied().fold(1.0, f64::max);
        self.rate.max() * scale
    }

    /// Expected arrivals from time 0 to `horizon`: the profile's integral, with each special
    /// day's factor on its day (`day_factor` has mean 1).
    pub fn expected_until(&self, horizon: f64) -> f64 {
        let mut total = self.rate.integral_to(horizon);
        for (d, &scale) in self.day_scale.iter().enumerate() {
            let (from, to) = (d as f64 * DAY, ((d + 1) as f64 * DAY).min(horizon));
            if from >= horizon {
                break;
            }
            if scale != 1.0 {
                total += (scale - 1.0) * (self.rate.integral_to(to) - self.rate.integral_to(from));
            }
        }
        total
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

impl ContextGenerator {
    /// One value: a category by its cumulative probabilities (one uniform draw), or a number.
    #[inline]
    pub fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> ContextValue {
        use rand::RngExt;
        match self {
            ContextGenerator::Text { categories, cumulative } => {
                let u: f64 = rng.random();
                // The first category whose cumulative probability passes `u`, counted rather
                // than searched for: the draw is random, so a search's branch is mispredicted
                // about every other time. (`u` past the last, by rounding: the last.)
                let below = cumulative.iter().map(|&c| usize::from(c <= u)).sum::<usize>();
                ContextValue::Text(categories[below.min(cumulative.len() - 1)])
            }
            ContextGenerator::Number(d) => ContextValue::Number(d.sample(rng)),
        }
    }
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
    /// A bot that takes every conversation before routing does.
    pub bot: Option<Bot>,
    /// An episode's handle time is multiplied by 1 + this × the other conversations its agent
    /// holds when it starts.
    pub handle_time_per_extra: f64,
    /// A transfer after handling, unless the queue the conversation waits in has its own.
    pub transfer: Option<Transfer>,
    /// Every queue its conversations can wait in, sorted: routing's, and overflow's from those.
    pub reachable: Vec<QueueId>,
    pub mode: Mode,
    /// Agents may also pick this push work stream's Open conversations, ignoring capacity and presence.
    pub enable_selecting_from_push: bool,
    /// Capacity units one conversation takes from an agent.
    pub capacity: u32,
    /// The capacity profile its conversations count against.
    pub capacity_profile: Option<ProfileId>,
    /// At most [`Classification::MOST`] rules; every one that matches attaches its skills.
    pub classification: Vec<Classification>,
    /// The skill sets its conversations can require, the one of no matching rule first; and for
    /// each set of matching rules (a bit per rule), the index of its set in that list.
    pub skill_sets: Vec<SkillSetId>,
    pub set_of_rules: Vec<u8>,
    /// Per set of its list, whether a conversation can require it: some combination of values
    /// its channels (and bot) can draw makes rules that attach it match.
    pub set_reachable: Vec<bool>,
    pub matching: Matching,
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
    pub target: Target,
}

/// Where a routing rule sends its matches.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Queue(QueueId),
    /// Percentage routing: queues with their cumulative shares (the last is 1), in name order;
    /// each conversation's queue is drawn from its own stream.
    Split(Vec<(QueueId, f64)>),
}

impl Target {
    /// Every queue it may send a conversation to.
    pub fn queues(&self) -> impl Iterator<Item = QueueId> + '_ {
        let (one, split) = match self {
            Target::Queue(q) => (Some(*q), &[][..]),
            Target::Split(shares) => (None, &shares[..]),
        };
        one.into_iter().chain(split.iter().map(|(q, _)| *q))
    }
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
    /// The queues its conversations can wait in: each rule's, the fallback, and the queues
    /// overflow can move them to from those.
    pub fn queues(&self) -> impl Iterator<Item = QueueId> + '_ {
        self.reachable.iter().copied()
    }

    /// The queues its routing sends conversations to: each rule's, then the fallback.
    pub fn routed_queues(&self) -> impl Iterator<Item = QueueId> + '_ {
        self.rules.iter().flat_map(|r| r.target.queues()).chain(std::iter::once(self.fallback_queue))
    }

    /// Whether its routing can send a conversation to `queue`.
    pub fn reaches(&self, queue: QueueId) -> bool {
        self.queues().any(|q| q == queue)
    }

    /// The classification rules that match `values`, a bit per rule.
    #[inline]
    pub fn classify(&self, values: &[ContextValue]) -> u8 {
        self.classification.iter().enumerate().fold(0, |bits, (i, rule)| {
            bits | (u8::from(rule.conditions.iter().all(|c| c.test.holds(values[c.variable]))) << i)
        })
    }

    /// The queue of the first rule whose conditions all hold, else the fallback queue. A rule
    /// that splits its matches calls `draw` once for a uniform number in [0, 1) to choose.
    #[inline]
    pub fn route(&self, values: &[ContextValue], draw: impl FnOnce() -> f64) -> QueueId {
        let rule = self.rules.iter().find(|rule| rule.conditions.iter().all(|c| c.test.holds(values[c.variable])));
        match rule.map(|r| &r.target) {
            None => self.fallback_queue,
            Some(Target::Queue(q)) => *q,
            Some(Target::Split(shares)) => {
                let u = draw();
                shares.iter().find(|(_, c)| u < *c).unwrap_or(&shares[shares.len() - 1]).0
            }
        }
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
    /// Operating hours; none: always open.
    pub hours: Option<Hours>,
    /// Overflow rules judged on arrival, `outside_hours` first, then in the file's order.
    pub on_arrival: Vec<Overflow>,
    /// The overflow rule judged while a conversation waits in the queue (`waited_at_least`).
    pub on_wait: Option<Overflow>,
    /// A transfer after handling, for conversations waiting here (before the work stream's).
    pub transfer: Option<Transfer>,
}

/// A bot that takes a work stream's conversations first: it holds each for `handle_time`, then
/// ends it with probability `containment` or escalates it with the context values of `sets`.
#[derive(Clone, Debug)]
pub struct Bot {
    pub handle_time: Distribution,
    pub containment: f64,
    /// Per variable of the work stream, what the bot sets it to on escalation (none: unchanged).
    pub sets: Vec<Option<ContextGenerator>>,
}

/// After an agent's handling, the conversation is transferred to `queue` with `probability`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transfer {
    pub probability: f64,
    pub queue: QueueId,
}

impl Queue {
    /// Whether the queue is open at `at`: always without hours.
    pub fn is_open(&self, at: SimTime) -> bool {
        self.hours.as_ref().is_none_or(|h| h.is_open(at))
    }
}

/// A queue's operating hours: open blocks for each weekday, and closed days.
#[derive(Clone, Debug, PartialEq)]
pub struct Hours {
    /// Open blocks `[start, end)` in seconds after midnight, Monday first.
    pub week: [Vec<(f64, f64)>; 7],
    /// The weekday of day 1 (0 = Monday).
    pub first_weekday: usize,
    /// Days (0 = day 1) closed all day, sorted.
    pub holidays: Vec<u32>,
}

impl Hours {
    pub fn is_open(&self, at: SimTime) -> bool {
        let day = (at.0 / DAY).floor();
        let clock = at.0 - day * DAY;
        let day = day as usize;
        if self.holidays.binary_search(&(day as u32)).is_ok() {
            return false;
        }
        self.week[(day + self.first_weekday) % 7].iter().any(|&(start, end)| start <= clock && clock < end)
    }
}

/// An overflow rule: when its condition holds, its action is taken.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overflow {
    pub when: OverflowWhen,
    pub action: OverflowAction,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OverflowWhen {
    /// On arrival, outside the queue's operating hours.
    OutsideHours,
    /// On arrival, with at least this many other conversations Open in the queue.
    OpenAtLeast(u32),
    /// On arrival, with an expected wait of at least this many seconds.
    ExpectedWaitAtLeast(f64),
    /// Once the conversation has waited this many seconds in the queue, unanswered.
    WaitedAtLeast(f64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OverflowAction {
    /// Move the conversation to this queue (it keeps its first queue for reporting).
    Queue(QueueId),
    /// End the conversation.
    End,
    /// Voice: the caller hangs up and keeps its place for a callback, taken within this many
    /// seconds or closed unanswered.
    Callback(f64),
    /// Voice: the caller leaves a voicemail, which waits at the back of the queue at most this
    /// many seconds.
    Voicemail(f64),
}

impl OverflowAction {
    /// Whether the caller hangs up and leaves work that waits without it: a callback or a
    /// voicemail.
    pub fn leaves_work(self) -> bool {
        matches!(self, OverflowAction::Callback(_) | OverflowAction::Voicemail(_))
    }
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
    /// Per capacity profile, the conversations of it one agent may hold.
    pub profile_limits: Vec<u32>,
    pub skills: Vec<(SkillId, Rating)>,
    pub queues: Vec<QueueId>,
    /// Daily shifts; empty: staffed around the clock (or by `staffing`).
    pub shifts: Vec<Shift>,
    /// Agents on duty in each slot (DESIGN.md "Staffing"): agent i is on duty while i is below
    /// the slot's value. `None`: `count` agents on the shifts.
    pub staffing: Option<Profile>,
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

    /// The scheduled presence of the group's `offset`-th agent at this second of the day, if one
    /// of its breaks covers it.
    pub fn break_at(&self, offset: u32, second_of_day: f64) -> Option<PresenceId> {
        self.breaks.iter().find(|b| b.covers(offset, second_of_day)).map(|b| b.presence)
    }

    /// Every second of the day at which the schedule (shifts, breaks) may change.
    pub fn schedule_changes(&self) -> Vec<f64> {
        let mut times: Vec<f64> = self
            .shifts
            .iter()
            .flat_map(|s| [s.start, s.end])
            .chain(self.breaks.iter().flat_map(|b| b.starts.iter().flat_map(|&s| [s, (s + b.duration) % DAY])))
            .collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        times
    }
}

/// A daily scheduled presence.
#[derive(Clone, Debug, PartialEq)]
pub struct Break {
    /// Seconds of the day it starts: one start for every agent of the group at once, or one per
    /// agent in roster order (staggered breaks).
    pub starts: Arc<[f64]>,
    pub duration: f64,
    pub presence: PresenceId,
}

impl Break {
    /// The start of the group's `offset`-th agent's break.
    pub fn start_for(&self, offset: u32) -> f64 {
        match self.starts.len() {
            1 => self.starts[0],
            n => self.starts[(offset as usize).min(n - 1)],
        }
    }

    /// Whether the break covers this second of the day for the `offset`-th agent.
    pub fn covers(&self, offset: u32, second_of_day: f64) -> bool {
        let start = self.start_for(offset);
        let end = start + self.duration;
        (second_of_day >= start && second_of_day < end) || (end > DAY && second_of_day < end - DAY)
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
    fn text_context_values_come_in_their_probabilities() {
        use rand::{SeedableRng, rngs::Xoshiro256PlusPlus};
        // Categories 7, 3, 5 with probabilities 0.45, 0.40, 0.15: each count is binomial, within
        // 4 standard deviations of its mean.
        let generator = ContextGenerator::Text { categories: vec![7, 3, 5], cumulative: vec![0.45, 0.85, 1.0] };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
        let n = 200_000;
        let mut counts = [0.0; 3];
        for _ in 0..n {
            let ContextValue::Text(c) = generator.draw(&mut rng) else { unreachable!() };
            counts[[7, 3, 5].iter().position(|&k| k == c).expect("one of the categories")] += 1.0;
        }
        for (count, p) in counts.iter().zip([0.45, 0.40, 0.15]) {
            let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
            assert!((count - mean).abs() <= 4.0 * sd, "{count} against {mean}");
        }
        // Cumulative probabilities that stop short of 1 by rounding: past them, the last.
        let short = ContextGenerator::Text { categories: vec![1, 2], cumulative: vec![0.5, 0.5] };
        let lasts = (0..1_000).filter(|_| short.draw(&mut rng) == ContextValue::Text(2)).count();
        assert!((400..600).contains(&lasts), "{lasts}");
    }

    #[test]
    fn expected_arrivals_integrate_the_daily_profile_up_to_the_horizon() {
        // 10 an hour before noon, 30 after: 480 a day.
        let halves = [vec![10.0 / 3600.0; 12], vec![30.0 / 3600.0; 12]].concat();
        let profile = RateProfile::new(Profile::new(halves).unwrap());
        let near = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(near(profile.expected_until(6.0 * 3600.0), 60.0));
        assert!(near(profile.expected_until(DAY), 480.0));
        assert!(near(profile.expected_until(2.5 * DAY), 2.0 * 480.0 + 120.0));
        assert!(near(profile.expected_until(1.75 * DAY), 480.0 + 120.0 + 180.0));
        // Rates near the largest float overflow to infinity, never to NaN.
        let huge = Arrivals::Poisson(RateProfile::new(Profile::new(vec![f64::MAX / 3600.0; 24]).unwrap()));
        assert_eq!(huge.expected_count(2.0 * 3600.0), f64::INFINITY);
        assert_eq!(huge.expected_count(3.0 * DAY), f64::INFINITY);
        // A holiday at 0.3 on day 2 and a campaign at 1.8 on day 3.
        let special = RateProfile { day_scale: Arc::from([1.0, 0.3, 1.8]), ..profile };
        assert!(near(special.expected_until(3.0 * DAY), 480.0 * (1.0 + 0.3 + 1.8)));
        assert!(near(special.expected_until(1.75 * DAY), 480.0 + 0.3 * (120.0 + 180.0)));
        assert!(near(special.expected_until(4.0 * DAY), 480.0 * (1.0 + 0.3 + 1.8 + 1.0)));
    }
}
