//! `ccsim schema`: the JSON Schema that editors check scenario files with accepts every scenario
//! ccsim accepts — the example scenarios, the benchmarks' scenarios, every TOML block of the docs
//! and every case of the bad-input table that ccsim runs — and refuses the bad-input table's
//! structural errors: unknown keys, wrong types, unknown names of kinds, a missing required key,
//! a value out of its range.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

use crate::cases::{Expect, Input};

fn schema() -> Value {
    let out = Command::cargo_bin("ccsim").unwrap().arg("schema").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("ccsim schema prints one JSON document")
}

fn validator() -> jsonschema::Validator {
    let schema = schema();
    jsonschema::draft7::new(&schema).expect("a draft-07 schema")
}

/// A TOML document as editors see it: dates and times become strings.
fn json_of(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(n) => Value::from(*n),
        toml::Value::Float(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(json_of).collect()),
        toml::Value::Table(t) => Value::Object(t.iter().map(|(k, v)| (k.clone(), json_of(v))).collect()),
    }
}

fn document(text: &str) -> Result<Value, toml::de::Error> {
    text.parse::<toml::Table>().map(|t| json_of(&toml::Value::Table(t)))
}

/// The validator's complaints about `instance`, one a line.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> String {
    validator.iter_errors(instance).map(|e| format!("  {} at {}", e, e.instance_path())).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_schema_is_a_draft_07_schema_with_a_description_for_every_key() {
    let schema = schema();
    jsonschema::draft7::meta::validate(&schema).expect("valid against the draft-07 meta-schema");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    // Every key of every table says what it is; the keys with a default say it too.
    let mut undescribed = Vec::new();
    let mut defaults = 0;
    let tables = std::iter::once(("scenario".to_string(), &schema))
        .chain(schema["definitions"].as_object().unwrap().iter().map(|(name, s)| (name.clone(), s)));
    for (table, s) in tables {
        let variants = s.get("oneOf").and_then(Value::as_array).map_or(vec![s], |v| v.iter().collect());
        for variant in variants {
            for (key, property) in variant.get("properties").and_then(Value::as_object).into_iter().flatten() {
                let described = property.get("description").and_then(Value::as_str).is_some_and(|d| !d.is_empty());
                let tag = matches!(key.as_str(), "dist" | "process");
                if !described && !tag && table != "Condition" && table != "DistributionTable" {
                    undescribed.push(format!("{table}.{key}"));
                }
                defaults += usize::from(property.get("default").is_some());
            }
        }
    }
    assert!(undescribed.is_empty(), "keys without a description: {undescribed:?}");
    assert!(defaults >= 40, "only {defaults} keys say their default");
    let horizon = &schema["definitions"]["Simulation"]["properties"]["horizon"];
    assert_eq!(horizon["default"], "1d");
    assert_eq!(schema["definitions"]["AgentGroup"]["properties"]["capacity"]["default"], 1);
}

