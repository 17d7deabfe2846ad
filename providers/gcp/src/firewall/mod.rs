//! GCP VPC firewall rules: compute v1 `firewalls.list` for each project,
//! paged by `nextPageToken`, kept for the configured networks.

#[cfg(test)]
mod replay_tests;

use crate::TokenSource;
use driftgate_model::firewall::{gcp_rule, network_name};
use driftgate_model::http;
use driftgate_model::provider::scope_key;
use driftgate_model::{ErrorKind, Kind, Provider, ProviderError, ScanResult, Unchecked};
use serde_json::Value;
use std::sync::Arc;

/// The Compute Engine API's public endpoint.
pub const COMPUTE_ENDPOINT: &str = "https://compute.googleapis.com";

/// The firewall provider for one project.
#[derive(Debug, Clone)]
pub struct GcpFirewallProvider {
    http: reqwest::Client,
    endpoint: String,
    token: Arc<dyn TokenSource>,
    project: String,
    networks: Vec<String>,
}

fn err(kind: ErrorKind, message: String) -> ProviderError {
    ProviderError::new(kind, "gcp-compute", "firewalls.list", message)
}

impl GcpFirewallProvider {
    #[must_use]
    pub fn new(
        endpoint: &str,
        token: Arc<dyn TokenSource>,
        project: &str,
        networks: Vec<String>,
    ) -> Self {
        GcpFirewallProvider {
            http: http::client(),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
            project: project.to_owned(),
            networks,
        }
    }

    /// Every firewall rule of the project, following `nextPageToken`.
    ///
    /// # Errors
    /// The first call that fails past its retries, classified.
    pub async fn list(&self) -> Result<Vec<Value>, ProviderError> {
        let token = self.token.token().await?;
        let base = format!(
            "{}/compute/v1/projects/{}/global/firewalls",
            self.endpoint, self.project
        );
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        for _ in 0..10_000 {
            let mut query = vec![("maxResults", "500".to_owned())];
            if let Some(p) = &page {
                query.push(("pageToken", p.clone()));
            }
            let body = self.get(&base, &query, &token).await?;
            if let Some(items) = body.get("items").and_then(Value::as_array) {
                out.extend(items.iter().cloned());
            }
            match body
                .get("nextPageToken")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
            {
                Some(t) => page = Some(t.to_owned()),
                None => return Ok(out),
            }
        }
        Err(err(
            ErrorKind::Unsupported,
            "nextPageToken never ends".into(),
        ))
    }

    async fn get(
        &self,
        url: &str,
        query: &[(&str, String)],
        token: &str,
    ) -> Result<Value, ProviderError> {
        let mut full = url.to_owned();
        for (i, (k, v)) in query.iter().enumerate() {
            full.push(if i == 0 { '?' } else { '&' });
            full.push_str(k);
            full.push('=');
            full.push_str(&encode(v));
        }
        http::call(
            "gcp-compute",
            "firewalls.list",
            || Ok(self.http.get(&full).bearer_auth(token)),
            |answer| http::rest_json("gcp-compute", "firewalls.list", answer, whole_list),
        )
        .await
    }
}

/// A `firewalls.list` answer is whole: a `compute#firewallList` (whose
/// `items` is left out when there are none, as the API documents) with
/// `items` a list where present.
fn whole_list(v: &Value) -> Result<(), String> {
    if v.get("kind").and_then(Value::as_str) != Some("compute#firewallList") {
        return Err("the answer is not a `compute#firewallList`".into());
    }
    match v.get("items") {
        None | Some(Value::Array(_)) => Ok(()),
        Some(_) => Err("the answer's `items` is not a list".into()),
    }
}

/// A query value, percent-encoded (everything but RFC 3986's unreserved
/// characters).
fn encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

#[async_trait::async_trait]
impl Provider for GcpFirewallProvider {
    fn name(&self) -> &'static str {
        "gcp-compute"
    }

    fn supports(&self) -> &'static [Kind] {
        &[Kind::FirewallRule]
    }

    async fn scan(&self) -> ScanResult {
        let mut out = ScanResult::default();
        let scopes: Vec<String> = self
            .networks
            .iter()
            .map(|n| format!("{}:{n}", self.project))
            .collect();
        let items = match self.list().await {
            Ok(items) => items,
            // The project is gone: every rule declared in it is missing.
            Err(e) if e.kind == ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                for s in scopes {
                    out.unchecked.push(Unchecked {
                        kind: Kind::FirewallRule,
                        id: format!("{s}/*"),
                        error: e.clone(),
                    });
                }
                return out;
            }
        };
        for fw in &items {
            let network = fw
                .get("network")
                .and_then(Value::as_str)
                .map(network_name)
                .unwrap_or_default();
            if !self.networks.iter().any(|n| n == network) {
                continue;
            }
            match gcp_rule(&self.project, fw, None) {
                Ok(r) => out.resources.push(r),
                Err(m) => {
                    let name = fw.get("name").and_then(Value::as_str).unwrap_or("?");
                    out.unchecked.push(Unchecked {
                        kind: Kind::FirewallRule,
                        id: format!("{}:{network}/{name}", self.project),
                        error: err(ErrorKind::Unsupported, m),
                    });
                }
            }
        }
        out.scopes_read = scopes
            .iter()
            .map(|s| scope_key(Kind::FirewallRule, s))
            .collect();
        out.resources.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }
}
