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
use crate::diff::scope_of;
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
    fn of(f: &Finding) -> Key {
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
fn masked(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.contains("***masked"))
}

/// The file and line of a `declared_at`.
fn place(root: &Path, at: &str) -> Option<(PathBuf, usize)> {
    let (file, line) = at.rsplit_once(':')?;
    Some((root.join(file), line.parse().ok()?))
}

/// The files being planned: the plan's texts over the disk's.
struct Texts<'a> {
    plan: &'a mut Plan,
}

impl Texts<'_> {
    fn get(&self, path: &Path) -> Option<String> {
        match self.plan.files.get(path) {
            Some((_, after)) => after.clone(),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    fn set(&mut self, path: &Path, text: Option<String>) {
        let before = match self.plan.files.remove(path) {
            Some((before, _)) => before,
            None => std::fs::read_to_string(path).ok(),
        };
        self.plan.files.insert(path.to_owned(), (before, text));
    }
}

/// Applies one change to a text within `within`.
fn apply(text: &str, within: &std::ops::Range<usize>, c: &Change) -> Result<String, String> {
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

/// The task definition file declaring `family` in a scope (the CLI pair).
fn td_file(scope: &Scope, family: &str, skip: &Path) -> Option<PathBuf> {
    let files = crate::declared::files(&scope.declared).ok()?;
    files.into_iter().find(|p| {
        p != skip
            && std::fs::read_to_string(p).ok().is_some_and(|t| {
                let v: Option<Value> = serde_json::from_str(&t)
                    .ok()
                    .or_else(|| serde_yaml_ng::from_str(&t).ok());
                v.is_some_and(|v| {
                    v.get("family")
                        .or_else(|| v.get("taskDefinition").and_then(|t| t.get("family")))
                        .and_then(Value::as_str)
                        == Some(family)
                })
            })
    })
}

fn ecs_changed(
    texts: &mut Texts<'_>,
    scope: &Scope,
    file: &Path,
    f: &Finding,
    live: Option<&Resource>,
) -> Result<BTreeSet<PathBuf>, String> {
    let mut touched = BTreeSet::new();
    let mut staged: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut skipped = Vec::new();
    for c in &f.changes {
        let c = &match secret_change(texts, file, c, live) {
            Secret::No => c.clone(),
            Secret::Digest(d) => Change {
                live: Value::String(d),
                declared: Value::String(String::new()),
                ..c.clone()
            },
            Secret::Skip(why) => {
                skipped.push((c.path.clone(), why));
                continue;
            }
        };
        let text = staged
            .get(file)
            .cloned()
            .or_else(|| texts.get(file))
            .ok_or("the declared file cannot be read")?;
        match apply(&text, &(0..text.len()), c) {
            Ok(t) => {
                staged.insert(file.to_owned(), t);
            }
            Err(e) if c.path.starts_with("taskDefinition.") => {
                // The CLI pair: the task definition is a file of its own.
                let family = live
                    .and_then(|r| r.spec.pointer("/taskDefinition/family"))
                    .and_then(Value::as_str)
                    .ok_or(e.clone())?;
                let td = td_file(scope, family, file).ok_or(e)?;
                let text = staged
                    .get(&td)
                    .cloned()
                    .or_else(|| texts.get(&td))
                    .ok_or("the task definition file cannot be read")?;
                let inner = Change {
                    path: c.path["taskDefinition.".len()..].to_owned(),
                    ..c.clone()
                };
                let t = apply(&text, &(0..text.len()), &inner)?;
                staged.insert(td, t);
            }
            Err(e) => return Err(e),
        }
    }
    if staged.is_empty() {
        return Err(skipped
            .into_iter()
            .map(|(_, why)| why)
            .collect::<Vec<_>>()
            .join("; "));
    }
    for (p, t) in staged {
        texts.set(&p, Some(t));
        touched.insert(p);
    }
    if !skipped.is_empty() {
        texts.plan.partial.insert(Key::of(f), skipped);
    }
    Ok(touched)
}

enum Secret {
    /// Not a secret.
    No,
    /// The declared file holds a digest (as `import` writes them): the live
    /// digest replaces it.
    Digest(String),
    /// A secret written in clear (or by reference) in the declared file:
    /// driftgate never holds the live value, so it is left for a person.
    Skip(String),
}

/// The live value at a change's path, walking `[name]` steps by name.
fn live_at<'v>(spec: &'v Value, segs: &[Seg]) -> Option<&'v Value> {
    let mut v = spec;
    for s in segs {
        v = match s {
            Seg::Key(k) => v.get(k)?,
            Seg::Named(n) => v.as_array()?.iter().find(|e| {
                e.get("name").and_then(Value::as_str) == Some(n)
                    || e.get("key").and_then(Value::as_str) == Some(n)
            })?,
        };
    }
    Some(v)
}

