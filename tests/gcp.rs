//! GCP firewall rules end to end through the binary, against documented
//! compute v1 responses on loopback (GCP has no emulator). The token is given
//! with `DRIFTGATE_GCP_TOKEN`, so no credential reaches out.

use crate::common::{driftgate, root, run, write};
use driftgate_model::replay::{Request, serve};
use serde_json::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("fixtures/gcp/firewall-replay").join(name)).unwrap()
}

fn compute() -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let url = rt
        .block_on(serve(|req: &Request| {
            if req.header("authorization") != Some("Bearer replay-token") {
                return (
                    401,
                    "application/json",
                    fixture("error-unauthenticated.json"),
                );
            }
            if req.target == "/v2/entries:list" {
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                let filter = body["filter"].as_str().unwrap_or_default();
                let file = if filter.contains(
                    "protoPayload.resourceName=\"projects/acme-prod/global/firewalls/allow-ssh\"",
                ) {
                    std::fs::read_to_string(
                        root().join("fixtures/gcp/audit-replay/entries-firewall.json"),
                    )
                    .unwrap()
                } else {
                    "{}".to_owned()
                };
                return (200, "application/json", file);
            }
            if req.target.contains("/projects/acme-dev/") {
                return (
                    403,
                    "application/json",
                    fixture("error-permission-denied.json"),
                );
            }
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
        }))
        .0;
    (rt, url)
}

