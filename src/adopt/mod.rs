//! Adopting live state into Git: the declared files of drifted resources
//! rewritten to match live, everything else in each file kept as it was.
//!
//! - `changed`: each differing field's value replaced in place (added or
//!   removed where the field came or went);
//! - `missing` (deleted by hand): the declaration removed (an ECS service's
//!   file, a DNS entry);
//! - `unmanaged` (created by hand): a declaration added (a new ECS file, an
//!   entry appended to the zone's native file).
//!
//! Nothing is written before the result is verified: the edited files are
//! read again, in a scratch copy, and checked against the same live state.
//! Every adopted resource must come out `in_sync` (or gone, for `missing`),
//! and every other finding exactly as before. A resource whose edit does not
//! verify is refused with the reason, its files left alone.

pub mod edit;

use crate::config::{Config, Scope};
use crate::pipeline::{self, DeclaredResource};
use crate::report::Report;
use driftgate_model::{Change, Finding, Kind, Resource, ScanResult, State};
use edit::Seg;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A resource to adopt.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub scope: String,
    pub kind: Kind,
    pub id: String,
}

impl Key {
    /// The key of a finding.
    #[must_use]
    pub fn of(f: &Finding) -> Key {
        Key {
            scope: f.scope.clone(),
            kind: f.kind,
            id: f.id.clone(),
        }
    }
}

/// What adopting would write.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Per file: its text before (`None`: new) and after (`None`: deleted).
    pub files: BTreeMap<PathBuf, (Option<String>, Option<String>)>,
    /// The resources adopted, each with the files it touches.
    pub adopted: BTreeMap<Key, BTreeSet<PathBuf>>,
    /// Resources that could not be adopted, with why.
    pub refused: Vec<(Key, String)>,
    /// Resources adopted but for some fields, each with why.
    pub partial: BTreeMap<Key, Vec<(String, String)>>,
}

impl Plan {
    /// The patch, as `git diff` would show it, with paths relative to `root`.
    #[must_use]
    pub fn patch(&self, root: &Path) -> String {
        let mut out = String::new();
        for (path, (before, after)) in &self.files {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string();
            let (a, b) = (
                before.as_deref().unwrap_or(""),
                after.as_deref().unwrap_or(""),
            );
            let diff = similar::TextDiff::from_lines(a, b);
            let from = if before.is_some() {
                format!("a/{rel}")
            } else {
                "/dev/null".into()
            };
            let to = if after.is_some() {
                format!("b/{rel}")
            } else {
                "/dev/null".into()
            };
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(2)
                    .header(&from, &to)
                    .to_string(),
            );
        }
        out
    }
}

/// Whether a shown value is a masked secret.
pub(crate) fn masked(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.contains("***masked"))
}

/// The file and line of a `declared_at`.
pub(crate) fn place(root: &Path, at: &str) -> Option<(PathBuf, usize)> {
    let (file, line) = at.rsplit_once(':')?;
    Some((root.join(file), line.parse().ok()?))
}

/// The files being planned: the plan's texts over the disk's.
pub struct Texts<'a> {
    pub(crate) plan: &'a mut Plan,
}

