//! Shared helpers for the integration tests: small scenarios written as TOML, run in-process.

#![allow(dead_code)]

use std::fs;
use std::path::Path;

use ccsim::experiment;
use ccsim::metrics::{Estimate, Metric, RunResults, Scope, ScopeKind};
use ccsim::scenario::Scenario;

/// A single-queue push center: Poisson arrivals, exponential handle times, `agents` agents of
/// capacity `agent_capacity`, conversations of 1 unit; `extra_ws` is appended to the work stream.
pub fn single_queue(
    rate_per_hour: f64,
    aht_s: f64,
    agents: u32,
    agent_capacity: u32,
    extra_ws: &str,
    simulation: &str,
) -> String {
    format!(
        r#"
[simulation]
name = "single-queue"
{simulation}

[[channel]]
name = "chat"
kind = "live_chat"
work_stream = "chat"
arrivals = {{ process = "poisson", rate_per_hour = {rate_per_hour} }}

[[work_stream]]
name = "chat"
capacity = 1
handle_time = {{ dist = "exponential", mean = {aht_s} }}
auto_close_open = "0s"
{extra_ws}

[[queue]]
name = "q"

[[agent_group]]
name = "agents"
count = {agents}
capacity = {agent_capacity}
queues = ["q"]
"#
    )
}

pub fn scenario(text: &str) -> Scenario {
    match Scenario::from_toml(text, "test.toml") {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid: {e}"),
    }
}

pub fn run(text: &str) -> RunResults {
    experiment::run_replications(&scenario(text), &experiment::Settings::default(), &|_| {})
}

pub fn scope<'a>(results: &'a RunResults, kind: ScopeKind, name: &str) -> &'a Scope {
    results.scopes.iter().find(|s| s.kind == kind && s.name == name).expect("scope exists")
}

pub fn all(results: &RunResults, metric: Metric) -> Estimate {
    results.estimate(&results.scopes[0], metric)
}

/// Asserts that `expected` lies within `k` half-widths of the 95% interval of `got`, plus a
/// relative `allowance` for biases the test argues for.
pub fn assert_agrees(label: &str, got: Estimate, expected: f64, k: f64, allowance: f64) {
    let half = got.half_width();
    assert!(half.is_finite() && half > 0.0, "{label}: no confidence interval ({got:?})");
    let tolerance = k * half + allowance * expected.abs();
    assert!(
        (got.mean - expected).abs() <= tolerance,
        "{label}: simulated {:.6} ± {:.6} (95%), theory {:.6}, allowed difference {:.6}",
        got.mean,
        half,
        expected,
        tolerance
    );
}

use ccsim::engine::{AgentStatus, ConversationView, Observer};
use ccsim::scenario::GroupId;
use ccsim::time::{Duration, SimTime};

/// What happened to whom, in order: (what, conversation id, agent, time).
#[derive(Default)]
pub struct Recorder {
    pub events: Vec<(&'static str, u64, u32, f64)>,
}

impl Recorder {
    fn note(&mut self, what: &'static str, c: &ConversationView, at: f64) {
        self.events.push((what, c.id, c.agent, at));
    }

    /// Runs replication 0 of `text` and records it.
    pub fn run(text: &str) -> Recorder {
        let s = scenario(text);
        let mut r = Recorder::default();
        ccsim::engine::simulate(&s, 0, &mut r);
        r
    }

    pub fn of(&self, what: &str) -> Vec<(u64, u32, f64)> {
        self.events.iter().filter(|e| e.0 == what).map(|e| (e.1, e.2, e.3)).collect()
    }
}

impl Observer for Recorder {
    fn arrived(&mut self, c: ConversationView) -> u64 {
        self.note("arrived", &c, c.arrival.0);
        0
    }
    fn answered(&mut self, c: ConversationView, at: SimTime) {
        self.note("answered", &c, at.0);
    }
    fn abandoned(&mut self, c: ConversationView, at: SimTime) {
        self.note("abandoned", &c, at.0);
    }
    fn auto_closed(&mut self, c: ConversationView, at: SimTime) {
        self.note("auto_closed", &c, at.0);
    }
    fn completed(&mut self, c: ConversationView, at: SimTime) {
        self.note("completed", &c, at.0);
    }
    fn handled(&mut self, _: GroupId, c: ConversationView, _: Duration) {
        self.note("handled", &c, f64::NAN);
    }
    fn wrapped_up(&mut self, _: GroupId, _: ConversationView, _: Duration) {}
    fn open_changed(&mut self, _: ConversationView, _: SimTime, _: i64) {}
    fn agent_added(&mut self, _: GroupId, _: AgentStatus) {}
    fn agent_changed(&mut self, _: GroupId, _: SimTime, _: AgentStatus, _: AgentStatus) {}
    fn in_system(&mut self, c: ConversationView) {
        self.note("in_system", &c, f64::NAN);
    }
    fn finished(&mut self, _: SimTime) {}
    fn offered(&mut self, c: ConversationView, at: SimTime) {
        self.note("offered", &c, at.0);
    }
    fn declined(&mut self, c: ConversationView, at: SimTime, _: bool) {
        self.note("declined", &c, at.0);
    }
    fn waiting(&mut self, c: ConversationView, at: SimTime) {
        self.note("waiting", &c, at.0);
    }
    fn reopened(&mut self, c: ConversationView, at: SimTime) {
        self.note("reopened", &c, at.0);
    }
}

/// Every file under `dir` (recursively) as (path relative to `dir`, bytes), sorted by path.
pub fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.strip_prefix(dir).unwrap().display().to_string(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// (line, column), 1-based, of the first occurrence of `needle` in `text`.
pub fn position_in(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in the text"));
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// (line, column), 1-based, columns in characters, of the only occurrence of `needle` in `text`:
/// where an error about it must point.
pub fn position_of(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(text.matches(needle).count(), 1, "{needle:?} is not unique in the file");
    position_in(text, needle)
}

/// `text` with the first occurrence of each `old` (which must be there) replaced by its `new`.
pub fn edited(text: &str, pairs: &[(&str, &str)]) -> String {
    let mut text = text.to_string();
    for (old, new) in pairs {
        assert!(text.contains(old), "the scenario has no {old:?}");
        text = text.replacen(old, new, 1);
    }
    text
}

/// Runs `text` with the trace of replication 1 kept: its scenario, its results and the trace.
pub fn run_traced(text: &str) -> (Scenario, RunResults, Vec<ccsim::metrics::trace::TraceRow>) {
    let s = scenario(text);
    let settings = experiment::Settings { trace: true, ..experiment::Settings::default() };
    let mut r = experiment::run_replications(&s, &settings, &|_| {});
    let rows = r.trace.take().expect("a trace was asked for");
    (s, r, rows)
}
