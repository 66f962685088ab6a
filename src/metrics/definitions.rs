//! The headline metrics: each one's name, kind, where it is defined, and its formula — in one
//! place (DESIGN.md "Headline metrics and their definitions"). Reports only format what this
//! module computes.
//!
//! A metric's value for one replication (or one merged interval) is a [`Value`]: a number (counts
//! and means) or the numerator and denominator of a ratio, so that ratios across replications and
//! intervals are ratios of sums.

use super::cells::{AgentCell, ConvCell};

/// Every metric, one row each, in report order: its variant, its name in the files, how it is
/// estimated across replications, whether a larger value is worse (for regression checks; `None`
/// when neither way is bad), the scopes that report it, and its unit. Nothing else lists them; a
/// new metric is one row here and its formula in [`Metric::value`].
macro_rules! metrics {
    ($( $variant:ident => $name:literal, $kind:ident, worse: $worse:expr, scopes: $scopes:ident, unit: $unit:literal; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric {
            $( $variant, )*
        }

        const ROWS: &[Attributes] = &[
            $( Attributes {
                metric: Metric::$variant,
                name: $name,
                kind: Kind::$kind,
                larger_is_worse: $worse,
                scopes: $scopes,
                unit: $unit,
            }, )*
        ];

        impl Metric {
            /// Every metric, in report order.
            pub const ALL: [Metric; ROWS.len()] = [ $( Metric::$variant, )* ];
        }
    };
}

/// A metric's row of the table.
struct Attributes {
    metric: Metric,
    name: &'static str,
    kind: Kind,
    larger_is_worse: Option<bool>,
    /// Which scope kinds report it, as bits of `ScopeKind as u8`.
    scopes: u8,
    unit: &'static str,
}

// The rows are in the variants' order: `attributes` finds a metric's row by its number.
const _: () = {
    let mut i = 0;
    while i < ROWS.len() {
        assert!(ROWS[i].metric as usize == i);
        i += 1;
    }
};

/// Conversation metrics: all, channel, work stream, queue.
const CONV: u8 = 0b01111;
/// Agent-group metrics that all reports too, from the agents' side.
const ALL_AND_GROUPS: u8 = 0b10001;
/// Reported for conversations and for agent groups (handle and wrap-up times).
const CONV_AND_GROUPS: u8 = 0b11111;
/// Agent groups only.
const GROUPS: u8 = 0b10000;

metrics! {
    Offered => "offered", Count, worse: None, scopes: CONV, unit: "conversations";
    Answered => "answered", Count, worse: Some(false), scopes: CONV, unit: "conversations";
    Abandoned => "abandoned", Count, worse: Some(true), scopes: CONV, unit: "conversations";
    ShortAbandoned => "short_abandoned", Count, worse: None, scopes: CONV, unit: "conversations";
    AutoClosed => "auto_closed", Count, worse: Some(true), scopes: CONV, unit: "conversations";
    Completed => "completed", Count, worse: Some(false), scopes: CONV, unit: "conversations";
    InSystem => "in_system", Count, worse: None, scopes: CONV, unit: "conversations";
    AsaS => "asa_s", Mean, worse: Some(true), scopes: CONV, unit: "seconds";
    WaitP50S => "wait_p50_s", Mean, worse: Some(true), scopes: CONV, unit: "seconds";
    WaitP90S => "wait_p90_s", Mean, worse: Some(true), scopes: CONV, unit: "seconds";
    WaitP95S => "wait_p95_s", Mean, worse: Some(true), scopes: CONV, unit: "seconds";
    PWait => "p_wait", Ratio, worse: Some(true), scopes: CONV, unit: "share";
    ServiceLevel => "service_level", Ratio, worse: Some(false), scopes: CONV, unit: "share";
    AbandonRate => "abandon_rate", Ratio, worse: Some(true), scopes: CONV, unit: "share";
    Handled => "handled", Count, worse: None, scopes: GROUPS, unit: "conversations";
    AhtS => "aht_s", Mean, worse: None, scopes: CONV_AND_GROUPS, unit: "seconds";
    WrapUpS => "wrap_up_s", Mean, worse: None, scopes: CONV_AND_GROUPS, unit: "seconds";
    AvgQueueLen => "avg_queue_len", Mean, worse: Some(true), scopes: CONV, unit: "conversations";
    MaxQueueLen => "max_queue_len", Mean, worse: Some(true), scopes: CONV, unit: "conversations";
    Occupancy => "occupancy", Ratio, worse: None, scopes: ALL_AND_GROUPS, unit: "share";
    Utilization => "utilization", Ratio, worse: None, scopes: ALL_AND_GROUPS, unit: "share";
    Offers => "offers", Count, worse: None, scopes: CONV, unit: "offers";
    Rejects => "rejects", Count, worse: Some(true), scopes: CONV, unit: "offers";
    Timeouts => "timeouts", Count, worse: Some(true), scopes: CONV, unit: "offers";
    TimeToAcceptS => "time_to_accept_s", Mean, worse: Some(true), scopes: CONV, unit: "seconds";
    Waits => "waits", Count, worse: None, scopes: CONV, unit: "episodes";
    Reopened => "reopened", Count, worse: None, scopes: CONV, unit: "conversations";
    RequeueWaitS => "requeue_wait_s", Mean, worse: Some(true), scopes: CONV, unit: "seconds";
    UnansweredAtEnd => "unanswered_at_end", Count, worse: Some(true), scopes: CONV, unit: "conversations";
    Overloaded => "overloaded", Count, worse: Some(true), scopes: CONV, unit: "replications flagged";
    Overflowed => "overflowed", Count, worse: None, scopes: CONV, unit: "conversations";
    EndedByOverflow => "ended_by_overflow", Count, worse: Some(true), scopes: CONV, unit: "conversations";
    Transfers => "transfers", Count, worse: None, scopes: CONV, unit: "transfers";
    TransferWaitS => "transfer_wait_s", Mean, worse: Some(true), scopes: CONV, unit: "seconds";
    BotContained => "bot_contained", Count, worse: None, scopes: CONV, unit: "conversations";
    BotEscalated => "bot_escalated", Count, worse: None, scopes: CONV, unit: "conversations";
    BotTimeS => "bot_time_s", Mean, worse: None, scopes: CONV, unit: "seconds";
    Callbacks => "callbacks", Count, worse: None, scopes: CONV, unit: "conversations";
    Voicemails => "voicemails", Count, worse: None, scopes: CONV, unit: "conversations";
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    All,
    Channel,
    WorkStream,
    Queue,
    AgentGroup,
}

impl ScopeKind {
    /// The scope kind named as files and scenarios name it (`work_stream`).
    pub fn from_name(name: &str) -> Option<ScopeKind> {
        Some(match name {
            "all" => ScopeKind::All,
            "channel" => ScopeKind::Channel,
            "work_stream" => ScopeKind::WorkStream,
            "queue" => ScopeKind::Queue,
            "agent_group" => ScopeKind::AgentGroup,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ScopeKind::All => "all",
            ScopeKind::Channel => "channel",
            ScopeKind::WorkStream => "work_stream",
            ScopeKind::Queue => "queue",
            ScopeKind::AgentGroup => "agent_group",
        }
    }
}

/// How a metric is estimated across replications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A count per replication: mean and Student-t interval.
    Count,
    /// A per-replication mean or percentile: mean and Student-t interval.
    Mean,
    /// A ratio: ratio of sums with a delta-method interval.
    Ratio,
}

/// One replication's (or one merged interval's) value of a metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    Ratio { numerator: f64, denominator: f64 },
}

