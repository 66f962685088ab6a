//! The engine: one replication of the contact center, event by event.
//!
//! [`simulate`] runs the conversation lifecycle of DESIGN.md ("The conversation lifecycle, as
//! simulated") for one (scenario, replication) and reports what happens to an [`Observer`]; it
//! keeps no statistics itself. The engine knows the scenario and nothing above it: the metrics
//! layer implements `Observer`.
//!
//! What one replication does:
//! - **Arrival**: the channel's next arrival is scheduled (exact non-homogeneous Poisson,
//!   [`arrivals`]); the conversation draws its context values and patience from its own stream
//!   ([`rng`]), is routed by the work stream's rules (first match, else the fallback queue), and is
//!   offered to the best eligible agent at once, or becomes **Open** in its queue.
//! - **Push assignment** ([`assignment`]): eligible agents are members of the queue, on shift,
//!   with a base presence the work stream allows and free capacity ≥ its `capacity`; the queue's
//!   method picks. Every offer is accepted at once.
//! - **Active** → handle time → **Wrap-up** (capacity released at wrap-up start, after a block, or
//!   at close, per `block_capacity_for_wrap_up`) → **Closed**. An Open conversation whose
//!   patience runs out abandons; one Open for `auto_close_open` is auto-closed.
//! - **Shifts**: an agent leaving shift takes nothing new and finishes what it holds; it counts
//!   as staffed until it has finished.
//!
//! Why it is cheap: events are small `Copy` values in a binary heap; cancelled timers are skipped
//! by a version check instead of being removed; conversations and agents live in vectors indexed
//! by id, and a closed conversation's slot is reused; Open conversations wait in one heap per
//! (queue, work stream) lane, so that an agent who frees capacity looks at a handful of lane heads
//! rather than at every conversation. After warm-up of the vectors nothing is allocated per event.

pub mod arrivals;
pub mod assignment;
pub mod events;
pub mod rng;

use rand::RngExt;

use crate::scenario::{
    Arrivals, BasePresence, ChannelId, ContextGenerator, ContextValue, GroupId, QueueId, Scenario, WorkStreamId,
    WrapUpBlock,
};
use crate::time::{DAY, Duration, SimTime};
use assignment::Lanes;
use events::{Calendar, ConvSlot, EventKind};
use rng::{Purpose, Stream};

/// What the metrics layer needs to know about a conversation when something happens to it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConversationView {
    pub arrival: SimTime,
    pub channel: ChannelId,
    pub work_stream: WorkStreamId,
    /// The queue the conversation was first routed to.
    pub queue: QueueId,
    /// It found no eligible agent on arrival and had to wait in its queue.
    pub queued: bool,
    /// An agent has accepted it.
    pub answered: bool,
}

/// Changes to one agent's contribution to its group's load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AgentLoad {
    /// Capacity units of agents who are staffed (on shift, or finishing work after it).
    pub staffed_capacity: i64,
    /// Capacity units in use.
    pub in_use: i64,
    pub staffed_agents: i64,
    /// Staffed agents holding at least one conversation (Active or in Wrap-up).
    pub busy_agents: i64,
}

impl std::ops::Sub for AgentLoad {
    type Output = AgentLoad;
    fn sub(self, o: AgentLoad) -> AgentLoad {
        AgentLoad {
            staffed_capacity: self.staffed_capacity - o.staffed_capacity,
            in_use: self.in_use - o.in_use,
            staffed_agents: self.staffed_agents - o.staffed_agents,
            busy_agents: self.busy_agents - o.busy_agents,
        }
    }
}

/// Receives what happens in a replication, in time order.
pub trait Observer {
    /// A conversation arrived; `c.queued` says whether it had to wait.
    fn arrived(&mut self, c: ConversationView);
    /// An agent accepted it (its first wait ends).
    fn answered(&mut self, c: ConversationView, at: SimTime);
    /// The customer left while Open.
    fn abandoned(&mut self, c: ConversationView, at: SimTime);
    /// Closed by a timer rather than by an agent.
    fn auto_closed(&mut self, c: ConversationView, at: SimTime);
    /// Closed normally after wrap-up.
    fn completed(&mut self, c: ConversationView, at: SimTime);
    /// An agent of `group` finished active handling.
    fn handled(&mut self, group: GroupId, c: ConversationView, handle: Duration);
    /// An agent of `group` finished wrap-up.
    fn wrapped_up(&mut self, group: GroupId, c: ConversationView, wrap_up: Duration);
    /// The number of Open conversations like `c` changed by `delta`.
    fn open_changed(&mut self, c: ConversationView, at: SimTime, delta: i64);
    /// An agent's load changed.
    fn agent_load_changed(&mut self, group: GroupId, at: SimTime, delta: AgentLoad);
    /// Still in the system at the horizon.
    fn in_system(&mut self, c: ConversationView);
    /// The replication reached its horizon.
    fn finished(&mut self, horizon: SimTime);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Open,
    Active,
    WrapUp,
    Closed,
}

