//! The engine: one replication of the contact center, event by event.
//!
//! (About 830 lines, for its documentation — lifecycle, glossary, invariants — and the event
//! loop with the handlers every conversation passes through; offers, Waiting and schedules have
//! files of their own.)
//!
//! [`simulate`] runs the conversation lifecycle of DESIGN.md ("The conversation lifecycle, as
//! simulated") for one (scenario, replication) and reports what happens to an [`Observer`]; it
//! keeps no statistics itself. The engine knows the scenario and nothing above it: the metrics
//! layer implements `Observer`.
//!
//! What one replication does:
//! - **Arrival**: the channel's next arrival is scheduled ([`arrivals`]); the conversation draws
//!   its context values and patience from its own stream ([`rng`]), is routed by the work stream's
//!   rules (first match, else the fallback queue) and becomes **Open** in its queue.
//! - **Push** ([`assignment`]): the best eligible agent is offered it at once, or it waits until a
//!   cycle finds one. The offer reserves capacity; without an `offer` behaviour the agent accepts at
//!   once, otherwise it accepts or rejects after a drawn response time, or lets it time out. A
//!   declined conversation is Open again and may go to another agent at once.
//! - **Pick**: conversations of pick work streams are never offered; agents take them when they
//!   poll (`pick.every`), or the moment they can (`"0s"`).
//! - **Active** → handle time → **Wrap-up** → **Closed**, capacity released per
//!   `block_capacity_for_wrap_up`; or, with `waiting`, the agent parks it in **Waiting**: capacity
//!   is released, and a customer reply before `auto_close_after_inactivity` makes it Open again
//!   (to the previous agent first with affinity), otherwise it is auto-closed.
//! - Patience and `auto_close_open` run from arrival until the first accept, through offers.
//! - **Bots** (`bot.rs`): a work stream's bot holds each arrival first, then ends it or escalates
//!   it to routing with the context values it sets; its waits count from the escalation.
//! - **Overflow** (`overflow.rs`): a queue's rules move a conversation to another queue's lane,
//!   end it, or leave a caller's callback or voicemail, on arrival (outside hours, too many Open,
//!   too long an expected wait) or once it has waited too long; it keeps its first queue for
//!   reporting.
//! - **Skills and capacity profiles** (`skills.rs`, `requirement.rs`): classification on arrival
//!   (and on a bot's values) chooses the skill set a conversation requires, and with it its lane;
//!   agents qualify by their ratings (exact or closest), and a capacity profile limits how many
//!   conversations of it an agent holds, or blocks other work while one is held.
//! - **Schedules**: shifts, breaks (scheduled presences) and daily absence change who works; an
//!   agent leaving its shift takes nothing new and finishes what it holds.
//!
//! Why it is cheap: events are small `Copy` values (32 bytes) in a 4-ary heap ordered by one
//! integer key, and each channel's next arrival waits beside the heap rather than in it — one
//! comparison of two keys tells the loop whether an arrival or a heap event comes next, and sends
//! it straight to its handler; in a center whose conversations outgrow a cache, the records an
//! event or a lane's next head will read are loaded ahead (`prefetch.rs`);
//! scheduling is inlined where the event's kind is known; cancelled
//! timers are skipped by a version check instead of being removed; conversations and agents live
//! in vectors indexed by id, and a closed conversation's slot (with its buffers) is reused; Open
//! conversations wait in one lane per (queue, work stream, skill set) — a FIFO for those that come
//! in order —
//! so that an agent who frees capacity looks at a handful of lane heads rather than at every
//! conversation, and an arrival into a busy lane looks at no agent at all; a push search visits
//! only the agents that can be eligible (a bit set per queue, or per requirement class where the
//! queue is large or its work streams differ in the capacity or presences they need) and reads
//! them from a dense array of seats per queue, each with its rank by the queue's method computed
//! when the agent last changed, and keeps the best by conditional moves, since which candidate
//! ranks first follows no pattern a branch predictor could learn — or, in a large queue, keeps
//! its members in rank order and reads the first bit of the best level; an agent freeing capacity
//! when nothing is Open in its lanes looks at nothing. Once the vectors have grown, nothing is allocated per event.
//!
//! What one conversation costs, and where its time goes, is measured in `benches/README.md`.
//!
//! # Glossary
//!
//! - **Lane**: where Open conversations of one (queue, work stream, required skill set) wait, in
//!   (since, arrival) order; a conversation keeps its lane in its slot, apart from the queue it is
//!   reported under.
//! - **Requirement**: what a conversation asks of an agent (capacity units, allowed presences,
//!   capacity profile, skills);
//!   `requirement.rs`'s `admits` is the one eligibility test. A queue's **classes** are the distinct
//!   requirements of the push lanes routing can fill.
//! - **Seat**: a queue member as the push search reads it (id, presence, rank by the queue's
//!   method); **candidate**: a member working with room, whose bit is set for the search.
//! - **Team**: an agent group's agents ranked once for all its `highest_capacity` queues that
//!   rank by team (`assignment.rs`, `ranked.rs`).
//! - **Line** (calendar): the events of one fixed delay of a work stream, which come due in the
//!   order they are scheduled and wait first-in first-out beside the heap (`events.rs`).
//! - **Cycle**: one assignment pass over a group's push lanes, matching heads to agents.
//! - **Slot**: a conversation's place in the vector of conversations, reused when it closes;
//!   **version** and **generation** tell stale timers from live ones.
//! - **Leaf**, **cohort**, **tag** (metrics): a conversation's (channel, queue) cell, the interval
//!   it arrived in, and the label the observer gives it on arrival to find both.
//!
//! # Invariants
//!
//! Each is checked where it can break, in debug builds (every test run):
//! - An offer never takes an agent past its capacity or a capacity profile's limit (`reserve`);
//!   only picks that ignore capacity may. No reservation, by push or pick, goes to an agent
//!   without the skills the conversation requires.
//! - A push search finds what the definition finds: every member in roster order, the lowest
//!   rank of the eligible ones, the nearest first for closest skill matching
//!   (`Lanes::best_agent`, against `best_by_definition`; with declines,
//!   against `after_declines_by_definition`).
//! - A conversation joins only a lane that routing can fill (`Lanes::push`, `lane_can_hold`),
//!   the lanes whose classes were made.
//! - A group's count of Open conversations in its push lanes is the sum over those lanes
//!   (`Lanes::group_has_open`).
//! - An agent's derived fields follow its state (`Agent::refresh_load`).
//! - One pending arrival per channel, event times are not negative, and a line's events are
//!   scheduled in the order they come due (`Calendar`).
//! - A slot stays at 128 bytes (a compile-time assertion).
//!
//! - Between events, no Open push conversation has a member of its queue who may be offered it
//!   (`Lanes::check_no_match_left`, for lanes and queues of at most 16; the property tests' random
//!   centers are that small). Taking work can make an agent eligible for more — available to busy,
//!   where a work stream allows busy but not available — so such agents get a cycle once the
//!   event is done (`Replication::cycle_newly_eligible`).

