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
            return Err(InputError::new(shown, line, col, not_utf8(bytes[good])));
        }
    };
    if let Some(at) = text.find('\0') {
        return Err(InputError::at_offset(shown, &text, at, NUL_BYTE));
    }
    Ok(text)
}

fn not_utf8(byte: u8) -> String {
    format!("not UTF-8 text: byte 0x{byte:02x} is not valid here")
}

const NUL_BYTE: &str = "a NUL byte: not a text file";

/// A file read as a stream, refused as [`read_text`] refuses it: a parser
/// reads it as it arrives (a snapshot of 100,000 resources is never held
/// whole), and only bytes checked to be UTF-8 reach it. Where bytes are not
/// UTF-8 the reading stops; a NUL byte is remembered. [`TextReader::finish`]
/// then reads what the parser left and gives the refusal `read_text` would
/// have given, which comes before whatever the parser made of the file.
pub struct TextReader<R> {
    inner: R,
    buf: Box<[u8]>,
    /// Checked bytes not handed out yet: `buf[start..end]`.
    start: usize,
    end: usize,
    /// The start of a character cut by the end of a read, kept for the
    /// next: `buf[end..end + carry]`.
    carry: usize,
    /// Line and column (in characters) of `buf[end]`.
    line: usize,
    column: usize,
    /// The first NUL byte's line and column.
    nul: Option<(usize, usize)>,
    /// The first byte that is not UTF-8: its line, column and value.
    bad: Option<(usize, usize, u8)>,
    eof: bool,
}

impl<R: std::io::Read> TextReader<R> {
    pub fn new(inner: R) -> TextReader<R> {
        TextReader {
            inner,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            carry: 0,
            line: 1,
            column: 1,
            nul: None,
            bad: None,
            eof: false,
        }
    }

    /// Reads and checks the next bytes; false at the end or a fault.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof || self.bad.is_some() {
            return Ok(false);
        }
        self.buf.copy_within(self.end..self.end + self.carry, 0);
        let kept = self.carry;
        let n = loop {
            match self.inner.read(&mut self.buf[kept..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        let len = kept + n;
        let (valid, fault) = match std::str::from_utf8(&self.buf[..len]) {
            Ok(_) => (len, false),
            // A character cut by the end of this read: finished by the next.
            Err(e) if e.error_len().is_none() && n > 0 => (e.valid_up_to(), false),
            Err(e) => (e.valid_up_to(), true),
        };
        if n == 0 {
            self.eof = true;
        }
        let checked = &self.buf[..valid];
        let here = (self.line, self.column);
        if self.nul.is_none()
            && let Some(at) = checked.iter().position(|&b| b == 0)
        {
            self.nul = Some(advance(here, &checked[..at]));
        }
        let (line, column) = advance(here, checked);
        if fault {
            self.bad = Some((line, column, self.buf[valid]));
        }
        (self.line, self.column) = (line, column);
        self.start = 0;
        self.end = valid;
        self.carry = len - valid;
        Ok(valid > 0 || (!self.eof && !fault))
    }

    /// Reads what the parser left, and gives `read_text`'s refusal of the
    /// file, if any (`shown` names it).
    ///
    /// # Errors
    /// Bytes that are not UTF-8 (at the first), else a NUL byte (at it),
    /// or a file that could not be read.
    pub fn finish(mut self, shown: &Path) -> Result<(), InputError> {
        let cannot = |e: std::io::Error| InputError::whole_file(shown, format!("cannot read: {e}"));
        while !self.eof && self.bad.is_none() {
            self.fill().map_err(cannot)?;
        }
        if let Some((line, column, byte)) = self.bad {
            return Err(InputError::new(shown, line, column, not_utf8(byte)));
        }
        if let Some((line, column)) = self.nul {
            return Err(InputError::new(shown, line, column, NUL_BYTE));
        }
        Ok(())
    }
}

/// The line and column past checked bytes, from those at their start.
fn advance((mut line, mut column): (usize, usize), checked: &[u8]) -> (usize, usize) {
    match checked.iter().rposition(|&b| b == b'\n') {
        Some(last) => {
            line += checked.iter().filter(|&&b| b == b'\n').count();
            column = 1 + chars(&checked[last + 1..]);
        }
        None => column += chars(checked),
    }
    (line, column)
}

/// How many characters UTF-8 bytes hold.
fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl<R: std::io::Read> std::io::Read for TextReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.start == self.end {
            if !self.fill()? {
                if self.bad.is_some() {
                    return Err(std::io::Error::other("not UTF-8 text"));
                }
                return Ok(0);
            }
        }
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
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

    /// Hands out a few bytes a read, cutting characters in two.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// What a stream reader hands out, and its refusal, `step` bytes a read.
    fn streamed(bytes: &[u8], step: usize) -> (Vec<u8>, Option<String>) {
        let mut r = TextReader::new(Trickle(bytes, step));
        let mut out = Vec::new();
        let _ = std::io::Read::read_to_end(&mut r, &mut out);
        (
            out,
            r.finish(Path::new("f.yaml")).err().map(|e| e.to_string()),
        )
    }

    #[test]
    fn a_streamed_file_is_refused_as_the_whole_one_is_wherever_its_reads_end() {
        let cases: &[&[u8]] = &[
            "zone: ex\u{e4}mple\n  name: \u{1f600} caf\u{e9}\n".as_bytes(),
            b"a: 1\nb: \xff\n",
            b"a: \xc3",
            b"\xe2\x82\nx",
            b"a: 1\n  b\0 c\n",
            // A NUL byte first and bad bytes after: the bad bytes are told.
            b"\0\n\n  \xc3\x28",
            b"",
        ];
        for bytes in cases {
            let whole = text_of(bytes.to_vec(), Path::new("f.yaml"));
            for step in [1, 2, 3, 7, 1 << 20] {
                let (out, err) = streamed(bytes, step);
                assert_eq!(
                    err,
                    whole.as_ref().err().map(ToString::to_string),
                    "{bytes:?} in reads of {step}"
                );
                if let Ok(text) = &whole {
                    assert_eq!(out, text.as_bytes());
                }
                // Only checked bytes are handed out.
                assert!(std::str::from_utf8(&out).is_ok(), "{bytes:?}");
            }
        }
    }
}
