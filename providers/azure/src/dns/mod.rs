//! Azure DNS: every record set of each configured zone.
//!
//! - [`api`]: the REST calls (list record sets, `nextLink` paging, retries on
//!   429 and 5xx with the server's `Retry-After` or backoff with jitter).
//! - [`map`]: Azure record sets -> model resources.

pub mod api;
pub mod map;

#[cfg(test)]
mod replay_tests;

use crate::TokenSource;
use driftgate_model::provider::scope_key;
use driftgate_model::{ErrorKind, Kind, Provider, ScanResult, Unchecked};
use std::sync::Arc;

/// Azure Resource Manager's public endpoint.
pub const ARM_ENDPOINT: &str = "https://management.azure.com";

/// The Azure DNS provider for one subscription and resource group.
#[derive(Debug, Clone)]
pub struct AzureDnsProvider {
    http: reqwest::Client,
    endpoint: String,
    token: Arc<dyn TokenSource>,
    subscription: String,
    resource_group: String,
    zones: Vec<String>,
    pages: Option<driftgate_model::provider::Pages>,
}

impl AzureDnsProvider {
    /// A provider reading `zones` of a resource group. `endpoint` is Azure
    /// Resource Manager's (another cloud's, or a test server's).
    #[must_use]
    pub fn new(
        endpoint: &str,
        token: Arc<dyn TokenSource>,
        subscription: &str,
        resource_group: &str,
        zones: Vec<String>,
    ) -> Self {
        AzureDnsProvider {
            http: driftgate_model::http::client(),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
            subscription: subscription.to_owned(),
            resource_group: resource_group.to_owned(),
            zones,
            pages: None,
        }
    }

    /// Hands each zone's record sets over to `pages` a listing page at a
    /// time as they are read, not in the result.
    #[must_use]
    pub fn with_pages(mut self, pages: driftgate_model::provider::Pages) -> Self {
        self.pages = Some(pages);
        self
    }

    async fn scan_zone(&self, zone: &str) -> ScanResult {
        let zone = driftgate_model::dns::canonical_name(zone);
        let mut result = ScanResult::default();
        let url = format!(
            "{}/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/dnsZones/{zone}/recordsets?api-version={}",
            self.endpoint,
            self.subscription,
            self.resource_group,
            api::API_VERSION
        );
        // Each page mapped as it arrives (the raw record sets never all
        // held), and handed over where pages are asked for.
        let (mut resources, mut paged) = (Vec::new(), false);
        let listed = api::list_pages(&self.http, self.token.as_ref(), &url, |sets| {
            paged = true;
            resources.extend(sets.iter().filter_map(|s| map::resource(&zone, s)));
            if let Some(pages) = &self.pages
                && !resources.is_empty()
            {
                pages.send(std::mem::take(&mut resources));
            }
        })
        .await;
        match listed {
            Ok(()) => {
                result.resources = resources;
                result.scopes_read.push(scope_key(Kind::DnsRecord, &zone));
            }
            // The zone itself is gone: every record declared in it is
            // missing. Gone after a page was read, it is not read whole:
            // unchecked, as any other failure.
            Err(e) if e.kind == ErrorKind::NotFound && !paged => {
                result.scopes_read.push(scope_key(Kind::DnsRecord, &zone));
            }
            Err(error) => result.unchecked.push(Unchecked {
                kind: Kind::DnsRecord,
                id: format!("{zone}/*"),
                error,
            }),
        }
        result
    }
}

#[async_trait::async_trait]
impl Provider for AzureDnsProvider {
    fn name(&self) -> &'static str {
        "azure-dns"
    }

    fn supports(&self) -> &'static [Kind] {
        &[Kind::DnsRecord]
    }

    async fn scan(&self) -> ScanResult {
        let mut set = tokio::task::JoinSet::new();
        for zone in &self.zones {
            let this = self.clone();
            let zone = zone.clone();
            set.spawn(async move { this.scan_zone(&zone).await });
        }
        let mut out = ScanResult::default();
        while let Some(joined) = set.join_next().await {
            out.absorb(joined.expect("Azure DNS zone scan task panicked"));
        }
        out.sorted()
    }
}
