//! Renderers: one per output format, all behind [`Render`].
//!
//! The [`Report`] is built once from the findings; each format only prints it.

pub mod annotations;
pub mod diff;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod openmetrics;
pub mod sarif;
pub mod table;

use crate::diff::Ignored;
use driftgate_model::{Finding, State, Summary};

fn default_config() -> String {
    "driftgate.toml".to_owned()
}

fn default_fail_on() -> Vec<State> {
    DEFAULT_FAIL_ON.to_vec()
}

/// The states that fail the gate unless `--fail-on` says otherwise.
/// (`unchecked` always fails, with exit 2.)
pub const DEFAULT_FAIL_ON: &[State] = &[State::Changed, State::Missing, State::Unmanaged];
use serde::Serialize;
use std::io::{self, Write};

/// Version of the JSON report's layout. Adding fields keeps it; renaming or
/// removing one is a new version.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// Everything a check found.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// False when anything in scope could not be read.
    pub complete: bool,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// Resources left out by whole-resource ignore rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<Ignored>,
    /// `I/N` when this report covers one shard of the targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Which drift states fail the gate (`--fail-on`).
    #[serde(skip, default = "default_fail_on")]
    pub fail_on: Vec<State>,
    /// The config file, and the line of each scope in it, for formats that
    /// point at a place (SARIF, for unmanaged resources). Kept in the JSON
    /// report, so that `merge` renders what `check` did.
    #[serde(rename = "config", default = "default_config")]
    pub config_file: String,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub scope_lines: std::collections::BTreeMap<String, usize>,
    /// When the run started (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub generated_at: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub driftgate_version: String,
    /// Where the scan looked: cloud, account and region / project /
    /// subscription (from the snapshot with `--live`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<driftgate_model::Target>,
    /// How long the run took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// The share of live resources in scope that are declared, in percent
    /// (in sync and changed against those plus unmanaged); none when
    /// nothing live was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_percent: Option<f64>,
    /// Whether a human-readable format lists in-sync resources (`--all`).
    #[serde(skip)]
    pub list_all: bool,
}

impl Report {
    #[must_use]
    pub fn new(findings: Vec<Finding>, ignored: Vec<Ignored>) -> Report {
        let summary = Summary::of(&findings);
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            complete: summary.unchecked == 0,
            summary,
            findings,
            ignored,
            shard: None,
            fail_on: DEFAULT_FAIL_ON.to_vec(),
            config_file: "driftgate.toml".to_owned(),
            scope_lines: std::collections::BTreeMap::new(),
            generated_at: String::new(),
            driftgate_version: env!("CARGO_PKG_VERSION").to_owned(),
            targets: Vec::new(),
            duration_seconds: None,
            coverage_percent: coverage(&summary),
            list_all: false,
        }
    }

    /// The findings a human-readable format lists: drift only (unless
    /// `--all`), the most severe first (unchecked, changed, missing,
    /// unmanaged), grouped by scope in the order of first appearance.
    #[must_use]
    pub fn listed(&self) -> Vec<&Finding> {
        self.listed_with(self.list_all)
    }

    fn listed_with(&self, all: bool) -> Vec<&Finding> {
        let mut scopes: Vec<&str> = Vec::new();
        for f in &self.findings {
            if !scopes.contains(&f.scope.as_str()) {
                scopes.push(&f.scope);
            }
        }
        let mut out: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| all || f.state != State::InSync)
            .collect();
        out.sort_by_key(|f| (scopes.iter().position(|s| *s == f.scope), severity(f.state)));
        out
    }

    /// Every finding, the most severe first, grouped by scope (the HTML
    /// report lists all and filters in the page).
    #[must_use]
    pub fn listed_all(&self) -> Vec<&Finding> {
        self.listed_with(true)
    }

    /// The line above a human-readable report: when, which config, which
    /// targets, how long.
    #[must_use]
    pub fn header(&self) -> Option<String> {
        if self.generated_at.is_empty() {
            return None;
        }
        let mut parts = vec![format!("driftgate {}", self.driftgate_version)];
        parts.push(self.generated_at.clone());
        parts.push(format!("config {}", self.config_file));
        if !self.targets.is_empty() {
            let mut t: Vec<String> = self
                .targets
                .iter()
                .map(driftgate_model::Target::label)
                .collect();
            t.dedup();
            parts.push(format!("targets: {}", t.join(", ")));
        }
        if let Some(d) = self.duration_seconds {
            parts.push(format!("took {d:.1} s"));
        }
        if let Some(c) = self.coverage_percent {
            parts.push(format!("{c:.0}% of live resources declared"));
        }
        Some(parts.join(" | "))
    }

    /// Whether a finding fails the gate: a drift state named in `--fail-on`,
    /// in an enforced scope.
    #[must_use]
    pub fn fails(&self, f: &Finding) -> bool {
        f.mode == "enforce" && self.fail_on.contains(&f.state)
    }

    /// The unified diff of one finding's two sides, without headers.
    #[must_use]
    pub fn diff_text(f: &Finding) -> String {
        let Some(sides) = &f.sides else {
            return String::new();
        };
        let (old, new) = sides.texts();
        similar::TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(3)
            .to_string()
    }

    /// Names of the enforced scopes with drift.
    #[must_use]
    pub fn enforced_drift(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .findings
            .iter()
            .filter(|f| self.fails(f))
            .map(|f| f.scope.as_str())
            .collect();
        out.dedup();
        out
    }

    /// The closing line every human-readable format ends with.
    #[must_use]
    pub fn verdict(&self) -> String {
        let s = &self.summary;
        let counts = format!(
            "{} in sync, {} changed, {} missing, {} unmanaged, {} unchecked",
            s.in_sync, s.changed, s.missing, s.unmanaged, s.unchecked
        );
        let drift = self.enforced_drift();
        if !self.complete {
            format!("{counts}: INCOMPLETE scan, drift unknown (exit 2)")
        } else if !drift.is_empty() {
            format!(
                "{counts}: drift in enforced scope {} (exit 1)",
                drift.join(", ")
            )
        } else if s.changed + s.missing + s.unmanaged > 0 {
            format!("{counts}: drift in advisory scopes only (exit 0)")
        } else {
            format!("{counts}: no drift (exit 0)")
        }
    }
}

