//! Edits of declared YAML and JSON text that leave everything else as it was:
//! one value replaced, one key removed or added, one list item removed or
//! appended. Comments, key order, quoting and layout elsewhere are kept, so
//! `git diff` shows only what was adopted.
//!
//! The edits work on the text, found by key as the error locator finds them;
//! they are not a YAML round trip (which would reformat the whole file).
//! Every edit is checked afterwards by reading the file again (see
//! [`super::verify`]), so a place this finds wrongly is refused, never written.

mod entries;
pub use entries::*;

use serde_json::Value;
use std::ops::Range;

/// The value of a key: its span, and whether it sits in flow (JSON, `{}`/`[]`) context.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    /// Where the key starts (its opening quote, if quoted).
    key_start: usize,
    /// The value's text, excluding the spaces after the colon. For a block
    /// value this starts right after the colon.
    value: Range<usize>,
    flow: bool,
    block: bool,
}

/// Whether a text is JSON (rather than YAML).
#[must_use]
pub fn is_json(text: &str) -> bool {
    text.trim_start().starts_with(['{', '['])
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Unquoted `{`/`[` minus `}`/`]` in `s`.
fn open_brackets(s: &str) -> i32 {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for c in s.chars() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                '#' if prev == ' ' => break,
                _ => {}
            },
        }
        prev = c;
    }
    depth
}

/// The end of a quoted or bracketed value starting at `start`.
fn balanced_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(b'"') if c == b'\\' => i += 1,
            Some(b'\'') if c == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            Some(q) if c == q => {
                quote = None;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            Some(_) => {}
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// The key `key` at or after `from` and before `end`, as a key (`key:`,
/// `"key":`), at any depth.
fn find_key(text: &str, key: &str, from: usize, end: usize) -> Option<usize> {
    let hay = &text[..end];
    let mut start = from;
    while let Some(i) = hay.get(start..)?.find(key) {
        let at = start + i;
        let before = hay[..at].chars().next_back();
        let quoted = matches!(before, Some('"' | '\''));
        let boundary =
            before.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '{' | ',' | '-'));
        let rest = &hay[at + key.len()..];
        let rest = if quoted {
            rest.strip_prefix(['"', '\''])
        } else {
            Some(rest)
        };
        if boundary && rest.is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with(':')) {
            return Some(if quoted { at - 1 } else { at });
        }
        start = at + key.len().max(1);
    }
    None
}

/// A list element named `name` (`name: api`, `"name": "api"`, or a plain
/// item `- api`) at or after `from`: the offset just past the name.
fn find_named(text: &str, name: &str, from: usize, end: usize) -> Option<usize> {
    let hay = &text[..end];
    let mut start = from;
    while let Some(i) = hay.get(start..)?.find(name) {
        let at = start + i;
        let before = hay[..at].chars().next_back();
        let after = hay[at + name.len()..].chars().next();
        if before.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '[' | '{'))
            && after.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | ']'))
        {
            return Some(at + name.len());
        }
        start = at + name.len().max(1);
    }
    None
}

