//! ECS: every service of each configured cluster and the task definition it runs.
//!
//! - [`api`] makes the SDK calls (ListServices paged, DescribeServices ten at a
//!   time, DescribeTaskDefinition once per distinct ARN and account, bounded
//!   concurrency, each call paced at the account's ECS quotas).
//! - [`map`] turns what they returned into model resources.

pub mod api;
pub mod map;

#[cfg(test)]
mod replay_tests;

use driftgate_model::provider::scope_key;
use driftgate_model::{Kind, Provider, ProviderError, ScanResult, Unchecked};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// How many DescribeTaskDefinition calls run at once, per provider.
const TASK_DEFINITION_CONCURRENCY: usize = 8;

/// The ECS provider for one AWS target.
#[derive(Debug, Clone)]
pub struct EcsProvider {
    client: aws_sdk_ecs::Client,
    clusters: Vec<String>,
    /// For messages: where the clusters were looked for.
    region: String,
    /// Paces the calls at the account's ECS quotas.
    pacer: crate::pace::Pacer,
}

impl EcsProvider {
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig, clusters: Vec<String>) -> Self {
        EcsProvider {
            client: crate::client::ecs(config),
            clusters,
            region: config
                .region()
                .map_or_else(|| "the default region".to_owned(), |r| r.to_string()),
            pacer: crate::pace::Pacer::new(config),
        }
    }

    /// Paces this provider's calls with `pacer` (whose account is known).
    #[must_use]
    pub fn with_pacer(mut self, pacer: crate::pace::Pacer) -> Self {
        self.pacer = pacer;
        self
    }

    /// Reads one cluster. A failure to list or describe the services makes the
    /// whole cluster unchecked; a failure to read one task definition makes
    /// only the services that run it unchecked.
    async fn scan_cluster(&self, cluster: &str, gate: Arc<Semaphore>) -> ScanResult {
        let mut result = ScanResult::default();
        let whole = |error| Unchecked {
            kind: Kind::EcsService,
            id: format!("{cluster}/*"),
            error,
        };
        let services = match api::active_services(&self.client, &self.pacer, cluster).await {
            Ok(s) => s,
            Err(e) if e.kind == driftgate_model::ErrorKind::NotFound => {
                // No such cluster here: a wrong region or account far more
                // often than a cluster deleted by hand. Its services are
                // unchecked, never reported missing on a guess.
                result.unchecked.push(whole(ProviderError::new(
                    driftgate_model::ErrorKind::NotFound,
                    "ecs",
                    "ListServices",
                    format!(
                        "cluster `{}` does not exist in {} (wrong region or account?)",
                        driftgate_model::ids::bare(cluster),
                        self.region
                    ),
                )));
                return result;
            }
            Err(e) => {
                result.unchecked.push(whole(e));
                return result;
            }
        };
        let task_definitions =
            api::task_definitions(&self.client, &self.pacer, &services, gate).await;
        for service in services {
            match map::resource(cluster, service, &task_definitions) {
                Ok(r) => result.resources.push(r),
                Err(u) => result.unchecked.push(u),
            }
        }
        result
            .scopes_read
            .push(scope_key(Kind::EcsService, cluster));
        result
    }
}

#[async_trait::async_trait]
impl Provider for EcsProvider {
    fn name(&self) -> &'static str {
        "aws-ecs"
    }

    fn supports(&self) -> &'static [Kind] {
        &[Kind::EcsService]
    }

    async fn scan(&self) -> ScanResult {
        let gate = Arc::new(Semaphore::new(TASK_DEFINITION_CONCURRENCY));
        let mut set = tokio::task::JoinSet::new();
        for cluster in &self.clusters {
            let this = self.clone();
            let cluster = cluster.clone();
            let gate = gate.clone();
            set.spawn(async move { this.scan_cluster(&cluster, gate).await });
        }
        let mut out = ScanResult::default();
        while let Some(joined) = set.join_next().await {
            // A panicking cluster task is a bug; fail closed rather than hide it.
            out.absorb(joined.expect("ECS cluster scan task panicked"));
        }
        out.sorted()
    }
}
