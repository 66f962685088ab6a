//! Robustness and invariants under random input: the fuzzing of ccsim.
//!
//! Two kinds of generators, both proptest strategies so that they run in `cargo test` on every
//! machine and shrink a failure to a small input:
//! - **Anything at all**: arbitrary bytes, TOML-like text, the example scenarios with random
//!   mutations (lines deleted or duplicated, values swapped, keys inserted, numbers replaced by
//!   negative, NaN, infinite or huge ones) and random `--set` overrides go through parsing and
//!   validation; whatever is valid is simulated briefly and its files rendered. Nothing may panic.
//! - **Structurally valid centers**: 1–3 channels, 1–3 work streams (push or pick, capacity,
//!   Waiting, patience, wrap-up blocking, routing rules on context variables), 1–4 queues and 1–3
//!   agent groups (shifts, breaks, offers, pick behaviour, absence). Every replication of every
//!   one must conserve conversations in every conversation scope, keep capacity in push mode
//!   (per agent group and per agent), never report a negative wait, keep occupancy ≤ 1 unless
//!   picks may exceed capacity, and give the same bytes for the same seed.
//!
//! The brief simulations are cut to a few milliseconds ([`make_brief`]), which would hide a valid
//! scenario that asks for an impossible amount of work; so every scenario that passes validation
//! is also checked, before it is cut, against the arrival limit with arithmetic of its own.
//!
//! Failing inputs found by these generators, by probing the binary and by reading the code are
//! kept at the end as named regression tests, with the concrete input that failed.

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::Config;

use ccsim::engine::{self, AgentStatus, ConversationState, ConversationView, Observer};
use ccsim::experiment::{self, Settings};
use ccsim::metrics::{Metric, RunResults, ScopeKind};
use ccsim::report;
use ccsim::scenario::{Arrivals, GroupId, Override, Scenario, ScenarioSource, WrapUpBlock, limits};
use ccsim::time::{DAY, Duration, SimTime};

const EXAMPLES: [(&str, &str); 4] = [
    ("default.toml", include_str!("../../scenarios/default.toml")),
    ("async_messaging.toml", include_str!("../../scenarios/async_messaging.toml")),
    ("push_vs_pick_push.toml", include_str!("../../scenarios/push_vs_pick_push.toml")),
    ("push_vs_pick_pick.toml", include_str!("../../scenarios/push_vs_pick_pick.toml")),
];

/// Events one brief simulation may cost, roughly: arrivals plus agents' looks at their queues.
const WORK_PER_CASE: f64 = 20_000.0;

/// No `proptest-regressions` files: a failure is shrunk, printed, and then written down by hand as
/// a named test in the regression section at the end, where a reader finds what it proves.
fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, ..Config::default() }
}

// ---------------------------------------------------------------------------------------------
// Brief simulations of whatever is valid.

/// Arrivals per second a channel can reach at its busiest.
fn peak_rate(arrivals: &Arrivals, horizon: f64) -> f64 {
    match arrivals {
        Arrivals::Poisson(profile) => profile.per_second.iter().copied().fold(0.0, f64::max),
        Arrivals::Renewal(d) => 1.0 / d.mean().max(1e-300),
        Arrivals::Trace(times) => times.len() as f64 / horizon.max(1e-9),
    }
}

/// Cuts a valid scenario down to a few milliseconds of work: at most two replications and twenty
/// agents a group, and a horizon short enough for about [`WORK_PER_CASE`] events.
fn make_brief(s: &mut Scenario) {
    let sim = &mut s.simulation;
    sim.replications = sim.replications.min(2);
    for g in &mut s.agent_groups {
        g.count = g.count.min(20);
    }
    let mut horizon = s.simulation.horizon.0.min(2.0 * DAY);
    let per_second: f64 = s.channels.iter().map(|c| peak_rate(&c.arrivals, horizon)).sum::<f64>()
        + s.agent_groups
            .iter()
            .filter(|g| !g.pick.immediate())
            .map(|g| f64::from(g.count) / g.pick.every.mean().max(1e-6))
            .sum::<f64>();
    if per_second * horizon > WORK_PER_CASE {
        horizon = WORK_PER_CASE / per_second;
    }
    let sim = &mut s.simulation;
    sim.horizon = Duration(horizon);
    if sim.warmup.0 >= horizon {
        sim.warmup = Duration::ZERO;
    }
}

/// Expected arrivals of a whole replication, as written (before [`make_brief`]): each Poisson
/// slot's rate times the time the horizon spends in it, horizon / mean gap for renewal arrivals.
fn arrivals_as_written(s: &Scenario) -> f64 {
    let horizon = s.simulation.horizon.0;
    s.channels
        .iter()
        .map(|c| match &c.arrivals {
            Arrivals::Poisson(p) => {
                let mut total = 0.0;
                let mut day_start = 0.0;
                while day_start < horizon {
                    for (k, rate) in p.per_second.iter().enumerate() {
                        let start = day_start + k as f64 * p.slot;
                        total += rate * (horizon.min(start + p.slot) - start).max(0.0);
                    }
                    day_start += DAY;
                }
                total
            }
            Arrivals::Renewal(d) => horizon / d.mean(),
            Arrivals::Trace(times) => times.len() as f64,
        })
        .sum()
}

/// Simulates a valid scenario briefly and renders its files: it must not panic.
fn simulate_briefly(mut s: Scenario) -> RunResults {
    let volume = arrivals_as_written(&s);
    assert!(
        volume <= limits::ARRIVALS * (1.0 + 1e-9),
        "a valid scenario expects {volume} arrivals per replication, above the limit {}",
        limits::ARRIVALS
    );
    make_brief(&mut s);
    let settings = Settings { threads: Some(1), trace: true, cancel: None };
    let results = experiment::run_replications(&s, &settings, &|_| {});
    if let Err(e) = report::run_files(&results, &s) {
        panic!("the files of a valid scenario cannot be rendered: {e}");
    }
    results
}

// ---------------------------------------------------------------------------------------------
// (a) Anything at all: bytes, TOML-like text, mutated examples, random overrides.

