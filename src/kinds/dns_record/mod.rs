//! `dns_record`: one DNS record set. Id: `<zone>/<name>/<type>` plus
//! `/<set identifier>` where there is one.
//!
//! - [`normalize`]: names, TTLs, values per record type, routing policies;
//!   the apex SOA and NS are the provider's.
//! - [`formats`]: native `kind: dns_zone` YAML, octoDNS zone files, RFC 1035
//!   zone files.

pub mod adopt;
pub mod formats;
pub mod import;
pub mod normalize;
pub mod revert;

use super::{AuditLookup, KindRules, Revert};
use crate::normalize::{Mode, Node, SchemaError};
use driftgate_model::{Cloud, Kind, Suggestion};
use serde_json::Value;

/// The DNS record set kind.
pub struct DnsRecord;

impl KindRules for DnsRecord {
    fn kind(&self) -> Kind {
        Kind::DnsRecord
    }

    fn normalize(&self, spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
        normalize::normalize(spec, mode)
    }

    fn provider_owned(&self, id: &str) -> bool {
        normalize::provider_owned(id)
    }

    fn describe(&self, spec: &Value) -> Option<String> {
        let rtype = spec.get("type").and_then(Value::as_str).unwrap_or("?");
        let mut out = if let Some(a) = spec.get("alias") {
            let target = a
                .get("dnsName")
                .or_else(|| a.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            format!("{rtype} alias to {target}")
        } else {
            let values: Vec<String> = spec
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            let shown = if values.len() > 3 {
                format!("{} and {} more", values[..3].join(", "), values.len() - 3)
            } else {
                values.join(", ")
            };
            format!("{rtype} {shown}")
        };
        if let Some(t) = spec.get("ttl") {
            out.push_str(&format!(" (ttl {t})"));
        }
        for k in ["weight", "region", "failover"] {
            if let Some(v) = spec.get(k) {
                out.push_str(&format!(
                    ", {k} {}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                ));
            }
        }
        Some(out)
    }

    fn defaults(&self) -> Vec<crate::normalize::schema::DefaultRow> {
        use crate::normalize::schema::DefaultRow;
        let row = |path: &str, value: Option<&str>| DefaultRow {
            path: path.to_owned(),
            value: value.map(str::to_owned),
        };
        vec![
            row("alias.evaluateTargetHealth", Some("false")),
            row("alias.hostedZoneId", None),
            row(
                "ttl",
                Some("the file's `ttl:`; octoDNS: the YAML provider's default_ttl, else 3600"),
            ),
            row("name", Some("the zone's apex for `@` or an empty name")),
        ]
    }

    fn declared_only(&self, path: &str) -> bool {
        // A same-zone alias target is in the zone's own hosted zone, whose
        // id a declaration (octoDNS's Route53Provider/ALIAS) need not say.
        path == "alias.hostedZoneId"
    }

    fn group_of(&self, spec: &Value) -> Option<String> {
        spec.get("zone").and_then(Value::as_str).map(str::to_owned)
    }

    fn scope_noun(&self) -> &'static str {
        "zone"
    }

    fn id_prefix<'a>(&self, scope: &'a crate::config::Scope, id: &str) -> Option<&'a str> {
        scope.zone_prefix(crate::diff::scope_of(id))
    }

    fn revert(&self, at: &Revert<'_>, cloud: Cloud, out: &mut Suggestion) {
        match cloud {
            Cloud::Aws => revert::route53(at.finding, at.scope, at.declared, at.live, out),
            Cloud::Azure => revert::azure(at.finding, at.scope, at.declared, at.live, out),
            Cloud::Gcp => revert::gcp(at.finding, at.scope, at.declared, at.live, out),
        }
    }

    fn adopt(
        &self,
        texts: &mut crate::adopt::Texts<'_>,
        scope: &crate::config::Scope,
        finding: &driftgate_model::Finding,
        at: Option<&(std::path::PathBuf, usize)>,
        live: Option<&driftgate_model::Resource>,
    ) -> Result<std::collections::BTreeSet<std::path::PathBuf>, String> {
        adopt::plan(texts, scope, finding, at, live)
    }

