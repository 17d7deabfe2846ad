//! What an ECS service and its task definition look like, and what counts as
//! the same.
//!
//! Field names are the ECS API's (`CreateService` and
//! `RegisterTaskDefinition` inputs, `DescribeServices` and
//! `DescribeTaskDefinition` outputs), so declared files pasted from the CLI and
//! live data read through the API share one table. What is normalized:
//! - list order: environment, secrets, ports, containers, volumes, subnets,
//!   security groups, tags, load balancers, compatibilities;
//! - AWS defaults: deployment 200/100 (100/0 for DAEMON), circuit breaker and
//!   alarms off, `assignPublicIp` DISABLED, platform version LATEST,
//!   `essential` true, protocol tcp, `hostPort` equal to `containerPort` under
//!   awsvpc and host networking (0, dynamic, under bridge), network mode
//!   bridge, health check 30 s / 5 s / 3 retries, scheduling REPLICA,
//!   propagateTags NONE, deployment controller ECS, empty strings and lists;
//! - units: task `cpu` "1 vCPU" = "1024" = 1024, `memory` "0.5 GB" = 512,
//!   numbers written as strings;
//! - task definition references: only the inline definition is compared, never
//!   its ARN or revision;
//! - read-only fields (ARNs, revision, status, timestamps, counts) are dropped;
//! - `desiredCount` is compared only where declared, and never for DAEMON
//!   services, whose count AWS sets.

use crate::normalize::node::Node;
use crate::normalize::schema::{
    Default as D, Field, KeyOf, Mode, Rule, SchemaError, Walker, d, f, opt, ro,
};
use serde_json::Value;

/// Launch types and task definition compatibilities.
const COMPATIBILITIES: &[&str] = &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];

const PORT_MAPPING: &[Field] = &[
    f("containerPort", Rule::Int),
    f("hostPort", Rule::Int),
    d("protocol", Rule::OneOf(&["tcp", "udp"]), D::Str("tcp")),
    f("name", Rule::Str),
    f("appProtocol", Rule::OneOf(&["http", "http2", "grpc"])),
    f("containerPortRange", Rule::Str),
    ro("hostPortRange"),
];

const HEALTH_CHECK: &[Field] = &[
    f("command", Rule::List(&Rule::Str)),
    d("interval", Rule::Int, D::Int(30)),
    d("timeout", Rule::Int, D::Int(5)),
    d("retries", Rule::Int, D::Int(3)),
    d("startPeriod", Rule::Int, D::Int(0)),
];

const LOG_CONFIGURATION: &[Field] = &[
    f("logDriver", Rule::Str),
    f("options", Rule::StrMap),
    f("secretOptions", Rule::Pairs("name", "valueFrom")),
];

/// Container definitions, keyed by `name`.
pub const CONTAINER: &[Field] = &[
    f("name", Rule::Str),
    f("image", Rule::Str),
    f("repositoryCredentials", Rule::Opaque),
    d("cpu", Rule::Int, D::Int(0)),
    f("memory", Rule::Int),
    f("memoryReservation", Rule::Int),
    f("links", Rule::List(&Rule::Str)),
    f(
        "portMappings",
        Rule::Keyed(KeyOf::PortMapping, PORT_MAPPING),
    ),
    d("essential", Rule::Bool, D::Bool(true)),
    f("restartPolicy", Rule::Opaque),
    f("entryPoint", Rule::List(&Rule::Str)),
    f("command", Rule::List(&Rule::Str)),
    f("environment", Rule::Pairs("name", "value")),
    f("environmentFiles", Rule::Set(&Rule::Opaque)),
    f("mountPoints", Rule::Set(&Rule::Opaque)),
    f("volumesFrom", Rule::Set(&Rule::Opaque)),
    f("linuxParameters", Rule::Opaque),
    f("secrets", Rule::Pairs("name", "valueFrom")),
    f(
        "dependsOn",
        Rule::Keyed(
            KeyOf::Field("containerName"),
            &[
                f("containerName", Rule::Str),
                f(
                    "condition",
                    Rule::OneOf(&["START", "COMPLETE", "SUCCESS", "HEALTHY"]),
                ),
            ],
        ),
    ),
    f("startTimeout", Rule::Int),
    f("stopTimeout", Rule::Int),
    d("versionConsistency", Rule::Upper, D::Str("ENABLED")),
    f("hostname", Rule::Str),
    f("user", Rule::Str),
    f("workingDirectory", Rule::Str),
    d("disableNetworking", Rule::Bool, D::Bool(false)),
    d("privileged", Rule::Bool, D::Bool(false)),
    d("readonlyRootFilesystem", Rule::Bool, D::Bool(false)),
    f("dnsServers", Rule::List(&Rule::Str)),
    f("dnsSearchDomains", Rule::List(&Rule::Str)),
    f("extraHosts", Rule::Set(&Rule::Opaque)),
    f("dockerSecurityOptions", Rule::List(&Rule::Str)),
    d("interactive", Rule::Bool, D::Bool(false)),
    d("pseudoTerminal", Rule::Bool, D::Bool(false)),
    f("dockerLabels", Rule::StrMap),
    f(
        "ulimits",
        Rule::Keyed(
            KeyOf::Field("name"),
            &[
                f("name", Rule::Str),
                f("softLimit", Rule::Int),
                f("hardLimit", Rule::Int),
            ],
        ),
    ),
    f("logConfiguration", Rule::Obj(LOG_CONFIGURATION)),
    f("healthCheck", Rule::Obj(HEALTH_CHECK)),
    f(
        "systemControls",
        Rule::Keyed(
            KeyOf::Field("namespace"),
            &[f("namespace", Rule::Str), f("value", Rule::Str)],
        ),
    ),
    f("resourceRequirements", Rule::Set(&Rule::Opaque)),
    f("firelensConfiguration", Rule::Opaque),
    f("credentialSpecs", Rule::List(&Rule::Str)),
];

