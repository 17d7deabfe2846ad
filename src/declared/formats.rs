//! The declared formats, each behind [`DeclaredFormat`], and the registry
//! [`FORMATS`] that says in which order a file is offered to them.
//!
//! A file goes to the first format that recognises it: formats known by
//! their file name (RFC 1035 zone files) before the file is parsed, the
//! others by what the parsed document is. Each format says why it took a
//! file, so a run can explain how every file was read. Adding a format is
//! one type here (or in its kind's module) and one line in [`FORMATS`].

use super::{DeclaredRecord, Document};
use crate::config::Scope;
use crate::error::InputError;
use crate::kinds::dns_record::formats::{self as dns, octodns, octodns_config, rfc1035 as bind};
use crate::kinds::ecs_service::formats::{self as ecs, EcsDoc};
use crate::kinds::firewall_rule::formats::{self as firewall, gcp};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a format needs to know about the scope a file is read for.
pub struct Context<'a> {
    pub scope: &'a Scope,
    /// The scope's DNS zones, canonical, without id prefixes.
    pub zones: &'a [String],
    /// The repository (the config file's directory): includes stay in it.
    pub root: &'a Path,
    /// Zone files named by an octoDNS main config in the scope's tree, by
    /// their (normalized) path.
    pub octodns: &'a BTreeMap<PathBuf, octodns_config::OctoZone>,
    /// Live sets a declaration stands for without declaring them one by
    /// one (an octoDNS dynamic record): reported unchecked, never unmanaged.
    pub claims: &'a RefCell<Vec<Claim>>,
    /// The definition files ecspresso configs in the scope's tree name, by
    /// their (normalized) path.
    pub ecspresso: &'a BTreeMap<PathBuf, ecs::ecspresso::Entry>,
    /// The scope's Terraform states, parsed and indexed.
    pub terraform: &'a super::terraform::ScopeStates,
    /// Whether record sets are read [`Compact`](super::load::Compact).
    pub compact: bool,
}

pub use octodns_config::OctoZone;

/// Live resources a declaration stands for without declaring each.
#[derive(Debug, Clone)]
pub struct Claim {
    pub kind: driftgate_model::Kind,
    /// Globs over resource ids.
    pub globs: Vec<String>,
    /// Why they are not compared.
    pub why: String,
    /// `file:line` of the declaration.
    pub at: String,
}

impl Context<'_> {
    fn vpcs(&self) -> Vec<String> {
        self.scope
            .aws
            .as_ref()
            .map(|a| a.security_group_vpcs.clone())
            .unwrap_or_default()
    }
}

/// One file offered to the formats: its path, how it is shown, and (for
/// formats that read parsed documents) the document.
pub struct File<'a> {
    pub path: &'a Path,
    pub shown: &'a str,
    pub doc: Option<&'a Document>,
}

impl File<'_> {
    fn kind(&self) -> Option<&str> {
        self.doc?.value.get("kind").and_then(Value::as_str)
    }

    fn doc(&self) -> &Document {
        self.doc
            .expect("formats that read documents are offered parsed files")
    }
}

/// What reading a file gave.
pub enum Read {
    /// Record sets or rules, ready to diff, and notes on what was left out.
    Records(Vec<DeclaredRecord>, Vec<String>),
    /// One half (or all) of an ECS service: paired with the scope's other
    /// ECS files once every file is read.
    Ecs(EcsDoc),
    /// Nothing for this scope; the note says why.
    Skipped(String),
    /// An ECS document a by-name format parsed itself.
    EcsParsed(Document, EcsDoc),
    /// An entry point that declares nothing itself (a tool's main config),
    /// read for what it says about other files.
    Entry(String),
    /// Resources of every kind from a Terraform state, notes, and a summary
    /// of what was and was not compared.
    Terraform(Vec<DeclaredRecord>, Vec<String>, String),
}

/// A declared file format.
pub trait DeclaredFormat: Sync {
    /// The format's name, as explanations show it.
    fn name(&self) -> &'static str;

    /// Whether the format is known by file name alone (read unparsed).
    fn by_name(&self) -> bool {
        false
    }

    /// `Some(why)` when this format takes the file.
    fn recognise(&self, file: &File<'_>, cx: &Context<'_>) -> Option<String>;

