//! DNS end to end against moto: a zone with every supported record type,
//! changed by API as a person in the console would.

use crate::common::{Run, driftgate, endpoint, run, write};
use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use serde_json::Value;
use std::path::Path;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn route53() -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(driftgate_aws::client::http_client())
        .endpoint_url(endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_route53::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    Client::new(&config)
}

/// A zone name no other test run against the same moto has used.
fn unique_zone(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{name}-{}-{nanos}.example", std::process::id())
}

fn rrset(name: &str, t: RrType, ttl: i64, values: &[&str]) -> ResourceRecordSet {
    let mut b = ResourceRecordSet::builder().name(name).r#type(t).ttl(ttl);
    for v in values {
        b = b.resource_records(ResourceRecord::builder().value(*v).build().unwrap());
    }
    b.build().unwrap()
}

async fn change(c: &Client, zone_id: &str, action: ChangeAction, sets: Vec<ResourceRecordSet>) {
    let mut batch = ChangeBatch::builder();
    for s in sets {
        batch = batch.changes(
            Change::builder()
                .action(action.clone())
                .resource_record_set(s)
                .build()
                .unwrap(),
        );
    }
    c.change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(batch.build().unwrap())
        .send()
        .await
        .unwrap();
}

/// A new hosted zone named `zone`; its id.
async fn create_zone(c: &Client, zone: &str) -> String {
    c.create_hosted_zone()
        .name(zone)
        .caller_reference(zone)
        .send()
        .await
        .unwrap()
        .hosted_zone()
        .unwrap()
        .id()
        .to_owned()
}

