//! The diff engine: declared x live -> one finding per resource.
//!
//! Pure: it reads normalized trees and scan results, calls nothing, and
//! decides each resource's one state. Fail closed: a resource in a scope that
//! was not read completely is `unchecked`, never `missing` or `in_sync`.

pub mod settle;

use crate::normalize::ignore::IgnoreRule;
use crate::normalize::secrets::redact;
use crate::normalize::{Node, declared_only, provider_owned};
use driftgate_model::provider::scope_key;
use driftgate_model::{Change, Finding, Kind, State, Unchecked};
use foldhash::{HashMap, HashMapExt, HashSet};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One declared resource, normalized.
#[derive(Debug, Clone)]
pub struct Declared {
    pub kind: Kind,
    pub id: String,
    /// `file:line`, relative to the config file's directory.
    pub at: String,
    /// The Terraform address, when declared in a state.
    pub address: Option<String>,
    pub node: Node,
    /// Found in sync with live as live was read ([`settle`]): `node` is
    /// empty, and the live resource was not kept.
    pub settled: bool,
}

/// One live resource: its normalized tree, and its spec kept as compact
/// JSON text (a few times smaller than a parsed `Value`), parsed again only
/// for the few resources a report says more of.
#[derive(Debug, Clone)]
pub struct LiveEntry {
    pub node: Node,
    /// The name people know it by, where its id is made of cloud ids.
    pub name: Option<String>,
    spec: Box<str>,
}

impl LiveEntry {
    /// The spec as the cloud (or the snapshot) gave it, secrets masked.
    #[must_use]
    pub fn spec(&self) -> Value {
        serde_json::from_str(&self.spec).unwrap_or(Value::Null)
    }
}

/// The live side, normalized as it is read: the specs of 100,000 resources
/// are never all held as `Value`s at once.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// By kind, then id (looked up by `&str`, no key built per lookup).
    pub nodes: BTreeMap<Kind, BTreeMap<String, LiveEntry>>,
    pub scopes_read: BTreeSet<String>,
    pub unchecked: Vec<Unchecked>,
    /// Where the scan looked (report metadata).
    pub targets: Vec<driftgate_model::provider::Target>,
    /// How many live resources were settled as they were read, in sync
    /// with their declarations and not kept ([`settle`]).
    pub settled: usize,
}

impl Live {
    /// The live node of `(kind, id)`.
    #[must_use]
    pub fn node(&self, kind: Kind, id: &str) -> Option<&Node> {
        self.entry(kind, id).map(|e| &e.node)
    }

    /// The live entry of `(kind, id)`.
    #[must_use]
    pub fn entry(&self, kind: Kind, id: &str) -> Option<&LiveEntry> {
        self.nodes.get(&kind)?.get(id)
    }

    /// The live resource of `(kind, id)`, its spec parsed again.
    #[must_use]
    pub fn resource(&self, kind: Kind, id: &str) -> Option<driftgate_model::Resource> {
        self.entry(kind, id).map(|e| driftgate_model::Resource {
            kind,
            id: id.to_owned(),
            spec: e.spec(),
        })
    }

    /// Every live resource, specs parsed again (for `--suggest` and adopt,
    /// which read a few of them in full).
    #[must_use]
    pub fn to_scan(&self) -> driftgate_model::ScanResult {
        driftgate_model::ScanResult {
            targets: self.targets.clone(),
            resources: self
                .nodes
                .iter()
                .flat_map(|(kind, m)| {
                    m.iter().map(|(id, e)| driftgate_model::Resource {
                        kind: *kind,
                        id: id.clone(),
                        spec: e.spec(),
                    })
                })
                .collect(),
            scopes_read: self.scopes_read.iter().cloned().collect(),
            unchecked: self.unchecked.clone(),
        }
    }