    /// Reads a file this format took.
    ///
    /// # Errors
    /// A malformed file, at its place.
    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError>;
}

/// Every format, in the order a file is offered to them.
pub static FORMATS: &[&dyn DeclaredFormat] = &[
    &TerraformStateFile { by_name: true },
    &TerraformStateFile { by_name: false },
    &Rfc1035,
    &EcspressoConfig,
    &EcspressoDefinition,
    &NativeDns,
    &NativeSecurityGroups,
    &GcpRules,
    &AzureNsg,
    &DescribeSecurityGroups,
    &OctoDnsConfig,
    &OctoDns,
    &Ecs,
    &UnknownKind,
];

/// A file with a `kind:` no format knows: a typo in driftgate's own file,
/// an error (never skipped: the resources it means to declare would
/// otherwise look unmanaged).
pub struct UnknownKind;

/// The `kind:` values driftgate's own files have.
pub const KINDS: &[&str] = &[
    "ecs_service",
    "dns_zone",
    "security_group",
    "gcp_firewall_rules",
    "azure_nsg",
];

impl DeclaredFormat for UnknownKind {
    fn name(&self) -> &'static str {
        "driftgate file (kind:)"
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        let kind = file.doc?.value.get("kind")?;
        // Other tools use `kind:` too (Kubernetes: apiVersion beside it).
        if file.doc?.value.get("apiVersion").is_some() {
            return None;
        }
        match kind.as_str() {
            Some(k) if KINDS.contains(&k) => None,
            _ => Some("has a `kind:` driftgate does not know".to_owned()),
        }
    }

    fn read(&self, file: &File<'_>, _: &Context<'_>) -> Result<Read, InputError> {
        let doc = file.doc();
        let kind = doc.value.get("kind").cloned().unwrap_or_default();
        let shown = kind
            .as_str()
            .map_or_else(|| kind.to_string(), str::to_owned);
        let hint = crate::normalize::names::suggestion(&shown, KINDS);
        Err(doc.error_at(
            &["kind".into()],
            format!(
                "unknown kind `{shown}`{hint}: driftgate's files are kind: {}",
                KINDS.join(", ")
            ),
        ))
    }
}

/// The first format that takes a file, and why.
#[must_use]
pub fn recognise(
    file: &File<'_>,
    cx: &Context<'_>,
) -> Option<(&'static dyn DeclaredFormat, String)> {
    FORMATS
        .iter()
        .filter(|f| f.by_name() == file.doc.is_none())
        .find_map(|f| f.recognise(file, cx).map(|why| (*f, why)))
}

/// RFC 1035 (BIND) zone files: `<zone>.zone`, `db.<zone>`.
pub struct Rfc1035;

impl DeclaredFormat for Rfc1035 {
    fn name(&self) -> &'static str {
        "RFC 1035 zone file"
    }

    fn by_name(&self) -> bool {
        true
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        super::is_zone_file(file.path).then(|| "named <zone>.zone or db.<zone>".to_owned())
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        let zone = crate::pipeline::zone_of_file(file.path).unwrap_or_default();
        if !cx.zones.contains(&zone) {
            return Ok(Read::Skipped(format!(
                "{}: `{zone}` is not a DNS zone of scope `{}`; skipped (a file read through $INCLUDE?)",
                file.shown, cx.scope.name
            )));
        }
        let read = bind::read(file.path, file.shown, &zone, cx.root)?;
        Ok(Read::Records(read.records, read.notes))
    }
}

/// driftgate's own DNS zone YAML (`kind: dns_zone`).
pub struct NativeDns;

impl DeclaredFormat for NativeDns {
    fn name(&self) -> &'static str {
        "driftgate DNS zone (kind: dns_zone)"
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        (file.kind() == Some("dns_zone")).then(|| "kind: dns_zone".to_owned())
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        Ok(Read::Records(
            dns::read_native_as(file.doc(), cx.zones, cx.compact)?,
            Vec::new(),
        ))
    }
}

/// driftgate's own security group YAML (`kind: security_group`).
pub struct NativeSecurityGroups;

