//! octoDNS zone files, read in place: `<zone>.yaml`, keys are record names
//! relative to the zone (`''` is the apex), each holding one record or a
//! list of records of different types.
//!
//! Values follow octoDNS's per-type shapes (MX `exchange`/`preference` or
//! the legacy `value`/`priority`, SRV, CAA, NAPTR, DS mappings) and become
//! the presentation strings every other source uses. As octoDNS does with a
//! target that cannot hold them, record types Route53 has no place for
//! (SSHFP, LOC, URLFWD, DNAME, ALIAS, ...) are skipped with a note; so are
//! records marked `octodns: {ignored: true}`. `geo`/`dynamic` records,
//! which octodns-route53 expands into many record sets (set identifiers,
//! `_octodns-*` alias sets) that driftgate does not rebuild yet, claim
//! those sets: they are reported unchecked with that reason, never
//! unmanaged. octodns-route53's own `Route53Provider/ALIAS` records become
//! the alias record sets it writes. The default TTL is octoDNS's, 3600,
//! unless the YAML provider of the main config says otherwise.

use crate::declared::DeclaredRecord;
use crate::declared::Document;
use crate::error::InputError;
use crate::kinds::dns_record::normalize::normalize;
use crate::normalize::Mode;
use driftgate_model::dns::{absolute_name, record_id};
use driftgate_model::{Kind, Resource};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// octoDNS's default TTL.
pub const DEFAULT_TTL: i64 = 3600;

/// Types Route53 holds, and so types driftgate compares from octoDNS files.
pub const COMPARED: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SPF", "SRV", "TXT",
];

/// What a file yields: records, notes on what was skipped, and the live
/// sets a record the peer tool expands stands for (`(globs over ids, why,
/// where)`).
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub records: Vec<DeclaredRecord>,
    pub notes: Vec<String>,
    pub claims: Vec<(Vec<String>, String, String)>,
}

/// The record type octodns-route53 registers for Route53 aliases.
const ROUTE53_ALIAS: &str = "ROUTE53PROVIDER/ALIAS";

/// Target names that are AWS services (octodns-route53 keeps their hosted
/// zone id; any other target is a record set of the same zone).
const SERVICE_FQDNS: &[&str] = &["amazonaws.com.", "cloudfront.net.", "elasticbeanstalk.com."];

/// Reads an octoDNS zone file for `zone`.
///
/// # Errors
/// A record without a type, unknown keys, values missing the fields their
/// type needs, or a name and type declared twice.
pub fn read(doc: &Document, zone: &str, default_ttl: i64) -> Result<Read, InputError> {
    let entries = match &doc.value {
        Value::Null => return Ok(Read::default()),
        Value::Object(m) => m,
        _ => return Err(doc.error_at(&[], "an octoDNS zone file maps record names to records")),
    };
    let mut reader = Entries::new(doc, zone, default_ttl);
    for (name, entry) in entries {
        reader.entry(name, entry)?;
    }
    Ok(reader.out)
}

/// Names parsed as one YAML document by [`read_large`] (the YAML parser
/// holds a batch's events, about 1.5 KB a name, while it reads it).
const BATCH: usize = 256;

/// What [`read_large`] read, its records handed over already.
pub struct LargeRead {
    /// The file's text, and its top-level names each mapped to `null`:
    /// the shape the formats recognise a file by, without its records.
    pub skeleton: Document,
    pub notes: Vec<String>,
    pub claims: Vec<(Vec<String>, String, String)>,
    /// How many records were handed over.
    pub records: usize,
}

/// A large octoDNS zone file read a thousand names at a time, never as one
/// parsed tree: each batch of top-level names is parsed alone, read into
/// record sets exactly as [`read`] reads them (same ids, places, notes and
/// claims, in the same order), and handed to `sink` before the next batch
/// is parsed. A 10,000-name file read whole holds the YAML parser's events
/// and then the whole tree as JSON maps, about 30 MB.
///
/// Only for the plainest layout, where a batch parses exactly as it does
/// inside the whole file: a block mapping of names at the first column
/// (after an optional `---`), no template, no anchor, alias or merge key,
/// no second document, no name given twice. `None` for anything else, for
/// a batch that does not parse into exactly its names, for an entry [`read`]
/// refuses, and when `sink` refuses: the caller then takes back what was
/// handed over and reads the file whole, which gives that file's answer or
/// its error exactly as before.
#[must_use]
pub fn read_large(
    path: &std::path::Path,
    shown: &str,
    zone: &str,
    default_ttl: i64,
    sink: &mut dyn FnMut(super::Large) -> Result<(), InputError>,
) -> Option<LargeRead> {
    read_large_by(path, shown, zone, default_ttl, BATCH, sink)
}

