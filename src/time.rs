//! Simulated time: instants ([`SimTime`]) and spans ([`Duration`]), both in seconds.
//!
//! Time 0 is 00:00 of day 1 (DESIGN.md "Clock"). Both types are thin `f64` wrappers so that the
//! engine's arithmetic costs nothing, while signatures still say which is which. `SimTime` is
//! totally ordered (`f64::total_cmp`) so it can key the event queue and the queues of Open
//! conversations.
//!
//! Durations in scenario files are strings such as `"45s"`, `"15m"`, `"1h30m"`, `"2d"` (each part a
//! number and a unit s, m, h or d, each unit once and the largest first) or plain numbers of seconds;
//! [`Duration::parse`] reads the string form. Times of day (`"08:00"`) are read by
//! [`parse_time_of_day`].

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

pub const MINUTE: f64 = 60.0;
pub const HOUR: f64 = 3600.0;
pub const DAY: f64 = 86_400.0;

/// The days of the week as scenarios and outputs name them, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A point in simulated time, seconds since 00:00 of day 1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SimTime(pub f64);

/// A span of simulated time in seconds (never negative once validated).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Duration(pub f64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0.0);

    pub fn seconds(self) -> f64 {
        self.0
    }

    /// The span from `earlier` to `self`.
    pub fn since(self, earlier: SimTime) -> Duration {
        Duration(self.0 - earlier.0)
    }

    /// Formats as `HH:MM` on day 1 and `dN HH:MM` afterwards (DESIGN.md, `intervals.csv`).
    pub fn clock_label(self) -> String {
        let total_minutes = (self.0 / MINUTE).round() as i64;
        let day = total_minutes.div_euclid(24 * 60);
        let minute_of_day = total_minutes.rem_euclid(24 * 60);
        let (h, m) = (minute_of_day / 60, minute_of_day % 60);
        if day == 0 { format!("{h:02}:{m:02}") } else { format!("d{} {h:02}:{m:02}", day + 1) }
    }
}

impl Eq for SimTime {}

impl PartialOrd for SimTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SimTime {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Add<Duration> for SimTime {
    type Output = SimTime;
    fn add(self, d: Duration) -> SimTime {
        SimTime(self.0 + d.0)
    }
}

impl AddAssign<Duration> for SimTime {
    fn add_assign(&mut self, d: Duration) {
        self.0 += d.0;
    }
}

impl Sub for SimTime {
    type Output = Duration;
    fn sub(self, other: SimTime) -> Duration {
        Duration(self.0 - other.0)
    }
}

impl Duration {
    pub const ZERO: Duration = Duration(0.0);

    pub fn seconds(self) -> f64 {
        self.0
    }

    /// Reads `"45s"`, `"15m"`, `"1h30m"`, `"2d"`, `"1.5h"` or a bare number of seconds (`"90"`).
    pub fn parse(text: &str) -> Result<Duration, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err("an empty duration; expected e.g. \"45s\", \"15m\", \"1h30m\" or \"2d\"".into());
        }
        if let Ok(seconds) = s.parse::<f64>() {
            return Duration::from_seconds(seconds);
        }
        if let Some(rest) = s.strip_prefix('-')
            && Duration::parse(rest).is_ok()
        {
            return Err(format!("a negative duration (\"{text}\"); expected 0 or more"));
        }
        let mut total = 0.0;
        let mut number = String::new();
        let mut parts = 0;
        // The unit of the part before: each unit comes once, largest first ("1h30m", not "1h1h").
        let mut previous = f64::INFINITY;
        for ch in s.chars() {
            if ch.is_ascii_digit() || ch == '.' {
                number.push(ch);
                continue;
            }
            let unit = match ch {
                's' => 1.0,
                'm' => MINUTE,
                'h' => HOUR,
                'd' => DAY,
                ' ' if number.is_empty() => continue,
                other => {
                    if let Some(meant) = with_unit_letters(s).filter(|m| Duration::parse(m).is_ok()) {
                        return Err(format!(
                            "unknown units in duration \"{text}\"; expected \"{meant}\" (units s, m, h and d)"
                        ));
                    }
                    return Err(format!(
                        "unknown unit `{other}` in duration \"{text}\"; expected units s, m, h or d, as in \"45s\", \"1h30m\" or \"2d\""
                    ));
                }
            };
            let value: f64 = number.parse().map_err(|_| {
                format!("a unit without a number in duration \"{text}\"; expected e.g. \"45s\", \"1h30m\"")
            })?;
            if unit >= previous {
                return Err(format!(
                    "the unit `{ch}` comes after a unit as small or smaller in duration \"{text}\"; expected each unit once, largest first, as in \"1h30m\""
                ));
            }
            previous = unit;
            total += value * unit;
            number.clear();
            parts += 1;
        }
        if !number.is_empty() || parts == 0 {
            return Err(format!(
                "a number without a unit in duration \"{text}\"; expected units s, m, h or d, as in \"45s\" or \"1h30m\""
            ));
        }
        Duration::from_seconds(total)
    }

    /// Whether `text` says "no duration at all" (`"none"`, `"never"`): what a key such as
    /// `patience` means when it is left out.
    pub fn means_none(text: &str) -> bool {
        matches!(text.trim().to_ascii_lowercase().as_str(), "none" | "never")
    }

    pub fn from_seconds(seconds: f64) -> Result<Duration, String> {
        if !seconds.is_finite() {
            return Err(format!("a duration of {seconds} seconds; expected a finite number"));
        }
        if seconds < 0.0 {
            return Err(format!("a negative duration ({seconds} s); expected 0 or more"));
        }
        Ok(Duration(seconds))
    }
}

