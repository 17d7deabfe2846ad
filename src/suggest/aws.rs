//! Reverting on AWS: `aws ecs`, `aws route53` and `aws ec2` commands whose
//! payloads are the declared spec in each API's own shape.

use super::*;

/// `--region R --profile P`, as the scope reads the resource.
pub(super) fn aws_flags(scope: &Scope, id: &str, regional: bool) -> String {
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
pub(super) const UPDATABLE: &[&str] = &[
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

pub(super) fn ecs(f: &Finding, scope: &Scope, decl: Option<&Resource>, s: &mut Suggestion) {
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
pub(super) fn rrset(spec: &Value) -> Value {
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
                    crate::kinds::dns_record::normalize::txt_text(v).map_or_else(
                        |_| v.to_owned(),
                        |t| crate::kinds::dns_record::normalize::txt_quoted(&t),
                    )
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

pub(super) fn route53(
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

/// `aws ec2 ... --ip-permissions` of one rule's spec.
pub(super) fn ip_permissions(spec: &Value) -> Value {
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

pub(super) fn security_group(
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
