//! `--set KEY=VALUE`: change one value of a scenario by a dotted path before it is checked.
//!
//! A path walks the scenario's tables; a table that is one of many (`[[agent_group]]`,
//! `[[work_stream.routing_rule]]`, …) is addressed by its `name`: `agent_group.tier1.count=30`,
//! `work_stream.chat.mode=pick`, `channel.web_chat.arrivals.rate_per_hour=[0, 10, …]`,
//! `simulation.replications=50`. A name with dots or spaces is quoted as in TOML:
//! `work_stream.chat.routing_rule."gold customers".queue=general`. A missing key is added (so a
//! default can be overridden), a missing table on the way is created, and a wrong name is an error
//! that lists the names that exist. The value is read as a TOML value (`30`, `0.95`, `true`,
//! `"1h"`, `[1, 2]`, `{ dist = … }`); a bare word that is not one (`pick`), and a clock time or
//! date (`12:00`, which TOML would read as a time of day), is taken as a string.
//!
//! What is checked is the file with its overrides applied: a file that only works with them (a
//! horizon or a rate list changed from the command line) runs. An error that the file as written
//! has too, on the same key, points at the file's line; any other names the flag that caused it
//! (`--set`, `--vary` or `--variant`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_LABEL, Scenario, ScenarioError};

/// One `KEY=VALUE`, and the flag it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub key: String,
    pub value: String,
    /// How messages name its flag, up to the `KEY=VALUE`: `--set `, `--vary ` or `--variant NAME:`.
    pub origin: String,
}

impl FromStr for Override {
    type Err = String;
    /// A `--set KEY=VALUE`.
    fn from_str(text: &str) -> Result<Override, String> {
        let [key, value] = split_top_level(text, '=', 1)[..] else {
            return Err(format!("\"{text}\" is not KEY=VALUE; expected e.g. agent_group.tier1.count=30"));
        };
        let key = key.trim();
        check_key(key)?;
        Ok(Override { key: key.to_string(), value: value.trim().to_string(), origin: "--set ".into() })
    }
}

/// `text` cut at each `separator` that stands outside quotes, `{}` and `[]`, into at most
/// `max_cuts + 1` pieces (`usize::MAX`: every such separator).
pub fn split_top_level(text: &str, separator: char, max_cuts: usize) -> Vec<&str> {
    let (mut pieces, mut start, mut depth, mut quote) = (Vec::new(), 0, 0i32, None::<char>);
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                _ if c == separator && depth <= 0 && pieces.len() < max_cuts => {
                    pieces.push(&text[start..i]);
                    start = i + c.len_utf8();
                }
                _ => {}
            },
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// The parts of a dotted path, each unquoted: `a."b c".d` → `a`, `b c`, `d`.
pub fn key_parts(key: &str) -> Result<Vec<String>, String> {
    let not_a_path = || format!("\"{key}\" is not a dotted path; expected e.g. work_stream.chat.mode");
    let parts: Vec<String> = split_top_level(key, '.', usize::MAX)
        .into_iter()
        .map(|part| {
            let part = part.trim();
            let quoted = part.len() >= 2
                && ((part.starts_with('"') && part.ends_with('"')) || (part.starts_with('\'') && part.ends_with('\'')));
            if quoted {
                part.parse::<toml::Value>()
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .or_else(|| Some(part[1..part.len() - 1].to_string()))
                    .filter(|p| !p.is_empty())
                    .ok_or_else(not_a_path)
            } else if part.is_empty() || part.contains(['"', '\'']) {
                Err(not_a_path())
            } else {
                Ok(part.to_string())
            }
        })
        .collect::<Result<_, _>>()?;
    // Each part nests a table: thousands would exhaust the stack when the result is written.
    if parts.len() > super::limits::KEY_PARTS {
        return Err(format!(
            "the key has {} dotted parts; expected at most {} (limit KEY_PARTS)",
            parts.len(),
            super::limits::KEY_PARTS
        ));
    }
    Ok(parts)
}

