//! ECS services in a Terraform state: `aws_ecs_service` with the
//! `aws_ecs_task_definition` it runs (found by ARN, or by family, in any
//! state of the scope). Attributes as the AWS provider documents them
//! (registry.terraform.io `aws_ecs_service` and `aws_ecs_task_definition`,
//! "Argument Reference" and "Attribute Reference"); `container_definitions`
//! is the JSON text of the API's list, kept as the provider stores it.
//!
//! Both are put in the API's shape (`CreateService`,
//! `RegisterTaskDefinition`) and compared as any other declared service.

use crate::declared::terraform::state::Instance;
use crate::declared::terraform::{Cx, Mapped, TfType, block, text, texts};
use crate::kinds::ecs_service::formats::{cluster_name, family_of};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value, json};

/// The types this kind reads.
pub static TYPES: &[TfType] = &[
    TfType {
        rtype: "aws_ecs_service",
        kind: Kind::EcsService,
        primary: true,
        map: service,
    },
    TfType {
        rtype: "aws_ecs_task_definition",
        kind: Kind::EcsService,
        primary: false,
        // Compared as part of the service that runs it.
        map: |_, _| Ok(Mapped::Helper),
    },
];

/// Tags as the API lists them, from a provider's map (`tags_all` holds the
/// provider's `default_tags` too, as AWS does).
fn tags(a: &Value) -> Option<Value> {
    let m = a
        .get("tags_all")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
        .or_else(|| a.get("tags").and_then(Value::as_object))?;
    let list: Vec<Value> = m
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    (!list.is_empty()).then_some(Value::Array(list))
}

/// snake_case keys of a nested block -> the API's camelCase, empty values
/// left out.
fn camel(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let empty = v.is_null()
                    || v.as_str() == Some("")
                    || v.as_array().is_some_and(Vec::is_empty)
                    || v.as_object().is_some_and(Map::is_empty);
                if empty {
                    continue;
                }
                let mut key = String::new();
                let mut up = false;
                for c in k.chars() {
                    if c == '_' {
                        up = true;
                    } else if up {
                        key.extend(c.to_uppercase());
                        up = false;
                    } else {
                        key.push(c);
                    }
                }
                // A nested block is a one-element list in state.
                let v = match v {
                    Value::Array(l) if l.len() == 1 && l[0].is_object() => camel(&l[0]),
                    other => camel(other),
                };
                out.insert(key, v);
            }
            Value::Object(out)
        }
        Value::Array(l) => Value::Array(l.iter().map(camel).collect()),
        other => other.clone(),
    }
}

/// The task definition in `RegisterTaskDefinition`'s shape.
fn task_definition(a: &Value) -> Result<Value, String> {
    let mut td = Map::new();
    td.insert(
        "family".into(),
        json!(text(a, "family").ok_or("a task definition without `family`")?),
    );
    let containers: Value = match a.get("container_definitions") {
        Some(Value::String(s)) => serde_json::from_str(s)
            .map_err(|e| format!("`container_definitions` is not JSON: {e}"))?,
        Some(v @ Value::Array(_)) => v.clone(),
        _ => return Err("a task definition without `container_definitions`".into()),
    };
    td.insert("containerDefinitions".into(), containers);
    for (from, to) in [
        ("task_role_arn", "taskRoleArn"),
        ("execution_role_arn", "executionRoleArn"),
        ("network_mode", "networkMode"),
        ("cpu", "cpu"),
        ("memory", "memory"),
        ("pid_mode", "pidMode"),
        ("ipc_mode", "ipcMode"),
    ] {
        if let Some(v) = text(a, from) {
            td.insert(to.into(), json!(v));
        }
    }
    let compat = texts(a, "requires_compatibilities");
    if !compat.is_empty() {
        td.insert("requiresCompatibilities".into(), json!(compat));
    }
    let volumes: Vec<Value> = a
        .get("volume")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| {
            let mut out = Map::new();
            out.insert("name".into(), v.get("name").cloned().unwrap_or_default());
            if let Some(p) = text(v, "host_path") {
                out.insert("host".into(), json!({"sourcePath": p}));
            }
            for (from, to) in [
                ("efs_volume_configuration", "efsVolumeConfiguration"),
                ("docker_volume_configuration", "dockerVolumeConfiguration"),
                (
                    "fsx_windows_file_server_volume_configuration",
                    "fsxWindowsFileServerVolumeConfiguration",
                ),
            ] {
                if let Some(b) = block(v, from) {
                    out.insert(to.into(), camel(&b));
                }
            }
            if v.get("configure_at_launch").and_then(Value::as_bool) == Some(true) {
                out.insert("configuredAtLaunch".into(), json!(true));
            }
            Value::Object(out)
        })
        .collect();
    if !volumes.is_empty() {
        td.insert("volumes".into(), Value::Array(volumes));
    }
    for (from, to) in [
        ("placement_constraints", "placementConstraints"),
        ("inference_accelerator", "inferenceAccelerators"),
    ] {
        if let Some(l) = a
            .get(from)
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
        {
            td.insert(to.into(), camel(&Value::Array(l.clone())));
        }
    }
    for (from, to) in [
        ("ephemeral_storage", "ephemeralStorage"),
        ("runtime_platform", "runtimePlatform"),
    ] {
        if let Some(b) = block(a, from) {
            td.insert(to.into(), camel(&b));
        }
    }
    if let Some(p) = block(a, "proxy_configuration") {
        let props: Vec<Value> = p
            .get("properties")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| json!({"name": k, "value": v}))
                    .collect()
            })
            .unwrap_or_default();
        td.insert(
            "proxyConfiguration".into(),
            json!({"type": text(&p, "type").unwrap_or("APPMESH"), "containerName": text(&p, "container_name"), "properties": props}),
        );
    }
    if a.get("enable_fault_injection").and_then(Value::as_bool) == Some(true) {
        td.insert("enableFaultInjection".into(), json!(true));
    }
    if let Some(t) = tags(a) {
        td.insert("tags".into(), t);
    }
    Ok(Value::Object(td))
}

