//! Adopting firewall rules: entries of native security group files, of GCP
//! rule files (native, gcloud, REST) and of native Azure network security
//! group files edited, removed, or appended.

use crate::adopt::edit::{self, Seg};
use crate::adopt::{Texts, apply, doc_kind, docs};
use crate::config::Scope;
use driftgate_model::{Finding, Resource, State};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A changed or missing firewall rule, edited in its declaring entry.
pub(crate) fn firewall_edit(
    texts: &mut Texts<'_>,
    file: &Path,
    line: usize,
    f: &Finding,
) -> Result<(), String> {
    let mut text = texts.get(file).ok_or("the declared file cannot be read")?;
    let sg = f.cloud == Some(driftgate_model::Cloud::Aws);
    let kind = doc_kind(&text);
    if f.cloud == Some(driftgate_model::Cloud::Azure) && kind.as_deref() != Some("azure_nsg") {
        return Err("adopt rewrites native Azure files (kind: azure_nsg) only; `az network nsg` output is not rewritten yet".into());
    }
    if sg && kind.as_deref() != Some("security_group") {
        return Err("adopt rewrites native security group files (kind: security_group) only; describe-security-groups output is not rewritten yet".into());
    }
    let span = edit::entry_span(&text, line).ok_or("the rule's entry was not found")?;
    if f.state == State::Missing {
        text = if sg {
            // One peer of the entry: drop it, or the entry when it was the last.
            // `vpc/group/direction/protocol/ports/peer`; a CIDR peer has a `/`.
            let peer = f.id.splitn(6, '/').nth(5).unwrap_or_default().to_owned();
            let t = edit::remove_value(&text, &span, &peer)?;
            let entry = &t[span.start..(span.end - (text.len() - t.len())).min(t.len())];
            let dedented = entry.replacen("- ", "  ", 1);
            let left: Value = serde_yaml_ng::from_str(&dedented).unwrap_or(Value::Null);
            let peers: usize = ["cidrs", "groups", "prefixLists"]
                .iter()
                .map(|k| left.get(*k).and_then(Value::as_array).map_or(0, Vec::len))
                .sum();
            if peers == 0 {
                edit::remove_entry(&text, &span)
            } else {
                t
            }
        } else {
            edit::remove_entry(&text, &span)
        };
        texts.set(file, Some(text));
        return Ok(());
    }
    for c in &f.changes {
        let span = edit::entry_span(&text, line).ok_or("the rule's entry was not found")?;
        text = match c.path.as_str() {
            "peer" if sg => edit::replace_value(
                &text,
                &span,
                c.declared.as_str().unwrap_or_default(),
                c.live.as_str().unwrap_or_default(),
            )
            .map_err(|e| format!("`peer`: {e}"))?,
            "rules" => {
                return Err("its allowed/denied protocols and ports changed: edit them by hand (`check --suggest` shows the live rule)".into());
            }
            "logging" => {
                let keys = [Seg::Key("logConfig".into()), Seg::Key("enable".into())];
                edit::set_value(
                    &text,
                    &span,
                    &keys,
                    &Value::Bool(c.live.as_bool().unwrap_or(false)),
                )
                .or_else(|_| {
                    edit::insert_key(
                        &text,
                        &span,
                        "logConfig",
                        &serde_json::json!({"enable": c.live.as_bool().unwrap_or(false)}),
                    )
                })
                .map_err(|e| format!("`logging`: {e}"))?
            }
            _ => apply(&text, &span, c)?,
        };
    }
    texts.set(file, Some(text));
    Ok(())
}

/// Appends a live security group rule to its group's native file, or
/// starts one where `import` would.
pub(crate) fn sg_new_entry(
    texts: &mut Texts<'_>,
    scope: &Scope,
    r: &Resource,
) -> Result<BTreeSet<PathBuf>, String> {
    let gid = r.spec["groupId"].as_str().unwrap_or_default();
    let direction = r.spec["direction"].as_str().unwrap_or("ingress");
    let entry = edit::render(
        &crate::kinds::firewall_rule::formats::native_entry(&r.spec),
        true,
        true,
        "",
    );
    let found = docs(scope, texts).into_iter().find(|(_, v)| {
        v.get("groupId").and_then(Value::as_str) == Some(gid)
            || v.get("SecurityGroups")
                .and_then(Value::as_array)
                .is_some_and(|g| {
                    g.iter()
                        .any(|g| g.get("GroupId").and_then(Value::as_str) == Some(gid))
                })
    });
    if let Some((path, v)) = found {
        if v.get("kind").and_then(Value::as_str) != Some("security_group") {
            return Err(format!(
                "group {gid} is declared in {} (describe-security-groups output), which adopt does not rewrite yet",
                path.display()
            ));
        }
        let text = texts.get(&path).ok_or("the group's file cannot be read")?;
        texts.set(&path, Some(edit::append_to_list(&text, direction, &entry)?));
        return Ok(BTreeSet::from([path]));
    }
    let vpc = r.spec["vpc"].as_str().unwrap_or_default();
    let path = scope
        .declared
        .join("firewall")
        .join(vpc)
        .join(format!("{gid}.yaml"));
    texts.set(
        &path,
        Some(crate::kinds::firewall_rule::formats::native_yaml(&[r])),
    );
    Ok(BTreeSet::from([path]))
}