/// Values a mutation writes: wrong types, negative, NaN, infinite, huge and tiny numbers, broken
/// durations and times, and a few plausible ones so that mutated scenarios often stay valid.
const VALUES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-0.5",
    "0.5",
    "0.999999",
    "1.0000001",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "1e300",
    "-1e300",
    "1e-300",
    "1e12",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "65536",
    "\"0s\"",
    "\"1s\"",
    "\"45s\"",
    "\"15m\"",
    "\"1h30m\"",
    "\"2d\"",
    "\"3660d\"",
    "\"3661d\"",
    "\"1e300s\"",
    "\"-5m\"",
    "\"1x\"",
    "\"\"",
    "\"NaN\"",
    "\"24:00\"",
    "\"23:59\"",
    "\"00:00\"",
    "\"99:99\"",
    "\"push\"",
    "\"pick\"",
    "\"voice\"",
    "\"live_chat\"",
    "\"sms\"",
    "\"always\"",
    "\"never\"",
    "\"available\"",
    "\"away\"",
    "\"lunch\"",
    "\"general\"",
    "\"vip\"",
    "\"oldest\"",
    "\"random\"",
    "\"priority\"",
    "\"round_robin\"",
    "\"least_active\"",
    "\"a/b/../../c\"",
    "\"..\"",
    "\"\\u0000\"",
    "true",
    "false",
    "[]",
    "[1, 2]",
    "[0, -1]",
    "[\"general\"]",
    "[\"nope\"]",
    "{}",
    "{ dist = \"exponential\", mean = \"0s\" }",
    "{ dist = \"exponential\", mean = \"1e-300s\" }",
    "{ dist = \"uniform\", min = 5, max = 1 }",
    "{ dist = \"lognormal\", sd = 3 }",
    "{ dist = \"weibull\", shape = 0.01, scale = \"1m\" }",
    "{ dist = \"gamma\", mean = 1e-300, sd = 1e300 }",
    "{ dist = \"triangular\", min = 0, mode = 0, max = 0 }",
    "{ dist = \"empirical\", file = \"/nonexistent\" }",
    "{ start = \"22:00\", end = \"06:00\" }",
    "{ process = \"renewal\", interarrival = \"0s\" }",
    "{ process = \"renewal\", interarrival = \"1s\" }",
    "{ process = \"poisson\", rate_per_hour = 1e9 }",
    "{ probability = 1, customer_reply = \"0s\" }",
    "{ accept = 0, reject = 0, timeout = \"0s\", timeout_sets_inactive = true, presence_reset = \"0s\" }",
    "{ every = \"0s\", respect_capacity = false }",
    "{ every = 1e-300 }",
];

/// Keys a mutation inserts: every key the format knows, and some it does not.
const KEYS: &[&str] = &[
    "name",
    "horizon",
    "warmup",
    "interval",
    "replications",
    "seed",
    "service_level_threshold",
    "short_abandon",
    "decline_limit",
    "kind",
    "work_stream",
    "arrivals",
    "context",
    "mode",
    "capacity",
    "allowed_presences",
    "block_capacity_for_wrap_up",
    "auto_close_open",
    "handle_time",
    "wrap_up",
    "patience",
    "waiting",
    "auto_close_after_inactivity",
    "affinity",
    "context_variables",
    "fallback_queue",
    "enable_selecting_from_push",
    "priority",
    "assignment",
    "count",
    "queues",
    "shift",
    "breaks",
    "offer",
    "pick",
    "absence",
    "base",
    "when",
    "queue",
    "bogus",
    "rate_per_hour",
    "process",
];

/// Table headers a mutation inserts.
const HEADERS: &[&str] = &[
    "[simulation]",
    "[[channel]]",
    "[[work_stream]]",
    "[[work_stream.routing_rule]]",
    "[[queue]]",
    "[[agent_group]]",
    "[[presence]]",
    "[channel.context]",
    "[[check]]",
    "[bogus]",
    "[[simulation]]",
];

#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapValues(usize, usize),
    ReplaceValue(usize, usize),
    /// Replaces the n-th number of a line (rates in a list, say).
    ReplaceNumber(usize, usize, usize),
    InsertKey(usize, usize, usize),
    InsertHeader(usize, usize),
    TruncateAt(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let any = any::<usize>;
    prop_oneof![
        1 => any().prop_map(Mutation::DeleteLine),
        1 => any().prop_map(Mutation::DuplicateLine),
        1 => (any(), any()).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        3 => (any(), any()).prop_map(|(a, b)| Mutation::ReplaceValue(a, b)),
        3 => (any(), any(), any()).prop_map(|(a, b, c)| Mutation::ReplaceNumber(a, b, c)),
        2 => (any(), any(), any()).prop_map(|(a, b, c)| Mutation::InsertKey(a, b, c)),
        1 => (any(), any()).prop_map(|(a, b)| Mutation::InsertHeader(a, b)),
        1 => any().prop_map(Mutation::TruncateAt),
    ]
}

/// The value part of a `key = value` line, as a byte range.
fn value_range(line: &str) -> Option<std::ops::Range<usize>> {
    let eq = line.find(" = ")?;
    let start = eq + 3;
    let end = line[start..].find(" #").map_or(line.len(), |c| start + c);
    (start < end).then_some(start..end)
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in mutations {
        let n = lines.len().max(1);
        let valued: Vec<usize> = (0..lines.len()).filter(|&i| value_range(&lines[i]).is_some()).collect();
        match *m {
            Mutation::DeleteLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Mutation::DuplicateLine(i) if !lines.is_empty() => {
                let line = lines[i % n].clone();
                lines.insert(i % n, line);
            }
            Mutation::SwapValues(a, b) if !valued.is_empty() => {
                let (a, b) = (valued[a % valued.len()], valued[b % valued.len()]);
                let (ra, rb) = (value_range(&lines[a]).unwrap(), value_range(&lines[b]).unwrap());
                let (va, vb) = (lines[a][ra.clone()].to_string(), lines[b][rb.clone()].to_string());
                lines[a].replace_range(ra, &vb);
                let rb = value_range(&lines[b]).unwrap();
                lines[b].replace_range(rb, &va);
            }
            Mutation::ReplaceValue(i, v) if !valued.is_empty() => {
                let i = valued[i % valued.len()];
                let range = value_range(&lines[i]).unwrap();
                lines[i].replace_range(range, VALUES[v % VALUES.len()]);
            }
            Mutation::ReplaceNumber(i, k, v) if !lines.is_empty() => {
                let line = &mut lines[i % n];
                let numbers: Vec<std::ops::Range<usize>> = number_ranges(line);
                if !numbers.is_empty() {
                    let r = numbers[k % numbers.len()].clone();
                    let value = VALUES[v % 21]; // the numeric ones
                    line.replace_range(r, value);
                }
            }
            Mutation::InsertKey(i, k, v) => {
                let line = format!("{} = {}", KEYS[k % KEYS.len()], VALUES[v % VALUES.len()]);
                lines.insert(i % (lines.len() + 1), line);
            }
            Mutation::InsertHeader(i, h) => {
                lines.insert(i % (lines.len() + 1), HEADERS[h % HEADERS.len()].to_string());
            }
            Mutation::TruncateAt(i) => {
                let at = i % (text.len() + 1);
                let joined = lines.join("\n");
                let mut cut = at.min(joined.len());
                while !joined.is_char_boundary(cut) {
                    cut -= 1;
                }
                lines = joined[..cut].lines().map(str::to_string).collect();
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// Byte ranges of the numbers in a line (outside strings and comments, roughly).
fn number_ranges(line: &str) -> Vec<std::ops::Range<usize>> {
    let code = line.split('#').next().unwrap_or("");
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            in_string = !in_string;
        } else if !in_string && b.is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            out.push(start..i);
            continue;
        }
        i += 1;
    }
    out
}

/// Parses, checks and, when valid, simulates briefly.
fn check_text(text: &str) {
    if let Ok(s) = Scenario::from_toml(text, "fuzz.toml") {
        simulate_briefly(s);
    }
}

/// TOML-like text: the characters and tokens that scenario files are made of.
fn toml_like() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_string()),
        Just(" = ".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{ ".to_string()),
        Just(" }".to_string()),
        Just(", ".to_string()),
        Just("\"".to_string()),
        Just(".".to_string()),
        Just("#".to_string()),
        prop::sample::select(KEYS).prop_map(str::to_string),
        prop::sample::select(HEADERS).prop_map(|h| format!("\n{h}\n")),
        prop::sample::select(VALUES).prop_map(str::to_string),
        "[a-z_]{1,8}",
        "-?[0-9]{1,20}(\\.[0-9]{1,5})?",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(token, 0..120).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_text(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn toml_like_text_never_panics(text in toml_like()) {
        check_text(&text);
    }
}

/// A change to one value of a parsed scenario, so that the result is still TOML and mostly
/// still a scenario: these reach validation and the engine far more often than text edits.
#[derive(Clone, Debug)]
enum Edit {
    /// Sets the n-th leaf value to one of [`VALUES`].
    Set(usize, usize),
    /// Multiplies the n-th numeric leaf (or one number of a list) by a factor.
    Scale(usize, usize, f64),
    /// Removes the n-th leaf's key, so that its default applies or its absence is noticed.
    Remove(usize),
    /// Copies or removes the n-th table of a list of tables (`[[queue]]`, `[[work_stream.routing_rule]]`).
    CopyTable(usize),
    RemoveTable(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let factor = prop_oneof![
        Just(0.0),
        Just(-1.0),
        Just(0.5),
        Just(2.0),
        Just(10.0),
        Just(1e6),
        Just(1e-6),
        Just(1e300),
        Just(f64::NAN),
        Just(f64::INFINITY),
        -1e3..1e3f64,
    ];
    prop_oneof![
        3 => (any::<usize>(), any::<usize>()).prop_map(|(i, v)| Edit::Set(i, v)),
        4 => (any::<usize>(), any::<usize>(), factor).prop_map(|(i, k, f)| Edit::Scale(i, k, f)),
        1 => any::<usize>().prop_map(Edit::Remove),
        1 => any::<usize>().prop_map(Edit::CopyTable),
        1 => any::<usize>().prop_map(Edit::RemoveTable),
    ]
}

/// Where a value stands in a document: table keys and list indices.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Paths of every leaf (a value that is not a table), and of every table in a list of tables.
fn paths(value: &toml::Value, at: &mut Vec<Step>, leaves: &mut Vec<Vec<Step>>, tables: &mut Vec<Vec<Step>>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                at.push(Step::Key(k.clone()));
                paths(v, at, leaves, tables);
                at.pop();
            }
        }
        toml::Value::Array(items) if items.iter().all(toml::Value::is_table) && !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                at.push(Step::Index(i));
                tables.push(at.clone());
                paths(v, at, leaves, tables);
                at.pop();
            }
        }
        _ => leaves.push(at.clone()),
    }
}