struct Conversation {
    view: ConversationView,
    /// Arrival order within the replication: among equally old conversations the lower wins.
    order: u64,
    state: State,
    /// Bumped on every state change; timers scheduled in an earlier state are stale.
    version: u32,
    /// When the current state began.
    since: SimTime,
    agent: u32,
    holds_capacity: bool,
    rng: Stream,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Agent {
    pub group: GroupId,
    pub capacity: u32,
    pub used: u32,
    /// Conversations Active or in Wrap-up with this agent.
    pub holding: u32,
    pub on_shift: bool,
    /// When the agent was last assigned a conversation; −∞ if never.
    pub last_assigned: f64,
}

impl Agent {
    /// Presence follows capacity while on shift (DOMAIN.md §4.9); off shift the agent is offline.
    #[inline]
    pub fn presence(&self) -> BasePresence {
        if !self.on_shift {
            BasePresence::Offline
        } else if self.used == 0 {
            BasePresence::Available
        } else if self.used >= self.capacity {
            BasePresence::BusyDnd
        } else {
            BasePresence::Busy
        }
    }

    #[inline]
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.used)
    }

    fn load(&self) -> AgentLoad {
        let staffed = self.on_shift || self.holding > 0;
        AgentLoad {
            staffed_capacity: if staffed { i64::from(self.capacity) } else { 0 },
            in_use: i64::from(self.used),
            staffed_agents: i64::from(staffed),
            busy_agents: i64::from(staffed && self.holding > 0),
        }
    }
}

/// Runs replication `replication` (0-based) of `scenario` to its horizon.
pub fn simulate<O: Observer>(scenario: &Scenario, replication: u32, observer: &mut O) {
    let mut sim = Replication::new(scenario, replication, observer);
    sim.run();
}

struct Replication<'s, O: Observer> {
    scenario: &'s Scenario,
    replication: u32,
    observer: &'s mut O,
    now: SimTime,
    horizon: SimTime,
    calendar: Calendar,
    conversations: Vec<Conversation>,
    free_slots: Vec<ConvSlot>,
    agents: Vec<Agent>,
    /// First agent id of each group; a group's agents are contiguous, in roster order.
    group_start: Vec<u32>,
    lanes: Lanes,
    arrival_streams: Vec<Stream>,
    arrivals_so_far: Vec<u64>,
    next_order: u64,
    context: Vec<ContextValue>,
}

impl<'s, O: Observer> Replication<'s, O> {
    fn new(scenario: &'s Scenario, replication: u32, observer: &'s mut O) -> Self {
        let seed = scenario.simulation.seed;
        let mut agents = Vec::new();
        let mut group_start = Vec::with_capacity(scenario.agent_groups.len() + 1);
        for (g, group) in scenario.agent_groups.iter().enumerate() {
            group_start.push(agents.len() as u32);
            let on_shift = group.shift.is_none_or(|s| s.covers(0.0));
            agents.extend((0..group.count).map(|_| Agent {
                group: GroupId(g as u16),
                capacity: group.capacity,
                used: 0,
                holding: 0,
                on_shift,
                last_assigned: f64::NEG_INFINITY,
            }));
        }
        group_start.push(agents.len() as u32);
        let lanes = Lanes::new(scenario, &agents, &group_start);
        let max_variables = scenario.work_streams.iter().map(|w| w.variables.len()).max().unwrap_or(0);
        Replication {
            scenario,
            replication,
            observer,
            now: SimTime::ZERO,
            horizon: SimTime(scenario.simulation.horizon.0),
            calendar: Calendar::default(),
            conversations: Vec::new(),
            free_slots: Vec::new(),
            agents,
            group_start,
            lanes,
            arrival_streams: (0..scenario.channels.len())
                .map(|c| rng::stream(seed, replication, Purpose::Arrivals, c as u64, 0))
                .collect(),
            arrivals_so_far: vec![0; scenario.channels.len()],
            next_order: 0,
            context: vec![ContextValue::Missing; max_variables],
        }
    }

