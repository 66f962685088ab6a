//! Demand data that planners bring from their own systems: the values an `empirical`
//! distribution resamples, and the historical arrival timestamps a `trace` replays.
//!
//! Both are read once, while the scenario is checked; the engine only ever sees the numbers. A
//! relative path is read from the scenario file's directory (from the current directory for the
//! embedded default scenario and for scenario text without a file); an absolute path as given.
//!
//! The file format, the same for both:
//! - Comma-separated text, one record per line. A file with one value per line is simply a CSV
//!   with one column. Fields may be wrapped in double quotes (`"4m"`).
//! - Blank lines, and everything from a `#` to the end of its line, are ignored; so is a UTF-8
//!   byte-order mark (spreadsheets write one).
//! - The first record is a header, and skipped, when it does not hold a value, does not start
//!   like a number, and each of its fields is a name: a letter, then letters, digits, spaces and
//!   `_-./()` (`handle_time_s` is a header; `4x` and `d2 08:15x` are typos, reported as such).
//! - `empirical`: the values are in the first column: numbers of seconds or durations (`"4m"`,
//!   `"1h30m"`). For a numeric context value they are plain numbers and may be negative.
//! - `trace`: one arrival per record. The timestamps are in the column named `arrival` or
//!   `timestamp` in the header (any case), else in the first column. A timestamp is a number of
//!   seconds since the start (time 0 is 00:00 of day 1), a duration since the start (`"1h30m"`),
//!   a clock label as ccsim prints them: `HH:MM[:SS]` on day 1, `dN HH:MM[:SS]` on day N
//!   (`d2 08:15` is 08:15 on the second day), or an ISO 8601 local date-time
//!   (`2026-03-02T08:15`, `2026-03-02 08:15:30`), which needs `simulation.start`. Records need not
//!   be in order. A file that looks like counts per interval (a column named `offered`, `count`,
//!   `volume`, `calls` or `contacts`) is refused with a pointer to forecast files.
//! - forecast (`process = "poisson", file = ...`): counts per interval, with a header naming
//!   `interval_start` and `offered`, and optionally `channel` (one file for several channels) and
//!   `aht_s` (the mean handle time of the interval's arrivals). Interval starts are timestamps as
//!   above. Each interval lasts until the next start; the intervals of a channel are of one length
//!   that divides a day, none missing and none twice. A file without those columns that looks
//!   like a trace is refused with a pointer to `process = "trace"`.
//!
//! Time zones and offsets (`2024-03-01T08:15+01:00`) are not read: timestamps are local times.
//!
//! Errors are plain messages that name the data file, and the line within it where there is one;
//! the resolver adds the scenario file, the position of the `file` value and the key.

use std::path::Path;
use std::sync::Arc;

use super::distribution::Support;
use super::{FileProblem, limits, read_regular_file, size_label};
use crate::time::{DAY, Duration, parse_time_of_day};

/// Header names that mark the timestamp column of a trace.
const TIMESTAMP_COLUMNS: [&str; 2] = ["arrival", "timestamp"];

/// Header names of a count per interval: a file with one is a forecast, not a trace.
const COUNT_COLUMNS: [&str; 5] = ["offered", "count", "volume", "calls", "contacts"];

/// One interval of a forecast file.
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastRow {
    /// The line of the file.
    pub line: usize,
    /// Seconds since 00:00 of day 1 (negative before it).
    pub start: f64,
    pub channel: Option<String>,
    pub offered: f64,
    pub aht_s: Option<f64>,
}

