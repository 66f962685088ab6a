//! Operating hours and overflow (DESIGN.md "Routing, wave 2"): the rules a queue judges on a
//! conversation's arrival — outside its hours, at least N Open, an expected wait of at least T —
//! and the `waited_at_least` clock it runs while the conversation waits there, with their
//! actions: move the conversation to another queue's lane (it keeps its first queue for
//! reporting), end it, or, for a caller, leave work behind: a callback keeps the caller's place
//! in the queue, a voicemail waits at the back; neither abandons nor overflows again, and each is
//! closed unanswered if no agent takes it in time.
//!
//! A conversation moved by overflow is not judged again by its new queue's arrival rules (DOMAIN.md
//! §3.6), but its new queue's `waited_at_least` clock starts when it enters. A rule acts only on
//! a conversation still waiting for its first accept; one under an offer has the offer withdrawn.

use super::Replication;
use super::events::{ConvSlot, EventKind};
use super::observer::{ConversationState, Observer};
use crate::scenario::{OverflowAction, OverflowWhen, QueueId, WorkStream};
use crate::time::{Duration, SimTime};

impl<O: Observer> Replication<'_, O> {
    /// The action of the first rule of `queue` judged on arrival that holds now, for a
    /// conversation of `ws` arriving there.
    pub(super) fn overflow_on_arrival(&self, queue: QueueId, ws: &WorkStream) -> Option<OverflowAction> {
        let rules = &self.scenario.queues[queue.index()].on_arrival;
        if rules.is_empty() {
            return None;
        }
        rules.iter().find(|rule| self.holds(rule.when, queue, ws)).map(|rule| rule.action)
    }

    fn holds(&self, when: OverflowWhen, queue: QueueId, ws: &WorkStream) -> bool {
        match when {
            OverflowWhen::OutsideHours => !self.scenario.queues[queue.index()].is_open(self.now),
            OverflowWhen::OpenAtLeast(n) => self.lanes.open_in_queue(queue) >= n,
            OverflowWhen::ExpectedWaitAtLeast(t) => self.expected_wait(queue, ws) >= t,
            OverflowWhen::WaitedAtLeast(_) => unreachable!("judged while waiting, not on arrival"),
        }
    }

    /// (Open conversations ahead + 1) × the queue's mean handle time so far (the work stream's
    /// mean before the first) ÷ the agents on shift serving it; infinite with none.
    fn expected_wait(&self, queue: QueueId, ws: &WorkStream) -> f64 {
        let (sum, count) = self.queue_handle[queue.index()];
        let mean = if count > 0 { sum / count as f64 } else { ws.handle_time.mean() };
        let on_shift = self.scenario.agent_groups.iter().enumerate().filter(|(_, g)| g.queues.contains(&queue));
        let on_shift: usize =
            on_shift.map(|(g, _)| self.agents_of(g).filter(|a| self.agents[a.index()].working()).count()).sum();
        if on_shift == 0 {
            return f64::INFINITY;
        }
        (f64::from(self.lanes.open_in_queue(queue)) + 1.0) * mean / on_shift as f64
    }

    /// Starts the `waited_at_least` clock of the queue the conversation waits in now, if it has one.
    pub(super) fn start_wait_overflow(&mut self, slot: ConvSlot) {
        let c = &self.conversations[slot as usize];
        let queue = self.lanes.queue_of(c.lane as usize);
        if let Some(rule) = &self.scenario.queues[queue.index()].on_wait {
            let OverflowWhen::WaitedAtLeast(t) = rule.when else { unreachable!("on_wait holds waited_at_least") };
            let event = EventKind::WaitOverflow { conv: slot, generation: c.generation, lane: c.lane };
            self.calendar.schedule(self.now + Duration(t), event);
        }
    }

    /// A `waited_at_least` clock ran out: the rule acts if the conversation still waits for its
    /// first accept in the lane where the clock started.
    pub(super) fn wait_overflow(&mut self, slot: ConvSlot, generation: u32, lane: u32) {
        let c = &self.conversations[slot as usize];
        let waiting = matches!(c.state, ConversationState::Open | ConversationState::Offered);
        if c.generation != generation || c.view.answered || c.lane != lane || !waiting || c.view.called_back {
            return;
        }
        let queue = self.lanes.queue_of(lane as usize);
        let rule = self.scenario.queues[queue.index()].on_wait.expect("a clock only where a rule is");
        self.overflow(slot, rule.action);
    }

    /// Takes an overflow action on a conversation that waits for its first accept, Open in its
    /// lane or under an offer (withdrawn).
    pub(super) fn overflow(&mut self, slot: ConvSlot, action: OverflowAction) {
        if action.leaves_work() {
            self.observer.overflowed(self.conversations[slot as usize].view, self.now);
            return self.leave_work(slot, action, false);
        }
        let (view, withdrawn) = self.stop_waiting(slot);
        self.observer.overflowed(view, self.now);
        match action {
            OverflowAction::End => {
                self.observer.ended_by_overflow(view, self.now);
                self.finish(slot);
            }
            OverflowAction::Queue(target) => {
                let c = &mut self.conversations[slot as usize];
                let lane = self.lanes.moved(c.lane as usize, target);
                c.lane = lane as u32;
                if withdrawn.is_some() {
                    self.enter_open(slot, true);
                } else {
                    // A new version: the entry it leaves in its old lane is stale from now on.
                    c.version = c.version.wrapping_add(1);
                    self.join_lane(slot);
                }
                self.start_wait_overflow(slot);
                self.assign_moved(slot, lane);
            }
            OverflowAction::Callback(_) | OverflowAction::Voicemail(_) => unreachable!("left work above"),
        }
        if let Some(agent) = withdrawn {
            self.agent_available(agent);
        }
    }

    /// The caller hangs up and leaves a callback or a voicemail (`action`) in the lane it waits
    /// in: it no longer abandons, no rule judges it again, and it is closed unanswered when the
    /// action's time runs out (or `auto_close_open`, if sooner). A callback keeps its place (and
    /// an offer in progress); a voicemail after queuing waits at the back, its offer withdrawn.
    /// `on_arrival`: the conversation has just arrived, its timers not started.
    pub(super) fn leave_work(&mut self, slot: ConvSlot, action: OverflowAction, on_arrival: bool) {
        let (voicemail, within) = match action {
            OverflowAction::Callback(t) => (false, t),
            OverflowAction::Voicemail(t) => (true, t),
            OverflowAction::Queue(_) | OverflowAction::End => unreachable!("the caller stays"),
        };
        let now = self.now;
        let c = &mut self.conversations[slot as usize];
        c.view.called_back = true;
        let (view, generation) = (c.view, c.generation);
        self.observer.called_back(view, now, voicemail);
        let open_close = self.scenario.channels[view.channel.index()].auto_close_open.map(|d| view.arrival.0 + d.0);
        let at = open_close.map_or(now.0 + within, |close| close.min(now.0 + within));
        self.calendar.schedule(SimTime(at), EventKind::LeaveOpen { conv: slot, generation, abandon: false });
        if voicemail && !on_arrival {
            let (_, withdrawn) = self.stop_waiting(slot);
            let c = &mut self.conversations[slot as usize];
            c.open_since = now;
            let lane = c.lane as usize;
            if withdrawn.is_some() {
                self.enter_open(slot, true);
            } else {
                // A new version: its entry at its old place is stale from now on.
                c.version = c.version.wrapping_add(1);
                self.join_lane(slot);
            }
            self.assign_moved(slot, lane);
            if let Some(agent) = withdrawn {
                self.agent_available(agent);
            }
        }
    }

    /// A conversation that just joined `lane` by overflow goes to an agent who can take it now.
    fn assign_moved(&mut self, slot: ConvSlot, lane: usize) {
        if self.lanes.is_pick(lane) {
            if let Some(agent) = self.lanes.immediate_picker(&self.view(), lane) {
                self.take(slot, agent);
            }
        } else if let Some(agent) = self.lanes.best_agent(&self.view(), lane, slot) {
            debug_assert!(self.lanes.can_hold(lane));
            self.offer(slot, agent);
        }
    }
}
