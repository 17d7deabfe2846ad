//! The Azure DNS REST calls: GET only.

use crate::TokenSource;
use driftgate_model::http;
use driftgate_model::{ErrorKind, ProviderError};
use serde_json::Value;

/// The Azure DNS API version driftgate speaks.
pub const API_VERSION: &str = "2018-05-01";

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

const SERVICE: &str = "azure-dns";
const OPERATION: &str = "RecordSets_ListByDnsZone";

fn err(kind: ErrorKind, message: String) -> ProviderError {
    ProviderError::new(kind, SERVICE, OPERATION, message)
}

async fn get(
    http: &reqwest::Client,
    token: &dyn TokenSource,
    url: &str,
) -> Result<Value, ProviderError> {
    let bearer = token.token().await?;
    http::call(
        SERVICE,
        OPERATION,
        || Ok(http.get(url).bearer_auth(&bearer)),
        |answer| http::rest_json(SERVICE, OPERATION, answer, whole_page),
    )
    .await
}

/// A record set page is whole: a `value` list (`nextLink` absent on the
/// last page), as the API documents even for an empty zone.
fn whole_page(v: &Value) -> Result<(), String> {
    if v.get("value").is_some_and(Value::is_array) {
        Ok(())
    } else {
        Err("the answer has no `value` list".into())
    }
}
