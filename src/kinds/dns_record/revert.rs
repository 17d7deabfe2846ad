//! Reverting a DNS record set: `aws route53 change-resource-record-sets`
//! (UPSERT or DELETE) on Route53, `az rest` on Azure DNS, `gcloud dns
//! record-sets` (or Cloud DNS REST) on Google Cloud DNS, with the declared
//! record set in each API's own shape.

use crate::config::Scope;
use crate::diff::scope_of;
use crate::suggest::{aws_flags, compact, sh};
use driftgate_model::{Finding, Resource, State, Suggestion};
use serde_json::{Map, Value, json};

/// The `ResourceRecordSet` of a record's spec, in Route53's API shape.
pub(crate) fn rrset(spec: &Value) -> Value {
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

pub(crate) fn route53(
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
pub(crate) fn azure_properties(spec: &Value) -> Result<Value, String> {
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
                    let t = crate::kinds::dns_record::normalize::txt_text(v)?;
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

pub(crate) fn azure(
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

/// Reverting on Cloud DNS: `gcloud dns record-sets` for plain sets, the
/// REST API (with gcloud's token) for sets with a routing policy, whose
/// shape gcloud's flags cannot all say.
pub(crate) fn gcp(
    f: &Finding,
    scope: &Scope,
    decl: Option<&Resource>,
    live: Option<&Resource>,
    s: &mut Suggestion,
) {
    let Some(g) = &scope.gcp else { return };
    let zone = crate::config::bare(scope_of(&f.id));
    let Some(spec) = decl.or(live).map(|r| &r.spec) else {
        return;
    };
    let text = |k: &str| spec.get(k).and_then(Value::as_str).unwrap_or_default();
    let live_text = |k: &str| {
        live.and_then(|l| l.spec.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let project = live_text("project").unwrap_or_else(|| g.projects[0].clone());
    let known = live_text("managedZone");
    // Without a live set (a deleted one) the managed zone's name is looked
    // up by the command itself.
    let managed = known.as_deref().map_or_else(
        || {
            format!(
                "\"$(gcloud dns managed-zones list --project {} --filter='dnsName={zone}.' --format='value(name)')\"",
                sh(&project)
            )
        },
        sh,
    );
    let name = format!("{}.", text("name"));
    let rtype = text("type");
    if f.state == State::Unmanaged {
        s.revert.push(format!(
            "gcloud dns record-sets delete {} --type={rtype} --zone={managed} --project={}",
            sh(&name),
            sh(&project)
        ));
        return;
    }
    let verb = if f.state == State::Missing {
        "create"
    } else {
        "update"
    };
    if let Some(policy) = spec.get("routingPolicy") {
        let endpoint = g
            .dns_endpoint
            .as_deref()
            .unwrap_or(driftgate_gcp::dns::DNS_ENDPOINT)
            .trim_end_matches('/');
        let mut body = json!({"name": name, "type": rtype, "routingPolicy": policy});
        if let Some(ttl) = spec.get("ttl") {
            body["ttl"] = ttl.clone();
        }
        // The URL in double quotes: the managed zone may be looked up by
        // the command.
        let mz = known.clone().unwrap_or_else(|| {
            format!(
                "$(gcloud dns managed-zones list --project {project} --filter=dnsName={zone}. --format='value(name)')"
            )
        });
        let base = format!("{endpoint}/dns/v1/projects/{project}/managedZones/{mz}/rrsets");
        let (method, url) = if verb == "create" {
            ("POST", base)
        } else {
            ("PATCH", format!("{base}/{name}/{rtype}"))
        };
        s.revert.push(format!(
            "curl -fsS -X {method} -H \"Authorization: Bearer $(gcloud auth print-access-token)\" -H 'Content-Type: application/json' \"{url}\" --data {}",
            compact(&body)
        ));
        return;
    }
    let values: Vec<String> = spec
        .get("values")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut cmd = format!(
        "gcloud dns record-sets {verb} {} --type={rtype} --zone={managed} --project={}",
        sh(&name),
        sh(&project)
    );
    if let Some(ttl) = spec.get("ttl").and_then(Value::as_i64) {
        cmd.push_str(&format!(" --ttl={ttl}"));
    }
    // gcloud splits --rrdatas on commas; each value is one datum.
    cmd.push_str(&format!(" --rrdatas={}", sh(&values.join(","))));
    s.revert.push(cmd);
}
