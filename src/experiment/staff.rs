//! `ccsim staff`: the fewest agents per slot of the day that meet the scenario's `[[check]]`
//! gates, found by simulation and checked by a separate one (DESIGN.md "Staffing").
//!
//! A gate with `every_interval = true` is judged per staffing slot: a slot's value pools every
//! day's occurrence of that slot after warm-up over all replications, as a ratio of sums; a gate
//! without it is judged over the whole run, as `ccsim check` judges it.
//!
//! The search:
//! 1. **Load.** One run with the searched groups staffed for far more than the demand measures
//!    the load each group carries in each slot (capacity units in use per agent capacity), and
//!    the handle times it sees.
//! 2. **Analytic start.** Per slot and group, the fewest agents that meet the per-slot service
//!    level, ASA or abandonment gate by Erlang C (Erlang A where the work stream's patience is
//!    exponential), on that load, with the group's capacity as concurrency
//!    ([`crate::erlang::fewest_agents`]); without such a gate, the load rounded up.
//! 3. **Iterative staffing algorithm** (Feldman, Mandelbaum, Massey and Whitt, 2008): simulate
//!    the staffing; per slot, the conversations in service and waiting give the load whose steady
//!    state at the slot's staffing holds as many: the queue a slot inherits from earlier slots
//!    counts, the queue the formula adds by itself does not; staff the slot for that load as in
//!    2; repeat until no slot moves by more than one agent, at most [`ISA_ROUNDS`] times.
//! 4. **Local search** on common random numbers (every search run has the scenario's seed): while
//!    a gate fails — a per-slot gate on the mean judged [`SEARCH_MARGIN`] standard errors (across
//!    replications) on the safe side of its bound — an agent is added to each failing slot (for a
//!    whole-run gate, to the slot where its metric is worst), to the cheapest searched group that
//!    serves the gate's scope; then agents are taken away, one group at a time and the dearest
//!    first (cost per unit of capacity), or exchanged for agents of a cheaper group, in every slot
//!    that keeps its gates so, and put back where that broke one, until nothing more changes.
//! 5. **Verification** on a seed that no search run used ([`verification_seed`]), with the
//!    scenario's replication count unless told otherwise: its gates are what the command reports,
//!    since the search's own runs are biased in its favour (of many slots, some come out lucky on
//!    any one seed). Where it fails, each failing slot gets an agent more and a verification on a
//!    fresh seed follows, at most [`REPAIR_ROUNDS`] times; the last one is reported.
//!
//! Decisions where the design is silent: gates on chosen `intervals` are refused (a slot is not a
//! reporting interval); the searched groups' `shift`, `count` and `staffing` are replaced
//! whole; the search stops after [`MAX_ROUNDS`] rounds of adding, and says so.

use crate::erlang::{self, QueueModel, Target};
use crate::metrics::gates::{self, Verdict};
use crate::metrics::{Metric, RunResults, Scope, ScopeKind};
use crate::scenario::distribution::Distribution;
use crate::scenario::profile::Profile;
use crate::scenario::{Check, CheckIntervals, GroupId, Scenario};
use crate::time::{DAY, Duration, SlotCycle};

use super::{Settings, Stopped, try_run_replications};
pub use crate::report::staff::{SlotGate, SlotStaffing};

/// The most rounds of adding agents before the search gives up.
pub const MAX_ROUNDS: usize = 60;

/// The most rounds of repair after a verification that fails.
pub const REPAIR_ROUNDS: usize = 5;

/// The most iterations of the iterative staffing algorithm.
pub const ISA_ROUNDS: usize = 5;

/// What to search.
#[derive(Clone, Debug)]
pub struct Request {
    /// The groups whose staffing is searched; the others stay as written.
    pub groups: Vec<GroupId>,
    /// The staffing slot, seconds: 15 minutes, 30 minutes or an hour.
    pub slot: f64,
    /// The most agents a searched group may have in a slot.
    pub max_agents: u32,
    /// Replications of the verification run.
    pub verify_replications: u32,
}

/// Why the search cannot run, or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// The scenario or the request cannot be searched: invalid input.
    #[error("{0}")]
    Input(String),
    /// A gate that cannot be judged, with its place in the scenario file.
    #[error("{}", .0.message)]
    Gate(gates::GateError),
    #[error(transparent)]
    Stopped(#[from] Stopped),
}

