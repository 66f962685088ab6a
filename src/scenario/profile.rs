//! Profiles: a list of numbers over the day or the week (DESIGN.md "Profiles"). The number of
//! values sets the slot length: 1 value is constant; 24, 48 or 96 values cover one day in hours,
//! half hours or quarter hours, repeating daily; 7 times as many cover a week from Monday 00:00
//! (day 1 is a Monday unless `simulation.start` says otherwise: the resolver turns a weekly profile
//! so that its index 0 is day 1), repeating weekly. A profile is independent of the reporting
//! interval. A forecast file gives a [`Profile::series`]: any number of slots of any length that
//! divides a day, from 00:00 of day 1.

use strength_reduce::StrengthReducedU64;

use crate::time::{DAY, SimTime};

/// A week, in seconds.
pub const WEEK: f64 = 7.0 * DAY;

/// The lengths a profile may have.
pub const LENGTHS: [usize; 7] = [1, 24, 48, 96, 168, 336, 672];

/// A piecewise-constant value over a repeating day or week.
#[derive(Clone, Debug)]
pub struct Profile {
    values: Vec<f64>,
    /// Slot length in seconds; `values.len() * slot` is a day or a week (or a day for 1 value).
    slot: f64,
    /// The number of values, for a remainder by multiplication ([`Profile::value_of_slot`]).
    count: StrengthReducedU64,
}

impl PartialEq for Profile {
    fn eq(&self, other: &Profile) -> bool {
        self.values == other.values && self.slot == other.slot
    }
}

impl Profile {
    /// A profile of `values`, or why their number is not one a profile may have.
    pub fn new(values: Vec<f64>) -> Result<Profile, String> {
        let slot = match values.len() {
            1 => DAY,
            n @ (24 | 48 | 96) => DAY / n as f64,
            n @ (168 | 336 | 672) => 7.0 * DAY / n as f64,
            n => {
                return Err(format!(
                    "{n} values; expected 1 (constant), 24, 48 or 96 (a day in hours, half hours or quarter hours) or 168, 336 or 672 (a week from Monday)"
                ));
            }
        };
        Ok(Profile::series(values, slot))
    }

    /// `values` in slots of `slot` seconds from time 0, repeating after the last (a forecast read
    /// from a file; `slot` divides a day).
    pub fn series(values: Vec<f64>, slot: f64) -> Profile {
        debug_assert!(!values.is_empty() && slot > 0.0);
        let count = StrengthReducedU64::new(values.len() as u64);
        Profile { values, slot, count }
    }

    /// The same profile with every value multiplied by `factor`.
    pub fn scaled(mut self, factor: f64) -> Profile {
        for v in &mut self.values {
            *v *= factor;
        }
        self
    }

    /// The profile seen `offset` seconds later: `turned(o).at(t) == at(t + o)`. `offset` is a
    /// whole number of slots (a weekday's start, for a weekly profile).
    pub fn turned(mut self, offset: f64) -> Profile {
        let n = self.values.len();
        let slots = (offset / self.slot).round().rem_euclid(n as f64) as usize;
        self.values.rotate_left(slots);
        self
    }

    /// ∫ from 0 to `t` of the value: whole periods, then the slots of the rest.
    pub fn integral_to(&self, t: f64) -> f64 {
        let period = self.period();
        let whole = (t / period).floor();
        let rest = t - whole * period;
        let per_period: f64 = self.values.iter().sum::<f64>() * self.slot;
        let part: f64 =
            self.values.iter().enumerate().map(|(i, v)| v * (rest - i as f64 * self.slot).clamp(0.0, self.slot)).sum();
        if whole > 0.0 { whole * per_period + part } else { part }
    }

    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The value of slot `slot` counted from time 0 (the slots repeat with the period): the
    /// remainder by a multiplication, not a division, since arrivals ask it at every draw.
    #[inline]
    pub fn value_of_slot(&self, slot: u64) -> f64 {
        self.values[(slot % self.count) as usize]
    }

