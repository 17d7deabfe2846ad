//! Firewall rules: one `firewall_rule` per effective rule, shared by the
//! providers and the declared-file readers so both sides flatten a security
//! group the same way.
//!
//! An AWS permission (protocol, ports, several peers) becomes one rule per
//! peer. A rule's id is its content, never a cloud-assigned rule id:
//!
//! `<vpc>/<group id>/<direction>/<protocol>/<ports>/<peer>`
//!
//! - direction: `ingress` or `egress`;
//! - protocol: `tcp`, `udp`, `icmp`, `icmpv6`, `all`, or the IP protocol number;
//! - ports: `443`, `1024-65535`, `any` (all protocols, or all ports);
//!   for ICMP `<type>:<code>` with `any` for -1 (`8:any`, `any`);
//! - peer: a canonical CIDR (`10.0.0.0/8`, `2001:db8::/32`), a prefix list
//!   (`pl-...`) or a security group (`sg-...`).
//!
//! Example: `vpc-0abc/sg-0123/ingress/tcp/443/0.0.0.0/0`.

use crate::{Kind, Resource};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The canonical protocol name of an `IpProtocol` value.
#[must_use]
pub fn protocol(p: &str) -> String {
    match p.trim().to_lowercase().as_str() {
        "-1" | "all" => "all".into(),
        "6" | "tcp" => "tcp".into(),
        "17" | "udp" => "udp".into(),
        "1" | "icmp" => "icmp".into(),
        "58" | "icmpv6" => "icmpv6".into(),
        other => other.into(),
    }
}

/// The canonical port text of a rule.
#[must_use]
pub fn ports(protocol: &str, from: Option<i64>, to: Option<i64>) -> String {
    let any = |v: Option<i64>| v.is_none_or(|n| n < 0);
    match protocol {
        "all" => "any".into(),
        "icmp" | "icmpv6" => {
            if any(from) {
                "any".into()
            } else {
                let code = if any(to) {
                    "any".into()
                } else {
                    to.unwrap_or(0).to_string()
                };
                format!("{}:{code}", from.unwrap_or(0))
            }
        }
        "tcp" | "udp" => match (from, to) {
            (None | Some(-1), _) => "any".into(),
            (Some(0), Some(65535)) => "any".into(),
            (Some(f), Some(t)) if f == t => f.to_string(),
            (Some(f), Some(t)) => format!("{f}-{t}"),
            (Some(f), None) => f.to_string(),
        },
        // Other protocols have no ports.
        _ => "any".into(),
    }
}

/// A CIDR in canonical form: host bits cleared, a bare address taken as a
/// single host (`1.1.1.1` is `1.1.1.1/32`).
///
/// # Errors
/// Text that is not an address or CIDR.
pub fn cidr(text: &str) -> Result<String, String> {
    let t = text.trim();
    let (addr, len) = match t.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (t, None),
    };
    let ip: IpAddr = addr.parse().map_err(|_| format!("`{t}` is not a CIDR"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len: u32 = match len {
        Some(l) => l
            .parse()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("`{t}` has a bad prefix length"))?,
        None => max,
    };
    Ok(match ip {
        IpAddr::V4(v4) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            format!("{}/{len}", Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            format!("{}/{len}", Ipv6Addr::from(u128::from(v6) & mask))
        }
    })
}

/// The id of one rule.
#[must_use]
pub fn rule_id(
    vpc: &str,
    group: &str,
    direction: &str,
    protocol: &str,
    ports: &str,
    peer: &str,
) -> String {
    format!("{vpc}/{group}/{direction}/{protocol}/{ports}/{peer}")
}

/// The five segments of a rule id before its peer, which say what the rule
/// opens; two rules that differ only in their peer share them.
#[must_use]
pub fn rule_key(id: &str) -> Option<&str> {
    let mut end = 0;
    for (n, (i, _)) in id.match_indices('/').enumerate() {
        if n == 4 {
            end = i;
            break;
        }
    }
    (end > 0).then(|| &id[..end])
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).or_else(|| {
        let mut c = key.chars();
        let first = c.next()?;
        let lower: String = first.to_lowercase().chain(c).collect();
        v.get(lower)
    })
}

fn list<'a>(v: &'a Value, key: &str) -> Vec<&'a Value> {
    get(v, key)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    get(v, key).and_then(Value::as_str)
}

