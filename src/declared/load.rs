//! The declared stage: every scope's declared files, each offered to the
//! formats of [`super::formats`] in order, read into resources with where
//! they are declared; ECS files paired once all are read.

use crate::config::{Config, Scope as ConfigScope};
use crate::declared;
use crate::error::InputError;
use crate::kinds::ecs_service::formats::EcsDoc;
use crate::normalize::{self};
use driftgate_model::Resource;
use std::collections::BTreeMap;
use std::path::Path;

/// A declared resource, with where it is declared.
#[derive(Debug, Clone)]
pub struct DeclaredResource {
    pub scope: usize,
    /// Its spec is `null` while the resource is [`Compact`]: ask
    /// [`DeclaredResource::spec`].
    pub resource: Resource,
    pub at: String,
    /// Not a resource but live ones it stands for (an octoDNS dynamic
    /// record): the check reports them unchecked, never unmanaged.
    pub claim: Option<Box<declared::formats::Claim>>,
    /// The Terraform address it was declared at, if it came from a state.
    pub address: Option<String>,
    /// Held as its tree and text rather than its parsed spec (`check` reads
    /// large zones this way).
    pub compact: Option<Box<Compact>>,
}

/// A declared resource as `check` needs it: normalized once, as it is read,
/// its spec kept as compact JSON text (a few times smaller than a parsed
/// `Value`), parsed again only for what a report says of it. A zone of
/// 100,000 record sets is never held as parsed specs all at once.
#[derive(Debug, Clone)]
pub struct Compact {
    pub node: normalize::Node,
    /// What it shares a file with (its zone), one allocation for the
    /// records of a zone read in a row.
    pub group: Option<std::sync::Arc<str>>,
    spec: Box<str>,
    /// Found in sync with its live resource as that was read (see
    /// [`crate::diff::settle`]): its tree and text are freed, as nothing
    /// reads them again.
    pub settled: bool,
}

/// `group` as the `Arc` the previous record of this thread had, when it
/// is the same text (a zone's records are read in a row).
fn shared(group: String) -> std::sync::Arc<str> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<std::sync::Arc<str>>> =
            const { std::cell::RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some(a) if **a == *group => a.clone(),
        _ => {
            let a: std::sync::Arc<str> = group.into();
            *last = Some(a.clone());
            a
        }
    })
}

impl Compact {
    /// A resource made compact with the tree it normalized to: its spec
    /// taken out (left `null`) and kept as text.
    #[must_use]
    pub fn of(mut resource: Resource, mut node: normalize::Node) -> (Resource, Box<Compact>) {
        node.shrink();
        let spec = std::mem::take(&mut resource.spec);
        let compact = Compact {
            node,
            group: crate::kinds::rules(resource.kind)
                .group_of(&spec)
                .map(shared),
            spec: serde_json::to_string(&spec)
                .unwrap_or_default()
                .into_boxed_str(),
            settled: false,
        };
        (resource, Box::new(compact))
    }

    /// Marks it in sync with live, freeing its tree and its text.
    pub fn settle(&mut self) {
        self.node = normalize::Node::Obj(normalize::node::Fields::new());
        self.spec = Box::default();
        self.settled = true;
    }
}