/// A task definition (`RegisterTaskDefinition` input / `DescribeTaskDefinition` output).
pub const TASK_DEFINITION: &[Field] = &[
    f("family", Rule::Str),
    f("taskRoleArn", Rule::Str),
    f("executionRoleArn", Rule::Str),
    d(
        "networkMode",
        Rule::OneOf(&["awsvpc", "bridge", "host", "none"]),
        D::Str("bridge"),
    ),
    f(
        "volumes",
        Rule::Keyed(
            KeyOf::Field("name"),
            &[
                f("name", Rule::Str),
                f("host", Rule::Opaque),
                f("dockerVolumeConfiguration", Rule::Opaque),
                f(
                    "efsVolumeConfiguration",
                    Rule::Obj(&[
                        f("fileSystemId", Rule::Str),
                        d("rootDirectory", Rule::Str, D::Str("/")),
                        d(
                            "transitEncryption",
                            Rule::OneOf(&["ENABLED", "DISABLED"]),
                            D::Str("DISABLED"),
                        ),
                        f("transitEncryptionPort", Rule::Int),
                        f(
                            "authorizationConfig",
                            Rule::Obj(&[
                                f("accessPointId", Rule::Str),
                                d(
                                    "iam",
                                    Rule::OneOf(&["ENABLED", "DISABLED"]),
                                    D::Str("DISABLED"),
                                ),
                            ]),
                        ),
                    ]),
                ),
                f("fsxWindowsFileServerVolumeConfiguration", Rule::Opaque),
                d("configuredAtLaunch", Rule::Bool, D::Bool(false)),
            ],
        ),
    ),
    f("placementConstraints", Rule::Set(&Rule::Opaque)),
    f(
        "requiresCompatibilities",
        Rule::Set(&Rule::OneOf(COMPATIBILITIES)),
    ),
    f("cpu", Rule::Cpu),
    f("memory", Rule::Memory),
    f("tags", Rule::Pairs("key", "value")),
    f("pidMode", Rule::Str),
    f("ipcMode", Rule::Str),
    f(
        "proxyConfiguration",
        Rule::Obj(&[
            d("type", Rule::Upper, D::Str("APPMESH")),
            f("containerName", Rule::Str),
            f("properties", Rule::Pairs("name", "value")),
        ]),
    ),
    f("inferenceAccelerators", Rule::Set(&Rule::Opaque)),
    f("ephemeralStorage", Rule::Obj(&[f("sizeInGiB", Rule::Int)])),
    f(
        "runtimePlatform",
        Rule::Obj(&[
            d("cpuArchitecture", Rule::Upper, D::Str("X86_64")),
            d("operatingSystemFamily", Rule::Upper, D::Str("LINUX")),
        ]),
    ),
    d("enableFaultInjection", Rule::Bool, D::Bool(false)),
    f(
        "containerDefinitions",
        Rule::Keyed(KeyOf::Field("name"), CONTAINER),
    ),
    ro("taskDefinitionArn"),
    ro("revision"),
    ro("status"),
    ro("requiresAttributes"),
    ro("compatibilities"),
    ro("registeredAt"),
    ro("registeredBy"),
    ro("deregisteredAt"),
];