/// Whether `key` is a dotted path that an override can follow.
pub fn check_key(key: &str) -> Result<(), String> {
    key_parts(key).map(|_| ())
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

impl Override {
    /// The override as its flag was given: `--set KEY=VALUE`, `--variant NAME:KEY=VALUE`.
    pub fn flag(&self) -> String {
        format!("{}{self}", self.origin)
    }

    /// The value as a planner reads it, without the quotes of a TOML string (`"13:00"` → `13:00`):
    /// what folder names and tables show.
    pub fn plain_value(&self) -> String {
        match self.value.parse::<toml::Value>() {
            Ok(toml::Value::String(s)) => s,
            _ => self.value.clone(),
        }
    }

    /// The value as TOML: a TOML value if it reads as one, a string otherwise. An integer beyond
    /// 64 bits is an error rather than a string, which the scenario would refuse as a wrong type.
    fn toml_value(&self) -> Result<toml::Value, String> {
        match self.value.parse::<toml::Value>() {
            // `12:00` or `2026-03-02`: ccsim reads clock times and dates as strings.
            Ok(toml::Value::Datetime(_)) => return Ok(toml::Value::String(self.value.clone())),
            Ok(value) => return Ok(value),
            Err(_) => {}
        }
        let digits = self.value.strip_prefix(['-', '+']).unwrap_or(&self.value);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
            return Err(format!(
                "{} does not fit in an integer; expected an integer from {} to {}",
                self.value,
                i64::MIN,
                i64::MAX
            ));
        }
        Ok(toml::Value::String(self.value.clone()))
    }
}

/// A scenario's text and where it came from: what overrides apply to.
#[derive(Clone, Debug)]
pub struct ScenarioSource {
    pub text: String,
    /// How the source is named in messages.
    pub file: String,
    /// The directory data files are named relative to.
    pub base_dir: PathBuf,
}

impl ScenarioSource {
    /// Reads a scenario file (the same errors as [`Scenario::load`]).
    pub fn read(path: &Path) -> Result<ScenarioSource, ScenarioError> {
        let text = super::read_text(path)?;
        Ok(ScenarioSource {
            text,
            file: path.display().to_string(),
            base_dir: path.parent().unwrap_or(Path::new("")).to_path_buf(),
        })
    }

    /// The embedded default scenario.
    pub fn default_scenario() -> ScenarioSource {
        ScenarioSource {
            text: DEFAULT_SCENARIO.to_string(),
            file: DEFAULT_SCENARIO_LABEL.to_string(),
            base_dir: PathBuf::new(),
        }
    }

    /// The scenario as written.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_toml_in(&self.text, &self.file, &self.base_dir)
    }

    /// The scenario with `overrides` applied in order, checked as a whole.
    pub fn with_overrides(&self, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        if overrides.is_empty() {
            return self.scenario();
        }
        let label = overrides.iter().map(Override::flag).collect::<Vec<_>>().join(" ");
        let fail = |key: &str, message: String| ScenarioError {
            file: format!("{} with {label}", self.file),
            position: None,
            key: key.to_string(),
            message,
        };
        // A file that is not TOML is the file's error, with its line.
        let mut document: toml::Table = match toml::from_str(&self.text) {
            Ok(document) => document,
            Err(_) => return self.scenario(),
        };
        for o in overrides {
            let value = o.toml_value().map_err(|message| fail(&o.key, message))?;
            apply(&mut document, &o.key, value).map_err(|message| fail(&o.key, message))?;
        }
        let text = toml::to_string(&document).map_err(|e| fail("", e.to_string()))?;
        let as_written = std::cell::OnceCell::new();
        let as_written = || as_written.get_or_init(|| self.scenario());
        let mut scenario =
            Scenario::from_toml_in(&text, &self.file, &self.base_dir).map_err(|e| match as_written() {
                // The file as written is wrong in the same place: point at its line.
                Err(own) if own.key == e.key => own.clone(),
                // Line numbers of the rewritten text mean nothing to the user: the override is the culprit.
                _ => fail(&e.key, e.message),
            })?;
        // Likewise a warning: the file's own, with its line, or the overrides'.
        for warning in &mut scenario.warnings {
            let own = as_written().as_ref().ok().and_then(|s| {
                s.warnings.iter().find(|w| w.key == warning.key && w.message == warning.message).cloned()
            });
            *warning = own.unwrap_or_else(|| fail(&warning.key, std::mem::take(&mut warning.message)));
        }
        Ok(scenario)
    }
}

