//! What a conversation asks of an agent before it may be offered or picked (DOMAIN.md §4.2):
//! enough free capacity units and a base presence its work stream allows. Every eligibility test
//! of the engine goes through [`Requirement::admits`], so that a new condition (skills) is added
//! in one place.

use super::agent::Agent;
use crate::scenario::{BasePresence, PresenceSet, WorkStream};

/// A requirement: capacity units and allowed base presences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Requirement {
    pub units: u32,
    pub presences: PresenceSet,
}

impl Requirement {
    /// What a conversation of `ws` asks.
    #[inline]
    pub fn of(ws: &WorkStream) -> Requirement {
        Requirement { units: ws.capacity, presences: ws.allowed_presences }
    }

    /// Whether an agent with `free` units of room, showing base presence `presence`, meets it.
    #[inline]
    pub fn admits_state(self, free: u32, presence: BasePresence) -> bool {
        free >= self.units && self.presences.contains(presence)
    }

    /// Whether `agent` may be given such a conversation now: working (on shift, not absent), with
    /// the room and the presence it asks for.
    #[inline]
    pub fn admits(self, agent: &Agent) -> bool {
        agent.working() && self.admits_state(agent.free(), agent.presence())
    }
}
