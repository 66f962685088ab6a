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
//!
//! The schedule covers a day, or a week when the requirement is weekly or a template is worked on
//! some days only ([`over_a_week`]): a daily requirement then holds every day, each template is
//! one per day it is worked, and each rostered group is one shift of one day, on duty by a weekly
//! staffing profile.

use std::path::Path;

use super::roster::{self, BreakRule, Shift, Template};
use super::staff::{self, FailingScope, SlotGate};
use super::{Settings, Stopped, try_run_replications};
use crate::metrics::gates::{self, Verdict};
use crate::metrics::{RunResults, ScopeKind};
use crate::scenario::{Check, CheckIntervals, GroupId, Scenario, ScenarioSource};
use crate::time::{DAY, Duration, SimTime, SlotCycle, WEEKDAYS};

/// The most rounds of solving and verifying.
pub const ROUNDS: usize = 20;

/// A staffing requirement: agents per slot of a day or a week, per covered group.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    pub cycle: SlotCycle,
    pub groups: Vec<(GroupId, Vec<u32>)>,
}

impl Requirement {
    /// The same requirement over a week: a daily one holds every day.
    pub fn weekly(self) -> Requirement {
        if self.cycle.is_weekly() {
            return self;
        }
        Requirement {
            cycle: SlotCycle::weekly(self.cycle.slot),
            groups: self.groups.into_iter().map(|(g, r)| (g, r.repeat(7))).collect(),
        }
    }
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
    let mut weekly = None;
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let r = record.map_err(|e| input(format!("line {line}: {e}")))?;
        let (at, named_day) = SlotCycle::parse_label(&r[slot_start]).map_err(|e| input(format!("line {line}: {e}")))?;
        if *weekly.get_or_insert(named_day) != named_day {
            return Err(input(format!(
                "line {line}: slot_start \"{}\"; expected every row labelled alike, all \"HH:MM\" (a day) or all \"mon HH:MM\" (a week)",
                &r[slot_start]
            )));
        }
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
    let Some(per_cycle) = groups.first().map(|(_, rows)| rows.len()) else { return Err(input("no rows".into())) };
    let (days, cycle) = if weekly == Some(true) {
        (7, SlotCycle::weekly(SlotCycle::WEEK / per_cycle as f64))
    } else {
        (1, SlotCycle::daily(DAY / per_cycle as f64))
    };
    if ![900.0, 1800.0, 3600.0].contains(&cycle.slot) {
        let each = |n: usize| n * days;
        return Err(input(format!(
            "{per_cycle} slots a {}; expected {}, {} or {}",
            if days == 7 { "week" } else { "day" },
            each(24),
            each(48),
            each(96)
        )));
    }
    let mut out = Vec::new();
    for (g, mut rows) in groups {
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        if rows.len() != per_cycle || rows.iter().enumerate().any(|(j, r)| (r.0 - j as f64 * cycle.slot).abs() > 1e-6) {
            return Err(input(format!(
                "group {}: expected one row per slot of {} from {}",
                scenario.agent_groups[g.index()].name,
                Duration(cycle.slot).label(),
                cycle.label(0)
            )));
        }
        out.push((g, rows.into_iter().map(|r| r.1).collect()));
    }
    Ok(Requirement { cycle, groups: out })
}

