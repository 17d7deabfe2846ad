//! Declared input is hostile until read: every file driftgate reads from a
//! repository (declared files, zone files, the config, snapshots, reports
//! to merge) goes through [`read_text`], which refuses what no parser should
//! see (bytes that are not UTF-8, NUL bytes, nesting deeper than any real
//! file has) with the real line and column, in time linear in its size.

use crate::error::{InputError, line_col};
use std::path::Path;

/// Nesting deeper than this is refused before a parser sees it. Real
/// declared files nest fewer than 20 levels; YAML's parser takes time
/// quadratic in the depth (100,000 levels took 20 s).
pub const MAX_DEPTH: usize = 64;

/// Reads a file as UTF-8 text without NUL bytes. `shown` is how errors
/// name it.
///
/// # Errors
/// A file that cannot be read, is not UTF-8 (at the first bad byte), or
/// holds a NUL byte (at it).
pub fn read_text(path: &Path, shown: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::whole_file(shown, format!("cannot read: {e}")))?;
    text_of(bytes, shown)
}

/// [`read_text`] for bytes already read.
///
/// # Errors
/// As [`read_text`].
pub fn text_of(bytes: Vec<u8>, shown: &Path) -> Result<String, InputError> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let before = String::from_utf8_lossy(&bytes[..good]);
            let (line, col) = line_col(&before, good);
            return Err(InputError::new(
                shown,
                line,
                col,
                format!(
                    "not UTF-8 text: byte 0x{:02x} is not valid here",
                    bytes[good]
                ),
            ));
        }
    };
    if let Some(at) = text.find('\0') {
        return Err(InputError::at_offset(
            shown,
            &text,
            at,
            "a NUL byte: not a text file",
        ));
    }
    Ok(text)
}

/// Refuses YAML or JSON nested deeper than [`MAX_DEPTH`], at the place the
/// limit is passed: flow collections (`[`, `{`) outside strings and
/// comments, block indentation levels, and `- - -` sequences on one line.
///
/// # Errors
/// The first place nesting passes the limit.
pub fn check_depth(text: &str, shown: &Path) -> Result<(), InputError> {
    let too_deep = |offset: usize| {
        InputError::at_offset(
            shown,
            text,
            offset,
            format!("nested more than {MAX_DEPTH} levels deep; refused"),
        )
    };
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let content = body.trim_end();
        if flow == 0 && !content.is_empty() && !content.starts_with('#') {
            while indents.last().is_some_and(|&i| i > indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                indents.push(indent);
            }
            let dashes = content
                .as_bytes()
                .chunks(2)
                .take_while(|c| *c == b"- ")
                .count();
            if indents.len() + dashes > MAX_DEPTH {
                return Err(too_deep(offset + indent));
            }
        }
        let mut quote: Option<u8> = None;
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) => {
                    if b == b'\\' && q == b'"' {
                        i += 1;
                    } else if b == q {
                        quote = None;
                    }
                }
                None => match b {
                    b'"' | b'\'' => {
                        // A quote starts a string only where a scalar can start.
                        let prev = if i == 0 { b' ' } else { bytes[i - 1] };
                        if matches!(prev, b' ' | b'\t' | b'[' | b'{' | b',' | b':' | b'-') {
                            quote = Some(b);
                        }
                    }
                    b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => break,
                    b'[' | b'{' => {
                        flow += 1;
                        if flow + indents.len() > MAX_DEPTH {
                            return Err(too_deep(offset + i));
                        }
                    }
                    b']' | b'}' => flow = flow.saturating_sub(1),
                    _ => {}
                },
            }
            i += 1;
        }
        offset += line.len();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_err(text: &str) -> Option<String> {
        check_depth(text, Path::new("f.yaml"))
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn ordinary_files_pass() {
        assert_eq!(depth_err("a:\n  b:\n    - c: [1, {d: \"[[[[\"}]\n"), None);
        assert_eq!(depth_err("{\"a\": [{\"b\": 1}]}"), None);
        assert_eq!(depth_err("text: '{{{{ not flow'\n# [[[[ comment\n"), None);
    }

    #[test]
    fn deep_flow_block_and_dash_nesting_are_refused_at_their_place() {
        let flow = "[".repeat(100_000);
        let e = depth_err(&flow).unwrap();
        assert!(e.starts_with("f.yaml:1:64: nested more than 64"), "{e}");
        let block: String = (0..100)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let e = depth_err(&block).unwrap();
        assert!(e.starts_with("f.yaml:65:65: "), "{e}");
        let dashes = format!("{}x\n", "- ".repeat(100));
        assert!(depth_err(&dashes).unwrap().starts_with("f.yaml:1:1: "));
    }

    #[test]
    fn bad_bytes_are_placed() {
        let e = text_of(b"a: 1\nb: \xff\n".to_vec(), Path::new("f.yaml")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.yaml:2:4: not UTF-8 text: byte 0xff is not valid here"
        );
        let e = text_of(b"a: 1\n  b\0".to_vec(), Path::new("f.yaml")).unwrap_err();
        assert_eq!(e.to_string(), "f.yaml:2:4: a NUL byte: not a text file");
    }
}
