//! `check --blame`: CloudTrail's documented LookupEvents answers on loopback
//! (moto has no LookupEvents), and a real git repository for the declared side.

use crate::common::{copy_tree, driftgate, root, run};
use driftgate_model::replay::{Request, serve};
use serde_json::Value;
use std::process::Command;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("fixtures/aws/cloudtrail-replay").join(name)).unwrap()
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Dana Ops")
        .env("GIT_AUTHOR_EMAIL", "dana@example.com")
        .env("GIT_COMMITTER_NAME", "Dana Ops")
        .env("GIT_COMMITTER_EMAIL", "dana@example.com")
        .env("GIT_AUTHOR_DATE", "2026-11-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-01T12:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn blame_names_the_console_principal_and_the_declaring_commit() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (url, log) = rt.block_on(serve(|req: &Request| {
        assert_eq!(
            req.header("x-amz-target"),
            Some("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents")
        );
        assert!(
            req.header("authorization")
                .is_some_and(|a| a.contains("/cloudtrail/aws4_request"))
        );
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let name = body["LookupAttributes"][0]["AttributeValue"]
            .as_str()
            .unwrap()
            .to_owned();
        let page = if name == "api" {
            "LookupEvents-api.json"
        } else {
            "LookupEvents-empty.json"
        };
        (200, "application/x-amz-json-1.1", fixture(page))
    }));
    let d = tempfile::tempdir().unwrap();
    copy_tree(&root().join("fixtures/demo"), d.path());
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(
        d.path(),
        &["commit", "-q", "-m", "Declare the production services"],
    );

    let r = run(driftgate(d.path())
        .args([
            "check",
            "--live",
            "live.json",
            "--blame",
            "--format",
            "json",
        ])
        .env("AWS_ENDPOINT_URL", &url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"));
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let api = crate::common::finding(&v, "prod/api");
    let blame = &api["blame"];
    assert_eq!(
        blame["events"].as_array().unwrap().len(),
        1,
        "the read-only event is left out: {blame:#}"
    );
    assert_eq!(
        blame["events"][0]["principal"],
        "arn:aws:sts::123456789012:assumed-role/Admin/alice"
    );
    assert_eq!(blame["events"][0]["call"], "UpdateService");
    assert_eq!(blame["events"][0]["console"], true);
    assert_eq!(blame["commit"]["author"], "Dana Ops");
    assert_eq!(
        blame["commit"]["subject"],
        "Declare the production services"
    );
    assert_eq!(blame["commit"]["date"], "2026-11-01T12:00:00Z");
    let unmanaged = crate::common::finding(&v, "prod/debug-shell");
    assert!(
        unmanaged["blame"]["commit"].is_null(),
        "nothing declared it"
    );
    let asked: Vec<Value> = log
        .lock()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let since = asked
        .iter()
        .find(|b| b["LookupAttributes"][0]["AttributeValue"] == "api")
        .unwrap()["StartTime"]
        .as_i64()
        .unwrap();
    assert_eq!(
        since, 1_793_534_400,
        "looked back to the declaring commit, not further"
    );

    let r = run(driftgate(d.path())
        .args([
            "check",
            "--live",
            "live.json",
            "--blame",
            "--format",
            "diff",
        ])
        .env("AWS_ENDPOINT_URL", &url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"));
    assert!(
        r.stdout.contains("# changed by arn:aws:sts::123456789012:assumed-role/Admin/alice via UpdateService at 2026-11-26T10:15:00Z (console)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(": Declare the production services"),
        "{}",
        r.stdout
    );
}

#[test]
fn blame_finds_who_changed_a_route53_record_set_through_its_zone() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (url, log) = rt.block_on(serve(|req: &Request| {
        if req.target.starts_with("/2013-04-01/hostedzonesbyname") {
            return (
                200,
                "text/xml",
                std::fs::read_to_string(
                    root()
                        .join("fixtures/aws/route53-replay/ListHostedZonesByName-example.com.xml"),
                )
                .unwrap(),
            );
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let name = body["LookupAttributes"][0]["AttributeValue"]
            .as_str()
            .unwrap();
        assert_eq!(name, "Z0EXAMPLE", "looked up by the zone's id");
        (
            200,
            "application/x-amz-json-1.1",
            fixture("LookupEvents-zone.json"),
        )
    }));
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"dns\"\nmode = \"enforce\"\ndeclared = \"infra\"\n[scope.aws]\nregion = \"eu-west-1\"\nroute53_zones = [\"example.com\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.path().join("infra")).unwrap();
    std::fs::write(
        d.path().join("infra/example.com.yaml"),
        "kind: dns_zone\nzone: example.com\nttl: 300\nrecords:\n  - {name: www, type: A, value: 192.0.2.1}\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("live.json"),
        r#"{"schema_version": 1, "scopes_read": ["dns_record:example.com"], "resources": [
  {"kind": "dns_record", "id": "example.com/www.example.com/A",
   "spec": {"zone": "example.com", "name": "www.example.com", "type": "A", "ttl": 300, "values": ["192.0.2.99"]}}]}"#,
    )
    .unwrap();
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "Declare the zone"]);
    let r = run(driftgate(d.path())
        .args([
            "check",
            "--live",
            "live.json",
            "--blame",
            "--format",
            "json",
        ])
        .env("AWS_ENDPOINT_URL", &url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"));
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let blame = &v["findings"][0]["blame"];
    let events = blame["events"].as_array().unwrap();
    assert_eq!(
        events.len(),
        1,
        "the other record's change is left out: {blame:#}"
    );
    assert_eq!(
        events[0]["principal"],
        "arn:aws:sts::123456789012:assumed-role/NetAdmin/carol"
    );
    assert_eq!(events[0]["call"], "ChangeResourceRecordSets");
    assert_eq!(events[0]["console"], true);
    assert_eq!(blame["commit"]["subject"], "Declare the zone");
    // Route53's events are in us-east-1, whatever region the scope names.
    assert!(
        log.lock()
            .unwrap()
            .iter()
            .filter(|r| r.header("x-amz-target").is_some())
            .all(|r| r
                .header("authorization")
                .is_some_and(|a| a.contains("/us-east-1/cloudtrail/"))),
        "CloudTrail asked in us-east-1"
    );
}
