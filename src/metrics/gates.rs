//! Gates for `ccsim check`: assertions from the scenario's `[[check]]` tables, and regressions
//! against a baseline run.
//!
//! **Assertions** compare a metric of a scope with its `min` and/or `max`: over the whole run on
//! the mean across replications (`on = "mean"`, the default) or on the 95% confidence bound in the
//! direction that could break the gate (`on = "ci"`: the lower bound against `min`, the upper
//! against `max`, so that "service level ≥ 0.8 with 95% confidence" is `min = 0.8, on = "ci"`);
//! or per reporting interval (`every_interval`, `intervals`), on the interval's value over all
//! replications pooled. An interval without data (no conversation arrived) has no value and does
//! not fail its gate.
//!
//! **Regressions** compare the rate and wait metrics ([`DEFAULT_REGRESSION_METRICS`]: service
//! level, ASA, the wait percentiles, abandon rate and occupancy; any others with
//! [`RegressionRules::metrics`]) in every scope that reports them ([`RegressionRules::scopes`]
//! narrows it) with the baseline's replications. Counts are left out by default: they move
//! whenever routing moves volume between scopes. A metric regresses when it is worse, in its bad
//! direction, by more than δ = max(`tolerance` × |baseline mean|, the metric's absolute floor,
//! [`Floors::DEFAULT`]) and that is statistically significant: a one-sided t-test of H₀: worsening ≤ δ at
//! 5% — paired replication by replication when the baseline used the same seed and replication
//! count (common random numbers), Welch otherwise — with a Holm correction across all the metrics
//! tested. Occupancy and utilization regress upwards (agents loaded more heavily); a metric with
//! no bad direction asked for by name (`offered`) regresses when it moves by more than δ either
//! way (each side tested at half the level). A metric better by more than δ with the same
//! test the other way is reported as improved, with that test's p-value, and never fails. Each
//! test needs at least 2 replications on each side
//! (the CLI refuses a baseline check that has fewer); a metric undefined in some replications (no
//! answered conversation: no ASA) is tested on the replications where it is defined.
//!
//! A ratio metric is tested on its per-replication ratios (a mean of ratios), not on the ratio of
//! sums that `summary.csv` reports: the t-test needs one value per replication.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::{Metric, RunResults, ScopeKind};
use crate::scenario::{Check, CheckIntervals};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// A regression gate whose metric got significantly better.
    Improved,
    /// An interval gate on an interval without data.
    NoData,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Improved => "improved",
            Verdict::NoData => "no data",
        }
    }
}

/// One evaluated gate.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    /// `assertion` or `regression`.
    pub kind: &'static str,
    pub scope: ScopeKind,
    pub name: String,
    pub metric: Metric,
    /// The reporting interval's start label, for interval gates.
    pub interval: Option<String>,
    /// The value judged (the mean, or the confidence bound with `on = "ci"`).
    pub value: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    /// What the value was held to, in words (`≥ 0.8`, `baseline 7.1 + 5%`).
    pub limit: String,
    /// The same as numbers: the least and the most the value may be.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The baseline's mean (regressions).
    pub baseline: Option<f64>,
    /// One-sided p-value after the Holm correction (regressions).
    pub p_value: Option<f64>,
    pub verdict: Verdict,
}

/// A check whose metric or scope does not exist in these results.
#[derive(Clone, Debug, PartialEq)]
pub struct GateError {
    pub check: usize,
    pub at: Option<(usize, usize)>,
    pub message: String,
}

/// The kind of a check's scope (checked when the scenario was read).
pub fn scope_kind(name: &str) -> ScopeKind {
    ScopeKind::from_name(name).unwrap_or(ScopeKind::All)
}

/// A check's bounds in words: `≥ 0.8`, `≤ 30`, `0.1 ≤ x ≤ 0.2`.
pub fn bounds_text(check: &Check) -> String {
    match (check.min, check.max) {
        (Some(lo), Some(hi)) => format!("{lo} ≤ x ≤ {hi}"),
        (Some(lo), None) => format!("≥ {lo}"),
        (None, Some(hi)) => format!("≤ {hi}"),
        (None, None) => String::new(),
    }
}

