//! `dns_record`: one DNS record set. Id: `<zone>/<name>/<type>` plus
//! `/<set identifier>` where there is one.
//!
//! - [`normalize`]: names, TTLs, values per record type, routing policies;
//!   the apex SOA and NS are the provider's.
//! - [`formats`]: native `kind: dns_zone` YAML, octoDNS zone files, RFC 1035
//!   zone files.

pub mod adopt;
pub mod formats;
pub mod normalize;
pub mod revert;

use super::KindRules;
use crate::normalize::{Mode, Node, SchemaError};
use driftgate_model::Kind;
use serde_json::Value;

/// The DNS record set kind.
pub struct DnsRecord;

impl KindRules for DnsRecord {
    fn kind(&self) -> Kind {
        Kind::DnsRecord
    }

    fn normalize(&self, spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
        normalize::normalize(spec, mode)
    }

    fn provider_owned(&self, id: &str) -> bool {
        normalize::provider_owned(id)
    }
}
