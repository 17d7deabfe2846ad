//! The ECS read calls. Only List and Describe APIs are called here.

use crate::error::classify;
use crate::raw::RawBody;
use aws_sdk_ecs::types::{ServiceField, TaskDefinitionField};
use driftgate_model::{ErrorKind, ProviderError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Every AWS action this module calls: the README's IAM policy is checked
/// against these, and the replay tests against what is really sent.
pub const ACTIONS: &[&str] = &[
    "ecs:ListServices",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
];

/// DescribeServices takes at most this many services a call.
pub const DESCRIBE_SERVICES_BATCH: usize = 10;

/// The ARNs of every service in a cluster, following every page.
///
/// # Errors
/// The first failed call, classified.
pub async fn list_service_arns(
    client: &aws_sdk_ecs::Client,
    cluster: &str,
) -> Result<Vec<String>, ProviderError> {
    let mut arns = Vec::new();
    let mut pages = client
        .list_services()
        .cluster(cluster)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify(&e, "ecs", "ListServices"))?;
        arns.extend(page.service_arns().iter().cloned());
    }
    Ok(arns)
}

/// Every ACTIVE service of a cluster as the raw JSON object DescribeServices
/// returned (with its tags). Services in status INACTIVE or DRAINING have been
/// deleted and are left out.
///
/// # Errors
/// The first failed call, classified.
pub async fn active_services(
    client: &aws_sdk_ecs::Client,
    cluster: &str,
) -> Result<Vec<Value>, ProviderError> {
    let arns = list_service_arns(client, cluster).await?;
    let mut out = Vec::with_capacity(arns.len());
    for batch in arns.chunks(DESCRIBE_SERVICES_BATCH) {
        let raw = RawBody::new();
        client
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.to_vec()))
            .include(ServiceField::Tags)
            .customize()
            .interceptor(raw.clone())
            .send()
            .await
            .map_err(|e| classify(&e, "ecs", "DescribeServices"))?;
        let body = raw.take().map_err(|m| {
            ProviderError::new(ErrorKind::Unsupported, "ecs", "DescribeServices", m)
        })?;
        // A service listed a moment ago and gone now shows up under
        // `failures` with reason MISSING: it was deleted, which is what the
        // diff will say. Any other failure reason means we could not read it.
        if let Some(failures) = body.get("failures").and_then(Value::as_array) {
            for f in failures {
                let reason = f.get("reason").and_then(Value::as_str).unwrap_or("unknown");
                if reason != "MISSING" {
                    return Err(ProviderError::new(
                        ErrorKind::Other,
                        "ecs",
                        "DescribeServices",
                        format!(
                            "{}: {reason}",
                            f.get("arn").and_then(Value::as_str).unwrap_or("service")
                        ),
                    ));
                }
            }
        }
        let services = body
            .get("services")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        out.extend(
            services
                .into_iter()
                .filter(|s| s.get("status").and_then(Value::as_str) == Some("ACTIVE")),
        );
    }
    Ok(out)
}

/// The task definitions the services run, read once per distinct ARN, at most
/// `gate`'s permits at a time. Each entry is the raw `taskDefinition` object
/// with the definition's tags added under `tags`, or the error reading it.
/// Task definitions already asked for, by ARN: shared by every cluster a
/// provider reads, so a definition that several clusters run is described
/// once (each call spends the account's ECS request budget).
pub type Memo = Arc<
    std::sync::Mutex<
        std::collections::HashMap<String, Arc<tokio::sync::OnceCell<Result<Value, ProviderError>>>>,
    >,
>;

/// The task definitions `services` run, each described once per `memo`.
pub async fn task_definitions(
    client: &aws_sdk_ecs::Client,
    services: &[Value],
    gate: Arc<Semaphore>,
    memo: &Memo,
) -> BTreeMap<String, Result<Value, ProviderError>> {
    let arns: BTreeSet<String> = services
        .iter()
        .filter_map(|s| s.get("taskDefinition").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    let mut set = tokio::task::JoinSet::new();
    for arn in arns {
        let client = client.clone();
        let gate = gate.clone();
        let cell = memo
            .lock()
            .expect("the task definition memo is never poisoned")
            .entry(arn.clone())
            .or_default()
            .clone();
        set.spawn(async move {
            let got = cell
                .get_or_init(|| async {
                    let _permit = gate.acquire_owned().await;
                    describe_task_definition(&client, &arn).await
                })
                .await
                .clone();
            (arn, got)
        });
    }
    let mut out = BTreeMap::new();
    while let Some(joined) = set.join_next().await {
        let (arn, got) = joined.expect("DescribeTaskDefinition task panicked");
        out.insert(arn, got);
    }
    out
}

async fn describe_task_definition(
    client: &aws_sdk_ecs::Client,
    arn: &str,
) -> Result<Value, ProviderError> {
    let raw = RawBody::new();
    client
        .describe_task_definition()
        .task_definition(arn)
        .include(TaskDefinitionField::Tags)
        .customize()
        .interceptor(raw.clone())
        .send()
        .await
        .map_err(|e| classify(&e, "ecs", "DescribeTaskDefinition"))?;
    let mut body = raw.take().map_err(|m| {
        ProviderError::new(ErrorKind::Unsupported, "ecs", "DescribeTaskDefinition", m)
    })?;
    let tags = body.get_mut("tags").map(Value::take);
    let mut td = body
        .get_mut("taskDefinition")
        .map(Value::take)
        .filter(Value::is_object)
        .ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Unsupported,
                "ecs",
                "DescribeTaskDefinition",
                "response has no taskDefinition object",
            )
        })?;
    if let (Some(tags), Some(obj)) = (tags, td.as_object_mut())
        && tags.as_array().is_some_and(|t| !t.is_empty())
    {
        obj.insert("tags".into(), tags);
    }
    Ok(td)
}
