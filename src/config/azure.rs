//! `[scope.azure]`: the subscription, resource group and DNS zones a scope
//! reads.

use super::*;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAzure {
    subscription: String,
    resource_group: String,
    #[serde(default)]
    dns_zones: Vec<String>,
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
    pub endpoint: Option<String>,
    pub id_prefix: Option<String>,
}

/// Validates a scope's `[scope.azure]`; `seen` holds the targets of the
/// scopes before it (a target belongs to one scope).
///
/// # Errors
/// A bad value, at its place.
pub(super) fn parse(
    z: RawAzure,
    name: &str,
    start: usize,
    clusters_seen: &mut Vec<(String, String)>,
    at: &dyn Fn(usize, String) -> InputError,
) -> Result<AzureScope, InputError> {
    let name = name.to_owned();
    let id_prefix = valid_prefix(z.id_prefix).map_err(|(o, m)| at(o, m))?;
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
    Ok(AzureScope {
        subscription: z.subscription,
        resource_group: z.resource_group,
        dns_zones: z.dns_zones,
        endpoint: z.endpoint,
        id_prefix,
    })
}
