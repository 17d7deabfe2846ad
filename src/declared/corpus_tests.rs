//! Every ECS file of `../shared/corpus/ecs` (real files from public projects)
//! is either read right or rejected with an error at the right place. A file
//! added to the corpus without an expectation here fails the test.

use super::{Document, parse_with_env};
use crate::kinds::ecs_service::formats::{EcsDoc, read, resources};
use crate::kinds::ecs_service::normalize as ecs;
use crate::normalize::Mode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/ecs");
    assert!(
        dir.is_dir(),
        "the corpus is missing at {}: it ships beside the repository as shared/",
        dir.display()
    );
    dir
}

fn env_without(name: &str) -> Option<String> {
    let _ = name;
    None
}

fn env_with_account(name: &str) -> Option<String> {
    (name == "AWS_ACCOUNT_ID").then(|| "123456789012".to_owned())
}

fn load(file: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(Document, EcsDoc), String> {
    let path = corpus_dir().join(file);
    let doc = parse_with_env(&path, file.to_owned(), env).map_err(|e| e.to_string())?;
    let ecs = read(&doc).map_err(|e| e.to_string())?;
    Ok((doc, ecs))
}

/// The task definition a file holds, normalized: the file must read.
fn td(file: &str) -> Value {
    let (_, doc) = load(file, &env_with_account).unwrap_or_else(|e| panic!("{file}: {e}"));
    let EcsDoc::TaskDefinition { td, .. } = doc else {
        panic!("{file} is not read as a task definition")
    };
    let node = ecs::normalize(&json!({ "taskDefinition": td }), Mode::Strict).unwrap();
    crate::normalize::schema::canon_json(&node)["taskDefinition"].clone()
}

fn service(file: &str) -> Value {
    let (_, doc) = load(file, &env_with_account).unwrap_or_else(|e| panic!("{file}: {e}"));
    let EcsDoc::Service(mut svc) = doc else {
        panic!("{file} is not read as a service")
    };
    if svc.get("taskDefinition").is_some_and(Value::is_string) {
        svc.as_object_mut().unwrap().remove("taskDefinition");
    }
    crate::normalize::schema::canon_json(&ecs::normalize(&svc, Mode::Strict).unwrap())
}

fn rejected(file: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    match load(file, env) {
        Ok(_) => panic!("{file} was read, but it must be rejected"),
        Err(e) => e
            .strip_prefix(&format!("{}/", corpus_dir().display()))
            .unwrap_or(&e)
            .to_owned(),
    }
}

const EXPECTED: &[&str] = &[
    "aws-containers-nginx-ec2-bridge.json",
    "cdk-agent-broker-arm64-init.json",
    "cdk-agent-broker-service-exported.json",
    "ecspresso-daemon-ec2-secrets.json",
    "ecspresso-service-alb-alarms.json",
    "ecspresso-service-daemon-minimal.json",
    "ecspresso-td-wrapped.json",
    "firelens-appmesh-3containers.json",
    "firelens-dynatrace-MALFORMED.json",
    "firelens-efs-wrapped.json",
    "firelens-healthcheck-tcp.json",
    "firelens-logstash-secretoptions.json",
    "mysfits-service-capacity-provider.json",
    "mysfits-service-fargate-nlb.json",
    "mysfits-task-placeholders.json",
];

#[test]
fn every_corpus_file_has_an_expectation() {
    let mut found: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    found.sort();
    assert_eq!(found, EXPECTED);
}

#[test]
fn task_definitions_read_right() {
    let t = td("aws-containers-nginx-ec2-bridge.json");
    assert_eq!(t["family"], "nginx");
    assert_eq!(t["requiresCompatibilities"], json!(["EC2"]));
    assert!(t.get("networkMode").is_none(), "bridge is the default");
    assert!(t["containerDefinitions"]["nginx"]["portMappings"]["80/tcp"].is_object());

    let t = td("cdk-agent-broker-arm64-init.json");
    assert_eq!(t["runtimePlatform"]["cpuArchitecture"], "ARM64");
    let containers = t["containerDefinitions"].as_object().unwrap();
    assert_eq!(containers.len(), 2);
    let deps: Vec<&Value> = containers
        .values()
        .filter_map(|c| c.get("dependsOn"))
        .collect();
    assert_eq!(deps.len(), 1);
    assert!(deps[0].to_string().contains("SUCCESS"));
    assert!(containers.values().any(|c| c["essential"] == json!(false)));

    let t = td("ecspresso-daemon-ec2-secrets.json");
    assert_eq!(t["networkMode"], "HOST");
    assert_eq!(
        t["executionRoleArn"], "arn:aws:iam::123456789012:role/ecsTaskRole",
        "must_env rendered from the environment"
    );
    let c = t["containerDefinitions"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(c["secrets"].as_object().unwrap().len(), 3);

    let t = td("ecspresso-td-wrapped.json");
    assert_eq!(t["family"], "katsubushi");
    assert_eq!(t["cpu"], 1024);
    assert_eq!(t["memory"], 2048);
    assert_eq!(t["ephemeralStorage"]["sizeInGiB"], 25);
    assert_eq!(
        t["containerDefinitions"]["katsubushi"]["image"], "katsubushi/katsubushi:latest",
        "env default rendered"
    );
    assert_eq!(
        t["containerDefinitions"]["katsubushi"]["ulimits"]["nofile"]["softLimit"],
        100_000
    );
    assert!(t["proxyConfiguration"]["properties"].is_object());

    let t = td("firelens-appmesh-3containers.json");
    assert_eq!(t["containerDefinitions"].as_object().unwrap().len(), 3);
    assert!(t["containerDefinitions"].to_string().contains("CMD-SHELL"));

    let t = td("firelens-efs-wrapped.json");
    assert_eq!(t["containerDefinitions"].as_object().unwrap().len(), 2);
    assert!(t["volumes"].to_string().contains("efsVolumeConfiguration"));

    let t = td("firelens-healthcheck-tcp.json");
    let hc = t["containerDefinitions"]
        .as_object()
        .unwrap()
        .values()
        .find_map(|c| c.get("healthCheck"))
        .unwrap();
    assert!(hc["command"].to_string().contains("CMD-SHELL"));
    assert!(t.get("cpu").is_none() && t.get("memory").is_none());
}

#[test]
fn services_read_right() {
    let s = service("ecspresso-service-alb-alarms.json");
    // `launchType: EC2` is what AWS fills in without one: the same as absent.
    assert!(s.get("launchType").is_none(), "{s}");
    assert_eq!(
        s["deploymentConfiguration"]["deploymentCircuitBreaker"]["enable"],
        true
    );
    assert!(s["loadBalancers"].to_string().contains("targetGroupArn"));

    let s = service("ecspresso-service-daemon-minimal.json");
    assert_eq!(s, json!({"schedulingStrategy": "DAEMON"}));

    let s = service("mysfits-service-capacity-provider.json");
    assert!(s["capacityProviderStrategy"].is_object());
    assert!(s.get("launchType").is_none());

    let s = service("mysfits-service-fargate-nlb.json");
    assert_eq!(s["launchType"], "FARGATE");
    assert!(
        s["networkConfiguration"]["awsvpcConfiguration"]
            .get("assignPublicIp")
            .is_none(),
        "DISABLED is the default"
    );

    let s = service("cdk-agent-broker-service-exported.json");
    assert_eq!(s["enableExecuteCommand"], true);
}

#[test]
fn broken_files_are_rejected_at_their_place() {
    let e = rejected("firelens-dynatrace-MALFORMED.json", &env_without);
    assert_eq!(
        e,
        "firelens-dynatrace-MALFORMED.json:34:20: invalid JSON: expected `,` or `}`"
    );

    let e = rejected("firelens-logstash-secretoptions.json", &env_without);
    assert!(
        e.starts_with("firelens-logstash-secretoptions.json:20:13: "),
        "{e}"
    );
    assert!(
        e.contains("`containerDefinitions[app].portMappings`: expected a list, found an object"),
        "{e}"
    );

    let e = rejected("mysfits-task-placeholders.json", &env_without);
    assert!(
        e.starts_with("mysfits-task-placeholders.json:18:11: "),
        "{e}"
    );
    assert!(e.contains("`http` is not one of `tcp`, `udp`"), "{e}");

    let e = rejected("ecspresso-daemon-ec2-secrets.json", &env_without);
    assert!(
        e.starts_with("ecspresso-daemon-ec2-secrets.json:32:52: "),
        "{e}"
    );
    assert!(e.contains("`AWS_ACCOUNT_ID` is not set"), "{e}");
}

#[test]
fn service_files_without_a_name_are_rejected_when_paired() {
    // ecspresso keeps the service name in ecspresso.yml, not in the file.
    for file in [
        "ecspresso-service-daemon-minimal.json",
        "ecspresso-service-alb-alarms.json",
        "cdk-agent-broker-service-exported.json",
    ] {
        let loaded = load(file, &env_with_account).unwrap();
        let e = resources(&[loaded], &["prod".to_owned()]).unwrap_err();
        assert!(e.message.contains("no `serviceName`"), "{file}: {e}");
    }
    // The workshop's service file names a family no file here declares.
    let loaded = load("mysfits-service-fargate-nlb.json", &env_with_account).unwrap();
    let e = resources(&[loaded], &["MythicalMysfits-Cluster".to_owned()]).unwrap_err();
    assert!(e.message.contains("is not declared in any file"), "{e}");
}
