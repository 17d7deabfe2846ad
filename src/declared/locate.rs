//! Finds where a field stands in a file, to put a line and column on errors
//! found after parsing (an unknown field, a wrong type).
//!
//! The parsers driftgate uses report positions for syntax errors only, so this
//! searches the source for the path's keys in order: each key is looked for
//! after the previous one, as a key (`"key":` or `key:`), else as a value (a
//! list item's name). It points at the last key it found.

/// Line and column (1-based) of the last key of `keys` found in `text`.
#[must_use]
pub fn locate(text: &str, keys: &[String]) -> (usize, usize) {
    let mut pos = 0;
    let mut found = None;
    for key in keys {
        if let Some(at) = find_key(text, key, pos).or_else(|| find_value(text, key, pos)) {
            found = Some(at);
            pos = at + key.len();
        }
    }
    found.map_or((1, 1), |at| crate::error::line_col(text, at))
}

/// Finds many places in one file in document order in linear time: each
/// search starts where the previous one ended, and line numbers are counted
/// only over the text in between. Falls back to [`locate`] from the start
/// when the keys are not found ahead.
pub struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> Cursor<'a> {
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        Cursor {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the last key of `keys` found at or after the cursor.
    pub fn seek(&mut self, keys: &[String]) -> usize {
        let mut pos = self.offset;
        let mut found = None;
        for key in keys {
            if let Some(at) = find_nearest(self.text, key, pos) {
                found = Some(at);
                pos = at + key.len();
            }
        }
        match found {
            Some(at) if at >= self.offset => {
                self.line += self.text[self.offset..at].matches('\n').count();
                self.offset = at;
                self.line
            }
            _ => locate(self.text, keys).0,
        }
    }
}

/// The first place at or after `from` where `key` stands as a key or as a
/// value. One forward scan that stops at the first match: a cursor moving
/// through a file in order finds each entry near where it stands, in time
/// proportional to the distance, never to the rest of the file.
fn find_nearest(text: &str, key: &str, from: usize) -> Option<usize> {
    let mut start = from;
    while let Some(i) = text.get(start..)?.find(key) {
        let at = start + i;
        if boundary_before(text, at) {
            let rest = &text[at + key.len()..];
            let unquoted = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
            if unquoted.trim_start_matches([' ', '\t']).starts_with(':') {
                let quoted_start = at > 0 && matches!(text.as_bytes()[at - 1], b'"' | b'\'');
                return Some(if quoted_start { at - 1 } else { at });
            }
            if rest
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | ']'))
            {
                return Some(at);
            }
        }
        start = at + key.len().max(1);
    }
    None
}

/// The 1-based lines where the items of the block list under the key on
/// `key_line` start (`- ...` at the list's indentation), in order. Empty
/// for a flow list (`key: [...]`), whose items share the key's line.
#[must_use]
pub fn item_lines(text: &str, key_line: usize) -> Vec<usize> {
    let mut lines = text.lines().enumerate().skip(key_line);
    let Some(key) = text.lines().nth(key_line.saturating_sub(1)) else {
        return Vec::new();
    };
    let key_indent = key.len() - key.trim_start().len();
    let mut item_indent = None;
    let mut out = Vec::new();
    for (i, l) in lines.by_ref() {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = l.len() - t.len();
        let is_item = t.starts_with("- ") || t == "-";
        match item_indent {
            None if is_item && ind >= key_indent => {
                item_indent = Some(ind);
                out.push(i + 1);
            }
            Some(ii) if is_item && ind == ii => out.push(i + 1),
            Some(ii) if ind > ii => {}
            _ => break,
        }
    }
    out
}

/// The 1-based line of a changed field inside the declaration that starts
/// on `start` (a document's first line: the whole file; a list item: its
/// item; another key: the lines indented under it): the path's keys
/// (`a.b[name].c`) sought in order, the last one required. `None` when it
/// is not written there (a default, or a field held elsewhere).
#[must_use]
pub fn field_line(text: &str, start: usize, path: &str) -> Option<usize> {
    let keys: Vec<String> = path
        .split(['.', '[', ']'])
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    let (last, _) = keys.split_last()?;
    let begin: usize = text
        .split_inclusive('\n')
        .take(start.saturating_sub(1))
        .map(str::len)
        .sum();
    let first = text[begin..].lines().next()?;
    let trimmed = first.trim_start();
    let indent = first.len() - trimmed.len();
    // A key at the top of a document (`serviceName: api`, or `{` of a JSON
    // file): the declaration is the whole file.
    let whole = indent == 0 && !trimmed.starts_with("- ");
    let begin = if whole { 0 } else { begin };
    let start = if whole { 1 } else { start };
    let end = if whole {
        text.len()
    } else {
        let mut end = begin + first.len();
        for l in text[begin..].split_inclusive('\n').skip(1) {
            let t = l.trim();
            if !t.is_empty() && !t.starts_with('#') && l.len() - l.trim_start().len() <= indent {
                break;
            }
            end += l.len();
        }
        end.min(text.len())
    };
    let block = &text[begin..end];
    let mut pos = 0;
    let mut found = None;
    for key in &keys {
        let at = find_key(block, key, pos).or_else(|| find_value(block, key, pos));
        // `values` is written `value` for one value.
        let at = at.or_else(|| {
            (key == last && key.ends_with('s'))
                .then(|| find_key(block, &key[..key.len() - 1], pos))
                .flatten()
        });
        match at {
            Some(a) => {
                pos = a + 1;
                found = Some((key == last, a));
            }
            None if key == last => return None,
            None => {}
        }
    }
    let (true, at) = found? else { return None };
    Some(start.max(1) + block[..at].matches('\n').count())
}

