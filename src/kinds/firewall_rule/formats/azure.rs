//! Azure network security group declared files.
//!
//! What `az network nsg show` prints (one group, rules flattened), what
//! `az network nsg list` prints (a list of groups), what `az network nsg
//! rule list` prints (a list of one group's rules, each naming its group in
//! its `id`), the REST API's shapes (rules under `properties`, a list under
//! `value`), and driftgate's native YAML, in the compared field names:
//!
//! ```yaml
//! kind: azure_nsg
//! resourceGroup: net          # optional: the scope's
//! name: web-nsg
//! rules:
//!   - {name: allow-https, priority: 100, direction: inbound, access: allow, protocol: tcp,
//!      sources: [Internet], destinationPorts: ["443"]}
//! ```
//!
//! A field left out is `*` (any), as the API fills it in. Azure's default
//! rules (`defaultSecurityRules` in the CLI's output) are read where a file
//! has them, and are not drift where it has not. A group of another
//! resource group, or one the scope does not name, is skipped with a note.

use crate::declared::DeclaredRecord;
use crate::declared::Document;
use crate::declared::locate::Cursor;
use crate::error::InputError;
use driftgate_model::firewall::azure_rule;
use serde_json::{Map, Value, json};

const GROUP_TYPE: &str = "Microsoft.Network/networkSecurityGroups";
const RULE_TYPE: &str = "Microsoft.Network/networkSecurityGroups/securityRules";

fn type_of(v: &Value) -> Option<&str> {
    v.get("type").and_then(Value::as_str)
}

fn is_group(v: &Value) -> bool {
    type_of(v).is_some_and(|t| t.eq_ignore_ascii_case(GROUP_TYPE))
        || (v.get("name").is_some()
            && (v.get("securityRules").is_some()
                || v.pointer("/properties/securityRules").is_some()))
}

fn is_rule(v: &Value) -> bool {
    type_of(v).is_some_and(|t| t.eq_ignore_ascii_case(RULE_TYPE))
}

/// What an Azure document holds: groups, or one group's rules.
pub enum Held<'a> {
    Groups(Vec<&'a Value>),
    Rules(Vec<&'a Value>),
    Native,
}

/// Whether a document is an Azure network security group file, and what
/// it holds.
#[must_use]
pub fn held(v: &Value) -> Option<Held<'_>> {
    if v.get("kind").and_then(Value::as_str) == Some("azure_nsg") {
        return Some(Held::Native);
    }
    let list = v
        .get("value")
        .and_then(Value::as_array)
        .or_else(|| v.as_array());
    if is_group(v) {
        return Some(Held::Groups(vec![v]));
    }
    let l = list?;
    if !l.is_empty() && l.iter().all(is_group) {
        return Some(Held::Groups(l.iter().collect()));
    }
    if !l.is_empty() && l.iter().all(is_rule) {
        return Some(Held::Rules(l.iter().collect()));
    }
    None
}

/// The resource group and group name in a resource id
/// (`/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/networkSecurityGroups/web-nsg/...`).
fn from_id(id: &str) -> (Option<String>, Option<String>) {
    let parts: Vec<&str> = id.split('/').collect();
    let after = |key: &str| {
        parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case(key))
            .and_then(|i| parts.get(i + 1))
            .map(|s| (*s).to_owned())
    };
    (after("resourceGroups"), after("networkSecurityGroups"))
}

/// The scope's spelling of a group it names, if it names it.
fn scope_group(cx: &crate::config::AzureScope, rg: &str, name: &str) -> Option<String> {
    if !rg.eq_ignore_ascii_case(&cx.resource_group) {
        return None;
    }
    cx.network_security_groups
        .iter()
        .find(|g| g.eq_ignore_ascii_case(name))
        .cloned()
}

const NATIVE_KEYS: &[&str] = &["kind", "resourceGroup", "name", "rules"];

