//! End to end against moto: services created and changed through the real
//! AWS API as a person in the console would, then found by `driftgate`.
//!
//! `scripts/test.sh` starts moto and sets `DRIFTGATE_TEST_MOTO`. Without it
//! these tests fail: they never skip.
//!
//! Longer than 600 lines on purpose: the ECS scenarios share one seeded
//! estate and its helpers (network, task definitions, the pasted AWS CLI).

use crate::common::{Run, driftgate, endpoint, run, unique, write};
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition, KeyValuePair,
    LaunchType, NetworkConfiguration, NetworkMode, PortMapping, Tag,
};
use serde_json::Value;
use std::path::Path;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn ecs() -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(driftgate_aws::client::http_client())
        .endpoint_url(endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ecs::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    Client::new(&config)
}

/// A VPC with a subnet and a security group: (subnet, security group).
fn network(name: &str) -> (String, String) {
    let (_, subnet, sg) = crate::common::network(1, name, name);
    (subnet, sg)
}

fn env(name: &str, value: &str) -> KeyValuePair {
    KeyValuePair::builder().name(name).value(value).build()
}

/// Registers a Fargate task definition for `family` with one container.
async fn register(
    c: &Client,
    family: &str,
    image: &str,
    log_level: &str,
    password: &str,
) -> String {
    let out = c
        .register_task_definition()
        .family(family)
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image(image)
                .essential(true)
                .port_mappings(PortMapping::builder().container_port(8080).build())
                .environment(env("LOG_LEVEL", log_level))
                .environment(env("DB_PASSWORD", password))
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_owned()
}

async fn create_service(
    c: &Client,
    cluster: &str,
    name: &str,
    td: &str,
    count: i32,
    net: &(String, String),
) {
    c.create_service()
        .cluster(cluster)
        .service_name(name)
        .task_definition(td)
        .desired_count(count)
        .launch_type(LaunchType::Fargate)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .subnets(&net.0)
                        .security_groups(&net.1)
                        .assign_public_ip(AssignPublicIp::Disabled)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .tags(Tag::builder().key("team").value("platform").build())
        .send()
        .await
        .unwrap();
}

/// A cluster with services `api` and `worker` (family names prefixed with
/// the cluster, so tests never share state).
async fn seed(c: &Client, cluster: &str) -> (String, String) {
    let net = network(cluster);
    c.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    let api = register(
        c,
        &format!("{cluster}-api"),
        "nginx:1.25",
        "info",
        "hunter2",
    )
    .await;
    create_service(c, cluster, "api", &api, 2, &net).await;
    let worker = register(
        c,
        &format!("{cluster}-worker"),
        "python:3.12",
        "info",
        "hunter2",
    )
    .await;
    create_service(c, cluster, "worker", &worker, 1, &net).await;
    net
}

/// ClickOps on a seeded cluster: a hotfix deployed by hand (image, env,
/// rotated password, scaled), a service created by hand, another deleted.
async fn clickops(c: &Client, cluster: &str, net: &(String, String)) {
    let td = register(
        c,
        &format!("{cluster}-api"),
        "nginx:1.26",
        "debug",
        "hunter3",
    )
    .await;
    c.update_service()
        .cluster(cluster)
        .service("api")
        .task_definition(td)
        .desired_count(4)
        .send()
        .await
        .unwrap();
    let byhand = register(c, &format!("{cluster}-byhand"), "busybox", "info", "x").await;
    create_service(c, cluster, "byhand", &byhand, 1, net).await;
    c.delete_service()
        .cluster(cluster)
        .service("worker")
        .force(true)
        .send()
        .await
        .unwrap();
}

fn config(dir: &Path, cluster: &str, mode: &str, extra: &str) {
    write(
        &dir.join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"main\"\nmode = \"{mode}\"\ndeclared = \"infra\"\n\n[scope.aws]\nregion = \"us-east-1\"\necs_clusters = [\"{cluster}\"]\n{extra}"
        ),
    );
}

