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
    /// When the scan started (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub generated_at: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub driftgate_version: String,
    /// The config file it scanned, as given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub config: String,
    /// Where it looked: cloud, account and region / project / subscription.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<crate::provider::Target>,
    /// How long the scan took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
}

/// Now as RFC 3339 in UTC, to the second: `2026-11-30T07:00:00Z`.
#[must_use]
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    rfc3339(secs)
}

/// Seconds since the Unix epoch as RFC 3339 in UTC.
#[must_use]
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` back to seconds since the Unix epoch.
#[must_use]
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn parse_is_the_inverse() {
        for t in [0, 951_782_400, 1_796_022_000, 1_796_022_059] {
            assert_eq!(super::parse_rfc3339(&super::rfc3339(t)), Some(t));
        }
        assert_eq!(super::parse_rfc3339("2026-13-01T00:00:00Z"), None);
        assert_eq!(super::parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_796_022_000), "2026-11-30T07:00:00Z");
    }
}
