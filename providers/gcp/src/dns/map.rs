//! Cloud DNS record sets (the v1 REST `ResourceRecordSet`) -> model
//! resources. A record set with a routing policy (weighted round robin,
//! geolocation, failover) is one resource whose `routingPolicy` is compared
//! whole, in a canonical form ([`driftgate_model::dns::routing_policy`]).

use driftgate_model::dns::{canonical_name, record_id, routing_policy};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value, json};

/// The resource of one record set in `zone` (its DNS name), or `None` for a
/// shape that is not a record set. `managed_zone` and `project` are kept
/// (not compared) for the revert command.
#[must_use]
pub fn resource(zone: &str, set: &Value, managed_zone: &str, project: &str) -> Option<Resource> {
    let name = canonical_name(set.get("name")?.as_str()?);
    let rtype = set.get("type")?.as_str()?.to_uppercase();
    let mut spec = Map::new();
    spec.insert("zone".into(), json!(zone));
    spec.insert("name".into(), json!(name));
    spec.insert("type".into(), json!(rtype));
    if let Some(ttl) = set.get("ttl").filter(|t| !t.is_null()) {
        spec.insert("ttl".into(), ttl.clone());
    }
    if let Some(values) = set
        .get("rrdatas")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty())
    {
        spec.insert("values".into(), Value::Array(values.clone()));
    }
    if let Some(p) = set.get("routingPolicy").filter(|p| p.is_object()) {
        spec.insert("routingPolicy".into(), routing_policy(p));
    }
    spec.insert("managedZone".into(), json!(managed_zone));
    spec.insert("project".into(), json!(project));
    Some(Resource {
        kind: Kind::DnsRecord,
        id: record_id(zone, &name, &rtype, None),
        spec: Value::Object(spec),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_sets_and_routing_policies_map() {
        let r = resource(
            "example.net",
            &json!({"kind": "dns#resourceRecordSet", "name": "WWW.example.net.", "type": "A", "ttl": 300, "rrdatas": ["192.0.2.1"]}),
            "example-net",
            "acme-prod",
        )
        .unwrap();
        assert_eq!(r.id, "example.net/www.example.net/A");
        assert_eq!(r.spec["values"], json!(["192.0.2.1"]));
        let r = resource(
            "example.net",
            &json!({"name": "app.example.net.", "type": "A", "ttl": 60, "routingPolicy": {"kind": "dns#rRSetRoutingPolicy",
                "wrr": {"kind": "dns#rRSetRoutingPolicyWrrPolicy", "items": [
                    {"kind": "x", "weight": 10.0, "rrdatas": ["192.0.2.11"]},
                    {"kind": "x", "weight": 90.0, "rrdatas": ["192.0.2.10"]}]}}}),
            "example-net",
            "acme-prod",
        )
        .unwrap();
        assert!(r.spec.get("values").is_none());
        assert_eq!(
            r.spec["routingPolicy"],
            json!({"wrr": {"items": [{"rrdatas": ["192.0.2.10"], "weight": 90}, {"rrdatas": ["192.0.2.11"], "weight": 10}]}})
        );
    }
}
