//! What one replication observed, per reporting interval and scope.
//!
//! [`Collector`] implements the engine's [`Observer`]: counts and sums go into the cell of the
//! interval in which the conversation **arrived** (arrival cohorts), if it arrived after warm-up;
//! time-weighted quantities (Open conversations, capacity in use and staffed) are integrated over
//! the time after warm-up and split at interval boundaries. Everything is a streaming
//! accumulator: nothing grows with the number of conversations simulated.
//!
//! Scopes come in two families. Conversation scopes ([`ConvCell`]): `all`, each channel, each work
//! stream, each queue (the one a conversation was first routed to). Agent scopes ([`AgentCell`]):
//! `all` and each agent group.
//!
//! While a replication runs, the collector writes each event once, into the finest cell that holds
//! it: a conversation's (channel, queue) pair — its **leaf**, since the channel fixes the work
//! stream — and an agent's group. The four conversation scopes and the agent scope `all` are sums
//! of those, made once at the end ([`Observer::finished`]). Only the maximum queue length is not a
//! sum, so the Open level of each set of leaves that some scope covers is followed as well, for its
//! maximum; scopes that cover the same leaves (all four, with a single leaf) share one level. The
//! label the collector gives a conversation on arrival (its tag) carries its cohort and its leaf,
//! so that later events find its cells without a lookup.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{AgentStatus, ConversationState, ConversationView, Observer};
use crate::scenario::{BasePresence, ContextValue, GroupId, PresenceId, Scenario};
use crate::time::{Duration, SimTime};

use super::cells::{AgentCell, ConvCell, IntervalCells, ScopeLayout};
use super::histogram::WaitHistogram;
use super::trace::{Outcome, Trace};

/// The reporting grid after warm-up, and the interval that holds the current time.
///
/// Time-weighted quantities are integrated by their changes: within interval k = [start, end), a
/// level that changes by d at time t adds d × (end − t) to the interval's integral, and each
/// interval begins with the level it inherits × its length, added when the clock first passes
/// into it ([`Collector::tick`]). A change therefore costs one multiply-add per quantity that
/// changed, and nothing is done for the quantities that did not.
#[derive(Clone, Copy, Debug)]
struct Window {
    warmup: f64,
    horizon: f64,
    interval: f64,
    first: usize,
    intervals: usize,
    /// Not yet in the first interval: nothing is counted until the clock reaches warm-up (or time
    /// 0), and the levels then start the first interval.
    counting: bool,
    /// The current interval (index after warm-up) and its bounds, clipped to warm-up and horizon.
    k: usize,
    start: f64,
    end: f64,
    /// When the clock leaves the current interval: its end, or never for the last one.
    leave_at: f64,
}

impl Window {
    fn new(warmup: f64, horizon: f64, interval: f64, first: usize, intervals: usize) -> Window {
        Window {
            warmup,
            horizon,
            interval,
            first,
            intervals,
            counting: false,
            k: 0,
            start: f64::NEG_INFINITY,
            end: warmup,
            leave_at: warmup,
        }
    }

    /// Makes interval `k` the current one.
    fn enter(&mut self, k: usize) {
        let absolute = (self.first + k) as f64;
        self.counting = true;
        self.k = k;
        self.start = (absolute * self.interval).max(self.warmup);
        self.end = ((absolute + 1.0) * self.interval).min(self.horizon);
        self.leave_at = if k + 1 == self.intervals { f64::INFINITY } else { self.end };
    }

    /// The interval after the current one, if the clock at `t` has reached it.
    #[inline]
    fn next_due(&self, t: f64) -> Option<usize> {
        if t < self.leave_at {
            None
        } else if self.counting {
            Some(self.k + 1)
        } else {
            Some(0)
        }
    }

    /// The weight of a change at `t` (not before the current interval's start): what is left of
    /// the interval, or 0 before warm-up.
    #[inline]
    fn weight(&self, t: f64) -> f64 {
        if self.counting { self.end - t } else { 0.0 }
    }
}

/// The time-weighted levels of one agent group.
#[derive(Clone, Copy, Debug, Default)]
struct GroupLevel {
    staffed_capacity: i64,
    in_use: i64,
    staffed_agents: i64,
    on_duty_agents: i64,
    busy_agents: i64,
    /// Agents in each base presence, indexed by `BasePresence as usize`.
    presence: [i64; 5],
}