/// The intervals of a forecast file, in file order. `start` is the date of day 1, for ISO
/// date-times.
pub fn read_forecast(path: &Path, start: Option<jiff::civil::Date>) -> Result<Vec<ForecastRow>, String> {
    let text = read_text(path, "counts per interval")?;
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, fields(line))).filter(|(_, f)| !f.is_empty());
    let at = |line: usize, message: String| format!("{}, line {line}: {message}", path.display());
    let Some((header_line, header)) = lines.next() else {
        return Err(format!(
            "{} holds no intervals; expected a header interval_start,offered and one line per interval",
            path.display()
        ));
    };
    let column = |name: &str| header.iter().position(|f| f.eq_ignore_ascii_case(name));
    let (Some(start_column), Some(offered_column)) = (column("interval_start"), column("offered")) else {
        let looks = if header.len() == 1
            || header.iter().any(|f| TIMESTAMP_COLUMNS.iter().any(|c| f.eq_ignore_ascii_case(c)))
        {
            "; this looks like arrival timestamps: use arrivals = { process = \"trace\", file = ... } to replay them"
        } else {
            ""
        };
        return Err(at(
            header_line,
            format!(
                "the header is {}; expected a forecast's header naming interval_start and offered (and optionally channel and aht_s){looks}",
                excerpt(&header.join(","))
            ),
        ));
    };
    let (channel_column, aht_column) = (column("channel"), column("aht_s"));
    let mut rows = Vec::new();
    for (line, fields) in lines {
        let field = |c: usize| {
            fields.get(c).copied().ok_or_else(|| {
                at(line, format!("no column {}; expected {} fields as in the header", c + 1, header.len()))
            })
        };
        let start = parse_timestamp_on(field(start_column)?, start, true).map_err(|e| at(line, e))?;
        let offered_text = field(offered_column)?;
        let offered = offered_text
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| at(line, format!("offered {}; expected a count of 0 or more", excerpt(offered_text))))?;
        let aht_s = match aht_column {
            None => None,
            Some(c) => {
                let text = field(c)?;
                Some(text.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0).ok_or_else(|| {
                    at(line, format!("aht_s {}; expected a mean handle time in seconds above 0", excerpt(text)))
                })?)
            }
        };
        let channel = channel_column.map(|c| field(c).map(str::to_string)).transpose()?;
        rows.push(ForecastRow { line, start, channel, offered, aht_s });
    }
    if rows.is_empty() {
        return Err(format!("{} holds no intervals; expected one line per interval after the header", path.display()));
    }
    Ok(rows)
}

/// The values of an `empirical` distribution's file, in file order.
pub fn read_values(path: &Path, support: Support) -> Result<Arc<[f64]>, String> {
    let text = read_text(path, "values")?;
    let mut values = Vec::new();
    for record in records(&text, path, |_| None, |field| parse_value(field, support))? {
        values.push(record?);
    }
    if values.is_empty() {
        return Err(format!(
            "{} holds no values; expected one value per line (a number of seconds or a duration such as \"4m\")",
            path.display()
        ));
    }
    Ok(values.into())
}