#[test]
fn every_example_scenario_and_docs_block_is_valid_against_the_schema() {
    let validator = validator();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["scenarios", "benches", "benches/peers"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap().flatten().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let instance = document(&text).unwrap();
        if !validator.is_valid(&instance) {
            failures.push(format!("{}:\n{}", path.display(), errors(&validator, &instance)));
        }
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} scenario files");
    let mut blocks = 0;
    for page in crate::docs::documents() {
        for (file, line, _, text) in crate::docs::toml_blocks(&page) {
            let instance = document(&text).unwrap();
            if !validator.is_valid(&instance) {
                failures.push(format!("{file}, block at line {line}:\n{}", errors(&validator, &instance)));
            }
            blocks += 1;
        }
    }
    assert!(blocks >= 7, "only {blocks} TOML blocks in the docs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The bad-input table's structural errors: each is refused by the schema as by ccsim.
const STRUCTURAL: &[&str] = &[
    "unknown_top_level_table",
    "unknown_key_in_simulation",
    "unknown_key_in_channel",
    "unknown_key_in_work_stream",
    "unknown_key_in_routing_rule",
    "unknown_key_in_queue",
    "unknown_key_in_agent_group",
    "unknown_key_in_distribution",
    "unknown_key_in_arrivals",
    "unknown_key_in_shift",
    "unknown_key_in_context_variable",
    "string_for_count",
    "fraction_for_count",
    "string_for_capacity",
    "number_for_name",
    "negative_seed",
    "boolean_for_handle_time",
    "string_among_rates",
    "unknown_channel_kind",
    "unknown_mode",
    "unknown_assignment_method",
    "unknown_variable_type",
    "missing_handle_time",
    "a_unit_word_suggests_its_letter",
    "special_day_with_a_negative_factor",
];

#[test]
fn the_bad_input_tables_structural_errors_fail_the_schema_and_what_ccsim_runs_passes_it() {
    let validator = validator();
    let cases = crate::bad_input::cases();
    let mut failures = Vec::new();
    let (mut refused, mut accepted) = (0, 0);
    for case in &cases {
        let Input::Text(text) = &case.input else { continue };
        let Ok(instance) = document(text) else { continue };
        let valid = validator.is_valid(&instance);
        if STRUCTURAL.contains(&case.name) {
            assert!(matches!(case.expect, Expect::Invalid { .. }), "{} is not refused by ccsim", case.name);
            if valid {
                failures.push(format!("{}: ccsim refuses it, the schema accepts it", case.name));
            }
            refused += 1;
        } else if matches!(case.expect, Expect::Valid { .. }) {
            // What ccsim runs, an editor must not mark as wrong.
            if !valid {
                failures.push(format!(
                    "{}: ccsim runs it, the schema refuses it:\n{}",
                    case.name,
                    errors(&validator, &instance)
                ));
            }
            accepted += 1;
        }
    }
    assert_eq!(refused, STRUCTURAL.len(), "a structural case is missing from the table or not TOML text");
    assert!(accepted >= 5, "only {accepted} valid cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn durations_in_the_schema_are_what_ccsim_reads_as_durations() {
    let validator = validator();
    let texts = [
        "45s", "15m", "1h30m", "2d", "1d2h3m4s", " 1h 30m ", "90", "1.5", "1.5h", "0s", ".5m", "1e3", "1min",
        "2 hours", "h", "-1s", "1h1", "abc", "", "1h1h", "30m1h", "1 h", "5x",
    ];
    for text in texts {
        let instance = serde_json::json!({ "simulation": { "horizon": text } });
        let reads = ccsim::time::Duration::parse(text).is_ok();
        // The schema's pattern is a superset of the grammar: the order of units is left to ccsim.
        let order = matches!(text, "1h1h" | "30m1h");
        if !order {
            assert_eq!(validator.is_valid(&instance), reads, "{text:?}: ccsim reads it: {reads}");
        } else {
            assert!(!reads && validator.is_valid(&instance), "{text:?}");
        }
    }
}

/// taplo, the TOML toolkit under the Even Better TOML extension, checks files with the schema
/// the way an editor does: through a `#:schema` directive. Needs `taplo` on the PATH: `.ci/run`
/// installs it when missing and runs the ignored tests; plain `cargo test` lists it as ignored.
#[test]
#[ignore = "needs taplo; .ci/run runs it"]
fn editor_taplo_accepts_the_examples_and_marks_a_mistake_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let schema = serde_json::to_string_pretty(&schema()).unwrap();
    std::fs::write(dir.path().join("ccsim.schema.json"), schema).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let default = std::fs::read_to_string(root.join("scenarios/default.toml")).unwrap();
    let taplo = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), format!("#:schema ./ccsim.schema.json\n{text}")).unwrap();
        let out = std::process::Command::new("taplo")
            .args(["check", "--colors", "never", name])
            .current_dir(dir.path())
            .output()
            .expect("taplo on the PATH (pip install taplo), as .ci/run installs it");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let (ok, says) = taplo(&name, &std::fs::read_to_string(entry.path()).unwrap());
        assert!(ok, "taplo refuses {name}:\n{says}");
    }
    let bad = default.replacen("[simulation]\n", "[simulation]\nhorizn = \"2d\"\n", 1);
    let (ok, says) = taplo("typo.toml", &bad);
    // taplo marks the table that holds the unknown key, on its line (after the directive's).
    let table = bad.lines().position(|l| l == "[simulation]").unwrap() + 2;
    assert!(!ok && says.contains("'horizn' was unexpected") && says.contains(&format!("typo.toml:{table}:")), "{says}");
    let bad = default.replacen("\"1d\"", "\"1 day\"", 1);
    assert_ne!(bad, default);
    let (ok, says) = taplo("unit.toml", &bad);
    assert!(!ok && says.contains("\"1 day\""), "{says}");
}
