//! What `ccsim compare` and `ccsim sweep` write and print.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_BORDERS_ONLY};

use super::csv_files::{finish, number, writer};
use super::terminal::{COLUMNS, format_difference, format_estimate, printable, scope_label};
use crate::metrics::gates::{Outcome, Verdict};
use crate::metrics::{CompareRow, Comparison, Metric, RunResults, ScopeKind};

/// `compare.csv`: per scope, metric and variant, the variant's estimate and its paired difference
/// from the first variant.
pub fn compare_csv(comparison: &Comparison) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record([
        "scope",
        "name",
        "metric",
        "variant",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff",
        "diff_ci95_low",
        "diff_ci95_high",
        "significant",
    ])?;
    for row in comparison.rows() {
        let (e, d) = (row.estimate, row.difference);
        w.write_record([
            row.scope.kind.name(),
            &row.scope.name,
            row.metric.name(),
            row.variant,
            &number(e.mean),
            &number(e.ci95_low),
            &number(e.ci95_high),
            &number(d.mean),
            &number(d.ci95_low),
            &number(d.ci95_high),
            if row.significant() { "true" } else { "false" },
        ])?;
    }
    finish(w)
}

/// The headline metrics of scope `all` for every variant, and each difference from the first
/// with its interval (shares in percentage points); `*` marks a difference whose 95% interval
/// excludes 0. Then every other scope, as `run` prints them: a row per variant and one per
/// difference.
pub fn compare_table(comparison: &Comparison) -> String {
    compare_tables(comparison).iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// The tables of [`compare_table`]: the headline metrics, then every other scope if any.
pub fn compare_tables(comparison: &Comparison) -> Vec<Table> {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    let base = &comparison.variants[0].0;
    let mut header = vec![Cell::new("metric (all)")];
    header.extend(comparison.variants.iter().map(|(name, _)| Cell::new(printable(name))));
    header.extend(
        comparison.variants[1..]
            .iter()
            .map(|(name, _)| Cell::new(format!("{} − {}", printable(name), printable(base)))),
    );
    table.set_header(header);
    let rows = comparison.rows();
    for metric in Metric::HEADLINE {
        let of_metric: Vec<_> = rows.iter().filter(|r| r.metric == metric && r.scope.kind == ScopeKind::All).collect();
        if of_metric.is_empty() {
            continue;
        }
        let mut cells = vec![Cell::new(metric.name())];
        cells.extend(
            of_metric
                .iter()
                .map(|r| Cell::new(format_estimate(metric, &r.estimate)).set_alignment(CellAlignment::Right)),
        );
        cells.extend(of_metric[1..].iter().map(|r| Cell::new(difference_text(r)).set_alignment(CellAlignment::Right)));
        table.add_row(cells);
    }

    // Every other scope: the columns of `run`'s table.
    let mut scopes = Table::new();
    scopes.load_style(UTF8_BORDERS_ONLY).set_content_arrangement(ContentArrangement::Dynamic);
    let mut header = vec![Cell::new("scope"), Cell::new("variant")];
    header.extend(COLUMNS.iter().map(|(_, title)| Cell::new(title)));
    scopes.set_header(header);
    let mut seen: Vec<(ScopeKind, &str)> = Vec::new();
    for row in rows.iter().filter(|r| r.scope.kind != ScopeKind::All) {
        if seen.contains(&(row.scope.kind, row.scope.name.as_str())) {
            continue;
        }
        seen.push((row.scope.kind, row.scope.name.as_str()));
        let of_scope: Vec<_> =
            rows.iter().filter(|r| r.scope.kind == row.scope.kind && r.scope.name == row.scope.name).collect();
        let cell = |variant: &str, metric: Metric| of_scope.iter().find(|r| r.variant == variant && r.metric == metric);
        for (v, (name, _)) in comparison.variants.iter().enumerate() {
            let mut cells = vec![
                Cell::new(if v == 0 { scope_label(row.scope) } else { String::new() }),
                Cell::new(printable(name)),
            ];
            cells.extend(COLUMNS.iter().map(|&(metric, _)| {
                let text = cell(name, metric).map_or_else(String::new, |r| format_estimate(metric, &r.estimate));
                Cell::new(text).set_alignment(CellAlignment::Right)
            }));
            scopes.add_row(cells);
        }
        for (name, _) in &comparison.variants[1..] {
            let mut cells = vec![Cell::new(""), Cell::new(format!("{} − {}", printable(name), printable(base)))];
            cells.extend(COLUMNS.iter().map(|&(metric, _)| {
                Cell::new(cell(name, metric).map_or_else(String::new, |r| difference_text(r)))
                    .set_alignment(CellAlignment::Right)
            }));
            scopes.add_row(cells);
        }
    }
    if seen.is_empty() { vec![table] } else { vec![table, scopes] }
}

/// A paired difference, marked `*` with its verdict when its interval excludes 0.
fn difference_text(r: &CompareRow) -> String {
    let text = format_difference(r.metric, &r.difference);
    if !r.significant() {
        return text;
    }
    let verdict = match (r.metric.larger_is_worse(), r.difference.mean > 0.0) {
        (Some(true), true) | (Some(false), false) => " worse",
        (Some(_), _) => " better",
        (None, _) => "",
    };
    format!("{text} *{verdict}")
}

/// The columns of `sweep.csv` after the point and scope: each headline metric with its interval,
/// then each `[[check]]`'s verdict and value (`check_1`, `check_1_value`, …).
fn sweep_header(keys: &[String], checks: usize) -> Vec<String> {
    let mut header = vec!["point".to_string()];
    header.extend(keys.iter().cloned());
    header.extend(["scope".to_string(), "name".to_string()]);
    for m in Metric::HEADLINE {
        header.extend([m.name().to_string(), format!("{}_ci95_low", m.name()), format!("{}_ci95_high", m.name())]);
    }
    for i in 1..=checks {
        header.extend([format!("check_{i}"), format!("check_{i}_value")]);
    }
    header
}

/// `sweep.csv`: one row per point and scope, with the headline metrics and their intervals, then
/// the point's `[[check]]` outcomes (`outcomes[p]`, the same on each of its rows): the verdict and
/// the value judged, the worst interval's for a check per interval.
pub fn sweep_csv(
    keys: &[String],
    points: &[(String, Vec<String>, &RunResults)],
    outcomes: &[Vec<Outcome>],
) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(sweep_header(keys, outcomes.first().map_or(0, Vec::len)))?;
    for ((label, values, results), outcomes) in points.iter().zip(outcomes) {
        for scope in &results.scopes {
            let mut record = vec![label.clone()];
            record.extend(values.iter().cloned());
            record.extend([scope.kind.name().to_string(), scope.name.clone()]);
            for m in Metric::HEADLINE {
                if m.applies_to(scope.kind) {
                    let e = results.estimate(scope, m);
                    record.extend([number(e.mean), number(e.ci95_low), number(e.ci95_high)]);
                } else {
                    record.extend(["NaN".to_string(), "NaN".to_string(), "NaN".to_string()]);
                }
            }
            for o in outcomes {
                record.extend([o.verdict.name().to_string(), number(o.value)]);
            }
            w.write_record(&record)?;
        }
    }
    finish(w)
}