fn at_path<'v>(value: &'v mut toml::Value, path: &[Step]) -> &'v mut toml::Value {
    path.iter().fold(value, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn scaled(value: &toml::Value, factor: f64) -> toml::Value {
    match value {
        toml::Value::Integer(n) if (factor * *n as f64).fract() == 0.0 && (factor * *n as f64).abs() < 9e18 => {
            toml::Value::Integer((factor * *n as f64) as i64)
        }
        toml::Value::Integer(n) => toml::Value::Float(factor * *n as f64),
        toml::Value::Float(x) => toml::Value::Float(factor * x),
        other => other.clone(),
    }
}

fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let Ok(table) = toml::from_str::<toml::Table>(text) else { return text.to_string() };
    let mut doc = toml::Value::Table(table);
    for edit in edits {
        let (mut leaves, mut tables) = (Vec::new(), Vec::new());
        paths(&doc, &mut Vec::new(), &mut leaves, &mut tables);
        match *edit {
            Edit::Set(i, v) if !leaves.is_empty() => {
                let value = format!("v = {}", VALUES[v % VALUES.len()]);
                if let Ok(mut parsed) = toml::from_str::<toml::Table>(&value) {
                    *at_path(&mut doc, &leaves[i % leaves.len()]) = parsed.remove("v").unwrap();
                }
            }
            Edit::Scale(i, k, factor) if !leaves.is_empty() => {
                let leaf = at_path(&mut doc, &leaves[i % leaves.len()]);
                match leaf {
                    toml::Value::Array(items) if !items.is_empty() => {
                        let n = items.len();
                        items[k % n] = scaled(&items[k % n], factor);
                    }
                    other => *other = scaled(other, factor),
                }
            }
            Edit::Remove(i) if !leaves.is_empty() => {
                let path = &leaves[i % leaves.len()];
                if let (Some(Step::Key(key)), parent) = (path.last(), &path[..path.len() - 1])
                    && let Some(t) = at_path(&mut doc, parent).as_table_mut()
                {
                    t.remove(key);
                }
            }
            Edit::CopyTable(i) if !tables.is_empty() => {
                let path = &tables[i % tables.len()];
                let copy = at_path(&mut doc, path).clone();
                if let Some(list) = at_path(&mut doc, &path[..path.len() - 1]).as_array_mut() {
                    list.push(copy);
                }
            }
            Edit::RemoveTable(i) if !tables.is_empty() => {
                let path = &tables[i % tables.len()];
                if let (Some(Step::Index(k)), Some(list)) =
                    (path.last(), at_path(&mut doc, &path[..path.len() - 1]).as_array_mut())
                {
                    list.remove(*k);
                }
            }
            _ => {}
        }
    }
    toml::to_string(&doc).unwrap_or_else(|_| text.to_string())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn mutated_example_scenarios_never_panic(
        example in 0..EXAMPLES.len(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        check_text(&apply(EXAMPLES[example].1, &mutations));
    }

    #[test]
    fn edited_example_scenarios_never_panic(
        example in 0..EXAMPLES.len(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        check_text(&apply_edits(EXAMPLES[example].1, &edits));
    }
}

/// Dotted paths of `--set`: the default scenario's tables by name, and paths that go wrong.
const OVERRIDE_KEYS: &[&str] = &[
    "simulation.horizon",
    "simulation.warmup",
    "simulation.interval",
    "simulation.replications",
    "simulation.seed",
    "simulation.decline_limit",
    "simulation.name",
    "channel.web_chat.arrivals.rate_per_hour",
    "channel.sms.arrivals",
    "channel.sms.kind",
    "channel.web_chat.context.tier.gold",
    "work_stream.chat.mode",
    "work_stream.chat.capacity",
    "work_stream.chat.patience",
    "work_stream.messaging.waiting",
    "work_stream.chat.routing_rule.gold customers.queue",
    "work_stream.chat.routing_rule.nope.queue",
    "queue.vip.priority",
    "queue.general.assignment",
    "agent_group.generalists.count",
    "agent_group.specialists.capacity",
    "agent_group.generalists.shift",
    "agent_group.generalists.offer",
    "agent_group.specialists.pick",
    "agent_group.specialists.queues",
    "agent_group.nope.count",
    "agent_group.generalists.count.deeper",
    "simulation",
    "channel",
    "bogus.key",
    "queue.vip",
];

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn random_overrides_never_panic(
        sets in prop::collection::vec((prop::sample::select(OVERRIDE_KEYS), prop::sample::select(VALUES)), 1..4),
    ) {
        let overrides: Vec<Override> = sets
            .iter()
            .filter_map(|(k, v)| format!("{k}={v}").parse::<Override>().ok())
            .collect();
        if let Ok(s) = ScenarioSource::default_scenario().with_overrides(&overrides) {
            simulate_briefly(s);
        }
    }
}

#[test]
fn bytes_that_are_not_utf8_and_odd_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let inputs: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\x00",
        b"\x00\x00\x00\x00",
        b"[simulation]\nname = \"\xc3\x28\"\n",
        b"\xef\xbb\xbf",
        b"\n\r\n\t",
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let path = dir.path().join(format!("{i}.toml"));
        std::fs::write(&path, bytes).unwrap();
        assert!(Scenario::load(&path).is_err(), "{bytes:?}");
    }
    assert!(Scenario::load(dir.path()).is_err());
}