/// The templates that cover group `g` (its own, or every one without a group when the scenario
/// names no other), on the slot grid; with their indices in the scenario. Over a week, a template
/// is one per day it is worked, its `min` and `max` bounding that day's agents.
pub fn templates_for(
    scenario: &Scenario,
    g: GroupId,
    covered: usize,
    cycle: SlotCycle,
) -> Result<Vec<(usize, Template)>, ScheduleError> {
    let slot = cycle.slot;
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
        let template = |day: usize| Template {
            name: t.name.clone(),
            starts: t.starts.iter().map(|s| day * cycle.per_day() + (s / slot).round() as usize).collect(),
            length: (t.length / slot).round() as usize,
            breaks: breaks.clone(),
            cost_per_hour: t.cost_per_hour,
            min: t.min,
            max: t.max,
        };
        if cycle.is_weekly() {
            out.extend((0..7).filter(|&d| t.days[d]).map(|d| (i, template(d))));
        } else {
            out.push((i, template(0)));
        }
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
    pub cycle: SlotCycle,
    /// Per covered group, the requirement as given (over the week when the plan is weekly),
    /// before any round raised it.
    pub required: Vec<Vec<u32>>,
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

/// The rostered scenario's text: `source` without its templates, and with each covered group's
/// table replaced by one per (template, start), named `<template>_<HHMM>`, with `count`, a
/// `shift`, the template's agent keys and the breaks placed, one start per agent in roster order.
/// Over a week, one per (template, day, start), named `<template>_<ddd>_<HHMM>`, with a weekly
/// `staffing` profile that puts its agents on duty for that one shift instead of `count` and
/// `shift`.
pub fn rostered_toml(
    source: &str,
    scenario: &Scenario,
    groups: &[GroupSchedule],
    cycle: SlotCycle,
) -> Result<String, String> {
    let slot = cycle.slot;
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
            let name = match cycle.is_weekly() {
                true => format!("{}_{}_{}", t.name, WEEKDAYS[s.start / cycle.per_day()], label(start).replace(':', "")),
                false => format!("{}_{}", t.name, label(start).replace(':', "")),
            };
            table.insert("name", toml_edit::value(name));
            let source_table =
                template_tables.iter().find(|x| x.get("name").and_then(|n| n.as_str()) == Some(template.name.as_str()));
            for key in ["capacity", "queues", "offer", "pick", "absence"] {
                if let Some(item) = source_table.and_then(|x| x.get(key)) {
                    table.insert(key, item.clone());
                }
            }
            if cycle.is_weekly() {
                // One line a day, Monday first.
                let mut staffing = toml_edit::Array::new();
                for j in 0..cycle.count() {
                    let on = (j + cycle.count() - s.start) % cycle.count() < t.length;
                    let mut value = toml_edit::Value::from(if on { i64::from(s.agents) } else { 0 });
                    if j % cycle.per_day() == 0 {
                        value.decor_mut().set_prefix("\n    ");
                    }
                    staffing.push_formatted(value);
                }
                staffing.set_trailing("\n");
                staffing.set_trailing_comma(true);
                table.insert("staffing", toml_edit::value(staffing));
            } else {
                table.insert("count", toml_edit::value(i64::from(s.agents)));
                let mut shift = toml_edit::InlineTable::new();
                shift.insert("start", label(start).into());
                shift.insert("end", label(start + template.length).into());
                table.insert("shift", toml_edit::value(shift));
            }
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
    let covered: Vec<GroupId> = requirement.groups.iter().map(|(g, _)| *g).collect();
    let weekly = over_a_week(scenario, &covered, requirement.cycle.is_weekly())?;
    let requirement = &if weekly { requirement.clone().weekly() } else { requirement.clone() };
    let cycle = requirement.cycle;
    let slot = cycle.slot;
    let slots = cycle.count();
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
            let templates = templates_for(scenario, *g, covered, cycle)?;
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
    let by_slot = Settings { slots: Some(cycle), ..settings.clone() };
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
                            cycle.label(j)
                        ),
                        other => other.to_string(),
                    }
                ))
            })?;
            gs.shifts = shifts;
            gs.cost = cost;
        }
        let text = rostered_toml(&source.text, scenario, &groups, cycle).map_err(ScheduleError::Input)?;
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
                cycle,
                required: requirement.groups.iter().map(|(_, r)| r.clone()).collect(),
            });
        }
        raise(&mut groups, &failing, scenario);
    }
}

/// Whether the schedule of `groups` runs over a week: when the requirement is weekly, or a template
/// that covers one of them is worked on some days only. A week is verified on whole weeks: the
/// horizon must hold one.
pub fn over_a_week(scenario: &Scenario, groups: &[GroupId], weekly_requirement: bool) -> Result<bool, ScheduleError> {
    let some_days = scenario
        .shift_templates
        .iter()
        .any(|t| t.days != [true; 7] && groups.iter().any(|g| t.group.is_none_or(|x| x == *g)));
    let weekly = weekly_requirement || some_days;
    if weekly && scenario.simulation.horizon.0 < SlotCycle::WEEK {
        return Err(ScheduleError::Input(format!(
            "simulation.horizon {}: a schedule over a week (a weekly requirement, or a template with days) is verified on whole weeks; expected a horizon of at least 7d",
            scenario.simulation.horizon.label()
        )));
    }
    Ok(weekly)
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
