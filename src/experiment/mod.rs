//! Experiments: replications of one or several scenarios, run in parallel, gathered in order.
//!
//! Replication `r` of a scenario is a pure function of (scenario, seed, r): its streams are keyed
//! by them (DESIGN.md "Random numbers"), so neither the thread count nor the order in which threads
//! finish can change a result. [`run_all`] lays every (scenario, replication) pair of a run, a
//! comparison or a sweep out in one flat list — all replications of the first scenario, then of the
//! second, … — and runs it in batches of two pairs per thread as one rayon parallel iterator, so
//! that variants and sweep points keep every core busy, not only the replications of one of them.
//! Each batch is collected in list order and merged sequentially, so every scenario's
//! floating-point sums are added in replication order whatever the thread count or batch size, and
//! memory holds one batch of per-interval cells at a time. A Ctrl-C is seen between batches and,
//! through the collector, inside a replication every [`engine::CHECK_EVERY`] events. A replication
//! that reaches `simulation.max_in_system` conversations in the system stops the run
//! ([`Stopped::Overloaded`]).

pub mod check;
pub mod compare;
pub mod folders;
pub mod sweep;

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::engine::{self, Ending};
use crate::metrics::trace::Trace;
use crate::metrics::{Collector, IntervalCells, RunResults};
use crate::scenario::Scenario;
use crate::time::SimTime;

/// How to run the replications.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// Keep the per-conversation trace of replication 1 (of every scenario).
    pub trace: bool,
    /// Set (by a Ctrl-C handler, say) to stop after the batch of replications under way.
    pub cancel: Option<&'static AtomicBool>,
}

/// Why a run stopped before all its replications were done.
#[derive(Clone, Debug, PartialEq)]
pub enum Stopped {
    /// The cancel flag was set (Ctrl-C).
    Interrupted,
    /// A replication held `simulation.max_in_system` conversations at once: arrivals outran
    /// the agents for so long that the queue would have exhausted memory.
    Overloaded { scenario: String, replication: u32, at: SimTime, limit: usize },
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stopped::Interrupted => write!(f, "interrupted"),
            Stopped::Overloaded { scenario, replication, at, limit } => write!(
                f,
                "{scenario}: replication {} stopped at {} with {limit} conversations in the system \
                 (simulation.max_in_system): arrivals outrun what the agents can handle (more than 100% load \
                 without abandonment, or nobody staffed for a long stretch), so the queue grows without bound; \
                 add agents or patience, shorten the horizon, or raise simulation.max_in_system",
                replication + 1,
                at.clock_label(),
            ),
        }
    }
}

/// Runs one replication and returns its cells.
pub fn replicate(scenario: &Scenario, replication: u32) -> IntervalCells {
    match replicate_with(scenario, replication, false, None) {
        Ok((cells, _)) => cells,
        Err(stopped) => panic!("{stopped}"),
    }
}

fn replicate_with(
    scenario: &Scenario,
    replication: u32,
    trace: bool,
    cancel: Option<&'static AtomicBool>,
) -> Result<(IntervalCells, Option<Trace>), Stopped> {
    let mut collector = Collector::new(scenario, trace);
    collector.cancel = cancel;
    match engine::simulate(scenario, replication, &mut collector).ending {
        Ending::Horizon => Ok((collector.cells, collector.trace)),
        Ending::Interrupted { .. } => Err(Stopped::Interrupted),
        Ending::Overloaded { at } => Err(Stopped::Overloaded {
            scenario: scenario.name.clone(),
            replication,
            at,
            limit: scenario.simulation.max_in_system,
        }),
    }
}

/// Runs `scenario.simulation.replications` replications, calling `progress(done)` after each
/// batch. For benchmarks and tests: panics if the center overloads ([`Stopped::Overloaded`]).
pub fn run_replications(scenario: &Scenario, settings: &Settings, progress: &(dyn Fn(usize) + Sync)) -> RunResults {
    let settings = Settings { cancel: None, ..settings.clone() };
    match try_run_replications(scenario, &settings, progress) {
        Ok(results) => results,
        Err(stopped) => panic!("{stopped}"),
    }
}

