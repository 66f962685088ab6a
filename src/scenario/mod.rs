//! Scenario files: parse, check, and resolve into the model the engine runs.
//!
//! The flow is one way: TOML text → [`raw::RawScenario`] (serde, unknown keys denied) →
//! `resolve` (every name an index, every value checked) → [`Scenario`]. Errors carry the file, the
//! line and column, the dotted key and what was expected ([`ScenarioError`]). Data files that a
//! scenario names (`empirical` distributions, `trace` arrivals: [`demand`]) are read while it is
//! resolved, relative to the scenario file's directory, so a checked scenario needs no files.
//!
//! The embedded default scenario ([`DEFAULT_SCENARIO`]) is `scenarios/default.toml`, compiled in so
//! that `ccsim run` with no argument shows a result at once.

pub mod demand;
pub mod distribution;
pub mod error;
pub mod limits;
pub mod model;
pub mod overrides;
pub mod profile;
pub mod raw;
mod schema;
pub use schema::{SCHEMA_ID, scenario_schema};
mod resolve;

pub use error::{ScenarioError, ScenarioWarning};
pub use model::*;
pub use overrides::{Override, ScenarioSource};

use std::path::Path;

/// The text of `scenarios/default.toml`.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");
/// How the default scenario is named in messages.
pub const DEFAULT_SCENARIO_LABEL: &str = "<default scenario>";

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        ScenarioSource::read(path)?.scenario()
    }

    /// The embedded default scenario.
    pub fn default_scenario() -> Scenario {
        match Scenario::from_toml(DEFAULT_SCENARIO, DEFAULT_SCENARIO_LABEL) {
            Ok(s) => s,
            Err(e) => unreachable!("the embedded default scenario is checked by the test suite: {e}"),
        }
    }

    /// Parses and checks scenario text; `file` names it in errors. Data files named by relative
    /// paths are read from the current directory.
    pub fn from_toml(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        Scenario::from_toml_in(text, file, Path::new(""))
    }

    /// Parses and checks scenario text whose data files (`empirical`, `trace`) are named relative
    /// to `base_dir`; `file` names it in errors.
    pub fn from_toml_in(text: &str, file: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
        if text.trim().is_empty() {
            return Err(ScenarioError {
                file: file.to_string(),
                position: None,
                key: String::new(),
                message: "the file is empty; expected a scenario with [[channel]], [[work_stream]], [[queue]] and [[agent_group]] tables".into(),
            });
        }
        let toml_error = |e: &toml::de::Error, key: String| ScenarioError {
            file: file.to_string(),
            position: e.span().map(|s| error::line_column(text, s.start)),
            key,
            message: plain_types(e.message()),
        };
        let document: toml::Table = toml::from_str(text).map_err(|e| {
            // TOML integers are 64-bit: a larger one (seed = 18446744073709551615) is reported
            // with its key and the range a scenario can hold, not as the parser words it.
            match e.span().and_then(|s| integer_out_of_range(text, s.start)) {
                Some((key, written)) => ScenarioError {
                    file: file.to_string(),
                    position: e.span().map(|s| error::line_column(text, s.start)),
                    message: if written.starts_with('-') {
                        format!("{written} is too small for an integer; expected an integer ≥ {}", i64::MIN)
                    } else if key == "simulation.seed" {
                        format!("{written} is too large; expected an integer from 0 to {}", i64::MAX)
                    } else {
                        format!("{written} is too large for an integer; expected an integer ≤ {}", i64::MAX)
                    },
                    key,
                },
                None => match e.span().map(|s| parse_error_key(text, s.start, e.message())) {
                    Some(Some((key, message))) => ScenarioError {
                        file: file.to_string(),
                        position: e.span().map(|s| error::line_column(text, s.start)),
                        key,
                        message,
                    },
                    _ => toml_error(&e, String::new()),
                },
            }
        })?;
        let deserializer = toml::Deserializer::parse(text).map_err(|e| toml_error(&e, String::new()))?;
        let raw: raw::RawScenario = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            // A `Spanned` value adds a private field to the path that the user never wrote.
            let path = e.path().to_string().replace(".$__serde_spanned_private_value", "");
            let key = if path == "." { String::new() } else { resolve::named_path(&path, Some(&document)) };
            toml_error(e.inner(), key)
        })?;
        resolve::Resolver { file, text, base_dir, warnings: Default::default() }.resolve(raw)
    }
}

