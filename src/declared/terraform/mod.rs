//! Terraform / OpenTofu as a declared source: the state most teams already
//! keep, or `terraform show -json` output.
//!
//! - [`state`]: state v4 and show/plan JSON -> resource instances with
//!   their addresses;
//! - [`source`]: `[scope.terraform]` and where a state is kept (a local
//!   file, S3, GCS, Azure Blob), read before the declared stage;
//! - [`hcl`]: the `.tf` file and line of a resource's block;
//! - here: the registry of resource types each kind reads ([`types`]) and
//!   the read of one state into declared resources.
//!
//! Each kind maps its own types (`kinds/<kind>/formats/terraform.rs`);
//! other types are counted and named in a note, never an error.

pub mod hcl;
pub mod source;
pub mod state;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod type_tests;

use crate::config::Scope;
use crate::declared::DeclaredRecord;
use driftgate_model::{Kind, Resource};
use serde_json::Value;
use state::{Instance, Mode};
use std::collections::{BTreeMap, HashMap};

pub use source::{LoadedState, RawTerraform, TerraformScope};

/// What the mappers know of every state of a scope: names and homes that
/// one resource states and another refers to by id.
#[derive(Debug, Default)]
pub struct Index {
    /// Route53 zone id -> zone name (`aws_route53_zone`, managed or data).
    pub zones: HashMap<String, String>,
    /// Security group id -> (VPC, name).
    pub groups: HashMap<String, (String, String)>,
    /// Task definitions by ARN, and by family (the latest revision).
    pub task_definitions: HashMap<String, Value>,
}

impl Index {
    /// The index of these instances.
    #[must_use]
    pub fn of<'a>(instances: impl Iterator<Item = &'a Instance>) -> Self {
        let mut ix = Index::default();
        let mut revisions: HashMap<String, i64> = HashMap::new();
        for i in instances {
            let a = &i.attributes;
            let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_default();
            match i.rtype.as_str() {
                "aws_route53_zone" => {
                    let id = text("zone_id");
                    let id = if id.is_empty() { text("id") } else { id };
                    if !id.is_empty() && !text("name").is_empty() {
                        ix.zones.insert(
                            id.to_owned(),
                            driftgate_model::dns::canonical_name(text("name")),
                        );
                    }
                }
                "aws_security_group" | "aws_default_security_group" if !text("id").is_empty() => {
                    ix.groups.insert(
                        text("id").to_owned(),
                        (text("vpc_id").to_owned(), text("name").to_owned()),
                    );
                }
                "aws_ecs_task_definition" if i.mode == Mode::Managed => {
                    if !text("arn").is_empty() {
                        ix.task_definitions
                            .insert(text("arn").to_owned(), a.clone());
                    }
                    let family = text("family").to_owned();
                    let rev = a.get("revision").and_then(Value::as_i64).unwrap_or(0);
                    if revisions.get(&family).is_none_or(|r| *r <= rev) {
                        revisions.insert(family.clone(), rev);
                        ix.task_definitions.insert(family, a.clone());
                    }
                }
                _ => {}
            }
        }
        ix
    }
}

/// What a mapper is given.
pub struct Cx<'a> {
    pub scope: &'a Scope,
    /// The scope's DNS zones, canonical.
    pub zones: &'a [String],
    pub index: &'a Index,
}

/// What one instance gave.
pub enum Mapped {
    /// Resources to compare.
    Resources(Vec<Resource>),
    /// Read, and not for this scope: why.
    Skipped(String),
    /// Read for what it tells others (a zone's name), nothing to compare.
    Helper,
}

/// One Terraform resource type a kind reads.
pub struct TfType {
    pub rtype: &'static str,
    pub kind: Kind,
    /// Whether this type's rules win over the same rules read from another
    /// type (a standalone rule resource over the group's refreshed inline
    /// list, which repeats it).
    pub primary: bool,
    pub map: fn(&Instance, &Cx<'_>) -> Result<Mapped, String>,
}

/// Every type driftgate reads, by kind.
#[must_use]
pub fn types() -> Vec<&'static TfType> {
    let lists: [&'static [TfType]; 3] = [
        crate::kinds::ecs_service::formats::terraform::TYPES,
        crate::kinds::dns_record::formats::terraform::TYPES,
        crate::kinds::firewall_rule::formats::terraform::TYPES,
    ];
    lists.iter().flat_map(|l| l.iter()).collect()
}

