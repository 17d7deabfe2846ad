//! RFC 1035 (BIND) zone files: `<zone>.zone` or `db.<zone>`.
//!
//! Our own reader rather than hickory-proto's: that parser gives no line
//! numbers on errors, refuses `@` in record data, and stops at any record
//! type it does not know (SPF and LOC among them), while driftgate only needs
//! each record's owner, type, TTL and data text, and must name the line of
//! anything wrong. Supported: `$ORIGIN`, `$TTL` (with units: `1h`, `2d`, `1w`),
//! `$INCLUDE` (relative to the including file, optional origin), `@`,
//! relative and absolute names, blank owners, TTL and class in either order,
//! parentheses across lines, comments, quoted strings with escapes. Names in
//! record data (CNAME, NS, PTR, DNAME, MX, SRV, NAPTR, SOA) are made absolute.
//! Types Route53 cannot hold are skipped with a note, as is the SOA, which the
//! DNS provider writes itself.

mod lexer;
use lexer::lex;

use super::octodns::COMPARED;
use crate::declared::DeclaredRecord;
use crate::error::InputError;
use crate::kinds::dns_record::normalize::normalize;
use crate::normalize::Mode;
use driftgate_model::dns::{canonical_name, record_id};
use driftgate_model::{Kind, Resource};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a zone file yields.
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub records: Vec<DeclaredRecord>,
    pub notes: Vec<String>,
}

/// Record types the reader recognizes (RFC 3597 `TYPEnnn` too).
const KNOWN_TYPES: &[&str] = &[
    "A",
    "A6",
    "AAAA",
    "AFSDB",
    "AMTRELAY",
    "ANAME",
    "APL",
    "AVC",
    "BRID",
    "CAA",
    "CDNSKEY",
    "CDS",
    "CERT",
    "CNAME",
    "CSYNC",
    "DHCID",
    "DLV",
    "DNAME",
    "DNSKEY",
    "DS",
    "DSYNC",
    "EUI48",
    "EUI64",
    "GPOS",
    "HHIT",
    "HINFO",
    "HIP",
    "HTTPS",
    "IPSECKEY",
    "ISDN",
    "KEY",
    "KX",
    "L32",
    "L64",
    "LOC",
    "LP",
    "MB",
    "MD",
    "MF",
    "MG",
    "MINFO",
    "MR",
    "MX",
    "NAPTR",
    "NID",
    "NINFO",
    "NS",
    "NSAP",
    "NSAP-PTR",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "NULL",
    "NXT",
    "OPENPGPKEY",
    "PTR",
    "PX",
    "RESINFO",
    "RKEY",
    "RP",
    "RRSIG",
    "RT",
    "SIG",
    "SMIMEA",
    "SOA",
    "SPF",
    "SRV",
    "SSHFP",
    "SVCB",
    "TA",
    "TALINK",
    "TLSA",
    "TXT",
    "URI",
    "WALLET",
    "WKS",
    "X25",
    "ZONEMD",
];

const CLASSES: &[&str] = &["IN", "CH", "HS", "CS"];

/// A TTL in seconds: `3600`, `1h`, `1h30m`, `2d`, `1w`, `3D`.
#[must_use]
pub fn parse_ttl(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let mut total = 0i64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            let n: i64 = num.parse().ok()?;
            num.clear();
            total += n * match c.to_ascii_lowercase() {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 604_800,
                _ => return None,
            };
        }
    }
    if !num.is_empty() {
        return None;
    }
    Some(total)
}

fn absolute(name: &str, origin: &str) -> String {
    if name == "@" {
        origin.to_owned()
    } else if name.ends_with('.') && !name.ends_with("\\.") {
        name.to_owned()
    } else if origin == "." {
        format!("{name}.")
    } else {
        format!("{name}.{origin}")
    }
}