const DEPLOYMENT_CONFIGURATION: &[Field] = &[
    f(
        "deploymentCircuitBreaker",
        Rule::Obj(&[
            d("enable", Rule::Bool, D::Bool(false)),
            d("rollback", Rule::Bool, D::Bool(false)),
        ]),
    ),
    f("maximumPercent", Rule::Int),
    f("minimumHealthyPercent", Rule::Int),
    f(
        "alarms",
        Rule::Obj(&[
            f("alarmNames", Rule::Set(&Rule::Str)),
            d("enable", Rule::Bool, D::Bool(false)),
            d("rollback", Rule::Bool, D::Bool(false)),
        ]),
    ),
    d("strategy", Rule::Upper, D::Str("ROLLING")),
    opt("bakeTimeInMinutes", Rule::Int),
    f("lifecycleHooks", Rule::Opaque),
];

/// A service (`CreateService` input / `DescribeServices` output) with its task
/// definition inline under `taskDefinition`.
pub const SERVICE: &[Field] = &[
    ro("cluster"),
    ro("serviceName"),
    f(
        "loadBalancers",
        Rule::Set(&Rule::Obj(&[
            f("targetGroupArn", Rule::Str),
            f("loadBalancerName", Rule::Str),
            f("containerName", Rule::Str),
            f("containerPort", Rule::Int),
        ])),
    ),
    f("serviceRegistries", Rule::Set(&Rule::Opaque)),
    opt("desiredCount", Rule::Int),
    // Without a launch type or a capacity provider strategy, CreateService
    // launches on EC2, and DescribeServices says so.
    d("launchType", Rule::OneOf(COMPATIBILITIES), D::Str("EC2")),
    f(
        "capacityProviderStrategy",
        Rule::Keyed(
            KeyOf::Field("capacityProvider"),
            &[
                f("capacityProvider", Rule::Str),
                d("weight", Rule::Int, D::Int(0)),
                d("base", Rule::Int, D::Int(0)),
            ],
        ),
    ),
    d("platformVersion", Rule::Upper, D::Str("LATEST")),
    f(
        "deploymentConfiguration",
        Rule::Obj(DEPLOYMENT_CONFIGURATION),
    ),
    f("placementConstraints", Rule::Set(&Rule::Opaque)),
    f("placementStrategy", Rule::List(&Rule::Opaque)),
    f(
        "networkConfiguration",
        Rule::Obj(&[f(
            "awsvpcConfiguration",
            Rule::Obj(&[
                f("subnets", Rule::Set(&Rule::Str)),
                // Omitted, AWS applies the VPC's default group: compared
                // only where declared, like desiredCount.
                opt("securityGroups", Rule::Set(&Rule::Str)),
                d(
                    "assignPublicIp",
                    Rule::OneOf(&["ENABLED", "DISABLED"]),
                    D::Str("DISABLED"),
                ),
            ]),
        )]),
    ),
    d("healthCheckGracePeriodSeconds", Rule::Int, D::Int(0)),
    d(
        "schedulingStrategy",
        Rule::OneOf(&["REPLICA", "DAEMON"]),
        D::Str("REPLICA"),
    ),
    f(
        "deploymentController",
        Rule::Obj(&[d(
            "type",
            Rule::OneOf(&["ECS", "CODE_DEPLOY", "EXTERNAL"]),
            D::Str("ECS"),
        )]),
    ),
    f("tags", Rule::Pairs("key", "value")),
    d("enableECSManagedTags", Rule::Bool, D::Bool(false)),
    d(
        "propagateTags",
        Rule::OneOf(&["TASK_DEFINITION", "SERVICE", "NONE"]),
        D::Str("NONE"),
    ),
    d("enableExecuteCommand", Rule::Bool, D::Bool(false)),
    opt("availabilityZoneRebalancing", Rule::Upper),
    f("serviceConnectConfiguration", Rule::Opaque),
    f("volumeConfigurations", Rule::Opaque),
    f("vpcLatticeConfigurations", Rule::Opaque),
    ro("role"),
    ro("roleArn"),
    ro("clientToken"),
    ro("serviceArn"),
    ro("clusterArn"),
    ro("status"),
    ro("runningCount"),
    ro("pendingCount"),
    ro("deployments"),
    ro("events"),
    ro("taskSets"),
    ro("createdAt"),
    ro("createdBy"),
    ro("platformFamily"),
    ro("currentServiceDeployment"),
    ro("currentServiceRevisions"),
    ro("resourceManagementType"),
    f("taskDefinition", Rule::Obj(TASK_DEFINITION)),
];