/// The arrival times of a `trace` file in seconds since the start, sorted; `start` is the date of
/// day 1, for ISO date-times.
pub fn read_arrival_times(path: &Path, start: Option<jiff::civil::Date>) -> Result<Vec<f64>, String> {
    let text = read_text(path, "arrival timestamps")?;
    if let Some((line, fields)) = text.lines().enumerate().map(|(i, l)| (i + 1, fields(l))).find(|(_, f)| !f.is_empty())
        && let Some(count) = fields.iter().find(|f| COUNT_COLUMNS.iter().any(|c| f.eq_ignore_ascii_case(c)))
    {
        return Err(format!(
            "{}, line {line}: a column \"{count}\": this looks like counts per interval, not arrival timestamps; use arrivals = {{ process = \"poisson\", file = ... }} with a header interval_start,offered",
            path.display()
        ));
    }
    let header_column =
        |fields: &[&str]| fields.iter().position(|f| TIMESTAMP_COLUMNS.iter().any(|c| f.eq_ignore_ascii_case(c)));
    let mut times = Vec::new();
    for record in records(&text, path, header_column, |f| parse_timestamp_on(f, start, false))? {
        times.push(record?);
    }
    if times.is_empty() {
        return Err(format!(
            "{} holds no arrivals; expected one arrival timestamp per line, such as 29700, \"8h15m\" or \"08:15\"",
            path.display()
        ));
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

/// Reads a data file as text; `what` says what it should hold. Only a regular file of at most
/// [`limits::DATA_FILE_BYTES`] is read: `/dev/zero` or a pipe would never end.
fn read_text(path: &Path, what: &str) -> Result<String, String> {
    let bytes = read_regular_file(path, limits::DATA_FILE_BYTES).map_err(|problem| match problem {
        FileProblem::Missing => format!(
            "{}: no such file; expected a CSV file of {what} (a relative path is read from the scenario file's directory)",
            path.display()
        ),
        FileProblem::Directory => format!("{} is a directory; expected a CSV file of {what}", path.display()),
        FileProblem::NotRegular(kind) => {
            format!("{} is a {kind}, not a regular file; expected a CSV file of {what}", path.display())
        }
        FileProblem::TooLarge(size) => format!(
            "{} is {}; expected a CSV file of {what} of at most {} (ccsim's limit on data files)",
            path.display(),
            size_label(size),
            size_label(limits::DATA_FILE_BYTES)
        ),
        FileProblem::Unreadable(e) => format!("{} cannot be read: {e}", path.display()),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        format!("{}, line {line}: not UTF-8 text; expected a CSV file of {what}", path.display())
    })?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

/// The parsed field of every record, with the data file's line in errors.
///
/// `header_column` looks at the first record's fields and returns the column to read if the
/// record is a header that names it. Otherwise the first column is read, and the first record is
/// still skipped when it is not a value and does not start like a number.
fn records<'t>(
    text: &'t str,
    path: &'t Path,
    header_column: impl Fn(&[&str]) -> Option<usize>,
    parse: impl Fn(&str) -> Result<f64, String> + 't,
) -> Result<impl Iterator<Item = Result<f64, String>> + 't, String> {
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, fields(line))).filter(|(_, f)| !f.is_empty());
    let mut column = 0;
    let mut first = None;
    if let Some((line, fields)) = lines.next() {
        match header_column(&fields) {
            Some(named) => column = named,
            None => {
                let looks_like_a_value =
                    fields[0].starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'));
                // A header names its columns; a first line with a clock or other punctuation in
                // it is a malformed value, reported as one rather than skipped in silence.
                let names_columns = fields.iter().all(|f| {
                    f.starts_with(|c: char| c.is_alphabetic())
                        && f.chars()
                            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' ' | '.' | '(' | ')' | '/'))
                });
                if parse(fields[0]).is_ok() || looks_like_a_value || !names_columns {
                    first = Some((line, fields));
                }
            }
        }
    }
    let at = move |line: usize, message: String| format!("{}, line {line}: {message}", path.display());
    Ok(first.into_iter().chain(lines).map(move |(line, fields)| match fields.get(column) {
        Some(field) => parse(field).map_err(|e| at(line, e)),
        None => Err(at(line, format!("no column {}; expected a value in every line", column + 1))),
    }))
}

/// The comma-separated fields of one line, trimmed and unquoted, with any `#` comment removed;
/// empty for a blank or comment-only line.
fn fields(line: &str) -> Vec<&str> {
    let mut in_quotes = false;
    let mut end = line.len();
    let mut commas = Vec::new();
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => commas.push(i),
            '#' if !in_quotes => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let line = &line[..end];
    if line.trim().is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(commas.len() + 1);
    let mut start = 0;
    for comma in commas.into_iter().chain(std::iter::once(line.len())) {
        let field = line[start..comma].trim();
        out.push(field.strip_prefix('"').and_then(|f| f.strip_suffix('"')).unwrap_or(field).trim());
        start = comma + 1;
    }
    out
}

