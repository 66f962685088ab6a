//! Inputs too large to simulate, run through the real binary: each is refused when the scenario is
//! checked, with exit 2 and one line `error: FILE: at line L, column C: KEY: what was wrong and
//! what was expected`, naming the limit it broke ([`ccsim::scenario::limits`]); and a planner's
//! biggest real case is not.
//!
//! The limits: expected arrivals per replication (`ARRIVALS`), active episodes with Waiting
//! (`EPISODES`), polls of picking agents (`POLLS`), the size of scenario files and data files
//! (`SCENARIO_FILE_BYTES`, `DATA_FILE_BYTES`, regular files only), and integers a TOML file can
//! hold (64 bits). The cases are those of `bad_input`, run by `cases.rs`: the default scenario
//! with one edit, a command, the exit code, and where the message must point.

use assert_cmd::Command;
use ccsim::scenario::limits;

use crate::cases::*;

/// The start of the web chat's arrivals table in the default scenario.
const WEB_CHAT_ARRIVALS: &str = "{ process = \"poisson\", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 20";
/// The start of the sms channel's per-hour rates.
const SMS_RATES: &str = "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10";

/// Valid, with the warning that chats arrive while nobody serving their queues is on shift.
const UNSTAFFED_HOURS: Expect = Expect::Valid { warning: Some(&["when no agent group serving it is on shift"]) };

/// A `run` on one thread.
const RUN: Cmd = Cmd::Run(&["--threads", "1"]);

/// The default scenario with the web chat's whole arrivals table replaced by `table`.
fn web_chat_arrivals(table: &str) -> String {
    let start = DEFAULT.find(WEB_CHAT_ARRIVALS).unwrap();
    let end = start + DEFAULT[start..].find('}').unwrap() + 1;
    format!("{}{table}{}", &DEFAULT[..start], &DEFAULT[end..])
}

/// [`web_chat_arrivals`], then the edits.
fn web_chat(table: &str, pairs: &[(&str, &str)]) -> Input {
    let mut text = web_chat_arrivals(table);
    for (old, new) in pairs {
        assert!(text.contains(old), "the scenario has no {old:?}");
        text = text.replacen(old, new, 1);
    }
    Input::Text(text)
}

/// The message's "expected" part for the arrival limit.
fn arrival_limit() -> String {
    format!("expected at most {} arrivals per replication (ccsim's limit on arrival volume)", limits::ARRIVALS as u64)
}