/// Where `keys` lead within `within`: map keys in order, `[name]` segments
/// as list elements by name.
fn find(text: &str, within: &Range<usize>, keys: &[Seg]) -> Option<Found> {
    let mut pos = within.start;
    let mut key_start = None;
    let mut last_key = "";
    for seg in keys {
        match seg {
            Seg::Key(k) => {
                let at = find_key(text, k, pos, within.end)?;
                key_start = Some(at);
                last_key = k;
                pos = at + k.len();
            }
            Seg::Named(n) => {
                pos = find_named(text, n, pos, within.end)?;
                key_start = None;
            }
        }
    }
    let key_start = key_start?;
    if !matches!(keys.last(), Some(Seg::Key(_))) {
        return None;
    }
    let colon = key_start + text[key_start..].find(':')?;
    debug_assert!(text[key_start..colon].contains(last_key));
    let ls = line_start(text, key_start);
    let flow = is_json(text) || open_brackets(&text[ls..key_start]) > 0;
    let mut v = colon + 1;
    while matches!(text.as_bytes().get(v), Some(b' ' | b'\t')) {
        v += 1;
    }
    let first = text.as_bytes().get(v).copied();
    if matches!(first, Some(b'"' | b'\'' | b'[' | b'{')) {
        let end = balanced_end(text, v)?;
        return Some(Found {
            key_start,
            value: v..end,
            flow,
            block: false,
        });
    }
    if flow {
        let rest = &text[v..];
        let len = rest.find([',', '}', ']', '\n']).unwrap_or(rest.len());
        let end = v + rest[..len].trim_end().len();
        return Some(Found {
            key_start,
            value: v..end,
            flow,
            block: false,
        });
    }
    let le = line_end(text, v);
    let line = &text[v..le];
    let line = line.find(" #").map_or(line, |i| &line[..i]).trim_end();
    let block_scalar = line.starts_with('|') || line.starts_with('>');
    if !line.is_empty() && !block_scalar {
        return Some(Found {
            key_start,
            value: v..v + line.len(),
            flow,
            block: false,
        });
    }
    // A block value: the lines below, deeper than the key, or list items at
    // the key's own indentation.
    let key_indent = key_start - ls;
    let mut end = le;
    let mut next = le + 1;
    while next < text.len() {
        let ne = line_end(text, next);
        let l = &text[next..ne];
        if l.trim().is_empty() {
            break;
        }
        let ind = indent_of(l);
        if ind > key_indent || (ind == key_indent && l.trim_start().starts_with("- ")) {
            end = ne;
            next = ne + 1;
        } else {
            break;
        }
    }
    Some(Found {
        key_start,
        value: colon + 1..end,
        flow,
        block: true,
    })
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    /// A list element by its name (`containerDefinitions[api]`).
    Named(String),
}

/// `taskDefinition.containerDefinitions[api].image` -> its steps.
#[must_use]
pub fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    out.push(Seg::Key(std::mem::take(&mut cur)));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    out.push(Seg::Key(std::mem::take(&mut cur)));
                }
                let mut name = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    name.push(c);
                }
                out.push(Seg::Named(name));
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(Seg::Key(cur));
    }
    out
}

/// Whether a string can stand unquoted in YAML and read back as that string.
fn plain_ok(s: &str, flow: bool) -> bool {
    let lower = s.to_ascii_lowercase();
    !s.is_empty()
        && s.trim() == s
        && !s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.contains(['\n', '\t'])
        && !(flow && s.contains([',', '[', ']', '{', '}']))
        && !matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
        )
        && s.parse::<f64>().is_err()
        && !s.starts_with("0x")
        && !s.starts_with("0o")
}

