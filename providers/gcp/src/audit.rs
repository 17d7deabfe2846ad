//! Who changed a resource on GCP: Cloud Audit Logs' Admin Activity entries
//! through Cloud Logging's `entries.list`, filtered by the resource and the
//! write methods, paged by `nextPageToken`.

use crate::TokenSource;
use driftgate_model::http;
use driftgate_model::{ErrorKind, ProviderError, TrailEvent};
use serde_json::{Value, json};

/// Cloud Logging's endpoint.
pub const LOGGING_ENDPOINT: &str = "https://logging.googleapis.com";

/// The read-only Logging scope.
pub const LOGGING_SCOPE: &str = "https://www.googleapis.com/auth/logging.read";

/// The permission driftgate uses on Cloud Logging.
pub const PERMISSIONS: &[&str] = &["logging.logEntries.list"];

/// Pages read at most for one resource: its newest entries come first.
const MAX_PAGES: usize = 20;

/// One audit log entry as a write event.
#[must_use]
pub fn event(e: &Value) -> Option<TrailEvent> {
    let text = |p: &str| e.pointer(p).and_then(Value::as_str);
    let agent = text("/protoPayload/requestMetadata/callerSuppliedUserAgent").unwrap_or_default();
    Some(TrailEvent {
        time: text("/timestamp")?.to_owned(),
        principal: text("/protoPayload/authenticationInfo/principalEmail")
            .unwrap_or("unknown")
            .to_owned(),
        call: text("/protoPayload/methodName")?.to_owned(),
        // The console's calls carry the browser's user agent.
        console: agent.starts_with("Mozilla/") || agent.contains("console.cloud.google.com"),
        source_ip: text("/protoPayload/requestMetadata/callerIp").map(str::to_owned),
    })
}

/// The Admin Activity entries of `project` that `filter` selects (ANDed
/// with the activity log and `since`), those `matches` keeps, newest first.
///
/// # Errors
/// The first call that fails past its retries, classified.
pub async fn events(
    endpoint: &str,
    token: &dyn TokenSource,
    project: &str,
    filter: &str,
    since: &str,
    matches: &dyn Fn(&Value) -> bool,
) -> Result<(Vec<TrailEvent>, bool), ProviderError> {
    let bearer = token.token().await?;
    let client = http::client();
    let url = format!("{}/v2/entries:list", endpoint.trim_end_matches('/'));
    let full = format!(
        "logName=\"projects/{project}/logs/cloudaudit.googleapis.com%2Factivity\" AND timestamp>=\"{since}\" AND ({filter})"
    );
    let mut out = Vec::new();
    let mut page: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut body = json!({"resourceNames": [format!("projects/{project}")], "filter": full,
                              "orderBy": "timestamp desc", "pageSize": 1000});
        if let Some(p) = &page {
            body["pageToken"] = json!(p);
        }
        let answer = http::call(
            "gcp-logging",
            "entries.list",
            || {
                Ok(client
                    .post(&url)
                    .bearer_auth(&bearer)
                    .header("content-type", "application/json")
                    .body(body.to_string()))
            },
            |a| {
                http::rest_json("gcp-logging", "entries.list", a, |v| {
                    match v.get("entries") {
                        None | Some(Value::Array(_)) if v.is_object() => Ok(()),
                        _ => Err("the answer's `entries` is not a list".into()),
                    }
                })
            },
        )
        .await?;
        for e in answer
            .get("entries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if matches(e)
                && let Some(t) = event(e)
            {
                out.push(t);
            }
        }
        match answer
            .get("nextPageToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        {
            Some(t) if page.as_deref() == Some(t) => {
                return Err(ProviderError::new(
                    ErrorKind::Malformed,
                    "gcp-logging",
                    "entries.list",
                    "nextPageToken repeats",
                ));
            }
            Some(t) => page = Some(t.to_owned()),
            None => {
                out.sort_by(|a, b| b.time.cmp(&a.time));
                return Ok((out, false));
            }
        }
    }
    // Cut at MAX_PAGES: the newest are in; say that older ones were not read.
    out.sort_by(|a, b| b.time.cmp(&a.time));
    Ok((out, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_is_told_by_its_user_agent() {
        let e = json!({"timestamp": "2026-11-30T10:00:00Z", "protoPayload": {
            "methodName": "v1.compute.firewalls.patch",
            "authenticationInfo": {"principalEmail": "bob@example.com"},
            "requestMetadata": {"callerIp": "198.51.100.4", "callerSuppliedUserAgent": "Mozilla/5.0 (X11; Linux x86_64),gzip(gfe)"}}});
        let t = event(&e).unwrap();
        assert!(t.console);
        assert_eq!(t.principal, "bob@example.com");
        let mut cli = e.clone();
        cli["protoPayload"]["requestMetadata"]["callerSuppliedUserAgent"] =
            json!("google-cloud-sdk gcloud/500.0.0 command/gcloud.compute.firewall-rules.update");
        assert!(!event(&cli).unwrap().console);
    }
}
