//! GCP: per project of a scope, the VPC firewall rules of its networks, and
//! the record sets of its Cloud DNS zones, with Application Default
//! Credentials or `DRIFTGATE_GCP_TOKEN`.

use super::{CloudWiring, Part};
use crate::config::Scope;
use driftgate_model::provider::Pages;
use driftgate_model::{Cloud, Kind, Provider, Target};
use std::sync::Arc;

/// The GCP wiring.
pub struct Gcp;

impl CloudWiring for Gcp {
    fn cloud(&self) -> Cloud {
        Cloud::Gcp
    }

    fn targets(&self, scope: &Scope) -> Vec<(Kind, String)> {
        scope
            .gcp
            .as_ref()
            .map(|g| {
                g.networks()
                    .into_iter()
                    .map(|(p, n)| (Kind::FirewallRule, format!("{p}:{n}")))
                    .chain(
                        g.dns_zones
                            .iter()
                            .map(|(z, _)| (Kind::DnsRecord, z.clone())),
                    )
                    .collect()
            })
            .unwrap_or_default()
    }

    fn retain(&self, scope: &mut Scope, keep: &dyn Fn(Kind, &str) -> bool) {
        if let Some(g) = &mut scope.gcp {
            g.networks
                .retain(|(p, n)| keep(Kind::FirewallRule, &format!("{p}:{n}")));
            g.dns_zones.retain(|(z, _)| keep(Kind::DnsRecord, z));
        }
    }

    fn scan(&self, scope: &Scope, _pages: Option<&Pages>) -> Vec<Vec<Part>> {
        let Some(g) = &scope.gcp else {
            return Vec::new();
        };
        let token: Arc<dyn driftgate_gcp::TokenSource> = match std::env::var("DRIFTGATE_GCP_TOKEN")
        {
            Ok(t) if !t.is_empty() => Arc::new(driftgate_gcp::StaticToken(t)),
            _ => Arc::new(driftgate_gcp::Adc::default()),
        };
        let mut groups = Vec::new();
        if !g.dns_zones.is_empty() {
            let token: Arc<dyn driftgate_gcp::TokenSource> =
                match std::env::var("DRIFTGATE_GCP_TOKEN") {
                    Ok(t) if !t.is_empty() => Arc::new(driftgate_gcp::StaticToken(t)),
                    _ => Arc::new(driftgate_gcp::Adc::for_scope(
                        driftgate_gcp::dns::api::DNS_SCOPE,
                    )),
                };
            let provider = driftgate_gcp::dns::GcpDnsProvider::new(
                g.dns_endpoint
                    .as_deref()
                    .unwrap_or(driftgate_gcp::dns::DNS_ENDPOINT),
                token,
                g.projects.clone(),
                g.dns_zones.clone(),
            );
            let mut target = Target::new(&scope.name, Cloud::Gcp);
            target.project = Some(g.projects.join(","));
            let part: Part = Box::pin(async move {
                let mut r = provider.scan().await;
                r.targets.push(target);
                r
            });
            groups.push(vec![part]);
        }
        for project in &g.projects {
            let networks: Vec<String> = g
                .networks
                .iter()
                .filter(|(p, _)| p == project)
                .map(|(_, n)| n.clone())
                .collect();
            if networks.is_empty() {
                continue;
            }
            let provider = driftgate_gcp::GcpFirewallProvider::new(
                g.endpoint
                    .as_deref()
                    .unwrap_or(driftgate_gcp::firewall::COMPUTE_ENDPOINT),
                token.clone(),
                project,
                networks,
            );
            let mut target = Target::new(&scope.name, Cloud::Gcp);
            target.project = Some(project.clone());
            let part: Part = Box::pin(async move {
                let mut r = provider.scan().await;
                r.targets.push(target);
                r
            });
            groups.push(vec![part]);
        }
        groups
    }
}