/// What a baseline check tests by default: the rate and wait metrics.
pub const DEFAULT_REGRESSION_METRICS: [Metric; 7] = [
    Metric::ServiceLevel,
    Metric::AsaS,
    Metric::WaitP50S,
    Metric::WaitP90S,
    Metric::WaitP95S,
    Metric::AbandonRate,
    Metric::Occupancy,
];

/// The smallest change of a metric that can count as a regression, whatever the tolerance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Floors {
    pub share: f64,
    pub seconds: f64,
    pub other: f64,
}

impl Floors {
    /// Half a percentage point of a share, a second of a time, one of a count: so that an
    /// abandon rate of 0.0017 against 0.0010 is not a regression.
    pub const DEFAULT: Floors = Floors { share: 0.005, seconds: 1.0, other: 1.0 };
    /// The tolerance alone.
    pub const NONE: Floors = Floors { share: 0.0, seconds: 0.0, other: 0.0 };

    pub fn of(&self, metric: Metric) -> f64 {
        match metric.unit() {
            "share" => self.share,
            "seconds" => self.seconds,
            _ => self.other,
        }
    }
}

/// What a baseline check tests: which metrics, in which scopes, and how much worse may pass.
#[derive(Clone, Debug, PartialEq)]
pub struct RegressionRules {
    pub metrics: Vec<Metric>,
    /// Scope kinds, or a kind and a name; empty: every scope.
    pub scopes: Vec<(ScopeKind, Option<String>)>,
    /// Relative: δ = tolerance × |baseline mean|, at least the metric's floor.
    pub tolerance: f64,
    pub floors: Floors,
}

impl RegressionRules {
    /// The default metrics in every scope.
    pub fn new(tolerance: f64) -> RegressionRules {
        RegressionRules {
            metrics: DEFAULT_REGRESSION_METRICS.to_vec(),
            scopes: Vec::new(),
            tolerance,
            floors: Floors::DEFAULT,
        }
    }

    fn covers(&self, kind: ScopeKind, name: &str, metric: Metric) -> bool {
        self.metrics.contains(&metric)
            && (self.scopes.is_empty()
                || self.scopes.iter().any(|(k, n)| *k == kind && n.as_deref().is_none_or(|n| n == name)))
    }
}

