//! One module per subcommand. Each returns an [`ExitStatus`].

pub mod adopt;
pub mod check;
pub mod files;
pub mod import;
pub mod merge;
pub mod snapshot;

/// The gate's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// In sync, or drift only in advisory scopes.
    InSync,
    /// Drift in an enforced scope.
    Drift,
    /// An error, or an incomplete scan.
    Error,
}

impl ExitStatus {
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::InSync => 0,
            ExitStatus::Drift => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Says on stderr why a scan was incomplete, one line per unread item.
pub fn explain_incomplete(unchecked: &[driftgate_model::Unchecked]) {
    let mut hints = std::collections::BTreeSet::new();
    for u in unchecked {
        eprintln!("error: could not read {} {}: {}", u.kind, u.id, u.error);
        let h = u.error.hint();
        if !h.is_empty() {
            hints.insert(h);
        }
    }
    for h in hints {
        eprintln!("hint: {h}");
    }
}

/// Reads the declared files and shows on stderr what reading them noticed.
///
/// # Errors
/// The first bad file, at its place.
pub fn declared(
    config: &crate::config::Config,
    create_missing: bool,
) -> Result<Vec<crate::pipeline::DeclaredResource>, crate::error::InputError> {
    let loaded = crate::pipeline::load_declared(config, create_missing)?;
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    Ok(loaded.resources)
}

/// The declared resources as `check` reads them ([`crate::pipeline::load_declared_compact`]),
/// notes on stderr.
///
/// # Errors
/// A bad declared file.
pub fn declared_compact(
    config: &crate::config::Config,
) -> Result<Vec<crate::pipeline::DeclaredResource>, crate::error::InputError> {
    let loaded = crate::pipeline::load_declared_compact(config)?;
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    Ok(loaded.resources)
}

/// `1 resource`, `2 resources`.
#[must_use]
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
