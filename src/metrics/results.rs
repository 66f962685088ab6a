//! The results of a run: every replication's totals and the cells of all replications merged,
//! turned into the rows that reports print.
//!
//! - [`RunResults::summary`]: per (scope, metric), the estimate across replications
//!   ([`super::statistics`]).
//! - [`RunResults::interval_value`]: per (interval, scope, metric), the value over all replications
//!   merged — counts are means per replication; ratios, means and percentiles are computed from
//!   the pooled sums and histograms, never as means of per-replication ratios.
//! - [`RunResults::pooled_parts`]: the same over several intervals together (the same time of day
//!   on every day of the horizon), their cells added before the formula is applied.
//! - [`RunResults::replication_value`]: one replication's value, for `replications.csv`.

use super::cells::{AgentCell, ConvCell, IntervalCells, ScopeLayout};
use super::definitions::{Kind, Metric, ScopeKind, Value};
use super::histogram::WaitHistogram;
use super::statistics::{self, Estimate};
use super::trace::TraceRow;
use crate::scenario::Scenario;

/// A reporting scope: its kind, its name, and where its cells are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    pub name: String,
    pub conv: Option<usize>,
    pub agent: Option<usize>,
}

/// Every scope of a scenario, in report order: all, channels, work streams, queues, agent groups.
pub fn scopes(scenario: &Scenario) -> Vec<Scope> {
    let layout = ScopeLayout::of(scenario);
    let mut out = vec![Scope { kind: ScopeKind::All, name: "all".into(), conv: Some(0), agent: Some(0) }];
    let mut next = 1;
    let mut conv_scopes = |kind, names: Vec<&String>| {
        for name in names {
            out.push(Scope { kind, name: name.clone(), conv: Some(next), agent: None });
            next += 1;
        }
    };
    conv_scopes(ScopeKind::Channel, scenario.channels.iter().map(|c| &c.name).collect());
    conv_scopes(ScopeKind::WorkStream, scenario.work_streams.iter().map(|w| &w.name).collect());
    conv_scopes(ScopeKind::Queue, scenario.queues.iter().map(|q| &q.name).collect());
    debug_assert_eq!(next, layout.conv_scopes());
    for (g, group) in scenario.agent_groups.iter().enumerate() {
        out.push(Scope { kind: ScopeKind::AgentGroup, name: group.name.clone(), conv: None, agent: Some(1 + g) });
    }
    out
}

/// One replication's totals over the time after warm-up.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationTotals {
    pub conv: Vec<ConvCell>,
    pub agent: Vec<AgentCell>,
}

impl ReplicationTotals {
    pub fn of(cells: &IntervalCells) -> ReplicationTotals {
        ReplicationTotals { conv: cells.conv_totals(), agent: cells.agent_totals() }
    }
}

#[derive(Clone, Debug)]
pub struct RunResults {
    pub scopes: Vec<Scope>,
    /// Observed time after warm-up, seconds.
    pub window_s: f64,
    /// Every replication's totals, in replication order.
    pub replications: Vec<ReplicationTotals>,
    /// All replications' cells, merged.
    pub merged: IntervalCells,
    /// Length of each reporting interval's observed part, seconds.
    pub interval_lengths: Vec<f64>,
    /// Start and end label of each reporting interval.
    pub interval_labels: Vec<(String, String)>,
    /// The per-conversation trace of replication 1, when asked for.
    pub trace: Option<Vec<TraceRow>>,
    /// Agent group names and sizes, to name agents in the trace.
    pub groups: Vec<(String, u32)>,
    /// Groups of reporting intervals whose cells each replication keeps apart, merged
    /// ([`RunResults::keep_groups`]): the slots of a day, for `ccsim staff`. Empty: none kept.
    pub interval_groups: Vec<Vec<usize>>,
    /// Per replication, its cells of each group of `interval_groups`.
    pub grouped: Vec<IntervalCells>,
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    pub scope: ScopeKind,
    pub name: String,
    pub metric: Metric,
    pub estimate: Estimate,
}

impl RunResults {
    /// An empty result for `scenario`, to which replications are added in order.
    pub fn new(scenario: &Scenario) -> RunResults {
        let sim = &scenario.simulation;
        let intervals = sim.interval_count();
        let (interval_lengths, interval_labels) = (0..intervals)
            .map(|k| {
                let (start, end) = sim.interval_bounds(k);
                let observed = end.0 - start.0.max(sim.warmup.0);
                (observed, (sim.label(start), sim.label(end)))
            })
            .unzip();
        RunResults {
            scopes: scopes(scenario),
            window_s: sim.horizon.0 - sim.warmup.0,
            replications: Vec::new(),
            // Allocated by the first replication (see `add`).
            merged: IntervalCells::new(ScopeLayout::of(scenario), 0),
            interval_lengths,
            interval_labels,
            trace: None,
            groups: scenario.agent_groups.iter().map(|g| (g.name.clone(), g.count)).collect(),
            interval_groups: Vec::new(),
            grouped: Vec::new(),
        }
    }

