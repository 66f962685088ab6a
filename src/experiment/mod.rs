//! Experiments: replications of one or several scenarios, run in parallel, gathered in order.
//!
//! Replication `r` of a scenario is a pure function of (scenario, seed, r): its streams are keyed
//! by them (DESIGN.md "Random numbers"), so neither the thread count nor the order in which threads
//! finish can change a result. [`run_all`] lays every (scenario, replication) pair of a run, a
//! comparison or a sweep out in one flat list — all replications of the first scenario, then of the
//! second, … — and runs it on the threads of one rayon pool, so that variants and sweep points
//! keep every core busy, not only the replications of one of them. Each thread takes the next
//! pair in the list as soon as it is free, with no barrier between replications; finished
//! replications are merged strictly in list order, so every scenario's floating-point sums are
//! added in replication order whatever the thread count or the order in which threads finish. A
//! thread takes a pair only while it is fewer than two pairs per thread ahead of the merge, so
//! memory holds at most that many replications' per-interval cells at a time. A Ctrl-C stops the
//! taking of pairs and, through the collector, the replications under way every
//! [`engine::CHECK_EVERY`] events. A replication that reaches `simulation.max_in_system`
//! conversations in the system stops the run ([`Stopped::Overloaded`]); the replications before
//! it in the list are merged, those after it are dropped, and which one is reported does not
//! depend on the threads.

pub mod check;
pub mod compare;
pub mod folders;
pub mod roster;
pub mod schedule;
pub mod shard;
pub mod staff;
pub mod sweep;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::engine::{self, Ending};
use crate::metrics::trace::Trace;
use crate::metrics::{Collector, IntervalCells, RunResults};
use crate::scenario::{Scenario, limits, memory_label};
use crate::time::{SimTime, SlotCycle};

/// How to run the replications.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// Keep the per-conversation trace of replication 1 (of every scenario).
    pub trace: bool,
    /// Set (by a Ctrl-C handler, say) to stop: no more replications are started, and those under
    /// way stop within [`engine::CHECK_EVERY`] events.
    pub cancel: Option<&'static AtomicBool>,
    /// Keep each replication's cells per slot of this day or week, the reporting intervals that
    /// start in the slot merged ([`RunResults::keep_groups`]).
    pub slots: Option<SlotCycle>,
    /// Read every replication from these shards instead of running it (`ccsim merge`).
    pub stored: Option<std::sync::Arc<shard::Stored>>,
}

/// The reporting intervals of `scenario` grouped by the slot of the cycle in which each starts
/// (a weekly cycle from Monday, whatever weekday day 1 is).
pub fn intervals_by_slot(scenario: &Scenario, cycle: SlotCycle) -> Vec<Vec<usize>> {
    let mut groups = vec![Vec::new(); cycle.count()];
    let monday = if cycle.is_weekly() { scenario.simulation.weekday_offset() as f64 * crate::time::DAY } else { 0.0 };
    for k in 0..scenario.simulation.interval_count() {
        let start = scenario.simulation.interval_bounds(k).0.0;
        groups[cycle.slot_of(start + monday)].push(k);
    }
    groups
}

/// Why a run stopped before all its replications were done.
#[derive(Clone, Debug, PartialEq)]
pub enum Stopped {
    /// The cancel flag was set (Ctrl-C).
    Interrupted,
    /// A replication held `simulation.max_in_system` conversations at once: arrivals outran
    /// the agents for so long that the queue would have exhausted memory.
    Overloaded { scenario: String, replication: u32, at: SimTime, limit: usize },
    /// The shards a run reads its replications from do not belong to it, or are damaged.
    Shards(String),
}

impl std::error::Error for Stopped {}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stopped::Interrupted => write!(f, "interrupted"),
            Stopped::Shards(why) => write!(f, "{why}"),
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

/// The most replications of `scenarios` that may run side by side within
/// [`limits::MEMORY`] beside the cells every one of them keeps
/// for the report; at least 1.
pub fn fitting_threads(scenarios: &[Scenario]) -> usize {
    let (kept, one) = memory(scenarios);
    (limits::MEMORY.saturating_sub(kept) / one.max(1)).clamp(1, limits::THREADS as u64) as usize
}

/// What `scenarios` keep for the report together, and the most one of their replications holds
/// while it runs and waits to be merged.
fn memory(scenarios: &[Scenario]) -> (u64, u64) {
    let footprints: Vec<_> = scenarios.iter().map(Scenario::footprint).collect();
    let kept = footprints.iter().map(|f| f.kept).sum();
    let one = footprints.iter().map(|f| f.under_way + f.waiting).max().unwrap_or(0);
    (kept, one)
}

