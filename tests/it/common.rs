//! Shared helpers for the integration tests: small scenarios written as TOML, run in-process.

#![allow(dead_code)]

use std::fs;
use std::path::Path;

use ccsim::experiment;
use ccsim::metrics::{Estimate, Metric, RunResults, Scope, ScopeKind};
use ccsim::scenario::Scenario;

/// The scenario builder of the tests: one channel, its work stream, one queue `q` and the agents
/// that serve it, written as TOML. Each table takes the keys a test adds to it; what is not
/// given is the scenario default. The channel is named after its kind, the work stream `w`, the
/// one agent group `agents`.
#[derive(Clone, Debug)]
pub struct Center {
    simulation: String,
    kind: String,
    arrivals: String,
    work_stream: String,
    groups: String,
}

impl Center {
    /// A `kind` channel with Poisson arrivals of `rate_per_hour`, a work stream with this
    /// `handle_time` (a TOML value: `"2m"` or a distribution table), `agents` of capacity 1.
    pub fn new(kind: &str, rate_per_hour: f64, handle_time: &str, agents: u32) -> Center {
        Center {
            simulation: String::new(),
            kind: kind.to_string(),
            arrivals: format!("{{ process = \"poisson\", rate_per_hour = {rate_per_hour} }}"),
            work_stream: format!("handle_time = {handle_time}\n"),
            groups: String::new(),
        }
        .agents(agents, 1, "")
    }

    /// These lines in `[simulation]`.
    pub fn simulation(mut self, keys: &str) -> Center {
        self.simulation = format!("{}{keys}\n", self.simulation);
        self
    }

    /// The channel's `arrivals` table instead of Poisson at a constant rate.
    pub fn arrivals(mut self, table: &str) -> Center {
        self.arrivals = table.to_string();
        self
    }

    /// These lines in the work stream.
    pub fn work_stream(mut self, keys: &str) -> Center {
        self.work_stream = format!("{}{keys}\n", self.work_stream);
        self
    }

    /// One group `agents` of `count` agents of `capacity`, with these lines, instead of the
    /// agents so far.
    pub fn agents(self, count: u32, capacity: u32, keys: &str) -> Center {
        self.groups(&format!(
            "[[agent_group]]\nname = \"agents\"\ncount = {count}\ncapacity = {capacity}\nqueues = [\"q\"]\n{keys}"
        ))
    }

    /// These `[[agent_group]]` tables instead of the agents so far.
    pub fn groups(mut self, tables: &str) -> Center {
        self.groups = tables.to_string();
        self
    }

    pub fn toml(&self) -> String {
        let Center { simulation, kind, arrivals, work_stream, groups } = self;
        format!(
            "[simulation]\n{simulation}\n[[channel]]\nname = \"{kind}\"\nkind = \"{kind}\"\nwork_stream = \"w\"\n\
             arrivals = {arrivals}\n\n[[work_stream]]\nname = \"w\"\n{work_stream}\n[[queue]]\nname = \"q\"\n\n{groups}\n"
        )
    }
}

