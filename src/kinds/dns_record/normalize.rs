//! What a DNS record set looks like, and what counts as the same.
//!
//! The spec of a `dns_record` (the same from every provider and reader):
//! `{zone, name, type, ttl, values, alias, setIdentifier, weight, region,
//! failover, geoLocation, multiValueAnswer, healthCheckId, routingPolicy}`
//! (`routingPolicy`: Cloud DNS's, in its API shape). What is
//! normalized:
//! - names: lower case, no trailing dot, `\052` = `*` (in ids and in values
//!   that are names: CNAME, NS, PTR, MX and SRV targets, alias targets);
//! - values are a set: their order never counts;
//! - A and AAAA in canonical address form (`2001:DB8::0:1` = `2001:db8::1`);
//! - TXT and SPF: quoting and the split into 255-byte strings do not count,
//!   nor does octoDNS's `\;` escaping: the concatenated text is compared;
//! - MX, SRV, CAA, NAPTR, DS numbers compared as numbers;
//! - alias records have no TTL;
//! - the apex SOA and NS records a provider creates with a zone are not
//!   drift unless declared ([`provider_owned`]).

use crate::normalize::node::Fields;
use crate::normalize::node::Node;
use crate::normalize::schema::{Mode, SchemaError, as_int, sorted};
use driftgate_model::dns::canonical_name;
use serde_json::{Value, json};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Keys a record spec may have.
pub const FIELDS: &[&str] = &[
    "zone",
    "name",
    "type",
    "ttl",
    "values",
    "alias",
    "setIdentifier",
    "weight",
    "region",
    "failover",
    "geoLocation",
    "multiValueAnswer",
    "healthCheckId",
    "routingPolicy",
];

/// Record types a DNS record set may have.
pub const TYPES: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT",
    "HTTPS", "SVCB", "TLSA", "SSHFP",
];

/// Whether a live record is one the provider made with the zone itself.
#[must_use]
pub fn provider_owned(id: &str) -> bool {
    let mut parts = id.split('/');
    let (Some(zone), Some(name), Some(rtype), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    // A scope's `id_prefix` stands before the zone: `prod:example.com`.
    let zone = zone.rsplit_once(':').map_or(zone, |(_, z)| z);
    zone == name && (rtype == "SOA" || rtype == "NS")
}

fn err(keys: &[&str], message: String) -> SchemaError {
    SchemaError {
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        path: keys.join("."),
        message,
    }
}

/// Normalizes a record spec.
///
/// # Errors
/// In strict mode, unknown fields, wrong types, and values that do not parse
/// for their type.
pub fn normalize(spec: &Value, mode: Mode) -> Result<Node, SchemaError> {
    let Some(obj) = spec.as_object() else {
        return Err(err(&[], "expected an object".into()));
    };
    if mode == Mode::Strict
        && let Some(k) = obj.keys().find(|k| !FIELDS.contains(&k.as_str()))
    {
        return Err(err(&[k], format!("unknown field `{k}`")));
    }
    let rtype = obj
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_uppercase();
    let mut out = Fields::new();
    let alias = obj.get("alias").filter(|a| !a.is_null());
    if let Some(alias) = alias {
        let Some(a) = alias.as_object() else {
            return Err(err(&["alias"], "expected an object".into()));
        };
        let mut m = Fields::new();
        if let Some(d) = a.get("dnsName").and_then(Value::as_str) {
            m.insert(
                "dnsName".into(),
                Node::leaf(json!(canonical_name(d)), json!(d)),
            );
        }
        if let Some(z) = a.get("hostedZoneId").and_then(Value::as_str) {
            m.insert("hostedZoneId".into(), Node::plain(json!(z)));
        }
        if let Some(t) = a.get("targetResource").and_then(Value::as_str) {
            m.insert(
                "targetResource".into(),
                Node::leaf(json!(t.to_lowercase()), json!(t)),
            );
        }
        if a.get("evaluateTargetHealth").and_then(Value::as_bool) == Some(true) {
            m.insert("evaluateTargetHealth".into(), Node::plain(json!(true)));
        }
        out.insert("alias".into(), Node::Obj(m));
    } else if let Some(ttl) = obj.get("ttl").filter(|t| !t.is_null()) {
        let Some(t) = as_int(ttl) else {
            return Err(err(&["ttl"], "expected an integer TTL".into()));
        };
        out.insert("ttl".into(), Node::leaf(json!(t), ttl.clone()));
    }
    if let Some(values) = obj.get("values").and_then(Value::as_array) {
        let mut canon = Vec::new();
        for v in values {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(err(&["values"], format!("expected text values, found {v}"))),
            };
            match canonical_value(&rtype, &text) {
                Ok(c) => canon.push(Value::String(c)),
                Err(why) if mode == Mode::Strict => {
                    return Err(err(&["values"], format!("{rtype} value `{text}`: {why}")));
                }
                Err(_) => canon.push(Value::String(text)),
            }
        }
        canon.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        canon.dedup();
        if !canon.is_empty() {
            out.insert(
                "values".into(),
                Node::leaf(Value::Array(canon), Value::Array(values.clone())),
            );
        }
    }
    for key in ["weight"] {
        if let Some(v) = obj.get(key).filter(|v| !v.is_null()) {
            let n = as_int(v).ok_or_else(|| err(&[key], "expected an integer".into()))?;
            out.insert(key.into(), Node::leaf(json!(n), v.clone()));
        }
    }
    for key in ["region", "healthCheckId"] {
        if let Some(v) = obj
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            out.insert(key.into(), Node::leaf(json!(v.to_lowercase()), json!(v)));
        }
    }
    if let Some(v) = obj.get("failover").and_then(Value::as_str) {
        out.insert(
            "failover".into(),
            Node::leaf(json!(v.to_uppercase()), json!(v)),
        );
    }
    if let Some(v) = obj
        .get("geoLocation")
        .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
    {
        out.insert("geoLocation".into(), Node::leaf(sorted(v), v.clone()));
    }
    // A Cloud DNS routing policy (weighted round robin, geolocation,
    // primary/backup, their health-checked targets): compared whole, item
    // order and `kind` markers aside.
    if let Some(p) = obj.get("routingPolicy").filter(|p| !p.is_null()) {
        if !p.is_object() {
            return Err(err(&["routingPolicy"], "expected an object".into()));
        }
        out.insert(
            "routingPolicy".into(),
            Node::leaf(driftgate_model::dns::routing_policy(p), p.clone()),
        );
    }
    if obj.get("multiValueAnswer").and_then(Value::as_bool) == Some(true) {
        out.insert("multiValueAnswer".into(), Node::plain(json!(true)));
    }
    Ok(Node::Obj(out))
}

