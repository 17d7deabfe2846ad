//! The GCP firewall provider against documented `firewalls.list` responses on
//! loopback: paging, the network filter, the bearer token, an auth error.

use super::GcpFirewallProvider;
use crate::StaticToken;
use driftgate_model::fake::check_conformance;
use driftgate_model::replay::{Request, serve};
use driftgate_model::{ErrorKind, Provider};
use std::path::PathBuf;
use std::sync::Arc;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/gcp/firewall-replay")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn answer(req: &Request) -> (u16, &'static str, String) {
    assert_eq!(req.method, "GET");
    if req.header("authorization") != Some("Bearer good-token") {
        return (
            401,
            "application/json",
            fixture("error-unauthenticated.json"),
        );
    }
    assert!(
        req.target
            .starts_with("/compute/v1/projects/acme-prod/global/firewalls"),
        "{}",
        req.target
    );
    let page = if req.query("pageToken").as_deref() == Some("page-2") {
        2
    } else {
        1
    };
    (
        200,
        "application/json",
        fixture(&format!("firewalls-page{page}.json")),
    )
}

#[tokio::test]
async fn pages_are_followed_and_other_networks_left_out() {
    let (url, log) = serve(answer).await;
    let p = GcpFirewallProvider::new(
        &url,
        Arc::new(StaticToken("good-token".into())),
        "acme-prod",
        vec!["default".into()],
    );
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    let ids: Vec<&str> = result.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "acme-prod:default/allow-ssh",
            "acme-prod:default/allow-web",
            "acme-prod:default/deny-egress-smtp"
        ]
    );
    let deny = &result.resources[2].spec;
    assert_eq!(
        (
            deny["direction"].as_str(),
            deny["action"].as_str(),
            deny["priority"].as_i64()
        ),
        (Some("EGRESS"), Some("deny"), Some(900))
    );
    assert_eq!(log.lock().unwrap().len(), 2, "two pages");
    assert_eq!(result.scopes_read, vec!["firewall_rule:acme-prod:default"]);
}

#[tokio::test]
async fn an_auth_error_makes_every_network_unchecked() {
    let (url, _log) = serve(answer).await;
    let p = GcpFirewallProvider::new(
        &url,
        Arc::new(StaticToken("expired".into())),
        "acme-prod",
        vec!["default".into(), "staging".into()],
    );
    let result = p.scan().await;
    assert!(result.resources.is_empty());
    let ids: Vec<&str> = result.unchecked.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, vec!["acme-prod:default/*", "acme-prod:staging/*"]);
    assert_eq!(result.unchecked[0].error.kind, ErrorKind::Unauthenticated);
}

#[tokio::test]
async fn a_cut_short_or_empty_200_is_retried_then_unchecked_never_an_empty_list() {
    for body in [
        "",
        "{\"kind\": \"compute#firewallList\", \"items\": [{\"name\": \"a\"",
        "{\"items\": []}",
    ] {
        let (url, log) = serve(move |_req| (200, "application/json", body.to_owned())).await;
        let p = GcpFirewallProvider::new(
            &url,
            Arc::new(StaticToken("good-token".into())),
            "acme-prod",
            vec!["default".into()],
        );
        let result = p.scan().await;
        assert!(result.resources.is_empty() && result.scopes_read.is_empty());
        assert_eq!(result.unchecked.len(), 1, "{body:?}");
        assert_eq!(
            result.unchecked[0].error.kind,
            ErrorKind::Malformed,
            "{body:?}"
        );
        assert_eq!(
            log.lock().unwrap().len(),
            driftgate_model::http::ATTEMPTS as usize,
            "retried"
        );
    }
}
