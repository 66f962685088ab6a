//! Comparisons of runs on common random numbers: every variant's estimates and the paired
//! differences from the first variant (DESIGN.md "ccsim compare").

use super::statistics::Estimate;
use super::{Metric, RunResults, Scope};

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
    /// Variant − baseline; NaN for the baseline itself.
    pub difference: Estimate,
}

impl CompareRow<'_> {
    /// The 95% interval of the difference excludes 0.
    pub fn significant(&self) -> bool {
        self.difference.ci95_low > 0.0 || self.difference.ci95_high < 0.0
    }
}

impl Comparison {
    /// Every (scope, metric, variant) row, in report order.
    pub fn rows(&self) -> Vec<CompareRow<'_>> {
        let (_, base) = &self.variants[0];
        let mut rows = Vec::new();
        for scope in &base.scopes {
            for metric in Metric::ALL.into_iter().filter(|m| m.applies_to(scope.kind)) {
                for (i, (name, results)) in self.variants.iter().enumerate() {
                    let Some(scope) = results.scopes.iter().find(|s| s.kind == scope.kind && s.name == scope.name)
                    else {
                        continue;
                    };
                    let difference = if i == 0 {
                        Estimate {
                            mean: f64::NAN,
                            ci95_low: f64::NAN,
                            ci95_high: f64::NAN,
                            std_dev: f64::NAN,
                            replications: 0,
                        }
                    } else {
                        base.difference(results, scope, metric)
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
