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
//! sum, so each scope's Open level is followed as well, for its maximum.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{AgentLoad, ConversationState, ConversationView, Observer};
use crate::scenario::{BasePresence, ContextValue, GroupId, PresenceId, Scenario};
use crate::time::{Duration, SimTime};

use super::histogram::WaitHistogram;
use super::trace::{Outcome, Trace};

/// Counts and sums for one conversation scope in one interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConvCell {
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Abandoned within `simulation.short_abandon`: not offered, not abandoned.
    pub short_abandoned: u64,
    pub auto_closed: u64,
    /// Auto-closed before any agent accepted them.
    pub auto_closed_unanswered: u64,
    pub completed: u64,
    pub in_system: u64,
    /// In the system at the horizon and never answered.
    pub unanswered_at_end: u64,
    /// Resolved (answered, abandoned or auto-closed unanswered) after having to queue.
    pub queued_resolved: u64,
    pub answered_within_threshold: u64,
    pub wait_sum: f64,
    pub waits: WaitHistogram,
    pub handled: u64,
    pub handle_sum: f64,
    pub wrapped_up: u64,
    pub wrap_up_sum: f64,
    /// ∫ Open conversations dt, in conversation-seconds.
    pub open_time: f64,
    pub max_open: i64,
    /// Push offers made, rejected, timed out; accepted offers and their response times.
    pub offers: u64,
    pub rejects: u64,
    pub timeouts: u64,
    pub accepted_offers: u64,
    pub accept_delay_sum: f64,
    /// Waiting episodes, customer replies that reopened a conversation, and waits after them.
    pub waiting_episodes: u64,
    pub reopened: u64,
    pub requeue_answered: u64,
    pub requeue_wait_sum: f64,
}

/// Load of one agent scope in one interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgentCell {
    pub handled: u64,
    pub handle_sum: f64,
    pub wrapped_up: u64,
    pub wrap_up_sum: f64,
    /// ∫ staffed capacity units dt.
    pub staffed_capacity_time: f64,
    /// ∫ capacity units in use dt.
    pub in_use_time: f64,
    /// ∫ staffed agents dt.
    pub staffed_time: f64,
    /// ∫ agents holding a conversation dt.
    pub busy_time: f64,
    /// ∫ agents in each base presence dt, indexed by `BasePresence as usize`.
    pub presence_time: [f64; 5],
    /// ∫ agents in each custom presence dt (`[[presence]]` in declaration order); part of the
    /// time of its base presence.
    pub custom_time: Vec<f64>,
}

impl ConvCell {
    pub fn merge(&mut self, o: &ConvCell) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.short_abandoned += o.short_abandoned;
        self.auto_closed += o.auto_closed;
        self.auto_closed_unanswered += o.auto_closed_unanswered;
        self.completed += o.completed;
        self.in_system += o.in_system;
        self.unanswered_at_end += o.unanswered_at_end;
        self.queued_resolved += o.queued_resolved;
        self.answered_within_threshold += o.answered_within_threshold;
        self.wait_sum += o.wait_sum;
        self.waits.merge(&o.waits);
        self.handled += o.handled;
        self.handle_sum += o.handle_sum;
        self.wrapped_up += o.wrapped_up;
        self.wrap_up_sum += o.wrap_up_sum;
        self.open_time += o.open_time;
        self.max_open = self.max_open.max(o.max_open);
        self.offers += o.offers;
        self.rejects += o.rejects;
        self.timeouts += o.timeouts;
        self.accepted_offers += o.accepted_offers;
        self.accept_delay_sum += o.accept_delay_sum;
        self.waiting_episodes += o.waiting_episodes;
        self.reopened += o.reopened;
        self.requeue_answered += o.requeue_answered;
        self.requeue_wait_sum += o.requeue_wait_sum;
    }
}

impl AgentCell {
    pub fn merge(&mut self, o: &AgentCell) {
        self.handled += o.handled;
        self.handle_sum += o.handle_sum;
        self.wrapped_up += o.wrapped_up;
        self.wrap_up_sum += o.wrap_up_sum;
        self.staffed_capacity_time += o.staffed_capacity_time;
        self.in_use_time += o.in_use_time;
        self.staffed_time += o.staffed_time;
        self.busy_time += o.busy_time;
        for (a, b) in self.presence_time.iter_mut().zip(o.presence_time) {
            *a += b;
        }
        if self.custom_time.len() < o.custom_time.len() {
            self.custom_time.resize(o.custom_time.len(), 0.0);
        }
        for (a, b) in self.custom_time.iter_mut().zip(&o.custom_time) {
            *a += b;
        }
    }
}

