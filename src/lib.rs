//! driftgate: ClickOps drift detection, as a library behind the binary.
//!
//! The pipeline, in the order data flows:
//! - [`config`]: `driftgate.toml` -> validated scopes and ignore rules.
//! - [`declared`]: files in Git -> model resources.
//! - providers (the `driftgate-aws` crate, behind the `Provider` trait of
//!   `driftgate-model`): the cloud -> model resources.
//! - [`normalize`]: secret masking and per-kind canonical forms.
//! - [`diff`]: declared x live -> one finding per resource.
//! - [`report`]: findings -> table, diff, JSON.
//! - [`blame`]: who changed it, from CloudTrail and `git blame`.
//! - [`commands`]: `check`, `snapshot`, `import`; [`pipeline`] holds the
//!   steps they share; [`run`] maps the command line to them.

pub mod adopt;
pub mod blame;
pub mod check;
pub mod cli;
pub mod clouds;
pub mod commands;
pub mod config;
pub mod declared;
pub mod diff;
pub mod error;
pub mod input;
pub mod kinds;
pub mod man;
pub mod normalize;
pub mod pipeline;
pub mod report;
pub mod run;
pub mod scan;
pub mod suggest;

use std::io::Write;
use std::path::Path;

/// Writes a file through a temporary sibling and a rename, so a reader never
/// sees half a file. The temporary file has a unique name (tempfile), so two
/// runs writing into one directory never clash.
///
/// # Errors
/// The file system's.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".driftgate-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
