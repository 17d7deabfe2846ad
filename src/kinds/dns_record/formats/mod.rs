//! DNS declared files: native driftgate YAML, one file per zone.
//!
//! ```yaml
//! kind: dns_zone
//! zone: example.com
//! ttl: 300                 # for records that state none
//! records:
//!   - {name: www, type: A, values: [192.0.2.10, 192.0.2.11]}
//!   - {name: "@", type: MX, values: ["10 mail.example.com."]}
//!   - {name: api, type: A, alias: {dnsName: lb-1.elb.amazonaws.com., hostedZoneId: Z35SXDOTRQ7X7K}}
//!   - {name: blue, type: A, setIdentifier: blue, weight: 90, value: 192.0.2.20}
//! ```
//!
//! Names are relative to the zone (`@` or empty for the apex) unless they end
//! in a dot. `value` is shorthand for a one-element `values`.

pub mod octodns;
pub mod octodns_config;
pub mod rfc1035;
pub mod terraform;

use crate::declared::Document;
use crate::error::InputError;
use crate::kinds::dns_record::normalize::{TYPES, normalize};
use crate::normalize::Mode;
use driftgate_model::dns::{absolute_name, canonical_name, record_id};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value, json};

pub use crate::declared::DeclaredRecord;

const RECORD_KEYS: &[&str] = &[
    "name",
    "type",
    "ttl",
    "value",
    "values",
    "alias",
    "setIdentifier",
    "weight",
    "region",
    "failover",
    "geoLocation",
    "multiValueAnswer",
    "healthCheckId",
    "routingPolicy",
];

/// Reads a native `kind: dns_zone` file. `zones` are the zones the scope manages.
///
/// # Errors
/// Unknown keys, wrong types, a zone not in scope, values that do not parse.
pub fn read_native(doc: &Document, zones: &[String]) -> Result<Vec<DeclaredRecord>, InputError> {
    read_native_as(doc, zones, false)
}

/// [`read_native`], each record made [`Compact`](crate::declared::load::Compact)
/// from the tree its check normalized (`check` reads zones this way: one
/// normalization a record, and no parsed spec kept).
///
/// # Errors
/// As [`read_native`].
pub fn read_native_as(
    doc: &Document,
    zones: &[String],
    compact: bool,
) -> Result<Vec<DeclaredRecord>, InputError> {
    let (zone, default_ttl) = header(doc, zones)?;
    let Some(records) = doc.value.get("records").and_then(Value::as_array) else {
        return Err(doc.error_at(&[], "a dns_zone file needs a `records:` list"));
    };
    let mut cursor = crate::declared::locate::Cursor::new(&doc.text);
    let records_line = cursor.seek(&["records".to_owned()]);
    // Each entry is located by its own item (`- ...`), never by its name:
    // names repeat (the apex's A, MX and TXT; weighted sets). A flow list
    // (`records: [...]`) has no item lines and falls back to the name.
    let items = crate::declared::locate::item_lines(&doc.text, records_line);
    let items = (items.len() == records.len()).then_some(items);
    let cx = EntryCx {
        doc,
        zone: &zone,
        default_ttl,
        compact,
    };
    let mut out = Vec::with_capacity(records.len());
    match items {
        // Entries located by their own lines are independent of each other:
        // a large zone's are read on two threads, each half in order, the
        // first error in the file's order reported as one thread would.
        Some(items) if records.len() >= PARALLEL_FROM => {
            let (a, b) = records.split_at(records.len() / 2);
            let read_half = |part: &[Value], from: usize| -> Result<Vec<_>, InputError> {
                part.iter()
                    .enumerate()
                    .map(|(j, rec)| read_entry(&cx, from + j, rec).map(|(r, c, _)| (r, c)))
                    .collect()
            };
            let (first, second) = std::thread::scope(|threads| {
                let second = threads.spawn(|| read_half(b, a.len()));
                let first = read_half(a, 0);
                (
                    first,
                    second
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                )
            });
            for (i, (resource, compact)) in first?.into_iter().chain(second?).enumerate() {
                out.push(DeclaredRecord {
                    compact,
                    address: None,
                    at: place(&doc.shown, items[i]),
                    resource,
                });
            }
        }
        items => {
            for (i, rec) in records.iter().enumerate() {
                let (resource, compact, key) = read_entry(&cx, i, rec)?;
                out.push(DeclaredRecord {
                    compact,
                    address: None,
                    // The cursor stands past `records:` already: seeking the
                    // entry's own key keeps the search linear (seeking
                    // `records` again would scan the rest of the file for
                    // every entry).
                    at: place(
                        &doc.shown,
                        items.as_ref().map_or_else(|| cursor.seek(&[key]), |l| l[i]),
                    ),
                    resource,
                });
            }
        }
    }
    Ok(out)
}

