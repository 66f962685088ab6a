//! The calendar's events other than arrivals and lines: a 4-ary min-heap by key — half the depth
//! of a binary heap — for the near future and, once the events pending are many, **buckets** of
//! a fixed width of time for the rest, so that the heap a pop walks down stays small.
//!
//! A pop waits at each level of the heap for the load of the next. While the heap fits the
//! second-level cache that wait is short; a heap of tens of thousands of events (a center of
//! thousands of agents) no longer does, and its lower levels wait on memory. So when the heap
//! first holds [`SPREAD_AT`] events it is spread: a width of time is chosen that leaves about one
//! in [`NEAR_SHARE`] of them before the first bucket boundary, and every later event moves to
//! the bucket of its time (time × buckets per second, rounded down). From then on an event due
//! before the boundary goes into the heap, a later one is appended to its bucket — one store at
//! a bucket's tail, of which the few hundred in use stay cached — and when the heap runs empty,
//! the next non-empty bucket is poured into it — its events shown to the caller on the way, so
//! that it can start loading what they will read. The buckets form a ring of [`BUCKETS`]; an event
//! past the ring's reach waits in one list (`later`) that is sorted into the ring every half
//! turn, and when only it holds events the ring starts again at its earliest. A width chosen
//! while few events are pending (a center's night) would leave the heap thousands at its peak:
//! whenever a pour finds twice as many events pending as at the last spread, every event is
//! spread again with a width chosen anew.
//!
//! Every event sits in the heap or in a bucket of a later time than any in the heap, so the pops
//! come in key order exactly as from one heap: the structure changes the cost, never the order.

use super::{Event, NONE};

/// Events pending at which the heap is first spread into buckets.
const SPREAD_AT: usize = 2048;
/// How many times more events are pending when the heap is spread than a bucket holds then.
const NEAR_SHARE: usize = 32;
/// The last bucket: later times share it (a time so late that its bucket's number would not fit).
const LAST_BUCKET: u64 = u64::MAX / 4;
/// Buckets in the ring (a power of two).
const BUCKETS: usize = 1024;
/// Events a chunk of a bucket holds.
const CHUNK: usize = 16;
/// No chunk.
const NO_CHUNK: u32 = u32::MAX;

pub(super) struct Heap {
    /// The near future: every event of a bucket before `boundary`, as a 4-ary heap.
    near: Vec<Event>,
    /// Buckets per second of simulated time; 0 before spreading (everything in `near`).
    per_second: f64,
    /// The first bucket not in `near`: bucket `b` of `boundary..boundary + BUCKETS` waits in
    /// `ring[b % BUCKETS]`, a later one in `later`.
    boundary: u64,
    ring: Vec<Bucket>,
    later: Vec<Event>,
    /// The buckets' events, in chunks of [`CHUNK`] chained from a bucket's first to its last;
    /// chunks not in use are chained from `free`. So the buckets take about the memory of the
    /// events they hold, however unevenly those spread over the ring.
    chunks: Vec<Chunk>,
    free: u32,
    /// Events in `ring` and `later`.
    parked: usize,
    /// Events pending at which the heap is spread (again): [`SPREAD_AT`] at first, then twice
    /// those pending at the last spread (a field, so that tests can spread small heaps).
    spread_at: usize,
}

/// Puts `event` at place `hole` of the 4-ary `heap`, or higher: the parents that come after it
/// move down until its place is found.
#[inline(always)]
fn sift_up(heap: &mut [Event], mut hole: usize, event: Event) {
    while hole > 0 {
        let parent = (hole - 1) / 4;
        if heap[parent].key <= event.key {
            break;
        }
        heap[hole] = heap[parent];
        hole = parent;
    }
    heap[hole] = event;
}

/// The events of one bucket: its first and last chunks ([`NO_CHUNK`]: none) and how many
/// events the last holds.
#[derive(Clone, Copy)]
struct Bucket {
    first: u32,
    last: u32,
    in_last: u32,
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket { first: NO_CHUNK, last: NO_CHUNK, in_last: 0 }
    }
}

