//! Engine throughput: conversations per second and events per second, one replication on one
//! thread, metrics collected as in a real run.
//!
//! - `mmc`: M/M/c, λ = 540/h, AHT 300 s, 50 agents, push, no abandonment, 10 days
//!   (≈130 000 conversations).
//! - `mmc_patience`: the same with exponential patience of mean 600 s.
//! - `default_scenario`: the embedded default scenario (one day).
//! - `large_center`: `benches/large_center.toml` — 2,000 agents in 6 groups, 12 queues, 4 channels
//!   with hourly rates, 7 days (≈3 million conversations).
//!
//! Each workload is measured twice, in the groups `conversations` and `events`, so that criterion
//! reports both rates ("elements/s"). Run with `cargo bench --bench engine`; add
//! `-- conversations` or `-- events` for one of them.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use ccsim::engine;
use ccsim::metrics::{Collector, Metric};
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

fn large_center() -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/large_center.toml");
    let text = std::fs::read_to_string(path).expect("benches/large_center.toml is readable");
    Scenario::from_toml(&text, path).expect("valid bench scenario")
}

/// One replication as `ccsim run` simulates it; returns (conversations offered, events).
fn replicate(scenario: &Scenario) -> (u64, u64) {
    let mut collector = Collector::new(scenario, false);
    let outcome = engine::simulate(scenario, 0, &mut collector);
    let totals = collector.cells.conv_totals();
    let offered = Metric::Offered.value(Some(&totals[0]), None, 1.0, 1).number() as u64;
    (offered, outcome.events)
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("mmc", mmc(""), 20),
        ("mmc_patience", mmc(r#"patience = { dist = "exponential", mean = "600s" }"#), 20),
        ("default_scenario", Scenario::default_scenario(), 20),
        ("large_center", large_center(), 10),
    ];
    for (unit, pick) in [("conversations", 0), ("events", 1)] {
        let mut group = c.benchmark_group(unit);
        for (name, scenario, samples) in &cases {
            let counts = replicate(scenario);
            group.sample_size(*samples);
            group.throughput(Throughput::Elements(if pick == 0 { counts.0 } else { counts.1 }));
            group.bench_function(*name, |b| b.iter(|| replicate(scenario)));
        }
        group.finish();
    }
}

// No plots: criterion's charts would need a font registered with plotters, and the figures are
// what matters here.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
