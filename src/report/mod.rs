//! Reports: what a run writes and prints, each a function of finished results.
//!
//! - [`csv_files`]: `summary.csv`, `intervals.csv`, `replications.csv`, `agents.csv`, and
//!   `conversations.csv` with `--trace`.
//! - [`comparison`]: `compare.csv`, `sweep.csv` and their terminal tables.
//! - [`check`]: `check.csv` and the table of gates.
//! - [`terminal`]: the table `ccsim run` prints.
//! - [`charts`]: `charts/*.png` and `charts/*.svg` of a run, a comparison and a sweep.
//! - [`files`]: writing files whole (temporary file, then rename).

pub mod charts;
pub mod check;
pub mod comparison;
pub mod csv_files;
pub mod files;
pub mod fit;
pub mod html;
pub mod json;
pub mod schedule;
pub mod staff;
pub mod terminal;

pub use charts::{ChartError, compare_charts, run_charts, sweep_charts};
pub use files::{MANIFEST, OutputError, OutputFile, OutputLock, write_all, write_tree};

use crate::metrics::RunResults;
use crate::scenario::Scenario;

/// The CSV files of a run, rendered.
pub fn run_files(results: &RunResults, scenario: &Scenario) -> csv::Result<Vec<OutputFile>> {
    let mut files = vec![
        OutputFile { name: "summary.csv".into(), bytes: csv_files::summary_csv(results)? },
        OutputFile { name: "intervals.csv".into(), bytes: csv_files::intervals_csv(results)? },
        OutputFile { name: "replications.csv".into(), bytes: csv_files::replications_csv(results)? },
        OutputFile { name: "agents.csv".into(), bytes: csv_files::agents_csv(results, scenario)? },
    ];
    if results.trace.is_some() {
        files.push(OutputFile {
            name: "conversations.csv".into(),
            bytes: csv_files::conversations_csv(results, scenario)?,
        });
    }
    files.push(OutputFile { name: "run.toml".into(), bytes: run_record(scenario).into_bytes() });
    Ok(files)
}

/// `run.toml`: what was run, so that a later `ccsim check --baseline` knows whether its
/// replications pair with the baseline's (same seed, same count: the same customers).
pub fn run_record(scenario: &Scenario) -> String {
    let sim = &scenario.simulation;
    let mut table = toml::Table::new();
    table.insert("scenario".into(), toml::Value::String(scenario.name.clone()));
    table.insert("seed".into(), toml::Value::String(sim.seed.to_string()));
    table.insert("replications".into(), toml::Value::Integer(i64::from(sim.replications)));
    table.insert("horizon_s".into(), toml::Value::Float(sim.horizon.0));
    table.insert("warmup_s".into(), toml::Value::Float(sim.warmup.0));
    table.insert("ccsim_version".into(), toml::Value::String(env!("CARGO_PKG_VERSION").into()));
    // What the scenario allows but most likely does not mean, as the run said it on stderr.
    if !scenario.warnings.is_empty() {
        let warnings = scenario.warnings.iter().map(|w| toml::Value::String(w.in_file())).collect();
        table.insert("warnings".into(), toml::Value::Array(warnings));
    }
    toml::to_string(&table).unwrap_or_default()
}
