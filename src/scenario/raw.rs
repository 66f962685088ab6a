//! The scenario file as written: serde structures that mirror the TOML tables one to one.
//!
//! Every table denies unknown keys, so a typo is an error rather than a silently ignored setting.
//! Values that are checked after parsing (names, references, numbers with limits) are wrapped in
//! [`Spanned`] so that a later error can still point at the line and column where the value stands.
//! Nothing here interprets the values: `resolve` turns this form into the engine model.

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

use super::distribution::RawDistribution;
use crate::time::Duration;

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    #[serde(default)]
    pub simulation: RawSimulation,
    #[serde(default)]
    pub channel: Vec<RawChannel>,
    #[serde(default)]
    pub work_stream: Vec<RawWorkStream>,
    #[serde(default)]
    pub queue: Vec<RawQueue>,
    #[serde(default)]
    pub agent_group: Vec<RawAgentGroup>,
    #[serde(default)]
    pub presence: Vec<RawPresence>,
    #[serde(default)]
    pub check: Vec<RawCheck>,
    #[serde(default)]
    pub special_day: Vec<RawSpecialDay>,
    #[serde(default)]
    pub shift_template: Vec<RawShiftTemplate>,
}

/// A shift that `ccsim schedule` may roster agents on (DESIGN.md "Staffing").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShiftTemplate {
    pub name: Spanned<String>,
    pub start: Spanned<RawTemplateStarts>,
    pub length: Spanned<Duration>,
    pub days: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub breaks: Vec<Spanned<RawTemplateBreak>>,
    pub cost_per_hour: Option<Spanned<f64>>,
    pub min: Option<Spanned<i64>>,
    pub max: Option<Spanned<i64>>,
    /// The group whose requirement the template covers.
    pub group: Option<Spanned<String>>,
    // The agent keys of the groups it makes, as in [[agent_group]].
    pub queues: Spanned<Vec<Spanned<String>>>,
    pub capacity: Option<Spanned<i64>>,
    pub offer: Option<Spanned<RawOffer>>,
    pub pick: Option<RawPick>,
    pub absence: Option<Spanned<f64>>,
}

/// A template's allowed starts: a list of clock times, or a range with a step.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawTemplateStarts {
    List(Vec<String>),
    Range { from: String, to: String, every: Duration },
}

/// A template's break: `duration` placed wholly inside `window`, durations into the shift.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplateBreak {
    pub window: [Duration; 2],
    pub duration: Duration,
    pub presence: Option<String>,
}

/// A date whose arrivals are scaled: a holiday at 0.3, a campaign at 1.8.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpecialDay {
    pub date: Spanned<toml::Value>,
    pub factor: Spanned<f64>,
    /// The channel scaled; every channel when absent.
    pub channel: Option<Spanned<String>>,
}

/// A gate for `ccsim check`: a metric of a scope must stay within `min` and/or `max`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub metric: Spanned<String>,
    pub scope: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub min: Option<Spanned<RawBound>>,
    pub max: Option<Spanned<RawBound>>,
    pub on: Option<Spanned<String>>,
    pub every_interval: Option<bool>,
    /// Start labels of the reporting intervals to check (`"09:00"`, `"d2 09:00"`).
    pub intervals: Option<Spanned<Vec<String>>>,
}

/// A gate's bound: a number, or a duration (`"30s"`) for a metric in seconds.
#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a number, or a duration such as \"30s\" for a metric in seconds")]
pub enum RawBound {
    Number(f64),
    Duration(String),
}

