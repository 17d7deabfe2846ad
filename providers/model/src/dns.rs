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
    let base = format!(
        "{}/{}/{}",
        canonical_name(zone),
        canonical_name(name),
        rtype.to_uppercase()
    );
    match set_identifier {
        Some(s) if !s.is_empty() => format!("{base}/{s}"),
        _ => base,
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
    }
}
