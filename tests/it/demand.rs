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
            &[("arrivals.csv", "timestamp\n2024-03-01 08:15\n")],
            r#""arrivals.csv""#,
            "channel.persistent_chat.arrivals.file",
            &["line 2: \"2024-03-01 08:15\" is not a timestamp", "expected seconds since the start"],
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

#[test]
fn unusable_data_files_are_input_errors_that_point_at_the_file_value() {
    check_all(&bad_data_cases());
}
