//! Markdown for a pull request comment or a CI job summary: a summary
//! table, then one collapsible section per drifted or unchecked resource
//! with its diff.

use super::{Render, Report, Style};
use crate::normalize::node::display;
use driftgate_model::State;
use std::io::{self, Write};

pub struct Markdown;

fn icon(state: State) -> &'static str {
    match state {
        State::InSync => "✅",
        State::Changed => "✏️",
        State::Missing => "❌",
        State::Unmanaged => "➕",
        State::Unchecked => "⚠️",
    }
}

/// Escapes the characters Markdown table cells and HTML would read.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

impl Render for Markdown {
    fn render(&self, report: &Report, _style: Style, out: &mut dyn Write) -> io::Result<()> {
        let s = &report.summary;
        writeln!(out, "## driftgate: {}\n", esc(&report.verdict()))?;
        if let Some(h) = report.header() {
            writeln!(out, "{}\n", esc(&h))?;
        }
        writeln!(out, "| state | count |\n|---|---|")?;
        for state in State::ALL {
            writeln!(
                out,
                "| {} {} | {} |",
                icon(state),
                state.as_str(),
                s.get(state)
            )?;
        }
        writeln!(out)?;
        for f in report.listed() {
            if f.state == State::InSync {
                continue;
            }
            writeln!(
                out,
                "<details><summary>{} <code>{}</code> {} <b>{}</b> ({}, {})</summary>\n",
                icon(f.state),
                esc(f.kind.as_str()),
                esc(&f.id),
                f.state.as_str(),
                esc(&f.scope),
                f.mode
            )?;
            if let Some(w) = &f.what {
                writeln!(out, "{}\n", esc(w))?;
            }
            match (&f.declared_at, &f.address) {
                (Some(at), Some(a)) => writeln!(out, "Declared at `{at}` as `{a}`.\n")?,
                (Some(at), None) => writeln!(out, "Declared at `{at}`.\n")?,
                _ => {}
            }
            if let Some(d) = &f.declare_in {
                writeln!(out, "Its declaration would go in `{d}`.\n")?;
            }
            if let Some(r) = &f.reason {
                writeln!(out, "{}\n", esc(r))?;
            }
            if !f.changes.is_empty() {
                writeln!(out, "| field | declared | live | line |\n|---|---|---|---|")?;
                for c in &f.changes {
                    writeln!(
                        out,
                        "| `{}` | `{}` | `{}` | {} |",
                        esc(&c.path),
                        esc(&display(&c.declared)),
                        esc(&display(&c.live)),
                        c.at.as_deref().map(esc).unwrap_or_default()
                    )?;
                }
                writeln!(out)?;
            }
            let diff = Report::diff_text(f);
            if !diff.is_empty() {
                writeln!(out, "```diff\n{}```\n", diff.replace("```", "` ` `"))?;
            }
            if !f.ignored.is_empty() {
                writeln!(out, "Ignored by rule: {}\n", esc(&f.ignored.join(", ")))?;
            }
            if let Some(b) = &f.blame {
                for l in super::annotations::blame_lines(b) {
                    writeln!(out, "- {}", esc(&l))?;
                }
                writeln!(out)?;
            }
            if let Some(s) = &f.suggest {
                if !s.revert.is_empty() {
                    writeln!(
                        out,
                        "Revert live to Git (driftgate never runs this):\n\n```sh\n{}\n```\n",
                        s.revert.join("\n").replace("```", "` ` `")
                    )?;
                }
                if let Some(a) = &s.adopt {
                    writeln!(out, "Adopt live into Git: `{}`\n", esc(a))?;
                    if let Some(p) = &s.patch {
                        writeln!(out, "```diff\n{}```\n", p.replace("```", "` ` `"))?;
                    }
                }
                for n in &s.notes {
                    writeln!(out, "- {}", esc(n))?;
                }
                if !s.notes.is_empty() {
                    writeln!(out)?;
                }
            }
            writeln!(out, "</details>\n")?;
        }
        Ok(())
    }
}