#[test]
fn gcp_rules_opened_changed_and_removed_by_hand_are_found() {
    let (_rt, url) = compute();
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"gcp\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.gcp]\nproject = \"acme-prod\"\nfirewall_networks = [\"default\"]\nendpoint = \"{url}\"\n"
        ),
    );
    let cmd = |args: &[&str]| {
        run(driftgate(d.path())
            .args(args)
            .env("DRIFTGATE_GCP_TOKEN", "replay-token"))
    };
    let r = cmd(&["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = cmd(&["check"]);
    assert_eq!(r.code, 0, "import then check is in sync: {}", r.all());
    assert!(r.stdout.contains("3 in sync"), "{}", r.stdout);

    // The declared side as Git had it before the console: allow-web had a
    // narrower source range, allow-ssh was never declared, and a rule that
    // was deleted by hand is still declared (gcloud list output).
    std::fs::remove_dir_all(d.path().join("infra")).unwrap();
    write(
        &d.path().join("infra/rules.json"),
        r#"[
  {"name": "allow-web", "network": "default", "allowed": [{"IPProtocol": "tcp", "ports": ["443", "80"]}],
   "sourceRanges": ["203.0.113.0/24"], "targetTags": ["web"], "description": "public web"},
  {"name": "deny-egress-smtp", "network": "default", "direction": "EGRESS", "priority": 900,
   "denied": [{"IPProtocol": "tcp", "ports": ["25"]}], "destinationRanges": ["0.0.0.0/0"]},
  {"name": "allow-db", "network": "default", "allowed": [{"IPProtocol": "tcp", "ports": ["5432"]}], "sourceTags": ["app"]}
]"#,
    );
    let r = cmd(&["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let states: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "in_sync")
        .map(|f| (f["id"].as_str().unwrap(), f["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("acme-prod:default/allow-db", "missing"),
            ("acme-prod:default/allow-ssh", "unmanaged"),
            ("acme-prod:default/allow-web", "changed"),
        ]
    );
    let web = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["state"] == "changed")
        .unwrap();
    assert_eq!(web["changes"][0]["path"], "sourceRanges");
    assert_eq!(
        web["changes"][0]["declared"],
        serde_json::json!(["203.0.113.0/24"])
    );
    assert_eq!(web["changes"][0]["live"], serde_json::json!(["0.0.0.0/0"]));

    // Both ways out: the compute v1 API's own calls.
    let r = cmd(&["check", "--format", "json", "--suggest"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let revert: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["suggest"]["revert"].as_array())
        .flatten()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(revert.len(), 3, "{revert:#?}");
    assert!(revert[0].starts_with("curl -X POST "), "{revert:#?}");
    assert!(
        revert[0].contains(&format!(
            "{url}/compute/v1/projects/acme-prod/global/firewalls -d '{{\"name\":\"allow-db\""
        )),
        "{revert:#?}"
    );
    assert_eq!(
        revert[1],
        "gcloud compute firewall-rules delete allow-ssh --project acme-prod --quiet"
    );
    assert!(revert[2].starts_with("curl -X PUT "), "{revert:#?}");
    assert!(
        revert[2].contains("\"sourceRanges\":[\"203.0.113.0/24\"]"),
        "{revert:#?}"
    );

    // Adopt instead: the gcloud list file is edited in place (the range
    // replaced, the deleted rule's object removed) and the rule opened in
    // the console lands in a new native file.
    let r = cmd(&["adopt"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let rules = std::fs::read_to_string(d.path().join("infra/rules.json")).unwrap();
    assert_eq!(
        rules,
        r#"[
  {"name": "allow-web", "network": "default", "allowed": [{"IPProtocol": "tcp", "ports": ["443", "80"]}],
   "sourceRanges": ["0.0.0.0/0"], "targetTags": ["web"], "description": "public web"},
  {"name": "deny-egress-smtp", "network": "default", "direction": "EGRESS", "priority": 900,
   "denied": [{"IPProtocol": "tcp", "ports": ["25"]}], "destinationRanges": ["0.0.0.0/0"]}
]"#
    );
    let added =
        std::fs::read_to_string(d.path().join("infra/firewall/acme-prod-default.yaml")).unwrap();
    assert!(added.contains("name: allow-ssh"), "{added}");
    let r = cmd(&["check"]);
    assert_eq!(r.code, 0, "after adopt: {}", r.all());
}

#[test]
fn a_rejected_gcp_token_is_exit_2() {
    let (_rt, url) = compute();
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"gcp\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.gcp]\nproject = \"acme-prod\"\nfirewall_networks = [\"default\"]\nendpoint = \"{url}\"\n"
        ),
    );
    std::fs::create_dir_all(d.path().join("infra")).unwrap();
    let r = run(driftgate(d.path())
        .args(["check"])
        .env("DRIFTGATE_GCP_TOKEN", "expired"));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("UNAUTHENTICATED") || r.stderr.contains("401"),
        "{}",
        r.stderr
    );
}

#[test]
fn several_projects_in_one_scope_and_one_denied_is_isolated() {
    let (_rt, url) = compute();
    let d = tempfile::tempdir().unwrap();
    let config = |projects: &str| {
        write(
            &d.path().join("driftgate.toml"),
            &format!(
                "[[scope]]\nname = \"gcp\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.gcp]\nprojects = [{projects}]\nfirewall_networks = [\"default\"]\nendpoint = \"{url}\"\n"
            ),
        );
    };
    let cmd = |args: &[&str]| {
        run(driftgate(d.path())
            .args(args)
            .env("DRIFTGATE_GCP_TOKEN", "replay-token"))
    };
    config("\"acme-prod\"");
    let r = cmd(&["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    config("\"acme-prod\", \"acme-dev\"");
    let r = cmd(&["check", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let states: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("acme-dev:default/*", "unchecked"),
            ("acme-prod:default/allow-ssh", "in_sync"),
            ("acme-prod:default/allow-web", "in_sync"),
            ("acme-prod:default/deny-egress-smtp", "in_sync"),
        ]
    );
    assert!(r.stderr.contains("compute.firewalls.list"), "{}", r.stderr);
}

/// `[scan] concurrency` bounds how many targets are read at once: a slow
/// loopback server counts the requests it holds at the same time.
#[test]
fn targets_are_read_concurrently_within_the_configured_bound() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(6)
        .enable_all()
        .build()
        .unwrap();
    let now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (n, m) = (now.clone(), most.clone());
    let url = rt
        .block_on(serve(move |_req: &Request| {
            let inflight = n.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(inflight, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(300));
            n.fetch_sub(1, Ordering::SeqCst);
            (
                200,
                "application/json",
                "{\"kind\": \"compute#firewallList\", \"items\": []}".to_owned(),
            )
        }))
        .0;
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("infra")).unwrap();
    for (bound, check) in [(1usize, "at most one"), (4, "several at once")] {
        most.store(0, Ordering::SeqCst);
        write(
            &d.path().join("driftgate.toml"),
            &format!(
                "[scan]\nconcurrency = {bound}\n[[scope]]\nname = \"gcp\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.gcp]\nprojects = [\"p1\", \"p2\", \"p3\", \"p4\"]\nfirewall_networks = [\"default\"]\nendpoint = \"{url}\"\n"
            ),
        );
        let r = run(driftgate(d.path())
            .args(["check", "--format", "json"])
            .env("DRIFTGATE_GCP_TOKEN", "replay-token"));
        assert_eq!(r.code, 0, "{}", r.all());
        let seen = most.load(Ordering::SeqCst);
        if bound == 1 {
            assert_eq!(seen, 1, "{check}");
        } else {
            assert!((2..=bound).contains(&seen), "{check}: {seen}");
        }
    }
}