// ---------------------------------------------------------------------------------------------
// (b) Structurally valid centers and their invariants.

#[derive(Clone, Debug)]
struct Chan {
    kind: &'static str,
    stream: usize,
    arrivals: ArrivalSpec,
    gold_share: u32,
    with_value: bool,
}

#[derive(Clone, Debug)]
enum ArrivalSpec {
    Constant(u32),
    /// One rate per reporting interval, each the base rate times a factor of 0–3.
    Profile(u32, Vec<u8>),
    Renewal(u32),
}

#[derive(Clone, Debug)]
struct Stream {
    pick: bool,
    selecting_from_push: bool,
    capacity: u32,
    allowed: usize,
    wrap_up_block: usize,
    auto_close_open: Option<u32>,
    handle: usize,
    handle_mean_s: u32,
    wrap_up_s: Option<u32>,
    patience_s: Option<u32>,
    waiting: Option<(u8, u32, u8)>,
    inactivity_m: u32,
    affinity: Option<bool>,
    rules: Vec<(usize, usize, u32)>,
    fallback: usize,
}

#[derive(Clone, Debug)]
struct Queue {
    priority: Option<u8>,
    assignment: usize,
    threshold_s: Option<u32>,
}

#[derive(Clone, Debug)]
struct Group {
    count: u32,
    capacity: u32,
    queues: Vec<usize>,
    shift: usize,
    break_at: Option<(u32, u32, usize)>,
    offer: Option<(u8, u8, u32, u32, bool, bool)>,
    pick: Option<(usize, usize, bool)>,
    absence: u8,
}

#[derive(Clone, Debug)]
struct Center {
    horizon_h: u32,
    warmup_h: u32,
    interval: usize,
    replications: u32,
    seed: u64,
    decline_limit: u32,
    short_abandon_s: u32,
    channels: Vec<Chan>,
    streams: Vec<Stream>,
    queues: Vec<Queue>,
    groups: Vec<Group>,
}

const INTERVALS: [(&str, usize); 5] = [("15m", 96), ("30m", 48), ("1h", 24), ("2h", 12), ("1d", 1)];
const KINDS: [&str; 6] = ["live_chat", "voice", "persistent_chat", "sms", "whatsapp", "teams"];
const ALLOWED: [&str; 4] =
    ["[\"available\", \"busy\"]", "[\"available\"]", "[\"available\", \"busy\", \"busy_dnd\"]", "[\"busy\", \"away\"]"];
const BLOCKS: [&str; 3] = ["\"always\"", "\"never\"", "\"20s\""];
const ASSIGNMENTS: [&str; 3] = ["highest_capacity", "round_robin", "least_active"];
const SHIFTS: [&str; 5] = [
    "",
    "shift = { start = \"00:00\", end = \"12:00\" }",
    "shift = { start = \"06:00\", end = \"18:00\" }",
    "shift = { start = \"20:00\", end = \"04:00\" }",
    "shift = [ { start = \"01:00\", end = \"05:00\" }, { start = \"09:00\", end = \"23:00\" } ]",
];
const PRESENCES: [&str; 3] = ["away", "lunch", "busy"];
const POLICIES: [&str; 3] = ["oldest", "priority", "random"];
const EVERY: [&str; 3] = ["\"0s\"", "\"30s\"", "{ dist = \"exponential\", mean = \"2m\" }"];

fn chan() -> impl Strategy<Value = Chan> {
    let arrivals = prop_oneof![
        (1..120u32).prop_map(ArrivalSpec::Constant),
        (1..120u32, prop::collection::vec(0..4u8, 96)).prop_map(|(r, f)| ArrivalSpec::Profile(r, f)),
        (20..600u32).prop_map(ArrivalSpec::Renewal),
    ];
    (0..KINDS.len(), 0..3usize, arrivals, 0..=100u32, any::<bool>()).prop_map(
        |(kind, stream, arrivals, gold_share, with_value)| Chan {
            kind: KINDS[kind],
            stream,
            arrivals,
            gold_share,
            with_value,
        },
    )
}

fn stream() -> impl Strategy<Value = Stream> {
    (
        (any::<bool>(), prop::bool::weighted(0.15), 1..=3u32, 0..ALLOWED.len(), 0..BLOCKS.len()),
        (prop::option::of(0..1800u32), 0..4usize, 20..900u32, prop::option::of(0..120u32)),
        (prop::option::of(5..900u32), prop::option::of((0..=100u8, 10..3600u32, 0..=100u8)), 1..600u32),
        (prop::option::of(any::<bool>()), prop::collection::vec((0..4usize, 0..4usize, 0..500u32), 0..3), 0..4usize),
    )
        .prop_map(
            |(
                (pick, selecting_from_push, capacity, allowed, wrap_up_block),
                (auto_close_open, handle, handle_mean_s, wrap_up_s),
                (patience_s, waiting, inactivity_m),
                (affinity, rules, fallback),
            )| Stream {
                pick,
                selecting_from_push,
                capacity,
                allowed,
                wrap_up_block,
                auto_close_open,
                handle,
                handle_mean_s,
                wrap_up_s,
                patience_s,
                waiting,
                inactivity_m,
                affinity,
                rules,
                fallback,
            },
        )
}

fn queue() -> impl Strategy<Value = Queue> {
    (prop::option::of(1..4u8), 0..ASSIGNMENTS.len(), prop::option::of(5..300u32))
        .prop_map(|(priority, assignment, threshold_s)| Queue { priority, assignment, threshold_s })
}

fn group() -> impl Strategy<Value = Group> {
    (
        (0..6u32, 1..=4u32, prop::collection::vec(0..4usize, 1..4), 0..SHIFTS.len()),
        prop::option::of((0..1440u32, 5..240u32, 0..PRESENCES.len())),
        prop::option::of((0..=100u8, 0..=100u8, 0..60u32, 0..300u32, any::<bool>(), any::<bool>())),
        prop::option::of((0..EVERY.len(), 0..POLICIES.len(), prop::bool::weighted(0.8))),
        prop_oneof![3 => Just(0u8), 1 => 1..50u8],
    )
        .prop_map(|((count, capacity, queues, shift), break_at, offer, pick, absence)| Group {
            count,
            capacity,
            queues,
            shift,
            break_at,
            offer,
            pick,
            absence,
        })
}

fn center() -> impl Strategy<Value = Center> {
    (
        (
            1..48u32,
            0..12u32,
            0..INTERVALS.len(),
            1..=3u32,
            0..=i64::MAX as u64,
            1..=4u32,
            prop_oneof![3 => Just(0u32), 1 => 1..30u32],
        ),
        prop::collection::vec(chan(), 1..=3),
        prop::collection::vec(stream(), 1..=3),
        prop::collection::vec(queue(), 1..=4),
        prop::collection::vec(group(), 1..=3),
    )
        .prop_map(
            |(
                (horizon_h, warmup_h, interval, replications, seed, decline_limit, short_abandon_s),
                channels,
                streams,
                queues,
                groups,
            )| Center {
                horizon_h,
                warmup_h,
                interval,
                replications,
                seed,
                decline_limit,
                short_abandon_s,
                channels,
                streams,
                queues,
                groups,
            },
        )
}