    /// Every live resource of a kind: id and entry.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = (&String, &LiveEntry)> {
        self.nodes.get(&kind).into_iter().flatten()
    }

    /// How many live resources there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.values().map(BTreeMap::len).sum()
    }

    /// Whether there is none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds one normalized resource, keeping its spec as text.
    pub fn insert(&mut self, kind: Kind, id: String, node: Node, spec: &Value) {
        let name = crate::kinds::rules(kind).display_name(spec);
        let spec = serde_json::to_string(spec)
            .unwrap_or_default()
            .into_boxed_str();
        self.nodes
            .entry(kind)
            .or_default()
            .insert(id, LiveEntry { node, name, spec });
    }

    /// Normalizes and adds one live resource (lenient: the cloud's own
    /// shapes are taken as they come).
    ///
    /// # Errors
    /// A spec that is not even the kind's shape (a hand-edited snapshot).
    pub fn add(&mut self, r: driftgate_model::Resource) -> anyhow::Result<()> {
        let node = crate::normalize::normalize(&r, crate::normalize::Mode::Lenient)
            .map_err(|e| Live::refused(&r, &e.message))?;
        self.insert(r.kind, r.id, node, &r.spec);
        Ok(())
    }

    /// The error for a live resource that does not normalize.
    #[must_use]
    pub fn refused(r: &driftgate_model::Resource, why: &str) -> anyhow::Error {
        anyhow::anyhow!("live {} {}: {}", r.kind, r.id, why)
    }

    /// A scan's result, normalized; each spec dropped as its tree is made.
    ///
    /// # Errors
    /// As [`Live::add`].
    pub fn from_scan(scan: driftgate_model::ScanResult) -> anyhow::Result<Live> {
        Live::from_scan_settled(scan, None)
    }

    /// [`Live::from_scan`], each resource settled against its declaration
    /// as it is normalized ([`settle`]). An id the scan holds twice is kept
    /// as before (the last one), never settled.
    ///
    /// # Errors
    /// As [`Live::add`].
    pub fn from_scan_settled(
        scan: driftgate_model::ScanResult,
        settle: Option<&mut settle::Settle<'_>>,
    ) -> anyhow::Result<Live> {
        let mut live = Live::default();
        live.add_scan(scan, settle)?;
        Ok(live)
    }

    /// Adds a scan's result ([`Live::from_scan_settled`]).
    ///
    /// # Errors
    /// As [`Live::add`].
    pub fn add_scan(
        &mut self,
        scan: driftgate_model::ScanResult,
        mut settle: Option<&mut settle::Settle<'_>>,
    ) -> anyhow::Result<()> {
        let twice: HashSet<(Kind, String)> = if settle.is_some() {
            let mut seen = HashSet::default();
            scan.resources
                .iter()
                .filter(|r| !seen.insert((r.kind, r.id.as_str())))
                .map(|r| (r.kind, r.id.clone()))
                .collect()
        } else {
            HashSet::default()
        };
        let live = self;
        live.scopes_read.extend(scan.scopes_read);
        live.unchecked.extend(scan.unchecked);
        live.targets.extend(scan.targets);
        for r in scan.resources {
            let Some(s) = settle.as_deref_mut() else {
                live.add(r)?;
                continue;
            };
            let node = crate::normalize::normalize(&r, crate::normalize::Mode::Lenient)
                .map_err(|e| Live::refused(&r, &e.message))?;
            if (twice.is_empty() || !twice.contains(&(r.kind, r.id.clone())))
                && s.settle(r.kind, &r.id, &node)
            {
                live.settled += 1;
                continue;
            }
            live.insert(r.kind, r.id, node, &r.spec);
        }
        Ok(())
    }
}

/// One scope of the config, as the diff needs it.
#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    pub mode: String,
    /// Scope keys this scope manages (`ecs_service:prod`), each with its kind.
    pub targets: Vec<(Kind, String)>,
    /// Targets named in the config that no provider reads yet, with why.
    pub unsupported: Vec<(Kind, String, String)>,
    pub declared: Vec<Declared>,
    /// Live resources a declaration stands for without declaring each
    /// (an octoDNS dynamic record): `(kind, globs over ids, why)`. They are
    /// unchecked with that reason, never unmanaged.
    pub claims: Vec<(Kind, Vec<String>, String)>,
}

