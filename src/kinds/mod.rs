//! One folder per resource kind: what counts as the same (normalize), where
//! its secrets sit (mask), what its provider creates by itself, and which
//! fields are compared only where declared. [`KINDS`] is the registry; the
//! stages ask it by [`Kind`], never match on kinds themselves.
//!
//! - [`ecs_service`]: an ECS service and the task definition it runs.
//! - [`dns_record`]: a DNS record set.
//! - [`firewall_rule`]: one firewall rule.

pub mod dns_record;
pub mod ecs_service;
pub mod firewall_rule;

use crate::normalize::{Mode, Node, SchemaError, SecretPolicy};
use driftgate_model::{Cloud, Kind};
use serde_json::Value;

/// What a resource kind brings to the shared stages.
pub trait KindRules: Sync {
    /// The kind these rules are for.
    fn kind(&self) -> Kind;

    /// The canonical tree of a spec of this kind.
    ///
    /// # Errors
    /// In strict mode, a spec that does not fit the kind's schema.
    fn normalize(&self, spec: &Value, mode: Mode) -> Result<Node, SchemaError>;

    /// Masks the secrets of a spec in place; returns where a secret was not
    /// one value (an error in a declared file).
    fn mask(&self, _spec: &mut Value, _policy: &SecretPolicy) -> Vec<String> {
        Vec::new()
    }

    /// Whether a live resource is one its provider creates by itself: drift
    /// only where it is declared.
    fn provider_owned(&self, _id: &str) -> bool {
        false
    }

    /// Whether a field is compared only when the declared side states it.
    fn declared_only(&self, _path: &str) -> bool {
        false
    }

    /// What a resource is, in a few words, for a person reading a finding
    /// (`ingress tcp 22 from 0.0.0.0/0 "temp debug"`).
    fn describe(&self, spec: &Value) -> Option<String>;

    /// A name people know the resource's container by, shown beside an id
    /// made of cloud ids (a security group's name beside its `sg-` id).
    fn display_name(&self, _spec: &Value) -> Option<String> {
        None
    }

    /// What a declaration of this resource shares a file with (its zone,
    /// its security group): an undeclared one would go in the file that
    /// declares its siblings. `None`: a file of its own.
    fn group_of(&self, _spec: &Value) -> Option<String> {
        None
    }

    /// What the cloud fills in when a field is omitted, and what is compared
    /// only where declared: the kind's rows of the defaults table (README).
    fn defaults(&self) -> Vec<crate::normalize::schema::DefaultRow> {
        Vec::new()
    }

    /// What the part of an id before its first `/` names, for messages
    /// (`cluster`, `zone`, `network`).
    fn scope_noun(&self) -> &'static str;

