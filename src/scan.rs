//! The scan stage: the cloud read into one [`ScanResult`], one task per
//! target under the `[scan] concurrency` semaphore and the scan's deadline;
//! or a snapshot file read instead. Secrets are masked as it is read.

use crate::config::{Config, Scope as ConfigScope};
use crate::diff::Live;
use crate::diff::settle::Settle;
use crate::error::InputError;
use crate::normalize;
use driftgate_model::provider::{Pages, scope_key};
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
    scan_with(config, None).await
}

/// [`scan`], each provider that can hand over what it reads as it reads it
/// doing so to `pages` (those resources are then not in the result).
async fn scan_with(config: &Config, pages: Option<Pages>) -> ScanResult {
    let deadline = tokio::time::Instant::now() + config.timeout;
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(config.concurrency));
    let done: Done = Done::default();
    let mut set = tokio::task::JoinSet::new();
    for scope in &config.scopes {
        for cloud in crate::clouds::CLOUDS {
            for group in cloud.scan(scope, pages.as_ref()) {
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

fn not_a_snapshot(path: &Path, e: &serde_json::Error) -> InputError {
    InputError::new(
        path,
        e.line(),
        e.column(),
        format!("not a driftgate snapshot: {e}"),
    )
}

fn supported(path: &Path, version: u32) -> Result<(), InputError> {
    if version == SNAPSHOT_SCHEMA_VERSION {
        return Ok(());
    }
    Err(InputError::new(
        path,
        1,
        1,
        format!(
            "snapshot schema version {version} is not supported (this driftgate reads version {SNAPSHOT_SCHEMA_VERSION})"
        ),
    ))
}

/// Reads a snapshot file.
///
/// # Errors
/// A file that cannot be read, is not JSON, or is not a snapshot.
pub fn read_snapshot(path: &Path) -> Result<ScanResult, InputError> {
    let text = crate::input::read_text(path, path)?;
    let snap: Snapshot = serde_json::from_str(&text).map_err(|e| not_a_snapshot(path, &e))?;
    supported(path, snap.schema_version)?;
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

/// The live side from a snapshot file, normalized as it is read: each
/// resource is masked, normalized and kept as its tree and compact text
/// before the next is parsed, so a 100,000-resource snapshot is never held
/// as parsed JSON. The same file errors as [`read_snapshot`].
///
/// # Errors
/// A file that cannot be read, is not JSON, is not a snapshot, or holds a
/// resource that is not its kind's shape.
pub fn snapshot_live(
    config: &Config,
    path: &Path,
    settle: Option<&mut Settle<'_>>,
) -> anyhow::Result<Live> {
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::whole_file(path, format!("cannot read: {e}")))?;
    live_of_snapshot(file, path, &config.secrets, settle)
}

/// The snapshot parsed as it is read (never held whole: at 100,000
/// resources it is tens of megabytes), refused as `read_text` refuses a
/// file before any parse error.
fn live_of_snapshot(
    file: impl std::io::Read,
    path: &Path,
    policy: &normalize::SecretPolicy,
    settle: Option<&mut Settle<'_>>,
) -> anyhow::Result<Live> {
    let mut live = Live::default();
    let mut bad = None;
    let seed = stream::SnapshotSeed {
        policy,
        live: &mut live,
        bad: &mut bad,
        settle,
    };
    let mut text = crate::input::TextReader::new(file);
    let parsed = {
        // serde_json reads a byte at a time: from a buffer, not the checks.
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(&mut text));
        serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|v| de.end().map(|()| v))
    };
    text.finish(path)?;
    let version = parsed.map_err(|e| not_a_snapshot(path, &e))?;
    supported(path, version)?;
    if let Some(e) = bad {
        return Err(e);
    }
    Ok(live)
}

/// The live side, normalized: from a snapshot file (streamed) or from the
/// cloud.
///
/// # Errors
/// A bad snapshot file, or a live resource that does not normalize.
pub async fn live_side(
    config: &Config,
    snapshot: Option<&Path>,
    settle: Option<&mut Settle<'_>>,
) -> anyhow::Result<Live> {
    match (snapshot, settle) {
        (Some(p), settle) => snapshot_live(config, p, settle),
        (None, Some(settle)) if each_target_once(config) => live_in_pages(config, settle).await,
        (None, settle) => Live::from_scan_settled(masked(config, scan(config).await), settle),
    }
}

/// Whether no two scopes name the same target (a resource the scan then
/// reads twice is not settled against the first answer: see
/// [`Live::from_scan_settled`]).
fn each_target_once(config: &Config) -> bool {
    let mut seen = std::collections::HashSet::new();
    config
        .scopes
        .iter()
        .flat_map(ConfigScope::targets)
        .all(|t| seen.insert(t))
}

/// The cloud scan, each page a provider hands over normalized and settled
/// as it arrives ([`crate::diff::settle::LivePages`]): a large zone is never
/// held whole, as parsed record sets or as their trees.
async fn live_in_pages(config: &Config, settle: &mut Settle<'_>) -> anyhow::Result<Live> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let pages = Pages::new(move |page| {
        // A closed channel: the check stopped on an error already.
        let _ = tx.send(page);
    });
    let mut live = crate::diff::settle::LivePages::new(settle);
    let mut take = |page: Vec<driftgate_model::Resource>| live.page(masked_page(config, page));
    let scan = scan_with(config, Some(pages));
    tokio::pin!(scan);
    let result = loop {
        tokio::select! {
            biased;
            Some(page) = rx.recv() => take(page)?,
            result = &mut scan => break result,
        }
    };
    while let Ok(page) = rx.try_recv() {
        take(page)?;
    }
    live.finish(masked(config, result))
}

