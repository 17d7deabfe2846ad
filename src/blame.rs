//! `check --blame`: who changed each drifted resource. The cloud side from
//! its audit log (AWS CloudTrail, the Azure Activity Log, GCP's Cloud Audit
//! Logs: write events naming the resource since its declared value was
//! committed), the Git side from `git blame` of the declared line.

use crate::config::Config;
use crate::kinds::AuditLookup;
use crate::report::Report;
use driftgate_aws::cloudtrail::CloudTrail;
use driftgate_aws::sdk_config;
use driftgate_model::Cloud;
use driftgate_model::{Blame, Commit, Kind, State};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// How far back CloudTrail is searched when no commit says since when: its
/// event history keeps 90 days.
const LOOK_BACK_SECS: i64 = 90 * 86_400;

/// How the audit log knows a finding's resource; or why there is no lookup.
fn lookup(kind: Kind, id: &str, cloud: Option<Cloud>) -> Result<AuditLookup, String> {
    let Some(cloud) = cloud else {
        return Err("the resource is not a target of its scope: no audit log to ask".into());
    };
    crate::kinds::rules(kind).audit(id, cloud)
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
    let mut trails: BTreeMap<(String, Option<String>), (CloudTrail, driftgate_aws::SdkConfig)> =
        BTreeMap::new();
    let mut clients = Clients::default();
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
        let scope = config.scopes.iter().find(|s| s.name == f.scope);
        if let (Some(cloud @ (Cloud::Azure | Cloud::Gcp)), Some(scope)) = (f.cloud, scope) {
            match crate::kinds::rules(f.kind).cloud_audit(&f.id, scope, cloud) {
                Ok(audit) => other_cloud(&mut clients, scope, audit, since, now, &mut b).await,
                Err(why) => b.notes.push(why),
            }
            f.blame = Some(Box::new(b));
            continue;
        }
        let target = crate::diff::scope_of(&f.id);
        let zone = crate::config::bare(target);
        match lookup(f.kind, &f.id, f.cloud) {
            Ok(l) => {
                let Some(aws) = scope.and_then(|s| s.aws.clone()) else {
                    b.notes.push("the scope has no AWS target".into());
                    f.blame = Some(Box::new(b));
                    continue;
                };
                // CloudTrail is regional: the region the id names, else
                // every region of the scope; Route53's are in us-east-1.
                let regions = if l.global {
                    vec![Some("us-east-1".to_owned())]
                } else {
                    match crate::config::region_of_target(target) {
                        Some(r) => vec![Some(r.to_owned())],
                        None => aws.region_list(),
                    }
                };
                for region in regions {
                    let key = (f.scope.clone(), region.clone());
                    if !trails.contains_key(&key) {
                        let sdk = sdk_config(&aws.target(region.clone())).await;
                        trails.insert(key.clone(), (CloudTrail::new(&sdk), sdk));
                    }
                    let (trail, sdk) = &trails[&key];
                    let names = if f.kind == Kind::DnsRecord {
                        match driftgate_aws::route53::zone_ids(sdk, zone).await {
                            Ok(ids) if !ids.is_empty() => ids,
                            Ok(_) => {
                                b.notes.push(format!("Route53 has no zone `{zone}`"));
                                continue;
                            }
                            Err(e) => {
                                b.notes.push(format!("Route53: {e}"));
                                continue;
                            }
                        }
                    } else {
                        l.names.clone()
                    };
                    for name in names {
                        match trail.events(&name, l.source, since, &*l.matches).await {
                            Ok(events) => b.events.extend(events),
                            Err(e) => b.notes.push(match &region {
                                Some(r) if aws.multi_region() => format!("CloudTrail {r}: {e}"),
                                _ => format!("CloudTrail: {e}"),
                            }),
                        }
                    }
                }
                b.events.sort_by(|x, y| y.time.cmp(&x.time));
                if b.events.is_empty() && b.notes.is_empty() {
                    b.notes.push(format!(
                        "CloudTrail has no write event naming it since {} (older than that, or a change CloudTrail does not log)",
                        driftgate_model::rfc3339(since)
                    ));
                }
            }
            Err(why) => b.notes.push(why),
        }
        f.blame = Some(Box::new(b));
    }
}

/// The tokens of the other clouds' audit logs, made on first use.
#[derive(Default)]
struct Clients {
    azure: Option<std::sync::Arc<dyn driftgate_azure::TokenSource>>,
    gcp: Option<std::sync::Arc<dyn driftgate_gcp::TokenSource>>,
}

