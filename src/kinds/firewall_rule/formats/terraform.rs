//! Firewall rules in a Terraform state: `aws_security_group` and
//! `aws_default_security_group` (inline `ingress` / `egress`),
//! `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule` and
//! `_egress_rule`, `google_compute_firewall`, and
//! `azurerm_network_security_group` (inline `security_rule`) and
//! `azurerm_network_security_rule`. Attributes as the AWS and
//! Google providers document them ("Attribute Reference" of each type); the
//! driftctl state in the corpus shows the group shape.
//!
//! Each is put in the shape its cloud's API answers with (a
//! `describe-security-groups` group, a compute `Firewall`) and flattened by
//! the same code that reads live ones.

use crate::declared::terraform::state::Instance;
use crate::declared::terraform::{Cx, Mapped, TfType, block, text, texts};
use driftgate_model::Kind;
use driftgate_model::firewall::{gcp_rule, network_name, rules_of_group};
use serde_json::{Map, Value, json};

/// The types this kind reads.
pub static TYPES: &[TfType] = &[
    TfType {
        rtype: "aws_security_group",
        kind: Kind::FirewallRule,
        primary: false,
        map: group,
    },
    TfType {
        rtype: "aws_default_security_group",
        kind: Kind::FirewallRule,
        primary: false,
        map: group,
    },
    TfType {
        rtype: "aws_security_group_rule",
        kind: Kind::FirewallRule,
        primary: true,
        map: group_rule,
    },
    TfType {
        rtype: "aws_vpc_security_group_ingress_rule",
        kind: Kind::FirewallRule,
        primary: true,
        map: vpc_rule,
    },
    TfType {
        rtype: "aws_vpc_security_group_egress_rule",
        kind: Kind::FirewallRule,
        primary: true,
        map: vpc_rule,
    },
    TfType {
        rtype: "google_compute_firewall",
        kind: Kind::FirewallRule,
        primary: true,
        map: gcp_firewall,
    },
    TfType {
        rtype: "azurerm_network_security_group",
        kind: Kind::FirewallRule,
        primary: false,
        map: azure_group,
    },
    TfType {
        rtype: "azurerm_network_security_rule",
        kind: Kind::FirewallRule,
        primary: true,
        map: azure_rule_resource,
    },
];

/// An AzureRM `security_rule` block (or `azurerm_network_security_rule`) in
/// the API's field names.
fn azure_api_rule(b: &Value) -> Value {
    let mut m = Map::new();
    for (from, to) in [
        ("name", "name"),
        ("priority", "priority"),
        ("direction", "direction"),
        ("access", "access"),
        ("protocol", "protocol"),
        ("source_port_range", "sourcePortRange"),
        ("source_port_ranges", "sourcePortRanges"),
        ("destination_port_range", "destinationPortRange"),
        ("destination_port_ranges", "destinationPortRanges"),
        ("source_address_prefix", "sourceAddressPrefix"),
        ("source_address_prefixes", "sourceAddressPrefixes"),
        ("destination_address_prefix", "destinationAddressPrefix"),
        ("destination_address_prefixes", "destinationAddressPrefixes"),
        ("description", "description"),
    ] {
        if let Some(v) = b.get(from).filter(|v| !v.is_null()) {
            m.insert(to.into(), v.clone());
        }
    }
    for (from, to) in [
        (
            "source_application_security_group_ids",
            "sourceApplicationSecurityGroups",
        ),
        (
            "destination_application_security_group_ids",
            "destinationApplicationSecurityGroups",
        ),
    ] {
        let ids: Vec<Value> = texts(b, from)
            .into_iter()
            .map(|i| json!({"id": i}))
            .collect();
        if !ids.is_empty() {
            m.insert(to.into(), Value::Array(ids));
        }
    }
    Value::Object(m)
}

/// The scope's spelling of an Azure group it names.
fn azure_scope_group(cx: &Cx<'_>, rg: &str, nsg: &str) -> Option<String> {
    let az = cx.scope.azure.as_ref()?;
    if !rg.eq_ignore_ascii_case(&az.resource_group) {
        return None;
    }
    az.network_security_groups
        .iter()
        .find(|g| g.eq_ignore_ascii_case(nsg))
        .cloned()
}

/// The resource group (the scope's spelling) and group a resource names
/// under `group_key`, or why it is not the scope's.
fn azure_home(
    cx: &Cx<'_>,
    a: &Value,
    group_key: &str,
) -> Result<Result<(String, String), Mapped>, String> {
    let group = text(a, group_key).ok_or_else(|| format!("no `{group_key}`"))?;
    let rg = text(a, "resource_group_name").ok_or("no `resource_group_name`")?;
    let Some(nsg) = azure_scope_group(cx, rg, group) else {
        return Ok(Err(Mapped::Skipped(format!(
            "network security group `{rg}/{group}` is not one scope `{}` names",
            cx.scope.name
        ))));
    };
    let rg = cx
        .scope
        .azure
        .as_ref()
        .map_or(rg, |az| az.resource_group.as_str());
    Ok(Ok((rg.to_owned(), nsg)))
}

