//! `ccsim compare`: several variants of one scenario (or two scenario files) on common random
//! numbers, and the paired differences of every metric.
//!
//! Every variant runs with the same seed and the same replication indices, so replication r of
//! each variant sees the same customers — the same arrivals, context values, patience and handle
//! times — and a difference between variants is measured replication by replication
//! ([`crate::metrics::statistics::paired_difference`]). That removes the customers' own noise from
//! the comparison: the paired interval of a push-vs-pick difference is far narrower than the one
//! two independent runs would give.
//!
//! Customers are drawn per channel, from streams keyed by the channel's place in the file: two
//! variants whose channels differ in name, number or order do not see the same customers, so they
//! are refused ([`CompareError::Unpaired`]) rather than compared as if they did. Other tables may
//! differ (a second scenario file may add a queue or rename an agent group): scopes are matched by
//! kind and name (see [`crate::metrics::comparison`]), never by their place in the file.
//!
//! All variants' replications run as one parallel workload ([`super::run_all`]).

use crate::metrics::Comparison;
use crate::scenario::{Override, Scenario};

use super::{Settings, Stopped, run_all};

/// A named scenario to compare.
pub struct Variant {
    pub name: String,
    pub scenario: Scenario,
}

/// Why variants cannot be compared.
#[derive(Debug, Clone, PartialEq)]
pub enum CompareError {
    /// The variants would not see the same customers (replications, seed or channels differ).
    Unpaired(String),
    /// A Ctrl-C or an overloaded replication stopped the runs.
    Stopped(Stopped),
}

/// `--variant NAME:KEY=VALUE[,KEY=VALUE]`: the variant's name and its overrides, cut at the commas
/// outside quotes, `{}` and `[]` (`shift={start="13:00",end="22:00"}` is one value). A value may
/// also hold bare commas when no `=` follows them.
pub fn parse_variant(text: &str) -> Result<(String, Vec<Override>), String> {
    let bad = |why: &str| format!("--variant {text}: {why}; expected NAME:KEY=VALUE[,KEY=VALUE]");
    let (name, spec) = text.split_once(':').ok_or_else(|| bad("no NAME:"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(bad("an empty name"));
    }
    let mut pieces: Vec<String> = Vec::new();
    for piece in crate::scenario::overrides::split_top_level(spec, ',', usize::MAX) {
        match pieces.last_mut() {
            Some(last) if !piece.contains('=') => {
                last.push(',');
                last.push_str(piece);
            }
            _ => pieces.push(piece.to_string()),
        }
    }
    let origin = format!("--variant {name}:");
    let sets = pieces
        .iter()
        .map(|p| p.parse::<Override>().map(|o| Override { origin: origin.clone(), ..o }).map_err(|e| bad(&e)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((name.to_string(), sets))
}

/// Why `variant` does not see the same customers as `base`, if it does not.
pub fn unpaired(base: &Variant, variant: &Variant) -> Option<String> {
    let (first, sim) = (&base.scenario.simulation, &variant.scenario.simulation);
    if sim.replications != first.replications || sim.seed != first.seed {
        return Some(format!(
            "variant \"{}\" has {} replications with seed {}, \"{}\" has {} with seed {}; expected the same replications and seed so that the variants see the same customers",
            variant.name, sim.replications, sim.seed, base.name, first.replications, first.seed
        ));
    }
    let names = |v: &Variant| v.scenario.channels.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let (a, b) = (names(base), names(variant));
    if a == b {
        return None;
    }
    let only = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter().filter(|n| !y.contains(n)).map(|n| format!("\"{n}\"")).collect()
    };
    let (only_a, only_b) = (only(&a, &b), only(&b, &a));
    let what = if only_a.is_empty() && only_b.is_empty() {
        format!("the same channels in another order ({} against {})", a.join(", "), b.join(", "))
    } else {
        let mut parts = Vec::new();
        if !only_a.is_empty() {
            parts.push(format!("only \"{}\" has the channel(s) {}", base.name, only_a.join(", ")));
        }
        if !only_b.is_empty() {
            parts.push(format!("only \"{}\" has the channel(s) {}", variant.name, only_b.join(", ")));
        }
        parts.join("; ")
    };
    Some(format!(
        "\"{}\" and \"{}\" cannot be compared on common random numbers: {what}; customers are drawn per channel, so expected the same channels, with the same names, in the same order",
        base.name, variant.name
    ))
}

/// Runs every variant's replications (all variants in one parallel workload) and gathers them in
/// variant order. `progress(done)` counts replications over all variants.
pub fn compare(
    variants: Vec<Variant>,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Comparison, CompareError> {
    if let Some(why) = variants[1..].iter().find_map(|v| unpaired(&variants[0], v)) {
        return Err(CompareError::Unpaired(why));
    }
    let (names, scenarios): (Vec<String>, Vec<Scenario>) = variants.into_iter().map(|v| (v.name, v.scenario)).unzip();
    let results = run_all(&scenarios, settings, progress).map_err(CompareError::Stopped)?;
    Ok(Comparison { variants: names.into_iter().zip(results).collect() })
}
