//! Metrics: what the engine observes, and the statistics across replications.
//!
//! - [`cells`]: the counts, sums and integrals of one interval and scope, and how they merge.
//! - [`collector`]: the engine's observer for one replication — streaming counts, sums, a small
//!   wait histogram ([`histogram`]) and time integrals per (interval, scope), by arrival cohort
//!   after warm-up.
//! - [`comparison`]: variants side by side, with paired differences.
//! - [`definitions`]: every headline metric, defined once.
//! - [`gates`]: the `[[check]]` assertions and the regression tests against a baseline.
//! - [`results`]: a run's replications and merged cells, as the rows reports print.
//! - [`trace`]: the per-conversation record of one replication (`--trace`).
//! - [`statistics`]: means, ratios of sums and their 95% confidence intervals across replications.

pub mod cells;
pub mod collector;
pub mod comparison;
pub mod definitions;
pub mod gates;
pub mod histogram;
pub mod results;
pub mod statistics;
pub mod trace;

pub use cells::{AgentCell, ConvCell, IntervalCells, ScopeLayout};
pub use collector::Collector;
pub use comparison::{CompareRow, Comparison};
pub use definitions::{Kind, Metric, ScopeKind, Value};
pub use results::{RunResults, Scope, SummaryRow};
pub use statistics::Estimate;
