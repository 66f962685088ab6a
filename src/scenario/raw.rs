//! The scenario file as written: serde structures that mirror the TOML tables one to one.
//!
//! Every table denies unknown keys, so a typo is an error rather than a silently ignored setting.
//! Values that are checked after parsing (names, references, numbers with limits) are wrapped in
//! [`Spanned`] so that a later error can still point at the line and column where the value stands.
//! Nothing here interprets the values: `resolve` turns this form into the engine model.
//!
//! The same types give the JSON Schema of scenario files (`ccsim schema`, `schema.rs`):
//! a field's doc comment is its key's description there, and `#[schemars(...)]` adds its
//! default and range.

use schemars::{JsonSchema, SchemaGenerator};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use super::distribution::RawDistribution;
use super::schema::*;
use crate::time::Duration;

/// A value read from the file with the byte range where it stands, so that an error found after
/// parsing still names its line and column. Its JSON Schema is its value's: the span is not
/// written.
#[derive(Clone, Debug, Deserialize)]
#[serde(transparent)]
pub struct Spanned<T>(toml::Spanned<T>);

impl<T> Spanned<T> {
    pub fn new(span: std::ops::Range<usize>, value: T) -> Self {
        Spanned(toml::Spanned::new(span, value))
    }

    pub fn span(&self) -> std::ops::Range<usize> {
        self.0.span()
    }