fn masked_page(
    config: &Config,
    mut page: Vec<driftgate_model::Resource>,
) -> Vec<driftgate_model::Resource> {
    for r in &mut page {
        let _ = normalize::mask(r, &config.secrets);
    }
    page
}

mod stream {
    //! A snapshot's fields read one by one, its resources handed to the
    //! live side as each is parsed (serde's seed API: no `Vec` of them).

    use crate::diff::Live;
    use crate::diff::settle::Settle;
    use crate::normalize::{self, SecretPolicy};
    use driftgate_model::provider::Target;
    use driftgate_model::{Resource, Unchecked};
    use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    const FIELDS: &[&str] = &[
        "schema_version",
        "scopes_read",
        "resources",
        "unchecked",
        "generated_at",
        "driftgate_version",
        "config",
        "targets",
        "duration_seconds",
    ];

    pub(super) struct SnapshotSeed<'a, 's> {
        pub policy: &'a SecretPolicy,
        pub live: &'a mut Live,
        /// The first resource that did not normalize.
        pub bad: &'a mut Option<anyhow::Error>,
        /// Declarations each live resource is settled against as it is read.
        pub settle: Option<&'a mut Settle<'s>>,
    }

    impl<'de> DeserializeSeed<'de> for SnapshotSeed<'_, '_> {
        /// The snapshot's schema version.
        type Value = u32;

        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for SnapshotSeed<'_, '_> {
        type Value = u32;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a driftgate snapshot object")
        }

        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<u32, A::Error> {
            let (mut version, mut scopes, mut resources) = (None, false, false);
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "schema_version" => version = Some(map.next_value::<u32>()?),
                    "scopes_read" => {
                        if scopes {
                            return Err(de::Error::duplicate_field("scopes_read"));
                        }
                        let read: Vec<String> = map.next_value()?;
                        self.live.scopes_read.extend(read);
                        scopes = true;
                    }
                    "resources" => {
                        if resources {
                            return Err(de::Error::duplicate_field("resources"));
                        }
                        map.next_value_seed(Resources {
                            policy: self.policy,
                            live: &mut *self.live,
                            bad: &mut *self.bad,
                            settle: self.settle.as_deref_mut(),
                        })?;
                        resources = true;
                    }
                    "unchecked" => self.live.unchecked = map.next_value::<Vec<Unchecked>>()?,
                    "targets" => self.live.targets = map.next_value::<Vec<Target>>()?,
                    "generated_at" | "driftgate_version" | "config" => {
                        map.next_value::<String>()?;
                    }
                    "duration_seconds" => {
                        map.next_value::<Option<f64>>()?;
                    }
                    other => return Err(de::Error::unknown_field(other, FIELDS)),
                }
            }
            if !scopes {
                return Err(de::Error::missing_field("scopes_read"));
            }
            if !resources {
                return Err(de::Error::missing_field("resources"));
            }
            version.ok_or_else(|| de::Error::missing_field("schema_version"))
        }
    }

    struct Resources<'a, 's> {
        policy: &'a SecretPolicy,
        live: &'a mut Live,
        bad: &'a mut Option<anyhow::Error>,
        settle: Option<&'a mut Settle<'s>>,
    }

    impl<'de> DeserializeSeed<'de> for Resources<'_, '_> {
        type Value = ();

        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for Resources<'_, '_> {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of resources")
        }

        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while let Some(mut r) = seq.next_element::<Resource>()? {
                // A live secret that is not one value is masked whole all
                // the same.
                let _ = normalize::mask(&mut r, self.policy);
                // Two of one id: which one is live? Refused, where it is.
                if self.live.entry(r.kind, &r.id).is_some()
                    || self
                        .settle
                        .as_ref()
                        .is_some_and(|s| s.was_settled(r.kind, &r.id))
                {
                    return Err(de::Error::custom(format_args!(
                        "{} `{}` is listed twice in `resources`",
                        r.kind, r.id
                    )));
                }
                let node = match normalize::normalize(&r, normalize::Mode::Lenient) {
                    Ok(node) => node,
                    Err(e) => {
                        if self.bad.is_none() {
                            *self.bad = Some(Live::refused(&r, &e.message));
                        }
                        continue;
                    }
                };
                if let Some(s) = self.settle.as_deref_mut()
                    && s.settle(r.kind, &r.id, &node)
                {
                    self.live.settled += 1;
                    continue;
                }
                self.live.insert(r.kind, r.id, node, &r.spec);
            }
            Ok(())
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> anyhow::Result<Live> {
        live_of_snapshot(
            text.as_bytes(),
            Path::new("live.json"),
            &normalize::SecretPolicy::default(),
            None,
        )
    }

    const RECORD: &str = r#"{"kind": "dns_record", "id": "example.com/www.example.com/A",
        "spec": {"zone": "example.com", "name": "www.example.com", "type": "A", "ttl": 300, "values": ["192.0.2.1"]}}"#;

    #[test]
    fn a_streamed_snapshot_holds_each_resource_as_its_tree_and_its_spec() {
        let live = read(&format!(
            r#"{{"schema_version": 1, "scopes_read": ["dns_record:example.com"],
                "resources": [{RECORD}], "generated_at": "2026-12-01T00:00:00Z"}}"#
        ))
        .unwrap();
        let id = "example.com/www.example.com/A";
        assert_eq!(live.len(), 1);
        assert!(live.scopes_read.contains("dns_record:example.com"));
        let node = live.node(driftgate_model::Kind::DnsRecord, id).unwrap();
        assert_eq!(
            node.canon_of("ttl").as_deref(),
            Some(&serde_json::json!(300))
        );
        let r = live.resource(driftgate_model::Kind::DnsRecord, id).unwrap();
        assert_eq!(r.spec["values"], serde_json::json!(["192.0.2.1"]));
        assert_eq!(live.to_scan().resources, vec![r]);
    }

    #[test]
    fn a_snapshot_listing_one_resource_twice_is_refused_where_the_second_is() {
        let text = format!(
            "{{\"schema_version\": 1, \"scopes_read\": [],\n \"resources\": [{RECORD},\n{RECORD}]}}"
        );
        let e = read(&text).unwrap_err().to_string();
        assert!(
            e.contains("dns_record `example.com/www.example.com/A` is listed twice")
                && e.contains("live.json:"),
            "{e}"
        );
        // The same when the first one was settled (and not kept).
        let mut declared = vec![crate::pipeline::DeclaredResource::compact_record(
            0,
            serde_json::from_str(RECORD).unwrap(),
            "dns/example.com.yaml:3",
        )];
        let mut settle = Settle::new(&mut declared);
        let e = live_of_snapshot(
            text.as_bytes(),
            Path::new("live.json"),
            &normalize::SecretPolicy::default(),
            Some(&mut settle),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("is listed twice"), "{e}");
    }

    #[test]
    fn a_settled_resource_is_counted_not_kept_and_the_others_are_kept_as_before() {
        let other = RECORD
            .replace("www", "api")
            .replace("192.0.2.1", "192.0.2.2");
        let text = format!(
            r#"{{"schema_version": 1, "scopes_read": ["dns_record:example.com"], "resources": [{RECORD}, {other}]}}"#
        );
        let declare = |rec: &str, ttl: &str| {
            crate::pipeline::DeclaredResource::compact_record(
                0,
                serde_json::from_str(&rec.replace("300", ttl)).unwrap(),
                "dns/example.com.yaml:3",
            )
        };
        // www is declared as it is live; api with another TTL.
        let mut declared = vec![declare(RECORD, "300"), declare(&other, "60")];
        let mut settle = Settle::new(&mut declared);
        let live = live_of_snapshot(
            text.as_bytes(),
            Path::new("live.json"),
            &normalize::SecretPolicy::default(),
            Some(&mut settle),
        )
        .unwrap();
        assert_eq!((live.len(), live.settled), (1, 1));
        assert!(
            live.entry(
                driftgate_model::Kind::DnsRecord,
                "example.com/api.example.com/A"
            )
            .is_some()
        );
        assert!(declared[0].compact.as_ref().unwrap().settled);
        assert!(!declared[1].compact.as_ref().unwrap().settled);
        // Without settling, both are kept.
        let whole = read(&text).unwrap();
        assert_eq!((whole.len(), whole.settled), (2, 0));
    }

    #[test]
    fn a_streamed_snapshot_is_refused_as_the_whole_one_was() {
        let err = |t: &str| read(t).unwrap_err().to_string();
        let e = err(r#"{"schema_version": 1, "scopes_read": [], "resources": [], "extra": 1}"#);
        assert!(
            e.contains("unknown field `extra`") && e.contains("live.json:1:"),
            "{e}"
        );
        let e =
            err(r#"{"schema_version": 1, "scopes_read": [], "resources": [], "resources": []}"#);
        assert!(e.contains("duplicate field `resources`"), "{e}");
        let e = err(r#"{"schema_version": 1, "resources": []}"#);
        assert!(e.contains("missing field `scopes_read`"), "{e}");
        let e = err(r#"{"schema_version": 2, "scopes_read": [], "resources": []}"#);
        assert!(e.contains("schema version 2 is not supported"), "{e}");
        let e = err(
            r#"{"schema_version": 1, "scopes_read": [], "resources": [{"kind": "dns_record"}]}"#,
        );
        assert!(e.contains("missing field `id`"), "{e}");
        let e = err(r#"{"schema_version": 1, "scopes_read": [], "resources": []} trailing"#);
        assert!(e.contains("trailing characters"), "{e}");
        let e = err(
            r#"{"schema_version": 1, "scopes_read": [], "resources": [{"kind": "dns_record", "id": "a/b/A", "spec": 7}]}"#,
        );
        assert!(e.contains("live dns_record a/b/A"), "{e}");
    }
}
