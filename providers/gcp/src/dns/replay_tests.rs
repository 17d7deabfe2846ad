//! The Cloud DNS provider against documented v1 answers on loopback: the
//! zone found by DNS name (public or private), record sets paged, routing
//! policies, an empty zone, 401, 403, 429 then success, an answer of the
//! wrong kind (unchecked, never an empty zone).

use super::{GcpDnsProvider, Visibility};
use crate::StaticToken;
use driftgate_model::fake::check_conformance;
use driftgate_model::replay::{Request, serve};
use driftgate_model::{ErrorKind, Provider};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/gcp/dns-replay")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// acme-prod holds example.net (public and private); empty.example has no
/// records; `broken.example` answers in the wrong shape; acme-dev denies.
fn answer(req: &Request, throttle: &AtomicUsize) -> (u16, &'static str, String) {
    assert_eq!(req.method, "GET");
    if req.header("authorization") != Some("Bearer good") {
        return (
            401,
            "application/json",
            fixture("error-unauthenticated.json"),
        );
    }
    if req.target.contains("/projects/acme-dev/") {
        return (
            403,
            "application/json",
            fixture("error-permission-denied.json"),
        );
    }
    let t = &req.target;
    if t.contains("/managedZones?") && !t.starts_with("/dns/v1/projects/acme-prod/") {
        return (200, "application/json", fixture("managed-zones-empty.json"));
    }
    if t.starts_with("/dns/v1/projects/acme-prod/managedZones?") {
        return match req.query("dnsName").as_deref() {
            Some("example.net.") => (
                200,
                "application/json",
                fixture("managed-zones-example-net.json"),
            ),
            Some(z @ ("empty.example." | "broken.example." | "busy.example.")) => {
                let name = z.trim_end_matches('.').replace('.', "-");
                (
                    200,
                    "application/json",
                    format!(
                        r#"{{"kind": "dns#managedZonesListResponse", "managedZones": [{{"kind": "dns#managedZone", "name": "{name}", "dnsName": "{z}", "visibility": "public"}}]}}"#
                    ),
                )
            }
            _ => (200, "application/json", fixture("managed-zones-empty.json")),
        };
    }
    match t.split('?').next().unwrap() {
        "/dns/v1/projects/acme-prod/managedZones/example-net/rrsets" => {
            let page = if req.query("pageToken").as_deref() == Some("page-2") { 2 } else { 1 };
            (200, "application/json", fixture(&format!("rrsets-page{page}.json")))
        }
        "/dns/v1/projects/acme-prod/managedZones/example-net-internal/rrsets" => (
            200,
            "application/json",
            r#"{"kind": "dns#resourceRecordSetsListResponse", "rrsets": [{"kind": "dns#resourceRecordSet", "name": "db.example.net.", "type": "A", "ttl": 60, "rrdatas": ["10.0.0.5"]}]}"#.to_owned(),
        ),
        "/dns/v1/projects/acme-prod/managedZones/empty-example/rrsets" => {
            (200, "application/json", fixture("rrsets-empty.json"))
        }
        "/dns/v1/projects/acme-prod/managedZones/broken-example/rrsets" => {
            (200, "application/json", fixture("rrsets-malformed.json"))
        }
        "/dns/v1/projects/acme-prod/managedZones/busy-example/rrsets" => {
            if throttle.fetch_add(1, Ordering::SeqCst) == 0 {
                (429, "application/json", fixture("error-rate-limited.json"))
            } else {
                (200, "application/json", fixture("rrsets-empty.json"))
            }
        }
        other => panic!("unexpected {other}"),
    }
}

async fn server() -> String {
    let throttle = Arc::new(AtomicUsize::new(0));
    serve(move |req: &Request| answer(req, &throttle)).await.0
}

fn provider(
    url: &str,
    token: &str,
    projects: &[&str],
    zones: &[(&str, Visibility)],
) -> GcpDnsProvider {
    GcpDnsProvider::new(
        url,
        Arc::new(StaticToken(token.into())),
        projects.iter().map(|p| (*p).to_owned()).collect(),
        zones.iter().map(|(z, v)| ((*z).to_owned(), *v)).collect(),
    )
}

#[tokio::test]
async fn a_zone_is_found_by_name_and_its_pages_followed() {
    let url = server().await;
    let p = provider(
        &url,
        "good",
        &["acme-dev-none", "acme-prod"],
        &[("example.net", Visibility::Public)],
    );
    let r = p.scan().await;
    check_conformance(&p, &r).unwrap();
    assert!(r.unchecked.is_empty(), "{:?}", r.unchecked);
    let ids: Vec<&str> = r.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "example.net/*.example.net/CNAME",
            "example.net/app.example.net/A",
            "example.net/example.net/MX",
            "example.net/example.net/NS",
            "example.net/example.net/SOA",
            "example.net/example.net/TXT",
            "example.net/geo.example.net/A",
            "example.net/lb.example.net/A",
            "example.net/www.example.net/A",
        ]
    );
    let lb = r
        .resources
        .iter()
        .find(|r| r.id.ends_with("lb.example.net/A"))
        .unwrap();
    assert_eq!(
        lb.spec["routingPolicy"]["primaryBackup"]["primaryTargets"]["internalLoadBalancers"][0]["ipAddress"],
        "10.128.0.5"
    );
    assert_eq!(lb.spec["managedZone"], "example-net");
    assert_eq!(r.scopes_read, ["dns_record:example.net"]);
}

#[tokio::test]
async fn the_private_zone_of_a_name_is_read_when_asked_for() {
    let url = server().await;
    let p = provider(
        &url,
        "good",
        &["acme-prod"],
        &[("example.net", Visibility::Private)],
    );
    let r = p.scan().await;
    let ids: Vec<&str> = r.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["example.net/db.example.net/A"]);
}

#[tokio::test]
async fn empty_throttled_missing_denied_unauthenticated_and_malformed() {
    let url = server().await;
    // An empty zone is read (nothing in it); a throttled one is waited out.
    let r = provider(
        &url,
        "good",
        &["acme-prod"],
        &[
            ("empty.example", Visibility::Public),
            ("busy.example", Visibility::Public),
        ],
    )
    .scan()
    .await;
    assert!(r.unchecked.is_empty(), "{:?}", r.unchecked);
    assert!(r.resources.is_empty());
    assert_eq!(r.scopes_read.len(), 2);
    let kind_of = |r: &driftgate_model::ScanResult| {
        assert!(r.resources.is_empty() && r.scopes_read.is_empty());
        r.unchecked[0].error.kind
    };
    let r = provider(
        &url,
        "good",
        &["acme-prod"],
        &[("nowhere.example", Visibility::Public)],
    )
    .scan()
    .await;
    assert_eq!(
        kind_of(&r),
        ErrorKind::NotFound,
        "a zone not there is unchecked, not empty"
    );
    let r = provider(
        &url,
        "good",
        &["acme-dev"],
        &[("example.net", Visibility::Public)],
    )
    .scan()
    .await;
    assert_eq!(kind_of(&r), ErrorKind::PermissionDenied);
    let r = provider(
        &url,
        "bad",
        &["acme-prod"],
        &[("example.net", Visibility::Public)],
    )
    .scan()
    .await;
    assert_eq!(kind_of(&r), ErrorKind::Unauthenticated);
    let r = provider(
        &url,
        "good",
        &["acme-prod"],
        &[("broken.example", Visibility::Public)],
    )
    .scan()
    .await;
    assert_eq!(kind_of(&r), ErrorKind::Malformed);
    assert_eq!(r.unchecked[0].id, "broken.example/*");
}
