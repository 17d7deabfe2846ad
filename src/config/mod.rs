//! `driftgate.toml` -> validated settings.
//!
//! Parsing is strict: an unknown key, a wrong type, a duplicate scope, a
//! cluster in two scopes, an ignore rule without a reason or past its expiry
//! are all errors naming the file, line and column.

use crate::error::InputError;
use crate::normalize::SecretPolicy;
use crate::normalize::ignore::IgnoreRule;
use driftgate_model::Cloud;
use driftgate_model::Kind;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    scope: Vec<Spanned<RawScope>>,
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
    #[serde(default)]
    secrets: RawSecrets,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    name: Spanned<String>,
    mode: ScopeMode,
    declared: String,
    aws: Option<RawAws>,
    gcp: Option<RawGcp>,
    azure: Option<RawAzure>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAws {
    region: Option<String>,
    /// Several regions, scanned concurrently: instead of `region`.
    regions: Option<Spanned<Vec<String>>>,
    profile: Option<String>,
    /// A role to assume (with the standard chain's credentials) for this scope.
    role_arn: Option<Spanned<String>>,
    /// The external id the role's trust policy asks for.
    external_id: Option<String>,
    /// Prefixes this scope's cluster and zone ids (`prod:main/api`), so two
    /// accounts may both have a cluster or zone of the same name.
    id_prefix: Option<Spanned<String>>,
    #[serde(default)]
    ecs_clusters: Vec<Spanned<String>>,
    #[serde(default)]
    route53_zones: Vec<String>,
    #[serde(default)]
    security_group_vpcs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGcp {
    project: Option<String>,
    /// Several projects, scanned concurrently: instead of `project`.
    projects: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    firewall_networks: Vec<String>,
    /// The Compute Engine API's endpoint, for tests or private endpoints.
    endpoint: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAzure {
    subscription: String,
    resource_group: String,
    #[serde(default)]
    dns_zones: Vec<String>,
    /// Azure Resource Manager's endpoint, for other clouds.
    endpoint: Option<String>,
    /// Prefixes this scope's zone ids, as for AWS.
    id_prefix: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    kind: Spanned<String>,
    resource: String,
    field: Option<String>,
    reason: String,
    expires: Option<Spanned<DateText>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DateText {
    Date(toml::value::Datetime),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    /// How many targets (scope x region, project, subscription) are read at once.
    concurrency: Option<Spanned<i64>>,
    /// The scan's deadline: whole seconds, or a string such as "90s", "5m".
    timeout: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecrets {
    /// Extra name fragments that mark a value as secret.
    #[serde(default)]
    names: Vec<String>,
}

/// Whether drift in a scope fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeMode {
    Enforce,
    Advisory,
}

impl ScopeMode {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeMode::Enforce => "enforce",
            ScopeMode::Advisory => "advisory",
        }
    }
}

/// The AWS part of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsScope {
    /// The regions to read; empty means the credential chain's region.
    pub regions: Vec<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    /// `id_prefix`: the part before `:` in this scope's cluster and zone ids.
    pub id_prefix: Option<String>,
    pub ecs_clusters: Vec<String>,
    /// Every cluster in every region: what is read (a shard keeps a part).
    pub ecs: Vec<EcsTarget>,
    pub route53_zones: Vec<String>,
    pub security_group_vpcs: Vec<String>,
}

/// One ECS cluster in one region: what a scan reads and a shard deals out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcsTarget {
    pub region: Option<String>,
    pub cluster: String,
    /// The cluster part of resource ids: the cluster's name, or
    /// `<cluster>@<region>` in a scope that reads several regions (a cluster
    /// name is only unique within its region), after the scope's
    /// `<id_prefix>:` if it has one.
    pub target: String,
}

impl AwsScope {
    /// Whether the scope reads more than one region, so that regional
    /// resource ids carry their region.
    #[must_use]
    pub fn multi_region(&self) -> bool {
        self.regions.len() > 1
    }

