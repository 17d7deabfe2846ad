//! One object read from S3 (`GetObject`, SigV4-signed, path-style): a
//! Terraform state kept in an S3 backend. One call per state; no SDK crate
//! for it (aws-sdk-s3 would cost minutes of build for one GET).

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use driftgate_model::http::{self, Verdict};
use driftgate_model::{ErrorKind, ProviderError};
use std::time::SystemTime;

/// The only S3 action driftgate calls.
pub const ACTIONS: &[&str] = &["s3:GetObject"];

/// A key with each byte outside S3's unreserved set percent-encoded,
/// slashes kept (`env:/staging/app.tfstate` -> `env%3A/staging/app.tfstate`).
#[must_use]
pub fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The object's URL: path-style under `AWS_ENDPOINT_URL` when set, else the
/// bucket's virtual host in the config's region.
#[must_use]
pub fn object_url(config: &SdkConfig, bucket: &str, key: &str) -> String {
    let key = encode_key(key);
    match config.endpoint_url() {
        Some(e) => format!("{}/{bucket}/{key}", e.trim_end_matches('/')),
        None => {
            let region = config.region().map_or("us-east-1", |r| r.as_ref());
            format!("https://{bucket}.s3.{region}.amazonaws.com/{key}")
        }
    }
}

/// Reads one object whole.
///
/// # Errors
/// No credentials, an unreachable endpoint, an error answer (`NoSuchKey` is
/// `NotFound`, `AccessDenied` is `PermissionDenied`), past retries.
pub async fn get_object(
    config: &SdkConfig,
    bucket: &str,
    key: &str,
) -> Result<Vec<u8>, ProviderError> {
    let err = |kind, message: String| ProviderError::new(kind, "s3", "GetObject", message);
    let provider = config
        .credentials_provider()
        .ok_or_else(|| err(ErrorKind::Unauthenticated, "no credential provider".into()))?;
    let creds = provider.provide_credentials().await.map_err(|e| {
        err(
            ErrorKind::Unauthenticated,
            format!("could not load credentials: {e}"),
        )
    })?;
    let identity = creds.into();
    let region = config
        .region()
        .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
    let url = object_url(config, bucket, key);
    let host = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_default()
        .to_owned();
    let client = http::client();
    let request = || {
        // S3 signs the path as sent (encoded once, not normalized) and
        // wants the payload's hash in a header.
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&region)
            .name("s3")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| err(ErrorKind::Other, e.to_string()))?
            .into();
        let headers = [("host", host.as_str())];
        let signable = SignableRequest::new(
            "GET",
            &url,
            headers.iter().copied(),
            SignableBody::Bytes(&[]),
        )
        .map_err(|e| err(ErrorKind::Other, e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| err(ErrorKind::Other, e.to_string()))?
            .into_parts();
        let mut req = client.get(&url).header("host", host.as_str());
        for (k, v) in instructions.headers() {
            req = req.header(k, v);
        }
        Ok(req)
    };
    let judge = |answer: &http::Answer| {
        if answer.status == 200 {
            return Verdict::Done(answer.body.clone());
        }
        let text = answer.text();
        let (code, message) =
            s3_error(&text).unwrap_or_else(|| (format!("HTTP {}", answer.status), String::new()));
        let kind = match code.as_str() {
            "NoSuchKey" | "NoSuchBucket" => ErrorKind::NotFound,
            c => match crate::error::kind_of_code(c) {
                ErrorKind::Other => http::status_kind(answer.status),
                k => k,
            },
        };
        let e = err(
            kind,
            format!("s3://{bucket}/{key}: {code}: {message}")
                .trim_end_matches(": ")
                .to_owned(),
        );
        if kind == ErrorKind::Throttled || http::retryable_status(answer.status) {
            Verdict::Retry(e)
        } else {
            Verdict::Fail(e)
        }
    };
    http::call("s3", "GetObject", request, judge).await
}

/// The code and message of an S3 error answer (`<Error><Code>`).
fn s3_error(text: &str) -> Option<(String, String)> {
    let (root, v) = crate::ec2::xml::parse(text).ok()?;
    if root != "Error" {
        return None;
    }
    let field = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    Some((field("Code")?, field("Message").unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_encoded_once_with_slashes_kept() {
        assert_eq!(
            encode_key("env:/staging/app state.tfstate"),
            "env%3A/staging/app%20state.tfstate"
        );
    }
}
