//! Azure DNS end to end through the binary, against the documented REST
//! shapes served on loopback (Azure has no emulator). The token is given
//! with `DRIFTGATE_AZURE_TOKEN`, so no credential reaches out.

use crate::common::{driftgate, root, run, write};
use driftgate_model::replay::{Request, serve};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("fixtures/azure/dns-replay").join(name)).unwrap()
}

/// A loopback Azure Resource Manager serving `example.org`; the runtime
/// must live as long as the server is used.
fn arm() -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let base: Arc<OnceLock<String>> = Arc::default();
    let b = base.clone();
    let url = rt
        .block_on(serve(move |req: &Request| {
            assert_eq!(req.header("authorization"), Some("Bearer replay-token"));
            if req.target.contains("/providers/Microsoft.Insights/eventtypes/management/values") {
                let filter = req.query("$filter").unwrap_or_default();
                let www = "resourceUri eq '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dns/providers/Microsoft.Network/dnszones/example.org/A/www'";
                let events = if filter.ends_with(www) {
                    r#"[{"caller": "carol@contoso.com", "eventTimestamp": "2026-11-29T11:00:00Z",
                         "operationName": {"value": "Microsoft.Network/dnszones/A/write"}, "status": {"value": "Succeeded"},
                         "claims": {"appid": "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"}, "httpRequest": {"clientIpAddress": "203.0.113.77"}}]"#
                } else {
                    "[]"
                };
                return (200, "application/json", format!("{{\"value\": {events}}}"));
            }
            if !req.target.contains("/dnsZones/example.org/") {
                return (404, "application/json", fixture("error-not-found.json"));
            }
            let page = if req.target.contains("skipToken=page2") {
                2
            } else {
                1
            };
            let body = fixture(&format!("recordsets-page{page}.json"))
                .replace("{{BASE}}", b.get().unwrap());
            (200, "application/json", body)
        }))
        .0;
    base.set(url.clone()).unwrap();
    (rt, url)
}