/// `driftgate ARGS` against moto with dummy credentials.
fn dgm(dir: &Path, args: &[&str]) -> Run {
    run(driftgate(dir)
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"))
}

fn json_check(dir: &Path, extra: &[&str]) -> (i32, Value, Run) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let r = dgm(dir, &args);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()));
    (r.code, v, r)
}

fn finding<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding for {id} in {report:#}"))
}

fn change<'a>(f: &'a Value, path: &str) -> &'a Value {
    f["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == path)
        .unwrap_or_else(|| panic!("no change at {path} in {f:#}"))
}

#[test]
fn import_then_check_is_clean_and_clickops_is_found() {
    let rt = rt();
    let c = rt.block_on(ecs());
    let cluster = &unique("clickops");
    let net = rt.block_on(seed(&c, cluster));
    let d = tempfile::tempdir().unwrap();
    config(d.path(), cluster, "enforce", "");

    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let api_file = d.path().join(format!("infra/ecs/{cluster}/api.yaml"));
    let imported = std::fs::read_to_string(&api_file).unwrap();
    assert!(imported.contains("image: nginx:1.25"));
    assert!(
        !imported.contains("hunter2"),
        "no secret in an imported file"
    );

    let r = dgm(d.path(), &["check"]);
    assert_eq!(r.code, 0, "import then check is in sync: {}", r.all());
    assert!(
        r.stdout
            .contains("2 in sync, 0 changed, 0 missing, 0 unmanaged, 0 unchecked"),
        "{}",
        r.stdout
    );

    let r = dgm(d.path(), &["snapshot", "-o", "before.json"]);
    assert_eq!(r.code, 0, "{}", r.all());

    // ClickOps: a hotfix deployed by hand (image, env, rotated password,
    // scaled), a service created by hand, another deleted by hand.
    rt.block_on(clickops(&c, cluster, &net));

    let (code, report, raw) = json_check(d.path(), &[]);
    assert_eq!(code, 1, "{}", raw.all());
    let api = finding(&report, &format!("{cluster}/api"));
    assert_eq!(api["state"], "changed");
    let img = change(api, "taskDefinition.containerDefinitions[app].image");
    assert_eq!(
        (img["declared"].as_str(), img["live"].as_str()),
        (Some("nginx:1.25"), Some("nginx:1.26"))
    );
    let count = change(api, "desiredCount");
    assert_eq!(
        (count["declared"].as_i64(), count["live"].as_i64()),
        (Some(2), Some(4))
    );
    let level = change(
        api,
        "taskDefinition.containerDefinitions[app].environment[LOG_LEVEL]",
    );
    assert_eq!(
        (level["declared"].as_str(), level["live"].as_str()),
        (Some("info"), Some("debug"))
    );
    let secret = change(
        api,
        "taskDefinition.containerDefinitions[app].environment[DB_PASSWORD]",
    );
    assert!(
        secret["declared"]
            .as_str()
            .unwrap()
            .starts_with("***masked***")
    );
    assert!(secret["live"].as_str().unwrap().starts_with("***masked***"));
    assert_ne!(secret["declared"], secret["live"]);
    assert_eq!(
        api["changes"].as_array().unwrap().len(),
        4,
        "nothing else differs: {api:#}"
    );
    assert_eq!(
        finding(&report, &format!("{cluster}/byhand"))["state"],
        "unmanaged"
    );
    assert_eq!(
        finding(&report, &format!("{cluster}/worker"))["state"],
        "missing"
    );
    assert_eq!(report["summary"]["in_sync"], 0);

    let mut everything = raw.all();
    for format in ["table", "diff"] {
        let r = dgm(d.path(), &["check", "--format", format]);
        assert_eq!(r.code, 1, "{}", r.all());
        everything.push_str(&r.all());
    }
    let r = dgm(d.path(), &["snapshot", "-o", "after.json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    everything.push_str(&std::fs::read_to_string(d.path().join("after.json")).unwrap());
    everything.push_str(&std::fs::read_to_string(d.path().join("before.json")).unwrap());
    assert!(
        !everything.contains("hunter"),
        "a secret value reached an output"
    );

    // Offline: the snapshot gives the same findings as the live scan, and
    // the earlier snapshot still gives the earlier verdict.
    let (code, offline, _) = json_check(d.path(), &["--live", "after.json"]);
    assert_eq!(code, 1);
    // The same findings; only when it ran and how long it took differ.
    let mut offline = offline;
    let mut report = report;
    for r in [&mut offline, &mut report] {
        for k in ["generated_at", "duration_seconds"] {
            r.as_object_mut().unwrap().remove(k);
        }
    }
    assert_eq!(offline, report);
    let (code, before, _) = json_check(d.path(), &["--live", "before.json"]);
    assert_eq!(code, 0);
    assert_eq!(before["summary"]["in_sync"], 2);
}

#[test]
fn advisory_scope_reports_drift_and_exits_0() {
    let rt = rt();
    let c = rt.block_on(ecs());
    let cluster = &unique("advisory");
    rt.block_on(seed(&c, cluster));
    let d = tempfile::tempdir().unwrap();
    config(d.path(), cluster, "advisory", "");
    assert_eq!(dgm(d.path(), &["import"]).code, 0);
    rt.block_on(async {
        c.update_service()
            .cluster(cluster)
            .service("api")
            .desired_count(7)
            .send()
            .await
            .unwrap();
    });
    let (code, report, r) = json_check(d.path(), &[]);
    assert_eq!(code, 0, "{}", r.all());
    let api = finding(&report, &format!("{cluster}/api"));
    assert_eq!(
        (api["state"].as_str(), api["mode"].as_str()),
        (Some("changed"), Some("advisory"))
    );
}

#[test]
fn a_field_ignore_rule_removes_exactly_that_field() {
    let rt = rt();
    let c = rt.block_on(ecs());
    let cluster = &unique("ignoring");
    rt.block_on(seed(&c, cluster));
    let d = tempfile::tempdir().unwrap();
    config(
        d.path(),
        cluster,
        "enforce",
        "\n[[ignore]]\nkind = \"ecs_service\"\nresource = \"*\"\nfield = \"desiredCount\"\nreason = \"autoscaling\"\nexpires = \"2099-01-01\"\n",
    );
    assert_eq!(dgm(d.path(), &["import"]).code, 0);
    rt.block_on(async {
        c.update_service()
            .cluster(cluster)
            .service("worker")
            .desired_count(9)
            .send()
            .await
            .unwrap();
        let td = register(&c, &format!("{cluster}-api"), "nginx:9", "info", "hunter2").await;
        c.update_service()
            .cluster(cluster)
            .service("api")
            .desired_count(9)
            .task_definition(td)
            .send()
            .await
            .unwrap();
    });
    let (code, report, r) = json_check(d.path(), &[]);
    assert_eq!(code, 1, "{}", r.all());
    let worker = finding(&report, &format!("{cluster}/worker"));
    assert_eq!(worker["state"], "in_sync");
    assert_eq!(worker["ignored"], serde_json::json!(["desiredCount"]));
    let api = finding(&report, &format!("{cluster}/api"));
    assert_eq!(api["state"], "changed");
    let paths: Vec<&str> = api["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec!["taskDefinition.containerDefinitions[app].image"]
    );
}

#[test]
fn the_ecspresso_json_pair_is_checked_like_native_yaml() {
    let rt = rt();
    let c = rt.block_on(ecs());
    let cluster = &unique("ecspresso");
    let net = rt.block_on(seed(&c, cluster));
    let d = tempfile::tempdir().unwrap();
    config(d.path(), cluster, "enforce", "");
    write(
        &d.path().join("infra/api/ecs-service-def.json"),
        &format!(
            r#"{{"serviceName": "api", "desiredCount": 2, "launchType": "FARGATE", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/{cluster}-api:1",
  "networkConfiguration": {{"awsvpcConfiguration": {{"subnets": ["{}"], "securityGroups": ["{}"], "assignPublicIp": "DISABLED"}}}},
  "tags": [{{"key": "team", "value": "platform"}}]}}"#,
            net.0, net.1
        ),
    );
    write(
        &d.path().join("infra/api/ecs-task-def.json"),
        &r#"{"taskDefinition": {"family": "FAMILY", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
  "cpu": "0.25 vCPU", "memory": "0.5 GB",
  "containerDefinitions": [{"name": "app", "image": "nginx:1.25", "essential": true,
    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
    "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}, {"name": "LOG_LEVEL", "value": "info"}]}]}}"#
            .replace("FAMILY", &format!("{cluster}-api")),
    );
    write(
        &d.path().join("infra/worker.yaml"),
        &"kind: ecs_service\nserviceName: worker\ndesiredCount: 1\nlaunchType: FARGATE\ntaskDefinition:\n  family: FAMILY\n"
            .replace("FAMILY", &format!("{cluster}-worker")),
    );
    let (code, report, r) = json_check(d.path(), &[]);
    let api = finding(&report, &format!("{cluster}/api"));
    assert_eq!(api["state"], "in_sync", "{api:#}");
    assert_eq!(api["declared_at"], "infra/api/ecs-service-def.json:1");
    let worker = finding(&report, &format!("{cluster}/worker"));
    assert_eq!(
        worker["state"], "changed",
        "the worker file declares no task definition or network"
    );
    assert_eq!(code, 1, "{}", r.all());
    assert!(!r.all().contains("hunter2"));
}

#[test]
fn an_unreachable_endpoint_is_exit_2_with_a_hint() {
    let d = tempfile::tempdir().unwrap();
    config(d.path(), "prod", "enforce", "");
    std::fs::create_dir_all(d.path().join("infra")).unwrap();
    // A port that was free a moment ago: moto stopped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(driftgate(d.path())
        .args(["check"])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stdout.contains("INCOMPLETE scan"), "{}", r.stdout);
    assert!(
        r.stderr.contains("hint: the endpoint could not be reached"),
        "{}",
        r.stderr
    );
}

#[test]
fn missing_credentials_are_exit_2_with_a_hint() {
    let d = tempfile::tempdir().unwrap();
    config(d.path(), "prod", "enforce", "");
    std::fs::create_dir_all(d.path().join("infra")).unwrap();
    let r = run(driftgate(d.path())
        .args(["check"])
        .env("AWS_ENDPOINT_URL", endpoint()));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("hint: no credentials"), "{}", r.stderr);
}

