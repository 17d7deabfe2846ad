//! The OpenMetrics report: the text format Prometheus scrapes and
//! node_exporter's textfile collector reads (`--output openmetrics=drift.prom`),
//! for alerting on drift and on scans that stopped reading.
//!
//! Every (scope, kind) seen gets a sample for each state, zeros included,
//! so that an alert rule sees `0` rather than an absent series.

use super::{Render, Report, Style};
use driftgate_model::State;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct OpenMetrics;

/// A label value as the exposition formats escape it.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Render for OpenMetrics {
    fn render(&self, report: &Report, _style: Style, out: &mut dyn Write) -> io::Result<()> {
        let mut counts: BTreeMap<(&str, &str), BTreeMap<State, u64>> = BTreeMap::new();
        for f in &report.findings {
            *counts
                .entry((f.scope.as_str(), f.kind.as_str()))
                .or_default()
                .entry(f.state)
                .or_default() += 1;
        }
        writeln!(
            out,
            "# HELP driftgate_findings Resources in scope by state at the last run."
        )?;
        writeln!(out, "# TYPE driftgate_findings gauge")?;
        for ((scope, kind), by_state) in &counts {
            for state in State::ALL {
                writeln!(
                    out,
                    "driftgate_findings{{scope=\"{}\",kind=\"{}\",state=\"{}\"}} {}",
                    label(scope),
                    label(kind),
                    state.as_str(),
                    by_state.get(&state).copied().unwrap_or(0)
                )?;
            }
        }
        writeln!(
            out,
            "# HELP driftgate_scan_complete 1 when everything in scope was read, 0 when the scan is incomplete."
        )?;
        writeln!(out, "# TYPE driftgate_scan_complete gauge")?;
        writeln!(out, "driftgate_scan_complete {}", u8::from(report.complete))?;
        writeln!(
            out,
            "# HELP driftgate_drift 1 when drift fails the gate (an enforced scope), else 0."
        )?;
        writeln!(out, "# TYPE driftgate_drift gauge")?;
        writeln!(
            out,
            "driftgate_drift {}",
            u8::from(!report.enforced_drift().is_empty())
        )?;
        if let Some(t) = driftgate_model::parse_rfc3339(&report.generated_at) {
            writeln!(
                out,
                "# HELP driftgate_last_run_timestamp_seconds When the last run started (Unix time)."
            )?;
            writeln!(out, "# TYPE driftgate_last_run_timestamp_seconds gauge")?;
            writeln!(out, "# UNIT driftgate_last_run_timestamp_seconds seconds")?;
            writeln!(out, "driftgate_last_run_timestamp_seconds {t}")?;
        }
        if let Some(d) = report.duration_seconds {
            writeln!(
                out,
                "# HELP driftgate_scan_duration_seconds How long the last run took."
            )?;
            writeln!(out, "# TYPE driftgate_scan_duration_seconds gauge")?;
            writeln!(out, "# UNIT driftgate_scan_duration_seconds seconds")?;
            writeln!(out, "driftgate_scan_duration_seconds {d}")?;
        }
        writeln!(out, "# EOF")
    }
}
