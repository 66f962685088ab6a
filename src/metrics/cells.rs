//! The cells one replication fills, per reporting interval and scope, and how replications and
//! intervals add up.
//!
//! Every field of a cell is declared once, in `cells!`, with how two cells combine (`sum`, or
//! `max` for a maximum): `merge` is written from that list, so a new field cannot be left out of
//! it.

use super::histogram::WaitHistogram;
use crate::scenario::Scenario;

/// What two cells' values of one field combine into.
trait Add {
    fn add(&mut self, other: &Self);
}

impl Add for u64 {
    fn add(&mut self, other: &u64) {
        *self += other;
    }
}

impl Add for f64 {
    fn add(&mut self, other: &f64) {
        *self += other;
    }
}

impl Add for WaitHistogram {
    fn add(&mut self, other: &WaitHistogram) {
        self.merge(other);
    }
}

impl<const N: usize> Add for [f64; N] {
    fn add(&mut self, other: &[f64; N]) {
        for (a, b) in self.iter_mut().zip(other) {
            *a += b;
        }
    }
}

impl Add for Vec<f64> {
    fn add(&mut self, other: &Vec<f64>) {
        if self.len() < other.len() {
            self.resize(other.len(), 0.0);
        }
        for (a, b) in self.iter_mut().zip(other) {
            *a += b;
        }
    }
}

/// Declares a cell's fields with how each merges, and writes the struct and its `merge`.
macro_rules! cells {
    ($(
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty => $how:ident ),* $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl $name {
            /// Adds `o` into this cell: counts, sums and integrals add, maxima take the larger.
            pub fn merge(&mut self, o: &$name) {
                $( cells!(@merge $how, self.$field, o.$field); )*
            }
        }
    )*};
    (@merge sum, $a:expr, $b:expr) => { Add::add(&mut $a, &$b) };
    (@merge max, $a:expr, $b:expr) => { $a = $a.max($b) };
}

cells! {
    /// Counts and sums for one conversation scope in one interval.
    #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct ConvCell {
        offered: u64 => sum,
        answered: u64 => sum,
        abandoned: u64 => sum,
        /// Abandoned within `simulation.short_abandon`: not offered, not abandoned.
        short_abandoned: u64 => sum,
        auto_closed: u64 => sum,
        /// Auto-closed before any agent accepted them.
        auto_closed_unanswered: u64 => sum,
        completed: u64 => sum,
        in_system: u64 => sum,
        /// In the system at the horizon and never answered.
        unanswered_at_end: u64 => sum,
        /// Resolved (answered, abandoned or auto-closed unanswered) after having to queue.
        queued_resolved: u64 => sum,
        answered_within_threshold: u64 => sum,
        wait_sum: f64 => sum,
        waits: WaitHistogram => sum,
        handled: u64 => sum,
        handle_sum: f64 => sum,
        wrapped_up: u64 => sum,
        wrap_up_sum: f64 => sum,
        /// ∫ Open conversations dt, in conversation-seconds.
        open_time: f64 => sum,
        max_open: i64 => max,
        /// Push offers made, rejected, timed out; accepted offers and their response times.
        offers: u64 => sum,
        rejects: u64 => sum,
        timeouts: u64 => sum,
        accepted_offers: u64 => sum,
        accept_delay_sum: f64 => sum,
        /// Waiting episodes, customer replies that reopened a conversation, and waits after them.
        waiting_episodes: u64 => sum,
        reopened: u64 => sum,
        requeue_answered: u64 => sum,
        requeue_wait_sum: f64 => sum,
        /// Acted on by an overflow rule (moved or ended), once per rule that acted.
        overflowed: u64 => sum,
        /// Ended by an overflow rule before any agent accepted them.
        ended_by_overflow: u64 => sum,
        /// Transfers after handling; transferred conversations accepted again, and their waits.
        transfers: u64 => sum,
        transfer_answered: u64 => sum,
        transfer_wait_sum: f64 => sum,
        /// Conversations a bot resolved, and escalated; the bots' time with both.
        bot_contained: u64 => sum,
        bot_escalated: u64 => sum,
        bot_time_sum: f64 => sum,
        /// Calls an overflow rule turned into callbacks, and into voicemails.
        callbacks: u64 => sum,
        voicemails: u64 => sum,
    }

    /// Load of one agent scope in one interval.
    #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct AgentCell {
        handled: u64 => sum,
        handle_sum: f64 => sum,
        wrapped_up: u64 => sum,
        wrap_up_sum: f64 => sum,
        /// ∫ staffed capacity units dt.
        staffed_capacity_time: f64 => sum,
        /// ∫ capacity units in use dt.
        in_use_time: f64 => sum,
        /// ∫ staffed agents dt.
        staffed_time: f64 => sum,
        /// ∫ agents on duty dt (within a shift and not absent, breaks included).
        on_duty_time: f64 => sum,
        /// ∫ agents holding a conversation dt.
        busy_time: f64 => sum,
        /// ∫ agents in each base presence dt, indexed by `BasePresence as usize`.
        presence_time: [f64; 5] => sum,
        /// ∫ agents in each custom presence dt (`[[presence]]` in declaration order); part of the
        /// time of its base presence.
        custom_time: Vec<f64> => sum,
    }
}

