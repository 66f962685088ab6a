//! Structurally valid centers under random input, and their invariants: 1–3 channels, 1–3 work
//! streams (push or pick, capacity, Waiting, patience, wrap-up blocking, routing rules on context
//! variables, percentage routing, transfers, handle time growing with concurrency, bots), 1–4 queues
//! (operating hours, overflow rules that move or end, transfers), 1–3 agent groups (shifts,
//! breaks, offers, pick behaviour, absence, their own profile limits, a rating of spanish), 0–2
//! capacity profiles, blocking or not, and classification rules that make gold customers require
//! spanish, matched exactly or closest.
//! Every replication of every one must conserve conversations in every conversation scope, keep
//! capacity and profile limits in push mode (per agent group and per agent), never give work to
//! an agent without the skills it requires, never report a negative wait, keep
//! occupancy ≤ 1 unless picks may exceed capacity, and give the same bytes for the same seed; the
//! engine's own debug checks run throughout. Arbitrary input is fuzzed in `properties`.
//!
//! (About 710 lines: the generator of centers, the observer that checks the invariants event by
//! event, and the tests that show the checks see what they should, which only make sense
//! together.)

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use ccsim::engine::{self, AgentStatus, ConversationState, ConversationView, Observer};
use ccsim::experiment::{self, Settings};
use ccsim::metrics::{Metric, ScopeKind};
use ccsim::report;
use ccsim::scenario::{ContextValue, GroupId, Rating, Scenario};
use ccsim::time::{Duration, SimTime};

use crate::common::AgentLoads;
use crate::properties::config;

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
    /// A profile of 24, 48 or 96 rates (by the base rate), whatever the reporting interval, each
    /// the base rate times a factor of 0–3.
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
    /// A last rule splitting gold customers over two queues: (queue, queue, first's percentage).
    split: Option<(usize, usize, u8)>,
    /// A transfer after handling: (percentage, queue).
    transfer: Option<(u8, usize)>,
    /// `handle_time_per_extra`, in hundredths.
    per_extra: Option<u8>,
    /// A bot (push work streams only): its mean time in seconds, containment in hundredths.
    bot: Option<(u32, u8)>,
    /// The capacity profile it counts against, if the center has one.
    profile: Option<usize>,
    /// A classification rule: gold customers require spanish at this rating; closest matching
    /// or exact.
    spanish: Option<(u8, bool)>,
}

#[derive(Clone, Debug)]
struct Queue {
    priority: Option<u8>,
    assignment: usize,
    threshold_s: Option<u32>,
    hours: Option<usize>,
    /// Overflow rules: (condition, its number, the queue moved to or none: ended).
    overflow: Vec<(usize, u32, Option<usize>)>,
    transfer: Option<(u8, usize)>,
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
    /// Its own limit of the first capacity profile.
    profile_limit: Option<u8>,
    /// Its agents' rating of spanish.
    spanish: Option<u8>,
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
    /// Capacity profiles: (limit, block_others).
    profiles: Vec<(u8, bool)>,
}

