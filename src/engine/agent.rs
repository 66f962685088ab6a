//! An agent as the engine sees it: capacity, presence and what it holds.
//!
//! Presence (DOMAIN.md §1.9, §4.9): while working (on shift and not absent) an agent's base
//! presence follows its capacity — none used: available, some: busy, all: busy_dnd — unless a
//! penalty after a missed or rejected offer (inactive = away, or busy_dnd) or a scheduled presence
//! (a break) based on busy_dnd, away or offline says otherwise; one based on available or busy is
//! a label shown beside the presence that follows capacity. Off shift it is offline, except while
//! it finishes conversations it still holds, when presence again follows capacity. Routing sees
//! only the base presence.

use super::requirement::Load;
use super::rng::Stream;
use crate::scenario::{BasePresence, CapacityProfile, GroupId, PresenceId, ProfileId};

/// An agent's place in a replication's roster: the groups' agents one after another, in the
/// order the scenario lists the groups, each group's in roster order.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentId(pub u32);

impl AgentId {
    /// No agent: the agent of a conversation that none has held yet.
    pub const NONE: AgentId = AgentId(u32::MAX);

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Agent {
    pub group: GroupId,
    /// Its place among its group's agents, in roster order.
    pub offset: u32,
    pub capacity: u32,
    /// Capacity units in use (reserved by offers, held by Active conversations and blocked wrap-up).
    /// May exceed `capacity` after manual picks.
    pub used: u32,
    /// Conversations Offered, Active or in Wrap-up with this agent.
    pub holding: u32,
    /// Per capacity profile, the conversations of it that hold capacity of this agent, and how
    /// many the agent may hold (its group's limits).
    profile_held: [u16; CapacityProfile::MOST],
    profile_limit: [u16; CapacityProfile::MOST],
    /// A bit per blocking profile of which the agent holds a conversation.
    blocking: u8,
    /// A bit per skill set of the scenario ([`crate::scenario::SkillSet`]) whose conversations
    /// the agent has the skills for; the first (no skills) always.
    pub skill_sets: u64,
    /// Within one of the group's shifts.
    pub on_shift: bool,
    /// Absent today (shrinkage).
    pub absent: bool,
    /// The day `absent` was drawn for.
    pub absence_day: i64,
    /// Base presence of a scheduled presence (a break) now in force.
    pub scheduled: Option<BasePresence>,
    /// That scheduled presence itself (a custom one such as `lunch`, or a base one).
    pub scheduled_as: Option<PresenceId>,
    /// Presence set by a missed or rejected offer until it is reset.
    pub penalty: Option<BasePresence>,
    /// Identifies the latest penalty, so that an earlier reset event does not lift a later one.
    pub penalty_token: u32,
    /// When the agent was last assigned a conversation; −∞ if never.
    pub last_assigned: f64,
    /// When the agent last released capacity (least active); −∞ if never.
    pub last_release: f64,
    /// What [`Agent::working`], [`Agent::status`] and [`Agent::custom_presence`] were at the last
    /// [`Agent::refresh`], which follows every change.
    working: bool,
    pub status: super::AgentStatus,
    pub custom: Option<PresenceId>,
}

/// An agent's random streams, kept apart from [`Agent`] so that the agents scanned by every
/// assignment stay small.
#[derive(Clone, Debug)]
pub(crate) struct AgentStreams {
    /// Offer responses and pick choices.
    pub behaviour: Stream,
    /// Absence draws, apart so that they do not shift with offers.
    pub absence: Stream,
}

impl Agent {
    /// The `offset`-th agent of `group` at the start of a replication: off shift, holding nothing.
    pub fn new(group: GroupId, offset: u32, capacity: u32, profile_limits: &[u32]) -> Agent {
        let mut profile_limit = [0; CapacityProfile::MOST];
        for (to, &limit) in profile_limit.iter_mut().zip(profile_limits) {
            *to = limit.min(CapacityProfile::MOST_LIMIT) as u16;
        }
        let mut agent = Agent {
            group,
            offset,
            capacity,
            used: 0,
            holding: 0,
            profile_held: [0; CapacityProfile::MOST],
            profile_limit,
            blocking: 0,
            skill_sets: 1,
            on_shift: false,
            absent: false,
            absence_day: -1,
            scheduled: None,
            scheduled_as: None,
            penalty: None,
            penalty_token: 0,
            last_assigned: f64::NEG_INFINITY,
            last_release: f64::NEG_INFINITY,
            working: false,
            status: super::AgentStatus {
                presence: BasePresence::Offline,
                on_duty: false,
                staffed: false,
                busy: false,
                staffed_capacity: 0,
                in_use: 0,
            },
            custom: None,
        };
        agent.refresh();
        agent
    }

