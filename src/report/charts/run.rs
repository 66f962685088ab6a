//! The charts of one run (`ccsim run`, and each variant or point of `compare` and `sweep`):
//! service level per interval against the target, the distribution of first waits, queue length
//! and occupancy over the day, and staffed agents against arrivals. When the horizon after
//! warm-up spans more than one day, the per-interval charts are drawn again for a typical day
//! (`<chart>_typical_day`), each time of day pooled over the days as [`super::day`] explains.
//!
//! Per-interval values are those of `intervals.csv`: all replications pooled (ratios of sums,
//! counts as means per replication). The per-replication values of an interval are not kept (they
//! would grow with intervals × replications), so the service-level band is not the delta-method
//! interval of `summary.csv`: it is a 95% Wilson score interval on the pooled counts of the
//! interval — answered within the threshold out of all conversations resolved there, over every
//! replication. That treats conversations as independent draws; busy intervals whose
//! conversations share the same queue are correlated, and days differ in staffing and demand, so
//! the true uncertainty is wider. The chart says so.
//!
//! The service-level target line is [`super::target`]'s: the `min` of the scenario's `[[check]]`
//! on `service_level` for scope `all` when it has one, and otherwise 80%, the common planning goal.

use crate::metrics::{Metric, RunResults, Scope, ScopeKind, Value, histogram::WaitHistogram};
use crate::scenario::Scenario;

use super::canvas::{
    BLUE, BLUISH_GREEN, Figure, INK, Layer, LegendEntry, ORANGE, Panel, REDDISH_PURPLE, Scale, Swatch, VERMILLION,
    extent, series_style,
};
use super::day::{Day, duration_text};
use super::target::target;

/// Where channels' lines start in the palette (purple, green, vermillion, …), away from the
/// first groups' blue and orange bars.
const CHANNEL_ORDER: [usize; 6] = [4, 2, 3, 5, 1, 0];

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Every chart of a run, in the order docs/metrics.md lists them: the timeline, then, over more
/// than one day, the per-interval charts again for a typical day.
pub fn figures(results: &RunResults, scenario: &Scenario) -> Vec<Figure> {
    let day = Day::timeline(results, scenario);
    let mut figures = vec![
        service_level(results, scenario, &day),
        wait_distribution(results, scenario, &day),
        queue_length(results, &day),
        occupancy(results, &day),
        staffing(results, &day),
    ];
    if let Some(typical) = Day::typical(results, scenario) {
        figures.extend([
            service_level(results, scenario, &typical),
            queue_length(results, &typical),
            occupancy(results, &typical),
            staffing(results, &typical),
        ]);
    }
    figures
}

fn scopes_of(results: &RunResults, kind: ScopeKind) -> Vec<&Scope> {
    results.scopes.iter().filter(|s| s.kind == kind).collect()
}

/// The 95% Wilson score interval of `successes` out of `trials`; NaN without trials.
pub fn wilson(successes: f64, trials: f64) -> (f64, f64) {
    if trials <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let p = (successes / trials).clamp(0.0, 1.0);
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / trials;
    let centre = (p + z2 / (2.0 * trials)) / denominator;
    let half = Z95 * (p * (1.0 - p) / trials + z2 / (4.0 * trials * trials)).sqrt() / denominator;
    // At p = 0 or 1 the bound on that side is exactly 0 or 1; rounding would leave it a hair inside.
    let lo = if p == 0.0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if p == 1.0 { 1.0 } else { (centre + half).min(1.0) };
    (lo, hi)
}

/// Each distinct service-level threshold and the queues that use it, in queue order.
fn thresholds(scenario: &Scenario) -> Vec<(f64, Vec<String>)> {
    let mut out: Vec<(f64, Vec<String>)> = Vec::new();
    for q in &scenario.queues {
        let t = q.service_level_threshold.0;
        match out.iter_mut().find(|(s, _)| *s == t) {
            Some((_, names)) => names.push(q.name.clone()),
            None => out.push((t, vec![q.name.clone()])),
        }
    }
    if out.is_empty() {
        out.push((scenario.simulation.service_level_threshold.0, Vec::new()));
    }
    out
}

