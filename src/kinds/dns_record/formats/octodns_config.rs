//! octoDNS's main config, read as octodns-sync reads it: the YAML
//! provider's `directory` and `default_ttl` (3600 when unset), and for each
//! zone its sources (which zone file) and targets (which cloud it goes to).
//!
//! ```yaml
//! providers:
//!   config:
//!     class: octodns.provider.yaml.YamlProvider
//!     directory: ./config
//!     default_ttl: 300
//!   route53:
//!     class: octodns_route53.Route53Provider
//! zones:
//!   example.com.:
//!     sources: [config]
//!     targets: [route53]
//! ```
//!
//! A relative `directory` is taken from the repository root (where
//! octodns-sync is usually run), else from the config file's directory.

use crate::declared::Document;
use crate::error::InputError;
use driftgate_model::Cloud;
use driftgate_model::dns::canonical_name;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One zone of an octoDNS config, as driftgate reads its file.
#[derive(Debug, Clone, PartialEq)]
pub struct OctoZone {
    /// Canonical, without the trailing dot.
    pub zone: String,
    /// The zone file the YAML provider reads: `<directory>/<zone>.yaml`.
    pub file: PathBuf,
    pub default_ttl: i64,
    /// The clouds its targets write to; empty when none is one driftgate
    /// reads.
    pub clouds: Vec<Cloud>,
    /// The target providers' names, for messages.
    pub targets: Vec<String>,
    /// The config, as shown.
    pub config: String,
    /// octodns-spf's SpfSource among the zone's sources: the apex TXT
    /// value it adds.
    pub spf: Option<Spf>,
}

/// What octodns-spf's `SpfSource` adds to a zone's apex TXT record.
#[derive(Debug, Clone, PartialEq)]
pub struct Spf {
    /// `v=spf1 ... -all`, built from the source's options.
    pub value: String,
    /// The TTL of an apex TXT record it creates.
    pub ttl: i64,
    /// `merging_enabled`: an SPF value already in the file is merged with
    /// this one (not modelled: that record is left unchecked).
    pub merging: bool,
}

/// The SPF value `SpfSource` builds from its options, in its order.
fn spf_of(p: &Value) -> Spf {
    let list = |k: &str| -> Vec<String> {
        p.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut value = String::from("v=spf1");
    for (key, prefix) in [
        ("a_records", "a"),
        ("mx_records", "mx"),
        ("ip4_addresses", "ip4"),
        ("ip6_addresses", "ip6"),
        ("includes", "include"),
        ("exists", "exists"),
    ] {
        for v in list(key) {
            value.push_str(&format!(" {prefix}:{v}"));
        }
    }
    value.push_str(match p.get("soft_fail").and_then(Value::as_bool) {
        Some(true) => " ~all",
        _ => " -all",
    });
    Spf {
        value,
        ttl: p.get("ttl").and_then(Value::as_i64).unwrap_or(3600),
        merging: p.get("merging_enabled").and_then(Value::as_bool) == Some(true),
    }
}

/// Whether a text looks like an octoDNS main config: `providers:` and
/// `zones:` at the top level. Cheap, so that zone files are not parsed
/// twice to find out.
#[must_use]
pub fn looks_like_config(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("providers:"))
        && text.lines().any(|l| l.starts_with("zones:"))
}

/// Whether a parsed document is an octoDNS main config.
#[must_use]
pub fn is_config(value: &Value) -> bool {
    value.get("providers").is_some_and(Value::is_object)
        && value.get("zones").is_some_and(Value::is_object)
}

fn cloud_of(class: &str) -> Option<Cloud> {
    if class.contains("Route53Provider") {
        Some(Cloud::Aws)
    } else if class.contains("AzureProvider") {
        Some(Cloud::Azure)
    } else if class.contains("GoogleCloudProvider") {
        Some(Cloud::Gcp)
    } else {
        None
    }
}

