//! A large queue's members kept in the order its assignment method ranks them, so that a push
//! search finds the best eligible member by looking up a few words of bits instead of visiting
//! every eligible member.
//!
//! For `highest_capacity` a member's rank is (most free capacity, oldest last assignment, first in
//! roster order); for `round_robin` (oldest last assignment from the queue, first in roster order).
//! In both, the time part changes only when the member is assigned, and then to the present — the
//! latest time there is. So the members can sit in **slots** numbered in the order of (time,
//! roster position): a member whose time changes moves to a new slot after all the others, and
//! the order of the others does not change. Per requirement class of the queue and per level of
//! free capacity (`highest_capacity`; one level for `round_robin`), a bit per slot is set while
//! the member there is eligible for the class with that much room; the best member for a class
//! is the first set bit of the highest non-empty level at or above the class's units. A summary
//! word per 64 words of bits lets the search skip empty stretches.
//!
//! Members whose time changes at the same instant take their slots in roster order: a member
//! moving to the end goes before those already moved there at the same instant with a later
//! roster position (they move after it). Slots of members that moved are left empty; when the
//! slots run out, the members are numbered again from 0 in their order.
//!
//! `least_active` (ranked first by the last release, then by the last assignment from the queue,
//! which reorders members among those released at the same time) and closest skill matching
//! (ranked first by distance) are not kept this way: their queues are scanned.

use super::agent::Agent;
use super::requirement::Requirement;

/// No member: an empty slot.
const EMPTY: u32 = u32::MAX;

/// The most free capacity a member of a ranked queue may have: a level of bits per unit.
pub(super) const MOST_LEVELS: u32 = 16;

/// One queue's members in rank order (see the module documentation).
pub(super) struct Ranked {
    /// Levels of free capacity: `highest_capacity` ranks by it (1 + the largest capacity among
    /// the members), `round_robin` does not (1).
    levels: usize,
    /// Per member (position in the queue), its slot; per slot, its member or [`EMPTY`].
    slot_of: Vec<u32>,
    member_at: Vec<u32>,
    /// Per member, the time it is ranked by, as of its slot.
    time_of: Vec<f64>,
    /// The next slot to give; the time of the member given the slot before it.
    tail: u32,
    tail_time: f64,
    /// Per member and class, the level whose bit it has set plus 1, or 0 while not eligible.
    level_of: Vec<u16>,
    classes: usize,
    /// Per (class, level), a bit per slot, and a summary bit per word of them; `words` words of
    /// bits per (class, level), `summary` words of summary.
    bits: Vec<u64>,
    summary_bits: Vec<u64>,
    words: usize,
    summary: usize,
    /// Per (class, level), the members whose bit is set.
    count: Vec<u32>,
    /// Members that move again after one that moves (scratch, reused).
    later: Vec<usize>,
}

impl Ranked {
    /// The ranking of `members` members, all with the earliest time (never assigned), in roster
    /// order; `levels` levels of free capacity, `classes` requirement classes.
    pub fn new(members: usize, levels: usize, classes: usize) -> Ranked {
        // Room for three moves a member before the slots are numbered again.
        let slots = (4 * members).max(64).next_multiple_of(64);
        let words = slots / 64;
        let summary = words.div_ceil(64);
        let mut member_at = vec![EMPTY; slots];
        for (m, slot) in member_at.iter_mut().enumerate().take(members) {
            *slot = m as u32;
        }
        Ranked {
            levels,
            slot_of: (0..members as u32).collect(),
            member_at,
            time_of: vec![f64::NEG_INFINITY; members],
            tail: members as u32,
            tail_time: f64::NEG_INFINITY,
            level_of: vec![0; members * classes],
            classes,
            bits: vec![0; classes * levels * words],
            summary_bits: vec![0; classes * levels * summary],
            words,
            summary,
            count: vec![0; classes * levels],
            later: Vec::new(),
        }
    }

    /// Member `m` is now ranked by `time` (the latest time there is, or the one it had): it
    /// moves to the end if the time changed.
    #[inline]
    pub fn set_time(&mut self, m: usize, time: f64) {
        if time != self.time_of[m] {
            self.move_to_end(m, time);
        }
    }

    /// Member `m`'s eligibility for `class` and its free capacity (its level), as `class`
    /// admits `agent` now.
    #[inline]
    pub fn set_class(&mut self, m: usize, class: usize, requirement: Requirement, agent: &Agent, candidate: bool) {
        let level = if candidate && requirement.admits_state(agent) {
            if self.levels == 1 { 1 } else { agent.free().min(self.levels as u32 - 1) as u16 + 1 }
        } else {
            0
        };
        let at = m * self.classes + class;
        let old = self.level_of[at];
        if old == level {
            return;
        }
        let slot = self.slot_of[m] as usize;
        if old > 0 {
            self.clear(class, usize::from(old - 1), slot);
        }
        if level > 0 {
            self.set(class, usize::from(level - 1), slot);
        }
        self.level_of[at] = level;
    }