/// How scopes are numbered in the cell arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScopeLayout {
    pub channels: usize,
    pub work_streams: usize,
    pub queues: usize,
    pub groups: usize,
}

impl ScopeLayout {
    pub fn of(s: &Scenario) -> ScopeLayout {
        ScopeLayout {
            channels: s.channels.len(),
            work_streams: s.work_streams.len(),
            queues: s.queues.len(),
            groups: s.agent_groups.len(),
        }
    }
    pub fn conv_scopes(&self) -> usize {
        1 + self.channels + self.work_streams + self.queues
    }
    pub fn agent_scopes(&self) -> usize {
        1 + self.groups
    }
    /// The four conversation scopes of a conversation that came by `channel`, belongs to
    /// `work_stream` and was routed to `queue`: all, channel, work stream, queue.
    pub fn of_conversation(&self, channel: usize, work_stream: usize, queue: usize) -> [usize; 4] {
        [0, 1 + channel, 1 + self.channels + work_stream, 1 + self.channels + self.work_streams + queue]
    }
}

/// Cells of every interval and scope, for one replication or merged over several.
#[derive(Clone, Debug, PartialEq)]
pub struct IntervalCells {
    pub layout: ScopeLayout,
    pub intervals: usize,
    /// `conv[k * layout.conv_scopes() + scope]`.
    pub conv: Vec<ConvCell>,
    /// `agent[k * layout.agent_scopes() + scope]`.
    pub agent: Vec<AgentCell>,
}

impl IntervalCells {
    pub fn new(layout: ScopeLayout, intervals: usize) -> IntervalCells {
        IntervalCells {
            layout,
            intervals,
            conv: vec![ConvCell::default(); intervals * layout.conv_scopes()],
            agent: vec![AgentCell::default(); intervals * layout.agent_scopes()],
        }
    }

    pub fn conv(&self, k: usize, scope: usize) -> &ConvCell {
        &self.conv[k * self.layout.conv_scopes() + scope]
    }

    pub fn agent(&self, k: usize, scope: usize) -> &AgentCell {
        &self.agent[k * self.layout.agent_scopes() + scope]
    }

    pub fn merge(&mut self, other: &IntervalCells) {
        for (a, b) in self.conv.iter_mut().zip(&other.conv) {
            a.merge(b);
        }
        for (a, b) in self.agent.iter_mut().zip(&other.agent) {
            a.merge(b);
        }
    }

    /// Sum over all intervals, per conversation scope.
    pub fn conv_totals(&self) -> Vec<ConvCell> {
        let n = self.layout.conv_scopes();
        let mut totals = vec![ConvCell::default(); n];
        for (i, cell) in self.conv.iter().enumerate() {
            totals[i % n].merge(cell);
        }
        totals
    }

    /// Sum over all intervals, per agent scope.
    pub fn agent_totals(&self) -> Vec<AgentCell> {
        let n = self.layout.agent_scopes();
        let mut totals = vec![AgentCell::default(); n];
        for (i, cell) in self.agent.iter().enumerate() {
            totals[i % n].merge(cell);
        }
        totals
    }
}

/// The reporting grid after warm-up, and the interval that holds the current time: levels change
/// at nearly every event, and almost always within that interval, so the common case needs no
/// division.
#[derive(Clone, Copy, Debug)]
struct Window {
    warmup: f64,
    horizon: f64,
    interval: f64,
    first: usize,
    last_k: usize,
    /// The current interval (index after warm-up) and its bounds, clipped to the window.
    k: usize,
    start: f64,
    end: f64,
}

impl Window {
    fn new(warmup: f64, horizon: f64, interval: f64, first: usize, intervals: usize) -> Window {
        let mut w = Window { warmup, horizon, interval, first, last_k: intervals - 1, k: 0, start: 0.0, end: -1.0 };
        w.tick(warmup);
        w
    }

    /// Moves the current interval to the one holding `t`.
    #[inline]
    fn tick(&mut self, t: f64) {
        if t >= self.start && t < self.end {
            return;
        }
        let absolute = (t.max(self.warmup) / self.interval) as usize;
        self.k = absolute.saturating_sub(self.first).min(self.last_k);
        self.start = (absolute as f64 * self.interval).max(self.warmup);
        self.end = ((absolute + 1) as f64 * self.interval).min(self.horizon);
    }