    fn run(&mut self) {
        for a in 0..self.agents.len() {
            let load = self.agents[a].load();
            self.observer.agent_load_changed(self.agents[a].group, SimTime::ZERO, load);
        }
        for (g, group) in self.scenario.agent_groups.iter().enumerate() {
            if let Some(shift) = group.shift {
                let on = shift.covers(0.0);
                let (at, kind) = if on {
                    (next_time_of_day(SimTime::ZERO, shift.end), EventKind::ShiftEnd(GroupId(g as u16)))
                } else {
                    (next_time_of_day(SimTime::ZERO, shift.start), EventKind::ShiftStart(GroupId(g as u16)))
                };
                self.calendar.schedule(at, kind);
            }
        }
        for c in 0..self.scenario.channels.len() {
            self.schedule_arrival(ChannelId(c as u16));
        }

        while let Some(event) = self.calendar.pop() {
            if event.time > self.horizon {
                break;
            }
            self.now = event.time;
            match event.kind {
                EventKind::Arrival(channel) => self.arrival(channel),
                EventKind::LeaveOpen { conv, version, abandon } => {
                    if self.is_current(conv, version) {
                        self.leave_open(conv, abandon);
                    }
                }
                EventKind::HandleEnd { conv, version } => {
                    if self.is_current(conv, version) {
                        self.handle_end(conv);
                    }
                }
                EventKind::CapacityRelease { conv, version } => {
                    if self.is_current(conv, version) && self.conversations[conv as usize].holds_capacity {
                        self.release_capacity(conv);
                    }
                }
                EventKind::WrapUpEnd { conv, version } => {
                    if self.is_current(conv, version) {
                        self.wrap_up_end(conv);
                    }
                }
                EventKind::ShiftStart(group) => self.shift_start(group),
                EventKind::ShiftEnd(group) => self.shift_end(group),
            }
        }

        self.now = self.horizon;
        for c in &self.conversations {
            if c.state != State::Closed {
                self.observer.in_system(c.view);
            }
        }
        self.observer.finished(self.horizon);
    }

    #[inline]
    fn is_current(&self, conv: ConvSlot, version: u32) -> bool {
        self.conversations[conv as usize].version == version
    }

    fn schedule_arrival(&mut self, channel: ChannelId) {
        let Arrivals::Poisson(profile) = &self.scenario.channels[channel.index()].arrivals;
        if profile.daily_total() == 0.0 {
            return;
        }
        let stream = &mut self.arrival_streams[channel.index()];
        if let Some(at) = arrivals::next_arrival(profile, self.now, self.horizon, stream) {
            self.calendar.schedule(at, EventKind::Arrival(channel));
        }
    }

