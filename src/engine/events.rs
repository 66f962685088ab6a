//! The event calendar: a binary heap of small `Copy` events ordered by time, then by the order in
//! which they were scheduled, so that a replication is a pure function of its inputs.
//!
//! Events are never removed: one that no longer applies (the handle-time end of a conversation
//! that was withdrawn, a reply to one already closed) carries the conversation's state version —
//! or for the first-wait timers its slot generation — from when it was scheduled, and is skipped
//! when it comes due with a different one.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
    /// The agent answers an offer.
    OfferResponse { conv: ConvSlot, version: u32, response: Response },
    /// Active handling ends.
    HandleEnd { conv: ConvSlot, version: u32 },
    /// A custom wrap-up block ends: capacity returns to the agent.
    CapacityRelease { conv: ConvSlot, version: u32 },
    /// Wrap-up ends: the conversation closes.
    WrapUpEnd { conv: ConvSlot, version: u32 },
    /// The customer of a Waiting conversation replies.
    CustomerReply { conv: ConvSlot, version: u32 },
    /// A Waiting conversation reaches `auto_close_after_inactivity`.
    InactivityClose { conv: ConvSlot, version: u32 },
    /// A group's shifts or breaks change now.
    ScheduleChange(GroupId),
    /// A penalty presence (inactive, DND) set after an offer ends.
    PresenceReset { agent: u32, token: u32 },
    /// An agent looks at the Open conversations it may pick.
    PickPoll { agent: u32 },
}

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

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so that the max-heap pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

#[derive(Default)]
pub struct Calendar {
    heap: BinaryHeap<Event>,
    next_seq: u64,
}

impl Calendar {
    /// Schedules `kind` at `time` (≥ 0; the clock never runs backwards).
    #[inline]
    pub fn schedule(&mut self, time: SimTime, kind: EventKind) {
        debug_assert!(time.0 >= 0.0);
        // +0.0 for -0.0, whose bits would sort last.
        let bits = (time.0 + 0.0).to_bits();
        self.heap.push(Event { key: (u128::from(bits) << 64) | u128::from(self.next_seq), kind });
        self.next_seq += 1;
    }

    #[inline]
    pub fn pop(&mut self) -> Option<Event> {
        self.heap.pop()
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
    fn events_stay_small() {
        assert!(std::mem::size_of::<Event>() <= 32);
    }
}