fn secret_change(texts: &Texts<'_>, file: &Path, c: &Change, live: Option<&Resource>) -> Secret {
    if !masked(&c.live) && !masked(&c.declared) {
        return Secret::No;
    }
    let skip = || {
        Secret::Skip(format!(
            "`{}` is a secret written in the declared file: driftgate never holds its live value; set it yourself",
            c.path
        ))
    };
    let mut segs = edit::segments(&c.path);
    let digest = live
        .and_then(|r| live_at(&r.spec, &segs))
        .and_then(|v| v.get("value").or(Some(v)))
        .and_then(Value::as_str)
        .filter(|d| crate::normalize::secrets::is_digest(d));
    segs.push(Seg::Key("value".into()));
    let declared_digest = texts
        .get(file)
        .and_then(|t| edit::value_text(&t, &(0..t.len()), &segs));
    match (digest, declared_digest) {
        (Some(d), Some(old)) if crate::normalize::secrets::is_digest(&old) => {
            Secret::Digest(d.to_owned())
        }
        _ => skip(),
    }
}

fn is_native_zone(text: &str) -> bool {
    let v: Option<Value> = serde_yaml_ng::from_str(text).ok();
    v.and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_owned))
        .as_deref()
        == Some("dns_zone")
}

const NOT_NATIVE: &str = "adopt rewrites native (kind: dns_zone) and octoDNS zone files; RFC 1035 zone files are not rewritten yet";

/// Record types whose octoDNS values are plain strings, as driftgate shows
/// them; the others (MX, SRV, CAA, ...) are mappings in octoDNS files.
const OCTODNS_PLAIN: &[&str] = &["A", "AAAA", "CNAME", "NS", "PTR"];

/// Whether a declared file is an octoDNS zone file (YAML, no `kind`).
fn is_octodns(path: &Path, text: &str) -> bool {
    !crate::declared::is_zone_file(path)
        && matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        )
        && doc_kind(text).is_none()
}

/// The span of one record set in an octoDNS file, and whether it is one
/// item of a list: the name's key on `line` holds one record (a mapping) or
/// a list of them, one per type.
fn octodns_span(
    text: &str,
    line: usize,
    rtype: &str,
) -> Result<(std::ops::Range<usize>, bool), String> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_at = |s: usize| &text[s..text[s..].find('\n').map_or(text.len(), |i| s + i)];
    let at = *starts
        .get(line.saturating_sub(1))
        .ok_or("the record's name was not found")?;
    let key_line = line_at(at);
    let indent = key_line.len() - key_line.trim_start().len();
    if !key_line.trim_end().ends_with(':') {
        return Err("an octoDNS record written on its name's line is not rewritten yet".into());
    }
    let mut end = at + key_line.len();
    for s in starts.iter().skip(line) {
        let l = line_at(*s);
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        if l.len() - l.trim_start().len() <= indent {
            break;
        }
        end = s + l.len();
    }
    let items = crate::declared::locate::item_lines(text, line);
    if items.is_empty() {
        let body = (at + key_line.len() + 1).min(end);
        return Ok((body..end, false));
    }
    for item in &items {
        let span = edit::item_span(text, *item).ok_or("an item was not found")?;
        let dedented = text[span.clone()].replacen("- ", "  ", 1);
        let v: Value = serde_yaml_ng::from_str(&dedented).unwrap_or(Value::Null);
        if v.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(rtype))
        {
            return Ok((span, items.len() > 1));
        }
    }
    Err(format!("no {rtype} entry under the name"))
}

