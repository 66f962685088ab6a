//! Time on the charts: where the reporting intervals sit on the time axis, and durations as
//! people write them.
//!
//! A [`Day`] is a list of points on the clock, each pooling one or more reporting intervals:
//!
//! - the timeline: every interval after warm-up in order, one point each;
//! - the typical day: one point per time of day, pooling that time of day on every day after
//!   warm-up. Pooling adds the intervals' cells ([`RunResults::pooled_parts`]) before the formula
//!   is applied: a service level is the conversations answered within the threshold on every day
//!   over those resolved on every day, never a mean of the daily service levels, so a quiet day
//!   weighs as little as its conversations; a time average is weighted by the time observed.
//!
//! A typical day exists only when the horizon after warm-up spans more than one day and the
//! interval is shorter than a day: otherwise no time of day recurs, or a day is one point. (A
//! scenario's interval divides 24 hours, so every day's intervals start at the same times.)

use crate::metrics::{Metric, RunResults, Scope, Value};
use crate::scenario::Scenario;
use crate::time::{DAY, HOUR};

use super::canvas::Scale;

/// Points on the clock, each pooling some reporting intervals of one run.
pub struct Day {
    /// Each point's start and end, in hours since 00:00 of day 1 (timeline) or of the day
    /// (typical day).
    pub bounds: Vec<(f64, f64)>,
    /// The reporting intervals each point pools, in time order.
    intervals: Vec<Vec<usize>>,
    pub scale: Scale,
    interval: String,
    replications: usize,
    pub scenario: String,
    /// The text "the 2 days after warm-up" of a typical day; `None` for the timeline.
    days: Option<String>,
}

impl Day {
    /// Every reporting interval after warm-up, in order (observed part only).
    pub fn timeline(results: &RunResults, scenario: &Scenario) -> Day {
        let sim = &scenario.simulation;
        let bounds: Vec<(f64, f64)> = (0..results.interval_lengths.len())
            .map(|k| {
                let (start, end) = sim.interval_bounds(k);
                (start.0.max(sim.warmup.0) / HOUR, end.0 / HOUR)
            })
            .collect();
        let intervals = (0..bounds.len()).map(|k| vec![k]).collect();
        Day::new(results, scenario, bounds, intervals, None)
    }

    /// Each time of day, pooled over the days after warm-up; `None` unless the horizon after
    /// warm-up spans more than one day and the interval divides a day into two parts or more.
    pub fn typical(results: &RunResults, scenario: &Scenario) -> Option<Day> {
        let sim = &scenario.simulation;
        let per_day = DAY / sim.interval.0;
        if results.window_s <= DAY || per_day < 2.0 || per_day.fract() != 0.0 {
            return None;
        }
        let mut slots = vec![Vec::new(); per_day as usize];
        for k in 0..results.interval_lengths.len() {
            let (start, _) = sim.interval_bounds(k);
            let slot = ((start.0 % DAY) / sim.interval.0).round() as usize % slots.len();
            slots[slot].push(k);
        }
        let hours = sim.interval.0 / HOUR;
        let (bounds, intervals) = slots
            .into_iter()
            .enumerate()
            .filter(|(_, pooled)| !pooled.is_empty())
            .map(|(slot, pooled)| ((slot as f64 * hours, (slot + 1) as f64 * hours), pooled))
            .unzip();
        let days = results.window_s / DAY;
        let days = if days.fract() == 0.0 { format!("{days}") } else { format!("{days:.1}") };
        Some(Day::new(results, scenario, bounds, intervals, Some(format!("the {days} days after warm-up"))))
    }

    fn new(
        results: &RunResults,
        scenario: &Scenario,
        bounds: Vec<(f64, f64)>,
        intervals: Vec<Vec<usize>>,
        days: Option<String>,
    ) -> Day {
        let from = bounds.first().map_or(0.0, |b| b.0);
        let to = bounds.last().map_or(24.0, |b| b.1);
        Day {
            scale: Scale::clock(from, to),
            interval: duration_text(scenario.simulation.interval.0),
            bounds,
            intervals,
            replications: results.replications.len(),
            scenario: scenario.name.clone(),
            days,
        }
    }

    /// How many points there are.
    pub fn points(&self) -> usize {
        self.bounds.len()
    }

    pub fn mid(&self, point: usize) -> f64 {
        (self.bounds[point].0 + self.bounds[point].1) / 2.0
    }

    /// (point's middle, f(point)) for every point.
    pub fn series(&self, f: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
        (0..self.points()).map(|p| (self.mid(p), f(p))).collect()
    }

    /// `metric` in `scope` at `point`, its intervals pooled; a ratio keeps its parts.
    pub fn parts(&self, results: &RunResults, point: usize, scope: &Scope, metric: Metric) -> Value {
        results.pooled_parts(&self.intervals[point], scope, metric)
    }

    /// `metric` in `scope` at `point`, its intervals pooled.
    pub fn value(&self, results: &RunResults, point: usize, scope: &Scope, metric: Metric) -> f64 {
        self.parts(results, point, scope, metric).number()
    }

    /// The hours observed at `point`, over all its intervals.
    pub fn hours(&self, results: &RunResults, point: usize) -> f64 {
        self.intervals[point].iter().map(|&k| results.interval_lengths[k]).sum::<f64>() / HOUR
    }

    /// Agents staffed on average at `point` in an agent scope, per replication.
    pub fn staffed(&self, results: &RunResults, point: usize, scope: &Scope) -> f64 {
        results.staffed_agents(&self.intervals[point], scope)
    }

    /// Whether this is a typical day rather than the timeline.
    pub fn is_typical(&self) -> bool {
        self.days.is_some()
    }

