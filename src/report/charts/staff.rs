//! The charts of `ccsim staff`: per searched group, the agents found in each slot beside the
//! analytic start and the load; per per-slot gate, the verification's value in each slot with its
//! interval against the gate's bound.

use super::canvas::{BLUE, Figure, GREY, Layer, LegendEntry, ORANGE, Panel, Scale, Swatch, VERMILLION};
use super::{cycle_axis, file_part, steps};
use crate::metrics::Metric;
use crate::report::staff::{SlotGate, SlotStaffing};
use crate::report::terminal::printable;
use crate::scenario::{CheckIntervals, Scenario};

/// `staffing_<group>` for each searched group, then `staff_<metric>` for each per-slot gate
/// (numbered `staff_<n>_<metric>` when several gates share a metric).
pub fn figures(
    staffing: &[Vec<SlotStaffing>],
    slot_gates: &[SlotGate],
    scenario: &Scenario,
    groups: &[String],
    slot: f64,
) -> Vec<Figure> {
    let hours = slot / 3600.0;
    // A step per slot: the value holds from the slot's start to its end.
    let mut figures = Vec::new();
    for (gi, group) in staffing.iter().enumerate() {
        let found: Vec<f64> = group.iter().map(|s| f64::from(s.agents)).collect();
        let erlang: Vec<f64> = group.iter().map(|s| f64::from(s.erlang_agents)).collect();
        let load: Vec<f64> = group.iter().map(|s| s.offered_load).collect();
        let y = Scale::linear_with(found.iter().chain(&erlang).chain(&load).copied(), &[0.0]).with_headroom(0.08);
        figures.push(Figure {
            name: format!("staffing_{}", file_part(&groups[gi])),
            title: format!("Agents per slot: {}", printable(&groups[gi])),
            subtitle:
                "the staffing found by simulation, Erlang's per slot on the load the group carried, and that load"
                    .into(),
            legend: vec![
                LegendEntry::new(Swatch::Line(BLUE, false), "agents found"),
                LegendEntry::new(Swatch::Line(ORANGE, true), "Erlang per slot"),
                LegendEntry::new(Swatch::Line(GREY, false), "load carried (agents busy)"),
            ],
            panels: vec![Panel {
                caption: None,
                x: Scale::clock(0.0, 24.0),
                x_label: "time of day".into(),
                y,
                y_label: "agents".into(),
                layers: vec![
                    Layer::Line {
                        points: steps(load.iter().copied(), hours),
                        colour: GREY,
                        dashed: false,
                        markers: false,
                    },
                    Layer::Line {
                        points: steps(erlang.iter().copied(), hours),
                        colour: ORANGE,
                        dashed: true,
                        markers: false,
                    },
                    Layer::Line {
                        points: steps(found.iter().copied(), hours),
                        colour: BLUE,
                        dashed: false,
                        markers: false,
                    },
                ],
                empty_note: "no slot has a load".into(),
            }],
            stacked: false,
        });
    }
    for (i, c) in scenario.checks.iter().enumerate().filter(|(_, c)| c.intervals == CheckIntervals::Every) {
        let Some(metric) = Metric::from_name(&c.metric) else { continue };
        let share = metric.unit() == "share";
        let scale = if share { 100.0 } else { 1.0 };
        let of_check: Vec<&SlotGate> = slot_gates.iter().filter(|g| g.check == i).collect();
        let mid = |g: &SlotGate| (g.slot as f64 + 0.5) * hours;
        let values: Vec<(f64, f64)> = of_check.iter().map(|g| (mid(g), g.value * scale)).collect();
        // An interval is drawn within what the metric can be: 0 to 100% for a share.
        let top = if share { 100.0 } else { f64::INFINITY };
        let band: Vec<(f64, f64, f64)> =
            of_check.iter().map(|g| (mid(g), (g.ci95_low * scale).max(0.0), (g.ci95_high * scale).min(top))).collect();
        let bound = c.min.or(c.max).map(|b| b * scale);
        let shown = values.iter().map(|v| v.1).chain(band.iter().flat_map(|b| [b.1, b.2])).filter(|v| v.is_finite());
        let y = Scale::linear_with(shown, &bound.into_iter().collect::<Vec<_>>()).with_headroom(0.08);
        let mut layers = vec![
            Layer::Band { points: band, colour: BLUE },
            Layer::Line { points: values, colour: BLUE, dashed: false, markers: true },
        ];
        if let Some(b) = bound {
            let label = if c.min.is_some() { "target" } else { "limit" };
            layers.push(Layer::HLine { y: b, colour: VERMILLION, label: label.into() });
        }
        let same_metric =
            scenario.checks.iter().filter(|d| d.metric == c.metric && d.intervals == CheckIntervals::Every);
        let name = if same_metric.count() > 1 {
            format!("staff_{}_{}", i + 1, c.metric)
        } else {
            format!("staff_{}", c.metric)
        };
        figures.push(Figure {
            name,
            title: format!("{} per slot, at the staffing found", c.metric.replace('_', " ")),
            subtitle: format!(
                "the verification's value in each slot ({} {}), with its 95% interval across replications",
                c.scope,
                printable(&c.name)
            ),
            legend: vec![
                LegendEntry::new(Swatch::LineAndBand(BLUE), "verification, 95% interval"),
                LegendEntry::new(Swatch::Reference(VERMILLION), "the gate's bound"),
            ],
            panels: vec![Panel {
                caption: None,
                x: Scale::clock(0.0, 24.0),
                x_label: "time of day".into(),
                y,
                y_label: if share { "%".into() } else { metric.unit().into() },
                layers,
                empty_note: "no slot has data".into(),
            }],
            stacked: false,
        });
    }
    figures
}

/// `schedule_<group>` for each covered group: the agents the requirement asks for in each slot
/// against the agents the shifts put there, breaks taken out.
pub fn schedule_figures(plan: &crate::experiment::schedule::Plan, scenario: &Scenario) -> Vec<Figure> {
    let hours = plan.cycle.slot / 3600.0;
    plan.groups
        .iter()
        .zip(&plan.required)
        .map(|(gs, need)| {
            let name = &scenario.agent_groups[gs.group.index()].name;
            let on = crate::report::schedule::scheduled(gs);
            let y = Scale::linear_with(on.iter().chain(need).map(|&v| f64::from(v)), &[0.0]).with_headroom(0.08);
            Figure {
                name: format!("schedule_{}", file_part(name)),
                title: format!("Required and scheduled agents: {}", printable(name)),
                subtitle:
                    "per slot: the staffing requirement, and the agents the shifts put there with breaks taken out"
                        .into(),
                legend: vec![
                    LegendEntry::new(Swatch::Line(GREY, true), "required"),
                    LegendEntry::new(Swatch::Line(BLUE, false), "scheduled"),
                ],
                panels: vec![Panel {
                    caption: None,
                    x: cycle_axis(plan.cycle.is_weekly()),
                    x_label: if plan.cycle.is_weekly() { "time of week" } else { "time of day" }.into(),
                    y,
                    y_label: "agents".into(),
                    layers: vec![
                        Layer::Line {
                            points: steps(need.iter().map(|&v| f64::from(v)), hours),
                            colour: GREY,
                            dashed: true,
                            markers: false,
                        },
                        Layer::Line {
                            points: steps(on.iter().map(|&v| f64::from(v)), hours),
                            colour: BLUE,
                            dashed: false,
                            markers: false,
                        },
                    ],
                    empty_note: "nobody is required".into(),
                }],
                stacked: false,
            }
        })
        .collect()
}