impl Value {
    /// The value as one number (a ratio's quotient; NaN when undefined).
    pub fn number(self) -> f64 {
        match self {
            Value::Number(v) => v,
            Value::Ratio { numerator, denominator } if denominator != 0.0 => numerator / denominator,
            Value::Ratio { .. } => f64::NAN,
        }
    }
}

fn mean(sum: f64, count: u64) -> f64 {
    if count == 0 { f64::NAN } else { sum / count as f64 }
}

fn ratio(numerator: u64, denominator: u64) -> Value {
    Value::Ratio { numerator: numerator as f64, denominator: denominator as f64 }
}

impl Metric {
    /// The metrics that `compare`, `sweep` and the terminal put first.
    pub const HEADLINE: [Metric; 10] = [
        Metric::Offered,
        Metric::Answered,
        Metric::Abandoned,
        Metric::ServiceLevel,
        Metric::AsaS,
        Metric::WaitP90S,
        Metric::PWait,
        Metric::AbandonRate,
        Metric::Occupancy,
        Metric::Utilization,
    ];

    fn attributes(self) -> &'static Attributes {
        &ROWS[self as usize]
    }

    /// Whether a larger value is worse (waits, abandons); `None` when neither way is bad.
    pub fn larger_is_worse(self) -> Option<bool> {
        self.attributes().larger_is_worse
    }

    pub fn name(self) -> &'static str {
        self.attributes().name
    }

    /// What the metric counts or measures: `seconds`, `share`, `conversations`, …
    pub fn unit(self) -> &'static str {
        self.attributes().unit
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn kind(self) -> Kind {
        self.attributes().kind
    }

    /// Whether the metric has a row for this scope. Conversation metrics belong to all, channel,
    /// work stream and queue; agent groups report what their agents handled and their load.
    pub fn applies_to(self, scope: ScopeKind) -> bool {
        self.attributes().scopes & (1 << scope as u8) != 0
    }

    /// The metric's value from a scope's cells. `conv` is absent for agent groups, `agent` for
    /// channels, work streams and queues. `window_s` is the observed time the cells cover (for
    /// time averages), `replications` how many replications were merged into them (for counts).
    pub fn value(
        self,
        conv: Option<&ConvCell>,
        agent: Option<&AgentCell>,
        window_s: f64,
        replications: usize,
    ) -> Value {
        let per_rep = replications.max(1) as f64;
        let count = |f: fn(&ConvCell) -> u64| Value::Number(conv.map_or(f64::NAN, |c| f(c) as f64 / per_rep));
        match self {
            Metric::Offered => count(|c| c.offered),
            Metric::Answered => count(|c| c.answered),
            Metric::Abandoned => count(|c| c.abandoned),
            Metric::ShortAbandoned => count(|c| c.short_abandoned),
            Metric::AutoClosed => count(|c| c.auto_closed),
            Metric::Completed => count(|c| c.completed),
            Metric::InSystem => count(|c| c.in_system),
            Metric::Handled => Value::Number(agent.map_or(f64::NAN, |a| a.handled as f64 / per_rep)),
            // The headline wait is the first wait: arrival to first accept, over answered conversations.
            Metric::AsaS => Value::Number(conv.map_or(f64::NAN, |c| mean(c.wait_sum, c.answered))),
            Metric::WaitP50S => Value::Number(conv.map_or(f64::NAN, |c| c.waits.quantile(0.5))),
            Metric::WaitP90S => Value::Number(conv.map_or(f64::NAN, |c| c.waits.quantile(0.9))),
            Metric::WaitP95S => Value::Number(conv.map_or(f64::NAN, |c| c.waits.quantile(0.95))),
            // Erlang C/A probability of waiting, abandoners included.
            Metric::PWait => conv.map_or(Value::Number(f64::NAN), |c| ratio(c.queued_resolved, resolved(c))),
            // Answered within the threshold over all resolved arrivals (Erlang A's P(answered, wait ≤ t)).
            Metric::ServiceLevel => {
                conv.map_or(Value::Number(f64::NAN), |c| ratio(c.answered_within_threshold, resolved(c)))
            }
            Metric::AbandonRate => {
                conv.map_or(Value::Number(f64::NAN), |c| ratio(c.abandoned, c.answered + c.abandoned))
            }
            Metric::AhtS => Value::Number(match (agent, conv) {
                (Some(a), None) => mean(a.handle_sum, a.handled),
                (_, Some(c)) => mean(c.handle_sum, c.handled),
                (None, None) => f64::NAN,
            }),
            Metric::WrapUpS => Value::Number(match (agent, conv) {
                (Some(a), None) => mean(a.wrap_up_sum, a.wrapped_up),
                (_, Some(c)) => mean(c.wrap_up_sum, c.wrapped_up),
                (None, None) => f64::NAN,
            }),
            Metric::AvgQueueLen => Value::Number(
                conv.map_or(f64::NAN, |c| if window_s > 0.0 { c.open_time / (window_s * per_rep) } else { f64::NAN }),
            ),
            Metric::MaxQueueLen => Value::Number(conv.map_or(f64::NAN, |c| c.max_open as f64)),
            // Capacity units in use over capacity units staffed, time-weighted.
            Metric::Occupancy => agent.map_or(Value::Number(f64::NAN), |a| Value::Ratio {
                numerator: a.in_use_time,
                denominator: a.staffed_capacity_time,
            }),
            // Time with at least one conversation over staffed time.
            Metric::Utilization => agent.map_or(Value::Number(f64::NAN), |a| Value::Ratio {
                numerator: a.busy_time,
                denominator: a.staffed_time,
            }),
            Metric::Offers => count(|c| c.offers),
            Metric::Rejects => count(|c| c.rejects),
            Metric::Timeouts => count(|c| c.timeouts),
            // From offer to accept, over accepted offers.
            Metric::TimeToAcceptS => {
                Value::Number(conv.map_or(f64::NAN, |c| mean(c.accept_delay_sum, c.accepted_offers)))
            }
            Metric::Waits => count(|c| c.waiting_episodes),
            Metric::Reopened => count(|c| c.reopened),
            // From a customer's reply to the next accept, over reopened conversations accepted again.
            Metric::RequeueWaitS => {
                Value::Number(conv.map_or(f64::NAN, |c| mean(c.requeue_wait_sum, c.requeue_answered)))
            }
            Metric::UnansweredAtEnd => count(|c| c.unanswered_at_end),
            // A queue that grows without bound leaves many conversations unanswered at the end.
            Metric::Overloaded => Value::Number(conv.map_or(f64::NAN, |c| f64::from(u8::from(overloaded(c))))),
            Metric::Overflowed => count(|c| c.overflowed),
            Metric::EndedByOverflow => count(|c| c.ended_by_overflow),
            Metric::Transfers => count(|c| c.transfers),
            Metric::BotContained => count(|c| c.bot_contained),
            Metric::BotEscalated => count(|c| c.bot_escalated),
            Metric::Callbacks => count(|c| c.callbacks),
            Metric::Voicemails => count(|c| c.voicemails),
            Metric::BotTimeS => {
                Value::Number(conv.map_or(f64::NAN, |c| mean(c.bot_time_sum, c.bot_contained + c.bot_escalated)))
            }
            Metric::TransferWaitS => {
                Value::Number(conv.map_or(f64::NAN, |c| mean(c.transfer_wait_sum, c.transfer_answered)))
            }
        }
    }
}

