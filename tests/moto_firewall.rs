//! Security groups end to end against moto: rules added, removed and changed
//! through the EC2 API as a person in the console would.

use crate::common::{Run, driftgate, ec2, endpoint, run, unique, write};
use serde_json::Value;
use std::path::Path;

fn dgm(dir: &Path, args: &[&str]) -> Run {
    run(driftgate(dir)
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"))
}

fn group(vpc: &str, name: &str) -> String {
    ec2(
        &[
            ("Action", "CreateSecurityGroup"),
            ("VpcId", vpc),
            ("GroupName", name),
            ("GroupDescription", name),
        ],
        "groupId",
    )
}

/// One permission: (action, group, extra parameters).
fn permit(action: &str, gid: &str, params: &[(&str, &str)]) {
    let mut all = vec![("Action", action), ("GroupId", gid)];
    all.extend_from_slice(params);
    ec2(&all, "return");
}

fn states(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "in_sync")
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn import_then_check_is_clean_and_rule_changes_are_found() {
    let vpc = ec2(
        &[("Action", "CreateVpc"), ("CidrBlock", "10.7.0.0/16")],
        "vpcId",
    );
    let web = group(&vpc, &unique("web"));
    let db = group(&vpc, &unique("db"));
    permit(
        "AuthorizeSecurityGroupIngress",
        &web,
        &[
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "443"),
            ("IpPermissions.1.ToPort", "443"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
            ("IpPermissions.1.IpRanges.1.Description", "https"),
            ("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0"),
            ("IpPermissions.2.IpProtocol", "tcp"),
            ("IpPermissions.2.FromPort", "8000"),
            ("IpPermissions.2.ToPort", "8080"),
            ("IpPermissions.2.IpRanges.1.CidrIp", "10.0.0.0/8"),
            ("IpPermissions.3.IpProtocol", "icmp"),
            ("IpPermissions.3.FromPort", "8"),
            ("IpPermissions.3.ToPort", "-1"),
            ("IpPermissions.3.IpRanges.1.CidrIp", "10.0.0.0/8"),
            ("IpPermissions.4.IpProtocol", "-1"),
            ("IpPermissions.4.IpRanges.1.CidrIp", "192.168.0.0/16"),
        ],
    );
    permit(
        "AuthorizeSecurityGroupIngress",
        &db,
        &[
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "5432"),
            ("IpPermissions.1.ToPort", "5432"),
            ("IpPermissions.1.Groups.1.GroupId", &web),
        ],
    );
    permit(
        "AuthorizeSecurityGroupEgress",
        &db,
        &[
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "443"),
            ("IpPermissions.1.ToPort", "443"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
        ],
    );

    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"net\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.aws]\nregion = \"us-east-1\"\nsecurity_group_vpcs = [\"{vpc}\"]\n"
        ),
    );
    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "import then check is in sync: {}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for expected in [
        format!("{vpc}/{web}/ingress/tcp/443/0.0.0.0/0"),
        format!("{vpc}/{web}/ingress/tcp/443/::/0"),
        format!("{vpc}/{web}/ingress/tcp/8000-8080/10.0.0.0/8"),
        format!("{vpc}/{web}/ingress/icmp/8:any/10.0.0.0/8"),
        format!("{vpc}/{web}/ingress/all/any/192.168.0.0/16"),
        format!("{vpc}/{db}/ingress/tcp/5432/{web}"),
        format!("{vpc}/{db}/egress/tcp/443/0.0.0.0/0"),
    ] {
        assert!(
            ids.contains(&expected.as_str()),
            "{expected} not in {ids:?}"
        );
    }

    // As in the console: a port opened, a rule removed, a CIDR edited.
    permit(
        "AuthorizeSecurityGroupIngress",
        &web,
        &[
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "22"),
            ("IpPermissions.1.ToPort", "22"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "203.0.113.0/24"),
        ],
    );
    permit(
        "RevokeSecurityGroupIngress",
        &web,
        &[
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "8000"),
            ("IpPermissions.1.ToPort", "8080"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8"),
        ],
    );
    permit(
        "RevokeSecurityGroupIngress",
        &web,
        &[
            ("IpPermissions.1.IpProtocol", "icmp"),
            ("IpPermissions.1.FromPort", "8"),
            ("IpPermissions.1.ToPort", "-1"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8"),
        ],
    );
    permit(
        "AuthorizeSecurityGroupIngress",
        &web,
        &[
            ("IpPermissions.1.IpProtocol", "icmp"),
            ("IpPermissions.1.FromPort", "8"),
            ("IpPermissions.1.ToPort", "-1"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "10.1.0.0/16"),
        ],
    );
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        states(&v),
        vec![
            (
                format!("{vpc}/{web}/ingress/icmp/8:any/10.0.0.0/8"),
                "changed".to_owned()
            ),
            (
                format!("{vpc}/{web}/ingress/tcp/22/203.0.113.0/24"),
                "unmanaged".to_owned()
            ),
            (
                format!("{vpc}/{web}/ingress/tcp/8000-8080/10.0.0.0/8"),
                "missing".to_owned()
            ),
        ]
    );
    let changed = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["state"] == "changed")
        .unwrap();
    assert_eq!(changed["changes"][0]["path"], "peer");
    assert_eq!(changed["changes"][0]["declared"], "10.0.0.0/8");
    assert_eq!(changed["changes"][0]["live"], "10.1.0.0/16");
    let table = dgm(d.path(), &["check"]);
    assert!(
        table.stdout.contains("peer: 10.0.0.0/8 -> 10.1.0.0/16"),
        "{}",
        table.stdout
    );
    // What the unmanaged rule is, where its declaration goes, and the
    // group's name beside its id, in the table and in the JSON report.
    let unmanaged = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["state"] == "unmanaged")
        .unwrap();
    assert_eq!(unmanaged["what"], "ingress tcp 22 from 203.0.113.0/24");
    assert_eq!(
        unmanaged["declare_in"],
        format!("infra/firewall/{vpc}/{web}.yaml")
    );
    assert!(
        unmanaged["name"]
            .as_str()
            .unwrap()
            .starts_with("group web-")
    );
    for text in [
        "ingress tcp 22 from 203.0.113.0/24",
        &format!("declare in infra/firewall/{vpc}/{web}.yaml"),
        "(group web-",
    ] {
        assert!(table.stdout.contains(text), "{text}: {}", table.stdout);
    }
    let junit = dgm(d.path(), &["check", "--format", "junit"]);
    assert!(
        junit.stdout.contains("ingress tcp 22 from 203.0.113.0/24"),
        "{}",
        junit.stdout
    );

    // The diff format prints one block per drifted rule, the changed peer's
    // too, with its revert lines under its own header.
    let r = dgm(d.path(), &["check", "--format", "diff", "--suggest"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(
        r.stdout.matches("\n--- declared ").count()
            + usize::from(r.stdout.starts_with("--- declared ")),
        3,
        "{}",
        r.stdout
    );
    let block = r
        .stdout
        .split("--- declared ")
        .find(|b| b.contains("/icmp/8:any/"))
        .unwrap();
    assert!(block.contains("-peer: 10.0.0.0/8\n"), "{block}");
    assert!(block.contains("+peer: 10.1.0.0/16\n"), "{block}");
    assert!(
        block.contains("# revert: aws ec2 revoke-security-group-ingress"),
        "{block}"
    );
    assert!(block.contains("10.1.0.0/16"), "{block}");

    // Adopt, as a dry run: the patch, nothing written.
    let file = d.path().join(format!("infra/firewall/{vpc}/{web}.yaml"));
    let before = std::fs::read_to_string(&file).unwrap();
    let r = dgm(d.path(), &["adopt", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("-  - 10.0.0.0/8"), "{}", r.stdout);
    assert!(r.stdout.contains("+  - 10.1.0.0/16"), "{}", r.stdout);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    // The suggested revert commands, pasted into a shell, undo the console.
    let r = dgm(d.path(), &["check", "--format", "json", "--suggest"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let commands = crate::moto::revert_commands(&v, &str::to_owned);
    assert_eq!(
        commands.len(),
        4,
        "revoke, authorize, and revoke+authorize: {commands:#?}"
    );
    for line in &commands {
        let r = crate::moto::paste(line);
        assert_eq!(r.code, 0, "{line}\n{}", r.all());
    }
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "after the revert live matches Git: {}", r.all());

    // More ClickOps, adopted this time: RDP opened, the IPv6 peer of the 443
    // entry removed. Only those lines change in the group's file.
    permit(
        "AuthorizeSecurityGroupIngress",
        &web,
        &[
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "3389"),
            ("IpPermissions.1.ToPort", "3389"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "198.51.100.0/24"),
        ],
    );
    permit(
        "RevokeSecurityGroupIngress",
        &web,
        &[
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "443"),
            ("IpPermissions.1.ToPort", "443"),
            ("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0"),
        ],
    );
    let before = std::fs::read_to_string(&file).unwrap();
    let r = dgm(d.path(), &["adopt"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let after = std::fs::read_to_string(&file).unwrap();
    let diff = similar::TextDiff::from_lines(&before, &after);
    let mut changed: Vec<String> = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| format!("{}{}", c.tag(), c.value().trim_end()))
        .collect();
    changed.sort();
    // import wrote one entry per peer: the IPv6 443 entry goes as a whole.
    assert_eq!(
        changed,
        vec![
            "+- {protocol: tcp, ports: \"3389\", cidrs: [198.51.100.0/24]}",
            "-  - ::/0",
            "-  cidrs:",
            "-  ports: '443'",
            "-- protocol: tcp",
        ],
        "{after}"
    );
    let r = dgm(d.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "after adopt live matches Git: {}", r.all());
}
