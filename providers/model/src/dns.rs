//! DNS names and record ids, shared by every DNS provider and reader so that
//! all of them spell an id the same way.

/// A DNS name as driftgate compares it: lower case, no trailing dot, octal
/// escapes decoded (Route53 returns `\052` for `*`).
#[must_use]
pub fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4].iter().all(u8::is_ascii_digit)
        {
            let code =
                (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(char::from(code));
            i += 4;
        } else {
            out.push(char::from(bytes[i]));
            i += 1;
        }
    }
    let trimmed = out.trim_end_matches('.');
    trimmed.to_lowercase()
}

/// A record name made absolute in `zone`: `@` and the empty name are the
/// apex, a name ending in a dot is already absolute, anything else is
/// relative to the zone.
#[must_use]
pub fn absolute_name(name: &str, zone: &str) -> String {
    let zone = canonical_name(zone);
    match name.trim() {
        "" | "@" => zone,
        n if n.ends_with('.') => canonical_name(n),
        n => {
            let n = canonical_name(n);
            if n == zone || n.ends_with(&format!(".{zone}")) {
                // Already qualified, written without the trailing dot.
                n
            } else {
                format!("{n}.{zone}")
            }
        }
    }
}

/// The id of a record set: `<zone>/<name>/<type>[/<set identifier>]`.
#[must_use]
pub fn record_id(zone: &str, name: &str, rtype: &str, set_identifier: Option<&str>) -> String {
    // Built at its exact length: a zone's ids are held by the 100,000.
    let (zone, name, rtype) = (
        canonical_name(zone),
        canonical_name(name),
        rtype.to_uppercase(),
    );
    let set = set_identifier.filter(|s| !s.is_empty());
    let mut id = String::with_capacity(
        zone.len() + name.len() + rtype.len() + 2 + set.map_or(0, |s| s.len() + 1),
    );
    for (i, part) in [zone.as_str(), &name, &rtype]
        .into_iter()
        .chain(set)
        .enumerate()
    {
        if i > 0 {
            id.push('/');
        }
        id.push_str(part);
    }
    id
}

/// A Cloud DNS routing policy (`wrr`, `geo`, `primaryBackup`, each with
/// their items and health-checked targets) in the form two equal policies
/// share: `kind` markers dropped, every list in a stable order (item order
/// does not count), whole-number weights as integers (`90.0` is `90`),
/// names without their trailing dot, keys sorted.
#[must_use]
pub fn routing_policy(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().filter(|k| *k != "kind").collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), routing_policy(&m[k])))
                    .collect(),
            )
        }
        Value::Array(l) => {
            let mut items: Vec<Value> = l.iter().map(routing_policy).collect();
            items.sort_by_cached_key(ToString::to_string);
            Value::Array(items)
        }
        Value::Number(n) => match n.as_f64() {
            #[allow(clippy::cast_possible_truncation)]
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => Value::from(f as i64),
            _ => v.clone(),
        },
        Value::String(s) if s.ends_with('.') && s.len() > 1 => Value::String(canonical_name(s)),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(canonical_name("WWW.Example.COM."), "www.example.com");
        assert_eq!(canonical_name("\\052.example.com."), "*.example.com");
        assert_eq!(absolute_name("@", "example.com."), "example.com");
        assert_eq!(absolute_name("", "example.com"), "example.com");
        assert_eq!(absolute_name("www", "example.com"), "www.example.com");
        assert_eq!(
            absolute_name("mail.other.org.", "example.com"),
            "mail.other.org"
        );
        assert_eq!(
            absolute_name("www.example.com", "example.com"),
            "www.example.com"
        );
        assert_eq!(
            record_id("Example.com.", "\\052.example.com.", "a", Some("blue")),
            "example.com/*.example.com/A/blue"
        );
        assert_eq!(
            record_id("example.com", "example.com.", "NS", None),
            "example.com/example.com/NS"
        );
        assert_eq!(
            record_id("example.com", "www", "A", Some("")),
            "example.com/www/A"
        );
        let id = record_id("example.com", "www.example.com", "aaaa", Some("eu"));
        assert_eq!(
            (id.as_str(), id.capacity()),
            ("example.com/www.example.com/AAAA/eu", id.len())
        );
    }
}