/// What "answered within the threshold" means: the threshold, and when queues differ, a line of
/// its own that lists them (on the first line, they would run past the right edge).
fn threshold_text(scenario: &Scenario) -> (String, Option<String>) {
    match thresholds(scenario).as_slice() {
        [(t, _)] => (format!("within {}", duration_text(*t)), None),
        several => {
            let parts: Vec<String> =
                several.iter().map(|(t, names)| format!("{} ({})", duration_text(*t), names.join(", "))).collect();
            ("within the queue's threshold".into(), Some(format!("Thresholds: {}.", parts.join("; "))))
        }
    }
}

/// The colours of the threshold lines when queues have different thresholds, each named in the
/// legend: vermillion as for a single threshold, then colours away from the bars' blue.
const THRESHOLD_COLOURS: [plotters::style::RGBColor; 4] = [VERMILLION, REDDISH_PURPLE, BLUISH_GREEN, ORANGE];

fn service_level(results: &RunResults, scenario: &Scenario, day: &Day) -> Figure {
    let all = &results.scopes[0];
    let mut band = Vec::new();
    let mut line = Vec::new();
    for k in 0..day.points() {
        let (value, (lo, hi)) = match day.parts(results, k, all, Metric::ServiceLevel) {
            Value::Ratio { numerator, denominator } if denominator > 0.0 => {
                (numerator / denominator, wilson(numerator, denominator))
            }
            _ => (f64::NAN, (f64::NAN, f64::NAN)),
        };
        band.push((day.mid(k), lo * 100.0, hi * 100.0));
        line.push((day.mid(k), value * 100.0));
    }
    // A band needs two neighbouring intervals; an interval alone between empty ones (arrivals in
    // one hour of the day) shows its interval as a whisker instead.
    let defined = |k: usize| line.get(k).is_some_and(|p| p.1.is_finite());
    let alone: Vec<(f64, f64, f64, f64)> = (0..line.len())
        .filter(|&k| defined(k) && !(k > 0 && defined(k - 1)) && !defined(k + 1))
        .map(|k| (line[k].0, line[k].1, band[k].1, band[k].2))
        .collect();
    let mut layers = vec![Layer::Band { points: band, colour: BLUE }, Layer::Whiskers { points: alone, colour: BLUE }];
    let mut legend = vec![LegendEntry::new(Swatch::LineAndBand(BLUE), "all conversations, with 95% band")];
    let queues = scopes_of(results, ScopeKind::Queue);
    if queues.len() > 1 {
        for (i, q) in queues.iter().enumerate() {
            let (colour, dashed) = series_style(i + 1);
            layers.push(Layer::Line {
                points: day.series(|k| day.value(results, k, q, Metric::ServiceLevel) * 100.0),
                colour,
                dashed,
                markers: false,
            });
            legend.push(LegendEntry::new(Swatch::Line(colour, dashed), format!("queue {}", q.name)));
        }
    }
    layers.push(Layer::Line { points: line, colour: BLUE, dashed: false, markers: true });
    if let Some(target) = target(scenario, Metric::ServiceLevel) {
        layers.push(Layer::HLine { y: target.value * 100.0, colour: INK, label: target.label() });
        legend.push(LegendEntry::new(Swatch::Reference(INK), target.label()));
    }
    let (within, which) = threshold_text(scenario);
    let mut subtitle = format!(
        "Answered {within} / conversations answered, abandoned or auto-closed unanswered, by arrival interval; {}.\n",
        day.pooled()
    );
    if let Some(which) = which {
        subtitle.push_str(&which);
        subtitle.push('\n');
    }
    subtitle.push_str(
        "Band: 95% Wilson interval on the pooled counts; it treats conversations as independent, so day-to-day variation is wider.",
    );
    Figure {
        name: day.name("service_level"),
        title: day.title("Service level per interval", "Service level over a typical day"),
        subtitle: day.annotate(subtitle),
        legend,
        panels: vec![Panel {
            caption: None,
            x: day.scale.clone(),
            x_label: day.x_label(),
            y: Scale::linear(0.0, 100.0).with_headroom(0.04),
            y_label: "service level (%)".into(),
            layers,
            empty_note: "no conversations answered, abandoned or auto-closed".into(),
        }],
        stacked: false,
    }
}

