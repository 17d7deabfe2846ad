//! The Route53 provider against recorded, documented REST-XML responses
//! served on loopback, through the real SDK client: paging across a weighted
//! set (NextRecordIdentifier, which moto never sends), `\052` wildcards,
//! twin zones, throttling, and the request pace.

use super::Route53Provider;
use aws_config::BehaviorVersion;
use aws_sdk_route53::config::{Credentials, Region};
use driftgate_model::fake::check_conformance;
use driftgate_model::replay::{Log, Request, serve};
use driftgate_model::{ErrorKind, Provider};
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/aws/route53-replay")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

const XML: &str = "text/xml";

fn answer(req: &Request) -> (u16, &'static str, String) {
    let path = req.target.split('?').next().unwrap_or_default();
    assert_eq!(
        req.method, "GET",
        "only read calls: {} {}",
        req.method, req.target
    );
    if path.ends_with("/hostedzonesbyname") {
        let name = req.query("dnsname").unwrap_or_default();
        return match name.as_str() {
            "example.com." => (200, XML, fixture("ListHostedZonesByName-example.com.xml")),
            "twin.example." => (200, XML, fixture("ListHostedZonesByName-twin.example.xml")),
            "slow.example." => (400, XML, fixture("Throttling.xml")),
            "repeat.example." => (
                200,
                XML,
                fixture("ListHostedZonesByName-example.com.xml")
                    .replace("example.com.", "repeat.example.")
                    .replace("Z0EXAMPLE", "Z0REPEAT"),
            ),
            other => (
                200,
                XML,
                format!(
                    "<ListHostedZonesByNameResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><HostedZones></HostedZones><DNSName>{other}</DNSName><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesByNameResponse>"
                ),
            ),
        };
    }
    if path == "/2013-04-01/hostedzone/Z0REPEAT/rrset" {
        // example.com's pages, each after the first starting again with the
        // last set of the page before (as a listing may across a boundary).
        let last_set = |xml: &str| {
            let s = xml.split("<ResourceRecordSet>").last().unwrap();
            format!(
                "<ResourceRecordSet>{}",
                s.split("</ResourceRecordSet>").next().unwrap()
            ) + "</ResourceRecordSet>"
        };
        let (p1, p2, p3) = (
            fixture("ListResourceRecordSets-page1.xml"),
            fixture("ListResourceRecordSets-page2.xml"),
            fixture("ListResourceRecordSets-page3.xml"),
        );
        let again = |page: &str, before: &str| {
            page.replacen(
                "<ResourceRecordSets>",
                &format!("<ResourceRecordSets>{}", last_set(before)),
                1,
            )
        };
        let body = match req.query("name").as_deref() {
            None => p1.clone(),
            Some("app.repeat.example.") => again(&p2, &p1),
            Some("www.repeat.example.") => again(&p3, &p2),
            other => panic!("unexpected page start {other:?}"),
        };
        return (200, XML, body.replace("example.com.", "repeat.example."));
    }
    if path == "/2013-04-01/hostedzone/Z0EXAMPLE/rrset" {
        let page = match (
            req.query("name").as_deref(),
            req.query("identifier").as_deref(),
        ) {
            (None, _) => 1,
            (Some("app.example.com."), Some("green")) => 2,
            (Some("www.example.com."), None) => 3,
            other => panic!("unexpected page start {other:?}"),
        };
        return (
            200,
            XML,
            fixture(&format!("ListResourceRecordSets-page{page}.xml")),
        );
    }
    panic!("unexpected call {} {}", req.method, req.target)
}

async fn provider(zones: &[&str]) -> (Route53Provider, Log) {
    let (url, log) = serve(answer).await;
    // Each fake server its own account: zone lookups are remembered per
    // account for the whole process.
    let account = url.clone();
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
    (
        Route53Provider::new(&config, zones.iter().map(|z| (*z).to_owned()).collect())
            .with_pacer(crate::pace::Pacer::for_account(&config, &account)),
        log,
    )
}

