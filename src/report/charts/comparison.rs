//! The charts of `ccsim compare` and `ccsim sweep`: one per headline metric of scope `all`.
//!
//! - compare: the metric per variant with its 95% interval (left), and each variant's paired
//!   difference from the baseline with its interval (right), coloured by whether the interval
//!   excludes 0 and, for metrics with a good direction, whether the change is better or worse.
//!   Key metrics are drawn per interval too, one line per variant with each variant's difference
//!   from the baseline below, to show where in the day they differ.
//! - sweep: the metric against the first varied key, with its 95% band; with more keys, one line
//!   per combination of the other keys' values. The target line is [`super::target`]'s.
//!
//! Shares are drawn in percent and their differences in percentage points. The estimates and
//! intervals are those of `compare.csv` and `sweep.csv`; the per-interval values those of each
//! variant's `intervals.csv`.

use crate::metrics::{CompareRow, Comparison, Estimate, Metric, RunResults, ScopeKind};
use crate::scenario::Scenario;

use super::canvas::{
    BLUE, BLUISH_GREEN, Figure, GREY, INK, Layer, LegendEntry, Panel, REDDISH_PURPLE, Scale, Swatch, VERMILLION,
    extent, series_style,
};
use super::day::Day;
use super::target::target;

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Percent,
    Seconds,
    Count,
}

/// How a headline metric is shown: title, axis name and unit.
fn shown(metric: Metric) -> (&'static str, &'static str, Unit) {
    let (title, axis) = match metric {
        Metric::Offered => ("Conversations offered", "offered"),
        Metric::Answered => ("Conversations answered", "answered"),
        Metric::Abandoned => ("Conversations abandoned", "abandoned"),
        Metric::ServiceLevel => ("Service level", "service level"),
        Metric::AsaS => ("Average speed of answer (ASA)", "ASA"),
        Metric::WaitP90S => ("90th percentile of the first wait", "wait p90"),
        Metric::PWait => ("Probability of waiting", "P(wait)"),
        Metric::AbandonRate => ("Abandon rate", "abandon rate"),
        Metric::Occupancy => ("Occupancy", "occupancy"),
        Metric::Utilization => ("Utilization", "utilization"),
        other => (other.name(), other.name()),
    };
    (title, axis, Unit::of(metric))
}

impl Unit {
    /// Shares (the metrics whose unit is `share`) are drawn in percent and their differences in
    /// percentage points; seconds as seconds; the rest as counts.
    fn of(metric: Metric) -> Unit {
        match metric.unit() {
            "share" => Unit::Percent,
            "seconds" => Unit::Seconds,
            _ => Unit::Count,
        }
    }

    fn scale(self) -> f64 {
        if self == Unit::Percent { 100.0 } else { 1.0 }
    }

    fn axis(self, name: &str) -> String {
        match self {
            Unit::Percent => format!("{name} (%)"),
            Unit::Seconds => format!("{name} (s)"),
            Unit::Count => format!("{name} (conversations per replication)"),
        }
    }

    fn difference_axis(self, name: &str) -> String {
        match self {
            Unit::Percent => format!("{name} difference (percentage points)"),
            Unit::Seconds => format!("{name} difference (s)"),
            Unit::Count => format!("{name} difference (per replication)"),
        }
    }

    /// The difference axis of a panel too low for [`Unit::difference_axis`], under a panel that
    /// names the metric.
    fn short_difference_axis(self) -> &'static str {
        match self {
            Unit::Percent => "difference (pp)",
            Unit::Seconds => "difference (s)",
            Unit::Count => "difference (per replication)",
        }
    }

    /// A value already multiplied by [`Unit::scale`], as the label beside its dot.
    fn text(self, v: f64, signed: bool) -> String {
        let sign = if signed && v > 0.0 { "+" } else { "" };
        match self {
            Unit::Percent if signed => format!("{sign}{v:.1} pp"),
            Unit::Percent => format!("{v:.1}%"),
            Unit::Seconds => format!("{sign}{v:.1} s"),
            Unit::Count if v.abs() >= 100.0 => format!("{sign}{v:.0}"),
            Unit::Count => format!("{sign}{v:.1}"),
        }
    }
}

