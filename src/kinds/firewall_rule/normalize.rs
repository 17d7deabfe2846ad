//! What a firewall rule looks like, and what counts as the same.
//!
//! A rule's id already holds everything that says what it opens (group,
//! direction, protocol, ports, peer, each in canonical form: see
//! `driftgate_model::firewall`), so the only field left to compare is its
//! description. A GCP rule is a named resource: its id is
//! `<project>:<network>/<name>` and every other field is compared (already
//! canonical: CIDRs, sorted sets, protocol names); an Azure network security
//! group rule likewise (`<resource group>:<group>/<name>`). The egress
//! allow-all rule AWS gives every new group, and the default rules Azure
//! gives every group, are not drift unless declared ([`provider_owned`]).

use crate::normalize::node::Fields;
use crate::normalize::node::Node;
use crate::normalize::schema::{Mode, SchemaError};
use serde_json::Value;

/// Keys a rule spec may have.
pub const FIELDS: &[&str] = &[
    "project",
    "network",
    "name",
    "priority",
    "action",
    "rules",
    "sourceRanges",
    "destinationRanges",
    "sourceTags",
    "targetTags",
    "sourceServiceAccounts",
    "targetServiceAccounts",
    "disabled",
    "logging",
    "vpc",
    "groupId",
    "groupName",
    "direction",
    "protocol",
    "ports",
    "peerType",
    "peer",
    "description",
    "resourceGroup",
    "nsg",
    "access",
    "sourcePorts",
    "destinationPorts",
    "sources",
    "destinations",
    "sourceApplicationSecurityGroups",
    "destinationApplicationSecurityGroups",
];

/// Normalizes a rule spec.
///
/// # Errors
/// In strict mode, an unknown field.
pub fn normalize(spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
    let obj = spec.as_object().ok_or_else(|| SchemaError {
        keys: vec![],
        path: String::new(),
        message: "expected an object".into(),
    })?;
    if mode == Mode::Strict
        && let Some(k) = obj.keys().find(|k| !FIELDS.contains(&k.as_str()))
    {
        return Err(SchemaError {
            keys: vec![k.clone()],
            path: k.clone(),
            message: format!("unknown field `{k}`"),
        });
    }
    let mut out = Fields::new();
    if obj.contains_key("project") || obj.contains_key("nsg") {
        // A GCP or Azure rule: its name is its id; every other field is
        // compared (each side already canonical: see
        // driftgate_model::firewall::{gcp_rule, azure_rule}).
        for (k, v) in obj {
            if ["sources", "destinations"].contains(&k.as_str()) {
                // Azure service tags are read without regard to case.
                let mut canon: Vec<String> = v
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_lowercase)
                            .collect()
                    })
                    .unwrap_or_default();
                canon.sort();
                out.insert(
                    k.clone().into(),
                    Node::leaf(serde_json::json!(canon), v.clone()),
                );
            } else if !["project", "network", "name", "resourceGroup", "nsg"].contains(&k.as_str())
            {
                out.insert(k.clone().into(), Node::plain(v.clone()));
            }
        }
        return Ok(Node::Obj(out));
    }
    if let Some(d) = obj
        .get("description")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
    {
        out.insert(
            "description".into(),
            Node::plain(Value::String(d.to_owned())),
        );
    }
    Ok(Node::Obj(out))
}

/// Whether a live rule is one the cloud made with its group: AWS's egress
/// allow-all, Azure's six default rules.
#[must_use]
pub fn provider_owned(id: &str) -> bool {
    driftgate_model::firewall::is_default_egress(id)
        || driftgate_model::firewall::is_azure_default_rule(id)
}
