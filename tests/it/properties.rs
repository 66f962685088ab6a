//! Robustness and invariants under random input: the fuzzing of ccsim.
//!
//! Two kinds of generators, both proptest strategies so that they run in `cargo test` on every
//! machine and shrink a failure to a small input:
//! - **Anything at all**: arbitrary bytes, TOML-like text, the example scenarios with random
//!   mutations (lines deleted or duplicated, values swapped, keys inserted, numbers replaced by
//!   negative, NaN, infinite or huge ones) and random `--set` overrides go through parsing and
//!   validation; whatever is valid is simulated briefly and its files rendered. Nothing may panic.
//! - **Structurally valid centers** (in `centers`): 1–3 channels, 1–3 work streams (push or pick, capacity,
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
//! kept as named cases of the tables in `limits` and `bad_values`, each with the concrete input
//! that failed, run through the binary.

use proptest::prelude::*;
use proptest::test_runner::Config;

use ccsim::experiment::{self, Settings};
use ccsim::metrics::RunResults;
use ccsim::report;
use ccsim::scenario::{Arrivals, Override, Scenario, ScenarioSource, limits};
use ccsim::time::{DAY, Duration};

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
pub(crate) fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, ..Config::default() }
}

// ---------------------------------------------------------------------------------------------
// Brief simulations of whatever is valid.

/// Arrivals per second a channel can reach at its busiest.
fn peak_rate(arrivals: &Arrivals, horizon: f64) -> f64 {
    match arrivals {
        Arrivals::Poisson(profile) => profile.peak(),
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
                let (slot, period) = (p.rate.slot(), p.rate.period());
                let mut total = 0.0;
                let mut period_start = 0.0;
                while period_start < horizon {
                    for (k, rate) in p.rate.values().iter().enumerate() {
                        let start = period_start + k as f64 * slot;
                        let day = (start / DAY).floor() as usize;
                        total += rate * p.scale(day) * (horizon.min(start + slot) - start).max(0.0);
                    }
                    period_start += period;
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
    let settings = Settings { threads: Some(1), trace: true, ..Settings::default() };
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