/// [`read_large`], `batch` names at a time.
fn read_large_by(
    path: &std::path::Path,
    shown: &str,
    zone: &str,
    default_ttl: i64,
    batch: usize,
    sink: &mut dyn FnMut(super::Large) -> Result<(), InputError>,
) -> Option<LargeRead> {
    let text = crate::input::read_text(path, path).ok()?;
    crate::input::check_depth(&text, path).ok()?;
    if text.contains("{{") {
        return None;
    }
    // The byte offsets where top-level names start.
    let mut names = Vec::new();
    let mut offset = 0;
    let mut started = false;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        if may_hold_a_reference(l) {
            return None;
        }
        if l.is_empty() || l.starts_with([' ', '\t', '#']) {
            continue;
        }
        if l == "---" && !started && names.is_empty() {
            started = true;
            continue;
        }
        if l.starts_with(['-', '.', '%', '?', '{', '[', '!', '&', '*', '|', '>']) {
            return None;
        }
        names.push(at);
    }
    if names.is_empty() {
        return None;
    }
    // Room for a record a name (most names hold one).
    sink(super::Large::Expect(names.len())).ok()?;
    let doc = Document {
        path: path.to_owned(),
        shown: shown.to_owned(),
        value: Value::Null,
        text,
    };
    let mut entries = Entries::new(&doc, zone, default_ttl);
    let state = foldhash::fast::FixedState::default();
    entries.seen = Ids::Hashed(
        std::collections::HashSet::with_capacity(names.len()),
        state.clone(),
    );
    // The names, end to end, and where each ends; a hash of each to tell a
    // name given twice (a hash met twice declines, as a name given twice).
    let (mut keys, mut ends) = (String::new(), Vec::with_capacity(names.len()));
    let mut key_hashes = std::collections::HashSet::with_capacity(names.len());
    let mut handed = 0;
    for from in (0..names.len()).step_by(batch) {
        let to = (from + batch).min(names.len());
        let end = names.get(to).copied().unwrap_or(doc.text.len());
        let parsed = crate::declared::parse_yaml(path, &doc.text[names[from]..end]).ok()?;
        let parsed = parsed.as_object().filter(|m| m.len() == to - from)?;
        for (name, entry) in parsed {
            if !key_hashes.insert(std::hash::BuildHasher::hash_one(&state, name.as_str())) {
                // A name given twice: the whole reader's rule decides.
                return None;
            }
            keys.push_str(name);
            ends.push(keys.len());
            entries.entry(name, entry).ok()?;
        }
        let records = std::mem::take(&mut entries.out.records);
        handed += records.len();
        sink(super::Large::Batch(records)).ok()?;
    }
    let Read { notes, claims, .. } = entries.out;
    drop((key_hashes, names));
    let mut skeleton = Map::with_capacity(ends.len());
    let mut from = 0;
    for end in ends {
        skeleton.insert(keys[from..end].to_owned(), Value::Null);
        from = end;
    }
    Some(LargeRead {
        skeleton: Document {
            value: Value::Object(skeleton),
            ..doc
        },
        notes,
        claims,
        records: handed,
    })
}

/// Whether a line may hold a YAML anchor, alias or merge key, whose
/// meaning crosses entries (some lines that do not are taken too: a
/// flow collection or a value with `*` or `&` in it).
fn may_hold_a_reference(line: &str) -> bool {
    let mut t = line.trim_start();
    while let Some(rest) = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix('-').filter(|r| r.is_empty()))
    {
        t = rest.trim_start();
    }
    if t.starts_with(['&', '*']) || t.starts_with("<<") {
        return true;
    }
    let flow = t.contains(['[', '{']);
    (flow && t.contains(['&', '*']))
        || t.contains(": &")
        || t.contains(": *")
        || t.contains(":\t&")
        || t.contains(":\t*")
}

