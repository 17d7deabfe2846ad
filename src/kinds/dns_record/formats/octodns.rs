//! octoDNS zone files, read in place: `<zone>.yaml`, keys are record names
//! relative to the zone (`''` is the apex), each holding one record or a
//! list of records of different types.
//!
//! Values follow octoDNS's per-type shapes (MX `exchange`/`preference` or
//! the legacy `value`/`priority`, SRV, CAA, NAPTR, DS mappings) and become
//! the presentation strings every other source uses. As octoDNS does with a
//! target that cannot hold them, record types Route53 has no place for
//! (SSHFP, LOC, URLFWD, DNAME, ALIAS, ...) are skipped with a note; so are
//! records marked `octodns: {ignored: true}`. `geo`/`dynamic` records,
//! which octodns-route53 expands into many record sets (set identifiers,
//! `_octodns-*` alias sets) that driftgate does not rebuild yet, claim
//! those sets: they are reported unchecked with that reason, never
//! unmanaged. octodns-route53's own `Route53Provider/ALIAS` records become
//! the alias record sets it writes. The default TTL is octoDNS's, 3600,
//! unless the YAML provider of the main config says otherwise.

use crate::declared::DeclaredRecord;
use crate::declared::Document;
use crate::error::InputError;
use crate::kinds::dns_record::normalize::normalize;
use crate::normalize::Mode;
use driftgate_model::dns::{absolute_name, record_id};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// octoDNS's default TTL.
pub const DEFAULT_TTL: i64 = 3600;

/// Types Route53 holds, and so types driftgate compares from octoDNS files.
pub const COMPARED: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SPF", "SRV", "TXT",
];

/// What a file yields: records, notes on what was skipped, and the live
/// sets a record the peer tool expands stands for (`(globs over ids, why,
/// where)`).
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub records: Vec<DeclaredRecord>,
    pub notes: Vec<String>,
    pub claims: Vec<(Vec<String>, String, String)>,
}

/// The record type octodns-route53 registers for Route53 aliases.
const ROUTE53_ALIAS: &str = "ROUTE53PROVIDER/ALIAS";

/// Target names that are AWS services (octodns-route53 keeps their hosted
/// zone id; any other target is a record set of the same zone).
const SERVICE_FQDNS: &[&str] = &["amazonaws.com.", "cloudfront.net.", "elasticbeanstalk.com."];

