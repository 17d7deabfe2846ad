//! A small schema language and the one walker that applies it.
//!
//! Each kind describes its fields once (see [`crate::kinds::ecs_service::normalize`]): which are sets,
//! which lists are keyed by name, which hold units, which are read-only, and
//! what AWS fills in by default. The walker turns a spec into a [`Node`] tree
//! by those rules, dropping defaults so that "absent" and "AWS's default" are
//! the same thing. In strict mode (declared files) an unknown field or a wrong
//! type is an error with the path to it; in lenient mode (live data, where the
//! API may be newer than this code) unknown fields are left out.

pub use super::units::{as_int, cpu_units, memory_mib};

use super::names::{shown, suggestion};
use super::node::Fields;
use super::node::Node;
use serde_json::Value;

/// How a field's value is read and compared.
#[derive(Debug)]
pub enum Rule {
    /// A string (numbers and booleans are taken as their text).
    Str,
    /// An enumeration compared without regard to case.
    Upper,
    /// An enumeration of known values, compared without regard to case; in
    /// strict mode anything else is an error.
    OneOf(&'static [&'static str]),
    /// An integer; numeric strings are accepted.
    Int,
    /// A boolean; "true"/"false" strings are accepted.
    Bool,
    /// Task-level CPU units: 1024, "1024", "1 vCPU", "0.25 vcpu".
    Cpu,
    /// Task-level memory in MiB: 512, "512", "0.5 GB", "2GB", "2048 MiB".
    Memory,
    /// An ordered list.
    List(&'static Rule),
    /// A list whose order means nothing.
    Set(&'static Rule),
    /// An object with known fields.
    Obj(&'static [Field]),
    /// A list of objects, each named by a key.
    Keyed(KeyOf, &'static [Field]),
    /// `[{name, value}]` pairs: compared per name. `(name field, value field)`.
    Pairs(&'static str, &'static str),
    /// A free-form string map (`dockerLabels`, log driver `options`), per key.
    StrMap,
    /// Any JSON, compared as a whole with object keys in sorted order.
    Opaque,
}

/// What names an item of a keyed list.
#[derive(Debug, Clone, Copy)]
pub enum KeyOf {
    Field(&'static str),
    /// `containerPort/protocol` (protocol defaulting to tcp).
    PortMapping,
}

/// What the diff does with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treat {
    /// Compared.
    Compare,
    /// Compared only where the declared side states it (e.g. `desiredCount`
    /// under autoscaling).
    DeclaredOnly,
    /// Returned by the API, never set by a user: accepted in declared files
    /// (so pasted `describe` output works) and never compared.
    ReadOnly,
}

/// A default value that AWS fills in; a field equal to it counts as absent.
#[derive(Debug, Clone, Copy)]
pub enum Default {
    None,
    Str(&'static str),
    Int(i64),
    Bool(bool),
}

#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub rule: Rule,
    pub treat: Treat,
    pub default: Default,
}

/// Shorthands for field tables.
pub const fn f(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        rule,
        treat: Treat::Compare,
        default: Default::None,
    }
}
pub const fn d(name: &'static str, rule: Rule, default: Default) -> Field {
    Field {
        name,
        rule,
        treat: Treat::Compare,
        default,
    }
}
pub const fn ro(name: &'static str) -> Field {
    Field {
        name,
        rule: Rule::Opaque,
        treat: Treat::ReadOnly,
        default: Default::None,
    }
}
pub const fn opt(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        rule,
        treat: Treat::DeclaredOnly,
        default: Default::None,
    }
}

/// A field the cloud fills in when it is omitted, or that is compared only
/// where declared: one row of the defaults table (README, `driftgate` tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultRow {
    /// `taskDefinition.volumes[].efsVolumeConfiguration.rootDirectory`.
    pub path: String,
    /// The value the cloud fills in, as text; `None` for a field compared
    /// only where declared.
    pub value: Option<String>,
}

/// Every default and declared-only field of a table, depth first.
#[must_use]
pub fn defaults(fields: &[Field], prefix: &str) -> Vec<DefaultRow> {
    let mut out = Vec::new();
    for fd in fields {
        let path = if prefix.is_empty() {
            fd.name.to_owned()
        } else {
            format!("{prefix}.{}", fd.name)
        };
        match fd.default {
            Default::None if fd.treat == Treat::DeclaredOnly => out.push(DefaultRow {
                path: path.clone(),
                value: None,
            }),
            Default::None => {}
            Default::Str(v) => out.push(DefaultRow {
                path: path.clone(),
                value: Some(v.to_owned()),
            }),
            Default::Int(v) => out.push(DefaultRow {
                path: path.clone(),
                value: Some(v.to_string()),
            }),
            Default::Bool(v) => out.push(DefaultRow {
                path: path.clone(),
                value: Some(v.to_string()),
            }),
        }
        match &fd.rule {
            Rule::Obj(inner) => out.extend(defaults(inner, &path)),
            Rule::Keyed(_, inner) => out.extend(defaults(inner, &format!("{path}[]"))),
            _ => {}
        }
    }
    out
}

