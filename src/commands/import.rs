//! `driftgate import`: live state -> native YAML declared files.

use super::{ExitStatus, explain_incomplete};
use crate::config::Config;
use crate::pipeline;
use driftgate_model::{Kind, Resource};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub struct Args {
    pub config: PathBuf,
    pub live: Option<PathBuf>,
    pub force: bool,
    pub scopes: Vec<String>,
    /// `--timeout`: overrides `[scan] timeout`.
    pub timeout: Option<std::time::Duration>,
}

/// Writes one file per live resource not declared yet. Nothing is written
/// when the scan is incomplete or any target file exists (unless `--force`).
///
/// # Errors
/// Bad config or declared files, a write error.
pub async fn run(args: Args) -> anyhow::Result<ExitStatus> {
    let mut config = Config::load(&args.config)?;
    if let Some(t) = args.timeout {
        config.timeout = t;
    }
    pipeline::select(&mut config, &args.scopes)?;
    let declared = super::declared(&config, true)?;
    let live = pipeline::live_state(&config, args.live.as_deref()).await?;
    if !live.complete() {
        explain_incomplete(&live.unchecked);
        eprintln!("error: the scan is incomplete; nothing was imported");
        return Ok(ExitStatus::Error);
    }
    let unread = pipeline::unread_scopes(&config, &live);
    if !unread.is_empty() {
        anyhow::bail!(
            "clusters not in the live state: {}; nothing was imported",
            unread.join(", ")
        );
    }
    let known: BTreeSet<(Kind, &str)> = declared
        .iter()
        .map(|d| (d.resource.kind, d.resource.id.as_str()))
        .collect();
    let mut plan = Vec::new();
    for scope in &config.scopes {
        for kind in crate::kinds::KINDS {
            let undeclared: Vec<&Resource> = live
                .resources
                .iter()
                .filter(|r| {
                    r.kind == kind.kind()
                        && !known.contains(&(r.kind, r.id.as_str()))
                        && !kind.provider_owned(&r.id)
                })
                .collect();
            for (path, text) in kind.import(scope, &undeclared)? {
                if path.exists() && !args.force {
                    anyhow::bail!(
                        "{} exists; pass --force to overwrite. Nothing was imported",
                        path.display()
                    );
                }
                plan.push((path, text));
            }
        }
    }
    let already = live
        .resources
        .iter()
        .filter(|r| known.contains(&(r.kind, r.id.as_str())))
        .count();
    if already > 0 {
        eprintln!(
            "skipped {} already declared",
            super::count(already, "live resource")
        );
    }
    for (path, text) in &plan {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::write_atomically(path, text.as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    eprintln!("imported {}", super::count(plan.len(), "file"));
    Ok(ExitStatus::InSync)
}