/// Appends a live GCP rule to the native file of its project and network,
/// or starts one where `import` would.
pub(crate) fn gcp_new_entry(
    texts: &mut Texts<'_>,
    scope: &Scope,
    r: &Resource,
) -> Result<BTreeSet<PathBuf>, String> {
    let project = r.spec["project"].as_str().unwrap_or_default();
    let network = r.spec["network"].as_str().unwrap_or_default();
    let entry = edit::render(
        &crate::kinds::firewall_rule::formats::gcp::native_rule(&r.spec),
        true,
        true,
        "",
    );
    let found = docs(scope, texts).into_iter().find(|(_, v)| {
        v.get("kind").and_then(Value::as_str) == Some("gcp_firewall_rules")
            && v.get("network").and_then(Value::as_str) == Some(network)
            && v.get("project")
                .and_then(Value::as_str)
                .is_none_or(|p| p == project)
    });
    if let Some((path, _)) = found {
        let text = texts.get(&path).ok_or("the rules file cannot be read")?;
        texts.set(&path, Some(edit::append_to_list(&text, "rules", &entry)?));
        return Ok(BTreeSet::from([path]));
    }
    let path = scope
        .declared
        .join("firewall")
        .join(format!("{project}-{network}.yaml"));
    if texts.get(&path).is_some() {
        return Err(format!(
            "{} exists and is not a native rules file",
            path.display()
        ));
    }
    texts.set(
        &path,
        Some(crate::kinds::firewall_rule::formats::gcp::native_yaml(
            project,
            network,
            &[r],
        )),
    );
    Ok(BTreeSet::from([path]))
}

/// Appends a live Azure rule to the native file of its group, or starts
/// one where `import` would.
pub(crate) fn azure_new_entry(
    texts: &mut Texts<'_>,
    scope: &Scope,
    r: &Resource,
) -> Result<BTreeSet<PathBuf>, String> {
    let rg = r.spec["resourceGroup"].as_str().unwrap_or_default();
    let nsg = r.spec["nsg"].as_str().unwrap_or_default();
    let entry = edit::render(
        &crate::kinds::firewall_rule::formats::azure::native_rule(&r.spec),
        true,
        true,
        "",
    );
    let found = docs(scope, texts).into_iter().find(|(_, v)| {
        v.get("kind").and_then(Value::as_str) == Some("azure_nsg")
            && v.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(nsg))
    });
    if let Some((path, _)) = found {
        let text = texts.get(&path).ok_or("the group's file cannot be read")?;
        texts.set(&path, Some(edit::append_to_list(&text, "rules", &entry)?));
        return Ok(BTreeSet::from([path]));
    }
    let path = scope
        .declared
        .join("firewall")
        .join(format!("azure-{rg}-{nsg}.yaml"));
    if texts.get(&path).is_some() {
        return Err(format!(
            "{} exists and is not a native azure_nsg file",
            path.display()
        ));
    }
    texts.set(
        &path,
        Some(crate::kinds::firewall_rule::formats::azure::native_yaml(
            rg,
            nsg,
            &[r],
        )),
    );
    Ok(BTreeSet::from([path]))
}

/// Plans adopting one drifted firewall rule.
///
/// # Errors
/// Why it cannot be adopted.
pub(crate) fn plan(
    texts: &mut Texts<'_>,
    scope: &Scope,
    f: &Finding,
    at: Option<&(PathBuf, usize)>,
    live_r: Option<&Resource>,
) -> Result<BTreeSet<PathBuf>, String> {
    match (f.state, at) {
        (State::Unmanaged, _) => match live_r {
            Some(r) if f.cloud == Some(driftgate_model::Cloud::Aws) => {
                sg_new_entry(texts, scope, r)
            }
            Some(r) if f.cloud == Some(driftgate_model::Cloud::Azure) => {
                azure_new_entry(texts, scope, r)
            }
            Some(r) => gcp_new_entry(texts, scope, r),
            None => Err("not in the live state".into()),
        },
        (_, Some((file, line))) => {
            firewall_edit(texts, file, *line, f).map(|()| BTreeSet::from([file.clone()]))
        }
        _ => Err("no declared place found for it".into()),
    }
}