/// A resource left out by a whole-resource ignore rule.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Ignored {
    pub scope: String,
    pub kind: Kind,
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub ignored: Vec<Ignored>,
}

/// The scope part of an id: the cluster of `cluster/service`.
#[must_use]
pub fn scope_of(id: &str) -> &str {
    id.split('/').next().unwrap_or(id)
}

/// Diffs every scope.
#[must_use]
///
/// Each in-sync declared tree is freed as soon as it is compared, and each
/// place moved into its finding: after the diff, a scope's `declared` holds
/// the trees of its drifted resources only (what the report shows of them).
pub fn diff(scopes: &mut [Scope], live: &Live, rules: &[IgnoreRule]) -> Outcome {
    let mut out = Outcome::default();
    for scope in scopes {
        diff_scope(scope, live, rules, &mut out);
    }
    out
}

fn finding(scope: &Scope, kind: Kind, id: &str, state: State) -> Finding {
    Finding {
        scope: scope.name.clone(),
        mode: scope.mode.clone(),
        kind,
        id: id.to_owned(),
        state,
        // Set by the pipeline from the config's targets.
        cloud: None,
        declared_at: None,
        address: None,
        changes: Vec::new(),
        ignored: Vec::new(),
        reason: None,
        blame: None,
        suggest: None,
        sides: None,
        live_id: None,
        what: None,
        name: None,
        declare_in: None,
    }
}

fn reason_of(u: &Unchecked) -> String {
    let hint = u.error.hint();
    if hint.is_empty() {
        u.error.to_string()
    } else {
        format!("{} ({hint})", u.error)
    }
}

