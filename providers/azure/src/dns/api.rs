//! The Azure DNS REST calls: GET only.

use crate::TokenSource;
use driftgate_model::ProviderError;
use serde_json::Value;

/// The Azure DNS API version driftgate speaks.
pub const API_VERSION: &str = "2018-05-01";

/// Pages a record set listing, following `nextLink` until it is absent.
///
/// # Errors
/// The first call that fails past its retries, classified.
pub async fn list(
    http: &reqwest::Client,
    token: &dyn TokenSource,
    first: &str,
) -> Result<Vec<Value>, ProviderError> {
    crate::arm::list(http, token, "azure-dns", "RecordSets_ListByDnsZone", first).await
}
