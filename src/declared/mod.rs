//! Declared files in Git -> model resources: what every format shares.
//!
//! Each scope's `declared` directory is read recursively, in path order
//! ([`files`]). Files ending in `.yaml`, `.yml`, `.json` or `.tfstate`, and zone files
//! by name, are read; others (READMEs, templates kept beside them) are left
//! alone. Each file goes to the first format of [`formats::FORMATS`] that
//! takes it; the formats themselves live with their kind:
//! - [`crate::kinds::ecs_service::formats`]: native `kind: ecs_service`, and the
//!   AWS CLI / ecspresso JSON pair (`ecs-service-def.json`, `ecs-task-def.json`);
//! - [`crate::kinds::dns_record::formats`]: native `kind: dns_zone`, octoDNS zone
//!   files, RFC 1035 zone files;
//! - [`crate::kinds::firewall_rule::formats`]: native `kind: security_group`,
//!   `aws ec2 describe-security-groups` output, GCP firewall rules;
//! - [`terraform`]: Terraform / OpenTofu state and `terraform show -json`
//!   output, every kind (each kind maps its own resource types).
//!
//! Here: [`parse`] (JSON or YAML, ecspresso [`template`]s rendered, hostile
//! input refused), [`locate`] (line and column of a field), [`load`] (the
//! declared stage).
//!
//! Every error names the file, line and column.

pub mod formats;
pub mod load;
pub mod locate;
pub mod template;
pub mod terraform;

#[cfg(test)]
mod corpus_dns_tests;
#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod mutation_tests;

use crate::error::InputError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A declared resource of the kinds read one entry at a time (record sets,
/// firewall rules) and where it stands.
#[derive(Debug, Clone)]
pub struct DeclaredRecord {
    pub resource: driftgate_model::Resource,
    pub at: String,
    /// The Terraform address it was read from
    /// (`module.dns.aws_route53_record.this["api"]`).
    pub address: Option<String>,
    /// Read compact already (its spec `null`, held here as text).
    pub compact: Option<Box<load::Compact>>,
}

/// A parsed file: its path (as shown to the user), its text and its content.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: PathBuf,
    /// The path relative to the config file's directory, for `declared_at`.
    pub shown: String,
    pub text: String,
    pub value: Value,
}

impl Document {
    /// An error at the field `keys` leads to.
    #[must_use]
    pub fn error_at(&self, keys: &[String], message: impl Into<String>) -> InputError {
        let (line, col) = locate::locate(&self.text, keys);
        InputError::new(&self.path, line, col, message)
    }

    /// `file:line` of the field `keys` leads to.
    #[must_use]
    pub fn at(&self, keys: &[String]) -> String {
        let (line, _) = locate::locate(&self.text, keys);
        format!("{}:{line}", self.shown)
    }
}

/// Every declared file under `dir`, sorted by path, hidden entries skipped.
/// Symbolic links are not followed out of `dir`: a linked file counts only
/// when it resolves inside it, and linked directories are not entered (no
/// loops, no reading outside the repository).
///
/// # Errors
/// A directory that cannot be read.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let root = dir.canonicalize().map_err(|e| {
        InputError::whole_file(dir, format!("cannot read the declared directory: {e}"))
    })?;
    let mut out = Vec::new();
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| {
            let at = e.path().unwrap_or(dir).to_owned();
            InputError::whole_file(&at, format!("cannot read the declared directory: {e}"))
        })?;
        let path = entry.path();
        let wanted = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json" | "tfstate")
        ) || is_zone_file(path);
        if !wanted {
            continue;
        }
        let ft = entry.file_type();
        let inside_link = ft.is_symlink()
            && path
                .canonicalize()
                .is_ok_and(|real| real.starts_with(&root) && real.is_file());
        if ft.is_file() || inside_link {
            out.push(path.to_owned());
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file is an RFC 1035 zone file by its name: `<zone>.zone` or `db.<zone>`.
#[must_use]
pub fn is_zone_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with(".zone")
        || (name.starts_with("db.")
            && !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ))
}

/// Reads and parses one file as JSON or YAML by its extension.
///
/// # Errors
/// A file that cannot be read or is not well-formed, at the place it breaks.
pub fn parse(path: &Path, shown: String) -> Result<Document, InputError> {
    parse_with_env(path, shown, &|name| std::env::var(name).ok())
}

/// [`parse`], with ecspresso templates rendered from `env`.
///
/// # Errors
/// A file that cannot be read, is not well-formed, or has a template that
/// cannot be rendered, at the place it breaks.
pub fn parse_with_env(
    path: &Path,
    shown: String,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Document, InputError> {
    let text = crate::input::read_text(path, path)?;
    crate::input::check_depth(&text, path)?;
    let value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str::<Value>(&text).map_err(|e| {
            InputError::new(
                path,
                e.line(),
                e.column(),
                format!("invalid JSON: {}", strip_position(&e.to_string())),
            )
        })?
    } else {
        parse_yaml(path, &text)?
    };
    let mut value = value;
    template::render(&mut value, env).map_err(|(at, why)| {
        let offset = text.find(&at).unwrap_or(0);
        InputError::at_offset(path, &text, offset, why)
    })?;
    Ok(Document {
        path: path.to_owned(),
        shown,
        text,
        value,
    })
}