impl DeclaredFormat for NativeSecurityGroups {
    fn name(&self) -> &'static str {
        "driftgate security group (kind: security_group)"
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        (file.kind() == Some("security_group")).then(|| "kind: security_group".to_owned())
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        Ok(Read::Records(
            firewall::read_native(file.doc(), &cx.vpcs())?,
            Vec::new(),
        ))
    }
}

/// GCP firewall rules: gcloud describe/list JSON or YAML, the REST list,
/// `kind: gcp_firewall_rules`.
pub struct GcpRules;

impl DeclaredFormat for GcpRules {
    fn name(&self) -> &'static str {
        "GCP firewall rules (gcloud, REST, or kind: gcp_firewall_rules)"
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        if file.kind() == Some("gcp_firewall_rules") {
            return Some("kind: gcp_firewall_rules".to_owned());
        }
        gcp::rules_in(&file.doc?.value).map(|_| "holds compute#firewall rules".to_owned())
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        let (projects, networks) = cx
            .scope
            .gcp
            .as_ref()
            .map(|g| (g.projects.clone(), g.firewall_networks.clone()))
            .unwrap_or_default();
        let (records, notes) = gcp::read(file.doc(), &projects, &networks)?;
        Ok(Read::Records(records, notes))
    }
}

/// Azure network security groups: `az network nsg show/list`, `az network
/// nsg rule list`, the REST shapes, `kind: azure_nsg`.
pub struct AzureNsg;

impl DeclaredFormat for AzureNsg {
    fn name(&self) -> &'static str {
        "Azure network security groups (az network nsg, REST, or kind: azure_nsg)"
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        use crate::kinds::firewall_rule::formats::azure::{Held, held};
        Some(match held(&file.doc?.value)? {
            Held::Native => "kind: azure_nsg".to_owned(),
            Held::Groups(_) => "holds Microsoft.Network/networkSecurityGroups".to_owned(),
            Held::Rules(_) => "holds a group's securityRules".to_owned(),
        })
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        let (records, notes) =
            crate::kinds::firewall_rule::formats::azure::read(file.doc(), cx.scope)?;
        Ok(Read::Records(records, notes))
    }
}

/// `aws ec2 describe-security-groups` output (bare, or in a recording's
/// wrapper).
pub struct DescribeSecurityGroups;

impl DeclaredFormat for DescribeSecurityGroups {
    fn name(&self) -> &'static str {
        "aws ec2 describe-security-groups output"
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        firewall::is_describe_output(&file.doc?.value).then(|| "holds SecurityGroups".to_owned())
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        Ok(Read::Records(
            firewall::read_describe(file.doc(), &cx.vpcs())?,
            Vec::new(),
        ))
    }
}

/// octoDNS zone YAML: `<zone>.yaml` for a zone of the scope, no `kind`.
pub struct OctoDns;

impl DeclaredFormat for OctoDns {
    fn name(&self) -> &'static str {
        "octoDNS zone file"
    }

    fn recognise(&self, file: &File<'_>, cx: &Context<'_>) -> Option<String> {
        let value = &file.doc?.value;
        if value.get("kind").is_some() {
            return None;
        }
        if let Some(z) = cx.octodns.get(&octodns_config::normal(file.path)) {
            return Some(format!(
                "zone {} of the octoDNS config {}",
                z.zone, z.config
            ));
        }
        let zone = crate::pipeline::zone_of_file(file.path)?;
        if cx.zones.contains(&zone) {
            return Some(format!("named after the scope's zone {zone}, no `kind`"));
        }
        // Another zone's octoDNS file: names mapping to records with a type.
        let looks_octodns = value.as_object().is_some_and(|m| {
            !m.is_empty()
                && m.values().all(|r| match r {
                    Value::Array(l) => l.iter().all(|x| x.get("type").is_some()),
                    x => x.get("type").is_some(),
                })
        });
        looks_octodns.then(|| format!("an octoDNS zone file of {zone}"))
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        let config = cx.octodns.get(&octodns_config::normal(file.path));
        let zone = config.map_or_else(
            || crate::pipeline::zone_of_file(file.path).unwrap_or_default(),
            |z| z.zone.clone(),
        );
        if !cx.zones.contains(&zone) {
            return Ok(Read::Skipped(format!(
                "{}: octoDNS zone `{zone}` is not a DNS zone of scope `{}`; skipped",
                file.shown, cx.scope.name
            )));
        }
        if let Some(z) = config {
            // The cloud this scope reads the zone from must be one the
            // octoDNS config sends it to; else its records go elsewhere.
            let read_from = read_from(cx.scope, &zone);
            if !z.clouds.is_empty() && !read_from.iter().any(|c| z.clouds.contains(c)) {
                return Ok(Read::Skipped(format!(
                    "{}: octoDNS ({}) sends zone `{zone}` to {}, not to where scope `{}` reads it; skipped",
                    file.shown,
                    z.config,
                    z.targets.join(", "),
                    cx.scope.name
                )));
            }
        }
        let ttl = config.map_or(octodns::DEFAULT_TTL, |z| z.default_ttl);
        let mut read = octodns::read(file.doc(), &zone, ttl)?;
        if let Some(spf) = config.and_then(|z| z.spf.as_ref()) {
            octodns::add_spf(&mut read, &zone, spf, file.shown);
        }
        add_claims(cx, read.claims);
        Ok(Read::Records(read.records, read.notes))
    }
}

