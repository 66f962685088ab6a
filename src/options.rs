//! From the command line's options to what the library runs: the scenario with its overrides,
//! the run settings (threads, Ctrl-C), the output folder and its lock, the files to write, and the
//! warnings and progress bar around a run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use ccsim::experiment::folders::safe_component;
use ccsim::experiment::{self, Settings, shard};
use ccsim::metrics::RunResults;
use ccsim::report;
use ccsim::scenario::{Override, Scenario, ScenarioSource, limits};

use crate::cli::{RunOptions, ShardArgs};
use crate::error::CliError;

/// Set by Ctrl-C, SIGTERM or SIGHUP; runs stop within a few milliseconds and write nothing.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub fn source(path: Option<&Path>) -> Result<ScenarioSource, CliError> {
    match path {
        Some(p) => ScenarioSource::read(p).map_err(CliError::from),
        None => Ok(ScenarioSource::default_scenario()),
    }
}

pub fn overrides(texts: &[String]) -> Result<Vec<Override>, CliError> {
    texts.iter().map(|t| t.parse::<Override>().map_err(|e| CliError::Input(format!("--set {t}: {e}")))).collect()
}

/// The scenario with the run options applied: `--set` overrides (then `extra`), `-r`, `--seed`.
pub fn prepare(source: &ScenarioSource, options: &RunOptions, extra: &[Override]) -> Result<Scenario, CliError> {
    let mut all = overrides(&options.set)?;
    all.extend_from_slice(extra);
    let mut scenario = source.with_overrides(&all)?;
    if let Some(r) = options.replications {
        if r == 0 || i64::from(r) > limits::REPLICATIONS {
            return Err(CliError::Input(format!("-r {r}: expected 1 to {} replications", limits::REPLICATIONS)));
        }
        scenario.simulation.replications = r;
    }
    if let Some(seed) = options.seed {
        scenario.simulation.seed = seed;
    }
    if options.trace {
        experiment::check_trace(&scenario)?;
    }
    Ok(scenario)
}

/// Says so when fewer replications run side by side than there are threads, to stay within the
/// memory limit ([`experiment::fitting_threads`]).
pub fn warn_memory(scenarios: &[Scenario], options: &RunOptions) {
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    let fitting = experiment::fitting_threads(scenarios);
    if fitting < threads && !options.quiet {
        complain!(
            "warning: {fitting} replications run side by side instead of {threads}, so that the run stays within {} GiB (limit MEMORY; the results are the same)",
            limits::MEMORY >> 30
        );
    }
}

pub fn settings(options: &RunOptions) -> Result<Settings, CliError> {
    match options.threads {
        Some(0) => return Err(CliError::Input("--threads 0: expected at least 1 thread".into())),
        Some(n) if n > limits::THREADS => {
            return Err(CliError::Input(format!(
                "--threads {n}: expected at most {} threads (limit THREADS); results do not depend on the thread count",
                limits::THREADS
            )));
        }
        _ => {}
    }
    // A second handler cannot be installed; the first one already sets the flag. The run takes no
    // more replications, and those under way stop at their next look at the flag; a second Ctrl-C
    // stops at once.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::Relaxed) {
            complain!("interrupted again: stopped at once");
            std::process::exit(130);
        }
    });
    // The charts are drawn on rayon's global pool, with as many threads as the replications.
    if let Some(n) = options.threads {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }
    Ok(Settings {
        threads: options.threads,
        trace: options.trace,
        cancel: Some(&INTERRUPTED),
        slots: None,
        stored: options.stored.clone(),
    })
}

/// Readies `options` for a sharded command: with `--shard`, the slice this process runs and the
/// command line its shard records; in `ccsim merge`, the shards to read instead of simulating.
pub fn sharding(
    options: &mut RunOptions,
    args: &ShardArgs,
    stored: Option<std::sync::Arc<shard::Stored>>,
) -> Result<(), CliError> {
    options.stored = stored;
    let Some(text) = &args.shard else { return Ok(()) };
    if options.trace {
        return Err(CliError::Input(
            "--trace with --shard: a shard holds per-interval results, never the conversations; expected --trace on an unsharded run".into(),
        ));
    }
    let slice = match text.as_str() {
        "auto" => shard::Slice::from_env(&|name| std::env::var(name).ok(), args.shards)?,
        _ if args.shards.is_some() => {
            return Err(CliError::Input(format!(
                "--shards with --shard {text}: expected --shards only with --shard auto"
            )));
        }
        _ => shard::Slice::parse(text)?,
    };
    options.slice = Some(slice);
    options.command = recorded_command(std::env::args().skip(1));
    Ok(())
}

