//! `check --suggest`: for each drifted resource, both ways out.
//!
//! - **Revert** live to Git: the exact command that would do it (`aws ...`,
//!   `az rest ...`, `gcloud ...`/`curl ...` for GCP's REST API), with the
//!   declared values as its payload. driftgate itself never runs them: it
//!   stays read-only. Secret values are placeholders (driftgate never holds
//!   them), and the note says so.
//! - **Adopt** live into Git: the `driftgate adopt` command for the resource
//!   and the patch it would write (verified, see [`crate::adopt`]), or why it
//!   cannot.

use crate::adopt::Plan;
use crate::config::{Config, Scope, region_of_target};
use crate::diff::scope_of;
use crate::normalize::secrets::is_digest;
use driftgate_model::Cloud;
use driftgate_model::{Finding, Kind, Resource, State, Suggestion};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// A word for a POSIX shell: single-quoted unless it is plain.
#[must_use]
pub fn sh(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=,+".contains(&b))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn compact(v: &Value) -> String {
    sh(&serde_json::to_string(v).unwrap_or_default())
}

const SECRET: &str = "REPLACE_WITH_SECRET";

/// Replaces every digest (a masked secret) in a payload with a placeholder.
fn unmask(v: &mut Value) -> bool {
    match v {
        Value::String(s) if is_digest(s) => {
            *s = SECRET.to_owned();
            true
        }
        // A secret inside a longer value (a URL's password, `--token=`).
        Value::String(s) if s.contains("***masked:") => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(i) = rest.find("***masked:") {
                out.push_str(&rest[..i]);
                out.push_str(SECRET);
                let after = &rest[i + 10..];
                rest = after.find("***").map_or("", |j| &after[j + 3..]);
            }
            out.push_str(rest);
            *s = out;
            true
        }
        // Every element is visited: no short circuit.
        Value::Array(a) => a.iter_mut().map(unmask).filter(|x| *x).count() > 0,
        Value::Object(o) => o.values_mut().map(unmask).filter(|x| *x).count() > 0,
        _ => false,
    }
}

/// `--region R --profile P`, as the scope reads the resource.
fn aws_flags(scope: &Scope, id: &str, regional: bool) -> String {
    let Some(a) = &scope.aws else {
        return String::new();
    };
    let mut out = String::new();
    let region = region_of_target(scope_of(id))
        .map(str::to_owned)
        .or_else(|| (a.regions.len() == 1).then(|| a.regions[0].clone()));
    if regional && let Some(r) = region {
        out.push_str(&format!(" --region {}", sh(&r)));
    }
    if let Some(p) = &a.profile {
        out.push_str(&format!(" --profile {}", sh(p)));
    }
    out
}

/// Service fields `aws ecs update-service` takes.
const UPDATABLE: &[&str] = &[
    "desiredCount",
    "networkConfiguration",
    "capacityProviderStrategy",
    "platformVersion",
    "healthCheckGracePeriodSeconds",
    "deploymentConfiguration",
    "placementConstraints",
    "placementStrategy",
    "loadBalancers",
    "serviceRegistries",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "propagateTags",
    "serviceConnectConfiguration",
    "availabilityZoneRebalancing",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
];

