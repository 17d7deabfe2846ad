//! `driftgate check`: the gate.

use super::{ExitStatus, explain_incomplete};
use crate::config::Config;
use crate::pipeline;
use crate::report::{Format, Style, renderer};
use std::io::Write;
use std::path::PathBuf;

pub struct Args {
    pub config: PathBuf,
    pub format: Format,
    pub live: Option<PathBuf>,
    pub scopes: Vec<String>,
    /// `--timeout`: overrides `[scan] timeout`.
    pub timeout: Option<std::time::Duration>,
    pub style: Style,
    /// More formats, each to a file.
    pub outputs: Vec<(Format, PathBuf)>,
    pub fail_on: Vec<driftgate_model::State>,
    pub shard: Option<pipeline::Shard>,
    pub blame: bool,
    pub suggest: bool,
    /// `--all`: list in-sync resources too.
    pub all: bool,
}

/// Runs a check and prints the report on `out`.
///
/// # Errors
/// Bad config or declared files, a bad snapshot, a write error.
pub async fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let clock = pipeline::Clock::start();
    let mut config = Config::load(&args.config)?;
    if let Some(t) = args.timeout {
        config.timeout = t;
    }
    pipeline::select(&mut config, &args.scopes)?;
    crate::declared::terraform::source::fetch(&mut config).await?;
    let mut declared = super::declared_compact(&config)?;
    // Adoption re-reads every declared file, which only the whole config
    // can (a shard's config names none of the other shards' clusters).
    let whole_config = config.clone();
    if let Some(shard) = args.shard {
        pipeline::shard(&mut config, &mut declared, shard);
    }
    // The live side is read once the declared side is: each live resource
    // is settled against its declaration as it is read (diff::settle), so
    // that the two sides of what is in sync are never all held at once (a
    // snapshot is parsed as it is read). Not with --suggest, which reads
    // both sides of everything again.
    let mut settle = (!args.suggest).then(|| crate::diff::settle::Settle::new(&mut declared));
    let live = pipeline::live_side(&config, args.live.as_deref(), settle.as_mut()).await?;
    drop(settle);
    let unchecked = live.unchecked.clone();
    let targets = live.targets.clone();
    let kept = args.suggest.then(|| {
        declared
            .iter()
            .cloned()
            .map(pipeline::DeclaredResource::expanded)
            .collect::<Vec<_>>()
    });
    let mut report = pipeline::check(&config, declared, &live)?;
    if let Some(declared) = kept {
        // The live specs parsed again, all of them: --suggest reads few,
        // but adopt's plan verifies against the whole live side.
        let live = live.to_scan();
        // Adopting is planned (and verified) on the pristine declared tree,
        // before the report gains anything.
        let plan = crate::adopt::plan_verified(&whole_config, &report, &live, &|_| true)?;
        let by_decl = declared
            .into_iter()
            .map(|d| {
                (
                    (
                        config.scopes[d.scope].name.clone(),
                        d.resource.kind,
                        d.resource.id.clone(),
                    ),
                    d.resource,
                )
            })
            .collect();
        let by_live = live
            .resources
            .into_iter()
            .map(|r| ((r.kind, r.id.clone()), r))
            .collect();
        crate::suggest::suggest(
            &config,
            &mut report.findings,
            &by_decl,
            &by_live,
            &plan,
            &config.root,
        );
    }
    report.fail_on = args.fail_on;
    report.list_all = args.all;
    report.generated_at = clock.started_at.clone();
    report.targets = targets;
    report.shard = args.shard.map(|s| s.to_string());
    if args.blame {
        crate::blame::blame(&config, &mut report).await;
    }
    report.config_file = config.path.file_name().map_or_else(
        || "driftgate.toml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    report.scope_lines = config
        .scopes
        .iter()
        .map(|s| (s.name.clone(), s.line))
        .collect();
    report.duration_seconds = Some(clock.seconds());
    // A rule that names nothing is a typo or a leftover: say so (only when
    // the whole config was checked; a --scope or --shard run sees a part).
    if args.scopes.is_empty() && args.shard.is_none() && report.complete {
        for rule in &config.ignore {
            let used = report
                .findings
                .iter()
                .any(|f| rule.matches_resource(f.kind, &f.id))
                || report
                    .ignored
                    .iter()
                    .any(|i| rule.matches_resource(i.kind, &i.id));
            if !used {
                eprintln!(
                    "warning: {}: the ignore rule for {} `{}` matches no resource in scope (a typo, or a resource that is gone?)",
                    rule.at, rule.kind, rule.resource
                );
            }
        }
    }
    for (format, path) in &args.outputs {
        let mut buf = Vec::new();
        renderer(*format).render(&report, Style::default(), &mut buf)?;
        crate::write_atomically(path, &buf)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    renderer(args.format).render(&report, args.style, out)?;
    out.flush()?;
    if !report.complete {
        explain_incomplete(&unchecked);
        if unchecked.is_empty() {
            eprintln!(
                "error: incomplete scan: {} unchecked",
                report.summary.unchecked
            );
        }
        return Ok(ExitStatus::Error);
    }
    Ok(if report.enforced_drift().is_empty() {
        ExitStatus::InSync
    } else {
        ExitStatus::Drift
    })
}