/// The canonical text of one value of a record type.
///
/// # Errors
/// A value that does not parse for its type.
pub fn canonical_value(rtype: &str, value: &str) -> Result<String, String> {
    let v = value.trim();
    let words: Vec<&str> = v.split_whitespace().collect();
    // The root name: a null MX or SRV target.
    let host = |w: &str| {
        let n = canonical_name(w);
        if n.is_empty() { ".".to_owned() } else { n }
    };
    let num = |w: &str| {
        w.parse::<u64>()
            .map(|n| n.to_string())
            .map_err(|_| format!("`{w}` is not a number"))
    };
    Ok(match rtype {
        "A" => v
            .parse::<Ipv4Addr>()
            .map_err(|e| e.to_string())?
            .to_string(),
        "AAAA" => v
            .parse::<Ipv6Addr>()
            .map_err(|e| e.to_string())?
            .to_string(),
        "CNAME" | "NS" | "PTR" | "DNAME" => canonical_name(v),
        "MX" => match words.as_slice() {
            [pref, exchange] => format!("{} {}", num(pref)?, host(exchange)),
            _ => return Err("expected `preference exchange`".into()),
        },
        "SRV" => match words.as_slice() {
            [p, w, port, target] => {
                format!("{} {} {} {}", num(p)?, num(w)?, num(port)?, host(target))
            }
            _ => return Err("expected `priority weight port target`".into()),
        },
        "TXT" | "SPF" => txt_text(v)?,
        "CAA" => match words.as_slice() {
            [flags, tag, rest @ ..] if !rest.is_empty() => {
                format!(
                    "{} {} {}",
                    num(flags)?,
                    tag.to_lowercase(),
                    txt_text(&rest.join(" "))?
                )
            }
            _ => return Err("expected `flags tag value`".into()),
        },
        "DS" => match words.as_slice() {
            [tag, alg, dt, digest @ ..] if !digest.is_empty() => {
                format!(
                    "{} {} {} {}",
                    num(tag)?,
                    num(alg)?,
                    num(dt)?,
                    digest.concat().to_lowercase()
                )
            }
            _ => return Err("expected `key-tag algorithm digest-type digest`".into()),
        },
        "NAPTR" => match words.as_slice() {
            [order, pref, flags, service, regexp, replacement] => format!(
                "{} {} {} {} {} {}",
                num(order)?,
                num(pref)?,
                txt_text(flags)?.to_lowercase(),
                txt_text(service)?.to_lowercase(),
                txt_text(regexp)?,
                canonical_name(replacement)
            ),
            _ => return Err("expected `order preference flags service regexp replacement`".into()),
        },
        "SOA" => match words.as_slice() {
            [mname, rname, rest @ ..] if rest.len() == 5 => {
                let nums: Result<Vec<String>, String> = rest.iter().map(|w| num(w)).collect();
                format!(
                    "{} {} {}",
                    canonical_name(mname),
                    canonical_name(rname),
                    nums?.join(" ")
                )
            }
            _ => return Err("expected `mname rname serial refresh retry expire minimum`".into()),
        },
        _ => words.join(" "),
    })
}