impl Center {
    /// Whether agents may hold more than their capacity: picks that ignore it.
    fn picks_may_exceed_capacity(&self) -> bool {
        let picks = (0..self.streams.len()).map(|i| self.is_pick(i));
        let selecting = (0..self.streams.len()).any(|i| !self.is_pick(i) && self.streams[i].selecting_from_push);
        selecting
            || (self.groups.iter().any(|g| g.pick.is_some_and(|(_, _, respect)| !respect))
                && picks.into_iter().any(|p| p))
    }

    /// A pick work stream, unless a voice channel feeds it (voice is push only).
    fn is_pick(&self, stream: usize) -> bool {
        let ns = self.streams.len();
        self.streams[stream].pick && !self.channels.iter().any(|c| c.stream % ns == stream && c.kind == "voice")
    }

    /// The scenario file. Indices are taken modulo what exists, and the rules that make a
    /// center valid are applied here: a queue no group serves joins a group, a work stream's
    /// capacity fits a group serving each of its queues, Waiting only where every channel is
    /// asynchronous, pick never for voice.
    fn toml(&self) -> String {
        let (nq, ng, ns) = (self.queues.len(), self.groups.len(), self.streams.len());
        let mut groups: Vec<Vec<usize>> =
            self.groups.iter().map(|g| g.queues.iter().map(|q| q % nq).collect()).collect();
        for q in 0..nq {
            if !groups.iter().any(|g| g.contains(&q)) {
                groups[q % ng].push(q);
            }
        }
        let feeds = |s: usize| self.channels.iter().filter(move |c| c.stream % ns == s);
        let mut t = String::new();
        let (interval, slots) = INTERVALS[self.interval];
        let warmup_h = self.warmup_h.min(self.horizon_h - 1);
        writeln!(
            t,
            "[simulation]\nname = \"generated\"\nhorizon = \"{}h\"\nwarmup = \"{warmup_h}h\"\ninterval = \"{interval}\"\n\
             replications = {}\nseed = {}\ndecline_limit = {}\nshort_abandon = \"{}s\"\n",
            self.horizon_h, self.replications, self.seed, self.decline_limit, self.short_abandon_s
        )
        .unwrap();
        writeln!(t, "[[presence]]\nname = \"lunch\"\nbase = \"away\"\n").unwrap();

        for (i, c) in self.channels.iter().enumerate() {
            let s = c.stream % ns;
            let kind = c.kind;
            let arrivals = match &c.arrivals {
                // The first channel always has arrivals; the others may have none.
                ArrivalSpec::Constant(r) => format!("{{ process = \"poisson\", rate_per_hour = {r} }}"),
                ArrivalSpec::Profile(r, factors) => {
                    let mut rates: Vec<String> =
                        factors[..slots].iter().map(|f| (r * u32::from(*f)).to_string()).collect();
                    if i == 0 {
                        rates[0] = r.to_string();
                    }
                    format!("{{ process = \"poisson\", rate_per_hour = [{}] }}", rates.join(", "))
                }
                ArrivalSpec::Renewal(mean) => format!(
                    "{{ process = \"renewal\", interarrival = {{ dist = \"exponential\", mean = \"{mean}s\" }} }}"
                ),
            };
            let gold = f64::from(c.gold_share) / 100.0;
            let mut context = format!("tier = {{ gold = {gold}, silver = {} }}", 1.0 - gold);
            if c.with_value {
                context.push_str(", value = { dist = \"uniform\", min = 0, max = 500 }");
            }
            writeln!(
                t,
                "[[channel]]\nname = \"c{i}\"\nkind = \"{kind}\"\nwork_stream = \"s{s}\"\narrivals = {arrivals}\n\
                 context = {{ {context} }}\n"
            )
            .unwrap();
        }

        for (i, s) in self.streams.iter().enumerate() {
            // Waiting needs every feeding channel asynchronous; it is left out otherwise.
            let all_async = feeds(i).all(|c| !matches!(c.kind, "live_chat" | "voice"));
            let pick = self.is_pick(i);
            // Each queue it routes to needs a serving group with enough capacity.
            let targets: Vec<usize> =
                s.rules.iter().map(|r| r.1 % nq).chain(std::iter::once(s.fallback % nq)).collect();
            let fits = targets
                .iter()
                .map(|q| {
                    groups
                        .iter()
                        .zip(&self.groups)
                        .filter(|(qs, _)| qs.contains(q))
                        .map(|(_, g)| g.capacity)
                        .max()
                        .unwrap_or(1)
                })
                .min()
                .unwrap_or(1);
            writeln!(
                t,
                "[[work_stream]]\nname = \"s{i}\"\nmode = \"{}\"\ncapacity = {}\nallowed_presences = {}\n\
                 block_capacity_for_wrap_up = {}\nfallback_queue = \"q{}\"",
                if pick { "pick" } else { "push" },
                s.capacity.min(fits),
                ALLOWED[s.allowed],
                BLOCKS[s.wrap_up_block],
                s.fallback % nq
            )
            .unwrap();
            if !pick {
                writeln!(t, "enable_selecting_from_push = {}", s.selecting_from_push).unwrap();
            }
            if let Some(a) = s.auto_close_open {
                writeln!(t, "auto_close_open = \"{a}s\"").unwrap();
            }
            let m = s.handle_mean_s;
            let handle = match s.handle {
                0 => format!("{{ dist = \"exponential\", mean = \"{m}s\" }}"),
                1 => format!("{{ dist = \"lognormal\", mean = \"{m}s\", sd = \"{}s\" }}", m / 2 + 1),
                2 => format!("{{ dist = \"uniform\", min = \"{}s\", max = \"{}s\" }}", m / 2, m + m / 2),
                _ => format!("\"{m}s\""),
            };
            writeln!(t, "handle_time = {handle}").unwrap();
            if let Some(w) = s.wrap_up_s {
                writeln!(t, "wrap_up = \"{w}s\"").unwrap();
            }
            if let Some(p) = s.patience_s {
                writeln!(t, "patience = {{ dist = \"exponential\", mean = \"{p}s\" }}").unwrap();
            }
            if let (Some((p, reply_s, never)), true) = (s.waiting, all_async) {
                writeln!(
                    t,
                    "waiting = {{ probability = {}, customer_reply = {{ dist = \"exponential\", mean = \"{reply_s}s\" }}, never_reply = {} }}\n\
                     auto_close_after_inactivity = \"{}m\"",
                    f64::from(p.min(95)) / 100.0,
                    f64::from(never) / 100.0,
                    s.inactivity_m
                )
                .unwrap();
            }
            if let Some(a) = s.affinity {
                writeln!(t, "affinity = {a}").unwrap();
            }
            writeln!(
                t,
                "context_variables = [ {{ name = \"tier\", type = \"text\" }}, {{ name = \"value\", type = \"number\" }} ]\n"
            )
            .unwrap();
            for (k, (test, q, x)) in s.rules.iter().enumerate() {
                let when = match test {
                    0 => "{ tier = \"gold\" }".to_string(),
                    1 => format!("{{ value = {{ ge = {x} }} }}"),
                    2 => format!("{{ tier = {{ in = [\"gold\", \"silver\"] }}, value = {{ lt = {x} }} }}"),
                    _ => "{ tier = { ne = \"gold\" } }".to_string(),
                };
                writeln!(t, "[[work_stream.routing_rule]]\nname = \"r{k}\"\nwhen = {when}\nqueue = \"q{}\"\n", q % nq)
                    .unwrap();
            }
        }

        for (i, q) in self.queues.iter().enumerate() {
            writeln!(t, "[[queue]]\nname = \"q{i}\"\nassignment = \"{}\"", ASSIGNMENTS[q.assignment]).unwrap();
            if let Some(p) = q.priority {
                writeln!(t, "priority = {p}").unwrap();
            }
            if let Some(s) = q.threshold_s {
                writeln!(t, "service_level_threshold = \"{s}s\"").unwrap();
            }
            t.push('\n');
        }

        for (i, (g, queues)) in self.groups.iter().zip(&groups).enumerate() {
            let names: Vec<String> = queues.iter().map(|q| format!("\"q{q}\"")).collect();
            writeln!(
                t,
                "[[agent_group]]\nname = \"g{i}\"\ncount = {}\ncapacity = {}\nqueues = [{}]\n{}\nabsence = {}",
                g.count,
                g.capacity,
                names.join(", "),
                SHIFTS[g.shift],
                f64::from(g.absence) / 100.0
            )
            .unwrap();
            if let Some((start_m, length_m, presence)) = g.break_at {
                writeln!(
                    t,
                    "breaks = [ {{ start = \"{:02}:{:02}\", duration = \"{length_m}m\", presence = \"{}\" }} ]",
                    start_m / 60,
                    start_m % 60,
                    PRESENCES[presence]
                )
                .unwrap();
            }
            if let Some((accept, reject, response_s, timeout_s, inactive, dnd)) = g.offer {
                let accept = f64::from(accept) / 100.0;
                let reject = (f64::from(reject) / 100.0).min(1.0 - accept).max(0.0);
                writeln!(
                    t,
                    "offer = {{ accept = {accept}, reject = {reject:.2}, response_time = {{ dist = \"uniform\", min = \"0s\", max = \"{response_s}s\" }}, \
                     timeout = \"{timeout_s}s\", timeout_sets_inactive = {inactive}, reject_sets_dnd = {dnd}, presence_reset = \"1m\" }}"
                )
                .unwrap();
            }
            if let Some((every, policy, respect)) = g.pick {
                writeln!(
                    t,
                    "pick = {{ every = {}, policy = \"{}\", respect_capacity = {respect} }}",
                    EVERY[every], POLICIES[policy]
                )
                .unwrap();
            }
            t.push('\n');
        }
        t
    }
}