fn diff_scope(scope: &mut Scope, live: &Live, rules: &[IgnoreRule], out: &mut Outcome) {
    let whole_rule = |kind: Kind, id: &str| {
        rules
            .iter()
            .find(|r| r.whole() && r.matches_resource(kind, id))
    };
    let scope_unchecked = |kind: Kind, target: &str| {
        live.unchecked
            .iter()
            .find(|u| u.kind == kind && u.id == format!("{target}/*"))
    };
    let exact_unchecked =
        |kind: Kind, id: &str| live.unchecked.iter().find(|u| u.kind == kind && u.id == id);

    // Sized for the larger side (one finding each where the two match, as
    // they mostly do): a large zone's findings are among the largest things
    // a check holds, and room for both sides would be twice that.
    let mut findings = Vec::with_capacity(scope.declared.len().max(live.len()) + 16);
    // Whether a target was read, asked once per target, not per resource.
    let mut read: HashMap<(Kind, &str), bool> = HashMap::new();
    let mut was_read = |kind: Kind, target| {
        *read
            .entry((kind, target))
            .or_insert_with(|| live.scopes_read.contains(&scope_key(kind, target)))
    };
    // Taken out while each is compared (and its tree freed when in sync).
    let mut declared = std::mem::take(&mut scope.declared);
    for d in &mut declared {
        if let Some(rule) = whole_rule(d.kind, &d.id) {
            out.ignored.push(Ignored {
                scope: scope.name.clone(),
                kind: d.kind,
                id: d.id.clone(),
                reason: rule.reason.clone(),
            });
            continue;
        }
        let target = scope_of(&d.id);
        let mut f = finding(scope, d.kind, &d.id, State::Unchecked);
        // Moved, not copied: nothing reads a declared place after the diff.
        f.declared_at = Some(std::mem::take(&mut d.at));
        f.address.clone_from(&d.address);
        if let Some(u) = exact_unchecked(d.kind, &d.id) {
            f.reason = Some(reason_of(u));
        } else if let Some(u) = scope_unchecked(d.kind, target) {
            f.reason = Some(format!(
                "{} `{target}` could not be read ({}): see {}",
                scope_noun(d.kind),
                u.error.kind_name(),
                u.id
            ));
        } else if !was_read(d.kind, target) {
            f.reason = Some(format!(
                "{} `{target}` was not read (not in the live snapshot)",
                scope_noun(d.kind)
            ));
        } else if d.settled {
            f.state = State::InSync;
        } else if let Some(l) = live.node(d.kind, &d.id) {
            let mut changes = Vec::new();
            if !d.node.same(l) {
                compare(Some(&d.node), Some(l), "", &mut changes);
            }
            let rules: Vec<&IgnoreRule> = rules
                .iter()
                .filter(|r| !r.whole() && r.matches_resource(d.kind, &d.id))
                .collect();
            changes.retain(|c| {
                if c.declared.is_null() && declared_only(d.kind, &c.path) {
                    return false;
                }
                if rules.iter().any(|r| r.matches_field(&c.path)) {
                    f.ignored.push(c.path.clone());
                    return false;
                }
                true
            });
            f.state = if changes.is_empty() {
                State::InSync
            } else {
                State::Changed
            };
            f.changes = changes;
            if f.state == State::InSync {
                d.node = Node::Obj(crate::normalize::node::Fields::new());
            }
        } else {
            f.state = State::Missing;
        }
        findings.push(f);
    }
    scope.declared = declared;
    let scope = &*scope;
    let declared_ids: HashSet<(Kind, &str)> = scope
        .declared
        .iter()
        .map(|d| (d.kind, d.id.as_str()))
        .collect();

    for (kind, target) in &scope.targets {
        if let Some(u) = scope_unchecked(*kind, target) {
            let mut f = finding(scope, *kind, &u.id, State::Unchecked);
            f.reason = Some(reason_of(u));
            findings.push(f);
            continue;
        }
        if !live.scopes_read.contains(&scope_key(*kind, target)) {
            let mut f = finding(scope, *kind, &format!("{target}/*"), State::Unchecked);
            f.reason = Some(format!(
                "{} `{target}` was not read (not in the live snapshot)",
                scope_noun(*kind)
            ));
            findings.push(f);
            continue;
        }
        let prefix = format!("{target}/");
        let of_target = live
            .nodes
            .get(kind)
            .into_iter()
            .flat_map(|m| {
                m.range::<str, _>((
                    std::ops::Bound::Included(prefix.as_str()),
                    std::ops::Bound::Unbounded,
                ))
            })
            .map(|(id, _)| id)
            .take_while(|id| id.starts_with(&prefix));
        for id in of_target {
            let k = kind;
            if declared_ids.contains(&(*k, id.as_str())) || provider_owned(*k, id) {
                continue;
            }
            if let Some((_, _, why)) = scope.claims.iter().find(|(ck, globs, _)| {
                ck == k
                    && globs
                        .iter()
                        .any(|g| wildmatch::WildMatch::new(g).matches(id))
            }) {
                let mut f = finding(scope, *k, id, State::Unchecked);
                f.reason = Some(why.clone());
                findings.push(f);
                continue;
            }
            if let Some(rule) = whole_rule(*k, id) {
                out.ignored.push(Ignored {
                    scope: scope.name.clone(),
                    kind: *k,
                    id: id.clone(),
                    reason: rule.reason.clone(),
                });
                continue;
            }
            findings.push(finding(scope, *k, id, State::Unmanaged));
        }
        for u in &live.unchecked {
            if u.kind == *kind
                && u.id.starts_with(&prefix)
                && !u.id.ends_with("/*")
                && !declared_ids.contains(&(u.kind, u.id.as_str()))
            {
                let mut f = finding(scope, u.kind, &u.id, State::Unchecked);
                f.reason = Some(reason_of(u));
                findings.push(f);
            }
        }
    }
    for (kind, target, why) in &scope.unsupported {
        let mut f = finding(scope, *kind, &format!("{target}/*"), State::Unchecked);
        f.reason = Some(why.clone());
        findings.push(f);
    }
    pair_id_fields(scope, live, &mut findings);
    // Unstable: no merge buffer the size of the findings (each (kind, id)
    // is one finding of a scope).
    findings.sort_unstable_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    if out.findings.is_empty() {
        out.findings = findings;
    } else {
        out.findings.append(&mut findings);
    }
}