fn octodns_changed(
    texts: &mut Texts<'_>,
    file: &Path,
    line: usize,
    f: &Finding,
) -> Result<(), String> {
    let rtype = f.id.split('/').nth(2).unwrap_or_default().to_owned();
    if !OCTODNS_PLAIN.contains(&rtype.as_str()) {
        return Err(format!(
            "octoDNS writes {rtype} values as mappings: adopt leaves them to a person (`check --suggest` shows the live values)"
        ));
    }
    let mut text = texts.get(file).ok_or("the declared file cannot be read")?;
    for c in &f.changes {
        let (span, _) = octodns_span(&text, line, &rtype)?;
        text = apply(&text, &span, c)?;
    }
    texts.set(file, Some(text));
    Ok(())
}

fn octodns_missing(
    texts: &mut Texts<'_>,
    file: &Path,
    line: usize,
    f: &Finding,
) -> Result<(), String> {
    let rtype = f.id.split('/').nth(2).unwrap_or_default().to_owned();
    let text = texts.get(file).ok_or("the declared file cannot be read")?;
    let (span, in_list) = octodns_span(&text, line, &rtype)?;
    let out = if in_list {
        edit::remove_span_lines(&text, &span)
    } else {
        // The name's whole key: its line and the record under it.
        let start = text[..span.start.saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        edit::remove_span_lines(&text, &(start..span.end))
    };
    texts.set(file, Some(out));
    Ok(())
}

/// The RFC 1035 lines of one live record set, owners absolute.
fn bind_lines(r: &Resource) -> Result<Vec<String>, String> {
    if r.spec.get("alias").is_some() {
        return Err(
            "a Route53 alias has no RFC 1035 form: declare it in a native or octoDNS file".into(),
        );
    }
    let name = r.spec["name"].as_str().unwrap_or_default();
    let rtype = r.spec["type"].as_str().unwrap_or_default();
    let ttl = r.spec["ttl"].as_i64().ok_or("no TTL")?;
    Ok(r.spec["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|v| format!("{name}. {ttl} IN {rtype} {v}"))
        .collect())
}

/// Replaces (or, with `None`, removes) the records of one set in a zone
/// file's text: the new lines stand where its first record stood.
fn bind_replace(
    text: &str,
    zone: &str,
    key: &(String, String),
    new: Option<&[String]>,
) -> Result<String, String> {
    let lines = crate::declared::bind::record_lines(text, zone)?;
    let spans = lines
        .get(key)
        .ok_or("its records are not in this file (an $INCLUDEd file?)")?;
    let first = spans[0].0;
    let mut out = String::new();
    for (i, l) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        if n == first
            && let Some(new) = new
        {
            for x in new {
                out.push_str(x);
                out.push('\n');
            }
        }
        if !spans.iter().any(|(a, b)| (*a..=*b).contains(&n)) {
            out.push_str(l);
        }
    }
    Ok(out)
}

/// The `(name, type)` of a record id `zone/name/type`.
fn set_key(id: &str) -> Result<(String, String), String> {
    let mut p = id.splitn(4, '/');
    let (_, name, rtype) = (p.next(), p.next(), p.next());
    if p.next().is_some() {
        return Err("a set with an identifier (weighted, latency...) has no RFC 1035 form".into());
    }
    Ok((
        name.unwrap_or_default().to_owned(),
        rtype.unwrap_or_default().to_owned(),
    ))
}

fn bind_edit(
    texts: &mut Texts<'_>,
    file: &Path,
    f: &Finding,
    live: Option<&Resource>,
) -> Result<(), String> {
    let text = texts.get(file).ok_or("the declared file cannot be read")?;
    let zone = crate::config::bare(scope_of(&f.id)).to_owned();
    let key = set_key(&f.id)?;
    let new = match (f.state, live) {
        (State::Missing, _) => None,
        (_, Some(r)) => Some(bind_lines(r)?),
        (_, None) => return Err("not in the live state".into()),
    };
    let out = bind_replace(&text, &zone, &key, new.as_deref())?;
    texts.set(file, Some(out));
    Ok(())
}

fn dns_changed(texts: &mut Texts<'_>, file: &Path, line: usize, f: &Finding) -> Result<(), String> {
    let mut text = texts.get(file).ok_or("the declared file cannot be read")?;
    if is_octodns(file, &text) {
        return octodns_changed(texts, file, line, f);
    }
    if !is_native_zone(&text) {
        return Err(NOT_NATIVE.into());
    }

    for c in &f.changes {
        let item = edit::item_span(&text, line).ok_or("the record's entry was not found")?;
        text = apply(&text, &item, c)?;
    }
    texts.set(file, Some(text));
    Ok(())
}

/// The native zone file of `zone` in a scope, if one declares it.
fn zone_file(scope: &Scope, texts: &Texts<'_>, zone: &str) -> Option<PathBuf> {
    let mut files = crate::declared::files(&scope.declared).unwrap_or_default();
    files.extend(texts.plan.files.keys().cloned());
    files.into_iter().find(|p| {
        texts.get(p).is_some_and(|t| {
            let v: Option<Value> = serde_yaml_ng::from_str(&t).ok();
            v.is_some_and(|v| {
                v.get("kind").and_then(Value::as_str) == Some("dns_zone")
                    && v.get("zone")
                        .and_then(Value::as_str)
                        .map(driftgate_model::dns::canonical_name)
                        .as_deref()
                        == Some(zone)
            })
        })
    })
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
        let at = f
            .declared_at
            .as_deref()
            .and_then(|a| place(&config.root, a));
        let live_r = live_by.get(&(f.kind, f.id.as_str())).copied();
        let mut texts = Texts { plan: &mut plan };
        let result: Result<BTreeSet<PathBuf>, String> = match (f.kind, f.state, &at) {
            (Kind::EcsService, State::Changed, Some((file, _))) => {
                ecs_changed(&mut texts, scope, file, f, live_r)
            }
            (Kind::EcsService, State::Missing, Some((file, _))) => {
                texts.set(file, None);
                Ok(BTreeSet::from([file.clone()]))
            }
            (Kind::EcsService, State::Unmanaged, _) => match live_r {
                Some(r) => ecs_new_file(scope, r).and_then(|(path, text)| {
                    if texts.get(&path).is_some() {
                        Err(format!("{} exists already", path.display()))
                    } else {
                        texts.set(&path, Some(text));
                        Ok(BTreeSet::from([path]))
                    }
                }),
                None => Err("not in the live state".into()),
            },
            (Kind::DnsRecord, State::Changed | State::Missing, Some((file, _)))
                if crate::declared::is_zone_file(file) =>
            {
                bind_edit(&mut texts, file, f, live_r).map(|()| BTreeSet::from([file.clone()]))
            }
            (Kind::DnsRecord, State::Changed, Some((file, line))) => {
                dns_changed(&mut texts, file, *line, f).map(|()| BTreeSet::from([file.clone()]))
            }
            (Kind::DnsRecord, State::Missing, Some((file, line))) => match texts.get(file) {
                Some(t) if is_native_zone(&t) => match edit::item_span(&t, *line) {
                    Some(span) => {
                        texts.set(file, Some(edit::remove_span_lines(&t, &span)));
                        Ok(BTreeSet::from([file.clone()]))
                    }
                    None => Err("the record's entry was not found".into()),
                },
                Some(t) if is_octodns(file, &t) => octodns_missing(&mut texts, file, *line, f)
                    .map(|()| BTreeSet::from([file.clone()])),
                Some(_) => Err(NOT_NATIVE.into()),
                None => Err("the declared file cannot be read".into()),
            },
            (Kind::DnsRecord, State::Unmanaged, _) => match live_r {
                Some(r) => dns_new_entry(&mut texts, scope, r),
                None => Err("not in the live state".into()),
            },
            (Kind::FirewallRule, State::Unmanaged, _) => match live_r {
                Some(r) if f.cloud == Some(driftgate_model::Cloud::Aws) => {
                    sg_new_entry(&mut texts, scope, r)
                }
                Some(r) => gcp_new_entry(&mut texts, scope, r),
                None => Err("not in the live state".into()),
            },
            (Kind::FirewallRule, _, Some((file, line))) => {
                firewall_edit(&mut texts, file, *line, f).map(|()| BTreeSet::from([file.clone()]))
            }
            _ => Err("no declared place found for it".into()),
        };
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
fn docs(scope: &Scope, texts: &Texts<'_>) -> Vec<(PathBuf, Value)> {
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

fn doc_kind(text: &str) -> Option<String> {
    let v: Value = serde_yaml_ng::from_str(text).ok()?;
    v.get("kind").and_then(Value::as_str).map(str::to_owned)
}

/// A changed or missing firewall rule, edited in its declaring entry.
fn firewall_edit(
    texts: &mut Texts<'_>,
    file: &Path,
    line: usize,
    f: &Finding,
) -> Result<(), String> {
    let mut text = texts.get(file).ok_or("the declared file cannot be read")?;
    let sg = f.cloud == Some(driftgate_model::Cloud::Aws);
    let kind = doc_kind(&text);
    if sg && kind.as_deref() != Some("security_group") {
        return Err("adopt rewrites native security group files (kind: security_group) only; describe-security-groups output is not rewritten yet".into());
    }
    let span = edit::entry_span(&text, line).ok_or("the rule's entry was not found")?;
    if f.state == State::Missing {
        text = if sg {
            // One peer of the entry: drop it, or the entry when it was the last.
            // `vpc/group/direction/protocol/ports/peer`; a CIDR peer has a `/`.
            let peer = f.id.splitn(6, '/').nth(5).unwrap_or_default().to_owned();
            let t = edit::remove_value(&text, &span, &peer)?;
            let entry = &t[span.start..(span.end - (text.len() - t.len())).min(t.len())];
            let dedented = entry.replacen("- ", "  ", 1);
            let left: Value = serde_yaml_ng::from_str(&dedented).unwrap_or(Value::Null);
            let peers: usize = ["cidrs", "groups", "prefixLists"]
                .iter()
                .map(|k| left.get(*k).and_then(Value::as_array).map_or(0, Vec::len))
                .sum();
            if peers == 0 {
                edit::remove_entry(&text, &span)
            } else {
                t
            }
        } else {
            edit::remove_entry(&text, &span)
        };
        texts.set(file, Some(text));
        return Ok(());
    }
    for c in &f.changes {
        let span = edit::entry_span(&text, line).ok_or("the rule's entry was not found")?;
        text = match c.path.as_str() {
            "peer" if sg => edit::replace_value(
                &text,
                &span,
                c.declared.as_str().unwrap_or_default(),
                c.live.as_str().unwrap_or_default(),
            )
            .map_err(|e| format!("`peer`: {e}"))?,
            "rules" => {
                return Err("its allowed/denied protocols and ports changed: edit them by hand (`check --suggest` shows the live rule)".into());
            }
            "logging" => {
                let keys = [Seg::Key("logConfig".into()), Seg::Key("enable".into())];
                edit::set_value(
                    &text,
                    &span,
                    &keys,
                    &Value::Bool(c.live.as_bool().unwrap_or(false)),
                )
                .or_else(|_| {
                    edit::insert_key(
                        &text,
                        &span,
                        "logConfig",
                        &serde_json::json!({"enable": c.live.as_bool().unwrap_or(false)}),
                    )
                })
                .map_err(|e| format!("`logging`: {e}"))?
            }
            _ => apply(&text, &span, c)?,
        };
    }
    texts.set(file, Some(text));
    Ok(())
}

/// Appends a live security group rule to its group's native file, or
/// starts one where `import` would.
fn sg_new_entry(
    texts: &mut Texts<'_>,
    scope: &Scope,
    r: &Resource,
) -> Result<BTreeSet<PathBuf>, String> {
    let gid = r.spec["groupId"].as_str().unwrap_or_default();
    let direction = r.spec["direction"].as_str().unwrap_or("ingress");
    let entry = edit::render(
        &crate::declared::firewall::native_entry(&r.spec),
        true,
        true,
        "",
    );
    let found = docs(scope, texts).into_iter().find(|(_, v)| {
        v.get("groupId").and_then(Value::as_str) == Some(gid)
            || v.get("SecurityGroups")
                .and_then(Value::as_array)
                .is_some_and(|g| {
                    g.iter()
                        .any(|g| g.get("GroupId").and_then(Value::as_str) == Some(gid))
                })
    });
    if let Some((path, v)) = found {
        if v.get("kind").and_then(Value::as_str) != Some("security_group") {
            return Err(format!(
                "group {gid} is declared in {} (describe-security-groups output), which adopt does not rewrite yet",
                path.display()
            ));
        }
        let text = texts.get(&path).ok_or("the group's file cannot be read")?;
        texts.set(&path, Some(edit::append_to_list(&text, direction, &entry)?));
        return Ok(BTreeSet::from([path]));
    }
    let vpc = r.spec["vpc"].as_str().unwrap_or_default();
    let path = scope
        .declared
        .join("firewall")
        .join(vpc)
        .join(format!("{gid}.yaml"));
    texts.set(&path, Some(crate::declared::firewall::native_yaml(&[r])));
    Ok(BTreeSet::from([path]))
}

/// Appends a live GCP rule to the native file of its project and network,
/// or starts one where `import` would.
fn gcp_new_entry(
    texts: &mut Texts<'_>,
    scope: &Scope,
    r: &Resource,
) -> Result<BTreeSet<PathBuf>, String> {
    let project = r.spec["project"].as_str().unwrap_or_default();
    let network = r.spec["network"].as_str().unwrap_or_default();
    let entry = edit::render(&crate::declared::gcp::native_rule(&r.spec), true, true, "");
    let found = docs(scope, texts).into_iter().find(|(_, v)| {
        v.get("kind").and_then(Value::as_str) == Some("gcp_firewall_rules")
            && v.get("network").and_then(Value::as_str) == Some(network)
            && v.get("project")
                .and_then(Value::as_str)
                .is_none_or(|p| p == project)
    });
    if let Some((path, _)) = found {
        let text = texts.get(&path).ok_or("the rules file cannot be read")?;
        texts.set(&path, Some(edit::append_to_list(&text, "rules", &entry)?));
        return Ok(BTreeSet::from([path]));
    }
    let path = scope
        .declared
        .join("firewall")
        .join(format!("{project}-{network}.yaml"));
    if texts.get(&path).is_some() {
        return Err(format!(
            "{} exists and is not a native rules file",
            path.display()
        ));
    }
    texts.set(
        &path,
        Some(crate::declared::gcp::native_yaml(project, network, &[r])),
    );
    Ok(BTreeSet::from([path]))
}

/// A new native ECS file for a live service, where `import` would put it.
fn ecs_new_file(scope: &Scope, r: &Resource) -> Result<(PathBuf, String), String> {
    let target = scope
        .aws
        .as_ref()
        .and_then(|a| {
            a.ecs_targets()
                .into_iter()
                .find(|t| t.target == scope_of(&r.id))
        })
        .ok_or("its cluster is not in the scope")?;
    let multi = scope.aws.as_ref().is_some_and(|a| a.multi_region());
    let base = match (&target.region, multi) {
        (Some(region), true) => scope.declared.join(region),
        _ => scope.declared.clone(),
    };
    let name = r.id.split_once('/').map_or(r.id.as_str(), |(_, n)| n);
    let path = base
        .join("ecs")
        .join(&target.cluster)
        .join(format!("{name}.yaml"));
    let text = crate::commands::import::native_yaml(r).map_err(|e| e.to_string())?;
    Ok((path, text))
}

/// Appends a live record set to its zone's native file, or starts one.
fn dns_new_entry(
    texts: &mut Texts<'_>,
    scope: &Scope,
    r: &Resource,
) -> Result<BTreeSet<PathBuf>, String> {
    let zone = crate::config::bare(scope_of(&r.id)).to_owned();
    let entry = crate::declared::dns::native_record(&zone, r);
    if let Some(path) = zone_file(scope, texts, &zone) {
        let text = texts.get(&path).ok_or("the zone file cannot be read")?;
        let item = edit::render(&entry, true, true, "");
        let t = edit::append_item(&text, "records", &item)?;
        texts.set(&path, Some(t));
        return Ok(BTreeSet::from([path]));
    }
    // An RFC 1035 file of the zone: the set's lines at its end.
    let mut files = crate::declared::files(&scope.declared).unwrap_or_default();
    files.extend(texts.plan.files.keys().cloned());
    if let Some(path) = files.iter().find(|p| {
        crate::declared::is_zone_file(p)
            && pipeline::zone_of_file(p).as_deref() == Some(zone.as_str())
    }) {
        let lines = bind_lines(r)?;
        let text = texts.get(path).ok_or("the zone file cannot be read")?;
        let mut out = if text.ends_with('\n') || text.is_empty() {
            text.clone()
        } else {
            format!("{text}\n")
        };
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
        texts.set(path, Some(out));
        return Ok(BTreeSet::from([path.clone()]));
    }
    // An octoDNS file of the zone: a new top-level name.
    let mut files = crate::declared::files(&scope.declared).unwrap_or_default();
    files.extend(texts.plan.files.keys().cloned());
    let octo = files.into_iter().find(|p| {
        pipeline::zone_of_file(p).as_deref() == Some(zone.as_str())
            && texts.get(p).is_some_and(|t| is_octodns(p, &t))
    });
    if let Some(path) = octo {
        let rtype = r.spec["type"].as_str().unwrap_or_default();
        if !OCTODNS_PLAIN.contains(&rtype) {
            return Err(format!(
                "octoDNS writes {rtype} values as mappings: adopt leaves them to a person"
            ));
        }
        let name = entry["name"].as_str().unwrap_or_default();
        let key = if name == "@" { "" } else { name };
        let text = texts.get(&path).ok_or("the zone file cannot be read")?;
        let doc: Value = serde_yaml_ng::from_str(&text).unwrap_or(Value::Null);
        if doc.get(key).is_some() {
            return Err(format!(
                "`{key}` already has records in {}: add the {rtype} set to them by hand",
                path.display()
            ));
        }
        let mut rec = serde_json::Map::new();
        rec.insert("type".into(), Value::String(rtype.to_owned()));
        if let Some(t) = r.spec.get("ttl") {
            rec.insert("ttl".into(), t.clone());
        }
        rec.insert("values".into(), r.spec["values"].clone());
        let line = format!(
            "{}: {}\n",
            edit::render(
                &Value::String(key.to_owned()),
                true,
                false,
                if key.is_empty() { "'" } else { "" }
            ),
            edit::render(&Value::Object(rec), true, false, "")
        );
        let body = if text.ends_with('\n') || text.is_empty() {
            text.clone()
        } else {
            format!("{text}\n")
        };
        texts.set(&path, Some(format!("{body}{line}")));
        return Ok(BTreeSet::from([path]));
    }
    let path = scope.declared.join("dns").join(format!("{zone}.yaml"));
    if texts.get(&path).is_some() {
        return Err(format!(
            "{} exists and is not a native zone file",
            path.display()
        ));
    }
    texts.set(&path, Some(crate::declared::dns::native_yaml(&zone, &[r])));
    Ok(BTreeSet::from([path]))
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
    let after = pipeline::check(&cfg, declared, live.clone())?;
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

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
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
