//! Names from declared files in messages: a long one cut, and a close
//! known name suggested for a typo, in time bounded by the known names.

/// A name from a declared file as an error message shows it: a long one
/// cut, so that a hostile file cannot make the message megabytes long.
pub(super) fn shown(name: &str) -> String {
    if name.chars().count() <= 64 {
        return name.to_owned();
    }
    let head: String = name.chars().take(40).collect();
    format!("{head}... ({} bytes)", name.len())
}

/// " (did you mean `x`?)" when a known name is close to an unknown one.
pub(crate) fn suggestion(key: &str, known: &[&str]) -> String {
    // A name far longer than any known one is no typo of it; this also
    // keeps the search linear in the input (an 8 MB key once took 16 s).
    let longest = known.iter().map(|k| k.len()).max().unwrap_or(0);
    if key.len() > longest + 3 {
        return String::new();
    }
    let lower = key.to_lowercase();
    let best = known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_lowercase()), *k))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, k)) if d <= 2 || (d <= 3 && key.len() > 8) => format!(" (did you mean `{k}`?)"),
        _ => String::new(),
    }
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
