//! The commands: each reads its inputs through [`crate::options`], runs the library, writes its
//! files and prints what a planner reads on the terminal.

use std::path::{Path, PathBuf};

use ccsim::erlang::{self, QueueModel};
use ccsim::experiment::folders::{point_folders, safe_component, variant_folders};
use ccsim::experiment::{self, compare, sweep};
use ccsim::metrics::{Metric, RunResults, gates};
use ccsim::report;
use ccsim::report::json::{self, Document as Json};
use ccsim::scenario::{GroupId, Scenario, ScenarioSource};
use ccsim::time::Duration;

use crate::cli::{
    CheckArgs, Cli, Command, ErlangArgs, FitArgs, Format, MergeArgs, RunOptions, ScheduleArgs, StaffArgs,
};
use crate::error::CliError;
use crate::options::{
    as_run, charts, emit_json, inside, output_dir, overrides, prepare, print_json, progress_bar, progress_counter,
    report_page, run_outputs, run_shard, settings, simulate, source, take, warn, warn_memory, warn_overload, write,
    write_file,
};

/// `ccsim run`: one scenario's replications, its files, and the summary table.
pub fn run(path: Option<&Path>, options: &RunOptions) -> Result<(), CliError> {
    let src = source(path)?;
    let scenario = prepare(&src, options, &[])?;
    if run_shard(std::slice::from_ref(&scenario), options)? {
        return Ok(());
    }
    let dir = output_dir(options, &scenario, "");
    let _lock = take(&dir)?;
    let results = simulate(&scenario, options)?;
    let mut files = run_outputs(&results, &scenario, options)?;
    files.extend(report_page(options, || {
        report::html::run_report("run", &results, &scenario, as_run(&src, options, &[]), &files, None)
    }));
    let charts = files.iter().filter(|f| f.name.starts_with("charts/")).count();
    let written = write(&dir, &files)? - charts;
    emit_json(options, || {
        let mut document = Json::new("run", &scenario, &dir);
        document.runs.push(json::run(&scenario.name, &scenario, &results));
        document
    });
    if options.says() {
        let sim = &scenario.simulation;
        say!(
            "{}: {} replication{} of {} (seed {}), {} conversations offered per replication",
            scenario.name,
            sim.replications,
            if sim.replications == 1 { "" } else { "s" },
            sim.horizon.label(),
            sim.seed,
            // Rounded as the table rounds it.
            format!("{:.0}", results.estimate(&results.scopes[0], Metric::Offered).mean)
        );
        say!("{}", report::terminal::summary_table(&results));
        say!("{}", report::terminal::service_level_footer(&scenario));
        say!("wrote {written} files to {}", dir.display());
        if charts > 0 {
            say!("drew {} charts (PNG and SVG) in {}", charts / 2, dir.join("charts").display());
        }
    }
    Ok(())
}

