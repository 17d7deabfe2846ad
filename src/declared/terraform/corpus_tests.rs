//! Every state of `../shared/corpus/tfstate` (real states from public
//! projects) is read right: each resource it holds pinned by id, address
//! and where it is declared. A state added to the corpus without an
//! expectation here fails the test.

use crate::config::Config;
use crate::pipeline::load_declared;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/tfstate");
    assert!(
        dir.is_dir(),
        "the corpus is missing at {}: it ships beside the repository as shared/",
        dir.display()
    );
    dir
}

const EXPECTED: &[&str] = &[
    "driftctl-aws_route53_record_multiples.tfstate",
    "driftctl-aws_vpc_security_group.tfstate",
];

/// The config of a scope reading the corpus directory as its declared tree.
fn config(aws: &str) -> Config {
    let dir = corpus_dir();
    let text = format!(
        "[[scope]]\nname = \"corpus\"\nmode = \"enforce\"\ndeclared = \"{}\"\n\n[scope.aws]\nregion = \"eu-west-3\"\n{aws}\n",
        dir.display()
    );
    Config::parse(&dir.join("driftgate.toml"), &text, (2026, 1, 1)).unwrap()
}

/// `(id, address, at, spec)` of every declared resource, sorted by id.
fn read(config: &Config) -> Vec<(String, String, String, serde_json::Value)> {
    let loaded = load_declared(config, false).unwrap_or_else(|e| panic!("{e}"));
    let mut out: Vec<_> = loaded
        .resources
        .into_iter()
        .map(|d| {
            (
                d.resource.id,
                d.address.unwrap_or_default(),
                d.at,
                d.resource.spec,
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_corpus_state_has_an_expectation() {
    let mut found: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(
        found, EXPECTED,
        "a corpus state without an expectation here"
    );
}

#[test]
fn route53_records_with_count_are_read_with_their_zones_names() {
    let c = config("route53_zones = [\"foo-0.com\", \"foo-1.com\"]");
    let got = read(&c);
    let ids: Vec<(&str, &str)> = got
        .iter()
        .map(|(id, a, _, _)| (id.as_str(), a.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("foo-0.com/foo-0.com/NS", "aws_route53_record.ns"),
            ("foo-0.com/test0.foo-0.com/A", "aws_route53_record.test[0]"),
            ("foo-0.com/test1.foo-0.com/A", "aws_route53_record.test[1]"),
            ("foo-0.com/test2.foo-0.com/A", "aws_route53_record.test[2]"),
            ("foo-0.com/test3.foo-0.com/A", "aws_route53_record.test[3]"),
            ("foo-1.com/test0.foo-1.com/A", "aws_route53_record.test2[0]"),
            ("foo-1.com/test1.foo-1.com/A", "aws_route53_record.test2[1]"),
            ("foo-1.com/test2.foo-1.com/A", "aws_route53_record.test2[2]"),
            ("foo-1.com/test3.foo-1.com/A", "aws_route53_record.test2[3]"),
        ]
    );
    let ns = &got[0];
    assert_eq!(
        ns.3,
        serde_json::json!({"zone": "foo-0.com", "name": "foo-0.com", "type": "NS", "ttl": 172800,
            "values": ["ns-1295.awsdns-33.org.", "ns-1843.awsdns-38.co.uk.", "ns-228.awsdns-28.demo.", "ns-873.awsdns-45.net."]})
    );
    // No .tf files beside it: each is placed at its resource in the state.
    let shown = format!(
        "{}/driftctl-aws_route53_record_multiples.tfstate",
        corpus_dir().display()
    );
    assert_eq!(ns.2, format!("{shown}:10"));
    assert_eq!(got[1].2, format!("{shown}:48"));
    // The security group state has no resource in these zones' scope.
}

#[test]
fn security_groups_inline_rules_are_one_rule_per_peer() {
    let c = config("security_group_vpcs = [\"vpc-618f6e09\"]");
    let got = read(&c);
    let ids: Vec<(&str, &str)> = got
        .iter()
        .map(|(id, a, _, _)| (id.as_str(), a.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            (
                "vpc-618f6e09/sg-0254c038e32f25530/egress/all/any/0.0.0.0/0",
                "aws_security_group.test-sg"
            ),
            (
                "vpc-618f6e09/sg-0254c038e32f25530/ingress/all/any/0.0.0.0/0",
                "aws_security_group.test-sg"
            ),
            (
                "vpc-618f6e09/sg-9e0204ff/egress/all/any/0.0.0.0/0",
                "aws_default_security_group.test-default-sg"
            ),
            (
                "vpc-618f6e09/sg-9e0204ff/ingress/all/any/sg-9e0204ff",
                "aws_default_security_group.test-default-sg"
            ),
        ]
    );
    assert_eq!(got[0].3["description"], "Bar");
    assert_eq!(got[1].3["description"], "Foo");
    assert_eq!(got[0].3["groupName"], "foo");
}

#[test]
fn resources_outside_the_scope_are_noted_not_errors() {
    let c = config("route53_zones = [\"foo-1.com\"]");
    let loaded = load_declared(&c, false).unwrap();
    assert_eq!(loaded.resources.len(), 4, "only foo-1.com's records");
    assert!(
        loaded
            .notes
            .iter()
            .any(|n| n.contains("aws_route53_record.test[0]: zone `foo-0.com` is not a DNS zone of scope `corpus`; not compared")),
        "{:#?}",
        loaded.notes
    );
    assert!(
        loaded.notes.iter().any(|n| n.contains(
            "aws_security_group.test-sg: VPC `vpc-618f6e09` is not in the security_group_vpcs"
        )),
        "{:#?}",
        loaded.notes
    );
    let explained: Vec<&str> = loaded.files.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(
        explained,
        [
            "4 resources from 11 instances, 5 outside the scope",
            "0 resources from 2 instances, 2 outside the scope"
        ]
    );
}

#[tokio::test]
async fn a_scope_naming_no_targets_takes_its_states_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("declared")).unwrap();
    let text = format!(
        "[[scope]]\nname = \"tf\"\nmode = \"enforce\"\ndeclared = \"declared\"\n\n[scope.aws]\nregion = \"eu-west-3\"\n\n[scope.terraform]\nstates = [\"{}\", \"{}\"]\n",
        corpus_dir().join(EXPECTED[0]).display(),
        corpus_dir().join(EXPECTED[1]).display()
    );
    let mut c = Config::parse(&dir.path().join("driftgate.toml"), &text, (2026, 1, 1)).unwrap();
    crate::declared::terraform::source::fetch(&mut c)
        .await
        .unwrap();
    let aws = c.scopes[0].aws.as_ref().unwrap();
    assert_eq!(aws.route53_zones, ["foo-0.com", "foo-1.com"]);
    assert_eq!(aws.security_group_vpcs, ["vpc-618f6e09"]);
    assert!(aws.ecs_clusters.is_empty());
    let loaded = load_declared(&c, false).unwrap();
    assert_eq!(loaded.resources.len(), 13);
    assert_eq!(loaded.files.len(), 2);
    assert_eq!(loaded.files[0].why, "named in [scope.terraform] states");
}