/// Reads an octoDNS zone file for `zone`.
///
/// # Errors
/// A record without a type, unknown keys, values missing the fields their
/// type needs, or a name and type declared twice.
pub fn read(doc: &Document, zone: &str, default_ttl: i64) -> Result<Read, InputError> {
    let mut out = Read::default();
    let entries = match &doc.value {
        Value::Null => return Ok(out),
        Value::Object(m) => m,
        _ => return Err(doc.error_at(&[], "an octoDNS zone file maps record names to records")),
    };
    let mut seen = BTreeSet::new();
    let mut cursor = crate::declared::locate::Cursor::new(&doc.text);
    for (name, entry) in entries {
        let place: Vec<String> = vec![if name.is_empty() {
            "''".to_owned()
        } else {
            name.clone()
        }];
        let records: Vec<&Value> = match entry {
            Value::Array(list) => list.iter().collect(),
            one => vec![one],
        };
        for rec in records {
            let Some(r) = rec.as_object() else {
                return Err(doc.error_at(&place, format!("record `{name}` is not a mapping")));
            };
            for k in r.keys() {
                if ![
                    "type", "ttl", "value", "values", "octodns", "geo", "dynamic",
                ]
                .contains(&k.as_str())
                {
                    return Err(doc.error_at(
                        &[place.clone(), vec![k.clone()]].concat(),
                        format!("unknown record key `{k}`"),
                    ));
                }
            }
            let Some(rtype) = r.get("type").and_then(Value::as_str).map(str::to_uppercase) else {
                return Err(doc.error_at(&place, format!("record `{name}` has no `type`")));
            };
            let shown_name = if name.is_empty() {
                "the apex".to_owned()
            } else {
                format!("`{name}`")
            };
            if r.get("octodns")
                .and_then(|o| o.get("ignored"))
                .and_then(Value::as_bool)
                == Some(true)
            {
                out.notes.push(format!(
                    "{}: {rtype} at {shown_name} is marked ignored for octoDNS; not compared",
                    doc.shown
                ));
                continue;
            }
            if r.contains_key("geo") || r.contains_key("dynamic") {
                let abs = absolute_name(name, zone);
                let why = format!(
                    "{rtype} at {shown_name} is a geo/dynamic octoDNS record ({}), which octodns-route53 writes as many record sets: not compared yet",
                    doc.shown
                );
                out.claims.push((
                    vec![
                        record_id(zone, &abs, &rtype, None),
                        format!("{}/*", record_id(zone, &abs, &rtype, None)),
                        format!("{zone}/_octodns-*.{abs}/*"),
                    ],
                    why,
                    format!("{}:{}", doc.shown, cursor.seek(&place)),
                ));
                continue;
            }
            if rtype == ROUTE53_ALIAS {
                let abs = absolute_name(name, zone);
                let values: Vec<&Value> = match (r.get("value"), r.get("values")) {
                    (Some(v), None) => vec![v],
                    (None, Some(Value::Array(vs))) => vs.iter().collect(),
                    _ => {
                        return Err(doc.error_at(
                            &place,
                            "a Route53Provider/ALIAS record needs `value` or `values`",
                        ));
                    }
                };
                let at = format!("{}:{}", doc.shown, cursor.seek(&place));
                for v in values {
                    let Some(m) = v.as_object() else {
                        return Err(doc.error_at(&place, "an alias value is a mapping"));
                    };
                    let Some(t) = m.get("type").and_then(Value::as_str).map(str::to_uppercase)
                    else {
                        return Err(doc.error_at(&place, "an alias value needs `type`"));
                    };
                    let target = m.get("name").and_then(Value::as_str).unwrap_or_default();
                    let service = SERVICE_FQDNS.iter().any(|f| target.contains(f));
                    // As octodns-route53 writes it: a service target as is,
                    // with its hosted zone; a name of the zone (or the
                    // apex) fully qualified, in the zone's own hosted zone.
                    let dns_name = if service {
                        target.to_owned()
                    } else if target.is_empty() {
                        format!("{zone}.")
                    } else {
                        format!("{target}.{zone}.")
                    };
                    let mut alias = Map::new();
                    alias.insert("dnsName".into(), json!(dns_name));
                    if service && let Some(z) = m.get("hosted-zone-id").and_then(Value::as_str) {
                        alias.insert("hostedZoneId".into(), json!(z));
                    }
                    alias.insert(
                        "evaluateTargetHealth".into(),
                        json!(
                            m.get("evaluate-target-health")
                                .and_then(Value::as_bool)
                                .unwrap_or(false)
                        ),
                    );
                    let id = record_id(zone, &abs, &t, None);
                    if !seen.insert(id.clone()) {
                        return Err(
                            doc.error_at(&place, format!("{t} at {shown_name} is declared twice"))
                        );
                    }
                    let spec = json!({"zone": zone, "name": abs, "type": t, "alias": alias});
                    normalize(&spec, Mode::Strict)
                        .map_err(|e| doc.error_at(&place, e.to_string()))?;
                    out.records.push(DeclaredRecord {
                        compact: None,
                        address: None,
                        at: at.clone(),
                        resource: Resource {
                            kind: Kind::DnsRecord,
                            id,
                            spec,
                        },
                    });
                }
                continue;
            }
            if !COMPARED.contains(&rtype.as_str()) {
                out.notes.push(format!(
                    "{}: {rtype} at {shown_name}: Route53 has no {rtype} records; not compared",
                    doc.shown
                ));
                continue;
            }
            let raw: Vec<&Value> = match (r.get("value"), r.get("values")) {
                (Some(v), None) => vec![v],
                (None, Some(Value::Array(vs))) => vs.iter().collect(),
                (None, Some(v)) => vec![v],
                (Some(_), Some(_)) => {
                    return Err(doc.error_at(&place, "give `value` or `values`, not both"));
                }
                (None, None) => {
                    return Err(
                        doc.error_at(&place, format!("record `{name}` ({rtype}) has no value"))
                    );
                }
            };
            let mut values = Vec::new();
            for v in raw {
                values.push(Value::String(presentation(&rtype, v).map_err(|why| {
                    doc.error_at(&place, format!("{rtype} value: {why}"))
                })?));
            }
            let ttl = match r.get("ttl") {
                None => default_ttl,
                Some(t) => t
                    .as_i64()
                    .ok_or_else(|| doc.error_at(&place, "`ttl` must be a number"))?,
            };
            let abs = absolute_name(name, zone);
            let id = record_id(zone, &abs, &rtype, None);
            if !seen.insert(id.clone()) {
                return Err(
                    doc.error_at(&place, format!("{rtype} at {shown_name} is declared twice"))
                );
            }
            let spec =
                json!({"zone": zone, "name": abs, "type": rtype, "ttl": ttl, "values": values});
            normalize(&spec, Mode::Strict).map_err(|e| doc.error_at(&place, e.to_string()))?;
            out.records.push(DeclaredRecord {
                compact: None,
                address: None,
                at: format!("{}:{}", doc.shown, cursor.seek(&place)),
                resource: Resource {
                    kind: Kind::DnsRecord,
                    id,
                    spec,
                },
            });
        }
    }
    Ok(out)
}

