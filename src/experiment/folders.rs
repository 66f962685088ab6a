//! The output folders of variants and sweep points: one safe path component per variant or
//! point, distinct from each other and from the files the command writes beside them.
//!
//! A name is made safe by [`safe_component`]: separators and control characters become `_`, and
//! it is cut to 120 bytes. Two names can then meet in one folder — `a/b` and `a_b`, two long labels
//! that differ only after their first 120 bytes, or `Pick` and `pick` on a file system that ignores
//! case — and the later run would silently overwrite the earlier one's files. So:
//!
//! - **Variants** (`compare`) are named by the user, who can rename them: [`variant_folders`]
//!   refuses names that collide, or that are the name of a file or folder `compare` writes itself
//!   (`compare.csv`, `charts`), and the CLI turns that into invalid input (exit 2) before anything
//!   runs.
//! - **Sweep points** are named by their `key=value` labels, which the user does not choose:
//!   [`point_folders`] keeps a point's plain name when it is unique and otherwise appends `-pN`,
//!   where N is the point's place in the grid (its row order in `sweep.csv`, from 1).
//!
//! Names are compared ignoring case, because macOS and Windows file systems do.

use std::collections::{BTreeMap, BTreeSet};

/// The longest name, in bytes, that a folder of ours gets (255 is the usual limit of one name).
pub const MAX_BYTES: usize = 120;

/// `name` as one safe path component: no separators, no `..`, no control characters, and at most
/// [`MAX_BYTES`] bytes.
pub fn safe_component(name: &str) -> String {
    cut(name, MAX_BYTES)
}

fn cut(name: &str, max_bytes: usize) -> String {
    let mut cleaned = String::new();
    for c in name.chars().map(|c| if c == '/' || c == '\\' || c.is_control() { '_' } else { c }) {
        if cleaned.len() + c.len_utf8() > max_bytes {
            break;
        }
        cleaned.push(c);
    }
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') { "scenario".to_string() } else { cleaned }
}

/// How two folder names are told apart: without regard to case.
fn key(name: &str) -> String {
    name.to_lowercase()
}

/// The folder of each variant, or why the names cannot be used: two of them would share a folder,
/// or one would be the folder or file named in `reserved` (what the command writes beside them).
pub fn variant_folders(names: &[String], reserved: &[&str]) -> Result<Vec<String>, String> {
    let folders: Vec<String> = names.iter().map(|n| safe_component(n)).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, folder) in folders.iter().enumerate() {
        if reserved.iter().any(|r| key(r) == key(folder)) {
            return Err(format!(
                "the variant name \"{}\" is the name of a file or folder that compare writes itself ({}); expected another name",
                names[i],
                reserved.join(", ")
            ));
        }
        if let Some(&j) = seen.get(&key(folder)) {
            return Err(format!(
                "the variant names \"{}\" and \"{}\" would share the output folder \"{folder}\" (names are made safe for file systems, cut to {MAX_BYTES} bytes, and compared without regard to case); expected names that differ as folder names",
                names[j], names[i]
            ));
        }
        seen.insert(key(folder), i);
    }
    Ok(folders)
}

/// The folder of each sweep point: its safe label, or, when that is not unique, the label cut to
/// make room for `-pN` (N = the point's place in the grid, from 1).
pub fn point_folders(labels: &[String], reserved: &[&str]) -> Vec<String> {
    let plain: Vec<String> = labels.iter().map(|l| safe_component(l)).collect();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for name in plain.iter().map(|n| key(n)).chain(reserved.iter().map(|r| key(r))) {
        *count.entry(name).or_default() += 1;
    }
    // Unique plain names first, so that a suffixed name never takes one of them.
    let mut used: BTreeSet<String> = reserved.iter().map(|r| key(r)).collect();
    used.extend(plain.iter().filter(|n| count[&key(n)] == 1).map(|n| key(n)));
    plain
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if count[&key(name)] == 1 {
                return name.clone();
            }
            let mut attempt = 1;
            loop {
                let suffix = if attempt == 1 { format!("-p{}", i + 1) } else { format!("-p{}-{attempt}", i + 1) };
                let candidate = format!("{}{suffix}", cut(&labels[i], MAX_BYTES - suffix.len()));
                if used.insert(key(&candidate)) {
                    return candidate;
                }
                attempt += 1;
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_become_one_safe_component() {
        assert_eq!(safe_component(" a/b\\c\n"), "a_b_c_");
        assert_eq!(safe_component(".."), "scenario");
        assert_eq!(safe_component(&"é".repeat(100)).len(), MAX_BYTES);
    }

    #[test]
    fn variants_that_would_share_a_folder_or_take_an_output_name_are_refused() {
        let reserved = ["compare.csv", "charts"];
        assert_eq!(variant_folders(&strings(&["base", "a/b"]), &reserved).unwrap(), ["base", "a_b"]);
        let err = variant_folders(&strings(&["base", "a/b", "a_b"]), &reserved).unwrap_err();
        assert!(err.contains("\"a/b\" and \"a_b\"") && err.contains("\"a_b\""), "{err}");
        assert!(variant_folders(&strings(&["base", "Pick", "pick"]), &reserved).is_err());
        for name in ["compare.csv", "charts", "Charts", " charts "] {
            let err = variant_folders(&strings(&["base", name]), &reserved).unwrap_err();
            assert!(err.contains("compare writes itself"), "{name}: {err}");
        }
    }

    #[test]
    fn sweep_points_whose_folders_collide_get_their_place_in_the_grid() {
        let long = "k=".to_string() + &"x".repeat(200);
        let labels = vec![format!("{long}1"), "a=1".to_string(), format!("{long}2"), "k=a/b".into(), "k=a_b".into()];
        let folders = point_folders(&labels, &["sweep.csv", "charts"]);
        assert_eq!(folders[1], "a=1");
        assert!(folders[0].ends_with("-p1") && folders[2].ends_with("-p3"), "{folders:?}");
        assert!(folders[0].len() <= MAX_BYTES);
        assert_eq!(&folders[3..], ["k=a_b-p4", "k=a_b-p5"]);
        let unique: BTreeSet<String> = folders.iter().map(|f| key(f)).collect();
        assert_eq!(unique.len(), labels.len());
        // A suffixed name never takes a plain one.
        let tricky = point_folders(&strings(&["k=a/b", "k=a_b", "k=a_b-p1"]), &[]);
        assert_eq!(tricky, ["k=a_b-p1-2", "k=a_b-p2", "k=a_b-p1"]);
    }
}
