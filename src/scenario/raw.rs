//! The scenario file as written: serde structures that mirror the TOML tables one to one.
//!
//! Every table denies unknown keys, so a typo is an error rather than a silently ignored setting.
//! Values that are checked after parsing (names, references, numbers with limits) are wrapped in
//! [`Spanned`] so that a later error can still point at the line and column where the value stands.
//! Nothing here interprets the values: [`super::resolve`] turns this form into the engine model.

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
    Poisson { rate_per_hour: RateSpec },
}

/// One arrival rate for the whole day, or one per reporting interval of a day.
#[derive(Debug, Clone, PartialEq)]
pub enum RateSpec {
    Constant(f64),
    PerInterval(Vec<f64>),
}

impl<'de> Deserialize<'de> for RateSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RateVisitor;
        impl<'de> Visitor<'de> for RateVisitor {
            type Value = RateSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a rate per hour, or a list with one rate per reporting interval of a day")
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
                Ok(RateSpec::PerInterval(rates))
            }
        }
        deserializer.deserialize_any(RateVisitor)
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Push,
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
    pub patience: Option<Spanned<RawDistribution>>,
    #[serde(default)]
    pub context_variables: Vec<RawContextVariable>,
    pub fallback_queue: Option<Spanned<String>>,
    #[serde(default)]
    pub routing_rule: Vec<RawRoutingRule>,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    pub name: Spanned<String>,
    pub priority: Option<i64>,
    pub assignment: Option<AssignmentMethod>,
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
    pub count: Spanned<i64>,
    pub capacity: Option<Spanned<i64>>,
    pub queues: Spanned<Vec<Spanned<String>>>,
    pub shift: Option<Spanned<RawShift>>,
}
