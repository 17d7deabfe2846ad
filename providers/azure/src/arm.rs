//! Azure Resource Manager list calls, shared by every service: GET only,
//! pages followed by `nextLink`, retried on 429 and 5xx with the server's
//! `Retry-After` or backoff with jitter, each page whole or a fault.

use crate::TokenSource;
use driftgate_model::http;
use driftgate_model::{ErrorKind, ProviderError};
use serde_json::Value;

/// Every item of a `value`-paged list, following `nextLink` until it is
/// absent.
///
/// # Errors
/// The first call that fails past its retries, classified; a list that
/// never ends.
pub async fn list(
    http: &reqwest::Client,
    token: &dyn TokenSource,
    service: &'static str,
    operation: &'static str,
    first: &str,
) -> Result<Vec<Value>, ProviderError> {
    let mut out = Vec::new();
    list_pages(http, token, service, operation, first, |items| {
        out.extend(items);
    })
    .await?;
    Ok(out)
}

/// [`list`], each page's items handed to `page` as the page arrives (never
/// all held at once), in order; a failure after some pages still fails
/// the whole list.
///
/// # Errors
/// As [`list`].
pub async fn list_pages(
    http: &reqwest::Client,
    token: &dyn TokenSource,
    service: &'static str,
    operation: &'static str,
    first: &str,
    mut page: impl FnMut(Vec<Value>),
) -> Result<(), ProviderError> {
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        if pages > 10_000 {
            return Err(ProviderError::new(
                ErrorKind::Unsupported,
                service,
                operation,
                "nextLink never ends",
            ));
        }
        let bearer = token.token().await?;
        let mut answer = http::call(
            service,
            operation,
            || Ok(http.get(&url).bearer_auth(&bearer)),
            |answer| http::rest_json(service, operation, answer, whole_page),
        )
        .await?;
        next = answer
            .get("nextLink")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if let Some(Value::Array(items)) = answer.get_mut("value").map(Value::take) {
            page(items);
        }
    }
    Ok(())
}

/// A list page is whole: a `value` list (`nextLink` absent on the last
/// page), as the API documents even for an empty list.
fn whole_page(v: &Value) -> Result<(), String> {
    if v.get("value").is_some_and(Value::is_array) {
        Ok(())
    } else {
        Err("the answer has no `value` list".into())
    }
}