/// (mean, low, high) in display units.
fn scaled(e: &Estimate, unit: Unit) -> (f64, f64, f64) {
    let s = unit.scale();
    (e.mean * s, e.ci95_low * s, e.ci95_high * s)
}

/// The values a headline metric can take, in display units: every one is at least 0, and
/// shares of conversations are at most 100%. Occupancy and utilization are not capped: they are
/// ratios of time averages, not shares of conversations.
fn bounds(metric: Metric) -> (f64, f64) {
    match metric {
        Metric::ServiceLevel | Metric::PWait | Metric::AbandonRate => (0.0, 100.0),
        _ => (0.0, f64::INFINITY),
    }
}

/// The values a paired difference of `metric` can take.
fn difference_bounds(metric: Metric) -> (f64, f64) {
    let (_, hi) = bounds(metric);
    (-hi, hi)
}

/// A y scale for dots with whiskers, with a little room below the lowest value so that nothing
/// lies on the axis. It spans only values within `bounds`: an interval from few replications
/// may reach past what the metric can take (a service level below 0%), and is cut off at the
/// edge rather than stretching the axis. Callers add headroom for the labels above the dots.
fn whisker_scale(points: &[(f64, f64, f64, f64)], must: &[f64], (floor, ceiling): (f64, f64)) -> Scale {
    let values = points.iter().flat_map(|p| [p.1, p.2, p.3]).chain(must.iter().copied());
    let (lo, hi) = extent(values.map(|v| v.clamp(floor, ceiling)));
    let (lo, hi) = if hi > lo {
        (lo - (hi - lo) * 0.06, hi)
    } else {
        // One value (or none): centre it.
        let room = hi.abs() * 0.1 + 1.0;
        (lo - room, hi + room)
    };
    Scale::linear(lo.max(floor), hi.min(ceiling))
}

/// Where the label of a dot with whiskers goes: above the whisker's top, or above the dot
/// when there is none, but never above the last tick of `scale`; NaN (no label) without a dot.
fn label_height(&(_, m, _, hi): &(f64, f64, f64, f64), scale: &Scale) -> f64 {
    if !m.is_finite() {
        return f64::NAN;
    }
    (if hi.is_finite() { hi } else { m }).min(scale.hi())
}

/// Share of the axis added above the last tick for the labels above the dots.
const LABEL_ROOM: f64 = 0.1;

