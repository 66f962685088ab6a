//! The short table `ccsim run` prints: headline metrics per scope, with 95% intervals.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use crate::metrics::{Estimate, Metric, RunResults, Scope, ScopeKind};
use crate::scenario::Scenario;

pub(super) const COLUMNS: [(Metric, &str); 8] = [
    (Metric::Offered, "offered"),
    (Metric::Answered, "answered"),
    (Metric::Abandoned, "abandoned"),
    (Metric::ServiceLevel, "service level"),
    (Metric::AsaS, "ASA"),
    (Metric::WaitP90S, "wait p90"),
    (Metric::AbandonRate, "abandon rate"),
    (Metric::Occupancy, "occupancy"),
];

/// A metric's estimate as people read it: percentages for shares, seconds for times, with the
/// 95% half-width — or, when the interval would reach past what the metric can be (below 0, a
/// share above 100%), the interval itself cut at that bound: `54 (0–264)`, `91.5% (61.7–100.0)`.
pub fn format_estimate(metric: Metric, e: &Estimate) -> String {
    if e.mean.is_nan() {
        return "–".into();
    }
    let (scale, decimals, unit) = presentation(metric);
    let half = e.half_width();
    let value = |x: f64| format!("{:.decimals$}", x * scale);
    if half.is_nan() {
        return format!("{}{unit}", value(e.mean));
    }
    let top = if unit == "%" { 1.0 } else { f64::INFINITY };
    if e.ci95_low < 0.0 || e.ci95_high > top {
        let (low, high) = (e.ci95_low.max(0.0), e.ci95_high.min(top));
        return format!("{}{unit} ({}–{})", value(e.mean), value(low), value(high));
    }
    format!("{}{unit} ± {}", value(e.mean), value(half))
}

/// A difference between two estimates of `metric`, signed: shares in percentage points (`pp`),
/// times in seconds, counts as they are; with the 95% half-width.
pub fn format_difference(metric: Metric, d: &Estimate) -> String {
    if d.mean.is_nan() {
        return "–".into();
    }
    let (scale, decimals, unit) = presentation(metric);
    let unit = if unit == "%" { " pp" } else { unit };
    let half = d.half_width();
    let text = format!("{:+.decimals$}{unit}", d.mean * scale);
    if half.is_nan() { text } else { format!("{text} ± {:.decimals$}", half * scale) }
}

/// One value of `metric` as the tables show it, without an interval: `91.8%`, `12.4s`, `130`.
pub fn format_value(metric: Metric, value: f64) -> String {
    if value.is_nan() {
        return "–".into();
    }
    let (scale, decimals, unit) = presentation(metric);
    format!("{:.decimals$}{unit}", value * scale)
}

/// How a metric's values are shown: (scale, decimals, unit).
fn presentation(metric: Metric) -> (f64, usize, &'static str) {
    match metric.unit() {
        "share" => (100.0, 1, "%"),
        "seconds" => (1.0, 1, "s"),
        _ => (1.0, 0, ""),
    }
}

/// What the service level counts, as the footer of a table says it: the threshold, or each
/// queue's when queues have their own.
pub fn service_level_footer(scenario: &Scenario) -> String {
    let threshold = scenario.simulation.service_level_threshold;
    let own: Vec<String> = scenario
        .queues
        .iter()
        .filter(|q| q.service_level_threshold != threshold)
        .map(|q| format!("{} {}", printable(&q.name), q.service_level_threshold.label()))
        .collect();
    let within = if own.is_empty() {
        threshold.label()
    } else {
        format!("its queue's threshold ({}; {} elsewhere)", own.join(", "), threshold.label())
    };
    format!(
        "service level: answered within {within} over all arrivals; ± is the 95% confidence half-width across replications"
    )
}

/// The table of headline metrics for every scope but agent groups' conversation columns.
pub fn summary_table(results: &RunResults) -> String {
    summary(results).to_string()
}

