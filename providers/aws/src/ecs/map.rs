//! Raw DescribeServices / DescribeTaskDefinition JSON -> model resources.
//!
//! The spec keeps the API's field names: the service object, with its
//! `taskDefinition` ARN replaced by the task definition object it points at,
//! and `cluster` set to the cluster's name. Bulky, always-changing fields that
//! no declared file states (events, deployments, task sets) are dropped here so
//! snapshots stay small; the normalizer drops the other read-only fields.

use driftgate_model::{Kind, ProviderError, Resource, Unchecked};
use serde_json::Value;
use std::collections::BTreeMap;

/// Fields of a described service that are history, not settings.
const SERVICE_HISTORY: &[&str] = &["events", "deployments", "taskSets"];

/// Builds the resource for one service.
///
/// # Errors
/// The service as unchecked when its task definition could not be read.
pub fn resource(
    cluster: &str,
    mut service: Value,
    task_definitions: &BTreeMap<String, Result<Value, ProviderError>>,
) -> Result<Resource, Unchecked> {
    let name = service
        .get("serviceName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let id = format!("{cluster}/{name}");
    let obj = service
        .as_object_mut()
        .expect("DescribeServices returns objects");
    for key in SERVICE_HISTORY {
        obj.remove(*key);
    }
    obj.insert("cluster".into(), Value::String(cluster.to_owned()));
    if let Some(arn) = obj
        .get("taskDefinition")
        .and_then(Value::as_str)
        .map(str::to_owned)
    {
        match task_definitions.get(&arn) {
            Some(Ok(td)) => {
                obj.insert("taskDefinition".into(), td.clone());
            }
            Some(Err(e)) => {
                return Err(Unchecked {
                    kind: Kind::EcsService,
                    id,
                    error: e.clone(),
                });
            }
            None => {}
        }
    }
    Ok(Resource {
        kind: Kind::EcsService,
        id,
        spec: service,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftgate_model::ErrorKind;
    use serde_json::json;

    #[test]
    fn inlines_the_task_definition_and_drops_history() {
        let mut tds = BTreeMap::new();
        tds.insert(
            "arn:td/api:3".to_owned(),
            Ok(json!({"family": "api", "containerDefinitions": []})),
        );
        let r = resource(
            "prod",
            json!({"serviceName": "api", "taskDefinition": "arn:td/api:3", "events": [1], "deployments": [2]}),
            &tds,
        )
        .unwrap();
        assert_eq!(r.id, "prod/api");
        assert_eq!(r.spec["taskDefinition"]["family"], "api");
        assert_eq!(r.spec["cluster"], "prod");
        assert!(r.spec.get("events").is_none());
        assert!(r.spec.get("deployments").is_none());
    }

    #[test]
    fn unreadable_task_definition_makes_the_service_unchecked() {
        let mut tds = BTreeMap::new();
        tds.insert(
            "arn:td/api:3".to_owned(),
            Err(ProviderError::new(
                ErrorKind::PermissionDenied,
                "ecs",
                "DescribeTaskDefinition",
                "no",
            )),
        );
        let u = resource(
            "prod",
            json!({"serviceName": "api", "taskDefinition": "arn:td/api:3"}),
            &tds,
        )
        .unwrap_err();
        assert_eq!(u.id, "prod/api");
        assert_eq!(u.error.kind, ErrorKind::PermissionDenied);
    }
}