/// A zone with one record set of every supported kind; returns its id.
async fn seed(c: &Client, zone: &str) -> String {
    let id = create_zone(c, zone).await;
    let long_txt = format!(
        "\"v=DKIM1; k=rsa; p={}\" \"{}\"",
        "A".repeat(240),
        "B".repeat(100)
    );
    let n = |s: &str| {
        if s.is_empty() {
            format!("{zone}.")
        } else {
            format!("{s}.{zone}.")
        }
    };
    let mut sets = vec![
        rrset(&n("www"), RrType::A, 300, &["192.0.2.1", "192.0.2.2"]),
        rrset(&n("www"), RrType::Aaaa, 300, &["2001:db8::1"]),
        rrset(&n("*"), RrType::Cname, 300, &[&n("www")]),
        rrset(
            &n(""),
            RrType::Mx,
            3600,
            &["10 mail.example.net.", "20 mx2.example.net."],
        ),
        rrset(&n(""), RrType::Txt, 300, &["\"v=spf1 -all\"", &long_txt]),
        rrset(
            &n("_sip._tcp"),
            RrType::Srv,
            300,
            &["10 60 5060 sip.example.net."],
        ),
        rrset(&n(""), RrType::Caa, 300, &["0 issue \"letsencrypt.org\""]),
        rrset(
            &n("sub"),
            RrType::Ns,
            300,
            &["ns1.example.net.", "ns2.example.net."],
        ),
        rrset(&n("1"), RrType::Ptr, 300, &["host.example.net."]),
        rrset(&n("spf"), RrType::Spf, 300, &["\"v=spf1 -all\""]),
        rrset(
            &n("naptr"),
            RrType::Naptr,
            300,
            &["100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.net!\" ."],
        ),
    ];
    for (ident, weight, ip) in [("blue", 90, "192.0.2.10"), ("green", 10, "192.0.2.11")] {
        sets.push(
            ResourceRecordSet::builder()
                .name(n("app"))
                .r#type(RrType::A)
                .ttl(60)
                .set_identifier(ident)
                .weight(weight)
                .resource_records(ResourceRecord::builder().value(ip).build().unwrap())
                .build()
                .unwrap(),
        );
    }
    sets.push(
        ResourceRecordSet::builder()
            .name(n("api"))
            .r#type(RrType::A)
            .alias_target(
                AliasTarget::builder()
                    .hosted_zone_id("Z35SXDOTRQ7X7K")
                    .dns_name("lb-1.us-east-1.elb.amazonaws.com.")
                    .evaluate_target_health(false)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap(),
    );
    change(c, &id, ChangeAction::Create, sets).await;
    id
}

fn dgm(dir: &Path, args: &[&str]) -> Run {
    run(driftgate(dir)
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test"))
}

fn config(dir: &Path, zone: &str) {
    write(
        &dir.join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"dns\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"{zone}\"]\n"
        ),
    );
}

fn report(dir: &Path) -> (i32, Value) {
    let r = dgm(dir, &["check", "--format", "json"]);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()));
    (r.code, v)
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
fn import_then_check_is_clean_and_record_changes_are_found() {
    let rt = rt();
    let c = rt.block_on(route53());
    let zone = unique_zone("dns");
    let zone_id = rt.block_on(seed(&c, &zone));
    let d = tempfile::tempdir().unwrap();
    config(d.path(), &zone);

    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let (code, v) = report(d.path());
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["summary"]["in_sync"], 14,
        "every record set, apex SOA and NS left out: {v:#}"
    );

    rt.block_on(async {
        change(
            &c,
            &zone_id,
            ChangeAction::Upsert,
            vec![rrset(
                &format!("www.{zone}."),
                RrType::A,
                60,
                &["192.0.2.99"],
            )],
        )
        .await;
        change(
            &c,
            &zone_id,
            ChangeAction::Create,
            vec![rrset(
                &format!("byhand.{zone}."),
                RrType::Txt,
                300,
                &["\"hello\""],
            )],
        )
        .await;
        change(
            &c,
            &zone_id,
            ChangeAction::Delete,
            vec![rrset(
                &format!("_sip._tcp.{zone}."),
                RrType::Srv,
                300,
                &["10 60 5060 sip.example.net."],
            )],
        )
        .await;
    });
    let (code, v) = report(d.path());
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        states(&v),
        vec![
            (format!("{zone}/_sip._tcp.{zone}/SRV"), "missing".to_owned()),
            (format!("{zone}/byhand.{zone}/TXT"), "unmanaged".to_owned()),
            (format!("{zone}/www.{zone}/A"), "changed".to_owned()),
        ]
    );
    let www = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["state"] == "changed")
        .unwrap();
    let changes = www["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{www:#}");
    assert_eq!(changes[0]["path"], "ttl");
    assert_eq!(
        (changes[0]["declared"].as_i64(), changes[0]["live"].as_i64()),
        (Some(300), Some(60))
    );
    assert_eq!(changes[1]["path"], "values");
    assert_eq!(
        changes[1]["declared"],
        serde_json::json!(["192.0.2.1", "192.0.2.2"])
    );
    assert_eq!(changes[1]["live"], serde_json::json!(["192.0.2.99"]));
}

/// (id, state, changed paths) of every finding.
fn shape(v: &Value) -> Vec<(String, String, Vec<String>)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let paths = f["changes"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .map(|c| c["path"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (
                f["id"].as_str().unwrap().to_owned(),
                f["state"].as_str().unwrap().to_owned(),
                paths,
            )
        })
        .collect()
}