/// Checks, event by event, what the metrics cannot show: capacity in use per agent group against
/// the capacity staffed, capacity in use per agent against the agent's capacity, and every wait.
///
/// The Observer reports load changes per group, not per agent, so the load of each agent is
/// rebuilt from the conversations it holds: a conversation takes its work stream's units from
/// `c.agent` when it is Offered or Active (reserved when offered or picked) and gives them back
/// when it is Open again (declined), Waiting or Closed, or at wrap-up per
/// `block_capacity_for_wrap_up`: at once for "never", at the close for "always", and for a
/// duration B at wrap-up start + B (the engine's own timer, which sends no event; it is
/// replayed here before any later event). At the horizon the rebuilt loads must add up to the
/// groups' own, so the rebuild is checked against the engine too.
#[derive(Default)]
struct Invariants {
    /// Per group: (in use, staffed capacity, agents in any presence).
    load: Vec<(i64, i64, i64)>,
    /// The group capacity held beyond what is staffed, at its worst.
    excess: i64,
    negative: Vec<String>,
    /// Per agent: its group, its capacity and the units it holds now.
    agents: Vec<(usize, i64, i64)>,
    /// Conversations holding capacity: id → (agent, units).
    held: std::collections::HashMap<u64, (u32, i64)>,
    /// Wrap-up blocks that end by timer: (time, conversation id), earliest first.
    releases: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u64)>>,
    /// Units and wrap-up block of each work stream.
    streams: Vec<(i64, WrapUpBlock)>,
    /// The worst (agent, units held, capacity) above its capacity.
    agent_excess: Option<(u32, i64, i64)>,
    /// The rebuilt per-agent loads disagree with the group loads at the horizon.
    mismatch: Vec<String>,
}

impl Invariants {
    fn run(s: &Scenario, replication: u32) -> Invariants {
        let agents = s
            .agent_groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| (0..group.count).map(move |_| (g, i64::from(group.capacity), 0)))
            .collect();
        let streams = s.work_streams.iter().map(|w| (i64::from(w.capacity), w.wrap_up_block)).collect();
        let mut inv =
            Invariants { load: vec![(0, 0, 0); s.agent_groups.len()], agents, streams, ..Invariants::default() };
        engine::simulate(s, replication, &mut inv);
        inv
    }

    fn wait(&mut self, what: &str, wait: f64) {
        // NaN counts as wrong too.
        if wait.is_nan() || wait < 0.0 {
            self.negative.push(format!("{what} {wait}"));
        }
    }

    fn release(&mut self, id: u64) {
        if let Some((agent, units)) = self.held.remove(&id) {
            self.agents[agent as usize].2 -= units;
        }
    }

    /// Replays the wrap-up blocks that ended at or before `now`. Non-negative times order like
    /// their bit patterns.
    fn release_until(&mut self, now: SimTime) {
        while let Some(std::cmp::Reverse((at, id))) = self.releases.peek().copied() {
            if f64::from_bits(at) > now.0 {
                break;
            }
            self.releases.pop();
            self.release(id);
        }
    }
}

