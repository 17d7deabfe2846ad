//! `driftgate.toml` -> validated settings.
//!
//! Parsing is strict: an unknown key, a wrong type, a duplicate scope, a
//! cluster in two scopes, an ignore rule without a reason or past its expiry
//! are all errors naming the file, line and column.

use crate::error::InputError;
use crate::normalize::SecretPolicy;
use crate::normalize::ignore::IgnoreRule;
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
    profile: Option<String>,
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
    project: String,
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
    pub region: Option<String>,
    pub profile: Option<String>,
    pub ecs_clusters: Vec<String>,
    pub route53_zones: Vec<String>,
    pub security_group_vpcs: Vec<String>,
}

/// The GCP part of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcpScope {
    pub project: String,
    pub firewall_networks: Vec<String>,
    pub endpoint: Option<String>,
}

/// The Azure part of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureScope {
    pub subscription: String,
    pub resource_group: String,
    pub dns_zones: Vec<String>,
    pub endpoint: Option<String>,
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
        let mut out = Vec::new();
        if let Some(a) = &self.aws {
            out.extend(a.ecs_clusters.iter().map(|c| (Kind::EcsService, c.clone())));
            out.extend(
                a.route53_zones
                    .iter()
                    .map(|z| (Kind::DnsRecord, driftgate_model::dns::canonical_name(z))),
            );
        }
        if let Some(a) = &self.aws {
            out.extend(
                a.security_group_vpcs
                    .iter()
                    .map(|v| (Kind::FirewallRule, v.clone())),
            );
        }
        if let Some(g) = &self.gcp {
            out.extend(
                g.firewall_networks
                    .iter()
                    .map(|n| (Kind::FirewallRule, format!("{}:{n}", g.project))),
            );
        }
        if let Some(a) = &self.azure {
            out.extend(
                a.dns_zones
                    .iter()
                    .map(|z| (Kind::DnsRecord, driftgate_model::dns::canonical_name(z))),
            );
        }
        out
    }

    /// The DNS zones this scope manages, canonical.
    #[must_use]
    pub fn dns_zones(&self) -> Vec<String> {
        self.targets()
            .into_iter()
            .filter(|(k, _)| *k == Kind::DnsRecord)
            .map(|(_, z)| z)
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
}

