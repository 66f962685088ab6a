//! What a conversation asks of an agent before it may be offered or picked (DOMAIN.md §4.2,
//! §1.8, §4.6): enough free capacity units, a base presence its work stream allows, room in its
//! capacity profile with no conversation of a blocking profile held, and the skills its
//! classification requires (every one at its rating for `exact` matching, every one for
//! `closest`). Every eligibility test of the
//! engine goes through [`Requirement::admits`], so that a new condition is added in one place.
//!
//! What one conversation holds of its agent while it holds capacity is a [`Load`]: its units and
//! its place in a profile's limit, taken and given back together.

use super::agent::Agent;
use crate::scenario::{PresenceSet, ProfileId, Scenario, SkillSetId, WorkStream};

/// A requirement: capacity units, allowed base presences, a capacity profile and skills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Requirement {
    pub units: u32,
    pub presences: PresenceSet,
    pub profile: Option<ProfileId>,
    pub skills: SkillSetId,
}

impl Requirement {
    /// What a conversation of `ws` that requires the skills of `skills` asks.
    #[inline]
    pub fn of(ws: &WorkStream, skills: SkillSetId) -> Requirement {
        Requirement { units: ws.capacity, presences: ws.allowed_presences, profile: ws.capacity_profile, skills }
    }

    /// Whether an agent in `agent`'s state of load and presence meets it, working or not.
    #[inline]
    pub fn admits_state(self, agent: &Agent) -> bool {
        agent.free() >= self.units
            && self.presences.contains(agent.presence())
            && agent.profile_allows(self.profile)
            && self.skilled(agent)
    }

    /// Whether `agent` has the skills it asks, as its skill set's matching reads them.
    #[inline]
    pub fn skilled(self, agent: &Agent) -> bool {
        agent.skill_sets & (1 << self.skills.0) != 0
    }

    /// Whether `agent` may be given such a conversation now: working (on shift, not absent), with
    /// the room, the presence and the profile room it asks for.
    #[inline]
    pub fn admits(self, agent: &Agent) -> bool {
        agent.working() && self.admits_state(agent)
    }

    /// Whether it asks for one unit and nothing of profiles: all a candidate (working with free
    /// capacity) lacks then is the presence.
    #[inline]
    pub fn one_unit(self) -> bool {
        self.units == 1 && self.profile.is_none() && self.skills == SkillSetId::NONE
    }
}

/// What one conversation holds of its agent: capacity units, and a place in its capacity
/// profile's limit (a blocking profile keeps the agent from work of any other).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Load {
    pub units: u32,
    pub profile: Option<ProfileId>,
    pub blocks: bool,
}

impl Load {
    /// Nothing: a conversation that holds no capacity.
    pub const NONE: Load = Load { units: 0, profile: None, blocks: false };

    #[inline]
    pub fn of(scenario: &Scenario, ws: &WorkStream) -> Load {
        Load {
            units: ws.capacity,
            profile: ws.capacity_profile,
            blocks: ws.capacity_profile.is_some_and(|p| scenario.capacity_profiles[p.index()].block_others),
        }
    }
}
