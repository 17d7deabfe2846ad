//! Azure: the DNS zones and network security groups of a scope's
//! subscription and resource group, with the azure_identity chain or
//! `DRIFTGATE_AZURE_TOKEN`.

use super::{CloudWiring, Part};
use crate::config::Scope;
use driftgate_azure::{AzureDnsProvider, IdentityChain, StaticToken, TokenSource};
use driftgate_model::dns::canonical_name;
use driftgate_model::ids::prefixed;
use driftgate_model::provider::Pages;
use driftgate_model::{Cloud, Kind, Provider, Target};
use std::sync::Arc;

/// The Azure wiring.
pub struct Azure;

impl CloudWiring for Azure {
    fn cloud(&self) -> Cloud {
        Cloud::Azure
    }

    fn targets(&self, scope: &Scope) -> Vec<(Kind, String)> {
        scope
            .azure
            .as_ref()
            .map(|a| {
                a.dns_zones
                    .iter()
                    .map(|z| {
                        (
                            Kind::DnsRecord,
                            prefixed(a.id_prefix.as_deref(), &canonical_name(z)),
                        )
                    })
                    .chain(
                        a.network_security_groups
                            .iter()
                            .map(|g| (Kind::FirewallRule, a.nsg_target(g))),
                    )
                    .collect()
            })
            .unwrap_or_default()
    }

    fn retain(&self, scope: &mut Scope, keep: &dyn Fn(Kind, &str) -> bool) {
        if let Some(a) = &mut scope.azure {
            let prefix = a.id_prefix.clone();
            a.dns_zones.retain(|z| {
                keep(
                    Kind::DnsRecord,
                    &prefixed(prefix.as_deref(), &canonical_name(z)),
                )
            });
            let rg = a.resource_group.clone();
            a.network_security_groups
                .retain(|g| keep(Kind::FirewallRule, &format!("{rg}:{g}")));
        }
    }

    fn scan(&self, scope: &Scope, pages: Option<&Pages>) -> Vec<Vec<Part>> {
        let Some(az) = &scope.azure else {
            return Vec::new();
        };
        if az.dns_zones.is_empty() && az.network_security_groups.is_empty() {
            return Vec::new();
        }
        let token: Arc<dyn TokenSource> = match std::env::var("DRIFTGATE_AZURE_TOKEN") {
            Ok(t) if !t.is_empty() => Arc::new(StaticToken(t)),
            _ => Arc::new(IdentityChain::from_env()),
        };
        let endpoint = az
            .endpoint
            .as_deref()
            .unwrap_or(driftgate_azure::dns::ARM_ENDPOINT);
        let mut parts: Vec<Part> = Vec::new();
        if !az.network_security_groups.is_empty() {
            let provider = driftgate_azure::AzureNsgProvider::new(
                endpoint,
                token.clone(),
                &az.subscription,
                &az.resource_group,
                az.network_security_groups.clone(),
            );
            let mut target = Target::new(&scope.name, Cloud::Azure);
            target.subscription = Some(az.subscription.clone());
            target.resource_group = Some(az.resource_group.clone());
            parts.push(Box::pin(async move {
                let mut r = provider.scan().await;
                r.targets.push(target);
                r
            }));
        }
        if az.dns_zones.is_empty() {
            return vec![parts];
        }
        let mut provider = AzureDnsProvider::new(
            endpoint,
            token,
            &az.subscription,
            &az.resource_group,
            az.dns_zones.clone(),
        );
        let prefix = az.id_prefix.clone();
        if let Some(pages) = pages {
            provider = provider.with_pages(match &prefix {
                Some(p) => pages.prefixed(Kind::DnsRecord, p),
                None => pages.clone(),
            });
        }
        let mut target = Target::new(&scope.name, Cloud::Azure);
        target.subscription = Some(az.subscription.clone());
        target.resource_group = Some(az.resource_group.clone());
        let part: Part = Box::pin(async move {
            let mut r = provider.scan().await;
            r.targets.push(target);
            if let Some(p) = &prefix {
                r.prefix(Kind::DnsRecord, p);
            }
            r
        });
        parts.push(part);
        vec![parts]
    }
}
