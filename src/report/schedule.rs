//! The files of `ccsim schedule`: `schedule.csv` (the shifts and where their breaks go) and the
//! terminal's table of paid hours and over-coverage.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use super::csv_files::{finish, writer};
use super::terminal::printable;
use crate::experiment::roster;
use crate::experiment::schedule::{GroupSchedule, Plan};
use crate::scenario::Scenario;

/// `schedule.csv`: `group,template,start,agents,breaks`; `breaks` lists each break's starts with
/// their agents (`12:00×3 12:30×2`), breaks apart by `; `. Over a week, times name their day
/// (`mon 08:00`).
pub fn schedule_csv(plan: &Plan, scenario: &Scenario) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(["group", "template", "start", "agents", "breaks"])?;
    for gs in &plan.groups {
        for s in &gs.shifts {
            let start = s.start as f64 * plan.cycle.slot;
            let breaks: Vec<String> = s
                .breaks
                .iter()
                .map(|placed| {
                    placed
                        .iter()
                        .map(|&(o, n)| format!("{}×{n}", plan.cycle.label_at(start + o as f64 * plan.cycle.slot)))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            w.write_record([
                scenario.agent_groups[gs.group.index()].name.clone(),
                gs.templates[s.template].1.name.clone(),
                plan.cycle.label_at(start),
                s.agents.to_string(),
                breaks.join("; "),
            ])?;
        }
    }
    finish(w)
}

/// Agents working in each slot of a group's schedule.
pub fn scheduled(gs: &GroupSchedule) -> Vec<u32> {
    let templates: Vec<roster::Template> = gs.templates.iter().map(|(_, t)| t.clone()).collect();
    roster::coverage(&gs.shifts, &templates, gs.requirement.len())
}

/// Per covered group: paid hours and cost a day (or a week), the requirement's agent-hours, and
/// over-coverage.
pub fn schedule_table(plan: &Plan, scenario: &Scenario) -> String {
    schedule_summary(plan, scenario).to_string()
}

/// The table of [`schedule_table`], to print or to render in `report.html`.
pub fn schedule_summary(plan: &Plan, scenario: &Scenario) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    let cycle = if plan.cycle.is_weekly() { "week" } else { "day" };
    table.set_header([
        "group".to_string(),
        "shifts".into(),
        "agents".into(),
        format!("paid hours a {cycle}"),
        format!("cost a {cycle}"),
        "required agent-hours".into(),
        "over-coverage".into(),
    ]);
    let hours = plan.cycle.slot / 3600.0;
    for (gs, required) in plan.groups.iter().zip(&plan.required) {
        let paid: f64 =
            gs.shifts.iter().map(|s| gs.templates[s.template].1.length as f64 * hours * f64::from(s.agents)).sum();
        let need: f64 = required.iter().map(|&r| f64::from(r) * hours).sum();
        let on = scheduled(gs);
        let over: f64 = on.iter().zip(required).map(|(&o, &r)| f64::from(o.saturating_sub(r)) * hours).sum();
        let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
        table.add_row(vec![
            Cell::new(printable(&scenario.agent_groups[gs.group.index()].name)),
            right(gs.shifts.len().to_string()),
            right(gs.shifts.iter().map(|s| s.agents).sum::<u32>().to_string()),
            right(format!("{paid:.1}")),
            right(format!("{:.1}", gs.cost)),
            right(format!("{need:.1}")),
            right(format!("{over:.1}")),
        ]);
    }
    table
}
