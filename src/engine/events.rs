//! The event calendar: small `Copy` events ordered by time, then by the order in which they were
//! scheduled, so that a replication is a pure function of its inputs. Most wait in a 4-ary heap,
//! with buckets of time for the farther future once they are many thousands (`events/heap.rs`).
//! Events that come due in the order they are scheduled — those of one fixed delay, such as a
//! work stream's constant wrap-up — wait in a first-in first-out **line** each, beside it.
//!
//! Events are never removed: one that no longer applies (the handle-time end of a conversation
//! that was withdrawn, a reply to one already closed) carries the conversation's state version —
//! or for the first-wait timers its slot generation — from when it was scheduled, and is skipped
//! when it comes due with a different one.

mod heap;

use std::collections::VecDeque;

use super::agent::AgentId;
use crate::scenario::{ChannelId, GroupId};
use crate::time::SimTime;

/// Index of a conversation slot.
pub type ConvSlot = u32;

/// How an agent answers an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    Accept,
    Reject,
    Timeout,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventKind {
    /// The next arrival of a channel.
    Arrival(ChannelId),
    /// A conversation still waiting for its first accept reaches the end of its patience
    /// (`abandon`) or of `auto_close_open`.
    LeaveOpen { conv: ConvSlot, generation: u32, abandon: bool },
    /// A conversation still waiting for its first accept has waited its queue's
    /// `waited_at_least` in `lane`.
    WaitOverflow { conv: ConvSlot, generation: u32, lane: u32 },
    /// The bot is done with a conversation: it ends it (`contained`) or escalates it.
    BotEnd { conv: ConvSlot, generation: u32, contained: bool },
    /// The agent answers an offer.
    OfferResponse { conv: ConvSlot, version: u32, response: Response },
    /// Active handling ends. The agent, the conversation's, comes with the event so that the
    /// handler reads its record without waiting for the conversation's.
    HandleEnd { conv: ConvSlot, version: u32, agent: AgentId },
    /// A custom wrap-up block ends: capacity returns to the agent.
    CapacityRelease { conv: ConvSlot, version: u32 },
    /// Wrap-up ends: the conversation closes. The agent as for [`EventKind::HandleEnd`].
    WrapUpEnd { conv: ConvSlot, version: u32, agent: AgentId },
    /// The customer of a Waiting conversation replies.
    CustomerReply { conv: ConvSlot, version: u32 },
    /// A Waiting conversation reaches `auto_close_after_inactivity`.
    InactivityClose { conv: ConvSlot, version: u32 },
    /// A group's shifts or breaks change now.
    ScheduleChange(GroupId),
    /// A penalty presence (inactive, DND) set after an offer ends.
    PresenceReset { agent: AgentId, token: u32 },
    /// An agent looks at the Open conversations it may pick.
    PickPoll { agent: AgentId },
}

impl EventKind {
    /// The conversation and the agent whose records the event's handler reads first.
    #[inline(always)]
    pub fn parties(&self) -> (Option<ConvSlot>, Option<AgentId>) {
        match *self {
            EventKind::HandleEnd { conv, agent, .. } | EventKind::WrapUpEnd { conv, agent, .. } => {
                (Some(conv), Some(agent))
            }
            EventKind::LeaveOpen { conv, .. }
            | EventKind::WaitOverflow { conv, .. }
            | EventKind::BotEnd { conv, .. }
            | EventKind::OfferResponse { conv, .. }
            | EventKind::CapacityRelease { conv, .. }
            | EventKind::CustomerReply { conv, .. }
            | EventKind::InactivityClose { conv, .. } => (Some(conv), None),
            EventKind::PresenceReset { agent, .. } | EventKind::PickPoll { agent } => (None, Some(agent)),
            EventKind::Arrival(_) | EventKind::ScheduleChange(_) => (None, None),
        }
    }
}

/// How far behind a line's new first, once it gives out an event, is the one shown as coming
/// (see [`Calendar::pop_event`]).
const LINE_AHEAD: usize = 2;

#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// Time then scheduling order in one integer: the bits of a non-negative float order like
    /// the float, so one comparison orders two events.
    key: u128,
    pub kind: EventKind,
}

impl Event {
    #[inline]
    pub fn time(&self) -> SimTime {
        SimTime(f64::from_bits((self.key >> 64) as u64))
    }
}