/// A native zone file's keys other than its records: the zone (canonical)
/// and the default TTL.
fn header(doc: &Document, zones: &[String]) -> Result<(String, Option<i64>), InputError> {
    let obj = doc.value.as_object().expect("a kind: file is an object");
    for k in obj.keys() {
        if !["kind", "zone", "ttl", "records"].contains(&k.as_str()) {
            return Err(doc.error_at(
                std::slice::from_ref(k),
                format!("unknown field `{k}`, expected one of `zone`, `ttl`, `records`"),
            ));
        }
    }
    let Some(zone) = obj.get("zone").and_then(Value::as_str) else {
        return Err(doc.error_at(&[], "a dns_zone file needs `zone: <name>`"));
    };
    let zone = canonical_name(zone);
    check_zone(doc, &zone, zones, &["zone".into()])?;
    let default_ttl =
        match obj.get("ttl") {
            None => None,
            Some(t) => Some(t.as_i64().ok_or_else(|| {
                doc.error_at(&["ttl".into()], "`ttl` must be a number of seconds")
            })?),
        };
    Ok((zone, default_ttl))
}

/// Files at least this large (about 4,000 entries) are offered to
/// [`read_large`] first.
pub const LARGE_FILE: u64 = 256 * 1024;

/// Entries parsed as one YAML document by [`read_large`].
const BATCH: usize = 1024;