/// A schema violation: the keys leading to it, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaError {
    /// The keys as written in the file, for finding the place.
    pub keys: Vec<String>,
    /// The readable path: `containerDefinitions[api].portMappings`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Strict,
    Lenient,
}

/// Looks a field up by name, accepting PascalCase (`ContainerDefinitions`) as
/// well as the API's camelCase.
#[must_use]
pub fn field<'a>(fields: &'a [Field], key: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.name == key).or_else(|| {
        let mut c = key.chars();
        let first = c.next()?;
        let lower: String = first.to_lowercase().chain(c).collect();
        fields.iter().find(|f| f.name == lower)
    })
}

pub struct Walker {
    pub mode: Mode,
    keys: Vec<String>,
    path: Vec<String>,
}

impl Walker {
    #[must_use]
    pub fn new(mode: Mode) -> Self {
        Walker {
            mode,
            keys: Vec::new(),
            path: Vec::new(),
        }
    }

    fn err<T>(&self, message: String) -> Result<T, SchemaError> {
        Err(SchemaError {
            keys: self.keys.clone(),
            path: self.path.concat(),
            message,
        })
    }

    fn enter(&mut self, key: &str, item: bool) {
        self.keys.push(key.to_owned());
        self.path.push(if item {
            format!("[{key}]")
        } else if self.path.is_empty() {
            key.to_owned()
        } else {
            format!(".{key}")
        });
    }

    fn leave(&mut self) {
        self.keys.pop();
        self.path.pop();
    }

    /// Normalizes an object by its field table. Returns `None` when nothing
    /// is left after defaults are dropped.
    ///
    /// # Errors
    /// In strict mode, unknown fields and wrong types.
    pub fn object(&mut self, v: &Value, fields: &[Field]) -> Result<Option<Node>, SchemaError> {
        let Some(obj) = v.as_object() else {
            return self.mismatch("an object", v);
        };
        let mut out = Fields::new();
        for (key, value) in obj {
            let Some(field) = field(fields, key) else {
                if self.mode == Mode::Strict {
                    self.keys.push(key.clone());
                    let known: Vec<&str> = fields
                        .iter()
                        .filter(|f| f.treat != Treat::ReadOnly)
                        .map(|f| f.name)
                        .collect();
                    return self.err(format!(
                        "unknown field `{}`{}",
                        shown(key),
                        suggestion(key, &known)
                    ));
                }
                continue;
            };
            if field.treat == Treat::ReadOnly || value.is_null() {
                continue;
            }
            self.enter(key, false);
            let node = self.value(value, &field.rule)?;
            self.leave();
            if let Some(node) = node
                && !is_default(&node, field.default)
            {
                out.insert(field.name.into(), node);
            }
        }
        Ok((!out.is_empty()).then_some(Node::Obj(out)))
    }