/// `--metrics a,b,…`: metric names.
pub fn parse_metrics(text: &str) -> Result<Vec<Metric>, String> {
    let metrics = text
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| {
            Metric::from_name(m).ok_or_else(|| {
                let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                format!("unknown metric \"{m}\"; expected metric names from {}", names.join(", "))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if metrics.is_empty() {
        return Err("no metric; expected e.g. service_level,asa_s".into());
    }
    Ok(metrics)
}

/// `--scopes a,b,…`: scope kinds (`queue`) or a kind and a name (`queue.vip`).
pub fn parse_scopes(text: &str) -> Result<Vec<(ScopeKind, Option<String>)>, String> {
    let scopes = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (kind, name) = s.split_once('.').map_or((s, None), |(k, n)| (k, Some(n.to_string())));
            let kind = ScopeKind::from_name(kind).ok_or_else(|| {
                format!(
                    "unknown scope \"{kind}\"; expected all, channel, work_stream, queue or agent_group, or one by name (queue.vip)"
                )
            })?;
            Ok::<_, String>((kind, name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if scopes.is_empty() {
        return Err("no scope; expected e.g. all,queue".into());
    }
    Ok(scopes)
}

/// The metric of each check, or the first check whose metric is unknown or not reported for its
/// scope. Needs no results, so that `validate` and `check` can refuse a bad gate before simulating.
/// (The scope and name were checked when the scenario was read.)
pub fn check_metrics(checks: &[Check]) -> Result<Vec<Metric>, GateError> {
    checks
        .iter()
        .enumerate()
        .map(|(i, check)| {
            let fail = |message: String| GateError { check: i, at: check.at, message };
            let metric = Metric::from_name(&check.metric).ok_or_else(|| {
                let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                fail(format!(
                    "check[{i}].metric: unknown metric \"{}\"; expected one of {}",
                    check.metric,
                    names.join(", ")
                ))
            })?;
            let kind = scope_kind(&check.scope);
            if !metric.applies_to(kind) {
                return Err(fail(format!(
                    "check[{i}].metric: {} is not reported for scope {}; expected a metric of that scope",
                    metric.name(),
                    kind.name()
                )));
            }
            if check.duration_bound && metric.unit() != "seconds" {
                return Err(fail(format!(
                    "check[{i}]: a duration bound on {}, which is not a time; expected a number",
                    metric.name()
                )));
            }
            // A bound no value can meet (or none can miss) is a slip, most often a percent.
            for (side, bound) in [("min", check.min), ("max", check.max)] {
                let Some(v) = bound else { continue };
                if v < 0.0 {
                    return Err(fail(format!(
                        "check[{i}].{side}: {v} on {}, which is never negative; expected a bound of 0 or more",
                        metric.name()
                    )));
                }
                if metric.unit() == "share" && v > 1.0 {
                    let percent = if v <= 100.0 { format!(" ({} for {v}%)", v / 100.0) } else { String::new() };
                    return Err(fail(format!(
                        "check[{i}].{side}: {v} on {}, a share from 0 to 1, can never {}; expected a bound from 0 to 1{percent}",
                        metric.name(),
                        if side == "min" { "be met" } else { "be missed" }
                    )));
                }
            }
            Ok(metric)
        })
        .collect()
}

/// Refuses a per-interval gate with `on = "ci"`: `check` and `sweep` judge an interval on its
/// value over all replications, which has no interval (`staff` judges it per slot, with one).
pub fn no_interval_ci(checks: &[Check]) -> Result<(), GateError> {
    match checks.iter().enumerate().find(|(_, c)| c.on_ci && c.intervals != CheckIntervals::Whole) {
        Some((i, c)) => Err(GateError {
            check: i,
            at: c.at,
            message: format!(
                "check[{i}].on: per-interval gates are judged on the value over all replications, which has no interval; expected on = \"mean\" (ccsim staff judges on = \"ci\" per slot)"
            ),
        }),
        None => Ok(()),
    }
}

/// Evaluates the scenario's assertions.
pub fn assertions(results: &RunResults, checks: &[Check]) -> Result<Vec<Gate>, GateError> {
    let metrics = check_metrics(checks)?;
    let mut gates = Vec::new();
    for (i, (check, &metric)) in checks.iter().zip(&metrics).enumerate() {
        let fail = |message: String| GateError { check: i, at: check.at, message };
        let kind = scope_kind(&check.scope);
        let scope = results
            .scopes
            .iter()
            .find(|s| s.kind == kind && s.name == check.name)
            .ok_or_else(|| fail(format!("check[{i}]: no {} named \"{}\"", kind.name(), check.name)))?;
        let judge = |value: f64| -> Verdict {
            if value.is_nan() {
                Verdict::NoData
            } else if check.min.is_some_and(|lo| value < lo) || check.max.is_some_and(|hi| value > hi) {
                Verdict::Fail
            } else {
                Verdict::Pass
            }
        };
        let gate = |interval: Option<String>, value: f64, low: f64, high: f64, verdict: Verdict| Gate {
            kind: "assertion",
            scope: kind,
            name: check.name.clone(),
            metric,
            interval,
            value,
            ci95_low: low,
            ci95_high: high,
            limit: format!("{}{}", bounds_text(check), if check.on_ci { " (95% CI)" } else { "" }),
            min: check.min,
            max: check.max,
            baseline: None,
            p_value: None,
            verdict,
        };
        match &check.intervals {
            CheckIntervals::Whole => {
                let e = results.estimate(scope, metric);
                let verdict = if check.on_ci {
                    // The bound that could break the gate must hold: the lower against min, the upper against max.
                    let low_ok = check.min.is_none_or(|lo| e.ci95_low >= lo);
                    let high_ok = check.max.is_none_or(|hi| e.ci95_high <= hi);
                    if e.ci95_low.is_nan() {
                        judge(f64::NAN)
                    } else if low_ok && high_ok {
                        Verdict::Pass
                    } else {
                        Verdict::Fail
                    }
                } else {
                    judge(e.mean)
                };
                let value = match (check.on_ci, check.min.is_some()) {
                    (true, true) => e.ci95_low,
                    (true, false) => e.ci95_high,
                    (false, _) => e.mean,
                };
                gates.push(gate(None, value, e.ci95_low, e.ci95_high, verdict));
            }
            CheckIntervals::Every | CheckIntervals::Chosen(_) => {
                let ks: Vec<usize> = match &check.intervals {
                    CheckIntervals::Chosen(ks) => ks.clone(),
                    _ => (0..results.interval_labels.len()).collect(),
                };
                for k in ks {
                    let value = results.interval_value(k, scope, metric);
                    gates.push(gate(
                        Some(results.interval_labels[k].0.clone()),
                        value,
                        f64::NAN,
                        f64::NAN,
                        judge(value),
                    ));
                }
            }
        }
    }
    Ok(gates)
}

/// One `[[check]]` judged as a whole: failed if any of its gates failed, else passed if any
/// passed, else without data; with its value, or for a check per interval its worst interval's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub value: f64,
}

/// The outcome of each of `checks`, in order (what `sweep` reports per point).
pub fn outcomes(results: &RunResults, checks: &[Check]) -> Result<Vec<Outcome>, GateError> {
    let gates = assertions(results, checks)?;
    let mut rest = &gates[..];
    Ok(checks
        .iter()
        .map(|check| {
            let count = match &check.intervals {
                CheckIntervals::Whole => 1,
                CheckIntervals::Every => results.interval_labels.len(),
                CheckIntervals::Chosen(ks) => ks.len(),
            };
            let (own, after) = rest.split_at(count.min(rest.len()));
            rest = after;
            let any = |v: Verdict| own.iter().any(|g| g.verdict == v);
            let verdict = if any(Verdict::Fail) {
                Verdict::Fail
            } else if any(Verdict::Pass) {
                Verdict::Pass
            } else {
                Verdict::NoData
            };
            Outcome { verdict, value: worst(own) }
        })
        .collect())
}

/// The value furthest on the wrong side of gates of one check: the lowest against a `min`, else
/// the highest; NaN when none has a value.
pub fn worst<'a>(gates: impl IntoIterator<Item = &'a Gate>) -> f64 {
    let gates: Vec<&Gate> = gates.into_iter().collect();
    let values = gates.iter().map(|g| g.value).filter(|v| !v.is_nan());
    match gates.first() {
        Some(g) if g.min.is_some() => values.fold(f64::NAN, f64::min),
        _ => values.fold(f64::NAN, f64::max),
    }
}

/// A baseline's per-replication values of one metric in one scope, and whether they pair with
/// the current run's.
pub struct BaselineSeries<'a> {
    pub scope: ScopeKind,
    pub name: &'a str,
    pub metric: Metric,
    pub values: Vec<f64>,
}

fn t_sf(t: f64, df: f64) -> f64 {
    // statrs asserts on arguments its series cannot take: answer the limits here.
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 0.0 } else { 1.0 };
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => 1.0 - dist.cdf(t),
        Err(_) => f64::NAN,
    }
}