fn ecs(f: &Finding, scope: &Scope, decl: Option<&Resource>, s: &mut Suggestion) {
    let flags = aws_flags(scope, &f.id, true);
    let cluster = crate::config::bare(scope_of(&f.id)).to_owned();
    let service = f.id.split_once('/').map_or("", |(_, n)| n).to_owned();
    if f.state == State::Unmanaged {
        s.revert.push(format!(
            "aws ecs delete-service{flags} --cluster {} --service {} --force",
            sh(&cluster),
            sh(&service)
        ));
        return;
    }
    let Some(d) = decl else { return };
    let td_changed = f.state == State::Missing
        || f.changes
            .iter()
            .any(|c| c.path.starts_with("taskDefinition."));
    let family = d
        .spec
        .pointer("/taskDefinition/family")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut secrets = false;
    if td_changed && let Some(td) = d.spec.get("taskDefinition") {
        let mut td = td.clone();
        secrets |= unmask(&mut td);
        s.revert.push(format!(
            "aws ecs register-task-definition{flags} --cli-input-json {}",
            compact(&td)
        ));
    }
    let mut payload = Map::new();
    payload.insert("cluster".into(), json!(cluster));
    if f.state == State::Missing {
        let Value::Object(spec) = &d.spec else { return };
        payload.insert("serviceName".into(), json!(service));
        for (k, v) in spec {
            if !matches!(k.as_str(), "cluster" | "serviceName" | "taskDefinition") {
                payload.insert(k.clone(), v.clone());
            }
        }
        payload.insert("taskDefinition".into(), json!(family));
        let mut p = Value::Object(payload);
        secrets |= unmask(&mut p);
        s.revert.push(format!(
            "aws ecs create-service{flags} --cli-input-json {}",
            compact(&p)
        ));
    } else {
        payload.insert("service".into(), json!(service));
        if td_changed {
            payload.insert("taskDefinition".into(), json!(family));
        }
        let mut tags = false;
        for c in &f.changes {
            let top = c.path.split(['.', '[']).next().unwrap_or_default();
            if top == "taskDefinition" {
                continue;
            }
            if top == "tags" {
                tags = true;
            } else if UPDATABLE.contains(&top) {
                match d.spec.get(top) {
                    Some(v) => {
                        payload.insert(top.to_owned(), v.clone());
                    }
                    None => s.notes.push(format!(
                        "`{top}` is not declared: the revert leaves it as it is live"
                    )),
                }
            } else {
                s.notes.push(format!(
                    "`{top}` cannot change in place (update-service does not take it): recreate the service to revert it"
                ));
            }
        }
        if payload.len() > 2 {
            s.revert.push(format!(
                "aws ecs update-service{flags} --cli-input-json {}",
                compact(&Value::Object(payload))
            ));
        }
        if tags && let Some(t) = d.spec.get("tags") {
            s.revert.push(format!(
                "aws ecs tag-resource{flags} --resource-arn \"$(aws ecs describe-services{flags} --cluster {} --services {} --query 'services[0].serviceArn' --output text)\" --tags {}",
                sh(&cluster),
                sh(&service),
                compact(t)
            ));
            s.notes
                .push("tags added by hand are removed with `aws ecs untag-resource`".into());
        }
    }
    if secrets {
        s.notes.push(format!(
            "secret values in the payload are `{SECRET}`: driftgate never holds them; fill them in from your secret store"
        ));
    }
}

/// The `ResourceRecordSet` of a record's spec, in Route53's API shape.
fn rrset(spec: &Value) -> Value {
    let name = spec["name"].as_str().unwrap_or_default();
    let rtype = spec["type"].as_str().unwrap_or_default();
    let mut m = Map::new();
    m.insert("Name".into(), json!(format!("{name}.")));
    m.insert("Type".into(), json!(rtype));
    if let Some(t) = spec.get("ttl") {
        m.insert("TTL".into(), t.clone());
    }
    if let Some(values) = spec.get("values").and_then(Value::as_array) {
        let records: Vec<Value> = values
            .iter()
            .map(|v| {
                let v = v.as_str().unwrap_or_default();
                let v = if matches!(rtype, "TXT" | "SPF") {
                    crate::normalize::dns::txt_text(v)
                        .map_or_else(|_| v.to_owned(), |t| crate::normalize::dns::txt_quoted(&t))
                } else {
                    v.to_owned()
                };
                json!({"Value": v})
            })
            .collect();
        m.insert("ResourceRecords".into(), Value::Array(records));
    }
    if let Some(a) = spec.get("alias") {
        m.insert(
            "AliasTarget".into(),
            json!({"HostedZoneId": a["hostedZoneId"], "DNSName": a["dnsName"],
                   "EvaluateTargetHealth": a.get("evaluateTargetHealth").and_then(Value::as_bool).unwrap_or(false)}),
        );
    }
    for (from, to) in [
        ("setIdentifier", "SetIdentifier"),
        ("weight", "Weight"),
        ("region", "Region"),
        ("failover", "Failover"),
        ("multiValueAnswer", "MultiValueAnswer"),
        ("healthCheckId", "HealthCheckId"),
    ] {
        if let Some(v) = spec.get(from) {
            m.insert(to.into(), v.clone());
        }
    }
    if let Some(Value::Object(g)) = spec.get("geoLocation") {
        let mut geo = Map::new();
        for (k, v) in g {
            let mut c = k.chars();
            let key: String = c
                .next()
                .map(|f| f.to_ascii_uppercase())
                .into_iter()
                .chain(c)
                .collect();
            geo.insert(key, v.clone());
        }
        m.insert("GeoLocation".into(), Value::Object(geo));
    }
    Value::Object(m)
}

