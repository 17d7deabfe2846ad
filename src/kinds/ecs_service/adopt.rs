//! Adopting ECS services: a changed field replaced in the native file or in
//! the CLI pair's task definition file where it lies; a secret in clear left
//! for a person; a service created by hand written as a new native file.

use crate::adopt::edit::{self, Seg};
use crate::adopt::{Key, Texts, apply, masked};
use crate::config::Scope;
use crate::diff::scope_of;
use driftgate_model::{Change, Finding, Resource, State};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The task definition file declaring `family` in a scope (the CLI pair).
pub(crate) fn td_file(scope: &Scope, family: &str, skip: &Path) -> Option<PathBuf> {
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

pub(crate) fn ecs_changed(
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

pub(crate) enum Secret {
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
pub(crate) fn live_at<'v>(spec: &'v Value, segs: &[Seg]) -> Option<&'v Value> {
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

pub(crate) fn secret_change(
    texts: &Texts<'_>,
    file: &Path,
    c: &Change,
    live: Option<&Resource>,
) -> Secret {
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

/// A new native ECS file for a live service, where `import` would put it.
pub(crate) fn ecs_new_file(scope: &Scope, r: &Resource) -> Result<(PathBuf, String), String> {
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
    let text = super::import::native_yaml(r).map_err(|e| e.to_string())?;
    Ok((path, text))
}

/// Plans adopting one drifted ECS service.
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
        (State::Changed, Some((file, _))) => ecs_changed(texts, scope, file, f, live_r),
        (State::Missing, Some((file, _))) => {
            texts.set(file, None);
            Ok(BTreeSet::from([file.clone()]))
        }
        (State::Unmanaged, _) => match live_r {
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
        _ => Err("no declared place found for it".into()),
    }
}
