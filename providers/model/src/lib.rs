//! The provider contract of driftgate.
//!
//! Providers (AWS, GCP, Azure) and declared files both produce the same
//! [`Resource`] values; the root crate normalizes, diffs and reports them. This
//! crate holds only that shared vocabulary, so a provider depends on nothing but
//! it and its cloud SDK.
//!
//! - [`kind`]: the resource kinds driftgate knows.
//! - [`cloud`]: the clouds, which every finding names.
//! - [`resource`]: a resource, its id, and the live snapshot file format.
//! - [`finding`]: the states a resource ends in and the field-level changes.
//! - [`provider`]: the [`Provider`] trait every cloud module implements.
//! - [`ids`]: the account prefix and region qualifier scopes add to ids.
//! - [`dns`]: DNS names and record ids, spelled one way everywhere.
//! - [`firewall`]: firewall rules, one per effective rule, and their ids.
//! - [`error`]: [`ProviderError`], shared across providers.
//! - `http` (feature `http`): the timeouts, retries and whole-answer checks
//!   every cloud client shares.
//! - `replay` (feature `replay`): a loopback HTTP server that providers'
//!   tests answer from recorded API responses.
//! - [`fake`]: an in-memory provider and the conformance checks every provider must pass.

pub mod cloud;
pub mod dns;
pub mod error;
pub mod fake;
pub mod finding;
pub mod firewall;
#[cfg(feature = "http")]
pub mod http;
pub mod ids;
pub mod kind;
pub mod provider;
#[cfg(feature = "replay")]
pub mod replay;
pub mod resource;

pub use cloud::Cloud;
pub use error::{ErrorKind, ProviderError};
pub use finding::{Blame, Change, Commit, Finding, Sides, State, Suggestion, Summary, TrailEvent};
pub use kind::Kind;
pub use provider::{Provider, ScanResult, Target, Unchecked};
pub use resource::{
    Resource, SNAPSHOT_SCHEMA_VERSION, Snapshot, now_rfc3339, parse_rfc3339, rfc3339,
};
