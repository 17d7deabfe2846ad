//! The JSON report, schema version 1 (see design.md).

use super::{Render, Report, Style};
use std::io::{self, Write};

pub struct Json;

impl Render for Json {
    fn render(&self, report: &Report, _style: Style, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)
    }
}
