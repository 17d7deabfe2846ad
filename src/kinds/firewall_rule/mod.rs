//! `firewall_rule`: one effective firewall rule (an AWS security group rule
//! with one peer, a GCP VPC firewall rule).
//!
//! - [`normalize`]: protocols, ports, peers in canonical form; the egress
//!   allow-all rule AWS gives every group is the provider's.
//! - [`formats`]: native `kind: security_group` YAML, `aws ec2
//!   describe-security-groups` output, GCP rules (gcloud, REST, native).

pub mod adopt;
pub mod formats;
pub mod normalize;
pub mod revert;

use super::KindRules;
use crate::normalize::{Mode, Node, SchemaError};
use driftgate_model::Kind;
use serde_json::Value;

/// The firewall rule kind.
pub struct FirewallRule;

impl KindRules for FirewallRule {
    fn kind(&self) -> Kind {
        Kind::FirewallRule
    }

    fn normalize(&self, spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
        normalize::normalize(spec, mode)
    }

    fn provider_owned(&self, id: &str) -> bool {
        normalize::provider_owned(id)
    }
}