/// The ids a file has declared so far.
enum Ids {
    /// Every id: a second one is refused by name.
    Whole(BTreeSet<String>),
    /// A hash of each (a large file read in batches): a second one, or a
    /// hash met twice, declines the batched read, and the whole reader
    /// then gives its answer.
    Hashed(std::collections::HashSet<u64>, foldhash::fast::FixedState),
}

impl Ids {
    /// False when `id` (or, hashed, its hash) was declared already.
    fn insert(&mut self, id: &str) -> bool {
        match self {
            Ids::Whole(ids) => ids.insert(id.to_owned()),
            Ids::Hashed(hashes, state) => {
                hashes.insert(std::hash::BuildHasher::hash_one(&*state, id))
            }
        }
    }
}

/// The top-level entries of one zone file, read in the file's order: what
/// they yield so far, the ids already declared, and where in the text the
/// last one stands.
struct Entries<'a> {
    doc: &'a Document,
    zone: &'a str,
    default_ttl: i64,
    seen: Ids,
    cursor: crate::declared::locate::Cursor<'a>,
    out: Read,
}

impl<'a> Entries<'a> {
    fn new(doc: &'a Document, zone: &'a str, default_ttl: i64) -> Self {
        Entries {
            doc,
            zone,
            default_ttl,
            seen: Ids::Whole(BTreeSet::new()),
            cursor: crate::declared::locate::Cursor::new(&doc.text),
            out: Read::default(),
        }
    }