const INTERVALS: [&str; 5] = ["15m", "30m", "1h", "2h", "1d"];
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
const HOURS: [&str; 3] = [
    "hours = { mon = [[\"08:00\", \"17:00\"]], tue = [[\"08:00\", \"12:00\"], [\"13:00\", \"24:00\"]] }",
    "hours = { mon = [[\"00:00\", \"06:00\"]] }",
    "hours = {}",
];

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
        (
            prop::option::of((0..4usize, 0..4usize, 0..=100u8)),
            prop::option::weighted(0.3, (0..=90u8, 0..4usize)),
            prop::option::weighted(0.3, 0..=80u8),
            prop::option::weighted(0.25, (1..300u32, 0..=100u8)),
        ),
        prop::option::weighted(0.4, 0..2usize),
        prop::option::weighted(0.4, (1..=10u8, any::<bool>())),
    )
        .prop_map(
            |(
                (pick, selecting_from_push, capacity, allowed, wrap_up_block),
                (auto_close_open, handle, handle_mean_s, wrap_up_s),
                (patience_s, waiting, inactivity_m),
                (affinity, rules, fallback),
                (split, transfer, per_extra, bot),
                profile,
                spanish,
            )| Stream {
                profile,
                spanish,
                split,
                transfer,
                per_extra,
                bot,
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
    (
        (prop::option::of(1..4u8), 0..ASSIGNMENTS.len(), prop::option::of(5..300u32)),
        (
            prop::option::weighted(0.3, 0..HOURS.len()),
            prop::collection::vec((0..4usize, 1..900u32, prop::option::of(0..4usize)), 0..3),
            prop::option::weighted(0.2, (0..=90u8, 0..4usize)),
        ),
    )
        .prop_map(|((priority, assignment, threshold_s), (hours, overflow, transfer))| Queue {
            priority,
            assignment,
            threshold_s,
            hours,
            overflow,
            transfer,
        })
}

fn group() -> impl Strategy<Value = Group> {
    (
        (0..6u32, 1..=4u32, prop::collection::vec(0..4usize, 1..4), 0..SHIFTS.len()),
        prop::option::of((0..1440u32, 5..240u32, 0..PRESENCES.len())),
        prop::option::of((0..=100u8, 0..=100u8, 0..60u32, 0..300u32, any::<bool>(), any::<bool>())),
        prop::option::of((0..EVERY.len(), 0..POLICIES.len(), prop::bool::weighted(0.8))),
        prop_oneof![3 => Just(0u8), 1 => 1..50u8],
        prop::option::weighted(0.3, 1..=3u8),
        prop::option::weighted(0.5, 1..=10u8),
    )
        .prop_map(|((count, capacity, queues, shift), break_at, offer, pick, absence, profile_limit, spanish)| {
            Group { profile_limit, spanish, count, capacity, queues, shift, break_at, offer, pick, absence }
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
        prop::collection::vec((1..=3u8, any::<bool>()), 0..=2),
    )
        .prop_map(
            |(
                (horizon_h, warmup_h, interval, replications, seed, decline_limit, short_abandon_s),
                channels,
                streams,
                queues,
                groups,
                profiles,
            )| Center {
                profiles,
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
    /// Queue `i`'s overflow rules: each condition as written and the queue it moves to (none:
    /// it ends); `outside_hours` only with hours, one `waited_at_least` at most, a move to the
    /// queue itself made an end.
    fn overflow_rules(&self, i: usize) -> Vec<(String, Option<usize>)> {
        let (q, nq) = (&self.queues[i], self.queues.len());
        let mut waited = false;
        let mut rules = Vec::new();
        for &(kind, n, target) in &q.overflow {
            let when = match kind {
                0 if q.hours.is_some() => "\"outside_hours\"".to_string(),
                0 | 1 => format!("{{ open_at_least = {} }}", 1 + n % 5),
                2 => format!("{{ expected_wait_at_least = \"{n}s\" }}"),
                _ if waited => continue,
                _ => {
                    waited = true;
                    format!("{{ waited_at_least = \"{n}s\" }}")
                }
            };
            rules.push((when, target.map(|t| t % nq).filter(|&t| t != i)));
        }
        rules
    }

    /// The queues overflow or a transfer can move a conversation to from queue `q`.
    fn queue_moves(&self, q: usize) -> Vec<usize> {
        let nq = self.queues.len();
        let moves = self.overflow_rules(q).into_iter().filter_map(|(_, to)| to);
        moves.chain(self.queues[q].transfer.map(|(_, t)| t % nq)).collect()
    }

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
        let interval = INTERVALS[self.interval];
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
                    let length = [24, 48, 96][*r as usize % 3];
                    let mut rates: Vec<String> =
                        factors[..length].iter().map(|f| (r * u32::from(*f)).to_string()).collect();
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
            // Each queue it routes, moves or transfers to needs a serving group with enough capacity.
            let mut targets: Vec<usize> = s
                .rules
                .iter()
                .map(|r| r.1 % nq)
                .chain(std::iter::once(s.fallback % nq))
                .chain(s.split.iter().flat_map(|&(a, b, _)| [a % nq, b % nq]))
                .chain(s.transfer.map(|(_, q)| q % nq))
                .collect();
            let mut k = 0;
            while k < targets.len() {
                let q = targets[k];
                for next in self.queue_moves(q) {
                    if !targets.contains(&next) {
                        targets.push(next);
                    }
                }
                k += 1;
            }
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
            if let Some((p, q)) = s.transfer {
                writeln!(t, "transfer = {{ probability = {}, queue = \"q{}\" }}", f64::from(p) / 100.0, q % nq)
                    .unwrap();
            }
            if let Some(k) = s.per_extra {
                writeln!(t, "handle_time_per_extra = {}", f64::from(k) / 100.0).unwrap();
            }
            if let (Some(p), false) = (s.profile, self.profiles.is_empty()) {
                writeln!(t, "capacity_profile = \"p{}\"", p % self.profiles.len()).unwrap();
            }
            let spanish = s.spanish.filter(|_| self.groups.iter().any(|g| g.spanish.is_some()));
            if let Some((_, closest)) = spanish {
                writeln!(t, "matching = \"{}\"", if closest { "closest" } else { "exact" }).unwrap();
            }
            if let (Some((mean_s, contained)), false) = (s.bot, pick) {
                writeln!(
                    t,
                    "bot = {{ handle_time = {{ dist = \"exponential\", mean = \"{mean_s}s\" }}, containment = {}, sets = {{ tier = {{ gold = 0.5, silver = 0.5 }} }} }}",
                    f64::from(contained) / 100.0
                )
                .unwrap();
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
            if let Some((min, _)) = spanish {
                writeln!(
                    t,
                    "[[work_stream.classification]]\nwhen = {{ tier = \"gold\" }}\nskills = {{ spanish = {min} }}\n"
                )
                .unwrap();
            }
            if let Some((a, b, share)) = s.split {
                let (a, b) = (a % nq, b % nq);
                let queues = if a == b {
                    format!("{{ q{a} = 100 }}")
                } else {
                    format!("{{ q{a} = {share}, q{b} = {} }}", 100 - share)
                };
                writeln!(
                    t,
                    "[[work_stream.routing_rule]]\nname = \"split\"\nwhen = {{ tier = \"gold\" }}\nqueues = {queues}\n"
                )
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
            if let Some(h) = q.hours {
                writeln!(t, "{}", HOURS[h]).unwrap();
            }
            if let Some((p, to)) = q.transfer {
                writeln!(t, "transfer = {{ probability = {}, queue = \"q{}\" }}", f64::from(p) / 100.0, to % nq)
                    .unwrap();
            }
            t.push('\n');
            for (when, to) in self.overflow_rules(i) {
                let action = to.map_or_else(|| "{ end = true }".to_string(), |t| format!("{{ queue = \"q{t}\" }}"));
                writeln!(t, "[[queue.overflow]]\nwhen = {when}\naction = {action}\n").unwrap();
            }
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
            if let Some(rating) = g.spanish {
                writeln!(t, "skills = {{ spanish = {rating} }}").unwrap();
            }
            if let (Some(limit), false) = (g.profile_limit, self.profiles.is_empty()) {
                writeln!(t, "capacity_profiles = {{ p0 = {limit} }}").unwrap();
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
        for (i, (limit, block)) in self.profiles.iter().enumerate() {
            writeln!(t, "[[capacity_profile]]\nname = \"p{i}\"\nlimit = {limit}\nblock_others = {block}\n").unwrap();
        }
        t
    }
}

/// Checks, event by event, what the metrics cannot show: capacity in use per agent group against
/// the capacity staffed, capacity in use per agent against the agent's capacity (rebuilt by
/// [`AgentLoads`]), and every wait. At the horizon the rebuilt loads must add up to the groups'
/// own, so the rebuild is checked against the engine too.
struct Invariants {
    /// Per group: (in use, staffed capacity, agents in any presence).
    load: Vec<(i64, i64, i64)>,
    /// The group capacity held beyond what is staffed, at its worst.
    excess: i64,
    negative: Vec<String>,
    agents: AgentLoads,
    /// The worst (agent, units held, capacity) above its capacity.
    agent_excess: Option<(usize, i64, i64)>,
    /// The rebuilt per-agent loads disagree with the group loads at the horizon.
    mismatch: Vec<String>,
    /// What skills take: the scenario, each agent's ratings (fixed ones: the generator draws
    /// none), each conversation's matching classification rules, and the first agent given
    /// work it lacks the skills for.
    scenario: Scenario,
    ratings: Vec<Vec<u32>>,
    classified: std::collections::HashMap<u64, u8>,
    skill_breach: Option<String>,
}

impl Invariants {
    fn run(s: &Scenario, replication: u32) -> Invariants {
        let mut inv = Invariants {
            load: vec![(0, 0, 0); s.agent_groups.len()],
            excess: 0,
            negative: Vec::new(),
            agents: AgentLoads::new(s),
            agent_excess: None,
            mismatch: Vec::new(),
            scenario: s.clone(),
            ratings: s
                .agent_groups
                .iter()
                .flat_map(|g| {
                    let mut ratings = vec![0; s.skills.len()];
                    for (skill, rating) in &g.skills {
                        let Rating::Fixed(r) = rating else { panic!("generated ratings are fixed") };
                        ratings[skill.index()] = *r;
                    }
                    std::iter::repeat_n(ratings, g.count as usize)
                })
                .collect(),
            classified: std::collections::HashMap::new(),
            skill_breach: None,
        };
        engine::simulate(s, replication, &mut inv);
        inv
    }

    fn wait(&mut self, what: &str, wait: f64) {
        // NaN counts as wrong too.
        if wait.is_nan() || wait < 0.0 {
            self.negative.push(format!("{what} {wait}"));
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
        self.agents.release_until(at.0);
        let l = &mut self.load[group.index()];
        l.0 += i64::from(to.in_use) - i64::from(from.in_use);
        l.1 += i64::from(to.staffed_capacity) - i64::from(from.staffed_capacity);
        if l.0 < 0 {
            self.negative.push(format!("capacity in use {}", l.0));
        }
        self.excess = self.excess.max(l.0 - l.1);
    }
    fn context(&mut self, c: ConversationView, values: &[ContextValue]) {
        // With a bot, the values after it: a subset of the rules that matched, so a necessary
        // condition on the agent (more rules never make fewer skills required).
        self.classified.insert(c.id, self.scenario.work_streams[c.work_stream.index()].classify(values));
    }
    fn state_changed(&mut self, c: ConversationView, state: ConversationState, at: SimTime) {
        if let Some(agent) = self.agents.state_changed(&c, state, at) {
            let ws = &self.scenario.work_streams[c.work_stream.index()];
            let rules = self.classified.get(&c.id).copied().unwrap_or(0);
            let set =
                &self.scenario.skill_sets[ws.skill_sets[usize::from(ws.set_of_rules[usize::from(rules)])].index()];
            if !set.admits(&self.ratings[agent]) && self.skill_breach.is_none() {
                self.skill_breach = Some(format!(
                    "agent {agent} rated {:?} took conversation {} requiring {set:?} at {}",
                    self.ratings[agent], c.id, at.0
                ));
            }
            let (used, capacity) = (self.agents.used[agent], self.agents.capacity[agent]);
            if used > capacity && self.agent_excess.is_none_or(|(_, u, cap)| used - capacity > u - cap) {
                self.agent_excess = Some((agent, used, capacity));
            }
        }
    }
    fn in_system(&mut self, _: ConversationView) {}
    fn finished(&mut self, horizon: SimTime) {
        self.agents.release_until(horizon.0);
        for (g, (in_use, _, _)) in self.load.iter().enumerate() {
            let rebuilt = self.agents.group_in_use(g);
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

    let settings = Settings { threads: Some(1), ..Settings::default() };
    let results = experiment::run_replications(&s, &settings, &|_| {});
    for (r, totals) in results.replications.iter().enumerate() {
        for (scope, c) in totals.conv.iter().enumerate() {
            let out = c.completed + c.abandoned + c.auto_closed + c.ended_by_overflow + c.bot_contained + c.in_system;
            if c.offered != out {
                return Err(format!(
                    "replication {r}, conversation scope {scope}: offered {} ≠ completed {} + abandoned {} + auto_closed {} + ended_by_overflow {} + in_system {}",
                    c.offered, c.completed, c.abandoned, c.auto_closed, c.ended_by_overflow, c.in_system
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
        if let Some(breach) = &inv.skill_breach {
            return Err(format!("replication {r}: skills not matched: {breach}"));
        }
        if let (false, Some(breach)) = (may_exceed, &inv.agents.profile_breach) {
            return Err(format!("replication {r}: capacity profile exceeded: {breach}"));
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
             pick = {{ every = \"1m\", respect_capacity = false }}\n\n\
             [[capacity_profile]]\nname = \"p\"\nlimit = 1\n"
        );
        Invariants::run(&Scenario::from_toml(&text, "t.toml").unwrap(), 0)
    };
    // 5 conversations in the system on average for 6 units: picks that ignore capacity go over.
    let picking = center("pick", "");
    assert!(picking.agent_excess.is_some(), "no agent went over its capacity");
    assert!(picking.mismatch.is_empty(), "{:?}", picking.mismatch);
    // With a profile of limit 1 they go over that limit too.
    let picking = center("pick", "capacity_profile = \"p\"");
    assert!(picking.agents.profile_breach.is_some(), "no agent went over its profile's limit");
    // Push never does, also when capacity returns 20 s into a one-minute wrap-up.
    for extra in [
        "",
        "capacity_profile = \"p\"",
        "wrap_up = \"1m\"\nblock_capacity_for_wrap_up = \"20s\"",
        "wrap_up = \"1m\"\nblock_capacity_for_wrap_up = \"never\"",
    ] {
        let pushing = center("push", extra);
        assert_eq!(pushing.agent_excess, None, "{extra}");
        assert_eq!(pushing.agents.profile_breach, None, "{extra}");
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

#[test]
fn generated_centers_move_end_split_transfer_meet_bots_hold_profiles_and_match_skills() {
    // The invariants above hold through routing wave 2 only if the centers exercise it: over a
    // deterministic sample, some conversations overflow to another queue, some are ended, some
    // are transferred, and some centers split their routing.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut moved, mut ended, mut transfers, mut splits, mut bots) = (0.0, 0.0, 0.0, 0, 0.0);
    let (mut profiled, mut blocking, mut skilled) = (0, 0, 0.0);
    for _ in 0..48 {
        let c = center().new_tree(&mut runner).unwrap().current();
        let s = Scenario::from_toml(&c.toml(), "generated.toml").unwrap();
        splits += usize::from(c.toml().contains("queues = { q"));
        profiled += usize::from(s.work_streams.iter().any(|w| w.capacity_profile.is_some()));
        blocking += usize::from(s.capacity_profiles.iter().any(|p| p.block_others));
        let skills_asked = s.skill_sets.len() > 1;
        let r = experiment::run_replications(&s, &Settings { threads: Some(1), ..Settings::default() }, &|_| {});
        let all = |m: Metric| r.estimate(&r.scopes[0], m).mean;
        moved += all(Metric::Overflowed) - all(Metric::EndedByOverflow);
        ended += all(Metric::EndedByOverflow);
        transfers += all(Metric::Transfers);
        bots += all(Metric::BotContained).min(all(Metric::BotEscalated));
        if skills_asked {
            skilled += all(Metric::Answered);
        }
    }
    assert!(
        moved > 0.0
            && ended > 0.0
            && transfers > 0.0
            && splits > 0
            && bots > 0.0
            && profiled > 0
            && blocking > 0
            && skilled > 0.0,
        "{moved} {ended} {transfers} {splits} {bots} {profiled} {blocking} {skilled}"
    );
}