pub mod agent;
pub mod arrivals;
pub mod assignment;
mod bot;
pub mod events;
mod lanes;
mod observer;
mod offers;
mod overflow;
mod prefetch;
mod ranked;
mod requirement;
pub mod rng;
mod schedule;
mod seats;
mod skills;
mod waiting;

pub use agent::AgentId;
pub use observer::{AgentStatus, ConversationState, ConversationView, Observer};

use rand::RngExt;

use crate::scenario::distribution::Distribution;
use crate::scenario::{
    Arrivals, BasePresence, ChannelId, ContextValue, GroupId, Mode, OverflowAction, OverflowWhen, QueueId, Scenario,
    WorkStreamId, WrapUpBlock,
};
use crate::time::{DAY, Duration, SimTime};
use agent::{Agent, AgentStreams};
use assignment::{Lanes, View};
use events::{Calendar, ConvSlot, EventKind, Next};

/// The events of one fixed delay of a work stream, which come due in the order they are
/// scheduled: each has a line of the calendar ([`Calendar::schedule_in_line`]).
#[derive(Clone, Copy)]
enum Line {
    /// The end of a constant wrap-up.
    WrapUpEnd,
    /// The end of a wrap-up's capacity block (`block_capacity_for_wrap_up`).
    BlockEnd,
    /// `auto_close_after_inactivity`.
    InactivityClose,
}

/// The calendar line of work stream `w`'s `delay`.
#[inline]
fn line(w: WorkStreamId, delay: Line) -> usize {
    3 * w.index() + delay as usize
}
use requirement::Load;
use rng::{Purpose, Stream};

/// How many events pass between two questions to [`Observer::interrupted`]. A question costs
/// about a nanosecond; an event can cost a scan of a queue of a million agents (a millisecond or
/// two), so a few hundred events keep Ctrl-C under a second whatever the center.
pub const CHECK_EVERY: u64 = 1 << 8;

/// How a replication ended, and how many events it handled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub ending: Ending,
    /// Events taken from the calendar, stale ones (cancelled timers) included.
    pub events: u64,
}

/// Why a replication ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ending {
    /// It reached its horizon.
    Horizon,
    /// It stopped at `at` with `simulation.max_in_system` conversations in the system.
    Overloaded { at: SimTime },
    /// [`Observer::interrupted`] said to stop, at `at`.
    Interrupted { at: SimTime },
}

pub(crate) struct Conversation {
    view: ConversationView,
    state: ConversationState,
    /// Bumped on every state change; timers scheduled in an earlier state are stale.
    version: u32,
    /// Bumped when the slot is reused; identifies the first-wait timers of this conversation.
    generation: u32,
    /// When the current state began.
    since: SimTime,
    /// Its place in the queue: arrival, or the last customer reply after a reopen.
    open_since: SimTime,
    /// Counted in its lane's `limited`: some agent has declined it `decline_limit` times.
    limited: bool,
    /// Waiting in its lane (counted in the queue length).
    in_lane: bool,
    holds_capacity: bool,
    /// The lane it waits in and is offered from: its (queue, work stream) as the engine keeps
    /// them, apart from the queue it is reported under (`view.queue`), which never changes.
    lane: u32,
    /// (agent, times declined), for the decline limit, in agent order: a look-up is a binary
    /// search, and a search over a queue's members (in agent order too) reads it in one pass.
    declines: Vec<(AgentId, u32)>,
    rng: Stream,
}

impl Conversation {
    /// Enters `state` at `now`: timers scheduled before go stale. The new version.
    #[inline(always)]
    fn enter(&mut self, state: ConversationState, now: SimTime) -> u32 {
        self.state = state;
        self.version = self.version.wrapping_add(1);
        self.since = now;
        self.version
    }