/// Some kinds' ids hold a field (a firewall rule's peer), so that field
/// edited by hand shows as one resource missing and another unmanaged.
/// Where exactly one of each have the same rest of the id, they are one
/// resource whose field changed: reported as `changed`, at that field.
fn pair_id_fields(scope: &Scope, live: &Live, findings: &mut Vec<Finding>) {
    let mut missing: BTreeMap<(Kind, String), Vec<usize>> = BTreeMap::new();
    let mut unmanaged: BTreeMap<(Kind, String), Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        let Some((key, _)) = crate::kinds::rules(f.kind).id_field(&f.id) else {
            continue;
        };
        let key = (f.kind, key.to_owned());
        match f.state {
            State::Missing => missing.entry(key).or_default().push(i),
            State::Unmanaged => unmanaged.entry(key).or_default().push(i),
            _ => {}
        }
    }
    let mut drop = BTreeSet::new();
    for ((kind, key), m) in &missing {
        let (Some(u), [mi]) = (unmanaged.get(&(*kind, key.clone())), m.as_slice()) else {
            continue;
        };
        let [ui] = u.as_slice() else { continue };
        let live_id = findings[*ui].id.clone();
        let decl_id = findings[*mi].id.clone();
        let field = crate::kinds::rules(*kind)
            .id_field(&decl_id)
            .map_or("id", |(_, f)| f);
        let rest = |id: &str| Value::String(id[key.len() + 1..].to_owned());
        let mut changes = vec![Change {
            path: field.into(),
            declared: rest(&decl_id),
            live: rest(&live_id),
            at: None,
        }];
        let d = scope
            .declared
            .iter()
            .find(|d| d.kind == *kind && d.id == decl_id)
            .map(|d| &d.node);
        compare(d, live.node(*kind, &live_id), "", &mut changes);
        let f = &mut findings[*mi];
        f.state = State::Changed;
        f.changes = changes;
        f.live_id = Some(live_id);
        drop.insert(*ui);
    }
    let mut i = 0;
    findings.retain(|_| {
        let keep = !drop.contains(&i);
        i += 1;
        keep
    });
}

fn scope_noun(kind: Kind) -> &'static str {
    crate::kinds::rules(kind).scope_noun()
}

