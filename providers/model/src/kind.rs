//! The kinds of resource driftgate compares.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A resource kind, spelled in reports and config as `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
/// Not `non_exhaustive`: a new kind must be handled everywhere kinds are matched.
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An ECS service together with the task definition it runs.
    /// Id: `<cluster>/<service>`.
    EcsService,
    /// A DNS record set. Id: `<zone>/<name>/<type>[/<set identifier>]`.
    DnsRecord,
    /// One firewall rule (security group rule, VPC firewall rule).
    FirewallRule,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: &'static [Kind] = &[Kind::EcsService, Kind::DnsRecord, Kind::FirewallRule];

    /// The name used in config files and reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::EcsService => "ecs_service",
            Kind::DnsRecord => "dns_record",
            Kind::FirewallRule => "firewall_rule",
        }
    }

    /// Parses a kind name as written in config files.
    #[must_use]
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Kind::parse("ecs"), None);
        assert_eq!(
            serde_json::to_string(&Kind::EcsService).unwrap(),
            "\"ecs_service\""
        );
    }
}
