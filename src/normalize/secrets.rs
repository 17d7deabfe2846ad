//! Keeps secret values out of every output while still detecting that they
//! changed.
//!
//! A value whose name looks sensitive (an environment variable, a log driver
//! option, a docker label) is replaced by `sha256:<hex>` of its value as soon
//! as it is read, on the live side and the declared side alike, before
//! anything is stored, diffed or printed. Two digests differ exactly when the
//! values do. Reports shorten a digest further to a masked marker.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Name fragments that mark a value as secret, matched case-insensitively.
pub const DEFAULT_SENSITIVE: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "KEY",
    "CREDENTIAL",
    "PRIVATE",
    "AUTH",
    "CERT",
    "DSN",
];

/// Which names are sensitive: the defaults plus the config's `[secrets] names`.
#[derive(Debug, Clone)]
pub struct SecretPolicy {
    fragments: Vec<String>,
}

impl Default for SecretPolicy {
    fn default() -> Self {
        SecretPolicy::with_extra(&[])
    }
}

impl SecretPolicy {
    #[must_use]
    pub fn with_extra(extra: &[String]) -> Self {
        let mut fragments: Vec<String> =
            DEFAULT_SENSITIVE.iter().map(|s| (*s).to_owned()).collect();
        fragments.extend(extra.iter().map(|s| s.to_uppercase()));
        SecretPolicy { fragments }
    }

    #[must_use]
    pub fn is_sensitive(&self, name: &str) -> bool {
        let upper = name.to_uppercase();
        self.fragments.iter().any(|f| upper.contains(f.as_str()))
    }

