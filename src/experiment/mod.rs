//! Experiments: replications of a scenario, run in parallel, gathered in order.
//!
//! Replication `r` is a pure function of (scenario, seed, r): its streams are keyed by them
//! (DESIGN.md "Random numbers"), so neither the thread count nor the order in which threads finish
//! can change a result. Replications run in parallel (rayon) in batches; each batch is collected in
//! replication order and merged sequentially, so the floating-point sums are always added in the
//! same order and memory holds one batch of per-interval cells at a time.

pub mod check;
pub mod compare;
pub mod sweep;

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::engine;
use crate::metrics::trace::Trace;
use crate::metrics::{Collector, IntervalCells, RunResults};
use crate::scenario::Scenario;

/// How to run the replications.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// Keep the per-conversation trace of replication 1.
    pub trace: bool,
    /// Set (by a Ctrl-C handler, say) to stop after the replications under way.
    pub cancel: Option<&'static AtomicBool>,
}

/// The run was stopped before all its replications were done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interrupted;

/// Runs one replication and returns its cells.
pub fn replicate(scenario: &Scenario, replication: u32) -> IntervalCells {
    replicate_with(scenario, replication, false).0
}

fn replicate_with(scenario: &Scenario, replication: u32, trace: bool) -> (IntervalCells, Option<Trace>) {
    let mut collector = Collector::new(scenario, trace);
    engine::simulate(scenario, replication, &mut collector);
    (collector.cells, collector.trace)
}

/// Runs `scenario.simulation.replications` replications, calling `progress(done)` after each
/// batch.
pub fn run_replications(scenario: &Scenario, settings: &Settings, progress: &(dyn Fn(usize) + Sync)) -> RunResults {
    let settings = Settings { cancel: None, ..settings.clone() };
    match try_run_replications(scenario, &settings, progress) {
        Ok(results) => results,
        Err(Interrupted) => unreachable!("nothing can cancel a run without a cancel flag"),
    }
}

/// As [`run_replications`], but stops between batches when `settings.cancel` is set.
pub fn try_run_replications(
    scenario: &Scenario,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<RunResults, Interrupted> {
    let cancelled = || settings.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let replications = scenario.simulation.replications;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = settings.threads {
        pool = pool.num_threads(n.max(1));
    }
    let work = |results: &mut RunResults| -> Result<(), Interrupted> {
        let batch = (rayon::current_num_threads() * 2).max(1) as u32;
        let mut start = 0;
        while start < replications {
            if cancelled() {
                return Err(Interrupted);
            }
            let end = (start + batch).min(replications);
            let done: Vec<(IntervalCells, Option<Trace>)> =
                (start..end).into_par_iter().map(|r| replicate_with(scenario, r, settings.trace && r == 0)).collect();
            for (cells, trace) in done {
                results.add(&cells);
                if let Some(trace) = trace {
                    results.trace = Some(trace.rows);
                }
            }
            start = end;
            progress(start as usize);
        }
        if cancelled() { Err(Interrupted) } else { Ok(()) }
    };
    let mut results = RunResults::new(scenario);
    match pool.build() {
        Ok(pool) => pool.install(|| work(&mut results))?,
        Err(_) => work(&mut results)?,
    }
    Ok(results)
}
