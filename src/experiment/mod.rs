//! Experiments: replications of a scenario, run in parallel, gathered in order.
//!
//! Replication `r` is a pure function of (scenario, seed, r): its streams are keyed by them
//! (DESIGN.md "Random numbers"), so neither the thread count nor the order in which threads finish
//! can change a result. Replications run in parallel (rayon) in batches; each batch is collected in
//! replication order and merged sequentially, so the floating-point sums are always added in the
//! same order and memory holds one batch of per-interval cells at a time.

use rayon::prelude::*;

use crate::engine;
use crate::metrics::{Collector, IntervalCells, RunResults};
use crate::scenario::Scenario;

/// Runs one replication and returns its cells.
pub fn replicate(scenario: &Scenario, replication: u32) -> IntervalCells {
    let mut collector = Collector::new(scenario);
    engine::simulate(scenario, replication, &mut collector);
    collector.cells
}

/// Runs `scenario.simulation.replications` replications on `threads` threads (all cores when
/// `None`), calling `progress(done)` after each batch.
pub fn run_replications(scenario: &Scenario, threads: Option<usize>, progress: &(dyn Fn(usize) + Sync)) -> RunResults {
    let replications = scenario.simulation.replications;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(n.max(1));
    }
    let work = |results: &mut RunResults| {
        let batch = (rayon::current_num_threads() * 2).max(1) as u32;
        let mut start = 0;
        while start < replications {
            let end = (start + batch).min(replications);
            let cells: Vec<IntervalCells> = (start..end).into_par_iter().map(|r| replicate(scenario, r)).collect();
            for c in &cells {
                results.add(c);
            }
            start = end;
            progress(start as usize);
        }
    };
    let mut results = RunResults::new(scenario);
    match pool.build() {
        Ok(pool) => pool.install(|| work(&mut results)),
        Err(_) => work(&mut results),
    }
    results
}
