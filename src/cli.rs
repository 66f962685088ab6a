//! The command line as clap sees it. Nothing here runs anything: `main.rs` turns these arguments
//! into checked scenarios and run settings, and hands them to the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "ccsim", version, about = "Discrete-event simulator for contact-center capacity planning")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario (the embedded default when none is given) and write CSV results.
    #[command(after_help = "Example:\n  ccsim run scenarios/default.toml -r 20 --set agent_group.generalists.count=9")]
    Run {
        /// Scenario file (TOML).
        scenario: Option<PathBuf>,
        #[command(flatten)]
        options: RunOptions,
        #[command(flatten)]
        shard: ShardArgs,
    },
    /// Check scenario files without simulating them.
    #[command(after_help = "Example:\n  ccsim validate center.toml --set simulation.horizon=7d")]
    Validate {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Override one scenario value by a dotted path in every file, as `run` does.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// What stdout holds: a line per file, or one JSON document.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Run variants of a scenario on the same customers and report paired differences.
    #[command(after_help = "Example:\n  ccsim compare center.toml --variant more:agent_group.tier1.count=12")]
    Compare {
        /// One scenario with --variant, or two scenario files (the first is the baseline).
        #[arg(required = true, num_args = 1..=2)]
        scenarios: Vec<PathBuf>,
        /// NAME:KEY=VALUE[,KEY=VALUE...]: a variant of the scenario, compared with it.
        #[arg(long = "variant", value_name = "NAME:KEY=VALUE[,KEY=VALUE]")]
        variants: Vec<String>,
        #[command(flatten)]
        options: RunOptions,
        #[command(flatten)]
        shard: ShardArgs,
    },
    /// Run a scenario at every point of a grid of values.
    #[command(
        after_help = "Example:\n  ccsim sweep center.toml --vary agent_group.tier1.count=8..14 --vary work_stream.chat.mode=push,pick"
    )]
    Sweep {
        scenario: PathBuf,
        /// KEY=V1,V2,... or KEY=FROM..TO[/STEP]; several make a grid.
        #[arg(long = "vary", value_name = "KEY=V1,V2,...", required = true)]
        vary: Vec<String>,
        #[command(flatten)]
        options: RunOptions,
        #[command(flatten)]
        shard: ShardArgs,
    },
    /// Run a scenario and judge it by its [[check]] gates and against a baseline run; exit 1 when a
    /// gate fails.
    #[command(after_help = "Example:\n  ccsim check center.toml --baseline output/center --junit gates.xml")]
    Check(CheckArgs),
    /// The fewest agents per slot of the day that meet the scenario's [[check]] gates, found by
    /// simulation and verified on an independent seed.
    #[command(after_help = "Example:\n  ccsim staff scenarios/staff_peak.toml --slot 1h")]
    Staff(StaffArgs),
    /// Shifts and staggered breaks that cover the staffing requirement at the least cost,
    /// verified by simulation on a fresh seed and repaired until a verification holds.
    #[command(after_help = "Example:\n  ccsim schedule center.toml --requirement output/center-staff/staffing.csv")]
    Schedule(ScheduleArgs),
    /// Erlang C and Erlang A figures for one queue, to set beside a simulation.
    #[command(after_help = "Example:\n  ccsim erlang --rate 120 --aht 4m --target-sl 0.8 --threshold 20s")]
    Erlang(ErlangArgs),
    /// Fit arrivals, handle times and patience to a history of conversations, one row each, and
    /// write a scenario fragment.
    #[command(after_help = "Example:\n  ccsim fit history.csv --interval 30m --column arrival=created_on")]
    Fit(FitArgs),
    /// Merge the shards of a sharded run, compare, sweep or check into the files the command
    /// writes unsharded, byte for byte, with its exit code.
    #[command(after_help = "Example:\n  ccsim merge shards/ -o results")]
    Merge(MergeArgs),
    /// Write a commented starter scenario that validates.
    #[command(after_help = "Example:\n  ccsim init --template blended center.toml && ccsim run center.toml")]
    Init {
        /// The kind of center to start from.
        #[arg(long, value_enum, default_value = "small")]
        template: Starter,
        /// The scenario file to write (never over an existing file).
        file: PathBuf,
    },
    /// Print the completions of a shell (bash, zsh, fish, powershell, elvish) to stdout.
    #[command(after_help = "Example:\n  ccsim completions bash > ~/.local/share/bash-completion/completions/ccsim")]
    Completions { shell: clap_complete::Shell },
    /// Print the JSON Schema of scenario files to stdout, for editors (taplo, Even Better TOML).
    #[command(
        after_help = "Example:\n  ccsim schema > ccsim.schema.json   # then `#:schema ./ccsim.schema.json` atop a scenario"
    )]
    Schema,
    /// Print the manual page (roff) to stdout.
    #[command(after_help = "Example:\n  ccsim manpage > ccsim.1 && man ./ccsim.1")]
    Manpage,
}

