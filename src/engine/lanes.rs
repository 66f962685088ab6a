//! Lanes: where the Open conversations of one (queue, work stream) wait, oldest first, with their
//! counts (Open, and held back by declines). Entries of conversations that left are stale and
//! skipped by a version check rather than removed.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::events::ConvSlot;
use crate::scenario::{QueueId, WorkStreamId};
use crate::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Waiting {
    pub(super) since: SimTime,
    pub(super) order: u64,
    pub(super) slot: ConvSlot,
    pub(super) version: u32,
}

pub(super) struct Lane {
    pub(super) queue: QueueId,
    pub(super) work_stream: WorkStreamId,
    /// What its conversations ask of an agent: their work stream's, with the skills of the
    /// lane's skill set.
    pub(super) requirement: super::requirement::Requirement,
    pub(super) priority: i64,
    /// Conversations of a pick work stream: never pushed.
    pub(super) pick: bool,
    /// A push lane whose conversations agents may also pick.
    pub(super) selectable: bool,
    /// Open conversations in the lane (the heap may also hold stale entries).
    pub(super) open: u32,
    /// Open conversations that some agent has declined `decline_limit` times.
    pub(super) limited: u32,
    pub(super) heap: LaneQueue,
}

/// Entries of a lane in (since, order) order: those pushed in order go to the back of a FIFO, at
/// constant cost; any other goes to a heap; the head is the smaller of the two heads.
#[derive(Default)]
pub(super) struct LaneQueue {
    pub(super) fifo: VecDeque<Waiting>,
    pub(super) late: BinaryHeap<Reverse<Waiting>>,
}

impl LaneQueue {
    #[inline]
    pub(super) fn push(&mut self, w: Waiting) {
        if self.fifo.back().is_none_or(|last| *last <= w) {
            self.fifo.push_back(w);
        } else {
            self.late.push(Reverse(w));
        }
    }

    /// Whether the head is in the FIFO (else in the heap); `None` when empty.
    #[inline]
    pub(super) fn head_in_fifo(&self) -> Option<bool> {
        match (self.fifo.front(), self.late.peek()) {
            (None, None) => None,
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (Some(f), Some(Reverse(l))) => Some(f < l),
        }
    }

    #[inline]
    pub(super) fn peek(&self) -> Option<&Waiting> {
        match self.head_in_fifo()? {
            true => self.fifo.front(),
            false => self.late.peek().map(|Reverse(w)| w),
        }
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<Waiting> {
        match self.head_in_fifo()? {
            true => self.fifo.pop_front(),
            false => self.late.pop().map(|Reverse(w)| w),
        }
    }

    /// Every entry, in no particular order (but always the same for the same pushes and pops).
    pub(super) fn iter(&self) -> impl Iterator<Item = &Waiting> {
        self.fifo.iter().chain(self.late.iter().map(|Reverse(w)| w))
    }

    pub(super) fn len(&self) -> usize {
        self.fifo.len() + self.late.len()
    }

    /// Drops the entries `keep` refuses: the stale ones, which a conversation that goes back and
    /// forth between Open and Offered leaves at every turn.
    pub(super) fn retain(&mut self, keep: impl Fn(&Waiting) -> bool) {
        self.fifo.retain(|w| keep(w));
        let mut late = std::mem::take(&mut self.late).into_vec();
        late.retain(|Reverse(w)| keep(w));
        self.late = BinaryHeap::from(late);
    }
}

#[cfg(test)]
mod tests {
    use super::{LaneQueue, Waiting};
    use crate::time::SimTime;

    #[test]
    fn a_lane_gives_its_oldest_entry_first_whatever_the_order_of_pushes() {
        use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
        use std::collections::BTreeSet;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let (mut lane, mut reference) = (LaneQueue::default(), BTreeSet::new());
        let (mut now, mut late) = (0.0, 0);
        for order in 0..20_000u64 {
            now += rng.random_range(0..3u8) as f64;
            // Most entries come in order; a declined one goes back with an earlier time.
            let since = if rng.random::<f64>() < 0.1 { now - rng.random_range(0..50u8) as f64 } else { now };
            late += u32::from(lane.fifo.back().is_some_and(|w| w.since.0 > since));
            let w = Waiting { since: SimTime(since), order, slot: order as u32, version: 0 };
            lane.push(w);
            reference.insert(w);
            assert_eq!(lane.iter().count(), reference.len());
            if rng.random::<f64>() < 0.45 {
                assert_eq!(lane.peek().copied(), reference.first().copied());
                assert_eq!(lane.pop(), reference.pop_first());
            }
        }
        while let Some(w) = reference.pop_first() {
            assert_eq!(lane.pop(), Some(w));
        }
        assert_eq!(lane.pop(), None);
        assert!(late > 1_000, "{late} entries out of order");
    }
}
