//! The Terraform way out of a drift, for resources declared in a state (or
//! unmanaged in a scope declared with Terraform): `terraform apply` to put
//! live back to the configuration, the attribute to change or an `import`
//! block to take live in. driftgate writes no HCL itself: an import block
//! comes as a patch to review.

use crate::config::Scope;
use driftgate_model::{Cloud, Finding, Kind, Resource, State, Suggestion};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

use super::sh;

/// Where a security group is declared in Terraform: its address and
/// block, by group id (from the findings of declared rules).
pub type Groups = HashMap<String, (String, String)>;

/// The groups of a report's Terraform-declared AWS rules.
#[must_use]
pub fn groups(findings: &[Finding]) -> Groups {
    let mut out = Groups::new();
    for f in findings {
        if f.kind != Kind::FirewallRule {
            continue;
        }
        let (Some(address), Some(at)) = (&f.address, &f.declared_at) else {
            continue;
        };
        if let Some(g) = f.id.split('/').nth(1).filter(|g| g.starts_with("sg-")) {
            out.entry(g.to_owned())
                .or_insert_with(|| (address.clone(), at.clone()));
        }
    }
    out
}

fn workspace_prefix(scope: &Scope) -> String {
    scope
        .terraform
        .as_ref()
        .and_then(|t| t.workspace.as_deref())
        .filter(|w| *w != "default")
        .map(|w| format!("terraform workspace select {} && ", sh(w)))
        .unwrap_or_default()
}

/// A Terraform identifier from an id: `www.example.com/A` -> `www_example_com_a`.
fn ident(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    let out = out.trim_matches('_').to_owned();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        format!("r_{out}")
    } else {
        out
    }
}

/// The suggestion for a resource declared in Terraform, or unmanaged in a
/// scope declared with it. `s` holds the cloud's own revert commands.
pub fn suggest(
    f: &Finding,
    scope: &Scope,
    live: Option<&Resource>,
    groups: &Groups,
    zone_ids: &HashMap<String, String>,
    root: &Path,
    s: &mut Suggestion,
) {
    let ws = workspace_prefix(scope);
    match (&f.address, f.state) {
        (Some(address), State::Changed | State::Missing) => {
            let cloud_way = std::mem::take(&mut s.revert);
            s.revert = vec![format!("{ws}terraform apply -target={}", sh(address))];
            if !cloud_way.is_empty() {
                s.notes.push(format!(
                    "revert without Terraform: {} (the next `terraform apply` would do it too)",
                    cloud_way.join(" && ")
                ));
            }
            let at = f.declared_at.as_deref().unwrap_or("its block");
            if f.state == State::Changed {
                let fields: Vec<String> = f
                    .changes
                    .iter()
                    .map(|c| format!("{} = {}", c.path, c.live))
                    .collect();
                s.notes.push(format!(
                    "adopt: in the block of {address} ({at}) set what live has ({}), then `{ws}terraform apply -refresh-only -target={}`",
                    fields.join("; "),
                    sh(address)
                ));
            } else {
                s.notes.push(format!(
                    "adopt the deletion: remove {address} from the configuration ({at}; for a `count` or `for_each` instance, its key), then `{ws}terraform state rm {}`",
                    sh(address)
                ));
            }
        }
        (None, State::Unmanaged) => unmanaged(f, scope, live, groups, zone_ids, root, &ws, s),
        _ => {}
    }
}

