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
        let body = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.append_pair("Action", action);
            form.append_pair("Version", API_VERSION);
            for (k, v) in params {
                form.append_pair(k, v);
            }
            form.finish()
        };
        self.client
            .post(
                action,
                "application/x-www-form-urlencoded; charset=utf-8",
                &[],
                body,
                super::xml::error,
                crate::whole::ec2,
            )
            .await
    }
}
