//! `driftgate adopt`: rewrite the declared files of drifted resources to match
//! live, so a ClickOps change goes through review as a pull request.

use super::{ExitStatus, explain_incomplete};
use crate::adopt;
use crate::config::Config;
use crate::pipeline;
use std::io::Write;
use std::path::PathBuf;
use wildmatch::WildMatch;

pub struct Args {
    pub config: PathBuf,
    pub live: Option<PathBuf>,
    pub scopes: Vec<String>,
    /// `--timeout`: overrides `[scan] timeout`.
    pub timeout: Option<std::time::Duration>,
    /// Globs over resource ids; none means every drifted resource.
    pub resources: Vec<String>,
    /// Print the patch, write nothing.
    pub dry_run: bool,
}

/// Plans, verifies and writes the adoption; prints the patch on `out`.
///
/// # Errors
/// Bad config or declared files, a bad snapshot, a write error.
pub async fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let mut config = Config::load(&args.config)?;
    if let Some(t) = args.timeout {
        config.timeout = t;
    }
    pipeline::select(&mut config, &args.scopes)?;
    crate::declared::terraform::source::fetch(&mut config).await?;
    let declared = super::declared(&config, true)?;
    let live = pipeline::live_state(&config, args.live.as_deref()).await?;
    if !live.complete() {
        explain_incomplete(&live.unchecked);
        eprintln!("error: the scan is incomplete; nothing was adopted");
        return Ok(ExitStatus::Error);
    }
    let report = pipeline::check(
        &config,
        declared,
        &crate::diff::Live::from_scan(live.clone())?,
    )?;
    let globs: Vec<WildMatch> = args.resources.iter().map(|g| WildMatch::new(g)).collect();
    // A --resource that matches nothing in scope is a mistake to say out
    // loud (a typo would otherwise look like "nothing to adopt").
    let unmatched: Vec<&String> = args
        .resources
        .iter()
        .zip(&globs)
        .filter(|(_, g)| !report.findings.iter().any(|f| g.matches(&f.id)))
        .map(|(r, _)| r)
        .collect();
    if !unmatched.is_empty() {
        for r in &unmatched {
            eprintln!("error: --resource `{r}` matches no resource in scope");
        }
        let drifted: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.state.is_drift())
            .map(|f| f.id.as_str())
            .take(10)
            .collect();
        if !drifted.is_empty() {
            eprintln!("hint: drifted resources: {}", drifted.join(", "));
        }
        return Ok(ExitStatus::Error);
    }
    let select =
        |f: &driftgate_model::Finding| globs.is_empty() || globs.iter().any(|g| g.matches(&f.id));
    let plan = adopt::plan_verified(&config, &report, &live, &select)?;
    write!(out, "{}", plan.patch(&config.root))?;
    out.flush()?;
    for (k, why) in &plan.refused {
        eprintln!("not adopted: {} {}: {why}", k.kind, k.id);
    }
    for (k, fields) in &plan.partial {
        for (_, why) in fields {
            eprintln!("partly adopted: {} {}: {why}", k.kind, k.id);
        }
    }
    if !args.dry_run {
        for (path, (_, after)) in &plan.files {
            match after {
                Some(text) => {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    crate::write_atomically(path, text.as_bytes())?;
                }
                None => std::fs::remove_file(path)?,
            }
        }
    }
    let verb = if args.dry_run {
        "would adopt"
    } else {
        "adopted"
    };
    for k in plan.adopted.keys() {
        eprintln!("{verb} {} {}", k.kind, k.id);
    }
    if plan.adopted.is_empty() && plan.refused.is_empty() {
        eprintln!("nothing to adopt: no drifted resource matches");
    } else {
        eprintln!(
            "{verb} {} in {}; {} not adopted{}",
            super::count(plan.adopted.len(), "resource"),
            super::count(plan.files.len(), "file"),
            plan.refused.len(),
            if args.dry_run || plan.adopted.is_empty() {
                ""
            } else {
                ". Review with `git diff`, then commit"
            }
        );
    }
    Ok(if plan.refused.is_empty() && plan.partial.is_empty() {
        ExitStatus::InSync
    } else {
        ExitStatus::Error
    })
}
