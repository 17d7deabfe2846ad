//! Unit tests of `check --suggest` and of each kind's revert payloads.

use super::*;
use crate::kinds::dns_record::revert::{azure_properties, rrset};
use crate::kinds::firewall_rule::revert::{gcp_body, ip_permissions};
use serde_json::json;

#[test]
fn shell_words_are_quoted_only_when_needed() {
    assert_eq!(sh("prod/api"), "prod/api");
    assert_eq!(sh("it's"), r"'it'\''s'");
    assert_eq!(sh("{\"a\": 1}"), "'{\"a\": 1}'");
}

#[test]
fn security_group_permissions_in_the_api_shape() {
    let spec = json!({"groupId": "sg-1", "direction": "ingress", "protocol": "tcp", "ports": "80-81", "peerType": "cidr", "peer": "10.0.0.0/8"});
    assert_eq!(
        ip_permissions(&spec),
        json!([{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 81, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    );
    let spec =
        json!({"protocol": "all", "ports": "any", "peerType": "security_group", "peer": "sg-2"});
    assert_eq!(
        ip_permissions(&spec),
        json!([{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2"}]}])
    );
}

#[test]
fn route53_sets_in_the_api_shape() {
    let spec = json!({"name": "www.example.com", "type": "TXT", "ttl": 300, "values": ["v=spf1 -all"], "setIdentifier": "a", "weight": 10});
    assert_eq!(
        rrset(&spec),
        json!({"Name": "www.example.com.", "Type": "TXT", "TTL": 300,
               "ResourceRecords": [{"Value": "\"v=spf1 -all\""}], "SetIdentifier": "a", "Weight": 10})
    );
}

#[test]
fn azure_payloads_read_back_through_the_azure_provider() {
    for (rtype, values) in [
        ("A", vec!["192.0.2.1", "192.0.2.2"]),
        ("AAAA", vec!["2001:db8::1"]),
        ("CNAME", vec!["target.example.org."]),
        ("MX", vec!["10 mail.example.org.", "20 mx2.example.org."]),
        ("NS", vec!["ns1.example.net."]),
        ("PTR", vec!["host.example.org."]),
        ("SRV", vec!["10 60 5060 sip.example.org."]),
        ("CAA", vec!["0 issue \"letsencrypt.org\""]),
        ("TXT", vec!["\"v=spf1 -all\""]),
    ] {
        let spec = json!({"name": "x.example.org", "type": rtype, "ttl": 300, "values": values});
        let props = azure_properties(&spec).unwrap();
        let set = json!({"name": "x", "type": format!("Microsoft.Network/dnszones/{rtype}"), "properties": props});
        let back = driftgate_azure::dns::map::resource("example.org", &set).unwrap();
        assert_eq!(back.spec["values"], spec["values"], "{rtype}");
        assert_eq!(back.spec["ttl"], 300, "{rtype}");
    }
}

#[test]
fn gcp_bodies_read_back_through_the_rule_reader() {
    let spec = json!({"project": "p", "network": "default", "name": "allow-web", "direction": "INGRESS",
        "priority": 1000, "action": "allow", "rules": [{"protocol": "tcp", "ports": ["443", "80"]}],
        "sourceRanges": ["0.0.0.0/0"], "targetTags": ["web"], "logging": true});
    let back = driftgate_model::firewall::gcp_rule("p", &gcp_body(&spec), None).unwrap();
    assert_eq!(back.spec, spec);
}

#[test]
fn azure_properties_in_the_rest_shape() {
    let spec = json!({"name": "example.org", "type": "MX", "ttl": 3600, "values": ["10 mail.example.org."]});
    assert_eq!(
        azure_properties(&spec).unwrap(),
        json!({"TTL": 3600, "MXRecords": [{"preference": 10, "exchange": "mail.example.org."}]})
    );
}