    /// Masks the secret values of an ECS service spec in place, by where
    /// they sit: environment values and tag values under a sensitive name;
    /// log driver options, FireLens options, docker labels and docker volume
    /// driver options and labels under a sensitive key; and, in every string
    /// of the spec, a credential inside the value (the password of a URL's
    /// `user:password@`, the value of `--password=...`, `TOKEN=...`,
    /// `Bearer ...`) whatever the field is called.
    ///
    /// Returns where a secret was not a single value (a list or a mapping
    /// under a sensitive name): it is masked whole all the same; a declared
    /// file with one is an error, which the caller raises.
    pub fn mask_ecs(&self, spec: &mut Value) -> Vec<String> {
        let mut odd = Vec::new();
        self.mask_pairs(spec.get_mut("tags"), "key", "tags", &mut odd);
        if let Some(td) = spec.get_mut("taskDefinition") {
            self.mask_pairs(td.get_mut("tags"), "key", "taskDefinition.tags", &mut odd);
            for c in td
                .get_mut("containerDefinitions")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let name = c
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned();
                let at = |what: &str| format!("container `{name}` {what}");
                self.mask_pairs(
                    c.get_mut("environment"),
                    "name",
                    &at("environment"),
                    &mut odd,
                );
                for (place, ptr) in [
                    ("logConfiguration.options", "/logConfiguration/options"),
                    (
                        "firelensConfiguration.options",
                        "/firelensConfiguration/options",
                    ),
                    ("dockerLabels", "/dockerLabels"),
                ] {
                    self.mask_map(c.pointer_mut(ptr), &at(place), &mut odd);
                }
            }
            for v in td
                .get_mut("volumes")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                for ptr in [
                    "/dockerVolumeConfiguration/driverOpts",
                    "/dockerVolumeConfiguration/labels",
                ] {
                    self.mask_map(v.pointer_mut(ptr), "volume driver options", &mut odd);
                }
            }
        }
        self.mask_inline_all(spec);
        odd
    }

    /// `[{name, value}]` lists (environment, tags): the value of an entry
    /// whose name is sensitive.
    fn mask_pairs(&self, list: Option<&mut Value>, key: &str, place: &str, odd: &mut Vec<String>) {
        let upper = {
            let mut k = key.to_owned();
            k[..1].make_ascii_uppercase();
            k
        };
        for pair in list.and_then(Value::as_array_mut).into_iter().flatten() {
            let name = pair
                .get(key)
                .or_else(|| pair.get(upper.as_str()))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let Some(name) = name.filter(|n| self.is_sensitive(n)) else {
                continue;
            };
            for field in ["value", "Value"] {
                if let Some(v) = pair.get_mut(field)
                    && !mask_value(v)
                {
                    odd.push(format!("{place} `{name}`"));
                }
            }
        }
    }

    fn mask_map(&self, m: Option<&mut Value>, place: &str, odd: &mut Vec<String>) {
        for (k, v) in m.and_then(Value::as_object_mut).into_iter().flatten() {
            if self.is_sensitive(k) && !mask_value(v) {
                odd.push(format!("{place} `{k}`"));
            }
        }
    }

    /// Masks credentials inside every string of `v`, and the element after a
    /// sensitive flag in a list (`["--password", "hunter2"]`).
    fn mask_inline_all(&self, v: &mut Value) {
        match v {
            Value::String(s) => {
                if let Some(m) = self.mask_inline(s) {
                    *s = m;
                }
            }
            Value::Array(items) => {
                let mut next_is_secret = false;
                for item in items {
                    if next_is_secret && let Value::String(s) = item {
                        if !is_masked(s) {
                            *s = marker(s);
                        }
                        next_is_secret = false;
                        continue;
                    }
                    next_is_secret = item.as_str().is_some_and(|t| {
                        t.starts_with('-') && !t.contains('=') && self.is_sensitive(t)
                    });
                    self.mask_inline_all(item);
                }
            }
            Value::Object(o) => o.values_mut().for_each(|x| self.mask_inline_all(x)),
            _ => {}
        }
    }

    /// A string with the credentials inside it masked, or `None` when it
    /// holds none: a URL's userinfo password (`scheme://user:pw@host`), a
    /// long userinfo token (`https://ghp_...@host`), `NAME=value` and
    /// `--name=value` and `--name value` with a sensitive name, `Bearer x`.
    #[must_use]
    pub fn mask_inline(&self, s: &str) -> Option<String> {
        let mut out = String::with_capacity(s.len());
        let mut changed = false;
        let mut prev_flag_sensitive = false;
        let mut prev_bearer = false;
        for (i, word) in split_keep(s).into_iter().enumerate() {
            if i % 2 == 1 {
                // A run of whitespace: kept as it is.
                out.push_str(word);
                continue;
            }
            let masked = if (prev_flag_sensitive || prev_bearer) && !word.is_empty() {
                Some(quoted_marker(word))
            } else {
                self.mask_word(word)
            };
            prev_bearer = word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic");
            prev_flag_sensitive =
                word.starts_with('-') && !word.contains('=') && self.is_sensitive(word);
            match masked {
                Some(m) if m != word => {
                    out.push_str(&m);
                    changed = true;
                }
                _ => out.push_str(word),
            }
        }
        changed.then_some(out)
    }

    fn mask_word(&self, word: &str) -> Option<String> {
        if is_masked(word) {
            return None;
        }
        // scheme://userinfo@host
        if let Some(i) = word.find("://") {
            let rest = &word[i + 3..];
            let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            if let Some(at) = rest[..auth_end].rfind('@') {
                let userinfo = &rest[..at];
                let head = &word[..i + 3];
                let tail = &rest[at..];
                if userinfo.contains("***masked") {
                    return None;
                }
                return match userinfo.split_once(':') {
                    Some((user, pw)) if !pw.is_empty() => {
                        Some(format!("{head}{user}:{}{tail}", marker(pw)))
                    }
                    None if userinfo.len() >= 16 && !is_masked(userinfo) => {
                        Some(format!("{head}{}{tail}", marker(userinfo)))
                    }
                    _ => None,
                };
            }
        }
        // NAME=value, --name=value
        if let Some((name, value)) = word.split_once('=') {
            let bare = name.trim_start_matches('-').trim_start_matches(['"', '\'']);
            if !bare.is_empty()
                && bare.len() <= 64
                && bare
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                && self.is_sensitive(bare)
                && !value.is_empty()
                && !is_masked(value.trim_matches(['"', '\'']))
            {
                return Some(format!("{name}={}", quoted_marker(value)));
            }
        }
        None
    }
}