    /// One name of the file and the record (or list of records) under it.
    fn entry(&mut self, name: &str, entry: &Value) -> Result<(), InputError> {
        let Entries {
            doc,
            zone,
            default_ttl,
            seen,
            cursor,
            out,
        } = self;
        let (doc, zone, default_ttl) = (*doc, *zone, *default_ttl);
        let place: Vec<String> = vec![if name.is_empty() {
            "''".to_owned()
        } else {
            name.to_owned()
        }];
        let records: Vec<&Value> = match entry {
            Value::Array(list) => list.iter().collect(),
            one => vec![one],
        };
        for rec in records {
            let Some(r) = rec.as_object() else {
                return Err(doc.error_at(&place, format!("record `{name}` is not a mapping")));
            };
            for k in r.keys() {
                if ![
                    "type", "ttl", "value", "values", "octodns", "geo", "dynamic",
                ]
                .contains(&k.as_str())
                {
                    return Err(doc.error_at(
                        &[place.clone(), vec![k.clone()]].concat(),
                        format!("unknown record key `{k}`"),
                    ));
                }
            }
            let Some(rtype) = r.get("type").and_then(Value::as_str).map(str::to_uppercase) else {
                return Err(doc.error_at(&place, format!("record `{name}` has no `type`")));
            };
            let shown_name = if name.is_empty() {
                "the apex".to_owned()
            } else {
                format!("`{name}`")
            };
            if r.get("octodns")
                .and_then(|o| o.get("ignored"))
                .and_then(Value::as_bool)
                == Some(true)
            {
                out.notes.push(format!(
                    "{}: {rtype} at {shown_name} is marked ignored for octoDNS; not compared",
                    doc.shown
                ));
                continue;
            }
            if r.contains_key("geo") || r.contains_key("dynamic") {
                let abs = absolute_name(name, zone);
                let why = format!(
                    "{rtype} at {shown_name} is a geo/dynamic octoDNS record ({}), which octodns-route53 writes as many record sets: not compared yet",
                    doc.shown
                );
                out.claims.push((
                    vec![
                        record_id(zone, &abs, &rtype, None),
                        format!("{}/*", record_id(zone, &abs, &rtype, None)),
                        format!("{zone}/_octodns-*.{abs}/*"),
                    ],
                    why,
                    format!("{}:{}", doc.shown, cursor.seek(&place)),
                ));
                continue;
            }
            if rtype == ROUTE53_ALIAS {
                let abs = absolute_name(name, zone);
                let values: Vec<&Value> = match (r.get("value"), r.get("values")) {
                    (Some(v), None) => vec![v],
                    (None, Some(Value::Array(vs))) => vs.iter().collect(),
                    _ => {
                        return Err(doc.error_at(
                            &place,
                            "a Route53Provider/ALIAS record needs `value` or `values`",
                        ));
                    }
                };
                let at = format!("{}:{}", doc.shown, cursor.seek(&place));
                for v in values {
                    let Some(m) = v.as_object() else {
                        return Err(doc.error_at(&place, "an alias value is a mapping"));
                    };
                    let Some(t) = m.get("type").and_then(Value::as_str).map(str::to_uppercase)
                    else {
                        return Err(doc.error_at(&place, "an alias value needs `type`"));
                    };
                    let target = m.get("name").and_then(Value::as_str).unwrap_or_default();
                    let service = SERVICE_FQDNS.iter().any(|f| target.contains(f));
                    // As octodns-route53 writes it: a service target as is,
                    // with its hosted zone; a name of the zone (or the
                    // apex) fully qualified, in the zone's own hosted zone.
                    let dns_name = if service {
                        target.to_owned()
                    } else if target.is_empty() {
                        format!("{zone}.")
                    } else {
                        format!("{target}.{zone}.")
                    };
                    let mut alias = Map::new();
                    alias.insert("dnsName".into(), json!(dns_name));
                    if service && let Some(z) = m.get("hosted-zone-id").and_then(Value::as_str) {
                        alias.insert("hostedZoneId".into(), json!(z));
                    }
                    alias.insert(
                        "evaluateTargetHealth".into(),
                        json!(
                            m.get("evaluate-target-health")
                                .and_then(Value::as_bool)
                                .unwrap_or(false)
                        ),
                    );
                    let id = record_id(zone, &abs, &t, None);
                    if !seen.insert(&id) {
                        return Err(
                            doc.error_at(&place, format!("{t} at {shown_name} is declared twice"))
                        );
                    }
                    let spec = json!({"zone": zone, "name": abs, "type": t, "alias": alias});
                    normalize(&spec, Mode::Strict)
                        .map_err(|e| doc.error_at(&place, e.to_string()))?;
                    out.records.push(DeclaredRecord {
                        compact: None,
                        address: None,
                        at: at.clone(),
                        resource: Resource {
                            kind: Kind::DnsRecord,
                            id,
                            spec,
                        },
                    });
                }
                continue;
            }
            if !COMPARED.contains(&rtype.as_str()) {
                out.notes.push(format!(
                    "{}: {rtype} at {shown_name}: Route53 has no {rtype} records; not compared",
                    doc.shown
                ));
                continue;
            }
            let raw: Vec<&Value> = match (r.get("value"), r.get("values")) {
                (Some(v), None) => vec![v],
                (None, Some(Value::Array(vs))) => vs.iter().collect(),
                (None, Some(v)) => vec![v],
                (Some(_), Some(_)) => {
                    return Err(doc.error_at(&place, "give `value` or `values`, not both"));
                }
                (None, None) => {
                    return Err(
                        doc.error_at(&place, format!("record `{name}` ({rtype}) has no value"))
                    );
                }
            };
            let mut values = Vec::new();
            for v in raw {
                values.push(Value::String(presentation(&rtype, v).map_err(|why| {
                    doc.error_at(&place, format!("{rtype} value: {why}"))
                })?));
            }
            let ttl = match r.get("ttl") {
                None => default_ttl,
                Some(t) => t
                    .as_i64()
                    .ok_or_else(|| doc.error_at(&place, "`ttl` must be a number"))?,
            };
            let abs = absolute_name(name, zone);
            let id = record_id(zone, &abs, &rtype, None);
            if !seen.insert(&id) {
                return Err(
                    doc.error_at(&place, format!("{rtype} at {shown_name} is declared twice"))
                );
            }
            let spec =
                json!({"zone": zone, "name": abs, "type": rtype, "ttl": ttl, "values": values});
            normalize(&spec, Mode::Strict).map_err(|e| doc.error_at(&place, e.to_string()))?;
            out.records.push(DeclaredRecord {
                compact: None,
                address: None,
                at: format!("{}:{}", doc.shown, cursor.seek(&place)),
                resource: Resource {
                    kind: Kind::DnsRecord,
                    id,
                    spec,
                },
            });
        }
        Ok(())
    }
}

