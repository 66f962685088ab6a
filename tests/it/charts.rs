//! Charts end to end: `run`, `compare` and `sweep` write every chart as a PNG and an SVG of the
//! canvas size, with its title and axis labels in the SVG text; a run over several days adds a
//! typical day; `compare` adds key metrics per interval, and sweep charts name every varied key
//! and draw the target line; `--no-charts` writes none; charts of intervals without arrivals, of
//! one replication (undefined intervals) and of a run where nobody answers are drawn all the same;
//! and the binary needs no system font library.
//!
//! (Over 700 lines: the PNG and SVG readers every chart's checks share sit with those checks.)

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ccsim::report::charts::canvas::{HEIGHT, WIDTH};

fn ccsim() -> Command {
    Command::cargo_bin("ccsim").expect("binary built")
}

fn scenarios(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs ccsim quietly with `args` and fails the test unless it succeeds.
fn succeed(args: &[&str]) {
    let out = ccsim().args(args).arg("--quiet").output().unwrap();
    assert!(out.status.success(), "ccsim {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
}

fn path(dir: &Path) -> &str {
    dir.to_str().expect("temporary paths are UTF-8")
}

/// One centre, one queue, one group of agents: conversations arrive only between 10:00 and
/// 11:00, and the first two hours are warm-up, so every other interval has no arrivals at all.
const ONE_BUSY_HOUR: &str = r#"
[simulation]
name = "one_busy_hour"
horizon = "1d"
warmup = "2h"
interval = "1h"
replications = 2
seed = 7
service_level_threshold = "30s"

[[channel]]
name = "chat"
kind = "live_chat"
work_stream = "chat"
arrivals = { process = "poisson", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 0,
                                                   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }

[[work_stream]]
name = "chat"
capacity = 1
handle_time = { dist = "exponential", mean = "5m" }

[[queue]]
name = "q"

[[agent_group]]
name = "agents"
count = 3
capacity = 1
queues = ["q"]
"#;

fn one_busy_hour(dir: &Path) -> String {
    let file = dir.join("one_busy_hour.toml");
    fs::write(&file, ONE_BUSY_HOUR).unwrap();
    path(&file).to_string()
}

const RUN_CHARTS: [&str; 5] = ["service_level", "wait_distribution", "queue_length", "occupancy", "staffing"];

/// The run charts drawn again for a typical day when the run spans more than one day.
const TYPICAL_DAY_CHARTS: [&str; 4] =
    ["service_level_typical_day", "queue_length_typical_day", "occupancy_typical_day", "staffing_typical_day"];

/// The metrics `compare` also draws per interval, as `compare_<metric>_intervals`.
const PER_INTERVAL: [&str; 4] = ["service_level", "asa_s", "abandon_rate", "occupancy"];

/// The headline metrics, as `compare_*` and `sweep_*` charts name them.
const HEADLINE: [&str; 10] = [
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_s",
    "wait_p90_s",
    "p_wait",
    "abandon_rate",
    "occupancy",
    "utilization",
];

const TIME_AXIS: &str = "time of day (1 h intervals; points at each interval's middle)";
const TYPICAL_DAY_AXIS: &str = "time of day (1 h intervals over all days; points at each interval's middle)";

/// The title and axis labels a planner reads on each chart of a run of scenario `name`.
fn run_chart_text(chart: &str, name: &str) -> Vec<String> {
    let (title, labels): (&str, &[&str]) = match chart {
        "service_level" => ("Service level per interval", &["service level (%)", TIME_AXIS]),
        "wait_distribution" => (
            "How long answered conversations waited",
            &["first wait (s)", "share of answered conversations (%)", "answered within (%)"],
        ),
        "queue_length" => ("Queue length over the day", &["conversations waiting (mean)", TIME_AXIS]),
        "occupancy" => ("Occupancy over the day", &["occupancy (%)", TIME_AXIS]),
        "staffing" => ("Staffed agents against arrivals", &["arrivals per hour", "staffed agents", TIME_AXIS]),
        "service_level_typical_day" => ("Service level over a typical day", &["service level (%)", TYPICAL_DAY_AXIS]),
        "queue_length_typical_day" => {
            ("Queue length over a typical day", &["conversations waiting (mean)", TYPICAL_DAY_AXIS])
        }
        "occupancy_typical_day" => ("Occupancy over a typical day", &["occupancy (%)", TYPICAL_DAY_AXIS]),
        "staffing_typical_day" => (
            "Staffed agents against arrivals over a typical day",
            &["arrivals per hour", "staffed agents", TYPICAL_DAY_AXIS],
        ),
        other => panic!("no such run chart: {other}"),
    };
    std::iter::once(format!("{title}: {name}")).chain(labels.iter().map(|l| l.to_string())).collect()
}

/// (title, y axis label) of a headline metric in compare and sweep charts.
fn metric_text(metric: &str) -> (&'static str, &'static str) {
    match metric {
        "offered" => ("Conversations offered", "offered (conversations per replication)"),
        "answered" => ("Conversations answered", "answered (conversations per replication)"),
        "abandoned" => ("Conversations abandoned", "abandoned (conversations per replication)"),
        "service_level" => ("Service level", "service level (%)"),
        "asa_s" => ("Average speed of answer (ASA)", "ASA (s)"),
        "wait_p90_s" => ("90th percentile of the first wait", "wait p90 (s)"),
        "p_wait" => ("Probability of waiting", "P(wait) (%)"),
        "abandon_rate" => ("Abandon rate", "abandon rate (%)"),
        "occupancy" => ("Occupancy", "occupancy (%)"),
        "utilization" => ("Utilization", "utilization (%)"),
        other => panic!("no such headline metric: {other}"),
    }
}

/// The y axis label of a paired difference of a headline metric.
fn difference_axis(metric: &str) -> String {
    let (_, axis) = metric_text(metric);
    let name = &axis[..axis.find(" (").unwrap()];
    match metric {
        "offered" | "answered" | "abandoned" => format!("{name} difference (per replication)"),
        "asa_s" | "wait_p90_s" => format!("{name} difference (s)"),
        _ => format!("{name} difference (percentage points)"),
    }
}

/// The width and height a PNG declares, after checking that it is a whole PNG: the signature,
/// IHDR first, IEND last, and image data that decodes to that many RGB pixels, not all white,
/// with text drawn in the title's rows.
fn png_size(name: &str, bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: no PNG signature");
    assert_eq!(&bytes[8..16], b"\0\0\0\x0dIHDR", "{name}: IHDR is not the first chunk");
    assert!(bytes.ends_with(b"IEND\xae\x42\x60\x82"), "{name}: does not end with IEND");
    let declared = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let (width, height) = (declared(16), declared(20));

    let mut reader =
        png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let frame = reader.next_frame(&mut pixels).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!((frame.width, frame.height), (width, height), "{name}");
    assert_eq!(frame.color_type, png::ColorType::Rgb, "{name}");
    let row = width as usize * 3;
    let ink =
        |rows: std::ops::Range<usize>| pixels[rows.start * row..rows.end * row].iter().filter(|&&v| v < 128).count();
    assert!(ink(0..height as usize) > 10_000, "{name}: next to nothing is drawn");
    assert!(ink(10..50) > 500, "{name}: no title is drawn");
    (width, height)
}

/// The width and height the `<svg>` element declares.
fn svg_size(name: &str, svg: &str) -> (u32, u32) {
    let start = svg.find("<svg").unwrap_or_else(|| panic!("{name}: no <svg> element"));
    let tag = &svg[start..start + svg[start..].find('>').expect("the tag ends")];
    let attribute = |key: &str| -> u32 {
        let at = tag.find(&format!(" {key}=\"")).unwrap_or_else(|| panic!("{name}: no {key} in {tag}")) + key.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap_or_else(|e| panic!("{name}: {key}: {e}"))
    };
    assert!(svg.trim_end().ends_with("</svg>"), "{name}: the SVG is cut short");
    (attribute("width"), attribute("height"))
}

/// A `<text>` element of an SVG: its opening tag and its text, unescaped.
struct SvgText {
    tag: String,
    text: String,
}

impl SvgText {
    fn attribute(&self, key: &str) -> Option<&str> {
        let at = self.tag.find(&format!(" {key}=\""))? + key.len() + 3;
        Some(&self.tag[at..at + self.tag[at..].find('"')?])
    }

    fn number(&self, key: &str) -> f64 {
        let value = self.attribute(key).unwrap_or_else(|| panic!("no {key} in {}", self.tag));
        value.parse().unwrap_or_else(|e| panic!("{key}={value}: {e}"))
    }
}

fn svg_text_elements(svg: &str) -> Vec<SvgText> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find("<text") {
        let body = &rest[open..];
        let start = body.find('>').expect("the tag ends") + 1;
        let end = body.find("</text>").expect("the text element ends");
        let text = body[start..end]
            .trim()
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        out.push(SvgText { tag: body[..start].to_string(), text });
        rest = &body[end..];
    }
    out
}

/// The text of every `<text>` element of an SVG.
fn svg_texts(svg: &str) -> Vec<String> {
    svg_text_elements(svg).into_iter().map(|t| t.text).collect()
}

/// The width of `text` in Noto Sans, the font the PNGs are drawn with, at `size` pixels per em.
fn text_width(text: &str, size: f64) -> f64 {
    use ab_glyph::{Font, FontRef};
    let font = FontRef::try_from_slice(ttf_noto_sans::REGULAR).expect("the embedded font reads");
    let units: f32 = text.chars().map(|c| font.h_advance_unscaled(font.glyph_id(c))).sum();
    f64::from(units / font.units_per_em().expect("a scalable font")) * size
}

/// No text runs off the canvas: a title, subtitle, legend or label cut at the edge is unreadable.
/// Measured in the SVG, whose text is set about a tenth larger than the PNG's, with the font
/// the PNG uses; an SVG viewer's own sans-serif may be a little wider or narrower.
fn assert_text_fits(name: &str, svg: &str) {
    for t in svg_text_elements(svg) {
        let width = text_width(&t.text, t.number("font-size"));
        let (along, limit) = match t.attribute("transform") {
            Some(r) if r.starts_with("rotate(270") || r.starts_with("rotate(90") => (t.number("y"), f64::from(HEIGHT)),
            Some(other) => panic!("{name}: unexpected transform {other}"),
            None => (t.number("x"), f64::from(WIDTH)),
        };
        let (from, to) = match t.attribute("text-anchor") {
            Some("middle") => (along - width / 2.0, along + width / 2.0),
            Some("end") => (along - width, along),
            _ => (along, along + width),
        };
        assert!(from >= 0.0 && to <= limit, "{name}: {:?} runs off the canvas ({from:.0}..{to:.0} of {limit})", t.text);
    }
}

/// Checks `charts/<chart>.png` and `.svg` under `dir` and returns the SVG's texts.
fn chart(dir: &Path, chart: &str) -> Vec<String> {
    let charts = dir.join("charts");
    let png_path = charts.join(format!("{chart}.png"));
    let png = fs::read(&png_path).unwrap_or_else(|e| panic!("{}: {e}", png_path.display()));
    assert_eq!(png_size(&png_path.display().to_string(), &png), (WIDTH, HEIGHT), "{}", png_path.display());
    assert_eq!((WIDTH, HEIGHT), (1200, 700), "charts are drawn at 1200×700");

    let svg_path = charts.join(format!("{chart}.svg"));
    let svg = fs::read_to_string(&svg_path).unwrap_or_else(|e| panic!("{}: {e}", svg_path.display()));
    let name = svg_path.display().to_string();
    assert_eq!(svg_size(&name, &svg), (WIDTH, HEIGHT), "{name}");
    // An undefined value leaves a gap or a note; it is never printed.
    assert!(!svg.contains("NaN"), "{name} prints NaN");
    assert_text_fits(&name, &svg);
    svg_texts(&svg)
}

fn assert_has(texts: &[String], wanted: &str, chart: &str) {
    assert!(texts.iter().any(|t| t == wanted), "{chart}: no text {wanted:?} among {texts:#?}");
}

/// Exactly `expected` charts, each as PNG and SVG, sit in `dir/charts`.
fn assert_only_charts(dir: &Path, expected: &[String]) {
    let mut found: Vec<String> = fs::read_dir(dir.join("charts"))
        .unwrap_or_else(|e| panic!("{}/charts: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    found.sort();
    let mut wanted: Vec<String> = expected.iter().flat_map(|c| [format!("{c}.png"), format!("{c}.svg")]).collect();
    wanted.sort();
    assert_eq!(found, wanted, "{}/charts", dir.display());
}

/// Every chart of a run within one day in `dir` of scenario `name` is whole, with its title and
/// axis labels.
fn assert_run_charts(dir: &Path, name: &str) {
    assert_charts_of_run(dir, name, &RUN_CHARTS);
}

/// Every chart of a run over several days: the run charts and their typical days.
fn assert_run_charts_with_typical_day(dir: &Path, name: &str) {
    assert_charts_of_run(dir, name, &[&RUN_CHARTS[..], &TYPICAL_DAY_CHARTS[..]].concat());
}

fn assert_charts_of_run(dir: &Path, name: &str, charts: &[&str]) {
    assert_only_charts(dir, &charts.iter().map(|c| c.to_string()).collect::<Vec<_>>());
    for &c in charts {
        let texts = chart(dir, c);
        for wanted in run_chart_text(c, name) {
            assert_has(&texts, &wanted, &format!("{}/{c}", dir.display()));
        }
    }
}

/// Every `compare_*` chart in `dir` is whole, with its title, both axis labels of each panel and
/// the captions; `variants` in baseline-first order.
fn assert_compare_charts(dir: &Path, variants: &[&str]) {
    let per_interval = PER_INTERVAL.map(|m| format!("compare_{m}_intervals"));
    assert_only_charts(dir, &[&HEADLINE.map(|m| format!("compare_{m}"))[..], &per_interval[..]].concat());
    for metric in PER_INTERVAL {
        let texts = chart(dir, &format!("compare_{metric}_intervals"));
        let (title, axis) = metric_text(metric);
        let at = format!("{}/compare_{metric}_intervals", dir.display());
        assert_has(&texts, &format!("{title} per interval: {}", variants.join(" vs ")), &at);
        assert_has(&texts, axis, &at);
        assert_has(&texts, TIME_AXIS, &at);
        // Differences of shares are in percentage points.
        assert_has(&texts, if metric == "asa_s" { "difference (s)" } else { "difference (pp)" }, &at);
        assert_has(&texts, &format!("same as {}", variants[0]), &at);
        for variant in variants {
            assert_has(&texts, variant, &at);
        }
    }
    for metric in HEADLINE {
        let texts = chart(dir, &format!("compare_{metric}"));
        let (title, axis) = metric_text(metric);
        let at = format!("{}/compare_{metric}", dir.display());
        assert_has(&texts, &format!("{title}: {}", variants.join(" vs ")), &at);
        assert_has(&texts, axis, &at);
        assert_has(&texts, &difference_axis(metric), &at);
        assert_has(&texts, "variant", &at);
        assert_has(&texts, &format!("difference from {}, paired", variants[0]), &at);
        for variant in variants {
            assert_has(&texts, variant, &at);
        }
    }
}

/// Every `sweep_*` chart in `dir` is whole, with its title naming every varied key in `keys`, and
/// both axis labels (the first key's on x).
fn assert_sweep_charts(dir: &Path, keys: &[&str]) -> Vec<Vec<String>> {
    let (key, named) = match keys {
        [one] => (*one, one.to_string()),
        [first, .., last] => (*first, format!("{} and {last}", keys[..keys.len() - 1].join(", "))),
        [] => panic!("a sweep varies a key"),
    };
    assert_only_charts(dir, &HEADLINE.map(|m| format!("sweep_{m}")));
    HEADLINE
        .iter()
        .map(|metric| {
            let texts = chart(dir, &format!("sweep_{metric}"));
            let (title, axis) = metric_text(metric);
            let at = format!("{}/sweep_{metric}", dir.display());
            assert_has(&texts, &format!("{title} against {named}"), &at);
            assert_has(&texts, axis, &at);
            assert_has(&texts, key, &at);
            texts
        })
        .collect()
}

fn subfolder(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[test]
fn run_writes_every_chart_as_png_and_svg_with_its_title_and_axis_labels() {
    let dir = tempfile::tempdir().unwrap();
    succeed(&["run", "-r", "3", "-o", path(dir.path())]);
    assert_run_charts(dir.path(), "default");
    let texts = chart(dir.path(), "service_level");
    assert_has(&texts, "target 80%", "service_level");
    for queue in ["vip", "technical", "general"] {
        assert_has(&texts, &format!("queue {queue}"), "service_level");
    }
    let texts = chart(dir.path(), "wait_distribution");
    assert_has(&texts, "threshold 1 min", "wait_distribution");
    let texts = chart(dir.path(), "staffing");
    for legend in ["arrivals, all channels", "staffed, group generalists", "staffed, group specialists"] {
        assert_has(&texts, legend, "staffing");
    }
}

#[test]
fn queues_with_different_thresholds_are_told_apart() {
    // async_messaging.toml: 5 min for the priority queue, 15 min for the others, over two
    // measured days after a day of warm-up.
    let dir = tempfile::tempdir().unwrap();
    succeed(&["run", &scenarios("async_messaging.toml"), "-r", "2", "-o", path(dir.path())]);
    assert_run_charts_with_typical_day(dir.path(), "async-messaging");
    let texts = chart(dir.path(), "service_level");
    assert_has(&texts, "Thresholds: 5 min (priority); 15 min (delivery, returns, general).", "service_level");
    let texts = chart(dir.path(), "wait_distribution");
    for (threshold, queues) in [("5 min", "priority"), ("15 min", "delivery, returns, general")] {
        let legend = format!("threshold {threshold} ({queues}): ");
        assert!(
            texts.iter().any(|t| t.starts_with(&legend) && t.ends_with("% within")),
            "wait_distribution: no legend entry {legend:?}: {texts:#?}"
        );
        // Each line is marked in both panels.
        assert_eq!(texts.iter().filter(|t| *t == threshold).count(), 2, "wait_distribution: {threshold}");
    }
}

#[test]
fn no_charts_writes_no_charts_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (run, compare, sweep) = (dir.path().join("run"), dir.path().join("compare"), dir.path().join("sweep"));
    succeed(&["run", "-r", "2", "--no-charts", "-o", path(&run)]);
    succeed(&[
        "compare",
        &scenarios("default.toml"),
        "--variant",
        "more:agent_group.generalists.count=9",
        "-r",
        "2",
        "--no-charts",
        "-o",
        path(&compare),
    ]);
    succeed(&[
        "sweep",
        &scenarios("default.toml"),
        "--vary",
        "agent_group.generalists.count=7,9",
        "-r",
        "2",
        "--no-charts",
        "-o",
        path(&sweep),
    ]);
    assert!(run.join("summary.csv").exists(), "the run wrote its files");
    assert!(compare.join("compare.csv").exists() && sweep.join("sweep.csv").exists());
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap().path();
            assert!(entry.file_name().unwrap() != "charts", "{} was written", entry.display());
            let extension = entry.extension().and_then(|e| e.to_str()).unwrap_or("");
            assert!(!["png", "svg"].contains(&extension), "{} was written", entry.display());
            if entry.is_dir() {
                stack.push(entry);
            }
        }
    }
}

#[test]
fn compare_draws_each_headline_metric_per_variant_and_its_paired_difference() {
    let dir = tempfile::tempdir().unwrap();
    succeed(&[
        "compare",
        &scenarios("push_vs_pick_push.toml"),
        &scenarios("push_vs_pick_pick.toml"),
        "-r",
        "3",
        "-o",
        path(dir.path()),
    ]);
    assert_compare_charts(dir.path(), &["push_vs_pick_push", "push_vs_pick_pick"]);
    let texts = chart(dir.path(), "compare_service_level");
    assert_has(&texts, "estimate with 95% interval", "compare_service_level");
    assert_has(&texts, "same as push_vs_pick_push", "compare_service_level");
    // Each variant's own run charts sit in its folder.
    for variant in ["push_vs_pick_push", "push_vs_pick_pick"] {
        assert_run_charts(&subfolder(dir.path(), variant), variant);
    }
}

#[test]
fn sweep_draws_each_headline_metric_against_the_varied_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = "agent_group.generalists.count";
    succeed(&[
        "sweep",
        &scenarios("default.toml"),
        "--vary",
        &format!("{key}=6..8"),
        "-r",
        "2",
        "-o",
        path(dir.path()),
    ]);
    for (metric, texts) in HEADLINE.iter().zip(assert_sweep_charts(dir.path(), &[key])) {
        // The swept values are the ticks, and one line has one legend entry.
        for tick in ["6", "7", "8"] {
            assert_has(&texts, tick, "sweep");
        }
        assert_has(&texts, "scope all, with 95% band", "sweep");
        // Without a [[check]], only service level has a target: the run chart's 80%.
        let targets = texts.iter().filter(|t| t.starts_with("target ") || t.starts_with("limit ")).count();
        assert_eq!(targets, if *metric == "service_level" { 2 } else { 0 }, "sweep_{metric}: {texts:#?}");
    }
    assert_has(&chart(dir.path(), "sweep_service_level"), "target 80%", "sweep_service_level");
    for point in ["6", "7", "8"] {
        assert_run_charts(&subfolder(dir.path(), &format!("{key}={point}")), "default");
    }
}

