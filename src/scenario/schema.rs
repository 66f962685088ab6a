//! The JSON Schema of scenario files (`ccsim schema`), generated with `schemars` from the serde
//! types of [`super::raw`], so that what editors check is what ccsim reads.
//!
//! Each key carries its description (the field's doc comment) and, where it has one, its default.
//! The values that serde reads with a visitor of its own — durations, distribution parameters,
//! rates, one-or-many tables — and the keys read as free TOML values (dates, context generators,
//! routing conditions, `patience`, `block_capacity_for_wrap_up`) have their schemas written here.
//! The schema is draft-07, which taplo and the Even Better TOML extension read. It checks the
//! structure — keys, types, enumerations, ranges — and accepts everything ccsim accepts; what
//! depends on more than one value (references, sums of probabilities, profile lengths) is left
//! to `ccsim validate`.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

use super::distribution::{Quantity, RawDistribution};
use super::raw::{OneOrMany, RateSpec, RawScenario};
use crate::time::Duration;

/// Where the schema says it lives, so that editors can cache it.
pub const SCHEMA_ID: &str = "https://ccsim.dev/schema/scenario.json";

/// The JSON Schema of a scenario file.
pub fn scenario_schema() -> serde_json::Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<RawScenario>();
    schema.insert("$id".into(), SCHEMA_ID.into());
    let mut value = schema.to_value();
    tidy(&mut value);
    value
}

/// Says what a TOML file can hold: TOML has no null, so an optional key is one that may be left
/// out, not one that may be null; Rust's number formats (`int64`, `double`) are no JSON Schema
/// formats; and a description is one paragraph, not the doc comment's lines.
fn tidy(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(branches)) = map.get_mut("anyOf") {
                branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
                if branches.len() == 1 {
                    let Some(Value::Object(only)) = branches.pop() else { unreachable!("a schema is an object") };
                    map.remove("anyOf");
                    if only.contains_key("$ref") && !map.is_empty() {
                        map.insert("allOf".into(), Value::Array(vec![Value::Object(only)]));
                    } else {
                        map.extend(only);
                    }
                }
            }
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            if map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("int") || f.starts_with("uint") || f == "double" || f == "float")
            {
                map.remove("format");
            }
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = text.replace('\n', " ");
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// A duration as text, the superset of what [`Duration::parse`] reads: a number of seconds, or
/// numbers with the units d, h, m, s.
const DURATION_PATTERN: &str =
    r"^\s*(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|(?: *(?:[0-9]+\.?[0-9]*|\.[0-9]+)[dhms])+)\s*$";

/// A clock time as text: hours and minutes, optionally seconds.
const CLOCK_PATTERN: &str = r"^\s*[0-9]{1,2}:[0-9]{1,2}(?::[0-9]{1,2})?\s*$";

macro_rules! schema_of {
    ($type:ty, $name:literal, inline = $inline:literal, $schema:tt) => {
        impl JsonSchema for $type {
            fn inline_schema() -> bool {
                $inline
            }

            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

schema_of!(Duration, "Duration", inline = false, {
    "description": "A duration: \"45s\", \"15m\", \"1h30m\", \"2d\" (units s, m, h, d, each once, largest first), or a number of seconds.",
    "anyOf": [
        { "type": "number", "minimum": 0 },
        { "type": "string", "pattern": DURATION_PATTERN }
    ]
});

schema_of!(Quantity, "Quantity", inline = false, {
    "description": "A number, or a duration such as \"45s\" or \"12m\" (in seconds).",
    "anyOf": [
        { "type": "number" },
        { "type": "string", "pattern": DURATION_PATTERN }
    ]
});

schema_of!(RateSpec, "Rate", inline = false, {
    "description": "Arrivals per hour: one rate, or a profile of rates — 24, 48 or 96 values for a day (hours, half hours, quarter hours from 00:00), 168, 336 or 672 for a week from Monday 00:00.",
    "anyOf": [
        { "type": "number", "minimum": 0 },
        { "type": "array", "items": { "type": "number", "minimum": 0 } }
    ]
});

impl JsonSchema for RawDistribution {
    fn schema_name() -> Cow<'static, str> {
        "Distribution".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let table = generator.subschema_for::<super::distribution::DistributionSpec>();
        let constant = generator.subschema_for::<Quantity>();
        json_schema!({
            "description": "A distribution: a bare duration or number (a constant), or a table tagged by `dist`: exponential {mean}, lognormal {mean, sd}, gamma {mean, sd}, weibull {shape, scale}, uniform {min, max}, triangular {min, mode, max}, constant {value}, empirical {file}. `mean` and `sd` describe the distribution itself.",
            "anyOf": [constant, table]
        })
    }
}

impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("OneOrMany_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = generator.subschema_for::<T>();
        json_schema!({ "anyOf": [one, { "type": "array", "items": one }] })
    }
}

/// The schemas of values read as free TOML values or as strings with rules of their own.
pub(super) struct ClockTime;
pub(super) struct Weekday;
pub(super) struct DateValue;
pub(super) struct CheckScope;
pub(super) struct CheckOn;
pub(super) struct ContextGenerator;
pub(super) struct WrapUpBlock;
pub(super) struct Patience;
pub(super) struct Condition;
pub(super) struct StaffingValue;
pub(super) struct Percentage;
pub(super) struct OverflowWhen;
pub(super) struct AgentSkill;
pub(super) struct SkillRating;

schema_of!(SkillRating, "SkillRating", inline = true, {
    "type": "integer",
    "minimum": 1,
    "maximum": 100
});

impl JsonSchema for AgentSkill {
    fn schema_name() -> Cow<'static, str> {
        "AgentSkill".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let distribution = generator.subschema_for::<RawDistribution>();
        let rating = generator.subschema_for::<SkillRating>();
        json_schema!({
            "description": "A rating from 1 to 100 for every agent of the group, or a distribution each agent's rating is drawn from (rounded, kept within 1 to 100).",
            "anyOf": [rating, distribution]
        })
    }
}

