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
    crate::declared::terraform::source::fetch(&mut config).await?;
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
    // Live sets a declaration stands for (an octoDNS dynamic record) are
    // its tool's, not to import.
    let claimed: Vec<(Kind, wildmatch::WildMatch)> = declared
        .iter()
        .filter_map(|d| d.claim.as_ref())
        .flat_map(|c| {
            c.globs
                .iter()
                .map(|g| (c.kind, wildmatch::WildMatch::new(g)))
        })
        .collect();
    let claimed = |r: &Resource| {
        claimed
            .iter()
            .any(|(k, g)| *k == r.kind && g.matches(&r.id))
    };
    let mut plan = Vec::new();
    for scope in &config.scopes {
        if scope.terraform.is_some() {
            // Its undeclared resources are Terraform's to import: native
            // files beside the state would declare them a second way.
            eprintln!(
                "note: scope `{}` is declared with Terraform: nothing imported into driftgate files (`driftgate check --suggest` gives an import block for each resource created by hand)",
                scope.name
            );
            continue;
        }
        for kind in crate::kinds::KINDS {
            let undeclared: Vec<&Resource> = live
                .resources
                .iter()
                .filter(|r| {
                    r.kind == kind.kind()
                        && !known.contains(&(r.kind, r.id.as_str()))
                        && !kind.provider_owned(&r.id)
                        && !claimed(r)
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