    /// Normalizes one value by its rule.
    ///
    /// # Errors
    /// In strict mode, wrong types.
    pub fn value(&mut self, v: &Value, rule: &Rule) -> Result<Option<Node>, SchemaError> {
        let node = match rule {
            Rule::Str => match v {
                Value::String(s) if s.is_empty() => return Ok(None),
                Value::String(_) => Node::plain(v.clone()),
                Value::Number(n) => Node::leaf(Value::String(n.to_string()), v.clone()),
                Value::Bool(b) => Node::leaf(Value::String(b.to_string()), v.clone()),
                _ => return self.mismatch("a string", v),
            },
            Rule::Upper => match v {
                Value::String(s) if s.is_empty() => return Ok(None),
                Value::String(s) => Node::leaf(Value::String(s.to_uppercase()), v.clone()),
                _ => return self.mismatch("a string", v),
            },
            Rule::OneOf(allowed) => match v {
                Value::String(s) if s.is_empty() => return Ok(None),
                Value::String(s)
                    if self.mode == Mode::Lenient
                        || allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) =>
                {
                    Node::leaf(Value::String(s.to_uppercase()), v.clone())
                }
                Value::String(s) => {
                    return self.err(format!(
                        "`{s}` is not one of {}",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                _ => return self.mismatch("a string", v),
            },
            Rule::Int => match as_int(v) {
                Some(i) => Node::leaf(Value::from(i), v.clone()),
                None => return self.mismatch("an integer", v),
            },
            Rule::Bool => match v {
                Value::Bool(b) => Node::leaf(Value::Bool(*b), v.clone()),
                Value::String(s) if s.eq_ignore_ascii_case("true") => {
                    Node::leaf(Value::Bool(true), v.clone())
                }
                Value::String(s) if s.eq_ignore_ascii_case("false") => {
                    Node::leaf(Value::Bool(false), v.clone())
                }
                _ => return self.mismatch("true or false", v),
            },
            Rule::Cpu | Rule::Memory => {
                let parsed = if matches!(rule, Rule::Cpu) {
                    cpu_units(v)
                } else {
                    memory_mib(v)
                };
                match parsed {
                    Some(n) => Node::leaf(Value::from(n), v.clone()),
                    None if matches!(v, Value::String(s) if s.is_empty()) => return Ok(None),
                    None => {
                        let what = if matches!(rule, Rule::Cpu) {
                            "CPU units (1024, \"1024\" or \"1 vCPU\")"
                        } else {
                            "memory (512, \"512\", \"0.5 GB\" or \"512 MiB\")"
                        };
                        return self.mismatch(what, v);
                    }
                }
            }
            Rule::List(item) | Rule::Set(item) => {
                let Some(items) = v.as_array() else {
                    return self.mismatch("a list", v);
                };
                let mut canon = Vec::with_capacity(items.len());
                for it in items {
                    if let Some(n) = self.value(it, item)? {
                        canon.push(canon_json(&n));
                    }
                }
                if canon.is_empty() {
                    return Ok(None);
                }
                if matches!(rule, Rule::Set(_)) {
                    canon.sort_by_key(std::string::ToString::to_string);
                    canon.dedup();
                }
                Node::leaf(Value::Array(canon), v.clone())
            }
            Rule::Obj(fields) => return self.object(v, fields),
            Rule::Keyed(key_of, fields) => {
                let Some(items) = v.as_array() else {
                    return self.mismatch("a list", v);
                };
                let mut out = Fields::new();
                for it in items {
                    let Some(key) = item_key(it, *key_of) else {
                        return self.err(format!("a list item has no {}", key_name(*key_of)));
                    };
                    self.enter(&key, true);
                    let n = self.object(it, fields)?;
                    self.leave();
                    if out
                        .insert(key.clone().into(), n.unwrap_or(Node::Obj(Fields::new())))
                        .is_some()
                    {
                        return self.err(format!("`{key}` appears twice in the list"));
                    }
                }
                Node::Keyed(out)
            }
            Rule::Pairs(name, value) => {
                let Some(items) = v.as_array() else {
                    return self.mismatch("a list", v);
                };
                let mut out = Fields::new();
                for it in items {
                    let Some(n) = it.get(*name).and_then(Value::as_str) else {
                        return self.err(format!("a list item has no `{name}`"));
                    };
                    if self.mode == Mode::Strict {
                        let known = [*name, *value];
                        if let Some(k) = it
                            .as_object()
                            .and_then(|o| o.keys().find(|k| !known.contains(&k.as_str())))
                        {
                            self.keys.push(n.to_owned());
                            self.keys.push(k.clone());
                            return self.err(format!(
                                "unknown field `{}` in the entry `{}`{}",
                                shown(k),
                                shown(n),
                                suggestion(k, &known)
                            ));
                        }
                        if it
                            .get(*value)
                            .is_some_and(|v| v.is_array() || v.is_object())
                        {
                            self.keys.push(n.to_owned());
                            return self.err(format!(
                                "`{value}` of the entry `{n}` must be a single value, not a list or a mapping"
                            ));
                        }
                    }
                    let val = it.get(*value).cloned().unwrap_or(Value::Null);
                    let val = match val {
                        Value::Number(n) => Value::String(n.to_string()),
                        Value::Bool(b) => Value::String(b.to_string()),
                        other => other,
                    };
                    out.insert(n.to_owned().into(), Node::plain(val));
                }
                Node::Keyed(out)
            }
            Rule::StrMap => {
                let Some(obj) = v.as_object() else {
                    return self.mismatch("a map of strings", v);
                };
                Node::Keyed(
                    obj.iter()
                        .map(|(k, v)| {
                            let canon = match v {
                                Value::Number(n) => Value::String(n.to_string()),
                                Value::Bool(b) => Value::String(b.to_string()),
                                other => other.clone(),
                            };
                            (k.clone(), Node::leaf(canon, v.clone()))
                        })
                        .collect(),
                )
            }
            Rule::Opaque => Node::leaf(sorted(v), v.clone()),
        };
        Ok((!node.is_empty()).then_some(node))
    }

    fn mismatch<T>(&self, want: &str, got: &Value) -> Result<T, SchemaError> {
        let got = match got {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        };
        self.err(format!("expected {want}, found {got}"))
    }
}

fn key_name(k: KeyOf) -> String {
    match k {
        KeyOf::Field(f) => format!("`{f}`"),
        KeyOf::PortMapping => "`containerPort` or `containerPortRange`".to_owned(),
    }
}

fn item_key(item: &Value, key_of: KeyOf) -> Option<String> {
    match key_of {
        KeyOf::Field(f) => match item.get(f)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
        KeyOf::PortMapping => {
            let port = item
                .get("containerPort")
                .and_then(as_int)
                .map(|p| p.to_string())
                .or_else(|| item.get("containerPortRange")?.as_str().map(str::to_owned))?;
            let proto = item
                .get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("tcp")
                .to_lowercase();
            Some(format!("{port}/{proto}"))
        }
    }
}

/// Whether a normalized value equals the field's default.
fn is_default(node: &Node, default: Default) -> bool {
    let Some(canon) = node.canon() else {
        return false;
    };
    match default {
        Default::None => false,
        Default::Str(s) => canon.as_str().is_some_and(|c| c.eq_ignore_ascii_case(s)),
        Default::Int(i) => canon.as_i64() == Some(i),
        Default::Bool(b) => canon.as_bool() == Some(b),
    }
}

/// The canonical JSON of a node, for sorting and comparing inside lists.
#[must_use]
pub fn canon_json(n: &Node) -> Value {
    match n {
        Node::Obj(m) | Node::Keyed(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.to_owned(), canon_json(v)))
                .collect(),
        ),
        leaf => leaf
            .canon()
            .map_or(Value::Null, std::borrow::Cow::into_owned),
    }
}

