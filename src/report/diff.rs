//! The diff report: a unified diff per drifted resource, declared against
//! live, in the values each side wrote.

use super::{Render, Report, Style};
use driftgate_model::{Sides, State};
use similar::TextDiff;
use std::io::{self, Write};

pub struct Diff;

impl Render for Diff {
    fn render(&self, report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
        for f in report.listed() {
            match f.state {
                State::InSync => continue,
                State::Unchecked => {
                    writeln!(
                        out,
                        "unchecked {} {} ({}): {}",
                        f.kind,
                        f.id,
                        f.scope,
                        f.reason.as_deref().unwrap_or("not read")
                    )?;
                    continue;
                }
                _ => {}
            }
            let (mut old, mut new) = f.sides.as_deref().map(Sides::texts).unwrap_or_default();
            // A resource whose fields are all in its id (a firewall rule
            // without a description) has no lines: it shows as what it is.
            if old.is_empty() && new.is_empty() {
                let what = format!("{}\n", f.what.as_deref().unwrap_or(&f.id));
                match f.state {
                    State::Missing => old = what,
                    State::Unmanaged => new = what,
                    _ => {}
                }
            }
            let from = format!(
                "declared {} {}{}",
                f.id,
                f.declared_at.as_deref().unwrap_or("(not declared)"),
                f.address
                    .as_deref()
                    .map(|a| format!(" ({a})"))
                    .unwrap_or_default()
            );
            let to = format!(
                "live {} {}{}",
                f.id,
                f.kind,
                if f.state == State::Missing {
                    " (not live)"
                } else {
                    ""
                }
            );
            let text = TextDiff::from_lines(&old, &new);
            let unified = text
                .unified_diff()
                .context_radius(3)
                .header(&from, &to)
                .to_string();
            for line in unified.lines() {
                let paint = |code: &str| format!("\x1b[{code}m{line}\x1b[0m");
                let shown = if !style.color {
                    line.to_owned()
                } else if line.starts_with("+++") || line.starts_with("---") {
                    paint("1")
                } else if line.starts_with('+') {
                    paint("32")
                } else if line.starts_with('-') {
                    paint("31")
                } else if line.starts_with("@@") {
                    paint("36")
                } else {
                    line.to_owned()
                };
                writeln!(out, "{shown}")?;
            }
            if let Some(w) = &f.what
                && f.sides.is_some()
            {
                writeln!(out, "# {}: {w}", f.state.as_str())?;
            }
            if let Some(d) = &f.declare_in {
                writeln!(out, "# declare in {d}")?;
            }
            if !f.ignored.is_empty() {
                writeln!(out, "# ignored by rule: {}", f.ignored.join(", "))?;
            }
            if let Some(b) = &f.blame {
                for l in super::annotations::blame_lines(b) {
                    writeln!(out, "# {l}")?;
                }
            }
            if let Some(s) = &f.suggest {
                for l in super::annotations::suggestion_lines(s) {
                    writeln!(out, "# {l}")?;
                }
                if let Some(p) = &s.patch {
                    for l in p.lines() {
                        writeln!(out, "#   {l}")?;
                    }
                }
            }
        }
        writeln!(out, "{}", report.verdict())
    }
}