/// The key, and a planner's message, for the parse errors that the TOML parser reports without
/// naming a key: a key given twice, and nesting beyond its recursion limit. The key is read from
/// the text: the table header above `offset`, then the key written at `offset` (a duplicate) or
/// at the start of its line (nesting).
fn parse_error_key(text: &str, offset: usize, message: &str) -> Option<(String, String)> {
    let duplicate = message.contains("duplicate key");
    let nesting = message.contains("recurs");
    let bare = message.contains("string values must be quoted");
    if !duplicate && !nesting && !bare {
        return None;
    }
    let before = text.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let header = |line: &str| {
        let line = line.trim();
        let inner = line.strip_prefix("[[").and_then(|l| l.split("]]").next());
        let inner = inner.or_else(|| line.strip_prefix('[').and_then(|l| l.split(']').next()));
        inner.map(|h| h.trim().to_string())
    };
    // The table above, a table of a list addressed by its `name` when its block has one.
    let table = before[..line_start].lines().rev().find_map(header).map(|table| {
        let block_start = before[..line_start].rfind(&format!("[[{table}]]")).map(|i| i + table.len() + 4);
        let block = block_start.map(|start| {
            let rest = &text[start..];
            let end = rest.find("\n[").map_or(rest.len(), |i| i + 1);
            &rest[..end]
        });
        let name = block.and_then(|b| {
            b.lines().find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
            })
        });
        match name {
            Some(name) if !name.is_empty() && !name.contains(['.', '"', ' ']) => format!("{table}.{name}"),
            _ => table,
        }
    });
    if bare {
        let key = text[line_start..].split('=').next().map(|k| k.trim().to_string()).unwrap_or_default();
        let value: String = text[offset..].chars().take_while(|c| !matches!(c, ',' | '}' | ']' | '\n' | '#')).collect();
        let value = value.trim();
        let key = match table {
            Some(t) if !key.is_empty() => format!("{t}.{key}"),
            Some(t) => t,
            None => key,
        };
        return Some((
            key,
            format!(
                "{value} is neither a number nor quoted text; expected a number, or text in quotes such as \"{value}\""
            ),
        ));
    }
    let at = text.get(offset..)?;
    let line_key = || text[line_start..].split('=').next().map(|k| k.trim().trim_matches('"').to_string());
    let written = if let Some(quoted) = at.strip_prefix('"') {
        quoted.split('"').next().map(str::to_string)
    } else {
        let token: String = at.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')).collect();
        (!token.is_empty()).then_some(token)
    };
    let own = match (duplicate, header(&text[line_start..])) {
        // A table header written twice: the table is the key.
        (true, Some(h)) => {
            return Some((
                h.clone(),
                format!(
                    "the table [{h}] is written twice; expected each table once (use [[{h}]] for a list of tables)"
                ),
            ));
        }
        // Inside an inline table (`context = { topic = …, topic = … }`): the key of the line first.
        (true, None) if text[line_start..offset].contains('=') => {
            line_key().zip(written).map(|(line, inner)| format!("{line}.{inner}"))
        }
        (true, None) => written,
        (false, _) => line_key(),
    };
    let key = match (table, own) {
        (Some(t), Some(k)) if !k.is_empty() => format!("{t}.{k}"),
        (Some(t), _) => t,
        (None, Some(k)) => k,
        (None, None) => String::new(),
    };
    let message = if duplicate {
        "the key is given twice in its table; expected each key once".to_string()
    } else {
        "arrays or tables nested deeper than the parser allows; expected values nested a few levels at most".to_string()
    };
    Some((key, message))
}

/// serde names Rust types in its messages ("expected i64"); a planner reads words.
pub(crate) fn plain_types(message: &str) -> String {
    shorter_unknown_field(message)
        .unwrap_or_else(|| message.to_string())
        .replace("expected i64", "expected an integer")
        .replace("expected u64", "expected an integer ≥ 0")
        .replace("expected f64", "expected a number")
}