    /// The eligible member for `class`, asking `units` of capacity, that ranks first: of the
    /// highest level of free capacity that has one, the first in slot order.
    #[inline]
    pub fn best(&self, class: usize, units: u32) -> Option<usize> {
        let lowest = if self.levels == 1 { 0 } else { units as usize };
        for level in (lowest..self.levels).rev() {
            let run = class * self.levels + level;
            if self.count[run] == 0 {
                continue;
            }
            let summary = &self.summary_bits[run * self.summary..(run + 1) * self.summary];
            let bits = &self.bits[run * self.words..(run + 1) * self.words];
            for (s, &word) in summary.iter().enumerate() {
                if word != 0 {
                    let w = s * 64 + word.trailing_zeros() as usize;
                    let slot = w * 64 + bits[w].trailing_zeros() as usize;
                    return Some(self.member_at[slot] as usize);
                }
            }
            unreachable!("a level with members has a bit set");
        }
        None
    }

    #[inline]
    fn set(&mut self, class: usize, level: usize, slot: usize) {
        let run = class * self.levels + level;
        let w = slot / 64;
        self.bits[run * self.words + w] |= 1 << (slot % 64);
        self.summary_bits[run * self.summary + w / 64] |= 1 << (w % 64);
        self.count[run] += 1;
    }

    #[inline]
    fn clear(&mut self, class: usize, level: usize, slot: usize) {
        let run = class * self.levels + level;
        let w = slot / 64;
        let word = &mut self.bits[run * self.words + w];
        *word &= !(1 << (slot % 64));
        if *word == 0 {
            self.summary_bits[run * self.summary + w / 64] &= !(1 << (w % 64));
        }
        self.count[run] -= 1;
    }

    /// Moves member `m`, now ranked by `time`, after every other member; those that moved to
    /// the end at the same time with a later roster position move again after it.
    #[cold]
    fn move_to_end(&mut self, m: usize, time: f64) {
        debug_assert!(time >= self.tail_time, "ranked times only grow");
        if time != self.tail_time {
            self.time_of[m] = time;
            self.tail_time = time;
            return self.give_next_slot(m);
        }
        let mut later = std::mem::take(&mut self.later);
        later.clear();
        {
            let mut slot = self.tail as usize;
            while slot > 0 {
                slot -= 1;
                let other = self.member_at[slot];
                if other == EMPTY {
                    continue;
                }
                if self.time_of[other as usize] != time {
                    break;
                }
                if other as usize > m {
                    later.push(other as usize);
                }
            }
            later.reverse();
        }
        self.time_of[m] = time;
        self.tail_time = time;
        self.give_next_slot(m);
        for &other in &later {
            self.give_next_slot(other);
        }
        self.later = later;
    }

    /// Member `m` takes the next slot, its bits going with it; the slots are numbered again when
    /// they run out.
    fn give_next_slot(&mut self, m: usize) {
        if self.tail as usize == self.member_at.len() {
            self.renumber();
        }
        let (from, to) = (self.slot_of[m] as usize, self.tail as usize);
        self.member_at[from] = EMPTY;
        self.member_at[to] = m as u32;
        self.slot_of[m] = to as u32;
        self.tail += 1;
        for class in 0..self.classes {
            let level = self.level_of[m * self.classes + class];
            if level > 0 {
                self.clear(class, usize::from(level - 1), from);
                self.set(class, usize::from(level - 1), to);
            }
        }
    }

    /// Numbers the members' slots again from 0, in their order, and lays their bits out anew.
    fn renumber(&mut self) {
        self.bits.fill(0);
        self.summary_bits.fill(0);
        self.count.fill(0);
        // In place: a member's new slot is never after its old one.
        let mut next = 0;
        for slot in 0..self.member_at.len() {
            let m = self.member_at[slot];
            if m == EMPTY {
                continue;
            }
            self.member_at[slot] = EMPTY;
            self.member_at[next] = m;
            self.slot_of[m as usize] = next as u32;
            for class in 0..self.classes {
                let level = self.level_of[m as usize * self.classes + class];
                if level > 0 {
                    self.set(class, usize::from(level - 1), next);
                }
            }
            next += 1;
        }
        self.tail = next as u32;
    }
}
