//! `ccsim check`: run a scenario and judge it — by its `[[check]]` assertions and, with a
//! baseline folder, by regressions of its headline metrics ([`crate::metrics::gates`]).
//!
//! A baseline is a folder an earlier `ccsim run` (or `ccsim check --save-baseline`) wrote: its
//! `replications.csv` holds every replication's metrics, and its `run.toml` the seed and
//! replication count. When both match the current run, the replications see the same customers
//! and are compared in pairs.
//!
//! The regression tests need at least 2 replications in the baseline and in the current run; with
//! fewer none can be evaluated, and the CLI refuses the check as invalid input rather than let it
//! pass without testing anything. The baseline's files are read as scenario and data files are
//! (regular files of bounded size), and a value that no run can write (negative, infinite, above
//! 10¹⁵) is an error naming the file, line and metric. Scopes are matched by kind and name; the CLI warns about scopes
//! that only one side has, and about a baseline written for a scenario of another name.

use std::collections::BTreeMap;
use std::path::Path;

use crate::metrics::gates::{self, BaselineSeries, Gate, GateError, RegressionRules};
use crate::metrics::{Metric, RunResults, ScopeKind};
use crate::scenario::{FileProblem, Scenario, limits, read_regular_file, size_label};

/// The largest value a baseline may hold: no metric of a run comes near it (arrivals are at most
/// 10⁹ a replication, times at most ten years in seconds).
const BASELINE_VALUE_MAX: f64 = 1e15;

/// Whether writing into `out` would write into the folder `baseline`, or inside it: a check that
/// did would compare the next check against itself. Both are compared as absolute paths with
/// links resolved as far as they exist (`out` may not exist yet).
pub fn writes_into(out: &Path, baseline: &Path) -> bool {
    let resolved = |path: &Path| {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        // The longest part that exists, with its links resolved, then the rest as written.
        let mut existing = absolute.as_path();
        let mut rest = Vec::new();
        loop {
            if let Ok(real) = existing.canonicalize() {
                return rest.iter().rev().fold(real, |p: std::path::PathBuf, part| p.join(part));
            }
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent;
                }
                _ => return absolute.clone(),
            }
        }
    };
    resolved(out).starts_with(resolved(baseline))
}

/// A baseline read from disk.
pub struct Baseline {
    /// (scope, name, metric) → per-replication values.
    series: BTreeMap<(String, String, Metric), Vec<f64>>,
    pub seed: Option<String>,
    pub replications: usize,
    /// The scenario name recorded in `run.toml`.
    pub scenario: Option<String>,
}

