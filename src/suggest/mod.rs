//! `check --suggest`: for each drifted resource, both ways out.
//!
//! - **Revert** live to Git: the exact command that would do it (`aws ...`,
//!   `az rest ...`, `gcloud ...`/`curl ...` for GCP's REST API), with the
//!   declared values as its payload. driftgate itself never runs them: it
//!   stays read-only. Secret values are placeholders (driftgate never holds
//!   them), and the note says so.
//! - **Adopt** live into Git: the `driftgate adopt` command for the resource
//!   and the patch it would write (verified, see [`crate::adopt`]), or why it
//!   cannot.

use crate::adopt::Plan;
use crate::config::{Config, Scope, region_of_target};
use crate::diff::scope_of;
use crate::normalize::secrets::is_digest;
use driftgate_model::Cloud;
use driftgate_model::{Finding, Kind, Resource, State, Suggestion};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A word for a POSIX shell: single-quoted unless it is plain.
#[must_use]
pub fn sh(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=,+".contains(&b))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

pub(crate) fn compact(v: &Value) -> String {
    sh(&serde_json::to_string(v).unwrap_or_default())
}

pub(crate) const SECRET: &str = "REPLACE_WITH_SECRET";

/// Replaces every digest (a masked secret) in a payload with a placeholder.
pub(crate) fn unmask(v: &mut Value) -> bool {
    match v {
        Value::String(s) if is_digest(s) => {
            *s = SECRET.to_owned();
            true
        }
        // A secret inside a longer value (a URL's password, `--token=`).
        Value::String(s) if s.contains("***masked:") => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(i) = rest.find("***masked:") {
                out.push_str(&rest[..i]);
                out.push_str(SECRET);
                let after = &rest[i + 10..];
                rest = after.find("***").map_or("", |j| &after[j + 3..]);
            }
            out.push_str(rest);
            *s = out;
            true
        }
        // Every element is visited: no short circuit.
        Value::Array(a) => a.iter_mut().map(unmask).filter(|x| *x).count() > 0,
        Value::Object(o) => o.values_mut().map(unmask).filter(|x| *x).count() > 0,
        _ => false,
    }
}

/// Adds both ways out to every drifted finding.
pub fn suggest(
    config: &Config,
    findings: &mut [Finding],
    declared: &BTreeMap<(String, Kind, String), Resource>,
    live: &BTreeMap<(Kind, String), Resource>,
    plan: &Plan,
    root: &Path,
) {
    let refused: BTreeMap<(&str, Kind, &str), &str> = plan
        .refused
        .iter()
        .map(|(k, why)| ((k.scope.as_str(), k.kind, k.id.as_str()), why.as_str()))
        .collect();
    let tf_groups = terraform::groups(findings);
    // Zone ids by name, from the Route53 zones the scopes' states hold.
    let zone_ids: HashMap<String, String> = config
        .scopes
        .iter()
        .filter_map(|s| s.terraform.as_ref())
        .flat_map(|t| t.loaded.iter())
        .flat_map(|l| l.parsed.instances.iter())
        .chain(
            in_tree_states(config)
                .iter()
                .flat_map(|p| p.instances.iter()),
        )
        .filter(|i| i.rtype == "aws_route53_zone")
        .filter_map(|i| {
            let a = &i.attributes;
            let id = crate::declared::terraform::text(a, "zone_id")
                .or_else(|| crate::declared::terraform::text(a, "id"))?;
            let name = crate::declared::terraform::text(a, "name")?;
            Some((driftgate_model::dns::canonical_name(name), id.to_owned()))
        })
        .collect();
    for f in findings.iter_mut().filter(|f| f.state.is_drift()) {
        let Some(scope) = config.scopes.iter().find(|s| s.name == f.scope) else {
            continue;
        };
        let decl = declared.get(&(f.scope.clone(), f.kind, f.id.clone()));
        let live_r = live.get(&(f.kind, f.live_id.clone().unwrap_or_else(|| f.id.clone())));
        let mut s = Suggestion::default();
        let on_aws = f.cloud == Some(Cloud::Aws);
        match f.cloud {
            Some(cloud) => crate::kinds::rules(f.kind).revert(
                &crate::kinds::Revert {
                    finding: f,
                    scope,
                    declared: decl,
                    live: live_r,
                },
                cloud,
                &mut s,
            ),
            None => s.notes.push(format!(
                "no revert command: the {} `{}` is not a target of scope `{}`",
                f.kind, f.id, f.scope
            )),
        }
        if let Some(role) = scope.aws.as_ref().and_then(|a| a.role_arn.as_ref())
            && on_aws
            && !s.revert.is_empty()
        {
            s.notes.push(format!(
                "run it with the credentials of the scope's role {role} (a write-capable session of that account: driftgate's own role only reads)"
            ));
        }
        let key = crate::adopt::Key {
            scope: f.scope.clone(),
            kind: f.kind,
            id: f.id.clone(),
        };
        if let Some(files) = plan.adopted.get(&key) {
            s.adopt = Some(format!("driftgate adopt --resource {}", sh(&f.id)));
            let only: Plan = Plan {
                files: plan
                    .files
                    .iter()
                    .filter(|(p, _)| files.contains(*p))
                    .map(|(p, v)| (p.clone(), v.clone()))
                    .collect(),
                ..Plan::default()
            };
            s.patch = Some(only.patch(root));
            if let Some(left) = plan.partial.get(&key) {
                s.notes.extend(left.iter().map(|(_, why)| why.clone()));
            }
        } else if let Some(why) = refused.get(&(f.scope.as_str(), f.kind, f.id.as_str()))
            && f.address.is_none()
            && scope.terraform.is_none()
        {
            s.notes.push(format!("adopt: {why}"));
        }
        if f.address.is_some() || (scope.terraform.is_some() && f.state == State::Unmanaged) {
            terraform::suggest(f, scope, live_r, &tf_groups, &zone_ids, root, &mut s);
        }
        f.suggest = Some(Box::new(s));
    }
}

/// `--region R --profile P`, as the scope reads the resource.
pub(crate) fn aws_flags(scope: &Scope, id: &str, regional: bool) -> String {
    let Some(a) = &scope.aws else {
        return String::new();
    };
    let mut out = String::new();
    let region = region_of_target(scope_of(id))
        .map(str::to_owned)
        .or_else(|| (a.regions.len() == 1).then(|| a.regions[0].clone()));
    if regional && let Some(r) = region {
        out.push_str(&format!(" --region {}", sh(&r)));
    }
    if let Some(p) = &a.profile {
        out.push_str(&format!(" --profile {}", sh(p)));
    }
    out
}

/// The state files of every scope's declared tree, parsed (for the zone
/// ids an import block needs).
fn in_tree_states(
    config: &Config,
) -> Vec<std::sync::Arc<crate::declared::terraform::state::Parsed>> {
    let mut out = Vec::new();
    for s in &config.scopes {
        let files = crate::declared::files(&s.declared).unwrap_or_default();
        let states = crate::declared::terraform::ScopeStates::new(s, &files, &config.root);
        out.extend(states.in_tree.into_values().flatten());
    }
    out
}

pub mod terraform;

#[cfg(test)]
mod tests;
