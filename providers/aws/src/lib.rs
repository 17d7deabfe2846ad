//! driftgate's AWS provider.
//!
//! - [`config`]: the `[scope.aws]` section of driftgate.toml: its keys, their
//!   validation, and the targets (regions, clusters, zones, VPCs) it names.
//! - [`client`]: the one place SDK configuration is built (credential chain,
//!   region, profile, `AWS_ENDPOINT_URL`, timeouts, retries).
//! - [`cloudtrail`]: who changed a resource (`check --blame`).
//! - [`ecs`]: ECS services and the task definitions they run.
//! - [`ec2`]: security groups through the EC2 Query API (SigV4-signed).
//! - [`signed`]: SigV4-signed requests for the APIs called without an SDK.
//! - [`route53`]: Route53 hosted zones' record sets.
//! - [`pace`]: requests paced at AWS's documented rate limits, per account.
//! - [`whole`]: the check that an answer is whole before it counts.
//! - [`error`]: SDK failures mapped into [`driftgate_model::ProviderError`].
//! - [`raw`]: an interceptor that keeps the JSON body each read call returned,
//!   so a resource's spec carries every field the API returned, in the API's
//!   own field names.

pub mod client;
pub mod cloudtrail;
pub mod config;
pub mod ec2;
pub mod ecs;
pub mod error;
pub mod pace;
pub mod raw;
pub mod route53;
pub mod s3;
pub mod signed;
pub mod sts;
pub mod whole;

pub use aws_config::SdkConfig;
pub use client::{AwsTarget, sdk_config};

/// Every AWS action driftgate calls, all read-only.
#[must_use]
pub fn actions() -> Vec<&'static str> {
    [
        ecs::api::ACTIONS,
        route53::api::ACTIONS,
        ec2::ACTIONS,
        cloudtrail::ACTIONS,
    ]
    .concat()
}
pub use ec2::SecurityGroupProvider;
pub use ecs::EcsProvider;
pub use route53::Route53Provider;