/// A large native zone file read batch by batch, never as one parsed tree:
/// the header (every line before `records:`) is parsed alone, then the
/// entries a thousand at a time, on two threads, each made compact as it is
/// read. A 100,000-entry file otherwise holds the YAML parser's events for
/// the whole document (about 100 MB) and then its tree (about 40 MB).
///
/// Only for the plainest layout, where a batch of entries parses exactly as
/// it does inside the whole file: top-level keys `kind`, `zone`, `ttl` and
/// then `records:` as a block list that runs to the end of the file, no
/// template, no anchor or alias, no document marker. `None` for anything
/// else, or any batch that does not parse: the caller reads the file whole,
/// which gives that file's answer or its error exactly as before. Errors of
/// an entry (a bad value, an unknown field) are the whole reader's, at the
/// same place.
#[must_use]
pub fn read_large(
    path: &std::path::Path,
    shown: &str,
    zones: &[String],
    sink: &mut dyn FnMut(Large) -> Result<(), InputError>,
) -> Option<Result<usize, InputError>> {
    let text = crate::input::read_text(path, path).ok()?;
    crate::input::check_depth(&text, path).ok()?;
    if text.contains("{{") {
        return None;
    }
    // Top-level lines: keys of the header, then `records:` last.
    let mut records_line = None;
    for (i, l) in text.lines().enumerate() {
        if l.is_empty() || l.starts_with('#') || l.starts_with([' ', '\t']) {
            continue;
        }
        if l.starts_with(['-', '.', '%']) && records_line.is_none() {
            return None;
        }
        if records_line.is_some() {
            // Only the list's own items may stand at the key's indentation.
            if l.starts_with("- ") || l == "-" {
                continue;
            }
            return None;
        }
        let key = l.split(':').next().unwrap_or_default();
        match key {
            "kind" | "zone" | "ttl" => {}
            "records" if l.trim_end() == "records:" => records_line = Some(i + 1),
            _ => return None,
        }
    }
    let records_line = records_line?;
    let items = crate::declared::locate::item_lines(&text, records_line);
    // Every line after the first item belongs to an item.
    let offsets: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(o, _)| o + 1))
        .collect();
    let header_end = *offsets.get(records_line)?;
    let mut header_text = text[..header_end].to_owned();
    header_text.push_str("records: []\n");
    let header_value = crate::declared::parse_yaml(path, &header_text).ok()?;
    if header_value.get("kind").and_then(Value::as_str) != Some("dns_zone") {
        return None;
    }
    let doc = Document {
        path: path.to_owned(),
        shown: shown.to_owned(),
        value: header_value,
        text,
    };
    let (zone, default_ttl) = match header(&doc, zones) {
        Ok(h) => h,
        Err(e) => return Some(Err(e)),
    };
    if items.is_empty() {
        return None;
    }
    // Lines before the first item (comments, blank) and after the header.
    let gap = &doc.text[header_end..offsets[items[0] - 1]];
    if gap.lines().skip(1).any(|l| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    }) {
        return None;
    }
    let start_of = |k: usize| offsets[items[k] - 1];
    let batches: Vec<(usize, usize)> = (0..items.len())
        .step_by(BATCH)
        .map(|k| (k, (k + BATCH).min(items.len())))
        .collect();
    let cx = EntryCx {
        doc: &doc,
        zone: &zone,
        default_ttl,
        compact: true,
    };
    // A batch: its entries, or `None` when it does not parse as exactly
    // its entries (the whole file is then read instead).
    type Batch =
        Option<Result<Vec<(Resource, Option<Box<crate::declared::load::Compact>>)>, InputError>>;
    let read_batch = |&(from, to): &(usize, usize)| -> Batch {
        let end = if to < items.len() {
            start_of(to)
        } else {
            doc.text.len()
        };
        let slice = &doc.text[start_of(from)..end];
        if slice.contains('&') || slice.contains('*') || slice.contains("<<") {
            // Perhaps an anchor, an alias or a merge key: their meaning
            // crosses entries; the whole reader decides.
            return None;
        }
        let value = crate::declared::parse_yaml(path, slice).ok()?;
        let entries = value.as_array().filter(|a| a.len() == to - from)?;
        Some(
            entries
                .iter()
                .enumerate()
                .map(|(j, rec)| read_entry(&cx, from + j, rec).map(|(r, c, _)| (r, c)))
                .collect(),
        )
    };
    let at = |n: usize| place(&doc.shown, items[n]);
    if sink(Large::Expect(items.len())).is_err() {
        return None;
    }
    // Even batches here, odd ones on a second thread, handed over in order
    // through a channel of two: the records are added as they are read,
    // never all held beside the resources they become.
    std::thread::scope(|threads| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
        let odd: Vec<(usize, usize)> = batches.iter().skip(1).step_by(2).copied().collect();
        threads.spawn(move || {
            for batch in &odd {
                let read = read_batch(batch);
                let stop = !matches!(read, Some(Ok(_)));
                // A closed channel: the reader stopped; so does this.
                if tx.send(read).is_err() || stop {
                    break;
                }
            }
        });
        let mut n = 0;
        // An error adding (a set declared twice) is reported once every
        // entry is read: an entry's own error comes first, as read whole.
        let mut refused = None;
        for (j, batch) in batches.iter().enumerate() {
            let read = if j % 2 == 0 {
                read_batch(batch)
            } else {
                rx.recv().ok()?
            };
            let entries = match read? {
                Ok(entries) => entries,
                Err(e) => return Some(Err(e)),
            };
            let records: Vec<DeclaredRecord> = entries
                .into_iter()
                .map(|(resource, compact)| {
                    n += 1;
                    DeclaredRecord {
                        compact,
                        address: None,
                        at: at(n - 1),
                        resource,
                    }
                })
                .collect();
            if refused.is_none()
                && let Err(e) = sink(Large::Batch(records))
            {
                refused = Some(e);
            }
        }
        drop(rx);
        Some(match refused {
            Some(e) => Err(e),
            None if n == items.len() => Ok(n),
            None => return None,
        })
    })
}

/// What [`read_large`] hands its caller, in order.
pub enum Large {
    /// How many records will come, before the first.
    Expect(usize),
    /// The next batch of records, in the file's order.
    Batch(Vec<DeclaredRecord>),
}

/// How many entries a zone file has before its entries are read on two
/// threads (below it, a thread costs more than it saves).
const PARALLEL_FROM: usize = 4096;