    /// The regions to read, `None` standing for the credential chain's.
    #[must_use]
    pub fn region_list(&self) -> Vec<Option<String>> {
        if self.regions.is_empty() {
            vec![None]
        } else {
            self.regions.iter().cloned().map(Some).collect()
        }
    }

    /// Every cluster in every region of the scope.
    #[must_use]
    pub fn ecs_targets(&self) -> Vec<EcsTarget> {
        self.ecs.clone()
    }

    fn cross(regions: &[String], clusters: &[String], prefix: Option<&str>) -> Vec<EcsTarget> {
        let region_list: Vec<Option<String>> = if regions.is_empty() {
            vec![None]
        } else {
            regions.iter().cloned().map(Some).collect()
        };
        let mut out = Vec::new();
        for region in region_list {
            for cluster in clusters {
                let target = match (&region, regions.len() > 1) {
                    (Some(r), true) => qualified(cluster, r),
                    _ => cluster.clone(),
                };
                let target = prefixed(prefix, &target);
                out.push(EcsTarget {
                    region: region.clone(),
                    cluster: cluster.clone(),
                    target,
                });
            }
        }
        out
    }

    /// The credentials and region to read `region` with.
    #[must_use]
    pub fn target(&self, region: Option<String>) -> driftgate_aws::AwsTarget {
        driftgate_aws::AwsTarget {
            region,
            profile: self.profile.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.external_id.clone(),
        }
    }
}

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

/// The GCP part of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcpScope {
    /// At least one project.
    pub projects: Vec<String>,
    pub firewall_networks: Vec<String>,
    /// Every `(project, network)` read: each network in each project (a
    /// shard keeps a part).
    pub networks: Vec<(String, String)>,
    pub endpoint: Option<String>,
}

impl GcpScope {
    /// Every `(project, network)` the scope reads.
    #[must_use]
    pub fn networks(&self) -> Vec<(String, String)> {
        self.networks.clone()
    }
}

/// The Azure part of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureScope {
    pub subscription: String,
    pub resource_group: String,
    pub dns_zones: Vec<String>,
    pub endpoint: Option<String>,
    pub id_prefix: Option<String>,
}

/// One validated scope.
#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    /// The line of the scope's `[[scope]]` table in the config file.
    pub line: usize,
    pub mode: ScopeMode,
    /// The declared directory, resolved against the config file's directory.
    pub declared: PathBuf,
    /// The declared directory as written in the config.
    pub declared_as_written: String,
    pub aws: Option<AwsScope>,
    pub azure: Option<AzureScope>,
    pub gcp: Option<GcpScope>,
    /// GCP firewall networks and Azure DNS zones named here are not read yet:
    /// they become `unchecked` findings, so the gate never passes over them.
    pub not_yet_read: Vec<(Kind, String, String)>,
}

impl Scope {
    /// The scopes of resources this scope manages: `(kind, cluster or zone)`.
    #[must_use]
    pub fn targets(&self) -> Vec<(Kind, String)> {
        self.target_clouds()
            .into_iter()
            .map(|(k, t, _)| (k, t))
            .collect()
    }

    /// [`Scope::targets`], each with the cloud that holds it.
    #[must_use]
    pub fn target_clouds(&self) -> Vec<(Kind, String, Cloud)> {
        let mut out = Vec::new();
        let zone = |prefix: Option<&str>, z: &str| {
            prefixed(prefix, &driftgate_model::dns::canonical_name(z))
        };
        if let Some(a) = &self.aws {
            out.extend(
                a.ecs_targets()
                    .into_iter()
                    .map(|t| (Kind::EcsService, t.target, Cloud::Aws)),
            );
            out.extend(
                a.route53_zones
                    .iter()
                    .map(|z| (Kind::DnsRecord, zone(a.id_prefix.as_deref(), z), Cloud::Aws)),
            );
            out.extend(
                a.security_group_vpcs
                    .iter()
                    .map(|v| (Kind::FirewallRule, v.clone(), Cloud::Aws)),
            );
        }
        if let Some(g) = &self.gcp {
            out.extend(
                g.networks()
                    .into_iter()
                    .map(|(p, n)| (Kind::FirewallRule, format!("{p}:{n}"), Cloud::Gcp)),
            );
        }
        if let Some(a) = &self.azure {
            out.extend(a.dns_zones.iter().map(|z| {
                (
                    Kind::DnsRecord,
                    zone(a.id_prefix.as_deref(), z),
                    Cloud::Azure,
                )
            }));
        }
        out
    }

