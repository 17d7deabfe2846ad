//! Who changed a resource on Azure: the Azure Monitor Activity Log's
//! management events (`Activity Logs - List`, api-version 2015-04-01),
//! filtered by the resource's URI and time, paged by `nextLink`.

use crate::TokenSource;
use driftgate_model::{ProviderError, TrailEvent};
use serde_json::Value;

/// The Activity Log API version.
pub const API_VERSION: &str = "2015-04-01";

/// The Azure portal's application id: an event whose token it issued came
/// through the portal.
pub const PORTAL_APP_ID: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";

/// The one action driftgate calls on the Activity Log.
pub const ACTIONS: &[&str] = &["Microsoft.Insights/eventtypes/values/read"];

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One Activity Log event as a write event, if it is a finished write
/// (`.../write`, `.../delete` or `.../action`, status Succeeded).
#[must_use]
pub fn event(e: &Value) -> Option<TrailEvent> {
    let text = |p: &str| e.pointer(p).and_then(Value::as_str);
    let call = text("/operationName/value")?;
    let lower = call.to_lowercase();
    if !(lower.ends_with("/write") || lower.ends_with("/delete") || lower.ends_with("/action")) {
        return None;
    }
    if !text("/status/value").is_some_and(|s| s.eq_ignore_ascii_case("Succeeded")) {
        return None;
    }
    Some(TrailEvent {
        time: text("/eventTimestamp")?.to_owned(),
        principal: text("/caller").unwrap_or("unknown").to_owned(),
        call: call.to_owned(),
        console: text("/claims/appid").is_some_and(|a| a.eq_ignore_ascii_case(PORTAL_APP_ID)),
        source_ip: text("/httpRequest/clientIpAddress").map(str::to_owned),
    })
}

/// The finished writes to `resource_uri` between `since` and `until`
/// (RFC 3339), newest first.
///
/// # Errors
/// The first call that fails past its retries, classified.
pub async fn events(
    endpoint: &str,
    token: &dyn TokenSource,
    subscription: &str,
    resource_uri: &str,
    since: &str,
    until: &str,
) -> Result<Vec<TrailEvent>, ProviderError> {
    let filter = format!(
        "eventTimestamp ge '{since}' and eventTimestamp le '{until}' and resourceUri eq '{resource_uri}'"
    );
    let url = format!(
        "{}/subscriptions/{subscription}/providers/Microsoft.Insights/eventtypes/management/values?api-version={API_VERSION}&$filter={}",
        endpoint.trim_end_matches('/'),
        encode(&filter)
    );
    let http = driftgate_model::http::client();
    let all = crate::arm::list(&http, token, "azure-monitor", "ActivityLogs_List", &url).await?;
    let mut out: Vec<TrailEvent> = all.iter().filter_map(event).collect();
    out.sort_by(|a, b| b.time.cmp(&a.time));
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn the_log_is_asked_by_uri_and_its_errors_classified() {
        use crate::StaticToken;
        use driftgate_model::ErrorKind;
        use driftgate_model::replay::{Request, serve};
        use std::sync::atomic::{AtomicUsize, Ordering};
        let throttled = std::sync::Arc::new(AtomicUsize::new(0));
        let t = throttled.clone();
        let (url, _) = serve(move |req: &Request| {
            if req.header("authorization") != Some("Bearer good") {
                return (401, "application/json", r#"{"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}"#.to_owned());
            }
            let filter = req.query("$filter").unwrap_or_default();
            assert!(filter.starts_with("eventTimestamp ge '2026-09-01T00:00:00Z' and eventTimestamp le '2026-12-01T00:00:00Z' and resourceUri eq '/r/"), "{filter}");
            match filter.rsplit('/').next().unwrap() {
                "denied'" => (403, "application/json", r#"{"error": {"code": "AuthorizationFailed", "message": "no"}}"#.to_owned()),
                "broken'" => (200, "application/json", r#"{"values": []}"#.to_owned()),
                "busy'" if t.fetch_add(1, Ordering::SeqCst) == 0 => (429, "application/json", r#"{"error": {"code": "TooManyRequests", "message": "slow down"}}"#.to_owned()),
                _ => (200, "application/json", r#"{"value": []}"#.to_owned()),
            }
        })
        .await;
        let ask = |token: &'static str, uri: &'static str| {
            let url = url.clone();
            async move {
                events(
                    &url,
                    &StaticToken(token.into()),
                    "s",
                    uri,
                    "2026-09-01T00:00:00Z",
                    "2026-12-01T00:00:00Z",
                )
                .await
            }
        };
        assert!(
            ask("good", "/r/busy").await.unwrap().is_empty(),
            "a throttled ask is waited out"
        );
        assert_eq!(
            ask("good", "/r/denied").await.unwrap_err().kind,
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            ask("bad", "/r/x").await.unwrap_err().kind,
            ErrorKind::Unauthenticated
        );
        assert_eq!(
            ask("good", "/r/broken").await.unwrap_err().kind,
            ErrorKind::Malformed
        );
    }

    #[test]
    fn only_finished_writes_count_and_the_portal_is_known() {
        let e = json!({"caller": "alice@contoso.com", "eventTimestamp": "2026-11-30T10:00:00.123Z",
            "operationName": {"value": "Microsoft.Network/networkSecurityGroups/securityRules/write"},
            "status": {"value": "Succeeded"}, "claims": {"appid": PORTAL_APP_ID},
            "httpRequest": {"clientIpAddress": "203.0.113.9"}});
        let t = event(&e).unwrap();
        assert!(t.console);
        assert_eq!(t.principal, "alice@contoso.com");
        assert_eq!(t.source_ip.as_deref(), Some("203.0.113.9"));
        let mut started = e.clone();
        started["status"]["value"] = json!("Started");
        assert!(event(&started).is_none());
        let mut read = e.clone();
        read["operationName"]["value"] = json!("Microsoft.Network/networkSecurityGroups/read");
        assert!(event(&read).is_none());
    }
}