/// JSON with every object's keys sorted, so key order never counts as drift.
#[must_use]
pub fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&o[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Renames keys to the schema's spelling (`ContainerDefinitions` ->
/// `containerDefinitions`, `Name` -> `name` in pairs), leaving free-form maps
/// and unknown keys as they are, so everything after loading sees one casing.
pub fn canonical_keys(v: &mut Value, fields: &[Field]) {
    let Some(obj) = v.as_object_mut() else { return };
    let old = std::mem::take(obj);
    for (key, mut value) in old {
        let name = match field(fields, &key) {
            Some(fd) => {
                canonical_rule(&mut value, &fd.rule);
                fd.name.to_owned()
            }
            None => key,
        };
        obj.insert(name, value);
    }
}

fn canonical_rule(v: &mut Value, rule: &Rule) {
    match rule {
        Rule::Obj(fields) => canonical_keys(v, fields),
        Rule::Keyed(_, fields) => {
            for item in v.as_array_mut().into_iter().flatten() {
                canonical_keys(item, fields);
            }
        }
        Rule::List(inner) | Rule::Set(inner) => {
            for item in v.as_array_mut().into_iter().flatten() {
                canonical_rule(item, inner);
            }
        }
        Rule::Pairs(name, value) => {
            let fields = [f(name, Rule::Str), f(value, Rule::Str)];
            for item in v.as_array_mut().into_iter().flatten() {
                canonical_keys(item, &fields);
            }
        }
        _ => {}
    }
}

/// Keeps only what a declared file may state: known, writable, non-empty
/// fields. Used by `import`, so that what it writes reads back strictly.
#[must_use]
pub fn prune(v: &Value, fields: &[Field]) -> Value {
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    let mut out = serde_json::Map::new();
    // In the schema's order, so imported files read the same way every time.
    for fd in fields {
        let Some(value) = obj.get(fd.name) else {
            continue;
        };
        if fd.treat == Treat::ReadOnly || is_blank(value) {
            continue;
        }
        let is_dflt = !matches!(fd.default, Default::None)
            && Walker::new(Mode::Lenient)
                .value(value, &fd.rule)
                .ok()
                .flatten()
                .is_some_and(|n| is_default(&n, fd.default));
        if is_dflt {
            continue;
        }
        let pruned = prune_rule(value, &fd.rule);
        if !is_blank(&pruned) {
            out.insert(fd.name.to_owned(), pruned);
        }
    }
    Value::Object(out)
}

fn prune_rule(v: &Value, rule: &Rule) -> Value {
    match (rule, v) {
        (Rule::Obj(fields), _) => prune(v, fields),
        (Rule::Keyed(_, fields), Value::Array(items)) => {
            Value::Array(items.iter().map(|i| prune(i, fields)).collect())
        }
        (Rule::List(inner) | Rule::Set(inner), Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|i| prune_rule(i, inner))
                .filter(|i| !is_blank(i))
                .collect(),
        ),
        _ => v.clone(),
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
