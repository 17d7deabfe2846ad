//! The ECS read calls. Only List and Describe APIs are called here.

use crate::error::classify;
use crate::pace::{Family, Pacer};
use crate::raw::RawBody;
use aws_sdk_ecs::types::{ServiceField, TaskDefinitionField};
use driftgate_model::{ErrorKind, ProviderError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
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

/// ListServices returns at most this many ARNs a page.
pub const LIST_SERVICES_PAGE: i32 = 100;

/// The ARNs of every service in a cluster, following every page.
///
/// # Errors
/// The first failed call, classified.
pub async fn list_service_arns(
    client: &aws_sdk_ecs::Client,
    pacer: &Pacer,
    cluster: &str,
) -> Result<Vec<String>, ProviderError> {
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        pacer.wait(Family::EcsServiceRead).await;
        let page = client
            .list_services()
            .cluster(cluster)
            .max_results(LIST_SERVICES_PAGE)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| classify(&e, "ecs", "ListServices"))?;
        arns.extend(page.service_arns().iter().cloned());
        match page.next_token().filter(|t| !t.is_empty()) {
            // The same token again would loop for ever: stop, the answer
            // is not whole.
            Some(t) if token.as_deref() == Some(t) => {
                return Err(ProviderError::new(
                    ErrorKind::Unsupported,
                    "ecs",
                    "ListServices",
                    "the same nextToken twice",
                ));
            }
            Some(t) => token = Some(t.to_owned()),
            None => return Ok(arns),
        }
    }
}

/// Every ACTIVE service of a cluster as the raw JSON object DescribeServices
/// returned (with its tags). Services in status INACTIVE or DRAINING have been
/// deleted and are left out.
///
/// # Errors
/// The first failed call, classified.
pub async fn active_services(
    client: &aws_sdk_ecs::Client,
    pacer: &Pacer,
    cluster: &str,
) -> Result<Vec<Value>, ProviderError> {
    let arns = list_service_arns(client, pacer, cluster).await?;
    let mut out = Vec::with_capacity(arns.len());
    for batch in arns.chunks(DESCRIBE_SERVICES_BATCH) {
        pacer.wait(Family::EcsServiceRead).await;
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

/// Task definitions already asked for, by account and ARN, for the whole
/// process: a definition that several clusters or scopes of one account run
/// is described once (each call spends the account's ECS request budget).
/// Concurrent askers wait on the one call.
type Cell = Arc<tokio::sync::OnceCell<Result<Value, ProviderError>>>;

fn memo_cell(account: &str, arn: &str) -> Cell {
    static MEMO: OnceLock<Mutex<HashMap<(String, String), Cell>>> = OnceLock::new();
    MEMO.get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry((account.to_owned(), arn.to_owned()))
        .or_default()
        .clone()
}

/// The task definitions `services` run, each described once per account
/// (see `memo_cell`), at most `gate`'s permits at a time. Each entry is
/// the raw `taskDefinition` object with the definition's tags added under
/// `tags`, or the error reading it.
pub async fn task_definitions(
    client: &aws_sdk_ecs::Client,
    pacer: &Pacer,
    services: &[Value],
    gate: Arc<Semaphore>,
) -> BTreeMap<String, Result<Value, ProviderError>> {
    let arns: BTreeSet<String> = services
        .iter()
        .filter_map(|s| s.get("taskDefinition").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    let account = pacer.account_key().await;
    let mut set = tokio::task::JoinSet::new();
    for arn in arns {
        let client = client.clone();
        let gate = gate.clone();
        let pacer = pacer.clone();
        let cell = memo_cell(&account, &arn);
        set.spawn(async move {
            let got = cell
                .get_or_init(|| async {
                    let _permit = gate.acquire_owned().await;
                    pacer.wait(Family::EcsTaskDefinitionRead).await;
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
