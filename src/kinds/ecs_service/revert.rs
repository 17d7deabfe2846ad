//! Reverting an ECS service: `aws ecs register-task-definition` with the
//! declared task definition, then `update-service` / `create-service` /
//! `delete-service`; fields ECS cannot change in place are named.

use crate::config::Scope;
use crate::diff::scope_of;
use crate::suggest::{SECRET, aws_flags, compact, sh, unmask};
use driftgate_model::{Finding, Resource, State, Suggestion};
use serde_json::{Map, Value, json};

/// Service fields `aws ecs update-service` takes.
pub(crate) const UPDATABLE: &[&str] = &[
    "desiredCount",
    "networkConfiguration",
    "capacityProviderStrategy",
    "platformVersion",
    "healthCheckGracePeriodSeconds",
    "deploymentConfiguration",
    "placementConstraints",
    "placementStrategy",
    "loadBalancers",
    "serviceRegistries",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "propagateTags",
    "serviceConnectConfiguration",
    "availabilityZoneRebalancing",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
];

pub(crate) fn ecs(f: &Finding, scope: &Scope, decl: Option<&Resource>, s: &mut Suggestion) {
    let flags = aws_flags(scope, &f.id, true);
    let cluster = crate::config::bare(scope_of(&f.id)).to_owned();
    let service = f.id.split_once('/').map_or("", |(_, n)| n).to_owned();
    if f.state == State::Unmanaged {
        s.revert.push(format!(
            "aws ecs delete-service{flags} --cluster {} --service {} --force",
            sh(&cluster),
            sh(&service)
        ));
        return;
    }
    let Some(d) = decl else { return };
    let td_changed = f.state == State::Missing
        || f.changes
            .iter()
            .any(|c| c.path.starts_with("taskDefinition."));
    let family = d
        .spec
        .pointer("/taskDefinition/family")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut secrets = false;
    if td_changed && let Some(td) = d.spec.get("taskDefinition") {
        let mut td = td.clone();
        secrets |= unmask(&mut td);
        s.revert.push(format!(
            "aws ecs register-task-definition{flags} --cli-input-json {}",
            compact(&td)
        ));
    }
    let mut payload = Map::new();
    payload.insert("cluster".into(), json!(cluster));
    if f.state == State::Missing {
        let Value::Object(spec) = &d.spec else { return };
        payload.insert("serviceName".into(), json!(service));
        for (k, v) in spec {
            if !matches!(k.as_str(), "cluster" | "serviceName" | "taskDefinition") {
                payload.insert(k.clone(), v.clone());
            }
        }
        payload.insert("taskDefinition".into(), json!(family));
        let mut p = Value::Object(payload);
        secrets |= unmask(&mut p);
        s.revert.push(format!(
            "aws ecs create-service{flags} --cli-input-json {}",
            compact(&p)
        ));
    } else {
        payload.insert("service".into(), json!(service));
        if td_changed {
            payload.insert("taskDefinition".into(), json!(family));
        }
        let mut tags = false;
        for c in &f.changes {
            let top = c.path.split(['.', '[']).next().unwrap_or_default();
            if top == "taskDefinition" {
                continue;
            }
            if top == "tags" {
                tags = true;
            } else if UPDATABLE.contains(&top) {
                match d.spec.get(top) {
                    Some(v) => {
                        payload.insert(top.to_owned(), v.clone());
                    }
                    None => s.notes.push(format!(
                        "`{top}` is not declared: the revert leaves it as it is live"
                    )),
                }
            } else {
                s.notes.push(format!(
                    "`{top}` cannot change in place (update-service does not take it): recreate the service to revert it"
                ));
            }
        }
        if payload.len() > 2 {
            s.revert.push(format!(
                "aws ecs update-service{flags} --cli-input-json {}",
                compact(&Value::Object(payload))
            ));
        }
        if tags && let Some(t) = d.spec.get("tags") {
            s.revert.push(format!(
                "aws ecs tag-resource{flags} --resource-arn \"$(aws ecs describe-services{flags} --cluster {} --services {} --query 'services[0].serviceArn' --output text)\" --tags {}",
                sh(&cluster),
                sh(&service),
                compact(t)
            ));
            s.notes
                .push("tags added by hand are removed with `aws ecs untag-resource`".into());
        }
    }
    if secrets {
        s.notes.push(format!(
            "secret values in the payload are `{SECRET}`: driftgate never holds them; fill them in from your secret store"
        ));
    }
}