/// A level that went from `from` to `to` at a change of weight `w` (see [`Window`]), and its
/// integral.
#[inline(always)]
fn change(level: &mut i64, integral: &mut f64, from: i64, to: i64, w: f64) {
    if from != to {
        *level += to - from;
        *integral += (to - from) as f64 * w;
    }
}

/// A conversation's tag: its cohort (the interval it arrived in) in the high 32 bits, its leaf
/// in the low ones, so that the cells it counts in are found without a lookup.
#[inline]
fn tag(cohort: u32, leaf: usize) -> u64 {
    (u64::from(cohort) << 32) | leaf as u64
}

/// The cohort of a conversation that arrived before warm-up: it counts nowhere.
const BEFORE_WARMUP: u32 = u32::MAX;

/// The engine's observer for one replication.
pub struct Collector<'s> {
    scenario: &'s Scenario,
    /// The per-conversation trace, when asked for.
    pub trace: Option<Trace>,
    /// Every scope's cells; filled in when the replication finishes.
    pub cells: IntervalCells,
    window: Window,
    /// Service-level threshold of each queue.
    thresholds: Vec<f64>,
    short_abandon: f64,
    /// The leaf of each (channel, queue) pair: `leaf_of[channel * queues + queue]`.
    leaf_of: Vec<u32>,
    /// The four conversation scopes of each leaf.
    leaf_scopes: Vec<[usize; 4]>,
    /// `leaf_cells[k * leaves + leaf]`.
    leaf_cells: Vec<ConvCell>,
    /// `group_cells[k * groups + group]`.
    group_cells: Vec<AgentCell>,
    /// Open conversations per leaf.
    open: Vec<i64>,
    /// Open conversations per level: a set of leaves that some conversation scope covers, for the
    /// maximum queue length; the level of each scope, and the levels each leaf counts in.
    open_level: Vec<i64>,
    level_of_scope: Vec<usize>,
    leaf_levels: Vec<Vec<usize>>,
    /// `max_open[k * levels + level]`.
    max_open: Vec<i64>,
    /// Load per agent group.
    load: Vec<GroupLevel>,
    /// Custom presences (`[[presence]]`) in the scenario.
    customs: usize,
    /// Agents per (agent group, custom presence): `custom[group * customs + k]`.
    custom: Vec<i64>,
    /// Set (by a Ctrl-C handler) to stop the replication where it is.
    pub cancel: Option<&'static AtomicBool>,
}

