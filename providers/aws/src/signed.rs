//! Signed AWS requests without a service SDK: SigV4 by aws-sigv4 with the
//! credentials aws-config resolves, sent by reqwest, retried with backoff and
//! jitter. The EC2 Query API and CloudTrail's JSON API go through here; both
//! would otherwise cost a heavy SDK crate for one read call each.

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use driftgate_model::error::chain;
use driftgate_model::{ErrorKind, ProviderError};
use std::time::{Duration, SystemTime};

/// How many times a throttled or failing call is tried.
pub const ATTEMPTS: u32 = 5;

/// The code and message of an error answer, by the protocol's own format.
pub type ErrorOf = fn(&str) -> Option<(String, String)>;

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
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(30))
            .build()
            .expect("the HTTP client builds");
        SignedClient {
            config: config.clone(),
            http,
            endpoint,
            region,
            service,
        }
    }

    fn err(&self, kind: ErrorKind, operation: &str, message: impl Into<String>) -> ProviderError {
        ProviderError::new(kind, self.service, operation, message)
    }

    /// POSTs `body`, signed; returns the answer's body.
    ///
    /// # Errors
    /// No credentials, an unreachable endpoint, or an error answer past retries.
    pub async fn post(
        &self,
        operation: &str,
        content_type: &str,
        extra_headers: &[(&str, &str)],
        body: String,
        error_of: ErrorOf,
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
        let mut attempt = 0;
        loop {
            attempt += 1;
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
            let resp = req.send().await.map_err(|e| {
                let kind = if e.is_connect() || e.is_timeout() {
                    ErrorKind::Unreachable
                } else {
                    ErrorKind::Other
                };
                self.err(kind, operation, chain(&e))
            })?;
            let status = resp.status().as_u16();
            let text = resp
                .text()
                .await
                .map_err(|e| self.err(ErrorKind::Unreachable, operation, chain(&e)))?;
            if status == 200 {
                return Ok(text);
            }
            let (code, message) =
                error_of(&text).unwrap_or_else(|| (format!("HTTP {status}"), String::new()));
            let kind = crate::error::kind_of_code(&code);
            let retryable = kind == ErrorKind::Throttled || status >= 500;
            if retryable && attempt < ATTEMPTS {
                let base = 200u64 << attempt.min(5);
                let jitter = u64::from(
                    SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_nanos())
                        % 1000,
                );
                tokio::time::sleep(Duration::from_millis(base * (500 + jitter) / 1000)).await;
                continue;
            }
            return Err(self.err(kind, operation, format!("{code}: {message}")));
        }
    }
}
