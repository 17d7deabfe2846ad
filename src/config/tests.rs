//! Unit tests of `config.rs`.

use super::*;

const TODAY: (i32, u32, u32) = (2026, 11, 27);

fn parse(text: &str) -> Result<Config, InputError> {
    Config::parse(Path::new("driftgate.toml"), text, TODAY)
}

const DESIGN_EXAMPLE: &str = r#"
[[scope]]
name = "production"
mode = "enforce"                  # or "advisory"
declared = "infra/production"     # directory of declared files, relative to this file

[scope.aws]
region = "us-east-1"
profile = "prod"                  # optional
ecs_clusters = ["prod"]           # every service in these clusters is in scope
route53_zones = ["example.com"]   # every record set in these zones is in scope
security_group_vpcs = ["vpc-0abc"]

[scope.gcp]
project = "acme-prod"
firewall_networks = ["default"]

[scope.azure]
subscription = "00000000-0000-0000-0000-000000000000"
resource_group = "dns"
dns_zones = ["example.org"]

[[ignore]]
kind = "ecs_service"
resource = "prod/*"               # glob over resource ids
field = "desiredCount"            # glob over field paths; omit to ignore the whole resource
reason = "managed by application autoscaling"
expires = "2027-03-01"            # optional
"#;

#[test]
fn accepts_the_design_example() {
    let c = parse(DESIGN_EXAMPLE).unwrap();
    assert_eq!(c.scopes.len(), 1);
    let s = &c.scopes[0];
    assert_eq!(s.mode, ScopeMode::Enforce);
    assert_eq!(s.aws.as_ref().unwrap().ecs_clusters, vec!["prod"]);
    assert_eq!(s.declared, Path::new("./infra/production"));
    assert!(s.not_yet_read.is_empty());
    assert_eq!(
        s.targets(),
        vec![
            (Kind::EcsService, "prod".into()),
            (Kind::DnsRecord, "example.com".into()),
            (Kind::FirewallRule, "vpc-0abc".into()),
            (Kind::FirewallRule, "acme-prod:default".into()),
            (Kind::DnsRecord, "example.org".into())
        ]
    );
    assert_eq!(s.azure.as_ref().unwrap().resource_group, "dns");
    assert_eq!(c.ignore[0].field.as_deref(), Some("desiredCount"));
    assert_eq!(c.ignore[0].at, "driftgate.toml:23");
}

#[test]
fn unknown_keys_are_named_with_their_place() {
    let e = parse("[[scope]]\nname = \"p\"\nmode = \"enforce\"\ndeclared = \"x\"\nclusterz = 1\n")
        .unwrap_err();
    assert_eq!((e.line, e.column), (5, 1));
    assert!(e.message.contains("unknown field `clusterz`"), "{e}");
    let e = parse("[[scope]]\nname = \"p\"\nmode = \"sometimes\"\ndeclared = \"x\"\n").unwrap_err();
    assert_eq!(e.line, 3);
}

#[test]
fn expired_rules_and_bad_rules_are_errors() {
    let base = "[[scope]]\nname = \"p\"\nmode = \"enforce\"\ndeclared = \"x\"\n[scope.aws]\necs_clusters = [\"prod\"]\n";
    let e = parse(&format!("{base}[[ignore]]\nkind = \"ecs_service\"\nresource = \"*\"\nreason = \"r\"\nexpires = \"2026-11-26\"\n")).unwrap_err();
    assert_eq!(e.line, 11);
    assert!(e.message.contains("expired on 2026-11-26"), "{e}");
    assert!(parse(&format!("{base}[[ignore]]\nkind = \"ecs_service\"\nresource = \"*\"\nreason = \"r\"\nexpires = 2026-11-27\n")).is_ok());
    let e = parse(&format!(
        "{base}[[ignore]]\nkind = \"ecs\"\nresource = \"*\"\nreason = \"r\"\n"
    ))
    .unwrap_err();
    assert!(e.message.contains("unknown kind `ecs`"), "{e}");
    let e = parse(&format!(
        "{base}[[ignore]]\nkind = \"ecs_service\"\nresource = \"*\"\n"
    ))
    .unwrap_err();
    assert!(e.message.contains("reason"), "{e}");
    let e = parse(&format!("{base}[[scope]]\nname = \"q\"\nmode = \"advisory\"\ndeclared = \"y\"\n[scope.aws]\necs_clusters = [\"prod\"]\n")).unwrap_err();
    assert!(e.message.contains("already in scope `p`"), "{e}");
}