/// The command line a shard records: without what does not change results (`-o`, `--shard`,
/// `--shards`, `--threads`), so that every shard of one command records the same.
pub fn recorded_command(args: impl Iterator<Item = String>) -> Vec<String> {
    let with_value = ["-o", "--output", "--shard", "--shards", "--threads"];
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // `--output=DIR`, `-oDIR`.
        let joined = with_value.iter().any(|f| f.starts_with("--") && arg.starts_with(&format!("{f}=")))
            || (arg.starts_with("-o") && !arg.starts_with("--") && arg.len() > 2);
        if with_value.contains(&arg.as_str()) {
            args.next();
        } else if !joined {
            out.push(arg);
        }
    }
    out
}

/// With `--shard`: runs this process's slice of the work of `scenarios` and writes its shard
/// folder (`shard-K-of-N`) into `-o DIR` (default `output/<scenario name>-shards/`). Returns
/// whether it did: the command writes nothing else.
pub fn run_shard(scenarios: &[Scenario], options: &RunOptions) -> Result<bool, CliError> {
    let Some(slice) = options.slice else { return Ok(false) };
    let settings = settings(options)?;
    for s in scenarios {
        warn(s, options);
    }
    let parent = options
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(safe_component(&format!("{}-shards", scenarios[0].name))));
    let dir = parent.join(slice.folder());
    let _lock = take(&dir)?;
    let pairs = experiment::work_list(scenarios).len();
    let range = slice.range(pairs);
    let bar = progress_bar(range.len(), options);
    let files = shard::run_slice(&options.command, scenarios, slice, &settings, &|n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    write(&dir, &files)?;
    if options.format == crate::cli::Format::Json {
        let document = serde_json::json!({
            "ccsim": env!("CARGO_PKG_VERSION"),
            "shard": slice.k,
            "shards": slice.n,
            "pairs": pairs,
            "first": range.start,
            "count": range.len(),
            "output": dir.display().to_string(),
        });
        print_json(&document);
    }
    if options.says() {
        say!(
            "shard {} of {}: replications {}..{} of the {pairs} of the work list; wrote {}",
            slice.k,
            slice.n,
            range.start + 1,
            range.end,
            dir.display()
        );
    }
    Ok(true)
}

/// A progress bar, drawn on stderr, when stdout is a terminal (DESIGN.md: quiet when stdout is
/// not) and stderr is one too, and the run is not quiet; hidden otherwise. `total` counts the
/// replications of every variant or point.
pub fn progress_bar(total: usize, options: &RunOptions) -> ProgressBar {
    if options.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} replications  {elapsed} elapsed, ETA {eta}") {
        bar.set_style(style);
    }
    bar
}

/// A counter of simulations with the phase of a search beside it, hidden as [`progress_bar`] is.
pub fn progress_counter(options: &RunOptions) -> ProgressBar {
    if options.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} simulations  {elapsed}  {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// `-o DIR`, or `output/<scenario name><suffix>/` (`-check` for `check`, so that a check never
/// writes where a run of the same scenario did).
pub fn output_dir(options: &RunOptions, scenario: &Scenario, suffix: &str) -> PathBuf {
    options
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(safe_component(&format!("{}{suffix}", scenario.name))))
}

/// Takes the output folder for this command (see [`report::OutputLock`]).
pub fn take(dir: &Path) -> Result<report::OutputLock, CliError> {
    Ok(report::OutputLock::take(dir)?)
}

