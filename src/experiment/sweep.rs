//! `ccsim sweep`: one scenario run at every point of a grid of overrides.
//!
//! `--vary KEY=V1,V2,…` lists values; `KEY=10..30` is every integer from 10 to 30 and
//! `KEY=10..30/5` every fifth (bounds included; decimals allowed, e.g. `0.5..1/0.25`). Several
//! `--vary` make a grid, the first varying slowest. Every point runs with the same seed, so
//! neighbouring points see the same customers and their differences are smooth.
//!
//! The values of a decimal range are rounded to as many decimals as FROM and STEP have, so
//! `0.1..0.3/0.1` is 0.1, 0.2, 0.3 — not 0.30000000000000004 — in folder names and `sweep.csv`;
//! FROM and STEP may have at most 12 decimals, so that rounding never merges values.
//! Every point's replications run in one parallel workload ([`super::run_all`]); each point writes
//! into a folder named after its label, made unique by [`super::folders::point_folders`].

use std::str::FromStr;

use crate::metrics::RunResults;
use crate::scenario::{Override, Scenario, limits};

use super::{Settings, Stopped, run_all};

/// One varied key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

impl FromStr for Axis {
    type Err = String;
    fn from_str(text: &str) -> Result<Axis, String> {
        let (key, spec) = text
            .split_once('=')
            .ok_or_else(|| format!("\"{text}\" is not KEY=VALUES; expected e.g. agent_group.tier1.count=10..30/5"))?;
        crate::scenario::overrides::check_key(key.trim())?;
        let values = match spec.split_once("..") {
            Some((from, rest)) => {
                let (to, step) = rest.split_once('/').unwrap_or((rest, "1"));
                let number = |s: &str| {
                    s.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                        format!("\"{spec}\" is not a range; expected FROM..TO or FROM..TO/STEP with numbers")
                    })
                };
                let (from, to, step) = (number(from)?, number(to)?, number(step)?);
                if step <= 0.0 || to < from {
                    return Err(format!("\"{spec}\": expected FROM ≤ TO and a positive STEP"));
                }
                let count = ((to - from) / step + 1e-9).floor() + 1.0;
                if count > limits::POINTS as f64 {
                    return Err(format!(
                        "\"{spec}\" has {count} values; expected at most {} (limit POINTS)",
                        limits::POINTS
                    ));
                }
                let count = count as usize;
                let places = decimals(from).max(decimals(step));
                if places > MAX_DECIMALS {
                    return Err(format!(
                        "\"{spec}\": FROM and STEP have {places} decimals; expected at most {MAX_DECIMALS} (list smaller values one by one: KEY=V1,V2,…)"
                    ));
                }
                (0..count).map(|i| rounded(from + step * i as f64, places)).collect()
            }
            None => {
                let count = spec.split(',').filter(|v| !v.trim().is_empty()).count();
                if count > limits::POINTS {
                    return Err(format!("{count} values; expected at most {} (limit POINTS)", limits::POINTS));
                }
                spec.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect::<Vec<_>>()
            }
        };
        if values.is_empty() {
            return Err(format!("no values in \"{text}\"; expected KEY=V1,V2,… or KEY=FROM..TO[/STEP]"));
        }
        Ok(Axis { key: key.trim().to_string(), values })
    }
}

/// The most decimals a range's FROM and STEP may have: beyond them, rounding would merge values.
const MAX_DECIMALS: usize = 12;

/// How many decimals `x` has in its shortest form (`0.25` → 2, `10` → 0).
fn decimals(x: f64) -> usize {
    format!("{x}").split_once('.').map_or(0, |(_, fraction)| fraction.len())
}

/// `x` with `places` decimals, without trailing zeros (`0.30000000000000004`, 1 → `0.3`).
fn rounded(x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0".to_string() } else { text.to_string() }
}

/// A point of the grid: its overrides, in axis order.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub assignments: Vec<Override>,
}

impl Point {
    /// `key=value,key=value`, also the name of the point's output folder; values without the
    /// quotes of a TOML string.
    pub fn label(&self) -> String {
        self.assignments.iter().map(|o| format!("{}={}", o.key, o.plain_value())).collect::<Vec<_>>().join(",")
    }
}

/// How many points the axes make, refused before any is built when more than
/// [`limits::POINTS`].
pub fn point_count(axes: &[Axis]) -> Result<usize, String> {
    let counts: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
    axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.values.len()).filter(|&n| n <= limits::POINTS)).ok_or_else(
        || {
            format!(
                "the grid has {} points; expected at most {} (limit POINTS): vary fewer keys or fewer values",
                counts.join(" × "),
                limits::POINTS
            )
        },
    )
}