    /// A new conversation: draw what it brings, route it, and offer it or queue it.
    fn arrival(&mut self, channel_id: ChannelId) {
        self.schedule_arrival(channel_id);
        let scenario = self.scenario;
        let channel = &scenario.channels[channel_id.index()];
        let ws = &scenario.work_streams[channel.work_stream.index()];
        let index = self.arrivals_so_far[channel_id.index()];
        self.arrivals_so_far[channel_id.index()] += 1;

        // Fixed draw order (DESIGN.md "The engine"): context values, then patience.
        let mut stream =
            rng::stream(scenario.simulation.seed, self.replication, Purpose::Conversation, channel_id.0 as u64, index);
        for (value, generator) in self.context.iter_mut().zip(&channel.context) {
            *value = match generator {
                None => ContextValue::Missing,
                Some(ContextGenerator::Text { categories, cumulative }) => {
                    let u: f64 = stream.random();
                    let k = cumulative.iter().position(|&c| u < c).unwrap_or(cumulative.len() - 1);
                    ContextValue::Text(categories[k])
                }
                Some(ContextGenerator::Number(d)) => ContextValue::Number(d.sample(&mut stream)),
            };
        }
        let queue = ws.route(&self.context[..channel.context.len()]);
        let patience = ws.patience.as_ref().map(|p| p.sample(&mut stream));

        let view = ConversationView {
            arrival: self.now,
            channel: channel_id,
            work_stream: channel.work_stream,
            queue,
            queued: false,
            answered: false,
        };
        let conversation = Conversation {
            view,
            order: self.next_order,
            state: State::Open,
            version: 0,
            since: self.now,
            agent: u32::MAX,
            holds_capacity: false,
            rng: stream,
        };
        self.next_order += 1;
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                let old = &mut self.conversations[slot as usize];
                let version = old.version.wrapping_add(1);
                *old = conversation;
                old.version = version;
                slot
            }
            None => {
                self.conversations.push(conversation);
                (self.conversations.len() - 1) as ConvSlot
            }
        };

        let lane = self.lanes.lane_of(queue, channel.work_stream);
        // With conversations of this lane already Open, no member is eligible for it (every
        // assignment cycle ends with no Open conversation that an eligible agent could take).
        let agent = if self.lanes.open(lane) == 0 { self.lanes.best_agent(scenario, &self.agents, lane) } else { None };
        match agent {
            Some(agent) => {
                self.observer.arrived(view);
                self.assign(slot, agent);
            }
            None => {
                let c = &mut self.conversations[slot as usize];
                c.view.queued = true;
                let view = c.view;
                self.observer.arrived(view);
                self.enqueue(slot, lane, patience);
            }
        }
    }

    /// The conversation becomes Open in its lane, with timers for patience and `auto_close_open`.
    fn enqueue(&mut self, slot: ConvSlot, lane: usize, patience: Option<f64>) {
        let ws = &self.scenario.work_streams[self.conversations[slot as usize].view.work_stream.index()];
        let c = &mut self.conversations[slot as usize];
        c.state = State::Open;
        c.since = self.now;
        self.lanes.push(lane, c.view.arrival, c.order, slot, c.version);
        let view = c.view;
        let version = c.version;
        self.observer.open_changed(view, self.now, 1);

        let abandon_at = patience.map(|p| view.arrival.0 + p);
        let close_at = ws.auto_close_open.map(|d| view.arrival.0 + d.0);
        let deadline = match (abandon_at, close_at) {
            (Some(a), Some(c)) if a <= c => Some((a, true)),
            (_, Some(c)) => Some((c, false)),
            (Some(a), None) => Some((a, true)),
            (None, None) => None,
        };
        if let Some((at, abandon)) = deadline {
            self.calendar.schedule(SimTime(at), EventKind::LeaveOpen { conv: slot, version, abandon });
        }
    }

    /// An agent accepts the conversation (at once: no offer responses in this model).
    fn assign(&mut self, slot: ConvSlot, agent: u32) {
        let ws = &self.scenario.work_streams[self.conversations[slot as usize].view.work_stream.index()];
        let was_open = self.conversations[slot as usize].view.queued;
        let now = self.now;
        self.update_agent(agent, |a| {
            a.used += ws.capacity;
            a.holding += 1;
            a.last_assigned = now.0;
        });
        let c = &mut self.conversations[slot as usize];
        if was_open {
            self.lanes.remove_open(self.lanes.lane_of(c.view.queue, c.view.work_stream));
            self.observer.open_changed(c.view, now, -1);
        }
        c.state = State::Active;
        c.version = c.version.wrapping_add(1);
        c.since = now;
        c.agent = agent;
        c.holds_capacity = true;
        c.view.answered = true;
        self.observer.answered(c.view, now);
        let handle = ws.handle_time.sample(&mut c.rng);
        let version = c.version;
        self.calendar.schedule(now + Duration(handle), EventKind::HandleEnd { conv: slot, version });
    }

    fn handle_end(&mut self, slot: ConvSlot) {
        let now = self.now;
        let c = &mut self.conversations[slot as usize];
        let ws = &self.scenario.work_streams[c.view.work_stream.index()];
        let group = self.agents[c.agent as usize].group;
        self.observer.handled(group, c.view, now - c.since);
        let wrap_up = ws.wrap_up.sample(&mut c.rng);
        if wrap_up <= 0.0 {
            self.observer.wrapped_up(group, c.view, Duration::ZERO);
            self.close(slot);
            return;
        }
        c.state = State::WrapUp;
        c.version = c.version.wrapping_add(1);
        c.since = now;
        let version = c.version;
        self.calendar.schedule(now + Duration(wrap_up), EventKind::WrapUpEnd { conv: slot, version });
        match ws.wrap_up_block {
            WrapUpBlock::Always => {}
            WrapUpBlock::Never => self.release_capacity(slot),
            WrapUpBlock::For(block) if block.0 < wrap_up => {
                self.calendar.schedule(now + block, EventKind::CapacityRelease { conv: slot, version });
            }
            WrapUpBlock::For(_) => {}
        }
    }

    fn wrap_up_end(&mut self, slot: ConvSlot) {
        let c = &self.conversations[slot as usize];
        let group = self.agents[c.agent as usize].group;
        self.observer.wrapped_up(group, c.view, self.now - c.since);
        self.close(slot);
    }

    /// Capacity returns to the agent, who may take more work at once.
    fn release_capacity(&mut self, slot: ConvSlot) {
        let c = &mut self.conversations[slot as usize];
        c.holds_capacity = false;
        let units = self.scenario.work_streams[c.view.work_stream.index()].capacity;
        let agent = c.agent;
        self.update_agent(agent, |a| a.used -= units);
        self.agent_available(agent);
    }

    /// Closed after wrap-up: the agent lets go of it.
    fn close(&mut self, slot: ConvSlot) {
        if self.conversations[slot as usize].holds_capacity {
            let c = &mut self.conversations[slot as usize];
            c.holds_capacity = false;
            let units = self.scenario.work_streams[c.view.work_stream.index()].capacity;
            let agent = c.agent;
            self.update_agent(agent, |a| {
                a.used -= units;
                a.holding -= 1;
            });
            self.finish(slot, State::Closed);
            self.observer.completed(self.conversations[slot as usize].view, self.now);
            self.agent_available(agent);
        } else {
            let agent = self.conversations[slot as usize].agent;
            self.update_agent(agent, |a| a.holding -= 1);
            self.finish(slot, State::Closed);
            self.observer.completed(self.conversations[slot as usize].view, self.now);
        }
    }

    /// An Open conversation leaves: the customer abandons, or `auto_close_open` closes it.
    fn leave_open(&mut self, slot: ConvSlot, abandon: bool) {
        let c = &self.conversations[slot as usize];
        let view = c.view;
        self.lanes.remove_open(self.lanes.lane_of(view.queue, view.work_stream));
        self.observer.open_changed(view, self.now, -1);
        if abandon {
            self.observer.abandoned(view, self.now);
        } else {
            self.observer.auto_closed(view, self.now);
        }
        self.finish(slot, State::Closed);
    }

    fn finish(&mut self, slot: ConvSlot, state: State) {
        let c = &mut self.conversations[slot as usize];
        c.state = state;
        c.version = c.version.wrapping_add(1);
        self.free_slots.push(slot);
    }

    /// Changes an agent and tells the observer how its load changed.
    #[inline]
    fn update_agent(&mut self, agent: u32, change: impl FnOnce(&mut Agent)) {
        let a = &mut self.agents[agent as usize];
        let before = a.load();
        change(a);
        let after = a.load();
        if after != before {
            self.observer.agent_load_changed(a.group, self.now, after - before);
        }
    }

    /// One agent gained room: it takes the best Open conversations it is eligible for.
    fn agent_available(&mut self, agent: u32) {
        let group = self.agents[agent as usize].group;
        self.assignment_cycle(group, Some(agent));
    }

    /// Matches Open conversations of the group's queues, in priority order (queue priority, then
    /// oldest), to eligible agents — to `only` when a single agent's state changed, since no other
    /// agent can have become eligible.
    fn assignment_cycle(&mut self, group: GroupId, only: Option<u32>) {
        self.lanes.begin_cycle(group);
        while let Some((slot, agent)) =
            self.lanes.next_match(self.scenario, &self.conversations, &self.agents, group, only)
        {
            self.assign(slot, agent);
        }
    }

    fn shift_start(&mut self, group: GroupId) {
        let (first, last) = (self.group_start[group.index()], self.group_start[group.index() + 1]);
        for agent in first..last {
            self.update_agent(agent, |a| a.on_shift = true);
        }
        if let Some(shift) = self.scenario.agent_groups[group.index()].shift {
            self.calendar.schedule(next_time_of_day(self.now, shift.end), EventKind::ShiftEnd(group));
        }
        self.assignment_cycle(group, None);
    }

    fn shift_end(&mut self, group: GroupId) {
        let (first, last) = (self.group_start[group.index()], self.group_start[group.index() + 1]);
        for agent in first..last {
            self.update_agent(agent, |a| a.on_shift = false);
        }
        if let Some(shift) = self.scenario.agent_groups[group.index()].shift {
            self.calendar.schedule(next_time_of_day(self.now, shift.start), EventKind::ShiftStart(group));
        }
    }
}

/// The first time strictly after `now` at `second_of_day`.
fn next_time_of_day(now: SimTime, second_of_day: f64) -> SimTime {
    let day_start = (now.0 / DAY).floor() * DAY;
    let candidate = day_start + second_of_day;
    SimTime(if candidate > now.0 { candidate } else { candidate + DAY })
}
