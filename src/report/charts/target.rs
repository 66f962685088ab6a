//! The line a planner aims at on a chart of one metric of the whole center: the dashed target
//! line of the run's service-level chart, of the sweep charts and of the compare overlays.
//!
//! It is the bound of the scenario's `[[check]]` on that metric for scope `all`: its `min` when
//! it has one (a service level to reach), else its `max` (a wait or abandon rate not to pass).
//! Service level without a `min` has the common planning goal of 80%; any other metric without a
//! check has no line.

use crate::metrics::Metric;
use crate::scenario::Scenario;

use super::day::duration_text;

/// The service level a planner aims for when the scenario does not say.
pub const SERVICE_LEVEL_TARGET: f64 = 0.8;

/// A bound on a metric, in the metric's own unit (a share from 0 to 1, seconds, …).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub metric: Metric,
    pub value: f64,
    /// The bound is a most (a `max`), not a least.
    pub at_most: bool,
}

/// The target line of `metric` for the whole center, if there is one.
pub fn target(scenario: &Scenario, metric: Metric) -> Option<Target> {
    let check = scenario.checks.iter().find(|c| c.metric == metric.name() && c.scope == "all");
    let at = |value, at_most| Target { metric, value, at_most };
    match check.and_then(|c| c.min) {
        Some(min) => Some(at(min, false)),
        None if metric == Metric::ServiceLevel => Some(at(SERVICE_LEVEL_TARGET, false)),
        None => check.and_then(|c| c.max).map(|max| at(max, true)),
    }
}

impl Target {
    /// "target 80%" for a least to reach, "limit 30 s" for a most not to pass.
    pub fn label(&self) -> String {
        let value = match self.metric.unit() {
            "share" => format!("{}%", plain(self.value * 100.0)),
            "seconds" => duration_text(self.value),
            _ => plain(self.value),
        };
        format!("{} {value}", if self.at_most { "limit" } else { "target" })
    }
}

/// A number with at most one decimal, and none when it is whole.
fn plain(v: f64) -> String {
    let text = format!("{v:.1}");
    text.strip_suffix(".0").map_or_else(|| text.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_checks(checks: &str) -> Scenario {
        let text = format!("{}\n{checks}", crate::scenario::DEFAULT_SCENARIO);
        Scenario::from_toml(&text, "s.toml").expect("a valid scenario")
    }

    #[test]
    fn the_target_is_the_checks_bound_on_the_whole_center() {
        let none = with_checks("");
        assert_eq!(target(&none, Metric::ServiceLevel).map(|t| t.label()), Some("target 80%".into()));
        assert_eq!(target(&none, Metric::AsaS), None);

        let checks = with_checks(
            "[[check]]\nmetric = \"service_level\"\nmin = 0.825\n\n\
             [[check]]\nmetric = \"asa_s\"\nmax = \"45s\"\n\n\
             [[check]]\nmetric = \"abandon_rate\"\nscope = \"queue\"\nname = \"vip\"\nmax = 0.02\n",
        );
        assert_eq!(target(&checks, Metric::ServiceLevel).map(|t| t.label()), Some("target 82.5%".into()));
        let asa = target(&checks, Metric::AsaS).expect("a bound");
        assert!(asa.at_most && asa.value == 45.0);
        assert_eq!(asa.label(), "limit 45 s");
        // A check on one queue says nothing of the whole center.
        assert_eq!(target(&checks, Metric::AbandonRate), None);
    }
}