/// Which data fields of a type are names, made absolute.
fn name_fields(rtype: &str) -> &'static [usize] {
    match rtype {
        "CNAME" | "NS" | "PTR" | "DNAME" | "ANAME" => &[0],
        "MX" | "KX" | "AFSDB" | "RT" => &[1],
        "SRV" => &[3],
        "SOA" => &[0, 1],
        "NAPTR" => &[5],
        _ => &[],
    }
}

/// A record set as read: TTL, values, and the file and line it starts at.
type Set = (i64, Vec<String>, String, usize);

struct State {
    origin: String,
    default_ttl: Option<i64>,
    last_ttl: Option<i64>,
    owner: Option<String>,
    sets: BTreeMap<(String, String), Set>,
    order: Vec<(String, String)>,
    depth: usize,
    /// The physical lines (first, last) of each record of each set, in the
    /// top-level file only.
    spans: RecordLines,
    /// Whether `$INCLUDE` files are read (not when only spans are wanted).
    follow: bool,
    /// The directory `$INCLUDE` may read in (the repository: the config
    /// file's directory), canonical.
    root: Option<PathBuf>,
}

fn parse_file(path: &Path, shown: &str, text: &str, st: &mut State) -> Result<(), InputError> {
    let err = |line: usize, msg: String| InputError::new(Path::new(shown), line, 1, msg);
    let entries = lex(text).map_err(|(l, m)| err(l, m))?;
    for e in entries {
        let first = &e.toks[0].text;
        if !e.blank_owner && first.starts_with('$') {
            let arg = e.toks.get(1).map(|t| t.text.clone());
            match first.to_uppercase().as_str() {
                "$ORIGIN" => {
                    let o = arg.ok_or_else(|| err(e.line, "`$ORIGIN` needs a name".into()))?;
                    st.origin = absolute(&o, &st.origin);
                }
                "$TTL" => {
                    let t = arg.ok_or_else(|| err(e.line, "`$TTL` needs a value".into()))?;
                    st.default_ttl = Some(
                        parse_ttl(&t).ok_or_else(|| err(e.line, format!("`{t}` is not a TTL")))?,
                    );
                }
                "$INCLUDE" if !st.follow => {}
                "$INCLUDE" => {
                    let f = arg.ok_or_else(|| err(e.line, "`$INCLUDE` needs a file".into()))?;
                    let f = f.trim_matches('"');
                    if st.depth >= 8 {
                        return Err(err(e.line, "`$INCLUDE` nested too deep".into()));
                    }
                    let inc = confined(path, f, st.root.as_deref())
                        .map_err(|why| err(e.line, format!("`$INCLUDE {f}`: {why}")))?;
                    let inc_shown_path = crate::declared::normal_path(
                        &Path::new(shown).parent().unwrap_or(Path::new("")).join(f),
                    );
                    let inc_text = crate::input::read_text(&inc, &inc_shown_path)?;
                    let saved = (st.origin.clone(), st.owner.clone());
                    if let Some(o) = e.toks.get(2) {
                        st.origin = absolute(&o.text, &st.origin);
                    }
                    st.depth += 1;
                    let inc_shown = inc_shown_path.display().to_string();
                    parse_file(&inc, &inc_shown, &inc_text, st)?;
                    st.depth -= 1;
                    (st.origin, st.owner) = saved;
                }
                other => return Err(err(e.line, format!("`{other}` is not supported"))),
            }
            continue;
        }
        let mut toks = e.toks.iter().peekable();
        if !e.blank_owner {
            let owner = toks.next().expect("an entry has a token");
            st.owner = Some(absolute(&owner.text, &st.origin));
        }
        let Some(owner) = st.owner.clone() else {
            return Err(err(
                e.line,
                "a record with a blank owner, and no record before it".into(),
            ));
        };
        let mut ttl = None;
        let rtype = loop {
            let Some(t) = toks.next() else {
                return Err(err(e.line, "a record without a type".into()));
            };
            let up = t.text.to_uppercase();
            if CLASSES.contains(&up.as_str()) {
                if up != "IN" {
                    return Err(err(
                        e.line,
                        format!("class `{up}` is not supported; driftgate reads IN"),
                    ));
                }
                continue;
            }
            if ttl.is_none() && !t.quoted && t.text.starts_with(|c: char| c.is_ascii_digit()) {
                ttl = Some(
                    parse_ttl(&t.text)
                        .ok_or_else(|| err(e.line, format!("`{}` is not a TTL", t.text)))?,
                );
                continue;
            }
            if KNOWN_TYPES.contains(&up.as_str())
                || (up.starts_with("TYPE")
                    && up.len() > 4
                    && up[4..].chars().all(|c| c.is_ascii_digit()))
            {
                break up;
            }
            return Err(err(e.line, format!("`{}` is not a record type", t.text)));
        };
        let ttl = match ttl {
            Some(t) => {
                st.last_ttl = Some(t);
                t
            }
            None => st
                .default_ttl
                .or(st.last_ttl)
                .ok_or_else(|| err(e.line, "no TTL, and no `$TTL` before this record".into()))?,
        };
        let fields = name_fields(&rtype);
        let data: Vec<String> = toks
            .enumerate()
            .map(|(i, t)| {
                if fields.contains(&i) && !t.quoted {
                    absolute(&t.text, &st.origin)
                } else {
                    t.text.clone()
                }
            })
            .collect();
        if data.is_empty() {
            return Err(err(e.line, format!("{rtype} record without data")));
        }
        let value = if data[0] == "\\#" {
            generic_rdata(&rtype, &data[1..]).map_err(|m| err(e.line, m))?
        } else {
            data.join(" ")
        };
        let key = (canonical_name(&owner), rtype);
        if st.depth == 0 {
            st.spans
                .entry(key.clone())
                .or_default()
                .push((e.line, e.end));
        }
        match st.sets.get_mut(&key) {
            Some(set) => set.1.push(value),
            None => {
                st.order.push(key.clone());
                st.sets
                    .insert(key, (ttl, vec![value], shown.to_owned(), e.line));
            }
        }
    }
    Ok(())
}

