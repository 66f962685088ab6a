//! Agent groups as the resolver checks them: count, capacity, queues, shifts and breaks, offers,
//! picks, absence; and the custom presences they use.

use std::collections::BTreeMap;

use crate::scenario::raw::Spanned;

use super::*;
use crate::scenario::distribution::Support;
use crate::scenario::model::*;
use crate::scenario::profile::Profile;
use crate::scenario::raw::{self, RawAgentGroup};

/// What an agent group's keys name, checked before the groups: its queues, presences, capacity
/// profiles and skills; and the simulation its staffing is laid on.
pub(super) struct Roster<'a> {
    pub queue_ids: &'a BTreeMap<String, QueueId>,
    pub presences: &'a [Presence],
    pub profiles: &'a [CapacityProfile],
    pub skills: &'a [String],
    pub sim: &'a Simulation,
}

impl Resolver<'_> {
    pub(super) fn agent_group(&self, g: &RawAgentGroup, roster: &Roster) -> Result<AgentGroup> {
        let Roster { queue_ids, presences, profiles, sim, .. } = *roster;
        let key = format!("agent_group.{}", g.name.get_ref());
        let staffing = self.staffing(g, &key)?.map(|p| p.turned(sim.weekday_offset() as f64 * DAY));
        let count = match (&g.count, &staffing) {
            (Some(c), _) => {
                let count = *c.get_ref();
                if count < 0 || count as u64 > limits::AGENTS {
                    return Err(self.at(
                        c,
                        format!("{key}.count"),
                        format!("{count} agents; expected an integer from 0 to {}", limits::AGENTS),
                    ));
                }
                count
            }
            (None, Some(profile)) => profile.max() as i64,
            (None, None) => {
                return Err(self.at(
                    &g.name,
                    format!("{key}.count"),
                    "missing; expected count (agents on the group's shifts) or staffing (agents on duty in each slot)",
                ));
            }
        };
        let capacity = self.capacity(&g.capacity, format!("{key}.capacity"))?;
        if g.queues.get_ref().is_empty() {
            return Err(self.at(
                &g.queues,
                format!("{key}.queues"),
                "no queues; expected the names of the queues this group serves",
            ));
        }
        let mut queues = Vec::new();
        for q in g.queues.get_ref() {
            let id = *queue_ids.get(q.get_ref()).ok_or_else(|| {
                self.at(
                    q,
                    format!("{key}.queues"),
                    format!("no queue is named \"{}\"; expected one of {}", q.get_ref(), list(queue_ids.keys())),
                )
            })?;
            if !queues.contains(&id) {
                queues.push(id);
            }
        }
        let time = |t: &Spanned<String>, field: &str| {
            parse_time_of_day(t.get_ref()).map_err(|e| self.at(t, format!("{key}.{field}"), e))
        };
        let mut shifts = Vec::new();
        let mut all_day = false;
        // An empty list would read as "no shift": around the clock, the opposite of what it says.
        if let Some(list) = g.shift.as_ref().filter(|s| s.get_ref().0.is_empty()) {
            return Err(self.at(
                list,
                format!("{key}.shift"),
                "an empty list of shifts; expected at least one { start, end } (leave shift out for a group staffed around the clock)",
            ));
        }
        for s in g.shift.as_ref().map_or(&[][..], |s| &s.get_ref().0[..]) {
            let (start, end) = (time(&s.start, "shift.start")?, time(&s.end, "shift.end")?);
            // A shift that starts where it ends covers the whole day.
            if (start - end).abs() < 1e-9 || (start == 0.0 && end == DAY) {
                all_day = true;
            } else {
                shifts.push(Shift { start: start % DAY, end: end % DAY });
            }
        }
        if all_day {
            shifts.clear();
        }
        let mut breaks = Vec::new();
        for b in &g.breaks {
            let duration = b.duration.get_ref().0;
            if duration <= 0.0 || duration >= DAY {
                return Err(self.at(
                    &b.duration,
                    format!("{key}.breaks.duration"),
                    format!("{}; expected a duration above 0 and under 24h", b.duration.get_ref()),
                ));
            }
            let presence = match &b.presence {
                None => PresenceId(BasePresence::Away as u16),
                Some(p) => PresenceId(presences.iter().position(|x| &x.name == p.get_ref()).ok_or_else(|| {
                    self.at(
                        p,
                        format!("{key}.breaks.presence"),
                        format!(
                            "no presence is named \"{}\"; expected a base presence or a [[presence]] name: {}",
                            p.get_ref(),
                            list(presences.iter().map(|x| &x.name))
                        ),
                    )
                })? as u16),
            };
            let (starts, at, field) = self.break_starts(b, count as u32, &key)?;
            let on_break = Break { starts: starts.into(), duration, presence };
            if !shifts.is_empty() && !shifts.iter().any(|s| overlaps(s, &on_break)) {
                self.warn_at(
                    Some(at),
                    format!("{key}.breaks.{field}"),
                    format!(
                        "the break at {} lies outside every shift of the group ({}), so nobody takes it",
                        SimTime(on_break.starts[0]).clock_label(),
                        shifts
                            .iter()
                            .map(|s| format!("{}–{}", SimTime(s.start).clock_label(), SimTime(s.end).clock_label()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            breaks.push(on_break);
        }
        let offer = match &g.offer {
            None => None,
            Some(o) => {
                let raw = o.get_ref();
                let okey = format!("{key}.offer");
                let check = |v: Option<f64>, field: &str| -> Result<Option<f64>> {
                    match v {
                        Some(p) if !(0.0..=1.0).contains(&p) => Err(self.at(
                            o,
                            format!("{okey}.{field}"),
                            format!("{p}; expected a probability between 0 and 1"),
                        )),
                        other => Ok(other),
                    }
                };
                let reject = check(raw.reject, "reject")?.unwrap_or(0.0);
                let accept = check(raw.accept, "accept")?.unwrap_or(1.0 - reject);
                if accept + reject > 1.0 + 1e-9 {
                    return Err(self.at(
                        o,
                        okey,
                        format!(
                            "accept {accept} + reject {reject} is above 1; expected at most 1 (the rest times out)"
                        ),
                    ));
                }
                Some(OfferBehaviour {
                    accept,
                    reject,
                    response_time: match &raw.response_time {
                        Some(d) => self.distribution(d, format!("{okey}.response_time"), Support::NonNegative)?,
                        None => Distribution::Constant(0.0),
                    },
                    timeout: raw.timeout.unwrap_or(Duration(120.0)),
                    timeout_sets_inactive: raw.timeout_sets_inactive.unwrap_or(false),
                    reject_sets_dnd: raw.reject_sets_dnd.unwrap_or(false),
                    presence_reset: raw.presence_reset.unwrap_or(Duration(300.0)),
                })
            }
        };
        let pick = PickBehaviour {
            every: match g.pick.as_ref().and_then(|p| p.every.as_ref()) {
                Some(d) => self.distribution(d, format!("{key}.pick.every"), Support::NonNegative)?,
                None => Distribution::Constant(30.0),
            },
            policy: g.pick.as_ref().and_then(|p| p.policy).unwrap_or(PickPolicy::Oldest),
            respect_capacity: g.pick.as_ref().and_then(|p| p.respect_capacity).unwrap_or(true),
        };
        if !pick.immediate() && pick.every.mean() <= 0.0 {
            return Err(self.error_at(
                None,
                format!("{key}.pick.every"),
                "a polling period with mean 0; expected \"0s\" or a positive period",
            ));
        }
        let absence = match &g.absence {
            Some(a) => self.probability(a, format!("{key}.absence"))?,
            None => 0.0,
        };
        let cost_per_hour = match &g.cost_per_hour {
            None => 1.0,
            Some(c) if c.get_ref().is_finite() && *c.get_ref() >= 0.0 && *c.get_ref() <= 1e9 => *c.get_ref(),
            Some(c) => {
                return Err(self.at(
                    c,
                    format!("{key}.cost_per_hour"),
                    format!("{}; expected a cost from 0 to 1000000000 an hour", c.get_ref()),
                ));
            }
        };
        Ok(AgentGroup {
            name: g.name.get_ref().clone(),
            count: count as u32,
            capacity,
            profile_limits: self.profile_limits(&g.capacity_profiles, profiles, &key)?,
            skills: self.group_skills(&g.skills, roster.skills, &key)?,
            queues,
            shifts,
            staffing,
            breaks,
            offer,
            pick,
            absence,
            cost_per_hour,
        })
    }

    /// The `[[capacity_profile]]` tables: at most [`CapacityProfile::MOST`], each with a limit.
    pub(super) fn capacity_profiles(&self, raw: &[raw::RawCapacityProfile]) -> Result<Vec<CapacityProfile>> {
        self.names::<ProfileId>("capacity_profile", raw.iter().map(|p| &p.name))?;
        if let Some(extra) = raw.get(CapacityProfile::MOST) {
            return Err(self.at(
                &extra.name,
                "capacity_profile",
                format!("{} capacity profiles; expected at most {}", raw.len(), CapacityProfile::MOST),
            ));
        }
        raw.iter()
            .map(|p| {
                let key = format!("capacity_profile.{}.limit", p.name.get_ref());
                Ok(CapacityProfile {
                    name: p.name.get_ref().clone(),
                    limit: self.profile_limit(&p.limit, key)?,
                    block_others: p.block_others.unwrap_or(false),
                })
            })
            .collect()
    }

    fn profile_limit(&self, limit: &Spanned<i64>, key: String) -> Result<u32> {
        let most = CapacityProfile::MOST_LIMIT;
        match *limit.get_ref() {
            n if (1..=i64::from(most)).contains(&n) => Ok(n as u32),
            n => Err(self.at(limit, key, format!("{n}; expected an integer from 1 to {most} conversations"))),
        }
    }

    /// A group's `capacity_profiles`: its own limits of known profiles, the others' by default.
    fn profile_limits(
        &self,
        given: &Option<Spanned<BTreeMap<String, Spanned<i64>>>>,
        profiles: &[CapacityProfile],
        key: &str,
    ) -> Result<Vec<u32>> {
        let mut limits: Vec<u32> = profiles.iter().map(|p| p.limit).collect();
        for (name, limit) in given.as_ref().map(|g| g.get_ref().iter()).into_iter().flatten() {
            let key = format!("{key}.capacity_profiles.{name}");
            let Some(p) = profiles.iter().position(|p| &p.name == name) else {
                return Err(self.at(
                    limit,
                    key,
                    format!(
                        "no capacity profile is named \"{name}\"; expected one of {}",
                        list(profiles.iter().map(|p| &p.name))
                    ),
                ));
            };
            limits[p] = self.profile_limit(limit, key)?;
        }
        Ok(limits)
    }

    /// A break's starts (seconds of the day): `start` for the whole group, `starts` one per agent
    /// in roster order, or a `window` the agents' breaks are spread evenly over in roster order
    /// (the first at its start, the last ending at its end, on whole minutes); with where it was
    /// written and its key.
    fn break_starts(
        &self,
        b: &raw::RawBreak,
        count: u32,
        key: &str,
    ) -> Result<(Vec<f64>, std::ops::Range<usize>, &'static str)> {
        let time = |t: &str, span: std::ops::Range<usize>, field: &str| {
            parse_time_of_day(t)
                .map(|s| s % DAY)
                .map_err(|e| self.error_at(Some(span), format!("{key}.breaks.{field}"), e))
        };
        let duration = b.duration.get_ref().0;
        match (&b.start, &b.window, &b.starts) {
            (Some(start), None, None) => {
                Ok((vec![time(start.get_ref(), start.span(), "start")?], start.span(), "start"))
            }
            (None, Some(window), None) => {
                let [from, to] = window.get_ref().as_slice() else {
                    return Err(self.at(
                        window,
                        format!("{key}.breaks.window"),
                        format!("{} times; expected two, the window's start and end: [\"11:30\", \"14:00\"]", window.get_ref().len()),
                    ));
                };
                let (from, mut to) = (time(from, window.span(), "window")?, time(to, window.span(), "window")?);
                if to <= from {
                    to += DAY;
                }
                if duration > to - from {
                    return Err(self.at(
                        window,
                        format!("{key}.breaks.window"),
                        format!(
                            "a break of {} does not fit in a window of {}; expected a window at least as long as the break",
                            b.duration.get_ref().label(),
                            Duration(to - from).label()
                        ),
                    ));
                }
                let room = to - duration - from;
                let starts = (0..count.max(1))
                    .map(|i| {
                        let share = if count > 1 { f64::from(i) / f64::from(count - 1) } else { 0.0 };
                        ((from + room * share) / 60.0).floor() * 60.0 % DAY
                    })
                    .collect();
                Ok((starts, window.span(), "window"))
            }
            (None, None, Some(list)) => {
                if list.get_ref().len() != count as usize {
                    return Err(self.at(
                        list,
                        format!("{key}.breaks.starts"),
                        format!(
                            "{} starts for {count} agents; expected one start per agent of the group, in roster order",
                            list.get_ref().len()
                        ),
                    ));
                }
                let starts = list.get_ref().iter().map(|t| time(t, list.span(), "starts")).collect::<Result<_>>()?;
                Ok((starts, list.span(), "starts"))
            }
            _ => Err(self.error_at(
                Some(b.duration.span()),
                format!("{key}.breaks"),
                "expected exactly one of start (the whole group at once), window (spread over the agents) or starts (one per agent)",
            )),
        }
    }

    /// `staffing`: a profile of whole numbers of agents ≥ 0, instead of `count` and `shift`.
    fn staffing(&self, g: &RawAgentGroup, key: &str) -> Result<Option<Profile>> {
        let Some(list) = &g.staffing else { return Ok(None) };
        let key = format!("{key}.staffing");
        for (other, span) in
            [("count", g.count.as_ref().map(|c| c.span())), ("shift", g.shift.as_ref().map(|s| s.span()))]
        {
            if span.is_some() {
                return Err(self.at(
                    list,
                    key,
                    format!("both staffing and {other}; expected one of them (staffing gives the agents on duty in each slot, in place of count and shift)"),
                ));
            }
        }
        for v in list.get_ref() {
            let n = *v.get_ref();
            if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n as u64 <= limits::AGENTS) {
                return Err(self.at(
                    v,
                    key,
                    format!("{n} agents; expected a whole number of agents from 0 to {}", limits::AGENTS),
                ));
            }
        }
        let values = list.get_ref().iter().map(|v| *v.get_ref()).collect();
        Profile::new(values).map(Some).map_err(|e| self.at(list, key, e))
    }

    /// The base presences, then the custom ones, each with a unique name.
    pub(super) fn presences(&self, raw: &[raw::RawPresence]) -> Result<Vec<Presence>> {
        let mut presences: Vec<Presence> =
            BasePresence::ALL.iter().map(|&base| Presence { name: base.name().to_string(), base }).collect();
        for p in raw {
            let name = p.name.get_ref();
            if name.trim().is_empty() {
                return Err(self.at(&p.name, "presence.name", "the name is empty; expected a non-empty name"));
            }
            if presences.iter().any(|x| &x.name == name) {
                return Err(self.at(
                    &p.name,
                    format!("presence.{name}"),
                    format!("the presence \"{name}\" is declared twice or is a base presence; expected a new name"),
                ));
            }
            presences.push(Presence { name: name.clone(), base: p.base });
        }
        Ok(presences)
    }
}

/// Whether a break and a shift share some time of day (both repeat daily; either may run past
/// midnight).
fn overlaps(shift: &Shift, b: &Break) -> bool {
    let end = if shift.end <= shift.start { shift.end + DAY } else { shift.end };
    // The shift on the day before, the day itself and the day after, against each start.
    b.starts
        .iter()
        .any(|&start| [-DAY, 0.0, DAY].iter().any(|day| shift.start + day < start + b.duration && start < end + day))
}