/// The pending events: a 4-ary min-heap by key for the near future, with buckets of time for the
/// rest once the events are many (`events/heap.rs`), and apart from them, each channel's next
/// arrival. Every conversation begins with an arrival and a channel never has two pending, so a
/// look at a few keys replaces a push and a pop of the heap; the order is the same as if
/// arrivals were in the heap, since they carry the same keys.
pub struct Calendar {
    heap: heap::Heap,
    /// Lines of events in the order they come due (see [`Calendar::schedule_in_line`]), and the
    /// line whose first event is the earliest, with its key ([`NONE`]: every line empty).
    lines: Vec<VecDeque<Event>>,
    first_line: usize,
    first_line_key: u128,
    /// The key of each channel's pending arrival ([`NONE`]: none).
    arrivals: Vec<u128>,
    /// The channel of the earliest pending arrival, and its key ([`NONE`]: no arrival pending).
    first_arrival: usize,
    first_arrival_key: u128,
    next_seq: u64,
}

/// No arrival pending.
const NONE: u128 = u128::MAX;

/// Where the earliest pending event waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// A channel's next arrival.
    Arrival,
    Heap,
    Line,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            heap: heap::Heap::default(),
            lines: Vec::new(),
            first_line: 0,
            first_line_key: NONE,
            arrivals: Vec::new(),
            first_arrival: 0,
            first_arrival_key: NONE,
            next_seq: 0,
        }
    }
}

impl Calendar {
    /// Schedules `kind` at `time` (≥ 0; the clock never runs backwards). A channel has at most one
    /// arrival pending.
    #[inline(always)]
    pub fn schedule(&mut self, time: SimTime, kind: EventKind) {
        let key = self.next_key(time);
        if let EventKind::Arrival(channel) = kind {
            self.schedule_arrival(channel.index(), key);
            return;
        }
        self.heap.push(Event { key, kind });
    }

    /// The key of an event scheduled now for `time` (≥ 0; the clock never runs backwards): the
    /// time, then the scheduling order.
    #[inline(always)]
    fn next_key(&mut self, time: SimTime) -> u128 {
        debug_assert!(time.0 >= 0.0);
        // +0.0 for -0.0, whose bits would sort last.
        let key = (u128::from((time.0 + 0.0).to_bits()) << 64) | u128::from(self.next_seq);
        self.next_seq += 1;
        key
    }

    /// Schedules `kind` at `time` in `line`, whose events come due in the order they are
    /// scheduled: the caller schedules there only events of one fixed delay from the present
    /// (the clock never runs backwards, so their times never fall). A push and a pop of a
    /// first-in first-out line instead of the heap's; the same order of events.
    #[inline]
    pub fn schedule_in_line(&mut self, line: usize, time: SimTime, kind: EventKind) {
        let key = self.next_key(time);
        if line >= self.lines.len() {
            self.lines.resize_with(line + 1, VecDeque::new);
        }
        let events = &mut self.lines[line];
        debug_assert!(events.back().is_none_or(|e| e.key < key), "line {line} scheduled out of order");
        events.push_back(Event { key, kind });
        if key < self.first_line_key {
            (self.first_line, self.first_line_key) = (line, key);
        }
    }

    #[inline]
    fn schedule_arrival(&mut self, channel: usize, key: u128) {
        if channel >= self.arrivals.len() {
            self.arrivals.resize(channel + 1, NONE);
        }
        debug_assert!(self.arrivals[channel] == NONE, "a second pending arrival of channel {channel}");
        self.arrivals[channel] = key;
        if key < self.first_arrival_key {
            (self.first_arrival, self.first_arrival_key) = (channel, key);
        }
    }

    /// The earliest event (by time, then scheduling order), as the event loop takes it with
    /// [`Calendar::next`] and the pops.
    #[cfg(test)]
    pub fn pop(&mut self) -> Option<Event> {
        match self.next()? {
            Next::Arrival => {
                let (time, channel) = self.pop_arrival();
                Some(Event { key: u128::from(time.0.to_bits()) << 64, kind: EventKind::Arrival(channel) })
            }
            next => Some(self.pop_event(next, |_| {})),
        }
    }