/// Every combination of the axes' values, the first axis varying slowest.
pub fn grid(axes: &[Axis]) -> Vec<Point> {
    let mut points = vec![Point { assignments: Vec::new() }];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                axis.values.iter().map(move |v| {
                    let mut assignments = p.assignments.clone();
                    assignments.push(Override { key: axis.key.clone(), value: v.clone(), origin: "--vary ".into() });
                    Point { assignments }
                })
            })
            .collect();
    }
    points
}

/// Builds each point's scenario with `scenario_at` (so bad values fail before anything runs),
/// checks that the points fit in memory together, then runs all their replications in one
/// parallel workload; `progress(done)` counts replications over all points. `E` is the caller's
/// error for invalid input, which a memory refusal becomes too.
pub fn sweep<E: From<String>>(
    points: &[Point],
    scenario_at: &dyn Fn(&Point) -> Result<Scenario, E>,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Result<Vec<(Scenario, RunResults)>, Stopped>, E> {
    let scenarios = points.iter().map(scenario_at).collect::<Result<Vec<_>, _>>()?;
    super::check_memory(&scenarios)?;
    Ok(run_all(&scenarios, settings, progress).map(|results| scenarios.into_iter().zip(results).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_ranges_and_steps() {
        assert_eq!("a.b=1,2,5".parse::<Axis>().unwrap().values, vec!["1", "2", "5"]);
        assert_eq!("a.b=10..13".parse::<Axis>().unwrap().values, vec!["10", "11", "12", "13"]);
        assert_eq!("a.b=10..30/10".parse::<Axis>().unwrap().values, vec!["10", "20", "30"]);
        assert_eq!("a.b=0.5..1/0.25".parse::<Axis>().unwrap().values, vec!["0.5", "0.75", "1"]);
        assert_eq!("a.b=0.1..0.3/0.1".parse::<Axis>().unwrap().values, vec!["0.1", "0.2", "0.3"]);
        assert_eq!("a.b=0.7..1/0.1".parse::<Axis>().unwrap().values, vec!["0.7", "0.8", "0.9", "1"]);
        assert_eq!("a.b=-1..1/0.5".parse::<Axis>().unwrap().values, vec!["-1", "-0.5", "0", "0.5", "1"]);
        assert_eq!("a.b=1.5..3".parse::<Axis>().unwrap().values, vec!["1.5", "2.5"]);
        assert_eq!("m=push,pick".parse::<Axis>().unwrap().values, vec!["push", "pick"]);
        // Rounding to 12 decimals would have made every value of these 0.
        for tiny in ["a.b=0..0.0000000000003/0.0000000000001", "a.b=0.0000000000001..0.0000000000003/0.0000000000001"] {
            assert!(tiny.parse::<Axis>().unwrap_err().contains("at most 12"), "{tiny}");
        }
        let twelve = "a.b=0..0.000000000002/0.000000000001".parse::<Axis>().unwrap().values;
        assert_eq!(twelve, vec!["0", "0.000000000001", "0.000000000002"]);
        for bad in ["a.b", "a.b=", "a.b=5..1", "a.b=1..5/0", "a.b=x..y"] {
            assert!(bad.parse::<Axis>().is_err(), "{bad}");
        }
    }

    #[test]
    fn grids_beyond_the_point_limit_are_refused_before_they_are_built() {
        let wide = |n: usize| format!("k=0..{}", n - 1).parse::<Axis>().unwrap();
        assert_eq!(point_count(&[wide(100), wide(100)]), Ok(10_000));
        let e = point_count(&[wide(10_000), wide(10_000)]).unwrap_err();
        assert!(e.contains("10000 × 10000") && e.contains("limit POINTS"), "{e}");
        assert!(point_count(&[wide(10_000), wide(2)]).is_err());
        assert!("k=0..10000".parse::<Axis>().unwrap_err().contains("limit POINTS"));
        let many: Vec<String> = (0..=10_000).map(|i| i.to_string()).collect();
        assert!(format!("k={}", many.join(",")).parse::<Axis>().unwrap_err().contains("limit POINTS"));
    }

    #[test]
    fn a_grid_varies_the_first_axis_slowest() {
        let axes = ["x=1,2".parse().unwrap(), "y=a,b,c".parse().unwrap()];
        let labels: Vec<String> = grid(&axes).iter().map(Point::label).collect();
        assert_eq!(labels, vec!["x=1,y=a", "x=1,y=b", "x=1,y=c", "x=2,y=a", "x=2,y=b", "x=2,y=c"]);
    }
}
