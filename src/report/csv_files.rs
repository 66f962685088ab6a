//! The CSV files of a run: `summary.csv`, `intervals.csv` and `replications.csv` (DESIGN.md
//! "Output files"). Each is a function of finished results; the numbers come from
//! [`crate::metrics`], this module only lays them out. Numbers are written in Rust's shortest
//! round-trip form, so the same results always give the same bytes; undefined values are `NaN`.

use crate::metrics::{Metric, RunResults};

/// The metric columns of `intervals.csv`: those of DESIGN.md, then the lifecycle counts.
pub const INTERVAL_METRICS: [Metric; 15] = [
    Metric::Offered,
    Metric::Answered,
    Metric::Abandoned,
    Metric::AutoClosed,
    Metric::AsaS,
    Metric::WaitP90S,
    Metric::ServiceLevel,
    Metric::AbandonRate,
    Metric::AvgQueueLen,
    Metric::Occupancy,
    Metric::Offers,
    Metric::Rejects,
    Metric::Timeouts,
    Metric::Waits,
    Metric::Reopened,
];

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> csv::Result<Vec<u8>> {
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn number(x: f64) -> String {
    if x.is_nan() { "NaN".to_string() } else { x.to_string() }
}

/// `scope,name,metric,mean,ci95_low,ci95_high,std_dev,replications`
pub fn summary_csv(results: &RunResults) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(["scope", "name", "metric", "mean", "ci95_low", "ci95_high", "std_dev", "replications"])?;
    for row in results.summary() {
        let e = row.estimate;
        w.write_record([
            row.scope.name(),
            &row.name,
            row.metric.name(),
            &number(e.mean),
            &number(e.ci95_low),
            &number(e.ci95_high),
            &number(e.std_dev),
            &e.replications.to_string(),
        ])?;
    }
    finish(w)
}

/// One row per (interval, scope), the metrics of [`INTERVAL_METRICS`] over all replications.
pub fn intervals_csv(results: &RunResults) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    let mut header = vec!["interval_start", "interval_end", "scope", "name"];
    header.extend(INTERVAL_METRICS.iter().map(|m| m.name()));
    w.write_record(&header)?;
    for (k, (start, end)) in results.interval_labels.iter().enumerate() {
        for scope in &results.scopes {
            let mut record = vec![start.clone(), end.clone(), scope.kind.name().to_string(), scope.name.clone()];
            record.extend(INTERVAL_METRICS.iter().map(|&m| number(results.interval_value(k, scope, m))));
            w.write_record(&record)?;
        }
    }
    finish(w)
}

/// One row per (replication, scope) with every headline metric (NaN where it does not apply).
pub fn replications_csv(results: &RunResults) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    let mut header = vec!["replication", "scope", "name"];
    header.extend(Metric::ALL.iter().map(|m| m.name()));
    w.write_record(&header)?;
    for r in 0..results.replications.len() {
        for scope in &results.scopes {
            let mut record = vec![(r + 1).to_string(), scope.kind.name().to_string(), scope.name.clone()];
            record.extend(Metric::ALL.iter().map(|&m| {
                if m.applies_to(scope.kind) {
                    number(results.replication_value(r, scope, m).number())
                } else {
                    "NaN".into()
                }
            }));
            w.write_record(&record)?;
        }
    }
    finish(w)
}
