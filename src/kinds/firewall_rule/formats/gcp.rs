//! GCP firewall declared files.
//!
//! What `gcloud compute firewall-rules describe --format=json|yaml` prints
//! (one rule), what `list --format=json` prints (a list), the REST
//! `compute#firewallList` (`items`), and driftgate's native YAML:
//!
//! ```yaml
//! kind: gcp_firewall_rules
//! project: acme-prod          # optional when the scope names it
//! network: default            # for rules that name none
//! rules:
//!   - {name: allow-ssh, allowed: [{IPProtocol: tcp, ports: ["22"]}], sourceRanges: [35.235.240.0/20], targetTags: [ssh]}
//! ```
//!
//! Rules that name no network take the scope's, when it names exactly one.
//! Hierarchical firewall policies (`firewallPolicys` in
//! `getEffectiveFirewalls` output) are not compared, with a note.

use crate::declared::DeclaredRecord;
use crate::declared::Document;
use crate::declared::locate::Cursor;
use crate::error::InputError;
use driftgate_model::firewall::gcp_rule;
use serde_json::{Value, json};

fn is_rule(v: &Value) -> bool {
    v.get("name").is_some() && (v.get("allowed").is_some() || v.get("denied").is_some())
}

/// The rules a document holds, if it is a GCP firewall document, and notes.
#[must_use]
pub fn rules_in(v: &Value) -> Option<(Vec<&Value>, Vec<String>)> {
    let v = v
        .get("body")
        .filter(|b| b.get("items").is_some())
        .unwrap_or(v);
    if is_rule(v) {
        return Some((vec![v], vec![]));
    }
    if let Some(a) = v.as_array()
        && !a.is_empty()
        && a.iter().all(is_rule)
    {
        return Some((a.iter().collect(), vec![]));
    }
    if let Some(items) = v.get("items").and_then(Value::as_array)
        && v.get("kind").and_then(Value::as_str) == Some("compute#firewallList")
    {
        return Some((items.iter().collect(), vec![]));
    }
    if let Some(fws) = v.get("firewalls").and_then(Value::as_array) {
        let mut notes = Vec::new();
        if let Some(p) = v
            .get("firewallPolicys")
            .and_then(Value::as_array)
            .filter(|p| !p.is_empty())
        {
            notes.push(format!(
                "{} hierarchical firewall policies are not compared",
                p.len()
            ));
        }
        return Some((fws.iter().collect(), notes));
    }
    None
}

/// The project a rule's URLs name (`.../projects/<p>/global/...`).
fn project_of(rule: &Value) -> Option<&str> {
    ["selfLink", "network"].iter().find_map(|k| {
        let url = rule.get(*k)?.as_str()?;
        let rest = url.split("/projects/").nth(1)?;
        rest.split('/').next()
    })
}