/// Normalizes a service spec. `mode` is strict for declared files.
///
/// # Errors
/// In strict mode, the first unknown field or wrong type.
pub fn normalize(spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
    let mut w = Walker::new(mode);
    let mut node = w
        .object(spec, SERVICE)?
        .unwrap_or(Node::Obj(Default::default()));
    contextual_defaults(&mut node);
    Ok(node)
}

/// Which fields are stated only on the declared side and compared only then.
#[must_use]
pub fn declared_only(path: &str) -> bool {
    static PATHS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        crate::normalize::schema::defaults(SERVICE, "")
            .into_iter()
            .filter(|r| r.value.is_none())
            .map(|r| r.path)
            .collect()
    });
    // `containerDefinitions[api].x` is the table's `containerDefinitions[].x`.
    let mut generic = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                generic.push('[');
            }
            ']' => {
                depth -= 1;
                generic.push(']');
            }
            _ if depth > 0 => {}
            c => generic.push(c),
        }
    }
    PATHS.contains(&generic)
}

/// Defaults that depend on other fields.
fn contextual_defaults(node: &mut Node) {
    let Node::Obj(svc) = node else { return };
    let daemon = svc
        .get("schedulingStrategy")
        .and_then(Node::canon)
        .is_some_and(|c| *c == "DAEMON");
    if daemon {
        svc.remove("desiredCount");
    }
    let (max_default, min_default) = if daemon { (100, 0) } else { (200, 100) };
    if let Some(Node::Obj(dc)) = svc.get_mut("deploymentConfiguration") {
        drop_if(dc, "maximumPercent", &Value::from(max_default));
        drop_if(dc, "minimumHealthyPercent", &Value::from(min_default));
        if dc.is_empty() {
            svc.remove("deploymentConfiguration");
        }
    }
    let Some(Node::Obj(td)) = svc.get_mut("taskDefinition") else {
        return;
    };
    let mode = match td.get("networkMode").and_then(Node::canon) {
        Some(canon) => canon.as_str().unwrap_or("bridge").to_lowercase(),
        None => "bridge".to_owned(),
    };
    let Some(Node::Keyed(containers)) = td.get_mut("containerDefinitions") else {
        return;
    };
    for container in containers.values_mut() {
        let Node::Obj(c) = container else { continue };
        let Some(Node::Keyed(ports)) = c.get_mut("portMappings") else {
            continue;
        };
        for pm in ports.values_mut() {
            let Node::Obj(p) = pm else { continue };
            let same_as_container = p
                .get("containerPort")
                .and_then(Node::canon)
                .map_or(Value::Null, std::borrow::Cow::into_owned);
            if mode == "awsvpc" || mode == "host" {
                drop_if(p, "hostPort", &same_as_container);
            } else {
                drop_if(p, "hostPort", &Value::from(0));
            }
        }
    }
}

