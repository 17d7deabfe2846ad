//! Who changed it: CloudTrail LookupEvents for one resource, through the
//! signed JSON API (no aws-sdk-cloudtrail), paged, at CloudTrail's quota of
//! two LookupEvents calls a second per account and region.

use crate::signed::SignedClient;
use driftgate_model::ProviderError;
use driftgate_model::finding::TrailEvent;
use serde_json::{Value, json};

/// Every AWS action this module calls (see `ecs::api::ACTIONS`).
pub const ACTIONS: &[&str] = &["cloudtrail:LookupEvents"];

/// Pages read at most for one resource (50 events a page).
pub const MAX_PAGES: usize = 10;

const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

/// CloudTrail's JSON error: `{"__type": "...#Code", "message": "..."}`.
fn error_of(text: &str) -> Option<(String, String)> {
    let v: Value = serde_json::from_str(text).ok()?;
    let code = v.get("__type")?.as_str()?.rsplit('#').next()?.to_owned();
    let message = v
        .get("message")
        .or_else(|| v.get("Message"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some((code, message))
}

/// CloudTrail for one account and region.
#[derive(Debug, Clone)]
pub struct CloudTrail {
    client: SignedClient,
    pacer: crate::pace::Pacer,
}

impl CloudTrail {
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        CloudTrail {
            client: SignedClient::new(config, "cloudtrail"),
            pacer: crate::pace::Pacer::new(config),
        }
    }

    /// The write events of `event_source` (e.g. `ecs.amazonaws.com`) that
    /// named `resource` since `since` (seconds since the epoch), newest
    /// first; only those whose event record (the `CloudTrailEvent` JSON)
    /// `matches` (a service of the same name in another cluster, another
    /// record set of the same zone, are left out).
    ///
    /// # Errors
    /// The first call that fails past its retries.
    pub async fn events(
        &self,
        resource: &str,
        event_source: &str,
        since: i64,
        matches: &(dyn Fn(&Value) -> bool + Sync),
    ) -> Result<Vec<TrailEvent>, ProviderError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            self.pacer.wait(crate::pace::Family::CloudTrailLookup).await;
            let mut body = json!({
                "LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": resource}],
                "StartTime": since,
                "MaxResults": 50,
            });
            if let Some(t) = &token {
                body["NextToken"] = json!(t);
            }
            let text = self
                .client
                .post(
                    "LookupEvents",
                    "application/x-amz-json-1.1",
                    &[("x-amz-target", TARGET)],
                    body.to_string(),
                    error_of,
                    crate::whole::cloudtrail,
                )
                .await?;
            let page: Value = serde_json::from_str(&text).map_err(|e| {
                ProviderError::new(
                    driftgate_model::ErrorKind::Unsupported,
                    "cloudtrail",
                    "LookupEvents",
                    e.to_string(),
                )
            })?;
            for e in page
                .get("Events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(ev) = event(e, event_source, matches) {
                    out.push(ev);
                }
            }
            match page
                .get("NextToken")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
            {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        Ok(out)
    }
}

/// One LookupEvents entry, if it is a write by `event_source` whose record
/// `matches`.
fn event(
    e: &Value,
    event_source: &str,
    matches: &(dyn Fn(&Value) -> bool + Sync),
) -> Option<TrailEvent> {
    if e.get("EventSource").and_then(Value::as_str) != Some(event_source) {
        return None;
    }
    if e.get("ReadOnly").and_then(Value::as_str) == Some("true") {
        return None;
    }
    let detail: Value = e
        .get("CloudTrailEvent")
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    if !matches(&detail) {
        return None;
    }
    let principal = detail
        .pointer("/userIdentity/arn")
        .and_then(Value::as_str)
        .or_else(|| e.get("Username").and_then(Value::as_str))
        .unwrap_or("unknown")
        .to_owned();
    let agent = detail
        .get("userAgent")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let console = detail
        .get("sessionCredentialFromConsole")
        .and_then(Value::as_str)
        == Some("true")
        || agent.contains("console.amazonaws.com")
        || agent.starts_with("AWS Internal");
    let time = match e.get("EventTime") {
        Some(Value::Number(n)) => n.as_f64().map(|t| rfc3339(t as i64)).unwrap_or_default(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    Some(TrailEvent {
        time,
        principal,
        call: e
            .get("EventName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        console,
        source_ip: detail
            .get("sourceIPAddress")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

pub use driftgate_model::rfc3339;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_event_and_leaves_reads_out() {
        let e = json!({"EventName": "UpdateService", "EventSource": "ecs.amazonaws.com", "ReadOnly": "false",
            "EventTime": 1_795_000_000.0, "Username": "alice",
            "CloudTrailEvent": "{\"userIdentity\":{\"arn\":\"arn:aws:sts::123456789012:assumed-role/Admin/alice\"},\"userAgent\":\"console.amazonaws.com\",\"sourceIPAddress\":\"203.0.113.9\"}"});
        let any = |_: &Value| true;
        let ev = event(&e, "ecs.amazonaws.com", &any).unwrap();
        assert_eq!(
            ev.principal,
            "arn:aws:sts::123456789012:assumed-role/Admin/alice"
        );
        assert!(ev.console);
        assert_eq!(ev.time, "2026-11-18T11:06:40Z");
        assert!(
            event(
                &json!({"EventSource": "ecs.amazonaws.com", "ReadOnly": "true"}),
                "ecs.amazonaws.com",
                &any
            )
            .is_none()
        );
        assert!(event(&e, "ec2.amazonaws.com", &any).is_none());
        assert!(event(&e, "ecs.amazonaws.com", &|_| false).is_none());
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