schema_of!(ClockTime, "ClockTime", inline = true, {
    "type": "string",
    "pattern": CLOCK_PATTERN
});

schema_of!(Weekday, "Weekday", inline = true, {
    "type": "string",
    "pattern": "^([Mm][Oo][Nn]|[Tt][Uu][Ee]|[Ww][Ee][Dd]|[Tt][Hh][Uu]|[Ff][Rr][Ii]|[Ss][Aa][Tt]|[Ss][Uu][Nn])$"
});

schema_of!(DateValue, "Date", inline = true, {
    "description": "A TOML date (2026-03-02) or a string of one.",
    "type": "string",
    "pattern": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"
});

schema_of!(CheckScope, "CheckScope", inline = true, {
    "enum": ["all", "channel", "work_stream", "queue", "agent_group"]
});

schema_of!(CheckOn, "CheckOn", inline = true, {
    "enum": ["mean", "ci"]
});

schema_of!(StaffingValue, "StaffingValue", inline = true, {
    "type": "number",
    "minimum": 0
});

impl JsonSchema for OverflowWhen {
    fn schema_name() -> Cow<'static, str> {
        "OverflowWhen".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let duration = generator.subschema_for::<Duration>();
        let one = |key: &str, value: serde_json::Value| {
            json_schema!({
                "type": "object",
                "properties": { key: value },
                "required": [key],
                "additionalProperties": false
            })
        };
        let conditions = [
            json_schema!({ "const": "outside_hours" }),
            one("open_at_least", serde_json::json!({ "type": "integer", "minimum": 1 })),
            one("expected_wait_at_least", duration.clone().to_value()),
            one("waited_at_least", duration.to_value()),
        ];
        json_schema!({ "anyOf": conditions })
    }
}

schema_of!(Percentage, "Percentage", inline = true, {
    "type": "number",
    "minimum": 0,
    "maximum": 100
});

impl JsonSchema for ContextGenerator {
    fn schema_name() -> Cow<'static, str> {
        "ContextGenerator".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let distribution = generator.subschema_for::<RawDistribution>();
        json_schema!({
            "description": "For a text variable, category → probability, summing to 1 ({ xbox = 0.6, surface = 0.4 }); for a number variable, a distribution.",
            "anyOf": [
                distribution,
                {
                    "type": "object",
                    "not": { "required": ["dist"] },
                    "additionalProperties": { "type": "number", "minimum": 0, "maximum": 1 },
                    "minProperties": 1
                }
            ]
        })
    }
}

impl JsonSchema for WrapUpBlock {
    fn schema_name() -> Cow<'static, str> {
        "WrapUpBlock".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let duration = generator.subschema_for::<Duration>();
        json_schema!({ "anyOf": [{ "enum": ["always", "never"] }, duration] })
    }
}

impl JsonSchema for Patience {
    fn schema_name() -> Cow<'static, str> {
        "Patience".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let distribution = generator.subschema_for::<RawDistribution>();
        json_schema!({
            "anyOf": [
                { "type": "string", "pattern": r"^\s*(?:[Nn][Oo][Nn][Ee]|[Nn][Ee][Vv][Ee][Rr])\s*$" },
                distribution
            ]
        })
    }
}

schema_of!(Condition, "Condition", inline = false, {
    "description": "A value (equality), or a table of operators that must all hold: eq, ne, in, contains for text; eq, ne, lt, le, gt, ge, in for numbers.",
    "anyOf": [
        { "type": ["string", "number"] },
        {
            "type": "object",
            "properties": {
                "eq": { "type": ["string", "number"] },
                "ne": { "type": ["string", "number"] },
                "lt": { "type": "number" },
                "le": { "type": "number" },
                "gt": { "type": "number" },
                "ge": { "type": "number" },
                "in": { "type": "array", "items": { "type": ["string", "number"] } },
                "contains": { "type": "string" }
            },
            "additionalProperties": false,
            "minProperties": 1
        }
    ]
});
