//! `report.html` in a real browser: headless Chromium opens each command's page, which must load
//! with no error and no request, draw every chart at a size above zero, show the key figures as
//! `summary.csv` has them, and sort a table on a header click; a screenshot is taken. Needs
//! Chromium (Debian's `chromium`): `.ci/run` installs it when missing and runs these tests with
//! `cargo test --test it browser -- --ignored`; plain `cargo test` lists them as ignored.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

use crate::common::{six_commands, summary_mean};

/// Inserted first in `<head>`: every error and console error the page raises.
const PROBE_HEAD: &str = "<script>window.__ccsimErrors = [];\
window.addEventListener('error', function (e) { window.__ccsimErrors.push(String(e.message)); });\
(function () { var error = console.error; console.error = function () { window.__ccsimErrors.push(Array.prototype.join.call(arguments, ' ')); error.apply(console, arguments); }; })();</script>";

/// Inserted last in `<body>`: what loaded, written into the page as JSON for `--dump-dom`.
const PROBE_BODY: &str = "<script>window.addEventListener('load', function () {\
var out = { errors: window.__ccsimErrors, resources: performance.getEntriesByType('resource').map(function (r) { return r.name; }), charts: [], keys: {}, sorted: null };\
document.querySelectorAll('figure.chart').forEach(function (f) { var s = f.querySelector('svg'); var r = s ? s.getBoundingClientRect() : { width: 0, height: 0 }; out.charts.push({ name: f.dataset.chart, width: r.width, height: r.height }); });\
document.querySelectorAll('[data-key]').forEach(function (d) { out.keys[d.dataset.key] = d.dataset.value; });\
var offered = function (t) { return Array.prototype.filter.call(t.tHead.rows[0].cells, function (c) { return c.textContent.trim() === 'offered'; })[0]; };\
var t = Array.prototype.filter.call(document.querySelectorAll('table.sortable'), function (x) { return offered(x); }).sort(function (a, b) { return (b.closest('details') ? 1 : 0) - (a.closest('details') ? 1 : 0); })[0];\
if (t) { var d = t.closest('details'); if (d) { d.open = true; } var th = offered(t); th.click();\
var v = Array.prototype.map.call(t.tBodies[0].rows, function (r) { return parseFloat(r.cells[th.cellIndex].textContent.replace('\\u2212', '-')); }).filter(function (x) { return !isNaN(x); });\
out.sorted = v.length > 1 && th.dataset.dir === 'asc' && v.every(function (x, i) { return i === 0 || v[i - 1] <= x; }) && v[0] < v[v.length - 1]; }\
var pre = document.createElement('pre'); pre.id = 'ccsim-probe'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);\
});</script>";

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Process::new("sh").args(["-c", &format!("command -v {name}")]).output()
            && out.status.success()
        {
            return PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        }
    }
    panic!("no Chromium: install Debian's chromium (apt-get install chromium), as .ci/run does");
}

fn headless(browser: &Path, args: &[&str], page: &Path) -> std::process::Output {
    Process::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .arg("--disable-extensions")
        .arg(format!("--user-data-dir={}", page.parent().unwrap().join("chromium-profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

#[test]
#[ignore = "needs Chromium; .ci/run runs it"]
fn browser_every_report_loads_draws_its_charts_and_sorts() {
    let browser = chromium();
    let dir = tempfile::tempdir().unwrap();
    for (name, args, summary_dir) in six_commands(dir.path()) {
        let out_dir = dir.path().join(name);
        let out = Command::cargo_bin("ccsim")
            .unwrap()
            .args(&args)
            .args(["-q", "-r", "3", "-o"])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let page = fs::read_to_string(out_dir.join("report.html")).unwrap();
        let probe = page.replacen("<head>", &format!("<head>{PROBE_HEAD}"), 1).replacen(
            "</body>",
            &format!("{PROBE_BODY}</body>"),
            1,
        );
        let probe_path = out_dir.join("probe.html");
        fs::write(&probe_path, probe).unwrap();
        let dumped = headless(&browser, &["--virtual-time-budget=10000", "--dump-dom"], &probe_path);
        let dom = String::from_utf8_lossy(&dumped.stdout);
        let json =
            dom.split("<pre id=\"ccsim-probe\">").nth(1).and_then(|rest| rest.split("</pre>").next()).unwrap_or_else(
                || panic!("{name}: the page did not finish loading: {}", String::from_utf8_lossy(&dumped.stderr)),
            );
        let json = json.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
        let seen: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(seen["errors"], serde_json::json!([]), "{name}: errors in the page");
        assert_eq!(seen["resources"], serde_json::json!([]), "{name}: the page fetched something");
        let charts = seen["charts"].as_array().unwrap();
        let svgs = fs::read_dir(out_dir.join("charts"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "svg"))
            .count();
        assert_eq!(charts.len(), svgs, "{name}: every chart in the page");
        for c in charts {
            assert!(c["width"].as_f64().unwrap() > 100.0 && c["height"].as_f64().unwrap() > 50.0, "{name}: {c}");
        }
        assert_eq!(seen["sorted"], serde_json::json!(true), "{name}: a header click sorts its table");
        if name != "sweep" {
            let summary = out_dir.join(summary_dir);
            for metric in ["offered", "service_level", "asa_s", "abandon_rate"] {
                assert_eq!(
                    seen["keys"][metric].as_str(),
                    Some(summary_mean(&summary, metric).as_str()),
                    "{name}: {metric}"
                );
            }
        }
        // A screenshot of the page as it is.
        let shot = out_dir.join("report.png");
        let taken = headless(
            &browser,
            &["--window-size=1280,2000", &format!("--screenshot={}", shot.display())],
            &out_dir.join("report.html"),
        );
        let png = fs::read(&shot)
            .unwrap_or_else(|e| panic!("{name}: no screenshot ({e}): {}", String::from_utf8_lossy(&taken.stderr)));
        assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "{name}: a blank screenshot?");
    }
}