/// How scopes are numbered in the cell arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScopeLayout {
    pub channels: usize,
    pub work_streams: usize,
    pub queues: usize,
    pub groups: usize,
}

impl ScopeLayout {
    pub fn of(s: &Scenario) -> ScopeLayout {
        ScopeLayout {
            channels: s.channels.len(),
            work_streams: s.work_streams.len(),
            queues: s.queues.len(),
            groups: s.agent_groups.len(),
        }
    }
    pub fn conv_scopes(&self) -> usize {
        1 + self.channels + self.work_streams + self.queues
    }
    pub fn agent_scopes(&self) -> usize {
        1 + self.groups
    }
    /// The four conversation scopes of a conversation that came by `channel`, belongs to
    /// `work_stream` and was routed to `queue`: all, channel, work stream, queue.
    pub fn of_conversation(&self, channel: usize, work_stream: usize, queue: usize) -> [usize; 4] {
        [0, 1 + channel, 1 + self.channels + work_stream, 1 + self.channels + self.work_streams + queue]
    }
}

/// Cells of every interval and scope, for one replication or merged over several.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IntervalCells {
    pub layout: ScopeLayout,
    pub intervals: usize,
    /// `conv[k * layout.conv_scopes() + scope]`.
    pub conv: Vec<ConvCell>,
    /// `agent[k * layout.agent_scopes() + scope]`.
    pub agent: Vec<AgentCell>,
}

impl IntervalCells {
    pub fn new(layout: ScopeLayout, intervals: usize) -> IntervalCells {
        IntervalCells {
            layout,
            intervals,
            conv: vec![ConvCell::default(); intervals * layout.conv_scopes()],
            agent: vec![AgentCell::default(); intervals * layout.agent_scopes()],
        }
    }

    pub fn conv(&self, k: usize, scope: usize) -> &ConvCell {
        &self.conv[k * self.layout.conv_scopes() + scope]
    }

    pub fn agent(&self, k: usize, scope: usize) -> &AgentCell {
        &self.agent[k * self.layout.agent_scopes() + scope]
    }

    pub fn merge(&mut self, other: &IntervalCells) {
        for (a, b) in self.conv.iter_mut().zip(&other.conv) {
            a.merge(b);
        }
        for (a, b) in self.agent.iter_mut().zip(&other.agent) {
            a.merge(b);
        }
    }

    /// The cells of `groups` of intervals, each group merged into one pseudo-interval, in order.
    pub fn grouped(&self, groups: &[Vec<usize>]) -> IntervalCells {
        let mut out = IntervalCells::new(self.layout, groups.len());
        let (nc, na) = (self.layout.conv_scopes(), self.layout.agent_scopes());
        for (g, ks) in groups.iter().enumerate() {
            for &k in ks {
                for s in 0..nc {
                    out.conv[g * nc + s].merge(self.conv(k, s));
                }
                for s in 0..na {
                    out.agent[g * na + s].merge(self.agent(k, s));
                }
            }
        }
        out
    }

    /// Sum over all intervals, per conversation scope.
    pub fn conv_totals(&self) -> Vec<ConvCell> {
        let n = self.layout.conv_scopes();
        let mut totals = vec![ConvCell::default(); n];
        for (i, cell) in self.conv.iter().enumerate() {
            totals[i % n].merge(cell);
        }
        totals
    }

    /// Sum over all intervals, per agent scope.
    pub fn agent_totals(&self) -> Vec<AgentCell> {
        let n = self.layout.agent_scopes();
        let mut totals = vec![AgentCell::default(); n];
        for (i, cell) in self.agent.iter().enumerate() {
            totals[i % n].merge(cell);
        }
        totals
    }
}
