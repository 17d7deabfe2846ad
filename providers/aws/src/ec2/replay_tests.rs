//! The EC2 Query client against documented responses on loopback: the
//! request is a signed POST of the right action and filter, `nextToken` is
//! followed, and a denied call is unchecked as permission denied.

use super::SecurityGroupProvider;
use aws_config::BehaviorVersion;
use aws_sdk_ecs::config::{Credentials, Region};
use driftgate_model::fake::check_conformance;
use driftgate_model::replay::{Request, serve};
use driftgate_model::{ErrorKind, Provider};
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/aws/ec2-replay")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn answer(req: &Request) -> (u16, &'static str, String) {
    assert_eq!(req.method, "POST");
    let body = String::from_utf8_lossy(&req.body).to_string();
    assert!(body.contains("Action=DescribeSecurityGroups"), "{body}");
    assert!(body.contains("Version=2016-11-15"), "{body}");
    assert!(body.contains("Filter.1.Name=vpc-id"), "{body}");
    if body.contains("vpc-denied") {
        return (403, "text/xml", fixture("UnauthorizedOperation.xml"));
    }
    let page = if body.contains("NextToken=page-2") {
        2
    } else {
        1
    };
    (
        200,
        "text/xml",
        fixture(&format!("DescribeSecurityGroups-page{page}.xml")),
    )
}

#[tokio::test]
async fn pages_are_followed_requests_signed_and_denials_unchecked() {
    let (url, log) = serve(answer).await;
    let config = aws_config::defaults(BehaviorVersion::latest())
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
        .await;
    let p = SecurityGroupProvider::new(&config, vec!["vpc-0abc".into(), "vpc-denied".into()])
        .with_pacer(crate::pace::Pacer::for_account(&config, "replay"));
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    let ids: Vec<&str> = result.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "vpc-0abc/sg-1a2b3c4d/egress/all/any/0.0.0.0/0",
            "vpc-0abc/sg-1a2b3c4d/ingress/tcp/80/0.0.0.0/0",
            "vpc-0abc/sg-2a2b3c4d/ingress/tcp/6000-7000/pl-12345678",
            "vpc-0abc/sg-2a2b3c4d/ingress/tcp/6000-7000/sg-1a2b3c4d",
        ]
    );
    assert_eq!(result.resources[1].spec["description"], "http & friends");
    assert_eq!(result.unchecked.len(), 1);
    assert_eq!(result.unchecked[0].id, "vpc-denied/*");
    assert_eq!(result.unchecked[0].error.kind, ErrorKind::PermissionDenied);
    let calls = log.lock().unwrap().clone();
    assert!(calls.iter().all(|c| {
        c.header("authorization").is_some_and(|a| {
            a.starts_with("AWS4-HMAC-SHA256 Credential=AKIDREPLAY/")
                && a.contains("/us-east-1/ec2/aws4_request")
        })
    }));
    assert!(calls.iter().all(|c| c.header("x-amz-date").is_some()));
}