/// `s` split into words and the whitespace runs between them, alternating,
/// starting with a (possibly empty) word.
fn split_keep(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() != in_space {
            out.push(&s[start..i]);
            start = i;
            in_space = !in_space;
        }
    }
    out.push(&s[start..]);
    out
}

/// The marker a secret inside a longer value is replaced by: a short digest
/// (enough to see that it changed), no whitespace, recognisable again.
#[must_use]
pub fn marker(secret: &str) -> String {
    format!("***masked:{}***", &digest(secret)[..15])
}

/// The marker for a word that may be quoted: the quotes are kept.
fn quoted_marker(word: &str) -> String {
    let trimmed = word.trim_end_matches(['"', '\'', ';', ',']);
    let end = &word[trimmed.len()..];
    let inner = trimmed.trim_start_matches(['"', '\'']);
    let start = &trimmed[..trimmed.len() - inner.len()];
    if inner.is_empty() || is_masked(inner) {
        return word.to_owned();
    }
    format!("{start}{}{end}", marker(inner))
}

/// Whether a value is already masked (a digest or a marker).
#[must_use]
pub fn is_masked(s: &str) -> bool {
    is_digest(s) || s.starts_with("***masked")
}

/// Replaces a value by its digest, unless it already is one. Returns
/// whether it was a single value: a list or a mapping is digested whole
/// (its JSON text), and `false` tells the caller it was not one value.
fn mask_value(v: &mut Value) -> bool {
    let text = match v {
        Value::String(s) if is_digest(s) => return true,
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => return true,
        other => {
            *other = Value::String(digest(&other.to_string()));
            return false;
        }
    };
    *v = Value::String(digest(&text));
    true
}

