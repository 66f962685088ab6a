//! Reading a history of conversations, one row each, for `ccsim fit` (DESIGN.md "Demand files").
//!
//! The file is comma-, tab- or semicolon-separated text with a header; the separator is the one
//! the header holds most of. Columns are found by the headers of [`COLUMNS`] (any case), or
//! named with `--column NAME=HEADER`:
//! - `arrival`: an ISO 8601 local date-time, a ccsim label or seconds (day 1 is then a Monday);
//!   with a `date` column, a time of day on that date;
//! - `date`: `YYYY-MM-DD`, `YYYYMMDD` or `YYMMDD`;
//! - `channel` or `queue`: which channel the row is fitted for (one channel, `all`, without
//!   either);
//! - `answered` (1/0, true/false, yes/no) or `outcome`: answered (`completed`, `answered`,
//!   `agent`, `served`, `handled`), abandoned (`abandoned`, `hang`, `hangup`), or anything else,
//!   which counts as neither (a ccsim trace's `auto_closed` and `in_system`; a bank's `PHANTOM`);
//!   without either column, a row with a handle time above 0 was answered;
//! - `wait`: seconds until answered or abandoned; for a ccsim trace, an unanswered
//!   conversation's wait is its `open_s`;
//! - `handle`: seconds of handling.
//!
//! A row whose fields cannot be read is an error naming its line, or skipped and counted with
//! `--skip-bad-rows`. Rows out of arrival order are sorted; a row repeated exactly is counted and
//! dropped; zero handle times and missing waits are counted and left out of their fits.

use std::collections::HashSet;
use std::path::Path;

use crate::scenario::demand::parse_timestamp;
use crate::time::{DAY, parse_time_of_day};

/// The names `--column` maps, with the headers found without it.
pub const COLUMNS: [(&str, &[&str]); 9] = [
    ("arrival", &["arrival", "arrival_s", "created_on", "timestamp"]),
    ("date", &["date"]),
    ("channel", &["channel"]),
    ("queue", &["queue"]),
    ("answered", &["answered"]),
    ("outcome", &["outcome"]),
    ("wait", &["wait", "wait_s", "first_wait_s"]),
    ("handle", &["handle", "handle_s", "active_s"]),
    ("open", &["open_s"]),
];

/// How a conversation ended, as far as patience is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Answered,
    Abandoned,
    /// Neither, or not said.
    Other,
}

/// One conversation of the history.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversation {
    /// Seconds since 00:00 of the Monday that starts the history's first week.
    pub arrival: f64,
    pub channel: String,
    pub outcome: Outcome,
    pub wait: Option<f64>,
    pub handle: Option<f64>,
}

/// A history as read, with what reading it had to handle.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub conversations: Vec<Conversation>,
    /// The Monday that `arrival` counts from, for a history with dates.
    pub origin: Option<jiff::civil::Date>,
    pub rows: usize,
    pub skipped: usize,
    /// The first few skipped rows' errors.
    pub skipped_examples: Vec<String>,
    pub out_of_order: usize,
    pub duplicates: usize,
    pub zero_handle: usize,
    pub missing_wait: usize,
    /// Rows whose outcome was neither answered nor abandoned.
    pub other_outcome: usize,
}