impl Duration {
    /// The duration in its largest whole unit, as people write it: `1d`, `8h`, `15m`, else
    /// seconds (`90s`, `2.5s`).
    pub fn label(self) -> String {
        let s = self.0;
        if s >= DAY && s % DAY == 0.0 {
            format!("{}d", s / DAY)
        } else if s >= HOUR && s % HOUR == 0.0 {
            format!("{}h", s / HOUR)
        } else if s >= MINUTE && s % MINUTE == 0.0 {
            format!("{}m", s / MINUTE)
        } else {
            format!("{s}s")
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

/// Reads a time of day `"HH:MM"` (or `"HH:MM:SS"`), `"24:00"` allowed, into seconds after midnight.
/// `text` with unit words written as ccsim's letters (`1min` → `1m`, `2 hours` → `2h`), if it
/// has any.
fn with_unit_letters(text: &str) -> Option<String> {
    const WORDS: [(&str, &str); 16] = [
        ("seconds", "s"),
        ("second", "s"),
        ("secs", "s"),
        ("sec", "s"),
        ("minutes", "m"),
        ("minute", "m"),
        ("mins", "m"),
        ("min", "m"),
        ("hours", "h"),
        ("hour", "h"),
        ("hrs", "h"),
        ("hr", "h"),
        ("days", "d"),
        ("day", "d"),
        ("ms", "\u{0}"),
        (" ", ""),
    ];
    let mut out = text.to_ascii_lowercase();
    for (word, letter) in WORDS {
        out = out.replace(word, letter);
    }
    (out != text && !out.contains('\u{0}')).then_some(out)
}

/// The slots of a day or a week that repeats: the grid of a staffing requirement. A weekly
/// cycle starts on Monday 00:00.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlotCycle {
    /// Seconds per slot.
    pub slot: f64,
    /// Seconds per cycle: a day or a week.
    pub period: f64,
}

impl SlotCycle {
    pub const WEEK: f64 = 7.0 * DAY;

    pub fn daily(slot: f64) -> SlotCycle {
        SlotCycle { slot, period: DAY }
    }

    pub fn weekly(slot: f64) -> SlotCycle {
        SlotCycle { slot, period: SlotCycle::WEEK }
    }

    pub fn is_weekly(self) -> bool {
        self.period > DAY
    }

    /// Slots in a cycle.
    pub fn count(self) -> usize {
        (self.period / self.slot).round().max(1.0) as usize
    }

    /// Slots in a day.
    pub fn per_day(self) -> usize {
        (DAY / self.slot).round().max(1.0) as usize
    }

    /// The slot holding `seconds` since the cycle's start (any number of cycles on).
    pub fn slot_of(self, seconds: f64) -> usize {
        ((seconds.rem_euclid(self.period) / self.slot) as usize).min(self.count() - 1)
    }

    /// The label of the time `seconds` into the cycle: `HH:MM`, or `mon HH:MM` in a week.
    pub fn label_at(self, seconds: f64) -> String {
        let at = seconds.rem_euclid(self.period);
        let clock = SimTime(at % DAY).clock_label();
        if self.is_weekly() { format!("{} {clock}", WEEKDAYS[((at / DAY) as usize).min(6)]) } else { clock }
    }

    /// The label of slot `j`'s start.
    pub fn label(self, j: usize) -> String {
        self.label_at(j as f64 * self.slot)
    }

    /// Reads a label as [`SlotCycle::label_at`] writes it: seconds into the cycle, and whether the
    /// label names a weekday.
    pub fn parse_label(text: &str) -> Result<(f64, bool), String> {
        match text.trim().split_once(char::is_whitespace) {
            Some((day, clock)) => {
                let d = WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(day)).ok_or_else(|| {
                    format!("\"{text}\" is not a slot; expected \"HH:MM\" or a weekday and a time, e.g. \"mon 08:30\"")
                })?;
                Ok((d as f64 * DAY + parse_time_of_day(clock)?, true))
            }
            None => Ok((parse_time_of_day(text)?, false)),
        }
    }
}

pub fn parse_time_of_day(text: &str) -> Result<f64, String> {
    let bad = || format!("\"{text}\" is not a time of day; expected \"HH:MM\", e.g. \"08:30\"");
    let mut fields = text.trim().split(':');
    let mut next = |limit: u32| -> Result<u32, String> {
        let field = fields.next().ok_or_else(bad)?;
        let value: u32 = field.parse().map_err(|_| bad())?;
        if value > limit { Err(bad()) } else { Ok(value) }
    };
    let h = next(24)?;
    let m = next(59)?;
    let s = match fields.next() {
        None => 0,
        Some(field) => field.parse::<u32>().ok().filter(|v| *v < 60).ok_or_else(bad)?,
    };
    if fields.next().is_some() {
        return Err(bad());
    }
    let seconds = f64::from(h * 3600 + m * 60 + s);
    if seconds > DAY {
        return Err(bad());
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_cycles_label_and_read_back_their_slots() {
        let day = SlotCycle::daily(1800.0);
        assert_eq!((day.count(), day.label(17), day.slot_of(DAY + 8.6 * HOUR)), (48, "08:30".into(), 17));
        let week = SlotCycle::weekly(3600.0);
        assert_eq!((week.count(), week.per_day()), (168, 24));
        for j in [0, 9, 24 + 13, 167] {
            let (at, weekly) = SlotCycle::parse_label(&week.label(j)).unwrap();
            assert!(weekly);
            assert_eq!(week.slot_of(at), j);
        }
        assert_eq!(week.label(24 * 6 + 23), "sun 23:00");
        assert_eq!(week.slot_of(8.0 * DAY + 1.5 * HOUR), 25, "a second week wraps to Tuesday");
        assert_eq!(SlotCycle::parse_label("08:00"), Ok((8.0 * HOUR, false)));
        assert!(SlotCycle::parse_label("xyz 08:00").unwrap_err().contains("mon 08:30"));
    }

    #[test]
    fn durations_read_every_unit_and_combination() {
        assert_eq!(Duration::parse("45s").unwrap().0, 45.0);
        assert_eq!(Duration::parse("15m").unwrap().0, 900.0);
        assert_eq!(Duration::parse("1h30m").unwrap().0, 5400.0);
        assert_eq!(Duration::parse("2d").unwrap().0, 172_800.0);
        assert_eq!(Duration::parse("1.5h").unwrap().0, 5400.0);
        assert_eq!(Duration::parse("90").unwrap().0, 90.0);
        assert_eq!(Duration::parse("0s").unwrap().0, 0.0);
    }

    #[test]
    fn bad_durations_say_what_was_expected() {
        for bad in ["", "10x", "h", "10", "5m10", "-5s", "1w", "NaN"] {
            if bad == "10" {
                continue;
            }
            let err = Duration::parse(bad).unwrap_err();
            assert!(err.contains("expected"), "{bad}: {err}");
        }
        assert!(Duration::parse("-5").is_err());
        // A unit twice, or after a smaller one, is a slip, not a sum: "1h1h" is not 2h.
        for bad in ["1h1h", "30m1h", "10s10s", "1d2d"] {
            let err = Duration::parse(bad).unwrap_err();
            assert!(err.contains("largest first"), "{bad}: {err}");
        }
        assert_eq!(Duration::parse("1d2h3m4s").unwrap().0, 86_400.0 + 7200.0 + 180.0 + 4.0);
    }

    #[test]
    fn clock_labels_name_the_day_after_the_first() {
        assert_eq!(SimTime(0.0).clock_label(), "00:00");
        assert_eq!(SimTime(9.5 * HOUR).clock_label(), "09:30");
        assert_eq!(SimTime(DAY + HOUR).clock_label(), "d2 01:00");
    }

    #[test]
    fn times_of_day_parse_and_reject_nonsense() {
        assert_eq!(parse_time_of_day("08:00").unwrap(), 8.0 * HOUR);
        assert_eq!(parse_time_of_day("24:00").unwrap(), DAY);
        assert!(parse_time_of_day("24:30").is_err());
        assert!(parse_time_of_day("8h").is_err());
        assert!(parse_time_of_day("07:60").is_err());
    }
}
