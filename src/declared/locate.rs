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