/// What a command prints on stdout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

impl RunOptions {
    /// Whether the command prints its text on stdout: not with `--quiet`, not with `--format json`.
    pub fn says(&self) -> bool {
        !self.quiet && self.format == Format::Text
    }
}

/// The starter scenarios of `ccsim init`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Starter {
    /// Live chat and SMS, three queues, two agent groups (the default scenario).
    Small,
    /// SMS and WhatsApp around the clock, with Waiting and reopened conversations.
    Async,
    /// One team answering calls and chats: capacity units, queue priority.
    Blended,
}

/// Runs one slice of a command's replications on a cluster (DESIGN.md "Shards").
#[derive(Debug, Args)]
pub struct ShardArgs {
    /// Run slice K of N of the work and write its shard folder into -o DIR; `auto` reads K and N
    /// from a Slurm job array or a Kubernetes Indexed Job (with --shards).
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// N for --shard auto where the cluster does not say it (Kubernetes: the Job's completions).
    #[arg(long, value_name = "N", requires = "shard")]
    pub shards: Option<u32>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders that --shard wrote, or folders holding them.
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
    /// Write the files into DIR (default: where the command would write them).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    pub scenario: PathBuf,
    /// The requirement: a staffing.csv that `ccsim staff` wrote (default: run the staffing
    /// search first).
    #[arg(long, value_name = "FILE")]
    pub requirement: Option<PathBuf>,
    /// Replications of each verification (default: the scenario's).
    #[arg(long = "verify-replications", value_name = "N")]
    pub verify_replications: Option<u32>,
    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// A CSV export of conversations (comma, tab or semicolon separated, with a header).
    pub history: PathBuf,
    /// The slot of the fitted rate profiles: 15m, 30m or 1h.
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub interval: String,
    /// NAME=HEADER: read NAME (arrival, date, channel, queue, answered, outcome, wait, handle,
    /// open) from the column HEADER; repeatable.
    #[arg(long = "column", value_name = "NAME=HEADER")]
    pub columns: Vec<String>,
    /// Skip rows that cannot be read, and count them, instead of stopping at the first.
    #[arg(long = "skip-bad-rows")]
    pub skip_bad_rows: bool,
    /// Write the files into DIR (default: output/<history file name>-fit/).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Do not draw charts.
    #[arg(long = "no-charts")]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// What stdout holds: the table as text, or one JSON document.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    pub scenario: PathBuf,
    /// A folder an earlier `ccsim run` wrote: fail on significant regressions against it.
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,
    /// How much worse than the baseline a metric may be before it can regress: a fraction from 0
    /// to 1 (0.05) or a percent (5%).
    #[arg(long, value_name = "FRACTION", default_value = "0.05", value_parser = ccsim::experiment::check::parse_tolerance)]
    pub tolerance: f64,
    /// The metrics tested for regressions, e.g. service_level,asa_s (default: service_level,
    /// asa_s, wait_p50_s, wait_p90_s, wait_p95_s, abandon_rate, occupancy).
    #[arg(long, value_name = "LIST")]
    pub metrics: Option<String>,
    /// The scopes tested for regressions: kinds or kind.name, e.g. all,queue.vip (default: all).
    #[arg(long, value_name = "LIST")]
    pub scopes: Option<String>,
    /// Print only the gates that failed.
    #[arg(long = "only-failures")]
    pub only_failures: bool,
    /// Also write the gates as a JUnit XML report to FILE, for CI systems.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write this run's files into DIR, as the baseline of later checks.
    #[arg(long = "save-baseline", value_name = "DIR")]
    pub save_baseline: Option<PathBuf>,
    #[command(flatten)]
    pub options: RunOptions,
    #[command(flatten)]
    pub shard: ShardArgs,
}