/// What every entry of a native zone file is read against.
struct EntryCx<'a> {
    doc: &'a Document,
    zone: &'a str,
    default_ttl: Option<i64>,
    compact: bool,
}

/// One entry of a native zone file: the record set, compact if asked, and
/// the key it is found by where entries have no lines of their own.
fn read_entry(
    cx: &EntryCx<'_>,
    i: usize,
    rec: &Value,
) -> Result<
    (
        Resource,
        Option<Box<crate::declared::load::Compact>>,
        String,
    ),
    InputError,
> {
    let EntryCx {
        doc,
        zone,
        default_ttl,
        compact,
    } = *cx;
    let Some(r) = rec.as_object() else {
        return Err(doc.error_at(
            &["records".into()],
            format!("record {} is not a mapping", i + 1),
        ));
    };
    let name_text = match r.get("name") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => String::new(),
        Some(_) => {
            return Err(doc.error_at(&["records".into(), "name".into()], "`name` must be text"));
        }
    };
    let mut here: Vec<String> = vec![
        "records".into(),
        if name_text.is_empty() {
            "type".into()
        } else {
            name_text.clone()
        },
    ];
    for k in r.keys() {
        if !RECORD_KEYS.contains(&k.as_str()) {
            return Err(doc.error_at(
                &[here.clone(), vec![k.clone()]].concat(),
                format!("unknown field `{k}` in a record"),
            ));
        }
    }
    let rtype = r
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_uppercase)
        .unwrap_or_default();
    if !TYPES.contains(&rtype.as_str()) {
        return Err(doc.error_at(
            &here,
            format!("record type `{rtype}` is not one of {}", TYPES.join(", ")),
        ));
    }
    let mut spec = Map::new();
    let name = absolute_name(&name_text, zone);
    spec.insert("zone".into(), json!(zone));
    spec.insert("name".into(), json!(name));
    spec.insert("type".into(), json!(rtype));
    let values = match (r.get("value"), r.get("values")) {
        (Some(_), Some(_)) => {
            return Err(doc.error_at(&here, "give `value` or `values`, not both"));
        }
        (Some(v), None) => vec![v.clone()],
        (None, Some(Value::Array(vs))) => vs.clone(),
        (None, Some(_)) => return Err(doc.error_at(&here, "`values` must be a list")),
        (None, None) => Vec::new(),
    };
    let alias = r.get("alias").cloned();
    let routed = r.get("routingPolicy").is_some();
    if usize::from(!values.is_empty()) + usize::from(alias.is_some()) + usize::from(routed) != 1 {
        return Err(doc.error_at(
            &here,
            "a record needs one of `values` (or `value`), an `alias`, or a `routingPolicy` (Cloud DNS)",
        ));
    }
    if !values.is_empty() {
        spec.insert("values".into(), Value::Array(values));
    }
    if let Some(a) = alias {
        spec.insert("alias".into(), a);
    } else {
        let ttl = r
            .get("ttl")
            .cloned()
            .or_else(|| default_ttl.map(Value::from));
        let Some(ttl) = ttl else {
            return Err(doc.error_at(&here, "no `ttl`: give one here or a zone-wide `ttl:`"));
        };
        spec.insert("ttl".into(), ttl);
    }
    // The routing keys, taken as written (every record key from
    // `setIdentifier` on).
    for k in RECORD_KEYS.iter().skip_while(|k| **k != "setIdentifier") {
        if let Some(v) = r.get(*k) {
            spec.insert((*k).into(), v.clone());
        }
    }
    let set_id = spec
        .get("setIdentifier")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let resource = Resource {
        kind: Kind::DnsRecord,
        id: record_id(zone, &name, &rtype, set_id.as_deref()),
        spec: Value::Object(spec),
    };
    let node =
        normalize(&resource.spec, Mode::Strict).map_err(|e| doc.error_at(&here, e.to_string()))?;
    let (resource, compact) = if compact {
        let (r, c) = crate::declared::load::Compact::of(resource, node);
        (r, Some(c))
    } else {
        (resource, None)
    };
    let key = here.swap_remove(1);
    Ok((resource, compact, key))
}

