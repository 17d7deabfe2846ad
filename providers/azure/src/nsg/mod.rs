//! Azure network security groups: the security rules (and Azure's default
//! rules) of each configured group of a resource group, one finding per
//! rule, through the Network REST API's `NetworkSecurityGroups - List`.

#[cfg(test)]
mod replay_tests;

use crate::TokenSource;
use driftgate_model::firewall::azure_rule;
use driftgate_model::provider::scope_key;
use driftgate_model::{ErrorKind, Kind, Provider, ProviderError, ScanResult, Unchecked};
use serde_json::Value;
use std::sync::Arc;

/// The Network API version driftgate speaks (a current stable one).
pub const API_VERSION: &str = "2024-05-01";

/// The one action driftgate calls on Azure networking.
pub const ACTIONS: &[&str] = &["Microsoft.Network/networkSecurityGroups/read"];

/// The provider for the named groups of one resource group.
#[derive(Debug, Clone)]
pub struct AzureNsgProvider {
    http: reqwest::Client,
    endpoint: String,
    token: Arc<dyn TokenSource>,
    subscription: String,
    resource_group: String,
    groups: Vec<String>,
}

impl AzureNsgProvider {
    /// A provider reading `groups` (names) of a resource group.
    #[must_use]
    pub fn new(
        endpoint: &str,
        token: Arc<dyn TokenSource>,
        subscription: &str,
        resource_group: &str,
        groups: Vec<String>,
    ) -> Self {
        AzureNsgProvider {
            http: driftgate_model::http::client(),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
            subscription: subscription.to_owned(),
            resource_group: resource_group.to_owned(),
            groups,
        }
    }

    fn target(&self, group: &str) -> String {
        format!("{}:{group}", self.resource_group)
    }
}

/// The rules of one group (its own, then Azure's defaults), mapped.
///
/// # Errors
/// A rule that does not map (no name, priority, ...): the answer is not
/// whole.
pub fn rules_of(
    resource_group: &str,
    name: &str,
    nsg: &Value,
) -> Result<Vec<driftgate_model::Resource>, String> {
    let props = nsg.get("properties").unwrap_or(nsg);
    let mut out = Vec::new();
    for key in ["securityRules", "defaultSecurityRules"] {
        match props.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(rules)) => {
                for r in rules {
                    out.push(azure_rule(resource_group, name, r)?);
                }
            }
            Some(_) => return Err(format!("`{key}` of group `{name}` is not a list")),
        }
    }
    Ok(out)
}

#[async_trait::async_trait]
impl Provider for AzureNsgProvider {
    fn name(&self) -> &'static str {
        "azure-network"
    }

    fn supports(&self) -> &'static [Kind] {
        &[Kind::FirewallRule]
    }

    async fn scan(&self) -> ScanResult {
        let mut out = ScanResult::default();
        let url = format!(
            "{}/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/networkSecurityGroups?api-version={API_VERSION}",
            self.endpoint, self.subscription, self.resource_group
        );
        let unchecked = |group: &str, error: ProviderError| Unchecked {
            kind: Kind::FirewallRule,
            id: format!("{}/*", self.target(group)),
            error,
        };
        let groups = match crate::arm::list(
            &self.http,
            self.token.as_ref(),
            "azure-network",
            "NetworkSecurityGroups_List",
            &url,
        )
        .await
        {
            Ok(g) => g,
            Err(e) => {
                for g in &self.groups {
                    out.unchecked.push(unchecked(g, e.clone()));
                }
                return out;
            }
        };
        for name in &self.groups {
            let found = groups.iter().find(|g| {
                g.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
            let Some(nsg) = found else {
                // Not there: unchecked, never "every rule deleted" (a
                // wrong resource group must not read as ClickOps).
                out.unchecked.push(unchecked(
                    name,
                    ProviderError::new(
                        ErrorKind::NotFound,
                        "azure-network",
                        "NetworkSecurityGroups_List",
                        format!(
                            "no network security group `{name}` in resource group {}",
                            self.resource_group
                        ),
                    ),
                ));
                continue;
            };
            match rules_of(&self.resource_group, name, nsg) {
                Ok(rules) => {
                    out.resources.extend(rules);
                    out.scopes_read
                        .push(scope_key(Kind::FirewallRule, &self.target(name)));
                }
                Err(why) => out.unchecked.push(unchecked(
                    name,
                    ProviderError::new(
                        ErrorKind::Malformed,
                        "azure-network",
                        "NetworkSecurityGroups_List",
                        why,
                    ),
                )),
            }
        }
        out.sorted()
    }
}