/// A live chat center of the classic queueing models: Poisson arrivals, exponential handle times
/// of mean `aht_s`, `agents` agents of capacity `agent_capacity`, conversations of 1 unit never
/// closed for waiting; `extra_ws` goes in the work stream, `simulation` in `[simulation]`.
pub fn single_queue(
    rate_per_hour: f64,
    aht_s: f64,
    agents: u32,
    agent_capacity: u32,
    extra_ws: &str,
    simulation: &str,
) -> String {
    Center::new("live_chat", rate_per_hour, &format!("{{ dist = \"exponential\", mean = {aht_s} }}"), agents)
        .simulation(simulation)
        .work_stream(&format!("capacity = 1\nauto_close_open = \"0s\"\n{extra_ws}"))
        .agents(agents, agent_capacity, "")
        .toml()
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

/// offered = completed + abandoned + auto_closed + ended_by_overflow + in_system, in every scope
/// and replication.
pub fn assert_conserved(r: &RunResults) {
    for s in r.scopes.iter().filter(|s| s.kind != ScopeKind::AgentGroup) {
        for rep in 0..r.replications.len() {
            let v = |m: Metric| r.replication_value(rep, s, m).number();
            let accounted = v(Metric::Completed)
                + v(Metric::Abandoned)
                + v(Metric::AutoClosed)
                + v(Metric::EndedByOverflow)
                + v(Metric::BotContained)
                + v(Metric::InSystem);
            assert_eq!(v(Metric::Offered), accounted, "{:?} {} replication {rep}", s.kind, s.name);
        }
    }
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

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use ccsim::engine::{AgentId, AgentStatus, ConversationState, ConversationView, Observer};
use ccsim::scenario::{GroupId, WrapUpBlock};
use ccsim::time::{Duration, SimTime};

/// What happened to whom, in order: (what, conversation id, agent's number, time).
#[derive(Default)]
pub struct Recorder {
    pub events: Vec<(&'static str, u64, u32, f64)>,
}

impl Recorder {
    fn note(&mut self, what: &'static str, c: &ConversationView, at: f64) {
        self.events.push((what, c.id, c.agent.0, at));
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

/// Each agent's capacity units in use, rebuilt from the conversations it holds, for observers
/// that check what the metrics cannot show.
///
/// The Observer reports loads per agent group, but every state change names the conversation's
/// agent: a conversation takes its work stream's units from `c.agent` when it is Offered or
/// Active (reserved when offered or picked) and gives them back when it is Open again (declined
/// or withdrawn), Waiting or Closed, and at wrap-up as `block_capacity_for_wrap_up` says: at once
/// for "never", at the close for "always", and for a duration B at wrap-up start + B — the
/// engine's own timer, which sends no event, so [`AgentLoads::release_until`] replays it. An
/// observer that uses it checks the rebuilt loads against its groups' own, which proves the
/// rebuild right.
pub struct AgentLoads {
    /// Per agent, in the engine's numbering (group by group, in roster order): its group.
    pub group_of: Vec<usize>,
    pub capacity: Vec<i64>,
    pub used: Vec<i64>,
    /// Per agent, the conversations of each capacity profile it holds, and its limits.
    pub profile_held: Vec<Vec<i64>>,
    profile_limit: Vec<Vec<i64>>,
    /// The first take of a conversation past a profile's limit, or beside a blocking profile's.
    pub profile_breach: Option<String>,
    /// Conversations holding capacity: id → (agent, units).
    held: HashMap<u64, (AgentId, i64, Option<usize>)>,
    /// Units and wrap-up block of each work stream, and its capacity profile.
    streams: Vec<(i64, WrapUpBlock)>,
    stream_profiles: Vec<Option<usize>>,
    blocks: Vec<bool>,
    /// Wrap-up blocks that end by timer: (time, conversation id), earliest first. Non-negative
    /// times order like their bit patterns.
    releases: BinaryHeap<Reverse<(u64, u64)>>,
    /// Wrap-up blocks that ended while their conversation still held its units.
    pub block_releases: u64,
}

impl AgentLoads {
    pub fn new(s: &Scenario) -> AgentLoads {
        let (mut group_of, mut capacity, mut profile_limit) = (Vec::new(), Vec::new(), Vec::new());
        for (g, group) in s.agent_groups.iter().enumerate() {
            for _ in 0..group.count {
                group_of.push(g);
                capacity.push(i64::from(group.capacity));
                profile_limit.push(group.profile_limits.iter().map(|&l| i64::from(l)).collect());
            }
        }
        AgentLoads {
            used: vec![0; group_of.len()],
            profile_held: vec![vec![0; s.capacity_profiles.len()]; group_of.len()],
            profile_limit,
            profile_breach: None,
            stream_profiles: s.work_streams.iter().map(|w| w.capacity_profile.map(|p| p.index())).collect(),
            blocks: s.capacity_profiles.iter().map(|p| p.block_others).collect(),
            group_of,
            capacity,
            held: HashMap::new(),
            streams: s.work_streams.iter().map(|w| (i64::from(w.capacity), w.wrap_up_block)).collect(),
            releases: BinaryHeap::new(),
            block_releases: 0,
        }
    }

    fn release(&mut self, id: u64) {
        if let Some((agent, units, profile)) = self.held.remove(&id) {
            if let Some(p) = profile {
                self.profile_held[agent.index()][p] -= 1;
            }
            self.used[agent.index()] -= units;
            assert!(self.used[agent.index()] >= 0, "agent {agent:?} released more than it held");
        }
    }

    /// Replays the wrap-up blocks that ended at or before `now`.
    pub fn release_until(&mut self, now: f64) {
        while let Some(Reverse((at, id))) = self.releases.peek().copied() {
            if f64::from_bits(at) > now {
                break;
            }
            self.releases.pop();
            self.block_releases += u64::from(self.held.contains_key(&id));
            self.release(id);
        }
    }

    /// Follows conversation `c` into `state` at `at`; returns the agent when it took units.
    pub fn state_changed(&mut self, c: &ConversationView, state: ConversationState, at: SimTime) -> Option<usize> {
        self.release_until(at.0);
        let (units, block) = self.streams[c.work_stream.index()];
        match state {
            // An accepted offer keeps its reservation.
            ConversationState::Offered | ConversationState::Active if self.held.contains_key(&c.id) => None,
            ConversationState::Offered | ConversationState::Active => {
                let (a, profile) = (c.agent.index(), self.stream_profiles[c.work_stream.index()]);
                let held = &mut self.profile_held[a];
                let blocked =
                    held.iter().zip(&self.blocks).enumerate().any(|(p, (&n, &b))| b && n > 0 && Some(p) != profile);
                let full = profile.is_some_and(|p| held[p] >= self.profile_limit[a][p]);
                if (blocked || full) && self.profile_breach.is_none() {
                    self.profile_breach = Some(format!(
                        "agent {a} took conversation {} (profile {profile:?}) holding {held:?} at {}",
                        c.id, at.0
                    ));
                }
                if let Some(p) = profile {
                    held[p] += 1;
                }
                self.held.insert(c.id, (c.agent, units, profile));
                self.used[a] += units;
                Some(a)
            }
            ConversationState::WrapUp => {
                match block {
                    WrapUpBlock::Always => {}
                    WrapUpBlock::Never => self.release(c.id),
                    WrapUpBlock::For(b) => self.releases.push(Reverse(((at + b).0.to_bits(), c.id))),
                }
                None
            }
            ConversationState::Bot
            | ConversationState::Open
            | ConversationState::Waiting
            | ConversationState::Closed => {
                self.release(c.id);
                None
            }
        }
    }

    /// The units group `g`'s agents hold, by the rebuild.
    pub fn group_in_use(&self, g: usize) -> i64 {
        self.used.iter().zip(&self.group_of).filter(|&(_, &of)| of == g).map(|(u, _)| u).sum()
    }
}

/// A per-slot gate and a shift template for the default scenario's generalists: what `staff` and
/// `schedule` need on top of it.
pub const ROSTER: &str = r#"
[[check]]
metric = "service_level"
min = 0.8
every_interval = true

[[shift_template]]
name = "day"
start = { from = "06:00", to = "14:00", every = "1h" }
length = "8h"
breaks = [{ window = ["3h", "6h"], duration = "30m" }]
group = "generalists"
capacity = 3
queues = ["vip", "technical", "general"]
"#;

/// The six commands that write `report.html`, each with its arguments on scenarios written into
/// `dir` (a whole-run gate for check, compare and sweep; `ROSTER` for staff and schedule), and
/// the folder under its output where its `summary.csv` is.
pub fn six_commands(dir: &Path) -> Vec<(&'static str, Vec<String>, &'static str)> {
    let gated = dir.join("gated.toml");
    let gate = "\n[[check]]\nmetric = \"service_level\"\nmin = 0.5\n";
    fs::write(&gated, format!("{}{gate}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    let rostered = dir.join("rostered.toml");
    fs::write(&rostered, format!("{}{ROSTER}", ccsim::scenario::DEFAULT_SCENARIO)).unwrap();
    let (g, r) = (gated.to_str().unwrap(), rostered.to_str().unwrap());
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("run", args(&["run"]), ""),
        ("compare", args(&["compare", g, "--variant", "more:agent_group.generalists.count=9"]), "base"),
        (
            "sweep",
            args(&["sweep", g, "--vary", "agent_group.generalists.count=6,8"]),
            "agent_group.generalists.count=6",
        ),
        ("check", args(&["check", g]), ""),
        ("staff", args(&["staff", r]), "verify"),
        ("schedule", args(&["schedule", r]), "verify"),
    ]
}

/// `summary.csv`'s mean of `metric` in scope `all`, as the file writes it.
pub fn summary_mean(dir: &Path, metric: &str) -> String {
    let text = fs::read_to_string(dir.join("summary.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    rows.records()
        .map(Result::unwrap)
        .find(|r| &r[col("scope")] == "all" && &r[col("metric")] == metric)
        .map(|r| r[col("mean")].to_string())
        .unwrap()
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
