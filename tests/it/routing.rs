//! Routing, wave 2 (DESIGN.md "Routing, wave 2"): percentage routing — a rule that splits its
//! matches over queues by weights, drawn from each conversation's own stream.

use crate::common::{all, run, scope};
use ccsim::metrics::{Metric, ScopeKind};

/// Gold customers (half) are split 70/30 over queues a and b; the others go to c.
const SPLIT: &str = r#"
[simulation]
horizon = "5d"
replications = 4
seed = 11

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chat"
arrivals = { process = "poisson", rate_per_hour = 200 }
context = { tier = { gold = 0.5, standard = 0.5 } }

[[work_stream]]
name = "chat"
handle_time = { dist = "exponential", mean = "2m" }
patience = { dist = "exponential", mean = "1m" }
context_variables = [ { name = "tier", type = "text" } ]
fallback_queue = "c"

[[work_stream.routing_rule]]
name = "gold split"
when = { tier = "gold" }
queues = { a = 70, b = 30 }

[[queue]]
name = "a"
[[queue]]
name = "b"
[[queue]]
name = "c"

[[agent_group]]
name = "team_a"
count = 3
queues = ["a"]
[[agent_group]]
name = "team_bc"
count = 4
queues = ["b", "c"]
"#;

#[test]
fn a_split_rule_sends_its_matches_to_each_queue_in_its_percentage() {
    let r = run(SPLIT);
    let total = all(&r, Metric::Offered).mean * 4.0;
    assert!(total > 90_000.0, "{total}");
    for (queue, p) in [("a", 0.5 * 0.7), ("b", 0.5 * 0.3), ("c", 0.5)] {
        let n = r.estimate(scope(&r, ScopeKind::Queue, queue), Metric::Offered).mean * 4.0;
        // A binomial share: 4 standard errors, a chance of about 6e-5 of failing when right.
        let se = (p * (1.0 - p) / total).sqrt();
        assert!((n / total - p).abs() < 4.0 * se, "{queue}: share {} vs {p} (se {se})", n / total);
    }
}

#[test]
fn the_split_is_the_customers_own_so_variants_see_the_same_split_and_nothing_is_lost() {
    // Common random numbers: with other staffing, every replication routes the same
    // conversations to the same queues; conservation holds in every scope.
    let base = run(SPLIT);
    let staffed = run(&SPLIT.replace("count = 3", "count = 9"));
    for queue in ["a", "b", "c"] {
        let (one, other) = (scope(&base, ScopeKind::Queue, queue), scope(&staffed, ScopeKind::Queue, queue));
        for rep in 0..4 {
            assert_eq!(
                base.replication_value(rep, one, Metric::Offered).number(),
                staffed.replication_value(rep, other, Metric::Offered).number(),
                "{queue}, replication {rep}"
            );
        }
    }
    assert!(
        all(&staffed, Metric::Abandoned).mean < all(&base, Metric::Abandoned).mean,
        "the variants differ in what matters"
    );
    for r in [&base, &staffed] {
        for s in r.scopes.iter().filter(|s| s.kind != ScopeKind::AgentGroup) {
            for rep in 0..4 {
                let v = |m: Metric| r.replication_value(rep, s, m).number();
                let accounted =
                    v(Metric::Completed) + v(Metric::Abandoned) + v(Metric::AutoClosed) + v(Metric::InSystem);
                assert_eq!(v(Metric::Offered), accounted, "{:?} {} replication {rep}", s.kind, s.name);
            }
        }
    }
}
