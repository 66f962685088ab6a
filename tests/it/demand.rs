//! Demand from a planner's own data: `trace` arrivals replay historical timestamps exactly,
//! `empirical` handle times reproduce the observed mean, `renewal` arrivals run end to end, and a
//! data file that cannot be used is an input error (exit code 2) that names the scenario file, the
//! position of its `file` value, the key, and what is wrong where in the data file.

use std::path::{Path, PathBuf};

use ccsim::experiment;
use ccsim::metrics::{Metric, RunResults, ScopeKind};
use ccsim::scenario::Scenario;

use crate::cases::{Case, Extra, Input, Pos, case, check_all, invalid, with};
use crate::common::Center;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// One channel feeding one queue of plenty of agents; `arrivals` and `handle_time` as given.
fn center(arrivals: &str, handle_time: &str, simulation: &str) -> String {
    Center::new("persistent_chat", 0.0, handle_time, 40)
        .arrivals(arrivals)
        .simulation(&format!("horizon = \"1d\"\ninterval = \"1h\"\n{simulation}"))
        .toml()
}

/// Runs scenario text whose data files are in `tests/data`.
fn run_with_data(text: &str) -> RunResults {
    let scenario = match Scenario::from_toml_in(text, "demand.toml", &data_dir()) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid: {e}"),
    };
    experiment::run_replications(&scenario, &experiment::Settings::default(), &|_| {})
}

#[test]
fn trace_offers_exactly_its_timestamps_in_their_intervals() {
    let text = center(
        r#"{ process = "trace", file = "trace_arrivals.csv" }"#,
        r#"{ dist = "exponential", mean = "5m" }"#,
        "replications = 5",
    );
    let results = run_with_data(&text);
    let channel = crate::common::scope(&results, ScopeKind::Channel, "persistent_chat");

    // The file's comment lists the arrivals per hour of day 1; the two on day 2 are past the horizon.
    let mut expected = [0.0; 24];
    for (hour, count) in [(0, 1.0), (1, 1.0), (8, 4.0), (9, 1.0), (13, 1.0), (23, 1.0)] {
        expected[hour] = count;
    }
    for r in 0..5 {
        assert_eq!(results.replication_value(r, channel, Metric::Offered).number(), 9.0, "replication {r}");
    }
    for (k, count) in expected.iter().enumerate() {
        assert_eq!(results.interval_value(k, channel, Metric::Offered), *count, "interval {k}");
    }

    // The same arrival times, but customers of their own in each replication.
    let aht: Vec<f64> = (0..5).map(|r| results.replication_value(r, channel, Metric::AhtS).number()).collect();
    assert!(aht.windows(2).any(|w| w[0] != w[1]), "every replication drew the same handle times: {aht:?}");
}

#[test]
fn trace_is_read_from_the_scenario_files_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("history")).unwrap();
    std::fs::write(dir.path().join("history/monday.csv"), "arrival\n08:00\n08:30\nd1 09:15\n").unwrap();
    let text = center(r#"{ process = "trace", file = "history/monday.csv" }"#, r#""4m""#, "replications = 2");
    let path = dir.path().join("center.toml");
    std::fs::write(&path, text).unwrap();

    let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let results = experiment::run_replications(&scenario, &experiment::Settings::default(), &|_| {});
    assert_eq!(crate::common::all(&results, Metric::Offered).mean, 3.0);
    // No warning: every arrival is before the horizon.
    assert!(scenario.warnings.is_empty(), "{:?}", scenario.warnings);
}