/// A round bin width giving about `bins` bins over `0..span`.
fn bin_width(span: f64, bins: f64) -> f64 {
    let raw = span / bins;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|w| *w >= raw).unwrap_or(raw)
}

fn wait_distribution(results: &RunResults, scenario: &Scenario, day: &Day) -> Figure {
    let waits: WaitHistogram = results.pooled_waits(&results.scopes[0]);
    let limits = thresholds(scenario);
    let largest_threshold = limits.iter().map(|(t, _)| *t).fold(0.0, f64::max);
    let answered = waits.count();
    let p99 = if answered > 0 { waits.quantile(0.99) } else { 0.0 };
    let span = Scale::linear(0.0, p99.max(largest_threshold * 1.5).max(10.0)).hi();
    let width = bin_width(span, 30.0);
    let x = Scale::linear(0.0, span);
    let share = |w: f64| waits.share_at_most(w);
    let at_once = share(0.0);

    let mut bars = Vec::new();
    let mut a = 0.0;
    while a < span - 1e-9 {
        let b = a + width;
        // Waits of exactly 0 are told in the caption, not drawn: their bar would flatten the rest.
        let lower = if a == 0.0 { at_once } else { share(a) };
        bars.push((a, b, 0.0, (share(b) - lower) * 100.0));
        a = b;
    }
    let steps = 240;
    let cdf: Vec<(f64, f64)> =
        (0..=steps).map(|i| span * i as f64 / steps as f64).map(|w| (w, share(w) * 100.0)).collect();

    let mut left = vec![Layer::Bars { bars: bars.clone(), colour: BLUE }];
    let mut right = vec![Layer::Line { points: cdf, colour: BLUE, dashed: false, markers: false }];
    let mut threshold_legend = Vec::new();
    for (i, (t, names)) in limits.iter().enumerate() {
        let within = share(*t) * 100.0;
        let within_text = if within.is_finite() { format!(": {within:.1}% within") } else { String::new() };
        let (colour, left_label, right_label) = if limits.len() == 1 {
            let left = format!("threshold {}", duration_text(*t));
            let right = if within.is_finite() { format!("{}{within_text}", duration_text(*t)) } else { left.clone() };
            (VERMILLION, left, right)
        } else {
            // Several labels side by side at the top of the lines would run into each other:
            // the lines carry only their duration, the legend says which queues and how many.
            let colour = THRESHOLD_COLOURS[i % THRESHOLD_COLOURS.len()];
            threshold_legend.push(LegendEntry::new(
                Swatch::Reference(colour),
                format!("threshold {} ({}){within_text}", duration_text(*t), names.join(", ")),
            ));
            (colour, duration_text(*t), duration_text(*t))
        };
        left.push(Layer::VLine { x: *t, colour, label: left_label, low: false });
        // The cumulative curve climbs to the top; its foot is the free corner.
        right.push(Layer::VLine { x: *t, colour, label: right_label, low: true });
    }
    if threshold_legend.is_empty() {
        threshold_legend.push(LegendEntry::new(Swatch::Reference(VERMILLION), "service-level threshold"));
    }
    let tail = if answered > 0 { (1.0 - share(span)) * 100.0 } else { f64::NAN };
    let longest = if answered > 0 { waits.quantile(1.0) } else { f64::NAN };
    let mut subtitle = format!(
        "First wait (arrival to first accept) of answered conversations; abandoned ones never got one. {} answered per replication, {}.",
        format_count(answered as f64 / results.replications.len().max(1) as f64),
        day.pooled()
    );
    if answered > 0 {
        subtitle.push_str(&format!(
            "\n{:.1}% were answered at once (wait 0 s, not drawn as a bar); {:.1}% waited longer than {} (longest {}).",
            at_once * 100.0,
            tail.max(0.0),
            duration_text(span),
            duration_text(longest.round())
        ));
    }
    let (_, top) = extent(bars.iter().map(|b| b.3));
    let empty = "no answered conversations".to_string();
    Figure {
        name: "wait_distribution".into(),
        title: format!("How long answered conversations waited: {}", scenario.name),
        subtitle,
        legend: vec![
            LegendEntry::new(
                Swatch::Bar(BLUE),
                format!("share answered after a wait in each {} bin", duration_text(width)),
            ),
            LegendEntry::new(Swatch::Line(BLUE, false), "share answered within the wait"),
        ]
        .into_iter()
        .chain(threshold_legend)
        .collect(),
        panels: vec![
            Panel {
                caption: Some("distribution of waits above 0 s".into()),
                x: x.clone(),
                x_label: "first wait (s)".into(),
                y: Scale::linear(0.0, if top.is_finite() && top > 0.0 { top } else { 10.0 }).with_headroom(0.1),
                y_label: "share of answered conversations (%)".into(),
                layers: left,
                empty_note: empty.clone(),
            },
            Panel {
                caption: Some("cumulative: answered within the wait".into()),
                x,
                x_label: "first wait (s)".into(),
                y: Scale::linear(0.0, 100.0).with_headroom(0.04),
                y_label: "answered within (%)".into(),
                layers: right,
                empty_note: empty,
            },
        ],
        stacked: false,
    }
}

