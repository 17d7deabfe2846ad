//! Security group declared files.
//!
//! Native YAML, one file per group:
//!
//! ```yaml
//! kind: security_group
//! vpc: vpc-0abc
//! groupId: sg-0123
//! groupName: web
//! ingress:
//!   - {protocol: tcp, ports: 443, cidrs: [0.0.0.0/0, "::/0"], description: https}
//!   - {protocol: tcp, ports: 8000-8080, groups: [sg-0456]}
//!   - {protocol: icmp, ports: "8:any", cidrs: [10.0.0.0/8]}
//! egress:
//!   - {protocol: all, cidrs: [0.0.0.0/0]}
//! ```
//!
//! and the JSON `aws ec2 describe-security-groups` prints
//! (`{"SecurityGroups": [...]}`, also inside a recorded-response wrapper
//! `{"data": {...}}`). Either way each peer of each entry is one rule.

pub mod azure;
pub mod gcp;
pub mod terraform;

use crate::declared::DeclaredRecord;
use crate::declared::Document;
use crate::declared::locate::Cursor;
use crate::error::InputError;
use driftgate_model::firewall::{cidr, protocol, rule_id, rules_of_group};
use driftgate_model::{Kind, Resource};
use serde_json::{Value, json};

/// Whether a JSON document is `describe-security-groups` output.
#[must_use]
pub fn is_describe_output(v: &Value) -> bool {
    v.get("SecurityGroups").is_some() || v.pointer("/data/SecurityGroups").is_some()
}

fn check_vpc(
    doc: &Document,
    vpc: &str,
    vpcs: &[String],
    keys: &[String],
) -> Result<(), InputError> {
    if vpcs.iter().any(|v| v == vpc) {
        Ok(())
    } else {
        Err(doc.error_at(
            keys,
            format!(
                "VPC `{vpc}` is not in this scope's security_group_vpcs ({})",
                if vpcs.is_empty() {
                    "none".to_owned()
                } else {
                    vpcs.join(", ")
                }
            ),
        ))
    }
}

