//! `ccsim`: the command line. Parses arguments (clap, in `cli.rs`), loads and checks the scenario,
//! and hands it to the library; renders errors for people and maps them to exit codes:
//! 0 success, 2 invalid input, 3 any other error.

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use ccsim::erlang::{self, QueueModel};
use ccsim::experiment;
use ccsim::report;
use ccsim::scenario::{Scenario, limits};
use ccsim::time::Duration;
use cli::{Cli, Command, ErlangArgs, RunOptions};

/// A failure and the exit code it deserves.
enum Failure {
    /// Invalid input: scenario, flags or files (exit 2).
    Input(String),
    /// Anything else (exit 3).
    Other(String),
}

fn main() -> ExitCode {
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
        Command::Erlang(args) => erlang(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Other(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(3)
        }
    }
}

fn load(path: Option<&Path>) -> Result<Scenario, Failure> {
    match path {
        Some(p) => Scenario::load(p).map_err(|e| Failure::Input(e.to_string())),
        None => Ok(Scenario::default_scenario()),
    }
}

/// The scenario name as one safe path component: no separators, no `..`, no control characters.
fn safe_component(name: &str) -> String {
    let cleaned: String = name.chars().map(|c| if c == '/' || c == '\\' || c.is_control() { '_' } else { c }).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') { "scenario".to_string() } else { cleaned }
}

fn run(path: Option<&Path>, options: &RunOptions) -> Result<(), Failure> {
    let mut scenario = load(path)?;
    if let Some(r) = options.replications {
        if r == 0 || i64::from(r) > limits::REPLICATIONS {
            return Err(Failure::Input(format!("-r {r}: expected 1 to {} replications", limits::REPLICATIONS)));
        }
        scenario.simulation.replications = r;
    }
    if let Some(seed) = options.seed {
        scenario.simulation.seed = seed;
    }
    if options.threads == Some(0) {
        return Err(Failure::Input("--threads 0: expected at least 1 thread".into()));
    }
    if !options.quiet {
        for warning in &scenario.warnings {
            eprintln!("warning: {warning}");
        }
    }

    let settings = experiment::Settings { threads: options.threads, trace: options.trace };
    let results = experiment::run_replications(&scenario, &settings, &|_| {});
    let files = report::run_files(&results, &scenario)
        .map_err(|e| Failure::Other(format!("cannot render the results: {e}")))?;
    let dir = options.output.clone().unwrap_or_else(|| PathBuf::from("output").join(safe_component(&scenario.name)));
    let written = report::write_all(&dir, &files)
        .map_err(|e| Failure::Other(format!("{}: cannot write the results: {e}", dir.display())))?;

    if !options.quiet {
        let sim = &scenario.simulation;
        println!(
            "{}: {} replication{} of {} (seed {}), {} conversations offered per replication",
            scenario.name,
            sim.replications,
            if sim.replications == 1 { "" } else { "s" },
            pretty_duration(sim.horizon),
            sim.seed,
            results.estimate(&results.scopes[0], ccsim::metrics::Metric::Offered).mean.round()
        );
        println!("{}", report::terminal::summary_table(&results));
        println!(
            "service level: answered within {} over all arrivals; ± is the 95% confidence half-width across replications",
            pretty_duration(sim.service_level_threshold)
        );
        println!("wrote {} files to {}", written.len(), dir.display());
    }
    Ok(())
}

fn validate(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut errors = Vec::new();
    for path in paths {
        match Scenario::load(path) {
            Ok(s) => {
                for warning in &s.warnings {
                    eprintln!("warning: {}: {warning}", path.display());
                }
                println!(
                    "{}: ok ({} channels, {} work streams, {} queues, {} agent groups)",
                    path.display(),
                    s.channels.len(),
                    s.work_streams.len(),
                    s.queues.len(),
                    s.agent_groups.len()
                );
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Failure::Input(errors.join("\nerror: "))) }
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
    println!(
        "{name}: {} arrivals/h, AHT {} s, {} servers ({} agents × {}), offered load {:.4} Erlangs",
        args.rate, model.aht_s, f.servers, args.agents, args.concurrency, f.offered_load_erlangs
    );
    println!("  P(wait)        {:.6}", f.p_wait);
    println!("  ASA            {:.4} s   (mean wait of answered conversations)", f.asa_s);
    println!("  mean wait      {:.4} s   (over all arrivals)", f.mean_wait_all_s);
    println!("  service level  {:.6}   (answered within {} s, over all arrivals)", f.service_level, f.threshold_s);
    println!("  P(abandon)     {:.6}", f.p_abandon);
    println!("  occupancy      {:.6}", f.occupancy);
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
