//! Tokens for Azure Resource Manager.

use azure_core::credentials::{Secret, TokenCredential};
use azure_identity::{
    AzureCliCredential, ClientSecretCredential, ManagedIdentityCredential,
    WorkloadIdentityCredential,
};
use driftgate_model::{ErrorKind, ProviderError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The scope of an Azure Resource Manager token.
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";

/// Something that hands out bearer tokens.
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + std::fmt::Debug {
    /// A token for Azure Resource Manager.
    ///
    /// # Errors
    /// No credential could produce one.
    async fn token(&self) -> Result<String, ProviderError>;
}

/// A token given outright (`DRIFTGATE_AZURE_TOKEN`, e.g. the output of
/// `az account get-access-token --query accessToken -o tsv`).
#[derive(Debug, Clone)]
pub struct StaticToken(pub String);

#[async_trait::async_trait]
impl TokenSource for StaticToken {
    async fn token(&self) -> Result<String, ProviderError> {
        Ok(self.0.clone())
    }
}

/// The azure_identity credentials, tried in order; the first that gives a
/// token is used from then on.
#[derive(Debug)]
pub struct IdentityChain {
    credentials: Vec<(&'static str, Arc<dyn TokenCredential>)>,
    working: AtomicUsize,
    /// The token's scope: Resource Manager's unless set.
    scope: &'static str,
}

/// The scope of an Azure Storage token (a Terraform state in Blob storage).
pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";

impl IdentityChain {
    /// The chain this environment allows: a client secret when
    /// `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` are set;
    /// workload identity when `AZURE_FEDERATED_TOKEN_FILE` is set; then
    /// managed identity; then the Azure CLI's login.
    #[must_use]
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        // The credentials' HTTP clients take the process's TLS provider.
        driftgate_model::http::tls();
        let mut credentials: Vec<(&'static str, Arc<dyn TokenCredential>)> = Vec::new();
        if let (Some(tenant), Some(client), Some(secret)) = (
            var("AZURE_TENANT_ID"),
            var("AZURE_CLIENT_ID"),
            var("AZURE_CLIENT_SECRET"),
        ) && let Ok(c) = ClientSecretCredential::new(&tenant, client, Secret::new(secret), None)
        {
            credentials.push(("client secret", c));
        }
        if var("AZURE_FEDERATED_TOKEN_FILE").is_some()
            && let Ok(c) = WorkloadIdentityCredential::new(None)
        {
            credentials.push(("workload identity", c));
        }
        if let Ok(c) = ManagedIdentityCredential::new(None) {
            credentials.push(("managed identity", c));
        }
        if let Ok(c) = AzureCliCredential::new(None) {
            credentials.push(("Azure CLI", c));
        }
        IdentityChain {
            credentials,
            working: AtomicUsize::new(0),
            scope: ARM_SCOPE,
        }
    }

    /// [`IdentityChain::from_env`], for tokens of another scope.
    #[must_use]
    pub fn from_env_for(scope: &'static str) -> Self {
        IdentityChain {
            scope,
            ..IdentityChain::from_env()
        }
    }
}

#[async_trait::async_trait]
impl TokenSource for IdentityChain {
    async fn token(&self) -> Result<String, ProviderError> {
        let start = self.working.load(Ordering::Relaxed);
        let mut failures = Vec::new();
        for (i, (name, c)) in self.credentials.iter().enumerate().skip(start) {
            match c.get_token(&[self.scope], None).await {
                Ok(t) => {
                    self.working.store(i, Ordering::Relaxed);
                    return Ok(t.token.secret().to_owned());
                }
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
        Err(ProviderError::new(
            ErrorKind::Unauthenticated,
            "azure",
            "GetToken",
            if failures.is_empty() {
                "no Azure credential is available".to_owned()
            } else {
                failures.join("; ")
            },
        ))
    }
}