#[test]
fn a_two_parameter_sweep_draws_one_line_per_value_of_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = ("agent_group.generalists.count", "agent_group.specialists.count");
    succeed(&[
        "sweep",
        &scenarios("default.toml"),
        "--vary",
        &format!("{first}=7,9"),
        "--vary",
        &format!("{second}=3,5,7"),
        "-r",
        "2",
        "-o",
        path(dir.path()),
    ]);
    let lines = ["3", "5", "7"].map(|v| format!("{second}={v}"));
    for (metric, texts) in HEADLINE.iter().zip(assert_sweep_charts(dir.path(), &[first, second])) {
        let at = format!("sweep_{metric}");
        for line in &lines {
            assert_eq!(texts.iter().filter(|t| *t == line).count(), 1, "{at}: one legend entry for {line}");
        }
        assert!(!texts.iter().any(|t| t.starts_with("scope all")), "{at}: a single line's legend");
        assert!(texts.iter().any(|t| t.contains(&format!("one line per value of {second}"))), "{at}: {texts:#?}");

        // Each line is drawn in its own colour: beyond its legend swatch (a band and a line, 2
        // elements), the colour marks the data — a band, a line and a dot at every point.
        let svg = fs::read_to_string(dir.path().join(format!("charts/{at}.svg"))).unwrap();
        for colour in ["#0072B2", "#E69F00", "#009E73"] {
            let uses = svg.matches(colour).count();
            assert!(uses >= 5, "{at}: colour {colour} is used {uses} times; no line drawn in it");
        }
    }
}