/// A custom presence and the base status routing sees (DOMAIN.md §1.9).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPresence {
    pub name: Spanned<String>,
    pub base: BasePresence,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub name: Option<Spanned<String>>,
    pub horizon: Option<Spanned<Duration>>,
    pub warmup: Option<Spanned<Duration>>,
    pub interval: Option<Spanned<Duration>>,
    pub replications: Option<Spanned<i64>>,
    pub seed: Option<u64>,
    pub service_level_threshold: Option<Duration>,
    pub short_abandon: Option<Duration>,
    pub decline_limit: Option<Spanned<i64>>,
    pub max_in_system: Option<Spanned<i64>>,
    /// The date of day 1: a TOML date (`2026-03-02`) or a string of one.
    pub start: Option<Spanned<toml::Value>>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChannel {
    pub name: Spanned<String>,
    pub kind: ChannelKind,
    pub work_stream: Spanned<String>,
    pub arrivals: Spanned<RawArrivals>,
    /// Variable name → generator: a table of category weights (text) or a `dist` table (number).
    #[serde(default)]
    pub context: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "process", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawArrivals {
    Poisson {
        rate_per_hour: Option<RateSpec>,
        /// A forecast of counts per interval (format in [`super::demand`]), instead of
        /// `rate_per_hour`.
        file: Option<String>,
        /// A factor of mean 1 drawn per replication and day, multiplying the day's rates.
        day_factor: Option<RawDistribution>,
    },
    /// Inter-arrival times drawn from a distribution.
    Renewal { interarrival: RawDistribution },
    /// Historical arrival timestamps from a CSV file (format in [`super::demand`]).
    Trace { file: String },
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

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Push,
    Pick,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BasePresence {
    Available,
    Busy,
    BusyDnd,
    Away,
    Offline,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum VariableType {
    Text,
    Number,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContextVariable {
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub kind: VariableType,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkStream {
    pub name: Spanned<String>,
    #[serde(default = "default_mode")]
    pub mode: Mode,
    pub capacity: Option<Spanned<i64>>,
    pub allowed_presences: Option<Spanned<Vec<BasePresence>>>,
    pub block_capacity_for_wrap_up: Option<Spanned<toml::Value>>,
    pub auto_close_open: Option<Duration>,
    pub handle_time: Spanned<RawDistribution>,
    pub wrap_up: Option<Spanned<RawDistribution>>,
    /// A distribution, or `"none"` / `"never"`: the customer never abandons.
    pub patience: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub context_variables: Vec<RawContextVariable>,
    pub fallback_queue: Option<Spanned<String>>,
    #[serde(default)]
    pub routing_rule: Vec<RawRoutingRule>,
    pub enable_selecting_from_push: Option<bool>,
    pub waiting: Option<Spanned<RawWaiting>>,
    pub auto_close_after_inactivity: Option<Spanned<Duration>>,
    pub affinity: Option<bool>,
}

/// Asynchronous channels: after active handling the agent may park the conversation in Waiting.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWaiting {
    pub probability: Spanned<f64>,
    pub customer_reply: Spanned<RawDistribution>,
    pub never_reply: Option<Spanned<f64>>,
}

fn default_mode() -> Mode {
    Mode::Push
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoutingRule {
    pub name: Option<String>,
    /// Variable name → a value (equality) or a table of operators (`{ ge = 200 }`).
    pub when: Spanned<BTreeMap<String, Spanned<toml::Value>>>,
    pub queue: Spanned<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentMethod {
    HighestCapacity,
    RoundRobin,
    LeastActive,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    pub name: Spanned<String>,
    pub priority: Option<i64>,
    pub assignment: Option<AssignmentMethod>,
    pub service_level_threshold: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShift {
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgentGroup {
    pub name: Spanned<String>,
    pub count: Option<Spanned<i64>>,
    /// Agents on duty in each slot of a day or week, instead of `count` and `shift`.
    pub staffing: Option<Spanned<Vec<Spanned<f64>>>>,
    pub capacity: Option<Spanned<i64>>,
    pub queues: Spanned<Vec<Spanned<String>>>,
    /// One shift, or a list of shifts in a day.
    pub shift: Option<Spanned<OneOrMany<RawShift>>>,
    #[serde(default)]
    pub breaks: Vec<RawBreak>,
    pub offer: Option<Spanned<RawOffer>>,
    pub pick: Option<RawPick>,
    /// Share of agents absent on any day (shrinkage).
    pub absence: Option<Spanned<f64>>,
    /// What an hour on duty of one agent costs (default 1).
    pub cost_per_hour: Option<Spanned<f64>>,
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBreak {
    pub start: Option<Spanned<String>>,
    pub window: Option<Spanned<Vec<String>>>,
    pub starts: Option<Spanned<Vec<String>>>,
    pub duration: Spanned<Duration>,
    /// A base presence or a `[[presence]]` name; default `away`.
    pub presence: Option<Spanned<String>>,
}

/// How agents answer push offers (DESIGN.md "Offers").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffer {
    pub accept: Option<f64>,
    pub reject: Option<f64>,
    pub response_time: Option<Spanned<RawDistribution>>,
    pub timeout: Option<Duration>,
    pub timeout_sets_inactive: Option<bool>,
    pub reject_sets_dnd: Option<bool>,
    pub presence_reset: Option<Duration>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PickPolicy {
    Oldest,
    Priority,
    Random,
}

/// How agents pick conversations of pick work streams (DESIGN.md "Pick").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPick {
    pub every: Option<Spanned<RawDistribution>>,
    pub policy: Option<PickPolicy>,
    pub respect_capacity: Option<bool>,
}
