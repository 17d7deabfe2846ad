//! Keeps the raw JSON body of a call's response.
//!
//! ECS speaks JSON over HTTP in the same field names the CLI prints and
//! `--cli-input-json` takes. Keeping that body, rather than re-serializing the
//! SDK's typed output field by field, means every field the API returned
//! reaches the model, including ones newer than this code.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, Mutex};

/// An interceptor for one call; clone it before attaching, then [`RawBody::take`].
#[derive(Debug, Clone, Default)]
pub struct RawBody {
    body: Arc<Mutex<Option<Vec<u8>>>>,
}

impl RawBody {
    #[must_use]
    pub fn new() -> Self {
        RawBody::default()
    }

    /// The body of the last successful response, parsed as JSON.
    ///
    /// # Errors
    /// When no body was kept or it is not JSON.
    pub fn take(&self) -> Result<serde_json::Value, String> {
        let bytes = self
            .body
            .lock()
            .map_err(|_| "response body lock poisoned".to_owned())?
            .take()
            .ok_or_else(|| "the response body was not kept".to_owned())?;
        serde_json::from_slice(&bytes).map_err(|e| format!("response is not JSON: {e}"))
    }
}

impl Intercept for RawBody {
    fn name(&self) -> &'static str {
        "driftgate::RawBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(bytes) = context.response().body().bytes()
            && let Ok(mut slot) = self.body.lock()
        {
            *slot = Some(bytes.to_vec());
        }
        Ok(())
    }
}
