//! Tokens for the Compute Engine API.

use driftgate_model::{ErrorKind, ProviderError};
use tokio::sync::OnceCell;

/// The read-only Compute Engine scope.
pub const SCOPE: &str = "https://www.googleapis.com/auth/compute.readonly";

/// Something that hands out bearer tokens.
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + std::fmt::Debug {
    /// A token for the Compute Engine API.
    ///
    /// # Errors
    /// No credential could produce one.
    async fn token(&self) -> Result<String, ProviderError>;
}

/// A token given outright (`DRIFTGATE_GCP_TOKEN`, e.g. from
/// `gcloud auth print-access-token`).
#[derive(Debug, Clone)]
pub struct StaticToken(pub String);

#[async_trait::async_trait]
impl TokenSource for StaticToken {
    async fn token(&self) -> Result<String, ProviderError> {
        Ok(self.0.clone())
    }
}

/// The read-only Cloud Storage scope (a Terraform state in a GCS backend).
pub const STORAGE_SCOPE: &str = "https://www.googleapis.com/auth/devstorage.read_only";

/// Application Default Credentials, found once on first use.
#[derive(Default)]
pub struct Adc {
    provider: OnceCell<std::sync::Arc<dyn gcp_auth::TokenProvider>>,
    /// The OAuth scope asked for; Compute Engine read-only when `None`.
    scope: Option<&'static str>,
}

impl Adc {
    /// Credentials asking for another scope than Compute Engine's.
    #[must_use]
    pub fn for_scope(scope: &'static str) -> Self {
        Adc {
            provider: OnceCell::new(),
            scope: Some(scope),
        }
    }
}

impl std::fmt::Debug for Adc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Adc")
    }
}

fn unauthenticated(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::new(
        ErrorKind::Unauthenticated,
        "gcp-compute",
        "GetToken",
        e.to_string(),
    )
}

#[async_trait::async_trait]
impl TokenSource for Adc {
    async fn token(&self) -> Result<String, ProviderError> {
        let provider = self
            .provider
            .get_or_try_init(|| async { gcp_auth::provider().await.map_err(unauthenticated) })
            .await?;
        let token = provider
            .token(&[self.scope.unwrap_or(SCOPE)])
            .await
            .map_err(unauthenticated)?;
        Ok(token.as_str().to_owned())
    }
}