impl Bucket {
    /// How many of the bucket's events chunk `chunk` (one of its own) holds.
    #[inline]
    fn held_by(&self, chunk: u32) -> usize {
        if chunk == self.last { self.in_last as usize } else { CHUNK }
    }
}

/// Events of a bucket, and the next chunk of the bucket (or of the free chunks).
struct Chunk {
    events: [Event; CHUNK],
    next: u32,
}

impl Default for Heap {
    fn default() -> Self {
        Heap::spreading_at(SPREAD_AT)
    }
}

impl Heap {
    /// A heap spread once it holds `spread_at` events.
    pub(super) fn spreading_at(spread_at: usize) -> Heap {
        Heap {
            near: Vec::new(),
            per_second: 0.0,
            boundary: 0,
            ring: Vec::new(),
            later: Vec::new(),
            chunks: Vec::new(),
            free: NO_CHUNK,
            parked: 0,
            spread_at,
        }
    }

    /// The smallest key ([`NONE`] when empty): the heap's first, since parked events come later.
    #[inline(always)]
    pub(super) fn first(&self) -> u128 {
        self.near.first().map_or(NONE, |e| e.key)
    }

    /// The bucket of an event's time; times never fall, nor do their buckets.
    #[inline(always)]
    fn bucket_of(&self, event: &Event) -> u64 {
        ((event.time().0 * self.per_second) as u64).min(LAST_BUCKET)
    }

    #[inline(always)]
    pub(super) fn push(&mut self, event: Event) {
        if self.per_second > 0.0 {
            let b = self.bucket_of(&event);
            if b >= self.boundary {
                if !self.near.is_empty() {
                    return self.park(event, b);
                }
                // Nothing pending: the event starts the near future.
                debug_assert_eq!(self.parked, 0);
                self.boundary = b + 1;
            }
        } else if self.near.len() >= self.spread_at {
            self.spread();
            return self.push(event);
        }
        self.push_near(event);
    }

    #[inline(always)]
    fn push_near(&mut self, event: Event) {
        let end = self.near.len();
        self.near.push(event);
        sift_up(&mut self.near, end, event);
    }

    /// Puts an event of bucket `b` (at or past the boundary) in the ring, or in `later` past it.
    #[inline]
    fn park(&mut self, event: Event, b: u64) {
        self.parked += 1;
        if b < self.boundary + BUCKETS as u64 {
            self.append(b as usize % BUCKETS, event);
        } else {
            self.later.push(event);
        }
    }

    /// Takes the earliest event; a heap left empty is refilled from the next bucket, each event
    /// of which `coming` sees.
    #[inline]
    pub(super) fn pop(&mut self, coming: impl FnMut(&Event)) -> Event {
        let first = self.pop_near();
        if self.near.is_empty() && self.parked > 0 {
            self.pour(coming);
        }
        first
    }

    /// Takes the heap's first: the hole the root leaves goes down to a leaf along the smaller
    /// children, found without branches; the last event fills it and rises to its place (rarely
    /// more than a level, since it came from the bottom).
    #[inline(always)]
    fn pop_near(&mut self) -> Event {
        let last = self.near.pop().expect("an event in the heap");
        let n = self.near.len();
        if n == 0 {
            return last;
        }
        let first = self.near[0];
        let heap = &mut self.near[..];
        let mut hole = 0;
        loop {
            let c = 4 * hole + 1;
            let child = if let Some(kids) = heap.get(c..c + 4) {
                let k = |i: usize| kids[i].key;
                let a = usize::from(k(1) < k(0));
                let b = 2 + usize::from(k(3) < k(2));
                c + if k(b) < k(a) { b } else { a }
            } else if c < n {
                (c + 1..n).fold(c, |best, j| if heap[j].key < heap[best].key { j } else { best })
            } else {
                break;
            };
            heap[hole] = heap[child];
            hole = child;
        }
        sift_up(heap, hole, last);
        first
    }

