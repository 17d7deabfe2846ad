//! Numbers as ECS takes them: integers written as strings, CPU in units or
//! vCPU, memory in MiB or GB.

use serde_json::Value;

/// An integer from a number or a numeric string.
#[must_use]
pub fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            #[allow(clippy::cast_possible_truncation)]
            (f.fract() == 0.0).then_some(f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn number_and_unit(s: &str) -> Option<(f64, String)> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    Some((n, unit.trim().to_lowercase()))
}

#[allow(clippy::cast_possible_truncation)]
pub(super) fn rounded(x: f64) -> Option<i64> {
    (x.is_finite() && x >= 0.0 && (x - x.round()).abs() < 1e-9).then(|| x.round() as i64)
}

/// Task CPU in units of 1/1024 vCPU.
#[must_use]
pub fn cpu_units(v: &Value) -> Option<i64> {
    if let Some(i) = as_int(v) {
        return Some(i);
    }
    let (n, unit) = number_and_unit(v.as_str()?)?;
    match unit.as_str() {
        "vcpu" | "vcpus" => rounded(n * 1024.0),
        "" => rounded(n),
        _ => None,
    }
}

/// Task memory in MiB.
#[must_use]
pub fn memory_mib(v: &Value) -> Option<i64> {
    if let Some(i) = as_int(v) {
        return Some(i);
    }
    let (n, unit) = number_and_unit(v.as_str()?)?;
    match unit.as_str() {
        "gb" | "gib" | "g" => rounded(n * 1024.0),
        "mb" | "mib" | "m" | "" => rounded(n),
        _ => None,
    }
}
