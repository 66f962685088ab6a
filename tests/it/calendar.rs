//! Demand over the calendar (DESIGN.md "Profiles" and "Demand files"): rate profiles whatever the
//! reporting interval, weekly profiles from the weekday of `simulation.start`, dated labels,
//! `[[special_day]]` factors, and `day_factor` overdispersion against λ + λ²·cv².

use ccsim::experiment::{self, Settings};
use ccsim::metrics::{Metric, RunResults};

use crate::common::{Center, run, run_traced, scenario};

/// Offered per reporting interval, the mean over replications.
fn offered(results: &RunResults, k: usize) -> f64 {
    results.interval_value(k, &results.scopes[0], Metric::Offered)
}

/// Asserts that a mean over `replications` of Poisson counts of mean `lambda` is within four of
/// its standard errors, √(λ/R), of λ.
fn assert_poisson_mean(label: &str, mean: f64, lambda: f64, replications: f64) {
    let se = (lambda / replications).sqrt();
    assert!((mean - lambda).abs() <= 4.0 * se, "{label}: {mean} offered on average, expected {lambda} ± {}", 4.0 * se);
}

const HOURLY: &str = "[0, 0, 0, 0, 0, 0, 10, 30, 60, 90, 100, 100, 90, 80, 80, 70, 60, 50, 40, 30, 20, 10, 0, 0]";

#[test]
fn rates_do_not_depend_on_the_reporting_interval() {
    // The same hourly profile, reported in 15 minutes, 2 hours or a day: the same arrivals.
    let arrivals = |interval: &str| {
        let text = Center::new("live_chat", 0.0, "\"5m\"", 30)
            .arrivals(&format!("{{ process = \"poisson\", rate_per_hour = {HOURLY} }}"))
            .simulation(&format!("horizon = \"2d\"\ninterval = \"{interval}\"\nreplications = 2"))
            .toml();
        let (_, results, rows) = run_traced(&text);
        let times: Vec<f64> = rows.iter().map(|r| r.view.arrival.0).collect();
        (times, results.interval_lengths.len())
    };
    let (hourly, n) = arrivals("1h");
    assert!(hourly.len() > 1000 && n == 48);
    for (interval, intervals) in [("15m", 192), ("2h", 24), ("1d", 2)] {
        let (times, n) = arrivals(interval);
        assert_eq!(n, intervals, "{interval}");
        assert_eq!(times, hourly, "{interval}: the arrivals differ");
    }
    // Half-hour rates: 48 values whatever the interval.
    let halves: Vec<String> = (0..48).map(|i| if i == 20 { "600".into() } else { "0".to_string() }).collect();
    let text = Center::new("live_chat", 0.0, "\"1m\"", 30)
        .arrivals(&format!("{{ process = \"poisson\", rate_per_hour = [{}] }}", halves.join(", ")))
        .simulation("horizon = \"1d\"\ninterval = \"1h\"\nreplications = 20")
        .toml();
    let results = run(&text);
    // 600 an hour for the half hour 10:00–10:30 only: 300 in the hour from 10:00, none elsewhere.
    assert_poisson_mean("10:00", offered(&results, 10), 300.0, 20.0);
    assert_eq!(offered(&results, 9) + offered(&results, 11), 0.0);
}

/// 100 an hour on Mondays, 10 an hour on the other days, in a week profile of 168 hours.
fn monday_peak() -> String {
    let week: Vec<String> = (0..168).map(|h| if h < 24 { "100".into() } else { "10".to_string() }).collect();
    format!("{{ process = \"poisson\", rate_per_hour = [{}] }}", week.join(", "))
}