/// `file:line`, in a string of exactly its length (a large zone's places
/// are held by the 100,000; `format!` leaves room for as many again).
fn place(file: &str, line: usize) -> String {
    let digits = line.checked_ilog10().map_or(1, |d| d as usize + 1);
    let mut at = String::with_capacity(file.len() + 1 + digits);
    at.push_str(file);
    at.push(':');
    let _ = std::fmt::Write::write_fmt(&mut at, format_args!("{line}"));
    at
}

#[cfg(test)]
#[test]
fn a_place_is_its_file_and_line_at_its_exact_length() {
    for (line, shown) in [
        (1, "z.yaml:1"),
        (9, "z.yaml:9"),
        (10, "z.yaml:10"),
        (100_000, "z.yaml:100000"),
    ] {
        let at = place("z.yaml", line);
        assert_eq!((at.as_str(), at.capacity()), (shown, shown.len()));
    }
}

/// An error unless `zone` is one of the scope's zones.
///
/// # Errors
/// The zone is not in scope.
pub fn check_zone(
    doc: &Document,
    zone: &str,
    zones: &[String],
    keys: &[String],
) -> Result<(), InputError> {
    if zones.iter().any(|z| canonical_name(z) == zone) {
        Ok(())
    } else {
        Err(doc.error_at(
            keys,
            format!(
                "zone `{zone}` is not in this scope's DNS zones ({})",
                if zones.is_empty() {
                    "none".to_owned()
                } else {
                    zones.join(", ")
                }
            ),
        ))
    }
}

/// The native YAML for the records of one zone, names relative to it.
#[must_use]
pub fn native_yaml(zone: &str, records: &[&Resource]) -> String {
    let list: Vec<Value> = records.iter().map(|r| native_record(zone, r)).collect();
    let doc = json!({"kind": "dns_zone", "zone": zone, "records": list});
    format!(
        "# Imported by `driftgate import` from live state.\n{}",
        serde_yaml_ng::to_string(&doc).unwrap_or_default()
    )
}

