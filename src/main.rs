//! `ccsim`: the command line. Parses arguments (clap, in `cli.rs`), hands them to the commands
//! (`commands.rs`, through `options.rs`), and turns what fails into a message on stderr and an exit
//! code (`error.rs`): 0 success, 1 a check failed, 2 invalid input, 3 any other error, 130
//! interrupted. Everything it prints goes through `output.rs`.

#[macro_use]
mod output;
mod cli;
mod commands;
mod error;
mod options;

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use ccsim::experiment::Stopped;
use ccsim::experiment::shard::Stored;
use ccsim::report::OutputError;
use cli::{Cli, Command};
use error::CliError;

/// Runs `command`; with `stored`, on the replications of a sharded run's shards (`ccsim merge`).
fn dispatch(command: Command, stored: Option<Arc<Stored>>) -> Result<(), CliError> {
    match command {
        Command::Run { scenario, mut options, shard } => {
            options::sharding(&mut options, &shard, stored)?;
            commands::run(scenario.as_deref(), &options)
        }
        Command::Validate { scenarios, set, format } => commands::validate(&scenarios, &set, format),
        Command::Compare { scenarios, variants, mut options, shard } => {
            options::sharding(&mut options, &shard, stored)?;
            commands::compare(&scenarios, &variants, &options)
        }
        Command::Sweep { scenario, vary, mut options, shard } => {
            options::sharding(&mut options, &shard, stored)?;
            commands::sweep(&scenario, &vary, &options)
        }
        Command::Check(mut args) => {
            options::sharding(&mut args.options, &args.shard, stored)?;
            commands::check(&args)
        }
        Command::Staff(args) => commands::staff(&args),
        Command::Fit(args) => commands::fit(&args),
        Command::Schedule(args) => commands::schedule(&args),
        Command::Erlang(args) => commands::erlang(&args),
        Command::Merge(args) => {
            let (command, stored) = commands::merge(&args)?;
            dispatch(command, Some(stored))
        }
        Command::Init { template, file } => commands::init(template, &file),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "ccsim",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Manpage => commands::manpage(),
        Command::Schema => commands::schema(),
    }
}

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
    let outcome = dispatch(cli.command, None);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                CliError::Stopped(Stopped::Interrupted) | CliError::Output(OutputError::Interrupted) => {
                    complain!("interrupted: no results were written")
                }
                CliError::CheckFailed(failed) => complain!("check failed: {failed}"),
                other => complain!("error: {other}"),
            }
            ExitCode::from(e.exit_code())
        }
    }
}