/// An import block for an undeclared live resource, or the inline rule to
/// add to a group Terraform already declares.
#[allow(clippy::too_many_arguments)]
fn unmanaged(
    f: &Finding,
    scope: &Scope,
    live: Option<&Resource>,
    groups: &Groups,
    zone_ids: &HashMap<String, String>,
    root: &Path,
    ws: &str,
    s: &mut Suggestion,
) {
    let Some(live) = live else { return };
    let spec = &live.spec;
    let text = |k: &str| spec.get(k).and_then(Value::as_str).unwrap_or_default();
    let import = match (f.kind, f.cloud) {
        (Kind::EcsService, _) => {
            let (cluster, name) = f.id.rsplit_once('/').unwrap_or((&f.id, ""));
            let cluster = crate::config::bare(cluster);
            let cluster = cluster.split('@').next().unwrap_or(cluster);
            let mut blocks = vec![(
                "aws_ecs_service".to_owned(),
                ident(name),
                format!("{cluster}/{name}"),
            )];
            if let Some(arn) = spec
                .pointer("/taskDefinition/taskDefinitionArn")
                .and_then(Value::as_str)
            {
                blocks.push((
                    "aws_ecs_task_definition".to_owned(),
                    ident(name),
                    arn.to_owned(),
                ));
            }
            blocks
        }
        (Kind::DnsRecord, Some(Cloud::Aws)) => {
            let zone = text("zone");
            let Some(zone_id) = zone_ids.get(zone) else {
                s.notes.push(format!(
                    "adopt: import it into Terraform as aws_route53_record with the id `<zone id>_{}_{}{}` (the zone id: `aws route53 list-hosted-zones-by-name --dns-name {zone} --query 'HostedZones[0].Id'`)",
                    text("name"),
                    text("type"),
                    spec.get("setIdentifier").and_then(Value::as_str).map(|i| format!("_{i}")).unwrap_or_default()
                ));
                return;
            };
            let mut id = format!("{zone_id}_{}_{}", text("name"), text("type"));
            if let Some(i) = spec.get("setIdentifier").and_then(Value::as_str) {
                id.push('_');
                id.push_str(i);
            }
            vec![(
                "aws_route53_record".to_owned(),
                ident(crate::config::bare(&f.id)),
                id,
            )]
        }
        (Kind::DnsRecord, Some(Cloud::Azure)) => {
            let Some(az) = &scope.azure else { return };
            let zone = text("zone");
            let name = text("name");
            let rel = name
                .strip_suffix(&format!(".{zone}"))
                .unwrap_or(if name == zone { "@" } else { name });
            let rtype = text("type");
            vec![(
                format!("azurerm_dns_{}_record", rtype.to_lowercase()),
                ident(crate::config::bare(&f.id)),
                format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/dnsZones/{zone}/{rtype}/{rel}",
                    az.subscription, az.resource_group
                ),
            )]
        }
        (Kind::FirewallRule, Some(Cloud::Gcp)) => vec![(
            "google_compute_firewall".to_owned(),
            ident(text("name")),
            format!(
                "projects/{}/global/firewalls/{}",
                text("project"),
                text("name")
            ),
        )],
        (Kind::FirewallRule, Some(Cloud::Aws)) => {
            let group = text("groupId");
            let block = rule_block(spec);
            match groups.get(group) {
                Some((address, at)) if address.contains("aws_security_group.") || address.contains("aws_default_security_group.") => {
                    s.notes.push(format!(
                        "adopt: add to the block of {address} ({at}):\n{block}\nthen `{ws}terraform apply -refresh-only -target={}`",
                        sh(address)
                    ));
                }
                _ => s.notes.push(format!(
                    "adopt: declare it in Terraform (group {group}) as an aws_vpc_security_group_{}_rule, and import it by its rule id (`aws ec2 describe-security-group-rules --filters Name=group-id,Values={group}`); the rule as a block:\n{block}",
                    text("direction")
                )),
            }
            return;
        }
        _ => return,
    };
    let mut block = String::new();
    for (rtype, name, id) in &import {
        block.push_str(&format!(
            "\nimport {{\n  to = {rtype}.{name}\n  id = {}\n}}\n",
            Value::String(id.clone())
        ));
    }
    let dir = scope
        .terraform
        .as_ref()
        .and_then(|t| t.configuration.clone())
        .unwrap_or_else(|| scope.declared.clone());
    let file = dir.join("driftgate_imports.tf");
    let old = std::fs::read_to_string(&file).unwrap_or_default();
    let new = format!("{old}{block}");
    let rel = file
        .strip_prefix(root)
        .unwrap_or(&file)
        .display()
        .to_string();
    let patch = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .header(
            &if old.is_empty() {
                "/dev/null".to_owned()
            } else {
                format!("a/{rel}")
            },
            &format!("b/{rel}"),
        )
        .to_string();
    s.adopt = Some(format!(
        "{ws}terraform plan -generate-config-out=generated_{}.tf",
        import
            .first()
            .map_or_else(String::new, |(_, n, _)| n.clone())
    ));
    s.patch = Some(patch);
    s.notes.push(format!(
        "adopt: add the import block to {rel} (the patch), let `terraform plan -generate-config-out` write its configuration, review it, then `terraform apply`"
    ));
}

/// An AWS rule as an inline `ingress` / `egress` block.
fn rule_block(spec: &Value) -> String {
    let text = |k: &str| spec.get(k).and_then(Value::as_str).unwrap_or_default();
    let protocol = match text("protocol") {
        "all" => "-1",
        p => p,
    };
    let (from, to) = match text("ports") {
        "any" => match protocol {
            "tcp" | "udp" => ("0".to_owned(), "65535".to_owned()),
            "icmp" | "icmpv6" => ("-1".to_owned(), "-1".to_owned()),
            _ => ("0".to_owned(), "0".to_owned()),
        },
        p => match p.split_once(['-', ':']) {
            Some((a, b)) => (a.to_owned(), b.replace("any", "-1")),
            None => (p.to_owned(), p.to_owned()),
        },
    };
    let peer = text("peer");
    let peer_line = match text("peerType") {
        "security_group" => format!("security_groups = [\"{peer}\"]"),
        "prefix_list" => format!("prefix_list_ids = [\"{peer}\"]"),
        _ if peer.contains(':') => format!("ipv6_cidr_blocks = [\"{peer}\"]"),
        _ => format!("cidr_blocks = [\"{peer}\"]"),
    };
    let mut out = format!(
        "  {} {{\n    protocol  = \"{protocol}\"\n    from_port = {from}\n    to_port   = {to}\n    {peer_line}\n",
        text("direction")
    );
    if let Some(d) = spec.get("description").and_then(Value::as_str) {
        out.push_str(&format!(
            "    description = {}\n",
            Value::String(d.to_owned())
        ));
    }
    out.push_str("  }");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifiers_and_rule_blocks() {
        assert_eq!(
            ident("example.com/www.example.com/A"),
            "example_com_www_example_com_a"
        );
        assert_eq!(ident("1st"), "r_1st");
        let b = rule_block(
            &json!({"direction": "ingress", "protocol": "tcp", "ports": "22", "peerType": "cidr", "peer": "0.0.0.0/0", "description": "temp debug"}),
        );
        assert_eq!(
            b,
            "  ingress {\n    protocol  = \"tcp\"\n    from_port = 22\n    to_port   = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n    description = \"temp debug\"\n  }"
        );
    }
}
