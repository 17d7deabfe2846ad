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
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to the answers of one API operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// A 200 whose body is cut in half (Content-Length says the cut size).
    Cut,
    /// A 200 with an empty body.
    Empty,
    /// HTTP 500 with no AWS error code.
    ServerError,
    /// The service's own access-denied answer.
    Denied,
    /// The connection is closed instead of answered, the first time only.
    ResetOnce,
    /// The connection is closed instead of answered, every time.
    ResetAlways,
    /// No answer for ten minutes.
    Stall,
    /// Three requests in ten (of every operation) answered with the
    /// service's throttling error.
    Throttle30,
}

/// The API operation a request is for, by protocol: the JSON target header
/// (ECS), the REST path (Route53), the form's Action (EC2).
fn operation(target: &str, headers: &[(String, String)], body: &[u8]) -> String {
    if let Some((_, t)) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
    {
        return t.rsplit('.').next().unwrap_or_default().to_owned();
    }
    if target.contains("/rrset") {
        return "ListResourceRecordSets".into();
    }
    if target.contains("/hostedzonesbyname") {
        return "ListHostedZonesByName".into();
    }
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or("?")
        .to_owned()
}

/// The service's own error answer: (status, content type, body).
fn error_answer(op: &str, fault: Fault) -> (u16, &'static str, String) {
    let ecs = matches!(
        op,
        "ListServices" | "DescribeServices" | "DescribeTaskDefinition"
    );
    let r53 = op.starts_with("List") && !ecs;
    let (status, code, msg) = match fault {
        Fault::Denied => (
            if r53 || !ecs { 403 } else { 400 },
            if ecs {
                "AccessDeniedException"
            } else if r53 {
                "AccessDenied"
            } else {
                "UnauthorizedOperation"
            },
            "not authorized to perform this operation",
        ),
        _ => (
            if ecs { 400 } else { 503 },
            if ecs {
                "ThrottlingException"
            } else if r53 {
                "Throttling"
            } else {
                "RequestLimitExceeded"
            },
            "Rate exceeded",
        ),
    };
    if ecs {
        (
            status,
            "application/x-amz-json-1.1",
            format!(r#"{{"__type":"{code}","message":"{msg}"}}"#),
        )
    } else if r53 {
        (
            status,
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{msg}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
            ),
        )
    } else {
        (
            status,
            "text/xml",
            format!(
                "<Response><Errors><Error><Code>{code}</Code><Message>{msg}</Message></Error></Errors><RequestID>r</RequestID></Response>"
            ),
        )
    }
}

/// A running proxy: its URL and how many requests each operation got.
struct Proxy {
    url: String,
    seen: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Proxy {
    fn start(upstream: String, faults: Vec<(&'static str, Fault)>) -> Proxy {
        let (tx, rx) = std::sync::mpsc::channel();
        let seen: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
        let seen2 = seen.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(format!("http://{}", listener.local_addr().unwrap()))
                    .unwrap();
                let shared = Arc::new(Shared {
                    upstream,
                    faults,
                    seen: seen2,
                    count: AtomicUsize::new(0),
                    http: reqwest::Client::new(),
                });
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(connection(stream, shared.clone()));
                }
            });
        });
        Proxy {
            url: rx.recv().unwrap(),
            seen,
        }
    }

    fn count(&self, op: &str) -> usize {
        self.seen.lock().unwrap().get(op).copied().unwrap_or(0)
    }
}

struct Shared {
    upstream: String,
    faults: Vec<(&'static str, Fault)>,
    seen: Arc<Mutex<BTreeMap<String, usize>>>,
    count: AtomicUsize,
    http: reqwest::Client,
}

async fn connection(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buf = Vec::new();
    loop {
        let header_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
        let mut lines = head.lines();
        let mut first = lines.next().unwrap_or_default().split_whitespace();
        let method = first.next().unwrap_or_default().to_owned();
        let target = first.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                Some((k.trim().to_owned(), v.trim().to_owned()))
            })
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < header_end + len {
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[header_end..header_end + len].to_vec();
        buf.drain(..header_end + len);

        let op = operation(&target, &headers, &body);
        let nth = {
            let mut seen = shared.seen.lock().unwrap();
            let n = seen.entry(op.clone()).or_default();
            *n += 1;
            *n
        };
        let overall = shared.count.fetch_add(1, Ordering::SeqCst);
        let fault = shared
            .faults
            .iter()
            .find(|(o, _)| *o == op || *o == "*")
            .map(|(_, f)| *f);
        let answer: (u16, String, Vec<u8>) = match fault {
            Some(Fault::ResetAlways) => return,
            Some(Fault::ResetOnce) if nth == 1 => return,
            Some(Fault::Stall) => {
                tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                return;
            }
            Some(f @ (Fault::Denied | Fault::ServerError)) => {
                if f == Fault::ServerError {
                    (500, "text/plain".into(), b"Internal Server Error".to_vec())
                } else {
                    let (s, t, b) = error_answer(&op, f);
                    (s, t.into(), b.into_bytes())
                }
            }
            Some(Fault::Throttle30) if matches!(overall % 10, 0 | 3 | 6) => {
                let (s, t, b) = error_answer(&op, Fault::Throttle30);
                (s, t.into(), b.into_bytes())
            }
            _ => {
                let (status, ctype, mut data) =
                    forward(&shared, &method, &target, &headers, body).await;
                if status == 200 {
                    match fault {
                        Some(Fault::Cut) => data.truncate(data.len() / 2),
                        Some(Fault::Empty) => data.clear(),
                        _ => {}
                    }
                }
                (status, ctype, data)
            }
        };
        let (status, ctype, data) = answer;
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nx-amzn-requestid: proxy\r\n\r\n",
            data.len()
        );
        if stream.write_all(head.as_bytes()).await.is_err()
            || stream.write_all(&data).await.is_err()
        {
            return;
        }
    }
}

async fn forward(
    shared: &Shared,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> (u16, String, Vec<u8>) {
    let url = format!("{}{target}", shared.upstream);
    let mut req = shared
        .http
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
        .body(body);
    for (k, v) in headers {
        if !["host", "content-length", "connection"].contains(&k.to_lowercase().as_str()) {
            req = req.header(k, v);
        }
    }
    let resp = req.send().await.expect("moto answers the proxy");
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/plain")
        .to_owned();
    (status, ctype, resp.bytes().await.unwrap().to_vec())
}

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
    let vpc = ec2(
        &[("Action", "CreateVpc"), ("CidrBlock", "10.9.0.0/16")],
        "vpcId",
    );
    let subnet = ec2(
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc),
            ("CidrBlock", "10.9.1.0/24"),
        ],
        "subnetId",
    );
    let sg = ec2(
        &[
            ("Action", "CreateSecurityGroup"),
            ("VpcId", &vpc),
            ("GroupName", &cluster),
            ("GroupDescription", "web"),
        ],
        "groupId",
    );
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