/// A state read into declared records: each resource with its address and
/// where it is declared (its `.tf` block, else its place in the state).
pub struct Read {
    pub records: Vec<DeclaredRecord>,
    pub notes: Vec<String>,
    /// `12 resources from 9 instances; not compared: 3 aws_iam_role, ...`.
    pub summary: String,
}

/// Maps one state's instances for a scope.
///
/// # Errors
/// An instance whose attributes do not fit its type: its address and why.
pub fn read(
    shown: &str,
    parsed: &state::Parsed,
    cx: &Cx<'_>,
    locator: &mut hcl::Locator,
    root: &std::path::Path,
) -> Result<Read, String> {
    let types = types();
    let mut notes = parsed
        .notes
        .iter()
        .map(|n| format!("{shown}: {n}"))
        .collect::<Vec<_>>();
    let mut not_compared: BTreeMap<String, usize> = BTreeMap::new();
    let mut skipped = 0usize;
    // By kind and id: a rule repeated by a group's inline list and its own
    // resource is one rule (the resource's place wins).
    let mut out: BTreeMap<(Kind, String), (DeclaredRecord, bool)> = BTreeMap::new();
    let mut order: Vec<(Kind, String)> = Vec::new();
    for inst in &parsed.instances {
        let Some(t) = types.iter().find(|t| t.rtype == inst.rtype) else {
            if inst.mode == Mode::Managed {
                *not_compared.entry(inst.rtype.clone()).or_default() += 1;
            }
            continue;
        };
        if inst.mode == Mode::Data && inst.rtype != "aws_route53_zone" {
            continue;
        }
        let mapped = (t.map)(inst, cx).map_err(|why| format!("{}: {why}", inst.address))?;
        let resources = match mapped {
            Mapped::Resources(r) => r,
            Mapped::Helper => continue,
            Mapped::Skipped(why) => {
                skipped += 1;
                notes.push(format!("{shown}: {}: {why}; not compared", inst.address));
                continue;
            }
        };
        let at = match locator.locate(
            &inst.module,
            inst.mode == Mode::Data,
            &inst.rtype,
            &inst.name,
        ) {
            Some((file, line)) => {
                let rel = file.strip_prefix(root).unwrap_or(&file);
                format!("{}:{line}", rel.display())
            }
            None => format!("{shown}:{}", inst.line),
        };
        for resource in resources {
            let key = (resource.kind, resource.id.clone());
            match out.get(&key) {
                Some((_, primary)) if *primary || !t.primary => continue,
                Some(_) => {}
                None => order.push(key.clone()),
            }
            out.insert(
                key,
                (
                    DeclaredRecord {
                        compact: None,
                        resource,
                        at: at.clone(),
                        address: Some(inst.address.clone()),
                    },
                    t.primary,
                ),
            );
        }
    }
    let records: Vec<DeclaredRecord> = order
        .into_iter()
        .filter_map(|k| out.remove(&k).map(|(r, _)| r))
        .collect();
    let mut summary = format!(
        "{} from {} instances",
        crate::commands::count(records.len(), "resource"),
        parsed.instances.len()
    );
    if skipped > 0 {
        summary.push_str(&format!(", {skipped} outside the scope"));
    }
    if !not_compared.is_empty() {
        let list = not_compared
            .iter()
            .map(|(t, n)| format!("{n} {t}"))
            .collect::<Vec<_>>()
            .join(", ");
        summary.push_str(&format!(
            "; not compared (types driftgate does not read): {list}"
        ));
        notes.push(format!(
            "{shown}: not compared (types driftgate does not read): {list}"
        ));
    }
    Ok(Read {
        records,
        notes,
        summary,
    })
}