#[test]
fn charts_of_intervals_without_arrivals_are_drawn() {
    // Warm-up and 22 of the 24 hours have no arrivals: empty intervals everywhere, in every
    // command, and each draws all its charts.
    let dir = tempfile::tempdir().unwrap();
    let scenario = one_busy_hour(dir.path());
    let (run, compare, sweep) = (dir.path().join("run"), dir.path().join("compare"), dir.path().join("sweep"));
    succeed(&["run", &scenario, "-o", path(&run)]);
    assert_run_charts(&run, "one_busy_hour");

    succeed(&["compare", &scenario, "--variant", "more:agent_group.agents.count=5", "-o", path(&compare)]);
    assert_compare_charts(&compare, &["base", "more"]);
    succeed(&["sweep", &scenario, "--vary", "agent_group.agents.count=2,4", "-o", path(&sweep)]);
    assert_sweep_charts(&sweep, &["agent_group.agents.count"]);
}

#[test]
fn a_run_where_nobody_is_answered_draws_every_chart_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = one_busy_hour(dir.path());
    let (run, compare) = (dir.path().join("run"), dir.path().join("compare"));
    succeed(&["run", &scenario, "--set", "agent_group.agents.count=0", "-o", path(&run)]);
    assert_run_charts(&run, "one_busy_hour");
    assert_has(&chart(&run, "wait_distribution"), "no answered conversations", "wait_distribution");
    assert_has(&chart(&run, "occupancy"), "no agent was staffed", "occupancy");

    succeed(&["compare", &scenario, "--variant", "nobody:agent_group.agents.count=0", "-o", path(&compare)]);
    assert_compare_charts(&compare, &["base", "nobody"]);
}

