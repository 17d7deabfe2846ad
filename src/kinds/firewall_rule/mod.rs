//! `firewall_rule`: one effective firewall rule (an AWS security group rule
//! with one peer, a GCP VPC firewall rule, an Azure network security group
//! rule).
//!
//! - [`normalize`]: protocols, ports, peers in canonical form; the egress
//!   allow-all rule AWS gives every group is the provider's.
//! - [`formats`]: native `kind: security_group` YAML, `aws ec2
//!   describe-security-groups` output, GCP rules (gcloud, REST, native),
//!   Azure network security groups (`az network nsg`, REST, native).

pub mod adopt;
pub mod formats;
pub mod import;
pub mod normalize;
pub mod peers;
pub mod revert;

use super::{AuditLookup, KindRules, Revert};
use crate::normalize::{Mode, Node, SchemaError};
use driftgate_model::{Cloud, Kind, Suggestion};
use serde_json::Value;

/// The firewall rule kind.
pub struct FirewallRule;

impl KindRules for FirewallRule {
    fn kind(&self) -> Kind {
        Kind::FirewallRule
    }

    fn normalize(&self, spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
        normalize::normalize(spec, mode)
    }

    fn provider_owned(&self, id: &str) -> bool {
        normalize::provider_owned(id)
    }

    fn defaults(&self) -> Vec<crate::normalize::schema::DefaultRow> {
        use crate::normalize::schema::DefaultRow;
        let row = |path: &str, value: &str| DefaultRow {
            path: path.to_owned(),
            value: Some(value.to_owned()),
        };
        vec![
            row(
                "egress all to 0.0.0.0/0 (AWS)",
                "every new security group's: not drift unless declared",
            ),
            row("ports (AWS)", "all ports when the protocol is all (-1)"),
            row("priority (GCP)", "1000"),
            row("direction (GCP)", "INGRESS"),
            row("logging (GCP)", "false"),
            row("disabled (GCP)", "false"),
            row(
                "default rules (Azure)",
                "the six every group has (AllowVnetInBound ... DenyAllOutBound): not drift unless declared",
            ),
            row("ports, prefixes (Azure)", "`*` when none is given"),
        ]
    }

    fn describe(&self, spec: &Value) -> Option<String> {
        let text = |k: &str| spec.get(k).and_then(Value::as_str);
        let dir = text("direction").unwrap_or("ingress").to_lowercase();
        let list = |k: &str| -> String {
            spec.get(k)
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "*".to_owned())
        };
        let mut out = if spec.get("nsg").is_some() {
            // Azure: priority, access, protocol and ports, from and to.
            format!(
                "{dir} {} {} {} from {} to {} (priority {})",
                text("access").unwrap_or("allow"),
                text("protocol").unwrap_or("any"),
                list("destinationPorts"),
                list("sources"),
                list("destinations"),
                spec.get("priority").and_then(Value::as_i64).unwrap_or(0)
            )
        } else if let Some(rules) = spec.get("rules").and_then(Value::as_array) {
            // GCP: allow/deny of protocols and ports, from ranges or tags.
            let action = text("action").unwrap_or("allow");
            let what: Vec<String> = rules
                .iter()
                .map(|r| {
                    let proto = r.get("protocol").and_then(Value::as_str).unwrap_or("all");
                    match r.get("ports").and_then(Value::as_array) {
                        Some(p) if !p.is_empty() => format!(
                            "{proto} {}",
                            p.iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(",")
                        ),
                        _ => proto.to_owned(),
                    }
                })
                .collect();
            let from: Vec<&str> = ["sourceRanges", "destinationRanges", "sourceTags"]
                .iter()
                .filter_map(|k| spec.get(*k).and_then(Value::as_array))
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            format!(
                "{dir} {action} {} {} {}",
                what.join(" "),
                if dir == "egress" { "to" } else { "from" },
                from.join(", ")
            )
        } else {
            let proto = text("protocol").unwrap_or("all");
            let ports = text("ports").unwrap_or("any");
            let peer = text("peer").unwrap_or("?");
            let ports = if proto == "all" || proto == "-1" {
                "all ports".to_owned()
            } else {
                format!("{proto} {ports}")
            };
            format!(
                "{dir} {ports} {} {peer}",
                if dir == "egress" { "to" } else { "from" }
            )
        };
        if let Some(d) = text("description") {
            out.push_str(&format!(" \"{d}\""));
        }
        Some(out)
    }

    fn display_name(&self, spec: &Value) -> Option<String> {
        spec.get("groupName")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(|n| format!("group {n}"))
    }

    fn group_of(&self, spec: &Value) -> Option<String> {
        let text = |k: &str| spec.get(k).and_then(Value::as_str);
        text("groupId")
            .map(str::to_owned)
            .or_else(|| Some(format!("{}:{}", text("resourceGroup")?, text("nsg")?)))
            .or_else(|| Some(format!("{}:{}", text("project")?, text("network")?)))
    }

    fn scope_noun(&self) -> &'static str {
        "network"
    }

    fn id_field<'a>(&self, id: &'a str) -> Option<(&'a str, &'static str)> {
        driftgate_model::firewall::rule_key(id).map(|key| (key, "peer"))
    }

    fn resolve(
        &self,
        declared: &mut [crate::declared::load::DeclaredResource],
        live: &crate::diff::Live,
    ) {
        peers::resolve_group_names(declared, live);
    }

    fn revert(&self, at: &Revert<'_>, cloud: Cloud, out: &mut Suggestion) {
        match cloud {
            Cloud::Aws => revert::security_group(at.finding, at.scope, at.declared, at.live, out),
            Cloud::Gcp => revert::gcp(at.finding, at.scope, at.declared, at.live, out),
            Cloud::Azure => revert::azure(at.finding, at.declared, at.live, out),
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
        let (target, name) = id.rsplit_once('/').ok_or("not a rule id")?;
        let (left, right) = target.split_once(':').ok_or("not a rule id")?;
        match cloud {
            Cloud::Azure => {
                let az = scope
                    .azure
                    .as_ref()
                    .ok_or("the scope has no [scope.azure]")?;
                Ok(super::CloudAudit::Azure {
                    resource_uri: format!(
                        "/subscriptions/{}/resourceGroups/{left}/providers/Microsoft.Network/networkSecurityGroups/{right}/securityRules/{name}",
                        az.subscription
                    ),
                })
            }
            Cloud::Gcp => Ok(super::CloudAudit::Gcp {
                projects: vec![left.to_owned()],
                filter: format!(
                    "protoPayload.methodName:\"compute.firewalls.\" AND protoPayload.resourceName=\"projects/{left}/global/firewalls/{name}\""
                ),
                matches: Box::new(|_| true),
            }),
            Cloud::Aws => Err("security groups are asked through CloudTrail".into()),
        }
    }

    fn audit(&self, id: &str, cloud: Cloud) -> Result<AuditLookup, String> {
        match cloud {
            Cloud::Aws => Ok(AuditLookup {
                names: vec![id.split('/').nth(1).unwrap_or_default().to_owned()],
                source: "ec2.amazonaws.com",
                matches: Box::new(|_| true),
                global: false,
            }),
            Cloud::Gcp | Cloud::Azure => Err(format!("{cloud} is asked through its own audit log")),
        }
    }
}
