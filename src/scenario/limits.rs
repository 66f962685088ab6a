//! Largest sizes ccsim accepts; beyond them a run would exhaust memory or never finish. Each is
//! checked in one place, when the scenario is checked (exit 2), and named in its message. The
//! bounds on work (arrivals, episodes, polls) are set so that a planner's biggest real case —
//! 10 000 agents, 100 000 conversations an hour, a year — passes with room to spare.
//!
//! The constants are checked here too, against the scenario once it is resolved: the work it
//! asks for (arrivals, Waiting episodes, polls) and the memory a run of it holds. Each error
//! points at the value that contributes most and names the limit.

use super::memory_label;
use super::model::*;
use super::raw::RawScenario;
use super::resolve::{Resolver, Result};
use crate::time::Duration;

/// The default of `simulation.max_in_system`: the most conversations one replication may hold
/// in the system at once before it stops (exit 3). A center whose arrivals outrun its agents
/// queues without bound; at [`CONVERSATION_BYTES`] a conversation this keeps a replication
/// under about 160 MB, so that many run side by side within [`MEMORY`].
pub const IN_SYSTEM: i64 = 1_000_000;
/// The largest `simulation.max_in_system` accepted (about 16 GB a replication, more than
/// [`MEMORY`] allows: such a value is refused by the memory check unless it is all that runs).
pub const IN_SYSTEM_MAX: i64 = 100_000_000;
/// What a command may hold in memory at once, as estimated before it runs from the counts
/// below: the cells kept for the report (every replication's totals and every variant's
/// intervals), and those of the replications under way or waiting to be merged with the
/// conversations they may hold. Fewer replications run side by side when that is what it takes
/// (the results do not depend on it); a command whose one replication under way and kept cells
/// pass it is refused.
pub const MEMORY: u64 = 4 << 30;
/// Bytes of one scope's cell of one interval (counts, sums and a wait histogram), a bound the
/// metrics tests hold the real cells to.
pub const CELL_BYTES: u64 = 1_300;
/// Bytes of one conversation in the system (its slot, its timers, its place in a lane).
pub const CONVERSATION_BYTES: u64 = 160;
/// Bytes of one agent (its state, random streams, seats and bits).
pub const AGENT_BYTES: u64 = 400;
/// Conversations of replication 1 that `--trace` may expect: each row is held until the run
/// ends, about 370 bytes with its text, so this is about 740 MB.
pub const TRACE_CONVERSATIONS: f64 = 2e6;
/// Agents in one group, and in all groups together.
pub const AGENTS: u64 = 1_000_000;
/// Capacity units of an agent, and units a conversation of a work stream takes.
pub const CAPACITY: i64 = 10_000;
/// `simulation.replications`.
pub const REPLICATIONS: i64 = 100_000;
/// `simulation.horizon`, in days: ten years.
pub const HORIZON_DAYS: f64 = 3_660.0;
/// Reporting cells (intervals × scopes) one replication may keep.
pub const CELLS: usize = 250_000;
/// Tables of one kind (`[[channel]]`, `[[queue]]`, …); ids are 16-bit.
pub const TABLES: usize = 10_000;
/// Arrivals one replication may expect, all channels together: rate × horizon for Poisson
/// arrivals (per interval); horizon / mean gap, plus a term for the spread of the gaps, for
/// renewal ones ([`renewals_bound`]); the replayed timestamps of a trace. 100 000 an hour
/// for a year is 876 000 000 and passes; 10⁹ an hour for a day (2.4·10¹⁰), 10³⁰⁰ an hour,
/// or a renewal gap of 10⁻³⁰⁰ s does not.
///
/// [`renewals_bound`]: crate::scenario::distribution::Distribution::renewals_bound
pub const ARRIVALS: f64 = 1e9;
/// Active episodes one replication may expect: arrivals times how often a conversation comes
/// back from Waiting. Ten per conversation at [`ARRIVALS`]; it stops `waiting` with
/// probability 1, never_reply 0 and handle and reply times of mean 0 (a conversation that
/// would come back forever at one instant) and near relatives of it.
pub const EPISODES: f64 = 1e10;
/// Polls one replication may expect from agents who look at pick queues every `pick.every`:
/// agents × horizon / mean period. 10 000 agents polling every 30 s for a year make
/// 1.05·10¹⁰ and pass; an `every` of 10⁻³⁰⁰ s does not.
pub const POLLS: f64 = 2e10;
/// Bytes of a scenario file; the largest real ones are a few hundred kilobytes.
pub const SCENARIO_FILE_BYTES: u64 = 16 << 20;
/// Bytes of a data file (`empirical` values, `trace` timestamps): tens of millions of
/// records, more than a year of a large center's arrivals.
pub const DATA_FILE_BYTES: u64 = 256 << 20;
/// Dotted parts of a `--set`, `--variant` or `--vary` key: the deepest scenario key has 8
/// (`work_stream.W.routing_rule.R.when.V.ge`, say).
pub const KEY_PARTS: usize = 16;
/// `--threads`: more threads than this only wait for one another.
pub const THREADS: usize = 1_024;
/// Points of a `sweep` grid (the product of its axes' value counts), and values of one axis.
pub const POINTS: usize = 10_000;