    /// The slot length, seconds.
    pub fn slot(&self) -> f64 {
        self.slot
    }

    /// The period after which the profile repeats: a day or a week.
    pub fn period(&self) -> f64 {
        self.values.len() as f64 * self.slot
    }

    /// Whether the profile covers a week rather than a day.
    pub fn is_weekly(&self) -> bool {
        self.period() > DAY
    }

    /// The value in force at `t`.
    pub fn at(&self, t: SimTime) -> f64 {
        let within = t.0.rem_euclid(self.period());
        let slot = ((within / self.slot) as usize).min(self.values.len() - 1);
        self.values[slot]
    }

    /// The start of the next slot strictly after `t` (the value may or may not change there).
    pub fn next_slot(&self, t: SimTime) -> SimTime {
        SimTime(((t.0 / self.slot).floor() + 1.0) * self.slot)
    }

    /// The largest value.
    pub fn max(&self) -> f64 {
        self.values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    /// Whether the value is above 0 at some time of day `second_of_day`, on any day.
    pub fn positive_at_time_of_day(&self, second_of_day: f64) -> bool {
        let days = (self.period() / DAY).round() as usize;
        (0..days).any(|d| self.at(SimTime(d as f64 * DAY + second_of_day)) > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_length_sets_the_slot_and_the_period() {
        let constant = Profile::new(vec![4.0]).unwrap();
        assert_eq!((constant.slot(), constant.at(SimTime(123_456.0))), (DAY, 4.0));
        let half_hours = Profile::new((0..48).map(f64::from).collect()).unwrap();
        assert_eq!(half_hours.slot(), 1800.0);
        assert_eq!(half_hours.at(SimTime(9.0 * 3600.0 + 1799.0)), 18.0);
        assert_eq!(half_hours.at(SimTime(DAY + 9.0 * 3600.0 + 1800.0)), 19.0, "daily: day 2 as day 1");
        assert_eq!(half_hours.next_slot(SimTime(1800.0)), SimTime(3600.0));
        let week = Profile::new((0..168).map(f64::from).collect()).unwrap();
        assert!(week.is_weekly() && !half_hours.is_weekly());
        assert_eq!(week.at(SimTime(DAY + 3600.0)), 25.0, "Tuesday 01:00");
        assert_eq!(week.at(SimTime(WEEK + 3600.0)), 1.0, "weekly: the next Monday");
        // Turned to start on a Wednesday: day 1 at 01:00 is Wednesday 01:00.
        let from_wednesday = week.clone().turned(2.0 * DAY);
        assert_eq!(from_wednesday.at(SimTime(3600.0)), 49.0);
        assert_eq!(from_wednesday.at(SimTime(5.0 * DAY + 3600.0)), 1.0, "day 6 is the next Monday");
        assert_eq!(half_hours.clone().turned(2.0 * DAY).values(), half_hours.values(), "a day turned by days");
        for bad in [0, 12, 25, 100, 169] {
            let e = Profile::new(vec![1.0; bad]).unwrap_err();
            assert!(e.contains(&format!("{bad} values")) && e.contains("expected 1 (constant), 24, 48 or 96"), "{e}");
        }
    }

    #[test]
    fn the_integral_adds_whole_periods_and_the_slots_of_the_rest() {
        let p = Profile::new([vec![1.0; 12], vec![3.0; 12]].concat()).unwrap();
        let near = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(near(p.integral_to(6.0 * 3600.0), 6.0 * 3600.0));
        assert!(near(p.integral_to(DAY), 48.0 * 3600.0));
        assert!(near(p.integral_to(1.75 * DAY), 48.0 * 3600.0 + 12.0 * 3600.0 + 18.0 * 3600.0));
        let series = Profile::series(vec![2.0, 4.0, 6.0], 900.0);
        assert!(near(series.integral_to(2700.0), 12.0 * 900.0) && near(series.integral_to(1350.0), 4.0 * 900.0));
    }
}