/// RFC 3597 generic data (`\# 4 c0000201`): decoded for A and AAAA, kept as
/// written for types driftgate does not compare, refused for the others.
fn generic_rdata(rtype: &str, rest: &[String]) -> Result<String, String> {
    let Some((len, hex)) = rest.split_first() else {
        return Err("`\\#` needs a length".into());
    };
    let hex: String = hex.concat();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect::<Option<_>>()
        .ok_or_else(|| format!("`{hex}` is not hexadecimal"))?;
    if len.parse::<usize>().ok() != Some(bytes.len()) {
        return Err(format!(
            "`\\#` says {len} bytes, the data has {}",
            bytes.len()
        ));
    }
    match (rtype, bytes.len()) {
        ("A", 4) => Ok(std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string()),
        ("AAAA", 16) => {
            let a: [u8; 16] = bytes.try_into().expect("16 bytes");
            Ok(std::net::Ipv6Addr::from(a).to_string())
        }
        (t, _) if !COMPARED.contains(&t) => Ok(format!("\\# {len} {hex}")),
        (t, n) => Err(format!(
            "generic data (`\\#`) of {n} bytes for {t} is not supported; write it in {t}'s own format"
        )),
    }
}

/// The file an `$INCLUDE` names, relative to the including file, if it lies
/// inside `root` (the repository). Declared files come from pull requests:
/// an include must not read `/etc/passwd` or `../../secrets` into a report.
fn confined(including: &Path, name: &str, root: Option<&Path>) -> Result<PathBuf, String> {
    if Path::new(name).is_absolute() {
        return Err("an absolute path is refused: includes stay inside the repository".into());
    }
    let inc = including.parent().unwrap_or(Path::new(".")).join(name);
    let Some(root) = root else {
        return Ok(inc);
    };
    let real = inc
        .canonicalize()
        .map_err(|x| format!("cannot read the included file: {x}"))?;
    if !real.starts_with(root) {
        return Err(format!(
            "the file lies outside the repository ({}); refused",
            root.display()
        ));
    }
    Ok(real)
}

