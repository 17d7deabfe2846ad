//! Terraform as the declared side, end to end against moto: resources
//! created through the AWS APIs as `terraform apply` would, a version 4
//! state of them written as Terraform and the AWS provider write it (a
//! module with `for_each`, a zone, a group with inline rules and a
//! standalone rule, an ECS service and its task definition), `check` in
//! sync; then changes by hand found exactly, with their addresses and
//! `.tf` lines; then the same state read from moto's S3 as a backend, in a
//! workspace.
//!
//! The state's attributes follow the AWS provider's documentation
//! (registry.terraform.io/providers/hashicorp/aws, each type's "Argument
//! Reference" and "Attribute Reference") and the real states in
//! ../shared/corpus/tfstate (the shape of `resources[]`, `instances[]`,
//! `index_key`, inline rule blocks).

use crate::common::{Run, driftgate, ec2, endpoint, run, s3_put, unique, write};
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition, KeyValuePair,
    LaunchType, NetworkConfiguration, NetworkMode, PortMapping,
};
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use serde_json::{Value, json};
use std::path::Path;

fn dgm(dir: &Path, args: &[&str]) -> Run {
    run(driftgate(dir)
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("DRIFTGATE_AWS_PACING", "off"))
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

fn rrset(name: &str, t: RrType, ttl: i64, value: &str) -> ResourceRecordSet {
    ResourceRecordSet::builder()
        .name(name)
        .r#type(t)
        .ttl(ttl)
        .resource_records(ResourceRecord::builder().value(value).build().unwrap())
        .build()
        .unwrap()
}

async fn upsert(c: &aws_sdk_route53::Client, zone_id: &str, set: ResourceRecordSet) {
    c.change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(
            ChangeBatch::builder()
                .changes(
                    Change::builder()
                        .action(ChangeAction::Upsert)
                        .resource_record_set(set)
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

/// What `terraform apply` made, by the ids the state records.
struct Estate {
    zone: String,
    zone_id: String,
    vpc: String,
    subnet: String,
    sg: String,
    cluster: String,
    cluster_arn: String,
    td_arn: String,
    service_arn: String,
}

async fn apply() -> Estate {
    let config = sdk().await;
    let r53 = aws_sdk_route53::Client::new(&config);
    let zone = format!("{}.example", unique("tf"));
    let zone_id = r53
        .create_hosted_zone()
        .name(&zone)
        .caller_reference(&zone)
        .send()
        .await
        .unwrap()
        .hosted_zone()
        .unwrap()
        .id()
        .trim_start_matches("/hostedzone/")
        .to_owned();
    upsert(
        &r53,
        &zone_id,
        rrset(&format!("www.{zone}."), RrType::A, 300, "192.0.2.1"),
    )
    .await;
    upsert(
        &r53,
        &zone_id,
        rrset(
            &format!("api.{zone}."),
            RrType::Cname,
            60,
            &format!("www.{zone}."),
        ),
    )
    .await;
    upsert(
        &r53,
        &zone_id,
        rrset(&format!("{zone}."), RrType::Txt, 300, "\"v=spf1 -all\""),
    )
    .await;

    let (vpc, subnet, sg) = crate::common::network(9, "web", "Managed by Terraform");
    ec2(
        &[
            ("Action", "AuthorizeSecurityGroupIngress"),
            ("GroupId", &sg),
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "443"),
            ("IpPermissions.1.ToPort", "443"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
            ("IpPermissions.1.IpRanges.1.Description", "https"),
            ("IpPermissions.2.IpProtocol", "tcp"),
            ("IpPermissions.2.FromPort", "22"),
            ("IpPermissions.2.ToPort", "22"),
            ("IpPermissions.2.IpRanges.1.CidrIp", "10.0.0.0/8"),
        ],
        "return",
    );

    let ecs = aws_sdk_ecs::Client::new(&config);
    let cluster = unique("tf-cluster");
    let cluster_arn = ecs
        .create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap()
        .cluster()
        .unwrap()
        .cluster_arn()
        .unwrap()
        .to_owned();
    let td_arn = ecs
        .register_task_definition()
        .family(format!("{cluster}-api"))
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("nginx:1.25")
                .essential(true)
                .port_mappings(PortMapping::builder().container_port(8080).build())
                .environment(
                    KeyValuePair::builder()
                        .name("LOG_LEVEL")
                        .value("info")
                        .build(),
                )
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
    let service_arn = ecs
        .create_service()
        .cluster(&cluster)
        .service_name("api")
        .task_definition(&td_arn)
        .desired_count(2)
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
        .unwrap()
        .service()
        .unwrap()
        .service_arn()
        .unwrap()
        .to_owned();
    Estate {
        zone,
        zone_id,
        vpc,
        subnet,
        sg,
        cluster,
        cluster_arn,
        td_arn,
        service_arn,
    }
}

fn rule(protocol: &str, from: i64, to: i64, cidr: &str, description: &str) -> Value {
    json!({"cidr_blocks": [cidr], "description": description, "from_port": from, "ipv6_cidr_blocks": [],
           "prefix_list_ids": [], "protocol": protocol, "security_groups": [], "self": false, "to_port": to})
}

fn record(e: &Estate, key: &str, name: &str, rtype: &str, ttl: i64, records: &[&str]) -> Value {
    let fqdn = if name.is_empty() {
        e.zone.clone()
    } else {
        format!("{name}.{}", e.zone)
    };
    json!({
        "index_key": key,
        "schema_version": 2,
        "attributes": {
            "alias": [], "allow_overwrite": null, "cidr_routing_policy": [], "failover_routing_policy": [],
            "fqdn": fqdn, "geolocation_routing_policy": [], "geoproximity_routing_policy": [],
            "health_check_id": "", "id": format!("{}_{}_{rtype}", e.zone_id, if name.is_empty() { "" } else { name }),
            "latency_routing_policy": [], "multivalue_answer_routing_policy": false,
            "name": if name.is_empty() { e.zone.clone() } else { name.to_owned() },
            "records": records, "set_identifier": "", "ttl": ttl, "type": rtype,
            "weighted_routing_policy": [], "zone_id": e.zone_id
        },
        "sensitive_attributes": [],
        "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjIifQ==",
        "dependencies": ["aws_route53_zone.main"]
    })
}

/// The state `terraform apply` would have written for this estate.
fn state(e: &Estate) -> String {
    let containers = json!([{
        "cpu": 0, "environment": [{"name": "LOG_LEVEL", "value": "info"}], "essential": true,
        "image": "nginx:1.25", "mountPoints": [], "name": "app",
        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
        "systemControls": [], "volumesFrom": []
    }]);
    let resources: Vec<Value> = vec![
        json!({"mode": "managed", "type": "aws_ecs_service", "name": "api",
             "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 1, "attributes": {
                "alarms": [], "availability_zone_rebalancing": "DISABLED", "capacity_provider_strategy": [],
                "cluster": e.cluster_arn, "deployment_circuit_breaker": [{"enable": false, "rollback": false}],
                "deployment_controller": [{"type": "ECS"}], "deployment_maximum_percent": 200,
                "deployment_minimum_healthy_percent": 100, "desired_count": 2,
                "enable_ecs_managed_tags": false, "enable_execute_command": false,
                "force_delete": null, "force_new_deployment": null, "health_check_grace_period_seconds": 0,
                "iam_role": "", "id": e.service_arn, "launch_type": "FARGATE", "load_balancer": [],
                "name": "api", "network_configuration": [{"assign_public_ip": false, "security_groups": [e.sg], "subnets": [e.subnet]}],
                "ordered_placement_strategy": [], "placement_constraints": [], "platform_version": "LATEST",
                "propagate_tags": "NONE", "scheduling_strategy": "REPLICA", "service_connect_configuration": [],
                "service_registries": [], "tags": {}, "tags_all": {}, "task_definition": e.td_arn,
                "timeouts": null, "triggers": {}, "volume_configuration": [], "vpc_lattice_configurations": [],
                "wait_for_steady_state": false},
                "sensitive_attributes": [], "private": "bnVsbA==",
                "dependencies": ["aws_ecs_task_definition.api", "aws_security_group.web"]}]}),
        json!({"mode": "managed", "type": "aws_ecs_task_definition", "name": "api",
             "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 1, "attributes": {
                "arn": e.td_arn, "arn_without_revision": e.td_arn.rsplit_once(':').unwrap().0,
                "container_definitions": containers.to_string(), "cpu": "256", "enable_fault_injection": false,
                "ephemeral_storage": [], "execution_role_arn": "", "family": format!("{}-api", e.cluster),
                "id": format!("{}-api", e.cluster), "inference_accelerator": [], "ipc_mode": "", "memory": "512",
                "network_mode": "awsvpc", "pid_mode": "", "placement_constraints": [], "proxy_configuration": [],
                "requires_compatibilities": ["FARGATE"], "revision": 1, "runtime_platform": [],
                "skip_destroy": false, "tags": {}, "tags_all": {}, "task_role_arn": "", "track_latest": false,
                "volume": []},
                "sensitive_attributes": [], "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ=="}]}),
        json!({"mode": "managed", "type": "aws_route53_zone", "name": "main",
             "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 0, "attributes": {
                "arn": format!("arn:aws:route53:::hostedzone/{}", e.zone_id), "comment": "Managed by Terraform",
                "delegation_set_id": "", "force_destroy": false, "id": e.zone_id, "name": e.zone,
                "name_servers": ["ns-2048.awsdns-64.com"], "primary_name_server": "ns-2048.awsdns-64.com",
                "tags": {}, "tags_all": {}, "vpc": [], "zone_id": e.zone_id},
                "sensitive_attributes": [], "private": "bnVsbA=="}]}),
        json!({"mode": "managed", "type": "aws_security_group", "name": "web",
             "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 1, "attributes": {
                "arn": format!("arn:aws:ec2:us-east-1:123456789012:security-group/{}", e.sg),
                "description": "Managed by Terraform",
                "egress": [rule("-1", 0, 0, "0.0.0.0/0", "")],
                // Refreshed from AWS: the standalone rule's entry is listed too.
                "ingress": [rule("tcp", 22, 22, "10.0.0.0/8", ""), rule("tcp", 443, 443, "0.0.0.0/0", "https")],
                "id": e.sg, "name": "web", "name_prefix": "", "owner_id": "123456789012",
                "revoke_rules_on_delete": false, "tags": {}, "tags_all": {}, "timeouts": null, "vpc_id": e.vpc},
                "sensitive_attributes": [], "private": "bnVsbA=="}]}),
        json!({"mode": "managed", "type": "aws_vpc_security_group_ingress_rule", "name": "ssh",
             "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 0, "attributes": {
                "arn": "arn:aws:ec2:us-east-1:123456789012:security-group-rule/sgr-0123456789abcdef0",
                "cidr_ipv4": "10.0.0.0/8", "cidr_ipv6": null, "description": null, "from_port": 22,
                "id": "sgr-0123456789abcdef0", "ip_protocol": "tcp", "prefix_list_id": null,
                "referenced_security_group_id": null, "security_group_id": e.sg,
                "security_group_rule_id": "sgr-0123456789abcdef0", "tags": null, "tags_all": {}, "to_port": 22},
                "sensitive_attributes": [], "dependencies": ["aws_security_group.web"]}]}),
        json!({"module": "module.dns", "mode": "managed", "type": "aws_route53_record", "name": "this",
        "each": "map", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
        "instances": [
           record(e, "api", "api", "CNAME", 60, &[&format!("www.{}", e.zone)]),
           record(e, "spf", "", "TXT", 300, &["v=spf1 -all"]),
           record(e, "www", "www", "A", 300, &["192.0.2.1"]),
        ]}),
        json!({"mode": "managed", "type": "aws_iam_role", "name": "task",
             "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [{"schema_version": 0, "attributes": {"arn": "arn:aws:iam::123456789012:role/task", "name": "task"}}]}),
    ];
    let s = json!({
        "version": 4,
        "terraform_version": "1.11.0",
        "serial": 7,
        "lineage": "6f1c2f0e-8f44-4a8e-9d8c-2b7b1c1d5e21",
        "outputs": {},
        "resources": resources,
    });
    serde_json::to_string_pretty(&s).unwrap()
}