#[test]
fn one_replication_draws_every_chart_without_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let (run, compare, sweep) = (dir.path().join("run"), dir.path().join("compare"), dir.path().join("sweep"));
    succeed(&["run", "-r", "1", "-o", path(&run)]);
    assert_run_charts(&run, "default");
    assert!(fs::read_to_string(run.join("summary.csv")).unwrap().contains(",NaN,NaN,NaN,1"));

    succeed(&[
        "compare",
        &scenarios("push_vs_pick_push.toml"),
        &scenarios("push_vs_pick_pick.toml"),
        "-r",
        "1",
        "-o",
        path(&compare),
    ]);
    assert_compare_charts(&compare, &["push_vs_pick_push", "push_vs_pick_pick"]);
    for metric in HEADLINE {
        let texts = chart(&compare, &format!("compare_{metric}"));
        assert_has(&texts, "estimate (no interval)", metric);
        assert!(!texts.iter().any(|t| t.contains("Whiskers are 95%")), "{metric}: no interval is claimed");
    }

    succeed(&[
        "sweep",
        &scenarios("default.toml"),
        "--vary",
        "agent_group.generalists.count=7,9",
        "-r",
        "1",
        "-o",
        path(&sweep),
    ]);
    for texts in assert_sweep_charts(&sweep, &["agent_group.generalists.count"]) {
        assert!(!texts.iter().any(|t| t.contains("with 95% band")), "no band is claimed: {texts:#?}");
    }
}

