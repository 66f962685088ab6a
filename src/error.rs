//! What a command can fail with, and the exit code each failure gets: 1 a check failed, 2 invalid
//! input, 3 any other error, 130 interrupted.

use std::path::Path;

use ccsim::experiment::Stopped;
use ccsim::experiment::check::CheckError;
use ccsim::metrics::gates::GateError;
use ccsim::report::{ChartError, OutputError};
use ccsim::scenario::ScenarioError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Invalid input: a scenario, a flag, a file (exit 2). The message says what and where.
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// An output folder that cannot be written (another command's, a full disk, a file-size
    /// limit), or Ctrl-C while it was written.
    #[error("{}", output_message(.0))]
    Output(OutputError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A replication stopped the run (overload), or the user did (Ctrl-C).
    #[error(transparent)]
    Stopped(Stopped),
    /// A CSV table could not be rendered.
    #[error("cannot render the results: {0}")]
    Render(#[from] csv::Error),
    /// The JUnit report could not be rendered.
    #[error("cannot render the JUnit report: {0}")]
    Junit(String),
    /// `ccsim check`: the failed gates.
    #[error("{0}")]
    CheckFailed(String),
}

impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::Input(message)
    }
}

impl From<OutputError> for CliError {
    fn from(e: OutputError) -> CliError {
        match e {
            OutputError::NotAFolder(_) => CliError::Input(format!("-o: {e}")),
            e => CliError::Output(e),
        }
    }
}

impl From<Stopped> for CliError {
    fn from(stopped: Stopped) -> CliError {
        match stopped {
            // Shards that do not belong to the command merged are input, as a wrong file is.
            Stopped::Shards(why) => CliError::Input(why),
            stopped => CliError::Stopped(stopped),
        }
    }
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::CheckFailed(_) => 1,
            CliError::Input(_) | CliError::Scenario(_) => 2,
            CliError::Stopped(Stopped::Interrupted) | CliError::Output(OutputError::Interrupted) => 130,
            CliError::Output(_)
            | CliError::Chart(_)
            | CliError::Stopped(_)
            | CliError::Render(_)
            | CliError::Junit(_) => 3,
        }
    }

    /// A bad `[[check]]` of the scenario at `path`: `FILE: at line L, column C: check[i].metric: …`.
    pub fn gate(path: &Path, e: &GateError) -> CliError {
        let at = e.at.map_or_else(String::new, |(l, c)| format!("at line {l}, column {c}: "));
        CliError::Input(format!("{}: {at}{}", path.display(), e.message))
    }

    /// A check whose inputs are refused before it runs.
    pub fn check(path: &Path, e: CheckError) -> CliError {
        match e {
            CheckError::Gate(gate) => CliError::gate(path, &gate),
            CheckError::NothingToCheck => CliError::Input(format!("{}: {e}", path.display())),
            CheckError::Tolerance(_) => CliError::Input(e.to_string()),
        }
    }
}

fn output_message(e: &OutputError) -> String {
    match e {
        OutputError::Io { .. } => format!("cannot write the results: {e}"),
        other => other.to_string(),
    }
}
