//! `ccsim schedule` on a 7-day center of 3 groups: the integer program alone (`solve`, the three
//! groups' requirements over a day, and over a week) and the whole schedule, solve and verification rounds, through the
//! library on all threads. Run with `cargo bench --bench schedule`.

use criterion::{Criterion, criterion_group, criterion_main};

use ccsim::experiment::Settings;
use ccsim::experiment::roster;
use ccsim::experiment::schedule::{Requirement, schedule, templates_for};
use ccsim::scenario::{GroupId, ScenarioSource};
use ccsim::time::SlotCycle;

/// The default scenario over 7 days with a third group on the general queue, a per-slot gate and
/// two templates per group.
fn source() -> ScenarioSource {
    let mut text = ccsim::scenario::DEFAULT_SCENARIO.replacen("horizon = \"1d\"", "horizon = \"7d\"", 1);
    text.push_str(
        "\n[[agent_group]]\nname = \"overflow\"\ncount = 3\ncapacity = 2\nqueues = [\"general\"]\nshift = { start = \"09:00\", end = \"17:00\" }\n\n[[check]]\nscope = \"queue\"\nname = \"general\"\nmetric = \"service_level\"\nmin = 0.7\nevery_interval = true\n",
    );
    for (group, queues, capacity) in [
        ("generalists", "[\"vip\", \"technical\", \"general\"]", 3),
        ("specialists", "[\"technical\", \"vip\"]", 2),
        ("overflow", "[\"general\"]", 2),
    ] {
        for (name, from, to) in [("early", "06:00", "10:00"), ("late", "11:00", "14:00")] {
            text.push_str(&format!(
                "\n[[shift_template]]\nname = \"{group}_{name}\"\nstart = {{ from = \"{from}\", to = \"{to}\", every = \"30m\" }}\nlength = \"8h\"\nbreaks = [{{ window = [\"3h\", \"6h\"], duration = \"30m\" }}]\ngroup = \"{group}\"\ncapacity = {capacity}\nqueues = {queues}\n"
            ));
        }
    }
    ScenarioSource { text, file: "bench.toml".into(), base_dir: Default::default() }
}

fn bench(c: &mut Criterion) {
    let source = source();
    let scenario = source.scenario().expect("valid");
    // Requirements with the default scenario's day: more agents from 08:00 to 18:00.
    let shape = |peak: u32| -> Vec<u32> {
        (0..48)
            .map(|j| {
                if (16..36).contains(&j) {
                    peak
                } else if (14..42).contains(&j) {
                    peak / 2
                } else {
                    0
                }
            })
            .collect()
    };
    let requirement = Requirement {
        cycle: SlotCycle::daily(1800.0),
        groups: vec![(GroupId(0), shape(10)), (GroupId(1), shape(4)), (GroupId(2), shape(3))],
    };
    let templates_over = |cycle: SlotCycle| -> Vec<Vec<roster::Template>> {
        requirement
            .groups
            .iter()
            .map(|(g, _)| templates_for(&scenario, *g, 3, cycle).expect("templates").into_iter().map(|t| t.1).collect())
            .collect()
    };
    let templates = templates_over(SlotCycle::daily(1800.0));
    // The same over a week: one program of 7 × 48 slots and a template per day per group.
    let week = requirement.clone().weekly();
    let week_templates = templates_over(SlotCycle::weekly(1800.0));
    let plan = schedule(&source, &scenario, &requirement, 10, &Settings::default(), &|_| {}).expect("a schedule");
    eprintln!("schedule_7d_3_groups: {} rounds, holds: {}", plan.rounds, plan.holds());
    let mut group = c.benchmark_group("schedule");
    group.sample_size(10);
    group.bench_function("solve_3_groups", |b| {
        b.iter(|| {
            for ((_, need), t) in requirement.groups.iter().zip(&templates) {
                roster::solve(need, 0.5, t).expect("a roster");
            }
        })
    });
    group.bench_function("solve_week_3_groups", |b| {
        b.iter(|| {
            for ((_, need), t) in week.groups.iter().zip(&week_templates) {
                roster::solve(need, 0.5, t).expect("a roster");
            }
        })
    });
    group.bench_function("schedule_7d_3_groups", |b| {
        b.iter(|| schedule(&source, &scenario, &requirement, 10, &Settings::default(), &|_| {}).expect("a schedule"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Criterion's plots need system fonts, which a fresh machine may lack.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