fn service(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let name = text(a, "name").ok_or("no `name`")?;
    let cluster_ref = text(a, "cluster").ok_or("no `cluster`")?;
    let cluster = cluster_name(cluster_ref).to_owned();
    let Some(aws) = cx.scope.aws.as_ref() else {
        return Ok(Mapped::Skipped(format!(
            "scope `{}` has no [scope.aws]",
            cx.scope.name
        )));
    };
    if !aws.ecs_clusters.contains(&cluster) {
        return Ok(Mapped::Skipped(format!(
            "cluster `{cluster}` is not in the ecs_clusters of scope `{}`",
            cx.scope.name
        )));
    }
    // In a scope of several regions, ids carry the region (from the
    // service's ARN, `arn:aws:ecs:<region>:...`).
    let cluster_id = if aws.multi_region() {
        let region = text(a, "id")
            .or_else(|| text(a, "arn"))
            .and_then(|arn| arn.split(':').nth(3))
            .filter(|r| !r.is_empty())
            .ok_or("no ARN to tell its region by, in a scope of several regions")?;
        crate::config::qualified(&cluster, region)
    } else {
        cluster.clone()
    };
    let reference = text(a, "task_definition").ok_or("no `task_definition`")?;
    let td = cx
        .index
        .task_definitions
        .get(reference)
        .or_else(|| cx.index.task_definitions.get(family_of(reference)));
    let Some(td) = td else {
        return Ok(Mapped::Skipped(format!(
            "its task definition `{reference}` is not in the scope's states (declare it with aws_ecs_task_definition, or name the state that holds it)"
        )));
    };
    let mut svc = Map::new();
    svc.insert("serviceName".into(), json!(name));
    svc.insert("cluster".into(), json!(cluster));
    svc.insert("taskDefinition".into(), task_definition(td)?);
    let daemon = text(a, "scheduling_strategy") == Some("DAEMON");
    if let Some(s) = text(a, "scheduling_strategy") {
        svc.insert("schedulingStrategy".into(), json!(s));
    }
    if !daemon && let Some(n) = a.get("desired_count").filter(|n| n.is_number()) {
        svc.insert("desiredCount".into(), n.clone());
    }
    let strategy: Vec<Value> = a
        .get("capacity_provider_strategy")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| {
            json!({"capacityProvider": s.get("capacity_provider"), "weight": s.get("weight").cloned().unwrap_or(json!(0)), "base": s.get("base").cloned().unwrap_or(json!(0))})
        })
        .collect();
    if strategy.is_empty() {
        if let Some(l) = text(a, "launch_type") {
            svc.insert("launchType".into(), json!(l));
        }
    } else {
        svc.insert("capacityProviderStrategy".into(), Value::Array(strategy));
    }
    if let Some(p) = text(a, "platform_version") {
        svc.insert("platformVersion".into(), json!(p));
    }
    let mut deployment = Map::new();
    for (from, to) in [
        ("deployment_maximum_percent", "maximumPercent"),
        (
            "deployment_minimum_healthy_percent",
            "minimumHealthyPercent",
        ),
    ] {
        if let Some(n) = a.get(from).filter(|n| n.is_number()) {
            deployment.insert(to.into(), n.clone());
        }
    }
    if let Some(cb) = block(a, "deployment_circuit_breaker") {
        deployment.insert(
            "deploymentCircuitBreaker".into(),
            json!({"enable": cb.get("enable").cloned().unwrap_or(json!(false)), "rollback": cb.get("rollback").cloned().unwrap_or(json!(false))}),
        );
    }
    if let Some(al) = block(a, "alarms") {
        deployment.insert(
            "alarms".into(),
            json!({"alarmNames": texts(&al, "alarm_names"), "enable": al.get("enable").cloned().unwrap_or(json!(false)), "rollback": al.get("rollback").cloned().unwrap_or(json!(false))}),
        );
    }
    if !deployment.is_empty() {
        svc.insert("deploymentConfiguration".into(), Value::Object(deployment));
    }
    if let Some(dc) = block(a, "deployment_controller")
        && let Some(t) = text(&dc, "type")
    {
        svc.insert("deploymentController".into(), json!({"type": t}));
    }
    for (from, to) in [
        ("enable_ecs_managed_tags", "enableECSManagedTags"),
        ("enable_execute_command", "enableExecuteCommand"),
    ] {
        if let Some(b) = a.get(from).filter(|b| b.is_boolean()) {
            svc.insert(to.into(), b.clone());
        }
    }
    if let Some(n) = a
        .get("health_check_grace_period_seconds")
        .filter(|n| n.is_number())
    {
        svc.insert("healthCheckGracePeriodSeconds".into(), n.clone());
    }
    if let Some(p) = text(a, "propagate_tags") {
        svc.insert("propagateTags".into(), json!(p));
    }
    let lbs: Vec<Value> = a
        .get("load_balancer")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| {
            let mut m = Map::new();
            for (from, to) in [
                ("target_group_arn", "targetGroupArn"),
                ("elb_name", "loadBalancerName"),
                ("container_name", "containerName"),
            ] {
                if let Some(v) = text(l, from) {
                    m.insert(to.into(), json!(v));
                }
            }
            if let Some(p) = l.get("container_port") {
                m.insert("containerPort".into(), p.clone());
            }
            Value::Object(m)
        })
        .collect();
    if !lbs.is_empty() {
        svc.insert("loadBalancers".into(), Value::Array(lbs));
    }
    if let Some(n) = block(a, "network_configuration") {
        let mut vpc = Map::new();
        vpc.insert("subnets".into(), json!(texts(&n, "subnets")));
        let groups = texts(&n, "security_groups");
        if !groups.is_empty() {
            vpc.insert("securityGroups".into(), json!(groups));
        }
        let public = n.get("assign_public_ip").and_then(Value::as_bool) == Some(true);
        vpc.insert(
            "assignPublicIp".into(),
            json!(if public { "ENABLED" } else { "DISABLED" }),
        );
        svc.insert(
            "networkConfiguration".into(),
            json!({"awsvpcConfiguration": vpc}),
        );
    }
    for (from, to) in [
        ("placement_constraints", "placementConstraints"),
        ("ordered_placement_strategy", "placementStrategy"),
        ("service_registries", "serviceRegistries"),
    ] {
        if let Some(l) = a
            .get(from)
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
        {
            svc.insert(to.into(), camel(&Value::Array(l.clone())));
        }
    }
    if let Some(t) = tags(a) {
        svc.insert("tags".into(), t);
    }
    Ok(Mapped::Resources(vec![Resource {
        kind: Kind::EcsService,
        id: format!("{cluster_id}/{name}"),
        spec: Value::Object(svc),
    }]))
}

#[cfg(test)]
mod tests {
    use super::camel;
    use serde_json::json;

    #[test]
    fn nested_blocks_become_the_apis_shape() {
        assert_eq!(
            camel(
                &json!({"file_system_id": "fs-1", "root_directory": "", "authorization_config": [{"access_point_id": "ap-1", "iam": "ENABLED"}]})
            ),
            json!({"fileSystemId": "fs-1", "authorizationConfig": {"accessPointId": "ap-1", "iam": "ENABLED"}})
        );
    }
}