impl<'s> Collector<'s> {
    pub fn new(scenario: &'s Scenario, trace: bool) -> Collector<'s> {
        let sim = &scenario.simulation;
        let layout = ScopeLayout::of(scenario);
        let intervals = sim.interval_count();
        let queues = scenario.queues.len();
        // A channel's conversations reach only the queues of its work stream's rules and fallback.
        let mut leaf_of = vec![u32::MAX; scenario.channels.len() * queues];
        let mut leaf_scopes = Vec::new();
        for (ch, channel) in scenario.channels.iter().enumerate() {
            let ws = &scenario.work_streams[channel.work_stream.index()];
            for q in ws.queues() {
                let slot = &mut leaf_of[ch * queues + q.index()];
                if *slot == u32::MAX {
                    *slot = leaf_scopes.len() as u32;
                    leaf_scopes.push(layout.of_conversation(ch, channel.work_stream.index(), q.index()));
                }
            }
        }
        let leaves = leaf_scopes.len();
        // Scopes that cover the same leaves share a level, numbered in scope order.
        let covers = |scope: usize| (0..leaves).filter(|&l| leaf_scopes[l].contains(&scope)).collect::<Vec<_>>();
        let mut level_sets: Vec<Vec<usize>> = Vec::new();
        let level_of_scope: Vec<usize> = (0..layout.conv_scopes())
            .map(|scope| {
                let set = covers(scope);
                level_sets.iter().position(|s| *s == set).unwrap_or_else(|| {
                    level_sets.push(set);
                    level_sets.len() - 1
                })
            })
            .collect();
        let leaf_levels = (0..leaves)
            .map(|leaf| (0..level_sets.len()).filter(|&v| level_sets[v].contains(&leaf)).collect())
            .collect();
        let levels = level_sets.len();
        let customs = scenario.presences.len().saturating_sub(BasePresence::ALL.len());
        Collector {
            scenario,
            trace: trace.then(Trace::default),
            cells: IntervalCells::new(layout, intervals),
            window: Window::new(sim.warmup.0, sim.horizon.0, sim.interval.0, sim.first_interval(), intervals),
            thresholds: scenario.queues.iter().map(|q| q.service_level_threshold.0).collect(),
            short_abandon: sim.short_abandon.0,
            leaf_of,
            leaf_scopes,
            leaf_cells: vec![ConvCell::default(); intervals * leaves],
            group_cells: vec![
                AgentCell { custom_time: vec![0.0; customs], ..AgentCell::default() };
                intervals * layout.groups
            ],
            open: vec![0; leaves],
            open_level: vec![0; levels],
            level_of_scope,
            leaf_levels,
            max_open: vec![0; intervals * levels],
            load: vec![GroupLevel::default(); layout.groups],
            customs,
            custom: vec![0; layout.groups * customs],
            cancel: None,
        }
    }

    /// The leaf of a conversation, looked up once when it arrives (see [`tag`]).
    #[inline]
    fn leaf_of(&self, c: &ConversationView) -> usize {
        let leaf = self.leaf_of[c.channel.index() * self.scenario.queues.len() + c.queue.index()];
        debug_assert!(leaf != u32::MAX, "a conversation routed outside its work stream's queues");
        leaf as usize
    }

    /// The leaf of a conversation that has arrived, from its tag.
    #[inline]
    fn leaf(&self, c: &ConversationView) -> usize {
        c.tag as u32 as usize
    }

    /// The interval a conversation counts in, if it arrived after warm-up, from its tag.
    #[inline]
    fn cohort(&self, c: &ConversationView) -> Option<usize> {
        let cohort = (c.tag >> 32) as u32;
        (cohort != BEFORE_WARMUP).then_some(cohort as usize)
    }

    #[inline]
    fn each_conv_cell(&mut self, c: &ConversationView, f: impl FnOnce(&mut ConvCell)) {
        if let Some(k) = self.cohort(c) {
            let leaf = self.leaf(c);
            f(&mut self.leaf_cells[k * self.open.len() + leaf]);
        }
    }

    #[inline]
    fn each_agent_cell(&mut self, group: GroupId, c: &ConversationView, f: impl FnOnce(&mut AgentCell)) {
        if let Some(k) = self.cohort(c) {
            f(&mut self.group_cells[k * self.load.len() + group.index()]);
        }
    }

    /// Moves the clock to `t`, which every change of a level calls first: each interval the
    /// clock enters begins with the levels held then (see [`Window`]).
    #[inline]
    fn tick(&mut self, t: f64) {
        while let Some(k) = self.window.next_due(t) {
            self.enter(k);
        }
    }

    #[cold]
    fn enter(&mut self, k: usize) {
        self.window.enter(k);
        let length = self.window.end - self.window.start;
        let leaves = self.open.len();
        for (leaf, &open) in self.open.iter().enumerate() {
            self.leaf_cells[k * leaves + leaf].open_time += open as f64 * length;
        }
        let levels = self.open_level.len();
        self.max_open[k * levels..(k + 1) * levels].copy_from_slice(&self.open_level);
        let groups = self.load.len();
        for (g, level) in self.load.iter().enumerate() {
            let cell = &mut self.group_cells[k * groups + g];
            cell.staffed_capacity_time += level.staffed_capacity as f64 * length;
            cell.in_use_time += level.in_use as f64 * length;
            cell.staffed_time += level.staffed_agents as f64 * length;
            cell.on_duty_time += level.on_duty_agents as f64 * length;
            cell.busy_time += level.busy_agents as f64 * length;
            for (t, &n) in cell.presence_time.iter_mut().zip(&level.presence) {
                *t += n as f64 * length;
            }
            for (t, &n) in cell.custom_time.iter_mut().zip(&self.custom[g * self.customs..(g + 1) * self.customs]) {
                *t += n as f64 * length;
            }
        }
    }

    /// The current interval's cell of an agent group, and the weight of a change now (after
    /// [`Collector::tick`]).
    #[inline]
    fn group_cell_now(&mut self, group: usize, at: f64) -> (&mut AgentCell, f64) {
        let i = self.window.k * self.load.len() + group;
        (&mut self.group_cells[i], self.window.weight(at))
    }

    /// Every scope's cells from the leaves and groups: sums, and the maxima followed per scope.
    fn fill_scopes(&mut self) {
        let (leaves, groups) = (self.open.len(), self.load.len());
        let (conv_scopes, agent_scopes) = (self.cells.layout.conv_scopes(), self.cells.layout.agent_scopes());
        for k in 0..self.cells.intervals {
            for leaf in 0..leaves {
                let cell = &self.leaf_cells[k * leaves + leaf];
                for scope in self.leaf_scopes[leaf] {
                    self.cells.conv[k * conv_scopes + scope].merge(cell);
                }
            }
            let levels = self.open_level.len();
            for scope in 0..conv_scopes {
                self.cells.conv[k * conv_scopes + scope].max_open =
                    self.max_open[k * levels + self.level_of_scope[scope]];
            }
            for g in 0..groups {
                let cell = &self.group_cells[k * groups + g];
                self.cells.agent[k * agent_scopes].merge(cell);
                self.cells.agent[k * agent_scopes + 1 + g].merge(cell);
            }
        }
    }
}

impl Observer for Collector<'_> {
    #[inline]
    fn arrived(&mut self, c: ConversationView) -> u64 {
        // The conversation arrives now: its cohort is the interval the clock is in.
        self.tick(c.arrival.0);
        let leaf = self.leaf_of(&c);
        if !self.window.counting {
            return tag(BEFORE_WARMUP, leaf);
        }
        let k = self.window.k;
        self.leaf_cells[k * self.open.len() + leaf].offered += 1;
        tag(k as u32, leaf)
    }