/// The text a TXT value carries: quoted strings unquoted and concatenated
/// (`"a" "b"` is `ab`), escapes (`\"`, `\\`, `\DDD`, octoDNS's `\;`) decoded.
///
/// # Errors
/// An unterminated quoted string.
pub fn txt_text(v: &str) -> Result<String, String> {
    let v = v.trim();
    if !v.starts_with('"') {
        return Ok(unescape(v));
    }
    let mut out = String::new();
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("a quoted string is never closed".into()),
                        Some('"') => break,
                        Some('\\') => {
                            s.push('\\');
                            if let Some(n) = chars.next() {
                                s.push(n);
                            }
                        }
                        Some(x) => s.push(x),
                    }
                }
                out.push_str(&unescape(&s));
            }
            c if c.is_whitespace() => {}
            other => return Err(format!("unexpected `{other}` between quoted strings")),
        }
    }
    Ok(out)
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            if chars.len() >= i + 4 && chars[i + 1..i + 4].iter().all(char::is_ascii_digit) {
                let code: u32 = chars[i + 1..i + 4]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0);
                if let Some(ch) = char::from_u32(code) {
                    out.push(ch);
                }
                i += 4;
                continue;
            }
            out.push(chars[i + 1]);
            i += 2;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Splits a long text into the quoted 255-byte strings a TXT record holds, as
/// Route53 requires them.
#[must_use]
pub fn txt_quoted(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    while start < bytes.len() || parts.is_empty() {
        let mut end = (start + 255).min(bytes.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let chunk = &text[start..end];
        parts.push(format!(
            "\"{}\"",
            chunk.replace('\\', "\\\\").replace('"', "\\\"")
        ));
        start = end;
        if start >= bytes.len() {
            break;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::schema::canon_json;

    fn canon(v: Value) -> Value {
        canon_json(&normalize(&v, Mode::Strict).unwrap())
    }

    #[test]
    fn values_are_a_set_in_canonical_form() {
        assert_eq!(
            canon(json!({"type": "AAAA", "ttl": 60, "values": ["2001:DB8::0:1", "::1"]})),
            canon(json!({"type": "AAAA", "ttl": "60", "values": ["::1", "2001:db8::1"]}))
        );
        assert_eq!(
            canon(json!({"type": "MX", "values": ["10 MAIL.example.com.", "20 mx2.example.com"]})),
            canon(json!({"type": "MX", "values": ["20 mx2.example.com.", "010 mail.example.com"]}))
        );
        assert_ne!(
            canon(json!({"type": "A", "values": ["1.2.3.4"]})),
            canon(json!({"type": "A", "values": ["1.2.3.5"]}))
        );
    }

    #[test]
    fn txt_quoting_and_splitting_do_not_count() {
        let long = "v=DKIM1; k=rsa; p=".to_owned() + &"A".repeat(400);
        let quoted = txt_quoted(&long);
        assert!(quoted.contains("\" \""), "split into 255-byte strings");
        assert_eq!(txt_text(&quoted).unwrap(), long);
        assert_eq!(txt_text("\"a\" \"b\"").unwrap(), "ab");
        assert_eq!(
            txt_text("v=spf1 include:x \\; -all").unwrap(),
            "v=spf1 include:x ; -all"
        );
        assert_eq!(
            txt_text("\"say \\\"hi\\\"\\032!\"").unwrap(),
            "say \"hi\" !"
        );
        assert_eq!(
            canon(json!({"type": "TXT", "values": [quoted]})),
            canon(json!({"type": "TXT", "values": [long]}))
        );
        assert!(txt_text("\"open").is_err());
    }

    #[test]
    fn alias_records_have_no_ttl_and_names_ignore_case_and_dots() {
        assert_eq!(
            canon(
                json!({"type": "A", "ttl": 300, "alias": {"dnsName": "LB-1.elb.amazonaws.com.", "hostedZoneId": "Z35", "evaluateTargetHealth": false}})
            ),
            canon(
                json!({"type": "A", "alias": {"dnsName": "lb-1.elb.amazonaws.com", "hostedZoneId": "Z35"}})
            )
        );
    }

    #[test]
    fn bad_values_are_errors_in_strict_mode() {
        let e = normalize(&json!({"type": "A", "values": ["1.2.3"]}), Mode::Strict).unwrap_err();
        assert!(e.message.contains("A value `1.2.3`"), "{}", e.message);
        let e = normalize(&json!({"type": "A", "vals": []}), Mode::Strict).unwrap_err();
        assert!(e.message.contains("unknown field `vals`"));
        assert!(normalize(&json!({"type": "A", "values": ["1.2.3"]}), Mode::Lenient).is_ok());
    }

    #[test]
    fn apex_soa_and_ns_belong_to_the_provider() {
        assert!(provider_owned("example.com/example.com/NS"));
        assert!(provider_owned("example.com/example.com/SOA"));
        assert!(!provider_owned("example.com/sub.example.com/NS"));
        assert!(!provider_owned("example.com/example.com/A"));
    }
}
