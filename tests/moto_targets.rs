//! Many targets in one run against moto: two assumed roles (two accounts,
//! as moto keys resources by the account in the role ARN), one of them in
//! two regions holding a cluster of the same name; then a target that fails,
//! whose failure must not hide the others' findings.

use crate::common::{Run, driftgate, endpoint, run, write};
use aws_config::sts::AssumeRoleProvider;
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{ContainerDefinition, LaunchType};
use serde_json::Value;
use std::path::Path;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Two 12-digit accounts no other run against this moto has used.
fn accounts() -> (String, String) {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let base = 100_000_000_000 + (n % 400_000_000_000) as u64 * 2;
    (format!("{base}"), format!("{}", base + 1))
}

/// SDK settings acting in `role`'s account and `region`, as a person
/// clicking in that account's console would.
async fn as_role(role: &str, region: &str) -> aws_config::SdkConfig {
    let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(driftgate_aws::client::http_client())
        .endpoint_url(endpoint())
        .region(aws_config::Region::new(region.to_owned()))
        .credentials_provider(aws_sdk_ecs::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    let assumed = AssumeRoleProvider::builder(role)
        .session_name("clickops")
        .configure(&base)
        .build()
        .await;
    base.into_builder()
        .credentials_provider(aws_sdk_ecs::config::SharedCredentialsProvider::new(assumed))
        .build()
}

async fn ecs_as(role: &str, region: &str) -> Client {
    Client::new(&as_role(role, region).await)
}

/// A cluster with one EC2-launched service running `image`.
async fn seed(c: &Client, cluster: &str, service: &str, image: &str) {
    c.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    deploy(c, cluster, service, image, true).await;
}

/// Registers a task definition with `image` and points the service at it
/// (creating the service when `create`).
async fn deploy(c: &Client, cluster: &str, service: &str, image: &str, create: bool) {
    let td = c
        .register_task_definition()
        .family(service)
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image(image)
                .memory(256)
                .essential(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_owned();
    if create {
        c.create_service()
            .cluster(cluster)
            .service_name(service)
            .task_definition(td)
            .desired_count(1)
            .launch_type(LaunchType::Ec2)
            .send()
            .await
            .unwrap();
    } else {
        c.update_service()
            .cluster(cluster)
            .service(service)
            .task_definition(td)
            .send()
            .await
            .unwrap();
    }
}

fn dgm(dir: &Path, args: &[&str]) -> Run {
    run(driftgate(dir)
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"))
}

fn state<'a>(report: &'a Value, id: &str) -> &'a str {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding for {id} in {report:#}"))["state"]
        .as_str()
        .unwrap()
}

#[test]
fn two_regions_and_two_roles_in_one_run_and_one_failure_is_isolated() {
    let rt = rt();
    let (a, b) = accounts();
    let role_a = format!("arn:aws:iam::{a}:role/driftgate-read");
    let role_b = format!("arn:aws:iam::{b}:role/driftgate-read");
    rt.block_on(async {
        // Account A: a cluster named `web` in two regions, the same service
        // in each. Account B: one cluster in a third region.
        for region in ["us-east-1", "eu-west-1"] {
            seed(&ecs_as(&role_a, region).await, "web", "api", "nginx:1.25").await;
        }
        seed(
            &ecs_as(&role_b, "us-west-2").await,
            "batch",
            "job",
            "busybox:1",
        )
        .await;
    });
    let d = tempfile::tempdir().unwrap();
    let config = format!(
        "[[scope]]\nname = \"account-a\"\nmode = \"enforce\"\ndeclared = \"infra/a\"\n\n\
         [scope.aws]\nregions = [\"us-east-1\", \"eu-west-1\"]\nrole_arn = \"{role_a}\"\n\
         ecs_clusters = [\"web\"]\n\n\
         [[scope]]\nname = \"account-b\"\nmode = \"enforce\"\ndeclared = \"infra/b\"\n\n\
         [scope.aws]\nregion = \"us-west-2\"\nrole_arn = \"{role_b}\"\nexternal_id = \"drift-gate-42\"\n\
         ecs_clusters = [\"batch\"]\n"
    );
    write(&d.path().join("driftgate.toml"), &config);

    // Import writes each region's files under a directory named after it.
    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    for file in [
        "infra/a/us-east-1/ecs/web/api.yaml",
        "infra/a/eu-west-1/ecs/web/api.yaml",
        "infra/b/ecs/batch/job.yaml",
    ] {
        assert!(d.path().join(file).is_file(), "{file}: {}", r.all());
    }
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "import then check is in sync: {}", r.all());

    // ClickOps in one region of account A only.
    rt.block_on(async {
        deploy(
            &ecs_as(&role_a, "eu-west-1").await,
            "web",
            "api",
            "nginx:1.26",
            false,
        )
        .await;
    });
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["complete"], true);
    assert_eq!(state(&report, "web@eu-west-1/api"), "changed");
    assert_eq!(state(&report, "web@us-east-1/api"), "in_sync");
    assert_eq!(state(&report, "batch/job"), "in_sync");
    let f = crate::common::finding(&report, "web@eu-west-1/api");
    assert_eq!(
        f["declared_at"], "infra/a/eu-west-1/ecs/web/api.yaml:5",
        "{f:#}"
    );
    assert_eq!(
        f["changes"][0]["path"],
        "taskDefinition.containerDefinitions[app].image"
    );

    // Both ways out name the region; adopt edits that region's file only.
    let r = dgm(d.path(), &["check", "--format", "json", "--suggest"]);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let f = crate::common::finding(&report, "web@eu-west-1/api");
    let revert = f["suggest"]["revert"].as_array().unwrap();
    assert!(
        revert
            .iter()
            .all(|c| c.as_str().unwrap().contains(" --region eu-west-1 ")),
        "{revert:#?}"
    );
    assert!(
        f["suggest"]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains(&role_a)),
        "{f:#}"
    );
    let us = std::fs::read_to_string(d.path().join("infra/a/us-east-1/ecs/web/api.yaml")).unwrap();
    let r = dgm(d.path(), &["adopt", "--resource", "web@eu-west-1/*"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let eu = std::fs::read_to_string(d.path().join("infra/a/eu-west-1/ecs/web/api.yaml")).unwrap();
    assert!(eu.contains("image: nginx:1.26"), "{eu}");
    assert_eq!(
        std::fs::read_to_string(d.path().join("infra/a/us-east-1/ecs/web/api.yaml")).unwrap(),
        us
    );
    let r = dgm(d.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", r.all());

    // ClickOps in account B, then a third target that cannot be read (moto
    // answers 500 for a region it does not know): exit 2, its cluster
    // unchecked, the rest reported whole, B's drift included.
    rt.block_on(async {
        deploy(
            &ecs_as(&role_b, "us-west-2").await,
            "batch",
            "job",
            "busybox:2",
            false,
        )
        .await;
    });
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "{config}\n[[scope]]\nname = \"broken\"\nmode = \"enforce\"\ndeclared = \"infra/c\"\n\n\
             [scope.aws]\nregion = \"mars-north-9\"\nrole_arn = \"{role_b}\"\necs_clusters = [\"gone\"]\n"
        ),
    );
    std::fs::create_dir_all(d.path().join("infra/c")).unwrap();
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["complete"], false);
    assert_eq!(state(&report, "gone/*"), "unchecked");
    assert_eq!(
        state(&report, "web@eu-west-1/api"),
        "in_sync",
        "adopted above"
    );
    assert!(
        r.stderr
            .contains("could not read ecs_service gone/*: ecs ListServices: HTTP 500"),
        "{}",
        r.stderr
    );
    assert_eq!(state(&report, "web@us-east-1/api"), "in_sync");
    assert_eq!(state(&report, "batch/job"), "changed");
}

