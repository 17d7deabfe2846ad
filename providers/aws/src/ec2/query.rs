//! The EC2 Query API, signed with SigV4 and the SDK's own credential chain.
//!
//! aws-sdk-ec2 would cost more build time than the rest of the workspace
//! together (see the README), for two read calls. This speaks the real EC2
//! wire protocol instead: a form-encoded POST, signed by aws-sigv4 with the
//! credentials aws-config resolves, answered in XML.

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use driftgate_model::{ErrorKind, ProviderError};
use std::time::{Duration, SystemTime};

/// The EC2 API version the Query protocol names.
pub const API_VERSION: &str = "2016-11-15";

/// How many times a throttled or failing call is tried.
pub const ATTEMPTS: u32 = 5;

/// A client for EC2 Query calls in one region.
#[derive(Debug, Clone)]
pub struct Ec2Query {
    config: SdkConfig,
    http: reqwest::Client,
    endpoint: String,
    region: String,
}

impl Ec2Query {
    #[must_use]
    pub fn new(config: &SdkConfig) -> Self {
        let region = config
            .region()
            .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
        let endpoint = config.endpoint_url().map_or_else(
            || format!("https://ec2.{region}.amazonaws.com/"),
            |u| format!("{}/", u.trim_end_matches('/')),
        );
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(30))
            .build()
            .expect("the HTTP client builds");
        Ec2Query {
            config: config.clone(),
            http,
            endpoint,
            region,
        }
    }

    fn err(kind: ErrorKind, action: &str, message: impl Into<String>) -> ProviderError {
        ProviderError::new(kind, "ec2", action, message)
    }

    /// Calls `action` with `params`; returns the XML body of the answer.
    ///
    /// # Errors
    /// No credentials, an unreachable endpoint, or an error answer past retries.
    pub async fn call(
        &self,
        action: &str,
        params: &[(String, String)],
    ) -> Result<String, ProviderError> {
        let provider = self.config.credentials_provider().ok_or_else(|| {
            Self::err(ErrorKind::Unauthenticated, action, "no credential provider")
        })?;
        let creds = provider.provide_credentials().await.map_err(|e| {
            Self::err(
                ErrorKind::Unauthenticated,
                action,
                format!("could not load credentials: {e}"),
            )
        })?;
        let identity = creds.into();
        let mut body = form::Serializer::new();
        body.pair("Action", action);
        body.pair("Version", API_VERSION);
        for (k, v) in params {
            body.pair(k, v);
        }
        let body = body.finish();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let params = v4::SigningParams::builder()
                .identity(&identity)
                .region(&self.region)
                .name("ec2")
                .time(SystemTime::now())
                .settings(SigningSettings::default())
                .build()
                .map_err(|e| Self::err(ErrorKind::Other, action, e.to_string()))?
                .into();
            let host = self
                .endpoint
                .split("://")
                .nth(1)
                .and_then(|r| r.split('/').next())
                .unwrap_or_default()
                .to_owned();
            let headers = [
                (
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
                ("host", host.as_str()),
            ];
            let signable = SignableRequest::new(
                "POST",
                &self.endpoint,
                headers.iter().copied(),
                SignableBody::Bytes(body.as_bytes()),
            )
            .map_err(|e| Self::err(ErrorKind::Other, action, e.to_string()))?;
            let (instructions, _) = sign(signable, &params)
                .map_err(|e| Self::err(ErrorKind::Other, action, e.to_string()))?
                .into_parts();
            let mut req = self.http.post(&self.endpoint).body(body.clone());
            for (k, v) in headers {
                req = req.header(k, v);
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
                Self::err(kind, action, chain(&e))
            })?;
            let status = resp.status().as_u16();
            let text = resp
                .text()
                .await
                .map_err(|e| Self::err(ErrorKind::Unreachable, action, chain(&e)))?;
            if status == 200 {
                return Ok(text);
            }
            let (code, message) = super::xml::error(&text)
                .unwrap_or_else(|| (format!("HTTP {status}"), String::new()));
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
            return Err(Self::err(kind, action, format!("{code}: {message}")));
        }
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// `application/x-www-form-urlencoded` without a dependency for it.
mod form {
    pub(super) struct Serializer(String);

    impl Serializer {
        pub(super) fn new() -> Self {
            Serializer(String::new())
        }

        pub(super) fn pair(&mut self, k: &str, v: &str) {
            if !self.0.is_empty() {
                self.0.push('&');
            }
            encode(k, &mut self.0);
            self.0.push('=');
            encode(v, &mut self.0);
        }

        pub(super) fn finish(self) -> String {
            self.0
        }
    }

    fn encode(s: &str, out: &mut String) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(char::from(b))
                }
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
}
