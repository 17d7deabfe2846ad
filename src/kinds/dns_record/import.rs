//! `driftgate import` for DNS record sets: one native zone file per zone of
//! the scope, `dns/<zone>.yaml`, with the record sets not declared yet.

use crate::config::Scope;
use crate::diff::scope_of;
use driftgate_model::Resource;
use std::path::PathBuf;

/// The files for the live record sets of `scope`'s zones not declared yet.
#[must_use]
pub fn files(scope: &Scope, undeclared: &[&Resource]) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for zone in scope.dns_zones() {
        let target = crate::config::prefixed(scope.zone_prefix(&zone), &zone);
        let records: Vec<&Resource> = undeclared
            .iter()
            .copied()
            .filter(|r| scope_of(&r.id) == target)
            .collect();
        if records.is_empty() {
            continue;
        }
        let path = scope.declared.join("dns").join(format!("{zone}.yaml"));
        out.push((path, super::formats::native_yaml(&zone, &records)));
    }
    out
}
