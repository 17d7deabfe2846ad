//! The scan stage: the cloud read into one [`ScanResult`], one task per
//! target under the `[scan] concurrency` semaphore and the scan's deadline;
//! or a snapshot file read instead. Secrets are masked as it is read.

use crate::config::{Config, Scope as ConfigScope};
use crate::error::InputError;
use crate::normalize;
use driftgate_model::provider::scope_key;
use driftgate_model::{SNAPSHOT_SCHEMA_VERSION, ScanResult, Snapshot};
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
    for scope in &config.scopes {
        for cloud in crate::clouds::CLOUDS {
            for group in cloud.scan(scope) {
                let limit = limit.clone();
                let done = done.clone();
                set.spawn(async move {
                    let _permit = limit.acquire_owned().await.expect("never closed");
                    // Each part keeps its result as it finishes; aborting
                    // this task at the deadline aborts the parts still running.
                    let mut parts = tokio::task::JoinSet::new();
                    for part in group {
                        let done = done.clone();
                        parts.spawn(async move { keep(&done, part.await) });
                    }
                    while let Some(joined) = parts.join_next().await {
                        joined.expect("provider part panicked");
                    }
                });
            }
        }
    }
    // A progress bar on stderr, only when a person watches it.
    let progress = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        // One unit throughout: the parts of the scan (a provider's read of
        // one account and region, project or subscription).
        let bar = indicatif::ProgressBar::new(set.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} scanning: {pos}/{len} parts read ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
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
        targets: snap.targets,
    })
}

/// The live state, from a snapshot file or from the cloud, with secrets masked.
///
/// # Errors
/// A bad snapshot file.
pub async fn live_state(config: &Config, snapshot: Option<&Path>) -> anyhow::Result<ScanResult> {
    match snapshot {
        Some(p) => snapshot_state(config, p),
        None => Ok(masked(config, scan(config).await)),
    }
}

/// The live state from a snapshot file, with secrets masked (no cloud: a
/// caller may read it on a thread of its own while it reads declared files).
///
/// # Errors
/// A bad snapshot file.
pub fn snapshot_state(config: &Config, snapshot: &Path) -> anyhow::Result<ScanResult> {
    Ok(masked(config, read_snapshot(snapshot)?))
}

fn masked(config: &Config, mut live: ScanResult) -> ScanResult {
    for r in &mut live.resources {
        // A live secret that is not one value is masked whole all the same.
        let _ = normalize::mask(r, &config.secrets);
    }
    live
}

/// The scan as a snapshot file's content.
#[must_use]
pub fn snapshot_of(live: ScanResult, config: &Config, clock: &Clock) -> Snapshot {
    Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        scopes_read: live.scopes_read,
        resources: live.resources,
        unchecked: live.unchecked,
        generated_at: clock.started_at.clone(),
        driftgate_version: env!("CARGO_PKG_VERSION").to_owned(),
        config: config.shown_path(),
        targets: live.targets,
        duration_seconds: Some(clock.seconds()),
    }
}

/// When a run started, for the metadata of what it writes.
#[derive(Debug, Clone)]
pub struct Clock {
    /// RFC 3339, UTC.
    pub started_at: String,
    start: std::time::Instant,
}

impl Clock {
    #[must_use]
    pub fn start() -> Self {
        Clock {
            started_at: driftgate_model::now_rfc3339(),
            start: std::time::Instant::now(),
        }
    }

    /// Seconds since the start, to the millisecond.
    #[must_use]
    pub fn seconds(&self) -> f64 {
        (self.start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
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
