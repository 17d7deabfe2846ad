//! The check stage: both sides normalized, diffed, each finding given its
//! cloud and its two sides; the report built.

use crate::config::Config;
use crate::diff::{self, Declared, Live, Scope};
use crate::normalize::{self, Mode, Node};
use crate::pipeline::DeclaredResource;
use crate::report::Report;
use anyhow::Context;
use driftgate_model::{Finding, Kind, State};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::collections::BTreeMap;

/// Normalizes both sides, diffs them, and builds the report.
///
/// # Errors
/// A declared resource that does not normalize (already checked on reading).
pub fn check(
    config: &Config,
    mut declared: Vec<DeclaredResource>,
    live: &Live,
) -> anyhow::Result<Report> {
    // Claims are not resources: live sets they stand for are unchecked.
    let mut claims: Vec<Vec<(Kind, Vec<String>, String)>> =
        config.scopes.iter().map(|_| Vec::new()).collect();
    declared.retain(|d| match &d.claim {
        Some(c) => {
            claims[d.scope].push((c.kind, c.globs.clone(), c.why.clone()));
            false
        }
        None => true,
    });
    for kind in crate::kinds::KINDS {
        kind.resolve(&mut declared, live);
    }
    // What a person needs beside an id, gathered while both sides are at
    // hand: what a resource is where it may be unmanaged or missing, the
    // names it is known by, and where its siblings are declared.
    let declared_ids: HashSet<(Kind, &str)> = declared
        .iter()
        .map(|d| (d.resource.kind, d.resource.id.as_str()))
        .collect();
    let live_ids: HashSet<(Kind, &str)> = live
        .nodes
        .iter()
        .flat_map(|(kind, m)| m.keys().map(|id| (*kind, id.as_str())))
        .collect();
    // Keyed by kind, then id: looked up by `&str` for every finding. Only
    // an undeclared live resource's spec is parsed again, for what it is.
    let mut live_info: HashMap<Kind, HashMap<String, Info>> = HashMap::new();
    for (kind, m) in &live.nodes {
        let rules = crate::kinds::rules(*kind);
        for (id, e) in m {
            let undeclared = !declared_ids.contains(&(*kind, id.as_str()));
            if !undeclared && e.name.is_none() {
                continue;
            }
            let r = undeclared.then(|| driftgate_model::Resource {
                kind: *kind,
                id: id.clone(),
                spec: e.spec(),
            });
            live_info.entry(*kind).or_default().insert(
                id.clone(),
                Info {
                    what: r.as_ref().and_then(|r| rules.describe(&r.spec)),
                    name: e.name.clone(),
                    group: r.as_ref().and_then(|r| rules.group_of(&r.spec)),
                    resource: r,
                },
            );
        }
    }
    let mut decl_info: HashMap<(usize, Kind), HashMap<String, Info>> = HashMap::new();
    let mut group_files: HashMap<(usize, Kind), HashMap<String, String>> = HashMap::new();
    for d in &declared {
        let rules = crate::kinds::rules(d.resource.kind);
        let group = match &d.compact {
            Some(c) => c.group.as_deref().map(std::borrow::Cow::Borrowed),
            None => rules
                .group_of(&d.resource.spec)
                .map(std::borrow::Cow::Owned),
        };
        // The first file of each group: a lookup by `&str`, a key made only
        // for a group not seen yet.
        if let Some(g) = group {
            let files = group_files.entry((d.scope, d.resource.kind)).or_default();
            if !files.contains_key(g.as_ref()) {
                files.insert(g.into_owned(), file_of(&d.at).to_owned());
            }
        }
        // A settled one was live (and in sync).
        if !d.compact.as_ref().is_some_and(|c| c.settled)
            && !live_ids.contains(&(d.resource.kind, d.resource.id.as_str()))
        {
            let spec = d.spec();
            decl_info
                .entry((d.scope, d.resource.kind))
                .or_default()
                .insert(
                    d.resource.id.clone(),
                    Info {
                        what: rules.describe(&spec),
                        name: rules.display_name(&spec),
                        group: None,
                        resource: None,
                    },
                );
        }
    }
    drop(declared_ids);
    drop(live_ids);
    // One pass: each declared resource becomes its scope's normalized
    // `Declared` as it is taken (no second vector of them in between).
    let mut counts = vec![0; config.scopes.len()];
    for d in &declared {
        counts[d.scope] += 1;
    }
    let mut by_scope: Vec<Vec<Declared>> = counts.into_iter().map(Vec::with_capacity).collect();
    for d in declared {
        by_scope[d.scope].push(normalized(d)?);
    }
    let mut scopes: Vec<Scope> = config
        .scopes
        .iter()
        .zip(by_scope.into_iter().zip(claims))
        .map(|(s, (declared, claims))| Scope {
            name: s.name.clone(),
            mode: s.mode.as_str().to_owned(),
            targets: s.targets(),
            unsupported: s.not_yet_read.clone(),
            declared,
            claims,
        })
        .collect();
    let mut outcome = diff::diff(&mut scopes, live, &config.ignore);
    // Each finding names its cloud, from the target that holds it.
    let clouds: BTreeMap<(&str, Kind, String), driftgate_model::Cloud> = config
        .scopes
        .iter()
        .flat_map(|s| {
            s.target_clouds()
                .into_iter()
                .map(move |(k, t, c)| ((s.name.as_str(), k, t), c))
        })
        .collect();
    for f in &mut outcome.findings {
        let target = diff::scope_of(&f.id).to_owned();
        f.cloud = clouds.get(&(f.scope.as_str(), f.kind, target)).copied();
    }
    // The two sides' lines, for drifted findings only (in sync and
    // unchecked ones show none): their declared nodes looked up by a map
    // of just those.
    let drifted: HashSet<(&str, Kind, &str)> = outcome
        .findings
        .iter()
        .filter(|f| !matches!(f.state, State::InSync | State::Unchecked))
        .map(|f| (f.scope.as_str(), f.kind, f.id.as_str()))
        .collect();
    let decl_nodes: HashMap<(String, Kind, String), &Node> = scopes
        .iter()
        .flat_map(|s| {
            s.declared
                .iter()
                .filter(|d| drifted.contains(&(s.name.as_str(), d.kind, d.id.as_str())))
                .map(move |d| ((s.name.clone(), d.kind, d.id.clone()), &d.node))
        })
        .collect();
    drop(drifted);
    for f in &mut outcome.findings {
        if matches!(f.state, State::InSync | State::Unchecked) {
            continue;
        }
        let (declared, live) = texts_of(
            f,
            decl_nodes
                .get(&(f.scope.clone(), f.kind, f.id.clone()))
                .copied(),
            live.node(f.kind, f.live_id.as_deref().unwrap_or(&f.id)),
        );
        if !declared.is_empty() || !live.is_empty() {
            f.sides = Some(Box::new(driftgate_model::Sides { declared, live }));
        }
    }
    let scope_index: HashMap<&str, usize> = config
        .scopes
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    for f in &mut outcome.findings {
        let Some(&si) = scope_index.get(f.scope.as_str()) else {
            continue;
        };
        let li = live_info
            .get(&f.kind)
            .and_then(|m| m.get(f.live_id.as_deref().unwrap_or(&f.id)));
        let di = decl_info
            .get(&(si, f.kind))
            .and_then(|m| m.get(f.id.as_str()));
        f.name = li
            .and_then(|i| i.name.clone())
            .or_else(|| di.and_then(|i| i.name.clone()));
        match f.state {
            State::Unmanaged => {
                f.what = li.and_then(|i| i.what.clone());
                f.declare_in = li.and_then(|i| {
                    i.group
                        .as_ref()
                        .and_then(|g| group_files.get(&(si, f.kind))?.get(g.as_str()).cloned())
                        .or_else(|| {
                            let scope = &config.scopes[si];
                            let r = i.resource.as_ref()?;
                            let files = crate::kinds::rules(f.kind).import(scope, &[r]).ok()?;
                            let (path, _) = files.into_iter().next()?;
                            let rel = path.strip_prefix(&config.root).unwrap_or(&path);
                            Some(rel.display().to_string())
                        })
                });
            }
            State::Missing => f.what = di.and_then(|i| i.what.clone()),
            State::Changed => {
                let Some(at) = f.declared_at.clone() else {
                    continue;
                };
                let (file, line) = split_at(&at);
                let text = texts
                    .entry(file.to_owned())
                    .or_insert_with(|| std::fs::read_to_string(config.root.join(file)).ok());
                if let Some(text) = text {
                    let tf = file.ends_with(".tf");
                    for c in &mut f.changes {
                        let l = if tf {
                            crate::declared::terraform::hcl::attribute_line(text, line, &c.path)
                        } else if f.address.is_some() {
                            // A state's line: no field of it is the user's.
                            None
                        } else {
                            crate::declared::locate::field_line(text, line, &c.path)
                        };
                        c.at = l.map(|l| format!("{file}:{l}"));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Report::new(outcome.findings, outcome.ignored))
}

/// What a finding shows beside its id, gathered before the sides are
/// consumed.
struct Info {
    what: Option<String>,
    name: Option<String>,
    group: Option<String>,
    /// An undeclared live resource, for the file import would write it to.
    resource: Option<driftgate_model::Resource>,
}

/// The file of a `file:line` place.
fn file_of(at: &str) -> &str {
    split_at(at).0
}

/// `file:line` split; a place without a line is at line 1.
fn split_at(at: &str) -> (&str, usize) {
    match at.rsplit_once(':') {
        Some((f, l)) if l.parse::<usize>().is_ok() => (f, l.parse().unwrap_or(1)),
        _ => (at, 1),
    }
}

/// A declared resource as the diff takes it: its tree (made as it was read,
/// when it was read compact), its id and its place.
pub(crate) fn normalized(d: DeclaredResource) -> anyhow::Result<Declared> {
    let mut settled = false;
    let node = match d.compact {
        // Normalized as it was read.
        Some(c) => {
            settled = c.settled;
            c.node
        }
        None => normalize::normalize(&d.resource, Mode::Strict)
            .map_err(|e| anyhow::anyhow!("{}: {}", d.at, e.message))
            .with_context(|| format!("declared {} {}", d.resource.kind, d.resource.id))?,
    };
    Ok(Declared {
        kind: d.resource.kind,
        id: d.resource.id,
        at: d.at,
        address: d.address,
        node,
        settled,
    })
}

/// The two sides of a finding as lines, with fields the finding leaves out
/// (ignored by a rule, or compared only when declared) left out here too.
fn texts_of(
    f: &Finding,
    declared: Option<&Node>,
    live: Option<&Node>,
) -> (Vec<String>, Vec<String>) {
    if f.state == State::InSync || f.state == State::Unchecked {
        return (Vec::new(), Vec::new());
    }
    let skip = |path: &str, on_declared: bool, present_in_declared: bool| {
        f.ignored.iter().any(|p| p == path)
            || (!on_declared && !present_in_declared && normalize::declared_only(f.kind, path))
    };
    let d = declared.map(|n| without(n, "", &|p| skip(p, true, true)));
    let l = live.map(|n| {
        without(n, "", &|p| {
            skip(p, false, declared.is_some_and(|d| has_path(d, "", p)))
        })
    });
    let mut d = d.map(|n| n.render_lines()).unwrap_or_default();
    let mut l = l.map(|n| n.render_lines()).unwrap_or_default();
    // A field held in the id (a firewall rule's peer) is not in the tree:
    // its change heads both sides, so the diff shows what was edited.
    if f.live_id.is_some()
        && let Some(c) = f.changes.first()
    {
        let line =
            |v: &serde_json::Value| format!("{}: {}", c.path, crate::normalize::node::display(v));
        d.insert(0, line(&c.declared));
        l.insert(0, line(&c.live));
    }
    (d, l)
}

fn child_path(prefix: &str, key: &str, keyed: bool) -> String {
    if keyed {
        format!("{prefix}[{key}]")
    } else if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn without(n: &Node, prefix: &str, drop: &dyn Fn(&str) -> bool) -> Node {
    match n {
        Node::Obj(m) | Node::Keyed(m) => {
            let keyed = matches!(n, Node::Keyed(_));
            let kept = m
                .iter()
                .filter_map(|(k, v)| {
                    let p = child_path(prefix, k, keyed);
                    (!drop(&p)).then(|| (k.to_owned(), without(v, &p, drop)))
                })
                .collect();
            if keyed {
                Node::Keyed(kept)
            } else {
                Node::Obj(kept)
            }
        }
        leaf => leaf.clone(),
    }
}

fn has_path(n: &Node, prefix: &str, path: &str) -> bool {
    match n {
        Node::Obj(m) | Node::Keyed(m) => {
            let keyed = matches!(n, Node::Keyed(_));
            m.iter().any(|(k, v)| {
                let p = child_path(prefix, k, keyed);
                p == path || (path.starts_with(&p) && has_path(v, &p, path))
            })
        }
        _ => false,
    }
}