/// Sort rank of a state: the most severe first.
#[must_use]
pub fn severity(state: State) -> u8 {
    match state {
        State::Unchecked => 0,
        State::Changed => 1,
        State::Missing => 2,
        State::Unmanaged => 3,
        State::InSync => 4,
    }
}

/// The share of live resources in scope that are declared, in percent.
fn coverage(s: &Summary) -> Option<f64> {
    let live = s.in_sync + s.changed + s.unmanaged;
    (live > 0).then(|| {
        let declared = (s.in_sync + s.changed) as f64;
        (declared * 1000.0 / live as f64).round() / 10.0
    })
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table with a summary line (comfy-table).
    Table,
    /// A unified diff per drifted resource.
    Diff,
    /// The versioned JSON report.
    Json,
    /// A pull request comment or job summary (GitHub-flavoured Markdown).
    Markdown,
    /// A JUnit XML test report: one test case per resource.
    Junit,
    /// SARIF 2.1.0 for code scanning, located at the declared file and line.
    Sarif,
    /// One self-contained HTML page: summary, chart, filterable list,
    /// side-by-side diffs.
    Html,
    /// OpenMetrics text for Prometheus (node_exporter's textfile collector).
    Openmetrics,
}

/// Options every renderer may honour.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

/// A renderer of one format.
pub trait Render {
    /// Writes the report.
    ///
    /// # Errors
    /// Only the writer's.
    fn render(&self, report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()>;
}

/// The renderer for a format.
#[must_use]
pub fn renderer(format: Format) -> Box<dyn Render> {
    match format {
        Format::Table => Box::new(table::Table),
        Format::Diff => Box::new(diff::Diff),
        Format::Json => Box::new(json::Json),
        Format::Markdown => Box::new(markdown::Markdown),
        Format::Junit => Box::new(junit::Junit),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Html => Box::new(html::Html),
        Format::Openmetrics => Box::new(openmetrics::OpenMetrics),
    }
}

#[cfg(test)]
mod tests {
    /// Data flows one way: renderers read findings, and never call back
    /// into the stages that make them (nor through them into a cloud crate).
    #[test]
    fn renderers_import_no_stage_and_no_cloud() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            // The code, without its tests (this very test names them).
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            for stage in [
                "crate::blame",
                "crate::suggest",
                "crate::adopt",
                "crate::pipeline",
                "crate::commands",
                "driftgate_aws",
                "driftgate_gcp",
                "driftgate_azure",
            ] {
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(!code.contains(stage), "{} uses {stage}", path.display());
            }
        }
    }
}
