//! ECS declared files: native YAML and the AWS CLI JSON pair.
//!
//! Native YAML, one file per service, in the API's own field names (so
//! `aws ecs describe-services` output pastes in), the task definition inline:
//!
//! ```yaml
//! kind: ecs_service
//! cluster: prod            # may be left out when the scope names one cluster
//! serviceName: api
//! desiredCount: 2
//! launchType: FARGATE
//! taskDefinition:
//!   family: api
//!   cpu: "256"
//!   memory: 0.5 GB
//!   containerDefinitions:
//!     - name: api
//!       image: nginx:1.25
//! ```
//!
//! The CLI pair: a service file (`create-service --cli-input-json`) whose
//! `taskDefinition` names a family (`api`, `api:7` or a full ARN), and a task
//! definition file (`register-task-definition --cli-input-json`, bare or
//! wrapped in `{"taskDefinition": {...}}` as `describe-task-definition`
//! prints it) with that family. A service file without `taskDefinition` takes
//! the one task definition file in its directory (ecspresso's layout).
//! camelCase and PascalCase keys are both accepted.

pub mod ecspresso;
pub mod terraform;

use crate::declared::Document;
use crate::error::InputError;
use crate::kinds::ecs_service::normalize::{SERVICE, TASK_DEFINITION};
use crate::normalize::schema::{Mode, Walker, canonical_keys};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What one file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum EcsDoc {
    /// A service, with its task definition inline (an object) or by reference.
    Service(Value),
    /// A task definition; `wrapped` when it sat under `taskDefinition`.
    TaskDefinition { td: Value, wrapped: bool },
}

/// A declared service: the resource and `file:line` where it is declared.
#[derive(Debug, Clone)]
pub struct DeclaredService {
    pub resource: Resource,
    pub at: String,
}

fn get<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).or_else(|| {
        let mut c = key.chars();
        let first = c.next()?;
        let pascal: String = first.to_uppercase().chain(c).collect();
        o.get(&pascal)
    })
}

/// Reads one document as an ECS service or task definition, checked against
/// the schema: unknown fields and wrong types are errors at their place.
///
/// # Errors
/// A file that is not an ECS document or does not fit the schema.
pub fn read(doc: &Document) -> Result<EcsDoc, InputError> {
    let Some(obj) = doc.value.as_object() else {
        return Err(doc.error_at(&[], "expected an object at the top of the file"));
    };
    if let Some(kind) = obj.get("kind") {
        return match kind.as_str() {
            Some("ecs_service") => {
                let mut v = doc.value.clone();
                v.as_object_mut().expect("checked above").remove("kind");
                read_service(doc, v)
            }
            Some(other) => Err(doc.error_at(
                &["kind".into()],
                format!(
                    "unknown kind `{other}`: driftgate reads `ecs_service` and `dns_zone` files"
                ),
            )),
            None => Err(doc.error_at(
                &["kind".into()],
                "`kind` must be a string such as `ecs_service`",
            )),
        };
    }
    let service_keys = [
        "serviceName",
        "cluster",
        "desiredCount",
        "schedulingStrategy",
        "launchType",
        "loadBalancers",
    ];
    let is_service = service_keys.iter().any(|k| get(obj, k).is_some());
    match get(obj, "taskDefinition") {
        Some(Value::Object(_)) if !is_service => {
            let mut td = get(obj, "taskDefinition").cloned().unwrap_or_default();
            // `describe-task-definition --include TAGS` prints tags beside the definition.
            if let (Some(tags), Some(t)) = (get(obj, "tags"), td.as_object_mut()) {
                t.entry("tags").or_insert_with(|| tags.clone());
            }
            read_task_definition(doc, td, true)
        }
        _ if !is_service
            && (get(obj, "containerDefinitions").is_some() || get(obj, "family").is_some()) =>
        {
            read_task_definition(doc, doc.value.clone(), false)
        }
        _ if is_service || get(obj, "taskDefinition").is_some() => {
            read_service(doc, doc.value.clone())
        }
        _ => Err(doc.error_at(
            &[],
            "not a driftgate file: expected `kind: ecs_service`, an ECS service definition \
             (create-service input) or a task definition (register-task-definition input)",
        )),
    }
}