    fn import(
        &self,
        scope: &crate::config::Scope,
        undeclared: &[&driftgate_model::Resource],
    ) -> anyhow::Result<Vec<(std::path::PathBuf, String)>> {
        Ok(import::files(scope, undeclared))
    }

    fn cloud_audit(
        &self,
        id: &str,
        scope: &crate::config::Scope,
        cloud: Cloud,
    ) -> Result<super::CloudAudit, String> {
        let mut parts = id.splitn(4, '/');
        let zone = crate::config::bare(parts.next().unwrap_or_default()).to_owned();
        let name = parts.next().unwrap_or_default().to_owned();
        let rtype = parts.next().unwrap_or_default().to_owned();
        match cloud {
            Cloud::Azure => {
                let az = scope
                    .azure
                    .as_ref()
                    .ok_or("the scope has no [scope.azure]")?;
                let rel = if name == zone {
                    "@".to_owned()
                } else {
                    name.strip_suffix(&format!(".{zone}"))
                        .unwrap_or(&name)
                        .to_owned()
                };
                Ok(super::CloudAudit::Azure {
                    resource_uri: format!(
                        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/dnszones/{zone}/{rtype}/{rel}",
                        az.subscription, az.resource_group
                    ),
                })
            }
            Cloud::Gcp => {
                let g = scope.gcp.as_ref().ok_or("the scope has no [scope.gcp]")?;
                let fqdn = format!("{name}.");
                let rrset = format!("/rrsets/{fqdn}/{rtype}");
                Ok(super::CloudAudit::Gcp {
                    projects: g.projects.clone(),
                    filter: "protoPayload.serviceName=\"dns.googleapis.com\" AND (protoPayload.methodName=\"dns.changes.create\" OR protoPayload.methodName:\"dns.resourceRecordSets.\")".to_owned(),
                    // A change names its record sets in its request; the
                    // record set API in its resource name.
                    matches: Box::new(move |e: &Value| {
                        let named = |v: &Value| {
                            v.get("name")
                                .and_then(Value::as_str)
                                .is_some_and(|n| n.eq_ignore_ascii_case(&fqdn))
                                && v.get("type").and_then(Value::as_str) == Some(rtype.as_str())
                        };
                        let in_change = ["additions", "deletions"].iter().any(|k| {
                            e.pointer(&format!("/protoPayload/request/change/{k}"))
                                .and_then(Value::as_array)
                                .is_some_and(|l| l.iter().any(named))
                        });
                        in_change
                            || e.pointer("/protoPayload/resourceName")
                                .and_then(Value::as_str)
                                .is_some_and(|r| r.ends_with(&rrset))
                    }),
                })
            }
            Cloud::Aws => Err("Route53 is asked through CloudTrail".into()),
        }
    }

    fn audit(&self, id: &str, cloud: Cloud) -> Result<AuditLookup, String> {
        match cloud {
            Cloud::Aws => {}
            Cloud::Azure | Cloud::Gcp => {
                return Err(format!("{cloud} is asked through its own audit log"));
            }
        }
        let mut parts = id.splitn(4, '/');
        let zone = parts.next().unwrap_or_default().to_owned();
        let name = parts.next().unwrap_or_default().to_owned();
        let rtype = parts.next().unwrap_or_default().to_owned();
        let set_id = parts.next().map(str::to_owned);
        Ok(AuditLookup {
            names: vec![zone],
            source: "route53.amazonaws.com",
            // ChangeResourceRecordSets names the zone; its change batch
            // says which record sets it wrote.
            matches: Box::new(move |e: &Value| {
                e.pointer("/requestParameters/changeBatch/changes")
                    .and_then(Value::as_array)
                    .is_some_and(|changes| {
                        changes.iter().any(|c| {
                            let set = &c["resourceRecordSet"];
                            set["name"]
                                .as_str()
                                .is_some_and(|n| driftgate_model::dns::canonical_name(n) == name)
                                && set["type"]
                                    .as_str()
                                    .is_some_and(|t| t.eq_ignore_ascii_case(&rtype))
                                && set["setIdentifier"].as_str().map(str::to_owned) == set_id
                        })
                    })
            }),
            global: true,
        })
    }
}