/// One-sided p-values of "worse by more than δ" and "better by more than δ" for worsenings
/// `current − base` (already signed so that positive is worse).
fn one_sided(base: &[f64], current: &[f64], paired: bool, delta: f64) -> (f64, f64, f64) {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64], m: f64| v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0);
    let (diff, se, df) = if paired {
        let d: Vec<f64> = base.iter().zip(current).map(|(b, c)| c - b).collect();
        let m = mean(&d);
        (m, (var(&d, m) / d.len() as f64).sqrt(), d.len() as f64 - 1.0)
    } else {
        let (mb, mc) = (mean(base), mean(current));
        let (vb, vc) = (var(base, mb) / base.len() as f64, var(current, mc) / current.len() as f64);
        let df =
            (vb + vc).powi(2) / (vb.powi(2) / (base.len() as f64 - 1.0) + vc.powi(2) / (current.len() as f64 - 1.0));
        (mc - mb, (vb + vc).sqrt(), df)
    };
    if se == 0.0 || se.is_nan() {
        // No spread: the difference is what it is.
        return (diff, if diff > delta { 0.0 } else { 1.0 }, if diff < -delta { 0.0 } else { 1.0 });
    }
    (diff, t_sf((diff - delta) / se, df), t_sf(-(diff + delta) / se, df))
}