#[test]
fn a_run_over_several_days_draws_its_per_interval_charts_again_for_a_typical_day() {
    // async_messaging.toml measures days 2 and 3 after a day of warm-up.
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    succeed(&["run", &scenarios("async_messaging.toml"), "-r", "2", "--threads", "1", "-o", path(&one)]);
    succeed(&["run", &scenarios("async_messaging.toml"), "-r", "2", "--threads", "2", "-o", path(&two)]);
    assert_run_charts_with_typical_day(&one, "async-messaging");
    for c in TYPICAL_DAY_CHARTS {
        let texts = chart(&one, c);
        assert!(
            texts.iter().any(|t| t.starts_with("Typical day: each time of day over the 2 days after warm-up")),
            "{c}: {texts:#?}"
        );
        // One day on the clock, from midnight to midnight, where the timeline runs over two.
        for tick in ["00:00", "12:00", "24:00"] {
            assert_has(&texts, tick, c);
        }
        assert!(!texts.iter().any(|t| t.starts_with("d2 ") || t.starts_with("d3 ")), "{c}: {texts:#?}");
        let timeline = chart(&one, c.trim_end_matches("_typical_day"));
        assert!(timeline.iter().any(|t| t.starts_with("d3 ")), "{c}: the timeline runs over days 2 and 3");
        for extension in ["png", "svg"] {
            let file = format!("charts/{c}.{extension}");
            assert!(fs::read(one.join(&file)).unwrap() == fs::read(two.join(&file)).unwrap(), "{file} differs");
        }
    }
    assert_has(&chart(&one, "service_level_typical_day"), "target 80%", "service_level_typical_day");
}