/// The Azure Activity Log's or Cloud Audit Logs' events of one resource.
async fn other_cloud(
    clients: &mut Clients,
    scope: &crate::config::Scope,
    audit: crate::kinds::CloudAudit,
    since: i64,
    now: i64,
    b: &mut Blame,
) {
    let from = driftgate_model::rfc3339(since);
    match audit {
        crate::kinds::CloudAudit::Azure { resource_uri } => {
            let Some(az) = &scope.azure else { return };
            let token = clients
                .azure
                .get_or_insert_with(|| match std::env::var("DRIFTGATE_AZURE_TOKEN") {
                    Ok(t) if !t.is_empty() => std::sync::Arc::new(driftgate_azure::StaticToken(t)),
                    _ => std::sync::Arc::new(driftgate_azure::IdentityChain::from_env()),
                })
                .clone();
            let endpoint = az
                .endpoint
                .as_deref()
                .unwrap_or(driftgate_azure::dns::ARM_ENDPOINT);
            match driftgate_azure::activity::events(
                endpoint,
                token.as_ref(),
                &az.subscription,
                &resource_uri,
                &from,
                &driftgate_model::rfc3339(now),
            )
            .await
            {
                Ok(events) => b.events.extend(events),
                Err(e) => b.notes.push(format!("Activity Log: {e}")),
            }
            if b.events.is_empty() && b.notes.is_empty() {
                b.notes.push(format!(
                    "the Activity Log has no write to it since {from} (it keeps 90 days)"
                ));
            }
        }
        crate::kinds::CloudAudit::Gcp {
            projects,
            filter,
            matches,
        } => {
            let Some(g) = &scope.gcp else { return };
            let token = clients
                .gcp
                .get_or_insert_with(|| match std::env::var("DRIFTGATE_GCP_TOKEN") {
                    Ok(t) if !t.is_empty() => std::sync::Arc::new(driftgate_gcp::StaticToken(t)),
                    _ => std::sync::Arc::new(driftgate_gcp::Adc::for_scope(
                        driftgate_gcp::audit::LOGGING_SCOPE,
                    )),
                })
                .clone();
            let endpoint = g
                .logging_endpoint
                .as_deref()
                .unwrap_or(driftgate_gcp::audit::LOGGING_ENDPOINT);
            for p in &projects {
                match driftgate_gcp::audit::events(
                    endpoint,
                    token.as_ref(),
                    p,
                    &filter,
                    &from,
                    &*matches,
                )
                .await
                {
                    Ok((events, cut)) => {
                        b.events.extend(events);
                        if cut {
                            b.notes.push(format!(
                                "Cloud Audit Logs of {p}: only the newest entries were read"
                            ));
                        }
                    }
                    Err(e) => b.notes.push(format!("Cloud Audit Logs of {p}: {e}")),
                }
            }
            b.events.sort_by(|x, y| y.time.cmp(&x.time));
            if b.events.is_empty() && b.notes.is_empty() {
                b.notes.push(format!(
                    "Cloud Audit Logs have no Admin Activity entry for it since {from}"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups_keep_only_events_that_touched_this_very_resource() {
        let l = lookup(Kind::EcsService, "prod@eu-west-1/api", Some(Cloud::Aws)).unwrap();
        assert_eq!(l.names, vec!["api"]);
        assert!((l.matches)(
            &json!({"requestParameters": {"cluster": "prod", "service": "api"}})
        ));
        assert!((l.matches)(
            &json!({"requestParameters": {"cluster": "arn:aws:ecs:eu-west-1:1:cluster/prod"}})
        ));
        assert!(!(l.matches)(
            &json!({"requestParameters": {"cluster": "sandbox"}})
        ));
        let l = lookup(
            Kind::DnsRecord,
            "example.com/a.example.com/A/blue",
            Some(Cloud::Aws),
        )
        .unwrap();
        assert!(l.global);
        let change = |name: &str, set: Option<&str>| {
            json!({"requestParameters": {"changeBatch": {"changes": [
                {"resourceRecordSet": {"name": name, "type": "A", "setIdentifier": set}}]}}})
        };
        assert!((l.matches)(&change("A.example.com.", Some("blue"))));
        assert!(!(l.matches)(&change("a.example.com.", Some("green"))));
        assert!(!(l.matches)(&change("a.example.com.", None)));
        assert!(
            lookup(
                Kind::DnsRecord,
                "example.org/a.example.org/A",
                Some(Cloud::Azure)
            )
            .is_err()
        );
    }
}