/// Writes a command's `files` into `dir` whole or not at all (Ctrl-C before the last rename writes
/// nothing), with the manifest that lets the next command remove what this one no longer writes.
pub fn write(dir: &Path, files: &[report::OutputFile]) -> Result<usize, CliError> {
    Ok(report::write_tree(dir, files, Some(&INTERRUPTED))?.len())
}

/// Writes one file whole, or not at all, at `path`.
pub fn write_file(path: &Path, bytes: Vec<u8>) -> Result<(), CliError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    report::write_all(folder, &[report::OutputFile { name, bytes }], Some(&INTERRUPTED))?;
    Ok(())
}

/// The files of `files` under `folder` of the output tree.
pub fn inside(folder: &str, files: Vec<report::OutputFile>) -> impl Iterator<Item = report::OutputFile> {
    let folder = folder.to_string();
    files.into_iter().map(move |f| report::OutputFile { name: format!("{folder}/{}", f.name), bytes: f.bytes })
}

/// The files of a run: the CSV files, then its charts unless `--no-charts`, drawn side by side.
pub fn run_outputs(
    results: &RunResults,
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<Vec<report::OutputFile>, CliError> {
    let (files, charts) = rayon::join(
        || report::run_files(results, scenario),
        || charts(options, || report::run_charts(results, scenario)),
    );
    let mut files = files?;
    files.extend(charts?);
    Ok(files)
}

/// With `--format json`: `document` on stdout, the only thing there.
pub fn emit_json(options: &RunOptions, document: impl FnOnce() -> report::json::Document) {
    if options.format == crate::cli::Format::Json {
        print_json(&document());
    }
}

/// One JSON document on stdout, pretty-printed, with a final newline (a closed stdout is
/// ignored, as `say!` ignores it).
pub fn print_json(document: &impl serde::Serialize) {
    use std::io::Write as _;
    let mut text = serde_json::to_string_pretty(document).expect("plain data serialises");
    text.push('\n');
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// `report.html` of `report`, or nothing with `--no-report`.
pub fn report_page(options: &RunOptions, report: impl FnOnce() -> report::html::Report) -> Vec<report::OutputFile> {
    if options.no_report {
        return Vec::new();
    }
    vec![report::OutputFile { name: "report.html".into(), bytes: report::html::render(&report()) }]
}

/// The scenario as the report shows it: the file's text after the `--set` overrides, and any
/// `extra` lines (variants, sweep axes).
pub fn as_run(src: &ScenarioSource, options: &RunOptions, extra: &[String]) -> report::html::Section {
    let mut lines: Vec<String> = options.set.iter().map(|s| format!("--set {s}")).collect();
    lines.extend(extra.iter().cloned());
    report::html::scenario_section(&src.text, &lines)
}

/// The charts that `draw` renders, or none with `--no-charts`.
pub fn charts(
    options: &RunOptions,
    draw: impl FnOnce() -> Result<Vec<report::OutputFile>, report::ChartError>,
) -> Result<Vec<report::OutputFile>, CliError> {
    if options.no_charts { Ok(Vec::new()) } else { Ok(draw()?) }
}

pub fn warn(scenario: &Scenario, options: &RunOptions) {
    if !options.quiet {
        for warning in &scenario.warnings {
            complain!("warning: {warning}");
        }
    }
}

/// Runs a scenario's replications with the run options, a progress bar and its warnings.
pub fn simulate(scenario: &Scenario, options: &RunOptions) -> Result<RunResults, CliError> {
    let settings = settings(options)?;
    warn(scenario, options);
    warn_memory(std::slice::from_ref(scenario), options);
    let bar = progress_bar(scenario.simulation.replications as usize, options);
    let results = experiment::try_run_replications(scenario, &settings, &|n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    warn_overload(None, &results, options);
    Ok(results)
}

/// Tells the user when the center overloaded (see [`report::terminal::overload_warning`]); `run`
/// names the variant or sweep point of a `compare` or `sweep`.
pub fn warn_overload(run: Option<&str>, results: &RunResults, options: &RunOptions) {
    if let Some(warning) = report::terminal::overload_warning(results).filter(|_| !options.quiet) {
        match run {
            Some(name) => complain!("warning: {name}: {warning}"),
            None => complain!("warning: {warning}"),
        }
    }
}