    /// On shift and not absent (as of the last [`Agent::refresh`]).
    #[inline]
    pub fn working(&self) -> bool {
        self.working
    }

    #[inline]
    fn by_capacity(&self) -> BasePresence {
        if self.used == 0 {
            BasePresence::Available
        } else if self.used >= self.capacity {
            BasePresence::BusyDnd
        } else {
            BasePresence::Busy
        }
    }

    /// Computes the derived fields again after a change; the status before and after tell the
    /// observer what changed.
    #[inline]
    pub fn refresh(&mut self) {
        self.working = self.on_shift && !self.absent;
        self.status = self.status();
        self.custom = self.custom_presence();
    }

    /// [`Agent::refresh`] after a change of the load alone (`used`, `holding`, the last assignment
    /// or release): whether the agent works and the custom presence it shows do not depend on it.
    #[inline]
    pub fn refresh_load(&mut self) {
        self.status = self.status();
        debug_assert!(self.working == (self.on_shift && !self.absent) && self.custom == self.custom_presence());
    }

    /// The base presence (as of the last [`Agent::refresh`]).
    #[inline]
    pub fn presence(&self) -> BasePresence {
        self.status.presence
    }

    #[inline]
    fn current_presence(&self) -> BasePresence {
        if !self.working() {
            if self.holding > 0 { self.by_capacity() } else { BasePresence::Offline }
        } else if let Some(p) = self.penalty {
            p
        } else {
            match self.scheduled {
                // A scheduled presence based on available or busy is a label: the base presence
                // still follows the load (DESIGN.md "Scheduled presences and automatic presence").
                Some(p @ (BasePresence::BusyDnd | BasePresence::Away | BasePresence::Offline)) => p,
                Some(BasePresence::Available | BasePresence::Busy) | None => self.by_capacity(),
            }
        }
    }

    /// The custom presence the agent shows, if its presence is one: a scheduled presence of
    /// `[[presence]]` while working and without a penalty (see [`Agent::presence`]).
    #[inline]
    fn custom_presence(&self) -> Option<PresenceId> {
        if self.working() && self.penalty.is_none() {
            self.scheduled_as.filter(|p| usize::from(p.0) >= BasePresence::ALL.len())
        } else {
            None
        }
    }

    /// Capacity and presence are both counted as staffed unless a schedule puts the agent away or
    /// offline; an agent finishing work after its shift is staffed until it has finished.
    #[inline]
    pub fn staffed(&self) -> bool {
        (self.working() && self.scheduled.is_none_or(|p| p.is_staffed())) || self.holding > 0
    }

    /// Working with some free capacity: the only agents a push search needs to look at.
    #[inline]
    pub fn candidate(&self) -> bool {
        self.working() && self.used < self.capacity
    }

    #[inline]
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.used)
    }

    /// Whether the agent may take a conversation of `profile` (or of none): it holds no
    /// conversation of a blocking profile other than this one, and fewer of this one than its
    /// limit.
    #[inline]
    pub fn profile_allows(&self, profile: Option<ProfileId>) -> bool {
        match profile {
            None => self.blocking == 0,
            Some(p) => {
                let p = p.index();
                self.blocking & !(1 << p) == 0 && self.profile_held[p] < self.profile_limit[p]
            }
        }
    }

    /// Whether it holds no more conversations of any profile than its limits allow.
    pub fn within_profiles(&self) -> bool {
        self.profile_held.iter().zip(&self.profile_limit).all(|(held, limit)| held <= limit)
    }

    /// A conversation takes `load` of the agent's capacity.
    #[inline]
    pub fn take(&mut self, load: Load) {
        self.used += load.units;
        if let Some(p) = load.profile {
            let p = p.index();
            // A pick that ignores capacity may pass the limit; the count saturates there.
            self.profile_held[p] = self.profile_held[p].saturating_add(1);
            self.blocking |= u8::from(load.blocks) << p;
        }
    }

    /// A conversation gives back the `load` it took.
    #[inline]
    pub fn give_back(&mut self, load: Load) {
        self.used -= load.units;
        if let Some(p) = load.profile {
            let p = p.index();
            self.profile_held[p] = self.profile_held[p].saturating_sub(1);
            if self.profile_held[p] == 0 {
                self.blocking &= !(1 << p);
            }
        }
    }

    #[inline]
    fn status(&self) -> super::AgentStatus {
        let staffed = self.staffed();
        super::AgentStatus {
            presence: self.current_presence(),
            on_duty: self.working,
            staffed,
            busy: staffed && self.holding > 0,
            staffed_capacity: if staffed { self.capacity } else { 0 },
            in_use: self.used,
        }
    }
}