#[tokio::test]
async fn a_zone_is_looked_up_once_per_account() {
    let (p, log) = provider(&["example.com"]).await;
    assert!(p.scan().await.complete());
    // The same provider again (as `--blame` or another scope asks):
    // the zone's id is remembered, its record sets are read again.
    assert!(p.scan().await.complete());
    let seen = log.lock().unwrap();
    let lookups = seen
        .iter()
        .filter(|r| r.target.contains("/hostedzonesbyname"))
        .count();
    let pages = seen.iter().filter(|r| r.target.contains("/rrset")).count();
    assert_eq!(lookups, 1, "one ListHostedZonesByName for the account");
    assert!(pages >= 2, "{pages}");
}

#[tokio::test]
async fn pages_follow_the_record_identifier_and_return_each_set_once() {
    let (p, log) = provider(&["example.com"]).await;
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    assert!(result.complete(), "{:?}", result.unchecked);
    let ids: Vec<&str> = result.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "example.com/*.example.com/CNAME",
            "example.com/app.example.com/A/blue",
            "example.com/app.example.com/A/green",
            "example.com/example.com/NS",
            "example.com/example.com/SOA",
            "example.com/lb.example.com/A",
            "example.com/www.example.com/A",
            "example.com/www.example.com/TXT",
        ]
    );
    let lb = result
        .resources
        .iter()
        .find(|r| r.id.ends_with("lb.example.com/A"))
        .unwrap();
    assert_eq!(lb.spec["alias"]["evaluateTargetHealth"], true);
    let rrset_calls: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.target.contains("/rrset"))
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(rrset_calls.len(), 3, "{rrset_calls:?}");
    assert!(
        rrset_calls.iter().all(|t| t.contains("maxitems=300")),
        "{rrset_calls:?}"
    );
}

#[tokio::test]
async fn a_set_a_page_repeats_from_the_page_before_is_returned_once() {
    let (p, _log) = provider(&["repeat.example"]).await;
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    assert!(result.complete(), "{:?}", result.unchecked);
    let ids: Vec<&str> = result.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "repeat.example/*.repeat.example/CNAME",
            "repeat.example/app.repeat.example/A/blue",
            "repeat.example/app.repeat.example/A/green",
            "repeat.example/lb.repeat.example/A",
            "repeat.example/repeat.example/NS",
            "repeat.example/repeat.example/SOA",
            "repeat.example/www.repeat.example/A",
            "repeat.example/www.repeat.example/TXT",
        ]
    );
}

#[tokio::test]
async fn twin_zones_missing_zones_and_throttling() {
    let (p, _log) = provider(&["twin.example", "nozone.example", "slow.example"]).await;
    let result = p.scan().await;
    check_conformance(&p, &result).unwrap();
    assert!(
        result.scopes_read.is_empty(),
        "a zone not found is never read as empty: {:?}",
        result.scopes_read
    );
    assert_eq!(result.unchecked.len(), 3);
    let gone = result
        .unchecked
        .iter()
        .find(|u| u.id == "nozone.example/*")
        .unwrap();
    assert_eq!(gone.error.kind, ErrorKind::NotFound);
    assert!(
        gone.error
            .message
            .contains("no hosted zone named nozone.example"),
        "{}",
        gone.error.message
    );
    let mut result = result;
    result.unchecked.retain(|u| u.id != "nozone.example/*");
    let slow = &result.unchecked[0];
    assert_eq!(
        (slow.id.as_str(), slow.error.kind),
        ("slow.example/*", ErrorKind::Throttled)
    );
    let twin = &result.unchecked[1];
    assert_eq!(twin.id, "twin.example/*");
    assert!(
        twin.error
            .message
            .contains("2 hosted zones are named twin.example"),
        "{}",
        twin.error.message
    );
}

#[tokio::test(start_paused = true)]
async fn requests_are_paced_to_five_a_second() {
    let start = tokio::time::Instant::now();
    let config = aws_config::SdkConfig::builder().build();
    let pacer = crate::pace::Pacer::for_account(&config, "pace-test");
    for _ in 0..11 {
        pacer.wait(crate::pace::Family::Route53).await;
    }
    // Eleven requests need at least ten gaps of 200 ms (on tokio's paused
    // clock: no wall time is measured).
    assert!(
        start.elapsed() >= std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}
