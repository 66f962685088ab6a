//! `ccsim compare`: several variants of one scenario (or two scenario files) on common random
//! numbers, and the paired differences of every metric.
//!
//! Every variant runs with the same seed and the same replication indices, so replication r of
//! each variant sees the same customers — the same arrivals, context values, patience and handle
//! times — and a difference between variants is measured replication by replication
//! ([`crate::metrics::statistics::paired_difference`]). That removes the customers' own noise from
//! the comparison: the paired interval of a push-vs-pick difference is far narrower than the one
//! two independent runs would give.

use crate::metrics::Comparison;
use crate::scenario::Scenario;

use super::{Interrupted, Settings, try_run_replications};

/// A named scenario to compare.
pub struct Variant {
    pub name: String,
    pub scenario: Scenario,
}

/// Why variants cannot be compared.
#[derive(Debug, Clone, PartialEq)]
pub enum CompareError {
    /// Pairs need the same replications and seed.
    Unpaired(String),
    Interrupted,
}

/// Runs every variant with its own replications in parallel, one variant after another.
pub fn compare(
    variants: Vec<Variant>,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Comparison, CompareError> {
    let first = &variants[0].scenario.simulation;
    for v in &variants[1..] {
        let sim = &v.scenario.simulation;
        if sim.replications != first.replications || sim.seed != first.seed {
            return Err(CompareError::Unpaired(format!(
                "variant \"{}\" has {} replications with seed {}, \"{}\" has {} with seed {}; expected the same replications and seed so that the variants see the same customers",
                v.name, sim.replications, sim.seed, variants[0].name, first.replications, first.seed
            )));
        }
    }
    let per_variant = first.replications as usize;
    let mut done = Vec::new();
    for (i, v) in variants.into_iter().enumerate() {
        let offset = i * per_variant;
        let results = try_run_replications(&v.scenario, settings, &|n| progress(offset + n))
            .map_err(|Interrupted| CompareError::Interrupted)?;
        done.push((v.name, results));
    }
    Ok(Comparison { variants: done })
}