    /// Where the earliest pending event waits; `None` when nothing is pending. The event loop
    /// branches on it once, so that an arrival goes straight to its handler.
    #[inline]
    pub fn next(&self) -> Option<Next> {
        let arrival = self.first_arrival_key;
        let heap = self.heap.first();
        if self.first_line_key != NONE {
            return Some(self.next_of_three(arrival, heap));
        }
        // Without lines (every M/M/c): one predictable test more than a heap alone.
        match heap {
            NONE => (arrival != NONE).then_some(Next::Arrival),
            heap if arrival < heap => Some(Next::Arrival),
            _ => Some(Next::Heap),
        }
    }

    /// [`Calendar::next`] when some line holds events.
    #[inline]
    fn next_of_three(&self, arrival: u128, heap: u128) -> Next {
        let line = self.first_line_key;
        if arrival < heap.min(line) {
            Next::Arrival
        } else if line < heap {
            Next::Line
        } else {
            Next::Heap
        }
    }

    /// Takes the earliest pending arrival (after [`Calendar::next`] said it is next).
    #[inline]
    pub fn pop_arrival(&mut self) -> (SimTime, ChannelId) {
        let (channel, key) = (self.first_arrival, self.first_arrival_key);
        debug_assert!(key != NONE);
        self.arrivals[channel] = NONE;
        // The earliest of the others, from the keys as the scan reads them: the slot just written
        // is not read back, which would wait for the write to land.
        (self.first_arrival, self.first_arrival_key) = (0, NONE);
        for (c, &k) in self.arrivals.iter().enumerate() {
            if c != channel && k < self.first_arrival_key {
                (self.first_arrival, self.first_arrival_key) = (c, k);
            }
        }
        (SimTime(f64::from_bits((key >> 64) as u64)), ChannelId(channel as u16))
    }

    /// Takes the earliest event of the heap or of the lines, where [`Calendar::next`] said it is.
    /// `coming` sees events before they come due, so that what their handlers will read can be
    /// loaded now: each event the heap takes from its buckets on the way (due within the next few
    /// hundred pops), or the event two places behind the new first of the line that gives one out
    /// (the third after the one given out).
    #[inline]
    pub fn pop_event(&mut self, next: Next, coming: impl FnMut(&Event)) -> Event {
        if next == Next::Line {
            return self.pop_line(coming);
        }
        self.heap.pop(coming)
    }

