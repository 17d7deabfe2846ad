//! Each cloud's Terraform types read to the very resources its provider
//! reads live (normalized): a state of the fixtures' live resources, as the
//! providers document their attributes, is in sync with them.

use crate::config::Config;
use crate::normalize::{Mode, normalize};
use crate::pipeline::load_declared;
use driftgate_model::Resource;
use serde_json::{Value, json};
use std::path::Path;

fn fixture(path: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn same(declared: &Resource, live: &Resource) {
    assert_eq!(declared.id, live.id);
    let d = normalize(declared, Mode::Strict).unwrap();
    let l = normalize(live, Mode::Lenient).unwrap();
    let mut changes = Vec::new();
    crate::diff::compare(Some(&d), Some(&l), "", &mut changes);
    assert!(changes.is_empty(), "{}: {changes:?}", declared.id);
}

#[test]
fn cloud_dns_and_azure_network_security_group_types_read_as_live() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("infra")).unwrap();
    let instance = |attrs: Value| json!([{"schema_version": 0, "attributes": attrs}]);
    let state = json!({"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "l", "resources": [
        {"mode": "managed", "type": "google_dns_record_set", "name": "app", "provider": "provider[\"registry.terraform.io/hashicorp/google\"]",
         "instances": instance(json!({"id": "projects/acme-prod/managedZones/example-net/rrsets/app.example.net./A",
            "managed_zone": "example-net", "name": "app.example.net.", "project": "acme-prod", "rrdatas": [], "ttl": 60, "type": "A",
            "routing_policy": [{"enable_geo_fencing": false, "geo": [], "health_check": "", "primary_backup": [],
                "wrr": [{"weight": 10, "rrdatas": ["192.0.2.11"], "health_checked_targets": []},
                        {"weight": 90, "rrdatas": ["192.0.2.10"], "health_checked_targets": []}]}]}))},
        {"mode": "managed", "type": "google_dns_record_set", "name": "www", "provider": "provider[\"registry.terraform.io/hashicorp/google\"]",
         "instances": instance(json!({"managed_zone": "example-net", "name": "www.example.net.", "project": "acme-prod",
            "rrdatas": ["192.0.2.2", "192.0.2.1"], "ttl": 300, "type": "A", "routing_policy": []}))},
        {"mode": "managed", "type": "azurerm_network_security_group", "name": "web", "provider": "provider[\"registry.terraform.io/hashicorp/azurerm\"]",
         "instances": instance(json!({"name": "web-nsg", "resource_group_name": "net", "location": "westeurope", "security_rule": [
            {"name": "allow-https", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
             "source_port_range": "*", "source_port_ranges": [], "destination_port_range": "443", "destination_port_ranges": [],
             "source_address_prefix": "Internet", "source_address_prefixes": [], "destination_address_prefix": "*",
             "destination_address_prefixes": [], "source_application_security_group_ids": [],
             "destination_application_security_group_ids": [], "description": "public web"}]}))},
        {"mode": "managed", "type": "azurerm_network_security_rule", "name": "alt", "provider": "provider[\"registry.terraform.io/hashicorp/azurerm\"]",
         "instances": instance(json!({"name": "allow-http-alt", "network_security_group_name": "web-nsg", "resource_group_name": "net",
            "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "source_port_range": "*",
            "destination_port_range": "", "destination_port_ranges": ["8080", "8000-8010"], "source_address_prefix": "",
            "source_address_prefixes": ["10.0.0.0/8", "192.168.1.0/24"], "destination_address_prefix": "*",
            "destination_address_prefixes": [], "description": ""}))}
    ]});
    std::fs::write(d.path().join("infra/terraform.tfstate"), state.to_string()).unwrap();
    let config = Config::parse(
        &d.path().join("driftgate.toml"),
        "[[scope]]\nname = \"s\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.gcp]\nproject = \"acme-prod\"\ndns_zones = [\"example.net\"]\n\n[scope.azure]\nsubscription = \"s\"\nresource_group = \"net\"\nnetwork_security_groups = [\"web-nsg\"]\n",
        (2026, 1, 1),
    )
    .unwrap();
    let loaded = load_declared(&config, false).unwrap_or_else(|e| panic!("{e}"));
    let by_id = |id: &str| {
        loaded
            .resources
            .iter()
            .find(|r| r.resource.id == id)
            .unwrap_or_else(|| {
                panic!(
                    "{id}: {:?} {:?}",
                    loaded
                        .resources
                        .iter()
                        .map(|r| &r.resource.id)
                        .collect::<Vec<_>>(),
                    loaded.notes
                )
            })
            .resource
            .clone()
    };
    // Cloud DNS, live from the replay fixtures.
    let page2 = fixture("gcp/dns-replay/rrsets-page2.json");
    let page1 = fixture("gcp/dns-replay/rrsets-page1.json");
    let live = |page: &Value, name: &str| {
        let set = page["rrsets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap();
        driftgate_gcp::dns::map::resource("example.net", set, "example-net", "acme-prod").unwrap()
    };
    same(
        &by_id("example.net/app.example.net/A"),
        &live(&page2, "app.example.net."),
    );
    same(
        &by_id("example.net/www.example.net/A"),
        &live(&page1, "www.example.net."),
    );
    // Azure, live from the replay fixtures.
    let nsgs = fixture("azure/nsg-replay/nsgs-page1.json");
    let rules = driftgate_azure::nsg::rules_of("net", "web-nsg", &nsgs["value"][0]).unwrap();
    let rule = |id: &str| rules.iter().find(|r| r.id == id).unwrap().clone();
    same(
        &by_id("net:web-nsg/allow-https"),
        &rule("net:web-nsg/allow-https"),
    );
    same(
        &by_id("net:web-nsg/allow-http-alt"),
        &rule("net:web-nsg/allow-http-alt"),
    );
    assert_eq!(loaded.resources.len(), 4);
}