/// Reads a GCP firewall document for a scope with `projects` (none when the
/// scope has no [scope.gcp]) and `networks`. A rule's project comes from its
/// URLs, the file's `project:`, or the scope's one project.
///
/// # Errors
/// A rule of another project or network, or one that does not read.
pub fn read(
    doc: &Document,
    projects: &[String],
    networks: &[String],
) -> Result<(Vec<DeclaredRecord>, Vec<String>), InputError> {
    let project = match projects {
        [one] => Some(one.as_str()),
        _ => None,
    };
    let native = doc.value.get("kind").and_then(Value::as_str) == Some("gcp_firewall_rules");
    let (rules, mut notes, file_project, file_network) = if native {
        let rules = doc
            .value
            .get("rules")
            .and_then(Value::as_array)
            .ok_or_else(|| doc.error_at(&[], "a gcp_firewall_rules file needs a `rules:` list"))?;
        if let Some(k) = doc.value.as_object().and_then(|o| {
            o.keys()
                .find(|k| !["kind", "project", "network", "rules"].contains(&k.as_str()))
        }) {
            return Err(doc.error_at(
                std::slice::from_ref(k),
                format!("unknown field `{k}`, expected one of `project`, `network`, `rules`"),
            ));
        }
        (
            rules.iter().collect::<Vec<_>>(),
            Vec::new(),
            doc.value.get("project").and_then(Value::as_str),
            doc.value.get("network").and_then(Value::as_str),
        )
    } else {
        let (r, n) =
            rules_in(&doc.value).ok_or_else(|| doc.error_at(&[], "not a GCP firewall document"))?;
        (r, n, None, None)
    };
    notes
        .iter_mut()
        .for_each(|n| *n = format!("{}: {n}", doc.shown));
    let default_network = file_network.or(match networks {
        [one] => Some(one.as_str()),
        _ => None,
    });
    let mut out = Vec::new();
    let mut cursor = Cursor::new(&doc.text);
    for rule in rules {
        let name = rule
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let line = cursor.seek(std::slice::from_ref(&name));
        let here = |m: String| InputError::new(&doc.path, line, 1, m);
        let p = project_of(rule)
            .or(file_project)
            .or(project)
            .ok_or_else(|| {
                here(if projects.is_empty() {
                    format!("firewall rule `{name}` names no project, and the scope has no [scope.gcp] project")
                } else {
                    format!(
                        "firewall rule `{name}` names no project, and the scope reads several ({}): add `project:` to the file",
                        projects.join(", ")
                    )
                })
            })?;
        if !projects.is_empty() && !projects.iter().any(|sp| sp == p) {
            return Err(here(format!(
                "firewall rule `{name}` is in project `{p}`, not in this scope's ({})",
                projects.join(", ")
            )));
        }
        let resource = gcp_rule(p, rule, default_network).map_err(here)?;
        let network = resource.spec["network"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !networks.contains(&network) {
            return Err(here(format!(
                "firewall rule `{name}` is on network `{network}`, not in this scope's firewall_networks ({})",
                networks.join(", ")
            )));
        }
        out.push(DeclaredRecord {
            compact: None,
            address: None,
            resource,
            at: format!("{}:{line}", doc.shown),
        });
    }
    Ok((out, notes))
}

/// The native YAML of one network's live rules.
#[must_use]
pub fn native_yaml(project: &str, network: &str, rules: &[&driftgate_model::Resource]) -> String {
    let list: Vec<Value> = rules.iter().map(|r| native_rule(&r.spec)).collect();
    let doc = json!({"kind": "gcp_firewall_rules", "project": project, "network": network, "rules": list});
    format!(
        "# Imported by `driftgate import` from live state.\n{}",
        serde_yaml_ng::to_string(&doc).unwrap_or_default()
    )
}

/// The fields a rule's spec shares with the compute v1 `Firewall` resource,
/// as they are.
pub const PLAIN_FIELDS: &[&str] = &[
    "sourceRanges",
    "destinationRanges",
    "sourceTags",
    "targetTags",
    "sourceServiceAccounts",
    "targetServiceAccounts",
    "disabled",
    "description",
];

/// A spec's protocols and ports as the API's `allowed` or `denied` list.
#[must_use]
pub fn allowed_or_denied(s: &Value) -> (&'static str, Value) {
    let entries: Vec<Value> = s["rules"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let mut x = json!({"IPProtocol": e["protocol"]});
                    if let Some(p) = e.get("ports") {
                        x["ports"] = p.clone();
                    }
                    x
                })
                .collect()
        })
        .unwrap_or_default();
    let key = if s["action"] == "deny" {
        "denied"
    } else {
        "allowed"
    };
    (key, Value::Array(entries))
}

/// One rule as an entry of a native file's `rules:`.
#[must_use]
pub fn native_rule(s: &Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("name".into(), s["name"].clone());
    if s["direction"] != "INGRESS" {
        m.insert("direction".into(), s["direction"].clone());
    }
    if s["priority"] != 1000 {
        m.insert("priority".into(), s["priority"].clone());
    }
    let (key, list) = allowed_or_denied(s);
    m.insert(key.into(), list);
    for k in PLAIN_FIELDS {
        if let Some(v) = s.get(*k) {
            m.insert((*k).into(), v.clone());
        }
    }
    if s.get("logging").is_some() {
        m.insert("logConfig".into(), json!({"enable": true}));
    }
    Value::Object(m)
}