impl Baseline {
    /// Reads `DIR/replications.csv` and, if present, `DIR/run.toml`.
    pub fn read(dir: &Path) -> Result<Baseline, String> {
        let path = dir.join("replications.csv");
        // The same rule as scenario and data files: a regular file of bounded size, so that
        // `/dev/zero` or a named pipe is refused rather than read for ever.
        let bytes = read_regular_file(&path, limits::DATA_FILE_BYTES).map_err(|problem| {
            let why = match problem {
                FileProblem::Missing => "no such file".to_string(),
                FileProblem::Directory => "is a directory".to_string(),
                FileProblem::NotRegular(kind) => format!("is a {kind}, not a regular file"),
                FileProblem::TooLarge(size) => format!(
                    "is {}, more than {} (limit DATA_FILE_BYTES)",
                    size_label(size),
                    size_label(limits::DATA_FILE_BYTES)
                ),
                FileProblem::Unreadable(e) => format!("cannot be read: {e}"),
            };
            format!("{}: {why}; expected a folder written by `ccsim run`", path.display())
        })?;
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header = reader.headers().map_err(|e| format!("{}: {e}", path.display()))?.clone();
        let column = |name: &str| header.iter().position(|h| h == name);
        let (Some(rep), Some(scope), Some(name)) = (column("replication"), column("scope"), column("name")) else {
            return Err(format!("{}: expected the columns replication, scope and name", path.display()));
        };
        let metrics: Vec<(usize, Metric)> =
            header.iter().enumerate().filter_map(|(i, h)| Metric::from_name(h).map(|m| (i, m))).collect();
        let mut series: BTreeMap<(String, String, Metric), Vec<f64>> = BTreeMap::new();
        let mut replications = 0;
        for (line, record) in reader.records().enumerate() {
            let record = record.map_err(|e| format!("{}: line {}: {e}", path.display(), line + 2))?;
            let r: usize = record[rep]
                .parse()
                .map_err(|_| format!("{}: line {}: replication is not a number", path.display(), line + 2))?;
            replications = replications.max(r);
            for &(i, metric) in &metrics {
                // NaN is a metric without a value in that replication (no answer, say); anything
                // else must be a number a run can produce.
                let value = record[i].parse::<f64>().unwrap_or(f64::NAN);
                if !value.is_nan() && !(0.0..=BASELINE_VALUE_MAX).contains(&value) {
                    return Err(format!(
                        "{}: line {}: {}: {}; expected NaN or a number from 0 to {BASELINE_VALUE_MAX:e}",
                        path.display(),
                        line + 2,
                        metric.name(),
                        &record[i]
                    ));
                }
                series.entry((record[scope].to_string(), record[name].to_string(), metric)).or_default().push(value);
            }
        }
        if series.is_empty() {
            return Err(format!("{}: no replications; expected a folder written by `ccsim run`", path.display()));
        }
        let record = read_regular_file(&dir.join("run.toml"), limits::SCENARIO_FILE_BYTES)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.parse::<toml::Table>().ok());
        let text = |key: &str| record.as_ref().and_then(|t| t.get(key)).and_then(|v| v.as_str()).map(str::to_string);
        Ok(Baseline { series, seed: text("seed"), replications, scenario: text("scenario") })
    }

    /// Whether this baseline can be checked against a run of `scenario`: both need 2 replications
    /// or more. A warning when it was written for a scenario of another name.
    pub fn suits(&self, scenario: &Scenario) -> Result<Option<String>, String> {
        let here = scenario.simulation.replications as usize;
        if self.replications < 2 || here < 2 {
            return Err(format!(
                "--baseline: the baseline has {} replication{} and this run {here}; expected at least 2 replications on each side, since a regression test needs the spread across replications",
                self.replications,
                if self.replications == 1 { "" } else { "s" }
            ));
        }
        Ok(self.scenario.as_ref().filter(|n| **n != scenario.name).map(|name| {
            format!("--baseline: the baseline was written for the scenario \"{name}\", this is \"{}\"", scenario.name)
        }))
    }

    /// After the run: an error when no metric could be compared (a baseline of another center),
    /// else the warnings about scopes only one side has.
    pub fn coverage(&self, results: &RunResults, gates: &[Gate]) -> Result<Vec<String>, String> {
        let (only_baseline, only_here) = self.unmatched(results);
        if !gates.iter().any(|g| g.kind == "regression") {
            return Err(format!(
                "--baseline: no metric of this run could be compared with the baseline (scopes only in the baseline: {}); expected a baseline written by a run of this scenario",
                if only_baseline.is_empty() { "none".to_string() } else { only_baseline.join(", ") }
            ));
        }
        Ok([(&only_baseline, "the baseline"), (&only_here, "this run")]
            .into_iter()
            .filter(|(scopes, _)| !scopes.is_empty())
            .map(|(scopes, side)| format!("--baseline: only {side} has {}; not compared", scopes.join(", ")))
            .collect())
    }

    /// Whether the current run's replications pair with the baseline's.
    pub fn pairs_with(&self, scenario: &Scenario) -> bool {
        self.seed.as_deref() == Some(scenario.simulation.seed.to_string().as_str())
            && self.replications == scenario.simulation.replications as usize
    }

    /// The conversation scopes (`kind name`) only the baseline has, and those only `results` has:
    /// their metrics are not compared.
    pub fn unmatched(&self, results: &RunResults) -> (Vec<String>, Vec<String>) {
        let conversation = |kind: ScopeKind| kind != ScopeKind::AgentGroup;
        let mut baseline: Vec<(String, String)> = Vec::new();
        for (scope, name, _) in self.series.keys() {
            if ScopeKind::from_name(scope).is_some_and(conversation)
                && !baseline.iter().any(|(s, n)| s == scope && n == name)
            {
                baseline.push((scope.clone(), name.clone()));
            }
        }
        let current: Vec<(String, String)> = results
            .scopes
            .iter()
            .filter(|s| conversation(s.kind))
            .map(|s| (s.kind.name().to_string(), s.name.clone()))
            .collect();
        let only = |a: &[(String, String)], b: &[(String, String)]| -> Vec<String> {
            a.iter().filter(|x| !b.contains(x)).map(|(s, n)| format!("{s} {n}")).collect()
        };
        (only(&baseline, &current), only(&current, &baseline))
    }

    fn series(&self) -> Vec<BaselineSeries<'_>> {
        self.series
            .iter()
            .filter_map(|((scope, name, metric), values)| {
                Some(BaselineSeries {
                    scope: ScopeKind::from_name(scope)?,
                    name,
                    metric: *metric,
                    values: values.clone(),
                })
            })
            .collect()
    }
}

