//! The table report: a header saying when, which config and where; the
//! drift, most severe first and grouped by scope (`--all`: every resource);
//! then the verdict.

use super::{Render, Report, Style};
use comfy_table::{
    Cell, Color, ColumnConstraint, ContentArrangement, Table as Grid, Width, presets,
};
use driftgate_model::{Finding, State};
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
fn detail(f: &Finding) -> String {
    let mut lines = super::annotations::finding_lines(f);
    if !f.ignored.is_empty() {
        lines.push(format!("ignored: {}", f.ignored.join(", ")));
    }
    if let Some(b) = &f.blame {
        lines.extend(super::annotations::blame_lines(b));
    }
    if let Some(s) = &f.suggest {
        lines.extend(super::annotations::short_suggestion_lines(s));
    }
    lines.extend(super::annotations::place_lines(f));
    lines.join("\n")
}

/// The verdict, coloured by outcome on a terminal.
pub fn painted_verdict(report: &Report, style: Style) -> String {
    let v = report.verdict();
    if !style.color {
        return v;
    }
    let code = if !report.complete {
        "1;35"
    } else if !report.enforced_drift().is_empty() {
        "1;31"
    } else if report.summary.changed + report.summary.missing + report.summary.unmanaged > 0 {
        "1;33"
    } else {
        "1;32"
    };
    format!("\x1b[{code}m{v}\x1b[0m")
}

impl Render for Table {
    fn render(&self, report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
        if let Some(h) = report.header() {
            writeln!(out, "{h}")?;
        }
        let rows = report.listed();
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
            t.set_width(200);
        }
        for f in &rows {
            let mut state = Cell::new(f.state.as_str());
            if style.color {
                state = state.fg(color(f.state));
            }
            let id = match &f.name {
                Some(n) => format!("{}\n({n})", f.id),
                None => f.id.clone(),
            };
            t.add_row(vec![
                Cell::new(format!("{} ({})", f.scope, f.mode)),
                Cell::new(f.kind.as_str()),
                Cell::new(id),
                state,
                Cell::new(detail(f)),
            ]);
        }
        // Ids are not broken mid-word while the table fits: the detail
        // column wraps first.
        let widest = rows
            .iter()
            .flat_map(|f| f.id.lines().chain(f.name.as_deref()))
            .map(str::len)
            .max()
            .unwrap_or(2)
            + 2;
        let total = t.width().unwrap_or(200) as usize;
        let others: usize = rows
            .iter()
            .map(|f| f.scope.len() + f.mode.len() + 3)
            .max()
            .unwrap_or(0)
            + rows
                .iter()
                .map(|f| f.kind.as_str().len())
                .max()
                .unwrap_or(0)
            + "unmanaged".len()
            + 16;
        if widest + others + 50 <= total
            && let Some(col) = t.column_mut(2)
        {
            col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(
                u16::try_from(widest).unwrap_or(u16::MAX),
            )));
        }
        if report.findings.is_empty() {
            writeln!(out, "no resources in scope")?;
        } else if rows.is_empty() {
            let n = report.summary.in_sync;
            writeln!(
                out,
                "no drift: {n} resource{} in sync (--all lists them)",
                if n == 1 { "" } else { "s" }
            )?;
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
        writeln!(out, "{}", painted_verdict(report, style))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftgate_model::Kind;

    fn finding(state: State, scope: &str, id: &str) -> Finding {
        Finding {
            scope: scope.into(),
            mode: "enforce".into(),
            kind: Kind::EcsService,
            id: id.into(),
            state,
            cloud: None,
            declared_at: None,
            address: None,
            changes: Vec::new(),
            ignored: Vec::new(),
            reason: None,
            what: None,
            name: None,
            declare_in: None,
            live_id: None,
            blame: None,
            suggest: None,
            sides: None,
        }
    }

    #[test]
    fn drift_first_most_severe_first_grouped_by_scope_and_the_verdict_in_colour() {
        let r = Report::new(
            vec![
                finding(State::InSync, "a", "c/ok"),
                finding(State::Unmanaged, "a", "c/new"),
                finding(State::Changed, "a", "c/edited"),
                finding(State::Unchecked, "b", "d/*"),
                finding(State::Missing, "a", "c/gone"),
            ],
            Vec::new(),
        );
        let ids: Vec<&str> = r.listed().iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, vec!["c/edited", "c/gone", "c/new", "d/*"]);
        let mut out = Vec::new();
        Table.render(&r, Style { color: true }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with("\x1b[1;35m1 in sync, 1 changed, 1 missing, 1 unmanaged, 1 unchecked: INCOMPLETE scan, drift unknown (exit 2)\x1b[0m\n"),
            "{text}"
        );
        let mut out = Vec::new();
        Table.render(&r, Style { color: false }, &mut out).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains('\x1b'));
    }
}