/// What the search found and what the verification saw.
pub struct Plan {
    /// Per searched group (in `Request::groups` order), per slot.
    pub staffing: Vec<Vec<SlotStaffing>>,
    /// The scenario with the found staffing and the verification's seed and replications.
    pub staffed: Scenario,
    pub verification: RunResults,
    /// The per-slot gates of the verification, and the whole-run ones.
    pub slot_gates: Vec<SlotGate>,
    pub whole_gates: Vec<gates::Gate>,
    /// Rounds of adding the search took, and whether it stopped before every gate held.
    pub rounds: usize,
    pub gave_up: bool,
    /// Iterations of the iterative staffing algorithm.
    pub iterations: usize,
    /// Rounds of repair after verifications that failed: the verification reported is the
    /// last, on a seed of its own.
    pub repairs: usize,
    /// Simulations run, the verification included: the search costs this many plain runs.
    pub simulations: usize,
    /// Slots where a gate still failed with every group that could take more at `max_agents`.
    pub at_most: Vec<usize>,
}

impl Plan {
    /// The verification's gates as `check.csv` lists them: each per-slot gate per slot (its
    /// interval the slot's start), then the whole-run ones.
    pub fn gates(&self, scenario: &Scenario, slot: f64) -> Vec<gates::Gate> {
        Plan::gates_of(&self.slot_gates, &self.whole_gates, scenario, SlotCycle::daily(slot))
    }

    /// Per-slot and whole-run gates as `check.csv` lists them.
    pub fn gates_of(
        slot_gates: &[SlotGate],
        whole_gates: &[gates::Gate],
        scenario: &Scenario,
        cycle: SlotCycle,
    ) -> Vec<gates::Gate> {
        let mut all: Vec<gates::Gate> = slot_gates
            .iter()
            .map(|g| {
                let c = &scenario.checks[g.check];
                gates::Gate {
                    kind: "assertion",
                    scope: gates::scope_kind(&c.scope),
                    name: c.name.clone(),
                    metric: Metric::from_name(&c.metric).expect("checked"),
                    interval: Some(cycle.label(g.slot)),
                    value: g.value,
                    ci95_low: g.ci95_low,
                    ci95_high: g.ci95_high,
                    limit: format!("{}{}", gates::bounds_text(c), if c.on_ci { " (95% CI)" } else { "" }),
                    min: c.min,
                    max: c.max,
                    baseline: None,
                    p_value: None,
                    verdict: g.verdict,
                }
            })
            .collect();
        all.extend(whole_gates.iter().cloned());
        all
    }

    /// Whether every gate of the verification holds.
    pub fn holds(&self) -> bool {
        self.slot_gates.iter().all(|g| g.verdict != Verdict::Fail)
            && self.whole_gates.iter().all(|g| g.verdict != Verdict::Fail)
    }
}

/// The seed of the verification after `repairs` rounds of repair: derived from the scenario's,
/// never the one the search used, and different in each round.
pub fn verification_seed(seed: u64, repairs: usize) -> u64 {
    let mut z = seed ^ 0x005E_ED0F_5741_FF00 ^ (repairs as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let derived = z >> 1;
    if derived == seed { derived ^ 1 } else { derived }
}

/// Checks the request against the scenario before anything runs.
pub fn check_request(scenario: &Scenario, request: &Request) -> Result<(), StaffError> {
    let input = |m: String| Err(StaffError::Input(m));
    if scenario.checks.is_empty() {
        return input(
            "nothing to staff for: the scenario has no [[check]]; expected a gate such as\n[[check]]\nmetric = \"service_level\"\nmin = 0.8\nevery_interval = true".into(),
        );
    }
    gates::check_metrics(&scenario.checks).map_err(StaffError::Gate)?;
    if let Some((i, _)) =
        scenario.checks.iter().enumerate().find(|(_, c)| matches!(c.intervals, CheckIntervals::Chosen(_)))
    {
        return input(format!(
            "check[{i}].intervals: staff judges a gate per staffing slot (every_interval = true) or over the whole run; expected one of those"
        ));
    }
    if let Some((i, _)) = scenario.checks.iter().enumerate().find(|(_, c)| c.on_ci)
        && (scenario.simulation.replications < 2 || request.verify_replications < 2)
    {
        return input(format!(
            "check[{i}].on: \"ci\" judges the 95% bound, which needs at least 2 replications in the search and the verification; expected simulation.replications and --verify-replications of 2 or more"
        ));
    }
    // A staffing profile's slots: hours, half hours or quarter hours.
    if ![900.0, 1800.0, 3600.0].contains(&request.slot) {
        return input(format!(
            "--slot {}: expected 15m, 30m or 1h, the slots a staffing profile has",
            Duration(request.slot).label()
        ));
    }
    if request.max_agents == 0 || u64::from(request.max_agents) > crate::scenario::limits::AGENTS {
        return input(format!(
            "--max-agents {}: expected 1 to {} agents",
            request.max_agents,
            crate::scenario::limits::AGENTS
        ));
    }
    if scenario.simulation.horizon.0 - scenario.simulation.warmup.0 < request.slot {
        return input("the horizon after warm-up is shorter than one slot; expected at least one slot to staff".into());
    }
    Ok(())
}

/// Where the search is: told after each simulation, and before the verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Simulations run so far.
    pub simulations: usize,
    pub phase: Phase,
}

