//! The HTML report (`--output html=drift.html`): one self-contained file
//! (styles and script inline; a Content-Security-Policy that forbids any
//! fetch, so opening it never touches the network), with the summary, a
//! chart of findings by scope and state, a filterable list, and each
//! drifted resource with its side-by-side diff, blame and both ways out.
//!
//! Findings are rendered here, in the HTML itself; the script only
//! filters (by text and by state, also from the address's `#state=...&q=...`,
//! so a link can point at a view) and says how many are shown.

use super::{Render, Report, Style};
use driftgate_model::{Finding, State};
use similar::{DiffTag, TextDiff};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct Html;

use super::junit::xml as esc;

fn state_color(s: State) -> &'static str {
    match s {
        State::InSync => "#2e7d32",
        State::Changed => "#c62828",
        State::Missing => "#ad1457",
        State::Unmanaged => "#ef6c00",
        State::Unchecked => "#6a1b9a",
    }
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em;color:#222}\
h1{font-size:1.4em;margin:.2em 0}.verdict{font-weight:600;padding:.4em .6em;border-radius:4px;color:#fff}\
.meta{color:#555}table{border-collapse:collapse}td,th{padding:.2em .6em;text-align:left}\
.summary td{border-bottom:1px solid #eee}.filters{margin:1em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center}\
.finding{border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;margin:.6em 0;padding:.4em .8em}\
.finding h3{margin:.2em 0;font-size:1em}.finding code{font-size:.95em}.state{font-weight:600}\
.sbs{width:100%;table-layout:fixed;font:12px/1.35 ui-monospace,monospace;margin:.4em 0}\
.sbs td{white-space:pre-wrap;word-break:break-all;vertical-align:top;border:1px solid #f0f0f0}\
.sbs th{background:#fafafa}.del{background:#ffebee}.ins{background:#e8f5e9}\
pre{background:#f7f7f7;padding:.5em;overflow-x:auto;font-size:12px}ul{margin:.3em 0}";

/// Filters the list by state and text; reads and writes `#state=..&q=..`.
const SCRIPT: &str = r#"(function(){
var q=document.getElementById('q'),boxes=[].slice.call(document.querySelectorAll('input[name=state]'));
var items=[].slice.call(document.querySelectorAll('.finding'));
function apply(){var on={};boxes.forEach(function(b){on[b.value]=b.checked});
var t=q.value.toLowerCase(),n=0;items.forEach(function(f){
var show=on[f.dataset.state]&&(!t||f.dataset.text.indexOf(t)>=0);f.hidden=!show;if(show)n++});
document.getElementById('shown').textContent='showing '+n+' of '+items.length;}
function fromHash(){var h=new URLSearchParams(location.hash.slice(1));
if(h.has('state')){var s=h.get('state').split(',');boxes.forEach(function(b){b.checked=s.indexOf(b.value)>=0})}
if(h.has('q'))q.value=h.get('q');apply();}
function toHash(){var s=boxes.filter(function(b){return b.checked}).map(function(b){return b.value});
history.replaceState(null,'','#state='+s.join(',')+(q.value?'&q='+encodeURIComponent(q.value):''));apply();}
q.addEventListener('input',toHash);boxes.forEach(function(b){b.addEventListener('change',toHash)});
window.addEventListener('hashchange',fromHash);fromHash();document.body.dataset.ready='1';})();"#;

/// A stacked bar per scope, one segment per state, as inline SVG.
fn chart(report: &Report) -> String {
    let mut by_scope: BTreeMap<&str, BTreeMap<State, usize>> = BTreeMap::new();
    for f in &report.findings {
        *by_scope
            .entry(f.scope.as_str())
            .or_default()
            .entry(f.state)
            .or_default() += 1;
    }
    let max = by_scope
        .values()
        .map(|m| m.values().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (label_w, bar_w, row_h) = (160.0, 600.0, 26.0);
    let height = row_h * by_scope.len() as f64 + 30.0;
    let mut svg = format!(
        r#"<svg id="chart" role="img" aria-label="findings by scope and state" width="{}" height="{height}" xmlns="http://www.w3.org/2000/svg">"#,
        label_w + bar_w + 80.0
    );
    for (row, (scope, states)) in by_scope.iter().enumerate() {
        let y = row as f64 * row_h;
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" font-size="12">{}</text>"#,
            y + 16.0,
            esc(scope)
        );
        let mut x = label_w;
        for state in State::ALL {
            let n = states.get(&state).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f64 / max as f64;
            let _ = write!(
                svg,
                r#"<rect class="bar" data-scope="{}" data-state="{}" x="{x:.1}" y="{}" width="{w:.1}" height="{}" fill="{}"><title>{}: {n} {}</title></rect>"#,
                esc(scope),
                state.as_str(),
                y + 4.0,
                row_h - 8.0,
                state_color(state),
                esc(scope),
                state.as_str()
            );
            x += w;
        }
        let total: usize = states.values().sum();
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" font-size="12">{total}</text>"#,
            x + 6.0,
            y + 16.0
        );
    }
    let y = row_h * by_scope.len() as f64 + 16.0;
    let mut x = label_w;
    for state in State::ALL {
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{y}" font-size="12">{}</text>"#,
            y - 9.0,
            state_color(state),
            x + 14.0,
            state.as_str()
        );
        x += 100.0;
    }
    svg.push_str("</svg>");
    svg
}

/// The two sides of a finding side by side: declared left, live right.
fn side_by_side(f: &Finding) -> String {
    let Some(sides) = &f.sides else {
        return String::new();
    };
    let (old, new) = sides.texts();
    let diff = TextDiff::from_lines(&old, &new);
    let (ol, nl): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut rows = String::new();
    for op in diff.ops() {
        let (tag, a, b) = op.as_tag_tuple();
        let (a, b) = (a.clone(), b.clone());
        let n = a.len().max(b.len());
        // Long runs of equal lines fold to three lines of context each side.
        let fold = tag == DiffTag::Equal && n > 8;
        for i in 0..n {
            if fold && (3..n - 3).contains(&i) {
                if i == 3 {
                    let _ = write!(
                        rows,
                        r#"<tr class="fold"><td colspan="2">… {} unchanged lines</td></tr>"#,
                        n - 6
                    );
                }
                continue;
            }
            let left = a.clone().nth(i).and_then(|j| ol.get(j)).copied();
            let right = b.clone().nth(i).and_then(|j| nl.get(j)).copied();
            let (lc, rc) = match tag {
                DiffTag::Equal => ("", ""),
                _ => ("del", "ins"),
            };
            let cell = |t: Option<&str>, class: &str| match t {
                Some(t) => format!(r#"<td class="{class}">{}</td>"#, esc(t)),
                None => "<td></td>".to_owned(),
            };
            let _ = write!(rows, "<tr>{}{}</tr>", cell(left, lc), cell(right, rc));
        }
    }
    format!(
        r#"<table class="sbs"><tr><th>declared {}{}</th><th>live</th></tr>{rows}</table>"#,
        esc(f.declared_at.as_deref().unwrap_or("(not declared)")),
        f.address
            .as_deref()
            .map(|a| format!(" ({})", esc(a)))
            .unwrap_or_default()
    )
}

fn finding(f: &Finding) -> String {
    let mut h = String::new();
    let text = format!(
        "{} {} {} {} {}",
        f.scope,
        f.kind,
        f.id,
        f.name.as_deref().unwrap_or_default(),
        f.what.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    let _ = write!(
        h,
        r#"<article class="finding" data-state="{}" data-scope="{}" data-kind="{}" data-id="{}" data-text="{}" style="border-left-color:{}">"#,
        f.state.as_str(),
        esc(&f.scope),
        f.kind.as_str(),
        esc(&f.id),
        esc(&text),
        state_color(f.state)
    );
    let _ = write!(
        h,
        r#"<h3><span class="state" style="color:{}">{}</span> <code>{}</code> {}{} <small>({} scope {})</small></h3>"#,
        state_color(f.state),
        f.state.as_str(),
        f.kind.as_str(),
        esc(&f.id),
        f.name
            .as_ref()
            .map(|n| format!(" <small>({})</small>", esc(n)))
            .unwrap_or_default(),
        f.mode,
        esc(&f.scope)
    );
    let mut items: Vec<String> = super::annotations::finding_lines(f);
    items.extend(super::annotations::place_lines(f));
    if !f.ignored.is_empty() {
        items.push(format!("ignored by rule: {}", f.ignored.join(", ")));
    }
    if !items.is_empty() {
        h.push_str("<ul class=\"detail\">");
        for i in items {
            let _ = write!(h, "<li>{}</li>", esc(&i));
        }
        h.push_str("</ul>");
    }
    if f.state.is_drift() {
        h.push_str(&side_by_side(f));
    }
    if let Some(b) = &f.blame {
        h.push_str("<p><b>Who changed it</b></p><ul class=\"blame\">");
        for l in super::annotations::blame_lines(b) {
            let _ = write!(h, "<li>{}</li>", esc(&l));
        }
        h.push_str("</ul>");
    }
    if let Some(s) = &f.suggest {
        if !s.revert.is_empty() {
            let _ = write!(
                h,
                "<p><b>Revert live to Git</b> (driftgate never runs this)</p><pre class=\"revert\">{}</pre>",
                esc(&s.revert.join("\n"))
            );
        }
        if let Some(a) = &s.adopt {
            let _ = write!(
                h,
                "<p><b>Adopt live into Git</b>: <code>{}</code></p>",
                esc(a)
            );
            if let Some(p) = &s.patch {
                let _ = write!(h, "<pre class=\"patch\">{}</pre>", esc(p));
            }
        }
        if !s.notes.is_empty() {
            h.push_str("<ul class=\"notes\">");
            for n in &s.notes {
                let _ = write!(h, "<li>{}</li>", esc(n));
            }
            h.push_str("</ul>");
        }
    }
    h.push_str("</article>");
    h
}

impl Render for Html {
    fn render(&self, report: &Report, _style: Style, out: &mut dyn Write) -> io::Result<()> {
        let verdict = report.verdict();
        let color = if !report.complete {
            state_color(State::Unchecked)
        } else if !report.enforced_drift().is_empty() {
            state_color(State::Changed)
        } else if report.summary.changed + report.summary.missing + report.summary.unmanaged > 0 {
            state_color(State::Unmanaged)
        } else {
            state_color(State::InSync)
        };
        let mut h = String::new();
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
        let _ = write!(h, "<title>driftgate: {}</title>", esc(&verdict));
        let _ = write!(h, "<style>{STYLE}</style></head><body>");
        let _ = write!(
            h,
            r#"<h1>driftgate</h1><p id="verdict" class="verdict" style="background:{color}">{}</p>"#,
            esc(&verdict)
        );
        if let Some(meta) = report.header() {
            let _ = write!(h, r#"<p id="meta" class="meta">{}</p>"#, esc(&meta));
        }
        h.push_str(
            r#"<table id="summary" class="summary"><tr><th>state</th><th>resources</th></tr>"#,
        );
        for state in State::ALL {
            let _ = write!(
                h,
                r#"<tr data-state="{0}"><td style="color:{1}">{0}</td><td>{2}</td></tr>"#,
                state.as_str(),
                state_color(state),
                report.summary.get(state)
            );
        }
        h.push_str("</table>");
        h.push_str(&chart(report));
        h.push_str(r#"<div class="filters"><input id="q" type="search" placeholder="filter: id, scope, kind" aria-label="filter">"#);
        for state in State::ALL {
            let checked = if state == State::InSync {
                ""
            } else {
                " checked"
            };
            let _ = write!(
                h,
                r#"<label><input type="checkbox" name="state" value="{0}"{checked}> {0}</label>"#,
                state.as_str()
            );
        }
        h.push_str(r#"<span id="shown"></span></div><section id="findings">"#);
        for f in report.listed_all() {
            h.push_str(&finding(f));
        }
        let _ = writeln!(h, "</section><script>{SCRIPT}</script></body></html>");
        out.write_all(h.as_bytes())
    }
}
