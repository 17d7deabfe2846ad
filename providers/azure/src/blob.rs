//! One blob read from Azure Storage (`Get Blob`, Microsoft Entra token): a
//! Terraform state kept in an `azurerm` backend
//! (`<key>` in the default workspace, `<key>env:<workspace>` in others).

use crate::TokenSource;
use driftgate_model::http::{self, Verdict};
use driftgate_model::{ErrorKind, ProviderError};

/// The storage REST version sent (OAuth needs 2017-11-09 or later).
pub const VERSION: &str = "2021-08-06";

/// The only data action driftgate uses on Azure Storage.
pub const ACTIONS: &[&str] =
    &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"];

/// The blob service endpoint of an account.
#[must_use]
pub fn account_endpoint(account: &str) -> String {
    format!("https://{account}.blob.core.windows.net")
}

fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The code of a storage error answer (`<Error><Code>BlobNotFound</Code>`).
fn code_of(text: &str) -> Option<String> {
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")? + start;
    Some(text[start..end].to_owned())
}

/// Reads one blob whole from `endpoint` (the account's blob endpoint).
///
/// # Errors
/// No token, an unreachable endpoint, an error answer (404 `NotFound`, 403
/// `PermissionDenied`, 401 `Unauthenticated`), past retries.
pub async fn get_blob(
    endpoint: &str,
    token: &dyn TokenSource,
    container: &str,
    blob: &str,
) -> Result<Vec<u8>, ProviderError> {
    let token = token.token().await?;
    let url = format!(
        "{}/{}/{}",
        endpoint.trim_end_matches('/'),
        encode(container),
        encode(blob)
    );
    let client = http::client();
    http::call(
        "azure-storage",
        "GetBlob",
        || {
            Ok(client
                .get(&url)
                .bearer_auth(&token)
                .header("x-ms-version", VERSION))
        },
        |answer| {
            if answer.status == 200 {
                return Verdict::Done(answer.body.clone());
            }
            let code = code_of(&answer.text()).unwrap_or_default();
            let e = ProviderError::new(
                match code.as_str() {
                    "BlobNotFound" | "ContainerNotFound" => ErrorKind::NotFound,
                    _ => http::status_kind(answer.status),
                },
                "azure-storage",
                "GetBlob",
                format!("{container}/{blob}: HTTP {} {code}", answer.status)
                    .trim_end()
                    .to_owned(),
            );
            if http::retryable_status(answer.status) {
                Verdict::Retry(e)
            } else {
                Verdict::Fail(e)
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::get_blob;
    use crate::StaticToken;
    use driftgate_model::ErrorKind;
    use driftgate_model::replay::{Request, serve};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn error(code: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>m</Message></Error>"
        )
    }

    #[tokio::test]
    async fn a_blob_is_read_with_its_token_and_errors_are_classified() {
        let throttled = Arc::new(AtomicUsize::new(0));
        let t = throttled.clone();
        let (url, log) = serve(move |req: &Request| {
            if req.header("authorization") != Some("Bearer good") {
                return (401, "application/xml", error("InvalidAuthenticationInfo"));
            }
            assert_eq!(req.header("x-ms-version"), Some(super::VERSION));
            match req.target.as_str() {
                "/tfstate/prod.tfstate" => (200, "application/octet-stream", "{}".to_owned()),
                "/tfstate/busy.tfstate" if t.fetch_add(1, Ordering::SeqCst) == 0 => {
                    (503, "application/xml", error("ServerBusy"))
                }
                "/tfstate/busy.tfstate" => {
                    (200, "application/octet-stream", "{\"v\": 1}".to_owned())
                }
                "/denied/prod.tfstate" => (
                    403,
                    "application/xml",
                    error("AuthorizationPermissionMismatch"),
                ),
                _ => (404, "application/xml", error("BlobNotFound")),
            }
        })
        .await;
        let good = StaticToken("good".into());
        assert_eq!(
            get_blob(&url, &good, "tfstate", "prod.tfstate")
                .await
                .unwrap(),
            b"{}"
        );
        assert_eq!(
            get_blob(&url, &good, "tfstate", "busy.tfstate")
                .await
                .unwrap(),
            b"{\"v\": 1}",
            "a busy server is retried"
        );
        let kind = |r: Result<Vec<u8>, driftgate_model::ProviderError>| r.unwrap_err().kind;
        assert_eq!(
            kind(get_blob(&url, &good, "denied", "prod.tfstate").await),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            kind(get_blob(&url, &good, "tfstate", "gone.tfstate").await),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(get_blob(&url, &StaticToken("bad".into()), "tfstate", "prod.tfstate").await),
            ErrorKind::Unauthenticated
        );
        assert_eq!(log.lock().unwrap().len(), 6);
    }

    #[test]
    fn error_codes_are_read() {
        assert_eq!(
            super::code_of("<?xml version=\"1.0\"?><Error><Code>BlobNotFound</Code><Message>x</Message></Error>").as_deref(),
            Some("BlobNotFound")
        );
    }
}
