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

/// The live side built from the pages a cloud scan hands over as it reads
/// them ([`Pages`](driftgate_model::provider::Pages)): each resource
/// normalized and settled the moment its page arrives, so a large zone is
/// held a page at a time, never whole. What the pages are worth is known
/// only when the scan ends: [`LivePages::finish`] drops the pages of every
/// target the scan did not read (a zone counts whole or not at all; a
/// declaration settled against such a page is unchecked all the same, the
/// diff asking whether its target was read before anything else).
pub struct LivePages<'a, 's> {
    live: super::Live,
    settle: &'a mut Settle<'s>,
    /// The targets pages came from, by kind.
    from: std::collections::BTreeMap<Kind, std::collections::BTreeSet<String>>,
    /// Ids handed over more than once.
    twice: std::collections::BTreeSet<(Kind, String)>,
}

impl<'a, 's> LivePages<'a, 's> {
    pub fn new(settle: &'a mut Settle<'s>) -> Self {
        LivePages {
            live: super::Live::default(),
            settle,
            from: std::collections::BTreeMap::new(),
            twice: std::collections::BTreeSet::new(),
        }
    }

    /// One page, secrets masked already.
    ///
    /// # Errors
    /// A resource that does not normalize (as [`super::Live::add`]).
    pub fn page(&mut self, page: Vec<driftgate_model::Resource>) -> anyhow::Result<()> {
        for r in page {
            let node = crate::normalize::normalize(&r, crate::normalize::Mode::Lenient)
                .map_err(|e| super::Live::refused(&r, &e.message))?;
            let target = super::scope_of(&r.id);
            let targets = self.from.entry(r.kind).or_default();
            if !targets.contains(target) {
                targets.insert(target.to_owned());
            }
            let key = (r.kind, r.id);
            if self.twice.contains(&key) {
                continue;
            }
            let (kind, id) = key;
            if self.live.entry(kind, &id).is_some() || self.settle.was_settled(kind, &id) {
                // The same resource twice in one scan: a listing that is not
                // whole and sound. Neither answer is compared.
                if let Some(m) = self.live.nodes.get_mut(&kind) {
                    m.remove(&id);
                }
                self.twice.insert((kind, id));
                continue;
            }
            if self.settle.settle(kind, &id, &node) {
                self.live.settled += 1;
                continue;
            }
            self.live.insert(kind, id, node, &r.spec);
        }
        Ok(())
    }