/// The record sets an octoDNS file's records stand for without declaring
/// each (`(globs, why, where)`), claimed for the scope.
fn add_claims(cx: &Context<'_>, claims: Vec<(Vec<String>, String, String)>) {
    cx.claims
        .borrow_mut()
        .extend(claims.into_iter().map(|(globs, why, at)| Claim {
            kind: driftgate_model::Kind::DnsRecord,
            globs,
            why,
            at,
        }));
}

/// A large octoDNS zone file of one of the scope's zones, read and handed
/// to `sink` batch by batch ([`octodns::read_large`]): why the format took
/// it, its notes, and how many records it gave. `None` wherever the file
/// is not one [`OctoDns`] would read as it stands (another format takes its
/// names, the scope does not read the zone where octoDNS sends it, an
/// octodns-spf source changes its apex TXT once every record is read), and
/// wherever the batched read declines: the caller takes back what was
/// handed over and reads the file whole.
pub fn read_large_octodns(
    path: &Path,
    shown: &str,
    cx: &Context<'_>,
    sink: &mut dyn FnMut(dns::Large) -> Result<(), InputError>,
) -> Option<(String, Vec<String>, usize)> {
    let config = cx.octodns.get(&octodns_config::normal(path));
    let zone = match config {
        Some(z) => z.zone.clone(),
        None => crate::pipeline::zone_of_file(path)?,
    };
    if !cx.zones.contains(&zone) {
        return None;
    }
    if let Some(z) = config
        && (z.spf.is_some()
            || (!z.clouds.is_empty()
                && !read_from(cx.scope, &zone)
                    .iter()
                    .any(|c| z.clouds.contains(c))))
    {
        return None;
    }
    let ttl = config.map_or(octodns::DEFAULT_TTL, |z| z.default_ttl);
    let read = octodns::read_large(path, shown, &zone, ttl, sink)?;
    let file = File {
        path,
        shown,
        doc: Some(&read.skeleton),
    };
    let (format, why) = recognise(&file, cx)?;
    if format.name() != OctoDns.name() {
        return None;
    }
    add_claims(cx, read.claims);
    Some((why, read.notes, read.records))
}

/// The clouds a scope reads a zone from.
fn read_from(scope: &Scope, zone: &str) -> Vec<driftgate_model::Cloud> {
    let mut out = Vec::new();
    let canon = |z: &String| driftgate_model::dns::canonical_name(z);
    if scope
        .aws
        .as_ref()
        .is_some_and(|a| a.route53_zones.iter().any(|z| canon(z) == zone))
    {
        out.push(driftgate_model::Cloud::Aws);
    }
    if scope
        .azure
        .as_ref()
        .is_some_and(|a| a.dns_zones.iter().any(|z| canon(z) == zone))
    {
        out.push(driftgate_model::Cloud::Azure);
    }
    if scope
        .gcp
        .as_ref()
        .is_some_and(|g| g.dns_zones.iter().any(|(z, _)| z == zone))
    {
        out.push(driftgate_model::Cloud::Gcp);
    }
    out
}