fn cases() -> Vec<Case> {
    use Pos::*;
    let arrivals = arrival_limit();
    let arrivals = arrivals.as_str();
    let pick_messaging = ("name = \"messaging\"\nmode = \"push\"", "name = \"messaging\"\nmode = \"pick\"");
    vec![
        // --- A planner's biggest real case passes every limit.
        case(
            "biggest_real_case",
            web_chat(
                "{ process = \"poisson\", rate_per_hour = 100000 }",
                &[
                    ("horizon = \"1d\"", "horizon = \"365d\""),
                    ("count = 8", "count = 9995"),
                    pick_messaging,
                    (
                        "wrap_up = \"30s\"",
                        "wrap_up = \"30s\"\nwaiting = { probability = 0.6, customer_reply = \"20m\" }",
                    ),
                ],
            ),
            // Chats come around the clock, the agents work their shifts: valid, and said.
            UNSTAFFED_HOURS,
        ),
        case(
            "just_under_the_arrival_limit",
            web_chat("{ process = \"poisson\", rate_per_hour = 9.9e8 }", &[("horizon = \"1d\"", "horizon = \"1h\"")]),
            UNSTAFFED_HOURS,
        ),
        // --- Cells (limits::CELLS): reporting intervals times scopes. An interval of a tiny
        // fraction of a second still divides a day, and its count is beyond any integer.
        case(
            "an_interval_too_short_to_count",
            edit("interval = \"1h\"", "interval = 1e-300"),
            invalid(
                At("1e-300"),
                "simulation.interval",
                &["cells is too large", "use a longer interval or a shorter horizon"],
            ),
        ),
        // --- Memory (limits::MEMORY): what a run holds at once, whatever its threads.
        case(
            "replications_times_scopes_beyond_memory",
            {
                let queues: Vec<String> = (0..400).map(|i| format!("\"q{i}\"")).collect();
                let tables: String = (0..400).map(|i| format!("\n[[queue]]\nname = \"q{i}\"\n")).collect();
                let Input::Text(text) = edits(&[
                    ("replications = 10", "replications = 10000"),
                    (
                        "queues = [\"vip\", \"technical\", \"general\"]",
                        &format!("queues = [\"vip\", \"technical\", \"general\", {}]", queues.join(", ")),
                    ),
                ]) else {
                    unreachable!()
                };
                Input::Text(text + &tables)
            },
            invalid(
                At("10000"),
                "simulation.replications",
                &["a run would hold about", "expected at most 4.0 GiB (limit MEMORY)", "fewer replications"],
            ),
        ),
        case(
            "max_in_system_beyond_memory",
            edit("seed = 20261124", "seed = 20261124\nmax_in_system = 30000000"),
            invalid(
                At("30000000"),
                "simulation.max_in_system",
                &["expected at most 4.0 GiB (limit MEMORY)", "lower max_in_system"],
            ),
        ),
        // --- Arrival volume (limits::ARRIVALS).
        case(
            "rate_1e300_per_hour",
            web_chat("{ process = \"poisson\", rate_per_hour = 1e300 }", &[]),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = 1e300 }"),
                "channel.web_chat.arrivals.rate_per_hour",
                &["1.000e300 an hour", arrivals],
            ),
        ),
        Case {
            cmd: RUN,
            ..case(
                "run_with_rate_1e300_writes_nothing",
                web_chat("{ process = \"poisson\", rate_per_hour = 1e300 }", &[]),
                invalid(
                    At("{ process = \"poisson\", rate_per_hour = 1e300 }"),
                    "channel.web_chat.arrivals.rate_per_hour",
                    &[arrivals],
                ),
            )
        },
        case(
            "rate_of_the_largest_float",
            web_chat("{ process = \"poisson\", rate_per_hour = 1.7976931348623157e308 }", &[]),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = 1.7976931348623157e308 }"),
                "channel.web_chat.arrivals.rate_per_hour",
                &["infinitely many arrivals", arrivals],
            ),
        ),
        case(
            "a_billion_an_hour_for_a_day",
            web_chat("{ process = \"poisson\", rate_per_hour = 1e9 }", &[]),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = 1e9 }"),
                "channel.web_chat.arrivals.rate_per_hour",
                &["over a horizon of 1d makes 24000000000 arrivals", arrivals, "lower the rate or shorten the horizon"],
            ),
        ),
        case(
            "one_huge_rate_in_a_daily_profile",
            edit(SMS_RATES, "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 1e12"),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 1e12"),
                "channel.sms.arrivals.rate_per_hour",
                &["makes 1000000000525 arrivals", arrivals],
            ),
        ),
        case(
            "a_plausible_rate_over_ten_years",
            web_chat(
                "{ process = \"poisson\", rate_per_hour = 200000 }",
                &[("horizon = \"1d\"", "horizon = \"3650d\"")],
            ),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = 200000 }"),
                "channel.web_chat.arrivals.rate_per_hour",
                &["over a horizon of 3650d makes 17520000000 arrivals", arrivals],
            ),
        ),
        case(
            "channels_under_the_limit_alone_but_not_together",
            web_chat(
                "{ process = \"poisson\", rate_per_hour = 30000000 }",
                &[(SMS_RATES, "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 4e8")],
            ),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = 30000000 }"),
                "channel.web_chat.arrivals.rate_per_hour",
                &["720000000 arrivals (1120000525 with the other channels)", arrivals],
            ),
        ),
        case(
            "renewal_gap_of_1e_minus_300_seconds",
            web_chat("{ process = \"renewal\", interarrival = 1e-300 }", &[]),
            invalid(
                At("1e-300 }"),
                "channel.web_chat.arrivals.interarrival",
                &["inter-arrival times of mean 1.000e-300s (sd 0s)", arrivals],
            ),
        ),
        case(
            "renewal_exponential_gap_of_a_nanosecond",
            web_chat("{ process = \"renewal\", interarrival = { dist = \"exponential\", mean = 1e-9 } }", &[]),
            invalid(
                At("{ dist = \"exponential\", mean = 1e-9 }"),
                "channel.web_chat.arrivals.interarrival",
                &["mean 1.000e-9s", arrivals],
            ),
        ),
        case(
            "renewal_gaps_with_a_sensible_mean_and_an_absurd_spread",
            web_chat(
                "{ process = \"renewal\", interarrival = { dist = \"lognormal\", mean = \"1m\", sd = 1e100 } }",
                &[],
            ),
            invalid(
                At("{ dist = \"lognormal\", mean = \"1m\", sd = 1e100 }"),
                "channel.web_chat.arrivals.interarrival",
                &["mean 60s (sd 1.000e100s)", arrivals, "narrow their spread"],
            ),
        ),
        case(
            "renewal_gamma_gaps_with_a_sensible_mean_and_an_absurd_spread",
            web_chat("{ process = \"renewal\", interarrival = { dist = \"gamma\", mean = \"1m\", sd = 1e100 } }", &[]),
            invalid(
                At("{ dist = \"gamma\", mean = \"1m\", sd = 1e100 }"),
                "channel.web_chat.arrivals.interarrival",
                &["mean 60s (sd 1.000e100s)", arrivals, "narrow their spread"],
            ),
        ),
        case(
            "renewal_gaps_with_no_finite_variance",
            web_chat(
                "{ process = \"renewal\", interarrival = { dist = \"weibull\", shape = 0.01, scale = 1e-150 } }",
                &[],
            ),
            invalid(
                At("{ dist = \"weibull\", shape = 0.01, scale = 1e-150 }"),
                "channel.web_chat.arrivals.interarrival",
                &["(sd infinite)", arrivals],
            ),
        ),
        // --- Episodes with Waiting (limits::EPISODES).
        case(
            "waiting_that_comes_back_forever_at_one_instant",
            edits(&[
                ("handle_time = { dist = \"gamma\", mean = \"6m\", sd = \"3m\" }", "handle_time = \"0s\""),
                ("wrap_up = \"30s\"", "wrap_up = \"30s\"\nwaiting = { probability = 1, customer_reply = \"0s\" }"),
            ]),
            invalid(
                At("{ probability = 1, customer_reply = \"0s\" }"),
                "work_stream.messaging.waiting",
                &["up to infinitely many times each", "expected at most 10000000000 (ccsim's limit on episodes)"],
            ),
        ),
        // --- Polls of picking agents (limits::POLLS).
        case(
            "pick_every_1e_minus_300_seconds",
            edits(&[pick_messaging, ("count = 8", "count = 8\npick = { every = 1e-300 }")]),
            invalid(
                At("1e-300 }"),
                "agent_group.generalists.pick.every",
                &["8 agents polling every 1.000e-300s", "expected at most 20000000000 polls per replication"],
            ),
        ),
        case(
            "a_million_agents_polling_every_30s_for_ten_days",
            edits(&[pick_messaging, ("count = 8", "count = 999995"), ("horizon = \"1d\"", "horizon = \"10d\"")]),
            invalid(
                At("999995"),
                "agent_group.generalists.count",
                &["999995 agents polling every 30s", "expected at most 20000000000 polls per replication"],
            ),
        ),
        // --- Integers beyond 64 bits.
        case(
            "seed_of_u64_max",
            edit("seed = 20261124", "seed = 18446744073709551615"),
            invalid(
                At("18446744073709551615"),
                "simulation.seed",
                &["18446744073709551615 is too large", "expected an integer from 0 to 9223372036854775807"],
            ),
        ),
        case(
            "seed_of_2_to_the_63",
            edit("seed = 20261124", "seed = 9223372036854775808"),
            invalid(
                At("9223372036854775808"),
                "simulation.seed",
                &["expected an integer from 0 to 9223372036854775807"],
            ),
        ),
        case(
            "count_beyond_64_bits",
            edit("count = 5", "count = 99999999999999999999"),
            invalid(
                At("99999999999999999999"),
                "agent_group.specialists.count",
                &["too large for an integer", "expected an integer ≤ 9223372036854775807"],
            ),
        ),
        case(
            "rate_below_the_smallest_integer",
            edit(SMS_RATES, "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, -99999999999999999999"),
            invalid(
                At("-99999999999999999999"),
                "channel.sms.arrivals.rate_per_hour[7]",
                &["too small for an integer", "expected an integer ≥ -9223372036854775808"],
            ),
        ),
        // --- Scenario files (limits::SCENARIO_FILE_BYTES, regular files only).
        case(
            "scenario_is_dev_zero",
            Input::Path("/dev/zero"),
            invalid(Nowhere, "", &["is a character device, not a regular file", "expected a scenario file (.toml)"]),
        ),
        case(
            "scenario_is_a_named_pipe",
            Input::Extra(Extra::Fifo("pipe.toml")),
            invalid(Nowhere, "", &["is a named pipe, not a regular file", "expected a scenario file"]),
        ),
        case(
            "scenario_above_the_size_limit",
            Input::Extra(Extra::Sparse("big.toml", limits::SCENARIO_FILE_BYTES + 1)),
            invalid(
                Nowhere,
                "",
                &["is 16777217 bytes", "expected a scenario file of at most 16 MiB (ccsim's limit on scenario files)"],
            ),
        ),
        case("scenario_at_the_size_limit", Input::Text(padded_to(limits::SCENARIO_FILE_BYTES)), VALID),
        // --- Data files (limits::DATA_FILE_BYTES, regular files only).
        case(
            "empirical_file_is_dev_zero",
            edit(
                "handle_time = { dist = \"lognormal\", mean = \"10m\", sd = \"5m\" }",
                "handle_time = { dist = \"empirical\", file = \"/dev/zero\" }",
            ),
            invalid(
                At("\"/dev/zero\""),
                "work_stream.chat.handle_time.file",
                &["/dev/zero is a character device, not a regular file", "expected a CSV file of values"],
            ),
        ),
        case(
            "trace_file_is_dev_urandom",
            web_chat("{ process = \"trace\", file = \"/dev/urandom\" }", &[]),
            invalid(
                At("\"/dev/urandom\""),
                "channel.web_chat.arrivals.file",
                &[
                    "/dev/urandom is a character device, not a regular file",
                    "expected a CSV file of arrival timestamps",
                ],
            ),
        ),
        with(
            vec![Extra::Fifo("pipe.csv")],
            case(
                "trace_file_is_a_named_pipe",
                web_chat("{ process = \"trace\", file = \"pipe.csv\" }", &[]),
                invalid(At("\"pipe.csv\""), "channel.web_chat.arrivals.file", &["is a named pipe, not a regular file"]),
            ),
        ),
        with(
            vec![Extra::Directory("gaps.csv")],
            case(
                "empirical_file_is_a_directory",
                web_chat(
                    "{ process = \"renewal\", interarrival = { dist = \"empirical\", file = \"gaps.csv\" } }",
                    &[],
                ),
                invalid(
                    At("\"gaps.csv\""),
                    "channel.web_chat.arrivals.interarrival.file",
                    &["is a directory", "expected a CSV file of values"],
                ),
            ),
        ),
        with(
            vec![Extra::Sparse("aht.csv", limits::DATA_FILE_BYTES + 1)],
            case(
                "empirical_file_above_the_size_limit",
                edit(
                    "handle_time = { dist = \"lognormal\", mean = \"10m\", sd = \"5m\" }",
                    "handle_time = { dist = \"empirical\", file = \"aht.csv\" }",
                ),
                invalid(
                    At("\"aht.csv\""),
                    "work_stream.chat.handle_time.file",
                    &["is 268435457 bytes", "of at most 256 MiB (ccsim's limit on data files)"],
                ),
            ),
        ),
        with(
            vec![Extra::Text("trace.csv", "arrival\n08:00\n08:05\n".to_string())],
            case("a_small_trace_is_read", web_chat("{ process = \"trace\", file = \"trace.csv\" }", &[]), VALID),
        ),
    ]
}

