//! `ecs_service`: an ECS service together with the task definition it runs.
//! Id: `<cluster>/<service>`.
//!
//! - [`normalize`]: the field table of CreateService and
//!   RegisterTaskDefinition, AWS's defaults, units, list order.
//! - [`formats`]: native `kind: ecs_service` YAML and the AWS CLI / ecspresso
//!   JSON pair, with ecspresso templates.

pub mod adopt;
pub mod formats;
pub mod import;
pub mod normalize;
pub mod revert;

use super::{AuditLookup, KindRules, Revert};
use crate::normalize::{Mode, Node, SchemaError, SecretPolicy};
use driftgate_model::{Cloud, Kind, Suggestion};
use serde_json::Value;

/// The ECS service kind.
pub struct EcsService;

impl KindRules for EcsService {
    fn kind(&self) -> Kind {
        Kind::EcsService
    }

    fn normalize(&self, spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
        normalize::normalize(spec, mode)
    }

    fn mask(&self, spec: &mut Value, policy: &SecretPolicy) -> Vec<String> {
        policy.mask_ecs(spec)
    }

    fn declared_only(&self, path: &str) -> bool {
        normalize::declared_only(path)
    }

    fn describe(&self, spec: &Value) -> Option<String> {
        let images: Vec<&str> = spec
            .pointer("/taskDefinition/containerDefinitions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("image").and_then(Value::as_str))
            .collect();
        let mut out = format!(
            "service {}",
            spec.get("serviceName")
                .and_then(Value::as_str)
                .unwrap_or("?")
        );
        if !images.is_empty() {
            out.push_str(&format!(" running {}", images.join(", ")));
        }
        if let Some(n) = spec.get("desiredCount").and_then(Value::as_i64) {
            out.push_str(&format!(", {n} task{}", if n == 1 { "" } else { "s" }));
        }
        if let Some(l) = spec.get("launchType").and_then(Value::as_str) {
            out.push_str(&format!(" on {l}"));
        }
        Some(out)
    }

    fn defaults(&self) -> Vec<crate::normalize::schema::DefaultRow> {
        use crate::normalize::schema::DefaultRow;
        let mut rows = crate::normalize::schema::defaults(normalize::SERVICE, "");
        // Defaults that depend on another field (normalize::contextual_defaults).
        for (path, value) in [
            (
                "deploymentConfiguration.maximumPercent",
                "200 (100 for DAEMON)",
            ),
            (
                "deploymentConfiguration.minimumHealthyPercent",
                "100 (0 for DAEMON)",
            ),
            (
                "taskDefinition.containerDefinitions[].portMappings[].hostPort",
                "containerPort under awsvpc and host networking, 0 under bridge",
            ),
        ] {
            rows.push(DefaultRow {
                path: path.to_owned(),
                value: Some(value.to_owned()),
            });
        }
        rows
    }

    fn scope_noun(&self) -> &'static str {
        "cluster"
    }

    fn id_prefix<'a>(&self, scope: &'a crate::config::Scope, _id: &str) -> Option<&'a str> {
        scope.aws.as_ref().and_then(|a| a.id_prefix.as_deref())
    }

    fn revert(&self, at: &Revert<'_>, cloud: Cloud, out: &mut Suggestion) {
        match cloud {
            Cloud::Aws => revert::ecs(at.finding, at.scope, at.declared, out),
            other => out
                .notes
                .push(format!("no revert command for ecs_service on {other}")),
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
        import::files(scope, undeclared)
    }

    fn audit(&self, id: &str, cloud: Cloud) -> Result<AuditLookup, String> {
        if cloud != Cloud::Aws {
            return Err(format!("no audit log lookup for ecs_service on {cloud}"));
        }
        let (cluster, service) = id.split_once('/').unwrap_or(("", id));
        let cluster = crate::config::bare(cluster).to_owned();
        Ok(AuditLookup {
            names: vec![service.to_owned()],
            source: "ecs.amazonaws.com",
            // A service of the same name in another cluster is not this one.
            matches: Box::new(move |e: &Value| {
                e.pointer("/requestParameters/cluster")
                    .and_then(Value::as_str)
                    .is_none_or(|c| formats::cluster_name(c) == cluster)
            }),
            global: false,
        })
    }
}
