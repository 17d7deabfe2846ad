//! Never a false green: a fault-injecting proxy between `driftgate` and moto.
//!
//! One estate (an ECS cluster with a service, a Route53 zone, security groups
//! in a VPC) is imported through moto directly, then checked through a
//! loopback proxy that forwards to moto and breaks chosen calls: throttling,
//! persistent 5xx, access denied, a 200 cut short or empty, a connection
//! reset once or always, a stall past the deadline, the endpoint down. Each
//! test asserts the exit code, `complete`, which resources are unchecked,
//! and, for every run, that exit 0 never comes with anything unread.

use crate::common::{Run, driftgate, ec2, endpoint, run, unique, write};
use crate::proxy::{Fault, Proxy};
use serde_json::Value;
use std::path::PathBuf;

/// The estate: a cluster with one service, a zone with records, two
/// security groups with rules; imported, then one record added by hand.
struct Estate {
    dir: tempfile::TempDir,
    cluster: String,
    zone: String,
    vpc: String,
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn sdk() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(driftgate_aws::client::http_client())
        .endpoint_url(endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ecs::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}

fn add_record(zone_id: &str, name: &str, value: &str) {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    rt().block_on(async {
        let r53 = aws_sdk_route53::Client::new(&sdk().await);
        r53.change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(
                ChangeBatch::builder()
                    .changes(
                        Change::builder()
                            .action(ChangeAction::Create)
                            .resource_record_set(
                                ResourceRecordSet::builder()
                                    .name(name)
                                    .r#type(RrType::A)
                                    .ttl(300)
                                    .resource_records(
                                        ResourceRecord::builder().value(value).build().unwrap(),
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
    });
}

fn estate() -> Estate {
    use aws_sdk_ecs::types::{
        AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition, LaunchType,
        NetworkConfiguration, NetworkMode,
    };
    let cluster = unique("faults");
    let zone = format!("{cluster}.example");
    let (vpc, subnet, sg) = crate::common::network(9, &cluster, "web");
    ec2(
        &[
            ("Action", "AuthorizeSecurityGroupIngress"),
            ("GroupId", &sg),
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "443"),
            ("IpPermissions.1.ToPort", "443"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
        ],
        "return",
    );
    let zone_id = rt().block_on(async {
        let config = sdk().await;
        let c = aws_sdk_ecs::Client::new(&config);
        c.create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .unwrap();
        let td = c
            .register_task_definition()
            .family(format!("{cluster}-api"))
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .container_definitions(
                ContainerDefinition::builder()
                    .name("api")
                    .image("nginx:1.25")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        c.create_service()
            .cluster(&cluster)
            .service_name("api")
            .task_definition(td.task_definition().unwrap().task_definition_arn().unwrap())
            .desired_count(1)
            .launch_type(LaunchType::Fargate)
            .network_configuration(
                NetworkConfiguration::builder()
                    .awsvpc_configuration(
                        AwsVpcConfiguration::builder()
                            .subnets(&subnet)
                            .security_groups(&sg)
                            .assign_public_ip(AssignPublicIp::Disabled)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let r53 = aws_sdk_route53::Client::new(&config);
        let z = r53
            .create_hosted_zone()
            .name(&zone)
            .caller_reference(&cluster)
            .send()
            .await
            .unwrap();
        z.hosted_zone().unwrap().id().to_owned()
    });
    for (name, ip) in [("www", "192.0.2.1"), ("api", "192.0.2.2")] {
        add_record(&zone_id, &format!("{name}.{zone}"), ip);
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"prod\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\
             [scope.aws]\nregion = \"us-east-1\"\necs_clusters = [\"{cluster}\"]\n\
             route53_zones = [\"{zone}\"]\nsecurity_group_vpcs = [\"{vpc}\"]\n"
        ),
    );
    let e = Estate {
        dir,
        cluster,
        zone,
        vpc,
    };
    let r = check(&e, &endpoint(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = check(&e, &endpoint(), &["check"]);
    assert_eq!(r.code, 0, "imported, then in sync: {}", r.all());
    // ClickOps: a record created by hand.
    add_record(&zone_id, &format!("debug.{}", e.zone), "203.0.113.9");
    e
}

fn check(e: &Estate, url: &str, args: &[&str]) -> Run {
    run(driftgate(e.dir.path())
        .args(args)
        .env("AWS_ENDPOINT_URL", url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("DRIFTGATE_ROUTE53_RPS", "0"))
}

/// A JSON check through the proxy: the run, its report, and the fail-closed
/// rule every run must keep.
fn gate(e: &Estate, proxy: &str, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let r = check(e, proxy, &args);
    let report: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|err| panic!("no JSON report ({err}): {}", r.all()));
    let unchecked: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] == "unchecked")
        .collect();
    if r.code == 0 {
        assert!(
            report["complete"] == true && unchecked.is_empty(),
            "exit 0 with something unread: {}",
            r.all()
        );
    }
    if !unchecked.is_empty() {
        assert_eq!(r.code, 2, "unchecked findings must exit 2: {}", r.all());
        assert_eq!(report["complete"], false);
    }
    (r, report)
}

/// (id, state, reason) of every finding that is not in sync.
fn not_in_sync(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "in_sync")
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["state"].as_str().unwrap().to_owned(),
                f["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Kinds (by their scope target) left unchecked.
fn unchecked_targets(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = not_in_sync(report)
        .into_iter()
        .filter(|(_, s, _)| s == "unchecked")
        .map(|(id, _, _)| id.split('/').next().unwrap().to_owned())
        .collect();
    out.dedup();
    out
}

#[test]
fn faults_never_give_a_false_green() {
    let e = estate();
    let debug = format!("{z}/debug.{z}/A", z = e.zone);
    let drift_only = |report: &Value| {
        assert_eq!(
            not_in_sync(report),
            [(debug.clone(), "unmanaged".to_owned(), String::new())],
            "{report:#}"
        );
    };

    // Throttled three times in ten, everywhere: retried, complete, drift found.
    let p = Proxy::start(endpoint(), vec![("*", Fault::Throttle30)]);
    let (r, report) = gate(&e, &p.url, &[]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(report["complete"], true);
    drift_only(&report);

    // Every connection reset once per operation: retried, complete.
    let p = Proxy::start(endpoint(), vec![("*", Fault::ResetOnce)]);
    let (r, report) = gate(&e, &p.url, &[]);
    assert_eq!(r.code, 1, "{}", r.all());
    drift_only(&report);
    assert!(
        p.count("DescribeSecurityGroups") >= 2,
        "the reset was retried"
    );

    // Per operation, faults that never heal: exactly what that operation
    // reads is unchecked, with a reason that says what was wrong.
    let ecs_ops = ["ListServices", "DescribeServices", "DescribeTaskDefinition"];
    let mut cases: Vec<(&'static str, Fault, &str)> = Vec::new();
    let dns_ops = ["ListHostedZonesByName", "ListResourceRecordSets"];
    for op in ecs_ops
        .iter()
        .chain(&dns_ops)
        .chain(&["DescribeSecurityGroups"])
    {
        cases.push((op, Fault::Cut, "malformed"));
        cases.push((op, Fault::Empty, "empty"));
        cases.push((op, Fault::Denied, "not authorized"));
    }
    cases.push(("ListResourceRecordSets", Fault::ServerError, "HTTP 500"));
    cases.push(("DescribeServices", Fault::ServerError, "HTTP 500"));
    cases.push(("DescribeSecurityGroups", Fault::ServerError, "HTTP 500"));
    cases.push(("DescribeSecurityGroups", Fault::ResetAlways, "reach"));
    cases.push(("DescribeTaskDefinition", Fault::ResetAlways, "reach"));
    for (op, fault, why) in cases {
        let p = Proxy::start(endpoint(), vec![(op, fault)]);
        let (r, report) = gate(&e, &p.url, &[]);
        assert_eq!(r.code, 2, "{op} {fault:?}: {}", r.all());
        let expected = if ecs_ops.contains(&op) {
            &e.cluster
        } else if dns_ops.contains(&op) {
            &e.zone
        } else {
            &e.vpc
        };
        assert_eq!(
            unchecked_targets(&report),
            std::slice::from_ref(expected),
            "{op} {fault:?}: {report:#}"
        );
        let reasons: Vec<String> = not_in_sync(&report)
            .into_iter()
            .filter(|(_, s, _)| s == "unchecked")
            .map(|(_, _, reason)| reason)
            .collect();
        assert!(
            reasons.iter().any(|reason| reason.contains(why)),
            "{op} {fault:?}: reasons {reasons:?}"
        );
        if matches!(fault, Fault::Cut | Fault::Empty) {
            assert!(
                p.count(op) >= 2,
                "{op} {fault:?}: a broken answer is retried ({} calls)",
                p.count(op)
            );
        }
        // The rest of the estate is still read and reported.
        if !dns_ops.contains(&op) {
            assert!(
                not_in_sync(&report)
                    .iter()
                    .any(|(id, s, _)| id == &debug && s == "unmanaged"),
                "{op} {fault:?}: the DNS drift is still reported: {report:#}"
            );
        }
    }
}

#[test]
fn a_stalled_api_ends_at_the_deadline_and_the_report_is_still_written() {
    let e = estate();
    let p = Proxy::start(endpoint(), vec![("DescribeTaskDefinition", Fault::Stall)]);
    let out: PathBuf = e.dir.path().join("report.json");
    let started = std::time::Instant::now();
    let (r, report) = gate(
        &e,
        &p.url,
        &[
            "--timeout",
            "4s",
            "--output",
            &format!("json={}", out.display()),
        ],
    );
    let took = started.elapsed();
    assert_eq!(r.code, 2, "{}", r.all());
    // Not a timing assertion on speed: only that the deadline, not the
    // SDK's per-call retries (minutes), ended the scan.
    assert!(took.as_secs() < 60, "took {took:?}");
    assert_eq!(unchecked_targets(&report), std::slice::from_ref(&e.cluster));
    assert!(r.all().contains("deadline exceeded"), "{}", r.all());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["complete"], false);
    assert!(
        not_in_sync(&written)
            .iter()
            .any(|(id, s, _)| id.starts_with(&e.zone) && s == "unmanaged"),
        "what was read in time is reported: {written:#}"
    );
}

#[test]
fn an_endpoint_that_is_down_fails_closed() {
    let e = estate();
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (r, report) = gate(&e, &format!("http://127.0.0.1:{port}"), &[]);
    assert_eq!(r.code, 2, "{}", r.all());
    let mut got = unchecked_targets(&report);
    got.sort();
    let mut want = vec![e.cluster.clone(), e.zone.clone(), e.vpc.clone()];
    want.sort();
    assert_eq!(got, want, "{report:#}");
}
