//! The staffing search: one `ccsim staff` search (and its verification) per iteration, through
//! the library, on all threads.
//!
//! - `default_1d`: the embedded default scenario, 2 groups sharing 3 queues, one day, a per-slot
//!   service-level gate of 80% and a whole-run abandonment gate.
//! - `default_7d`: the same over 7 days.
//!
//! Each run prints how many simulations the search took: the search should cost no more than 20
//! plain runs of the scenario. Run with `cargo bench --bench staff`.

use criterion::{Criterion, criterion_group, criterion_main};

use ccsim::experiment::Settings;
use ccsim::experiment::staff::{Request, staff};
use ccsim::scenario::{GroupId, Scenario, ScenarioSource};

fn gated(horizon: &str) -> Scenario {
    let text = format!(
        "{}\n[[check]]\nmetric = \"service_level\"\nmin = 0.8\nevery_interval = true\n\n[[check]]\nmetric = \"abandon_rate\"\nmax = 0.05\n",
        ccsim::scenario::DEFAULT_SCENARIO.replacen("horizon = \"1d\"", &format!("horizon = \"{horizon}\""), 1)
    );
    ScenarioSource { text, file: "bench.toml".into(), base_dir: Default::default() }.scenario().expect("valid")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("staff");
    group.sample_size(10);
    for (name, horizon) in [("default_1d", "1d"), ("default_7d", "7d")] {
        let scenario = gated(horizon);
        let request = Request {
            groups: (0..scenario.agent_groups.len()).map(|g| GroupId(g as u16)).collect(),
            slot: 1800.0,
            max_agents: 1000,
            verify_replications: scenario.simulation.replications,
        };
        let plan = staff(&scenario, &request, &Settings::default(), &|_| {}).expect("a search");
        eprintln!(
            "{name}: {} simulations, each of {} replications",
            plan.simulations, scenario.simulation.replications
        );
        group.bench_function(name, |b| {
            b.iter(|| staff(&scenario, &request, &Settings::default(), &|_| {}).expect("a search"))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Criterion's plots need system fonts, which a fresh machine may lack.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