impl Config {
    /// Reads and validates a config file against today's date.
    ///
    /// # Errors
    /// Anything wrong in the file, at its place.
    pub fn load(path: &Path) -> Result<Config, InputError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(path, 1, 1, format!("cannot read the config file: {e}"))
        })?;
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
                    for c in &a.ecs_clusters {
                        if let Some((_, other)) =
                            clusters_seen.iter().find(|(k, _)| k == c.get_ref())
                        {
                            return Err(at(
                                c.span().start,
                                format!(
                                    "cluster `{}` is already in scope `{other}`: a cluster belongs to one scope",
                                    c.get_ref()
                                ),
                            ));
                        }
                        clusters_seen.push((c.get_ref().clone(), name.clone()));
                    }
                    for z in &a.route53_zones {
                        let zone = driftgate_model::dns::canonical_name(z);
                        if let Some((_, other)) = clusters_seen
                            .iter()
                            .find(|(k, _)| *k == format!("zone:{zone}"))
                        {
                            return Err(at(
                                start,
                                format!(
                                    "zone `{zone}` is already in scope `{other}`: a zone belongs to one scope"
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
                    Some(AwsScope {
                        region: a.region,
                        profile: a.profile,
                        ecs_clusters: a
                            .ecs_clusters
                            .into_iter()
                            .map(Spanned::into_inner)
                            .collect(),
                        route53_zones: a.route53_zones,
                        security_group_vpcs: a.security_group_vpcs,
                    })
                }
                None => None,
            };
            let gcp = match s.gcp {
                Some(g) => {
                    for n in &g.firewall_networks {
                        let key = format!("net:{}:{n}", g.project);
                        if let Some((_, other)) = clusters_seen.iter().find(|(k, _)| *k == key) {
                            return Err(at(
                                start,
                                format!(
                                    "network `{n}` of project `{}` is already in scope `{other}`",
                                    g.project
                                ),
                            ));
                        }
                        clusters_seen.push((key, name.clone()));
                    }
                    Some(GcpScope {
                        project: g.project,
                        firewall_networks: g.firewall_networks,
                        endpoint: g.endpoint,
                    })
                }
                None => None,
            };
            let azure = match s.azure {
                Some(z) => {
                    for zone in &z.dns_zones {
                        let zone = driftgate_model::dns::canonical_name(zone);
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
        Ok(Config {
            path: path.to_owned(),
            root,
            scopes,
            ignore,
            secrets: SecretPolicy::with_extra(&raw.secrets.names),
        })
    }
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
mod tests {
    use super::*;

    const TODAY: (i32, u32, u32) = (2026, 11, 27);

    fn parse(text: &str) -> Result<Config, InputError> {
        Config::parse(Path::new("driftgate.toml"), text, TODAY)
    }

    const DESIGN_EXAMPLE: &str = r#"
[[scope]]
name = "production"
mode = "enforce"                  # or "advisory"
declared = "infra/production"     # directory of declared files, relative to this file

[scope.aws]
region = "us-east-1"
profile = "prod"                  # optional
ecs_clusters = ["prod"]           # every service in these clusters is in scope
route53_zones = ["example.com"]   # every record set in these zones is in scope
security_group_vpcs = ["vpc-0abc"]

[scope.gcp]
project = "acme-prod"
firewall_networks = ["default"]

[scope.azure]
subscription = "00000000-0000-0000-0000-000000000000"
resource_group = "dns"
dns_zones = ["example.org"]

[[ignore]]
kind = "ecs_service"
resource = "prod/*"               # glob over resource ids
field = "desiredCount"            # glob over field paths; omit to ignore the whole resource
reason = "managed by application autoscaling"
expires = "2027-03-01"            # optional
"#;

    #[test]
    fn accepts_the_design_example() {
        let c = parse(DESIGN_EXAMPLE).unwrap();
        assert_eq!(c.scopes.len(), 1);
        let s = &c.scopes[0];
        assert_eq!(s.mode, ScopeMode::Enforce);
        assert_eq!(s.aws.as_ref().unwrap().ecs_clusters, vec!["prod"]);
        assert_eq!(s.declared, Path::new("./infra/production"));
        assert!(s.not_yet_read.is_empty());
        assert_eq!(
            s.targets(),
            vec![
                (Kind::EcsService, "prod".into()),
                (Kind::DnsRecord, "example.com".into()),
                (Kind::FirewallRule, "vpc-0abc".into()),
                (Kind::FirewallRule, "acme-prod:default".into()),
                (Kind::DnsRecord, "example.org".into())
            ]
        );
        assert_eq!(s.azure.as_ref().unwrap().resource_group, "dns");
        assert_eq!(c.ignore[0].field.as_deref(), Some("desiredCount"));
        assert_eq!(c.ignore[0].at, "driftgate.toml:23");
    }

    #[test]
    fn unknown_keys_are_named_with_their_place() {
        let e =
            parse("[[scope]]\nname = \"p\"\nmode = \"enforce\"\ndeclared = \"x\"\nclusterz = 1\n")
                .unwrap_err();
        assert_eq!((e.line, e.column), (5, 1));
        assert!(e.message.contains("unknown field `clusterz`"), "{e}");
        let e =
            parse("[[scope]]\nname = \"p\"\nmode = \"sometimes\"\ndeclared = \"x\"\n").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn expired_rules_and_bad_rules_are_errors() {
        let base = "[[scope]]\nname = \"p\"\nmode = \"enforce\"\ndeclared = \"x\"\n[scope.aws]\necs_clusters = [\"prod\"]\n";
        let e = parse(&format!("{base}[[ignore]]\nkind = \"ecs_service\"\nresource = \"*\"\nreason = \"r\"\nexpires = \"2026-11-26\"\n")).unwrap_err();
        assert_eq!(e.line, 11);
        assert!(e.message.contains("expired on 2026-11-26"), "{e}");
        assert!(parse(&format!("{base}[[ignore]]\nkind = \"ecs_service\"\nresource = \"*\"\nreason = \"r\"\nexpires = 2026-11-27\n")).is_ok());
        let e = parse(&format!(
            "{base}[[ignore]]\nkind = \"ecs\"\nresource = \"*\"\nreason = \"r\"\n"
        ))
        .unwrap_err();
        assert!(e.message.contains("unknown kind `ecs`"), "{e}");
        let e = parse(&format!(
            "{base}[[ignore]]\nkind = \"ecs_service\"\nresource = \"*\"\n"
        ))
        .unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = parse(&format!("{base}[[scope]]\nname = \"q\"\nmode = \"advisory\"\ndeclared = \"y\"\n[scope.aws]\necs_clusters = [\"prod\"]\n")).unwrap_err();
        assert!(e.message.contains("already in scope `p`"), "{e}");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_784), (2026, 11, 27));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
