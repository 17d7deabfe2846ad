//! Maps the parsed command line to a command, and errors to exit code 2 with
//! one rendering of the error chain.

use crate::cli::{Cli, Command};
use crate::commands::{self, ExitStatus};
use crate::report::Style;
use std::io::IsTerminal;

/// Runs the command; drift is a result, not an error.
///
/// # Errors
/// Anything that stops the command: it exits 2.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    // One thread for every task: a scan waits on the network and on the
    // clouds' rate limits, never on a core, and its many requests (accounts,
    // regions, zones at once) interleave on one thread as well as on two.
    // Memory freed by the declared read (on this thread) is then reused by
    // the scan instead of sitting in another thread's heap beside the
    // scan's: a 10,000-record zone checked against Route53 peaked at 63 MiB
    // with two worker threads, 46 MiB with this one (BENCHMARKS.md).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let stdout = std::io::stdout();
    let style = Style {
        color: stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    // Buffered: a report of 100,000 findings is many small writes.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let status = runtime.block_on(async {
        match cli.command {
            Command::Check {
                config,
                format,
                live,
                scopes,
                timeout,
                outputs,
                fail_on,
                shard,
                blame,
                suggest,
                all,
            } => {
                commands::check::run(
                    commands::check::Args {
                        config,
                        format,
                        live,
                        scopes,
                        timeout,
                        style,
                        outputs,
                        fail_on,
                        shard,
                        blame,
                        suggest,
                        all,
                    },
                    &mut out,
                )
                .await
            }
            Command::Snapshot {
                config,
                output,
                scopes,
                timeout,
            } => {
                commands::snapshot::run(
                    commands::snapshot::Args {
                        config,
                        output,
                        scopes,
                        timeout,
                    },
                    &mut out,
                )
                .await
            }
            Command::Merge {
                reports,
                format,
                fail_on,
                all,
            } => commands::merge::run(&reports, format, fail_on, all, style, &mut out),
            Command::Files { config, scopes } => {
                commands::files::run(&config, &scopes, &mut out).await
            }
            Command::Completions { shell } => {
                let mut cmd = <Cli as clap::CommandFactory>::command();
                clap_complete::generate(shell, &mut cmd, "driftgate", &mut out);
                Ok(ExitStatus::InSync)
            }
            Command::Man => {
                let cmd = <Cli as clap::CommandFactory>::command();
                std::io::Write::write_all(&mut out, crate::man::page(&cmd).as_bytes())?;
                Ok(ExitStatus::InSync)
            }
            Command::Adopt {
                config,
                live,
                scopes,
                timeout,
                resources,
                dry_run,
            } => {
                commands::adopt::run(
                    commands::adopt::Args {
                        config,
                        live,
                        scopes,
                        timeout,
                        resources,
                        dry_run,
                    },
                    &mut out,
                )
                .await
            }
            Command::Import {
                config,
                live,
                force,
                scopes,
                timeout,
            } => {
                commands::import::run(commands::import::Args {
                    config,
                    live,
                    force,
                    scopes,
                    timeout,
                })
                .await
            }
        }
    })?;
    std::io::Write::flush(&mut out)?;
    Ok(status)
}

/// Renders an error chain on stderr: the error, its causes, and a hint.
pub fn report_error(err: &anyhow::Error) {
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    let text = format!("{err:#}");
    if text.contains("driftgate.toml") && text.contains("cannot read the config file") {
        eprintln!("hint: run driftgate from the repository root, or pass --config PATH");
    }
}

/// Whether an error is a closed stdout (`driftgate check | head`).
#[must_use]
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
