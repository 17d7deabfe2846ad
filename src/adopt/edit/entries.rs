//! Edits of whole entries: a list item or a zone file entry found by its
//! line, removed, its values replaced, or a new one appended.

use super::*;

/// The span of the list item whose `- ` stands on 1-based line `line`: that
/// line and the deeper ones below it.
#[must_use]
pub fn item_span(text: &str, line: usize) -> Option<Range<usize>> {
    let start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    if start >= text.len() {
        return None;
    }
    let first = &text[start..line_end(text, start)];
    let t = first.trim_start();
    if !t.starts_with("- ") {
        return None;
    }
    let dash = indent_of(first);
    let mut end = line_end(text, start);
    let mut next = end + 1;
    while next < text.len() {
        let ne = line_end(text, next);
        let l = &text[next..ne];
        if l.trim().is_empty() || indent_of(l) <= dash {
            break;
        }
        end = ne;
        next = ne + 1;
    }
    Some(start..end)
}

/// Removes a list item (see [`item_span`]) with its line ending.
#[must_use]
pub fn remove_span_lines(text: &str, span: &Range<usize>) -> String {
    let end = (span.end + 1).min(text.len());
    format!("{}{}", &text[..span.start], &text[end..])
}

/// Appends `item` (already rendered, one line) as the last element of the
/// block list under the top-level key `list_key`, which must be the last
/// top-level key of the file.
///
/// # Errors
/// The list is not the file's last block, or is in flow style.
pub fn append_item(text: &str, list_key: &str, item: &str) -> Result<String, String> {
    let at = find_key(text, list_key, 0, text.len()).ok_or("no such list")?;
    if at != line_start(text, at) {
        return Err("the list is not at the top level".into());
    }
    let rest = &text[line_end(text, at)..];
    let mut indent = None;
    for l in rest.lines().skip(1) {
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let ind = indent_of(l);
        if !l.trim_start().starts_with("- ") && ind == 0 {
            return Err(format!("`{list_key}` is not the last key of the file"));
        }
        if indent.is_none() && l.trim_start().starts_with("- ") {
            indent = Some(ind);
        }
    }
    let indent = indent.ok_or_else(|| format!("`{list_key}` is not a block list"))?;
    let body = text.trim_end_matches('\n');
    Ok(format!("{body}\n{}- {item}\n", " ".repeat(indent)))
}

/// The span of the list entry that declares something on 1-based `line`:
/// in YAML the `- ` item at or above it, in JSON (or a YAML flow map) the
/// object around the line's first character.
#[must_use]
pub fn entry_span(text: &str, line: usize) -> Option<Range<usize>> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let at = *starts.get(line.checked_sub(1)?)?;
    let first = at + indent_of(&text[at..line_end(text, at)]);
    if is_json(text) {
        // The innermost `{` still open at the line, and its end.
        let mut depth = 0i32;
        let mut open = None;
        for (i, c) in text[..first].char_indices().rev() {
            match c {
                '}' => depth += 1,
                '{' if depth == 0 => {
                    open = Some(i);
                    break;
                }
                '{' => depth -= 1,
                _ => {}
            }
        }
        let open = if text[first..].starts_with('{') {
            first
        } else {
            open?
        };
        let end = balanced_end(text, open)?;
        return Some(open..end);
    }
    let my_indent = first - at;
    for l in (0..line).rev() {
        let s = starts[l];
        let lt = &text[s..line_end(text, s)];
        let t = lt.trim_start();
        if t.starts_with("- ") && (l + 1 == line || indent_of(lt) < my_indent) {
            return item_span(text, l + 1);
        }
    }
    None
}

/// Removes an entry found by [`entry_span`]: its lines in YAML; in JSON the
/// object and one comma beside it.
#[must_use]
pub fn remove_entry(text: &str, span: &Range<usize>) -> String {
    if !is_json(text) {
        return remove_span_lines(text, span);
    }
    let after = &text[span.end..];
    let t = after.trim_start();
    let (start, end) = if t.starts_with(',') {
        (span.start, span.end + (after.len() - t.len()) + 1)
    } else {
        let before = text[..span.start].trim_end();
        if before.ends_with(',') {
            (before.len() - 1, span.end)
        } else {
            (span.start, span.end)
        }
    };
    // Drop the line left empty, if any.
    let ls = line_start(text, start);
    let le = line_end(text, end);
    if text[ls..start].trim().is_empty() && text[end..le].trim().is_empty() && le < text.len() {
        return format!("{}{}", &text[..ls], &text[le + 1..]);
    }
    format!("{}{}", &text[..start], &text[end..])
}

