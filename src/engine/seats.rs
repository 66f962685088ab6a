//! Seats: a queue's members as the push search reads them — id, presence and rank by the queue's
//! assignment method — and the comparison that keeps the best.

use super::agent::{Agent, AgentId};
use crate::scenario::{AssignmentMethod, BasePresence};

/// A queue member as a push search sees it (see [`Lanes::best_agent`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct Seat {
    /// The agent's id in the roster.
    pub(super) id: AgentId,
    pub(super) presence: BasePresence,
    /// The member's [`rank`] by the queue's assignment method when the seat was written.
    pub(super) rank: u128,
}

impl Seat {
    pub(super) fn off_shift(id: AgentId) -> Seat {
        Seat { id, presence: BasePresence::Offline, rank: u128::MAX }
    }

    /// The seat of `agent` in a queue with assignment `method`, where its last assignment was at
    /// `last_from_queue`.
    #[inline]
    pub(super) fn of(agent: &Agent, id: AgentId, method: AssignmentMethod, last_from_queue: f64) -> Seat {
        Seat { id, presence: agent.presence(), rank: rank(method, agent, last_from_queue) }
    }
}

/// Where an agent group's first agent sits in one of its queues.
#[derive(Clone, Copy, Debug)]
pub(super) struct Position {
    pub(super) queue: usize,
    /// Index of its seat.
    pub(super) seat: usize,
    /// Index of its eligibility bit for the queue's first class; class `c`'s is `c * words * 64`
    /// further on.
    pub(super) bit: usize,
    /// Words of eligibility bits per class of the queue.
    pub(super) words: usize,
    /// Whether the queue keeps a bit per class (else a bit per candidate, see `by_class`).
    pub(super) by_class: bool,
    pub(super) method: AssignmentMethod,
}

/// No seat yet: the id a scan starts from.
pub(super) const NO_SEAT: AgentId = AgentId::NONE;

/// `seat`'s (rank, id) if its rank is strictly lower than `best`'s key, else `best`.
///
/// Which of a queue's candidates ranks first follows no pattern a branch predictor could learn,
/// so on x86-64 the choice is made by conditional moves, which read the seat in place. Written
/// out, because LLVM turns a select in a loop like the scan back into a branch.
#[inline(always)]
pub(super) fn keep_lower(best: (u128, AgentId), seat: &Seat) -> (u128, AgentId) {
    #[cfg(target_arch = "x86_64")]
    {
        let (mut lo, mut hi, mut id) = (best.0 as u64, (best.0 >> 64) as u64, best.1.0);
        // SAFETY: reads the 16 bytes of `seat.rank` (low half first) and the 4 of `seat.id`
        // through a valid reference; writes only registers and the flags.
        unsafe {
            std::arch::asm!(
                // The borrow out of the 128-bit difference rank − best: set when rank < best.
                "cmp qword ptr [{seat} + {rank}], {lo}",
                "mov {t}, qword ptr [{seat} + {rank} + 8]",
                "sbb {t}, {hi}",
                "cmovb {lo}, qword ptr [{seat} + {rank}]",
                "cmovb {hi}, qword ptr [{seat} + {rank} + 8]",
                "cmovb {id:e}, dword ptr [{seat} + {id_at}]",
                seat = in(reg) seat,
                rank = const std::mem::offset_of!(Seat, rank),
                id_at = const std::mem::offset_of!(Seat, id),
                lo = inout(reg) lo,
                hi = inout(reg) hi,
                id = inout(reg) id,
                t = out(reg) _,
                options(pure, readonly, nostack),
            );
        }
        ((u128::from(hi) << 64) | u128::from(lo), AgentId(id))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        if seat.rank < best.0 { (seat.rank, seat.id) } else { best }
    }
}

/// A time (or −∞) as an integer that orders like [`f64::total_cmp`].
#[inline]
pub(super) fn ordered(x: f64) -> u64 {
    let bits = x.to_bits();
    bits ^ (((bits as i64 >> 63) as u64) | (1 << 63))
}

/// A member's rank by a queue's assignment method, lower first: the method's (primary,
/// secondary) pair as one integer. `last_from_queue` is the member's last assignment from the
/// queue, which only round robin and least active read.
#[inline]
pub(super) fn rank(method: AssignmentMethod, agent: &Agent, last_from_queue: f64) -> u128 {
    let (primary, secondary) = match method {
        AssignmentMethod::HighestCapacity => (u64::from(u32::MAX - agent.free()), ordered(agent.last_assigned)),
        AssignmentMethod::RoundRobin => (ordered(last_from_queue), 0),
        AssignmentMethod::LeastActive => (ordered(agent.last_release), ordered(last_from_queue)),
    };
    (u128::from(primary) << 64) | u128::from(secondary)
}

#[cfg(test)]
mod tests {
    use super::{AgentId, Seat, keep_lower, ordered};
    use crate::scenario::BasePresence;

    #[test]
    fn keep_lower_takes_the_seat_only_when_its_rank_is_strictly_lower() {
        use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        // Keys that differ in the high half, in the low half only, and not at all.
        let halves = [0, 1, u64::MAX - 1, u64::MAX];
        let mut keys: Vec<u128> =
            halves.iter().flat_map(|&h| halves.iter().map(move |&l| (u128::from(h) << 64) | u128::from(l))).collect();
        keys.extend((0..200).map(|_| rng.random::<u128>() >> rng.random_range(0..128u32)));
        for &a in &keys {
            for &b in &keys {
                let seat = Seat { id: AgentId(2), presence: BasePresence::Available, rank: b };
                let expected = if b < a { (b, AgentId(2)) } else { (a, AgentId(1)) };
                assert_eq!(keep_lower((a, AgentId(1)), &seat), expected, "best {a:#x}, seat {b:#x}");
            }
        }
    }

    #[test]
    fn ordered_times_compare_as_the_times_do() {
        let times = [f64::NEG_INFINITY, -3.5, -0.0, 0.0, 1e-300, 0.25, 1.0, 86_400.0, 1e15, f64::INFINITY];
        for a in times {
            for b in times {
                assert_eq!(ordered(a).cmp(&ordered(b)), a.total_cmp(&b), "{a} vs {b}");
            }
        }
    }
}