    /// The cloud of the target that holds a resource id of this scope.
    #[must_use]
    pub fn cloud_of(&self, kind: Kind, id: &str) -> Option<Cloud> {
        let target = crate::diff::scope_of(id);
        self.target_clouds()
            .into_iter()
            .find(|(k, t, _)| *k == kind && t == target)
            .map(|(_, _, c)| c)
    }

    /// The id prefix of a DNS zone of this scope (from the provider that
    /// holds it), if any.
    #[must_use]
    pub fn zone_prefix(&self, zone: &str) -> Option<&str> {
        let has = |zones: &[String]| {
            zones
                .iter()
                .any(|z| driftgate_model::dns::canonical_name(z) == zone)
        };
        if let Some(a) = self.aws.as_ref().filter(|a| has(&a.route53_zones)) {
            return a.id_prefix.as_deref();
        }
        self.azure
            .as_ref()
            .filter(|a| has(&a.dns_zones))
            .and_then(|a| a.id_prefix.as_deref())
    }

    /// The DNS zones this scope manages, canonical (without any id prefix).
    #[must_use]
    pub fn dns_zones(&self) -> Vec<String> {
        self.targets()
            .into_iter()
            .filter(|(k, _)| *k == Kind::DnsRecord)
            .map(|(_, z)| bare(&z).to_owned())
            .collect()
    }
}

/// The validated config.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    /// The directory paths in the config are relative to.
    pub root: PathBuf,
    pub scopes: Vec<Scope>,
    pub ignore: Vec<IgnoreRule>,
    pub secrets: SecretPolicy,
    /// How many targets are read at once.
    pub concurrency: usize,
    /// The scan's deadline: what is unread when it passes is unchecked.
    pub timeout: std::time::Duration,
}

/// Targets read at once when the config does not say.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The scan's deadline when neither the config nor `--timeout` says: long
/// enough for a 100,000-record zone at Route53's five requests a second,
/// short enough that a stalled API fails a CI job well inside its own limit.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// A duration as `[scan] timeout` and `--timeout` take it: whole seconds
/// (`300`), or a number with a unit `s`, `m` or `h` (`90s`, `5m`, `1h`).
///
/// # Errors
/// Anything else, or zero, or more than a day.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration: expected e.g. 300, 90s, 5m or 1h"))?;
    let secs = match unit {
        "s" | "sec" => n,
        "m" | "min" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => {
            return Err(format!(
                "`{s}` is not a duration: expected e.g. 300, 90s, 5m or 1h"
            ));
        }
    };
    if secs == 0 || secs > 86_400 {
        return Err(format!(
            "`{s}`: a timeout must be between 1 second and 24 hours"
        ));
    }
    Ok(std::time::Duration::from_secs(secs))
}

impl Config {
    /// Reads and validates a config file against today's date.
    ///
    /// # Errors
    /// Anything wrong in the file, at its place.
    pub fn load(path: &Path) -> Result<Config, InputError> {
        let bytes = std::fs::read(path).map_err(|e| {
            InputError::new(path, 1, 1, format!("cannot read the config file: {e}"))
        })?;
        let text = crate::input::text_of(bytes, path)?;
        Config::parse(path, &text, today())
    }

