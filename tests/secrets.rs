//! The secret sweep: known values planted in every place a secret can sit in
//! a task definition and a service (environment, a URL's password, command
//! flags, a shell line, log options, FireLens options, docker labels, volume
//! driver options, health check, tags), registered in moto with the real AWS
//! CLI, changed by hand, then read by every command in every format. None of
//! the values may appear in any output, nor in any file driftgate writes.

use crate::common::{Run, driftgate, endpoint, run, unique, write};
use crate::moto::paste;
use std::path::Path;

const FORMATS: &[&str] = &[
    "table",
    "diff",
    "json",
    "markdown",
    "junit",
    "sarif",
    "html",
    "openmetrics",
];

fn task_definition(family: &str, n: &str) -> String {
    format!(
        r#"{{
  "family": "{family}",
  "networkMode": "bridge",
  "requiresCompatibilities": ["EC2"],
  "tags": [{{"key": "db-password", "value": "planted-tdtag-{n}"}}, {{"key": "team", "value": "web"}}],
  "containerDefinitions": [{{
    "name": "app",
    "image": "nginx:1.25",
    "memory": 256,
    "command": ["serve", "--api-key", "planted-flag-{n}", "--db=postgres://app:planted-cmdurl-{n}@db/app"],
    "entryPoint": ["sh", "-c", "export API_TOKEN=planted-shell-{n}; exec serve"],
    "environment": [
      {{"name": "DB_PASSWORD", "value": "planted-env-{n}"}},
      {{"name": "DATABASE_URL", "value": "mysql://root:planted-url-{n}@db/x"}},
      {{"name": "LOG_LEVEL", "value": "info"}}
    ],
    "logConfiguration": {{"logDriver": "splunk", "options": {{"splunk-token": "planted-log-{n}", "splunk-url": "https://splunk.example"}}}},
    "firelensConfiguration": {{"type": "fluentbit", "options": {{"api_key": "planted-firelens-{n}"}}}},
    "dockerLabels": {{"com.example.auth": "planted-label-{n}"}},
    "healthCheck": {{"command": ["CMD-SHELL", "curl -f http://u:planted-hc-{n}@localhost/ || exit 1"]}}
  }}],
  "volumes": [{{"name": "share", "dockerVolumeConfiguration": {{"driver": "local", "scope": "task", "driverOpts": {{"password": "planted-vol-{n}", "type": "cifs"}}}}}}]
}}"#
    )
}

fn dgm(dir: &Path, args: &[&str]) -> Run {
    run(driftgate(dir)
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"))
}

fn ok(r: &Run, line: &str) {
    assert_eq!(r.code, 0, "{line}: {}", r.all());
}

/// Every file under `dir`, as text.
fn files(dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push((
                p.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
            ));
        }
    }
}

#[test]
fn planted_secrets_never_reach_an_output_or_a_written_file() {
    let cluster = unique("secrets");
    let family = format!("{cluster}-app");
    let scratch = tempfile::tempdir().unwrap();
    let td = |n: &str| {
        let p = scratch.path().join(format!("td-{n}.json"));
        std::fs::write(&p, task_definition(&family, n)).unwrap();
        p.display().to_string()
    };
    for line in [
        format!("aws ecs create-cluster --cluster-name {cluster}"),
        format!(
            "aws ecs register-task-definition --cli-input-json file://{}",
            td("1")
        ),
        format!(
            "aws ecs create-service --cluster {cluster} --service-name api --task-definition {family} \
             --desired-count 1 --launch-type EC2 --tags key=auth-token,value=planted-svctag-1"
        ),
    ] {
        ok(&paste(&line), &line);
    }
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"prod\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\
             [scope.aws]\nregion = \"us-east-1\"\necs_clusters = [\"{cluster}\"]\n"
        ),
    );
    let mut outputs: Vec<(String, Run)> = Vec::new();
    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    outputs.push(("import".into(), r));
    let r = dgm(d.path(), &["check"]);
    assert_eq!(r.code, 0, "imported, then in sync: {}", r.all());
    outputs.push(("check".into(), r));

    // ClickOps: every secret changed by hand in a new revision.
    for line in [
        format!(
            "aws ecs register-task-definition --cli-input-json file://{}",
            td("2")
        ),
        format!(
            "aws ecs update-service --cluster {cluster} --service api --task-definition {family}"
        ),
    ] {
        ok(&paste(&line), &line);
    }
    for format in FORMATS {
        let r = dgm(d.path(), &["check", "--format", format, "--suggest"]);
        assert_eq!(r.code, 1, "{format}: {}", r.all());
        outputs.push((format!("check --format {format} --suggest"), r));
    }
    let mut every = vec!["check".to_owned()];
    for format in FORMATS {
        every.push("--output".into());
        every.push(format!("{format}=out/report.{format}"));
    }
    std::fs::create_dir_all(d.path().join("out")).unwrap();
    let args: Vec<&str> = every.iter().map(String::as_str).collect();
    outputs.push(("check --output ...".into(), dgm(d.path(), &args)));
    outputs.push((
        "snapshot".into(),
        dgm(d.path(), &["snapshot", "-o", "out/live.json"]),
    ));
    let r = dgm(
        d.path(),
        &["check", "--live", "out/live.json", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    outputs.push(("check --live".into(), r));
    outputs.push((
        "adopt --dry-run".into(),
        dgm(d.path(), &["adopt", "--dry-run"]),
    ));
    outputs.push(("adopt".into(), dgm(d.path(), &["adopt"])));
    outputs.push((
        "import --force".into(),
        dgm(d.path(), &["import", "--force"]),
    ));

    // The changes are seen (masked), in the JSON report.
    let json = &outputs
        .iter()
        .find(|(n, _)| n == "check --format json --suggest")
        .unwrap()
        .1;
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let paths: Vec<&str> = report["findings"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    for changed in [
        "environment[DB_PASSWORD]",
        "environment[DATABASE_URL]",
        "dockerLabels",
        "logConfiguration.options",
    ] {
        assert!(
            paths.iter().any(|p| p.contains(changed)),
            "a changed secret at {changed} is still reported: {paths:?}"
        );
    }

    let mut written = Vec::new();
    files(d.path(), &mut written);
    assert!(written.iter().any(|(p, _)| p.ends_with("report.sarif")));
    for (name, r) in &outputs {
        assert!(
            !r.all().contains("planted-"),
            "{name} printed a secret:\n{}",
            r.all()
        );
    }
    for (path, text) in &written {
        if let Some(i) = text.find("planted-") {
            panic!(
                "{path} holds a secret: {}",
                &text[i.saturating_sub(80)..(i + 40).min(text.len())]
            );
        }
    }
}
