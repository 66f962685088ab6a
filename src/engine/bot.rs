//! Bots first (DOMAIN.md §3.7): a work stream's bot takes each conversation on arrival, before
//! routing, holds it for its handle time, and then ends it (contained) or escalates it with the
//! context values it sets; routing then runs as for an arrival, overflow rules judged on
//! arrival included, and the conversation's first wait, patience and `auto_close_open` start at
//! the escalation (so ASA and abandons count from there, as the product measures them).
//!
//! Draw order, from the conversation's own stream: context values, the bot's handle time, its
//! containment draw, the values it sets (escalated conversations only), the queue of a split
//! rule; then, at the escalation, patience.

use super::events::{ConvSlot, EventKind};
use super::*;

impl<O: Observer> Replication<'_, O> {
    /// An arrival on a work stream with a bot: it is offered (counted) now and held by the bot.
    #[cold]
    #[inline(never)]
    pub(super) fn bot_arrival(&mut self, channel_id: ChannelId, mut stream: Stream) {
        let scenario = self.scenario;
        let channel = &scenario.channels[channel_id.index()];
        let ws = &scenario.work_streams[channel.work_stream.index()];
        let bot = ws.bot.as_ref().expect("a work stream with a bot");
        let time = bot.handle_time.sample(&mut stream);
        let contained = stream.random::<f64>() < bot.containment;
        // Skills the customer's context requires stay when the bot's values add more (DOMAIN.md
        // §1.10).
        let classified = ws.classify(&self.context[..ws.variables.len()]);
        if !contained {
            for (value, generator) in self.context.iter_mut().zip(&bot.sets) {
                if let Some(generator) = generator {
                    *value = generator.draw(&mut stream);
                }
            }
        }
        // The queue routing gives it after the bot: where an escalation goes, and where a
        // contained conversation is reported.
        let queue = ws.route(&self.context[..ws.variables.len()], || stream.random());
        let mut view = self.new_view(channel_id, queue);
        self.observer.context(view, &self.context[..channel.context.len()]);
        view.tag = self.observer.arrived(view);
        let classified = classified | ws.classify(&self.context[..ws.variables.len()]);
        let lane =
            self.lanes.lane_of(queue, channel.work_stream, usize::from(ws.set_of_rules[usize::from(classified)]));
        let slot = self.new_slot(view, lane, stream);
        let c = &mut self.conversations[slot as usize];
        c.state = ConversationState::Bot;
        let generation = c.generation;
        self.observer.state_changed(view, ConversationState::Bot, self.now);
        self.calendar.schedule(self.now + Duration(time), EventKind::BotEnd { conv: slot, generation, contained });
    }

    /// The bot is done: the conversation ends, or goes to routing as if it arrived now.
    pub(super) fn bot_end(&mut self, slot: ConvSlot, generation: u32, contained: bool) {
        let now = self.now;
        let c = &mut self.conversations[slot as usize];
        if c.generation != generation || c.state != ConversationState::Bot {
            return;
        }
        self.observer.bot_ended(c.view, now - c.since, contained);
        if contained {
            self.finish(slot);
            return;
        }
        // The human part starts now: its waits, patience and auto-close count from here.
        c.view.arrival = now;
        c.open_since = now;
        let scenario = self.scenario;
        let ws = &scenario.work_streams[c.view.work_stream.index()];
        let patience = ws.patience.as_ref().map(|p| p.sample(&mut c.rng));
        let queue = c.view.queue;
        let overflow = if self.overflows_on_arrival { self.overflow_on_arrival(queue, ws) } else { None };
        let waits_in = match overflow {
            Some(OverflowAction::Queue(target)) => target,
            _ => queue,
        };
        let c = &mut self.conversations[slot as usize];
        let lane = self.lanes.moved(c.lane as usize, waits_in);
        c.lane = lane as u32;
        if let Some(action) = overflow {
            let view = c.view;
            self.observer.overflowed(view, now);
            if action == OverflowAction::End {
                self.observer.ended_by_overflow(view, now);
                self.finish(slot);
                return;
            }
        }
        let agent =
            if self.lanes.surely_busy(lane) { None } else { self.lanes.best_agent_undeclined(&self.view(), lane) };
        self.conversations[slot as usize].view.queued = agent.is_none();
        self.enter_open(slot, agent.is_none());
        match overflow {
            Some(action) if action.leaves_work() => self.leave_work(slot, action, true),
            _ if agent.is_some_and(|a| self.accepts_at_once(a, lane)) => {}
            _ => {
                let channel = self.conversations[slot as usize].view.channel;
                self.start_first_wait_timers(slot, scenario.channels[channel.index()].auto_close_open, patience);
                if self.limits_waits {
                    self.start_wait_overflow(slot);
                }
            }
        }
        if let Some(agent) = agent {
            self.offer(slot, agent);
        }
    }
}
