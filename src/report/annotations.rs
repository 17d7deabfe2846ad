//! How a finding's annotations (who changed it, the ways out) read as lines,
//! for every format. Renderers read findings only: blame and suggest write
//! these annotations into findings earlier, and nothing here calls them.

use crate::normalize::node::display;
use driftgate_model::{Blame, Change, Finding, State, Suggestion};
use serde_json::Value;

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
    out.extend(b.notes.iter().map(|n| format!("who: {n}")));
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

/// A change as lines: `path: declared -> live`, or for lists (TXT values,
/// CIDRs) one line per value removed (`-`) or added (`+`).
pub fn change_lines(c: &Change, file: Option<&str>) -> Vec<String> {
    let at =
        c.at.as_ref()
            .map(|a| match a.rsplit_once(':') {
                Some((f, l)) if Some(f) == file => format!("  (line {l})"),
                _ => format!("  (at {a})"),
            })
            .unwrap_or_default();
    let list = |v: &Value| match v {
        Value::Array(a) => Some(a.iter().map(display).collect::<Vec<String>>()),
        Value::Null => Some(Vec::new()),
        _ => None,
    };
    match (list(&c.declared), list(&c.live)) {
        (Some(d), Some(l)) if c.declared.is_array() || c.live.is_array() => {
            let mut out = vec![format!("{}:{at}", c.path)];
            let removed: Vec<&String> = d.iter().filter(|x| !l.contains(x)).collect();
            let added: Vec<&String> = l.iter().filter(|x| !d.contains(x)).collect();
            out.extend(removed.iter().map(|x| format!("  - {x}")));
            out.extend(added.iter().map(|x| format!("  + {x}")));
            let kept = d.len() - removed.len();
            if removed.is_empty() && added.is_empty() {
                out.push("  (same values, another order)".to_owned());
            } else if kept > 0 {
                out.push(format!("  ({kept} unchanged)"));
            }
            out
        }
        _ => vec![format!(
            "{}: {} -> {}{at}",
            c.path,
            display(&c.declared),
            display(&c.live)
        )],
    }
}

/// What a finding says, for every human-readable format: what the resource
/// is, its changed fields (each at its line), its state in words, why it
/// was not read.
#[must_use]
pub fn finding_lines(f: &Finding) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if let Some(w) = &f.what {
        lines.push(w.clone());
    }
    let file = f
        .declared_at
        .as_deref()
        .and_then(|a| a.rsplit_once(':'))
        .map(|(f, _)| f);
    lines.extend(f.changes.iter().flat_map(|c| change_lines(c, file)));
    match f.state {
        State::Missing => lines.push("declared, not live (deleted by hand?)".to_owned()),
        State::Unmanaged => lines.push("live, not declared (created by hand?)".to_owned()),
        _ => {}
    }
    if let Some(r) = &f.reason {
        lines.push(r.clone());
    }
    lines
}

/// Where to edit: the declaration's place, or the file an undeclared
/// resource's declaration would go in.
#[must_use]
pub fn place_lines(f: &Finding) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(at) = &f.declared_at
        && f.state != State::InSync
    {
        match &f.address {
            Some(a) => out.push(format!("at {at} ({a})")),
            None => out.push(format!("at {at}")),
        }
    }
    if let Some(file) = &f.declare_in {
        out.push(format!("declare in {file}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_changes_show_one_value_a_line() {
        let c = Change {
            path: "values".into(),
            declared: json!(["\"v=spf1 -all\"", "\"google-site-verification=abc\""]),
            live: json!([
                "\"v=spf1 include:_spf.example.net -all\"",
                "\"google-site-verification=abc\""
            ]),
            at: Some("infra/dns/example.com.yaml:12".into()),
        };
        assert_eq!(
            change_lines(&c, Some("infra/dns/example.com.yaml")),
            vec![
                "values:  (line 12)",
                "  - \"v=spf1 -all\"",
                "  + \"v=spf1 include:_spf.example.net -all\"",
                "  (1 unchanged)",
            ]
        );
        let scalar = Change {
            path: "ttl".into(),
            declared: json!(300),
            live: json!(60),
            at: None,
        };
        assert_eq!(change_lines(&scalar, None), vec!["ttl: 300 -> 60"]);
    }
}
