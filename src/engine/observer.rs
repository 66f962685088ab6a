//! What the engine tells the layer above it: the [`Observer`] contract, and the views of a
//! conversation and an agent's status that come with each call. The metrics layer implements it;
//! tests implement it to record what happened.

use super::agent::AgentId;
use crate::scenario::{BasePresence, ChannelId, ContextValue, GroupId, PresenceId, QueueId, WorkStreamId};
use crate::time::{Duration, SimTime};

/// What the metrics layer needs to know about a conversation when something happens to it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConversationView {
    /// Arrival order within the replication, from 0.
    pub id: u64,
    pub arrival: SimTime,
    pub channel: ChannelId,
    pub work_stream: WorkStreamId,
    /// The queue the conversation was routed to.
    pub queue: QueueId,
    /// It found no eligible agent on arrival and had to wait in its queue.
    pub queued: bool,
    /// An agent has accepted it.
    pub answered: bool,
    /// Transferred after an agent's handling and not accepted since: it waits in a transfer.
    pub transferred: bool,
    /// The caller hung up and left a callback or a voicemail: it no longer abandons, and no
    /// overflow rule judges it again.
    pub called_back: bool,
    /// The agent that holds it or last held it (`u32::MAX`: none yet).
    pub agent: AgentId,
    /// What [`Observer::arrived`] returned for it (0 until then).
    pub tag: u64,
}

/// The lifecycle states of DOMAIN.md §2.1, with the offer made explicit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationState {
    /// With the work stream's bot, before any routing to agents.
    Bot,
    Open,
    /// Offered to an agent, capacity reserved, not yet accepted.
    Offered,
    Active,
    Waiting,
    WrapUp,
    Closed,
}

/// What one agent contributes to its group's load, as the metrics count it: every change of an
/// agent is reported with [`Observer::agent_changed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentStatus {
    pub presence: BasePresence,
    /// On duty: within a shift and not absent, breaks included (what a roster pays for).
    pub on_duty: bool,
    /// Counted as staffed (see `Agent::staffed`).
    pub staffed: bool,
    /// Staffed and holding at least one conversation.
    pub busy: bool,
    /// Capacity units while staffed, else 0.
    pub staffed_capacity: u32,
    /// Capacity units in use.
    pub in_use: u32,
}

/// Receives what happens in a replication, in time order. The methods with a default body
/// report detail that not every observer needs.
pub trait Observer {
    /// A conversation arrived; `c.queued` says whether it had to wait. The value returned is the
    /// observer's own label for it, carried from then on as `c.tag`.
    fn arrived(&mut self, c: ConversationView) -> u64;
    /// An agent accepted it for the first time (its first wait ends).
    fn answered(&mut self, c: ConversationView, at: SimTime);
    /// The customer left before the first accept.
    fn abandoned(&mut self, c: ConversationView, at: SimTime);
    /// Closed by a timer: unanswered (`auto_close_open`) or after inactivity in Waiting.
    fn auto_closed(&mut self, c: ConversationView, at: SimTime);
    /// Closed normally after wrap-up.
    fn completed(&mut self, c: ConversationView, at: SimTime);
    /// An agent of `group` finished an active episode.
    fn handled(&mut self, group: GroupId, c: ConversationView, handle: Duration);
    /// An agent of `group` finished wrap-up.
    fn wrapped_up(&mut self, group: GroupId, c: ConversationView, wrap_up: Duration);
    /// Handling ended and the conversation closed at once, without wrap-up: `handled`, then
    /// `wrapped_up` with zero and `completed`, told in one call.
    #[inline]
    fn handled_and_completed(&mut self, group: GroupId, c: ConversationView, handle: Duration, at: SimTime) {
        self.handled(group, c, handle);
        self.wrapped_up(group, c, Duration::ZERO);
        self.completed(c, at);
    }
    /// The number of Open conversations like `c` changed by `delta`.
    fn open_changed(&mut self, c: ConversationView, at: SimTime, delta: i64);
    /// An agent of `group` is on the roster, in `status`, from time 0: every agent is heard of
    /// once, before anything else happens.
    fn agent_added(&mut self, group: GroupId, status: AgentStatus);
    /// An agent of `group` changed: its contribution to the group's load went from `from` to `to`
    /// (which may be equal).
    fn agent_changed(&mut self, group: GroupId, at: SimTime, from: AgentStatus, to: AgentStatus);
    /// Still in the system at the horizon.
    fn in_system(&mut self, c: ConversationView);
    /// The replication reached its horizon.
    fn finished(&mut self, horizon: SimTime);

    /// An overflow rule acted on the conversation: it moved to another queue's lane, or ends
    /// (then [`Observer::ended_by_overflow`] follows).
    fn overflowed(&mut self, _c: ConversationView, _at: SimTime) {}
    /// An overflow rule ended the conversation before any agent accepted it.
    fn ended_by_overflow(&mut self, _c: ConversationView, _at: SimTime) {}
    /// An overflow rule turned the call into a callback, or a voicemail (`_voicemail`): the
    /// caller hung up, and the work waits without it.
    fn called_back(&mut self, _c: ConversationView, _at: SimTime, _voicemail: bool) {}
    /// The bot let go of the conversation after `_time`: it resolved it (`_contained`, and the
    /// conversation ends) or escalated it to routing.
    fn bot_ended(&mut self, _c: ConversationView, _time: Duration, _contained: bool) {}
    /// After an agent's handling, the conversation was transferred to another queue.
    fn transferred(&mut self, _c: ConversationView, _at: SimTime) {}
    /// A transferred conversation was accepted after waiting `_wait` in its new queue.
    fn transfer_answered(&mut self, _c: ConversationView, _wait: Duration) {}
    /// The conversation was offered to `c.agent`.
    fn offered(&mut self, _c: ConversationView, _at: SimTime) {}
    /// The agent rejected the offer, or let it time out.
    fn declined(&mut self, _c: ConversationView, _at: SimTime, _timed_out: bool) {}
    /// The agent accepted an offer after `_delay`.
    fn offer_accepted(&mut self, _c: ConversationView, _delay: Duration) {}
    /// The agent parked the conversation in Waiting.
    fn waiting(&mut self, _c: ConversationView, _at: SimTime) {}
    /// The customer replied to a Waiting conversation: it is Open again.
    fn reopened(&mut self, _c: ConversationView, _at: SimTime) {}
    /// A reopened conversation was accepted after waiting `_wait` since the reply.
    fn requeue_answered(&mut self, _c: ConversationView, _wait: Duration) {}
    /// The conversation entered `_state` (for per-conversation traces).
    fn state_changed(&mut self, _c: ConversationView, _state: ConversationState, _at: SimTime) {}
    /// The context values drawn on arrival, in the work stream's variable order.
    fn context(&mut self, _c: ConversationView, _values: &[ContextValue]) {}
    /// The custom presence (`[[presence]]`) an agent of `group` shows changed from `from` to `to`
    /// (`None`: a base presence).
    fn custom_presence_changed(
        &mut self,
        _group: GroupId,
        _at: SimTime,
        _from: Option<PresenceId>,
        _to: Option<PresenceId>,
    ) {
    }
    /// Asked every [`CHECK_EVERY`](super::CHECK_EVERY) events: `true` stops the replication where it is (the user
    /// interrupted the run), and [`simulate`](super::simulate) says so.
    fn interrupted(&self) -> bool {
        false
    }
}