    /// A chart's file name: `chart`, or `chart_typical_day`.
    pub fn name(&self, chart: &str) -> String {
        if self.is_typical() { format!("{chart}_typical_day") } else { chart.to_string() }
    }

    /// A chart's title, `timeline` or `typical`, with the scenario's name.
    pub fn title(&self, timeline: &str, typical: &str) -> String {
        format!("{}: {}", if self.is_typical() { typical } else { timeline }, self.scenario)
    }

    pub fn x_label(&self) -> String {
        match &self.days {
            None => format!("time of day ({} intervals; points at each interval's middle)", self.interval),
            Some(_) => {
                format!("time of day ({} intervals over all days; points at each interval's middle)", self.interval)
            }
        }
    }

    pub fn pooled(&self) -> String {
        match self.replications {
            1 => "1 replication".to_string(),
            n => format!("all {n} replications pooled"),
        }
    }

    /// `subtitle`, and on a typical day a line of its own that says what it pools, and how.
    pub fn annotate(&self, mut subtitle: String) -> String {
        if let Some(days) = &self.days {
            subtitle.push_str(&format!(
                "\nTypical day: each time of day over {days}, summed over the days before dividing (never a mean of daily values)."
            ));
        }
        subtitle
    }
}

/// "45 s", "15 min", "1 h", "1 h 30 min", "1 d".
pub fn duration_text(seconds: f64) -> String {
    if seconds >= 86_400.0 && seconds % 86_400.0 == 0.0 {
        format!("{} d", seconds / 86_400.0)
    } else if seconds >= HOUR && seconds % 60.0 == 0.0 {
        let (h, m) = ((seconds / HOUR).floor(), (seconds % HOUR) / 60.0);
        if m == 0.0 { format!("{h} h") } else { format!("{h} h {m} min") }
    } else if seconds >= 60.0 && seconds % 60.0 == 0.0 {
        format!("{} min", seconds / 60.0)
    } else {
        format!("{} s", (seconds * 10.0).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{ConvCell, IntervalCells, ScopeLayout};

    /// The default scenario over `horizon` after `warmup`, in `interval`s.
    fn scenario(horizon: &str, warmup: &str, interval: &str) -> Scenario {
        let text = crate::scenario::DEFAULT_SCENARIO
            .replacen("horizon = \"1d\"", &format!("horizon = \"{horizon}\""), 1)
            .replacen("warmup = \"0s\"", &format!("warmup = \"{warmup}\""), 1)
            .replacen("interval = \"1h\"", &format!("interval = \"{interval}\""), 1);
        Scenario::from_toml(&text, "s.toml").expect("a valid scenario")
    }

    fn results(scenario: &Scenario, cells: impl FnOnce(&mut IntervalCells)) -> RunResults {
        let mut results = RunResults::new(scenario);
        let mut merged = IntervalCells::new(ScopeLayout::of(scenario), results.interval_lengths.len());
        cells(&mut merged);
        results.add(merged);
        results
    }

    #[test]
    fn a_typical_day_pools_each_time_of_day_as_a_ratio_of_sums() {
        // Two days after a day of warm-up: 10:00–11:00 answers its one conversation at once on
        // day 2 and none of nine on day 3.
        let s = scenario("3d", "1d", "1h");
        let n = ScopeLayout::of(&s).conv_scopes();
        let r = results(&s, |cells| {
            cells.conv[10 * n] = ConvCell { answered: 1, answered_within_threshold: 1, ..Default::default() };
            cells.conv[34 * n] = ConvCell { answered: 9, ..Default::default() };
        });
        let day = Day::typical(&r, &s).expect("two days make a typical day");
        assert_eq!(day.points(), 24);
        assert_eq!((day.bounds[10], day.mid(10)), ((10.0, 11.0), 10.5));
        assert_eq!(day.intervals[10], [10, 34]);
        let all = &r.scopes[0];
        // 1 of 10 within the threshold: 10%, where the mean of the two days would say 50%.
        assert_eq!(day.parts(&r, 10, all, Metric::ServiceLevel), Value::Ratio { numerator: 1.0, denominator: 10.0 });
        assert_eq!(day.hours(&r, 10), 2.0);
        assert_eq!(day.name("service_level"), "service_level_typical_day");
        assert!(day.annotate(String::new()).contains("the 2 days after warm-up"));

        let timeline = Day::timeline(&r, &s);
        assert_eq!((timeline.points(), timeline.name("service_level").as_str()), (48, "service_level"));
        assert!(timeline.annotate("x".into()) == "x");
    }

    #[test]
    fn a_warm_up_inside_an_interval_puts_that_interval_at_its_time_of_day() {
        // Observed from 01:30 on day 1 to 00:00 on day 3: 01:00–02:00 is seen twice, half of it
        // the first time.
        let s = scenario("2d", "90m", "1h");
        let r = results(&s, |_| {});
        let day = Day::typical(&r, &s).expect("more than one day");
        assert_eq!(day.points(), 24);
        assert_eq!(day.intervals[1], [0, 24]);
        assert_eq!(day.hours(&r, 1), 1.5);
        assert_eq!(day.intervals[0], [23]);
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration_text(60.0), "1 min");
        assert_eq!(duration_text(20.0), "20 s");
        assert_eq!(duration_text(3600.0), "1 h");
        assert_eq!(duration_text(5400.0), "1 h 30 min");
        assert_eq!(duration_text(86_400.0), "1 d");
    }

    #[test]
    fn no_typical_day_within_one_day() {
        // One measured day, after a day of warm-up or none.
        for (horizon, warmup, interval) in [("2d", "1d", "1h"), ("1d", "0s", "1h")] {
            let s = scenario(horizon, warmup, interval);
            let r = results(&s, |_| {});
            assert!(Day::typical(&r, &s).is_none(), "{horizon} after {warmup} in {interval}");
        }
    }
}
