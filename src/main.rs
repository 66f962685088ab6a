//! `ccsim`: the command line. Parses arguments (clap, in `cli.rs`), loads and checks scenarios,
//! and hands them to the library; shows progress on a terminal; renders errors for people and
//! maps them to exit codes: 0 success, 1 a check failed, 2 invalid input, 3 any other error,
//! 130 interrupted.
//!
//! What it prints goes through [`say!`] and [`complain!`], never `println!`: a reader that goes
//! away (`ccsim check … | head -1`) must not make ccsim panic. The results are in the files; the
//! terminal text is a courtesy copy, so a closed stdout or stderr is ignored and the exit code is
//! still the command's.

mod cli;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use ccsim::erlang::{self, QueueModel};
use ccsim::experiment::folders::{point_folders, safe_component, variant_folders};
use ccsim::experiment::{self, Settings, compare, sweep};
use ccsim::metrics::{Metric, RunResults, gates};
use ccsim::report;
use ccsim::scenario::{Override, Scenario, ScenarioSource, limits};
use ccsim::time::Duration;
use cli::{Cli, Command, ErlangArgs, RunOptions};

/// `println!` that ignores a closed stdout (see the module doc) and escapes control characters
/// other than line feeds, which names from a scenario may hold.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(std::io::stdout().lock(), "{}", report::terminal::printable(&text));
    }};
}

/// `eprintln!` that ignores a closed stderr. What it prints is one line: an error or a warning,
/// every control character in it escaped.
macro_rules! complain {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(std::io::stderr().lock(), "{}", report::terminal::one_line(&text));
    }};
}

/// A failure and the exit code it deserves.
enum Failure {
    /// Invalid input: scenario, flags or files (exit 2).
    Input(String),
    /// Anything else (exit 3).
    Other(String),
    /// Ctrl-C before the results were written (exit 130).
    Interrupted,
    /// `ccsim check`: a gate failed (exit 1); the message names the failing gates.
    CheckFailed(String),
}

impl From<experiment::Stopped> for Failure {
    fn from(stopped: experiment::Stopped) -> Failure {
        match stopped {
            experiment::Stopped::Interrupted => Failure::Interrupted,
            overloaded => Failure::Other(overloaded.to_string()),
        }
    }
}

/// Set by Ctrl-C; runs stop within a few milliseconds and write nothing.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    // A write beyond a file-size limit (`ulimit -f`) then fails with an error, which the writer
    // handles as it does a full disk, instead of killing the process mid-write.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" before any thread starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        Command::Run { scenario, options } => run(scenario.as_deref(), &options),
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Compare { scenarios, variants, options } => compare(&scenarios, &variants, &options),
        Command::Sweep { scenario, vary, options } => sweep(&scenario, &vary, &options),
        Command::Check { scenario, baseline, tolerance, save_baseline, options } => {
            check(&scenario, baseline.as_deref(), tolerance, save_baseline.as_deref(), &options)
        }
        Command::Erlang(args) => erlang(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            complain!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Other(message)) => {
            complain!("error: {message}");
            ExitCode::from(3)
        }
        Err(Failure::Interrupted) => {
            complain!("interrupted: no results were written");
            ExitCode::from(130)
        }
        Err(Failure::CheckFailed(message)) => {
            complain!("check failed: {message}");
            ExitCode::from(1)
        }
    }
}

fn source(path: Option<&Path>) -> Result<ScenarioSource, Failure> {
    match path {
        Some(p) => ScenarioSource::read(p).map_err(|e| Failure::Input(e.to_string())),
        None => Ok(ScenarioSource::default_scenario()),
    }
}

fn overrides(texts: &[String]) -> Result<Vec<Override>, Failure> {
    texts.iter().map(|t| t.parse::<Override>().map_err(|e| Failure::Input(format!("--set {t}: {e}")))).collect()
}

