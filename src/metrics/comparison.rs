//! Comparisons of runs on common random numbers: every variant's estimates and the paired
//! differences from the first variant (DESIGN.md "ccsim compare").
//!
//! Scopes are paired by kind and name — the queue `vip` of one variant with the queue `vip` of the
//! other — never by their place in the scenario file, so two files that list their tables in
//! another order compare exactly as if they listed them in the same one.
//!
//! A scope that some variants lack (a queue only the second scenario file has, say) is still
//! reported, for the variants that have it, with its estimates but without a difference: the
//! difference columns are NaN and it is never significant, because there is nothing to pair it
//! with. The scopes come in the first variant's report order, then those it lacks in the order the
//! other variants first report them.

use super::definitions::Kind;
use super::statistics::{self, Estimate};
use super::{Metric, RunResults, Scope, Value};

/// The results of every variant; the first is the baseline of the differences.
pub struct Comparison {
    pub variants: Vec<(String, RunResults)>,
}

/// One line of `compare.csv`: a variant's estimate and its paired difference from the baseline.
pub struct CompareRow<'a> {
    pub scope: &'a Scope,
    pub metric: Metric,
    pub variant: &'a str,
    pub estimate: Estimate,
    /// Variant − baseline; NaN for the baseline itself and for a scope the baseline lacks.
    pub difference: Estimate,
}

impl CompareRow<'_> {
    /// The 95% interval of the difference excludes 0.
    pub fn significant(&self) -> bool {
        self.difference.ci95_low > 0.0 || self.difference.ci95_high < 0.0
    }
}

fn undefined() -> Estimate {
    Estimate { mean: f64::NAN, ci95_low: f64::NAN, ci95_high: f64::NAN, std_dev: f64::NAN, replications: 0 }
}

fn same(a: &Scope, b: &Scope) -> bool {
    a.kind == b.kind && a.name == b.name
}

/// `b − a` for `metric`, replication by replication, where each run's cells of the scope are
/// found through its own [`Scope`] (the same queue may sit at another index in the other run).
pub fn paired_difference(a: &RunResults, a_scope: &Scope, b: &RunResults, b_scope: &Scope, metric: Metric) -> Estimate {
    let values = |run: &RunResults, scope: &Scope| -> Vec<Value> {
        (0..run.replications.len()).map(|r| run.replication_value(r, scope, metric)).collect()
    };
    let (va, vb) = (values(a, a_scope), values(b, b_scope));
    match metric.kind() {
        Kind::Ratio => {
            let parts = |v: &[Value]| -> Vec<(f64, f64)> {
                v.iter()
                    .map(|x| match *x {
                        Value::Ratio { numerator, denominator } => (numerator, denominator),
                        Value::Number(x) => (x, 1.0),
                    })
                    .collect()
            };
            statistics::paired_ratio_difference(&parts(&va), &parts(&vb))
        }
        Kind::Count | Kind::Mean => {
            let numbers = |v: &[Value]| -> Vec<f64> { v.iter().map(|x| x.number()).collect() };
            statistics::paired_difference(&numbers(&va), &numbers(&vb))
        }
    }
}

impl Comparison {
    /// Every scope of any variant, once: the first variant's, then those it lacks.
    fn scopes(&self) -> Vec<&Scope> {
        let mut all: Vec<&Scope> = Vec::new();
        for (_, results) in &self.variants {
            for scope in &results.scopes {
                if !all.iter().any(|s| same(s, scope)) {
                    all.push(scope);
                }
            }
        }
        all
    }

    /// Every (scope, metric, variant) row, in report order.
    pub fn rows(&self) -> Vec<CompareRow<'_>> {
        let (_, base) = &self.variants[0];
        let mut rows = Vec::new();
        for wanted in self.scopes() {
            let base_scope = base.scopes.iter().find(|s| same(s, wanted));
            for metric in Metric::ALL.into_iter().filter(|m| m.applies_to(wanted.kind)) {
                for (i, (name, results)) in self.variants.iter().enumerate() {
                    let Some(scope) = results.scopes.iter().find(|s| same(s, wanted)) else {
                        continue;
                    };
                    let difference = match base_scope {
                        Some(base_scope) if i > 0 => paired_difference(base, base_scope, results, scope, metric),
                        _ => undefined(),
                    };
                    rows.push(CompareRow {
                        scope,
                        metric,
                        variant: name,
                        estimate: results.estimate(scope, metric),
                        difference,
                    });
                }
            }
        }
        rows
    }
}
