//! Errors every provider maps its SDK's failures into.

use serde::{Deserialize, Serialize};

/// An error and its causes as one line, each cause once (SDK and HTTP
/// errors repeat their source's text, and some add Debug dumps).
#[must_use]
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// The cross-provider classes of failure. Reports and hints key on these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// No usable credentials were found.
    Unauthenticated,
    /// The credentials were refused for this call.
    PermissionDenied,
    /// Throttled past the retry budget.
    Throttled,
    /// The endpoint did not answer in time, or could not be reached.
    Unreachable,
    /// The named scope (a cluster, a zone) does not exist.
    NotFound,
    /// The cloud answered something driftgate does not understand.
    Unsupported,
    /// A success answer that is not whole: cut short, empty, or missing a
    /// field the API always sends. Retried, then this.
    Malformed,
    /// The scan's deadline (`[scan] timeout`, `--timeout`) passed first.
    Deadline,
    /// Anything else.
    Other,
}

/// A provider failure, naming which cloud service failed and for what.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Serialize, Deserialize)]
#[error("{service} {operation}: {message}")]
pub struct ProviderError {
    pub kind: ErrorKind,
    /// The cloud service, e.g. `ecs`.
    pub service: String,
    /// The API call, e.g. `ListServices`.
    pub operation: String,
    pub message: String,
}

impl ProviderError {
    #[must_use]
    pub fn new(
        kind: ErrorKind,
        service: &str,
        operation: &str,
        message: impl Into<String>,
    ) -> Self {
        ProviderError {
            kind,
            service: service.to_owned(),
            operation: operation.to_owned(),
            message: message.into(),
        }
    }

    /// The class of failure in words.
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ErrorKind::Unauthenticated => "no credentials",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::NotFound => "not found",
            ErrorKind::Unsupported => "unsupported response",
            ErrorKind::Malformed => "malformed answer",
            ErrorKind::Deadline => "deadline exceeded",
            ErrorKind::Other => "error",
        }
    }

    /// A one-line hint for the user, by class of failure and cloud.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        let azure = self.service.starts_with("azure");
        let gcp = self.service.starts_with("gcp");
        match (self.kind, azure) {
            (ErrorKind::Malformed, _) => {
                "the answer was cut short or malformed past retries (a proxy or the network?): run again"
            }
            (ErrorKind::Deadline, _) => {
                "the scan's deadline passed first: raise [scan] timeout or --timeout, or narrow the scope"
            }
            (ErrorKind::Unauthenticated, false) if gcp => {
                "no GCP token: run `gcloud auth application-default login`, or set DRIFTGATE_GCP_TOKEN"
            }
            (ErrorKind::PermissionDenied, false) if gcp => {
                "the identity lacks a read role on the project: see the GCP role in the README"
            }
            (ErrorKind::Unreachable, false) if gcp => {
                "the endpoint could not be reached: check the network and `endpoint` in [scope.gcp]"
            }
            (ErrorKind::Unauthenticated, false) => {
                "no credentials: set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
            }
            (ErrorKind::Unauthenticated, true) => {
                "no Azure token: run `az login`, set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or DRIFTGATE_AZURE_TOKEN"
            }
            (ErrorKind::PermissionDenied, false) => {
                "the credentials lack a read permission: see the IAM policy in the README"
            }
            (ErrorKind::PermissionDenied, true) => {
                "the identity lacks a read role on the zone: see the Azure role in the README"
            }
            (ErrorKind::Throttled, _) => {
                "throttled past retries: run again later or narrow the scope"
            }
            (ErrorKind::Unreachable, false) => {
                "the endpoint could not be reached: check the network, the region and AWS_ENDPOINT_URL"
            }
            (ErrorKind::Unreachable, true) => {
                "the endpoint could not be reached: check the network and `endpoint` in [scope.azure]"
            }
            (ErrorKind::NotFound, _) => {
                "not found where driftgate looked: check the region, account (profile, role) and names of the scope in driftgate.toml"
            }
            (ErrorKind::Unsupported | ErrorKind::Other, _) => "",
        }
    }
}
