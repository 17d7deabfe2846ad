//! `driftgate import` for ECS services: one native YAML file per live service
//! of the scope's clusters, under `ecs/<cluster>/` (`<region>/ecs/<cluster>/`
//! in a scope of several regions).

use crate::config::Scope;
use crate::diff::scope_of;
use crate::kinds::ecs_service::formats::cluster_name;
use crate::kinds::ecs_service::normalize::SERVICE;
use crate::normalize::schema::prune;
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value};
use std::path::PathBuf;

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

/// The files for the live services of `scope`'s clusters not declared yet.
///
/// # Errors
/// Only serialization's.
pub fn files(scope: &Scope, undeclared: &[&Resource]) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let ecs = scope
        .aws
        .as_ref()
        .map(crate::config::AwsScope::ecs_targets)
        .unwrap_or_default();
    let mut out = Vec::new();
    for r in undeclared {
        let Some(target) = ecs.iter().find(|t| t.target == scope_of(&r.id)) else {
            continue;
        };
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
        out.push((path, native_yaml(r)?));
    }
    Ok(out)
}