/// Holm's step-down adjustment of p-values (family-wise error rate).
fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = p.len() as f64;
    let mut adjusted = vec![1.0; p.len()];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank as f64) * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Evaluates regressions of the current run against baseline series (one per metric and scope)
/// by `rules`.
pub fn regressions(
    results: &RunResults,
    baseline: &[BaselineSeries],
    paired: bool,
    rules: &RegressionRules,
) -> Vec<Gate> {
    struct Test {
        gate: Gate,
        p_worse: f64,
        p_better: f64,
    }
    let mut tests = Vec::new();
    for series in baseline {
        if !rules.covers(series.scope, series.name, series.metric) {
            continue;
        }
        let Some(scope) = results.scopes.iter().find(|s| s.kind == series.scope && s.name == series.name) else {
            continue;
        };
        if !series.metric.applies_to(scope.kind) {
            continue;
        }
        let current: Vec<f64> = (0..results.replications.len())
            .map(|r| results.replication_value(r, scope, series.metric).number())
            .collect();
        let paired_here = paired && current.len() == series.values.len();
        let (base, now): (Vec<f64>, Vec<f64>) = if paired_here {
            series
                .values
                .iter()
                .zip(&current)
                .filter(|(b, c)| !b.is_nan() && !c.is_nan())
                .map(|(b, c)| (*b, *c))
                .unzip()
        } else {
            (
                series.values.iter().copied().filter(|v| !v.is_nan()).collect(),
                current.iter().copied().filter(|v| !v.is_nan()).collect(),
            )
        };
        if base.len() < 2 || now.len() < 2 {
            continue;
        }
        let base_mean = base.iter().sum::<f64>() / base.len() as f64;
        let now_mean = now.iter().sum::<f64>() / now.len() as f64;
        let delta = (rules.tolerance * base_mean.abs()).max(rules.floors.of(series.metric));
        let signed = |v: &[f64], sign: f64| v.iter().map(|x| sign * x).collect::<Vec<_>>();
        let test = |sign: f64| one_sided(&signed(&base, sign), &signed(&now, sign), paired_here, delta);
        let (p_worse, p_better, min, max, direction) = match regression_direction(series.metric) {
            Some(true) => {
                let (_, worse, better) = test(1.0);
                (worse, better, None, Some(base_mean + delta), "+")
            }
            Some(false) => {
                let (_, worse, better) = test(-1.0);
                (worse, better, Some(base_mean - delta), None, "−")
            }
            // Either way is a change: each side at half the level, never an improvement.
            None => {
                let (_, up, down) = test(1.0);
                ((2.0 * up.min(down)).min(1.0), 1.0, Some(base_mean - delta), Some(base_mean + delta), "±")
            }
        };
        let relative = format!("{}%", rules.tolerance * 100.0);
        let allowed = if delta > rules.tolerance * base_mean.abs() {
            format!("{} (the floor of {relative})", delta_text(series.metric, delta))
        } else {
            relative
        };
        tests.push(Test {
            gate: Gate {
                kind: "regression",
                scope: series.scope,
                name: series.name.to_string(),
                metric: series.metric,
                interval: None,
                value: now_mean,
                ci95_low: f64::NAN,
                ci95_high: f64::NAN,
                limit: format!(
                    "baseline {base_mean:.6} {direction} {allowed}{}",
                    if paired_here { " (paired)" } else { "" }
                ),
                min,
                max,
                baseline: Some(base_mean),
                p_value: None,
                verdict: Verdict::Pass,
            },
            p_worse,
            p_better,
        });
    }
    let worse = holm(&tests.iter().map(|t| t.p_worse).collect::<Vec<_>>());
    let better = holm(&tests.iter().map(|t| t.p_better).collect::<Vec<_>>());
    tests
        .into_iter()
        .zip(worse.into_iter().zip(better))
        .map(|(mut t, (pw, pb))| {
            (t.gate.verdict, t.gate.p_value) = if pw < 0.05 {
                (Verdict::Fail, Some(pw))
            } else if pb < 0.05 {
                (Verdict::Improved, Some(pb))
            } else {
                (Verdict::Pass, Some(pw))
            };
            t.gate
        })
        .collect()
}

