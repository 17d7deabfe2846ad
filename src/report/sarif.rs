//! SARIF 2.1.0 for code scanning (GitHub, GitLab): one result per drifted or
//! unchecked resource, located at the declared file and line, or for
//! unmanaged resources at their scope in driftgate.toml.

use super::{Render, Report, Style};
use driftgate_model::State;
use serde_json::{Value, json};
use std::io::{self, Write};

pub struct Sarif;

const RULES: &[(State, &str, &str)] = &[
    (
        State::Changed,
        "drift/changed",
        "Live settings differ from the declared ones",
    ),
    (
        State::Missing,
        "drift/missing",
        "Declared, but not live (deleted by hand?)",
    ),
    (
        State::Unmanaged,
        "drift/unmanaged",
        "Live, but not declared (created by hand?)",
    ),
    (
        State::Unchecked,
        "scan/unchecked",
        "Could not be read: the scan is incomplete",
    ),
];

fn location(uri: &str, line: usize) -> Value {
    json!({"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line.max(1)}}})
}

impl Render for Sarif {
    fn render(&self, report: &Report, _style: Style, out: &mut dyn Write) -> io::Result<()> {
        let rules: Vec<Value> = RULES
            .iter()
            .map(|(_, id, text)| json!({"id": id, "shortDescription": {"text": text}}))
            .collect();
        let mut results = Vec::new();
        for f in &report.findings {
            let Some((i, (_, rule, _))) = RULES
                .iter()
                .enumerate()
                .find(|(_, (s, _, _))| *s == f.state)
            else {
                continue;
            };
            let level = if f.state == State::Unchecked || report.fails(f) {
                "error"
            } else {
                "warning"
            };
            let mut text = format!(
                "{} {} is {} (scope {}, {})",
                f.kind,
                f.id,
                f.state.as_str(),
                f.scope,
                f.mode
            );
            for l in super::annotations::finding_lines(f) {
                text.push_str(&format!("; {}", l.trim()));
            }
            if let Some(a) = &f.address {
                text.push_str(&format!("; Terraform address {a}"));
            }
            if let Some(d) = &f.declare_in {
                text.push_str(&format!("; declare in {d}"));
            }
            if let Some(b) = &f.blame {
                for l in super::annotations::blame_lines(b) {
                    text.push_str(&format!("; {l}"));
                }
            }
            if let Some(s) = &f.suggest {
                for l in super::annotations::suggestion_lines(s) {
                    text.push_str(&format!("; {l}"));
                }
            }
            // A changed field at its own line; else the declaration's.
            let at = f
                .changes
                .iter()
                .find_map(|c| c.at.as_deref())
                .or(f.declared_at.as_deref());
            let loc = match at.and_then(|a| a.rsplit_once(':')) {
                Some((file, line)) => location(file, line.parse().unwrap_or(1)),
                None => location(
                    &report.config_file,
                    report.scope_lines.get(&f.scope).copied().unwrap_or(1),
                ),
            };
            results.push(json!({
                "ruleId": rule,
                "ruleIndex": i,
                "level": level,
                "message": {"text": text},
                "locations": [loc],
                "partialFingerprints": {"driftgate/v1": format!("{}/{}/{}", f.scope, f.kind, f.id)},
                "properties": {"scope": f.scope, "mode": f.mode, "kind": f.kind.as_str(), "id": f.id, "state": f.state.as_str()},
            }));
        }
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "driftgate",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}
