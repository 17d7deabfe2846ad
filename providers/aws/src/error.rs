//! Maps SDK errors into the shared [`ProviderError`].

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use driftgate_model::error::chain;
use driftgate_model::{ErrorKind, ProviderError};

/// Classifies an SDK error by what the user can do about it.
pub fn classify<E, R>(err: &SdkError<E, R>, service: &str, operation: &str) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let text = chain(err);
    let kind = match err {
        SdkError::TimeoutError(_) => ErrorKind::Unreachable,
        // A success status whose body did not parse, or was not whole
        // (crate::whole): retried by the SDK, then this.
        SdkError::ResponseError(_) => ErrorKind::Malformed,
        SdkError::DispatchFailure(d) => {
            if text.contains("credentials") || text.contains("Credentials") {
                ErrorKind::Unauthenticated
            } else if d.is_user() {
                ErrorKind::Other
            } else {
                // Timed out, refused, reset, or closed before the answer
                // was complete: the endpoint did not answer.
                ErrorKind::Unreachable
            }
        }
        SdkError::ServiceError(s) => kind_of_code(s.err().code().unwrap_or_default()),
        _ if text.contains("credentials") || text.contains("identity") => {
            ErrorKind::Unauthenticated
        }
        _ => ErrorKind::Other,
    };
    let message = match err {
        SdkError::ServiceError(s) => {
            let e = s.err();
            let status = (s.raw() as &dyn std::any::Any)
                .downcast_ref::<aws_smithy_runtime_api::http::Response>()
                .map(|r| r.status().as_u16());
            match (e.code(), e.message(), status) {
                (None, None | Some(""), Some(status)) => {
                    format!("HTTP {status}, and no AWS error code in the answer")
                }
                (code, message, _) => {
                    format!(
                        "{}: {}",
                        code.unwrap_or("error"),
                        message.unwrap_or_default()
                    )
                }
            }
        }
        _ => text,
    };
    ProviderError::new(kind, service, operation, message)
}

/// The error code of an AWS JSON or Query response, by class.
#[must_use]
pub fn kind_of_code(code: &str) -> ErrorKind {
    match code {
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => {
            ErrorKind::PermissionDenied
        }
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "ExpiredTokenException"
        | "ExpiredToken"
        | "InvalidSignatureException"
        | "MissingAuthenticationToken"
        | "IncompleteSignature" => ErrorKind::Unauthenticated,
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "PriorRequestNotComplete" => ErrorKind::Throttled,
        "ClusterNotFoundException" | "ServiceNotFoundException" | "NoSuchHostedZone" => {
            ErrorKind::NotFound
        }
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_classes() {
        assert_eq!(
            kind_of_code("AccessDeniedException"),
            ErrorKind::PermissionDenied
        );
        assert_eq!(kind_of_code("ThrottlingException"), ErrorKind::Throttled);
        assert_eq!(
            kind_of_code("ExpiredTokenException"),
            ErrorKind::Unauthenticated
        );
        assert_eq!(
            kind_of_code("ClusterNotFoundException"),
            ErrorKind::NotFound
        );
        assert_eq!(kind_of_code("ServerException"), ErrorKind::Other);
    }
}