/// The scenario with the run options applied: `--set` overrides (then `extra`), `-r`, `--seed`.
fn prepare(source: &ScenarioSource, options: &RunOptions, extra: &[Override]) -> Result<Scenario, Failure> {
    let mut all = overrides(&options.set)?;
    all.extend_from_slice(extra);
    let mut scenario = source.with_overrides(&all).map_err(|e| Failure::Input(e.to_string()))?;
    if let Some(r) = options.replications {
        if r == 0 || i64::from(r) > limits::REPLICATIONS {
            return Err(Failure::Input(format!("-r {r}: expected 1 to {} replications", limits::REPLICATIONS)));
        }
        scenario.simulation.replications = r;
    }
    if let Some(seed) = options.seed {
        scenario.simulation.seed = seed;
    }
    if options.trace {
        experiment::check_trace(&scenario).map_err(Failure::Input)?;
    }
    Ok(scenario)
}

/// Says so when fewer replications run side by side than there are threads, to stay within the
/// memory limit ([`experiment::fitting_threads`]).
fn warn_memory(scenarios: &[Scenario], options: &RunOptions) {
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    let fitting = experiment::fitting_threads(scenarios);
    if fitting < threads && !options.quiet {
        complain!(
            "warning: {fitting} replications run side by side instead of {threads}, so that the run stays within {} GiB (limit MEMORY; the results are the same)",
            limits::MEMORY >> 30
        );
    }
}