    /// Keeps, for each replication added from now on, its cells of each group of intervals (the
    /// occurrences of one slot of the day, say), so that a group's value has an interval across
    /// replications ([`RunResults::group_estimate`]).
    pub fn keep_groups(mut self, groups: Vec<Vec<usize>>) -> RunResults {
        self.interval_groups = groups;
        self
    }

    /// `metric` in `scope` over group `g` of [`RunResults::interval_groups`], with its 95% interval
    /// across replications (a ratio of sums with its delta-method interval, as [`Self::estimate`]).
    pub fn group_estimate(&self, g: usize, scope: &Scope, metric: Metric) -> Estimate {
        let window: f64 = self.interval_groups[g].iter().map(|&k| self.interval_lengths[k]).sum();
        let values: Vec<Value> = self
            .grouped
            .iter()
            .map(|cells| {
                let conv = scope.conv.map(|i| cells.conv(g, i));
                let agent = scope.agent.map(|i| cells.agent(g, i));
                if metric.applies_to(scope.kind) {
                    metric.value(conv, agent, window, 1)
                } else {
                    Value::Number(f64::NAN)
                }
            })
            .collect();
        match metric.kind() {
            Kind::Ratio => statistics::of_ratio(
                &values
                    .iter()
                    .map(|v| match *v {
                        Value::Ratio { numerator, denominator } => (numerator, denominator),
                        Value::Number(x) => (x, 1.0),
                    })
                    .collect::<Vec<_>>(),
            ),
            Kind::Count | Kind::Mean => statistics::of_values(&values.iter().map(|v| v.number()).collect::<Vec<_>>()),
        }
    }

    /// Adds the next replication's cells. The first replication's cells become the merged ones, so
    /// that one replication's per-interval cells are never held twice.
    pub fn add(&mut self, cells: IntervalCells) {
        self.replications.push(ReplicationTotals::of(&cells));
        if !self.interval_groups.is_empty() {
            self.grouped.push(cells.grouped(&self.interval_groups));
        }
        if self.replications.len() == 1 {
            self.merged = cells;
        } else {
            self.merged.merge(&cells);
        }
    }