/// A value as YAML (`yaml`) or JSON text, in the quoting style of the value
/// it replaces (`like`).
#[must_use]
pub fn render(v: &Value, yaml: bool, flow: bool, like: &str) -> String {
    if !yaml {
        return serde_json::to_string(v).unwrap_or_default();
    }
    match v {
        Value::String(s) => {
            if like.starts_with('\'') && !s.contains('\n') {
                format!("'{}'", s.replace('\'', "''"))
            } else if !like.starts_with('"') && plain_ok(s, flow) {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| render(i, true, true, ""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!(
                    "{}: {}",
                    render(&Value::String(k.clone()), true, true, ""),
                    render(v, true, true, "")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// The text of the value at `keys` within `within`, unquoted.
#[must_use]
pub fn value_text(text: &str, within: &Range<usize>, keys: &[Seg]) -> Option<String> {
    let f = find(text, within, keys)?;
    Some(text[f.value].trim().trim_matches(['"', '\'']).to_owned())
}

/// Replaces the value at `keys` within `within`.
///
/// # Errors
/// The keys are not found there.
pub fn set_value(
    text: &str,
    within: &Range<usize>,
    keys: &[Seg],
    v: &Value,
) -> Result<String, String> {
    let f = find(text, within, keys).ok_or("not found in the file")?;
    let yaml = !is_json(text);
    let old = &text[f.value.clone()];
    let new = if f.block {
        format!(" {}", render(v, yaml, true, ""))
    } else {
        render(v, yaml, f.flow, old)
    };
    Ok(format!(
        "{}{new}{}",
        &text[..f.value.start],
        &text[f.value.end..]
    ))
}

/// Renames the last key of `keys` (within `within`) to `to`.
///
/// # Errors
/// The keys are not found there.
pub fn rename_key(
    text: &str,
    within: &Range<usize>,
    keys: &[Seg],
    to: &str,
) -> Result<String, String> {
    let Some(Seg::Key(last)) = keys.last() else {
        return Err("not a key".into());
    };
    let f = find(text, within, keys).ok_or("not found in the file")?;
    let at = f.key_start + text[f.key_start..].find(last.as_str()).ok_or("not found")?;
    Ok(format!("{}{to}{}", &text[..at], &text[at + last.len()..]))
}

/// Removes the key at `keys` (within `within`) with its value.
///
/// # Errors
/// The keys are not found there, or the key opens a list item (`- key:`).
pub fn remove_key(text: &str, within: &Range<usize>, keys: &[Seg]) -> Result<String, String> {
    let f = find(text, within, keys).ok_or("not found in the file")?;
    if f.flow {
        // `key: value` and one comma beside it.
        let mut start = f.key_start;
        let mut end = f.value.end;
        let after = &text[end..];
        let trimmed = after.trim_start();
        if trimmed.starts_with(',') {
            end += after.len() - trimmed.len() + 1;
            end += text[end..].len() - text[end..].trim_start_matches([' ', '\t']).len();
        } else {
            let before = &text[..start];
            let t = before.trim_end();
            if !t.ends_with(',') {
                return Err("the only key of its object".into());
            }
            start = t.len() - 1;
        }
        return Ok(format!("{}{}", &text[..start], &text[end..]));
    }
    let ls = line_start(text, f.key_start);
    if !text[ls..f.key_start].trim().is_empty() {
        return Err("the key opens a list item".into());
    }
    let end = (line_end(text, f.value.end) + 1).min(text.len());
    Ok(format!("{}{}", &text[..ls], &text[end..]))
}

/// Adds `key: value` as the last key of the mapping spanning `within` (a
/// whole file, or one list item starting at `within.start`).
///
/// # Errors
/// A mapping this cannot find the end of.
pub fn insert_key(
    text: &str,
    within: &Range<usize>,
    key: &str,
    v: &Value,
) -> Result<String, String> {
    let span = &text[within.clone()];
    if is_json(text) || span.trim_start().trim_start_matches("- ").starts_with('{') {
        let close = within.start + span.rfind('}').ok_or("no closing brace")?;
        let body = text[within.start..close].trim_end();
        let body_end = within.start + body.len();
        let yaml = !is_json(text);
        let item = if yaml {
            format!(", {key}: {}", render(v, true, true, ""))
        } else {
            let ls = line_start(text, body_end);
            let ind = indent_of(&text[ls..body_end]);
            format!(
                ",\n{}\"{key}\": {}",
                " ".repeat(ind),
                render(v, false, true, "")
            )
        };
        return Ok(format!("{}{item}{}", &text[..body_end], &text[body_end..]));
    }
    // Block YAML: a new line at the indentation of the span's first key.
    let first = span
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .ok_or("an empty mapping")?;
    let ind = indent_of(first)
        + if first.trim_start().starts_with("- ") {
            2
        } else {
            0
        };
    let end = within.end;
    let needs_nl = end > 0 && !text[..end].ends_with('\n');
    Ok(format!(
        "{}{}{}{key}: {}\n{}",
        &text[..end],
        if needs_nl { "\n" } else { "" },
        " ".repeat(ind),
        render(v, true, false, ""),
        &text[end..]
    ))
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