fn join(path: &str, key: &str, keyed: bool) -> String {
    if keyed {
        format!("{path}[{key}]")
    } else if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn shown(n: Option<&Node>) -> Value {
    n.map_or(Value::Null, |n| redact(&n.shown()))
}

/// Appends the differences between two trees, in a stable order.
pub fn compare(declared: Option<&Node>, live: Option<&Node>, path: &str, out: &mut Vec<Change>) {
    match (declared, live) {
        (None, None) => {}
        (Some(Node::Obj(a)), Some(Node::Obj(b))) => compare_maps(a, b, path, false, out),
        (Some(Node::Keyed(a)), Some(Node::Keyed(b))) => compare_maps(a, b, path, true, out),
        (Some(a), Some(b)) if a.is_leaf() && b.is_leaf() && a.same(b) => {}
        (a, b) => out.push(Change {
            path: path.to_owned(),
            declared: shown(a),
            live: shown(b),
            at: None,
        }),
    }
}

fn compare_maps(
    a: &crate::normalize::node::Fields,
    b: &crate::normalize::node::Fields,
    path: &str,
    keyed: bool,
    out: &mut Vec<Change>,
) {
    let keys: BTreeSet<&str> = a.keys().chain(b.keys()).collect();
    for k in keys {
        compare(a.get(k), b.get(k), &join(path, k, keyed), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::ecs_service::normalize as ecs;
    use crate::normalize::Mode;
    use driftgate_model::{ErrorKind, ProviderError};
    use serde_json::json;

    fn node(v: Value) -> Node {
        ecs::normalize(&v, Mode::Lenient).unwrap()
    }

    fn svc(image: &str, count: i64) -> Value {
        json!({"desiredCount": count, "taskDefinition": {"family": "api",
            "containerDefinitions": [{"name": "api", "image": image}]}})
    }

    fn scope(declared: Vec<Declared>) -> Scope {
        Scope {
            name: "production".into(),
            mode: "enforce".into(),
            targets: vec![(Kind::EcsService, "prod".into())],
            unsupported: vec![],
            claims: vec![],
            declared,
        }
    }

    fn decl(id: &str, v: Value) -> Declared {
        Declared {
            address: None,
            kind: Kind::EcsService,
            id: id.into(),
            at: format!("infra/{id}.yaml:1"),
            node: node(v),
            settled: false,
        }
    }

    fn live(items: Vec<(&str, Value)>) -> Live {
        let mut live = Live {
            scopes_read: ["ecs_service:prod".to_owned()].into(),
            ..Live::default()
        };
        for (id, v) in items {
            live.insert(Kind::EcsService, id.to_owned(), node(v.clone()), &v);
        }
        live
    }

    fn states(o: &Outcome) -> Vec<(String, State)> {
        o.findings.iter().map(|f| (f.id.clone(), f.state)).collect()
    }

    #[test]
    fn every_state_once() {
        let s = scope(vec![
            decl("prod/same", svc("nginx:1", 1)),
            decl("prod/api", svc("nginx:1.25", 2)),
            decl("prod/gone", svc("nginx:1", 1)),
        ]);
        let l = live(vec![
            ("prod/same", svc("nginx:1", 1)),
            ("prod/api", svc("nginx:1.26", 2)),
            ("prod/byhand", svc("nginx:1", 1)),
        ]);
        let o = diff(&mut [s], &l, &[]);
        assert_eq!(
            states(&o),
            vec![
                ("prod/api".into(), State::Changed),
                ("prod/byhand".into(), State::Unmanaged),
                ("prod/gone".into(), State::Missing),
                ("prod/same".into(), State::InSync),
            ]
        );
        let api = &o.findings[0];
        assert_eq!(api.changes.len(), 1);
        assert_eq!(
            api.changes[0].path,
            "taskDefinition.containerDefinitions[api].image"
        );
        assert_eq!(api.changes[0].declared, json!("nginx:1.25"));
        assert_eq!(api.changes[0].live, json!("nginx:1.26"));
        assert_eq!(api.declared_at.as_deref(), Some("infra/prod/api.yaml:1"));
    }

    #[test]
    fn unread_scope_is_unchecked_never_missing() {
        let s = scope(vec![decl("prod/api", svc("nginx", 1))]);
        let mut l = live(vec![]);
        l.scopes_read.clear();
        l.unchecked.push(Unchecked {
            kind: Kind::EcsService,
            id: "prod/*".into(),
            error: ProviderError::new(ErrorKind::PermissionDenied, "ecs", "ListServices", "denied"),
        });
        let o = diff(&mut [s], &l, &[]);
        assert_eq!(
            states(&o),
            vec![
                ("prod/*".into(), State::Unchecked),
                ("prod/api".into(), State::Unchecked)
            ]
        );
        assert!(o.findings[0].reason.as_deref().unwrap().contains("denied"));
        assert_eq!(
            o.findings[1].reason.as_deref(),
            Some("cluster `prod` could not be read (permission denied): see prod/*")
        );

        let s = scope(vec![decl("prod/api", svc("nginx", 1))]);
        let o = diff(&mut [s], &Live::default(), &[]);
        assert!(o.findings.iter().all(|f| f.state == State::Unchecked));
    }

    #[test]
    fn the_diff_keeps_the_trees_of_drifted_resources_only() {
        let mut s = [scope(vec![
            decl("prod/api", svc("nginx:1", 2)),
            decl("prod/web", svc("nginx:1", 2)),
        ])];
        let l = live(vec![
            ("prod/api", svc("nginx:1", 2)),
            ("prod/web", svc("nginx:1", 3)),
        ]);
        let o = diff(&mut s, &l, &[]);
        assert_eq!(
            states(&o),
            vec![
                ("prod/api".into(), State::InSync),
                ("prod/web".into(), State::Changed)
            ]
        );
        assert_eq!(
            o.findings[0].declared_at.as_deref(),
            Some("infra/prod/api.yaml:1")
        );
        assert!(s[0].declared[0].node.is_empty(), "in sync: freed");
        assert_eq!(
            s[0].declared[1].node,
            node(svc("nginx:1", 2)),
            "drifted: kept"
        );
    }

    #[test]
    fn a_settled_declaration_is_in_sync_yet_still_ruled_by_ignores_and_unread_targets() {
        let settled = |id: &str| Declared {
            settled: true,
            node: Node::Obj(crate::normalize::node::Fields::new()),
            ..decl(id, svc("nginx:1", 1))
        };
        // Its live resource was not kept: in sync all the same, not missing.
        let s = scope(vec![
            settled("prod/api"),
            decl("prod/web", svc("nginx:1", 1)),
        ]);
        let o = diff(&mut [s], &live(vec![]), &[]);
        assert_eq!(
            states(&o),
            vec![
                ("prod/api".into(), State::InSync),
                ("prod/web".into(), State::Missing)
            ]
        );
        assert_eq!(
            o.findings[0].declared_at.as_deref(),
            Some("infra/prod/api.yaml:1")
        );
        // A whole-resource rule still leaves it out.
        let rule = IgnoreRule {
            kind: Kind::EcsService,
            resource: "prod/api".into(),
            field: None,
            reason: "by hand".into(),
            at: "driftgate.toml:9".into(),
        };
        let o = diff(
            &mut [scope(vec![settled("prod/api")])],
            &live(vec![]),
            &[rule],
        );
        assert!(o.findings.is_empty());
        assert_eq!(o.ignored[0].id, "prod/api");
        // A target that was not read is unchecked, settled or not.
        let mut l = live(vec![]);
        l.scopes_read.clear();
        let o = diff(&mut [scope(vec![settled("prod/api")])], &l, &[]);
        assert!(
            o.findings.iter().all(|f| f.state == State::Unchecked),
            "{:?}",
            states(&o)
        );
    }

    #[test]
    fn ignore_rules_remove_exactly_their_field_or_resource() {
        let rule = |field: Option<&str>, res: &str| IgnoreRule {
            kind: Kind::EcsService,
            resource: res.into(),
            field: field.map(Into::into),
            reason: "autoscaling".into(),
            at: "driftgate.toml:9".into(),
        };
        let s = scope(vec![decl("prod/api", svc("nginx:1", 2))]);
        let l = live(vec![
            ("prod/api", svc("nginx:2", 5)),
            ("prod/x", svc("a", 1)),
        ]);
        let o = diff(
            &mut [s.clone()],
            &l,
            &[rule(Some("desiredCount"), "prod/*")],
        );
        assert_eq!(o.findings[0].changes.len(), 1);
        assert_eq!(o.findings[0].ignored, vec!["desiredCount".to_owned()]);
        let o = diff(&mut [s], &l, &[rule(None, "prod/x")]);
        assert_eq!(states(&o), vec![("prod/api".into(), State::Changed)]);
        assert_eq!(o.ignored[0].id, "prod/x");
    }

    #[test]
    fn undeclared_desired_count_is_not_compared() {
        let mut d = svc("nginx", 1);
        d.as_object_mut().unwrap().remove("desiredCount");
        let s = scope(vec![decl("prod/api", d)]);
        let o = diff(&mut [s], &live(vec![("prod/api", svc("nginx", 7))]), &[]);
        assert_eq!(o.findings[0].state, State::InSync);
    }
}