impl DeclaredResource {
    /// The spec, held whole or parsed again from its compact text.
    #[must_use]
    pub fn spec(&self) -> std::borrow::Cow<'_, serde_json::Value> {
        match &self.compact {
            Some(c) => std::borrow::Cow::Owned(
                serde_json::from_str(&c.spec).unwrap_or(serde_json::Value::Null),
            ),
            None => std::borrow::Cow::Borrowed(&self.resource.spec),
        }
    }

    /// The resource with its spec whole again.
    #[must_use]
    pub fn expanded(mut self) -> DeclaredResource {
        // A settled one's text is gone: nothing that expands settles.
        debug_assert!(!self.compact.as_ref().is_some_and(|c| c.settled));
        if self.compact.is_some() {
            self.resource.spec = self.spec().into_owned();
            self.compact = None;
        }
        self
    }

    /// A record set declared at `at`, made compact as `check` reads it
    /// (for tests of what consumes declarations).
    ///
    /// # Panics
    /// When the spec does not normalize.
    #[cfg(test)]
    #[must_use]
    pub fn compact_record(scope: usize, resource: Resource, at: &str) -> DeclaredResource {
        let node = normalize::normalize(&resource, normalize::Mode::Strict).unwrap();
        let (resource, compact) = Compact::of(resource, node);
        DeclaredResource {
            scope,
            resource,
            at: at.to_owned(),
            claim: None,
            address: None,
            compact: Some(compact),
        }
    }

    /// Makes a record set compact. One whose spec does not normalize is
    /// left whole, for the check to report as before.
    fn compact(&mut self) {
        if self.resource.kind != driftgate_model::Kind::DnsRecord || self.claim.is_some() {
            return;
        }
        let Ok(node) = normalize::normalize(&self.resource, normalize::Mode::Strict) else {
            return;
        };
        let resource = Resource {
            kind: self.resource.kind,
            id: std::mem::take(&mut self.resource.id),
            spec: std::mem::take(&mut self.resource.spec),
        };
        let (resource, compact) = Compact::of(resource, node);
        self.resource = resource;
        self.compact = Some(compact);
    }
}

/// The ids a scope has declared so far, each held as its index into the
/// resources read.
#[derive(Default)]
struct Seen {
    table: hashbrown::HashTable<usize>,
    state: foldhash::fast::FixedState,
}

impl Seen {
    fn hash(&self, id: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.state, id)
    }

    /// Forgets the resources from index `from` on (taken back).
    fn forget_from(&mut self, from: usize) {
        self.table.retain(|i| *i < from);
    }
}

/// Adds a file's record sets to a scope, refusing one declared twice.
/// Where a large zone file's batches go: room made for what is expected,
/// each batch added (compact) as it comes.
fn large_sink<'a>(
    scope: usize,
    seen: &'a mut Seen,
    out: &'a mut Vec<DeclaredResource>,
    secrets: &'a crate::normalize::SecretPolicy,
) -> impl FnMut(crate::kinds::dns_record::formats::Large) -> Result<(), InputError> + 'a {
    move |step| match step {
        crate::kinds::dns_record::formats::Large::Expect(n) => {
            out.reserve(n);
            Ok(())
        }
        crate::kinds::dns_record::formats::Large::Batch(batch) => {
            add_records(batch, scope, seen, out, secrets, true)
        }
    }
}

fn add_records(
    recs: Vec<crate::kinds::dns_record::formats::DeclaredRecord>,
    scope: usize,
    seen: &mut Seen,
    out: &mut Vec<DeclaredResource>,
    secrets: &crate::normalize::SecretPolicy,
    compact: bool,
) -> Result<(), InputError> {
    out.reserve(recs.len());
    for mut rec in recs {
        // A service read from a Terraform state: its secrets masked as a
        // service file's are.
        if rec.resource.kind == driftgate_model::Kind::EcsService {
            let _ = normalize::mask(&mut rec.resource, secrets);
        }
        let hash = seen.hash(&rec.resource.id);
        if let Some(first) = seen
            .table
            .find(hash, |&i| out[i].resource.id == rec.resource.id)
            .map(|&i| &out[i].at)
        {
            let (file, line) = rec.at.rsplit_once(':').unwrap_or((&rec.at, "1"));
            return Err(InputError::new(
                Path::new(file),
                line.parse().unwrap_or(1),
                1,
                format!("`{}` is also declared at {first}", rec.resource.id),
            ));
        }
        let mut d = DeclaredResource {
            scope,
            resource: rec.resource,
            at: rec.at,
            claim: None,
            address: rec.address,
            compact: rec.compact,
        };
        if compact && d.compact.is_none() {
            d.compact();
        }
        out.push(d);
        // By its place in `out`: neither the id nor the place is copied.
        let state = seen.state.clone();
        seen.table.insert_unique(hash, out.len() - 1, |&i| {
            std::hash::BuildHasher::hash_one(&state, out[i].resource.id.as_str())
        });
    }
    Ok(())
}

/// The zone a declared file is named for: `example.com.yaml` (octoDNS),
/// `example.com.zone` or `db.example.com` (BIND).
pub fn zone_of_file(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .or_else(|| name.strip_suffix(".zone"))
        .or_else(|| name.strip_prefix("db."))?;
    Some(driftgate_model::dns::canonical_name(stem))
}