fn int(v: &Value, key: &str) -> Option<i64> {
    match get(v, key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The rules of one security group in the shape `aws ec2
/// describe-security-groups` prints (`GroupId`, `VpcId`, `IpPermissions`,
/// `IpPermissionsEgress`; camelCase keys accepted too).
///
/// # Errors
/// A group without an id or VPC, a permission without a protocol, a bad CIDR.
pub fn rules_of_group(group: &Value) -> Result<Vec<Resource>, String> {
    let gid = text(group, "GroupId").ok_or("a security group has no `GroupId`")?;
    let vpc = text(group, "VpcId").ok_or_else(|| format!("security group {gid} has no `VpcId`"))?;
    let name = text(group, "GroupName").unwrap_or_default();
    let mut out = Vec::new();
    for (key, direction) in [
        ("IpPermissions", "ingress"),
        ("IpPermissionsEgress", "egress"),
    ] {
        for perm in list(group, key) {
            let proto = protocol(
                &get(perm, "IpProtocol")
                    .map(|p| match p {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .ok_or_else(|| format!("a permission of {gid} has no `IpProtocol`"))?,
            );
            let ports = ports(&proto, int(perm, "FromPort"), int(perm, "ToPort"));
            let mut peers: Vec<(String, String, Option<String>)> = Vec::new();
            for r in list(perm, "IpRanges") {
                let c = text(r, "CidrIp").ok_or("an IpRanges entry has no `CidrIp`")?;
                peers.push((
                    "cidr".into(),
                    cidr(c)?,
                    text(r, "Description").map(str::to_owned),
                ));
            }
            for r in list(perm, "Ipv6Ranges") {
                let c = text(r, "CidrIpv6").ok_or("an Ipv6Ranges entry has no `CidrIpv6`")?;
                peers.push((
                    "cidr".into(),
                    cidr(c)?,
                    text(r, "Description").map(str::to_owned),
                ));
            }
            for r in list(perm, "PrefixListIds") {
                let p =
                    text(r, "PrefixListId").ok_or("a PrefixListIds entry has no `PrefixListId`")?;
                peers.push((
                    "prefix_list".into(),
                    p.to_owned(),
                    text(r, "Description").map(str::to_owned),
                ));
            }
            for r in list(perm, "UserIdGroupPairs") {
                let g = text(r, "GroupId")
                    .or_else(|| text(r, "GroupName"))
                    .ok_or("a UserIdGroupPairs entry has no `GroupId`")?;
                peers.push((
                    "security_group".into(),
                    g.to_owned(),
                    text(r, "Description").map(str::to_owned),
                ));
            }
            for (peer_type, peer, description) in peers {
                let mut spec = json!({
                    "vpc": vpc, "groupId": gid, "groupName": name, "direction": direction,
                    "protocol": proto, "ports": ports, "peerType": peer_type, "peer": peer,
                });
                if let Some(d) = description.filter(|d| !d.is_empty()) {
                    spec["description"] = json!(d);
                }
                out.push(Resource {
                    kind: Kind::FirewallRule,
                    id: rule_id(vpc, gid, direction, &proto, &ports, &peer),
                    spec,
                });
            }
        }
    }
    Ok(out)
}

/// The id of a GCP firewall rule: `<project>:<network>/<name>`. A GCP rule
/// is a named resource (its name is the user's, not the cloud's), so it is
/// the unit; a changed source range shows as a changed field.
#[must_use]
pub fn gcp_rule_id(project: &str, network: &str, name: &str) -> String {
    format!("{project}:{network}/{name}")
}

/// The last segment of a network URL (`.../global/networks/default`).
#[must_use]
pub fn network_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = list(v, key)
        .iter()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One GCP firewall rule (the compute v1 `Firewall` shape, as `gcloud compute
/// firewall-rules describe --format=json` prints it) in canonical form.
/// `default_network` fills in a rule that names none.
///
/// # Errors
/// A rule without a name or network, or with a bad CIDR or port.
pub fn gcp_rule(
    project: &str,
    fw: &Value,
    default_network: Option<&str>,
) -> Result<Resource, String> {
    let name = text(fw, "name").ok_or("a firewall rule has no `name`")?;
    let network = text(fw, "network")
        .map(network_name)
        .or(default_network)
        .ok_or_else(|| format!("firewall rule `{name}` names no `network`"))?;
    let direction = text(fw, "direction").unwrap_or("INGRESS").to_uppercase();
    let priority = int(fw, "priority").unwrap_or(1000);
    let (action, entries) = match (get(fw, "allowed"), get(fw, "denied")) {
        (Some(a), None) => ("allow", a),
        (None, Some(d)) => ("deny", d),
        (Some(_), Some(_)) => {
            return Err(format!(
                "firewall rule `{name}` has both `allowed` and `denied`"
            ));
        }
        (None, None) => {
            return Err(format!(
                "firewall rule `{name}` has neither `allowed` nor `denied`"
            ));
        }
    };
    let mut rules = Vec::new();
    for e in entries
        .as_array()
        .ok_or_else(|| format!("`allowed`/`denied` of `{name}` must be a list"))?
    {
        let proto = protocol(
            text(e, "IPProtocol")
                .or_else(|| text(e, "ipProtocol"))
                .ok_or_else(|| format!("an entry of `{name}` has no `IPProtocol`"))?,
        );
        let mut ports = Vec::new();
        for p in list(e, "ports") {
            let t = match p {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let canon = match t.split_once('-') {
                Some((a, b)) => {
                    let (a, b): (i64, i64) = (
                        a.parse()
                            .map_err(|_| format!("`{t}` is not a port range"))?,
                        b.parse()
                            .map_err(|_| format!("`{t}` is not a port range"))?,
                    );
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a}-{b}")
                    }
                }
                None => t
                    .parse::<i64>()
                    .map_err(|_| format!("`{t}` is not a port"))?
                    .to_string(),
            };
            ports.push(canon);
        }
        ports.sort();
        ports.dedup();
        rules.push(if ports.is_empty() {
            json!({"protocol": proto})
        } else {
            json!({"protocol": proto, "ports": ports})
        });
    }
    rules.sort_by_key(ToString::to_string);
    let cidrs = |key: &str| -> Result<Vec<String>, String> {
        let mut out = strings(fw, key)
            .iter()
            .map(|c| cidr(c))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort();
        out.dedup();
        Ok(out)
    };
    let mut spec = json!({
        "project": project, "network": network, "name": name, "direction": direction,
        "priority": priority, "action": action, "rules": rules,
    });
    for (key, values) in [
        ("sourceRanges", cidrs("sourceRanges")?),
        ("destinationRanges", cidrs("destinationRanges")?),
        ("sourceTags", strings(fw, "sourceTags")),
        ("targetTags", strings(fw, "targetTags")),
        (
            "sourceServiceAccounts",
            strings(fw, "sourceServiceAccounts"),
        ),
        (
            "targetServiceAccounts",
            strings(fw, "targetServiceAccounts"),
        ),
    ] {
        if !values.is_empty() {
            spec[key] = json!(values);
        }
    }
    if get(fw, "disabled").and_then(Value::as_bool) == Some(true) {
        spec["disabled"] = json!(true);
    }
    if let Some(d) = text(fw, "description").filter(|d| !d.is_empty()) {
        spec["description"] = json!(d);
    }
    if get(fw, "logConfig")
        .and_then(|l| l.get("enable"))
        .and_then(Value::as_bool)
        == Some(true)
    {
        spec["logging"] = json!(true);
    }
    Ok(Resource {
        kind: Kind::FirewallRule,
        id: gcp_rule_id(project, network, name),
        spec,
    })
}

/// Whether a rule is the egress allow-all rule AWS gives every new group.
#[must_use]
pub fn is_default_egress(id: &str) -> bool {
    id.ends_with("/egress/all/any/0.0.0.0/0")
}

/// The id of an Azure network security group rule:
/// `<resource group>:<group>/<rule>`. A rule is a named resource, like a
/// GCP rule: a changed port shows as a changed field.
#[must_use]
pub fn azure_rule_id(resource_group: &str, nsg: &str, name: &str) -> String {
    format!("{resource_group}:{nsg}/{name}")
}

/// The rules Azure adds to every network security group (priorities
/// 65000-65500); the provider's, not drift unless declared.
pub const AZURE_DEFAULT_RULES: &[&str] = &[
    "AllowVnetInBound",
    "AllowAzureLoadBalancerInBound",
    "DenyAllInBound",
    "AllowVnetOutBound",
    "AllowInternetOutBound",
    "DenyAllOutBound",
];

/// Whether a rule id names one of Azure's default rules.
#[must_use]
pub fn is_azure_default_rule(id: &str) -> bool {
    id.contains(':')
        && id
            .rsplit_once('/')
            .is_some_and(|(_, n)| AZURE_DEFAULT_RULES.contains(&n))
}

/// An address prefix: a CIDR (or address) in canonical form, `*` and
/// service tags (`Internet`, `Storage.WestUS`) as written (the kind
/// compares tags without regard to case, as Azure reads them).
fn azure_prefix(p: &str) -> String {
    let p = p.trim();
    if p == "*" {
        return "*".into();
    }
    cidr(p).unwrap_or_else(|_| p.to_owned())
}

/// One Azure security rule (the Network REST API's `SecurityRule`, with its
/// `properties`, or `az network nsg` output, whose rules are flattened) in
/// canonical form. Singular and plural fields (`sourcePortRange`,
/// `sourcePortRanges`) are one list; lists are sets; `*` ports and
/// prefixes stay `*`.
///
/// # Errors
/// A rule without a name, priority, direction, access or protocol.
pub fn azure_rule(resource_group: &str, nsg: &str, rule: &Value) -> Result<Resource, String> {
    let name = text(rule, "name").ok_or("a security rule has no `name`")?;
    let p = get(rule, "properties")
        .filter(|p| p.is_object())
        .unwrap_or(rule);
    let word = |key: &str| -> Result<String, String> {
        text(p, key)
            .map(str::to_lowercase)
            .ok_or_else(|| format!("security rule `{name}` has no `{key}`"))
    };
    let priority =
        int(p, "priority").ok_or_else(|| format!("security rule `{name}` has no `priority`"))?;
    let protocol = match word("protocol")?.as_str() {
        "*" => "any".to_owned(),
        other => other.to_owned(),
    };
    let mut spec = json!({
        "resourceGroup": resource_group, "nsg": nsg, "name": name,
        "priority": priority, "direction": word("direction")?, "access": word("access")?,
        "protocol": protocol,
    });
    // The API's singular and plural fields, and driftgate's own name.
    let pair = |one: &str, many: &str, own: &str, f: &dyn Fn(&str) -> String| -> Vec<String> {
        // Ports may be written as numbers (`443`) in YAML.
        let all = |k: &str| -> Vec<String> {
            list(p, k)
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        };
        let mut out: Vec<String> = text(p, one)
            .map(str::to_owned)
            .or_else(|| int(p, one).map(|n| n.to_string()))
            .into_iter()
            .chain(all(many))
            .chain(all(own))
            .filter(|s| !s.is_empty())
            .map(|s| f(&s))
            .collect();
        out.sort();
        out.dedup();
        out
    };
    let port = |s: &str| s.trim().to_owned();
    for (one, many, key, f) in [
        (
            "sourcePortRange",
            "sourcePortRanges",
            "sourcePorts",
            &port as &dyn Fn(&str) -> String,
        ),
        (
            "destinationPortRange",
            "destinationPortRanges",
            "destinationPorts",
            &port,
        ),
        (
            "sourceAddressPrefix",
            "sourceAddressPrefixes",
            "sources",
            &azure_prefix,
        ),
        (
            "destinationAddressPrefix",
            "destinationAddressPrefixes",
            "destinations",
            &azure_prefix,
        ),
    ] {
        let v = pair(one, many, key, f);
        if !v.is_empty() {
            spec[key] = json!(v);
        }
    }
    for (key, out_key) in [
        (
            "sourceApplicationSecurityGroups",
            "sourceApplicationSecurityGroups",
        ),
        (
            "destinationApplicationSecurityGroups",
            "destinationApplicationSecurityGroups",
        ),
    ] {
        let mut ids: Vec<String> = list(p, key)
            .iter()
            .filter_map(|g| g.get("id").and_then(Value::as_str).or_else(|| g.as_str()))
            .map(str::to_lowercase)
            .collect();
        ids.sort();
        ids.dedup();
        if !ids.is_empty() {
            spec[out_key] = json!(ids);
        }
    }
    // What the API fills in: any port, and any address where no
    // application security group stands instead.
    for (key, asgs) in [
        ("sourcePorts", None),
        ("destinationPorts", None),
        ("sources", Some("sourceApplicationSecurityGroups")),
        ("destinations", Some("destinationApplicationSecurityGroups")),
    ] {
        if spec.get(key).is_none() && asgs.is_none_or(|a| spec.get(a).is_none()) {
            spec[key] = json!(["*"]);
        }
    }
    if let Some(d) = text(p, "description").filter(|d| !d.is_empty()) {
        spec["description"] = json!(d);
    }
    Ok(Resource {
        kind: Kind::FirewallRule,
        id: azure_rule_id(resource_group, nsg, name),
        spec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_rules_merge_singular_and_plural_fields() {
        let rest = json!({"name": "allow-web", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow",
            "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRanges": ["443", "80"], "destinationPortRange": "",
            "sourceAddressPrefix": "Internet", "destinationAddressPrefixes": ["10.0.1.7/24"], "description": "web"}});
        let cli = json!({"name": "allow-web", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
            "sourcePortRanges": ["*"], "destinationPortRanges": ["80", "443"], "sourceAddressPrefixes": ["internet"],
            "destinationAddressPrefix": "10.0.1.0/24", "description": "web"});
        let a = azure_rule("net", "web-nsg", &rest).unwrap();
        let b = azure_rule("net", "web-nsg", &cli).unwrap();
        assert_eq!(a.spec, {
            let mut b = b.spec.clone();
            b["sources"] = json!(["Internet"]);
            b
        });
        assert_eq!(a.id, "net:web-nsg/allow-web");
        assert_eq!(a.spec["destinations"], json!(["10.0.1.0/24"]));
        assert_eq!(b.spec["sources"], json!(["internet"]));
        assert!(is_azure_default_rule("net:web-nsg/DenyAllInBound"));
        assert!(!is_azure_default_rule(
            "vpc-1/sg-1/ingress/tcp/443/0.0.0.0/0"
        ));
    }

    #[test]
    fn canonical_parts() {
        assert_eq!(protocol("-1"), "all");
        assert_eq!(protocol("6"), "tcp");
        assert_eq!(protocol("58"), "icmpv6");
        assert_eq!(ports("tcp", Some(443), Some(443)), "443");
        assert_eq!(ports("tcp", Some(1024), Some(65535)), "1024-65535");
        assert_eq!(ports("tcp", Some(0), Some(65535)), "any");
        assert_eq!(
            ports("all", Some(22), Some(22)),
            "any",
            "ports mean nothing for all protocols"
        );
        assert_eq!(ports("icmp", Some(8), Some(-1)), "8:any");
        assert_eq!(ports("icmp", Some(-1), Some(-1)), "any");
        assert_eq!(ports("icmp", Some(15), Some(-1)), "15:any");
        assert_eq!(cidr("10.1.2.3/8").unwrap(), "10.0.0.0/8");
        assert_eq!(cidr("1.1.1.1").unwrap(), "1.1.1.1/32");
        assert_eq!(cidr("2001:DB8::1/32").unwrap(), "2001:db8::/32");
        assert!(cidr("10.0.0.0/33").is_err());
        assert!(cidr("ten").is_err());
    }

    #[test]
    fn gcp_rules_in_canonical_form() {
        let fw = json!({"name": "allow-web", "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/default",
            "allowed": [{"IPProtocol": "tcp", "ports": ["443", "80", "21-25"]}, {"IPProtocol": "icmp"}],
            "sourceRanges": ["1.1.1.1", "10.0.0.1/8"], "targetTags": ["web"], "logConfig": {"enable": true}});
        let r = gcp_rule("p", &fw, None).unwrap();
        assert_eq!(r.id, "p:default/allow-web");
        assert_eq!(r.spec["direction"], "INGRESS");
        assert_eq!(r.spec["priority"], 1000);
        assert_eq!(
            r.spec["rules"],
            json!([{"protocol": "icmp"}, {"protocol": "tcp", "ports": ["21-25", "443", "80"]}])
        );
        assert_eq!(r.spec["sourceRanges"], json!(["1.1.1.1/32", "10.0.0.0/8"]));
        assert_eq!(r.spec["logging"], true);
        assert!(
            gcp_rule("p", &json!({"name": "x", "allowed": []}), None)
                .unwrap_err()
                .contains("no `network`")
        );
        assert_eq!(
            gcp_rule("p", &json!({"name": "x", "allowed": []}), Some("default"))
                .unwrap()
                .id,
            "p:default/x"
        );
    }

    #[test]
    fn one_permission_with_several_peers_is_several_rules() {
        let g = json!({"GroupId": "sg-1", "VpcId": "vpc-1", "GroupName": "web",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.1/8", "Description": "office"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}], "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "1"}],
                "PrefixListIds": [{"PrefixListId": "pl-1"}]}],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]});
        let rules = rules_of_group(&g).unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "vpc-1/sg-1/ingress/tcp/443/0.0.0.0/0",
                "vpc-1/sg-1/ingress/tcp/443/10.0.0.0/8",
                "vpc-1/sg-1/ingress/tcp/443/::/0",
                "vpc-1/sg-1/ingress/tcp/443/pl-1",
                "vpc-1/sg-1/ingress/tcp/443/sg-2",
                "vpc-1/sg-1/egress/all/any/0.0.0.0/0",
            ]
        );
        assert_eq!(rules[1].spec["description"], "office");
        assert!(is_default_egress(ids[5]));
        assert_eq!(rule_key(ids[1]), Some("vpc-1/sg-1/ingress/tcp/443"));
    }
}