/// Reads `path`, with `mapping` (name → header) over the default headers.
pub fn read(path: &Path, mapping: &[(String, String)], skip_bad_rows: bool) -> Result<History, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first = text.lines().next().unwrap_or("");
    let separator =
        [b',', b'\t', b';'].into_iter().max_by_key(|&s| first.bytes().filter(|&b| b == s).count()).unwrap_or(b',');
    let mut reader =
        csv::ReaderBuilder::new().delimiter(separator).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| format!("{}, line 1: {e}", path.display()))?.iter().map(str::to_string).collect();
    for (name, _) in mapping {
        if !COLUMNS.iter().any(|(n, _)| n == name) {
            return Err(format!(
                "--column {name}=...: no such name; expected one of {}",
                COLUMNS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let find = |name: &str| -> Result<Option<usize>, String> {
        if let Some((_, header)) = mapping.iter().find(|(n, _)| n == name) {
            return headers.iter().position(|h| h.eq_ignore_ascii_case(header)).map(Some).ok_or_else(|| {
                format!(
                    "{}, line 1: --column {name}={header}: no column is headed \"{header}\"; the headers are {}",
                    path.display(),
                    headers.join(", ")
                )
            });
        }
        let defaults = COLUMNS.iter().find(|(n, _)| *n == name).map_or(&[][..], |c| c.1);
        Ok(defaults.iter().find_map(|d| headers.iter().position(|h| h.eq_ignore_ascii_case(d))))
    };
    let Some(arrival) = find("arrival")? else {
        return Err(format!(
            "{}, line 1: no arrival column; expected a header named arrival, arrival_s, created_on or timestamp, or --column arrival=HEADER (the headers are {})",
            path.display(),
            headers.join(", ")
        ));
    };
    let date = find("date")?;
    let channel = match find("channel")? {
        Some(c) => Some(c),
        None => find("queue")?,
    };
    let (answered, outcome) = (find("answered")?, find("outcome")?);
    let (wait, handle, open) = (find("wait")?, find("handle")?, find("open")?);

    let mut history = History::default();
    let mut dated: Vec<(jiff::civil::DateTime, usize)> = Vec::new();
    let mut relative: Vec<usize> = Vec::new();
    let mut seen = HashSet::new();
    let mut raw: Vec<(Option<jiff::civil::DateTime>, f64, Conversation)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        history.rows += 1;
        let parsed = record.map_err(|e| e.to_string()).and_then(|r| {
            let field = |c: Option<usize>| c.and_then(|c| r.get(c)).filter(|f| !f.is_empty());
            let at = field(Some(arrival)).ok_or("no arrival".to_string())?;
            let (when, seconds) = match field(date) {
                Some(d) => {
                    let day = parse_date(d)?;
                    let time = parse_time_of_day(at).map_err(|_| format!("arrival \"{at}\" is not a time of day"))?;
                    (Some(day.to_datetime(jiff::civil::Time::midnight())), time)
                }
                None if looks_iso(at) => (Some(parse_datetime(at)?), 0.0),
                None => (None, parse_timestamp(at).map_err(|e| format!("arrival: {e}"))?),
            };
            let state = match (field(answered), field(outcome)) {
                (Some(a), _) => match a.to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "y" => Outcome::Answered,
                    "0" | "false" | "no" | "n" => Outcome::Abandoned,
                    other => return Err(format!("answered \"{other}\"; expected 1/0, true/false or yes/no")),
                },
                (None, Some(o)) => match o.to_ascii_lowercase().as_str() {
                    "completed" | "answered" | "agent" | "served" | "handled" => Outcome::Answered,
                    "abandoned" | "hang" | "hangup" | "abandon" => Outcome::Abandoned,
                    _ => Outcome::Other,
                },
                // Without either column, a conversation with a handle time was answered.
                (None, None) if field(handle).and_then(|h| h.parse::<f64>().ok()).is_some_and(|h| h > 0.0) => {
                    Outcome::Answered
                }
                (None, None) => Outcome::Other,
            };
            let seconds_of = |name: &str, c: Option<usize>| -> Result<Option<f64>, String> {
                field(c)
                    .map(|f| {
                        f.parse::<f64>()
                            .ok()
                            .filter(|x| x.is_finite() && *x >= 0.0)
                            .ok_or_else(|| format!("{name} \"{f}\"; expected a number of seconds of 0 or more"))
                    })
                    .transpose()
            };
            let mut wait_s = seconds_of("wait", wait)?;
            if wait_s.is_none() && state != Outcome::Answered {
                wait_s = seconds_of("open_s", open)?;
            }
            let conversation = Conversation {
                arrival: seconds,
                channel: field(channel).unwrap_or("all").to_string(),
                outcome: state,
                wait: wait_s,
                handle: seconds_of("handle", handle)?,
            };
            Ok((when, r.iter().collect::<Vec<_>>().join("\u{1f}"), conversation))
        });
        match parsed {
            Ok((when, whole, conversation)) => {
                if !seen.insert(whole) {
                    history.duplicates += 1;
                    continue;
                }
                match when {
                    Some(w) => dated.push((w, raw.len())),
                    None => relative.push(raw.len()),
                }
                raw.push((when, conversation.arrival, conversation));
            }
            Err(e) if skip_bad_rows => {
                history.skipped += 1;
                if history.skipped_examples.len() < 3 {
                    history.skipped_examples.push(format!("line {line}: {e}"));
                }
            }
            Err(e) => {
                return Err(format!(
                    "{}, line {line}: {e} (--skip-bad-rows skips such rows and counts them)",
                    path.display()
                ));
            }
        }
    }
    if !dated.is_empty() && !relative.is_empty() {
        return Err(format!(
            "{}: some arrivals have dates and some do not; expected one kind throughout",
            path.display()
        ));
    }
    // Dated arrivals count from the Monday of the first date's week.
    if let Some(first) = dated.iter().map(|(w, _)| w.date()).min() {
        let monday = first
            .checked_sub(jiff::Span::new().days(i64::from(first.weekday().to_monday_zero_offset())))
            .map_err(|e| e.to_string())?;
        let origin = monday.to_datetime(jiff::civil::Time::midnight());
        for (w, i) in &dated {
            let span = origin.until((jiff::Unit::Second, *w)).map_err(|e| e.to_string())?;
            raw[*i].2.arrival += span.get_seconds() as f64;
        }
        history.origin = Some(monday);
    }
    let mut conversations: Vec<Conversation> = raw.into_iter().map(|(_, _, c)| c).collect();
    history.out_of_order = conversations.windows(2).filter(|w| w[1].arrival < w[0].arrival).count();
    conversations.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
    history.zero_handle =
        conversations.iter().filter(|c| c.outcome == Outcome::Answered && c.handle == Some(0.0)).count();
    history.missing_wait = conversations.iter().filter(|c| c.outcome != Outcome::Other && c.wait.is_none()).count();
    history.other_outcome = conversations.iter().filter(|c| c.outcome == Outcome::Other).count();
    if conversations.is_empty() {
        return Err(format!("{}: no conversation could be read; expected one row per conversation", path.display()));
    }
    history.conversations = conversations;
    Ok(history)
}

fn looks_iso(field: &str) -> bool {
    field.len() >= 10 && field.as_bytes()[4] == b'-' && field.as_bytes()[..4].iter().all(u8::is_ascii_digit)
}

fn parse_datetime(field: &str) -> Result<jiff::civil::DateTime, String> {
    field
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| field.parse::<jiff::civil::Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
        .map_err(|_| format!("arrival \"{field}\" is not a date-time; expected e.g. 2026-03-02T08:15"))
}

/// `YYYY-MM-DD`, `YYYYMMDD` or `YYMMDD` (years 69–99 are 19xx).
fn parse_date(field: &str) -> Result<jiff::civil::Date, String> {
    let bad = || format!("date \"{field}\"; expected YYYY-MM-DD, YYYYMMDD or YYMMDD");
    if field.contains('-') {
        return field.parse().map_err(|_| bad());
    }
    let digits = |s: &str| s.parse::<i16>().map_err(|_| bad());
    let (year, rest) = match field.len() {
        8 => (digits(&field[..4])?, &field[4..]),
        6 => {
            let yy = digits(&field[..2])?;
            (if yy >= 69 { 1900 + yy } else { 2000 + yy }, &field[2..])
        }
        _ => return Err(bad()),
    };
    let month = rest[..2].parse::<i8>().map_err(|_| bad())?;
    let day = rest[2..].parse::<i8>().map_err(|_| bad())?;
    jiff::civil::Date::new(year, month, day).map_err(|_| bad())
}

/// The day of a history's arrival (0 = the first Monday) and its weekday (0 = Monday).
pub fn day_of(arrival: f64) -> (usize, usize) {
    let day = (arrival / DAY).floor().max(0.0) as usize;
    (day, day % 7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_forms_exports_use() {
        let d = |y, m, dd| jiff::civil::Date::new(y, m, dd).unwrap();
        assert_eq!(parse_date("990101").unwrap(), d(1999, 1, 1));
        assert_eq!(parse_date("20260302").unwrap(), d(2026, 3, 2));
        assert_eq!(parse_date("2026-03-02").unwrap(), d(2026, 3, 2));
        assert!(parse_date("990231").is_err() && parse_date("1999").is_err());
    }
}
