//! `[scope.azure]`: the subscription, resource group, DNS zones and
//! network security groups a scope reads.

use driftgate_model::ids::{check_prefix, prefixed};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAzure {
    subscription: String,
    resource_group: String,
    #[serde(default)]
    dns_zones: Vec<String>,
    /// Network security groups of the resource group, by name.
    #[serde(default)]
    network_security_groups: Vec<String>,
    /// Azure Resource Manager's endpoint, for other clouds.
    endpoint: Option<String>,
    /// Prefixes this scope's zone ids, as for AWS.
    id_prefix: Option<Spanned<String>>,
}

/// The Azure part of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureScope {
    pub subscription: String,
    pub resource_group: String,
    pub dns_zones: Vec<String>,
    /// Network security groups, by name, in `resource_group`.
    pub network_security_groups: Vec<String>,
    pub endpoint: Option<String>,
    pub id_prefix: Option<String>,
}

impl AzureScope {
    /// The target of a group: `<resource group>:<group>`, the part of its
    /// rules' ids before the rule's name.
    #[must_use]
    pub fn nsg_target(&self, group: &str) -> String {
        format!("{}:{group}", self.resource_group)
    }
}

/// Validates a scope's `[scope.azure]`; `seen` holds the targets of the
/// scopes before it (a target belongs to one scope).
///
/// # Errors
/// A bad value, at its place.
pub fn parse<E>(
    z: RawAzure,
    name: &str,
    start: usize,
    clusters_seen: &mut Vec<(String, String)>,
    at: &dyn Fn(usize, String) -> E,
) -> Result<AzureScope, E> {
    let name = name.to_owned();
    let id_prefix = id_prefix(z.id_prefix, at)?;
    for zone in &z.dns_zones {
        let zone = prefixed(
            id_prefix.as_deref(),
            &driftgate_model::dns::canonical_name(zone),
        );
        if let Some((_, other)) = clusters_seen
            .iter()
            .find(|(k, _)| *k == format!("zone:{zone}"))
        {
            return Err(at(
                start,
                format!(
                    "zone `{zone}` is already in scope `{other}`: a zone belongs to one scope and one provider"
                ),
            ));
        }
        clusters_seen.push((format!("zone:{zone}"), name.clone()));
    }
    for g in &z.network_security_groups {
        let key = format!(
            "nsg:{}:{}",
            z.resource_group.to_lowercase(),
            g.to_lowercase()
        );
        if let Some((_, other)) = clusters_seen.iter().find(|(k, _)| *k == key) {
            return Err(at(
                start,
                format!(
                    "network security group `{g}` is already in scope `{other}`: a group belongs to one scope"
                ),
            ));
        }
        clusters_seen.push((key, name.clone()));
    }
    Ok(AzureScope {
        subscription: z.subscription,
        resource_group: z.resource_group,
        dns_zones: z.dns_zones,
        network_security_groups: z.network_security_groups,
        endpoint: z.endpoint,
        id_prefix,
    })
}

/// A validated `id_prefix`, or the error at its place.
fn id_prefix<E>(
    p: Option<Spanned<String>>,
    at: &dyn Fn(usize, String) -> E,
) -> Result<Option<String>, E> {
    match p {
        None => Ok(None),
        Some(p) => match check_prefix(p.get_ref()) {
            Ok(()) => Ok(Some(p.into_inner())),
            Err(m) => Err(at(p.span().start, m)),
        },
    }
}
