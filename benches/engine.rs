//! Engine throughput, in conversations per second (criterion's "elements").
//!
//! - `mmc`: M/M/c, λ = 540/h, AHT 300 s, 50 agents, push, no abandonment, one replication of
//!   10 days (≈130 000 conversations), metrics collected as in a real run.
//! - `mmc_patience`: the same with exponential patience of mean 600 s.
//! - `default_scenario`: one replication of the embedded default scenario.
//!
//! Run with `cargo bench --bench engine`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use ccsim::experiment::replicate;
use ccsim::metrics::Metric;
use ccsim::scenario::Scenario;

fn mmc(patience: &str) -> Scenario {
    let text = format!(
        r#"
[simulation]
horizon = "10d"
replications = 1
[[channel]]
name = "calls"
kind = "voice"
work_stream = "w"
arrivals = {{ process = "poisson", rate_per_hour = 540 }}
[[work_stream]]
name = "w"
handle_time = {{ dist = "exponential", mean = "300s" }}
{patience}
[[queue]]
name = "q"
[[agent_group]]
name = "agents"
count = 50
queues = ["q"]
"#
    );
    Scenario::from_toml(&text, "bench").expect("valid bench scenario")
}

fn offered(scenario: &Scenario) -> u64 {
    let cells = replicate(scenario, 0);
    let totals = cells.conv_totals();
    Metric::Offered.value(Some(&totals[0]), None, 1.0, 1).number() as u64
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("mmc", mmc("")),
        ("mmc_patience", mmc(r#"patience = { dist = "exponential", mean = "600s" }"#)),
        ("default_scenario", Scenario::default_scenario()),
    ];
    let mut group = c.benchmark_group("engine");
    group.sample_size(20);
    for (name, scenario) in &cases {
        group.throughput(Throughput::Elements(offered(scenario)));
        group.bench_function(*name, |b| b.iter(|| replicate(scenario, 0)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
