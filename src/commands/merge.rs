//! `driftgate merge`: the JSON reports of `check --shard` runs, joined into
//! one report and one exit code. Fail closed: a shard missing or given twice
//! makes the merged report incomplete (exit 2).

use super::ExitStatus;
use crate::report::{Format, REPORT_SCHEMA_VERSION, Report, Style, renderer};
use driftgate_model::{State, Summary};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

/// Merges and renders.
///
/// # Errors
/// A report that cannot be read or is of another schema version.
pub fn run(
    paths: &[PathBuf],
    format: Format,
    fail_on: Vec<State>,
    all: bool,
    style: Style,
    out: &mut dyn Write,
) -> anyhow::Result<ExitStatus> {
    let mut reports = Vec::new();
    for p in paths {
        let text = crate::input::read_text(p, p)?;
        let r: Report = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}:{}: not a driftgate JSON report: {e}",
                p.display(),
                e.line(),
                e.column()
            )
        })?;
        if r.schema_version != REPORT_SCHEMA_VERSION {
            anyhow::bail!(
                "{}: report schema version {} is not {REPORT_SCHEMA_VERSION}",
                p.display(),
                r.schema_version
            );
        }
        reports.push((p, r));
    }
    let mut problems = Vec::new();
    let shards: Vec<Option<String>> = reports.iter().map(|(_, r)| r.shard.clone()).collect();
    let counts: BTreeSet<usize> = shards
        .iter()
        .flatten()
        .filter_map(|s| s.split_once('/').and_then(|(_, n)| n.parse().ok()))
        .collect();
    if let [n] = counts.iter().copied().collect::<Vec<_>>().as_slice() {
        let mut seen = BTreeSet::new();
        for s in shards.iter().flatten() {
            if !seen.insert(s.clone()) {
                problems.push(format!("shard {s} is given twice"));
            }
        }
        for i in 1..=*n {
            if !seen.contains(&format!("{i}/{n}")) {
                problems.push(format!("shard {i}/{n} is missing"));
            }
        }
    } else if counts.len() > 1 {
        problems.push(format!(
            "the reports come from different shardings ({counts:?})"
        ));
    }
    let mut findings = Vec::new();
    let mut ignored = Vec::new();
    let mut complete = true;
    // Where the config and its scopes are, for formats that point there:
    // every shard ran the same config.
    let config_file = reports.first().map(|(_, r)| r.config_file.clone());
    let mut scope_lines = std::collections::BTreeMap::new();
    let mut ids = BTreeSet::new();
    // The merged run started with its first shard and took as long as its
    // longest one; it looked where every shard looked.
    let generated_at = reports
        .iter()
        .map(|(_, r)| r.generated_at.clone())
        .filter(|g| !g.is_empty())
        .min()
        .unwrap_or_default();
    let duration = reports
        .iter()
        .filter_map(|(_, r)| r.duration_seconds)
        .reduce(f64::max);
    let mut targets = Vec::new();
    for (p, r) in reports {
        targets.extend(r.targets);
        complete &= r.complete;
        for f in r.findings {
            if !ids.insert((f.scope.clone(), f.kind, f.id.clone())) {
                problems.push(format!(
                    "{}: {} {} is in two reports",
                    p.display(),
                    f.kind,
                    f.id
                ));
            }
            findings.push(f);
        }
        ignored.extend(r.ignored);
        scope_lines.extend(r.scope_lines);
    }
    findings.sort_by(|a, b| (&a.scope, a.kind, &a.id).cmp(&(&b.scope, b.kind, &b.id)));
    let mut merged = Report::new(findings, ignored);
    if let Some(c) = config_file {
        merged.config_file = c;
    }
    merged.scope_lines = scope_lines;
    merged.fail_on = fail_on;
    merged.list_all = all;
    merged.generated_at = generated_at;
    merged.duration_seconds = duration;
    targets.sort();
    targets.dedup();
    merged.targets = targets;
    merged.complete = complete && problems.is_empty() && merged.summary.unchecked == 0;
    merged.summary = Summary::of(&merged.findings);
    renderer(format).render(&merged, style, out)?;
    out.flush()?;
    for p in &problems {
        eprintln!("error: {p}");
    }
    Ok(if !merged.complete {
        ExitStatus::Error
    } else if merged.enforced_drift().is_empty() {
        ExitStatus::InSync
    } else {
        ExitStatus::Drift
    })
}
