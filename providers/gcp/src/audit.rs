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

    #[tokio::test]
    async fn entries_are_paged_and_errors_classified() {
        use crate::StaticToken;
        use driftgate_model::replay::{Request, serve};
        let (url, log) = serve(|req: &Request| {
            if req.header("authorization") != Some("Bearer good") {
                return (
                    401,
                    "application/json",
                    r#"{"error": {"code": 401, "message": "bad", "status": "UNAUTHENTICATED"}}"#
                        .to_owned(),
                );
            }
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let filter = body["filter"].as_str().unwrap().to_owned();
            if filter.contains("denied") {
                return (
                    403,
                    "application/json",
                    r#"{"error": {"code": 403, "message": "no", "status": "PERMISSION_DENIED"}}"#
                        .to_owned(),
                );
            }
            if filter.contains("broken") {
                return (
                    200,
                    "application/json",
                    r#"{"entries": {"not": "a list"}}"#.to_owned(),
                );
            }
            let e = |ts: &str| {
                json!({"timestamp": ts, "protoPayload": {"methodName": "v1.compute.firewalls.patch",
                "authenticationInfo": {"principalEmail": "a@x"}, "requestMetadata": {}}})
            };
            if body.get("pageToken").is_none() {
                (
                    200,
                    "application/json",
                    json!({"entries": [e("2026-11-02T00:00:00Z")], "nextPageToken": "p2"})
                        .to_string(),
                )
            } else {
                (
                    200,
                    "application/json",
                    json!({"entries": [e("2026-11-03T00:00:00Z")]}).to_string(),
                )
            }
        })
        .await;
        let good = StaticToken("good".into());
        let (ev, cut) = events(&url, &good, "p", "x", "2026-11-01T00:00:00Z", &|_| true)
            .await
            .unwrap();
        assert!(!cut);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].time, "2026-11-03T00:00:00Z", "newest first");
        assert_eq!(log.lock().unwrap().len(), 2);
        let kind = |r: Result<(Vec<TrailEvent>, bool), ProviderError>| r.unwrap_err().kind;
        assert_eq!(
            kind(events(&url, &good, "p", "denied", "t", &|_| true).await),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            kind(events(&url, &good, "p", "broken", "t", &|_| true).await),
            ErrorKind::Malformed
        );
        assert_eq!(
            kind(events(&url, &StaticToken("bad".into()), "p", "x", "t", &|_| true).await),
            ErrorKind::Unauthenticated
        );
    }

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