    /// Moves the boundary past the next non-empty bucket and pours that bucket into the (empty)
    /// heap; `later` is sorted into the ring at every half turn, and the boundary jumps to its
    /// earliest when the ring is empty. First, with twice as many events pending as at the last
    /// spread, spreads them all again. `coming` sees every event that enters the heap.
    #[cold]
    #[inline(never)]
    fn pour(&mut self, mut coming: impl FnMut(&Event)) {
        if self.parked >= self.spread_at {
            self.respread();
            // The events the new width leaves before the boundary came from buckets too.
            self.near.iter().for_each(&mut coming);
        }
        while self.near.is_empty() {
            if self.parked == self.later.len() {
                // Only `later` holds events: the ring starts again at the earliest of them.
                let earliest = self.later.iter().map(|e| self.bucket_of(e)).min().expect("a parked event");
                self.boundary = earliest;
                self.sort_later();
            }
            let slot = self.boundary as usize % BUCKETS;
            let bucket = std::mem::take(&mut self.ring[slot]);
            let mut chunk = bucket.first;
            while chunk != NO_CHUNK {
                let c = chunk as usize;
                let count = bucket.held_by(chunk);
                for i in 0..count {
                    coming(&self.chunks[c].events[i]);
                    self.push_near(self.chunks[c].events[i]);
                }
                self.parked -= count;
                chunk = std::mem::replace(&mut self.chunks[c].next, self.free);
                self.free = c as u32;
            }
            // The slot now stands for the bucket a whole ring later, which `later` may hold.
            self.boundary += 1;
            if self.boundary.is_multiple_of(BUCKETS as u64 / 2) {
                self.sort_later();
            }
        }
    }

    /// Appends `event` to the bucket in ring slot `slot`, in a new chunk if its last is full.
    #[inline]
    fn append(&mut self, slot: usize, event: Event) {
        let bucket = self.ring[slot];
        if bucket.first == NO_CHUNK || bucket.in_last as usize == CHUNK {
            let chunk = match self.free {
                NO_CHUNK => {
                    self.chunks.push(Chunk { events: [event; CHUNK], next: NO_CHUNK });
                    (self.chunks.len() - 1) as u32
                }
                free => {
                    self.free = std::mem::replace(&mut self.chunks[free as usize].next, NO_CHUNK);
                    free
                }
            };
            if bucket.first == NO_CHUNK {
                self.ring[slot].first = chunk;
            } else {
                self.chunks[bucket.last as usize].next = chunk;
            }
            self.ring[slot].last = chunk;
            self.ring[slot].in_last = 0;
        }
        let bucket = &mut self.ring[slot];
        self.chunks[bucket.last as usize].events[bucket.in_last as usize] = event;
        bucket.in_last += 1;
    }

    /// Moves the events of `later` that the ring now reaches into it.
    fn sort_later(&mut self) {
        let reach = self.boundary + BUCKETS as u64;
        let mut i = 0;
        while i < self.later.len() {
            let b = self.bucket_of(&self.later[i]);
            if b < reach {
                let event = self.later.swap_remove(i);
                self.append(b as usize % BUCKETS, event);
            } else {
                i += 1;
            }
        }
    }

    /// Spreads the events of the heap, which holds them all.
    #[cold]
    #[inline(never)]
    fn spread(&mut self) {
        let events = std::mem::take(&mut self.near);
        self.spread_events(events);
    }

    /// Every parked event (the heap is empty) spread again, with a width chosen anew.
    #[cold]
    #[inline(never)]
    fn respread(&mut self) {
        debug_assert!(self.near.is_empty());
        let mut events = std::mem::take(&mut self.later);
        for bucket in std::mem::take(&mut self.ring) {
            let mut chunk = bucket.first;
            while chunk != NO_CHUNK {
                let c = &self.chunks[chunk as usize];
                events.extend_from_slice(&c.events[..bucket.held_by(chunk)]);
                chunk = c.next;
            }
        }
        self.chunks.clear();
        self.free = NO_CHUNK;
        self.parked = 0;
        self.spread_events(events);
    }

