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
use crate::kinds::dns_record::formats::{self as dns, octodns, rfc1035 as bind};
use crate::kinds::ecs_service::formats::{self as ecs, EcsDoc};
use crate::kinds::firewall_rule::formats::{self as firewall, gcp};
use serde_json::Value;
use std::path::Path;

/// What a format needs to know about the scope a file is read for.
pub struct Context<'a> {
    pub scope: &'a Scope,
    /// The scope's DNS zones, canonical, without id prefixes.
    pub zones: &'a [String],
    /// The repository (the config file's directory): includes stay in it.
    pub root: &'a Path,
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
    &Rfc1035,
    &NativeDns,
    &NativeSecurityGroups,
    &GcpRules,
    &DescribeSecurityGroups,
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
            dns::read_native(file.doc(), cx.zones)?,
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
        let zone = crate::pipeline::zone_of_file(file.path)?;
        let value = &file.doc?.value;
        if value.get("kind").is_some() {
            return None;
        }
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
        let zone = crate::pipeline::zone_of_file(file.path).unwrap_or_default();
        if !cx.zones.contains(&zone) {
            return Ok(Read::Skipped(format!(
                "{}: octoDNS zone `{zone}` is not a DNS zone of scope `{}`; skipped",
                file.shown, cx.scope.name
            )));
        }
        let read = octodns::read(file.doc(), &zone)?;
        Ok(Read::Records(read.records, read.notes))
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