/// The default scenario padded with a comment to exactly `bytes` bytes.
fn padded_to(bytes: u64) -> String {
    let head = format!("{DEFAULT}\n# ");
    let pad = bytes as usize - head.len() - 1;
    format!("{head}{}\n", "x".repeat(pad))
}

#[test]
fn inputs_too_large_to_simulate_are_refused_naming_the_limit() {
    check_all(&cases());
}

#[test]
fn the_limits_let_a_planners_biggest_case_through() {
    // 100 000 conversations an hour for a year; 10 000 agents polling every 30 s for a year.
    const { assert!(100_000.0 * 24.0 * 365.0 < limits::ARRIVALS) };
    const { assert!(10_000.0 * (365.0 * 86_400.0 / 30.0 + 2.0) < limits::POLLS) };
    // 10⁹ an hour for a day is refused.
    const { assert!(1e9 * 24.0 > limits::ARRIVALS) };
    const { assert!(limits::ARRIVALS * 10.0 <= limits::EPISODES) };
}

#[test]
fn a_trace_beyond_its_limit_is_refused_before_anything_runs() {
    // 400 000 chats an hour for 8 hours: 3.2 million rows held for conversations.csv.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    std::fs::write(
        &path,
        web_chat_arrivals("{ process = \"poisson\", rate_per_hour = 400000 }")
            .replace("horizon = \"1d\"", "horizon = \"8h\""),
    )
    .unwrap();
    let out = Command::cargo_bin("ccsim")
        .unwrap()
        .args(["run", "--trace", "-o"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: --trace: replication 1 of \"default\" expects about 32"), "{stderr}");
    assert!(stderr.contains("limit TRACE_CONVERSATIONS"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn the_memory_limit_counts_what_the_metrics_really_hold() {
    // The estimate's sizes are bounds on the real ones.
    use ccsim::metrics::{AgentCell, ConvCell};
    assert!(std::mem::size_of::<ConvCell>() as u64 <= limits::CELL_BYTES, "{}", std::mem::size_of::<ConvCell>());
    assert!(std::mem::size_of::<AgentCell>() as u64 <= limits::CELL_BYTES);
}

/// The default scenario with 400 more queues for its generalists: 411 scopes.
fn many_scopes(replications: u32) -> String {
    let queues: Vec<String> = (0..400).map(|i| format!("\"q{i}\"")).collect();
    let tables: String = (0..400).map(|i| format!("\n[[queue]]\nname = \"q{i}\"\n")).collect();
    DEFAULT.replacen("replications = 10", &format!("replications = {replications}"), 1).replacen(
        "queues = [\"vip\", \"technical\", \"general\"]",
        &format!("queues = [\"vip\", \"technical\", \"general\", {}]", queues.join(", ")),
        1,
    ) + &tables
}

#[test]
fn variants_that_fit_alone_but_not_together_are_refused() {
    // Each variant keeps about 1 GiB of replication totals: one fits, four do not.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.toml");
    std::fs::write(&path, many_scopes(2000)).unwrap();
    let validate = Command::cargo_bin("ccsim").unwrap().arg("validate").arg(&path).output().unwrap();
    assert_eq!(validate.status.code(), Some(0), "{}", String::from_utf8_lossy(&validate.stderr));
    let mut compare = Command::cargo_bin("ccsim").unwrap();
    compare.arg("compare").arg(&path).arg("-o").arg(dir.path().join("out"));
    for i in 0..3 {
        compare.args(["--variant", &format!("v{i}:agent_group.generalists.count={}", 9 + i)]);
    }
    let out = compare.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: 4 runs would hold about") && stderr.contains("limit MEMORY"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn replications_that_would_pass_the_memory_limit_together_run_fewer_at_a_time() {
    // A replication may hold 10 million conversations (1.5 GiB): two fit side by side, not eight.
    // The run says so, and its files are those of one thread.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.toml");
    std::fs::write(
        &path,
        DEFAULT.replacen("seed = 20261124", "seed = 20261124\nmax_in_system = 10000000", 1).replacen(
            "replications = 10",
            "replications = 4",
            1,
        ),
    )
    .unwrap();
    let run = |threads: &str, out: &str| {
        Command::cargo_bin("ccsim")
            .unwrap()
            .args(["run", "--no-charts", "--threads", threads, "-o"])
            .arg(dir.path().join(out))
            .arg(&path)
            .output()
            .unwrap()
    };
    let eight = run("8", "eight");
    let stderr = String::from_utf8_lossy(&eight.stderr);
    assert_eq!(eight.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: 2 replications run side by side instead of 8") && stderr.contains("limit MEMORY"),
        "{stderr}"
    );
    assert_eq!(run("1", "one").status.code(), Some(0));
    for file in ["summary.csv", "intervals.csv", "replications.csv", "agents.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("eight").join(file)).unwrap(),
            std::fs::read(dir.path().join("one").join(file)).unwrap(),
            "{file}"
        );
    }
}
