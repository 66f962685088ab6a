//! `ccsim fit` (DESIGN.md "Demand files"): a simulated center's own trace fitted back to its
//! parameters within their statistical tolerance; a real bank's call records read and summarised
//! as computed straight from the records; and histories that cannot be read, refused or skipped
//! and counted.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

/// fit.csv's rows as (what, channel, parameter, estimate, low, high, note, n).
fn rows(dir: &Path) -> Vec<Row> {
    let text = fs::read_to_string(dir.join("fit.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let num = |i: usize| r[i].parse::<f64>().unwrap();
            (r[0].to_string(), r[1].to_string(), r[2].to_string(), num(3), num(4), num(5), r[7].to_string(), num(6))
        })
        .collect()
}

type Row = (String, String, String, f64, f64, f64, String, f64);

fn find<'a>(rows: &'a [Row], what: &str, parameter: &str) -> &'a Row {
    rows.iter().find(|r| r.0 == what && r.2 == parameter).unwrap_or_else(|| panic!("no {what} {parameter} in fit.csv"))
}

/// Calls at 60 an hour from 08:00 to 20:00 and 10 an hour otherwise, every day for four weeks,
/// gamma handle times of mean 4 minutes and sd 2, exponential patience of mean 3 minutes, and a
/// gamma day factor of sd 0.15; a few too few agents, so that some callers give up.
const KNOWN: &str = r#"
[simulation]
name = "known"
horizon = "28d"
interval = "1d"
replications = 1
seed = 77

[[channel]]
name = "phone"
kind = "voice"
work_stream = "calls"
arrivals = { process = "poisson", rate_per_hour = [10, 10, 10, 10, 10, 10, 10, 10, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 10, 10, 10, 10], day_factor = { dist = "gamma", mean = 1, sd = 0.15 } }

[[work_stream]]
name = "calls"
handle_time = { dist = "gamma", mean = "4m", sd = "2m" }
patience = { dist = "exponential", mean = "3m" }

[[queue]]
name = "q"

[[agent_group]]
name = "agents"
count = 4
queues = ["q"]
"#;