/// One value of an `empirical` file.
fn parse_value(field: &str, support: Support) -> Result<f64, String> {
    let shown = excerpt(field);
    let number = match field.parse::<f64>() {
        Ok(x) => x,
        Err(_) => Duration::parse(field).map(|d| d.0).map_err(|_| {
            format!("{shown} is not a value; expected a number of seconds or a duration such as \"4m\"")
        })?,
    };
    if !number.is_finite() {
        return Err(format!("{shown} is not a finite number; expected a number of seconds or a duration"));
    }
    if support == Support::NonNegative && number < 0.0 {
        return Err(format!("{shown} is negative; expected a duration of 0 or more"));
    }
    Ok(number)
}

/// One timestamp of a trace, in seconds since 00:00 of day 1.
pub fn parse_timestamp(field: &str) -> Result<f64, String> {
    parse_timestamp_on(field, None, false)
}

/// A timestamp, an ISO 8601 local date-time among them when the simulation has a `start`;
/// `before_start` allows one before day 1 (a forecast may begin earlier).
pub fn parse_timestamp_on(field: &str, start: Option<jiff::civil::Date>, before_start: bool) -> Result<f64, String> {
    let shown = excerpt(field);
    let expected = "expected seconds since the start, a duration such as \"1h30m\", a clock time such as \"08:15\" or \"d2 08:15\", or a date-time such as \"2026-03-02T08:15\"";
    let iso = field.len() >= 10 && field.as_bytes()[4] == b'-' && field.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if iso {
        let at = field
            .parse::<jiff::civil::DateTime>()
            .or_else(|_| field.parse::<jiff::civil::Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
            .map_err(|_| format!("{shown} is not a date-time; {expected}"))?;
        let Some(start) = start else {
            return Err(format!(
                "{shown} is a date-time, but the simulation has no start; expected simulation.start = \"YYYY-MM-DD\" (the date of day 1), or times since the start"
            ));
        };
        let seconds = start
            .to_datetime(jiff::civil::Time::midnight())
            .until((jiff::Unit::Second, at))
            .map_err(|_| format!("{shown} is too far from the start; {expected}"))?
            .get_seconds() as f64;
        if seconds < 0.0 && !before_start {
            return Err(format!("{shown} is before the start ({start}); expected a time on or after 00:00 of day 1"));
        }
        return Ok(seconds);
    }
    if field.contains(':') {
        let (day, clock) = match field.split_once(char::is_whitespace) {
            Some((day, clock)) => {
                let n = day
                    .strip_prefix(['d', 'D'])
                    .and_then(|n| n.parse::<u32>().ok())
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| format!("{shown} is not a timestamp; {expected}"))?;
                (n - 1, clock.trim())
            }
            None => (0, field),
        };
        let second_of_day = parse_time_of_day(clock).map_err(|_| format!("{shown} is not a timestamp; {expected}"))?;
        return Ok(f64::from(day) * DAY + second_of_day);
    }
    match field.parse::<f64>() {
        Ok(x) if x.is_nan() || x.is_infinite() => Err(format!("{shown} is not a finite number; {expected}")),
        Ok(x) if x < 0.0 => Err(format!("{shown} is a negative timestamp; expected 0 or more seconds since the start")),
        Ok(x) => Ok(x),
        Err(_) if field.starts_with('-') => {
            Err(format!("{shown} is a negative timestamp; expected 0 or more seconds since the start"))
        }
        Err(_) => Duration::parse(field).map(|d| d.0).map_err(|_| format!("{shown} is not a timestamp; {expected}")),
    }
}

/// A field as an error quotes it: in quotes, and cut after 40 characters (a line may be
/// megabytes long; the start shows what is wrong).
fn excerpt(field: &str) -> String {
    const SHOWN: usize = 40;
    match field.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("\"{}…\" ({} characters)", &field[..cut], field.chars().count()),
        None => format!("\"{field}\""),
    }
}