#[test]
fn a_weekly_profile_follows_the_weekday_of_the_start() {
    let week = |start: &str| {
        let text = Center::new("live_chat", 0.0, "\"1m\"", 30)
            .arrivals(&monday_peak())
            .simulation(&format!("horizon = \"8d\"\ninterval = \"1d\"\nreplications = 10\n{start}"))
            .toml();
        let results = run(&text);
        (0..8).map(|d| offered(&results, d)).collect::<Vec<f64>>()
    };
    // Without a start, day 1 is a Monday, and so is day 8.
    let days = week("");
    for (d, &n) in days.iter().enumerate() {
        let lambda = if d == 0 || d == 7 { 2400.0 } else { 240.0 };
        assert_poisson_mean(&format!("day {}", d + 1), n, lambda, 10.0);
    }
    // 2026-03-04 is a Wednesday: the Monday is day 6.
    let days = week("start = \"2026-03-04\"");
    for (d, &n) in days.iter().enumerate() {
        let lambda = if d == 5 { 2400.0 } else { 240.0 };
        assert_poisson_mean(&format!("day {} from a Wednesday", d + 1), n, lambda, 10.0);
    }
}

#[test]
fn a_weekly_staffing_profile_follows_the_weekday_of_the_start_too() {
    // Agents on Mondays only.
    let staffing: Vec<String> = (0..168).map(|h| if h < 24 { "20".into() } else { "0".to_string() }).collect();
    let text = Center::new("persistent_chat", 30.0, "\"2m\"", 0)
        .agents(0, 1, "")
        .groups(&format!(
            "[[agent_group]]\nname = \"agents\"\nstaffing = [{}]\nqueues = [\"q\"]\n",
            staffing.join(", ")
        ))
        .simulation("horizon = \"7d\"\ninterval = \"1d\"\nreplications = 2\nstart = \"2026-03-05\"")
        .toml();
    let results = run(&text);
    // 2026-03-05 is a Thursday: day 5 is the Monday, the only day with agents. The chats of the
    // days before wait for it; those of the weekend after it are never answered.
    let staffed: Vec<f64> = (0..7).map(|d| results.staffed_agents(&[d], &results.scopes[0])).collect();
    assert_eq!(staffed[..5], [0.0, 0.0, 0.0, 0.0, 20.0]);
    // After midnight, agents only finish the chats they hold (2 minutes on average).
    assert!(staffed[5] < 20.0 * 20.0 / 1440.0 && staffed[6] == 0.0, "{staffed:?}");
    let answered: Vec<f64> = (0..7).map(|d| results.interval_value(d, &results.scopes[0], Metric::Answered)).collect();
    assert!(answered[..5].iter().all(|&a| a > 600.0) && answered[5..] == [0.0, 0.0], "{answered:?}");
}

