//! An in-memory provider, and the checks every provider's scan must pass.
//!
//! The fake stands in for a cloud in the root crate's unit tests; each real
//! provider runs [`check_conformance`] on its own scan results in its tests.

use crate::provider::scope_key;
use crate::{Kind, Provider, Resource, ScanResult, Unchecked};
use std::collections::BTreeSet;

/// A provider that returns what it was given.
#[derive(Debug, Clone, Default)]
pub struct FakeProvider {
    pub result: ScanResult,
}

impl FakeProvider {
    /// A fake with `resources` live in the scopes `scopes` of `kind`.
    #[must_use]
    pub fn new(kind: Kind, scopes: &[&str], resources: Vec<Resource>) -> Self {
        FakeProvider {
            result: ScanResult {
                resources,
                scopes_read: scopes.iter().map(|s| scope_key(kind, s)).collect(),
                unchecked: Vec::new(),
                targets: Vec::new(),
            },
        }
    }

    /// Adds something that could not be read.
    #[must_use]
    pub fn with_unchecked(mut self, unchecked: Unchecked) -> Self {
        self.result.unchecked.push(unchecked);
        self
    }
}

#[async_trait::async_trait]
impl Provider for FakeProvider {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn supports(&self) -> &'static [Kind] {
        Kind::ALL
    }

    async fn scan(&self) -> ScanResult {
        self.result.clone()
    }
}

/// The rules of the contract, checked on one scan result:
/// - no two resources share a kind and id;
/// - every resource's kind is one the provider supports;
/// - every resource lies in a scope that was read;
/// - nothing is both read and unchecked;
/// - every spec is a JSON object.
///
/// # Errors
/// Returns the first rule broken, in words.
pub fn check_conformance(provider: &dyn Provider, result: &ScanResult) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for r in &result.resources {
        if !provider.supports().contains(&r.kind) {
            return Err(format!(
                "{} returned unsupported kind {}",
                provider.name(),
                r.kind
            ));
        }
        if !seen.insert((r.kind, r.id.clone())) {
            return Err(format!(
                "{} returned {} {} twice",
                provider.name(),
                r.kind,
                r.id
            ));
        }
        let scope = r.id.split('/').next().unwrap_or_default();
        if !result.scopes_read.contains(&scope_key(r.kind, scope)) {
            return Err(format!(
                "{} {} lies in no scope that was read",
                r.kind, r.id
            ));
        }
        if !r.spec.is_object() {
            return Err(format!(
                "{} {} has a spec that is not an object",
                r.kind, r.id
            ));
        }
    }
    for u in &result.unchecked {
        if seen.contains(&(u.kind, u.id.clone())) {
            return Err(format!("{} {} is both read and unchecked", u.kind, u.id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, ProviderError};

    fn svc(id: &str) -> Resource {
        Resource {
            kind: Kind::EcsService,
            id: id.into(),
            spec: serde_json::json!({"serviceName": id}),
        }
    }

    #[tokio::test]
    async fn fake_passes_conformance() {
        let p = FakeProvider::new(Kind::EcsService, &["prod"], vec![svc("prod/api")]);
        let r = p.scan().await;
        check_conformance(&p, &r).unwrap();
        assert!(r.complete());
    }

    #[tokio::test]
    async fn conformance_catches_duplicates_and_out_of_scope() {
        let p = FakeProvider::new(
            Kind::EcsService,
            &["prod"],
            vec![svc("prod/api"), svc("prod/api")],
        );
        let r = p.scan().await;
        assert!(check_conformance(&p, &r).unwrap_err().contains("twice"));

        let p = FakeProvider::new(Kind::EcsService, &["prod"], vec![svc("dev/api")]);
        let r = p.scan().await;
        assert!(check_conformance(&p, &r).unwrap_err().contains("no scope"));
    }

    #[tokio::test]
    async fn unchecked_makes_a_scan_incomplete() {
        let p = FakeProvider::new(Kind::EcsService, &[], vec![]).with_unchecked(Unchecked {
            kind: Kind::EcsService,
            id: "prod/*".into(),
            error: ProviderError::new(ErrorKind::PermissionDenied, "ecs", "ListServices", "denied"),
        });
        assert!(!p.scan().await.complete());
    }
}