/// Byte offset, within the text of an inline table, of the value of its bare key `key`; so that
/// an error about a data file can point at the file name rather than at the whole table.
pub(super) fn value_offset(table: &str, key: &str) -> Option<usize> {
    let bytes = table.as_bytes();
    let is_key_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut quote = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == b'\\' && q == b'"' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            None if bytes[i..].starts_with(key.as_bytes()) && (i == 0 || !is_key_byte(bytes[i - 1])) => {
                let rest = &table[i + key.len()..];
                if let Some(value) = rest.trim_start_matches([' ', '\t']).strip_prefix('=') {
                    return Some(table.len() - value.trim_start_matches([' ', '\t']).len());
                }
            }
            None => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{HOUR, MINUTE};

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ccsim-demand-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn timestamps_read_seconds_durations_and_clock_labels() {
        assert_eq!(parse_timestamp("0").unwrap(), 0.0);
        assert_eq!(parse_timestamp("29700.5").unwrap(), 29_700.5);
        assert_eq!(parse_timestamp("1h30m").unwrap(), 1.5 * HOUR);
        assert_eq!(parse_timestamp("08:15").unwrap(), 8.0 * HOUR + 15.0 * MINUTE);
        assert_eq!(parse_timestamp("08:15:30").unwrap(), 8.0 * HOUR + 15.0 * MINUTE + 30.0);
        assert_eq!(parse_timestamp("d1 08:15").unwrap(), 8.0 * HOUR + 15.0 * MINUTE);
        assert_eq!(parse_timestamp("d2 08:15").unwrap(), DAY + 8.0 * HOUR + 15.0 * MINUTE);
        for bad in ["-5", "-1h", "NaN", "inf", "d0 08:00", "2024-03-01 08:15", "25:00", "soon", ""] {
            let err = parse_timestamp(bad).unwrap_err();
            assert!(err.contains("expected"), "{bad}: {err}");
        }
    }

    #[test]
    fn clock_labels_as_ccsim_prints_them_read_back() {
        for t in [0.0, 9.5 * HOUR, DAY + HOUR, 3.0 * DAY + 23.0 * HOUR + 59.0 * MINUTE] {
            assert_eq!(parse_timestamp(&crate::time::SimTime(t).clock_label()).unwrap(), t);
        }
    }

    #[test]
    fn values_skip_headers_comments_and_blank_lines() {
        let dir = temp_dir("values");
        let path = write(
            &dir,
            "aht.csv",
            "\u{feff}handle_time_s,agent\n# exported from the ACD\n240,ann\n\n\"4m\",bob  # a duration\n90 # seconds\n",
        );
        assert_eq!(&*read_values(&path, Support::NonNegative).unwrap(), &[240.0, 240.0, 90.0]);
        let path = write(&dir, "plain.txt", "1\n2.5\n3\n");
        assert_eq!(&*read_values(&path, Support::NonNegative).unwrap(), &[1.0, 2.5, 3.0]);
        let path = write(&dir, "signed.txt", "-1\n2\n");
        assert_eq!(&*read_values(&path, Support::Real).unwrap(), &[-1.0, 2.0]);
    }

    #[test]
    fn bad_value_files_name_the_file_and_line() {
        let dir = temp_dir("bad-values");
        let cases = [
            ("empty.csv", "", "holds no values"),
            ("header_only.csv", "seconds\n# nothing yet\n", "holds no values"),
            ("typo.csv", "60\n120\nabc\n", "line 3: \"abc\" is not a value"),
            ("first_typo.csv", "4x\n60\n", "line 1: \"4x\" is not a value"),
            ("negative.csv", "aht\n60\n-5\n", "line 3: \"-5\" is negative"),
            ("nan.csv", "60\nNaN\n", "line 2: \"NaN\" is not a finite number"),
        ];
        for (name, text, says) in cases {
            let path = write(&dir, name, text);
            let err = read_values(&path, Support::NonNegative).unwrap_err();
            assert!(err.starts_with(&path.display().to_string()), "{name}: {err}");
            assert!(err.contains(says) && err.contains("expected"), "{name}: {err}");
        }
        let err = read_values(&dir.join("absent.csv"), Support::NonNegative).unwrap_err();
        assert!(err.contains("no such file"), "{err}");
        let err = read_values(&dir, Support::NonNegative).unwrap_err();
        assert!(err.contains("is a directory"), "{err}");
        let path = dir.join("binary.csv");
        std::fs::write(&path, b"60\n\xff\xfe\n").unwrap();
        assert!(read_values(&path, Support::NonNegative).unwrap_err().contains("line 2: not UTF-8"));
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = temp_dir("special");
        // Sparse: the size is above the limit without the disk space.
        let big = dir.join("big.csv");
        std::fs::File::create(&big).unwrap().set_len(limits::DATA_FILE_BYTES + 1).unwrap();
        let err = read_values(&big, Support::NonNegative).unwrap_err();
        assert!(
            err.contains("is 268435457 bytes") && err.contains("at most 256 MiB") && err.contains("limit"),
            "{err}"
        );
        #[cfg(unix)]
        {
            let err = read_values(Path::new("/dev/zero"), Support::NonNegative).unwrap_err();
            assert!(err.contains("/dev/zero is a character device, not a regular file"), "{err}");
            assert!(err.contains("expected a CSV file"), "{err}");
            let fifo = dir.join("pipe.csv");
            let _ = std::fs::remove_file(&fifo);
            if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
                // Refused before it is opened: opening a FIFO would wait for a writer forever.
                let err = read_arrival_times(&fifo, None).unwrap_err();
                assert!(err.contains("is a named pipe, not a regular file"), "{err}");
            }
        }
    }

    #[test]
    fn trace_reads_the_named_column_and_sorts() {
        let dir = temp_dir("trace");
        let path = write(&dir, "named.csv", "id,Timestamp,queue\n1,d2 08:00,a\n2,08:15,b\n3,\"60\",c\n");
        assert_eq!(read_arrival_times(&path, None).unwrap(), vec![60.0, 8.25 * HOUR, DAY + 8.0 * HOUR]);
        let path = write(&dir, "first.csv", "when,who\n1h,x\n30m,y\n");
        assert_eq!(read_arrival_times(&path, None).unwrap(), vec![1800.0, 3600.0]);
        let path = write(&dir, "short_row.csv", "id,arrival\n1,60\n2\n");
        let err = read_arrival_times(&path, None).unwrap_err();
        assert!(err.contains("line 3: no column 2"), "{err}");
        let path = write(&dir, "negative.csv", "60\n-60\n");
        assert!(read_arrival_times(&path, None).unwrap_err().contains("line 2: \"-60\" is a negative timestamp"));
        // A line of a megabyte is quoted only as far as it shows what is wrong.
        let path = write(&dir, "long.csv", &format!("60\n{}\n", "9".repeat(1 << 20) + "x"));
        let err = read_arrival_times(&path, None).unwrap_err();
        assert!(err.len() < 400 && err.contains("line 2: \"9999") && err.contains("1048577 characters"), "{err}");
        // A malformed first timestamp is an error at line 1, not a header skipped in silence.
        for first in ["d2 08:15x", "dd 08:15", "08;15"] {
            let path = write(&dir, "malformed_first.csv", &format!("{first}\n08:30\n"));
            let err = read_arrival_times(&path, None).unwrap_err();
            assert!(err.contains("line 1"), "{first}: {err}");
        }
    }

    #[test]
    fn the_value_of_a_key_is_found_in_an_inline_table() {
        let table = r#"{ dist = "empirical", file = "data/profile = x.csv" }"#;
        assert_eq!(&table[value_offset(table, "file").unwrap()..], r#""data/profile = x.csv" }"#);
        let table = r#"{ process = "trace", profile = 1, file="a.csv" }"#;
        assert_eq!(&table[value_offset(table, "file").unwrap()..], r#""a.csv" }"#);
        assert_eq!(value_offset(r#"{ process = "file = x" }"#, "file"), None);
    }
}