#[test]
fn with_a_start_the_outputs_label_intervals_with_dates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dated.toml");
    let text = Center::new("live_chat", 60.0, "\"1m\"", 5)
        .simulation("horizon = \"2d\"\ninterval = \"12h\"\nreplications = 2\nstart = 2026-12-31")
        .toml();
    std::fs::write(&path, text).unwrap();
    let out = assert_cmd::Command::cargo_bin("ccsim")
        .unwrap()
        .arg("run")
        .arg(&path)
        .args(["--no-charts", "-q", "--trace", "-o"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let intervals = std::fs::read_to_string(dir.path().join("o/intervals.csv")).unwrap();
    let starts: Vec<&str> = intervals.lines().skip(1).filter(|l| l.contains(",all,all,")).map(|l| &l[..33]).collect();
    assert_eq!(
        starts,
        [
            "2026-12-31 00:00,2026-12-31 12:00",
            "2026-12-31 12:00,2027-01-01 00:00",
            "2027-01-01 00:00,2027-01-01 12:00",
            "2027-01-01 12:00,2027-01-02 00:00"
        ]
    );
    let conversations = std::fs::read_to_string(dir.path().join("o/conversations.csv")).unwrap();
    assert!(conversations.lines().nth(1).unwrap().split(',').nth(1).unwrap().starts_with("2026-12-31 00:"));
}

#[test]
fn special_days_scale_the_arrivals_of_their_date() {
    let text = format!(
        "{}\n[[special_day]]\ndate = \"2026-12-25\"\nfactor = 0.3\n\n[[special_day]]\ndate = 2026-12-26\nfactor = 1.8\n",
        Center::new("live_chat", 50.0, "\"1m\"", 20)
            .simulation("horizon = \"4d\"\ninterval = \"1d\"\nreplications = 20\nstart = \"2026-12-24\"")
            .toml()
    );
    let results = run(&text);
    for (d, factor) in [1.0, 0.3, 1.8, 1.0].iter().enumerate() {
        assert_poisson_mean(&format!("day {}", d + 1), offered(&results, d), 1200.0 * factor, 20.0);
    }
    // A special day of one channel leaves the other alone.
    let two = format!(
        "{}\n[[channel]]\nname = \"sms\"\nkind = \"sms\"\nwork_stream = \"w\"\narrivals = {{ process = \"poisson\", rate_per_hour = 50 }}\n\n[[special_day]]\ndate = \"2026-12-25\"\nfactor = 0\nchannel = \"sms\"\n",
        Center::new("live_chat", 50.0, "\"1m\"", 20)
            .simulation("horizon = \"2d\"\ninterval = \"1d\"\nreplications = 20\nstart = \"2026-12-24\"")
            .toml()
    );
    let results = run(&two);
    let channel = |name: &str| results.scopes.iter().find(|s| s.name == name).unwrap();
    assert_poisson_mean(
        "chat on day 2",
        results.interval_value(1, channel("live_chat"), Metric::Offered),
        1200.0,
        20.0,
    );
    assert_eq!(results.interval_value(1, channel("sms"), Metric::Offered), 0.0);
    assert_poisson_mean("sms on day 1", results.interval_value(0, channel("sms"), Metric::Offered), 1200.0, 20.0);
}

/// The variance of one day's count over `replications` replications, with the standard error of
/// that variance estimated from the counts' fourth central moment.
fn daily_counts(day_factor: &str, replications: u32) -> (f64, f64, f64) {
    let text = Center::new("live_chat", 0.0, "\"1m\"", 40)
        .arrivals(&format!("{{ process = \"poisson\", rate_per_hour = 20{day_factor} }}"))
        .simulation(&format!("horizon = \"1d\"\ninterval = \"1d\"\nreplications = {replications}\nseed = 12"))
        .toml();
    let s = scenario(&text);
    let results = experiment::run_replications(&s, &Settings::default(), &|_| {});
    let counts: Vec<f64> = (0..replications as usize)
        .map(|r| results.replication_value(r, &results.scopes[0], Metric::Offered).number())
        .collect();
    let n = counts.len() as f64;
    let mean = counts.iter().sum::<f64>() / n;
    let m2 = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / n;
    let m4 = counts.iter().map(|c| (c - mean).powi(4)).sum::<f64>() / n;
    let variance = m2 * n / (n - 1.0);
    (mean, variance, ((m4 - m2 * m2) / n).sqrt())
}

#[test]
fn a_day_factor_spreads_daily_counts_as_a_poisson_gamma_mixture() {
    // 480 a day. A gamma factor of mean 1 and sd 0.12 gives a variance of λ + λ²·cv² = 480 +
    // 480² · 0.0144 = 3797.8; Poisson alone gives λ = 480. Each is checked within four standard
    // errors of the sample variance, and each lies far outside the other's band.
    let lambda = 480.0;
    let (mean, variance, se) = daily_counts(", day_factor = { dist = \"gamma\", mean = 1, sd = 0.12 }", 2000);
    let mixed = lambda + lambda * lambda * 0.12 * 0.12;
    assert!((mean - lambda).abs() <= 4.0 * (mixed / 2000.0).sqrt(), "mean {mean}");
    assert!((variance - mixed).abs() <= 4.0 * se, "variance {variance} ± {se}, expected {mixed}");
    assert!((variance - lambda).abs() > 4.0 * se);
    let (_, plain, se) = daily_counts("", 2000);
    assert!((plain - lambda).abs() <= 4.0 * se, "variance {plain} ± {se}, expected {lambda}");
    assert!((plain - mixed).abs() > 4.0 * se);
}