/// A phase of the search, as [`staff`]'s module documentation numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Load,
    /// The iterative staffing algorithm's iteration, from 1.
    Iterating(usize),
    /// The local search's round of adding, from 1.
    Adding(usize),
    TakingAway,
    /// The verification after this many rounds of repair.
    Verifying(usize),
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Phase::Load => write!(f, "measuring the load"),
            Phase::Iterating(i) => write!(f, "iteration {i}: each slot staffed for its simulated load"),
            Phase::Adding(r) => write!(f, "round {r}: adding where a gate fails"),
            Phase::TakingAway => write!(f, "taking away where every gate holds"),
            Phase::Verifying(0) => write!(f, "verifying on an independent seed"),
            Phase::Verifying(r) => write!(f, "verifying on a fresh seed after {r} rounds of repair"),
        }
    }
}

/// Searches the staffing of `request.groups`, telling `progress` where it is.
pub fn staff(
    scenario: &Scenario,
    request: &Request,
    settings: &Settings,
    progress: &(dyn Fn(Step) + Sync),
) -> Result<Plan, StaffError> {
    check_request(scenario, request)?;
    let slots = (DAY / request.slot).round() as usize;
    let mut search = scenario.clone();
    // Results are grouped by slot: one reporting interval per slot.
    search.simulation.interval = Duration(request.slot);
    // Each replication's cells per slot, for the per-slot intervals.
    let by_slot = Settings { slots: Some(SlotCycle::daily(request.slot)), ..settings.clone() };
    let simulations = std::cell::Cell::new(0usize);
    let run = |s: &Scenario| {
        simulations.set(simulations.get() + 1);
        try_run_replications(s, &by_slot, &|_| {})
    };

    // 1. The load, with the searched groups staffed for far more than the demand.
    let generous = generous_staffing(scenario, request);
    let measured = run(&with_staffing(&search, request, &vec![vec![generous; slots]; request.groups.len()]))?;
    progress(Step { simulations: simulations.get(), phase: Phase::Load });
    // 2. The analytic start.
    let models: Vec<SlotModel> = request.groups.iter().map(|&g| SlotModel::new(scenario, g)).collect();
    let aht: Vec<Vec<f64>> =
        request.groups.iter().map(|&g| (0..slots).map(|j| group_load(&measured, scenario, g, j).1).collect()).collect();
    let mut staffing: Vec<Vec<SlotStaffing>> = request
        .groups
        .iter()
        .enumerate()
        .map(|(gi, &g)| {
            (0..slots)
                .map(|j| {
                    let load = group_load(&measured, scenario, g, j).0;
                    let erlang_agents = models[gi].fewest(load, aht[gi][j]).min(request.max_agents);
                    SlotStaffing { agents: erlang_agents, erlang_agents, offered_load: load }
                })
                .collect()
        })
        .collect();
    let counts =
        |s: &[Vec<SlotStaffing>]| s.iter().map(|g| g.iter().map(|x| x.agents).collect()).collect::<Vec<Vec<u32>>>();

    // 3. The iterative staffing algorithm: each slot staffed for the load simulated in it.
    let mut iterations = 0;
    let mut settled = None;
    while iterations < ISA_ROUNDS {
        iterations += 1;
        let results = run(&with_staffing(&search, request, &counts(&staffing)))?;
        progress(Step { simulations: simulations.get(), phase: Phase::Iterating(iterations) });
        let mut moved = 0;
        for (gi, &g) in request.groups.iter().enumerate() {
            for j in 0..slots {
                let now = staffing[gi][j].agents;
                let load = models[gi].offered_for(in_system(&results, scenario, g, j), aht[gi][j], now);
                let next = models[gi].fewest(load, aht[gi][j]).min(request.max_agents);
                moved = moved.max(next.abs_diff(now));
                staffing[gi][j].agents = next;
            }
        }
        if moved == 0 {
            settled = Some(results);
        }
        // Stable when no slot moves by more than one agent (Feldman et al.'s rule).
        if moved <= 1 {
            break;
        }
    }

    // 4. Local search on common random numbers.
    let mut rounds = 0;
    let mut gave_up = false;
    let mut at_most = Vec::new();
    loop {
        let results = match settled.take() {
            Some(results) => results,
            None => run(&with_staffing(&search, request, &counts(&staffing)))?,
        };
        progress(Step { simulations: simulations.get(), phase: Phase::Adding(rounds + 1) });
        let failing = failing_slots(&results, scenario, slots, SEARCH_MARGIN)?;
        if failing.is_empty() {
            break;
        }
        rounds += 1;
        if rounds > MAX_ROUNDS || !add_where_failing(&mut staffing, &failing, scenario, request, &mut at_most) {
            gave_up = true;
            break;
        }
    }
    if !gave_up {
        // Take away, one group at a time, the dearest first (cost per unit of capacity), wherever
        // a slot keeps its gates with one fewer of its agents; put back where that broke one.
        let mut order: Vec<usize> = (0..request.groups.len()).collect();
        let cost = |gi: usize| {
            let g = &scenario.agent_groups[request.groups[gi].index()];
            g.cost_per_hour / f64::from(g.capacity)
        };
        order.sort_by(|&a, &b| cost(b).total_cmp(&cost(a)).then(a.cmp(&b)));
        // Moves, each tried in every slot at once and kept where the slot's gates still hold: one
        // agent fewer of a group (the dearest first), or one of a dearer group exchanged for one of
        // a cheaper group (what removal alone cannot reach when both serve the same queues).
        let mut moves: Vec<(usize, Option<usize>)> = order.iter().map(|&gi| (gi, None)).collect();
        for &dear in &order {
            for &cheap in order.iter().rev().filter(|&&c| cost(c) < cost(dear)) {
                moves.push((dear, Some(cheap)));
            }
        }
        loop {
            let mut changed = false;
            for &(from, to) in &moves {
                loop {
                    let mut trial = staffing.clone();
                    let taken: Vec<usize> = (0..slots)
                        .filter(|&j| {
                            trial[from][j].agents > 0 && to.is_none_or(|t| trial[t][j].agents < request.max_agents)
                        })
                        .collect();
                    if taken.is_empty() {
                        break;
                    }
                    let shift = |trial: &mut Vec<Vec<SlotStaffing>>, j: usize, back: bool| {
                        let step = |n: &mut u32, up: bool| if up { *n += 1 } else { *n -= 1 };
                        step(&mut trial[from][j].agents, back);
                        if let Some(t) = to {
                            step(&mut trial[t][j].agents, !back);
                        }
                    };
                    for &j in &taken {
                        shift(&mut trial, j, false);
                    }
                    let results = run(&with_staffing(&search, request, &counts(&trial)))?;
                    progress(Step { simulations: simulations.get(), phase: Phase::TakingAway });
                    let failing = failing_slots(&results, scenario, slots, SEARCH_MARGIN)?;
                    let whole_fails = failing.iter().any(|(_, s)| s.whole);
                    let broken: Vec<usize> = failing.iter().map(|(slot, _)| *slot).collect();
                    let mut kept = 0;
                    for &j in &taken {
                        if whole_fails || broken.contains(&j) {
                            shift(&mut trial, j, true);
                        } else {
                            kept += 1;
                        }
                    }
                    if kept == 0 {
                        break;
                    }
                    // Confirm the moves kept together; if not, keep the staffing as it was.
                    let confirm = run(&with_staffing(&search, request, &counts(&trial)))?;
                    if !failing_slots(&confirm, scenario, slots, SEARCH_MARGIN)?.is_empty() {
                        break;
                    }
                    staffing = trial;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    // 5. Verification on a seed no search run used; where it fails, an agent more in each
    // failing slot and a verification on a fresh seed.
    let mut repairs = 0;
    let (staffed, verification) = loop {
        let mut staffed = with_staffing(scenario, request, &counts(&staffing));
        staffed.simulation.seed = verification_seed(scenario.simulation.seed, repairs);
        staffed.simulation.replications = request.verify_replications;
        let mut judged = staffed.clone();
        judged.simulation.interval = Duration(request.slot);
        progress(Step { simulations: simulations.get(), phase: Phase::Verifying(repairs) });
        let verification = run(&judged)?;
        if gave_up || repairs == REPAIR_ROUNDS {
            break (staffed, verification);
        }
        let failing = failing_slots(&verification, scenario, slots, 0.0)?;
        if failing.is_empty() || !add_where_failing(&mut staffing, &failing, scenario, request, &mut at_most) {
            break (staffed, verification);
        }
        repairs += 1;
    };
    let slot_gates = slot_gates(&verification, scenario, slots)?;
    let whole_checks: Vec<Check> =
        scenario.checks.iter().filter(|c| c.intervals == CheckIntervals::Whole).cloned().collect();
    let whole_gates = gates::assertions(&verification, &whole_checks).map_err(StaffError::Gate)?;
    // The verification as the planner's own interval reports it.
    let verification = if staffed.simulation.interval.0 == request.slot { verification } else { run(&staffed)? };
    Ok(Plan {
        staffing,
        staffed,
        verification,
        slot_gates,
        whole_gates,
        rounds,
        gave_up,
        iterations,
        repairs,
        at_most,
        simulations: simulations.get(),
    })
}

/// More agents than the demand could keep busy: the whole offered load of every channel at its
/// busiest, twice, and ten more, within the limit.
fn generous_staffing(scenario: &Scenario, request: &Request) -> u32 {
    let load: f64 = scenario
        .channels
        .iter()
        .map(|c| {
            let ws = &scenario.work_streams[c.work_stream.index()];
            let rate = match &c.arrivals {
                crate::scenario::Arrivals::Poisson(profile) => profile.peak(),
                other => other.expected_count(DAY) / DAY,
            };
            rate * ws.handle_time.mean() * f64::from(ws.capacity)
        })
        .sum();
    let units = request.groups.iter().map(|g| scenario.agent_groups[g.index()].capacity).min().unwrap_or(1);
    ((2.0 * load / f64::from(units)).ceil() as u32 + 10).min(request.max_agents)
}

/// The scenario with each searched group staffed by its counts per slot.
fn with_staffing(scenario: &Scenario, request: &Request, counts: &[Vec<u32>]) -> Scenario {
    let mut s = scenario.clone();
    for (g, values) in request.groups.iter().zip(counts) {
        let group = &mut s.agent_groups[g.index()];
        let profile = Profile::new(values.iter().map(|&n| f64::from(n)).collect()).expect("a day of slots");
        group.count = values.iter().copied().max().unwrap_or(0);
        group.shifts.clear();
        group.staffing = Some(profile);
    }
    s
}

/// Conversations in service or waiting for group `g` in slot `slot`, in agents' worth of its
/// capacity: what it carried, and its share of the time-average queue of each queue it serves
/// (conversations taking their work streams' capacity units), shared among the groups serving
/// the queue by the load each carried there.
fn in_system(results: &RunResults, scenario: &Scenario, g: GroupId, slot: usize) -> f64 {
    let carried = |g: GroupId| group_load(results, scenario, g, slot).0;
    let group = &scenario.agent_groups[g.index()];
    let mut total = carried(g);
    for &q in &group.queues {
        let queue = &scenario.queues[q.index()];
        let Some(scope) = results.scopes.iter().find(|s| s.kind == ScopeKind::Queue && s.name == queue.name) else {
            continue;
        };
        let waiting = results.pooled_parts(&results.interval_groups[slot], scope, Metric::AvgQueueLen).number();
        if waiting.is_nan() || waiting <= 0.0 {
            continue;
        }
        let units: Vec<f64> =
            scenario.work_streams.iter().filter(|ws| ws.reaches(q)).map(|ws| f64::from(ws.capacity)).collect();
        let units = if units.is_empty() { 1.0 } else { units.iter().sum::<f64>() / units.len() as f64 };
        let serving: Vec<GroupId> = (0..scenario.agent_groups.len())
            .map(|h| GroupId(h as u16))
            .filter(|h| scenario.agent_groups[h.index()].queues.contains(&q))
            .collect();
        let all: f64 = serving.iter().map(|&h| carried(h)).sum();
        let share = if all > 0.0 { carried(g) / all } else { 1.0 / serving.len() as f64 };
        total += waiting * units / f64::from(group.capacity) * share;
    }
    total
}

/// The load group `g` carried in slot `slot` (capacity units in use per agent capacity, per
/// replication and second), and the mean handle time of what it handled there.
fn group_load(results: &RunResults, scenario: &Scenario, g: GroupId, slot: usize) -> (f64, f64) {
    let scope = group_scope(results, scenario, g);
    let ks = &results.interval_groups[slot];
    let occupancy_parts = results.pooled_parts(ks, scope, Metric::Occupancy);
    let in_use = match occupancy_parts {
        crate::metrics::Value::Ratio { numerator, .. } => numerator,
        crate::metrics::Value::Number(_) => 0.0,
    };
    let observed: f64 = ks.iter().map(|&k| results.interval_lengths[k]).sum();
    let seconds = observed * results.replications.len().max(1) as f64;
    let capacity = f64::from(scenario.agent_groups[g.index()].capacity);
    let load = if seconds > 0.0 { in_use / seconds / capacity } else { 0.0 };
    let aht = results.pooled_parts(ks, scope, Metric::AhtS).number();
    (load, aht)
}

fn group_scope<'r>(results: &'r RunResults, scenario: &Scenario, g: GroupId) -> &'r Scope {
    let name = &scenario.agent_groups[g.index()].name;
    results.scopes.iter().find(|s| s.kind == ScopeKind::AgentGroup && &s.name == name).expect("every group has a scope")
}

/// A searched group's slots as the analytic model sees them: Erlang C, or Erlang A where the
/// first work stream routing to the group has exponential patience; the group's capacity as
/// concurrency; the first per-slot service-level, ASA or abandonment gate as the target, at the
/// service-level threshold of the group's first queue.
struct SlotModel {
    concurrency: u32,
    patience: Option<f64>,
    threshold: f64,
    target: Option<Target>,
}

impl SlotModel {
    fn new(scenario: &Scenario, g: GroupId) -> SlotModel {
        let group = &scenario.agent_groups[g.index()];
        let patience =
            scenario.work_streams.iter().find(|ws| ws.queues().any(|q| group.queues.contains(&q))).and_then(|ws| {
                match &ws.patience {
                    Some(Distribution::Exponential(_, mean)) => Some(*mean),
                    _ => None,
                }
            });
        let threshold = group.queues.first().map_or(scenario.simulation.service_level_threshold.0, |q| {
            scenario.queues[q.index()].service_level_threshold.0
        });
        let target = scenario.checks.iter().filter(|c| c.intervals == CheckIntervals::Every).find_map(|c| {
            match (Metric::from_name(&c.metric)?, c.min, c.max) {
                (Metric::ServiceLevel, Some(min), _) if min > 0.0 && min < 1.0 => Some(Target::ServiceLevel(min)),
                (Metric::AsaS, _, Some(max)) if max > 0.0 => Some(Target::Asa(max)),
                (Metric::AbandonRate, _, Some(max)) if max > 0.0 && max < 1.0 && patience.is_some() => {
                    Some(Target::Abandon(max))
                }
                _ => None,
            }
        });
        SlotModel { concurrency: group.capacity, patience, threshold, target }
    }

    /// `agents` serving `load` agents' worth of work with handle time `aht`.
    fn queue(&self, load: f64, aht: f64, agents: u32) -> QueueModel {
        QueueModel {
            arrivals_per_hour: load * 3600.0 * f64::from(self.concurrency) / aht,
            aht_s: aht,
            agents,
            concurrency: self.concurrency,
            patience_mean_s: self.patience,
        }
    }

    /// The fewest agents that meet the target on `load`; the load rounded up without a target
    /// or a handle time.
    fn fewest(&self, load: f64, aht: f64) -> u32 {
        if load <= 0.0 {
            return 0;
        }
        let rounded = load.ceil() as u32;
        match self.target {
            Some(target) if aht.is_finite() && aht > 0.0 => {
                erlang::fewest_agents(&self.queue(load, aht, 1), self.threshold, target).map_or(rounded, |(n, _)| n)
            }
            _ => rounded,
        }
    }

    /// Conversations in service or waiting, in agents' worth of capacity, in the steady state
    /// of `agents` serving `load`; infinite where that state does not exist.
    fn in_system(&self, load: f64, aht: f64, agents: u32) -> f64 {
        match erlang::figures(&self.queue(load, aht, agents), self.threshold) {
            Ok(f) => load * ((1.0 - f.p_abandon) + f.mean_wait_all_s / aht),
            Err(_) => f64::INFINITY,
        }
    }

    /// The offered load whose steady state at `agents` holds `in_system` agents' worth of
    /// conversations (in service and waiting), as a simulated slot held them: the load that
    /// slot put on its agents, the queue it carried over from earlier slots included, without
    /// the queue the formula adds by itself. Found by bisection; the number in system grows
    /// with the load.
    fn offered_for(&self, in_system: f64, aht: f64, agents: u32) -> f64 {
        if in_system <= 0.0 || agents == 0 || !(aht.is_finite() && aht > 0.0) {
            return in_system.max(0.0);
        }
        let (mut low, mut high) = (0.0, in_system.max(f64::from(agents)));
        while self.in_system(high, aht, agents) < in_system && high < 1e7 {
            high *= 2.0;
        }
        // To a thousandth of an agent: finer than any staffing the load is rounded to.
        while high - low > 1e-3 {
            let mid = 0.5 * (low + high);
            if self.in_system(mid, aht, agents) < in_system { low = mid } else { high = mid }
        }
        0.5 * (low + high)
    }
}

/// Where a gate fails: a slot and the scope of its gate (`whole` for a whole-run gate, placed in
/// the slot where its metric is worst).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FailingScope {
    pub(crate) kind: ScopeKind,
    pub(crate) name: String,
    pub(crate) whole: bool,
}

/// Adds an agent, to the cheapest searched group that serves the failing gate's scope, in each
/// failing slot; notes in `at_most` the slots where every such group is at `max_agents`. Whether
/// anything was added.
fn add_where_failing(
    staffing: &mut [Vec<SlotStaffing>],
    failing: &[(usize, FailingScope)],
    scenario: &Scenario,
    request: &Request,
    at_most: &mut Vec<usize>,
) -> bool {
    let mut added = false;
    for (slot, scope) in failing {
        let slot = *slot;
        match cheapest_serving(scenario, request, scope, |g| staffing[g][slot].agents < request.max_agents) {
            Some(g) => {
                staffing[g][slot].agents += 1;
                added = true;
            }
            None if !at_most.contains(&slot) => at_most.push(slot),
            None => {}
        }
    }
    added
}

/// The slots where a gate fails, a per-slot gate on the mean held `z` standard errors on the
/// safe side of its bound.
pub(crate) fn failing_slots(
    results: &RunResults,
    scenario: &Scenario,
    slots: usize,
    z: f64,
) -> Result<Vec<(usize, FailingScope)>, StaffError> {
    let mut failing = Vec::new();
    for g in judge_slots(results, scenario, slots, z)?.into_iter().filter(|g| g.verdict == Verdict::Fail) {
        let c = &scenario.checks[g.check];
        let scope = FailingScope { kind: gates::scope_kind(&c.scope), name: c.name.clone(), whole: false };
        if !failing.iter().any(|(s, f)| *s == g.slot && *f == scope) {
            failing.push((g.slot, scope));
        }
    }
    for c in scenario.checks.iter().filter(|c| c.intervals == CheckIntervals::Whole) {
        let verdict =
            gates::assertions(results, std::slice::from_ref(c)).map_err(StaffError::Gate)?.first().map(|g| g.verdict);
        if verdict != Some(Verdict::Fail) {
            continue;
        }
        let metric = Metric::from_name(&c.metric).expect("checked");
        let scope = scope_of(results, c);
        // The slot where the metric is furthest on the wrong side.
        let value = |j: usize| results.pooled_parts(&results.interval_groups[j], scope, metric).number();
        let worst = (0..slots).filter(|&j| !value(j).is_nan()).max_by(|&a, &b| {
            let (va, vb) = (value(a), value(b));
            if c.min.is_some() { vb.total_cmp(&va) } else { va.total_cmp(&vb) }
        });
        if let Some(slot) = worst {
            failing.push((slot, FailingScope { kind: gates::scope_kind(&c.scope), name: c.name.clone(), whole: true }));
        }
    }
    Ok(failing)
}

/// The per-slot gates (`every_interval`) judged per slot of the day.
pub(crate) fn slot_gates(results: &RunResults, scenario: &Scenario, slots: usize) -> Result<Vec<SlotGate>, StaffError> {
    judge_slots(results, scenario, slots, 0.0)
}

/// How many standard errors (across replications) a slot's mean must clear its bound by in the
/// search: one-sided 95%, so that the search keeps a slot only where its runs show, with that
/// confidence, that the slot's true value meets the bound. The verification's own estimate is
/// noisy too: a slot it sees failing is repaired (see [`REPAIR_ROUNDS`]).
pub const SEARCH_MARGIN: f64 = 1.645;

/// The per-slot gates, a gate on the mean held `z` standard errors of the slot's value on the safe
/// side of its bound. The standard error is the spread of the slot's value across replications
/// (each replication's slot, its days pooled, is one value), so that it counts how the queue's
/// state carries through a slot, which the slot's pooled count does not.
fn judge_slots(results: &RunResults, scenario: &Scenario, slots: usize, z: f64) -> Result<Vec<SlotGate>, StaffError> {
    let mut out = Vec::new();
    for (i, c) in scenario.checks.iter().enumerate().filter(|(_, c)| c.intervals == CheckIntervals::Every) {
        let metric = Metric::from_name(&c.metric).expect("checked");
        let scope = scope_of(results, c);
        for slot in 0..slots.min(results.interval_groups.len()) {
            let e = results.group_estimate(slot, scope, metric);
            // The mean (with the search's margin), or with on = "ci" the 95% bound on the side that
            // could break the gate.
            let se = e.half_width() / crate::metrics::statistics::t_975(e.replications.saturating_sub(1).max(1));
            let margin = if z > 0.0 && se.is_finite() { z * se } else { 0.0 };
            let (below, above) = if c.on_ci { (e.ci95_low, e.ci95_high) } else { (e.mean - margin, e.mean + margin) };
            // No value with conversations offered (none answered or given up: all still waiting)
            // is a failure; only a slot without conversations has no data.
            let offered = Metric::Offered.applies_to(scope.kind)
                && results.group_estimate(slot, scope, Metric::Offered).mean > 0.0;
            let verdict = if (below.is_nan() || above.is_nan()) && offered {
                Verdict::Fail
            } else if below.is_nan() || above.is_nan() {
                Verdict::NoData
            } else if c.min.is_some_and(|lo| below < lo) || c.max.is_some_and(|hi| above > hi) {
                Verdict::Fail
            } else {
                Verdict::Pass
            };
            out.push(SlotGate { check: i, slot, value: e.mean, ci95_low: e.ci95_low, ci95_high: e.ci95_high, verdict });
        }
    }
    Ok(out)
}

fn scope_of<'r>(results: &'r RunResults, c: &Check) -> &'r Scope {
    let kind = gates::scope_kind(&c.scope);
    results.scopes.iter().find(|s| s.kind == kind && s.name == c.name).expect("checked scope")
}

