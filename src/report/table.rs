//! The table report: one row per finding, then the verdict.

use super::{Render, Report, Style};
use crate::normalize::node::display;
use comfy_table::{Cell, Color, ContentArrangement, Table as Grid, presets};
use driftgate_model::State;
use std::io::{self, Write};

pub struct Table;

fn color(state: State) -> Color {
    match state {
        State::InSync => Color::Green,
        State::Changed | State::Missing => Color::Red,
        State::Unmanaged => Color::Yellow,
        State::Unchecked => Color::Magenta,
    }
}

/// What the detail column says about a finding.
fn detail(f: &driftgate_model::Finding) -> String {
    let mut lines: Vec<String> = f
        .changes
        .iter()
        .map(|c| {
            format!(
                "{}: {} -> {}",
                c.path,
                display(&c.declared),
                display(&c.live)
            )
        })
        .collect();
    match f.state {
        State::Missing => lines.push("declared, not live (deleted by hand?)".to_owned()),
        State::Unmanaged => lines.push("live, not declared (created by hand?)".to_owned()),
        _ => {}
    }
    if let Some(r) = &f.reason {
        lines.push(r.clone());
    }
    if !f.ignored.is_empty() {
        lines.push(format!("ignored: {}", f.ignored.join(", ")));
    }
    if let Some(b) = &f.blame {
        lines.extend(super::annotations::blame_lines(b));
    }
    if let Some(s) = &f.suggest {
        lines.extend(super::annotations::short_suggestion_lines(s));
    }
    if let Some(at) = &f.declared_at
        && f.state != State::InSync
    {
        lines.push(format!("at {at}"));
    }
    lines.join("\n")
}

impl Render for Table {
    fn render(&self, report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
        let mut t = Grid::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(vec!["SCOPE", "KIND", "ID", "STATE", "DETAIL"]);
        if !style.color {
            t.force_no_tty();
        }
        // Off a terminal (CI logs, files) there is no width to fit: use a
        // fixed one so long values wrap the same way everywhere.
        if t.width().is_none() {
            t.set_width(140);
        }
        for f in &report.findings {
            let mut state = Cell::new(f.state.as_str());
            if style.color {
                state = state.fg(color(f.state));
            }
            t.add_row(vec![
                Cell::new(format!("{} ({})", f.scope, f.mode)),
                Cell::new(f.kind.as_str()),
                Cell::new(&f.id),
                state,
                Cell::new(detail(f)),
            ]);
        }
        if report.findings.is_empty() {
            writeln!(out, "no resources in scope")?;
        } else {
            writeln!(out, "{t}")?;
        }
        for i in &report.ignored {
            writeln!(
                out,
                "ignored {} {} ({}): {}",
                i.kind, i.id, i.scope, i.reason
            )?;
        }
        writeln!(out, "{}", report.verdict())
    }
}
