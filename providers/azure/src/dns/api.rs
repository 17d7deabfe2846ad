//! The Azure DNS REST calls: GET only.

use crate::TokenSource;
use driftgate_model::ProviderError;
use serde_json::Value;

/// The Azure DNS API version driftgate speaks.
pub const API_VERSION: &str = "2018-05-01";

/// Pages a record set listing, following `nextLink` until it is absent,
/// each page's record sets handed to `page` as it arrives.
///
/// # Errors
/// The first call that fails past its retries, classified.
pub async fn list_pages(
    http: &reqwest::Client,
    token: &dyn TokenSource,
    first: &str,
    page: impl FnMut(Vec<Value>),
) -> Result<(), ProviderError> {
    crate::arm::list_pages(
        http,
        token,
        "azure-dns",
        "RecordSets_ListByDnsZone",
        first,
        page,
    )
    .await
}