/// What the declared files hold, and what reading them noticed (files
/// skipped, types not compared) for the command to show.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub resources: Vec<DeclaredResource>,
    pub notes: Vec<String>,
    /// How each file was read (`driftgate files`).
    pub files: Vec<Explained>,
}

/// How one declared file was read: which format took it and why, and what
/// it gave.
#[derive(Debug, Clone)]
pub struct Explained {
    pub scope: String,
    pub file: String,
    /// The format that took it; `None` when none did.
    pub format: Option<&'static str>,
    pub why: String,
    /// What it gave: `3 resources`, or why it was skipped.
    pub outcome: String,
}

/// The error for a scope whose `declared` directory is not there: at the
/// `declared` line of its scope, with the directory a typo most likely
/// meant (import would make a second tree of it).
fn missing_declared(config: &Config, scope: &crate::config::Scope) -> InputError {
    let text = std::fs::read_to_string(&config.path).unwrap_or_default();
    let line = text
        .lines()
        .enumerate()
        .skip(scope.line.saturating_sub(1))
        .find(|(_, l)| l.trim_start().starts_with("declared"))
        .map_or(scope.line.max(1), |(i, _)| i + 1);
    let known = directories(&config.root, 3, 2000);
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = crate::normalize::names::suggestion(&scope.declared_as_written, &known);
    let message = if hint.is_empty() {
        format!(
            "scope `{}`: declared directory `{}` does not exist (run `driftgate import` to create it from live state)",
            scope.name, scope.declared_as_written
        )
    } else {
        format!(
            "scope `{}`: declared directory `{}` does not exist{hint}",
            scope.name, scope.declared_as_written
        )
    };
    let col = text
        .lines()
        .nth(line - 1)
        .map_or(1, |l| l.len() - l.trim_start().len() + 1);
    InputError::new(&config.path, line, col, message)
}

/// The directories under `root`, as relative paths with `/`, to `depth`
/// levels and at most `cap` of them; hidden ones and build output skipped.
fn directories(root: &Path, depth: usize, cap: usize) -> Vec<String> {
    let mut out = Vec::new();
    let walk = walkdir::WalkDir::new(root)
        .min_depth(1)
        .max_depth(depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let n = e.file_name().to_string_lossy();
            !n.starts_with('.') && n != "target" && n != "node_modules"
        });
    for e in walk.flatten() {
        if out.len() >= cap {
            break;
        }
        if e.file_type().is_dir()
            && let Ok(rel) = e.path().strip_prefix(root)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out
}

/// Reads every scope's declared files.
///
/// # Errors
/// The first bad file, at its place.
pub fn load_declared(config: &Config, create_missing: bool) -> Result<Loaded, InputError> {
    load(config, create_missing, false)
}

/// Reads every scope's declared files for a check: record sets are held
/// [`Compact`] as each file is read.
///
/// # Errors
/// As [`load_declared`].
pub fn load_declared_compact(config: &Config) -> Result<Loaded, InputError> {
    load(config, false, true)
}

