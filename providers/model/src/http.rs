//! One HTTP policy for every cloud client driftgate speaks to without an SDK
//! (the signed EC2 and CloudTrail calls, Azure, GCP): the same timeouts, the
//! same retries, and the same rule that an answer counts only when it is whole.
//!
//! The numbers match what the AWS SDK clients are given (see
//! `driftgate_aws::client`): the SDK's *standard* retry mode, five attempts,
//! exponential backoff from 200 ms capped at 5 s with full jitter. Retried:
//! a dropped or refused connection, a timeout, HTTP 429 and 5xx, a throttling
//! error code, and a 200 whose body is cut short, empty or malformed.
//! `Retry-After` (seconds) is honoured, up to [`MAX_RETRY_AFTER`].

use crate::error::chain;
use crate::{ErrorKind, ProviderError};
use std::time::Duration;

/// How long a TCP (and TLS) connection may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one attempt of one call may take, answer body included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// How many times one call is tried in all.
pub const ATTEMPTS: u32 = 5;
/// The first backoff's upper bound; it doubles with each retry.
pub const BASE_BACKOFF: Duration = Duration::from_millis(200);
/// No backoff is longer than this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// The longest `Retry-After` honoured; a longer one is cut to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Makes ring the process's TLS crypto provider (reqwest, the Azure and
/// GCP credential clients use the process default). Idempotent; called
/// before any client is built.
pub fn tls() {
    // An error means a provider is installed already: that is the aim.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The HTTP client every non-SDK cloud call uses.
///
/// # Panics
/// Never in practice: the builder fails only without a TLS backend.
#[must_use]
pub fn client() -> reqwest::Client {
    tls();
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(ATTEMPT_TIMEOUT)
        .build()
        .expect("the HTTP client builds")
}

/// The wait before retry number `retry` (1 for the first retry): a uniformly
/// random time up to `min(MAX_BACKOFF, BASE_BACKOFF * 2^(retry-1))` ("full
/// jitter"), so that many clients throttled at once do not retry in step.
#[must_use]
pub fn backoff(retry: u32) -> Duration {
    let cap = BASE_BACKOFF
        .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=millis))
}

/// A `Retry-After` header's delay in seconds, capped at [`MAX_RETRY_AFTER`].
/// (The HTTP-date form is not used by the APIs driftgate calls; it falls back
/// to the computed backoff.)
#[must_use]
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let secs: u64 = v.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// An answer as it arrived: status, headers, whole body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text (lossy: a body that is not UTF-8 fails its
    /// format's check anyway).
    #[must_use]
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// What a call's judge makes of an answer.
#[derive(Debug)]
pub enum Verdict<T> {
    /// A whole, successful answer.
    Done(T),
    /// A transient fault: tried again while attempts remain, else this error.
    Retry(ProviderError),
    /// A final failure (denied, not found, a client error).
    Fail(ProviderError),
}

/// The class of failure an HTTP status stands for.
#[must_use]
pub fn status_kind(status: u16) -> ErrorKind {
    match status {
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::Throttled,
        _ => ErrorKind::Other,
    }
}

/// Whether an HTTP status is worth another attempt.
#[must_use]
pub fn retryable_status(status: u16) -> bool {
    status == 429 || status >= 500
}

/// A JSON document that must be whole: it parses completely, is an object,
/// and has each of `arrays` as an array. `Err` says what is wrong.
///
/// # Errors
/// The body is empty, cut short, not JSON, or lacks a required field.
pub fn whole_json(body: &[u8], arrays: &[&str]) -> Result<serde_json::Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the answer is empty (HTTP 200 with no body)".into());
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            format!(
                "the answer is cut short ({} bytes, JSON ends early)",
                body.len()
            )
        } else {
            format!("the answer is not valid JSON: {e}")
        }
    })?;
    if !value.is_object() {
        return Err("the answer is not a JSON object".into());
    }
    for key in arrays {
        if !value.get(*key).is_some_and(serde_json::Value::is_array) {
            return Err(format!("the answer has no `{key}` list"));
        }
    }
    Ok(value)
}