/// octoDNS's main config: read before the zone files (for their zone,
/// default TTL and targets); the file itself declares nothing.
pub struct OctoDnsConfig;

impl DeclaredFormat for OctoDnsConfig {
    fn name(&self) -> &'static str {
        "octoDNS main config"
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        octodns_config::is_config(&file.doc?.value)
            .then(|| "has octoDNS's `providers:` and `zones:`".to_owned())
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        let zones: Vec<String> = cx
            .octodns
            .values()
            .filter(|z| z.config == file.shown)
            .map(|z| {
                format!(
                    "{} (default TTL {}, to {})",
                    z.zone,
                    z.default_ttl,
                    if z.targets.is_empty() {
                        "no target".to_owned()
                    } else {
                        z.targets.join(", ")
                    }
                )
            })
            .collect();
        Ok(Read::Entry(format!(
            "the zones it names: {}",
            if zones.is_empty() {
                "none read from YAML".to_owned()
            } else {
                zones.join("; ")
            }
        )))
    }
}

/// ecspresso's config (`ecspresso.yml`): read before the other files, for
/// the service its definition files are; declares nothing itself.
pub struct EcspressoConfig;

impl DeclaredFormat for EcspressoConfig {
    fn name(&self) -> &'static str {
        "ecspresso config"
    }

    fn by_name(&self) -> bool {
        true
    }

    fn recognise(&self, file: &File<'_>, cx: &Context<'_>) -> Option<String> {
        if ecs::ecspresso::is_config_name(file.path) {
            return Some("named ecspresso.yml".to_owned());
        }
        let path = octodns_config::normal(file.path);
        cx.ecspresso
            .values()
            .any(|e| e.config_path == path)
            .then(|| "names a cluster and ecspresso's definition files".to_owned())
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        let mine: Vec<&ecs::ecspresso::Entry> = cx
            .ecspresso
            .values()
            .filter(|e| e.config == file.shown)
            .collect();
        Ok(match mine.first() {
            Some(e) => Read::Entry(format!(
                "service {}/{}{}",
                e.cluster,
                e.service,
                e.region
                    .as_ref()
                    .map(|r| format!(" in {r}"))
                    .unwrap_or_default()
            )),
            None => Read::Skipped(format!(
                "{}: ecspresso config naming no definition file in this scope; skipped",
                file.shown
            )),
        })
    }
}

/// A service or task definition file an ecspresso config names: read with
/// the config's cluster and service (the files do not say them).
pub struct EcspressoDefinition;

impl DeclaredFormat for EcspressoDefinition {
    fn name(&self) -> &'static str {
        "ecspresso definition"
    }

    fn by_name(&self) -> bool {
        true
    }

    fn recognise(&self, file: &File<'_>, cx: &Context<'_>) -> Option<String> {
        let e = cx.ecspresso.get(&octodns_config::normal(file.path))?;
        let which = if e.service_definition.as_deref() == Some(&octodns_config::normal(file.path)) {
            "service"
        } else {
            "task"
        };
        Some(format!("the {which} definition of {}", e.config))
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        let path = octodns_config::normal(file.path);
        let e = &cx.ecspresso[&path];
        let is_service = e.service_definition.as_deref() == Some(path.as_path());
        let regions = cx
            .scope
            .aws
            .as_ref()
            .map(|a| {
                a.region_list()
                    .into_iter()
                    .flatten()
                    .collect::<Vec<String>>()
            })
            .unwrap_or_default();
        if let Some(r) = &e.region
            && !regions.is_empty()
            && !regions.contains(r)
        {
            return Ok(Read::Skipped(format!(
                "{}: {} deploys to {r}, not a region of scope `{}`; skipped",
                file.shown, e.config, cx.scope.name
            )));
        }
        if let Some(why) = &e.unresolved {
            if is_service {
                // As the scan spells the id: `cluster@region` in a scope
                // of several regions.
                let multi = cx.scope.aws.as_ref().is_some_and(|a| a.multi_region());
                let cluster = match (&e.region, multi) {
                    (Some(r), true) => driftgate_model::ids::qualified(&e.cluster, r),
                    _ => e.cluster.clone(),
                };
                cx.claims.borrow_mut().push(Claim {
                    kind: driftgate_model::Kind::EcsService,
                    globs: vec![format!("{cluster}/{}", e.service)],
                    why: format!("ecspresso service ({}): {why}; not compared", e.config),
                    at: format!("{}:1", file.shown),
                });
            }
            return Ok(Read::Skipped(format!(
                "{}: {why}; the service is unchecked",
                file.shown
            )));
        }
        let doc = crate::declared::parse(file.path, file.shown.to_owned())?;
        let read = ecs::read(&doc)?;
        let read = match read {
            ecs::EcsDoc::Service(mut v) if is_service => {
                if let Some(o) = v.as_object_mut() {
                    o.entry("serviceName")
                        .or_insert_with(|| e.service.clone().into());
                    o.entry("cluster")
                        .or_insert_with(|| e.cluster.clone().into());
                    if let Some(f) = &e.family {
                        o.entry("taskDefinition")
                            .or_insert_with(|| f.clone().into());
                    }
                }
                ecs::EcsDoc::Service(v)
            }
            other => other,
        };
        Ok(Read::EcsParsed(doc, read))
    }
}

