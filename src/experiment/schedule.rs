//! `ccsim schedule`: shifts and staggered breaks that cover a staffing requirement at the least
//! cost, checked by simulation and repaired until a verification on a fresh seed holds
//! (DESIGN.md "Staffing"; the simulation–optimisation loop of Atlason, Epelman and Henderson,
//! 2004).
//!
//! Each round solves the integer program of [`super::roster`] for every covered group, writes
//! the rostered scenario (each covered group replaced by one group per template and start, with
//! the breaks the program placed, one start per agent in roster order), resolves it as `ccsim run`
//! would read it, and verifies it on a seed of its own with the scenario's gates, judged per slot
//! as `ccsim staff` judges them. Where a gate fails, the requirement of every covered group
//! serving the gate's scope rises by one agent in the failing slot, and the next round solves
//! again. At most [`ROUNDS`] rounds.

use std::path::Path;

use super::roster::{self, BreakRule, Shift, Template};
use super::staff::{self, FailingScope, SlotGate};
use super::{Settings, Stopped, try_run_replications};
use crate::metrics::gates::{self, Verdict};
use crate::metrics::{RunResults, ScopeKind};
use crate::scenario::{Check, CheckIntervals, GroupId, Scenario, ScenarioSource};
use crate::time::{DAY, Duration, SimTime};

/// The most rounds of solving and verifying.
pub const ROUNDS: usize = 20;

/// A staffing requirement: agents per slot of a day, per covered group.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// Seconds per slot.
    pub slot: f64,
    pub groups: Vec<(GroupId, Vec<u32>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Stopped(#[from] Stopped),
}

/// Reads `staffing.csv` as `ccsim staff` writes it: `slot_start,group,agents,...`.
pub fn read_requirement(text: &str, scenario: &Scenario, file: &str) -> Result<Requirement, ScheduleError> {
    let input = |m: String| ScheduleError::Input(format!("{file}: {m}"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| input(e.to_string()))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| input(format!("no column {name}; expected staffing.csv as ccsim staff writes it")))
    };
    let (slot_start, group, agents) = (column("slot_start")?, column("group")?, column("agents")?);
    let mut groups: Vec<(GroupId, Vec<(f64, u32)>)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let r = record.map_err(|e| input(format!("line {line}: {e}")))?;
        let at = crate::time::parse_time_of_day(&r[slot_start]).map_err(|e| input(format!("line {line}: {e}")))?;
        let name = &r[group];
        let g = scenario
            .agent_groups
            .iter()
            .position(|x| x.name == name)
            .ok_or_else(|| input(format!("line {line}: no agent group is named \"{name}\" in the scenario")))?;
        let n: u32 = r[agents]
            .parse()
            .map_err(|_| input(format!("line {line}: agents \"{}\"; expected a whole number", &r[agents])))?;
        match groups.iter_mut().find(|(x, _)| x.index() == g) {
            Some((_, rows)) => rows.push((at, n)),
            None => groups.push((GroupId(g as u16), vec![(at, n)])),
        }
    }
    let Some(per_day) = groups.first().map(|(_, rows)| rows.len()) else { return Err(input("no rows".into())) };
    let slot = DAY / per_day as f64;
    if ![900.0, 1800.0, 3600.0].contains(&slot) {
        return Err(input(format!("{per_day} slots a day; expected 24, 48 or 96")));
    }
    let mut out = Vec::new();
    for (g, mut rows) in groups {
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        if rows.len() != per_day || rows.iter().enumerate().any(|(j, r)| (r.0 - j as f64 * slot).abs() > 1e-6) {
            return Err(input(format!(
                "group {}: expected one row per slot of {} from 00:00",
                scenario.agent_groups[g.index()].name,
                Duration(slot).label()
            )));
        }
        out.push((g, rows.into_iter().map(|r| r.1).collect()));
    }
    Ok(Requirement { slot, groups: out })
}