/// Why a document is an ECS declaration, or `None` when it is not one
/// (another tool's file: skipped, never guessed at).
#[must_use]
pub fn looks_like_ecs(value: &Value) -> Option<&'static str> {
    let obj = value.as_object()?;
    if obj.get("kind").and_then(Value::as_str) == Some("ecs_service") {
        return Some("kind: ecs_service");
    }
    if obj.contains_key("kind") {
        return None;
    }
    let service = [
        "serviceName",
        "desiredCount",
        "schedulingStrategy",
        "launchType",
        "loadBalancers",
        "networkConfiguration",
        "deploymentConfiguration",
    ];
    if service.iter().any(|k| get(obj, k).is_some())
        || (get(obj, "cluster").is_some() && get(obj, "taskDefinition").is_some())
    {
        return Some("an ECS service definition (create-service input)");
    }
    if get(obj, "containerDefinitions").is_some()
        || get(obj, "taskDefinition").is_some_and(Value::is_object)
    {
        return Some("an ECS task definition (register-task-definition input)");
    }
    None
}

fn read_task_definition(
    doc: &Document,
    mut td: Value,
    wrapped: bool,
) -> Result<EcsDoc, InputError> {
    canonical_keys(&mut td, TASK_DEFINITION);
    let prefix: Vec<String> = if wrapped {
        vec!["taskDefinition".into()]
    } else {
        vec![]
    };
    Walker::new(Mode::Strict)
        .object(&td, TASK_DEFINITION)
        .map_err(|e| doc.error_at(&[prefix.clone(), e.keys.clone()].concat(), e.to_string()))?;
    if td
        .get("family")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(doc.error_at(&prefix, "the task definition has no `family`"));
    }
    Ok(EcsDoc::TaskDefinition { td, wrapped })
}

fn read_service(doc: &Document, mut svc: Value) -> Result<EcsDoc, InputError> {
    canonical_keys(&mut svc, SERVICE);
    let mut check = svc.clone();
    if check.get("taskDefinition").is_some_and(Value::is_string) {
        check
            .as_object_mut()
            .expect("an object")
            .remove("taskDefinition");
    }
    Walker::new(Mode::Strict)
        .object(&check, SERVICE)
        .map_err(|e| doc.error_at(&e.keys, e.to_string()))?;
    for key in ["serviceName", "cluster"] {
        if let Some(v) = svc.get(key)
            && !v.is_string()
        {
            return Err(doc.error_at(&[key.into()], format!("`{key}` must be a string")));
        }
    }
    Ok(EcsDoc::Service(svc))
}

/// The family a task definition reference names: `api`, `api:7`, or
/// `arn:aws:ecs:us-east-1:123456789012:task-definition/api:7`.
#[must_use]
pub fn family_of(reference: &str) -> &str {
    let tail = reference.rsplit_once('/').map_or(reference, |(_, t)| t);
    match tail.rsplit_once(':') {
        Some((family, rev)) if rev.chars().all(|c| c.is_ascii_digit()) => family,
        _ => tail,
    }
}

/// A cluster's name from a name or an ARN.
#[must_use]
pub fn cluster_name(reference: &str) -> &str {
    reference
        .rsplit_once(":cluster/")
        .map_or(reference, |(_, n)| n)
}