fn boundary_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '{' | ',' | '-' | '['))
}

fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let mut start = from;
    while let Some(i) = text.get(start..)?.find(key) {
        let at = start + i;
        let rest = &text[at + key.len()..];
        let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
        let quoted_start = at > 0 && matches!(text.as_bytes()[at - 1], b'"' | b'\'');
        if boundary_before(text, at) && rest.trim_start_matches([' ', '\t']).starts_with(':') {
            return Some(if quoted_start { at - 1 } else { at });
        }
        start = at + key.len().max(1);
    }
    None
}

fn find_value(text: &str, value: &str, from: usize) -> Option<usize> {
    let mut start = from;
    while let Some(i) = text.get(start..)?.find(value) {
        let at = start + i;
        let after = text[at + value.len()..].chars().next();
        if boundary_before(text, at)
            && after.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | ']'))
        {
            return Some(at);
        }
        start = at + value.len().max(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn block_list_items_are_found_by_their_dashes() {
        let y = "kind: x\ningress:\n- protocol: tcp\n  cidrs:\n  - 10.0.0.0/8\n\n- {protocol: udp}\negress:\n  - a\n";
        assert_eq!(item_lines(y, 2), vec![3, 7]);
        assert_eq!(item_lines(y, 8), vec![9]);
        assert!(item_lines("a: [1, 2]\n", 1).is_empty());
    }

    #[test]
    fn a_changed_field_is_found_inside_its_own_declaration() {
        let zone = "kind: dns_zone\nzone: example.com\nrecords:\n  - name: '@'\n    type: A\n    value: 192.0.2.1\n  - name: '@'\n    type: MX\n    ttl: 60\n    values:\n      - 10 mail.example.com.\n";
        assert_eq!(field_line(zone, 7, "values"), Some(10));
        assert_eq!(field_line(zone, 4, "values"), Some(6), "`value` for one");
        assert_eq!(field_line(zone, 7, "ttl"), Some(9));
        assert_eq!(
            field_line(zone, 4, "ttl"),
            None,
            "not in its entry: the zone's"
        );
        let ecs = "kind: ecs_service\ncluster: prod\nservice:\n  desiredCount: 2\ntaskDefinition:\n  containerDefinitions:\n    - name: web\n      image: a\n    - name: api\n      image: b\n";
        assert_eq!(
            field_line(ecs, 1, "taskDefinition.containerDefinitions[api].image"),
            Some(10)
        );
        assert_eq!(field_line(ecs, 1, "desiredCount"), Some(4));
        assert_eq!(field_line(ecs, 1, "launchType"), None);
    }

    #[test]
    fn a_cursor_finds_places_in_order() {
        let yaml = "a:\n  type: A\nb:\n  type: A\nc:\n  type: A\n";
        let mut c = Cursor::new(yaml);
        assert_eq!(c.seek(&k(&["a"])), 1);
        assert_eq!(c.seek(&k(&["b"])), 3);
        assert_eq!(c.seek(&k(&["c"])), 5);
        assert_eq!(
            c.seek(&k(&["a"])),
            1,
            "behind the cursor: found from the start"
        );
    }

    #[test]
    fn finds_nested_keys_in_json_and_yaml() {
        let json = "{\n  \"image\": \"a\",\n  \"containerDefinitions\": [\n    {\"name\": \"api\",\n     \"imagee\": \"x\"}\n  ]\n}";
        assert_eq!(
            locate(json, &k(&["containerDefinitions", "api", "imagee"])),
            (5, 6)
        );
        let yaml = "kind: ecs_service\ntaskDefinition:\n  containerDefinitions:\n    - name: api\n      imagee: x\n";
        assert_eq!(
            locate(
                yaml,
                &k(&["taskDefinition", "containerDefinitions", "api", "imagee"])
            ),
            (5, 7)
        );
        assert_eq!(locate(yaml, &k(&["nothere"])), (1, 1));
    }
}