/// The verdict on an answer of a JSON REST API whose errors come as
/// `{"error": {"code", "message"}}` (Azure Resource Manager, Google APIs):
/// a 2xx must be a whole JSON object that `whole` accepts; 429 and 5xx are
/// retried; any other status is final, classified by [`status_kind`].
pub fn rest_json(
    service: &str,
    operation: &str,
    answer: &Answer,
    whole: impl Fn(&serde_json::Value) -> Result<(), String>,
) -> Verdict<serde_json::Value> {
    let err = |kind, message: String| ProviderError::new(kind, service, operation, message);
    if (200..300).contains(&answer.status) {
        return match whole_json(&answer.body, &[]).and_then(|v| whole(&v).map(|()| v)) {
            Ok(v) => Verdict::Done(v),
            Err(why) => Verdict::Retry(err(ErrorKind::Malformed, why)),
        };
    }
    let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
    let field = |name: &str| {
        body.pointer(&format!("/error/{name}"))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default()
    };
    let message = format!(
        "HTTP {} {}: {}",
        answer.status,
        field("code"),
        field("message")
    );
    let message = message.trim_end_matches([':', ' ']).replace("  ", " ");
    let e = err(status_kind(answer.status), message);
    if retryable_status(answer.status) {
        Verdict::Retry(e)
    } else {
        Verdict::Fail(e)
    }
}

/// Sends a request until it is answered whole, at most [`ATTEMPTS`] times.
///
/// `request` builds each attempt (a signed request is signed anew each
/// time); `judge` decides what an answer means. Transport failures (a
/// refused, reset or timed-out connection, a body cut off mid-transfer) are
/// retried like 5xx answers; the last one is returned as `Unreachable`.
///
/// # Errors
/// The last failure, once retries are spent or the failure is final.
pub async fn call<T>(
    service: &str,
    operation: &str,
    mut request: impl FnMut() -> Result<reqwest::RequestBuilder, ProviderError>,
    judge: impl Fn(&Answer) -> Verdict<T>,
) -> Result<T, ProviderError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (failure, wait) = match send(request()?).await {
            Ok(answer) => match judge(&answer) {
                Verdict::Done(v) => return Ok(v),
                Verdict::Fail(e) => return Err(e),
                Verdict::Retry(e) => (e, retry_after(&answer.headers)),
            },
            Err(e) => (
                ProviderError::new(ErrorKind::Unreachable, service, operation, e),
                None,
            ),
        };
        if attempt >= ATTEMPTS {
            let mut failure = failure;
            failure.message = format!("{} (after {attempt} attempts)", failure.message);
            return Err(failure);
        }
        tokio::time::sleep(wait.unwrap_or_else(|| backoff(attempt))).await;
    }
}

async fn send(req: reqwest::RequestBuilder) -> Result<Answer, String> {
    let resp = req.send().await.map_err(|e| describe(&e))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.map_err(|e| describe(&e))?.to_vec();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the connection broke while the answer was read"
    } else {
        "the request failed"
    };
    format!("{what}: {}", chain(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_grows() {
        for retry in 1..10 {
            let cap = BASE_BACKOFF * (1 << (retry - 1));
            for _ in 0..50 {
                let b = backoff(retry);
                assert!(b <= cap.min(MAX_BACKOFF), "retry {retry}: {b:?}");
            }
        }
        // Full jitter: not every wait is the same.
        let waits: std::collections::BTreeSet<_> = (0..20).map(|_| backoff(4)).collect();
        assert!(waits.len() > 1);
    }

    #[test]
    fn whole_json_refuses_empty_cut_and_shapeless_answers() {
        assert!(whole_json(b"", &["value"]).unwrap_err().contains("empty"));
        assert!(
            whole_json(b"  \n", &["value"])
                .unwrap_err()
                .contains("empty")
        );
        assert!(
            whole_json(br#"{"value": [{"a": 1}"#, &["value"])
                .unwrap_err()
                .contains("cut short")
        );
        assert!(
            whole_json(b"[]", &[])
                .unwrap_err()
                .contains("not a JSON object")
        );
        assert!(
            whole_json(br#"{"nextLink": null}"#, &["value"])
                .unwrap_err()
                .contains("no `value` list")
        );
        assert!(whole_json(br#"{"value": []}"#, &["value"]).is_ok());
    }

    #[test]
    fn retry_after_reads_seconds_and_caps_them() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after", "3600".parse().unwrap());
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }
}