/// `--tolerance`: a fraction from 0 to 1 (`0.05`), or a percent (`5%`, and only so above 100%:
/// `5` is far more likely a slip for 5% than a wish to let a metric get six times worse).
pub fn parse_tolerance(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let number = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
    match text.strip_suffix('%') {
        Some(percent) => {
            number(percent).map(|p| p / 100.0).ok_or_else(|| format!("\"{text}\" is not a percent; expected e.g. 5%"))
        }
        None => match number(text) {
            Some(x) if x <= 1.0 => Ok(x),
            Some(x) => Err(format!(
                "{text} would let a metric get {}% worse; expected a fraction from 0 to 1 such as 0.05, or a percent such as {text}% if that is meant",
                x * 100.0
            )),
            None => Err(format!(
                "\"{text}\" is not a tolerance; expected a fraction from 0 to 1 such as 0.05, or a percent such as 5%"
            )),
        },
    }
}

/// Why a check cannot run: its inputs, refused before anything is simulated.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("--tolerance {0}: expected a fraction ≥ 0, such as 0.05")]
    Tolerance(f64),
    #[error("nothing to check; expected [[check]] tables in the scenario, --baseline DIR or --save-baseline DIR")]
    NothingToCheck,
    /// A gate that cannot be judged, with its place in the scenario file.
    #[error("{}", .0.message)]
    Gate(GateError),
}

/// The rules of a check's inputs (see the module doc): a tolerance ≥ 0, something to check,
/// gates on known metrics, and `on = "ci"` only with the spread of 2 replications or more.
pub fn check_inputs(scenario: &Scenario, tolerance: f64, baseline_or_saving: bool) -> Result<(), CheckError> {
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(CheckError::Tolerance(tolerance));
    }
    if scenario.checks.is_empty() && !baseline_or_saving {
        return Err(CheckError::NothingToCheck);
    }
    gates::check_metrics(&scenario.checks).map_err(CheckError::Gate)?;
    gates::no_interval_ci(&scenario.checks).map_err(CheckError::Gate)?;
    if scenario.simulation.replications < 2
        && let Some((i, c)) = scenario.checks.iter().enumerate().find(|(_, c)| c.on_ci)
    {
        let message = format!(
            "check[{i}].on: \"ci\" judges the 95% bound, which needs at least 2 replications; this run has 1 (set simulation.replications or -r to 2 or more, or use on = \"mean\")"
        );
        return Err(CheckError::Gate(GateError { check: i, at: c.at, message }));
    }
    Ok(())
}

/// Every gate: the scenario's assertions, then the regressions against `baseline` by `rules`.
pub fn evaluate(
    results: &RunResults,
    scenario: &Scenario,
    baseline: Option<&Baseline>,
    rules: &RegressionRules,
) -> Result<Vec<Gate>, GateError> {
    let mut all = gates::assertions(results, &scenario.checks)?;
    if let Some(b) = baseline {
        all.extend(gates::regressions(results, &b.series(), b.pairs_with(scenario), rules));
    }
    Ok(all)
}