/// Which way a metric regresses: its bad direction, and for occupancy and utilization, which have
/// none in general, up — agents loaded more heavily, the usual forerunner of longer waits; fewer
/// of them idle because staff was added is a choice, not a regression. `None`: either way.
fn regression_direction(metric: Metric) -> Option<bool> {
    metric.larger_is_worse().or(match metric {
        Metric::Occupancy | Metric::Utilization => Some(true),
        _ => None,
    })
}

/// An absolute allowance as the limit text shows it: `0.5 pp`, `1 s`, `1`.
fn delta_text(metric: Metric, delta: f64) -> String {
    match metric.unit() {
        "share" => format!("{} pp", delta * 100.0),
        "seconds" => format!("{delta} s"),
        _ => format!("{delta}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_regressions_are_the_rate_and_wait_metrics() {
        for m in DEFAULT_REGRESSION_METRICS {
            assert!(matches!(m.unit(), "share" | "seconds"), "{}", m.name());
        }
        for m in [Metric::WaitP95S, Metric::ServiceLevel, Metric::AbandonRate, Metric::Occupancy] {
            assert!(DEFAULT_REGRESSION_METRICS.contains(&m), "{}", m.name());
        }
        assert_eq!(parse_metrics("service_level, asa_s").unwrap(), [Metric::ServiceLevel, Metric::AsaS]);
        assert!(parse_metrics("speed").unwrap_err().contains("unknown metric \"speed\""));
        assert_eq!(
            parse_scopes("all,queue.vip").unwrap(),
            [(ScopeKind::All, None), (ScopeKind::Queue, Some("vip".into()))]
        );
        assert!(parse_scopes("desk").is_err());
    }

    #[test]
    fn a_check_with_an_unknown_metric_or_one_of_another_scope_is_refused_without_results() {
        let check = |metric: &str, scope: &str| Check {
            metric: metric.into(),
            at: Some((3, 1)),
            scope: scope.into(),
            name: "x".into(),
            min: Some(1.0),
            max: None,
            duration_bound: false,
            on_ci: false,
            intervals: CheckIntervals::Whole,
        };
        assert_eq!(check_metrics(&[check("asa_s", "queue")]).unwrap(), [Metric::AsaS]);
        let e = check_metrics(&[check("asa_s", "all"), check("speed", "all")]).unwrap_err();
        assert_eq!((e.check, e.at), (1, Some((3, 1))));
        assert!(e.message.contains("unknown metric \"speed\""), "{}", e.message);
        let e = check_metrics(&[check("occupancy", "queue")]).unwrap_err();
        assert!(e.message.contains("not reported for scope queue"), "{}", e.message);
    }

    #[test]
    fn holm_multiplies_the_smallest_p_by_the_number_of_tests_and_stays_monotone() {
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.5]);
        assert!((adjusted[0] - 0.04).abs() < 1e-12);
        assert!((adjusted[2] - 0.09).abs() < 1e-12);
        assert!((adjusted[1] - 0.09).abs() < 1e-12, "never below an earlier step");
        assert_eq!(adjusted[3], 0.5);
    }

    #[test]
    fn a_worsening_within_the_tolerance_is_not_a_regression() {
        let base = [10.0, 10.2, 9.8, 10.1, 9.9];
        let slightly = [10.3, 10.5, 10.1, 10.4, 10.2];
        let (_, p_worse, _) = one_sided(&base, &slightly, true, 0.5);
        assert!(p_worse > 0.5);
        let much = [12.0, 12.2, 11.8, 12.1, 11.9];
        let (_, p_worse, p_better) = one_sided(&base, &much, true, 0.5);
        assert!(p_worse < 1e-4 && p_better > 0.99);
    }

    #[test]
    fn pairing_detects_what_independent_samples_hide() {
        // A shared component from replication to replication hides a small worsening unless paired.
        let base: Vec<f64> = (0..10).map(|i| 100.0 + 10.0 * i as f64).collect();
        let now: Vec<f64> = base.iter().map(|b| b + 1.0).collect();
        let (_, paired, _) = one_sided(&base, &now, true, 0.0);
        let (_, unpaired, _) = one_sided(&base, &now, false, 0.0);
        assert!(paired < 1e-6 && unpaired > 0.3, "{paired} {unpaired}");
    }
}