#[test]
fn trace_arrivals_past_the_horizon_are_a_warning() {
    let text = center(r#"{ process = "trace", file = "trace_arrivals.csv" }"#, r#""4m""#, "");
    let scenario = Scenario::from_toml_in(&text, "demand.toml", &data_dir()).unwrap();
    assert_eq!(scenario.warnings.len(), 1, "{:?}", scenario.warnings);
    assert!(scenario.warnings[0].message.contains("2 of the 11 arrivals"), "{}", scenario.warnings[0]);
}

#[test]
fn empirical_handle_times_reproduce_the_files_mean() {
    // No arrivals in the last hour, so that every conversation is handled before the horizon and
    // long handle times are not cut off.
    let rates: Vec<&str> = (0..24).map(|h| if h < 23 { "60" } else { "0" }).collect();
    let text = center(
        &format!(r#"{{ process = "poisson", rate_per_hour = [{}] }}"#, rates.join(", ")),
        r#"{ dist = "empirical", file = "handle_times.csv" }"#,
        "replications = 20\nseed = 4",
    );
    let results = run_with_data(&text);
    // The file's 12 values sum to 3150 s.
    crate::common::assert_agrees("aht_s", crate::common::all(&results, Metric::AhtS), 262.5, 3.0, 0.0);
}

#[test]
fn renewal_arrivals_with_a_constant_gap_are_evenly_spaced() {
    // One arrival every 90 s from 00:01:30: 40 per hour, 39 in the first hour (3600 s is the next).
    let text = center(r#"{ process = "renewal", interarrival = "90s" }"#, r#""1m""#, "replications = 2");
    let results = crate::common::run(&text);
    let channel = crate::common::scope(&results, ScopeKind::Channel, "persistent_chat");
    assert_eq!(results.interval_value(0, channel, Metric::Offered), 39.0);
    for k in 1..24 {
        assert_eq!(results.interval_value(k, channel, Metric::Offered), 40.0, "interval {k}");
    }
}

#[test]
fn renewal_arrivals_with_weibull_gaps_match_their_rate() {
    // Weibull gaps with scale 60 s and shape 2 have a mean of 60·Γ(1.5) = 53.17 s; over a day
    // the count is 86 400 / 53.17 ≈ 1625 on average (renewal theorem).
    let text = center(
        r#"{ process = "renewal", interarrival = { dist = "weibull", shape = 2, scale = "1m" } }"#,
        r#""1m""#,
        "replications = 20",
    );
    let results = crate::common::run(&text);
    let mean_gap = 60.0 * statrs::function::gamma::gamma(1.5);
    crate::common::assert_agrees(
        "offered",
        crate::common::all(&results, Metric::Offered),
        86_400.0 / mean_gap,
        3.0,
        0.001,
    );
}

const POISSON: &str = r#"{ process = "poisson", rate_per_hour = 10 }"#;
const EXPONENTIAL: &str = r#"{ dist = "exponential", mean = "5m" }"#;

/// A scenario with these arrivals and handle times, and its data files beside it; `validate`
/// must point at `at` and name `key` and the data file by its path.
fn bad_data(
    name: &'static str,
    arrivals: &str,
    handle_time: &str,
    files: &[(&'static str, &str)],
    at: &'static str,
    key: &'static str,
    says: &[&str],
) -> Case {
    let files = files.iter().map(|&(file, text)| Extra::Text(file, text.to_string())).collect();
    let says: Vec<&str> = ["{dir}"].iter().chain(says).copied().collect();
    with(files, case(name, Input::Text(center(arrivals, handle_time, "")), invalid(Pos::At(at), key, &says)))
}

fn bad_data_cases() -> Vec<Case> {
    vec![
        bad_data(
            "empirical_value_not_a_number",
            POISSON,
            r#"{ dist = "empirical", file = "aht.csv" }"#,
            &[("aht.csv", "seconds\n120\n# a comment\nabc\n")],
            r#""aht.csv""#,
            "work_stream.w.handle_time.file",
            &["aht.csv, line 4: \"abc\" is not a value", "expected a number of seconds or a duration"],
        ),
        bad_data(
            "empirical_file_empty",
            POISSON,
            r#"{ dist = "empirical", file = "aht.csv" }"#,
            &[("aht.csv", "\n# nothing here\n")],
            r#""aht.csv""#,
            "work_stream.w.handle_time.file",
            &["aht.csv holds no values", "expected one value per line"],
        ),
        bad_data(
            "empirical_negative_duration",
            POISSON,
            r#"{ dist = "empirical", file = "aht.csv" }"#,
            &[("aht.csv", "60\n-30\n")],
            r#""aht.csv""#,
            "work_stream.w.handle_time.file",
            &["aht.csv, line 2: \"-30\" is negative", "expected a duration of 0 or more"],
        ),
        bad_data(
            "empirical_file_missing",
            POISSON,
            r#"{ dist = "empirical", file = "data/aht.csv" }"#,
            &[],
            r#""data/aht.csv""#,
            "work_stream.w.handle_time.file",
            &["aht.csv: no such file", "expected a CSV file of values"],
        ),
        bad_data(
            "empirical_interarrival_file_bad",
            r#"{ process = "renewal", interarrival = { dist = "empirical", file = "gaps.csv" } }"#,
            EXPONENTIAL,
            &[("gaps.csv", "30\n4x\n")],
            r#""gaps.csv""#,
            "channel.persistent_chat.arrivals.interarrival.file",
            &["gaps.csv, line 2: \"4x\" is not a value", "expected"],
        ),
        bad_data(
            "trace_file_missing",
            r#"{ process = "trace", file = "arrivals.csv" }"#,
            EXPONENTIAL,
            &[],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["arrivals.csv: no such file", "expected a CSV file of arrival timestamps"],
        ),
        bad_data(
            "trace_negative_timestamp",
            r#"{ process = "trace", file = "arrivals.csv" }"#,
            EXPONENTIAL,
            &[("arrivals.csv", "id,arrival\n1,08:00\n2,-60\n")],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["arrivals.csv, line 3: \"-60\" is a negative timestamp", "expected 0 or more seconds"],
        ),
        bad_data(
            "trace_nan_timestamp",
            r#"{ process = "trace", file = "arrivals.csv" }"#,
            EXPONENTIAL,
            &[("arrivals.csv", "60\nNaN\n")],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["arrivals.csv, line 2: \"NaN\" is not a finite number", "expected"],
        ),
        bad_data(
            "trace_not_a_timestamp",
            r#"{ process = "trace", file = "arrivals.csv" }"#,
            EXPONENTIAL,
            &[("arrivals.csv", "timestamp\n08:15x\n")],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["line 2: \"08:15x\" is not a timestamp", "expected seconds since the start"],
        ),
        bad_data(
            "trace_of_dates_without_a_start",
            r#"{ process = "trace", file = "arrivals.csv" }"#,
            EXPONENTIAL,
            &[("arrivals.csv", "timestamp\n2024-03-01 08:15\n")],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["line 2: \"2024-03-01 08:15\" is a date-time, but the simulation has no start", "simulation.start"],
        ),
        bad_data(
            "trace_all_after_the_horizon",
            r#"{ process = "trace", file = "arrivals.csv" }"#,
            EXPONENTIAL,
            &[("arrivals.csv", "d2 08:00\nd3 09:00\n")],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["all 2 arrivals are at or after the horizon", "expected at least one before it"],
        ),
        bad_data(
            "trace_that_holds_counts_per_interval",
            r#"{ process = "trace", file = "arrivals.csv" }"#,
            EXPONENTIAL,
            &[("arrivals.csv", "interval_start,offered\n08:00,120\n08:30,140\n")],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["line 1: a column \"offered\": this looks like counts per interval", "process = \"poisson\", file = ..."],
        ),
        bad_data(
            "forecast_that_holds_timestamps",
            FORECAST,
            EXPONENTIAL,
            &[("forecast.csv", "timestamp\n08:00\n08:01\n")],
            r#""forecast.csv""#,
            "channel.persistent_chat.arrivals.file",
            &[
                "line 1: the header is \"timestamp\"",
                "this looks like arrival timestamps: use arrivals = { process = \"trace\"",
            ],
        ),
        bad_data(
            "forecast_with_a_missing_interval",
            FORECAST,
            EXPONENTIAL,
            &[("forecast.csv", "interval_start,offered\n00:00,5\n12:00,5\nd2 00:00,5\nd2 12:00,5\nd3 12:00,5\n")],
            r#""forecast.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["line 6: no interval starts at d3 00:00 (the one before it, line 5, starts at d2 12:00)", "none missing"],
        ),
        bad_data(
            "forecast_with_an_interval_twice",
            FORECAST,
            EXPONENTIAL,
            &[("forecast.csv", "interval_start,offered\n00:00,5\n06:00,5\n06:00,7\n12:00,5\n")],
            r#""forecast.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["lines 3 and 4: two intervals start at 06:00", "expected each interval once"],
        ),
        bad_data(
            "forecast_with_a_negative_count",
            FORECAST,
            EXPONENTIAL,
            &[("forecast.csv", "interval_start,offered\n00:00,5\n12:00,-3\n")],
            r#""forecast.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["forecast.csv, line 3: offered \"-3\"", "expected a count of 0 or more"],
        ),
        bad_data(
            "forecast_shorter_than_the_horizon",
            FORECAST,
            EXPONENTIAL,
            &[("forecast.csv", "interval_start,offered\n00:00,5\n06:00,5\n12:00,5\n")],
            r#""forecast.csv""#,
            "channel.persistent_chat.arrivals.file",
            &[
                "the forecast ends at 18:00, before the horizon (d2 00:00)",
                "exactly one day or one week, which repeats",
            ],
        ),
        bad_data(
            "forecast_for_other_channels",
            FORECAST,
            EXPONENTIAL,
            &[("forecast.csv", "interval_start,channel,offered\n00:00,sms,5\n12:00,sms,5\n")],
            r#""forecast.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["has no interval for channel \"persistent_chat\"; its channels are \"sms\""],
        ),
        bad_data(
            "forecast_of_uneven_intervals",
            FORECAST,
            EXPONENTIAL,
            &[("forecast.csv", "interval_start,offered\n00:00,5\n00:20,5\n00:50,5\n")],
            r#""forecast.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["line 4: an interval starts at 00:50, between the intervals of 20m", "expected one interval every 20m"],
        ),
        bad_data(
            "trace_with_no_rows",
            r#"{ process = "trace", file = "arrivals.csv" }"#,
            EXPONENTIAL,
            &[("arrivals.csv", "timestamp\n")],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["arrivals.csv holds no arrivals", "expected one arrival timestamp per line"],
        ),
    ]
}

const FORECAST: &str = r#"{ process = "poisson", file = "forecast.csv" }"#;

/// Writes `files` into a new directory and runs `text` from there.
fn run_with_files(text: &str, files: &[(&str, &str)]) -> RunResults {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let scenario = match Scenario::from_toml_in(text, "forecast.toml", dir.path()) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid: {e}"),
    };
    experiment::run_replications(&scenario, &experiment::Settings::default(), &|_| {})
}

#[test]
fn a_forecast_of_counts_per_interval_is_drawn_at_those_rates() {
    // One file for two channels, in half hours with ISO dates, over exactly one day: it repeats.
    // Chats come at 08:00–10:00 only, SMS all day at 10 a half hour; the chats of 09:00–10:00 take
    // 10 minutes on average instead of the work stream's 2.
    let mut forecast = String::from("interval_start,channel,offered,aht_s\n");
    for h in 0..48 {
        let (hh, mm) = (h / 2, if h % 2 == 0 { "00" } else { "30" });
        let chats = if (16..20).contains(&h) { 60 } else { 0 };
        let aht = if (18..20).contains(&h) { 600 } else { 120 };
        forecast.push_str(&format!(
            "2026-03-02T{hh:02}:{mm},live_chat,{chats},{aht}\n2026-03-02 {hh:02}:{mm},sms,10,120\n"
        ));
    }
    let text = format!(
        "[simulation]\nhorizon = \"2d\"\ninterval = \"1h\"\nreplications = 20\nstart = \"2026-03-02\"\n\n\
         [[channel]]\nname = \"live_chat\"\nkind = \"live_chat\"\nwork_stream = \"w\"\narrivals = {FORECAST}\n\n\
         [[channel]]\nname = \"sms\"\nkind = \"sms\"\nwork_stream = \"w\"\narrivals = {FORECAST}\n\n\
         [[work_stream]]\nname = \"w\"\nhandle_time = {{ dist = \"exponential\", mean = \"2m\" }}\n\n\
         [[queue]]\nname = \"q\"\n\n[[agent_group]]\nname = \"a\"\ncount = 60\nqueues = [\"q\"]\n"
    );
    let results = run_with_files(&text, &[("forecast.csv", &forecast)]);
    let scope = |name: &str| results.scopes.iter().find(|s| s.kind == ScopeKind::Channel && s.name == name).unwrap();
    let poisson = |label: String, mean: f64, lambda: f64| {
        let se = (lambda / 20.0).sqrt();
        assert!((mean - lambda).abs() <= 4.0 * se, "{label}: {mean}, expected {lambda} ± {}", 4.0 * se);
    };
    for day in 0..2 {
        for h in 0..24 {
            let k = day * 24 + h;
            let chats = if (8..10).contains(&h) { 120.0 } else { 0.0 };
            let got = results.interval_value(k, scope("live_chat"), Metric::Offered);
            if chats == 0.0 {
                assert_eq!(got, 0.0, "chats in hour {k}");
            } else {
                poisson(format!("chats in hour {k}"), got, chats);
            }
            poisson(format!("sms in hour {k}"), results.interval_value(k, scope("sms"), Metric::Offered), 20.0);
        }
    }
    // The handle times of the 09:00 chats: 10 minutes on average, exponential as the work
    // stream's (a standard deviation equal to the mean), over 120 chats an hour in each of 20
    // replications; the 08:00 chats' 2 minutes likewise.
    let aht = |k: usize| results.interval_value(k, scope("live_chat"), Metric::AhtS);
    let n = 120.0 * 20.0;
    for (k, mean) in [(8, 120.0), (9, 600.0), (32, 120.0), (33, 600.0)] {
        assert!((aht(k) - mean).abs() <= 4.0 * mean / f64::sqrt(n), "hour {k}: AHT {}, expected {mean}", aht(k));
    }
}

#[test]
fn a_forecast_covering_the_horizon_is_read_as_it_is_and_may_begin_earlier() {
    // Hourly counts from the day before the start to the end of day 2: rows before 00:00 of day 1
    // are skipped, and no day repeats.
    let mut forecast = String::from("interval_start,offered\n");
    for h in -24..48 {
        let day_of_month = 1 + (h + 24) / 24;
        let count = if h < 0 { 999 } else { h + 1 };
        forecast.push_str(&format!("2026-03-{day_of_month:02}T{:02}:00,{count}\n", (h + 48) % 24));
    }
    let text = Center::new("live_chat", 0.0, "\"1m\"", 40)
        .arrivals(FORECAST)
        .simulation("horizon = \"2d\"\ninterval = \"1h\"\nreplications = 20\nstart = \"2026-03-02\"")
        .toml();
    let results = run_with_files(&text, &[("forecast.csv", &forecast)]);
    for k in [0usize, 10, 30, 47] {
        let lambda = k as f64 + 1.0;
        let got = results.interval_value(k, &results.scopes[0], Metric::Offered);
        assert!((got - lambda).abs() <= 4.0 * (lambda / 20.0).sqrt() + 1e-9, "hour {k}: {got}, expected {lambda}");
    }
}

#[test]
fn unusable_data_files_are_input_errors_that_point_at_the_file_value() {
    check_all(&bad_data_cases());
}
