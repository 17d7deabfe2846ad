//! Reverting a firewall rule: `aws ec2 authorize/revoke-security-group-*`
//! for security groups, compute v1 calls (`curl`, `gcloud`) for GCP rules,
//! `az network nsg rule` for Azure network security group rules.

use crate::config::Scope;
use crate::suggest::{aws_flags, compact, sh};
use driftgate_model::{Finding, Resource, State, Suggestion};
use serde_json::{Map, Value, json};

/// `aws ec2 ... --ip-permissions` of one rule's spec.
pub(crate) fn ip_permissions(spec: &Value) -> Value {
    let proto = spec["protocol"].as_str().unwrap_or("all");
    let ports = spec["ports"].as_str().unwrap_or("any");
    let (from, to): (i64, i64) = match (proto, ports) {
        ("all", _) => (-1, -1),
        ("icmp" | "icmpv6", "any") => (-1, -1),
        ("icmp" | "icmpv6", p) => {
            let (t, c) = p.split_once(':').unwrap_or((p, "any"));
            (t.parse().unwrap_or(-1), c.parse().unwrap_or(-1))
        }
        (_, "any") => (0, 65535),
        (_, p) => {
            let (a, b) = p.split_once('-').unwrap_or((p, p));
            (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
        }
    };
    let peer = spec["peer"].as_str().unwrap_or_default();
    let mut entry = Map::new();
    if let Some(d) = spec.get("description") {
        entry.insert("Description".into(), d.clone());
    }
    let (key, id_key) = match spec["peerType"].as_str().unwrap_or_default() {
        "security_group" => ("UserIdGroupPairs", "GroupId"),
        "prefix_list" => ("PrefixListIds", "PrefixListId"),
        _ if peer.contains(':') => ("Ipv6Ranges", "CidrIpv6"),
        _ => ("IpRanges", "CidrIp"),
    };
    entry.insert(id_key.into(), json!(peer));
    let mut perm = Map::new();
    perm.insert(
        "IpProtocol".into(),
        json!(if proto == "all" { "-1" } else { proto }),
    );
    if proto != "all" {
        perm.insert("FromPort".into(), json!(from));
        perm.insert("ToPort".into(), json!(to));
    }
    perm.insert(key.into(), json!([Value::Object(entry)]));
    json!([Value::Object(perm)])
}

pub(crate) fn security_group(
    f: &Finding,
    scope: &Scope,
    decl: Option<&Resource>,
    live: Option<&Resource>,
    s: &mut Suggestion,
) {
    let flags = aws_flags(scope, &f.id, true);
    let cmd = |verb: &str, spec: &Value| {
        let dir = if spec["direction"] == "egress" {
            "egress"
        } else {
            "ingress"
        };
        format!(
            "aws ec2 {verb}-security-group-{dir}{flags} --group-id {} --ip-permissions {}",
            sh(spec["groupId"].as_str().unwrap_or_default()),
            compact(&ip_permissions(spec))
        )
    };
    // A changed rule was paired with a live rule of another id (its peer
    // edited): the live rule is the declared one with the changes applied.
    let paired = match (f.state, live, decl) {
        (State::Changed, None, Some(d)) => {
            let mut spec = d.spec.clone();
            for c in &f.changes {
                spec[c.path.as_str()] = c.live.clone();
            }
            Some(spec)
        }
        _ => None,
    };
    if matches!(f.state, State::Unmanaged | State::Changed)
        && let Some(l) = paired.as_ref().or(live.map(|l| &l.spec))
    {
        s.revert.push(cmd("revoke", l));
    }
    if matches!(f.state, State::Missing | State::Changed)
        && let Some(d) = decl
    {
        s.revert.push(cmd("authorize", &d.spec));
    }
}

/// A GCP rule's spec as the compute v1 `Firewall` body.
pub(crate) fn gcp_body(spec: &Value) -> Value {
    let project = spec["project"].as_str().unwrap_or_default();
    let network = spec["network"].as_str().unwrap_or_default();
    let mut m = Map::new();
    m.insert("name".into(), spec["name"].clone());
    m.insert(
        "network".into(),
        json!(format!("projects/{project}/global/networks/{network}")),
    );
    m.insert(
        "direction".into(),
        json!(
            spec["direction"]
                .as_str()
                .unwrap_or("INGRESS")
                .to_uppercase()
        ),
    );
    m.insert("priority".into(), spec["priority"].clone());
    let (key, list) = crate::kinds::firewall_rule::formats::gcp::allowed_or_denied(spec);
    m.insert(key.into(), list);
    for k in crate::kinds::firewall_rule::formats::gcp::PLAIN_FIELDS {
        if let Some(v) = spec.get(*k) {
            m.insert((*k).into(), v.clone());
        }
    }
    m.insert(
        "logConfig".into(),
        json!({"enable": spec.get("logging").and_then(Value::as_bool).unwrap_or(false)}),
    );
    Value::Object(m)
}

pub(crate) fn gcp(
    f: &Finding,
    scope: &Scope,
    decl: Option<&Resource>,
    live: Option<&Resource>,
    s: &mut Suggestion,
) {
    let Some(spec) = decl.or(live).map(|r| &r.spec) else {
        return;
    };
    let project = spec["project"].as_str().unwrap_or_default();
    let name = spec["name"].as_str().unwrap_or_default();
    let endpoint = scope
        .gcp
        .as_ref()
        .and_then(|g| g.endpoint.as_deref())
        .unwrap_or(driftgate_gcp::firewall::COMPUTE_ENDPOINT)
        .trim_end_matches('/');
    let base = format!("{endpoint}/compute/v1/projects/{project}/global/firewalls");
    let auth = "-H \"Authorization: Bearer $(gcloud auth print-access-token)\" -H 'Content-Type: application/json'";
    match f.state {
        State::Unmanaged => s.revert.push(format!(
            "gcloud compute firewall-rules delete {} --project {} --quiet",
            sh(name),
            sh(project)
        )),
        State::Changed => s.revert.push(format!(
            "curl -X PUT {auth} {} -d {}",
            sh(&format!("{base}/{name}")),
            compact(&gcp_body(spec))
        )),
        State::Missing => s.revert.push(format!(
            "curl -X POST {auth} {} -d {}",
            sh(&base),
            compact(&gcp_body(spec))
        )),
        _ => {}
    }
}

/// The CLI spelling of a canonical Azure value (`allow` -> `Allow`,
/// `any` -> `*`).
fn azure_word(v: &str) -> String {
    match v {
        "any" => "*".to_owned(),
        "inbound" => "Inbound".to_owned(),
        "outbound" => "Outbound".to_owned(),
        other => {
            let mut c = other.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

/// Reverting an Azure network security group rule: `az network nsg rule
/// create` (its every field, so an update leaves nothing behind) or
/// `delete`.
pub(crate) fn azure(
    f: &Finding,
    decl: Option<&Resource>,
    live: Option<&Resource>,
    s: &mut Suggestion,
) {
    let Some(spec) = decl.or(live).map(|r| &r.spec) else {
        return;
    };
    let text = |k: &str| spec.get(k).and_then(Value::as_str).unwrap_or_default();
    let head = format!(
        "--resource-group {} --nsg-name {} --name {}",
        sh(text("resourceGroup")),
        sh(text("nsg")),
        sh(text("name"))
    );
    if f.state == State::Unmanaged {
        s.revert.push(format!("az network nsg rule delete {head}"));
        return;
    }
    let list = |k: &str| -> String {
        let items: Vec<String> = spec
            .get(k)
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).map(sh).collect())
            .unwrap_or_default();
        if items.is_empty() {
            "'*'".to_owned()
        } else {
            items.join(" ")
        }
    };
    let asgs = |k: &str, flag: &str| -> String {
        spec.get(k)
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
            .map(|l| {
                format!(
                    " {flag} {}",
                    l.iter()
                        .filter_map(Value::as_str)
                        .map(sh)
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            })
            .unwrap_or_default()
    };
    let (src, dst) = (
        asgs("sourceApplicationSecurityGroups", "--source-asgs"),
        asgs("destinationApplicationSecurityGroups", "--destination-asgs"),
    );
    let mut cmd = format!(
        "az network nsg rule create {head} --priority {} --direction {} --access {} --protocol {} --source-port-ranges {} --destination-port-ranges {}",
        spec.get("priority").and_then(Value::as_i64).unwrap_or(0),
        azure_word(text("direction")),
        azure_word(text("access")),
        sh(&azure_word(text("protocol"))),
        list("sourcePorts"),
        list("destinationPorts"),
    );
    if src.is_empty() {
        cmd.push_str(&format!(" --source-address-prefixes {}", list("sources")));
    }
    if dst.is_empty() {
        cmd.push_str(&format!(
            " --destination-address-prefixes {}",
            list("destinations")
        ));
    }
    cmd.push_str(&src);
    cmd.push_str(&dst);
    if let Some(d) = spec.get("description").and_then(Value::as_str) {
        cmd.push_str(&format!(" --description {}", sh(d)));
    }
    s.revert.push(cmd);
}