    /// Calls `f(k, dt)` for each interval `k` overlapping [from, to] ∩ [warm-up, horizon].
    #[inline]
    fn spread(&self, from: f64, to: f64, mut f: impl FnMut(usize, f64)) {
        let (mut t, end) = (from.max(self.warmup), to.min(self.horizon));
        if t >= end {
            return;
        }
        if t >= self.start && end <= self.end {
            f(self.k, end - t);
            return;
        }
        while t < end {
            let absolute = (t / self.interval) as usize;
            let boundary = ((absolute + 1) as f64 * self.interval).min(end);
            let k = absolute.saturating_sub(self.first).min(self.last_k);
            f(k, boundary - t);
            t = boundary;
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Level<T> {
    value: T,
    since: f64,
}

/// The engine's observer for one replication.
pub struct Collector<'s> {
    scenario: &'s Scenario,
    /// The per-conversation trace, when asked for.
    pub trace: Option<Trace>,
    /// Every scope's cells; filled in when the replication finishes.
    pub cells: IntervalCells,
    warmup: f64,
    horizon: f64,
    interval: f64,
    first_interval: usize,
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
    /// Open conversations per leaf, integrated over time.
    open: Vec<Level<i64>>,
    /// Open conversations per conversation scope, for the maximum queue length.
    open_level: Vec<Level<i64>>,
    /// `max_open[k * conv_scopes + scope]`.
    max_open: Vec<i64>,
    /// Load per agent group.
    load: Vec<Level<AgentLoad>>,
    /// Custom presences (`[[presence]]`) in the scenario.
    customs: usize,
    /// Agents per (agent group, custom presence): `custom[group * customs + k]`.
    custom: Vec<Level<i64>>,
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
            let reachable = ws.rules.iter().map(|r| r.queue).chain(std::iter::once(ws.fallback_queue));
            for q in reachable {
                let slot = &mut leaf_of[ch * queues + q.index()];
                if *slot == u32::MAX {
                    *slot = leaf_scopes.len() as u32;
                    leaf_scopes.push(layout.of_conversation(ch, channel.work_stream.index(), q.index()));
                }
            }
        }
        let leaves = leaf_scopes.len();
        let customs = scenario.presences.len().saturating_sub(BasePresence::ALL.len());
        Collector {
            scenario,
            trace: trace.then(Trace::default),
            cells: IntervalCells::new(layout, intervals),
            warmup: sim.warmup.0,
            horizon: sim.horizon.0,
            interval: sim.interval.0,
            first_interval: sim.first_interval(),
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
            open: vec![Level::default(); leaves],
            open_level: vec![Level::default(); layout.conv_scopes()],
            max_open: vec![0; intervals * layout.conv_scopes()],
            load: vec![Level::default(); layout.groups],
            customs,
            custom: vec![Level::default(); layout.groups * customs],
            cancel: None,
        }
    }

    #[inline]
    fn leaf(&self, c: &ConversationView) -> usize {
        let leaf = self.leaf_of[c.channel.index() * self.scenario.queues.len() + c.queue.index()];
        debug_assert!(leaf != u32::MAX, "a conversation routed outside its work stream's queues");
        leaf as usize
    }