/// A loopback Cloud DNS serving acme-prod's example.net; after `clickops`
/// is set, www's addresses were edited in the console and a TXT record
/// added.
fn cloud_dns(
    clickops: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dns = |name: &str| {
        std::fs::read_to_string(root().join("fixtures/gcp/dns-replay").join(name)).unwrap()
    };
    let url = rt
        .block_on(serve(move |req: &Request| {
            if req.header("authorization") != Some("Bearer replay-token") {
                return (401, "application/json", dns("error-unauthenticated.json"));
            }
            if req.target.contains("/managedZones?") {
                return (200, "application/json", dns("managed-zones-example-net.json"));
            }
            if req.target == "/v2/entries:list" {
                assert_eq!(req.method, "POST");
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                let filter = body["filter"].as_str().unwrap();
                assert!(filter.starts_with("logName=\"projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity\""), "{filter}");
                assert!(filter.contains("dns.googleapis.com"), "{filter}");
                return (
                    200,
                    "application/json",
                    std::fs::read_to_string(root().join("fixtures/gcp/audit-replay/entries-dns.json")).unwrap(),
                );
            }
            let page = if req.query("pageToken").as_deref() == Some("page-2") { 2 } else { 1 };
            let mut body = dns(&format!("rrsets-page{page}.json"));
            if clickops.load(std::sync::atomic::Ordering::SeqCst) {
                body = body.replace("\"192.0.2.2\"", "\"198.51.100.7\"").replace(
                    "\"rrsets\": [",
                    "\"rrsets\": [{\"kind\": \"dns#resourceRecordSet\", \"name\": \"temp.example.net.\", \"type\": \"TXT\", \"ttl\": 60, \"rrdatas\": [\"\\\"debug\\\"\"]},",
                );
            }
            (200, "application/json", body)
        }))
        .0;
    (rt, url)
}