impl Observer for Invariants {
    fn arrived(&mut self, _: ConversationView) -> u64 {
        0
    }
    fn answered(&mut self, c: ConversationView, at: SimTime) {
        self.wait("first wait", at.0 - c.arrival.0);
    }
    fn abandoned(&mut self, c: ConversationView, at: SimTime) {
        self.wait("time to abandon", at.0 - c.arrival.0);
    }
    fn auto_closed(&mut self, _: ConversationView, _: SimTime) {}
    fn completed(&mut self, _: ConversationView, _: SimTime) {}
    fn handled(&mut self, _: GroupId, _: ConversationView, handle: Duration) {
        self.wait("handle time", handle.0);
    }
    fn wrapped_up(&mut self, _: GroupId, _: ConversationView, wrap_up: Duration) {
        self.wait("wrap-up", wrap_up.0);
    }
    fn open_changed(&mut self, _: ConversationView, _: SimTime, _: i64) {}
    fn agent_added(&mut self, group: GroupId, status: AgentStatus) {
        let l = &mut self.load[group.index()];
        l.0 += i64::from(status.in_use);
        l.1 += i64::from(status.staffed_capacity);
        l.2 += 1;
    }
    fn agent_changed(&mut self, group: GroupId, at: SimTime, from: AgentStatus, to: AgentStatus) {
        self.release_until(at);
        let l = &mut self.load[group.index()];
        l.0 += i64::from(to.in_use) - i64::from(from.in_use);
        l.1 += i64::from(to.staffed_capacity) - i64::from(from.staffed_capacity);
        if l.0 < 0 {
            self.negative.push(format!("capacity in use {}", l.0));
        }
        self.excess = self.excess.max(l.0 - l.1);
    }
    fn state_changed(&mut self, c: ConversationView, state: ConversationState, at: SimTime) {
        self.release_until(at);
        match state {
            ConversationState::Offered | ConversationState::Active if !self.held.contains_key(&c.id) => {
                let units = self.streams[c.work_stream.index()].0;
                self.held.insert(c.id, (c.agent, units));
                let agent = &mut self.agents[c.agent as usize];
                agent.2 += units;
                if agent.2 > agent.1 && self.agent_excess.is_none_or(|(_, used, cap)| agent.2 - agent.1 > used - cap) {
                    self.agent_excess = Some((c.agent, agent.2, agent.1));
                }
            }
            ConversationState::Offered | ConversationState::Active => {}
            ConversationState::WrapUp => match self.streams[c.work_stream.index()].1 {
                WrapUpBlock::Always => {}
                WrapUpBlock::Never => self.release(c.id),
                WrapUpBlock::For(block) => {
                    self.releases.push(std::cmp::Reverse(((at + block).0.to_bits(), c.id)));
                }
            },
            ConversationState::Open | ConversationState::Waiting | ConversationState::Closed => self.release(c.id),
        }
    }
    fn in_system(&mut self, _: ConversationView) {}
    fn finished(&mut self, horizon: SimTime) {
        self.release_until(horizon);
        for (g, (in_use, _, _)) in self.load.iter().enumerate() {
            let rebuilt: i64 = self.agents.iter().filter(|a| a.0 == g).map(|a| a.2).sum();
            if rebuilt != *in_use {
                self.mismatch.push(format!("group {g}: {in_use} units in use, {rebuilt} held by its agents"));
            }
        }
    }
    fn offer_accepted(&mut self, _: ConversationView, delay: Duration) {
        self.wait("time to accept", delay.0);
    }
    fn requeue_answered(&mut self, _: ConversationView, wait: Duration) {
        self.wait("requeue wait", wait.0);
    }
}

