//! Scenario errors: what was wrong, where it stands in the file, and what was expected.
//!
//! Rendered by the CLI as `error: FILE: at line L, column C: KEY: message` (DESIGN.md "Command
//! line"). The key is a dotted path in which named tables are addressed by name
//! (`work_stream.chat.capacity`), the same form `--set` uses.

use std::fmt;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The file as the user named it (or `<embedded default>`).
    pub file: String,
    /// 1-based line and column of the offending value, when the input has them.
    pub position: Option<(usize, usize)>,
    /// Dotted key path; empty when the whole file is at fault.
    pub key: String,
    pub message: String,
}

/// What a scenario allows but most likely does not mean, located as an error is. The CLI prints
/// it as `warning: FILE: at line L, column C: KEY: message`; `run.toml` keeps it without the file.
pub type ScenarioWarning = ScenarioError;

impl ScenarioError {
    /// The error without its file: `at line L, column C: KEY: message`.
    pub fn in_file(&self) -> String {
        let mut text = String::new();
        if let Some((line, column)) = self.position {
            text.push_str(&format!("at line {line}, column {column}: "));
        }
        if !self.key.is_empty() {
            text.push_str(&format!("{}: ", self.key));
        }
        text + &self.message
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file)?;
        if let Some((line, column)) = self.position {
            write!(f, "at line {line}, column {column}: ")?;
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// Turns a byte offset into a 1-based (line, column), counting columns in characters.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 11), (2, 6));
        assert_eq!(line_column(text, 999), (3, 1));
    }

    #[test]
    fn the_message_has_the_documented_form() {
        let e = ScenarioError {
            file: "s.toml".into(),
            position: Some((3, 7)),
            key: "work_stream.chat.capacity".into(),
            message: "0 is not allowed; expected an integer ≥ 1".into(),
        };
        assert_eq!(
            e.to_string(),
            "s.toml: at line 3, column 7: work_stream.chat.capacity: 0 is not allowed; expected an integer ≥ 1"
        );
    }
}