/// Parses YAML into JSON values. Keys must be strings (numbers are taken as
/// their text); tags are refused.
///
/// # Errors
/// Malformed YAML, at the place it breaks.
pub fn parse_yaml(path: &Path, text: &str) -> Result<Value, InputError> {
    use serde::Deserialize as _;
    // Straight into JSON values, without a YAML value tree in between (a
    // 100,000-entry zone file: a third less time, half the memory).
    let de = serde_yaml_ng::Deserializer::from_str(text);
    match JsonFromYaml::deserialize(de) {
        Ok(JsonFromYaml(v)) => Ok(v),
        Err(e) => {
            let msg = strip_position(&e.to_string());
            // A tag is placed at the tag itself (the parser's place for it
            // is the node after it).
            if let Some(tag) = msg.strip_prefix(TAG_ERROR) {
                let tag = tag.trim_end_matches(')').trim_end_matches('`');
                let offset = text.find(tag).unwrap_or(0);
                return Err(InputError::at_offset(
                    path,
                    text,
                    offset,
                    format!("YAML tags are not supported (found `{tag}`)"),
                ));
            }
            let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let msg = if msg.starts_with(KEY_ERROR) {
                msg
            } else {
                format!("invalid YAML: {msg}")
            };
            Err(InputError::new(path, line, col, msg))
        }
    }
}

const TAG_ERROR: &str = "YAML tags are not supported (found `";
const KEY_ERROR: &str = "a mapping key is not a string";

/// A JSON value read from YAML: keys must be strings (numbers and booleans
/// are taken as their text); tags are refused.
struct JsonFromYaml(Value);

impl<'de> serde::Deserialize<'de> for JsonFromYaml {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YamlVisitor).map(JsonFromYaml)
    }
}

struct YamlVisitor;

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::from(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::from(u))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(JsonFromYaml(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(YamlKey(k)) = map.next_key()? {
            let JsonFromYaml(v) = map.next_value()?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // serde_yaml_ng hands a tagged node (`!Ref x`) over as an enum.
        let (tag, _rest): (String, A::Variant) = data.variant()?;
        Err(serde::de::Error::custom(format!("{TAG_ERROR}!{tag}`)")))
    }
}

/// A mapping key as text.
struct YamlKey(String);

impl<'de> serde::Deserialize<'de> for YamlKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Key;
        impl<'v> serde::de::Visitor<'v> for Key {
            type Value = String;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E>(self, s: &str) -> Result<String, E> {
                Ok(s.to_owned())
            }
            fn visit_string<E>(self, s: String) -> Result<String, E> {
                Ok(s)
            }
            fn visit_bool<E>(self, b: bool) -> Result<String, E> {
                Ok(b.to_string())
            }
            fn visit_i64<E>(self, i: i64) -> Result<String, E> {
                Ok(i.to_string())
            }
            fn visit_u64<E>(self, u: u64) -> Result<String, E> {
                Ok(u.to_string())
            }
            fn visit_f64<E>(self, f: f64) -> Result<String, E> {
                Ok(serde_yaml_ng::Number::from(f).to_string())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
                Err(E::custom(format!("{KEY_ERROR} (a null key)")))
            }
            fn visit_seq<A: serde::de::SeqAccess<'v>>(self, _: A) -> Result<String, A::Error> {
                Err(serde::de::Error::custom(format!(
                    "{KEY_ERROR} (a list or a mapping used as a key)"
                )))
            }
            fn visit_map<A: serde::de::MapAccess<'v>>(self, _: A) -> Result<String, A::Error> {
                Err(serde::de::Error::custom(format!(
                    "{KEY_ERROR} (a list or a mapping used as a key)"
                )))
            }
            fn visit_enum<A: serde::de::EnumAccess<'v>>(self, data: A) -> Result<String, A::Error> {
                let (tag, _rest): (String, A::Variant) = data.variant()?;
                Err(serde::de::Error::custom(format!("{TAG_ERROR}!{tag}`)")))
            }
        }
        d.deserialize_any(Key).map(YamlKey)
    }
}

/// Parser messages end in " at line X column Y", which the error already says.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// A path with `.` and `name/..` taken out, so that it compares equal to
/// the walked files' paths.
#[must_use]
pub fn normal_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if matches!(
                    out.components().next_back(),
                    Some(std::path::Component::Normal(_))
                ) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod parse_yaml_tests {
    use super::parse_yaml;
    use serde_json::json;
    use std::path::Path;

    #[test]
    fn yaml_reads_into_json_with_keys_as_text() {
        let v = parse_yaml(
            Path::new("f.yaml"),
            "a: 1\n2: two\ntrue: yes\nlist: [1, 2.5, ~, x]\nnested: {k: v}\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": 1, "2": "two", "true": "yes", "list": [1, 2.5, null, "x"], "nested": {"k": "v"}})
        );
        // Key order is the file's.
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "2", "true", "list", "nested"]);
    }

    #[test]
    fn tags_and_compound_keys_are_refused_at_their_place() {
        let e = parse_yaml(Path::new("f.yaml"), "a: 1\nb: !Ref other\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 4), "{}", e.message);
        assert!(
            e.message
                .contains("YAML tags are not supported (found `!Ref`)"),
            "{}",
            e.message
        );
        let e = parse_yaml(Path::new("f.yaml"), "a: 1\n? [x, y]\n: z\n").unwrap_err();
        assert!(
            e.message.starts_with("a mapping key is not a string"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 2, "{}", e.message);
        let e = parse_yaml(Path::new("f.yaml"), "a: [1, 2\n").unwrap_err();
        assert!(e.message.starts_with("invalid YAML: "), "{}", e.message);
    }
}
