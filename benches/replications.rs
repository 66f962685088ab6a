//! Parallel replications: 16 replications of M/M/c (λ = 540/h, AHT 300 s, 50 agents, 60 days
//! each, several seconds on one thread) on 1 and on 2 threads. The ratio of the two times is the
//! speed-up that `--threads` gives; results are identical either way.
//!
//! Run with `cargo bench --bench replications`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use ccsim::experiment::{Settings, run_replications};
use ccsim::scenario::Scenario;

fn scenario() -> Scenario {
    let text = r#"
[simulation]
horizon = "60d"
replications = 16
[[channel]]
name = "calls"
kind = "voice"
work_stream = "w"
arrivals = { process = "poisson", rate_per_hour = 540 }
[[work_stream]]
name = "w"
handle_time = { dist = "exponential", mean = "300s" }
[[queue]]
name = "q"
[[agent_group]]
name = "agents"
count = 50
queues = ["q"]
"#;
    Scenario::from_toml(text, "bench").expect("valid bench scenario")
}

fn bench(c: &mut Criterion) {
    let s = scenario();
    let mut group = c.benchmark_group("replications");
    group.sample_size(10);
    group.throughput(Throughput::Elements(16 * 540 * 24 * 60));
    for threads in [1, 2] {
        let settings = Settings { threads: Some(threads), ..Settings::default() };
        group.bench_function(format!("16x60d_threads_{threads}"), |b| {
            b.iter(|| run_replications(&s, &settings, &|_| {}))
        });
    }
    group.finish();
}

// No plots: criterion's charts would need a font registered with plotters, and the figures are
// what matters here.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