/// Every headline metric of scope `all`, per variant and as paired differences.
pub fn compare_figures(comparison: &Comparison) -> Vec<Figure> {
    let base = comparison.variants[0].0.as_str();
    let names: Vec<String> = comparison.variants.iter().map(|(n, _)| n.clone()).collect();
    let replications = comparison.variants[0].1.replications.len();
    let rows = comparison.rows();
    let mut figures = Vec::new();
    for metric in Metric::HEADLINE {
        let of_metric: Vec<_> = rows.iter().filter(|r| r.metric == metric && r.scope.kind == ScopeKind::All).collect();
        if of_metric.is_empty() {
            continue;
        }
        let (title, axis, unit) = shown(metric);
        let position = |variant: &str| names.iter().position(|n| n == variant).unwrap_or(0) as f64;

        let estimates: Vec<(f64, f64, f64, f64)> = of_metric
            .iter()
            .map(|r| {
                let (m, lo, hi) = scaled(&r.estimate, unit);
                (position(r.variant), m, lo, hi)
            })
            .collect();
        let y = whisker_scale(&estimates, &[], bounds(metric));
        let labels: Vec<_> = estimates.iter().map(|p| (p.0, label_height(p, &y), unit.text(p.1, false))).collect();
        let left = Panel {
            caption: Some(format!("{axis} per variant")),
            x: Scale::categories(&names),
            x_label: "variant".into(),
            y: y.with_headroom(LABEL_ROOM),
            y_label: unit.axis(axis),
            layers: vec![
                Layer::Whiskers { points: estimates.clone(), colour: BLUE },
                Layer::Labels { items: labels, colour: INK, below: false },
            ],
            empty_note: format!("{axis} is undefined in every variant"),
        };

        let differences: Vec<(f64, f64, f64, f64)> = of_metric
            .iter()
            .skip(1)
            .map(|r| {
                let (d, lo, hi) = scaled(&r.difference, unit);
                (position(r.variant) - 1.0, d, lo, hi)
            })
            .collect();
        let y = whisker_scale(&differences, &[0.0], difference_bounds(metric));
        let mut layers = vec![Layer::HLine { y: 0.0, colour: GREY, label: format!("same as {base}") }];
        let mut verdicts = Vec::new();
        for (r, p) in of_metric.iter().skip(1).zip(&differences) {
            let verdict = Verdict::of(metric, r, p.1);
            // An undefined difference draws nothing, and so has no legend entry.
            if p.1.is_finite() && !verdicts.contains(&verdict) {
                verdicts.push(verdict);
            }
            layers.push(Layer::Whiskers { points: vec![*p], colour: verdict.colour() });
            layers.push(Layer::Labels {
                items: vec![(p.0, label_height(p, &y), unit.text(p.1, true))],
                colour: INK,
                below: false,
            });
        }
        let right = Panel {
            caption: Some(format!("difference from {base}, paired")),
            x: Scale::categories(&names[1..]),
            x_label: "variant".into(),
            y: y.with_headroom(LABEL_ROOM),
            y_label: unit.difference_axis(axis),
            layers,
            empty_note: "no difference is defined".into(),
        };

        let estimate = if replications > 1 { "estimate with 95% interval" } else { "estimate (no interval)" };
        let mut legend = vec![LegendEntry::new(Swatch::Whisker(BLUE), estimate)];
        verdicts.sort_by_key(|v| *v as u8);
        legend.extend(verdicts.iter().map(|v| LegendEntry::new(Swatch::Whisker(v.colour()), v.text())));
        figures.push(Figure {
            name: format!("compare_{}", metric.name()),
            title: format!("{title}: {}", names.join(" vs ")),
            subtitle: if replications > 1 {
                format!(
                    "Scope all; {replications} replications per variant on the same customers (common random numbers). Whiskers are 95% intervals;\n\
                     a difference is measured replication by replication against {base}, so its interval is narrower than the two estimates' intervals suggest."
                )
            } else {
                format!(
                    "Scope all; 1 replication per variant on the same customers (common random numbers), against {base}.\n\
                     One replication gives no 95% intervals: run 2 or more (-r) to see whether a difference is more than chance."
                )
            },
            legend,
            panels: vec![left, right],
            stacked: false,
        });
    }
    figures
}

/// The metrics `compare` also draws interval by interval, one line per variant.
const PER_INTERVAL: [Metric; 4] = [Metric::ServiceLevel, Metric::AsaS, Metric::AbandonRate, Metric::Occupancy];

