//! Raw command-line flags (clap derive). Validation happens in `run`.

use crate::report::Format;
use clap::ValueEnum;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let (f, p) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected FORMAT=PATH, e.g. junit=report.xml"))?;
    let format = Format::from_str(f, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        format!("`{f}` is not a format: {}", names.join(", "))
    })?;
    if p.is_empty() {
        return Err(format!("`{s}`: the path is empty"));
    }
    Ok((format, PathBuf::from(p)))
}

fn parse_state(s: &str) -> Result<driftgate_model::State, String> {
    use driftgate_model::State;
    match s.trim() {
        "changed" => Ok(State::Changed),
        "missing" => Ok(State::Missing),
        "unmanaged" => Ok(State::Unmanaged),
        other => Err(format!(
            "`{other}` is not a drift state: changed, missing or unmanaged"
        )),
    }
}

/// Finds ClickOps drift: what is live in the cloud against what Git declares.
///
/// Exit codes: 0 in sync (or drift only in advisory scopes), 1 drift in an
/// enforced scope, 2 error or incomplete scan.
#[derive(Debug, Parser)]
#[command(name = "driftgate", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan, diff against the declared files, report, and set the exit code
    ///
    /// Examples:
    ///   driftgate check
    ///   driftgate check --format diff --suggest
    ///   driftgate check --live live.json --format json > report.json
    ///   driftgate check --output junit=drift.xml --output sarif=drift.sarif
    #[command(verbatim_doc_comment)]
    Check {
        /// The config file.
        /// The config file.
        #[arg(long, short, default_value = "driftgate.toml")]
        config: PathBuf,
        /// Output format on stdout.
        #[arg(long, short, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Diff against a snapshot written by `driftgate snapshot` instead of
        /// reading the cloud: offline and reproducible.
        #[arg(long)]
        live: Option<PathBuf>,
        /// Check only these scopes (repeatable).
        /// Only these scopes (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// The scan's deadline (e.g. 300, 90s, 5m; default: `[scan] timeout`,
        /// else 5m): what is unread when it passes is unchecked, the report
        /// is still written, and the exit code is 2.
        #[arg(long, value_name = "DURATION", value_parser = crate::config::parse_duration)]
        timeout: Option<std::time::Duration>,
        /// Also write a format to a file (repeatable): `--output junit=report.xml`.
        #[arg(long = "output", short = 'o', value_name = "FORMAT=PATH", value_parser = parse_output)]
        outputs: Vec<(Format, PathBuf)>,
        /// Check only share I of N of the targets (`--shard 2/4`), for a CI
        /// matrix or an indexed job; `driftgate merge` joins the JSON reports.
        #[arg(long, value_name = "I/N")]
        shard: Option<crate::pipeline::Shard>,
        /// Name who changed each drifted resource: CloudTrail's write events
        /// (AWS) and the commit that last set the declared line.
        #[arg(long)]
        blame: bool,
        /// For each drifted resource, both ways out: the command that reverts
        /// live to Git (driftgate never runs it), and the `driftgate adopt`
        /// command with the patch it would write.
        #[arg(long)]
        suggest: bool,
        /// Drift states that fail the gate (exit 1), comma-separated.
        /// `unchecked` always fails, with exit 2.
        #[arg(long, value_delimiter = ',', default_value = "changed,missing,unmanaged", value_parser = parse_state)]
        fail_on: Vec<driftgate_model::State>,
        /// List in-sync resources too (the table and Markdown list drift
        /// only, and count in-sync resources in the summary).
        #[arg(long)]
        all: bool,
    },
    /// Write the normalized live state of every scope as JSON.
    Snapshot {
        /// The config file.
        #[arg(long, short, default_value = "driftgate.toml")]
        config: PathBuf,
        /// Where to write it; `-` for stdout.
        #[arg(long, short)]
        output: PathBuf,
        /// Only these scopes (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// The scan's deadline (e.g. 300, 90s, 5m; default: `[scan] timeout`,
        /// else 5m): what is unread when it passes is unchecked, the report
        /// is still written, and the exit code is 2.
        #[arg(long, value_name = "DURATION", value_parser = crate::config::parse_duration)]
        timeout: Option<std::time::Duration>,
    },
    /// Merge the JSON reports of `check --shard` runs into one report and
    /// one exit code.
    Merge {
        /// The JSON reports, one per shard.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Output format of the merged report on stdout.
        #[arg(long, short, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Drift states that fail the gate (exit 1), comma-separated.
        /// `unchecked` always fails, with exit 2.
        #[arg(long, value_delimiter = ',', default_value = "changed,missing,unmanaged", value_parser = parse_state)]
        fail_on: Vec<driftgate_model::State>,
        /// List in-sync resources too.
        #[arg(long)]
        all: bool,
    },
    /// Show how every declared file is read: the format that took it and
    /// why, what it declares, or why it was skipped. Reads no cloud.
    Files {
        /// The config file.
        #[arg(long, short, default_value = "driftgate.toml")]
        config: PathBuf,
        /// Only these scopes (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
    /// Print a shell completion script: `driftgate completions bash > /etc/bash_completion.d/driftgate`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `driftgate man > driftgate.1`.
    Man,
    /// Rewrite the declared files of drifted resources to match live
    ///
    /// The rest of each file is kept as it was, for review as a pull request.
    /// Changed fields are replaced in place, resources deleted by hand are
    /// removed from Git, resources created by hand are added. Every edit is
    /// verified (read again and checked) before anything is written.
    ///
    /// Examples:
    ///   driftgate adopt --resource 'prod/api'
    ///   driftgate adopt --dry-run > adopt.patch
    #[command(verbatim_doc_comment)]
    Adopt {
        /// The config file.
        #[arg(long, short, default_value = "driftgate.toml")]
        config: PathBuf,
        /// Adopt from a snapshot instead of reading the cloud.
        #[arg(long)]
        live: Option<PathBuf>,
        /// Only these scopes (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// The scan's deadline (e.g. 300, 90s, 5m; default: `[scan] timeout`,
        /// else 5m): what is unread when it passes is unchecked, the report
        /// is still written, and the exit code is 2.
        #[arg(long, value_name = "DURATION", value_parser = crate::config::parse_duration)]
        timeout: Option<std::time::Duration>,
        /// Only resources whose id matches this glob (repeatable).
        #[arg(long = "resource", value_name = "GLOB")]
        resources: Vec<String>,
        /// Print the patch; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write declared files (native YAML) for every live resource that is not
    /// declared yet, so a ClickOps setup moves to Git in one step.
    Import {
        /// The config file.
        #[arg(long, short, default_value = "driftgate.toml")]
        config: PathBuf,
        /// Import from a snapshot instead of reading the cloud.
        #[arg(long)]
        live: Option<PathBuf>,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
        /// Only these scopes (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// The scan's deadline (e.g. 300, 90s, 5m; default: `[scan] timeout`,
        /// else 5m): what is unread when it passes is unchecked, the report
        /// is still written, and the exit code is 2.
        #[arg(long, value_name = "DURATION", value_parser = crate::config::parse_duration)]
        timeout: Option<std::time::Duration>,
    },
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn every_flag_and_argument_has_help() {
        let cmd = Cli::command();
        for sub in cmd.get_subcommands() {
            assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
            for arg in sub.get_arguments() {
                if matches!(arg.get_id().as_str(), "help" | "version") {
                    continue;
                }
                assert!(
                    arg.get_help().is_some(),
                    "{} {} has no help text",
                    sub.get_name(),
                    arg.get_id()
                );
            }
        }
    }

    #[test]
    fn the_man_page_has_its_sections_and_no_page_that_does_not_exist() {
        let page = crate::man::page(&Cli::command());
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH COMMANDS",
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH FILES",
        ] {
            assert!(page.contains(section), "{section}");
        }
        for sub in ["check", "snapshot", "import", "adopt", "merge", "man"] {
            assert!(page.contains(&format!(".SS \"driftgate {sub}\"")), "{sub}");
        }
        // Every variable the code reads by name is listed: found in the
        // sources (`var("NAME")`), so a new one cannot go undocumented.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut names = std::collections::BTreeSet::new();
        for dir in ["src", "providers"] {
            for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                if e.path().extension().is_none_or(|x| x != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(e.path()).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for part in code
                    .split("var(\"")
                    .skip(1)
                    .chain(code.split("var_os(\"").skip(1))
                {
                    let name: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                        .collect();
                    if name.len() > 2 && part[name.len()..].starts_with('"') {
                        names.insert(name);
                    }
                }
            }
        }
        assert!(names.contains("DRIFTGATE_GCP_TOKEN"), "{names:?}");
        for var in &names {
            assert!(
                page.contains(var.as_str()),
                "{var} is read but not in ENVIRONMENT"
            );
        }
        // No page it points to is missing: it points to none.
        assert!(!page.contains("(1)"));
    }
}
