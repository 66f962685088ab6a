//! Scenario files: parse, check, and resolve into the model the engine runs.
//!
//! The flow is one way: TOML text → [`raw::RawScenario`] (serde, unknown keys denied) →
//! [`resolve`] (every name an index, every value checked) → [`Scenario`]. Errors carry the file, the
//! line and column, the dotted key and what was expected ([`ScenarioError`]). Data files that a
//! scenario names (`empirical` distributions, `trace` arrivals: [`demand`]) are read while it is
//! resolved, relative to the scenario file's directory, so a checked scenario needs no files.
//!
//! The embedded default scenario ([`DEFAULT_SCENARIO`]) is `scenarios/default.toml`, compiled in so
//! that `ccsim run` with no argument shows a result at once.

pub mod demand;
pub mod distribution;
pub mod error;
pub mod model;
pub mod overrides;
pub mod raw;
mod resolve;

pub use error::ScenarioError;
pub use model::*;
pub use overrides::{Override, ScenarioSource};
pub use resolve::limits;

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
        let document: toml::Table = toml::from_str(text).map_err(|e| toml_error(&e, String::new()))?;
        let deserializer = toml::Deserializer::parse(text).map_err(|e| toml_error(&e, String::new()))?;
        let raw: raw::RawScenario = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            // A `Spanned` value adds a private field to the path that the user never wrote.
            let path = e.path().to_string().replace(".$__serde_spanned_private_value", "");
            let key = if path == "." { String::new() } else { resolve::named_path(&path, Some(&document)) };
            toml_error(e.inner(), key)
        })?;
        resolve::Resolver { file, text, base_dir }.resolve(raw)
    }
}

/// serde names Rust types in its messages ("expected i64"); a planner reads words.
fn plain_types(message: &str) -> String {
    message
        .replace("expected i64", "expected an integer")
        .replace("expected u64", "expected an integer ≥ 0")
        .replace("expected f64", "expected a number")
}

/// The text of a scenario file, or an error that says why there is none.
fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let file = path.display().to_string();
    let fail = |message: String| ScenarioError { file: file.clone(), position: None, key: String::new(), message };
    if path.is_dir() {
        return Err(fail("is a directory; expected a scenario file (.toml)".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail("no such file; expected the path of a scenario file (.toml)".into()),
        _ => fail(format!("cannot be read: {e}")),
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