#[test]
fn a_simulated_centers_trace_is_fitted_back_to_its_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("known.toml");
    fs::write(&scenario, KNOWN).unwrap();
    let run = ccsim()
        .arg("run")
        .arg(&scenario)
        .args(["--trace", "--no-charts", "-q", "-o"])
        .arg(dir.path().join("run"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let out = ccsim()
        .arg("fit")
        .arg(dir.path().join("run/conversations.csv"))
        .args(["--interval", "1h", "-q", "-o"])
        .arg(dir.path().join("fit"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fit = rows(&dir.path().join("fit"));

    // Each hour of the week: four days of that weekday, each a Poisson count times the day's
    // factor; the estimate is within four of its standard errors, √(λ(1 + λh·cv²)/(4h)) per hour
    // with λh calls in the hour, of the true rate.
    let rates: Vec<_> = fit.iter().filter(|r| r.0 == "arrivals").collect();
    assert_eq!(rates.len(), 168);
    for (j, r) in rates.iter().enumerate() {
        let hour = j % 24;
        let lambda: f64 = if (8..20).contains(&hour) { 60.0 } else { 10.0 };
        let se = (lambda * (1.0 + lambda * 0.15 * 0.15) / 4.0).sqrt();
        assert!((r.3 - lambda).abs() <= 4.0 * se, "{}: {} an hour, expected {lambda} ± {}", r.2, r.3, 4.0 * se);
    }
    // The day factor is found, and its interval holds 0.15.
    let sd = find(&fit, "day_factor", "gamma.sd");
    assert!(sd.4 <= 0.15 && 0.15 <= sd.5, "day factor sd {sd:?}");
    // Handle times: the gamma is chosen, and its intervals hold the true shape (4) and scale
    // (60 s), widened to four standard errors.
    let shape = find(&fit, "handle_time", "gamma.shape");
    let scale = find(&fit, "handle_time", "gamma.scale");
    assert_eq!(shape.6, "chosen", "{fit:?}");
    for (r, truth) in [(shape, 4.0), (scale, 60.0)] {
        let half = (r.5 - r.4) / 2.0;
        assert!((r.3 - truth).abs() <= 2.0 * half, "{r:?} vs {truth}");
    }
    // Patience: the censored exponential's mean holds 180 s within four standard errors; the
    // abandoners' own mean wait is far below it.
    let patience = find(&fit, "patience", "exponential.mean");
    let half = (patience.5.ln() - patience.4.ln()) / 2.0;
    assert!((patience.3.ln() - 180f64.ln()).abs() <= 2.0 * half, "{patience:?}");
    assert!(find(&fit, "patience", "naive.mean").3 < 0.6 * 180.0);

    // fitted.toml, with agents and a horizon added, is a scenario that runs.
    let fitted = fs::read_to_string(dir.path().join("fit/fitted.toml")).unwrap();
    let whole = format!(
        "[simulation]\nhorizon = \"1d\"\nreplications = 2\n\n{fitted}\n[[agent_group]]\nname = \"a\"\ncount = 4\nqueues = [\"phone\"]\n"
    );
    let scenario =
        ccsim::scenario::Scenario::from_toml(&whole, "fitted.toml").unwrap_or_else(|e| panic!("{e}\n{whole}"));
    assert_eq!(scenario.channels.len(), 1);
    for chart in ["fit_arrivals_phone", "fit_handle_time_phone", "fit_patience_phone"] {
        assert!(dir.path().join(format!("fit/charts/{chart}.svg")).exists(), "{chart}");
    }
}

/// The bank's records, beside this clone; CI checks `../shared` out there too.
fn bank() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/anonymous-bank-1999/january.txt")
}

#[test]
fn a_real_banks_call_records_are_read_and_summarised_as_the_records_say() {
    let path = bank();
    let text = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (the real-data test needs ../shared/data beside the clone)", path.display())
    });
    // A slice: the header and the first 6000 calls (about the first week of January 1999).
    let slice: String = text.lines().take(6001).map(|l| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bank.txt");
    fs::write(&file, &slice).unwrap();
    let out = ccsim()
        .arg("fit")
        .arg(&file)
        .args([
            "--column",
            "arrival=vru_entry",
            "--column",
            "date=date",
            "--column",
            "channel=type",
            "--column",
            "wait=q_time",
            "--column",
            "handle=ser_time",
            "--interval",
            "1h",
            "-o",
        ])
        .arg(dir.path().join("fit"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("6000 rows read"), "{stdout}");

    // Straight from the records: per call type, the calls, and the mean service time of the
    // calls an agent served (service above 0).
    let mut reader = csv::ReaderBuilder::new().delimiter(b'\t').from_reader(slice.as_bytes());
    let mut calls = std::collections::BTreeMap::<String, (f64, f64, f64)>::new();
    for r in reader.records() {
        let r = r.unwrap();
        let e = calls.entry(r[4].to_string()).or_default();
        e.0 += 1.0;
        let service: f64 = r[15].parse().unwrap();
        if &r[12] == "AGENT" && service > 0.0 {
            e.1 += service;
            e.2 += 1.0;
        }
    }
    let fit = rows(&dir.path().join("fit"));
    for (kind, (n, service, served)) in &calls {
        // The rates per hour, each times the days seen of its weekday, add up to the calls.
        let rates: Vec<_> = fit.iter().filter(|r| r.0 == "arrivals" && &r.1 == kind).collect();
        let total: f64 = rates.iter().map(|r| r.3 * r.7).sum();
        assert!((total - n).abs() < 1e-6 * n, "{kind}: {total} vs {n} calls");
        if *served > 1.0 {
            let mean = fit.iter().find(|r| r.0 == "handle_time" && &r.1 == kind && r.2 == "empirical.mean").unwrap();
            assert!((mean.3 - service / served).abs() < 1e-6, "{kind}: {} vs {}", mean.3, service / served);
        }
    }
    // PS, the regular calls, are most of them, with a weekly profile and abandonment.
    let ps: Vec<_> = fit.iter().filter(|r| r.1 == "PS").collect();
    assert_eq!(ps.iter().filter(|r| r.0 == "arrivals").count(), 168);
    assert!(ps.iter().any(|r| r.0 == "patience" && r.2 == "exponential.mean" && r.3 > 0.0));
}

#[test]
fn histories_that_cannot_be_read_are_refused_naming_the_line_or_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.csv");
    fs::write(
        &file,
        "created_on,queue,outcome,first_wait_s,active_s\n\
         2026-03-02T08:00:00,billing,completed,12,300\n\
         2026-03-02T08:05:00,billing,abandoned,40,\n\
         2026-03-02T08:01:00,billing,completed,5,0\n\
         2026-03-02T08:05:00,billing,abandoned,40,\n\
         yesterday,billing,completed,3,200\n\
         2026-03-02T08:09:00,billing,completed,,250\n",
    )
    .unwrap();
    let fit =
        |args: &[&str]| ccsim().arg("fit").arg(&file).args(args).arg("-o").arg(dir.path().join("o")).output().unwrap();
    let out = fit(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("history.csv, line 6: arrival: \"yesterday\" is not a timestamp")
            && stderr.contains("--skip-bad-rows"),
        "{stderr}"
    );
    assert!(!dir.path().join("o").exists(), "nothing is written");
    let out = fit(&["--skip-bad-rows"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for says in [
        "6 rows read, 4 conversations kept",
        "1 rows skipped as unreadable",
        "1 rows repeated exactly, dropped",
        "1 rows out of arrival order, sorted",
        "1 zero handle times of answered conversations",
        "1 answered or abandoned rows without a wait",
        "skipped: line 6",
    ] {
        assert!(stdout.contains(says), "{says}: {stdout}");
    }
    // A --column that names no column, or no name ccsim knows.
    for (args, says) in [
        (&["--column", "arrival=opened"][..], "--column arrival=opened: no column is headed \"opened\""),
        (&["--column", "arrivals=created_on"][..], "--column arrivals=...: no such name"),
        (&["--interval", "20m"][..], "--interval 20m: expected 15m, 30m or 1h"),
    ] {
        let out = fit(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