/// `ccsim compare`: variants of a scenario, or two files, on the same customers.
pub fn compare(paths: &[PathBuf], variant_texts: &[String], options: &RunOptions) -> Result<(), CliError> {
    let mut variants = Vec::new();
    let source_text = source(Some(&paths[0]))?;
    if paths.len() == 2 {
        if !variant_texts.is_empty() {
            return Err(CliError::Input("compare takes two scenario files or --variant, not both".into()));
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
            return Err(CliError::Input("compare needs --variant NAME:KEY=VALUE, or a second scenario file".into()));
        }
        let src = &source_text;
        variants.push(compare::Variant { name: "base".into(), scenario: prepare(src, options, &[])? });
        for text in variant_texts {
            let (name, sets) = compare::parse_variant(text)?;
            if variants.iter().any(|v| v.name == name) {
                return Err(CliError::Input(format!("--variant {text}: the name \"{name}\" is used twice")));
            }
            variants.push(compare::Variant { name, scenario: prepare(src, options, &sets)? });
        }
    }
    let names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    let folders = variant_folders(&names, &["compare.csv", "report.html", "charts", report::MANIFEST])?;
    if let Some(why) = variants[1..].iter().find_map(|v| compare::unpaired(&variants[0], v)) {
        return Err(CliError::Input(why));
    }
    let settings = settings(options)?;
    for v in &variants {
        warn(&v.scenario, options);
    }
    let scenarios: Vec<Scenario> = variants.iter().map(|v| v.scenario.clone()).collect();
    experiment::check_memory(&scenarios)?;
    if run_shard(&scenarios, options)? {
        return Ok(());
    }
    warn_memory(&scenarios, options);
    let dir = output_dir(options, &variants[0].scenario, "");
    let _lock = take(&dir)?;
    let total = variants.iter().map(|v| v.scenario.simulation.replications as usize).sum();
    let bar = progress_bar(total, options);
    let comparison = compare::compare(variants, &settings, &|n| bar.set_position(n as u64)).map_err(|e| match e {
        compare::CompareError::Unpaired(why) => CliError::Input(why),
        compare::CompareError::Stopped(stopped) => CliError::from(stopped),
    })?;
    bar.finish_and_clear();

    // The whole tree is written at once: no variant folder of this run beside another run's table.
    let mut files = Vec::new();
    for (((name, results), scenario), folder) in comparison.variants.iter().zip(&scenarios).zip(&folders) {
        warn_overload(Some(name), results, options);
        files.extend(inside(folder, run_outputs(results, scenario, options)?));
    }
    let table = report::comparison::compare_csv(&comparison)?;
    files.push(report::OutputFile { name: "compare.csv".into(), bytes: table });
    let drawn = charts(options, || report::compare_charts(&comparison, &scenarios))?;
    let changes: Vec<String> = if paths.len() == 2 {
        vec![format!("compared with the second file, {}", names[1])]
    } else {
        variant_texts.iter().map(|v| format!("--variant {v}")).collect()
    };
    files.extend(report_page(options, || {
        report::html::compare_report(&comparison, &scenarios, as_run(&source_text, options, &changes), &drawn)
    }));
    files.extend(drawn);
    write(&dir, &files)?;
    emit_json(options, || {
        let mut document = Json::new("compare", &scenarios[0], &dir);
        for ((name, results), scenario) in comparison.variants.iter().zip(&scenarios) {
            document.runs.push(json::run(name, scenario, results));
        }
        document.differences = json::differences(&comparison);
        document
    });
    if options.says() {
        say!(
            "{}: {} on the same customers ({} replications each)",
            scenarios[0].name,
            names.join(" vs "),
            scenarios[0].simulation.replications
        );
        say!("{}", report::comparison::compare_table(&comparison));
        say!("{}", report::terminal::service_level_footer(&scenarios[0]));
        say!(
            "differences of shares are in percentage points (pp); * marks a paired difference whose 95% interval excludes 0"
        );
        let charts = if options.no_charts { "" } else { ", charts/" };
        say!("wrote compare.csv{charts} and one folder per variant to {}", dir.display());
    }
    Ok(())
}