    /// Parses a config file's text; `today` is `(year, month, day)`.
    ///
    /// # Errors
    /// Anything wrong in the text, at its place.
    pub fn parse(path: &Path, text: &str, today: (i32, u32, u32)) -> Result<Config, InputError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            InputError::at_offset(path, text, offset, e.message().trim_end().to_owned())
        })?;
        let at = |offset: usize, msg: String| InputError::at_offset(path, text, offset, msg);
        let root = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        if raw.scope.is_empty() {
            return Err(InputError::new(
                path,
                1,
                1,
                "no [[scope]]: driftgate has nothing to check",
            ));
        }
        let mut scopes: Vec<Scope> = Vec::new();
        let mut clusters_seen: Vec<(String, String)> = Vec::new();
        for spanned in raw.scope {
            let start = spanned.span().start;
            let s = spanned.into_inner();
            let name = s.name.get_ref().clone();
            if name.is_empty() || scopes.iter().any(|o| o.name == name) {
                return Err(at(
                    s.name.span().start,
                    format!("scope name `{name}` is empty or used twice"),
                ));
            }
            let not_yet_read = Vec::new();
            let aws = match s.aws {
                Some(a) => {
                    let regions = match (a.region, a.regions) {
                        (Some(_), Some(list)) => {
                            return Err(at(
                                list.span().start,
                                "give `region` or `regions`, not both".to_owned(),
                            ));
                        }
                        (Some(r), None) => vec![r],
                        (None, Some(list)) => {
                            let offset = list.span().start;
                            let list = list.into_inner();
                            if list.is_empty() {
                                return Err(at(offset, "`regions` is empty".to_owned()));
                            }
                            for (i, r) in list.iter().enumerate() {
                                if r.is_empty() || list[..i].contains(r) {
                                    return Err(at(
                                        offset,
                                        format!("region `{r}` is empty or listed twice"),
                                    ));
                                }
                            }
                            list
                        }
                        (None, None) => Vec::new(),
                    };
                    let role_arn = match a.role_arn {
                        Some(r) => {
                            if !is_role_arn(r.get_ref()) {
                                return Err(at(
                                    r.span().start,
                                    format!(
                                        "`{}` is not a role ARN like arn:aws:iam::123456789012:role/driftgate-read",
                                        r.get_ref()
                                    ),
                                ));
                            }
                            Some(r.into_inner())
                        }
                        None => None,
                    };
                    if a.external_id.is_some() && role_arn.is_none() {
                        return Err(at(
                            start,
                            format!("scope `{name}`: `external_id` needs a `role_arn`"),
                        ));
                    }
                    let id_prefix = valid_prefix(a.id_prefix).map_err(|(o, m)| at(o, m))?;
                    let pre = |t: &str| prefixed(id_prefix.as_deref(), t);
                    let multi = regions.len() > 1;
                    for c in &a.ecs_clusters {
                        if c.get_ref().contains('@') || c.get_ref().contains('/') {
                            return Err(at(
                                c.span().start,
                                format!(
                                    "`{}` is not a cluster name: list plain names; in a scope with several regions each is read in every region",
                                    c.get_ref()
                                ),
                            ));
                        }
                        let targets: Vec<String> = if multi {
                            regions
                                .iter()
                                .map(|r| pre(&qualified(c.get_ref(), r)))
                                .collect()
                        } else {
                            vec![pre(c.get_ref())]
                        };
                        for t in targets {
                            if let Some((_, other)) = clusters_seen.iter().find(|(k, _)| *k == t) {
                                return Err(at(
                                    c.span().start,
                                    format!(
                                        "cluster `{t}` is already in scope `{other}`: a cluster belongs to one scope (two accounts with a cluster of this name: give each scope an `id_prefix`, e.g. the account's alias)",
                                    ),
                                ));
                            }
                            clusters_seen.push((t, name.clone()));
                        }
                    }
                    for z in &a.route53_zones {
                        let zone = pre(&driftgate_model::dns::canonical_name(z));
                        if let Some((_, other)) = clusters_seen
                            .iter()
                            .find(|(k, _)| *k == format!("zone:{zone}"))
                        {
                            return Err(at(
                                start,
                                format!(
                                    "zone `{zone}` is already in scope `{other}`: a zone belongs to one scope (two accounts with a zone of this name: give each scope an `id_prefix`)"
                                ),
                            ));
                        }
                        clusters_seen.push((format!("zone:{zone}"), name.clone()));
                    }
                    for v in &a.security_group_vpcs {
                        if let Some((_, other)) =
                            clusters_seen.iter().find(|(k, _)| *k == format!("vpc:{v}"))
                        {
                            return Err(at(
                                start,
                                format!(
                                    "VPC `{v}` is already in scope `{other}`: a VPC belongs to one scope"
                                ),
                            ));
                        }
                        clusters_seen.push((format!("vpc:{v}"), name.clone()));
                    }
                    let ecs_clusters: Vec<String> = a
                        .ecs_clusters
                        .into_iter()
                        .map(Spanned::into_inner)
                        .collect();
                    Some(AwsScope {
                        ecs: AwsScope::cross(&regions, &ecs_clusters, id_prefix.as_deref()),
                        regions,
                        profile: a.profile,
                        role_arn,
                        external_id: a.external_id,
                        id_prefix,
                        ecs_clusters,
                        route53_zones: a.route53_zones,
                        security_group_vpcs: a.security_group_vpcs,
                    })
                }
                None => None,
            };
            let gcp = match s.gcp {
                Some(g) => {
                    let projects = match (g.project, g.projects) {
                        (Some(_), Some(list)) => {
                            return Err(at(
                                list.span().start,
                                "give `project` or `projects`, not both".to_owned(),
                            ));
                        }
                        (Some(p), None) => vec![p],
                        (None, Some(list)) => {
                            let offset = list.span().start;
                            let list = list.into_inner();
                            if list.is_empty()
                                || list
                                    .iter()
                                    .enumerate()
                                    .any(|(i, p)| p.is_empty() || list[..i].contains(p))
                            {
                                return Err(at(
                                    offset,
                                    "`projects` is empty, or has an empty or repeated entry"
                                        .to_owned(),
                                ));
                            }
                            list
                        }
                        (None, None) => {
                            return Err(at(
                                start,
                                format!(
                                    "scope `{name}`: [scope.gcp] needs `project` or `projects`"
                                ),
                            ));
                        }
                    };
                    for p in &projects {
                        for n in &g.firewall_networks {
                            let key = format!("net:{p}:{n}");
                            if let Some((_, other)) = clusters_seen.iter().find(|(k, _)| *k == key)
                            {
                                return Err(at(
                                    start,
                                    format!(
                                        "network `{n}` of project `{p}` is already in scope `{other}`"
                                    ),
                                ));
                            }
                            clusters_seen.push((key, name.clone()));
                        }
                    }
                    let networks = projects
                        .iter()
                        .flat_map(|p| {
                            g.firewall_networks
                                .iter()
                                .map(move |n| (p.clone(), n.clone()))
                        })
                        .collect();
                    Some(GcpScope {
                        projects,
                        networks,
                        firewall_networks: g.firewall_networks,
                        endpoint: g.endpoint,
                    })
                }
                None => None,
            };
            let azure = match s.azure {
                Some(z) => {
                    let id_prefix = valid_prefix(z.id_prefix).map_err(|(o, m)| at(o, m))?;
                    for zone in &z.dns_zones {
                        let zone = prefixed(
                            id_prefix.as_deref(),
                            &driftgate_model::dns::canonical_name(zone),
                        );
                        if let Some((_, other)) = clusters_seen
                            .iter()
                            .find(|(k, _)| *k == format!("zone:{zone}"))
                        {
                            return Err(at(
                                start,
                                format!(
                                    "zone `{zone}` is already in scope `{other}`: a zone belongs to one scope and one provider"
                                ),
                            ));
                        }
                        clusters_seen.push((format!("zone:{zone}"), name.clone()));
                    }
                    Some(AzureScope {
                        subscription: z.subscription,
                        resource_group: z.resource_group,
                        dns_zones: z.dns_zones,
                        endpoint: z.endpoint,
                        id_prefix,
                    })
                }
                None => None,
            };
            if aws.is_none() && azure.is_none() && gcp.is_none() && not_yet_read.is_empty() {
                return Err(at(
                    start,
                    format!("scope `{name}` names no target: add [scope.aws] with ecs_clusters"),
                ));
            }
            scopes.push(Scope {
                line: crate::error::line_col(text, start).0,
                name,
                mode: s.mode,
                declared: root.join(&s.declared),
                declared_as_written: s.declared,
                aws,
                azure,
                gcp,
                not_yet_read,
            });
        }
        let mut ignore = Vec::new();
        for spanned in raw.ignore {
            let start = spanned.span().start;
            let r = spanned.into_inner();
            let Some(kind) = Kind::parse(r.kind.get_ref()) else {
                return Err(at(
                    r.kind.span().start,
                    format!(
                        "unknown kind `{}`, expected one of {}",
                        r.kind.get_ref(),
                        Kind::ALL
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            if r.reason.trim().is_empty() {
                return Err(at(start, "an ignore rule needs a `reason`".to_owned()));
            }
            if r.resource.is_empty() {
                return Err(at(
                    start,
                    "an ignore rule needs a `resource` glob".to_owned(),
                ));
            }
            let (line, _) = crate::error::line_col(text, start);
            if let Some(exp) = r.expires {
                let offset = exp.span().start;
                let text_date = match exp.into_inner() {
                    DateText::Text(s) => s,
                    DateText::Date(d) => d.to_string(),
                };
                let Some(date) = parse_date(&text_date) else {
                    return Err(at(
                        offset,
                        format!("`expires` must be a date like 2027-03-01, found `{text_date}`"),
                    ));
                };
                if date < today {
                    return Err(at(
                        offset,
                        format!(
                            "ignore rule for {} `{}` expired on {text_date} (reason was: {}): renew or remove it",
                            kind, r.resource, r.reason
                        ),
                    ));
                }
            }
            ignore.push(IgnoreRule {
                kind,
                resource: r.resource,
                field: r.field,
                reason: r.reason,
                at: format!("{}:{line}", path.display()),
            });
        }
        let concurrency = match raw.scan.concurrency {
            Some(c) => match usize::try_from(*c.get_ref()) {
                Ok(n @ 1..=256) => n,
                _ => {
                    return Err(at(
                        c.span().start,
                        format!(
                            "`concurrency` must be between 1 and 256, found {}",
                            c.get_ref()
                        ),
                    ));
                }
            },
            None => DEFAULT_CONCURRENCY,
        };
        let timeout = match raw.scan.timeout {
            Some(t) => {
                let text = match t.get_ref() {
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                parse_duration(&text).map_err(|m| at(t.span().start, format!("`timeout`: {m}")))?
            }
            None => DEFAULT_TIMEOUT,
        };
        Ok(Config {
            path: path.to_owned(),
            root,
            scopes,
            ignore,
            secrets: SecretPolicy::with_extra(&raw.secrets.names),
            concurrency,
            timeout,
        })
    }
}

/// An `id_prefix`: letters, digits, `-` and `_`.
fn valid_prefix(p: Option<Spanned<String>>) -> Result<Option<String>, (usize, String)> {
    match p {
        None => Ok(None),
        Some(p) => {
            let ok = !p.get_ref().is_empty()
                && p.get_ref()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if ok {
                Ok(Some(p.into_inner()))
            } else {
                Err((
                    p.span().start,
                    format!(
                        "`id_prefix` `{}` must be letters, digits, `-` or `_`",
                        p.get_ref()
                    ),
                ))
            }
        }
    }
}

/// `arn:<partition>:iam::<12 digits>:role/<path and name>`.
fn is_role_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws")
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.trim().splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.get(..2)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Today's date in UTC.
#[must_use]
pub fn today() -> (i32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    ((y + i64::from(m <= 2)) as i32, m as u32, d as u32)
}

#[cfg(test)]
mod tests;