/// `git` in a test repository, with a fixed identity.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The added and removed lines of `git diff`, without headers.
fn diff_lines(dir: &Path) -> Vec<String> {
    git(dir, &["diff", "--unified=0", "--no-color"])
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn adopt_after_clickops_makes_the_next_check_pass_and_diffs_only_the_adopted_fields() {
    let rt = rt();
    let c = rt.block_on(ecs());
    let cluster = &unique("adopt");
    let net = rt.block_on(seed(&c, cluster));
    let d = tempfile::tempdir().unwrap();
    config(d.path(), cluster, "enforce", "");
    assert_eq!(dgm(d.path(), &["import"]).code, 0);
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "-A"]);
    git(d.path(), &["commit", "-qm", "imported"]);

    rt.block_on(clickops(&c, cluster, &net));
    assert_eq!(json_check(d.path(), &[]).0, 1);

    // A dry run writes nothing and prints the patch.
    let r = dgm(d.path(), &["adopt", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("+    image: nginx:1.26"), "{}", r.stdout);
    assert!(diff_lines(d.path()).is_empty());

    let r = dgm(d.path(), &["adopt"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains("hunter"), "no secret in adopt's output");
    let status = git(d.path(), &["status", "--porcelain"]);
    let mut status: Vec<&str> = status.lines().collect();
    status.sort_unstable();
    assert_eq!(
        status,
        vec![
            format!(" D infra/ecs/{cluster}/worker.yaml").as_str(),
            format!(" M infra/ecs/{cluster}/api.yaml").as_str(),
            format!("?? infra/ecs/{cluster}/byhand.yaml").as_str(),
        ]
    );
    let changed: Vec<String> = git(
        d.path(),
        &[
            "diff",
            "--unified=0",
            "--no-color",
            "--",
            &format!("infra/ecs/{cluster}/api.yaml"),
        ],
    )
    .lines()
    .filter(|l| {
        (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---")
    })
    .map(|l| l.split_once(':').map_or(l, |(k, _)| k).to_owned())
    .collect();
    assert_eq!(
        changed,
        vec![
            "-desiredCount",
            "+desiredCount",
            "-    image",
            "+    image",
            "-      value",
            "+      value",
            "-      value",
            "+      value",
        ],
        "only desiredCount, image, LOG_LEVEL and the password's digest change"
    );
    let (code, report, r) = json_check(d.path(), &[]);
    assert_eq!(code, 0, "after adopt the check passes: {}", r.all());
    assert_eq!(report["summary"]["in_sync"], 2);
}

#[test]
fn adopt_edits_the_task_definition_file_of_a_cli_pair_and_leaves_clear_secrets_to_a_person() {
    let rt = rt();
    let c = rt.block_on(ecs());
    let cluster = &unique("adoptpair");
    let net = rt.block_on(seed(&c, cluster));
    let d = tempfile::tempdir().unwrap();
    config(d.path(), cluster, "enforce", "");
    write(
        &d.path().join("infra/api/ecs-service-def.json"),
        &format!(
            r#"{{"serviceName": "api", "desiredCount": 2, "launchType": "FARGATE", "taskDefinition": "{cluster}-api",
  "networkConfiguration": {{"awsvpcConfiguration": {{"subnets": ["{}"], "securityGroups": ["{}"], "assignPublicIp": "DISABLED"}}}},
  "tags": [{{"key": "team", "value": "platform"}}]}}
"#,
            net.0, net.1
        ),
    );
    let td = r#"{
  "family": "FAMILY",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "0.25 vCPU",
  "memory": "0.5 GB",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "nginx:1.25",
      "essential": true,
      "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
      "environment": [
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "LOG_LEVEL", "value": "info"}
      ]
    }
  ]
}
"#
    .replace("FAMILY", &format!("{cluster}-api"));
    write(&d.path().join("infra/api/ecs-task-def.json"), &td);
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "-A"]);
    git(d.path(), &["commit", "-qm", "declared"]);
    rt.block_on(async {
        let td = register(
            &c,
            &format!("{cluster}-api"),
            "nginx:1.26",
            "debug",
            "hunter3",
        )
        .await;
        c.update_service()
            .cluster(cluster)
            .service("api")
            .task_definition(td)
            .send()
            .await
            .unwrap();
    });
    let r = dgm(
        d.path(),
        &["adopt", "--resource", &format!("{cluster}/api")],
    );
    assert_eq!(
        r.code,
        2,
        "a secret in clear is left for a person: {}",
        r.all()
    );
    assert!(
        r.stderr
            .contains("DB_PASSWORD]` is a secret written in the declared file"),
        "{}",
        r.stderr
    );
    assert!(!r.all().contains("hunter3"));
    assert_eq!(
        diff_lines(d.path()),
        vec![
            "-      \"image\": \"nginx:1.25\",",
            "+      \"image\": \"nginx:1.26\",",
            "-        {\"name\": \"LOG_LEVEL\", \"value\": \"info\"}",
            "+        {\"name\": \"LOG_LEVEL\", \"value\": \"debug\"}",
        ]
    );
    let (_, report, _) = json_check(d.path(), &[]);
    let api = finding(&report, &format!("{cluster}/api"));
    assert_eq!(api["changes"].as_array().unwrap().len(), 1, "{api:#}");
    assert_eq!(
        api["changes"][0]["path"],
        "taskDefinition.containerDefinitions[app].environment[DB_PASSWORD]"
    );
}