/// Reads a zone file of `zone`; `$INCLUDE` may read only files under `root`.
///
/// # Errors
/// Anything malformed, at its line; a record outside the zone; an include
/// outside `root`.
pub fn read(path: &Path, shown: &str, zone: &str, root: &Path) -> Result<Read, InputError> {
    let text = crate::input::read_text(path, Path::new(shown))?;
    let zone = canonical_name(zone);
    let mut st = State {
        origin: format!("{zone}."),
        default_ttl: None,
        last_ttl: None,
        owner: None,
        sets: BTreeMap::new(),
        order: Vec::new(),
        depth: 0,
        spans: BTreeMap::new(),
        follow: true,
        root: Some(root.canonicalize().map_err(|e| {
            InputError::new(
                Path::new(shown),
                1,
                1,
                format!("cannot resolve the repository: {e}"),
            )
        })?),
    };
    parse_file(path, shown, &text, &mut st)?;
    let mut out = Read::default();
    // Types not compared, grouped: (file, type) -> (count, first line).
    let mut skipped: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for key in &st.order {
        let (name, rtype) = key;
        let (ttl, values, file, line) = &st.sets[key];
        let err = |msg: String| InputError::new(Path::new(file), *line, 1, msg);
        if name != &zone && !name.ends_with(&format!(".{zone}")) {
            return Err(err(format!("`{name}` is outside the zone {zone}")));
        }
        if rtype == "SOA" {
            out.notes.push(format!(
                "{file}:{line}: the SOA is written by the DNS provider; not compared"
            ));
            continue;
        }
        if !COMPARED.contains(&rtype.as_str()) {
            let slot = skipped
                .entry((file.clone(), rtype.clone()))
                .or_insert((0, *line));
            slot.0 += 1;
            continue;
        }
        let spec = json!({"zone": zone, "name": name, "type": rtype, "ttl": ttl, "values": values});
        normalize(&spec, Mode::Strict).map_err(|e| err(e.to_string()))?;
        out.records.push(DeclaredRecord {
            compact: None,
            address: None,
            resource: Resource {
                kind: Kind::DnsRecord,
                id: record_id(&zone, name, rtype, None),
                spec,
            },
            at: format!("{file}:{line}"),
        });
    }
    for ((file, rtype), (count, line)) in skipped {
        let sets = if count == 1 {
            "1 record set".to_owned()
        } else {
            format!("{count} record sets")
        };
        out.notes.push(format!(
            "{file}:{line}: Route53 has no {rtype} records ({sets}); not compared"
        ));
    }
    Ok(out)
}

/// Per record set `(name, type)`, the lines `(first, last)` of its records.
pub type RecordLines = BTreeMap<(String, String), Vec<(usize, usize)>>;

/// The physical lines `(first, last)` of each record of each record set
/// `(name, type)` in one zone file's text (`$INCLUDE`d files are not read):
/// what `adopt` edits.
///
/// # Errors
/// The text does not read.
pub fn record_lines(text: &str, zone: &str) -> Result<RecordLines, String> {
    let zone = canonical_name(zone);
    let mut st = State {
        origin: format!("{zone}."),
        default_ttl: None,
        last_ttl: None,
        owner: None,
        sets: BTreeMap::new(),
        order: Vec::new(),
        depth: 0,
        spans: BTreeMap::new(),
        follow: false,
        root: None,
    };
    parse_file(Path::new("zone"), "zone", text, &mut st).map_err(|e| e.message)?;
    Ok(st.spans)
}

/// A value as read, for tests.
#[cfg(test)]
fn values(r: &Read, id: &str) -> serde_json::Value {
    r.records
        .iter()
        .find(|d| d.resource.id == id)
        .map(|d| d.resource.spec["values"].clone())
        .unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
#[path = "rfc1035_tests.rs"]
mod tests;
