//! Shared helpers for the integration tests: small scenarios written as TOML, run in-process.

#![allow(dead_code)]

use ccsim::experiment;
use ccsim::metrics::{Estimate, Metric, RunResults, Scope, ScopeKind};
use ccsim::scenario::Scenario;

/// A single-queue push center: Poisson arrivals, exponential handle times, `agents` agents of
/// capacity `agent_capacity`, conversations of 1 unit; `extra_ws` is appended to the work stream.
pub fn single_queue(
    rate_per_hour: f64,
    aht_s: f64,
    agents: u32,
    agent_capacity: u32,
    extra_ws: &str,
    simulation: &str,
) -> String {
    format!(
        r#"
[simulation]
name = "single-queue"
{simulation}

[[channel]]
name = "chat"
kind = "live_chat"
work_stream = "chat"
arrivals = {{ process = "poisson", rate_per_hour = {rate_per_hour} }}

[[work_stream]]
name = "chat"
capacity = 1
handle_time = {{ dist = "exponential", mean = {aht_s} }}
auto_close_open = "0s"
{extra_ws}

[[queue]]
name = "q"

[[agent_group]]
name = "agents"
count = {agents}
capacity = {agent_capacity}
queues = ["q"]
"#
    )
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