    /// Spreads `events` (all those pending; the heap, ring and list empty): chooses the width of
    /// a bucket — the time from the earliest event to the one [`NEAR_SHARE`] times fewer than
    /// those pending are before — and parks every event from the first boundary on, or, with no
    /// width to choose, heaps them all.
    fn spread_events(&mut self, events: Vec<Event>) {
        let mut times: Vec<f64> = events.iter().map(|e| e.time().0).collect();
        let near = times.len() / NEAR_SHARE;
        let (_, &mut near_end, _) = times.select_nth_unstable_by(near, f64::total_cmp);
        let earliest = times.iter().copied().fold(f64::INFINITY, f64::min);
        self.spread_at = 2 * events.len();
        if near_end <= earliest {
            // Hundreds of events at one instant: no width to choose; try again when more come.
            self.per_second = 0.0;
            self.ring.clear();
            for event in events {
                self.push_near(event);
            }
            return;
        }
        self.per_second = 1.0 / (near_end - earliest);
        self.ring = vec![Bucket::default(); BUCKETS];
        self.boundary = ((earliest * self.per_second) as u64).min(LAST_BUCKET) + 1;
        for event in events {
            let b = self.bucket_of(&event);
            if b < self.boundary {
                self.push_near(event);
            } else {
                self.park(event, b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::events::EventKind;
    use crate::scenario::GroupId;
    use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
    use std::collections::BTreeSet;

    fn event(time: f64, seq: u64) -> Event {
        Event { key: (u128::from(time.to_bits()) << 64) | u128::from(seq), kind: EventKind::ScheduleChange(GroupId(0)) }
    }

    /// Pushes and pops against a sorted set, with a heap spread at 64 events: times from now to
    /// far past the ring's reach, ties, drains to empty and jumps ahead after them. Every event
    /// parked in a bucket is shown as coming once, before it is popped.
    #[test]
    fn a_spread_heap_pops_in_key_order() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
        let mut heap = Heap::spreading_at(64);
        let mut outstanding = BTreeSet::new();
        // Events parked so far, and those shown as coming and not yet popped.
        let (mut parked, mut coming) = (0, BTreeSet::new());
        let mut shown = 0;
        let (mut now, mut seq) = (0.0, 0u64);
        let (mut went_later, mut poured_from_later) = (false, false);
        let mut most_pending = 0;
        for round in 0..60_000u32 {
            let pushes = if round % 5_000 < 4_000 { rng.random_range(0..3) } else { 0 };
            for _ in 0..pushes {
                let delay = match rng.random_range(0..10u8) {
                    0 => 0.0,
                    1 => f64::from(rng.random_range(0..4u8)),
                    // Past the ring's reach (about an hour once spread).
                    2 if rng.random::<f64>() < 0.2 => 5_000.0 + 20_000.0 * rng.random::<f64>(),
                    _ => 600.0 * rng.random::<f64>(),
                };
                let e = event(now + delay, seq);
                seq += 1;
                let before = heap.parked;
                heap.push(e);
                // A push parks its event, or at spreading all but the nearest.
                parked += heap.parked.saturating_sub(before);
                outstanding.insert(e.key);
                went_later |= !heap.later.is_empty();
                most_pending = most_pending.max(outstanding.len());
            }
            if rng.random::<f64>() < 0.6 || round % 5_000 >= 4_000 {
                let later_before = heap.later.len();
                let expected = outstanding.pop_first();
                let popped = expected.map(|_| {
                    heap.pop(|e| {
                        assert!(outstanding.contains(&e.key) && coming.insert(e.key), "shown once, while pending");
                        shown += 1;
                    })
                    .key
                });
                assert_eq!(popped, expected);
                if let Some(key) = popped {
                    coming.remove(&key);
                }
                assert_eq!(heap.first(), outstanding.first().copied().unwrap_or(NONE));
                poured_from_later |= heap.later.len() < later_before;
                if let Some(key) = popped {
                    now = f64::from_bits((key >> 64) as u64);
                }
            }
        }
        // The rest, in order.
        while let Some(expected) = outstanding.pop_first() {
            let later_before = heap.later.len();
            assert_eq!(heap.pop(|_| shown += 1).key, expected);
            poured_from_later |= heap.later.len() < later_before;
        }
        assert_eq!(heap.first(), NONE);
        assert_eq!(shown, parked, "every parked event is shown as coming");
        assert!(heap.per_second > 0.0, "the heap was spread");
        // Chunks go back to be used again: never more than the most events pending fill, plus a
        // part-filled last chunk per bucket.
        assert!(heap.chunks.len() <= most_pending / CHUNK + BUCKETS, "{} chunks", heap.chunks.len());
        assert!(went_later && poured_from_later, "events went past the ring and came back");
        // Spread first at 64 events pending, then again as more were pending.
        assert!(heap.spread_at >= 4 * 64, "spread again: {}", heap.spread_at);
        assert!(seq > 40_000);
    }

    /// Hundreds of events at one instant give no width: the heap stays whole and still pops in
    /// key order.
    #[test]
    fn events_at_one_instant_leave_the_heap_whole() {
        let mut heap = Heap::spreading_at(64);
        for seq in (0..500).rev() {
            heap.push(event(7.0, seq));
        }
        assert_eq!(heap.per_second, 0.0);
        let order: Vec<u128> = (0..500).map(|_| heap.pop(|_| {}).key & u128::from(u64::MAX)).collect();
        assert_eq!(order, (0..500).collect::<Vec<u128>>());
        assert_eq!(heap.first(), NONE);
    }

    /// Parked events that all come to share one instant give a new spread no width: the heap
    /// takes them all back whole, shows each as coming, and pops them in key order.
    #[test]
    fn a_spread_again_of_events_at_one_instant_leaves_the_heap_whole() {
        let mut heap = Heap::spreading_at(64);
        for seq in 0..65 {
            heap.push(event(seq as f64, seq));
        }
        assert!(heap.per_second > 0.0);
        for _ in 0..65 {
            heap.pop(|_| {});
        }
        // One event near, then 200 parked at one later instant: more than twice the 65 spread.
        heap.push(event(500.0, 65));
        for seq in 66..266 {
            heap.push(event(1000.0, seq));
        }
        assert_eq!(heap.parked, 200);
        // The pop that empties the heap pours, and spreads the parked events again first.
        let mut shown = 0;
        assert_eq!(heap.pop(|_| shown += 1).key & u128::from(u64::MAX), 65);
        assert_eq!((heap.per_second, heap.parked, shown), (0.0, 0, 200), "spread again into one heap");
        let order: Vec<u128> = (0..200).map(|_| heap.pop(|_| {}).key & u128::from(u64::MAX)).collect();
        assert_eq!(order, (66..266).collect::<Vec<u128>>());
        assert_eq!(heap.first(), NONE);
    }

    /// Events pushed latest first are spread (most of them parked at once) and still come out
    /// earliest first.
    #[test]
    fn a_heap_spread_in_one_go_drains_in_time_order() {
        let mut heap = Heap::spreading_at(64);
        for seq in 0..200u64 {
            heap.push(event(1000.0 - seq as f64, seq));
        }
        assert!(heap.per_second > 0.0 && heap.parked > 0);
        let times: Vec<f64> = (0..200).map(|_| heap.pop(|_| {}).time().0).collect();
        assert_eq!(times, (801..=1000).map(f64::from).collect::<Vec<_>>());
        assert_eq!(heap.first(), NONE);
    }
}
