//! The scan stage: the cloud read into one [`ScanResult`], one task per
//! target under the `[scan] concurrency` semaphore and the scan's deadline;
//! or a snapshot file read instead. Secrets are masked as it is read.

use crate::config::{Config, Scope as ConfigScope};
use crate::error::InputError;
use crate::normalize;
use driftgate_aws::{EcsProvider, Route53Provider, SecurityGroupProvider, sdk_config};
use driftgate_azure::{AzureDnsProvider, IdentityChain, StaticToken, TokenSource};
use driftgate_model::provider::scope_key;
use driftgate_model::{Kind, Provider, SNAPSHOT_SCHEMA_VERSION, ScanResult, Snapshot};
use std::path::Path;

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
