//! One resource, as a provider read it or a declared file states it.

use crate::{Kind, Unchecked};
use serde::{Deserialize, Serialize};

/// A resource in the common model.
///
/// `spec` holds the resource's settings in the cloud API's own field names
/// (for ECS: the `CreateService` shape with the task definition inline under
/// `taskDefinition`), so that what users paste from CLI output and what
/// providers read share one shape. Providers fill `spec` with what they read;
/// the root crate normalizes it per kind before diffing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    pub kind: Kind,
    /// Stable id, unique per kind (see [`Kind`] for each scheme).
    pub id: String,
    pub spec: serde_json::Value,
}

/// Version of the snapshot file layout written by `driftgate snapshot`.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// The live state of every target of a scan, as `driftgate snapshot` writes it
/// and `driftgate check --live` reads it. Secret values in it are already
/// masked as digests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub schema_version: u32,
    /// Every scope that was read, each as `<kind>:<scope>` (for ECS: `ecs_service:<cluster>`).
    pub scopes_read: Vec<String>,
    pub resources: Vec<Resource>,
    /// What could not be read; a snapshot with entries here is incomplete.
    #[serde(default)]
    pub unchecked: Vec<Unchecked>,
}
