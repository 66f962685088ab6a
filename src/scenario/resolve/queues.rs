//! `[[queue]]` as the resolver checks it: priority, assignment, threshold, operating hours,
//! overflow rules and transfers (DESIGN.md "Routing, wave 2"); and which queues each work
//! stream's conversations can wait in once overflow and transfers may move them.
//!
//! Decisions where the design is silent: a queue has at most one `waited_at_least` rule; the
//! rules judged on arrival are judged `outside_hours` first, then in the file's order, and only
//! on a conversation's arrival (not when overflow moves it in); an open block is `[start, end)`
//! within one day (`"24:00"` ends at midnight); holidays need `simulation.start`, and one outside
//! the simulated days is a warning.

use std::collections::BTreeMap;

use super::{Resolver, Result, list};
use crate::scenario::model::*;
use crate::scenario::raw::{self, RawHours, RawOverflow, RawQueue, RawTransfer, Spanned};
use crate::time::{DAY, Duration, parse_time_of_day};

/// The most conversations an `open_at_least` condition may name.
const OPEN_AT_MOST: i64 = 1_000_000;

impl Resolver<'_> {
    pub(super) fn queue(&self, q: &RawQueue, queue_ids: &BTreeMap<String, QueueId>, sim: &Simulation) -> Result<Queue> {
        let key = format!("queue.{}", q.name.get_ref());
        let hours = q.hours.as_ref().map(|h| self.hours(h, sim, &format!("{key}.hours"))).transpose()?;
        let mut on_arrival = Vec::new();
        let mut on_wait = None;
        for (i, rule) in q.overflow.iter().enumerate() {
            let rule_key = format!("{key}.overflow[{i}]");
            let overflow = self.overflow(rule, queue_ids, &rule_key, q)?;
            match overflow.when {
                OverflowWhen::OutsideHours if hours.is_none() => {
                    return Err(self.at(
                        &rule.when,
                        format!("{rule_key}.when"),
                        "\"outside_hours\" on a queue without hours; expected hours = { mon = [[\"08:00\", \"17:00\"]], ... } on the queue",
                    ));
                }
                OverflowWhen::WaitedAtLeast(_) if on_wait.is_some() => {
                    return Err(self.at(
                        &rule.when,
                        format!("{rule_key}.when"),
                        "a second waited_at_least rule; expected at most one per queue",
                    ));
                }
                OverflowWhen::WaitedAtLeast(_) => on_wait = Some(overflow),
                _ => on_arrival.push(overflow),
            }
        }
        // Outside hours first (DOMAIN.md §3.6), the others in the file's order.
        on_arrival.sort_by_key(|o| o.when != OverflowWhen::OutsideHours);
        Ok(Queue {
            name: q.name.get_ref().clone(),
            priority: q.priority.unwrap_or(i64::MAX),
            assignment: match q.assignment.unwrap_or(raw::AssignmentMethod::HighestCapacity) {
                raw::AssignmentMethod::HighestCapacity => AssignmentMethod::HighestCapacity,
                raw::AssignmentMethod::RoundRobin => AssignmentMethod::RoundRobin,
                raw::AssignmentMethod::LeastActive => AssignmentMethod::LeastActive,
            },
            service_level_threshold: q.service_level_threshold.unwrap_or(sim.service_level_threshold),
            hours,
            on_arrival,
            on_wait,
            transfer: q
                .transfer
                .as_ref()
                .map(|t| self.transfer(t, queue_ids, &format!("{key}.transfer")))
                .transpose()?,
        })
    }

    /// A `transfer` table: a probability and a known queue.
    pub(super) fn transfer(
        &self,
        raw: &Spanned<RawTransfer>,
        queue_ids: &BTreeMap<String, QueueId>,
        key: &str,
    ) -> Result<Transfer> {
        let t = raw.get_ref();
        let probability = self.probability(&t.probability, format!("{key}.probability"))?;
        let queue = queue_ids.get(t.queue.get_ref()).copied().ok_or_else(|| {
            self.at(
                &t.queue,
                format!("{key}.queue"),
                format!("no queue is named \"{}\"; expected one of {}", t.queue.get_ref(), list(queue_ids.keys())),
            )
        })?;
        Ok(Transfer { probability, queue })
    }

    fn hours(&self, raw: &Spanned<RawHours>, sim: &Simulation, key: &str) -> Result<Hours> {
        let h = raw.get_ref();
        let days = [&h.mon, &h.tue, &h.wed, &h.thu, &h.fri, &h.sat, &h.sun];
        let mut week: [Vec<(f64, f64)>; 7] = Default::default();
        for (d, blocks) in days.iter().enumerate() {
            let Some(blocks) = blocks else { continue };
            let day_key = format!("{key}.{}", crate::time::WEEKDAYS[d]);
            for block in blocks.get_ref() {
                let bad = |why: String| self.at(blocks, day_key.clone(), why);
                let [start, end] = block.as_slice() else {
                    return Err(bad(format!(
                        "a block of {} times; expected [\"start\", \"end\"], e.g. [\"08:00\", \"17:00\"]",
                        block.len()
                    )));
                };
                let start_s = parse_time_of_day(start).map_err(&bad)?;
                let end_s = parse_time_of_day(end).map_err(&bad)?;
                if !(start_s < end_s && end_s <= DAY) {
                    return Err(bad(format!(
                        "open from {start} to {end}; expected a start before the end within the day (\"24:00\" for midnight)"
                    )));
                }
                week[d].push((start_s, end_s));
            }
        }
        let mut holidays = Vec::new();
        if let Some(dates) = &h.holidays {
            let horizon_days = (sim.horizon.0 / DAY).ceil() as i64;
            for value in dates.get_ref() {
                let spanned = Spanned::new(dates.span(), value.clone());
                let Some(start) = sim.start else {
                    return Err(self.at(
                        dates,
                        format!("{key}.holidays"),
                        "dates, but the simulation has no start; expected simulation.start = \"YYYY-MM-DD\", the date of day 1",
                    ));
                };
                let date = self.date(&spanned, &format!("{key}.holidays"))?;
                let day = (date - start).get_days() as i64;
                if !(0..horizon_days).contains(&day) {
                    self.warn_at(
                        Some(dates.span()),
                        format!("{key}.holidays"),
                        format!("{date} is outside the simulated days; it changes nothing"),
                    );
                    continue;
                }
                holidays.push(day as u32);
            }
        }
        holidays.sort_unstable();
        holidays.dedup();
        Ok(Hours { week, first_weekday: sim.weekday_offset(), holidays })
    }

    fn overflow(
        &self,
        rule: &RawOverflow,
        queue_ids: &BTreeMap<String, QueueId>,
        key: &str,
        queue: &RawQueue,
    ) -> Result<Overflow> {
        let expected = "expected \"outside_hours\", { open_at_least = N }, { expected_wait_at_least = T } or { waited_at_least = T }";
        let when_key = format!("{key}.when");
        let bad = |why: String| self.at(&rule.when, when_key.clone(), why);
        let when = match rule.when.get_ref() {
            toml::Value::String(s) if s == "outside_hours" => OverflowWhen::OutsideHours,
            toml::Value::Table(t) if t.len() == 1 => {
                let (name, value) = t.iter().next().expect("one entry");
                let duration = |value: &toml::Value| -> Result<f64> {
                    let d: Duration = value.clone().try_into().map_err(|e: toml::de::Error| {
                        bad(format!("{name}: {}", crate::scenario::plain_types(e.message())))
                    })?;
                    if d.0 > 0.0 { Ok(d.0) } else { Err(bad(format!("{name} = {value}; expected a duration above 0"))) }
                };
                match name.as_str() {
                    "open_at_least" => match value.as_integer() {
                        Some(n) if (1..=OPEN_AT_MOST).contains(&n) => OverflowWhen::OpenAtLeast(n as u32),
                        _ => {
                            return Err(bad(format!(
                                "open_at_least = {value}; expected a whole number of conversations from 1 to {OPEN_AT_MOST}"
                            )));
                        }
                    },
                    "expected_wait_at_least" => OverflowWhen::ExpectedWaitAtLeast(duration(value)?),
                    "waited_at_least" => OverflowWhen::WaitedAtLeast(duration(value)?),
                    other => return Err(bad(format!("`{other}` is not an overflow condition; {expected}"))),
                }
            }
            other => return Err(bad(format!("{other}; {expected}"))),
        };
        let action_key = format!("{key}.action");
        let action = rule.action.get_ref();
        let given =
            [action.queue.is_some(), action.end.is_some(), action.callback.is_some(), action.voicemail.is_some()];
        let one = given.iter().filter(|&&g| g).count() == 1;
        let within = |t: &Spanned<Duration>, name: &str| -> Result<f64> {
            if t.get_ref().0 > 0.0 {
                Ok(t.get_ref().0)
            } else {
                Err(self.at(
                    t,
                    format!("{action_key}.{name}"),
                    "0s; expected how long the work may wait, above 0 (\"7d\")",
                ))
            }
        };
        let action = match (&action.queue, &action.end) {
            _ if !one => {
                return Err(self.at(&rule.action, action_key, EXPECTED_ACTION));
            }
            _ if action.callback.is_some() => {
                OverflowAction::Callback(within(action.callback.as_ref().unwrap(), "callback")?)
            }
            _ if action.voicemail.is_some() => {
                OverflowAction::Voicemail(within(action.voicemail.as_ref().unwrap(), "voicemail")?)
            }
            (Some(target), None) => {
                let id = queue_ids.get(target.get_ref()).copied().ok_or_else(|| {
                    self.at(
                        target,
                        format!("{action_key}.queue"),
                        format!(
                            "no queue is named \"{}\"; expected one of {}",
                            target.get_ref(),
                            list(queue_ids.keys())
                        ),
                    )
                })?;
                if target.get_ref() == queue.name.get_ref() {
                    return Err(self.at(
                        target,
                        format!("{action_key}.queue"),
                        "the queue itself; expected another queue to move conversations to",
                    ));
                }
                OverflowAction::Queue(id)
            }
            (None, Some(end)) if *end.get_ref() => OverflowAction::End,
            _ => return Err(self.at(&rule.action, action_key, EXPECTED_ACTION)),
        };
        Ok(Overflow { when, action })
    }
}

const EXPECTED_ACTION: &str = "expected one action: { queue = NAME } (move the conversation), { end = true } (end it), or for voice { callback = T } or { voicemail = T }";

/// The queues a work stream's conversations can wait in: those its routing names, its transfer's,
/// and every queue overflow or a queue's transfer can move them to from those, sorted.
pub(super) fn reachable(ws: &WorkStream, queues: &[Queue]) -> Vec<QueueId> {
    let mut reached: Vec<QueueId> = ws.routed_queues().chain(ws.transfer.map(|t| t.queue)).collect();
    let mut i = 0;
    while i < reached.len() {
        let q = &queues[reached[i].index()];
        let moves = q.on_arrival.iter().chain(&q.on_wait).filter_map(|rule| match rule.action {
            OverflowAction::Queue(target) => Some(target),
            OverflowAction::End | OverflowAction::Callback(_) | OverflowAction::Voicemail(_) => None,
        });
        for target in moves.chain(q.transfer.map(|t| t.queue)) {
            if !reached.contains(&target) {
                reached.push(target);
            }
        }
        i += 1;
    }
    reached.sort_unstable();
    reached.dedup();
    reached
}