/// Whether `scenarios` run together — the variants of a `compare`, the points of a `sweep` —
/// fit in [`limits::MEMORY`] with one replication under way:
/// each fits alone (the scenario check sees to that), but their kept cells add up.
pub fn check_memory(scenarios: &[Scenario]) -> Result<(), String> {
    let (kept, one) = memory(scenarios);
    if kept + one <= limits::MEMORY {
        return Ok(());
    }
    Err(format!(
        "{} runs would hold about {} at once (results kept {}, a replication under way {}); expected at most {} (limit MEMORY): fewer variants or points, fewer replications, or a longer interval",
        scenarios.len(),
        memory_label(kept + one),
        memory_label(kept),
        memory_label(one),
        memory_label(limits::MEMORY)
    ))
}

/// Whether replication 1 of `scenario` can keep a `--trace`: the trace is the one output that
/// grows with the conversations simulated, and is held until the run ends.
pub fn check_trace(scenario: &Scenario) -> Result<(), String> {
    let horizon = scenario.simulation.horizon.0;
    let expected: f64 = scenario.channels.iter().map(|c| c.arrivals.expected_count(horizon)).sum();
    if expected <= limits::TRACE_CONVERSATIONS {
        return Ok(());
    }
    Err(format!(
        "--trace: replication 1 of \"{}\" expects about {expected:.0} conversations; expected at most {:.0} with --trace (limit TRACE_CONVERSATIONS, about 740 MB): shorten the horizon (simulation.horizon) or leave --trace out",
        scenario.name,
        limits::TRACE_CONVERSATIONS
    ))
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

/// Runs `scenario.simulation.replications` replications, calling `progress(done)` as each one is
/// merged. For benchmarks and tests: panics if the center overloads ([`Stopped::Overloaded`]).
pub fn run_replications(scenario: &Scenario, settings: &Settings, progress: &(dyn Fn(usize) + Sync)) -> RunResults {
    let settings = Settings { cancel: None, ..settings.clone() };
    match try_run_replications(scenario, &settings, progress) {
        Ok(results) => results,
        Err(stopped) => panic!("{stopped}"),
    }
}

/// As [`run_replications`], but stops when `settings.cancel` is set.
pub fn try_run_replications(
    scenario: &Scenario,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<RunResults, Stopped> {
    let mut all = run_all(std::slice::from_ref(scenario), settings, progress)?;
    Ok(all.remove(0))
}

/// Runs every scenario's replications as one flat parallel workload (see the module doc) and
/// returns their results in the scenarios' order. `progress(done)` is called each time a
/// replication is merged, with the replications merged so far over all scenarios. Stops taking
/// replications when `settings.cancel` is set. With `settings.stored`, the replications are not
/// run but read from the shards of an earlier sharded run ([`shard`]), in the same order.
pub fn run_all(
    scenarios: &[Scenario],
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<RunResults>, Stopped> {
    let mut results: Vec<RunResults> = scenarios
        .iter()
        .map(|s| match settings.slots {
            Some(cycle) => RunResults::new(s).keep_groups(intervals_by_slot(s, cycle)),
            None => RunResults::new(s),
        })
        .collect();
    let pairs = work_list(scenarios);
    let mut merge = |i: usize, cells: IntervalCells, trace: Option<Trace>| {
        let s = pairs[i].0;
        results[s].add(cells);
        if let Some(trace) = trace {
            results[s].trace = Some(trace.rows);
        }
    };
    match &settings.stored {
        Some(stored) => stored.replay(scenarios, progress, &mut merge)?,
        None => run_pairs(scenarios, &pairs, settings, progress, &mut merge)?,
    }
    Ok(results)
}

/// The work list of `scenarios`: every (scenario, replication) pair, all replications of the
/// first scenario, then of the second, …, in the order their results are merged.
pub fn work_list(scenarios: &[Scenario]) -> Vec<(usize, u32)> {
    scenarios
        .iter()
        .enumerate()
        .flat_map(|(s, scenario)| (0..scenario.simulation.replications).map(move |r| (s, r)))
        .collect()
}

/// Hands each finished pair's cells (and trace) to a merge, in list order.
pub type Sink<'a> = dyn FnMut(usize, IntervalCells, Option<Trace>) + Send + 'a;

/// Runs `pairs` (places in `scenarios` and replications) on the threads of one pool, handing
/// each finished one to `sink` with its place in `pairs`, strictly in that order.
pub fn run_pairs(
    scenarios: &[Scenario],
    pairs: &[(usize, u32)],
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
    sink: &mut Sink<'_>,
) -> Result<(), Stopped> {
    let cancelled = || settings.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    // Fewer replications side by side when their memory calls for it: the results are the same.
    let fitting = fitting_threads(scenarios);
    let threads = settings.threads.unwrap_or_else(rayon::current_num_threads).clamp(1, fitting);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
    let merge = Mutex::new(Merge {
        sink,
        waiting: BTreeMap::new(),
        taken: 0,
        next: 0,
        failed: false,
        abandoned: false,
        stopped: None,
    });
    let merged = Condvar::new();
    let work = || {
        let workers = rayon::current_num_threads().max(1);
        // How far the replications under way may run ahead of the merge: two per thread, as
        // many cells as memory holds at once.
        let window = workers * 2;
        let worker = || {
            let _guard = Abandon { merge: &merge, merged: &merged };
            loop {
                let i = {
                    let mut m = lock(&merge);
                    loop {
                        if m.taken >= pairs.len() || m.failed || m.abandoned || cancelled() {
                            return;
                        }
                        if m.taken < m.next + window {
                            m.taken += 1;
                            break m.taken - 1;
                        }
                        m = merged.wait(m).unwrap_or_else(PoisonError::into_inner);
                    }
                };
                let (s, r) = pairs[i];
                let outcome = replicate_with(&scenarios[s], r, settings.trace && r == 0, settings.cancel);
                let mut m = lock(&merge);
                m.failed |= outcome.is_err();
                m.waiting.insert(i, outcome);
                debug_assert!(m.waiting.len() <= window, "no more replications wait than the window holds");
                let before = m.next;
                m.merge_ready();
                if m.next > before {
                    progress(m.next);
                }
                // Waiting workers look again: the merge moved on, or this replication stopped the
                // run and nothing more will be merged.
                merged.notify_all();
            }
        };
        rayon::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|_| worker());
            }
        });
    };
    match pool.build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
    let m = merge.into_inner().unwrap_or_else(PoisonError::into_inner);
    match m.stopped {
        Some(stopped) => Err(stopped),
        None if m.next < pairs.len() || cancelled() => Err(Stopped::Interrupted),
        None => Ok(()),
    }
}