/// serde's "unknown field `x`, expected one of `a`, `b`, …" for a table of many keys, with the
/// nearest key alone: a list of twenty keys is not a message read at a glance.
fn shorter_unknown_field(message: &str) -> Option<String> {
    const MOST_LISTED: usize = 12;
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once("`, expected one of ")?;
    let keys: Vec<&str> = expected.split(", ").map(|k| k.trim_matches('`')).collect();
    if keys.len() <= MOST_LISTED {
        return None;
    }
    let nearest = keys.iter().min_by_key(|k| strsim::levenshtein(field, k))?;
    Some(format!(
        "unknown field `{field}`, expected one of {} keys, the nearest `{nearest}` (`ccsim schema` lists them)",
        keys.len()
    ))
}

/// The dotted key (tables in a list named by their `name`, as in other errors) of an integer
/// at byte `offset` of `text` that does not fit in 64 bits, and the integer as written.
fn integer_out_of_range(text: &str, offset: usize) -> Option<(String, String)> {
    use toml::de::{DeTable, DeValue};
    /// The path below `value` to the out-of-range integer at `offset`, and its span.
    fn find(value: &toml::Spanned<DeValue>, offset: usize) -> Option<(Vec<String>, std::ops::Range<usize>)> {
        match value.get_ref() {
            DeValue::Table(table) => table.iter().find_map(|(k, v)| {
                let (mut path, span) = find(v, offset)?;
                match path.first_mut() {
                    // An unnamed table of a list: `work_stream[2]`.
                    Some(first) if first.starts_with('[') => first.insert_str(0, k.get_ref()),
                    _ => path.insert(0, k.get_ref().to_string()),
                }
                Some((path, span))
            }),
            DeValue::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let (mut path, span) = find(item, offset)?;
                let name = match item.get_ref() {
                    DeValue::Table(t) => {
                        t.iter().find(|(k, _)| k.get_ref() == "name").and_then(|(_, v)| v.get_ref().as_str())
                    }
                    _ => None,
                };
                match name {
                    Some(name) if !name.is_empty() && !name.contains('.') => path.insert(0, name.to_string()),
                    _ => path.insert(0, format!("[{i}]")),
                }
                Some((path, span))
            }),
            DeValue::Integer(n)
                if value.span().contains(&offset) && i64::from_str_radix(n.as_str(), n.radix()).is_err() =>
            {
                Some((Vec::new(), value.span()))
            }
            _ => None,
        }
    }
    let document = DeTable::parse(text).ok()?;
    let root = toml::Spanned::new(document.span(), DeValue::Table(document.into_inner()));
    let (path, span) = find(&root, offset)?;
    Some((path.join("."), text.get(span)?.trim().to_string()))
}

