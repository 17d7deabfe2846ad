//! The network security group provider against documented Network REST
//! answers on loopback: paging by `nextLink`, Azure's default rules, a
//! group with no rules of its own, a group that is not there, 401, 403,
//! 429 then success, a page that is not whole.

use super::AzureNsgProvider;
use crate::StaticToken;
use driftgate_model::fake::check_conformance;
use driftgate_model::replay::{Request, serve};
use driftgate_model::{ErrorKind, Provider, ScanResult};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/azure/nsg-replay")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

async fn server() -> String {
    let base: Arc<OnceLock<String>> = Arc::default();
    let b = base.clone();
    let throttled = Arc::new(AtomicUsize::new(0));
    let (url, _) = serve(move |req: &Request| {
        if req.header("authorization") != Some("Bearer good") {
            return (401, "application/json", fixture("error-expired-token.json"));
        }
        let t = &req.target;
        assert!(t.contains("api-version=2024-05-01"), "{t}");
        if t.contains("/resourceGroups/denied/") {
            return (
                403,
                "application/json",
                fixture("error-authorization-failed.json"),
            );
        }
        if t.contains("/resourceGroups/broken/") {
            return (200, "application/json", fixture("nsgs-malformed.json"));
        }
        if t.contains("/resourceGroups/busy/") && throttled.fetch_add(1, Ordering::SeqCst) == 0 {
            return (429, "application/json", fixture("error-throttled.json"));
        }
        let page = if t.contains("skipToken=page2") { 2 } else { 1 };
        let body = fixture(&format!("nsgs-page{page}.json")).replace("{{BASE}}", b.get().unwrap());
        (200, "application/json", body)
    })
    .await;
    base.set(url.clone()).unwrap();
    url
}

async fn scan(url: &str, token: &str, rg: &str, groups: &[&str]) -> ScanResult {
    let p = AzureNsgProvider::new(
        url,
        Arc::new(StaticToken(token.into())),
        "00000000-0000-0000-0000-000000000000",
        rg,
        groups.iter().map(|g| (*g).to_owned()).collect(),
    );
    let r = p.scan().await;
    check_conformance(&p, &r).unwrap();
    r
}

#[tokio::test]
async fn groups_are_found_across_pages_with_their_default_rules() {
    let url = server().await;
    let r = scan(&url, "good", "net", &["web-nsg", "Empty-NSG"]).await;
    assert!(r.unchecked.is_empty(), "{:?}", r.unchecked);
    let ids: Vec<&str> = r.resources.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.contains(&"net:web-nsg/allow-https"), "{ids:?}");
    assert!(ids.contains(&"net:web-nsg/DenyAllInBound"), "{ids:?}");
    // The scope's spelling of a group names its rules.
    assert!(ids.contains(&"net:Empty-NSG/AllowVnetInBound"), "{ids:?}");
    assert_eq!(
        ids.iter()
            .filter(|i| i.starts_with("net:Empty-NSG/"))
            .count(),
        6
    );
    assert!(
        !ids.iter().any(|i| i.starts_with("net:other-nsg/")),
        "only the named groups"
    );
    let alt = r
        .resources
        .iter()
        .find(|r| r.id == "net:web-nsg/allow-http-alt")
        .unwrap();
    assert_eq!(
        alt.spec["destinationPorts"],
        serde_json::json!(["8000-8010", "8080"])
    );
    assert_eq!(alt.spec["sourcePorts"], serde_json::json!(["*"]));
    let app = r
        .resources
        .iter()
        .find(|r| r.id == "net:web-nsg/allow-app-tier")
        .unwrap();
    assert!(
        app.spec["sourceApplicationSecurityGroups"][0]
            .as_str()
            .unwrap()
            .ends_with("/applicationsecuritygroups/app-asg")
    );
    assert_eq!(
        r.scopes_read,
        ["firewall_rule:net:Empty-NSG", "firewall_rule:net:web-nsg"]
    );
}

#[tokio::test]
async fn missing_denied_unauthenticated_throttled_and_malformed() {
    let url = server().await;
    let kind = |r: &ScanResult| {
        assert!(r.resources.is_empty() && r.scopes_read.is_empty(), "{r:?}");
        r.unchecked[0].error.kind
    };
    let r = scan(&url, "good", "net", &["gone-nsg"]).await;
    assert_eq!(
        kind(&r),
        ErrorKind::NotFound,
        "a group not there is unchecked, not empty"
    );
    assert_eq!(r.unchecked[0].id, "net:gone-nsg/*");
    assert_eq!(
        kind(&scan(&url, "good", "denied", &["web-nsg"]).await),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        kind(&scan(&url, "bad", "net", &["web-nsg"]).await),
        ErrorKind::Unauthenticated
    );
    assert_eq!(
        kind(&scan(&url, "good", "broken", &["web-nsg"]).await),
        ErrorKind::Malformed
    );
    let r = scan(&url, "good", "busy", &["web-nsg"]).await;
    assert!(
        r.unchecked.is_empty(),
        "a throttled list is waited out: {:?}",
        r.unchecked
    );
}
