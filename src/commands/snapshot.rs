//! `driftgate snapshot`: the live state as JSON, for offline checks.

use super::{ExitStatus, explain_incomplete};
use crate::config::Config;
use crate::pipeline;
use std::io::Write;
use std::path::PathBuf;

pub struct Args {
    pub config: PathBuf,
    pub output: PathBuf,
    pub scopes: Vec<String>,
    /// `--timeout`: overrides `[scan] timeout`.
    pub timeout: Option<std::time::Duration>,
}

/// Scans and writes the snapshot. An incomplete scan is still written (its
/// `unchecked` list says what is missing, and a check against it exits 2),
/// and exits 2.
///
/// # Errors
/// Bad config, a write error.
pub async fn run(args: Args, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let clock = pipeline::Clock::start();
    let mut config = Config::load(&args.config)?;
    if let Some(t) = args.timeout {
        config.timeout = t;
    }
    pipeline::select(&mut config, &args.scopes)?;
    crate::declared::terraform::source::fetch(&mut config).await?;
    let live = pipeline::live_state(&config, None).await?;
    let complete = live.complete();
    let unchecked = live.unchecked.clone();
    let n = live.resources.len();
    let mut text = serde_json::to_string_pretty(&pipeline::snapshot_of(live, &config, &clock))?;
    text.push('\n');
    if args.output.as_os_str() == "-" {
        stdout.write_all(text.as_bytes())?;
    } else {
        crate::write_atomically(&args.output, text.as_bytes())?;
        eprintln!(
            "wrote {} ({})",
            args.output.display(),
            super::count(n, "resource")
        );
    }
    if complete {
        Ok(ExitStatus::InSync)
    } else {
        explain_incomplete(&unchecked);
        Ok(ExitStatus::Error)
    }
}
