//! The Azure DNS REST calls: GET only.

use crate::TokenSource;
use driftgate_model::error::chain;
use driftgate_model::{ErrorKind, ProviderError};
use serde_json::Value;
use std::time::Duration;

/// The Azure DNS API version driftgate speaks.
pub const API_VERSION: &str = "2018-05-01";

/// How many times a throttled (429) or failing (5xx) call is tried.
pub const ATTEMPTS: u32 = 4;

/// Pages a record set listing, following `nextLink` until it is absent.
///
/// # Errors
/// The first call that fails past its retries, classified.
pub async fn list(
    http: &reqwest::Client,
    token: &dyn TokenSource,
    first: &str,
) -> Result<Vec<Value>, ProviderError> {
    let mut out = Vec::new();
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        if pages > 10_000 {
            return Err(err(ErrorKind::Unsupported, "nextLink never ends".into()));
        }
        let page = get(http, token, &url).await?;
        if let Some(items) = page.get("value").and_then(Value::as_array) {
            out.extend(items.iter().cloned());
        }
        next = page
            .get("nextLink")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
    }
    Ok(out)
}

fn err(kind: ErrorKind, message: String) -> ProviderError {
    ProviderError::new(kind, "azure-dns", "RecordSets_ListByDnsZone", message)
}

async fn get(
    http: &reqwest::Client,
    token: &dyn TokenSource,
    url: &str,
) -> Result<Value, ProviderError> {
    let bearer = token.token().await?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let resp = http
            .get(url)
            .bearer_auth(&bearer)
            .send()
            .await
            .map_err(|e| {
                let kind = if e.is_timeout() || e.is_connect() {
                    ErrorKind::Unreachable
                } else {
                    ErrorKind::Other
                };
                err(kind, chain(&e))
            })?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let body = resp
            .bytes()
            .await
            .map_err(|e| err(ErrorKind::Unreachable, chain(&e)))?;
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            if json.is_null() {
                return Err(err(
                    ErrorKind::Unsupported,
                    "the response is not JSON".into(),
                ));
            }
            return Ok(json);
        }
        let code = json
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let message = json
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let kind = match status {
            401 => ErrorKind::Unauthenticated,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::Throttled,
            _ => ErrorKind::Other,
        };
        let retryable = status == 429 || status >= 500;
        if retryable && attempt < ATTEMPTS {
            let backoff = retry_after.map_or_else(|| backoff(attempt), Duration::from_secs);
            tokio::time::sleep(backoff.min(Duration::from_secs(30))).await;
            continue;
        }
        return Err(err(
            kind,
            format!("HTTP {status} {code}: {message}")
                .trim_end_matches(": ")
                .to_owned(),
        ));
    }
}

/// Exponential backoff with jitter: 200 ms, 400 ms, 800 ms ... times 0.5-1.5.
fn backoff(attempt: u32) -> Duration {
    let base = 200u64 << attempt.min(6);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = 500 + u64::from(nanos % 1000);
    Duration::from_millis(base * jitter / 1000)
}
