//! One file per cloud: how a scope's `[scope.<cloud>]` section becomes
//! targets (for ids, `--shard` and each finding's cloud) and scan tasks.
//! The stages ask [`CLOUDS`]; none of them names a cloud.
//!
//! - [`aws`]: ECS, Route53 and security groups, per region of the scope.
//! - [`gcp`]: VPC firewall rules, per project.
//! - [`azure`]: Azure DNS, per subscription.

pub mod aws;
pub mod azure;
pub mod gcp;

use crate::config::Scope;
use driftgate_model::provider::Pages;
use driftgate_model::{Cloud, Kind, ScanResult};
use std::future::Future;
use std::pin::Pin;

/// One part of a scan (one provider of one target): its result counts the
/// moment it finishes, whatever happens to the other parts.
pub type Part = Pin<Box<dyn Future<Output = ScanResult> + Send>>;

/// What a cloud brings to the shared stages.
pub trait CloudWiring: Sync {
    /// The cloud.
    fn cloud(&self) -> Cloud;

    /// The targets the scope names on this cloud: `(kind, the target part
    /// of ids)`, prefixed and qualified as the scan's ids are.
    fn targets(&self, scope: &Scope) -> Vec<(Kind, String)>;

    /// Keeps only the targets `keep` accepts (`--shard`).
    fn retain(&self, scope: &mut Scope, keep: &dyn Fn(Kind, &str) -> bool);

    /// The scan of a scope, grouped: the parts of one group (a region, a
    /// project, a subscription) run together under one `[scan] concurrency`
    /// permit. With `pages`, providers that can hand over what they read
    /// as they read it do (ids already as the part's result names them).
    fn scan(&self, scope: &Scope, pages: Option<&Pages>) -> Vec<Vec<Part>>;
}

/// Every cloud driftgate reads.
pub static CLOUDS: &[&dyn CloudWiring] = &[&aws::Aws, &gcp::Gcp, &azure::Azure];
