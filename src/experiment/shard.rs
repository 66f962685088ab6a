//! Sharded runs (DESIGN.md "Shards"): a command's work list cut into N contiguous slices, each run
//! by its own process (a Slurm array task, a Kubernetes Indexed Job pod), and merged back into
//! exactly what the unsharded command writes.
//!
//! A slice K of N holds pairs ⌊(K−1)·P/N⌋ .. ⌊K·P/N⌋ − 1 of the P pairs of [`super::work_list`].
//! Its shard folder holds `shard.toml` (the [`Manifest`]) and `cells.bin`: the per-interval cells
//! of each of its replications, in list order, which is all that the command's files are computed
//! from. `cells.bin` is the 8 bytes `ccsimshd`, the format version as a 4-byte little-endian
//! integer, then one `IntervalCells` per pair in the postcard encoding (varints; floats as their
//! 8 little-endian bytes, so that every sum reads back to the bit). Its size grows with the
//! replications, intervals and scopes, never with the conversations.
//!
//! The merge ([`Stored`]) checks that the manifests agree and that every slice is there once,
//! then the command runs again with its replications read from the shards instead of simulated
//! (`Stored::replay`, through [`super::Settings::stored`]): the same code writes the same
//! bytes, charts and exit code included.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Settings, Sink, Stopped, run_pairs, work_list};
use crate::metrics::IntervalCells;
use crate::metrics::cells::ScopeLayout;
use crate::report::OutputFile;
use crate::scenario::Scenario;

/// The shard format this ccsim writes and reads.
pub const FORMAT: u32 = 3;

/// The first bytes of `cells.bin`.
const MAGIC: &[u8; 8] = b"ccsimshd";

/// The manifest's file name in a shard folder.
pub const MANIFEST: &str = "shard.toml";

/// The cells' file name in a shard folder.
pub const CELLS: &str = "cells.bin";

/// Slice `k` of `n` (1-based) of a command's work list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slice {
    pub k: u32,
    pub n: u32,
}

impl Slice {
    /// Reads `K/N`.
    pub fn parse(text: &str) -> Result<Slice, String> {
        let bad = || format!("--shard {text}: expected K/N with 1 ≤ K ≤ N (e.g. 3/8), or auto");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n) = (k.trim().parse::<u32>().map_err(|_| bad())?, n.trim().parse::<u32>().map_err(|_| bad())?);
        if k == 0 || k > n {
            return Err(bad());
        }
        Ok(Slice { k, n })
    }

    /// K and N from a cluster's variables: Slurm's job array (`SLURM_ARRAY_TASK_ID` counted from
    /// `SLURM_ARRAY_TASK_MIN`, default 1, in steps of `SLURM_ARRAY_TASK_STEP`, default 1; N from
    /// `--shards`, `SLURM_ARRAY_TASK_COUNT`, or `_MIN` to `_MAX`), or Kubernetes' Indexed Job
    /// (`JOB_COMPLETION_INDEX`, from 0, with `shards` given by `--shards N`).
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>, shards: Option<u32>) -> Result<Slice, String> {
        let number = |name: &str| -> Result<Option<u32>, String> {
            var(name)
                .map(|v| {
                    v.trim().parse::<u32>().map_err(|_| format!("--shard auto: {name}={v}; expected a whole number"))
                })
                .transpose()
        };
        let slice = if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(1).min(id);
            let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
            let n = match (shards, number("SLURM_ARRAY_TASK_COUNT")?, number("SLURM_ARRAY_TASK_MAX")?) {
                (Some(n), _, _) => n,
                (None, Some(count), _) => count,
                (None, None, Some(max)) => max.saturating_sub(min) / step + 1,
                (None, None, None) => {
                    return Err("--shard auto: SLURM_ARRAY_TASK_ID is set, but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX; expected a job array (sbatch --array=1-N), or --shards N".into());
                }
            };
            Slice { k: (id - min) / step + 1, n }
        } else if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let n = shards.ok_or(
                "--shard auto: JOB_COMPLETION_INDEX is set; expected --shards N as well (the Job's completions)",
            )?;
            Slice { k: index + 1, n }
        } else {
            return Err("--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; expected to run as a Slurm array task or a Kubernetes Indexed Job, or --shard K/N".into());
        };
        if slice.k == 0 || slice.k > slice.n {
            return Err(format!(
                "--shard auto: shard {} of {}; expected 1 ≤ K ≤ N (an array of ids from its minimum, as many as --shards or the array's count)",
                slice.k, slice.n
            ));
        }
        Ok(slice)
    }

    /// The places in a work list of `pairs` pairs that this slice holds.
    pub fn range(self, pairs: usize) -> Range<usize> {
        let at = |k: u32| (u128::from(k) * pairs as u128 / u128::from(self.n)) as usize;
        at(self.k - 1)..at(self.k)
    }

    /// The shard folder's name: `shard-K-of-N`.
    pub fn folder(self) -> String {
        format!("shard-{}-of-{}", self.k, self.n)
    }
}