#[test]
fn azure_dns_changed_added_and_deleted_records_are_found() {
    let (_rt, url) = arm();
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"azure\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.azure]\nsubscription = \"00000000-0000-0000-0000-000000000000\"\nresource_group = \"dns\"\ndns_zones = [\"example.org\"]\nendpoint = \"{url}\"\n"
        ),
    );
    let cmd = |args: &[&str]| {
        run(driftgate(d.path())
            .args(args)
            .env("DRIFTGATE_AZURE_TOKEN", "replay-token"))
    };
    let r = cmd(&["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = cmd(&["check"]);
    assert_eq!(r.code, 0, "import then check is in sync: {}", r.all());
    assert!(
        r.stdout.contains("8 in sync"),
        "apex NS and SOA are Azure's: {}",
        r.stdout
    );

    // As if in the portal: www changed, the SRV record added, a record deleted.
    let file = d.path().join("infra/dns/example.org.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut doc: Value =
        serde_json::to_value(serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text).unwrap())
            .unwrap();
    let records = doc["records"].as_array_mut().unwrap();
    records.retain(|r| r["type"] != "SRV");
    for r in records.iter_mut() {
        if r["name"] == "www" && r["type"] == "A" {
            r["values"] = serde_json::json!(["192.0.2.1"]);
        }
    }
    records
        .push(serde_json::json!({"name": "old", "type": "A", "ttl": 300, "values": ["192.0.2.9"]}));
    std::fs::write(&file, serde_yaml_ng::to_string(&doc).unwrap()).unwrap();

    let r = cmd(&["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let states: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "in_sync")
        .map(|f| (f["id"].as_str().unwrap(), f["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("example.org/_sip._tcp.example.org/SRV", "unmanaged"),
            ("example.org/old.example.org/A", "missing"),
            ("example.org/www.example.org/A", "changed"),
        ]
    );

    // Both ways out, with the Azure REST API's own URLs.
    let r = cmd(&["check", "--format", "json", "--suggest"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let revert = |id: &str| -> Vec<String> {
        let f = crate::common::finding(&v, id);
        f["suggest"]["revert"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    let base = format!(
        "{url}/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dns/providers/Microsoft.Network/dnsZones/example.org"
    );
    assert_eq!(
        revert("example.org/_sip._tcp.example.org/SRV"),
        vec![format!(
            "az rest --method delete --url '{base}/SRV/_sip._tcp?api-version=2018-05-01'"
        )]
    );
    assert_eq!(
        revert("example.org/old.example.org/A"),
        vec![format!(
            "az rest --method put --url '{base}/A/old?api-version=2018-05-01' --body '{{\"properties\":{{\"TTL\":300,\"ARecords\":[{{\"ipv4Address\":\"192.0.2.9\"}}]}}}}'"
        )]
    );
    let www = revert("example.org/www.example.org/A");
    assert!(
        www[0].contains("\"ARecords\":[{\"ipv4Address\":\"192.0.2.1\"}]"),
        "{www:?}"
    );

    // Who changed www: the Activity Log names the portal's user.
    let r = cmd(&["check", "--format", "json", "--blame"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let www = crate::common::finding(&v, "example.org/www.example.org/A");
    assert_eq!(www["blame"]["events"][0]["principal"], "carol@contoso.com");
    assert_eq!(www["blame"]["events"][0]["console"], true);
    assert_eq!(
        www["blame"]["events"][0]["call"],
        "Microsoft.Network/dnszones/A/write"
    );
}

#[test]
fn an_azure_zone_that_cannot_be_read_is_exit_2() {
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"azure\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.azure]\nsubscription = \"s\"\nresource_group = \"dns\"\ndns_zones = [\"example.org\"]\nendpoint = \"http://127.0.0.1:9\"\n",
    );
    std::fs::create_dir_all(d.path().join("infra")).unwrap();
    let r = run(driftgate(d.path())
        .args(["check"])
        .env("DRIFTGATE_AZURE_TOKEN", "t"));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("hint: the endpoint could not be reached"),
        "{}",
        r.stderr
    );
}

/// A loopback Network API serving resource group `net`; after `clickops`
/// is set, allow-https's source was widened in the portal, RDP opened and
/// the SMTP block deleted.
fn network(clickops: Arc<std::sync::atomic::AtomicBool>) -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let nsg = |name: &str| {
        std::fs::read_to_string(root().join("fixtures/azure/nsg-replay").join(name)).unwrap()
    };
    let base: Arc<OnceLock<String>> = Arc::default();
    let b = base.clone();
    let url = rt
        .block_on(serve(move |req: &Request| {
            assert_eq!(req.header("authorization"), Some("Bearer replay-token"));
            let page = if req.target.contains("skipToken=page2") { 2 } else { 1 };
            if req.target.contains("/providers/Microsoft.Insights/eventtypes/management/values") {
                let filter = req.query("$filter").unwrap_or_default();
                if page == 1 && !filter.ends_with("resourceUri eq '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/networkSecurityGroups/web-nsg/securityRules/allow-https'") {
                    return (200, "application/json", r#"{"value": []}"#.to_owned());
                }
                let body = std::fs::read_to_string(root().join(format!("fixtures/azure/activity-replay/events-page{page}.json")))
                    .unwrap()
                    .replace("{{BASE}}", b.get().unwrap());
                return (200, "application/json", body);
            }
            let mut body = nsg(&format!("nsgs-page{page}.json")).replace("{{BASE}}", b.get().unwrap());
            if page == 1 && clickops.load(std::sync::atomic::Ordering::SeqCst) {
                let mut v: Value = serde_json::from_str(&body).unwrap();
                let rules = v["value"][0]["properties"]["securityRules"].as_array_mut().unwrap();
                rules[0]["properties"]["sourceAddressPrefix"] = json!("*");
                rules.retain(|r| r["name"] != "deny-smtp-out");
                rules.push(json!({"name": "temp-rdp", "properties": {"protocol": "Tcp", "sourcePortRange": "*",
                    "destinationPortRange": "3389", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*",
                    "access": "Allow", "priority": 300, "direction": "Inbound"}}));
                body = v.to_string();
            }
            (200, "application/json", body)
        }))
        .0;
    base.set(url.clone()).unwrap();
    (rt, url)
}

#[test]
fn network_security_groups_import_check_and_portal_edits() {
    let clickops = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (_rt, url) = network(clickops.clone());
    let d = tempfile::tempdir().unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"azure-net\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.azure]\nsubscription = \"00000000-0000-0000-0000-000000000000\"\nresource_group = \"net\"\nnetwork_security_groups = [\"web-nsg\"]\nendpoint = \"{url}\"\n"
        ),
    );
    let cmd = |args: &[&str]| {
        run(driftgate(d.path())
            .args(args)
            .env("DRIFTGATE_AZURE_TOKEN", "replay-token"))
    };
    let r = cmd(&["import"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let file = d.path().join("infra/firewall/azure-net-web-nsg.yaml");
    let imported = std::fs::read_to_string(&file).unwrap();
    assert!(
        !imported.contains("DenyAllInBound"),
        "Azure's default rules are its own: {imported}"
    );
    let r = cmd(&["check", "--format", "json"]);
    assert_eq!(r.code, 0, "import then check is in sync: {}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["in_sync"], 4, "{}", r.stdout);

    // The same group as `az network nsg rule list` prints it.
    std::fs::remove_file(&file).unwrap();
    write(
        &d.path().join("infra/web-nsg-rules.json"),
        &std::fs::read_to_string(
            root().join("fixtures/azure/nsg-replay/az-nsg-rule-list-web.json"),
        )
        .unwrap(),
    );
    let r = cmd(&["check", "--format", "json"]);
    assert_eq!(r.code, 0, "the CLI's rule list reads the same: {}", r.all());

    // The portal's edits.
    clickops.store(true, std::sync::atomic::Ordering::SeqCst);
    let r = cmd(&["check", "--format", "json", "--suggest"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let mut drift: Vec<(String, String)> = v["findings"]
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
        .collect();
    drift.sort();
    assert_eq!(
        drift,
        [
            ("net:web-nsg/allow-https".to_owned(), "changed".to_owned()),
            ("net:web-nsg/deny-smtp-out".to_owned(), "missing".to_owned()),
            ("net:web-nsg/temp-rdp".to_owned(), "unmanaged".to_owned()),
        ]
    );
    let find = |id: &str| crate::common::finding(&v, id).clone();
    let https = find("net:web-nsg/allow-https");
    assert_eq!(https["cloud"], "azure");
    assert_eq!(https["changes"][0]["path"], "sources");
    assert_eq!(https["changes"][0]["declared"], json!(["Internet"]));
    assert_eq!(https["changes"][0]["live"], json!(["*"]));
    assert_eq!(
        https["suggest"]["revert"][0],
        "az network nsg rule create --resource-group net --nsg-name web-nsg --name allow-https --priority 100 --direction Inbound --access Allow --protocol Tcp --source-port-ranges '*' --destination-port-ranges 443 --source-address-prefixes Internet --destination-address-prefixes '*' --description 'public web'"
    );
    let rdp = find("net:web-nsg/temp-rdp");
    assert_eq!(
        rdp["suggest"]["revert"][0],
        "az network nsg rule delete --resource-group net --nsg-name web-nsg --name temp-rdp"
    );
    assert_eq!(
        rdp["what"],
        "inbound allow tcp 3389 from * to * (priority 300)"
    );

    // Who: the Activity Log, by the rule's resource URI.
    let r = cmd(&["check", "--format", "json", "--blame"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let https = crate::common::finding(&v, "net:web-nsg/allow-https");
    let events = https["blame"]["events"].as_array().unwrap();
    assert_eq!(
        events.len(),
        2,
        "the Started half of a write is not a second write: {events:?}"
    );
    assert_eq!(events[0]["principal"], "alice@contoso.com");
    assert_eq!(events[0]["console"], true, "the portal's application id");
    assert_eq!(
        events[0]["call"],
        "Microsoft.Network/networkSecurityGroups/securityRules/write"
    );
    assert_eq!(events[0]["source_ip"], "203.0.113.9");
    assert_eq!(events[1]["principal"], "deploy-sp@contoso.com");
    assert_eq!(events[1]["console"], false);
    let rdp = crate::common::finding(&v, "net:web-nsg/temp-rdp");
    assert!(
        rdp["blame"]["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("the Activity Log has no write to it since"),
        "{rdp}"
    );
    let r = cmd(&["check", "--blame"]);
    assert!(
        r.stdout.contains("alice@contoso.com"),
        "the table names the principal: {}",
        r.stdout
    );

    // Adopt the portal's edits into the native file: then in sync.
    std::fs::remove_file(d.path().join("infra/web-nsg-rules.json")).unwrap();
    write(&file, &imported);
    let r = cmd(&["adopt"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let adopted = std::fs::read_to_string(&file).unwrap();
    assert!(
        adopted.contains("temp-rdp") && !adopted.contains("deny-smtp-out"),
        "{adopted}"
    );
    let r = cmd(&["check"]);
    assert_eq!(r.code, 0, "adopted, then in sync: {}", r.all());
}