#[test]
fn octodns_and_bind_files_give_the_same_findings_as_native_yaml() {
    let rt = rt();
    let c = rt.block_on(route53());
    let zone = unique_zone("formats");
    let zone_id = rt.block_on(async {
        let id = create_zone(&c, &zone).await;
        let n = |s: &str| {
            if s.is_empty() {
                format!("{zone}.")
            } else {
                format!("{s}.{zone}.")
            }
        };
        change(
            &c,
            &id,
            ChangeAction::Create,
            vec![
                rrset(&n("www"), RrType::A, 300, &["192.0.2.1", "192.0.2.2"]),
                rrset(&n("www"), RrType::Aaaa, 300, &["2001:db8::1"]),
                rrset(&n("*"), RrType::Cname, 300, &[&n("www")]),
                rrset(
                    &n(""),
                    RrType::Mx,
                    3600,
                    &["10 mail.example.net.", "20 mx2.example.net."],
                ),
                rrset(&n(""), RrType::Txt, 300, &["\"v=spf1 -all\""]),
                rrset(
                    &n("_sip._tcp"),
                    RrType::Srv,
                    300,
                    &["10 60 5060 sip.example.net."],
                ),
                rrset(&n(""), RrType::Caa, 300, &["0 issue \"letsencrypt.org\""]),
                rrset(
                    &n("sub"),
                    RrType::Ns,
                    300,
                    &["ns1.example.net.", "ns2.example.net."],
                ),
            ],
        )
        .await;
        id
    });

    let native = tempfile::tempdir().unwrap();
    config(native.path(), &zone);
    assert_eq!(dgm(native.path(), &["import"]).code, 0);

    let octo = tempfile::tempdir().unwrap();
    config(octo.path(), &zone);
    write(
        &octo.path().join(format!("infra/{zone}.yaml")),
        "---\n'':\n  - type: MX\n    values:\n      - {exchange: mail.example.net., preference: 10}\n      - {exchange: mx2.example.net., preference: 20}\n  - type: TXT\n    ttl: 300\n    value: v=spf1 -all\n  - type: CAA\n    ttl: 300\n    value: {flags: 0, tag: issue, value: letsencrypt.org}\n'*':\n  type: CNAME\n  ttl: 300\n  value: www\n_sip._tcp:\n  type: SRV\n  ttl: 300\n  value: {priority: 10, weight: 60, port: 5060, target: sip.example.net.}\nsub:\n  type: NS\n  ttl: 300\n  values: [ns1.example.net., ns2.example.net.]\nwww:\n  - {type: A, ttl: 300, values: [192.0.2.2, 192.0.2.1]}\n  - {type: AAAA, ttl: 300, value: '2001:DB8::1'}\n"
            .replace("value: www\n", &format!("value: www.{zone}.\n"))
            .as_str(),
    );

    let bind = tempfile::tempdir().unwrap();
    config(bind.path(), &zone);
    write(
        &bind.path().join(format!("infra/{zone}.zone")),
        "$TTL 300\n@ 3600 IN MX ( 10 mail.example.net.\n  )\n  3600 MX 20 mx2.example.net.\n  TXT \"v=spf1 \" \"-all\"\n  CAA 0 issue \"letsencrypt.org\"\n* CNAME www\n_sip._tcp SRV 10 60 5060 sip.example.net.\nsub NS ns1.example.net.\n    NS ns2.example.net.\nwww A 192.0.2.1\n    A 192.0.2.2\n    AAAA 2001:db8:0::1\n",
    );

    let mut first = None;
    for dir in [native.path(), octo.path(), bind.path()] {
        let (code, v) = report(dir);
        assert_eq!(code, 0, "every format is in sync with the zone: {v:#}");
        assert_eq!(v["summary"]["in_sync"], 8, "{v:#}");
    }
    rt.block_on(async {
        change(
            &c,
            &zone_id,
            ChangeAction::Upsert,
            vec![rrset(
                &format!("www.{zone}."),
                RrType::A,
                60,
                &["192.0.2.99"],
            )],
        )
        .await;
        change(
            &c,
            &zone_id,
            ChangeAction::Create,
            vec![rrset(
                &format!("byhand.{zone}."),
                RrType::Txt,
                300,
                &["\"hello\""],
            )],
        )
        .await;
        change(
            &c,
            &zone_id,
            ChangeAction::Delete,
            vec![rrset(
                &format!("_sip._tcp.{zone}."),
                RrType::Srv,
                300,
                &["10 60 5060 sip.example.net."],
            )],
        )
        .await;
    });
    for dir in [native.path(), octo.path(), bind.path()] {
        let (code, v) = report(dir);
        assert_eq!(code, 1, "{v:#}");
        let s = shape(&v);
        match &first {
            None => first = Some(s),
            Some(f) => assert_eq!(&s, f, "the same findings from every format"),
        }
    }
    let f = first.unwrap();
    assert!(f.contains(&(
        format!("{zone}/www.{zone}/A"),
        "changed".into(),
        vec!["ttl".into(), "values".into()]
    )));
    assert!(f.contains(&(
        format!("{zone}/byhand.{zone}/TXT"),
        "unmanaged".into(),
        vec![]
    )));
    assert!(f.contains(&(
        format!("{zone}/_sip._tcp.{zone}/SRV"),
        "missing".into(),
        vec![]
    )));
}

