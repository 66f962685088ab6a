//! `report.html` (the page of run, compare, sweep and check): written unless `--no-report`,
//! self-contained, with the key figures as `summary.csv` has them, everything from the scenario
//! escaped, and the same bytes whatever the output folder. In a real browser: `browser.rs`.

use std::fs;

use assert_cmd::Command;

use crate::common::{six_commands, summary_mean};

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

#[test]
fn every_command_writes_a_self_contained_report_with_its_key_figures() {
    let dir = tempfile::tempdir().unwrap();
    let small = ["-q", "-r", "3", "--set", "simulation.horizon=12h"];
    for (name, args, summary_dir) in six_commands(dir.path()) {
        let out_dir = dir.path().join(name);
        let out = ccsim().args(&args).args(small).arg("-o").arg(&out_dir).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let page = fs::read_to_string(out_dir.join("report.html")).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"), "{name}");
        assert!(page.contains(&format!("<title>ccsim {name}: default</title>")), "{name}");
        // Nothing is fetched: no external script, style sheet, font or image.
        for fetch in ["src=", "<link", "@import", "url(", "href=\"http"] {
            assert!(!page.contains(fetch), "{name}: {fetch}");
        }
        // Charts inline, as the charts/ folder has them.
        let svgs = fs::read_dir(out_dir.join("charts"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "svg"));
        assert_eq!(page.matches("<figure class=\"chart\"").count(), svgs.count(), "{name}");
        assert!(page.contains("How to read this") && page.contains("The scenario as run"), "{name}");
        if name != "sweep" {
            // The key figures, as summary.csv has them (compare: its base's).
            let summary = out_dir.join(summary_dir);
            for metric in ["offered", "service_level", "asa_s"] {
                let value = summary_mean(&summary, metric);
                let marked = format!("data-key=\"{metric}\" data-value=\"{value}\">");
                assert!(page.contains(&marked), "{name}: {metric} {value}");
            }
        }
        if name == "check" {
            assert!(page.contains("<h2>Gates</h2>") && page.contains("1 gates, 0 failed."), "{name}");
        }
    }
}

#[test]
fn the_report_escapes_the_scenario_and_depends_on_nothing_but_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.toml");
    let hostile = "<script>alert(1)</script> & \\\"q\\\"";
    let text = ccsim::scenario::DEFAULT_SCENARIO
        .replace("name = \"general\"", &format!("name = \"{hostile}\""))
        .replace("\"general\"", &format!("\"{hostile}\""));
    assert!(text.contains("alert(1)"));
    fs::write(&path, text).unwrap();
    let run = |out: &str, extra: &[&str]| {
        let out = ccsim()
            .arg("run")
            .arg(&path)
            .args(["-q", "-r", "2"])
            .args(extra)
            .arg("-o")
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run("a", &[]);
    run("elsewhere/b", &["--threads", "1"]);
    run("c", &["--no-report"]);
    let page = fs::read_to_string(dir.path().join("a/report.html")).unwrap();
    assert_eq!(page.matches("<script>").count(), 1, "only the page's own sorting script");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"));
    assert_eq!(
        fs::read(dir.path().join("a/report.html")).unwrap(),
        fs::read(dir.path().join("elsewhere/b/report.html")).unwrap(),
        "no output path, time or thread count in the page"
    );
    assert!(!dir.path().join("c/report.html").exists());
}