impl Texts<'_> {
    pub(crate) fn get(&self, path: &Path) -> Option<String> {
        match self.plan.files.get(path) {
            Some((_, after)) => after.clone(),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    pub(crate) fn set(&mut self, path: &Path, text: Option<String>) {
        let before = match self.plan.files.remove(path) {
            Some((before, _)) => before,
            None => std::fs::read_to_string(path).ok(),
        };
        self.plan.files.insert(path.to_owned(), (before, text));
    }
}

/// Applies one change to a text within `within`.
pub(crate) fn apply(
    text: &str,
    within: &std::ops::Range<usize>,
    c: &Change,
) -> Result<String, String> {
    if masked(&c.live) || masked(&c.declared) {
        return Err(format!(
            "`{}` is a secret: driftgate never holds its value; set it in the declared file yourself",
            c.path
        ));
    }
    let mut segs = edit::segments(&c.path);
    // A named element's scalar value (`environment[LOG_LEVEL]`) is its `value`.
    if matches!(segs.last(), Some(Seg::Named(_))) && !c.live.is_object() && !c.declared.is_object()
    {
        segs.push(Seg::Key("value".into()));
    }
    let why = |e: String| format!("`{}`: {e}", c.path);
    if c.live.is_null() {
        return edit::remove_key(text, within, &segs).map_err(why);
    }
    if c.declared.is_null() {
        return match segs.as_slice() {
            [Seg::Key(k)] => edit::insert_key(text, within, k, &c.live).map_err(why),
            _ => Err(format!(
                "`{}` is not in the declared file: add it by hand",
                c.path
            )),
        };
    }
    match edit::set_value(text, within, &segs, &c.live) {
        Ok(t) => Ok(t),
        // `value: x` shorthand for a one-element `values`.
        Err(_) if c.path == "values" => {
            let one = Seg::Key("value".into());
            match c.live.as_array().map(Vec::as_slice) {
                Some([single]) => edit::set_value(text, within, &[one], single).map_err(why),
                _ => {
                    let t = edit::set_value(text, within, std::slice::from_ref(&one), &c.live)
                        .map_err(why)?;
                    edit::rename_key(&t, within, &[one], "values").map_err(why)
                }
            }
        }
        // A field the entry leaves to a default (a zone-wide `ttl`): added.
        Err(_) if matches!(segs.as_slice(), [Seg::Key(_)]) => {
            edit::insert_key(text, within, &c.path, &c.live).map_err(why)
        }
        Err(e) => Err(why(e)),
    }
}

/// Plans adopting every finding `select` picks. Findings already in sync or
/// unchecked are never picked.
#[must_use]
pub fn plan(
    config: &Config,
    report: &Report,
    live: &ScanResult,
    select: &dyn Fn(&Finding) -> bool,
) -> Plan {
    let mut plan = Plan::default();
    let live_by: BTreeMap<(Kind, &str), &Resource> = live
        .resources
        .iter()
        .map(|r| ((r.kind, r.id.as_str()), r))
        .collect();
    let mut picked: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.state.is_drift() && select(f))
        .collect();
    // Edits bottom-up within a file, so earlier lines stay where they were;
    // additions last.
    picked.sort_by_key(|f| {
        let line = f
            .declared_at
            .as_deref()
            .and_then(|a| a.rsplit_once(':'))
            .and_then(|(_, l)| l.parse::<usize>().ok())
            .unwrap_or(0);
        (f.state == State::Unmanaged, std::cmp::Reverse(line))
    });
    for f in picked {
        let key = Key::of(f);
        let Some(scope) = config.scopes.iter().find(|s| s.name == f.scope) else {
            continue;
        };
        // Terraform's resources are Terraform's to change: driftgate does
        // not rewrite HCL or state (`--suggest` gives the Terraform way).
        if let Some(address) = &f.address {
            plan.refused.push((
                key,
                format!("declared in Terraform ({address}): change the configuration, not a driftgate file"),
            ));
            continue;
        }
        if scope.terraform.is_some() && f.state == State::Unmanaged {
            plan.refused.push((
                key,
                "scope declared with Terraform: import it there (see the import block)".to_owned(),
            ));
            continue;
        }
        let at = f
            .declared_at
            .as_deref()
            .and_then(|a| place(&config.root, a));
        let live_r = live_by.get(&(f.kind, f.id.as_str())).copied();
        let mut texts = Texts { plan: &mut plan };
        let result = crate::kinds::rules(f.kind).adopt(&mut texts, scope, f, at.as_ref(), live_r);
        match result {
            Ok(files) => {
                plan.adopted.insert(key, files);
            }
            Err(why) => plan.refused.push((key, why)),
        }
    }
    plan
}

/// The parsed documents of a scope's files (plan texts over disk), with paths.
pub(crate) fn docs(scope: &Scope, texts: &Texts<'_>) -> Vec<(PathBuf, Value)> {
    let mut files = crate::declared::files(&scope.declared).unwrap_or_default();
    files.extend(texts.plan.files.keys().cloned());
    files.sort();
    files.dedup();
    files
        .into_iter()
        .filter_map(|p| {
            let t = texts.get(&p)?;
            let v: Value = serde_yaml_ng::from_str(&t).ok()?;
            Some((p, v))
        })
        .collect()
}

pub(crate) fn doc_kind(text: &str) -> Option<String> {
    top_level(text, "kind")
}

/// A top-level scalar of a declared file (`kind:`, `zone:`), without
/// parsing a block-style YAML file: at column 0 only a top-level key can
/// stand (block scalars and nested keys are indented). A flow or JSON
/// document (`{...}`) is parsed. Adoption asks this of the same large file
/// several times; parsing it each time cost 40 ms on 10,000 entries.
pub(crate) fn top_level(text: &str, key: &str) -> Option<String> {
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---");
    if first.is_some_and(|l| l.starts_with('{')) {
        let v: Value = serde_yaml_ng::from_str(text).ok()?;
        return v.get(key).and_then(Value::as_str).map(str::to_owned);
    }
    let prefix = format!("{key}:");
    let line = text.lines().find(|l| l.starts_with(&prefix))?;
    let mut v = line[prefix.len()..].trim();
    if let Some(i) = v.find(" #") {
        v = v[..i].trim_end();
    }
    let v = v.trim_matches(|c| c == '"' || c == '\'');
    (!v.is_empty()).then(|| v.to_owned())
}