/// The bounds on work: a scenario may be valid in every value and still ask for more events than
/// any machine can simulate (a rate of 10³⁰⁰ an hour). Each error points at the value that
/// contributes most and names the limit.
impl Resolver<'_> {
    /// Expected arrivals per replication, all channels together, within [`ARRIVALS`].
    pub(super) fn check_arrivals(&self, raw: &RawScenario, sim: &Simulation, channels: &[Channel]) -> Result<()> {
        let horizon = sim.horizon.0;
        let counts: Vec<f64> = channels.iter().map(|c| c.arrivals.expected_count(horizon)).collect();
        let total: f64 = counts.iter().sum();
        if total <= ARRIVALS {
            return Ok(());
        }
        let (i, &count) = counts.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap_or((0, &total));
        let (ch, arrivals) = (&channels[i], &raw.channel[i].arrivals);
        let key = format!("channel.{}.arrivals", ch.name);
        let together = if channels.len() > 1 && count < total {
            format!(" ({} with the other channels)", amount(total))
        } else {
            String::new()
        };
        let expected =
            format!("expected at most {} arrivals per replication (ccsim's limit on arrival volume)", amount(ARRIVALS));
        let horizon = Duration(horizon).label();
        Err(match &ch.arrivals {
            Arrivals::Poisson(profile) => {
                let per_hour = profile.expected_until(sim.horizon.0) / sim.horizon.0 * 3600.0;
                self.at(
                    arrivals,
                    format!("{key}.rate_per_hour"),
                    format!(
                        "{} an hour on average over a horizon of {horizon} makes {} arrivals{together}; {expected}: lower the rate or shorten the horizon",
                        amount(per_hour),
                        amount(count)
                    ),
                )
            }
            Arrivals::Renewal(d) => self.error_at(
                Some(self.value_in(arrivals.span(), "interarrival")),
                format!("{key}.interarrival"),
                format!(
                    "inter-arrival times of mean {} (sd {}) make up to {} arrivals over a horizon of {horizon}{together}; {expected}: lengthen the inter-arrival times, narrow their spread or shorten the horizon",
                    seconds(d.mean()),
                    seconds(d.sd()),
                    amount(count)
                ),
            ),
            Arrivals::Trace(times) => self.data_file_error(
                arrivals.span(),
                &key,
                format!(
                    "{} replayed arrivals{together}; {expected}: shorten the horizon or lower the other channels' rates",
                    times.len()
                ),
            ),
        })
    }

    /// Expected active episodes per replication (an arrival's first, and one more each time it
    /// comes back from Waiting), within [`EPISODES`].
    pub(super) fn check_episodes(
        &self,
        raw: &RawScenario,
        sim: &Simulation,
        channels: &[Channel],
        work_streams: &[WorkStream],
    ) -> Result<()> {
        let horizon = sim.horizon.0;
        let mut worst: Option<(usize, f64, f64)> = None;
        let mut total = 0.0;
        for (w, ws) in work_streams.iter().enumerate() {
            let arrivals: f64 = channels
                .iter()
                .filter(|c| c.work_stream.index() == w)
                .map(|c| c.arrivals.expected_count(horizon))
                .sum();
            let per_conversation = episodes_per_conversation(ws, horizon);
            let episodes = if arrivals > 0.0 { arrivals * per_conversation } else { 0.0 };
            total += episodes;
            if worst.is_none_or(|(_, e, _)| episodes > e) {
                worst = Some((w, episodes, per_conversation));
            }
        }
        let Some((w, episodes, per_conversation)) = worst.filter(|_| total.is_nan() || total > EPISODES) else {
            return Ok(());
        };
        let ws = &work_streams[w];
        let raw_ws = &raw.work_stream[w];
        let (Some(waiting), Some(raw_waiting)) = (&ws.waiting, &raw_ws.waiting) else {
            // Without Waiting every arrival is one episode, and arrivals are checked first.
            return Ok(());
        };
        Err(self.at(
            raw_waiting,
            format!("work_stream.{}.waiting", ws.name),
            format!(
                "conversations come back from Waiting up to {} times each (probability {}, never_reply {}, handle time + customer reply of mean {}), {} active episodes per replication; expected at most {} (ccsim's limit on episodes): lower the probability, raise never_reply or give handle_time or customer_reply a mean above 0",
                amount(per_conversation),
                waiting.probability,
                waiting.never_reply,
                seconds(ws.handle_time.mean() + waiting.customer_reply.mean()),
                amount(episodes),
                amount(EPISODES)
            ),
        ))
    }

    /// Expected polls per replication of agents who look at pick queues every `pick.every`,
    /// within [`POLLS`].
    pub(super) fn check_polls(
        &self,
        raw: &RawScenario,
        sim: &Simulation,
        work_streams: &[WorkStream],
        groups: &[AgentGroup],
    ) -> Result<()> {
        // Agents poll only where some work stream can be picked from one of their queues.
        let picked = |q: &QueueId| {
            work_streams.iter().any(|ws| (ws.mode == Mode::Pick || ws.enable_selecting_from_push) && ws.reaches(*q))
        };
        let polls: Vec<f64> = groups
            .iter()
            .map(|g| {
                if g.count == 0 || g.pick.immediate() || !g.queues.iter().any(picked) {
                    return 0.0;
                }
                // The engine moves time on by at least a microsecond per poll.
                let per_agent = g.pick.every.renewals_bound(sim.horizon.0).min(sim.horizon.0 / 1e-6 + 1.0);
                f64::from(g.count) * per_agent
            })
            .collect();
        let total: f64 = polls.iter().sum();
        if total <= POLLS {
            return Ok(());
        }
        let (i, &count) = polls.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap_or((0, &total));
        let (g, raw_g) = (&groups[i], &raw.agent_group[i]);
        let key = format!("agent_group.{}", g.name);
        let every = raw_g.pick.as_ref().and_then(|p| p.every.as_ref());
        let (span, key) = match every {
            Some(e) => (e.span(), format!("{key}.pick.every")),
            None => match (&raw_g.count, &raw_g.staffing) {
                (Some(c), _) => (c.span(), format!("{key}.count")),
                (None, Some(s)) => (s.span(), format!("{key}.staffing")),
                (None, None) => (raw_g.name.span(), format!("{key}.count")),
            },
        };
        Err(self.error_at(
            Some(span),
            key,
            format!(
                "{} agents polling every {} on average over a horizon of {} make {} polls{}; expected at most {} polls per replication (ccsim's limit on pick polls): poll less often, use every = \"0s\" (pick at once) or shorten the horizon",
                g.count,
                seconds(g.pick.every.mean()),
                sim.horizon.label(),
                amount(count),
                if count < total { format!(" ({} with the other groups)", amount(total)) } else { String::new() },
                amount(POLLS)
            ),
        ))
    }
}