type Outcome = Result<(IntervalCells, Option<Trace>), Stopped>;

/// The replications of [`run_pairs`] as the workers finish them, merged in list order.
struct Merge<'s, 'a> {
    sink: &'s mut Sink<'a>,
    /// Finished replications that wait for an earlier one, by their place in the list.
    waiting: BTreeMap<usize, Outcome>,
    /// How many replications, from the start of the list, have been handed to a worker.
    taken: usize,
    /// The place of the next replication to merge: all before it are merged.
    next: usize,
    /// A finished replication stopped early: take no more.
    failed: bool,
    /// A worker panicked: its replication will never arrive, so nobody may wait for it.
    abandoned: bool,
    /// The first replication, in list order, that stopped early.
    stopped: Option<Stopped>,
}

impl Merge<'_, '_> {
    /// Merges the waiting replications that follow the merged ones without a gap. The first that
    /// stopped early ends the merge; every replication before it in the list was handed out
    /// before it and is merged, so which one is reported does not depend on the threads.
    fn merge_ready(&mut self) {
        while self.stopped.is_none() {
            let Some(outcome) = self.waiting.remove(&self.next) else { return };
            match outcome {
                Ok((cells, trace)) => {
                    (self.sink)(self.next, cells, trace);
                    self.next += 1;
                }
                Err(stopped) => self.stopped = Some(stopped),
            }
        }
    }
}

fn lock<'m, 's, 'a>(merge: &'m Mutex<Merge<'s, 'a>>) -> MutexGuard<'m, Merge<'s, 'a>> {
    merge.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Wakes the waiting workers when a worker unwinds, so that none waits for the replication it
/// was running; the panic itself reaches the caller through `rayon::scope`.
struct Abandon<'m, 's, 'a> {
    merge: &'m Mutex<Merge<'s, 'a>>,
    merged: &'m Condvar,
}

impl Drop for Abandon<'_, '_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(self.merge).abandoned = true;
            self.merged.notify_all();
        }
    }
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