#[test]
fn regions_roles_and_projects() {
    let c = parse(
        "[scan]\nconcurrency = 3\n[[scope]]\nname = \"a\"\nmode = \"enforce\"\ndeclared = \"x\"\n[scope.aws]\nregions = [\"us-east-1\", \"eu-west-1\"]\nrole_arn = \"arn:aws:iam::123456789012:role/read\"\nexternal_id = \"xid\"\necs_clusters = [\"web\"]\nsecurity_group_vpcs = [\"vpc-1\"]\n[scope.gcp]\nprojects = [\"p1\", \"p2\"]\nfirewall_networks = [\"default\"]\n[[scope]]\nname = \"b\"\nmode = \"enforce\"\ndeclared = \"y\"\n[scope.aws]\nregion = \"us-east-1\"\necs_clusters = [\"web\"]\n",
    )
    .unwrap();
    assert_eq!(c.concurrency, 3);
    let a = c.scopes[0].aws.as_ref().unwrap();
    assert!(a.multi_region());
    assert_eq!(a.external_id.as_deref(), Some("xid"));
    assert_eq!(
        c.scopes[0].targets(),
        vec![
            (Kind::EcsService, "web@us-east-1".into()),
            (Kind::EcsService, "web@eu-west-1".into()),
            (Kind::FirewallRule, "vpc-1".into()),
            (Kind::FirewallRule, "p1:default".into()),
            (Kind::FirewallRule, "p2:default".into()),
        ]
    );
    let p = parse("[[scope]]\nname = \"a\"\nmode = \"enforce\"\ndeclared = \"x\"\n[scope.aws]\nid_prefix = \"prod\"\nregions = [\"us-east-1\", \"eu-west-1\"]\necs_clusters = [\"main\"]\nroute53_zones = [\"Example.com.\"]\n").unwrap();
    assert_eq!(
        p.scopes[0].targets(),
        vec![
            (Kind::EcsService, "prod:main@us-east-1".into()),
            (Kind::EcsService, "prod:main@eu-west-1".into()),
            (Kind::DnsRecord, "prod:example.com".into()),
        ]
    );
    assert_eq!(p.scopes[0].dns_zones(), vec!["example.com"]);
    assert_eq!(bare("prod:main@eu-west-1"), "main");
    assert_eq!(region_of_target("prod:main@eu-west-1"), Some("eu-west-1"));
    // A single-region scope keeps the plain cluster id.
    assert_eq!(
        c.scopes[1].targets(),
        vec![(Kind::EcsService, "web".into())]
    );
    assert_eq!(
        c.scopes[1]
            .aws
            .as_ref()
            .unwrap()
            .target(Some("us-east-1".into())),
        driftgate_aws::AwsTarget {
            region: Some("us-east-1".into()),
            ..Default::default()
        }
    );
    assert_eq!(
        Config::parse(Path::new("d.toml"), "", TODAY)
            .unwrap_err()
            .line,
        1
    );
}

#[test]
fn bad_regions_roles_and_projects_are_named() {
    let base = "[[scope]]\nname = \"p\"\nmode = \"enforce\"\ndeclared = \"x\"\n";
    for (extra, line, needle) in [
        (
            "[scope.aws]\nregion = \"a\"\nregions = [\"b\"]\n",
            7,
            "not both",
        ),
        ("[scope.aws]\nregions = []\n", 6, "`regions` is empty"),
        ("[scope.aws]\nregions = [\"a\", \"a\"]\n", 6, "listed twice"),
        (
            "[scope.aws]\nrole_arn = \"arn:aws:iam::12:role/x\"\n",
            6,
            "not a role ARN",
        ),
        (
            "[scope.aws]\nrole_arn = \"arn:aws:iam::123456789012:user/x\"\n",
            6,
            "not a role ARN",
        ),
        (
            "[scope.aws]\nexternal_id = \"x\"\necs_clusters = [\"c\"]\n",
            1,
            "needs a `role_arn`",
        ),
        (
            "[scope.aws]\necs_clusters = [\"c@eu-west-1\"]\n",
            6,
            "not a cluster name",
        ),
        (
            "[scope.gcp]\nfirewall_networks = [\"d\"]\n",
            1,
            "needs `project` or `projects`",
        ),
        (
            "[scope.gcp]\nproject = \"a\"\nprojects = [\"b\"]\n",
            7,
            "not both",
        ),
        ("[scope.gcp]\nprojects = [\"b\", \"b\"]\n", 6, "repeated"),
        (
            "[scope.aws]\necs_clusters = [\"c\"]\n[scan]\nconcurrency = 0\n",
            8,
            "between 1 and 256",
        ),
        (
            "[scope.aws]\nid_prefix = \"a:b\"\necs_clusters = [\"c\"]\n",
            6,
            "letters, digits",
        ),
    ] {
        let e = parse(&format!("{base}{extra}")).unwrap_err();
        assert!(e.message.contains(needle), "{extra}: {e}");
        assert_eq!(e.line, line, "{extra}: {e}");
    }
}

#[test]
fn dates_must_exist() {
    assert_eq!(parse_date("2027-03-01"), Some((2027, 3, 1)));
    assert_eq!(parse_date("2000-02-29"), Some((2000, 2, 29)));
    assert_eq!(parse_date("2027-02-31"), None, "no 31 February");
    assert_eq!(parse_date("2027-13-01"), None);
    assert_eq!(parse_date("2027-xx-01"), None);
    let (y, m, d) = today();
    assert!(y >= 2026 && (1..=12).contains(&m) && (1..=31).contains(&d));
}
