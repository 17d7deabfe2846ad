//! Security group peers named by group name in a declaration, resolved to
//! the group ids the cloud side has.

use crate::declared::load::DeclaredResource;
use crate::diff::Live;
use driftgate_model::Kind;
use std::collections::BTreeMap;

/// Security groups referenced by name (`groups: [web]`, or a
/// `UserIdGroupPairs` entry with only `GroupName`) are resolved to their ids
/// through the live groups of the same VPC, so the rule's id is the one the
/// cloud side has. A name no live group has stays as written, and the rule
/// shows as missing.
pub(crate) fn resolve_group_names(declared: &mut [DeclaredResource], live: &Live) {
    if !declared
        .iter()
        .any(|d| d.resource.kind == Kind::FirewallRule)
    {
        return;
    }
    let mut ids: BTreeMap<(String, String), String> = BTreeMap::new();
    for (_, e) in live.of_kind(Kind::FirewallRule) {
        let spec = e.spec();
        if let (Some(vpc), Some(name), Some(id)) = (
            spec.get("vpc").and_then(serde_json::Value::as_str),
            spec.get("groupName").and_then(serde_json::Value::as_str),
            spec.get("groupId").and_then(serde_json::Value::as_str),
        ) && !name.is_empty()
        {
            ids.insert((vpc.to_owned(), name.to_owned()), id.to_owned());
        }
    }
    for d in declared
        .iter_mut()
        .filter(|d| d.resource.kind == Kind::FirewallRule)
    {
        let spec = &mut d.resource.spec;
        if spec.get("peerType").and_then(serde_json::Value::as_str) != Some("security_group") {
            continue;
        }
        let (Some(vpc), Some(peer)) = (
            spec.get("vpc")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
            spec.get("peer")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
        ) else {
            continue;
        };
        if peer.starts_with("sg-") {
            continue;
        }
        if let Some(id) = ids.get(&(vpc, peer.clone())) {
            let key = driftgate_model::firewall::rule_key(&d.resource.id)
                .unwrap_or_default()
                .to_owned();
            d.resource.id = format!("{key}/{id}");
            spec["peer"] = serde_json::Value::String(id.clone());
        }
    }
}