/// Writes the plan's files into a scratch copy of the declared trees, reads
/// them again and checks them against `live`. Returns the adopted resources
/// that did not come out right, with why (empty: the plan is good).
///
/// # Errors
/// The scratch copy cannot be made.
pub fn verify(
    config: &Config,
    before: &Report,
    live: &ScanResult,
    plan: &Plan,
) -> anyhow::Result<Vec<(Key, String)>> {
    let scratch = tempfile::tempdir()?;
    let mut cfg = config.clone();
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (i, s) in cfg.scopes.iter_mut().enumerate() {
        let to = scratch.path().join(format!("scope-{i}"));
        if s.declared.is_dir() {
            copy_tree(&s.declared, &to)?;
        } else {
            std::fs::create_dir_all(&to)?;
        }
        moved.push((s.declared.clone(), to.clone()));
        s.declared = to;
    }
    let relocate = |p: &Path| -> Option<PathBuf> {
        moved
            .iter()
            .find_map(|(from, to)| p.strip_prefix(from).ok().map(|rest| to.join(rest)))
    };
    for (path, (_, after)) in &plan.files {
        let Some(p) = relocate(path) else { continue };
        match after {
            Some(t) => {
                if let Some(d) = p.parent() {
                    std::fs::create_dir_all(d)?;
                }
                std::fs::write(&p, t)?;
            }
            None => {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    let all = || plan.adopted.keys().map(|k| (k.clone(), String::new()));
    let declared: Vec<DeclaredResource> = match pipeline::load_declared(&cfg, true) {
        Ok(d) => d.resources,
        Err(e) => {
            // The message names the scratch path: name the real file.
            let mut msg = e.to_string();
            for (from, to) in &moved {
                msg = msg.replace(&to.display().to_string(), &from.display().to_string());
            }
            let file = plan
                .files
                .keys()
                .find(|p| msg.contains(&p.display().to_string()))
                .cloned();
            return Ok(all()
                .filter(|(k, _)| file.as_ref().is_none_or(|f| plan.adopted[k].contains(f)))
                .map(|(k, _)| (k, format!("the edited file does not read: {msg}")))
                .collect());
        }
    };
    let after = pipeline::check(&cfg, declared, &crate::diff::Live::from_scan(live.clone())?)?;
    let mut bad = Vec::new();
    let after_by: BTreeMap<Key, &Finding> =
        after.findings.iter().map(|f| (Key::of(f), f)).collect();
    for k in plan.adopted.keys() {
        let left: Vec<&str> = plan
            .partial
            .get(k)
            .map(|p| p.iter().map(|(path, _)| path.as_str()).collect())
            .unwrap_or_default();
        match after_by.get(k) {
            Some(f)
                if f.state == State::Changed
                    && !left.is_empty()
                    && f.changes
                        .iter()
                        .map(|c| c.path.as_str())
                        .eq(left.iter().copied()) => {}
            Some(f) if f.state != State::InSync => bad.push((
                k.clone(),
                format!(
                    "after the edit it is still {} ({})",
                    f.state.as_str(),
                    f.changes
                        .iter()
                        .map(|c| c.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            _ => {}
        }
    }
    // Everything else exactly as before.
    for f in &before.findings {
        let k = Key::of(f);
        if plan.adopted.contains_key(&k) {
            continue;
        }
        let same = after_by
            .get(&k)
            .is_some_and(|a| a.state == f.state && a.changes == f.changes);
        if !same {
            // Blame every adopted resource sharing a file with it, or all.
            for (ak, files) in &plan.adopted {
                let shares = f
                    .declared_at
                    .as_deref()
                    .and_then(|a| place(&config.root, a))
                    .is_none_or(|(p, _)| files.contains(&p));
                if shares && !bad.iter().any(|(b, _)| b == ak) {
                    bad.push((
                        ak.clone(),
                        format!("the edit would also change {} {}", f.kind, f.id),
                    ));
                }
            }
        }
    }
    Ok(bad)
}

pub(crate) fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Plans and verifies: resources whose edits do not verify are dropped and
/// the rest planned again, until what is left verifies.
///
/// # Errors
/// The scratch copy cannot be made.
pub fn plan_verified(
    config: &Config,
    report: &Report,
    live: &ScanResult,
    select: &dyn Fn(&Finding) -> bool,
) -> anyhow::Result<Plan> {
    let mut dropped: Vec<(Key, String)> = Vec::new();
    loop {
        let excluded: BTreeSet<Key> = dropped.iter().map(|(k, _)| k.clone()).collect();
        let mut p = plan(config, report, live, &|f| {
            select(f) && !excluded.contains(&Key::of(f))
        });
        if p.adopted.is_empty() {
            p.refused.extend(dropped);
            return Ok(p);
        }
        let bad = verify(config, report, live, &p)?;
        if bad.is_empty() {
            p.refused.extend(dropped);
            p.refused.sort();
            return Ok(p);
        }
        dropped.extend(bad);
    }
}

#[cfg(test)]
mod top_level_tests {
    use super::top_level;

    #[test]
    fn top_level_scalars_without_parsing_and_flow_documents_parsed() {
        let y = "# kind: not this\nkind: dns_zone   # native\nzone: \"Example.com.\"\nrecords:\n  - {name: x, kind: y}\n";
        assert_eq!(top_level(y, "kind").as_deref(), Some("dns_zone"));
        assert_eq!(top_level(y, "zone").as_deref(), Some("Example.com."));
        assert_eq!(top_level("records:\n  kind: nested\n", "kind"), None);
        assert_eq!(
            top_level(
                "---\n{\"kind\": \"ecs_service\", \"cluster\": \"prod\"}\n",
                "kind"
            )
            .as_deref(),
            Some("ecs_service")
        );
        assert_eq!(top_level("'':\n  type: A\n", "kind"), None);
    }
}