/// A Route53 client acting in `role`'s account.
async fn route53_as(role: &str) -> aws_sdk_route53::Client {
    aws_sdk_route53::Client::new(&as_role(role, "us-east-1").await)
}

/// A zone with one A record set; returns the zone's id.
async fn zone_with(c: &aws_sdk_route53::Client, zone: &str, ip: &str) -> String {
    let id = c
        .create_hosted_zone()
        .name(zone)
        .caller_reference(format!("{zone}-{ip}"))
        .send()
        .await
        .unwrap()
        .hosted_zone()
        .unwrap()
        .id()
        .to_owned();
    upsert(c, &id, zone, ip).await;
    id
}

async fn upsert(c: &aws_sdk_route53::Client, zone_id: &str, zone: &str, ip: &str) {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    c.change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(
            ChangeBatch::builder()
                .changes(
                    Change::builder()
                        .action(ChangeAction::Upsert)
                        .resource_record_set(
                            ResourceRecordSet::builder()
                                .name(format!("app.{zone}."))
                                .r#type(RrType::A)
                                .ttl(300)
                                .resource_records(
                                    ResourceRecord::builder().value(ip).build().unwrap(),
                                )
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

#[test]
fn two_accounts_with_the_same_cluster_and_zone_names_are_told_apart_by_id_prefix() {
    let rt = rt();
    let (a, b) = accounts();
    let role_a = format!("arn:aws:iam::{a}:role/driftgate-read");
    let role_b = format!("arn:aws:iam::{b}:role/driftgate-read");
    let zone = format!("internal-{a}.example");
    let zone_b = rt.block_on(async {
        for role in [&role_a, &role_b] {
            seed(
                &ecs_as(role, "us-east-1").await,
                "main",
                "api",
                "nginx:1.25",
            )
            .await;
        }
        zone_with(&route53_as(&role_a).await, &zone, "10.0.0.1").await;
        zone_with(&route53_as(&role_b).await, &zone, "10.0.0.2").await
    });
    let d = tempfile::tempdir().unwrap();
    let scope = |name: &str, role: &str| {
        format!(
            "[[scope]]\nname = \"{name}\"\nmode = \"enforce\"\ndeclared = \"infra/{name}\"\n\n\
             [scope.aws]\nregion = \"us-east-1\"\nrole_arn = \"{role}\"\nid_prefix = \"{name}\"\n\
             ecs_clusters = [\"main\"]\nroute53_zones = [\"{zone}\"]\n\n"
        )
    };
    // Without a prefix the second account's cluster is refused, with a hint.
    let unprefixed = scope("a", &role_a).replace("id_prefix = \"a\"\n", "")
        + &scope("b", &role_b).replace("id_prefix = \"b\"\n", "");
    write(&d.path().join("driftgate.toml"), &unprefixed);
    let r = dgm(d.path(), &["check"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("give each scope an `id_prefix`"),
        "{}",
        r.stderr
    );

    write(
        &d.path().join("driftgate.toml"),
        &(scope("a", &role_a) + &scope("b", &role_b)),
    );
    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "import then check is in sync: {}", r.all());

    // ClickOps in account B only: its service and its record.
    rt.block_on(async {
        deploy(
            &ecs_as(&role_b, "us-east-1").await,
            "main",
            "api",
            "nginx:1.26",
            false,
        )
        .await;
        upsert(&route53_as(&role_b).await, &zone_b, &zone, "10.0.0.99").await;
    });
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(state(&report, "a:main/api"), "in_sync");
    assert_eq!(state(&report, "b:main/api"), "changed");
    assert_eq!(state(&report, &format!("a:{zone}/app.{zone}/A")), "in_sync");
    assert_eq!(state(&report, &format!("b:{zone}/app.{zone}/A")), "changed");
    // Adopting B's changes touches only B's files.
    let r = dgm(d.path(), &["adopt", "--resource", "b:*"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = dgm(d.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn a_wrong_region_leaves_everything_unchecked_never_missing() {
    let rt = rt();
    let (a, _) = accounts();
    let role = format!("arn:aws:iam::{a}:role/driftgate-read");
    rt.block_on(async {
        seed(
            &ecs_as(&role, "us-east-1").await,
            "shop",
            "api",
            "nginx:1.25",
        )
        .await;
    });
    // A VPC with a group and a rule, in moto's default account.
    let vpc = crate::common::ec2(
        &[("Action", "CreateVpc"), ("CidrBlock", "10.9.0.0/16")],
        "vpcId",
    );
    let gid = crate::common::ec2(
        &[
            ("Action", "CreateSecurityGroup"),
            ("VpcId", &vpc),
            ("GroupName", &crate::common::unique("web")),
            ("GroupDescription", "web"),
        ],
        "groupId",
    );
    crate::common::ec2(
        &[
            ("Action", "AuthorizeSecurityGroupIngress"),
            ("GroupId", &gid),
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "443"),
            ("IpPermissions.1.ToPort", "443"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
        ],
        "return",
    );
    let d = tempfile::tempdir().unwrap();
    let config = |region: &str| {
        format!(
            "[[scope]]\nname = \"shop\"\nmode = \"enforce\"\ndeclared = \"infra/shop\"\n\n\
             [scope.aws]\nregion = \"{region}\"\nrole_arn = \"{role}\"\necs_clusters = [\"shop\"]\n\n\
             [[scope]]\nname = \"net\"\nmode = \"enforce\"\ndeclared = \"infra/net\"\n\n\
             [scope.aws]\nregion = \"{region}\"\nsecurity_group_vpcs = [\"{vpc}\"]\n"
        )
    };
    write(&d.path().join("driftgate.toml"), &config("us-east-1"));
    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    // Where it looked: each scope's account (from STS) and region.
    let targets: Vec<(String, String, String)> = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["scope"].as_str().unwrap().to_owned(),
                t["account"].as_str().unwrap_or("?").to_owned(),
                t["region"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        targets,
        vec![
            ("net".into(), "123456789012".into(), "us-east-1".into()),
            ("shop".into(), a.clone(), "us-east-1".into()),
        ]
    );
    assert!(v["generated_at"].as_str().unwrap().ends_with('Z'));
    assert!(v["duration_seconds"].as_f64().unwrap() >= 0.0);

    // The same estate, looked for in the wrong region: nothing is there to
    // read, and that is not "deleted by hand".
    write(&d.path().join("driftgate.toml"), &config("eu-west-1"));
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["state"], "unchecked", "{f:#}");
    }
    let reason = |id_start: &str| {
        findings
            .iter()
            .find(|f| f["id"].as_str().unwrap().starts_with(id_start))
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        reason("shop/").contains("cluster `shop` does not exist in eu-west-1"),
        "{}",
        reason("shop/")
    );
    assert!(
        reason(&vpc).contains("not in this region or account"),
        "{}",
        reason(&vpc)
    );
    assert!(r.stderr.contains("check the region"), "{}", r.stderr);
}
