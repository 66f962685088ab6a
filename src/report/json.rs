//! `--format json`: what a command prints, as one JSON document on stdout, for scripts (Python,
//! Power Automate). The shape is stable and documented in `docs/commands.md`; numbers are numbers
//! (shares as fractions, times in seconds, as in the CSV files), and a value that does not exist
//! (no conversation answered) is `null`.

use serde::Serialize;

use crate::metrics::gates::{Gate, Outcome};
use crate::metrics::{Comparison, Estimate, RunResults};
use crate::scenario::Scenario;

/// The document: the command, the scenario, the folder written, then what the command computed.
#[derive(Debug, Serialize)]
pub struct Document {
    pub ccsim: &'static str,
    pub command: String,
    pub scenario: String,
    /// The folder the command wrote its files into.
    pub output: String,
    /// One per run: `run`, `check` and the verification of `staff` and `schedule` have one,
    /// `compare` one per variant, `sweep` one per point.
    pub runs: Vec<Run>,
    /// `compare`: every variant's difference from the first, per scope and metric.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// `check`, `staff`, `schedule`: every gate with its verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gates: Option<Vec<GateRow>>,
    /// Whether every gate holds (with `gates`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct Run {
    /// The scenario's name, the variant's or the sweep point's label.
    pub name: String,
    pub seed: u64,
    pub replications: u32,
    pub horizon_s: f64,
    /// `sweep`: the point's values, by key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub point: Vec<(String, String)>,
    /// `sweep`: each `[[check]]`'s verdict and value at the point.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckOutcome>,
    /// Every scope's every metric: the rows of `summary.csv`.
    pub metrics: Vec<MetricRow>,
}

#[derive(Debug, Serialize)]
pub struct MetricRow {
    pub scope: &'static str,
    pub name: String,
    pub metric: &'static str,
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub std_dev: f64,
    pub replications: usize,
}

#[derive(Debug, Serialize)]
pub struct Difference {
    pub variant: String,
    pub scope: &'static str,
    pub name: String,
    pub metric: &'static str,
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    /// The 95% interval excludes 0.
    pub significant: bool,
}

#[derive(Debug, Serialize)]
pub struct GateRow {
    pub kind: &'static str,
    pub scope: &'static str,
    pub name: String,
    pub metric: &'static str,
    pub interval: Option<String>,
    pub value: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub limit: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub baseline: Option<f64>,
    pub p_value: Option<f64>,
    pub verdict: &'static str,
}

#[derive(Debug, Serialize)]
pub struct CheckOutcome {
    pub verdict: &'static str,
    pub value: f64,
}

impl Document {
    pub fn new(command: &str, scenario: &Scenario, output: &std::path::Path) -> Document {
        Document {
            ccsim: env!("CARGO_PKG_VERSION"),
            command: command.into(),
            scenario: scenario.name.clone(),
            output: output.display().to_string(),
            runs: Vec::new(),
            differences: Vec::new(),
            gates: None,
            passed: None,
        }
    }

    pub fn with_gates(mut self, gates: &[Gate]) -> Document {
        self.passed = Some(gates.iter().all(|g| g.verdict != crate::metrics::gates::Verdict::Fail));
        self.gates = Some(gates.iter().map(gate_row).collect());
        self
    }
}

/// A run's rows, as `summary.csv` has them.
pub fn run(name: &str, scenario: &Scenario, results: &RunResults) -> Run {
    let sim = &scenario.simulation;
    Run {
        name: name.into(),
        seed: sim.seed,
        replications: sim.replications,
        horizon_s: sim.horizon.0,
        point: Vec::new(),
        checks: Vec::new(),
        metrics: results
            .summary()
            .into_iter()
            .map(|r| {
                let Estimate { mean, ci95_low, ci95_high, std_dev, replications } = r.estimate;
                MetricRow {
                    scope: r.scope.name(),
                    name: r.name,
                    metric: r.metric.name(),
                    mean,
                    ci95_low,
                    ci95_high,
                    std_dev,
                    replications,
                }
            })
            .collect(),
    }
}

/// Every variant's difference from the first.
pub fn differences(comparison: &Comparison) -> Vec<Difference> {
    let base = &comparison.variants[0].0;
    comparison
        .rows()
        .into_iter()
        .filter(|r| r.variant != base && !r.difference.mean.is_nan())
        .map(|r| Difference {
            variant: r.variant.to_string(),
            scope: r.scope.kind.name(),
            name: r.scope.name.clone(),
            metric: r.metric.name(),
            mean: r.difference.mean,
            ci95_low: r.difference.ci95_low,
            ci95_high: r.difference.ci95_high,
            significant: r.significant(),
        })
        .collect()
}

/// A sweep point's `[[check]]` outcomes.
pub fn outcomes(outcomes: &[Outcome]) -> Vec<CheckOutcome> {
    outcomes.iter().map(|o| CheckOutcome { verdict: o.verdict.name(), value: o.value }).collect()
}

fn gate_row(g: &Gate) -> GateRow {
    GateRow {
        kind: g.kind,
        scope: g.scope.name(),
        name: g.name.clone(),
        metric: g.metric.name(),
        interval: g.interval.clone(),
        value: g.value,
        ci95_low: g.ci95_low,
        ci95_high: g.ci95_high,
        limit: g.limit.clone(),
        min: g.min,
        max: g.max,
        baseline: g.baseline,
        p_value: g.p_value,
        verdict: g.verdict.name(),
    }
}