    pub fn get_ref(&self) -> &T {
        self.0.get_ref()
    }

    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as \"45s\", \"15m\", \"1h30m\", \"2d\" or a number of seconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Duration::from_seconds(v as f64).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Duration::from_seconds(v as f64).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Duration::from_seconds(v).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

/// A ccsim scenario: the channels and their arrivals, the work streams that route them, the
/// queues, the agent groups that serve them, and the simulation's settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ccsim scenario")]
pub struct RawScenario {
    /// The run's length, reporting interval, replications, seed and service-level threshold.
    #[serde(default)]
    pub simulation: RawSimulation,
    /// Where conversations come from: one table per channel, with its arrivals and context.
    #[serde(default)]
    pub channel: Vec<RawChannel>,
    /// How conversations are routed and handled: one table per work stream.
    #[serde(default)]
    pub work_stream: Vec<RawWorkStream>,
    /// Queues conversations wait in, in priority order for the agents who serve several.
    #[serde(default)]
    pub queue: Vec<RawQueue>,
    /// The agents: how many, their capacity, queues, shifts, breaks, offers and picks. At least
    /// one is needed.
    #[serde(default)]
    pub agent_group: Vec<RawAgentGroup>,
    /// Custom presences, each a name for one of the five base presences.
    #[serde(default)]
    pub presence: Vec<RawPresence>,
    /// Gates for `ccsim check`: a metric of a scope must stay within `min` and/or `max`.
    #[serde(default)]
    pub check: Vec<RawCheck>,
    /// Dates whose arrivals are scaled (a holiday at 0.3, a campaign at 1.8); needs
    /// `simulation.start`.
    #[serde(default)]
    pub special_day: Vec<RawSpecialDay>,
    /// Shifts that `ccsim schedule` may roster agents on; they do not change a run.
    #[serde(default)]
    pub shift_template: Vec<RawShiftTemplate>,
    /// Capacity profiles: how many conversations of a profile one agent may hold, besides
    /// capacity units (at most 8 profiles).
    #[serde(default)]
    pub capacity_profile: Vec<RawCapacityProfile>,
}

/// A capacity profile: a per-agent limit on conversations of the work streams that name it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CapacityProfile")]
pub struct RawCapacityProfile {
    /// The profile's name, unique.
    pub name: Spanned<String>,
    /// Conversations of the profile one agent may hold at once; a group's `capacity_profiles`
    /// may set its own.
    #[schemars(range(min = 1, max = 100))]
    pub limit: Spanned<i64>,
    /// While an agent holds a conversation of this profile it is given no work of any other
    /// profile or of none (a call that stops new chats).
    #[schemars(extend("default" = false))]
    pub block_others: Option<bool>,
}

/// A shift that `ccsim schedule` may roster agents on (DESIGN.md "Staffing").
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ShiftTemplate")]
pub struct RawShiftTemplate {
    /// The template's name, unique; rostered groups are named after it.
    pub name: Spanned<String>,
    /// The allowed start times: a list of clock times (`["07:00", "08:00"]`) or a range
    /// (`{ from = "06:00", to = "12:00", every = "30m" }`).
    pub start: Spanned<RawTemplateStarts>,
    /// The shift's length, above 0 and at most 24h.
    pub length: Spanned<Duration>,
    /// The weekdays it is worked (`mon` … `sun`); every day when left out. Some days only makes
    /// the schedule cover a week.
    #[schemars(with = "Option<Vec<Weekday>>")]
    pub days: Option<Spanned<Vec<String>>>,
    /// Breaks, each placed wholly inside its window, durations into the shift.
    #[serde(default)]
    pub breaks: Vec<Spanned<RawTemplateBreak>>,
    /// What an hour of one agent on this shift costs.
    #[schemars(extend("default" = 1), range(min = 0))]
    pub cost_per_hour: Option<Spanned<f64>>,
    /// The fewest agents on this template (per day it is worked, over a week).
    #[schemars(extend("default" = 0), range(min = 0))]
    pub min: Option<Spanned<i64>>,
    /// The most agents on this template (per day it is worked, over a week); no limit when left
    /// out.
    #[schemars(range(min = 0))]
    pub max: Option<Spanned<i64>>,
    /// The agent group whose requirement the template covers.
    pub group: Option<Spanned<String>>,
    /// The queues the rostered agents serve, as in `[[agent_group]]`.
    pub queues: Spanned<Vec<Spanned<String>>>,
    /// Capacity units per rostered agent, as in `[[agent_group]]`.
    #[schemars(extend("default" = 1), range(min = 1))]
    pub capacity: Option<Spanned<i64>>,
    /// How the rostered agents answer push offers, as in `[[agent_group]]`.
    pub offer: Option<Spanned<RawOffer>>,
    /// How the rostered agents pick, as in `[[agent_group]]`.
    pub pick: Option<RawPick>,
    /// Probability that an agent is absent for a whole day, as in `[[agent_group]]`.
    #[schemars(extend("default" = 0), range(min = 0, max = 1))]
    pub absence: Option<Spanned<f64>>,
    /// Limits of capacity profiles for the rostered agents, as in `[[agent_group]]`.
    #[schemars(with = "Option<BTreeMap<String, u32>>")]
    pub capacity_profiles: Option<Spanned<BTreeMap<String, Spanned<i64>>>>,
    /// The rostered agents' skills, as in `[[agent_group]]`.
    #[schemars(with = "Option<BTreeMap<String, AgentSkill>>")]
    pub skills: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
}

/// A template's allowed starts: a list of clock times, or a range with a step.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "TemplateStarts")]
pub enum RawTemplateStarts {
    /// Clock times (`"07:00"`).
    List(#[schemars(with = "Vec<ClockTime>")] Vec<String>),
    /// Every `every` from `from` to `to`, both included.
    Range {
        #[schemars(with = "ClockTime")]
        from: String,
        #[schemars(with = "ClockTime")]
        to: String,
        every: Duration,
    },
}

/// A template's break: `duration` placed wholly inside `window`, durations into the shift.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "TemplateBreak")]
pub struct RawTemplateBreak {
    /// From and to, as durations into the shift (`["3h", "5h"]`).
    pub window: [Duration; 2],
    /// How long the break lasts.
    pub duration: Duration,
    /// A base presence or a `[[presence]]` name.
    #[schemars(extend("default" = "away"))]
    pub presence: Option<String>,
}

/// A date whose arrivals are scaled: a holiday at 0.3, a campaign at 1.8.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SpecialDay")]
pub struct RawSpecialDay {
    /// The date: a TOML date (`2026-12-24`) or a string of one.
    #[schemars(with = "DateValue")]
    pub date: Spanned<toml::Value>,
    /// The factor on the day's arrivals, ≥ 0.
    #[schemars(range(min = 0))]
    pub factor: Spanned<f64>,
    /// The channel scaled; every Poisson channel when left out.
    pub channel: Option<Spanned<String>>,
}

/// A gate for `ccsim check`: a metric of a scope must stay within `min` and/or `max`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Check")]
pub struct RawCheck {
    /// A metric of summary.csv (`service_level`, `asa_s`, `abandon_rate`, …).
    pub metric: Spanned<String>,
    /// The kind of scope: all, channel, work_stream, queue or agent_group.
    #[schemars(with = "Option<CheckScope>", extend("default" = "all"))]
    pub scope: Option<Spanned<String>>,
    /// The name of the channel, work stream, queue or agent group; "all" for scope all.
    pub name: Option<Spanned<String>>,
    /// The lowest value allowed.
    pub min: Option<Spanned<RawBound>>,
    /// The highest value allowed.
    pub max: Option<Spanned<RawBound>>,
    /// "mean": the mean across replications must hold; "ci": the 95% bound on the side of the
    /// limit must hold.
    #[schemars(with = "Option<CheckOn>", extend("default" = "mean"))]
    pub on: Option<Spanned<String>>,
    /// Judged in every reporting interval instead of over the whole run.
    #[schemars(extend("default" = false))]
    pub every_interval: Option<bool>,
    /// Start labels of the reporting intervals to check (`"09:00"`, `"d2 09:00"`).
    pub intervals: Option<Spanned<Vec<String>>>,
}

/// A gate's bound: a number, or a duration (`"30s"`) for a metric in seconds.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged, expecting = "a number, or a duration such as \"30s\" for a metric in seconds")]
#[schemars(rename = "Bound")]
pub enum RawBound {
    Number(f64),
    Duration(#[schemars(with = "Duration")] String),
}

/// A custom presence and the base status routing sees (DOMAIN.md §1.9).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Presence")]
pub struct RawPresence {
    /// The presence's name: unique, and not a base presence's name.
    pub name: Spanned<String>,
    /// The base presence routing and staffing see.
    pub base: BasePresence,
}

/// The run's length, reporting interval, replications, seed and service-level threshold.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Simulation")]
pub struct RawSimulation {
    /// The scenario's name, used for the output folder; the file name when left out.
    pub name: Option<Spanned<String>>,
    /// How long each replication runs.
    #[schemars(extend("default" = "1d"))]
    pub horizon: Option<Spanned<Duration>>,
    /// Conversations arriving earlier are simulated but not counted.
    #[schemars(extend("default" = "0s"))]
    pub warmup: Option<Spanned<Duration>>,
    /// The reporting interval: it must divide 24h, or be 1d. It only groups results.
    #[schemars(extend("default" = "1h"))]
    pub interval: Option<Spanned<Duration>>,
    /// Independent replications of the horizon.
    #[schemars(extend("default" = 10), range(min = 1))]
    pub replications: Option<Spanned<i64>>,
    /// The seed of every random stream: the same seed gives the same results.
    #[schemars(extend("default" = 1), range(min = 0))]
    pub seed: Option<u64>,
    /// A conversation answered within this wait counts towards the service level.
    #[schemars(extend("default" = "20s"))]
    pub service_level_threshold: Option<Duration>,
    /// Abandons quicker than this are neither offered nor abandoned.
    #[schemars(extend("default" = "0s"))]
    pub short_abandon: Option<Duration>,
    /// Declines of one conversation by one agent before it is never offered to that agent again.
    #[schemars(extend("default" = 3), range(min = 1, max = 100))]
    pub decline_limit: Option<Spanned<i64>>,
    /// A replication with this many conversations in the system at once stops the run (exit 3).
    #[schemars(extend("default" = 4000000), range(min = 1))]
    pub max_in_system: Option<Spanned<i64>>,
    /// The date of day 1: a TOML date (`2026-03-02`) or a string of one. Without it day 1 is a
    /// Monday and times are labelled `d2 08:00`.
    #[schemars(with = "Option<DateValue>")]
    pub start: Option<Spanned<toml::Value>>,
}

/// The kind of a channel: live chat and voice are synchronous, every other kind is asynchronous
/// (its conversations may wait for the customer's reply).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    LiveChat,
    PersistentChat,
    Sms,
    Facebook,
    Whatsapp,
    Line,
    Wechat,
    Teams,
    Twitter,
    Custom,
    EntityRecords,
    Voice,
}

/// A channel: where conversations come from.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Channel")]
pub struct RawChannel {
    /// The channel's name, unique.
    pub name: Spanned<String>,
    /// The kind of channel.
    pub kind: ChannelKind,
    /// The work stream that routes its conversations.
    pub work_stream: Spanned<String>,
    /// How conversations arrive: `poisson` (a rate, a profile or a forecast file), `renewal` or
    /// `trace`.
    pub arrivals: Spanned<RawArrivals>,
    /// Context variable name → generator: for a text variable, a table of category
    /// probabilities summing to 1 (`{ xbox = 0.6, surface = 0.4 }`); for a number variable, a
    /// distribution.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, ContextGenerator>")]
    pub context: BTreeMap<String, Spanned<toml::Value>>,
}

/// How conversations arrive.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "process", rename_all = "lowercase", deny_unknown_fields)]
#[schemars(rename = "Arrivals")]
pub enum RawArrivals {
    /// An exact Poisson process, non-homogeneous with a profile or a forecast.
    Poisson {
        /// Arrivals per hour: one rate, or a profile of 24, 48 or 96 values for a day or 168,
        /// 336 or 672 for a week from Monday 00:00.
        rate_per_hour: Option<RateSpec>,
        /// A forecast of counts per interval, a CSV file (columns `interval_start`, `offered`,
        /// optionally `channel` and `aht_s`), instead of `rate_per_hour`.
        file: Option<String>,
        /// A factor of mean 1 drawn per replication and day, multiplying the day's rates.
        day_factor: Option<RawDistribution>,
    },
    /// Independent inter-arrival times drawn from a distribution.
    Renewal {
        /// The gap between two arrivals; the first arrival is one gap after 00:00.
        interarrival: RawDistribution,
    },
    /// Historical arrival timestamps replayed from a CSV file, the same in every replication.
    Trace {
        /// The CSV file, relative to the scenario file's directory.
        file: String,
    },
}

/// One arrival rate for the whole day, or a profile of rates (DESIGN.md "Profiles").
#[derive(Debug, Clone, PartialEq)]
pub enum RateSpec {
    Constant(f64),
    Profile(Vec<f64>),
}

impl<'de> Deserialize<'de> for RateSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RateVisitor;
        impl<'de> Visitor<'de> for RateVisitor {
            type Value = RateSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a rate per hour, or a list of rates per hour: 24, 48 or 96 for a day, 168, 336 or 672 for a week",
                )
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RateSpec, E> {
                Ok(RateSpec::Constant(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RateSpec, E> {
                Ok(RateSpec::Constant(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RateSpec, E> {
                Ok(RateSpec::Constant(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RateSpec, A::Error> {
                let mut rates = Vec::new();
                while let Some(value) = seq.next_element::<toml::Value>()? {
                    match value {
                        toml::Value::Integer(n) => rates.push(n as f64),
                        toml::Value::Float(x) => rates.push(x),
                        other => {
                            return Err(de::Error::custom(format!(
                                "rate_per_hour: rate {} is {other}; expected a number of arrivals per hour",
                                rates.len() + 1
                            )));
                        }
                    }
                }
                Ok(RateSpec::Profile(rates))
            }
        }
        deserializer.deserialize_any(RateVisitor)
    }
}

/// How a work stream's conversations reach agents: `push` (the system offers them) or `pick`
/// (agents take them; not for voice).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Push,
    Pick,
}

/// One of the five base presences that routing and staffing see.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BasePresence {
    Available,
    Busy,
    BusyDnd,
    Away,
    Offline,
}

/// The type of a context variable.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VariableType {
    Text,
    Number,
}

/// A context variable that routing rules may test.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ContextVariable")]
pub struct RawContextVariable {
    /// The variable's name, unique in the work stream.
    pub name: Spanned<String>,
    /// `text` (categories with probabilities) or `number` (a distribution).
    #[serde(rename = "type")]
    pub kind: VariableType,
}

/// A work stream: how its conversations are routed, distributed and handled.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "WorkStream")]
pub struct RawWorkStream {
    /// The work stream's name, unique.
    pub name: Spanned<String>,
    /// `push`: the system offers work to agents; `pick`: agents take it (not for voice).
    #[serde(default = "default_mode")]
    #[schemars(extend("default" = "push"))]
    pub mode: Mode,
    /// Capacity units one conversation takes from an agent.
    #[schemars(extend("default" = 1), range(min = 1))]
    pub capacity: Option<Spanned<i64>>,
    /// The base presences in which agents get work.
    #[schemars(extend("default" = ["available", "busy"]))]
    pub allowed_presences: Option<Spanned<Vec<BasePresence>>>,
    /// When capacity is released: `always` (at close), `never` (at wrap-up start) or a duration
    /// into wrap-up.
    #[schemars(with = "Option<WrapUpBlock>", extend("default" = "always"))]
    pub block_capacity_for_wrap_up: Option<Spanned<toml::Value>>,
    /// Open → closed unanswered after this long; "0s" = never. Left out: by each
    /// conversation's channel, 20m for live chat, never otherwise.
    pub auto_close_open: Option<Duration>,
    /// The active handling time of an episode: a distribution.
    pub handle_time: Spanned<RawDistribution>,
    /// Handle time that grows with concurrency: an episode's handle time is multiplied by
    /// 1 + this × the other conversations its agent holds when it starts (0.15: 15% longer per
    /// other chat).
    #[schemars(extend("default" = 0), range(min = 0, max = 10))]
    pub handle_time_per_extra: Option<Spanned<f64>>,
    /// Wrap-up after the conversation ends: a distribution.
    #[schemars(extend("default" = "0s"))]
    pub wrap_up: Option<Spanned<RawDistribution>>,
    /// Time the customer waits for the first accept before abandoning: a distribution, or
    /// `"none"` / `"never"` (never abandons, as when left out).
    #[schemars(with = "Option<Patience>", extend("default" = "none"))]
    pub patience: Option<Spanned<toml::Value>>,
    /// The context variables its channels generate and its routing rules test.
    #[serde(default)]
    pub context_variables: Vec<RawContextVariable>,
    /// The queue for conversations no rule matches; may be left out when there is exactly one
    /// queue.
    pub fallback_queue: Option<Spanned<String>>,
    /// Rules evaluated in order; the first that matches chooses the queue.
    #[serde(default)]
    pub routing_rule: Vec<RawRoutingRule>,
    /// Push only: agents may also pick its Open conversations, ignoring capacity and presence.
    #[schemars(extend("default" = false))]
    pub enable_selecting_from_push: Option<bool>,
    /// Asynchronous channels only: after each active episode the agent parks the conversation in
    /// Waiting with `probability`; the customer replies after `customer_reply`, or never with
    /// probability `never_reply`. Left out: every episode ends in wrap-up.
    pub waiting: Option<Spanned<RawWaiting>>,
    /// Waiting → auto-closed when no reply comes this long.
    #[schemars(extend("default" = "28d"))]
    pub auto_close_after_inactivity: Option<Spanned<Duration>>,
    /// A bot that takes every conversation first (push work streams only): it ends some
    /// (`containment`) and escalates the others to routing, with context values it may set.
    pub bot: Option<Spanned<RawBot>>,
    /// After an agent's handling, a transfer to another queue with this probability, where the
    /// conversation waits again (`transfers`, `transfer_wait_s`); a queue's own `transfer`
    /// applies instead to conversations waiting there.
    pub transfer: Option<Spanned<RawTransfer>>,
    /// A reply goes back to the previous agent. Default: on when every channel feeding the work
    /// stream is asynchronous.
    pub affinity: Option<bool>,
    /// The `[[capacity_profile]]` its conversations count against, besides their capacity units.
    pub capacity_profile: Option<Spanned<String>>,
    /// Classification rules, each attaching required skills to the conversations whose context
    /// matches it (every matching rule attaches its skills; at most 8 rules).
    #[serde(default)]
    pub classification: Vec<RawClassification>,
    /// How agents' skills are matched against what a conversation requires: `exact` (every
    /// required skill at or above its rating) or `closest` (every required skill at any rating,
    /// the nearest total rating first).
    #[schemars(extend("default" = "exact"))]
    pub matching: Option<Matching>,
}

/// A classification rule: when all its conditions hold, the conversation requires its skills.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Classification")]
pub struct RawClassification {
    /// The rule's name, for messages.
    pub name: Option<String>,
    /// Context variable → a value (equality) or a table of operators that must all hold, as in
    /// a routing rule; `{}` matches every conversation.
    #[schemars(with = "BTreeMap<String, Condition>")]
    pub when: Spanned<BTreeMap<String, Spanned<toml::Value>>>,
    /// Skill → the lowest rating it requires (`{ spanish = 6, billing = 3 }`).
    #[schemars(with = "BTreeMap<String, SkillRating>", extend("minProperties" = 1))]
    pub skills: Spanned<BTreeMap<String, Spanned<i64>>>,
}

/// How a work stream matches skills.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Matching {
    Exact,
    Closest,
}

/// Asynchronous channels: after active handling the agent may park the conversation in Waiting.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Waiting")]
pub struct RawWaiting {
    /// Probability that an episode ends in Waiting rather than wrap-up.
    #[schemars(range(min = 0, max = 1))]
    pub probability: Spanned<f64>,
    /// The customer's reply delay: a distribution.
    pub customer_reply: Spanned<RawDistribution>,
    /// Probability that the customer never replies.
    #[schemars(extend("default" = 0), range(min = 0, max = 1))]
    pub never_reply: Option<Spanned<f64>>,
}

fn default_mode() -> Mode {
    Mode::Push
}

/// A routing rule: when all its conditions hold, the conversation goes to `queue`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RoutingRule")]
pub struct RawRoutingRule {
    /// The rule's name, for messages and `--set`.
    pub name: Option<String>,
    /// Context variable → a value (equality) or a table of operators that must all hold: `eq`,
    /// `ne`, `in`, `contains` for text, `eq ne lt le gt ge in` for numbers (`{ ge = 200 }`).
    #[schemars(with = "BTreeMap<String, Condition>")]
    pub when: Spanned<BTreeMap<String, Spanned<toml::Value>>>,
    /// The queue its matches go to; or `queues`.
    pub queue: Option<Spanned<String>>,
    /// Percentage routing, instead of `queue`: queue name → percentage of the matches, at most 5
    /// queues, summing to 100 (`{ tier1 = 70, tier2 = 30 }`); each conversation's queue is drawn.
    #[schemars(with = "Option<BTreeMap<String, Percentage>>", extend("maxProperties" = 5, "minProperties" = 1))]
    pub queues: Option<Spanned<BTreeMap<String, Spanned<f64>>>>,
}

/// How push chooses among a queue's eligible agents.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentMethod {
    HighestCapacity,
    RoundRobin,
    LeastActive,
}

/// A queue.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Queue")]
pub struct RawQueue {
    /// The queue's name, unique.
    pub name: Spanned<String>,
    /// An agent in several queues serves the lowest number first; a queue without priority
    /// after every queue that has one.
    pub priority: Option<i64>,
    /// How push chooses the agent.
    #[schemars(extend("default" = "highest_capacity"))]
    pub assignment: Option<AssignmentMethod>,
    /// The service-level threshold of conversations routed here, in every scope; default
    /// `simulation.service_level_threshold`.
    pub service_level_threshold: Option<Duration>,
    /// Operating hours: a weekly calendar of open blocks (`mon = [["08:00", "17:00"]]`, days left
    /// out closed) and closed `holidays`. No `hours`: always open. Hours alone change nothing; an
    /// `outside_hours` overflow says what happens outside them.
    pub hours: Option<Spanned<RawHours>>,
    /// Overflow rules: a condition (`when`) and what happens then (`action`).
    #[serde(default)]
    pub overflow: Vec<RawOverflow>,
    /// After an agent's handling of a conversation waiting here, a transfer to another queue
    /// with this probability (instead of the work stream's `transfer`).
    pub transfer: Option<Spanned<RawTransfer>>,
}

/// A bot that handles a work stream's conversations before any agent (DOMAIN.md §3.7).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Bot")]
pub struct RawBot {
    /// The bot's time with a conversation: a distribution.
    pub handle_time: Spanned<RawDistribution>,
    /// Probability that the bot resolves the conversation itself (`bot_contained`); the others
    /// are escalated (`bot_escalated`).
    #[schemars(range(min = 0, max = 1))]
    pub containment: Spanned<f64>,
    /// Context values the bot sets before it escalates, drawn as a channel's `context` is:
    /// variable → category probabilities or a distribution. Routing runs on them.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, ContextGenerator>")]
    pub sets: BTreeMap<String, Spanned<toml::Value>>,
}

/// A transfer after an agent's handling: the conversation waits again in another queue.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Transfer")]
pub struct RawTransfer {
    /// Probability that an active episode ends in a transfer rather than in wrap-up.
    #[schemars(range(min = 0, max = 1))]
    pub probability: Spanned<f64>,
    /// The queue it is transferred to; a transfer to a queue outside its hours does not happen.
    pub queue: Spanned<String>,
}

/// A queue's operating hours: open blocks per weekday, and holidays.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Hours")]
pub struct RawHours {
    /// Open blocks on Mondays: `[["08:00", "12:00"], ["13:00", "17:00"]]`; left out: closed.
    #[schemars(with = "Option<Vec<[ClockTime; 2]>>")]
    pub mon: Option<Spanned<Vec<Vec<String>>>>,
    /// Open blocks on Tuesdays.
    #[schemars(with = "Option<Vec<[ClockTime; 2]>>")]
    pub tue: Option<Spanned<Vec<Vec<String>>>>,
    /// Open blocks on Wednesdays.
    #[schemars(with = "Option<Vec<[ClockTime; 2]>>")]
    pub wed: Option<Spanned<Vec<Vec<String>>>>,
    /// Open blocks on Thursdays.
    #[schemars(with = "Option<Vec<[ClockTime; 2]>>")]
    pub thu: Option<Spanned<Vec<Vec<String>>>>,
    /// Open blocks on Fridays.
    #[schemars(with = "Option<Vec<[ClockTime; 2]>>")]
    pub fri: Option<Spanned<Vec<Vec<String>>>>,
    /// Open blocks on Saturdays.
    #[schemars(with = "Option<Vec<[ClockTime; 2]>>")]
    pub sat: Option<Spanned<Vec<Vec<String>>>>,
    /// Open blocks on Sundays.
    #[schemars(with = "Option<Vec<[ClockTime; 2]>>")]
    pub sun: Option<Spanned<Vec<Vec<String>>>>,
    /// Dates the queue is closed all day (TOML dates or strings); needs `simulation.start`.
    #[schemars(with = "Option<Vec<DateValue>>")]
    pub holidays: Option<Spanned<Vec<toml::Value>>>,
}

/// An overflow rule of a queue.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Overflow")]
pub struct RawOverflow {
    /// `"outside_hours"`, `{ open_at_least = N }` or `{ expected_wait_at_least = T }`, judged on
    /// arrival; or `{ waited_at_least = T }`, judged while the conversation waits in the queue.
    #[schemars(with = "OverflowWhen")]
    pub when: Spanned<toml::Value>,
    /// `{ queue = NAME }` (move it there), `{ end = true }` (end it), or for voice
    /// `{ callback = T }` or `{ voicemail = T }` (the caller hangs up; the work waits at most T).
    pub action: Spanned<RawOverflowAction>,
}

/// What an overflow rule does.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "OverflowAction")]
pub struct RawOverflowAction {
    /// Move the conversation to this queue; it keeps its first queue for reporting.
    pub queue: Option<Spanned<String>>,
    /// End the conversation (`ended_by_overflow`).
    pub end: Option<Spanned<bool>>,
    /// Voice: the caller hangs up and keeps its place in the queue for a callback, which no
    /// longer abandons and is closed unanswered (`auto_closed`) if no agent takes it within this
    /// long (`callbacks`).
    pub callback: Option<Spanned<Duration>>,
    /// Voice: the caller leaves a voicemail, which waits at the back of the queue as work that
    /// no longer abandons, closed unanswered if no agent takes it within this long
    /// (`voicemails`).
    pub voicemail: Option<Spanned<Duration>>,
}

/// A daily shift; an end before the start runs overnight.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Shift")]
pub struct RawShift {
    /// The clock time the shift starts (`"08:00"`).
    #[schemars(with = "ClockTime")]
    pub start: Spanned<String>,
    /// The clock time the shift ends (`"17:00"`).
    #[schemars(with = "ClockTime")]
    pub end: Spanned<String>,
}

/// An agent group: agents alike in capacity, queues, shifts, breaks and behaviour.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AgentGroup")]
pub struct RawAgentGroup {
    /// The group's name, unique.
    pub name: Spanned<String>,
    /// The number of agents; may be 0.
    #[schemars(range(min = 0))]
    pub count: Option<Spanned<i64>>,
    /// Agents on duty in each slot, instead of `count` and `shift`: 1 value, 24, 48 or 96 for a
    /// day, or 168, 336 or 672 for a week from Monday 00:00.
    #[schemars(with = "Option<Vec<StaffingValue>>")]
    pub staffing: Option<Spanned<Vec<Spanned<f64>>>>,
    /// Capacity units per agent.
    #[schemars(extend("default" = 1), range(min = 1))]
    pub capacity: Option<Spanned<i64>>,
    /// The queues the group's agents serve.
    pub queues: Spanned<Vec<Spanned<String>>>,
    /// One daily shift, or a list of them (a split shift); none = around the clock.
    pub shift: Option<Spanned<OneOrMany<RawShift>>>,
    /// Scheduled presences, daily: for the whole group at once (`start`) or staggered (`window`
    /// or `starts`).
    #[serde(default)]
    pub breaks: Vec<RawBreak>,
    /// How the agents answer push offers; left out, every offer is accepted at once.
    pub offer: Option<Spanned<RawOffer>>,
    /// How the agents pick from pick work streams (and push ones with
    /// `enable_selecting_from_push`).
    pub pick: Option<RawPick>,
    /// Probability that an agent is absent for a whole day (shrinkage).
    #[schemars(extend("default" = 0), range(min = 0, max = 1))]
    pub absence: Option<Spanned<f64>>,
    /// What an hour on duty of one agent costs, for agents.csv's `cost`.
    #[schemars(extend("default" = 1), range(min = 0, max = 1e9))]
    pub cost_per_hour: Option<Spanned<f64>>,
    /// The group's own limits of capacity profiles: profile name → conversations of it one agent
    /// may hold (`{ voice = 2 }`); the others keep the profile's `limit`.
    #[schemars(with = "Option<BTreeMap<String, u32>>")]
    pub capacity_profiles: Option<Spanned<BTreeMap<String, Spanned<i64>>>>,
    /// The agents' skills: skill → a rating from 1 to 100 for every agent (`english = 7`), or a
    /// distribution each agent's rating is drawn from, rounded (`{ dist = "uniform", min = 3,
    /// max = 9 }`).
    #[schemars(with = "Option<BTreeMap<String, AgentSkill>>")]
    pub skills: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
}

/// A table, or a list of tables.
#[derive(Debug)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table or a list of tables")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<OneOrMany<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|one| OneOrMany(vec![one]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<OneOrMany<T>, A::Error> {
                Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(OneOrMany)
            }
        }
        deserializer.deserialize_any(OneOrManyVisitor(std::marker::PhantomData))
    }
}

