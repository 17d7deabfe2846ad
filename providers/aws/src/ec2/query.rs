//! The EC2 Query API, signed with SigV4 and the SDK's own credential chain.
//!
//! aws-sdk-ec2 would cost more build time than the rest of the workspace
//! together (see the README), for two read calls. This speaks the real EC2
//! wire protocol instead: a form-encoded POST, signed by aws-sigv4 with the
//! credentials aws-config resolves, answered in XML.

use crate::signed::SignedClient;
use aws_config::SdkConfig;
use driftgate_model::ProviderError;

/// The EC2 API version the Query protocol names.
pub const API_VERSION: &str = "2016-11-15";

/// A client for EC2 Query calls in one region.
#[derive(Debug, Clone)]
pub struct Ec2Query {
    client: SignedClient,
}

impl Ec2Query {
    #[must_use]
    pub fn new(config: &SdkConfig) -> Self {
        Ec2Query {
            client: SignedClient::new(config, "ec2"),
        }
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
        let mut body = form::Serializer::new();
        body.pair("Action", action);
        body.pair("Version", API_VERSION);
        for (k, v) in params {
            body.pair(k, v);
        }
        self.client
            .post(
                action,
                "application/x-www-form-urlencoded; charset=utf-8",
                &[],
                body.finish(),
                super::xml::error,
                crate::whole::ec2,
            )
            .await
    }
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
