//! A large queue's members kept in the order its assignment method ranks them, so that a push
//! search finds the best eligible member by looking up a few words of bits instead of visiting
//! every eligible member. For `highest_capacity` the same ranking serves an agent group's agents
//! (a team) for all its queues ranked by team, whose searches compare the teams' best
//! ([`Ranked::best_from`] gives the level that comparison needs).
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
//! `least_active` ranks by the last release, then by the last assignment from the queue: a key of
//! two times. A release moves a member to the end (after those released at the same instant that
//! rank after it by their second time); an assignment changes only the second time, which moves
//! nobody unless another member was released at the same instant (then every member is put in
//! order again, a rare sort). Members that never released capacity rank before all others, by
//! their last assignment from the queue alone: they are kept apart, in a ranking of their own that
//! a search reads first. Closest skill matching (ranked first by distance) is not kept this way:
//! its queues are scanned.

use super::agent::Agent;
use super::requirement::Requirement;

/// No member: an empty slot, or the slot of a member not ranked here.
const EMPTY: u32 = u32::MAX;

/// What a member is ranked by before its roster position: a time, and a second time that
/// orders members with the same first (`least_active`'s last assignment from the queue; 0
/// otherwise).
pub(super) type Key = (f64, f64);

/// The most free capacity a member of a ranked queue may have: a level of bits per unit.
pub(super) const MOST_LEVELS: u32 = 16;

