//! What `ccsim check` writes and prints: every gate with its value and verdict.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use super::csv_files::{finish, number, writer};
use super::terminal::printable;
use crate::metrics::gates::{Gate, Verdict};

/// `check.csv`: one row per gate; `min` and `max` are the numbers the value was held to, and
/// `baseline` the baseline's mean for regressions (empty where there is none).
pub fn check_csv(gates: &[Gate]) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record([
        "kind",
        "scope",
        "name",
        "metric",
        "interval",
        "value",
        "ci95_low",
        "ci95_high",
        "min",
        "max",
        "baseline",
        "p_value",
        "verdict",
    ])?;
    let optional = |x: Option<f64>| x.map_or_else(String::new, number);
    for g in gates {
        w.write_record([
            g.kind,
            g.scope.name(),
            &g.name,
            g.metric.name(),
            g.interval.as_deref().unwrap_or(""),
            &number(g.value),
            &number(g.ci95_low),
            &number(g.ci95_high),
            &optional(g.min),
            &optional(g.max),
            &optional(g.baseline),
            &optional(g.p_value),
            g.verdict.name(),
        ])?;
    }
    finish(w)
}

/// The gates as a table, failures first so that they are seen. A gate judged per interval shows
/// its failing intervals one by one, then one line that counts the rest and gives its worst
/// value; `only_failures` leaves out everything that held.
pub fn check_table(gates: &[Gate], only_failures: bool) -> String {
    gates_table(gates, only_failures).map_or_else(|| "every gate holds".to_string(), |t| t.to_string())
}

/// The table of [`check_table`], or `None` when nothing is left to show.
pub fn gates_table(gates: &[Gate], only_failures: bool) -> Option<Table> {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    table.set_header(["verdict", "gate", "scope", "metric", "interval", "value", "limit", "p"]);
    let mut rows: Vec<(Verdict, Vec<Cell>)> = Vec::new();
    let row = |g: &Gate, verdict: Verdict, interval: String, value: f64| -> Vec<Cell> {
        vec![
            Cell::new(verdict_text(verdict)),
            Cell::new(g.kind),
            Cell::new(format!("{} {}", g.scope.name(), printable(&g.name))),
            Cell::new(g.metric.name()),
            Cell::new(interval),
            Cell::new(format!("{value:.4}")).set_alignment(CellAlignment::Right),
            Cell::new(&g.limit),
            Cell::new(g.p_value.map_or_else(String::new, |p| format!("{p:.3}"))).set_alignment(CellAlignment::Right),
        ]
    };
    for group in interval_groups(gates) {
        let first = group[0];
        if first.interval.is_none() {
            if !only_failures || first.verdict == Verdict::Fail {
                rows.push((first.verdict, row(first, first.verdict, String::new(), first.value)));
            }
            continue;
        }
        let count = |v: Verdict| group.iter().filter(|g| g.verdict == v).count();
        let (failed, passed, no_data) = (count(Verdict::Fail), count(Verdict::Pass), count(Verdict::NoData));
        for g in group.iter().filter(|g| g.verdict == Verdict::Fail) {
            rows.push((Verdict::Fail, row(g, Verdict::Fail, g.interval.clone().unwrap_or_default(), g.value)));
        }
        if only_failures {
            continue;
        }
        let worst = crate::metrics::gates::worst(group.iter().copied());
        let mut parts = Vec::new();
        if failed > 0 {
            parts.push(format!("{failed} fail (above)"));
        }
        parts.push(format!("{passed} pass"));
        if no_data > 0 {
            parts.push(format!("{no_data} no data"));
        }
        let verdict = if failed > 0 { Verdict::Fail } else { Verdict::Pass };
        let summary = format!("{} intervals: {}; worst", group.len(), parts.join(", "));
        rows.push((verdict, row(first, verdict, summary, worst)));
    }
    rows.sort_by_key(|(verdict, _)| match verdict {
        Verdict::Fail => 0,
        Verdict::Improved => 1,
        Verdict::Pass => 2,
        Verdict::NoData => 3,
    });
    if rows.is_empty() {
        return None;
    }
    for (_, cells) in rows {
        table.add_row(cells);
    }
    Some(table)
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Fail => "FAIL",
        Verdict::Improved => "improved",
        Verdict::Pass => "pass",
        Verdict::NoData => "no data",
    }
}

/// The gates in order, those of one per-interval check together (they come one after another).
fn interval_groups(gates: &[Gate]) -> Vec<Vec<&Gate>> {
    let mut groups: Vec<Vec<&Gate>> = Vec::new();
    for g in gates {
        let same = |h: &&Gate| {
            h.interval.is_some()
                && g.interval.is_some()
                && (h.kind, h.scope, &h.name, h.metric, &h.limit) == (g.kind, g.scope, &g.name, g.metric, &g.limit)
        };
        match groups.last_mut() {
            Some(last) if last.last().is_some_and(same) => last.push(g),
            _ => groups.push(vec![g]),
        }
    }
    groups
}

/// The gates as a JUnit XML report, one test case per gate (per interval for interval gates):
/// a failed gate is a failure, an interval without data is skipped.
pub fn junit_xml(gates: &[Gate], suite: &str) -> Result<Vec<u8>, String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut test_suite = TestSuite::new(suite);
    for g in gates {
        let interval = g.interval.as_ref().map_or_else(String::new, |i| format!(" at {i}"));
        let name = format!("{} {} {} {}{interval}", g.kind, g.scope.name(), g.name, g.metric.name());
        let detail = format!("value {:.6}, limit {}", g.value, g.limit);
        let status = match g.verdict {
            Verdict::Fail => {
                let mut failure = TestCaseStatus::non_success(NonSuccessKind::Failure);
                failure.set_message(detail.clone());
                failure
            }
            Verdict::NoData => {
                let mut skipped = TestCaseStatus::skipped();
                skipped.set_message("no conversation arrived in the interval");
                skipped
            }
            Verdict::Pass | Verdict::Improved => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(format!("{}.{}", g.kind, g.metric.name()));
        if matches!(g.verdict, Verdict::Pass | Verdict::Improved) {
            case.set_system_out(format!("{}: {detail}", g.verdict.name()));
        }
        test_suite.add_test_case(case);
    }
    let mut report = Report::new("ccsim check");
    report.add_test_suite(test_suite);
    report.to_string().map(String::into_bytes).map_err(|e| e.to_string())
}

/// The failed gates in one line, for the error a failed check exits with; `None` when all hold.
/// At most five are named; check.csv has them all.
pub fn failures(gates: &[Gate]) -> Option<String> {
    let failed: Vec<String> = gates
        .iter()
        .filter(|g| g.verdict == crate::metrics::gates::Verdict::Fail)
        .map(|g| {
            let interval = g.interval.as_ref().map_or_else(String::new, |i| format!(" at {i}"));
            format!(
                "{} {} {} {}{interval} = {:.4} (limit {})",
                g.kind,
                g.scope.name(),
                g.name,
                g.metric.name(),
                g.value,
                g.limit
            )
        })
        .collect();
    match failed.len() {
        0 => None,
        n if n <= 5 => Some(failed.join("; ")),
        n => Some(format!("{}; and {} more (see check.csv)", failed[..5].join("; "), n - 5)),
    }
}
