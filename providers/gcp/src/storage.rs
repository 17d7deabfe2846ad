//! One object read from Cloud Storage (JSON API `objects.get` with
//! `alt=media`): a Terraform state kept in a GCS backend
//! (`<prefix>/<workspace>.tfstate`).

use crate::TokenSource;
use driftgate_model::http::{self, Verdict};
use driftgate_model::{ErrorKind, ProviderError};

/// Cloud Storage's endpoint.
pub const STORAGE_ENDPOINT: &str = "https://storage.googleapis.com";

/// The only permission driftgate uses on Cloud Storage.
pub const PERMISSIONS: &[&str] = &["storage.objects.get"];

/// An object name as one path segment: every byte but unreserved ones
/// percent-encoded (`/` too, as the JSON API wants).
#[must_use]
pub fn encode_object(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads one object whole.
///
/// # Errors
/// No token, an unreachable endpoint, an error answer (404 `NotFound`, 403
/// `PermissionDenied`, 401 `Unauthenticated`), past retries.
pub async fn download(
    endpoint: &str,
    token: &dyn TokenSource,
    bucket: &str,
    object: &str,
) -> Result<Vec<u8>, ProviderError> {
    let token = token.token().await?;
    let url = format!(
        "{}/storage/v1/b/{}/o/{}?alt=media",
        endpoint.trim_end_matches('/'),
        encode_object(bucket),
        encode_object(object)
    );
    let client = http::client();
    http::call(
        "gcp-storage",
        "objects.get",
        || Ok(client.get(&url).bearer_auth(&token)),
        |answer| {
            if answer.status == 200 {
                return Verdict::Done(answer.body.clone());
            }
            match http::rest_json("gcp-storage", "objects.get", answer, |_| Ok(())) {
                Verdict::Retry(mut e) => {
                    e.message = format!("gs://{bucket}/{object}: {}", e.message);
                    Verdict::Retry(e)
                }
                Verdict::Fail(mut e) => {
                    e.message = format!("gs://{bucket}/{object}: {}", e.message);
                    Verdict::Fail(e)
                }
                Verdict::Done(_) => Verdict::Fail(ProviderError::new(
                    ErrorKind::Malformed,
                    "gcp-storage",
                    "objects.get",
                    format!("gs://{bucket}/{object}: HTTP {}", answer.status),
                )),
            }
        },
    )
    .await
}