/// The first element of a nested block list (`alias = [{...}]` in state).
#[must_use]
pub fn block(a: &Value, key: &str) -> Option<Value> {
    match a.get(key)? {
        Value::Array(l) => l.first().cloned(),
        o @ Value::Object(_) => Some(o.clone()),
        _ => None,
    }
}

/// A text attribute, `None` when absent, null or empty.
#[must_use]
pub fn text<'a>(a: &'a Value, key: &str) -> Option<&'a str> {
    a.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A list attribute of texts (null or absent: empty).
#[must_use]
pub fn texts(a: &Value, key: &str) -> Vec<String> {
    a.get(key)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A scope's states while its declared files are read: those named in
/// `[scope.terraform]` and those in its declared tree, parsed once.
pub struct ScopeStates {
    pub index: Index,
    /// State files of the declared tree, by path: parsed, or why not.
    pub in_tree: BTreeMap<
        std::path::PathBuf,
        Result<std::sync::Arc<state::Parsed>, crate::error::InputError>,
    >,
    pub locator: std::cell::RefCell<hcl::Locator>,
}

impl ScopeStates {
    /// Parses the declared tree's state files (`.tfstate`, and `.json` that
    /// looks like a state or show output) and indexes them with the loaded
    /// ones. A `.tfstate` that does not parse is an error when read; a
    /// `.json` one is offered to the other formats.
    #[must_use]
    pub fn new(scope: &Scope, paths: &[std::path::PathBuf], root: &std::path::Path) -> Self {
        let mut in_tree = BTreeMap::new();
        let named: Vec<std::path::PathBuf> = scope
            .terraform
            .iter()
            .flat_map(|t| t.states.iter())
            .filter_map(|s| match s {
                source::StateSource::Local(p) => Some(crate::declared::normal_path(p)),
                _ => None,
            })
            .collect();
        for p in paths {
            if named.contains(&crate::declared::normal_path(p)) {
                continue;
            }
            let ext = p.extension().and_then(|e| e.to_str());
            let candidate = match ext {
                Some("tfstate") => true,
                Some("json") => std::fs::File::open(p).is_ok_and(|f| {
                    use std::io::Read as _;
                    let mut head = vec![0u8; 4096];
                    let n = f.take(4096).read(&mut head).unwrap_or(0);
                    let head = String::from_utf8_lossy(&head[..n]);
                    head.contains("\"lineage\"") || head.contains("\"format_version\"")
                }),
                _ => false,
            };
            if !candidate {
                continue;
            }
            let parsed = std::fs::read(p)
                .map_err(|e| crate::error::InputError::whole_file(p, format!("cannot read: {e}")))
                .and_then(|bytes| source::parse_bytes(bytes, &p.display().to_string()))
                .map(|(_, parsed)| std::sync::Arc::new(parsed));
            in_tree.insert(p.clone(), parsed);
        }
        let loaded = scope
            .terraform
            .as_ref()
            .map(|t| t.loaded.as_slice())
            .unwrap_or_default();
        let index = Index::of(
            loaded
                .iter()
                .flat_map(|l| l.parsed.instances.iter())
                .chain(in_tree.values().flatten().flat_map(|p| p.instances.iter())),
        );
        // The configuration: as configured, else beside the first local
        // state, else the declared directory.
        let config_dir = scope
            .terraform
            .as_ref()
            .and_then(|t| {
                t.configuration.clone().or_else(|| {
                    t.states.iter().find_map(|s| match s {
                        source::StateSource::Local(p) => p.parent().map(|d| {
                            // A workspace's state sits two levels down.
                            let d = d.to_path_buf();
                            if d.parent().and_then(|x| x.file_name())
                                == Some(std::ffi::OsStr::new("terraform.tfstate.d"))
                            {
                                d.parent()
                                    .and_then(|x| x.parent())
                                    .map_or(d.clone(), std::path::Path::to_path_buf)
                            } else {
                                d
                            }
                        }),
                        _ => None,
                    })
                })
            })
            .unwrap_or_else(|| scope.declared.clone());
        ScopeStates {
            index,
            in_tree,
            locator: std::cell::RefCell::new(hcl::Locator::new(Some(config_dir), root)),
        }
    }
}
