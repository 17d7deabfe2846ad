//! The trait every cloud module implements.

use crate::{Kind, ProviderError, Resource};
use serde::{Deserialize, Serialize};

/// Something that could not be read: one resource, or a whole scope (then `id`
/// is the scope followed by `/*`, e.g. `prod/*` for a cluster).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unchecked {
    pub kind: Kind,
    pub id: String,
    pub error: ProviderError,
}

/// Where a scan looked: a cloud's account and region, project, or
/// subscription, for the report's metadata (`targets`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Target {
    /// The config's scope that names it.
    pub scope: String,
    pub cloud: crate::Cloud,
    /// The AWS account (from the caller's identity), where it was learnt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
}

impl Target {
    /// A target of `cloud` in `scope`, every place left to fill in.
    #[must_use]
    pub fn new(scope: &str, cloud: crate::Cloud) -> Self {
        Target {
            scope: scope.to_owned(),
            cloud,
            account: None,
            region: None,
            project: None,
            subscription: None,
            resource_group: None,
        }
    }

    /// `aws 123456789012 us-east-1`, `gcp acme-prod`, for a header line.
    #[must_use]
    pub fn label(&self) -> String {
        let mut parts = vec![self.cloud.as_str().to_owned()];
        for p in [
            &self.account,
            &self.region,
            &self.project,
            &self.subscription,
            &self.resource_group,
        ]
        .into_iter()
        .flatten()
        {
            parts.push(p.clone());
        }
        parts.join(" ")
    }
}

/// What one scan of a provider's targets found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanResult {
    /// Where the scan looked (metadata; not a resource).
    pub targets: Vec<Target>,
    /// Every resource read, in any order.
    pub resources: Vec<Resource>,
    /// Scopes read completely, as `<kind>:<scope>`: only inside these may a
    /// live resource count as unmanaged, or a declared one as missing.
    pub scopes_read: Vec<String>,
    /// What could not be read.
    pub unchecked: Vec<Unchecked>,
}

impl ScanResult {
    /// Adds what another part of the scan found.
    pub fn absorb(&mut self, part: ScanResult) {
        self.resources.extend(part.resources);
        self.scopes_read.extend(part.scopes_read);
        self.unchecked.extend(part.unchecked);
        self.targets.extend(part.targets);
    }

    /// The result in a stable order: resources by kind and id, scopes,
    /// unchecked by id.
    #[must_use]
    pub fn sorted(mut self) -> Self {
        self.resources
            .sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        self.scopes_read.sort();
        self.targets.sort();
        self.targets.dedup();
        self.unchecked
            .sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        self
    }

    /// Qualifies the target part of every `kind` id (the cluster of
    /// `cluster/service`) as `<target>@<qualifier>`, in resources, scopes
    /// read and unchecked alike: a scan of one region, made distinct from
    /// the same names in another region.
    pub fn qualify(&mut self, kind: Kind, qualifier: &str) {
        let q = |id: &str| match id.split_once('/') {
            Some((t, rest)) => format!("{t}@{qualifier}/{rest}"),
            None => format!("{id}@{qualifier}"),
        };
        for r in self.resources.iter_mut().filter(|r| r.kind == kind) {
            r.id = q(&r.id);
        }
        let prefix = format!("{kind}:");
        for s in &mut self.scopes_read {
            if let Some(t) = s.strip_prefix(&prefix) {
                *s = format!("{prefix}{t}@{qualifier}");
            }
        }
        for u in self.unchecked.iter_mut().filter(|u| u.kind == kind) {
            u.id = q(&u.id);
        }
    }

    /// Prefixes every `kind` id (and scope read, and unchecked id) with
    /// `<prefix>:`: a scan of one account, made distinct from the same
    /// names in another account.
    pub fn prefix(&mut self, kind: Kind, prefix: &str) {
        for r in self.resources.iter_mut().filter(|r| r.kind == kind) {
            r.id = format!("{prefix}:{}", r.id);
        }
        let head = format!("{kind}:");
        for s in &mut self.scopes_read {
            if let Some(t) = s.strip_prefix(&head) {
                *s = format!("{head}{prefix}:{t}");
            }
        }
        for u in self.unchecked.iter_mut().filter(|u| u.kind == kind) {
            u.id = format!("{prefix}:{}", u.id);
        }
    }

