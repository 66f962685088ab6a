//! The short table `ccsim run` prints: headline metrics per scope, with 95% intervals.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use crate::metrics::{Estimate, Metric, RunResults, ScopeKind};

const COLUMNS: [(Metric, &str); 8] = [
    (Metric::Offered, "offered"),
    (Metric::Answered, "answered"),
    (Metric::Abandoned, "abandoned"),
    (Metric::ServiceLevel, "service level"),
    (Metric::AsaS, "ASA"),
    (Metric::WaitP90S, "wait p90"),
    (Metric::AbandonRate, "abandon rate"),
    (Metric::Occupancy, "occupancy"),
];

/// A metric's estimate as people read it: percentages for ratios, seconds for waits, with the
/// 95% half-width.
pub fn format_estimate(metric: Metric, e: &Estimate) -> String {
    if e.mean.is_nan() {
        return "–".into();
    }
    let half = e.half_width();
    let pm = |text: String, h: String| if half.is_nan() { text } else { format!("{text} ± {h}") };
    match metric {
        Metric::ServiceLevel | Metric::AbandonRate | Metric::Occupancy | Metric::PWait | Metric::Utilization => {
            pm(format!("{:.1}%", e.mean * 100.0), format!("{:.1}", half * 100.0))
        }
        Metric::AsaS | Metric::WaitP90S => pm(format!("{:.1}s", e.mean), format!("{:.1}", half)),
        _ => pm(format!("{:.0}", e.mean), format!("{:.0}", half)),
    }
}

/// The table of headline metrics for every scope but agent groups' conversation columns.
pub fn summary_table(results: &RunResults) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    let mut header = vec![Cell::new("scope")];
    header.extend(COLUMNS.iter().map(|(_, title)| Cell::new(title)));
    table.set_header(header);
    for scope in &results.scopes {
        let label = match scope.kind {
            ScopeKind::All => "all".to_string(),
            kind => format!("{} {}", kind.name().replace('_', " "), scope.name),
        };
        let mut row = vec![Cell::new(label)];
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
    table.to_string()
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

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("queue \u{1b}[31mred\u{7}"), "queue \\u{1b}[31mred\\u{7}");
        assert_eq!(printable("two\nlines\ttab"), "two\nlines\\ttab");
        assert_eq!(one_line("two\nlines\r"), "two\\nlines\\r");
        assert!(matches!(one_line("plain é ünïcode"), std::borrow::Cow::Borrowed(_)));
    }
}
