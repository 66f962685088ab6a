//! Bad scenario inputs, run through the real binary: every one exits with the documented code and
//! a one-line message of the form `error: FILE: at line L, column C: KEY: what was wrong and what
//! was expected` (DESIGN.md "Command line"), never a panic, and a failed `run` writes no files.
//!
//! Each case is the default scenario with one edit (or a small file of its own), a command, the exit
//! code, and what the message must say; `cases.rs` runs them. The second half of the table is in
//! `bad_values.rs`.

#[path = "bad_values.rs"]
mod bad_values;

use crate::cases::*;

/// The sms channel's per-hour rates, as the default scenario writes their start.
const SMS_RATES: &str = "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10";

/// The default scenario with the text from `from` up to (not including) `to` removed; `to` = ""
/// removes to the end.
fn without(from: &str, to: &str) -> Input {
    let start = DEFAULT.find(from).expect("start marker");
    let end = if to.is_empty() { DEFAULT.len() } else { DEFAULT.find(to).expect("end marker") };
    Input::Text(format!("{}{}", &DEFAULT[..start], &DEFAULT[end..]))
}

/// The default scenario with these lines added at the end.
fn append(extra: &str) -> Input {
    Input::Text(format!("{DEFAULT}\n{extra}\n"))
}

/// The default scenario with every rate list replaced by `rate_per_hour = 0`.
fn all_rates_zero() -> Input {
    let mut t = DEFAULT.to_string();
    while let Some(start) = t.find("rate_per_hour = [") {
        let end = start + t[start..].find(']').unwrap() + 1;
        t.replace_range(start..end, "rate_per_hour = 0");
    }
    Input::Text(t)
}

/// The default scenario with the sms channel's rate list replaced by one constant rate.
fn sms_constant_rate(rate: &str) -> Input {
    let start = DEFAULT.find(SMS_RATES).unwrap();
    let end = start + DEFAULT[start..].find(']').unwrap() + 1;
    Input::Text(format!("{}rate_per_hour = {rate}{}", &DEFAULT[..start], &DEFAULT[end..]))
}

/// The default scenario with the sms channel's whole `arrivals` table replaced by `table`.
fn sms_arrivals(table: &str) -> Input {
    let start = DEFAULT.find(SMS_RATES).unwrap();
    let start = DEFAULT[..start].rfind('{').unwrap();
    let end = start + DEFAULT[start..].find('}').unwrap() + 1;
    Input::Text(format!("{}{table}{}", &DEFAULT[..start], &DEFAULT[end..]))
}