#[derive(Debug, Args)]
pub struct StaffArgs {
    pub scenario: PathBuf,
    /// A group whose staffing is searched (default: every group); the others stay as written.
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// The most agents a searched group may have in a slot.
    #[arg(long = "max-agents", value_name = "N", default_value_t = 10_000)]
    pub max_agents: u32,
    /// The staffing slot (default: the searched groups' staffing profile's, else 30m).
    #[arg(long, value_name = "DURATION")]
    pub slot: Option<String>,
    /// Replications of the verification run (default: the scenario's).
    #[arg(long = "verify-replications", value_name = "N")]
    pub verify_replications: Option<u32>,
    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Debug, Args)]
pub struct RunOptions {
    /// Write the files into DIR (default: output/<scenario name>/, for check output/<scenario name>-check/).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Number of replications (overrides simulation.replications).
    #[arg(short = 'r', long = "replications", value_name = "N")]
    pub replications: Option<u32>,
    /// Master seed (overrides simulation.seed), 0 to 9223372036854775807 as in the file.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Override one scenario value by a dotted path, e.g. agent_group.tier1.count=30.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Also write conversations.csv: every conversation of replication 1.
    #[arg(long)]
    pub trace: bool,
    /// Do not draw the charts (charts/*.png and *.svg).
    #[arg(long)]
    pub no_charts: bool,
    /// Do not write report.html.
    #[arg(long)]
    pub no_report: bool,
    /// What stdout holds: the tables as text, or one JSON document (messages go to stderr).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// With --shard: the slice this process runs.
    #[arg(skip)]
    pub slice: Option<ccsim::experiment::shard::Slice>,
    /// With --shard: the command line the shard records.
    #[arg(skip)]
    pub command: Vec<String>,
    /// In `ccsim merge`: the shards the replications are read from.
    #[arg(skip)]
    pub stored: Option<std::sync::Arc<ccsim::experiment::shard::Stored>>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("staffing").required(true).args(["agents", "target_sl", "target_asa", "target_abandon"])))]
pub struct ErlangArgs {
    /// Arrivals per hour.
    #[arg(long, value_name = "PER_HOUR")]
    pub rate: f64,
    /// Mean handle time, e.g. "3m" or 180.
    #[arg(long, value_name = "DURATION")]
    pub aht: String,
    /// Number of agents; or give a target instead, and get the fewest agents that meet it.
    #[arg(long, value_name = "N")]
    pub agents: Option<u32>,
    /// The fewest agents whose service level (answered within --threshold) is at least P.
    #[arg(long = "target-sl", value_name = "P")]
    pub target_sl: Option<f64>,
    /// The fewest agents whose ASA is at most this long.
    #[arg(long = "target-asa", value_name = "DURATION")]
    pub target_asa: Option<String>,
    /// The fewest agents whose abandonment probability (with --patience) is at most P.
    #[arg(long = "target-abandon", value_name = "P")]
    pub target_abandon: Option<f64>,
    /// Service-level threshold.
    #[arg(long, value_name = "DURATION", default_value = "20s")]
    pub threshold: String,
    /// Mean patience (exponential): gives Erlang A instead of Erlang C.
    #[arg(long, value_name = "DURATION")]
    pub patience: Option<String>,
    /// Conversations one agent handles at once: M/M/(agents × K).
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub concurrency: u32,
    /// What stdout holds: the figures as text, or one JSON document.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}
