//! What `ccsim check` writes and prints: every gate with its value and verdict.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use super::csv_files::{finish, number, writer};
use crate::metrics::gates::{Gate, Verdict};

/// `check.csv`: one row per gate.
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
        "limit",
        "p_value",
        "verdict",
    ])?;
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
            &g.limit,
            &g.p_value.map_or_else(String::new, number),
            g.verdict.name(),
        ])?;
    }
    finish(w)
}

/// The gates as a table, failures first so that they are seen.
pub fn check_table(gates: &[Gate]) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    table.set_header(["verdict", "gate", "scope", "metric", "interval", "value", "limit", "p"]);
    let mut order: Vec<&Gate> = gates.iter().collect();
    order.sort_by_key(|g| match g.verdict {
        Verdict::Fail => 0,
        Verdict::Improved => 1,
        Verdict::Pass => 2,
        Verdict::NoData => 3,
    });
    for g in order {
        let verdict = match g.verdict {
            Verdict::Fail => "FAIL",
            Verdict::Improved => "improved",
            Verdict::Pass => "pass",
            Verdict::NoData => "no data",
        };
        table.add_row(vec![
            Cell::new(verdict),
            Cell::new(g.kind),
            Cell::new(format!("{} {}", g.scope.name(), g.name)),
            Cell::new(g.metric.name()),
            Cell::new(g.interval.as_deref().unwrap_or("")),
            Cell::new(format!("{:.4}", g.value)).set_alignment(CellAlignment::Right),
            Cell::new(&g.limit),
            Cell::new(g.p_value.map_or_else(String::new, |p| format!("{p:.3}"))).set_alignment(CellAlignment::Right),
        ]);
    }
    table.to_string()
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