/// What octodns-spf's `SpfSource` does to a zone after the YAML source:
/// its SPF value added to the apex TXT record (created at its TTL when
/// there is none). An SPF value already there is merged by octodns-spf
/// (`merging_enabled`), which driftgate does not model: that record is
/// then unchecked, never compared against a guess.
pub fn add_spf(read: &mut Read, zone: &str, spf: &super::octodns_config::Spf, shown: &str) {
    let id = record_id(zone, zone, "TXT", None);
    let unquote = |v: &Value| v.as_str().unwrap_or_default().trim_matches('"').to_owned();
    match read.records.iter().position(|r| r.resource.id == id) {
        Some(i) => {
            let values = read.records[i].resource.spec["values"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if values.iter().any(|v| unquote(v).starts_with("v=spf1")) {
                let at = read.records.remove(i).at;
                read.claims.push((
                    vec![id],
                    format!(
                        "the apex TXT of {zone} ({shown}) has an SPF value that octodns-spf merges with its own; the merge is not modelled, not compared"
                    ),
                    at,
                ));
            } else {
                let mut values = values;
                values.push(Value::String(spf.value.clone()));
                read.records[i].resource.spec["values"] = Value::Array(values);
            }
        }
        None => read.records.push(DeclaredRecord {
            compact: None,
            address: None,
            at: format!("{shown}:1"),
            resource: Resource {
                kind: Kind::DnsRecord,
                id,
                spec: json!({"zone": zone, "name": zone, "type": "TXT", "ttl": spf.ttl, "values": [spf.value]}),
            },
        }),
    }
    if spf.merging {
        read.notes.push(format!(
            "{shown}: octodns-spf adds `{}` to the apex TXT of {zone}",
            spf.value
        ));
    }
}

fn field<'a>(m: &'a Map<String, Value>, k: &str) -> Result<&'a Value, String> {
    m.get(k).ok_or_else(|| format!("needs `{k}`"))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn quoted(v: &Value) -> String {
    format!("\"{}\"", text(v).replace('\\', "\\\\").replace('"', "\\\""))
}

