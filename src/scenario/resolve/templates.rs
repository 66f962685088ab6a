//! `[[shift_template]]` as the resolver checks it: starts, length, days, breaks inside the shift
//! and apart from each other, cost, counts, the group it covers, and its agent keys as an
//! `[[agent_group]]` would have them.

use crate::scenario::raw::Spanned;

use super::*;
use crate::scenario::model::*;
use crate::scenario::raw::{RawAgentGroup, RawShiftTemplate, RawTemplateStarts};
use crate::time::WEEKDAYS;

impl Resolver<'_> {
    pub(super) fn shift_template(
        &self,
        t: RawShiftTemplate,
        roster: &super::agents::Roster,
        groups: &[AgentGroup],
    ) -> Result<ShiftTemplate> {
        let presences = roster.presences;
        let key = format!("shift_template.{}", t.name.get_ref());
        let length = t.length.get_ref().0;
        if !(length > 0.0 && length <= DAY) {
            return Err(self.at(
                &t.length,
                format!("{key}.length"),
                format!("{}; expected a shift above 0 and at most 24h long", t.length.get_ref().label()),
            ));
        }
        let time = |text: &str, field: &str| {
            parse_time_of_day(text).map(|s| s % DAY).map_err(|e| self.at(&t.start, format!("{key}.start.{field}"), e))
        };
        let starts = match t.start.get_ref() {
            RawTemplateStarts::List(list) => {
                let mut starts = list.iter().map(|s| time(s, "")).collect::<Result<Vec<f64>>>()?;
                starts.sort_by(f64::total_cmp);
                starts.dedup();
                starts
            }
            RawTemplateStarts::Range { from, to, every } => {
                let (from, mut to) = (time(from, "from")?, time(to, "to")?);
                if to < from {
                    to += DAY;
                }
                if every.0 <= 0.0 {
                    return Err(self.at(&t.start, format!("{key}.start.every"), "0s; expected a step above 0"));
                }
                let n = ((to - from) / every.0 + 1e-9).floor() as usize + 1;
                (0..n).map(|i| (from + i as f64 * every.0) % DAY).collect()
            }
        };
        if starts.is_empty() {
            return Err(self.at(&t.start, format!("{key}.start"), "no start; expected at least one start time"));
        }
        let mut days = [true; 7];
        if let Some(list) = &t.days {
            days = [false; 7];
            for d in list.get_ref() {
                let i = WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(d)).ok_or_else(|| {
                    self.at(
                        list,
                        format!("{key}.days"),
                        format!("\"{d}\" is not a day; expected mon, tue, wed, thu, fri, sat or sun"),
                    )
                })?;
                days[i] = true;
            }
        }
        let mut breaks: Vec<TemplateBreak> = Vec::new();
        for b in &t.breaks {
            let (raw, at) = (b.get_ref(), b.span());
            let (from, to, duration) = (raw.window[0].0, raw.window[1].0, raw.duration.0);
            if !(from < to && to <= length) {
                return Err(self.error_at(
                    Some(at),
                    format!("{key}.breaks.window"),
                    format!(
                        "a window from {} to {} into a shift of {}; expected a window inside the shift",
                        raw.window[0].label(),
                        raw.window[1].label(),
                        t.length.get_ref().label()
                    ),
                ));
            }
            if !(duration > 0.0 && duration <= to - from) {
                return Err(self.error_at(
                    Some(at),
                    format!("{key}.breaks.duration"),
                    format!(
                        "a break of {} in a window of {}; expected a break above 0 that fits in its window",
                        raw.duration.label(),
                        Duration(to - from).label()
                    ),
                ));
            }
            if let Some(other) = breaks.iter().find(|o| o.window.0 < to && from < o.window.1) {
                return Err(self.error_at(
                    Some(at),
                    format!("{key}.breaks.window"),
                    format!(
                        "the window from {} to {} overlaps the one from {} to {}; expected breaks apart from each other",
                        raw.window[0].label(),
                        raw.window[1].label(),
                        Duration(other.window.0).label(),
                        Duration(other.window.1).label()
                    ),
                ));
            }
            let presence = match &raw.presence {
                None => PresenceId(BasePresence::Away as u16),
                Some(p) => PresenceId(presences.iter().position(|x| &x.name == p).ok_or_else(|| {
                    self.error_at(
                        Some(at.clone()),
                        format!("{key}.breaks.presence"),
                        format!(
                            "no presence is named \"{p}\"; expected a base presence or a [[presence]] name: {}",
                            list(presences.iter().map(|x| &x.name))
                        ),
                    )
                })? as u16),
            };
            breaks.push(TemplateBreak { window: (from, to), duration, presence });
        }
        let cost_per_hour = match &t.cost_per_hour {
            None => 1.0,
            Some(c) if c.get_ref().is_finite() && *c.get_ref() >= 0.0 => *c.get_ref(),
            Some(c) => {
                return Err(self.at(
                    c,
                    format!("{key}.cost_per_hour"),
                    format!("{}; expected a cost of 0 or more", c.get_ref()),
                ));
            }
        };
        let count = |v: &Option<Spanned<i64>>, field: &str| -> Result<Option<u32>> {
            match v {
                None => Ok(None),
                Some(n) if (0..=limits::AGENTS as i64).contains(n.get_ref()) => Ok(Some(*n.get_ref() as u32)),
                Some(n) => Err(self.at(
                    n,
                    format!("{key}.{field}"),
                    format!("{}; expected a whole number of agents from 0 to {}", n.get_ref(), limits::AGENTS),
                )),
            }
        };
        let (min, max) = (count(&t.min, "min")?.unwrap_or(0), count(&t.max, "max")?);
        if let (Some(max), Some(span)) = (max.filter(|&m| m < min), &t.max) {
            return Err(self.at(span, format!("{key}.max"), format!("{max}, below min ({min}); expected max ≥ min")));
        }
        let group = match &t.group {
            None => None,
            Some(g) => Some(GroupId(groups.iter().position(|x| &x.name == g.get_ref()).ok_or_else(|| {
                self.at(
                    g,
                    format!("{key}.group"),
                    format!(
                        "no agent group is named \"{}\"; expected the group whose requirement the template covers: {}",
                        g.get_ref(),
                        list(groups.iter().map(|x| &x.name))
                    ),
                )
            })? as u16)),
        };
        // The agent keys, checked as an [[agent_group]] of no agents would be.
        let as_group = RawAgentGroup {
            name: t.name.clone(),
            count: Some(Spanned::new(t.name.span(), 0)),
            staffing: None,
            capacity: t.capacity,
            queues: t.queues,
            shift: None,
            breaks: Vec::new(),
            offer: t.offer,
            pick: t.pick,
            absence: t.absence,
            cost_per_hour: None,
            capacity_profiles: t.capacity_profiles,
            skills: t.skills,
        };
        let mut agents = self.agent_group(&as_group, roster)?;
        agents.cost_per_hour = cost_per_hour;
        Ok(ShiftTemplate {
            name: t.name.into_inner(),
            starts,
            length,
            days,
            breaks,
            cost_per_hour,
            min,
            max,
            group,
            agents,
        })
    }
}