fn format_count(x: f64) -> String {
    if x >= 100.0 { format!("{x:.0}") } else { format!("{x:.1}") }
}

/// One line per scope of `kind` and a black line for `all` when there are several.
fn lines_per_scope(
    results: &RunResults,
    day: &Day,
    kind: ScopeKind,
    value: impl Fn(usize, &Scope) -> f64,
) -> (Vec<Layer>, Vec<LegendEntry>, Vec<f64>) {
    let scopes = scopes_of(results, kind);
    let (mut layers, mut legend, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for (i, scope) in scopes.iter().enumerate() {
        let (colour, dashed) = series_style(i);
        let points = day.series(|k| value(k, scope));
        values.extend(points.iter().map(|p| p.1));
        layers.push(Layer::Line { points, colour, dashed, markers: true });
        legend.push(LegendEntry::new(
            Swatch::Line(colour, dashed),
            format!("{} {}", kind.name().replace('_', " "), scope.name),
        ));
    }
    if scopes.len() != 1 {
        let all = &results.scopes[0];
        let points = day.series(|k| value(k, all));
        values.extend(points.iter().map(|p| p.1));
        layers.push(Layer::Line { points, colour: INK, dashed: true, markers: false });
        legend.push(LegendEntry::new(Swatch::Line(INK, true), "all"));
    }
    (layers, legend, values)
}

fn queue_length(results: &RunResults, day: &Day) -> Figure {
    let (layers, legend, values) =
        lines_per_scope(results, day, ScopeKind::Queue, |k, s| day.value(results, k, s, Metric::AvgQueueLen));
    Figure {
        name: day.name("queue_length"),
        title: day.title("Queue length over the day", "Queue length over a typical day"),
        subtitle: day.annotate(format!(
            "Time-average number of conversations Open and waiting for an agent in each interval, by the queue they were routed to; {}.",
            day.pooled()
        )),
        legend,
        panels: vec![Panel {
            caption: None,
            x: day.scale.clone(),
            x_label: day.x_label(),
            y: Scale::linear_with(values, &[0.0]),
            y_label: "conversations waiting (mean)".into(),
            layers,
            empty_note: "no queue in this scenario".into(),
        }],
        stacked: false,
    }
}

fn occupancy(results: &RunResults, day: &Day) -> Figure {
    let (layers, legend, values) = lines_per_scope(results, day, ScopeKind::AgentGroup, |k, s| {
        day.value(results, k, s, Metric::Occupancy) * 100.0
    });
    Figure {
        name: day.name("occupancy"),
        title: day.title("Occupancy over the day", "Occupancy over a typical day"),
        subtitle: day.annotate(format!(
            "Capacity units in use (offers included) / capacity units staffed, time-weighted over each interval; no point where nobody was staffed; {}.",
            day.pooled()
        )),
        legend,
        panels: vec![Panel {
            caption: None,
            x: day.scale.clone(),
            x_label: day.x_label(),
            y: Scale::linear_with(values, &[0.0, 100.0]).with_headroom(0.04),
            y_label: "occupancy (%)".into(),
            layers,
            empty_note: "no agent was staffed".into(),
        }],
        stacked: false,
    }
}

fn staffing(results: &RunResults, day: &Day) -> Figure {
    let per_hour = |k: usize, scope: &Scope| {
        let hours = day.hours(results, k);
        if hours > 0.0 { day.value(results, k, scope, Metric::Offered) / hours } else { f64::NAN }
    };
    let channels = scopes_of(results, ScopeKind::Channel);
    let all = &results.scopes[0];
    let mut arrivals = Vec::new();
    let mut legend = Vec::new();
    let mut arrival_values = Vec::new();
    if channels.len() > 1 {
        for (i, channel) in channels.iter().enumerate() {
            // Groups take the palette from its start; channels from its other end, so that an
            // arrivals line rarely shares a colour with a staffing bar.
            let (colour, dashed) = series_style(CHANNEL_ORDER[i % 6] + 6 * (i / 6));
            let points = day.series(|k| per_hour(k, channel));
            arrival_values.extend(points.iter().map(|p| p.1));
            arrivals.push(Layer::Line { points, colour, dashed, markers: false });
            legend.push(LegendEntry::new(Swatch::Line(colour, dashed), format!("arrivals, channel {}", channel.name)));
        }
    }
    let total = day.series(|k| per_hour(k, all));
    arrival_values.extend(total.iter().map(|p| p.1));
    arrivals.push(Layer::Line { points: total, colour: INK, dashed: false, markers: true });
    legend.insert(0, LegendEntry::new(Swatch::Line(INK, false), "arrivals, all channels"));

    let groups = scopes_of(results, ScopeKind::AgentGroup);
    let mut stacked = vec![0.0; day.points()];
    let mut bars = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let (colour, _) = series_style(i);
        let mut layer = Vec::new();
        for (k, (a, b)) in day.bounds.iter().enumerate() {
            let staffed = day.staffed(results, k, group);
            let staffed = if staffed.is_finite() { staffed } else { 0.0 };
            layer.push((*a, *b, stacked[k], stacked[k] + staffed));
            stacked[k] += staffed;
        }
        bars.push(Layer::Bars { bars: layer, colour });
        legend.push(LegendEntry::new(Swatch::Bar(colour), format!("staffed, group {}", group.name)));
    }
    Figure {
        name: day.name("staffing"),
        title: day.title("Staffed agents against arrivals", "Staffed agents against arrivals over a typical day"),
        subtitle: day.annotate(format!(
            "Arrivals: conversations offered per hour in each interval, mean per replication. Staffed: agents working and not on an away or offline break,\naveraged over the interval (∫ staffed agents dt / interval length), stacked by group, mean per replication; {}.",
            day.pooled()
        )),
        legend,
        panels: vec![
            Panel {
                caption: None,
                x: day.scale.clone(),
                x_label: String::new(),
                y: Scale::linear_with(arrival_values, &[0.0]),
                y_label: "arrivals per hour".into(),
                layers: arrivals,
                empty_note: "no arrivals".into(),
            },
            Panel {
                caption: None,
                x: day.scale.clone(),
                x_label: day.x_label(),
                y: Scale::linear_with(stacked.iter().copied(), &[0.0]),
                y_label: "staffed agents".into(),
                layers: bars,
                empty_note: "no agent was staffed".into(),
            },
        ],
        stacked: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_stay_within_zero_and_one_and_narrow_with_more_trials() {
        let (lo, hi) = wilson(10.0, 10.0);
        assert!(lo > 0.6 && hi == 1.0, "{lo} {hi}");
        let (lo, hi) = wilson(0.0, 5.0);
        assert!(lo == 0.0 && hi > 0.3);
        let (a, b) = wilson(80.0, 100.0);
        let (c, d) = wilson(800.0, 1000.0);
        assert!(a < 0.8 && 0.8 < b && b - a > d - c);
        assert!(wilson(0.0, 0.0).0.is_nan());
    }
}
