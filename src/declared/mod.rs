//! Declared files in Git -> model resources: what every format shares.
//!
//! Each scope's `declared` directory is read recursively, in path order
//! ([`files`]). Files ending in `.yaml`, `.yml` or `.json`, and zone files
//! by name, are read; others (READMEs, templates kept beside them) are left
//! alone. Each file goes to the first format of [`formats::FORMATS`] that
//! takes it; the formats themselves live with their kind:
//! - [`crate::kinds::ecs_service::formats`]: native `kind: ecs_service`, and the
//!   AWS CLI / ecspresso JSON pair (`ecs-service-def.json`, `ecs-task-def.json`);
//! - [`crate::kinds::dns_record::formats`]: native `kind: dns_zone`, octoDNS zone
//!   files, RFC 1035 zone files;
//! - [`crate::kinds::firewall_rule::formats`]: native `kind: security_group`,
//!   `aws ec2 describe-security-groups` output, GCP firewall rules.
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
            Some("yaml" | "yml" | "json")
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
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        InputError::new(
            path,
            line,
            col,
            format!("invalid YAML: {}", strip_position(&e.to_string())),
        )
    })?;
    yaml_to_json(yaml).map_err(|(m, needle)| {
        let offset = needle.and_then(|n| text.find(&n)).unwrap_or(0);
        InputError::at_offset(path, text, offset, m)
    })
}

/// Errors carry the text to look for in the file, to place them.
fn yaml_to_json(v: serde_yaml_ng::Value) -> Result<Value, (String, Option<String>)> {
    use serde_yaml_ng::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                serde_json::Number::from_f64(n.as_f64().unwrap_or(f64::NAN))
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => {
                        return Err((
                            "a mapping key is not a string (a list or a mapping used as a key)"
                                .into(),
                            None,
                        ));
                    }
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            return Err((
                format!("YAML tags are not supported (found `{tag}`)"),
                Some(tag),
            ));
        }
    })
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
