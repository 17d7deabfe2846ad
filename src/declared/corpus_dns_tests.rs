//! Every DNS file of `../shared/corpus` (octoDNS zone files, BIND zone
//! files) is read right or rejected with an error at its place. A corpus file
//! without an expectation here fails the test.

use super::{Document, parse_with_env};
use crate::kinds::dns_record::formats::octodns;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn corpus(dir: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(dir);
    assert!(d.is_dir(), "the corpus is missing at {}", d.display());
    d
}

fn files(dir: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(corpus(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

fn doc(dir: &str, file: &str) -> Document {
    parse_with_env(&corpus(dir).join(file), file.to_owned(), &|_| None)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// id -> spec of every record a file yields, and its notes.
fn octo(file: &str, zone: &str) -> (std::collections::BTreeMap<String, Value>, Vec<String>) {
    let r = octodns::read(&doc("dns-octodns", file), zone, octodns::DEFAULT_TTL)
        .unwrap_or_else(|e| panic!("{e}"));
    (
        r.records
            .into_iter()
            .map(|d| (d.resource.id, d.resource.spec))
            .collect(),
        r.notes
            .into_iter()
            .chain(
                r.claims
                    .into_iter()
                    .map(|(globs, why, _)| format!("claim {globs:?}: {why}")),
            )
            .collect(),
    )
}

const OCTODNS: &[(&str, &str)] = &[
    ("octodns-basic-my-domain.com.yaml", "my-domain.com"),
    ("octodns-dynamic.tests.yaml", "dynamic.tests"),
    ("octodns-migrating-my-dumpable.com.yaml", "my-dumpable.com"),
    ("octodns-subzone.unit.tests.yaml", "subzone.unit.tests"),
    ("octodns-unescaped.semis.yaml", "unescaped.semis"),
    ("octodns-unit.tests.yaml", "unit.tests"),
];

#[test]
fn every_octodns_corpus_file_has_an_expectation() {
    let expected: Vec<&str> = OCTODNS.iter().map(|(f, _)| *f).collect();
    assert_eq!(files("dns-octodns"), expected);
}

#[test]
fn octodns_files_read_right() {
    let (r, notes) = octo("octodns-basic-my-domain.com.yaml", "my-domain.com");
    assert_eq!(
        r["my-domain.com/my-domain.com/A"]["values"],
        json!(["203.0.113.42", "203.0.113.43"])
    );
    assert_eq!(
        r["my-domain.com/www.my-domain.com/A"]["values"],
        r["my-domain.com/my-domain.com/A"]["values"],
        "YAML anchors"
    );
    assert_eq!(
        r["my-domain.com/*.my-domain.com/AAAA"]["values"],
        json!(["2001:DB8::46"])
    );
    assert_eq!(r["my-domain.com/pointer.my-domain.com/CNAME"]["ttl"], 3600);
    assert!(notes.is_empty(), "{notes:?}");

    let (r, notes) = octo("octodns-unit.tests.yaml", "unit.tests");
    assert_eq!(
        r["unit.tests/mx.unit.tests/MX"]["values"],
        json!([
            "40 smtp-1.unit.tests.",
            "20 smtp-2.unit.tests.",
            "30 smtp-3.unit.tests.",
            "10 smtp-4.unit.tests."
        ]),
        "exchange/preference and the legacy priority/value"
    );
    assert_eq!(
        r["unit.tests/_imap._tcp.unit.tests/SRV"]["values"],
        json!(["0 0 0 ."])
    );
    assert_eq!(
        r["unit.tests/unit.tests/CAA"]["values"],
        json!(["0 issue \"ca.unit.tests\""])
    );
    assert_eq!(
        r["unit.tests/unit.tests/NS"]["values"],
        json!(["6.2.3.4.", "7.2.3.4."])
    );
    assert!(r.contains_key("unit.tests/naptr.unit.tests/NAPTR"));
    assert!(r.contains_key("unit.tests/excluded.unit.tests/CNAME"));
    assert!(
        !r.contains_key("unit.tests/ignored.unit.tests/A"),
        "octodns: ignored"
    );
    assert!(
        notes.iter().any(|n| n.starts_with("claim [\"unit.tests/unit.tests/A\", \"unit.tests/unit.tests/A/*\", \"unit.tests/_octodns-*.unit.tests/*\"]")
            && n.contains("geo/dynamic octoDNS record")),
        "the apex geo record claims what octodns-route53 writes for it: {notes:?}"
    );
    for skipped in [
        "geo/dynamic",
        "no SSHFP",
        "no LOC",
        "no URLFWD",
        "no DNAME",
        "marked ignored",
    ] {
        assert!(
            notes.iter().any(|n| n.contains(skipped)),
            "no note on {skipped}: {notes:?}"
        );
    }
    let txt = r.iter().find(|(k, _)| k.ends_with("/TXT")).unwrap().1;
    assert!(
        txt["values"].to_string().contains("\\\\;"),
        "escaped semicolons kept as written: {txt}"
    );

    let (r, notes) = octo("octodns-dynamic.tests.yaml", "dynamic.tests");
    assert!(r.is_empty(), "every record is dynamic: {r:?}");
    assert_eq!(notes.len(), 6, "{notes:?}");

    let (r, notes) = octo("octodns-subzone.unit.tests.yaml", "subzone.unit.tests");
    let ids: Vec<&String> = r.keys().collect();
    assert_eq!(
        ids,
        vec![
            "subzone.unit.tests/12.subzone.unit.tests/A",
            "subzone.unit.tests/2.subzone.unit.tests/A",
            "subzone.unit.tests/test.subzone.unit.tests/A"
        ],
        "names YAML reads as integers are names"
    );
    assert!(notes.is_empty());

    let (r, notes) = octo("octodns-migrating-my-dumpable.com.yaml", "my-dumpable.com");
    assert_eq!(
        r["my-dumpable.com/my-dumpable.com/NS"]["values"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert!(notes.iter().any(|n| n.contains("no SSHFP")), "{notes:?}");

    let (r, _) = octo("octodns-unescaped.semis.yaml", "unescaped.semis");
    assert_eq!(
        r["unescaped.semis/two.unescaped.semis/TXT"]["values"],
        json!(["This has a semi-colon too; that isn't escaped.", ";"])
    );
}

/// What a BIND corpus file yields: id -> (ttl, canonical text of values), and notes.
fn bind(
    file: &str,
    zone: &str,
) -> (
    std::collections::BTreeMap<String, (i64, Value)>,
    Vec<String>,
) {
    let r = crate::kinds::dns_record::formats::rfc1035::read(
        &corpus("dns-bind").join(file),
        file,
        zone,
        &corpus("dns-bind"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let recs = r
        .records
        .into_iter()
        .map(|d| {
            (
                d.resource.id,
                (
                    d.resource.spec["ttl"].as_i64().unwrap(),
                    d.resource.spec["values"].clone(),
                ),
            )
        })
        .collect();
    (recs, r.notes)
}

fn bind_err(file: &str, zone: &str) -> String {
    crate::kinds::dns_record::formats::rfc1035::read(
        &corpus("dns-bind").join(file),
        file,
        zone,
        &corpus("dns-bind"),
    )
    .unwrap_err()
    .to_string()
}

const BIND: &[&str] = &[
    "dnspython-example.zone",
    "hickory-example.com.zone",
    "hickory-nonewline.zone",
    "include.example.com.zone",
    "octodns-bind-idn-xn--fa-hia.de.zone",
    "octodns-bind-unit.tests.zone",
    "pygments-example.zone",
];

#[test]
fn every_bind_corpus_file_has_an_expectation() {
    assert_eq!(files("dns-bind"), BIND);
}

#[test]
fn bind_files_read_right() {
    let (r, notes) = bind("hickory-example.com.zone", "hickory-example.com");
    assert_eq!(r.len(), 15);
    assert_eq!(
        r["hickory-example.com/www.hickory-example.com/A"],
        (86_400, json!(["127.0.0.1"])),
        "$TTL 24h"
    );
    assert_eq!(
        r["hickory-example.com/shortlived.hickory-example.com/A"].0, 900,
        "$TTL 900 mid-file"
    );
    assert_eq!(
        r["hickory-example.com/include.alias.hickory-example.com/A"].1,
        json!(["127.0.0.5"]),
        "$INCLUDE"
    );
    assert_eq!(
        r["hickory-example.com/no-service.hickory-example.com/MX"].1,
        json!(["0 ."])
    );
    assert_eq!(
        r["hickory-example.com/hickory-example.com/NS"].1,
        json!(["bbb.hickory-example.com."]),
        "blank owner, relative name"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("no ANAME records (2 record sets)")),
        "{notes:?}"
    );

    let (r, _) = bind("hickory-nonewline.zone", "nonewline");
    assert_eq!(
        r["nonewline/ensure.nonewline/A"],
        (259_200, json!(["127.0.0.1"])),
        "$TTL 3D, no newline at the end"
    );

    let (r, _) = bind("octodns-bind-idn-xn--fa-hia.de.zone", "xn--fa-hia.de");
    assert_eq!(r.len(), 5);
    assert!(r.contains_key("xn--fa-hia.de/xn--dj-vu-sqa5d.xn--fa-hia.de/A"));
    assert_eq!(
        r["xn--fa-hia.de/xn--fa-hia.de/NS"].1,
        json!(["ns1.xn--fa-hia.de."]),
        "blank owner inherits @"
    );

    let (r, notes) = bind("octodns-bind-unit.tests.zone", "unit.tests");
    assert_eq!(r.len(), 16);
    assert_eq!(
        r["unit.tests/_imap._tcp.unit.tests/SRV"].1,
        json!(["0 0 0 ."])
    );
    assert_eq!(r["unit.tests/caa.unit.tests/CAA"].0, 1800);
    for t in ["SSHFP", "LOC", "TLSA", "HTTPS", "SVCB"] {
        assert!(
            notes.iter().any(|n| n.contains(&format!("no {t} records"))),
            "{t}: {notes:?}"
        );
    }

    let (r, notes) = bind("pygments-example.zone", "foo.example");
    assert_eq!(r.len(), 19);
    assert_eq!(
        r["foo.example/foo.example/SPF"].1,
        json!(["\"v=spf1 +mx -all\""])
    );
    assert_eq!(
        r["foo.example/foo.example/CAA"].1,
        json!(["128 issue \"letsencrypt.org\""])
    );
    assert_eq!(
        r["foo.example/www.foo.example/CNAME"].1,
        json!(["gamma.foo.example."])
    );
    assert!(notes.iter().any(|n| n.contains("the SOA")));

    let (r, notes) = bind("dnspython-example.zone", "example");
    assert_eq!(r.len(), 57);
    assert_eq!(r["example/e.example/A"].1.as_array().unwrap().len(), 4);
    assert_eq!(
        r["example/unknown3.example/A"].1,
        json!(["127.0.0.2"]),
        "RFC 3597 generic data"
    );
    assert_eq!(r["example/t.example/A"].0, 301);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("no LOC records (8 record sets)")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("no NSEC3PARAM records")),
        "{notes:?}"
    );
}

#[test]
fn bind_files_are_rejected_with_their_place() {
    assert_eq!(
        bind_err("include.example.com.zone", "include.example.com"),
        "include.example.com.zone:1:1: no TTL, and no `$TTL` before this record",
        "read alone, the $INCLUDEd file has no TTL"
    );
    assert_eq!(
        bind_err("hickory-nonewline.zone", "hickory-nonewline"),
        "hickory-nonewline.zone:10:1: `nonewline` is outside the zone hickory-nonewline"
    );
}

/// Every firewall-aws corpus file: `describe-security-groups` output, bare
/// or in a recorded-response wrapper.
#[test]
fn security_group_corpus_files_read_right() {
    let dir = corpus("firewall-aws");
    assert_eq!(
        files("firewall-aws"),
        vec![
            "cloudmapper-demo-describe-security-groups.json",
            "custodian-placebo-sgs-icmp-tags.json",
            "custodian-placebo-sgs-prefixlist-desc.json"
        ]
    );
    let read = |file: &str| {
        let doc = parse_with_env(&dir.join(file), file.to_owned(), &|_| None).unwrap();
        let groups = doc
            .value
            .get("SecurityGroups")
            .or_else(|| doc.value.pointer("/data/SecurityGroups"))
            .unwrap();
        let vpcs: Vec<String> = groups
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["VpcId"].as_str().map(str::to_owned))
            .collect();
        crate::kinds::firewall_rule::formats::read_describe(&doc, &vpcs)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let r = read("cloudmapper-demo-describe-security-groups.json");
    let ids: Vec<&str> = r.iter().map(|d| d.resource.id.as_str()).collect();
    assert!(
        ids.contains(&"vpc-12345678/sg-00000008/ingress/tcp/22/sg-00000002"),
        "{ids:?}"
    );
    assert!(ids.iter().any(|i| i.ends_with("/egress/all/any/0.0.0.0/0")));
    let r = read("custodian-placebo-sgs-icmp-tags.json");
    assert!(
        r.iter().any(|d| d.resource.id.contains("/icmp/15:any/")),
        "icmp type 15, any code"
    );
    let r = read("custodian-placebo-sgs-prefixlist-desc.json");
    assert!(
        r.iter()
            .any(|d| d.resource.spec["peerType"] == "prefix_list")
    );
    assert!(
        r.iter()
            .any(|d| d.resource.spec.get("description").is_some())
    );
}

/// Every firewall-gcp corpus file.
#[test]
fn gcp_firewall_corpus_files_read_right() {
    assert_eq!(
        files("firewall-gcp"),
        vec![
            "custodian-flight-firewalls-list.json",
            "forseti-enforcer-sample-policy.json",
            "gcpdiag-gce1-effective-firewalls.json",
            "gcpdiag-gce3-effective-firewalls-logging.json"
        ]
    );
    let read = |file: &str, project: &str, networks: &[&str]| {
        let doc = parse_with_env(&corpus("firewall-gcp").join(file), file.to_owned(), &|_| {
            None
        })
        .unwrap();
        let nets: Vec<String> = networks.iter().map(|n| (*n).to_owned()).collect();
        crate::kinds::firewall_rule::formats::gcp::read(&doc, &[project.to_owned()], &nets)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (r, _) = read(
        "custodian-flight-firewalls-list.json",
        "cloud-custodian",
        &["default"],
    );
    let bare = r.iter().find(|d| {
        d.resource.spec["sourceRanges"]
            .to_string()
            .contains("1.1.1.1/32")
    });
    assert!(
        bare.is_some(),
        "a bare IP is a /32: {:?}",
        r.iter().map(|d| &d.resource.spec).collect::<Vec<_>>()
    );
    assert!(
        r.iter()
            .any(|d| d.resource.spec["rules"].to_string().contains("21-25"))
    );

    let (r, _) = read(
        "forseti-enforcer-sample-policy.json",
        "forseti",
        &["default"],
    );
    assert_eq!(
        r.len(),
        3,
        "rules naming no network take the scope's one network"
    );
    assert!(
        r.iter()
            .all(|d| d.resource.spec["direction"] == "INGRESS"
                && d.resource.spec["priority"] == 1000)
    );

    let (r, notes) = read(
        "gcpdiag-gce1-effective-firewalls.json",
        "gcpdiag-gce1-aaaa",
        &["default"],
    );
    assert_eq!(r.len(), 17);
    assert!(r.iter().any(|d| d.resource.spec["action"] == "deny"));
    assert!(
        r.iter()
            .any(|d| d.resource.spec.get("targetServiceAccounts").is_some())
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("2 hierarchical firewall policies")),
        "{notes:?}"
    );

    let (r, _) = read(
        "gcpdiag-gce3-effective-firewalls-logging.json",
        "gcpdiag-gce3-aaaa",
        &["default"],
    );
    assert!(r.iter().any(|d| d.resource.spec["logging"] == true));
}

/// Every octoDNS corpus file, read in batches as a large file is: the same
/// records, places, notes and claims as read whole, or declined (then read
/// whole) where a batch could read differently.
#[test]
fn octodns_corpus_files_read_in_batches_are_read_as_whole() {
    use crate::kinds::dns_record::formats::octodns::tests::batched;
    let mut declined = Vec::new();
    for (file, zone) in OCTODNS {
        let text = std::fs::read_to_string(corpus("dns-octodns").join(file)).unwrap();
        let d = Document {
            path: PathBuf::from("infra/example.com.yaml"),
            shown: "infra/example.com.yaml".into(),
            value: super::parse_yaml(Path::new(file), &text).unwrap(),
            text: text.clone(),
        };
        let r = octodns::read(&d, zone, octodns::DEFAULT_TTL).unwrap();
        let want = (
            r.records
                .into_iter()
                .map(|x| (x.resource.id, x.resource.spec, x.at))
                .collect::<Vec<_>>(),
            r.notes,
            r.claims
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>(),
        );
        let mut took = Vec::new();
        for batch in [1, 2, 1024] {
            match batched(&text, zone, batch) {
                Some((got, _)) => {
                    assert_eq!(got, want, "{file} in batches of {batch}");
                    took.push(batch);
                }
                None => assert!(took.is_empty(), "{file}: declined at {batch} only"),
            }
        }
        if took.is_empty() {
            declined.push(*file);
        }
    }
    // Anchors and aliases (their meaning crosses names), and a `? ''`
    // explicit key (octodns' own test zone).
    assert_eq!(
        declined,
        [
            "octodns-basic-my-domain.com.yaml",
            "octodns-migrating-my-dumpable.com.yaml",
            "octodns-unit.tests.yaml"
        ]
    );
}
