//! Google Cloud DNS: every record set of each configured zone, found by
//! its DNS name among the managed zones of the scope's projects.
//!
//! - [`api`]: the REST calls (`managedZones.list` filtered by `dnsName`,
//!   `resourceRecordSets.list`), paged by `nextPageToken`, retried on 429
//!   and 5xx, each answer whole or a fault.
//! - [`map`]: record sets -> model resources.

pub mod api;
pub mod map;

#[cfg(test)]
mod replay_tests;

use crate::TokenSource;
use driftgate_model::provider::scope_key;
use driftgate_model::{ErrorKind, Kind, Provider, ProviderError, ScanResult, Unchecked};
use serde_json::Value;
use std::sync::Arc;

/// Cloud DNS's public endpoint.
pub const DNS_ENDPOINT: &str = "https://dns.googleapis.com";

/// Which managed zone of a DNS name is meant: Cloud DNS allows a public and
/// private zones of the same name (split horizon).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
}

impl Visibility {
    fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
        }
    }
}

/// The Cloud DNS provider for the zones of a scope's projects.
#[derive(Debug, Clone)]
pub struct GcpDnsProvider {
    http: reqwest::Client,
    endpoint: String,
    token: Arc<dyn TokenSource>,
    projects: Vec<String>,
    zones: Vec<(String, Visibility)>,
}

impl GcpDnsProvider {
    /// A provider reading `zones` (DNS names, each public or private),
    /// looked up in `projects` in order.
    #[must_use]
    pub fn new(
        endpoint: &str,
        token: Arc<dyn TokenSource>,
        projects: Vec<String>,
        zones: Vec<(String, Visibility)>,
    ) -> Self {
        GcpDnsProvider {
            http: driftgate_model::http::client(),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
            projects,
            zones,
        }
    }

    /// The project and managed zone name that serve a DNS name.
    async fn find(&self, zone: &str, vis: Visibility) -> Result<(String, String), ProviderError> {
        for project in &self.projects {
            let url = format!("{}/dns/v1/projects/{project}/managedZones", self.endpoint);
            let zones = api::list(
                &self.http,
                self.token.as_ref(),
                "managedZones.list",
                &url,
                &[("dnsName", format!("{zone}."))],
                "managedZones",
                "dns#managedZonesListResponse",
            )
            .await?;
            let found = zones.iter().find(|z| {
                z.get("dnsName")
                    .and_then(Value::as_str)
                    .is_some_and(|d| driftgate_model::dns::canonical_name(d) == zone)
                    && z.get("visibility")
                        .and_then(Value::as_str)
                        .unwrap_or("public")
                        == vis.as_str()
            });
            if let Some(name) = found.and_then(|z| z.get("name")).and_then(Value::as_str) {
                return Ok((project.clone(), name.to_owned()));
            }
        }
        Err(ProviderError::new(
            ErrorKind::NotFound,
            "gcp-dns",
            "managedZones.list",
            format!(
                "no {} managed zone for {zone}. in project {}",
                vis.as_str(),
                self.projects.join(", ")
            ),
        ))
    }

    async fn scan_zone(&self, zone: &str, vis: Visibility) -> ScanResult {
        let zone = driftgate_model::dns::canonical_name(zone);
        let mut result = ScanResult::default();
        let unchecked = |error| Unchecked {
            kind: Kind::DnsRecord,
            id: format!("{zone}/*"),
            error,
        };
        // A zone that is not there is unchecked, never "every record
        // deleted": a wrong project must not read as ClickOps.
        let (project, managed) = match self.find(&zone, vis).await {
            Ok(found) => found,
            Err(e) => {
                result.unchecked.push(unchecked(e));
                return result;
            }
        };
        let url = format!(
            "{}/dns/v1/projects/{project}/managedZones/{managed}/rrsets",
            self.endpoint
        );
        match api::list(
            &self.http,
            self.token.as_ref(),
            "resourceRecordSets.list",
            &url,
            &[],
            "rrsets",
            "dns#resourceRecordSetsListResponse",
        )
        .await
        {
            Ok(sets) => {
                for s in &sets {
                    match map::resource(&zone, s, &managed, &project) {
                        Some(r) => result.resources.push(r),
                        None => {
                            result.unchecked.push(unchecked(ProviderError::new(
                                ErrorKind::Malformed,
                                "gcp-dns",
                                "resourceRecordSets.list",
                                format!("a record set without a name or type: {s}"),
                            )));
                            result.resources.clear();
                            return result;
                        }
                    }
                }
                result.scopes_read.push(scope_key(Kind::DnsRecord, &zone));
            }
            Err(e) => result.unchecked.push(unchecked(e)),
        }
        result
    }
}

#[async_trait::async_trait]
impl Provider for GcpDnsProvider {
    fn name(&self) -> &'static str {
        "gcp-dns"
    }

    fn supports(&self) -> &'static [Kind] {
        &[Kind::DnsRecord]
    }

    async fn scan(&self) -> ScanResult {
        let mut set = tokio::task::JoinSet::new();
        for (zone, vis) in &self.zones {
            let this = self.clone();
            let zone = zone.clone();
            let vis = *vis;
            set.spawn(async move { this.scan_zone(&zone, vis).await });
        }
        let mut out = ScanResult::default();
        while let Some(joined) = set.join_next().await {
            out.absorb(joined.expect("Cloud DNS zone scan task panicked"));
        }
        out.sorted()
    }
}