fn route53(
    f: &Finding,
    scope: &Scope,
    decl: Option<&Resource>,
    live: Option<&Resource>,
    s: &mut Suggestion,
) {
    let zone = crate::config::bare(scope_of(&f.id));
    let flags = aws_flags(scope, &f.id, false);
    let (action, spec) = match (f.state, decl, live) {
        (State::Unmanaged, _, Some(l)) => ("DELETE", &l.spec),
        (State::Changed | State::Missing, Some(d), _) => ("UPSERT", &d.spec),
        _ => return,
    };
    let batch = json!({"Changes": [{"Action": action, "ResourceRecordSet": rrset(spec)}]});
    s.revert.push(format!(
        "aws route53 change-resource-record-sets{flags} --hosted-zone-id \"$(aws route53 list-hosted-zones-by-name{flags} --dns-name {} --max-items 1 --query 'HostedZones[0].Id' --output text)\" --change-batch {}",
        sh(&format!("{zone}.")),
        compact(&batch)
    ));
}

/// Azure DNS record set properties from a spec (the REST shape).
fn azure_properties(spec: &Value) -> Result<Value, String> {
    let rtype = spec["type"].as_str().unwrap_or_default();
    let values: Vec<&str> = spec
        .get("values")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields = |v: &str, n: usize| -> Result<Vec<String>, String> {
        let parts: Vec<String> = v.splitn(n, ' ').map(str::to_owned).collect();
        if parts.len() == n {
            Ok(parts)
        } else {
            Err(format!("`{v}` is not a {rtype} value"))
        }
    };
    let mut p = Map::new();
    if let Some(t) = spec.get("ttl") {
        p.insert("TTL".into(), t.clone());
    }
    if let Some(target) = spec.pointer("/alias/targetResource") {
        p.insert("targetResource".into(), json!({"id": target}));
        return Ok(Value::Object(p));
    }
    let num = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| format!("`{s}` is not a number"))
    };
    let list: Result<Vec<Value>, String> = values
        .iter()
        .map(|v| -> Result<Value, String> {
            Ok(match rtype {
                "A" => json!({"ipv4Address": v}),
                "AAAA" => json!({"ipv6Address": v}),
                "NS" => json!({"nsdname": v}),
                "PTR" => json!({"ptrdname": v}),
                "MX" => {
                    let f = fields(v, 2)?;
                    json!({"preference": num(&f[0])?, "exchange": f[1]})
                }
                "SRV" => {
                    let f = fields(v, 4)?;
                    json!({"priority": num(&f[0])?, "weight": num(&f[1])?, "port": num(&f[2])?, "target": f[3]})
                }
                "CAA" => {
                    let f = fields(v, 3)?;
                    json!({"flags": num(&f[0])?, "tag": f[1], "value": f[2].trim_matches('"')})
                }
                "TXT" => {
                    let t = crate::normalize::dns::txt_text(v)?;
                    let chunks: Vec<String> = t
                        .as_bytes()
                        .chunks(255)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    json!({"value": chunks})
                }
                "CNAME" => json!({"cname": v}),
                other => return Err(format!("no Azure revert payload for {other} yet")),
            })
        })
        .collect();
    let list = list?;
    let key = match rtype {
        "A" => "ARecords",
        "AAAA" => "AAAARecords",
        "NS" => "NSRecords",
        "PTR" => "PTRRecords",
        "MX" => "MXRecords",
        "SRV" => "SRVRecords",
        "CAA" => "caaRecords",
        "TXT" => "TXTRecords",
        "CNAME" => {
            p.insert(
                "CNAMERecord".into(),
                list.into_iter().next().unwrap_or(Value::Null),
            );
            return Ok(Value::Object(p));
        }
        _ => unreachable!("refused above"),
    };
    p.insert(key.into(), Value::Array(list));
    Ok(Value::Object(p))
}

