//! The shared steps of every command: declared files in, live state in,
//! normalized, diffed. Data flows one way: providers and declared files ->
//! mask secrets -> normalize -> diff -> report.

use crate::config::{Config, Scope as ConfigScope};
use crate::declared::{self, ecs::EcsDoc};
use crate::diff::{self, Declared, Live, Scope};
use crate::error::InputError;
use crate::normalize::{self, Mode, Node};
use crate::report::Report;
use anyhow::Context;
use driftgate_aws::{EcsProvider, Route53Provider, SecurityGroupProvider, sdk_config};
use driftgate_azure::{AzureDnsProvider, IdentityChain, StaticToken, TokenSource};
use driftgate_model::provider::scope_key;
use driftgate_model::{
    Finding, Kind, Provider, Resource, SNAPSHOT_SCHEMA_VERSION, ScanResult, Snapshot, State,
};
use std::collections::BTreeMap;
use std::path::Path;

/// A declared resource, with where it is declared.
#[derive(Debug, Clone)]
pub struct DeclaredResource {
    pub scope: usize,
    pub resource: Resource,
    pub at: String,
}

/// One share of the targets: `--shard I/N` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}`: expected I/N with 1 <= I <= N, e.g. 2/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Keeps this shard's share of the config's targets (clusters, zones, VPCs,
/// networks), and only the declared resources that lie in them. Targets are
/// dealt out round-robin in sorted order, so the same config always shards
/// the same way, and the shards together cover every target exactly once.
pub fn shard(config: &mut Config, declared: &mut Vec<DeclaredResource>, shard: Shard) {
    let mut all: Vec<(Kind, String)> = config
        .scopes
        .iter()
        .flat_map(ConfigScope::targets)
        .collect();
    all.sort();
    // A VPC read in several regions is one target.
    all.dedup();
    let keep: std::collections::BTreeSet<(Kind, String)> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % shard.count == shard.index - 1)
        .map(|(_, t)| t)
        .collect();
    let kept = |k: Kind, t: String| keep.contains(&(k, t));
    for s in &mut config.scopes {
        if let Some(a) = &mut s.aws {
            a.ecs.retain(|t| kept(Kind::EcsService, t.target.clone()));
            let ecs = a.ecs.clone();
            a.ecs_clusters
                .retain(|c| ecs.iter().any(|t| &t.cluster == c));
            a.route53_zones
                .retain(|z| kept(Kind::DnsRecord, driftgate_model::dns::canonical_name(z)));
            a.security_group_vpcs
                .retain(|v| kept(Kind::FirewallRule, v.clone()));
        }
        if let Some(g) = &mut s.gcp {
            g.networks
                .retain(|(p, n)| kept(Kind::FirewallRule, format!("{p}:{n}")));
        }
        if let Some(z) = &mut s.azure {
            z.dns_zones
                .retain(|d| kept(Kind::DnsRecord, driftgate_model::dns::canonical_name(d)));
        }
    }
    declared.retain(|d| {
        kept(
            d.resource.kind,
            crate::diff::scope_of(&d.resource.id).to_owned(),
        )
    });
}

