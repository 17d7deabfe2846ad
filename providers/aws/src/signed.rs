//! Signed AWS requests without a service SDK: SigV4 by aws-sigv4 with the
//! credentials aws-config resolves, sent by reqwest under the shared HTTP
//! policy ([`driftgate_model::http`]: timeouts, retries with full jitter,
//! whole answers). The EC2 Query API and CloudTrail's JSON API go through
//! here; both would otherwise cost a heavy SDK crate for one read call each.

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use driftgate_model::http::{self, Verdict};
use driftgate_model::{ErrorKind, ProviderError};
use std::time::SystemTime;

/// The code and message of an error answer, by the protocol's own format.
pub type ErrorOf = fn(&str) -> Option<(String, String)>;

/// Whether a success answer is whole (see [`crate::whole`]).
pub type WholeOf = fn(&str) -> Result<(), String>;

/// A client for one AWS service in one region.
#[derive(Debug, Clone)]
pub struct SignedClient {
    config: SdkConfig,
    http: reqwest::Client,
    endpoint: String,
    region: String,
    service: &'static str,
}

impl SignedClient {
    /// `service` is the signing name and endpoint prefix (`ec2`, `cloudtrail`).
    #[must_use]
    pub fn new(config: &SdkConfig, service: &'static str) -> Self {
        let region = config
            .region()
            .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
        let endpoint = config.endpoint_url().map_or_else(
            || format!("https://{service}.{region}.amazonaws.com/"),
            |u| format!("{}/", u.trim_end_matches('/')),
        );
        SignedClient {
            config: config.clone(),
            http: http::client(),
            endpoint,
            region,
            service,
        }
    }

    fn err(&self, kind: ErrorKind, operation: &str, message: impl Into<String>) -> ProviderError {
        ProviderError::new(kind, self.service, operation, message)
    }

    /// POSTs `body`, signed anew for each attempt; returns the answer's body
    /// once it is a whole success answer.
    ///
    /// # Errors
    /// No credentials, an unreachable endpoint, an error answer, or an
    /// answer that is not whole, past retries.
    pub async fn post(
        &self,
        operation: &str,
        content_type: &str,
        extra_headers: &[(&str, &str)],
        body: String,
        error_of: ErrorOf,
        whole: WholeOf,
    ) -> Result<String, ProviderError> {
        let provider = self.config.credentials_provider().ok_or_else(|| {
            self.err(
                ErrorKind::Unauthenticated,
                operation,
                "no credential provider",
            )
        })?;
        let creds = provider.provide_credentials().await.map_err(|e| {
            self.err(
                ErrorKind::Unauthenticated,
                operation,
                format!("could not load credentials: {e}"),
            )
        })?;
        let identity = creds.into();
        let host = self
            .endpoint
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_default()
            .to_owned();
        let request = || {
            let params = v4::SigningParams::builder()
                .identity(&identity)
                .region(&self.region)
                .name(self.service)
                .time(SystemTime::now())
                .settings(SigningSettings::default())
                .build()
                .map_err(|e| self.err(ErrorKind::Other, operation, e.to_string()))?
                .into();
            let mut headers: Vec<(&str, &str)> =
                vec![("content-type", content_type), ("host", host.as_str())];
            headers.extend_from_slice(extra_headers);
            let signable = SignableRequest::new(
                "POST",
                &self.endpoint,
                headers.iter().copied(),
                SignableBody::Bytes(body.as_bytes()),
            )
            .map_err(|e| self.err(ErrorKind::Other, operation, e.to_string()))?;
            let (instructions, _) = sign(signable, &params)
                .map_err(|e| self.err(ErrorKind::Other, operation, e.to_string()))?
                .into_parts();
            let mut req = self.http.post(&self.endpoint).body(body.clone());
            for (k, v) in &headers {
                req = req.header(*k, *v);
            }
            for (k, v) in instructions.headers() {
                req = req.header(k, v);
            }
            Ok(req)
        };
        let judge = |answer: &http::Answer| {
            let text = answer.text();
            if answer.status == 200 {
                return match whole(&text) {
                    Ok(()) => Verdict::Done(text.into_owned()),
                    Err(why) => Verdict::Retry(self.err(ErrorKind::Malformed, operation, why)),
                };
            }
            let (code, message) = error_of(&text)
                .unwrap_or_else(|| (format!("HTTP {}", answer.status), String::new()));
            let kind = match crate::error::kind_of_code(&code) {
                ErrorKind::Other => http::status_kind(answer.status),
                k => k,
            };
            let e = self.err(
                kind,
                operation,
                format!("{code}: {message}")
                    .trim_end_matches(": ")
                    .to_owned(),
            );
            if kind == ErrorKind::Throttled || http::retryable_status(answer.status) {
                Verdict::Retry(e)
            } else {
                Verdict::Fail(e)
            }
        };
        http::call(self.service, operation, request, judge).await
    }
}
