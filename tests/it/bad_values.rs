//! The second half of `bad_input`'s table: values out of range — capacities and counts,
//! durations and the clock, distributions, context variables and routing conditions, the
//! lifecycle settings — and `run`, which must refuse the same and write nothing.

use super::*;

pub(super) fn cases() -> Vec<Case> {
    use Pos::*;
    vec![
        // --- Capacities and counts.
        case(
            "work_stream_capacity_zero",
            edit("capacity = 1      ", "capacity = 0      "),
            invalid(At("0      "), "work_stream.chat.capacity", &["0", "expected an integer from 1"]),
        ),
        case(
            "agent_group_capacity_zero",
            edit("capacity = 3", "capacity = 0"),
            invalid(At("0\nqueues"), "agent_group.generalists.capacity", &["0", "expected an integer from 1"]),
        ),
        case(
            "agent_group_capacity_too_large",
            edit("capacity = 3", "capacity = 10001"),
            invalid(At("10001"), "agent_group.generalists.capacity", &["10001", "expected an integer from 1 to 10000"]),
        ),
        case(
            "negative_count",
            edit("count = 5", "count = -1"),
            invalid(At("-1"), "agent_group.specialists.count", &["-1 agents", "expected an integer from 0"]),
        ),
        case("count_zero_is_valid", edit("count = 5", "count = 0"), Expect::Valid { warning: None }),
        case(
            "absurd_count",
            edit("count = 5", "count = 1000000000000"),
            invalid(
                At("1000000000000"),
                "agent_group.specialists.count",
                &["1000000000000 agents", "expected an integer from 0 to 1000000"],
            ),
        ),
        case(
            "too_many_agents_in_all",
            edits(&[
                ("count = 5", "count = 600000"),
                ("\"generalists\"\ncount = ", "\"generalists\"\ncount = 600000 # was "),
            ]),
            invalid(Nowhere, "agent_group", &["1200000 agents in all is too large", "expected at most 1000000"]),
        ),
        case(
            "work_stream_capacity_above_every_serving_group",
            edit("capacity = 1      ", "capacity = 4      "),
            invalid(
                At("4      "),
                "work_stream.chat.capacity",
                &["take 4 capacity units", "expected an agent_group capacity ≥ 4"],
            ),
        ),
        // --- Durations and the clock.
        case(
            "duration_with_unknown_unit_x",
            edit("wrap_up = \"1m\"", "wrap_up = \"10x\""),
            invalid(At("\"10x\""), "work_stream.chat.wrap_up", &["unknown unit `x`", "expected units s, m, h or d"]),
        ),
        case(
            "duration_in_weeks",
            edit("horizon = \"1d\"", "horizon = \"1w\""),
            invalid(At("\"1w\""), "simulation.horizon", &["unknown unit `w`", "expected units s, m, h or d"]),
        ),
        case(
            "negative_duration_text",
            edit("warmup = \"0s\"", "warmup = \"-1h\""),
            invalid(At("\"-1h\""), "simulation.warmup", &["negative duration", "expected 0 or more"]),
        ),
        case(
            "negative_duration_seconds",
            edit("horizon = \"1d\"", "horizon = -3600"),
            invalid(At("-3600"), "simulation.horizon", &["negative duration", "expected 0 or more"]),
        ),
        case(
            "negative_wrap_up",
            edit("wrap_up = \"30s\"", "wrap_up = -30"),
            invalid(At("-30"), "work_stream.messaging.wrap_up", &["-30", "expected 0 or more"]),
        ),
        case(
            "interval_that_does_not_divide_a_day",
            edit("interval = \"1h\"", "interval = \"7h\""),
            invalid(At("\"7h\""), "simulation.interval", &["does not divide 24 hours", "expected e.g. \"15m\""]),
        ),
        case(
            "warmup_equal_to_horizon",
            edit("warmup = \"0s\"", "warmup = \"1d\""),
            invalid(
                At("\"1d\"\ninterval"),
                "simulation.warmup",
                &["not shorter than the horizon", "expected warm-up < horizon"],
            ),
        ),
        case(
            "warmup_beyond_horizon",
            edit("warmup = \"0s\"", "warmup = \"2d\""),
            invalid(At("\"2d\""), "simulation.warmup", &["not shorter than the horizon", "expected warm-up < horizon"]),
        ),
        case(
            "zero_horizon",
            edit("horizon = \"1d\"", "horizon = 0"),
            invalid(At("0\nwarmup"), "simulation.horizon", &["horizon is 0", "expected a positive duration"]),
        ),
        case(
            "absurd_horizon",
            edit("horizon = \"1d\"", "horizon = 1e300"),
            invalid(At("1e300"), "simulation.horizon", &["too long to simulate", "expected at most 3660 days"]),
        ),
        case(
            "zero_replications",
            edit("replications = 10", "replications = 0"),
            invalid(At("0\nseed"), "simulation.replications", &["0 replications", "expected 1 to"]),
        ),
        case(
            "shift_start_at_25_00",
            edit("start = \"08:00\"", "start = \"25:00\""),
            invalid(
                At("\"25:00\""),
                "agent_group.specialists.shift.start",
                &["\"25:00\" is not a time of day", "expected \"HH:MM\""],
            ),
        ),
        // --- Distributions.
        case(
            "unknown_distribution",
            edit("dist = \"gamma\"", "dist = \"gama\""),
            invalid(
                At("\"gama\""),
                "work_stream.messaging.handle_time.dist",
                &["unknown variant `gama`", "expected one of", "`gamma`"],
            ),
        ),
        case(
            "lognormal_sd_without_mean",
            edit("mean = \"10m\", sd = \"5m\"", "sd = \"5m\""),
            invalid(At("{ dist = \"lognormal\""), "work_stream.chat.handle_time", &["missing field `mean`"]),
        ),
        case(
            "lognormal_negative_sd",
            edit("sd = \"5m\"", "sd = -5"),
            invalid(
                At("{ dist = \"lognormal\""),
                "work_stream.chat.handle_time",
                &["`sd` is -5", "expected 0 or more"],
            ),
        ),
        case(
            "exponential_mean_zero",
            edit("mean = \"3m\"", "mean = 0"),
            invalid(
                At("{ dist = \"exponential\""),
                "work_stream.chat.patience",
                &["`mean` is 0", "expected a number above 0"],
            ),
        ),
        case(
            "uniform_max_below_min",
            edit("min = 0, max = 500", "min = 500, max = 0"),
            invalid(
                At("{ dist = \"uniform\""),
                "channel.sms.context.order_value",
                &["`max` (0) is below `min` (500)", "expected min ≤ max"],
            ),
        ),
        case(
            "weibull_shape_zero",
            edit("{ dist = \"exponential\", mean = \"3m\" }", "{ dist = \"weibull\", shape = 0, scale = \"3m\" }"),
            invalid(
                At("{ dist = \"weibull\""),
                "work_stream.chat.patience",
                &["`shape` is 0", "expected a number above 0"],
            ),
        ),
        case(
            "weibull_shape_as_a_duration",
            edit("{ dist = \"exponential\", mean = \"3m\" }", "{ dist = \"weibull\", shape = \"2m\", scale = \"3m\" }"),
            invalid(At("{ dist = \"weibull\""), "work_stream.chat.patience", &["string \"2m\"", "expected a number"]),
        ),
        case(
            "empirical_file_missing",
            edit(
                "{ dist = \"gamma\", mean = \"6m\", sd = \"3m\" }",
                "{ dist = \"empirical\", file = \"no_such_times.csv\" }",
            ),
            invalid(
                At("\"no_such_times.csv\""),
                "work_stream.messaging.handle_time.file",
                &["no_such_times.csv: no such file", "expected a CSV file of values"],
            ),
        ),
        // --- Context variables and routing conditions.
        case(
            "context_weights_not_summing_to_one",
            edit("gold = 0.2, standard = 0.8", "gold = 0.2, standard = 0.7"),
            invalid(
                At("{ gold = 0.2"),
                "channel.web_chat.context.tier",
                &["the weights sum to 0.9;", "expected probabilities that sum to 1"],
            ),
        ),
        case(
            "context_weight_above_one",
            edit("gold = 0.2, standard = 0.8", "gold = 1.5, standard = -0.5"),
            invalid(
                At("{ gold = 1.5"),
                "channel.web_chat.context.tier.gold",
                &["1.5", "expected a probability between 0 and 1"],
            ),
        ),
        case(
            "context_for_an_undeclared_variable",
            edit("standard = 0.8 }", "standard = 0.8 }, region = { eu = 1.0 }"),
            invalid(
                At("{ eu = 1.0 }"),
                "channel.web_chat.context.region",
                &[
                    "\"region\" is not a context variable of work stream \"chat\"",
                    "expected one of \"product\", \"tier\"",
                ],
            ),
        ),
        case(
            "text_context_given_a_distribution",
            edit("tier = { gold = 0.2, standard = 0.8 }", "tier = { dist = \"uniform\", min = 0, max = 1 }"),
            invalid(
                At("{ dist = \"uniform\", min = 0, max = 1 }"),
                "channel.web_chat.context.tier",
                &["\"tier\" is a text variable", "expected a table of category weights"],
            ),
        ),
        case(
            "rule_on_an_undeclared_variable",
            edit("when = { tier = \"gold\" }", "when = { tire = \"gold\" }"),
            invalid(
                At("\"gold\" }"),
                "work_stream.chat.routing_rule.gold customers.when.tire",
                &[
                    "\"tire\" is not a context variable of work stream \"chat\"",
                    "expected one of \"product\", \"tier\"",
                ],
            ),
        ),
        case(
            "text_variable_compared_with_ge",
            edit("when = { tier = \"gold\" }", "when = { tier = { ge = \"gold\" } }"),
            invalid(
                At("{ ge = \"gold\" }"),
                "work_stream.chat.routing_rule.gold customers.when.tier",
                &["`ge` cannot test text variable \"tier\"", "expected eq, ne, in or contains"],
            ),
        ),
        case(
            "number_variable_compared_with_a_string",
            edit("order_value = { ge = 200 }", "order_value = { ge = \"200\" }"),
            invalid(
                At("{ ge = \"200\" }"),
                "work_stream.messaging.routing_rule.big technical orders.when.order_value",
                &["`ge` on number variable \"order_value\" with \"200\"", "expected a number"],
            ),
        ),
        case(
            "in_without_a_list",
            edit("when = { tier = \"gold\" }", "when = { tier = { in = \"gold\" } }"),
            invalid(
                At("{ in = \"gold\" }"),
                "work_stream.chat.routing_rule.gold customers.when.tier",
                &["`in` needs a list", "expected e.g. in = ["],
            ),
        ),
        // --- Percentage routing.
        case(
            "percentages_not_summing_to_100",
            edit("queue = \"vip\"", "queues = { vip = 60, general = 30 }"),
            invalid(
                At("{ vip = 60"),
                "work_stream.chat.routing_rule.gold customers.queues",
                &["percentages summing to 90", "expected a sum of 100"],
            ),
        ),
        case(
            "percentage_to_an_unknown_queue",
            edit("queue = \"vip\"", "queues = { vip = 60, generall = 40 }"),
            invalid(
                At("40 }"),
                "work_stream.chat.routing_rule.gold customers.queues.generall",
                &["no queue is named \"generall\"", "expected one of"],
            ),
        ),
        case(
            "negative_percentage",
            edit("queue = \"vip\"", "queues = { vip = 110, general = -10 }"),
            invalid(
                At("-10 }"),
                "work_stream.chat.routing_rule.gold customers.queues.general",
                &["-10", "expected a percentage from 0 to 100"],
            ),
        ),
        case(
            "six_queues_in_a_split",
            edit("queue = \"vip\"", "queues = { a = 10, b = 10, c = 20, d = 20, e = 20, f = 20 }"),
            invalid(
                At("{ a = 10"),
                "work_stream.chat.routing_rule.gold customers.queues",
                &["6 queues", "expected 1 to 5"],
            ),
        ),
        case(
            "queue_and_queues_in_one_rule",
            edit("queue = \"vip\"", "queue = \"vip\"\nqueues = { vip = 100 }"),
            invalid(
                At("{ vip = 100 }"),
                "work_stream.chat.routing_rule.gold customers.queues",
                &["both `queue` and `queues`", "expected one"],
            ),
        ),
        case(
            "rule_without_a_queue",
            edit("queue = \"vip\"\n", ""),
            invalid(
                At("{ tier = \"gold\" }"),
                "work_stream.chat.routing_rule.gold customers",
                &["no `queue`", "queues = { A = 70, B = 30 }"],
            ),
        ),
        // --- Operating hours and overflow.
        case(
            "outside_hours_on_a_queue_without_hours",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = \"outside_hours\"\naction = { end = true }",
            ),
            invalid(
                At("\"outside_hours\""),
                "queue.vip.overflow[0].when",
                &["\"outside_hours\" on a queue without hours", "expected hours = {"],
            ),
        ),
        case(
            "overflow_to_an_unknown_queue",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { open_at_least = 5 }\naction = { queue = \"generall\" }",
            ),
            invalid(
                At("\"generall\""),
                "queue.vip.overflow[0].action.queue",
                &["no queue is named \"generall\"", "expected one of"],
            ),
        ),
        case(
            "overflow_to_the_queue_itself",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { open_at_least = 5 }\naction = { queue = \"vip\" }",
            ),
            invalid(
                At("\"vip\" }"),
                "queue.vip.overflow[0].action.queue",
                &["the queue itself", "expected another queue"],
            ),
        ),
        case(
            "overflow_with_two_actions",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { open_at_least = 5 }\naction = { queue = \"general\", end = true }",
            ),
            invalid(At("{ queue = \"general\""), "queue.vip.overflow[0].action", &["expected one action"]),
        ),
        case(
            "unknown_overflow_condition",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { open_more_than = 5 }\naction = { end = true }",
            ),
            invalid(
                At("{ open_more_than"),
                "queue.vip.overflow[0].when",
                &["`open_more_than` is not an overflow condition", "expected \"outside_hours\""],
            ),
        ),
        case(
            "open_at_least_zero",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { open_at_least = 0 }\naction = { end = true }",
            ),
            invalid(At("{ open_at_least"), "queue.vip.overflow[0].when", &["open_at_least = 0", "from 1"]),
        ),
        case(
            "a_wait_limit_of_zero",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { waited_at_least = \"0s\" }\naction = { end = true }",
            ),
            invalid(At("{ waited_at_least"), "queue.vip.overflow[0].when", &["expected a duration above 0"]),
        ),
        case(
            "two_wait_limits_on_one_queue",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { waited_at_least = \"5m\" }\naction = { end = true }\n[[queue.overflow]]\nwhen = { waited_at_least = \"9m\" }\naction = { end = true }",
            ),
            invalid(At("{ waited_at_least = \"9m\""), "queue.vip.overflow[1].when", &["a second waited_at_least rule"]),
        ),
        case(
            "hours_block_that_ends_before_it_starts",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\nhours = { mon = [[\"17:00\", \"08:00\"]] }",
            ),
            invalid(At("[[\"17:00\""), "queue.vip.hours.mon", &["open from 17:00 to 08:00", "a start before the end"]),
        ),
        case(
            "holidays_without_a_start",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\nhours = { mon = [[\"08:00\", \"17:00\"]], holidays = [2026-12-25] }",
            ),
            invalid(
                At("[2026-12-25]"),
                "queue.vip.hours.holidays",
                &["the simulation has no start", "simulation.start"],
            ),
        ),
        case(
            "callback_on_a_chat_queue",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { open_at_least = 5 }\naction = { callback = \"1h\" } # chat",
            ),
            invalid(
                At("\"1h\" } # chat"),
                "queue.vip.overflow[0].action.callback",
                &["a callback for conversations of work stream \"chat\", which a live_chat channel feeds", "queues only calls reach"],
            ),
        ),
        case(
            "voicemail_kept_for_no_time",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { open_at_least = 5 }\naction = { voicemail = \"0s\" } # none",
            ),
            invalid(At("\"0s\" } # none"), "queue.vip.overflow[0].action.voicemail", &["0s", "expected how long the work may wait"]),
        ),
        case(
            "callback_and_end_together",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\n[[queue.overflow]]\nwhen = { open_at_least = 5 }\naction = { callback = \"1h\", end = true }",
            ),
            invalid(At("{ callback"), "queue.vip.overflow[0].action", &["expected one action", "{ callback = T }"]),
        ),
        // --- Transfers.
        case(
            "transfer_to_an_unknown_queue",
            edit(
                "assignment = \"highest_capacity\"",
                "assignment = \"highest_capacity\"\ntransfer = { probability = 0.1, queue = \"expert\" }",
            ),
            invalid(At("\"expert\""), "queue.vip.transfer.queue", &["no queue is named \"expert\"", "expected one of"]),
        ),
        case(
            "transfer_probability_above_1",
            edit("wrap_up = \"1m\"", "wrap_up = \"1m\"\ntransfer = { probability = 1.5, queue = \"general\" }"),
            invalid(
                At("1.5"),
                "work_stream.chat.transfer.probability",
                &["1.5", "expected a probability between 0 and 1"],
            ),
        ),
        case(
            "bot_containment_above_1",
            edit("wrap_up = \"1m\"", "wrap_up = \"1m\"\nbot = { handle_time = \"1m\", containment = 1.2 }"),
            invalid(At("1.2"), "work_stream.chat.bot.containment", &["1.2", "expected a probability between 0 and 1"]),
        ),
        case(
            "bot_setting_an_undeclared_variable",
            edit(
                "wrap_up = \"1m\"",
                "wrap_up = \"1m\"\nbot = { handle_time = \"1m\", containment = 0.5, sets = { mood = { happy = 1.0 } } }",
            ),
            invalid(
                At("{ happy"),
                "work_stream.chat.bot.sets.mood",
                &["\"mood\" is not a context variable of work stream \"chat\"", "expected one of"],
            ),
        ),
        case(
            "bot_on_a_pick_work_stream",
            edits(&[
                ("mode = \"push\"", "mode = \"pick\""),
                ("wrap_up = \"1m\"", "wrap_up = \"1m\"\nbot = { handle_time = \"1m\", containment = 0.5 }"),
            ]),
            invalid(
                At("{ handle_time = \"1m\", containment = 0.5 }"),
                "work_stream.chat.bot",
                &["a bot on a pick work stream", "push work streams only"],
            ),
        ),
        case(
            "negative_handle_time_per_extra",
            edit("wrap_up = \"1m\"", "wrap_up = \"1m\"\nhandle_time_per_extra = -0.1"),
            invalid(At("-0.1"), "work_stream.chat.handle_time_per_extra", &["-0.1", "expected a factor from 0 to 10"]),
        ),
        // --- Capacity profiles.
        case(
            "capacity_profile_unknown_on_a_work_stream",
            edits(&[
                ("wrap_up = \"1m\"", "wrap_up = \"1m\"\ncapacity_profile = \"voice\""),
                ("[[agent_group]]", "[[capacity_profile]]\nname = \"chat\"\nlimit = 2\n\n[[agent_group]]"),
            ]),
            invalid(
                At("\"voice\""),
                "work_stream.chat.capacity_profile",
                &["no capacity profile is named \"voice\"", "expected one of \"chat\""],
            ),
        ),
        case(
            "capacity_profile_limit_zero",
            append("[[capacity_profile]]\nname = \"chat\"\nlimit = 0 # none"),
            invalid(At("0 # none"), "capacity_profile.chat.limit", &["0", "expected an integer from 1 to 100"]),
        ),
        case(
            "capacity_profile_named_twice",
            append(
                "[[capacity_profile]]\nname = \"chat\"\nlimit = 1\n[[capacity_profile]]\nname = \"chat\"\nlimit = 2",
            ),
            invalid(
                At("\"chat\"\nlimit = 2"),
                "capacity_profile.chat",
                &["the name \"chat\" is used by two [[capacity_profile]] tables"],
            ),
        ),
        case(
            "too_many_capacity_profiles",
            append(&(1..=9).map(|i| format!("[[capacity_profile]]\nname = \"p{i}\"\nlimit = 1\n")).collect::<String>()),
            invalid(At("\"p9\""), "capacity_profile", &["9 capacity profiles", "expected at most 8"]),
        ),
        case(
            "group_limit_of_an_unknown_profile",
            edit("capacity = 3", "capacity = 3\ncapacity_profiles = { voice = 1 }"),
            invalid(
                At("1 }"),
                "agent_group.generalists.capacity_profiles.voice",
                &["no capacity profile is named \"voice\"", "(none declared)"],
            ),
        ),
        case(
            "group_limit_above_100",
            edits(&[
                ("capacity = 3", "capacity = 3\ncapacity_profiles = { chat = 101 }"),
                ("[[agent_group]]", "[[capacity_profile]]\nname = \"chat\"\nlimit = 2\n\n[[agent_group]]"),
            ]),
            invalid(
                At("101"),
                "agent_group.generalists.capacity_profiles.chat",
                &["101", "expected an integer from 1 to 100"],
            ),
        ),
        // --- Skills.
        case(
            "classification_of_a_skill_no_group_has",
            edits(&[
                ("capacity = 3", "capacity = 3\nskills = { english = 7 }"),
                (
                    "fallback_queue = \"general\"",
                    "fallback_queue = \"general\"\n[[work_stream.classification]]\nwhen = { tier = \"gold\" }\nskills = { spanish = 5 } # unknown",
                ),
            ]),
            invalid(
                At("5 } # unknown"),
                "work_stream.chat.classification[0].skills.spanish",
                &["no agent group has the skill \"spanish\"", "expected one of \"english\""],
            ),
        ),
        case(
            "classification_rating_above_100",
            edits(&[
                ("capacity = 3", "capacity = 3\nskills = { english = 7 }"),
                (
                    "fallback_queue = \"general\"",
                    "fallback_queue = \"general\"\n[[work_stream.classification]]\nname = \"all\"\nwhen = {}\nskills = { english = 101 }",
                ),
            ]),
            invalid(At("101"), "work_stream.chat.classification.all.skills.english", &["101", "expected a rating from 1 to 100"]),
        ),
        case(
            "classification_without_skills",
            edits(&[
                ("capacity = 3", "capacity = 3\nskills = { english = 7 }"),
                ("fallback_queue = \"general\"", "fallback_queue = \"general\"\n[[work_stream.classification]]\nwhen = {}\nskills = {} # none"),
            ]),
            invalid(At("{} # none"), "work_stream.chat.classification[0].skills", &["no skills", "expected skill = lowest rating"]),
        ),
        case(
            "classification_on_an_undeclared_variable",
            edits(&[
                ("capacity = 3", "capacity = 3\nskills = { english = 7 }"),
                (
                    "fallback_queue = \"general\"",
                    "fallback_queue = \"general\"\n[[work_stream.classification]]\nwhen = { mood = \"angry\" }\nskills = { english = 3 }",
                ),
            ]),
            invalid(
                At("\"angry\""),
                "work_stream.chat.classification[0].when.mood",
                &["\"mood\" is not a context variable of work stream \"chat\""],
            ),
        ),
        case(
            "nine_classification_rules",
            edits(&[
                ("capacity = 3", "capacity = 3\nskills = { english = 7 }"),
                (
                    "fallback_queue = \"general\"",
                    &format!(
                        "fallback_queue = \"general\"\n{}",
                        (1..=9)
                            .map(|i| format!("[[work_stream.classification]]\nwhen = {{ tier = \"t{i}\" }}\nskills = {{ english = {i} }}\n"))
                            .collect::<String>()
                    ),
                ),
            ]),
            invalid(At("{ tier = \"t9\" }"), "work_stream.chat.classification", &["9 classification rules", "expected at most 8"]),
        ),
        case(
            "skill_rating_zero",
            edit("capacity = 3", "capacity = 3\nskills = { english = 0 } # zero"),
            invalid(At("0 } # zero"), "agent_group.generalists.skills.english", &["0", "expected a rating from 1 to 100"]),
        ),
        case(
            "skill_rating_as_a_word",
            edit("capacity = 3", "capacity = 3\nskills = { english = \"fluent\" }"),
            invalid(
                At("\"fluent\""),
                "agent_group.generalists.skills.english",
                &["expected a rating from 1 to 100 or a distribution"],
            ),
        ),
        case(
            "skill_rating_from_a_bad_distribution",
            edit("capacity = 3", "capacity = 3\nskills = { english = { dist = \"uniform\", min = 9, max = 3 } }"),
            invalid(At("{ dist = \"uniform\", min = 9"), "agent_group.generalists.skills.english", &["expected"]),
        ),
        case(
            "unknown_matching",
            edit("wrap_up = \"1m\"", "wrap_up = \"1m\"\nmatching = \"best\""),
            invalid(At("\"best\""), "work_stream.chat.matching", &["best", "exact", "closest"]),
        ),
        // --- The lifecycle settings: Waiting, pick, offers, decline limit.
        case(
            "waiting_on_live_chat",
            edit("wrap_up = \"1m\"", "wrap_up = \"1m\"\nwaiting = { probability = 0.3, customer_reply = \"20m\" }"),
            invalid(
                At("{ probability = 0.3"),
                "work_stream.chat.waiting",
                &[
                    "a live_chat channel feeds this work stream and has no Waiting state",
                    "expected `waiting` only on asynchronous channels",
                ],
            ),
        ),
        case(
            "waiting_on_voice",
            edits(&[
                ("kind = \"sms\"", "kind = \"voice\""),
                ("wrap_up = \"30s\"", "wrap_up = \"30s\"\nwaiting = { probability = 0.4, customer_reply = \"20m\" }"),
            ]),
            invalid(
                At("{ probability = 0.4"),
                "work_stream.messaging.waiting",
                &[
                    "a voice channel feeds this work stream and has no Waiting state",
                    "expected `waiting` only on asynchronous channels",
                ],
            ),
        ),
        case(
            "pick_fed_by_a_voice_channel",
            edits(&[
                ("kind = \"sms\"", "kind = \"voice\""),
                ("name = \"messaging\"\nmode = \"push\"", "name = \"messaging\"\nmode = \"pick\""),
            ]),
            // The position is the work stream's name (the rule is about the work stream and its
            // channels), the key its `mode`.
            invalid(
                At("\"messaging\"\nmode = \"pick\""),
                "work_stream.messaging.mode",
                &["a voice channel feeds this work stream", "expected mode = \"push\" (voice is push only)"],
            ),
        ),
        case(
            "offer_accept_plus_reject_above_one",
            edit("count = 5", "count = 5\noffer = { accept = 0.7, reject = 0.4 }"),
            invalid(
                At("{ accept = 0.7"),
                "agent_group.specialists.offer",
                &["accept 0.7 + reject 0.4 is above 1", "expected at most 1 (the rest times out)"],
            ),
        ),
        case(
            "offer_accept_negative",
            edit("count = 5", "count = 5\noffer = { accept = -0.2 }"),
            invalid(
                At("{ accept = -0.2 }"),
                "agent_group.specialists.offer.accept",
                &["-0.2", "expected a probability between 0 and 1"],
            ),
        ),
        case(
            "decline_limit_zero",
            edit("seed = 20261124", "seed = 20261124\ndecline_limit = 0"),
            invalid(
                At("0\nservice_level_threshold"),
                "simulation.decline_limit",
                &["0", "expected an integer from 1 to 100"],
            ),
        ),
        case(
            "decline_limit_above_100",
            edit("seed = 20261124", "seed = 20261124\ndecline_limit = 101"),
            invalid(
                At("101\nservice_level_threshold"),
                "simulation.decline_limit",
                &["101", "expected an integer from 1 to 100"],
            ),
        ),
        case(
            "waiting_probability_above_one",
            edit("wrap_up = \"30s\"", "wrap_up = \"30s\"\nwaiting = { probability = 1.5, customer_reply = \"20m\" }"),
            invalid(
                At("1.5, customer_reply"),
                "work_stream.messaging.waiting.probability",
                &["1.5", "expected a probability between 0 and 1"],
            ),
        ),
        case(
            "never_reply_negative",
            edit(
                "wrap_up = \"30s\"",
                "wrap_up = \"30s\"\nwaiting = { probability = 0.5, customer_reply = \"20m\", never_reply = -0.1 }",
            ),
            invalid(
                At("-0.1 }"),
                "work_stream.messaging.waiting.never_reply",
                &["-0.1", "expected a probability between 0 and 1"],
            ),
        ),
        case(
            "auto_close_after_inactivity_zero",
            edit("wrap_up = \"30s\"", "wrap_up = \"30s\"\nauto_close_after_inactivity = \"0s\""),
            invalid(
                At("\"0s\"\ncontext_variables"),
                "work_stream.messaging.auto_close_after_inactivity",
                &["0s", "expected a positive duration"],
            ),
        ),
        case(
            "pick_every_with_mean_zero",
            edits(&[
                ("name = \"messaging\"\nmode = \"push\"", "name = \"messaging\"\nmode = \"pick\""),
                ("count = 5", "count = 5\npick = { every = { dist = \"exponential\", mean = \"0s\" } }"),
            ]),
            invalid(
                At("{ dist = \"exponential\", mean = \"0s\" }"),
                "agent_group.specialists.pick.every",
                &["`mean` is 0", "expected a number above 0"],
            ),
        ),
        // --- Staffing profiles.
        case(
            "staffing_with_count",
            edit("count = 8", "count = 8\nstaffing = [8]"),
            invalid(
                At("[8]"),
                "agent_group.generalists.staffing",
                &["both staffing and count", "expected one of them"],
            ),
        ),
        case(
            "staffing_with_shift",
            edit("count = 8", "staffing = [8]"),
            invalid(
                At("[8]"),
                "agent_group.generalists.staffing",
                &["both staffing and shift", "expected one of them"],
            ),
        ),
        case(
            "staffing_of_the_wrong_length",
            edits(&[
                ("count = 8", "staffing = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]"),
                ("shift = { start = \"07:00\", end = \"21:00\" }\n", ""),
            ]),
            invalid(
                At("[1, 2, 3"),
                "agent_group.generalists.staffing",
                &["12 values", "expected 1 (constant), 24, 48 or 96"],
            ),
        ),
        case(
            "staffing_negative",
            edits(&[("count = 8", "staffing = [-2]"), ("shift = { start = \"07:00\", end = \"21:00\" }\n", "")]),
            invalid(
                At("-2"),
                "agent_group.generalists.staffing",
                &["-2 agents", "expected a whole number of agents from 0"],
            ),
        ),
        case(
            "staffing_not_whole",
            edits(&[("count = 8", "staffing = [2.5]"), ("shift = { start = \"07:00\", end = \"21:00\" }\n", "")]),
            invalid(At("2.5"), "agent_group.generalists.staffing", &["2.5 agents", "expected a whole number"]),
        ),
        case(
            "neither_count_nor_staffing",
            edit("count = 8\n", ""),
            invalid(
                At("\"generalists\""),
                "agent_group.generalists.count",
                &["missing", "expected count", "or staffing"],
            ),
        ),
        case(
            "staffing_instead_of_count_and_shift",
            edits(&[
                ("count = 8", "staffing = [0, 0, 0, 0, 0, 0, 0, 6, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 6, 0, 0]"),
                ("shift = { start = \"07:00\", end = \"21:00\" }\n", ""),
            ]),
            VALID,
        ),
        // --- `run`: the same checks, and nothing written when they fail.
        run_case(
            "run_with_capacity_zero",
            edit("capacity = 3", "capacity = 0"),
            &[],
            invalid(At("0\nqueues"), "agent_group.generalists.capacity", &["0", "expected an integer from 1"]),
        ),
        run_case(
            "run_with_no_arrivals_at_all",
            all_rates_zero(),
            &[],
            invalid(Nowhere, "channel", &["no channel has any arrivals", "expected at least one channel"]),
        ),
        run_case(
            "run_with_zero_replications_flag",
            text(DEFAULT),
            &["-r", "0"],
            Expect::BadCommandLine { says: &["-r 0", "expected 1 to"] },
        ),
        run_case(
            "run_with_zero_threads_flag",
            text(DEFAULT),
            &["--threads", "0"],
            Expect::BadCommandLine { says: &["--threads 0", "expected at least 1 thread"] },
        ),
        run_case(
            "run_with_threads_beyond_the_limit",
            text(DEFAULT),
            &["--threads", "100000"],
            Expect::BadCommandLine { says: &["--threads 100000", "at most 1024", "limit THREADS"] },
        ),
        run_case(
            "run_with_a_set_key_of_thousands_of_parts",
            text(DEFAULT),
            Box::leak(Box::new(["--set", Box::leak(format!("{}=1", vec!["a"; 5000].join(".")).into_boxed_str())])),
            Expect::BadCommandLine { says: &["--set", "5000 dotted parts", "at most 16", "limit KEY_PARTS"] },
        ),
        run_case(
            "run_with_a_seed_beyond_what_a_file_can_hold",
            text(DEFAULT),
            &["--seed", "18446744073709551615"],
            Expect::BadCommandLine { says: &["18446744073709551615", "0..=9223372036854775807"] },
        ),
        case(
            "duration_with_a_unit_twice",
            edit("wrap_up = \"30s\"", "wrap_up = \"1h1h\""),
            invalid(At("\"1h1h\""), "work_stream.messaging.wrap_up", &["1h1h", "largest first"]),
        ),
        case(
            "empty_list_of_shifts",
            edit("shift = { start = \"08:00\", end = \"18:00\" }", "shift = []"),
            invalid(At("[]"), "agent_group.specialists.shift", &["empty list of shifts", "leave shift out"]),
        ),
        run_case(
            "run_with_an_unknown_flag",
            text(DEFAULT),
            &["--bogus"],
            Expect::BadCommandLine { says: &["unexpected argument '--bogus'"] },
        ),
        run_case(
            "run_with_replications_not_a_number",
            text(DEFAULT),
            &["-r", "abc"],
            Expect::BadCommandLine { says: &["invalid value 'abc'"] },
        ),
    ]
}