    fn cells<'a>(
        scope: &Scope,
        conv: &'a [ConvCell],
        agent: &'a [AgentCell],
    ) -> (Option<&'a ConvCell>, Option<&'a AgentCell>) {
        (scope.conv.map(|i| &conv[i]), scope.agent.map(|i| &agent[i]))
    }

    /// Replication `r`'s value of `metric` in `scope`.
    pub fn replication_value(&self, r: usize, scope: &Scope, metric: Metric) -> Value {
        let totals = &self.replications[r];
        let (conv, agent) = Self::cells(scope, &totals.conv, &totals.agent);
        metric.value(conv, agent, self.window_s, 1)
    }

    /// The estimate of `metric` in `scope` across replications.
    pub fn estimate(&self, scope: &Scope, metric: Metric) -> Estimate {
        match metric.kind() {
            Kind::Ratio => statistics::of_ratio(&self.ratio_parts(scope, metric)),
            Kind::Count | Kind::Mean => statistics::of_values(&self.numbers(scope, metric)),
        }
    }

    /// `other − self` for `metric` in `scope`, replication by replication: the paired difference
    /// of two runs on common random numbers (same seed, same replication count).
    pub fn difference(&self, other: &RunResults, scope: &Scope, metric: Metric) -> Estimate {
        match metric.kind() {
            Kind::Ratio => {
                statistics::paired_ratio_difference(&self.ratio_parts(scope, metric), &other.ratio_parts(scope, metric))
            }
            Kind::Count | Kind::Mean => {
                statistics::paired_difference(&self.numbers(scope, metric), &other.numbers(scope, metric))
            }
        }
    }

    fn numbers(&self, scope: &Scope, metric: Metric) -> Vec<f64> {
        (0..self.replications.len()).map(|r| self.replication_value(r, scope, metric).number()).collect()
    }

    fn ratio_parts(&self, scope: &Scope, metric: Metric) -> Vec<(f64, f64)> {
        (0..self.replications.len())
            .map(|r| match self.replication_value(r, scope, metric) {
                Value::Ratio { numerator, denominator } => (numerator, denominator),
                Value::Number(x) => (x, 1.0),
            })
            .collect()
    }

    /// Every (scope, metric) row of `summary.csv`, in report order.
    pub fn summary(&self) -> Vec<SummaryRow> {
        let mut rows = Vec::new();
        for scope in &self.scopes {
            for metric in Metric::ALL.into_iter().filter(|m| m.applies_to(scope.kind)) {
                rows.push(SummaryRow {
                    scope: scope.kind,
                    name: scope.name.clone(),
                    metric,
                    estimate: self.estimate(scope, metric),
                });
            }
        }
        rows
    }

    /// `metric` in `scope` during reporting interval `k`, over all replications merged.
    pub fn interval_value(&self, k: usize, scope: &Scope, metric: Metric) -> f64 {
        if !metric.applies_to(scope.kind) {
            return f64::NAN;
        }
        let conv = scope.conv.map(|i| self.merged.conv(k, i));
        let agent = scope.agent.map(|i| self.merged.agent(k, i));
        metric.value(conv, agent, self.interval_lengths[k], self.replications.len()).number()
    }

    /// As [`Self::interval_value`], but a ratio keeps its pooled numerator and denominator (all
    /// replications' sums), so that a caller can tell how many conversations stand behind it.
    pub fn interval_parts(&self, k: usize, scope: &Scope, metric: Metric) -> Value {
        if !metric.applies_to(scope.kind) {
            return Value::Number(f64::NAN);
        }
        let conv = scope.conv.map(|i| self.merged.conv(k, i));
        let agent = scope.agent.map(|i| self.merged.agent(k, i));
        metric.value(conv, agent, self.interval_lengths[k], self.replications.len())
    }

    /// As [`Self::interval_parts`], over the reporting `intervals` together: their cells added and
    /// their observed lengths summed before the formula is applied, so that a ratio is the sum of
    /// its numerators over the sum of its denominators (never a mean of the intervals' ratios), a
    /// time average is weighted by time, and a count is the total per replication.
    pub fn pooled_parts(&self, intervals: &[usize], scope: &Scope, metric: Metric) -> Value {
        if let [k] = intervals {
            return self.interval_parts(*k, scope, metric);
        }
        if !metric.applies_to(scope.kind) {
            return Value::Number(f64::NAN);
        }
        let conv = scope.conv.map(|i| {
            let mut cell = ConvCell::default();
            intervals.iter().for_each(|&k| cell.merge(self.merged.conv(k, i)));
            cell
        });
        let agent = scope.agent.map(|i| {
            let mut cell = AgentCell::default();
            intervals.iter().for_each(|&k| cell.merge(self.merged.agent(k, i)));
            cell
        });
        let window: f64 = intervals.iter().map(|&k| self.interval_lengths[k]).sum();
        metric.value(conv.as_ref(), agent.as_ref(), window, self.replications.len())
    }

    /// Agents staffed on average during the reporting `intervals` in an agent scope (∫ staffed
    /// agents dt over their observed length), per replication; NaN for a conversation scope.
    pub fn staffed_agents(&self, intervals: &[usize], scope: &Scope) -> f64 {
        let length: f64 = intervals.iter().map(|&k| self.interval_lengths[k]).sum();
        match scope.agent {
            Some(i) if length > 0.0 => {
                let staffed: f64 = intervals.iter().map(|&k| self.merged.agent(k, i).staffed_time).sum();
                staffed / length / self.replications.len().max(1) as f64
            }
            _ => f64::NAN,
        }
    }

    /// The first waits of the answered conversations of a conversation scope, every interval and
    /// replication pooled; empty for an agent scope.
    pub fn pooled_waits(&self, scope: &Scope) -> WaitHistogram {
        let mut waits = WaitHistogram::default();
        if let Some(i) = scope.conv {
            for k in 0..self.merged.intervals {
                waits.merge(&self.merged.conv(k, i).waits);
            }
        }
        waits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_intervals_are_sums_over_them_not_means_of_their_values() {
        let scenario = Scenario::default_scenario();
        let mut results = RunResults::new(&scenario);
        let layout = ScopeLayout::of(&scenario);
        let mut cells = IntervalCells::new(layout, results.interval_lengths.len());
        let (conv, agent) = (layout.conv_scopes(), layout.agent_scopes());
        // A quiet interval where the one conversation is answered at once, then a busy one where
        // none of nine is: 1 of 10 within the threshold, not the mean of 100% and 0%.
        cells.conv[0] = ConvCell { offered: 1, answered: 1, answered_within_threshold: 1, ..Default::default() };
        cells.conv[conv] = ConvCell { offered: 9, answered: 9, open_time: 7200.0, ..Default::default() };
        cells.agent[0] =
            AgentCell { in_use_time: 10.0, staffed_capacity_time: 10.0, staffed_time: 3600.0, ..Default::default() };
        cells.agent[agent] = AgentCell { staffed_capacity_time: 90.0, staffed_time: 10_800.0, ..Default::default() };
        results.add(cells);

        let all = &results.scopes[0];
        let pooled = |metric| results.pooled_parts(&[0, 1], all, metric);
        assert_eq!(pooled(Metric::ServiceLevel), Value::Ratio { numerator: 1.0, denominator: 10.0 });
        assert_eq!(pooled(Metric::Occupancy), Value::Ratio { numerator: 10.0, denominator: 100.0 });
        assert_eq!(pooled(Metric::Offered).number(), 10.0);
        // Two conversations waiting through the second hour: one on average over the two hours.
        assert_eq!(pooled(Metric::AvgQueueLen).number(), 1.0);
        assert_eq!(results.staffed_agents(&[0, 1], all), 2.0);
        // One interval alone is that interval's value.
        assert_eq!(
            results.pooled_parts(&[1], all, Metric::ServiceLevel),
            results.interval_parts(1, all, Metric::ServiceLevel)
        );
        assert_eq!(results.staffed_agents(&[0], all), 1.0);
    }
}
