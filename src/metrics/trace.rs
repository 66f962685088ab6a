//! The per-conversation trace of one replication (`--trace`): what each conversation brought,
//! where it went, how long it spent in each state, and how it ended.
//!
//! This is the one record that grows with the number of conversations simulated, which is why it
//! is kept for replication 1 only, and only when asked for.

use crate::engine::{ConversationState, ConversationView};
use crate::scenario::{ContextValue, Scenario};
use crate::time::SimTime;

/// How a conversation ended, or that it had not by the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Abandoned,
    AutoClosed,
    EndedByOverflow,
    BotContained,
    InSystem,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Abandoned => "abandoned",
            Outcome::AutoClosed => "auto_closed",
            Outcome::EndedByOverflow => "ended_by_overflow",
            Outcome::BotContained => "bot_contained",
            Outcome::InSystem => "in_system",
        }
    }
}

/// One conversation of the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    pub view: ConversationView,
    /// `name=value` pairs in the work stream's variable order, `;`-separated.
    pub context: String,
    pub first_accept: Option<SimTime>,
    /// Seconds spent Open, Offered, Active, Waiting and in Wrap-up.
    pub open_s: f64,
    pub offered_s: f64,
    pub active_s: f64,
    pub waiting_s: f64,
    pub wrap_up_s: f64,
    pub closed: Option<SimTime>,
    pub outcome: Outcome,
    state: ConversationState,
    since: SimTime,
}

impl TraceRow {
    fn account(&mut self, until: SimTime) {
        let spent = until.0 - self.since.0;
        match self.state {
            ConversationState::Open => self.open_s += spent,
            ConversationState::Offered => self.offered_s += spent,
            ConversationState::Active => self.active_s += spent,
            ConversationState::Waiting => self.waiting_s += spent,
            ConversationState::WrapUp => self.wrap_up_s += spent,
            // The bot's time is summary.csv's `bot_time_s`, not a column of the trace.
            ConversationState::Bot | ConversationState::Closed => {}
        }
        self.since = until;
    }
}

#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub rows: Vec<TraceRow>,
}

impl Trace {
    fn row(&mut self, c: &ConversationView) -> &mut TraceRow {
        &mut self.rows[c.id as usize]
    }

    pub fn context(&mut self, scenario: &Scenario, c: ConversationView, values: &[ContextValue]) {
        let ws = &scenario.work_streams[c.work_stream.index()];
        let context = ws
            .variables
            .iter()
            .zip(values)
            .filter_map(|(var, value)| match value {
                ContextValue::Missing => None,
                ContextValue::Text(k) => Some(format!("{}={}", var.name, var.categories[*k as usize])),
                ContextValue::Number(x) => Some(format!("{}={x}", var.name)),
            })
            .collect::<Vec<_>>()
            .join(";");
        debug_assert_eq!(self.rows.len() as u64, c.id);
        self.rows.push(TraceRow {
            view: c,
            context,
            first_accept: None,
            open_s: 0.0,
            offered_s: 0.0,
            active_s: 0.0,
            waiting_s: 0.0,
            wrap_up_s: 0.0,
            closed: None,
            outcome: Outcome::InSystem,
            state: ConversationState::Open,
            since: c.arrival,
        });
    }

    pub fn state_changed(&mut self, c: ConversationView, state: ConversationState, at: SimTime) {
        let row = self.row(&c);
        row.account(at);
        row.state = state;
        row.view = c;
        if state == ConversationState::Closed {
            row.closed = Some(at);
        }
    }

    pub fn answered(&mut self, c: ConversationView, at: SimTime) {
        self.row(&c).first_accept = Some(at);
    }

    pub fn ended(&mut self, c: ConversationView, outcome: Outcome) {
        self.row(&c).outcome = outcome;
    }

    pub fn finished(&mut self, horizon: SimTime) {
        for row in &mut self.rows {
            if row.closed.is_none() {
                row.account(horizon);
            }
        }
    }
}
