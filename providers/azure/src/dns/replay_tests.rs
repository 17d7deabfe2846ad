//! The Azure DNS provider against documented response shapes served on
//! loopback: `nextLink` paging, the bearer token on every call, an expired
//! token, a zone that does not exist, and throttling retried.

use super::AzureDnsProvider;
use crate::StaticToken;
use driftgate_model::fake::check_conformance;
use driftgate_model::replay::{Log, Request, serve};
use driftgate_model::{ErrorKind, Provider};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/azure/dns-replay")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

const JSON: &str = "application/json; charset=utf-8";

async fn provider(zones: &[&str]) -> (AzureDnsProvider, Log) {
    let base: Arc<OnceLock<String>> = Arc::default();
    let busy_calls = Arc::new(AtomicUsize::new(0));
    let b = base.clone();
    let (url, log) = serve(move |req: &Request| {
        assert_eq!(req.method, "GET", "only read calls");
        assert_eq!(req.query("api-version").as_deref(), Some("2018-05-01"));
        let zone = req
            .target
            .split("/dnsZones/")
            .nth(1)
            .and_then(|t| t.split('/').next())
            .unwrap_or_default()
            .to_owned();
        match zone.as_str() {
            "example.org" => {
                let page = if req.query("$skipToken").as_deref() == Some("page2") {
                    2
                } else {
                    1
                };
                let body = fixture(&format!("recordsets-page{page}.json"))
                    .replace("{{BASE}}", b.get().expect("base set"));
                (200, JSON, body)
            }
            "expired.example" => (401, JSON, fixture("error-expired-token.json")),
            "gone.example" => (404, JSON, fixture("error-not-found.json")),
            "busy.example" => {
                if busy_calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    (429, JSON, fixture("error-throttled.json"))
                } else {
                    (200, JSON, r#"{"value": []}"#.to_owned())
                }
            }
            other => panic!("unexpected zone {other}: {}", req.target),
        }
    })
    .await;
    base.set(url.clone()).unwrap();
    let p = AzureDnsProvider::new(
        &url,
        Arc::new(StaticToken("test-token".into())),
        "00000000-0000-0000-0000-000000000000",
        "dns",
        zones.iter().map(|z| (*z).to_owned()).collect(),
    );
    (p, log)
}

#[tokio::test]
async fn follows_next_link_and_maps_every_shape() {
    let (p, log) = provider(&["example.org"]).await;
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    assert!(result.complete(), "{:?}", result.unchecked);
    let ids: Vec<&str> = result.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "example.org/*.example.org/CNAME",
            "example.org/_sip._tcp.example.org/SRV",
            "example.org/app.example.org/A",
            "example.org/example.org/CAA",
            "example.org/example.org/MX",
            "example.org/example.org/NS",
            "example.org/example.org/SOA",
            "example.org/example.org/TXT",
            "example.org/www.example.org/A",
            "example.org/www.example.org/AAAA",
        ]
    );
    let calls = log.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "two pages");
    assert!(calls[1].target.contains("skipToken=page2"));
    assert!(
        calls
            .iter()
            .all(|c| c.header("authorization") == Some("Bearer test-token"))
    );
}

#[tokio::test]
async fn expired_tokens_missing_zones_and_throttling() {
    let (p, log) = provider(&["expired.example", "gone.example", "busy.example"]).await;
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    assert_eq!(
        result.scopes_read,
        vec!["dns_record:busy.example", "dns_record:gone.example"]
    );
    assert_eq!(result.unchecked.len(), 1);
    let u = &result.unchecked[0];
    assert_eq!(
        (u.id.as_str(), u.error.kind),
        ("expired.example/*", ErrorKind::Unauthenticated)
    );
    assert!(
        u.error.message.contains("ExpiredAuthenticationToken"),
        "{}",
        u.error.message
    );
    let busy = log
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.target.contains("busy.example"))
        .count();
    assert_eq!(
        busy, 2,
        "the throttled call is retried once and then succeeds"
    );
}

#[tokio::test]
async fn a_cut_short_or_empty_200_is_retried_then_unchecked_never_an_empty_zone() {
    for body in [
        "",
        "{\"value\": [{\"name\": \"www\"",
        "{\"nextLink\": null}",
    ] {
        let (url, log) =
            serve(move |_req: &Request| (200, "application/json", body.to_owned())).await;
        let p = AzureDnsProvider::new(
            &url,
            Arc::new(StaticToken("test-token".into())),
            "00000000-0000-0000-0000-000000000000",
            "dns",
            vec!["example.org".into()],
        );
        let result = p.scan().await;
        assert!(
            result.resources.is_empty() && result.scopes_read.is_empty(),
            "{body:?}"
        );
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