/// ECS: native `kind: ecs_service`, or the AWS CLI / ecspresso JSON pair,
/// known by the fields only those have.
pub struct Ecs;

impl DeclaredFormat for Ecs {
    fn name(&self) -> &'static str {
        "ECS service (kind: ecs_service, or the CLI/ecspresso pair)"
    }

    fn recognise(&self, file: &File<'_>, _: &Context<'_>) -> Option<String> {
        ecs::looks_like_ecs(&file.doc?.value).map(str::to_owned)
    }

    fn read(&self, file: &File<'_>, _: &Context<'_>) -> Result<Read, InputError> {
        Ok(Read::Ecs(ecs::read(file.doc())?))
    }
}

/// A Terraform / OpenTofu state (`*.tfstate`, or a `.json` state) or
/// `terraform show -json` output in the declared tree.
/// Offered unparsed files (`*.tfstate`, and `.json` states parsed ahead)
/// when `by_name`; parsed documents (a `.json` state that did not parse as
/// one: its error) otherwise.
pub struct TerraformStateFile {
    pub by_name: bool,
}

impl DeclaredFormat for TerraformStateFile {
    fn name(&self) -> &'static str {
        "Terraform state (v4) or terraform show -json"
    }

    fn by_name(&self) -> bool {
        self.by_name
    }

    fn recognise(&self, file: &File<'_>, cx: &Context<'_>) -> Option<String> {
        if let Some(doc) = file.doc {
            return super::terraform::state::is_terraform(&doc.value).then(|| {
                "holds a Terraform state's `version` and `lineage`, or `format_version`".to_owned()
            });
        }
        if cx
            .terraform
            .in_tree
            .get(file.path)
            .is_some_and(Result::is_ok)
        {
            return Some(
                "holds a Terraform state's `version` and `lineage`, or `format_version`".to_owned(),
            );
        }
        file.path
            .extension()
            .is_some_and(|e| e == "tfstate")
            .then(|| "named *.tfstate".to_owned())
    }

    fn read(&self, file: &File<'_>, cx: &Context<'_>) -> Result<Read, InputError> {
        let parsed = match cx.terraform.in_tree.get(file.path) {
            Some(Ok(p)) => p.clone(),
            Some(Err(e)) => return Err(e.clone()),
            // Not parsed ahead: parse it here for its error.
            None => {
                let bytes = std::fs::read(file.path)
                    .map_err(|e| InputError::whole_file(file.path, format!("cannot read: {e}")))?;
                let (_, p) =
                    super::terraform::source::parse_bytes(bytes, &file.path.display().to_string())?;
                std::sync::Arc::new(p)
            }
        };
        let zones = cx.zones;
        let tcx = super::terraform::Cx {
            scope: cx.scope,
            zones,
            index: &cx.terraform.index,
        };
        let read = super::terraform::read(
            file.shown,
            &parsed,
            &tcx,
            &mut cx.terraform.locator.borrow_mut(),
            cx.root,
        )
        .map_err(|m| InputError::new(file.path, 1, 1, m))?;
        Ok(Read::Terraform(read.records, read.notes, read.summary))
    }
}