/// Reads an Azure network security group file.
///
/// # Errors
/// A malformed rule, an unknown native field: at its place.
pub fn read(
    doc: &Document,
    scope: &crate::config::Scope,
) -> Result<(Vec<DeclaredRecord>, Vec<String>), InputError> {
    let Some(az) = scope.azure.as_ref() else {
        return Ok((
            Vec::new(),
            vec![format!(
                "{}: Azure network security groups, and scope `{}` has no [scope.azure]; skipped",
                doc.shown, scope.name
            )],
        ));
    };
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut cursor = Cursor::new(&doc.text);
    // (resource group, group name, its rules)
    let mut groups: Vec<(String, String, Vec<&Value>)> = Vec::new();
    match held(&doc.value) {
        Some(Held::Native) => {
            let obj = doc.value.as_object().expect("a kind: file is an object");
            if let Some(k) = obj.keys().find(|k| !NATIVE_KEYS.contains(&k.as_str())) {
                return Err(doc.error_at(
                    std::slice::from_ref(k),
                    format!(
                        "unknown field `{k}`, expected one of `resourceGroup`, `name`, `rules`"
                    ),
                ));
            }
            let name = obj
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| doc.error_at(&[], "an azure_nsg file needs `name: <group>`"))?;
            let rg = obj
                .get("resourceGroup")
                .and_then(Value::as_str)
                .unwrap_or(&az.resource_group);
            let rules = obj
                .get("rules")
                .and_then(Value::as_array)
                .ok_or_else(|| doc.error_at(&[], "an azure_nsg file needs a `rules:` list"))?;
            groups.push((rg.to_owned(), name.to_owned(), rules.iter().collect()));
        }
        Some(Held::Groups(list)) => {
            for g in list {
                let name = g.get("name").and_then(Value::as_str).unwrap_or_default();
                let (id_rg, _) = from_id(g.get("id").and_then(Value::as_str).unwrap_or_default());
                let rg = g
                    .get("resourceGroup")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or(id_rg)
                    .unwrap_or_else(|| az.resource_group.clone());
                let props = g.get("properties").unwrap_or(g);
                let rules: Vec<&Value> = ["securityRules", "defaultSecurityRules"]
                    .iter()
                    .filter_map(|k| props.get(*k).and_then(Value::as_array))
                    .flatten()
                    .collect();
                groups.push((rg, name.to_owned(), rules));
            }
        }
        Some(Held::Rules(list)) => {
            // `az network nsg rule list`: one group's rules, named in ids.
            let mut by: Vec<(String, String, Vec<&Value>)> = Vec::new();
            for r in list {
                let (id_rg, id_nsg) =
                    from_id(r.get("id").and_then(Value::as_str).unwrap_or_default());
                let rg = r
                    .get("resourceGroup")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or(id_rg)
                    .unwrap_or_else(|| az.resource_group.clone());
                let Some(nsg) = id_nsg else {
                    let name = r.get("name").and_then(Value::as_str).unwrap_or_default();
                    let line = cursor.seek(&[name.to_owned()]);
                    return Err(InputError::new(
                        &doc.path,
                        line,
                        1,
                        format!("rule `{name}` has no `id` naming its network security group"),
                    ));
                };
                match by.iter_mut().find(|(g, n, _)| *g == rg && *n == nsg) {
                    Some((_, _, l)) => l.push(r),
                    None => by.push((rg, nsg, vec![r])),
                }
            }
            groups = by;
        }
        None => return Ok((out, notes)),
    }
    for (rg, name, rules) in groups {
        let Some(nsg) = scope_group(az, &rg, &name) else {
            notes.push(format!(
                "{}: network security group `{rg}/{name}` is not one scope `{}` names; skipped",
                doc.shown, scope.name
            ));
            continue;
        };
        for r in rules {
            let rname = r.get("name").and_then(Value::as_str).unwrap_or_default();
            let line = cursor.seek(&[rname.to_owned()]);
            let resource = azure_rule(&az.resource_group, &nsg, r)
                .map_err(|m| InputError::new(&doc.path, line, 1, m))?;
            out.push(DeclaredRecord {
                compact: None,
                address: None,
                resource,
                at: format!("{}:{line}", doc.shown),
            });
        }
    }
    Ok((out, notes))
}

/// One live rule as an entry of a native `kind: azure_nsg` file.
#[must_use]
pub fn native_rule(spec: &Value) -> Value {
    let mut m = Map::new();
    for k in [
        "name",
        "priority",
        "direction",
        "access",
        "protocol",
        "sourcePorts",
        "destinationPorts",
        "sources",
        "destinations",
        "sourceApplicationSecurityGroups",
        "destinationApplicationSecurityGroups",
        "description",
    ] {
        if let Some(v) = spec.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    Value::Object(m)
}

/// A native file of one group's live rules (Azure's defaults left out:
/// they are the provider's).
#[must_use]
pub fn native_yaml(
    resource_group: &str,
    nsg: &str,
    rules: &[&driftgate_model::Resource],
) -> String {
    let list: Vec<Value> = rules.iter().map(|r| native_rule(&r.spec)).collect();
    let doc =
        json!({"kind": "azure_nsg", "resourceGroup": resource_group, "name": nsg, "rules": list});
    format!(
        "# Imported by `driftgate import` from live state.\n{}",
        serde_yaml_ng::to_string(&doc).unwrap_or_default()
    )
}
