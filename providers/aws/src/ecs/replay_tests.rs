//! The ECS provider against recorded, documented response shapes served on
//! loopback, through the real SDK client: paging, batching, deleted services,
//! and a denied call. moto never pages ListServices, so paging is tested here.

use super::EcsProvider;
use aws_config::BehaviorVersion;
use aws_sdk_ecs::config::{Credentials, Region};
use driftgate_model::fake::check_conformance;
use driftgate_model::replay::{Log, Request, serve};
use driftgate_model::{ErrorKind, Provider};
use serde_json::{Value, json};
use std::path::PathBuf;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/aws/ecs-replay")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Answers one awsJson1.1 request.
fn answer(op: &str, body: &Value) -> (u16, Value) {
    let cluster = body
        .get("cluster")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if cluster == "denied" {
        return (400, fixture("AccessDeniedException.json"));
    }
    if cluster == "throttled" {
        return (
            400,
            json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
        );
    }
    match op {
        // A service that hands back the token it was given: the same page
        // for ever.
        "ListServices" if cluster == "looping" => (
            200,
            json!({"serviceArns": ["arn:aws:ecs:us-east-1:123456789012:service/looping/a"], "nextToken": "again"}),
        ),
        "ListServices" => {
            let page = match body.get("nextToken").and_then(Value::as_str) {
                None => 1,
                Some("token-page-2") => 2,
                Some("token-page-3") => 3,
                Some(other) => panic!("unknown nextToken {other}"),
            };
            (200, fixture(&format!("ListServices-page{page}.json")))
        }
        "DescribeServices" => {
            let template = fixture("DescribeServices-item.json");
            let mut services = Vec::new();
            let mut failures = Vec::new();
            for arn in body["services"].as_array().unwrap() {
                let arn = arn.as_str().unwrap();
                let name = arn.rsplit('/').next().unwrap();
                if name == "svc-13" {
                    failures.push(json!({"arn": arn, "reason": "MISSING"}));
                    continue;
                }
                let mut s = template.clone();
                s["serviceArn"] = json!(arn);
                s["serviceName"] = json!(name);
                if name == "svc-07" {
                    s["status"] = json!("INACTIVE");
                }
                if name == "svc-08" {
                    s["status"] = json!("DRAINING");
                }
                services.push(s);
            }
            (200, json!({"services": services, "failures": failures}))
        }
        "DescribeTaskDefinition" => (200, fixture("DescribeTaskDefinition.json")),
        other => panic!("the ECS provider called {other}, which is not a read call it needs"),
    }
}

fn operation(req: &Request) -> String {
    req.header("x-amz-target")
        .unwrap_or_default()
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The fake ECS endpoint: awsJson1.1, the operation in `X-Amz-Target`.
async fn fake_ecs() -> (String, Log) {
    serve(|req: &Request| {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let (status, reply) = answer(&operation(req), &body);
        (status, "application/x-amz-json-1.1", reply.to_string())
    })
    .await
}

/// Every call made so far: (operation, JSON body).
fn calls(log: &Log) -> Vec<(String, Value)> {
    log.lock()
        .unwrap()
        .iter()
        .map(|r| {
            (
                operation(r),
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            )
        })
        .collect()
}

async fn provider(url: &str, clusters: &[&str]) -> EcsProvider {
    let config = config(url).await;
    // Each fake server its own account: the task definition memo is per
    // account for the whole process.
    EcsProvider::new(&config, clusters.iter().map(|c| (*c).to_owned()).collect())
        .with_pacer(crate::pace::Pacer::for_account(&config, url))
}

async fn config(url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(crate::client::http_client())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDREPLAY",
            "replay",
            None,
            None,
            "replay",
        ))
        .load()
        .await
}

