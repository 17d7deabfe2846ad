//! `ecs_service`: an ECS service together with the task definition it runs.
//! Id: `<cluster>/<service>`.
//!
//! - [`normalize`]: the field table of CreateService and
//!   RegisterTaskDefinition, AWS's defaults, units, list order.
//! - [`formats`]: native `kind: ecs_service` YAML and the AWS CLI / ecspresso
//!   JSON pair, with ecspresso templates.

pub mod adopt;
pub mod formats;
pub mod normalize;
pub mod revert;

use super::KindRules;
use crate::normalize::{Mode, Node, SchemaError, SecretPolicy};
use driftgate_model::Kind;
use serde_json::Value;

/// The ECS service kind.
pub struct EcsService;

impl KindRules for EcsService {
    fn kind(&self) -> Kind {
        Kind::EcsService
    }

    fn normalize(&self, spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
        normalize::normalize(spec, mode)
    }

    fn mask(&self, spec: &mut Value, policy: &SecretPolicy) -> Vec<String> {
        policy.mask_ecs(spec)
    }

    fn declared_only(&self, path: &str) -> bool {
        normalize::declared_only(path)
    }
}
