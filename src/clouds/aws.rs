//! AWS: per region of a scope, the ECS clusters, Route53 zones (once per
//! scope, with its first region) and VPCs of `[scope.aws]`, read with the
//! scope's credentials (profile, assumed role) through one SDK config per
//! region.

use super::{CloudWiring, Part};
use crate::config::Scope;
use driftgate_aws::{EcsProvider, Route53Provider, SecurityGroupProvider, sdk_config};
use driftgate_model::dns::canonical_name;
use driftgate_model::ids::prefixed;
use driftgate_model::provider::Pages;
use driftgate_model::{Cloud, Kind, Provider, ScanResult, Target};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The AWS wiring.
pub struct Aws;

impl CloudWiring for Aws {
    fn cloud(&self) -> Cloud {
        Cloud::Aws
    }

    fn targets(&self, scope: &Scope) -> Vec<(Kind, String)> {
        let Some(a) = &scope.aws else {
            return Vec::new();
        };
        let mut out: Vec<(Kind, String)> = a
            .ecs_targets()
            .into_iter()
            .map(|t| (Kind::EcsService, t.target))
            .collect();
        out.extend(a.route53_zones.iter().map(|z| {
            (
                Kind::DnsRecord,
                prefixed(a.id_prefix.as_deref(), &canonical_name(z)),
            )
        }));
        out.extend(
            a.security_group_vpcs
                .iter()
                .map(|v| (Kind::FirewallRule, v.clone())),
        );
        out
    }

    fn retain(&self, scope: &mut Scope, keep: &dyn Fn(Kind, &str) -> bool) {
        let Some(a) = &mut scope.aws else { return };
        a.ecs.retain(|t| keep(Kind::EcsService, &t.target));
        let ecs = a.ecs.clone();
        a.ecs_clusters
            .retain(|c| ecs.iter().any(|t| &t.cluster == c));
        let prefix = a.id_prefix.clone();
        a.route53_zones.retain(|z| {
            keep(
                Kind::DnsRecord,
                &prefixed(prefix.as_deref(), &canonical_name(z)),
            )
        });
        a.security_group_vpcs
            .retain(|v| keep(Kind::FirewallRule, v));
    }

    fn scan(&self, scope: &Scope, pages: Option<&Pages>) -> Vec<Vec<Part>> {
        let Some(aws) = &scope.aws else {
            return Vec::new();
        };
        let ecs_targets = aws.ecs_targets();
        let mut groups = Vec::new();
        for (i, region) in aws.region_list().into_iter().enumerate() {
            let target = aws.target(region.clone());
            // One SDK config per region, built by the first part that needs it.
            let sdk: Arc<OnceCell<driftgate_aws::SdkConfig>> = Arc::default();
            let config = move || {
                let sdk = sdk.clone();
                let target = target.clone();
                async move { sdk.get_or_init(|| sdk_config(&target)).await.clone() }
            };
            let clusters: Vec<String> = ecs_targets
                .iter()
                .filter(|t| t.region == region)
                .map(|t| t.cluster.clone())
                .collect();
            let qualifier = region.filter(|_| aws.multi_region());
            let prefix = aws.id_prefix.clone();
            let mut parts: Vec<Part> = Vec::new();
            if !clusters.is_empty() {
                let (config, prefix) = (config.clone(), prefix.clone());
                parts.push(Box::pin(async move {
                    let mut r = EcsProvider::new(&config().await, clusters).scan().await;
                    if let Some(q) = &qualifier {
                        r.qualify(Kind::EcsService, q);
                    }
                    if let Some(p) = &prefix {
                        r.prefix(Kind::EcsService, p);
                    }
                    r
                }));
            }
            // Route53 is global: read once per scope, with its first region.
            if i == 0 && !aws.route53_zones.is_empty() {
                let (config, prefix, zones) =
                    (config.clone(), prefix.clone(), aws.route53_zones.clone());
                let pages = pages.map(|p| match &prefix {
                    Some(pre) => p.prefixed(Kind::DnsRecord, pre),
                    None => p.clone(),
                });
                parts.push(Box::pin(async move {
                    let mut provider = Route53Provider::new(&config().await, zones);
                    if let Some(pages) = pages {
                        provider = provider.with_pages(pages);
                    }
                    let mut r = provider.scan().await;
                    if let Some(p) = &prefix {
                        r.prefix(Kind::DnsRecord, p);
                    }
                    r
                }));
            }
            if !aws.security_group_vpcs.is_empty() {
                let (config, vpcs) = (config.clone(), aws.security_group_vpcs.clone());
                parts.push(Box::pin(async move {
                    SecurityGroupProvider::new(&config().await, vpcs)
                        .scan()
                        .await
                }));
            }
            if !parts.is_empty() {
                // Where this group looks, for the report's metadata: the
                // account from STS (metadata only: a failure leaves it out).
                let scope_name = scope.name.clone();
                parts.push(Box::pin(async move {
                    let config = config().await;
                    let mut t = Target::new(&scope_name, Cloud::Aws);
                    t.region = config.region().map(ToString::to_string);
                    t.account = driftgate_aws::pace::account(&config).await;
                    ScanResult {
                        targets: vec![t],
                        ..ScanResult::default()
                    }
                }));
                groups.push(parts);
            }
        }
        groups
    }
}
