//! The headline metrics: each one's name, kind, where it is defined, and its formula — in one
//! place (DESIGN.md "Headline metrics and their definitions"). Reports only format what this
//! module computes.
//!
//! A metric's value for one replication (or one merged interval) is a [`Value`]: a number (counts
//! and means) or the numerator and denominator of a ratio, so that ratios across replications and
//! intervals are ratios of sums.

use super::cells::{AgentCell, ConvCell};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Offered,
    Answered,
    Abandoned,
    ShortAbandoned,
    AutoClosed,
    Completed,
    InSystem,
    AsaS,
    WaitP50S,
    WaitP90S,
    WaitP95S,
    PWait,
    ServiceLevel,
    AbandonRate,
    Handled,
    AhtS,
    WrapUpS,
    AvgQueueLen,
    MaxQueueLen,
    Occupancy,
    Utilization,
    Offers,
    Rejects,
    Timeouts,
    TimeToAcceptS,
    Waits,
    Reopened,
    RequeueWaitS,
    UnansweredAtEnd,
    Overloaded,
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
    /// Every metric, in report order.
    pub const ALL: [Metric; 30] = [
        Metric::Offered,
        Metric::Answered,
        Metric::Abandoned,
        Metric::ShortAbandoned,
        Metric::AutoClosed,
        Metric::Completed,
        Metric::InSystem,
        Metric::AsaS,
        Metric::WaitP50S,
        Metric::WaitP90S,
        Metric::WaitP95S,
        Metric::PWait,
        Metric::ServiceLevel,
        Metric::AbandonRate,
        Metric::Handled,
        Metric::AhtS,
        Metric::WrapUpS,
        Metric::AvgQueueLen,
        Metric::MaxQueueLen,
        Metric::Occupancy,
        Metric::Utilization,
        Metric::Offers,
        Metric::Rejects,
        Metric::Timeouts,
        Metric::TimeToAcceptS,
        Metric::Waits,
        Metric::Reopened,
        Metric::RequeueWaitS,
        Metric::UnansweredAtEnd,
        Metric::Overloaded,
    ];

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

    /// Whether a larger value is worse (waits, abandons); `None` when neither way is bad.
    pub fn larger_is_worse(self) -> Option<bool> {
        match self {
            Metric::AsaS
            | Metric::WaitP50S
            | Metric::WaitP90S
            | Metric::WaitP95S
            | Metric::PWait
            | Metric::AbandonRate
            | Metric::Abandoned
            | Metric::AutoClosed
            | Metric::AvgQueueLen
            | Metric::MaxQueueLen
            | Metric::RequeueWaitS
            | Metric::TimeToAcceptS
            | Metric::Rejects
            | Metric::Timeouts
            | Metric::UnansweredAtEnd
            | Metric::Overloaded => Some(true),
            Metric::ServiceLevel | Metric::Answered | Metric::Completed => Some(false),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Metric::Offered => "offered",
            Metric::Answered => "answered",
            Metric::Abandoned => "abandoned",
            Metric::ShortAbandoned => "short_abandoned",
            Metric::AutoClosed => "auto_closed",
            Metric::Completed => "completed",
            Metric::InSystem => "in_system",
            Metric::AsaS => "asa_s",
            Metric::WaitP50S => "wait_p50_s",
            Metric::WaitP90S => "wait_p90_s",
            Metric::WaitP95S => "wait_p95_s",
            Metric::PWait => "p_wait",
            Metric::ServiceLevel => "service_level",
            Metric::AbandonRate => "abandon_rate",
            Metric::Handled => "handled",
            Metric::AhtS => "aht_s",
            Metric::WrapUpS => "wrap_up_s",
            Metric::AvgQueueLen => "avg_queue_len",
            Metric::MaxQueueLen => "max_queue_len",
            Metric::Occupancy => "occupancy",
            Metric::Utilization => "utilization",
            Metric::Offers => "offers",
            Metric::Rejects => "rejects",
            Metric::Timeouts => "timeouts",
            Metric::TimeToAcceptS => "time_to_accept_s",
            Metric::Waits => "waits",
            Metric::Reopened => "reopened",
            Metric::RequeueWaitS => "requeue_wait_s",
            Metric::UnansweredAtEnd => "unanswered_at_end",
            Metric::Overloaded => "overloaded",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn kind(self) -> Kind {
        match self {
            Metric::Offered
            | Metric::Answered
            | Metric::Abandoned
            | Metric::ShortAbandoned
            | Metric::AutoClosed
            | Metric::Completed
            | Metric::InSystem
            | Metric::Handled
            | Metric::Offers
            | Metric::Rejects
            | Metric::Timeouts
            | Metric::Waits
            | Metric::Reopened
            | Metric::UnansweredAtEnd
            | Metric::Overloaded => Kind::Count,
            Metric::PWait | Metric::ServiceLevel | Metric::AbandonRate | Metric::Occupancy | Metric::Utilization => {
                Kind::Ratio
            }
            _ => Kind::Mean,
        }
    }

    /// Whether the metric has a row for this scope. Conversation metrics belong to all, channel,
    /// work stream and queue; agent groups report what their agents handled and their load.
    pub fn applies_to(self, scope: ScopeKind) -> bool {
        let agent_metric =
            matches!(self, Metric::Handled | Metric::AhtS | Metric::WrapUpS | Metric::Occupancy | Metric::Utilization);
        match scope {
            ScopeKind::All => self != Metric::Handled,
            ScopeKind::AgentGroup => agent_metric,
            _ => !matches!(self, Metric::Handled | Metric::Occupancy | Metric::Utilization),
        }
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
    c.answered + c.abandoned + c.auto_closed_unanswered
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