    #[inline]
    fn declines_by(&self, agent: AgentId) -> u32 {
        self.declines.binary_search_by_key(&agent, |&(a, _)| a).map_or(0, |i| self.declines[i].1)
    }
}

// A conversation's slot stays at 128 bytes, two to a cache line pair: the hot loop reads slots by
// index, and the lane lives in what was padding.
const _: () = assert!(std::mem::size_of::<Conversation>() <= 128);

/// Runs replication `replication` (0-based) of `scenario` to its horizon.
///
/// A replication that holds `simulation.max_in_system` conversations at once, or whose observer says it
/// was interrupted, stops early; the observer then hears neither `in_system` nor `finished`, and
/// the ending says why.
pub fn simulate<O: Observer>(scenario: &Scenario, replication: u32, observer: &mut O) -> Outcome {
    let mut sim = Replication::new(scenario, replication, observer);
    let ending = sim.run();
    Outcome { ending, events: sim.events }
}

struct Replication<'s, O: Observer> {
    scenario: &'s Scenario,
    observer: &'s mut O,
    now: SimTime,
    horizon: SimTime,
    calendar: Calendar,
    conversations: Vec<Conversation>,
    free_slots: Vec<ConvSlot>,
    agents: Vec<Agent>,
    agent_streams: Vec<AgentStreams>,
    /// First agent id of each group; a group's agents are contiguous, in roster order.
    group_start: Vec<u32>,
    /// Per group: its agents pick from some lane the moment they can (`pick.every = "0s"`).
    picks_at_once: Vec<bool>,
    /// Per group: some push lane of its queues allows busy but not available, or busy_dnd but not
    /// busy, so that taking work can make an agent eligible for more ([`Replication::newly_eligible`]).
    gains_by_load: Vec<bool>,
    /// Agents whose load just changed their presence into one that some lane allows and the old
    /// one did not: each gets a cycle once the event in hand is done.
    newly_eligible: Vec<AgentId>,
    lanes: Lanes,
    arrival_streams: Vec<Stream>,
    arrivals_so_far: Vec<u64>,
    /// Per channel, the key family of its conversations' streams.
    conversation_families: Vec<u64>,
    /// Timestamps of each trace channel replayed so far.
    trace_positions: Vec<usize>,
    /// Per channel, this replication's factor on each day's rates (empty: 1 every day).
    day_factors: Vec<Vec<f64>>,
    next_id: u64,
    context: Vec<ContextValue>,
    /// Events taken from the calendar so far.
    events: u64,
    /// Per queue, the sum and count of the handle times of its conversations' episodes, kept
    /// when some queue judges an expected wait (`expected_wait_at_least`).
    queue_handle: Vec<(f64, u64)>,
    keeps_queue_handle: bool,
    /// Some queue has overflow rules judged on arrival, a `waited_at_least` rule, or a transfer
    /// (or a work stream has one): without them the hot paths skip their look-ups.
    overflows_on_arrival: bool,
    limits_waits: bool,
    transfers: bool,
    /// Per work stream, what one of its conversations holds of its agent.
    loads: Vec<Load>,
}

impl<'s, O: Observer> Replication<'s, O> {
    fn new(scenario: &'s Scenario, replication: u32, observer: &'s mut O) -> Self {
        let seed = scenario.simulation.seed;
        let mut agents = Vec::new();
        let mut agent_streams = Vec::new();
        let mut group_start = Vec::with_capacity(scenario.agent_groups.len() + 1);
        for (g, group) in scenario.agent_groups.iter().enumerate() {
            group_start.push(agents.len() as u32);
            for offset in 0..group.count {
                let id = agents.len() as u64;
                agents.push(Agent::new(GroupId(g as u16), offset, group.capacity, &group.profile_limits));
                agent_streams.push(AgentStreams {
                    behaviour: rng::stream(seed, replication, Purpose::Agent, id, 0),
                    absence: rng::stream(seed, replication, Purpose::Agent, id, 1),
                });
            }
        }
        group_start.push(agents.len() as u32);
        let skills = skills::Skills::of(scenario, &group_start);
        for (agent, &sets) in agents.iter_mut().zip(&skills.qualified) {
            agent.skill_sets = sets;
        }
        let lanes = Lanes::new(scenario, &group_start, skills.distances);
        let picks_at_once = (0..scenario.agent_groups.len())
            .map(|g| lanes.group_picks(GroupId(g as u16)) && scenario.agent_groups[g].pick.immediate())
            .collect();
        let gains_by_load = scenario
            .agent_groups
            .iter()
            .map(|g| {
                scenario.work_streams.iter().any(|ws| {
                    let p = ws.allowed_presences;
                    ws.mode == Mode::Push
                        && g.queues.iter().any(|&q| ws.reaches(q))
                        && ((p.contains(BasePresence::Busy) && !p.contains(BasePresence::Available))
                            || (p.contains(BasePresence::BusyDnd) && !p.contains(BasePresence::Busy)))
                })
            })
            .collect();
        let max_variables = scenario.work_streams.iter().map(|w| w.variables.len()).max().unwrap_or(0);
        Replication {
            scenario,
            observer,
            now: SimTime::ZERO,
            horizon: SimTime(scenario.simulation.horizon.0),
            calendar: Calendar::default(),
            conversations: Vec::new(),
            free_slots: Vec::new(),
            agents,
            agent_streams,
            group_start,
            picks_at_once,
            gains_by_load,
            newly_eligible: Vec::new(),
            lanes,
            arrival_streams: (0..scenario.channels.len())
                .map(|c| rng::stream(seed, replication, Purpose::Arrivals, c as u64, 0))
                .collect(),
            arrivals_so_far: vec![0; scenario.channels.len()],
            conversation_families: (0..scenario.channels.len())
                .map(|c| rng::family(seed, replication, Purpose::Conversation, c as u64))
                .collect(),
            trace_positions: vec![0; scenario.channels.len()],
            day_factors: scenario
                .channels
                .iter()
                .enumerate()
                .map(|(c, channel)| match &channel.arrivals {
                    Arrivals::Poisson(profile) => {
                        let days = (scenario.simulation.horizon.0 / DAY).ceil() as usize;
                        let mut stream = rng::stream(seed, replication, Purpose::DayFactors, c as u64, 0);
                        arrivals::day_factors(profile, days, &mut stream)
                    }
                    _ => Vec::new(),
                })
                .collect(),
            next_id: 0,
            context: vec![ContextValue::Missing; max_variables],
            overflows_on_arrival: scenario.queues.iter().any(|q| !q.on_arrival.is_empty()),
            limits_waits: scenario.queues.iter().any(|q| q.on_wait.is_some()),
            transfers: scenario.queues.iter().any(|q| q.transfer.is_some())
                || scenario.work_streams.iter().any(|w| w.transfer.is_some()),
            loads: scenario.work_streams.iter().map(|ws| Load::of(scenario, ws)).collect(),
            queue_handle: vec![(0.0, 0); scenario.queues.len()],
            keeps_queue_handle: scenario
                .queues
                .iter()
                .any(|q| q.on_arrival.iter().any(|o| matches!(o.when, OverflowWhen::ExpectedWaitAtLeast(_)))),
            events: 0,
        }
    }

