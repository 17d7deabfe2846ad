//! Adopting DNS record sets: entries of native, octoDNS and RFC 1035 zone
//! files edited under their name, removed, or appended.

use crate::adopt::edit;
use crate::adopt::{Texts, apply, doc_kind};
use crate::config::Scope;
use crate::diff::scope_of;
use crate::pipeline;
use driftgate_model::{Finding, Resource, State};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub(crate) fn is_native_zone(text: &str) -> bool {
    doc_kind(text).as_deref() == Some("dns_zone")
}

pub(crate) const NOT_NATIVE: &str = "adopt rewrites native (kind: dns_zone) and octoDNS zone files; RFC 1035 zone files are not rewritten yet";

/// Record types whose octoDNS values are plain strings, as driftgate shows
/// them; the others (MX, SRV, CAA, ...) are mappings in octoDNS files.
pub(crate) const OCTODNS_PLAIN: &[&str] = &["A", "AAAA", "CNAME", "NS", "PTR"];

/// Whether a declared file is an octoDNS zone file (YAML, no `kind`).
pub(crate) fn is_octodns(path: &Path, text: &str) -> bool {
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
pub(crate) fn octodns_span(
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

pub(crate) fn octodns_changed(
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

pub(crate) fn octodns_missing(
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
pub(crate) fn bind_lines(r: &Resource) -> Result<Vec<String>, String> {
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
pub(crate) fn bind_replace(
    text: &str,
    zone: &str,
    key: &(String, String),
    new: Option<&[String]>,
) -> Result<String, String> {
    let lines = crate::kinds::dns_record::formats::rfc1035::record_lines(text, zone)?;
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
pub(crate) fn set_key(id: &str) -> Result<(String, String), String> {
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

pub(crate) fn bind_edit(
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

pub(crate) fn dns_changed(
    texts: &mut Texts<'_>,
    file: &Path,
    line: usize,
    f: &Finding,
) -> Result<(), String> {
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
pub(crate) fn zone_file(scope: &Scope, texts: &Texts<'_>, zone: &str) -> Option<PathBuf> {
    let mut files = crate::declared::files(&scope.declared).unwrap_or_default();
    files.extend(texts.plan.files.keys().cloned());
    files.into_iter().find(|p| {
        texts.get(p).is_some_and(|t| {
            is_native_zone(&t)
                && crate::adopt::top_level(&t, "zone")
                    .map(|z| driftgate_model::dns::canonical_name(&z))
                    .as_deref()
                    == Some(zone)
        })
    })
}

/// Appends a live record set to its zone's native file, or starts one.
pub(crate) fn dns_new_entry(
    texts: &mut Texts<'_>,
    scope: &Scope,
    r: &Resource,
) -> Result<BTreeSet<PathBuf>, String> {
    let zone = crate::config::bare(scope_of(&r.id)).to_owned();
    let entry = crate::kinds::dns_record::formats::native_record(&zone, r);
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
    texts.set(
        &path,
        Some(crate::kinds::dns_record::formats::native_yaml(&zone, &[r])),
    );
    Ok(BTreeSet::from([path]))
}

/// Plans adopting one drifted DNS record set.
///
/// # Errors
/// Why it cannot be adopted.
pub(crate) fn plan(
    texts: &mut Texts<'_>,
    scope: &Scope,
    f: &Finding,
    at: Option<&(PathBuf, usize)>,
    live_r: Option<&Resource>,
) -> Result<BTreeSet<PathBuf>, String> {
    match (f.state, at) {
        (State::Changed | State::Missing, Some((file, _)))
            if crate::declared::is_zone_file(file) =>
        {
            bind_edit(texts, file, f, live_r).map(|()| BTreeSet::from([file.clone()]))
        }
        (State::Changed, Some((file, line))) => {
            dns_changed(texts, file, *line, f).map(|()| BTreeSet::from([file.clone()]))
        }
        (State::Missing, Some((file, line))) => match texts.get(file) {
            Some(t) if is_native_zone(&t) => match edit::item_span(&t, *line) {
                Some(span) => {
                    texts.set(file, Some(edit::remove_span_lines(&t, &span)));
                    Ok(BTreeSet::from([file.clone()]))
                }
                None => Err("the record's entry was not found".into()),
            },
            Some(t) if is_octodns(file, &t) => {
                octodns_missing(texts, file, *line, f).map(|()| BTreeSet::from([file.clone()]))
            }
            Some(_) => Err(NOT_NATIVE.into()),
            None => Err("the declared file cannot be read".into()),
        },
        (State::Unmanaged, _) => match live_r {
            Some(r) => dns_new_entry(texts, scope, r),
            None => Err("not in the live state".into()),
        },
        _ => Err("no declared place found for it".into()),
    }
}
