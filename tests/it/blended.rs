//! Blended queues: work streams with different requirements (capacity units, allowed presences)
//! share queues, so a push search keeps its members' eligibility per requirement class. Debug
//! builds (every test build) check each search against the definition — every member of the
//! queue in roster order, the eligible one of lowest rank first — so these centers fail on any
//! search that visits the wrong members or misses one.

use crate::common::{run, scope};
use ccsim::metrics::{Metric, ScopeKind};

/// Calls take a whole agent (4 units) from an available or busy one — only room tells who can
/// take one — and chats one unit, only from an available agent. Gold calls and chats share `vip` (two classes); other calls go to
/// `spare` (one class of several units), other chats to `general` (one unit): each kind of queue,
/// each with its own assignment method, is searched. One group works all three queues, the other
/// only `general`, and agents take breaks.
const BLENDED: &str = r#"
[simulation]
horizon = "2d"
replications = 3
seed = 17

[[channel]]
name = "phone"
kind = "voice"
work_stream = "calls"
arrivals = { process = "poisson", rate_per_hour = 40 }
context = { tier = { gold = 0.3, standard = 0.7 } }

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chats"
arrivals = { process = "poisson", rate_per_hour = 90 }
context = { tier = { gold = 0.3, standard = 0.7 } }

[[work_stream]]
name = "calls"
capacity = 4
allowed_presences = ["available", "busy"]
handle_time = { dist = "exponential", mean = "6m" }
patience = { dist = "exponential", mean = "5m" }
context_variables = [ { name = "tier", type = "text" } ]
fallback_queue = "general"
[[work_stream.routing_rule]]
name = "gold calls"
when = { tier = "gold" }
queue = "vip"
[[work_stream.routing_rule]]
name = "other calls"
when = { tier = "standard" }
queue = "spare"

[[work_stream]]
name = "chats"
capacity = 1
allowed_presences = ["available"]
handle_time = { dist = "exponential", mean = "8m" }
patience = { dist = "exponential", mean = "5m" }
context_variables = [ { name = "tier", type = "text" } ]
fallback_queue = "general"
[[work_stream.routing_rule]]
name = "gold chats"
when = { tier = "gold" }
queue = "vip"

[[queue]]
name = "vip"
assignment = "highest_capacity"

[[queue]]
name = "general"
assignment = "least_active"

[[queue]]
name = "spare"
assignment = "round_robin"

[[agent_group]]
name = "blended"
count = 9
capacity = 4
queues = ["vip", "general", "spare"]
breaks = [ { start = "10:00", duration = "30m", presence = "away" } ]

[[agent_group]]
name = "chat_desk"
count = 5
capacity = 4
queues = ["general"]
"#;

#[test]
fn searches_in_blended_queues_find_the_agent_the_definition_does() {
    let results = run(BLENDED);
    for queue in ["vip", "spare", "general"] {
        let answered = results.estimate(scope(&results, ScopeKind::Queue, queue), Metric::Answered).mean;
        assert!(answered > 50.0, "{queue}: {answered} answered a replication");
    }
}