    #[inline(always)]
    fn answered(&mut self, c: ConversationView, at: SimTime) {
        if let Some(t) = &mut self.trace {
            t.answered(c, at);
        }
        let wait = at.since(c.arrival).0;
        let within = wait <= self.thresholds[c.queue.index()];
        let bucket = WaitHistogram::bucket_of(wait);
        self.each_conv_cell(&c, |cell| {
            cell.answered += 1;
            cell.wait_sum += wait;
            cell.waits.record_in(bucket, wait);
            cell.answered_within_threshold += u64::from(within);
            cell.queued_resolved += u64::from(c.queued);
        });
    }

    fn abandoned(&mut self, c: ConversationView, at: SimTime) {
        if let Some(t) = &mut self.trace {
            t.ended(c, Outcome::Abandoned);
        }
        let short = at.since(c.arrival).0 < self.short_abandon;
        self.each_conv_cell(&c, |cell| {
            if short {
                cell.offered -= 1;
                cell.short_abandoned += 1;
            } else {
                cell.abandoned += 1;
                // Queued only when it found no agent on arrival (DESIGN.md "p_wait"): one that
                // abandons during an offer or after a decline did not have to queue.
                cell.queued_resolved += u64::from(c.queued);
            }
        });
    }

    fn auto_closed(&mut self, c: ConversationView, _at: SimTime) {
        if let Some(t) = &mut self.trace {
            t.ended(c, Outcome::AutoClosed);
        }
        self.each_conv_cell(&c, |cell| {
            cell.auto_closed += 1;
            if !c.answered {
                cell.auto_closed_unanswered += 1;
                cell.queued_resolved += u64::from(c.queued);
            }
        });
    }

    fn overflowed(&mut self, c: ConversationView, _at: SimTime) {
        self.each_conv_cell(&c, |cell| cell.overflowed += 1);
    }

    fn called_back(&mut self, c: ConversationView, _at: SimTime, voicemail: bool) {
        self.each_conv_cell(&c, |cell| {
            cell.callbacks += u64::from(!voicemail);
            cell.voicemails += u64::from(voicemail);
        });
    }

    fn bot_ended(&mut self, c: ConversationView, time: Duration, contained: bool) {
        if contained && let Some(t) = &mut self.trace {
            t.ended(c, Outcome::BotContained);
        }
        self.each_conv_cell(&c, |cell| {
            cell.bot_contained += u64::from(contained);
            cell.bot_escalated += u64::from(!contained);
            cell.bot_time_sum += time.0;
        });
    }