/// Why a file could not be read.
#[derive(Debug)]
pub(crate) enum FileProblem {
    Missing,
    Directory,
    /// Not a regular file: a device such as `/dev/zero`, a named pipe or a socket.
    NotRegular(&'static str),
    /// Its size in bytes, above the limit (or at least the limit + 1 when it grew while read).
    TooLarge(u64),
    Unreadable(std::io::Error),
}

/// The bytes of a regular file of at most `limit` bytes. Devices, pipes and sockets are refused
/// before they are opened (`/dev/zero` never ends; opening a FIFO waits for a writer), and no
/// more than `limit + 1` bytes are ever read, even from a file that grows meanwhile.
pub(crate) fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, FileProblem> {
    use std::io::Read;
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => FileProblem::Missing,
        _ => FileProblem::Unreadable(e),
    })?;
    if metadata.is_dir() {
        return Err(FileProblem::Directory);
    }
    if !metadata.is_file() {
        return Err(FileProblem::NotRegular(special_file_kind(&metadata.file_type())));
    }
    if metadata.len() > limit {
        return Err(FileProblem::TooLarge(metadata.len()));
    }
    let file = std::fs::File::open(path).map_err(FileProblem::Unreadable)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(FileProblem::Unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(FileProblem::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn special_file_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_char_device() {
        "character device"
    } else if kind.is_block_device() {
        "block device"
    } else if kind.is_fifo() {
        "named pipe"
    } else if kind.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_file_kind(_: &std::fs::FileType) -> &'static str {
    "special file"
}

/// A size in bytes for a message: `16 MiB` when it is whole mebibytes, else `1234 bytes`.
pub(crate) fn size_label(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// An estimate of memory for a message, to a tenth of its binary unit: `5.2 GiB`, `177.2 MiB`.
pub(crate) fn memory_label(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", b / f64::from(1u32 << 30))
    } else if bytes >= 1 << 20 {
        format!("{:.1} MiB", b / f64::from(1u32 << 20))
    } else {
        format!("{:.1} KiB", b / 1024.0)
    }
}

/// The text of a scenario file, or an error that says why there is none.
fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let file = path.display().to_string();
    let fail = |message: String| ScenarioError { file: file.clone(), position: None, key: String::new(), message };
    let bytes = read_regular_file(path, limits::SCENARIO_FILE_BYTES).map_err(|problem| match problem {
        FileProblem::Missing => fail("no such file; expected the path of a scenario file (.toml)".into()),
        FileProblem::Directory => fail("is a directory; expected a scenario file (.toml)".into()),
        FileProblem::NotRegular(kind) => {
            fail(format!("is a {kind}, not a regular file; expected a scenario file (.toml)"))
        }
        FileProblem::TooLarge(size) => fail(format!(
            "is {}; expected a scenario file of at most {} (ccsim's limit on scenario files)",
            size_label(size),
            size_label(limits::SCENARIO_FILE_BYTES)
        )),
        FileProblem::Unreadable(e) => fail(format!("cannot be read: {e}")),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = error::line_column(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to());
        ScenarioError {
            file: file.clone(),
            position: Some((line, column)),
            key: String::new(),
            message: "the file is not UTF-8 text; expected a TOML scenario file".into(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_with(old: &str, new: &str) -> String {
        assert!(DEFAULT_SCENARIO.contains(old), "{old}");
        DEFAULT_SCENARIO.replacen(old, new, 1)
    }

    #[test]
    fn integers_beyond_64_bits_name_their_key_and_the_range() {
        let text = default_with("seed = 20261124", "seed = 18446744073709551615");
        let e = Scenario::from_toml(&text, "s.toml").unwrap_err();
        assert_eq!(e.key, "simulation.seed");
        assert_eq!(e.message, "18446744073709551615 is too large; expected an integer from 0 to 9223372036854775807");
        assert_eq!(e.position, Some((10, 8)));

        let text = default_with("count = 5", "count = 99999999999999999999");
        let e = Scenario::from_toml(&text, "s.toml").unwrap_err();
        assert_eq!(e.key, "agent_group.specialists.count");
        assert!(e.message.starts_with("99999999999999999999 is too large for an integer; expected"), "{e}");

        let text = default_with("150, 140, 130", "150, -99999999999999999999, 130");
        let e = Scenario::from_toml(&text, "s.toml").unwrap_err();
        assert_eq!(e.key, "channel.web_chat.arrivals.rate_per_hour[13]");
        assert!(e.message.contains("too small"), "{e}");

        // Underscores and the largest integer are fine.
        let text = default_with("seed = 20261124", "seed = 9_223_372_036_854_775_807");
        assert_eq!(Scenario::from_toml(&text, "s.toml").unwrap().simulation.seed, i64::MAX as u64);
    }

    #[test]
    fn only_regular_scenario_files_within_the_limit_are_read() {
        let dir = std::env::temp_dir().join(format!("ccsim-scenario-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.toml");
        std::fs::File::create(&big).unwrap().set_len(limits::SCENARIO_FILE_BYTES + 1).unwrap();
        let e = Scenario::load(&big).unwrap_err();
        assert_eq!(
            e.message,
            "is 16777217 bytes; expected a scenario file of at most 16 MiB (ccsim's limit on scenario files)"
        );
        assert!(Scenario::load(&dir).unwrap_err().message.contains("is a directory"));
        #[cfg(unix)]
        {
            let e = Scenario::load(Path::new("/dev/zero")).unwrap_err();
            assert_eq!(e.message, "is a character device, not a regular file; expected a scenario file (.toml)");
            let fifo = dir.join("pipe.toml");
            let _ = std::fs::remove_file(&fifo);
            if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
                let e = Scenario::load(&fifo).unwrap_err();
                assert!(e.message.starts_with("is a named pipe, not a regular file"), "{e}");
            }
        }
    }
}
