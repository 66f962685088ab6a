//! Loads started early. Once a replication's conversations outgrow a cache (thousands of agents),
//! their records and their agents' are rarely cached by the time an event comes due, and each
//! handler would wait for its own loads in turn. So the records an event will read are asked for
//! before it comes due: when the calendar pours a bucket of later events into its heap (all of
//! them at once, so that their loads overlap), when a line gives out an event (the one two places
//! behind its new first: the third after the one given out), and when a lane's head is taken
//! (the conversation two places behind the new head). In a smaller center the records stay
//! cached and none of this is done: it would only cost work. A prefetch changes what is cached,
//! never what the program computes.

/// Conversation slots (a mebibyte of them) beyond which records are loaded ahead.
const LOAD_AHEAD_FROM: usize = 8192;

/// Whether records are worth loading ahead in a replication with these conversation slots: with
/// fewer than [`LOAD_AHEAD_FROM`] they stay cached, and loading them ahead only costs work.
#[inline(always)]
pub(super) fn worth_it<T>(conversations: &[T]) -> bool {
    conversations.len() > LOAD_AHEAD_FROM
}

/// Asks for every cache line of record `index` of the vector at `base` (a hint; nothing is read).
#[inline(always)]
pub(super) fn record<T>(base: *const T, index: usize) {
    let start = base.wrapping_add(index).cast::<u8>();
    let size = std::mem::size_of::<T>();
    let mut offset = 0;
    while offset < size {
        line(start.wrapping_add(offset));
        offset += 64;
    }
    // The last byte: a record that does not start on a line boundary reaches one line further.
    line(start.wrapping_add(size - 1));
}

#[inline(always)]
fn line(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it reads nothing the program sees and never faults, whatever
    // the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