/// Sets `value` at the dotted `key` of `document`.
pub fn apply(document: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    let segments = key_parts(key)?;
    let mut table = document;
    let mut i = 0;
    while i + 1 < segments.len() {
        let segment = &segments[i];
        let path = segments[..=i].join(".");
        let entry = table.entry(segment.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = match entry {
            toml::Value::Table(t) => {
                i += 1;
                t
            }
            toml::Value::Array(items) => {
                let name = segments[i + 1].as_str();
                let names: Vec<String> = items
                    .iter()
                    .filter_map(|t| t.get("name").and_then(|n| n.as_str()).map(|n| format!("\"{n}\"")))
                    .collect();
                let found = items.iter_mut().find(|t| t.get("name").and_then(|n| n.as_str()) == Some(name));
                let Some(toml::Value::Table(t)) = found else {
                    return Err(format!("no [[{path}]] is named \"{name}\"; expected one of {}", names.join(", ")));
                };
                if i + 2 >= segments.len() {
                    return Err(format!("{path}.{name} is a table; expected a key inside it, e.g. {path}.{name}.name"));
                }
                i += 2;
                t
            }
            other => {
                return Err(format!("{path} is the value {other}, not a table; expected a path that ends at {path}"));
            }
        };
    }
    table.insert(segments[segments.len() - 1].clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_with(sets: &[&str]) -> Result<Scenario, ScenarioError> {
        let overrides: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
        ScenarioSource::default_scenario().with_overrides(&overrides)
    }

    #[test]
    fn named_tables_are_addressed_by_name() {
        let s = default_with(&[
            "agent_group.generalists.count=30",
            "simulation.replications=50",
            "work_stream.chat.mode=pick",
        ])
        .unwrap();
        assert_eq!(s.agent_groups[0].count, 30);
        assert_eq!(s.simulation.replications, 50);
        assert_eq!(s.work_streams[0].mode, crate::scenario::Mode::Pick);
    }

    #[test]
    fn nested_and_missing_tables_can_be_set() {
        let s = default_with(&[
            "channel.sms.arrivals.rate_per_hour=12",
            "agent_group.specialists.offer.accept=0.9",
            "work_stream.chat.routing_rule.gold customers.queue=general",
        ])
        .unwrap();
        assert!(s.agent_groups[1].offer.as_ref().is_some_and(|o| o.accept == 0.9));
        assert_eq!(s.work_streams[0].rules[0].target, crate::scenario::Target::Queue(crate::scenario::QueueId(2)));
    }

    #[test]
    fn a_wrong_name_lists_the_names_that_exist() {
        let e = default_with(&["agent_group.tier9.count=3"]).unwrap_err();
        assert!(e.to_string().contains("no [[agent_group]] is named \"tier9\""), "{e}");
        assert!(e.to_string().contains("\"generalists\", \"specialists\""), "{e}");
        assert!(e.file.contains("--set agent_group.tier9.count=3"));
    }

    #[test]
    fn a_wrong_key_is_reported_with_the_keys_that_exist() {
        let e = default_with(&["simulation.replicatoins=3"]).unwrap_err();
        assert!(e.to_string().contains("unknown field `replicatoins`"), "{e}");
        assert!(e.to_string().contains("`replications`"), "{e}");
    }

    #[test]
    fn a_bad_value_is_checked_like_the_file() {
        let e = default_with(&["agent_group.generalists.capacity=0"]).unwrap_err();
        assert_eq!(e.key, "agent_group.generalists.capacity");
        assert!(e.message.contains("expected"), "{e}");
        assert!(e.position.is_none());
    }

    #[test]
    fn an_integer_beyond_64_bits_is_said_to_be_one() {
        let e = default_with(&["simulation.replications=99999999999999999999"]).unwrap_err();
        assert_eq!(e.key, "simulation.replications");
        assert!(e.message.contains("does not fit in an integer") && e.message.contains("expected"), "{e}");
    }

    #[test]
    fn quoted_parts_may_hold_dots_spaces_and_equals_signs() {
        assert_eq!(key_parts(r#"a."b.c d".'e=f'"#).unwrap(), ["a", "b.c d", "e=f"]);
        let o: Override = r#"work_stream."x=y".mode=pick"#.parse().unwrap();
        assert_eq!((o.key.as_str(), o.value.as_str()), (r#"work_stream."x=y".mode"#, "pick"));
        for bad in [r#"a."".b"#, r#"a."b"#, "a.b\"c", "a..b"] {
            assert!(key_parts(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_are_cut_only_at_top_level_separators() {
        let text = r#"a={x="1,2",y=[3,4]},b="5,6",c=7"#;
        assert_eq!(split_top_level(text, ',', usize::MAX), [r#"a={x="1,2",y=[3,4]}"#, r#"b="5,6""#, "c=7"]);
        assert_eq!(split_top_level("k=v=w", '=', 1), ["k", "v=w"]);
    }

    #[test]
    fn clock_times_and_dates_are_strings() {
        let s = default_with(&["agent_group.specialists.shift.start=12:00"]).unwrap();
        assert!(format!("{:?}", s.agent_groups[1].shifts).contains("43200"), "{:?}", s.agent_groups[1].shifts);
        let o: Override = "simulation.start=2026-03-02".parse().unwrap();
        assert_eq!(o.toml_value().unwrap(), toml::Value::String("2026-03-02".into()));
    }

    #[test]
    fn malformed_overrides_are_refused() {
        assert!("count".parse::<Override>().is_err());
        assert!("a..b=1".parse::<Override>().is_err());
        assert_eq!("a.b = x y".parse::<Override>().unwrap().value, "x y");
    }
}