fn azure_group(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let (rg, nsg) = match azure_home(cx, a, "name")? {
        Ok(home) => home,
        Err(skipped) => return Ok(skipped),
    };
    let mut out = Vec::new();
    for b in a
        .get("security_rule")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.push(driftgate_model::firewall::azure_rule(
            &rg,
            &nsg,
            &azure_api_rule(b),
        )?);
    }
    Ok(Mapped::Resources(out))
}

fn azure_rule_resource(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let (rg, nsg) = match azure_home(cx, a, "network_security_group_name")? {
        Ok(home) => home,
        Err(skipped) => return Ok(skipped),
    };
    Ok(Mapped::Resources(vec![
        driftgate_model::firewall::azure_rule(&rg, &nsg, &azure_api_rule(a))?,
    ]))
}

fn vpcs(cx: &Cx<'_>) -> Vec<String> {
    cx.scope
        .aws
        .as_ref()
        .map(|a| a.security_group_vpcs.clone())
        .unwrap_or_default()
}

/// A permission (`IpPermissions` entry) from a Terraform rule block.
fn permission(b: &Value, own_group: &str) -> Value {
    let description = text(b, "description");
    let with = |mut m: Map<String, Value>| {
        if let Some(d) = description {
            m.insert("Description".into(), json!(d));
        }
        Value::Object(m)
    };
    let one = |k: &str, v: &str| {
        let mut m = Map::new();
        m.insert(k.into(), json!(v));
        with(m)
    };
    let mut groups: Vec<Value> = texts(b, "security_groups")
        .iter()
        .map(|g| one("GroupId", g))
        .collect();
    if let Some(g) = text(b, "source_security_group_id") {
        groups.push(one("GroupId", g));
    }
    if b.get("self").and_then(Value::as_bool) == Some(true) {
        groups.push(one("GroupId", own_group));
    }
    json!({
        "IpProtocol": b.get("protocol").cloned().unwrap_or(json!("-1")),
        "FromPort": b.get("from_port").cloned().unwrap_or(Value::Null),
        "ToPort": b.get("to_port").cloned().unwrap_or(Value::Null),
        "IpRanges": texts(b, "cidr_blocks").iter().map(|c| one("CidrIp", c)).collect::<Vec<_>>(),
        "Ipv6Ranges": texts(b, "ipv6_cidr_blocks").iter().map(|c| one("CidrIpv6", c)).collect::<Vec<_>>(),
        "PrefixListIds": texts(b, "prefix_list_ids").iter().map(|c| one("PrefixListId", c)).collect::<Vec<_>>(),
        "UserIdGroupPairs": groups,
    })
}

fn flatten(
    cx: &Cx<'_>,
    gid: &str,
    vpc: &str,
    name: &str,
    ingress: Vec<Value>,
    egress: Vec<Value>,
) -> Result<Mapped, String> {
    if !vpcs(cx).iter().any(|v| v == vpc) {
        return Ok(Mapped::Skipped(format!(
            "VPC `{vpc}` is not in the security_group_vpcs of scope `{}`",
            cx.scope.name
        )));
    }
    let g = json!({"GroupId": gid, "VpcId": vpc, "GroupName": name,
        "IpPermissions": ingress, "IpPermissionsEgress": egress});
    Ok(Mapped::Resources(rules_of_group(&g)?))
}

fn group(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    // A plan's new group has no id yet: nothing live to compare with.
    let Some(gid) = text(a, "id") else {
        return Ok(Mapped::Skipped(
            "no `id`: not created yet (a plan's new group)".to_owned(),
        ));
    };
    let vpc = text(a, "vpc_id").ok_or("no `vpc_id` (EC2-Classic groups are not read)")?;
    let blocks = |k: &str| -> Vec<Value> {
        a.get(k)
            .and_then(Value::as_array)
            .map(|l| l.iter().map(|b| permission(b, gid)).collect())
            .unwrap_or_default()
    };
    flatten(
        cx,
        gid,
        vpc,
        text(a, "name").unwrap_or_default(),
        blocks("ingress"),
        blocks("egress"),
    )
}