#[test]
fn cloud_dns_import_then_check_is_clean_and_console_edits_are_found() {
    let clickops = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (_rt, url) = cloud_dns(clickops.clone());
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"gcp-dns\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.gcp]\nproject = \"acme-prod\"\ndns_zones = [\"example.net\"]\ndns_endpoint = \"{url}\"\nlogging_endpoint = \"{url}\"\n"
        ),
    );
    let cmd = |args: &[&str]| {
        run(driftgate(d.path())
            .args(args)
            .env("DRIFTGATE_GCP_TOKEN", "replay-token"))
    };
    let r = cmd(&["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let imported = std::fs::read_to_string(d.path().join("infra/dns/example.net.yaml")).unwrap();
    assert!(
        imported.contains("routingPolicy:") && imported.contains("primaryBackup:"),
        "{imported}"
    );
    assert!(
        !imported.contains("managedZone"),
        "not compared, not written: {imported}"
    );
    let r = cmd(&["check", "--format", "json"]);
    assert_eq!(r.code, 0, "import then check is in sync: {}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    // The apex NS and SOA are Cloud DNS's own: not imported, not drift.
    assert_eq!(v["summary"]["in_sync"], 7, "{}", r.stdout);
    assert_eq!(v["findings"][0]["cloud"], "gcp");

    // A weight edited in Git (the console's 90/10 is now drift), then the
    // console's own edits.
    let edited = imported.replace("weight: 10", "weight: 20");
    assert_ne!(edited, imported);
    write(&d.path().join("infra/dns/example.net.yaml"), &edited);
    clickops.store(true, std::sync::atomic::Ordering::SeqCst);
    let r = cmd(&["check", "--format", "json", "--suggest"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let drift: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "in_sync")
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        drift,
        [
            (
                "example.net/app.example.net/A".to_owned(),
                "changed".to_owned()
            ),
            (
                "example.net/temp.example.net/TXT".to_owned(),
                "unmanaged".to_owned()
            ),
            (
                "example.net/www.example.net/A".to_owned(),
                "changed".to_owned()
            ),
        ]
    );
    let find = |id: &str| crate::common::finding(&v, id).clone();
    let www = find("example.net/www.example.net/A");
    assert_eq!(
        www["suggest"]["revert"][0],
        "gcloud dns record-sets update www.example.net. --type=A --zone=example-net --project=acme-prod --ttl=300 --rrdatas=192.0.2.1,192.0.2.2"
    );
    let temp = find("example.net/temp.example.net/TXT");
    assert_eq!(
        temp["suggest"]["revert"][0],
        "gcloud dns record-sets delete temp.example.net. --type=TXT --zone=example-net --project=acme-prod"
    );
    let app = find("example.net/app.example.net/A");
    let revert = app["suggest"]["revert"][0].as_str().unwrap();
    assert!(
        revert.starts_with("curl -fsS -X PATCH")
            && revert.contains("/managedZones/example-net/rrsets/app.example.net./A")
            && revert.contains("\"weight\":20"),
        "{revert}"
    );
    // Who: Cloud Audit Logs, the change that named www's A set.
    let r = cmd(&["check", "--format", "json", "--blame"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let www = crate::common::finding(&v, "example.net/www.example.net/A");
    let events = www["blame"]["events"].as_array().unwrap();
    assert_eq!(
        events.len(),
        1,
        "only the change that named this set: {events:?}"
    );
    assert_eq!(
        events[0]["principal"],
        "ops-bot@acme-prod.iam.gserviceaccount.com"
    );
    assert_eq!(events[0]["call"], "dns.changes.create");
    assert_eq!(events[0]["console"], false);

    // Adopt the console's edits (and undo Git's weight edit) into the
    // native zone file: then in sync.
    let r = cmd(&["adopt"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = cmd(&["check"]);
    assert_eq!(r.code, 0, "adopted, then in sync: {}", r.all());
}

#[test]
fn blame_on_gcp_names_who_opened_a_rule_in_the_console() {
    let (_rt, url) = compute();
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"gcp\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.gcp]\nproject = \"acme-prod\"\nfirewall_networks = [\"default\"]\nendpoint = \"{url}\"\nlogging_endpoint = \"{url}\"\n"
        ),
    );
    // Git declares allow-web only: allow-ssh and deny-egress-smtp were
    // made by hand.
    write(
        &d.path().join("infra/rules.json"),
        r#"[{"name": "allow-web", "network": "default", "allowed": [{"IPProtocol": "tcp", "ports": ["80", "443"]}],
             "sourceRanges": ["0.0.0.0/0"], "targetTags": ["web"], "description": "public web"}]"#,
    );
    let r = run(driftgate(d.path())
        .args(["check", "--format", "json", "--blame"])
        .env("DRIFTGATE_GCP_TOKEN", "replay-token"));
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let find = |id: &str| crate::common::finding(&v, id).clone();
    let ssh = find("acme-prod:default/allow-ssh");
    assert_eq!(ssh["state"], "unmanaged");
    let e = &ssh["blame"]["events"][0];
    assert_eq!(e["principal"], "mallory@acme.example");
    assert_eq!(e["call"], "v1.compute.firewalls.insert");
    assert_eq!(e["console"], true, "a browser's user agent: the console");
    assert_eq!(e["source_ip"], "203.0.113.50");
    let smtp = find("acme-prod:default/deny-egress-smtp");
    assert!(
        smtp["blame"]["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("Cloud Audit Logs have no Admin Activity entry for it since"),
        "{smtp}"
    );
}
