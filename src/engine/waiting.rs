//! Waiting (DOMAIN.md §2): an agent parks a conversation of an asynchronous channel, its capacity
//! returns at once, and the customer's reply reopens it (to the previous agent with affinity) or
//! its silence auto-closes it. And transfers (DOMAIN.md §6.1), the other way a conversation an
//! agent handled becomes Open again: in another queue, at once.

use super::events::{ConvSlot, EventKind};
use super::*;

impl<O: Observer> Replication<'_, O> {
    /// Active → Waiting: capacity is released at once; the customer replies after `reply` seconds
    /// unless `never`, and the conversation auto-closes at the inactivity threshold otherwise.
    pub(super) fn park(&mut self, slot: ConvSlot, never: bool, reply: f64) {
        let c = &self.conversations[slot as usize];
        let agent = c.view.agent;
        let work_stream = c.view.work_stream;
        let ws = &self.scenario.work_streams[work_stream.index()];
        let threshold = ws.auto_close_after_inactivity.0;
        self.observer.waiting(c.view, self.now);
        let load = self.loads[c.view.work_stream.index()];
        let now = self.now;
        self.conversations[slot as usize].holds_capacity = false;
        self.update_load(agent, |a| {
            a.give_back(load);
            a.holding -= 1;
            a.last_release = now.0;
        });
        let version = self.set_state(slot, ConversationState::Waiting);
        if !never && reply < threshold {
            self.calendar.schedule(now + Duration(reply), EventKind::CustomerReply { conv: slot, version });
        } else {
            let close = EventKind::InactivityClose { conv: slot, version };
            self.calendar.schedule_in_line(line(work_stream, Line::InactivityClose), now + Duration(threshold), close);
        }
        self.agent_available(agent);
    }

    /// Active → Open in another queue (a transfer): the agent lets go at once, without wrap-up,
    /// and the conversation waits again, its place in the queue taken now.
    pub(super) fn transfer(&mut self, slot: ConvSlot, target: crate::scenario::QueueId) {
        let now = self.now;
        let c = &mut self.conversations[slot as usize];
        let agent = c.view.agent;
        let load = self.loads[c.view.work_stream.index()];
        c.holds_capacity = false;
        c.view.transferred = true;
        c.open_since = now;
        let lane = self.lanes.moved(c.lane as usize, target);
        c.lane = lane as u32;
        self.observer.transferred(c.view, now);
        self.update_load(agent, |a| {
            a.give_back(load);
            a.holding -= 1;
            a.last_release = now.0;
        });
        self.enter_open(slot, true);
        if self.lanes.is_pick(lane) {
            if let Some(picker) = self.lanes.immediate_picker(&self.view(), lane) {
                self.take(slot, picker);
            }
        } else if let Some(next) = self.lanes.best_agent(&self.view(), lane, slot) {
            self.offer(slot, next);
        }
        self.agent_available(agent);
    }

    /// Waiting → Open: to the previous agent with affinity when it can take it (push only),
    /// otherwise queued by its last interaction time like any other conversation.
    pub(super) fn customer_reply(&mut self, slot: ConvSlot) {
        let now = self.now;
        let c = &mut self.conversations[slot as usize];
        c.open_since = now;
        let previous = c.view.agent;
        let (view, lane) = (c.view, c.lane as usize);
        let ws = &self.scenario.work_streams[view.work_stream.index()];
        self.observer.reopened(view, now);
        self.enter_open(slot, true);
        if ws.mode == Mode::Pick {
            if let Some(agent) = self.lanes.immediate_picker(&self.view(), lane) {
                self.take(slot, agent);
            }
            return;
        }
        // Affinity ignores presence (DOMAIN.md §4.10): a break in away or offline, or an offer
        // penalty, does not keep the reply from the previous agent while it is on shift; its
        // capacity and profile limits do.
        let prev = &self.agents[previous.index()];
        if ws.affinity && prev.working() && prev.free() >= ws.capacity && prev.profile_allows(ws.capacity_profile) {
            self.offer(slot, previous);
        } else if let Some(agent) = self.lanes.best_agent(&self.view(), lane, slot) {
            self.offer(slot, agent);
        }
    }
}
