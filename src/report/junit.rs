//! JUnit XML: one test suite per scope, one test case per resource. Drift
//! that fails the gate is a failure, drift that does not (advisory scopes,
//! states outside `--fail-on`) a passing case with its details in
//! `system-out`, unchecked an error. GitLab, Jenkins and most CI systems
//! read it.

use super::{Render, Report, Style};
use driftgate_model::State;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct Junit;

/// Text as XML (and HTML) content or attribute value; control characters
/// XML 1.0 cannot hold are dropped.
pub(super) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

impl Render for Junit {
    fn render(&self, report: &Report, _style: Style, out: &mut dyn Write) -> io::Result<()> {
        let mut scopes: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, f) in report.findings.iter().enumerate() {
            scopes.entry(f.scope.as_str()).or_default().push(i);
        }
        let failures = report.findings.iter().filter(|f| report.fails(f)).count();
        let errors = report.summary.unchecked;
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="driftgate" tests="{}" failures="{failures}" errors="{errors}">"#,
            report.findings.len()
        )?;
        for (scope, idx) in scopes {
            let f_count = idx
                .iter()
                .filter(|i| report.fails(&report.findings[**i]))
                .count();
            let e_count = idx
                .iter()
                .filter(|i| report.findings[**i].state == State::Unchecked)
                .count();
            writeln!(
                out,
                r#"  <testsuite name="{}" tests="{}" failures="{f_count}" errors="{e_count}">"#,
                xml(scope),
                idx.len()
            )?;
            for i in idx {
                let f = &report.findings[i];
                let mut detail = super::annotations::finding_lines(f);
                detail.extend(super::annotations::place_lines(f));
                if let Some(b) = &f.blame {
                    detail.extend(super::annotations::blame_lines(b));
                }
                if let Some(s) = &f.suggest {
                    detail.extend(super::annotations::suggestion_lines(s));
                }
                let detail = detail.join("\n");
                write!(
                    out,
                    r#"    <testcase classname="{}" name="{}""#,
                    xml(f.kind.as_str()),
                    xml(&f.id)
                )?;
                if f.state == State::InSync {
                    writeln!(out, "/>")?;
                    continue;
                }
                writeln!(out, ">")?;
                let message = format!("{} ({} scope)", f.state.as_str(), f.mode);
                if f.state == State::Unchecked {
                    writeln!(
                        out,
                        r#"      <error message="{}" type="unchecked">{}</error>"#,
                        xml(f.reason.as_deref().unwrap_or("not read")),
                        xml(&detail)
                    )?;
                } else if report.fails(f) {
                    writeln!(
                        out,
                        r#"      <failure message="{}" type="{}">{}</failure>"#,
                        xml(&message),
                        f.state.as_str(),
                        xml(&detail)
                    )?;
                } else {
                    writeln!(
                        out,
                        "      <system-out>{}\n{}</system-out>",
                        xml(&message),
                        xml(&detail)
                    )?;
                }
                writeln!(out, "    </testcase>")?;
            }
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}