/// `ccsim sweep`: a scenario at every point of a grid of overrides.
pub fn sweep(path: &Path, vary: &[String], options: &RunOptions) -> Result<(), CliError> {
    let src = source(Some(path))?;
    let axes = vary
        .iter()
        .map(|v| v.parse::<sweep::Axis>().map_err(|e| CliError::Input(format!("--vary {v}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    sweep::point_count(&axes).map_err(|e| CliError::Input(format!("--vary: {e}")))?;
    let points = sweep::grid(&axes);
    let base = prepare(&src, options, &[])?;
    // Each point is judged by the scenario's [[check]] gates: refuse a bad one before running.
    gates::check_metrics(&base.checks)
        .and_then(|_| gates::no_interval_ci(&base.checks))
        .map_err(|e| CliError::gate(path, &e))?;
    if options.slice.is_some() {
        let scenarios = points.iter().map(|p| prepare(&src, options, &p.assignments)).collect::<Result<Vec<_>, _>>()?;
        experiment::check_memory(&scenarios)?;
        return run_shard(&scenarios, options).map(|_| ());
    }
    let settings = settings(options)?;
    warn(&base, options);
    let dir = output_dir(options, &base, "");
    let _lock = take(&dir)?;
    let total = points.len() * base.simulation.replications as usize;
    let bar = progress_bar(total, options);
    let at = |p: &sweep::Point| prepare(&src, options, &p.assignments);
    let done = sweep::sweep(&points, &at, &settings, &|n| bar.set_position(n as u64))??;
    bar.finish_and_clear();

    let labels: Vec<String> = points.iter().map(sweep::Point::label).collect();
    let folders = point_folders(&labels, &["sweep.csv", "report.html", "charts", report::MANIFEST]);
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
        .map(|(p, (_, r))| (p.label(), p.assignments.iter().map(|o| o.plain_value()).collect(), r))
        .collect();
    let outcomes = done
        .iter()
        .map(|(scenario, results)| gates::outcomes(results, &scenario.checks))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::gate(path, &e))?;
    let table = report::comparison::sweep_csv(&keys, &rows, &outcomes)?;
    files.push(report::OutputFile { name: "sweep.csv".into(), bytes: table });
    let drawn = charts(options, || report::sweep_charts(&keys, &rows, &base))?;
    let axes: Vec<String> = vary.iter().map(|v| format!("--vary {v}")).collect();
    files.extend(report_page(options, || {
        report::html::sweep_report(
            &report::comparison::sweep(&rows, &outcomes),
            &base,
            points.len(),
            as_run(&src, options, &axes),
            &drawn,
        )
    }));
    files.extend(drawn);
    write(&dir, &files)?;
    emit_json(options, || {
        let mut document = Json::new("sweep", &base, &dir);
        for ((point, (scenario, results)), outcomes) in points.iter().zip(&done).zip(&outcomes) {
            let mut run = json::run(&point.label(), scenario, results);
            run.point = keys.iter().cloned().zip(point.assignments.iter().map(|o| o.plain_value())).collect();
            run.checks = json::outcomes(outcomes);
            document.runs.push(run);
        }
        document
    });
    if options.says() {
        say!("{}: {} points, {} replications each", base.name, points.len(), base.simulation.replications);
        say!("{}", report::comparison::sweep_table(&rows, &outcomes));
        say!("{}", report::terminal::service_level_footer(&base));
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

/// `ccsim check`: a run judged by its gates and, with a baseline, by regressions.
pub fn check(args: &CheckArgs) -> Result<(), CliError> {
    let (path, options, tolerance) = (args.scenario.as_path(), &args.options, args.tolerance);
    let (baseline, save_baseline) = (args.baseline.as_deref(), args.save_baseline.as_deref());
    let mut rules = gates::RegressionRules::new(tolerance);
    if let Some(text) = &args.metrics {
        rules.metrics = gates::parse_metrics(text).map_err(|e| CliError::Input(format!("--metrics {text}: {e}")))?;
    }
    if let Some(text) = &args.scopes {
        rules.scopes = gates::parse_scopes(text).map_err(|e| CliError::Input(format!("--scopes {text}: {e}")))?;
    }
    let src = source(Some(path))?;
    let scenario = prepare(&src, options, &[])?;
    experiment::check::check_inputs(&scenario, tolerance, baseline.is_some() || save_baseline.is_some())
        .map_err(|e| CliError::check(path, e))?;
    let dir = output_dir(options, &scenario, "-check");
    if let Some(read) = baseline {
        let outputs =
            [("-o", Some(dir.as_path())), ("--save-baseline", save_baseline), ("--junit", args.junit.as_deref())];
        for (flag, out) in outputs {
            if let Some(out) = out.filter(|out| experiment::check::writes_into(out, read)) {
                return Err(CliError::Input(format!(
                    "{flag} {}: inside the baseline folder {}; expected a folder outside it, or the next check would compare with this one",
                    out.display(),
                    read.display()
                )));
            }
        }
    }
    let baseline = baseline
        .map(|dir| experiment::check::Baseline::read(dir).map_err(|e| CliError::Input(format!("--baseline: {e}"))))
        .transpose()?;
    if let Some(b) = &baseline
        && let Some(warning) = b.suits(&scenario)?.filter(|_| !options.quiet)
    {
        complain!("warning: {warning}");
    }
    if run_shard(std::slice::from_ref(&scenario), options)? {
        return Ok(());
    }
    let _lock = take(&dir)?;
    let _baseline_lock = save_baseline.filter(|save| *save != dir).map(take).transpose()?;
    let results = simulate(&scenario, options)?;
    let gates = experiment::check::evaluate(&results, &scenario, baseline.as_ref(), &rules)
        .map_err(|e| CliError::gate(path, &e))?;
    if let Some(b) = &baseline {
        for warning in b.coverage(&results, &gates)?.iter().filter(|_| !options.quiet) {
            complain!("warning: {warning}");
        }
    }

    // The run's files, as `ccsim run` writes them (charts unless --no-charts), then check.csv.
    let mut files = run_outputs(&results, &scenario, options)?;
    let run_count = files.len();
    files.push(report::OutputFile { name: "check.csv".into(), bytes: report::check::check_csv(&gates)? });
    files.extend(report_page(options, || {
        report::html::run_report("check", &results, &scenario, as_run(&src, options, &[]), &files, Some(&gates))
    }));
    write(&dir, &files)?;
    if let Some(junit) = &args.junit {
        let bytes =
            report::check::junit_xml(&gates, &format!("ccsim check {}", scenario.name)).map_err(CliError::Junit)?;
        write_file(junit, bytes)?;
    }
    if let Some(save) = save_baseline {
        write(save, &files[..run_count])?;
        if scenario.simulation.replications < 2 && !options.quiet {
            complain!(
                "warning: --save-baseline: a baseline of 1 replication cannot be checked against; expected at least 2 replications"
            );
        }
    }

    let failed = report::check::failures(&gates);
    emit_json(options, || {
        let mut document = Json::new("check", &scenario, &dir).with_gates(&gates);
        document.runs.push(json::run(&scenario.name, &scenario, &results));
        document
    });
    if options.says() {
        if let Some(b) = &baseline {
            let paired = if b.pairs_with(&scenario) {
                "paired: same seed and replications"
            } else {
                "unpaired: different seed or replications"
            };
            say!("baseline: {} replications ({paired}); tolerance {}%", b.replications, tolerance * 100.0);
        }
        say!("{}", report::check::check_table(&gates, args.only_failures));
        let count = gates.iter().filter(|g| g.verdict == gates::Verdict::Fail).count();
        say!("{} gates, {count} failed; wrote check.csv to {}", gates.len(), dir.display());
    }
    failed.map_or(Ok(()), |text| Err(CliError::CheckFailed(text)))
}

/// `ccsim staff`: the fewest agents per slot that meet the gates, and their verification.
pub fn staff(args: &StaffArgs) -> Result<(), CliError> {
    use ccsim::experiment::staff;
    let (path, options) = (args.scenario.as_path(), &args.options);
    let src = source(Some(path))?;
    let scenario = prepare(&src, options, &[])?;
    let groups: Vec<GroupId> = if args.groups.is_empty() {
        (0..scenario.agent_groups.len()).map(|g| GroupId(g as u16)).collect()
    } else {
        args.groups
            .iter()
            .map(|name| {
                scenario.agent_groups.iter().position(|g| &g.name == name).map(|g| GroupId(g as u16)).ok_or_else(|| {
                    let names: Vec<String> = scenario.agent_groups.iter().map(|g| format!("\"{}\"", g.name)).collect();
                    CliError::Input(format!(
                        "--group {name}: no agent group is named so; expected one of {}",
                        names.join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let slot = match &args.slot {
        Some(text) => duration_arg("--slot", text)?.0,
        None => groups
            .iter()
            .find_map(|g| {
                scenario.agent_groups[g.index()].staffing.as_ref().filter(|p| !p.is_weekly() && p.values().len() > 1)
            })
            .map_or(1800.0, |p| p.slot()),
    };
    let request = staff::Request {
        groups: groups.clone(),
        slot,
        max_agents: args.max_agents,
        verify_replications: args.verify_replications.unwrap_or(scenario.simulation.replications),
    };
    if request.verify_replications == 0 {
        return Err(CliError::Input("--verify-replications 0: expected at least 1".into()));
    }
    staff::check_request(&scenario, &request).map_err(|e| staff_error(path, e))?;
    let dir = output_dir(options, &scenario, "-staff");
    let _lock = take(&dir)?;
    let settings = settings(options)?;
    warn(&scenario, options);
    let bar = progress_counter(options);
    let plan = staff::staff(&scenario, &request, &settings, &|step| {
        bar.set_position(step.simulations as u64);
        bar.set_message(step.phase.to_string());
    })
    .map_err(|e| staff_error(path, e))?;
    bar.finish_and_clear();

    let names: Vec<String> = groups.iter().map(|g| scenario.agent_groups[g.index()].name.clone()).collect();
    let gates = plan.gates(&scenario, slot);
    let mut files = vec![
        report::OutputFile {
            name: "staffing.csv".into(),
            bytes: report::staff::staffing_csv(&plan.staffing, &plan.slot_gates, &scenario, &names, slot)?,
        },
        report::OutputFile {
            name: "staffed.toml".into(),
            bytes: report::staff::staffed_toml(&src.text, &plan.staffing, &plan.staffed, &names)
                .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?
                .into_bytes(),
        },
    ];
    let drawn =
        charts(options, || report::charts::staff_charts(&plan.staffing, &plan.slot_gates, &scenario, &names, slot))?;
    let lead = vec![format!(
        "{} in slots of {}; verified on seed {} with {} replications",
        names.join(", "),
        Duration(slot).label(),
        plan.staffed.simulation.seed,
        plan.staffed.simulation.replications
    )];
    files.extend(report_page(options, || {
        report::html::plan_report(report::html::PlanPage {
            command: "staff",
            scenario: &scenario,
            lead,
            tables: vec![report::html::HtmlTable::of(&report::staff::staff_summary(
                &plan.staffing,
                &scenario,
                &names,
                slot,
            ))],
            detail: report::html::HtmlTable::from_csv(&files[0].bytes).captioned("staffing.csv"),
            gates: &gates,
            verification: &plan.verification,
            scenario_text: as_run(&src, options, &[]),
            files: &drawn,
        })
    }));
    files.extend(drawn);
    files.extend(inside("verify", run_outputs(&plan.verification, &plan.staffed, options)?));
    files.push(report::OutputFile { name: "verify/check.csv".into(), bytes: report::check::check_csv(&gates)? });
    write(&dir, &files)?;

    let failed = report::check::failures(&gates);
    emit_json(options, || {
        let mut document = Json::new("staff", &scenario, &dir).with_gates(&gates);
        document.runs.push(json::run("verification", &plan.staffed, &plan.verification));
        document
    });
    if options.says() {
        say!(
            "{}: staffing of {} in slots of {} found in {} simulations ({} iterations, {} rounds of adding, {} of repair); verified on seed {} with {} replications",
            scenario.name,
            names.join(", "),
            Duration(slot).label(),
            plan.simulations,
            plan.iterations,
            plan.rounds,
            plan.repairs,
            plan.staffed.simulation.seed,
            plan.staffed.simulation.replications
        );
        say!("{}", report::staff::staff_table(&plan.staffing, &scenario, &names, slot));
        say!("verification (an independent seed; the search's own runs would flatter it):");
        say!("{}", report::check::check_table(&gates, true));
        say!("wrote staffing.csv, staffed.toml and verify/ to {}", dir.display());
    }
    let at_most = if plan.at_most.is_empty() {
        String::new()
    } else {
        let slots: Vec<String> =
            plan.at_most.iter().map(|&j| ccsim::time::SimTime(j as f64 * slot).clock_label()).collect();
        format!("; at --max-agents {} in the slots at {}", args.max_agents, slots.join(", "))
    };
    if plan.gave_up {
        return Err(CliError::CheckFailed(format!(
            "the search stopped after {} rounds with gates still failing{}",
            staff::MAX_ROUNDS,
            at_most
        )));
    }
    failed.map_or(Ok(()), |text| {
        Err(CliError::CheckFailed(format!(
            "the verification failed after {} rounds of repair: {text}{at_most}",
            plan.repairs
        )))
    })
}

fn staff_error(path: &Path, e: ccsim::experiment::staff::StaffError) -> CliError {
    use ccsim::experiment::staff::StaffError;
    match e {
        StaffError::Input(message) => CliError::Input(format!("{}: {message}", path.display())),
        StaffError::Gate(gate) => CliError::gate(path, &gate),
        StaffError::Stopped(stopped) => CliError::from(stopped),
    }
}

/// `ccsim validate`: every file checked (with the `--set` overrides), one line each; the last
/// error is the command's.
pub fn validate(paths: &[PathBuf], set: &[String], format: Format) -> Result<(), CliError> {
    let overrides = overrides(set)?;
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        let checked = ScenarioSource::read(path)
            .and_then(|source| source.with_overrides(&overrides))
            .map_err(|e| e.to_string())
            .and_then(|s| {
                // `check` would refuse these gates; `validate` says so without simulating.
                match gates::check_metrics(&s.checks) {
                    Ok(_) => Ok(s),
                    Err(e) => Err(CliError::gate(path, &e).to_string()),
                }
            });
        match checked {
            Ok(s) => {
                for warning in &s.warnings {
                    complain!("warning: {warning}");
                }
                files.push(serde_json::json!({
                    "file": path.display().to_string(),
                    "ok": true,
                    "channels": s.channels.len(),
                    "work_streams": s.work_streams.len(),
                    "queues": s.queues.len(),
                    "agent_groups": s.agent_groups.len(),
                    "warnings": s.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
                }));
                if format == Format::Json {
                    continue;
                }
                let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
                say!(
                    "{}: ok ({}, {}, {}, {})",
                    path.display(),
                    count(s.channels.len(), "channel", "channels"),
                    count(s.work_streams.len(), "work stream", "work streams"),
                    count(s.queues.len(), "queue", "queues"),
                    count(s.agent_groups.len(), "agent group", "agent groups")
                );
            }
            Err(e) => {
                files.push(serde_json::json!({ "file": path.display().to_string(), "ok": false, "error": e }));
                errors.push(e);
            }
        }
    }
    if format == Format::Json {
        let document = serde_json::json!({ "ccsim": env!("CARGO_PKG_VERSION"), "command": "validate", "files": files });
        print_json(&document);
    }
    // One line per file that failed; the last is the command's error.
    let last = errors.pop();
    for e in &errors {
        complain!("error: {e}");
    }
    last.map_or(Ok(()), |e| Err(CliError::Input(e)))
}

fn duration_arg(flag: &str, text: &str) -> Result<Duration, CliError> {
    Duration::parse(text).map_err(|e| CliError::Input(format!("{flag} {text}: {e}")))
}

/// `ccsim erlang`: the analytic figures for one queue.
pub fn erlang(args: &ErlangArgs) -> Result<(), CliError> {
    let mut model = QueueModel {
        arrivals_per_hour: args.rate,
        aht_s: duration_arg("--aht", &args.aht)?.0,
        agents: args.agents.unwrap_or(1),
        concurrency: args.concurrency,
        patience_mean_s: args.patience.as_deref().map(|p| duration_arg("--patience", p)).transpose()?.map(|d| d.0),
    };
    let threshold = duration_arg("--threshold", &args.threshold)?;
    let target = match (args.target_sl, &args.target_asa, args.target_abandon) {
        (Some(sl), _, _) => Some((erlang::Target::ServiceLevel(sl), format!("--target-sl {sl}"))),
        (_, Some(asa), _) => {
            Some((erlang::Target::Asa(duration_arg("--target-asa", asa)?.0), format!("--target-asa {asa}")))
        }
        (_, _, Some(p)) if model.patience_mean_s.is_none() => {
            return Err(CliError::Input(format!(
                "--target-abandon {p}: without --patience nobody abandons; expected --patience DURATION"
            )));
        }
        (_, _, Some(p)) => Some((erlang::Target::Abandon(p), format!("--target-abandon {p}"))),
        _ => None,
    };
    if let Some((target, flag)) = &target {
        let (agents, _) = erlang::fewest_agents(&model, threshold.0, *target).map_err(|e| match e {
            erlang::TargetError::Model(e) => CliError::Input(e.to_string()),
            other => CliError::Input(format!("{flag}: {other}")),
        })?;
        model.agents = agents;
        if args.format == Format::Text {
            say!("fewest agents that meet {flag}: {agents}");
        }
    }
    let f = erlang::figures(&model, threshold.0).map_err(|e| CliError::Input(e.to_string()))?;
    let name = if model.patience_mean_s.is_some() { "Erlang A (M/M/c+M)" } else { "Erlang C (M/M/c)" };
    if args.format == Format::Json {
        let document = serde_json::json!({
            "ccsim": env!("CARGO_PKG_VERSION"),
            "command": "erlang",
            "model": name,
            "arrivals_per_hour": args.rate,
            "aht_s": model.aht_s,
            "agents": model.agents,
            "concurrency": model.concurrency,
            "patience_mean_s": model.patience_mean_s,
            "target": target.as_ref().map(|(_, flag)| flag.clone()),
            "figures": f,
        });
        print_json(&document);
        return Ok(());
    }
    say!(
        "{name}: {} arrivals/h, AHT {} s, {} servers ({} agents × {}), offered load {:.4} Erlangs",
        args.rate,
        model.aht_s,
        f.servers,
        model.agents,
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

/// `ccsim fit`: a scenario fragment fitted to a history of conversations.
pub fn fit(args: &FitArgs) -> Result<(), CliError> {
    use ccsim::fit::{self as fitting, history};
    let slot = Duration::parse(&args.interval)
        .ok()
        .map(|d| d.0)
        .filter(|s| [900.0, 1800.0, 3600.0].contains(s))
        .ok_or_else(|| CliError::Input(format!("--interval {}: expected 15m, 30m or 1h", args.interval)))?;
    let mapping: Vec<(String, String)> = args
        .columns
        .iter()
        .map(|c| {
            c.split_once('=')
                .filter(|(n, h)| !n.trim().is_empty() && !h.trim().is_empty())
                .map(|(n, h)| (n.trim().to_string(), h.trim().to_string()))
                .ok_or_else(|| {
                    CliError::Input(format!("--column {c}: expected NAME=HEADER, such as arrival=created_on"))
                })
        })
        .collect::<Result<_, _>>()?;
    let history = history::read(&args.history, &mapping, args.skip_bad_rows).map_err(CliError::Input)?;
    let fits = fitting::fit(&history, slot);
    let stem = args.history.file_stem().map_or_else(|| "history".into(), |s| s.to_string_lossy().into_owned());
    let dir =
        args.output.clone().unwrap_or_else(|| PathBuf::from("output").join(safe_component(&format!("{stem}-fit"))));
    let _lock = take(&dir)?;
    let source = args.history.file_name().map_or_else(|| stem.clone(), |s| s.to_string_lossy().into_owned());
    let mut files = vec![
        report::OutputFile { name: "fit.csv".into(), bytes: report::fit::fit_csv(&fits)? },
        report::OutputFile {
            name: "fitted.toml".into(),
            bytes: report::fit::fitted_toml(&fits, &history, &source, slot).into_bytes(),
        },
    ];
    for f in fits.iter().filter(|f| f.handle.chosen.is_none() && !f.handle.values.is_empty()) {
        files.push(report::OutputFile {
            name: report::fit::empirical_file(&f.name),
            bytes: report::fit::empirical_values(&f.handle.values),
        });
    }
    if !args.no_charts {
        files.extend(report::charts::fit_charts(&fits)?);
    }
    write(&dir, &files)?;
    if args.format == Format::Json {
        let document = serde_json::json!({
            "ccsim": env!("CARGO_PKG_VERSION"),
            "command": "fit",
            "output": dir.display().to_string(),
            "rows": report::fit::fit_rows(&fits),
        });
        print_json(&document);
    }
    if !args.quiet && args.format == Format::Text {
        for line in report::fit::reading_notes(&history) {
            say!("{line}");
        }
        say!("{}", report::fit::fit_table(&fits));
        say!("wrote fitted.toml and fit.csv to {}", dir.display());
    }
    Ok(())
}

/// `ccsim schedule`: shifts that cover the requirement, verified and repaired by simulation.
pub fn schedule(args: &ScheduleArgs) -> Result<(), CliError> {
    use ccsim::experiment::{schedule, staff};
    let (path, options) = (args.scenario.as_path(), &args.options);
    let src = source(Some(path))?;
    let scenario = prepare(&src, options, &[])?;
    let input = |e: schedule::ScheduleError| match e {
        schedule::ScheduleError::Input(m) => CliError::Input(format!("{}: {m}", path.display())),
        schedule::ScheduleError::Stopped(s) => CliError::Stopped(s),
    };
    if scenario.shift_templates.is_empty() {
        return Err(CliError::Input(format!(
            "{}: no [[shift_template]]; expected the shifts agents may be rostered on (docs/scenario.md)",
            path.display()
        )));
    }
    let verify_replications = args.verify_replications.unwrap_or(scenario.simulation.replications);
    if verify_replications == 0 {
        return Err(CliError::Input("--verify-replications 0: expected at least 1".into()));
    }
    let dir = output_dir(options, &scenario, "-schedule");
    let _lock = take(&dir)?;
    let settings = settings(options)?;
    warn(&scenario, options);
    let bar = progress_counter(options);
    let requirement = match &args.requirement {
        Some(file) => schedule::requirement_file(file, &scenario).map_err(input)?,
        None => {
            // The groups the templates cover: their own, or the one group there is.
            let mut groups: Vec<GroupId> = scenario.shift_templates.iter().filter_map(|t| t.group).collect();
            if scenario.shift_templates.iter().any(|t| t.group.is_none()) {
                if scenario.agent_groups.len() != 1 {
                    return Err(CliError::Input(format!(
                        "{}: a [[shift_template]] without group, and {} agent groups; expected group = \"NAME\" on every template",
                        path.display(),
                        scenario.agent_groups.len()
                    )));
                }
                groups.push(GroupId(0));
            }
            groups.sort_unstable();
            groups.dedup();
            schedule::over_a_week(&scenario, &groups, false).map_err(input)?;
            let request =
                staff::Request { groups: groups.clone(), slot: 1800.0, max_agents: 10_000, verify_replications };
            staff::check_request(&scenario, &request).map_err(|e| staff_error(path, e))?;
            let plan = staff::staff(&scenario, &request, &settings, &|step| {
                bar.set_position(step.simulations as u64);
                bar.set_message(format!("staffing: {}", step.phase));
            })
            .map_err(|e| staff_error(path, e))?;
            schedule::Requirement {
                cycle: ccsim::time::SlotCycle::daily(1800.0),
                groups: groups
                    .iter()
                    .zip(&plan.staffing)
                    .map(|(&g, slots)| (g, slots.iter().map(|s| s.agents).collect()))
                    .collect(),
            }
        }
    };
    let plan = schedule::schedule(&src, &scenario, &requirement, verify_replications, &settings, &|round| {
        bar.set_message(format!("round {round}: solving and verifying"));
    })
    .map_err(input)?;
    bar.finish_and_clear();

    let staffed_gates = staff::Plan::gates_of(&plan.slot_gates, &plan.whole_gates, &scenario, plan.cycle);
    let mut files = vec![
        report::OutputFile { name: "schedule.csv".into(), bytes: report::schedule::schedule_csv(&plan, &scenario)? },
        report::OutputFile { name: "rostered.toml".into(), bytes: plan.rostered_text.clone().into_bytes() },
    ];
    let drawn = charts(options, || report::charts::schedule_charts(&plan, &scenario))?;
    let lead = vec![format!(
        "{} shifts in {} round{}; verified on seed {} with {} replications",
        plan.groups.iter().map(|g| g.shifts.len()).sum::<usize>(),
        plan.rounds,
        if plan.rounds == 1 { "" } else { "s" },
        plan.rostered.simulation.seed,
        plan.rostered.simulation.replications
    )];
    files.extend(report_page(options, || {
        report::html::plan_report(report::html::PlanPage {
            command: "schedule",
            scenario: &scenario,
            lead,
            tables: vec![report::html::HtmlTable::of(&report::schedule::schedule_summary(&plan, &scenario))],
            detail: report::html::HtmlTable::from_csv(&files[0].bytes).captioned("schedule.csv"),
            gates: &staffed_gates,
            verification: &plan.verification,
            scenario_text: as_run(&src, options, &[]),
            files: &drawn,
        })
    }));
    files.extend(drawn);
    files.extend(inside("verify", run_outputs(&plan.verification, &plan.rostered, options)?));
    files
        .push(report::OutputFile { name: "verify/check.csv".into(), bytes: report::check::check_csv(&staffed_gates)? });
    write(&dir, &files)?;
    emit_json(options, || {
        let mut document = Json::new("schedule", &scenario, &dir).with_gates(&staffed_gates);
        document.runs.push(json::run("verification", &plan.rostered, &plan.verification));
        document
    });
    if options.says() {
        say!(
            "{}: {} shifts in {} round{}; verified on seed {} with {} replications",
            scenario.name,
            plan.groups.iter().map(|g| g.shifts.len()).sum::<usize>(),
            plan.rounds,
            if plan.rounds == 1 { "" } else { "s" },
            plan.rostered.simulation.seed,
            plan.rostered.simulation.replications
        );
        say!("{}", report::schedule::schedule_table(&plan, &scenario));
        say!("verification (a seed of its own; the rounds before it were repaired where a gate failed):");
        say!("{}", report::check::check_table(&staffed_gates, true));
        say!("wrote schedule.csv, rostered.toml and verify/ to {}", dir.display());
    }
    if plan.holds() {
        Ok(())
    } else {
        let slots: Vec<String> = plan.failing.iter().map(|&j| plan.cycle.label(j)).collect();
        Err(CliError::CheckFailed(format!(
            "no verification held within {} rounds; gates still fail in the slots at {}",
            plan.rounds,
            slots.join(", ")
        )))
    }
}

/// `ccsim merge`: checks the shards of a sharded command, and returns the command to run again on
/// their replications, with `-o` and `-q` as given here.
pub fn merge(args: &MergeArgs) -> Result<(Command, std::sync::Arc<ccsim::experiment::shard::Stored>), CliError> {
    let stored = ccsim::experiment::shard::Stored::open(&args.shards).map_err(CliError::Input)?;
    let recorded = stored.command().to_vec();
    let mut argv: Vec<std::ffi::OsString> = vec!["ccsim".into()];
    argv.extend(recorded.iter().map(Into::into));
    if let Some(out) = &args.output {
        argv.push("--output".into());
        argv.push(out.into());
    }
    if args.quiet && !recorded.iter().any(|a| a == "-q" || a == "--quiet") {
        argv.push("--quiet".into());
    }
    let unreadable = |why: String| {
        CliError::Input(format!("the shards' command `ccsim {}` cannot be run again: {why}", recorded.join(" ")))
    };
    let cli = <Cli as clap::Parser>::try_parse_from(argv).map_err(|e| unreadable(e.kind().to_string()))?;
    match cli.command {
        command @ (Command::Run { .. } | Command::Compare { .. } | Command::Sweep { .. } | Command::Check(_)) => {
            Ok((command, std::sync::Arc::new(stored)))
        }
        _ => Err(unreadable("expected run, compare, sweep or check".into())),
    }
}

/// `ccsim init`: a commented starter scenario, written whole, never over an existing file.
pub fn init(template: crate::cli::Starter, file: &Path) -> Result<(), CliError> {
    use crate::cli::Starter;
    let text = match template {
        Starter::Small => ccsim::scenario::DEFAULT_SCENARIO,
        Starter::Async => include_str!("../scenarios/async_messaging.toml"),
        Starter::Blended => include_str!("../scenarios/blended.toml"),
    };
    if file.exists() {
        return Err(CliError::Input(format!(
            "{}: already exists; expected a new file name (ccsim init writes over nothing)",
            file.display()
        )));
    }
    write_file(file, text.as_bytes().to_vec())?;
    say!("wrote {}; try: ccsim run {}", file.display(), file.display());
    Ok(())
}

/// `ccsim manpage`: the manual page, from the same definitions as `--help`.
/// `ccsim schema`: the JSON Schema of scenario files, pretty-printed.
pub fn schema() -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(&ccsim::scenario::scenario_schema()).expect("a schema is JSON");
    text.push('\n');
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| CliError::Input(e.to_string()))
}

pub fn manpage() -> Result<(), CliError> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page).map_err(|e| CliError::Input(e.to_string()))?;
    // Each command's synopsis and options, as `ccsim COMMAND --help` shows them.
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let man = clap_mangen::Man::new(sub.clone().bin_name(format!("ccsim {}", sub.get_name())));
        let rendered = man.render_synopsis_section(&mut page).and_then(|()| man.render_options_section(&mut page));
        rendered.map_err(|e| CliError::Input(e.to_string()))?;
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(&page).and_then(|()| out.flush()).map_err(|e| CliError::Input(e.to_string()))
}
