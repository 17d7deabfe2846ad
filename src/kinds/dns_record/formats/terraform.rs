//! DNS record sets in a Terraform state: `aws_route53_record` (the zone's
//! name from `aws_route53_zone`, managed or data, in any state of the
//! scope), `google_dns_record_set`, and the `azurerm_dns_*_record` types. Attributes as the AWS and
//! AzureRM providers document them (registry.terraform.io, `aws_route53_record`
//! and `azurerm_dns_a_record` ... `azurerm_dns_txt_record`, "Attribute
//! Reference"); the driftctl states in the corpus show the AWS shape.

use crate::declared::terraform::state::Instance;
use crate::declared::terraform::{Cx, Mapped, TfType, block, text, texts};
use crate::kinds::dns_record::normalize::normalize;
use crate::normalize::Mode;
use driftgate_model::dns::{absolute_name, canonical_name, record_id};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value, json};

/// The types this kind reads.
pub static TYPES: &[TfType] = &[
    TfType {
        rtype: "aws_route53_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: route53_record,
    },
    TfType {
        rtype: "google_dns_record_set",
        kind: Kind::DnsRecord,
        primary: true,
        map: google_record_set,
    },
    TfType {
        rtype: "google_dns_managed_zone",
        kind: Kind::DnsRecord,
        primary: false,
        map: |_, _| Ok(Mapped::Helper),
    },
    TfType {
        rtype: "aws_route53_zone",
        kind: Kind::DnsRecord,
        primary: false,
        map: |_, _| Ok(Mapped::Helper),
    },
    TfType {
        rtype: "azurerm_dns_a_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
    TfType {
        rtype: "azurerm_dns_aaaa_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
    TfType {
        rtype: "azurerm_dns_cname_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
    TfType {
        rtype: "azurerm_dns_mx_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
    TfType {
        rtype: "azurerm_dns_ns_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
    TfType {
        rtype: "azurerm_dns_ptr_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
    TfType {
        rtype: "azurerm_dns_srv_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
    TfType {
        rtype: "azurerm_dns_txt_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
    TfType {
        rtype: "azurerm_dns_caa_record",
        kind: Kind::DnsRecord,
        primary: true,
        map: azure_record,
    },
];

/// A record's zone from its own names: `fqdn` minus a relative `name`
/// (`test0.foo-0.com` minus `test0`).
#[must_use]
pub fn zone_from_names(a: &Value) -> Option<String> {
    let fqdn = canonical_name(text(a, "fqdn")?);
    let name = canonical_name(text(a, "name")?);
    if name == fqdn {
        return None;
    }
    fqdn.strip_prefix(&format!("{name}."))
        .map(str::to_owned)
        .filter(|z| !z.is_empty())
}

fn route53_record(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let zone_id = text(a, "zone_id").unwrap_or_default();
    let fqdn = text(a, "fqdn").map(canonical_name);
    // The zone: from a zone resource of the scope's states, else from the
    // record's own names, else the longest scope zone its name ends in.
    let zone = cx
        .index
        .zones
        .get(zone_id)
        .cloned()
        .or_else(|| zone_from_names(a))
        .or_else(|| {
            let name = fqdn.clone()?;
            cx.zones
                .iter()
                .filter(|z| name == **z || name.ends_with(&format!(".{z}")))
                .max_by_key(|z| z.len())
                .cloned()
        });
    let Some(zone) = zone else {
        return Ok(Mapped::Skipped(format!(
            "its zone ({zone_id}) is neither in the state nor a zone of scope `{}`",
            cx.scope.name
        )));
    };
    if !cx.zones.contains(&zone) {
        return Ok(Mapped::Skipped(format!(
            "zone `{zone}` is not a DNS zone of scope `{}`",
            cx.scope.name
        )));
    }
    let name = fqdn.unwrap_or_else(|| absolute_name(text(a, "name").unwrap_or("@"), &zone));
    let rtype = text(a, "type").ok_or("no `type`")?.to_uppercase();
    let mut spec = Map::new();
    spec.insert("zone".into(), json!(zone));
    spec.insert("name".into(), json!(name));
    spec.insert("type".into(), json!(rtype));
    if let Some(al) = block(a, "alias") {
        let mut alias = Map::new();
        if let Some(n) = text(&al, "name") {
            alias.insert("dnsName".into(), json!(n));
        }
        if let Some(z) = text(&al, "zone_id") {
            alias.insert("hostedZoneId".into(), json!(z));
        }
        if al.get("evaluate_target_health").and_then(Value::as_bool) == Some(true) {
            alias.insert("evaluateTargetHealth".into(), json!(true));
        }
        spec.insert("alias".into(), Value::Object(alias));
    } else {
        // The provider keeps TXT and SPF values without their outer quotes
        // and puts them back when it writes (a long value split by the
        // user as `first255\"\"rest` is two strings then).
        let values: Vec<String> = texts(a, "records")
            .into_iter()
            .map(|v| {
                if matches!(rtype.as_str(), "TXT" | "SPF") && !v.starts_with('"') {
                    format!("\"{v}\"")
                } else {
                    v
                }
            })
            .collect();
        spec.insert("values".into(), json!(values));
        if let Some(t) = a.get("ttl").filter(|t| !t.is_null()) {
            spec.insert("ttl".into(), t.clone());
        }
    }
    let set_id = text(a, "set_identifier").map(str::to_owned);
    if let Some(s) = &set_id {
        spec.insert("setIdentifier".into(), json!(s));
    }
    if let Some(w) = block(a, "weighted_routing_policy") {
        spec.insert(
            "weight".into(),
            w.get("weight").cloned().unwrap_or(json!(0)),
        );
    }
    if let Some(l) = block(a, "latency_routing_policy")
        && let Some(r) = text(&l, "region")
    {
        spec.insert("region".into(), json!(r));
    }
    if let Some(f) = block(a, "failover_routing_policy")
        && let Some(t) = text(&f, "type")
    {
        spec.insert("failover".into(), json!(t));
    }
    if let Some(g) = block(a, "geolocation_routing_policy") {
        let mut geo = Map::new();
        for (from, to) in [
            ("continent", "continentCode"),
            ("country", "countryCode"),
            ("subdivision", "subdivisionCode"),
        ] {
            if let Some(v) = text(&g, from) {
                geo.insert(to.into(), json!(v));
            }
        }
        spec.insert("geoLocation".into(), Value::Object(geo));
    }
    for (from, what) in [
        ("cidr_routing_policy", "CIDR"),
        ("geoproximity_routing_policy", "geoproximity"),
    ] {
        if block(a, from).is_some() {
            return Ok(Mapped::Skipped(format!(
                "{what} routing, which driftgate does not compare yet"
            )));
        }
    }
    if a.get("multivalue_answer_routing_policy")
        .and_then(Value::as_bool)
        == Some(true)
    {
        spec.insert("multiValueAnswer".into(), json!(true));
    }
    if let Some(h) = text(a, "health_check_id") {
        spec.insert("healthCheckId".into(), json!(h));
    }
    let resource = Resource {
        kind: Kind::DnsRecord,
        id: record_id(&zone, &name, &rtype, set_id.as_deref()),
        spec: Value::Object(spec),
    };
    normalize(&resource.spec, Mode::Strict).map_err(|e| e.to_string())?;
    Ok(Mapped::Resources(vec![resource]))
}

/// A `google_dns_record_set` (its `routing_policy` block in the API's
/// shape), read as the Cloud DNS provider reads a live one.
fn google_record_set(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let name = canonical_name(text(a, "name").ok_or("no `name`")?);
    let project = text(a, "project").unwrap_or_default();
    let in_gcp = |z: &String| {
        cx.scope
            .gcp
            .as_ref()
            .is_some_and(|g| g.dns_zones.iter().any(|(d, _)| d == z))
    };
    let zone = cx
        .zones
        .iter()
        .filter(|z| in_gcp(z) && (name == **z || name.ends_with(&format!(".{z}"))))
        .max_by_key(|z| z.len())
        .cloned();
    let Some(zone) = zone else {
        return Ok(Mapped::Skipped(format!(
            "`{name}` is in no Cloud DNS zone of scope `{}`",
            cx.scope.name
        )));
    };
    let mut set = json!({"name": format!("{name}."), "type": text(a, "type").ok_or("no `type`")?,
                         "ttl": a.get("ttl").cloned().unwrap_or(Value::Null),
                         "rrdatas": texts(a, "rrdatas")});
    if let Some(p) = block(a, "routing_policy") {
        let targets = |item: &Value| -> Option<Value> {
            let h = block(item, "health_checked_targets")?;
            let lbs: Vec<Value> = h
                .get("internal_load_balancers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|l| {
                    json!({"loadBalancerType": l.get("load_balancer_type"), "ipAddress": l.get("ip_address"),
                           "port": l.get("port"), "ipProtocol": l.get("ip_protocol"),
                           "networkUrl": l.get("network_url"), "project": l.get("project"), "region": l.get("region")})
                })
                .collect();
            Some(json!({"internalLoadBalancers": lbs}))
        };
        let items = |key: &str, label: &str| -> Vec<Value> {
            p.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|i| {
                    let mut m = json!({label: i.get(label).cloned().unwrap_or_default(), "rrdatas": texts(i, "rrdatas")});
                    if let Some(t) = targets(i) {
                        m["healthCheckedTargets"] = t;
                    }
                    m
                })
                .collect()
        };
        let policy = if p
            .get("wrr")
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty())
        {
            json!({"wrr": {"items": items("wrr", "weight")}})
        } else if p
            .get("geo")
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty())
        {
            json!({"geo": {"items": items("geo", "location"),
                           "enableFencing": p.get("enable_geo_fencing").and_then(Value::as_bool).unwrap_or(false)}})
        } else {
            return Ok(Mapped::Skipped(
                "a primary/backup routing policy, which driftgate does not read from Terraform yet"
                    .to_owned(),
            ));
        };
        set["routingPolicy"] = policy;
        set["rrdatas"] = json!([]);
    }
    let managed = text(a, "managed_zone").unwrap_or_default();
    let mut resource = driftgate_gcp::dns::map::resource(&zone, &set, managed, project)
        .ok_or("not a record set the Cloud DNS provider reads")?;
    // Not compared; the live side's are the API's.
    if let Some(o) = resource.spec.as_object_mut() {
        o.remove("managedZone");
        o.remove("project");
    }
    normalize(&resource.spec, Mode::Strict).map_err(|e| e.to_string())?;
    Ok(Mapped::Resources(vec![resource]))
}

/// An `azurerm_dns_*_record` in the REST API's shape, read as the Azure
/// provider reads a live record set.
fn azure_record(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let zone = canonical_name(text(a, "zone_name").ok_or("no `zone_name`")?);
    let in_scope = cx.scope.azure.as_ref().is_some_and(|az| {
        az.dns_zones.iter().any(|z| canonical_name(z) == zone)
            && text(a, "resource_group_name")
                .is_none_or(|g| g.eq_ignore_ascii_case(&az.resource_group))
    });
    if !in_scope {
        return Ok(Mapped::Skipped(format!(
            "zone `{zone}` ({}) is not an Azure DNS zone of scope `{}`",
            text(a, "resource_group_name").unwrap_or("no resource group"),
            cx.scope.name
        )));
    }
    let rtype = inst
        .rtype
        .strip_prefix("azurerm_dns_")
        .and_then(|t| t.strip_suffix("_record"))
        .unwrap_or_default()
        .to_uppercase();
    let list = |key: &str| {
        a.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut props = Map::new();
    if let Some(ttl) = a.get("ttl") {
        props.insert("TTL".into(), ttl.clone());
    }
    if let Some(f) = text(a, "fqdn") {
        props.insert("fqdn".into(), json!(f));
    }
    if let Some(t) = text(a, "target_resource_id") {
        props.insert("targetResource".into(), json!({"id": t}));
    }
    let strings = |key: &str, field: &str| -> Value {
        Value::Array(
            texts(a, key)
                .into_iter()
                .map(|v| json!({ field: v }))
                .collect(),
        )
    };
    match rtype.as_str() {
        "A" => {
            props.insert("ARecords".into(), strings("records", "ipv4Address"));
        }
        "AAAA" => {
            props.insert("AAAARecords".into(), strings("records", "ipv6Address"));
        }
        "NS" => {
            props.insert("NSRecords".into(), strings("records", "nsdname"));
        }
        "PTR" => {
            props.insert("PTRRecords".into(), strings("records", "ptrdname"));
        }
        "CNAME" => {
            if let Some(r) = text(a, "record") {
                props.insert("CNAMERecord".into(), json!({"cname": r}));
            }
        }
        "MX" => {
            props.insert("MXRecords".into(), Value::Array(list("record")));
        }
        "SRV" => {
            props.insert("SRVRecords".into(), Value::Array(list("record")));
        }
        "CAA" => {
            props.insert("caaRecords".into(), Value::Array(list("record")));
        }
        "TXT" => {
            let values = list("record")
                .iter()
                .map(|r| json!({"value": [r.get("value").cloned().unwrap_or_default()]}))
                .collect();
            props.insert("TXTRecords".into(), Value::Array(values));
        }
        other => return Err(format!("record type {other} is not read")),
    }
    let set = json!({
        "name": text(a, "name").unwrap_or("@"),
        "type": format!("Microsoft.Network/dnszones/{rtype}"),
        "properties": props,
    });
    let resource = driftgate_azure::dns::map::resource(&zone, &set)
        .ok_or("not a record set the Azure provider reads")?;
    normalize(&resource.spec, Mode::Strict).map_err(|e| e.to_string())?;
    Ok(Mapped::Resources(vec![resource]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_values_are_compared_as_route53_holds_them() {
        use crate::kinds::dns_record::normalize::canonical_value;
        let long = format!("{}\"\"{}", "a".repeat(255), "b".repeat(10));
        let state = format!("\"{long}\"");
        let route53 = format!("\"{}\" \"{}\"", "a".repeat(255), "b".repeat(10));
        assert_eq!(
            canonical_value("TXT", &state).unwrap(),
            canonical_value("TXT", &route53).unwrap()
        );
    }

    #[test]
    fn a_zone_is_found_from_a_relative_name() {
        assert_eq!(
            zone_from_names(&json!({"fqdn": "test0.foo-0.com", "name": "test0"})).as_deref(),
            Some("foo-0.com")
        );
        assert_eq!(
            zone_from_names(&json!({"fqdn": "foo-0.com", "name": "foo-0.com"})),
            None
        );
    }
}