/// What octodns-spf's `SpfSource` does to a zone after the YAML source:
/// its SPF value added to the apex TXT record (created at its TTL when
/// there is none). An SPF value already there is merged by octodns-spf
/// (`merging_enabled`), which driftgate does not model: that record is
/// then unchecked, never compared against a guess.
pub fn add_spf(read: &mut Read, zone: &str, spf: &super::octodns_config::Spf, shown: &str) {
    let id = record_id(zone, zone, "TXT", None);
    let unquote = |v: &Value| v.as_str().unwrap_or_default().trim_matches('"').to_owned();
    match read.records.iter().position(|r| r.resource.id == id) {
        Some(i) => {
            let values = read.records[i].resource.spec["values"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if values.iter().any(|v| unquote(v).starts_with("v=spf1")) {
                let at = read.records.remove(i).at;
                read.claims.push((
                    vec![id],
                    format!(
                        "the apex TXT of {zone} ({shown}) has an SPF value that octodns-spf merges with its own; the merge is not modelled, not compared"
                    ),
                    at,
                ));
            } else {
                let mut values = values;
                values.push(Value::String(spf.value.clone()));
                read.records[i].resource.spec["values"] = Value::Array(values);
            }
        }
        None => read.records.push(DeclaredRecord {
            compact: None,
            address: None,
            at: format!("{shown}:1"),
            resource: Resource {
                kind: Kind::DnsRecord,
                id,
                spec: json!({"zone": zone, "name": zone, "type": "TXT", "ttl": spf.ttl, "values": [spf.value]}),
            },
        }),
    }
    if spf.merging {
        read.notes.push(format!(
            "{shown}: octodns-spf adds `{}` to the apex TXT of {zone}",
            spf.value
        ));
    }
}

fn field<'a>(m: &'a Map<String, Value>, k: &str) -> Result<&'a Value, String> {
    m.get(k).ok_or_else(|| format!("needs `{k}`"))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn quoted(v: &Value) -> String {
    format!("\"{}\"", text(v).replace('\\', "\\\\").replace('"', "\\\""))
}

