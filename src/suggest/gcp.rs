//! Reverting on GCP: compute v1 firewall calls (`curl`, `gcloud`) with the
//! declared rule as the body.

use super::*;

/// A GCP rule's spec as the compute v1 `Firewall` body.
pub(super) fn gcp_body(spec: &Value) -> Value {
    let project = spec["project"].as_str().unwrap_or_default();
    let network = spec["network"].as_str().unwrap_or_default();
    let mut m = Map::new();
    m.insert("name".into(), spec["name"].clone());
    m.insert(
        "network".into(),
        json!(format!("projects/{project}/global/networks/{network}")),
    );
    m.insert(
        "direction".into(),
        json!(
            spec["direction"]
                .as_str()
                .unwrap_or("INGRESS")
                .to_uppercase()
        ),
    );
    m.insert("priority".into(), spec["priority"].clone());
    let (key, list) = crate::kinds::firewall_rule::formats::gcp::allowed_or_denied(spec);
    m.insert(key.into(), list);
    for k in crate::kinds::firewall_rule::formats::gcp::PLAIN_FIELDS {
        if let Some(v) = spec.get(*k) {
            m.insert((*k).into(), v.clone());
        }
    }
    m.insert(
        "logConfig".into(),
        json!({"enable": spec.get("logging").and_then(Value::as_bool).unwrap_or(false)}),
    );
    Value::Object(m)
}

pub(super) fn gcp(
    f: &Finding,
    scope: &Scope,
    decl: Option<&Resource>,
    live: Option<&Resource>,
    s: &mut Suggestion,
) {
    let Some(spec) = decl.or(live).map(|r| &r.spec) else {
        return;
    };
    let project = spec["project"].as_str().unwrap_or_default();
    let name = spec["name"].as_str().unwrap_or_default();
    let endpoint = scope
        .gcp
        .as_ref()
        .and_then(|g| g.endpoint.as_deref())
        .unwrap_or(driftgate_gcp::firewall::COMPUTE_ENDPOINT)
        .trim_end_matches('/');
    let base = format!("{endpoint}/compute/v1/projects/{project}/global/firewalls");
    let auth = "-H \"Authorization: Bearer $(gcloud auth print-access-token)\" -H 'Content-Type: application/json'";
    match f.state {
        State::Unmanaged => s.revert.push(format!(
            "gcloud compute firewall-rules delete {} --project {} --quiet",
            sh(name),
            sh(project)
        )),
        State::Changed => s.revert.push(format!(
            "curl -X PUT {auth} {} -d {}",
            sh(&format!("{base}/{name}")),
            compact(&gcp_body(spec))
        )),
        State::Missing => s.revert.push(format!(
            "curl -X POST {auth} {} -d {}",
            sh(&base),
            compact(&gcp_body(spec))
        )),
        _ => {}
    }
}
