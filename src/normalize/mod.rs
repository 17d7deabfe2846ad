//! Per-kind canonical forms, secret masking and ignore rules: everything that
//! happens to a resource between being read and being diffed.
//!
//! - [`node`]: the normalized tree.
//! - [`schema`]: the field-rule language and its walker.
//! - [`ecs`]: the ECS service and task definition rules.
//! - [`dns`]: DNS record sets.
//! - [`firewall`]: firewall rules.
//! - [`secrets`]: masking of sensitive values.
//! - [`ignore`]: `[[ignore]]` rules.

pub mod dns;
pub mod ecs;
pub mod firewall;
pub mod ignore;
mod names;
pub mod node;
pub mod schema;
pub mod secrets;
pub mod units;

use driftgate_model::{Kind, Resource};
pub use node::Node;
pub use schema::{Mode, SchemaError};
pub use secrets::SecretPolicy;

/// Masks a resource's secrets in place; run on every resource as it is read.
/// Returns where a secret was a list or a mapping rather than one value
/// (masked whole all the same): an error in a declared file.
pub fn mask(resource: &mut Resource, policy: &SecretPolicy) -> Vec<String> {
    match resource.kind {
        Kind::EcsService => policy.mask_ecs(&mut resource.spec),
        Kind::DnsRecord | Kind::FirewallRule => Vec::new(),
    }
}

/// The canonical tree of a resource.
///
/// # Errors
/// In strict mode, a spec that does not fit its kind's schema.
pub fn normalize(resource: &Resource, mode: Mode) -> Result<Node, SchemaError> {
    match resource.kind {
        Kind::EcsService => ecs::normalize(&resource.spec, mode),
        Kind::DnsRecord => dns::normalize(&resource.spec, mode),
        Kind::FirewallRule => firewall::normalize(&resource.spec, mode),
    }
}

/// Whether a live resource is one its provider creates by itself (a zone's
/// apex SOA and NS): such a resource is drift only where it is declared.
#[must_use]
pub fn provider_owned(kind: Kind, id: &str) -> bool {
    match kind {
        Kind::DnsRecord => dns::provider_owned(id),
        Kind::FirewallRule => firewall::provider_owned(id),
        Kind::EcsService => false,
    }
}

/// Whether a field is compared only when the declared side states it.
#[must_use]
pub fn declared_only(kind: Kind, path: &str) -> bool {
    match kind {
        Kind::EcsService => ecs::declared_only(path),
        Kind::DnsRecord | Kind::FirewallRule => false,
    }
}
