//! Reports: what a run writes and prints, each a function of finished results.
//!
//! - [`csv_files`]: `summary.csv`, `intervals.csv`, `replications.csv`.
//! - [`terminal`]: the table `ccsim run` prints.
//! - [`files`]: writing files whole (temporary file, then rename).
//!
//! Charts (`charts/`) are not drawn yet; `--no-charts` is accepted and has nothing to skip.

pub mod csv_files;
pub mod files;
pub mod terminal;

pub use files::{OutputFile, write_all};

use crate::metrics::RunResults;

/// The CSV files of a run, rendered.
pub fn run_files(results: &RunResults) -> csv::Result<Vec<OutputFile>> {
    Ok(vec![
        OutputFile { name: "summary.csv".into(), bytes: csv_files::summary_csv(results)? },
        OutputFile { name: "intervals.csv".into(), bytes: csv_files::intervals_csv(results)? },
        OutputFile { name: "replications.csv".into(), bytes: csv_files::replications_csv(results)? },
    ])
}