/// The place of `value` as a whole token within `span`.
pub(super) fn token(text: &str, span: &Range<usize>, value: &str) -> Option<Range<usize>> {
    let end = find_named(text, value, span.start, span.end)?;
    let start = end - value.len();
    // Take the quotes around it too.
    let q = text[..start].chars().next_back();
    if matches!(q, Some('"' | '\'')) && text[end..].starts_with(q.unwrap_or(' ')) {
        return Some(start - 1..end + 1);
    }
    Some(start..end)
}

/// Replaces the list value `old` within `span` with `new`.
///
/// # Errors
/// `old` is not there.
pub fn replace_value(
    text: &str,
    span: &Range<usize>,
    old: &str,
    new: &str,
) -> Result<String, String> {
    let t = token(text, span, old).ok_or_else(|| format!("`{old}` not found in the entry"))?;
    let yaml = !is_json(text);
    let like = &text[t.clone()];
    let flow = open_brackets(&text[line_start(text, t.start)..t.start]) > 0;
    let rendered = render(&Value::String(new.to_owned()), yaml, flow, like);
    Ok(format!("{}{rendered}{}", &text[..t.start], &text[t.end..]))
}

/// Removes the list value `value` within `span`: its `- value` line in a
/// block list, or the value and one comma in a flow list.
///
/// # Errors
/// `value` is not there.
pub fn remove_value(text: &str, span: &Range<usize>, value: &str) -> Result<String, String> {
    let t = token(text, span, value).ok_or_else(|| format!("`{value}` not found in the entry"))?;
    let ls = line_start(text, t.start);
    let le = line_end(text, t.end);
    if text[ls..t.start].trim() == "-" && text[t.end..le].trim().is_empty() {
        let end = (le + 1).min(text.len());
        return Ok(format!("{}{}", &text[..ls], &text[end..]));
    }
    let after = &text[t.end..];
    let trimmed = after.trim_start_matches([' ', '\t']);
    if let Some(rest) = trimmed.strip_prefix(',') {
        let skip = after.len() - rest.trim_start_matches([' ', '\t']).len();
        return Ok(format!("{}{}", &text[..t.start], &text[t.end + skip..]));
    }
    let before = text[..t.start].trim_end_matches([' ', '\t']);
    if let Some(b) = before.strip_suffix(',') {
        return Ok(format!("{b}{}", &text[t.end..]));
    }
    Ok(format!("{}{}", &text[..t.start], &text[t.end..]))
}

/// Appends `item` (rendered on one line) to the block list under the
/// top-level key `key`, after its last item; adds `key:` with the item at
/// the end of the file when there is no such key.
///
/// # Errors
/// The list is in flow style (`key: [...]`).
pub fn append_to_list(text: &str, key: &str, item: &str) -> Result<String, String> {
    let Some(at) = find_key(text, key, 0, text.len()).filter(|a| *a == line_start(text, *a)) else {
        let body = if text.is_empty() || text.ends_with('\n') {
            text.to_owned()
        } else {
            format!("{text}\n")
        };
        return Ok(format!("{body}{key}:\n  - {item}\n"));
    };
    let key_line = text[..at].matches('\n').count() + 1;
    let items = crate::declared::locate::item_lines(text, key_line);
    let Some(&last) = items.last() else {
        return Err(format!("`{key}` is not a block list"));
    };
    let span = item_span(text, last).ok_or("the list's last item was not found")?;
    let indent = indent_of(&text[span.start..line_end(text, span.start)]);
    let end = (span.end + 1).min(text.len());
    let nl = if span.end == text.len() { "\n" } else { "" };
    Ok(format!(
        "{}{nl}{}- {item}\n{}",
        &text[..end],
        " ".repeat(indent),
        &text[end..]
    ))
}
