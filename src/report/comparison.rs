//! What `ccsim compare` and `ccsim sweep` write and print.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use super::csv_files::{finish, number, writer};
use super::terminal::format_estimate;
use crate::metrics::{Comparison, Metric, RunResults, ScopeKind};

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
/// with its interval; `*` marks a difference whose 95% interval excludes 0.
pub fn compare_table(comparison: &Comparison) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    let base = &comparison.variants[0].0;
    let mut header = vec![Cell::new("metric (all)")];
    header.extend(comparison.variants.iter().map(|(name, _)| Cell::new(name)));
    header.extend(comparison.variants[1..].iter().map(|(name, _)| Cell::new(format!("{name} − {base}"))));
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
        for r in &of_metric[1..] {
            let mut text = format_estimate(metric, &r.difference);
            if r.significant() {
                let verdict = match (metric.larger_is_worse(), r.difference.mean > 0.0) {
                    (Some(true), true) | (Some(false), false) => " worse",
                    (Some(_), _) => " better",
                    (None, _) => "",
                };
                text = format!("{text} *{verdict}");
            }
            cells.push(Cell::new(text).set_alignment(CellAlignment::Right));
        }
        table.add_row(cells);
    }
    table.to_string()
}

/// The columns of `sweep.csv` after the point and scope: each headline metric with its interval.
fn sweep_header(keys: &[String]) -> Vec<String> {
    let mut header = vec!["point".to_string()];
    header.extend(keys.iter().cloned());
    header.extend(["scope".to_string(), "name".to_string()]);
    for m in Metric::HEADLINE {
        header.extend([m.name().to_string(), format!("{}_ci95_low", m.name()), format!("{}_ci95_high", m.name())]);
    }
    header
}

/// `sweep.csv`: one row per point and scope, with the headline metrics and their intervals.
pub fn sweep_csv(keys: &[String], points: &[(String, Vec<String>, &RunResults)]) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(sweep_header(keys))?;
    for (label, values, results) in points {
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
            w.write_record(&record)?;
        }
    }
    finish(w)
}

/// One row per point: scope `all`, a few headline metrics.
pub fn sweep_table(points: &[(String, Vec<String>, &RunResults)]) -> String {
    let columns =
        [Metric::Offered, Metric::ServiceLevel, Metric::AsaS, Metric::WaitP90S, Metric::AbandonRate, Metric::Occupancy];
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    let mut header = vec![Cell::new("point")];
    header.extend(columns.iter().map(|m| Cell::new(m.name())));
    table.set_header(header);
    for (label, _, results) in points {
        let mut row = vec![Cell::new(label)];
        row.extend(columns.iter().map(|&m| {
            Cell::new(format_estimate(m, &results.estimate(&results.scopes[0], m))).set_alignment(CellAlignment::Right)
        }));
        table.add_row(row);
    }
    table.to_string()
}