/// Reads `describe-security-groups` JSON.
///
/// # Errors
/// A group of a VPC out of scope, or one that does not flatten.
pub fn read_describe(doc: &Document, vpcs: &[String]) -> Result<Vec<DeclaredRecord>, InputError> {
    let groups = doc
        .value
        .get("SecurityGroups")
        .or_else(|| doc.value.pointer("/data/SecurityGroups"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            doc.error_at(
                &["SecurityGroups".into()],
                "`SecurityGroups` must be a list",
            )
        })?;
    let mut out = Vec::new();
    let mut cursor = Cursor::new(&doc.text);
    for g in groups {
        let gid = g
            .get("GroupId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let line = cursor.seek(std::slice::from_ref(&gid));
        let here = |msg: String| InputError::new(&doc.path, line, 1, msg);
        let vpc = g.get("VpcId").and_then(Value::as_str).ok_or_else(|| {
            here(format!(
                "security group `{gid}` has no `VpcId` (EC2-Classic groups are not supported)"
            ))
        })?;
        check_vpc(doc, vpc, vpcs, std::slice::from_ref(&gid))?;
        for resource in rules_of_group(g).map_err(here)? {
            out.push(DeclaredRecord {
                compact: None,
                address: None,
                resource,
                at: format!("{}:{line}", doc.shown),
            });
        }
    }
    Ok(out)
}

const ENTRY_KEYS: &[&str] = &[
    "protocol",
    "ports",
    "cidrs",
    "prefixLists",
    "groups",
    "description",
];

/// Canonical ports from what a native file says.
fn ports_of(proto: &str, v: Option<&Value>) -> Result<String, String> {
    let text = match v {
        None | Some(Value::Null) => return Ok("any".into()),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_lowercase(),
        Some(other) => return Err(format!("`ports` must be a number or text, not {other}")),
    };
    let num = |s: &str, max: i64| {
        s.parse::<i64>()
            .ok()
            .filter(|n| (0..=max).contains(n))
            .ok_or_else(|| format!("`{s}` is not a port"))
    };
    match proto {
        "all" => {
            if text == "any" {
                Ok(text)
            } else {
                Err("protocol `all` has no ports: leave `ports` out".into())
            }
        }
        "icmp" | "icmpv6" => {
            if text == "any" {
                return Ok(text);
            }
            let (t, c) = text.split_once(':').unwrap_or((text.as_str(), "any"));
            let t = num(t, 255)?;
            let c = if c == "any" {
                "any".to_owned()
            } else {
                num(c, 255)?.to_string()
            };
            Ok(format!("{t}:{c}"))
        }
        "tcp" | "udp" => {
            if text == "any" {
                return Ok(text);
            }
            let (a, b) = match text.split_once('-') {
                Some((a, b)) => (num(a, 65535)?, num(b, 65535)?),
                None => {
                    let n = num(&text, 65535)?;
                    (n, n)
                }
            };
            if a > b {
                return Err(format!("port range `{text}` runs backwards"));
            }
            Ok(driftgate_model::firewall::ports(proto, Some(a), Some(b)))
        }
        _ => Ok("any".into()),
    }
}

/// Reads a native `kind: security_group` file.
///
/// # Errors
/// Unknown keys, missing ids, bad protocols, ports or CIDRs, a VPC out of scope.
pub fn read_native(doc: &Document, vpcs: &[String]) -> Result<Vec<DeclaredRecord>, InputError> {
    let obj = doc.value.as_object().expect("a kind: file is an object");
    for k in obj.keys() {
        if !["kind", "vpc", "groupId", "groupName", "ingress", "egress"].contains(&k.as_str()) {
            return Err(doc.error_at(std::slice::from_ref(k), format!("unknown field `{k}`, expected one of `vpc`, `groupId`, `groupName`, `ingress`, `egress`")));
        }
    }
    let field = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| doc.error_at(&[], format!("a security_group file needs `{k}`")))
    };
    let vpc = field("vpc")?;
    let gid = field("groupId")?;
    let name = obj
        .get("groupName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    check_vpc(doc, vpc, vpcs, &["vpc".into()])?;
    let mut out = Vec::new();
    let mut cursor = Cursor::new(&doc.text);
    for direction in ["ingress", "egress"] {
        let Some(entries) = obj.get(direction) else {
            continue;
        };
        let entries = entries.as_array().ok_or_else(|| {
            doc.error_at(&[direction.into()], format!("`{direction}` must be a list"))
        })?;
        let line = cursor.seek(&[direction.into()]);
        // Each entry's own line: block entries span several lines.
        let items = crate::declared::locate::item_lines(&doc.text, line);
        for (i, e) in entries.iter().enumerate() {
            let entry_line = items.get(i).copied().unwrap_or(line);
            let at = format!("{}:{entry_line}", doc.shown);
            let here = |msg: String| InputError::new(&doc.path, entry_line, 1, msg);
            let e = e
                .as_object()
                .ok_or_else(|| here(format!("{direction} entry {} is not a mapping", i + 1)))?;
            if let Some(k) = e.keys().find(|k| !ENTRY_KEYS.contains(&k.as_str())) {
                return Err(here(format!(
                    "unknown field `{k}` in a rule, expected one of {}",
                    ENTRY_KEYS.join(", ")
                )));
            }
            let proto_text = match e.get("protocol") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => {
                    return Err(here(
                        "a rule needs `protocol` (tcp, udp, icmp, icmpv6, all or a number)".into(),
                    ));
                }
            };
            let proto = protocol(&proto_text);
            let ports = ports_of(&proto, e.get("ports")).map_err(here)?;
            let list = |k: &str| -> Result<Vec<String>, InputError> {
                match e.get(k) {
                    None => Ok(Vec::new()),
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_owned)
                                .ok_or_else(|| here(format!("`{k}` must be a list of text")))
                        })
                        .collect(),
                    Some(_) => Err(here(format!("`{k}` must be a list"))),
                }
            };
            let mut peers: Vec<(&str, String)> = Vec::new();
            for c in list("cidrs")? {
                peers.push(("cidr", cidr(&c).map_err(here)?));
            }
            for p in list("prefixLists")? {
                peers.push(("prefix_list", p));
            }
            for g in list("groups")? {
                peers.push(("security_group", g));
            }
            if peers.is_empty() {
                return Err(here(
                    "a rule needs at least one of `cidrs`, `prefixLists`, `groups`".into(),
                ));
            }
            for (peer_type, peer) in peers {
                let mut spec = json!({"vpc": vpc, "groupId": gid, "groupName": name, "direction": direction,
                    "protocol": proto, "ports": ports, "peerType": peer_type, "peer": peer});
                if let Some(d) = e
                    .get("description")
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                {
                    spec["description"] = json!(d);
                }
                out.push(DeclaredRecord {
                    compact: None,
                    address: None,
                    resource: Resource {
                        kind: Kind::FirewallRule,
                        id: rule_id(vpc, gid, direction, &proto, &ports, &peer),
                        spec,
                    },
                    at: at.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// The native YAML of one group's live rules, one entry per rule.
#[must_use]
pub fn native_yaml(rules: &[&Resource]) -> String {
    let first = &rules[0].spec;
    let mut doc = serde_json::Map::new();
    doc.insert("kind".into(), json!("security_group"));
    doc.insert("vpc".into(), first["vpc"].clone());
    doc.insert("groupId".into(), first["groupId"].clone());
    if first["groupName"].as_str().is_some_and(|n| !n.is_empty()) {
        doc.insert("groupName".into(), first["groupName"].clone());
    }
    for direction in ["ingress", "egress"] {
        let entries: Vec<Value> = rules
            .iter()
            .filter(|r| r.spec["direction"] == direction)
            .map(|r| native_entry(&r.spec))
            .collect();
        if !entries.is_empty() {
            doc.insert(direction.into(), Value::Array(entries));
        }
    }
    format!(
        "# Imported by `driftgate import` from live state.\n{}",
        serde_yaml_ng::to_string(&Value::Object(doc)).unwrap_or_default()
    )
}

/// One rule as an entry of a native group file's `ingress:`/`egress:`.
#[must_use]
pub fn native_entry(s: &Value) -> Value {
    let mut e = serde_json::Map::new();
    e.insert("protocol".into(), s["protocol"].clone());
    if s["ports"] != "any" {
        e.insert("ports".into(), s["ports"].clone());
    }
    let key = match s["peerType"].as_str() {
        Some("prefix_list") => "prefixLists",
        Some("security_group") => "groups",
        _ => "cidrs",
    };
    e.insert(key.into(), json!([s["peer"]]));
    if let Some(d) = s.get("description") {
        e.insert("description".into(), d.clone());
    }
    Value::Object(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn doc(name: &str, text: &str) -> Document {
        let path = PathBuf::from(format!("infra/{name}"));
        let value = if name.ends_with(".json") {
            serde_json::from_str(text).unwrap()
        } else {
            crate::declared::parse_yaml(&path, text).unwrap()
        };
        Document {
            path,
            shown: format!("infra/{name}"),
            text: text.into(),
            value,
        }
    }

    #[test]
    fn native_entries_flatten_like_the_api_shape() {
        let native = doc(
            "web.yaml",
            "kind: security_group\nvpc: vpc-1\ngroupId: sg-1\ningress:\n  - {protocol: tcp, ports: 443, cidrs: [0.0.0.0/0, '::/0'], description: https}\n  - {protocol: '6', ports: 8000-8080, groups: [sg-2]}\n  - {protocol: icmp, ports: '8:any', cidrs: [10.1.0.0/16]}\negress:\n  - {protocol: all, cidrs: [0.0.0.0/0]}\n",
        );
        let api = doc(
            "sgs.json",
            r#"{"SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1",
            "IpPermissions": [
              {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}], "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "https"}]},
              {"IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": "sg-2"}]},
              {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}"#,
        );
        let vpcs = vec!["vpc-1".to_owned()];
        let mut a: Vec<(String, Value)> = read_native(&native, &vpcs)
            .unwrap()
            .into_iter()
            .map(|d| (d.resource.id, d.resource.spec["description"].clone()))
            .collect();
        let mut b: Vec<(String, Value)> = read_describe(&api, &vpcs)
            .unwrap()
            .into_iter()
            .map(|d| (d.resource.id, d.resource.spec["description"].clone()))
            .collect();
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(a, b);
        assert_eq!(a.len(), 5);
    }

    #[test]
    fn block_entries_are_placed_at_their_own_line() {
        let d = doc(
            "web.yaml",
            "kind: security_group\nvpc: vpc-1\ngroupId: sg-1\ningress:\n- protocol: tcp\n  ports: '443'\n  cidrs:\n  - 0.0.0.0/0\n- protocol: tcp\n  ports: '22'\n  cidrs:\n  - 10.0.0.0/8\n",
        );
        let r = read_native(&d, &["vpc-1".to_owned()]).unwrap();
        let at: Vec<&str> = r.iter().map(|x| x.at.as_str()).collect();
        assert_eq!(at, vec!["infra/web.yaml:5", "infra/web.yaml:9"]);
    }

    #[test]
    fn groups_by_name_stay_names_until_resolved_against_live() {
        let d = doc(
            "db.yaml",
            "kind: security_group\nvpc: vpc-1\ngroupId: sg-9\ningress:\n  - {protocol: tcp, ports: 5432, groups: [web]}\n",
        );
        let r = read_native(&d, &["vpc-1".into()]).unwrap();
        assert_eq!(r[0].resource.id, "vpc-1/sg-9/ingress/tcp/5432/web");
    }

    #[test]
    fn bad_rules_name_their_line() {
        let d = doc(
            "web.yaml",
            "kind: security_group\nvpc: vpc-1\ngroupId: sg-1\ningress:\n  - {protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}\n  - {protocol: tcp, ports: 70000, cidrs: [0.0.0.0/0]}\n",
        );
        let e = read_native(&d, &["vpc-1".into()]).unwrap_err();
        assert_eq!(e.line, 6);
        assert!(e.message.contains("`70000` is not a port"), "{e}");
        let d = doc(
            "web.yaml",
            "kind: security_group\nvpc: vpc-1\ngroupId: sg-1\ningress:\n  - {protocol: tcp, ports: 22, cidrs: [10.0.0.0/33]}\n",
        );
        assert!(
            read_native(&d, &["vpc-1".into()])
                .unwrap_err()
                .message
                .contains("bad prefix length")
        );
        let d = doc(
            "web.yaml",
            "kind: security_group\nvpc: vpc-9\ngroupId: sg-1\n",
        );
        assert!(
            read_native(&d, &["vpc-1".into()])
                .unwrap_err()
                .message
                .contains("VPC `vpc-9` is not in this scope")
        );
    }
}