/// Unanswered conversations at the horizon, at least this many and this share of those offered,
/// mark a center whose arrivals outrun its agents (ρ > 1) or that nobody staffs at the end: its
/// waits and service level describe a queue that was still growing.
pub const OVERLOAD_UNANSWERED_MIN: u64 = 50;
pub const OVERLOAD_UNANSWERED_SHARE: f64 = 0.05;

/// Whether a cell's unanswered conversations at the end mark an overloaded center.
pub fn overloaded(c: &ConvCell) -> bool {
    c.unanswered_at_end >= OVERLOAD_UNANSWERED_MIN
        && c.unanswered_at_end as f64 >= OVERLOAD_UNANSWERED_SHARE * c.offered as f64
}

/// Conversations whose first wait ended: answered, abandoned, or auto-closed before an answer.
fn resolved(c: &ConvCell) -> u64 {
    c.answered + c.abandoned + c.auto_closed_unanswered + c.ended_by_overflow
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
        }
        let mut names: Vec<_> = Metric::ALL.iter().map(|m| m.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Metric::ALL.len());
    }

    #[test]
    fn service_level_counts_abandoners_in_the_denominator() {
        let cell = ConvCell {
            answered: 8,
            answered_within_threshold: 6,
            abandoned: 2,
            queued_resolved: 5,
            ..Default::default()
        };
        assert_eq!(Metric::ServiceLevel.value(Some(&cell), None, 1.0, 1).number(), 0.6);
        assert_eq!(Metric::PWait.value(Some(&cell), None, 1.0, 1).number(), 0.5);
        assert_eq!(Metric::AbandonRate.value(Some(&cell), None, 1.0, 1).number(), 0.2);
    }

    #[test]
    fn agent_groups_report_only_what_their_agents_did() {
        assert!(Metric::Occupancy.applies_to(ScopeKind::AgentGroup));
        assert!(!Metric::Offered.applies_to(ScopeKind::AgentGroup));
        assert!(!Metric::Occupancy.applies_to(ScopeKind::Queue));
        assert!(Metric::Occupancy.applies_to(ScopeKind::All));
    }
}