/// [[check]] bounds on the whole center, and one on a queue that draws no line.
const CHECKS: &str = r#"
[[check]]
metric = "service_level"
min = 0.9

[[check]]
metric = "asa_s"
max = "20s"

[[check]]
metric = "abandon_rate"
max = 0.1

[[check]]
metric = "wait_p90_s"
scope = "queue"
name = "q"
max = "1m"
"#;

#[test]
fn sweep_charts_draw_the_target_line_of_each_checked_metric() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("checked.toml");
    fs::write(&scenario, format!("{ONE_BUSY_HOUR}{CHECKS}")).unwrap();
    let (run, sweep) = (dir.path().join("run"), dir.path().join("sweep"));
    succeed(&["sweep", path(&scenario), "--vary", "agent_group.agents.count=2,4", "-o", path(&sweep)]);
    for (metric, texts) in HEADLINE.iter().zip(assert_sweep_charts(&sweep, &["agent_group.agents.count"])) {
        let target = match *metric {
            "service_level" => Some("target 90%"),
            "asa_s" => Some("limit 20 s"),
            "abandon_rate" => Some("limit 10%"),
            _ => None,
        };
        let lines: Vec<&String> =
            texts.iter().filter(|t| t.starts_with("target ") || t.starts_with("limit ")).collect();
        match target {
            // In the legend and at the end of the line, which is drawn only within the axis.
            Some(target) => assert_eq!(lines, [target, target], "sweep_{metric}"),
            None => assert!(lines.is_empty(), "sweep_{metric}: {lines:?}"),
        }
    }
    // The run's service-level chart reads the same target.
    succeed(&["run", path(&scenario), "-o", path(&run)]);
    assert_has(&chart(&run, "service_level"), "target 90%", "service_level");
}