fn settings(options: &RunOptions) -> Result<Settings, Failure> {
    match options.threads {
        Some(0) => return Err(Failure::Input("--threads 0: expected at least 1 thread".into())),
        Some(n) if n > limits::THREADS => {
            return Err(Failure::Input(format!(
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
    Ok(Settings { threads: options.threads, trace: options.trace, cancel: Some(&INTERRUPTED) })
}

/// A progress bar, drawn on stderr, when stdout is a terminal (DESIGN.md: quiet when stdout is
/// not) and stderr is one too, and the run is not quiet; hidden otherwise. `total` counts the
/// replications of every variant or point.
fn progress_bar(total: usize, options: &RunOptions) -> ProgressBar {
    if options.quiet || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} replications  {elapsed} elapsed, ETA {eta}") {
        bar.set_style(style);
    }
    bar
}

fn output_dir(options: &RunOptions, scenario: &Scenario) -> PathBuf {
    options.output.clone().unwrap_or_else(|| PathBuf::from("output").join(safe_component(&scenario.name)))
}

/// Takes the output folder for this command (see [`report::OutputLock`]).
fn take(dir: &Path) -> Result<report::OutputLock, Failure> {
    report::OutputLock::take(dir).map_err(output_failure)
}

fn output_failure(e: report::OutputError) -> Failure {
    match e {
        report::OutputError::NotAFolder(_) => Failure::Input(format!("-o: {e}")),
        report::OutputError::Interrupted => Failure::Interrupted,
        report::OutputError::Busy { .. } => Failure::Other(e.to_string()),
        report::OutputError::Io { .. } => Failure::Other(format!("cannot write the results: {e}")),
    }
}

/// Writes `files` into `dir` whole or not at all; Ctrl-C before the last rename writes nothing.
fn write(dir: &Path, files: &[report::OutputFile]) -> Result<usize, Failure> {
    report::write_all(dir, files, Some(&INTERRUPTED)).map(|written| written.len()).map_err(output_failure)
}

/// The files of `files` under `folder` of the output tree.
fn inside(folder: &str, files: Vec<report::OutputFile>) -> impl Iterator<Item = report::OutputFile> {
    let folder = folder.to_string();
    files.into_iter().map(move |f| report::OutputFile { name: format!("{folder}/{}", f.name), bytes: f.bytes })
}

fn run_files(results: &RunResults, scenario: &Scenario) -> Result<Vec<report::OutputFile>, Failure> {
    report::run_files(results, scenario).map_err(|e| Failure::Other(format!("cannot render the results: {e}")))
}

/// The charts that `draw` renders, or none with `--no-charts`.
fn charts(
    options: &RunOptions,
    draw: impl FnOnce() -> Result<Vec<report::OutputFile>, report::ChartError>,
) -> Result<Vec<report::OutputFile>, Failure> {
    if options.no_charts { Ok(Vec::new()) } else { draw().map_err(|e| Failure::Other(e.to_string())) }
}

/// A run's files: the CSV files, then its charts unless `--no-charts`.
fn run_outputs(
    results: &RunResults,
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<Vec<report::OutputFile>, Failure> {
    // The CSV files and the charts are drawn side by side.
    let (files, charts) =
        rayon::join(|| run_files(results, scenario), || charts(options, || report::run_charts(results, scenario)));
    let mut files = files?;
    files.extend(charts?);
    Ok(files)
}

fn warn(scenario: &Scenario, options: &RunOptions) {
    if !options.quiet {
        for warning in &scenario.warnings {
            complain!("warning: {warning}");
        }
    }
}

fn run(path: Option<&Path>, options: &RunOptions) -> Result<(), Failure> {
    let scenario = prepare(&source(path)?, options, &[])?;
    let dir = output_dir(options, &scenario);
    let _lock = take(&dir)?;
    let results = simulate(&scenario, options)?;
    let files = run_outputs(&results, &scenario, options)?;
    let charts = files.iter().filter(|f| f.name.starts_with("charts/")).count();
    let written = write(&dir, &files)? - charts;

    if !options.quiet {
        let sim = &scenario.simulation;
        say!(
            "{}: {} replication{} of {} (seed {}), {} conversations offered per replication",
            scenario.name,
            sim.replications,
            if sim.replications == 1 { "" } else { "s" },
            pretty_duration(sim.horizon),
            sim.seed,
            results.estimate(&results.scopes[0], Metric::Offered).mean.round()
        );
        say!("{}", report::terminal::summary_table(&results));
        say!(
            "service level: answered within {} over all arrivals; ± is the 95% confidence half-width across replications",
            pretty_duration(sim.service_level_threshold)
        );
        say!("wrote {written} files to {}", dir.display());
        if charts > 0 {
            say!("drew {} charts (PNG and SVG) in {}", charts / 2, dir.join("charts").display());
        }
    }
    Ok(())
}

/// Runs a scenario's replications with the run options, a progress bar and its warnings.
fn simulate(scenario: &Scenario, options: &RunOptions) -> Result<RunResults, Failure> {
    let settings = settings(options)?;
    warn(scenario, options);
    warn_memory(std::slice::from_ref(scenario), options);
    let bar = progress_bar(scenario.simulation.replications as usize, options);
    let results = experiment::try_run_replications(scenario, &settings, &|n| bar.set_position(n as u64))
        .map_err(Failure::from)?;
    bar.finish_and_clear();
    warn_overload(None, &results, options);
    Ok(results)
}

/// Tells the user when the center overloaded (see [`report::terminal::overload_warning`]); `run`
/// names the variant or sweep point of a `compare` or `sweep`.
fn warn_overload(run: Option<&str>, results: &RunResults, options: &RunOptions) {
    if let Some(warning) = report::terminal::overload_warning(results).filter(|_| !options.quiet) {
        match run {
            Some(name) => complain!("warning: {name}: {warning}"),
            None => complain!("warning: {warning}"),
        }
    }
}

/// `NAME:KEY=VALUE[,KEY=VALUE]`; a value may hold commas (`[1, 2]`) when no `=` follows them.
fn parse_variant(text: &str) -> Result<(String, Vec<Override>), Failure> {
    let bad = |why: &str| Failure::Input(format!("--variant {text}: {why}; expected NAME:KEY=VALUE[,KEY=VALUE]"));
    let (name, spec) = text.split_once(':').ok_or_else(|| bad("no NAME:"))?;
    if name.trim().is_empty() {
        return Err(bad("an empty name"));
    }
    let mut pieces: Vec<String> = Vec::new();
    for piece in spec.split(',') {
        match pieces.last_mut() {
            Some(last) if !piece.contains('=') => {
                last.push(',');
                last.push_str(piece);
            }
            _ => pieces.push(piece.to_string()),
        }
    }
    let sets = pieces.iter().map(|p| p.parse::<Override>().map_err(|e| bad(&e))).collect::<Result<Vec<_>, _>>()?;
    Ok((name.trim().to_string(), sets))
}

fn compare(paths: &[PathBuf], variant_texts: &[String], options: &RunOptions) -> Result<(), Failure> {
    let mut variants = Vec::new();
    if paths.len() == 2 {
        if !variant_texts.is_empty() {
            return Err(Failure::Input("compare takes two scenario files or --variant, not both".into()));
        }
        for path in paths {
            let scenario = prepare(&source(Some(path))?, options, &[])?;
            let name = path.file_stem().map_or_else(|| scenario.name.clone(), |s| s.to_string_lossy().into_owned());
            variants.push(compare::Variant { name, scenario });
        }
        if variants[0].name == variants[1].name {
            variants[1].name.push_str("-2");
        }
    } else {
        if variant_texts.is_empty() {
            return Err(Failure::Input("compare needs --variant NAME:KEY=VALUE, or a second scenario file".into()));
        }
        let src = source(Some(&paths[0]))?;
        variants.push(compare::Variant { name: "base".into(), scenario: prepare(&src, options, &[])? });
        for text in variant_texts {
            let (name, sets) = parse_variant(text)?;
            if variants.iter().any(|v| v.name == name) {
                return Err(Failure::Input(format!("--variant {text}: the name \"{name}\" is used twice")));
            }
            variants.push(compare::Variant { name, scenario: prepare(&src, options, &sets)? });
        }
    }
    let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    let folders = variant_folders(&names, &["compare.csv", "charts"]).map_err(Failure::Input)?;
    if let Some(why) = variants[1..].iter().find_map(|v| compare::unpaired(&variants[0], v)) {
        return Err(Failure::Input(why));
    }
    let settings = settings(options)?;
    for v in &variants {
        warn(&v.scenario, options);
    }
    let scenarios: Vec<Scenario> = variants.iter().map(|v| v.scenario.clone()).collect();
    experiment::check_memory(&scenarios).map_err(Failure::Input)?;
    warn_memory(&scenarios, options);
    let dir = output_dir(options, &variants[0].scenario);
    let _lock = take(&dir)?;
    let total = variants.iter().map(|v| v.scenario.simulation.replications as usize).sum();
    let bar = progress_bar(total, options);
    let comparison = compare::compare(variants, &settings, &|n| bar.set_position(n as u64)).map_err(|e| match e {
        compare::CompareError::Unpaired(why) => Failure::Input(why),
        compare::CompareError::Stopped(stopped) => Failure::from(stopped),
    })?;
    bar.finish_and_clear();

    // The whole tree is written at once: no variant folder of this run beside another run's table.
    let mut files = Vec::new();
    for (((name, results), scenario), folder) in comparison.variants.iter().zip(&scenarios).zip(&folders) {
        warn_overload(Some(name), results, options);
        files.extend(inside(folder, run_outputs(results, scenario, options)?));
    }
    let table = report::comparison::compare_csv(&comparison).map_err(|e| Failure::Other(e.to_string()))?;
    files.push(report::OutputFile { name: "compare.csv".into(), bytes: table });
    files.extend(charts(options, || report::compare_charts(&comparison))?);
    write(&dir, &files)?;
    if !options.quiet {
        say!(
            "{}: {} on the same customers ({} replications each)",
            scenarios[0].name,
            names.join(" vs "),
            scenarios[0].simulation.replications
        );
        say!("{}", report::comparison::compare_table(&comparison));
        say!("± is the 95% half-width; * marks a paired difference whose 95% interval excludes 0");
        let charts = if options.no_charts { "" } else { ", charts/" };
        say!("wrote compare.csv{charts} and one folder per variant to {}", dir.display());
    }
    Ok(())
}

fn sweep(path: &Path, vary: &[String], options: &RunOptions) -> Result<(), Failure> {
    let src = source(Some(path))?;
    let axes = vary
        .iter()
        .map(|v| v.parse::<sweep::Axis>().map_err(|e| Failure::Input(format!("--vary {v}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    sweep::point_count(&axes).map_err(|e| Failure::Input(format!("--vary: {e}")))?;
    let points = sweep::grid(&axes);
    let base = prepare(&src, options, &[])?;
    let settings = settings(options)?;
    warn(&base, options);
    let dir = output_dir(options, &base);
    let _lock = take(&dir)?;
    let total = points.len() * base.simulation.replications as usize;
    let bar = progress_bar(total, options);
    let at = |p: &sweep::Point| -> Result<Scenario, ccsim::scenario::ScenarioError> {
        prepare(&src, options, &p.assignments).map_err(|e| {
            let message = match e {
                Failure::Input(m) | Failure::Other(m) | Failure::CheckFailed(m) => m,
                Failure::Interrupted => "interrupted".into(),
            };
            ccsim::scenario::ScenarioError { file: String::new(), position: None, key: String::new(), message }
        })
    };
    let done = sweep::sweep(&points, &at, &settings, &|n| bar.set_position(n as u64))
        .map_err(|e| Failure::Input(e.message))?
        .map_err(Failure::from)?;
    bar.finish_and_clear();

    let labels: Vec<String> = points.iter().map(sweep::Point::label).collect();
    let folders = point_folders(&labels, &["sweep.csv", "charts"]);
    // The whole tree is written at once, as for `compare`.
    let mut files = Vec::new();
    for ((scenario, results), folder) in done.iter().zip(&folders) {
        warn_overload(Some(folder), results, options);
        files.extend(inside(folder, run_outputs(results, scenario, options)?));
    }
    let keys: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    let rows: Vec<(String, Vec<String>, &RunResults)> = points
        .iter()
        .zip(&done)
        .map(|(p, (_, r))| (p.label(), p.assignments.iter().map(|o| o.value.clone()).collect(), r))
        .collect();
    let table = report::comparison::sweep_csv(&keys, &rows).map_err(|e| Failure::Other(e.to_string()))?;
    files.push(report::OutputFile { name: "sweep.csv".into(), bytes: table });
    files.extend(charts(options, || report::sweep_charts(&keys, &rows))?);
    write(&dir, &files)?;
    if !options.quiet {
        say!("{}: {} points, {} replications each", base.name, points.len(), base.simulation.replications);
        say!("{}", report::comparison::sweep_table(&rows));
        let charts = if options.no_charts { "" } else { ", charts/" };
        say!("wrote sweep.csv{charts} and one folder per point to {}", dir.display());
        let renamed: Vec<String> = labels
            .iter()
            .zip(&folders)
            .enumerate()
            .filter(|(_, (label, folder))| safe_component(label) != **folder)
            .map(|(i, (_, folder))| format!("point {} in {folder}", i + 1))
            .collect();
        if !renamed.is_empty() {
            say!(
                "points whose labels make the same folder name got their place in the grid as a suffix: {}",
                renamed.join(", ")
            );
        }
    }
    Ok(())
}

fn check(
    path: &Path,
    baseline: Option<&Path>,
    tolerance: f64,
    save_baseline: Option<&Path>,
    options: &RunOptions,
) -> Result<(), Failure> {
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(Failure::Input(format!("--tolerance {tolerance}: expected a fraction ≥ 0, such as 0.05")));
    }
    let scenario = prepare(&source(Some(path))?, options, &[])?;
    if scenario.checks.is_empty() && baseline.is_none() && save_baseline.is_none() {
        return Err(Failure::Input(format!(
            "{}: nothing to check; expected [[check]] tables in the scenario, --baseline DIR or --save-baseline DIR",
            path.display()
        )));
    }
    // A gate naming an unknown metric is refused before anything runs.
    gates::check_metrics(&scenario.checks).map_err(|e| gate_error(path, &e))?;
    // A gate on the confidence bound needs the spread across replications, which one lacks.
    if scenario.simulation.replications < 2
        && let Some((i, c)) = scenario.checks.iter().enumerate().find(|(_, c)| c.on_ci)
    {
        let message = format!(
            "check[{i}].on: \"ci\" judges the 95% bound, which needs at least 2 replications; this run has 1 (set simulation.replications or -r to 2 or more, or use on = \"mean\")"
        );
        return Err(gate_error(path, &gates::GateError { check: i, at: c.at, message }));
    }
    let baseline = baseline
        .map(|dir| experiment::check::Baseline::read(dir).map_err(|e| Failure::Input(format!("--baseline: {e}"))))
        .transpose()?;
    if let Some(b) = &baseline {
        let here = scenario.simulation.replications as usize;
        if b.replications < 2 || here < 2 {
            return Err(Failure::Input(format!(
                "--baseline: the baseline has {} replication{} and this run {here}; expected at least 2 replications on each side, since a regression test needs the spread across replications",
                b.replications,
                if b.replications == 1 { "" } else { "s" }
            )));
        }
        if let Some(name) = b.scenario.as_ref().filter(|n| **n != scenario.name && !options.quiet) {
            complain!(
                "warning: --baseline: the baseline was written for the scenario \"{name}\", this is \"{}\"",
                scenario.name
            );
        }
    }
    let dir = output_dir(options, &scenario);
    let _lock = take(&dir)?;
    let _baseline_lock = save_baseline.filter(|save| *save != dir).map(take).transpose()?;
    let results = simulate(&scenario, options)?;
    let gates = experiment::check::evaluate(&results, &scenario, baseline.as_ref(), tolerance)
        .map_err(|e| gate_error(path, &e))?;
    if let Some(b) = &baseline {
        let (only_baseline, only_here) = b.unmatched(&results);
        if !gates.iter().any(|g| g.kind == "regression") {
            return Err(Failure::Input(format!(
                "--baseline: no metric of this run could be compared with the baseline (scopes only in the baseline: {}); expected a baseline written by a run of this scenario",
                if only_baseline.is_empty() { "none".to_string() } else { only_baseline.join(", ") }
            )));
        }
        if !options.quiet {
            for (scopes, side) in [(&only_baseline, "the baseline"), (&only_here, "this run")] {
                if !scopes.is_empty() {
                    complain!("warning: --baseline: only {side} has {}; not compared", scopes.join(", "));
                }
            }
        }
    }

    // The run's files, as `ccsim run` writes them (charts unless --no-charts), then check.csv.
    let mut files = run_outputs(&results, &scenario, options)?;
    let run_count = files.len();
    let table = report::check::check_csv(&gates).map_err(|e| Failure::Other(e.to_string()))?;
    files.push(report::OutputFile { name: "check.csv".into(), bytes: table });
    write(&dir, &files)?;
    if let Some(save) = save_baseline {
        write(save, &files[..run_count])?;
        if scenario.simulation.replications < 2 && !options.quiet {
            complain!(
                "warning: --save-baseline: a baseline of 1 replication cannot be checked against; expected at least 2 replications"
            );
        }
    }

    let failed: Vec<String> = gates
        .iter()
        .filter(|g| g.verdict == gates::Verdict::Fail)
        .map(|g| {
            let interval = g.interval.as_ref().map_or_else(String::new, |i| format!(" at {i}"));
            format!(
                "{} {} {} {}{interval} = {:.4} (limit {})",
                g.kind,
                g.scope.name(),
                g.name,
                g.metric.name(),
                g.value,
                g.limit
            )
        })
        .collect();
    if !options.quiet {
        if let Some(b) = &baseline {
            let paired = if b.pairs_with(&scenario) {
                "paired: same seed and replications"
            } else {
                "unpaired: different seed or replications"
            };
            say!("baseline: {} replications ({paired}); tolerance {}%", b.replications, tolerance * 100.0);
        }
        say!("{}", report::check::check_table(&gates));
        say!("{} gates, {} failed; wrote check.csv to {}", gates.len(), failed.len(), dir.display());
    }
    match failed.len() {
        0 => Ok(()),
        n if n <= 5 => Err(Failure::CheckFailed(failed.join("; "))),
        n => Err(Failure::CheckFailed(format!("{}; and {} more (see check.csv)", failed[..5].join("; "), n - 5))),
    }
}

/// A bad `[[check]]`, as `FILE: at line L, column C: check[i].metric: …`.
fn gate_error(path: &Path, e: &gates::GateError) -> Failure {
    let at = e.at.map_or_else(String::new, |(l, c)| format!("at line {l}, column {c}: "));
    Failure::Input(format!("{}: {at}{}", path.display(), e.message))
}

fn validate(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut errors = Vec::new();
    for path in paths {
        let checked = Scenario::load(path).map_err(|e| e.to_string()).and_then(|s| {
            // `check` would refuse these gates; `validate` says so without simulating.
            match gates::check_metrics(&s.checks) {
                Ok(_) => Ok(s),
                Err(e) => Err(match gate_error(path, &e) {
                    Failure::Input(m) => m,
                    _ => e.message,
                }),
            }
        });
        match checked {
            Ok(s) => {
                for warning in &s.warnings {
                    complain!("warning: {}: {warning}", path.display());
                }
                say!(
                    "{}: ok ({} channels, {} work streams, {} queues, {} agent groups)",
                    path.display(),
                    s.channels.len(),
                    s.work_streams.len(),
                    s.queues.len(),
                    s.agent_groups.len()
                );
            }
            Err(e) => errors.push(e),
        }
    }
    // One line per file that failed; the last is the command's error.
    let last = errors.pop();
    for e in &errors {
        complain!("error: {e}");
    }
    last.map_or(Ok(()), |e| Err(Failure::Input(e)))
}

fn duration_arg(flag: &str, text: &str) -> Result<Duration, Failure> {
    Duration::parse(text).map_err(|e| Failure::Input(format!("{flag} {text}: {e}")))
}

fn erlang(args: &ErlangArgs) -> Result<(), Failure> {
    let model = QueueModel {
        arrivals_per_hour: args.rate,
        aht_s: duration_arg("--aht", &args.aht)?.0,
        agents: args.agents,
        concurrency: args.concurrency,
        patience_mean_s: args.patience.as_deref().map(|p| duration_arg("--patience", p)).transpose()?.map(|d| d.0),
    };
    let threshold = duration_arg("--threshold", &args.threshold)?;
    let f = erlang::figures(&model, threshold.0).map_err(|e| Failure::Input(e.to_string()))?;
    let name = if model.patience_mean_s.is_some() { "Erlang A (M/M/c+M)" } else { "Erlang C (M/M/c)" };
    say!(
        "{name}: {} arrivals/h, AHT {} s, {} servers ({} agents × {}), offered load {:.4} Erlangs",
        args.rate,
        model.aht_s,
        f.servers,
        args.agents,
        args.concurrency,
        f.offered_load_erlangs
    );
    say!("  P(wait)        {:.6}", f.p_wait);
    say!("  ASA            {:.4} s   (mean wait of answered conversations)", f.asa_s);
    say!("  mean wait      {:.4} s   (over all arrivals)", f.mean_wait_all_s);
    say!("  service level  {:.6}   (answered within {} s, over all arrivals)", f.service_level, f.threshold_s);
    say!("  P(abandon)     {:.6}", f.p_abandon);
    say!("  occupancy      {:.6}", f.occupancy);
    Ok(())
}

fn pretty_duration(d: Duration) -> String {
    let s = d.0;
    if s >= 86_400.0 && s % 86_400.0 == 0.0 {
        format!("{}d", s / 86_400.0)
    } else if s >= 3600.0 && s % 3600.0 == 0.0 {
        format!("{}h", s / 3600.0)
    } else if s >= 60.0 && s % 60.0 == 0.0 {
        format!("{}m", s / 60.0)
    } else {
        format!("{s}s")
    }
}
