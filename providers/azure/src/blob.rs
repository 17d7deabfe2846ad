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
    #[test]
    fn error_codes_are_read() {
        assert_eq!(
            super::code_of("<?xml version=\"1.0\"?><Error><Code>BlobNotFound</Code><Message>x</Message></Error>").as_deref(),
            Some("BlobNotFound")
        );
    }
}