/// Runs a shell command line as a person would paste it, with the pinned AWS
/// CLI (installed beside moto by scripts/test.sh) on PATH, against moto.
pub(crate) fn paste(line: &str) -> Run {
    let python = std::env::var("DRIFTGATE_TEST_PYTHON").expect(
        "DRIFTGATE_TEST_PYTHON is not set: run scripts/test.sh, which installs the AWS CLI",
    );
    let bin = Path::new(&python).parent().unwrap().to_owned();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    run(std::process::Command::new("sh")
        .arg("-c")
        .arg(line)
        .env("PATH", path)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/driftgate-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/driftgate-test/credentials",
        ))
}

/// Every revert command `check --suggest` prints, secrets filled in by `fill`.
pub(crate) fn revert_commands(report: &Value, fill: &dyn Fn(&str) -> String) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["suggest"]["revert"].as_array())
        .flatten()
        .map(|c| fill(c.as_str().unwrap()))
        .collect()
}

#[test]
fn the_suggested_revert_commands_put_live_back_to_git() {
    let rt = rt();
    let c = rt.block_on(ecs());
    let cluster = &unique("revert");
    let net = rt.block_on(seed(&c, cluster));
    let d = tempfile::tempdir().unwrap();
    config(d.path(), cluster, "enforce", "");
    assert_eq!(dgm(d.path(), &["import"]).code, 0);
    rt.block_on(clickops(&c, cluster, &net));
    let (code, report, r) = json_check(d.path(), &["--suggest"]);
    assert_eq!(code, 1, "{}", r.all());
    assert!(!r.all().contains("hunter"), "no secret in a suggestion");
    let api = finding(&report, &format!("{cluster}/api"));
    assert_eq!(
        api["suggest"]["adopt"],
        format!("driftgate adopt --resource {cluster}/api")
    );
    assert!(
        api["suggest"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("REPLACE_WITH_SECRET"),
        "{api:#}"
    );
    // A person fills in the secret from their store, and pastes each command.
    let commands = revert_commands(&report, &|c| c.replace("REPLACE_WITH_SECRET", "hunter2"));
    assert_eq!(commands.len(), 5, "{commands:#?}");
    for line in &commands {
        let r = paste(line);
        assert_eq!(r.code, 0, "{line}\n{}", r.all());
    }
    let (code, report, r) = json_check(d.path(), &[]);
    assert_eq!(
        code, 0,
        "after the revert live matches Git: {report:#} {}",
        r.stderr
    );
}

#[test]
fn an_ecspresso_repository_is_read_through_its_ecspresso_yml() {
    let cluster = unique("espresso");
    let d = tempfile::tempdir().unwrap();
    // ecspresso's layout, as `ecspresso init` leaves it: the config names
    // cluster, service and the two files; the files name neither.
    let app = d.path().join("infra/web");
    write(
        &app.join("ecspresso.yml"),
        &format!(
            "region: us-east-1\ncluster: {cluster}\nservice: \"{{{{ must_env `SERVICE` }}}}\"\nservice_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 10m0s\nplugins:\n{{{{ if (env `TFSTATE_BUCKET` ``) }}}}\n  - name: tfstate\n    config:\n      url: s3://{{{{ must_env `TFSTATE_BUCKET` }}}}/terraform.tfstate\n{{{{ end }}}}\n"
        ),
    );
    write(
        &app.join("ecs-service-def.json"),
        "{\n  \"desiredCount\": 1,\n  \"launchType\": \"EC2\",\n  \"schedulingStrategy\": \"REPLICA\"\n}\n",
    );
    let td = "{\n  \"family\": \"web\",\n  \"containerDefinitions\": [\n    {\"name\": \"app\", \"image\": \"nginx:{{ env `TAG` `1.25` }}\", \"memory\": 128, \"essential\": true}\n  ]\n}\n";
    write(&app.join("ecs-task-def.json"), td);
    // A second service whose task definition uses a plugin function.
    let other = d.path().join("infra/worker");
    write(
        &other.join("ecspresso.yml"),
        &format!(
            "region: us-east-1\ncluster: {cluster}\nservice: worker\nservice_definition: svc.json\ntask_definition: td.json\nplugins:\n  - name: tfstate\n    config:\n      path: terraform.tfstate\n"
        ),
    );
    write(
        &other.join("svc.json"),
        "{\"desiredCount\": 1, \"launchType\": \"EC2\"}\n",
    );
    write(
        &other.join("td.json"),
        "{\"family\": \"worker\", \"taskRoleArn\": \"{{ tfstate `aws_iam_role.worker.arn` }}\", \"containerDefinitions\": [{\"name\": \"w\", \"image\": \"busybox:1\", \"memory\": 64}]}\n",
    );
    // Deployed as ecspresso deploys: the rendered definitions registered and
    // the service created with the AWS CLI.
    let rendered = d.path().join("web-td.json");
    std::fs::write(&rendered, td.replace("{{ env `TAG` `1.25` }}", "1.25")).unwrap();
    for line in [
        format!("aws ecs create-cluster --cluster-name {cluster}"),
        format!("aws ecs register-task-definition --cli-input-json file://{}", rendered.display()),
        format!("aws ecs create-service --cluster {cluster} --service-name web --task-definition web --desired-count 1 --launch-type EC2"),
        "aws ecs register-task-definition --family worker --container-definitions '[{\"name\":\"w\",\"image\":\"busybox:1\",\"memory\":64}]'".to_owned(),
        format!("aws ecs create-service --cluster {cluster} --service-name worker --task-definition worker --desired-count 1 --launch-type EC2"),
    ] {
        let r = paste(&line);
        assert_eq!(r.code, 0, "{line}: {}", r.all());
    }
    config(d.path(), &cluster, "enforce", "");
    let check = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let r = run(driftgate(d.path())
            .args(&all)
            .env("AWS_ENDPOINT_URL", endpoint())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("SERVICE", "web"));
        let v: Value =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()));
        (r, v)
    };
    let (r, v) = check(&[]);
    // web: in sync, read through its ecspresso.yml; worker: unchecked with
    // the plugin function named, never compared against the template.
    assert_eq!(r.code, 2, "{}", r.all());
    assert_eq!(
        finding(&v, &format!("{cluster}/web"))["state"],
        "in_sync",
        "{v:#}"
    );
    let worker = finding(&v, &format!("{cluster}/worker"));
    assert_eq!(worker["state"], "unchecked");
    assert!(
        worker["reason"]
            .as_str()
            .unwrap()
            .contains("uses ecspresso's `{{ tfstate }}`"),
        "{worker:#}"
    );
    assert_eq!(v["summary"]["in_sync"], 1);
    assert_eq!(v["summary"]["unchecked"], 1);
    // A hand change to the ecspresso service is found.
    let r = paste(&format!(
        "aws ecs update-service --cluster {cluster} --service web --desired-count 3"
    ));
    assert_eq!(r.code, 0, "{}", r.all());
    let (_, v) = check(&[]);
    let web = finding(&v, &format!("{cluster}/web"));
    assert_eq!(web["state"], "changed", "{web:#}");
    assert_eq!(change(web, "desiredCount")["live"], 3);
    assert_eq!(web["declared_at"], "infra/web/ecs-service-def.json:1");
    assert_eq!(
        change(web, "desiredCount")["at"],
        "infra/web/ecs-service-def.json:2"
    );
}