/// A scheduled presence, daily for `duration`: from `start` for every agent of the group at once,
/// or staggered: one start per agent in roster order (`starts`), or spread evenly over a `window`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Break")]
pub struct RawBreak {
    /// The clock time every agent of the group starts the break.
    #[schemars(with = "Option<ClockTime>")]
    pub start: Option<Spanned<String>>,
    /// From and to (`["11:30", "14:00"]`): the agents' breaks spread evenly over it in roster
    /// order.
    #[schemars(with = "Option<[ClockTime; 2]>")]
    pub window: Option<Spanned<Vec<String>>>,
    /// One start per agent of the group, in roster order.
    #[schemars(with = "Option<Vec<ClockTime>>")]
    pub starts: Option<Spanned<Vec<String>>>,
    /// How long the break lasts: above 0 and under 24h.
    pub duration: Spanned<Duration>,
    /// A base presence or a `[[presence]]` name.
    #[schemars(extend("default" = "away"))]
    pub presence: Option<Spanned<String>>,
}

/// How agents answer push offers (DESIGN.md "Offers").
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Offer")]
pub struct RawOffer {
    /// Probability of accepting; default 1 − `reject`. `accept + reject` ≤ 1; the remaining offers
    /// time out.
    #[schemars(range(min = 0, max = 1))]
    pub accept: Option<f64>,
    /// Probability of rejecting.
    #[schemars(extend("default" = 0), range(min = 0, max = 1))]
    pub reject: Option<f64>,
    /// The delay before an accept or a reject: a distribution.
    #[schemars(extend("default" = "0s"))]
    pub response_time: Option<Spanned<RawDistribution>>,
    /// How long an offer nobody answers lasts.
    #[schemars(extend("default" = "120s"))]
    pub timeout: Option<Duration>,
    /// An agent who let an offer time out goes away for `presence_reset`.
    #[schemars(extend("default" = false))]
    pub timeout_sets_inactive: Option<bool>,
    /// An agent who rejected an offer goes busy_dnd for `presence_reset`.
    #[schemars(extend("default" = false))]
    pub reject_sets_dnd: Option<bool>,
    /// How long the presence set by a timeout or a reject lasts.
    #[schemars(extend("default" = "5m"))]
    pub presence_reset: Option<Duration>,
}

/// Which Open conversation an agent picks.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PickPolicy {
    Oldest,
    Priority,
    Random,
}

/// How agents pick conversations of pick work streams (DESIGN.md "Pick").
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Pick")]
pub struct RawPick {
    /// The time between an agent's looks at the Open conversations: a duration or a distribution;
    /// `"0s"` picks the moment it can.
    #[schemars(extend("default" = "30s"))]
    pub every: Option<Spanned<RawDistribution>>,
    /// `oldest` across the agent's queues, the oldest of its highest-`priority` queue, or
    /// `random`.
    #[schemars(extend("default" = "oldest"))]
    pub policy: Option<PickPolicy>,
    /// Picks stop at the agent's capacity.
    #[schemars(extend("default" = true))]
    pub respect_capacity: Option<bool>,
}