/// A zone declared in a native file with comments and both YAML styles, then
/// changed by hand: www gets a second address and a short TTL, old is
/// deleted, api is created. Returns the checkout and the zone's name.
fn zone_after_clickops(
    rt: &tokio::runtime::Runtime,
    c: &Client,
    tag: &str,
) -> (tempfile::TempDir, String) {
    let zone = unique_zone(tag);
    let zone_id = rt.block_on(async {
        let id = create_zone(c, &zone).await;
        change(
            c,
            &id,
            ChangeAction::Create,
            vec![
                rrset(&format!("www.{zone}."), RrType::A, 300, &["192.0.2.1"]),
                rrset(&format!("old.{zone}."), RrType::A, 300, &["192.0.2.50"]),
                rrset(
                    &format!("{zone}."),
                    RrType::Mx,
                    300,
                    &[&format!("10 mail.{zone}.")],
                ),
            ],
        )
        .await;
        id
    });
    let d = tempfile::tempdir().unwrap();
    config(d.path(), &zone);
    let declared = format!(
        "# Zone managed in Git\nkind: dns_zone\nzone: {zone}\nttl: 300\nrecords:\n  - {{name: www, type: A, value: 192.0.2.1}}   # the web front\n  - name: old\n    type: A\n    values:\n      - 192.0.2.50\n  - {{name: \"@\", type: MX, values: [\"10 mail.{zone}.\"]}}\n"
    );
    write(&d.path().join(format!("infra/dns/{zone}.yaml")), &declared);
    let (code, v) = report(d.path());
    assert_eq!(code, 0, "{v:#}");
    rt.block_on(async {
        change(
            c,
            &zone_id,
            ChangeAction::Upsert,
            vec![rrset(
                &format!("www.{zone}."),
                RrType::A,
                60,
                &["192.0.2.1", "192.0.2.2"],
            )],
        )
        .await;
        change(
            c,
            &zone_id,
            ChangeAction::Delete,
            vec![rrset(
                &format!("old.{zone}."),
                RrType::A,
                300,
                &["192.0.2.50"],
            )],
        )
        .await;
        change(
            c,
            &zone_id,
            ChangeAction::Create,
            vec![rrset(
                &format!("api.{zone}."),
                RrType::A,
                300,
                &["192.0.2.9"],
            )],
        )
        .await;
    });
    let (code, v) = report(d.path());
    assert_eq!(code, 1);
    assert_eq!(states(&v).len(), 3, "{v:#}");
    (d, zone)
}