fn load(config: &Config, create_missing: bool, compact: bool) -> Result<Loaded, InputError> {
    let mut out = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    // Every bad file of the run is reported, not only the first.
    let mut errors: Vec<InputError> = Vec::new();
    let mut explained: Vec<Explained> = Vec::new();
    for (i, scope) in config.scopes.iter().enumerate() {
        if !scope.declared.is_dir() {
            if create_missing {
                continue;
            }
            return Err(missing_declared(config, scope));
        }
        let mut docs = Vec::new();
        let zones = scope.dns_zones();
        let mut records = Seen::default();
        let paths = declared::files(&scope.declared)?;
        // A file as the user sees it: under the `declared` path as written.
        let shown_of = |path: &Path| -> String {
            let rel = path.strip_prefix(&scope.declared).unwrap_or(path);
            Path::new(&scope.declared_as_written)
                .join(rel)
                .display()
                .to_string()
        };
        // octoDNS main configs first: they say which file is which zone's,
        // with what default TTL, sent where.
        let mut octo: BTreeMap<std::path::PathBuf, declared::formats::OctoZone> = BTreeMap::new();
        for path in &paths {
            // A main config is small: large files (zones) are not read twice.
            let yaml = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) && std::fs::metadata(path).is_ok_and(|m| m.len() <= 1024 * 1024);
            let Some(text) = yaml.then(|| std::fs::read_to_string(path).ok()).flatten() else {
                continue;
            };
            if !crate::kinds::dns_record::formats::octodns_config::looks_like_config(&text) {
                continue;
            }
            let shown = shown_of(path);
            let doc = match declared::parse(path, shown) {
                Ok(d) => d,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if !crate::kinds::dns_record::formats::octodns_config::is_config(&doc.value) {
                continue;
            }
            match crate::kinds::dns_record::formats::octodns_config::read(&doc, &config.root) {
                Ok(zones) => {
                    for z in zones {
                        if !paths.iter().any(|p| {
                            crate::kinds::dns_record::formats::octodns_config::normal(p) == z.file
                        }) {
                            notes.push(format!(
                                "{}: the file of zone {} ({}) is not in the declared directory of scope `{}`; not read",
                                z.config,
                                z.zone,
                                z.file.display(),
                                scope.name
                            ));
                        }
                        octo.insert(z.file.clone(), z);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        // ecspresso configs first too: they name the service their
        // definition files are.
        let mut ecspresso: BTreeMap<
            std::path::PathBuf,
            crate::kinds::ecs_service::formats::ecspresso::Entry,
        > = BTreeMap::new();
        for path in &paths {
            if !crate::kinds::ecs_service::formats::ecspresso::is_config(path) {
                continue;
            }
            let shown = shown_of(path);
            if path.extension().is_some_and(|e| e == "jsonnet") {
                notes.push(format!(
                    "{shown}: an ecspresso config in Jsonnet, which driftgate does not evaluate; its service is not read"
                ));
                continue;
            }
            match crate::kinds::ecs_service::formats::ecspresso::read(path, &shown, &|n| {
                std::env::var(n).ok()
            }) {
                Ok(e) => {
                    for f in e.service_definition.iter().chain(e.task_definition.iter()) {
                        if !paths.iter().any(|p| {
                            crate::kinds::dns_record::formats::octodns_config::normal(p) == *f
                        }) {
                            notes.push(format!(
                                "{shown}: {} is not in the declared directory of scope `{}`; not read",
                                f.display(),
                                scope.name
                            ));
                        }
                        ecspresso.insert(f.clone(), e.clone());
                    }
                }
                Err(err) => errors.push(err),
            }
        }
        let claims = std::cell::RefCell::new(Vec::new());
        let tf = declared::terraform::ScopeStates::new(scope, &paths, &config.root);
        // A state both in the tree and named in [scope.terraform] is read
        // once, as named.
        let named: Vec<std::path::PathBuf> = scope
            .terraform
            .iter()
            .flat_map(|t| t.states.iter())
            .filter_map(|s| match s {
                declared::terraform::source::StateSource::Local(p) => {
                    Some(declared::normal_path(p))
                }
                _ => None,
            })
            .collect();
        for path in paths {
            if named.contains(&declared::normal_path(&path)) {
                continue;
            }
            let shown = shown_of(&path);
            let one: Result<(), InputError> = (|| {
                let cx = declared::formats::Context {
                    scope,
                    zones: &zones,
                    root: &config.root,
                    octodns: &octo,
                    claims: &claims,
                    ecspresso: &ecspresso,
                    terraform: &tf,
                    compact,
                };
                let unparsed = declared::formats::File {
                    path: &path,
                    shown: &shown,
                    doc: None,
                };
                let mut took: (Option<&'static str>, String) = (None, String::new());
                let by_name = declared::formats::recognise(&unparsed, &cx);
                // A large zone file (driftgate's own, or octoDNS's), read
                // and added batch by batch; `None`: read whole instead.
                let (mut large, mut octo_large) = (None, None);
                if by_name.is_none()
                    && compact
                    && matches!(
                        path.extension().and_then(|e| e.to_str()),
                        Some("yaml" | "yml")
                    )
                    && std::fs::metadata(&path)
                        .is_ok_and(|m| m.len() >= crate::kinds::dns_record::formats::LARGE_FILE)
                {
                    let before = out.len();
                    large = crate::kinds::dns_record::formats::read_large(
                        &path,
                        &shown,
                        &zones,
                        &mut large_sink(i, &mut records, &mut out, &config.secrets),
                    );
                    if large.is_none() {
                        // What the batches added is taken back first.
                        out.truncate(before);
                        records.forget_from(before);
                        octo_large = declared::formats::read_large_octodns(
                            &path,
                            &shown,
                            &cx,
                            &mut large_sink(i, &mut records, &mut out, &config.secrets),
                        );
                        if octo_large.is_none() {
                            out.truncate(before);
                            records.forget_from(before);
                        }
                    }
                }
                let (doc, read) = match by_name {
                    Some((format, why)) => {
                        took = (Some(format.name()), why);
                        (None, format.read(&unparsed, &cx)?)
                    }
                    None if octo_large.is_some() => {
                        // A large octoDNS zone file, read and added batch
                        // by batch (the same records, places, notes and
                        // claims as read whole).
                        let (why, read_notes, n) = octo_large.take().expect("matched as some");
                        took = (
                            Some(declared::formats::DeclaredFormat::name(
                                &declared::formats::OctoDns,
                            )),
                            why,
                        );
                        notes.extend(read_notes);
                        (
                            None,
                            declared::formats::Read::Entry(crate::commands::count(n, "resource")),
                        )
                    }
                    None if large.is_some() => {
                        // A large native zone, read and added batch by
                        // batch (the same records, places and errors as
                        // read whole).
                        let native = &declared::formats::NativeDns;
                        took = (
                            Some(declared::formats::DeclaredFormat::name(native)),
                            "kind: dns_zone".to_owned(),
                        );
                        let n = large.take().expect("matched as some")?;
                        (
                            None,
                            declared::formats::Read::Entry(crate::commands::count(n, "resource")),
                        )
                    }
                    None => {
                        let doc = declared::parse(&path, shown.clone())?;
                        let file = declared::formats::File {
                            path: &path,
                            shown: &shown,
                            doc: Some(&doc),
                        };
                        let read = match declared::formats::recognise(&file, &cx) {
                            Some((format, why)) => {
                                took = (Some(format.name()), why);
                                format.read(&file, &cx)?
                            }
                            None => declared::formats::Read::Skipped(format!(
                                "{shown}: not a format driftgate reads (another tool's file?); skipped"
                            )),
                        };
                        (Some(doc), read)
                    }
                };
                let outcome = match read {
                    declared::formats::Read::Records(recs, read_notes) => {
                        // The file's parsed tree is done with: freed before
                        // its records are made compact (a large zone's tree
                        // is most of what the read holds).
                        drop(doc);
                        let n = recs.len();
                        notes.extend(read_notes);
                        add_records(recs, i, &mut records, &mut out, &config.secrets, compact)?;
                        crate::commands::count(n, "resource")
                    }
                    declared::formats::Read::Terraform(recs, read_notes, summary) => {
                        notes.extend(read_notes);
                        add_records(recs, i, &mut records, &mut out, &config.secrets, compact)?;
                        summary
                    }
                    declared::formats::Read::Ecs(ecs) => {
                        let what = match &ecs {
                            EcsDoc::Service(_) => "an ECS service",
                            _ => "an ECS task definition",
                        };
                        docs.push((doc.expect("ECS files are parsed"), ecs));
                        what.to_owned()
                    }
                    declared::formats::Read::Entry(what) => what,
                    declared::formats::Read::EcsParsed(doc, ecs) => {
                        let what = match &ecs {
                            EcsDoc::Service(_) => "an ECS service",
                            _ => "an ECS task definition",
                        };
                        docs.push((doc, ecs));
                        what.to_owned()
                    }
                    declared::formats::Read::Skipped(note) => {
                        let why = note.strip_prefix(&format!("{shown}: ")).unwrap_or(&note);
                        let why = why.strip_suffix("; skipped").unwrap_or(why).to_owned();
                        notes.push(note);
                        format!("skipped: {why}")
                    }
                };
                explained.push(Explained {
                    scope: scope.name.clone(),
                    file: shown.clone(),
                    format: took.0,
                    why: took.1,
                    outcome,
                });
                Ok(())
            })();
            if let Err(e) = one {
                errors.push(e);
            }
        }
        // The states `[scope.terraform]` names, read before this stage.
        for loaded in scope.terraform.iter().flat_map(|t| t.loaded.iter()) {
            let tcx = declared::terraform::Cx {
                scope,
                zones: &zones,
                index: &tf.index,
            };
            let read = declared::terraform::read(
                &loaded.shown,
                &loaded.parsed,
                &tcx,
                &mut tf.locator.borrow_mut(),
                &config.root,
            )
            .map_err(|m| InputError::new(Path::new(&loaded.shown), 1, 1, m));
            match read {
                Ok(read) => {
                    notes.extend(read.notes);
                    if let Err(e) = add_records(
                        read.records,
                        i,
                        &mut records,
                        &mut out,
                        &config.secrets,
                        compact,
                    ) {
                        errors.push(e);
                    }
                    explained.push(Explained {
                        scope: scope.name.clone(),
                        file: loaded.shown.clone(),
                        format: Some("Terraform state (v4) or terraform show -json"),
                        why: "named in [scope.terraform] states".to_owned(),
                        outcome: read.summary,
                    });
                }
                Err(e) => errors.push(e),
            }
        }
        for c in claims.into_inner() {
            out.push(DeclaredResource {
                scope: i,
                resource: Resource {
                    kind: c.kind,
                    id: c.globs.first().cloned().unwrap_or_default(),
                    spec: serde_json::Value::Null,
                },
                at: c.at.clone(),
                claim: Some(Box::new(c)),
                compact: None,
                address: None,
            });
        }
        if !errors.is_empty() {
            // Pairing and checking the rest would add errors that follow
            // from these.
            continue;
        }
        let clusters = scope
            .aws
            .as_ref()
            .map(|a| a.ecs_clusters.clone())
            .unwrap_or_default();
        if clusters.is_empty()
            && let Some((doc, _)) = docs.iter().find(|(_, e)| matches!(e, EcsDoc::Service(_)))
        {
            return Err(doc.error_at(
                &[],
                format!(
                    "scope `{}` names no ecs_clusters, yet this file declares an ECS service",
                    scope.name
                ),
            ));
        }
        let paired = match scope.aws.as_ref().filter(|a| a.multi_region()) {
            None => crate::kinds::ecs_service::formats::resources(&docs, &clusters)?,
            Some(aws) => ecs_by_region(scope, &aws.regions, docs, &clusters)?,
        };
        notes.extend(paired.notes.iter().cloned());
        for svc in paired.services {
            let mut resource = svc.resource;
            let odd = normalize::mask(&mut resource, &config.secrets);
            if let Some(place) = odd.first() {
                return Err(secret_not_a_value(config, &svc.at, place));
            }
            out.push(DeclaredResource {
                scope: i,
                resource,
                at: svc.at,
                claim: None,
                compact: None,
                address: None,
            });
        }
    }
    if let Some(e) = InputError::all(errors) {
        return Err(e);
    }
    // Scopes with an `id_prefix`: their cluster and zone ids carry it, as
    // the scan's do.
    for d in &mut out {
        let scope = &config.scopes[d.scope];
        let prefix = crate::kinds::rules(d.resource.kind).id_prefix(scope, &d.resource.id);
        if let Some(p) = prefix {
            d.resource.id = format!("{p}:{}", d.resource.id);
            if let Some(c) = &mut d.claim {
                for g in &mut c.globs {
                    *g = format!("{p}:{g}");
                }
            }
        }
    }
    Ok(Loaded {
        resources: out,
        notes,
        files: explained,
    })
}

/// A declared secret written as a list or a mapping: an error at the
/// secret's name, that never shows its content.
fn secret_not_a_value(config: &Config, at: &str, place: &str) -> InputError {
    let (file, line) = at.rsplit_once(':').unwrap_or((at, "1"));
    let path = config.root.join(file);
    let name = place.rsplit('`').nth(1).unwrap_or_default();
    let (line, col) = std::fs::read_to_string(&path)
        .ok()
        .map(|text| crate::declared::locate::locate(&text, &[name.to_owned()]))
        .filter(|(l, _)| *l > 1 || !name.is_empty())
        .unwrap_or((line.parse().unwrap_or(1), 1));
    InputError::new(
        Path::new(file),
        line,
        col,
        format!(
            "{place}: a secret must be a single value (a string), not a list or a mapping; its content is not shown"
        ),
    )
}

/// The ECS files of a scope that reads several regions, each paired within
/// its region's directory (`<declared>/<region>/...`), their ids qualified
/// as `<cluster>@<region>/<service>`: the same service may run in each
/// region, with the same task definition family.
fn ecs_by_region(
    scope: &ConfigScope,
    regions: &[String],
    docs: Vec<(declared::Document, EcsDoc)>,
    clusters: &[String],
) -> Result<crate::kinds::ecs_service::formats::Paired, InputError> {
    let mut groups: BTreeMap<&str, Vec<(declared::Document, EcsDoc)>> = BTreeMap::new();
    for (doc, ecs) in docs {
        let rel = doc.path.strip_prefix(&scope.declared).unwrap_or(&doc.path);
        let region = rel.components().find_map(|c| {
            let c = c.as_os_str().to_str()?;
            regions.iter().find(|r| r.as_str() == c)
        });
        let Some(region) = region else {
            return Err(doc.error_at(
                &[],
                format!(
                    "scope `{}` reads several regions ({}): put this ECS file under a directory named after its region, e.g. {}/{}/",
                    scope.name,
                    regions.join(", "),
                    scope.declared_as_written,
                    regions[0]
                ),
            ));
        };
        groups.entry(region.as_str()).or_default().push((doc, ecs));
    }
    let mut out = crate::kinds::ecs_service::formats::Paired::default();
    for (region, docs) in groups {
        let mut paired = crate::kinds::ecs_service::formats::resources(&docs, clusters)?;
        for svc in &mut paired.services {
            svc.resource.id = match svc.resource.id.split_once('/') {
                Some((c, name)) => format!("{}/{name}", crate::config::qualified(c, region)),
                None => svc.resource.id.clone(),
            };
        }
        out.services.extend(paired.services);
        out.notes.extend(paired.notes);
    }
    Ok(out)
}

#[cfg(test)]
mod compact_tests {
    use super::*;
    use driftgate_model::Kind;
    use serde_json::json;

    #[test]
    fn a_compact_record_keeps_its_tree_its_zone_and_its_spec() {
        let spec = json!({"zone": "example.com", "name": "www.example.com", "type": "A",
            "ttl": 300, "values": ["192.0.2.1"]});
        let mut d = DeclaredResource {
            scope: 0,
            resource: Resource {
                kind: Kind::DnsRecord,
                id: "example.com/www.example.com/A".into(),
                spec: spec.clone(),
            },
            at: "dns/example.com.yaml:4".into(),
            claim: None,
            address: None,
            compact: None,
        };
        let whole = normalize::normalize(&d.resource, normalize::Mode::Strict).unwrap();
        d.compact();
        let c = d.compact.as_ref().expect("a record set is made compact");
        assert_eq!(c.node, whole);
        assert_eq!(c.group.as_deref(), Some("example.com"));
        assert!(d.resource.spec.is_null());
        assert_eq!(*d.spec(), spec);
        let back = d.expanded();
        assert_eq!(back.resource.spec, spec);
        assert_eq!(back.resource.id, "example.com/www.example.com/A");
        assert!(back.compact.is_none());
    }

    #[test]
    fn a_record_that_does_not_normalize_is_left_whole() {
        let spec = json!({"zone": "example.com", "name": "x.example.com", "type": "A",
            "values": ["not an address"]});
        let mut d = DeclaredResource {
            scope: 0,
            resource: Resource {
                kind: Kind::DnsRecord,
                id: "example.com/x.example.com/A".into(),
                spec: spec.clone(),
            },
            at: "dns/example.com.yaml:4".into(),
            claim: None,
            address: None,
            compact: None,
        };
        d.compact();
        assert!(d.compact.is_none());
        assert_eq!(d.resource.spec, spec);
    }
}