    /// Whether everything asked for was read.
    #[must_use]
    pub fn complete(&self) -> bool {
        self.unchecked.is_empty()
    }
}

/// Where a provider may hand over the resources of a target as it reads
/// them, a page at a time, instead of holding them all in its result: a
/// 10,000-set zone is then never held whole. A page handed over is part of
/// the scan's result as if it were in [`ScanResult::resources`]; the
/// result still says whether its target was read (`scopes_read`) or not
/// (`unchecked`), and a page of a target not read counts for nothing, as
/// a failed target's resources never do. Each resource is handed over once
/// per scan.
#[derive(Clone)]
pub struct Pages(std::sync::Arc<dyn Fn(Vec<Resource>) + Send + Sync>);

impl Pages {
    /// Pages handed to `take`.
    pub fn new(take: impl Fn(Vec<Resource>) + Send + Sync + 'static) -> Self {
        Pages(std::sync::Arc::new(take))
    }

    /// Hands over one page.
    pub fn send(&self, page: Vec<Resource>) {
        (self.0)(page);
    }

    /// These pages with every `kind` id prefixed `<prefix>:`, as
    /// [`ScanResult::prefix`] renames a result's.
    #[must_use]
    pub fn prefixed(&self, kind: Kind, prefix: &str) -> Pages {
        let (inner, prefix) = (self.clone(), prefix.to_owned());
        Pages::new(move |mut page| {
            for r in page.iter_mut().filter(|r| r.kind == kind) {
                r.id = format!("{prefix}:{}", r.id);
            }
            inner.send(page);
        })
    }
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pages")
    }
}

/// A cloud module. It is built with its targets (credentials, regions and
/// scopes already resolved) and returns model types only, never SDK types.
/// A scan never fails as a whole: what could not be read is reported in
/// [`ScanResult::unchecked`] and the rest is still returned.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// A short name for messages, e.g. `aws`.
    fn name(&self) -> &'static str;

    /// The kinds this provider reads.
    fn supports(&self) -> &'static [Kind];

    /// Reads every resource in the provider's scopes. Only read APIs are called.
    async fn scan(&self) -> ScanResult;
}

/// The scope key of a kind and a scope name, as found in
/// [`ScanResult::scopes_read`].
#[must_use]
pub fn scope_key(kind: Kind, scope: &str) -> String {
    format!("{kind}:{scope}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, ProviderError};

    #[test]
    fn qualify_renames_only_the_target_part_of_one_kind() {
        let mut r = ScanResult {
            resources: vec![
                Resource {
                    kind: Kind::EcsService,
                    id: "prod/api".into(),
                    spec: serde_json::json!({"cluster": "prod"}),
                },
                Resource {
                    kind: Kind::DnsRecord,
                    id: "example.com/www.example.com/A".into(),
                    spec: serde_json::Value::Null,
                },
            ],
            scopes_read: vec!["ecs_service:prod".into(), "dns_record:example.com".into()],
            unchecked: vec![Unchecked {
                kind: Kind::EcsService,
                id: "dev/*".into(),
                error: ProviderError::new(ErrorKind::PermissionDenied, "ecs", "ListServices", "no"),
            }],
            targets: Vec::new(),
        };
        r.qualify(Kind::EcsService, "eu-west-1");
        assert_eq!(r.resources[0].id, "prod@eu-west-1/api");
        let mut p = r.clone();
        p.prefix(Kind::EcsService, "acct");
        assert_eq!(p.resources[0].id, "acct:prod@eu-west-1/api");
        assert_eq!(p.scopes_read[0], "ecs_service:acct:prod@eu-west-1");
        assert_eq!(p.unchecked[0].id, "acct:dev@eu-west-1/*");
        assert_eq!(r.resources[0].spec["cluster"], "prod");
        assert_eq!(r.resources[1].id, "example.com/www.example.com/A");
        assert_eq!(
            r.scopes_read,
            ["ecs_service:prod@eu-west-1", "dns_record:example.com"]
        );
        assert_eq!(r.unchecked[0].id, "dev@eu-west-1/*");
    }
}