/// `compare_<metric>_intervals`: each key metric of scope `all` per interval, one line per
/// variant (all its replications pooled, as in `intervals.csv`), and below, each variant's
/// difference from the baseline in every interval both have; `scenarios` in variant order.
pub fn interval_figures(comparison: &Comparison, scenarios: &[Scenario]) -> Vec<Figure> {
    let days: Vec<Day> =
        comparison.variants.iter().zip(scenarios).map(|((_, results), s)| Day::timeline(results, s)).collect();
    let (Some(base_day), Some(base_scenario)) = (days.first(), scenarios.first()) else {
        return Vec::new();
    };
    let base = comparison.variants[0].0.as_str();
    let names: Vec<&str> = comparison.variants.iter().map(|(n, _)| n.as_str()).collect();
    let from = days.iter().map(|d| d.scale.lo()).fold(f64::INFINITY, f64::min);
    let to = days.iter().map(|d| d.scale.hi()).fold(f64::NEG_INFINITY, f64::max);
    let x = Scale::clock(from, to);
    let replications = comparison.variants[0].1.replications.len();
    let mut figures = Vec::new();
    for metric in PER_INTERVAL {
        let (title, axis, unit) = shown(metric);
        let lines: Vec<Vec<(f64, f64)>> = comparison
            .variants
            .iter()
            .zip(&days)
            .map(|((_, results), day)| day.series(|k| day.value(results, k, &results.scopes[0], metric) * unit.scale()))
            .collect();
        let (mut top, mut bottom, mut legend) = (Vec::new(), Vec::new(), Vec::new());
        let (mut values, mut differences) = (Vec::new(), vec![0.0]);
        bottom.push(Layer::HLine { y: 0.0, colour: GREY, label: format!("same as {base}") });
        for (i, (line, day)) in lines.iter().zip(&days).enumerate() {
            let (colour, dashed) = series_style(i);
            values.extend(line.iter().map(|p| p.1));
            top.push(Layer::Line { points: line.clone(), colour, dashed, markers: true });
            legend.push(LegendEntry::new(Swatch::Line(colour, dashed), names[i]));
            if i == 0 {
                continue;
            }
            // An interval the baseline does not have (another horizon or interval) has no difference.
            let difference: Vec<(f64, f64)> = (0..day.points())
                .map(|k| {
                    let same = base_day.bounds.iter().position(|b| *b == day.bounds[k]);
                    (line[k].0, same.map_or(f64::NAN, |j| line[k].1 - lines[0][j].1))
                })
                .collect();
            differences.extend(difference.iter().map(|p| p.1));
            bottom.push(Layer::Line { points: difference, colour, dashed, markers: true });
        }
        let (floor, ceiling) = bounds(metric);
        let mut must = vec![0.0];
        if let Some(target) = target(base_scenario, metric) {
            let y = target.value * unit.scale();
            top.push(Layer::HLine { y, colour: INK, label: target.label() });
            legend.push(LegendEntry::new(Swatch::Reference(INK), target.label()));
            must.push(y);
        }
        figures.push(Figure {
            name: format!("compare_{}_intervals", metric.name()),
            title: format!("{title} per interval: {}", names.join(" vs ")),
            subtitle: format!(
                "Scope all, by arrival interval; {}. Below: each variant minus {base} in the same interval,\n\
                 without an interval of its own: compare_{} has the paired 95% interval over the whole run.",
                if replications == 1 {
                    "1 replication per variant".to_string()
                } else {
                    format!("each variant's {replications} replications pooled (ratios of sums)")
                },
                metric.name()
            ),
            legend,
            panels: vec![
                Panel {
                    caption: None,
                    x: x.clone(),
                    x_label: String::new(),
                    y: Scale::linear_with(values.into_iter().map(|v| v.clamp(floor, ceiling)), &must),
                    y_label: unit.axis(axis),
                    layers: top,
                    empty_note: format!("{axis} is undefined in every interval"),
                },
                Panel {
                    caption: None,
                    x: x.clone(),
                    x_label: base_day.x_label(),
                    y: Scale::linear_with(differences, &[0.0]),
                    y_label: unit.short_difference_axis().into(),
                    layers: bottom,
                    empty_note: "no difference is defined".into(),
                },
            ],
            stacked: true,
        });
    }
    figures
}

/// What a paired difference says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Better,
    Worse,
    Differs,
    Unclear,
    NoInterval,
}

impl Verdict {
    fn of(metric: Metric, row: &CompareRow, difference: f64) -> Verdict {
        if !(row.difference.ci95_low.is_finite() && row.difference.ci95_high.is_finite()) {
            return Verdict::NoInterval;
        }
        if !row.significant() {
            return Verdict::Unclear;
        }
        match (metric.larger_is_worse(), difference > 0.0) {
            (Some(true), true) | (Some(false), false) => Verdict::Worse,
            (Some(_), _) => Verdict::Better,
            (None, _) => Verdict::Differs,
        }
    }

