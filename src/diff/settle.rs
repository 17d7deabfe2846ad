//! Settling live resources as they are read.
//!
//! Most resources of a large zone are in sync. Once the declared side is
//! read, each live resource can be compared with its declaration the moment
//! it is normalized: where the two trees are the same, the diff's answer is
//! already known (in sync: no change to report, nothing to ignore), so the
//! live resource is not kept at all and the declaration's tree and text are
//! freed. Only the resources that differ, or that are not declared, reach
//! [`super::Live`]. The diff still decides everything else about a settled
//! declaration (ignore rules, unread or unchecked targets) as it does for
//! any other: settling only spares it a comparison whose outcome is known.
//!
//! Only declarations held [`Compact`](crate::declared::load::Compact) are
//! settled (record sets, whose kind resolves nothing against live), and only
//! where their id is declared once in the whole config.

use crate::declared::load::DeclaredResource;
use crate::normalize::Node;
use driftgate_model::Kind;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// The declared resources live ones may settle against, by (kind, id).
pub struct Settle<'a> {
    declared: &'a mut [DeclaredResource],
    table: HashTable<usize>,
    state: foldhash::fast::FixedState,
    settled: usize,
}

impl<'a> Settle<'a> {
    /// Indexes the declarations that can settle.
    pub fn new(declared: &'a mut [DeclaredResource]) -> Settle<'a> {
        let state = foldhash::fast::FixedState::default();
        let hash = |d: &DeclaredResource| state.hash_one((d.resource.kind, d.resource.id.as_str()));
        let mut table: HashTable<usize> = HashTable::new();
        let mut twice = Vec::new();
        for (i, d) in declared.iter().enumerate() {
            if d.claim.is_some() || d.compact.as_ref().is_none_or(|c| c.settled) {
                continue;
            }
            let h = hash(d);
            let same = |&j: &usize| {
                declared[j].resource.kind == d.resource.kind
                    && declared[j].resource.id == d.resource.id
            };
            if table.find(h, same).is_some() {
                twice.push(i);
            } else {
                table.insert_unique(h, i, |&j| hash(&declared[j]));
            }
        }
        // Declared in two scopes: each scope's diff compares its own.
        for i in twice {
            let d = &declared[i];
            if let Ok(e) = table.find_entry(hash(d), |&j| {
                declared[j].resource.kind == d.resource.kind
                    && declared[j].resource.id == d.resource.id
            }) {
                e.remove();
            }
        }
        Settle {
            declared,
            table,
            state,
            settled: 0,
        }
    }

    fn find(&self, kind: Kind, id: &str) -> Option<usize> {
        let h = self.state.hash_one((kind, id));
        self.table
            .find(h, |&j| {
                let r = &self.declared[j].resource;
                r.kind == kind && r.id == id
            })
            .copied()
    }

    /// Whether a live resource of this id was settled already (a second
    /// one of the same id is a malformed snapshot).
    #[must_use]
    pub fn was_settled(&self, kind: Kind, id: &str) -> bool {
        self.find(kind, id)
            .and_then(|i| self.declared[i].compact.as_ref())
            .is_some_and(|c| c.settled)
    }

    /// Settles the live resource `(kind, id)` normalized to `node`: true
    /// when its declaration has the same tree (then the caller drops it).
    pub fn settle(&mut self, kind: Kind, id: &str, node: &Node) -> bool {
        let Some(i) = self.find(kind, id) else {
            return false;
        };
        let Some(c) = self.declared[i].compact.as_mut() else {
            return false;
        };
        if c.settled || !c.node.same(node) {
            return false;
        }
        c.settle();
        self.settled += 1;
        true
    }

    /// How many live resources settled.
    #[must_use]
    pub fn settled(&self) -> usize {
        self.settled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{Mode, normalize};
    use driftgate_model::Resource;
    use serde_json::{Value, json};

    fn record(name: &str, ttl: i64) -> Resource {
        Resource {
            kind: Kind::DnsRecord,
            id: format!("example.com/{name}.example.com/A"),
            spec: json!({"zone": "example.com", "name": format!("{name}.example.com"),
                "type": "A", "ttl": ttl, "values": ["192.0.2.1"]}),
        }
    }

    fn declared(scope: usize, r: Resource, compact: bool) -> DeclaredResource {
        let d = DeclaredResource::compact_record(scope, r, "dns/example.com.yaml:7");
        if compact { d } else { d.expanded() }
    }

    fn live(r: &Resource) -> Node {
        normalize(r, Mode::Lenient).unwrap()
    }

    #[test]
    fn a_live_resource_settles_only_against_its_declaration_with_the_same_tree() {
        let mut d = vec![
            declared(0, record("www", 300), true),
            declared(0, record("api", 300), true),
            declared(0, record("old", 300), false),
        ];
        let mut s = Settle::new(&mut d);
        let www = record("www", 300);
        assert!(s.settle(Kind::DnsRecord, &www.id, &live(&www)));
        assert!(s.was_settled(Kind::DnsRecord, &www.id));
        // Once only: a second one of that id is not settled again.
        assert!(!s.settle(Kind::DnsRecord, &www.id, &live(&www)));
        // A different TTL is the diff's to report.
        let api = record("api", 60);
        assert!(!s.settle(Kind::DnsRecord, &api.id, &live(&api)));
        assert!(!s.was_settled(Kind::DnsRecord, &api.id));
        // Held whole (not compact), or not declared: never settled.
        let old = record("old", 300);
        assert!(!s.settle(Kind::DnsRecord, &old.id, &live(&old)));
        let new = record("new", 300);
        assert!(!s.settle(Kind::DnsRecord, &new.id, &live(&new)));
        assert_eq!(s.settled(), 1);
        // The settled declaration's tree and text are freed; the others kept.
        let c = d[0].compact.as_ref().unwrap();
        assert!(c.settled && c.node.is_empty());
        assert_eq!(*d[0].spec(), Value::Null);
        assert_eq!(d[0].at, "dns/example.com.yaml:7");
        let c = d[1].compact.as_ref().unwrap();
        assert!(!c.settled && !c.node.is_empty());
        assert_eq!(d[1].spec()["ttl"], json!(300));
    }

    #[test]
    fn an_id_declared_in_two_scopes_or_a_claim_never_settles() {
        let www = record("www", 300);
        let mut claimed = declared(0, record("dyn", 300), true);
        claimed.claim = Some(Box::new(crate::declared::formats::Claim {
            kind: Kind::DnsRecord,
            globs: vec!["example.com/dyn.example.com/*".into()],
            why: "dynamic".into(),
            at: "dns/example.com.yaml:3".into(),
        }));
        let mut d = vec![
            declared(0, www.clone(), true),
            declared(1, www.clone(), true),
            claimed,
        ];
        let mut s = Settle::new(&mut d);
        assert!(!s.settle(Kind::DnsRecord, &www.id, &live(&www)));
        let dynamic = record("dyn", 300);
        assert!(!s.settle(Kind::DnsRecord, &dynamic.id, &live(&dynamic)));
        assert_eq!(s.settled(), 0);
    }

    #[test]
    fn a_scan_settles_as_a_snapshot_does_but_an_id_it_holds_twice_is_kept_as_before() {
        let (www, api) = (record("www", 300), record("api", 300));
        let mut d = vec![
            declared(0, www.clone(), true),
            declared(0, api.clone(), true),
        ];
        let scan = |resources: Vec<Resource>| driftgate_model::ScanResult {
            targets: Vec::new(),
            resources,
            scopes_read: vec!["dns_record:example.com".into()],
            unchecked: Vec::new(),
        };
        // api is listed twice, the last one with another TTL: it wins, as
        // it did before settling, and is compared by the diff.
        let live = crate::diff::Live::from_scan_settled(
            scan(vec![www.clone(), api.clone(), record("api", 60)]),
            Some(&mut Settle::new(&mut d)),
        )
        .unwrap();
        assert_eq!((live.len(), live.settled), (1, 1));
        let kept = live.node(Kind::DnsRecord, &api.id).unwrap();
        assert_eq!(kept.canon_of("ttl").as_deref(), Some(&json!(60)));
        assert!(d[0].compact.as_ref().unwrap().settled);
        assert!(!d[1].compact.as_ref().unwrap().settled);
    }
}