#[tokio::test]
async fn pages_batches_and_drops_deleted_services() {
    let (url, log) = fake_ecs().await;
    let p = provider(&url, &["paged"]).await;
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    assert!(result.complete(), "{:?}", result.unchecked);
    assert_eq!(result.scopes_read, vec!["ecs_service:paged"]);

    let ids: Vec<&str> = result.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids.len(),
        20,
        "23 listed, svc-07 inactive, svc-08 draining, svc-13 gone: {ids:?}"
    );
    for deleted in ["paged/svc-07", "paged/svc-08", "paged/svc-13"] {
        assert!(!ids.contains(&deleted), "{deleted} counts as deleted");
    }
    assert!(ids.contains(&"paged/svc-01") && ids.contains(&"paged/svc-23"));

    let calls = calls(&log);
    for (op, _) in &calls {
        assert!(
            super::api::ACTIONS.contains(&format!("ecs:{op}").as_str()),
            "{op} is not in ACTIONS"
        );
    }
    let lists: Vec<&Value> = calls
        .iter()
        .filter(|(op, _)| op == "ListServices")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(lists.len(), 3, "every page followed once");
    assert_eq!(lists[1]["nextToken"], "token-page-2");
    let describes: Vec<usize> = calls
        .iter()
        .filter(|(op, _)| op == "DescribeServices")
        .map(|(_, b)| b["services"].as_array().unwrap().len())
        .collect();
    assert_eq!(describes, vec![10, 10, 3], "at most 10 services a call");
    assert!(
        calls
            .iter()
            .filter(|(op, _)| op == "DescribeServices")
            .all(|(_, b)| b["include"] == json!(["TAGS"]))
    );
    let tds = calls
        .iter()
        .filter(|(op, _)| op == "DescribeTaskDefinition")
        .count();
    assert_eq!(tds, 1, "one call per distinct task definition");

    let spec = &result.resources[0].spec;
    assert_eq!(spec["taskDefinition"]["family"], "web");
    assert_eq!(spec["taskDefinition"]["tags"][0]["key"], "team");
    assert!(spec.get("events").is_none() && spec.get("deployments").is_none());
}

#[tokio::test]
async fn a_task_definition_several_clusters_run_is_described_once() {
    let (url, log) = fake_ecs().await;
    let p = provider(&url, &["paged", "paged-too", "paged-three"]).await;
    let result = p.scan().await;
    assert!(result.complete(), "{:?}", result.unchecked);
    assert_eq!(result.resources.len(), 60);
    let tds = calls(&log)
        .iter()
        .filter(|(op, _)| op == "DescribeTaskDefinition")
        .count();
    assert_eq!(tds, 1, "one call per distinct ARN, not per cluster");
}

#[tokio::test]
async fn scopes_of_one_account_share_their_task_definitions_and_other_accounts_do_not() {
    let (url, log) = fake_ecs().await;
    // Two scopes (two providers, as two `[[scope]]`s build them) in one
    // account and region, read at the same time.
    let a = provider(&url, &["paged"]).await;
    let b = provider(&url, &["paged-too"]).await;
    let (ra, rb) = tokio::join!(a.scan(), b.scan());
    assert!(ra.complete() && rb.complete());
    let tds = |log: &_| {
        calls(log)
            .iter()
            .filter(|(op, _)| op == "DescribeTaskDefinition")
            .count()
    };
    assert_eq!(tds(&log), 1, "one call per ARN and account, across scopes");
    // Another account's provider asks again.
    let config = config(&url).await;
    let other = EcsProvider::new(&config, vec!["paged-three".into()])
        .with_pacer(crate::pace::Pacer::for_account(&config, "another account"));
    assert!(other.scan().await.complete());
    assert_eq!(tds(&log), 2);
}

#[tokio::test]
async fn a_next_token_that_repeats_makes_the_cluster_unchecked_not_a_loop() {
    let (url, log) = fake_ecs().await;
    let p = provider(&url, &["looping"]).await;
    let result = p.scan().await;
    assert_eq!(result.unchecked.len(), 1, "{:?}", result.unchecked);
    assert_eq!(result.unchecked[0].id, "looping/*");
    assert!(
        result.unchecked[0]
            .error
            .message
            .contains("the same nextToken twice")
    );
    let lists = calls(&log)
        .iter()
        .filter(|(op, _)| op == "ListServices")
        .count();
    assert_eq!(
        lists, 2,
        "asked once, then once with the token, then stopped"
    );
}

#[tokio::test]
async fn a_denied_cluster_is_unchecked_and_others_are_still_read() {
    let (url, _log) = fake_ecs().await;
    let p = provider(&url, &["denied", "paged"]).await;
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    assert_eq!(result.unchecked.len(), 1);
    let u = &result.unchecked[0];
    assert_eq!(u.id, "denied/*");
    assert_eq!(u.error.kind, ErrorKind::PermissionDenied);
    assert!(
        u.error.message.contains("not authorized"),
        "{}",
        u.error.message
    );
    assert_eq!(result.resources.len(), 20);
    assert_eq!(result.scopes_read, vec!["ecs_service:paged"]);
}

#[tokio::test]
async fn throttling_past_retries_is_unchecked_as_throttled() {
    let (url, log) = fake_ecs().await;
    let p = provider(&url, &["throttled"]).await;
    let result = p.scan().await;
    assert_eq!(result.unchecked.len(), 1);
    assert_eq!(result.unchecked[0].error.kind, ErrorKind::Throttled);
    let attempts = calls(&log)
        .iter()
        .filter(|(op, _)| op == "ListServices")
        .count();
    assert!(
        attempts > 1,
        "throttling is retried before giving up ({attempts} attempts)"
    );
}