    fn run(&mut self) -> Ending {
        for (g, group) in self.scenario.agent_groups.iter().enumerate() {
            let group_id = GroupId(g as u16);
            // Every agent starts offline; the schedule in force at time 0 then applies as a change.
            for agent in self.agents_of(g) {
                self.observer.agent_added(group_id, self.agents[agent.index()].status);
            }
            self.apply_schedule(group_id);
            if let Some(at) = self.next_schedule_change(group_id) {
                self.calendar.schedule(at, EventKind::ScheduleChange(group_id));
            }
            if self.lanes.group_picks(group_id) && !group.pick.immediate() {
                for agent in self.agents_of(g) {
                    self.schedule_poll(agent, true);
                }
            }
        }
        for c in 0..self.scenario.channels.len() {
            self.schedule_arrival(ChannelId(c as u16));
        }

        // One branch tells an arrival (beside the heap) from an event of the heap.
        while let Some(next) = self.calendar.next() {
            if next == Next::Arrival {
                let (time, channel) = self.calendar.pop_arrival();
                if let Some(ending) = self.advance_to(time) {
                    return ending;
                }
                self.arrival(channel);
                self.cycle_newly_eligible();
                if self.conversations.len() - self.free_slots.len() >= self.scenario.simulation.max_in_system {
                    return Ending::Overloaded { at: self.now };
                }
                continue;
            }
            // Events poured from a bucket come due within a few hundred pops, the next in a line
            // after two more: their loads start now.
            let (conversations, agents) = (self.conversations.as_ptr(), self.agents.as_ptr());
            let load_ahead = prefetch::worth_it(&self.conversations);
            let event = self.calendar.pop_event(next, |e| {
                if !load_ahead {
                    return;
                }
                let (conv, agent) = e.kind.parties();
                if let Some(conv) = conv {
                    prefetch::record(conversations, conv as usize);
                }
                if let Some(agent) = agent {
                    prefetch::record(agents, agent.index());
                }
            });
            if let Some(ending) = self.advance_to(event.time()) {
                return ending;
            }
            match event.kind {
                EventKind::Arrival(_) => unreachable!("arrivals wait beside the heap"),
                EventKind::LeaveOpen { conv, generation, abandon } => {
                    let c = &self.conversations[conv as usize];
                    let waiting_first_accept = matches!(c.state, ConversationState::Open | ConversationState::Offered);
                    // A callback or voicemail no longer abandons: only its closing deadline acts.
                    let hung_up = abandon && c.view.called_back;
                    if c.generation == generation && !c.view.answered && waiting_first_accept && !hung_up {
                        self.leave_open(conv, abandon);
                    }
                }
                EventKind::WaitOverflow { conv, generation, lane } => self.wait_overflow(conv, generation, lane),
                EventKind::BotEnd { conv, generation, contained } => self.bot_end(conv, generation, contained),
                EventKind::OfferResponse { conv, version, response } => {
                    if self.is_current(conv, version) {
                        self.offer_response(conv, response);
                    }
                }
                EventKind::HandleEnd { conv, version, agent } => {
                    if self.is_current(conv, version) {
                        self.handle_end(conv, agent);
                    }
                }
                EventKind::CapacityRelease { conv, version } => {
                    if self.is_current(conv, version) && self.conversations[conv as usize].holds_capacity {
                        self.release_capacity(conv);
                    }
                }
                EventKind::WrapUpEnd { conv, version, agent } => {
                    if self.is_current(conv, version) {
                        self.wrap_up_end(conv, agent);
                    }
                }
                EventKind::CustomerReply { conv, version } => {
                    if self.is_current(conv, version) {
                        self.customer_reply(conv);
                    }
                }
                EventKind::InactivityClose { conv, version } => {
                    if self.is_current(conv, version) {
                        self.observer.auto_closed(self.conversations[conv as usize].view, self.now);
                        self.finish(conv);
                    }
                }
                EventKind::ScheduleChange(group) => self.schedule_change(group),
                EventKind::PresenceReset { agent, token } => {
                    if self.agents[agent.index()].penalty_token == token {
                        self.update_agent(agent, |a| a.penalty = None);
                        self.agent_available(agent);
                    }
                }
                EventKind::PickPoll { agent } => {
                    if self.agents[agent.index()].working() {
                        self.try_pick(agent, false);
                    }
                    self.schedule_poll(agent, false);
                }
            }
            self.cycle_newly_eligible();
        }

        self.reach_horizon()
    }

