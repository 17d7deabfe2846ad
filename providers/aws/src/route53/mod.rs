//! Route53: every record set of each configured hosted zone.
//!
//! - [`api`] makes the calls (ListHostedZonesByName once per zone,
//!   ListResourceRecordSets paged by hand), under one process-wide limit of
//!   five requests a second, Route53's quota per account.
//! - [`map`] turns SDK record sets into model resources.

pub mod api;
pub mod map;

/// The ids of the hosted zones named `zone` (canonical), for lookups by id
/// (CloudTrail names a record change by its zone's id).
///
/// # Errors
/// The call's failure, classified.
pub async fn zone_ids(
    config: &aws_config::SdkConfig,
    zone: &str,
) -> Result<Vec<String>, driftgate_model::ProviderError> {
    let pacer = crate::pace::Pacer::new(config);
    api::zone_ids(&crate::client::route53(config), &pacer, zone).await
}

#[cfg(test)]
mod replay_tests;

use driftgate_model::provider::scope_key;
use driftgate_model::{ErrorKind, Kind, Provider, ProviderError, ScanResult, Unchecked};

/// The Route53 provider for one AWS account.
#[derive(Debug, Clone)]
pub struct Route53Provider {
    client: aws_sdk_route53::Client,
    pacer: crate::pace::Pacer,
    zones: Vec<String>,
    pages: Option<driftgate_model::provider::Pages>,
}

impl Route53Provider {
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig, zones: Vec<String>) -> Self {
        Route53Provider {
            client: crate::client::route53(config),
            pacer: crate::pace::Pacer::new(config),
            zones,
            pages: None,
        }
    }

    /// Hands each zone's record sets over to `pages` as they are read
    /// (at most a listing page's worth held at a time), not in the result.
    #[must_use]
    pub fn with_pages(mut self, pages: driftgate_model::provider::Pages) -> Self {
        self.pages = Some(pages);
        self
    }

    /// Paces this provider's calls with `pacer` (whose account is known).
    #[must_use]
    pub fn with_pacer(mut self, pacer: crate::pace::Pacer) -> Self {
        self.pacer = pacer;
        self
    }

    async fn scan_zone(&self, zone: &str) -> ScanResult {
        let mut result = ScanResult::default();
        let name = driftgate_model::dns::canonical_name(zone);
        let whole = |error| Unchecked {
            kind: Kind::DnsRecord,
            id: format!("{name}/*"),
            error,
        };
        let ids = match api::zone_ids(&self.client, &self.pacer, &name).await {
            Ok(ids) => ids,
            Err(e) => {
                result.unchecked.push(whole(e));
                return result;
            }
        };
        let id = match ids.as_slice() {
            // No such zone in this account: a wrong profile or role far more
            // often than a zone deleted by hand. Its records are unchecked,
            // never reported missing on a guess.
            [] => {
                result.unchecked.push(whole(ProviderError::new(
                    ErrorKind::NotFound,
                    "route53",
                    "ListHostedZonesByName",
                    format!("no hosted zone named {name} in this account (wrong account, profile or role?)"),
                )));
                return result;
            }
            [one] => one.clone(),
            many => {
                result.unchecked.push(whole(ProviderError::new(
                    ErrorKind::Unsupported,
                    "route53",
                    "ListHostedZonesByName",
                    format!(
                        "{} hosted zones are named {name} ({}): driftgate cannot tell which one is meant",
                        many.len(),
                        many.join(", ")
                    ),
                )));
                return result;
            }
        };
        let mut resources = Vec::new();
        let listed = api::record_sets(&self.client, &self.pacer, &id, |s| {
            resources.push(map::resource(&name, s));
            if let Some(pages) = &self.pages
                && resources.len() >= api::PAGE_SIZE as usize
            {
                pages.send(std::mem::take(&mut resources));
            }
        })
        .await;
        match listed {
            Ok(()) => {
                match &self.pages {
                    Some(pages) if !resources.is_empty() => pages.send(resources),
                    Some(_) => {}
                    None => result.resources = resources,
                }
                result.scopes_read.push(scope_key(Kind::DnsRecord, &name));
            }
            Err(e) => result.unchecked.push(whole(e)),
        }
        result
    }
}

#[async_trait::async_trait]
impl Provider for Route53Provider {
    fn name(&self) -> &'static str {
        "aws-route53"
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
            out.absorb(joined.expect("Route53 zone scan task panicked"));
        }
        out.sorted()
    }
}
