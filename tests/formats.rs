//! The CI formats on the demo: snapshots of each, and each checked by a
//! parser of its own ecosystem (the official SARIF 2.1.0 JSON schema through
//! Python's jsonschema; junitparser for JUnit XML). `scripts/test.sh`
//! provides both; without them these tests fail, never skip.

use crate::common::{dg, root};
use std::path::Path;
use std::process::Command;

const DEMO: [&str; 5] = [
    "check",
    "--config",
    "fixtures/demo/driftgate.toml",
    "--live",
    "fixtures/demo/live.json",
];

fn python() -> String {
    std::env::var("DRIFTGATE_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "DRIFTGATE_TEST_PYTHON is not set: run scripts/test.sh, which installs the validators"
        )
    })
}

fn demo(format: &str) -> crate::common::Run {
    let mut args = DEMO.to_vec();
    args.extend_from_slice(&["--format", format]);
    dg(&root(), &args)
}

fn validate(script: &str, input: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report");
    std::fs::write(&file, input).unwrap();
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "validator failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn markdown() {
    let r = demo("markdown");
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("demo_markdown", r.transcript());
}

#[test]
fn junit_snapshot_and_reader() {
    let r = demo("junit");
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("demo_junit", r.transcript());
    let summary = validate(
        "import sys, junitparser\nx = junitparser.JUnitXml.fromfile(sys.argv[1])\nfor s in x:\n    for c in s:\n        print(s.name, c.classname, c.name, [type(r).__name__ for r in c.result])",
        &r.stdout,
    );
    assert!(
        summary.contains("production ecs_service prod/api ['Failure']"),
        "{summary}"
    );
    assert!(
        summary.contains("production ecs_service prod/worker []"),
        "{summary}"
    );
    assert!(
        summary.contains("sandbox ecs_service sandbox/scratch []"),
        "advisory drift does not fail: {summary}"
    );
}