    /// A cycle for each agent that taking work made eligible for more (DESIGN.md "Push": a
    /// presence change runs a cycle), once the event that changed it is done. Then, in debug
    /// builds, no Open push conversation of a small center is left with an agent free for it.
    #[inline(always)]
    fn cycle_newly_eligible(&mut self) {
        if !self.newly_eligible.is_empty() {
            self.cycle_each_newly_eligible();
        }
        #[cfg(debug_assertions)]
        for g in 0..self.scenario.agent_groups.len() {
            self.lanes.check_no_match_left(&self.view(), GroupId(g as u16));
        }
    }

    #[cold]
    #[inline(never)]
    fn cycle_each_newly_eligible(&mut self) {
        while let Some(agent) = self.newly_eligible.pop() {
            self.agent_available(agent);
        }
    }

    /// Moves the clock to the next event's `time`; an ending when the replication stops there
    /// instead (the horizon is passed, or the observer says it was interrupted).
    #[inline(always)]
    fn advance_to(&mut self, time: SimTime) -> Option<Ending> {
        // Times are never NaN: a plain comparison, not the total order.
        if time.0 > self.horizon.0 {
            return Some(self.reach_horizon());
        }
        self.now = time;
        self.events += 1;
        if self.events.is_multiple_of(CHECK_EVERY) && self.observer.interrupted() {
            return Some(Ending::Interrupted { at: self.now });
        }
        None
    }

    /// The end of a replication that ran to its horizon.
    #[cold]
    fn reach_horizon(&mut self) -> Ending {
        self.now = self.horizon;
        for c in &self.conversations {
            if c.state != ConversationState::Closed {
                self.observer.in_system(c.view);
            }
        }
        self.observer.finished(self.horizon);
        Ending::Horizon
    }

    #[inline]
    fn is_current(&self, conv: ConvSlot, version: u32) -> bool {
        self.conversations[conv as usize].version == version
    }