/// The invariants of one generated center; `Err` says which failed.
fn check_center(center: &Center) -> Result<(), String> {
    let text = center.toml();
    let s = Scenario::from_toml(&text, "generated.toml").map_err(|e| format!("invalid: {e}\n{text}"))?;
    let may_exceed = center.picks_may_exceed_capacity();

    let settings = Settings { threads: Some(1), trace: false, cancel: None };
    let results = experiment::run_replications(&s, &settings, &|_| {});
    for (r, totals) in results.replications.iter().enumerate() {
        for (scope, c) in totals.conv.iter().enumerate() {
            let out = c.completed + c.abandoned + c.auto_closed + c.in_system;
            if c.offered != out {
                return Err(format!(
                    "replication {r}, conversation scope {scope}: offered {} ≠ completed {} + abandoned {} + auto_closed {} + in_system {}",
                    c.offered, c.completed, c.abandoned, c.auto_closed, c.in_system
                ));
            }
        }
    }
    for scope in &results.scopes {
        for metric in [Metric::AsaS, Metric::WaitP50S, Metric::WaitP90S, Metric::WaitP95S, Metric::RequeueWaitS] {
            if !metric.applies_to(scope.kind) {
                continue;
            }
            for r in 0..results.replications.len() {
                let v = results.replication_value(r, scope, metric).number();
                if v < 0.0 {
                    return Err(format!("replication {r}: {} {} has {metric:?} = {v}", scope.kind.name(), scope.name));
                }
            }
        }
        if scope.kind == ScopeKind::AgentGroup && !may_exceed {
            for k in 0..results.interval_lengths.len() {
                let occupancy = results.interval_value(k, scope, Metric::Occupancy);
                if occupancy > 1.0 + 1e-9 {
                    return Err(format!("agent group {}: occupancy {occupancy} in interval {k}", scope.name));
                }
            }
        }
    }

    for r in 0..s.simulation.replications {
        let inv = Invariants::run(&s, r);
        if !inv.negative.is_empty() {
            return Err(format!("replication {r}: negative {:?}", inv.negative));
        }
        if !may_exceed && inv.excess > 0 {
            return Err(format!("replication {r}: {} capacity units in use beyond the staffed capacity", inv.excess));
        }
        if let (false, Some((agent, used, capacity))) = (may_exceed, inv.agent_excess) {
            return Err(format!(
                "replication {r}: agent {agent} holds {used} capacity units, above its capacity {capacity}"
            ));
        }
        if !inv.mismatch.is_empty() {
            return Err(format!("replication {r}: per-agent loads disagree with the engine: {:?}", inv.mismatch));
        }
        for (g, (in_use, _, agents)) in inv.load.iter().enumerate() {
            if *agents != i64::from(s.agent_groups[g].count) {
                return Err(format!("group {g}: {agents} agents in the presence counts at the end"));
            }
            if *in_use < 0 {
                return Err(format!("group {g}: {in_use} capacity units in use at the end"));
            }
        }
    }

    let files = report::run_files(&results, &s).map_err(|e| e.to_string())?;
    let again = experiment::run_replications(&s, &Settings { threads: Some(2), ..settings }, &|_| {});
    let files_again = report::run_files(&again, &s).map_err(|e| e.to_string())?;
    for (a, b) in files.iter().zip(&files_again) {
        if a.bytes != b.bytes {
            return Err(format!("{} differs between two runs with the same seed", a.name));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn random_valid_centers_keep_the_invariants(center in center()) {
        if let Err(e) = check_center(&center) {
            prop_assert!(false, "{e}\n--- scenario ---\n{}", center.toml());
        }
    }
}

/// The per-agent capacity check is not vacuous: it sees agents who pick beyond their capacity,
/// and it follows the engine through timed wrap-up blocks without a false alarm.
#[test]
fn the_per_agent_capacity_check_sees_what_it_should() {
    let center = |mode: &str, extra: &str| {
        let text = format!(
            "[simulation]\nhorizon = \"6h\"\nreplications = 1\nseed = 7\n\n\
             [[channel]]\nname = \"c\"\nkind = \"persistent_chat\"\nwork_stream = \"s\"\n\
             arrivals = {{ process = \"poisson\", rate_per_hour = 60 }}\n\n\
             [[work_stream]]\nname = \"s\"\nmode = \"{mode}\"\nhandle_time = \"5m\"\n{extra}\n\n\
             [[queue]]\nname = \"q\"\n\n\
             [[agent_group]]\nname = \"g\"\ncount = 3\ncapacity = 2\nqueues = [\"q\"]\n\
             pick = {{ every = \"1m\", respect_capacity = false }}\n"
        );
        Invariants::run(&Scenario::from_toml(&text, "t.toml").unwrap(), 0)
    };
    // 5 conversations in the system on average for 6 units: picks that ignore capacity go over.
    let picking = center("pick", "");
    assert!(picking.agent_excess.is_some(), "no agent went over its capacity");
    assert!(picking.mismatch.is_empty(), "{:?}", picking.mismatch);
    // Push never does, also when capacity returns 20 s into a one-minute wrap-up.
    for extra in [
        "",
        "wrap_up = \"1m\"\nblock_capacity_for_wrap_up = \"20s\"",
        "wrap_up = \"1m\"\nblock_capacity_for_wrap_up = \"never\"",
    ] {
        let pushing = center("push", extra);
        assert_eq!(pushing.agent_excess, None, "{extra}");
        assert!(pushing.mismatch.is_empty() && pushing.negative.is_empty(), "{extra}: {:?}", pushing.mismatch);
    }
}

#[test]
fn generated_centers_are_valid_and_some_are_push_only() {
    // The generator is only useful if what it writes passes validation; spot-check a few seeds.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut push_only, mut total) = (0, 0);
    for _ in 0..64 {
        let c = center().new_tree(&mut runner).unwrap().current();
        if let Err(e) = Scenario::from_toml(&c.toml(), "generated.toml") {
            panic!("{e}\n{}", c.toml());
        }
        total += 1;
        push_only += usize::from(!c.picks_may_exceed_capacity());
    }
    assert!(push_only * 4 >= total, "only {push_only} of {total} generated centers keep capacity");
}

// ---------------------------------------------------------------------------------------------
// Regression tests: inputs that once exhausted memory, hung, or gave a message without its key.
// Each was accepted by validation (or read without bound) before the limits of `scenario::limits`.

const DEFAULT: &str = EXAMPLES[0].1;

/// The default scenario with the first occurrence of each `old` replaced by `new`.
fn default_with(pairs: &[(&str, &str)]) -> String {
    let mut text = DEFAULT.to_string();
    for (old, new) in pairs {
        assert!(text.contains(old), "the default scenario has no {old:?}");
        text = text.replacen(old, new, 1);
    }
    text
}

/// The default scenario with the web chat's arrivals table replaced by `table`.
fn web_chat_arrivals(table: &str) -> String {
    let start = DEFAULT.find("arrivals = { process = \"poisson\"").unwrap() + "arrivals = ".len();
    let end = start + DEFAULT[start..].find('}').unwrap() + 1;
    format!("{}{table}{}", &DEFAULT[..start], &DEFAULT[end..])
}

/// Validation refuses `text` with an error on `key` whose message holds every one of `says`.
fn refused(text: &str, key: &str, says: &[&str]) {
    match Scenario::from_toml(text, "regression.toml") {
        Ok(_) => panic!("accepted; expected an error on {key}"),
        Err(e) => {
            assert_eq!(e.key, key, "{e}");
            assert!(e.position.is_some(), "no position: {e}");
            for word in says {
                assert!(e.message.contains(word), "{e} lacks {word:?}");
            }
        }
    }
}

/// Found by probing: `rate_per_hour = 1e300` validated, and a run passed 4 GiB in 17 s.
#[test]
fn regression_rate_1e300_per_hour() {
    refused(
        &web_chat_arrivals("{ process = \"poisson\", rate_per_hour = 1e300 }"),
        "channel.web_chat.arrivals.rate_per_hour",
        &["1.000e300 an hour", "expected at most 1000000000 arrivals per replication"],
    );
    // The largest float: the volume overflows to infinity, which must not slip through as NaN.
    refused(
        &web_chat_arrivals("{ process = \"poisson\", rate_per_hour = 1.7976931348623157e308 }"),
        "channel.web_chat.arrivals.rate_per_hour",
        &["infinitely many arrivals"],
    );
}

/// Found by probing: 10⁹ an hour validated, and a one-hour run passed 4 GiB in 17 s.
#[test]
fn regression_huge_arrival_volume() {
    refused(
        &web_chat_arrivals("{ process = \"poisson\", rate_per_hour = 1e9 }"),
        "channel.web_chat.arrivals.rate_per_hour",
        &["24000000000 arrivals"],
    );
    // One slot of a daily profile is enough.
    refused(
        &default_with(&[("150, 140, 130", "150, 1e11, 130")]),
        "channel.web_chat.arrivals.rate_per_hour",
        &["expected at most 1000000000"],
    );
}

/// Found by probing: a renewal gap of 10⁻³⁰⁰ s (only a mean of 0 was refused) grew 3.7 GB in 10 s.
#[test]
fn regression_renewal_gap_1e_minus_300_seconds() {
    for gap in ["1e-300", "{ dist = \"exponential\", mean = 1e-300 }", "\"0.000001s\""] {
        refused(
            &web_chat_arrivals(&format!("{{ process = \"renewal\", interarrival = {gap} }}")),
            "channel.web_chat.arrivals.interarrival",
            &["expected at most 1000000000 arrivals per replication"],
        );
    }
    // A sensible mean whose spread puts nearly every gap at 0 is the same runaway.
    refused(
        &web_chat_arrivals("{ process = \"renewal\", interarrival = { dist = \"gamma\", mean = \"1m\", sd = 1e100 } }"),
        "channel.web_chat.arrivals.interarrival",
        &["narrow their spread"],
    );
}

/// Found by probing: `ccsim validate /dev/zero` read 4 GiB in 4.7 s; an empirical file or a
/// trace of `/dev/zero` or `/dev/urandom` did the same while the scenario was checked.
#[cfg(unix)]
#[test]
fn regression_dev_zero_as_a_file() {
    let e = Scenario::load(std::path::Path::new("/dev/zero")).unwrap_err();
    assert!(e.message.contains("is a character device, not a regular file"), "{e}");
    refused(
        &default_with(&[(
            "handle_time = { dist = \"lognormal\", mean = \"10m\", sd = \"5m\" }",
            "handle_time = { dist = \"empirical\", file = \"/dev/zero\" }",
        )]),
        "work_stream.chat.handle_time.file",
        &["/dev/zero is a character device"],
    );
    refused(
        &web_chat_arrivals("{ process = \"trace\", file = \"/dev/urandom\" }"),
        "channel.web_chat.arrivals.file",
        &["/dev/urandom is a character device"],
    );
}

/// Found by probing: `seed = 18446744073709551615` said only "u64 value was too large".
#[test]
fn regression_seed_beyond_64_bits_names_its_key() {
    refused(
        &default_with(&[("seed = 20261124", "seed = 18446744073709551615")]),
        "simulation.seed",
        &["18446744073709551615 is too large", "expected an integer from 0 to 9223372036854775807"],
    );
}

/// Found while reading the engine: Waiting with probability 1, no never_reply, and handle and
/// reply times of 0 parked and reopened one conversation forever at one instant (a run never
/// ended). The generators had it in reach (`{ probability = 1, customer_reply = "0s" }` and a
/// handle time of "0s" in [`VALUES`]) but needed two edits at once.
#[test]
fn regression_waiting_that_never_ends_at_one_instant() {
    refused(
        &default_with(&[
            ("handle_time = { dist = \"gamma\", mean = \"6m\", sd = \"3m\" }", "handle_time = \"0s\""),
            ("wrap_up = \"30s\"", "wrap_up = \"30s\"\nwaiting = { probability = 1, customer_reply = \"0s\" }"),
        ]),
        "work_stream.messaging.waiting",
        &["up to infinitely many times each", "expected at most 10000000000"],
    );
}

/// Found while reading the engine: `pick = { every = 1e-300 }` (in [`VALUES`]) made each agent
/// poll every microsecond, the engine's floor: 8.6·10¹⁰ polls an agent a day. [`make_brief`]
/// shortened the horizon to match, so the generators never saw it.
#[test]
fn regression_pick_every_1e_minus_300_seconds() {
    refused(
        &default_with(&[
            ("name = \"messaging\"\nmode = \"push\"", "name = \"messaging\"\nmode = \"pick\""),
            ("count = 8", "count = 8\npick = { every = 1e-300 }"),
        ]),
        "agent_group.generalists.pick.every",
        &["expected at most 20000000000 polls per replication"],
    );
}