/// Keeps only the scopes named with `--scope` (all when none are).
///
/// # Errors
/// A name that is no scope of the config.
pub fn select(config: &mut Config, names: &[String]) -> anyhow::Result<()> {
    for n in names {
        if !config.scopes.iter().any(|s| &s.name == n) {
            anyhow::bail!(
                "--scope {n}: no such scope in {} (scopes: {})",
                config.path.display(),
                config
                    .scopes
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if !names.is_empty() {
        config.scopes.retain(|s| names.contains(&s.name));
    }
    Ok(())
}

/// Adds a file's record sets to a scope, refusing one declared twice.
fn add_records(
    recs: Vec<declared::dns::DeclaredRecord>,
    scope: usize,
    seen: &mut BTreeMap<String, String>,
    out: &mut Vec<DeclaredResource>,
) -> Result<(), InputError> {
    for rec in recs {
        if let Some(first) = seen.get(&rec.resource.id) {
            let (file, line) = rec.at.rsplit_once(':').unwrap_or((&rec.at, "1"));
            return Err(InputError::new(
                Path::new(file),
                line.parse().unwrap_or(1),
                1,
                format!("`{}` is also declared at {first}", rec.resource.id),
            ));
        }
        seen.insert(rec.resource.id.clone(), rec.at.clone());
        out.push(DeclaredResource {
            scope,
            resource: rec.resource,
            at: rec.at,
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
}

/// Reads every scope's declared files.
///
/// # Errors
/// The first bad file, at its place.
pub fn load_declared(config: &Config, create_missing: bool) -> Result<Loaded, InputError> {
    let mut out = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for (i, scope) in config.scopes.iter().enumerate() {
        if !scope.declared.is_dir() {
            if create_missing {
                continue;
            }
            return Err(InputError::new(
                &config.path,
                1,
                1,
                format!(
                    "scope `{}`: declared directory `{}` does not exist (run `driftgate import` to create it from live state)",
                    scope.name,
                    scope.declared.display()
                ),
            ));
        }
        let mut docs = Vec::new();
        let zones = scope.dns_zones();
        let mut records: BTreeMap<String, String> = BTreeMap::new();
        for path in declared::files(&scope.declared)? {
            let rel = path.strip_prefix(&scope.declared).unwrap_or(&path);
            let shown = Path::new(&scope.declared_as_written)
                .join(rel)
                .display()
                .to_string();
            let cx = declared::formats::Context {
                scope,
                zones: &zones,
                root: &config.root,
            };
            let unparsed = declared::formats::File {
                path: &path,
                shown: &shown,
                doc: None,
            };
            let (doc, read) = match declared::formats::recognise(&unparsed, &cx) {
                Some((format, _)) => (None, format.read(&unparsed, &cx)?),
                None => {
                    let doc = declared::parse(&path, shown.clone())?;
                    let file = declared::formats::File {
                        path: &path,
                        shown: &shown,
                        doc: Some(&doc),
                    };
                    let read = match declared::formats::recognise(&file, &cx) {
                        Some((format, _)) => format.read(&file, &cx)?,
                        None => declared::formats::Read::Skipped(format!(
                            "{shown}: no declared format takes this file; skipped"
                        )),
                    };
                    (Some(doc), read)
                }
            };
            match read {
                declared::formats::Read::Records(recs, read_notes) => {
                    notes.extend(read_notes);
                    add_records(recs, i, &mut records, &mut out)?;
                }
                declared::formats::Read::Ecs(ecs) => {
                    docs.push((doc.expect("ECS files are parsed"), ecs));
                }
                declared::formats::Read::Skipped(note) => notes.push(note),
            }
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
            None => declared::ecs::resources(&docs, &clusters)?,
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
            });
        }
    }
    // Scopes with an `id_prefix`: their cluster and zone ids carry it, as
    // the scan's do.
    for d in &mut out {
        let scope = &config.scopes[d.scope];
        let prefix = match d.resource.kind {
            Kind::EcsService => scope.aws.as_ref().and_then(|a| a.id_prefix.as_deref()),
            Kind::DnsRecord => scope.zone_prefix(crate::diff::scope_of(&d.resource.id)),
            Kind::FirewallRule => None,
        };
        if let Some(p) = prefix {
            d.resource.id = format!("{p}:{}", d.resource.id);
        }
    }
    Ok(Loaded {
        resources: out,
        notes,
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
) -> Result<declared::ecs::Paired, InputError> {
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
    let mut out = declared::ecs::Paired::default();
    for (region, docs) in groups {
        let mut paired = declared::ecs::resources(&docs, clusters)?;
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

/// Reads the cloud: one task per target (a scope's region, a GCP project, an
/// Azure subscription), at most `config.concurrency` at once. Never fails
/// as a whole: what could not be read is in `unchecked`, and one target's
/// failure leaves the others' results whole.
///
/// The scan ends at `config.timeout` whatever is still under way: each part
/// (one provider of one target) keeps its result the moment it finishes, and
/// every target still unread then is unchecked ("deadline exceeded").
pub async fn scan(config: &Config) -> ScanResult {
    let deadline = tokio::time::Instant::now() + config.timeout;
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(config.concurrency));
    let done: Done = Done::default();
    let mut set = tokio::task::JoinSet::new();
    let mut spawn = |task: std::pin::Pin<Box<dyn Future<Output = ScanResult> + Send>>| {
        let limit = limit.clone();
        let done = done.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("never closed");
            keep(&done, task.await);
        });
    };
    for scope in &config.scopes {
        let Some(aws) = &scope.aws else { continue };
        let ecs_targets = aws.ecs_targets();
        for (i, region) in aws.region_list().into_iter().enumerate() {
            let target = aws.target(region.clone());
            let clusters: Vec<String> = ecs_targets
                .iter()
                .filter(|t| t.region == region)
                .map(|t| t.cluster.clone())
                .collect();
            // Route53 is global: read once per scope, with its first region.
            let zones = if i == 0 {
                aws.route53_zones.clone()
            } else {
                Vec::new()
            };
            let vpcs = aws.security_group_vpcs.clone();
            let qualifier = region.filter(|_| aws.multi_region());
            let prefix = aws.id_prefix.clone();
            let done = done.clone();
            spawn(Box::pin(async move {
                let sdk = sdk_config(&target).await;
                let ecs = async {
                    if !clusters.is_empty() {
                        let mut r = EcsProvider::new(&sdk, clusters).scan().await;
                        if let Some(q) = &qualifier {
                            r.qualify(Kind::EcsService, q);
                        }
                        if let Some(p) = &prefix {
                            r.prefix(Kind::EcsService, p);
                        }
                        keep(&done, r);
                    }
                };
                let dns = async {
                    if !zones.is_empty() {
                        let mut r = Route53Provider::new(&sdk, zones).scan().await;
                        if let Some(p) = &prefix {
                            r.prefix(Kind::DnsRecord, p);
                        }
                        keep(&done, r);
                    }
                };
                let sgs = async {
                    if !vpcs.is_empty() {
                        keep(&done, SecurityGroupProvider::new(&sdk, vpcs).scan().await);
                    }
                };
                tokio::join!(ecs, dns, sgs);
                ScanResult::default()
            }));
        }
    }
    for scope in &config.scopes {
        let Some(g) = &scope.gcp else { continue };
        let token: std::sync::Arc<dyn driftgate_gcp::TokenSource> =
            match std::env::var("DRIFTGATE_GCP_TOKEN") {
                Ok(t) if !t.is_empty() => std::sync::Arc::new(driftgate_gcp::StaticToken(t)),
                _ => std::sync::Arc::new(driftgate_gcp::Adc::default()),
            };
        for project in &g.projects {
            let networks: Vec<String> = g
                .networks
                .iter()
                .filter(|(p, _)| p == project)
                .map(|(_, n)| n.clone())
                .collect();
            if networks.is_empty() {
                continue;
            }
            let provider = driftgate_gcp::GcpFirewallProvider::new(
                g.endpoint
                    .as_deref()
                    .unwrap_or(driftgate_gcp::firewall::COMPUTE_ENDPOINT),
                token.clone(),
                project,
                networks,
            );
            spawn(Box::pin(async move { provider.scan().await }));
        }
    }
    for scope in &config.scopes {
        let Some(az) = &scope.azure else { continue };
        if az.dns_zones.is_empty() {
            continue;
        }
        let token: std::sync::Arc<dyn TokenSource> = match std::env::var("DRIFTGATE_AZURE_TOKEN") {
            Ok(t) if !t.is_empty() => std::sync::Arc::new(StaticToken(t)),
            _ => std::sync::Arc::new(IdentityChain::from_env()),
        };
        let provider = AzureDnsProvider::new(
            az.endpoint
                .as_deref()
                .unwrap_or(driftgate_azure::dns::ARM_ENDPOINT),
            token,
            &az.subscription,
            &az.resource_group,
            az.dns_zones.clone(),
        );
        let prefix = az.id_prefix.clone();
        spawn(Box::pin(async move {
            let mut r = provider.scan().await;
            if let Some(p) = &prefix {
                r.prefix(Kind::DnsRecord, p);
            }
            r
        }));
    }
    // A progress bar on stderr, only when a person watches it.
    let progress = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let targets: usize = config.scopes.iter().map(|s| s.targets().len()).sum();
        let bar = indicatif::ProgressBar::new(set.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading {msg}: {pos}/{len} tasks done ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(format!("{targets} targets"));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(bar)
    } else {
        None
    };
    let all_done = async {
        while let Some(part) = set.join_next().await {
            part.expect("provider task panicked");
            if let Some(bar) = &progress {
                bar.inc(1);
            }
        }
    };
    let in_time = tokio::time::timeout_at(deadline, all_done).await.is_ok();
    set.abort_all();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut out = std::mem::take(
        &mut *done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    if !in_time {
        mark_unread(config, &mut out);
    }
    out.sorted()
}

/// What the parts of a scan have finished, kept as each finishes.
type Done = std::sync::Arc<std::sync::Mutex<ScanResult>>;

fn keep(done: &Done, part: ScanResult) {
    done.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .absorb(part);
}

/// After the deadline: every target of the config that was neither read
/// nor already reported unchecked becomes unchecked, with that reason.
fn mark_unread(config: &Config, out: &mut ScanResult) {
    let secs = config.timeout.as_secs();
    for (kind, target) in config.scopes.iter().flat_map(ConfigScope::targets) {
        let id = format!("{target}/*");
        let read = out.scopes_read.contains(&scope_key(kind, &target));
        let known = out.unchecked.iter().any(|u| u.kind == kind && u.id == id);
        if !read && !known {
            out.unchecked.push(driftgate_model::Unchecked {
                kind,
                id,
                error: driftgate_model::ProviderError::new(
                    driftgate_model::ErrorKind::Deadline,
                    "driftgate",
                    "scan",
                    format!("deadline exceeded: not read within the {secs} s timeout"),
                ),
            });
        }
    }
}

/// Reads a snapshot file.
///
/// # Errors
/// A file that cannot be read, is not JSON, or is not a snapshot.
pub fn read_snapshot(path: &Path) -> Result<ScanResult, InputError> {
    let text = crate::input::read_text(path, path)?;
    let snap: Snapshot = serde_json::from_str(&text).map_err(|e| {
        InputError::new(
            path,
            e.line(),
            e.column(),
            format!("not a driftgate snapshot: {e}"),
        )
    })?;
    if snap.schema_version != SNAPSHOT_SCHEMA_VERSION {
        return Err(InputError::new(
            path,
            1,
            1,
            format!(
                "snapshot schema version {} is not supported (this driftgate reads version {SNAPSHOT_SCHEMA_VERSION})",
                snap.schema_version
            ),
        ));
    }
    Ok(ScanResult {
        resources: snap.resources,
        scopes_read: snap.scopes_read,
        unchecked: snap.unchecked,
    })
}

/// The live state, from a snapshot file or from the cloud, with secrets masked.
///
/// # Errors
/// A bad snapshot file.
pub async fn live_state(config: &Config, snapshot: Option<&Path>) -> anyhow::Result<ScanResult> {
    let mut live = match snapshot {
        Some(p) => read_snapshot(p)?,
        None => scan(config).await,
    };
    for r in &mut live.resources {
        // A live secret that is not one value is masked whole all the same.
        let _ = normalize::mask(r, &config.secrets);
    }
    Ok(live)
}

/// The scan as a snapshot file's content.
#[must_use]
pub fn snapshot_of(live: ScanResult) -> Snapshot {
    Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        scopes_read: live.scopes_read,
        resources: live.resources,
        unchecked: live.unchecked,
    }
}

/// Security groups referenced by name (`groups: [web]`, or a
/// `UserIdGroupPairs` entry with only `GroupName`) are resolved to their ids
/// through the live groups of the same VPC, so the rule's id is the one the
/// cloud side has. A name no live group has stays as written, and the rule
/// shows as missing.
fn resolve_group_names(declared: &mut [DeclaredResource], live: &ScanResult) {
    let mut ids: BTreeMap<(String, String), String> = BTreeMap::new();
    for r in live
        .resources
        .iter()
        .filter(|r| r.kind == Kind::FirewallRule)
    {
        if let (Some(vpc), Some(name), Some(id)) = (
            r.spec.get("vpc").and_then(serde_json::Value::as_str),
            r.spec.get("groupName").and_then(serde_json::Value::as_str),
            r.spec.get("groupId").and_then(serde_json::Value::as_str),
        ) && !name.is_empty()
        {
            ids.insert((vpc.to_owned(), name.to_owned()), id.to_owned());
        }
    }
    for d in declared
        .iter_mut()
        .filter(|d| d.resource.kind == Kind::FirewallRule)
    {
        let spec = &mut d.resource.spec;
        if spec.get("peerType").and_then(serde_json::Value::as_str) != Some("security_group") {
            continue;
        }
        let (Some(vpc), Some(peer)) = (
            spec.get("vpc")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
            spec.get("peer")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
        ) else {
            continue;
        };
        if peer.starts_with("sg-") {
            continue;
        }
        if let Some(id) = ids.get(&(vpc, peer.clone())) {
            let key = driftgate_model::firewall::rule_key(&d.resource.id)
                .unwrap_or_default()
                .to_owned();
            d.resource.id = format!("{key}/{id}");
            spec["peer"] = serde_json::Value::String(id.clone());
        }
    }
}

/// Normalizes both sides, diffs them, and builds the report.
///
/// # Errors
/// A declared resource that does not normalize (already checked on reading).
pub fn check(
    config: &Config,
    mut declared: Vec<DeclaredResource>,
    live: ScanResult,
) -> anyhow::Result<Report> {
    resolve_group_names(&mut declared, &live);
    // Both sides are consumed as they are normalized: only the trees are
    // kept, which halves the memory of a large zone.
    let mut live_side = Live {
        scopes_read: live.scopes_read.into_iter().collect(),
        unchecked: live.unchecked,
        ..Live::default()
    };
    for r in live.resources {
        let node = normalize::normalize(&r, Mode::Lenient)
            .map_err(|e| anyhow::anyhow!("live {} {}: {}", r.kind, r.id, e.message))?;
        live_side.nodes.insert((r.kind, r.id), node);
    }
    let mut by_scope: Vec<Vec<DeclaredResource>> =
        config.scopes.iter().map(|_| Vec::new()).collect();
    for d in declared {
        by_scope[d.scope].push(d);
    }
    let scopes: Vec<Scope> = config
        .scopes
        .iter()
        .enumerate()
        .zip(by_scope)
        .map(|((_, s), declared)| diff_scope(s, declared))
        .collect::<anyhow::Result<_>>()?;
    let mut outcome = diff::diff(&scopes, &live_side, &config.ignore);
    // Each finding names its cloud, from the target that holds it.
    let clouds: BTreeMap<(&str, Kind, String), driftgate_model::Cloud> = config
        .scopes
        .iter()
        .flat_map(|s| {
            s.target_clouds()
                .into_iter()
                .map(move |(k, t, c)| ((s.name.as_str(), k, t), c))
        })
        .collect();
    for f in &mut outcome.findings {
        let target = diff::scope_of(&f.id).to_owned();
        f.cloud = clouds.get(&(f.scope.as_str(), f.kind, target)).copied();
    }
    let decl_nodes: BTreeMap<(&str, Kind, &str), &Node> = scopes
        .iter()
        .flat_map(|s| {
            s.declared
                .iter()
                .map(move |d| ((s.name.as_str(), d.kind, d.id.as_str()), &d.node))
        })
        .collect();
    for f in &mut outcome.findings {
        let (declared, live) = texts_of(
            f,
            decl_nodes
                .get(&(f.scope.as_str(), f.kind, f.id.as_str()))
                .copied(),
            live_side.nodes.get(&(f.kind, f.id.clone())),
        );
        if !declared.is_empty() || !live.is_empty() {
            f.sides = Some(driftgate_model::Sides { declared, live });
        }
    }
    Ok(Report::new(outcome.findings, outcome.ignored))
}

fn diff_scope(s: &ConfigScope, declared: Vec<DeclaredResource>) -> anyhow::Result<Scope> {
    let mut decl = Vec::with_capacity(declared.len());
    for d in declared {
        let node = normalize::normalize(&d.resource, Mode::Strict)
            .map_err(|e| anyhow::anyhow!("{}: {}", d.at, e.message))
            .with_context(|| format!("declared {} {}", d.resource.kind, d.resource.id))?;
        decl.push(Declared {
            kind: d.resource.kind,
            id: d.resource.id,
            at: d.at,
            node,
        });
    }
    let targets = s.targets();
    Ok(Scope {
        name: s.name.clone(),
        mode: s.mode.as_str().to_owned(),
        targets,
        unsupported: s.not_yet_read.clone(),
        declared: decl,
    })
}

/// The two sides of a finding as lines, with fields the finding leaves out
/// (ignored by a rule, or compared only when declared) left out here too.
fn texts_of(
    f: &Finding,
    declared: Option<&Node>,
    live: Option<&Node>,
) -> (Vec<String>, Vec<String>) {
    if f.state == State::InSync || f.state == State::Unchecked {
        return (Vec::new(), Vec::new());
    }
    let skip = |path: &str, on_declared: bool, present_in_declared: bool| {
        f.ignored.iter().any(|p| p == path)
            || (!on_declared && !present_in_declared && normalize::declared_only(f.kind, path))
    };
    let d = declared.map(|n| without(n, "", &|p| skip(p, true, true)));
    let l = live.map(|n| {
        without(n, "", &|p| {
            skip(p, false, declared.is_some_and(|d| has_path(d, "", p)))
        })
    });
    (
        d.map(|n| n.render_lines()).unwrap_or_default(),
        l.map(|n| n.render_lines()).unwrap_or_default(),
    )
}

fn child_path(prefix: &str, key: &str, keyed: bool) -> String {
    if keyed {
        format!("{prefix}[{key}]")
    } else if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn without(n: &Node, prefix: &str, drop: &dyn Fn(&str) -> bool) -> Node {
    match n {
        Node::Obj(m) | Node::Keyed(m) => {
            let keyed = matches!(n, Node::Keyed(_));
            let kept = m
                .iter()
                .filter_map(|(k, v)| {
                    let p = child_path(prefix, k, keyed);
                    (!drop(&p)).then(|| (k.clone(), without(v, &p, drop)))
                })
                .collect();
            if keyed {
                Node::Keyed(kept)
            } else {
                Node::Obj(kept)
            }
        }
        leaf => leaf.clone(),
    }
}

fn has_path(n: &Node, prefix: &str, path: &str) -> bool {
    match n {
        Node::Obj(m) | Node::Keyed(m) => {
            let keyed = matches!(n, Node::Keyed(_));
            m.iter().any(|(k, v)| {
                let p = child_path(prefix, k, keyed);
                p == path || (path.starts_with(&p) && has_path(v, &p, path))
            })
        }
        Node::Leaf { .. } => false,
    }
}

/// The targets of the config that the live state did not read.
#[must_use]
pub fn unread_scopes(config: &Config, live: &ScanResult) -> Vec<String> {
    config
        .scopes
        .iter()
        .flat_map(ConfigScope::targets)
        .filter(|(k, t)| !live.scopes_read.contains(&scope_key(*k, t)))
        .map(|(k, t)| format!("{k}:{t}"))
        .collect()
}
