//! The documentation's examples run: every ```` ```toml ```` block of `README.md` and `docs/` is a
//! complete scenario that `validate` accepts, and every ```` ```toml,fragment ```` block is TOML
//! that parses (a part of a scenario, shown alone).

use std::fs;
use std::path::{Path, PathBuf};

/// (file, line of the opening fence, info string, text) of every TOML block of `path`.
pub(crate) fn toml_blocks(path: &Path) -> Vec<(String, usize, String, String)> {
    let text = fs::read_to_string(path).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut open {
            None => {
                if let Some(info) = line.strip_prefix("```").filter(|info| info.starts_with("toml")) {
                    open = Some((i + 1, info.to_string(), String::new()));
                }
            }
            Some((start, info, body)) => {
                if line.starts_with("```") {
                    blocks.push((path.display().to_string(), *start, info.clone(), std::mem::take(body)));
                    open = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "{}: a ```toml block is never closed", path.display());
    blocks
}

pub(crate) fn documents() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    let mut pages: Vec<PathBuf> = fs::read_dir(root.join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    paths.extend(pages);
    paths
}

#[test]
fn every_toml_example_in_the_docs_is_valid() {
    let mut complete = 0;
    let mut failures = Vec::new();
    for path in documents() {
        for (file, line, info, text) in toml_blocks(&path) {
            let outcome = match info.as_str() {
                "toml" => {
                    complete += 1;
                    ccsim::scenario::Scenario::from_toml(&text, &format!("{file}:{line}"))
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
                "toml,fragment" => text.parse::<toml::Table>().map(|_| ()).map_err(|e| e.to_string()),
                other => Err(format!("unknown info string `{other}`; expected toml or toml,fragment")),
            };
            if let Err(e) = outcome {
                failures.push(format!("{file}, block at line {line}: {e}"));
            }
        }
    }
    assert!(complete >= 2, "only {complete} complete scenarios in the docs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