/// Pairs services with their task definitions and builds one resource per
/// service; task definitions no service uses are named in the notes. `clusters` are the clusters the scope manages.
///
/// # Errors
/// A service with no name, an unknown cluster, a reference to a task
/// definition nobody declares, a family or a service declared twice.
pub fn resources(docs: &[(Document, EcsDoc)], clusters: &[String]) -> Result<Paired, InputError> {
    let mut used = std::collections::BTreeSet::new();
    let mut families: BTreeMap<String, (&Document, &Value)> = BTreeMap::new();
    for (doc, ecs) in docs {
        if let EcsDoc::TaskDefinition { td, wrapped } = ecs {
            let family = td["family"].as_str().unwrap_or_default().to_owned();
            if let Some((first, _)) = families.get(&family) {
                let keys: Vec<String> = if *wrapped {
                    vec!["taskDefinition".into(), "family".into()]
                } else {
                    vec!["family".into()]
                };
                return Err(doc.error_at(
                    &keys,
                    format!(
                        "task definition family `{family}` is also declared in {}",
                        first.shown
                    ),
                ));
            }
            families.insert(family, (doc, td));
        }
    }
    let mut out: Vec<DeclaredService> = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (doc, ecs) in docs {
        let EcsDoc::Service(svc) = ecs else { continue };
        let mut svc = svc.clone();
        let obj = svc.as_object_mut().expect("checked in read");
        let Some(name) = obj
            .get("serviceName")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Err(doc.error_at(
                &[],
                "no `serviceName`: driftgate needs it to find the live service (ecspresso keeps it in ecspresso.yml; add it here)",
            ));
        };
        let cluster = match obj.get("cluster").and_then(Value::as_str) {
            Some(c) => cluster_name(c).to_owned(),
            None if clusters.len() == 1 => clusters[0].clone(),
            None => {
                return Err(doc.error_at(
                    &["serviceName".into()],
                    format!(
                        "no `cluster`, and this scope names {} clusters: add `cluster:`",
                        clusters.len()
                    ),
                ));
            }
        };
        if !clusters.contains(&cluster) {
            return Err(doc.error_at(
                &["cluster".into()],
                format!(
                    "cluster `{cluster}` is not in this scope's ecs_clusters ({})",
                    clusters.join(", ")
                ),
            ));
        }
        let td = match obj.get("taskDefinition") {
            Some(Value::Object(_)) => None,
            Some(Value::String(r)) => {
                let family = family_of(r);
                match families.get(family) {
                    Some((_, td)) => Some((*td).clone()),
                    None => {
                        return Err(doc.error_at(
                            &["taskDefinition".into()],
                            format!("task definition `{r}` (family `{family}`) is not declared in any file of this scope"),
                        ));
                    }
                }
            }
            Some(_) => {
                return Err(doc.error_at(
                    &["taskDefinition".into()],
                    "`taskDefinition` must be an object or a family name",
                ));
            }
            None => {
                let dir = doc.path.parent();
                let here: Vec<&Value> = families
                    .values()
                    .filter(|(d, _)| d.path.parent() == dir)
                    .map(|(_, td)| *td)
                    .collect();
                match here.as_slice() {
                    [one] => Some((*one).clone()),
                    _ => {
                        return Err(doc.error_at(
                            &[],
                            format!(
                                "no `taskDefinition`, and {} task definition files stand beside this file: name the family",
                                here.len()
                            ),
                        ));
                    }
                }
            }
        };
        if let Some(td) = td {
            if let Some(f) = td.get("family").and_then(Value::as_str) {
                used.insert(f.to_owned());
            }
            obj.insert("taskDefinition".into(), td);
        }
        obj.insert("cluster".into(), Value::String(cluster.clone()));
        let id = format!("{cluster}/{name}");
        let at = doc.at(&["serviceName".into()]);
        if let Some(first) = seen.get(&id) {
            return Err(doc.error_at(
                &["serviceName".into()],
                format!("service `{id}` is also declared at {first}"),
            ));
        }
        seen.insert(id.clone(), at.clone());
        out.push(DeclaredService {
            resource: Resource {
                kind: Kind::EcsService,
                id,
                spec: svc,
            },
            at,
        });
    }
    let unused = families
        .iter()
        .filter(|(family, _)| !used.contains(*family))
        .map(|(family, (doc, _))| {
            format!(
                "{}: task definition `{family}` is used by no declared service, so it is not compared",
                doc.shown
            )
        })
        .collect();
    Ok(Paired {
        services: out,
        notes: unused,
    })
}

