//! The check stage: both sides normalized, diffed, each finding given its
//! cloud and its two sides; the report built.

use crate::config::{Config, Scope as ConfigScope};
use crate::diff::{self, Declared, Live, Scope};
use crate::normalize::{self, Mode, Node};
use crate::pipeline::DeclaredResource;
use crate::report::Report;
use anyhow::Context;
use driftgate_model::{Finding, Kind, ScanResult, State};
use std::collections::BTreeMap;

/// Normalizes both sides, diffs them, and builds the report.
///
/// # Errors
/// A declared resource that does not normalize (already checked on reading).
pub fn check(
    config: &Config,
    mut declared: Vec<DeclaredResource>,
    live: ScanResult,
) -> anyhow::Result<Report> {
    for kind in crate::kinds::KINDS {
        kind.resolve(&mut declared, &live);
    }
    // Both sides are consumed as they are normalized: only the trees are
    // kept, which halves the memory of a large zone.
    let mut live_side = Live {
        scopes_read: live.scopes_read.into_iter().collect(),
        unchecked: live.unchecked,
        ..Live::default()
    };
    for r in live.resources {
        let node = normalize::normalize(&r, Mode::Lenient)
            .map_err(|e| anyhow::anyhow!("live {} {}: {}", r.kind, r.id, e.message))?;
        live_side.nodes.insert((r.kind, r.id), node);
    }
    let mut by_scope: Vec<Vec<DeclaredResource>> =
        config.scopes.iter().map(|_| Vec::new()).collect();
    for d in declared {
        by_scope[d.scope].push(d);
    }
    let scopes: Vec<Scope> = config
        .scopes
        .iter()
        .enumerate()
        .zip(by_scope)
        .map(|((_, s), declared)| diff_scope(s, declared))
        .collect::<anyhow::Result<_>>()?;
    let mut outcome = diff::diff(&scopes, &live_side, &config.ignore);
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
    let decl_nodes: BTreeMap<(&str, Kind, &str), &Node> = scopes
        .iter()
        .flat_map(|s| {
            s.declared
                .iter()
                .map(move |d| ((s.name.as_str(), d.kind, d.id.as_str()), &d.node))
        })
        .collect();
    for f in &mut outcome.findings {
        let (declared, live) = texts_of(
            f,
            decl_nodes
                .get(&(f.scope.as_str(), f.kind, f.id.as_str()))
                .copied(),
            live_side.nodes.get(&(f.kind, f.id.clone())),
        );
        if !declared.is_empty() || !live.is_empty() {
            f.sides = Some(driftgate_model::Sides { declared, live });
        }
    }
    Ok(Report::new(outcome.findings, outcome.ignored))
}

fn diff_scope(s: &ConfigScope, declared: Vec<DeclaredResource>) -> anyhow::Result<Scope> {
    let mut decl = Vec::with_capacity(declared.len());
    for d in declared {
        let node = normalize::normalize(&d.resource, Mode::Strict)
            .map_err(|e| anyhow::anyhow!("{}: {}", d.at, e.message))
            .with_context(|| format!("declared {} {}", d.resource.kind, d.resource.id))?;
        decl.push(Declared {
            kind: d.resource.kind,
            id: d.resource.id,
            at: d.at,
            node,
        });
    }
    let targets = s.targets();
    Ok(Scope {
        name: s.name.clone(),
        mode: s.mode.as_str().to_owned(),
        targets,
        unsupported: s.not_yet_read.clone(),
        declared: decl,
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
    (
        d.map(|n| n.render_lines()).unwrap_or_default(),
        l.map(|n| n.render_lines()).unwrap_or_default(),
    )
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
                    (!drop(&p)).then(|| (k.clone(), without(v, &p, drop)))
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
        Node::Leaf { .. } => false,
    }
}
