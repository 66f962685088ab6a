//! What `ccsim staff` writes and prints: the staffing per slot and group beside the analytic
//! start and the load, the staffed scenario, and the verification's gates.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use super::csv_files::{finish, number, writer};
use super::terminal::printable;
use crate::metrics::gates::Verdict;
use crate::scenario::{CheckIntervals, Scenario};
use crate::time::SimTime;

/// One slot's staffing of one searched group.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotStaffing {
    pub agents: u32,
    /// The analytic start.
    pub erlang_agents: u32,
    /// The load the group carried in the slot when staffed for far more, in agents.
    pub offered_load: f64,
}

/// A per-slot gate's value in one slot of the verification, with its verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotGate {
    pub check: usize,
    pub slot: usize,
    /// The slot's value over all replications (a ratio of sums), and its 95% interval across
    /// replications.
    pub value: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub verdict: Verdict,
}

/// `staffing.csv`: per slot and searched group, the agents found, the analytic start and the
/// load the group carried when staffed for far more; then each per-slot gate's metric in the
/// verification (`<metric>` for the check's scope, `check_N_<metric>` when several checks would
/// share a name).
pub fn staffing_csv(
    staffing: &[Vec<SlotStaffing>],
    slot_gates: &[SlotGate],
    scenario: &Scenario,
    groups: &[String],
    slot: f64,
) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    let per_slot: Vec<usize> = scenario
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.intervals == CheckIntervals::Every)
        .map(|(i, _)| i)
        .collect();
    let mut header: Vec<String> = ["slot_start", "group", "agents", "erlang_agents", "offered_load_erlangs"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for &i in &per_slot {
        let name = format!("check_{}_{}", i + 1, scenario.checks[i].metric);
        header.extend([name.clone(), format!("{name}_ci95_low"), format!("{name}_ci95_high")]);
    }
    w.write_record(&header)?;
    for (gi, group) in staffing.iter().enumerate() {
        for (j, s) in group.iter().enumerate() {
            let mut record = vec![
                SimTime(j as f64 * slot).clock_label(),
                groups[gi].clone(),
                s.agents.to_string(),
                s.erlang_agents.to_string(),
                number(s.offered_load),
            ];
            for &i in &per_slot {
                let gate = slot_gates.iter().find(|g| g.check == i && g.slot == j);
                for value in [gate.map(|g| g.value), gate.map(|g| g.ci95_low), gate.map(|g| g.ci95_high)] {
                    record.push(number(value.unwrap_or(f64::NAN)));
                }
            }
            w.write_record(&record)?;
        }
    }
    finish(w)
}

/// Agent-hours a day and their cost per searched group, found against the analytic start.
pub fn staff_table(staffing: &[Vec<SlotStaffing>], scenario: &Scenario, groups: &[String], slot: f64) -> String {
    staff_summary(staffing, scenario, groups, slot).to_string()
}

/// The table of [`staff_table`], to print or to render in `report.html`.
pub fn staff_summary(staffing: &[Vec<SlotStaffing>], scenario: &Scenario, groups: &[String], slot: f64) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    table.set_header(["group", "agent-hours a day", "Erlang's", "cost a day", "Erlang's cost", "most at once"]);
    let hours = slot / 3600.0;
    for (gi, group) in staffing.iter().enumerate() {
        let cost = scenario.agent_groups.iter().find(|g| g.name == groups[gi]).map_or(1.0, |g| g.cost_per_hour);
        let found: f64 = group.iter().map(|s| f64::from(s.agents) * hours).sum();
        let erlang: f64 = group.iter().map(|s| f64::from(s.erlang_agents) * hours).sum();
        let most = group.iter().map(|s| s.agents).max().unwrap_or(0);
        let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
        table.add_row(vec![
            Cell::new(printable(&groups[gi])),
            right(format!("{found:.1}")),
            right(format!("{erlang:.1}")),
            right(format!("{:.1}", found * cost)),
            right(format!("{:.1}", erlang * cost)),
            right(most.to_string()),
        ]);
    }
    table
}

/// `staffed.toml`: the scenario file as written — comments included — with each searched group's
/// `count`, `shift` and `staffing` replaced by the found `staffing`, and `simulation.seed` and
/// `simulation.replications` set to the verification's, so that `ccsim run staffed.toml`
/// reproduces it.
pub fn staffed_toml(
    source: &str,
    staffing: &[Vec<SlotStaffing>],
    staffed: &Scenario,
    groups: &[String],
) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = source.parse().map_err(|e: toml_edit::TomlError| e.to_string())?;
    let sim = &staffed.simulation;
    let simulation = doc.entry("simulation").or_insert(toml_edit::table());
    let simulation = simulation.as_table_like_mut().ok_or("[simulation] is not a table")?;
    simulation.insert("seed", toml_edit::value(sim.seed as i64));
    simulation.insert("replications", toml_edit::value(i64::from(sim.replications)));
    let tables =
        doc.get_mut("agent_group").and_then(|a| a.as_array_of_tables_mut()).ok_or("no [[agent_group]] tables")?;
    for (gi, name) in groups.iter().enumerate() {
        let table = tables
            .iter_mut()
            .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(name.as_str()))
            .ok_or_else(|| format!("no [[agent_group]] named {name}"))?;
        table.remove("count");
        table.remove("shift");
        let mut values = toml_edit::Array::new();
        for s in &staffing[gi] {
            values.push(i64::from(s.agents));
        }
        table.insert("staffing", toml_edit::value(values));
    }
    Ok(doc.to_string())
}