    /// The live side once the scan has ended: its result (what it read, what
    /// it could not, and the resources of parts that hand over no pages)
    /// added, and the pages of targets it did not read dropped.
    ///
    /// # Errors
    /// A resource of the result that does not normalize.
    pub fn finish(self, scan: driftgate_model::ScanResult) -> anyhow::Result<super::Live> {
        let LivePages {
            mut live,
            settle,
            from,
            twice,
        } = self;
        live.add_scan(scan, Some(settle))?;
        for (kind, target) in from
            .iter()
            .flat_map(|(k, ts)| ts.iter().map(move |t| (k, t)))
        {
            if live
                .scopes_read
                .contains(&driftgate_model::provider::scope_key(*kind, target))
            {
                continue;
            }
            if let Some(m) = live.nodes.get_mut(kind) {
                let prefix = format!("{target}/");
                m.retain(|id, _| !id.starts_with(&prefix));
            }
        }
        for (kind, id) in twice {
            live.unchecked.push(driftgate_model::Unchecked {
                kind,
                id,
                error: driftgate_model::ProviderError::new(
                    driftgate_model::ErrorKind::Malformed,
                    "driftgate",
                    "scan",
                    "the scan listed this resource twice: neither answer is compared",
                ),
            });
        }
        Ok(live)
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

    fn in_zone(zone: &str, name: &str, ttl: i64) -> Resource {
        Resource {
            kind: Kind::DnsRecord,
            id: format!("{zone}/{name}.{zone}/A"),
            spec: json!({"zone": zone, "name": format!("{name}.{zone}"),
                "type": "A", "ttl": ttl, "values": ["192.0.2.1"]}),
        }
    }

    #[test]
    fn pages_settle_as_they_arrive_and_count_only_for_targets_read() {
        let (a_www, a_api) = (
            in_zone("a.example", "www", 300),
            in_zone("a.example", "api", 300),
        );
        let (b_www, b_api) = (
            in_zone("b.example", "www", 300),
            in_zone("b.example", "api", 300),
        );
        let mut d: Vec<DeclaredResource> = [&a_www, &a_api, &b_www, &b_api]
            .into_iter()
            .map(|r| declared(0, r.clone(), true))
            .collect();
        let mut s = Settle::new(&mut d);
        let mut pages = LivePages::new(&mut s);
        // Zone a: www as declared, api changed, one set undeclared.
        pages
            .page(vec![a_www.clone(), in_zone("a.example", "api", 60)])
            .unwrap();
        pages.page(vec![in_zone("a.example", "new", 300)]).unwrap();
        // Zone b: a page read, then the zone failed.
        pages
            .page(vec![
                b_www.clone(),
                in_zone("b.example", "api", 60),
                in_zone("b.example", "new", 300),
            ])
            .unwrap();
        let live = pages
            .finish(driftgate_model::ScanResult {
                targets: Vec::new(),
                // A part that hands over no pages: its resources come in
                // the result and settle there.
                resources: vec![in_zone("c.example", "www", 300)],
                scopes_read: vec!["dns_record:a.example".into(), "dns_record:c.example".into()],
                unchecked: vec![driftgate_model::Unchecked {
                    kind: Kind::DnsRecord,
                    id: "b.example/*".into(),
                    error: driftgate_model::ProviderError::new(
                        driftgate_model::ErrorKind::Throttled,
                        "route53",
                        "ListResourceRecordSets",
                        "slow down",
                    ),
                }],
            })
            .unwrap();
        let ids: Vec<&String> = live.of_kind(Kind::DnsRecord).map(|(id, _)| id).collect();
        assert_eq!(
            ids,
            [
                "a.example/api.a.example/A",
                "a.example/new.a.example/A",
                "c.example/www.c.example/A"
            ],
            "zone b's page counts for nothing"
        );
        assert_eq!(live.settled, 2, "a's www and b's www");
        assert_eq!(live.unchecked.len(), 1);
        // The diff: b's settled www is unchecked like the rest of b.
        drop(s);
        let mut scope = crate::diff::Scope {
            name: "dns".into(),
            mode: "enforce".into(),
            targets: vec![
                (Kind::DnsRecord, "a.example".into()),
                (Kind::DnsRecord, "b.example".into()),
            ],
            unsupported: Vec::new(),
            declared: d
                .into_iter()
                .map(|x| crate::check::normalized(x).unwrap())
                .collect(),
            claims: Vec::new(),
        };
        let out = crate::diff::diff(std::slice::from_mut(&mut scope), &live, &[]);
        let states: Vec<(String, driftgate_model::State)> = out
            .findings
            .iter()
            .map(|f| (f.id.clone(), f.state))
            .collect();
        use driftgate_model::State::*;
        assert_eq!(
            states,
            [
                ("a.example/api.a.example/A".to_owned(), Changed),
                ("a.example/new.a.example/A".to_owned(), Unmanaged),
                ("a.example/www.a.example/A".to_owned(), InSync),
                ("b.example/*".to_owned(), Unchecked),
                ("b.example/api.b.example/A".to_owned(), Unchecked),
                ("b.example/www.b.example/A".to_owned(), Unchecked),
            ]
        );
    }

    #[test]
    fn a_resource_handed_over_twice_is_unchecked_whichever_copy_settled() {
        let (www, api) = (record("www", 300), record("api", 300));
        let mut d = vec![
            declared(0, www.clone(), true),
            declared(0, api.clone(), true),
        ];
        let mut s = Settle::new(&mut d);
        let mut pages = LivePages::new(&mut s);
        // www: the first copy settles; api: the first copy differs.
        pages.page(vec![www.clone(), record("api", 60)]).unwrap();
        pages
            .page(vec![www.clone(), api.clone(), api.clone()])
            .unwrap();
        let live = pages
            .finish(driftgate_model::ScanResult {
                scopes_read: vec!["dns_record:example.com".into()],
                ..driftgate_model::ScanResult::default()
            })
            .unwrap();
        assert!(live.is_empty(), "neither copy is kept");
        let unchecked: Vec<&str> = live.unchecked.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(unchecked, [api.id.as_str(), www.id.as_str()]);
        assert!(
            live.unchecked
                .iter()
                .all(|u| u.error.message.contains("listed this resource twice"))
        );
    }
}