const MAIN_TF: &str = r#"terraform {
  backend "s3" {}
}

resource "aws_route53_zone" "main" {
  name = var.zone
}

resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = var.vpc_id

  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
    description = "https"
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "10.0.0.0/8"
}

resource "aws_ecs_task_definition" "api" {
  family                = "api"
  container_definitions = jsonencode([{ name = "app", image = "nginx:1.25" }])
}

resource "aws_ecs_service" "api" {
  name          = "api"
  desired_count = 2
}

module "dns" {
  source  = "./modules/dns"
  zone_id = aws_route53_zone.main.zone_id
}
"#;

const DNS_TF: &str = r#"variable "zone_id" {}

# One record set per entry.
resource "aws_route53_record" "this" {
  for_each = local.records
  zone_id  = var.zone_id
  name     = each.value.name
  type     = each.value.type
  ttl      = each.value.ttl
  records  = each.value.records
}
"#;

fn not_in_sync(v: &Value) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "in_sync")
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("id"), s("state"), s("address"), s("declared_at"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_terraform_state_is_in_sync_then_clickops_is_found_at_its_address() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let e = rt.block_on(apply());
    let d = tempfile::tempdir().unwrap();
    let tf = d.path().join("infra/terraform");
    write(&tf.join("main.tf"), MAIN_TF);
    write(&tf.join("modules/dns/main.tf"), DNS_TF);
    write(&tf.join("terraform.tfstate"), &state(&e));
    // No targets named: the state's zone, VPC and cluster are the scope.
    write(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"prod\"\nmode = \"enforce\"\ndeclared = \"infra/terraform\"\n\n[scope.aws]\nregion = \"us-east-1\"\n\n[scope.terraform]\nstates = [\"infra/terraform/terraform.tfstate\"]\n",
    );
    let r = dgm(d.path(), &["check", "--format", "json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|_| panic!("{}", r.all()));
    assert_eq!(not_in_sync(&v), vec![], "{}", r.all());
    assert_eq!(r.code, 0, "{}", r.all());
    let in_sync: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap(),
                f["address"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    let z = &e.zone;
    for (id, address) in [
        (
            format!("{}/api", e.cluster),
            "aws_ecs_service.api".to_owned(),
        ),
        (
            format!("{z}/www.{z}/A"),
            "module.dns.aws_route53_record.this[\"www\"]".to_owned(),
        ),
        (
            format!("{z}/{z}/TXT"),
            "module.dns.aws_route53_record.this[\"spf\"]".to_owned(),
        ),
        (
            format!("{z}/api.{z}/CNAME"),
            "module.dns.aws_route53_record.this[\"api\"]".to_owned(),
        ),
        (
            format!("{}/{}/ingress/tcp/22/10.0.0.0/8", e.vpc, e.sg),
            "aws_vpc_security_group_ingress_rule.ssh".to_owned(),
        ),
        (
            format!("{}/{}/ingress/tcp/443/0.0.0.0/0", e.vpc, e.sg),
            "aws_security_group.web".to_owned(),
        ),
        (
            format!("{}/{}/egress/all/any/0.0.0.0/0", e.vpc, e.sg),
            "aws_security_group.web".to_owned(),
        ),
    ] {
        assert!(
            in_sync.contains(&(id.as_str(), address.as_str())),
            "{id} at {address}: {in_sync:?}"
        );
    }
    assert!(
        r.stderr
            .contains("not compared (types driftgate does not read): 1 aws_iam_role"),
        "{}",
        r.stderr
    );

    // ClickOps: a record edited, a port opened, the service scaled.
    rt.block_on(async {
        let config = sdk().await;
        let r53 = aws_sdk_route53::Client::new(&config);
        upsert(
            &r53,
            &e.zone_id,
            rrset(&format!("www.{z}."), RrType::A, 300, "192.0.2.99"),
        )
        .await;
        aws_sdk_ecs::Client::new(&config)
            .update_service()
            .cluster(&e.cluster)
            .service("api")
            .desired_count(5)
            .send()
            .await
            .unwrap();
    });
    ec2(
        &[
            ("Action", "AuthorizeSecurityGroupIngress"),
            ("GroupId", &e.sg),
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "3389"),
            ("IpPermissions.1.ToPort", "3389"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
        ],
        "return",
    );
    let r = dgm(d.path(), &["check", "--format", "json", "--suggest"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let main = "infra/terraform/main.tf";
    assert_eq!(not_in_sync(&v), {
        let mut want = vec![
            (
                format!("{}/api", e.cluster),
                "changed".to_owned(),
                "aws_ecs_service.api".to_owned(),
                format!("{main}:35"),
            ),
            (
                format!("{}/{}/ingress/tcp/3389/0.0.0.0/0", e.vpc, e.sg),
                "unmanaged".to_owned(),
                String::new(),
                String::new(),
            ),
            (
                format!("{z}/www.{z}/A"),
                "changed".to_owned(),
                "module.dns.aws_route53_record.this[\"www\"]".to_owned(),
                "infra/terraform/modules/dns/main.tf:4".to_owned(),
            ),
        ];
        want.sort();
        want
    });
    let by_id = |id: &str| crate::common::finding(&v, id).clone();
    let svc = by_id(&format!("{}/api", e.cluster));
    assert_eq!(svc["changes"][0]["path"], "desiredCount");
    assert_eq!(svc["changes"][0]["declared"], 2);
    assert_eq!(svc["changes"][0]["live"], 5);
    assert_eq!(svc["changes"][0]["at"], format!("{main}:37"));
    assert_eq!(
        svc["suggest"]["revert"][0],
        "terraform apply -target=aws_ecs_service.api"
    );
    let www = by_id(&format!("{z}/www.{z}/A"));
    assert_eq!(
        www["suggest"]["revert"][0],
        "terraform apply -target='module.dns.aws_route53_record.this[\"www\"]'"
    );
    let rdp = by_id(&format!("{}/{}/ingress/tcp/3389/0.0.0.0/0", e.vpc, e.sg));
    let notes = rdp["suggest"]["notes"].to_string();
    assert!(
        notes.contains("add to the block of aws_security_group.web (infra/terraform/main.tf:9)")
            && notes.contains("from_port = 3389"),
        "{notes}"
    );

    // Every human format names the block and the address.
    let r = dgm(d.path(), &["check"]);
    assert!(
        r.stdout
            .contains("at infra/terraform/main.tf:35 (aws_ecs_service.api)"),
        "{}",
        r.stdout
    );
    let r = dgm(d.path(), &["check", "--format", "markdown"]);
    assert!(
        r.stdout
            .contains("Declared at `infra/terraform/main.tf:35` as `aws_ecs_service.api`."),
        "{}",
        r.stdout
    );

    // The same state from an S3 backend, in workspace `staging`.
    let bucket = unique("tfstate").to_lowercase();
    s3_put(&bucket, "env:/staging/app.tfstate", &state(&e));
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"prod\"\nmode = \"enforce\"\ndeclared = \"infra/terraform\"\n\n[scope.aws]\nregion = \"us-east-1\"\n\n[scope.terraform]\nstates = [\"s3://{bucket}/app.tfstate\"]\nworkspace = \"staging\"\nconfiguration = \"infra/terraform\"\n"
        ),
    );
    std::fs::remove_file(tf.join("terraform.tfstate")).unwrap();
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(not_in_sync(&v).len(), 3, "{}", r.all());
    let files = dgm(d.path(), &["files"]);
    assert!(
        files
            .stdout
            .contains(&format!("s3://{bucket}/env:/staging/app.tfstate")),
        "{}",
        files.all()
    );
    // A state that is not there: exit 2, named.
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"prod\"\nmode = \"enforce\"\ndeclared = \"infra/terraform\"\n\n[scope.aws]\nregion = \"us-east-1\"\n\n[scope.terraform]\nstates = [\"s3://{bucket}/gone.tfstate\"]\n"
        ),
    );
    let r = dgm(d.path(), &["check"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains(&format!("s3://{bucket}/gone.tfstate")) && r.stderr.contains("NoSuchKey"),
        "{}",
        r.stderr
    );
}