/// The VPC and name of a rule's group: from the states, else the scope's
/// only VPC.
fn home(cx: &Cx<'_>, gid: &str) -> Result<(String, String), Mapped> {
    if let Some((vpc, name)) = cx.index.groups.get(gid) {
        return Ok((vpc.clone(), name.clone()));
    }
    match vpcs(cx).as_slice() {
        [one] => Ok((one.clone(), String::new())),
        _ => Err(Mapped::Skipped(format!(
            "its group {gid} is not in the scope's states, and the scope names {} VPCs: which one holds it is unknown",
            vpcs(cx).len()
        ))),
    }
}

fn group_rule(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let Some(gid) = text(a, "security_group_id") else {
        return Ok(Mapped::Skipped(
            "no `security_group_id`: its group is not created yet (a plan?)".to_owned(),
        ));
    };
    let (vpc, name) = match home(cx, gid) {
        Ok(h) => h,
        Err(m) => return Ok(m),
    };
    let perm = permission(a, gid);
    let (ingress, egress) = match text(a, "type") {
        Some("ingress") => (vec![perm], vec![]),
        Some("egress") => (vec![], vec![perm]),
        other => return Err(format!("`type` must be ingress or egress, found {other:?}")),
    };
    flatten(cx, gid, &vpc, &name, ingress, egress)
}

fn vpc_rule(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let Some(gid) = text(a, "security_group_id") else {
        return Ok(Mapped::Skipped(
            "no `security_group_id`: its group is not created yet (a plan?)".to_owned(),
        ));
    };
    let (vpc, name) = match home(cx, gid) {
        Ok(h) => h,
        Err(m) => return Ok(m),
    };
    let block = json!({
        "protocol": a.get("ip_protocol").cloned().unwrap_or(json!("-1")),
        "from_port": a.get("from_port").cloned().unwrap_or(Value::Null),
        "to_port": a.get("to_port").cloned().unwrap_or(Value::Null),
        "cidr_blocks": text(a, "cidr_ipv4").into_iter().collect::<Vec<_>>(),
        "ipv6_cidr_blocks": text(a, "cidr_ipv6").into_iter().collect::<Vec<_>>(),
        "prefix_list_ids": text(a, "prefix_list_id").into_iter().collect::<Vec<_>>(),
        "source_security_group_id": text(a, "referenced_security_group_id"),
        "description": text(a, "description"),
    });
    let perm = permission(&block, gid);
    if inst.rtype.ends_with("_ingress_rule") {
        flatten(cx, gid, &vpc, &name, vec![perm], vec![])
    } else {
        flatten(cx, gid, &vpc, &name, vec![], vec![perm])
    }
}

fn gcp_firewall(inst: &Instance, cx: &Cx<'_>) -> Result<Mapped, String> {
    let a = &inst.attributes;
    let name = text(a, "name").ok_or("no `name`")?;
    let network = network_name(text(a, "network").ok_or("no `network`")?).to_owned();
    let project = text(a, "project").unwrap_or_default().to_owned();
    let in_scope = cx.scope.gcp.as_ref().is_some_and(|g| {
        g.networks
            .iter()
            .any(|(p, n)| *p == project && *n == network)
    });
    if !in_scope {
        return Ok(Mapped::Skipped(format!(
            "network `{project}:{network}` is not a firewall network of scope `{}`",
            cx.scope.name
        )));
    }
    let entries = |k: &str| -> Vec<Value> {
        a.get(k)
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .map(|e| json!({"IPProtocol": e.get("protocol").cloned().unwrap_or_default(), "ports": texts(e, "ports")}))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut fw = json!({
        "name": name, "network": network,
        "direction": text(a, "direction").unwrap_or("INGRESS"),
        "priority": a.get("priority").cloned().unwrap_or(json!(1000)),
        "sourceRanges": texts(a, "source_ranges"),
        "destinationRanges": texts(a, "destination_ranges"),
        "sourceTags": texts(a, "source_tags"),
        "targetTags": texts(a, "target_tags"),
        "sourceServiceAccounts": texts(a, "source_service_accounts"),
        "targetServiceAccounts": texts(a, "target_service_accounts"),
        "disabled": a.get("disabled").and_then(Value::as_bool).unwrap_or(false),
    });
    let (allow, deny) = (entries("allow"), entries("deny"));
    if deny.is_empty() {
        fw["allowed"] = json!(allow);
    } else {
        fw["denied"] = json!(deny);
    }
    if let Some(d) = text(a, "description") {
        fw["description"] = json!(d);
    }
    let logging = block(a, "log_config").is_some()
        || a.get("enable_logging").and_then(Value::as_bool) == Some(true);
    fw["logConfig"] = json!({"enable": logging});
    Ok(Mapped::Resources(vec![gcp_rule(&project, &fw, None)?]))
}
