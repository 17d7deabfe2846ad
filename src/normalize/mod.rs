//! Canonical forms, secret masking and ignore rules: everything that happens
//! to a resource between being read and being diffed, each kind's part asked
//! of its rules in [`crate::kinds`].
//!
//! - [`node`]: the normalized tree.
//! - [`schema`]: the field-rule language and its walker.
//! - each kind's own rules: [`crate::kinds`].
//! - [`secrets`]: masking of sensitive values.
//! - [`ignore`]: `[[ignore]]` rules.

pub mod ignore;
pub(crate) mod names;
pub mod node;
pub mod schema;
pub mod secrets;
pub mod units;

use crate::kinds;
use driftgate_model::{Kind, Resource};
pub use node::Node;
pub use schema::{Mode, SchemaError};
pub use secrets::SecretPolicy;

/// Masks a resource's secrets in place; run on every resource as it is read.
/// Returns where a secret was a list or a mapping rather than one value
/// (masked whole all the same): an error in a declared file.
pub fn mask(resource: &mut Resource, policy: &SecretPolicy) -> Vec<String> {
    kinds::rules(resource.kind).mask(&mut resource.spec, policy)
}

/// The canonical tree of a resource.
///
/// # Errors
/// In strict mode, a spec that does not fit its kind's schema.
pub fn normalize(resource: &Resource, mode: Mode) -> Result<Node, SchemaError> {
    let mut node = kinds::rules(resource.kind).normalize(&resource.spec, mode)?;
    node.shrink();
    Ok(node)
}

/// Whether a live resource is one its provider creates by itself (a zone's
/// apex SOA and NS): such a resource is drift only where it is declared.
#[must_use]
pub fn provider_owned(kind: Kind, id: &str) -> bool {
    kinds::rules(kind).provider_owned(id)
}

/// Whether a field is compared only when the declared side states it.
#[must_use]
pub fn declared_only(kind: Kind, path: &str) -> bool {
    kinds::rules(kind).declared_only(path)
}
