//! Builds the shared SDK configuration once per target.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use driftgate_model::http;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// One AWS account and region to scan, as the config names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsTarget {
    pub region: Option<String>,
    pub profile: Option<String>,
    /// A role assumed with the chain's (or the profile's) credentials.
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
}

/// The longest one SDK call may take, its retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// The session name driftgate's assumed-role sessions carry: CloudTrail
/// shows it beside every call driftgate makes.
pub const SESSION_NAME: &str = "driftgate";

/// The ECS client driftgate reads with: the shared configuration, and
/// [`WholeAnswer`](crate::whole::WholeAnswer) so a cut-short answer is retried, never counted.
#[must_use]
pub fn ecs(config: &SdkConfig) -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::from_conf(
        aws_sdk_ecs::config::Builder::from(config)
            .interceptor(crate::whole::WholeAnswer)
            .build(),
    )
}

/// The Route53 client driftgate reads with (see [`ecs`]).
#[must_use]
pub fn route53(config: &SdkConfig) -> aws_sdk_route53::Client {
    aws_sdk_route53::Client::from_conf(
        aws_sdk_route53::config::Builder::from(config)
            .interceptor(crate::whole::WholeAnswer)
            .build(),
    )
}

/// The HTTPS client every SDK call goes through: the SDK's own hyper client
/// with rustls on ring (the crypto library the rest of the tree uses).
#[must_use]
pub fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// The SDK configuration for a target: the standard credential chain
/// (environment, profiles, SSO, IMDS), the region, `AWS_ENDPOINT_URL` (read by
/// aws-config itself), and bounded time: an unreachable endpoint fails within
/// seconds. Retries are the SDK's *standard* mode with the numbers every other
/// client of driftgate uses ([`driftgate_model::http`]): five attempts,
/// exponential backoff from 200 ms capped at 5 s, full jitter; throttling,
/// 5xx, timeouts, dropped connections and answers that are not whole are retried.
pub async fn sdk_config(target: &AwsTarget) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(http::CONNECT_TIMEOUT)
                .read_timeout(http::ATTEMPT_TIMEOUT)
                .operation_attempt_timeout(http::ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(http::ATTEMPTS)
                .with_initial_backoff(http::BASE_BACKOFF)
                .with_max_backoff(http::MAX_BACKOFF),
        );
    if let Some(region) = &target.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    let base = loader.load().await;
    let Some(role) = &target.role_arn else {
        return base;
    };
    // The role is assumed lazily, on the first call, through STS at the same
    // endpoint (AWS_ENDPOINT_URL included); credentials are cached and
    // refreshed by the SDK. A failure surfaces as that call's error.
    let mut assume = aws_config::sts::AssumeRoleProvider::builder(role.clone())
        .session_name(SESSION_NAME)
        .configure(&base);
    if let Some(id) = &target.external_id {
        assume = assume.external_id(id.clone());
    }
    let provider = Cached {
        inner: assume.build().await,
        held: Arc::new(Mutex::new(None)),
    };
    base.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

/// Keeps assumed-role credentials until shortly before they expire. The
/// SDK clients cache identities themselves; the signed (EC2, CloudTrail)
/// requests ask the provider on every call, and without this each would
/// cost an AssumeRole.
#[derive(Debug)]
struct Cached {
    inner: aws_config::sts::AssumeRoleProvider,
    held: Arc<Mutex<Option<Credentials>>>,
}

impl ProvideCredentials for Cached {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let mut held = self.held.lock().await;
            if let Some(c) = held.as_ref() {
                let fresh = c
                    .expiry()
                    .is_none_or(|e| e > SystemTime::now() + Duration::from_secs(300));
                if fresh {
                    return Ok(c.clone());
                }
            }
            let c = self.inner.provide_credentials().await?;
            *held = Some(c.clone());
            Ok(c)
        })
    }
}