    #[inline]
    fn view(&self) -> View<'_> {
        View { scenario: self.scenario, conversations: &self.conversations, agents: &self.agents }
    }

    fn schedule_arrival(&mut self, channel: ChannelId) {
        let arrivals = &self.scenario.channels[channel.index()].arrivals;
        let c = channel.index();
        let (stream, position) = (&mut self.arrival_streams[c], &mut self.trace_positions[c]);
        let days = &self.day_factors[c];
        if let Some(at) = arrivals::next_arrival(arrivals, days, position, self.now, self.horizon, stream) {
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

        // Fixed draw order (DESIGN.md "The engine"): context values, the queue of a rule that
        // splits its matches (percentage routing), then patience.
        let mut stream = rng::stream_in(self.conversation_families[channel_id.index()], index);
        for (value, generator) in self.context.iter_mut().zip(&channel.context) {
            *value = generator.as_ref().map_or(ContextValue::Missing, |g| g.draw(&mut stream));
        }
        if ws.bot.is_some() {
            return self.bot_arrival(channel_id, stream);
        }
        let values = &self.context[..channel.context.len()];
        let queue = ws.route(values, || stream.random());
        let patience = ws.patience.as_ref().map(|p| p.sample(&mut stream));
        let overflow = if self.overflows_on_arrival { self.overflow_on_arrival(queue, ws) } else { None };
        let waits_in = match overflow {
            Some(OverflowAction::Queue(target)) => target,
            _ => queue,
        };

        let mut view = self.new_view(channel_id, queue);
        self.observer.context(view, &self.context[..channel.context.len()]);

        let skills = if ws.classification.is_empty() {
            0
        } else {
            usize::from(ws.set_of_rules[usize::from(ws.classify(&self.context[..channel.context.len()]))])
        };
        let lane = self.lanes.lane_of(waits_in, channel.work_stream, skills);
        let ends = overflow == Some(OverflowAction::End);
        // With Open conversations of this lane that any agent could take, no agent is free for it.
        let agent = if ends || self.lanes.surely_busy(lane) {
            None
        } else if self.lanes.is_pick(lane) {
            self.lanes.immediate_picker(&self.view(), lane)
        } else {
            // No agent has declined it yet.
            self.lanes.best_agent_undeclined(&self.view(), lane)
        };
        view.queued = agent.is_none() && !ends;
        view.tag = self.observer.arrived(view);
        // The slot is filled as an Open conversation: what `enter_open` does, done once.
        let slot = self.new_slot(view, lane, stream);
        if view.queued {
            self.join_lane(slot);
        }
        self.observer.state_changed(view, ConversationState::Open, self.now);
        if overflow.is_some() {
            self.observer.overflowed(view, self.now);
            if ends {
                self.observer.ended_by_overflow(view, self.now);
                self.finish(slot);
                return;
            }
        }
        match overflow {
            Some(action) if action.leaves_work() => self.leave_work(slot, action, true),
            // No timer to start (every M/M/c), or answered now: the first wait is over before a
            // timer could act.
            _ if !(patience.is_some() || channel.auto_close_open.is_some() || self.limits_waits) => {}
            _ if agent.is_some_and(|a| self.accepts_at_once(a, lane)) => {}
            _ => {
                self.start_first_wait_timers(slot, channel.auto_close_open, patience);
                if self.limits_waits {
                    self.start_wait_overflow(slot);
                }
            }
        }
        if let Some(agent) = agent {
            if self.lanes.is_pick(lane) {
                self.take(slot, agent);
            } else {
                self.offer(slot, agent);
            }
        }
    }

    /// The view of a conversation of `channel` arriving now, routed to `queue`: the next id.
    #[inline(always)]
    fn new_view(&mut self, channel: ChannelId, queue: QueueId) -> ConversationView {
        let view = ConversationView {
            id: self.next_id,
            arrival: self.now,
            channel,
            work_stream: self.scenario.channels[channel.index()].work_stream,
            queue,
            queued: false,
            answered: false,
            transferred: false,
            called_back: false,
            agent: AgentId::NONE,
            tag: 0,
        };
        self.next_id += 1;
        view
    }

    /// A slot for a conversation arriving now, Open in a new version: timers of the slot's earlier
    /// conversations are stale.
    #[inline(always)]
    fn new_slot(&mut self, view: ConversationView, lane: usize, rng: Stream) -> ConvSlot {
        let fresh = |version: u32, generation: u32, declines: Vec<(AgentId, u32)>| Conversation {
            view,
            state: ConversationState::Open,
            version,
            generation,
            since: view.arrival,
            open_since: view.arrival,
            limited: false,
            in_lane: false,
            holds_capacity: false,
            lane: lane as u32,
            declines,
            rng,
        };
        match self.free_slots.pop() {
            Some(slot) => {
                let old = &mut self.conversations[slot as usize];
                let mut declines = std::mem::take(&mut old.declines);
                declines.clear();
                *old = fresh(old.version.wrapping_add(1), old.generation.wrapping_add(1), declines);
                slot
            }
            None => {
                self.conversations.push(fresh(0, 0, Vec::new()));
                (self.conversations.len() - 1) as ConvSlot
            }
        }
    }

    /// Whether `agent`, found for a conversation of `lane`, answers it the moment it is found: a
    /// pick, or an offer to an agent whose group accepts without a response (the "Offers" rule of DESIGN.md).
    /// Such a conversation needs no first-wait timers, which would only come due stale.
    #[inline(always)]
    fn accepts_at_once(&self, agent: AgentId, lane: usize) -> bool {
        self.lanes.is_pick(lane) || self.scenario.agent_groups[self.agents[agent.index()].group.index()].offer.is_none()
    }

    /// Patience and `auto_close_open` run from arrival until the first accept, through offers.
    /// `slot` arrives now.
    fn start_first_wait_timers(&mut self, slot: ConvSlot, auto_close_open: Option<Duration>, patience: Option<f64>) {
        let arrival = self.now.0;
        let abandon_at = patience.map(|p| arrival + p);
        let close_at = auto_close_open.map(|d| arrival + d.0);
        let deadline = match (abandon_at, close_at) {
            (Some(a), Some(c)) if a <= c => Some((a, true)),
            (_, Some(c)) => Some((c, false)),
            (Some(a), None) => Some((a, true)),
            (None, None) => None,
        };
        if let Some((at, abandon)) = deadline {
            let generation = self.conversations[slot as usize].generation;
            self.calendar.schedule(SimTime(at), EventKind::LeaveOpen { conv: slot, generation, abandon });
        }
    }

    /// The conversation is Open; `queue_it` puts it in its lane to wait. One that an agent takes
    /// at once never waits in the lane and never counts in the queue length.
    #[inline(always)]
    fn enter_open(&mut self, slot: ConvSlot, queue_it: bool) {
        let now = self.now;
        let c = &mut self.conversations[slot as usize];
        c.state = ConversationState::Open;
        c.version = c.version.wrapping_add(1);
        c.since = now;
        if queue_it {
            self.join_lane(slot);
        }
        self.observer.state_changed(self.conversations[slot as usize].view, ConversationState::Open, now);
    }

    /// The Open conversation waits in its lane (counted in the queue length).
    #[inline(never)]
    fn join_lane(&mut self, slot: ConvSlot) {
        let c = &mut self.conversations[slot as usize];
        c.in_lane = true;
        self.lanes.push(c.lane as usize, c.open_since, c.view.id, slot, c.version, c.limited);
        self.observer.open_changed(c.view, self.now, 1);
    }

    /// The conversation stops waiting in its lane (taken, offered, or gone), if it was there.
    #[inline(always)]
    fn leave_lane(&mut self, slot: ConvSlot) {
        if self.conversations[slot as usize].in_lane {
            self.take_from_lane(slot);
        }
    }

    /// The conversation leaves its lane (no longer counted in the queue length).
    #[inline(never)]
    fn take_from_lane(&mut self, slot: ConvSlot) {
        let c = &mut self.conversations[slot as usize];
        c.in_lane = false;
        self.lanes.remove_open(c.lane as usize, c.limited);
        self.observer.open_changed(c.view, self.now, -1);
    }

    #[inline]
    fn set_state(&mut self, slot: ConvSlot, state: ConversationState) -> u32 {
        let c = &mut self.conversations[slot as usize];
        let version = c.enter(state, self.now);
        self.observer.state_changed(c.view, state, self.now);
        version
    }

    fn handle_end(&mut self, slot: ConvSlot, agent: AgentId) {
        let now = self.now;
        let c = &mut self.conversations[slot as usize];
        debug_assert_eq!(agent, c.view.agent, "a current handle-time end names the conversation's agent");
        let ws = &self.scenario.work_streams[c.view.work_stream.index()];
        let group = self.agents[agent.index()].group;
        let handle = now - c.since;
        if self.keeps_queue_handle {
            let kept = &mut self.queue_handle[self.lanes.queue_of(c.lane as usize).index()];
            *kept = (kept.0 + handle.0, kept.1 + 1);
        }

        // Per active episode, after the handle time: the transfer decision (where a transfer
        // applies), the waiting decision, then the reply delay.
        if self.transfers
            && let Some(transfer) =
                self.scenario.queues[self.lanes.queue_of(c.lane as usize).index()].transfer.or(ws.transfer)
            && c.rng.random::<f64>() < transfer.probability
            // A queue outside its hours takes no transfer: the conversation goes to wrap-up.
            && self.scenario.queues[transfer.queue.index()].is_open(now)
        {
            self.observer.handled(group, c.view, handle);
            self.transfer(slot, transfer.queue);
            return;
        }
        if let Some(waiting) = &ws.waiting {
            let parks = c.rng.random::<f64>() < waiting.probability;
            if parks {
                let never = c.rng.random::<f64>() < waiting.never_reply;
                let reply = waiting.customer_reply.sample(&mut c.rng);
                self.observer.handled(group, c.view, handle);
                self.park(slot, never, reply);
                return;
            }
        }
        // A zero wrap-up draws nothing.
        let wrap_up = if ws.wrap_up.is_zero() { 0.0 } else { ws.wrap_up.sample(&mut c.rng) };
        if wrap_up <= 0.0 {
            self.close(slot, Some((group, handle)));
            return;
        }
        self.observer.handled(group, c.view, handle);
        let version = self.set_state(slot, ConversationState::WrapUp);
        let (at, end) = (now + Duration(wrap_up), EventKind::WrapUpEnd { conv: slot, version, agent });
        let w = self.conversations[slot as usize].view.work_stream;
        match ws.wrap_up {
            Distribution::Constant(_) => self.calendar.schedule_in_line(line(w, Line::WrapUpEnd), at, end),
            _ => self.calendar.schedule(at, end),
        }
        match ws.wrap_up_block {
            WrapUpBlock::Always => {}
            WrapUpBlock::Never => self.release_capacity(slot),
            WrapUpBlock::For(block) if block.0 < wrap_up => {
                let release = EventKind::CapacityRelease { conv: slot, version };
                self.calendar.schedule_in_line(line(w, Line::BlockEnd), now + block, release);
            }
            WrapUpBlock::For(_) => {}
        }
    }

    fn wrap_up_end(&mut self, slot: ConvSlot, agent: AgentId) {
        let c = &self.conversations[slot as usize];
        debug_assert_eq!(agent, c.view.agent, "a current wrap-up end names the conversation's agent");
        let group = self.agents[agent.index()].group;
        self.observer.wrapped_up(group, c.view, self.now - c.since);
        self.close(slot, None);
    }

    /// Capacity returns to the agent (wrap-up block over), who may take more work at once.
    fn release_capacity(&mut self, slot: ConvSlot) {
        let c = &mut self.conversations[slot as usize];
        c.holds_capacity = false;
        let load = self.loads[c.view.work_stream.index()];
        let agent = c.view.agent;
        let now = self.now;
        self.update_load(agent, |a| {
            a.give_back(load);
            a.last_release = now.0;
        });
        self.agent_available(agent);
    }

    /// Closed after wrap-up, or at the end of handling without one: the agent lets go of it.
    /// `handled` is the group and handle time of an active episode that ended just now without
    /// wrap-up, not told to the observer yet.
    #[inline(always)]
    fn close(&mut self, slot: ConvSlot, handled: Option<(GroupId, Duration)>) {
        let now = self.now;
        // The conversation is looked up once, beside the observer; the agent lets go after.
        let Replication { conversations, observer, loads, free_slots, .. } = self;
        let c = &mut conversations[slot as usize];
        let agent = c.view.agent;
        let load = if c.holds_capacity { loads[c.view.work_stream.index()] } else { Load::NONE };
        c.holds_capacity = false;
        match handled {
            Some((group, handle)) => observer.handled_and_completed(group, c.view, handle, now),
            None => observer.completed(c.view, now),
        }
        c.enter(ConversationState::Closed, now);
        observer.state_changed(c.view, ConversationState::Closed, now);
        free_slots.push(slot);
        self.update_load(agent, |a| {
            a.give_back(load);
            a.holding -= 1;
            if load.units > 0 {
                a.last_release = now.0;
            }
        });
        if load.units > 0 {
            self.agent_available(agent);
        }
    }

    /// A conversation waiting for its first accept leaves: the customer abandons, or
    /// `auto_close_open` closes it. An offer in progress is withdrawn.
    fn leave_open(&mut self, slot: ConvSlot, abandon: bool) {
        let (view, withdrawn) = self.stop_waiting(slot);
        if abandon {
            self.observer.abandoned(view, self.now);
        } else {
            self.observer.auto_closed(view, self.now);
        }
        self.finish(slot);
        if let Some(agent) = withdrawn {
            self.agent_available(agent);
        }
    }

    /// A conversation waiting for its first accept stops waiting where it is: out of its lane,
    /// or its offer withdrawn (the agent named, to be made available once the caller is done).
    fn stop_waiting(&mut self, slot: ConvSlot) -> (ConversationView, Option<AgentId>) {
        let c = &self.conversations[slot as usize];
        let view = c.view;
        let withdrawn = (c.state == ConversationState::Offered).then_some(view.agent);
        match withdrawn {
            Some(agent) => self.release_reservation(slot, agent),
            None => self.leave_lane(slot),
        }
        (view, withdrawn)
    }

    #[inline(always)]
    fn finish(&mut self, slot: ConvSlot) {
        self.set_state(slot, ConversationState::Closed);
        self.free_slots.push(slot);
    }

    /// The agents of group `g`, in roster order.
    fn agents_of(&self, g: usize) -> impl Iterator<Item = AgentId> + use<'s, O> {
        (self.group_start[g]..self.group_start[g + 1]).map(AgentId)
    }

    /// Changes an agent, and tells the observer and the queues it belongs to how it changed.
    #[inline(always)]
    fn update_agent(&mut self, agent: AgentId, change: impl FnOnce(&mut Agent)) {
        let a = &mut self.agents[agent.index()];
        let (before, was_custom) = (a.status, a.custom);
        change(a);
        a.refresh();
        let (after, custom) = (a.status, a.custom);
        let group = a.group;
        // Nearly every change changes the status; the observer compares field by field.
        self.observer.agent_changed(group, self.now, before, after);
        if custom != was_custom {
            self.observer.custom_presence_changed(group, self.now, was_custom, custom);
        }
        self.lanes.agent_changed(a, agent);
    }

    /// [`Replication::update_agent`] for a change of the agent's load alone (see
    /// [`Agent::refresh_load`]): the custom presence it shows stays as it was.
    #[inline(always)]
    fn update_load(&mut self, agent: AgentId, change: impl FnOnce(&mut Agent)) {
        let a = &mut self.agents[agent.index()];
        let before = a.status;
        change(a);
        a.refresh_load();
        self.observer.agent_changed(a.group, self.now, before, a.status);
        self.lanes.agent_changed(a, agent);
    }

    /// One agent gained room or presence: it takes the best Open conversations it can.
    #[inline]
    fn agent_available(&mut self, agent: AgentId) {
        let group = self.agents[agent.index()].group;
        self.assignment_cycle(group, Some(agent));
        if self.picks_at_once[group.index()] {
            self.try_pick(agent, true);
        }
    }

    /// Matches Open conversations of the group's push lanes, in priority order, to eligible
    /// agents — to `only` when a single agent's state changed, since no other agent can have
    /// become eligible.
    #[inline(always)]
    fn assignment_cycle(&mut self, group: GroupId, only: Option<AgentId>) {
        // Nothing Open in the group's push lanes (most releases in a busy center): no cycle.
        if self.lanes.group_has_open(group) {
            self.run_cycle(group, only);
        }
    }

    /// The cycle itself, kept out of line: most releases in a busy center never enter it.
    #[inline(never)]
    fn run_cycle(&mut self, group: GroupId, only: Option<AgentId>) {
        self.lanes.begin_cycle(group);
        loop {
            let view = View { scenario: self.scenario, conversations: &self.conversations, agents: &self.agents };
            let Some((slot, agent)) = self.lanes.next_match(&view, group, only) else { break };
            self.offer(slot, agent);
        }
    }

    /// The agent picks (one conversation when polling; as many as fit when `immediate`).
    fn try_pick(&mut self, agent: AgentId, immediate: bool) {
        loop {
            let view = View { scenario: self.scenario, conversations: &self.conversations, agents: &self.agents };
            let rng = &mut self.agent_streams[agent.index()].behaviour;
            let picked = self.lanes.pick(&view, agent, immediate, rng);
            let Some(slot) = picked else { break };
            self.take(slot, agent);
            if !immediate {
                break;
            }
        }
    }

    /// The agent's next look at the Open conversations. The first look comes at a uniformly random
    /// point of a first period, so that a group's agents do not all poll at the same instant.
    fn schedule_poll(&mut self, agent: AgentId, first: bool) {
        let group = self.agents[agent.index()].group;
        let rng = &mut self.agent_streams[agent.index()].behaviour;
        let mut every = self.scenario.agent_groups[group.index()].pick.every.sample(rng);
        if first {
            every *= rng.random::<f64>();
        }
        // A polling period drawn as 0 from a distribution still moves time forward.
        let at = self.now + Duration(every.max(1e-6));
        if at <= self.horizon {
            self.calendar.schedule(at, EventKind::PickPoll { agent });
        }
    }
}
