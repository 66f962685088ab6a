//! Shifts or staffing profiles, breaks and daily absence: what is in force for a group's agents
//! now, and when it next changes (DESIGN.md "Clock": shifts and breaks repeat daily, a shift whose
//! end is before its start runs overnight; "Staffing": with a profile, agent i is on duty while i
//! is below the slot's value, and one going off duty finishes what it holds, as at a shift's end).

use rand::RngExt;

use super::events::EventKind;
use super::{Observer, Replication};
use crate::scenario::GroupId;
use crate::time::{DAY, SimTime};

impl<O: Observer> Replication<'_, O> {
    /// Shifts, breaks and absence in force now for every agent of the group.
    pub(super) fn apply_schedule(&mut self, group: GroupId) {
        let g = &self.scenario.agent_groups[group.index()];
        let second_of_day = self.now.0.rem_euclid(DAY);
        let day = (self.now.0 / DAY).floor() as i64;
        let now = self.now;
        let presences = &self.scenario.presences;
        let absence = g.absence;
        for agent in self.agents_of(group.index()) {
            let new_day = self.agents[agent.index()].absence_day != day;
            let absent = if new_day {
                absence > 0.0 && self.agent_streams[agent.index()].absence.random::<f64>() < absence
            } else {
                self.agents[agent.index()].absent
            };
            self.update_agent(agent, |a| {
                let scheduled_as = g.break_at(a.offset, second_of_day);
                a.on_shift = g.on_duty(a.offset, now);
                a.scheduled = scheduled_as.map(|p| presences[p.0 as usize].base);
                a.scheduled_as = scheduled_as;
                a.absence_day = day;
                a.absent = absent;
            });
        }
    }

    pub(super) fn next_schedule_change(&self, group: GroupId) -> Option<SimTime> {
        let g = &self.scenario.agent_groups[group.index()];
        let mut times = g.schedule_changes();
        if g.absence > 0.0 {
            times.push(0.0);
        }
        let daily = times.into_iter().map(|t| next_time_of_day(self.now, t));
        daily.chain(g.staffing.as_ref().map(|p| p.next_slot(self.now))).min()
    }

    pub(super) fn schedule_change(&mut self, group: GroupId) {
        self.apply_schedule(group);
        if let Some(at) = self.next_schedule_change(group) {
            self.calendar.schedule(at, EventKind::ScheduleChange(group));
        }
        self.assignment_cycle(group, None);
        if self.picks_at_once[group.index()] {
            for agent in self.agents_of(group.index()) {
                self.try_pick(agent, true);
            }
        }
    }
}

/// The first time strictly after `now` at `second_of_day`.
pub(super) fn next_time_of_day(now: SimTime, second_of_day: f64) -> SimTime {
    let day_start = (now.0 / DAY).floor() * DAY;
    let candidate = day_start + second_of_day;
    SimTime(if candidate > now.0 { candidate } else { candidate + DAY })
}