/// ecspresso's own CI layout (fixtures/real/ecspresso-daemon, verbatim):
/// deployed into moto as ecspresso would (the rendered definitions
/// registered, the DAEMON service created), then checked through its
/// config, which is not named ecspresso.yml.
#[test]
fn ecspressos_own_daemon_layout_is_in_sync_and_a_hand_change_is_found() {
    let d = tempfile::tempdir().unwrap();
    let app = d.path().join("deploy");
    crate::common::copy_tree(
        &crate::common::root().join("fixtures/real/ecspresso-daemon"),
        &app,
    );
    let td = std::fs::read_to_string(app.join("ecs-task-def-daemon.json"))
        .unwrap()
        .replace("{{must_env `AWS_ACCOUNT_ID`}}", "123456789012");
    let rendered = d.path().join("rendered-td.json");
    std::fs::write(&rendered, td).unwrap();
    let region = "ap-northeast-1";
    for line in [
        format!("aws ecs create-cluster --region {region} --cluster-name ecspresso-test-ec2"),
        format!(
            "aws ecs register-task-definition --region {region} --cli-input-json file://{}",
            rendered.display()
        ),
        format!(
            "aws ecs create-service --region {region} --cluster ecspresso-test-ec2 --service-name nginx-local-daemon --task-definition ecspresso-test --scheduling-strategy DAEMON"
        ),
    ] {
        let r = paste(&line);
        assert_eq!(r.code, 0, "{line}: {}", r.all());
    }
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"ecs\"\nmode = \"enforce\"\ndeclared = \"deploy\"\n\n[scope.aws]\nregion = \"{region}\"\necs_clusters = [\"ecspresso-test-ec2\"]\n"
        ),
    );
    let check = || {
        let r = run(driftgate(d.path())
            .args(["check", "--format", "json"])
            .env("AWS_ENDPOINT_URL", endpoint())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_ACCOUNT_ID", "123456789012"));
        let v: Value =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()));
        (r, v)
    };
    let (r, v) = check();
    assert_eq!(r.code, 0, "{v:#}\n{}", r.stderr);
    assert_eq!(v["summary"]["in_sync"], 1, "{v:#}");
    let files = run(driftgate(d.path())
        .args(["files"])
        .env("AWS_ACCOUNT_ID", "123456789012"));
    assert!(
        files.stdout.contains("ecspresso config"),
        "{}",
        files.stdout
    );
    assert!(
        files.stdout.contains("the task definition of"),
        "{}",
        files.stdout
    );

    // A new image deployed by hand.
    let hand = td_with_image(&rendered, "nginx:1.27");
    for line in [
        format!(
            "aws ecs register-task-definition --region {region} --cli-input-json file://{}",
            hand.display()
        ),
        format!(
            "aws ecs update-service --region {region} --cluster ecspresso-test-ec2 --service nginx-local-daemon --task-definition ecspresso-test"
        ),
    ] {
        let r = paste(&line);
        assert_eq!(r.code, 0, "{line}: {}", r.all());
    }
    let (r, v) = check();
    assert_eq!(r.code, 1, "{v:#}");
    let f = finding(&v, "ecspresso-test-ec2/nginx-local-daemon");
    assert_eq!(f["changes"].as_array().unwrap().len(), 1, "{f:#}");
    assert_eq!(
        change(f, "taskDefinition.containerDefinitions[nginx].image")["live"],
        "nginx:1.27"
    );
}

fn td_with_image(rendered: &Path, image: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(rendered)
        .unwrap()
        .replace("nginx:latest", image);
    let out = rendered.with_file_name("hand-td.json");
    std::fs::write(&out, text).unwrap();
    out
}