/// What a shard folder says of itself (`shard.toml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The shard format ([`FORMAT`]).
    pub format: u32,
    /// The ccsim version that wrote it.
    pub ccsim: String,
    /// The command and its arguments, without the ones that do not change results (`-o`,
    /// `--shard`, `--shards`, `--threads`).
    pub command: Vec<String>,
    /// SHA-256 of the resolved scenarios the command ran, overrides and data files included.
    pub scenario_sha256: String,
    /// The first scenario's seed and replications.
    pub seed: u64,
    pub replications: u32,
    /// K and N.
    pub shard: u32,
    pub shards: u32,
    /// The pairs of the whole work list, and the places this shard holds.
    pub pairs: u64,
    pub first: u64,
    pub count: u64,
    /// SHA-256 of `cells.bin`.
    pub cells_sha256: String,
}

/// SHA-256 of the resolved scenarios: every value they hold, the data files' contents included.
pub fn scenario_hash(scenarios: &[Scenario]) -> String {
    hex(&Sha256::digest(format!("{scenarios:?}").as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs slice `slice` of the work list of `scenarios` and returns the shard folder's files
/// (`shard.toml` and `cells.bin`). `command` is the command line to record.
pub fn run_slice(
    command: &[String],
    scenarios: &[Scenario],
    slice: Slice,
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<OutputFile>, Stopped> {
    let pairs = work_list(scenarios);
    let range = slice.range(pairs.len());
    let mut cells = Vec::with_capacity(12);
    cells.extend_from_slice(MAGIC);
    cells.extend_from_slice(&FORMAT.to_le_bytes());
    let mut encode = |_: usize, c: IntervalCells, _| {
        cells = postcard::to_extend(&c, std::mem::take(&mut cells)).expect("writing to a Vec cannot fail");
    };
    run_pairs(scenarios, &pairs[range.clone()], settings, progress, &mut encode)?;
    let first = scenarios.first().map(|s| &s.simulation);
    let manifest = Manifest {
        format: FORMAT,
        ccsim: env!("CARGO_PKG_VERSION").into(),
        command: command.to_vec(),
        scenario_sha256: scenario_hash(scenarios),
        seed: first.map_or(0, |s| s.seed),
        replications: first.map_or(0, |s| s.replications),
        shard: slice.k,
        shards: slice.n,
        pairs: pairs.len() as u64,
        first: range.start as u64,
        count: range.len() as u64,
        cells_sha256: hex(&Sha256::digest(&cells)),
    };
    let text = toml::to_string(&manifest).expect("a manifest is plain TOML");
    Ok(vec![
        OutputFile { name: MANIFEST.into(), bytes: text.into_bytes() },
        OutputFile { name: CELLS.into(), bytes: cells },
    ])
}

/// The shards of one sharded command, checked to be whole: every slice once, all of one
/// command, scenario, seed, version and N.
#[derive(Debug)]
pub struct Stored {
    /// In slice order: each shard's folder and manifest.
    shards: Vec<(PathBuf, Manifest)>,
}

impl Stored {
    /// Reads the shard folders `paths` (a folder holding shard folders counts as those), checks
    /// their manifests and cells, and returns them in slice order. Every error names the shard.
    pub fn open(paths: &[PathBuf]) -> Result<Stored, String> {
        let mut folders = Vec::new();
        for path in paths {
            if path.join(MANIFEST).is_file() {
                folders.push(path.clone());
                continue;
            }
            let entries = std::fs::read_dir(path).map_err(|e| {
                format!("{}: not a shard folder (no {MANIFEST}) and not a folder of shards: {e}", path.display())
            })?;
            let mut inside: Vec<PathBuf> =
                entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.join(MANIFEST).is_file()).collect();
            if inside.is_empty() {
                return Err(format!(
                    "{}: no {MANIFEST} in it or in its folders; expected the folders that --shard wrote",
                    path.display()
                ));
            }
            inside.sort();
            folders.extend(inside);
        }
        let mut shards = Vec::new();
        for folder in folders {
            let manifest = read_manifest(&folder)?;
            shards.push((folder, manifest));
        }
        let (first_folder, first) = shards.first().cloned().ok_or("no shards given")?;
        for (folder, m) in &shards {
            if m.ccsim != env!("CARGO_PKG_VERSION") {
                return Err(format!(
                    "{}: written by ccsim {}; expected shards of this ccsim, {}, whose results may differ",
                    folder.display(),
                    m.ccsim,
                    env!("CARGO_PKG_VERSION")
                ));
            }
            let differs = |what: &str, mine: String, theirs: String| {
                format!(
                    "{}: {what} {mine}, but {} has {theirs}; expected the shards of one sharded command",
                    folder.display(),
                    first_folder.display()
                )
            };
            if m.command != first.command {
                return Err(differs("ran", m.command.join(" "), first.command.join(" ")));
            }
            if m.scenario_sha256 != first.scenario_sha256 {
                return Err(differs("ran scenario", m.scenario_sha256.clone(), first.scenario_sha256.clone()));
            }
            if (m.seed, m.replications) != (first.seed, first.replications) {
                return Err(differs(
                    "ran seed and replications",
                    format!("{} × {}", m.seed, m.replications),
                    format!("{} × {}", first.seed, first.replications),
                ));
            }
            if (m.shards, m.pairs) != (first.shards, first.pairs) {
                return Err(differs(
                    "is one of",
                    format!("{} shards of {} pairs", m.shards, m.pairs),
                    format!("{} of {}", first.shards, first.pairs),
                ));
            }
        }
        shards.sort_by_key(|(_, m)| m.shard);
        for pair in shards.windows(2) {
            if pair[0].1.shard == pair[1].1.shard {
                return Err(format!(
                    "{} and {}: both are shard {} of {}; expected each shard once",
                    pair[0].0.display(),
                    pair[1].0.display(),
                    pair[0].1.shard,
                    first.shards
                ));
            }
        }
        let missing: Vec<String> =
            (1..=first.shards).filter(|k| !shards.iter().any(|(_, m)| m.shard == *k)).map(|k| k.to_string()).collect();
        if !missing.is_empty() {
            return Err(format!(
                "shard{} {} of {} missing (given: {}); expected every shard 1..{}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                first.shards,
                shards.iter().map(|(f, _)| f.display().to_string()).collect::<Vec<_>>().join(", "),
                first.shards
            ));
        }
        for (folder, m) in &shards {
            let range = Slice { k: m.shard, n: m.shards }.range(m.pairs as usize);
            if (m.first, m.count) != (range.start as u64, range.len() as u64) {
                return Err(format!(
                    "{}: holds pairs {}..{}; shard {} of {} holds {}..{}: a damaged {MANIFEST}",
                    folder.display(),
                    m.first,
                    m.first + m.count,
                    m.shard,
                    m.shards,
                    range.start,
                    range.end
                ));
            }
            read_cells(folder, m)?;
        }
        Ok(Stored { shards })
    }

    /// The command the shards ran, to run again on their replications.
    pub fn command(&self) -> &[String] {
        &self.shards[0].1.command
    }

    /// Hands every pair's cells to `sink` in list order, as [`run_pairs`] would have, after
    /// checking that `scenarios` are the ones the shards ran.
    pub(crate) fn replay(
        &self,
        scenarios: &[Scenario],
        progress: &(dyn Fn(usize) + Sync),
        sink: &mut Sink<'_>,
    ) -> Result<(), Stopped> {
        let first = &self.shards[0].1;
        if scenario_hash(scenarios) != first.scenario_sha256 {
            return Err(Stopped::Shards(format!(
                "the shards ran another scenario than `ccsim {}` reads now (a scenario, data file, baseline or ccsim changed since); expected the files the shards ran",
                first.command.join(" ")
            )));
        }
        let pairs = work_list(scenarios);
        if pairs.len() as u64 != first.pairs {
            return Err(Stopped::Shards(format!(
                "the shards hold {} pairs, the command runs {}",
                first.pairs,
                pairs.len()
            )));
        }
        let mut place = 0;
        for (folder, m) in &self.shards {
            let bytes = read_cells(folder, m).map_err(Stopped::Shards)?;
            let mut rest = &bytes[MAGIC.len() + 4..];
            for _ in 0..m.count {
                let damaged = |why: String| Stopped::Shards(format!("{}: {CELLS} is damaged: {why}", folder.display()));
                let (cells, tail) =
                    postcard::take_from_bytes::<IntervalCells>(rest).map_err(|e| damaged(e.to_string()))?;
                let scenario = &scenarios[pairs[place].0];
                let layout = ScopeLayout::of(scenario);
                let intervals = scenario.simulation.interval_count();
                if cells.layout != layout
                    || cells.intervals != intervals
                    || cells.conv.len() != intervals * layout.conv_scopes()
                    || cells.agent.len() != intervals * layout.agent_scopes()
                {
                    return Err(damaged(format!(
                        "pair {} does not have the scenario's intervals and scopes",
                        place + 1
                    )));
                }
                sink(place, cells, None);
                place += 1;
                progress(place);
                rest = tail;
            }
            if !rest.is_empty() {
                return Err(Stopped::Shards(format!(
                    "{}: {CELLS} is damaged: {} bytes after its last pair",
                    folder.display(),
                    rest.len()
                )));
            }
        }
        Ok(())
    }
}

fn read_manifest(folder: &Path) -> Result<Manifest, String> {
    let path = folder.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
    #[derive(Deserialize)]
    struct Version {
        format: Option<u32>,
    }
    let version =
        toml::from_str::<Version>(&text).map_err(|e| format!("{}: not a shard manifest: {e}", path.display()))?;
    if version.format != Some(FORMAT) {
        return Err(format!(
            "{}: shard format {}; this ccsim reads format {FORMAT}: expected shards written by ccsim {}",
            path.display(),
            version.format.map_or_else(|| "missing".to_string(), |f| f.to_string()),
            env!("CARGO_PKG_VERSION")
        ));
    }
    toml::from_str(&text).map_err(|e| format!("{}: not a shard manifest: {e}", path.display()))
}

/// The shard's `cells.bin`, checked against its manifest's hash and header.
fn read_cells(folder: &Path, m: &Manifest) -> Result<Vec<u8>, String> {
    let path = folder.join(CELLS);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
    if hex(&Sha256::digest(&bytes)) != m.cells_sha256 {
        return Err(format!(
            "{}: damaged: its SHA-256 is not the one {MANIFEST} records; expected the file as the shard wrote it",
            path.display()
        ));
    }
    if bytes.len() < MAGIC.len() + 4 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(format!("{}: not a ccsim shard's cells", path.display()));
    }
    let format = u32::from_le_bytes(bytes[MAGIC.len()..MAGIC.len() + 4].try_into().expect("4 bytes"));
    if format != FORMAT {
        return Err(format!("{}: shard format {format}; this ccsim reads format {FORMAT}", path.display()));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cut_the_work_list_into_contiguous_parts_that_cover_it_once() {
        for pairs in [0, 1, 2, 5, 7, 40, 101] {
            for n in [1, 2, 3, 7, 8] {
                let ranges: Vec<Range<usize>> = (1..=n).map(|k| Slice { k, n }.range(pairs)).collect();
                assert_eq!(ranges[0].start, 0);
                assert_eq!(ranges.last().unwrap().end, pairs);
                assert!(ranges.windows(2).all(|w| w[0].end == w[1].start), "{pairs} pairs, {n} shards");
                // As even as whole pairs allow.
                let sizes: Vec<usize> = ranges.iter().map(Range::len).collect();
                assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "{sizes:?}");
            }
        }
        assert_eq!(Slice { k: 2, n: 3 }.range(10), 3..6);
    }

    #[test]
    fn shards_read_k_of_n_and_the_cluster_variables() {
        assert_eq!(Slice::parse("3/8"), Ok(Slice { k: 3, n: 8 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(Slice::parse(bad).is_err(), "{bad}");
        }
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let slurm = env(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4")]);
        assert_eq!(Slice::from_env(&slurm, None), Ok(Slice { k: 3, n: 4 }));
        let from_zero =
            env(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "6")]);
        assert_eq!(Slice::from_env(&from_zero, None), Ok(Slice { k: 1, n: 7 }));
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "6"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ]);
        assert_eq!(Slice::from_env(&stepped, None), Ok(Slice { k: 3, n: 4 }));
        let kubernetes = env(&[("JOB_COMPLETION_INDEX", "6")]);
        assert_eq!(Slice::from_env(&kubernetes, Some(7)), Ok(Slice { k: 7, n: 7 }));
        assert!(Slice::from_env(&kubernetes, None).unwrap_err().contains("--shards N"));
        assert!(Slice::from_env(&kubernetes, Some(6)).is_err());
        assert!(Slice::from_env(&env(&[]), None).unwrap_err().contains("neither"));
    }
}