    /// Takes the first event of the line whose first is earliest; the next earliest line is
    /// found by a look at each line's first.
    fn pop_line(&mut self, mut coming: impl FnMut(&Event)) -> Event {
        let line = &mut self.lines[self.first_line];
        let event = line.pop_front().expect("an event in a line");
        if let Some(e) = line.get(LINE_AHEAD) {
            coming(e);
        }
        (self.first_line, self.first_line_key) = (0, NONE);
        for (l, events) in self.lines.iter().enumerate() {
            if let Some(e) = events.front()
                && e.key < self.first_line_key
            {
                (self.first_line, self.first_line_key) = (l, e.key);
            }
        }
        event
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_by_time_then_in_scheduling_order() {
        let mut c = Calendar::default();
        c.schedule(SimTime(5.0), EventKind::ScheduleChange(GroupId(0)));
        c.schedule(SimTime(1.0), EventKind::ScheduleChange(GroupId(1)));
        c.schedule(SimTime(5.0), EventKind::ScheduleChange(GroupId(2)));
        c.schedule(SimTime(1.0), EventKind::ScheduleChange(GroupId(3)));
        let order: Vec<_> = std::iter::from_fn(|| c.pop())
            .map(|e| match e.kind {
                EventKind::ScheduleChange(g) => g.0,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, vec![1, 3, 0, 2]);
    }

    #[test]
    fn every_pop_is_the_earliest_event_still_scheduled() {
        use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
        use std::collections::BTreeSet;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let mut c = Calendar::default();
        // What is scheduled and not yet popped, by (time bits, scheduling order).
        let mut outstanding = BTreeSet::new();
        let mut next_id = 0u64;
        // Arrivals are kept apart from the heap: three channels, each with at most one pending.
        let mut pending = [false; 3];
        for round in 0..3_000u16 {
            for _ in 0..rng.random_range(0..5) {
                // Few distinct times, so that ties are common.
                let t = f64::from(round) + f64::from(rng.random_range(0..5u8));
                let channel = rng.random_range(0..4usize);
                let kind = if channel < 3 && !pending[channel] {
                    pending[channel] = true;
                    EventKind::Arrival(ChannelId(channel as u16))
                } else {
                    EventKind::ScheduleChange(GroupId(0))
                };
                c.schedule(SimTime(t), kind);
                outstanding.insert((t.to_bits(), next_id, format!("{kind:?}")));
                next_id += 1;
            }
            if rng.random::<f64>() < 0.6 {
                let popped = c.pop();
                if let Some(Event { kind: EventKind::Arrival(ch), .. }) = popped {
                    pending[ch.index()] = false;
                }
                let popped = popped.map(|e| (e.time().0.to_bits(), format!("{:?}", e.kind)));
                assert_eq!(popped, outstanding.pop_first().map(|(t, _, kind)| (t, kind)));
            }
        }
        assert!(next_id > 5_000);
    }

    #[test]
    fn lines_of_fixed_delays_and_the_heap_pop_as_one_calendar() {
        use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
        use std::collections::BTreeSet;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut c = Calendar::default();
        let mut outstanding = BTreeSet::new();
        let (mut now, mut next_id) = (0.0, 0u64);
        // Three lines of fixed delays (one of them 0, as a wrap-up block may be), and the heap.
        let delays = [30.0, 0.0, 1800.0];
        for _ in 0..20_000 {
            let kind = EventKind::ScheduleChange(GroupId(next_id as u16));
            let at = match rng.random_range(0..5usize) {
                line @ 0..3 => {
                    let at = now + delays[line];
                    c.schedule_in_line(line, SimTime(at), kind);
                    at
                }
                // Few distinct times in the heap, so that ties with the lines are common.
                _ => {
                    let at = now + f64::from(rng.random_range(0..40u8));
                    c.schedule(SimTime(at), kind);
                    at
                }
            };
            outstanding.insert((at.to_bits(), next_id));
            next_id += 1;
            // Fewer pops than pushes, then a drain: thousands pending at the end.
            let pops = if next_id < 19_000 { rng.random_range(0..2) } else { 1_000 };
            for _ in 0..pops {
                let Some(expected) = outstanding.pop_first() else { break };
                let event = c.pop().expect("an event pending");
                let EventKind::ScheduleChange(g) = event.kind else { unreachable!() };
                assert_eq!((event.time().0.to_bits(), u64::from(g.0)), (expected.0, expected.1 % 65_536));
                now = event.time().0;
            }
        }
        assert!(outstanding.is_empty() && c.pop().is_none());
    }

    #[test]
    fn a_drained_calendar_pops_in_time_then_scheduling_order() {
        use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let mut c = Calendar::default();
        let mut expected = Vec::new();
        for id in 0..5_000u16 {
            let t = f64::from(rng.random_range(0..50u8));
            c.schedule(SimTime(t), EventKind::ScheduleChange(GroupId(id)));
            expected.push((t.to_bits(), id));
        }
        expected.sort_unstable();
        let order: Vec<u16> = std::iter::from_fn(|| c.pop())
            .map(|e| match e.kind {
                EventKind::ScheduleChange(g) => g.0,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, expected.iter().map(|&(_, id)| id).collect::<Vec<_>>());
    }

    #[test]
    fn a_line_shows_the_event_two_places_behind_its_new_first() {
        let mut c = Calendar::default();
        for id in 0..6u16 {
            c.schedule_in_line(0, SimTime(f64::from(id)), EventKind::ScheduleChange(GroupId(id)));
        }
        let group = |e: &Event| match e.kind {
            EventKind::ScheduleChange(g) => g.0,
            _ => unreachable!(),
        };
        let mut shown = Vec::new();
        let mut popped = Vec::new();
        while let Some(next) = c.next() {
            assert_eq!(next, Next::Line);
            popped.push(group(&c.pop_event(next, |e| shown.push(group(e)))));
        }
        assert_eq!(popped, [0, 1, 2, 3, 4, 5]);
        assert_eq!(shown, [3, 4, 5]);
    }

    #[test]
    fn events_stay_small() {
        assert!(std::mem::size_of::<Event>() <= 32);
    }
}