/// The services of a scope, and notes on what was read but not used.
#[derive(Debug, Clone, Default)]
pub struct Paired {
    pub services: Vec<DeclaredService>,
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn doc(name: &str, text: &str) -> Document {
        let path = PathBuf::from(format!("infra/{name}"));
        let value = if name.ends_with(".json") {
            serde_json::from_str(text).unwrap()
        } else {
            crate::declared::parse_yaml(&path, text).unwrap()
        };
        Document {
            path,
            shown: format!("infra/{name}"),
            text: text.into(),
            value,
        }
    }

    #[test]
    fn references_name_families() {
        assert_eq!(family_of("api"), "api");
        assert_eq!(family_of("api:7"), "api");
        assert_eq!(
            family_of("arn:aws:ecs:us-east-1:123456789012:task-definition/api:7"),
            "api"
        );
        assert_eq!(
            cluster_name("arn:aws:ecs:us-east-1:123456789012:cluster/prod"),
            "prod"
        );
    }

    #[test]
    fn native_yaml_with_inline_task_definition() {
        let d = doc(
            "api.yaml",
            "kind: ecs_service\nserviceName: api\ntaskDefinition:\n  family: api\n  containerDefinitions:\n    - name: api\n      image: nginx\n",
        );
        let e = read(&d).unwrap();
        let out = resources(&[(d, e)], &["prod".into()]).unwrap().services;
        assert_eq!(out[0].resource.id, "prod/api");
        assert_eq!(out[0].at, "infra/api.yaml:2");
        assert_eq!(
            out[0].resource.spec["taskDefinition"]["containerDefinitions"][0]["image"],
            "nginx"
        );
    }

    #[test]
    fn cli_pair_with_pascal_case_and_wrapper() {
        let s = doc(
            "svc.json",
            r#"{"ServiceName": "api", "Cluster": "prod", "TaskDefinition": "api:3", "DesiredCount": 2}"#,
        );
        let t = doc(
            "td.json",
            r#"{"taskDefinition": {"Family": "api", "ContainerDefinitions": [{"Name": "api", "Image": "nginx",
            "Environment": [{"Name": "A", "Value": "1"}]}]}, "tags": [{"key": "team", "value": "x"}]}"#,
        );
        let (es, et) = (read(&s).unwrap(), read(&t).unwrap());
        assert!(matches!(et, EcsDoc::TaskDefinition { wrapped: true, .. }));
        let paired = resources(&[(s, es), (t, et)], &["prod".into()]).unwrap();
        assert!(paired.notes.is_empty());
        let out = paired.services;
        let spec = &out[0].resource.spec;
        assert_eq!(spec["desiredCount"], 2);
        assert_eq!(
            spec["taskDefinition"]["containerDefinitions"][0]["environment"][0]["name"],
            "A"
        );
        assert_eq!(spec["taskDefinition"]["tags"][0]["key"], "team");
    }

    #[test]
    fn errors_name_the_place() {
        let d = doc(
            "api.yaml",
            "kind: ecs_service\nserviceName: api\ntaskDefinition:\n  family: api\n  containerDefinitions:\n    - name: api\n      imagee: nginx\n",
        );
        let e = read(&d).unwrap_err();
        assert_eq!((e.line, e.column), (7, 7));
        assert!(
            e.message
                .contains("unknown field `imagee` (did you mean `image`?)"),
            "{e}"
        );

        let s = doc(
            "svc.json",
            "{\"serviceName\": \"api\",\n \"taskDefinition\": \"web:1\"}",
        );
        let es = read(&s).unwrap();
        let e = resources(&[(s, es)], &["prod".into()]).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("family `web`"), "{e}");

        let s = doc(
            "svc.json",
            "{\"serviceName\": \"api\", \"cluster\": \"dev\", \"taskDefinition\": {\"family\": \"x\"}}",
        );
        let es = read(&s).unwrap();
        let e = resources(&[(s, es)], &["prod".into()]).unwrap_err();
        assert!(
            e.message.contains("cluster `dev` is not in this scope"),
            "{e}"
        );
    }
}
