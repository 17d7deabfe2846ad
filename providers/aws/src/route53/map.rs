//! SDK record sets -> model resources, one mapping per field.

use aws_sdk_route53::types::ResourceRecordSet;
use driftgate_model::dns::{canonical_name, record_id};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value, json};

/// The resource of one record set in `zone`.
#[must_use]
pub fn resource(zone: &str, set: &ResourceRecordSet) -> Resource {
    let name = canonical_name(set.name());
    let rtype = set.r#type().as_str().to_owned();
    // Sized for the common set (zone, name, type, ttl, values): 10,000 of
    // these are held until the live side is normalized.
    let mut spec = Map::with_capacity(5);
    spec.insert("zone".into(), json!(zone));
    spec.insert("name".into(), json!(name));
    spec.insert("type".into(), json!(rtype));
    if let Some(ttl) = set.ttl() {
        spec.insert("ttl".into(), json!(ttl));
    }
    let values: Vec<Value> = set
        .resource_records()
        .iter()
        .map(|r| json!(r.value()))
        .collect();
    if !values.is_empty() {
        spec.insert("values".into(), Value::Array(values));
    }
    if let Some(a) = set.alias_target() {
        spec.insert(
            "alias".into(),
            json!({"dnsName": a.dns_name(), "hostedZoneId": a.hosted_zone_id(), "evaluateTargetHealth": a.evaluate_target_health()}),
        );
    }
    if let Some(s) = set.set_identifier() {
        spec.insert("setIdentifier".into(), json!(s));
    }
    if let Some(w) = set.weight() {
        spec.insert("weight".into(), json!(w));
    }
    if let Some(r) = set.region() {
        spec.insert("region".into(), json!(r.as_str()));
    }
    if let Some(f) = set.failover() {
        spec.insert("failover".into(), json!(f.as_str()));
    }
    if let Some(g) = set.geo_location() {
        let mut geo = Map::new();
        for (k, v) in [
            ("continentCode", g.continent_code()),
            ("countryCode", g.country_code()),
            ("subdivisionCode", g.subdivision_code()),
        ] {
            if let Some(v) = v {
                geo.insert(k.into(), json!(v));
            }
        }
        spec.insert("geoLocation".into(), Value::Object(geo));
    }
    if let Some(m) = set.multi_value_answer() {
        spec.insert("multiValueAnswer".into(), json!(m));
    }
    if let Some(h) = set.health_check_id() {
        spec.insert("healthCheckId".into(), json!(h));
    }
    Resource {
        kind: Kind::DnsRecord,
        id: record_id(zone, &name, &rtype, set.set_identifier()),
        spec: Value::Object(spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_route53::types::{AliasTarget, ResourceRecord, RrType};

    #[test]
    fn maps_records_aliases_and_routing() {
        let set = ResourceRecordSet::builder()
            .name("\\052.Example.com.")
            .r#type(RrType::A)
            .ttl(60)
            .set_identifier("blue")
            .weight(10)
            .resource_records(ResourceRecord::builder().value("1.2.3.4").build().unwrap())
            .build()
            .unwrap();
        let r = resource("example.com", &set);
        assert_eq!(r.id, "example.com/*.example.com/A/blue");
        assert_eq!(r.spec["values"], json!(["1.2.3.4"]));
        assert_eq!(r.spec["weight"], 10);

        let set = ResourceRecordSet::builder()
            .name("example.com.")
            .r#type(RrType::A)
            .alias_target(
                AliasTarget::builder()
                    .dns_name("lb.elb.amazonaws.com.")
                    .hosted_zone_id("Z35")
                    .evaluate_target_health(true)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let r = resource("example.com", &set);
        assert_eq!(r.id, "example.com/example.com/A");
        assert_eq!(r.spec["alias"]["evaluateTargetHealth"], true);
        assert!(r.spec.get("ttl").is_none());
    }
}
