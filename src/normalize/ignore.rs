//! `[[ignore]]` rules: whole resources or single fields left out of the gate,
//! each with a reason and an optional expiry.

use driftgate_model::Kind;
use wildmatch::WildMatch;

#[derive(Debug, Clone)]
pub struct IgnoreRule {
    pub kind: Kind,
    pub resource: String,
    pub field: Option<String>,
    pub reason: String,
    /// Where the rule stands, for messages: `driftgate.toml:12`.
    pub at: String,
}

impl IgnoreRule {
    /// Whether the rule names this resource.
    #[must_use]
    pub fn matches_resource(&self, kind: Kind, id: &str) -> bool {
        self.kind == kind && WildMatch::new(&self.resource).matches(id)
    }

    /// Whether the rule ignores the whole resource.
    #[must_use]
    pub fn whole(&self) -> bool {
        self.field.is_none()
    }

    /// Whether the rule ignores this field path: the glob matches the path, or
    /// the path lies under a field the glob matches (`tags` covers `tags[team]`).
    #[must_use]
    pub fn matches_field(&self, path: &str) -> bool {
        let Some(glob) = &self.field else {
            return true;
        };
        if WildMatch::new(glob).matches(path) {
            return true;
        }
        path.char_indices()
            .filter(|(_, c)| *c == '.' || *c == '[')
            .any(|(i, _)| WildMatch::new(glob).matches(&path[..i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(resource: &str, field: Option<&str>) -> IgnoreRule {
        IgnoreRule {
            kind: Kind::EcsService,
            resource: resource.into(),
            field: field.map(Into::into),
            reason: "r".into(),
            at: "driftgate.toml:1".into(),
        }
    }

    #[test]
    fn globs_over_ids_and_paths() {
        let r = rule("prod/*", Some("desiredCount"));
        assert!(r.matches_resource(Kind::EcsService, "prod/api"));
        assert!(!r.matches_resource(Kind::EcsService, "dev/api"));
        assert!(!r.matches_resource(Kind::DnsRecord, "prod/api"));
        assert!(r.matches_field("desiredCount"));
        assert!(!r.matches_field("taskDefinition.cpu"));
        let r = rule("*", Some("taskDefinition.containerDefinitions[*].image"));
        assert!(r.matches_field("taskDefinition.containerDefinitions[api].image"));
        assert!(!r.matches_field("taskDefinition.containerDefinitions[api].cpu"));
        let r = rule("*", Some("tags"));
        assert!(r.matches_field("tags[team]"));
        assert!(!r.matches_field("tagsx"));
    }
}
