//! EC2 security groups: every group of each configured VPC, flattened into
//! one `firewall_rule` per effective rule (see `driftgate_model::firewall`).
//!
//! - [`query`]: the EC2 Query API, signed with SigV4 (no aws-sdk-ec2).
//! - [`xml`]: its answers as JSON in the CLI's shape.

pub mod query;
pub mod xml;

#[cfg(test)]
mod replay_tests;

use driftgate_model::provider::scope_key;
use driftgate_model::{Kind, Provider, ProviderError, ScanResult, Unchecked};
use query::Ec2Query;
use serde_json::Value;

/// Every AWS action this module calls (see `ecs::api::ACTIONS`).
pub const ACTIONS: &[&str] = &["ec2:DescribeSecurityGroups"];

/// The security group provider for one AWS target.
#[derive(Debug, Clone)]
pub struct SecurityGroupProvider {
    query: Ec2Query,
    pacer: crate::pace::Pacer,
    vpcs: Vec<String>,
    /// For messages: where the VPCs were looked for.
    region: String,
}

impl SecurityGroupProvider {
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig, vpcs: Vec<String>) -> Self {
        SecurityGroupProvider {
            query: Ec2Query::new(config),
            pacer: crate::pace::Pacer::new(config),
            vpcs,
            region: config
                .region()
                .map_or_else(|| "the default region".to_owned(), |r| r.to_string()),
        }
    }

    /// Paces this provider's calls with `pacer` (whose account is known).
    #[must_use]
    pub fn with_pacer(mut self, pacer: crate::pace::Pacer) -> Self {
        self.pacer = pacer;
        self
    }

    /// Every group of a VPC (the VPC filter, the largest page: 1,000),
    /// following `NextToken`.
    ///
    /// # Errors
    /// The first failed call.
    pub async fn groups(&self, vpc: &str) -> Result<Vec<Value>, ProviderError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut params = vec![
                ("Filter.1.Name".to_owned(), "vpc-id".to_owned()),
                ("Filter.1.Value.1".to_owned(), vpc.to_owned()),
                ("MaxResults".to_owned(), "1000".to_owned()),
            ];
            if let Some(t) = &token {
                params.push(("NextToken".to_owned(), t.clone()));
            }
            self.pacer
                .wait(crate::pace::Family::Ec2DescribeSecurityGroups)
                .await;
            let body = self.query.call("DescribeSecurityGroups", &params).await?;
            let (groups, next) = xml::security_groups(&body).map_err(|m| {
                ProviderError::new(
                    driftgate_model::ErrorKind::Unsupported,
                    "ec2",
                    "DescribeSecurityGroups",
                    m,
                )
            })?;
            out.extend(groups);
            match next {
                Some(n) if token.as_ref() != Some(&n) => token = Some(n),
                _ => break,
            }
        }
        Ok(out)
    }

    async fn scan_vpc(&self, vpc: &str) -> ScanResult {
        let mut result = ScanResult::default();
        let whole = |error| Unchecked {
            kind: Kind::FirewallRule,
            id: format!("{vpc}/*"),
            error,
        };
        match self.groups(vpc).await {
            // Every VPC has its default security group, which cannot be
            // deleted: none at all means the VPC is not in this region or
            // account. Its rules are unchecked, never reported missing.
            Ok(groups) if groups.is_empty() => {
                result.unchecked.push(whole(ProviderError::new(
                    driftgate_model::ErrorKind::NotFound,
                    "ec2",
                    "DescribeSecurityGroups",
                    format!(
                        "VPC `{}` has no security groups in {} (not even its default group): it is not in this region or account",
                        driftgate_model::ids::bare(vpc),
                        self.region
                    ),
                )));
            }
            Ok(groups) => {
                for g in &groups {
                    match driftgate_model::firewall::rules_of_group(g) {
                        Ok(rules) => result.resources.extend(rules),
                        Err(m) => {
                            result.unchecked.push(whole(ProviderError::new(
                                driftgate_model::ErrorKind::Unsupported,
                                "ec2",
                                "DescribeSecurityGroups",
                                m,
                            )));
                            return ScanResult {
                                resources: Vec::new(),
                                ..result
                            };
                        }
                    }
                }
                result.scopes_read.push(scope_key(Kind::FirewallRule, vpc));
            }
            Err(e) => result.unchecked.push(whole(e)),
        }
        result
    }
}

#[async_trait::async_trait]
impl Provider for SecurityGroupProvider {
    fn name(&self) -> &'static str {
        "aws-ec2"
    }

    fn supports(&self) -> &'static [Kind] {
        &[Kind::FirewallRule]
    }

    async fn scan(&self) -> ScanResult {
        let mut set = tokio::task::JoinSet::new();
        for vpc in &self.vpcs {
            let this = self.clone();
            let vpc = vpc.clone();
            set.spawn(async move { this.scan_vpc(&vpc).await });
        }
        let mut out = ScanResult::default();
        while let Some(joined) = set.join_next().await {
            out.absorb(joined.expect("VPC scan task panicked"));
        }
        let mut out = out.sorted();
        out.resources.dedup_by(|a, b| a.id == b.id);
        out
    }
}
