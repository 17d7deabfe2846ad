//! `[scope.gcp]`: the projects, VPC networks and Cloud DNS zones a scope reads.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGcp {
    project: Option<String>,
    /// Several projects, scanned concurrently: instead of `project`.
    projects: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    firewall_networks: Vec<String>,
    /// Cloud DNS public zones, by DNS name.
    #[serde(default)]
    dns_zones: Vec<String>,
    /// Cloud DNS private zones, by DNS name (a private zone may share its
    /// name with a public one).
    #[serde(default)]
    dns_private_zones: Vec<String>,
    /// The Compute Engine API's endpoint, for tests or private endpoints.
    endpoint: Option<String>,
    /// Cloud DNS's endpoint, for tests or private endpoints.
    dns_endpoint: Option<String>,
    /// Cloud Logging's endpoint (`check --blame`), for tests or private
    /// endpoints.
    logging_endpoint: Option<String>,
}

/// The GCP part of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcpScope {
    /// At least one project.
    pub projects: Vec<String>,
    pub firewall_networks: Vec<String>,
    /// Every `(project, network)` read: each network in each project (a
    /// shard keeps a part).
    pub networks: Vec<(String, String)>,
    /// Cloud DNS zones, by DNS name, each public or private; looked up in
    /// the projects in order.
    pub dns_zones: Vec<(String, crate::dns::Visibility)>,
    pub endpoint: Option<String>,
    pub dns_endpoint: Option<String>,
    pub logging_endpoint: Option<String>,
}

impl GcpScope {
    /// Every `(project, network)` the scope reads.
    #[must_use]
    pub fn networks(&self) -> Vec<(String, String)> {
        self.networks.clone()
    }
}

/// Validates a scope's `[scope.gcp]`; `seen` holds the targets of the
/// scopes before it (a target belongs to one scope).
///
/// # Errors
/// A bad value, at its place.
pub fn parse<E>(
    g: RawGcp,
    name: &str,
    start: usize,
    clusters_seen: &mut Vec<(String, String)>,
    at: &dyn Fn(usize, String) -> E,
) -> Result<GcpScope, E> {
    let name = name.to_owned();
    let projects = match (g.project, g.projects) {
        (Some(_), Some(list)) => {
            return Err(at(
                list.span().start,
                "give `project` or `projects`, not both".to_owned(),
            ));
        }
        (Some(p), None) => vec![p],
        (None, Some(list)) => {
            let offset = list.span().start;
            let list = list.into_inner();
            if list.is_empty()
                || list
                    .iter()
                    .enumerate()
                    .any(|(i, p)| p.is_empty() || list[..i].contains(p))
            {
                return Err(at(
                    offset,
                    "`projects` is empty, or has an empty or repeated entry".to_owned(),
                ));
            }
            list
        }
        (None, None) => {
            return Err(at(
                start,
                format!("scope `{name}`: [scope.gcp] needs `project` or `projects`"),
            ));
        }
    };
    for p in &projects {
        for n in &g.firewall_networks {
            let key = format!("net:{p}:{n}");
            if let Some((_, other)) = clusters_seen.iter().find(|(k, _)| *k == key) {
                return Err(at(
                    start,
                    format!("network `{n}` of project `{p}` is already in scope `{other}`"),
                ));
            }
            clusters_seen.push((key, name.clone()));
        }
    }
    let mut dns_zones = Vec::new();
    for (list, vis) in [
        (&g.dns_zones, crate::dns::Visibility::Public),
        (&g.dns_private_zones, crate::dns::Visibility::Private),
    ] {
        for z in list {
            let zone = driftgate_model::dns::canonical_name(z);
            if let Some((_, other)) = clusters_seen
                .iter()
                .find(|(k, _)| *k == format!("zone:{zone}"))
            {
                return Err(at(
                    start,
                    format!(
                        "zone `{zone}` is already in scope `{other}`: a zone belongs to one scope (a public and a private zone of one name: give them separate scopes with an `id_prefix` elsewhere, or read one)"
                    ),
                ));
            }
            clusters_seen.push((format!("zone:{zone}"), name.clone()));
            dns_zones.push((zone, vis));
        }
    }
    let networks = projects
        .iter()
        .flat_map(|p| {
            g.firewall_networks
                .iter()
                .map(move |n| (p.clone(), n.clone()))
        })
        .collect();
    Ok(GcpScope {
        projects,
        networks,
        firewall_networks: g.firewall_networks,
        dns_zones,
        endpoint: g.endpoint,
        dns_endpoint: g.dns_endpoint,
        logging_endpoint: g.logging_endpoint,
    })
}
