//! The CI formats on the demo: snapshots of each, and each checked by a
//! parser of its own ecosystem (the official SARIF 2.1.0 JSON schema through
//! Python's jsonschema; junitparser for JUnit XML). `scripts/test.sh`
//! provides both; without them these tests fail, never skip.

use crate::common::{dg, root};
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
    assert_eq!(out.trim(), "4", "changed x2, missing, unmanaged");
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
        unmanaged["locations"][0]["physicalLocation"]["region"]["startLine"], 5,
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