#[test]
fn sarif_snapshot_and_schema() {
    let r = demo("sarif");
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("demo_sarif", r.transcript());
    let schema = std::env::var("DRIFTGATE_SARIF_SCHEMA")
        .unwrap_or_else(|_| panic!("DRIFTGATE_SARIF_SCHEMA is not set: run scripts/test.sh"));
    let out = validate(
        &format!(
            "import sys, json, jsonschema\nschema = json.load(open({schema:?}))\nlog = json.load(open(sys.argv[1]))\njsonschema.validators.validator_for(schema)(schema).validate(log)\nprint(len(log['runs'][0]['results']))"
        ),
        &r.stdout,
    );
    assert_eq!(out.trim(), "9", "changed x6, missing, unmanaged x2");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let unmanaged = results
        .iter()
        .find(|x| x["ruleId"] == "drift/unmanaged")
        .unwrap();
    assert_eq!(
        unmanaged["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "driftgate.toml"
    );
    assert_eq!(
        unmanaged["locations"][0]["physicalLocation"]["region"]["startLine"], 6,
        "at its [[scope]]"
    );
}

#[test]
fn several_outputs_in_one_run_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("r.xml");
    let sarif = dir.path().join("r.sarif");
    let mut args = DEMO.to_vec();
    let j = format!("junit={}", junit.display());
    let s = format!("sarif={}", sarif.display());
    args.extend_from_slice(&["--format", "json", "--output", &j, "--output", &s]);
    let r = dg(&root(), &args);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        serde_json::from_str::<serde_json::Value>(&r.stdout).is_ok(),
        "json on stdout"
    );
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("<testsuites")
    );
    assert!(
        std::fs::read_to_string(&sarif)
            .unwrap()
            .contains("\"version\": \"2.1.0\"")
    );

    // Only unmanaged fails: production has one (debug-shell), so still 1.
    let mut args = DEMO.to_vec();
    args.extend_from_slice(&["--fail-on", "unmanaged"]);
    assert_eq!(dg(&root(), &args).code, 1);
    // Only missing in sandbox-free terms: production's legacy-cron is missing.
    let mut args = DEMO.to_vec();
    args.extend_from_slice(&["--scope", "production", "--fail-on", "missing"]);
    assert_eq!(dg(&root(), &args).code, 1);
    // A state nothing is in: the drift is reported, the gate passes.
    let d = tempfile::tempdir().unwrap();
    crate::common::copy_tree(&root().join("fixtures/demo"), d.path());
    let r = dg(
        d.path(),
        &[
            "check",
            "--live",
            "live.json",
            "--scope",
            "sandbox",
            "--fail-on",
            "changed",
        ],
    );
    assert_eq!(r.code, 0, "sandbox is advisory: {}", r.all());
    let r = dg(&root(), &["check", "--fail-on", "unchecked"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`unchecked` is not a drift state"),
        "{}",
        r.stderr
    );
    let r = dg(&root(), &["check", "--output", "pdf=x.pdf"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`pdf` is not a format"), "{}", r.stderr);
}

#[test]
fn openmetrics_is_read_by_prometheus_client_both_ways() {
    let r = demo("openmetrics");
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_openmetrics", r.transcript());
    // prometheus_client's own parsers: the strict OpenMetrics one, and the
    // Prometheus text one that node_exporter's textfile collector speaks.
    let out = validate(
        r#"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
from prometheus_client.parser import text_string_to_metric_families as prom
text = open(sys.argv[1]).read()
for parse in (om, prom):
    for fam in parse(text):
        for s in fam.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            print(parse.__module__.split(".")[1], s.name, labels, float(s.value))
"#,
        &r.stdout,
    );
    for parser in ["openmetrics", "parser"] {
        for line in [
            "driftgate_findings kind=ecs_service,scope=production,state=changed 1.0",
            "driftgate_findings kind=ecs_service,scope=sandbox,state=changed 1.0",
            "driftgate_findings kind=ecs_service,scope=production,state=unchecked 0.0",
            "driftgate_scan_complete  1.0",
            "driftgate_drift  1.0",
        ] {
            assert!(
                out.contains(&format!("{parser} {line}\n")),
                "{parser} {line}:\n{out}"
            );
        }
        assert!(
            out.contains(&format!("{parser} driftgate_last_run_timestamp_seconds  ")),
            "{out}"
        );
        assert!(
            out.contains(&format!("{parser} driftgate_scan_duration_seconds  ")),
            "{out}"
        );
    }
}

/// Debian's Chromium, which scripts/test.sh installs; never skipped.
fn chromium() -> String {
    let path =
        std::env::var("DRIFTGATE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&path).is_file(),
        "{path} is not there: run scripts/test.sh, which installs Debian's chromium"
    );
    path
}

/// The DOM of `url` after its scripts ran, in headless Chromium with no
/// network at all (every host resolves nowhere).
fn rendered(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_html_report_renders_and_filters_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("drift.html");
    let mut args = DEMO.to_vec();
    let out = format!("html={}", page.display());
    args.extend_from_slice(&["--suggest", "--output", &out]);
    let r = dg(&root(), &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing to fetch, and a policy that forbids fetching.
    assert!(html.contains("default-src 'none'"), "{html}");
    for needle in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(needle), "{needle} in the page");
    }

    // Default view, as Chromium rendered it: the scripts ran, drift is
    // listed and the in-sync resource is filtered out.
    let dom = rendered(&format!("file://{}", page.display()));
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script did not run:\n{dom}"
    );
    assert!(
        dom.contains("<span id=\"shown\">showing 9 of 14</span>"),
        "{dom}"
    );
    let article = |id: &str| {
        let start = dom
            .find(&format!("data-id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id} not rendered"));
        let open = dom[..start].rfind("<article").unwrap();
        let end = dom[open..].find("</article>").unwrap() + open;
        dom[open..end].to_owned()
    };
    assert!(article("prod/worker").contains("hidden"));
    let api = article("prod/api");
    assert!(!api[..api.find('>').unwrap()].contains("hidden"), "{api}");
    // Its side-by-side diff: declared left, live right, the changed line
    // marked on each side; its ways out.
    assert!(
        api.contains("<td class=\"del\">      image: public.ecr.aws/nginx/nginx:1.25</td>"),
        "{api}"
    );
    assert!(
        api.contains("<td class=\"ins\">      image: public.ecr.aws/nginx/nginx:1.26</td>"),
        "{api}"
    );
    assert!(api.contains("class=\"revert\""), "{api}");
    assert!(api.contains("desiredCount: 3 -&gt; 5  (line 6)"), "{api}");
    // The chart: a bar per scope and state.
    assert!(
        dom.contains("<rect class=\"bar\" data-scope=\"sandbox\" data-state=\"changed\""),
        "{dom}"
    );

    // A link to a view: only the changed resources, then a text filter.
    let dom = rendered(&format!("file://{}#state=changed", page.display()));
    assert!(
        dom.contains("<span id=\"shown\">showing 6 of 14</span>"),
        "{dom}"
    );
    let dom = rendered(&format!(
        "file://{}#state=changed,missing,unmanaged&q=legacy",
        page.display()
    ));
    assert!(
        dom.contains("<span id=\"shown\">showing 1 of 14</span>"),
        "{dom}"
    );
}
