//! Each finding's cloud comes from the config's target that holds it, never
//! from the spelling of its id: a GCP project named like an AWS VPC
//! (`vpc-prod`), and a Route53 zone and an Azure zone of one name, each get
//! their own cloud's revert command and audit log lookup.

use crate::common::{dg, driftgate, run, write};
use serde_json::{Value, json};

fn dns(id_prefix: &str) -> Value {
    json!({"kind": "dns_record",
           "id": format!("{id_prefix}:example.com/www.example.com/A"),
           "spec": {"zone": "example.com", "name": "www.example.com", "type": "A",
                    "ttl": 300, "values": ["192.0.2.7"]}})
}

#[test]
fn the_cloud_of_a_finding_is_its_targets_not_its_ids_spelling() {
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"aws\"\nmode = \"enforce\"\ndeclared = \"infra/aws\"\n\
         [scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"example.com\"]\nid_prefix = \"r53\"\n\n\
         [[scope]]\nname = \"elsewhere\"\nmode = \"enforce\"\ndeclared = \"infra/elsewhere\"\n\
         [scope.azure]\nsubscription = \"00000000-0000-0000-0000-000000000000\"\nresource_group = \"dns\"\n\
         dns_zones = [\"example.com\"]\nid_prefix = \"az\"\nendpoint = \"http://127.0.0.1:9\"\n\
         [scope.gcp]\nproject = \"vpc-prod\"\nfirewall_networks = [\"default\"]\nlogging_endpoint = \"http://127.0.0.1:9\"\n",
    );
    write(&d.path().join("infra/aws/README.md"), "declared by hand\n");
    write(
        &d.path().join("infra/elsewhere/README.md"),
        "declared by hand\n",
    );
    let rule = driftgate_model::firewall::gcp_rule(
        "vpc-prod",
        &json!({"name": "allow-ssh", "network": "projects/vpc-prod/global/networks/default",
                "direction": "INGRESS", "priority": 1000,
                "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}],
                "sourceRanges": ["0.0.0.0/0"]}),
        None,
    )
    .unwrap();
    let snapshot = json!({
        "schema_version": 1,
        "scopes_read": ["dns_record:r53:example.com", "dns_record:az:example.com",
                        "firewall_rule:vpc-prod:default"],
        "resources": [dns("r53"), dns("az"), rule],
    });
    write(&d.path().join("live.json"), &snapshot.to_string());
    // Nothing but loopback: the Azure and GCP audit logs are asked at a
    // closed loopback port, with tokens given outright.
    let r = run(driftgate(d.path())
        .args([
            "check",
            "--live",
            "live.json",
            "--format",
            "json",
            "--suggest",
            "--blame",
        ])
        .env("DRIFTGATE_AZURE_TOKEN", "t")
        .env("DRIFTGATE_GCP_TOKEN", "t"));
    assert_eq!(r.code, 1, "{}", r.all());
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let find = |id: &str| -> &Value {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no finding {id}: {report:#}"))
    };
    let r53 = find("r53:example.com/www.example.com/A");
    let az = find("az:example.com/www.example.com/A");
    let gcp = find("vpc-prod:default/allow-ssh");
    assert_eq!(
        (&r53["cloud"], &az["cloud"], &gcp["cloud"]),
        (&json!("aws"), &json!("azure"), &json!("gcp"))
    );
    let revert = |f: &Value| f["suggest"]["revert"].to_string();
    assert!(
        revert(r53).contains("aws route53 change-resource-record-sets"),
        "{r53:#}"
    );
    assert!(revert(az).contains("az rest"), "{az:#}");
    assert!(!revert(az).contains("aws "), "{az:#}");
    assert!(!revert(gcp).contains("aws ec2"), "{gcp:#}");
    assert!(
        revert(gcp).contains("gcloud compute firewall-rules delete allow-ssh"),
        "{gcp:#}"
    );
    // Audit logs: each cloud's own is asked (and fails here, without
    // credentials, saying which): CloudTrail for the Route53 set, the
    // Activity Log for the Azure one, Cloud Audit Logs for the GCP rule.
    let notes = |f: &Value| f["blame"]["notes"].to_string();
    assert!(notes(az).contains("Activity Log"), "{az:#}");
    assert!(
        notes(gcp).contains("Cloud Audit Logs of vpc-prod"),
        "{gcp:#}"
    );
    assert!(
        !notes(r53).contains("Azure") && notes(r53).contains("route53 ListHostedZonesByName"),
        "{r53:#}"
    );
}

/// `--shard` deals out targets as ids name them: a zone of a scope with an
/// `id_prefix` (`acct:example.com`) stays in its shard. It was compared
/// without the prefix and dropped from every shard, so a record created by
/// hand in it was reported by none: a merged report said "no drift".
#[test]
fn shards_keep_the_targets_of_a_prefixed_scope() {
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"a\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\
         [scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"example.com\"]\n\
         ecs_clusters = [\"web\"]\nid_prefix = \"acct\"\n",
    );
    write(&d.path().join("infra/README.md"), "declared by hand\n");
    let snapshot = json!({
        "schema_version": 1,
        "scopes_read": ["dns_record:acct:example.com", "ecs_service:acct:web"],
        "resources": [dns("acct")],
    });
    write(&d.path().join("live.json"), &snapshot.to_string());
    let mut parts = Vec::new();
    for shard in ["1/2", "2/2"] {
        let r = dg(
            d.path(),
            &[
                "check",
                "--live",
                "live.json",
                "--format",
                "json",
                "--shard",
                shard,
            ],
        );
        assert!(r.code == 0 || r.code == 1, "{shard}: {}", r.all());
        let path = d.path().join(format!("{}.json", shard.replace('/', "-")));
        std::fs::write(&path, &r.stdout).unwrap();
        parts.push(path.display().to_string());
    }
    let merged = dg(
        d.path(),
        &["merge", &parts[0], &parts[1], "--format", "json"],
    );
    assert_eq!(merged.code, 1, "{}", merged.all());
    let report: Value = serde_json::from_str(&merged.stdout).unwrap();
    assert_eq!(report["complete"], true);
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"acct:example.com/www.example.com/A"),
        "{report:#}"
    );
}
