//! Push offers and the first accept (DOMAIN.md §4.7, §4.8): an offer reserves capacity; the agent
//! accepts, rejects or lets it time out; a decline returns the conversation to Open, where it may
//! go to another agent at once, and may set a penalty presence. A pick takes a conversation
//! without an offer.

use rand::RngExt;

use super::events::{ConvSlot, EventKind, Response};
use super::*;

impl<O: Observer> Replication<'_, O> {
    /// Push: offer an Open conversation to `agent`, reserving capacity (DOMAIN.md §4.7, §4.8).
    #[inline]
    pub(super) fn offer(&mut self, slot: ConvSlot, agent: AgentId) {
        self.leave_lane(slot);
        self.reserve(slot, agent, true);
        let group = self.agents[agent.index()].group;
        let Some(behaviour) = &self.scenario.agent_groups[group.index()].offer else {
            self.accept(slot);
            return;
        };
        let version = self.set_state(slot, ConversationState::Offered);
        self.observer.offered(self.conversations[slot as usize].view, self.now);
        let rng = &mut self.agent_streams[agent.index()].behaviour;
        let u: f64 = rng.random();
        let (response, delay) = if u < behaviour.accept {
            (Response::Accept, behaviour.response_time.sample(rng))
        } else if u < behaviour.accept + behaviour.reject {
            (Response::Reject, behaviour.response_time.sample(rng))
        } else {
            (Response::Timeout, behaviour.timeout.0)
        };
        self.calendar.schedule(self.now + Duration(delay), EventKind::OfferResponse { conv: slot, version, response });
    }

    /// Capacity is taken from the agent the moment the conversation is offered (`push`) or picked.
    #[inline(always)]
    pub(super) fn reserve(&mut self, slot: ConvSlot, agent: AgentId, push: bool) {
        let now = self.now;
        let c = &mut self.conversations[slot as usize];
        let load = self.loads[c.view.work_stream.index()];
        c.view.agent = agent;
        c.holds_capacity = true;
        // The queue it is offered from: its lane's.
        let queue = self.lanes.queue_of(c.lane as usize);
        debug_assert!(
            self.lanes.requirement_of(c.lane as usize).skilled(&self.agents[agent.index()]),
            "conversation {slot} went to agent {agent:?}, who lacks the skills it requires"
        );
        self.lanes.record_assignment(queue, &self.agents[agent.index()], now);
        // Only where taking work can open more work (a lane for busy agents only) is the
        // presence before looked at.
        let watched = {
            let a = &self.agents[agent.index()];
            self.gains_by_load[a.group.index()].then(|| a.presence())
        };
        self.update_load(agent, |a| {
            a.take(load);
            a.holding += 1;
            a.last_assigned = now.0;
            // Capacity and profile limits are never exceeded in push mode (DESIGN.md "Affinity");
            // only picks that ignore capacity may.
            debug_assert!(a.used <= a.capacity || !push, "an offer took an agent past its capacity");
            debug_assert!(a.within_profiles() || !push, "an offer took an agent past a capacity profile's limit");
        });
        if let Some(before) = watched
            && self.agents[agent.index()].presence() != before
        {
            self.newly_eligible.push(agent);
        }
    }

    /// Pick: the agent takes the conversation; there is no offer to answer.
    pub(super) fn take(&mut self, slot: ConvSlot, agent: AgentId) {
        self.leave_lane(slot);
        self.reserve(slot, agent, false);
        self.accept(slot);
    }

    pub(super) fn offer_response(&mut self, slot: ConvSlot, response: Response) {
        let c = &self.conversations[slot as usize];
        match response {
            Response::Accept => {
                self.observer.offer_accepted(c.view, self.now - c.since);
                self.accept(slot);
            }
            Response::Reject | Response::Timeout => self.decline(slot, response == Response::Timeout),
        }
    }

    /// The agent accepts: the first wait (or a requeue wait) ends and active handling begins.
    #[inline(always)]
    pub(super) fn accept(&mut self, slot: ConvSlot) {
        let now = self.now;
        // The conversation is looked up once, beside the observer and the calendar.
        let Replication { conversations, observer, scenario, calendar, agents, .. } = self;
        let c = &mut conversations[slot as usize];
        let version = c.enter(ConversationState::Active, now);
        observer.state_changed(c.view, ConversationState::Active, now);
        if c.view.transferred {
            c.view.transferred = false;
            observer.transfer_answered(c.view, now - c.open_since);
        } else if c.view.answered {
            observer.requeue_answered(c.view, now - c.open_since);
        } else {
            c.view.answered = true;
            observer.answered(c.view, now);
        }
        let ws = &scenario.work_streams[c.view.work_stream.index()];
        let mut handle = ws.handle_time.sample(&mut c.rng);
        if let Some(scale) = &scenario.channels[c.view.channel.index()].handle_time_scale {
            handle *= scale.at(c.view.arrival);
        }
        // Concurrency slows each conversation: the agent holds this one and `others` more.
        if ws.handle_time_per_extra > 0.0 {
            let others = agents[c.view.agent.index()].holding.saturating_sub(1);
            handle *= 1.0 + ws.handle_time_per_extra * f64::from(others);
        }
        calendar.schedule(now + Duration(handle), EventKind::HandleEnd { conv: slot, version, agent: c.view.agent });
    }

    /// A reject or a timeout: the reservation returns, the conversation is Open again and may be
    /// offered to another agent at once; the agent may get a penalty presence (DOMAIN.md §4.7).
    pub(super) fn decline(&mut self, slot: ConvSlot, timed_out: bool) {
        let c = &mut self.conversations[slot as usize];
        let agent = c.view.agent;
        self.observer.declined(c.view, self.now, timed_out);
        let count = match c.declines.binary_search_by_key(&agent, |&(a, _)| a) {
            Ok(i) => {
                c.declines[i].1 += 1;
                c.declines[i].1
            }
            Err(i) => {
                c.declines.insert(i, (agent, 1));
                1
            }
        };
        // Counted in its lane's `limited` when it goes back to Open below.
        c.limited |= count >= self.scenario.simulation.decline_limit;
        self.release_reservation(slot, agent);

        let group = self.agents[agent.index()].group;
        if let Some(b) = &self.scenario.agent_groups[group.index()].offer {
            let penalty = if timed_out && b.timeout_sets_inactive {
                Some(BasePresence::Away)
            } else if !timed_out && b.reject_sets_dnd {
                Some(BasePresence::BusyDnd)
            } else {
                None
            };
            if let Some(p) = penalty {
                let reset_at = self.now + b.presence_reset;
                let mut token = 0;
                self.update_agent(agent, |a| {
                    a.penalty = Some(p);
                    a.penalty_token = a.penalty_token.wrapping_add(1);
                    token = a.penalty_token;
                });
                self.calendar.schedule(reset_at, EventKind::PresenceReset { agent, token });
            }
        }

        self.enter_open(slot, true);
        let lane = self.conversations[slot as usize].lane as usize;
        if let Some(next) = self.lanes.best_agent(&self.view(), lane, slot) {
            self.offer(slot, next);
        }
        self.agent_available(agent);
    }

    /// Gives back the capacity an offer reserved (reject, timeout, or the customer left).
    pub(super) fn release_reservation(&mut self, slot: ConvSlot, agent: AgentId) {
        let c = &mut self.conversations[slot as usize];
        c.holds_capacity = false;
        let load = self.loads[c.view.work_stream.index()];
        self.update_load(agent, |a| {
            a.give_back(load);
            a.holding -= 1;
        });
    }
}
