//! `driftgate files`: how every declared file is read. Which format took
//! it and why, what it gave, or why it was skipped; nothing is scanned.

use super::ExitStatus;
use crate::config::Config;
use crate::pipeline;
use comfy_table::{ContentArrangement, Table, presets};
use std::io::Write;
use std::path::Path;

/// Reads the declared files and prints how each was read.
///
/// # Errors
/// Bad config or declared files (every bad file is named).
pub async fn run(
    config: &Path,
    scopes: &[String],
    out: &mut dyn Write,
) -> anyhow::Result<ExitStatus> {
    let mut config = Config::load(config)?;
    pipeline::select(&mut config, scopes)?;
    crate::declared::terraform::source::fetch(&mut config).await?;
    let loaded = pipeline::load_declared(&config, false)?;
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec!["SCOPE", "FILE", "READ AS", "WHY", "GAVE"]);
    if t.width().is_none() {
        t.set_width(200);
    }
    for f in &loaded.files {
        t.add_row(vec![
            f.scope.clone(),
            f.file.clone(),
            f.format.unwrap_or("-").to_owned(),
            f.why.clone(),
            f.outcome.clone(),
        ]);
    }
    writeln!(out, "{t}")?;
    let skipped = loaded
        .files
        .iter()
        .filter(|f| f.outcome.starts_with("skipped"))
        .count();
    writeln!(
        out,
        "{} read, {} skipped; {} declared",
        super::count(loaded.files.len() - skipped, "file"),
        skipped,
        super::count(loaded.resources.len(), "resource")
    )?;
    for n in &loaded.notes {
        if !n.contains("; skipped") {
            writeln!(out, "note: {n}")?;
        }
    }
    Ok(ExitStatus::InSync)
}
