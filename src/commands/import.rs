//! `driftgate import`: live state -> native YAML declared files.

use super::{ExitStatus, explain_incomplete};
use crate::config::Config;
use crate::diff::scope_of;
use crate::kinds::ecs_service::formats::cluster_name;
use crate::kinds::ecs_service::normalize::SERVICE;
use crate::normalize::provider_owned;
use crate::normalize::schema::prune;
use crate::pipeline;
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub struct Args {
    pub config: PathBuf,
    pub live: Option<PathBuf>,
    pub force: bool,
    pub scopes: Vec<String>,
    /// `--timeout`: overrides `[scan] timeout`.
    pub timeout: Option<std::time::Duration>,
}

/// The native YAML for one live service. Secret values are already digests.
///
/// # Errors
/// Only serialization's.
pub fn native_yaml(r: &Resource) -> anyhow::Result<String> {
    let mut doc = Map::new();
    doc.insert(
        "kind".into(),
        Value::String(Kind::EcsService.as_str().into()),
    );
    let cluster = r
        .spec
        .get("cluster")
        .and_then(Value::as_str)
        .map_or_else(|| crate::config::bare(scope_of(&r.id)), cluster_name);
    doc.insert("cluster".into(), Value::String(cluster.to_owned()));
    doc.insert(
        "serviceName".into(),
        r.spec
            .get("serviceName")
            .cloned()
            .unwrap_or_else(|| Value::String(r.id.rsplit('/').next().unwrap_or_default().into())),
    );
    if let Value::Object(rest) = prune(&r.spec, SERVICE) {
        doc.extend(rest);
    }
    let body = serde_yaml_ng::to_string(&Value::Object(doc))?;
    Ok(format!(
        "# Imported by `driftgate import` from live state. Secret values are sha256 digests:\n# driftgate compares them without ever storing the value.\n{body}"
    ))
}

/// Writes one file per live resource not declared yet. Nothing is written
/// when the scan is incomplete or any target file exists (unless `--force`).
///
/// # Errors
/// Bad config or declared files, a write error.
pub async fn run(args: Args) -> anyhow::Result<ExitStatus> {
    let mut config = Config::load(&args.config)?;
    if let Some(t) = args.timeout {
        config.timeout = t;
    }
    pipeline::select(&mut config, &args.scopes)?;
    let declared = super::declared(&config, true)?;
    let live = pipeline::live_state(&config, args.live.as_deref()).await?;
    if !live.complete() {
        explain_incomplete(&live.unchecked);
        eprintln!("error: the scan is incomplete; nothing was imported");
        return Ok(ExitStatus::Error);
    }
    let unread = pipeline::unread_scopes(&config, &live);
    if !unread.is_empty() {
        anyhow::bail!(
            "clusters not in the live state: {}; nothing was imported",
            unread.join(", ")
        );
    }
    let known: BTreeSet<(Kind, &str)> = declared
        .iter()
        .map(|d| (d.resource.kind, d.resource.id.as_str()))
        .collect();
    let mut plan = Vec::new();
    for scope in &config.scopes {
        let ecs = scope
            .aws
            .as_ref()
            .map(crate::config::AwsScope::ecs_targets)
            .unwrap_or_default();
        for r in &live.resources {
            if r.kind != Kind::EcsService {
                continue;
            }
            let Some(target) = ecs.iter().find(|t| t.target == scope_of(&r.id)) else {
                continue;
            };
            if known.contains(&(r.kind, r.id.as_str())) {
                eprintln!("skipped {} {}: already declared", r.kind, r.id);
                continue;
            }
            let name = r.id.split_once('/').map_or(r.id.as_str(), |(_, n)| n);
            // In a scope that reads several regions, each region's files sit
            // in a directory named after it.
            let multi = scope.aws.as_ref().is_some_and(|a| a.multi_region());
            let base = match (&target.region, multi) {
                (Some(region), true) => scope.declared.join(region),
                _ => scope.declared.clone(),
            };
            let path = base
                .join("ecs")
                .join(&target.cluster)
                .join(format!("{name}.yaml"));
            if path.exists() && !args.force {
                anyhow::bail!(
                    "{} exists; pass --force to overwrite. Nothing was imported",
                    path.display()
                );
            }
            plan.push((path, native_yaml(r)?));
        }
        for zone in scope.dns_zones() {
            let records: Vec<&Resource> = live
                .resources
                .iter()
                .filter(|r| {
                    r.kind == Kind::DnsRecord
                        && scope_of(&r.id)
                            == crate::config::prefixed(scope.zone_prefix(&zone), &zone)
                        && !known.contains(&(r.kind, r.id.as_str()))
                        && !provider_owned(r.kind, &r.id)
                })
                .collect();
            if records.is_empty() {
                continue;
            }
            let path = scope.declared.join("dns").join(format!("{zone}.yaml"));
            if path.exists() && !args.force {
                anyhow::bail!(
                    "{} exists; pass --force to overwrite. Nothing was imported",
                    path.display()
                );
            }
            plan.push((
                path,
                crate::kinds::dns_record::formats::native_yaml(&zone, &records),
            ));
        }
        let vpcs = scope
            .aws
            .as_ref()
            .map(|a| a.security_group_vpcs.clone())
            .unwrap_or_default();
        let mut groups: std::collections::BTreeMap<(String, String), Vec<&Resource>> =
            Default::default();
        for r in &live.resources {
            if r.kind == Kind::FirewallRule
                && vpcs.iter().any(|v| v == scope_of(&r.id))
                && !known.contains(&(r.kind, r.id.as_str()))
                && !provider_owned(r.kind, &r.id)
            {
                let vpc = r.spec["vpc"].as_str().unwrap_or_default().to_owned();
                let gid = r.spec["groupId"].as_str().unwrap_or_default().to_owned();
                groups.entry((vpc, gid)).or_default().push(r);
            }
        }
        if let Some(g) = &scope.gcp {
            for (project, network) in g.networks() {
                let target = format!("{project}:{network}");
                let rules: Vec<&Resource> = live
                    .resources
                    .iter()
                    .filter(|r| {
                        r.kind == Kind::FirewallRule
                            && scope_of(&r.id) == target
                            && !known.contains(&(r.kind, r.id.as_str()))
                    })
                    .collect();
                if rules.is_empty() {
                    continue;
                }
                let path = scope
                    .declared
                    .join("firewall")
                    .join(format!("{project}-{network}.yaml"));
                if path.exists() && !args.force {
                    anyhow::bail!(
                        "{} exists; pass --force to overwrite. Nothing was imported",
                        path.display()
                    );
                }
                plan.push((
                    path,
                    crate::kinds::firewall_rule::formats::gcp::native_yaml(
                        &project, &network, &rules,
                    ),
                ));
            }
        }
        for ((vpc, gid), rules) in groups {
            let path = scope
                .declared
                .join("firewall")
                .join(&vpc)
                .join(format!("{gid}.yaml"));
            if path.exists() && !args.force {
                anyhow::bail!(
                    "{} exists; pass --force to overwrite. Nothing was imported",
                    path.display()
                );
            }
            plan.push((
                path,
                crate::kinds::firewall_rule::formats::native_yaml(&rules),
            ));
        }
    }
    for (path, text) in &plan {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::write_atomically(path, text.as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    eprintln!("imported {} files", plan.len());
    Ok(ExitStatus::InSync)
}