/// The zones of an octoDNS config. `root` is the repository root.
///
/// # Errors
/// A zone naming a provider the config does not define, a YAML provider
/// without `directory`, a `default_ttl` that is not a number.
pub fn read(doc: &Document, root: &Path) -> Result<Vec<OctoZone>, InputError> {
    let providers = doc.value["providers"]
        .as_object()
        .expect("checked by is_config");
    let zones = doc.value["zones"]
        .as_object()
        .expect("checked by is_config");
    let config_dir = doc.path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (zone_key, z) in zones {
        if z.get("alias").is_some() {
            // An aliased zone: its records are another zone's.
            continue;
        }
        let zone = canonical_name(zone_key);
        let names = |key: &str| -> Vec<String> {
            z.get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let provider = |name: &str| -> Result<&Value, InputError> {
            providers.get(name).ok_or_else(|| {
                doc.error_at(
                    &["zones".into(), zone_key.clone(), name.to_owned()],
                    format!("zone `{zone_key}` names provider `{name}`, which `providers:` does not define"),
                )
            })
        };
        let mut clouds = Vec::new();
        let targets = names("targets");
        for t in &targets {
            let class = provider(t)?
                .get("class")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if let Some(c) = cloud_of(class)
                && !clouds.contains(&c)
            {
                clouds.push(c);
            }
        }
        let mut spf = None;
        for source in names("sources") {
            let p = provider(&source)?;
            if p.get("class")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .ends_with("SpfSource")
            {
                spf = Some(spf_of(p));
            }
        }
        for source in names("sources") {
            let p = provider(&source)?;
            let class = p.get("class").and_then(Value::as_str).unwrap_or_default();
            if !class.ends_with("YamlProvider") {
                continue;
            }
            let Some(dir) = p.get("directory").and_then(Value::as_str) else {
                return Err(doc.error_at(
                    &["providers".into(), source.clone(), "class".into()],
                    format!("YAML provider `{source}` has no `directory`"),
                ));
            };
            let default_ttl = match p.get("default_ttl") {
                None => super::octodns::DEFAULT_TTL,
                Some(t) => t.as_i64().ok_or_else(|| {
                    doc.error_at(
                        &["providers".into(), source.clone(), "default_ttl".into()],
                        "`default_ttl` must be a number of seconds",
                    )
                })?,
            };
            let dir = Path::new(dir);
            let base = if dir.is_absolute() {
                dir.to_owned()
            } else if root.join(dir).is_dir() {
                root.join(dir)
            } else {
                config_dir.join(dir)
            };
            // Dynamic zone config (`'*'`): every zone file of the directory.
            let zones: Vec<(String, PathBuf)> = if zone_key == "*" {
                let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(&base)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        let zone = name.strip_suffix(".yaml")?.trim_end_matches('.');
                        (zone.contains('.') && !providers.is_empty())
                            .then(|| (canonical_name(zone), e.path()))
                    })
                    .collect();
                found.sort();
                found
            } else {
                vec![(zone.clone(), base.join(format!("{zone}.yaml")))]
            };
            for (zone, file) in zones {
                if out.iter().any(|o: &OctoZone| o.zone == zone) {
                    continue; // named explicitly, or by another source
                }
                out.push(OctoZone {
                    file: normal(&file),
                    zone,
                    default_ttl,
                    clouds: clouds.clone(),
                    targets: targets.clone(),
                    config: doc.shown.clone(),
                    spf: spf.clone(),
                });
            }
        }
    }
    Ok(out)
}

pub use crate::declared::normal_path as normal;

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, text: &str) -> Document {
        let path = PathBuf::from(path);
        Document {
            value: crate::declared::parse_yaml(&path, text).unwrap(),
            shown: path.display().to_string(),
            path,
            text: text.into(),
        }
    }

    #[test]
    fn zones_get_their_file_default_ttl_and_clouds() {
        let d = doc(
            "/repo/dns/config.yaml",
            "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./zones\n    default_ttl: 300\n    enforce_order: false\n  route53:\n    class: octodns_route53.Route53Provider\n  azure:\n    class: octodns_azure.AzureProvider\nzones:\n  example.com.:\n    sources: [config]\n    targets: [route53]\n  example.org.:\n    sources:\n      - config\n    targets:\n      - azure\n      - route53\n  '*':\n    sources: [config]\n    targets: [route53]\n",
        );
        assert!(is_config(&d.value));
        let z = read(&d, Path::new("/nonexistent")).unwrap();
        assert_eq!(z.len(), 2);
        assert_eq!(z[0].zone, "example.com");
        assert_eq!(z[0].file, PathBuf::from("/repo/dns/zones/example.com.yaml"));
        assert_eq!(z[0].default_ttl, 300);
        assert_eq!(z[0].clouds, vec![Cloud::Aws]);
        assert_eq!(z[1].clouds, vec![Cloud::Azure, Cloud::Aws]);
        let bad = doc(
            "/repo/config.yaml",
            "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: z\nzones:\n  example.com.:\n    sources: [confg]\n    targets: []\n",
        );
        let e = read(&bad, Path::new("/nonexistent")).unwrap_err();
        assert!(e.message.contains("names provider `confg`"), "{e}");
        assert_eq!(
            normal(Path::new("a/./b/../c.yaml")),
            PathBuf::from("a/c.yaml")
        );
    }
}