/// How many active episodes one conversation of `ws` can have within `horizon` seconds, on
/// average, at most: one without Waiting; with it, the fewer of the geometric count of returns
/// and the episodes (handle time + customer reply, one after another) that fit in the horizon.
fn episodes_per_conversation(ws: &WorkStream, horizon: f64) -> f64 {
    let Some(waiting) = &ws.waiting else { return 1.0 };
    let returns = waiting.probability * (1.0 - waiting.never_reply);
    let geometric = if returns < 1.0 { 1.0 / (1.0 - returns) } else { f64::INFINITY };
    let mean = ws.handle_time.mean() + waiting.customer_reply.mean();
    let sd = ws.handle_time.sd().hypot(waiting.customer_reply.sd());
    let within_horizon = if mean > 0.0 { horizon / mean + 1.0 + (sd / mean).powi(2) } else { f64::INFINITY };
    let n = geometric.min(within_horizon);
    if n.is_nan() { f64::INFINITY } else { n }
}

/// A count or size for a message: whole numbers up to 10¹⁵, then scientific notation.
pub(super) fn amount(x: f64) -> String {
    if !x.is_finite() {
        "infinitely many".to_string()
    } else if x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else if x.fract() == 0.0 || x.abs() >= 1e6 {
        format!("{x:.0}")
    } else {
        format!("{}", (x * 1000.0).round() / 1000.0)
    }
}