fn azure(
    f: &Finding,
    scope: &Scope,
    decl: Option<&Resource>,
    live: Option<&Resource>,
    s: &mut Suggestion,
) {
    let Some(az) = &scope.azure else { return };
    let zone = crate::config::bare(scope_of(&f.id));
    let Some(spec) = decl.or(live).map(|r| &r.spec) else {
        return;
    };
    let name = spec["name"].as_str().unwrap_or_default();
    let rel = if name == zone {
        "@".to_owned()
    } else {
        name.strip_suffix(&format!(".{zone}"))
            .unwrap_or(name)
            .to_owned()
    };
    let endpoint = az
        .endpoint
        .as_deref()
        .unwrap_or(driftgate_azure::dns::ARM_ENDPOINT)
        .trim_end_matches('/');
    let url = format!(
        "{endpoint}/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/dnsZones/{zone}/{}/{rel}?api-version=2018-05-01",
        az.subscription,
        az.resource_group,
        spec["type"].as_str().unwrap_or_default()
    );
    if f.state == State::Unmanaged {
        s.revert
            .push(format!("az rest --method delete --url {}", sh(&url)));
        return;
    }
    match azure_properties(spec) {
        Ok(p) => s.revert.push(format!(
            "az rest --method put --url {} --body {}",
            sh(&url),
            compact(&json!({"properties": p}))
        )),
        Err(e) => s.notes.push(e),
    }
}

