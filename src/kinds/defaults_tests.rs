//! Every row of the defaults table is behaviour, tested here: a field the
//! cloud fills in counts as absent, a field compared only where declared is
//! not compared when the declaration leaves it out. The README lists every
//! row (checked below).

use super::rules;
use crate::normalize::Mode;
use driftgate_model::Kind;
use serde_json::{Value, json};

/// `{"a": {"b": [{"name": "x", "containerPort": 80, "c": value}]}}` for the
/// path `a.b[].c`: each list item named so keyed lists accept it.
fn at_path(path: &str, value: Value) -> Value {
    let mut segs: Vec<&str> = path.split('.').collect();
    let last = segs.pop().expect("a path has a field");
    let mut v = json!({ last: value });
    for seg in segs.iter().rev() {
        v = match seg.strip_suffix("[]") {
            Some(name) => {
                let mut item = v;
                // Whichever field names the items of this list.
                for key in ["name", "capacityProvider", "containerName", "namespace"] {
                    item[key] = json!("x");
                }
                item["containerPort"] = json!(80);
                json!({ name: [item] })
            }
            None => json!({ *seg: v }),
        };
    }
    v
}

fn other_than(default: &str) -> Value {
    if let Ok(i) = default.parse::<i64>() {
        json!(i + 1)
    } else if let Ok(b) = default.parse::<bool>() {
        json!(!b)
    } else {
        json!(format!("{default}-other"))
    }
}

fn parsed(default: &str) -> Value {
    if let Ok(i) = default.parse::<i64>() {
        json!(i)
    } else if let Ok(b) = default.parse::<bool>() {
        json!(b)
    } else {
        json!(default)
    }
}

#[test]
fn every_ecs_default_counts_as_absent_and_a_other_value_does_not() {
    let rows = rules(Kind::EcsService).defaults();
    assert!(rows.len() > 30, "the audit found more than this: {rows:?}");
    let mut tested = 0;
    for row in rows {
        let Some(value) = &row.value else { continue };
        // Rows whose default depends on another field are tested in
        // ecs_service::normalize (contextual defaults).
        if value.contains(' ') || row.path.ends_with("hostPort") {
            continue;
        }
        let norm =
            |v: &Value| crate::kinds::ecs_service::normalize::normalize(v, Mode::Lenient).unwrap();
        let with_default = norm(&at_path(&row.path, parsed(value)));
        let absent = norm(&at_path(&row.path, Value::Null));
        assert_eq!(
            with_default, absent,
            "{}: {value} should count as absent",
            row.path
        );
        let other = norm(&at_path(&row.path, other_than(value)));
        assert_ne!(
            other, absent,
            "{}: a value other than {value} must count",
            row.path
        );
        tested += 1;
    }
    assert!(tested > 25, "{tested}");
}

#[test]
fn the_defaults_found_in_real_repositories_are_rows() {
    let rows = rules(Kind::EcsService).defaults();
    let has =
        |p: &str, v: Option<&str>| rows.iter().any(|r| r.path == p && r.value.as_deref() == v);
    assert!(has(
        "taskDefinition.volumes[].efsVolumeConfiguration.rootDirectory",
        Some("/")
    ));
    assert!(has(
        "taskDefinition.volumes[].efsVolumeConfiguration.transitEncryption",
        Some("DISABLED")
    ));
    assert!(has(
        "networkConfiguration.awsvpcConfiguration.securityGroups",
        None
    ));
    assert!(has("desiredCount", None));
}

#[test]
fn declared_only_fields_are_not_compared_when_left_out() {
    use crate::diff::compare;
    for (kind, declared, live) in [
        (
            Kind::EcsService,
            json!({"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}),
            json!({"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-default"]}}}),
        ),
        (
            Kind::DnsRecord,
            json!({"zone": "example.com", "name": "www.example.com", "type": "A", "alias": {"dnsName": "example.com."}}),
            json!({"zone": "example.com", "name": "www.example.com", "type": "A", "alias": {"dnsName": "example.com.", "hostedZoneId": "Z123", "evaluateTargetHealth": false}}),
        ),
    ] {
        let r = rules(kind);
        let d = r.normalize(&declared, Mode::Strict).unwrap();
        let l = r.normalize(&live, Mode::Lenient).unwrap();
        let mut changes = Vec::new();
        compare(Some(&d), Some(&l), "", &mut changes);
        changes.retain(|c| !(c.declared.is_null() && r.declared_only(&c.path)));
        assert!(changes.is_empty(), "{kind}: {changes:?}");
    }
}

#[test]
fn gcp_rules_fill_in_priority_direction_logging_and_disabled() {
    let bare = json!({"name": "allow-ssh", "network": "global/networks/default", "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}], "sourceRanges": ["0.0.0.0/0"]});
    let full = json!({"name": "allow-ssh", "network": "global/networks/default", "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}], "sourceRanges": ["0.0.0.0/0"],
                      "priority": 1000, "direction": "INGRESS", "logConfig": {"enable": false}, "disabled": false});
    let a = driftgate_model::firewall::gcp_rule("p", &bare, None).unwrap();
    let b = driftgate_model::firewall::gcp_rule("p", &full, None).unwrap();
    assert_eq!(a.spec, b.spec);
}

#[test]
fn azure_rules_fill_in_any_ports_and_addresses_and_the_default_rules_are_azures() {
    let bare = json!({"name": "allow-https", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destinationPorts": [443]});
    let full = json!({"name": "allow-https", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourcePortRange": "*", "destinationPortRange": "443", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*"}});
    let a = driftgate_model::firewall::azure_rule("net", "web", &bare).unwrap();
    let b = driftgate_model::firewall::azure_rule("net", "web", &full).unwrap();
    assert_eq!(a.spec, b.spec);
    let r = rules(Kind::FirewallRule);
    assert!(r.provider_owned("net:web/DenyAllInBound"));
    assert!(r.provider_owned("net:web/AllowInternetOutBound"));
    assert!(!r.provider_owned("net:web/allow-https"));
}

#[test]
fn the_readme_lists_every_row() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for kind in [Kind::EcsService, Kind::DnsRecord, Kind::FirewallRule] {
        for row in rules(kind).defaults() {
            let cell = format!("| `{kind}` | `{}` |", row.path);
            assert!(readme.contains(&cell), "README lacks the row {cell}");
        }
    }
}