/// One live record set as an entry of a native zone file's `records:`.
#[must_use]
pub fn native_record(zone: &str, r: &Resource) -> Value {
    let s = &r.spec;
    let name = s["name"].as_str().unwrap_or_default();
    let rel = if name == zone {
        "@".to_owned()
    } else {
        name.strip_suffix(&format!(".{zone}"))
            .map_or_else(|| format!("{name}."), str::to_owned)
    };
    let mut m = Map::new();
    m.insert("name".into(), json!(rel));
    m.insert("type".into(), s["type"].clone());
    for k in [
        "ttl",
        "values",
        "alias",
        "setIdentifier",
        "weight",
        "region",
        "failover",
        "geoLocation",
        "multiValueAnswer",
        "healthCheckId",
        "routingPolicy",
    ] {
        if let Some(v) = s.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn doc(text: &str) -> Document {
        let path = PathBuf::from("infra/dns/example.com.yaml");
        Document {
            value: crate::declared::parse_yaml(&path, text).unwrap(),
            path,
            shown: "infra/dns/example.com.yaml".into(),
            text: text.into(),
        }
    }

    fn large(n: usize, bad: &[usize]) -> String {
        let mut t = String::from("kind: dns_zone\nzone: example.com\nttl: 300\nrecords:\n");
        for i in 0..n {
            let v = if bad.contains(&i) {
                "not-an-address".to_owned()
            } else {
                format!("10.0.{}.{}", i / 256, i % 256)
            };
            t.push_str(&format!("  - {{name: h{i}, type: A, value: {v}}}\n"));
        }
        t
    }

    #[test]
    fn a_large_zone_read_on_two_threads_is_read_as_one_thread_reads_it() {
        let n = PARALLEL_FROM + 10;
        let d = doc(&large(n, &[]));
        for compact in [false, true] {
            let out = read_native_as(&d, &["example.com".into()], compact).unwrap();
            assert_eq!(out.len(), n);
            for (i, r) in out.iter().enumerate() {
                assert_eq!(r.resource.id, format!("example.com/h{i}.example.com/A"));
                assert_eq!(r.at, format!("infra/dns/example.com.yaml:{}", i + 5));
                assert_eq!(r.compact.is_some(), compact);
            }
        }
        // The first bad entry in the file's order is the one reported,
        // whichever half (and thread) it is in.
        let second = n / 2 + 7;
        let e = read_native(&doc(&large(n, &[3, second])), &["example.com".into()]).unwrap_err();
        assert_eq!(e.line, 8, "{e}");
        let e = read_native(&doc(&large(n, &[second])), &["example.com".into()]).unwrap_err();
        assert_eq!(e.line, second + 5, "{e}");
        assert!(e.to_string().contains("not-an-address"), "{e}");
    }

    /// `read_large` on `text` (written to a file), beside the whole reader.
    #[allow(clippy::type_complexity)]
    fn both(
        text: &str,
    ) -> (
        Option<Result<Vec<DeclaredRecord>, InputError>>,
        Result<Vec<DeclaredRecord>, InputError>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("example.com.yaml");
        std::fs::write(&path, text).unwrap();
        let zones = ["example.com".to_owned()];
        let mut records = Vec::new();
        let large = read_large(&path, "infra/dns/example.com.yaml", &zones, &mut |step| {
            if let Large::Batch(b) = step {
                records.extend(b);
            }
            Ok(())
        })
        .map(|r| {
            r.map(|n| {
                assert_eq!(n, records.len());
                std::mem::take(&mut records)
            })
        });
        (large, read_native_as(&doc(text), &zones, true))
    }

    fn same(a: &[DeclaredRecord], b: &[DeclaredRecord]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert_eq!((&x.resource.id, &x.at), (&y.resource.id, &y.at));
            let (cx, cy) = (x.compact.as_ref().unwrap(), y.compact.as_ref().unwrap());
            assert_eq!(cx.node, cy.node);
            assert_eq!(cx.group, cy.group);
        }
    }

    #[test]
    fn a_large_zone_read_in_batches_is_what_the_whole_reader_reads() {
        // Batches of 1,024 entries on two threads; comments, block entries
        // of several lines, items at the key's indentation.
        let mut t = String::from(
            "# zone\nkind: dns_zone\nzone: example.com\nttl: 300\nrecords:\n  # first\n",
        );
        for i in 0..(3 * BATCH + 5) {
            if i % 7 == 0 {
                t.push_str(&format!("  - name: m{i}\n    type: MX\n    values:\n      - 10 mail.example.com.\n    # note\n"));
            } else {
                t.push_str(&format!(
                    "  - {{name: h{i}, type: A, value: 10.0.{}.{}}}   # entry\n",
                    i / 256,
                    i % 256
                ));
            }
        }
        let (large, whole) = both(&t);
        same(&large.expect("read in batches").unwrap(), &whole.unwrap());
        let flush = t.replace("\n  - ", "\n- ").replace("\n    ", "\n  ");
        let (large, whole) = both(&flush);
        same(
            &large.expect("items at the key's indentation").unwrap(),
            &whole.unwrap(),
        );
        let crlf = t.replace('\n', "\r\n");
        let (large, whole) = both(&crlf);
        same(&large.expect("CRLF line ends").unwrap(), &whole.unwrap());
        // An entry's error: the same place and words as the whole reader's,
        // the first in the file's order.
        let bad = t
            .replace("value: 10.0.9.3}", "value: ten}")
            .replace("value: 10.0.1.2}", "value: one}");
        let (large, whole) = both(&bad);
        let (a, b) = (large.unwrap().unwrap_err(), whole.unwrap_err());
        assert_eq!(
            (a.line, a.column, &a.message),
            (b.line, b.column, &b.message)
        );
        assert!(a.message.contains("`one`"), "{a}");
        // Anything whose meaning may cross entries, or other layouts: read
        // whole instead.
        for other in [
            t.replace("  - {name: h1,", "  - &a {name: h1,"),
            format!("{t}other: 1\n"),
            t.replace("records:\n", "records: # list\n"),
            "kind: dns_zone\nzone: example.com\nrecords: [{name: a, type: A, ttl: 1, value: 1.2.3.4}]\n".to_owned(),
            t.replace("ttl: 300", "ttl: '{{ env `TTL` }}'"),
            format!("---\n{t}"),
        ] {
            assert!(both(&other).0.is_none(), "{}", &other[..120]);
        }
        // Not a zone in scope: the header's own error.
        let (large, _) = both(&t.replace("zone: example.com", "zone: example.org"));
        assert!(large.unwrap().unwrap_err().message.contains("example.org"));
    }

    #[test]
    fn reads_records_with_defaults_and_relative_names() {
        let d = doc(
            "kind: dns_zone\nzone: Example.com.\nttl: 300\nrecords:\n  - {name: www, type: a, values: [192.0.2.1]}\n  - name: '@'\n    type: MX\n    ttl: 60\n    value: 10 mail.example.com.\n  - {name: api, type: A, alias: {dnsName: lb.elb.amazonaws.com., hostedZoneId: Z35}}\n  - {name: w, type: A, setIdentifier: blue, weight: 9, value: 192.0.2.2}\n",
        );
        let out = read_native(&d, &["example.com".into()]).unwrap();
        let ids: Vec<&str> = out.iter().map(|r| r.resource.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "example.com/www.example.com/A",
                "example.com/example.com/MX",
                "example.com/api.example.com/A",
                "example.com/w.example.com/A/blue"
            ]
        );
        assert_eq!(out[0].resource.spec["ttl"], 300);
        assert_eq!(out[1].resource.spec["ttl"], 60);
        assert!(out[2].resource.spec.get("ttl").is_none());
        assert_eq!(out[0].at, "infra/dns/example.com.yaml:5");
    }

    #[test]
    fn entries_sharing_a_name_are_each_at_their_own_line() {
        let d = doc(
            "kind: dns_zone\nzone: example.com\nttl: 300\nrecords:\n  - {name: '@', type: A, value: 192.0.2.1}\n  - name: '@'\n    type: MX\n    value: 10 mail.example.com.\n  - {name: '@', type: TXT, value: '\"v=spf1 -all\"'}\n  - {name: api, type: A, setIdentifier: blue, weight: 90, value: 192.0.2.2}\n  - {name: api, type: A, setIdentifier: green, weight: 10, value: 192.0.2.3}\n",
        );
        let out = read_native(&d, &["example.com".into()]).unwrap();
        let at: Vec<&str> = out.iter().map(|r| r.at.as_str()).collect();
        assert_eq!(
            at,
            vec![
                "infra/dns/example.com.yaml:5",
                "infra/dns/example.com.yaml:6",
                "infra/dns/example.com.yaml:9",
                "infra/dns/example.com.yaml:10",
                "infra/dns/example.com.yaml:11",
            ]
        );
    }

    #[test]
    fn errors_name_their_place() {
        let d = doc(
            "kind: dns_zone\nzone: example.com\nrecords:\n  - {name: www, type: A, values: [192.0.2.1]}\n",
        );
        let e = read_native(&d, &["example.com".into()]).unwrap_err();
        assert!(e.message.contains("no `ttl`"), "{e}");
        assert_eq!(e.line, 4);
        let d = doc(
            "kind: dns_zone\nzone: example.com\nttl: 1\nrecords:\n  - {name: www, type: A, values: [192.0.2.300]}\n",
        );
        let e = read_native(&d, &["example.com".into()]).unwrap_err();
        assert!(e.message.contains("A value `192.0.2.300`"), "{e}");
        let d = doc("kind: dns_zone\nzone: other.org\nttl: 1\nrecords: []\n");
        let e = read_native(&d, &["example.com".into()]).unwrap_err();
        assert!(
            e.message.contains("zone `other.org` is not in this scope"),
            "{e}"
        );
        let d = doc(
            "kind: dns_zone\nzone: example.com\nttl: 1\nrecords:\n  - {name: www, type: A, valeus: [192.0.2.1]}\n",
        );
        let e = read_native(&d, &["example.com".into()]).unwrap_err();
        assert!(e.message.contains("unknown field `valeus`"), "{e}");
    }

    #[test]
    fn imported_yaml_reads_back() {
        let r = Resource {
            kind: Kind::DnsRecord,
            id: "example.com/www.example.com/A".into(),
            spec: json!({"zone": "example.com", "name": "www.example.com", "type": "A", "ttl": 60, "values": ["192.0.2.1"]}),
        };
        let text = native_yaml("example.com", &[&r]);
        let d = doc(&text);
        let back = read_native(&d, &["example.com".into()]).unwrap();
        assert_eq!(back[0].resource.spec, r.spec);
    }
}
