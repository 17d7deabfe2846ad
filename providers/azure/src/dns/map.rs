//! Azure record sets (the REST API's JSON) -> model resources.

use driftgate_model::dns::{canonical_name, record_id};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value, json};

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The values of a record set in presentation form, from the per-type arrays
/// Azure returns.
fn values(rtype: &str, p: &Map<String, Value>) -> Vec<String> {
    let list = |key: &str| {
        p.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    match rtype {
        "A" => list("ARecords")
            .iter()
            .map(|r| text(&r["ipv4Address"]))
            .collect(),
        "AAAA" => list("AAAARecords")
            .iter()
            .map(|r| text(&r["ipv6Address"]))
            .collect(),
        "CNAME" => p
            .get("CNAMERecord")
            .map(|r| vec![text(&r["cname"])])
            .unwrap_or_default(),
        "MX" => list("MXRecords")
            .iter()
            .map(|r| format!("{} {}", text(&r["preference"]), text(&r["exchange"])))
            .collect(),
        "NS" => list("NSRecords")
            .iter()
            .map(|r| text(&r["nsdname"]))
            .collect(),
        "PTR" => list("PTRRecords")
            .iter()
            .map(|r| text(&r["ptrdname"]))
            .collect(),
        "SRV" => list("SRVRecords")
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    text(&r["priority"]),
                    text(&r["weight"]),
                    text(&r["port"]),
                    text(&r["target"])
                )
            })
            .collect(),
        "TXT" => list("TXTRecords")
            .iter()
            .map(|r| {
                r["value"].as_array().map_or_else(String::new, |chunks| {
                    chunks
                        .iter()
                        .map(|c| quote(&text(c)))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            })
            .collect(),
        "CAA" => list("caaRecords")
            .iter()
            .chain(list("CAARecords").iter())
            .map(|r| {
                format!(
                    "{} {} {}",
                    text(&r["flags"]),
                    text(&r["tag"]),
                    quote(&text(&r["value"]))
                )
            })
            .collect(),
        "SOA" => p
            .get("SOARecord")
            .map(|r| {
                vec![format!(
                    "{} {} {} {} {} {} {}",
                    text(&r["host"]),
                    text(&r["email"]),
                    text(&r["serialNumber"]),
                    text(&r["refreshTime"]),
                    text(&r["retryTime"]),
                    text(&r["expireTime"]),
                    text(&r["minimumTTL"])
                )]
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The resource of one Azure record set in `zone`, or `None` for a shape
/// that is not a record set.
#[must_use]
pub fn resource(zone: &str, set: &Value) -> Option<Resource> {
    let rtype = set
        .get("type")?
        .as_str()?
        .rsplit('/')
        .next()?
        .to_uppercase();
    let props = set.get("properties")?.as_object()?;
    let name = match props.get("fqdn").and_then(Value::as_str) {
        Some(f) => canonical_name(f),
        None => {
            let rel = set.get("name").and_then(Value::as_str).unwrap_or("@");
            driftgate_model::dns::absolute_name(rel, zone)
        }
    };
    let mut spec = Map::new();
    spec.insert("zone".into(), json!(zone));
    spec.insert("name".into(), json!(name));
    spec.insert("type".into(), json!(rtype));
    if let Some(target) = props
        .get("targetResource")
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str)
    {
        spec.insert("alias".into(), json!({"targetResource": target}));
    } else {
        if let Some(ttl) = props.get("TTL") {
            spec.insert("ttl".into(), ttl.clone());
        }
        let v = values(&rtype, props);
        if !v.is_empty() {
            spec.insert("values".into(), json!(v));
        }
    }
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
    fn maps_each_record_shape() {
        let r = resource(
            "example.org",
            &json!({"name": "www", "type": "Microsoft.Network/dnszones/TXT",
                "properties": {"TTL": 300, "fqdn": "www.example.org.",
                    "TXTRecords": [{"value": ["v=spf1 ", "-all"]}]}}),
        )
        .unwrap();
        assert_eq!(r.id, "example.org/www.example.org/TXT");
        assert_eq!(r.spec["values"], json!(["\"v=spf1 \" \"-all\""]));
        let r = resource(
            "example.org",
            &json!({"name": "@", "type": "Microsoft.Network/dnszones/MX",
                "properties": {"TTL": 3600, "MXRecords": [{"preference": 10, "exchange": "mail.example.org."}]}}),
        )
        .unwrap();
        assert_eq!(r.id, "example.org/example.org/MX");
        assert_eq!(r.spec["values"], json!(["10 mail.example.org."]));
        let r = resource(
            "example.org",
            &json!({"name": "app", "type": "Microsoft.Network/dnszones/A",
                "properties": {"TTL": 60, "targetResource": {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/publicIPAddresses/ip1"}}}),
        )
        .unwrap();
        assert!(r.spec.get("ttl").is_none());
        assert!(
            r.spec["alias"]["targetResource"]
                .as_str()
                .unwrap()
                .ends_with("/ip1")
        );
    }
}
