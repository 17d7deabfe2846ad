//! `driftgate import` for firewall rules: a native file per security group
//! (`firewall/<vpc>/<group id>.yaml`), per GCP network
//! (`firewall/<project>-<network>.yaml`) and per Azure network security group
//! (`firewall/azure-<resource group>-<group>.yaml`), with the rules not
//! declared yet.

use crate::config::Scope;
use crate::diff::scope_of;
use driftgate_model::Resource;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The files for the live rules of `scope`'s VPCs and networks not declared yet.
#[must_use]
pub fn files(scope: &Scope, undeclared: &[&Resource]) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    if let Some(g) = &scope.gcp {
        for (project, network) in g.networks() {
            let target = format!("{project}:{network}");
            let rules: Vec<&Resource> = undeclared
                .iter()
                .copied()
                .filter(|r| scope_of(&r.id) == target)
                .collect();
            if rules.is_empty() {
                continue;
            }
            let path = scope
                .declared
                .join("firewall")
                .join(format!("{project}-{network}.yaml"));
            out.push((
                path,
                super::formats::gcp::native_yaml(&project, &network, &rules),
            ));
        }
    }
    if let Some(az) = &scope.azure {
        for nsg in &az.network_security_groups {
            let target = az.nsg_target(nsg);
            let rules: Vec<&Resource> = undeclared
                .iter()
                .copied()
                .filter(|r| scope_of(&r.id) == target)
                .collect();
            if rules.is_empty() {
                continue;
            }
            let path = scope
                .declared
                .join("firewall")
                .join(format!("azure-{}-{nsg}.yaml", az.resource_group));
            out.push((
                path,
                super::formats::azure::native_yaml(&az.resource_group, nsg, &rules),
            ));
        }
    }
    let vpcs = scope
        .aws
        .as_ref()
        .map(|a| a.security_group_vpcs.clone())
        .unwrap_or_default();
    let mut groups: BTreeMap<(String, String), Vec<&Resource>> = BTreeMap::new();
    for r in undeclared {
        if vpcs.iter().any(|v| v == scope_of(&r.id)) {
            let vpc = r.spec["vpc"].as_str().unwrap_or_default().to_owned();
            let gid = r.spec["groupId"].as_str().unwrap_or_default().to_owned();
            groups.entry((vpc, gid)).or_default().push(r);
        }
    }
    for ((vpc, gid), rules) in groups {
        let path = scope
            .declared
            .join("firewall")
            .join(&vpc)
            .join(format!("{gid}.yaml"));
        out.push((path, super::formats::native_yaml(&rules)));
    }
    out
}
