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
            // example.org's first page, then gone.
            "half.example" => {
                if req.query("$skipToken").as_deref() == Some("page2") {
                    (404, JSON, fixture("error-not-found.json"))
                } else {
                    let body = fixture("recordsets-page1.json")
                        .replace("{{BASE}}", b.get().expect("base set"))
                        .replace("example.org", "half.example");
                    (200, JSON, body)
                }
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
async fn pages_are_handed_over_as_read_and_a_zone_gone_after_a_page_is_unchecked() {
    let (p, _log) = provider(&["example.org", "half.example"]).await;
    let handed: Arc<std::sync::Mutex<Vec<Vec<String>>>> = Arc::default();
    let h = handed.clone();
    let p = p.with_pages(driftgate_model::provider::Pages::new(move |page| {
        h.lock()
            .unwrap()
            .push(page.into_iter().map(|r| r.id).collect());
    }));
    let result = p.scan().await;
    assert!(result.resources.is_empty(), "handed over, not held");
    assert_eq!(result.scopes_read, vec!["dns_record:example.org"]);
    // half.example answered a page, then 404: not "read and empty" (its
    // declared sets would all be missing), unchecked.
    assert_eq!(result.unchecked.len(), 1);
    let u = &result.unchecked[0];
    assert_eq!(
        (u.id.as_str(), u.error.kind),
        ("half.example/*", ErrorKind::NotFound)
    );
    let mut pages = handed.lock().unwrap().clone();
    pages.sort();
    let sizes: Vec<(String, usize)> = pages
        .iter()
        .map(|p| (p[0].split('/').next().unwrap().to_owned(), p.len()))
        .collect();
    let example: usize = sizes
        .iter()
        .filter(|(z, _)| z == "example.org")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        example, 10,
        "every set of example.org, in its pages: {sizes:?}"
    );
    assert_eq!(
        sizes.iter().filter(|(z, _)| z == "example.org").count(),
        2,
        "one hand-over a listing page: {sizes:?}"
    );
    assert!(
        sizes.iter().any(|(z, _)| z == "half.example"),
        "the page read before the failure was handed over (it then counts for nothing): {sizes:?}"
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