/// As [`run_replications`], but stops between batches when `settings.cancel` is set.
pub fn try_run_replications(
    scenario: &Scenario,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<RunResults, Stopped> {
    let mut all = run_all(std::slice::from_ref(scenario), settings, progress)?;
    Ok(all.remove(0))
}

/// Runs every scenario's replications as one flat parallel workload (see the module doc) and
/// returns their results in the scenarios' order. `progress(done)` is called after each batch with
/// the replications done so far over all scenarios. Stops between batches when `settings.cancel`
/// is set.
pub fn run_all(
    scenarios: &[Scenario],
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<RunResults>, Stopped> {
    let cancelled = || settings.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    // Every (scenario, replication) pair, in the order their results are merged.
    let pairs: Vec<(usize, u32)> = scenarios
        .iter()
        .enumerate()
        .flat_map(|(s, scenario)| (0..scenario.simulation.replications).map(move |r| (s, r)))
        .collect();
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = settings.threads {
        pool = pool.num_threads(n.max(1));
    }
    let mut results: Vec<RunResults> = scenarios.iter().map(RunResults::new).collect();
    let work = |results: &mut Vec<RunResults>| -> Result<(), Stopped> {
        let batch = (rayon::current_num_threads() * 2).max(1);
        for (b, chunk) in pairs.chunks(batch).enumerate() {
            if cancelled() {
                return Err(Stopped::Interrupted);
            }
            let done: Vec<Result<(IntervalCells, Option<Trace>), Stopped>> = chunk
                .par_iter()
                .map(|&(s, r)| replicate_with(&scenarios[s], r, settings.trace && r == 0, settings.cancel))
                .collect();
            // Sequentially, in list order: each scenario gets its replications in index order, and
            // the first replication that stopped early (in that order) is the one reported.
            for (&(s, _), outcome) in chunk.iter().zip(done) {
                let (cells, trace) = outcome?;
                results[s].add(cells);
                if let Some(trace) = trace {
                    results[s].trace = Some(trace.rows);
                }
            }
            progress(b * batch + chunk.len());
        }
        if cancelled() { Err(Stopped::Interrupted) } else { Ok(()) }
    };
    match pool.build() {
        Ok(pool) => pool.install(|| work(&mut results))?,
        Err(_) => work(&mut results)?,
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Override, ScenarioSource};

    fn small(sets: &[&str]) -> Scenario {
        let mut all = vec!["simulation.horizon=4h", "simulation.replications=3"];
        all.extend_from_slice(sets);
        let overrides: Vec<Override> = all.iter().map(|s| s.parse().unwrap()).collect();
        ScenarioSource::default_scenario().with_overrides(&overrides).unwrap()
    }

    fn bits(results: &RunResults) -> Vec<u64> {
        results.summary().iter().flat_map(|r| [r.estimate.mean.to_bits(), r.estimate.ci95_low.to_bits()]).collect()
    }

    #[test]
    fn several_scenarios_in_one_workload_give_what_each_gives_alone_on_any_thread_count() {
        let scenarios = vec![small(&[]), small(&["agent_group.generalists.count=6", "simulation.replications=2"])];
        let alone: Vec<Vec<u64>> = scenarios
            .iter()
            .map(|s| bits(&run_replications(s, &Settings { threads: Some(1), ..Settings::default() }, &|_| {})))
            .collect();
        for threads in [1, 2, 3] {
            let settings = Settings { threads: Some(threads), ..Settings::default() };
            let last = std::sync::atomic::AtomicUsize::new(0);
            let together =
                run_all(&scenarios, &settings, &|n| last.store(n, std::sync::atomic::Ordering::Relaxed)).unwrap();
            assert_eq!(together.iter().map(bits).collect::<Vec<_>>(), alone, "{threads} threads");
            assert_eq!(last.into_inner(), 5, "progress counts the replications of every scenario");
        }
    }
}
