//! The Cloud DNS v1 REST calls: GET only, paged by `nextPageToken`.

use crate::TokenSource;
use driftgate_model::http;
use driftgate_model::{ErrorKind, ProviderError};
use serde_json::Value;

/// The read-only Cloud DNS scope.
pub const DNS_SCOPE: &str = "https://www.googleapis.com/auth/ndev.clouddns.readonly";

/// The permissions driftgate uses on Cloud DNS.
pub const PERMISSIONS: &[&str] = &["dns.managedZones.list", "dns.resourceRecordSets.list"];

const SERVICE: &str = "gcp-dns";

fn encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// Every item of a paged list: `url` with `query`, `items` the list's key,
/// `kind` the answer's documented kind (an answer of another kind, or whose
/// list is not a list, is not whole). A list left out is empty (Google APIs
/// leave out empty lists).
///
/// # Errors
/// The first call that fails past its retries, classified; a page token
/// that repeats.
pub async fn list(
    http: &reqwest::Client,
    token: &dyn TokenSource,
    operation: &'static str,
    url: &str,
    query: &[(&str, String)],
    items: &'static str,
    kind: &'static str,
) -> Result<Vec<Value>, ProviderError> {
    let bearer = token.token().await?;
    let mut out = Vec::new();
    let mut page: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let mut full = url.to_owned();
        let mut q: Vec<(&str, String)> = query.to_vec();
        if let Some(p) = &page {
            q.push(("pageToken", p.clone()));
        }
        for (i, (k, v)) in q.iter().enumerate() {
            full.push(if i == 0 { '?' } else { '&' });
            full.push_str(k);
            full.push('=');
            full.push_str(&encode(v));
        }
        let whole = |v: &Value| -> Result<(), String> {
            if v.get("kind").and_then(Value::as_str) != Some(kind) {
                return Err(format!("the answer is not a `{kind}`"));
            }
            match v.get(items) {
                None | Some(Value::Array(_)) => Ok(()),
                Some(_) => Err(format!("the answer's `{items}` is not a list")),
            }
        };
        let body = http::call(
            SERVICE,
            operation,
            || Ok(http.get(&full).bearer_auth(&bearer)),
            |answer| http::rest_json(SERVICE, operation, answer, whole),
        )
        .await?;
        if let Some(list) = body.get(items).and_then(Value::as_array) {
            out.extend(list.iter().cloned());
        }
        match body
            .get("nextPageToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        {
            Some(t) if !seen.insert(t.to_owned()) => {
                return Err(ProviderError::new(
                    ErrorKind::Malformed,
                    SERVICE,
                    operation,
                    format!("nextPageToken `{t}` repeats"),
                ));
            }
            Some(t) => page = Some(t.to_owned()),
            None => return Ok(out),
        }
    }
}
