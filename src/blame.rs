//! `check --blame`: who changed each drifted resource. The cloud side from
//! CloudTrail (write events naming the resource since its declared value was
//! committed), the Git side from `git blame` of the declared line.

use crate::config::Config;
use crate::report::Report;
use driftgate_aws::cloudtrail::CloudTrail;
use driftgate_aws::sdk_config;
use driftgate_model::{Blame, Commit, Kind, State};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// How far back CloudTrail is searched when no commit says since when: its
/// event history keeps 90 days.
const LOOK_BACK_SECS: i64 = 90 * 86_400;

/// The resource name CloudTrail knows a finding's resource by, and the
/// event source that writes it; or why there is none.
fn trail_key(kind: Kind, id: &str) -> Result<(String, &'static str), String> {
    match kind {
        Kind::EcsService => Ok((
            id.rsplit('/').next().unwrap_or(id).to_owned(),
            "ecs.amazonaws.com",
        )),
        Kind::FirewallRule if id.starts_with("vpc-") => Ok((
            id.split('/').nth(1).unwrap_or_default().to_owned(),
            "ec2.amazonaws.com",
        )),
        Kind::FirewallRule => Err("no audit log lookup for GCP firewall rules yet".into()),
        Kind::DnsRecord => Err("no audit log lookup for DNS records yet".into()),
    }
}

/// The commit that last set line `line` of `file` (relative to `root`).
///
/// # Errors
/// Not a git work tree, or git failed.
pub fn git_blame(root: &Path, file: &str, line: usize) -> Result<(Commit, i64), String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "blame",
            "--porcelain",
            "-L",
            &format!("{line},{line}"),
            "--",
            file,
        ])
        .output()
        .map_err(|e| format!("git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git blame: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let hash = lines
        .next()
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_default()
        .to_owned();
    let mut author = String::new();
    let mut time = 0i64;
    let mut subject = String::new();
    for l in lines {
        if let Some(v) = l.strip_prefix("author ") {
            author = v.to_owned();
        } else if let Some(v) = l.strip_prefix("author-time ") {
            time = v.parse().unwrap_or(0);
        } else if let Some(v) = l.strip_prefix("summary ") {
            subject = v.to_owned();
        }
    }
    if hash.chars().all(|c| c == '0') {
        return Err("the declared line is not committed yet".into());
    }
    let date = driftgate_aws::cloudtrail::rfc3339(time);
    Ok((
        Commit {
            hash,
            author,
            date,
            subject,
        },
        time,
    ))
}

/// Adds who-changed-it to every changed, missing and unmanaged finding.
pub async fn blame(config: &Config, report: &mut Report) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let mut trails: BTreeMap<(String, Option<String>), CloudTrail> = BTreeMap::new();
    for f in &mut report.findings {
        if !matches!(f.state, State::Changed | State::Missing | State::Unmanaged) {
            continue;
        }
        let mut b = Blame::default();
        let mut since = now - LOOK_BACK_SECS;
        if let Some((file, line)) = f.declared_at.as_deref().and_then(|a| a.rsplit_once(':')) {
            match git_blame(&config.root, file, line.parse().unwrap_or(1)) {
                Ok((commit, time)) => {
                    since = since.max(time);
                    b.commit = Some(commit);
                }
                Err(e) => b.notes.push(e),
            }
        }
        match trail_key(f.kind, &f.id) {
            Ok((resource, source)) => {
                let aws = config
                    .scopes
                    .iter()
                    .find(|s| s.name == f.scope)
                    .and_then(|s| s.aws.clone());
                let Some(aws) = aws else {
                    b.notes.push("the scope has no AWS target".into());
                    f.blame = Some(b);
                    continue;
                };
                // CloudTrail is regional: the region the id names, else
                // every region of the scope.
                let regions = match crate::config::region_of_target(crate::diff::scope_of(&f.id)) {
                    Some(r) => vec![Some(r.to_owned())],
                    None => aws.region_list(),
                };
                for region in regions {
                    let key = (f.scope.clone(), region.clone());
                    if !trails.contains_key(&key) {
                        let sdk = sdk_config(&aws.target(region.clone())).await;
                        trails.insert(key.clone(), CloudTrail::new(&sdk));
                    }
                    match trails[&key].events(&resource, source, since).await {
                        Ok(events) => b.events.extend(events),
                        Err(e) => b.notes.push(match &region {
                            Some(r) if aws.multi_region() => format!("CloudTrail {r}: {e}"),
                            _ => format!("CloudTrail: {e}"),
                        }),
                    }
                }
                b.events.sort_by(|x, y| y.time.cmp(&x.time));
            }
            Err(why) => b.notes.push(why),
        }
        f.blame = Some(b);
    }
}

/// The blame of a finding as short lines, for the human formats.
#[must_use]
pub fn lines(b: &Blame) -> Vec<String> {
    let mut out: Vec<String> = b
        .events
        .iter()
        .take(3)
        .map(|e| {
            format!(
                "changed by {} via {} at {}{}",
                e.principal,
                e.call,
                e.time,
                if e.console { " (console)" } else { "" }
            )
        })
        .collect();
    if b.events.len() > 3 {
        out.push(format!("... and {} more events", b.events.len() - 3));
    }
    if let Some(c) = &b.commit {
        out.push(format!(
            "declared in {} by {} on {}: {}",
            &c.hash[..c.hash.len().min(8)],
            c.author,
            c.date,
            c.subject
        ));
    }
    out
}