pub(crate) fn cases() -> Vec<Case> {
    use Pos::*;
    let mut cases = vec![
        // --- Files that are not scenarios at all.
        case(
            "missing_file",
            Input::Missing,
            invalid(Nowhere, "", &["no such file", "expected the path of a scenario file"]),
        ),
        run_case("missing_file_on_run", Input::Missing, &[], invalid(Nowhere, "", &["no such file", "expected"])),
        case("directory", Input::Directory, invalid(Nowhere, "", &["is a directory", "expected a scenario file"])),
        case("empty_file", text(""), invalid(Nowhere, "", &["empty", "expected a scenario with [[channel]]"])),
        run_case("empty_file_on_run", text("\n  \n"), &[], invalid(Nowhere, "", &["empty", "expected"])),
        case(
            "comments_only_file",
            text("# a scenario, some day\n"),
            invalid(Nowhere, "agent_group", &["no [[agent_group]]", "expected at least one"]),
        ),
        case(
            "not_utf8",
            Input::Bytes(b"[simulation]\nname = \"caf\xe9\"\n".to_vec()),
            invalid(Exact(2, 12), "", &["not UTF-8", "expected a TOML scenario file"]),
        ),
        case(
            "toml_syntax_extra_equals",
            edit("seed = 20261124", "seed = = 3"),
            invalid(Line("seed = = 3"), "", &["expected"]),
        ),
        case(
            "toml_syntax_unclosed_string",
            edit("name = \"default\"", "name = \"default"),
            invalid(Line("name = \"default\n"), "", &["string", "expected `\"`"]),
        ),
        // --- Unknown keys, in every kind of table.
        case(
            "unknown_top_level_table",
            append("[bogus]\nx = 1"),
            invalid(At("bogus"), "bogus", &["unknown field `bogus`", "expected one of", "`agent_group`"]),
        ),
        case(
            "unknown_key_in_simulation",
            edit("seed = 20261124", "seed = 20261124\nsede = 3"),
            invalid(At("sede = 3"), "simulation.sede", &["unknown field `sede`", "expected one of", "`seed`"]),
        ),
        case(
            "unknown_key_in_channel",
            edit("kind = \"sms\"", "kind = \"sms\"\ncolour = \"red\""),
            invalid(At("colour"), "channel.sms.colour", &["unknown field `colour`", "expected one of", "`arrivals`"]),
        ),
        case(
            "unknown_key_in_work_stream",
            edit("wrap_up = \"30s\"", "wrap_up = \"30s\"\nwrapup = \"1m\""),
            invalid(
                At("wrapup"),
                "work_stream.messaging.wrapup",
                &["unknown field `wrapup`", "expected one of", "`wrap_up`"],
            ),
        ),
        case(
            "unknown_key_in_routing_rule",
            edit("queue = \"vip\"", "queue = \"vip\"\nrank = 2"),
            invalid(
                At("rank = 2"),
                "work_stream.chat.routing_rule.gold customers.rank",
                &["unknown field `rank`", "expected one of", "`when`"],
            ),
        ),
        case(
            "unknown_key_in_queue",
            edit("priority = 3", "priority = 3\nsize = 4"),
            invalid(At("size = 4"), "queue.general.size", &["unknown field `size`", "expected one of", "`priority`"]),
        ),
        case(
            "unknown_key_in_agent_group",
            edit("count = 5", "count = 5\nskill = \"x\""),
            invalid(
                At("skill"),
                "agent_group.specialists.skill",
                // Of the group's many keys, the nearest.
                &["unknown field `skill`", "expected one of", "the nearest `skills`"],
            ),
        ),
        case(
            "unknown_key_in_distribution",
            edit("mean = \"3m\" }", "mean = \"3m\", median = \"2m\" }"),
            invalid(
                At("{ dist = \"exponential\""),
                "work_stream.chat.patience",
                &["unknown field `median`", "expected `mean`"],
            ),
        ),
        case(
            "unknown_key_in_arrivals",
            edit(SMS_RATES, "burst = 2, rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10"),
            invalid(
                At("{ process = \"poisson\", burst"),
                "channel.sms.arrivals",
                &["unknown field `burst`", "expected one of `rate_per_hour`, `file`, `day_factor`"],
            ),
        ),
        case(
            "unknown_key_in_shift",
            edit("end = \"18:00\" }", "end = \"18:00\", lunch = \"12:00\" }"),
            invalid(
                At("lunch"),
                "agent_group.specialists.shift.lunch",
                &["unknown field `lunch`", "expected `start` or `end`"],
            ),
        ),
        case(
            "unknown_key_in_context_variable",
            edit("{ name = \"tier\", type = \"text\" }", "{ name = \"tier\", type = \"text\", default = \"gold\" }"),
            invalid(
                At("default = "),
                "work_stream.chat.context_variables.tier.default",
                &["unknown field `default`", "expected `name` or `type`"],
            ),
        ),
        // --- Values of the wrong type.
        case(
            "string_for_count",
            edit("count = 5", "count = \"five\""),
            invalid(At("\"five\""), "agent_group.specialists.count", &["string \"five\"", "expected an integer"]),
        ),
        case(
            "fraction_for_count",
            edit("count = 5", "count = 5.5"),
            invalid(At("5.5"), "agent_group.specialists.count", &["5.5", "expected an integer"]),
        ),
        case(
            "string_for_capacity",
            edit("capacity = 3", "capacity = \"3\""),
            invalid(At("\"3\""), "agent_group.generalists.capacity", &["string \"3\"", "expected an integer"]),
        ),
        case(
            "number_for_name",
            edit("name = \"vip\"", "name = 7"),
            // The table has no usable name, so it is addressed by its index.
            invalid(At("7\npriority = 1"), "queue[0].name", &["integer `7`", "expected a string"]),
        ),
        case(
            "negative_seed",
            edit("seed = 20261124", "seed = -1"),
            invalid(At("-1"), "simulation.seed", &["-1", "expected an integer ≥ 0"]),
        ),
        case(
            "boolean_for_handle_time",
            edit("{ dist = \"gamma\", mean = \"6m\", sd = \"3m\" }", "true"),
            invalid(At("true"), "work_stream.messaging.handle_time", &["boolean `true`", "expected a duration"]),
        ),
        case(
            "string_among_rates",
            edit(SMS_RATES, "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, \"ten\""),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, \"ten\""),
                "channel.sms.arrivals",
                &["rate_per_hour", "rate 8 is \"ten\"", "expected a number of arrivals per hour"],
            ),
        ),
        case(
            "unknown_presence",
            edit("[\"available\", \"busy\"]", "[\"available\", \"bsy\"]"),
            invalid(
                At("\"bsy\""),
                "work_stream.chat.allowed_presences[1]",
                &["unknown variant `bsy`", "expected one of", "`busy`"],
            ),
        ),
        case(
            "unknown_channel_kind",
            edit("kind = \"sms\"", "kind = \"fax\""),
            invalid(At("\"fax\""), "channel.sms.kind", &["unknown variant `fax`", "expected one of", "`live_chat`"]),
        ),
        case(
            "unknown_mode",
            edit("mode = \"push\"", "mode = \"pull\""),
            invalid(At("\"pull\""), "work_stream.chat.mode", &["unknown variant `pull`", "expected", "`push`"]),
        ),
        case(
            "unknown_assignment_method",
            edit("assignment = \"highest_capacity\"", "assignment = \"random\""),
            invalid(At("\"random\""), "queue.vip.assignment", &["unknown variant `random`", "`highest_capacity`"]),
        ),
        case(
            "unknown_variable_type",
            edit("{ name = \"tier\", type = \"text\" }", "{ name = \"tier\", type = \"string\" }"),
            invalid(
                At("\"string\""),
                "work_stream.chat.context_variables.tier.type",
                &["unknown variant `string`", "expected `text` or `number`"],
            ),
        ),
        case(
            "missing_handle_time",
            edit("handle_time = { dist = \"gamma\", mean = \"6m\", sd = \"3m\" }\n", ""),
            invalid(
                At("[[work_stream]]\nname = \"messaging\""),
                "work_stream.messaging",
                &["missing field `handle_time`"],
            ),
        ),
        // --- Keys the parser refuses without naming them: named from the text.
        case(
            "duplicate_key",
            edit("horizon = \"1d\"", "horizon = \"1d\"\nhorizon = \"2d\""),
            invalid(At("horizon = \"2d\""), "simulation.horizon", &["given twice", "expected each key once"]),
        ),
        case(
            "duplicate_key_in_an_inline_table",
            edit("context = { topic", "context = { topic = 1, topic"),
            invalid(
                Line("context = { topic = 1"),
                "channel.sms.context.topic",
                &["given twice", "expected each key once"],
            ),
        ),
        case(
            "duplicate_table",
            edit("[simulation]\n", "[simulation]\nname = \"x\"\n\n[simulation]\n"),
            invalid(
                Line("[simulation]\nname = \"default\""),
                "simulation",
                &["[simulation] is written twice", "expected each table once"],
            ),
        ),
        case(
            "nesting_beyond_the_parser",
            edit(
                "name = \"default\"",
                Box::leak(
                    format!("name = \"default\"\ndeep = {}{}", "[".repeat(300), "]".repeat(300)).into_boxed_str(),
                ),
            ),
            invalid(Line("deep = ["), "simulation.deep", &["nested deeper than the parser allows", "expected"]),
        ),
        // --- Names: unique, and every reference to one that exists.
        case(
            "duplicate_queue_name",
            edit("name = \"technical\"\npriority = 2", "name = \"vip\"\npriority = 2"),
            invalid(
                At("\"vip\"\npriority = 2"),
                "queue.vip",
                &["\"vip\" is used by two [[queue]] tables", "expected unique names"],
            ),
        ),
        case(
            "duplicate_channel_name",
            edit("name = \"sms\"", "name = \"web_chat\""),
            invalid(
                At("\"web_chat\"\nkind = \"sms\""),
                "channel.web_chat",
                &["\"web_chat\" is used by two [[channel]] tables", "expected unique names"],
            ),
        ),
        case(
            "duplicate_work_stream_name",
            edit("name = \"messaging\"", "name = \"chat\""),
            invalid(
                At("\"chat\"\nmode = \"push\"\ncapacity = 1\n"),
                "work_stream.chat",
                &["\"chat\" is used by two [[work_stream]] tables", "expected unique names"],
            ),
        ),
        case(
            "duplicate_agent_group_name",
            edit("name = \"specialists\"", "name = \"generalists\""),
            invalid(
                At("\"generalists\"\ncount = 5"),
                "agent_group.generalists",
                &["\"generalists\" is used by two [[agent_group]] tables", "expected unique names"],
            ),
        ),
        case(
            "empty_queue_name",
            edit("name = \"vip\"", "name = \"\""),
            invalid(At("\"\"\npriority = 1"), "queue.name", &["empty", "expected a non-empty name"]),
        ),
        case(
            "channel_to_unknown_work_stream",
            edit("work_stream = \"messaging\"", "work_stream = \"mesaging\""),
            invalid(
                At("\"mesaging\""),
                "channel.sms.work_stream",
                &["no work stream is named \"mesaging\"", "expected one of \"chat\", \"messaging\""],
            ),
        ),
        case(
            "rule_to_unknown_queue",
            edit("queue = \"vip\"", "queue = \"vipp\""),
            invalid(
                At("\"vipp\""),
                "work_stream.chat.routing_rule.gold customers.queue",
                &["no queue is named \"vipp\"", "expected one of \"general\", \"technical\", \"vip\""],
            ),
        ),
        case(
            "unnamed_rule_to_unknown_queue",
            edits(&[("name = \"gold customers\"\n", ""), ("queue = \"vip\"", "queue = \"vipp\"")]),
            invalid(
                At("\"vipp\""),
                "work_stream.chat.routing_rule[0].queue",
                &["no queue is named \"vipp\"", "expected one of"],
            ),
        ),
        case(
            "unknown_fallback_queue",
            edit("fallback_queue = \"general\"", "fallback_queue = \"generl\""),
            invalid(
                At("\"generl\""),
                "work_stream.chat.fallback_queue",
                &["no queue is named \"generl\"", "expected one of"],
            ),
        ),
        case(
            // A newline would split the one-line error, an escape sequence would reach the terminal.
            "control_characters_in_a_name_are_escaped",
            edit("fallback_queue = \"general\"", "fallback_queue = \"gen\\u001b[31m\\neral\""),
            invalid(
                At("\"gen\\u001b"),
                "work_stream.chat.fallback_queue",
                &["no queue is named \"gen\\u{1b}[31m\\neral\"", "expected one of"],
            ),
        ),
        case(
            "agent_group_to_unknown_queue",
            edit("queues = [\"technical\", \"vip\"]", "queues = [\"technical\", \"vp\"]"),
            invalid(At("\"vp\""), "agent_group.specialists.queues", &["no queue is named \"vp\"", "expected one of"]),
        ),
        case(
            "agent_group_with_no_queues",
            edit("queues = [\"technical\", \"vip\"]", "queues = []"),
            invalid(At("[]"), "agent_group.specialists.queues", &["no queues", "expected the names of the queues"]),
        ),
        // --- Tables a scenario cannot do without.
        case(
            "no_agent_groups",
            without("[[agent_group]]", ""),
            invalid(Nowhere, "agent_group", &["no [[agent_group]]", "expected at least one"]),
        ),
        case(
            "no_channels",
            without("[[channel]]", "[[work_stream]]"),
            invalid(Nowhere, "channel", &["no [[channel]]", "expected at least one channel"]),
        ),
        case(
            "no_queues",
            without("[[queue]]", "[[agent_group]]"),
            invalid(Nowhere, "queue", &["no [[queue]]", "expected at least one"]),
        ),
        case(
            "queue_served_by_no_agent_group",
            edit("queues = [\"vip\", \"technical\", \"general\"]", "queues = [\"vip\", \"technical\"]"),
            invalid(
                At("\"general\"\npriority = 3"),
                "queue.general",
                &[
                    "no agent group serves queue \"general\"",
                    "expected it in the queues of at least one [[agent_group]]",
                ],
            ),
        ),
        // --- Demand.
        case(
            "no_arrivals_at_all",
            all_rates_zero(),
            invalid(
                Nowhere,
                "channel",
                &["no channel has any arrivals", "expected at least one channel with a rate above 0"],
            ),
        ),
        case(
            "one_channel_without_arrivals_is_a_warning",
            sms_constant_rate("0"),
            Expect::Valid { warning: Some(&["channel.sms.arrivals: no arrivals all day"]) },
        ),
        // --- Mistakes a scenario allows: said on stderr (and in run.toml), or refused when
        // nothing sensible can be meant.
        case(
            "a_rule_on_a_value_no_channel_generates_is_a_warning",
            edit("when = { tier = \"gold\" }", "when = { tier = \"Gold\" }"),
            Expect::Valid {
                warning: Some(&[
                    "line 43, column 17: work_stream.chat.routing_rule.gold customers.when.tier",
                    "\"Gold\" is a value no channel generates for \"tier\"",
                    "\"gold\", \"standard\"",
                ]),
            },
        ),
        case(
            "a_break_outside_every_shift_is_a_warning",
            edit(
                "shift = { start = \"08:00\", end = \"18:00\" }",
                "shift = { start = \"08:00\", end = \"18:00\" }\nbreaks = [ { start = \"19:00\", duration = \"30m\" } ]",
            ),
            Expect::Valid {
                warning: Some(&[
                    "agent_group.specialists.breaks.start",
                    "19:00 lies outside every shift",
                    "08:00–18:00",
                ]),
            },
        ),
        case(
            "arrivals_while_nobody_serving_the_queue_works_is_a_warning",
            edit("shift = { start = \"07:00\", end = \"21:00\" }", "shift = { start = \"08:00\", end = \"20:00\" }"),
            Expect::Valid {
                warning: Some(&[
                    "queues \"vip\", \"technical\", \"general\"",
                    "07:00–08:00, 20:00–21:00 when no agent group serving it is on shift",
                ]),
            },
        ),
        case(
            "a_gate_on_a_share_above_1_is_refused",
            append("[[check]]\nmetric = \"service_level\"\nmin = 80"),
            invalid(
                At("\"service_level\""),
                "check[0].min",
                &[
                    "80 on service_level, a share from 0 to 1, can never be met",
                    "expected a bound from 0 to 1 (0.8 for 80%)",
                ],
            ),
        ),
        case(
            "a_gate_below_0_is_refused",
            append("[[check]]\nmetric = \"asa_s\"\nmax = -5"),
            invalid(
                At("\"asa_s\""),
                "check[0].max",
                &["-5 on asa_s, which is never negative", "expected a bound of 0 or more"],
            ),
        ),
        case(
            "a_gate_on_a_time_takes_a_duration",
            append("[[check]]\nmetric = \"asa_s\"\nmax = \"30s\"\nintervals = [\"9:00\", \"d1 10:00\"]"),
            VALID,
        ),
        case(
            "a_duration_bound_on_a_share_is_refused",
            append("[[check]]\nmetric = \"service_level\"\nmin = \"30s\""),
            invalid(At("\"service_level\""), "check[0]", &["a duration bound on service_level", "expected a number"]),
        ),
        case(
            "a_unit_word_suggests_its_letter",
            edit("wrap_up = \"30s\"", "wrap_up = \"1min\""),
            invalid(At("\"1min\""), "work_stream.messaging.wrap_up", &["\"1min\"", "expected \"1m\""]),
        ),
        case(
            "an_unquoted_duration_names_its_key",
            edit("wrap_up = \"30s\"", "wrap_up = 1m"),
            invalid(At("1m\n"), "work_stream.messaging.wrap_up", &["1m is neither a number nor quoted text", "\"1m\""]),
        ),
        case(
            "patience_none_means_never_abandoning",
            edit("patience = { dist = \"exponential\", mean = \"3m\" }", "patience = \"none\""),
            VALID,
        ),
        case(
            "rate_list_of_the_wrong_length",
            edit("10, 0, 0, 0] }", "10, 0, 0] }"),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10"),
                "channel.sms.arrivals.rate_per_hour",
                &[
                    "23 values",
                    "expected 1 (constant), 24, 48 or 96 (a day in hours, half hours or quarter hours) or 168, 336 or 672 (a week from Monday)",
                ],
            ),
        ),
        case(
            "start_that_is_not_a_date",
            edit("seed = 20261124", "seed = 20261124\nstart = \"2026-02-30\""),
            invalid(
                At("\"2026-02-30\""),
                "simulation.start",
                &["2026-02-30 is not a date", "expected a date such as \"2026-03-02\""],
            ),
        ),
        case(
            "special_day_without_a_start",
            append("[[special_day]]\ndate = \"2026-12-25\"\nfactor = 0.3"),
            invalid(
                At("\"2026-12-25\""),
                "special_day[0].date",
                &["the simulation has no start", "simulation.start = \"YYYY-MM-DD\""],
            ),
        ),
        case(
            "special_day_with_a_negative_factor",
            Input::Text(format!(
                "{}\n[[special_day]]\ndate = \"2026-11-24\"\nfactor = -1.5\n",
                DEFAULT.replacen("seed = 20261124", "seed = 20261124\nstart = 2026-11-24", 1)
            )),
            invalid(At("-1.5"), "special_day[0].factor", &["-1.5; expected a factor ≥ 0"]),
        ),
        case(
            "special_day_of_an_unknown_channel",
            Input::Text(format!(
                "{}\n[[special_day]]\ndate = \"2026-11-24\"\nfactor = 2\nchannel = \"fax\"\n",
                DEFAULT.replacen("seed = 20261124", "seed = 20261124\nstart = 2026-11-24", 1)
            )),
            invalid(At("\"fax\""), "special_day[0].channel", &["no channel is named \"fax\"", "expected one of"]),
        ),
        case(
            "day_factor_whose_mean_is_not_one",
            edit(
                SMS_RATES,
                "day_factor = { dist = \"gamma\", mean = 1.2, sd = 0.1 }, rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10",
            ),
            invalid(
                At("{ dist = \"gamma\", mean = 1.2"),
                "channel.sms.arrivals.day_factor",
                &["a mean of 1.2", "expected a distribution with mean 1"],
            ),
        ),
        case(
            "rates_and_a_forecast_file",
            edit(SMS_RATES, "file = \"forecast.csv\", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10"),
            invalid(
                At("{ process = \"poisson\", file"),
                "channel.sms.arrivals",
                &["both rate_per_hour and file; expected one of them"],
            ),
        ),
        case(
            "a_week_of_167_hours",
            edit(
                "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, 10, 30, 45, 55, 60,\n                                                   60, 55, 50, 45, 40, 35, 25, 15, 10, 0, 0, 0]",
                &format!("rate_per_hour = [{}]", vec!["1"; 167].join(", ")),
            ),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = [1, 1"),
                "channel.sms.arrivals.rate_per_hour",
                &["167 values", "168, 336 or 672 (a week from Monday)"],
            ),
        ),
        case(
            "break_window_of_one_time",
            edit(
                "shift = { start = \"07:00\", end = \"21:00\" }",
                "shift = { start = \"07:00\", end = \"21:00\" }\nbreaks = [{ window = [\"11:00\"], duration = \"30m\" }]",
            ),
            invalid(
                At("[\"11:00\"]"),
                "agent_group.generalists.breaks.window",
                &["1 times; expected two, the window's start and end"],
            ),
        ),
        case(
            "break_longer_than_its_window",
            edit(
                "shift = { start = \"07:00\", end = \"21:00\" }",
                "shift = { start = \"07:00\", end = \"21:00\" }\nbreaks = [{ window = [\"11:00\", \"11:20\"], duration = \"30m\" }]",
            ),
            invalid(
                At("[\"11:00\", \"11:20\"]"),
                "agent_group.generalists.breaks.window",
                &["a break of 30m does not fit in a window of 20m"],
            ),
        ),
        case(
            "break_starts_for_too_few_agents",
            edit(
                "shift = { start = \"07:00\", end = \"21:00\" }",
                "shift = { start = \"07:00\", end = \"21:00\" }\nbreaks = [{ starts = [\"11:00\", \"11:30\"], duration = \"30m\" }]",
            ),
            invalid(
                At("[\"11:00\", \"11:30\"]"),
                "agent_group.generalists.breaks.starts",
                &["2 starts for 8 agents; expected one start per agent of the group"],
            ),
        ),
        case(
            "break_with_a_start_and_a_window",
            edit(
                "shift = { start = \"07:00\", end = \"21:00\" }",
                "shift = { start = \"07:00\", end = \"21:00\" }\nbreaks = [{ start = \"11:00\", window = [\"11:00\", \"13:00\"], duration = \"30m\" }]",
            ),
            invalid(
                At("\"30m\" }]"),
                "agent_group.generalists.breaks",
                &[
                    "expected exactly one of start (the whole group at once), window (spread over the agents) or starts (one per agent)",
                ],
            ),
        ),
        case(
            "shift_template_longer_than_a_day",
            append(
                "[[shift_template]]\nname = \"day\"\nstart = { from = \"06:00\", to = \"12:00\", every = \"30m\" }\nqueues = [\"general\"]\nlength = \"25h\"",
            ),
            invalid(
                At("\"25h\""),
                "shift_template.day.length",
                &["25h; expected a shift above 0 and at most 24h long"],
            ),
        ),
        case(
            "shift_template_break_outside_its_shift",
            append(
                "[[shift_template]]\nname = \"day\"\nstart = { from = \"06:00\", to = \"12:00\", every = \"30m\" }\nqueues = [\"general\"]\nlength = \"8h\"\nbreaks = [{ window = [\"7h\", \"9h\"], duration = \"30m\" }]",
            ),
            invalid(
                At("{ window = [\"7h\""),
                "shift_template.day.breaks.window",
                &["a window from 7h to 9h into a shift of 8h; expected a window inside the shift"],
            ),
        ),
        case(
            "shift_template_breaks_that_overlap",
            append(
                "[[shift_template]]\nname = \"day\"\nstart = { from = \"06:00\", to = \"12:00\", every = \"30m\" }\nqueues = [\"general\"]\nlength = \"8h\"\nbreaks = [{ window = [\"2h\", \"4h\"], duration = \"15m\" }, { window = [\"3h\", \"5h\"], duration = \"30m\" }]",
            ),
            invalid(
                At("{ window = [\"3h\""),
                "shift_template.day.breaks.window",
                &["the window from 3h to 5h overlaps the one from 2h to 4h"],
            ),
        ),
        case(
            "shift_template_of_an_unknown_group",
            append(
                "[[shift_template]]\nname = \"day\"\nstart = { from = \"06:00\", to = \"12:00\", every = \"30m\" }\nqueues = [\"general\"]\nlength = \"8h\"\ngroup = \"tier9\"",
            ),
            invalid(
                At("\"tier9\""),
                "shift_template.day.group",
                &["no agent group is named \"tier9\"", "\"generalists\", \"specialists\""],
            ),
        ),
        case(
            "rate_list_of_one_rate_per_two_hours",
            edit(
                "[0, 0, 0, 0, 0, 0, 0, 20, 60, 110, 140, 150,\n                                                   150, 140, 130, 120, 110, 90, 60, 40, 25, 0, 0, 0]",
                "[0, 0, 0, 10, 80, 140, 150, 130, 110, 75, 30, 0]",
            ),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = [0, 0, 0, 10"),
                "channel.web_chat.arrivals.rate_per_hour",
                &["12 values", "(12 rates of 2h each: repeat each rate 2 times to give 24)"],
            ),
        ),
        case(
            "negative_rate",
            edit(SMS_RATES, "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, -10"),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, -10"),
                "channel.sms.arrivals.rate_per_hour",
                &["-10", "expected a finite number ≥ 0"],
            ),
        ),
        case(
            "nan_rate",
            edit(SMS_RATES, "rate_per_hour = [0, 0, 0, 0, 0, 0, 0, nan"),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = [0, 0, 0, 0, 0, 0, 0, nan"),
                "channel.sms.arrivals.rate_per_hour",
                &["NaN", "expected a finite number ≥ 0"],
            ),
        ),
        case(
            "infinite_constant_rate",
            sms_constant_rate("inf"),
            invalid(
                At("{ process = \"poisson\", rate_per_hour = inf"),
                "channel.sms.arrivals.rate_per_hour",
                &["inf", "expected a finite number ≥ 0"],
            ),
        ),
        case(
            "unknown_arrival_process",
            sms_arrivals("{ process = \"historical\", file = \"a.csv\" }"),
            invalid(
                At("\"historical\""),
                "channel.sms.arrivals.process",
                &["unknown variant `historical`", "expected one of `poisson`, `renewal`, `trace`"],
            ),
        ),
        case(
            "unknown_key_in_trace_arrivals",
            sms_arrivals("{ process = \"trace\", path = \"a.csv\" }"),
            invalid(At("{ process = \"trace\""), "channel.sms.arrivals", &["unknown field `path`", "expected `file`"]),
        ),
        case(
            "trace_file_missing",
            sms_arrivals("{ process = \"trace\", file = \"no_such_arrivals.csv\" }"),
            invalid(
                At("\"no_such_arrivals.csv\""),
                "channel.sms.arrivals.file",
                &["no_such_arrivals.csv: no such file", "expected a CSV file of arrival timestamps"],
            ),
        ),
        case(
            "renewal_without_interarrival",
            sms_arrivals("{ process = \"renewal\" }"),
            invalid(At("{ process = \"renewal\""), "channel.sms.arrivals", &["missing field `interarrival`"]),
        ),
        case(
            "renewal_with_a_mean_of_zero",
            sms_arrivals("{ process = \"renewal\", interarrival = \"0s\" }"),
            invalid(
                At("\"0s\" }"),
                "channel.sms.arrivals.interarrival",
                &["a mean of 0", "expected a distribution with a mean above 0"],
            ),
        ),
        // --- Capacities, the clock, distributions, routing, the lifecycle and `run`: in
        //     bad_values.rs.
    ];
    cases.extend(bad_values::cases());
    cases
}

#[test]
fn bad_scenario_inputs_are_rejected_with_a_precise_message() {
    let cases = cases();
    assert!(cases.len() >= 40);
    check_all(&cases);
}
