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
    pub style: Style,
}

/// Runs a check and prints the report on `out`.
///
/// # Errors
/// Bad config or declared files, a bad snapshot, a write error.
pub async fn run(args: Args, out: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let mut config = Config::load(&args.config)?;
    pipeline::select(&mut config, &args.scopes)?;
    let declared = pipeline::load_declared(&config, false)?;
    let live = pipeline::live_state(&config, args.live.as_deref()).await?;
    let unchecked = live.unchecked.clone();
    let report = pipeline::check(&config, declared, live)?;
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
