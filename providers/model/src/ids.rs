//! The parts of resource ids that scopes add, in one place: an account's
//! `<prefix>:` (two accounts with a cluster or zone of one name) and a
//! region's `@<region>` (a cluster name is unique only per region).

/// `<prefix>:<target>` when the scope has an `id_prefix`.
#[must_use]
pub fn prefixed(prefix: Option<&str>, target: &str) -> String {
    match prefix {
        Some(p) => format!("{p}:{target}"),
        None => target.to_owned(),
    }
}

/// The cloud's own name in a cluster or zone id part: without the scope's
/// `<prefix>:` and without `@<region>` (not for GCP's `<project>:<network>`).
#[must_use]
pub fn bare(target: &str) -> &str {
    let t = target.split_once(':').map_or(target, |(_, t)| t);
    t.split('@').next().unwrap_or(t)
}

/// `<cluster>@<region>`: a cluster's id part in a multi-region scope.
#[must_use]
pub fn qualified(cluster: &str, region: &str) -> String {
    format!("{cluster}@{region}")
}

/// The region of a regional id part written `<name>@<region>`, if any.
#[must_use]
pub fn region_of_target(target: &str) -> Option<&str> {
    target.split_once('@').map(|(_, r)| r)
}

/// Whether an `id_prefix` is valid: letters, digits, `-` and `_`.
///
/// # Errors
/// Why it is not.
pub fn check_prefix(p: &str) -> Result<(), String> {
    if !p.is_empty()
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(format!(
            "`id_prefix` `{p}` must be letters, digits, `-` or `_`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_regions_compose_and_strip() {
        let t = prefixed(Some("a"), &qualified("web", "eu-west-1"));
        assert_eq!(t, "a:web@eu-west-1");
        assert_eq!(bare(&t), "web");
        assert_eq!(region_of_target(&t), Some("eu-west-1"));
        assert!(check_prefix("prod_1-x").is_ok());
        assert!(check_prefix("a:b").is_err());
        assert!(check_prefix("").is_err());
    }
}
