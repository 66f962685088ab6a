//! Charts, written beside the CSV files in `charts/`, each as PNG and SVG at 1200×700.
//!
//! - [`run`]: what one run shows — service level per interval against the target, the
//!   distribution of first waits, queue length and occupancy over the day, staffed agents
//!   against arrivals; over more than one day, the per-interval ones again for a typical day.
//! - [`comparison`]: `compare` (each headline metric per variant, and the paired differences; key
//!   metrics per interval, one line per variant) and `sweep` (each headline metric against the
//!   varied keys).
//! - [`day`]: where intervals sit on the time axis — the timeline, or a typical day.
//! - [`target`]: the dashed line a planner aims at, from the scenario's `[[check]]`.
//! - [`canvas`]: how every chart is drawn: layout, palette, scales, fonts, encoding; `bitmap`
//!   draws the PNGs' text.
//!
//! Like the CSV files, each chart is a pure function of finished results: the same results give
//! the same bytes, and writing them stays with [`super::write_all`]. The charts plot numbers that
//! [`crate::metrics`] computes; they compute nothing of their own but the service-level band,
//! whose nature [`run`] explains.
//!
//! Text is drawn with an embedded open-licence font (Noto Sans, Apache-2.0) and PNGs are encoded
//! in-process, so charts need no system font, font library or image library.

mod bitmap;
pub mod canvas;
pub mod comparison;
pub mod day;
mod fit;
pub mod run;
pub mod staff;
pub mod target;

use rayon::prelude::*;

use crate::metrics::{Comparison, RunResults};
use crate::scenario::Scenario;

use super::OutputFile;
use canvas::Figure;

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw charts/{chart}: {message}")]
pub struct ChartError {
    pub chart: String,
    pub message: String,
}

/// Each figure as `charts/<name>.png` and `charts/<name>.svg`, in the figures' order. The figures
/// are drawn in parallel on rayon's current pool; each is a pure function of its figure, so the
/// bytes do not depend on the threads, and an error names the first failing figure in order.
fn files(figures: Vec<Figure>) -> Result<Vec<OutputFile>, ChartError> {
    let drawn: Vec<Result<(Vec<u8>, String), String>> = figures.par_iter().map(canvas::render).collect();
    let mut out = Vec::with_capacity(figures.len() * 2);
    for (figure, drawn) in figures.into_iter().zip(drawn) {
        let (png, svg) = drawn.map_err(|message| ChartError { chart: figure.name.clone(), message })?;
        out.push(OutputFile { name: format!("charts/{}.png", figure.name), bytes: png });
        out.push(OutputFile { name: format!("charts/{}.svg", figure.name), bytes: svg.into_bytes() });
    }
    Ok(out)
}

/// The charts of one run.
pub fn run_charts(results: &RunResults, scenario: &Scenario) -> Result<Vec<OutputFile>, ChartError> {
    files(run::figures(results, scenario))
}

/// The charts of `ccsim compare`: each headline metric per variant, with the paired differences,
/// and key metrics per interval; `scenarios` are the variants', in the comparison's order.
pub fn compare_charts(comparison: &Comparison, scenarios: &[Scenario]) -> Result<Vec<OutputFile>, ChartError> {
    let mut figures = comparison::compare_figures(comparison);
    figures.extend(comparison::interval_figures(comparison, scenarios));
    files(figures)
}

/// The charts of `ccsim sweep`, from the same rows as `sweep.csv`: each point's label, its values
/// of the varied `keys`, and its results; `scenario` is the swept one, whose checks give the
/// target lines.
pub fn sweep_charts(
    keys: &[String],
    points: &[(String, Vec<String>, &RunResults)],
    scenario: &Scenario,
) -> Result<Vec<OutputFile>, ChartError> {
    files(comparison::sweep_figures(keys, points, scenario))
}

/// The charts of `ccsim schedule`: required against scheduled agents per slot per covered group.
pub fn schedule_charts(
    plan: &crate::experiment::schedule::Plan,
    scenario: &Scenario,
) -> Result<Vec<OutputFile>, ChartError> {
    files(staff::schedule_figures(plan, scenario))
}

/// The charts of `ccsim fit`: per channel, the arrival profile, the handle times' fits and the
/// patience curves.
pub fn fit_charts(fits: &[crate::fit::ChannelFit]) -> Result<Vec<OutputFile>, ChartError> {
    files(fit::figures(fits))
}

/// The charts of `ccsim staff`: agents per slot per searched group, and each per-slot gate's
/// metric in the verification against its bound.
pub fn staff_charts(
    staffing: &[Vec<crate::report::staff::SlotStaffing>],
    slot_gates: &[crate::report::staff::SlotGate],
    scenario: &Scenario,
    groups: &[String],
    slot: f64,
) -> Result<Vec<OutputFile>, ChartError> {
    files(staff::figures(staffing, slot_gates, scenario, groups, slot))
}

/// A name (of a group, a channel) as part of a chart's file name: letters, digits, `-` and `_` kept, the rest `_`.
pub(super) fn file_part(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// The x axis of a profile in hours: a day's clock, or a week's days.
pub(super) fn cycle_axis(weekly: bool) -> canvas::Scale {
    use canvas::Scale;
    // `mon` as `Mon`.
    let capitalised = |word: &str| {
        let mut chars = word.chars();
        chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect::<String>())
    };
    if weekly {
        Scale::with_ticks(
            0.0,
            168.0,
            crate::time::WEEKDAYS.iter().enumerate().map(|(d, w)| (d as f64 * 24.0 + 12.0, capitalised(w))).collect(),
        )
    } else {
        Scale::clock(0.0, 24.0)
    }
}

/// A value per slot of `width` (on the x axis) as the points of a step line: each value held from
/// its slot's start to its end.
pub(super) fn steps(values: impl IntoIterator<Item = f64>, width: f64) -> Vec<(f64, f64)> {
    values.into_iter().enumerate().flat_map(|(j, v)| [(j as f64 * width, v), ((j + 1) as f64 * width, v)]).collect()
}
