//! Errors in what the user gave driftgate: flags, the config file, declared files.

use std::fmt;
use std::path::Path;

/// A problem at a place in a file. Renders as `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// More problems found in the same run (other declared files), each
    /// reported: a run shows every bad file, not only the first.
    pub more: Vec<InputError>,
}

impl InputError {
    pub fn new(file: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        let shown = file.display().to_string();
        InputError {
            file: shown.strip_prefix("./").unwrap_or(&shown).to_owned(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
            more: Vec::new(),
        }
    }

    /// A problem with a file as a whole (it cannot be read): no place in it.
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        InputError {
            line: 0,
            column: 0,
            ..InputError::new(file, 1, 1, message)
        }
    }

    /// The first of `errors`, carrying the rest; `None` when there are none.
    #[must_use]
    pub fn all(mut errors: Vec<InputError>) -> Option<InputError> {
        if errors.is_empty() {
            return None;
        }
        let mut first = errors.remove(0);
        first.more.extend(errors);
        Some(first)
    }

    /// An error at a byte offset of `text`.
    pub fn at_offset(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        InputError::new(file, line, column, message)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
        for e in &self.more {
            write!(f, "\nerror: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// 1-based line and column (in characters) of a byte offset.
#[must_use]
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_to_lines() {
        let t = "ab\ncd\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 4), (2, 2));
        assert_eq!(line_col(t, 99), (3, 1));
        let e = InputError::at_offset(Path::new("x.toml"), t, 3, "bad");
        assert_eq!(e.to_string(), "x.toml:2:1: bad");
    }
}
