//! Profiles: a list of numbers over the day or the week (DESIGN.md "Profiles"). The number of
//! values sets the slot length: 1 value is constant; 24, 48 or 96 values cover one day in hours,
//! half hours or quarter hours, repeating daily; 7 times as many cover a week from Monday 00:00
//! (day 1 is a Monday), repeating weekly. A profile is independent of the reporting interval.

use crate::time::{DAY, SimTime};

/// A week, in seconds.
pub const WEEK: f64 = 7.0 * DAY;

/// The lengths a profile may have.
pub const LENGTHS: [usize; 7] = [1, 24, 48, 96, 168, 336, 672];

/// A piecewise-constant value over a repeating day or week.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    values: Vec<f64>,
    /// Slot length in seconds; `values.len() * slot` is a day or a week (or a day for 1 value).
    slot: f64,
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
        Ok(Profile { values, slot })
    }

    pub fn values(&self) -> &[f64] {
        &self.values
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
        for bad in [0, 12, 25, 100, 169] {
            let e = Profile::new(vec![1.0; bad]).unwrap_err();
            assert!(e.contains(&format!("{bad} values")) && e.contains("expected 1 (constant), 24, 48 or 96"), "{e}");
        }
    }
}