/// A number of seconds for a message: `60s`, `1.000e-300s`, `infinite`.
pub(super) fn seconds(x: f64) -> String {
    if x.is_finite() { format!("{}s", amount(x)) } else { "infinite".to_string() }
}

impl Resolver<'_> {
    /// One replication under way beside the cells kept for the report fit in [`MEMORY`].
    pub(super) fn check_memory(&self, raw: &RawScenario, scenario: &Scenario) -> Result<()> {
        let f = scenario.footprint();
        let total = f.kept + f.under_way + f.waiting;
        if total <= MEMORY {
            return Ok(());
        }
        let sim = &raw.simulation;
        let in_system = scenario.simulation.max_in_system as u64 * CONVERSATION_BYTES;
        // The key whose value holds the most.
        let (span, key, what) = if in_system >= f.kept && in_system >= f.under_way - in_system {
            (sim.max_in_system.as_ref().map(|s| s.span()), "simulation.max_in_system", "lower max_in_system")
        } else if f.kept >= f.under_way {
            (sim.replications.as_ref().map(|s| s.span()), "simulation.replications", "fewer replications")
        } else {
            (sim.interval.as_ref().map(|s| s.span()), "simulation.interval", "a longer interval or a shorter horizon")
        };
        Err(self.error_at(
            span,
            key,
            format!(
                "a run would hold about {} at once (results kept {}, a replication under way {}); expected at most {} (limit MEMORY): {what}",
                memory_label(total),
                memory_label(f.kept),
                memory_label(f.under_way + f.waiting),
                memory_label(MEMORY)
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO, ScenarioError};

    /// The default scenario with its web chat arrivals replaced by `arrivals` and the first
    /// occurrence of each `(old, new)` applied.
    fn scenario(arrivals: &str, edits: &[(&str, &str)]) -> std::result::Result<Scenario, ScenarioError> {
        let start = DEFAULT_SCENARIO.find("arrivals = { process = \"poisson\"").unwrap();
        let end = start + DEFAULT_SCENARIO[start..].find('}').unwrap() + 1;
        let mut text = format!("{}arrivals = {arrivals}{}", &DEFAULT_SCENARIO[..start], &DEFAULT_SCENARIO[end..]);
        for (old, new) in edits {
            assert!(text.contains(old), "{old}");
            text = text.replacen(old, new, 1);
        }
        Scenario::from_toml(&text, "s.toml")
    }

    #[test]
    fn a_planners_biggest_case_is_within_every_limit() {
        // 10 000 agents, 100 000 conversations an hour, a year, with Waiting and picking agents.
        let s = scenario(
            "{ process = \"poisson\", rate_per_hour = 100000 }",
            &[
                ("horizon = \"1d\"", "horizon = \"365d\""),
                ("count = 8", "count = 9995"),
                ("name = \"messaging\"\nmode = \"push\"", "name = \"messaging\"\nmode = \"pick\""),
                ("wrap_up = \"30s\"", "wrap_up = \"30s\"\nwaiting = { probability = 0.6, customer_reply = \"20m\" }"),
            ],
        );
        let s = s.unwrap();
        assert_eq!(s.agent_groups.iter().map(|g| g.count).sum::<u32>(), 10_000);
    }

    #[test]
    fn arrival_volumes_beyond_the_limit_are_refused_where_they_are_written() {
        let refused = |arrivals: &str, horizon: &str| {
            scenario(arrivals, &[("horizon = \"1d\"", &format!("horizon = \"{horizon}\""))]).unwrap_err()
        };
        let e = refused("{ process = \"poisson\", rate_per_hour = 1e9 }", "1d");
        assert_eq!(e.key, "channel.web_chat.arrivals.rate_per_hour");
        assert!(
            e.message.contains("1000000000 an hour on average over a horizon of 1d makes 24000000000 arrivals"),
            "{e}"
        );
        assert!(e.message.contains("expected at most 1000000000 arrivals per replication (ccsim's limit"), "{e}");
        let e = refused("{ process = \"poisson\", rate_per_hour = 1e300 }", "1h");
        assert!(e.message.contains("1.000e300 an hour"), "{e}");
        let e = refused("{ process = \"poisson\", rate_per_hour = 1.7e308 }", "3d");
        assert!(e.message.contains("infinitely many arrivals"), "{e}");

        let e = refused("{ process = \"renewal\", interarrival = 1e-300 }", "1d");
        assert_eq!(e.key, "channel.web_chat.arrivals.interarrival");
        assert!(e.message.contains("mean 1.000e-300s (sd 0s)"), "{e}");
        // A sensible mean with a spread so wide that most gaps are nearly 0.
        let e = refused(
            "{ process = \"renewal\", interarrival = { dist = \"lognormal\", mean = \"1m\", sd = 1e100 } }",
            "1d",
        );
        assert_eq!(e.key, "channel.web_chat.arrivals.interarrival");

        // Several channels count together; the largest is named.
        let e = scenario(
            "{ process = \"poisson\", rate_per_hour = 30000000 }",
            &[("rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10", "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 4e8")],
        )
        .unwrap_err();
        assert_eq!(e.key, "channel.web_chat.arrivals.rate_per_hour");
        assert!(e.message.contains("720000000 arrivals (1120000525 with the other channels)"), "{e}");

        // Just under the limit.
        assert!(
            scenario("{ process = \"poisson\", rate_per_hour = 9.9e8 }", &[("horizon = \"1d\"", "horizon = \"1h\"")])
                .is_ok()
        );
    }

    #[test]
    fn a_conversation_that_would_come_back_forever_is_refused() {
        let waiting = |w: &str| {
            scenario(
                "{ process = \"poisson\", rate_per_hour = 100 }",
                &[
                    ("handle_time = { dist = \"gamma\", mean = \"6m\", sd = \"3m\" }", "handle_time = \"0s\""),
                    ("wrap_up = \"30s\"", &format!("wrap_up = \"30s\"\nwaiting = {w}")),
                ],
            )
        };
        let e = waiting("{ probability = 1, customer_reply = \"0s\" }").unwrap_err();
        assert_eq!(e.key, "work_stream.messaging.waiting");
        assert!(e.message.contains("up to infinitely many times each"), "{e}");
        assert!(e.message.contains("expected at most 10000000000"), "{e}");
        // It ends with a reply that never comes, or takes time.
        assert!(waiting("{ probability = 1, customer_reply = \"0s\", never_reply = 0.1 }").is_ok());
        assert!(waiting("{ probability = 1, customer_reply = \"1m\" }").is_ok());
        assert!(waiting("{ probability = 0.999, customer_reply = \"0s\" }").is_ok());
    }

    #[test]
    fn agents_who_poll_without_pause_are_refused() {
        let e = scenario(
            "{ process = \"poisson\", rate_per_hour = 100 }",
            &[
                ("name = \"messaging\"\nmode = \"push\"", "name = \"messaging\"\nmode = \"pick\""),
                ("count = 8", "count = 8\npick = { every = 1e-300 }"),
            ],
        )
        .unwrap_err();
        assert_eq!(e.key, "agent_group.generalists.pick.every");
        assert!(e.message.contains("expected at most 20000000000 polls per replication"), "{e}");
        // Agents whose queues have nothing to pick never poll.
        assert!(
            scenario(
                "{ process = \"poisson\", rate_per_hour = 100 }",
                &[("count = 8", "count = 8\npick = { every = 1e-300 }")]
            )
            .is_ok()
        );
    }
}
