//! How a finding's annotations (who changed it, the ways out) read as lines,
//! for every format. Renderers read findings only: blame and suggest write
//! these annotations into findings earlier, and nothing here calls them.

use driftgate_model::{Blame, Suggestion};

/// The blame of a finding as short lines, for the human formats.
#[must_use]
pub fn blame_lines(b: &Blame) -> Vec<String> {
    let mut out: Vec<String> = b
        .events
        .iter()
        .take(3)
        .map(|e| {
            format!(
                "changed by {} via {} at {}{}",
                e.principal,
                e.call,
                e.time,
                if e.console { " (console)" } else { "" }
            )
        })
        .collect();
    if b.events.len() > 3 {
        out.push(format!("... and {} more events", b.events.len() - 3));
    }
    if let Some(c) = &b.commit {
        out.push(format!(
            "declared in {} by {} on {}: {}",
            &c.hash[..c.hash.len().min(8)],
            c.author,
            c.date,
            c.subject
        ));
    }
    out
}

/// The suggestion as lines, full commands (diff, junit, sarif).
#[must_use]
pub fn suggestion_lines(s: &Suggestion) -> Vec<String> {
    let mut out: Vec<String> = s.revert.iter().map(|c| format!("revert: {c}")).collect();
    if let Some(a) = &s.adopt {
        out.push(format!("adopt: {a}"));
    }
    out.extend(s.notes.iter().map(|n| format!("note: {n}")));
    out
}

/// The suggestion as short lines for the table: payloads left out.
#[must_use]
pub fn short_suggestion_lines(s: &Suggestion) -> Vec<String> {
    let cut = |c: &str| {
        [
            " --cli-input-json ",
            " --change-batch ",
            " --ip-permissions ",
            " --body ",
            " -d ",
        ]
        .iter()
        .filter_map(|m| c.find(m).map(|i| i + m.len()))
        .min()
        .map_or_else(
            || c.to_owned(),
            |i| format!("{}... (payload: --format diff)", &c[..i]),
        )
    };
    let mut out: Vec<String> = s
        .revert
        .iter()
        .map(|c| format!("revert: {}", cut(c)))
        .collect();
    if let Some(a) = &s.adopt {
        out.push(format!("adopt: {a}"));
    }
    out.extend(s.notes.iter().map(|n| format!("note: {n}")));
    out
}