#[test]
fn compare_draws_key_metrics_per_interval_with_differences_in_percentage_points() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = one_busy_hour(dir.path());
    succeed(&["compare", &scenario, "--variant", "fewer:agent_group.agents.count=1", "-o", path(dir.path())]);
    assert_compare_charts(dir.path(), &["base", "fewer"]);
    // One agent for 30 chats an hour of 5 minutes answers far fewer within 30 s: the difference
    // runs tens of points below 0, where a difference of shares would stay above -1.
    let texts = chart(dir.path(), "compare_service_level_intervals");
    let lowest = texts.iter().filter_map(|t| t.parse::<f64>().ok()).fold(f64::INFINITY, f64::min);
    assert!(lowest <= -20.0, "the lowest tick is {lowest}: {texts:#?}");
}

#[test]
fn no_font_library_is_linked() {
    // Charts must render on a machine with no fonts or font libraries installed: the font is
    // embedded, and nothing may pull in fontconfig or FreeType (plotters' default features do).
    let lock = fs::read_to_string(format!("{}/Cargo.lock", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let packages: Vec<&str> =
        lock.lines().filter_map(|l| l.strip_prefix("name = \"")).map(|l| l.trim_end_matches('"')).collect();
    assert!(packages.contains(&"plotters"), "Cargo.lock is not read right: {packages:?}");
    for banned in ["yeslogic-fontconfig-sys", "freetype-sys", "servo-fontconfig", "font-kit"] {
        assert!(!packages.contains(&banned), "Cargo.lock contains {banned}");
    }
}