/// The table of [`summary_table`], to print or to render in `report.html`.
pub fn summary(results: &RunResults) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    let mut header = vec![Cell::new("scope")];
    header.extend(COLUMNS.iter().map(|(_, title)| Cell::new(title)));
    table.set_header(header);
    for scope in &results.scopes {
        let mut row = vec![Cell::new(scope_label(scope))];
        for (metric, _) in COLUMNS {
            let text = if metric.applies_to(scope.kind) {
                format_estimate(metric, &results.estimate(scope, metric))
            } else {
                String::new()
            };
            row.push(Cell::new(text).set_alignment(CellAlignment::Right));
        }
        table.add_row(row);
    }
    table
}

/// A scope as the tables name it: `all`, `work stream chat`.
pub fn scope_label(scope: &Scope) -> String {
    match scope.kind {
        ScopeKind::All => "all".to_string(),
        kind => format!("{} {}", kind.name().replace('_', " "), printable(&scope.name)),
    }
}

/// The warning for a run in which the whole center overloaded in at least one replication
/// (metric `overloaded`: many conversations still unanswered at the horizon), if it did.
pub fn overload_warning(results: &RunResults) -> Option<String> {
    let all = &results.scopes[0];
    let mean = |metric: Metric| results.estimate(all, metric).mean;
    let share = Some(mean(Metric::Overloaded)).filter(|s| *s > 0.0)?;
    Some(format!(
        "overloaded: in {:.0}% of the replications many conversations were still unanswered at the end \
         ({:.0} of {:.0} offered on average): arrivals outrun what the agents can handle, or nobody \
         is staffed at the end, so waits and service level describe a queue that was still growing \
         (`overloaded` and `unanswered_at_end` in summary.csv)",
        share * 100.0,
        mean(Metric::UnansweredAtEnd),
        mean(Metric::Offered)
    ))
}

/// `text` with every control character but the line feed written as an escape (`\u{1b}`, `\t`):
/// names come from scenario files, and an escape sequence in one must not reach a terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(text, |c| c != '\n')
}

/// `text` on one line: every control character, the line feed included, written as an escape,
/// so that a name holding a newline cannot split a one-line error or warning.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(text, |_| true)
}

fn escape_controls(text: &str, escape: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c.is_control() && escape(c);
    if !text.chars().any(needs) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(mean: f64, ci95_low: f64, ci95_high: f64) -> Estimate {
        Estimate { mean, ci95_low, ci95_high, std_dev: 1.0, replications: 3 }
    }

    #[test]
    fn intervals_are_cut_at_what_the_metric_can_be() {
        assert_eq!(format_estimate(Metric::Offered, &estimate(1809.5, 1714.2, 1904.8)), "1810 ± 95");
        assert_eq!(format_estimate(Metric::Abandoned, &estimate(54.5, -155.2, 264.2)), "54 (0–264)");
        assert_eq!(format_estimate(Metric::ServiceLevel, &estimate(0.915, 0.617, 1.212)), "91.5% (61.7–100.0)");
        assert_eq!(format_estimate(Metric::AsaS, &estimate(9.07, -20.99, 39.12)), "9.1s (0.0–39.1)");
        assert_eq!(format_estimate(Metric::AsaS, &estimate(9.07, f64::NAN, f64::NAN)), "9.1s");
    }

    #[test]
    fn differences_of_shares_are_in_percentage_points() {
        assert_eq!(format_difference(Metric::ServiceLevel, &estimate(-0.044, -0.065, -0.023)), "-4.4 pp ± 2.1");
        assert_eq!(format_difference(Metric::AsaS, &estimate(6.1, 4.1, 8.1)), "+6.1s ± 2.0");
        assert_eq!(format_difference(Metric::Abandoned, &estimate(44.0, 25.0, 63.0)), "+44 ± 19");
    }

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("queue \u{1b}[31mred\u{7}"), "queue \\u{1b}[31mred\\u{7}");
        assert_eq!(printable("two\nlines\ttab"), "two\nlines\\ttab");
        assert_eq!(one_line("two\nlines\r"), "two\\nlines\\r");
        assert!(matches!(one_line("plain é ünïcode"), std::borrow::Cow::Borrowed(_)));
    }
}