/// One row per point and scope, with the columns of `run`'s table, then each `[[check]]`'s
/// verdict and value on the point's first row.
pub fn sweep_table(points: &[(String, Vec<String>, &RunResults)], outcomes: &[Vec<Outcome>]) -> String {
    sweep(points, outcomes).to_string()
}

/// The table of [`sweep_table`], to print or to render in `report.html`.
pub fn sweep(points: &[(String, Vec<String>, &RunResults)], outcomes: &[Vec<Outcome>]) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    let mut header = vec![Cell::new("point"), Cell::new("scope")];
    header.extend(COLUMNS.iter().map(|(_, title)| Cell::new(title)));
    header.extend((1..=outcomes.first().map_or(0, Vec::len)).map(|i| Cell::new(format!("check {i}"))));
    table.set_header(header);
    for ((label, _, results), outcomes) in points.iter().zip(outcomes) {
        for (i, scope) in results.scopes.iter().enumerate() {
            let mut row = vec![
                Cell::new(if i == 0 { printable(label).into_owned() } else { String::new() }),
                Cell::new(scope_label(scope)),
            ];
            row.extend(COLUMNS.iter().map(|&(m, _)| {
                let text = if m.applies_to(scope.kind) {
                    format_estimate(m, &results.estimate(scope, m))
                } else {
                    String::new()
                };
                Cell::new(text).set_alignment(CellAlignment::Right)
            }));
            row.extend(outcomes.iter().map(|o| {
                let text = match (i, o.verdict) {
                    (0, Verdict::Fail) => format!("FAIL {:.4}", o.value),
                    (0, Verdict::NoData) => "no data".to_string(),
                    (0, verdict) => format!("{} {:.4}", verdict.name(), o.value),
                    _ => String::new(),
                };
                Cell::new(text).set_alignment(CellAlignment::Right)
            }));
            table.add_row(row);
        }
    }
    table
}