#[test]
fn adopt_rewrites_a_native_zone_file_in_place() {
    let rt = rt();
    let c = rt.block_on(route53());
    let (d, zone) = zone_after_clickops(&rt, &c, "adopt");
    let file = d.path().join(format!("infra/dns/{zone}.yaml"));
    let r = dgm(d.path(), &["adopt"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        format!(
            "# Zone managed in Git\nkind: dns_zone\nzone: {zone}\nttl: 300\nrecords:\n  - {{name: www, type: A, values: [192.0.2.1, 192.0.2.2], ttl: 60}}   # the web front\n  - {{name: \"@\", type: MX, values: [\"10 mail.{zone}.\"]}}\n  - {{name: api, type: A, ttl: 300, values: [192.0.2.9]}}\n"
        )
    );
    let (code, v) = report(d.path());
    assert_eq!(code, 0, "after adopt the zone is in sync: {v:#}");
}

#[test]
fn the_suggested_revert_commands_put_the_zone_back_to_git() {
    let rt = rt();
    let c = rt.block_on(route53());
    let (d, _zone) = zone_after_clickops(&rt, &c, "revert");
    let r = dgm(d.path(), &["check", "--format", "json", "--suggest"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let commands = crate::moto::revert_commands(&v, &str::to_owned);
    assert_eq!(commands.len(), 3, "{commands:#?}");
    for line in &commands {
        let r = crate::moto::paste(line);
        assert_eq!(r.code, 0, "{line}\n{}", r.all());
    }
    let (code, v) = report(d.path());
    assert_eq!(code, 0, "after the revert the zone matches Git: {v:#}");
}

/// The line `at` (`file:line`) points at, and the entry it starts.
fn entry_at(dir: &Path, at: &str) -> String {
    let (file, line) = at.rsplit_once(':').unwrap();
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let line: usize = line.parse().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let first = lines[line - 1];
    let indent = first.len() - first.trim_start().len();
    let mut out = vec![first];
    for l in &lines[line..] {
        if l.trim().is_empty() || l.len() - l.trim_start().len() <= indent {
            break;
        }
        out.push(l);
    }
    out.join("\n")
}

#[test]
fn entries_sharing_a_name_are_located_and_adopted_each_at_its_own_entry() {
    let zone = unique_zone("apex");
    let d = tempfile::tempdir().unwrap();
    let weighted = |id: &str, w: i64, v: &str| {
        let mut s = rrset(&format!("api.{zone}"), RrType::A, 60, &[v]);
        s.set_identifier = Some(id.to_owned());
        s.weight = Some(w);
        s
    };
    let zone_id = rt().block_on(async {
        let c = route53().await;
        let id = create_zone(&c, &zone).await;
        change(
            &c,
            &id,
            ChangeAction::Create,
            vec![
                rrset(&zone, RrType::A, 300, &["192.0.2.1"]),
                rrset(&zone, RrType::Mx, 300, &[&format!("10 mail.{zone}.")]),
                rrset(&zone, RrType::Txt, 300, &["\"v=spf1 -all\""]),
                weighted("blue", 90, "192.0.2.20"),
                weighted("green", 10, "192.0.2.21"),
            ],
        )
        .await;
        id
    });
    config(d.path(), &zone);
    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let (code, v) = report(d.path());
    assert_eq!(code, 0, "{v:#}");

    // ClickOps on the second apex entry and on the second weighted set.
    rt().block_on(async {
        let c = route53().await;
        change(
            &c,
            &zone_id,
            ChangeAction::Upsert,
            vec![
                rrset(&zone, RrType::Mx, 300, &[&format!("20 mx2.{zone}.")]),
                weighted("green", 50, "192.0.2.21"),
            ],
        )
        .await;
    });
    let (code, v) = report(d.path());
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        states(&v),
        vec![
            (format!("{zone}/{zone}/MX"), "changed".to_owned()),
            (format!("{zone}/api.{zone}/A/green"), "changed".to_owned()),
        ]
    );
    for f in v["findings"].as_array().unwrap() {
        if f["state"] != "changed" {
            continue;
        }
        let entry = entry_at(d.path(), f["declared_at"].as_str().unwrap());
        let id = f["id"].as_str().unwrap();
        if id.ends_with("/MX") {
            assert!(entry.contains("MX"), "{id} located at {entry}");
            // The changed field at its own line, inside that entry.
            let at = f["changes"][0]["at"].as_str().unwrap();
            let (file, line) = at.rsplit_once(':').unwrap();
            let text = std::fs::read_to_string(d.path().join(file)).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let n: usize = line.parse().unwrap();
            assert_eq!(lines[n - 1].trim(), "values:", "{at}");
            assert!(lines[n].contains("10 mail."), "{at}");
        } else {
            assert!(entry.contains("green"), "{id} located at {entry}");
            assert!(!entry.contains("blue"), "{id} located at {entry}");
        }
    }
    let file = d.path().join(format!("infra/dns/{zone}.yaml"));
    let before = std::fs::read_to_string(&file).unwrap();
    let r = dgm(d.path(), &["adopt"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let (code, v) = report(d.path());
    assert_eq!(code, 0, "after adopt live matches Git: {v:#}");
    let after = std::fs::read_to_string(&file).unwrap();
    let diff = similar::TextDiff::from_lines(&before, &after);
    let changed: Vec<String> = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| format!("{}{}", c.tag(), c.value()))
        .collect();
    // The MX values (a block list rewritten as one flow list) and the
    // weight: nothing of the other entries named `@` or `api`.
    assert_eq!(changed.len(), 5, "only the two values: {changed:#?}");
    assert!(
        changed.iter().all(|l| l.contains("values:")
            || l.contains("mail.")
            || l.contains("weight: 10")
            || l.contains("weight: 50")),
        "{changed:#?}"
    );
}

/// Runs octodns-sync (the pinned octoDNS of the test venv, through
/// tests/support/octodns_sync.py: one moto gap filled) in `dir` against moto.
fn octodns_sync(dir: &Path, args: &[&str]) -> Run {
    let python = std::env::var("DRIFTGATE_TEST_PYTHON")
        .expect("DRIFTGATE_TEST_PYTHON is not set: run scripts/test.sh, which installs octoDNS");
    let script = crate::common::root().join("tests/support/octodns_sync.py");
    run(std::process::Command::new(python)
        .arg(script)
        .args(args)
        .current_dir(dir)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1"))
}

#[test]
fn an_octodns_repository_synced_by_octodns_is_in_sync_and_hand_changes_are_found() {
    let zone = unique_zone("octo");
    let d = tempfile::tempdir().unwrap();
    // octoDNS's own layout: a main config naming the YAML provider's
    // directory and default TTL, and the Route53 target.
    write(
        &d.path().join("dns/config/production.yaml"),
        &format!(
            "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./dns/zones\n    default_ttl: 300\n    enforce_order: true\n  route53:\n    class: octodns_route53.Route53Provider\n    access_key_id: env/AWS_ACCESS_KEY_ID\n    secret_access_key: env/AWS_SECRET_ACCESS_KEY\n\nzones:\n  {zone}.:\n    sources:\n      - config\n    targets:\n      - route53\n"
        ),
    );
    write(
        &d.path().join(format!("dns/zones/{zone}.yaml")),
        &format!(
            "---\n'':\n  - type: A\n    values:\n      - 192.0.2.1\n      - 192.0.2.2\n  - type: MX\n    value:\n      exchange: mail.{zone}.\n      preference: 10\n  - ttl: 600\n    type: TXT\n    value: v=spf1 -all\napex-alias:\n  type: Route53Provider/ALIAS\n  value:\n    name: ''\n    type: A\nwww:\n  type: CNAME\n  value: {zone}.\n"
        ),
    );
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"dns\"\nmode = \"enforce\"\ndeclared = \"dns\"\n\n[scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"{zone}\"]\n"
        ),
    );
    let r = octodns_sync(
        d.path(),
        &["--config-file", "dns/config/production.yaml", "--doit"],
    );
    assert_eq!(r.code, 0, "octodns-sync: {}", r.all());

    // What octoDNS wrote is what its files say: no finding at all (records
    // without a TTL at the config's 300, the alias as octodns-route53
    // writes it).
    let (code, v) = report(d.path());
    assert_eq!(code, 0, "{v:#}");
    assert!(states(&v).is_empty(), "{:?}", states(&v));
    assert_eq!(v["summary"]["in_sync"], 5, "{v:#}");
    let r = dgm(d.path(), &["files"]);
    assert!(r.stdout.contains("octoDNS main config"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains(&format!("zone {zone} of the octoDNS config")),
        "{}",
        r.stdout
    );

    // A hand change: exactly it is found, at its line.
    let zone_id = rt().block_on(async {
        let c = route53().await;
        let id = c
            .list_hosted_zones_by_name()
            .dns_name(format!("{zone}."))
            .send()
            .await
            .unwrap()
            .hosted_zones()[0]
            .id()
            .to_owned();
        change(
            &c,
            &id,
            ChangeAction::Upsert,
            vec![rrset(
                &format!("www.{zone}"),
                RrType::Cname,
                300,
                &["elsewhere.example."],
            )],
        )
        .await;
        id
    });
    assert!(!zone_id.is_empty());
    let (code, v) = report(d.path());
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        states(&v),
        vec![(format!("{zone}/www.{zone}/CNAME"), "changed".to_owned())]
    );
}

/// octoDNS's own basic example (fixtures/real/octodns-basic, verbatim), as
/// its README runs it from its directory: synced into moto by the real
/// octodns-sync (its PowerDNS target swapped for Route53 in a config the
/// test writes beside it, since no PowerDNS runs here), then checked
/// through the example's own config.
#[test]
fn the_octodns_basic_example_synced_by_octodns_is_in_sync_and_imports_cleanly() {
    let d = tempfile::tempdir().unwrap();
    crate::common::copy_tree(
        &crate::common::root().join("fixtures/real/octodns-basic"),
        d.path(),
    );
    let real = std::fs::read_to_string(d.path().join("config/octodns.yaml")).unwrap();
    let start = real.find("  powerdns:").unwrap();
    let end = real[start..].find("\nzones:").unwrap() + start;
    // The example enables octoDNS's best-practice validators, which
    // octoDNS 1.22 has since extended (a null MX and DMARC for a zone
    // without mail): the example's empty zone no longer passes them, so the
    // sync config leaves the manager section out.
    let providers = real.find("providers:").unwrap();
    let sync = real[providers..start].to_owned()
        + "  route53:\n    class: octodns_route53.Route53Provider\n"
        + &real[end..].replace("- powerdns", "- route53");
    write(&d.path().join("sync/octodns.yaml"), &sync);
    // One zone in scope; the example's other zone is skipped with a note.
    write(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"dns\"\nmode = \"enforce\"\ndeclared = \"config\"\n\n[scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"my-domain.com\"]\n",
    );
    let r = octodns_sync(d.path(), &["--config-file", "sync/octodns.yaml", "--doit"]);
    assert_eq!(r.code, 0, "octodns-sync: {}", r.all());

    let r = dgm(d.path(), &["check", "--format", "json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()));
    assert_eq!(r.code, 0, "{v:#}\n{}", r.stderr);
    assert!(states(&v).is_empty(), "{:?}", states(&v));
    // '' A/AAAA/TXT (with SpfSource's v=spf1 -all), '*' A/AAAA, the dotted
    // TXT, pointer CNAME, www A/AAAA.
    assert_eq!(v["summary"]["in_sync"], 9, "{v:#}");
    assert!(
        r.stderr
            .contains("octoDNS zone `unused-domain.io` is not a DNS zone of scope `dns`; skipped"),
        "{}",
        r.stderr
    );

    // Hand changes: exactly those found.
    rt().block_on(async {
        let c = route53().await;
        let id = c
            .list_hosted_zones_by_name()
            .dns_name("my-domain.com.")
            .send()
            .await
            .unwrap()
            .hosted_zones()[0]
            .id()
            .to_owned();
        change(
            &c,
            &id,
            ChangeAction::Upsert,
            vec![rrset(
                "pointer.my-domain.com",
                RrType::Cname,
                3600,
                &["look.over-there.net."],
            )],
        )
        .await;
        change(
            &c,
            &id,
            ChangeAction::Create,
            vec![rrset(
                "debug.my-domain.com",
                RrType::A,
                60,
                &["198.51.100.9"],
            )],
        )
        .await;
    });
    let r = dgm(d.path(), &["check", "--format", "json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        states(&v),
        vec![
            (
                "my-domain.com/debug.my-domain.com/A".to_owned(),
                "unmanaged".to_owned()
            ),
            (
                "my-domain.com/pointer.my-domain.com/CNAME".to_owned(),
                "changed".to_owned()
            ),
        ]
    );

    // `driftgate import` of that live zone into a fresh tree, then check:
    // in sync.
    let fresh = tempfile::tempdir().unwrap();
    write(
        &fresh.path().join("driftgate.toml"),
        "[[scope]]\nname = \"dns\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.aws]\nregion = \"us-east-1\"\nroute53_zones = [\"my-domain.com\"]\n",
    );
    let r = dgm(fresh.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = dgm(fresh.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn a_zone_of_several_pages_settled_as_read_gives_the_whole_scans_report() {
    // 700 sets: three listing pages, each handed over and settled as it
    // arrives; `--suggest` reads the whole scan first. One report.
    let rt = rt();
    let c = rt.block_on(route53());
    let zone = unique_zone("pages");
    let zone_id = rt.block_on(async {
        let id = create_zone(&c, &zone).await;
        let sets: Vec<ResourceRecordSet> = (0..700)
            .map(|i| {
                rrset(
                    &format!("host{i:04}.{zone}."),
                    RrType::A,
                    300,
                    &[&format!("10.0.{}.{}", i / 256, i % 256)],
                )
            })
            .collect();
        change(&c, &id, ChangeAction::Create, sets).await;
        id
    });
    let d = tempfile::tempdir().unwrap();
    config(d.path(), &zone);
    let r = dgm(d.path(), &["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    // By hand: a set changed on the first page and on the last, one
    // deleted, one added.
    rt.block_on(async {
        change(
            &c,
            &zone_id,
            ChangeAction::Upsert,
            vec![
                rrset(&format!("host0003.{zone}."), RrType::A, 60, &["10.0.0.3"]),
                rrset(&format!("host0690.{zone}."), RrType::A, 300, &["192.0.2.9"]),
            ],
        )
        .await;
        change(
            &c,
            &zone_id,
            ChangeAction::Delete,
            vec![rrset(
                &format!("host0400.{zone}."),
                RrType::A,
                300,
                &["10.0.1.144"],
            )],
        )
        .await;
        change(
            &c,
            &zone_id,
            ChangeAction::Create,
            vec![rrset(
                &format!("byhand.{zone}."),
                RrType::A,
                300,
                &["192.0.2.1"],
            )],
        )
        .await;
    });
    let report = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let r = dgm(d.path(), &all);
        assert_eq!(r.code, 1, "{}", r.all());
        let mut v: Value = serde_json::from_str(&r.stdout).unwrap();
        for f in v["findings"].as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("suggest");
        }
        v
    };
    let settled = report(&[]);
    let whole = report(&["--suggest"]);
    assert_eq!(settled["summary"], whole["summary"]);
    assert_eq!(settled["findings"], whole["findings"]);
    assert_eq!(
        states(&settled),
        vec![
            (format!("{zone}/byhand.{zone}/A"), "unmanaged".to_owned()),
            (format!("{zone}/host0003.{zone}/A"), "changed".to_owned()),
            (format!("{zone}/host0400.{zone}/A"), "missing".to_owned()),
            (format!("{zone}/host0690.{zone}/A"), "changed".to_owned()),
        ]
    );
    assert_eq!(settled["summary"]["in_sync"], 697);
}