/// `aws ec2 ... --ip-permissions` of one rule's spec.
fn ip_permissions(spec: &Value) -> Value {
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

fn security_group(
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
fn gcp_body(spec: &Value) -> Value {
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
    let (key, list) = crate::declared::gcp::allowed_or_denied(spec);
    m.insert(key.into(), list);
    for k in crate::declared::gcp::PLAIN_FIELDS {
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

fn gcp(
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

/// Adds both ways out to every drifted finding.
pub fn suggest(
    config: &Config,
    findings: &mut [Finding],
    declared: &BTreeMap<(String, Kind, String), Resource>,
    live: &BTreeMap<(Kind, String), Resource>,
    plan: &Plan,
    root: &Path,
) {
    let refused: BTreeMap<(&str, Kind, &str), &str> = plan
        .refused
        .iter()
        .map(|(k, why)| ((k.scope.as_str(), k.kind, k.id.as_str()), why.as_str()))
        .collect();
    for f in findings.iter_mut().filter(|f| f.state.is_drift()) {
        let Some(scope) = config.scopes.iter().find(|s| s.name == f.scope) else {
            continue;
        };
        let decl = declared.get(&(f.scope.clone(), f.kind, f.id.clone()));
        let live_r = live.get(&(f.kind, f.id.clone()));
        let mut s = Suggestion::default();
        let on_aws = match f.kind {
            Kind::EcsService => {
                ecs(f, scope, decl, &mut s);
                true
            }
            Kind::DnsRecord if f.cloud == Some(Cloud::Azure) => {
                azure(f, scope, decl, live_r, &mut s);
                false
            }
            Kind::DnsRecord if f.cloud == Some(Cloud::Aws) => {
                route53(f, scope, decl, live_r, &mut s);
                true
            }
            Kind::FirewallRule if f.cloud == Some(Cloud::Aws) => {
                security_group(f, scope, decl, live_r, &mut s);
                true
            }
            Kind::FirewallRule if f.cloud == Some(Cloud::Gcp) => {
                gcp(f, scope, decl, live_r, &mut s);
                false
            }
            Kind::DnsRecord | Kind::FirewallRule => {
                s.notes.push(format!(
                    "no revert command: the {} `{}` is not a target of scope `{}`",
                    f.kind, f.id, f.scope
                ));
                false
            }
        };
        if let Some(role) = scope.aws.as_ref().and_then(|a| a.role_arn.as_ref())
            && on_aws
            && !s.revert.is_empty()
        {
            s.notes.push(format!(
                "run it with the credentials of the scope's role {role} (a write-capable session of that account: driftgate's own role only reads)"
            ));
        }
        let key = crate::adopt::Key {
            scope: f.scope.clone(),
            kind: f.kind,
            id: f.id.clone(),
        };
        if let Some(files) = plan.adopted.get(&key) {
            s.adopt = Some(format!("driftgate adopt --resource {}", sh(&f.id)));
            let only: Plan = Plan {
                files: plan
                    .files
                    .iter()
                    .filter(|(p, _)| files.contains(*p))
                    .map(|(p, v)| (p.clone(), v.clone()))
                    .collect(),
                ..Plan::default()
            };
            s.patch = Some(only.patch(root));
            if let Some(left) = plan.partial.get(&key) {
                s.notes.extend(left.iter().map(|(_, why)| why.clone()));
            }
        } else if let Some(why) = refused.get(&(f.scope.as_str(), f.kind, f.id.as_str())) {
            s.notes.push(format!("adopt: {why}"));
        }
        f.suggest = Some(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(sh("prod/api"), "prod/api");
        assert_eq!(sh("it's"), r"'it'\''s'");
        assert_eq!(sh("{\"a\": 1}"), "'{\"a\": 1}'");
    }

    #[test]
    fn security_group_permissions_in_the_api_shape() {
        let spec = json!({"groupId": "sg-1", "direction": "ingress", "protocol": "tcp", "ports": "80-81", "peerType": "cidr", "peer": "10.0.0.0/8"});
        assert_eq!(
            ip_permissions(&spec),
            json!([{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 81, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        );
        let spec = json!({"protocol": "all", "ports": "any", "peerType": "security_group", "peer": "sg-2"});
        assert_eq!(
            ip_permissions(&spec),
            json!([{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2"}]}])
        );
    }

    #[test]
    fn route53_sets_in_the_api_shape() {
        let spec = json!({"name": "www.example.com", "type": "TXT", "ttl": 300, "values": ["v=spf1 -all"], "setIdentifier": "a", "weight": 10});
        assert_eq!(
            rrset(&spec),
            json!({"Name": "www.example.com.", "Type": "TXT", "TTL": 300,
                   "ResourceRecords": [{"Value": "\"v=spf1 -all\""}], "SetIdentifier": "a", "Weight": 10})
        );
    }

    #[test]
    fn azure_payloads_read_back_through_the_azure_provider() {
        for (rtype, values) in [
            ("A", vec!["192.0.2.1", "192.0.2.2"]),
            ("AAAA", vec!["2001:db8::1"]),
            ("CNAME", vec!["target.example.org."]),
            ("MX", vec!["10 mail.example.org.", "20 mx2.example.org."]),
            ("NS", vec!["ns1.example.net."]),
            ("PTR", vec!["host.example.org."]),
            ("SRV", vec!["10 60 5060 sip.example.org."]),
            ("CAA", vec!["0 issue \"letsencrypt.org\""]),
            ("TXT", vec!["\"v=spf1 -all\""]),
        ] {
            let spec =
                json!({"name": "x.example.org", "type": rtype, "ttl": 300, "values": values});
            let props = azure_properties(&spec).unwrap();
            let set = json!({"name": "x", "type": format!("Microsoft.Network/dnszones/{rtype}"), "properties": props});
            let back = driftgate_azure::dns::map::resource("example.org", &set).unwrap();
            assert_eq!(back.spec["values"], spec["values"], "{rtype}");
            assert_eq!(back.spec["ttl"], 300, "{rtype}");
        }
    }

    #[test]
    fn gcp_bodies_read_back_through_the_rule_reader() {
        let spec = json!({"project": "p", "network": "default", "name": "allow-web", "direction": "INGRESS",
            "priority": 1000, "action": "allow", "rules": [{"protocol": "tcp", "ports": ["443", "80"]}],
            "sourceRanges": ["0.0.0.0/0"], "targetTags": ["web"], "logging": true});
        let back = driftgate_model::firewall::gcp_rule("p", &gcp_body(&spec), None).unwrap();
        assert_eq!(back.spec, spec);
    }

    #[test]
    fn azure_properties_in_the_rest_shape() {
        let spec = json!({"name": "example.org", "type": "MX", "ttl": 3600, "values": ["10 mail.example.org."]});
        assert_eq!(
            azure_properties(&spec).unwrap(),
            json!({"TTL": 3600, "MXRecords": [{"preference": 10, "exchange": "mail.example.org."}]})
        );
    }
}