/// One queue's members, or one team's agents, in rank order (see the module documentation).
pub(super) struct Ranked {
    /// Levels of free capacity: `highest_capacity` ranks by it (1 + the largest capacity among
    /// the members), `round_robin` does not (1).
    levels: usize,
    /// Per member (position in the queue), its slot; per slot, its member or [`EMPTY`].
    slot_of: Vec<u32>,
    member_at: Vec<u32>,
    /// Per member, the key it is ranked by (then by roster position), as of its slot.
    time_of: Vec<Key>,
    /// The next slot to give; the largest key given a slot.
    tail: u32,
    tail_time: Key,
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
    /// The ranking of `members` members, all with the earliest key (never assigned), in roster
    /// order — or none of them yet, unless `all` — with `levels` levels of free capacity and
    /// `classes` requirement classes.
    pub fn new(members: usize, levels: usize, classes: usize, all: bool) -> Ranked {
        // Room for three moves a member before the slots are numbered again.
        let slots = (4 * members).max(64).next_multiple_of(64);
        let words = slots / 64;
        let summary = words.div_ceil(64);
        let placed = if all { members } else { 0 };
        let mut member_at = vec![EMPTY; slots];
        for (m, slot) in member_at.iter_mut().enumerate().take(placed) {
            *slot = m as u32;
        }
        // Never assigned: the key `set_time` gives such a member.
        let earliest = (f64::NEG_INFINITY, 0.0);
        Ranked {
            levels,
            slot_of: (0..members as u32).map(|m| if all { m } else { EMPTY }).collect(),
            member_at,
            time_of: vec![earliest; members],
            tail: placed as u32,
            tail_time: earliest,
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
        self.set_key(m, (time, 0.0));
    }

    /// Member `m` (ranked here or not yet) is now ranked by `key`, which is the one it had, or a
    /// larger one: one whose first time is the latest there is, or whose second is while its
    /// first stays.
    #[inline]
    pub fn set_key(&mut self, m: usize, key: Key) {
        if self.slot_of[m] != EMPTY && key == self.time_of[m] {
            return;
        }
        if key.0 >= self.tail_time.0 {
            self.move_to_end(m, key);
        } else {
            self.reorder_within(m, key);
        }
    }

    /// The time member `m` is ranked by (the first of its key).
    #[inline]
    pub fn time_of(&self, m: usize) -> f64 {
        self.time_of[m].0
    }

    /// Whether member `m` is ranked here.
    #[inline]
    pub fn holds(&self, m: usize) -> bool {
        self.slot_of[m] != EMPTY
    }

    /// Member `m` is no longer ranked here: its slot empties and its bits clear.
    pub fn remove(&mut self, m: usize) {
        let slot = self.slot_of[m] as usize;
        for class in 0..self.classes {
            let level = std::mem::take(&mut self.level_of[m * self.classes + class]);
            if level > 0 {
                self.clear(class, usize::from(level - 1), slot);
            }
        }
        self.member_at[slot] = EMPTY;
        self.slot_of[m] = EMPTY;
    }

    /// Member `m`'s eligibility for `class` and its free capacity (its level), as `class`
    /// admits `agent` now.
    #[inline(always)]
    pub fn set_class(&mut self, m: usize, class: usize, requirement: Requirement, agent: &Agent, candidate: bool) {
        let level = self.level(requirement, agent, candidate);
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

    /// The level `agent` has for a class asking `requirement`: its free capacity plus 1 (where
    /// levels count it; else 1) while eligible, 0 while not.
    #[inline(always)]
    fn level(&self, requirement: Requirement, agent: &Agent, candidate: bool) -> u16 {
        if candidate && requirement.admits_state(agent) {
            if self.levels == 1 { 1 } else { agent.free().min(self.levels as u32 - 1) as u16 + 1 }
        } else {
            0
        }
    }

    /// [`Ranked::set_class`] for each class of `classes`, then [`Ranked::set_time`]: a member
    /// that moves to the end is given its new levels at its new slot alone, one bit cleared and
    /// one set per class, not two each.
    #[inline]
    pub fn set_classes_and_time(
        &mut self,
        m: usize,
        classes: &[Requirement],
        agent: &Agent,
        candidate: bool,
        time: f64,
    ) {
        let key = (time, 0.0);
        if self.slot_of[m] == EMPTY || key == self.time_of[m] || key.0 <= self.tail_time.0 {
            for (c, &class) in classes.iter().enumerate() {
                self.set_class(m, c, class, agent, candidate);
            }
            return self.set_key(m, key);
        }
        let (from, to) = self.take_next_slot(m);
        let from = from as usize;
        self.time_of[m] = key;
        self.tail_time = key;
        for (c, &class) in classes.iter().enumerate() {
            let level = self.level(class, agent, candidate);
            let at = m * self.classes + c;
            let old = std::mem::replace(&mut self.level_of[at], level);
            if old > 0 {
                self.clear(c, usize::from(old - 1), from);
            }
            if level > 0 {
                self.set(c, usize::from(level - 1), to);
            }
        }
    }

    /// The eligible member for `class`, asking `units` of capacity, that ranks first: of the
    /// highest level of free capacity that has one, the first in slot order.
    #[inline]
    pub fn best(&self, class: usize, units: u32) -> Option<usize> {
        let lowest = if self.levels == 1 { 0 } else { units as usize };
        self.best_from(class, lowest).map(|(_, m)| m)
    }

    /// The member that ranks first for `class` among those of level `lowest` or higher, and its
    /// level (its free capacity, where levels count it).
    #[inline]
    pub fn best_from(&self, class: usize, lowest: usize) -> Option<(usize, usize)> {
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
                    return Some((level, self.member_at[slot] as usize));
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

    /// Moves member `m`, now ranked by `key`, whose first time is the latest there is, after
    /// every other member; those with the same first time that rank after it by (second time,
    /// roster position) move again after it.
    #[inline]
    fn move_to_end(&mut self, m: usize, key: Key) {
        debug_assert!(key.0 >= self.tail_time.0, "first times only grow");
        if key.0 != self.tail_time.0 {
            self.time_of[m] = key;
            self.tail_time = key;
            return self.give_next_slot(m);
        }
        self.move_to_end_tied(m, key);
    }

    /// [`Ranked::move_to_end`] when the last member given a slot has the same first time.
    #[cold]
    #[inline(never)]
    fn move_to_end_tied(&mut self, m: usize, key: Key) {
        let mut later = std::mem::take(&mut self.later);
        later.clear();
        let mut slot = self.tail as usize;
        while slot > 0 {
            slot -= 1;
            let other = self.member_at[slot];
            if other == EMPTY || other as usize == m {
                continue;
            }
            let theirs = self.time_of[other as usize];
            if theirs.0 != key.0 {
                break;
            }
            if (theirs.1, other as usize) > (key.1, m) {
                later.push(other as usize);
            }
        }
        later.reverse();
        self.time_of[m] = key;
        self.tail_time = key;
        self.give_next_slot(m);
        for &other in &later {
            self.give_next_slot(other);
        }
        self.later = later;
    }

    /// Member `m`'s second time grew while its first, earlier than the last given, stayed: it
    /// keeps its slot unless another member has the same first time, and then every member is
    /// put in order again.
    #[cold]
    fn reorder_within(&mut self, m: usize, key: Key) {
        debug_assert!(self.slot_of[m] != EMPTY && key.0 == self.time_of[m].0, "only the second time grew");
        self.time_of[m] = key;
        let slot = self.slot_of[m] as usize;
        let first = |s: Option<&u32>| s.map(|&o| self.time_of[o as usize].0);
        let before = first(self.member_at[..slot].iter().rev().find(|&&o| o != EMPTY));
        let after = first(self.member_at[slot + 1..self.tail as usize].iter().find(|&&o| o != EMPTY));
        if before == Some(key.0) || after == Some(key.0) {
            self.renumber_sorted();
        }
    }

    /// Every member in slots in the order of (key, roster position), from slot 0.
    fn renumber_sorted(&mut self) {
        let mut order = std::mem::take(&mut self.later);
        order.clear();
        order.extend(self.member_at[..self.tail as usize].iter().filter(|&&o| o != EMPTY).map(|&o| o as usize));
        order.sort_by(|&a, &b| {
            self.time_of[a]
                .0
                .total_cmp(&self.time_of[b].0)
                .then(self.time_of[a].1.total_cmp(&self.time_of[b].1))
                .then(a.cmp(&b))
        });
        self.member_at.fill(EMPTY);
        for (slot, &m) in order.iter().enumerate() {
            self.member_at[slot] = m as u32;
        }
        self.later = order;
        self.renumber();
    }

    /// Member `m` takes the next slot (the slots numbered again first if they ran out), leaving
    /// its old one empty; its old slot ([`EMPTY`]: none) and its new one. Its bits stay where
    /// they were, for the caller to move.
    #[inline]
    fn take_next_slot(&mut self, m: usize) -> (u32, usize) {
        if self.tail as usize == self.member_at.len() {
            self.renumber();
        }
        let (from, to) = (self.slot_of[m], self.tail as usize);
        if from != EMPTY {
            self.member_at[from as usize] = EMPTY;
        }
        self.member_at[to] = m as u32;
        self.slot_of[m] = to as u32;
        self.tail += 1;
        (from, to)
    }

    /// Member `m` takes the next slot, its bits going with it; the slots are numbered again when
    /// they run out.
    #[inline]
    fn give_next_slot(&mut self, m: usize) {
        let (from, to) = self.take_next_slot(m);
        if from == EMPTY {
            return;
        }
        let from = from as usize;
        for class in 0..self.classes {
            let level = self.level_of[m * self.classes + class];
            if level > 0 {
                self.clear(class, usize::from(level - 1), from);
                self.set(class, usize::from(level - 1), to);
            }
        }
    }

    /// Numbers the members' slots again from 0, in their order, and lays their bits out anew.
    #[cold]
    #[inline(never)]
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