    fn transferred(&mut self, c: ConversationView, _at: SimTime) {
        self.each_conv_cell(&c, |cell| cell.transfers += 1);
    }

    fn transfer_answered(&mut self, c: ConversationView, wait: Duration) {
        self.each_conv_cell(&c, |cell| {
            cell.transfer_answered += 1;
            cell.transfer_wait_sum += wait.0;
        });
    }

    fn ended_by_overflow(&mut self, c: ConversationView, _at: SimTime) {
        if let Some(t) = &mut self.trace {
            t.ended(c, Outcome::EndedByOverflow);
        }
        // Resolved without an answer, like an abandon (in service level's and p_wait's
        // denominators): ending conversations does not make the service better.
        self.each_conv_cell(&c, |cell| {
            cell.ended_by_overflow += 1;
            cell.queued_resolved += u64::from(c.queued);
        });
    }

    #[inline]
    fn completed(&mut self, c: ConversationView, _at: SimTime) {
        if let Some(t) = &mut self.trace {
            t.ended(c, Outcome::Completed);
        }
        self.each_conv_cell(&c, |cell| cell.completed += 1);
    }

    #[inline]
    fn handled(&mut self, group: GroupId, c: ConversationView, handle: Duration) {
        self.each_conv_cell(&c, |cell| {
            cell.handled += 1;
            cell.handle_sum += handle.0;
        });
        self.each_agent_cell(group, &c, |cell| {
            cell.handled += 1;
            cell.handle_sum += handle.0;
        });
    }

    #[inline]
    fn wrapped_up(&mut self, group: GroupId, c: ConversationView, wrap_up: Duration) {
        self.each_conv_cell(&c, |cell| {
            cell.wrapped_up += 1;
            cell.wrap_up_sum += wrap_up.0;
        });
        self.each_agent_cell(group, &c, |cell| {
            cell.wrapped_up += 1;
            cell.wrap_up_sum += wrap_up.0;
        });
    }

    /// The three calls of the default, with one look-up of the conversation's cells.
    #[inline]
    fn handled_and_completed(&mut self, group: GroupId, c: ConversationView, handle: Duration, _at: SimTime) {
        if let Some(t) = &mut self.trace {
            t.ended(c, Outcome::Completed);
        }
        let Some(k) = self.cohort(&c) else { return };
        let leaf = self.leaf(&c);
        // A zero wrap-up adds nothing to the sums.
        let cell = &mut self.leaf_cells[k * self.open.len() + leaf];
        cell.handled += 1;
        cell.handle_sum += handle.0;
        cell.wrapped_up += 1;
        cell.completed += 1;
        let cell = &mut self.group_cells[k * self.load.len() + group.index()];
        cell.handled += 1;
        cell.handle_sum += handle.0;
        cell.wrapped_up += 1;
    }

    #[inline(always)]
    fn open_changed(&mut self, c: ConversationView, at: SimTime, delta: i64) {
        let leaf = self.leaf(&c);
        self.tick(at.0);
        self.open[leaf] += delta;
        let w = self.window.weight(at.0);
        let (k, leaves, levels) = (self.window.k, self.open.len(), self.open_level.len());
        self.leaf_cells[k * leaves + leaf].open_time += delta as f64 * w;
        // Only a rise can make a new maximum.
        let rises = delta > 0 && self.window.counting && at.0 < self.window.end;
        for &v in &self.leaf_levels[leaf] {
            let level = &mut self.open_level[v];
            *level += delta;
            if rises {
                let max = &mut self.max_open[k * levels + v];
                *max = (*max).max(*level);
            }
        }
    }

    fn agent_added(&mut self, group: GroupId, status: AgentStatus) {
        let level = &mut self.load[group.index()];
        level.staffed_capacity += i64::from(status.staffed_capacity);
        level.in_use += i64::from(status.in_use);
        level.staffed_agents += i64::from(status.staffed);
        level.on_duty_agents += i64::from(status.on_duty);
        level.busy_agents += i64::from(status.busy);
        level.presence[status.presence as usize] += 1;
    }