    /// The interval a conversation counts in, if it arrived after warm-up.
    #[inline]
    fn cohort(&self, c: &ConversationView) -> Option<usize> {
        if c.arrival.0 < self.warmup {
            return None;
        }
        let k = (c.arrival.0 / self.interval) as usize - self.first_interval;
        Some(k.min(self.cells.intervals - 1))
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

    fn advance_open(&mut self, leaf: usize, to: f64) {
        let level = self.open[leaf];
        self.window.tick(to);
        let n = self.open.len();
        let cells = &mut self.leaf_cells;
        self.window.spread(level.since, to, |k, dt| {
            cells[k * n + leaf].open_time += level.value as f64 * dt;
        });
        self.open[leaf].since = to;
    }

    fn advance_load(&mut self, group: usize, to: f64) {
        let level = self.load[group];
        self.window.tick(to);
        let n = self.load.len();
        let cells = &mut self.group_cells;
        self.window.spread(level.since, to, |k, dt| {
            let cell = &mut cells[k * n + group];
            let v = level.value;
            cell.staffed_capacity_time += v.staffed_capacity as f64 * dt;
            cell.in_use_time += v.in_use as f64 * dt;
            cell.staffed_time += v.staffed_agents as f64 * dt;
            cell.busy_time += v.busy_agents as f64 * dt;
            for (t, n) in cell.presence_time.iter_mut().zip(v.presence) {
                *t += n as f64 * dt;
            }
        });
        self.load[group].since = to;
    }

    /// Agents of a group in a custom presence, integrated up to `to`.
    fn advance_custom(&mut self, slot: usize, to: f64) {
        let level = self.custom[slot];
        self.window.tick(to);
        let (group, k) = (slot / self.customs, slot % self.customs);
        let n = self.load.len();
        let cells = &mut self.group_cells;
        self.window.spread(level.since, to, |i, dt| {
            cells[i * n + group].custom_time[k] += level.value as f64 * dt;
        });
        self.custom[slot].since = to;
    }

    /// A scope's Open level held from its last change until `to`: each interval it spans has a
    /// maximum at least that high.
    fn advance_max_open(&mut self, scope: usize, to: f64) {
        let level = self.open_level[scope];
        self.window.tick(to);
        if level.since >= self.window.start {
            // Changed before within this interval, after warm-up: the level was counted then.
            self.open_level[scope].since = to;
            return;
        }
        let n = self.open_level.len();
        let max_open = &mut self.max_open;
        self.window.spread(level.since, to, |k, _| {
            let max = &mut max_open[k * n + scope];
            *max = (*max).max(level.value);
        });
        self.open_level[scope].since = to;
    }

    /// The interval cell at time `t` (for maxima of levels), if after warm-up.
    fn cell_at(&self, t: f64) -> Option<usize> {
        (t >= self.warmup && t < self.horizon)
            .then(|| ((t / self.interval) as usize - self.first_interval).min(self.cells.intervals - 1))
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
            for scope in 0..conv_scopes {
                self.cells.conv[k * conv_scopes + scope].max_open = self.max_open[k * conv_scopes + scope];
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
    fn arrived(&mut self, c: ConversationView) {
        self.each_conv_cell(&c, |cell| cell.offered += 1);
    }

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
                cell.queued_resolved += 1;
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

    fn completed(&mut self, c: ConversationView, _at: SimTime) {
        if let Some(t) = &mut self.trace {
            t.ended(c, Outcome::Completed);
        }
        self.each_conv_cell(&c, |cell| cell.completed += 1);
    }

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

    fn open_changed(&mut self, c: ConversationView, at: SimTime, delta: i64) {
        let leaf = self.leaf(&c);
        self.advance_open(leaf, at.0);
        self.open[leaf].value += delta;
        let cell = self.cell_at(at.0);
        let n = self.open_level.len();
        for scope in self.leaf_scopes[leaf] {
            self.advance_max_open(scope, at.0);
            let level = &mut self.open_level[scope].value;
            *level += delta;
            if let Some(k) = cell {
                let max = &mut self.max_open[k * n + scope];
                *max = (*max).max(*level);
            }
        }
    }

    fn agent_load_changed(&mut self, group: GroupId, at: SimTime, delta: AgentLoad) {
        let g = group.index();
        self.advance_load(g, at.0);
        let v = &mut self.load[g].value;
        v.staffed_capacity += delta.staffed_capacity;
        v.in_use += delta.in_use;
        v.staffed_agents += delta.staffed_agents;
        v.busy_agents += delta.busy_agents;
        for (p, d) in v.presence.iter_mut().zip(delta.presence) {
            *p += d;
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
        for (presence, delta) in [(from, -1), (to, 1)] {
            if let Some(p) = presence {
                let slot = group.index() * self.customs + usize::from(p.0) - BasePresence::ALL.len();
                self.advance_custom(slot, at.0);
                self.custom[slot].value += delta;
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
        for leaf in 0..self.open.len() {
            self.advance_open(leaf, horizon.0);
        }
        for scope in 0..self.open_level.len() {
            self.advance_max_open(scope, horizon.0);
        }
        for group in 0..self.load.len() {
            self.advance_load(group, horizon.0);
        }
        for slot in 0..self.custom.len() {
            self.advance_custom(slot, horizon.0);
        }
        self.fill_scopes();
        // Only the scopes' cells are read from here on.
        self.leaf_cells = Vec::new();
        self.group_cells = Vec::new();
    }
}