/// One octoDNS value as presentation text.
fn presentation(rtype: &str, v: &Value) -> Result<String, String> {
    let Some(m) = v.as_object() else {
        return match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(format!("unexpected {other}")),
        };
    };
    Ok(match rtype {
        "MX" => {
            let pref = m
                .get("preference")
                .or_else(|| m.get("priority"))
                .ok_or("needs `preference`")?;
            let host = m
                .get("exchange")
                .or_else(|| m.get("value"))
                .ok_or("needs `exchange`")?;
            format!("{} {}", text(pref), text(host))
        }
        "SRV" => format!(
            "{} {} {} {}",
            text(field(m, "priority")?),
            text(field(m, "weight")?),
            text(field(m, "port")?),
            text(field(m, "target")?)
        ),
        "CAA" => format!(
            "{} {} {}",
            m.get("flags").map_or_else(|| "0".to_owned(), text),
            text(field(m, "tag")?),
            quoted(field(m, "value")?)
        ),
        "NAPTR" => format!(
            "{} {} {} {} {} {}",
            text(field(m, "order")?),
            text(field(m, "preference")?),
            quoted(field(m, "flags")?),
            quoted(field(m, "service")?),
            quoted(field(m, "regexp")?),
            text(field(m, "replacement")?)
        ),
        "DS" => format!(
            "{} {} {} {}",
            text(field(m, "key_tag")?),
            text(field(m, "algorithm")?),
            text(field(m, "digest_type")?),
            text(field(m, "digest")?)
        ),
        other => return Err(format!("a {other} value is text, not a mapping")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn doc(text: &str) -> Document {
        let path = PathBuf::from("infra/example.com.yaml");
        Document {
            value: crate::declared::parse_yaml(&path, text).unwrap(),
            path,
            shown: "infra/example.com.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn reads_octodns_shapes() {
        let d = doc(
            "---\n'':\n  - type: MX\n    values:\n      - {exchange: mx1.example.com., preference: 10}\n      - {priority: 20, value: mx2.example.com.}\n  - type: CAA\n    value: {flags: 0, tag: issue, value: letsencrypt.org}\n_sip._tcp:\n  ttl: 600\n  type: SRV\n  value: {port: 5060, priority: 10, target: sip.example.com., weight: 60}\nsemi:\n  type: TXT\n  value: a\\; b\nssh:\n  type: SSHFP\n  value: {algorithm: 1, fingerprint: ab, fingerprint_type: 1}\n",
        );
        let r = read(&d, "example.com", DEFAULT_TTL).unwrap();
        let specs: Vec<&Value> = r.records.iter().map(|x| &x.resource.spec).collect();
        assert_eq!(
            specs[0]["values"],
            json!(["10 mx1.example.com.", "20 mx2.example.com."])
        );
        assert_eq!(specs[0]["ttl"], 3600);
        assert_eq!(specs[1]["values"], json!(["0 issue \"letsencrypt.org\""]));
        assert_eq!(specs[2]["values"], json!(["10 60 5060 sip.example.com."]));
        assert_eq!(
            r.records[2].resource.id,
            "example.com/_sip._tcp.example.com/SRV"
        );
        assert_eq!(specs[3]["values"], json!(["a\\; b"]));
        assert_eq!(r.notes.len(), 1);
        assert!(
            r.notes[0].contains("Route53 has no SSHFP records"),
            "{:?}",
            r.notes
        );
        assert_eq!(r.records[2].at, "infra/example.com.yaml:9");
    }

    #[test]
    fn errors_name_their_place() {
        let d = doc("www:\n  type: MX\n  value: {exchange: mx.example.com.}\n");
        let e = read(&d, "example.com", DEFAULT_TTL).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("needs `preference`"), "{e}");
        let d = doc("www:\n  ttl: 60\n  value: 1.2.3.4\n");
        assert!(
            read(&d, "example.com", DEFAULT_TTL)
                .unwrap_err()
                .message
                .contains("no `type`")
        );
        let d = doc("www:\n  type: A\n  valu: 1.2.3.4\n");
        let e = read(&d, "example.com", DEFAULT_TTL).unwrap_err();
        assert_eq!(e.line, 3);
    }
}