fn drop_if(m: &mut crate::normalize::node::Fields, key: &str, default: &Value) {
    if m.get(key)
        .and_then(Node::canon)
        .is_some_and(|c| *c == *default)
    {
        m.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::schema::canon_json;
    use serde_json::json;

    fn canon(v: Value) -> Value {
        canon_json(&normalize(&v, Mode::Strict).unwrap())
    }

    fn same(a: Value, b: Value) {
        assert_eq!(canon(a), canon(b));
    }

    fn td(extra: Value) -> Value {
        let mut base =
            json!({"family": "api", "containerDefinitions": [{"name": "api", "image": "nginx"}]});
        merge(&mut base, extra);
        json!({"taskDefinition": base})
    }

    fn merge(a: &mut Value, b: Value) {
        if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
            for (k, v) in b {
                a.insert(k, v);
            }
        }
    }

    #[test]
    fn list_order_does_not_count() {
        let c = |env: Value, ports: Value| {
            json!({"taskDefinition": {"family": "api", "containerDefinitions": [
                {"name": "a", "image": "x", "environment": env, "portMappings": ports},
                {"name": "b", "image": "y"}]}})
        };
        same(
            c(
                json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
                json!([{"containerPort": 80}, {"containerPort": 443}]),
            ),
            c(
                json!([{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]),
                json!([{"containerPort": 443}, {"containerPort": 80}]),
            ),
        );
        let mut reversed = c(json!([]), json!([]));
        reversed["taskDefinition"]["containerDefinitions"]
            .as_array_mut()
            .unwrap()
            .reverse();
        same(c(json!([]), json!([])), reversed);
        same(
            json!({"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["b", "a"], "securityGroups": ["sg-2", "sg-1"]}}}),
            json!({"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["a", "b"], "securityGroups": ["sg-1", "sg-2"], "assignPublicIp": "DISABLED"}}}),
        );
        same(
            json!({"tags": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]}),
            json!({"tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}),
        );
    }

    #[test]
    fn aws_defaults_count_as_absent() {
        same(
            json!({"deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100,
                "deploymentCircuitBreaker": {"enable": false, "rollback": false}},
                "platformVersion": "LATEST", "schedulingStrategy": "REPLICA",
                "enableECSManagedTags": false, "propagateTags": "NONE",
                "deploymentController": {"type": "ECS"}, "healthCheckGracePeriodSeconds": 0}),
            json!({}),
        );
        same(
            json!({"schedulingStrategy": "DAEMON", "desiredCount": 3,
                "deploymentConfiguration": {"maximumPercent": 100, "minimumHealthyPercent": 0}}),
            json!({"schedulingStrategy": "DAEMON"}),
        );
        same(
            td(
                json!({"networkMode": "awsvpc", "containerDefinitions": [{"name": "api", "image": "nginx",
                "essential": true, "cpu": 0, "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "healthCheck": {"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}}]}),
            ),
            td(
                json!({"networkMode": "awsvpc", "containerDefinitions": [{"name": "api", "image": "nginx",
                "portMappings": [{"containerPort": 80}], "healthCheck": {"command": ["CMD", "true"]}}]}),
            ),
        );
        same(
            td(
                json!({"networkMode": "bridge", "containerDefinitions": [{"name": "api", "image": "nginx",
                "portMappings": [{"containerPort": 80, "hostPort": 0}]}]}),
            ),
            td(
                json!({"containerDefinitions": [{"name": "api", "image": "nginx",
                "portMappings": [{"containerPort": 80}]}]}),
            ),
        );
    }

    #[test]
    fn bridge_host_port_is_not_container_port() {
        let a = canon(td(
            json!({"containerDefinitions": [{"name": "api", "image": "nginx",
            "portMappings": [{"containerPort": 80, "hostPort": 80}]}]}),
        ));
        let b = canon(td(
            json!({"containerDefinitions": [{"name": "api", "image": "nginx",
            "portMappings": [{"containerPort": 80}]}]}),
        ));
        assert_ne!(a, b);
    }

    #[test]
    fn units_and_strings_vs_numbers() {
        same(
            td(json!({"cpu": "1 vCPU", "memory": "0.5 GB"})),
            td(json!({"cpu": 1024, "memory": "512"})),
        );
        same(td(json!({"cpu": "256"})), td(json!({"cpu": 256})));
        same(json!({"desiredCount": "2"}), json!({"desiredCount": 2}));
    }

    #[test]
    fn read_only_fields_are_dropped() {
        same(
            json!({"serviceArn": "arn:x", "status": "ACTIVE", "runningCount": 2, "events": [], "createdAt": 1.5,
                "taskDefinition": {"family": "api", "taskDefinitionArn": "arn:td/api:7", "revision": 7,
                    "status": "ACTIVE", "registeredAt": 1.0, "compatibilities": ["EC2"], "requiresAttributes": []}}),
            json!({"taskDefinition": {"family": "api"}}),
        );
    }

    #[test]
    fn a_changed_image_is_a_difference() {
        let a = canon(td(json!({})));
        let mut b = td(json!({}));
        b["taskDefinition"]["containerDefinitions"][0]["image"] = json!("nginx:2");
        assert_ne!(a, canon(b));
    }

    #[test]
    fn declared_only_fields() {
        assert!(declared_only("desiredCount"));
        assert!(!declared_only("launchType"));
    }
}