    /// For kinds whose id holds a field (a firewall rule's peer): the id
    /// without it, and the field's name. One missing and one unmanaged
    /// resource with the same rest are one resource whose field changed.
    fn id_field<'a>(&self, _id: &'a str) -> Option<(&'a str, &'static str)> {
        None
    }

    /// The `id_prefix` a scope gives this kind's ids (two accounts with a
    /// cluster or zone of one name), for the declared side to match the scan.
    fn id_prefix<'a>(&self, _scope: &'a crate::config::Scope, _id: &str) -> Option<&'a str> {
        None
    }

    /// Makes declared resources comparable with what was read, where a
    /// declaration may name by name what the cloud knows by id (a security
    /// group peer named by its group name).
    fn resolve(
        &self,
        _declared: &mut [crate::declared::load::DeclaredResource],
        _live: &crate::diff::Live,
    ) {
    }

    /// The commands that set live back to the declared state (`revert`), and
    /// notes, for a drifted resource on `cloud`; `declared` and `live` are
    /// its two specs where they exist.
    fn revert(&self, at: &Revert<'_>, cloud: Cloud, out: &mut driftgate_model::Suggestion);

    /// Plans adopting one drifted resource of this kind into its declared
    /// files (`at`: the declaring file and line, where there is one): the
    /// files it edits, or why it cannot.
    ///
    /// # Errors
    /// Why the resource cannot be adopted.
    fn adopt(
        &self,
        texts: &mut crate::adopt::Texts<'_>,
        scope: &crate::config::Scope,
        finding: &driftgate_model::Finding,
        at: Option<&(std::path::PathBuf, usize)>,
        live: Option<&driftgate_model::Resource>,
    ) -> Result<std::collections::BTreeSet<std::path::PathBuf>, String>;

    /// The native declared files `driftgate import` writes for the live
    /// resources of `scope` that are not declared yet (of this kind, not the
    /// provider's own): `(path, text)` each.
    ///
    /// # Errors
    /// Only serialization's.
    fn import(
        &self,
        scope: &crate::config::Scope,
        undeclared: &[&driftgate_model::Resource],
    ) -> anyhow::Result<Vec<(std::path::PathBuf, String)>>;

    /// How the Azure Activity Log or GCP's Cloud Audit Logs know the
    /// resource `id` of `scope`, for `check --blame`; or why there is no
    /// lookup.
    ///
    /// # Errors
    /// No lookup for this kind on this cloud.
    fn cloud_audit(
        &self,
        _id: &str,
        _scope: &crate::config::Scope,
        cloud: Cloud,
    ) -> Result<CloudAudit, String> {
        Err(format!(
            "no audit log lookup for {} on {cloud} yet",
            self.kind()
        ))
    }

    /// How AWS CloudTrail knows the resource `id`, for `check --blame`; or
    /// why there is no lookup.
    ///
    /// # Errors
    /// No lookup for this kind on this cloud.
    fn audit(&self, _id: &str, cloud: Cloud) -> Result<AuditLookup, String> {
        Err(format!(
            "no audit log lookup for {} on {cloud} yet",
            self.kind()
        ))
    }
}

/// What a revert command is made from.
pub struct Revert<'a> {
    pub finding: &'a driftgate_model::Finding,
    pub scope: &'a crate::config::Scope,
    pub declared: Option<&'a driftgate_model::Resource>,
    pub live: Option<&'a driftgate_model::Resource>,
}

/// How an audit log is searched for one resource.
pub struct AuditLookup {
    /// The names to look up (CloudTrail's `ResourceName`: a service's name, a
    /// group's id; for a record set, the zone's name, resolved to its ids).
    pub names: Vec<String>,
    /// The event source (`ecs.amazonaws.com`).
    pub source: &'static str,
    /// Which of the events that name it touched this very resource.
    pub matches: Box<dyn Fn(&Value) -> bool + Send + Sync>,
    /// Recorded in one global region (Route53: us-east-1), whatever the scope says.
    pub global: bool,
}

/// How Azure's or GCP's audit log knows one resource.
pub enum CloudAudit {
    /// The Activity Log's events of this resource URI.
    Azure { resource_uri: String },
    /// Cloud Audit Logs entries of these projects that `filter` selects and
    /// `matches` keeps (a record set is named inside its change's request).
    Gcp {
        projects: Vec<String>,
        filter: String,
        matches: Box<dyn Fn(&Value) -> bool + Send + Sync>,
    },
}

/// Every kind driftgate compares.
pub static KINDS: &[&dyn KindRules] = &[
    &ecs_service::EcsService,
    &dns_record::DnsRecord,
    &firewall_rule::FirewallRule,
];

/// The rules of a kind.
///
/// # Panics
/// Never: every [`Kind`] is registered (a test checks).
#[must_use]
pub fn rules(kind: Kind) -> &'static dyn KindRules {
    KINDS
        .iter()
        .copied()
        .find(|k| k.kind() == kind)
        .expect("every kind is registered in KINDS")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kind_is_registered_once() {
        for kind in driftgate_model::Kind::ALL {
            let n = super::KINDS.iter().filter(|k| k.kind() == *kind).count();
            assert_eq!(n, 1, "{kind}");
        }
    }
}

#[cfg(test)]
mod defaults_tests;