    fn colour(self) -> plotters::style::RGBColor {
        match self {
            Verdict::Better => BLUISH_GREEN,
            Verdict::Worse => VERMILLION,
            // Not the estimates' blue: the legend would show two identical swatches.
            Verdict::Differs => REDDISH_PURPLE,
            Verdict::Unclear | Verdict::NoInterval => GREY,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Verdict::Better => "better: 95% interval excludes 0",
            Verdict::Worse => "worse: 95% interval excludes 0",
            Verdict::Differs => "differs: 95% interval excludes 0",
            Verdict::Unclear => "no clear difference: interval includes 0",
            Verdict::NoInterval => "difference (no interval)",
        }
    }
}

/// Every headline metric of scope `all` against the first varied key; one line per combination
/// of the other keys' values; the target line where `scenario` has one for the metric.
pub fn sweep_figures(
    keys: &[String],
    points: &[(String, Vec<String>, &RunResults)],
    scenario: &Scenario,
) -> Vec<Figure> {
    let Some(first_key) = keys.first() else {
        return Vec::new();
    };
    let mut xs: Vec<String> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for (_, values, _) in points {
        let x = values.first().cloned().unwrap_or_default();
        if !xs.contains(&x) {
            xs.push(x);
        }
        let line = line_name(&keys[1..], values.get(1..).unwrap_or(&[]));
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    let numbers: Option<Vec<f64>> = xs.iter().map(|x| x.parse::<f64>().ok().filter(|v| v.is_finite())).collect();
    let (x_scale, x_of): (Scale, Vec<f64>) = match numbers {
        Some(v) => (numeric_axis(&v, &xs), v),
        None => (Scale::categories(&xs), (0..xs.len()).map(|i| i as f64).collect()),
    };
    let replications = points.first().map_or(0, |p| p.2.replications.len());
    let mut figures = Vec::new();
    for metric in Metric::HEADLINE {
        let (title, axis, unit) = shown(metric);
        let mut layers = Vec::new();
        let mut legend = Vec::new();
        let mut values = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let (colour, dashed) = series_style(i);
            let mut series: Vec<(f64, f64, f64, f64)> = points
                .iter()
                .filter(|(_, v, _)| line_name(&keys[1..], v.get(1..).unwrap_or(&[])) == *line)
                .map(|(_, v, results)| {
                    let x = xs.iter().position(|x| Some(x) == v.first()).map_or(f64::NAN, |i| x_of[i]);
                    let (m, lo, hi) = scaled(&results.estimate(&results.scopes[0], metric), unit);
                    (x, m, lo, hi)
                })
                .collect();
            series.sort_by(|a, b| a.0.total_cmp(&b.0));
            values.extend(series.iter().flat_map(|p| [p.1, p.2, p.3]));
            if series.len() == 1 {
                layers.push(Layer::Whiskers { points: series, colour });
            } else {
                layers.insert(0, Layer::Band { points: series.iter().map(|p| (p.0, p.2, p.3)).collect(), colour });
                layers.push(Layer::Line {
                    points: series.iter().map(|p| (p.0, p.1)).collect(),
                    colour,
                    dashed,
                    markers: true,
                });
            }
            let label = match (lines.len(), replications) {
                (1, 1) => "scope all".to_string(),
                (1, _) => "scope all, with 95% band".to_string(),
                _ => line.clone(),
            };
            legend.push(LegendEntry::new(Swatch::LineAndBand(colour), label));
        }
        let per_line =
            if keys.len() > 1 { format!("; one line per value of {}", keys[1..].join(", ")) } else { String::new() };
        let bands = if replications > 1 {
            format!("Bands are 95% intervals across {replications} replications")
        } else {
            "1 replication per point gives no 95% intervals; run 2 or more (-r) for bands".to_string()
        };
        let (floor, ceiling) = bounds(metric);
        let mut must = Vec::new();
        if let Some(target) = target(scenario, metric) {
            let y = target.value * unit.scale();
            layers.push(Layer::HLine { y, colour: INK, label: target.label() });
            legend.push(LegendEntry::new(Swatch::Reference(INK), target.label()));
            must.push(y);
        }
        figures.push(Figure {
            name: format!("sweep_{}", metric.name()),
            title: format!("{title} against {}", and_list(keys)),
            // With more keys, two lines: one would run past the right edge.
            subtitle: format!(
                "Scope all{per_line}.{}{bands}; every point runs with the same seed, so neighbouring points see the same customers.",
                if keys.len() > 1 { "\n" } else { " " }
            ),
            legend,
            panels: vec![Panel {
                caption: None,
                x: x_scale.clone(),
                x_label: first_key.clone(),
                // Intervals from few replications can reach past what the metric can take.
                y: Scale::linear_with(values.into_iter().map(|v| v.clamp(floor, ceiling)), &must),
                y_label: unit.axis(axis),
                layers,
                empty_note: format!("{axis} is undefined at every point"),
            }],
            stacked: false,
        });
    }
    figures
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn line_name(keys: &[String], values: &[String]) -> String {
    keys.iter().zip(values).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

/// Ticks on the swept values themselves when there are few, round ticks otherwise.
fn numeric_axis(values: &[f64], texts: &[String]) -> Scale {
    let (lo, hi) = extent(values.iter().copied());
    if values.len() > 15 {
        return Scale::linear(lo, hi);
    }
    let pad = if hi > lo { (hi - lo) * 0.06 } else { lo.abs() * 0.1 + 0.5 };
    let ticks = values.iter().zip(texts).map(|(v, t)| (*v, t.clone())).collect();
    Scale::with_ticks(lo - pad, hi + pad, ticks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whisker_scales_stay_within_what_the_metric_can_take() {
        // Two replications of a sparse run: a service level of 69% ± 370 points.
        let wide = [(0.0, 68.9, -300.0, 438.0), (1.0, 100.0, 100.0, 100.0)];
        let y = whisker_scale(&wide, &[], bounds(Metric::ServiceLevel));
        assert_eq!((y.lo(), y.hi()), (0.0, 100.0));
        let y = whisker_scale(&[(0.0, 31.1, -340.0, 400.0)], &[0.0], difference_bounds(Metric::ServiceLevel));
        assert_eq!((y.lo(), y.hi()), (-100.0, 100.0));
        // Counts and durations cannot fall below 0.
        let y = whisker_scale(&[(0.0, 82.0, -950.0, 1110.0)], &[], bounds(Metric::AsaS));
        assert!(y.lo() == 0.0 && y.hi() >= 1110.0, "{y:?}");
        // A difference that is all positive keeps its zero line off the axis.
        let y = whisker_scale(&[(0.0, 17.4, 15.0, 19.8)], &[0.0], difference_bounds(Metric::AsaS));
        assert!(y.lo() < 0.0 && y.hi() >= 19.8, "{y:?}");
        // Nothing but zeros: zero in the middle.
        let y = whisker_scale(&[(0.0, 0.0, 0.0, 0.0)], &[0.0], difference_bounds(Metric::Offered));
        assert!(y.lo() < 0.0 && y.hi() > 0.0 && y.lo() == -y.hi(), "{y:?}");
    }

    #[test]
    fn an_undefined_value_gets_no_label() {
        let y = Scale::linear(0.0, 100.0);
        assert!(label_height(&(0.0, f64::NAN, f64::NAN, f64::NAN), &y).is_nan());
        assert_eq!(label_height(&(0.0, 50.0, 40.0, 60.0), &y), 60.0);
        assert_eq!(label_height(&(0.0, 50.0, f64::NAN, f64::NAN), &y), 50.0);
        assert_eq!(label_height(&(0.0, 90.0, -300.0, 400.0), &y), 100.0);
    }
}
