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

    /// Masks the secret values of an ECS service spec in place.
    pub fn mask_ecs(&self, spec: &mut Value) {
        let Some(containers) = spec
            .pointer_mut("/taskDefinition/containerDefinitions")
            .and_then(Value::as_array_mut)
        else {
            return;
        };
        for c in containers {
            if let Some(env) = c.get_mut("environment").and_then(Value::as_array_mut) {
                for pair in env {
                    let sensitive = pair
                        .get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| self.is_sensitive(n));
                    if sensitive && let Some(v) = pair.get_mut("value") {
                        mask_value(v);
                    }
                }
            }
            if let Some(opts) = c
                .pointer_mut("/logConfiguration/options")
                .and_then(Value::as_object_mut)
            {
                self.mask_map(opts);
            }
            if let Some(labels) = c.get_mut("dockerLabels").and_then(Value::as_object_mut) {
                self.mask_map(labels);
            }
        }
    }

    fn mask_map(&self, m: &mut serde_json::Map<String, Value>) {
        for (k, v) in m.iter_mut() {
            if self.is_sensitive(k) {
                mask_value(v);
            }
        }
    }
}

/// Replaces a scalar by its digest, unless it already is one.
fn mask_value(v: &mut Value) {
    let text = match v {
        Value::String(s) if is_digest(s) => return,
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return,
    };
    *v = Value::String(digest(&text));
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
    fn different_values_give_different_digests_and_redaction_hides_them() {
        assert_ne!(digest("a"), digest("b"));
        let shown = redact(&json!(digest("hunter2")));
        assert!(shown.as_str().unwrap().starts_with("***masked*** (sha256:"));
        assert!(shown.as_str().unwrap().len() < 40);
    }
}
