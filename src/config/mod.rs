//! `driftgate.toml` -> validated settings.
//!
//! Parsing is strict: an unknown key, a wrong type, a duplicate scope, a
//! cluster in two scopes, an ignore rule without a reason or past its expiry
//! are all errors naming the file, line and column.

// Each cloud's [scope.<cloud>] section (its keys, validation and targets)
// is its own crate's `config` module.
use driftgate_aws::config::RawAws;
pub use driftgate_aws::config::{AwsScope, EcsTarget};
pub use driftgate_azure::config::AzureScope;
use driftgate_azure::config::RawAzure;
pub use driftgate_gcp::config::GcpScope;
use driftgate_gcp::config::RawGcp;

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
    terraform: Option<crate::declared::terraform::RawTerraform>,
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

pub use driftgate_model::ids::{bare, prefixed, qualified, region_of_target};

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
    /// `[scope.terraform]`: the states this scope declares with.
    pub terraform: Option<crate::declared::terraform::TerraformScope>,
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
        crate::clouds::CLOUDS
            .iter()
            .flat_map(|c| c.targets(self).into_iter().map(|(k, t)| (k, t, c.cloud())))
            .collect()
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

impl Config {
    /// The config's path as the user gave it, `/` separated.
    #[must_use]
    pub fn shown_path(&self) -> String {
        self.path.display().to_string()
    }
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
            InputError::whole_file(path, format!("cannot read the config file: {e}"))
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
                Some(a) => Some(driftgate_aws::config::parse(
                    a,
                    &name,
                    start,
                    &mut clusters_seen,
                    &at,
                )?),
                None => None,
            };
            let gcp = match s.gcp {
                Some(g) => Some(driftgate_gcp::config::parse(
                    g,
                    &name,
                    start,
                    &mut clusters_seen,
                    &at,
                )?),
                None => None,
            };
            let azure = match s.azure {
                Some(z) => Some(driftgate_azure::config::parse(
                    z,
                    &name,
                    start,
                    &mut clusters_seen,
                    &at,
                )?),
                None => None,
            };
            let terraform = match s.terraform {
                Some(t) => Some(crate::declared::terraform::source::parse(t, &root, &at)?),
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
                terraform,
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

/// A `YYYY-MM-DD` date that exists in the calendar (`time` checks it: no
/// 31 February).
fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.get(..2)?.parse().ok()?;
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    Some((
        date.year(),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    ))
}

/// Today's date in UTC: `(year, month, day)`.
#[must_use]
pub fn today() -> (i32, u32, u32) {
    let d = time::OffsetDateTime::now_utc().date();
    (d.year(), u32::from(u8::from(d.month())), u32::from(d.day()))
}

#[cfg(test)]
mod tests;