    #[inline(always)]
    fn agent_changed(&mut self, group: GroupId, at: SimTime, from: AgentStatus, to: AgentStatus) {
        let g = group.index();
        self.tick(at.0);
        let i = self.window.k * self.load.len() + g;
        let level = &mut self.load[g];
        let (cell, w) = (&mut self.group_cells[i], self.window.weight(at.0));
        let u = |x: u32| i64::from(x);
        let b = |x: bool| i64::from(x);
        change(
            &mut level.staffed_capacity,
            &mut cell.staffed_capacity_time,
            u(from.staffed_capacity),
            u(to.staffed_capacity),
            w,
        );
        change(&mut level.in_use, &mut cell.in_use_time, u(from.in_use), u(to.in_use), w);
        change(&mut level.staffed_agents, &mut cell.staffed_time, b(from.staffed), b(to.staffed), w);
        change(&mut level.on_duty_agents, &mut cell.on_duty_time, b(from.on_duty), b(to.on_duty), w);
        change(&mut level.busy_agents, &mut cell.busy_time, b(from.busy), b(to.busy), w);
        if from.presence != to.presence {
            let (p, q) = (from.presence as usize, to.presence as usize);
            level.presence[p] -= 1;
            level.presence[q] += 1;
            cell.presence_time[p] -= w;
            cell.presence_time[q] += w;
        }
    }

    fn in_system(&mut self, c: ConversationView) {
        self.each_conv_cell(&c, |cell| {
            cell.in_system += 1;
            cell.unanswered_at_end += u64::from(!c.answered);
        });
    }

    fn offered(&mut self, c: ConversationView, _at: SimTime) {
        self.each_conv_cell(&c, |cell| cell.offers += 1);
    }

    fn declined(&mut self, c: ConversationView, _at: SimTime, timed_out: bool) {
        self.each_conv_cell(&c, |cell| {
            if timed_out {
                cell.timeouts += 1;
            } else {
                cell.rejects += 1;
            }
        });
    }

    fn offer_accepted(&mut self, c: ConversationView, delay: Duration) {
        self.each_conv_cell(&c, |cell| {
            cell.accepted_offers += 1;
            cell.accept_delay_sum += delay.0;
        });
    }

    fn waiting(&mut self, c: ConversationView, _at: SimTime) {
        self.each_conv_cell(&c, |cell| cell.waiting_episodes += 1);
    }

    fn reopened(&mut self, c: ConversationView, _at: SimTime) {
        self.each_conv_cell(&c, |cell| cell.reopened += 1);
    }

    fn requeue_answered(&mut self, c: ConversationView, wait: Duration) {
        self.each_conv_cell(&c, |cell| {
            cell.requeue_answered += 1;
            cell.requeue_wait_sum += wait.0;
        });
    }

    fn state_changed(&mut self, c: ConversationView, state: ConversationState, at: SimTime) {
        if let Some(t) = &mut self.trace {
            t.state_changed(c, state, at);
        }
    }

    fn context(&mut self, c: ConversationView, values: &[ContextValue]) {
        if let Some(t) = &mut self.trace {
            t.context(self.scenario, c, values);
        }
    }

    fn custom_presence_changed(
        &mut self,
        group: GroupId,
        at: SimTime,
        from: Option<PresenceId>,
        to: Option<PresenceId>,
    ) {
        self.tick(at.0);
        let customs = self.customs;
        for (presence, delta) in [(from, -1), (to, 1)] {
            if let Some(p) = presence {
                let k = usize::from(p.0) - BasePresence::ALL.len();
                self.custom[group.index() * customs + k] += delta;
                let (cell, w) = self.group_cell_now(group.index(), at.0);
                cell.custom_time[k] += delta as f64 * w;
            }
        }
    }

    fn interrupted(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    fn finished(&mut self, horizon: SimTime) {
        if let Some(t) = &mut self.trace {
            t.finished(horizon);
        }
        // Every interval the clock has not reached yet holds the levels of the last change.
        self.tick(horizon.0);
        self.fill_scopes();
        // Only the scopes' cells are read from here on.
        self.leaf_cells = Vec::new();
        self.group_cells = Vec::new();
    }
}

#[cfg(test)]
#[path = "collector_tests.rs"]
mod tests;
