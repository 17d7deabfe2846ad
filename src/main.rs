//! The driftgate binary: parse flags, run, map the result to an exit code.

use clap::Parser;
use driftgate::cli::Cli;
use driftgate::run::{is_broken_pipe, report_error, run};
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: allocation-heavy stages (reading and
/// normalizing 100,000 declared and live resources) run markedly faster.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option: how long a freed page is kept before
/// it goes back to the system. Its default, 10 ms, kept pages freed while
/// a check settles and diffs (declared trees, parsed pages) resident at its
/// end: a 10,000-set zone check peaked at 36 MiB, 28 MiB purging at once;
/// 100,000 record sets offline, 101-121 MiB (varying run to run with the
/// timing of purges), 94 MiB at once, for 0.1 s more of system time
/// (BENCHMARKS.md, "Update 2026-12-01 (third session)").
///
/// libmimalloc-sys names no constant for it: in mimalloc.h (v2, pinned by
/// Cargo.lock) it is the option after `mi_option_eager_commit_delay`.
/// Re-check that order when libmimalloc-sys is updated.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_eager_commit_delay + 1;

/// Freed pages go back to the system at once ([`PURGE_DELAY`] 0).
#[allow(unsafe_code)]
fn purge_at_once() {
    // SAFETY: an integer option of the allocator, set first thing in main,
    // before any other thread exists (mi_option_set is not thread safe).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

fn main() -> ExitCode {
    purge_at_once();
    driftgate_model::http::tls();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e);
            ExitCode::from(2)
        }
    }
}