/// One octoDNS value as presentation text.
fn presentation(rtype: &str, v: &Value) -> Result<String, String> {
    let Some(m) = v.as_object() else {
        return match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(format!("unexpected {other}")),
        };
    };
    Ok(match rtype {
        "MX" => {
            let pref = m
                .get("preference")
                .or_else(|| m.get("priority"))
                .ok_or("needs `preference`")?;
            let host = m
                .get("exchange")
                .or_else(|| m.get("value"))
                .ok_or("needs `exchange`")?;
            format!("{} {}", text(pref), text(host))
        }
        "SRV" => format!(
            "{} {} {} {}",
            text(field(m, "priority")?),
            text(field(m, "weight")?),
            text(field(m, "port")?),
            text(field(m, "target")?)
        ),
        "CAA" => format!(
            "{} {} {}",
            m.get("flags").map_or_else(|| "0".to_owned(), text),
            text(field(m, "tag")?),
            quoted(field(m, "value")?)
        ),
        "NAPTR" => format!(
            "{} {} {} {} {} {}",
            text(field(m, "order")?),
            text(field(m, "preference")?),
            quoted(field(m, "flags")?),
            quoted(field(m, "service")?),
            quoted(field(m, "regexp")?),
            text(field(m, "replacement")?)
        ),
        "DS" => format!(
            "{} {} {} {}",
            text(field(m, "key_tag")?),
            text(field(m, "algorithm")?),
            text(field(m, "digest_type")?),
            text(field(m, "digest")?)
        ),
        other => return Err(format!("a {other} value is text, not a mapping")),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    fn doc(text: &str) -> Document {
        let path = PathBuf::from("infra/example.com.yaml");
        Document {
            value: crate::declared::parse_yaml(&path, text).unwrap(),
            path,
            shown: "infra/example.com.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn reads_octodns_shapes() {
        let d = doc(
            "---\n'':\n  - type: MX\n    values:\n      - {exchange: mx1.example.com., preference: 10}\n      - {priority: 20, value: mx2.example.com.}\n  - type: CAA\n    value: {flags: 0, tag: issue, value: letsencrypt.org}\n_sip._tcp:\n  ttl: 600\n  type: SRV\n  value: {port: 5060, priority: 10, target: sip.example.com., weight: 60}\nsemi:\n  type: TXT\n  value: a\\; b\nssh:\n  type: SSHFP\n  value: {algorithm: 1, fingerprint: ab, fingerprint_type: 1}\n",
        );
        let r = read(&d, "example.com", DEFAULT_TTL).unwrap();
        let specs: Vec<&Value> = r.records.iter().map(|x| &x.resource.spec).collect();
        assert_eq!(
            specs[0]["values"],
            json!(["10 mx1.example.com.", "20 mx2.example.com."])
        );
        assert_eq!(specs[0]["ttl"], 3600);
        assert_eq!(specs[1]["values"], json!(["0 issue \"letsencrypt.org\""]));
        assert_eq!(specs[2]["values"], json!(["10 60 5060 sip.example.com."]));
        assert_eq!(
            r.records[2].resource.id,
            "example.com/_sip._tcp.example.com/SRV"
        );
        assert_eq!(specs[3]["values"], json!(["a\\; b"]));
        assert_eq!(r.notes.len(), 1);
        assert!(
            r.notes[0].contains("Route53 has no SSHFP records"),
            "{:?}",
            r.notes
        );
        assert_eq!(r.records[2].at, "infra/example.com.yaml:9");
    }

    #[test]
    fn errors_name_their_place() {
        let d = doc("www:\n  type: MX\n  value: {exchange: mx.example.com.}\n");
        let e = read(&d, "example.com", DEFAULT_TTL).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("needs `preference`"), "{e}");
        let d = doc("www:\n  ttl: 60\n  value: 1.2.3.4\n");
        assert!(
            read(&d, "example.com", DEFAULT_TTL)
                .unwrap_err()
                .message
                .contains("no `type`")
        );
        let d = doc("www:\n  type: A\n  valu: 1.2.3.4\n");
        let e = read(&d, "example.com", DEFAULT_TTL).unwrap_err();
        assert_eq!(e.line, 3);
    }

    /// What a read gives, comparable: each record's id, spec and place,
    /// the notes and the claims.
    type Seen = (Vec<(String, Value, String)>, Vec<String>, Vec<String>);

    fn seen(
        records: Vec<DeclaredRecord>,
        notes: Vec<String>,
        claims: &[(Vec<String>, String, String)],
    ) -> Seen {
        (
            records
                .into_iter()
                .map(|r| (r.resource.id, r.resource.spec, r.at))
                .collect(),
            notes,
            claims.iter().map(|c| format!("{c:?}")).collect(),
        )
    }

    /// `text` read in batches of `batch` names (`None`: declined), and the
    /// names it saw.
    pub(crate) fn batched(text: &str, zone: &str, batch: usize) -> Option<(Seen, Vec<String>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("example.com.yaml");
        std::fs::write(&path, text).unwrap();
        let mut records = Vec::new();
        let (mut batches, mut expected) = (0, 0);
        let read = read_large_by(
            &path,
            "infra/example.com.yaml",
            zone,
            DEFAULT_TTL,
            batch,
            &mut |b| {
                match b {
                    super::super::Large::Expect(n) => expected = n,
                    super::super::Large::Batch(b) => {
                        batches += 1;
                        records.extend(b);
                    }
                }
                Ok(())
            },
        )?;
        assert_eq!(read.records, records.len());
        assert_eq!(
            batches,
            expected.div_ceil(batch),
            "one batch per {batch} names"
        );
        assert!(
            read.skeleton
                .value
                .as_object()
                .unwrap()
                .values()
                .all(Value::is_null)
        );
        assert_eq!(read.skeleton.text, text);
        let names = read
            .skeleton
            .value
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        Some((seen(records, read.notes, &read.claims), names))
    }

    fn whole(text: &str, zone: &str) -> Result<Seen, InputError> {
        let r = read(&doc(text), zone, DEFAULT_TTL)?;
        Ok(seen(r.records, r.notes, &r.claims))
    }

    #[test]
    fn a_large_zone_read_in_batches_is_what_the_whole_reader_reads() {
        let mut t = String::from(
            "---\n# the zone\n'':\n  - type: A\n    values: [192.0.2.1, 192.0.2.2]\n  - type: MX\n    value: {exchange: mx.example.com., preference: 10}\n",
        );
        for i in 0..40 {
            t.push_str(&format!(
                "# host {i}\nhost-{i:03}:\n  type: A\n  ttl: {}\n  value: 10.0.0.{i}\n\n",
                60 + i
            ));
        }
        t.push_str("'*.wild':\n  type: CNAME\n  value: host-001.example.com.\n");
        t.push_str("geo:\n  type: A\n  value: 192.0.2.9\n  dynamic: {pools: {}, rules: []}\n");
        t.push_str("\"quoted\": {type: TXT, value: 'v=spf1 -all'}\n");
        t.push_str(
            "ssh:\n  type: SSHFP\n  value: {algorithm: 1, fingerprint: ab, fingerprint_type: 1}\n",
        );
        let want = whole(&t, "example.com").unwrap();
        assert_eq!(want.0.len(), 44);
        assert!(
            !want.1.is_empty() && !want.2.is_empty(),
            "a note and a claim are compared too"
        );
        for batch in [1, 2, 3, 7, 44, 45, 1024] {
            let (got, names) =
                batched(&t, "example.com", batch).unwrap_or_else(|| panic!("declined at {batch}"));
            assert_eq!(got, want, "batches of {batch}");
            assert_eq!(names.len(), 45);
        }
    }

    #[test]
    fn a_large_zone_is_read_whole_where_a_batch_could_read_differently() {
        let base = "a:\n  type: A\n  value: 192.0.2.1\nb:\n  type: A\n  value: 192.0.2.2\n";
        assert!(batched(base, "example.com", 1).is_some());
        for (why, text) in [
            (
                "an anchor",
                "a: &x\n  type: A\n  value: 192.0.2.1\nb: *x\n".to_owned(),
            ),
            (
                "a merge key",
                "a:\n  type: A\n  value: 192.0.2.1\nb:\n  <<: {type: A}\n  value: 1.2.3.4\n"
                    .to_owned(),
            ),
            (
                "an alias in a list",
                "a:\n  - &x {type: A, value: 192.0.2.1}\nb:\n  - *x\n".to_owned(),
            ),
            (
                "a template",
                format!("{base}c:\n  type: A\n  value: '{{{{ env `IP` }}}}'\n"),
            ),
            (
                "a name given twice",
                format!("{base}a:\n  type: TXT\n  value: x\n"),
            ),
            (
                "a second document",
                format!("{base}---\nc:\n  type: A\n  value: 192.0.2.3\n"),
            ),
            (
                "a flow mapping",
                "{a: {type: A, value: 192.0.2.1}}\n".to_owned(),
            ),
            (
                "a complex key",
                "? a\n: {type: A, value: 192.0.2.1}\n".to_owned(),
            ),
            (
                "a scalar over two lines",
                "a:\n  type: TXT\n  value: \"one\ntwo: x\"\nb:\n  type: A\n  value: 192.0.2.2\n"
                    .to_owned(),
            ),
            (
                "an entry the reader refuses",
                format!("{base}c:\n  type: A\n"),
            ),
            (
                "a set declared twice",
                format!(
                    "{base}c:\n  - {{type: A, value: 192.0.2.3}}\n  - {{type: A, value: 192.0.2.4}}\n"
                ),
            ),
            ("a YAML error", format!("{base}c: [\n")),
            ("a list at the top", "- a\n- b\n".to_owned()),
            ("nothing", "# empty\n".to_owned()),
        ] {
            assert!(
                batched(&text, "example.com", 1).is_none(),
                "{why}: read in batches"
            );
        }
        // The whole reader then gives that file's own answer: the same
        // records, or the error at its place.
        let twice = format!("{base}a:\n  type: TXT\n  value: x\n");
        assert!(whole(&twice, "example.com").is_ok());
        let refused = format!("{base}c:\n  type: A\n");
        assert_eq!(whole(&refused, "example.com").unwrap_err().line, 7);
        let twice = format!(
            "{base}c:\n  - {{type: A, value: 192.0.2.3}}\n  - {{type: A, value: 192.0.2.4}}\n"
        );
        assert!(
            whole(&twice, "example.com")
                .unwrap_err()
                .message
                .contains("declared twice")
        );
    }

    #[test]
    fn a_refusing_sink_stops_the_batched_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("example.com.yaml");
        std::fs::write(
            &path,
            "a:\n  type: A\n  value: 192.0.2.1\nb:\n  type: A\n  value: 192.0.2.2\n",
        )
        .unwrap();
        let mut calls = 0;
        let read = read_large_by(&path, "x", "example.com", DEFAULT_TTL, 1, &mut |b| {
            if matches!(b, super::super::Large::Expect(_)) {
                return Ok(());
            }
            calls += 1;
            Err(InputError::new(&path, 1, 1, "declared twice"))
        });
        assert!(read.is_none());
        assert_eq!(calls, 1);
    }
}