/// The templates that cover group `g` (its own, or every one without a group when the scenario
/// names no other), on the slot grid; with their indices in the scenario.
pub fn templates_for(
    scenario: &Scenario,
    g: GroupId,
    covered: usize,
    slot: f64,
) -> Result<Vec<(usize, Template)>, ScheduleError> {
    let mut out = Vec::new();
    for (i, t) in scenario.shift_templates.iter().enumerate() {
        let mine = match t.group {
            Some(x) => x == g,
            None => covered == 1,
        };
        if !mine {
            continue;
        }
        let key = format!("shift_template.{}", t.name);
        let on_grid = |x: f64| (x / slot - (x / slot).round()).abs() < 1e-9;
        if let Some(s) = t.starts.iter().find(|&&s| !on_grid(s)) {
            return Err(ScheduleError::Input(format!(
                "{key}.start: {} is not on the requirement's grid of {}; expected starts on whole slots",
                SimTime(*s).clock_label(),
                Duration(slot).label()
            )));
        }
        if !on_grid(t.length) {
            return Err(ScheduleError::Input(format!(
                "{key}.length: {}; expected a whole number of the requirement's {} slots",
                Duration(t.length).label(),
                Duration(slot).label()
            )));
        }
        if t.days != [true; 7] {
            return Err(ScheduleError::Input(format!(
                "{key}.days: a daily requirement is covered every day; expected every day (leave days out)"
            )));
        }
        let breaks = t
            .breaks
            .iter()
            .map(|b| {
                let from = (b.window.0 / slot).ceil() as usize;
                let to = (b.window.1 / slot).floor() as usize;
                let length = (b.duration / slot).ceil() as usize;
                if to < from + length {
                    return Err(ScheduleError::Input(format!(
                        "{key}.breaks: a break of {} does not fit in its window on the requirement's {} slots",
                        Duration(b.duration).label(),
                        Duration(slot).label()
                    )));
                }
                Ok(BreakRule { from, to, length })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push((
            i,
            Template {
                name: t.name.clone(),
                starts: t.starts.iter().map(|s| (s / slot).round() as usize).collect(),
                length: (t.length / slot).round() as usize,
                breaks,
                cost_per_hour: t.cost_per_hour,
                min: t.min,
                max: t.max,
            },
        ));
    }
    Ok(out)
}

/// A covered group's shifts, with the scenario indices of their templates.
#[derive(Clone, Debug)]
pub struct GroupSchedule {
    pub group: GroupId,
    pub templates: Vec<(usize, Template)>,
    pub shifts: Vec<Shift>,
    pub cost: f64,
    /// The requirement this round covered (raised where earlier verifications failed).
    pub requirement: Vec<u32>,
}

/// What the rounds found.
pub struct Plan {
    pub groups: Vec<GroupSchedule>,
    pub rostered_text: String,
    pub rostered: Scenario,
    pub verification: RunResults,
    pub slot_gates: Vec<SlotGate>,
    pub whole_gates: Vec<gates::Gate>,
    pub rounds: usize,
    /// Slots where a gate still failed in the last verification.
    pub failing: Vec<usize>,
    pub slot: f64,
}

impl Plan {
    pub fn holds(&self) -> bool {
        self.slot_gates.iter().all(|g| g.verdict != Verdict::Fail)
            && self.whole_gates.iter().all(|g| g.verdict != Verdict::Fail)
    }
}

/// The seed of round `round`'s verification: derived from the scenario's, apart from the seeds
/// `ccsim staff` uses.
pub fn round_seed(seed: u64, round: usize) -> u64 {
    staff::verification_seed(seed ^ 0x5C4E_D01E_0000_0000, round)
}

/// The rostered scenario's text: `source` without its templates, and with each covered group's table replaced by one per
/// (template, start), named `<template>_<HHMM>`, with `count`, a `shift`, the template's agent
/// keys and the breaks placed, one start per agent in roster order.
pub fn rostered_toml(source: &str, scenario: &Scenario, groups: &[GroupSchedule], slot: f64) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = source.parse().map_err(|e: toml_edit::TomlError| e.to_string())?;
    // The templates have done their work: the rostered groups replace them.
    let template_tables: Vec<toml_edit::Table> = doc
        .remove("shift_template")
        .and_then(|a| a.into_array_of_tables().ok())
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default();
    let tables =
        doc.get_mut("agent_group").and_then(|a| a.as_array_of_tables_mut()).ok_or("no [[agent_group]] tables")?;
    for gs in groups {
        let name = &scenario.agent_groups[gs.group.index()].name;
        let i = tables
            .iter()
            .position(|t| t.get("name").and_then(|n| n.as_str()) == Some(name.as_str()))
            .ok_or_else(|| format!("no [[agent_group]] named {name}"))?;
        tables.remove(i);
        for s in &gs.shifts {
            let (ti, t) = &gs.templates[s.template];
            let template = &scenario.shift_templates[*ti];
            let start = s.start as f64 * slot;
            let label = |x: f64| SimTime(x % DAY).clock_label();
            let mut table = toml_edit::Table::new();
            table.insert("name", toml_edit::value(format!("{}_{}", t.name, label(start).replace(':', ""))));
            table.insert("count", toml_edit::value(i64::from(s.agents)));
            let source_table =
                template_tables.iter().find(|x| x.get("name").and_then(|n| n.as_str()) == Some(template.name.as_str()));
            for key in ["capacity", "queues", "offer", "pick", "absence"] {
                if let Some(item) = source_table.and_then(|x| x.get(key)) {
                    table.insert(key, item.clone());
                }
            }
            let mut shift = toml_edit::InlineTable::new();
            shift.insert("start", label(start).into());
            shift.insert("end", label(start + template.length).into());
            table.insert("shift", toml_edit::value(shift));
            let mut breaks = toml_edit::Array::new();
            for (k, placed) in s.breaks.iter().enumerate() {
                let rule = &template.breaks[k];
                let mut starts = toml_edit::Array::new();
                for &(offset, agents) in placed {
                    for _ in 0..agents {
                        starts.push(label(start + offset as f64 * slot));
                    }
                }
                let mut b = toml_edit::InlineTable::new();
                b.insert("starts", toml_edit::Value::Array(starts));
                b.insert("duration", Duration(rule.duration).label().into());
                b.insert("presence", scenario.presences[rule.presence.0 as usize].name.clone().into());
                breaks.push(toml_edit::Value::InlineTable(b));
            }
            if !breaks.is_empty() {
                table.insert("breaks", toml_edit::value(breaks));
            }
            table.insert("cost_per_hour", toml_edit::value(template.cost_per_hour));
            tables.push(table);
        }
    }
    Ok(doc.to_string())
}

/// Solves and verifies, round by round; `progress(round)` before each verification.
pub fn schedule(
    source: &ScenarioSource,
    scenario: &Scenario,
    requirement: &Requirement,
    verify_replications: u32,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Plan, ScheduleError> {
    let slot = requirement.slot;
    let slots = requirement.groups.first().map_or(0, |g| g.1.len());
    if scenario.checks.is_empty() {
        return Err(ScheduleError::Input(
            "nothing to verify: the scenario has no [[check]]; expected a gate such as\n[[check]]\nmetric = \"service_level\"\nmin = 0.8\nevery_interval = true".into(),
        ));
    }
    for c in &scenario.checks {
        if matches!(c.intervals, CheckIntervals::Chosen(_)) {
            return Err(ScheduleError::Input(format!(
                "check on {}: schedule judges a gate per slot or over the whole run; expected every_interval or neither",
                c.metric
            )));
        }
        if gates::scope_kind(&c.scope) == ScopeKind::AgentGroup
            && requirement.groups.iter().any(|(g, _)| scenario.agent_groups[g.index()].name == c.name)
        {
            return Err(ScheduleError::Input(format!(
                "check on agent group {}: the schedule replaces that group by its shifts' groups; expected gates on queues, channels, work streams or all",
                c.name
            )));
        }
    }
    let covered = requirement.groups.len();
    let mut groups: Vec<GroupSchedule> = requirement
        .groups
        .iter()
        .map(|(g, r)| {
            let templates = templates_for(scenario, *g, covered, slot)?;
            if templates.is_empty() {
                return Err(ScheduleError::Input(format!(
                    "no [[shift_template]] covers agent group {}; expected templates with group = \"{}\"",
                    scenario.agent_groups[g.index()].name,
                    scenario.agent_groups[g.index()].name
                )));
            }
            Ok(GroupSchedule { group: *g, templates, shifts: Vec::new(), cost: 0.0, requirement: r.clone() })
        })
        .collect::<Result<_, _>>()?;
    let by_slot = Settings { slot_of_day: Some(slot), ..settings.clone() };
    let mut round = 0;
    loop {
        for gs in &mut groups {
            let plain: Vec<Template> = gs.templates.iter().map(|(_, t)| t.clone()).collect();
            let (shifts, cost) = roster::solve(&gs.requirement, slot / 3600.0, &plain).map_err(|e| {
                ScheduleError::Input(format!(
                    "agent group {}: {}",
                    scenario.agent_groups[gs.group.index()].name,
                    match e {
                        roster::RosterError::Uncovered(j) => format!(
                            "no template covers the slot at {}, which needs agents; expected a template whose shifts cover it",
                            SimTime(j as f64 * slot).clock_label()
                        ),
                        other => other.to_string(),
                    }
                ))
            })?;
            gs.shifts = shifts;
            gs.cost = cost;
        }
        let text = rostered_toml(&source.text, scenario, &groups, slot).map_err(ScheduleError::Input)?;
        let mut rostered =
            ScenarioSource { text: text.clone(), file: "rostered.toml".into(), base_dir: source.base_dir.clone() }
                .scenario()
                .map_err(|e| ScheduleError::Input(format!("the rostered scenario is invalid: {e}")))?;
        rostered.simulation.seed = round_seed(scenario.simulation.seed, round);
        rostered.simulation.replications = verify_replications;
        let mut judged = rostered.clone();
        judged.simulation.interval = Duration(slot);
        progress(round + 1);
        let verification = try_run_replications(&judged, &by_slot, &|_| {})?;
        let gate_error = |e: staff::StaffError| ScheduleError::Input(e.to_string());
        let slot_gates = staff::slot_gates(&verification, scenario, slots).map_err(gate_error)?;
        let whole: Vec<Check> =
            scenario.checks.iter().filter(|c| c.intervals == CheckIntervals::Whole).cloned().collect();
        let whole_gates = gates::assertions(&verification, &whole).map_err(|e| ScheduleError::Input(e.message))?;
        let failing = staff::failing_slots(&verification, scenario, slots, 0.0).map_err(gate_error)?;
        round += 1;
        let done = failing.is_empty() || round == ROUNDS;
        if done {
            let text = {
                let mut doc: toml_edit::DocumentMut =
                    text.parse().map_err(|e: toml_edit::TomlError| ScheduleError::Input(e.to_string()))?;
                let sim = doc.entry("simulation").or_insert(toml_edit::table());
                if let Some(sim) = sim.as_table_like_mut() {
                    sim.insert("seed", toml_edit::value(rostered.simulation.seed as i64));
                    sim.insert("replications", toml_edit::value(i64::from(verify_replications)));
                }
                doc.to_string()
            };
            let verification = if rostered.simulation.interval.0 == slot {
                verification
            } else {
                try_run_replications(&rostered, settings, &|_| {})?
            };
            let mut failing_slots: Vec<usize> = failing.iter().map(|f| f.0).collect();
            failing_slots.sort_unstable();
            failing_slots.dedup();
            return Ok(Plan {
                groups,
                rostered_text: text,
                rostered,
                verification,
                slot_gates,
                whole_gates,
                rounds: round,
                failing: failing_slots,
                slot,
            });
        }
        raise(&mut groups, &failing, scenario);
    }
}

/// One agent more in each failing slot, for every covered group serving the gate's scope.
fn raise(groups: &mut [GroupSchedule], failing: &[(usize, FailingScope)], scenario: &Scenario) {
    for (slot, scope) in failing {
        for gs in groups.iter_mut().filter(|gs| staff::serves(scenario, gs.group, scope)) {
            gs.requirement[*slot] += 1;
        }
    }
}

/// Reads a requirement file.
pub fn requirement_file(path: &Path, scenario: &Scenario) -> Result<Requirement, ScheduleError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScheduleError::Input(format!("{}: cannot be read: {e}", path.display())))?;
    read_requirement(&text, scenario, &path.display().to_string())
}
