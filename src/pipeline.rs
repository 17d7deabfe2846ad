//! The stages every command shares, in the order data flows: declared files
//! in ([`crate::declared::load`]), live state in ([`crate::scan`]), both
//! normalized and diffed ([`crate::check`]), then reported. This module
//! names them in one place, and holds what cuts across them: choosing scopes
//! (`--scope`) and shards (`--shard`).

pub use crate::check::check;
pub use crate::declared::load::{
    DeclaredResource, Loaded, load_declared, load_declared_compact, zone_of_file,
};
pub use crate::scan::{
    Clock, live_side, live_state, read_snapshot, scan, snapshot_live, snapshot_of, snapshot_state,
    unread_scopes,
};

use crate::config::{Config, Scope as ConfigScope};
use driftgate_model::Kind;

/// One share of the targets: `--shard I/N` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}`: expected I/N with 1 <= I <= N, e.g. 2/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Keeps this shard's share of the config's targets (clusters, zones, VPCs,
/// networks), and only the declared resources that lie in them. Targets are
/// dealt out round-robin in sorted order, so the same config always shards
/// the same way, and the shards together cover every target exactly once.
pub fn shard(config: &mut Config, declared: &mut Vec<DeclaredResource>, shard: Shard) {
    let mut all: Vec<(Kind, String)> = config
        .scopes
        .iter()
        .flat_map(ConfigScope::targets)
        .collect();
    all.sort();
    // A VPC read in several regions is one target.
    all.dedup();
    let keep: std::collections::BTreeSet<(Kind, String)> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % shard.count == shard.index - 1)
        .map(|(_, t)| t)
        .collect();
    let kept = |k: Kind, t: &str| keep.contains(&(k, t.to_owned()));
    for s in &mut config.scopes {
        for cloud in crate::clouds::CLOUDS {
            cloud.retain(s, &kept);
        }
    }
    declared.retain(|d| kept(d.resource.kind, crate::diff::scope_of(&d.resource.id)));
}

/// Keeps only the scopes named with `--scope` (all when none are).
///
/// # Errors
/// A name that is no scope of the config.
pub fn select(config: &mut Config, names: &[String]) -> anyhow::Result<()> {
    for n in names {
        if !config.scopes.iter().any(|s| &s.name == n) {
            anyhow::bail!(
                "--scope {n}: no such scope in {} (scopes: {})",
                config.path.display(),
                config
                    .scopes
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if !names.is_empty() {
        config.scopes.retain(|s| names.contains(&s.name));
    }
    Ok(())
}