/// `sha256:<hex>` of a value.
#[must_use]
pub fn digest(value: &str) -> String {
    let hash = Sha256::digest(value.as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in hash {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[must_use]
pub fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The form a report prints for a value: digests become a masked marker
/// carrying only the first 8 hex digits, enough to tell two versions apart.
#[must_use]
pub fn redact(v: &Value) -> Value {
    match v {
        Value::String(s) if is_digest(s) => Value::String(format!("***masked*** ({})", &s[..15])),
        Value::Array(a) => Value::Array(a.iter().map(redact).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), redact(v))).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_sensitive_names_only_and_is_idempotent() {
        let p = SecretPolicy::with_extra(&["conn".to_owned()]);
        let mut spec = json!({"taskDefinition": {"containerDefinitions": [{"name": "api",
            "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}, {"name": "LOG_LEVEL", "value": "debug"},
                            {"name": "DB_CONN", "value": "postgres://u:p@h"}],
            "logConfiguration": {"options": {"splunk-token": "abc", "splunk-url": "https://x"}}}]}});
        p.mask_ecs(&mut spec);
        let text = spec.to_string();
        assert!(!text.contains("hunter2"));
        assert!(!text.contains("postgres://"));
        assert!(!text.contains("\"abc\""));
        assert!(text.contains("debug"));
        assert!(text.contains("https://x"));
        let once = spec.clone();
        p.mask_ecs(&mut spec);
        assert_eq!(once, spec, "masking a digest again keeps it");
        let env0 = &spec["taskDefinition"]["containerDefinitions"][0]["environment"][0]["value"];
        assert_eq!(env0, &json!(digest("hunter2")));
    }

    #[test]
    fn secrets_are_masked_by_where_they_sit() {
        let p = SecretPolicy::default();
        let mut spec = json!({
            "tags": [{"key": "api-token", "value": "svc-tag-secret"}, {"key": "team", "value": "web"}],
            "taskDefinition": {
                "tags": [{"key": "DB_PASSWORD", "value": "td-tag-secret"}],
                "containerDefinitions": [{
                    "name": "api",
                    "command": ["--password", "flag-secret", "--db-url=postgres://app:url-secret@db:5432/app"],
                    "entryPoint": ["sh", "-c", "export API_TOKEN=shell-secret; curl -H 'Authorization: Bearer bearer-secret' https://ghp_0123456789abcdefghij@github.com/x"],
                    "environment": [{"name": "DATABASE_URL", "value": "mysql://root:env-url-secret@db/x"}],
                    "firelensConfiguration": {"type": "fluentbit", "options": {"api_key": "firelens-secret", "enable-ecs-log-metadata": "true"}},
                    "dockerLabels": {"com.example.auth": "label-secret"},
                    "logConfiguration": {"logDriver": "splunk", "options": {"splunk-token": "log-secret"}},
                    "healthCheck": {"command": ["CMD-SHELL", "curl -f http://u:hc-secret@localhost/ || exit 1"]}
                }],
                "volumes": [{"name": "v", "dockerVolumeConfiguration": {"driverOpts": {"password": "vol-secret", "type": "cifs"}}}]
            }
        });
        let odd = p.mask_ecs(&mut spec);
        assert!(odd.is_empty());
        let text = spec.to_string();
        for secret in [
            "svc-tag-secret",
            "td-tag-secret",
            "flag-secret",
            "url-secret",
            "shell-secret",
            "bearer-secret",
            "ghp_0123456789abcdefghij",
            "env-url-secret",
            "firelens-secret",
            "label-secret",
            "log-secret",
            "hc-secret",
            "vol-secret",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        // What is not secret stays readable, the masked parts in place.
        for kept in [
            "\"team\"",
            "\"web\"",
            "postgres://app:***masked:sha256:",
            "@db:5432/app",
            "cifs",
            "true",
            "https://",
        ] {
            assert!(text.contains(kept), "{kept} missing from {text}");
        }
        let once = spec.clone();
        p.mask_ecs(&mut spec);
        assert_eq!(once, spec, "masking twice changes nothing");
    }

    #[test]
    fn a_secret_that_is_a_list_or_a_mapping_is_masked_whole_and_reported() {
        let p = SecretPolicy::default();
        let mut spec = json!({"taskDefinition": {"containerDefinitions": [{"name": "api",
            "environment": [{"name": "DB_PASSWORD", "value": ["a-secret", "b"]}],
            "dockerLabels": {"token": {"x": "map-secret"}}}]}});
        let odd = p.mask_ecs(&mut spec);
        assert_eq!(odd.len(), 2, "{odd:?}");
        assert!(odd[0].contains("`DB_PASSWORD`"));
        let text = spec.to_string();
        assert!(
            !text.contains("a-secret") && !text.contains("map-secret"),
            "{text}"
        );
    }

    #[test]
    fn inline_masking_changes_a_digest_when_the_secret_changes() {
        let p = SecretPolicy::default();
        let a = p.mask_inline("postgres://u:one@h/db").unwrap();
        let b = p.mask_inline("postgres://u:two@h/db").unwrap();
        assert_ne!(a, b);
        assert_eq!(p.mask_inline("postgres://h/db"), None);
        assert_eq!(p.mask_inline("nginx:1.25"), None);
        assert_eq!(p.mask_inline("LOG_LEVEL=debug"), None);
        assert_eq!(p.mask_inline(&a), None, "a masked value is left alone");
    }

    #[test]
    fn different_values_give_different_digests_and_redaction_hides_them() {
        assert_ne!(digest("a"), digest("b"));
        let shown = redact(&json!(digest("hunter2")));
        assert!(shown.as_str().unwrap().starts_with("***masked*** (sha256:"));
        assert!(shown.as_str().unwrap().len() < 40);
    }
}
