//! The binary on the embedded demo and on bad input: no cloud involved.
//!
//! Longer than 600 lines on purpose: every flag and bad-input case of the
//! offline commands, one test each, with the JSON schema pin they share.

use crate::common::{copy_tree, dg, driftgate, root, run, write};
use serde::Deserialize;
use std::path::Path;

const DEMO: [&str; 4] = [
    "--config",
    "fixtures/demo/driftgate.toml",
    "--live",
    "fixtures/demo/live.json",
];

fn check(args: &[&str]) -> crate::common::Run {
    let mut all = vec!["check"];
    all.extend_from_slice(&DEMO);
    all.extend_from_slice(args);
    dg(&root(), &all)
}

#[test]
fn demo_table() {
    let r = check(&[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_table", r.transcript());
}

#[test]
fn demo_diff() {
    let r = check(&["--format", "diff"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_diff", r.transcript());
}

#[test]
fn demo_json() {
    let r = check(&["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_json", r.transcript());
}

#[test]
fn demo_suggest_diff() {
    let r = check(&["--format", "diff", "--suggest"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_suggest_diff", r.transcript());
}

#[test]
fn demo_suggest_table_and_markdown() {
    let r = check(&["--suggest"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_suggest_table", r.transcript());
    let r = check(&["--format", "markdown", "--suggest"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_suggest_markdown", r.transcript());
}

#[test]
fn adopt_on_the_demo_makes_the_next_check_pass_and_touches_only_drifted_files() {
    let d = demo_copy();
    let before: Vec<(std::path::PathBuf, String)> = walk(d.path());
    let r = dg(d.path(), &["adopt", "--live", "live.json", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(walk(d.path()), before, "a dry run writes nothing");
    insta::assert_snapshot!("demo_adopt_dry_run", r.transcript());
    let r = dg(
        d.path(),
        &["adopt", "--live", "live.json", "--scope", "production"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let r = check_in(d.path(), &["--format", "json"]);
    assert_eq!(
        r.code,
        0,
        "the advisory sandbox drift is left, and exits 0: {}",
        r.all()
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let drifted: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "in_sync")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        drifted,
        vec!["sandbox/scratch"],
        "--scope kept adopt to production"
    );
    let r = dg(
        d.path(),
        &["adopt", "--live", "live.json", "--resource", "nothing/*"],
    );
    assert_eq!(r.code, 2, "a --resource that names nothing: {}", r.all());
    assert!(r.stderr.contains("matches no resource"), "{}", r.stderr);
}

/// Every file under a directory with its content, sorted.
fn walk(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push((p.clone(), std::fs::read_to_string(&p).unwrap_or_default()));
        }
    }
    out.sort();
    out
}

/// The JSON report's schema, pinned: a renamed or removed field fails here.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ReportV1 {
    schema_version: u32,
    complete: bool,
    summary: SummaryV1,
    findings: Vec<FindingV1>,
    #[serde(default)]
    ignored: Vec<IgnoredV1>,
    /// Added in schema 1: the config file and its scopes' lines.
    config: String,
    #[serde(default)]
    scope_lines: std::collections::BTreeMap<String, usize>,
    /// Added in schema 1: where and when it ran, and coverage.
    generated_at: String,
    driftgate_version: String,
    #[serde(default)]
    targets: Vec<serde_json::Value>,
    duration_seconds: f64,
    coverage_percent: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SummaryV1 {
    in_sync: usize,
    changed: usize,
    missing: usize,
    unmanaged: usize,
    unchecked: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FindingV1 {
    scope: String,
    mode: String,
    kind: String,
    id: String,
    state: String,
    /// Added in schema 1 (new fields, not a new version).
    cloud: Option<String>,
    sides: Option<SidesV1>,
    declared_at: Option<String>,
    /// Added in schema 1: the Terraform address of a state's resource.
    address: Option<String>,
    what: Option<String>,
    name: Option<String>,
    declare_in: Option<String>,
    live_id: Option<String>,
    #[serde(default)]
    changes: Vec<ChangeV1>,
    #[serde(default)]
    ignored: Vec<String>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SidesV1 {
    declared: Vec<String>,
    live: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ChangeV1 {
    path: String,
    declared: serde_json::Value,
    live: serde_json::Value,
    at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct IgnoredV1 {
    scope: String,
    kind: String,
    id: String,
    reason: String,
}

#[test]
fn json_report_keeps_schema_version_1() {
    let r = check(&["--format", "json"]);
    let report: ReportV1 = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report.schema_version, 1);
    assert!(report.complete);
    assert_eq!(report.summary.changed, 6);
    let api = report.findings.iter().find(|f| f.id == "prod/api").unwrap();
    assert_eq!(api.state, "changed");
    assert_eq!(
        api.declared_at.as_deref(),
        Some("infra/production/ecs/prod/api.yaml:5")
    );
    let image = api
        .changes
        .iter()
        .find(|c| c.path == "taskDefinition.containerDefinitions[api].image")
        .unwrap();
    assert_eq!(image.declared, "public.ecr.aws/nginx/nginx:1.25");
    assert_eq!(image.live, "public.ecr.aws/nginx/nginx:1.26");
    let secret = api
        .changes
        .iter()
        .find(|c| c.path.ends_with("environment[DB_PASSWORD]"))
        .unwrap();
    assert!(
        secret
            .declared
            .as_str()
            .unwrap()
            .starts_with("***masked***")
    );
    assert!(secret.live.as_str().unwrap().starts_with("***masked***"));
    assert_ne!(
        secret.declared, secret.live,
        "a rotated secret is still a change"
    );
    assert!(
        !r.stdout.contains("sha256:481fd32833966be5"),
        "full digests stay out of reports"
    );
    assert!(report.ignored.is_empty());
}

#[test]
fn advisory_scope_alone_exits_0_with_drift_reported() {
    let r = check(&["--scope", "sandbox"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("sandbox/scratch"));
    assert!(r.stdout.contains("drift in advisory scopes only (exit 0)"));
}

#[test]
fn unknown_scope_flag_is_exit_2() {
    let r = check(&["--scope", "staging"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--scope staging: no such scope"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_flags_exit_2_and_help_exits_0() {
    let r = dg(&root(), &["check", "--format", "xml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid value 'xml'"), "{}", r.stderr);
    let r = dg(&root(), &["frobnicate"]);
    assert_eq!(r.code, 2);
    let r = dg(&root(), &["check", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("--live"));
}

#[test]
fn missing_config_is_exit_2_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let r = dg(dir.path(), &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("error: driftgate.toml: cannot read the config file"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("hint: run driftgate from the repository root"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

/// A copy of the demo in a temporary directory, to break things in.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("fixtures/demo"), dir.path());
    dir
}

fn check_in(dir: &Path, args: &[&str]) -> crate::common::Run {
    let mut all = vec!["check", "--live", "live.json"];
    all.extend_from_slice(args);
    dg(dir, &all)
}

#[test]
fn unknown_config_key_is_named_with_its_place() {
    let d = demo_copy();
    let cfg = d.path().join("driftgate.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace("ecs_clusters = [\"prod\"]", "ecs_cluster = [\"prod\"]"),
    )
    .unwrap();
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: driftgate.toml:13:1: unknown field `ecs_cluster`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "nothing is reported on bad input");
}

#[test]
fn expired_ignore_rule_is_exit_2_naming_it() {
    let d = demo_copy();
    let cfg = d.path().join("driftgate.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("expires = \"2024-01-31\"\n");
    std::fs::write(&cfg, text).unwrap();
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "driftgate.toml:31:11: ignore rule for ecs_service `prod/worker` expired on 2024-01-31"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn malformed_declared_files_are_exit_2_naming_file_line_column() {
    let d = demo_copy();
    let corpus = root().join("../shared/corpus/ecs/firelens-dynatrace-MALFORMED.json");
    std::fs::copy(corpus, d.path().join("infra/production/ecs/td.json")).unwrap();
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: infra/production/ecs/td.json:34:20: invalid JSON: expected `,` or `}`\n"
    );

    let d = demo_copy();
    let api = d.path().join("infra/production/ecs/prod/api.yaml");
    let text = std::fs::read_to_string(&api).unwrap();
    std::fs::write(
        &api,
        text.replace("    image: public", "    imagee: public"),
    )
    .unwrap();
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("infra/production/ecs/prod/api.yaml:27:5: `taskDefinition.containerDefinitions[api]`: unknown field `imagee` (did you mean `image`?)"),
        "{}",
        r.stderr
    );

    let d = demo_copy();
    write(
        &d.path().join("infra/production/ecs/bad.yaml"),
        "kind: ecs_service\nserviceName: x\n  desiredCount: [\n",
    );
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: infra/production/ecs/bad.yaml:3:"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_record_set_declared_in_two_files_is_exit_2_naming_both_places() {
    let d = demo_copy();
    write(
        &d.path().join("infra/production/dns/more.yaml"),
        "kind: dns_zone\nzone: example.com\nttl: 300\nrecords:\n  - {name: www, type: A, value: 192.0.2.1}\n",
    );
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "error: infra/production/dns/more.yaml:5:1: `example.com/www.example.com/A` is also declared at infra/production/dns/example.com.yaml:35\n"
    );
    assert_eq!(r.stdout, "");
}

/// A native zone file large enough to be read in batches (256 KiB), and a
/// snapshot of the same record sets.
fn large_zone(dir: &Path, n: usize, last: &str) {
    write(
        &dir.join("driftgate.toml"),
        "[[scope]]\nname = \"big\"\nmode = \"enforce\"\ndeclared = \"declared\"\n[scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"big.example\"]\n",
    );
    let mut zone = String::from("kind: dns_zone\nzone: big.example\nttl: 300\nrecords:\n");
    let mut live = Vec::new();
    for i in 0..n {
        let v = format!("10.1.{}.{}", i / 256, i % 256);
        zone.push_str(&format!(
            "  - {{name: host{i}, type: A, value: {v}}}   # entry {i}\n"
        ));
        live.push(serde_json::json!({"kind": "dns_record", "id": format!("big.example/host{i}.big.example/A"),
            "spec": {"zone": "big.example", "name": format!("host{i}.big.example"), "type": "A", "ttl": 300, "values": [v]}}));
    }
    zone.push_str(last);
    live.push(serde_json::json!({"kind": "dns_record", "id": "big.example/last.big.example/A",
        "spec": {"zone": "big.example", "name": "last.big.example", "type": "A", "ttl": 300, "values": ["10.9.9.9"]}}));
    assert!(zone.len() > 256 * 1024);
    write(&dir.join("declared/dns/big.example.yaml"), &zone);
    let snapshot = serde_json::json!({"schema_version": 1, "scopes_read": ["dns_record:big.example"], "resources": live});
    write(&dir.join("live.json"), &snapshot.to_string());
}

#[test]
fn a_large_zone_read_in_batches_or_whole_gives_one_answer() {
    // 6,000 entries and then `last`, checked against a snapshot of them all.
    let check_large = |last: &str| {
        let d = tempfile::tempdir().unwrap();
        large_zone(d.path(), 6000, last);
        check_in(d.path(), &["--format", "json"])
    };
    let in_sync = |r: &crate::common::Run| {
        assert_eq!(r.code, 0, "{}", r.stderr);
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap()["summary"]["in_sync"].clone()
    };
    // Plain: read in batches.
    let r = check_large("  - {name: last, type: A, value: 10.9.9.9}\n");
    assert_eq!(in_sync(&r), 6001);
    // An anchor in the last batch: the batches already added are taken back
    // and the file read whole, with no set counted twice.
    let r = check_large("  - &last {name: last, type: A, value: 10.9.9.9}\n");
    assert_eq!(in_sync(&r), 6001);
    // A set declared twice, and a bad entry after it: the entry's error, as
    // read whole.
    let r = check_large(
        "  - {name: host7, type: A, value: 10.9.9.9}\n  - {name: last, type: A, value: ten}\n",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("big.example.yaml:6006:") && r.stderr.contains("`ten`"),
        "{}",
        r.stderr
    );
}

/// An octoDNS zone file large enough to be read in batches (256 KiB),
/// ending in `last`, and a snapshot of the same record sets but three: one
/// changed, one declared only, one live only.
fn large_octodns_zone(dir: &Path, n: usize, last: &str) {
    write(
        &dir.join("driftgate.toml"),
        "[[scope]]\nname = \"big\"\nmode = \"enforce\"\ndeclared = \"declared\"\n[scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"big.example\"]\n",
    );
    let mut zone = String::from("---\n# big.example, as octodns-dump writes it\n");
    let mut live = Vec::new();
    let set = |name: &str, v: &str| {
        serde_json::json!({"kind": "dns_record", "id": format!("big.example/{name}.big.example/A"),
            "spec": {"zone": "big.example", "name": format!("{name}.big.example"), "type": "A", "ttl": 300, "values": [v]}})
    };
    for i in 0..n {
        let name = format!("host{i:05}");
        let v = format!("10.1.{}.{}", i / 256, i % 256);
        zone.push_str(&format!(
            "{name}:\n  # entry {i}\n  type: A\n  ttl: 300\n  value: {v}\n"
        ));
        match i {
            5 => live.push(set(&name, "10.9.9.5")),
            6 => {}
            _ => live.push(set(&name, &v)),
        }
    }
    zone.push_str(last);
    live.push(set("last", "10.9.9.9"));
    live.push(set("live-only", "10.9.9.8"));
    assert!(zone.len() > 256 * 1024);
    write(&dir.join("declared/big.example.yaml"), &zone);
    let snapshot = serde_json::json!({"schema_version": 1, "scopes_read": ["dns_record:big.example"], "resources": live});
    write(&dir.join("live.json"), &snapshot.to_string());
}

#[test]
fn a_large_octodns_zone_read_in_batches_or_whole_gives_one_answer() {
    let check_large = |last: &str| {
        let d = tempfile::tempdir().unwrap();
        large_octodns_zone(d.path(), 6000, last);
        let r = check_in(d.path(), &["--format", "json"]);
        (d, r)
    };
    let report = |r: &crate::common::Run| {
        assert_eq!(r.code, 1, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        (v["summary"].clone(), v["findings"].clone())
    };
    // Plain: read in batches.
    let (d, plain) = check_large("last:\n  type: A\n  ttl: 300\n  value: 10.9.9.9\n");
    let (summary, findings) = report(&plain);
    assert_eq!(
        summary,
        serde_json::json!({"in_sync": 5999, "changed": 1, "missing": 1, "unmanaged": 1, "unchecked": 0})
    );
    let files = dg(d.path(), &["files"]);
    assert!(
        files.stdout.contains("octoDNS zone file") && files.stdout.contains("6001 resources"),
        "{}",
        files.stdout
    );
    let whole = serde_json::json!({"findings": findings});
    let changed = crate::common::finding(&whole, "big.example/host00005.big.example/A");
    assert_eq!(changed["declared_at"], "declared/big.example.yaml:28");
    // A name given again at the end (the same set): the batches already
    // added are taken back and the file read whole, to the same report:
    // nothing counted twice, every place the same.
    let (_d, again) = check_large(
        "last:\n  type: A\n  ttl: 300\n  value: 10.9.9.9\nhost00006:\n  type: A\n  ttl: 300\n  value: 10.1.0.6\n",
    );
    assert_eq!(report(&again), (summary.clone(), findings.clone()));
    // An anchor: read whole from the start, to the same report.
    let (_d, anchored) = check_large("last: &last\n  type: A\n  ttl: 300\n  value: 10.9.9.9\n");
    assert_eq!(report(&anchored), (summary, findings));
    // A bad last entry: its error, at its place, as read whole.
    let (_d, bad) = check_large("last:\n  type: A\n  ttl: 300\n  value: ten\n");
    assert_eq!(bad.code, 2, "{}", bad.all());
    assert!(
        bad.stderr.contains("big.example.yaml:30003:") && bad.stderr.contains("ten"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_snapshot_that_misses_a_cluster_is_incomplete() {
    let d = demo_copy();
    let snap = d.path().join("live.json");
    let text = std::fs::read_to_string(&snap).unwrap();
    std::fs::write(
        &snap,
        text.replace("\"ecs_service:sandbox\"", "\"ecs_service:elsewhere\""),
    )
    .unwrap();
    let r = check_in(d.path(), &["--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["complete"], false);
    let states: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["scope"] == "sandbox")
        .map(|f| (f["id"].as_str().unwrap(), f["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![("sandbox/*", "unchecked"), ("sandbox/scratch", "unchecked")]
    );
    assert!(r.stderr.contains("incomplete scan"), "{}", r.stderr);
}

#[test]
fn a_bad_snapshot_file_is_exit_2() {
    let d = demo_copy();
    std::fs::write(
        d.path().join("live.json"),
        "{\"schema_version\": 1,\n \"resources\": 3}",
    )
    .unwrap();
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("live.json:2:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("not a driftgate snapshot"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_snapshot_is_refused_at_its_bad_byte_nul_byte_or_second_listing_of_a_resource() {
    let d = demo_copy();
    let live = std::fs::read_to_string(d.path().join("live.json")).unwrap();
    let path = d.path().join("live.json");
    // Read as a stream: refused as any file driftgate reads, at the byte.
    let mut bytes = live.clone().into_bytes();
    let at = live.find("\"resources\"").unwrap();
    let (line, col) = (
        live[..at].matches('\n').count() + 1,
        at - live[..at].rfind('\n').map_or(0, |i| i + 1) + 1,
    );
    bytes[at] = 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "live.json:{line}:{col}: not UTF-8 text: byte 0xff is not valid here"
        )),
        "{}",
        r.stderr
    );
    bytes[at] = 0;
    std::fs::write(&path, &bytes).unwrap();
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "live.json:{line}:{col}: a NUL byte: not a text file"
        )),
        "{}",
        r.stderr
    );
    // One resource listed twice: which is live? Refused, naming it.
    let mut snap: serde_json::Value = serde_json::from_str(&live).unwrap();
    let first = snap["resources"][0].clone();
    snap["resources"]
        .as_array_mut()
        .unwrap()
        .push(first.clone());
    std::fs::write(&path, serde_json::to_string_pretty(&snap).unwrap()).unwrap();
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "`{}` is listed twice in `resources`",
            first["id"].as_str().unwrap()
        )) && r.stderr.contains("live.json:"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "nothing written: {}", r.stdout);
}

#[test]
fn import_from_a_snapshot_then_check_is_in_sync() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/demo/driftgate.toml"),
        d.path().join("driftgate.toml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/demo/live.json"),
        d.path().join("live.json"),
    )
    .unwrap();
    let r = dg(d.path(), &["import", "--live", "live.json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("imported 6 files"), "{}", r.stderr);
    let api = std::fs::read_to_string(d.path().join("infra/production/ecs/prod/api.yaml")).unwrap();
    assert!(api.contains("image: public.ecr.aws/nginx/nginx:1.26"));
    assert!(
        api.contains("value: sha256:"),
        "secrets are imported as digests"
    );
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .contains("13 in sync, 0 changed, 0 missing, 0 unmanaged, 0 unchecked: no drift"),
        "{}",
        r.stdout
    );
    // A second import has nothing left to write and overwrites nothing.
    let r = dg(d.path(), &["import", "--live", "live.json"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("imported 0 files"), "{}", r.stderr);
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let mut cmd = driftgate(&root());
    cmd.arg("check")
        .args(DEMO)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let _ = run;
}

#[test]
fn import_writes_nothing_from_an_incomplete_scan() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/demo/driftgate.toml"),
        d.path().join("driftgate.toml"),
    )
    .unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/demo/live.json")).unwrap();
    let mut snap: serde_json::Value = serde_json::from_str(&text).unwrap();
    snap["unchecked"] = serde_json::json!([{"kind": "ecs_service", "id": "sandbox/*",
        "error": {"kind": "permission_denied", "service": "ecs", "operation": "ListServices", "message": "AccessDeniedException: no"}}]);
    std::fs::write(d.path().join("live.json"), snap.to_string()).unwrap();
    let r = dg(d.path(), &["import", "--live", "live.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("nothing was imported"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("hint: the credentials lack a read permission"),
        "{}",
        r.stderr
    );
    assert!(!d.path().join("infra").exists());

    // The same snapshot checked: the unread cluster is unchecked, exit 2.
    let d2 = demo_copy();
    std::fs::write(d2.path().join("live.json"), snap.to_string()).unwrap();
    let r = check_in(d2.path(), &["--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let scratch = crate::common::finding(&v, "sandbox/scratch");
    assert_eq!(scratch["state"], "unchecked");
    assert_eq!(
        scratch["reason"],
        "cluster `sandbox` could not be read (permission denied): see sandbox/*"
    );
}

#[test]
fn an_unused_task_definition_file_is_noted() {
    let d = demo_copy();
    write(
        &d.path().join("infra/production/ecs/orphan.json"),
        "{\"family\": \"orphan\", \"containerDefinitions\": [{\"name\": \"x\", \"image\": \"busybox\"}]}",
    );
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("note: infra/production/ecs/orphan.json: task definition `orphan` is used by no declared service"),
        "{}",
        r.stderr
    );
}

/// The README's IAM policy names exactly the actions the code calls (each
/// provider lists them; its replay tests check what it really sends).
#[test]
fn the_readme_iam_policy_is_exactly_what_the_code_calls() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("## Minimal IAM policy")
        .expect("an IAM policy section");
    let block = &readme[start..];
    let json_start = block.find("```json").unwrap() + "```json".len();
    let json_end = block[json_start..].find("```").unwrap() + json_start;
    let policy: serde_json::Value = serde_json::from_str(&block[json_start..json_end]).unwrap();
    let mut in_readme: Vec<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
        })
        .collect();
    in_readme.sort();
    let mut in_code: Vec<String> = driftgate_aws::actions()
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    in_code.sort();
    assert_eq!(in_readme, in_code);
    assert!(
        in_code.iter().all(|a| a.contains(":List")
            || a.contains(":Describe")
            || a.contains(":Get")
            || a.contains(":Lookup")),
        "read-only"
    );
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let r = dg(&root(), &["completions", "bash"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("_driftgate()") && r.stdout.contains("--fail-on"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    let r = dg(&root(), &["completions", "zsh"]);
    assert_eq!(r.code, 0);
    let r = dg(&root(), &["man"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with(".TH DRIFTGATE 1"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    assert!(r.stdout.contains("check"));
    let r = dg(&root(), &["completions", "tcsh"]);
    assert_eq!(r.code, 2);
}

/// Every `driftgate` command the CI examples run, run against the demo: each
/// parses and gives a gate's answer (0 or 1), never a usage error.
#[test]
fn the_ci_examples_parse_and_their_commands_run() {
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut ran = 0;
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root().join("examples/ci").join(file)).unwrap();
        let yaml: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let json = serde_json::to_value(yaml).unwrap();
        let mut all = Vec::new();
        strings(&json, &mut all);
        for line in all
            .iter()
            .flat_map(|s| s.lines())
            .map(str::trim)
            .filter(|l| l.starts_with("driftgate "))
        {
            let dir = tempfile::tempdir().unwrap();
            crate::common::copy_tree(&root().join("fixtures/demo"), dir.path());
            let command = line.split(" > ").next().unwrap();
            let mut args: Vec<&str> = command.split_whitespace().skip(1).collect();
            args.extend_from_slice(&["--live", "live.json"]);
            let r = dg(dir.path(), &args);
            assert_eq!(
                r.code,
                1,
                "{file}: `{line}` gives the demo's drift: {}",
                r.all()
            );
            ran += 1;
        }
    }
    assert_eq!(ran, 2, "one check per example");
}

#[test]
fn settling_live_record_sets_as_they_are_read_changes_no_finding() {
    // `check` settles each in-sync record set as live is read; `--suggest`
    // reads both sides whole. Apart from the suggestions, one report.
    let d = demo_copy();
    let cfg = d.path().join("driftgate.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(
        "\n[[ignore]]\nkind = \"dns_record\"\nresource = \"example.com/example.com/MX\"\nreason = \"mail moves by hand\"\n",
    );
    std::fs::write(&cfg, text).unwrap();
    let report = |args: &[&str]| {
        let r = check_in(d.path(), args);
        assert_eq!(r.code, 1, "{}", r.all());
        let mut v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        for f in v["findings"].as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("suggest");
        }
        v
    };
    let settled = report(&["--format", "json"]);
    let whole = report(&["--format", "json", "--suggest"]);
    assert_eq!(settled["summary"], whole["summary"]);
    assert_eq!(settled["findings"], whole["findings"]);
    assert_eq!(settled["ignored"], whole["ignored"]);
    // It did settle some: record sets in sync, and one left out by a rule.
    let sync = crate::common::finding(&settled, "example.com/example.com/A");
    assert_eq!(sync["state"], "in_sync");
    assert!(sync["declared_at"].is_string(), "{sync}");
    assert_eq!(settled["ignored"][0]["id"], "example.com/example.com/MX");
}

#[test]
fn shards_cover_every_target_once_and_merge_into_the_whole_report() {
    let d = demo_copy();
    let mut parts = Vec::new();
    for shard in ["1/2", "2/2"] {
        let r = check_in(
            d.path(),
            &["--shard", shard, "--format", "json", "--suggest"],
        );
        assert!(r.code == 0 || r.code == 1, "{}", r.all());
        let path = d
            .path()
            .join(format!("shard-{}.json", shard.replace('/', "-")));
        std::fs::write(&path, &r.stdout).unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["shard"], shard);
        parts.push(path.display().to_string());
    }
    let whole = check_in(d.path(), &["--format", "json", "--suggest"]);
    let merged = dg(
        d.path(),
        &["merge", &parts[0], &parts[1], "--format", "json"],
    );
    assert_eq!(merged.code, whole.code, "{}", merged.all());
    let a: serde_json::Value = serde_json::from_str(&whole.stdout).unwrap();
    let b: serde_json::Value = serde_json::from_str(&merged.stdout).unwrap();
    assert_eq!(a["summary"], b["summary"]);
    assert_eq!(a["findings"], b["findings"]);
    // Every other format renders the merged findings as check rendered
    // the whole run: diffs, suggestions, places and all.
    for format in ["diff", "markdown", "sarif", "junit", "table"] {
        let whole = check_in(d.path(), &["--format", format, "--suggest"]);
        let merged = dg(
            d.path(),
            &["merge", &parts[0], &parts[1], "--format", format],
        );
        assert_eq!(merged.code, whole.code, "{format}: {}", merged.all());
        assert!(
            whole.stdout.contains("prod/api"),
            "{format}: {}",
            whole.stdout
        );
        // When it ran and how long it took aside.
        assert_eq!(
            crate::common::stable(&merged.stdout),
            crate::common::stable(&whole.stdout),
            "{format}"
        );
    }

    let r = dg(d.path(), &["merge", &parts[0]]);
    assert_eq!(r.code, 2, "a missing shard is an incomplete report");
    assert!(r.stderr.contains("shard 2/2 is missing"), "{}", r.stderr);
    let r = dg(d.path(), &["merge", &parts[0], &parts[0], &parts[1]]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("given twice"), "{}", r.stderr);
    let r = check_in(d.path(), &["--shard", "3/2"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected I/N"), "{}", r.stderr);
}

/// A scope reading the Route53 zone example.com.
fn dns_scope(dir: &Path) {
    write(
        &dir.join("driftgate.toml"),
        "[[scope]]\nname = \"dns\"\nmode = \"enforce\"\ndeclared = \"infra\"\n[scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"example.com\"]\n",
    );
}

/// One live record set of example.com, as a snapshot holds it.
fn set(name: &str, rtype: &str, ttl: u32, values: &[&str]) -> String {
    format!(
        r#"{{"kind": "dns_record", "id": "example.com/{name}/{rtype}", "spec": {{"zone": "example.com", "name": "{name}", "type": "{rtype}", "ttl": {ttl}, "values": {}}}}}"#,
        serde_json::to_string(values).unwrap()
    )
}

#[test]
fn adopt_rewrites_an_octodns_zone_file_in_place() {
    let d = tempfile::tempdir().unwrap();
    dns_scope(d.path());
    let declared = "---\n# apex\n'':\n  - type: A\n    value: 192.0.2.1\n  - type: MX\n    values:\n      - exchange: mail.example.com.\n        preference: 10\nwww:\n  type: A\n  ttl: 300\n  values:\n    - 192.0.2.10\nold:\n  type: CNAME\n  value: www.example.com.\n";
    write(&d.path().join("infra/dns/example.com.yaml"), declared);
    write(
        &d.path().join("live.json"),
        &format!(
            r#"{{"schema_version": 1, "scopes_read": ["dns_record:example.com"], "resources": [{}, {}, {}, {}]}}"#,
            set("example.com", "A", 3600, &["192.0.2.1"]),
            set("example.com", "MX", 3600, &["10 mail.example.com."]),
            set("www.example.com", "A", 60, &["192.0.2.10", "192.0.2.11"]),
            set("api.example.com", "A", 300, &["192.0.2.20"]),
        ),
    );
    let r = check_in(d.path(), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let r = dg(d.path(), &["adopt", "--live", "live.json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        std::fs::read_to_string(d.path().join("infra/dns/example.com.yaml")).unwrap(),
        "---\n# apex\n'':\n  - type: A\n    value: 192.0.2.1\n  - type: MX\n    values:\n      - exchange: mail.example.com.\n        preference: 10\nwww:\n  type: A\n  ttl: 60\n  values: [192.0.2.10, 192.0.2.11]\napi: {type: A, ttl: 300, values: [192.0.2.20]}\n"
    );
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn adopt_rewrites_an_rfc1035_zone_file_in_place() {
    let d = tempfile::tempdir().unwrap();
    dns_scope(d.path());
    let declared = "$ORIGIN example.com.\n$TTL 300\n; web front\nwww     IN A   192.0.2.10\n        IN A   192.0.2.11\nold     IN CNAME www\ntxt     IN TXT ( \"v=spf1\"\n                 \" -all\" )\n";
    write(&d.path().join("infra/example.com.zone"), declared);
    write(
        &d.path().join("live.json"),
        &format!(
            r#"{{"schema_version": 1, "scopes_read": ["dns_record:example.com"], "resources": [{}, {}, {}]}}"#,
            set("www.example.com", "A", 60, &["192.0.2.10"]),
            set("txt.example.com", "TXT", 300, &["\"v=spf1 -all\""]),
            set("api.example.com", "A", 300, &["192.0.2.20"]),
        ),
    );
    let r = check_in(d.path(), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let r = dg(d.path(), &["adopt", "--live", "live.json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        std::fs::read_to_string(d.path().join("infra/example.com.zone")).unwrap(),
        "$ORIGIN example.com.\n$TTL 300\n; web front\nwww.example.com. 60 IN A 192.0.2.10\ntxt     IN TXT ( \"v=spf1\"\n                 \" -all\" )\napi.example.com. 300 IN A 192.0.2.20\n"
    );
    let r = check_in(d.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn demo_table_all_lists_in_sync_resources_too() {
    let r = check(&["--all"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_table_all", r.transcript());
    assert!(r.stdout.contains("prod/worker"));
    assert!(
        !check(&[]).stdout.contains("prod/worker"),
        "drift only by default"
    );
}

#[test]
fn a_mistyped_declared_directory_gets_a_did_you_mean_not_an_import() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("infra/production")).unwrap();
    std::fs::create_dir_all(d.path().join("infra/staging")).unwrap();
    write(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"prod\"\nmode = \"enforce\"\ndeclared = \"infra/prodution\"\n\n[scope.aws]\nregion = \"us-east-1\"\necs_clusters = [\"prod\"]\n",
    );
    let r = dg(d.path(), &["check"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("driftgate.toml:4:1: scope `prod`: declared directory `infra/prodution` does not exist (did you mean `infra/production`?)"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("import"), "{}", r.stderr);
    // Nothing close: then import is the way.
    write(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"prod\"\nmode = \"enforce\"\ndeclared = \"gitops/live\"\n\n[scope.aws]\nregion = \"us-east-1\"\necs_clusters = [\"prod\"]\n",
    );
    let r = dg(d.path(), &["check"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("run `driftgate import`"), "{}", r.stderr);
}

#[test]
fn every_bad_declared_file_of_a_run_is_reported() {
    let d = demo_copy();
    write(
        &d.path().join("infra/production/ecs/prod/bad1.yaml"),
        "kind: ecs_service\ncluster: prod\nserviceName: bad1\ndesiredCount: [\n",
    );
    write(
        &d.path().join("infra/sandbox/ecs/sandbox/bad2.yaml"),
        "kind: ecs_service\ncluster: sandbox\nserviceName: bad2\ndesiredCont: 1\ntaskDefinition: {family: x, containerDefinitions: [{name: a, image: b}]}\n",
    );
    let r = dg(d.path(), &["check", "--live", "live.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("infra/production/ecs/prod/bad1.yaml:"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("error: infra/sandbox/ecs/sandbox/bad2.yaml:4:1: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("desiredCont"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing is reported on bad input");
}

#[test]
fn a_file_that_is_not_there_is_named_without_a_place_in_it() {
    let r2 = dg(
        &root(),
        &[
            "check",
            "--config",
            "fixtures/demo/driftgate.toml",
            "--live",
            "nowhere.json",
        ],
    );
    assert_eq!(r2.code, 2);
    assert!(
        r2.stderr.contains("error: nowhere.json: cannot read: "),
        "{}",
        r2.stderr
    );
    assert!(!r2.stderr.contains(":1:1:"), "{}", r2.stderr);
    let r = dg(&root(), &["check", "--config", "nowhere.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("error: nowhere.toml: cannot read the config file"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_ignore_rule_that_matches_nothing_is_a_warning() {
    let d = demo_copy();
    let config = std::fs::read_to_string(d.path().join("driftgate.toml"))
        .unwrap()
        .replace("resource = \"prod/worker\"", "resource = \"prod/wroker\"");
    write(&d.path().join("driftgate.toml"), &config);
    let r = dg(d.path(), &["check", "--live", "live.json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("warning: driftgate.toml:26: the ignore rule for ecs_service `prod/wroker` matches no resource in scope"),
        "{}",
        r.stderr
    );
    // The demo's own rule matches: no warning.
    let r = check(&[]);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn adopt_of_a_resource_that_matches_nothing_exits_2_and_says_so() {
    let d = demo_copy();
    let r = dg(
        d.path(),
        &[
            "adopt",
            "--live",
            "live.json",
            "--resource",
            "prod/ap",
            "--dry-run",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("error: --resource `prod/ap` matches no resource in scope"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: drifted resources: prod/api"),
        "{}",
        r.stderr
    );
    let r = dg(
        d.path(),
        &[
            "adopt",
            "--live",
            "live.json",
            "--resource",
            "prod/a*",
            "--dry-run",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("would adopt 1 resource in 1 file;"),
        "{}",
        r.stderr
    );
}

#[test]
fn files_that_are_not_ours_are_skipped_with_a_note_and_files_explains_each() {
    let d = demo_copy();
    let prod = d.path().join("infra/production");
    // Another tool's YAML with a `kind:`, a CI workflow, an octoDNS zone of
    // a zone this scope does not manage.
    write(
        &prod.join("k8s/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n",
    );
    write(
        &prod.join("ci/deploy.yml"),
        "name: deploy\non: [push]\njobs:\n  x:\n    runs-on: ubuntu-latest\n",
    );
    write(
        &prod.join("dns/other.example.yaml"),
        "'':\n  type: A\n  value: 192.0.2.1\nwww:\n  - type: CNAME\n    value: other.example.\n",
    );
    let r = dg(d.path(), &["check", "--live", "live.json"]);
    assert_eq!(r.code, 1, "the scan goes on: {}", r.all());
    for note in [
        "note: infra/production/k8s/deployment.yaml: not a format driftgate reads (another tool's file?); skipped",
        "note: infra/production/ci/deploy.yml: not a format driftgate reads",
        "note: infra/production/dns/other.example.yaml: octoDNS zone `other.example` is not a DNS zone of scope `production`; skipped",
    ] {
        assert!(r.stderr.contains(note), "{note}\n{}", r.stderr);
    }
    let r = dg(d.path(), &["files", "--scope", "production"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let row = |file: &str| {
        r.stdout
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file}: {}", r.stdout))
            .to_owned()
    };
    assert!(
        row("dns/example.com.yaml").contains("6 resources"),
        "{}",
        r.stdout
    );
    assert!(
        row("dns/other.example.yaml").contains("octoDNS zone file"),
        "{}",
        r.stdout
    );
    assert!(
        row("ecs-task-def.json").contains("an ECS task definition"),
        "{}",
        r.stdout
    );
    assert!(
        row("k8s/deployment.yaml").contains("skipped"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("skipped; 11 resources declared"),
        "{}",
        r.stdout
    );

    // A typo in driftgate's own `kind:` is an error, never a skip.
    write(
        &prod.join("dns/typo.yaml"),
        "kind: dns_zon\nzone: example.com\nrecords: []\n",
    );
    let r = dg(d.path(), &["check", "--live", "live.json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains(
            "infra/production/dns/typo.yaml:1:1: unknown kind `dns_zon` (did you mean `dns_zone`?)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn an_ecspresso_service_it_cannot_render_is_unchecked_under_the_scopes_id_prefix() {
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"a\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.aws]\nregion = \"us-east-1\"\nid_prefix = \"acct\"\necs_clusters = [\"c\"]\n",
    );
    write(
        &d.path().join("infra/ecspresso.yml"),
        "region: us-east-1\ncluster: c\nservice: web\nservice_definition: svc.json\ntask_definition: td.json\n",
    );
    write(&d.path().join("infra/svc.json"), "{\"desiredCount\": 1}\n");
    write(
        &d.path().join("infra/td.json"),
        "{\"family\": \"web\", \"containerDefinitions\": [{\"name\": \"w\", \"image\": \"{{ tfstate `aws_ecr_repository.web.repository_url` }}:1\"}]}\n",
    );
    write(
        &d.path().join("live.json"),
        r#"{"schema_version": 1, "scopes_read": ["ecs_service:acct:c"], "resources": [{"kind": "ecs_service", "id": "acct:c/web", "spec": {"serviceName": "web", "desiredCount": 1, "taskDefinition": {"family": "web", "containerDefinitions": [{"name": "w", "image": "x:1"}]}}}]}"#,
    );
    let r = dg(
        d.path(),
        &["check", "--live", "live.json", "--format", "json"],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["id"], "acct:c/web");
    assert_eq!(f["state"], "unchecked", "never unmanaged: {f:#}");
    assert!(
        f["reason"].as_str().unwrap().contains("`{{ tfstate }}`"),
        "{f:#}"
    );
}

/// The SDK's HTTPS client (rustls on ring, not the SDK's default aws-lc-rs)
/// really speaks TLS and verifies the peer: against a loopback TLS server
/// (`openssl s_server`) whose certificate nobody trusts, the call fails on
/// the certificate, and the scope is unchecked (exit 2).
#[test]
fn aws_calls_go_over_tls_and_an_untrusted_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .expect("openssl (Debian's openssl package) is installed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("openssl")
        .args([
            "s_server", "-quiet", "-www", "-cert", "cert.pem", "-key", "key.pem",
        ])
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    write(
        &d.join("driftgate.toml"),
        "[[scope]]\nname = \"tls\"\nmode = \"enforce\"\ndeclared = \"decl\"\n[scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"tls.example\"]\n",
    );
    std::fs::create_dir_all(d.join("decl")).unwrap();
    let r = run(driftgate(d)
        .args(["check", "--timeout", "60s"])
        .env("AWS_ENDPOINT_URL", format!("https://localhost:{port}"))
        .env("AWS_ACCESS_KEY_ID", "tls")
        .env("AWS_SECRET_ACCESS_KEY", "tls")
        .env("DRIFTGATE_AWS_PACING", "off"));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("invalid peer certificate"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("unchecked"), "{}", r.stdout);
}