/// Whether group `g` can help a gate on `scope`: for a queue, when it serves the queue; for an
/// agent group, when it is that group; for the other scopes, always.
pub(crate) fn serves(scenario: &Scenario, g: GroupId, scope: &FailingScope) -> bool {
    let group = &scenario.agent_groups[g.index()];
    match scope.kind {
        ScopeKind::Queue => scenario
            .queues
            .iter()
            .position(|q| q.name == scope.name)
            .is_some_and(|q| group.queues.iter().any(|id| id.index() == q)),
        ScopeKind::AgentGroup => group.name == scope.name,
        _ => true,
    }
}

/// The index (in `request.groups`) of the cheapest searched group that serves `scope` and
/// `may_add`: for a queue, groups serving it; for an agent group, itself; otherwise any.
fn cheapest_serving(
    scenario: &Scenario,
    request: &Request,
    scope: &FailingScope,
    may_add: impl Fn(usize) -> bool,
) -> Option<usize> {
    request
        .groups
        .iter()
        .enumerate()
        .filter(|&(gi, g)| serves(scenario, *g, scope) && may_add(gi))
        .min_by(|a, b| {
            let cost = |g: &GroupId| {
                scenario.agent_groups[g.index()].cost_per_hour / f64::from(scenario.agent_groups[g.index()].capacity)
            };
            cost(a.1).total_cmp(&cost(b.1)).then(a.0.cmp(&b.0))
        })
        .map(|(gi, _)| gi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(patience: Option<f64>) -> SlotModel {
        SlotModel { concurrency: 2, patience, threshold: 20.0, target: Some(Target::ServiceLevel(0.8)) }
    }

    #[test]
    fn the_load_found_from_a_steady_number_in_system_is_the_load_that_makes_it() {
        // What a stationary slot simulated at `agents` holds gives back its own load, with no
        // queue added on top: a slot that is steady stays as the formula staffs it.
        for patience in [None, Some(120.0)] {
            let m = model(patience);
            for (load, agents) in [(4.0, 5), (9.5, 11), (0.3, 1), (20.0, 22)] {
                let held = m.in_system(load, 180.0, agents);
                assert!(held > load * 0.5, "{held}");
                let found = m.offered_for(held, 180.0, agents);
                assert!((found - load).abs() < 1e-3, "{patience:?} {load} {agents}: {found}");
            }
        }
        // More in the system than a stable queue at that staffing can hold (Erlang C): a load
        // close to the servers' capacity, never beyond it.
        let m = model(None);
        let found = m.offered_for(1e6, 180.0, 5);
        assert!(found < 5.0 && found > 4.99, "{found}");
        assert!(m.fewest(found, 180.0) > 5);
    }

    #[test]
    fn each_round_of_repair_verifies_on_a_seed_of_its_own() {
        let seeds: Vec<u64> = (0..=REPAIR_ROUNDS).map(|r| verification_seed(7, r)).collect();
        for (i, a) in seeds.iter().enumerate() {
            assert_ne!(*a, 7);
            assert!(seeds[i + 1..].iter().all(|b| b != a), "{seeds:?}");
        }
    }
}
